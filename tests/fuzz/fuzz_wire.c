/* libFuzzer target for the wire decoder (runtime/wire.h).
 *
 * Every input is decoded. A valid frame is walked completely (every item,
 * every args byte, every ref), re-encoded from what was decoded (header:
 * wire_begin with the sessions, wire_set_acks with the acknowledgements,
 * called before the body or after wire_finish depending on the input, and
 * wire_set_withheld with the withheld list after wire_finish), and
 * the re-encoding must be byte-identical to the input (the format has one
 * encoding per frame: reserved fields, unknown flags and ref slots are zero) and
 * decode to the same frame. The names the decoder accepts must pass
 * wire_check_name, and wire_check_name must agree with the rule on the
 * input read as a C string. Any difference aborts, so libFuzzer keeps the
 * input as a crash. Built by tests/fuzz/CMakeLists.txt with clang
 * -fsanitize=fuzzer,address,undefined. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alox/abi.h"
#include "wire/wire.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_wire: check failed at line %d: %s\n", __LINE__, #cond);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static wire_ref refs[WIRE_MAX_REFS];
static volatile unsigned sink; /* keeps the reads of touch_item */

/* Reads every byte the item points to (ASan checks each access). */
static unsigned touch_item(const wire_item *it) {
    unsigned sum = 0;
    for (uint32_t k = 0; k < it->args_size; k++)
        sum += it->args[k];
    for (uint16_t r = 0; r < it->ref_count; r++) {
        refs[r] = wire_item_ref(it, r);
        CHECK(refs[r].kind == ALOX_REF_ACTOR);
        CHECK(refs[r].offset % 8 == 0 && (uint64_t)refs[r].offset + 8 <= it->args_size);
        CHECK(r == 0 || refs[r].offset > refs[r - 1].offset);
        for (unsigned k = 0; k < 8; k++)
            CHECK(it->args[refs[r].offset + k] == 0);
    }
    return sum;
}

static void encode_batch(const wire_frame *f, wire_buffer *b) {
    wire_batch_start(b, f->u.batch.first_seq);
    const uint8_t *cursor = f->u.batch.items;
    uint32_t index = 0;
    wire_item it;
    while (wire_next_item(f, &cursor, &index, &it)) {
        CHECK(it.seq == f->u.batch.first_seq + (index - 1));
        sink += touch_item(&it);
        wire_batch_item(b, it.op, it.target, it.sender, it.behaviour, it.signature, it.args,
                        it.args_size, refs, it.ref_count);
        if (it.flags & WIRE_ITEM_TRACED)
            wire_batch_item_trace(b, it.trace);
        if (it.flags & WIRE_ITEM_CAUSED) {
            CHECK(it.caused_by != 0);
            wire_batch_item_caused(b, it.caused_by);
        }
        if (it.flags & WIRE_ITEM_ROOT) {
            CHECK(it.root != 0);
            wire_batch_item_root(b, it.root);
        }
    }
    CHECK(index == f->u.batch.item_count);
    CHECK(cursor == f->u.batch.end);
}

static uint64_t withheld[WIRE_MAX_WITHHELD];

/* The decoded withheld list, checked against the header's rule, again. */
static uint32_t withheld_of(const wire_frame *f) {
    CHECK(f->withheld_count <= WIRE_MAX_WITHHELD);
    for (uint32_t i = 0; i < f->withheld_count; i++) {
        withheld[i] = wire_withheld(f, i);
        CHECK(withheld[i] >= 1 && withheld[i] <= f->ack_processed);
        CHECK(i == 0 || withheld[i] > withheld[i - 1]);
    }
    return f->withheld_count;
}

/* acks_last: set the acknowledgements after wire_finish rather than
 * right after wire_begin (both must give the same bytes). */
