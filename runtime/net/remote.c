/* remote.c - the distribution surface of alox.h: alox_new_on, alox_publish,
 * alox_lookup, and the LOOKUP exchange behind alox_lookup (on the mailman
 * thread: remote_*). */
#include "transport_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "alox.h"
#include "address_book.h"
#include "core/worker.h"
#include "support/platform.h"
#include "proxy.h"
#include "support/grace.h"
#include "support/registry.h"

/* Serials of actors spawned on another node for us: the top serial bit
 * set, then our node id, then a counter, so they never collide with the
 * serials that node issues itself (which start from 1 and count up). The
 * counter starts at a random point in each process (ALOX_SPAWN_SERIAL_START
 * pins it, for tests): a restarted requester rarely meets its previous
 * run's ids, and when it does the owner refuses the spawn (a dead letter
 * here) and every send to that id from this incarnation (inbound.c), so it
 * never reaches the previous run's actor. */
#define REMOTE_SERIAL_FLAG (1ull << 47)
#define REMOTE_SERIAL_COUNTER_BITS 31

static _Atomic uint64_t remote_spawns;
static pthread_once_t remote_spawns_once = PTHREAD_ONCE_INIT;

static void start_remote_spawns(void) {
    uint64_t start = 0;
    const char *pinned = getenv("ALOX_SPAWN_SERIAL_START");
    if (pinned)
        start = strtoull(pinned, NULL, 0);
    else if (getrandom(&start, sizeof start, 0) != sizeof start)
        alox_fatal("cannot read random bytes for remote-spawn ids");
    atomic_store_explicit(&remote_spawns, start, memory_order_relaxed);
}

static bool valid_name(const char *name) { return wire_check_name(name) == NULL; }

static bool is_this_node(const char *node) {
    return node && (!transport.running || strcmp(node, transport.node) == 0);
}

static const alox_type_desc *type_or_die(const char *what, const char *spelled) {
    const alox_type_desc *type = registry_type_by_spelling(spelled);
    if (!type)
        alox_fatal("%s(%s): no actor type of that name is registered here (name the struct type, "
                   "as in struct pinger, and build with -fplugin=alox)",
                   what, spelled);
    return type;
}

void *alox__new_on(const char *node, uint64_t size, uint64_t align, const char *spelled, ...) {
    if (is_this_node(node))
        return alox__new(size, align, spelled, (void *)0);
    const alox_type_desc *type = type_or_die("alox_new_on", spelled);
    uint16_t node_id;
    peer_epoch *epoch = transport_epoch_of(node, &node_id);
    if (!epoch) {
        fprintf(stderr, "alox: alox_new_on(\"%s\", %s): no node of that name is in the trust file "
                        "(or --alox-node was not given); returning NULL\n",
                node ? node : "(null)", spelled);
        return NULL;
    }
    pthread_once(&remote_spawns_once, start_remote_spawns);
    /* Relaxed: only uniqueness matters. */
    uint64_t count = atomic_fetch_add_explicit(&remote_spawns, 1, memory_order_relaxed);
    uint64_t serial = REMOTE_SERIAL_FLAG | (uint64_t)transport.node_id << REMOTE_SERIAL_COUNTER_BITS |
                      (count & ((1ull << REMOTE_SERIAL_COUNTER_BITS) - 1));
    grace_enter(); /* a proxy of a session that ends meanwhile is freed later (proxy.h) */
    actor *proxy = proxy_for((uint64_t)node_id << 48 | serial, type->name_hash, epoch);
    transport_spawn(proxy, type->name_hash);
    grace_exit();
    return actor_body(proxy);
}

