/*
 * chain.h - causal termination across hops (issue 13 item 2), shared by
 * dist.c (case causal2 / causal3) and roots.c (case roots): a job goes
 * through HOPS relays, bouncing between two (on one node or two), and the
 * last one answers the client; each hop takes a moment, so an
 * acknowledgement that covered one hop only would let the client's
 * alox_run return before the answer.
 */
#ifndef DIST_CHAIN_H
#define DIST_CHAIN_H

#include <alox.h>

struct alox_actor relay { int64_t hops; };
struct alox_actor asker { int64_t replies, last_hops; };

alox_behave void hop(struct relay *self, int32_t left, struct relay *other, struct asker *reply_to);
alox_behave void answer(struct asker *self, int64_t hops_seen);

/* REPS jobs of HOPS hops between FIRST's "relay" and SECOND's ("relay2"
 * if it is the same node); after each alox_run the answer must be there,
 * and no message may be a dead letter. Prints "ok: chain: ..." or
 * "FAIL: chain: ..."; returns the exit code. */
int chain_jobs(int hops, int reps, const char *first, const char *second);

#endif