static void encode(const wire_frame *f, wire_buffer *b, int acks_last) {
    wire_begin(b, f->kind, f->sender_node, f->sender_session, f->receiver_session);
    if (acks_last) /* the flags word outlives a later wire_set_acks */
        wire_set_flags(b, f->flags);
    if (!acks_last) {
        wire_set_acks(b, f->ack_received, f->ack_processed);
        wire_set_flags(b, f->flags);
    }
    switch (f->kind) {
    case WIRE_HELLO:
        CHECK(wire_check_name(f->u.hello.name) == NULL);
        wire_put_hello(b, f->u.hello.name);
        break;
    case WIRE_HEARTBEAT:
    case WIRE_ACK:
    case WIRE_NACK:
        break;
    case WIRE_BATCH:
        encode_batch(f, b);
        break;
    case WIRE_LOOKUP:
        CHECK(wire_check_name(f->u.lookup.name) == NULL);
        wire_put_lookup(b, f->u.lookup.request, f->u.lookup.type_hash, f->u.lookup.name);
        break;
    case WIRE_LOOKUP_REPLY:
        wire_put_lookup_reply(b, f->u.lookup_reply.request, f->u.lookup_reply.status,
                              f->u.lookup_reply.id, f->u.lookup_reply.type_hash);
        break;
    case WIRE_SPAWN_REFUSED:
        wire_put_spawn_refused(b, f->u.spawn_refused.id);
        break;
    case WIRE_PING:
    case WIRE_PONG:
        wire_put_ping(b, f->u.ping.token);
        break;
    case WIRE_ADDRESSES: {
        const uint8_t *cursor = f->u.addresses.entries;
        uint16_t index = 0;
        char name[WIRE_MAX_NAME + 1], endpoint[WIRE_MAX_ENDPOINT + 1];
        while (wire_next_address(f, &cursor, &index, name, endpoint))
            wire_put_address(b, name, endpoint);
        CHECK(index == f->u.addresses.count);
        break;
    }
    default:
        CHECK(false); /* the decoder accepted an unknown kind */
    }
    wire_finish(b);
    if (acks_last)
        wire_set_acks(b, f->ack_received, f->ack_processed);
    wire_set_withheld(b, withheld, withheld_of(f)); /* the list follows the body */
}

static void same_items(const wire_frame *f, const wire_frame *g) {
    const uint8_t *cf = f->u.batch.items, *cg = g->u.batch.items;
    uint32_t nf = 0, ng = 0;
    wire_item a, b;
    while (wire_next_item(f, &cf, &nf, &a)) {
        CHECK(wire_next_item(g, &cg, &ng, &b));
        CHECK(a.seq == b.seq && a.op == b.op && a.ref_count == b.ref_count);
        CHECK(a.args_size == b.args_size && a.target == b.target && a.sender == b.sender);
        CHECK(a.behaviour == b.behaviour && a.signature == b.signature);
        CHECK(a.flags == b.flags && a.trace == b.trace && a.caused_by == b.caused_by);
        CHECK(a.root == b.root && (a.root != 0) == ((a.flags & WIRE_ITEM_ROOT) != 0));
        CHECK(memcmp(a.args, b.args, a.args_size) == 0);
        for (uint16_t r = 0; r < a.ref_count; r++) {
            wire_ref x = wire_item_ref(&a, r), y = wire_item_ref(&b, r);
            CHECK(x.offset == y.offset && x.kind == y.kind && x.id == y.id);
            CHECK(x.incarnation == y.incarnation && x.type_hash == y.type_hash);
        }
    }
    CHECK(!wire_next_item(g, &cg, &ng, &b));
}

