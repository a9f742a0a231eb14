/* Fairness of the worker loop (core/worker.h): an endless run-next chain
 * (ping-pong) gets a time slice, then goes behind the actors waiting in
 * the same worker's local queue, so they run. One worker, so nothing can
 * be stolen and only the slice can let the waiting actor in. Bounded: the
 * chain stops by itself after CHAIN_MAX hops if the waiter never ran. */
#include <stdatomic.h>

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

/* A tree of spawns unfolds depth first (worker.h, the stack of children):
 * counted from spawn to stop, few of its nodes are alive at once. Breadth
 * first, every leaf would be spawned before the first one ends. */
#define TREE_DEPTH 5 /* 10^5 leaves, 111,111 nodes */
#define TREE_ALIVE_MAX 1000 /* depth first: ~6 levels x 10 siblings */
/* Two workers: each unfolds its own subtrees depth first (~100 seen for
 * skynet's 7 levels); before the owner gave back the subtree roots it had
 * offered to thieves, 5,000-22,000 (worker.c, give_back_offered). */
#define TREE_ALIVE_MAX_TWO 400

struct node { struct node *parent; int got; };
HANDMADE_ACTOR(node)
typedef struct { int depth; struct node *parent; } grow_args;
HANDMADE_BEHAVIOUR(node, grow, grow_args, "(i32,ptr)")
typedef struct { int64_t unused; } report_args;
HANDMADE_BEHAVIOUR(node, report, report_args, "(i64)")

/* Relaxed: counts; alox_run's return orders them before the asserts. */
static _Atomic int64_t tree_alive, tree_alive_max, tree_done;

static void tree_count_spawn(void) {
    int64_t now = atomic_fetch_add_explicit(&tree_alive, 1, memory_order_relaxed) + 1;
    int64_t max = atomic_load_explicit(&tree_alive_max, memory_order_relaxed);
    while (now > max && !atomic_compare_exchange_weak_explicit(&tree_alive_max, &max, now, memory_order_relaxed,
                                                               memory_order_relaxed))
        ;
}

static void node_end(struct node *self) {
    if (self->parent)
        send_report(self->parent, (report_args){0});
    else
        tree_done = 1;
    atomic_fetch_sub_explicit(&tree_alive, 1, memory_order_relaxed);
    alox_stop(self);
}

static void grow(struct node *self, const grow_args *a) {
    self->parent = a->parent;
    if (a->depth == 0) {
        node_end(self);
        return;
    }
    for (int i = 0; i < 10; i++) {
        tree_count_spawn();
        send_grow(new_node(), (grow_args){a->depth - 1, self});
    }
}

static void report(struct node *self, const report_args *a) {
    (void)a;
    if (++self->got == 10)
        node_end(self);
}

static int64_t unfold_tree(int threads) {
    alarm(TIME_BOUND_S);
    assert_int_equal(alox_set_threads(threads), 0);
    tree_alive = tree_alive_max = 1;
    tree_done = 0;
    send_grow(new_node(), (grow_args){TREE_DEPTH, NULL});
    assert_int_equal(alox_run(), 0);
    alarm(0);
    assert_int_equal(tree_done, 1);
    assert_int_equal(tree_alive, 0);
    printf("tree of %d levels, %d worker(s): at most %lld nodes alive at once\n", TREE_DEPTH, threads,
           (long long)tree_alive_max);
    return tree_alive_max;
}

static void test_tree_unfolds_depth_first(void **state) {
    (void)state;
    assert_true(unfold_tree(1) < TREE_ALIVE_MAX);
}

/* With two workers the idle one is offered the oldest child, the root of
 * the largest subtree (worker.c push_fresh); the owner must not start it
 * itself at its local-queue check, or the tree unfolds breadth first while
 * the thief is slow to wake. Several trees: the thief's timing varies. */
static void test_tree_unfolds_depth_first_on_two_workers(void **state) {
    (void)state;
    int64_t worst = 0;
    for (int i = 0; i < 5; i++) {
        int64_t alive = unfold_tree(2);
        worst = alive > worst ? alive : worst;
    }
    assert_true(worst < TREE_ALIVE_MAX_TWO);
}

/* A forest that keeps growing keeps children on the stack for ever; an
 * actor waiting in the local queue still runs (LOCAL_CHECK_INTERVAL), long
 * before the forest stops by itself at FOREST_CAP spawns. Every chain of
 * run-next takes is short here, so the time slice does not let it in. */
#define FOREST_CAP (1000000 / TEST_SCALE_DOWN)
#define FOREST_HEIGHT 6

struct tree { int unused; };
HANDMADE_ACTOR(tree)
typedef struct { int depth; } sprout_args;
HANDMADE_BEHAVIOUR(tree, sprout, sprout_args, "(i32)")
struct starter { struct waiter *w; };
HANDMADE_ACTOR(starter)
typedef struct { struct waiter *w; } plant_args;
HANDMADE_BEHAVIOUR(starter, plant, plant_args, "(ptr)")
struct sleeper { int wakes; };
HANDMADE_ACTOR(sleeper)
typedef struct { int64_t unused; } nudge_args;
HANDMADE_BEHAVIOUR(sleeper, nudge, nudge_args, "(i64)")

