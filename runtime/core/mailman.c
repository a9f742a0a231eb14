/* mailman.c - alox_send; see mailman.h. */
#include "mailman.h"

#include "actor.h"
#include "counters.h"
#include "message.h"
#include "overload.h"
#include "remote_hooks.h"
#include "scheduler.h"
#include "support/dead_letter.h"
#include "support/grace.h"
#include "support/platform.h"
#include "support/tsan.h"
#include "trace.h"

remote_hooks core_remote_hooks;

void remote_hooks_install(const remote_hooks *hooks) { core_remote_hooks = *hooks; }

/* A local message sent because of `cause`: the remote form, carrying it. */
static __attribute__((noinline, cold)) message *caused_message(worker *w,
                                                               const alox_behaviour_desc *behaviour,
                                                               const void *args) {
    remote_message *m = message_new_remote(behaviour, args);
    void *cause = w->cause;
    m->link = cause;
    m->seq = w->cause_seq; /* its run proves the first cause ran too */
    core_remote_hooks.caused(cause);
    return &m->base;
}

/* The local send after the checks: returns true when the push found the
 * mailbox idle (and the actor was scheduled). Always inlined, as is send():
 * with three callers GCC kept it out of line, a call on every send
 * (callgrind, ping-pong: 8 instructions a message). */
static inline __attribute__((always_inline)) bool
push_local_message(worker *w, actor *a, const alox_behaviour_desc *behaviour, const void *args) {
    /* One predictable branch: a cause exists only while a worker runs a
     * message that came from the network (remote_hooks.h). */
    message *m = ALOX_UNLIKELY(w && w->cause) ? caused_message(w, behaviour, args)
                                              : message_new(behaviour, args);
    if (ALOX_UNLIKELY(trace_enabled()))
        trace_send((uintptr_t)m, a->id, behaviour);
    bool scheduled = mailbox_push(&a->box, &m->node);
    if (scheduled)
        scheduler_schedule(a);
    return scheduled;
}

/* Anything but a plain local actor of the right state: NULL, a stopped
 * actor (its memory maybe given back already), a proxy, not an actor. */
static void __attribute__((noinline)) send_unusual(actor *a, const alox_behaviour_desc *behaviour,
                                                   const void *args) {
    uint32_t flags = atomic_load_explicit(&a->flags, memory_order_acquire);
    if (ALOX_UNLIKELY(a->magic != ACTOR_MAGIC)) {
        if (actor_was_freed(a)) /* its id went with it */
            dead_letter_report(ALOX_DEAD_STOPPED, 0, behaviour, args);
        else
            alox_fatal("%s sent to %p, which is not an actor: actor references come only from "
                       "alox_new (or arrive as behaviour arguments)",
                       behaviour->name, actor_body(a));
        return;
    }
    if (flags & ACTOR_STOPPED) {
        dead_letter_report(ALOX_DEAD_STOPPED, a->id, behaviour, args);
        return;
    }
    /* A proxy: ACTOR_PROXY is set before the proxy is published to anyone. */
    if (a->type->size != 0 && a->type->name_hash != behaviour->type_hash)
        dead_letter_report(ALOX_DEAD_UNKNOWN_BEHAVIOUR, a->id, behaviour, args);
    else
        core_remote_hooks.send(a, behaviour, args); /* proxies exist only with the hooks */
}

/* A send to an actor seen overloaded or muted (overload.h): off the fast
 * path. A plain thread may wait in overload_plain_sent, inside its grace
 * section (send_from_outside), so the target's memory stays valid. */
static void __attribute__((noinline)) send_under_pressure(worker *w, actor *a,
                                                          const alox_behaviour_desc *behaviour,
                                                          const void *args) {
    if (ALOX_UNLIKELY(a->type->name_hash != behaviour->type_hash)) {
        dead_letter_report(ALOX_DEAD_UNKNOWN_BEHAVIOUR, a->id, behaviour, args);
        return;
    }
    bool scheduled = push_local_message(w, a, behaviour, args);
    if (!w) {
        overload_plain_sent(a, scheduled);
        return;
    }
    worker_note_send(w, a); /* its count is the worker's `sent` (counters_publish) */
    if (!w->mute_on)
        overload_sent_to(w, a);
}

