/* test_timers.c - alox_send_after and alox_cancel (core/timers.h): timers
 * fire in the order of their deadlines and not before them, cancel works
 * and says whether the timer had fired, cancel and fire racing each other
 * never both happen (run under TSan too), a pending timer keeps alox_run
 * from returning, a stopped actor's timers are cancelled, and bad targets
 * are dead letters. */
#include "test_util.h"

#include "core/timers.h"

#define ORDER_TIMERS 60
#define RACE_TIMERS (4000 / TEST_SCALE_DOWN)

/* ----- order ----------------------------------------------------------- */

struct recorder {
    int32_t seen[ORDER_TIMERS];
    int32_t count;
    int32_t early; /* fired before its deadline */
};
HANDMADE_ACTOR(recorder)
typedef struct {
    int32_t tag;
    int32_t unused;
    double deadline_s;
} fire_args;
HANDMADE_BEHAVIOUR(recorder, fire, fire_args, "(i32,i32,f64)")
static void fire(struct recorder *self, const fire_args *a) {
    if (test_now_s() < a->deadline_s)
        self->early++;
    self->seen[self->count++] = a->tag;
}

static void test_fire_in_deadline_order(void **state) {
    (void)state;
    struct recorder *r = new_recorder();
    /* Delays 50..79 ms in a scrambled order, each twice: the second of a
     * pair (same delay, set later) must come second. Tag = delay*2+k.
     * The first fires after all are set, even under a sanitizer. */
    double t0 = test_now_s();
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < ORDER_TIMERS / 2; i++) {
            int delay = (i * 7) % (ORDER_TIMERS / 2);
            fire_args args = {delay * 2 + k, 0, t0 + (50 + delay) / 1000.0};
            assert_true(alox_send_after(50 + (uint64_t)delay, r, &fire_desc, &args).id != 0);
        }
    assert_int_equal(timers_pending(), ORDER_TIMERS);
    assert_int_equal(alox_run(), 0);
    assert_int_equal(r->count, ORDER_TIMERS);
    assert_int_equal(r->early, 0);
    for (int i = 1; i < ORDER_TIMERS; i++)
        assert_true(r->seen[i - 1] < r->seen[i]);
    assert_int_equal(timers_pending(), 0);
}

/* ----- a pending timer holds the run ------------------------------------ */

static void test_pending_timer_keeps_run_going(void **state) {
    (void)state;
    struct recorder *r = new_recorder();
    double t0 = test_now_s();
    fire_args args = {1, 0, t0 + 0.15};
    alox_send_after(150, r, &fire_desc, &args);
    assert_int_equal(alox_run(), 0);
    assert_true(test_now_s() - t0 >= 0.15);
    assert_int_equal(r->count, 1);
}

/* ----- cancel ---------------------------------------------------------- */

static void test_cancel(void **state) {
    (void)state;
    struct recorder *r = new_recorder();
    alox_timer timers[20];
    for (int i = 0; i < 20; i++) {
        fire_args args = {i, 0, 0};
        timers[i] = alox_send_after(20 + (uint64_t)i, r, &fire_desc, &args);
    }
    for (int i = 0; i < 20; i += 2)
        assert_true(alox_cancel(timers[i]));
    for (int i = 0; i < 20; i += 2)
        assert_false(alox_cancel(timers[i])); /* once only */
    assert_false(alox_cancel((alox_timer){0}));
    assert_false(alox_cancel((alox_timer){12345}));
    assert_int_equal(timers_pending(), 10);
    assert_int_equal(alox_run(), 0);
    assert_int_equal(r->count, 10);
    for (int i = 0; i < 10; i++)
        assert_int_equal(r->seen[i], 2 * i + 1);
    for (int i = 1; i < 20; i += 2)
        assert_false(alox_cancel(timers[i])); /* fired: too late */
}

/* A cancelled timer's slot is reused; the old id must not cancel the new. */
static void test_old_id_cancels_nothing(void **state) {
    (void)state;
    struct recorder *r = new_recorder();
    fire_args args = {7, 0, 0};
    alox_timer old = alox_send_after(10, r, &fire_desc, &args);
    assert_true(alox_cancel(old));
    alox_timer fresh = alox_send_after(10, r, &fire_desc, &args);
    assert_true(fresh.id != old.id);
    assert_false(alox_cancel(old));
    assert_int_equal(alox_run(), 0);
    assert_int_equal(r->count, 1);
}

/* ----- cancel against fire ---------------------------------------------- */

static _Atomic int fired_flags[RACE_TIMERS];
struct racer {
    int64_t fired;
};
HANDMADE_ACTOR(racer)
typedef struct {
    int32_t index;
} race_args;
HANDMADE_BEHAVIOUR(racer, race_fire, race_args, "(i32)")
static void race_fire(struct racer *self, const race_args *a) {
    self->fired++;
    atomic_fetch_add(&fired_flags[a->index], 1);
}

