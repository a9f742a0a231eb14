/* wire.c - see wire.h (its header comment is the format). */
#include "wire.h"

#include <stdlib.h>
#include <string.h>

#include "alox/abi.h"
#include "support/platform.h"

/* --- Little-endian loads and stores, byte by byte (no alignment assumed). --- */
static uint64_t load_le(const uint8_t *p, unsigned bytes) {
    uint64_t v = 0;
    for (unsigned i = bytes; i-- > 0;)
        v = (v << 8) | p[i];
    return v;
}

static void store_le(uint8_t *p, uint64_t v, unsigned bytes) {
    for (unsigned i = 0; i < bytes; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

/* A bounded view of the frame; reads fail (and leave *v alone) when fewer
 * bytes remain than asked for. */
typedef struct reader {
    const uint8_t *p;
    size_t left;
} reader;

static bool read_le(reader *r, uint64_t *v, unsigned bytes) {
    if (r->left < bytes)
        return false;
    *v = load_le(r->p, bytes);
    r->p += bytes;
    r->left -= bytes;
    return true;
}

static bool read_u8(reader *r, uint8_t *v) {
    uint64_t x;
    return read_le(r, &x, 1) && (*v = (uint8_t)x, true);
}
static bool read_u16(reader *r, uint16_t *v) {
    uint64_t x;
    return read_le(r, &x, 2) && (*v = (uint16_t)x, true);
}
static bool read_u32(reader *r, uint32_t *v) {
    uint64_t x;
    return read_le(r, &x, 4) && (*v = (uint32_t)x, true);
}
static bool read_u64(reader *r, uint64_t *v) { return read_le(r, v, 8); }

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

/* ref i of an item with args_size bytes of args; prev is ref i-1. */
static const char *check_ref(const wire_ref *ref, const wire_ref *prev, uint32_t args_size) {
    if (ref->offset % 8 != 0)
        return "batch item: ref offset not 8-aligned";
    if (prev && ref->offset <= prev->offset)
        return "batch item: ref offsets not strictly increasing";
    if ((uint64_t)ref->offset + 8 > args_size)
        return "batch item: ref slot beyond args";
    if (ref->kind != ALOX_REF_ACTOR)
        return "batch item: ref kind not ALOX_REF_ACTOR";
    return NULL;
}

static bool op_known(uint8_t op) { return op == WIRE_OP_SEND || op == WIRE_OP_SPAWN; }

static bool kind_known(uint8_t kind) { return kind >= WIRE_HELLO && kind <= WIRE_PONG; }

static bool endpoint_char_ok(uint8_t c) { return c > ' ' && c <= '~'; }

/* --- Decoding. --- */
static const char *read_name(reader *r, char out[WIRE_MAX_NAME + 1]) {
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

static const char *read_endpoint(reader *r, char out[WIRE_MAX_ENDPOINT + 1]) {
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

static const char *read_address(reader *r, char name[WIRE_MAX_NAME + 1],
                                char endpoint[WIRE_MAX_ENDPOINT + 1]) {
    const char *err = read_name(r, name);
    return err ? err : read_endpoint(r, endpoint);
}

static const char *decode_addresses(reader *r, wire_frame *f) {
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

/* The fixed part of one item and its exact length; leaves r after it. */
static const char *parse_item(reader *r, wire_item *it) {
    uint32_t length;
    memset(it, 0, sizeof *it);
    if (!read_u32(r, &length))
        return "batch item: truncated item_length";
    if (length > r->left)
        return "batch item: item_length beyond the frame";
    if (length < WIRE_ITEM_FIXED_SIZE)
        return "batch item: item_length below the fixed part";
    const uint8_t *p = r->p;
    uint8_t flags = p[1];
    it->op = p[0];
    it->flags = flags;
    it->ref_count = (uint16_t)load_le(p + 2, 2);
    it->args_size = (uint32_t)load_le(p + 4, 4);
    it->target = load_le(p + 8, 8);
    it->sender = load_le(p + 16, 8);
    it->behaviour = load_le(p + 24, 8);
    it->signature = load_le(p + 32, 8);
    if (!op_known(it->op))
        return "batch item: unknown op";
    if (flags & ~(WIRE_ITEM_TRACED | WIRE_ITEM_CAUSED))
        return "batch item: unknown flags";
    if (it->op == WIRE_OP_SPAWN && it->signature != 0)
        return "batch item: spawn signature not 0";
    if (it->args_size > WIRE_MAX_ARGS)
        return "batch item: args_size above WIRE_MAX_ARGS";
    if (it->ref_count > WIRE_MAX_REFS)
        return "batch item: ref_count above WIRE_MAX_REFS";
    uint64_t trace_size = flags & WIRE_ITEM_TRACED ? 8 : 0;
    uint64_t caused_size = flags & WIRE_ITEM_CAUSED ? 8 : 0;
    if ((uint64_t)length != (uint64_t)WIRE_ITEM_FIXED_SIZE + it->args_size +
                                (uint64_t)WIRE_REF_SIZE * it->ref_count + trace_size + caused_size)
        return "batch item: item_length does not match args_size and ref_count";
    it->args = p + WIRE_ITEM_FIXED_SIZE;
    it->refs_raw = it->args + it->args_size;
    const uint8_t *tail = it->refs_raw + (size_t)WIRE_REF_SIZE * it->ref_count;
    if (trace_size)
        it->trace = load_le(tail, 8);
    if (caused_size) {
        it->caused_by = load_le(tail + trace_size, 8);
        if (it->caused_by == 0)
            return "batch item: caused flag with a caused_by of 0";
    }
    r->p += length;
    r->left -= length;
    return NULL;
}

static const char *check_refs(const wire_item *it) {
    wire_ref prev = {0}, ref;
    for (uint16_t i = 0; i < it->ref_count; i++, prev = ref) {
        ref = wire_item_ref(it, i);
        const char *err = check_ref(&ref, i ? &prev : NULL, it->args_size);
        if (err)
            return err;
        if (load_le(it->args + ref.offset, 8) != 0)
            return "batch item: args slot of a ref not zeroed";
    }
    return NULL;
}

static const char *decode_batch(reader *r, wire_frame *f) {
    if (!read_u64(r, &f->u.batch.first_seq) || !read_u32(r, &f->u.batch.item_count))
        return "batch: body shorter than its header";
    if (f->u.batch.item_count > WIRE_MAX_ITEMS)
        return "batch: item_count above WIRE_MAX_ITEMS";
    if (f->u.batch.item_count > 0 &&
        f->u.batch.first_seq > UINT64_MAX - (f->u.batch.item_count - 1))
        return "batch: sequence numbers wrap around";
    f->u.batch.items = r->p;
    for (uint32_t i = 0; i < f->u.batch.item_count; i++) {
        wire_item it;
        const char *err = parse_item(r, &it);
        if (!err)
            err = check_refs(&it);
        if (err)
            return err;
    }
    if (r->left != 0)
        return "batch: trailing bytes after the last item";
    f->u.batch.end = r->p;
    return NULL;
}

static const char *decode_fixed(reader *r, wire_frame *f) {
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

static const char *decode_body(reader *r, wire_frame *f) {
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
        return decode_batch(r, f);
    case WIRE_ADDRESSES:
        return decode_addresses(r, f);
    default:
        return decode_fixed(r, f);
    }
    if (!err && r->left != 0)
        err = "frame: trailing bytes after the name";
    return err;
}

const char *wire_decode_frame(const void *data, size_t size, wire_frame *out) {
    const uint8_t *p = data;
    memset(out, 0, sizeof *out);
    if (!p || size < WIRE_HEADER_SIZE)
        return "frame: shorter than the header";
    uint64_t magic = load_le(p, 4), version = p[4], body_length = load_le(p + 40, 4),
             withheld = load_le(p + 44, 4), flags = load_le(p + 48, 4);
    out->kind = p[5];
    out->sender_node = (uint16_t)load_le(p + 6, 2);
    out->sender_session = load_le(p + 8, 8);
    out->receiver_session = load_le(p + 16, 8);
    out->ack_received = load_le(p + 24, 8);
    out->ack_processed = load_le(p + 32, 8);
    out->flags = (uint32_t)(flags & WIRE_FLAG_HOLD);
    reader r = {p + WIRE_HEADER_SIZE, size - WIRE_HEADER_SIZE};
    if (magic != WIRE_MAGIC)
        return "frame: bad magic";
    if (version != WIRE_VERSION)
        return "frame: unsupported version";
    if (!kind_known(out->kind))
        return "frame: unknown kind";
    if (flags & ~(uint64_t)WIRE_FLAG_HOLD)
        return "frame: unknown header flag";
    if (body_length != r.left)
        return "frame: body_length does not match the frame size";
    if (size > WIRE_MAX_FRAME)
        return "frame: larger than WIRE_MAX_FRAME";
    if (out->ack_processed > out->ack_received)
        return "frame: processed acknowledgement beyond the received one";
    if (withheld > out->ack_processed)
        return "frame: withheld item before the first seq";
    out->ack_withheld = withheld ? out->ack_processed + 1 - withheld : 0;
    return decode_body(&r, out);
}

bool wire_next_item(const wire_frame *frame, const uint8_t **cursor, uint32_t *index,
                    wire_item *out) {
    if (frame->kind != WIRE_BATCH || *index >= frame->u.batch.item_count || !*cursor ||
        *cursor < frame->u.batch.items || *cursor >= frame->u.batch.end)
        return false;
    reader r = {*cursor, (size_t)(frame->u.batch.end - *cursor)};
    if (parse_item(&r, out) != NULL)
        return false;
    out->seq = frame->u.batch.first_seq + *index;
    *cursor = r.p;
    (*index)++;
    return true;
}

bool wire_next_address(const wire_frame *frame, const uint8_t **cursor, uint16_t *index,
                       char name[WIRE_MAX_NAME + 1], char endpoint[WIRE_MAX_ENDPOINT + 1]) {
    if (frame->kind != WIRE_ADDRESSES || *index >= frame->u.addresses.count || !*cursor ||
        *cursor < frame->u.addresses.entries || *cursor >= frame->u.addresses.end)
        return false;
    reader r = {*cursor, (size_t)(frame->u.addresses.end - *cursor)};
    if (read_address(&r, name, endpoint) != NULL)
        return false;
    *cursor = r.p;
    (*index)++;
    return true;
}

wire_ref wire_item_ref(const wire_item *item, uint16_t i) {
    if (i >= item->ref_count)
        alox_fatal("wire_item_ref: ref %u of an item with %u refs", i, item->ref_count);
    const uint8_t *p = item->refs_raw + (size_t)WIRE_REF_SIZE * i;
    return (wire_ref){(uint32_t)load_le(p, 4), (uint32_t)load_le(p + 4, 4), load_le(p + 8, 8),
                      load_le(p + 16, 8), load_le(p + 24, 8)};
}

/* --- Encoding. Misuse (bad names, refs, sizes) is a bug: alox_fatal with the rule. --- */
void wire_buffer_init(wire_buffer *b) { memset(b, 0, sizeof *b); }

void wire_buffer_free(wire_buffer *b) {
    free(b->data);
    wire_buffer_init(b);
}

/* Room for n more bytes; returns where they go. */
static uint8_t *grow(wire_buffer *b, size_t n) {
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

static void put_le(wire_buffer *b, uint64_t v, unsigned bytes) {
    store_le(grow(b, bytes), v, bytes);
}

static void expect_kind(const wire_buffer *b, uint8_t kind, const char *fn) {
    if (b->size < WIRE_HEADER_SIZE || b->data[5] != kind)
        alox_fatal("%s: the frame begun with wire_begin is not of kind %u", fn, kind);
}

static void put_name(wire_buffer *b, const char *name, const char *fn) {
    size_t length = name ? strnlen(name, WIRE_MAX_NAME + 1) : 0;
    const char *err = check_name((const uint8_t *)name, length);
    if (err)
        alox_fatal("%s: invalid name \"%s\": %s", fn, name ? name : "(null)", err);
    put_le(b, length, 2);
    memcpy(grow(b, length), name, length);
}

void wire_begin(wire_buffer *b, uint8_t kind, uint16_t sender_node, uint64_t sender_session,
                uint64_t receiver_session) {
    if (!kind_known(kind))
        alox_fatal("wire_begin: unknown frame kind %u", kind);
    b->size = 0;
    b->count_at = 0;
    b->items = 0;
    uint8_t *h = grow(b, WIRE_HEADER_SIZE);
    memset(h, 0, WIRE_HEADER_SIZE); /* body_length (patched by wire_finish), withheld, flags */
    store_le(h, WIRE_MAGIC, 4);
    h[4] = WIRE_VERSION;
    h[5] = kind;
    store_le(h + 6, sender_node, 2);
    store_le(h + 8, sender_session, 8);
    store_le(h + 16, receiver_session, 8);
}

void wire_set_acks(wire_buffer *b, uint64_t received, uint64_t processed) {
    if (b->size < WIRE_HEADER_SIZE)
        alox_fatal("wire_set_acks: no frame begun with wire_begin");
    if (processed > received)
        alox_fatal("wire_set_acks: processed %llu beyond received %llu",
                   (unsigned long long)processed, (unsigned long long)received);
    store_le(b->data + 24, received, 8);
    store_le(b->data + 32, processed, 8);
    store_le(b->data + 44, 0, 4); /* a withheld item is set afresh for these acks */
}

void wire_set_withheld(wire_buffer *b, uint64_t withheld) {
    if (b->size < WIRE_HEADER_SIZE)
        alox_fatal("wire_set_withheld: no frame begun with wire_begin");
    uint64_t processed = load_le(b->data + 32, 8);
    if (withheld != 0 && (withheld > processed || processed - withheld >= UINT32_MAX))
        alox_fatal("wire_set_withheld: %llu not within reach of processed %llu",
                   (unsigned long long)withheld, (unsigned long long)processed);
    store_le(b->data + 44, withheld ? processed + 1 - withheld : 0, 4);
}

void wire_set_flags(wire_buffer *b, uint32_t flags) {
    if (b->size < WIRE_HEADER_SIZE)
        alox_fatal("wire_set_flags: no frame begun with wire_begin");
    if (flags & ~WIRE_FLAG_HOLD)
        alox_fatal("wire_set_flags: unknown flags %#x", flags);
    store_le(b->data + 48, flags, 4);
}

const char *wire_check_name(const char *name) {
    return check_name((const uint8_t *)name, name ? strnlen(name, WIRE_MAX_NAME + 1) : 0);
}

void wire_put_hello(wire_buffer *b, const char *name) {
    expect_kind(b, WIRE_HELLO, "wire_put_hello");
    put_name(b, name, "wire_put_hello");
}


void wire_put_lookup(wire_buffer *b, uint64_t request, uint64_t type_hash, const char *name) {
    expect_kind(b, WIRE_LOOKUP, "wire_put_lookup");
    put_le(b, request, 8);
    put_le(b, type_hash, 8);
    put_name(b, name, "wire_put_lookup");
}

void wire_put_lookup_reply(wire_buffer *b, uint64_t request, uint8_t status, uint64_t id,
                           uint64_t type_hash) {
    expect_kind(b, WIRE_LOOKUP_REPLY, "wire_put_lookup_reply");
    if (status > WIRE_LOOKUP_TYPE_MISMATCH)
        alox_fatal("wire_put_lookup_reply: unknown status %u", status);
    put_le(b, request, 8);
    put_le(b, status, 1);
    put_le(b, id, 8);
    put_le(b, type_hash, 8);
}

void wire_put_spawn_refused(wire_buffer *b, uint64_t id) {
    expect_kind(b, WIRE_SPAWN_REFUSED, "wire_put_spawn_refused");
    put_le(b, id, 8);
}

void wire_put_ping(wire_buffer *b, uint64_t token) {
    if (b->size != WIRE_HEADER_SIZE || (b->data[5] != WIRE_PING && b->data[5] != WIRE_PONG))
        alox_fatal("wire_put_ping: not right after wire_begin of a PING or PONG");
    put_le(b, token, 8);
}

void wire_put_address(wire_buffer *b, const char *name, const char *endpoint) {
    expect_kind(b, WIRE_ADDRESSES, "wire_put_address");
    if (b->count_at == 0) { /* the first entry: the count goes before it */
        b->count_at = b->size;
        b->items = 0;
        put_le(b, 0, 2);
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
    put_le(b, length, 2);
    memcpy(grow(b, length), endpoint, length);
    store_le(b->data + b->count_at, ++b->items, 2);
}

void wire_batch_start(wire_buffer *b, uint64_t first_seq) {
    expect_kind(b, WIRE_BATCH, "wire_batch_start");
    put_le(b, first_seq, 8);
    b->count_at = b->size;
    b->items = 0;
    put_le(b, 0, 4); /* item_count, patched by wire_finish */
}

static void check_item(const wire_buffer *b, uint8_t op, uint64_t signature, const void *args,
                       uint32_t args_size, const wire_ref *refs, uint16_t ref_count) {
    const char *err = NULL;
    if (b->count_at == 0)
        err = "wire_batch_start not called";
    else if (b->items >= WIRE_MAX_ITEMS)
        err = "more than WIRE_MAX_ITEMS items";
    else if (!op_known(op))
        err = "unknown op";
    else if (op == WIRE_OP_SPAWN && signature != 0)
        err = "spawn signature not 0";
    else if (args_size > WIRE_MAX_ARGS)
        err = "args_size above WIRE_MAX_ARGS";
    else if (ref_count > WIRE_MAX_REFS)
        err = "ref_count above WIRE_MAX_REFS";
    else if ((args_size && !args) || (ref_count && !refs))
        err = "NULL args or refs";
    for (uint16_t i = 0; !err && i < ref_count; i++)
        err = check_ref(&refs[i], i ? &refs[i - 1] : NULL, args_size);
    if (err)
        alox_fatal("wire_batch_item: %s", err);
}

void wire_batch_item(wire_buffer *b, uint8_t op, uint64_t target, uint64_t sender,
                     uint64_t behaviour, uint64_t signature, const void *args, uint32_t args_size,
                     const wire_ref *refs, uint16_t ref_count) {
    check_item(b, op, signature, args, args_size, refs, ref_count);
    uint32_t length = WIRE_ITEM_FIXED_SIZE + args_size + WIRE_REF_SIZE * (uint32_t)ref_count;
    uint8_t *p = grow(b, 4 + (size_t)length);
    b->item_at = (size_t)(p - b->data);
    store_le(p, length, 4);
    p[4] = op;
    p[5] = 0; /* flags */
    store_le(p + 6, ref_count, 2);
    store_le(p + 8, args_size, 4);
    store_le(p + 12, target, 8);
    store_le(p + 20, sender, 8);
    store_le(p + 28, behaviour, 8);
    store_le(p + 36, signature, 8);
    uint8_t *copy = p + 4 + WIRE_ITEM_FIXED_SIZE, *table = copy + args_size;
    if (args_size)
        memcpy(copy, args, args_size);
    for (uint16_t i = 0; i < ref_count; i++, table += WIRE_REF_SIZE) {
        memset(copy + refs[i].offset, 0, 8);
        store_le(table, refs[i].offset, 4);
        store_le(table + 4, refs[i].kind, 4);
        store_le(table + 8, refs[i].id, 8);
        store_le(table + 16, refs[i].incarnation, 8);
        store_le(table + 24, refs[i].type_hash, 8);
    }
    b->items++;
}

void wire_finish(wire_buffer *b) {
    if (b->size < WIRE_HEADER_SIZE)
        alox_fatal("wire_finish: no frame begun with wire_begin");
    if (b->data[5] == WIRE_ADDRESSES && b->count_at == 0) { /* no entries: a count of 0 */
        b->count_at = b->size;
        put_le(b, 0, 2);
    }
    /* The decoder (and ZMQ_MAXMSGSIZE) refuse larger frames; this also
     * keeps body_length within its u32. */
    if (b->size > WIRE_MAX_FRAME)
        alox_fatal("wire_finish: frame of %zu bytes above WIRE_MAX_FRAME (%u)", b->size,
                   WIRE_MAX_FRAME);
    store_le(b->data + 40, b->size - WIRE_HEADER_SIZE, 4);
    if (b->data[5] != WIRE_BATCH)
        return;
    if (b->count_at == 0)
        alox_fatal("wire_finish: BATCH without wire_batch_start");
    uint64_t first_seq = load_le(b->data + b->count_at - 8, 8);
    if (b->items > 0 && first_seq > UINT64_MAX - (b->items - 1))
        alox_fatal("wire_finish: BATCH sequence numbers wrap around");
    store_le(b->data + b->count_at, b->items, 4);
}

void wire_batch_item_trace(wire_buffer *b, uint64_t trace) {
    if (b->items == 0 || b->item_at + 4 + WIRE_ITEM_FIXED_SIZE > b->size || b->data[b->item_at + 5] != 0)
        alox_fatal("wire_batch_item_trace: no untraced item to add a trace id to");
    uint8_t *p = grow(b, 8);
    store_le(p, trace, 8);
    uint8_t *item = b->data + b->item_at;
    store_le(item, load_le(item, 4) + 8, 4);
    item[5] = WIRE_ITEM_TRACED;
}

void wire_batch_item_caused(wire_buffer *b, uint64_t caused_by) {
    if (b->items == 0 || b->item_at + 4 + WIRE_ITEM_FIXED_SIZE > b->size ||
        (b->data[b->item_at + 5] & WIRE_ITEM_CAUSED) || caused_by == 0)
        alox_fatal("wire_batch_item_caused: no item without a cause to add one to (or a cause of 0)");
    uint8_t *p = grow(b, 8);
    store_le(p, caused_by, 8);
    uint8_t *item = b->data + b->item_at;
    store_le(item, load_le(item, 4) + 8, 4);
    item[5] |= WIRE_ITEM_CAUSED;
}
