/* Writes the seed corpus of fuzz_wire: small valid frames of every kind and
 * near-valid ones (one field broken), one binary file each.
 *
 *     wire_make_corpus tests/fuzz/corpus/wire
 *
 * Built with the project (target wire_make_corpus); run it by hand when the
 * format changes, and commit the files. Crashing inputs found by fuzzing
 * are added to the same directory under their libFuzzer names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alox/abi.h"
#include "wire/wire.h"

static const char *dir;

static void write_file(const char *name, const uint8_t *data, size_t size) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* Writes b, with byte `at` set to `value` if at >= 0, cut to its first
 * `cut` bytes if cut > 0; b itself is left as it was. */
static void emit(const char *name, const wire_buffer *b, long at, uint8_t value, size_t cut) {
    uint8_t *copy = malloc(b->size);
    if (!copy)
        abort();
    memcpy(copy, b->data, b->size);
    if (at >= 0 && (size_t)at < b->size)
        copy[at] = value;
    write_file(name, copy, cut && cut < b->size ? cut : b->size);
    free(copy);
}

static void store_le(uint8_t *p, uint64_t v, unsigned bytes) {
    for (unsigned i = 0; i < bytes; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

/* Writes b with the little-endian field of `bytes` bytes at `at` set to value. */
static void emit_field(const char *name, const wire_buffer *b, size_t at, uint64_t value,
                       unsigned bytes) {
    uint8_t *copy = malloc(b->size);
    if (!copy || at + bytes > b->size)
        abort();
    memcpy(copy, b->data, b->size);
    store_le(copy + at, value, bytes);
    write_file(name, copy, b->size);
    free(copy);
}

/* Writes b with `extra` more body bytes (0x5a), counted in body_length. */
static void emit_appended(const char *name, const wire_buffer *b, size_t extra) {
    uint8_t *copy = malloc(b->size + extra);
    if (!copy)
        abort();
    memcpy(copy, b->data, b->size);
    memset(copy + b->size, 0x5a, extra);
    store_le(copy + 40, b->size + extra - WIRE_HEADER_SIZE, 4);
    write_file(name, copy, b->size + extra);
    free(copy);
}

static void batch(wire_buffer *b, int items, int refs) {
    uint8_t args[48];
    wire_ref table[3];
    for (int i = 0; i < (int)sizeof args; i++)
        args[i] = (uint8_t)(i * 7 + 1);
    for (int r = 0; r < 3; r++)
        table[r] = (wire_ref){(uint32_t)(8 + 16 * r), ALOX_REF_ACTOR, 0x0002000000000100ull + r, 77,
                              0x51ed270b27a1c0deull};
    wire_begin(b, WIRE_BATCH, 2, 0x1234567890abcdefull, 0x0fedcba987654321ull);
    wire_set_acks(b, 17, 12);
    wire_batch_start(b, 41);
    for (int i = 0; i < items; i++) {
        uint8_t op = i % 3 == 2 ? WIRE_OP_SPAWN : WIRE_OP_SEND;
        wire_batch_item(b, op, 0x0001000000000001ull + i, i ? 0x0002000000000007ull : 0,
                        0x9e3779b97f4a7c15ull ^ i, op == WIRE_OP_SEND ? 0xc2b2ae3d27d4eb4full : 0,
                        args, (uint32_t)(i % 2 ? 48 : 8 * i), table, (uint16_t)(i % 2 ? refs : 0));
    }
    wire_finish(b);
}

/* Header offsets (wire.h). */
enum {
    H_KIND = 5,
    H_ACK_RECEIVED = 24,
    H_ACK_PROCESSED = 32,
    H_BODY_LENGTH = 40,
    H_WITHHELD = 44,
    H_FLAGS = 48,
    B_COUNT = WIRE_HEADER_SIZE + 8,
    B_ITEM0 = WIRE_HEADER_SIZE + 12
};

/* A HELLO in the format before sessions (24-byte header: magic, version,
 * kind, node, u64 incarnation, body_length, reserved), as a node not yet
 * upgraded would send it. Long enough to be read as a 52-byte header. */
static void old_format_hello(void) {
    static const char name[] = "an-old-node-with-a-long-name";
    uint8_t frame[24 + 2 + sizeof name - 1];
    store_le(frame, WIRE_MAGIC, 4);
    frame[4] = 1;
    frame[5] = WIRE_HELLO;
    store_le(frame + 6, 1, 2);
    store_le(frame + 8, 0x1122334455667788ull, 8);
    store_le(frame + 16, sizeof frame - 24, 4);
    store_le(frame + 20, 0, 4);
    store_le(frame + 24, sizeof name - 1, 2);
    memcpy(frame + 26, name, sizeof name - 1);
    write_file("near-old-format-hello", frame, sizeof frame);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    wire_buffer b;
    wire_buffer_init(&b);

    /* The first HELLO: the peer's session is not known yet. */
    wire_begin(&b, WIRE_HELLO, 1, 0xa5a5a5a5a5a5a5a5ull, 0);
    wire_put_hello(&b, "node-a.local_1");
    wire_finish(&b);
    emit("valid-hello", &b, -1, 0, 0);
    emit("near-hello-bad-char", &b, WIRE_HEADER_SIZE + 2 + 4, ' ', 0);
    emit("near-hello-name-length", &b, WIRE_HEADER_SIZE, 15, 0);
    emit_appended("near-hello-trailing", &b, 1);
    /* A HELLO again, both sessions known, acknowledgements under way. */
    wire_begin(&b, WIRE_HELLO, 2, 0x0123456789abcdefull, 0xa5a5a5a5a5a5a5a5ull);
    wire_set_acks(&b, 300, 299);
    wire_put_hello(&b, "B");
    wire_finish(&b);
    emit("valid-hello-known", &b, -1, 0, 0);

    wire_begin(&b, WIRE_HEARTBEAT, 1, 7, 8);
    wire_set_acks(&b, 41, 40);
    wire_finish(&b);
    emit("valid-heartbeat", &b, -1, 0, 0);
    emit("near-bad-magic", &b, 0, 'a', 0);
    emit("near-bad-version", &b, 4, 2, 0);
    emit("near-unknown-kind", &b, H_KIND, 7, 0);
    emit("near-reserved-set", &b, H_FLAGS + 2, 1, 0);
    emit("valid-heartbeat-hold", &b, H_FLAGS, WIRE_FLAG_HOLD, 0);
    emit("near-unknown-flag", &b, H_FLAGS, 2, 0);
    emit_field("near-withheld-count", &b, H_WITHHELD, 1, 4); /* a list the frame lacks */
    emit("near-short-header", &b, -1, 0, WIRE_HEADER_SIZE - 1);
    emit_appended("near-heartbeat-body", &b, 1);
    wire_set_withheld(&b, (uint64_t[]){40}, 1); /* d = 1: item 40 */
    emit("valid-heartbeat-withheld", &b, -1, 0, 0);
    emit_field("near-withheld-beyond", &b, WIRE_HEADER_SIZE, 41, 4); /* item 0: none such */
    emit_field("near-withheld-zero", &b, WIRE_HEADER_SIZE, 0, 4);    /* item 41: not processed */
    wire_set_withheld(&b, (uint64_t[]){3, 38, 40}, 3);
    wire_set_flags(&b, WIRE_FLAG_HOLD);
    emit("valid-heartbeat-hold-withheld", &b, -1, 0, 0);
    emit_field("near-withheld-order", &b, WIRE_HEADER_SIZE + 4, 40, 4); /* 3, 1, 40 */
    emit("near-withheld-cut", &b, -1, 0, b.size - 4);

    wire_begin(&b, WIRE_ACK, 1, 7, 8);
    wire_set_acks(&b, 1000, 990);
    wire_finish(&b);
    emit("valid-ack", &b, -1, 0, 0);
    emit("near-ack-body-length", &b, H_BODY_LENGTH, 9, 0);
    emit_appended("near-ack-with-body", &b, 8); /* the body of the old ACK */
    emit_field("near-ack-processed-beyond", &b, H_ACK_PROCESSED, 1001, 8);
    emit_field("near-ack-processed-high-byte", &b, H_ACK_PROCESSED + 7, 1, 1);
    wire_set_acks(&b, UINT64_MAX, UINT64_MAX);
    emit("valid-ack-max", &b, -1, 0, 0);
    emit("near-ack-max-received-lower", &b, H_ACK_RECEIVED, 0xfe, 0);

    wire_begin(&b, WIRE_LOOKUP, 3, 9, 10);
    wire_set_acks(&b, 5, 5);
    wire_put_lookup(&b, 12, 0x51ed270b27a1c0deull, "echo");
    wire_finish(&b);
    emit("valid-lookup", &b, -1, 0, 0);
    emit("near-lookup-bad-char", &b, WIRE_HEADER_SIZE + 16 + 2, '/', 0);

    wire_begin(&b, WIRE_LOOKUP_REPLY, 2, 10, 9);
    wire_set_acks(&b, 6, 0);
    wire_put_lookup_reply(&b, 12, WIRE_LOOKUP_FOUND, 0x0002000000000005ull, 0x51ed270b27a1c0deull);
    wire_finish(&b);
    emit("valid-lookup-reply", &b, -1, 0, 0);
    emit("near-lookup-reply-status", &b, WIRE_HEADER_SIZE + 8, 3, 0);

    batch(&b, 0, 0);
    emit("valid-batch-empty", &b, -1, 0, 0);
    batch(&b, 1, 0);
    emit("valid-batch-one", &b, -1, 0, 0);
    batch(&b, 4, 3);
    emit("valid-batch-refs", &b, -1, 0, 0);
    emit("near-batch-truncated", &b, -1, 0, b.size - 5);
    /* Item 0 (no args) is 44 bytes; item 1 has refs: its first ref follows
     * its 4 + 40 fixed bytes and 48 of args. */
    size_t item1 = B_ITEM0 + 4 + 40, ref0 = item1 + 4 + 40 + 48;
    emit("near-batch-ref-misaligned", &b, (long)ref0, 12, 0);
    emit("near-batch-ref-stage", &b, (long)ref0 + 4, ALOX_REF_STAGE, 0);
    emit("near-batch-slot-not-zero", &b, (long)(item1 + 4 + 40 + 8), 1, 0);
    emit("near-batch-flags", &b, B_ITEM0 + 4 + 1, 1, 0);
    emit("near-batch-processed-beyond", &b, H_ACK_PROCESSED, 18, 0);
    batch(&b, 2, 1);
    emit("near-batch-count", &b, B_COUNT, 3, 0);

    /* Items with a trace id and a cause (WIRE_ITEM_CAUSED), the last one
     * both: the cause follows the trace id. */
    wire_begin(&b, WIRE_BATCH, 2, 0x1234567890abcdefull, 0x0fedcba987654321ull);
    wire_batch_start(&b, 5);
    wire_batch_item(&b, WIRE_OP_SEND, 0x0001000000000001ull, 0, 3, 4, NULL, 0, NULL, 0);
    wire_batch_item_caused(&b, 9);
    wire_batch_item(&b, WIRE_OP_SEND, 0x0001000000000001ull, 0, 3, 4, NULL, 0, NULL, 0);
    wire_batch_item_trace(&b, 0x77);
    wire_batch_item_caused(&b, 10);
    wire_finish(&b);
    emit("valid-batch-caused", &b, -1, 0, 0);
    emit("near-batch-caused-zero", &b, (long)(b.size - 8), 0, 0);
    /* Items naming their root (WIRE_ITEM_ROOT), after the trace id and cause. */
    wire_begin(&b, WIRE_BATCH, 2, 0x1234567890abcdefull, 0x0fedcba987654321ull);
    wire_batch_start(&b, 7);
    wire_batch_item(&b, WIRE_OP_SEND, 0x0001000000000001ull, 0, 3, 4, NULL, 0, NULL, 0);
    wire_batch_item_root(&b, 0x1234);
    wire_batch_item(&b, WIRE_OP_SEND, 0x0001000000000001ull, 0, 3, 4, NULL, 0, NULL, 0);
    wire_batch_item_trace(&b, 0x77);
    wire_batch_item_caused(&b, 10);
    wire_batch_item_root(&b, 1);
    wire_finish(&b);
    wire_set_acks(&b, 9, 9);
    wire_set_withheld(&b, (uint64_t[]){9}, 1);
    emit("valid-batch-rooted", &b, -1, 0, 0);
    emit_field("near-batch-root-zero", &b, b.size - 6, 0, 2);

    for (uint8_t kind = WIRE_PING; kind <= WIRE_PONG; kind++) {
        wire_begin(&b, kind, 1, 7, 8);
        wire_put_ping(&b, 0x1122334455667788ull);
        wire_finish(&b);
        emit(kind == WIRE_PING ? "valid-ping" : "valid-pong", &b, -1, 0, 0);
    }
    emit("near-pong-short", &b, -1, 0, b.size - 1);

    old_format_hello();

    wire_buffer_free(&b);
    return 0;
}
