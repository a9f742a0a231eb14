// Parallel (b) chameneos, CAF: chameneos meet through one mall until N
// meetings have taken place (see alox/chameneos.c for the protocol).
//   chameneos [meetings] [chameneos]
#include "parallel.hpp"
#include "savina.hpp"

using namespace caf;
using meet_atom = atom_constant<atom("meet")>;
using pair_atom = atom_constant<atom("pair")>;
using change_atom = atom_constant<atom("change")>;
using stop_atom = atom_constant<atom("stop")>;
using report_atom = atom_constant<atom("report")>;
using result_atom = atom_constant<atom("result")>;

struct chameneo_state {
    int32_t colour = 0;
    int64_t meetings = 0;
};

behavior chameneo(stateful_actor<chameneo_state>* self, actor mall, int32_t colour) {
    self->state.colour = colour;
    self->send(mall, meet_atom::value, actor_cast<actor>(self), colour);
    return {
        [=](pair_atom, const actor& partner, int32_t other) {
            auto& s = self->state;
            s.colour = chameneos_complement(s.colour, other);
            s.meetings++;
            self->send(partner, change_atom::value, s.colour);
            self->send(mall, meet_atom::value, actor_cast<actor>(self), s.colour);
        },
        [=](change_atom, int32_t c) {
            auto& s = self->state;
            s.colour = c;
            s.meetings++;
            self->send(mall, meet_atom::value, actor_cast<actor>(self), s.colour);
        },
        [=](stop_atom) {
            self->send(mall, report_atom::value, self->state.meetings);
            self->quit();
        },
    };
}

struct mall_state {
    actor waiting;
    int32_t waiting_colour = 0;
    int64_t left = 0, reports = 0, meetings = 0;
};

behavior mall(stateful_actor<mall_state>* self, int64_t meetings, int64_t count, actor main) {
    self->state.left = meetings;
    actor me = actor_cast<actor>(self);
    for (int64_t i = 0; i < count; i++)
        self->spawn(chameneo, me, static_cast<int32_t>(i % 3));
    return {
        [=](meet_atom, const actor& from, int32_t colour) {
            auto& s = self->state;
            if (s.left == 0) {
                self->send(from, stop_atom::value);
            } else if (!s.waiting) {
                s.waiting = from;
                s.waiting_colour = colour;
            } else {
                s.left--;
                self->send(s.waiting, pair_atom::value, from, colour);
                s.waiting = nullptr;
            }
        },
        [=](report_atom, int64_t m) {
            auto& s = self->state;
            s.meetings += m;
            if (++s.reports == count) {
                self->send(main, result_atom::value, s.reports, s.meetings);
                self->quit();
            }
        },
    };
}

int main(int argc, char** argv) {
    int64_t meetings = savina::arg(argc, argv, 1, 200000);
    int64_t count = savina::arg(argc, argv, 2, 100);
    actor_system_config cfg;
    savina::configure(cfg);
    actor_system sys{cfg};
    scoped_actor main_actor{sys};
    int64_t t0 = savina::now_ns();
    sys.spawn(mall, meetings, count, actor_cast<actor>(main_actor.ptr()));
    int64_t reports = 0, counted = 0;
    main_actor->receive([&](result_atom, int64_t r, int64_t m) {
        reports = r;
        counted = m;
    });
    int64_t t1 = savina::now_ns();
    if (reports != count || counted != 2 * meetings)
        savina::fail("chameneos", std::to_string(reports) + " reports, " + std::to_string(counted) +
                                      " meetings counted, want " + std::to_string(2 * meetings));
    savina::report("chameneos", sys, meetings, t1 - t0);
    return 0;
}
