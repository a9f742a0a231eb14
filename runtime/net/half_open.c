/* half_open.c - the cap on connections not known to be trusted; see
 * half_open.h for the rule and why it is built on the monitor. */
#include "half_open.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <zmq.h>

#include "alox.h"
#include "transport_internal.h"

/* Tunables. */
#define HALF_OPEN_RESERVE_FDS 64 /* descriptors strangers never get: a trusted client's accept,
                                  * the descriptors of libzmq's own sockets, files, timers */
#define HALF_OPEN_PER_PEER_FDS 2 /* a connection opened on first use: its TCP socket and the
                                  * ZeroMQ socket's eventfd */
#define HALF_OPEN_MAX 1024       /* more connections mid-handshake than this at once is an attack
                                  * whatever the limit; a real cluster's nodes retry (ZeroMQ
                                  * reconnects within 100 ms) */
#define HALF_OPEN_MIN 8          /* even at a tiny descriptor limit, some may handshake at once */
#define HALF_OPEN_PROGRESS_BYTES 264 /* a ZMTP greeting (64) and a CURVE HELLO (200): a connection
                                      * that sent this much is mid-handshake, not holding a slot
                                      * with a byte; libzmq closes it when the handshake fails */
#define HALF_OPEN_SCAN 32        /* connections looked at for one without progress before the
                                  * oldest goes whatever it sent: bounds the getsockopt calls */

enum { UNKNOWN, HALF, TRUSTED };

/* One accepted connection, indexed by its descriptor. HALF ones are on a
 * list in the order they were accepted, oldest first. */
typedef struct slot {
    uint8_t state;
    int prev, next; /* the HALF list, -1 at its ends */
    struct sockaddr_storage local, remote;
    socklen_t local_size, remote_size;
} slot;

static struct {
    void *monitor;
    slot *slots;
    size_t capacity; /* slots allocated */
    int oldest, newest;
    size_t half, cap;
    uint64_t closed;
    log_limit log;
} h = {.oldest = -1, .newest = -1};

size_t half_open_cap(void) { return h.cap; }
uint64_t half_open_closed(void) { return h.closed; }

static size_t open_descriptors(void) {
    DIR *d = opendir("/proc/self/fd");
    size_t n = 0;
    if (!d)
        return 32; /* a guess that only makes the cap smaller */
    while (readdir(d))
        n++;
    closedir(d);
    return n > 2 ? n - 2 : n; /* "." and ".." */
}

static size_t compute_cap(size_t peer_count) {
    struct rlimit rl;
    size_t limit = 2 * HALF_OPEN_MAX;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        limit = (size_t)rl.rlim_cur;
    size_t taken = open_descriptors() + HALF_OPEN_RESERVE_FDS + HALF_OPEN_PER_PEER_FDS * peer_count;
    size_t cap = limit > taken + HALF_OPEN_MIN ? limit - taken : HALF_OPEN_MIN;
    return cap < HALF_OPEN_MAX ? cap : HALF_OPEN_MAX;
}

void *half_open_start(void *context, void *router, size_t peer_count) {
    char address[64];
    snprintf(address, sizeof address, "inproc://alox-half-open-%p", router);
    /* Before the ROUTER binds: the monitor's PAIR would block libzmq's
     * I/O thread on an event sent before we connected. */
    if (zmq_socket_monitor(router, address, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) != 0)
        return NULL;
    h.monitor = zmq_socket(context, ZMQ_PAIR);
    int unlimited = 0, linger = 0;
    /* No limit on our side makes the pipe unlimited: libzmq's I/O thread
     * sends events blocking, and must never wait for the mailman. */
    zmq_setsockopt(h.monitor, ZMQ_RCVHWM, &unlimited, sizeof unlimited);
    zmq_setsockopt(h.monitor, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(h.monitor, address) != 0) {
        zmq_socket_monitor(router, NULL, 0);
        zmq_close(h.monitor);
        h.monitor = NULL;
        return NULL;
    }
    h.cap = compute_cap(peer_count);
    return h.monitor;
}

void half_open_stop(void *router) {
    if (!h.monitor)
        return;
    zmq_socket_monitor(router, NULL, 0);
    zmq_close(h.monitor);
    h.monitor = NULL;
    free(h.slots);
    h.slots = NULL;
    h.capacity = 0;
    h.oldest = h.newest = -1;
    h.half = 0;
}

static slot *slot_of(int fd, bool grow) {
    if (fd < 0)
        return NULL;
    if ((size_t)fd >= h.capacity) {
        if (!grow)
            return NULL;
        size_t capacity = h.capacity ? h.capacity : 256;
        while (capacity <= (size_t)fd)
            capacity *= 2;
        slot *slots = realloc(h.slots, capacity * sizeof *slots);
        if (!slots)
            alox_fatal("out of memory counting connections");
        memset(slots + h.capacity, 0, (capacity - h.capacity) * sizeof *slots);
        h.slots = slots;
        h.capacity = capacity;
    }
    return &h.slots[fd];
}

