/*
 * signature.c - what a behaviour's descriptor says about its arguments,
 * exactly as include/alox/abi.h defines it and plugin/gcc/signature.cc
 * computes it:
 *
 *   - the packed layout: a struct whose members are the parameters after
 *     self, with the prototype's types (after adjustment, qualifiers
 *     dropped), laid out naturally;
 *   - the signature string, e.g. "(i32,@ponger,{point;f64,f64},[4]u8,&)";
 *   - the ref list: every actor reference and alox_stage pointer in the
 *     packed block, nested structs and arrays flattened, by offset.
 *
 * Sizes and offsets come from libclang's record layout, which is the
 * target's; emit.c also asserts the packed struct's size and alignment
 * with _Static_assert, so a disagreement stops the build.
 */
#include "alox-clang.h"

#include <stdlib.h>
#include <string.h>

static void append_type(strbuf *out, CXType type, bool stage);

typedef struct members_state {
    strbuf *out;
    bool first;
} members_state;

static enum CXVisitorResult member_cb(CXCursor field, CXClientData data) {
    members_state *s = data;
    if (!s->first)
        sb_putc(s->out, ',');
    s->first = false;
    append_type(s->out, clang_getCursorType(field), has_annotation(field, "alox_stage"));
    return CXVisit_Continue;
}

static void append_members(strbuf *out, CXType record, char open, char close) {
    char *tag = record_tag(record);
    sb_putc(out, open);
    sb_puts(out, tag);
    sb_putc(out, ';');
    free(tag);
    members_state s = {out, true};
    clang_Type_visitFields(record, member_cb, &s);
    sb_putc(out, close);
}

/* 'i' or 'u' for an integer kind, 0 if not an integer. */
static char integer_sign(enum CXTypeKind k) {
    switch (k) {
    case CXType_Char_U: case CXType_UChar: case CXType_Char16: case CXType_Char32:
    case CXType_UShort: case CXType_UInt: case CXType_ULong: case CXType_ULongLong:
    case CXType_UInt128:
        return 'u';
    case CXType_Char_S: case CXType_SChar: case CXType_WChar: case CXType_Short:
    case CXType_Int: case CXType_Long: case CXType_LongLong: case CXType_Int128:
        return 'i';
    default:
        return 0;
    }
}

static void append_type(strbuf *out, CXType type, bool stage) {
    CXType t = unqualified_canonical(type);
    char sign = integer_sign(t.kind);
    if (sign) {
        sb_printf(out, "%c%lld", sign, clang_Type_getSizeOf(t) * 8);
        return;
    }
    switch (t.kind) {
    case CXType_Bool:
        sb_putc(out, 'b');
        return;
    case CXType_Enum: {
        CXType base = unqualified_canonical(clang_getEnumDeclIntegerType(clang_getTypeDeclaration(t)));
        char s = integer_sign(base.kind);
        sb_printf(out, "e%c%lld", s ? s : 'i', clang_Type_getSizeOf(base) * 8);
        return;
    }
    case CXType_Float: case CXType_Double: case CXType_LongDouble: case CXType_Float128:
        sb_printf(out, "f%u", float_bits(t));
        return;
    case CXType_Pointer:
        if (stage) {
            sb_putc(out, '&');
        } else {
            char *tag = record_tag(clang_getPointeeType(t));
            sb_printf(out, "@%s", tag);
            free(tag);
        }
        return;
    case CXType_ConstantArray:
        sb_printf(out, "[%lld]", clang_getArraySize(t));
        append_type(out, clang_getArrayElementType(t), false);
        return;
    case CXType_Record:
        if (clang_getCursorKind(clang_getTypeDeclaration(t)) == CXCursor_UnionDecl)
            append_members(out, t, '<', '>'); /* pointer-free unions only (checks.c) */
        else
            append_members(out, t, '{', '}');
        return;
    default:
        sb_putc(out, '?'); /* rejected by checks.c before anything is emitted */
        return;
    }
}

char *signature_of(CXCursor fn) {
    CXType fntype = function_type(fn);
    strbuf out = {0};
    sb_putc(&out, '(');
    int n = clang_getNumArgTypes(fntype), parms = clang_Cursor_getNumArguments(fn);
    for (int i = 1; i < n; i++) {
        if (i > 1)
            sb_putc(&out, ',');
        CXCursor parm = i < parms ? clang_Cursor_getArgument(fn, (unsigned)i) : clang_getNullCursor();
        append_type(&out, clang_getArgType(fntype, (unsigned)i),
                    !clang_Cursor_isNull(parm) && has_annotation(parm, "alox_stage"));
    }
    sb_putc(&out, ')');
    return out.data;
}

