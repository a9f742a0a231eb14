/*
 * model.c - libclang's types as the shared core sees them (plugin/common).
 *
 * The rules on what can be sent, the signature string, the ref list and
 * every message are written once in plugin/common, on a small model of C
 * types (alox_type.h). This file translates CXTypes into that model; the
 * GCC plugin does the same from its trees (plugin/gcc/model.cc).
 *
 * alox_stage is an annotation on a parameter or member (a type attribute
 * in GCC), so the caller says whether the pointer it models is staged.
 */
#include "alox-clang.h"

#include <stdlib.h>
#include <string.h>

typedef struct fields_state {
    alox_arena *arena;
    alox_field *fields;
    int count;
} fields_state;

static enum CXVisitorResult count_cb(CXCursor field, CXClientData data) {
    (void)field;
    ((fields_state *)data)->count++;
    return CXVisit_Continue;
}

static enum CXVisitorResult field_cb(CXCursor field, CXClientData data) {
    fields_state *s = data;
    alox_field *f = &s->fields[s->count++];
    char *name = cx_string(clang_getCursorSpelling(field));
    f->name = alox_arena_strdup(s->arena, name);
    free(name);
    f->bitfield = clang_Cursor_isBitField(field) != 0;
    long long bits = clang_Cursor_getOffsetOfField(field);
    f->offset = !f->bitfield && bits >= 0 ? (uint64_t)bits / 8 : 0;
    f->type = model_of(s->arena, clang_getCursorType(field), has_annotation(field, "alox_stage"));
    return CXVisit_Continue;
}

static void model_fields(alox_arena *arena, CXType record, alox_type *t) {
    fields_state s = {arena, NULL, 0};
    clang_Type_visitFields(record, count_cb, &s);
    s.fields = alox_arena_alloc(arena, sizeof(alox_field) * (size_t)(s.count ? s.count : 1));
    t->field_count = s.count;
    s.count = 0;
    clang_Type_visitFields(record, field_cb, &s);
    t->fields = s.fields;
}

static char *tag_in(alox_arena *arena, CXType t, bool actor) {
    char *tag = actor ? actor_name(t) : record_tag(t);
    char *copy = alox_arena_strdup(arena, tag);
    free(tag);
    return copy;
}

/* Integer kinds: 'i' or 'u', 0 if not an integer. */
char integer_sign(enum CXTypeKind k) {
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

const alox_type *model_of(alox_arena *arena, CXType type, bool stage) {
    CXType t = unqualified_canonical(type);
    alox_type *m;
    char sign = integer_sign(t.kind);
    if (sign) {
        m = alox_arena_type(arena, ALOX_TYPE_INTEGER);
        m->bits = (unsigned)(clang_Type_getSizeOf(t) * 8);
        m->is_unsigned = sign == 'u';
    } else {
        switch (t.kind) {
        case CXType_Bool:
            m = alox_arena_type(arena, ALOX_TYPE_BOOL);
            break;
        case CXType_Enum: {
            CXType base = unqualified_canonical(
                clang_getEnumDeclIntegerType(clang_getTypeDeclaration(t)));
            m = alox_arena_type(arena, ALOX_TYPE_ENUM);
            m->bits = (unsigned)(clang_Type_getSizeOf(base) * 8);
            m->is_unsigned = integer_sign(base.kind) == 'u';
            m->tag = tag_in(arena, t, false);
            break;
        }
        case CXType_Float: case CXType_Double: case CXType_LongDouble: case CXType_Float128:
            m = alox_arena_type(arena, ALOX_TYPE_FLOAT);
            m->bits = float_bits(t);
            break;
        case CXType_Pointer: {
            m = alox_arena_type(arena, ALOX_TYPE_POINTER);
            m->stage = stage;
            CXType pointee;
            if (actor_of_pointer(t, &pointee)) {
                m->pointee = ALOX_POINTEE_ACTOR;
                m->tag = tag_in(arena, pointee, true);
            } else {
                CXType p = unqualified_canonical(clang_getPointeeType(t));
                if (p.kind == CXType_FunctionProto || p.kind == CXType_FunctionNoProto)
                    m->pointee = ALOX_POINTEE_FUNCTION;
            }
            break;
        }
        case CXType_ConstantArray: case CXType_IncompleteArray:
            m = alox_arena_type(arena, ALOX_TYPE_ARRAY);
            m->element = model_of(arena, clang_getArrayElementType(t), false);
            m->count = t.kind == CXType_ConstantArray ? (uint64_t)clang_getArraySize(t) : 0;
            m->flexible = m->count == 0;
            break;
        case CXType_Record: {
            bool is_union =
                clang_getCursorKind(clang_getTypeDeclaration(t)) == CXCursor_UnionDecl;
            m = alox_arena_type(arena, is_union ? ALOX_TYPE_UNION : ALOX_TYPE_STRUCT);
            m->actor = !is_union && is_actor_record(t);
            m->complete = is_record_complete(t);
            m->tag = tag_in(arena, t, m->actor);
            if (m->complete && !m->actor)
                model_fields(arena, t, m);
            break;
        }
        default:
            m = alox_arena_type(arena, ALOX_TYPE_OTHER);
            break;
        }
    }
    long long size = clang_Type_getSizeOf(t);
    m->size = size > 0 ? (uint64_t)size : 0;
    CXType *native = alox_arena_alloc(arena, sizeof *native);
    *native = type;
    m->native = native;
    return m;
}

/* libclang shows a parameter declared as an array undecayed (int[4],
 * int[], int[n]): C passes it as a pointer. */
const alox_type *model_of_parameter(alox_arena *arena, CXType type, CXCursor parm) {
    bool stage = !clang_Cursor_isNull(parm) && has_annotation(parm, "alox_stage");
    CXType t = unqualified_canonical(type);
    if (t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray ||
        t.kind == CXType_VariableArray || t.kind == CXType_DependentSizedArray) {
        alox_type *m = alox_arena_type(arena, ALOX_TYPE_POINTER);
        m->array_parameter = true;
        CXType *native = alox_arena_alloc(arena, sizeof *native);
        *native = type;
        m->native = native;
        return m;
    }
    return model_of(arena, type, stage);
}
