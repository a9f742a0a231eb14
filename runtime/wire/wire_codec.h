/*
 * wire_codec.h - what the two halves of the wire codec share (wire.h is the
 * format): little-endian loads and stores, a bounded reader, the growable
 * buffer's append, and the rules both the decoder (which reports) and the
 * encoder (which treats misuse as fatal) apply. wire_frame.c holds the
 * header and the bodies of the control frames, wire_item.c the BATCH body.
 *
 * Thread-safety: pure functions over caller-owned buffers.
 */
#ifndef ALOX_WIRE_CODEC_H
#define ALOX_WIRE_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* Byte by byte: no alignment assumed. */
static inline uint64_t wire_load_le(const uint8_t *p, unsigned bytes) {
    uint64_t v = 0;
    for (unsigned i = bytes; i-- > 0;)
        v = (v << 8) | p[i];
    return v;
}

static inline void wire_store_le(uint8_t *p, uint64_t v, unsigned bytes) {
    for (unsigned i = 0; i < bytes; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

/* A bounded view of the frame; reads fail (and leave *v alone) when fewer
 * bytes remain than asked for. */
typedef struct wire_reader {
    const uint8_t *p;
    size_t left;
} wire_reader;

static inline bool wire_read_le(wire_reader *r, uint64_t *v, unsigned bytes) {
    if (r->left < bytes)
        return false;
    *v = wire_load_le(r->p, bytes);
    r->p += bytes;
    r->left -= bytes;
    return true;
}

static inline bool wire_read_u32(wire_reader *r, uint32_t *v) {
    uint64_t x;
    return wire_read_le(r, &x, 4) && (*v = (uint32_t)x, true);
}

/* Room for n more bytes at the end of b; returns where they go. */
uint8_t *wire_grow(wire_buffer *b, size_t n);

static inline void wire_put_le(wire_buffer *b, uint64_t v, unsigned bytes) {
    wire_store_le(wire_grow(b, bytes), v, bytes);
}

/* Fatal unless b holds a begun frame of this kind (fn names the caller). */
void wire_expect_kind(const wire_buffer *b, uint8_t kind, const char *fn);

/* BATCH bodies (wire_item.c): validates the body after the header. */
const char *wire_decode_batch(wire_reader *r, wire_frame *f);

#endif
