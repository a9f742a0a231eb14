/*
 * io.h - the one I/O thread of the process: it owns an epoll set and a
 * timerfd, and turns timer expiry (timers.h) and descriptor readiness
 * (watch.h) into ordinary messages. No worker ever blocks on a descriptor:
 * workers only register interest (epoll_ctl) and do non-blocking I/O.
 *
 * The thread starts on first use (the first timer or watch), so a program
 * without either has no I/O thread and no extra descriptor
 * (tests/unit/test_no_network.c). It then lives until the process exits,
 * parked in epoll_wait: an idle program uses no CPU between firings.
 *
 * Its two clients hand it their handlers on first use, so this file knows
 * neither of them (no include cycle):
 *   io_timerfd(on_expiry)   the timerfd, armed by timers.c; on_expiry runs on
 *                           the I/O thread when it fires;
 *   io_epoll(on_event)      the epoll set; on_event(token, epoll events)
 *                           runs on the I/O thread for every event whose
 *                           epoll_data is not the timerfd's.
 *
 * After each batch of events, the actors those messages made runnable
 * while every worker was parked run on this thread (guest.h,
 * "Collecting"): no futex wake for a firing or a request that finds the
 * program idle. A behaviour run there delays the next firings by its
 * length (a run over 1 ms keeps the guest runs off for 100 ms).
 *
 * Thread-safety: every function from any thread. The handlers run on the
 * I/O thread only, one at a time.
 */
#ifndef ALOX_IO_H
#define ALOX_IO_H

#include <stdint.h>

/* epoll_data.u64 of the timerfd; watch tokens never take this value. */
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
