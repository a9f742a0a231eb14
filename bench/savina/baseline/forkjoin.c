/* Savina (d) fork-join creation, plain-C baseline (see mini.h).  forkjoin [actors] */
#include "mini.h"

typedef struct driver { mini_actor base; mini_actor **workers; int64_t replies, sum; } driver;
typedef struct worker { mini_actor base; int64_t value; } worker;

static void done(mini_actor *self, const mini_msg *m) {
    driver *d = (driver *)self;
    d->replies++;
    d->sum += m->a;
}

static void go(mini_actor *self, const mini_msg *m) {
    worker *w = (worker *)self;
    w->value = savina_forkjoin_value(m->a);
    mini_send(m->ref, done, w->value, 0, NULL);
}

static void start(mini_actor *self, const mini_msg *m) {
    driver *d = (driver *)self;
    int64_t n = m->a;
    d->workers = malloc(sizeof *d->workers * (size_t)n);
    if (!d->workers)
        savina_fail("forkjoin", "out of memory");
    for (int64_t i = 0; i < n; i++)
        d->workers[i] = mini_spawn(sizeof(worker));
    for (int64_t i = 0; i < n; i++)
        mini_send(d->workers[i], go, i, 0, self);
}

int main(int argc, char **argv) {
    int64_t n = savina_arg(argc, argv, 1, 1000000);
    driver *d = mini_spawn(sizeof(driver));
    int64_t t0 = savina_now_ns();
    mini_send(&d->base, start, n, 0, NULL);
    mini_run();
    int64_t t1 = savina_now_ns();
    int64_t want = savina_forkjoin_expected(n);
    if (d->replies != n || d->sum != want)
        savina_fail("forkjoin", "%lld replies, sum %lld (want %lld, %lld)", (long long)d->replies,
                    (long long)d->sum, (long long)n, (long long)want);
    savina_report("forkjoin", "baseline", 1, n, t1 - t0);
    free(d->workers);
    return 0;
}
