/*
 * timers.h - alox_send_after and alox_cancel (alox.h, alox/abi.h): pending
 * timers in a binary min-heap ordered by (deadline, creation order), so
 * timers fire in the order of their deadlines and equal deadlines in the
 * order they were set. One timerfd (io.h) is armed at the earliest
 * deadline; when it fires the timer thread takes every due timer off the
 * heap and sends its message with alox_send. No thread per timer, and
 * nothing runs between firings.
 *
 * A heap rather than a wheel: it is exact (no tick granularity, so
 * lateness is the wake-up's, not a slot's), needs no periodic tick (an
 * idle program stays asleep), and 100,000 pending timers cost about 17
 * levels per insertion or removal (bench/timers).
 *
 * Ids: a timer's id is its slot in a table of pending timers and that
 * slot's generation (bumped at each reuse), so alox_cancel finds a timer in
 * O(1) and an old id never cancels a newer timer. Each target's timers are
 * also linked in a list (by actor id), so an actor that stops has its
 * timers cancelled without a scan.
 *
 * Fired versus cancelled: a timer fires when the timer thread takes it off
 * the heap, under the timers' lock; alox_cancel takes the same lock, so it
 * returns true exactly when the message will never be sent.
 *
 * Holds: each pending timer holds the scheduler (alox_hold) until its
 * message has been sent or it is cancelled, so alox_run does not return
 * while a timer is pending.
 *
 * Thread-safety: every function from any thread (one mutex).
 */
#ifndef ALOX_TIMERS_H
#define ALOX_TIMERS_H

#include <stdint.h>

#include "alox.h"

struct actor;

/* Cancels every pending timer whose target is `a` (the actor stopped). */
void timers_cancel_target(struct actor *a);

/* call(arg) on the timer thread after delay_ms: the futures' timeouts
 * (future.h), decided at their deadline however busy the workers are. It
 * is listed under `owner` (cancelled if owner stops) and cancelled with
 * alox_cancel like any timer; `call` must be short and must not block. */
alox_timer timers_call_after(uint64_t delay_ms, struct actor *owner, void (*call)(void *arg),
                             void *arg);
/* Timers pending now (a snapshot; for tests and the benchmark). */
uint64_t timers_pending(void);

#endif
