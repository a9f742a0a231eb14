/* connection.c - one served TCP connection; see alox/tcp.h.
 *
 * Everything here runs inside the actor that holds the alox_tcp (its edge
 * watch, its service messages and the user's calls all run there), so the
 * struct needs no lock. Readiness comes from an edge-triggered watch
 * (core/watch.h): an edge is not repeated, so the layer remembers what it
 * still owes itself:
 *   READ_PENDING   input may be waiting: set by an input edge, cleared by a
 *                  read that came back short (the queue was empty then: a
 *                  later arrival makes a new edge), EAGAIN, EOF or an error;
 *                  once the peer's FIN has been seen (PEER_HUP) only by the
 *                  EOF itself, whose edge has already come;
 *   WRITE_BLOCKED  send said EAGAIN: wait for the output edge.
 * A write outside the layer's own handler is sent right after the
 * behaviour that made it returns (core/worker.h, worker_after_behaviour):
 * a reply costs its send and no message. Work that cannot be done then
 * (reading is paused, the socket is full, the connection closes) is
 * finished by a service message the actor sends itself, at most one
 * queued at a time. */
#include "alox/tcp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/actor.h"
#include "core/mailman.h"
#include "core/watch.h"
#include "core/worker.h"
#include "support/platform.h"

#define INPUT_MIN_CAPACITY 16384  /* bytes: the first input buffer */
#define READ_BUDGET (256u * 1024) /* bytes read per service, then others run first */
#define INPUT_MIN_LIMIT 64        /* bytes: alox_tcp_set_input_limit's floor */
#define READ_CHUNK 4096           /* bytes: less room than this and the buffer slides or grows */
/* Connections one behaviour may write to and have sent right after it
 * (flush_deferred); beyond, a service message each. A server's behaviour
 * answers one connection; a broadcast to many pays the message. */
#define DEFERRED_MAX 8

enum {
    TCP_OPEN = 1u << 0,
    TCP_EOF = 1u << 1,           /* the peer half-closed (read gave 0) */
    TCP_CLOSING = 1u << 2,       /* alox_tcp_close: sending the rest, then close */
    TCP_READ_PENDING = 1u << 3,
    TCP_WRITE_BLOCKED = 1u << 4,
    TCP_IN_SERVICE = 1u << 5,    /* inside service: writes are flushed at its end */
    TCP_SERVICE_QUEUED = 1u << 6,
    TCP_OUTPUT_PAUSED = 1u << 7, /* unsent output went above the high-water mark */
    TCP_PEER_HUP = 1u << 8,      /* epoll saw the peer's FIN: read on to the 0, not just a short read */
    TCP_FLUSH_DEFERRED = 1u << 9, /* in this thread's `deferred`: sent after the behaviour */
};

/* Relaxed: a statistic; each change is by the thread closing or opening. */
static _Atomic uint64_t open_connections;

uint64_t alox_tcp_connections(void) { return atomic_load_explicit(&open_connections, memory_order_relaxed); }

static void service(alox_tcp *t, uint32_t epoll_events);
static bool reading_allowed(const alox_tcp *t);

typedef struct service_args {
    alox_tcp *tcp;
} service_args;

static void service_message(void *self, const void *args) {
    (void)self;
    alox_tcp *t = ((const service_args *)args)->tcp;
    t->state &= ~TCP_SERVICE_QUEUED;
    if (t->state & TCP_OPEN)
        service(t, 0);
}

static const alox_behaviour_desc service_desc = {
    ALOX_ABI_VERSION, sizeof(service_args), _Alignof(service_args), 0, "alox.tcp_service", "(&)",
    0, 0, RUNTIME_BEHAVIOUR_TYPE_HASH, service_message, NULL,
};

static void queue_service(alox_tcp *t) {
    if (t->state & (TCP_SERVICE_QUEUED | TCP_IN_SERVICE))
        return;
    t->state |= TCP_SERVICE_QUEUED;
    service_args args = {t};
    mailman_send_runtime(actor_of(t->owner), &service_desc, &args);
}

/* ----- closing -------------------------------------------------------- */

