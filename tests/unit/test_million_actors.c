/* Invariant (h): 1,000,000 actors spawned and messaged, all complete. The
 * actors are spawned by actors (on the workers) and from main. */
#include "test_util.h"

#define ACTORS 1000000
#define SPAWNERS 100

struct cell { int64_t value; };
struct spawner { int64_t unused; };
struct sink { int64_t done; int64_t sum; };
HANDMADE_ACTOR(cell)
HANDMADE_ACTOR(spawner)
HANDMADE_ACTOR(sink)
typedef struct { int64_t value; struct sink *report; } set_args;
typedef struct { int64_t first, count; struct sink *report; } spawn_args;
typedef struct { int64_t value; } done_args;
HANDMADE_BEHAVIOUR(cell, set, set_args, "(i64,@sink)")
HANDMADE_BEHAVIOUR(spawner, spawn, spawn_args, "(i64,i64,@sink)")
HANDMADE_BEHAVIOUR(sink, done, done_args, "(i64)")

static void set(struct cell *self, const set_args *a) {
    self->value = a->value;
    send_done(a->report, (done_args){a->value});
}

static void spawn(struct spawner *self, const spawn_args *a) {
    (void)self;
    for (int64_t i = 0; i < a->count; i++)
        send_set(new_cell(), (set_args){a->first + i, a->report});
}

static void done(struct sink *self, const done_args *a) {
    self->done++;
    self->sum += a->value;
}

static void test_million_actors_complete(void **state) {
    (void)state;
    struct sink *s = new_sink();
    int64_t per = ACTORS / SPAWNERS;
    for (int64_t i = 0; i < SPAWNERS; i++)
        send_spawn(new_spawner(), (spawn_args){i * per, per, s});
    assert_int_equal(alox_run(), 0);
    assert_int_equal(s->done, ACTORS);
    assert_int_equal(s->sum, (int64_t)ACTORS * (ACTORS - 1) / 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_million_actors_complete)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
