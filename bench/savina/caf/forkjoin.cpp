// Savina (d) fork-join creation, CAF: N actors are spawned (all alive at
// once), then each is sent one message; each answers a collector with a
// value and quits; the collector sums the answers.  forkjoin [actors]
//
// The spawning and the sends come from main (outside the scheduler), which
// CAF 0.17 spreads round-robin over its workers. Spawning from inside an
// actor puts all N actors on that worker's queue, and CAF's work stealing
// takes from the tail of a singly linked deque (find_predecessor walks the
// whole list, under both locks): quadratic, minutes for 1M actors. We
// measure CAF on its good path.
#include "savina.hpp"

using namespace caf;
using go_atom = atom_constant<atom("go")>;
using done_atom = atom_constant<atom("done")>;
using result_atom = atom_constant<atom("result")>;

behavior worker(event_based_actor* self) {
    return {
        [=](go_atom, int64_t i, const actor& collector) {
            self->send(collector, done_atom::value, savina::forkjoin_value(i));
            self->quit();
        },
    };
}

struct collector_state {
    int64_t replies = 0, sum = 0;
};

behavior collector(stateful_actor<collector_state>* self, int64_t n, actor main) {
    return {
        [=](done_atom, int64_t value) {
            auto& s = self->state;
            s.replies++;
            s.sum += value;
            if (s.replies == n) {
                self->send(main, result_atom::value, s.replies, s.sum);
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
    auto sink = sys.spawn(collector, n, actor_cast<actor>(main_actor.ptr()));
    std::vector<actor> workers;
    workers.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; i++)
        workers.push_back(sys.spawn(worker));
    for (int64_t i = 0; i < n; i++)
        anon_send(workers[static_cast<size_t>(i)], go_atom::value, i, sink);
    int64_t replies = 0, sum = 0;
    main_actor->receive([&](result_atom, int64_t r, int64_t s) {
        replies = r;
        sum = s;
    });
    int64_t t1 = savina::now_ns();
    workers.clear();
    int64_t want = savina::forkjoin_expected(n);
    if (replies != n || sum != want)
        savina::fail("forkjoin", std::to_string(replies) + " replies, sum " + std::to_string(sum) +
                                     ", want " + std::to_string(want));
    savina::report("forkjoin", sys, n, t1 - t0);
    return 0;
}
