/* snapshot.c - see snapshot.h. */
#include "snapshot.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alox.h"
#include "core/counters.h"
#include "core/scheduler.h"
#include "net/peer_stats.h"
#include "net/transport.h"
#include "core/future.h"
#include "support/dead_letter.h"

#define SNAPSHOT_BACKLOG_WAIT_MS 20 /* workers sample backlogs at batch ends: many per ms */
/* ... but one batch of slow behaviours, or a worker without a CPU on a
 * loaded machine, can take longer: while workers run and none has
 * answered yet, look on for up to this long. */
#define SNAPSHOT_BACKLOG_WAIT_MAX_MS 500
#define SNAPSHOT_LOOK_EVERY_US 500  /* meanwhile, what each worker runs is looked at this often */
#define SNAPSHOT_BUSIEST 8          /* actors shown */
#define SNAPSHOT_TALLY 64           /* distinct actors tallied per snapshot */
#define SNAPSHOT_MAX_PEERS 1024     /* shown at most */

static char program_name[64] = "?";
static char node_name[72];
static uint64_t started_ns;

static const alox_dead_reason reasons[] = {
    ALOX_DEAD_STOPPED,         ALOX_DEAD_NULL_TARGET, ALOX_DEAD_UNKNOWN_BEHAVIOUR,
    ALOX_DEAD_SIGNATURE_MISMATCH, ALOX_DEAD_STAGE_OFF_STAGE, ALOX_DEAD_PEER_LOST,
    ALOX_DEAD_NO_SUCH_ACTOR,   ALOX_DEAD_TOO_LARGE,   ALOX_DEAD_ENDED,
};

void snapshot_set_identity(const char *program, const char *node) {
    snprintf(program_name, sizeof program_name, "%s", program ? program : "?");
    snprintf(node_name, sizeof node_name, "%s", node ? node : "");
    started_ns = counters_now_ns();
}

/* A view of the program as a whole. */
typedef struct program_view {
    counters_view counters;
    transport_peer_view *peers;
    size_t peer_count;
    bool running;
    uint32_t threads, injected;
    uint64_t uptime_ms;
} program_view;

static void look(program_view *v) {
    memset(v, 0, sizeof *v);
    counters_read(&v->counters);
    v->peers = calloc(SNAPSHOT_MAX_PEERS, sizeof *v->peers);
    size_t n = v->peers ? transport_peer_stats(v->peers, SNAPSHOT_MAX_PEERS) : 0;
    v->peer_count = n < SNAPSHOT_MAX_PEERS ? n : SNAPSHOT_MAX_PEERS;
    pthread_mutex_lock(&the_scheduler.lock);
    v->running = the_scheduler.running;
    v->threads = the_scheduler.threads;
    pthread_mutex_unlock(&the_scheduler.lock);
    v->injected = injectq_size(&the_scheduler.inject);
    v->uptime_ms = (counters_now_ns() - started_ns) / 1000000;
}

/* The busiest actors: how often each was seen running, over `looks` looks. */
typedef struct busy_tally {
    counters_actor_view seen[SNAPSHOT_TALLY];
    size_t count, looks;
} busy_tally;

static void look_at_workers(busy_tally *b) {
    counters_actor_view now[SNAPSHOT_TALLY];
    size_t n = counters_running(now, SNAPSHOT_TALLY);
    b->looks++;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < b->count && b->seen[k].id != now[i].id)
            k++;
        if (k == b->count) {
            if (b->count == SNAPSHOT_TALLY)
                continue;
            b->seen[b->count++] = (counters_actor_view){now[i].id, now[i].type, 0};
        }
        b->seen[k].value++;
    }
}

static int by_samples(const void *x, const void *y) {
    uint64_t a = ((const counters_actor_view *)x)->value, b = ((const counters_actor_view *)y)->value;
    return a < b ? 1 : a > b ? -1 : 0;
}

/* Watches the workers for `ms` while they sample backlogs of `epoch`
 * (longer while they run and none has answered), or looks once. */
static void watch(busy_tally *b, int ms, uint64_t epoch) {
    memset(b, 0, sizeof *b);
    uint64_t start = counters_now_ns();
    uint64_t end = start + (uint64_t)ms * 1000000u;
    uint64_t last = start + (uint64_t)SNAPSHOT_BACKLOG_WAIT_MAX_MS * 1000000u;
    for (;;) {
        look_at_workers(b);
        if (ms <= 0)
            break;
        struct timespec pause = {0, SNAPSHOT_LOOK_EVERY_US * 1000L};
        nanosleep(&pause, NULL);
        uint64_t now = counters_now_ns();
        if (now >= last)
            break;
        counters_actor_view running[1];
        if (now >= end &&
            (counters_backlogs_taken(epoch) > 0 || counters_running(running, 1) == 0))
            break;
    }
    qsort(b->seen, b->count, sizeof b->seen[0], by_samples);
}

