/*
 * fake_peer.c - a trusted peer that is not an Alox program: it holds a
 * real key from the trust file, connects over a real CURVE socket and
 * writes frames by hand, to drive a running node's session layer where
 * well-behaved programs never go.
 *
 *   fake_peer churn ENDPOINT NAME KEY SERVER_PUB N
 *       N sessions, one after the other: each a HELLO with a new token
 *       (a peer restarting N times without reconnecting).
 *   fake_peer claims ENDPOINT NAME KEY SERVER_PUB THIRD
 *       a session, then remote spawns of the node's "worker" type under
 *       ids in THIRD's space and in the node's own space (both must come
 *       back SPAWN_REFUSED) and one under an id of our own space (must
 *       not); exits 1 if the node answers otherwise.
 *   fake_peer fuzz ENDPOINT NAME KEY SERVER_PUB SECONDS SEED
 *       a session, then frames for SECONDS: valid ones with random
 *       fields (acknowledgements of what was never sent, NACKs, gaps,
 *       resends, lookups, proofs, PINGs and PONGs of made-up tokens), valid
 *       ones with bytes flipped, and garbage.
 *
 * KEY is the peer's secret key file (alox keygen), SERVER_PUB the node's
 * public key file. Prints what it sent; exits 0 unless it could not run.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "security/keys.h"
#include "wire/wire.h"

static uint64_t rng_state;

static uint64_t rnd(void) { /* xorshift64*: reproducible from the seed */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static bool read_key(const char *path, char out[41]) {
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool ok = fscanf(f, "%40s", out) == 1 && strlen(out) == 40;
    fclose(f);
    return ok;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *connect_to(void *context, const char *endpoint, const char *key_path,
                        const char *server_pub_path) {
    char secret[41], server[41], public[41];
    if (!read_key(key_path, secret) || !read_key(server_pub_path, server) ||
        zmq_curve_public(public, secret) != 0) {
        fprintf(stderr, "fake_peer: cannot read %s or %s\n", key_path, server_pub_path);
        exit(2);
    }
    void *s = zmq_socket(context, ZMQ_DEALER);
    int linger = 0, timeout = 200;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server, 40);
    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, public, 40);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, secret, 40);
    if (zmq_connect(s, endpoint) != 0) {
        fprintf(stderr, "fake_peer: connect %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        exit(2);
    }
    return s;
}

static void send_buffer(void *s, const wire_buffer *b) { zmq_send(s, b->data, b->size, ZMQ_DONTWAIT); }

/* Reads what the node sent; returns its session token (0 if none seen). */
static uint64_t drain(void *s, bool wait) {
    uint64_t token = 0;
    uint8_t buffer[WIRE_HEADER_SIZE + 128];
    for (int i = 0; i < 1000; i++) {
        int got = zmq_recv(s, buffer, sizeof buffer, wait && i == 0 ? 0 : ZMQ_DONTWAIT);
        if (got < 0)
            break;
        if (got >= 16)
            memcpy(&token, buffer + 8, sizeof token); /* sender_session, little-endian hosts */
    }
    return token;
}

static void hello(void *s, wire_buffer *b, uint16_t node, uint64_t ours, uint64_t theirs,
                  const char *name) {
    wire_begin(b, WIRE_HELLO, node, ours, theirs);
    wire_put_hello(b, name);
    wire_finish(b);
    send_buffer(s, b);
}

static int churn(void *s, const char *name, long n) {
    wire_buffer b;
    wire_buffer_init(&b);
    uint16_t node = node_id_of(name);
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        hello(s, &b, node, rnd() | 1, 0, name);
        drain(s, true); /* its HELLO back: one session at a time */
    }
    printf("fake_peer: %ld sessions in %.1f s\n", n, now_s() - t0);
    wire_buffer_free(&b);
    return 0;
}

/* Remote-spawn ids (net/remote.c): node << 48 | flag | requester << 31 | n. */
#define SPAWN_FLAG (1ull << 47)
#define SPAWN_REQUESTER_SHIFT 31

static uint64_t spawn_id(uint16_t owner, uint16_t requester, uint64_t n) {
    return (uint64_t)owner << 48 | SPAWN_FLAG | (uint64_t)requester << SPAWN_REQUESTER_SHIFT | n;
}

/* Frames from the node for up to `seconds`: the worker's type hash from a
 * LOOKUP_REPLY, every SPAWN_REFUSED id (up to max). */
