/* metrics.c - see metrics.h. */
#include "metrics.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "snapshot.h"
#include "textbuf.h"

#define METRICS_IO_TIMEOUT_MS 1000 /* a slow client cannot hold the observer longer */
/* The whole request head must arrive within this: a client that trickles
 * it a byte at a time, each within METRICS_IO_TIMEOUT_MS, would otherwise
 * hold the observer thread (and alox top) for hours. A scraper sends its
 * request at once. */
#define METRICS_REQUEST_DEADLINE_MS 1000
#define METRICS_REQUEST_MAX 8192   /* bytes of request head read at most */
#define METRICS_BACKLOG 16

int metrics_listen(const char *endpoint, char *err, size_t err_size) {
    const char *host = endpoint + strlen("tcp://");
    const char *colon = strrchr(host, ':');
    char name[256];
    size_t n = (size_t)(colon - host);
    if (host[0] == '[') { /* [IPv6] */
        host++;
        n -= 2;
    }
    snprintf(name, sizeof name, "%.*s", (int)n, host);
    struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM};
    struct addrinfo *found = NULL;
    int rc = getaddrinfo(strcmp(name, "*") == 0 ? NULL : name, colon + 1, &hints, &found);
    if (rc != 0) {
        snprintf(err, err_size, "cannot resolve %s: %s", name, gai_strerror(rc));
        return -1;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *a = found; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, METRICS_BACKLOG) != 0) {
            saved = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(found);
    if (fd < 0)
        snprintf(err, err_size, "cannot listen there: %s", strerror(saved ? saved : EADDRNOTAVAIL));
    return fd;
}

static void set_timeouts(int fd) {
    struct timeval tv = {METRICS_IO_TIMEOUT_MS / 1000, (METRICS_IO_TIMEOUT_MS % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static void send_all(int fd, const char *data, size_t size) {
    while (size > 0) {
        ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
        if (n <= 0 && errno != EINTR)
            return;
        if (n > 0) {
            data += n;
            size -= (size_t)n;
        }
    }
}

static void respond(int fd, const char *status, const char *type, const char *body, size_t size,
                    bool head_only) {
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n",
                     status, type, size);
    send_all(fd, head, (size_t)n);
    if (!head_only)
        send_all(fd, body, size);
}

static int64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Reads the request head; false if it is incomplete, too large, or not
 * all there within METRICS_REQUEST_DEADLINE_MS. */
static bool read_head(int fd, char *buf, size_t size) {
    size_t used = 0;
    int64_t deadline = now_ms() + METRICS_REQUEST_DEADLINE_MS;
    while (used + 1 < size) {
        int64_t left = deadline - now_ms();
        struct pollfd p = {fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, (int)left) == 0)
            return false;
        ssize_t n = recv(fd, buf + used, size - used - 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        used += (size_t)n;
        buf[used] = '\0';
        if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
            return true;
    }
    return false;
}

void metrics_serve_one(int listen_fd) {
    int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    set_timeouts(fd);
    char request[METRICS_REQUEST_MAX];
    if (!read_head(fd, request, sizeof request)) {
        const char *msg = "bad request\n";
        respond(fd, "400 Bad Request", "text/plain; charset=utf-8", msg, strlen(msg), false);
        close(fd);
        return;
    }
    char method[8] = "", path[256] = "";
    sscanf(request, "%7s %255s", method, path);
    bool head_only = strcmp(method, "HEAD") == 0;
    char *query = strchr(path, '?');
    if (query)
        *query = '\0';
    if (strcmp(method, "GET") != 0 && !head_only) {
        const char *msg = "only GET /metrics\n";
        respond(fd, "405 Method Not Allowed", "text/plain; charset=utf-8", msg, strlen(msg), false);
    } else if (strcmp(path, "/metrics") != 0 && strcmp(path, "/") != 0) {
        const char *msg = "not found: the counters are at /metrics\n";
        respond(fd, "404 Not Found", "text/plain; charset=utf-8", msg, strlen(msg), head_only);
    } else {
        textbuf t;
        textbuf_init(&t);
        snapshot_prometheus(&t);
        respond(fd, "200 OK", "text/plain; version=0.0.4; charset=utf-8", t.data, t.size, head_only);
        textbuf_free(&t);
    }
    close(fd);
}