static int64_t forest_spawned, spawned_when_nudged = -1;

static void nudge(struct sleeper *self, const nudge_args *a) {
    (void)a;
    if (++self->wakes == 2) /* the first made it an actor that has run */
        spawned_when_nudged = forest_spawned;
}

static void sprout(struct tree *self, const sprout_args *a) {
    alox_stop(self);
    if (forest_spawned >= FOREST_CAP || a->depth == FOREST_HEIGHT)
        return;
    if (a->depth == 0) { /* the next root first: it waits under this subtree */
        forest_spawned++;
        send_sprout(new_tree(), (sprout_args){0});
    }
    for (int i = 0; i < 2; i++) {
        forest_spawned++;
        send_sprout(new_tree(), (sprout_args){a->depth + 1});
    }
}

static struct sleeper *the_sleeper;

static void plant(struct starter *self, const plant_args *a) {
    (void)self;
    (void)a;
    send_nudge(the_sleeper, (nudge_args){0}); /* to runnext, then displaced: the local queue */
    send_sprout(new_tree(), (sprout_args){0});
}

static void test_growing_tree_yields_to_local_queue(void **state) {
    (void)state;
    alarm(TIME_BOUND_S);
    assert_int_equal(alox_set_threads(1), 0);
    the_sleeper = new_sleeper();
    send_nudge(the_sleeper, (nudge_args){0});
    assert_int_equal(alox_run(), 0);
    send_plant(new_starter(), (plant_args){NULL});
    assert_int_equal(alox_run(), 0);
    printf("forest: the waiting actor ran after %lld of %d spawns\n", (long long)spawned_when_nudged,
           FOREST_CAP);
    assert_true(spawned_when_nudged >= 0);
    assert_true(spawned_when_nudged < FOREST_CAP / 10);
}

/* The run-next slot is stealable (core/runnext.h): a behaviour that sends
 * one message and then computes for HOG_MS keeps the receiver in its
 * worker's run-next slot; with a second worker idle (parked since the
 * start), the receiver must run within RECEIVER_BOUND_MS of the send, not
 * after the computation. Run twice: a receiver that has run before, and
 * one that never ran (a child, which a displacement would put on the
 * stack of children). */
#define HOG_MS 500
#define RECEIVER_BOUND_MS 50

struct receiver { int ran; };
HANDMADE_ACTOR(receiver)
typedef struct { int64_t unused; } poke_args;
HANDMADE_BEHAVIOUR(receiver, poke, poke_args, "(i64)")

struct hog { int unused; };
HANDMADE_ACTOR(hog)
typedef struct { struct receiver *to; } hog_args;
HANDMADE_BEHAVIOUR(hog, compute, hog_args, "(ptr)")

/* Seconds (test_now_s); written by one behaviour each, read after alox_run. */
static _Atomic double hog_sent_at, receiver_ran_at, hog_done_at;

static void poke(struct receiver *self, const poke_args *a) {
    (void)a;
    self->ran++;
    if (receiver_ran_at == 0)
        receiver_ran_at = test_now_s();
}

static void compute(struct hog *self, const hog_args *a) {
    (void)self;
    hog_sent_at = test_now_s();
    send_poke(a->to, (poke_args){0});
    while (test_now_s() - hog_sent_at < HOG_MS / 1e3)
        ; /* computes: no send, no return */
    hog_done_at = test_now_s();
}

static double receiver_wait_ms(struct receiver *r) {
    receiver_ran_at = hog_sent_at = hog_done_at = 0;
    send_compute(new_hog(), (hog_args){r});
    assert_int_equal(alox_run(), 0);
    assert_true(receiver_ran_at > 0 && hog_done_at > 0);
    return (receiver_ran_at - hog_sent_at) * 1e3;
}

static void test_runnext_is_stolen_from_a_busy_worker(void **state) {
    (void)state;
    alarm(TIME_BOUND_S);
    assert_int_equal(alox_set_threads(2), 0);
    struct receiver *old = new_receiver();
    send_poke(old, (poke_args){0});
    assert_int_equal(alox_run(), 0); /* it has run: a send queues it FIFO */
    double fresh = receiver_wait_ms(new_receiver());
    double ran_before = receiver_wait_ms(old);
    alarm(0);
    printf("the receiver ran %.2f ms (one that ran before) and %.2f ms (a child) after the send; "
           "the sender computed %d ms\n", ran_before, fresh, HOG_MS);
    assert_true(ran_before < RECEIVER_BOUND_MS);
    assert_true(fresh < RECEIVER_BOUND_MS);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runnext_chain_yields_to_local_queue),
        cmocka_unit_test(test_tree_unfolds_depth_first),
        cmocka_unit_test(test_tree_unfolds_depth_first_on_two_workers),
        cmocka_unit_test(test_growing_tree_yields_to_local_queue),
        cmocka_unit_test(test_runnext_is_stolen_from_a_busy_worker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