static size_t read_replies(void *s, double seconds, uint64_t *type_hash, uint64_t *refused, size_t max) {
    static uint8_t buffer[WIRE_MAX_FRAME];
    size_t n = 0;
    double end = now_s() + seconds;
    while (now_s() < end) {
        int got = zmq_recv(s, buffer, sizeof buffer, 0); /* RCVTIMEO 200 ms */
        wire_frame f;
        if (got < 0 || (size_t)got > sizeof buffer || wire_decode_frame(buffer, (size_t)got, &f))
            continue;
        if (f.kind == WIRE_LOOKUP_REPLY && type_hash && f.u.lookup_reply.type_hash) {
            *type_hash = f.u.lookup_reply.type_hash;
            return 0;
        }
        if (f.kind == WIRE_SPAWN_REFUSED && n < max)
            refused[n++] = f.u.spawn_refused.id;
    }
    return n;
}

static int claims(void *s, const char *name, const char *third) {
    wire_buffer b;
    wire_buffer_init(&b);
    uint16_t node = node_id_of(name), server = node_id_of("server"), other = node_id_of(third);
    uint64_t ours = rnd() | 1;
    hello(s, &b, node, ours, 0, name);
    uint64_t theirs = drain(s, true);
    /* The type hash of the node's "worker": a lookup with no type answers
     * "type mismatch" with the actor's own. */
    uint64_t type_hash = 0;
    for (int i = 0; i < 20 && !type_hash; i++) {
        wire_begin(&b, WIRE_LOOKUP, node, ours, theirs);
        wire_put_lookup(&b, 1, 0, "worker");
        wire_finish(&b);
        send_buffer(s, &b);
        read_replies(s, 0.5, &type_hash, NULL, 0);
    }
    if (!type_hash) {
        printf("fake_peer: claims: no lookup reply from the node\n");
        return 2;
    }
    rng_state ^= (uint64_t)time(NULL) << 1; /* ids never met by an earlier run of the node */
    uint64_t n = (rnd() & 0xffffff) + 1;
    uint64_t bad[] = {
        spawn_id(server, other, n),   /* in a third node's space */
        spawn_id(server, server, n),  /* in the owner's own spawn space */
        (uint64_t)server << 48 | n,   /* an id the owner gives its own actors */
    };
    uint64_t good = spawn_id(server, node, n); /* ours: must be made */
    wire_begin(&b, WIRE_BATCH, node, ours, theirs);
    wire_batch_start(&b, 1);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        wire_batch_item(&b, WIRE_OP_SPAWN, bad[i], 0, type_hash, 0, NULL, 0, NULL, 0);
    wire_batch_item(&b, WIRE_OP_SPAWN, good, 0, type_hash, 0, NULL, 0, NULL, 0);
    wire_finish(&b);
    send_buffer(s, &b);
    uint64_t refused[16];
    size_t count = read_replies(s, 2.0, NULL, refused, 16);
    int wrong = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bool seen = false;
        for (size_t k = 0; k < count; k++)
            seen |= refused[k] == bad[i];
        if (!seen) {
            printf("fake_peer: claims: the spawn of %llx (not in our space) was not refused\n",
                   (unsigned long long)bad[i]);
            wrong++;
        }
    }
    for (size_t k = 0; k < count; k++)
        if (refused[k] == good) {
            printf("fake_peer: claims: the spawn of %llx (in our space) was refused\n", (unsigned long long)good);
            wrong++;
        }
    printf("fake_peer: claims: %zu of %zu foreign ids refused, %s\n", count, sizeof bad / sizeof bad[0],
           wrong ? "WRONG" : "as it must");
    wire_buffer_free(&b);
    return wrong ? 1 : 0;
}

