/*
 * peer_stats.h - what the mailman counts for each peer, for `alox top` and
 * the metrics (observe/): messages and bytes each way, frames, when it was
 * last heard from, round-trip time, how often it was lost.
 *
 * Each counter is written by the mailman thread only (a plain add, see
 * core/counters.h) and read by any thread with transport_peer_stats.
 *
 * Thread-safety: the peer_stats_* calls on the mailman thread.
 */
#ifndef ALOX_PEER_STATS_H
#define ALOX_PEER_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/counters.h"

typedef struct peer_stats {
    counter messages_out, messages_in; /* behaviour calls (and spawns) */
    counter bytes_out, bytes_in;       /* frame bytes, headers included */
    counter frames_out, frames_in;
    counter lost;          /* sessions that ended in loss */
    counter in_session;    /* 1 between its HELLO and its loss */
    counter last_heard_ms; /* CLOCK_MONOTONIC ms of its last frame; 0: never */
    counter rtt_us;        /* the last measured round trip; 0: not yet */
    counter resends;       /* times we sent again from a gap it reported or left */
} peer_stats;

static inline void peer_stats_frame_out(peer_stats *s, size_t bytes) {
    counter_add(&s->frames_out, 1);
    counter_add(&s->bytes_out, bytes);
}

static inline void peer_stats_frame_in(peer_stats *s, size_t bytes, int64_t now_ms) {
    counter_add(&s->frames_in, 1);
    counter_add(&s->bytes_in, bytes);
    counter_set(&s->last_heard_ms, (uint64_t)now_ms);
}

static inline void peer_stats_message_out(peer_stats *s) { counter_add(&s->messages_out, 1); }
static inline void peer_stats_message_in(peer_stats *s) { counter_add(&s->messages_in, 1); }

static inline void peer_stats_session(peer_stats *s, bool in_session) {
    if (!in_session && counter_get(&s->in_session))
        counter_add(&s->lost, 1);
    counter_set(&s->in_session, in_session);
}

/* A peer as `alox top` shows it. */
typedef struct transport_peer_view {
    char name[65];
    bool in_session;
    uint64_t messages_out, messages_in, bytes_out, bytes_in, frames_out, frames_in, lost;
    int64_t last_heard_ms_ago; /* -1: never */
    uint64_t rtt_us;           /* 0: not measured */
} transport_peer_view;

/* Fills up to max views; returns how many peers there are (0 without
 * distribution). Any thread. */
size_t transport_peer_stats(transport_peer_view *out, size_t max);

#endif
