/* monitor.c - alox_monitor_desc, alox_demonitor and the runtime's side of
 * monitors; see monitor.h for the protocol. */
#include "monitor.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "actor.h"
#include "actor_probe.h"
#include "mailman.h"
#include "message.h"
#include "remote_hooks.h"
#include "scheduler.h"
#include "support/dead_letter.h"
#include "support/grace.h"
#include "support/idmap.h"
#include "support/platform.h"
#include "worker.h"

/* Notices gathered under the lock and sent after it: first on the stack,
 * then grown on the heap (a target with 100,000 watchers). */
#define NOTICES_ON_STACK 16

typedef struct monitor monitor;

struct monitor {
    uint64_t id;                         /* key in by_id (0: a remote watcher's record) */
    uint64_t notice_id;                  /* the id the watcher knows this monitor by */
    struct actor *watcher;               /* a local actor, or a proxy (remote watcher) */
    struct actor *target;                /* a local actor, or a proxy (remote target) */
    uint64_t watcher_id, target_id;      /* the lists' keys (never read through the pointers) */
    const alox_behaviour_desc *on_down;  /* NULL in a remote watcher's record */
    monitor *in_prev, *in_next;          /* the target's list, once attached */
    monitor *out_prev, *out_next;        /* the (local) watcher's list */
    monitor *far_prev, *far_next;        /* records with a proxy at one end */
    monitor *key_next;                   /* a remote watcher's record: its far_by_key chain */
    bool attached, outgoing, far, fired;
};

/* An actor's monitors, kept here (not in its header) so the header stays
 * one cache line and the state goes with the last monitor. */
typedef struct links {
    monitor *incoming; /* monitors on this actor (it is their target) */
    monitor *outgoing; /* monitors this actor holds as a watcher */
} links;

/* What the notice carries; the user's on_down gets target_id and reason. */
typedef struct notice_args {
    uint64_t notice_id;
    uint64_t target_id;
    uint32_t reason;
    uint32_t unused;
} notice_args;

/* The registration, to another scheduler's target: the watcher crosses
 * the wire as an actor reference (a proxy there). */
typedef struct register_far_args {
    uint64_t notice_id;
    void *watcher;
} register_far_args;

/* To the owner: the watcher let go (alox_demonitor, or it stopped). Plain
 * ids (the owner's key), so it can be sent for a watcher whose memory is
 * about to go. */
typedef struct cancel_far_args {
    uint64_t notice_id;
    uint64_t watcher_id;
} cancel_far_args;

typedef struct {
    uint64_t target_id;
    alox_down_reason reason;
} on_down_args; /* the packed layout of on_down(self, uint64_t, alox_down_reason) */

typedef struct notice {
    struct actor *to;
    bool cancel;      /* a cancel_far to the target's owner: args.target_id is the watcher's id */
    notice_args args;
} notice;

typedef struct notices {
    notice *items;
    size_t count, capacity;
    notice first[NOTICES_ON_STACK];
} notices;

static void register_far_run(void *self, const void *args);
static void cancel_far_run(void *self, const void *args);
static void notice_run(void *self, const void *args);

static const alox_arg_ref register_far_refs[] = {
    {offsetof(register_far_args, watcher), ALOX_REF_ACTOR, 0},
};
static const alox_behaviour_desc register_far_desc = {
    ALOX_ABI_VERSION, sizeof(register_far_args), _Alignof(register_far_args), 1,
    "alox.monitor_register_far", "(u64,@)", 0, 0, RUNTIME_BEHAVIOUR_TYPE_HASH, register_far_run,
    register_far_refs,
};
static const alox_behaviour_desc cancel_far_desc = {
    ALOX_ABI_VERSION, sizeof(cancel_far_args), _Alignof(cancel_far_args), 0,
    "alox.monitor_cancel_far", "(u64,u64)", 0, 0, RUNTIME_BEHAVIOUR_TYPE_HASH, cancel_far_run, NULL,
};
static const alox_behaviour_desc notice_desc = {
    ALOX_ABI_VERSION, sizeof(notice_args), _Alignof(notice_args), 0,
    "alox.monitor_down", "(u64,u64,u32,u32)", 0, 0, RUNTIME_BEHAVIOUR_TYPE_HASH, notice_run, NULL,
};
static alox_behaviour_desc register_wire, cancel_wire, notice_wire; /* with hashes, registered */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static idmap by_id = IDMAP_INITIALIZER;    /* monitor id -> monitor */
static idmap by_actor = IDMAP_INITIALIZER; /* actor id -> links */
static idmap far_by_key = IDMAP_INITIALIZER; /* far_key(watcher, notice id) -> chain */
static monitor *far_list;
static uint64_t records;
static _Atomic uint64_t next_id = 1;

