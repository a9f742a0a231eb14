/* node.c - see node.h. */
#include "node.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "actor.h"
#include "platform.h"
#include "transport.h"

void transport_wake(void);

static volatile sig_atomic_t stop_signal;

/* Async-signal-safe: a flag and a write to the mailman's eventfd. */
static void on_stop_signal(int signo) {
    stop_signal = signo;
    transport_wake();
}

bool node_stop_requested(void) {
    if (!stop_signal)
        return false;
    stop_signal = 0;
    return true;
}

static void install_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

bool node_start(const config *cfg, char *err, size_t err_size) {
    if (!cfg->node)
        return true;
    actor_node_id = cfg->node_id;
    /* Every trusted node but this one is a possible peer; those given with
     * --alox-peer are connected to, the others may connect to us. */
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
    bool ok = transport_start(&tc, err, err_size);
    free(peers); /* the transport copied what it keeps */
    if (!ok)
        return false;
    atexit(transport_stop);
    install_signals();
    return true;
}
