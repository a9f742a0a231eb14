/* proxy.c - see proxy.h. */
#include "proxy.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/drained.h"
#include "support/grace.h"
#include "support/idmap.h"
#include "support/once_heap.h"
#include "peer.h"
#include "support/platform.h"
#include "support/registry.h"

/* Tunables. */
#define PROXY_TOMBSTONE_MS 2000 /* a retired proxy keeps its header this long, so sends just after
                                 * the loss say "peer lost" with the actor's id; then it goes */

static pthread_mutex_t export_lock = PTHREAD_MUTEX_INITIALIZER;
static idmap exports = IDMAP_INITIALIZER;
static uint64_t export_count; /* under export_lock */
/* Stands for every exported actor that is gone (under export_lock): a
 * block of the once heap never made an actor, so it reads as a freed one
 * for ever (magic 0): a send to it is ALOX_DEAD_STOPPED, a monitor on it
 * is down at once, as for any reference to a freed actor. */
static actor *gone_actor;

static pthread_mutex_t proxy_lock = PTHREAD_MUTEX_INITIALIZER;
static idmap proxies = IDMAP_INITIALIZER;
static idmap placeholder_types = IDMAP_INITIALIZER; /* type hash -> alox_type_desc */
static uint64_t proxies_made;                       /* under proxy_lock */
static actor *tomb;                                 /* retired proxies, under proxy_lock */

/* Mailman only: the retired proxies being aged, then freed. */
static struct {
    actor *list;
    int64_t since_ms;
    uint64_t grace; /* 0: no grace period started */
    uint64_t freed;
} aging;
static _Atomic uint64_t freed_total; /* relaxed: a statistic */

static pthread_mutex_t name_lock = PTHREAD_MUTEX_INITIALIZER;
static idmap names = IDMAP_INITIALIZER; /* alox_hash(name) -> actor, under name_lock */
/* actor id -> how many names it holds (as a pointer), under name_lock: an
 * exported actor without a name is drained without a look at `names`. */
static idmap named = IDMAP_INITIALIZER;
static uint64_t name_count; /* entries in `names`, under name_lock */

void proxy_export(actor *a) {
    /* Relaxed: a hint that saves the lock on the common path; the map
     * itself is read and written under export_lock. */
    if (atomic_load_explicit(&a->flags, memory_order_relaxed) & ACTOR_EXPORTED)
        return;
    /* Before the first flag: drains of exported actors release through it. */
    actor_drained_set_exported(proxy_export_drained);
    pthread_mutex_lock(&export_lock);
    if (!idmap_get(&exports, a->id))
        export_count++;
    idmap_put(&exports, a->id, a);
    atomic_fetch_or_explicit(&a->flags, ACTOR_EXPORTED, memory_order_relaxed);
    pthread_mutex_unlock(&export_lock);
}

/* An id this node's actor_spawn made: its entry may go when the actor is
 * drained, since a later message for the id is known to be for an actor
 * that was. A remote spawn's id (net/remote.c) keeps its entry: it is what
 * refuses a second spawn under the same id (inbound.c). */
static bool forgettable(uint64_t id) { return actor_serial_issued(id); }

/* Its published names go (under name_lock): a lookup then finds nothing,
 * and the name may be published again, instead of naming a freed actor. */
static void unpublish(actor *a) {
    uintptr_t held = (uintptr_t)idmap_get(&named, a->id);
    if (!held)
        return;
    idmap_remove(&named, a->id);
    for (size_t i = 0; held && i < names.capacity;) {
        if (names.keys[i] && names.values[i] == a) {
            idmap_remove(&names, names.keys[i]); /* moves a later entry into slot i: look again */
            name_count--;
            held--;
        } else {
            i++;
        }
    }
}

void proxy_export_drained(actor *a) {
    pthread_mutex_lock(&name_lock);
    unpublish(a);
    pthread_mutex_unlock(&name_lock);
    if (!forgettable(a->id))
        return;
    pthread_mutex_lock(&export_lock);
    if (idmap_get(&exports, a->id) == a) {
        idmap_remove(&exports, a->id);
        export_count--;
    }
    pthread_mutex_unlock(&export_lock);
}

uint64_t proxy_export_count(void) {
    pthread_mutex_lock(&export_lock);
    uint64_t n = export_count;
    pthread_mutex_unlock(&export_lock);
    return n;
}

actor *proxy_find_export(uint64_t id) {
    pthread_mutex_lock(&export_lock);
    actor *a = idmap_get(&exports, id);
    if (!a && (id >> 48) == actor_node_id && forgettable(id)) { /* exported once, now gone */
        if (!gone_actor)
            gone_actor = once_heap_alloc(sizeof(actor), sizeof(actor), 16);
        a = gone_actor;
    }
    pthread_mutex_unlock(&export_lock);
    return a;
}

/* Under proxy_lock: a descriptor for a type this program does not know,
 * so the proxy has a header (sends are checked by the owning node). */
static const alox_type_desc *placeholder_type(uint64_t type_hash) {
    alox_type_desc *t = idmap_get(&placeholder_types, type_hash ? type_hash : 1);
    if (!t) {
        t = calloc(1, sizeof *t);
        if (!t)
            alox_fatal("out of memory creating a proxy type");
        *t = (alox_type_desc){ALOX_ABI_VERSION, 0, "(remote type)", type_hash, 0, 1};
        idmap_put(&placeholder_types, type_hash ? type_hash : 1, t);
    }
    return t;
}

/* Under proxy_lock: the key of (id, type) in `proxies`. Keyed by both, a
 * peer that names an actor with a wrong type makes a proxy of its own
 * (whose sends the owner refuses) and cannot retype the real one. The salt
 * (random, per process) keeps a peer from choosing a type hash whose key
 * lands on another actor's. */
