/* Stopped actors give their memory back (issue 14, item 1), and a send to
 * one, at any later time, is a dead letter ALOX_DEAD_STOPPED: never a crash,
 * never a use-after-free, never a delivery to an actor now in its memory.
 * The race tests are for ThreadSanitizer and ASan as much as for plain. */
#include "test_util.h"

#include <sys/resource.h>

#include "core/actor.h"
#include "core/reclaim.h"
#include "support/once_heap.h"

struct mortal { int64_t handled; int64_t payload[6]; };
struct sender { int64_t unused; };
HANDMADE_ACTOR(mortal)
HANDMADE_ACTOR(sender)
typedef struct { int32_t stop; int32_t value; } poke_args;
HANDMADE_BEHAVIOUR(mortal, poke, poke_args, "(i32,i32)")
typedef struct { int32_t count; int32_t targets; struct mortal **to; } spray_args;
HANDMADE_BEHAVIOUR(sender, spray, spray_args, "(i32,i32,&)")

static _Atomic int64_t delivered, dead_stopped, dead_other;

static void poke(struct mortal *self, const poke_args *a) {
    self->handled++;
    atomic_fetch_add_explicit(&delivered, 1, memory_order_relaxed);
    if (a->stop)
        alox_stop(self);
}

/* Sends `count` pokes round-robin over `targets` actors, some of which stop. */
static void spray(struct sender *self, const spray_args *a) {
    (void)self;
    for (int32_t i = 0; i < a->count; i++)
        send_poke(a->to[i % a->targets], (poke_args){i % 97 == 0, i});
}

static void record(const alox_dead_letter *letter) {
    if (letter->reason == ALOX_DEAD_STOPPED)
        atomic_fetch_add_explicit(&dead_stopped, 1, memory_order_relaxed);
    else
        atomic_fetch_add_explicit(&dead_other, 1, memory_order_relaxed);
}

static void reset(void) {
    atomic_store(&delivered, 0);
    atomic_store(&dead_stopped, 0);
    atomic_store(&dead_other, 0);
    alox_on_dead_letter(record);
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

/* Many short-lived actors: each gets one message and stops. Their memory
 * goes back (counted by the runtime, and seen in RSS), and a send to any
 * of them afterwards is a dead letter. */
static void test_stopped_actors_are_freed(void **state) {
    (void)state;
    reset();
    const int n = 200000 / TEST_SCALE_DOWN;
    struct mortal **all = calloc((size_t)n, sizeof *all);
    uint64_t freed_before = reclaim_freed(), released_before = once_heap_released_bytes();
    long rss_before = rss_kib();
    for (int i = 0; i < n; i++) {
        all[i] = new_mortal();
        send_poke(all[i], (poke_args){1, i});
    }
    assert_int_equal(alox_run(), 0);
    assert_int_equal(atomic_load(&delivered), n);
    assert_int_equal(reclaim_freed() - freed_before, (uint64_t)n);
    /* The memory reads as zeros now: it is the kernel's again. */
    assert_int_equal(actor_of(all[n / 2])->magic, 0);
    assert_int_equal(all[n / 2]->handled, 0);
    long rss_after = rss_kib();
    uint64_t released = once_heap_released_bytes() - released_before;
    print_message("RSS %ld KiB before, %ld KiB after %d actors came and went; %llu KiB of actor pages "
                  "given back\n", rss_before, rss_after, n, (unsigned long long)released / 1024);
    /* All but the pages still shared with live actors (a few per thread). */
    assert_true(released >= (uint64_t)n * actor_footprint(&mortal_type) - 64 * 1024);
#if TEST_SCALE_DOWN == 1 /* the sanitizers' shadow memory is in RSS too */
    /* 200,000 actors of 128 bytes are 25 MB, their messages 6.4 MB; what
     * stays is the array (1.6 MB) and some of the pools (2-6 MB). */
    assert_true(rss_after - rss_before < 10 * 1024);
#endif
    for (int i = 0; i < n; i += 1000)
        send_poke(all[i], (poke_args){0, 0});
    assert_int_equal(alox_run(), 0);
    assert_int_equal(atomic_load(&dead_stopped), n / 1000);
    assert_int_equal(atomic_load(&dead_other), 0);
    free(all);
    alox_on_dead_letter(NULL);
}

/* Stopped in the middle of a stream of sends from several workers and from
 * a foreign thread: every poke is either run or a dead letter STOPPED,
 * exactly once; none is lost, none crashes, none goes elsewhere. */
typedef struct { struct mortal **to; int targets; int count; } outside_args;

static void *send_from_outside(void *arg) {
    outside_args *o = arg;
    for (int i = 0; i < o->count; i++)
        send_poke(o->to[i % o->targets], (poke_args){0, i});
    alox_release();
    return NULL;
}

static void test_senders_race_the_stop(void **state) {
    (void)state;
    reset();
    enum { TARGETS = 64, SENDERS = 8 };
    const int per_sender = 40000 / TEST_SCALE_DOWN, outside = 20000 / TEST_SCALE_DOWN;
    for (int round = 0; round < 3; round++) {
        atomic_store(&delivered, 0);
        atomic_store(&dead_stopped, 0);
        struct mortal *to[TARGETS];
        for (int i = 0; i < TARGETS; i++)
            to[i] = new_mortal();
        alox_hold(); /* the foreign thread's sends keep the run going */
        outside_args o = {to, TARGETS, outside};
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, send_from_outside, &o), 0);
        for (int s = 0; s < SENDERS; s++)
            send_spray(new_sender(), (spray_args){per_sender, TARGETS, to});
        assert_int_equal(alox_run(), 0);
        pthread_join(t, NULL);
        int64_t total = (int64_t)SENDERS * per_sender + outside;
        assert_int_equal(atomic_load(&delivered) + atomic_load(&dead_stopped), total);
        assert_true(atomic_load(&dead_stopped) > 0);
        assert_int_equal(atomic_load(&dead_other), 0);
    }
    alox_on_dead_letter(NULL);
}

