/* membership.c - the cluster thread: registration, keepalive, the watch
 * and the table of members; see membership.h. */
#include "membership.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alox.h"
#include "cluster_libs.h"
#include "etcd.h"
#include "member_record.h"
#include "support/platform.h"

typedef struct member {
    char name[KEYS_NAME_MAX + 1];
    char address[MEMBER_ADDRESS_MAX + 1];
    uint64_t incarnation;
    bool present;  /* in the cluster now */
    bool seen;     /* in the range being compared (resync) */
} member;

/* A record already reported as ignored, so the log says it once. */
typedef struct ignored_record {
    char name[KEYS_NAME_MAX + 1];
    uint64_t incarnation;
} ignored_record;

#define IGNORED_REMEMBERED 64 /* distinct ignored records logged once each; then again */

static struct {
    membership_config config;
    char node[KEYS_NAME_MAX + 1], address[MEMBER_ADDRESS_MAX + 1], public_z85[KEYS_Z85_LEN + 1];
    char prefix[128], self_key[192];
    char *self_value;              /* our record as JSON */
    member_record self;
    etcd_client *etcd;
    pthread_t thread;
    _Atomic bool running;          /* any thread reads it (alox_on_member) */
    _Atomic bool stopping;

    /* The cluster thread's. */
    int64_t lease, lease_ttl_s;
    bool registered, ever_registered, etcd_down;
    int64_t next_register_ms, next_keepalive_ms, next_resync_ms;
    ignored_record ignored[IGNORED_REMEMBERED];
    size_t ignored_next;

    pthread_mutex_t lock;          /* the table, for membership_members */
    member *members;
    size_t count, capacity;
} ms = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The program's handler. It is set by any thread (requested_handler) but
 * called only by the cluster thread, which first tells it the members
 * already known (delivered_handler: the one that has heard everything so
 * far), so a handler set after alox_init misses no one and hears no one
 * twice. Release/acquire: the function's code and data are ready when
 * the cluster thread sees the pointer. */
static _Atomic(alox_member_fn) requested_handler;
static alox_member_fn delivered_handler; /* the cluster thread's */

void alox_on_member(alox_member_fn fn) {
    atomic_store_explicit(&requested_handler, fn, memory_order_release);
    /* Acquire: pairs with the release in membership_start, so ms.etcd is
     * set. (Not during exit: membership_stop closes the client.) */
    if (atomic_load_explicit(&ms.running, memory_order_acquire))
        etcd_wakeup(ms.etcd);
}

size_t alox_members(char (*names)[ALOX_NODE_NAME_MAX + 1], size_t max) {
    return membership_members(names, max);
}

bool membership_running(void) { return atomic_load_explicit(&ms.running, memory_order_acquire); }
uint64_t membership_self_incarnation(void) { return ms.self.incarnation; }

/* MEMBERSHIP_RETRY_MS plus up to as much again, at random: when etcd comes
 * back, a thousand nodes do not all range the members in the same
 * millisecond. */
