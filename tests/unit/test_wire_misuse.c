/* The wire codec (runtime/wire.h): misuse of the encoder (a bad name, ref,
 * kind, status or acknowledgements, a call out of order, a frame above
 * WIRE_MAX_FRAME) is fatal, with the reason. */
#include "test_util.h"

#include <signal.h>

#include "wire_frames.h"

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

/* A batch of one item with 16 bytes of args and the one reference given. */
static void encode_item_with_ref(wire_ref ref) {
    uint8_t args[16] = {0};
    wire_buffer b;
    wire_buffer_init(&b);
    wire_begin(&b, WIRE_BATCH, 1, 1, 1);
    wire_batch_start(&b, 1);
    wire_batch_item(&b, WIRE_OP_SEND, 1, 2, 3, 4, args, 16, &ref, 1);
}

static void encode_misaligned_ref(void *arg) {
    (void)arg;
    encode_item_with_ref((wire_ref){4, ALOX_REF_ACTOR, 1, 1, 1});
}

static void encode_stage_ref(void *arg) {
    (void)arg;
    encode_item_with_ref((wire_ref){8, ALOX_REF_STAGE, 1, 1, 0});
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

/* wire_set_withheld misuse: mode 0 before wire_finish, 1 an item beyond
 * processed, 2 items out of order, 3 a body append after the list. */
static void bad_withheld(void *arg) {
    int mode = (int)(uintptr_t)arg;
    wire_buffer b;
    wire_buffer_init(&b);
    wire_begin(&b, WIRE_ADDRESSES, 1, 1, 1);
    wire_set_acks(&b, 9, 9);
    if (mode != 0)
        wire_finish(&b);
    uint64_t seqs[2][2] = {{3, 10}, {5, 4}};
    wire_set_withheld(&b, mode == 2 ? seqs[1] : seqs[0], mode == 1 ? 2 : mode == 2 ? 2 : 1);
    if (mode == 3)
        wire_put_address(&b, "a", "tcp://h:1");
}

/* A tail field out of order: a root then a cause; or a root of 0. */
static void bad_tail(void *arg) {
    wire_buffer b;
    wire_buffer_init(&b);
    wire_begin(&b, WIRE_BATCH, 1, 1, 1);
    wire_batch_start(&b, 1);
    wire_batch_item(&b, WIRE_OP_SEND, 1, 0, 1, 1, NULL, 0, NULL, 0);
    if (arg) {
        wire_batch_item_root(&b, 7);
        wire_batch_item_caused(&b, 3);
    } else {
        wire_batch_item_root(&b, 0);
    }
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
    expect_fatal(encode_unknown_kind, (void *)(uintptr_t)99, "wire_begin: unknown frame kind 99");
    expect_fatal(encode_bad_status, NULL, "wire_put_lookup_reply: unknown status 3");
    expect_fatal(ref_out_of_range, NULL, "wire_item_ref: ref 2 of an item with 2 refs");
    expect_fatal(finish_without_begin, NULL, "wire_finish: no frame begun with wire_begin");
    expect_fatal(bad_withheld, (void *)(uintptr_t)0,
                 "wire_set_withheld: no frame finished with wire_finish");
    expect_fatal(bad_withheld, (void *)(uintptr_t)1,
                 "wire_set_withheld: an item not within reach of processed (processed 9)");
    expect_fatal(bad_withheld, (void *)(uintptr_t)2,
                 "wire_set_withheld: items not in increasing order");
    expect_fatal(bad_withheld, (void *)(uintptr_t)3,
                 "wire buffer: the body grew after wire_set_withheld");
    expect_fatal(bad_tail, "order",
                 "wire_batch_item_caused: no item to add it to, in the tail's order");
    expect_fatal(bad_tail, NULL,
                 "wire_batch_item_root: no item to add it to, in the tail's order (or a value of 0)");
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
        cmocka_unit_test(test_encoder_misuse_is_fatal),
        cmocka_unit_test(test_set_acks_misuse_is_fatal),
        cmocka_unit_test(test_too_large_frame_is_fatal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
