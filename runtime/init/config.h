/*
 * config.h - alox_init: the --alox-* flags and their ALOX_* variables.
 *
 *     --alox-threads N   ALOX_THREADS   worker threads (1..1024; default: one
 *                                       per CPU this process may use)
 *
 * Distribution (README.md, "Distribution"; all off unless --alox-node is given):
 *
 *     --alox-node NAME   ALOX_NODE      this scheduler's node name,
 *                                       [A-Za-z0-9_.-]{1,64}
 *     --alox-listen EP   ALOX_LISTEN    accept peers on EP = tcp://HOST:PORT
 *                                       (HOST: IPv4, [IPv6], a name, or *)
 *     --alox-peer N=EP   ALOX_PEER      connect to node N at EP; the flag is
 *                                       repeatable, the variable is a
 *                                       comma-separated list N=EP,N=EP
 *     --alox-key FILE    ALOX_KEY       this node's secret key (alox keygen);
 *                                       its public key is beside it as .pub
 *     --alox-trust FILE  ALOX_TRUST     the nodes admitted: lines NAME KEY
 *     --alox-cluster URL ALOX_CLUSTER   membership on etcd, URL =
 *                                       etcd://HOST:PORT/CLUSTER: register
 *                                       this node there and find the others
 *                                       (cluster/membership.h); needs a
 *                                       listen address with a real host
 *
 * Observation (README.md, "Seeing what runs"; none needs a node):
 *
 *     --alox-top on|off  ALOX_TOP       serve `alox top` on a private Unix
 *                                       socket (default on; also 1/0, yes/no)
 *     --alox-metrics EP  ALOX_METRICS   serve the counters to Prometheus at
 *                                       EP = tcp://HOST:PORT (GET /metrics)
 *     --alox-trace FILE  ALOX_TRACE     record sends and behaviour runs and
 *                                       write FILE (Chrome/Perfetto JSON)
 *                                       when the program exits
 *
 * A flag wins over its variable (for peers: any --alox-peer flag and
 * ALOX_PEER is not read at all). Parsed flags are removed from argv. Any
 * other --alox-* flag, or a bad value, is an error that names the flag or
 * variable (and the file, for key and trust files); alox_init prints it and
 * exits with status 2.
 *
 * Rules checked here: endpoints are tcp://HOST:PORT with a numeric port
 * 1..65535 ("*" only for listening); listen, peer, key and trust need a
 * node; a node needs a key and a trust file, both of which must load
 * (keys.h: the pair must match, the trust file must be well formed and
 * free of node id collisions, including with this node's own name, and it
 * may list this node only with this node's key); every peer must be in the
 * trust file and must not be this node; a peer name is given once. Whether
 * the listen port is free is found out by the transport when it binds.
 *
 * Thread-safety: config_parse from one thread, before the runtime runs
 * (alox_init, init.c, keeps the accepted configuration).
 */
#ifndef ALOX_CONFIG_H
#define ALOX_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "security/keys.h"

/* One --alox-peer. */
typedef struct config_peer {
    char *name;       /* a node name listed in the trust file */
    char *endpoint;   /* tcp://HOST:PORT, checked by config_endpoint_check */
    uint16_t node_id; /* node_id_of(name) */
    const trust_entry *trusted; /* its line in config.trust (public key) */
} config_peer;

typedef struct config {
    uint32_t threads; /* 0: default */
    bool mailbox_limit_set; /* ALOX_MAILBOX_LIMIT was given */
    uint32_t mailbox_limit; /* messages; 0: backpressure off (core/overload.h) */

    /* Distribution. Without --alox-node every field below is NULL/0. */
    char *node;          /* this node's name; NULL: a single local scheduler */
    uint16_t node_id;    /* node_id_of(node), 0 without a node */
    char *listen;        /* endpoint to bind, NULL: do not listen */
    config_peer *peers;  /* in the order given */
    size_t peer_count;
    char *key_path;      /* the secret key file */
    char *trust_path;    /* the trust file */
    char *cluster;       /* etcd://HOST:PORT/CLUSTER, checked, or NULL */
    alox_keys keys;      /* this node's key pair (loaded from key_path) */
    alox_trust trust;    /* loaded from trust_path */

    /* Observation. */
    bool top;            /* serve alox top (default true) */
    char *metrics;       /* tcp://HOST:PORT, or NULL */
    char *trace_path;    /* or NULL */
} config;

/* Parses flags (removing them from argv) and then the environment into
 * *out, and checks and loads everything (see the rules above). Returns
 * false with a message in err if anything is wrong; *out then holds
 * nothing to free. argc and argv may be NULL (environment only). On
 * success release *out with config_free when done. */
bool config_parse(int *argc, char **argv, config *out, char *err, size_t err_size);

/* Releases what config_parse allocated (wiping the secret key); *cfg
 * becomes all zero. NULL-safe. */
void config_free(config *cfg);

/* Checks an endpoint tcp://HOST:PORT: HOST an IPv4 address, an IPv6
 * address in brackets, a host (or interface) name, or "*" if listen is
 * true; PORT a number from 1 to 65535. Else false and why (without the
 * endpoint itself) in why[why_size]. */
bool config_endpoint_check(const char *endpoint, bool listen, char *why, size_t why_size);

#endif
