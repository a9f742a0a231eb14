/* io.c - the I/O thread and the timer thread; see io.h. */
#include "io.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"
#include "overload.h"
#include "support/platform.h"

/* Events taken from the kernel per epoll_wait: enough that a busy server's
 * ready connections come in one call, small enough for the stack. */
#define IO_EVENTS_PER_WAIT 256

/* ALOX_IO_POLL_US (off by default): after a turn that had events, the I/O
 * thread looks again without sleeping (epoll_wait with no timeout) for up
 * to this long before it blocks. Why: a server without pipelining gets
 * one request per connection per round trip; 50 clients on 2 vCPUs send
 * one every ~8 us, and the I/O thread, done in ~4 us, slept between them:
 * 0.3-0.5 context switches per request against redis-server's 0.13
 * (bench/RESULTS.md, "kv: where a request's time goes"). The window
 * trades those sleeps for CPU that other threads on the same cores may
 * want (redis-benchmark among them), so it is the user's choice, like
 * ALOX_LINGER_US for the workers. */
#define IO_POLL_MAX_US 1000 /* 1 ms: past this the I/O thread is a busy loop */
#define IO_POLL_PAUSES 256  /* cpu_relax between looks (~1-3 us): a look is a syscall */

static pthread_once_t io_started = PTHREAD_ONCE_INIT, timer_started = PTHREAD_ONCE_INIT;
static int epoll_fd = -1, timer_fd = -1;
/* Set before the thread is created or under once: read by the I/O thread.
 * Acquire/release: a handler stored after the thread started must be seen
 * with everything its client set up before. */
static _Atomic(io_expiry_fn) expiry_handler;
static _Atomic(io_event_fn) event_handler;

uint64_t io_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The timer thread: blocked in read until the timerfd expires. A re-arm
 * while it waits resets the count and the read returns at the new time;
 * the handler looks at the clock anyway. A thread of its own, so that a
 * long behaviour the I/O thread runs as a guest (a connection's request)
 * never makes a timer late (io.h). */
static void *timer_main(void *unused) {
    (void)unused;
    guest_collection collection;
    overload_exempt_this_thread(); /* firings are delivered, never held back */
    for (;;) {
        uint64_t expirations;
        if (read(timer_fd, &expirations, sizeof expirations) < 0) {
            if (errno == EINTR)
                continue;
            alox_fatal("reading the timerfd failed: %s", strerror(errno));
        }
        io_expiry_fn fn = atomic_load_explicit(&expiry_handler, memory_order_acquire);
        /* What these firings make runnable runs here if every worker
         * sleeps (guest.h): no futex wake. */
        guest_collect_begin(&collection);
        if (fn)
            fn();
        guest_collect_end();
    }
    return NULL;
}

/* The next events: within the poll window (after a turn with events)
 * without sleeping, else blocking. */
static int wait_events(struct epoll_event *events, uint64_t poll_ns, bool had_events) {
    if (poll_ns && had_events) {
        uint64_t until = io_now_ns() + poll_ns;
        do {
            int n = epoll_wait(epoll_fd, events, IO_EVENTS_PER_WAIT, 0);
            if (n != 0)
                return n;
            for (int p = 0; p < IO_POLL_PAUSES; p++)
                cpu_relax();
        } while (io_now_ns() < until);
    }
    return epoll_wait(epoll_fd, events, IO_EVENTS_PER_WAIT, -1);
}

static void *io_main(void *unused) {
    (void)unused;
    struct epoll_event events[IO_EVENTS_PER_WAIT];
    guest_collection collection;
    overload_exempt_this_thread(); /* readiness is delivered, never held back */
    uint64_t poll_ns = alox_env_us_as_ns("ALOX_IO_POLL_US", IO_POLL_MAX_US);
    bool had_events = false;
    for (;;) {
        int n = wait_events(events, poll_ns, had_events);
        had_events = n > 0;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            alox_fatal("epoll_wait on the I/O thread failed: %s", strerror(errno));
        }
        io_event_fn on_event = atomic_load_explicit(&event_handler, memory_order_acquire);
        /* What these readiness messages make runnable runs here if every
         * worker sleeps (guest.h): no futex wake. */
        guest_collect_begin(&collection);
        for (int i = 0; i < n; i++)
            if (on_event)
                on_event(events[i].data.u64, events[i].events);
        guest_collect_end();
    }
    return NULL;
}

static void start_thread(void *(*main_fn)(void *), const char *what) {
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int err = pthread_create(&thread, &attr, main_fn, NULL);
    pthread_attr_destroy(&attr);
    if (err)
        alox_fatal("cannot start the %s thread: %s", what, strerror(err));
}

static void start_io(void) {
    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd < 0)
        alox_fatal("cannot create the I/O thread's epoll set: %s (raise the descriptor limit, "
                   "ulimit -n)",
                   strerror(errno));
    start_thread(io_main, "I/O");
}

static void start_timer(void) {
    timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC); /* blocking: timer_main reads it */
    if (timer_fd < 0)
        alox_fatal("cannot create the timerfd: %s (raise the descriptor limit, ulimit -n)",
                   strerror(errno));
    start_thread(timer_main, "timer");
}

int io_timerfd(io_expiry_fn on_expiry) {
    if (!atomic_load_explicit(&expiry_handler, memory_order_relaxed))
        atomic_store_explicit(&expiry_handler, on_expiry, memory_order_release);
    pthread_once(&timer_started, start_timer);
    return timer_fd;
}

int io_epoll(io_event_fn on_event) {
    if (!atomic_load_explicit(&event_handler, memory_order_relaxed))
        atomic_store_explicit(&event_handler, on_event, memory_order_release);
    pthread_once(&io_started, start_io);
    return epoll_fd;
}
