/*
 * alox_signature.c - signature strings and ref lists (see alox_signature.h).
 */
#include "alox_signature.h"

#include <stdio.h>
#include <stdlib.h>

#include "alox/abi.h"

static void append_members(alox_text *out, const alox_type *t, char open, char close) {
    alox_text_putc(out, open);
    alox_text_put(out, t->tag);
    alox_text_putc(out, ';');
    for (int i = 0; i < t->field_count; i++) {
        if (i)
            alox_text_putc(out, ',');
        alox_append_signature_type(out, t->fields[i].type);
    }
    alox_text_putc(out, close);
}

void alox_append_signature_type(alox_text *out, const alox_type *t) {
    switch (t->kind) {
    case ALOX_TYPE_BOOL:
        alox_text_putc(out, 'b');
        return;
    case ALOX_TYPE_ENUM:
        alox_text_putc(out, 'e');
        /* an enum is its underlying integer type */
        __attribute__((fallthrough));
    case ALOX_TYPE_INTEGER:
        alox_text_printf(out, "%c%u", t->is_unsigned ? 'u' : 'i', t->bits);
        return;
    case ALOX_TYPE_FLOAT:
        alox_text_printf(out, "f%u", t->bits);
        return;
    case ALOX_TYPE_POINTER:
        if (t->stage) {
            alox_text_putc(out, '&');
        } else {
            alox_text_putc(out, '@');
            alox_text_put(out, t->tag);
        }
        return;
    case ALOX_TYPE_ARRAY:
        alox_text_printf(out, "[%llu]", (unsigned long long)t->count);
        alox_append_signature_type(out, t->element);
        return;
    case ALOX_TYPE_STRUCT:
        append_members(out, t, '{', '}');
        return;
    case ALOX_TYPE_UNION: /* pointer-free unions only (alox_sendable.c) */
        append_members(out, t, '<', '>');
        return;
    default:
        alox_text_putc(out, '?'); /* not sendable: rejected before anything is emitted */
        return;
    }
}

void alox_signature(alox_text *out, const alox_type *const *params, int count) {
    alox_text_putc(out, '(');
    for (int i = 0; i < count; i++) {
        if (i)
            alox_text_putc(out, ',');
        alox_append_signature_type(out, params[i]);
    }
    alox_text_putc(out, ')');
}

static void push(alox_refs *r, uint64_t offset, unsigned kind, uint64_t hash) {
    if (r->count == r->cap) {
        int cap = r->cap ? r->cap * 2 : 8;
        alox_ref *items = realloc(r->items, sizeof(alox_ref) * (size_t)cap);
        if (!items) {
            fputs("alox front end: out of memory\n", stderr);
            abort();
        }
        r->items = items;
        r->cap = cap;
    }
    r->items[r->count].offset = offset;
    r->items[r->count].kind = kind;
    r->items[r->count].type_hash = hash;
    r->count++;
}

void alox_collect_refs(const alox_type *t, uint64_t base, alox_refs *out) {
    switch (t->kind) {
    case ALOX_TYPE_POINTER:
        if (t->stage)
            push(out, base, ALOX_REF_STAGE, 0);
        else
            push(out, base, ALOX_REF_ACTOR, alox_hash(t->tag));
        return;
    case ALOX_TYPE_ARRAY: {
        alox_refs one = {0};
        alox_collect_refs(t->element, 0, &one);
        for (uint64_t i = 0; i < t->count && one.count; i++)
            for (int j = 0; j < one.count; j++)
                push(out, base + i * t->element->size + one.items[j].offset, one.items[j].kind,
                     one.items[j].type_hash);
        alox_refs_free(&one);
        return;
    }
    case ALOX_TYPE_STRUCT: /* unions carry no pointer (alox_sendable.c) */
        for (int i = 0; i < t->field_count; i++)
            if (!t->fields[i].bitfield)
                alox_collect_refs(t->fields[i].type, base + t->fields[i].offset, out);
        return;
    default:
        return;
    }
}

void alox_refs_free(alox_refs *refs) {
    free(refs->items);
    refs->items = NULL;
    refs->count = refs->cap = 0;
}
