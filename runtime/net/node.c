/* node.c - see node.h. */
#include "node.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "address_book.h"
#include "core/remote_hooks.h"
#include "core/scheduler.h"

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

bool node_start(const transport_config *config, char *err, size_t err_size) {
    if (!transport_start(config, err, err_size))
        return false;
    remote_hooks_install(&(remote_hooks){transport_send, transport_processed, transport_proxy_lost});
    /* A node that serves others never runs out of work on its own. */
    scheduler_run_until_exit(transport_serving());
    atexit(transport_stop);
    install_signals();
    return true;
}

bool node_add_peer(const char *name, const char *endpoint) { return address_book_add(name, endpoint); }