/* ----- refs --------------------------------------------------------- */

typedef struct refs {
    arg_ref *items;
    int count, cap;
} refs;

static void push_ref(refs *r, uint64_t offset, unsigned kind, uint64_t hash) {
    if (r->count == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 8;
        r->items = xrealloc(r->items, sizeof(arg_ref) * (size_t)r->cap);
    }
    r->items[r->count++] = (arg_ref){offset, kind, hash};
}

static void collect_refs(CXType type, bool stage, uint64_t base, refs *r);

typedef struct fields_state {
    uint64_t base;
    refs *r;
} fields_state;

static enum CXVisitorResult refs_cb(CXCursor field, CXClientData data) {
    fields_state *s = data;
    if (clang_Cursor_isBitField(field))
        return CXVisit_Continue;
    long long bits = clang_Cursor_getOffsetOfField(field);
    if (bits >= 0)
        collect_refs(clang_getCursorType(field), has_annotation(field, "alox_stage"),
                     s->base + (uint64_t)bits / 8, s->r);
    return CXVisit_Continue;
}

static void collect_refs(CXType type, bool stage, uint64_t base, refs *r) {
    CXType t = unqualified_canonical(type);
    switch (t.kind) {
    case CXType_Pointer:
        if (stage) {
            push_ref(r, base, 2, 0);
        } else {
            char *tag = record_tag(clang_getPointeeType(t));
            push_ref(r, base, 1, fnv1a(tag));
            free(tag);
        }
        return;
    case CXType_ConstantArray: {
        CXType elem = clang_getArrayElementType(t);
        refs one = {0};
        collect_refs(elem, false, 0, &one);
        long long size = clang_Type_getSizeOf(elem);
        for (long long i = 0, n = clang_getArraySize(t); i < n && one.count; i++)
            for (int j = 0; j < one.count; j++)
                push_ref(r, base + (uint64_t)(i * size) + one.items[j].offset, one.items[j].kind,
                         one.items[j].type_hash);
        free(one.items);
        return;
    }
    case CXType_Record:
        if (clang_getCursorKind(clang_getTypeDeclaration(t)) == CXCursor_StructDecl) {
            fields_state s = {base, r};
            clang_Type_visitFields(t, refs_cb, &s);
        }
        return;
    default:
        return;
    }
}

/* ----- layout ------------------------------------------------------- */

static uint64_t align_up(uint64_t v, uint64_t a) { return a ? (v + a - 1) / a * a : v; }

/* A spelling of t that is valid C at file scope, or NULL. */
static char *spell_type(CXType t) {
    char *s = cx_string(clang_getTypeSpelling(t));
    if (strstr(s, "(unnamed") || strstr(s, "(anonymous") || strstr(s, " at ")) {
        free(s);
        return NULL;
    }
    return s;
}

bool layout_of(CXCursor fn, layout *out, int *bad) {
    memset(out, 0, sizeof *out);
    CXType fntype = function_type(fn);
    int n = clang_getNumArgTypes(fntype), parms = clang_Cursor_getNumArguments(fn);
    out->count = n > 0 ? n - 1 : 0;
    out->member_types = xmalloc(sizeof(char *) * (size_t)(out->count + 1));
    out->member_types[0] = NULL;
    uint64_t offset = 0, align = 1;
    refs r = {0};
    for (int i = 1; i < n; i++) {
        CXType t = clang_getArgType(fntype, (unsigned)i);
        char *spelled = spell_type(t);
        long long size = clang_Type_getSizeOf(t), a = clang_Type_getAlignOf(t);
        if (!spelled || size < 0 || a <= 0) {
            free(spelled);
            out->count = i - 1;
            layout_free(out);
            free(r.items);
            *bad = i;
            return false;
        }
        out->member_types[i - 1] = spelled;
        offset = align_up(offset, (uint64_t)a);
        CXCursor parm = i < parms ? clang_Cursor_getArgument(fn, (unsigned)i) : clang_getNullCursor();
        collect_refs(t, !clang_Cursor_isNull(parm) && has_annotation(parm, "alox_stage"), offset, &r);
        offset += (uint64_t)size;
        if ((uint64_t)a > align)
            align = (uint64_t)a;
    }
    out->size = out->count ? align_up(offset, align) : 0;
    out->align = out->count ? align : 1;
    out->refs = r.items;
    out->ref_count = r.count;
    return true;
}

void layout_free(layout *l) {
    for (int i = 0; i < l->count; i++)
        free(l->member_types[i]);
    free(l->member_types);
    free(l->refs);
    memset(l, 0, sizeof *l);
}