/* Addresses are handed out once: a new actor never lives where a stopped
 * one did, so a stale reference cannot reach it. */
static void test_addresses_are_not_reused(void **state) {
    (void)state;
    reset();
    enum { N = 2000 };
    static struct mortal *old[N];
    for (int i = 0; i < N; i++) {
        old[i] = new_mortal();
        send_poke(old[i], (poke_args){1, 0});
    }
    assert_int_equal(alox_run(), 0);
    uintptr_t low = (uintptr_t)old[0], high = (uintptr_t)old[0];
    for (int i = 0; i < N; i++) {
        low = (uintptr_t)old[i] < low ? (uintptr_t)old[i] : low;
        high = (uintptr_t)old[i] > high ? (uintptr_t)old[i] : high;
    }
    for (int i = 0; i < N; i++) {
        struct mortal *fresh = new_mortal();
        assert_false((uintptr_t)fresh >= low && (uintptr_t)fresh <= high);
        send_poke(old[i], (poke_args){0, 0}); /* stale: dead letter, not to `fresh` */
    }
    atomic_store(&delivered, 0);
    assert_int_equal(alox_run(), 0);
    assert_int_equal(atomic_load(&delivered), 0);
    assert_int_equal(atomic_load(&dead_stopped), N + 0);
    alox_on_dead_letter(NULL);
}

/* Where 64 GiB of address space cannot be reserved (valgrind, ulimit -v),
 * the heaps reserve less and everything still works. A child process
 * with a 3 GiB address-space limit (plain builds: the sanitizers need
 * terabytes of address space for their shadow). */
static int small_address_space_main(void) {
    reset();
    for (int i = 0; i < 20000; i++)
        send_poke(new_mortal(), (poke_args){1, i});
    if (alox_run() != 0 || atomic_load(&delivered) != 20000)
        return 4;
    fprintf(stderr, "small address space: ok\n");
    return 0;
}

#if TEST_SCALE_DOWN == 1
/* A fresh process (a fork would inherit the parent's reservations). */
static void run_small_address_space(void *unused) {
    (void)unused;
    struct rlimit limit = {3ul << 30, 3ul << 30};
    if (setrlimit(RLIMIT_AS, &limit) != 0)
        _exit(3);
    execl("/proc/self/exe", "test_reclaim", "--small-address-space", (char *)NULL);
    _exit(5);
}
#endif

static void test_small_address_space(void **state) {
    (void)state;
#if TEST_SCALE_DOWN == 1
    char out[4096];
    int status = test_run_child(run_small_address_space, NULL, out, sizeof out);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("child: status %d, said: %s", status, out);
    assert_non_null(strstr(out, "small address space: ok"));
#else
    skip();
#endif
}

/* Blocks freed in a row on one page are taken off its count together
 * (once_heap_batch's held frees): the page of the last ones still goes
 * back, at the flush. The blocks come from a thread that then exits, so no
 * page is held open for allocation. */
#define HELD_PAGES 4
#define HELD_BLOCK 64 /* bytes, aligned as much: ONCE_HEAP_PAGE / HELD_BLOCK blocks per page */
#define HELD_BLOCKS (HELD_PAGES * ONCE_HEAP_PAGE / HELD_BLOCK)

static void *alloc_held_blocks(void *blocks) {
    for (unsigned i = 0; i < HELD_BLOCKS; i++) {
        ((char **)blocks)[i] = once_heap_alloc(HELD_BLOCK, 0, HELD_BLOCK);
        ((char **)blocks)[i][0] = 1; /* the page is resident: it must be given back */
    }
    return NULL;
}

static void test_held_frees_go_back_at_flush(void **state) {
    (void)state;
    static char *blocks[HELD_BLOCKS];
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, alloc_held_blocks, blocks), 0);
    pthread_join(t, NULL);
    uint64_t released_before = once_heap_released_bytes();
    once_heap_batch batch = {.count = 0};
    for (unsigned i = 0; i < HELD_BLOCKS; i++)
        once_heap_free(blocks[i], HELD_BLOCK, &batch);
    once_heap_flush(&batch);
    assert_true(once_heap_released_bytes() - released_before >= HELD_PAGES * ONCE_HEAP_PAGE);
    for (unsigned i = 0; i < HELD_BLOCKS; i += ONCE_HEAP_PAGE / HELD_BLOCK / 2)
        assert_int_equal(blocks[i][0], 0); /* every page went back, the last freed too */
    assert_int_equal(blocks[HELD_BLOCKS - 1][0], 0);
}

int main(int argc, char **argv) {
    alox_init(NULL, NULL);
    if (argc > 1 && strcmp(argv[1], "--small-address-space") == 0)
        return small_address_space_main();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stopped_actors_are_freed),
        cmocka_unit_test(test_senders_race_the_stop),
        cmocka_unit_test(test_addresses_are_not_reused),
        cmocka_unit_test(test_small_address_space),
        cmocka_unit_test(test_held_frees_go_back_at_flush),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
