/* monitor.c - local monitors: alox_monitor_desc, alox_demonitor, the
 * records by id and by actor, the notices and on_down, a stopped actor's
 * monitors; see monitor.h for the protocol, monitor_far.c for the remote
 * side (monitor_record.h: what the two share). */
#include "monitor.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "actor.h"
#include "actor_probe.h"
#include "mailman.h"
#include "message.h"
#include "monitor_record.h"
#include "remote_hooks.h"
#include "scheduler.h"
#include "support/dead_letter.h"
#include "support/grace.h"
#include "support/idmap.h"
#include "support/platform.h"
#include "worker.h"

/* An actor's monitors, kept here (not in its header) so the header stays
 * one cache line and the state goes with the last monitor. */
typedef struct links {
    monitor *incoming; /* monitors on this actor (it is their target) */
    monitor *outgoing; /* monitors this actor holds as a watcher */
} links;

typedef struct {
    uint64_t target_id;
    alox_down_reason reason;
} on_down_args; /* the packed layout of on_down(self, uint64_t, alox_down_reason) */

static void notice_run(void *self, const void *args);

static const alox_behaviour_desc notice_desc = {
    ALOX_ABI_VERSION, sizeof(notice_args), _Alignof(notice_args), 0,
    "alox.monitor_down", "(u64,u64,u32,u32)", 0, 0, RUNTIME_BEHAVIOUR_TYPE_HASH, notice_run, NULL,
};
static alox_behaviour_desc notice_wire; /* with hashes, registered */

pthread_mutex_t monitor_lock = PTHREAD_MUTEX_INITIALIZER;
static idmap by_id = IDMAP_INITIALIZER;    /* monitor id -> monitor */
static idmap by_actor = IDMAP_INITIALIZER; /* actor id -> links */
static uint64_t records;
static _Atomic uint64_t next_id = 1;

/* The registered copy carries the hashes, so the network can name it. */
__attribute__((constructor)) static void register_descriptors(void) {
    notice_wire = notice_desc;
    notice_wire.name_hash = alox_hash(notice_wire.name);
    notice_wire.signature_hash = alox_hash(notice_wire.signature);
    alox_register_behaviour(&notice_wire);
}

bool monitor_is_wire_behaviour(const alox_behaviour_desc *b) {
    return monitor_is_far_request(b) || b == &notice_wire;
}

bool monitor_is_proxy(const struct actor *a) {
    /* Relaxed: ACTOR_PROXY is set before a proxy is published. */
    return (atomic_load_explicit(&a->flags, memory_order_relaxed) & ACTOR_PROXY) != 0;
}

/* ----- sending, outside the lock --------------------------------------- */

void notices_init(notices *n) {
    n->items = n->first;
    n->count = 0;
    n->capacity = NOTICES_ON_STACK;
}

void notices_push(notices *n, notice item) {
    if (n->count == n->capacity) {
        size_t capacity = n->capacity * 2;
        notice *grown = malloc(capacity * sizeof *grown);
        if (!grown)
            alox_fatal("out of memory sending monitor notices");
        for (size_t i = 0; i < n->count; i++)
            grown[i] = n->items[i];
        if (n->items != n->first)
            free(n->items);
        n->items = grown;
        n->capacity = capacity;
    }
    n->items[n->count++] = item;
}

void notices_add(notices *n, struct actor *to, uint64_t notice_id, uint64_t target_id,
                 alox_down_reason reason) {
    notices_push(n, (notice){to, false, {notice_id, target_id, (uint32_t)reason, 0}});
}

static void send_to(struct actor *to, const alox_behaviour_desc *b, const void *args) {
    if (monitor_is_proxy(to))
        core_remote_hooks.send(to, b, args); /* proxies exist only with the hooks */
    else
        mailman_send_runtime(to, b, args);
}

