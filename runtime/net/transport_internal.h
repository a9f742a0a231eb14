/*
 * transport_internal.h - state shared by the files of the mailman thread:
 * transport.c (thread, outboxes, polling), sockets.c and zap.c (sockets,
 * admission), half_open.c (the cap on unproven connections), session.c (peer sessions:
 * HELLO, acknowledgements, heartbeats, loss), outgoing.c (queues per
 * peer, batches, window, resend), inbound.c (delivering received
 * items), remote.c (publish, lookup, remote spawn).
 *
 * Thread-safety: the struct belongs to the mailman thread, except the
 * fields marked "any thread".
 */
#ifndef ALOX_TRANSPORT_INTERNAL_H
#define ALOX_TRANSPORT_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "causal.h"
#include "peer.h"
#include "transport.h"
#include "wire/wire.h"

/* Tunables (milliseconds unless named otherwise). */
#define TRANSPORT_HEARTBEAT_MS 200       /* a frame at least this often to every live peer */
#define TRANSPORT_PEER_TIMEOUT_MS 3000   /* silence that counts as a lost peer (ALOX_PEER_TIMEOUT_MS) */
#define TRANSPORT_BATCH_BYTES (64 * 1024) /* a BATCH frame is sent once it is this large */
#define TRANSPORT_RECV_BURST 16          /* frames (up to 64 KiB each) read per socket per loop turn: heartbeats keep flowing */
#define TRANSPORT_ENCODE_BURST 16384     /* messages encoded per loop turn (heartbeats keep flowing) */
#define TRANSPORT_WINDOW_ITEMS 65536     /* messages per peer in flight (sent, not yet received): the
                                          * rest wait in the peer's queue; one window fits in a batch */
#define TRANSPORT_RESEND_MS 500          /* no receipt for this long: send again from the first
                                          * unreceived item (a NACK asks for it at once) */
#define TRANSPORT_HWM_FRAMES 4096        /* ZeroMQ queue limit per connection, each way (frames):
                                          * a full queue is retried, never dropped */
#define TRANSPORT_LOOKUP_RETRY_MS 50     /* a lookup not found yet is asked again this often */
#define TRANSPORT_STOP_LINGER_MS 1000    /* how long unsent frames may delay exit */
#define TRANSPORT_HANDSHAKE_MS 3000      /* a connection must finish the CURVE handshake this fast */
#define TRANSPORT_LOG_PER_SECOND 10      /* lines a second about each kind of bad input; the rest counted */
#define TRANSPORT_GUEST_ACTORS 64        /* actors one receive phase may hold to run on the mailman
                                          * (core/guest.h); more go to the workers at once */
#define TRANSPORT_GUEST_ITEMS 64         /* a receive phase that delivered more messages than this
                                          * leaves them to the workers: a stream is faster with the
                                          * mailman decoding the next frame while a worker runs */

typedef struct lookup_request {
    struct lookup_request *next;
    uint64_t request, type_hash;
    char name[WIRE_MAX_NAME + 1];
    peer *target;
    int64_t next_try_ms, deadline_ms;
    bool done;
    int status;      /* enum wire_lookup_status, or -1 */
    uint64_t id, found_type_hash;
} lookup_request;

typedef struct transport_state {
    bool running;
    void *context, *router, *zap;
    void *half_open;              /* the ROUTER's monitor (half_open.h), or NULL */
    int wake_fd;                  /* eventfd: outbox, processed frames, lookups, stop */
    pthread_t thread;
    char node[WIRE_MAX_NAME + 1];
    char public_z85[41], secret_z85[41]; /* ours: connections opened later need them */
    char listen[WIRE_MAX_ENDPOINT + 1];  /* --alox-listen, told to peers; "" if none */
    uint16_t node_id;
    uint32_t incarnation;         /* this process's (peer.h), random at start */
    bool serving;
    peer *peers;
    size_t peer_count;
    wire_buffer scratch;          /* control frames */
    int64_t peer_timeout_ms;

    _Atomic(message *) outbox;    /* any thread: messages with no peer (dead-lettered); see peer.h */
    _Atomic bool stopping;        /* any thread */
    _Atomic bool ending;          /* any thread: a stop signal came; lookups fail at once */
    _Atomic bool records_done;    /* any thread: a frame record reached zero */

    pthread_mutex_t lookup_lock;  /* any thread, with the fields below */
    pthread_cond_t lookup_done;
    lookup_request *lookups;
    uint64_t next_request;

    frame_record *orphans;        /* records of lost sessions, freed when done */
    /* Actors this turn's deliveries made runnable while every worker was
     * parked: the mailman runs them itself after the receive phase
     * (core/guest.h), holding one remote hold meanwhile. */
    struct actor *runnable[TRANSPORT_GUEST_ACTORS];
    uint32_t runnable_count;
    uint32_t phase_items;         /* messages delivered in this receive phase */
    bool woke_self;               /* the mailman "woke" itself: look again before sleeping */
    _Atomic uint64_t malformed, rejected;
} transport_state;

