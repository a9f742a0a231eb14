/*
 * signature.c - what a behaviour's descriptor says about its arguments,
 * exactly as include/alox/abi.h defines it and plugin/gcc/signature.cc
 * computes it (the signature string and ref list by the shared core,
 * plugin/common/alox_signature.h):
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

char *signature_of(CXCursor fn) {
    CXType fntype = function_type(fn);
    int n = clang_getNumArgTypes(fntype), parms = clang_Cursor_getNumArguments(fn);
    alox_arena arena = {0};
    const alox_type **params = alox_arena_alloc(&arena, sizeof *params * (size_t)(n > 0 ? n : 1));
    int count = 0;
    for (int i = 1; i < n; i++) {
        CXCursor parm = i < parms ? clang_Cursor_getArgument(fn, (unsigned)i) : clang_getNullCursor();
        params[count++] = model_of_parameter(&arena, clang_getArgType(fntype, (unsigned)i), parm);
    }
    alox_text text = {0};
    alox_signature(&text, params, count);
    char *out = xstrdup(alox_text_str(&text));
    alox_text_free(&text);
    alox_arena_free(&arena);
    return out;
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
    /* The packed block as a struct of the model, for the shared ref list. */
    alox_arena arena = {0};
    alox_type *packed = alox_arena_type(&arena, ALOX_TYPE_STRUCT);
    alox_field *fields = alox_arena_alloc(&arena, sizeof *fields * (size_t)(out->count + 1));
    packed->fields = fields;
    packed->complete = true;
    uint64_t offset = 0, align = 1;
    for (int i = 1; i < n; i++) {
        CXType t = clang_getArgType(fntype, (unsigned)i);
        char *spelled = spell_type(t);
        long long size = clang_Type_getSizeOf(t), a = clang_Type_getAlignOf(t);
        if (!spelled || size < 0 || a <= 0) {
            free(spelled);
            out->count = i - 1;
            layout_free(out);
            alox_arena_free(&arena);
            *bad = i;
            return false;
        }
        out->member_types[i - 1] = spelled;
        offset = align_up(offset, (uint64_t)a);
        CXCursor parm = i < parms ? clang_Cursor_getArgument(fn, (unsigned)i) : clang_getNullCursor();
        fields[i - 1].name = "";
        fields[i - 1].offset = offset;
        fields[i - 1].type = model_of_parameter(&arena, t, parm);
        packed->field_count = i;
        offset += (uint64_t)size;
        if ((uint64_t)a > align)
            align = (uint64_t)a;
    }
    /* alox_future(T): the alox_reply after the parameters (alox/abi.h),
     * two 8-byte members whose first is an actor reference */
    out->future = is_future_behaviour(fn);
    if (out->future) {
        out->reply_offset = align_up(offset, 8);
        offset = out->reply_offset + 16;
        if (align < 8)
            align = 8;
    }
    bool any = out->count || out->future;
    out->size = any ? align_up(offset, align) : 0;
    out->align = any ? align : 1;
    alox_refs refs = {0};
    alox_collect_refs(packed, 0, &refs);
    out->refs = xmalloc(sizeof(arg_ref) * (size_t)(refs.count + 2));
    for (int i = 0; i < refs.count; i++)
        out->refs[i] = (arg_ref){refs.items[i].offset, refs.items[i].kind, refs.items[i].type_hash};
    out->ref_count = refs.count;
    if (out->future)
        out->refs[out->ref_count++] =
            (arg_ref){out->reply_offset, 1u /* actor */, alox_fe_hash("alox_futures")};
    alox_refs_free(&refs);
    alox_arena_free(&arena);
    return true;
}

void layout_free(layout *l) {
    for (int i = 0; i < l->count; i++)
        free(l->member_types[i]);
    free(l->member_types);
    free(l->refs);
    memset(l, 0, sizeof *l);
}
