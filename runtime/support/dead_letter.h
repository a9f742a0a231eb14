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

#endif
