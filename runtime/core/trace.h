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
 * traces of two processes on one machine share a time axis. A behaviour run reads the
 * clock twice (begin, end); a send from inside a run reads none: it is
 * stamped with its run's start plus its rank among the run's sends (a
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

#define TRACE_RING_EVENTS (1u << 17) /* per thread: 6 MiB; a power of two */
#define TRACE_ID_REMOTE (1ull << 63) /* flow ids of messages between schedulers */

enum trace_kind {
    TRACE_RUN = 1,  /* a behaviour ran: start..end, its actor, the message's flow */
    TRACE_SEND = 2, /* a message was sent: at, its target, its flow */
};

typedef struct trace_event {
    uint64_t start, end;       /* trace_clock ticks; end only for runs */
    uint64_t flow;             /* message address, or a TRACE_ID_REMOTE id; 0: none */
    uint64_t actor;            /* run: the actor; send: the target */
    const char *name;          /* the behaviour's name ("pinger.ping") */
    uint32_t kind;             /* enum trace_kind */
    uint32_t unused;
} trace_event;

typedef struct trace_ring {
    trace_event *events;       /* TRACE_RING_EVENTS of them */
    counter written;           /* events ever recorded; the ring holds the last ones */
    int32_t worker;            /* its worker index, or -1 */
    pid_t tid;                 /* the thread that recorded last */
    uint32_t index;            /* in registration order: part of remote ids */
    uint32_t remote_seq;
    uint64_t run_start;        /* the running behaviour's start, 0 outside a run */
    uint64_t run_sends;        /* sends recorded in that run */
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

static inline trace_event *trace_record(trace_ring *r, uint32_t kind, uint64_t at, uint64_t flow,
                                        uint64_t actor, const char *name) {
    uint64_t n = counter_get(&r->written);
    trace_event *e = &r->events[n & (TRACE_RING_EVENTS - 1)];
    e->start = at;
    e->end = 0;
    e->flow = flow;
    e->actor = actor;
    e->name = name;
    e->kind = kind;
    counter_set(&r->written, n + 1);
    return e;
}

/* A send (of a local message at `message`, or of a remote one with id). */
static inline void trace_send(uint64_t flow, uint64_t target, const alox_behaviour_desc *b) {
    trace_ring *r = trace_ring_self();
    uint64_t at = r->run_start ? r->run_start + ++r->run_sends : trace_clock();
    trace_record(r, TRACE_SEND, at, flow, target, b->name);
}

/* A behaviour run: begin returns the position to end. */
static inline uint64_t trace_run_begin(uint64_t flow, uint64_t actor, const alox_behaviour_desc *b) {
    trace_ring *r = trace_ring_self();
    r->run_start = trace_clock();
    r->run_sends = 0;
    trace_record(r, TRACE_RUN, r->run_start, flow, actor, b->name);
    return counter_get(&r->written) - 1;
}

static inline void trace_run_end(uint64_t position) {
    trace_ring *r = trace_self;
    uint64_t end = trace_clock();
    /* A clock that ticks by ns may not have moved past the run's sends. */
    if (end <= r->run_start + r->run_sends)
        end = r->run_start + r->run_sends + 1;
    r->run_start = 0;
    /* The behaviour's own sends may have wrapped the ring past it. */
    if (counter_get(&r->written) - position <= TRACE_RING_EVENTS)
        r->events[position & (TRACE_RING_EVENTS - 1)].end = end;
}

/* A new id for a message to another scheduler (node: this node's id). */
uint64_t trace_remote_id(uint16_t node);

/* The writer's view: every ring (newest first). */
trace_ring *trace_rings(void);

#endif
