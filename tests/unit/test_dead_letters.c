/* Invariant (g) and friends: messages to a stopped actor, to NULL, or of
 * another actor type's behaviour reach the dead-letter handler with the
 * reason, are counted, and never crash a worker. */
#include "test_util.h"

struct mortal { int64_t handled; };
struct other { int64_t unused; };
HANDMADE_ACTOR(mortal)
HANDMADE_ACTOR(other)
typedef struct { int32_t stop; int32_t value; } poke_args;
HANDMADE_BEHAVIOUR(mortal, poke, poke_args, "(i32,i32)")
typedef struct { int32_t value; } nudge_args;
HANDMADE_BEHAVIOUR(other, nudge, nudge_args, "(i32)")
typedef struct { int32_t more; struct mortal *to; } later_args;
HANDMADE_BEHAVIOUR(other, later, later_args, "(i32,@mortal)")

static void nudge(struct other *self, const nudge_args *a) { (void)self, (void)a; }

static int64_t pokes_handled; /* not in the actor: a stopped actor's memory goes back */

static void poke(struct mortal *self, const poke_args *a) {
    self->handled++;
    pokes_handled++;
    if (a->stop == 2)
        alox_stop(NULL); /* refused: not this actor */
    else if (a->stop)
        alox_stop(self);
}

static void later(struct other *self, const later_args *a) {
    (void)self;
    for (int i = 0; i < a->more; i++)
        send_poke(a->to, (poke_args){0, 1000 + i});
}

static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static int seen[16];
static int64_t value_sum;
static uint64_t last_target;

static void record(const alox_dead_letter *letter) {
    pthread_mutex_lock(&seen_lock);
    seen[letter->reason]++;
    if (letter->args_size == sizeof(poke_args))
        value_sum += ((const poke_args *)letter->args)->value;
    last_target = letter->target_id;
    pthread_mutex_unlock(&seen_lock);
}

static void test_stopped_actor(void **state) {
    (void)state;
    memset(seen, 0, sizeof seen);
    value_sum = 0;
    alox_on_dead_letter(record);
    uint64_t before = alox_dead_letter_count();
    struct mortal *m = new_mortal();
    uint64_t m_id = alox_id(m);
    pokes_handled = 0;
    send_poke(m, (poke_args){0, 0});
    send_poke(m, (poke_args){1, 0}); /* stops after this one */
    for (int i = 0; i < 10; i++)
        send_poke(m, (poke_args){0, i}); /* queued behind the stop */
    send_later(new_other(), (later_args){5, m});
    assert_int_equal(alox_run(), 0);
    assert_int_equal(pokes_handled, 2);
    assert_int_equal(seen[ALOX_DEAD_STOPPED], 15);
    assert_int_equal(value_sum, 45 + 1000 * 5 + 10);
    assert_int_equal(last_target, m_id);
    assert_int_equal(alox_dead_letter_count() - before, 15);
    /* And after the run, too. */
    send_poke(m, (poke_args){0, 0});
    assert_int_equal(alox_run(), 0);
    assert_int_equal(seen[ALOX_DEAD_STOPPED], 16);
    alox_on_dead_letter(NULL);
}

static void test_null_target(void **state) {
    (void)state;
    memset(seen, 0, sizeof seen);
    alox_on_dead_letter(record);
    send_poke(NULL, (poke_args){0, 0});
    send_later(new_other(), (later_args){3, NULL}); /* from inside a worker */
    assert_int_equal(alox_run(), 0);
    assert_int_equal(seen[ALOX_DEAD_NULL_TARGET], 4);
    assert_int_equal(last_target, 0);
    alox_on_dead_letter(NULL);
}

static void test_behaviour_of_another_type(void **state) {
    (void)state;
    memset(seen, 0, sizeof seen);
    alox_on_dead_letter(record);
    struct mortal *m = new_mortal();
    alox_send(m, &nudge_desc, &(nudge_args){1}); /* as a bad cast would */
    assert_int_equal(alox_run(), 0);
    assert_int_equal(seen[ALOX_DEAD_UNKNOWN_BEHAVIOUR], 1);
    assert_int_equal(m->handled, 0);
    alox_on_dead_letter(NULL);
}

static void send_to_null_with_default_handler(void *arg) {
    (void)arg;
    uint64_t before = alox_dead_letter_count(); /* inherited from the parent */
    send_poke(NULL, (poke_args){0, 0});
    _exit(alox_run() == 0 && alox_dead_letter_count() == before + 1 ? 0 : 1);
}

static void test_default_handler_prints_the_reason(void **state) {
    (void)state;
    char out[1024];
    int status = test_run_child(send_to_null_with_default_handler, NULL, out, sizeof out);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_non_null(strstr(out, "dead letter: mortal.poke"));
    assert_non_null(strstr(out, "target is NULL"));
}

static void stop_someone_else(void *arg) {
    (void)arg;
    alox_stop(new_mortal());
}

static void test_stop_outside_behaviour_is_refused(void **state) {
    (void)state;
    char out[1024];
    test_run_child(stop_someone_else, NULL, out, sizeof out);
    assert_non_null(strstr(out, "an actor can only stop itself"));
}

static void stop_null_inside_behaviour(void *arg) {
    (void)arg;
    struct mortal *m = new_mortal();
    pokes_handled = 0;
    uint64_t before = alox_dead_letter_count();
    send_poke(m, (poke_args){2, 0});
    send_poke(m, (poke_args){0, 0}); /* delivered: the stop was refused */
    _exit(alox_run() == 0 && pokes_handled == 2 && alox_dead_letter_count() == before ? 0 : 1);
}

/* alox_stop(NULL) inside a behaviour stops nothing (alox_stop has no test
 * of NULL of its own: NULL is never the current actor). */
static void test_stop_null_is_refused(void **state) {
    (void)state;
    char out[1024];
    int status = test_run_child(stop_null_inside_behaviour, NULL, out, sizeof out);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_non_null(strstr(out, "an actor can only stop itself"));
}

int main(void) {
    /* A child is forked after alox_run has run (test_run_child): without
     * the observer thread of alox top the process is single-threaded then,
     * which ThreadSanitizer needs to follow a fork. */
    setenv("ALOX_TOP", "0", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stopped_actor),
        cmocka_unit_test(test_null_target),
        cmocka_unit_test(test_behaviour_of_another_type),
        cmocka_unit_test(test_default_handler_prints_the_reason),
        cmocka_unit_test(test_stop_outside_behaviour_is_refused),
        cmocka_unit_test(test_stop_null_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
