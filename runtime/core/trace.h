/*
 * trace.h - recording sends and behaviour runs for ALOX_TRACE (the JSON
 * file is written by observe/trace_writer.c when the program exits).
 *
 * Each thread records into its own ring of TRACE_RING_EVENTS events (a
 * worker into the ring of its index, so a worker is one track across
 * alox_run calls); a full ring overwrites its oldest events, so a trace
 * holds the most recent activity of every thread. Recording is a few
 * stores into the thread's ring: no lock, no atomic read-modify-write.
 *
 * Time: events carry ticks (ticks.h: the CPU's time-stamp counter where
 * it is invariant, else CLOCK_MONOTONIC in ns). The writer turns ticks
 * into CLOCK_MONOTONIC time with two readings of both clocks, one when
 * the clock is initialised and one when the trace is written, so the
 * traces of two processes on one machine share a time axis. A behaviour
 * run reads the clock once (its start; it ends at its thread's next clock
 * reading, see trace_run_begin); a send from inside a run reads none: it
 * is stamped with its run's start plus its rank among the run's sends (a
 * tick each), which keeps it inside its slice and before the run it
 * causes. Sends from other threads (main, the I/O and mailman threads)
 * read the clock.
 *
 * Flows (send -> run): a local message is known by its address, which the
 * send and the run both record; the writer pairs them in time order (a
 * block is reused only after its message ran, so the pairing is exact).
 * A message to another scheduler gets a trace id instead (TRACE_ID_REMOTE
 * set, the sender's node id, a per-thread sequence), carried by the wire
 * and recorded by both ends, so two traces of two nodes join by id.
 *
 * Off (the default), the cost is the test of trace_on on each send and
 * once per batch: a load of a read-only line and a predicted branch.
 *
 * Thread-safety: trace_start before the workers run; recording on the
 * recording thread; trace_rings is for the writer, at exit, when the
 * workers have stopped.
 */
#ifndef ALOX_TRACE_H
#define ALOX_TRACE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "alox/abi.h"
#include "counters.h"
#include "support/platform.h"
#include "ticks.h"

#define TRACE_RING_EVENTS (1u << 17) /* per thread: 4 MiB; a power of two */
#define TRACE_ID_REMOTE (1ull << 63) /* flow ids of messages between schedulers */

enum trace_kind {
    TRACE_RUN = 1,        /* a behaviour began: at, its actor, the message's flow */
    TRACE_SEND = 2,       /* a message was sent inside a run: at (derived), target, flow */
    TRACE_SEND_CLOCK = 3, /* ... outside a run: at read from the clock */
    TRACE_IDLE = 4,       /* the thread stopped running behaviours: at */
};

/* Where the kind sits in `tagged`, above the name's pointer (user-space
 * pointers use at most 56 bits on x86-64 and arm64). */
#define TRACE_KIND_SHIFT 56

/* 32 bytes (48 before: a run's end, written back at its end, and a
 * padded kind): a pingpong message records 64 bytes, not 96. */
typedef struct trace_event {
    uint64_t at;               /* ticks (ticks.h) */
    uint64_t flow;             /* message address, or a TRACE_ID_REMOTE id; 0: none */
    uint64_t actor;            /* run: the actor; send: the target */
    uint64_t tagged;           /* kind << TRACE_KIND_SHIFT | the behaviour's name ("pinger.ping") */
} trace_event;

static inline uint32_t trace_event_kind(const trace_event *e) {
    return (uint32_t)(e->tagged >> TRACE_KIND_SHIFT);
}

static inline const char *trace_event_name(const trace_event *e) {
    return (const char *)(uintptr_t)(e->tagged & ((1ull << TRACE_KIND_SHIFT) - 1));
}

