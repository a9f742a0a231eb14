/* Invariants (c) and (d): 8 plain producer threads (not workers) send
 * 1,000,000 messages each; every message is counted exactly once. */
#include "test_util.h"

#define PRODUCERS 8
#define PER_PRODUCER (1000000 / TEST_SCALE_DOWN)
#define COUNTERS 64
#define TOTAL ((int64_t)PRODUCERS * PER_PRODUCER)
#define SLOTS_PER_COUNTER (TOTAL / COUNTERS + 1)

struct counter {
    uint8_t *seen; /* one byte per message routed here */
    int64_t count, duplicates;
};
HANDMADE_ACTOR(counter)
typedef struct { int64_t id; } count_args;
HANDMADE_BEHAVIOUR(counter, count, count_args, "(i64)")

static void count(struct counter *self, const count_args *a) {
    uint8_t *slot = &self->seen[a->id / COUNTERS];
    if (*slot)
        self->duplicates++;
    *slot = 1;
    self->count++;
}

static struct counter *counters[COUNTERS];

static void *producer(void *arg) {
    int64_t p = (intptr_t)arg;
    for (int64_t i = 0; i < PER_PRODUCER; i++) {
        int64_t id = p * PER_PRODUCER + i;
        send_count(counters[id % COUNTERS], (count_args){id});
    }
    alox_release();
    return NULL;
}

static void test_every_message_counted_once(void **state) {
    (void)state;
    for (int i = 0; i < COUNTERS; i++) {
        counters[i] = new_counter();
        counters[i]->seen = calloc(SLOTS_PER_COUNTER, 1);
    }
    pthread_t threads[PRODUCERS];
    for (intptr_t p = 0; p < PRODUCERS; p++) {
        alox_hold();
        pthread_create(&threads[p], NULL, producer, (void *)p);
    }
    assert_int_equal(alox_run(), 0);
    for (int p = 0; p < PRODUCERS; p++)
        pthread_join(threads[p], NULL);
    int64_t total = 0;
    for (int i = 0; i < COUNTERS; i++) {
        assert_int_equal(counters[i]->duplicates, 0);
        total += counters[i]->count;
        for (int64_t s = 0; s < TOTAL / COUNTERS; s++)
            assert_int_equal(counters[i]->seen[s], 1);
        free(counters[i]->seen);
    }
    assert_int_equal(total, TOTAL);
}

/* (d) A plain thread sends while the runtime runs, and alox_run waits for
 * it through alox_hold / alox_release. */
static void *late_sender(void *arg) {
    (void)arg;
    usleep(100 * 1000); /* the workers are parked by now */
    send_count(counters[0], (count_args){0});
    alox_release();
    return NULL;
}

static void test_send_from_plain_thread_while_idle(void **state) {
    (void)state;
    counters[0] = new_counter();
    counters[0]->seen = calloc(1, 1);
    alox_hold();
    pthread_t t;
    pthread_create(&t, NULL, late_sender, NULL);
    assert_int_equal(alox_run(), 0);
    pthread_join(t, NULL);
    assert_int_equal(counters[0]->count, 1);
    free(counters[0]->seen);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_message_counted_once),
        cmocka_unit_test(test_send_from_plain_thread_while_idle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
