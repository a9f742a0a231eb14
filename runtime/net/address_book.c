/* address_book.c - see address_book.h. */
#include "address_book.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "support/platform.h"
#include "transport_internal.h"

/* An address handed over by address_book_add, waiting for the mailman. */
typedef struct pending_address {
    struct pending_address *next;
    peer *target;
    char endpoint[sizeof ((peer *)0)->endpoint];
} pending_address;

static uint64_t book_version = 1; /* mailman: bumped whenever an address changes */

static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;
static pending_address *pending_first, *pending_last; /* under pending_lock, in call order */

bool address_book_endpoint_ok(const char *endpoint) {
    static const char scheme[] = "tcp://";
    if (!endpoint || strncmp(endpoint, scheme, sizeof scheme - 1) != 0)
        return false;
    size_t length = strlen(endpoint);
    if (length >= sizeof ((peer *)0)->endpoint || length <= sizeof scheme - 1)
        return false;
    const char *colon = strrchr(endpoint, ':');
    if (!colon || colon < endpoint + sizeof scheme - 1 || colon[1] == '\0')
        return false;
    for (const char *c = endpoint; *c; c++)
        if (*c <= ' ' || *c > '~')
            return false;
    return true;
}

bool address_book_add(const char *name, const char *endpoint) {
    const char *node = transport.node[0] ? transport.node : "(no node)";
    if (!transport.running) {
        fprintf(stderr, "alox: %s: refused peer %s at %s: distribution is not running (give "
                        "--alox-node, and call this after alox_init)\n",
                node, name ? name : "(null)", endpoint ? endpoint : "(null)");
        return false;
    }
    /* The peers array is fixed while the transport runs, and names in it
     * never change: reading it from any thread is safe. */
    peer *p = name ? session_by_name(name) : NULL;
    const char *why = NULL;
    if (name && strcmp(name, transport.node) == 0)
        why = "that is this node";
    else if (!p)
        why = "it is not in the trust file (add a line 'NAME <its public key>' there: keys come "
              "only from the trust file)";
    else if (!address_book_endpoint_ok(endpoint))
        why = "the address is not tcp://HOST:PORT";
    if (why) {
        fprintf(stderr, "alox: %s: refused peer %s at %s: %s\n", node, name ? name : "(null)",
                endpoint ? endpoint : "(null)", why);
        return false;
    }
    pending_address *a = calloc(1, sizeof *a);
    if (!a)
        alox_fatal("out of memory recording the address of peer %s", name);
    a->target = p;
    snprintf(a->endpoint, sizeof a->endpoint, "%s", endpoint);
    pthread_mutex_lock(&pending_lock);
    if (pending_last)
        pending_last->next = a;
    else
        pending_first = a;
    pending_last = a;
    pthread_mutex_unlock(&pending_lock);
    transport_wake();
    return true;
}

void address_book_apply(void) {
    pthread_mutex_lock(&pending_lock);
    pending_address *a = pending_first;
    pending_first = pending_last = NULL;
    pthread_mutex_unlock(&pending_lock);
    while (a) {
        pending_address *next = a->next;
        address_book_set(a->target, a->endpoint, ADDRESS_CONFIGURED);
        free(a);
        a = next;
    }
}

bool address_book_set(peer *p, const char *endpoint, uint8_t source) {
    /* Gossip never replaces gossip: the first address heard stands, so
     * two peers that disagree cannot make it flip back and forth. */
    bool weaker = source < p->endpoint_source ||
                  (source == ADDRESS_GOSSIP && p->endpoint_source == ADDRESS_GOSSIP);
    if (weaker || !address_book_endpoint_ok(endpoint))
        return false;
    p->endpoint_source = source;
    if (strcmp(p->endpoint, endpoint) == 0)
        return false;
    if (p->dealer && p->endpoint[0]) /* move the open connection */
        zmq_disconnect(p->dealer, p->endpoint);
    snprintf(p->endpoint, sizeof p->endpoint, "%s", endpoint);
    book_version++; /* every peer in session hears of it */
    if (!p->dealer && (p->unacked_first || p->batch_items)) {
        address_book_connect(p); /* sends waited for this address */
    } else if (p->dealer) {
        if (zmq_connect(p->dealer, p->endpoint) != 0)
            fprintf(stderr, "alox: %s: cannot connect to peer %s at %s: %s\n", transport.node,
                    p->name, p->endpoint, zmq_strerror(zmq_errno()));
        session_send_hello(p);
    }
    return true;
}

