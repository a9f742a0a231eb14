/* wire_frames.h - what the wire codec tests (test_wire_*.c) share: valid
 * frames built with the encoder, the offsets of the fields to break in
 * them, and the checks that decode a frame and compare. */
#ifndef ALOX_WIRE_FRAMES_H
#define ALOX_WIRE_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "wire/wire.h"

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
    H_WITHHELD = 44,
    H_FLAGS = 48
};

/* The header fields an encoder is given. */
typedef struct header_values {
    uint16_t node;
    uint64_t sender_session, receiver_session, received, processed;
} header_values;

/* The header of the frames the rule tests start from: every field distinct
 * and with bytes in every position. */
extern const header_values H;

/* A frame copied out of an encoder, to corrupt. */
typedef struct frame_bytes {
    uint8_t data[512];
    size_t size;
} frame_bytes;

/* Writes v as a little-endian field of `bytes` bytes at p (to break a field). */
void set_le(uint8_t *p, uint64_t v, unsigned bytes);
/* Reads the little-endian field of `bytes` bytes at p (to check the layout). */
uint64_t get_le(const uint8_t *p, unsigned bytes);
/* The frame encoded in b, copied into a frame_bytes to corrupt. */
frame_bytes copy_out(const wire_buffer *b);
/* Makes body_length agree with f->size, after a cut or an append. */
void fix_body_length(frame_bytes *f);
/* Appends n zero bytes to the body (and counts them in body_length). */
void append_bytes(frame_bytes *f, size_t n);
/* Appends one zero byte to the body: a frame one byte too long. */
void append_byte(frame_bytes *f);
/* The decoder's verdict on f, decoded in place: NULL or the error string. */
const char *decode(const frame_bytes *f);
/* Decodes an exact-size heap copy (ASan sees overreads); out points into *copy: free it. */
const char *decode_kept(const uint8_t *data, size_t size, wire_frame *out, uint8_t **copy);
/* decode_kept for the verdict only: the copy is freed, out's body pointers must not be followed. */
const char *decode_exact(const uint8_t *data, size_t size, wire_frame *out);
/* Fails unless the decoder rejects f with exactly this error string. */
void expect_error(const frame_bytes *f, const char *error);
/* Fails unless the decoder accepts f. */
void expect_valid(const frame_bytes *f);
/* wire_begin and wire_set_acks with the fields of h: starts a frame of kind in b. */
void begin(wire_buffer *b, uint8_t kind, const header_values *h);
/* Fails unless the decoded frame out has this kind and the header fields of h. */
void expect_header(const wire_frame *out, uint8_t kind, const header_values *h);

/* Valid frames. */

/* A HELLO with header H and this name. */
frame_bytes hello_frame(const char *name);
/* Puts the sample body of kind into b (after begin): the body encode_kind gives. */
void put_sample_body(wire_buffer *b, uint8_t kind);
/* The size in bytes of the sample body of kind. */
size_t sample_body_size(uint8_t kind);
/* Fails unless out (decoded) carries the sample body of kind. */
void expect_sample_body(const wire_frame *out, uint8_t kind);
/* A frame of kind with header h and the sample body. */
frame_bytes encode_kind(uint8_t kind, const header_values *h);
/* A frame of kind with header H and the sample body: what the rule tests break. */
frame_bytes simple_frame(uint8_t kind);

/* Every frame kind, to run a check over all of them. */
extern const uint8_t all_kinds[10];
#define N_KINDS (sizeof all_kinds / sizeof *all_kinds)

/* The batch the corruption tests start from: one SEND item, 24 bytes of
 * args, refs at offsets 0 and 16. Offsets in the frame: */
enum {
    B_FIRST_SEQ = WIRE_HEADER_SIZE,
    B_COUNT = WIRE_HEADER_SIZE + 8,
    B_ITEM = WIRE_HEADER_SIZE + 12,
    B_OP = WIRE_HEADER_SIZE + 16,
    B_FLAGS = WIRE_HEADER_SIZE + 17,
    B_REF_COUNT = WIRE_HEADER_SIZE + 18,
    B_ARGS_SIZE = WIRE_HEADER_SIZE + 20,
    B_SIGNATURE = WIRE_HEADER_SIZE + 48,
    B_ARGS = WIRE_HEADER_SIZE + 56,
    B_REF0 = WIRE_HEADER_SIZE + 80,
    B_REF1 = WIRE_HEADER_SIZE + 112,
    B_SIZE = WIRE_HEADER_SIZE + 144
};

/* That batch (header H) with op as its item's op, checked to be B_SIZE bytes and valid. */
frame_bytes batch_frame(uint8_t op);
/* Encodes into b a valid BATCH (header H) of exactly size bytes; *last_item: its last item. */
void encode_batch_of_size(wire_buffer *b, size_t size, const uint8_t *args, size_t *last_item);

#endif
