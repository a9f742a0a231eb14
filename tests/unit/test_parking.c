/* test_parking.c - a worker's futex word (core/parking.h): a wake is never
 * lost, whichever side comes first; a wake of a worker not yet in the
 * kernel costs no futex call; what the waker wrote before is seen by the
 * woken side (TSan checks that); and the scheduler's park and wake stay
 * correct with workers parking and waking thousands of times. */
#include "test_util.h"

#include <sched.h>
#include <signal.h>

#include "core/parking.h"

#define ROUNDS (20000 / TEST_SCALE_DOWN)
#define SENDS (4000 / TEST_SCALE_DOWN)
#define STUCK_S 10.0 /* no round for this long: a lost wake-up (a round takes microseconds) */
#define ALARM_S 50     /* the whole file: a wait that never returns fails, not hangs */

static void on_alarm(int sig) {
    (void)sig;
    static const char text[] = "test_parking: still waiting after " "50" " s: a lost wake-up\n";
    (void)!write(2, text, sizeof text - 1);
    _exit(1);
}

static void test_wake_before_wait_costs_no_syscall(void **state) {
    (void)state;
    parking p = {0};
    assert_false(parking_wake(&p)); /* awake already: nothing to do */
    parking_prepare(&p);
    assert_false(parking_wake(&p)); /* parked, not in the kernel: no futex call */
    parking_wait(&p);               /* the wake was kept: returns at once */
    assert_int_equal(atomic_load(&p.state), PARKING_AWAKE);
}

static parking shared;
static atomic_int prepared_round, done_round;
static int payload; /* plain: written by the waker before its wake, read after the wait */
static atomic_int stale_payloads; /* rounds whose payload the owner did not see */
static uint32_t rng_state = 2463534242u;

static uint32_t next_random(uint32_t *x) {
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

static void spin(uint32_t *rng, uint32_t most) {
    for (uint32_t i = next_random(rng) % most; i > 0; i--)
        atomic_signal_fence(memory_order_seq_cst);
}

/* The two threads on different CPUs if we have two: the scheduler's wake
 * affinity would put the woken owner next to its waker, which then only
 * runs once the owner sleeps, and the race never happens. */
static void pin_to(int nth) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0 || CPU_COUNT(&set) < 2)
        return;
    for (int cpu = 0, seen = 0; cpu < CPU_SETSIZE; cpu++) {
        if (CPU_ISSET(cpu, &set) && seen++ == nth) {
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(cpu, &one);
            pthread_setaffinity_np(pthread_self(), sizeof one, &one);
            return;
        }
    }
}

static void *owner(void *arg) {
    (void)arg;
    pin_to(0);
    uint32_t rng = 88172645u;
    for (int round = 1; round <= ROUNDS; round++) {
        parking_prepare(&shared);
        atomic_store_explicit(&prepared_round, round, memory_order_release);
        spin(&rng, 8192); /* the wake lands before, during or after the exchange to SLEEPING */
        parking_wait(&shared);
        if (payload != round) /* cmocka's asserts belong to the test's own thread */
            atomic_fetch_add(&stale_payloads, 1);
        atomic_store(&done_round, round);
    }
    return NULL;
}

static void *waker(void *arg) {
    long *syscalls = arg;
    uint32_t rng = rng_state;
    pin_to(1);
    for (int round = 1; round <= ROUNDS; round++) {
        /* Spins (yielding now and then): a waker that sleeps would
         * always come late, and the race with the owner's way into the
         * kernel is what this test is about. */
        for (uint32_t spins = 1; atomic_load_explicit(&prepared_round, memory_order_acquire) != round; spins++)
            if (spins % 1024 == 0)
                sched_yield();
        payload = round;
        spin(&rng, 512);
        *syscalls += parking_wake(&shared);
    }
    return NULL;
}

static void test_no_lost_wake_up(void **state) {
    (void)state;
    long syscalls = 0;
    pthread_t o, w;
    assert_int_equal(pthread_create(&o, NULL, owner, NULL), 0);
    assert_int_equal(pthread_create(&w, NULL, waker, &syscalls), 0);
    int last = 0;
    double since = test_now_s();
    while (atomic_load(&done_round) < ROUNDS) {
        int now = atomic_load(&done_round);
        if (now != last) {
            last = now;
            since = test_now_s();
        }
        if (test_now_s() - since > STUCK_S)
            fail_msg("round %d never woke up: a lost wake-up", now + 1);
        usleep(1000);
    }
    pthread_join(o, NULL);
    pthread_join(w, NULL);
    /* Usually both paths: wakes that found the owner in the kernel, and
     * wakes that came before it got there (no syscall; the first test
     * takes that path for certain). */
    printf("%d rounds, %ld futex wakes\n", ROUNDS, syscalls);
    assert_int_equal(atomic_load(&stale_payloads), 0);
}

/* ----- through the scheduler --------------------------------------------- */

struct counter {
    int64_t n;
};
HANDMADE_ACTOR(counter)
typedef struct {
    int32_t unused;
} bump_args;
HANDMADE_BEHAVIOUR(counter, bump, bump_args, "(i32)")
static void bump(struct counter *self, const bump_args *a) {
    (void)a;
    self->n++;
}

/* From outside the workers, with pauses: each send may find every worker
 * parked (a wake) or one still on its way to sleep (no syscall). */
static void *sender(void *arg) {
    struct counter *c = arg;
    uint32_t rng = 362436069u;
    for (int i = 0; i < SENDS; i++) {
        send_bump(c, (bump_args){0});
        struct timespec pause = {0, (long)(next_random(&rng) % 50000)};
        if (i % 4 == 0)
            nanosleep(&pause, NULL);
    }
    alox_release();
    return NULL;
}

static void test_scheduler_parks_and_wakes(void **state) {
    (void)state;
    alox_init(NULL, NULL);
    assert_int_equal(alox_set_threads(3), 0); /* more workers than CPUs: contended parks */
    struct counter *c = new_counter();
    alox_hold(); /* the run lasts until the sender is done */
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, sender, c), 0);
    assert_int_equal(alox_run(), 0);
    pthread_join(t, NULL);
    assert_int_equal(c->n, SENDS);
}

int main(void) {
    signal(SIGALRM, on_alarm);
    alarm(ALARM_S);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wake_before_wait_costs_no_syscall),
        cmocka_unit_test(test_no_lost_wake_up),
        cmocka_unit_test(test_scheduler_parks_and_wakes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