int alox_publish(void *self, const char *name) {
    if (!self || !valid_name(name)) {
        fprintf(stderr, "alox: alox_publish: %s (names are 1 to %u characters of letters, digits, "
                        "'_', '.', '-')\n",
                self ? "bad name" : "NULL actor", WIRE_MAX_NAME);
        return -1;
    }
    actor *a = actor_of(self);
    /* Inside a grace section: if the actor stops meanwhile, it is drained
     * (and its names released) only after the name is in place. */
    grace_enter();
    int result = -1;
    uint32_t flags = atomic_load_explicit(&a->flags, memory_order_acquire); /* before magic: actor.h */
    if (flags & ACTOR_PROXY)
        fprintf(stderr, "alox: alox_publish(\"%s\"): only an actor of this scheduler can be published here\n", name);
    else if ((flags & ACTOR_STOPPED) || a->magic != ACTOR_MAGIC)
        fprintf(stderr, "alox: alox_publish(\"%s\"): the actor has stopped\n", name);
    else if (!proxy_publish(a, name))
        fprintf(stderr, "alox: alox_publish(\"%s\"): that name is already published for another actor\n", name);
    else
        result = 0;
    grace_exit();
    return result;
}

static void *lookup_local(const char *name, const alox_type_desc *type) {
    uint64_t id, type_hash;
    actor *a = proxy_find_published(name, &id, &type_hash);
    if (a && type_hash != type->name_hash) {
        const alox_type_desc *found = registry_type_by_hash(type_hash);
        fprintf(stderr, "alox: alox_lookup(%s, \"%s\"): it is published as a %s, not a %s\n",
                type->name, name, found ? found->name : "(unknown type)", type->name);
        return NULL;
    }
    return a ? actor_body(a) : NULL;
}

void *alox__lookup(const char *node, const char *name, int timeout_ms, const char *spelled, ...) {
    const alox_type_desc *type = type_or_die("alox_lookup", spelled);
    if (!valid_name(name))
        return NULL;
    if (is_this_node(node))
        return lookup_local(name, type);
    int status = -1;
    actor *proxy = transport_lookup(node, name, type->name_hash, timeout_ms, &status);
    if (status == WIRE_LOOKUP_TYPE_MISMATCH)
        fprintf(stderr, "alox: alox_lookup(%s, \"%s\", \"%s\"): the actor published there has "
                        "another type\n",
                type->name, node, name);
    return proxy ? actor_body(proxy) : NULL;
}

/* ---------------------------------------------------------------------
 * Lookups: the caller waits on lookup_done; the mailman sends, retries
 * and completes requests.
 * ------------------------------------------------------------------- */
actor *transport_lookup(const char *node, const char *name, uint64_t type_hash, int timeout_ms,
                        int *status) {
    if (worker_current_actor())
        /* On a worker it would block a core; on the mailman (core/guest.h)
         * it would wait for the thread that must answer it. */
        alox_fatal("alox_lookup(\"%s\", \"%s\") inside a behaviour would block the thread that runs "
                   "it: use alox_lookup_future(T, node, name, timeout_ms) with alox_then",
                   node, name);
    peer *target = transport.running ? session_by_name(node) : NULL;
    *status = -1;
    if (!target)
        return NULL;
    if (atomic_load(&transport.ending)) {
        fprintf(stderr, "alox: alox_lookup(\"%s\", \"%s\"): this node is ending (SIGINT or "
                        "SIGTERM); returning NULL\n",
                node, name);
        return NULL;
    }
    lookup_request *r = calloc(1, sizeof *r);
    if (!r)
        alox_fatal("out of memory for a lookup");
    snprintf(r->name, sizeof r->name, "%s", name);
    r->type_hash = type_hash;
    r->target = target;
    r->status = -1; /* a timeout, unless an answer comes */
    r->deadline_ms = transport_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    pthread_mutex_lock(&transport.lookup_lock);
    r->request = ++transport.next_request;
    r->next = transport.lookups;
    transport.lookups = r;
    pthread_mutex_unlock(&transport.lookup_lock);
    transport_wake();

    pthread_mutex_lock(&transport.lookup_lock);
    while (!r->done)
        pthread_cond_wait(&transport.lookup_done, &transport.lookup_lock);
    for (lookup_request **p = &transport.lookups; *p; p = &(*p)->next)
        if (*p == r) {
            *p = r->next;
            break;
        }
    pthread_mutex_unlock(&transport.lookup_lock);
    *status = r->status;
    actor *found = NULL;
    if (r->status == WIRE_LOOKUP_FOUND)
        found = proxy_for(r->id, r->found_type_hash, peer_current_epoch(target));
    free(r);
    return found;
}

