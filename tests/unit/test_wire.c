/* The wire codec (runtime/wire.h): every frame kind round-trips with every
 * header field (sessions and acknowledgements included), and every
 * validation rule rejects a frame broken in exactly that field, with its
 * own error string and without reading outside the buffer. */
#include "test_util.h"

#include <signal.h>

#include "wire.h"

/* Header offsets (wire.h). */
enum {
    H_VERSION = 4,
    H_KIND = 5,
    H_NODE = 6,
    H_SENDER_SESSION = 8,
    H_RECEIVER_SESSION = 16,
    H_ACK_RECEIVED = 24,
    H_ACK_PROCESSED = 32,
    H_BODY_LENGTH = 40,
    H_RESERVED = 44
};

/* The header fields an encoder is given. */
typedef struct header_values {
    uint16_t node;
    uint64_t sender_session, receiver_session, received, processed;
} header_values;

/* The header of the frames the rule tests start from: every field distinct
 * and with bytes in every position. */
static const header_values H = {0x0708, 0x1122334455667788ull, 0x99aabbccddeeff01ull,
                                0x0102030405060708ull, 0x0102030405060700ull};

/* A frame copied out of an encoder, to corrupt. */
typedef struct frame_bytes {
    uint8_t data[512];
    size_t size;
} frame_bytes;

