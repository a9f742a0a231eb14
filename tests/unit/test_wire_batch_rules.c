/* The wire codec (runtime/wire.h), BATCH frames: every validation rule of
 * a batch's header and of its items rejects a frame broken in exactly that
 * field, with its own error string and without reading outside the buffer;
 * the header and the other frames are in test_wire_rules.c. */
#include "test_util.h"

#include "wire_frames.h"

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
    expect_error(&f, "batch item: unknown flags");
    f.data[B_FLAGS] = 8;
    expect_error(&f, "batch item: unknown flags");
    f.data[B_FLAGS] = WIRE_ITEM_ROOT; /* without the 2 bytes of its root */
    expect_error(&f, "batch item: item_length does not match args_size and ref_count");
    f.data[B_FLAGS] = WIRE_ITEM_TRACED; /* without the 8 bytes of its trace id */
    expect_error(&f, "batch item: item_length does not match args_size and ref_count");
    f.data[B_FLAGS] = WIRE_ITEM_CAUSED; /* without the 8 bytes of its caused_by */
    expect_error(&f, "batch item: item_length does not match args_size and ref_count");

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

/* A caused item (WIRE_ITEM_CAUSED) carries a caused_by that is not 0,
 * after the trace id when it has both. */
static frame_bytes caused_frame(bool traced, uint64_t caused_by) {
    uint8_t args[8] = {0};
    wire_buffer b;
    wire_buffer_init(&b);
    begin(&b, WIRE_BATCH, &H);
    wire_batch_start(&b, 100);
    wire_batch_item(&b, WIRE_OP_SEND, 11, 0, 13, 14, args, sizeof args, NULL, 0);
    if (traced)
        wire_batch_item_trace(&b, 77);
    wire_batch_item_caused(&b, caused_by);
    wire_finish(&b);
    frame_bytes f = copy_out(&b);
    wire_buffer_free(&b);
    return f;
}

static void test_caused_item_rules(void **state) {
    (void)state;
    for (int traced = 0; traced < 2; traced++) {
        frame_bytes f = caused_frame(traced, 99);
        wire_frame out;
        assert_null(wire_decode_frame(f.data, f.size, &out));
        const uint8_t *cursor = out.u.batch.items;
        uint32_t index = 0;
        wire_item it;
        assert_true(wire_next_item(&out, &cursor, &index, &it));
        assert_int_equal(it.caused_by, 99);
        assert_int_equal(it.trace, traced ? 77 : 0);
        set_le(f.data + f.size - 8, 0, 8); /* the flag with a cause of 0 */
        expect_error(&f, "batch item: caused flag with a caused_by of 0");
    }
}

/* A rooted item (WIRE_ITEM_ROOT) carries a u16 root that is not 0, last
 * in its tail, after the trace id and the cause. */
static void test_rooted_item_rules(void **state) {
    (void)state;
    for (int tail = 0; tail < 4; tail++) {
        bool traced = tail & 1, caused = tail & 2;
        uint8_t args[8] = {0};
        wire_buffer b;
        wire_buffer_init(&b);
        begin(&b, WIRE_BATCH, &H);
        wire_batch_start(&b, 100);
        wire_batch_item(&b, WIRE_OP_SEND, 11, 0, 13, 14, args, sizeof args, NULL, 0);
        if (traced)
            wire_batch_item_trace(&b, 77);
        if (caused)
            wire_batch_item_caused(&b, 88);
        wire_batch_item_root(&b, 0xbeef);
        wire_finish(&b);
        frame_bytes f = copy_out(&b);
        wire_buffer_free(&b);
        wire_frame out;
        assert_null(wire_decode_frame(f.data, f.size, &out));
        const uint8_t *cursor = out.u.batch.items;
        uint32_t index = 0;
        wire_item it;
        assert_true(wire_next_item(&out, &cursor, &index, &it));
        assert_int_equal(it.root, 0xbeef);
        assert_int_equal(it.trace, traced ? 77 : 0);
        assert_int_equal(it.caused_by, caused ? 88 : 0);
        assert_int_equal(get_le(f.data + f.size - 2, 2), 0xbeef); /* last */
        set_le(f.data + f.size - 2, 0, 2); /* the flag with a root of 0 */
        expect_error(&f, "batch item: root flag with a root of 0");
    }
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
    g.data[B_FLAGS + item] = 8;
    expect_error(&g, "batch item: unknown flags");
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_header_rules),
        cmocka_unit_test(test_batch_item_rules),
        cmocka_unit_test(test_batch_ref_rules),
        cmocka_unit_test(test_caused_item_rules),
        cmocka_unit_test(test_rooted_item_rules),
        cmocka_unit_test(test_rules_apply_to_every_item),
        cmocka_unit_test(test_truncation_at_every_length),
        cmocka_unit_test(test_next_item_protocol),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
