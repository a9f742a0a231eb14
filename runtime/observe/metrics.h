/*
 * metrics.h - the Prometheus endpoint (--alox-metrics tcp://HOST:PORT): a
 * minimal HTTP/1.1 server of one route, GET /metrics (and /), answering
 * with the counters in the text exposition format (snapshot.h) and
 * closing the connection. One request at a time, on the observer thread
 * (observe.c); a client gets METRICS_IO_TIMEOUT_MS to send its request.
 *
 * Thread-safety: the observer thread (metrics_listen from alox_init).
 */
#ifndef ALOX_METRICS_H
#define ALOX_METRICS_H

#include <stdbool.h>
#include <stddef.h>

/* Binds and listens on tcp://HOST:PORT (HOST: IPv4, [IPv6], a name or
 * *); returns the descriptor, or -1 with why in err. */
int metrics_listen(const char *endpoint, char *err, size_t err_size);

/* Accepts one connection on the listening descriptor and answers it. */
void metrics_serve_one(int listen_fd);

#endif
