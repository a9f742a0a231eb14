/*
 * transport_internal.h - state shared by the files of the mailman thread:
 * transport.c (thread, sockets, ZAP, polling), session.c (peer sessions:
 * HELLO, acknowledgements, batches, loss), inbound.c (delivering received
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

#include "peer.h"
#include "transport.h"
#include "wire/wire.h"

/* Tunables (milliseconds unless named otherwise). */
#define TRANSPORT_HEARTBEAT_MS 200       /* a frame at least this often to every live peer */
#define TRANSPORT_PEER_TIMEOUT_MS 3000   /* silence that counts as a lost peer (ALOX_PEER_TIMEOUT_MS) */
#define TRANSPORT_BATCH_BYTES (64 * 1024) /* a BATCH frame is sent once it is this large */
#define TRANSPORT_RECV_BURST 16          /* frames (up to 64 KiB each) read per socket per loop turn: heartbeats keep flowing */
#define TRANSPORT_ENCODE_BURST 16384     /* messages encoded per loop turn (heartbeats keep flowing) */
#define TRANSPORT_LOOKUP_RETRY_MS 50     /* a lookup not found yet is asked again this often */
#define TRANSPORT_STOP_LINGER_MS 1000    /* how long unsent frames may delay exit */

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
    int wake_fd;                  /* eventfd: outbox, processed frames, lookups, stop */
    pthread_t thread;
    char node[WIRE_MAX_NAME + 1];
    char public_z85[41], secret_z85[41]; /* ours: connections opened later need them */
    char listen[WIRE_MAX_ENDPOINT + 1];  /* --alox-listen, told to peers; "" if none */
    uint16_t node_id;
    bool serving;
    peer *peers;
    size_t peer_count;
    wire_buffer scratch;          /* control frames */
    int64_t peer_timeout_ms;

    _Atomic(message *) outbox;    /* any thread: a Treiber stack of outgoing messages */
    _Atomic bool stopping;        /* any thread */
    _Atomic bool ending;          /* any thread: a stop signal came; lookups fail at once */
    _Atomic bool records_done;    /* any thread: a frame record reached zero */

    pthread_mutex_t lookup_lock;  /* any thread, with the fields below */
    pthread_cond_t lookup_done;
    lookup_request *lookups;
    uint64_t next_request;

    frame_record *orphans;        /* records of lost sessions, freed when done */
    _Atomic uint64_t malformed, rejected;
} transport_state;

extern transport_state transport;

int64_t transport_now_ms(void);
void transport_wake(void);

bool transport_is_spawn(const alox_behaviour_desc *b);

/* p refused to spawn the actor `id` we asked for: a dead letter here. */
void transport_spawn_refused(peer *p, uint64_t id);

/* Opens p->dealer to p->endpoint (CURVE, p's key from the trust file). */
bool transport_open_dealer(peer *p, char *err, size_t err_size);

/* session.c */
uint16_t session_node_id(const char *name);
void session_init(peer *p);
peer *session_by_node(uint16_t node_id);
peer *session_by_name(const char *name);
void session_send_hello(peer *p);
void session_on_frame(peer *p, const wire_frame *f, const uint8_t *route, size_t route_size,
                      bool via_router);
void session_queue(peer *p, remote_message *m);
void session_flush(peer *p);
void session_note_processed(peer *p);
void session_apply_processed(peer *p);
void session_free_orphans(void);
void session_timers(peer *p, int64_t now);
void session_lost(peer *p, const char *why);
/* Dead-letters (ALOX_DEAD_ENDED) every message to p not acknowledged as
 * processed, drops its open batch; returns how many (holds to release). */
int session_abandon(peer *p);
bool session_send_frame(peer *p, wire_buffer *frame);
void session_begin_frame(peer *p, wire_buffer *b, uint8_t kind);

/* inbound.c */
void inbound_batch(peer *p, const wire_frame *f);

/* remote.c */
void remote_serve_lookup(peer *p, const wire_frame *f);
void remote_lookup_reply(peer *p, const wire_frame *f);
void remote_lookup_timers(int64_t now);
/* Fails every pending lookup now, and every later one at once. */
void remote_fail_lookups(const char *why);

#endif
