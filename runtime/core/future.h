/*
 * future.h - futures: behaviours that answer (alox.h "Futures", the ABI in
 * alox/abi.h). One pending entry per request, from alox_ask until both
 * sides are done with it:
 *
 *   the request side   the callee's body ran (alox__fulfil: ALOX_OK), or
 *                      the request became a dead letter (ALOX_TARGET_DOWN:
 *                      it will never run; a lost peer dead-letters it too)
 *   the consumer side  alox_then (on_value sent to self once) or
 *                      alox_await (the waiting thread is woken)
 *   the timeout        a runtime timer (timers.h) to the futures actor,
 *                      when alox_then was given timeout_ms
 *
 * Each side holds a reference; the entry is freed when the last lets go,
 * so nothing is left pending whatever the order. The first of answer and
 * timeout wins (state DONE under the entry's lock); an answer that comes
 * after its timeout is dropped and counted (alox_futures_late).
 *
 * The futures actor is one runtime actor per scheduler ("alox_futures"):
 * the timeouts run on it, and it is what a request's alox_reply names, so
 * an answer from another scheduler is addressed to it like any message.
 *
 * Files: future.c (entries, the request side, alox_then and its timeouts),
 * future_await.c (alox_await), future_entry.h (the entry they share).
 *
 * Thread-safety: every function from any thread; an entry's fields are
 * under its spin lock, the counters are relaxed atomics (statistics).
 */
#ifndef ALOX_FUTURE_H
#define ALOX_FUTURE_H

#include <stdint.h>

#include "alox.h"

/* alox_hash("alox_futures"): the type hash of an alox_reply's `to`. */
#define FUTURE_REPLY_TYPE_HASH 0x2e2e5b363a92ff94ull

/* The alox_reply inside a request's packed arguments, or NULL if the
 * behaviour does not answer. */
alox_reply *future_reply_of(const alox_behaviour_desc *behaviour, const void *args);

/* Answer the entry named by a reply that arrived for this scheduler (the
 * local fast path, or an answer over the wire): status, and the value's
 * bytes for ALOX_OK. An unknown or finished entry is dropped and counted. */
void future_answer(uint64_t future, alox_status status, const void *value, uint32_t size);

/* A future no request message answers: its request side is whoever calls
 * future_fulfil once (alox_lookup_future, net/lookup_future.c). */
alox_future_handle future_new_pending(void);
void future_fulfil(alox_future_handle future, alox_status status, const void *value,
                   uint32_t size);

/* Answers given up on: pending entries and late answers (alox.h). */
uint64_t future_timeouts(void);

#endif
