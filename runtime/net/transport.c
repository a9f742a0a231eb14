/* transport.c - the mailman thread: sockets, the ZAP handler, the poll
 * loop, and the outbox that workers hand remote messages to. See
 * transport.h; peer sessions are in session.c. */
#include "transport_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "alox.h"
#include "core/guest.h"
#include "core/overload.h"
#include "core/scheduler.h"
#include "core/trace.h"
#include "core/worker.h"
#include "address_book.h"
#include "credit.h"
#include "evidence.h"
#include "half_open.h"
#include "node.h"
#include "proxy.h"
#include "support/dead_letter.h"
#include "support/platform.h"

transport_state transport = {
    .lookup_lock = PTHREAD_MUTEX_INITIALIZER,
    .lookup_done = PTHREAD_COND_INITIALIZER,
    .wake_fd = -1,
};

int64_t transport_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* True on the mailman thread: its own wake-ups are a flag, not a write. */
static ALOX_TLS bool on_mailman;

void transport_wake(void) {
    if (on_mailman) { /* it looks at everything once more before it sleeps */
        transport.woke_self = true;
        return;
    }
    uint64_t one = 1;
    /* A full counter (never in practice) still leaves the fd readable. */
    if (write(transport.wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
        perror("alox: waking the mailman");
}

bool transport_running(void) { return transport.running; }
bool transport_serving(void) { return transport.running && transport.serving; }
uint64_t transport_malformed_frames(void) { return atomic_load(&transport.malformed); }
uint64_t transport_rejected_connections(void) { return atomic_load(&transport.rejected); }

/* ---------------------------------------------------------------------
 * Outboxes: Treiber stacks, one per peer (so that a flood to one peer
 * never holds up the messages and acknowledgements of another) and one
 * for messages with no peer to go to. Any thread pushes; the mailman
 * takes a whole stack at once and reverses it, which restores the order
 * of the pushes (and so the causal order of the sends).
 * ------------------------------------------------------------------- */
static void outbox_push(_Atomic(message *) *box, message *m) {
    message *head = atomic_load_explicit(box, memory_order_relaxed);
    do {
        atomic_store_explicit(&m->node.next, (mailbox_node *)head, memory_order_relaxed);
        /* Release: the mailman's acquire exchange then sees the message. */
    } while (!atomic_compare_exchange_weak_explicit(box, &head, m, memory_order_release,
                                                    memory_order_relaxed));
    if (head == NULL)
        transport_wake(); /* empty -> non-empty: the mailman may be asleep */
}

static message *outbox_take_all(_Atomic(message *) *box) {
    /* Acquire: pairs with the release CAS of every push. */
    message *m = atomic_exchange_explicit(box, NULL, memory_order_acquire);
    message *in_order = NULL;
    while (m) {
        message *next = (message *)atomic_load_explicit(&m->node.next, memory_order_relaxed);
        atomic_store_explicit(&m->node.next, (mailbox_node *)in_order, memory_order_relaxed);
        in_order = m;
        m = next;
    }
    return in_order;
}

static _Atomic(message *) *outbox_of(peer_epoch *e) { return e ? &e->peer->outbox : &transport.outbox; }

/* ---------------------------------------------------------------------
 * The send side, on the caller's thread.
 * ------------------------------------------------------------------- */
static bool has_stage_pointer(const alox_behaviour_desc *b, const void *args) {
    for (uint32_t i = 0; i < b->ref_count; i++) {
        void *pointer;
        memcpy(&pointer, (const char *)args + b->refs[i].offset, sizeof pointer);
        if (b->refs[i].kind == ALOX_REF_STAGE && pointer != NULL)
            return true;
    }
    return false;
}

void transport_send(actor *proxy, const alox_behaviour_desc *b, const void *args) {
    if (peer_epoch_is_dead(proxy_epoch(proxy))) {
        dead_letter_report(ALOX_DEAD_PEER_LOST, proxy->id, b, args);
        return;
    }
    if (has_stage_pointer(b, args)) {
        dead_letter_report(ALOX_DEAD_STAGE_OFF_STAGE, proxy->id, b, args);
        return;
    }
    if (b->args_size > WIRE_MAX_ARGS || b->ref_count > WIRE_MAX_REFS) {
        dead_letter_report(ALOX_DEAD_TOO_LARGE, proxy->id, b, args);
        return;
    }
    causal_root *key = causal_send_root(); /* the work this send belongs to */
    remote_message *m = key ? message_new_remote_slotted(b, args) : message_new_remote(b, args);
    m->link = proxy;
    worker *w = worker_self;
    if (w && w->cause) { /* sent by a behaviour run for a remote message */
        frame_record *cause = w->cause;
        if (cause->from == proxy_epoch(proxy)->peer) /* back to its sender: a proof it ran */
            m->seq = session_pack_cause(w->cause_seq, cause->session_gen); /* checked when queued */
    }
    if (ALOX_UNLIKELY(trace_enabled())) {
        m->trace = trace_remote_id(transport.node_id);
        trace_send(m->trace, proxy->id, b);
    }
    causal_tag_send(m, key);
    scheduler_hold_remote(1); /* released when the peer has processed it (and it is done) */
    peer_epoch *e = proxy_epoch(proxy);
    outbox_push(outbox_of(e), &m->base);
    credit_sent(e->peer); /* may pause this sender behind the peer's gate */
}

/* The behaviour behind a remote spawn request: never run, only encoded. */
static const alox_behaviour_desc spawn_request = {
    ALOX_ABI_VERSION, sizeof(uint64_t), _Alignof(uint64_t), 0, "(spawn)", "(u64)", 0, 0, 0, NULL, NULL,
};

bool transport_is_spawn(const alox_behaviour_desc *b) { return b == &spawn_request; }

void transport_spawn_refused(peer *p, uint64_t id) {
    if ((id >> 48) != p->node_id) /* a node speaks only for its own actors */
        return;
    dead_letter_report(ALOX_DEAD_NO_SUCH_ACTOR, id, &spawn_request, NULL);
}

bool transport_proxy_lost(actor *proxy) { return peer_epoch_is_dead(proxy_epoch(proxy)); }

void transport_spawn(actor *proxy, uint64_t type_hash) {
    remote_message *m = message_new_remote(&spawn_request, &type_hash);
    m->link = proxy;
    scheduler_hold_remote(1);
    peer_epoch *e = proxy_epoch(proxy);
    outbox_push(outbox_of(e), &m->base);
    if (e)
        credit_sent(e->peer);
}

static void record_done(frame_record *r) {
    if (frame_record_processed(r)) {
        /* Relaxed: the eventfd write below orders it for the mailman. */
        atomic_store_explicit(&transport.records_done, true, memory_order_relaxed);
        transport_wake();
    }
}

void transport_processed(remote_message *m) { record_done(m->link); }

void transport_caused(void *cause) { frame_record_adopt(cause); }

struct peer_epoch *transport_epoch_of(const char *node, uint16_t *node_id) {
    peer *p = transport.running ? session_by_name(node) : NULL;
    if (!p)
        return NULL;
    *node_id = p->node_id;
    return peer_current_epoch(p);
}

static log_limit malformed_log;

/* ---------------------------------------------------------------------
 * Receiving.
 * ------------------------------------------------------------------- */
#if defined(__SANITIZE_THREAD__)
/* libzmq and libsodium (not instrumented) fill a frame on libzmq's I/O
 * thread and hand it over through pipes ThreadSanitizer cannot see. Under
 * TSan we copy each frame with those reads ignored, so our own accesses to
 * the copy, and everything else, stay checked. */
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);

static const void *frame_bytes(zmq_msg_t *frame) {
    static _Thread_local wire_buffer copy;
    size_t size = zmq_msg_size(frame);
    if (copy.capacity < size) {
        copy.data = realloc(copy.data, size);
        copy.capacity = size;
        if (!copy.data)
            alox_fatal("out of memory copying a frame");
    }
    AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
    memcpy(copy.data, zmq_msg_data(frame), size);
    AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
    return copy.data;
}
#else
static const void *frame_bytes(zmq_msg_t *frame) { return zmq_msg_data(frame); }
#endif

static void handle_frame(peer *p, zmq_msg_t *frame, const uint8_t *route, size_t route_size,
                         bool via_router) {
    wire_frame f;
    peer_stats_frame_in(&p->stats, zmq_msg_size(frame), transport_now_ms());
    const char *bad = wire_decode_frame(frame_bytes(frame), zmq_msg_size(frame), &f);
    if (bad) {
        atomic_fetch_add(&transport.malformed, 1);
        if (transport_log_allowed(&malformed_log, "malformed frames dropped"))
            fprintf(stderr, "alox: %s: dropped a malformed frame from %s: %s\n", transport.node, p->name, bad);
        return;
    }
    if (f.sender_node != p->node_id) {
        atomic_fetch_add(&transport.malformed, 1);
        if (transport_log_allowed(&malformed_log, "malformed frames dropped"))
            fprintf(stderr, "alox: %s: dropped a frame from %s claiming node id %u\n", transport.node,
                    p->name, f.sender_node);
        return;
    }
    session_on_frame(p, &f, route, route_size, via_router);
}

/* Each reads at most TRANSPORT_RECV_BURST frames and says whether it read
 * everything waiting: when it stopped at the burst, the peers' latest
 * words may be among the frames left (evidence.h). */
static bool receive_router(void *unused) {
    (void)unused;
    for (int i = 0; i < TRANSPORT_RECV_BURST; i++) {
        uint8_t route[256];
        int route_size = zmq_recv(transport.router, route, sizeof route, ZMQ_DONTWAIT);
        if (route_size < 0)
            return true;
        zmq_msg_t frame;
        zmq_msg_init(&frame);
        if (zmq_msg_recv(&frame, transport.router, 0) < 0) {
            zmq_msg_close(&frame);
            return true;
        }
        const char *user = zmq_msg_gets(&frame, "User-Id");
        peer *p = user ? session_by_name(user) : NULL;
        if (p) /* only a connection that passed ZAP has a User-Id */
            half_open_trusted(zmq_msg_get(&frame, ZMQ_SRCFD));
        if (p && route_size <= (int)sizeof route)
            handle_frame(p, &frame, route, (size_t)route_size, true);
        while (zmq_msg_more(&frame)) { /* extra parts are not ours: drop */
            zmq_msg_close(&frame);
            zmq_msg_init(&frame);
            zmq_msg_recv(&frame, transport.router, 0);
        }
        zmq_msg_close(&frame);
    }
    return false;
}

static bool receive_dealer(void *owner) {
    peer *p = owner;
    for (int i = 0; i < TRANSPORT_RECV_BURST; i++) {
        zmq_msg_t frame;
        zmq_msg_init(&frame);
        if (zmq_msg_recv(&frame, p->dealer, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&frame);
            return true;
        }
        handle_frame(p, &frame, NULL, 0, false);
        zmq_msg_close(&frame);
    }
    return false;
}

/* ---------------------------------------------------------------------
 * The loop.
 * ------------------------------------------------------------------- */
void transport_delivered(actor *a, bool runnable) {
    if (++transport.phase_items == TRANSPORT_GUEST_ITEMS + 1 && transport.runnable_count) {
        /* A stream: the workers take it from here, at once. */
        guest_decline(transport.runnable, transport.runnable_count);
        transport.runnable_count = 0;
        scheduler_release_remote(1);
    }
    if (!runnable)
        return;
    /* The hint is enough here: run_runnable asks again under the lock. */
    if (transport.phase_items <= TRANSPORT_GUEST_ITEMS && transport.runnable_count < TRANSPORT_GUEST_ACTORS &&
        scheduler_all_parked_hint()) {
        if (transport.runnable_count == 0)
            scheduler_hold_remote(1); /* no quiescence while we hold them (guest.h) */
        transport.runnable[transport.runnable_count++] = a;
        return;
    }
    scheduler_inject(a);
}

/* After the receive phase: the actors it made runnable while the workers
 * slept run here, and their replies leave in this turn's send_turn; if a
 * worker woke meanwhile, a guest run was slow, or the phase brought a
 * stream (more than TRANSPORT_GUEST_ITEMS messages), they go to the
 * workers. */
static void run_runnable(void) {
    uint32_t n = transport.runnable_count;
    transport.phase_items = 0;
    if (n == 0)
        return;
    transport.runnable_count = 0;
    if (guest_may_run())
        guest_run(transport.runnable, n);
    else
        guest_decline(transport.runnable, n);
    scheduler_release_remote(1);
}

/* Hands the messages of an outbox (of peer `owner`, or NULL) to their
 * peer's queue (outgoing.c), in order, or to dead letters if the peer was
 * lost since. Cheap: the encoding is what is bounded per loop turn. */
static void hand_over(_Atomic(message *) *box, peer *owner) {
    for (message *m = outbox_take_all(box), *next; m; m = next) {
        next = (message *)atomic_load_explicit(&m->node.next, memory_order_relaxed);
        remote_message *rm = (remote_message *)m;
        actor *proxy = rm->link;
        peer_epoch *epoch = proxy_epoch(proxy);
        if (peer_epoch_is_dead(epoch)) {
            dead_letter_report(ALOX_DEAD_PEER_LOST, proxy->id, message_behaviour(m), message_args(m));
            causal_free(rm);
            scheduler_release_remote(1);
            if (owner)
                credit_settle(owner, 1);
        } else {
            session_queue(epoch->peer, rm);
        }
    }
}

/* Notes finished frames, hands the outboxes over, then encodes and sends
 * up to `budget` messages, the peers taking turns to go first. Returns
 * true if the budget ran out (more to do at once). */
static bool send_turn(uint32_t budget, int64_t looked, bool final) {
    static size_t first;
    /* Before the hand-over: what was pushed to retired proxies before
     * their grace period ended is handed over (read) before they go. */
    bool reclaim = proxy_reclaim_due(looked);
    /* Note finished frames before taking the outbox: see session.c. */
    atomic_store_explicit(&transport.records_done, false, memory_order_relaxed);
    for (size_t i = 0; i < transport.peer_count; i++)
        session_note_processed(&transport.peers[i]);
    hand_over(&transport.outbox, NULL);
    for (size_t i = 0; i < transport.peer_count; i++) {
        hand_over(&transport.peers[i].outbox, &transport.peers[i]);
        session_note_needs(&transport.peers[i]);
    }
    if (reclaim)
        proxy_reclaim_free();
    session_free_orphans();
    causal_turn(); /* after this turn's acknowledgements, before telling ours */
    uint32_t left = budget;
    for (size_t k = 0; k < transport.peer_count; k++) {
        peer *p = &transport.peers[(first + k) % transport.peer_count];
        credit_turn(p);
        left -= session_flush(p, left, final);
        session_timers(p, looked);
    }
    if (transport.peer_count)
        first = (first + 1) % transport.peer_count;
    return left == 0;
}

static int abandon_outbox(_Atomic(message *) *box, peer *owner) {
    int count = 0;
    for (message *m = outbox_take_all(box), *next; m; m = next) {
        next = (message *)atomic_load_explicit(&m->node.next, memory_order_relaxed);
        actor *proxy = ((remote_message *)m)->link;
        dead_letter_report(ALOX_DEAD_ENDED, proxy->id, message_behaviour(m), message_args(m));
        causal_free((remote_message *)m);
        count++;
    }
    if (owner)
        credit_settle(owner, (uint64_t)count);
    return count;
}

/* A stop signal: blocked lookups fail now (and later ones at once), and
 * every remote message not confirmed as run is a dead letter before
 * alox_run returns, so the program's accounting sees them. What was not
 * sent yet never will be: the open batches are dropped, not flushed. */
void transport_abandon(void) {
    remote_fail_lookups("this node is ending (SIGINT or SIGTERM)");
    int released = abandon_outbox(&transport.outbox, NULL);
    for (size_t i = 0; i < transport.peer_count; i++) {
        released += abandon_outbox(&transport.peers[i].outbox, &transport.peers[i]);
        released += session_abandon(&transport.peers[i]);
    }
    if (released)
        scheduler_release_remote(released);
}

static int poll_timeout_ms(bool busy) {
    return busy ? 0 : TRANSPORT_HEARTBEAT_MS / 2; /* timers are coarse; work wakes us at once */
}

static void *mailman_main(void *unused) {
    (void)unused;
    overload_exempt_this_thread(); /* it serves every peer: it must never wait on one actor */
    on_mailman = true;
    size_t n = transport.peer_count + 4;
    zmq_pollitem_t *items = calloc(n, sizeof *items);
    peer **owners = calloc(n, sizeof *owners);
    if (!items || !owners)
        alox_fatal("out of memory starting the mailman");
    bool busy = false;
    while (!atomic_load(&transport.stopping)) {
        size_t count = 0;
        items[count++] = (zmq_pollitem_t){NULL, transport.wake_fd, ZMQ_POLLIN, 0};
        items[count++] = (zmq_pollitem_t){transport.zap, 0, ZMQ_POLLIN, 0};
        if (transport.half_open)
            items[count++] = (zmq_pollitem_t){transport.half_open, 0, ZMQ_POLLIN, 0};
        if (transport.router)
            items[count++] = (zmq_pollitem_t){transport.router, 0, ZMQ_POLLIN, 0};
        for (size_t i = 0; i < transport.peer_count; i++)
            if (transport.peers[i].dealer) {
                owners[count] = &transport.peers[i];
                items[count++] = (zmq_pollitem_t){transport.peers[i].dealer, 0, ZMQ_POLLIN, 0};
            }
        int timeout = poll_timeout_ms(busy || transport.woke_self);
        transport.woke_self = false;
        if (zmq_poll(items, (int)count, timeout) < 0 && errno != EINTR)
            break;
        /* Liveness is judged at the moment we looked at the sockets: time
         * spent below on our own backlog is not the peers' silence. */
        int64_t looked = transport_now_ms();
        bool router_behind = false; /* a socket not readable is read to the end */
        uint64_t ignored;
        if (items[0].revents & ZMQ_POLLIN && read(transport.wake_fd, &ignored, sizeof ignored) < 0)
            perror("alox: mailman eventfd");
        if (items[1].revents & ZMQ_POLLIN)
            transport_serve_zap();
        for (size_t i = 2; i < count; i++) {
            if (!(items[i].revents & ZMQ_POLLIN))
                continue;
            if (items[i].socket == transport.half_open)
                half_open_events(); /* before the ROUTER's frames: see half_open.c */
            else if (items[i].socket == transport.router)
                router_behind = !evidence_read(evidence_catching_up(NULL), receive_router, NULL);
            else
                owners[i]->reads_behind =
                    !evidence_read(evidence_catching_up(owners[i]), receive_dealer, owners[i]);
        }
        evidence_note_reads(looked, router_behind); /* before session_timers judges */
        run_runnable();
        if (node_stop_requested()) { /* SIGINT / SIGTERM: a clean end of alox_run */
            transport_abandon();
            alox_exit(0);
        }
        address_book_apply();
        address_book_gossip();
        transport.woke_self = false; /* what the guest run pushed goes out now */
        busy = send_turn(TRANSPORT_ENCODE_BURST, looked, false);
        remote_lookup_timers(transport_now_ms());
        evidence_test_pause();
    }
    /* Last words: whatever is queued goes out (the window aside), within
     * the linger time; then a last acknowledgement, if owed. */
    causal_ending();
    send_turn(UINT32_MAX, transport_now_ms(), true);
    send_turn(UINT32_MAX, transport_now_ms(), true);
    free(items);
    free(owners);
    guest_thread_exit();
    return NULL;
}

/* ---------------------------------------------------------------------
 * Start and stop.
 * ------------------------------------------------------------------- */
static void read_timeout_setting(void) {
    transport.peer_timeout_ms = TRANSPORT_PEER_TIMEOUT_MS;
    const char *text = getenv("ALOX_PEER_TIMEOUT_MS");
    long value = text ? strtol(text, NULL, 10) : 0;
    if (value >= 100 && value <= 3600000)
        transport.peer_timeout_ms = value;
}

size_t transport_peer_stats(transport_peer_view *out, size_t max) {
    if (!transport.running)
        return 0;
    int64_t now = transport_now_ms();
    for (size_t i = 0; i < transport.peer_count && i < max; i++) {
        peer *p = &transport.peers[i]; /* the array is fixed once the transport runs */
        peer_stats *s = &p->stats;
        transport_peer_view *v = &out[i];
        snprintf(v->name, sizeof v->name, "%s", p->name);
        v->in_session = counter_get(&s->in_session) != 0;
        v->messages_out = counter_get(&s->messages_out);
        v->messages_in = counter_get(&s->messages_in);
        v->bytes_out = counter_get(&s->bytes_out);
        v->bytes_in = counter_get(&s->bytes_in);
        v->frames_out = counter_get(&s->frames_out);
        v->frames_in = counter_get(&s->frames_in);
        v->lost = counter_get(&s->lost);
        uint64_t heard = counter_get(&s->last_heard_ms);
        v->last_heard_ms_ago = heard ? now - (int64_t)heard : -1;
        v->rtt_us = counter_get(&s->rtt_us);
    }
    return transport.peer_count;
}

bool transport_start(const transport_config *c, char *err, size_t err_size) {
    snprintf(transport.node, sizeof transport.node, "%s", c->node);
    snprintf(transport.public_z85, sizeof transport.public_z85, "%s", c->public_z85);
    snprintf(transport.secret_z85, sizeof transport.secret_z85, "%s", c->secret_z85);
    snprintf(transport.listen, sizeof transport.listen, "%s", c->listen ? c->listen : "");
    transport.context = zmq_ctx_new();
    transport.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (!transport.context || transport.wake_fd < 0)
        return transport_fail(err, err_size, "cannot start the transport", "(zmq context / eventfd)");
    read_timeout_setting();
    credit_start();
    wire_buffer_init(&transport.scratch);
    transport.peers = calloc(c->peer_count ? c->peer_count : 1, sizeof(peer));
    transport.peer_count = c->peer_count;
    for (size_t i = 0; i < c->peer_count; i++) {
        peer *p = &transport.peers[i];
        snprintf(p->name, sizeof p->name, "%s", c->peers[i].name);
        snprintf(p->endpoint, sizeof p->endpoint, "%s", c->peers[i].endpoint ? c->peers[i].endpoint : "");
        p->endpoint_source = p->endpoint[0] ? ADDRESS_CONFIGURED : ADDRESS_NONE;
        zmq_z85_decode(p->public_key, c->peers[i].public_z85);
        session_init(p);
    }
    transport.node_id = session_node_id(c->node);
    if (!transport_open_router(c, err, err_size))
        return false;
    for (size_t i = 0; i < c->peer_count; i++) {
        peer *p = &transport.peers[i];
        if (p->endpoint[0] && !transport_open_dealer(p, err, err_size)) {
            char reason[512];
            snprintf(reason, sizeof reason, "%s", err);
            snprintf(err, err_size, "--alox-peer: %s", reason);
            return false;
        }
        if (p->dealer)
            session_send_hello(p);
    }
    transport.running = true;
    if (pthread_create(&transport.thread, NULL, mailman_main, NULL) != 0)
        return transport_fail(err, err_size, "cannot start", "the mailman thread");
    return true;
}

void transport_stop(void) {
    if (!transport.running)
        return;
    atomic_store(&transport.stopping, true);
    transport_wake();
    pthread_join(transport.thread, NULL);
    transport_close_sockets();
    zmq_ctx_term(transport.context);
    transport.running = false;
}
