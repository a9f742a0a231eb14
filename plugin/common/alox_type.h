/*
 * alox_type.h - a C type as both front ends describe it to the shared rules.
 *
 * GCC's trees and libclang's CXTypes are two views of the same C types.
 * Each front end translates the types of a behaviour's parameters into
 * this one small model (plugin/gcc/model.cc, plugin/clang/model.c); the
 * rules that decide what can be sent (alox_sendable.h), the signature
 * string and the list of references in a message (alox_signature.h) are
 * then written once, here, on the model. A new kind of sendable type, or
 * a change to the signature grammar, is one change for both front ends.
 *
 * The model holds only what those rules need. `native` points back to the
 * front end's own type, so a message can name a type the way that
 * compiler names it ('int32_t' {aka 'int'} for GCC, (aka 'int') for clang).
 *
 * Memory: every node of one model lives in an alox_arena, freed at once.
 * Thread-safety: none needed; both front ends are single-threaded.
 */
#ifndef ALOX_FE_TYPE_H
#define ALOX_FE_TYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum alox_type_kind {
    ALOX_TYPE_BOOL,
    ALOX_TYPE_INTEGER, /* char, short, int, long, long long, __int128, signed or not */
    ALOX_TYPE_ENUM,
    ALOX_TYPE_FLOAT,
    ALOX_TYPE_POINTER,
    ALOX_TYPE_ARRAY,
    ALOX_TYPE_STRUCT,
    ALOX_TYPE_UNION,
    ALOX_TYPE_OTHER, /* complex, vector, decimal float, ...: never sendable */
} alox_type_kind;

/* What a pointer points to, as far as sending is concerned. */
typedef enum alox_pointee {
    ALOX_POINTEE_DATA,     /* anything else: a plain pointer */
    ALOX_POINTEE_ACTOR,    /* an alox_actor struct, or a tagged struct not complete here
                              (it may be an actor completed in another unit) */
    ALOX_POINTEE_FUNCTION, /* code */
} alox_pointee;

typedef struct alox_type alox_type;

typedef struct alox_field {
    const char *name;      /* "" for an anonymous struct or union member */
    uint64_t offset;       /* bytes from the start of the record */
    bool bitfield;
    const alox_type *type; /* a bit-field's declared type */
} alox_field;

struct alox_type {
    alox_type_kind kind;
    /* INTEGER, ENUM (its underlying integer type), FLOAT: bits of precision
     * as GCC counts them (long double on x86: 80); 0 if unknown. */
    unsigned bits;
    bool is_unsigned;         /* INTEGER, ENUM */
    /* ENUM, STRUCT, UNION: the tag, "" if anonymous. An actor struct, and
     * a POINTER to one: the actor's name (its tag, or for an anonymous
     * actor struct the typedef that names it). */
    const char *tag;
    uint64_t size;            /* bytes; 0 if unknown (incomplete) */

    /* POINTER */
    alox_pointee pointee;
    bool stage;               /* marked alox_stage */
    bool array_parameter;     /* a parameter declared as an array: C made it a pointer */

    /* ARRAY */
    const alox_type *element;
    uint64_t count;
    bool flexible;            /* no length, or length 0 */

    /* STRUCT, UNION */
    bool actor;               /* STRUCT marked alox_actor */
    bool complete;
    int field_count;
    const alox_field *fields;

    const void *native;       /* the front end's own type, for messages */
};

/* ----- memory for one model -------------------------------------------- */

typedef struct alox_arena {
    struct alox_arena_block *blocks;
} alox_arena;

void *alox_arena_alloc(alox_arena *arena, size_t size); /* zeroed */
alox_type *alox_arena_type(alox_arena *arena, alox_type_kind kind);
char *alox_arena_strdup(alox_arena *arena, const char *text);
void alox_arena_free(alox_arena *arena);

/* FNV-1a, the hash of include/alox/abi.h (alox_hash), for the front ends. */
uint64_t alox_fe_hash(const char *text);

#ifdef __cplusplus
}
#endif

#endif
