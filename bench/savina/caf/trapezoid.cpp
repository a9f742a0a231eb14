// Parallel (a) trapezoid, CAF: a master spawns one worker actor per piece
// and sends it its piece; each answers with the area; the master adds them
// (see common/parallel.h).  trapezoid [pieces] [steps]
#include "parallel.hpp"
#include "savina.hpp"

using namespace caf;
using piece_atom = atom_constant<atom("piece")>;
using result_atom = atom_constant<atom("result")>;

behavior worker(event_based_actor* self) {
    return {
        [=](piece_atom, int64_t index, int64_t pieces, int64_t steps, const actor& master) {
            self->send(master, trapezoid_piece(index, pieces, steps));
            self->quit();
        },
    };
}

struct master_state {
    int64_t replies = 0;
    double sum = 0;
};

behavior master(stateful_actor<master_state>* self, int64_t pieces, int64_t steps, actor main) {
    actor me = actor_cast<actor>(self);
    for (int64_t i = 0; i < pieces; i++)
        self->send(self->spawn(worker), piece_atom::value, i, pieces, steps, me);
    return {
        [=](double area) {
            auto& s = self->state;
            s.sum += area;
            if (++s.replies == pieces) {
                self->send(main, result_atom::value, s.replies, s.sum);
                self->quit();
            }
        },
    };
}

int main(int argc, char** argv) {
    int64_t pieces = savina::arg(argc, argv, 1, 4000);
    int64_t steps = savina::arg(argc, argv, 2, 2000);
    actor_system_config cfg;
    savina::configure(cfg);
    actor_system sys{cfg};
    scoped_actor main_actor{sys};
    int64_t t0 = savina::now_ns();
    sys.spawn(master, pieces, steps, actor_cast<actor>(main_actor.ptr()));
    int64_t replies = 0;
    double sum = 0;
    main_actor->receive([&](result_atom, int64_t r, double s) {
        replies = r;
        sum = s;
    });
    int64_t t1 = savina::now_ns();
    double want = trapezoid_expected(pieces, steps);
    if (replies != pieces || !trapezoid_close(sum, want))
        savina::fail("trapezoid", std::to_string(replies) + " pieces, area " + std::to_string(sum) +
                                      ", want " + std::to_string(want));
    savina::report("trapezoid", sys, pieces, t1 - t0);
    return 0;
}
