// Savina (b) counting, CAF: one producer sends N numbers to one counter,
// then asks it for the count.  counting [messages]
#include "savina.hpp"

using namespace caf;
using get_atom_t = atom_constant<atom("get")>;
using result_atom = atom_constant<atom("result")>;

struct tally {
    int64_t count = 0;
    int64_t sum = 0;
};

behavior counter(stateful_actor<tally>* self) {
    return {
        [=](int64_t value) {
            self->state.count++;
            self->state.sum += value;
        },
        [=](get_atom_t, const actor& main) {
            self->send(main, result_atom::value, self->state.count, self->state.sum);
            self->quit();
        },
    };
}

void producer(event_based_actor* self, int64_t n, actor to, actor main) {
    for (int64_t i = 0; i < n; i++)
        self->send(to, i);
    self->send(to, get_atom_t::value, main);
}

int main(int argc, char** argv) {
    int64_t n = savina::arg(argc, argv, 1, 10000000);
    actor_system_config cfg;
    savina::configure(cfg);
    actor_system sys{cfg};
    scoped_actor main_actor{sys};
    int64_t t0 = savina::now_ns();
    auto c = sys.spawn(counter);
    sys.spawn(producer, n, c, actor_cast<actor>(main_actor.ptr()));
    int64_t count = 0, sum = 0;
    main_actor->receive([&](result_atom, int64_t k, int64_t s) {
        count = k;
        sum = s;
    });
    int64_t t1 = savina::now_ns();
    if (count != n || sum != n * (n - 1) / 2)
        savina::fail("counting", "counted " + std::to_string(count) + " of " + std::to_string(n));
    savina::report("counting", sys, n, t1 - t0);
    return 0;
}