/* The registered copies carry the hashes, so the network can name them. */
__attribute__((constructor)) static void register_descriptors(void) {
    cancel_wire = cancel_far_desc;
    cancel_wire.name_hash = alox_hash(cancel_wire.name);
    cancel_wire.signature_hash = alox_hash(cancel_wire.signature);
    alox_register_behaviour(&cancel_wire);
    register_wire = register_far_desc;
    register_wire.name_hash = alox_hash(register_wire.name);
    register_wire.signature_hash = alox_hash(register_wire.signature);
    notice_wire = notice_desc;
    notice_wire.name_hash = alox_hash(notice_wire.name);
    notice_wire.signature_hash = alox_hash(notice_wire.signature);
    alox_register_behaviour(&register_wire);
    alox_register_behaviour(&notice_wire);
}

bool monitor_is_far_request(const alox_behaviour_desc *b) { return b == &register_wire || b == &cancel_wire; }

bool monitor_is_wire_behaviour(const alox_behaviour_desc *b) {
    return b == &register_wire || b == &cancel_wire || b == &notice_wire;
}

static bool is_proxy(const struct actor *a) {
    /* Relaxed: ACTOR_PROXY is set before a proxy is published. */
    return (atomic_load_explicit(&a->flags, memory_order_relaxed) & ACTOR_PROXY) != 0;
}

/* ----- sending, outside the lock --------------------------------------- */

static void notices_init(notices *n) {
    n->items = n->first;
    n->count = 0;
    n->capacity = NOTICES_ON_STACK;
}

