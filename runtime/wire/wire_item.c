/* wire_item.c - the BATCH body of a frame: its items, their refs and
 * optional tails (wire.h is the format; the header is wire_frame.c's). */
#include "wire_codec.h"

#include <string.h>

#include "alox/abi.h"
#include "support/platform.h"

#define ITEM_FLAGS (WIRE_ITEM_TRACED | WIRE_ITEM_CAUSED | WIRE_ITEM_ROOT)

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

/* The optional tail of an item (trace, caused_by, root, in that order):
 * its size by the flags. */
static uint64_t tail_size(uint8_t flags) {
    return (flags & WIRE_ITEM_TRACED ? 8 : 0) + (flags & WIRE_ITEM_CAUSED ? 8 : 0) +
           (flags & WIRE_ITEM_ROOT ? 2 : 0);
}

static const char *parse_tail(wire_item *it, const uint8_t *tail) {
    if (it->flags & WIRE_ITEM_TRACED) {
        it->trace = wire_load_le(tail, 8);
        tail += 8;
    }
    if (it->flags & WIRE_ITEM_CAUSED) {
        it->caused_by = wire_load_le(tail, 8);
        tail += 8;
        if (it->caused_by == 0)
            return "batch item: caused flag with a caused_by of 0";
    }
    if (it->flags & WIRE_ITEM_ROOT) {
        it->root = (uint16_t)wire_load_le(tail, 2);
        if (it->root == 0)
            return "batch item: root flag with a root of 0";
    }
    return NULL;
}

/* The fixed part of one item and its exact length; leaves r after it. */
static const char *parse_item(wire_reader *r, wire_item *it) {
    uint32_t length;
    memset(it, 0, sizeof *it);
    if (!wire_read_u32(r, &length))
        return "batch item: truncated item_length";
    if (length > r->left)
        return "batch item: item_length beyond the frame";
    if (length < WIRE_ITEM_FIXED_SIZE)
        return "batch item: item_length below the fixed part";
    const uint8_t *p = r->p;
    it->op = p[0];
    it->flags = p[1];
    it->ref_count = (uint16_t)wire_load_le(p + 2, 2);
    it->args_size = (uint32_t)wire_load_le(p + 4, 4);
    it->target = wire_load_le(p + 8, 8);
    it->sender = wire_load_le(p + 16, 8);
    it->behaviour = wire_load_le(p + 24, 8);
    it->signature = wire_load_le(p + 32, 8);
    if (!op_known(it->op))
        return "batch item: unknown op";
    if (it->flags & ~ITEM_FLAGS)
        return "batch item: unknown flags";
    if (it->op == WIRE_OP_SPAWN && it->signature != 0)
        return "batch item: spawn signature not 0";
    if (it->args_size > WIRE_MAX_ARGS)
        return "batch item: args_size above WIRE_MAX_ARGS";
    if (it->ref_count > WIRE_MAX_REFS)
        return "batch item: ref_count above WIRE_MAX_REFS";
    if ((uint64_t)length != (uint64_t)WIRE_ITEM_FIXED_SIZE + it->args_size +
                                (uint64_t)WIRE_REF_SIZE * it->ref_count + tail_size(it->flags))
        return "batch item: item_length does not match args_size and ref_count";
    it->args = p + WIRE_ITEM_FIXED_SIZE;
    it->refs_raw = it->args + it->args_size;
    const char *err = parse_tail(it, it->refs_raw + (size_t)WIRE_REF_SIZE * it->ref_count);
    if (err)
        return err;
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
        if (wire_load_le(it->args + ref.offset, 8) != 0)
            return "batch item: args slot of a ref not zeroed";
    }
    return NULL;
}

