/*
 * etcd.h - the little of etcd's v3 API that cluster membership needs,
 * spoken to etcd's JSON gateway (etcd 3.4: POST /v3/...) with libcurl,
 * bodies built and read with Jansson. Keys and values are base64 on the
 * wire (libsodium's codec); 64-bit numbers travel as JSON strings, as
 * the gateway writes them.
 *
 *   etcd_lease_grant      POST /v3/lease/grant      {"TTL": s}
 *   etcd_lease_keepalive  POST /v3/lease/keepalive  {"ID": "n"}
 *   etcd_lease_revoke     POST /v3/lease/revoke     {"ID": "n"}
 *   etcd_put              POST /v3/kv/put           {"key","value","lease"}
 *   etcd_range_prefix     POST /v3/kv/range         {"key","range_end"}
 *   etcd_watch_start      POST /v3/watch            {"create_request": {...}}, a stream
 *
 * Every request is bounded by ETCD_REQUEST_TIMEOUT_MS (a dead etcd never
 * stalls the caller for longer); the watch is one long response read by
 * etcd_wait as it arrives. On failure a function returns false (or -1)
 * and leaves one line saying what went wrong in client->error.
 *
 * Thread-safety: an etcd_client belongs to one thread, except
 * etcd_wakeup, which any thread may call while the owner is in
 * etcd_wait. etcd_global_init before the first etcd_open (libcurl's
 * global state: once per process, from one thread), and cluster_libs_load
 * before either: libcurl and Jansson are reached through cluster_libs.h's
 * tables, never linked.
 */
#ifndef ALOX_ETCD_H
#define ALOX_ETCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Tunables. */
#define ETCD_REQUEST_TIMEOUT_MS 1000  /* one request; well below a lease's third */
#define ETCD_CONNECT_TIMEOUT_MS 500   /* loopback or a LAN: a refused or silent port shows at once */
#define ETCD_WATCH_BUFFER_MAX (4u << 20) /* an unparsable watch stream this long is dropped and resynced */
#define ETCD_WATCH_KEEPALIVE_S 5L        /* TCP keepalive on the watch: a vanished etcd host shows in ~15 s, not 2 h */

/* A key-value pair seen in a range or a watch event (value empty and
 * deleted true for a DELETE event). The bytes are not NUL-terminated. */
typedef struct etcd_kv {
    const char *key, *value;
    size_t key_size, value_size;
    bool deleted;
    int64_t mod_revision;
} etcd_kv;

typedef void (*etcd_kv_fn)(void *context, const etcd_kv *kv);

typedef struct etcd_client etcd_client;

bool etcd_global_init(void);

/* A client of http://HOST:PORT (HOST an IPv4 name or address, or [IPv6]).
 * NULL only when out of memory. Opening sends nothing. */
etcd_client *etcd_open(const char *host, unsigned port);
void etcd_close(etcd_client *client);
const char *etcd_error(const etcd_client *client);

/* A lease of ttl_s seconds: its id and the TTL etcd granted (etcd may
 * round a short TTL up to its minimum). */
bool etcd_lease_grant(etcd_client *client, int64_t ttl_s, int64_t *lease, int64_t *granted_ttl);

/* 1: renewed (its TTL in *ttl_s); 0: etcd no longer knows the lease
 * (expired, or etcd lost its data): grant a new one; -1: no answer. */
int etcd_lease_keepalive(etcd_client *client, int64_t lease, int64_t *ttl_s);

bool etcd_lease_revoke(etcd_client *client, int64_t lease);

/* key = value, attached to lease (0: none). */
bool etcd_put(etcd_client *client, const char *key, const void *value, size_t value_size,
              int64_t lease);

/* Every key beginning with prefix, as fn(context, kv) in key order, and
 * the store's revision at the time (watch from revision + 1). */
bool etcd_range_prefix(etcd_client *client, const char *prefix, etcd_kv_fn fn, void *context,
                       int64_t *revision);

/* Starts watching every key beginning with prefix from start_revision:
 * each PUT and DELETE becomes fn(context, kv) during etcd_wait. At most
 * one watch per client; a running one is replaced. */
bool etcd_watch_start(etcd_client *client, const char *prefix, int64_t start_revision,
                      etcd_kv_fn fn, void *context);

/* Drops the watch (if any): etcd_watching is false until the next
 * etcd_watch_start. */
void etcd_watch_stop(etcd_client *client);

/* Is the watch stream open and created? False after etcd closed it, the
 * connection broke, etcd cancelled it (e.g. its start revision was
 * compacted), or before etcd_watch_start. */
bool etcd_watching(const etcd_client *client);

/* Reads the watch as its events arrive for up to timeout_ms, or until
 * etcd_wakeup. */
void etcd_wait(etcd_client *client, int timeout_ms);

/* Any thread: ends the owner's etcd_wait at once. */
void etcd_wakeup(etcd_client *client);

#endif
