/* mailman.c - alox_send; see mailman.h. */
#include "mailman.h"

#include "actor.h"
#include "counters.h"
#include "message.h"
#include "overload.h"
#include "remote_hooks.h"
#include "scheduler.h"
#include "support/dead_letter.h"
#include "support/platform.h"
#include "trace.h"

remote_hooks core_remote_hooks;

void remote_hooks_install(const remote_hooks *hooks) { core_remote_hooks = *hooks; }

/* The local send after the checks: returns true when the push found the
 * mailbox idle (the caller scheduled the actor). */
static inline bool push_local_message(actor *a, const alox_behaviour_desc *behaviour,
                                      const void *args) {
    message *m = message_new(behaviour, args);
    if (ALOX_UNLIKELY(trace_enabled()))
        trace_send((uintptr_t)m, a->id, behaviour);
    bool scheduled = mailbox_push(&a->box, &m->node);
    if (scheduled)
        scheduler_schedule(a);
    return scheduled;
}

/* A send to an actor seen overloaded or muted (overload.h): off the fast path. */
static void send_under_pressure(actor *a, const alox_behaviour_desc *behaviour, const void *args) {
    worker *w = worker_self;
    bool scheduled = push_local_message(a, behaviour, args);
    if (!w) {
        overload_plain_sent(a, scheduled);
        return;
    }
    counters_sent();
    worker_note_send(w);
    if (!w->mute_on)
        overload_sent_to(w, a);
}

void alox_send(void *target, const alox_behaviour_desc *behaviour, const void *args) {
    if (ALOX_UNLIKELY(target == NULL)) {
        dead_letter_report(ALOX_DEAD_NULL_TARGET, 0, behaviour, args);
        return;
    }
    actor *a = actor_of(target);
    if (ALOX_UNLIKELY(a->magic != ACTOR_MAGIC))
        alox_fatal("%s sent to %p, which is not an actor: actor references come only from "
                   "alox_new (or arrive as behaviour arguments)",
                   behaviour->name, target);
    /* Relaxed: ACTOR_PROXY is set before the proxy is published to anyone;
     * the pressure bits are a hint, read again under overload.c's lock.
     * One test covers both: backpressure costs the fast path nothing. */
    uint32_t flags = atomic_load_explicit(&a->flags, memory_order_relaxed);
    if (ALOX_UNLIKELY(flags & (ACTOR_PROXY | ACTOR_PRESSURE))) {
        if (!(flags & ACTOR_PROXY)) {
            if (ALOX_UNLIKELY(a->type->name_hash != behaviour->type_hash))
                dead_letter_report(ALOX_DEAD_UNKNOWN_BEHAVIOUR, a->id, behaviour, args);
            else
                send_under_pressure(a, behaviour, args);
        } else if (a->type->size != 0 && a->type->name_hash != behaviour->type_hash) {
            dead_letter_report(ALOX_DEAD_UNKNOWN_BEHAVIOUR, a->id, behaviour, args);
        } else {
            core_remote_hooks.send(a, behaviour, args); /* proxies exist only with the hooks */
        }
        return;
    }
    if (ALOX_UNLIKELY(a->type->name_hash != behaviour->type_hash)) {
        dead_letter_report(ALOX_DEAD_UNKNOWN_BEHAVIOUR, a->id, behaviour, args);
        return;
    }
    worker *w = worker_self;
    bool scheduled = push_local_message(a, behaviour, args);
    if (ALOX_UNLIKELY(!w)) {
        overload_plain_sent(a, scheduled); /* a plain thread: it may wait here */
        return;
    }
    counters_sent();
    worker_note_send(w);
}

void mailman_send_runtime(actor *a, const alox_behaviour_desc *behaviour, const void *args) {
    message *m = message_new(behaviour, args);
    if (mailbox_push(&a->box, &m->node))
        scheduler_schedule(a);
}
