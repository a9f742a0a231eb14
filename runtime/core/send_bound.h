/*
 * send_bound.h - the sends of one behaviour are bounded while it runs.
 *
 * Muting (overload.h) pauses a sender after its behaviour. A behaviour
 * that sends 20 million messages in one loop ran them all into its
 * receiver's mailbox first: 20 million queued with one worker, 16 million
 * with two (test_backpressure, the one-behaviour floods), a gigabyte.
 * So once every SENDS_BEFORE_HANDOFF sends of a behaviour (worker_send_round:
 * the send fast path pays nothing) its worker looks at the latest target
 * T, and the send waits, inside the call (the behaviour is not
 * interrupted: it is in a call, as a plain thread is in
 * overload_plain_sent), when
 *   - T is ACTOR_HEAVY: it measured itself at the limit and has not come
 *     back under limit / RESUME_DIVISOR (the level at which it releases
 *     its muted senders); or
 *   - this worker has sent T limit / UNCONFIRMED_DIVISOR messages since
 *     T's consumer last moved its cursor: T does not run (it waits in a
 *     queue, or its worker was preempted), so it cannot measure itself.
 * The wait ends when the heavy flag clears (first case) or the cursor
 * moves (second), T goes idle, the run stops, or WAIT_MAX_MS passes.
 * Meanwhile the worker helps (helping.h): T in its own run-next slot (the
 * one-worker flood: T was made runnable by the first send) runs there, else
 * whatever this worker holds runs one batch at a time; it sleeps only with
 * nothing of its own to run, and then only if another worker exists.
 *
 * Why it cannot deadlock:
 *   - A send to itself never waits: nobody else drains its own mailbox.
 *   - The wait is an edge of overload.h's wait-for graph ("the behaviour of
 *     X waits for T"), made under its lock only if T's waits (T muted on
 *     someone, or T's own behaviour waiting in a send) do not lead back to
 *     X; mutes check these edges too. Two actors flooding each other from
 *     one behaviour each: the second to wait sees the first waiting on it
 *     and goes on; its behaviour ends, it takes the first one's messages,
 *     and the first one's wait ends.
 *   - A waiting worker runs what it holds (helping.h), so no runnable
 *     actor is stranded behind it, even with every worker waiting; a
 *     helped batch never waits itself (one level).
 *   - And the wait has a time bound: a wait that ran out does not come
 *     again before another limit / UNCONFIRMED_DIVISOR sends to T (a
 *     receiver that never runs meanwhile costs its sender a pause per
 *     half limit, not per round).
 * Not bounded: a helped batch's own sends (one level), and sends from an
 * actor that is itself pressured (it must drain: overload.h), as before.
 *
 * Thread-safety: the worker's own thread.
 */
#ifndef ALOX_SEND_BOUND_H
#define ALOX_SEND_BOUND_H

struct worker;
struct actor;

/* Once every SENDS_BEFORE_HANDOFF sends of a behaviour on worker `w`, the
 * latest to `to` (worker_send_round): may wait as above. */
void send_bound_round(struct worker *w, struct actor *to);

/* Once every SENDS_BEFORE_HANDOFF sends of worker `w` that are not such a
 * round (its behaviours send a few messages each), the latest to `to`:
 * the same count and the same wait, helping only `to`, and only for a
 * target not flagged (a flagged one mutes its senders after their
 * behaviour, the bound for behaviours of a few sends). This is the
 * fan-in's case: 10,000 senders of one message per behaviour, their
 * receiver not flagged (it had drained) and waiting in the run-next slot
 * of a worker that does not run (preempted; under TSan, 95K-290K), while
 * the other worker runs full batches of senders. Helping them would
 * only add their sends. */
void send_bound_sample(struct worker *w, struct actor *to);

#endif
