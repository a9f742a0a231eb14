/*
 * table.h - one shard's keyspace for demos/kv: a chained hash table of
 * binary-safe keys and values (each entry one allocation). Plain C, owned
 * by one shard actor: no locking.
 */
#ifndef KV_TABLE_H
#define KV_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct table_entry {
    struct table_entry *next;
    uint64_t hash;
    uint32_t key_len, value_len, value_capacity;
    char *value; /* points into the entry's allocation while it fits */
    char bytes[]; /* key, then (while it fits) value */
} table_entry;

typedef struct table {
    table_entry **buckets;
    size_t bucket_count, count;
} table;

uint64_t table_hash(const char *key, size_t len);

/* The entry of key, or NULL. */
table_entry *table_get(const table *t, const char *key, size_t len, uint64_t hash);

/* Sets key to value (copies both). */
void table_set(table *t, const char *key, size_t len, uint64_t hash, const char *value, size_t value_len);

/* Removes key: 1 if it was there. */
int table_del(table *t, const char *key, size_t len, uint64_t hash);

#endif