static void same_frame(const wire_frame *f, const wire_frame *g) {
    CHECK(f->kind == g->kind && f->sender_node == g->sender_node);
    CHECK(f->sender_session == g->sender_session);
    CHECK(f->receiver_session == g->receiver_session);
    CHECK(f->ack_received == g->ack_received && f->ack_processed == g->ack_processed);
    CHECK(f->ack_processed <= f->ack_received);
    CHECK(f->withheld_count == g->withheld_count);
    for (uint32_t i = 0; i < f->withheld_count; i++)
        CHECK(wire_withheld(f, i) == wire_withheld(g, i));
    CHECK(f->flags == g->flags && (f->flags & ~WIRE_FLAG_HOLD) == 0);
    switch (f->kind) {
    case WIRE_HELLO:
        CHECK(strcmp(f->u.hello.name, g->u.hello.name) == 0);
        break;
    case WIRE_BATCH:
        CHECK(f->u.batch.first_seq == g->u.batch.first_seq);
        CHECK(f->u.batch.item_count == g->u.batch.item_count);
        same_items(f, g);
        break;
    case WIRE_LOOKUP:
        CHECK(f->u.lookup.request == g->u.lookup.request);
        CHECK(f->u.lookup.type_hash == g->u.lookup.type_hash);
        CHECK(strcmp(f->u.lookup.name, g->u.lookup.name) == 0);
        break;
    case WIRE_LOOKUP_REPLY:
        CHECK(f->u.lookup_reply.request == g->u.lookup_reply.request);
        CHECK(f->u.lookup_reply.status == g->u.lookup_reply.status);
        CHECK(f->u.lookup_reply.id == g->u.lookup_reply.id);
        CHECK(f->u.lookup_reply.type_hash == g->u.lookup_reply.type_hash);
        break;
    case WIRE_SPAWN_REFUSED:
        CHECK(f->u.spawn_refused.id == g->u.spawn_refused.id);
        break;
    case WIRE_PING:
    case WIRE_PONG:
        CHECK(f->u.ping.token == g->u.ping.token);
        break;
    case WIRE_ADDRESSES: {
        CHECK(f->u.addresses.count == g->u.addresses.count);
        const uint8_t *cf = f->u.addresses.entries, *cg = g->u.addresses.entries;
        uint16_t nf = 0, ng = 0;
        char a[WIRE_MAX_NAME + 1], ae[WIRE_MAX_ENDPOINT + 1], b[WIRE_MAX_NAME + 1],
            be[WIRE_MAX_ENDPOINT + 1];
        while (wire_next_address(f, &cf, &nf, a, ae)) {
            CHECK(wire_next_address(g, &cg, &ng, b, be));
            CHECK(strcmp(a, b) == 0 && strcmp(ae, be) == 0);
        }
        CHECK(!wire_next_address(g, &cg, &ng, b, be));
        break;
    }
    }
}

/* wire_check_name on the start of the input as a C string, against the
 * rule of wire.h written out again. */
static void check_name_rule(const uint8_t *data, size_t size) {
    char name[WIRE_MAX_NAME + 8];
    size_t n = size < sizeof name - 1 ? size : sizeof name - 1;
    memcpy(name, data, n);
    name[n] = '\0';
    size_t length = strlen(name);
    bool ok = length >= 1 && length <= WIRE_MAX_NAME;
    for (size_t i = 0; ok && i < length; i++) {
        char c = name[i];
        ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '.' || c == '-';
    }
    const char *err = wire_check_name(name);
    CHECK(ok == (err == NULL));
    CHECK(!err || err[0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    wire_frame f, g;
    check_name_rule(data, size);
    const char *err = wire_decode_frame(data, size, &f);
    if (err) {
        CHECK(err[0] != '\0');
        return 0;
    }
    CHECK(size >= WIRE_HEADER_SIZE && size <= WIRE_MAX_FRAME);
    wire_buffer b;
    wire_buffer_init(&b);
    encode(&f, &b, data[size - 1] & 1);
    CHECK(b.size == size && memcmp(b.data, data, size) == 0);
    CHECK(wire_decode_frame(b.data, b.size, &g) == NULL);
    same_frame(&f, &g);
    wire_buffer_free(&b);
    return 0;
}
