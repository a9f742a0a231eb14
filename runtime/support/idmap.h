/*
 * idmap.h - a hash map from 64-bit ids to pointers (open addressing,
 * linear probing, power-of-two capacity). Used for exported actors (id ->
 * actor), proxies (remote id -> proxy), published names (name hash ->
 * actor), and the timers and descriptor watches of each actor (actor id ->
 * list, removed when the list empties). Ids are never 0 (0 marks an empty
 * slot).
 *
 * Thread-safety: none; callers hold their own lock.
 */
#ifndef ALOX_IDMAP_H
#define ALOX_IDMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct idmap {
    uint64_t *keys;
    void **values;
    size_t capacity, count;
} idmap;

#define IDMAP_INITIALIZER {NULL, NULL, 0, 0}

/* The value for id, or NULL. */
void *idmap_get(const idmap *map, uint64_t id);

/* Sets id -> value (replacing). id must not be 0. */
void idmap_put(idmap *map, uint64_t id, void *value);

/* Removes id (if present); the entries after it move back into place, so
 * lookups never need tombstones. */
void idmap_remove(idmap *map, uint64_t id);

#endif