static void notices_push(notices *n, notice item) {
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

static void notices_add(notices *n, struct actor *to, uint64_t notice_id, uint64_t target_id,
                        alox_down_reason reason) {
    notices_push(n, (notice){to, false, {notice_id, target_id, (uint32_t)reason, 0}});
}

/* The owner of a remote target may let its record for this monitor go. */
static void notices_add_cancel(notices *n, const monitor *m) {
    if (m->far && !m->fired && !core_remote_hooks.proxy_lost(m->target))
        notices_push(n, (notice){m->target, true, {m->notice_id, m->watcher_id, 0, 0}});
}

static void send_to(struct actor *to, const alox_behaviour_desc *b, const void *args) {
    if (is_proxy(to))
        core_remote_hooks.send(to, b, args); /* proxies exist only with the hooks */
    else
        mailman_send_runtime(to, b, args);
}

static void notices_send(notices *n) {
    for (size_t i = 0; i < n->count; i++) {
        const notice *item = &n->items[i];
        if (item->cancel) {
            cancel_far_args cancel = {item->args.notice_id, item->args.target_id};
            core_remote_hooks.send(item->to, &cancel_wire, &cancel);
        } else
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

static void add_far(monitor *m) {
    m->far_prev = NULL;
    m->far_next = far_list;
    if (far_list)
        far_list->far_prev = m;
    far_list = m;
    m->far = true;
}

static void remove_far(monitor *m) {
    if (!m->far)
        return;
    if (m->far_prev)
        m->far_prev->far_next = m->far_next;
    else
        far_list = m->far_next;
    if (m->far_next)
        m->far_next->far_prev = m->far_prev;
    m->far = false;
}

/* A remote watcher's record is named by its watcher and the id the watcher
 * knows it by (alox.monitor_cancel_far). Different pairs may share a key:
 * each key holds a chain. */
static uint64_t far_key(uint64_t watcher_id, uint64_t notice_id) {
    uint64_t k = (watcher_id * 0x9e3779b97f4a7c15ull) ^ notice_id;
    return k ? k : 1; /* 0 marks an empty idmap slot */
}

static void key_add(monitor *m) {
    uint64_t k = far_key(m->watcher_id, m->notice_id);
    m->key_next = idmap_get(&far_by_key, k);
    idmap_put(&far_by_key, k, m);
}

static void key_remove(monitor *m) {
    uint64_t k = far_key(m->watcher_id, m->notice_id);
    monitor *head = idmap_get(&far_by_key, k);
    if (head == m) {
        if (m->key_next)
            idmap_put(&far_by_key, k, m->key_next);
        else
            idmap_remove(&far_by_key, k);
        return;
    }
    for (monitor *p = head; p; p = p->key_next)
        if (p->key_next == m) {
            p->key_next = m->key_next;
            return;
        }
}

static monitor *key_find(uint64_t watcher_id, uint64_t notice_id) {
    monitor *m = idmap_get(&far_by_key, far_key(watcher_id, notice_id));
    while (m && (m->watcher_id != watcher_id || m->notice_id != notice_id))
        m = m->key_next;
    return m;
}

static monitor *record_new(uint64_t id, uint64_t notice_id, struct actor *watcher, struct actor *target,
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
static void record_free(monitor *m) {
    detach(m);
    remove_outgoing(m);
    remove_far(m);
    if (m->id)
        idmap_remove(&by_id, m->id);
    else
        key_remove(m);
    records--;
    free(m);
}

/* The monitor is down: its watcher gets one notice. A local watcher's
 * record stays (by its id) until the notice runs, so alox_demonitor can
 * still cancel it; a remote watcher's record has done its work. */
static void fire(monitor *m, alox_down_reason reason, notices *out) {
    if (m->fired)
        return;
    m->fired = true;
    notices_add(out, m->watcher, m->notice_id, m->target_id, reason);
    if (m->on_down) {
        detach(m);
        remove_far(m);
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
    if (is_proxy(w))
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
static void attach_unless_stopped(monitor *m, notices *out) {
    /* Relaxed: the order of the two ors on one word is what counts. */
    uint32_t was = atomic_fetch_or_explicit(&m->target->flags, ACTOR_MONITORED, memory_order_relaxed);
    if (was & ACTOR_STOPPED)
        fire(m, ALOX_DOWN_STOPPED, out);
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
    bool far = is_proxy(t), gone = t->magic != ACTOR_MAGIC; /* gone: stopped, memory given back */
    /* Relaxed: only uniqueness matters. */
    uint64_t id = atomic_fetch_add_explicit(&next_id, 1, memory_order_relaxed);
    notices now;
    notices_init(&now);
    pthread_mutex_lock(&lock);
    monitor *m = record_new(id, id, w, t, on_down); /* target_id 0 if gone: its id went too */
    idmap_put(&by_id, id, m);
    add_outgoing(m);
    if (gone)
        fire(m, ALOX_DOWN_STOPPED, &now);
    else if (!far)
        attach_unless_stopped(m, &now);
    else {
        add_far(m);
        if (core_remote_hooks.proxy_lost(t)) /* its session has already ended */
            fire(m, ALOX_DOWN_NODE_LOST, &now);
    }
    bool send_far = far && !m->fired;
    pthread_mutex_unlock(&lock);
    if (send_far) {
        register_far_args args = {id, self};
        core_remote_hooks.send(t, &register_wire, &args);
    }
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
    pthread_mutex_lock(&lock);
    monitor *m = idmap_get(&by_id, ref.id);
    if (m) {
        notices_add_cancel(&later, m);
        record_free(m);
    }
    pthread_mutex_unlock(&lock);
    notices_send(&later);
}

uint64_t monitor_count(void) {
    pthread_mutex_lock(&lock);
    uint64_t n = records;
    pthread_mutex_unlock(&lock);
    return n;
}

/* ----- the runtime messages -------------------------------------------- */

/* A registration or cancel from another scheduler for local actor t (NULL:
 * none with that id), taken by the network on arrival (inbound.c), not
 * through t's mailbox: a message there could wait in a stopped actor's
 * mailbox until its drain, after alox_run has returned. */
static void far_request(struct actor *t, uint64_t target_id, const alox_behaviour_desc *b,
                        const void *args, notices *out) {
    if (b == &cancel_wire) {
        const cancel_far_args *r = args;
        monitor *m = key_find(r->watcher_id, r->notice_id);
        if (m && m->target == t)
            record_free(m);
        return;
    }
    const register_far_args *r = args;
    if (!r->watcher || !is_proxy(actor_of(r->watcher)) || core_remote_hooks.proxy_lost(actor_of(r->watcher)))
        return; /* a watcher this node cannot name or tell (none of another node, or lost) */
    struct actor *w = actor_of(r->watcher);
    if (!t || t->magic != ACTOR_MAGIC || is_proxy(t)) {
        notices_add(out, w, r->notice_id, target_id, ALOX_DOWN_STOPPED); /* none, or gone */
        return;
    }
    monitor *m = record_new(0, r->notice_id, w, t, NULL);
    m->target_id = target_id;
    add_far(m);
    key_add(m);
    attach_unless_stopped(m, out); /* a fired remote watcher's record is freed at once */
}

bool monitor_far_request(struct actor *t, uint64_t target_id, const alox_behaviour_desc *b,
                         const void *args) {
    if (b != &register_wire && b != &cancel_wire)
        return false;
    notices now;
    notices_init(&now);
    pthread_mutex_lock(&lock);
    far_request(t, target_id, b, args, &now);
    pthread_mutex_unlock(&lock);
    notices_send(&now);
    return true;
}

/* Never run by the network (it takes them on arrival), but a descriptor
 * needs a trampoline: on the target they would do the same. */
static void register_far_run(void *self, const void *args) {
    monitor_far_request(actor_of(self), actor_of(self)->id, &register_wire, args);
}

static void cancel_far_run(void *self, const void *args) {
    monitor_far_request(actor_of(self), actor_of(self)->id, &cancel_wire, args);
}

bool monitor_undelivered(struct actor *t, const alox_behaviour_desc *b, const void *args) {
    if (b == &register_wire || b == &cancel_wire)
        return monitor_far_request(t, t->id, b, args); /* t has stopped: down at once */
    if (b != &notice_wire)
        return false;
    const notice_args *n = args; /* its watcher stopped: nobody to tell */
    pthread_mutex_lock(&lock);
    monitor *m = idmap_get(&by_id, n->notice_id);
    if (m && m->watcher == t)
        record_free(m);
    pthread_mutex_unlock(&lock);
    return true;
}

/* On the watcher: the one place on_down is called. */
static void notice_run(void *self, const void *args) {
    const notice_args *n = args;
    pthread_mutex_lock(&lock);
    monitor *m = idmap_get(&by_id, n->notice_id);
    if (!m || m->watcher != actor_of(self) || m->target_id != n->target_id ||
        (n->reason != ALOX_DOWN_STOPPED && n->reason != ALOX_DOWN_NODE_LOST)) {
        pthread_mutex_unlock(&lock); /* demonitored, or already told */
        return;
    }
    const alox_behaviour_desc *on_down = m->on_down;
    record_free(m);
    pthread_mutex_unlock(&lock);
    on_down_args call = {n->target_id, (alox_down_reason)n->reason};
    on_down->trampoline(self, &call);
}

/* ----- a stopped actor, a lost peer ------------------------------------ */

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
    pthread_mutex_lock(&lock);
    links *l = idmap_get(&by_actor, a->id);
    /* Each step may free l (its last link gone): look it up again. */
    while ((l = idmap_get(&by_actor, a->id)) && l->incoming)
        fire(l->incoming, ALOX_DOWN_STOPPED, &now);
    while ((l = idmap_get(&by_actor, a->id)) && l->outgoing) {
        notices_add_cancel(&now, l->outgoing); /* a remote owner lets its record go */
        record_free(l->outgoing);              /* a stopped watcher is told nothing more */
    }
    pthread_mutex_unlock(&lock);
    notices_send(&now);
}

void monitor_remote_lost(bool (*gone)(struct actor *proxy, void *ctx), void *ctx) {
    notices now;
    notices_init(&now);
    pthread_mutex_lock(&lock);
    for (monitor *m = far_list, *next; m; m = next) {
        next = m->far_next; /* fire and free take m off the list */
        if (m->on_down && is_proxy(m->target) && gone(m->target, ctx))
            fire(m, ALOX_DOWN_NODE_LOST, &now);
        else if (!m->on_down && gone(m->watcher, ctx))
            record_free(m); /* its watcher's node is gone: nobody to tell */
    }
    pthread_mutex_unlock(&lock);
    notices_send(&now);
}