static void release_buffers(alox_tcp *t) {
    free(t->in);
    free(t->out);
    t->in = t->out = NULL;
    t->in_start = t->in_end = t->in_capacity = 0;
    t->out_start = t->out_end = t->out_capacity = 0;
}

static void finish_close(alox_tcp *t) {
    watch_remove(t->fd);
    close(t->fd);
    release_buffers(t);
    t->state = 0;
    atomic_fetch_sub_explicit(&open_connections, 1, memory_order_relaxed);
}

/* The actor stopped with the connection open (core/io_stopped.h). */
static void on_release(void *cookie, int fd) {
    alox_tcp *t = cookie;
    close(fd);
    release_buffers(t);
    t->state = 0;
    atomic_fetch_sub_explicit(&open_connections, 1, memory_order_relaxed);
}

/* ----- output --------------------------------------------------------- */

static size_t unsent(const alox_tcp *t) { return t->out_end - t->out_start; }

/* Sends what the socket takes. Returns false if the connection is dead. */
static bool flush(alox_tcp *t) {
    while (unsent(t) > 0 && !(t->state & TCP_WRITE_BLOCKED)) {
        ssize_t n = send(t->fd, t->out + t->out_start, unsent(t), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            t->out_start += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            t->state |= TCP_WRITE_BLOCKED;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            return false;
        }
    }
    if (unsent(t) == 0)
        t->out_start = t->out_end = 0;
    return true;
}

/* Written to by the running behaviour, to be sent when it returns (only
 * this thread's running actor's connections: the behaviour owns them). */
static ALOX_TLS alox_tcp *deferred[DEFERRED_MAX];
static ALOX_TLS uint32_t deferred_count;

/* Right after the behaviour (worker_after_behaviour): what it wrote goes
 * out now, with no service message, unless more than a send is needed;
 * then service does it all, as before. A connection closed (or closed
 * and opened again) since its write has lost the flag: nothing to do. */
static void flush_deferred(void) {
    for (uint32_t i = 0; i < deferred_count; i++) {
        alox_tcp *t = deferred[i];
        if (!(t->state & TCP_FLUSH_DEFERRED))
            continue;
        t->state &= ~TCP_FLUSH_DEFERRED;
        if (!(t->state & TCP_OPEN))
            continue;
        bool sent = flush(t) && unsent(t) == 0;
        if (!sent || (t->state & (TCP_CLOSING | TCP_OUTPUT_PAUSED)) ||
            ((t->state & TCP_READ_PENDING) && reading_allowed(t)))
            queue_service(t); /* an error, a full socket, a close or a paused read */
    }
    deferred_count = 0;
}

static void send_after_behaviour(alox_tcp *t) {
    if (t->state & (TCP_SERVICE_QUEUED | TCP_IN_SERVICE | TCP_FLUSH_DEFERRED))
        return; /* already on its way */
    if (deferred_count < DEFERRED_MAX && worker_after_behaviour(flush_deferred)) {
        t->state |= TCP_FLUSH_DEFERRED;
        deferred[deferred_count++] = t;
        return;
    }
    queue_service(t);
}

int alox_tcp_write(alox_tcp *t, const void *data, size_t len) {
    if (!(t->state & TCP_OPEN) || (t->state & TCP_CLOSING)) {
        errno = EPIPE;
        return -1;
    }
    if (t->out_end + len > t->out_capacity) {
        size_t keep = unsent(t);
        if (t->out_start > 0) { /* slide the unsent part to the front first */
            memmove(t->out, t->out + t->out_start, keep);
            t->out_start = 0;
            t->out_end = keep;
        }
        if (keep + len > t->out_capacity) {
            size_t capacity = t->out_capacity ? t->out_capacity : INPUT_MIN_CAPACITY;
            while (capacity < keep + len)
                capacity *= 2;
            char *bigger = realloc(t->out, capacity);
            if (!bigger)
                alox_fatal("out of memory queueing %zu bytes of TCP output", keep + len);
            t->out = bigger;
            t->out_capacity = capacity;
        }
    }
    memcpy(t->out + t->out_end, data, len);
    t->out_end += len;
    send_after_behaviour(t); /* sent after this behaviour (or at the end of service) */
    return 0;
}

