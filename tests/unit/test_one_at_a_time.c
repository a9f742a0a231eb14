/* Invariant (a): one behaviour at a time per actor, with many producers
 * (actors on every worker and plain threads) hammering one target. */
#include "test_util.h"

struct target {
    _Atomic int inside; /* set while a behaviour runs: must never be seen set */
    int64_t handled;    /* plain on purpose: TSan flags concurrent behaviours */
    int64_t overlaps;
};
struct producer { int64_t unused; };
HANDMADE_ACTOR(target)
HANDMADE_ACTOR(producer)

typedef struct { int32_t work; } hit_args;
typedef struct { int32_t count; struct target *to; } produce_args;
HANDMADE_BEHAVIOUR(target, hit, hit_args, "(i32)")
HANDMADE_BEHAVIOUR(producer, produce, produce_args, "(i32,@target)")

static volatile int sink;

static void hit(struct target *self, const hit_args *a) {
    if (atomic_exchange(&self->inside, 1) != 0)
        self->overlaps++;
    for (int i = 0; i < a->work; i++) /* widen the window for an overlap */
        sink = i;
    self->handled++;
    atomic_store(&self->inside, 0);
}

static void produce(struct producer *self, const produce_args *a) {
    (void)self;
    for (int i = 0; i < a->count; i++)
        send_hit(a->to, (hit_args){i % 7 * 10});
}

#define PRODUCER_ACTORS 16
#define THREADS 4
#define PER_PRODUCER (20000 / TEST_SCALE_DOWN)

static struct target *the_target;

static void *thread_producer(void *arg) {
    (void)arg;
    for (int i = 0; i < PER_PRODUCER; i++)
        send_hit(the_target, (hit_args){i % 5 * 10});
    alox_release();
    return NULL;
}

static void test_one_behaviour_at_a_time(void **state) {
    (void)state;
    char *argv[] = {"test", "--alox-threads", "4", NULL};
    int argc = 3;
    alox_init(&argc, argv);
    the_target = new_target();
    for (int i = 0; i < PRODUCER_ACTORS; i++)
        send_produce(new_producer(), (produce_args){PER_PRODUCER, the_target});
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        alox_hold();
        pthread_create(&threads[i], NULL, thread_producer, NULL);
    }
    assert_int_equal(alox_run(), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    assert_int_equal(the_target->overlaps, 0);
    assert_int_equal(the_target->handled, (int64_t)(PRODUCER_ACTORS + THREADS) * PER_PRODUCER);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_one_behaviour_at_a_time)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
