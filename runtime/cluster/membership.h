/*
 * membership.h - cluster membership on etcd (--alox-cluster
 * etcd://HOST:PORT/CLUSTER, README "Clusters"): this node registers its
 * record (member_record.h) under a lease it keeps alive, watches the
 * cluster's prefix, and tells the network layer and the program who is a
 * member, so that nodes find each other from the cluster alone.
 *
 * One thread (the cluster thread) does all of it, through etcd.h:
 *
 *   register   grant a lease of lease_ttl_s, put the record on it; then a
 *              keepalive every third of the TTL. A lease etcd no longer
 *              knows (expired, or etcd came back without its data) is
 *              replaced: the node registers again.
 *   watch      a range of the prefix (the members now), then a watch from
 *              the next revision. Whenever the watch ends (etcd stopped,
 *              the connection broke, the revision was compacted) the
 *              thread ranges again and compares: nothing is missed.
 *
 * A dead node's lease ends lease_ttl_s after its last keepalive and etcd
 * deletes its record: the others see it leave within the TTL plus the
 * watch's delivery. A node that ends cleanly revokes its lease: it leaves
 * at once. A restarted node has a new incarnation: the others see the
 * old one leave and the new one join.
 *
 * Trust stays in the trust file: a record whose name is not there, or is
 * there with another key, is ignored and logged (once per record).
 *
 * An etcd outage changes nothing that works: links between nodes are the
 * transport's (heartbeats judge them, not etcd), members stay members
 * while the watch is down, and the thread retries every
 * MEMBERSHIP_RETRY_MS (and a random part) until etcd answers, then registers again if its
 * lease is gone and resynchronises the members.
 *
 * Thread-safety: membership_start and membership_stop from the thread of
 * alox_init (and its atexit); membership_members,
 * membership_self_incarnation, membership_running and alox_on_member from
 * any thread (alox_on_member not while the program exits). The hooks and
 * the program's alox_on_member function run on the cluster thread.
 */
#ifndef ALOX_MEMBERSHIP_H
#define ALOX_MEMBERSHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "security/keys.h"

/* Tunables. */
#define MEMBERSHIP_LEASE_TTL_S 5  /* default lease: a dead node leaves within this + ~1 s (ALOX_CLUSTER_LEASE_S) */
#define MEMBERSHIP_RETRY_MS 250   /* etcd down: try again after this, plus as much at random (cheap: a refused connect) */
#define MEMBERSHIP_CLUSTER_MAX 64 /* characters of a cluster name ([A-Za-z0-9_.-]) */

/* --alox-cluster etcd://HOST:PORT/CLUSTER, taken apart. */
typedef struct cluster_url {
    char host[256];  /* as written (IPv6 with its brackets) */
    unsigned port;
    char cluster[MEMBERSHIP_CLUSTER_MAX + 1];
} cluster_url;

/* Parses and checks the URL; false with why (without the URL) if it is
 * not etcd://HOST:PORT/CLUSTER. */
bool cluster_url_parse(const char *text, cluster_url *out, char *why, size_t why_size);

/* What the network layer does with members (the cluster layer sits above
 * net and calls down only through these). */
typedef struct membership_hooks {
    void (*joined)(const char *node, const char *address, uint64_t incarnation);
    void (*left)(const char *node, uint64_t incarnation);
} membership_hooks;

typedef struct membership_config {
    cluster_url url;
    const char *node;        /* this node's name */
    const char *address;     /* where others reach it: its --alox-listen */
    const char *public_z85;  /* its CURVE public key */
    const alox_trust *trust; /* read-only while membership runs */
    int64_t lease_ttl_s;     /* 0: MEMBERSHIP_LEASE_TTL_S */
    membership_hooks hooks;
} membership_config;

/* Starts the cluster thread. It does not wait for etcd: a node may start
 * while etcd is down and registers when etcd answers. False (with err)
 * only if the thread or libcurl cannot start, or libcurl or Jansson
 * cannot be loaded (cluster_libs.h: err names the Debian package). */
bool membership_start(const membership_config *config, char *err, size_t err_size);

/* Stops the thread and revokes the lease (bounded by one request's
 * timeout), so the others see this node leave at once. */
void membership_stop(void);

bool membership_running(void);

/* The names of the members now (this node not included), up to max of
 * them; returns how many there are. */
size_t membership_members(char (*names)[KEYS_NAME_MAX + 1], size_t max);

uint64_t membership_self_incarnation(void);

#endif
