/*
 * alox_type.c - memory for the type model (see alox_type.h).
 */
#include "alox_type.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alox/abi.h"

struct alox_arena_block {
    struct alox_arena_block *next;
    max_align_t data[];
};

void *alox_arena_alloc(alox_arena *arena, size_t size) {
    struct alox_arena_block *b = calloc(1, sizeof *b + size);
    if (!b) {
        fputs("alox front end: out of memory\n", stderr);
        abort();
    }
    b->next = arena->blocks;
    arena->blocks = b;
    return b->data;
}

alox_type *alox_arena_type(alox_arena *arena, alox_type_kind kind) {
    alox_type *t = alox_arena_alloc(arena, sizeof *t);
    t->kind = kind;
    t->tag = "";
    return t;
}

char *alox_arena_strdup(alox_arena *arena, const char *text) {
    size_t n = strlen(text) + 1;
    char *copy = alox_arena_alloc(arena, n);
    memcpy(copy, text, n);
    return copy;
}

void alox_arena_free(alox_arena *arena) {
    while (arena->blocks) {
        struct alox_arena_block *next = arena->blocks->next;
        free(arena->blocks);
        arena->blocks = next;
    }
}

uint64_t alox_fe_hash(const char *text) { return alox_hash(text); }