void notices_send(notices *n) {
    for (size_t i = 0; i < n->count; i++) {
        const notice *item = &n->items[i];
        if (item->cancel)
            far_cancel_send(item);
        else
            send_to(item->to, &notice_wire, &item->args);
    }
    if (n->items != n->first)
        free(n->items);
}

/* ----- the tables, under the lock --------------------------------------- */

static links *links_of(uint64_t actor_id) {
    links *l = idmap_get(&by_actor, actor_id);
    if (!l) {
        l = calloc(1, sizeof *l);
        if (!l)
            alox_fatal("out of memory in alox_monitor");
        idmap_put(&by_actor, actor_id, l);
    }
    return l;
}

static void links_drop_if_empty(uint64_t actor_id) {
    links *l = idmap_get(&by_actor, actor_id);
    if (l && !l->incoming && !l->outgoing) {
        idmap_remove(&by_actor, actor_id);
        free(l);
    }
}

static void mark_monitored(struct actor *a) {
    /* Relaxed: see monitor_actor_stopped. */
    atomic_fetch_or_explicit(&a->flags, ACTOR_MONITORED, memory_order_relaxed);
}

static void attach(monitor *m) {
    mark_monitored(m->target);
    links *l = links_of(m->target_id);
    m->in_prev = NULL;
    m->in_next = l->incoming;
    if (l->incoming)
        l->incoming->in_prev = m;
    l->incoming = m;
    m->attached = true;
}

static void detach(monitor *m) {
    if (!m->attached)
        return;
    links *l = idmap_get(&by_actor, m->target_id);
    if (m->in_prev)
        m->in_prev->in_next = m->in_next;
    else
        l->incoming = m->in_next;
    if (m->in_next)
        m->in_next->in_prev = m->in_prev;
    m->attached = false;
    links_drop_if_empty(m->target_id);
}

static void add_outgoing(monitor *m) {
    mark_monitored(m->watcher);
    links *l = links_of(m->watcher_id);
    m->out_prev = NULL;
    m->out_next = l->outgoing;
    if (l->outgoing)
        l->outgoing->out_prev = m;
    l->outgoing = m;
    m->outgoing = true;
}

static void remove_outgoing(monitor *m) {
    if (!m->outgoing)
        return;
    links *l = idmap_get(&by_actor, m->watcher_id);
    if (m->out_prev)
        m->out_prev->out_next = m->out_next;
    else
        l->outgoing = m->out_next;
    if (m->out_next)
        m->out_next->out_prev = m->out_prev;
    m->outgoing = false;
    links_drop_if_empty(m->watcher_id);
}

monitor *record_new(uint64_t id, uint64_t notice_id, struct actor *watcher, struct actor *target,
                    const alox_behaviour_desc *on_down) {
    monitor *m = calloc(1, sizeof *m);
    if (!m)
        alox_fatal("out of memory in alox_monitor");
    *m = (monitor){.id = id, .notice_id = notice_id, .watcher = watcher, .target = target,
                   .watcher_id = watcher->id, .target_id = target->id, .on_down = on_down};
    records++;
    return m;
}

/* Out of every table, and freed. */
void record_free(monitor *m) {
    detach(m);
    remove_outgoing(m);
    far_remove(m);
    if (m->id)
        idmap_remove(&by_id, m->id);
    else
        far_key_remove(m);
    records--;
    free(m);
}

/* The monitor is down: its watcher gets one notice. A local watcher's
 * record stays (by its id) until the notice runs, so alox_demonitor can
 * still cancel it; a remote watcher's record has done its work. */
void monitor_fire(monitor *m, alox_down_reason reason, notices *out) {
    if (m->fired)
        return;
    m->fired = true;
    notices_add(out, m->watcher, m->notice_id, m->target_id, reason);
    if (m->on_down) {
        detach(m);
        far_remove(m);
    } else
        record_free(m);
}

/* ----- alox_monitor_desc and alox_demonitor ---------------------------- */

