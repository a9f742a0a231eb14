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
 * run reads the clock at most once (its start; it ends where its thread's
 * next run begins; a chain of runs of the thread's own sends reads it
 * every TRACE_CLOCK_EVERY runs, see trace_run_begin); a send from inside
 * a run reads none: the writer places it between its run and the next.
 * Sends from other threads (main, the I/O and mailman threads) read the
 * clock.
 *
 * Flows (send -> run): a local message is known by its address, which the
 * send and the run both record; the writer pairs them in order (a block
 * is reused only after its message ran, so the pairing is exact): in
 * record order on one thread, by clock readings across threads (a run of
 * another thread's message always reads the clock, and a send is ordered
 * by the last reading of its thread before it, which is no later).
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

/* In a chain of runs of messages the thread sent itself, the clock is
 * read at every this many runs (trace_run_begin): ping-pong pays ~0.8 ns
 * a message for it instead of ~13 (1.6 at 8), and the time between two
 * readings (16 runs: ~0.5 us for ping-pong) is spread evenly over them:
 * a chain's runs that long are drawn alike, which at that scale is what
 * they are. */
#define TRACE_CLOCK_EVERY 16u

enum trace_kind {
    TRACE_RUN = 1,         /* a behaviour began: at, its actor, the message's flow */
    TRACE_SEND = 2,        /* a message was sent inside a run: target, flow (no clock) */
    TRACE_SEND_CLOCK = 3,  /* ... outside a run: at read from the clock */
    TRACE_IDLE = 4,        /* the thread stopped running behaviours: at */
    TRACE_RUN_CHAINED = 5, /* a run of the thread's own last send: no clock (the writer's, from TRACE_RAN_NEXT) */
};

/* Where the kind sits in `tagged`, above the name's pointer (user-space
 * pointers use at most 56 bits on x86-64 and arm64). */
#define TRACE_KIND_SHIFT 56
/* Set in a send's `tagged` when its message was the thread's next run, a
 * chained one that read no clock (trace_run_begin): that run's event
 * would repeat the send's flow, target and name, so it is not recorded;
 * the writer makes it (TRACE_RUN_CHAINED) right after the send. A
 * ping-pong message then records one event, 32 bytes, not two. */
#define TRACE_RAN_NEXT (1ull << 63)

/* 32 bytes (48 before: a run's end, written back at its end, and a
 * padded kind): a ping-pong message records 64 bytes, not 96. */
typedef struct trace_event {
    uint64_t at;               /* ticks (ticks.h); 0 for TRACE_SEND, TRACE_RUN_CHAINED */
    uint64_t flow;             /* message address, or a TRACE_ID_REMOTE id; 0: none */
    uint64_t actor;            /* run: the actor; send: the target */
    uint64_t tagged;           /* kind << TRACE_KIND_SHIFT | the behaviour's name ("pinger.ping") */
} trace_event;

