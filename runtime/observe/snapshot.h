/*
 * snapshot.h - one look at a running program, as `alox top` and the
 * Prometheus endpoint show it, from the counters (core/counters.h), the
 * dead letters (support/dead_letter.h) and the peers (net/peer_stats.h).
 *
 * JSON (what the control socket serves; `alox top --json` prints it), with
 * "format": 1 (fields may be added; none changes meaning within a format):
 *
 *   { "format": 1, "pid": 4242, "program": "app", "node": "a" or null,
 *     "uptime_ms": 1234, "running": true, "threads": 2, "injected": 0,
 *     "workers": [ { "index": 0, "running": true, "runs": N, "sent": N,
 *                    "steals": N, "parks": N, "busy_ns": N,
 *                    "queued": N, "current": { "actor": "0:1025",
 *                                              "type": "pinger" } or null } ],
 *     "types": [ { "type": "pinger", "live": N, "spawned": N, "stopped": N,
 *                  "runs": N, "run_ns_sampled": N } ],
 *     "busiest": [ { "actor": "0:1025", "type": "pinger", "run_ns_sampled": N } ],
 *     "backlogs": [ { "actor": "0:1025", "type": "sink", "queued": N,
 *                     "at_least": false } ],
 *     "dead_letters": { "total": N, "by_reason": { "actor stopped": N, ... } },
 *     "peers": [ { "node": "b", "in_session": true, "messages_out": N,
 *                  "messages_in": N, "bytes_out": N, "bytes_in": N,
 *                  "frames_out": N, "frames_in": N, "rtt_us": N or null,
 *                  "last_heard_ms_ago": N or null, "lost": N } ],
 *     "malformed_frames": N, "rejected_connections": N }
 *
 * Counts are cumulative since the program started. "runs" are behaviours
 * run; "run_ns_sampled" and "busiest" are estimates from timed samples
 * (core/counters.h); "backlogs" are the actors left with messages queued
 * at the end of a batch since the snapshot asked (at most
 * COUNTERS_BACKLOG_WALK counted: "at_least" then). Actors are written
 * NODE:SERIAL, as dead letters print them.
 *
 * Thread-safety: any thread; snapshot_set_identity before the first.
 */
#ifndef ALOX_SNAPSHOT_H
#define ALOX_SNAPSHOT_H

#include <stdbool.h>

#include "textbuf.h"

/* The program's names, for every snapshot (node may be NULL). */
void snapshot_set_identity(const char *program, const char *node);

/* Appends the JSON snapshot. With sample_backlogs, first asks the workers
 * for backlogs and waits SNAPSHOT_BACKLOG_WAIT_MS for their answers. */
void snapshot_json(textbuf *out, bool sample_backlogs);

/* Appends the counters in the Prometheus text exposition format 0.0.4. */
void snapshot_prometheus(textbuf *out);

#endif