static void forget(program_view *v) {
    counters_view_free(&v->counters);
    free(v->peers);
}

static void actor_json(textbuf *t, uint64_t id) {
    textbuf_printf(t, "\"%u:%llu\"", (unsigned)ALOX_ID_NODE(id), (unsigned long long)ALOX_ID_SERIAL(id));
}

static const char *type_name(const alox_type_desc *type) { return type ? type->name : "?"; }

static void workers_json(textbuf *t, const counters_view *c) {
    textbuf_printf(t, "\"workers\":[");
    for (size_t i = 0; i < c->worker_count; i++) {
        const counters_worker_view *w = &c->workers[i];
        textbuf_printf(t,
                       "%s{\"index\":%u,\"running\":%s,\"runs\":%llu,\"sent\":%llu,"
                       "\"steals\":%llu,\"parks\":%llu,\"busy_ns\":%llu,\"queued\":%u,\"current\":",
                       i ? "," : "", w->index, w->running ? "true" : "false",
                       (unsigned long long)w->runs, (unsigned long long)w->sent,
                       (unsigned long long)w->steals,
                       (unsigned long long)w->parks, (unsigned long long)w->busy_ns, w->queued);
        if (w->current_id) {
            textbuf_printf(t, "{\"actor\":");
            actor_json(t, w->current_id);
            textbuf_printf(t, ",\"type\":");
            textbuf_json_string(t, type_name(w->current_type));
            textbuf_printf(t, "}}");
        } else {
            textbuf_printf(t, "null}");
        }
    }
    textbuf_printf(t, "],");
}

static uint64_t live_of(const counters_type_view *ty) {
    return ty->spawned > ty->stopped ? ty->spawned - ty->stopped : 0;
}

static void types_json(textbuf *t, const counters_view *c) {
    textbuf_printf(t, "\"types\":[");
    for (size_t i = 0; i < c->type_count; i++) {
        const counters_type_view *ty = &c->types[i];
        textbuf_printf(t, "%s{\"type\":", i ? "," : "");
        textbuf_json_string(t, type_name(ty->type));
        textbuf_printf(t, ",\"live\":%llu,\"spawned\":%llu,\"stopped\":%llu,\"runs_sampled\":%llu,"
                          "\"run_ns_sampled\":%llu}",
                       (unsigned long long)live_of(ty), (unsigned long long)ty->spawned,
                       (unsigned long long)ty->stopped, (unsigned long long)ty->runs_sampled,
                       (unsigned long long)ty->sampled_ns);
    }
    textbuf_printf(t, "],");
}

static void actors_json(textbuf *t, const char *key, const counters_actor_view *list, size_t n,
                        bool backlogs, size_t looks) {
    textbuf_printf(t, "\"%s\":[", key);
    for (size_t i = 0; i < n; i++) {
        textbuf_printf(t, "%s{\"actor\":", i ? "," : "");
        actor_json(t, list[i].id);
        textbuf_printf(t, ",\"type\":");
        textbuf_json_string(t, type_name(list[i].type));
        if (backlogs)
            textbuf_printf(t, ",\"queued\":%llu,\"at_least\":%s}", (unsigned long long)list[i].value,
                           list[i].value >= COUNTERS_BACKLOG_WALK ? "true" : "false");
        else
            textbuf_printf(t, ",\"share\":%.3f}", looks ? (double)list[i].value / (double)looks : 0.0);
    }
    textbuf_printf(t, "],");
}

static void peers_json(textbuf *t, const program_view *v) {
    textbuf_printf(t, "\"peers\":[");
    for (size_t i = 0; i < v->peer_count; i++) {
        const transport_peer_view *p = &v->peers[i];
        textbuf_printf(t, "%s{\"node\":", i ? "," : "");
        textbuf_json_string(t, p->name);
        textbuf_printf(t,
                       ",\"in_session\":%s,\"messages_out\":%llu,\"messages_in\":%llu,"
                       "\"bytes_out\":%llu,\"bytes_in\":%llu,\"frames_out\":%llu,\"frames_in\":%llu,",
                       p->in_session ? "true" : "false", (unsigned long long)p->messages_out,
                       (unsigned long long)p->messages_in, (unsigned long long)p->bytes_out,
                       (unsigned long long)p->bytes_in, (unsigned long long)p->frames_out,
                       (unsigned long long)p->frames_in);
        if (p->rtt_us)
            textbuf_printf(t, "\"rtt_us\":%llu,", (unsigned long long)p->rtt_us);
        else
            textbuf_printf(t, "\"rtt_us\":null,");
        if (p->last_heard_ms_ago >= 0)
            textbuf_printf(t, "\"last_heard_ms_ago\":%lld,", (long long)p->last_heard_ms_ago);
        else
            textbuf_printf(t, "\"last_heard_ms_ago\":null,");
        textbuf_printf(t, "\"lost\":%llu}", (unsigned long long)p->lost);
    }
    textbuf_printf(t, "],");
}

