/* trace_writer.c - see trace_writer.h. */
#include "trace_writer.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alox.h"
#include "core/trace.h"
#include "snapshot.h"

static FILE *out;
static char out_path[4096];

/* An event as written: its time (read, or spaced between two readings),
 * a run's end (the next run or clocked event of its thread), and the key
 * of the order flows are paired in (trace.h, Flows): the last clock
 * reading of its thread at or before it, then its thread, then its place
 * in the ring. */
typedef struct placed {
    const trace_event *e;
    const trace_ring *ring;
    uint64_t start, end; /* ticks; end only for runs */
    uint64_t key;        /* ticks: the last reading at or before it */
    uint64_t seq;        /* its number in its ring */
    uint32_t kind;       /* TRACE_RUN or TRACE_SEND (any run or send) */
} placed;

static int by_order(const void *a, const void *b) {
    const placed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->ring->index != y->ring->index)
        return x->ring->index < y->ring->index ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const trace_event *event_at(const trace_ring *r, uint64_t i) {
    return &r->events[i & (TRACE_RING_EVENTS - 1)];
}

/* A ring's events as they happened, oldest first: each send marked
 * TRACE_RAN_NEXT is followed by the chained run it stands for (trace.h),
 * made here. *count: how many. NULL if out of memory. */
static trace_event *unfold(trace_ring *r, uint64_t *count) {
    uint64_t n = counter_get(&r->written), from = n > TRACE_RING_EVENTS ? n - TRACE_RING_EVENTS : 0;
    trace_event *ev = malloc(2 * (size_t)(n - from + 1) * sizeof *ev);
    uint64_t m = 0;
    for (uint64_t i = from; ev && i < n; i++) {
        trace_event e = *event_at(r, i);
        bool ran = (e.tagged & TRACE_RAN_NEXT) != 0;
        e.tagged &= ~TRACE_RAN_NEXT;
        ev[m++] = e;
        if (ran)
            ev[m++] = (trace_event){0, e.flow, e.actor,
                                    (uint64_t)TRACE_RUN_CHAINED << TRACE_KIND_SHIFT | (uintptr_t)trace_event_name(&e)};
    }
    *count = m;
    return ev;
}

/* Events that carry a clock reading. */
static bool clocked(uint32_t kind) {
    return kind == TRACE_RUN || kind == TRACE_SEND_CLOCK || kind == TRACE_IDLE;
}

/* The time of event i, which has no reading: spaced evenly between the
 * readings before (at `prev`, time prev_t) and after it (the first
 * clocked event from *next on, found here). A tick apart past either end. */
static uint64_t spaced(const trace_event *ev, uint64_t i, uint64_t n, uint64_t prev, uint64_t prev_t,
                       uint64_t *next) {
    if (*next <= i)
        for (*next = i + 1; *next < n && !clocked(trace_event_kind(&ev[*next])); ++*next)
            ;
    bool before = prev != UINT64_MAX, after = *next < n;
    if (!after)
        return before ? prev_t + (i - prev) : i;
    uint64_t next_t = ev[*next].at;
    if (!before)
        return next_t - (*next - i);
    uint64_t span = next_t > prev_t ? next_t - prev_t : 0;
    return prev_t + (uint64_t)((unsigned __int128)span * (i - prev) / (*next - prev));
}

/* Appends ring r's events (ev, n of them, oldest first: unfold) to
 * all[*k]. A run ends at the next run or clocked event after it (or a
 * tick after its last send if there is none); idle marks only end runs. */