/* The send itself, on a worker (w) or inside grace_enter (w NULL). The
 * test is actor_takes_messages with the pressure bits in the same mask:
 * backpressure costs the fast path nothing. Flags first, with acquire
 * (see actor_takes_messages). */
static inline __attribute__((always_inline)) void
send(worker *w, actor *a, const alox_behaviour_desc *behaviour, const void *args) {
    uint32_t flags = atomic_load_explicit(&a->flags, memory_order_acquire);
    if (ALOX_UNLIKELY(a->magic != ACTOR_MAGIC ||
                      (flags & (ACTOR_STOPPED | ACTOR_PROXY | ACTOR_PRESSURE)))) {
        if (a->magic == ACTOR_MAGIC && !(flags & (ACTOR_STOPPED | ACTOR_PROXY)))
            send_under_pressure(w, a, behaviour, args);
        else
            send_unusual(a, behaviour, args);
        return;
    }
    if (ALOX_UNLIKELY(a->type->name_hash != behaviour->type_hash)) {
        dead_letter_report(ALOX_DEAD_UNKNOWN_BEHAVIOUR, a->id, behaviour, args);
        return;
    }
    bool scheduled = push_local_message(w, a, behaviour, args);
    if (ALOX_UNLIKELY(!w)) {
        overload_plain_sent(a, scheduled); /* a plain thread: it may wait here */
        return;
    }
    worker_note_send(w, a); /* its count is the worker's `sent` (counters_publish) */
}

static void __attribute__((noinline)) send_from_outside(actor *a, const alox_behaviour_desc *behaviour,
                                                        const void *args) {
    grace_enter(); /* the actor's memory stays ours until grace_exit */
    send(NULL, a, behaviour, args);
    grace_exit();
}

/* Every send the fast path below does not take, from the start. */
static void __attribute__((noinline)) send_general(void *target, const alox_behaviour_desc *behaviour,
                                                   const void *args) {
    if (ALOX_UNLIKELY(target == NULL)) {
        dead_letter_report(ALOX_DEAD_NULL_TARGET, 0, behaviour, args);
        return;
    }
    worker *w = worker_self;
    if (ALOX_UNLIKELY(w == NULL))
        send_from_outside(actor_of(target), behaviour, args);
    else
        send(w, actor_of(target), behaviour, args);
}

/* The fast path's end when a thief is at the runnext slot: settle, push
 * the displaced actor, count the send, as in send(). */
static void __attribute__((noinline)) schedule_settled(worker *w, actor *a, actor *displaced) {
    displaced = runnext_settle(&w->runnext, displaced);
    if (displaced)
        worker_push_displaced(w, displaced);
    worker_note_send(w, a);
}

static void send_traced(void *target, const alox_behaviour_desc *behaviour, const void *args);

/* send_traced: in a run (trace_in_run) only, so its record reads no clock
 * and calls nothing; a send outside a run is a general one. */

/* The common send, from a worker to a plain local actor, in a program
 * not built with TSan, of a message of whole words from the pool's cache:
 * the same steps as send() (the same checks, loads and orders), with
 * every call a tail call, so the function saves no registers. With send()
 * inlined here GCC saved six registers and made a frame on every send,
 * for calls on its rare branches (~20 of ~97 instructions; fork-join
 * makes two sends an actor). Anything else goes to send_general, which
 * does it all again from the start. Inlined twice, `traced` a constant:
 * alox_send (not traced: a traced program goes to send_traced) and
 * send_traced, which records the send (trace.h); through send_general a
 * traced ping-pong message ran ~40 instructions more. */
