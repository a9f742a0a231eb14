/* monitor_far.c - remote monitors: the registration and cancel messages
 * between schedulers, the records this node keeps for remote watchers, and
 * what a lost peer fires; see monitor.h for the protocol, monitor.c for
 * the local side (monitor_record.h: what the two share). */
#include "monitor.h"

#include <stddef.h>

#include "actor.h"
#include "mailman.h"
#include "message.h"
#include "monitor_record.h"
#include "remote_hooks.h"
#include "support/idmap.h"

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

static void register_far_run(void *self, const void *args);
static void cancel_far_run(void *self, const void *args);

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
static alox_behaviour_desc register_wire, cancel_wire; /* with hashes, registered */

/* Under monitor_lock. */
static idmap far_by_key = IDMAP_INITIALIZER; /* far_key(watcher, notice id) -> chain */
static monitor *far_list;

/* The registered copies carry the hashes, so the network can name them. */
__attribute__((constructor)) static void register_descriptors(void) {
    cancel_wire = cancel_far_desc;
    cancel_wire.name_hash = alox_hash(cancel_wire.name);
    cancel_wire.signature_hash = alox_hash(cancel_wire.signature);
    alox_register_behaviour(&cancel_wire);
    register_wire = register_far_desc;
    register_wire.name_hash = alox_hash(register_wire.name);
    register_wire.signature_hash = alox_hash(register_wire.signature);
    alox_register_behaviour(&register_wire);
}

bool monitor_is_far_request(const alox_behaviour_desc *b) { return b == &register_wire || b == &cancel_wire; }

/* ----- the records with a proxy at one end, under the lock -------------- */

void far_add(monitor *m) {
    m->far_prev = NULL;
    m->far_next = far_list;
    if (far_list)
        far_list->far_prev = m;
    far_list = m;
    m->far = true;
}

void far_remove(monitor *m) {
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

void far_key_remove(monitor *m) {
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

/* ----- messages to the owner of a remote target ------------------------- */

/* Under the lock: the owner of a remote target may let its record for this monitor go. */
void notices_add_cancel(notices *n, const monitor *m) {
    if (m->far && !m->fired && !core_remote_hooks.proxy_lost(m->target))
        notices_push(n, (notice){m->target, true, {m->notice_id, m->watcher_id, 0, 0}});
}

/* Outside the lock. */
void far_register_send(struct actor *t, uint64_t id, void *self) {
    register_far_args args = {id, self};
    core_remote_hooks.send(t, &register_wire, &args);
}

void far_cancel_send(const notice *item) {
    cancel_far_args cancel = {item->args.notice_id, item->args.target_id};
    core_remote_hooks.send(item->to, &cancel_wire, &cancel);
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
    if (!r->watcher || !monitor_is_proxy(actor_of(r->watcher)) || core_remote_hooks.proxy_lost(actor_of(r->watcher)))
        return; /* a watcher this node cannot name or tell (none of another node, or lost) */
    struct actor *w = actor_of(r->watcher);
    if (!t || t->magic != ACTOR_MAGIC || monitor_is_proxy(t)) {
        notices_add(out, w, r->notice_id, target_id, ALOX_DOWN_STOPPED); /* none, or gone */
        return;
    }
    monitor *m = record_new(0, r->notice_id, w, t, NULL);
    m->target_id = target_id;
    far_add(m);
    key_add(m);
    attach_unless_stopped(m, out); /* a fired remote watcher's record is freed at once */
}

bool monitor_far_request(struct actor *t, uint64_t target_id, const alox_behaviour_desc *b,
                         const void *args) {
    if (b != &register_wire && b != &cancel_wire)
        return false;
    notices now;
    notices_init(&now);
    pthread_mutex_lock(&monitor_lock);
    far_request(t, target_id, b, args, &now);
    pthread_mutex_unlock(&monitor_lock);
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

/* ----- a lost peer ----------------------------------------------------- */

void monitor_remote_lost(bool (*gone)(struct actor *proxy, void *ctx), void *ctx) {
    notices now;
    notices_init(&now);
    pthread_mutex_lock(&monitor_lock);
    for (monitor *m = far_list, *next; m; m = next) {
        next = m->far_next; /* fire and free take m off the list */
        if (m->on_down && monitor_is_proxy(m->target) && gone(m->target, ctx))
            monitor_fire(m, ALOX_DOWN_NODE_LOST, &now);
        else if (!m->on_down && gone(m->watcher, ctx))
            record_free(m); /* its watcher's node is gone: nobody to tell */
    }
    pthread_mutex_unlock(&monitor_lock);
    notices_send(&now);
}
