/*
 * dead_letter.h - messages that could not be delivered. Each is counted
 * and passed, with its reason, to the handler set by alox_on_dead_letter
 * (default: a line on stderr). Nothing is dropped silently.
 *
 * Thread-safety: dead_letter_report may be called from any thread; the
 * handler runs on the reporting thread.
 */
#ifndef ALOX_DEAD_LETTER_H
#define ALOX_DEAD_LETTER_H

#include <stdint.h>

#include "alox.h"

void dead_letter_report(alox_dead_reason reason, uint64_t target_id,
                        const alox_behaviour_desc *behaviour, const void *args);

/* Called after the handler for every dead letter (core/future.c: a
 * request that will never run answers its future ALOX_TARGET_DOWN).
 * Set once, before any letter can concern it; NULL: none. */
typedef void (*dead_letter_observer)(alox_dead_reason reason, const alox_behaviour_desc *behaviour,
                                     const void *args);
void dead_letter_observe(dead_letter_observer fn);
/* Dead letters so far with this reason (for `alox top` and the metrics). */
uint64_t dead_letter_count_of(alox_dead_reason reason);

#endif
