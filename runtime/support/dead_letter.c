/* dead_letter.c - see dead_letter.h. */
#include "dead_letter.h"

#include <stdatomic.h>
#include <stdio.h>

/* The default handler prints this many letters, then one line per
 * DEFAULT_SUMMARY_EVERY more: enough to diagnose, not enough to flood. */
#define DEFAULT_PRINT_LIMIT 100
#define DEFAULT_SUMMARY_EVERY 100000

#define REASONS_COUNTED 32 /* above every alox_dead_reason; others count as 0 */

static _Atomic uint64_t letters;
static _Atomic uint64_t by_reason[REASONS_COUNTED];
static _Atomic(alox_dead_letter_fn) handler;

const char *alox_dead_reason_text(alox_dead_reason reason) {
    switch (reason) {
    case ALOX_DEAD_STOPPED: return "actor stopped";
    case ALOX_DEAD_NULL_TARGET: return "target is NULL";
    case ALOX_DEAD_UNKNOWN_BEHAVIOUR: return "the target's type has no such behaviour";
    case ALOX_DEAD_SIGNATURE_MISMATCH: return "signature mismatch";
    case ALOX_DEAD_STAGE_OFF_STAGE: return "stage pointer off-stage";
    case ALOX_DEAD_PEER_LOST: return "peer lost";
    case ALOX_DEAD_NO_SUCH_ACTOR: return "no such actor on that scheduler";
    case ALOX_DEAD_TOO_LARGE: return "too large to send to another scheduler";
    case ALOX_DEAD_ENDED: return "this node ended before the receiver confirmed it ran";
    }
    return "unknown reason";
}

static void print_letter(const alox_dead_letter *letter, uint64_t number) {
    if (number <= DEFAULT_PRINT_LIMIT)
        fprintf(stderr, "alox: dead letter: %s to actor %u:%llu: %s\n", letter->behaviour,
                (unsigned)ALOX_ID_NODE(letter->target_id),
                (unsigned long long)ALOX_ID_SERIAL(letter->target_id), letter->reason_text);
    else if (number % DEFAULT_SUMMARY_EVERY == 0)
        fprintf(stderr, "alox: %llu dead letters so far (alox_on_dead_letter to see them all)\n",
                (unsigned long long)number);
}

static _Atomic(dead_letter_observer) observer;

void dead_letter_report(alox_dead_reason reason, uint64_t target_id,
                        const alox_behaviour_desc *behaviour, const void *args) {
    /* Relaxed: a statistic; the handler call orders nothing. */
    uint64_t number = atomic_fetch_add_explicit(&letters, 1, memory_order_relaxed) + 1;
    atomic_fetch_add_explicit(&by_reason[(unsigned)reason < REASONS_COUNTED ? reason : 0], 1,
                              memory_order_relaxed);
    alox_dead_letter letter = {
        .reason = reason,
        .reason_text = alox_dead_reason_text(reason),
        .target_id = target_id,
        .behaviour = behaviour ? behaviour->name : "(no behaviour)",
        .args = args,
        .args_size = behaviour && args ? behaviour->args_size : 0,
    };
    /* Acquire: pairs with the release in alox_on_dead_letter, so the
     * handler's code and data are visible before we call it. */
    alox_dead_letter_fn fn = atomic_load_explicit(&handler, memory_order_acquire);
    if (fn)
        fn(&letter);
    else
        print_letter(&letter, number);
    /* Acquire: pairs with the release in dead_letter_observe. */
    dead_letter_observer seen = atomic_load_explicit(&observer, memory_order_acquire);
    if (seen && behaviour)
        seen(reason, behaviour, args);
}

void dead_letter_observe(dead_letter_observer fn) {
    atomic_store_explicit(&observer, fn, memory_order_release);
}

void alox_on_dead_letter(alox_dead_letter_fn fn) {
    atomic_store_explicit(&handler, fn, memory_order_release);
}

uint64_t alox_dead_letter_count(void) { return atomic_load_explicit(&letters, memory_order_relaxed); }

uint64_t dead_letter_count_of(alox_dead_reason reason) {
    /* Relaxed: a statistic. */
    return (unsigned)reason < REASONS_COUNTED
               ? atomic_load_explicit(&by_reason[reason], memory_order_relaxed)
               : 0;
}