static inline uint32_t trace_event_kind(const trace_event *e) {
    return (uint32_t)((e->tagged & ~TRACE_RAN_NEXT) >> TRACE_KIND_SHIFT);
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
    uint64_t last_send;        /* the flow of the thread's last send, 0 after a run began */
    trace_event *send_event;   /* ... its event (trace_run_begin marks it) */
    uint32_t chained;          /* chained runs left before the clock is read again */
    bool in_run;               /* a behaviour runs on the thread */
    bool open;                 /* the last run has no clocked event after it yet (trace_idle) */
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

/* The next event of the ring, filled but for `at`, which only clocked
 * kinds carry (the writer reads no other's: one store less). */
static inline trace_event *trace_record_unclocked(trace_ring *r, uint32_t kind, uint64_t flow,
                                                  uint64_t actor, const char *name) {
    uint64_t n = counter_get(&r->written);
    trace_event *e = &r->events[n & (TRACE_RING_EVENTS - 1)];
    e->flow = flow;
    e->actor = actor;
    e->tagged = (uint64_t)kind << TRACE_KIND_SHIFT | (uintptr_t)name;
    counter_set(&r->written, n + 1);
    return e;
}

static inline void trace_record(trace_ring *r, uint32_t kind, uint64_t at, uint64_t flow,
                                uint64_t actor, const char *name) {
    trace_record_unclocked(r, kind, flow, actor, name)->at = at;
}

/* A send (of a local message at `message`, or of a remote one with id).
 * Inside a run it reads no clock: the writer places it between its run's
 * start and the next run's. */
static inline void trace_send(uint64_t flow, uint64_t target, const alox_behaviour_desc *b) {
    trace_ring *r = trace_ring_self();
    r->last_send = flow;
    if (ALOX_LIKELY(r->in_run)) {
        r->send_event = trace_record_unclocked(r, TRACE_SEND, flow, target, b->name);
        return;
    }
    r->send_event = trace_record_unclocked(r, TRACE_SEND_CLOCK, flow, target, b->name);
    r->send_event->at = trace_clock();
    r->open = false;
}

/* Is a behaviour running on this thread, with a ring? Then trace_send
 * records no clock: trace_send_in_run, which makes no call (the fast
 * send, mailman.c, needs no frame for it). */
static inline bool trace_in_run(void) {
    trace_ring *r = trace_self;
    return r != NULL && r->in_run;
}

static inline void trace_send_in_run(uint64_t flow, uint64_t target, const alox_behaviour_desc *b) {
    trace_ring *r = trace_self;
    r->last_send = flow;
    r->send_event = trace_record_unclocked(r, TRACE_SEND, flow, target, b->name);
}

/* Sets TRACE_RAN_NEXT on e: an or of its top byte where that is one
 * instruction (little-endian: the byte holds bits 56-63, the kind), not a
 * 64-bit constant loaded and or'ed. The thread's own ring: plain. */
static inline void trace_mark_ran_next(trace_event *e) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    ((unsigned char *)&e->tagged)[7] |= (unsigned char)(TRACE_RAN_NEXT >> 56);
#else
    e->tagged |= TRACE_RAN_NEXT;
#endif
}

/* A behaviour run. It ends where the next run of its thread begins, or at
 * its next clocked event (a send outside a run, trace_idle): the writer
 * derives the ends (trace_writer.c). So a slice also holds the worker's
 * own work after the behaviour (the end of the batch, finding the next
 * actor: ~10-20 ns on a runnext chain).
 *
 * The clock (~13 ns a read here, a third of a ping-pong message) is read
 * for a run unless its message is the last send of the run just before
 * on this thread, with no idle mark between (a chain: ping-pong, a ring,
 * a pipeline on one worker), and even then every TRACE_CLOCK_EVERY runs;
 * the writer spaces the events between two readings evenly. A flow
 * between two threads is therefore timed at its run, which the writer's
 * pairing of local flows relies on; the exception would be a thread
 * preempted between two runs while its last message ran elsewhere, was
 * freed there and its block came back to it with another message
 * (a block goes back to the pool of the thread that ran its message, and
 * only in batches through pool.h's global lists to another): then one
 * flow arrow may be misdrawn; no event is lost. */
static inline trace_ring *trace_run_begin(uint64_t flow, uint64_t actor, const alox_behaviour_desc *b) {
    trace_ring *r = trace_ring_self();
    r->in_run = true;
    r->open = true;
    bool own = flow == r->last_send;
    r->last_send = 0; /* only a send of the run just before counts */
    if (own && --r->chained != 0) {
        /* That send is the ring's last event: nothing is recorded between
         * a send and the end of its run, and an idle mark clears
         * last_send. The run is marked on it (TRACE_RAN_NEXT). */
        trace_mark_ran_next(r->send_event);
        return r;
    }
    r->chained = TRACE_CLOCK_EVERY;
    trace_record(r, TRACE_RUN, trace_clock(), flow, actor, b->name);
    return r;
}

/* r: what trace_run_begin returned (no second thread-local load). */
static inline void trace_run_end(trace_ring *r) { r->in_run = false; }

/* The thread stops running behaviours for now (a worker that finds no
 * work, exits, or a guest run that ends): the end of its last run. */
static inline void trace_idle(void) {
    trace_ring *r = trace_self;
    if (r && r->open) {
        r->open = false;
        r->last_send = 0; /* the next run is not a chain's, whatever it runs */
        trace_record(r, TRACE_IDLE, trace_clock(), 0, 0, NULL);
    }
}

/* A new id for a message to another scheduler (node: this node's id). */
uint64_t trace_remote_id(uint16_t node);

/* The writer's view: every ring (newest first). */
trace_ring *trace_rings(void);

#endif
