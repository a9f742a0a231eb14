/* node.c - see node.h. */
#include "node.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "address_book.h"
#include "node_lock.h"
#include "proxy.h"
#include "core/remote_hooks.h"
#include "core/scheduler.h"

void transport_wake(void);

/* Set by the handler (on whichever thread takes the signal), taken by
 * the mailman thread: an atomic, not just volatile, since two threads
 * touch it (a lock-free atomic is async-signal-safe). Relaxed: the
 * eventfd write and read order it with the mailman's wake-up. */
static _Atomic int stop_signal;

/* Async-signal-safe: a flag and a write to the mailman's eventfd. */
static void on_stop_signal(int signo) {
    atomic_store_explicit(&stop_signal, signo, memory_order_relaxed);
    transport_wake();
}

bool node_stop_requested(void) {
    return atomic_exchange_explicit(&stop_signal, 0, memory_order_relaxed) != 0;
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

bool node_start(const transport_config *config, char *err, size_t err_size) {
    if (!node_lock_take(config->node, config->public_z85, err, err_size))
        return false;
    if (!transport_start(config, err, err_size))
        return false;
    remote_hooks_install(&(remote_hooks){transport_send, transport_processed, transport_proxy_lost,
                                         transport_caused});
    /* A node that serves others never runs out of work on its own. */
    scheduler_run_until_exit(transport_serving());
    atexit(transport_stop);
    install_signals();
    return true;
}

bool node_add_peer(const char *name, const char *endpoint) { return address_book_add(name, endpoint); }
