/* listener.c - listening sockets and accepting; see alox/tcp.h.
 *
 * The listening socket is edge-watched for the listening actor; on an edge
 * the layer accepts until EAGAIN (an edge is not repeated) inside that
 * actor and calls its on_accept for each new socket. */
#include "alox/tcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/actor.h"
#include "core/watch.h"
#include "support/platform.h"

#define LISTEN_BACKLOG 4096 /* connections the kernel queues (capped by somaxconn) */
#define ACCEPT_ERROR_EVERY_S 1 /* at most one "accept failed" message per second */

typedef struct listener {
    int fd;
    void *owner;
    const alox_behaviour_desc *on_accept;
    time_t last_complaint;
} listener;

static void complain(listener *l, int err) {
    time_t now = time(NULL);
    if (now - l->last_complaint < ACCEPT_ERROR_EVERY_S)
        return;
    l->last_complaint = now;
    fprintf(stderr, "alox: accepting on port %u failed: %s%s\n", alox_tcp_port(l->fd), strerror(err),
            err == EMFILE || err == ENFILE
                ? " (raise the descriptor limit, ulimit -n; the connection waits for the next one)"
                : "");
}

static void on_edge(void *self, void *cookie, int fd, uint32_t epoll_events) {
    (void)epoll_events;
    listener *l = cookie;
    for (;;) {
        int conn = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (conn < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                complain(l, errno);
            return;
        }
        int one = 1;
        setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct {
            int32_t fd;
        } args = {conn};
        l->on_accept->trampoline(self, &args);
    }
}

static void on_release(void *cookie, int fd) {
    close(fd);
    free(cookie);
}

/* A bound, listening, non-blocking socket, or -1 with errno. */
static int open_listening(const char *host, uint16_t port) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *found;
    char service[8];
    snprintf(service, sizeof service, "%u", port);
    int rc = getaddrinfo(host, service, &hints, &found);
    if (rc != 0) {
        fprintf(stderr, "alox: alox_tcp_listen(%s, %u): %s\n", host ? host : "(any)", port,
                gai_strerror(rc));
        errno = EINVAL;
        return -1;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *ai = found; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
            err = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(found);
    if (fd < 0) {
        fprintf(stderr, "alox: alox_tcp_listen(%s, %u): %s\n", host ? host : "(any)", port,
                strerror(err));
        errno = err;
    }
    return fd;
}

int alox_tcp_listen_desc(void *self, const char *host, uint16_t port, const alox_behaviour_desc *on_accept) {
    actor *a = self ? actor_of(self) : NULL;
    if (!a || a->magic != ACTOR_MAGIC || !on_accept || on_accept->type_hash != a->type->name_hash) {
        fprintf(stderr, "alox: alox_tcp_listen(%s, %u, %s) refused: on_accept must be a behaviour "
                        "of self's type taking (int fd)\n",
                host ? host : "(any)", port, on_accept ? on_accept->name : "NULL");
        errno = EINVAL;
        return -1;
    }
    int fd = open_listening(host, port);
    if (fd < 0)
        return -1;
    listener *l = calloc(1, sizeof *l);
    if (!l)
        alox_fatal("out of memory listening on port %u", port);
    *l = (listener){fd, self, on_accept, 0};
    if (watch_edge_add(a, fd, on_edge, on_release, l) < 0) {
        int err = errno;
        close(fd);
        free(l);
        errno = err;
        return -1;
    }
    return fd;
}

void alox_tcp_unlisten(int listen_fd) {
    /* The listener record is the watch's cookie: removing the watch would
     * lose it, so it is released like a stopped actor's. */
    watch_remove_released(listen_fd);
}

uint16_t alox_tcp_port(int fd) {
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
        return 0;
    if (addr.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&addr)->sin_port);
    if (addr.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&addr)->sin6_port);
    return 0;
}
