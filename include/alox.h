/*
 * alox.h - actors for C.
 *
 *     struct alox_actor counter { int64_t n; };
 *     alox_behave void add(struct counter *self, int64_t k) { self->n += k; }
 *
 *     int main(int argc, char **argv) {
 *         alox_init(&argc, argv);
 *         struct counter *c = alox_new(struct counter);
 *         add(c, 5);                    a send: returns at once
 *         return alox_run();            runs until nothing is left to do
 *     }
 *
 * Build with `gcc -fplugin=alox ... -lalox` (or pkg-config / CMake, which add
 * the flag). The plugin checks the annotations and turns every behaviour
 * call into a message send; including this header without it is an error,
 * never a program whose behaviours silently run synchronously.
 *
 * Thread-safety: behaviour calls (sends), alox_new, alox_exit, alox_hold and
 * alox_release may be used from any thread once alox_init has returned.
 * alox_init and alox_run belong to one thread (normally main's). alox_stop
 * is called by an actor on itself, inside one of its behaviours.
 */
#ifndef ALOX_H
#define ALOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alox/abi.h"

#if !defined(__ALOX__) && !defined(ALOX_ABI_ONLY)
#if defined(__clang__)
#error "alox.h needs the Alox front end: build with CC=alox-clang (clang alone would run behaviours as plain calls)"
#else
#error "alox.h needs the Alox compiler plugin: add -fplugin=alox to CFLAGS (or use pkg-config --cflags alox); without it behaviours would run as plain synchronous calls"
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * Annotations (interpreted by the compiler front end).
 * ------------------------------------------------------------------- */
#if defined(__ALOX__) && defined(__clang__)
#define alox_actor __attribute__((annotate("alox_actor")))
#define alox_behave __attribute__((annotate("alox_behave")))
#define alox_stage __attribute__((annotate("alox_stage")))
#elif defined(__ALOX__)
#define alox_actor __attribute__((alox_actor))
#define alox_behave __attribute__((alox_behave))
#define alox_stage __attribute__((alox_stage))
#endif

/* ---------------------------------------------------------------------
 * Actors.
 * ------------------------------------------------------------------- */

/* Spawn an actor of type T (`struct X` for an alox_actor struct X) on this
 * scheduler, zero-initialised. Returns T *, the actor's reference. */
#define alox_new(T) ((T *)alox__new(sizeof(T), ALOX__ALIGNOF(T), #T, (T *)0))

/* _Alignof, also in C99 builds with -Wpedantic (__extension__ tells GCC
 * and clang the C11 keyword is meant): this header stays warning-free
 * under the strictest flags a C project uses. */
#define ALOX__ALIGNOF(T) (__extension__ _Alignof(T))

/* Spawn an actor of type T on the scheduler named `node` (a name from the
 * trust file; this node's own name spawns here). Returns a reference at
 * once; messages sent to it are delivered after the actor exists. NULL
 * (with a message on stderr) if no such node is known. */
#define alox_new_on(node, T) ((T *)alox__new_on((node), sizeof(T), ALOX__ALIGNOF(T), #T, (T *)0))

/* Make a local actor findable by other schedulers as `name` (1 to 64
 * letters, digits, '_', '.', '-'). Returns 0, or -1 (with a message) if the
 * name is taken by another actor or invalid, or the actor has stopped.
 * When the actor stops, its names go with its memory: a lookup then finds
 * nothing, and the name may be published for another actor. */
ALOX_API int alox_publish(void *actor, const char *name);

/* Find the actor published as `name` on scheduler `node`, of type T.
 * Waits up to timeout_ms for the node to answer and the name to appear.
 * Returns NULL on timeout, and NULL with a message on stderr if the actor
 * published there is not a T. Blocks the calling thread: call it from
 * main or a plain thread; inside a behaviour it stops the program with a
 * message (use alox_lookup_future there). */
