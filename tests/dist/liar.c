/*
 * liar.c - a trusted peer that lies (issue 13 item 4), for dist.c's
 * "liar" role. It speaks the wire protocol itself (real CURVE, real
 * ZeroMQ, the codec of wire.h) as node NAME with NAME's real key, so the
 * victim trusts it, and then:
 *
 *   - answers a lookup of "ponger" with an actor of another node (C's);
 *   - answers a lookup of "ponger2" with one of its own, of another type;
 *   - answers a lookup of "real" truthfully;
 *   - sends the victim's published "victim" a third.offer whose ponger
 *     reference names C's actor typed as a broker.
 *
 * The victim must refuse the first two and dead-letter the third.
 */
#include <alox.h>

#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <zmq.h>

#include "security/keys.h"
#include "support/registry.h"
#include "wire/wire.h"

#define LIAR_SECONDS 15 /* the victim decides well within this */

typedef struct liar {
    void *socket;
    uint16_t node_id;
    uint64_t ours, theirs;
    wire_buffer out;
} liar;

static void send_frame(liar *l) {
    wire_set_acks(&l->out, 0, 0);
    wire_finish(&l->out);
    zmq_send(l->socket, l->out.data, l->out.size, 0);
}

static void hello(liar *l, const char *name) {
    wire_begin(&l->out, WIRE_HELLO, l->node_id, l->ours, l->theirs);
    wire_put_hello(&l->out, name);
    send_frame(l);
}

static void answer(liar *l, const wire_frame *f, uint64_t c_node) {
    const char *name = f->u.lookup.name;
    uint64_t id = 0, type = f->u.lookup.type_hash;
    if (!strcmp(name, "ponger"))
        id = c_node << 48 | 7; /* C's actor: a node speaks only for its own */
    else if (!strcmp(name, "ponger2"))
        id = (uint64_t)l->node_id << 48 | 8, type = alox_hash("broker"); /* another type */
    else if (!strcmp(name, "real"))
        id = (uint64_t)l->node_id << 48 | 9;
    else
        return;
    wire_begin(&l->out, WIRE_LOOKUP_REPLY, l->node_id, l->ours, l->theirs);
    wire_put_lookup_reply(&l->out, f->u.lookup.request, WIRE_LOOKUP_FOUND, id, type);
    send_frame(l);
}

/* third.offer to the victim, its ponger reference C's actor "typed" broker. */
static void retype(liar *l, uint64_t victim, uint64_t c_node) {
    const alox_behaviour_desc *offer = registry_behaviour_by_hash(alox_hash("third.offer"));
    if (!offer || offer->ref_count != 1)
        return;
    uint8_t args[64] = {0};
    wire_ref ref = {offer->refs[0].offset, ALOX_REF_ACTOR, c_node << 48 | 5, 0, alox_hash("broker")};
    wire_begin(&l->out, WIRE_BATCH, l->node_id, l->ours, l->theirs);
    wire_batch_start(&l->out, 1);
    wire_batch_item(&l->out, WIRE_OP_SEND, victim, 0, offer->name_hash, offer->signature_hash, args,
                    offer->args_size, &ref, 1);
    send_frame(l);
}

int liar_main(const char *name, const char *key_path, const char *victim_pub, const char *endpoint,
              const char *third_node) {
    alox_keys keys;
    char err[1024], server_z85[41];
    uint8_t server_key[32];
    if (!keys_load(key_path, &keys, err, sizeof err) ||
        !keys_load_public(victim_pub, server_z85, server_key, err, sizeof err)) {
        fprintf(stderr, "liar: %s\n", err);
        return 1;
    }
    liar l = {.node_id = node_id_of(name)};
    while (l.ours == 0)
        if (getrandom(&l.ours, sizeof l.ours, 0) != sizeof l.ours)
            return 1;
    wire_buffer_init(&l.out);
    void *context = zmq_ctx_new();
    l.socket = zmq_socket(context, ZMQ_DEALER);
    zmq_setsockopt(l.socket, ZMQ_CURVE_SERVERKEY, server_z85, 40);
    zmq_setsockopt(l.socket, ZMQ_CURVE_PUBLICKEY, keys.public_z85, 40);
    zmq_setsockopt(l.socket, ZMQ_CURVE_SECRETKEY, keys.secret_z85, 40);
    int linger = 0, timeout = 200;
    zmq_setsockopt(l.socket, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(l.socket, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_connect(l.socket, endpoint);
    uint64_t c_node = node_id_of(third_node);
    bool asked_victim = false;
    time_t end = time(NULL) + LIAR_SECONDS;
    hello(&l, name);
    while (time(NULL) < end) {
        uint8_t frame[65536];
        int size = zmq_recv(l.socket, frame, sizeof frame, 0);
        wire_frame f;
        if (size < 0 || size > (int)sizeof frame || wire_decode_frame(frame, (size_t)size, &f))
            continue;
        if (f.kind == WIRE_HELLO && f.sender_session != l.theirs) {
            l.theirs = f.sender_session;
            hello(&l, name);
        } else if (f.kind == WIRE_LOOKUP) {
            answer(&l, &f, c_node);
            if (!strcmp(f.u.lookup.name, "real") && !asked_victim) {
                wire_begin(&l.out, WIRE_LOOKUP, l.node_id, l.ours, l.theirs);
                wire_put_lookup(&l.out, 1, alox_hash("third"), "victim");
                send_frame(&l);
                asked_victim = true;
            }
        } else if (f.kind == WIRE_LOOKUP_REPLY && f.u.lookup_reply.status == WIRE_LOOKUP_FOUND) {
            retype(&l, f.u.lookup_reply.id, c_node);
            printf("liar: sent the retyping offer\n");
            fflush(stdout);
        }
    }
    zmq_close(l.socket);
    zmq_ctx_term(context);
    wire_buffer_free(&l.out);
    return 0;
}
