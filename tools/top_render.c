/* top_render.c - see top_render.h. */
#include "top_render.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define TOP_TYPES_SHOWN 12 /* actor types listed, busiest first */

void top_format_count(uint64_t n, char *out, size_t size) {
    const char *units = " kMGTPE";
    double v = (double)n;
    int u = 0;
    while (v >= 1000 && u < 6) {
        v /= 1000;
        u++;
    }
    if (u == 0)
        snprintf(out, size, "%llu", (unsigned long long)n);
    else
        snprintf(out, size, v < 10 ? "%.2f%c" : v < 100 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

void top_format_duration(double s, char *out, size_t size) {
    if (s < 60)
        snprintf(out, size, "%.1fs", s);
    else if (s < 3600)
        snprintf(out, size, "%dm%02ds", (int)s / 60, (int)s % 60);
    else
        snprintf(out, size, "%dh%02dm", (int)s / 3600, (int)s / 60 % 60);
}

/* The element of prev's array `key` whose `id_key` equals el's, or NULL. */
static const json *matching(const json *prev, const char *key, const char *id_key, const json *el) {
    const json *list = json_get(prev, key);
    const json *id = json_get(el, id_key);
    for (size_t i = 0; id && i < json_count(list); i++) {
        const json *other = json_get(json_at(list, i), id_key);
        if (other && other->kind == id->kind &&
            (id->kind == JSON_STRING ? strcmp(other->string, id->string) == 0
                                     : other->integer == id->integer))
            return json_at(list, i);
    }
    return NULL;
}

/* A counter's growth per second since prev (or its total without prev). */
static double rate(const json *el, const json *before, const char *key, double interval) {
    uint64_t now = json_u64(el, key);
    if (!before || interval <= 0)
        return (double)now;
    uint64_t then = json_u64(before, key);
    return now >= then ? (now - then) / interval : 0;
}

static void header(FILE *out, const json *now) {
    char up[32];
    top_format_duration(json_u64(now, "uptime_ms") / 1e3, up, sizeof up);
    const char *node = json_str(now, "node");
    fprintf(out, "alox top - pid %llu %s%s%s  up %s  %s  %llu worker threads  injected %llu\n",
            (unsigned long long)json_u64(now, "pid"), json_str(now, "program"),
            node[0] ? " node " : "", node, up,
            json_bool(now, "running") ? "running" : "not in alox_run",
            (unsigned long long)json_u64(now, "threads"), (unsigned long long)json_u64(now, "injected"));
}

static void workers(FILE *out, const json *now, const json *prev, double interval) {
    bool rates = prev != NULL;
    fprintf(out, "\n%-6s %-8s %6s %10s %10s %8s %8s %6s  %s\n", "WORKER", "STATE", "BUSY%",
            rates ? "RUNS/s" : "RUNS", rates ? "SENT/s" : "SENT", "STEALS", "PARKS", "QUEUE",
            "RUNNING NOW");
    const json *list = json_get(now, "workers");
    double uptime_ns = json_u64(now, "uptime_ms") * 1e6;
    for (size_t i = 0; i < json_count(list); i++) {
        const json *w = json_at(list, i);
        const json *before = matching(prev, "workers", "index", w);
        double busy = rates && before ? rate(w, before, "busy_ns", interval) / 1e9
                                      : (uptime_ns > 0 ? json_u64(w, "busy_ns") / uptime_ns : 0);
        char runs[16], sent[16], steals[16], parks[16];
        top_format_count((uint64_t)rate(w, before, "runs", interval), runs, sizeof runs);
        top_format_count((uint64_t)rate(w, before, "sent", interval), sent, sizeof sent);
        top_format_count(json_u64(w, "steals"), steals, sizeof steals);
        top_format_count(json_u64(w, "parks"), parks, sizeof parks);
        const json *current = json_get(w, "current");
        char running[96] = "-";
        if (current && current->kind == JSON_OBJECT)
            snprintf(running, sizeof running, "%s %s", json_str(current, "type"),
                     json_str(current, "actor"));
        fprintf(out, "%-6llu %-8s %6.1f %10s %10s %8s %8s %6llu  %s\n",
                (unsigned long long)json_u64(w, "index"),
                json_bool(w, "running") ? (current && current->kind == JSON_OBJECT ? "running" : "idle")
                                        : "stopped",
                busy > 1 ? 100.0 : busy * 100, runs, sent, steals, parks,
                (unsigned long long)json_u64(w, "queued"), running);
    }
}

typedef struct ranked {
    const json *type;
    double runs;
} ranked;

static int by_runs(const void *a, const void *b) {
    double x = ((const ranked *)a)->runs, y = ((const ranked *)b)->runs;
    return x < y ? 1 : x > y ? -1 : 0;
}

static void types(FILE *out, const json *now, const json *prev, double interval) {
    const json *list = json_get(now, "types");
    size_t n = json_count(list);
    if (n == 0)
        return;
    ranked *r = calloc(n, sizeof *r);
    if (!r)
        return;
    double sampled_total = 0;
    for (size_t i = 0; i < n; i++) {
        r[i].type = json_at(list, i);
        r[i].runs = rate(r[i].type, matching(prev, "types", "type", r[i].type), "runs_sampled", interval);
        sampled_total += json_u64(r[i].type, "run_ns_sampled");
    }
    qsort(r, n, sizeof *r, by_runs);
    fprintf(out, "\n%-24s %10s %10s %10s %10s %7s\n", "ACTOR TYPE", "LIVE", "SPAWNED", "STOPPED",
            prev ? "~RUNS/s" : "~RUNS", "~TIME%");
    for (size_t i = 0; i < n && i < TOP_TYPES_SHOWN; i++) {
        const json *t = r[i].type;
        char live[16], spawned[16], stopped[16], runs[16];
        top_format_count(json_u64(t, "live"), live, sizeof live);
        top_format_count(json_u64(t, "spawned"), spawned, sizeof spawned);
        top_format_count(json_u64(t, "stopped"), stopped, sizeof stopped);
        top_format_count((uint64_t)r[i].runs, runs, sizeof runs);
        double share = sampled_total > 0 ? 100.0 * json_u64(t, "run_ns_sampled") / sampled_total : 0;
        fprintf(out, "%-24.24s %10s %10s %10s %10s %7.1f\n", json_str(t, "type"), live, spawned,
                stopped, runs, share);
    }
    if (n > TOP_TYPES_SHOWN)
        fprintf(out, "(%zu more types)\n", n - TOP_TYPES_SHOWN);
    fprintf(out, "(~: estimated from one batch in about 256)\n");
    free(r);
}

static void actors(FILE *out, const json *now) {
    const json *busiest = json_get(now, "busiest"), *backlogs = json_get(now, "backlogs");
    if (json_count(busiest)) {
        fprintf(out, "\n%-20s %-24s %9s   (%% of a worker, watched for 20 ms)\n", "BUSIEST ACTORS",
                "TYPE", "CPU%");
        for (size_t i = 0; i < json_count(busiest); i++) {
            const json *a = json_at(busiest, i);
            fprintf(out, "%-20s %-24.24s %9.1f\n", json_str(a, "actor"), json_str(a, "type"),
                    100.0 * json_num(a, "share"));
        }
    }
    fprintf(out, "\n%-20s %-24s %9s\n", "BACKLOGS", "TYPE", "QUEUED");
    if (json_count(backlogs) == 0)
        fprintf(out, "(no actor was left with messages queued)\n");
    for (size_t i = 0; i < json_count(backlogs); i++) {
        const json *b = json_at(backlogs, i);
        char queued[24];
        top_format_count(json_u64(b, "queued"), queued, sizeof queued);
        fprintf(out, "%-20s %-24.24s %8s%s\n", json_str(b, "actor"), json_str(b, "type"), queued,
                json_bool(b, "at_least") ? "+" : "");
    }
}

static void peers(FILE *out, const json *now, const json *prev, double interval) {
    const json *list = json_get(now, "peers");
    if (json_count(list) == 0)
        return;
    fprintf(out, "\n%-16s %-8s %10s %10s %10s %10s %9s %9s %5s\n", "PEER", "STATE",
            prev ? "MSG OUT/s" : "MSG OUT", prev ? "MSG IN/s" : "MSG IN", "BYTES OUT", "BYTES IN",
            "RTT", "HEARD", "LOST");
    for (size_t i = 0; i < json_count(list); i++) {
        const json *p = json_at(list, i), *before = matching(prev, "peers", "node", p);
        char mo[16], mi[16], bo[16], bi[16], rtt[16] = "-", heard[16] = "never";
        top_format_count((uint64_t)rate(p, before, "messages_out", interval), mo, sizeof mo);
        top_format_count((uint64_t)rate(p, before, "messages_in", interval), mi, sizeof mi);
        top_format_count(json_u64(p, "bytes_out"), bo, sizeof bo);
        top_format_count(json_u64(p, "bytes_in"), bi, sizeof bi);
        const json *r = json_get(p, "rtt_us"), *h = json_get(p, "last_heard_ms_ago");
        if (r && r->kind == JSON_NUMBER)
            snprintf(rtt, sizeof rtt, "%.0fus", r->number);
        if (h && h->kind == JSON_NUMBER)
            snprintf(heard, sizeof heard, "%.1fs ago", h->number / 1e3);
        fprintf(out, "%-16.16s %-8s %10s %10s %10s %10s %9s %9s %5llu\n", json_str(p, "node"),
                json_bool(p, "in_session") ? "up" : "down", mo, mi, bo, bi, rtt, heard,
                (unsigned long long)json_u64(p, "lost"));
    }
}

static void dead_letters(FILE *out, const json *now) {
    const json *d = json_get(now, "dead_letters");
    fprintf(out, "\nDEAD LETTERS %llu", (unsigned long long)json_u64(d, "total"));
    const json *by = json_get(d, "by_reason");
    bool first = true;
    for (size_t i = 0; by && i < by->count; i++) {
        if (by->items[i].integer == 0)
            continue;
        fprintf(out, "%s%s %llu", first ? ": " : ", ", by->keys[i],
                (unsigned long long)by->items[i].integer);
        first = false;
    }
    fprintf(out, "\n");
}

static void futures(FILE *out, const json *now) {
    const json *f = json_get(now, "futures");
    if (!f)
        return;
    fprintf(out, "FUTURES pending %llu, timed out %llu, late answers dropped %llu\n",
            (unsigned long long)json_u64(f, "pending"), (unsigned long long)json_u64(f, "timeouts"),
            (unsigned long long)json_u64(f, "late"));
}

void top_render(FILE *out, const json *now, const json *prev, double interval, int width) {
    (void)width; /* columns fit 100; wider terminals just have room */
    header(out, now);
    workers(out, now, prev, interval);
    types(out, now, prev, interval);
    actors(out, now);
    peers(out, now, prev, interval);
    dead_letters(out, now);
    futures(out, now);
}
