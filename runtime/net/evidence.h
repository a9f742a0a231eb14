/*
 * evidence.h - what a verdict on a peer (silent, not acknowledging: lost)
 * may rest on (issue 13). The mailman reads TRANSPORT_RECV_BURST frames a
 * socket a turn; a starved mailman (a loaded machine) falls behind, and
 * the frames it reads then carry what the peer said seconds ago: a live
 * peer's acknowledgements waited unread in ZeroMQ behind them, and it was
 * declared lost "it stopped acknowledging".
 *
 * The rule: a peer whose frames we are reading (some were read this
 * turn) is judged at the last moment every frame of it that had reached
 * us was read (its `caught_up_ms`: the start of the latest turn whose
 * reads of the ROUTER and of our dealer to it ended before their burst),
 * not at the clock's now, and on evidence at most EVIDENCE_MAX_TIMEOUTS
 * timeouts old (evidence_time). While a verdict is due on the clock but
 * not on the evidence, its sockets are read until empty (at most a
 * quarter of the timeout a turn), so the evidence catches up. A peer none
 * of whose frames was read in a turn has none waiting (the ROUTER queues
 * fairly between connections): it is judged on the clock, as before, so
 * a dead peer (kill -9, SIGSTOP) is lost a timeout after its last frame
 * was read, whoever else floods us. Holding every verdict while a read
 * stopped at its burst (4c69aa3) left a dead peer unjudged as long as a
 * flood from another kept the shared ROUTER behind, and whatever waited
 * on it (alox_run) with it.
 *
 * Thread-safety: the mailman thread, except transport_test_pause (any).
 */
#ifndef ALOX_EVIDENCE_H
#define ALOX_EVIDENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "peer.h"

/* Whether a verdict on p (NULL: on any peer, for the ROUTER, where any
 * may speak) waits for evidence. */
bool evidence_catching_up(const peer *p);

/* Reads a socket: one `burst` (which reads TRANSPORT_RECV_BURST frames of
 * it and says whether that emptied it), or while catching up, bursts
 * until it is empty or a quarter of the peer timeout has passed. Returns
 * whether it was read to the end. */
bool evidence_read(bool catch_up, bool (*burst)(void *), void *socket_owner);

/* After a turn's reads (looked: when the turn polled): every peer whose
 * sockets were all read to the end (router_behind: the ROUTER's read
 * stopped at its burst; p->reads_behind: our dealer's) is caught up. */
void evidence_note_reads(int64_t looked, bool router_behind);

/* The moment p is judged at (now: the start of this turn): now if no
 * frame of it was read this turn, else its caught_up_ms, but at most
 * EVIDENCE_MAX_TIMEOUTS peer timeouts before now. */
int64_t evidence_time(const peer *p, int64_t now);

/* Tests only (tests/dist/starved.c): each mailman turn sleeps pause_ms
 * (0: none), a starved mailman made deterministic. */
void transport_test_pause(int pause_ms);
void evidence_test_pause(void);

#endif
