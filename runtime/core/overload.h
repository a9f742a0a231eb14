/*
 * overload.h - backpressure that loses nothing: a sender to an overloaded
 * actor is paused ("muted") after its current behaviour until the receiver
 * catches up; a plain thread waits inside the send. No message is ever
 * dropped and no behaviour is interrupted. After Pony's mailbox-overload
 * muting (ponyc PR 2264), with its cycle deadlock (ponyc issue 3382)
 * designed out: see "Why it cannot deadlock" below.
 *
 * States of an actor, in two flag bits of actor.flags (enum actor_flags):
 *   ACTOR_OVERLOADED  its backlog reached overload_limit() messages (the
 *                     receiver measures it itself, at the end of a batch),
 *                     or would have by the time it runs again (queued
 *                     behind its senders, below), and it has not drained
 *                     since;
 *   ACTOR_MUTED       it sent to an overloaded or muted actor, had more
 *                     messages to run, and now waits in that actor's list
 *                     instead of in a run queue.
 * The send fast path reads actor.flags already (the proxy test); testing
 * these two bits is the same load and one more predictable branch.
 *
 * Measuring a backlog without a counter on the send path: the receiver
 * keeps a "scout" pointer walking ahead of its own cursor through the
 * mailbox's linked nodes (only the consumer may follow them, and a node
 * ahead of the cursor is not freed until it is popped). Each node is
 * scouted at most once and is the next to be popped, so the walk costs
 * one pass that pre-loads what the worker reads anyway. The scout state
 * lives in a record (struct overload) that exists only while an actor has
 * a backlog of more than one batch, or is muted.
 *
 * Queued behind its senders: a receiver measures itself only when it
 * runs, and one that goes to the back of a run queue with a backlog
 * waits there while every actor ahead of it runs a batch, each of which
 * may send to it: 10,000 senders of one message per behaviour add a
 * million messages before it runs again (fan-in), and nobody sees a flag.
 * So an actor with a backlog that goes to the back of a worker's run
 * queue (from a batch, runnext, a steal) is flagged if its backlog plus
 * a batch from each actor that runs before it reaches the limit
 * (`growth`, estimated by the worker); its senders then add one
 * behaviour's sends each and are muted. It is cleared as any flag is.
 *
 * The low mark: below limit / RESUME_DIVISOR the receiver releases the
 * actors muted on it, but keeps its flag until its mailbox is empty: each
 * released sender runs one behaviour and is muted again. A receiver that
 * cleared its flag there would not flag itself again before its next
 * batch end, and that can be a long way off: its worker preempted, or the
 * receiver behind 10,000 released senders, each running a whole batch.
 *
 * Why it cannot deadlock: "X is muted on Y" is an edge of a wait-for
 * graph; X has at most one edge. An edge X->Y is made (under the one
 * lock) only when X is not muted (it is running) and has not measured
 * itself over the limit, Y is overloaded or muted, and following Y's
 * edges does not lead back to X. So the graph is
 * a forest whose roots are overloaded actors that are not muted: they
 * stay runnable and drain at their own speed (whoever sends to them is
 * muted on them, or is in their tree and does not run). When a root
 * catches up, or a muted actor is released, its whole list is released
 * with it. Pony's deadlock came from muting an actor on another one that
 * was muted on it. An actor flagged only for where it waits in a queue
 * (above) may be muted: it is often a sender too. One that measured
 * itself over the limit never is (as in Pony): it must drain, and it may
 * be a server whose muted clients have replies waiting: muted on one of
 * them, it would let that client (which cannot be muted on it: a cycle)
 * send it its whole backlog.
 *
 * Exempt on the way in (never paused, never waiting): messages sent by
 * the runtime's own threads (the I/O and timer threads: timers and descriptor
 * readiness; the network: inbound messages are pushed by net/inbound.c
 * directly), sends from a worker outside any behaviour, an actor's sends
 * to itself, and sends before alox_run has started the workers (nothing
 * could drain the backlog yet: waiting there would never end).
 *
 * Thread-safety: overload_sent_to from any thread; overload_batch_end and
 * overload_mute from the worker running the actor named first. One mutex
 * guards every edge, list and flag change; the fast path takes no lock.
 */
