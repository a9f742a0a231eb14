/* The wire codec (runtime/wire.h): every validation rule of the decoder
 * rejects a frame broken in exactly that field, with its own error string
 * and without reading outside the buffer. The header and the fixed-size
 * frames; BATCH frames and their items are in test_wire_batch_rules.c. */
#include "test_util.h"

#include "wire_frames.h"

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
    f.data[H_VERSION] = 1; /* before WIRE_ITEM_CAUSED */
    expect_error(&f, "frame: unsupported version");
    f.data[H_VERSION] = 2; /* before the header's ack_withheld and flags */
    expect_error(&f, "frame: unsupported version");
    f.data[H_VERSION] = 3; /* before the withheld list and WIRE_ITEM_ROOT */
    expect_error(&f, "frame: unsupported version");
    f.data[H_VERSION] = WIRE_VERSION + 1;
    expect_error(&f, "frame: unsupported version");
    f.data[H_VERSION] = 0;
    expect_error(&f, "frame: unsupported version");
    uint8_t unknown_kinds[] = {0, WIRE_PONG + 1, 255};
    for (size_t i = 0; i < sizeof unknown_kinds; i++) {
        f = simple_frame(WIRE_HEARTBEAT);
        f.data[H_KIND] = unknown_kinds[i];
        expect_error(&f, "frame: unknown kind");
    }
    for (unsigned at = H_FLAGS; at < H_FLAGS + 4; at++) {
        f = simple_frame(WIRE_HEARTBEAT);
        f.data[at] = at == H_FLAGS ? 2 : 1; /* bit 0 of the first byte is WIRE_FLAG_HOLD */
        expect_error(&f, "frame: unknown header flag");
        f.data[at] = 0x80;
        expect_error(&f, "frame: unknown header flag");
    }
    f = simple_frame(WIRE_HEARTBEAT);
    f.data[H_FLAGS] = WIRE_FLAG_HOLD;
    expect_valid(&f);
    /* The withheld list follows the body: distances back from
     * ack_processed, each naming a processed item, the items increasing. */
    f = simple_frame(WIRE_HEARTBEAT);
    set_le(f.data + H_ACK_RECEIVED, 9, 8);
    set_le(f.data + H_ACK_PROCESSED, 7, 8);
    set_le(f.data + H_WITHHELD, 1, 4);
    expect_error(&f, "frame: body_length does not match the frame size"); /* no list */
    f.size += 4;
    set_le(f.data + WIRE_HEADER_SIZE, 8, 4);
    expect_error(&f, "frame: withheld item not within ack_processed"); /* item 0 */
    set_le(f.data + WIRE_HEADER_SIZE, 0, 4);
    expect_error(&f, "frame: withheld item not within ack_processed"); /* item 8 */
    set_le(f.data + WIRE_HEADER_SIZE, 7, 4);
    wire_frame ok;
    assert_null(wire_decode_frame(f.data, f.size, &ok));
    assert_int_equal(ok.withheld_count, 1);
    assert_int_equal(wire_withheld(&ok, 0), 1);
    set_le(f.data + WIRE_HEADER_SIZE, 1, 4);
    assert_null(wire_decode_frame(f.data, f.size, &ok));
    assert_int_equal(wire_withheld(&ok, 0), 7);
    /* Two: items 2 and 7 (distances 6, 1); not 7 then 2, nor 7 twice. */
    set_le(f.data + H_WITHHELD, 2, 4);
    set_le(f.data + WIRE_HEADER_SIZE, 6, 4);
    set_le(f.data + WIRE_HEADER_SIZE + 4, 1, 4);
    f.size += 4;
    assert_null(wire_decode_frame(f.data, f.size, &ok));
    assert_int_equal(ok.withheld_count, 2);
    assert_int_equal(wire_withheld(&ok, 0), 2);
    assert_int_equal(wire_withheld(&ok, 1), 7);
    set_le(f.data + WIRE_HEADER_SIZE, 1, 4);
    set_le(f.data + WIRE_HEADER_SIZE + 4, 6, 4);
    expect_error(&f, "frame: withheld items not in increasing order");
    set_le(f.data + WIRE_HEADER_SIZE + 4, 1, 4);
    expect_error(&f, "frame: withheld items not in increasing order");
    set_le(f.data + WIRE_HEADER_SIZE, 6, 4);
    /* Both header words at once: a held frame that withholds items. */
    f.data[H_FLAGS] = WIRE_FLAG_HOLD;
    assert_null(wire_decode_frame(f.data, f.size, &ok));
    assert_int_equal(ok.withheld_count, 2);
    assert_int_equal(ok.flags, WIRE_FLAG_HOLD);
    f.data[H_FLAGS] = 2;
    expect_error(&f, "frame: unknown header flag");
    f.data[H_FLAGS] = 0;
    set_le(f.data + H_WITHHELD, WIRE_MAX_WITHHELD + 1, 4);
    expect_error(&f, "frame: withheld count above WIRE_MAX_WITHHELD");
    /* A list on a frame with a body: after the body, not in it. */
    f = simple_frame(WIRE_PING);
    set_le(f.data + H_ACK_PROCESSED, 1, 8);
    set_le(f.data + H_ACK_RECEIVED, 1, 8);
    set_le(f.data + H_WITHHELD, 1, 4);
    set_le(f.data + f.size, 1, 4);
    f.size += 4;
    assert_null(wire_decode_frame(f.data, f.size, &ok));
    assert_int_equal(wire_withheld(&ok, 0), 1);
    set_le(f.data + H_BODY_LENGTH, 12, 4); /* the list read as body */
    expect_error(&f, "frame: body_length does not match the frame size");
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
    /* HELLO: u16 length at 52, name at 54; LOOKUP: length at 68, name at 70. */
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_rules),
        cmocka_unit_test(test_ack_order_rule),
        cmocka_unit_test(test_fixed_body_rules),
        cmocka_unit_test(test_lookup_reply_status_rule),
        cmocka_unit_test(test_name_rules),
        cmocka_unit_test(test_check_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
