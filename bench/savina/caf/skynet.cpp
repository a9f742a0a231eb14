// Savina (f) skynet, CAF: a 10-ary tree of actors down to `leaves` leaves;
// leaves send their number up, inner actors the sum of their 10 answers.
//   skynet [leaves]   (a power of 10)
#include "savina.hpp"

using namespace caf;
using result_atom = atom_constant<atom("result")>;

struct sky_state {
    int64_t sum = 0;
    int got = 0;
};

behavior skynet(stateful_actor<sky_state>* self, actor parent, int64_t num, int64_t size) {
    if (size == 1) {
        self->send(parent, num);
        self->quit();
        return {};
    }
    int64_t child = size / 10;
    actor me = actor_cast<actor>(self);
    for (int64_t i = 0; i < 10; i++)
        self->spawn(skynet, me, num + i * child, child);
    return {
        [=](int64_t value) {
            auto& s = self->state;
            s.sum += value;
            if (++s.got == 10) {
                self->send(parent, s.sum);
                self->quit();
            }
        },
    };
}

int main(int argc, char** argv) {
    int64_t leaves = savina::arg(argc, argv, 1, 1000000);
    if (!savina::is_power_of_10(leaves))
        savina::fail("skynet", "leaves must be a power of 10");
    actor_system_config cfg;
    savina::configure(cfg);
    actor_system sys{cfg};
    scoped_actor main_actor{sys};
    int64_t t0 = savina::now_ns();
    sys.spawn(skynet, actor_cast<actor>(main_actor.ptr()), int64_t{0}, leaves);
    int64_t sum = -1;
    main_actor->receive([&](int64_t s) { sum = s; });
    int64_t t1 = savina::now_ns();
    if (sum != leaves * (leaves - 1) / 2)
        savina::fail("skynet", "sum " + std::to_string(sum));
    savina::report("skynet", sys, savina::skynet_actors(leaves), t1 - t0);
    return 0;
}
