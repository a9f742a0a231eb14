/* init.c - alox_init and alox_run; see init.h. */
#include "init.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alox.h"
#include "cluster/membership.h"
#include "core/actor.h"
#include "core/overload.h"
#include "core/scheduler.h"
#include "net/node.h"
#include "observe/observe.h"
#include "support/platform.h"

static bool initialized;
static config current;

const config *init_config(void) { return initialized ? &current : NULL; }

/* Every trusted node but this one is a possible peer: those given with
 * --alox-peer are connected to, the others may connect to us. */
static bool start_node(const config *cfg, char *err, size_t err_size) {
    transport_peer_config *peers = calloc(cfg->trust.count ? cfg->trust.count : 1, sizeof *peers);
    if (!peers)
        alox_fatal("out of memory starting the transport");
    size_t count = 0;
    for (size_t i = 0; i < cfg->trust.count; i++) {
        const trust_entry *t = &cfg->trust.entries[i];
        if (strcmp(t->name, cfg->node) == 0)
            continue;
        const char *endpoint = NULL;
        for (size_t k = 0; k < cfg->peer_count; k++)
            if (strcmp(cfg->peers[k].name, t->name) == 0)
                endpoint = cfg->peers[k].endpoint;
        peers[count++] = (transport_peer_config){t->name, endpoint, t->public_z85};
    }
    transport_config tc = {cfg->node, cfg->listen, cfg->keys.public_z85, cfg->keys.secret_z85, peers,
                           count};
    bool ok = node_start(&tc, err, err_size);
    free(peers); /* the transport copied what it keeps */
    return ok;
}

/* The lease's TTL: ALOX_CLUSTER_LEASE_S seconds (tests and demos shorten
 * it), else membership's default. */
static int64_t lease_setting(void) {
    const char *text = getenv("ALOX_CLUSTER_LEASE_S");
    long value = text ? strtol(text, NULL, 10) : 0;
    return value >= 1 && value <= 3600 ? value : 0;
}

/* A member's address is the transport's, with the authority of
 * --alox-peer (net/node.h: the key still comes from the trust file; the
 * connection opens on first use; a new address moves it). A member that
 * leaves keeps its session until the heartbeats end it: etcd's view of a
 * node is no reason to cut a link that works. */
static void member_joined(const char *node, const char *address, uint64_t incarnation) {
    (void)incarnation; /* a restarted node is a new session: the HELLO tokens tell */
    node_add_peer(node, address);
}

/* --alox-cluster: membership on etcd, after the transport runs (members
 * become peers as they are seen). */
static bool start_cluster(const config *cfg, char *err, size_t err_size) {
    membership_config mc = {.node = cfg->node,
                            .address = cfg->listen,
                            .public_z85 = cfg->keys.public_z85,
                            .trust = &cfg->trust,
                            .lease_ttl_s = lease_setting(),
                            .hooks = {member_joined, NULL}};
    char why[256];
    if (!cluster_url_parse(cfg->cluster, &mc.url, why, sizeof why)) { /* config checked it */
        snprintf(err, err_size, "--alox-cluster=%s: %s", cfg->cluster, why);
        return false;
    }
    if (!membership_start(&mc, err, err_size))
        return false;
    atexit(membership_stop); /* runs before transport_stop: leave, then close the links */
    return true;
}

void alox_init(int *argc, char **argv) {
    config cfg;
    char err[2048];
    if (!config_parse(argc, argv, &cfg, err, sizeof err)) {
        fprintf(stderr, "alox: %s\n", err);
        exit(2);
    }
    if (cfg.threads)
        scheduler_set_threads(cfg.threads);
    if (cfg.mailbox_limit_set)
        overload_set_limit(cfg.mailbox_limit);
    /* alox_init runs before any actor is spawned: every actor id carries
     * this node id. */
    actor_node_id = cfg.node_id;
    if (initialized) {
        if (current.node || cfg.node) {
            fprintf(stderr, "alox: alox_init called twice on a distributed node: call it once, "
                            "first thing in main\n");
            exit(2);
        }
        config_free(&current);
    }
    current = cfg;
    initialized = true;
    if (current.node && !start_node(&current, err, sizeof err)) {
        fprintf(stderr, "alox: %s\n", err);
        exit(2);
    }
    if (current.cluster && !start_cluster(&current, err, sizeof err)) {
        fprintf(stderr, "alox: %s\n", err);
        exit(2);
    }
    observe_config oc = {current.top, current.metrics, current.trace_path,
                         program_invocation_short_name, current.node};
    if (!observe_start(&oc, err, sizeof err)) {
        fprintf(stderr, "alox: %s\n", err);
        exit(2);
    }
}

int alox_run(void) {
    if (!initialized)
        alox_init(NULL, NULL);
    observe_run_begins();
    return scheduler_run();
}