static void place_ring(const trace_ring *r, const trace_event *ev, uint64_t n, placed *all, size_t *k) {
    uint64_t prev = UINT64_MAX, prev_t = 0, next = 0;
    size_t open = SIZE_MAX; /* the run that has no end yet */
    for (uint64_t i = 0; i < n; i++) {
        const trace_event *e = &ev[i];
        uint32_t kind = trace_event_kind(e);
        uint64_t t, key;
        if (clocked(kind)) {
            t = key = prev_t = e->at;
            prev = i;
        } else {
            t = spaced(ev, i, n, prev, prev_t, &next);
            key = prev != UINT64_MAX ? prev_t : t;
        }
        if (kind != TRACE_SEND && open != SIZE_MAX) { /* the next run, or a reading */
            all[open].end = t > all[open].start ? t : all[open].start + 1;
            open = SIZE_MAX;
        }
        if (kind == TRACE_IDLE)
            continue;
        if (kind == TRACE_SEND && open != SIZE_MAX)
            all[open].end = t + 1; /* at least past its sends, if nothing follows */
        bool run = kind == TRACE_RUN || kind == TRACE_RUN_CHAINED;
        if (run)
            open = *k;
        all[(*k)++] = (placed){e, r, t, run ? t + 1 : 0, key, i, run ? TRACE_RUN : TRACE_SEND};
    }
}

/* Open addressing: message address -> flow id of its pending send. */
typedef struct pending {
    uint64_t address, id;
} pending;

typedef struct flow_map {
    pending *slots;
    size_t mask;
} flow_map;

static pending *slot_of(flow_map *m, uint64_t address) {
    size_t i = (size_t)((address >> 4) * 0x9e3779b97f4a7c15ull) & m->mask;
    while (m->slots[i].address && m->slots[i].address != address)
        i = (i + 1) & m->mask;
    return &m->slots[i];
}

/* Removes the entry at s, keeping the probe chains intact. */
static void remove_slot(flow_map *m, pending *s) {
    size_t i = (size_t)(s - m->slots);
    s->address = 0;
    for (size_t j = (i + 1) & m->mask; m->slots[j].address; j = (j + 1) & m->mask) {
        pending moved = m->slots[j];
        m->slots[j].address = 0;
        *slot_of(m, moved.address) = moved;
    }
}

static void put_ts(FILE *f, uint64_t ns) {
    fprintf(f, "%llu.%03llu", (unsigned long long)(ns / 1000), (unsigned long long)(ns % 1000));
}

static void put_string(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : "?"); *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void put_flow(FILE *f, char phase, uint64_t id, long tid, uint64_t ns) {
    fprintf(f, ",\n{\"ph\":\"%c\",%s\"cat\":\"alox.flow\",\"name\":\"message\",\"id\":\"0x%llx\","
               "\"pid\":%ld,\"tid\":%ld,\"ts\":",
            phase, phase == 'f' ? "\"bp\":\"e\"," : "", (unsigned long long)id, (long)getpid(), tid);
    put_ts(f, ns);
    fputc('}', f);
}

static void put_event(FILE *f, const placed *p, flow_map *flows, uint64_t *next_local_id) {
    const trace_event *e = p->e;
    long pid = (long)getpid(), tid = (long)p->ring->tid;
    bool remote = (e->flow & TRACE_ID_REMOTE) != 0;
    if (p->kind == TRACE_SEND) {
        uint64_t id = e->flow;
        if (!remote) {
            id = ++*next_local_id;
            pending *s = slot_of(flows, e->flow);
            *s = (pending){e->flow, id};
        }
        if (p->ring->worker < 0) { /* no behaviour slice around it: a slice of its own */
            fprintf(f, ",\n{\"ph\":\"X\",\"cat\":\"alox.send\",\"name\":\"send ");
            fprintf(f, "%s\",\"pid\":%ld,\"tid\":%ld,\"ts\":", trace_event_name(e), pid, tid);
            put_ts(f, trace_ticks_to_ns(p->start));
            fprintf(f, ",\"dur\":0.001}");
        }
        put_flow(f, 's', id, tid, trace_ticks_to_ns(p->start));
        return;
    }
    fprintf(f, ",\n{\"ph\":\"X\",\"cat\":\"alox\",\"name\":");
    put_string(f, trace_event_name(e));
    fprintf(f, ",\"pid\":%ld,\"tid\":%ld,\"ts\":", pid, tid);
    uint64_t start = trace_ticks_to_ns(p->start), end = trace_ticks_to_ns(p->end);
    put_ts(f, start);
    fprintf(f, ",\"dur\":");
    put_ts(f, end > start ? end - start : 0);
    fprintf(f, ",\"args\":{\"actor\":\"%u:%llu\"}}", (unsigned)ALOX_ID_NODE(e->actor),
            (unsigned long long)ALOX_ID_SERIAL(e->actor));
    uint64_t id = 0;
    if (remote) {
        id = e->flow;
    } else if (e->flow) {
        pending *s = slot_of(flows, e->flow);
        if (s->address) {
            id = s->id;
            remove_slot(flows, s);
        }
    }
    if (id)
        put_flow(f, 'f', id, tid, start);
}

