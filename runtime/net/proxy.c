/* proxy.c - see proxy.h. */
#include "proxy.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "support/idmap.h"
#include "peer.h"
#include "support/platform.h"
#include "support/registry.h"

static pthread_mutex_t export_lock = PTHREAD_MUTEX_INITIALIZER;
static idmap exports = IDMAP_INITIALIZER;

static pthread_mutex_t proxy_lock = PTHREAD_MUTEX_INITIALIZER;
static idmap proxies = IDMAP_INITIALIZER;
static idmap placeholder_types = IDMAP_INITIALIZER; /* type hash -> alox_type_desc */
static uint64_t proxies_made;                       /* under proxy_lock */

static pthread_mutex_t name_lock = PTHREAD_MUTEX_INITIALIZER;
static idmap names = IDMAP_INITIALIZER; /* alox_hash(name) -> actor */

void proxy_export(actor *a) {
    /* Relaxed: a hint that saves the lock on the common path; the map
     * itself is read and written under export_lock. */
    if (atomic_load_explicit(&a->flags, memory_order_relaxed) & ACTOR_EXPORTED)
        return;
    pthread_mutex_lock(&export_lock);
    idmap_put(&exports, a->id, a);
    atomic_fetch_or_explicit(&a->flags, ACTOR_EXPORTED, memory_order_relaxed);
    pthread_mutex_unlock(&export_lock);
}

actor *proxy_find_export(uint64_t id) {
    pthread_mutex_lock(&export_lock);
    actor *a = idmap_get(&exports, id);
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

actor *proxy_for(uint64_t id, uint64_t type_hash, struct peer_epoch *epoch) {
    pthread_mutex_lock(&proxy_lock);
    uint64_t key = proxy_key(id, type_hash);
    actor *p = idmap_get(&proxies, key);
    bool other = p && (p->id != id || p->type->name_hash != type_hash); /* a key collision */
    if (!p || other || (proxy_epoch(p) != epoch && peer_epoch_is_dead(proxy_epoch(p)))) {
        const alox_type_desc *type = registry_type_by_hash(type_hash);
        p = actor_spawn_with_id(type ? type : placeholder_type(type_hash), id, ACTOR_PROXY);
        p->remote = epoch;
        if (!other) /* a colliding pair gets an unshared proxy: correct, only not pointer-equal */
            idmap_put(&proxies, key, p);
        proxies_made++;
    }
    pthread_mutex_unlock(&proxy_lock);
    return p;
}

bool proxy_publish(actor *a, const char *name) {
    uint64_t key = alox_hash(name);
    pthread_mutex_lock(&name_lock);
    actor *known = idmap_get(&names, key);
    bool ok = known == NULL || known == a;
    if (ok)
        idmap_put(&names, key, a);
    pthread_mutex_unlock(&name_lock);
    if (ok)
        proxy_export(a);
    return ok;
}

actor *proxy_find_published(const char *name) {
    pthread_mutex_lock(&name_lock);
    actor *a = idmap_get(&names, alox_hash(name));
    pthread_mutex_unlock(&name_lock);
    return a;
}

uint64_t proxy_made_count(void) {
    pthread_mutex_lock(&proxy_lock);
    uint64_t n = proxies_made;
    pthread_mutex_unlock(&proxy_lock);
    return n;
}
