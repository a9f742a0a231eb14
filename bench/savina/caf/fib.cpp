// Parallel (c) fib, CAF: one actor per call above the cut-off; it spawns
// two children, adds their answers and sends the sum to its parent; at or
// below the cut-off it computes sequentially (see common/parallel.h).
//   fib [n] [cutoff]
#include "parallel.hpp"
#include "savina.hpp"

using namespace caf;

struct fib_state {
    int64_t sum = 0;
    int got = 0;
};

behavior fib(stateful_actor<fib_state>* self, actor parent, int32_t n, int32_t cutoff) {
    if (n <= cutoff) {
        self->send(parent, fib_sequential(n));
        self->quit();
        return {};
    }
    actor me = actor_cast<actor>(self);
    self->spawn(fib, me, n - 1, cutoff);
    self->spawn(fib, me, n - 2, cutoff);
    return {
        [=](int64_t value) {
            auto& s = self->state;
            s.sum += value;
            if (++s.got == 2) {
                self->send(parent, s.sum);
                self->quit();
            }
        },
    };
}

int main(int argc, char** argv) {
    int32_t n = static_cast<int32_t>(savina::arg(argc, argv, 1, 38));
    int32_t cutoff = static_cast<int32_t>(savina::arg(argc, argv, 2, 22));
    actor_system_config cfg;
    savina::configure(cfg);
    actor_system sys{cfg};
    scoped_actor main_actor{sys};
    int64_t t0 = savina::now_ns();
    sys.spawn(fib, actor_cast<actor>(main_actor.ptr()), n, cutoff);
    int64_t value = -1;
    main_actor->receive([&](int64_t v) { value = v; });
    int64_t t1 = savina::now_ns();
    if (value != fib_iterative(n))
        savina::fail("fib", "fib(" + std::to_string(n) + ") = " + std::to_string(value));
    savina::report("fib", sys, fib_actors(n, cutoff), t1 - t0);
    return 0;
}
