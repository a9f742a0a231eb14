/* observe.c - the observer thread: serves the control socket and the
 * metrics endpoint; see observe.h. */
#include "observe.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "control.h"
#include "core/trace.h"
#include "metrics.h"
#include "snapshot.h"
#include "textbuf.h"
#include "trace_writer.h"

#define CONTROL_IO_TIMEOUT_MS 1000 /* a client that does not ask within this is dropped */
#define CONTROL_REQUEST_MAX 64     /* bytes of a request line */

static int control_fd = -1, metrics_fd = -1;
static char control_path[CONTROL_PATH_MAX];
static pid_t control_owner; /* the process that made the socket (not a forked child) */
static bool top_wanted, control_tried, started;
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;

static void remove_socket(void) {
    if (control_path[0] && getpid() == control_owner)
        unlink(control_path);
}

static void serve_control(void) {
    int fd = accept4(control_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    if (!control_client_allowed(fd)) { /* the directory's mode already keeps others out */
        close(fd);
        return;
    }
    struct timeval tv = {CONTROL_IO_TIMEOUT_MS / 1000, (CONTROL_IO_TIMEOUT_MS % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    char line[CONTROL_REQUEST_MAX];
    size_t used = 0;
    while (used + 1 < sizeof line && !memchr(line, '\n', used)) {
        ssize_t n = recv(fd, line + used, sizeof line - used - 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    line[used] = '\0';
    textbuf t;
    textbuf_init(&t);
    if (strcmp(line, "snapshot\n") == 0)
        snapshot_json(&t, true);
    else if (strcmp(line, "summary\n") == 0)
        snapshot_json(&t, false);
    else
        textbuf_printf(&t, "{\"error\":\"unknown request: ask 'snapshot' or 'summary'\"}\n");
    for (size_t sent = 0; sent < t.size;) {
        ssize_t n = send(fd, t.data + sent, t.size - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        sent += (size_t)n;
    }
    textbuf_free(&t);
    close(fd);
}

static void *observer_main(void *unused) {
    (void)unused;
    for (;;) {
        struct pollfd fds[2];
        int n = 0;
        if (control_fd >= 0)
            fds[n++] = (struct pollfd){control_fd, POLLIN, 0};
        if (metrics_fd >= 0)
            fds[n++] = (struct pollfd){metrics_fd, POLLIN, 0};
        if (poll(fds, (nfds_t)n, -1) < 0) {
            if (errno == EINTR)
                continue;
            perror("alox: the observer thread stops (poll)");
            return NULL;
        }
        for (int i = 0; i < n; i++) {
            if (!(fds[i].revents & POLLIN))
                continue;
            if (fds[i].fd == control_fd)
                serve_control();
            else
                metrics_serve_one(metrics_fd);
        }
    }
}

/* Under start_lock: opens the control socket if wanted and not yet
 * open, and starts the thread if there is something to serve. */
static void start_observer_locked(void) {
    if (top_wanted && control_fd < 0 && !control_tried) {
        char err[512];
        control_tried = true;
        control_fd = control_listen(control_path, err, sizeof err);
        if (control_fd < 0) {
            fprintf(stderr, "alox: alox top will not see this program: %s\n", err);
        } else {
            control_owner = getpid();
            atexit(remove_socket);
        }
    }
    if (started || (control_fd < 0 && metrics_fd < 0))
        return;
    started = true;
    /* The observer must not take signals meant for the program's threads. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&thread, &attr, observer_main, NULL);
    pthread_attr_destroy(&attr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        fprintf(stderr, "alox: cannot start the observer thread (alox top, metrics): %s\n",
                strerror(rc));
}

bool observe_start(const observe_config *c, char *err, size_t err_size) {
    snapshot_set_identity(c->program, c->node);
    if (c->trace_path && !trace_writer_start(c->trace_path, err, err_size))
        return false;
    if (c->metrics) {
        char why[256];
        metrics_fd = metrics_listen(c->metrics, why, sizeof why);
        if (metrics_fd < 0) {
            snprintf(err, err_size, "--alox-metrics %s: %s", c->metrics, why);
            return false;
        }
    }
    pthread_mutex_lock(&start_lock);
    top_wanted = c->top;
    if (metrics_fd >= 0)
        start_observer_locked(); /* scrapers may come before alox_run */
    pthread_mutex_unlock(&start_lock);
    return true;
}

void observe_run_begins(void) {
    pthread_mutex_lock(&start_lock);
    start_observer_locked();
    pthread_mutex_unlock(&start_lock);
}
