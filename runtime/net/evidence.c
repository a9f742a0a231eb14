/* evidence.c - see evidence.h. */
#include "evidence.h"

#include <stdatomic.h>
#include <time.h>

#include "transport_internal.h"

/* While a verdict waits for evidence, a socket is read burst after burst
 * until it is empty, for at most a quarter of the peer timeout a turn (or
 * HWM frames: all a connection can queue): a starved mailman gets through
 * its backlog in a turn or two, and its own frames, which the peers judge
 * us by, are held up far less than a timeout. */
#define EVIDENCE_CATCHUP_FRACTION 4 /* of the peer timeout, read at most per turn */

/* A peer we are still reading is judged on evidence at most this many
 * peer timeouts old: one that talks faster than we read for ever, yet
 * never acknowledges, is still lost (a one-way failure), after 4 timeouts
 * instead of 1. */
#define EVIDENCE_MAX_TIMEOUTS 4

bool evidence_catching_up(const peer *p) {
    if (p)
        return p->catch_up;
    for (size_t i = 0; i < transport.peer_count; i++)
        if (transport.peers[i].catch_up)
            return true; /* its frames may come on the ROUTER */
    return false;
}

bool evidence_read(bool catch_up, bool (*burst)(void *), void *socket_owner) {
    if (!catch_up)
        return burst(socket_owner);
    int64_t until = transport_now_ms() + transport.peer_timeout_ms / EVIDENCE_CATCHUP_FRACTION;
    for (int read = 0; read < TRANSPORT_HWM_FRAMES; read += TRANSPORT_RECV_BURST)
        if (burst(socket_owner))
            return true;
        else if (transport_now_ms() >= until)
            break;
    return false;
}

/* A peer may speak on the ROUTER (its connection to us) or on our dealer
 * to it: it is caught up when both were read to the end. */
void evidence_note_reads(int64_t looked, bool router_behind) {
    for (size_t i = 0; i < transport.peer_count; i++) {
        peer *p = &transport.peers[i];
        if (!router_behind && !p->reads_behind)
            p->caught_up_ms = looked;
        p->reads_behind = false; /* until the next turn's read stops at its burst */
    }
}

int64_t evidence_time(const peer *p, int64_t now) {
    if (p->last_heard_ms < now)
        return now; /* nothing of it was read this turn: nothing of it waits */
    int64_t oldest = now - EVIDENCE_MAX_TIMEOUTS * transport.peer_timeout_ms;
    return p->caught_up_ms > oldest ? p->caught_up_ms : oldest;
}

/* Relaxed: a test's setting, read once a turn; no data depends on it. */
static _Atomic int test_pause_ms;

void transport_test_pause(int pause_ms) {
    atomic_store_explicit(&test_pause_ms, pause_ms, memory_order_relaxed);
}

void evidence_test_pause(void) {
    int ms = atomic_load_explicit(&test_pause_ms, memory_order_relaxed);
    if (ms > 0)
        nanosleep(&(struct timespec){ms / 1000, (long)(ms % 1000) * 1000000}, NULL);
}