void address_book_connect(peer *p) {
    if (p->dealer || p->route_size > 0 || !p->endpoint[0])
        return;
    char err[512];
    if (!transport_open_dealer(p, err, sizeof err)) {
        fprintf(stderr, "alox: %s: %s\n", transport.node, err);
        return;
    }
    session_send_hello(p);
}

/* ---------------------------------------------------------------------
 * Telling each other (mailman).
 * ------------------------------------------------------------------- */
static const char *host_start(const char *endpoint) { return endpoint + sizeof "tcp://" - 1; }

static bool wildcard_host(const char *endpoint) {
    const char *host = host_start(endpoint);
    return strncmp(host, "*:", 2) == 0 || strncmp(host, "0.0.0.0:", 8) == 0 ||
           strncmp(host, "[::]:", 5) == 0;
}

/* `endpoint` with its wildcard host replaced by the host of `reached`
 * (where we connect to that node). False if we know no such host. */
static bool with_host_of(const char *endpoint, const char *reached, char *out, size_t size) {
    const char *port = strrchr(endpoint, ':');
    const char *reached_port = reached[0] ? strrchr(reached, ':') : NULL;
    if (!port || !reached_port || wildcard_host(reached))
        return false;
    int host_length = (int)(reached_port - host_start(reached));
    return snprintf(out, size, "tcp://%.*s%s", host_length, host_start(reached), port) < (int)size;
}

void address_book_on_frame(peer *p, const wire_frame *f) {
    const uint8_t *cursor = f->u.addresses.entries;
    uint16_t index = 0;
    char name[WIRE_MAX_NAME + 1], endpoint[WIRE_MAX_ENDPOINT + 1], fixed[WIRE_MAX_ENDPOINT + 1];
    while (wire_next_address(f, &cursor, &index, name, endpoint)) {
        peer *about = strcmp(name, transport.node) == 0 ? NULL : session_by_name(name);
        if (!about || !address_book_endpoint_ok(endpoint))
            continue; /* not a node we trust: we have no key to reach it with */
        const char *address = endpoint;
        if (wildcard_host(endpoint)) {
            if (about != p || !with_host_of(endpoint, p->endpoint, fixed, sizeof fixed))
                continue;
            address = fixed;
        }
        address_book_set(about, address, about == p ? ADDRESS_SELF : ADDRESS_GOSSIP);
    }
}

static void tell(peer *p) {
    wire_buffer *b = &transport.scratch;
    session_begin_frame(p, b, WIRE_ADDRESSES);
    if (transport.listen[0] && address_book_endpoint_ok(transport.listen))
        wire_put_address(b, transport.node, transport.listen);
    for (size_t i = 0; i < transport.peer_count; i++) {
        peer *q = &transport.peers[i];
        if (q != p && q->endpoint[0])
            wire_put_address(b, q->name, q->endpoint);
    }
    if (session_send_frame(p, b)) {
        p->told_addresses_session = p->their_session;
        p->told_addresses_version = book_version;
    }
}

void address_book_gossip(void) {
    for (size_t i = 0; i < transport.peer_count; i++) {
        peer *p = &transport.peers[i];
        bool in_session = p->their_session != 0 && (p->dealer || p->route_size > 0);
        if (in_session && (p->told_addresses_session != p->their_session ||
                           p->told_addresses_version != book_version))
            tell(p);
    }
}
