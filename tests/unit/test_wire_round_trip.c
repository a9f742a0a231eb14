/* The wire codec (runtime/wire.h): every frame kind round-trips with every
 * header field (sessions and acknowledgements included), batches up to
 * every limit, and WIRE_MAX_FRAME is the largest frame the decoder takes. */
#include "test_util.h"

#include "wire_frames.h"

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
            assert_int_equal(get_le(f.data + H_WITHHELD, 4), 0);
            assert_int_equal(get_le(f.data + H_FLAGS, 4), 0);

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
        'A',  'L',  'O',  'X',  4,    WIRE_HELLO, 0x08, 0x07, /* magic, version, kind, node */
        0x88, 0x77, 0x66, 0x55, 0x44, 0x33,       0x22, 0x11, /* sender_session */
        0x01, 0xff, 0xee, 0xdd, 0xcc, 0xbb,       0xaa, 0x99, /* receiver_session */
        0x08, 0x07, 0x06, 0x05, 0x04, 0x03,       0x02, 0x01, /* ack_received */
        0x00, 0x07, 0x06, 0x05, 0x04, 0x03,       0x02, 0x01, /* ack_processed */
        3,    0,    0,    0,    0,    0,          0,    0,    /* body_length, withheld_count */
        0,    0,    0,    0,                                  /* flags */
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

/* The withheld list and the flags word are independent: wire_set_withheld
 * writes the count and the list after the body, wire_set_flags its word; a
 * later wire_set_acks drops the list (it is relative to the acks) but
 * keeps the flags, wire_set_withheld replaces a list, and wire_begin
 * clears both. */
static void test_withheld_and_flags_words(void **state) {
    (void)state;
    wire_buffer b;
    wire_buffer_init(&b);
    wire_begin(&b, WIRE_PING, H.node, H.sender_session, H.receiver_session);
    wire_put_ping(&b, 99);
    wire_finish(&b);
    wire_set_acks(&b, 20, 10);
    wire_set_flags(&b, WIRE_FLAG_HOLD);
    wire_set_withheld(&b, (uint64_t[]){2, 8}, 2);
    assert_int_equal(b.size, WIRE_HEADER_SIZE + 8 + 8);
    assert_int_equal(get_le(b.data + H_BODY_LENGTH, 4), 8);
    assert_int_equal(get_le(b.data + H_WITHHELD, 4), 2);
    assert_int_equal(get_le(b.data + WIRE_HEADER_SIZE + 8, 4), 9); /* item 2 */
    assert_int_equal(get_le(b.data + WIRE_HEADER_SIZE + 12, 4), 3); /* item 8 */
    assert_int_equal(get_le(b.data + H_FLAGS, 4), WIRE_FLAG_HOLD);
    wire_frame out;
    assert_null(wire_decode_frame(b.data, b.size, &out));
    assert_int_equal(out.withheld_count, 2);
    assert_int_equal(wire_withheld(&out, 0), 2);
    assert_int_equal(wire_withheld(&out, 1), 8);
    assert_true(out.u.ping.token == 99);
    assert_int_equal(out.flags, WIRE_FLAG_HOLD);
    wire_set_acks(&b, 21, 11);
    assert_int_equal(b.size, WIRE_HEADER_SIZE + 8);
    assert_null(wire_decode_frame(b.data, b.size, &out));
    assert_int_equal(out.withheld_count, 0);
    assert_int_equal(out.flags, WIRE_FLAG_HOLD);
    wire_set_flags(&b, 0);
    wire_set_withheld(&b, (uint64_t[]){5}, 1);
    wire_set_withheld(&b, (uint64_t[]){11}, 1); /* replaces the list */
    assert_int_equal(b.size, WIRE_HEADER_SIZE + 8 + 4);
    assert_null(wire_decode_frame(b.data, b.size, &out));
    assert_int_equal(out.withheld_count, 1);
    assert_int_equal(wire_withheld(&out, 0), 11);
    assert_int_equal(out.flags, 0);
    wire_set_flags(&b, WIRE_FLAG_HOLD);
    wire_begin(&b, WIRE_ACK, H.node, H.sender_session, H.receiver_session);
    wire_finish(&b);
    assert_int_equal(b.size, WIRE_HEADER_SIZE);
    assert_int_equal(get_le(b.data + H_WITHHELD, 4), 0);
    assert_int_equal(get_le(b.data + H_FLAGS, 4), 0);
    wire_buffer_free(&b);
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
        if (i % 3 == 1) /* some items carry a trace id (ALOX_TRACE) */
            wire_batch_item_trace(&b, (1ull << 63) | i);
        if (i % 4 == 1) /* some a cause (net/peer.h), some of them a trace id too */
            wire_batch_item_caused(&b, (1ull << 62) | i);
        if (i % 5 == 2) /* some a root (net/causal.h), after whatever else they carry */
            wire_batch_item_root(&b, (uint16_t)(1 + i));
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
        assert_true(it.trace == (i % 3 == 1 ? (1ull << 63) | i : 0));
        assert_true(it.caused_by == (i % 4 == 1 ? (1ull << 62) | i : 0));
        assert_int_equal(it.root, i % 5 == 2 ? 1 + i : 0);
        assert_int_equal((it.flags & WIRE_ITEM_ROOT) != 0, i % 5 == 2);
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

/* A copy of the batch in b (from encode_batch_of_size, wire_frames.h) with
 * its last item's args one byte longer. */
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_round_trip_every_kind),
        cmocka_unit_test(test_hello_round_trip),
        cmocka_unit_test(test_small_frames_round_trip),
        cmocka_unit_test(test_set_acks_any_time),
        cmocka_unit_test(test_withheld_and_flags_words),
        cmocka_unit_test(test_batch_round_trip_many_items),
        cmocka_unit_test(test_batch_limits_accepted),
        cmocka_unit_test(test_max_frame_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