typedef struct trace_ring {
    trace_event *events;       /* TRACE_RING_EVENTS of them */
    counter written;           /* events ever recorded; the ring holds the last ones */
    int32_t worker;            /* its worker index, or -1 */
    pid_t tid;                 /* the thread that recorded last */
    uint32_t index;            /* in registration order: part of remote ids */
    uint32_t remote_seq;
    uint64_t run_start;        /* the running behaviour's start, 0 outside a run */
    uint64_t run_sends;        /* sends recorded in that run */
    bool open;                 /* the last run has no event after it yet (trace_idle) */
    struct trace_ring *next;   /* every ring, newest first */
} trace_ring;

/* Relaxed loads: set once before the workers start (thread creation
 * orders it), never cleared while they run. */
extern _Atomic bool trace_on;
extern ALOX_TLS trace_ring *trace_self;

static inline bool trace_enabled(void) { return atomic_load_explicit(&trace_on, memory_order_relaxed); }

/* Turns recording on (from observe/, at alox_init). */
void trace_start(void);

/* A worker thread with index i records into ring i from now on. */
void trace_worker_begin(uint32_t index);

/* This thread's ring, made on first use (trace.c). */
trace_ring *trace_ring_make(void);

/* The clock of events (ticks.h; trace_start initialises it). */
static inline uint64_t trace_clock(void) { return ticks_now(); }

/* Trace ticks as CLOCK_MONOTONIC ns (the writer, at exit). */
uint64_t trace_ticks_to_ns(uint64_t ticks);

static inline trace_ring *trace_ring_self(void) {
    trace_ring *r = trace_self;
    return ALOX_LIKELY(r != NULL) ? r : trace_ring_make();
}

static inline void trace_record(trace_ring *r, uint32_t kind, uint64_t at, uint64_t flow,
                                uint64_t actor, const char *name) {
    uint64_t n = counter_get(&r->written);
    trace_event *e = &r->events[n & (TRACE_RING_EVENTS - 1)];
    e->at = at;
    e->flow = flow;
    e->actor = actor;
    e->tagged = (uint64_t)kind << TRACE_KIND_SHIFT | (uintptr_t)name;
    counter_set(&r->written, n + 1);
}

/* A send (of a local message at `message`, or of a remote one with id).
 * Inside a run it reads no clock: its run's start plus its rank. */
static inline void trace_send(uint64_t flow, uint64_t target, const alox_behaviour_desc *b) {
    trace_ring *r = trace_ring_self();
    if (ALOX_LIKELY(r->run_start != 0)) {
        trace_record(r, TRACE_SEND, r->run_start + ++r->run_sends, flow, target, b->name);
        return;
    }
    trace_record(r, TRACE_SEND_CLOCK, trace_clock(), flow, target, b->name);
    r->open = false;
}

/* A behaviour run: one clock read, at its start. It ends where the next
 * event of its thread with a clock reading is: the next run, a send
 * outside a run, or trace_idle (the writer, trace_writer.c). So a slice
 * also holds the worker's own work after the behaviour until then (the
 * end of the batch, finding the next actor: ~10-20 ns on a runnext
 * chain), and the clock is read once a run instead of twice (~10-16 ns a
 * read on the KVM guests we measure on). */
static inline void trace_run_begin(uint64_t flow, uint64_t actor, const alox_behaviour_desc *b) {
    trace_ring *r = trace_ring_self();
    r->run_start = trace_clock();
    r->run_sends = 0;
    r->open = true;
    trace_record(r, TRACE_RUN, r->run_start, flow, actor, b->name);
}

static inline void trace_run_end(void) { trace_self->run_start = 0; }

/* The thread stops running behaviours for now (a worker that finds no
 * work, exits, or a guest run that ends): the end of its last run. */
static inline void trace_idle(void) {
    trace_ring *r = trace_self;
    if (r && r->open) {
        r->open = false;
        trace_record(r, TRACE_IDLE, trace_clock(), 0, 0, NULL);
    }
}

/* A new id for a message to another scheduler (node: this node's id). */
uint64_t trace_remote_id(uint16_t node);

/* The writer's view: every ring (newest first). */
trace_ring *trace_rings(void);

#endif
