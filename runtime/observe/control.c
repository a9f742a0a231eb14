/* control.c - the control socket's place and both of its ends; see control.h. */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define CONTROL_BACKLOG 8 /* pending connections: alox top connects one at a time */
#define CONTROL_ANSWER_MAX (64u << 20) /* bytes a client accepts: far above any snapshot */

size_t control_dirs(uid_t uid, char dirs[CONTROL_DIRS][CONTROL_PATH_MAX]) {
    size_t n = 0;
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (uid == getuid() && xdg && xdg[0] == '/') {
        int len = snprintf(dirs[n], CONTROL_PATH_MAX, "%s/alox", xdg);
        if (len > 0 && len < CONTROL_PATH_MAX - 16)
            n++;
    }
    snprintf(dirs[n++], CONTROL_PATH_MAX, "/tmp/alox-%u", (unsigned)uid);
    return n;
}

bool control_dir_ready(const char *dir, char *err, size_t err_size) {
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, err_size, "cannot make %s: %s", dir, strerror(errno));
        return false;
    }
    struct stat st;
    if (lstat(dir, &st) != 0) {
        snprintf(err, err_size, "cannot look at %s: %s", dir, strerror(errno));
        return false;
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077) != 0) {
        snprintf(err, err_size,
                 "%s is not a private directory of this user (it must be a directory owned by "
                 "uid %u with mode 0700): remove it, or set ALOX_TOP=0",
                 dir, (unsigned)getuid());
        return false;
    }
    return true;
}

bool control_socket_path(const char *dir, pid_t pid, char out[CONTROL_PATH_MAX]) {
    int n = snprintf(out, CONTROL_PATH_MAX, "%s/%ld.sock", dir, (long)pid);
    return n > 0 && n < CONTROL_PATH_MAX;
}

static int listen_at(const char *path, char *err, size_t err_size) {
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        snprintf(err, err_size, "cannot make a Unix socket: %s", strerror(errno));
        return -1;
    }
    unlink(path); /* a stale socket of an earlier process with this pid */
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || chmod(path, 0600) != 0 ||
        listen(fd, CONTROL_BACKLOG) != 0) {
        snprintf(err, err_size, "cannot listen on %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int control_listen(char path_out[CONTROL_PATH_MAX], char *err, size_t err_size) {
    char dirs[CONTROL_DIRS][CONTROL_PATH_MAX];
    size_t n = control_dirs(getuid(), dirs);
    for (size_t i = 0; i < n; i++) {
        if (!control_dir_ready(dirs[i], err, err_size) ||
            !control_socket_path(dirs[i], getpid(), path_out))
            continue;
        int fd = listen_at(path_out, err, err_size);
        if (fd >= 0)
            return fd;
    }
    return -1;
}

bool control_client_allowed(int fd) {
    struct ucred cred;
    socklen_t size = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &size) != 0)
        return false;
    return cred.uid == getuid() || cred.uid == 0;
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for `events` on fd until the deadline; false (errno ETIMEDOUT) if not. */
static bool wait_for(int fd, short events, int64_t deadline) {
    for (;;) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            errno = ETIMEDOUT;
            return false;
        }
        struct pollfd p = {fd, events, 0};
        int rc = poll(&p, 1, (int)left);
        if (rc > 0)
            return true;
        if (rc < 0 && errno != EINTR)
            return false;
    }
}

char *control_request(const char *path, const char *request, int timeout_ms) {
    int64_t deadline = now_ms() + timeout_ms;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return NULL;
    char *answer = NULL;
    size_t size = 0, cap = 0;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0)
        goto fail;
    size_t len = strlen(request), sent = 0;
    while (sent < len) {
        if (!wait_for(fd, POLLOUT, deadline))
            goto fail;
        ssize_t n = send(fd, request + sent, len - sent, MSG_NOSIGNAL);
        if (n < 0 && errno != EINTR)
            goto fail;
        sent += n > 0 ? (size_t)n : 0;
    }
    for (;;) {
        if (size + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *a = cap <= CONTROL_ANSWER_MAX ? realloc(answer, cap) : NULL;
            if (!a) {
                errno = EFBIG;
                goto fail;
            }
            answer = a;
        }
        if (!wait_for(fd, POLLIN, deadline))
            goto fail;
        ssize_t n = recv(fd, answer + size, cap - size - 1, 0);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            goto fail;
        }
        size += (size_t)n;
    }
    close(fd);
    answer[size] = '\0';
    return answer;
fail: {
    int saved = errno;
    close(fd);
    free(answer);
    errno = saved;
    return NULL;
}
}
