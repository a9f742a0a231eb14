/*
 * actor.h - the actor header placed just before the user's struct, so the
 * user's `struct pinger *` is both a C pointer and the actor reference.
 *
 *     [ actor header (64 bytes) | struct pinger ... ]
 *                                ^ what alox_new returns
 *
 * Actors come from the once heap (support/once_heap.h): zeroed memory
 * whose addresses are never handed out twice. A stopped actor's memory goes
 * back after a grace period (reclaim.h) and then reads as zeros: a send
 * that finds no ACTOR_MAGIC at an address the once heap handed out is a
 * send to a stopped actor (a dead letter), never a use-after-free and never
 * a delivery to another actor. The user's struct may ask for any alignment
 * up to a page (_Alignas(64), ..., _Alignas(4096)).
 *
 * A proxy (ACTOR_PROXY) has the same header and a zeroed body of the
 * type's size: sends to it go to the network through the send hook
 * (remote_hooks.h), and code that reads a remote actor's fields by
 * mistake reads zeros, not garbage.
 *
 * Thread-safety: actor_spawn from any thread. The fields other than the
 * mailbox are written once at spawn, except `flags`: ACTOR_STOPPED is
 * written only by the worker running the actor, ACTOR_EXPORTED only under
 * the export lock (net/proxy.c), the type number (its high half) never, ACTOR_MONITORED only under the monitors'
 * lock (core/monitor.c), ACTOR_OVERLOADED and ACTOR_MUTED only under the
 * overload lock (overload.c), ACTOR_FRESH cleared by the worker that first
 * runs the actor; each with an atomic or (and). `overload` is
 * written by the worker running the actor (overload.h says who may read
 * it). A thread that reads another actor's header must be a worker or
 * inside grace_enter (support/grace.h), and must read `flags` (acquire)
 * before `magic`: see actor_takes_messages.
 */
#ifndef ALOX_ACTOR_H
#define ALOX_ACTOR_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alox/abi.h"
#include "mailbox.h"

#define ACTOR_MAGIC 0xa10c5a1eu /* marks a live header; checked on every send */

enum actor_flags {
    ACTOR_STOPPED = 1u << 0, /* alox_stop was called: deliver nothing more */
    ACTOR_PROXY = 1u << 1,   /* stands for an actor of another scheduler */
    ACTOR_EXPORTED = 1u << 2, /* its id has crossed the wire (in the export map) */
    ACTOR_MONITORED = 1u << 3, /* has had monitors, as target or watcher (core/monitor.c) */
    ACTOR_OVERLOADED = 1u << 4, /* backlog over the limit: its senders pause (overload.h) */
    ACTOR_MUTED = 1u << 5,      /* paused after sending to an overloaded actor (overload.h) */
    ACTOR_FRESH = 1u << 6       /* spawned, not yet run: a child, run depth first (worker.h) */
};

/* The high half of `flags` holds the actor's type number (type_number.h),
 * written at spawn and never changed: the atomic or/and above touch only
 * the low bits. */
#define ACTOR_TYPE_SHIFT 16
#define ACTOR_FLAG_BITS ((1u << ACTOR_TYPE_SHIFT) - 1)

/* A send must take the slow path of overload.h when the target has one of these. */
#define ACTOR_PRESSURE (ACTOR_OVERLOADED | ACTOR_MUTED)

typedef struct actor {
    mailbox box;                 /* 24 bytes */
    const alox_type_desc *type;
    uint64_t id;                 /* node << 48 | serial */
    struct actor *next_runnable; /* link in the injection queue, or in a mute list (overload.h) */
    _Atomic uint32_t flags;      /* enum actor_flags; type number << ACTOR_TYPE_SHIFT */
    uint32_t magic;              /* ACTOR_MAGIC */
    union {
        void *remote;              /* proxies: the network layer's own (remote_hooks.h) */
        struct overload *overload; /* local actors: NULL, or their backlog record (overload.h) */
    };
} actor;

_Static_assert(sizeof(actor) == 64, "the actor header is one cache line");

static inline actor *actor_of(const void *body) { return (actor *)((char *)body - sizeof(actor)); }

static inline void *actor_body(actor *a) { return (char *)a + sizeof(actor); }

/* Bytes an actor of this type occupies, header included. */
static inline size_t actor_footprint(const alox_type_desc *type) {
    return (sizeof(actor) + (size_t)type->size + 15) & ~(size_t)15;
}

/* The actor's type number (type_number.h), from a value of its flags or
 * from the header. Relaxed: the number never changes after spawn. */
static inline uint32_t actor_flags_type_number(uint32_t flags) { return flags >> ACTOR_TYPE_SHIFT; }

static inline uint32_t actor_type_number(const actor *a) {
    return actor_flags_type_number(atomic_load_explicit(&a->flags, memory_order_relaxed));
}

/* Does a send to `a` go into its mailbox now? False for a stopped actor,
 * whose memory may already read as zeros (magic 0), and for a proxy.
 * Flags first, with acquire: the memory of a freed actor turns to zeros
 * once and for ever, so if the later load of magic still finds the
 * header, the flags came from it too (and hold ACTOR_STOPPED if the
 * actor stopped before the reader's grace-period point). */
static inline bool actor_takes_messages(const actor *a) {
    uint32_t flags = atomic_load_explicit(&a->flags, memory_order_acquire);
    return a->magic == ACTOR_MAGIC && !(flags & (ACTOR_STOPPED | ACTOR_PROXY));
}

/* Was this stopped actor's memory given back? (magic gone at an address of
 * the once heap). A non-actor pointer is neither. Slow path only. */
bool actor_was_freed(const actor *a);

/* The serial of an id: its low 48 bits (the node is above). */
#define ACTOR_SERIAL_MASK ((1ull << 48) - 1)

/* Was this serial handed out by actor_spawn on this node (it had an actor,
 * alive or stopped)? Ids made elsewhere (remote spawns: net/remote.c) say
 * false. Any thread. */
bool actor_serial_issued(uint64_t id);

/* A zeroed actor of the given type, with a fresh id on this node. */
actor *actor_spawn(const alox_type_desc *type);

/* A zeroed actor (or proxy, with flags) with the given id. */
actor *actor_spawn_with_id(const alox_type_desc *type, uint64_t id, uint32_t flags);

/* The node id of this scheduler (0 until distribution assigns one). */
extern uint16_t actor_node_id;

#endif