void remote_fail_lookups(const char *why) {
    atomic_store(&transport.ending, true);
    pthread_mutex_lock(&transport.lookup_lock);
    bool failed = false;
    for (lookup_request *r = transport.lookups; r; r = r->next)
        if (!r->done) {
            fprintf(stderr, "alox: %s: alox_lookup(\"%s\", \"%s\") fails: %s\n", transport.node,
                    r->target->name, r->name, why);
            r->status = -1;
            r->done = true;
            failed = true;
        }
    if (failed)
        pthread_cond_broadcast(&transport.lookup_done);
    pthread_mutex_unlock(&transport.lookup_lock);
}

/* Mailman: send due requests, expire late ones. */
void remote_lookup_timers(int64_t now) {
    bool finished = false;
    pthread_mutex_lock(&transport.lookup_lock);
    for (lookup_request *r = transport.lookups; r; r = r->next) {
        if (r->done)
            continue;
        if (now >= r->deadline_ms) {
            r->done = true;
            finished = true;
        } else if (r->target->their_session == 0) {
            address_book_connect(r->target); /* first use: ask once the session is up */
        } else if (now >= r->next_try_ms) {
            session_begin_frame(r->target, &transport.scratch, WIRE_LOOKUP);
            wire_put_lookup(&transport.scratch, r->request, r->type_hash, r->name);
            if (session_send_frame(r->target, &transport.scratch))
                r->next_try_ms = now + TRANSPORT_LOOKUP_RETRY_MS;
        }
    }
    if (finished)
        pthread_cond_broadcast(&transport.lookup_done);
    pthread_mutex_unlock(&transport.lookup_lock);
}

void remote_lookup_reply(peer *p, const wire_frame *f) {
    pthread_mutex_lock(&transport.lookup_lock);
    for (lookup_request *r = transport.lookups; r; r = r->next) {
        if (r->request != f->u.lookup_reply.request || r->target != p || r->done)
            continue;
        if (f->u.lookup_reply.status == WIRE_LOOKUP_NOT_FOUND)
            break; /* not published yet: asked again until the deadline */
        /* A node speaks only for its own actors, and of the type asked. */
        const char *lie = NULL;
        if (f->u.lookup_reply.status == WIRE_LOOKUP_FOUND && (f->u.lookup_reply.id >> 48) != p->node_id)
            lie = "with an actor of another node";
        else if (f->u.lookup_reply.status == WIRE_LOOKUP_FOUND && f->u.lookup_reply.type_hash != r->type_hash)
            lie = "with an actor of another type than asked";
        if (lie) {
            atomic_fetch_add(&transport.malformed, 1);
            fprintf(stderr, "alox: %s: refused the answer of %s to the lookup of \"%s\": it answered "
                            "%s (id %llx); the lookup fails\n",
                    transport.node, p->name, r->name, lie, (unsigned long long)f->u.lookup_reply.id);
            r->status = -1;
            r->done = true;
            pthread_cond_broadcast(&transport.lookup_done);
            break;
        }
        r->status = f->u.lookup_reply.status;
        r->id = f->u.lookup_reply.id;
        r->found_type_hash = f->u.lookup_reply.type_hash;
        r->done = true;
        pthread_cond_broadcast(&transport.lookup_done);
        break;
    }
    pthread_mutex_unlock(&transport.lookup_lock);
}

void remote_serve_lookup(peer *p, const wire_frame *f) {
    uint64_t id, type_hash;
    actor *a = proxy_find_published(f->u.lookup.name, &id, &type_hash);
    uint8_t status = !a ? WIRE_LOOKUP_NOT_FOUND
                        : type_hash != f->u.lookup.type_hash ? WIRE_LOOKUP_TYPE_MISMATCH
                                                             : WIRE_LOOKUP_FOUND;
    session_begin_frame(p, &transport.scratch, WIRE_LOOKUP_REPLY);
    wire_put_lookup_reply(&transport.scratch, f->u.lookup.request, status, id, type_hash);
    session_send_frame(p, &transport.scratch);
}
