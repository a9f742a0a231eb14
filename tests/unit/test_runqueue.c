/* Run queue: owner FIFO, overflow, the owner's pushes and pops of many,
 * and stealing where every actor is taken exactly once. Actors are stand-in pointers: the queue never looks inside. */
#include "test_util.h"

#include "core/runqueue.h"

#define FAKE(i) ((struct actor *)(uintptr_t)(((i) + 1) * 16))
#define INDEX(a) ((uint32_t)((uintptr_t)(a) / 16 - 1))

static void test_fifo_and_full(void **state) {
    (void)state;
    static runqueue q;
    runqueue_init(&q);
    for (uint32_t i = 0; i < RUNQUEUE_SIZE; i++)
        assert_true(runqueue_push(&q, FAKE(i)));
    assert_false(runqueue_push(&q, FAKE(999)));
    assert_int_equal(runqueue_size(&q), RUNQUEUE_SIZE);
    for (uint32_t i = 0; i < RUNQUEUE_SIZE; i++)
        assert_ptr_equal(runqueue_pop(&q), FAKE(i));
    assert_null(runqueue_pop(&q));
}

static void test_steal_takes_half(void **state) {
    (void)state;
    static runqueue q;
    struct actor *out[RUNQUEUE_SIZE];
    runqueue_init(&q);
    for (uint32_t i = 0; i < 10; i++)
        runqueue_push(&q, FAKE(i));
    assert_int_equal(runqueue_steal(&q, out, RUNQUEUE_SIZE), 5);
    for (uint32_t i = 0; i < 5; i++)
        assert_ptr_equal(out[i], FAKE(i)); /* oldest first */
    assert_ptr_equal(runqueue_pop(&q), FAKE(5));
}

static void test_many_at_once(void **state) {
    (void)state;
    static runqueue q;
    struct actor *in[RUNQUEUE_SIZE + 8], *out[RUNQUEUE_SIZE];
    runqueue_init(&q);
    for (uint32_t i = 0; i < RUNQUEUE_SIZE + 8; i++)
        in[i] = FAKE(i);
    assert_int_equal(runqueue_push_many(&q, in, 10), 10);
    assert_int_equal(runqueue_pop_many(&q, out, 4), 4); /* at most max, oldest first */
    for (uint32_t i = 0; i < 4; i++)
        assert_ptr_equal(out[i], FAKE(i));
    /* 6 queued: only RUNQUEUE_SIZE - 6 more fit, in order after them */
    assert_int_equal(runqueue_push_many(&q, in + 10, RUNQUEUE_SIZE), RUNQUEUE_SIZE - 6);
    assert_false(runqueue_push(&q, FAKE(999)));
    assert_int_equal(runqueue_pop_many(&q, out, RUNQUEUE_SIZE), RUNQUEUE_SIZE); /* across the ring's end */
    for (uint32_t i = 0; i < 6; i++)
        assert_ptr_equal(out[i], FAKE(4 + i));
    for (uint32_t i = 6; i < RUNQUEUE_SIZE; i++)
        assert_ptr_equal(out[i], FAKE(10 + i - 6));
    assert_int_equal(runqueue_pop_many(&q, out, RUNQUEUE_SIZE), 0);
    assert_null(runqueue_pop(&q));
}

#define ITEMS 400000
#define THIEVES 3

static runqueue contested;
static _Atomic uint8_t *taken;
static _Atomic bool owner_done;

static void take(struct actor *a) {
    uint8_t before = atomic_fetch_add(&taken[INDEX(a)], 1);
    assert_int_equal(before, 0);
}

static void *thief(void *arg) {
    (void)arg;
    struct actor *out[RUNQUEUE_SIZE / 2];
    while (!atomic_load(&owner_done) || runqueue_size(&contested) > 0) {
        uint32_t n = runqueue_steal(&contested, out, RUNQUEUE_SIZE / 2);
        for (uint32_t i = 0; i < n; i++)
            take(out[i]);
    }
    return NULL;
}

static void test_concurrent_owner_and_thieves(void **state) {
    (void)state;
    runqueue_init(&contested);
    taken = calloc(ITEMS, 1);
    pthread_t t[THIEVES];
    for (int i = 0; i < THIEVES; i++)
        pthread_create(&t[i], NULL, thief, NULL);
    for (uint32_t i = 0; i < ITEMS; i++) {
        while (!runqueue_push(&contested, FAKE(i))) { /* full: half of it at once, as an overflow */
            struct actor *out[RUNQUEUE_SIZE / 2];
            uint32_t n = runqueue_pop_many(&contested, out, RUNQUEUE_SIZE / 2);
            for (uint32_t k = 0; k < n; k++)
                take(out[k]);
        }
        if (i % 3 == 0) {
            struct actor *a = runqueue_pop(&contested);
            if (a)
                take(a);
        }
    }
    atomic_store(&owner_done, true);
    for (struct actor *a; (a = runqueue_pop(&contested));)
        take(a);
    for (int i = 0; i < THIEVES; i++)
        pthread_join(t[i], NULL);
    for (uint32_t i = 0; i < ITEMS; i++)
        assert_int_equal(atomic_load(&taken[i]), 1);
    free((void *)taken);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_and_full),
        cmocka_unit_test(test_steal_takes_half),
        cmocka_unit_test(test_many_at_once),
        cmocka_unit_test(test_concurrent_owner_and_thieves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
