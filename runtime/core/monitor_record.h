/*
 * monitor_record.h - the monitor record and the lock over every record,
 * shared by the two halves of monitors (internal to core/, see monitor.h
 * for the protocol):
 *   monitor.c      local monitors: the records by id and by actor, the
 *                  notices, alox_monitor_desc / alox_demonitor, on_down,
 *                  a stopped actor's monitors;
 *   monitor_far.c  remote monitors: the registration and cancel messages
 *                  to and from other schedulers, the records of remote
 *                  watchers (by watcher and notice id), and what a lost
 *                  peer fires (ALOX_DOWN_NODE_LOST).
 *
 * Thread-safety: every record and table of both files is read and
 * written under monitor_lock only; the functions below marked "under the
 * lock" expect the caller to hold it. Notices are gathered under it and
 * sent after (notices_send), never with it held.
 */
#ifndef ALOX_MONITOR_RECORD_H
#define ALOX_MONITOR_RECORD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alox/abi.h"

struct actor;

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

/* What the notice carries; the user's on_down gets target_id and reason. */
typedef struct notice_args {
    uint64_t notice_id;
    uint64_t target_id;
    uint32_t reason;
    uint32_t unused;
} notice_args;

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

extern pthread_mutex_t monitor_lock;

/* A proxy (an actor of another scheduler)? */
bool monitor_is_proxy(const struct actor *a);

/* Notices: gathered (under the lock or not), then sent and released
 * (never under the lock). */
void notices_init(notices *n);
void notices_push(notices *n, notice item);
void notices_add(notices *n, struct actor *to, uint64_t notice_id, uint64_t target_id,
                 alox_down_reason reason);
void notices_send(notices *n);

/* Under the lock: a new record (counted; in no table yet), and a record
 * out of every table and freed. */
monitor *record_new(uint64_t id, uint64_t notice_id, struct actor *watcher, struct actor *target,
                    const alox_behaviour_desc *on_down);
void record_free(monitor *m);

/* Under the lock: the monitor is down, its watcher gets one notice. */
void monitor_fire(monitor *m, alox_down_reason reason, notices *out);

/* Under the lock: on a local target's list, or fired at once if it has
 * stopped (monitor.c says how the two meet). */
void attach_unless_stopped(monitor *m, notices *out);

/* monitor_far.c, under the lock: the list of records with a proxy at one
 * end (add, remove: a no-op if not on it), and a remote watcher's record
 * out of its far_by_key chain. */
void far_add(monitor *m);
void far_remove(monitor *m);
void far_key_remove(monitor *m);

/* monitor_far.c, outside the lock: the registration of monitor id (by
 * watcher self) to remote target t, and the cancel a notice item asks for. */
void far_register_send(struct actor *t, uint64_t id, void *self);
void far_cancel_send(const notice *item);

/* A cancel for the owner of m's remote target, if it still holds a record. */
void notices_add_cancel(notices *n, const monitor *m);

#endif