static void unlink_half(int fd) {
    slot *s = &h.slots[fd];
    if (s->prev >= 0)
        h.slots[s->prev].next = s->next;
    else
        h.oldest = s->next;
    if (s->next >= 0)
        h.slots[s->next].prev = s->prev;
    else
        h.newest = s->prev;
    h.half--;
}

static void forget(int fd) {
    slot *s = slot_of(fd, false);
    if (!s)
        return;
    if (s->state == HALF)
        unlink_half(fd);
    s->state = UNKNOWN;
}

static void accepted(int fd) {
    forget(fd); /* a missed DISCONNECTED: the descriptor was reused */
    slot *s = slot_of(fd, true);
    s->local_size = sizeof s->local;
    s->remote_size = sizeof s->remote;
    if (getsockname(fd, (struct sockaddr *)&s->local, &s->local_size) != 0 ||
        getpeername(fd, (struct sockaddr *)&s->remote, &s->remote_size) != 0)
        return; /* gone already: its DISCONNECTED follows */
    s->state = HALF;
    s->prev = h.newest;
    s->next = -1;
    if (h.newest >= 0)
        h.slots[h.newest].next = fd;
    else
        h.oldest = fd;
    h.newest = fd;
    h.half++;
}

void half_open_trusted(int fd) {
    slot *s = slot_of(fd, false);
    if (!s || s->state != HALF)
        return; /* not accepted by our listener, or known already */
    unlink_half(fd);
    s->state = TRUSTED;
}

/* Is `fd` still the connection we were told of? The descriptor may have
 * been closed and reused since: never shut down another connection. */
static bool same_connection(int fd, const slot *s) {
    struct sockaddr_storage local, remote;
    socklen_t local_size = sizeof local, remote_size = sizeof remote;
    return getsockname(fd, (struct sockaddr *)&local, &local_size) == 0 &&
           getpeername(fd, (struct sockaddr *)&remote, &remote_size) == 0 && local_size == s->local_size &&
           remote_size == s->remote_size && memcmp(&local, &s->local, local_size) == 0 &&
           memcmp(&remote, &s->remote, remote_size) == 0;
}

/* Has the peer of `fd` sent at least a greeting and a HELLO? Under a
 * flood, a trusted client's handshake (and the first frame that proves it,
 * read by the mailman) can take longer than the strangers need to push it
 * to the old end of the list; what it has sent tells it apart. */
static bool made_progress(int fd) {
    struct tcp_info info;
    socklen_t size = sizeof info;
    memset(&info, 0, sizeof info);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &size) != 0 ||
        size < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received)
        return false;
    return info.tcpi_bytes_received >= HALF_OPEN_PROGRESS_BYTES;
}

/* The connection to close: the oldest that has not made progress among the
 * HALF_OPEN_SCAN oldest, else the oldest. */
static int eviction_candidate(void) {
    int fd = h.oldest;
    for (int looked = 0; fd >= 0 && looked < HALF_OPEN_SCAN; looked++, fd = h.slots[fd].next)
        if (!made_progress(fd))
            return fd;
    return h.oldest;
}

static void enforce_cap(void) {
    uint32_t closed = 0;
    while (h.half > h.cap) {
        int fd = eviction_candidate();
        slot *s = &h.slots[fd];
        unlink_half(fd);
        s->state = UNKNOWN;
        /* libzmq reads the end of the stream and closes the descriptor,
         * with a DISCONNECTED event; closing it here would race its I/O
         * thread. */
        if (same_connection(fd, s) && shutdown(fd, SHUT_RDWR) == 0)
            closed++;
    }
    if (closed) {
        h.closed += closed;
        if (transport_log_allowed(&h.log, "lines about closed half-open connections"))
            fprintf(stderr,
                    "alox: %s: closed %u connection%s that had not finished the handshake "
                    "(more than %zu at once; %llu so far)\n",
                    transport.node, closed, closed == 1 ? "" : "s", h.cap, (unsigned long long)h.closed);
    }
}

void half_open_events(void) {
    if (!h.monitor)
        return;
    for (;;) {
        uint8_t event[6];
        char address[256];
        int got = zmq_recv(h.monitor, event, sizeof event, ZMQ_DONTWAIT);
        if (got < 0)
            break;
        zmq_recv(h.monitor, address, sizeof address, 0); /* the second part: the endpoint */
        if (got != (int)sizeof event)
            continue;
        uint16_t kind;
        uint32_t value;
        memcpy(&kind, event, sizeof kind);
        memcpy(&value, event + sizeof kind, sizeof value);
        if (kind == ZMQ_EVENT_ACCEPTED)
            accepted((int)value);
        else if (kind == ZMQ_EVENT_DISCONNECTED)
            forget((int)value);
    }
    enforce_cap();
}