const char *wire_decode_batch(wire_reader *r, wire_frame *f) {
    if (!wire_read_le(r, &f->u.batch.first_seq, 8) || !wire_read_u32(r, &f->u.batch.item_count))
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

bool wire_next_item(const wire_frame *frame, const uint8_t **cursor, uint32_t *index,
                    wire_item *out) {
    if (frame->kind != WIRE_BATCH || *index >= frame->u.batch.item_count || !*cursor ||
        *cursor < frame->u.batch.items || *cursor >= frame->u.batch.end)
        return false;
    wire_reader r = {*cursor, (size_t)(frame->u.batch.end - *cursor)};
    if (parse_item(&r, out) != NULL)
        return false;
    out->seq = frame->u.batch.first_seq + *index;
    *cursor = r.p;
    (*index)++;
    return true;
}

wire_ref wire_item_ref(const wire_item *item, uint16_t i) {
    if (i >= item->ref_count)
        alox_fatal("wire_item_ref: ref %u of an item with %u refs", i, item->ref_count);
    const uint8_t *p = item->refs_raw + (size_t)WIRE_REF_SIZE * i;
    return (wire_ref){(uint32_t)wire_load_le(p, 4), (uint32_t)wire_load_le(p + 4, 4),
                      wire_load_le(p + 8, 8), wire_load_le(p + 16, 8), wire_load_le(p + 24, 8)};
}

/* --- Encoding. Misuse (bad refs, sizes) is a bug: alox_fatal with the rule. --- */
void wire_batch_start(wire_buffer *b, uint64_t first_seq) {
    wire_expect_kind(b, WIRE_BATCH, "wire_batch_start");
    wire_put_le(b, first_seq, 8);
    b->count_at = b->size;
    b->items = 0;
    wire_put_le(b, 0, 4); /* item_count, patched by wire_finish */
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
    uint8_t *p = wire_grow(b, 4 + (size_t)length);
    b->item_at = (size_t)(p - b->data);
    wire_store_le(p, length, 4);
    p[4] = op;
    p[5] = 0; /* flags */
    wire_store_le(p + 6, ref_count, 2);
    wire_store_le(p + 8, args_size, 4);
    wire_store_le(p + 12, target, 8);
    wire_store_le(p + 20, sender, 8);
    wire_store_le(p + 28, behaviour, 8);
    wire_store_le(p + 36, signature, 8);
    uint8_t *copy = p + 4 + WIRE_ITEM_FIXED_SIZE, *table = copy + args_size;
    if (args_size)
        memcpy(copy, args, args_size);
    for (uint16_t i = 0; i < ref_count; i++, table += WIRE_REF_SIZE) {
        memset(copy + refs[i].offset, 0, 8);
        wire_store_le(table, refs[i].offset, 4);
        wire_store_le(table + 4, refs[i].kind, 4);
        wire_store_le(table + 8, refs[i].id, 8);
        wire_store_le(table + 16, refs[i].incarnation, 8);
        wire_store_le(table + 24, refs[i].type_hash, 8);
    }
    b->items++;
}

/* Appends a tail field of the last item: flag must not be set yet, nor
 * any of `after` (the fields that follow it in the tail); a value of 0 is
 * misuse unless zero_ok (a trace id may be 0, a cause or root may not). */
static void put_tail(wire_buffer *b, uint8_t flag, uint8_t after, uint64_t value, unsigned bytes,
                     bool zero_ok, const char *fn) {
    if (b->items == 0 || b->item_at + 4 + WIRE_ITEM_FIXED_SIZE > b->size ||
        (b->data[b->item_at + 5] & (flag | after)) || (value == 0 && !zero_ok))
        alox_fatal("%s: no item to add it to, in the tail's order (or a value of 0)", fn);
    wire_put_le(b, value, bytes);
    uint8_t *item = b->data + b->item_at;
    wire_store_le(item, wire_load_le(item, 4) + bytes, 4);
    item[5] |= flag;
}

void wire_batch_item_trace(wire_buffer *b, uint64_t trace) {
    put_tail(b, WIRE_ITEM_TRACED, WIRE_ITEM_CAUSED | WIRE_ITEM_ROOT, trace, 8, true,
             "wire_batch_item_trace");
}

void wire_batch_item_caused(wire_buffer *b, uint64_t caused_by) {
    put_tail(b, WIRE_ITEM_CAUSED, WIRE_ITEM_ROOT, caused_by, 8, false, "wire_batch_item_caused");
}

void wire_batch_item_root(wire_buffer *b, uint16_t root) {
    put_tail(b, WIRE_ITEM_ROOT, 0, root, 2, false, "wire_batch_item_root");
}