static void set_le(uint8_t *p, uint64_t v, unsigned bytes) {
    for (unsigned i = 0; i < bytes; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint64_t get_le(const uint8_t *p, unsigned bytes) {
    uint64_t v = 0;
    for (unsigned i = bytes; i-- > 0;)
        v = (v << 8) | p[i];
    return v;
}

static frame_bytes copy_out(const wire_buffer *b) {
    frame_bytes f;
    assert_true(b->size <= sizeof f.data);
    memcpy(f.data, b->data, b->size);
    f.size = b->size;
    return f;
}

/* Makes body_length agree with f->size. */
static void fix_body_length(frame_bytes *f) {
    set_le(f->data + H_BODY_LENGTH, f->size - WIRE_HEADER_SIZE, 4);
}

/* Appends n zero bytes to the body (and counts them in body_length). */
static void append_bytes(frame_bytes *f, size_t n) {
    assert_true(f->size + n <= sizeof f->data);
    memset(f->data + f->size, 0, n);
    f->size += n;
    fix_body_length(f);
}

static void append_byte(frame_bytes *f) { append_bytes(f, 1); }

static const char *decode(const frame_bytes *f) {
    wire_frame out;
    return wire_decode_frame(f->data, f->size, &out);
}

/* Decodes from an exact-size heap copy, so ASan sees any overread; *copy
 * is that copy (out points into it): the caller frees it. */
static const char *decode_kept(const uint8_t *data, size_t size, wire_frame *out,
                               uint8_t **copy) {
    *copy = malloc(size ? size : 1);
    assert_non_null(*copy);
    memcpy(*copy, data, size);
    return wire_decode_frame(*copy, size, out);
}

/* The same, for a decoder's verdict only: out must not be followed into
 * the body afterwards (a batch's items; names are copied out). */
static const char *decode_exact(const uint8_t *data, size_t size, wire_frame *out) {
    uint8_t *copy;
    const char *got = decode_kept(data, size, out, &copy);
    free(copy);
    return got;
}

static void expect_error(const frame_bytes *f, const char *error) {
    wire_frame out;
    const char *got = decode_exact(f->data, f->size, &out);
    if (!got)
        fail_msg("expected \"%s\", the frame was accepted", error);
    assert_string_equal(got, error);
}

static void expect_valid(const frame_bytes *f) {
    wire_frame out;
    const char *got = decode_exact(f->data, f->size, &out);
    if (got)
        fail_msg("expected a valid frame, got \"%s\"", got);
}

static void begin(wire_buffer *b, uint8_t kind, const header_values *h) {
    wire_begin(b, kind, h->node, h->sender_session, h->receiver_session);
    wire_set_acks(b, h->received, h->processed);
}

static void expect_header(const wire_frame *out, uint8_t kind, const header_values *h) {
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
static frame_bytes hello_frame(const char *name) {
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

static void put_sample_body(wire_buffer *b, uint8_t kind) {
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

static size_t sample_body_size(uint8_t kind) {
    switch (kind) {
    case WIRE_HELLO:
        return 2 + strlen(SAMPLE_NAME);
    case WIRE_LOOKUP:
        return 16 + 2 + strlen(SAMPLE_NAME);
    case WIRE_LOOKUP_REPLY:
        return 25;
    case WIRE_BATCH:
        return 12 + (4 + WIRE_ITEM_FIXED_SIZE + 16 + WIRE_REF_SIZE) + (4 + WIRE_ITEM_FIXED_SIZE);
    default:
        return 0;
    }
}

static void expect_sample_body(const wire_frame *out, uint8_t kind) {
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
static frame_bytes encode_kind(uint8_t kind, const header_values *h) {
    wire_buffer b;
    wire_buffer_init(&b);
    begin(&b, kind, h);
    put_sample_body(&b, kind);
    wire_finish(&b);
    frame_bytes f = copy_out(&b);
    wire_buffer_free(&b);
    return f;
}

static frame_bytes simple_frame(uint8_t kind) { return encode_kind(kind, &H); }

static const uint8_t all_kinds[] = {WIRE_HELLO, WIRE_HEARTBEAT, WIRE_ACK,
                                    WIRE_BATCH, WIRE_LOOKUP,    WIRE_LOOKUP_REPLY};
#define N_KINDS (sizeof all_kinds / sizeof *all_kinds)

/* The batch the corruption tests start from: one SEND item, 24 bytes of
 * args, refs at offsets 0 and 16. Offsets in the frame: */
enum {
    B_FIRST_SEQ = 48,
    B_COUNT = 56,
    B_ITEM = 60,
    B_OP = 64,
    B_FLAGS = 65,
    B_REF_COUNT = 66,
    B_ARGS_SIZE = 68,
    B_SIGNATURE = 96,
    B_ARGS = 104,
    B_REF0 = 128,
    B_REF1 = 160,
    B_SIZE = 192
};

static frame_bytes batch_frame(uint8_t op) {
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

/* ------------------------------------------------------------------
 * Round trips.
 * ------------------------------------------------------------------ */

/* Every kind carries every header field, whatever its value: zeros (a
 * receiver session of 0 means "unknown"), the maxima, equal and far-apart
 * acknowledgements. */
static void test_header_round_trip_every_kind(void **state) {
    (void)state;
    const header_values values[] = {
        {0, 0, 0, 0, 0},
        H,
        {UINT16_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX},
        {1, 1, 0, 7, 7},
        {0x8000, 0x8000000000000000ull, 1, UINT64_MAX, 0},
        {0x00ff, 0xff00ff00ff00ff00ull, 0x00ff00ff00ff00ffull, UINT64_MAX, UINT64_MAX - 1},
        {2, 3, 4, 1ull << 63, (1ull << 63) - 1},
    };
    for (size_t k = 0; k < N_KINDS; k++) {
        for (size_t v = 0; v < sizeof values / sizeof *values; v++) {
            uint8_t kind = all_kinds[k];
            const header_values *h = &values[v];
            frame_bytes f = encode_kind(kind, h);
            assert_int_equal(f.size, WIRE_HEADER_SIZE + sample_body_size(kind));
            /* The bytes are where wire.h puts them, little-endian. */
            assert_int_equal(get_le(f.data, 4), WIRE_MAGIC);
            assert_int_equal(f.data[H_VERSION], WIRE_VERSION);
            assert_int_equal(f.data[H_KIND], kind);
            assert_int_equal(get_le(f.data + H_NODE, 2), h->node);
            assert_true(get_le(f.data + H_SENDER_SESSION, 8) == h->sender_session);
            assert_true(get_le(f.data + H_RECEIVER_SESSION, 8) == h->receiver_session);
            assert_true(get_le(f.data + H_ACK_RECEIVED, 8) == h->received);
            assert_true(get_le(f.data + H_ACK_PROCESSED, 8) == h->processed);
            assert_int_equal(get_le(f.data + H_BODY_LENGTH, 4), sample_body_size(kind));
            assert_int_equal(get_le(f.data + H_RESERVED, 4), 0);

            wire_frame out;
            uint8_t *copy;
            assert_null(decode_kept(f.data, f.size, &out, &copy));
            expect_header(&out, kind, h);
            expect_sample_body(&out, kind);
            free(copy);
        }
    }
}

static void test_hello_round_trip(void **state) {
    (void)state;
    char longest[WIRE_MAX_NAME + 1];
    memset(longest, 'n', WIRE_MAX_NAME);
    longest[WIRE_MAX_NAME] = '\0';
    const char *names[] = {"a", "node-1", "Az09_.-", longest};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        frame_bytes f = hello_frame(names[i]);
        assert_int_equal(f.size, WIRE_HEADER_SIZE + 2 + strlen(names[i]));
        wire_frame out;
        assert_null(decode_exact(f.data, f.size, &out));
        expect_header(&out, WIRE_HELLO, &H);
        assert_string_equal(out.u.hello.name, names[i]);
    }
    /* The whole frame, byte for byte, as specified. */
    frame_bytes f = hello_frame("x");
    static const uint8_t expected[WIRE_HEADER_SIZE + 3] = {
        'A',  'L',  'O',  'X',  1,    WIRE_HELLO, 0x08, 0x07, /* magic, version, kind, node */
        0x88, 0x77, 0x66, 0x55, 0x44, 0x33,       0x22, 0x11, /* sender_session */
        0x01, 0xff, 0xee, 0xdd, 0xcc, 0xbb,       0xaa, 0x99, /* receiver_session */
        0x08, 0x07, 0x06, 0x05, 0x04, 0x03,       0x02, 0x01, /* ack_received */
        0x00, 0x07, 0x06, 0x05, 0x04, 0x03,       0x02, 0x01, /* ack_processed */
        3,    0,    0,    0,    0,    0,          0,    0,    /* body_length, reserved */
        1,    0,    'x'};                                     /* name_length, name */
    assert_int_equal(f.size, sizeof expected);
    assert_memory_equal(f.data, expected, sizeof expected);
}

static void test_small_frames_round_trip(void **state) {
    (void)state;
    wire_frame out;
    frame_bytes f = simple_frame(WIRE_HEARTBEAT);
    assert_int_equal(f.size, WIRE_HEADER_SIZE);
    assert_null(decode_exact(f.data, f.size, &out));
    expect_header(&out, WIRE_HEARTBEAT, &H);

    /* ACK: the header is the message. */
    f = simple_frame(WIRE_ACK);
    assert_int_equal(f.size, WIRE_HEADER_SIZE);
    assert_int_equal(get_le(f.data + H_BODY_LENGTH, 4), 0);
    assert_null(decode_exact(f.data, f.size, &out));
    expect_header(&out, WIRE_ACK, &H);

    f = simple_frame(WIRE_LOOKUP);
    assert_null(decode_exact(f.data, f.size, &out));
    expect_header(&out, WIRE_LOOKUP, &H);
    assert_int_equal(out.u.lookup.request, 5);
    assert_int_equal(out.u.lookup.type_hash, 0xfeed);
    assert_string_equal(out.u.lookup.name, "echo.server-1");

    for (uint8_t status = 0; status <= WIRE_LOOKUP_TYPE_MISMATCH; status++) {
        wire_buffer b;
        wire_buffer_init(&b);
        begin(&b, WIRE_LOOKUP_REPLY, &H);
        wire_put_lookup_reply(&b, UINT64_MAX, status, 0x0002000000000011ull, 0xfeed);
        wire_finish(&b);
        assert_int_equal(b.size, WIRE_HEADER_SIZE + 25);
        assert_null(decode_exact(b.data, b.size, &out));
        expect_header(&out, WIRE_LOOKUP_REPLY, &H);
        assert_true(out.u.lookup_reply.request == UINT64_MAX);
        assert_int_equal(out.u.lookup_reply.status, status);
        assert_int_equal(out.u.lookup_reply.id, 0x0002000000000011ull);
        assert_int_equal(out.u.lookup_reply.type_hash, 0xfeed);
        wire_buffer_free(&b);
    }
}

/* wire_set_acks works at any time before sending (after the body, after
 * wire_finish), the last call wins, and wire_begin starts the next frame
 * in the same buffer with no acknowledgements. */
static void test_set_acks_any_time(void **state) {
    (void)state;
    for (size_t k = 0; k < N_KINDS; k++) {
        uint8_t kind = all_kinds[k];
        for (int when = 0; when < 3; when++) {
            wire_buffer b;
            wire_buffer_init(&b);
            wire_begin(&b, kind, H.node, H.sender_session, H.receiver_session);
            wire_set_acks(&b, 999, 998); /* overwritten below */
            if (when == 0)
                wire_set_acks(&b, H.received, H.processed);
            put_sample_body(&b, kind);
            if (when == 1)
                wire_set_acks(&b, H.received, H.processed);
            wire_finish(&b);
            if (when == 2)
                wire_set_acks(&b, H.received, H.processed);
            frame_bytes f = copy_out(&b), expected = simple_frame(kind);
            assert_int_equal(f.size, expected.size);
            assert_memory_equal(f.data, expected.data, f.size);
            wire_frame out;
            uint8_t *copy;
            assert_null(decode_kept(f.data, f.size, &out, &copy));
            expect_header(&out, kind, &H);
            expect_sample_body(&out, kind);
            free(copy);

            /* Acknowledgements can go down too (a new session). */
            wire_set_acks(&b, 3, 0);
            assert_null(wire_decode_frame(b.data, b.size, &out));
            assert_int_equal(out.ack_received, 3);
            assert_int_equal(out.ack_processed, 0);

            /* The next frame in the same buffer: new sessions, no acks. */
            header_values next = {H.node, 5, 0, 0, 0};
            wire_begin(&b, kind, next.node, next.sender_session, next.receiver_session);
            put_sample_body(&b, kind);
            wire_finish(&b);
            assert_null(decode_kept(b.data, b.size, &out, &copy));
            expect_header(&out, kind, &next);
            expect_sample_body(&out, kind);
            free(copy);
            wire_buffer_free(&b);
        }
    }
}

/* Item i of the big batch: its args size, its number of refs, its args. */
static uint32_t item_args_size(uint32_t i) { return (i * 8) % 200 + (i % 3 == 0 ? 0 : i % 7); }
static uint16_t item_ref_count(uint32_t i) {
    return (uint16_t)(item_args_size(i) / 8 < 5 ? item_args_size(i) / 8 : 5) * (i % 2);
}
static uint8_t item_byte(uint32_t i, uint32_t k) { return (uint8_t)(i * 31 + k + 1); }

static void test_batch_round_trip_many_items(void **state) {
    (void)state;
    enum { N = 1000 };
    static uint8_t args[256];
    const header_values h = {9, 0xabcdef, 0xfedcba, 1ull << 40, (1ull << 40) - 3};
    wire_buffer b;
    wire_buffer_init(&b);
    begin(&b, WIRE_BATCH, &h); /* the buffer grows many times after this */
    wire_batch_start(&b, 1ull << 40);
    for (uint32_t i = 0; i < N; i++) {
        uint32_t size = item_args_size(i);
        wire_ref refs[5];
        for (uint32_t k = 0; k < size; k++)
            args[k] = item_byte(i, k);
        for (uint16_t r = 0; r < item_ref_count(i); r++)
            refs[r] = (wire_ref){r * 8u, ALOX_REF_ACTOR, i * 10ull + r, i, 0x7700u + r};
        uint8_t op = i % 5 == 0 ? WIRE_OP_SPAWN : WIRE_OP_SEND;
        wire_batch_item(&b, op, 1000 + i, i, 2000 + i, op == WIRE_OP_SEND ? 3000 + i : 0, args,
                        size, refs, item_ref_count(i));
    }
    wire_finish(&b);

    wire_frame f;
    assert_null(decode_exact(b.data, b.size, &f));
    assert_null(wire_decode_frame(b.data, b.size, &f)); /* f points into b from here */
    expect_header(&f, WIRE_BATCH, &h);
    assert_int_equal(f.u.batch.item_count, N);
    const uint8_t *cursor = f.u.batch.items;
    uint32_t index = 0;
    wire_item it;
    for (uint32_t i = 0; i < N; i++) {
        assert_true(wire_next_item(&f, &cursor, &index, &it));
        assert_int_equal(index, i + 1);
        assert_int_equal(it.seq, (1ull << 40) + i);
        assert_int_equal(it.op, i % 5 == 0 ? WIRE_OP_SPAWN : WIRE_OP_SEND);
        assert_int_equal(it.target, 1000 + i);
        assert_int_equal(it.sender, i);
        assert_int_equal(it.behaviour, 2000 + i);
        assert_int_equal(it.signature, i % 5 == 0 ? 0 : 3000 + i);
        assert_int_equal(it.args_size, item_args_size(i));
        assert_int_equal(it.ref_count, item_ref_count(i));
        for (uint32_t k = 0; k < it.args_size; k++) /* ref slots zeroed, the rest intact */
            assert_int_equal(it.args[k], k < it.ref_count * 8u ? 0 : item_byte(i, k));
        for (uint16_t r = 0; r < it.ref_count; r++) {
            wire_ref ref = wire_item_ref(&it, r);
            assert_int_equal(ref.offset, r * 8u);
            assert_int_equal(ref.kind, ALOX_REF_ACTOR);
            assert_int_equal(ref.id, i * 10ull + r);
            assert_int_equal(ref.incarnation, i);
            assert_int_equal(ref.type_hash, 0x7700u + r);
        }
    }
    assert_false(wire_next_item(&f, &cursor, &index, &it));
    assert_true(cursor == f.u.batch.end);
    assert_true(f.u.batch.end == b.data + b.size);

    /* The buffer is reused for the next frame. */
    wire_begin(&b, WIRE_BATCH, 9, 1, 2);
    wire_batch_start(&b, 5);
    wire_finish(&b);
    assert_null(wire_decode_frame(b.data, b.size, &f));
    expect_header(&f, WIRE_BATCH, &(header_values){9, 1, 2, 0, 0});
    assert_int_equal(f.u.batch.item_count, 0);
    cursor = f.u.batch.items;
    index = 0;
    assert_false(wire_next_item(&f, &cursor, &index, &it));
    wire_buffer_free(&b);
}

/* The limits themselves are accepted: WIRE_MAX_ARGS bytes of args,
 * WIRE_MAX_REFS refs, WIRE_MAX_ITEMS items, the last sequence number. */
static void test_batch_limits_accepted(void **state) {
    (void)state;
    uint8_t *args = calloc(WIRE_MAX_ARGS, 1);
    wire_ref *refs = calloc(WIRE_MAX_REFS, sizeof *refs);
    for (uint32_t r = 0; r < WIRE_MAX_REFS; r++)
        refs[r] = (wire_ref){WIRE_MAX_ARGS - (WIRE_MAX_REFS - r) * 8, ALOX_REF_ACTOR, r, 1, 2};
    wire_buffer b;
    wire_buffer_init(&b);
    begin(&b, WIRE_BATCH, &H);
    wire_batch_start(&b, UINT64_MAX - 1);
    wire_batch_item(&b, WIRE_OP_SEND, 1, 2, 3, 4, args, WIRE_MAX_ARGS, refs, WIRE_MAX_REFS);
    wire_batch_item(&b, WIRE_OP_SEND, 1, 2, 3, 4, NULL, 0, NULL, 0);
    wire_finish(&b);
    wire_frame f;
    assert_null(wire_decode_frame(b.data, b.size, &f));
    expect_header(&f, WIRE_BATCH, &H);
    const uint8_t *cursor = f.u.batch.items;
    uint32_t index = 0;
    wire_item it;
    assert_true(wire_next_item(&f, &cursor, &index, &it));
    assert_int_equal(it.args_size, WIRE_MAX_ARGS);
    assert_int_equal(it.ref_count, WIRE_MAX_REFS);
    assert_int_equal(wire_item_ref(&it, WIRE_MAX_REFS - 1).offset, WIRE_MAX_ARGS - 8);
    assert_true(wire_next_item(&f, &cursor, &index, &it));
    assert_true(it.seq == UINT64_MAX);

    wire_begin(&b, WIRE_BATCH, 1, 1, 1);
    wire_batch_start(&b, 0);
    for (uint32_t i = 0; i < WIRE_MAX_ITEMS; i++)
        wire_batch_item(&b, WIRE_OP_SEND, i, 0, 0, 0, NULL, 0, NULL, 0);
    wire_finish(&b);
    assert_null(wire_decode_frame(b.data, b.size, &f));
    assert_int_equal(f.u.batch.item_count, WIRE_MAX_ITEMS);
    wire_buffer_free(&b);
    free(args);
    free(refs);
}

/* ------------------------------------------------------------------
 * WIRE_MAX_FRAME: a valid batch of exactly WIRE_MAX_FRAME bytes is
 * accepted, the same batch one args byte longer is not.
 * ------------------------------------------------------------------ */

/* Encodes a valid BATCH of exactly `size` bytes (items without refs, as
 * large as allowed, the last one smaller); *last_item is the offset of the
 * last item (it ends the frame). */
static void encode_batch_of_size(wire_buffer *b, size_t size, const uint8_t *args,
                                 size_t *last_item) {
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

/* A copy of the batch in b with its last item's args one byte longer. */
static uint8_t *grow_last_item(const wire_buffer *b, size_t last_item) {
    uint8_t *g = malloc(b->size + 1);
    assert_non_null(g);
    memcpy(g, b->data, b->size);
    g[b->size] = 0;
    set_le(g + last_item, get_le(g + last_item, 4) + 1, 4);         /* item_length */
    set_le(g + last_item + 8, get_le(g + last_item + 8, 4) + 1, 4); /* args_size */
    set_le(g + H_BODY_LENGTH, b->size + 1 - WIRE_HEADER_SIZE, 4);
    return g;
}

static void test_max_frame_rule(void **state) {
    (void)state;
    uint8_t *args = calloc(WIRE_MAX_ARGS, 1);
    assert_non_null(args);
    wire_buffer b;
    wire_buffer_init(&b);
    size_t last_item = 0;
    wire_frame out;

    /* The construction itself: one byte short of the limit, grown by one. */
    encode_batch_of_size(&b, WIRE_MAX_FRAME - 1, args, &last_item);
    assert_null(wire_decode_frame(b.data, b.size, &out));
    uint8_t *g = grow_last_item(&b, last_item);
    assert_null(wire_decode_frame(g, b.size + 1, &out));
    free(g);

    encode_batch_of_size(&b, WIRE_MAX_FRAME, args, &last_item);
    assert_null(wire_decode_frame(b.data, b.size, &out));
    expect_header(&out, WIRE_BATCH, &H);
    assert_true(out.u.batch.item_count > WIRE_MAX_FRAME / WIRE_MAX_ARGS - 1);
    g = grow_last_item(&b, last_item);
    assert_string_equal(wire_decode_frame(g, b.size + 1, &out),
                        "frame: larger than WIRE_MAX_FRAME");
    free(g);
    wire_buffer_free(&b);
    free(args);

    /* Whatever the kind: the size is checked before the body. */
    size_t size = (size_t)WIRE_MAX_FRAME + 1;
    uint8_t *big = calloc(size, 1);
    assert_non_null(big);
    for (size_t k = 0; k < N_KINDS; k++) {
        frame_bytes f = simple_frame(all_kinds[k]);
        memcpy(big, f.data, WIRE_HEADER_SIZE);
        set_le(big + H_BODY_LENGTH, size - WIRE_HEADER_SIZE, 4);
        assert_string_equal(wire_decode_frame(big, size, &out),
                            "frame: larger than WIRE_MAX_FRAME");
    }
    free(big);
}

/* ------------------------------------------------------------------
 * One test per rule: a valid frame, one field broken.
 * ------------------------------------------------------------------ */
static void test_header_rules(void **state) {
    (void)state;
    frame_bytes f = simple_frame(WIRE_HEARTBEAT);
    f.size = WIRE_HEADER_SIZE - 1;
    expect_error(&f, "frame: shorter than the header");
    f.size = 24; /* the header of the format before sessions */
    expect_error(&f, "frame: shorter than the header");
    f.size = 0;
    expect_error(&f, "frame: shorter than the header");
    wire_frame out;
    assert_string_equal(wire_decode_frame(NULL, 0, &out), "frame: shorter than the header");
    assert_string_equal(wire_decode_frame(NULL, 100, &out), "frame: shorter than the header");

    f = simple_frame(WIRE_HEARTBEAT);
    f.data[3] = 'Y';
    expect_error(&f, "frame: bad magic");
    f = simple_frame(WIRE_HEARTBEAT);
    f.data[H_VERSION] = 2;
    expect_error(&f, "frame: unsupported version");
    f.data[H_VERSION] = 0;
    expect_error(&f, "frame: unsupported version");
    uint8_t unknown_kinds[] = {0, 7, 255};
    for (size_t i = 0; i < sizeof unknown_kinds; i++) {
        f = simple_frame(WIRE_HEARTBEAT);
        f.data[H_KIND] = unknown_kinds[i];
        expect_error(&f, "frame: unknown kind");
    }
    for (unsigned at = H_RESERVED; at < H_RESERVED + 4; at++) {
        f = simple_frame(WIRE_HEARTBEAT);
        f.data[at] = 1;
        expect_error(&f, "frame: reserved header field not 0");
        f.data[at] = 0x80;
        expect_error(&f, "frame: reserved header field not 0");
    }
    for (size_t k = 0; k < N_KINDS; k++) {
        f = simple_frame(all_kinds[k]);
        size_t body = f.size - WIRE_HEADER_SIZE;
        set_le(f.data + H_BODY_LENGTH, body + 1, 4);
        expect_error(&f, "frame: body_length does not match the frame size");
        set_le(f.data + H_BODY_LENGTH, body + 8, 4);
        expect_error(&f, "frame: body_length does not match the frame size");
        if (body > 0) {
            set_le(f.data + H_BODY_LENGTH, body - 1, 4);
            expect_error(&f, "frame: body_length does not match the frame size");
        }
        set_le(f.data + H_BODY_LENGTH, body + 0x100, 4); /* a higher byte */
        expect_error(&f, "frame: body_length does not match the frame size");
        set_le(f.data + H_BODY_LENGTH, UINT32_MAX, 4);
        expect_error(&f, "frame: body_length does not match the frame size");
    }
    /* No value of the node or the sessions is invalid. */
    f = simple_frame(WIRE_HEARTBEAT);
    for (unsigned at = H_NODE; at < H_ACK_RECEIVED; at++) {
        frame_bytes g = f;
        g.data[at] ^= 0xff;
        expect_valid(&g);
    }
}

/* ack_processed <= ack_received, in every kind, checked on the whole u64. */
static void test_ack_order_rule(void **state) {
    (void)state;
    static const char error[] = "frame: processed acknowledgement beyond the received one";
    const struct {
        uint64_t received, processed;
        bool valid;
    } cases[] = {
        {0, 0, true},
        {0, 1, false},
        {7, 7, true},
        {7, 6, true},
        {7, 8, false},
        {UINT64_MAX, UINT64_MAX, true},
        {UINT64_MAX - 1, UINT64_MAX, false},
        {UINT64_MAX, 0, true},
        {0, UINT64_MAX, false},
        {0x00ffffffffffffffull, 0x0100000000000000ull, false}, /* only the top byte differs */
        {0x0100000000000000ull, 0x00ffffffffffffffull, true},
        {0xff, 0x100, false},
        {1ull << 32, (1ull << 32) + 1, false},
    };
    for (size_t k = 0; k < N_KINDS; k++) {
        for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
            frame_bytes f = simple_frame(all_kinds[k]);
            set_le(f.data + H_ACK_RECEIVED, cases[c].received, 8);
            set_le(f.data + H_ACK_PROCESSED, cases[c].processed, 8);
            if (cases[c].valid) {
                wire_frame out;
                uint8_t *copy;
                assert_null(decode_kept(f.data, f.size, &out, &copy));
                assert_true(out.ack_received == cases[c].received);
                assert_true(out.ack_processed == cases[c].processed);
                expect_sample_body(&out, all_kinds[k]);
                free(copy);
            } else {
                expect_error(&f, error);
            }
        }
    }
    /* Any single byte of ack_processed raised above ack_received. */
    for (unsigned byte = 0; byte < 8; byte++) {
        frame_bytes f = simple_frame(WIRE_ACK);
        set_le(f.data + H_ACK_RECEIVED, 0x8080808080808080ull, 8);
        set_le(f.data + H_ACK_PROCESSED, 0x8080808080808080ull, 8);
        expect_valid(&f);
        f.data[H_ACK_PROCESSED + byte] = 0x81;
        expect_error(&f, error);
        f.data[H_ACK_PROCESSED + byte] = 0x7f;
        expect_valid(&f);
    }
}

static void test_fixed_body_rules(void **state) {
    (void)state;
    frame_bytes f = simple_frame(WIRE_HEARTBEAT);
    append_byte(&f);
    expect_error(&f, "frame: body length wrong for its kind");

    /* ACK: the acknowledgements are in the header, the body is empty (the
     * 8-byte body of the old format included). */
    size_t bodies[] = {1, 7, 8, 9, 16, 25};
    for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
        f = simple_frame(WIRE_ACK);
        append_bytes(&f, bodies[i]);
        expect_error(&f, "frame: body length wrong for its kind");
        f = simple_frame(WIRE_HEARTBEAT);
        append_bytes(&f, bodies[i]);
        expect_error(&f, "frame: body length wrong for its kind");
    }
    f = simple_frame(WIRE_ACK);
    f.data[WIRE_HEADER_SIZE] = 1;
    f.size++;
    fix_body_length(&f);
    expect_error(&f, "frame: body length wrong for its kind");

    f = simple_frame(WIRE_LOOKUP_REPLY);
    append_byte(&f);
    expect_error(&f, "frame: body length wrong for its kind");
    f = simple_frame(WIRE_LOOKUP_REPLY);
    for (size_t cut = 1; cut <= 25; cut++) {
        frame_bytes g = f;
        g.size -= cut;
        fix_body_length(&g);
        expect_error(&g, "frame: body length wrong for its kind");
    }
    /* A frame of one kind with the body of another. */
    f = simple_frame(WIRE_ACK);
    f.data[H_KIND] = WIRE_LOOKUP_REPLY;
    expect_error(&f, "frame: body length wrong for its kind");
    uint8_t empty_kinds[] = {WIRE_ACK, WIRE_HEARTBEAT};
    uint8_t other_kinds[] = {WIRE_LOOKUP_REPLY, WIRE_HELLO, WIRE_LOOKUP, WIRE_BATCH};
    for (size_t e = 0; e < sizeof empty_kinds; e++) {
        for (size_t o = 0; o < sizeof other_kinds; o++) {
            f = simple_frame(other_kinds[o]);
            f.data[H_KIND] = empty_kinds[e];
            expect_error(&f, "frame: body length wrong for its kind");
        }
    }
    /* HEARTBEAT and ACK differ only in their kind. */
    f = simple_frame(WIRE_ACK);
    f.data[H_KIND] = WIRE_HEARTBEAT;
    assert_memory_equal(f.data, simple_frame(WIRE_HEARTBEAT).data, f.size);
}

static void test_lookup_reply_status_rule(void **state) {
    (void)state;
    uint8_t bad[] = {3, 4, 255};
    for (size_t i = 0; i < sizeof bad; i++) {
        frame_bytes f = simple_frame(WIRE_LOOKUP_REPLY);
        f.data[WIRE_HEADER_SIZE + 8] = bad[i];
        expect_error(&f, "lookup_reply: unknown status");
    }
}

static void test_name_rules(void **state) {
    (void)state;
    /* HELLO: u16 length at 48, name at 50; LOOKUP: length at 64, name at 66. */
    struct {
        uint8_t kind;
        size_t at;
    } where[] = {{WIRE_HELLO, WIRE_HEADER_SIZE}, {WIRE_LOOKUP, WIRE_HEADER_SIZE + 16}};
    for (size_t w = 0; w < 2; w++) {
        uint8_t kind = where[w].kind;
        size_t at = where[w].at;
        frame_bytes valid = kind == WIRE_HELLO ? hello_frame("echo.server-1") : simple_frame(kind);
        assert_null(decode(&valid));
        assert_int_equal(get_le(valid.data + at, 2), 13);

        frame_bytes f = valid;
        set_le(f.data + at, 0, 2);
        f.size = at + 2;
        fix_body_length(&f);
        expect_error(&f, "name: empty");

        uint8_t chars[] = {' ', '/', ':', '@', 0, 0x80, 0xff, '\n'};
        for (size_t i = 0; i < sizeof chars; i++) {
            f = valid;
            f.data[at + 2 + 4] = chars[i];
            expect_error(&f, "name: character outside [A-Za-z0-9_.-]");
            f = valid; /* first and last characters too */
            f.data[at + 2] = chars[i];
            expect_error(&f, "name: character outside [A-Za-z0-9_.-]");
            f = valid;
            f.data[at + 2 + 12] = chars[i];
            expect_error(&f, "name: character outside [A-Za-z0-9_.-]");
        }

        f = valid; /* a 65-byte name */
        set_le(f.data + at, WIRE_MAX_NAME + 1, 2);
        memset(f.data + at + 2, 'a', WIRE_MAX_NAME + 1);
        f.size = at + 2 + WIRE_MAX_NAME + 1;
        fix_body_length(&f);
        expect_error(&f, "name: longer than WIRE_MAX_NAME");
        f.size--; /* 64 bytes are fine */
        set_le(f.data + at, WIRE_MAX_NAME, 2);
        fix_body_length(&f);
        expect_valid(&f);

        f = valid;
        set_le(f.data + at, 14, 2);
        expect_error(&f, "name: longer than the body");
        set_le(f.data + at, UINT16_MAX, 2);
        expect_error(&f, "name: longer than the body");

        f = valid;
        f.size = at + 1;
        fix_body_length(&f);
        expect_error(&f, "name: truncated length");
        f.size = at;
        fix_body_length(&f);
        expect_error(&f, "name: truncated length");

        f = valid;
        append_byte(&f);
        expect_error(&f, "frame: trailing bytes after the name");
        f = valid;
        set_le(f.data + at, 12, 2); /* one byte of the name left over */
        expect_error(&f, "frame: trailing bytes after the name");
    }
    frame_bytes f = simple_frame(WIRE_LOOKUP);
    for (size_t body = 0; body < 16; body++) {
        f.size = WIRE_HEADER_SIZE + body;
        fix_body_length(&f);
        expect_error(&f, "lookup: body shorter than its header");
    }
}

/* wire_check_name: the rule the decoder applies to name bytes, for the C
 * strings users give. */
static void test_check_name(void **state) {
    (void)state;
    char longest[WIRE_MAX_NAME + 1], too_long[WIRE_MAX_NAME + 2], very_long[1000];
    memset(longest, 'n', WIRE_MAX_NAME);
    longest[WIRE_MAX_NAME] = '\0';
    memset(too_long, 'n', WIRE_MAX_NAME + 1);
    too_long[WIRE_MAX_NAME + 1] = '\0';
    memset(very_long, 'v', sizeof very_long - 1);
    very_long[sizeof very_long - 1] = '\0';
    const char *good[] = {"a", "Z", "0", "_", ".", "-", "node-1", "Az09_.-", "echo.server-1",
                          "..", longest};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        if (wire_check_name(good[i]))
            fail_msg("\"%s\" rejected: %s", good[i], wire_check_name(good[i]));
        frame_bytes f = hello_frame(good[i]); /* the encoder agrees */
        wire_frame out;
        assert_null(decode_exact(f.data, f.size, &out));
        assert_string_equal(out.u.hello.name, good[i]);
    }
    const struct {
        const char *name, *error;
    } bad[] = {
        {NULL, "name: empty"},
        {"", "name: empty"},
        {too_long, "name: longer than WIRE_MAX_NAME"},
        {very_long, "name: longer than WIRE_MAX_NAME"},
        {"has space", "name: character outside [A-Za-z0-9_.-]"},
        {" a", "name: character outside [A-Za-z0-9_.-]"},
        {"a ", "name: character outside [A-Za-z0-9_.-]"},
        {"a/b", "name: character outside [A-Za-z0-9_.-]"},
        {"host:5555", "name: character outside [A-Za-z0-9_.-]"},
        {"user@host", "name: character outside [A-Za-z0-9_.-]"},
        {"tab\t", "name: character outside [A-Za-z0-9_.-]"},
        {"line\n", "name: character outside [A-Za-z0-9_.-]"},
        {"caf\xc3\xa9", "name: character outside [A-Za-z0-9_.-]"},
        {"\x7f", "name: character outside [A-Za-z0-9_.-]"},
        {"a+b", "name: character outside [A-Za-z0-9_.-]"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *got = wire_check_name(bad[i].name);
        if (!got)
            fail_msg("\"%s\" accepted", bad[i].name ? bad[i].name : "(null)");
        assert_string_equal(got, bad[i].error);
    }
    /* Every one-byte name: wire_check_name and the decoder agree. */
    for (unsigned c = 1; c < 256; c++) {
        char name[2] = {(char)c, '\0'};
        frame_bytes f = hello_frame("x");
        f.data[WIRE_HEADER_SIZE + 2] = (uint8_t)c;
        wire_frame out;
        const char *decoded = decode_exact(f.data, f.size, &out), *checked = wire_check_name(name);
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '-';
        if (ok) {
            assert_null(decoded);
            assert_null(checked);
        } else {
            assert_non_null(decoded);
            assert_non_null(checked);
            assert_string_equal(decoded, checked);
        }
    }
}

static void test_batch_header_rules(void **state) {
    (void)state;
    frame_bytes f = batch_frame(WIRE_OP_SEND);
    for (size_t body = 0; body < 12; body++) {
        f.size = WIRE_HEADER_SIZE + body;
        fix_body_length(&f);
        expect_error(&f, "batch: body shorter than its header");
    }

    f = batch_frame(WIRE_OP_SEND);
    set_le(f.data + B_COUNT, WIRE_MAX_ITEMS + 1, 4);
    expect_error(&f, "batch: item_count above WIRE_MAX_ITEMS");
    set_le(f.data + B_COUNT, UINT32_MAX, 4);
    expect_error(&f, "batch: item_count above WIRE_MAX_ITEMS");

    f = batch_frame(WIRE_OP_SEND);
    set_le(f.data + B_COUNT, 2, 4);
    expect_error(&f, "batch item: truncated item_length");

    f = batch_frame(WIRE_OP_SEND);
    set_le(f.data + B_COUNT, 0, 4);
    expect_error(&f, "batch: trailing bytes after the last item");
    f = batch_frame(WIRE_OP_SEND);
    append_byte(&f);
    expect_error(&f, "batch: trailing bytes after the last item");

    f = batch_frame(WIRE_OP_SEND); /* one item: UINT64_MAX is a valid seq */
    set_le(f.data + B_FIRST_SEQ, UINT64_MAX, 8);
    assert_null(decode(&f));
    /* Two items from UINT64_MAX would wrap to 0. */
    memcpy(f.data + B_SIZE, f.data + B_ITEM, B_SIZE - B_ITEM);
    f.size = B_SIZE + (B_SIZE - B_ITEM);
    fix_body_length(&f);
    set_le(f.data + B_COUNT, 2, 4);
    expect_error(&f, "batch: sequence numbers wrap around");
    set_le(f.data + B_FIRST_SEQ, UINT64_MAX - 1, 8);
    assert_null(decode(&f));
}

static void test_batch_item_rules(void **state) {
    (void)state;
    frame_bytes f = batch_frame(WIRE_OP_SEND);
    set_le(f.data + B_ITEM, B_SIZE - B_ITEM - 4 + 1, 4);
    expect_error(&f, "batch item: item_length beyond the frame");
    set_le(f.data + B_ITEM, UINT32_MAX, 4);
    expect_error(&f, "batch item: item_length beyond the frame");
    set_le(f.data + B_ITEM, WIRE_ITEM_FIXED_SIZE - 1, 4);
    expect_error(&f, "batch item: item_length below the fixed part");
    set_le(f.data + B_ITEM, 0, 4);
    expect_error(&f, "batch item: item_length below the fixed part");
    set_le(f.data + B_ITEM, B_SIZE - B_ITEM - 4 - 8, 4);
    expect_error(&f, "batch item: item_length does not match args_size and ref_count");

    uint8_t ops[] = {0, 3, 255};
    for (size_t i = 0; i < sizeof ops; i++) {
        f = batch_frame(WIRE_OP_SEND);
        f.data[B_OP] = ops[i];
        expect_error(&f, "batch item: unknown op");
    }
    f = batch_frame(WIRE_OP_SEND);
    f.data[B_FLAGS] = 0x80;
    expect_error(&f, "batch item: flags not 0");
    f.data[B_FLAGS] = 1;
    expect_error(&f, "batch item: flags not 0");

    f = batch_frame(WIRE_OP_SPAWN);
    f.data[B_SIGNATURE + 7] = 1;
    expect_error(&f, "batch item: spawn signature not 0");
    f = batch_frame(WIRE_OP_SEND); /* a SEND may have any signature, 0 included */
    set_le(f.data + B_SIGNATURE, 0, 8);
    expect_valid(&f);

    f = batch_frame(WIRE_OP_SEND);
    set_le(f.data + B_ARGS_SIZE, WIRE_MAX_ARGS + 1, 4);
    expect_error(&f, "batch item: args_size above WIRE_MAX_ARGS");
    set_le(f.data + B_ARGS_SIZE, UINT32_MAX, 4);
    expect_error(&f, "batch item: args_size above WIRE_MAX_ARGS");
    set_le(f.data + B_ARGS_SIZE, 32, 4);
    expect_error(&f, "batch item: item_length does not match args_size and ref_count");

    f = batch_frame(WIRE_OP_SEND);
    set_le(f.data + B_REF_COUNT, WIRE_MAX_REFS + 1, 2);
    expect_error(&f, "batch item: ref_count above WIRE_MAX_REFS");
    set_le(f.data + B_REF_COUNT, UINT16_MAX, 2);
    expect_error(&f, "batch item: ref_count above WIRE_MAX_REFS");
    set_le(f.data + B_REF_COUNT, 1, 2);
    expect_error(&f, "batch item: item_length does not match args_size and ref_count");
}

static void test_batch_ref_rules(void **state) {
    (void)state;
    frame_bytes f = batch_frame(WIRE_OP_SEND);
    set_le(f.data + B_REF1, 12, 4);
    expect_error(&f, "batch item: ref offset not 8-aligned");
    set_le(f.data + B_REF0, 1, 4);
    expect_error(&f, "batch item: ref offset not 8-aligned");

    f = batch_frame(WIRE_OP_SEND);
    set_le(f.data + B_REF1, 0, 4);
    expect_error(&f, "batch item: ref offsets not strictly increasing");
    set_le(f.data + B_REF0, 16, 4);
    set_le(f.data + B_REF1, 8, 4);
    expect_error(&f, "batch item: ref offsets not strictly increasing");

    f = batch_frame(WIRE_OP_SEND);
    set_le(f.data + B_REF1, 24, 4); /* 24 + 8 > 24 bytes of args */
    expect_error(&f, "batch item: ref slot beyond args");
    set_le(f.data + B_REF1, UINT32_MAX - 7, 4); /* offset + 8 overflows a u32 */
    expect_error(&f, "batch item: ref slot beyond args");

    uint32_t kinds[] = {0, ALOX_REF_STAGE, 3, UINT32_MAX};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        f = batch_frame(WIRE_OP_SEND);
        set_le(f.data + B_REF1 + 4, kinds[i], 4);
        expect_error(&f, "batch item: ref kind not ALOX_REF_ACTOR");
    }

    f = batch_frame(WIRE_OP_SEND);
    f.data[B_ARGS + 16 + 3] = 1;
    expect_error(&f, "batch item: args slot of a ref not zeroed");
    f = batch_frame(WIRE_OP_SEND);
    f.data[B_ARGS + 8] = 1; /* not a ref slot: fine */
    assert_null(decode(&f));
}

/* The same rules hold for a later item (the decoder walks every item). */
static void test_rules_apply_to_every_item(void **state) {
    (void)state;
    frame_bytes one = batch_frame(WIRE_OP_SEND), f = one;
    size_t item = B_SIZE - B_ITEM;
    memcpy(f.data + B_SIZE, one.data + B_ITEM, item);
    f.size = B_SIZE + item;
    fix_body_length(&f);
    set_le(f.data + B_COUNT, 2, 4);
    assert_null(decode(&f));
    frame_bytes g = f;
    g.data[B_OP + item] = 9;
    expect_error(&g, "batch item: unknown op");
    g = f;
    set_le(g.data + B_REF1 + item + 4, ALOX_REF_STAGE, 4);
    expect_error(&g, "batch item: ref kind not ALOX_REF_ACTOR");
    g = f;
    g.data[B_ARGS + item] = 1;
    expect_error(&g, "batch item: args slot of a ref not zeroed");
    g = f;
    g.data[B_FLAGS + item] = 1;
    expect_error(&g, "batch item: flags not 0");
}

/* A valid frame cut at every length is rejected: as it comes (body_length
 * disagrees) and with body_length patched to agree (the body is short). */
static void expect_every_cut_rejected(const uint8_t *data, size_t size) {
    wire_frame out;
    assert_null(decode_exact(data, size, &out));
    for (size_t n = 0; n < size; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, data, n);
        assert_non_null(wire_decode_frame(cut, n, &out));
        if (n >= WIRE_HEADER_SIZE) {
            set_le(cut + H_BODY_LENGTH, n - WIRE_HEADER_SIZE, 4);
            const char *err = wire_decode_frame(cut, n, &out);
            if (!err)
                fail_msg("frame of kind %u cut to %zu of %zu bytes accepted", data[H_KIND], n,
                         size);
        }
        free(cut);
    }
}

static void test_truncation_at_every_length(void **state) {
    (void)state;
    uint8_t args[40] = {1, 2, 3};
    wire_ref refs[3] = {
        {8, ALOX_REF_ACTOR, 1, 2, 3}, {16, ALOX_REF_ACTOR, 4, 5, 6}, {32, ALOX_REF_ACTOR, 7, 8, 9}};
    wire_buffer b;
    wire_buffer_init(&b);
    begin(&b, WIRE_BATCH, &H);
    wire_batch_start(&b, 1);
    wire_batch_item(&b, WIRE_OP_SEND, 1, 2, 3, 4, args, 40, refs, 3);
    wire_batch_item(&b, WIRE_OP_SPAWN, 5, 6, 7, 0, args, 13, NULL, 0);
    wire_batch_item(&b, WIRE_OP_SEND, 1, 2, 3, 4, args, 16, refs, 1);
    wire_finish(&b);
    expect_every_cut_rejected(b.data, b.size);
    wire_buffer_free(&b);
    /* Every other kind (for HEARTBEAT and ACK, the cut header). */
    for (size_t k = 0; k < N_KINDS; k++) {
        frame_bytes f = simple_frame(all_kinds[k]);
        expect_every_cut_rejected(f.data, f.size);
    }
}

/* wire_next_item stops at item_count and never runs past the end. */
static void test_next_item_protocol(void **state) {
    (void)state;
    frame_bytes f = batch_frame(WIRE_OP_SEND);
    wire_frame frame;
    assert_null(wire_decode_frame(f.data, f.size, &frame));
    const uint8_t *cursor = frame.u.batch.items;
    assert_true(cursor == f.data + B_ITEM);
    uint32_t index = 0;
    wire_item it;
    assert_true(wire_next_item(&frame, &cursor, &index, &it));
    assert_int_equal(it.seq, 100);
    assert_int_equal(index, 1);
    assert_true(it.args == f.data + B_ARGS);
    assert_true(it.refs_raw == f.data + B_REF0);
    assert_false(wire_next_item(&frame, &cursor, &index, &it));
    assert_false(wire_next_item(&frame, &cursor, &index, &it));
    assert_int_equal(index, 1);

    /* Not a batch: no items. */
    for (size_t k = 0; k < N_KINDS; k++) {
        if (all_kinds[k] == WIRE_BATCH)
            continue;
        frame_bytes h = simple_frame(all_kinds[k]);
        assert_null(wire_decode_frame(h.data, h.size, &frame));
        cursor = h.data + WIRE_HEADER_SIZE;
        index = 0;
        assert_false(wire_next_item(&frame, &cursor, &index, &it));
    }
}

/* ------------------------------------------------------------------
 * Misuse of the encoder is fatal, with the reason.
 * ------------------------------------------------------------------ */
static void encode_bad_name(void *arg) {
    wire_buffer b;
    wire_buffer_init(&b);
    wire_begin(&b, WIRE_HELLO, 1, 1, 0);
    wire_put_hello(&b, arg);
}

static void encode_bad_lookup_name(void *arg) {
    wire_buffer b;
    wire_buffer_init(&b);
    wire_begin(&b, WIRE_LOOKUP, 1, 1, 0);
    wire_put_lookup(&b, 1, 2, arg);
}

static void encode_misaligned_ref(void *arg) {
    (void)arg;
    uint8_t args[16] = {0};
    wire_ref ref = {4, ALOX_REF_ACTOR, 1, 1, 1};
    wire_buffer b;
    wire_buffer_init(&b);
    wire_begin(&b, WIRE_BATCH, 1, 1, 1);
    wire_batch_start(&b, 1);
    wire_batch_item(&b, WIRE_OP_SEND, 1, 2, 3, 4, args, 16, &ref, 1);
}

static void encode_stage_ref(void *arg) {
    (void)arg;
    uint8_t args[16] = {0};
    wire_ref ref = {8, ALOX_REF_STAGE, 1, 1, 0};
    wire_buffer b;
    wire_buffer_init(&b);
    wire_begin(&b, WIRE_BATCH, 1, 1, 1);
    wire_batch_start(&b, 1);
    wire_batch_item(&b, WIRE_OP_SEND, 1, 2, 3, 4, args, 16, &ref, 1);
}

static void encode_item_without_start(void *arg) {
    (void)arg;
    wire_buffer b;
    wire_buffer_init(&b);
    wire_begin(&b, WIRE_BATCH, 1, 1, 1);
    wire_batch_item(&b, WIRE_OP_SEND, 1, 2, 3, 4, NULL, 0, NULL, 0);
}

static void encode_wrong_kind(void *arg) {
    (void)arg;
    wire_buffer b;
    wire_buffer_init(&b);
    wire_begin(&b, WIRE_ACK, 1, 1, 1);
    wire_put_hello(&b, "node");
}

static void encode_unknown_kind(void *arg) {
    wire_buffer b;
    wire_buffer_init(&b);
    wire_begin(&b, (uint8_t)(uintptr_t)arg, 1, 1, 1);
}

static void encode_bad_status(void *arg) {
    (void)arg;
    wire_buffer b;
    wire_buffer_init(&b);
    wire_begin(&b, WIRE_LOOKUP_REPLY, 1, 1, 1);
    wire_put_lookup_reply(&b, 1, WIRE_LOOKUP_TYPE_MISMATCH + 1, 2, 3);
}

typedef struct acks {
    uint64_t received, processed;
} acks;

static void set_bad_acks(void *arg) {
    const acks *a = arg;
    wire_buffer b;
    wire_buffer_init(&b);
    wire_begin(&b, WIRE_ACK, 1, 1, 1);
    wire_set_acks(&b, a->received, a->processed);
    wire_finish(&b);
    /* Not reached; if it were, the child would exit 0 and the test fail. */
}

static void set_acks_without_begin(void *arg) {
    (void)arg;
    wire_buffer b;
    wire_buffer_init(&b);
    wire_set_acks(&b, 1, 1);
}

static void finish_without_begin(void *arg) {
    (void)arg;
    wire_buffer b;
    wire_buffer_init(&b);
    wire_finish(&b);
}

/* A BATCH of WIRE_MAX_FRAME + 1 bytes (the decoder would reject it):
 * wire_finish refuses it. */
static void encode_too_large(void *arg) {
    (void)arg;
    uint8_t *args = calloc(WIRE_MAX_ARGS, 1);
    wire_buffer b;
    wire_buffer_init(&b);
    size_t last_item;
    encode_batch_of_size(&b, (size_t)WIRE_MAX_FRAME + 1, args, &last_item);
}

static void ref_out_of_range(void *arg) {
    (void)arg;
    wire_item it = {0};
    it.ref_count = 2;
    wire_item_ref(&it, 2);
}

static void expect_fatal(void (*fn)(void *), void *arg, const char *message) {
    char out[512];
    int status = test_run_child(fn, arg, out, sizeof out);
    if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT))
        fail_msg("expected an abort with \"%s\"; status %d, output: %s", message, status, out);
    if (!strstr(out, message))
        fail_msg("expected \"%s\" in: %s", message, out);
}

static void test_encoder_misuse_is_fatal(void **state) {
    (void)state;
    expect_fatal(encode_bad_name, "has space", "name: character outside [A-Za-z0-9_.-]");
    expect_fatal(encode_bad_name, "", "name: empty");
    expect_fatal(encode_bad_name,
                 "a123456789b123456789c123456789d123456789e123456789f123456789g12345",
                 "name: longer than WIRE_MAX_NAME");
    expect_fatal(encode_bad_name, NULL, "name: empty");
    expect_fatal(encode_bad_lookup_name, "a/b",
                 "wire_put_lookup: invalid name \"a/b\": name: character outside");
    expect_fatal(encode_misaligned_ref, NULL,
                 "wire_batch_item: batch item: ref offset not 8-aligned");
    expect_fatal(encode_stage_ref, NULL, "ref kind not ALOX_REF_ACTOR");
    expect_fatal(encode_item_without_start, NULL, "wire_batch_item: wire_batch_start not called");
    expect_fatal(encode_wrong_kind, NULL,
                 "wire_put_hello: the frame begun with wire_begin is not of kind 1");
    expect_fatal(encode_unknown_kind, (void *)(uintptr_t)0, "wire_begin: unknown frame kind 0");
    expect_fatal(encode_unknown_kind, (void *)(uintptr_t)7, "wire_begin: unknown frame kind 7");
    expect_fatal(encode_bad_status, NULL, "wire_put_lookup_reply: unknown status 3");
    expect_fatal(ref_out_of_range, NULL, "wire_item_ref: ref 2 of an item with 2 refs");
    expect_fatal(finish_without_begin, NULL, "wire_finish: no frame begun with wire_begin");
}

static void test_set_acks_misuse_is_fatal(void **state) {
    (void)state;
    expect_fatal(set_bad_acks, &(acks){5, 6}, "wire_set_acks: processed 6 beyond received 5");
    expect_fatal(set_bad_acks, &(acks){0, 1}, "wire_set_acks: processed 1 beyond received 0");
    expect_fatal(set_bad_acks, &(acks){UINT64_MAX - 1, UINT64_MAX},
                 "wire_set_acks: processed 18446744073709551615 beyond received "
                 "18446744073709551614");
    expect_fatal(set_bad_acks, &(acks){0, UINT64_MAX}, "beyond received 0");
    expect_fatal(set_acks_without_begin, NULL, "wire_set_acks: no frame begun with wire_begin");

    /* The limit itself is fine, and the buffer is left as it was. */
    wire_buffer b;
    wire_buffer_init(&b);
    wire_begin(&b, WIRE_ACK, 1, 1, 1);
    wire_set_acks(&b, UINT64_MAX, UINT64_MAX);
    wire_set_acks(&b, 5, 5);
    wire_finish(&b);
    wire_frame out;
    assert_null(wire_decode_frame(b.data, b.size, &out));
    assert_int_equal(out.ack_received, 5);
    assert_int_equal(out.ack_processed, 5);
    wire_buffer_free(&b);
}

static void test_too_large_frame_is_fatal(void **state) {
    (void)state;
    expect_fatal(encode_too_large, NULL,
                 "wire_finish: frame of 67108865 bytes above WIRE_MAX_FRAME");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_round_trip_every_kind),
        cmocka_unit_test(test_hello_round_trip),
        cmocka_unit_test(test_small_frames_round_trip),
        cmocka_unit_test(test_set_acks_any_time),
        cmocka_unit_test(test_batch_round_trip_many_items),
        cmocka_unit_test(test_batch_limits_accepted),
        cmocka_unit_test(test_max_frame_rule),
        cmocka_unit_test(test_header_rules),
        cmocka_unit_test(test_ack_order_rule),
        cmocka_unit_test(test_fixed_body_rules),
        cmocka_unit_test(test_lookup_reply_status_rule),
        cmocka_unit_test(test_name_rules),
        cmocka_unit_test(test_check_name),
        cmocka_unit_test(test_batch_header_rules),
        cmocka_unit_test(test_batch_item_rules),
        cmocka_unit_test(test_batch_ref_rules),
        cmocka_unit_test(test_rules_apply_to_every_item),
        cmocka_unit_test(test_truncation_at_every_length),
        cmocka_unit_test(test_next_item_protocol),
        cmocka_unit_test(test_encoder_misuse_is_fatal),
        cmocka_unit_test(test_set_acks_misuse_is_fatal),
        cmocka_unit_test(test_too_large_frame_is_fatal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