static uint64_t proxy_key(uint64_t id, uint64_t type_hash) {
    static uint64_t salt;
    while (salt == 0)
        if (getrandom(&salt, sizeof salt, 0) != sizeof salt)
            alox_fatal("cannot read random bytes for the proxy table");
    uint64_t h = (type_hash ^ salt) * 0x9e3779b97f4a7c15ull;
    h ^= h >> 29;
    uint64_t key = id ^ h;
    return key ? key : 1;
}

/* Under proxy_lock. */
static void link_proxy(actor **list, actor *p) {
    p->next_runnable = *list;
    *list = p;
}

actor *proxy_for(uint64_t id, uint64_t type_hash, struct peer_epoch *epoch) {
    pthread_mutex_lock(&proxy_lock);
    uint64_t key = proxy_key(id, type_hash);
    actor *p = idmap_get(&proxies, key);
    bool other = p && (p->id != id || p->type->name_hash != type_hash); /* a key collision */
    if (!p || other || (proxy_epoch(p) != epoch && peer_epoch_is_dead(proxy_epoch(p)))) {
        const alox_type_desc *type = registry_type_by_hash(type_hash);
        p = actor_spawn_with_id(type ? type : placeholder_type(type_hash), id, ACTOR_PROXY);
        p->remote = epoch;
        if (epoch) /* Relaxed: session_lost may miss it, then the proxy lives on in the next session */
            atomic_fetch_add_explicit(&epoch->proxies, 1, memory_order_relaxed);
        bool tombstone = epoch == NULL || epoch->retired; /* no session will ever carry its sends */
        link_proxy(tombstone ? &tomb : &epoch->proxy_list, p);
        if (!other && !tombstone) /* a colliding pair gets an unshared proxy: correct, only not pointer-equal */
            idmap_put(&proxies, key, p);
        proxies_made++;
    }
    pthread_mutex_unlock(&proxy_lock);
    return p;
}

actor *proxy_dead(uint64_t id, uint64_t type_hash, struct peer_epoch *graveyard) {
    pthread_mutex_lock(&proxy_lock);
    const alox_type_desc *type = registry_type_by_hash(type_hash);
    actor *p = actor_spawn_with_id(type ? type : placeholder_type(type_hash), id, ACTOR_PROXY);
    p->remote = graveyard;
    link_proxy(&tomb, p); /* an ended process's actor: a tombstone from birth */
    pthread_mutex_unlock(&proxy_lock);
    return p;
}

bool proxy_publish(actor *a, const char *name) {
    uint64_t key = alox_hash(name);
    pthread_mutex_lock(&name_lock);
    actor *known = idmap_get(&names, key);
    bool ok = known == NULL || known == a;
    if (known == NULL) {
        idmap_put(&names, key, a);
        idmap_put(&named, a->id, (void *)((uintptr_t)idmap_get(&named, a->id) + 1));
        name_count++;
    }
    pthread_mutex_unlock(&name_lock);
    if (ok)
        proxy_export(a); /* before the actor can be drained: its names go with its export */
    return ok;
}

actor *proxy_find_published(const char *name, uint64_t *id, uint64_t *type_hash) {
    pthread_mutex_lock(&name_lock);
    actor *a = idmap_get(&names, alox_hash(name));
    /* Read here: while named, the actor is not yet drained (unpublish runs
     * under this lock first), so its header is still its own. */
    *id = a ? a->id : 0;
    *type_hash = a ? a->type->name_hash : 0;
    pthread_mutex_unlock(&name_lock);
    return a;
}

uint64_t proxy_name_count(void) {
    pthread_mutex_lock(&name_lock);
    uint64_t n = name_count;
    pthread_mutex_unlock(&name_lock);
    return n;
}

uint64_t proxy_made_count(void) {
    pthread_mutex_lock(&proxy_lock);
    uint64_t n = proxies_made;
    pthread_mutex_unlock(&proxy_lock);
    return n;
}

void proxy_retire_epoch(struct peer_epoch *e) {
    pthread_mutex_lock(&proxy_lock);
    actor *p = e->proxy_list, *next;
    for (; p; p = next) {
        next = p->next_runnable;
        uint64_t key = proxy_key(p->id, p->type->name_hash);
        if (idmap_get(&proxies, key) == p)
            idmap_remove(&proxies, key);
        link_proxy(&tomb, p);
    }
    e->proxy_list = NULL;
    e->retired = true;
    pthread_mutex_unlock(&proxy_lock);
}

bool proxy_reclaim_due(int64_t now) {
    if (!aging.list) {
        pthread_mutex_lock(&proxy_lock);
        aging.list = tomb;
        tomb = NULL;
        pthread_mutex_unlock(&proxy_lock);
        aging.since_ms = now;
        return false;
    }
    if (aging.grace == 0) {
        if (now - aging.since_ms < PROXY_TOMBSTONE_MS)
            return false;
        aging.grace = grace_start(); /* after it, no send that read a header is still going */
    }
    return grace_done(aging.grace);
}

void proxy_reclaim_free(void) {
    once_heap_batch batch = {.count = 0}; /* the rest zero too, as once_heap.h asks */
    uint64_t n = 0;
    for (actor *p = aging.list, *next; p; p = next) {
        next = p->next_runnable;
        actor_drained(p); /* monitors keyed by it let go */
        once_heap_free(p, actor_footprint(p->type), &batch);
        n++;
    }
    once_heap_flush(&batch);
    aging.list = NULL;
    aging.grace = 0;
    atomic_fetch_add_explicit(&freed_total, n, memory_order_relaxed);
}

uint64_t proxy_freed_count(void) { return atomic_load_explicit(&freed_total, memory_order_relaxed); }
