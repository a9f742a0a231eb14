/* Invariants (e) and (f): alox_run returns when a cascade of sends ends,
 * and not before; alox_exit(code) makes alox_run return that code, with
 * unfinished work kept for a later alox_run. */
#include "test_util.h"

struct node { int64_t unused; };
struct tally { int64_t leaves; };
HANDMADE_ACTOR(node)
HANDMADE_ACTOR(tally)
typedef struct { int32_t depth; struct tally *to; } spread_args;
typedef struct { int32_t one; } leaf_args;
HANDMADE_BEHAVIOUR(node, spread, spread_args, "(i32,@tally)")
HANDMADE_BEHAVIOUR(tally, leaf, leaf_args, "(i32)")

static void leaf(struct tally *self, const leaf_args *a) { self->leaves += a->one; }

/* Each node spawns four children until depth 0: 4^depth leaves. */
static void spread(struct node *self, const spread_args *a) {
    (void)self;
    if (a->depth == 0) {
        send_leaf(a->to, (leaf_args){1});
        return;
    }
    for (int i = 0; i < 4; i++)
        send_spread(new_node(), (spread_args){a->depth - 1, a->to});
}

static void test_returns_after_cascade(void **state) {
    (void)state;
    struct tally *t = new_tally();
    send_spread(new_node(), (spread_args){8, t}); /* 65536 leaves, 87381 nodes */
    assert_int_equal(alox_run(), 0);
    assert_int_equal(t->leaves, 65536);
}

/* A chain of slow behaviours: alox_run must wait for each, although most
 * of the time every queue is empty and a worker is busy sleeping. */
struct sleeper { int64_t steps; };
HANDMADE_ACTOR(sleeper)
typedef struct { int32_t left; } nap_args;
HANDMADE_BEHAVIOUR(sleeper, nap, nap_args, "(i32)")
static void nap(struct sleeper *self, const nap_args *a) {
    usleep(20 * 1000);
    self->steps++;
    if (a->left > 0)
        send_nap(self, (nap_args){a->left - 1});
}

static void test_not_before_the_last_behaviour(void **state) {
    (void)state;
    struct sleeper *s = new_sleeper();
    send_nap(s, (nap_args){9});
    double t0 = test_now_s();
    assert_int_equal(alox_run(), 0);
    assert_int_equal(s->steps, 10);
    assert_true(test_now_s() - t0 >= 0.19);
}

static void test_returns_at_once_with_nothing_to_do(void **state) {
    (void)state;
    assert_int_equal(alox_run(), 0);
}

/* (f) alox_exit: the code comes back, and what was still queued is kept. */
struct looper { int64_t turns; };
HANDMADE_ACTOR(looper)
typedef struct { int32_t exit_at; } turn_args;
HANDMADE_BEHAVIOUR(looper, turn, turn_args, "(i32)")
static void turn(struct looper *self, const turn_args *a) {
    self->turns++;
    if (self->turns == a->exit_at)
        alox_exit(42);
    if (self->turns < 1000)
        send_turn(self, *a);
}

static void test_exit_code_and_resume(void **state) {
    (void)state;
    struct looper *l = new_looper();
    send_turn(l, (turn_args){100});
    assert_int_equal(alox_run(), 42);
    assert_true(l->turns >= 100 && l->turns < 1000);
    assert_int_equal(alox_run(), 0); /* the rest of the loop runs now */
    assert_int_equal(l->turns, 1000);
}

static void test_exit_before_run(void **state) {
    (void)state;
    alox_exit(7);
    assert_int_equal(alox_run(), 7);
    assert_int_equal(alox_run(), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_returns_after_cascade),
        cmocka_unit_test(test_not_before_the_last_behaviour),
        cmocka_unit_test(test_returns_at_once_with_nothing_to_do),
        cmocka_unit_test(test_exit_code_and_resume),
        cmocka_unit_test(test_exit_before_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
