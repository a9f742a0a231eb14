/* zap.c - the ZAP handler (which connections may speak to us: only CURVE
 * keys of the trust file) and the limit on log lines about what others
 * send us. Mailman thread only; see transport_internal.h. */
#include "transport_internal.h"

#include <stdio.h>
#include <string.h>
#include <zmq.h>

static log_limit rejected_log;

/* ---------------------------------------------------------------------
 * Log lines about what others send us (rejected keys, malformed frames)
 * are limited to TRANSPORT_LOG_PER_SECOND a second each, then counted:
 * a stranger cannot flood our stderr. Mailman thread only.
 * ------------------------------------------------------------------- */
bool transport_log_allowed(log_limit *l, const char *what) {
    int64_t now = transport_now_ms();
    if (now - l->window_ms >= 1000) {
        if (l->suppressed)
            fprintf(stderr, "alox: %s: %u more %s in the last second (not shown)\n", transport.node,
                    l->suppressed, what);
        l->window_ms = now;
        l->lines = l->suppressed = 0;
    }
    if (l->lines < TRANSPORT_LOG_PER_SECOND) {
        l->lines++;
        return true;
    }
    l->suppressed++;
    return false;
}

/* ---------------------------------------------------------------------
 * ZAP: admit only CURVE keys listed in the trust file. The user id we
 * return (the node's name) comes back on every message of that
 * connection as the "User-Id" property.
 * ------------------------------------------------------------------- */
static peer *peer_by_key(const uint8_t key[32]) {
    for (size_t i = 0; i < transport.peer_count; i++)
        if (memcmp(transport.peers[i].public_key, key, 32) == 0)
            return &transport.peers[i];
    return NULL;
}

static void zap_reply(const char *request_id, size_t id_size, const char *code, const char *text,
                      const char *user) {
    zmq_send(transport.zap, "1.0", 3, ZMQ_SNDMORE);
    zmq_send(transport.zap, request_id, id_size, ZMQ_SNDMORE);
    zmq_send(transport.zap, code, strlen(code), ZMQ_SNDMORE);
    zmq_send(transport.zap, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(transport.zap, user, strlen(user), ZMQ_SNDMORE);
    zmq_send(transport.zap, "", 0, 0);
}

void transport_serve_zap(void) {
    char parts[7][256];
    size_t sizes[7];
    int n = 0, more = 1;
    while (more && n < 7) {
        int got = zmq_recv(transport.zap, parts[n], sizeof parts[n], ZMQ_DONTWAIT);
        if (got < 0)
            return;
        sizes[n] = (size_t)got < sizeof parts[n] ? (size_t)got : sizeof parts[n]; /* truncated */
        n++;
        size_t more_size = sizeof more;
        zmq_getsockopt(transport.zap, ZMQ_RCVMORE, &more, &more_size);
    }
    while (more) { /* a malformed request: drain it */
        char skip[256];
        zmq_recv(transport.zap, skip, sizeof skip, 0);
        size_t more_size = sizeof more;
        zmq_getsockopt(transport.zap, ZMQ_RCVMORE, &more, &more_size);
    }
    if (n < 7) {
        zap_reply(n > 1 ? parts[1] : "", n > 1 ? sizes[1] : 0, "400", "malformed request", "");
        return;
    }
    char address[257];
    snprintf(address, sizeof address, "%.*s", (int)sizes[3], parts[3]);
    peer *p = sizes[5] == 5 && memcmp(parts[5], "CURVE", 5) == 0 && sizes[6] == 32
                  ? peer_by_key((const uint8_t *)parts[6])
                  : NULL;
    if (!p) {
        char key[41] = "?";
        if (sizes[6] == 32)
            zmq_z85_encode(key, (const uint8_t *)parts[6], 32);
        if (transport_log_allowed(&rejected_log, "connections rejected"))
            fprintf(stderr, "alox: %s: rejected a connection from %s: its key %s is not in the trust file\n",
                    transport.node, address, key);
        atomic_fetch_add(&transport.rejected, 1);
        zap_reply(parts[1], sizes[1], "400", "untrusted key", "");
        return;
    }
    zap_reply(parts[1], sizes[1], "200", "OK", p->name);
}