static void put_thread_names(FILE *f, const trace_ring *rings) {
    fprintf(f, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%ld,\"args\":{\"name\":", (long)getpid());
    put_string(f, program_invocation_short_name);
    fprintf(f, "}}");
    for (const trace_ring *r = rings; r; r = r->next) {
        char name[64];
        if (r->worker >= 0)
            snprintf(name, sizeof name, "worker %d", r->worker);
        else if (r->tid == getpid())
            snprintf(name, sizeof name, "main");
        else
            snprintf(name, sizeof name, "thread %ld", (long)r->tid);
        fprintf(f, ",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%ld,\"tid\":%ld,\"args\":{\"name\":",
                (long)getpid(), (long)r->tid);
        put_string(f, name);
        fprintf(f, "}},\n{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":%ld,\"tid\":%ld,"
                   "\"args\":{\"sort_index\":%d}}",
                (long)getpid(), (long)r->tid, r->worker >= 0 ? r->worker + 1 : 0);
    }
}

static void write_trace(void) {
    if (!out)
        return;
    trace_ring *rings = trace_rings();
    size_t total = 0, ring_count = 0;
    uint64_t dropped = 0;
    for (trace_ring *r = rings; r; r = r->next)
        ring_count++;
    trace_event **events = calloc(ring_count ? ring_count : 1, sizeof *events);
    uint64_t *counts = calloc(ring_count ? ring_count : 1, sizeof *counts);
    bool unfolded = events && counts;
    size_t j = 0;
    for (trace_ring *r = rings; unfolded && r; r = r->next, j++) {
        uint64_t n = counter_get(&r->written);
        dropped += n > TRACE_RING_EVENTS ? n - TRACE_RING_EVENTS : 0;
        events[j] = unfold(r, &counts[j]);
        unfolded = events[j] != NULL;
        total += counts[j];
    }
    placed *all = unfolded ? calloc(total ? total : 1, sizeof *all) : NULL;
    size_t cap = 16;
    while (cap < 2 * total)
        cap *= 2;
    flow_map flows = {calloc(cap, sizeof(pending)), cap - 1};
    if (!all || !flows.slots) {
        fprintf(stderr, "alox: out of memory writing the trace %s\n", out_path);
        fclose(out);
        return;
    }
    size_t k = 0;
    j = 0;
    for (trace_ring *r = rings; r; r = r->next, j++)
        place_ring(r, events[j], counts[j], all, &k);
    qsort(all, k, sizeof *all, by_order);
    fprintf(out, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"alox_events\":%zu,"
                 "\"alox_events_overwritten\":%llu},\n\"traceEvents\":[\n",
            k, (unsigned long long)dropped);
    put_thread_names(out, rings);
    uint64_t next_local_id = (uint64_t)getpid() << 32;
    for (size_t i = 0; i < k; i++)
        put_event(out, &all[i], &flows, &next_local_id);
    fprintf(out, "\n]}\n");
    if (fclose(out) != 0)
        fprintf(stderr, "alox: writing the trace %s: %s\n", out_path, strerror(errno));
    out = NULL;
    free(all);
    free(flows.slots);
    for (size_t i = 0; i < ring_count; i++)
        free(events[i]);
    free(events);
    free(counts);
}

bool trace_writer_start(const char *path, char *err, size_t err_size) {
    if (out)
        return true; /* alox_init again: one trace per program */
    out = fopen(path, "w");
    if (!out) {
        snprintf(err, err_size, "cannot create the trace file %s: %s", path, strerror(errno));
        return false;
    }
    snprintf(out_path, sizeof out_path, "%s", path);
    trace_start();
    atexit(write_trace);
    return true;
}
