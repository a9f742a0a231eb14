/* Pools give memory back (issue 14, item 2): after a burst of queued
 * messages drains, the chunks that held them return to the kernel, and
 * RSS comes back within 2x of what it was before the burst. (The full
 * 30-million-message figure is bench/lifetime/burst.c; this is its
 * bounded twin.) */
#include "test_util.h"

#include "support/pool.h"

struct sink { int64_t count; int64_t sum; };
HANDMADE_ACTOR(sink)
typedef struct { int64_t value; } take_args;
HANDMADE_BEHAVIOUR(sink, take, take_args, "(i64)")

static void take(struct sink *self, const take_args *a) {
    self->count++;
    self->sum += a->value;
}

static long rss_kib(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void burst(struct sink *s, long n) {
    for (long i = 0; i < n; i++)
        send_take(s, (take_args){i}); /* from outside: all queued before the run */
    assert_int_equal(alox_run(), 0);
    assert_int_equal(s->count, n);
}

static void test_burst_memory_returns(void **state) {
    (void)state;
    const long n = 3000000 / TEST_SCALE_DOWN; /* 96 MB of 32-byte messages */
    struct sink *s = new_sink();
    burst(s, 1000); /* warm: threads, pools, the first chunks */
    s->count = 0;
    long before = rss_kib();
    uint64_t returned_before = pool_returned_bytes();
    for (long i = 0; i < n; i++)
        send_take(s, (take_args){i});
    long peak = rss_kib();
    assert_int_equal(alox_run(), 0);
    assert_int_equal(s->count, n);
    long after = rss_kib();
    uint64_t returned = pool_returned_bytes() - returned_before;
    print_message("RSS %ld KiB before, %ld KiB with %ld messages queued, %ld KiB after they ran; "
                  "%llu KiB of pool chunks given back\n",
                  before, peak, n, after, (unsigned long long)returned / 1024);
#ifndef POOL_PASSTHROUGH /* under ASan the pools are malloc */
    /* A trim waits until the free lists doubled since the last: under
     * TSan's slow, interleaved drain up to half may wait for the next. */
    assert_true(returned >= (uint64_t)n * 32 * (TEST_SCALE_DOWN == 1 ? 9 : 5) / 10);
#endif
#if TEST_SCALE_DOWN == 1 /* the sanitizers' shadow memory is in RSS too */
    assert_true(peak > before + n * 32 / 1024 / 2);
    assert_true(after <= 2 * before);
#endif
}

/* Trimming keeps the blocks that are still free in part-used chunks, and
 * whatever is live stays intact. */
static void test_trim_keeps_live_blocks(void **state) {
    (void)state;
    enum { N = 200000 };
    static int64_t *blocks[N];
    for (int i = 0; i < N; i++) {
        blocks[i] = pool_alloc(32);
        blocks[i][0] = i;
    }
    for (int i = 0; i < N; i++)
        if (i % 1000 != 0) {
            pool_free(blocks[i], 32);
            blocks[i] = NULL;
        }
    pool_trim();
    for (int i = 0; i < N; i += 1000)
        assert_int_equal(blocks[i][0], i);
    /* The pools still work, and hand out distinct blocks. */
    for (int i = 0; i < N; i++)
        if (!blocks[i]) {
            blocks[i] = pool_alloc(32);
            blocks[i][0] = -i;
        }
    for (int i = 0; i < N; i++) {
        assert_int_equal(blocks[i][0], i % 1000 ? -i : i);
        pool_free(blocks[i], 32);
    }
}

int main(void) {
    alox_init(NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_memory_returns),
        cmocka_unit_test(test_trim_keeps_live_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
