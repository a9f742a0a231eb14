/* io.c - the I/O thread; see io.h. */
#include "io.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
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

static pthread_once_t started = PTHREAD_ONCE_INIT;
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

static void on_timerfd(void) {
    uint64_t expirations;
    /* Non-blocking: a re-arm between the wake-up and this read may already
     * have reset the count (EAGAIN); the handler looks at the clock anyway. */
    if (read(timer_fd, &expirations, sizeof expirations) < 0 && errno != EAGAIN)
        alox_fatal("reading the timerfd failed: %s", strerror(errno));
    io_expiry_fn fn = atomic_load_explicit(&expiry_handler, memory_order_acquire);
    if (fn)
        fn();
}

static void *io_main(void *unused) {
    (void)unused;
    struct epoll_event events[IO_EVENTS_PER_WAIT];
    guest_collection collection;
    overload_exempt_this_thread(); /* timers and readiness are delivered, never held back */
    for (;;) {
        int n = epoll_wait(epoll_fd, events, IO_EVENTS_PER_WAIT, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            alox_fatal("epoll_wait on the I/O thread failed: %s", strerror(errno));
        }
        io_event_fn on_event = atomic_load_explicit(&event_handler, memory_order_acquire);
        /* What these firings and readiness messages make runnable runs
         * here if every worker sleeps (guest.h): no futex wake. */
        guest_collect_begin(&collection);
        for (int i = 0; i < n; i++) {
            if (events[i].data.u64 == IO_TIMER_TOKEN)
                on_timerfd();
            else if (on_event)
                on_event(events[i].data.u64, events[i].events);
        }
        guest_collect_end();
    }
    return NULL;
}

static void start(void) {
    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (epoll_fd < 0 || timer_fd < 0)
        alox_fatal("cannot create the I/O thread's epoll set or timerfd: %s (raise the "
                   "descriptor limit, ulimit -n)",
                   strerror(errno));
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = IO_TIMER_TOKEN};
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, timer_fd, &ev) < 0)
        alox_fatal("cannot watch the timerfd: %s", strerror(errno));
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int err = pthread_create(&thread, &attr, io_main, NULL);
    pthread_attr_destroy(&attr);
    if (err)
        alox_fatal("cannot start the I/O thread: %s", strerror(err));
}

int io_timerfd(io_expiry_fn on_expiry) {
    if (!atomic_load_explicit(&expiry_handler, memory_order_relaxed))
        atomic_store_explicit(&expiry_handler, on_expiry, memory_order_release);
    pthread_once(&started, start);
    return timer_fd;
}

int io_epoll(io_event_fn on_event) {
    if (!atomic_load_explicit(&event_handler, memory_order_relaxed))
        atomic_store_explicit(&event_handler, on_event, memory_order_release);
    pthread_once(&started, start);
    return epoll_fd;
}