#define alox_lookup(T, node, name, timeout_ms)                                                   \
    ((T *)alox__lookup((node), (name), (timeout_ms), #T, (T *)0))

/* The same as a future of `T *`, for behaviours (which must not block):
 *     alox_then(alox_lookup_future(struct counter, "b", "total", 1000), self, found, 0);
 *     alox_behave void found(struct user *self, struct counter *c, alox_status status);
 * ALOX_OK with the reference, or ALOX_TARGET_DOWN (with NULL) when no such
 * actor appeared within timeout_ms (or it has another type). */
#define alox_lookup_future(T, node, name, timeout_ms)                                            \
    ((alox__future_t(T *))(uintptr_t)alox__lookup_future((node), (name), (timeout_ms), #T,   \
                                                         (T *)0))
ALOX_API alox_future_handle alox__lookup_future(const char *node, const char *name, int timeout_ms,
                                                const char *spelled, ...);
ALOX_API void *alox__new_on(const char *node, uint64_t size, uint64_t align, const char *spelled, ...);
ALOX_API void *alox__lookup(const char *node, const char *name, int timeout_ms, const char *spelled, ...);

/* Called (on the mailman thread) when a peer scheduler is lost: no sign of
 * life for ALOX_PEER_TIMEOUT_MS (default 3000), or it restarted. Its
 * unacknowledged messages, and any later send to its actors, go to dead
 * letters with reason ALOX_DEAD_PEER_LOST. */
typedef void (*alox_peer_lost_fn)(const char *node);
ALOX_API void alox_on_peer_lost(alox_peer_lost_fn fn);

/* Cluster membership (--alox-cluster etcd://HOST:PORT/CLUSTER, README
 * "Clusters"). fn(node, joined, incarnation) is called on the cluster
 * thread when a trusted node joins the cluster (joined true) or leaves it
 * (false: it ended, or its lease ran out). A restarted node leaves with
 * its old incarnation and joins with a new one; its old actors are down.
 * Keep fn short (send a message). */
#define ALOX_NODE_NAME_MAX 64
typedef void (*alox_member_fn)(const char *node, bool joined, uint64_t incarnation);
ALOX_API void alox_on_member(alox_member_fn fn);

/* The cluster's members now, this node not included: up to max names
 * into names; returns how many members there are (0 without a cluster). */
ALOX_API size_t alox_members(char (*names)[ALOX_NODE_NAME_MAX + 1], size_t max);

/* The calling actor ends after its current behaviour returns. Messages
 * still queued, and any sent later, go to the dead-letter handler with
 * reason ALOX_DEAD_STOPPED. Its memory stays valid (references to it may
 * still exist), so a send to it is never a use-after-free. */
ALOX_API void alox_stop(void *self);

/* The id of an actor: node in the top 16 bits, serial in the low 48. Ids
 * are unique within a run and cross the wire between schedulers. */
ALOX_API uint64_t alox_id(const void *actor);
#define ALOX_ID_NODE(id) ((uint16_t)((id) >> 48))
#define ALOX_ID_SERIAL(id) ((id) & 0xffffffffffffull)

/* ---------------------------------------------------------------------
 * Later: timers, monitors, descriptor watches. Each names a behaviour the
 * runtime sends later; the front end checks it (its signature, and that
 * it runs on self's actor type) and passes its descriptor (alox/abi.h).
 * ------------------------------------------------------------------- */

/* `call` is a behaviour call written as usual, `tick(self, 1)`: its
 * arguments are evaluated now and it is sent `ms` milliseconds later
 * instead of now. A pending timer keeps alox_run from returning. */
#define alox_after(ms, call) alox__after(ms, ((void)(call), 0))

/* Cancel a pending timer: true if it had not fired (it never will). */
ALOX_API bool alox_cancel(alox_timer timer);

/* Send on_down(self, target_id, reason), a behaviour of self's actor
 *     alox_behave void on_down(struct T *self, uint64_t target_id, alox_down_reason reason);
 * to self once: when target stops (ALOX_DOWN_STOPPED, at once if it
 * already has) or its scheduler is lost (ALOX_DOWN_NODE_LOST). */
#define alox_monitor(self, target, on_down) alox__monitor(self, target, on_down)

/* Nothing more arrives for that monitor. */
ALOX_API void alox_demonitor(alox_monitor_ref ref);

/* Send on_ready(self, fd, events), a behaviour of self's actor
 *     alox_behave void on_ready(struct T *self, int fd, uint32_t events);
 * to self once, when fd is ready for events (ALOX_READ, ALOX_WRITE); watch
 * again for the next time. A watched descriptor keeps alox_run from
 * returning. Returns 0, or -1 if fd cannot be watched. */
#define alox_watch_fd(self, fd, events, on_ready) alox__watch_fd(self, fd, events, on_ready)

/* Stop watching fd. */
ALOX_API void alox_unwatch_fd(int fd);

/* ---------------------------------------------------------------------
 * Futures: behaviours that answer.
 *
 *     alox_behave alox_future(int64_t) total(struct counter *self) {
 *         return self->n;                     answers the caller
 *     }
 *     alox_behave void got(struct client *self, int64_t value, alox_status status);
 *     ...
 *     alox_then(total(c), self, got, 100);    got(self, n, ALOX_OK) later
 *
 * Calling a behaviour that returns alox_future(T) (T sendable) sends it and
 * returns a future at once; the body's `return v;` fulfils it. A future is
 * consumed once, by alox_then or alox_await; a call whose result is
 * ignored asks for no answer.
 * ------------------------------------------------------------------- */
/* alox_status (ALOX_OK, ALOX_TIMEOUT, ALOX_TARGET_DOWN): alox/abi.h. */
/* The type of a future of T: a pointer type that names T, so the front
 * ends (and C's own type checks) know the value's type. Never call it. */
#if defined(__ALOX__) && defined(__clang__)
/* alox-clang parses the user's text with the value type T (so `return v;`
 * type-checks), marked, and writes every use of alox_future in its copy
 * as alox__future_t: the compiled program has the future type. */
#define alox_future(T) __attribute__((annotate("alox_future"))) T
#else
#define alox_future(T) alox__future_t(T)
#endif
#define alox__future_t(T) __typeof__(T (*)(struct alox__future_of *))
/* Send on_value(self, value, status), a behaviour of self's actor
 *     alox_behave void on_value(struct T *self, V value, alox_status status);
 * to self once: ALOX_OK with the answer, ALOX_TIMEOUT after timeout_ms
 * (0: no timeout), ALOX_TARGET_DOWN when the callee cannot answer. */
#define alox_then(future, self, on_value, timeout_ms)                                            \
    alox__then(0, (future), (self), on_value, (timeout_ms))
/* Main and plain threads only (inside a behaviour it is a compile-time
 * error: a blocked worker can deadlock the program; use alox_then). Blocks
 * until the answer (stored in *value_ptr), the timeout (0: none) or the
 * callee's end, and returns the status. Before alox_run has started the
 * workers it runs them until the answer comes. */
#define alox_await(future, timeout_ms, value_ptr)                                                \
    alox__await(0, (future), (timeout_ms), (value_ptr))
/* What alox-clang writes for alox_then and alox_await once checked (the
 * GCC plugin makes the same calls itself). */
#define alox__then_desc(future, self, on_value_desc, timeout_ms)                                 \
    alox_then_desc((alox_future_handle)(future), (self), (on_value_desc),                        \
                   (uint64_t)(timeout_ms), (uint32_t)sizeof((future)(0)))
#define alox__await_value_of(future, timeout_ms, value_ptr)                                      \
    alox_await_value((alox_future_handle)(future), (uint64_t)(timeout_ms), (value_ptr),          \
                     (uint32_t)sizeof(*(value_ptr)))
/* Futures still pending (asked, not yet consumed or answered), and answers
 * that arrived after their timeout and were dropped, since the start. */
ALOX_API uint64_t alox_futures_pending(void);
ALOX_API uint64_t alox_futures_late(void);
/* What the macros above expand to: markers the front end replaces by the
 * entry points of alox/abi.h (never defined, so one left is a link error). */
alox_timer alox__after(uint64_t delay_ms, int call);
alox_monitor_ref alox__monitor(void *self, void *target, ...);
int alox__watch_fd(void *self, int fd, uint32_t events, ...);
void alox__then(int marker, ...);
alox_status alox__await(int marker, ...);

/* ---------------------------------------------------------------------
 * Running.
 * ------------------------------------------------------------------- */

/* Read and remove the --alox-* flags from argv (each also an ALOX_*
 * variable; a flag wins):
 *   --alox-threads N        ALOX_THREADS  worker threads (default: one per CPU)
 *   --alox-node NAME        ALOX_NODE     this scheduler's node name (distribution on)
 *   --alox-listen tcp://HOST:PORT  ALOX_LISTEN  accept peers there
 *   --alox-peer NAME=tcp://HOST:PORT  ALOX_PEER  connect to a peer (repeatable;
 *                                      the variable is a comma-separated list)
 *   --alox-key FILE         ALOX_KEY      this node's secret key (`alox keygen`)
 *   --alox-trust FILE       ALOX_TRUST    admitted nodes: lines "NAME Z85KEY"
 *   --alox-top on|off       ALOX_TOP      let `alox top` attach (default on: a
 *                                         private Unix socket and one sleeping
 *                                         thread from the first alox_run)
 *   --alox-metrics tcp://HOST:PORT  ALOX_METRICS  Prometheus text at /metrics
 *   --alox-trace FILE       ALOX_TRACE    record sends and behaviour runs; FILE
 *                                         (Chrome/Perfetto JSON) written at exit
 * Call it first in main, before any alox_new: actor ids carry the node id.
 * A bad flag, variable or file, or a listen address that cannot be bound,
 * prints what is wrong (naming the flag and file) and exits with status 2. */
ALOX_API void alox_init(int *argc, char **argv);

/* Start the worker threads and run until quiescence (no message queued or
 * running, no hold outstanding) or until alox_exit. Returns 0 at quiescence
 * or the code given to alox_exit. Messages still queued when alox_exit
 * stops the workers stay queued: a later alox_run continues with them. */
ALOX_API int alox_run(void);

/* Make alox_run return `code` once the running behaviours finish. */
ALOX_API void alox_exit(int code);

/* While a hold is outstanding alox_run does not return at quiescence. For
 * threads that are not actors and send from outside: take a hold before
 * starting them, release it when they have sent their last message. */
ALOX_API void alox_hold(void);
ALOX_API void alox_release(void);

/* Number of worker threads alox_run uses (after alox_init). */
ALOX_API int alox_threads(void);

/* Change the number of worker threads for the next alox_run (1 to 1024;
 * not while alox_run is running). Returns 0, or -1 if refused. */
ALOX_API int alox_set_threads(int threads);

/* ---------------------------------------------------------------------
 * Dead letters: messages that could not be delivered. None is dropped
 * silently: each is counted and passed to the handler.
 * ------------------------------------------------------------------- */
typedef enum alox_dead_reason {
    ALOX_DEAD_STOPPED = 1,        /* the target had called alox_stop */
    ALOX_DEAD_NULL_TARGET,        /* the target reference was NULL */
    ALOX_DEAD_UNKNOWN_BEHAVIOUR,  /* the target's type has no such behaviour */
    ALOX_DEAD_SIGNATURE_MISMATCH, /* sender and receiver disagree on arguments */
    ALOX_DEAD_STAGE_OFF_STAGE,    /* an alox_stage pointer sent to another scheduler */
    ALOX_DEAD_PEER_LOST,          /* the target's scheduler is gone */
    ALOX_DEAD_NO_SUCH_ACTOR,      /* no actor with that id on the receiving scheduler */
    ALOX_DEAD_TOO_LARGE,          /* over 1 MiB of arguments (or 1024 references) for the wire */
    ALOX_DEAD_ENDED,              /* this node ended (SIGINT/SIGTERM) before the peer ran it */
} alox_dead_reason;

typedef struct alox_dead_letter {
    alox_dead_reason reason;
    const char *reason_text;  /* e.g. "actor stopped" */
    uint64_t target_id;       /* 0 for a NULL target */
    const char *behaviour;    /* "pinger.ping" */
    const void *args;         /* the packed arguments, valid during the call */
    size_t args_size;
} alox_dead_letter;

/* Called for every dead letter, on the thread that found it (a worker or a
 * sender): keep it short and thread-safe. NULL restores the default, which
 * prints one line per letter to stderr (the first 100, then a count). */
typedef void (*alox_dead_letter_fn)(const alox_dead_letter *letter);
ALOX_API void alox_on_dead_letter(alox_dead_letter_fn fn);

/* Dead letters since the program started. */
ALOX_API uint64_t alox_dead_letter_count(void);

ALOX_API const char *alox_dead_reason_text(alox_dead_reason reason);

#ifdef __cplusplus
}
#endif

#endif /* ALOX_H */
