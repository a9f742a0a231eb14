/* Message pools: blocks are distinct while live, reusable after a free,
 * and may be freed by another thread than the one that allocated them. */
#include "test_util.h"

#include "support/pool.h"

static void test_blocks_are_distinct_and_writable(void **state) {
    (void)state;
    enum { N = 5000 };
    static char *blocks[N];
    for (int i = 0; i < N; i++) {
        size_t size = 16 + (size_t)(i % 300) * 16;
        blocks[i] = pool_alloc(size);
        assert_int_equal((uintptr_t)blocks[i] % 16, 0);
        memset(blocks[i], i & 0xff, size);
    }
    for (int i = 0; i < N; i++) {
        size_t size = 16 + (size_t)(i % 300) * 16;
        for (size_t k = 0; k < size; k++)
            assert_int_equal((unsigned char)blocks[i][k], i & 0xff);
        pool_free(blocks[i], size);
    }
}

#define HANDOFF 200000
static void *_Atomic handoff[1024];

static void *consumer(void *arg) {
    (void)arg;
    for (int i = 0; i < HANDOFF; i++) {
        void *b;
        while (!(b = atomic_exchange(&handoff[i % 1024], NULL)))
            ;
        assert_int_equal(*(int *)b, i);
        pool_free(b, 48);
    }
    return NULL;
}

static void test_cross_thread_free(void **state) {
    (void)state;
    pthread_t t;
    pthread_create(&t, NULL, consumer, NULL);
    for (int i = 0; i < HANDOFF; i++) {
        int *b = pool_alloc(48);
        *b = i;
        while (atomic_load(&handoff[i % 1024]))
            ;
        atomic_store(&handoff[i % 1024], b);
    }
    pthread_join(t, NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks_are_distinct_and_writable),
        cmocka_unit_test(test_cross_thread_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
