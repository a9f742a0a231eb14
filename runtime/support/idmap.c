/* idmap.c - see idmap.h. */
#include "idmap.h"

#include <stdlib.h>

#include "platform.h"

#define IDMAP_MIN_CAPACITY 64 /* slots */
#define IDMAP_MAX_LOAD_PERCENT 70

/* Fibonacci hashing spreads sequential ids over the table. */
static size_t slot_of(uint64_t id, size_t capacity) {
    return (size_t)((id * 0x9e3779b97f4a7c15ull) >> 32) & (capacity - 1);
}

void *idmap_get(const idmap *map, uint64_t id) {
    if (map->capacity == 0 || id == 0)
        return NULL;
    for (size_t i = slot_of(id, map->capacity);; i = (i + 1) & (map->capacity - 1)) {
        if (map->keys[i] == id)
            return map->values[i];
        if (map->keys[i] == 0)
            return NULL;
    }
}

static void insert(idmap *map, uint64_t id, void *value) {
    size_t i = slot_of(id, map->capacity);
    while (map->keys[i] != 0 && map->keys[i] != id)
        i = (i + 1) & (map->capacity - 1);
    if (map->keys[i] == 0)
        map->count++;
    map->keys[i] = id;
    map->values[i] = value;
}

static void grow(idmap *map) {
    idmap bigger = {NULL, NULL, map->capacity ? map->capacity * 2 : IDMAP_MIN_CAPACITY, 0};
    bigger.keys = calloc(bigger.capacity, sizeof *bigger.keys);
    bigger.values = calloc(bigger.capacity, sizeof *bigger.values);
    if (!bigger.keys || !bigger.values)
        alox_fatal("out of memory growing an id map to %zu entries", bigger.capacity);
    for (size_t i = 0; i < map->capacity; i++)
        if (map->keys[i])
            insert(&bigger, map->keys[i], map->values[i]);
    free(map->keys);
    free(map->values);
    *map = bigger;
}

void idmap_put(idmap *map, uint64_t id, void *value) {
    if ((map->count + 1) * 100 > map->capacity * IDMAP_MAX_LOAD_PERCENT)
        grow(map);
    insert(map, id, value);
}

/* Backward-shift deletion: every entry in the run after the hole that may
 * live in it (its home slot is not between the hole and itself) moves in. */
void idmap_remove(idmap *map, uint64_t id) {
    if (map->capacity == 0 || id == 0)
        return;
    size_t mask = map->capacity - 1, hole = slot_of(id, map->capacity);
    while (map->keys[hole] != id) {
        if (map->keys[hole] == 0)
            return;
        hole = (hole + 1) & mask;
    }
    for (size_t i = (hole + 1) & mask; map->keys[i] != 0; i = (i + 1) & mask) {
        size_t home = slot_of(map->keys[i], map->capacity);
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            map->keys[hole] = map->keys[i];
            map->values[hole] = map->values[i];
            hole = i;
        }
    }
    map->keys[hole] = 0;
    map->values[hole] = NULL;
    map->count--;
}
