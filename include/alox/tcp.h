/*
 * alox/tcp.h - TCP servers made of actors: listen, accept into an actor
 * per connection, read into the actor, write with the output queued while
 * the socket is full, close. No thread blocks on a socket: the runtime's
 * I/O thread watches them (edge-triggered epoll) and readiness becomes a
 * message to the actor that owns the connection, in which the layer reads,
 * sends queued output and then calls your behaviour.
 *
 *     struct alox_actor session { alox_tcp tcp; ... };
 *     struct alox_actor server  { int listen_fd; };
 *
 *     alox_behave void on_data(struct session *self, int fd, uint32_t events) {
 *         size_t len;
 *         const char *in = alox_tcp_input(&self->tcp, &len);
 *         alox_tcp_write(&self->tcp, in, len);             echo it
 *         alox_tcp_consume(&self->tcp, len);
 *         if (events & (ALOX_TCP_EOF | ALOX_TCP_RESET)) {
 *             alox_tcp_close(&self->tcp);
 *             alox_stop(self);
 *         }
 *     }
 *     alox_behave void start(struct session *self, int fd) {
 *         alox_tcp_open(&self->tcp, self, fd, on_data);
 *     }
 *     alox_behave void on_accept(struct server *self, int fd) {
 *         start(alox_new(struct session), fd);             an actor per connection
 *     }
 *     ...  alox_tcp_listen(server, "127.0.0.1", 6379, on_accept);
 *
 * The front ends turn alox_tcp_listen(self, host, port, on_accept) and
 * alox_tcp_open(tcp, self, fd, on_data) into the _desc calls below with
 * the behaviour's descriptor (until they do, pass it by hand: the
 * descriptor of behaviour `fn` is `__alox_behaviour_fn`, see alox/abi.h).
 *
 * Bad peers: a peer that resets is reported (ALOX_TCP_RESET) and its
 * socket closed at once; one that half-closes gets ALOX_TCP_EOF and may
 * still be written to until alox_tcp_close; input that arrives one byte at
 * a time is simply appended; and a peer that sends faster than the actor
 * consumes, or does not read what it is sent, is not read from while the
 * unconsumed input is at its limit (alox_tcp_set_input_limit) or the
 * unsent output above ALOX_TCP_OUTPUT_HIGH_WATER: TCP's own flow control
 * then slows it down, and the memory of a connection stays bounded.
 *
 * Thread-safety: an alox_tcp belongs to the actor whose struct holds it;
 * call these functions only inside that actor's behaviours.
 * alox_tcp_listen_desc may be called from any thread; on_accept runs in
 * the listening actor.
 */
#ifndef ALOX_TCP_H
#define ALOX_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alox/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* on_data's events. */
#define ALOX_TCP_INPUT 1u   /* new bytes in alox_tcp_input (== ALOX_READ) */
#define ALOX_TCP_DRAINED 2u /* queued output fell below the high-water mark again (== ALOX_WRITE) */
#define ALOX_TCP_EOF 4u     /* the peer will send nothing more; you may still write, then close */
#define ALOX_TCP_RESET 8u   /* the connection is dead (reset, error): already closed, output dropped */

/* Unsent output above this stops reading the connection until it drains:
 * a peer that sends requests without reading the answers cannot make the
 * server queue unbounded output. */
#define ALOX_TCP_OUTPUT_HIGH_WATER (1u << 20) /* bytes */
/* Unconsumed input a connection buffers by default before it stops
 * reading: the largest request it can hold at once. */
#define ALOX_TCP_INPUT_LIMIT_DEFAULT (1u << 20) /* bytes */

/* A connection, a member of the actor struct that serves it. Zero it (as
 * alox_new does) before alox_tcp_open; the fields are the layer's. */
typedef struct alox_tcp {
    int fd;                /* the socket, while open */
    uint32_t state;
    void *owner;           /* the actor's body */
    const alox_behaviour_desc *on_data;
    char *in;
    size_t in_start, in_end, in_capacity, in_limit;
    char *out;
    size_t out_start, out_end, out_capacity;
} alox_tcp;

