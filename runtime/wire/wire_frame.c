/* wire_frame.c - frames: the header (acknowledgements, the withheld list,
 * flags) and the bodies of every kind but BATCH, whose items are
 * wire_item.c's. wire.h is the format. */
#include "wire_codec.h"

#include <stdlib.h>
#include <string.h>

#include "support/platform.h"

static bool read_u8(wire_reader *r, uint8_t *v) {
    uint64_t x;
    return wire_read_le(r, &x, 1) && (*v = (uint8_t)x, true);
}
static bool read_u16(wire_reader *r, uint16_t *v) {
    uint64_t x;
    return wire_read_le(r, &x, 2) && (*v = (uint16_t)x, true);
}
static bool read_u64(wire_reader *r, uint64_t *v) { return wire_read_le(r, v, 8); }

/* --- Rules shared by the decoder (reported) and the encoder (fatal misuse). --- */
static bool name_char_ok(uint8_t c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

static const char *check_name(const uint8_t *name, size_t length) {
    if (length == 0)
        return "name: empty";
    if (length > WIRE_MAX_NAME)
        return "name: longer than WIRE_MAX_NAME";
    for (size_t i = 0; i < length; i++)
        if (!name_char_ok(name[i]))
            return "name: character outside [A-Za-z0-9_.-]";
    return NULL;
}

static bool kind_known(uint8_t kind) { return kind >= WIRE_HELLO && kind <= WIRE_PONG; }

static bool endpoint_char_ok(uint8_t c) { return c > ' ' && c <= '~'; }

/* --- Decoding. --- */
static const char *read_name(wire_reader *r, char out[WIRE_MAX_NAME + 1]) {
    uint16_t length;
    if (!read_u16(r, &length))
        return "name: truncated length";
    if (length > r->left)
        return "name: longer than the body";
    const char *err = check_name(r->p, length);
    if (err)
        return err;
    memcpy(out, r->p, length);
    out[length] = '\0';
    r->p += length;
    r->left -= length;
    return NULL;
}

static const char *read_endpoint(wire_reader *r, char out[WIRE_MAX_ENDPOINT + 1]) {
    uint16_t length;
    if (!read_u16(r, &length))
        return "addresses: truncated endpoint length";
    if (length == 0 || length > WIRE_MAX_ENDPOINT)
        return "addresses: endpoint length not in 1..WIRE_MAX_ENDPOINT";
    if (length > r->left)
        return "addresses: endpoint longer than the body";
    for (uint16_t i = 0; i < length; i++)
        if (!endpoint_char_ok(r->p[i]))
            return "addresses: endpoint has a byte that is not printable ASCII";
    memcpy(out, r->p, length);
    out[length] = '\0';
    r->p += length;
    r->left -= length;
    return NULL;
}

static const char *read_address(wire_reader *r, char name[WIRE_MAX_NAME + 1],
                                char endpoint[WIRE_MAX_ENDPOINT + 1]) {
    const char *err = read_name(r, name);
    return err ? err : read_endpoint(r, endpoint);
}

static const char *decode_addresses(wire_reader *r, wire_frame *f) {
    if (!read_u16(r, &f->u.addresses.count))
        return "addresses: body shorter than its count";
    if (f->u.addresses.count > WIRE_MAX_ADDRESSES)
        return "addresses: count above WIRE_MAX_ADDRESSES";
    f->u.addresses.entries = r->p;
    for (uint16_t i = 0; i < f->u.addresses.count; i++) {
        char name[WIRE_MAX_NAME + 1], endpoint[WIRE_MAX_ENDPOINT + 1];
        const char *err = read_address(r, name, endpoint);
        if (err)
            return err;
    }
    if (r->left != 0)
        return "addresses: trailing bytes after the last entry";
    f->u.addresses.end = r->p;
    return NULL;
}

static const char *decode_fixed(wire_reader *r, wire_frame *f) {
    bool ok = true;
    switch (f->kind) {
    case WIRE_HEARTBEAT:
    case WIRE_ACK:
    case WIRE_NACK:
        break;
    case WIRE_SPAWN_REFUSED:
        ok = read_u64(r, &f->u.spawn_refused.id);
        break;
    case WIRE_PING:
    case WIRE_PONG:
        ok = read_u64(r, &f->u.ping.token);
        break;
    case WIRE_LOOKUP_REPLY:
        ok = read_u64(r, &f->u.lookup_reply.request) && read_u8(r, &f->u.lookup_reply.status) &&
             read_u64(r, &f->u.lookup_reply.id) && read_u64(r, &f->u.lookup_reply.type_hash);
        if (ok && f->u.lookup_reply.status > WIRE_LOOKUP_TYPE_MISMATCH)
            return "lookup_reply: unknown status";
        break;
    }
    return ok && r->left == 0 ? NULL : "frame: body length wrong for its kind";
}

static const char *decode_body(wire_reader *r, wire_frame *f) {
    const char *err;
    switch (f->kind) {
    case WIRE_HELLO:
        err = read_name(r, f->u.hello.name);
        break;
    case WIRE_LOOKUP:
        if (!read_u64(r, &f->u.lookup.request) || !read_u64(r, &f->u.lookup.type_hash))
            return "lookup: body shorter than its header";
        err = read_name(r, f->u.lookup.name);
        break;
    case WIRE_BATCH:
        return wire_decode_batch(r, f);
    case WIRE_ADDRESSES:
        return decode_addresses(r, f);
    default:
        return decode_fixed(r, f);
    }
    if (!err && r->left != 0)
        err = "frame: trailing bytes after the name";
    return err;
}

/* The withheld list after the body: count distances back from
 * ack_processed, naming strictly increasing seqs, each acknowledged. */
static const char *check_withheld(const wire_frame *f) {
    uint64_t previous = 0;
    for (uint32_t i = 0; i < f->withheld_count; i++) {
        uint64_t distance = wire_load_le(f->withheld + 4 * (size_t)i, 4);
        if (distance == 0 || distance > f->ack_processed)
            return "frame: withheld item not within ack_processed";
        uint64_t seq = f->ack_processed + 1 - distance;
        if (seq <= previous)
            return "frame: withheld items not in increasing order";
        previous = seq;
    }
    return NULL;
}

const char *wire_decode_frame(const void *data, size_t size, wire_frame *out) {
    const uint8_t *p = data;
    memset(out, 0, sizeof *out);
    if (!p || size < WIRE_HEADER_SIZE)
        return "frame: shorter than the header";
    uint64_t magic = wire_load_le(p, 4), version = p[4], body_length = wire_load_le(p + 40, 4),
             withheld = wire_load_le(p + 44, 4), flags = wire_load_le(p + 48, 4);
    out->kind = p[5];
    out->sender_node = (uint16_t)wire_load_le(p + 6, 2);
    out->sender_session = wire_load_le(p + 8, 8);
    out->receiver_session = wire_load_le(p + 16, 8);
    out->ack_received = wire_load_le(p + 24, 8);
    out->ack_processed = wire_load_le(p + 32, 8);
    out->flags = (uint32_t)(flags & WIRE_FLAG_HOLD);
    if (magic != WIRE_MAGIC)
        return "frame: bad magic";
    if (version != WIRE_VERSION)
        return "frame: unsupported version";
    if (!kind_known(out->kind))
        return "frame: unknown kind";
    if (flags & ~(uint64_t)WIRE_FLAG_HOLD)
        return "frame: unknown header flag";
    if (withheld > WIRE_MAX_WITHHELD)
        return "frame: withheld count above WIRE_MAX_WITHHELD";
    if (body_length + 4 * withheld != size - WIRE_HEADER_SIZE)
        return "frame: body_length does not match the frame size";
    if (size > WIRE_MAX_FRAME)
        return "frame: larger than WIRE_MAX_FRAME";
    if (out->ack_processed > out->ack_received)
        return "frame: processed acknowledgement beyond the received one";
    out->withheld_count = (uint32_t)withheld;
    out->withheld = p + WIRE_HEADER_SIZE + body_length;
    const char *err = check_withheld(out);
    if (err)
        return err;
    wire_reader r = {p + WIRE_HEADER_SIZE, body_length};
    return decode_body(&r, out);
}

uint64_t wire_withheld(const wire_frame *f, uint32_t i) {
    if (i >= f->withheld_count)
        alox_fatal("wire_withheld: item %u of %u", i, f->withheld_count);
    return f->ack_processed + 1 - wire_load_le(f->withheld + 4 * (size_t)i, 4);
}

bool wire_next_address(const wire_frame *frame, const uint8_t **cursor, uint16_t *index,
                       char name[WIRE_MAX_NAME + 1], char endpoint[WIRE_MAX_ENDPOINT + 1]) {
    if (frame->kind != WIRE_ADDRESSES || *index >= frame->u.addresses.count || !*cursor ||
        *cursor < frame->u.addresses.entries || *cursor >= frame->u.addresses.end)
        return false;
    wire_reader r = {*cursor, (size_t)(frame->u.addresses.end - *cursor)};
    if (read_address(&r, name, endpoint) != NULL)
        return false;
    *cursor = r.p;
    (*index)++;
    return true;
}

/* --- Encoding. Misuse (bad names, sizes) is a bug: alox_fatal with the rule. --- */
void wire_buffer_init(wire_buffer *b) { memset(b, 0, sizeof *b); }

void wire_buffer_free(wire_buffer *b) {
    free(b->data);
    wire_buffer_init(b);
}

static uint8_t *grow_raw(wire_buffer *b, size_t n) {
    if (n > SIZE_MAX - b->size)
        alox_fatal("wire buffer: size overflow");
    if (b->size + n > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 256;
        while (capacity < b->size + n)
            capacity = capacity > SIZE_MAX / 2 ? SIZE_MAX : capacity * 2;
        uint8_t *data = realloc(b->data, capacity);
        if (!data)
            alox_fatal("out of memory growing a wire buffer to %zu bytes", capacity);
        b->data = data;
        b->capacity = capacity;
    }
    b->size += n;
    return b->data + b->size - n;
}

uint8_t *wire_grow(wire_buffer *b, size_t n) {
    if (b->trailer_at)
        alox_fatal("wire buffer: the body grew after wire_set_withheld");
    b->finished = false;
    return grow_raw(b, n);
}

void wire_expect_kind(const wire_buffer *b, uint8_t kind, const char *fn) {
    if (b->size < WIRE_HEADER_SIZE || b->data[5] != kind)
        alox_fatal("%s: the frame begun with wire_begin is not of kind %u", fn, kind);
}

static void put_name(wire_buffer *b, const char *name, const char *fn) {
    size_t length = name ? strnlen(name, WIRE_MAX_NAME + 1) : 0;
    const char *err = check_name((const uint8_t *)name, length);
    if (err)
        alox_fatal("%s: invalid name \"%s\": %s", fn, name ? name : "(null)", err);
    wire_put_le(b, length, 2);
    memcpy(wire_grow(b, length), name, length);
}

void wire_begin(wire_buffer *b, uint8_t kind, uint16_t sender_node, uint64_t sender_session,
                uint64_t receiver_session) {
    if (!kind_known(kind))
        alox_fatal("wire_begin: unknown frame kind %u", kind);
    b->size = 0;
    b->count_at = 0;
    b->items = 0;
    b->trailer_at = 0;
    uint8_t *h = wire_grow(b, WIRE_HEADER_SIZE);
    memset(h, 0, WIRE_HEADER_SIZE); /* body_length (patched by wire_finish), withheld, flags */
    wire_store_le(h, WIRE_MAGIC, 4);
    h[4] = WIRE_VERSION;
    h[5] = kind;
    wire_store_le(h + 6, sender_node, 2);
    wire_store_le(h + 8, sender_session, 8);
    wire_store_le(h + 16, receiver_session, 8);
}

/* Drops the withheld list, if any (it belongs to the acks it was set for). */
static void drop_withheld(wire_buffer *b) {
    if (b->trailer_at)
        b->size = b->trailer_at;
    b->trailer_at = 0;
    wire_store_le(b->data + 44, 0, 4);
}

void wire_set_acks(wire_buffer *b, uint64_t received, uint64_t processed) {
    if (b->size < WIRE_HEADER_SIZE)
        alox_fatal("wire_set_acks: no frame begun with wire_begin");
    if (processed > received)
        alox_fatal("wire_set_acks: processed %llu beyond received %llu",
                   (unsigned long long)processed, (unsigned long long)received);
    wire_store_le(b->data + 24, received, 8);
    wire_store_le(b->data + 32, processed, 8);
    drop_withheld(b); /* a withheld list is set afresh for these acks */
}

static const char *check_withheld_seqs(uint64_t processed, const uint64_t *seqs, uint32_t count) {
    if (count > WIRE_MAX_WITHHELD)
        return "more than WIRE_MAX_WITHHELD items";
    for (uint32_t i = 0; i < count; i++) {
        if (seqs[i] == 0 || seqs[i] > processed || processed - seqs[i] >= UINT32_MAX)
            return "an item not within reach of processed";
        if (i && seqs[i] <= seqs[i - 1])
            return "items not in increasing order";
    }
    return NULL;
}

void wire_set_withheld(wire_buffer *b, const uint64_t *seqs, uint32_t count) {
    if (b->size < WIRE_HEADER_SIZE || !b->finished)
        alox_fatal("wire_set_withheld: no frame finished with wire_finish");
    uint64_t processed = wire_load_le(b->data + 32, 8);
    const char *err = check_withheld_seqs(processed, seqs, count);
    if (err)
        alox_fatal("wire_set_withheld: %s (processed %llu)", err, (unsigned long long)processed);
    drop_withheld(b);
    size_t at = b->size;
    if (b->size + 4 * (size_t)count > WIRE_MAX_FRAME)
        alox_fatal("wire_set_withheld: the list would make the frame larger than WIRE_MAX_FRAME");
    for (uint32_t i = 0; i < count; i++)
        wire_store_le(grow_raw(b, 4), processed + 1 - seqs[i], 4);
    if (count)
        b->trailer_at = at;
    wire_store_le(b->data + 44, count, 4);
}

void wire_set_flags(wire_buffer *b, uint32_t flags) {
    if (b->size < WIRE_HEADER_SIZE)
        alox_fatal("wire_set_flags: no frame begun with wire_begin");
    if (flags & ~WIRE_FLAG_HOLD)
        alox_fatal("wire_set_flags: unknown flags %#x", flags);
    wire_store_le(b->data + 48, flags, 4);
}

const char *wire_check_name(const char *name) {
    return check_name((const uint8_t *)name, name ? strnlen(name, WIRE_MAX_NAME + 1) : 0);
}

void wire_put_hello(wire_buffer *b, const char *name) {
    wire_expect_kind(b, WIRE_HELLO, "wire_put_hello");
    put_name(b, name, "wire_put_hello");
}

void wire_put_lookup(wire_buffer *b, uint64_t request, uint64_t type_hash, const char *name) {
    wire_expect_kind(b, WIRE_LOOKUP, "wire_put_lookup");
    wire_put_le(b, request, 8);
    wire_put_le(b, type_hash, 8);
    put_name(b, name, "wire_put_lookup");
}

void wire_put_lookup_reply(wire_buffer *b, uint64_t request, uint8_t status, uint64_t id,
                           uint64_t type_hash) {
    wire_expect_kind(b, WIRE_LOOKUP_REPLY, "wire_put_lookup_reply");
    if (status > WIRE_LOOKUP_TYPE_MISMATCH)
        alox_fatal("wire_put_lookup_reply: unknown status %u", status);
    wire_put_le(b, request, 8);
    wire_put_le(b, status, 1);
    wire_put_le(b, id, 8);
    wire_put_le(b, type_hash, 8);
}

void wire_put_spawn_refused(wire_buffer *b, uint64_t id) {
    wire_expect_kind(b, WIRE_SPAWN_REFUSED, "wire_put_spawn_refused");
    wire_put_le(b, id, 8);
}

void wire_put_ping(wire_buffer *b, uint64_t token) {
    if (b->size != WIRE_HEADER_SIZE || (b->data[5] != WIRE_PING && b->data[5] != WIRE_PONG))
        alox_fatal("wire_put_ping: not right after wire_begin of a PING or PONG");
    wire_put_le(b, token, 8);
}

void wire_put_address(wire_buffer *b, const char *name, const char *endpoint) {
    wire_expect_kind(b, WIRE_ADDRESSES, "wire_put_address");
    if (b->count_at == 0) { /* the first entry: the count goes before it */
        b->count_at = b->size;
        b->items = 0;
        wire_put_le(b, 0, 2);
    }
    if (b->items >= WIRE_MAX_ADDRESSES)
        alox_fatal("wire_put_address: more than WIRE_MAX_ADDRESSES entries");
    size_t length = endpoint ? strnlen(endpoint, WIRE_MAX_ENDPOINT + 1) : 0;
    bool printable = length > 0 && length <= WIRE_MAX_ENDPOINT;
    for (size_t i = 0; printable && i < length; i++)
        printable = endpoint_char_ok((uint8_t)endpoint[i]);
    if (!printable)
        alox_fatal("wire_put_address: invalid endpoint for %s", name ? name : "(null)");
    put_name(b, name, "wire_put_address");
    wire_put_le(b, length, 2);
    memcpy(wire_grow(b, length), endpoint, length);
    wire_store_le(b->data + b->count_at, ++b->items, 2);
}

void wire_finish(wire_buffer *b) {
    if (b->size < WIRE_HEADER_SIZE)
        alox_fatal("wire_finish: no frame begun with wire_begin");
    if (b->trailer_at)
        alox_fatal("wire_finish: after wire_set_withheld (the list follows the body)");
    if (b->data[5] == WIRE_ADDRESSES && b->count_at == 0) { /* no entries: a count of 0 */
        b->count_at = b->size;
        wire_put_le(b, 0, 2);
    }
    /* The decoder (and ZMQ_MAXMSGSIZE) refuse larger frames; this also
     * keeps body_length within its u32. */
    if (b->size > WIRE_MAX_FRAME)
        alox_fatal("wire_finish: frame of %zu bytes above WIRE_MAX_FRAME (%u)", b->size,
                   WIRE_MAX_FRAME);
    wire_store_le(b->data + 40, b->size - WIRE_HEADER_SIZE, 4);
    b->finished = true;
    if (b->data[5] != WIRE_BATCH)
        return;
    if (b->count_at == 0)
        alox_fatal("wire_finish: BATCH without wire_batch_start");
    uint64_t first_seq = wire_load_le(b->data + b->count_at - 8, 8);
    if (b->items > 0 && first_seq > UINT64_MAX - (b->items - 1))
        alox_fatal("wire_finish: BATCH sequence numbers wrap around");
    wire_store_le(b->data + b->count_at, b->items, 4);
}
