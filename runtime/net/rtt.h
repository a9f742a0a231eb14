/*
 * rtt.h - the round-trip time of a peer session, for `alox top` and the
 * metrics (peer_stats.h: rtt_us).
 *
 * Every RTT_PING_MS, whatever else flows, the mailman sends each peer in
 * session a PING carrying a fresh random token (wire.h) and keeps the
 * token and the time; the peer answers with a PONG of the same token at
 * once. A PONG that names the token of our one outstanding PING gives a
 * sample (its time since the PING); the estimate is smoothed like TCP's
 * (RFC 6298: srtt += (sample - srtt) / 8) and published. Under traffic the
 * PING waits behind the frames already queued to the peer: the figure is
 * the round trip a message sees now, queueing included.
 *
 * A peer cannot make us take any figure it likes: a PONG is taken only
 * for the outstanding token (random, so not guessable before the PING
 * arrives), once, and a sample above RTT_MAX_SAMPLE_US is dropped; so all
 * it can do is answer late, which is a true round trip. A PING costs us
 * one PONG of 56 bytes: a peer that floods PINGs floods itself first.
 *
 * Thread-safety: mailman thread only.
 */
#ifndef ALOX_RTT_H
#define ALOX_RTT_H

#include <stdint.h>

#include "wire/wire.h"

#define RTT_PING_MS 500                      /* a PING this often per session (ms): twice a second */
#define RTT_MAX_SAMPLE_US (60ll * 1000 * 1000) /* longer is no round trip but a stall (µs) */
#define RTT_SMOOTHING 8                       /* srtt moves 1/8 of the way to each sample (RFC 6298) */

typedef struct peer_rtt {
    uint64_t token;   /* of the outstanding PING; 0: none */
    int64_t sent_us;  /* when it was sent (CLOCK_MONOTONIC µs) */
    int64_t next_ms;  /* when the next PING is due (transport_now_ms) */
    int64_t srtt_us;  /* the smoothed estimate; 0: no sample yet */
} peer_rtt;

struct peer;

/* Sends a PING to p when one is due (p in session, with a route). */
void rtt_timer(struct peer *p, int64_t now_ms);
/* A PING from p: answers it. */
void rtt_on_ping(struct peer *p, const wire_frame *f);
/* A PONG from p: a sample if it answers our outstanding PING. */
void rtt_on_pong(struct peer *p, const wire_frame *f);
/* p's session ended: no PING outstanding, no estimate (a new session may
 * be to a process elsewhere). */
void rtt_reset(struct peer *p);

#endif