static void dead_letters_json(textbuf *t) {
    textbuf_printf(t, "\"dead_letters\":{\"total\":%llu,\"by_reason\":{",
                   (unsigned long long)alox_dead_letter_count());
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
        textbuf_printf(t, "%s", i ? "," : "");
        textbuf_json_string(t, alox_dead_reason_text(reasons[i]));
        textbuf_printf(t, ":%llu", (unsigned long long)dead_letter_count_of(reasons[i]));
    }
    textbuf_printf(t, "}},");
}

static void futures_json(textbuf *t) {
    textbuf_printf(t, "\"futures\":{\"pending\":%llu,\"timeouts\":%llu,\"late\":%llu},",
                   (unsigned long long)alox_futures_pending(), (unsigned long long)future_timeouts(),
                   (unsigned long long)alox_futures_late());
}

void snapshot_json(textbuf *t, bool sample_backlogs) {
    uint64_t epoch = sample_backlogs ? counters_want_backlogs() : 0;
    busy_tally busy;
    watch(&busy, sample_backlogs ? SNAPSHOT_BACKLOG_WAIT_MS : 0, epoch);
    program_view v;
    look(&v);
    if (sample_backlogs)
        counters_backlogs_done(); /* the workers stop looking (the samples stay) */
    textbuf_printf(t, "{\"format\":1,\"pid\":%ld,\"program\":", (long)getpid());
    textbuf_json_string(t, program_name);
    textbuf_printf(t, ",\"node\":");
    if (node_name[0])
        textbuf_json_string(t, node_name);
    else
        textbuf_printf(t, "null");
    textbuf_printf(t, ",\"uptime_ms\":%llu,\"running\":%s,\"threads\":%u,\"injected\":%u,",
                   (unsigned long long)v.uptime_ms, v.running ? "true" : "false", v.threads,
                   v.injected);
    workers_json(t, &v.counters);
    types_json(t, &v.counters);
    actors_json(t, "busiest", busy.seen, busy.count < SNAPSHOT_BUSIEST ? busy.count : SNAPSHOT_BUSIEST,
                false, busy.looks);
    actors_json(t, "backlogs", v.counters.backlogs, v.counters.backlog_count, true, 0);
    dead_letters_json(t);
    futures_json(t);
    peers_json(t, &v);
    textbuf_printf(t, "\"malformed_frames\":%llu,\"rejected_connections\":%llu}\n",
                   (unsigned long long)transport_malformed_frames(),
                   (unsigned long long)transport_rejected_connections());
    forget(&v);
}

/* ------------------------------------------------------------------
 * Prometheus.
 * ------------------------------------------------------------------ */