static void *run_thread(void *unused) {
    (void)unused;
    return (void *)(intptr_t)alox_run();
}

/* Timers of 0-2 ms cancelled after 0-2 ms by a plain thread, while the
 * workers run: each either fired (cancel false) or did not (cancel true),
 * exactly once, never both. */
static void test_cancel_races_fire(void **state) {
    (void)state;
    struct racer *targets[4] = {new_racer(), new_racer(), new_racer(), new_racer()};
    static bool cancelled[RACE_TIMERS];
    alox_hold();
    pthread_t runner;
    pthread_create(&runner, NULL, run_thread, NULL);
    /* Each timer is cancelled LAG timers later, ~0-2 ms after it was set (delays 0-3 ms):
     * about as often before its deadline as after. */
    enum { LAG = 6 };
    static alox_timer set[RACE_TIMERS];
    uint32_t rng = 12345;
    for (int i = 0; i < RACE_TIMERS + LAG; i++) {
        rng = rng * 1103515245u + 12345u;
        if (i < RACE_TIMERS) {
            race_args args = {i};
            set[i] = alox_send_after((rng >> 16) % 4, targets[i % 4], &race_fire_desc, &args);
            usleep((rng >> 8) % 200);
        }
        if (i >= LAG) {
            cancelled[i - LAG] = alox_cancel(set[i - LAG]);
            assert_false(alox_cancel(set[i - LAG])); /* a second cancel never succeeds */
        }
    }
    alox_release();
    void *rc;
    pthread_join(runner, &rc);
    assert_int_equal((intptr_t)rc, 0);
    int fired = 0, cancels = 0;
    for (int i = 0; i < RACE_TIMERS; i++) {
        int f = atomic_load(&fired_flags[i]);
        assert_true(f == 0 || f == 1);
        assert_true(f != (int)cancelled[i]);
        fired += f;
        cancels += cancelled[i];
    }
    print_message("race: %d fired, %d cancelled\n", fired, cancels);
    assert_int_equal(fired + cancels, RACE_TIMERS);
    assert_int_equal(targets[0]->fired + targets[1]->fired + targets[2]->fired + targets[3]->fired,
                     fired);
    assert_int_equal(timers_pending(), 0);
}

/* ----- a stopped actor's timers ----------------------------------------- */

struct quitter {
    int64_t ticks;
};
HANDMADE_ACTOR(quitter)
typedef struct {
    int32_t stop;
} tick_args;
HANDMADE_BEHAVIOUR(quitter, tick, tick_args, "(i32)")
static void tick(struct quitter *self, const tick_args *a) {
    self->ticks++;
    if (a->stop) {
        tick_args later = {0};
        alox_send_after(10000, self, &tick_desc, &later); /* would hold the run 10 s */
        alox_send_after(20000, self, &tick_desc, &later);
        alox_stop(self);
    }
}

static uint64_t dead_before;

static void test_stopped_actor_timers_cancelled(void **state) {
    (void)state;
    struct quitter *q = new_quitter();
    dead_before = alox_dead_letter_count();
    tick_args now = {1};
    send_tick(q, now);
    double t0 = test_now_s();
    assert_int_equal(alox_run(), 0);
    assert_true(test_now_s() - t0 < 2.0);
    assert_int_equal(q->ticks, 1);
    assert_int_equal(timers_pending(), 0);
    assert_int_equal(alox_dead_letter_count(), dead_before); /* cancelled, not dead letters */
}

/* ----- bad targets ------------------------------------------------------ */

static void test_bad_targets_are_dead_letters(void **state) {
    (void)state;
    uint64_t before = alox_dead_letter_count();
    fire_args args = {0, 0, 0};
    assert_true(alox_send_after(5, NULL, &fire_desc, &args).id == 0);
    struct quitter *q = new_quitter(); /* fire is a recorder's behaviour */
    assert_true(alox_send_after(5, q, &fire_desc, &args).id == 0);
    assert_int_equal(alox_dead_letter_count(), before + 2);
    assert_int_equal(timers_pending(), 0);
    assert_int_equal(alox_run(), 0);
}

int main(void) {
    alox_on_dead_letter(NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fire_in_deadline_order),
        cmocka_unit_test(test_pending_timer_keeps_run_going),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_old_id_cancels_nothing),
        cmocka_unit_test(test_cancel_races_fire),
        cmocka_unit_test(test_stopped_actor_timers_cancelled),
        cmocka_unit_test(test_bad_targets_are_dead_letters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
