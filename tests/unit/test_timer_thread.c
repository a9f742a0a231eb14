/* test_timer_thread.c - a long behaviour that the I/O thread runs as a
 * guest (a readiness message that found every worker parked, core/guest.h)
 * does not make timers late: timers fire on a thread of their own
 * (core/io.h). A chain of short timers runs while a watch's on_ready
 * spins for BUSY_MS on the I/O thread; before the timer thread, every
 * tick due meanwhile waited for the spin to end (lateness ~BUSY_MS). */
#include "test_util.h"

#include <sys/syscall.h>

#define BUSY_MS 400
#define TICK_MS 5
#define TICKS 120           /* ~600 ms of ticks: the spin falls inside */
#define WRITE_AFTER_MS 50   /* the workers are long parked by then */
#define LATE_BOUND_MS 150   /* a loaded machine's scheduling, well below BUSY_MS */

static long tid(void) { return syscall(SYS_gettid); }

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct busy {
    int32_t fd, runs;
    int64_t tid;
};
HANDMADE_ACTOR(busy)
typedef struct {
    int32_t fd;
    uint32_t events;
} ready_args;
HANDMADE_BEHAVIOUR(busy, on_ready, ready_args, "(i32,u32)")
static void on_ready(struct busy *self, const ready_args *a) {
    self->runs++;
    self->tid = tid();
    uint64_t until = now_ns() + BUSY_MS * 1000000ull;
    while (now_ns() < until)
        ;
    alox_unwatch_fd(a->fd);
}

typedef struct {
    int32_t fd;
    int32_t unused;
} start_args;
HANDMADE_BEHAVIOUR(busy, start, start_args, "(i32,i32)")
static void start(struct busy *self, const start_args *a) {
    self->fd = a->fd;
    assert_int_equal(alox_watch_fd_desc(self, a->fd, ALOX_READ, &on_ready_desc), 0);
}

struct ticker {
    int32_t ticks;
    uint64_t max_late_ns;
};
HANDMADE_ACTOR(ticker)
typedef struct {
    uint64_t deadline_ns;
} tick_args;
HANDMADE_BEHAVIOUR(ticker, tick, tick_args, "(u64)")
static void tick(struct ticker *self, const tick_args *a) {
    uint64_t now = now_ns(), late = now > a->deadline_ns ? now - a->deadline_ns : 0;
    if (late > self->max_late_ns)
        self->max_late_ns = late;
    if (++self->ticks < TICKS) {
        tick_args next = {now + TICK_MS * 1000000ull};
        alox_send_after(TICK_MS, self, &tick_desc, &next);
    }
}

static void *write_later(void *fdp) {
    usleep(WRITE_AFTER_MS * 1000);
    assert_int_equal(write(*(int *)fdp, "x", 1), 1);
    return NULL;
}

static void test_long_guest_run_on_io_thread_leaves_timers_on_time(void **state) {
    (void)state;
    alox_init(NULL, NULL);
    assert_int_equal(alox_set_threads(2), 0);
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct busy *b = new_busy();
    send_start(b, (start_args){p[0], 0});
    struct ticker *t = new_ticker();
    tick_args first = {now_ns() + TICK_MS * 1000000ull};
    alox_send_after(TICK_MS, t, &tick_desc, &first);
    pthread_t writer;
    pthread_create(&writer, NULL, write_later, &p[1]);
    assert_int_equal(alox_run(), 0);
    pthread_join(writer, NULL);
    printf("on_ready ran %d time(s) on thread %ld (test thread %ld); %d ticks, latest %.1f ms\n",
           b->runs, (long)b->tid, tid(), t->ticks, t->max_late_ns / 1e6);
    assert_int_equal(b->runs, 1);
    assert_int_equal(t->ticks, TICKS);
    assert_true(t->max_late_ns < LATE_BOUND_MS * 1000000ull);
    close(p[0]);
    close(p[1]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_guest_run_on_io_thread_leaves_timers_on_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
