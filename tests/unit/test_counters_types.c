/* test_counters_types.c - the per-type spawn and stop counts stay exact
 * where they are kept cheaply (core/counters.h): spawns in the thread's
 * type cache entries (type_number.h), which change type when two types
 * share an entry and must hand their counts over first; stops in plain
 * words of a worker record, which count only once published, past
 * COUNTERS_TYPES into the totals;
 * and both survive their thread's exit. 80 types: more than the cache's
 * 32 entries (descriptors 40 bytes apart share entries) and the 64
 * tallies. The counting points are called directly, as actor.c calls
 * them, on fake descriptors that the counters never dereference. */
#include "test_util.h"

#include <pthread.h>

#include "core/counters.h"
#include "core/type_number.h"

#define TYPES 80
#define ROUNDS 7 /* spawns of type i per round: 1 + i % 3 */

static alox_type_desc types[TYPES];
static _Thread_local counters_stop_words stops; /* a worker record's, as run_actor counts them */

static uint64_t spawns_of(int i) { return (uint64_t)ROUNDS * (1 + i % 3); }
static uint64_t stops_of(int i) { return (uint64_t)(i % 4); }

/* Round-robin over the types, so entries keep changing hands. */
static void *spawn_and_stop(void *unused) {
    (void)unused;
    for (int r = 0; r < ROUNDS; r++)
        for (int i = 0; i < TYPES; i++)
            for (int k = 0; k < 1 + i % 3; k++)
                counters_spawned(type_number_entry_of(&types[i]));
    for (int i = 0; i < TYPES; i++)
        for (uint64_t k = 0; k < stops_of(i); k++)
            counters_stopped(stops, NULL, type_number_entry_number(type_number_entry_of(&types[i]))); /* numbered: no actor read */
    counters_publish_stops(stops); /* as a worker or a guest does at its end */
    return NULL;
}

static const counters_type_view *view_of(const counters_view *v, const alox_type_desc *t) {
    for (size_t i = 0; i < v->type_count; i++)
        if (v->types[i].type == t)
            return &v->types[i];
    return NULL;
}

static void expect_counts(uint64_t times) {
    counters_view v;
    assert_true(counters_read(&v));
    for (int i = 0; i < TYPES; i++) {
        const counters_type_view *t = view_of(&v, &types[i]);
        assert_non_null(t);
        if (t->spawned != times * spawns_of(i) || t->stopped != times * stops_of(i))
            fail_msg("type %d: spawned %llu stopped %llu, want %llu and %llu", i,
                     (unsigned long long)t->spawned, (unsigned long long)t->stopped,
                     (unsigned long long)(times * spawns_of(i)), (unsigned long long)(times * stops_of(i)));
    }
    counters_view_free(&v);
}

static void exact_on_a_live_thread_and_after_its_exit(void **state) {
    (void)state;
    for (int i = 0; i < TYPES; i++)
        types[i].name = "fake";
    spawn_and_stop(NULL); /* this thread: counted and published */
    expect_counts(1);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, spawn_and_stop, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), 0); /* its exit folds what it counted */
    expect_counts(2);
}

/* A worker publishes its stops only when the reclamation's pending list
 * says actors stopped since it last did (counters_stops_since): an actor
 * still pending, or pending emptied since (its moves counted). */
static void stops_are_published_when_actors_were_retired(void **state) {
    (void)state;
    uint32_t seen = 0;
    assert_false(counters_stops_since(&seen, 0, 0)); /* nothing retired, nothing moved */
    assert_true(counters_stops_since(&seen, 3, 0));  /* retired, still pending */
    assert_true(counters_stops_since(&seen, 0, 1));  /* retired and moved on since */
    assert_int_equal(seen, 1);
    assert_false(counters_stops_since(&seen, 0, 1)); /* and no more since then */
    assert_true(counters_stops_since(&seen, 0, 2));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_on_a_live_thread_and_after_its_exit),
        cmocka_unit_test(stops_are_published_when_actors_were_retired),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
