/* Parallel (c) fib, the C limit (see pool.h, alox/fib.c).  fib [n] [cutoff] */
#include "../common/parallel.h"
#include "pool.h"

typedef struct node { pool_actor base; struct node *parent; int64_t sum, got; } node;

static int64_t final_value = -1; /* written by the root, read after pool_run */

static void result(pool_actor *self, const pool_msg *m);

static void answer(node *parent, int64_t value) {
    if (parent)
        pool_send(&parent->base, result, value, 0, 0, NULL);
    else
        final_value = value;
}

static void result(pool_actor *self, const pool_msg *m) {
    node *s = (node *)self;
    s->sum += m->a;
    if (++s->got == 2)
        answer(s->parent, s->sum);
}

static void start(pool_actor *self, const pool_msg *m) {
    node *s = (node *)self;
    int32_t n = (int32_t)m->a, cutoff = (int32_t)m->b;
    s->parent = (node *)m->ref;
    if (n <= cutoff) {
        answer(s->parent, fib_sequential(n));
        return;
    }
    pool_send(pool_spawn(sizeof(node)), start, n - 1, cutoff, 0, self);
    pool_send(pool_spawn(sizeof(node)), start, n - 2, cutoff, 0, self);
}

int main(int argc, char **argv) {
    int32_t n = (int32_t)savina_arg(argc, argv, 1, 38);
    int32_t cutoff = (int32_t)savina_arg(argc, argv, 2, 22);
    pool_init();
    int64_t t0 = savina_now_ns();
    pool_send(pool_spawn(sizeof(node)), start, n, cutoff, 0, NULL);
    int threads = pool_run();
    int64_t t1 = savina_now_ns();
    if (final_value != fib_iterative(n))
        savina_fail("fib", "fib(%d) = %lld (want %lld)", n, (long long)final_value,
                    (long long)fib_iterative(n));
    savina_report("fib", "pool", threads, fib_actors(n, cutoff), t1 - t0);
    return 0;
}