size_t alox_tcp_unsent(const alox_tcp *t) { return unsent(t); }

/* ----- input ---------------------------------------------------------- */

static bool reading_allowed(const alox_tcp *t) {
    return !(t->state & (TCP_EOF | TCP_CLOSING)) && t->in_end - t->in_start < t->in_limit &&
           unsent(t) <= ALOX_TCP_OUTPUT_HIGH_WATER;
}

/* Makes room after in_end: slides the unconsumed bytes to the front or
 * grows the buffer (never past the input limit). Returns how many bytes
 * may be read now. */
static size_t make_room(alox_tcp *t) {
    size_t kept = t->in_end - t->in_start;
    if (t->in_start > 0 && t->in_capacity - t->in_end < READ_CHUNK) {
        memmove(t->in, t->in + t->in_start, kept);
        t->in_start = 0;
        t->in_end = kept;
    }
    if (t->in_capacity - t->in_end < READ_CHUNK && t->in_capacity < t->in_limit) {
        size_t capacity = t->in_capacity ? t->in_capacity * 2 : INPUT_MIN_CAPACITY;
        if (capacity > t->in_limit)
            capacity = t->in_limit;
        char *bigger = realloc(t->in, capacity);
        if (!bigger)
            alox_fatal("out of memory buffering %zu bytes of TCP input", capacity);
        t->in = bigger;
        t->in_capacity = capacity;
    }
    size_t room = t->in_capacity - t->in_end, allowed = t->in_limit - kept;
    return room < allowed ? room : allowed;
}

/* Reads up to READ_BUDGET bytes. Returns on_data's events (INPUT, EOF,
 * RESET). */
static uint32_t read_some(alox_tcp *t) {
    uint32_t events = 0;
    size_t budget = READ_BUDGET;
    while ((t->state & TCP_READ_PENDING) && reading_allowed(t) && budget > 0) {
        size_t room = make_room(t);
        if (room > budget)
            room = budget;
        ssize_t n = recv(t->fd, t->in + t->in_end, room, MSG_DONTWAIT);
        if (n > 0) {
            t->in_end += (size_t)n;
            budget -= (size_t)n;
            events |= ALOX_TCP_INPUT;
            if ((size_t)n < room && !(t->state & TCP_PEER_HUP)) /* short: the queue was empty */
                t->state &= ~TCP_READ_PENDING;
        } else if (n == 0) {
            t->state = (t->state | TCP_EOF) & ~TCP_READ_PENDING;
            events |= ALOX_TCP_EOF;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            t->state &= ~TCP_READ_PENDING;
        } else if (errno != EINTR) {
            return events | ALOX_TCP_RESET;
        }
    }
    return events;
}

const char *alox_tcp_input(const alox_tcp *t, size_t *len) {
    *len = t->in_end - t->in_start;
    return t->in ? t->in + t->in_start : "";
}

void alox_tcp_consume(alox_tcp *t, size_t n) {
    size_t kept = t->in_end - t->in_start;
    t->in_start += n < kept ? n : kept;
    if (t->in_start == t->in_end)
        t->in_start = t->in_end = 0;
    if ((t->state & TCP_READ_PENDING) && reading_allowed(t))
        queue_service(t); /* reading was paused: resume it */
}

void alox_tcp_set_input_limit(alox_tcp *t, size_t limit) {
    t->in_limit = limit < INPUT_MIN_LIMIT ? INPUT_MIN_LIMIT : limit;
}

/* ----- service: the layer's turn in the actor -------------------------- */

static void call_on_data(alox_tcp *t, uint32_t events) {
    struct {
        int32_t fd;
        uint32_t events;
    } args = {t->fd, events};
    t->on_data->trampoline(t->owner, &args);
}

static void reset(alox_tcp *t) {
    finish_close(t); /* t->fd keeps the number, for on_data */
    call_on_data(t, ALOX_TCP_RESET);
}

