/* registry.c - see registry.h. */
#include "registry.h"

#include <ctype.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"

typedef struct table {
    const void **items;
    size_t count, capacity;
} table;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static table types, behaviours;

static void table_add(table *t, const void *item) {
    if (t->count == t->capacity) {
        t->capacity = t->capacity ? 2 * t->capacity : 64;
        t->items = realloc(t->items, t->capacity * sizeof *t->items);
        if (!t->items)
            alox_fatal("out of memory registering descriptors");
    }
    t->items[t->count++] = item;
}

static void check_version(uint32_t version, const char *what, const char *name) {
    if (version != ALOX_ABI_VERSION)
        alox_fatal("%s %s was compiled for Alox ABI %u, this libalox speaks ABI %u: rebuild it "
                   "with the plugin that matches the installed library",
                   what, name, version, ALOX_ABI_VERSION);
}

static const alox_type_desc *type_by_hash_locked(uint64_t hash) {
    for (size_t i = 0; i < types.count; i++) {
        const alox_type_desc *t = types.items[i];
        if (t->name_hash == hash)
            return t;
    }
    return NULL;
}

void alox_register_type(const alox_type_desc *type) {
    check_version(type->abi_version, "actor type", type->name ? type->name : "(unnamed)");
    if (!type->name || alox_hash(type->name) != type->name_hash)
        alox_fatal("actor type descriptor %s has a wrong name hash (a front-end bug)",
                   type->name ? type->name : "(unnamed)");
    pthread_mutex_lock(&lock);
    const alox_type_desc *known = type_by_hash_locked(type->name_hash);
    if (known && (known->size != type->size || known->align != type->align))
        alox_fatal("actor type %s is defined twice with different sizes (%llu and %llu bytes): "
                   "every unit must see one definition",
                   type->name, (unsigned long long)known->size, (unsigned long long)type->size);
    if (!known)
        table_add(&types, type);
    pthread_mutex_unlock(&lock);
}

void alox_register_behaviour(const alox_behaviour_desc *b) {
    check_version(b->abi_version, "behaviour", b->name ? b->name : "(unnamed)");
    if (!b->name || !b->signature || alox_hash(b->name) != b->name_hash ||
        alox_hash(b->signature) != b->signature_hash)
        alox_fatal("behaviour descriptor %s has wrong hashes (a front-end bug)",
                   b->name ? b->name : "(unnamed)");
    if (!b->trampoline || b->args_align == 0 || (b->args_align & (b->args_align - 1)))
        alox_fatal("behaviour descriptor %s is malformed (no trampoline or bad alignment)", b->name);
    pthread_mutex_lock(&lock);
    bool known = false;
    for (size_t i = 0; i < behaviours.count && !known; i++)
        known = behaviours.items[i] == b;
    if (!known)
        table_add(&behaviours, b);
    pthread_mutex_unlock(&lock);
}

/* "struct  pinger" -> "pinger"; "pinger" -> "pinger". */
static void tag_of(const char *spelled, char *tag, size_t size) {
    while (isspace((unsigned char)*spelled))
        spelled++;
    if (strncmp(spelled, "struct", 6) == 0 && isspace((unsigned char)spelled[6]))
        spelled += 7;
    while (isspace((unsigned char)*spelled))
        spelled++;
    size_t n = 0;
    while (spelled[n] && !isspace((unsigned char)spelled[n]) && n + 1 < size) {
        tag[n] = spelled[n];
        n++;
    }
    tag[n] = '\0';
}

const alox_type_desc *registry_type_by_spelling(const char *spelled) {
    char tag[256];
    tag_of(spelled, tag, sizeof tag);
    return registry_type_by_hash(alox_hash(tag));
}

const alox_type_desc *registry_type_by_hash(uint64_t name_hash) {
    pthread_mutex_lock(&lock);
    const alox_type_desc *t = type_by_hash_locked(name_hash);
    pthread_mutex_unlock(&lock);
    return t;
}

const alox_behaviour_desc *registry_behaviour_by_hash(uint64_t name_hash) {
    const alox_behaviour_desc *found = NULL;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < behaviours.count && !found; i++) {
        const alox_behaviour_desc *b = behaviours.items[i];
        if (b->name_hash == name_hash)
            found = b;
    }
    pthread_mutex_unlock(&lock);
    return found;
}
