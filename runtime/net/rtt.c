/* rtt.c - PING/PONG and the smoothed round-trip time; see rtt.h. */
#include "rtt.h"

#include <sys/random.h>
#include <time.h>

#include "transport_internal.h"

static int64_t now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* Random, so a peer cannot answer a PING before it has it. */
static uint64_t fresh_token(void) {
    uint64_t token = 0;
    while (token == 0)
        if (getrandom(&token, sizeof token, 0) != sizeof token)
            return 0; /* no randomness now: no PING this time */
    return token;
}

static void send_ping_frame(peer *p, uint8_t kind, uint64_t token) {
    session_begin_frame(p, &transport.scratch, kind);
    wire_put_ping(&transport.scratch, token);
    session_send_frame(p, &transport.scratch);
}

void rtt_timer(peer *p, int64_t now_ms) {
    if (p->their_session == 0 || now_ms < p->rtt.next_ms || (!p->dealer && p->route_size == 0))
        return;
    p->rtt.next_ms = now_ms + RTT_PING_MS;
    uint64_t token = fresh_token();
    if (token == 0)
        return;
    /* An unanswered PING is simply replaced: its PONG, if it comes, no
     * longer names the outstanding token. */
    p->rtt.token = token;
    p->rtt.sent_us = now_us();
    send_ping_frame(p, WIRE_PING, token);
}

void rtt_on_ping(peer *p, const wire_frame *f) { send_ping_frame(p, WIRE_PONG, f->u.ping.token); }

void rtt_on_pong(peer *p, const wire_frame *f) {
    if (p->rtt.token == 0 || f->u.ping.token != p->rtt.token)
        return; /* late (a PING since), repeated, or made up */
    p->rtt.token = 0;
    int64_t sample = now_us() - p->rtt.sent_us;
    if (sample < 0 || sample > RTT_MAX_SAMPLE_US)
        return;
    if (sample == 0)
        sample = 1; /* "0" means "not measured" (peer_stats.h) */
    if (p->rtt.srtt_us == 0)
        p->rtt.srtt_us = sample;
    else
        p->rtt.srtt_us += (sample - p->rtt.srtt_us) / RTT_SMOOTHING;
    if (p->rtt.srtt_us < 1)
        p->rtt.srtt_us = 1;
    counter_set(&p->stats.rtt_us, (uint64_t)p->rtt.srtt_us);
}

void rtt_reset(peer *p) {
    p->rtt.token = 0;
    p->rtt.srtt_us = 0;
    p->rtt.next_ms = 0;
    counter_set(&p->stats.rtt_us, 0);
}