static int64_t retry_delay_ms(void) {
    static _Thread_local unsigned seed;
    if (!seed)
        seed = (unsigned)ms.self.incarnation | 1u;
    return MEMBERSHIP_RETRY_MS + rand_r(&seed) % MEMBERSHIP_RETRY_MS;
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---------------------------------------------------------------------
 * The table. Changed only by the cluster thread, under the lock for
 * readers; the hooks and the program's handler run outside it.
 * ------------------------------------------------------------------- */
static member *find_member(const char *name) {
    for (size_t i = 0; i < ms.count; i++)
        if (strcmp(ms.members[i].name, name) == 0)
            return &ms.members[i];
    return NULL;
}

static member *add_member(const char *name) {
    if (ms.count == ms.capacity) {
        size_t capacity = ms.capacity ? ms.capacity * 2 : 16;
        member *grown = realloc(ms.members, capacity * sizeof *grown);
        if (!grown)
            alox_fatal("out of memory keeping the cluster's members");
        ms.members = grown;
        ms.capacity = capacity;
    }
    member *m = &ms.members[ms.count++];
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    return m;
}

size_t membership_members(char (*names)[KEYS_NAME_MAX + 1], size_t max) {
    pthread_mutex_lock(&ms.lock);
    size_t n = 0;
    for (size_t i = 0; i < ms.count; i++)
        if (ms.members[i].present) {
            if (n < max)
                memcpy(names[n], ms.members[i].name, sizeof names[n]);
            n++;
        }
    pthread_mutex_unlock(&ms.lock);
    return n;
}

static void tell_joined(const char *name, const char *address, uint64_t incarnation) {
    fprintf(stderr, "alox: %s: cluster %s: %s joined (%s, incarnation %llu)\n", ms.node,
            ms.config.url.cluster, name, address, (unsigned long long)incarnation);
    if (ms.config.hooks.joined)
        ms.config.hooks.joined(name, address, incarnation);
    if (delivered_handler)
        delivered_handler(name, true, incarnation);
}

static void tell_left(const char *name, uint64_t incarnation) {
    fprintf(stderr, "alox: %s: cluster %s: %s left (incarnation %llu)\n", ms.node,
            ms.config.url.cluster, name, (unsigned long long)incarnation);
    if (ms.config.hooks.left)
        ms.config.hooks.left(name, incarnation);
    if (delivered_handler)
        delivered_handler(name, false, incarnation);
}

/* Logs an ignored record once (per name and incarnation). */
static void ignore_record(const char *name, uint64_t incarnation, const char *why) {
    for (size_t i = 0; i < IGNORED_REMEMBERED; i++)
        if (ms.ignored[i].incarnation == incarnation && strcmp(ms.ignored[i].name, name) == 0)
            return;
    ignored_record *slot = &ms.ignored[ms.ignored_next++ % IGNORED_REMEMBERED];
    snprintf(slot->name, sizeof slot->name, "%s", name);
    slot->incarnation = incarnation;
    fprintf(stderr, "alox: %s: cluster %s: ignored the member record of %s: %s\n", ms.node,
            ms.config.url.cluster, name, why);
}

static void on_put(const etcd_kv *kv) {
    size_t prefix_len = strlen(ms.prefix);
    char name[KEYS_NAME_MAX + 1];
    snprintf(name, sizeof name, "%.*s", (int)(kv->key_size - prefix_len), kv->key + prefix_len);
    member_record r;
    char why[512];
    if (!member_record_decode(kv->value, kv->value_size, &r, why, sizeof why)) {
        ignore_record(name, (uint64_t)kv->mod_revision, why);
        return;
    }
    if (strcmp(r.name, name) != 0) {
        snprintf(why, sizeof why, "it is stored under the name '%s' but names '%s'", name, r.name);
        ignore_record(name, r.incarnation, why);
        return;
    }
    if (strcmp(name, ms.node) == 0) {
        if (r.incarnation != ms.self.incarnation)
            ignore_record(name, r.incarnation,
                          "another process registers this node's name (two processes with one "
                          "name: stop one)");
        return;
    }
    if (!member_record_check(&r, ms.config.trust, why, sizeof why)) {
        ignore_record(name, r.incarnation, why);
        return;
    }
    pthread_mutex_lock(&ms.lock);
    member *m = find_member(name);
    if (!m)
        m = add_member(name);
    m->seen = true;
    bool same = m->present && m->incarnation == r.incarnation && strcmp(m->address, r.address) == 0;
    bool older = m->present && r.incarnation < m->incarnation;
    uint64_t previous = m->present && m->incarnation != r.incarnation ? m->incarnation : 0;
    if (!same && !older) {
        m->present = true;
        m->incarnation = r.incarnation;
        snprintf(m->address, sizeof m->address, "%s", r.address);
    }
    pthread_mutex_unlock(&ms.lock);
    if (older) {
        ignore_record(name, r.incarnation, "an older incarnation than the member known");
        return;
    }
    if (same)
        return;
    if (previous)
        tell_left(name, previous); /* restarted: its old actors are down */
    tell_joined(name, r.address, r.incarnation);
}

static void on_delete(const char *name) {
    pthread_mutex_lock(&ms.lock);
    member *m = find_member(name);
    bool was = m && m->present;
    uint64_t incarnation = m ? m->incarnation : 0;
    if (m)
        m->present = false;
    pthread_mutex_unlock(&ms.lock);
    if (was)
        tell_left(name, incarnation);
}

static void on_kv(void *context, const etcd_kv *kv) {
    (void)context;
    size_t prefix_len = strlen(ms.prefix);
    if (kv->key_size <= prefix_len || kv->key_size - prefix_len > KEYS_NAME_MAX ||
        memcmp(kv->key, ms.prefix, prefix_len) != 0)
        return; /* not a member key of ours */
    if (kv->deleted) {
        char name[KEYS_NAME_MAX + 1];
        snprintf(name, sizeof name, "%.*s", (int)(kv->key_size - prefix_len), kv->key + prefix_len);
        if (strcmp(name, ms.node) == 0 && ms.registered) {
            /* Our own record went (deleted by hand, or the lease ran out in
             * a stall): without it nobody new finds us. */
            fprintf(stderr, "alox: %s: cluster %s: this node's record was deleted; registering again\n",
                    ms.node, ms.config.url.cluster);
            ms.registered = false;
            ms.next_register_ms = now_ms();
            return;
        }
        on_delete(name);
    } else {
        on_put(kv);
    }
}

/* ---------------------------------------------------------------------
 * Talking to etcd.
 * ------------------------------------------------------------------- */
static void etcd_failed(const char *what) {
    if (!ms.etcd_down)
        fprintf(stderr,
                "alox: %s: cluster %s: etcd does not answer (%s: %s); links to members carry on, "
                "retrying every %d to %d ms\n",
                ms.node, ms.config.url.cluster, what, etcd_error(ms.etcd), MEMBERSHIP_RETRY_MS, 2 * MEMBERSHIP_RETRY_MS);
    ms.etcd_down = true;
}

static void etcd_answered(void) {
    if (ms.etcd_down)
        fprintf(stderr, "alox: %s: cluster %s: etcd answers again\n", ms.node,
                ms.config.url.cluster);
    ms.etcd_down = false;
}

static void try_register(int64_t now) {
    int64_t lease, ttl;
    if (!etcd_lease_grant(ms.etcd, ms.config.lease_ttl_s, &lease, &ttl)) {
        etcd_failed("lease grant");
        ms.next_register_ms = now + retry_delay_ms();
        return;
    }
    if (!etcd_put(ms.etcd, ms.self_key, ms.self_value, strlen(ms.self_value), lease)) {
        etcd_failed("registering");
        etcd_lease_revoke(ms.etcd, lease);
        ms.next_register_ms = now + retry_delay_ms();
        return;
    }
    etcd_answered();
    fprintf(stderr, "alox: %s: cluster %s: %sregistered as %s (lease %lld s)\n", ms.node,
            ms.config.url.cluster, ms.ever_registered ? "re-" : "", ms.address, (long long)ttl);
    ms.lease = lease;
    ms.lease_ttl_s = ttl > 0 ? ttl : ms.config.lease_ttl_s;
    ms.registered = ms.ever_registered = true;
    ms.next_keepalive_ms = now + ms.lease_ttl_s * 1000 / 3;
}

static void keep_alive(int64_t now) {
    int64_t ttl;
    int r = etcd_lease_keepalive(ms.etcd, ms.lease, &ttl);
    if (r > 0) {
        etcd_answered();
        ms.next_keepalive_ms = now + ttl * 1000 / 3;
    } else if (r == 0) { /* etcd forgot the lease (expired, or lost its data): register again */
        etcd_answered();
        ms.registered = false;
        ms.next_register_ms = now;
    } else {
        etcd_failed("lease keepalive");
        /* etcd does not answer us: the watch's connection may be as dead
         * without knowing it (a vanished host). Range and watch afresh
         * once etcd answers: no event is missed in between. */
        etcd_watch_stop(ms.etcd);
        ms.next_keepalive_ms = now + retry_delay_ms(); /* the lease may outlive the outage */
    }
}

/* The members now, compared with the table; then a watch from there. */
static void resync(int64_t now) {
    for (size_t i = 0; i < ms.count; i++)
        ms.members[i].seen = false;
    int64_t revision;
    if (!etcd_range_prefix(ms.etcd, ms.prefix, on_kv, NULL, &revision)) {
        etcd_failed("reading the members");
        ms.next_resync_ms = now + retry_delay_ms();
        return;
    }
    for (size_t i = 0; i < ms.count; i++)
        if (ms.members[i].present && !ms.members[i].seen)
            on_delete(ms.members[i].name); /* left while we were not watching */
    if (!etcd_watch_start(ms.etcd, ms.prefix, revision + 1, on_kv, NULL)) {
        etcd_failed("watching the members");
        ms.next_resync_ms = now + retry_delay_ms();
        return;
    }
    etcd_answered();
    ms.next_resync_ms = now + retry_delay_ms(); /* if the watch ends, not before this */
}

static int64_t earliest(int64_t a, int64_t b) { return a < b ? a : b; }

/* A new handler hears the members present now, then what follows. The
 * table changes only on this thread: no lock needed to read it here. */
static void adopt_handler(void) {
    alox_member_fn fn = atomic_load_explicit(&requested_handler, memory_order_acquire);
    if (fn == delivered_handler)
        return;
    delivered_handler = fn;
    for (size_t i = 0; fn && i < ms.count; i++)
        if (ms.members[i].present)
            fn(ms.members[i].name, true, ms.members[i].incarnation);
}

static void *cluster_main(void *unused) {
    (void)unused;
    ms.next_register_ms = ms.next_resync_ms = now_ms();
    while (!atomic_load_explicit(&ms.stopping, memory_order_acquire)) {
        adopt_handler();
        int64_t now = now_ms();
        if (!ms.registered && now >= ms.next_register_ms)
            try_register(now);
        else if (ms.registered && now >= ms.next_keepalive_ms)
            keep_alive(now);
        if (!etcd_watching(ms.etcd) && now >= ms.next_resync_ms)
            resync(now);
        now = now_ms();
        int64_t next = ms.registered ? ms.next_keepalive_ms : ms.next_register_ms;
        if (!etcd_watching(ms.etcd))
            next = earliest(next, ms.next_resync_ms);
        int64_t wait = next - now;
        if (atomic_load_explicit(&requested_handler, memory_order_relaxed) != delivered_handler)
            wait = 0;
        etcd_wait(ms.etcd, (int)(wait < 0 ? 0 : wait > 1000 ? 1000 : wait));
    }
    return NULL;
}

/* ---------------------------------------------------------------------
 * Start and stop.
 * ------------------------------------------------------------------- */
static uint64_t wall_clock_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

bool membership_start(const membership_config *c, char *err, size_t err_size) {
    if (!cluster_libs_load(err, err_size)) /* libcurl, Jansson: loaded only now */
        return false;
    ms.config = *c;
    if (ms.config.lease_ttl_s <= 0)
        ms.config.lease_ttl_s = MEMBERSHIP_LEASE_TTL_S;
    snprintf(ms.node, sizeof ms.node, "%s", c->node);
    snprintf(ms.address, sizeof ms.address, "%s", c->address);
    snprintf(ms.public_z85, sizeof ms.public_z85, "%s", c->public_z85);
    ms.config.node = ms.node;
    ms.config.address = ms.address;
    ms.config.public_z85 = ms.public_z85;
    member_prefix(c->url.cluster, ms.prefix, sizeof ms.prefix);
    snprintf(ms.self_key, sizeof ms.self_key, "%s%s", ms.prefix, ms.node);
    snprintf(ms.self.name, sizeof ms.self.name, "%s", ms.node);
    snprintf(ms.self.address, sizeof ms.self.address, "%s", ms.address);
    snprintf(ms.self.key_z85, sizeof ms.self.key_z85, "%s", ms.public_z85);
    ms.self.incarnation = wall_clock_us();
    ms.self_value = member_record_encode(&ms.self);
    if (!ms.self_value || !etcd_global_init() ||
        !(ms.etcd = etcd_open(c->url.host, c->url.port))) {
        snprintf(err, err_size, "--alox-cluster: cannot start the etcd client (libcurl)");
        return false;
    }
    if (pthread_create(&ms.thread, NULL, cluster_main, NULL) != 0) {
        snprintf(err, err_size, "--alox-cluster: cannot start the cluster thread");
        return false;
    }
    atomic_store_explicit(&ms.running, true, memory_order_release);
    return true;
}

void membership_stop(void) {
    if (!atomic_load_explicit(&ms.running, memory_order_acquire))
        return;
    atomic_store_explicit(&ms.stopping, true, memory_order_release);
    etcd_wakeup(ms.etcd);
    pthread_join(ms.thread, NULL);
    atomic_store_explicit(&ms.running, false, memory_order_release);
    if (ms.registered) /* leave at once rather than at the lease's end */
        etcd_lease_revoke(ms.etcd, ms.lease);
    etcd_close(ms.etcd);
    ms.etcd = NULL;
    free(ms.self_value);
    ms.self_value = NULL;
}