static alox_monitor_ref refuse(const char *what, const void *self, const void *target,
                               const alox_behaviour_desc *on_down) {
    fprintf(stderr, "alox: alox_monitor(%p, %p, %s) refused: %s; no monitor was made\n", self,
            target, on_down && on_down->name ? on_down->name : "(null)", what);
    return (alox_monitor_ref){0};
}

static const char *bad_watcher(void *self, const alox_behaviour_desc *on_down) {
    if (!on_down || on_down->args_size != sizeof(on_down_args))
        return "on_down must be a behaviour (self, uint64_t target_id, alox_down_reason reason)";
    if (!self || actor_probe(self) == PROBE_NOT_ACTOR)
        return "self is not an actor (actor references come only from alox_new)";
    struct actor *w = actor_of(self);
    if (w->magic != ACTOR_MAGIC)
        return "self has stopped (it could never be told)"; /* and its memory went back */
    if (monitor_is_proxy(w))
        return "self is an actor of another scheduler: monitor from the watcher's own scheduler";
    if (w->type->name_hash != on_down->type_hash)
        return "on_down is not a behaviour of self's actor type";
    /* Relaxed: a hint; a watcher that stops meanwhile frees the record at
     * its stop point, or when the notice reaches it (monitor_undelivered). */
    if (atomic_load_explicit(&w->flags, memory_order_relaxed) & ACTOR_STOPPED)
        return "self has stopped (it could never be told)";
    return NULL;
}

/* A local target takes the record on its list at once, unless it has
 * stopped. The stop and this meet in one word, the target's flags: alox_stop
 * and this or in their bits with read-modify-writes, which are ordered,
 * so either this sees ACTOR_STOPPED (down at once), or the stop point
 * sees ACTOR_MONITORED and takes the lock, after this, and fires the
 * record. Under the lock; the target's memory is readable (the caller is
 * on a worker or inside grace_enter). */
void attach_unless_stopped(monitor *m, notices *out) {
    /* Relaxed: the order of the two ors on one word is what counts. */
    uint32_t was = atomic_fetch_or_explicit(&m->target->flags, ACTOR_MONITORED, memory_order_relaxed);
    if (was & ACTOR_STOPPED)
        monitor_fire(m, ALOX_DOWN_STOPPED, out);
    else
        attach(m);
}

static alox_monitor_ref monitor_make(void *self, void *target, const alox_behaviour_desc *on_down) {
    const char *problem = bad_watcher(self, on_down);
    if (problem)
        return refuse(problem, self, target, on_down);
    if (!target) {
        dead_letter_report(ALOX_DEAD_NULL_TARGET, 0, on_down, NULL);
        return refuse("the target is NULL (reported as a dead letter)", self, target, on_down);
    }
    if (actor_probe(target) == PROBE_NOT_ACTOR)
        return refuse("the target is not an actor (actor references come only from alox_new, "
                      "or arrive as behaviour arguments)",
                      self, target, on_down);
    struct actor *w = actor_of(self), *t = actor_of(target);
    bool far = monitor_is_proxy(t), gone = t->magic != ACTOR_MAGIC; /* gone: stopped, memory given back */
    /* Relaxed: only uniqueness matters. */
    uint64_t id = atomic_fetch_add_explicit(&next_id, 1, memory_order_relaxed);
    notices now;
    notices_init(&now);
    pthread_mutex_lock(&monitor_lock);
    monitor *m = record_new(id, id, w, t, on_down); /* target_id 0 if gone: its id went too */
    idmap_put(&by_id, id, m);
    add_outgoing(m);
    if (gone)
        monitor_fire(m, ALOX_DOWN_STOPPED, &now);
    else if (!far)
        attach_unless_stopped(m, &now);
    else {
        far_add(m);
        if (core_remote_hooks.proxy_lost(t)) /* its session has already ended */
            monitor_fire(m, ALOX_DOWN_NODE_LOST, &now);
    }
    bool send_far = far && !m->fired;
    pthread_mutex_unlock(&monitor_lock);
    if (send_far)
        far_register_send(t, id, self);
    notices_send(&now);
    return (alox_monitor_ref){id};
}

