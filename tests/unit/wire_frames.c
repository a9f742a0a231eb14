/* wire_frames.c - the frames and checks the wire codec tests share
 * (wire_frames.h). */
#include "test_util.h"

#include "wire_frames.h"

const header_values H = {0x0708, 0x1122334455667788ull, 0x99aabbccddeeff01ull,
                         0x0102030405060708ull, 0x0102030405060700ull};

void set_le(uint8_t *p, uint64_t v, unsigned bytes) {
    for (unsigned i = 0; i < bytes; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

uint64_t get_le(const uint8_t *p, unsigned bytes) {
    uint64_t v = 0;
    for (unsigned i = bytes; i-- > 0;)
        v = (v << 8) | p[i];
    return v;
}

frame_bytes copy_out(const wire_buffer *b) {
    frame_bytes f;
    assert_true(b->size <= sizeof f.data);
    memcpy(f.data, b->data, b->size);
    f.size = b->size;
    return f;
}

/* Makes body_length agree with f->size. */
void fix_body_length(frame_bytes *f) {
    set_le(f->data + H_BODY_LENGTH, f->size - WIRE_HEADER_SIZE, 4);
}

/* Appends n zero bytes to the body (and counts them in body_length). */
void append_bytes(frame_bytes *f, size_t n) {
    assert_true(f->size + n <= sizeof f->data);
    memset(f->data + f->size, 0, n);
    f->size += n;
    fix_body_length(f);
}

void append_byte(frame_bytes *f) { append_bytes(f, 1); }

const char *decode(const frame_bytes *f) {
    wire_frame out;
    return wire_decode_frame(f->data, f->size, &out);
}

/* Decodes from an exact-size heap copy, so ASan sees any overread; *copy
 * is that copy (out points into it): the caller frees it. */
const char *decode_kept(const uint8_t *data, size_t size, wire_frame *out, uint8_t **copy) {
    *copy = malloc(size ? size : 1);
    assert_non_null(*copy);
    memcpy(*copy, data, size);
    return wire_decode_frame(*copy, size, out);
}

/* The same, for a decoder's verdict only: out must not be followed into
 * the body afterwards (a batch's items; names are copied out). */
const char *decode_exact(const uint8_t *data, size_t size, wire_frame *out) {
    uint8_t *copy;
    const char *got = decode_kept(data, size, out, &copy);
    free(copy);
    return got;
}

void expect_error(const frame_bytes *f, const char *error) {
    wire_frame out;
    const char *got = decode_exact(f->data, f->size, &out);
    if (!got)
        fail_msg("expected \"%s\", the frame was accepted", error);
    assert_string_equal(got, error);
}

void expect_valid(const frame_bytes *f) {
    wire_frame out;
    const char *got = decode_exact(f->data, f->size, &out);
    if (got)
        fail_msg("expected a valid frame, got \"%s\"", got);
}

void begin(wire_buffer *b, uint8_t kind, const header_values *h) {
    wire_begin(b, kind, h->node, h->sender_session, h->receiver_session);
    wire_set_acks(b, h->received, h->processed);
}

void expect_header(const wire_frame *out, uint8_t kind, const header_values *h) {
    assert_int_equal(out->kind, kind);
    assert_int_equal(out->sender_node, h->node);
    assert_true(out->sender_session == h->sender_session);
    assert_true(out->receiver_session == h->receiver_session);
    assert_true(out->ack_received == h->received);
    assert_true(out->ack_processed == h->processed);
}

/* ------------------------------------------------------------------
 * Valid frames.
 * ------------------------------------------------------------------ */
frame_bytes hello_frame(const char *name) {
    wire_buffer b;
    wire_buffer_init(&b);
    begin(&b, WIRE_HELLO, &H);
    wire_put_hello(&b, name);
    wire_finish(&b);
    frame_bytes f = copy_out(&b);
    wire_buffer_free(&b);
    return f;
}

/* The body every frame of a kind gets in encode_kind, and its check. */
enum { SAMPLE_FIRST_SEQ = 100 };
static const char SAMPLE_NAME[] = "echo.server-1";
static const char SAMPLE_ENDPOINT[] = "tcp://127.0.0.1:5555";

void put_sample_body(wire_buffer *b, uint8_t kind) {
    switch (kind) {
    case WIRE_HELLO:
        wire_put_hello(b, SAMPLE_NAME);
        break;
    case WIRE_LOOKUP:
        wire_put_lookup(b, 5, 0xfeed, SAMPLE_NAME);
        break;
    case WIRE_LOOKUP_REPLY:
        wire_put_lookup_reply(b, 5, WIRE_LOOKUP_FOUND, 0x0002000000000011ull, 0xfeed);
        break;
    case WIRE_SPAWN_REFUSED:
        wire_put_spawn_refused(b, 0x0002800000000011ull);
        break;
    case WIRE_PING:
    case WIRE_PONG:
        wire_put_ping(b, 0x8877665544332211ull);
        break;
    case WIRE_ADDRESSES:
        wire_put_address(b, SAMPLE_NAME, SAMPLE_ENDPOINT);
        wire_put_address(b, "b", "tcp://[::1]:7");
        break;
    case WIRE_BATCH: {
        uint8_t args[16] = {9, 8, 7, 6, 5, 4, 3, 2, 0, 0, 0, 0, 0, 0, 0, 0};
        wire_ref ref = {8, ALOX_REF_ACTOR, 0x10001, 42, 0xbeef};
        wire_batch_start(b, SAMPLE_FIRST_SEQ);
        wire_batch_item(b, WIRE_OP_SEND, 11, 12, 13, 14, args, sizeof args, &ref, 1);
        wire_batch_item(b, WIRE_OP_SPAWN, 21, 0, 23, 0, NULL, 0, NULL, 0);
        break;
    }
    default: /* HEARTBEAT, ACK: empty */
        break;
    }
}

size_t sample_body_size(uint8_t kind) {
    switch (kind) {
    case WIRE_HELLO:
        return 2 + strlen(SAMPLE_NAME);
    case WIRE_LOOKUP:
        return 16 + 2 + strlen(SAMPLE_NAME);
    case WIRE_LOOKUP_REPLY:
        return 25;
    case WIRE_SPAWN_REFUSED:
    case WIRE_PING:
    case WIRE_PONG:
        return 8;
    case WIRE_ADDRESSES:
        return 2 + (2 + strlen(SAMPLE_NAME) + 2 + strlen(SAMPLE_ENDPOINT)) + (2 + 1 + 2 + 13);
    case WIRE_BATCH:
        return 12 + (4 + WIRE_ITEM_FIXED_SIZE + 16 + WIRE_REF_SIZE) + (4 + WIRE_ITEM_FIXED_SIZE);
    default:
        return 0;
    }
}

void expect_sample_body(const wire_frame *out, uint8_t kind) {
    switch (kind) {
    case WIRE_HELLO:
        assert_string_equal(out->u.hello.name, SAMPLE_NAME);
        break;
    case WIRE_LOOKUP:
        assert_int_equal(out->u.lookup.request, 5);
        assert_int_equal(out->u.lookup.type_hash, 0xfeed);
        assert_string_equal(out->u.lookup.name, SAMPLE_NAME);
        break;
    case WIRE_LOOKUP_REPLY:
        assert_int_equal(out->u.lookup_reply.request, 5);
        assert_int_equal(out->u.lookup_reply.status, WIRE_LOOKUP_FOUND);
        assert_int_equal(out->u.lookup_reply.id, 0x0002000000000011ull);
        assert_int_equal(out->u.lookup_reply.type_hash, 0xfeed);
        break;
    case WIRE_SPAWN_REFUSED:
        assert_int_equal(out->u.spawn_refused.id, 0x0002800000000011ull);
        break;
    case WIRE_PING:
    case WIRE_PONG:
        assert_true(out->u.ping.token == 0x8877665544332211ull);
        break;
    case WIRE_ADDRESSES: {
        assert_int_equal(out->u.addresses.count, 2);
        const uint8_t *cursor = out->u.addresses.entries;
        uint16_t index = 0;
        char name[WIRE_MAX_NAME + 1], endpoint[WIRE_MAX_ENDPOINT + 1];
        assert_true(wire_next_address(out, &cursor, &index, name, endpoint));
        assert_string_equal(name, SAMPLE_NAME);
        assert_string_equal(endpoint, SAMPLE_ENDPOINT);
        assert_true(wire_next_address(out, &cursor, &index, name, endpoint));
        assert_string_equal(name, "b");
        assert_string_equal(endpoint, "tcp://[::1]:7");
        assert_false(wire_next_address(out, &cursor, &index, name, endpoint));
        break;
    }
    case WIRE_BATCH: {
        assert_int_equal(out->u.batch.first_seq, SAMPLE_FIRST_SEQ);
        assert_int_equal(out->u.batch.item_count, 2);
        const uint8_t *cursor = out->u.batch.items;
        uint32_t index = 0;
        wire_item it;
        assert_true(wire_next_item(out, &cursor, &index, &it));
        assert_int_equal(it.seq, SAMPLE_FIRST_SEQ);
        assert_int_equal(it.op, WIRE_OP_SEND);
        assert_int_equal(it.args_size, 16);
        assert_int_equal(it.ref_count, 1);
        assert_int_equal(it.args[0], 9);
        assert_int_equal(wire_item_ref(&it, 0).id, 0x10001);
        assert_true(wire_next_item(out, &cursor, &index, &it));
        assert_int_equal(it.seq, SAMPLE_FIRST_SEQ + 1);
        assert_int_equal(it.op, WIRE_OP_SPAWN);
        assert_int_equal(it.target, 21);
        assert_false(wire_next_item(out, &cursor, &index, &it));
        break;
    }
    default:
        break;
    }
}

/* A frame of `kind` with header h and the sample body. */
frame_bytes encode_kind(uint8_t kind, const header_values *h) {
    wire_buffer b;
    wire_buffer_init(&b);
    begin(&b, kind, h);
    put_sample_body(&b, kind);
    wire_finish(&b);
    frame_bytes f = copy_out(&b);
    wire_buffer_free(&b);
    return f;
}

frame_bytes simple_frame(uint8_t kind) { return encode_kind(kind, &H); }

const uint8_t all_kinds[] = {WIRE_HELLO,     WIRE_HEARTBEAT,     WIRE_ACK,  WIRE_BATCH,
                             WIRE_LOOKUP,    WIRE_LOOKUP_REPLY,  WIRE_ADDRESSES,
                             WIRE_SPAWN_REFUSED, WIRE_PING,      WIRE_PONG};

frame_bytes batch_frame(uint8_t op) {
    uint8_t args[24];
    memset(args, 0xab, sizeof args);
    wire_ref refs[2] = {{0, ALOX_REF_ACTOR, 0x10001, 42, 0xbeef},
                        {16, ALOX_REF_ACTOR, 0x10002, 42, 0xbeef}};
    wire_buffer b;
    wire_buffer_init(&b);
    begin(&b, WIRE_BATCH, &H);
    wire_batch_start(&b, 100);
    wire_batch_item(&b, op, 11, 12, 13, op == WIRE_OP_SEND ? 14 : 0, args, sizeof args, refs, 2);
    wire_finish(&b);
    frame_bytes f = copy_out(&b);
    wire_buffer_free(&b);
    assert_int_equal(f.size, B_SIZE);
    assert_null(decode(&f));
    return f;
}

/* Encodes a valid BATCH of exactly `size` bytes (items without refs, as
 * large as allowed, the last one smaller); *last_item is the offset of the
 * last item (it ends the frame). */
void encode_batch_of_size(wire_buffer *b, size_t size, const uint8_t *args, size_t *last_item) {
    const size_t item = 4 + WIRE_ITEM_FIXED_SIZE;
    begin(b, WIRE_BATCH, &H);
    wire_batch_start(b, 1);
    assert_true(size >= b->size + item);
    size_t left = size - b->size;
    while (left > 0) {
        size_t a = left - item < WIRE_MAX_ARGS ? left - item : WIRE_MAX_ARGS;
        if (left - item - a != 0 && left - item - a < item)
            a -= item; /* leave room for one more whole item */
        *last_item = b->size;
        wire_batch_item(b, WIRE_OP_SEND, 1, 2, 3, 4, args, (uint32_t)a, NULL, 0);
        left -= item + a;
    }
    wire_finish(b);
    assert_int_equal(b->size, size);
}
