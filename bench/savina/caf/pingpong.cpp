// Savina (a) ping-pong, CAF: two actors bounce a counter N times; every
// message carries an int and the sender's handle.  pingpong [round_trips]
#include "savina.hpp"

using namespace caf;
using done_atom = atom_constant<atom("done")>;

struct hits {
    int64_t n = 0;
};

behavior ponger(stateful_actor<hits>* self) {
    return {
        [=](int32_t n, const actor& from) {
            self->state.n++;
            self->send(from, n, actor_cast<actor>(self));
        },
        [=](done_atom, int64_t pings, const actor& main) {
            self->send(main, done_atom::value, pings, self->state.n);
            self->quit();
        },
    };
}

behavior pinger(stateful_actor<hits>* self, actor main) {
    return {
        [=](int32_t n, const actor& to) {
            self->state.n++;
            if (n > 0) {
                self->send(to, n - 1, actor_cast<actor>(self));
            } else {
                self->send(to, done_atom::value, self->state.n, main);
                self->quit();
            }
        },
    };
}

int main(int argc, char** argv) {
    int64_t n = savina::arg(argc, argv, 1, 1000000);
    actor_system_config cfg;
    savina::configure(cfg);
    actor_system sys{cfg};
    scoped_actor main_actor{sys};
    int64_t t0 = savina::now_ns();
    auto a = sys.spawn(pinger, actor_cast<actor>(main_actor.ptr()));
    auto b = sys.spawn(ponger);
    main_actor->send(a, static_cast<int32_t>(n), b);
    int64_t pings = 0, pongs = 0;
    main_actor->receive([&](done_atom, int64_t p, int64_t q) {
        pings = p;
        pongs = q;
    });
    int64_t t1 = savina::now_ns();
    if (pings != n + 1 || pongs != n)
        savina::fail("pingpong", "pinger got " + std::to_string(pings) + ", ponger " +
                                     std::to_string(pongs));
    savina::report("pingpong", sys, 2 * n, t1 - t0);
    return 0;
}
