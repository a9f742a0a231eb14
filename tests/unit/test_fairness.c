/* Fairness of the worker loop (core/worker.h): an endless run-next chain
 * (ping-pong) gets a time slice, then goes behind the actors waiting in
 * the same worker's local queue, so they run. One worker, so nothing can
 * be stolen and only the slice can let the waiting actor in. Bounded: the
 * chain stops by itself after CHAIN_MAX hops if the waiter never ran. */
#include "test_util.h"

#define CHAIN_MAX (200000000 / TEST_SCALE_DOWN) /* ~3 s of hops: far beyond a slice */
#define TIME_BOUND_S 120

struct waiter { int ran; };
HANDMADE_ACTOR(waiter)
typedef struct { int64_t unused; } wake_args;
HANDMADE_BEHAVIOUR(waiter, wake, wake_args, "(i64)")

struct player { struct player *other; int64_t hops; };
HANDMADE_ACTOR(player)
typedef struct { int64_t n; } ball_args;
HANDMADE_BEHAVIOUR(player, ball, ball_args, "(i64)")
typedef struct { struct waiter *w; struct player *to; } serve_args;
HANDMADE_BEHAVIOUR(player, serve, serve_args, "(ptr,ptr)")

static _Atomic int waiter_ran;
static _Atomic int64_t hops_when_waiter_ran = -1;
static _Atomic int64_t hops;

static void wake(struct waiter *self, const wake_args *a) {
    (void)a;
    self->ran = 1;
    atomic_store(&hops_when_waiter_ran, atomic_load(&hops));
    atomic_store(&waiter_ran, 1);
}

static void ball(struct player *self, const ball_args *a) {
    int64_t n = atomic_fetch_add_explicit(&hops, 1, memory_order_relaxed) + 1;
    /* Play on a little after the waiter ran, so the test also sees the
     * chain continue; stop at CHAIN_MAX whatever happens. */
    if (n >= CHAIN_MAX || (atomic_load_explicit(&waiter_ran, memory_order_relaxed) && a->n > 1000))
        return;
    send_ball(self->other, (ball_args){atomic_load_explicit(&waiter_ran, memory_order_relaxed) ? a->n + 1 : 0});
}

/* The waiter goes to runnext first and is displaced into the local queue
 * by the send that starts the chain. */
static void serve(struct player *self, const serve_args *a) {
    (void)self;
    send_wake(a->w, (wake_args){0});
    send_ball(a->to, (ball_args){0});
}

static void test_runnext_chain_yields_to_local_queue(void **state) {
    (void)state;
    alarm(TIME_BOUND_S);
    assert_int_equal(alox_set_threads(1), 0);
    struct waiter *w = new_waiter();
    struct player *p = new_player(), *q = new_player();
    p->other = q;
    q->other = p;
    send_serve(p, (serve_args){w, q});
    assert_int_equal(alox_run(), 0);
    alarm(0);
    printf("waiter ran after %lld hops (chain limit %d)\n", (long long)hops_when_waiter_ran, CHAIN_MAX);
    assert_true(w->ran);
    /* Without the slice the waiter runs only when the chain ends. */
    assert_true(hops_when_waiter_ran >= 0 && hops_when_waiter_ran < CHAIN_MAX / 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runnext_chain_yields_to_local_queue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