/* Listens on host:port (numeric IPv4 or IPv6 address, or "localhost"; port
 * 0 picks a free one, see alox_tcp_port). Each accepted connection is
 * handed to on_accept(self, int fd) inside self: the new socket, non-blocking
 * and with TCP_NODELAY; it is yours (pass it to an actor that calls
 * alox_tcp_open, or close it). Returns the listening socket, or -1 with
 * errno and a message on stderr. The listener keeps alox_run from
 * returning until alox_tcp_unlisten or until self stops. */
ALOX_API int alox_tcp_listen_desc(void *self, const char *host, uint16_t port,
                                  const alox_behaviour_desc *on_accept);

/* What a user writes (the front ends turn these into the _desc calls,
 * on_accept and on_data into their descriptors, and check each callback's
 * parameters against the ones above):
 *     alox_tcp_listen(self, host, port, on_accept)   on_accept(T *self, int fd)
 *     alox_tcp_open(tcp, self, fd, on_data)          on_data(T *self, int fd, uint32_t events) */
#define alox_tcp_listen(self, host, port, on_accept) alox__tcp_listen(self, host, port, on_accept)
#define alox_tcp_open(tcp, self, fd, on_data) alox__tcp_open(tcp, self, fd, on_data)
/* Markers, never defined: one a front end left is a link error. */
int alox__tcp_listen(void *self, const char *host, uint16_t port, ...);
int alox__tcp_open(alox_tcp *tcp, void *self, int fd, ...);

/* Stops listening and closes the listening socket. */
ALOX_API void alox_tcp_unlisten(int listen_fd);

/* The local port of a socket (after listening on port 0), or 0. */
ALOX_API uint16_t alox_tcp_port(int fd);

/* Inside a behaviour of self, whose struct holds *tcp: serve the
 * connection fd. From now on on_data(self, int fd, uint32_t events) runs
 * in self whenever there is something to say (the ALOX_TCP_* events
 * above). Returns 0, or -1 with errno (fd closed then; but a second open
 * of an open alox_tcp with its own socket leaves that connection open and
 * served). The connection keeps alox_run from returning until it is
 * closed; when self stops, it is closed. */
ALOX_API int alox_tcp_open_desc(alox_tcp *tcp, void *self, int fd, const alox_behaviour_desc *on_data);

/* The bytes received and not yet consumed. */
ALOX_API const char *alox_tcp_input(const alox_tcp *tcp, size_t *len);

/* Drops the first n bytes of the input (those you have handled). */
ALOX_API void alox_tcp_consume(alox_tcp *tcp, size_t n);

/* Queues bytes to send; they are sent when the current behaviour has
 * returned (all the writes of one behaviour in one system call), and later
 * as the socket accepts them. Returns 0, or -1 (EPIPE) if the connection
 * is closed or dead: nothing was queued. */
ALOX_API int alox_tcp_write(alox_tcp *tcp, const void *data, size_t len);

/* Bytes queued and not yet sent. */
ALOX_API size_t alox_tcp_unsent(const alox_tcp *tcp);

/* The most unconsumed input to buffer (default ALOX_TCP_INPUT_LIMIT_DEFAULT,
 * at least 64 bytes): a request larger than this can never be completed. */
ALOX_API void alox_tcp_set_input_limit(alox_tcp *tcp, size_t limit);

/* Closes the connection after its queued output is sent (or at once if the
 * peer is gone). No on_data follows. Safe to call twice. */
ALOX_API void alox_tcp_close(alox_tcp *tcp);

/* Is the connection open (alox_tcp_close not called, not reset)? */
ALOX_API bool alox_tcp_is_open(const alox_tcp *tcp);

/* Connections served and not yet closed, in the whole process. */
ALOX_API uint64_t alox_tcp_connections(void);

#ifdef __cplusplus
}
#endif

#endif