/* A valid frame of a random kind with random fields. */
static void random_frame(wire_buffer *b, uint16_t node, uint64_t ours, uint64_t theirs,
                         uint64_t *next_seq) {
    uint8_t kinds[] = {WIRE_HEARTBEAT, WIRE_ACK,  WIRE_NACK, WIRE_BATCH,
                       WIRE_LOOKUP,    WIRE_LOOKUP_REPLY, WIRE_PING, WIRE_PONG};
    uint8_t kind = kinds[rnd() % sizeof kinds];
    wire_begin(b, kind, node, rnd() % 8 == 0 ? rnd() : ours, rnd() % 8 == 0 ? rnd() : theirs);
    uint64_t received = rnd() % 4 == 0 ? rnd() : rnd() % 1000;
    wire_set_acks(b, received, rnd() % 2 ? received : received / 2);
    if (kind == WIRE_BATCH) {
        /* In order, a gap, or a resend of earlier items. */
        uint64_t first = rnd() % 3 == 0 ? *next_seq + rnd() % 50 : (*next_seq > 10 ? *next_seq - rnd() % 10 : 1);
        wire_batch_start(b, first);
        uint32_t items = (uint32_t)(rnd() % 8);
        for (uint32_t i = 0; i < items; i++) {
            uint8_t args[64];
            for (size_t k = 0; k < sizeof args; k++)
                args[k] = (uint8_t)rnd();
            uint64_t target = rnd() % 2 ? ((uint64_t)node_id_of("server") << 48) | (rnd() % 2048) : rnd();
            bool spawn = rnd() % 4 == 0;
            wire_batch_item(b, spawn ? WIRE_OP_SPAWN : WIRE_OP_SEND, target, 0, rnd(),
                            spawn ? 0 : rnd(), spawn ? NULL : args,
                            spawn ? 0 : (uint32_t)(rnd() % sizeof args), NULL, 0);
            if (rnd() % 3 == 0) /* proofs of what the node never sent, or did */
                wire_batch_item_caused(b, rnd() % 2 ? rnd() | 1 : 1 + rnd() % 100);
        }
        if (first == *next_seq)
            *next_seq += items;
    } else if (kind == WIRE_LOOKUP) {
        wire_put_lookup(b, rnd(), rnd(), rnd() % 2 ? "counter" : "no-such-actor");
    } else if (kind == WIRE_LOOKUP_REPLY) {
        wire_put_lookup_reply(b, rnd(), (uint8_t)(rnd() % 3), rnd(), rnd());
    } else if (kind == WIRE_PING || kind == WIRE_PONG) {
        wire_put_ping(b, rnd() % 2 ? rnd() : rnd() % 4); /* PONGs never of a token we got */
    }
    wire_finish(b);
}

static int fuzz(void *s, const char *name, double seconds) {
    wire_buffer b;
    wire_buffer_init(&b);
    uint16_t node = node_id_of(name);
    uint64_t ours = rnd() | 1, next_seq = 1;
    hello(s, &b, node, ours, 0, name);
    uint64_t theirs = drain(s, true);
    long valid = 0, flipped = 0, garbage = 0;
    double end = now_s() + seconds;
    while (now_s() < end) {
        for (int i = 0; i < 100; i++) {
            uint64_t what = rnd() % 10;
            random_frame(&b, node, ours, theirs, &next_seq);
            if (what < 6) {
                valid++;
            } else if (what < 9) {
                for (int k = 0; k < 1 + (int)(rnd() % 4); k++)
                    b.data[rnd() % b.size] ^= (uint8_t)(1u << (rnd() % 8));
                flipped++;
            } else {
                b.size = rnd() % 200;
                for (size_t k = 0; k < b.size; k++)
                    b.data[k] = (uint8_t)rnd();
                garbage++;
            }
            send_buffer(s, &b);
        }
        uint64_t token = drain(s, false);
        if (token)
            theirs = token;
    }
    printf("fake_peer: fuzz: %ld valid frames with random fields, %ld with flipped bits, %ld garbage\n",
           valid, flipped, garbage);
    wire_buffer_free(&b);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 7) {
        fprintf(stderr, "usage: fake_peer churn|fuzz|claims ENDPOINT NAME KEY SERVER_PUB N|SECONDS|THIRD [SEED]\n");
        return 2;
    }
    rng_state = argc > 7 ? strtoull(argv[7], NULL, 10) | 1 : 88172645463325252ull;
    void *context = zmq_ctx_new();
    void *s = connect_to(context, argv[2], argv[4], argv[5]);
    int rc = !strcmp(argv[1], "churn") ? churn(s, argv[3], atol(argv[6]))
             : !strcmp(argv[1], "fuzz") ? fuzz(s, argv[3], atof(argv[6]))
             : !strcmp(argv[1], "claims") ? claims(s, argv[3], argv[6])
                                        : 2;
    zmq_close(s);
    zmq_ctx_term(context);
    return rc;
}