#ifndef ALOX_OVERLOAD_H
#define ALOX_OVERLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "mailbox.h"

struct actor;
struct worker;

/* The backlog, in messages, at which an actor counts as overloaded
 * (ALOX_MAILBOX_LIMIT; 0: backpressure off). */
uint32_t overload_limit(void);
void overload_set_limit(uint32_t messages);

/* This thread belongs to the runtime (the I/O or timer thread): its sends are
 * exempt (see above). */
void overload_exempt_this_thread(void);

/* Slow path of alox_send on a worker: `to` was seen overloaded or muted.
 * Inside a behaviour it notes the target (the sender may be muted after
 * the behaviour, overload_mute). */
void overload_sent_to(struct worker *w, struct actor *to);

/* Once every SENDS_BEFORE_HANDOFF sends of a behaviour on worker `w`,
 * the latest to `to`: counts the rounds sent to the same target while its
 * consumer's cursor (box.tail) has not moved. At half of overload_limit()
 * such sends the receiver is not running (its thread preempted: it cannot flag
 * itself), so the sender waits, inside its behaviour, until the cursor
 * moves, the target is flagged or idle, or WORKER_WAIT_MAX_MS passes; and
 * its batch ends after the behaviour. */
void overload_send_round(struct worker *w, struct actor *to);

/* Every send from a thread that is not a worker (`scheduled`: this push
 * found the mailbox idle). Waits while `to` is overloaded or muted, and
 * when this thread has sent `to` overload_limit() messages that `to` has
 * not been seen to take (it was not idle since and has not flagged
 * itself: its worker may not have run it yet), until it has. */
void overload_plain_sent(struct actor *to, bool scheduled);

/* The receiver side, at the end of a batch of `handled` messages that left
 * the mailbox at `cursor`; `drained`: the mailbox was seen empty. Updates
 * the backlog measure and the OVERLOADED flag. Returns the actors released
 * by catching up (linked through next_runnable), for the caller to queue.
 * *pressing: the backlog is above the resume level: the receiver should
 * run again soon (its flag is only as fresh as its last batch). */
struct actor *overload_batch_end(struct actor *a, mailbox_node *cursor, uint32_t handled,
                                 bool drained, bool *pressing);

/* `a` (runnable, held by the calling worker, a->overload not NULL) goes
 * to the back of a run queue, where the actors ahead of it may send it
 * `growth` messages before it runs: flagged if that would take it past
 * the limit (see "Queued behind its senders" above). */
void overload_queued(struct actor *a, uint32_t growth);

/* `a` has just stopped (alox_stop, on the worker that ran it): releases
 * everything waiting on it and drops its record. Returns the released
 * actors as overload_batch_end does. */
struct actor *overload_actor_stopped(struct actor *a);

/* After a behaviour of `a` sent to `target` (seen overloaded or muted)
 * while `a` has more messages: parks `a` in target's list. Returns false
 * if `a` must run on instead (target caught up meanwhile, `a` is itself
 * overloaded, or the mute would close a cycle). */
bool overload_mute(struct actor *a, struct actor *target);

/* Gates: something that is not an actor but fills up (net/credit.h: the
 * messages queued for a peer that has not received them) and whose
 * senders pause as those of an overloaded actor do. A gate is a zeroed
 * actor header (64-byte aligned, with a type for messages) that never
 * runs and is never muted: closed, it counts as overloaded, a root of the
 * wait-for graph; its owner opens it on progress that waits on no muted
 * actor (net/: the peer receiving), so the argument above still holds.
 * overload_gate_close from any thread; overload_gate_open from the owner,
 * which queues the released actors (linked through next_runnable). */
void overload_gate_close(struct actor *gate);
struct actor *overload_gate_open(struct actor *gate);
bool overload_gate_closed(const struct actor *gate);

/* After a send that queued behind a closed gate: a worker inside a
 * behaviour pauses after it (as overload_sent_to); a plain thread waits
 * until the gate opens (while the workers run); exempt threads go on. */
void overload_gate_sent(struct actor *gate);

/* Called (on the thread that cleared it, outside the lock) each time an
 * actor stops counting as overloaded: the network's credit (net/credit.h)
 * resumes the peers it held for it. Set once before the workers run. */
void overload_set_caught_up_hook(void (*hook)(void));

#endif