extern transport_state transport;

int64_t transport_now_ms(void);
void transport_wake(void);

bool transport_is_spawn(const alox_behaviour_desc *b);

/* A delivery (inbound.c) pushed a message to a; `runnable`: it found a's
 * mailbox idle, so a is ours to schedule, or to run on the mailman at the
 * end of the receive phase. */
void transport_delivered(struct actor *a, bool runnable);

/* p refused to spawn the actor `id` we asked for: a dead letter here. */
void transport_spawn_refused(peer *p, uint64_t id);

/* sockets.c: opens p->dealer to p->endpoint (CURVE, p's key from the
 * trust file); the ZAP socket and the ROUTER on --alox-listen; closes them
 * all at the end. transport_fail writes "what where: zmq's error" to err. */
bool transport_open_dealer(peer *p, char *err, size_t err_size);
bool transport_open_router(const transport_config *c, char *err, size_t err_size);
void transport_close_sockets(void);
bool transport_fail(char *err, size_t err_size, const char *what, const char *where);

/* zap.c: answers one ZAP request (admits only keys of the trust file). */
void transport_serve_zap(void);

/* Log lines about what others send us (rejected keys, malformed frames,
 * half-open connections) are limited to TRANSPORT_LOG_PER_SECOND a second
 * each kind, then counted: a stranger cannot flood our stderr. */
typedef struct log_limit {
    int64_t window_ms;
    uint32_t lines, suppressed;
} log_limit;
bool transport_log_allowed(log_limit *l, const char *what);

/* session.c */
uint16_t session_node_id(const char *name);
void session_init(peer *p);
peer *session_by_node(uint16_t node_id);
peer *session_by_name(const char *name);
void session_send_hello(peer *p);
void session_on_frame(peer *p, const wire_frame *f, const uint8_t *route, size_t route_size,
                      bool via_router);
void session_send_control(peer *p, uint8_t kind);
void session_note_processed(peer *p);
void session_note_needs(peer *p);
void session_ack_ready(peer *p, uint64_t framed_seq);
void session_free_orphans(void);
void session_timers(peer *p, int64_t now);
void session_lost(peer *p, const char *why);
/* The epoch a reference owned by p, from p's incarnation `incarnation`,
 * belongs to: the current one, or p's graveyard for an old incarnation;
 * a newer incarnation than p's session ends that session first. */
peer_epoch *session_epoch_for_ref(peer *p, uint32_t incarnation);
/* Dead-letters (ALOX_DEAD_ENDED) every message to p not acknowledged as
 * processed, drops its open batch; returns how many (holds to release). */
int session_abandon(peer *p);
bool session_send_frame(peer *p, wire_buffer *frame);
void session_begin_frame(peer *p, wire_buffer *b, uint8_t kind);

/* outgoing.c */
/* Any thread: an outgoing message's cause (peer.h, caused_by) until it is
 * queued, in its seq field: the cause's seq (0 if it does not fit in
 * SESSION_CAUSE_BITS: no proof then) and the session generation it came in. */
#define SESSION_CAUSE_BITS 40
static inline uint64_t session_pack_cause(uint64_t seq, uint32_t gen) {
    if (seq >> SESSION_CAUSE_BITS)
        return 0;
    return (uint64_t)gen << SESSION_CAUSE_BITS | seq;
}
void session_queue(peer *p, remote_message *m);
/* Sends batches from the peer's queue, up to budget messages (final: at
 * exit, ignoring the window). Returns how many it sent. */
uint32_t session_flush(peer *p, uint32_t budget, bool final);
/* The acknowledgements of f's header (and its withheld list). */
void session_on_acks(peer *p, const wire_frame *f);
void session_on_nack(peer *p);
/* p sent an item caused by our item seq: that one ran (peer.h, caused_by). */
void session_on_proof(peer *p, uint64_t seq);
void session_resend_timer(peer *p, int64_t now);
/* At loss: frees every message not processed, reports those not proved
 * to have run (*reported of them); returns how many (holds to release). */
int session_dead_letter_all(peer *p, int *reported);

/* inbound.c */
void inbound_batch(peer *p, const wire_frame *f);

/* remote.c */
void remote_serve_lookup(peer *p, const wire_frame *f);
void remote_lookup_reply(peer *p, const wire_frame *f);
void remote_lookup_timers(int64_t now);
/* Fails every pending lookup now, and every later one at once. */
void remote_fail_lookups(const char *why);

#endif
