// Savina (c) thread ring, CAF: A actors in a ring pass a token H times;
// the actor that gets it with nothing left tells main its index.
//   ring [hops] [actors]
#include "savina.hpp"

using namespace caf;
using link_atom = atom_constant<atom("link")>;
using done_atom = atom_constant<atom("done")>;

struct node_state {
    actor next;
    int64_t hits = 0;
};

behavior ring_node(stateful_actor<node_state>* self, int64_t index, actor main) {
    return {
        [=](link_atom, const actor& next) { self->state.next = next; },
        [=](int64_t left) {
            self->state.hits++;
            if (left > 0) {
                self->send(self->state.next, left - 1);
            } else {
                self->send(main, done_atom::value, index);
            }
        },
        [=](done_atom) {
            self->state.next = nullptr;
            self->quit();
        },
    };
}

int main(int argc, char** argv) {
    int64_t hops = savina::arg(argc, argv, 1, 10000000);
    int64_t actors = savina::arg(argc, argv, 2, 100);
    actor_system_config cfg;
    savina::configure(cfg);
    actor_system sys{cfg};
    scoped_actor main_actor{sys};
    actor main = actor_cast<actor>(main_actor.ptr());
    std::vector<actor> ring;
    for (int64_t i = 0; i < actors; i++)
        ring.push_back(sys.spawn(ring_node, i, main));
    for (int64_t i = 0; i < actors; i++)
        main_actor->send(ring[i], link_atom::value, ring[(i + 1) % actors]);
    int64_t t0 = savina::now_ns();
    main_actor->send(ring[0], hops);
    int64_t last = -1;
    main_actor->receive([&](done_atom, int64_t index) { last = index; });
    int64_t t1 = savina::now_ns();
    for (auto& a : ring)
        main_actor->send(a, done_atom::value);
    if (last != hops % actors)
        savina::fail("ring", "ended at actor " + std::to_string(last) + ", want " +
                                 std::to_string(hops % actors));
    savina::report("ring", sys, hops, t1 - t0);
    return 0;
}