alox_monitor_ref alox_monitor_desc(void *self, void *target, const alox_behaviour_desc *on_down) {
    bool outside = worker_self == NULL;
    if (outside)
        grace_enter(); /* self and target stay readable until grace_exit */
    alox_monitor_ref ref = monitor_make(self, target, on_down);
    if (outside)
        grace_exit();
    return ref;
}

void alox_demonitor(alox_monitor_ref ref) {
    if (ref.id == 0)
        return;
    notices later;
    notices_init(&later);
    pthread_mutex_lock(&monitor_lock);
    monitor *m = idmap_get(&by_id, ref.id);
    if (m) {
        notices_add_cancel(&later, m);
        record_free(m);
    }
    pthread_mutex_unlock(&monitor_lock);
    notices_send(&later);
}

uint64_t monitor_count(void) {
    pthread_mutex_lock(&monitor_lock);
    uint64_t n = records;
    pthread_mutex_unlock(&monitor_lock);
    return n;
}

/* ----- the notice ------------------------------------------------------ */

bool monitor_undelivered(struct actor *t, const alox_behaviour_desc *b, const void *args) {
    if (monitor_is_far_request(b))
        return monitor_far_request(t, t->id, b, args); /* t has stopped: down at once */
    if (b != &notice_wire)
        return false;
    const notice_args *n = args; /* its watcher stopped: nobody to tell */
    pthread_mutex_lock(&monitor_lock);
    monitor *m = idmap_get(&by_id, n->notice_id);
    if (m && m->watcher == t)
        record_free(m);
    pthread_mutex_unlock(&monitor_lock);
    return true;
}

/* On the watcher: the one place on_down is called. */
static void notice_run(void *self, const void *args) {
    const notice_args *n = args;
    pthread_mutex_lock(&monitor_lock);
    monitor *m = idmap_get(&by_id, n->notice_id);
    if (!m || m->watcher != actor_of(self) || m->target_id != n->target_id ||
        (n->reason != ALOX_DOWN_STOPPED && n->reason != ALOX_DOWN_NODE_LOST)) {
        pthread_mutex_unlock(&monitor_lock); /* demonitored, or already told */
        return;
    }
    const alox_behaviour_desc *on_down = m->on_down;
    record_free(m);
    pthread_mutex_unlock(&monitor_lock);
    on_down_args call = {n->target_id, (alox_down_reason)n->reason};
    on_down->trampoline(self, &call);
}

/* ----- a stopped actor -------------------------------------------------- */

void monitor_actor_stopped(struct actor *a) {
    /* Relaxed: as a target, the or that set it came before alox_stop's in
     * the word's order (attach_unless_stopped), so this worker sees it; as
     * a watcher, set by a thread that made a monitor for it: before its
     * batch (the mailbox hand-off orders it), or during it, and then the
     * second call, from actor_drained, sees it: that thread's grace
     * section ended before the grace period that precedes the drain (and
     * one that began after saw ACTOR_STOPPED and made nothing). */
    if (!(atomic_load_explicit(&a->flags, memory_order_relaxed) & ACTOR_MONITORED))
        return;
    notices now;
    notices_init(&now);
    pthread_mutex_lock(&monitor_lock);
    links *l = idmap_get(&by_actor, a->id);
    /* Each step may free l (its last link gone): look it up again. */
    while ((l = idmap_get(&by_actor, a->id)) && l->incoming)
        monitor_fire(l->incoming, ALOX_DOWN_STOPPED, &now);
    while ((l = idmap_get(&by_actor, a->id)) && l->outgoing) {
        notices_add_cancel(&now, l->outgoing); /* a remote owner lets its record go */
        record_free(l->outgoing);              /* a stopped watcher is told nothing more */
    }
    pthread_mutex_unlock(&monitor_lock);
    notices_send(&now);
}
