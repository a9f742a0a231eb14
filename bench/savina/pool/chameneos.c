/* Parallel (b) chameneos, the C limit (see pool.h, alox/chameneos.c).  chameneos [meetings] [chameneos] */
#include "../common/parallel.h"
#include "pool.h"

typedef struct mall {
    pool_actor base;
    pool_actor *waiting;
    int64_t waiting_colour, left, reports, meetings;
} mall;
typedef struct chameneo { pool_actor base; mall *mall; int64_t colour, meetings; } chameneo;

static void meet(pool_actor *self, const pool_msg *m);

static void report(pool_actor *self, const pool_msg *m) {
    mall *s = (mall *)self;
    s->reports++;
    s->meetings += m->a;
}

static void stop(pool_actor *self, const pool_msg *m) {
    (void)m;
    chameneo *c = (chameneo *)self;
    pool_send(&c->mall->base, report, c->meetings, 0, 0, NULL);
}

static void change(pool_actor *self, const pool_msg *m) {
    chameneo *c = (chameneo *)self;
    c->colour = m->a;
    c->meetings++;
    pool_send(&c->mall->base, meet, c->colour, 0, 0, self);
}

static void pair(pool_actor *self, const pool_msg *m) {
    chameneo *c = (chameneo *)self;
    c->colour = chameneos_complement((int32_t)c->colour, (int32_t)m->a);
    c->meetings++;
    pool_send(m->ref, change, c->colour, 0, 0, NULL);
    pool_send(&c->mall->base, meet, c->colour, 0, 0, self);
}

static void meet(pool_actor *self, const pool_msg *m) {
    mall *s = (mall *)self;
    if (s->left == 0) {
        pool_send(m->ref, stop, 0, 0, 0, NULL);
    } else if (!s->waiting) {
        s->waiting = m->ref;
        s->waiting_colour = m->a;
    } else {
        s->left--;
        pool_send(s->waiting, pair, m->a, 0, 0, m->ref);
        s->waiting = NULL;
    }
}

int main(int argc, char **argv) {
    int64_t meetings = savina_arg(argc, argv, 1, 200000);
    int64_t count = savina_arg(argc, argv, 2, 100);
    pool_init();
    mall *ml = pool_spawn(sizeof(mall));
    ml->left = meetings;
    int64_t t0 = savina_now_ns();
    for (int64_t i = 0; i < count; i++) { /* main plays each chameneo's start */
        chameneo *c = pool_spawn(sizeof(chameneo));
        c->mall = ml;
        c->colour = i % 3;
        pool_send(&ml->base, meet, c->colour, 0, 0, &c->base);
    }
    int threads = pool_run();
    int64_t t1 = savina_now_ns();
    if (ml->reports != count || ml->meetings != 2 * meetings)
        savina_fail("chameneos", "%lld reports (want %lld), %lld meetings counted (want %lld)",
                    (long long)ml->reports, (long long)count, (long long)ml->meetings,
                    (long long)(2 * meetings));
    savina_report("chameneos", "pool", threads, meetings, t1 - t0);
    return 0;
}
