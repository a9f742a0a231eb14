/*
 * alox_signature.h - what a behaviour's descriptor says about its arguments,
 * exactly as include/alox/abi.h defines it, computed once for both front ends:
 *
 *   - the signature string, e.g. "(i32,@ponger,{point;f64,f64},[4]u8,&)",
 *     from the parameter types after self (the grammar is in abi.h);
 *   - the ref list: every actor reference and alox_stage pointer in the
 *     packed argument block, nested structs and arrays flattened, by offset.
 *
 * The packed layout itself (offsets, sizes) is the target's, which each
 * front end asks its own compiler for; the ref list is computed from a
 * STRUCT model of the packed block whose fields carry those offsets.
 *
 * Thread-safety: pure functions of their arguments.
 */
#ifndef ALOX_FE_SIGNATURE_H
#define ALOX_FE_SIGNATURE_H

#include "alox_text.h"
#include "alox_type.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One type in the signature grammar: "i32", "{point;f64,f64}", ... */
void alox_append_signature_type(alox_text *out, const alox_type *type);

/* "(" type { "," type } ")" for the parameters after self. */
void alox_signature(alox_text *out, const alox_type *const *params, int count);

typedef struct alox_ref {
    uint64_t offset;
    unsigned kind;      /* enum alox_ref_kind: 1 actor, 2 stage */
    uint64_t type_hash; /* actor: alox_hash(its name); stage: 0 */
} alox_ref;

typedef struct alox_refs {
    alox_ref *items;
    int count, cap;
} alox_refs;

/* Append the refs of a value of `type` stored at byte `base`. */
void alox_collect_refs(const alox_type *type, uint64_t base, alox_refs *out);
void alox_refs_free(alox_refs *refs);

#ifdef __cplusplus
}
#endif

#endif