static void metric_head(textbuf *t, const char *name, const char *type, const char *help) {
    textbuf_printf(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, quote and newline escaped. */
static void label(textbuf *t, const char *value) {
    for (const char *p = value; *p; p++) {
        if (*p == '\\' || *p == '"')
            textbuf_printf(t, "\\%c", *p);
        else if (*p == '\n')
            textbuf_printf(t, "\\n");
        else
            textbuf_printf(t, "%c", *p);
    }
}

#define WORKER_METRIC(field, name, type, help)                                                   \
    do {                                                                                         \
        metric_head(t, name, type, help);                                                        \
        for (size_t i = 0; i < c->worker_count; i++)                                             \
            textbuf_printf(t, name "{worker=\"%u\"} %llu\n", c->workers[i].index,                \
                           (unsigned long long)(field));                                        \
    } while (0)

static void workers_prometheus(textbuf *t, const counters_view *c) {
    WORKER_METRIC(c->workers[i].runs, "alox_worker_behaviours_total", "counter",
                  "Behaviours run by the worker.");
    WORKER_METRIC(c->workers[i].sent, "alox_worker_sent_total", "counter",
                  "Messages sent by behaviours running on the worker.");
    WORKER_METRIC(c->workers[i].steals, "alox_worker_steals_total", "counter",
                  "Times the worker took actors from another worker's queue.");
    WORKER_METRIC(c->workers[i].parks, "alox_worker_parks_total", "counter",
                  "Times the worker went to sleep for lack of work.");
    metric_head(t, "alox_worker_busy_seconds_total", "counter",
                "Time the worker spent running actors (not looking for work).");
    for (size_t i = 0; i < c->worker_count; i++)
        textbuf_printf(t, "alox_worker_busy_seconds_total{worker=\"%u\"} %.9f\n", c->workers[i].index,
                       c->workers[i].busy_ns / 1e9);
    WORKER_METRIC(c->workers[i].queued, "alox_worker_queued_actors", "gauge",
                  "Runnable actors waiting in the worker's queue.");
}

#define TYPE_METRIC(value, metric, kind, help)                                                     \
    do {                                                                                         \
        metric_head(t, metric, kind, help);                                                        \
        for (size_t i = 0; i < c->type_count; i++) {                                             \
            textbuf_printf(t, metric "{type=\"");                                                  \
            label(t, type_name(c->types[i].type));                                               \
            textbuf_printf(t, "\"} %llu\n", (unsigned long long)(value));                        \
        }                                                                                        \
    } while (0)

static void types_prometheus(textbuf *t, const counters_view *c) {
    TYPE_METRIC(live_of(&c->types[i]), "alox_actors_live", "gauge",
                "Actors of the type spawned and not stopped.");
    TYPE_METRIC(c->types[i].spawned, "alox_actors_spawned_total", "counter",
                "Actors of the type spawned.");
    TYPE_METRIC(c->types[i].runs_sampled, "alox_behaviours_sampled_total", "counter",
                "Estimated behaviours run by actors of the type (timed samples).");
    TYPE_METRIC(c->types[i].sampled_ns, "alox_behaviour_sampled_nanoseconds_total", "counter",
                "Estimated time in behaviours of the type (timed samples).");
}

#define PEER_METRIC(field, metric, help)                                                           \
    do {                                                                                         \
        metric_head(t, metric, "counter", help);                                                   \
        for (size_t i = 0; i < v->peer_count; i++) {                                             \
            textbuf_printf(t, metric "{peer=\"");                                                  \
            label(t, v->peers[i].name);                                                          \
            textbuf_printf(t, "\"} %llu\n", (unsigned long long)v->peers[i].field);              \
        }                                                                                        \
    } while (0)

static void peers_prometheus(textbuf *t, const program_view *v) {
    if (v->peer_count == 0)
        return;
    PEER_METRIC(messages_out, "alox_peer_messages_sent_total", "Messages sent to the peer.");
    PEER_METRIC(messages_in, "alox_peer_messages_received_total", "Messages received from the peer.");
    PEER_METRIC(bytes_out, "alox_peer_sent_bytes_total", "Frame bytes sent to the peer.");
    PEER_METRIC(bytes_in, "alox_peer_received_bytes_total", "Frame bytes received from the peer.");
    PEER_METRIC(lost, "alox_peer_lost_total", "Times the peer was lost.");
    metric_head(t, "alox_peer_up", "gauge", "1 while the peer is in session.");
    for (size_t i = 0; i < v->peer_count; i++) {
        textbuf_printf(t, "alox_peer_up{peer=\"");
        label(t, v->peers[i].name);
        textbuf_printf(t, "\"} %d\n", v->peers[i].in_session);
    }
    metric_head(t, "alox_peer_rtt_seconds", "gauge", "Last measured round trip to the peer.");
    for (size_t i = 0; i < v->peer_count; i++) {
        if (!v->peers[i].rtt_us)
            continue;
        textbuf_printf(t, "alox_peer_rtt_seconds{peer=\"");
        label(t, v->peers[i].name);
        textbuf_printf(t, "\"} %.6f\n", v->peers[i].rtt_us / 1e6);
    }
}

void snapshot_prometheus(textbuf *t) {
    program_view v;
    look(&v);
    workers_prometheus(t, &v.counters);
    types_prometheus(t, &v.counters);
    metric_head(t, "alox_dead_letters_total", "counter", "Messages that could not be delivered.");
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        textbuf_printf(t, "alox_dead_letters_total{reason=\"%s\"} %llu\n",
                       alox_dead_reason_text(reasons[i]),
                       (unsigned long long)dead_letter_count_of(reasons[i]));
    metric_head(t, "alox_futures_pending", "gauge", "Futures asked and not yet consumed.");
    textbuf_printf(t, "alox_futures_pending %llu\n", (unsigned long long)alox_futures_pending());
    metric_head(t, "alox_futures_timeouts_total", "counter", "Futures that timed out.");
    textbuf_printf(t, "alox_futures_timeouts_total %llu\n", (unsigned long long)future_timeouts());
    metric_head(t, "alox_futures_late_total", "counter",
                "Answers that came after their timeout and were dropped.");
    textbuf_printf(t, "alox_futures_late_total %llu\n", (unsigned long long)alox_futures_late());
    peers_prometheus(t, &v);
    metric_head(t, "alox_injected_actors", "gauge", "Runnable actors in the injection queue.");
    textbuf_printf(t, "alox_injected_actors %u\n", v.injected);
    metric_head(t, "alox_uptime_seconds", "gauge", "Time since alox_init.");
    textbuf_printf(t, "alox_uptime_seconds %.3f\n", v.uptime_ms / 1e3);
    forget(&v);
}
