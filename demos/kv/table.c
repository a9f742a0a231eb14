/* table.c - see table.h. */
#include "table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_MIN_BUCKETS 1024
#define ENTRY_SPARE 16 /* value bytes kept beyond the first value, so an INCR rarely reallocates */

/* Eight bytes a step, then a full mix (murmur3's finalizer), so that the
 * low bits (the bucket) and the remainder (the shard) both depend on
 * every byte. Byte-at-a-time FNV-1a was ~100 instructions of every
 * request for redis-benchmark's 16-byte keys. */
uint64_t table_hash(const char *key, size_t len) {
    uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, key + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    uint64_t tail = 0;
    for (size_t k = 0; i + k < len; k++)
        tail |= (uint64_t)(unsigned char)key[i + k] << (8 * k);
    h ^= tail;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

static void *checked(void *p) {
    if (!p) {
        fprintf(stderr, "kv: out of memory\n");
        abort();
    }
    return p;
}

table_entry *table_get(const table *t, const char *key, size_t len, uint64_t hash) {
    if (!t->buckets)
        return NULL;
    for (table_entry *e = t->buckets[hash & (t->bucket_count - 1)]; e; e = e->next)
        if (e->hash == hash && e->key_len == len && memcmp(e->bytes, key, len) == 0)
            return e;
    return NULL;
}

static void grow(table *t) {
    size_t count = t->bucket_count ? t->bucket_count * 2 : TABLE_MIN_BUCKETS;
    table_entry **buckets = checked(calloc(count, sizeof *buckets));
    for (size_t i = 0; i < t->bucket_count; i++)
        for (table_entry *e = t->buckets[i], *next; e; e = next) {
            next = e->next;
            e->next = buckets[e->hash & (count - 1)];
            buckets[e->hash & (count - 1)] = e;
        }
    free(t->buckets);
    t->buckets = buckets;
    t->bucket_count = count;
}

static char *inline_value(table_entry *e) { return e->bytes + e->key_len; }

void table_set(table *t, const char *key, size_t len, uint64_t hash, const char *value, size_t value_len) {
    table_entry *e = table_get(t, key, len, hash);
    if (e) {
        if (value_len > e->value_capacity) {
            if (e->value != inline_value(e))
                free(e->value);
            e->value = checked(malloc(value_len));
            e->value_capacity = (uint32_t)value_len;
        }
        memcpy(e->value, value, value_len);
        e->value_len = (uint32_t)value_len;
        return;
    }
    if (t->count >= t->bucket_count)
        grow(t);
    e = checked(malloc(sizeof *e + len + value_len + ENTRY_SPARE));
    e->hash = hash;
    e->key_len = (uint32_t)len;
    e->value_len = (uint32_t)value_len;
    e->value_capacity = (uint32_t)(value_len + ENTRY_SPARE);
    memcpy(e->bytes, key, len);
    e->value = inline_value(e);
    memcpy(e->value, value, value_len);
    table_entry **bucket = &t->buckets[hash & (t->bucket_count - 1)];
    e->next = *bucket;
    *bucket = e;
    t->count++;
}

int table_del(table *t, const char *key, size_t len, uint64_t hash) {
    if (!t->buckets)
        return 0;
    for (table_entry **p = &t->buckets[hash & (t->bucket_count - 1)]; *p; p = &(*p)->next) {
        table_entry *e = *p;
        if (e->hash == hash && e->key_len == len && memcmp(e->bytes, key, len) == 0) {
            *p = e->next;
            if (e->value != inline_value(e))
                free(e->value);
            free(e);
            t->count--;
            return 1;
        }
    }
    return 0;
}