static void service(alox_tcp *t, uint32_t epoll_events) {
    if (epoll_events & EPOLLERR) {
        reset(t);
        return;
    }
    if (epoll_events & EPOLLOUT)
        t->state &= ~TCP_WRITE_BLOCKED;
    if (epoll_events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))
        t->state |= TCP_READ_PENDING;
    if (epoll_events & (EPOLLRDHUP | EPOLLHUP)) /* its edge is now: the EOF may follow the data */
        t->state |= TCP_PEER_HUP;
    t->state |= TCP_IN_SERVICE;
    uint32_t events = 0;
    if (!flush(t)) {
        reset(t);
        return;
    }
    if ((t->state & TCP_OUTPUT_PAUSED) && unsent(t) <= ALOX_TCP_OUTPUT_HIGH_WATER) {
        t->state &= ~TCP_OUTPUT_PAUSED;
        events |= ALOX_TCP_DRAINED;
    }
    events |= read_some(t);
    if (events & ALOX_TCP_RESET) {
        reset(t);
        return;
    }
    if (events && !(t->state & TCP_CLOSING))
        call_on_data(t, events);
    if (!(t->state & TCP_OPEN))
        return; /* closed inside on_data */
    t->state &= ~TCP_IN_SERVICE;
    if (!flush(t)) {
        reset(t);
        return;
    }
    if (unsent(t) > ALOX_TCP_OUTPUT_HIGH_WATER)
        t->state |= TCP_OUTPUT_PAUSED;
    if ((t->state & TCP_CLOSING) && (unsent(t) == 0 || (epoll_events & EPOLLHUP)))
        finish_close(t);
    else if ((t->state & TCP_READ_PENDING) && reading_allowed(t))
        queue_service(t); /* the read budget ran out: the rest after the others */
}

static void on_edge(void *self, void *cookie, int fd, uint32_t epoll_events) {
    (void)self;
    (void)fd;
    alox_tcp *t = cookie;
    if (t->state & TCP_OPEN)
        service(t, epoll_events);
}

/* ----- opening and closing ---------------------------------------------- */

int alox_tcp_open_desc(alox_tcp *t, void *self, int fd, const alox_behaviour_desc *on_data) {
    actor *a = self ? actor_of(self) : NULL;
    if (!a || a->magic != ACTOR_MAGIC || !on_data || on_data->type_hash != a->type->name_hash ||
        (t->state & TCP_OPEN)) {
        fprintf(stderr, "alox: alox_tcp_open(fd %d, %s) refused: %s\n", fd,
                on_data ? on_data->name : "NULL",
                (t->state & TCP_OPEN) ? "this alox_tcp is already open (close it first)"
                                      : "on_data must be a behaviour of self's type taking (int fd, "
                                        "uint32_t events), and self the actor holding the alox_tcp");
        /* The descriptor is the caller's to lose, except the open
         * connection's own: closing it would kill that connection behind
         * the layer's back, and the next accept's socket would get its
         * number (and this session's writes and close). */
        if (!(t->state & TCP_OPEN) || fd != t->fd)
            close(fd);
        errno = EINVAL;
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    *t = (alox_tcp){.fd = fd, .state = TCP_OPEN | TCP_READ_PENDING, .owner = self,
                    .on_data = on_data, .in_limit = t->in_limit ? t->in_limit : ALOX_TCP_INPUT_LIMIT_DEFAULT};
    atomic_fetch_add_explicit(&open_connections, 1, memory_order_relaxed);
    if (watch_edge_add(a, fd, on_edge, on_release, t) < 0) {
        int err = errno;
        fprintf(stderr, "alox: alox_tcp_open(fd %d): cannot watch it: %s\n", fd, strerror(err));
        finish_close(t);
        errno = err;
        return -1;
    }
    return 0;
}

void alox_tcp_close(alox_tcp *t) {
    if (!(t->state & TCP_OPEN) || (t->state & TCP_CLOSING))
        return;
    t->state |= TCP_CLOSING;
    if (t->state & TCP_IN_SERVICE)
        return; /* service finishes it after on_data */
    if (!flush(t) || unsent(t) == 0)
        finish_close(t);
}

bool alox_tcp_is_open(const alox_tcp *t) { return (t->state & TCP_OPEN) && !(t->state & TCP_CLOSING); }
