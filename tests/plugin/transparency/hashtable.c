/* Unannotated C: an open-addressing hash table with function pointers,
 * varargs logging and inline helpers. Must compile identically with and
 * without the plugin. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry { const char *key; int64_t value; };
struct table { struct entry *slots; size_t cap, len; uint64_t (*hash)(const char *); };

static inline uint64_t fnv(const char *s) {
    uint64_t h = 0xcbf29ce484222325ull;
    while (*s) { h ^= (unsigned char)*s++; h *= 0x100000001b3ull; }
    return h;
}

static void logf_(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

struct table *table_new(size_t cap) {
    struct table *t = malloc(sizeof *t);
    if (!t) return NULL;
    t->slots = calloc(cap, sizeof *t->slots);
    t->cap = cap; t->len = 0; t->hash = fnv;
    return t;
}

int table_put(struct table *t, const char *key, int64_t value) {
    if (t->len * 2 >= t->cap) { logf_("table full: %zu/%zu\n", t->len, t->cap); return -1; }
    for (size_t i = t->hash(key) % t->cap;; i = (i + 1) % t->cap) {
        struct entry *e = &t->slots[i];
        if (!e->key) { e->key = key; e->value = value; t->len++; return 0; }
        if (strcmp(e->key, key) == 0) { e->value = value; return 0; }
    }
}

int64_t table_get(const struct table *t, const char *key, int64_t fallback) {
    for (size_t i = t->hash(key) % t->cap;; i = (i + 1) % t->cap) {
        const struct entry *e = &t->slots[i];
        if (!e->key) return fallback;
        if (strcmp(e->key, key) == 0) return e->value;
    }
}

static int cmp(const void *a, const void *b) {
    const struct entry *x = a, *y = b;
    return (x->value > y->value) - (x->value < y->value);
}

void table_sorted(struct table *t, void (*visit)(const struct entry *)) {
    struct entry *copy = malloc(t->cap * sizeof *copy);
    size_t n = 0;
    for (size_t i = 0; i < t->cap; i++) if (t->slots[i].key) copy[n++] = t->slots[i];
    qsort(copy, n, sizeof *copy, cmp);
    for (size_t i = 0; i < n; i++) visit(&copy[i]);
    free(copy);
}