static inline __attribute__((always_inline)) void send_fast(void *target, const alox_behaviour_desc *behaviour,
                                                            const void *args, bool traced) {
    worker *w = worker_self;
    if (ALOX_UNLIKELY(target == NULL || w == NULL)) {
        send_general(target, behaviour, args);
        return;
    }
    actor *a = actor_of(target);
    /* Flags first, with acquire: see actor_takes_messages. The type is read
     * only once magic and flags say the header is a live local actor's. */
    uint32_t flags = atomic_load_explicit(&a->flags, memory_order_acquire);
    if (ALOX_UNLIKELY(a->magic != ACTOR_MAGIC || (flags & (ACTOR_STOPPED | ACTOR_PROXY | ACTOR_PRESSURE)) ||
                      a->type->name_hash != behaviour->type_hash || w->cause != NULL ||
                      tsan_active() || (traced && !trace_in_run()))) {
        send_general(target, behaviour, args);
        return;
    }
    message *m = message_new_cached(behaviour, args);
    if (ALOX_UNLIKELY(m == NULL)) {
        send_general(target, behaviour, args);
        return;
    }
    if (traced) /* before the push, as push_local_message: the message is not yet anyone's */
        trace_send_in_run((uintptr_t)m, a->id, behaviour);
    if (mailbox_push_unannounced(&a->box, &m->node)) { /* TSan is absent: nothing to announce */
        actor *displaced; /* worker_schedule, in two halves */
        if (ALOX_UNLIKELY(!runnext_put_unsettled(&w->runnext, a, &displaced))) {
            schedule_settled(w, a, displaced);
            return;
        }
        if (displaced) {
            worker_push_displaced_noted(w, displaced, a);
            return;
        }
    }
    worker_note_send(w, a); /* its count is the worker's `sent` (counters_publish) */
}

void alox_send(void *target, const alox_behaviour_desc *behaviour, const void *args) {
    if (ALOX_UNLIKELY(trace_enabled())) { /* first: the traced send does its checks once */
        send_traced(target, behaviour, args);
        return;
    }
    send_fast(target, behaviour, args, false);
}

static void __attribute__((noinline)) send_traced(void *target, const alox_behaviour_desc *behaviour,
                                                  const void *args) {
    send_fast(target, behaviour, args, true);
}

bool mailman_would_deliver(void *target, const alox_behaviour_desc *behaviour, const void *args) {
    if (target == NULL) {
        dead_letter_report(ALOX_DEAD_NULL_TARGET, 0, behaviour, args);
        return false;
    }
    actor *a = actor_of(target);
    bool outside = worker_self == NULL, ok = true;
    if (outside)
        grace_enter();
    if (!actor_takes_messages(a)) {
        uint32_t flags = atomic_load_explicit(&a->flags, memory_order_acquire);
        if (a->magic != ACTOR_MAGIC || (flags & ACTOR_STOPPED)) {
            send_unusual(a, behaviour, args); /* the dead letter, or the fatal error */
            ok = false;
        } else if (a->type->size != 0 && a->type->name_hash != behaviour->type_hash) {
            /* A proxy of an unknown type (size 0) is checked by its node. */
            dead_letter_report(ALOX_DEAD_UNKNOWN_BEHAVIOUR, a->id, behaviour, args);
            ok = false;
        }
    } else if (a->type->name_hash != behaviour->type_hash) {
        dead_letter_report(ALOX_DEAD_UNKNOWN_BEHAVIOUR, a->id, behaviour, args);
        ok = false;
    }
    if (outside)
        grace_exit();
    return ok;
}

void mailman_send_runtime(actor *a, const alox_behaviour_desc *behaviour, const void *args) {
    bool outside = worker_self == NULL;
    if (outside)
        grace_enter();
    if (actor_takes_messages(a)) { /* a stopped actor drops it (mailman.h) */
        message *m = message_new(behaviour, args);
        if (mailbox_push(&a->box, &m->node))
            scheduler_schedule(a);
    }
    if (outside)
        grace_exit();
}
