/*
 * io.h - the I/O thread and the timer thread of the process: the I/O
 * thread owns an epoll set and turns descriptor readiness (watch.h) into
 * ordinary messages; the timer thread owns a timerfd and turns timer
 * expiry (timers.h) into messages. No worker ever blocks on a descriptor:
 * workers only register interest (epoll_ctl) and do non-blocking I/O.
 *
 * Each thread starts on first use (the first watch, the first timer), so a
 * program without either has neither thread and no extra descriptor
 * (tests/unit/test_no_network.c). It then lives until the process exits,
 * blocked in epoll_wait or in read on the timerfd: an idle program uses no
 * CPU between firings.
 *
 * Its two clients hand it their handlers on first use, so this file knows
 * neither of them (no include cycle):
 *   io_timerfd(on_expiry)   the timerfd, armed by timers.c; on_expiry runs on
 *                           the timer thread when it fires;
 *   io_epoll(on_event)      the epoll set; on_event(token, epoll events)
 *                           runs on the I/O thread for every event.
 *
 * After each batch of events or firings, the actors those messages made
 * runnable while every worker was parked run on the thread that sent them
 * (guest.h, "Collecting"): no futex wake for a firing or a request that
 * finds the program idle. A behaviour run there delays that thread's next
 * events by its length (a run over 1 ms keeps its guest runs off for
 * 100 ms). Why two threads: a connection's request that runs long as a
 * guest on the I/O thread would otherwise hold up every timer due
 * meanwhile (400 ms late behind a 400 ms request, test_timer_thread.c);
 * now it delays only other readiness, which a worker would have queued
 * behind it anyway.
 *
 * Thread-safety: every function from any thread. Each handler runs on its
 * own thread only, one call at a time.
 */
#ifndef ALOX_IO_H
#define ALOX_IO_H

#include <stdint.h>

/* Reserved: no watch token takes this value (it named the timerfd when
 * the timerfd was in the epoll set). */
#define IO_TIMER_TOKEN UINT64_MAX

typedef void (*io_expiry_fn)(void);
typedef void (*io_event_fn)(uint64_t token, uint32_t epoll_events);

/* The timerfd (CLOCK_MONOTONIC), starting the I/O thread if needed. */
int io_timerfd(io_expiry_fn on_expiry);

/* The epoll set, starting the I/O thread if needed. */
int io_epoll(io_event_fn on_event);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t io_now_ns(void);

#endif
