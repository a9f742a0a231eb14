/* sockets.c - the ZeroMQ sockets of the mailman: options every
 * connection gets (bounded queues, the handshake timeout, the frame size
 * limit), the ROUTER we listen on (with the cap on half-open connections,
 * half_open.h) and the DEALERs we connect. Mailman thread, or the thread
 * of transport_start before it runs; see transport_internal.h. */
#include "transport_internal.h"

#include <stdio.h>
#include <zmq.h>

#include "half_open.h"

bool transport_fail(char *err, size_t err_size, const char *what, const char *where) {
    snprintf(err, err_size, "%s %s: %s", what, where, zmq_strerror(zmq_errno()));
    return false;
}

static void set_int(void *socket, int option, int value) { zmq_setsockopt(socket, option, &value, sizeof value); }

static void common_options(void *socket) {
    /* Bounded queues: a send to a full one fails with EAGAIN and is
     * retried (session.c), never dropped; the peer's window (outgoing.c)
     * keeps them from filling in the common case. */
    set_int(socket, ZMQ_SNDHWM, TRANSPORT_HWM_FRAMES);
    set_int(socket, ZMQ_RCVHWM, TRANSPORT_HWM_FRAMES);
    set_int(socket, ZMQ_LINGER, TRANSPORT_STOP_LINGER_MS);
    /* A connection that has not finished the CURVE handshake by then is
     * closed: strangers cannot hold descriptors open by sending a byte. */
    set_int(socket, ZMQ_HANDSHAKE_IVL, TRANSPORT_HANDSHAKE_MS);
    int64_t max_frame = WIRE_MAX_FRAME; /* a larger frame closes its connection unread */
    zmq_setsockopt(socket, ZMQ_MAXMSGSIZE, &max_frame, sizeof max_frame);
}

bool transport_open_router(const transport_config *c, char *err, size_t err_size) {
    transport.zap = zmq_socket(transport.context, ZMQ_REP);
    if (!transport.zap || zmq_bind(transport.zap, "inproc://zeromq.zap.01") != 0)
        return transport_fail(err, err_size, "cannot start the ZAP handler", "inproc://zeromq.zap.01");
    if (!c->listen)
        return true;
    transport.router = zmq_socket(transport.context, ZMQ_ROUTER);
    common_options(transport.router);
    set_int(transport.router, ZMQ_ROUTER_MANDATORY, 1);
    set_int(transport.router, ZMQ_CURVE_SERVER, 1);
    zmq_setsockopt(transport.router, ZMQ_CURVE_SECRETKEY, c->secret_z85, 40);
    zmq_setsockopt(transport.router, ZMQ_ZAP_DOMAIN, "alox", 4);
    transport.half_open = half_open_start(transport.context, transport.router, c->peer_count);
    if (zmq_bind(transport.router, c->listen) != 0)
        return transport_fail(err, err_size, "--alox-listen: cannot listen on", c->listen);
    transport.serving = true;
    return true;
}

bool transport_open_dealer(peer *p, char *err, size_t err_size) {
    p->dealer = zmq_socket(transport.context, ZMQ_DEALER);
    if (!p->dealer) /* out of descriptors (EMFILE): the caller says so, and tries again later */
        return transport_fail(err, err_size, "cannot open a socket to", p->endpoint);
    common_options(p->dealer);
    zmq_setsockopt(p->dealer, ZMQ_CURVE_SERVERKEY, p->public_key, 32);
    zmq_setsockopt(p->dealer, ZMQ_CURVE_PUBLICKEY, transport.public_z85, 40);
    zmq_setsockopt(p->dealer, ZMQ_CURVE_SECRETKEY, transport.secret_z85, 40);
    if (zmq_connect(p->dealer, p->endpoint) != 0) {
        transport_fail(err, err_size, "cannot connect to", p->endpoint);
        zmq_close(p->dealer);
        p->dealer = NULL;
        return false;
    }
    return true;
}

void transport_close_sockets(void) {
    if (transport.router) {
        half_open_stop(transport.router);
        zmq_close(transport.router);
    }
    for (size_t i = 0; i < transport.peer_count; i++)
        if (transport.peers[i].dealer)
            zmq_close(transport.peers[i].dealer);
    zmq_close(transport.zap);
}
