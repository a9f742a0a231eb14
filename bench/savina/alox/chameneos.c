/*
 * Parallel (b) chameneos, Alox: C chameneos meet through one mall until N
 * meetings have taken place (Savina's chameneos). A chameneo asks the mall
 * for a meeting; the mall keeps the first one waiting and pairs it with
 * the next: it tells the waiting one who its partner is, that one takes
 * the complement colour and tells the partner, and both ask again. After
 * N meetings the mall answers every request with "stop", and each
 * chameneo reports its meetings. See common/parallel.h.
 *     chameneos [meetings=200000] [chameneos=100]
 */
#include <alox.h>

#include "../common/parallel.h"
#include "../common/savina.h"

struct chameneo;
struct alox_actor mall {
    struct chameneo *waiting;
    int32_t waiting_colour;
    int64_t left;     /* meetings still to arrange */
    int64_t reports;  /* chameneos stopped */
    int64_t meetings; /* their meetings, summed */
};
struct alox_actor chameneo { struct mall *mall; int32_t colour; int64_t meetings; };

alox_behave void mall_meet(struct mall *self, struct chameneo *from, int32_t colour);

alox_behave void mall_report(struct mall *self, int64_t meetings) {
    self->reports++;
    self->meetings += meetings;
}

alox_behave void chameneo_stop(struct chameneo *self) {
    mall_report(self->mall, self->meetings);
    alox_stop(self); /* CAF quits, Erlang and Go return */
}

alox_behave void chameneo_change(struct chameneo *self, int32_t colour) {
    self->colour = colour;
    self->meetings++;
    mall_meet(self->mall, self, self->colour);
}

alox_behave void chameneo_pair(struct chameneo *self, struct chameneo *partner, int32_t colour) {
    self->colour = chameneos_complement(self->colour, colour);
    self->meetings++;
    chameneo_change(partner, self->colour);
    mall_meet(self->mall, self, self->colour);
}

alox_behave void mall_meet(struct mall *self, struct chameneo *from, int32_t colour) {
    if (self->left == 0) {
        chameneo_stop(from);
    } else if (!self->waiting) {
        self->waiting = from;
        self->waiting_colour = colour;
    } else {
        self->left--;
        chameneo_pair(self->waiting, from, colour);
        self->waiting = NULL;
    }
}

alox_behave void chameneo_start(struct chameneo *self, struct mall *mall, int32_t colour) {
    self->mall = mall;
    self->colour = colour;
    mall_meet(mall, self, colour);
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    int64_t meetings = savina_arg(argc, argv, 1, 200000);
    int64_t count = savina_arg(argc, argv, 2, 100);
    struct mall *mall = alox_new(struct mall);
    mall->left = meetings;
    int64_t t0 = savina_now_ns();
    for (int64_t i = 0; i < count; i++)
        chameneo_start(alox_new(struct chameneo), mall, (int32_t)(i % 3));
    if (alox_run() != 0)
        savina_fail("chameneos", "alox_run failed");
    int64_t t1 = savina_now_ns();
    if (mall->reports != count || mall->meetings != 2 * meetings)
        savina_fail("chameneos", "%lld reports (want %lld), %lld meetings counted (want %lld)",
                    (long long)mall->reports, (long long)count, (long long)mall->meetings,
                    (long long)(2 * meetings));
    savina_report("chameneos", "alox", alox_threads(), meetings, t1 - t0);
    return 0;
}
