/* init.c - alox_init and alox_run; see init.h. */
#include "init.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alox.h"
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
