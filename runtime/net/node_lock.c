/* node_lock.c - see node_lock.h. */
#include "node_lock.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "alox/abi.h"

#define NODE_LOCK_BACKLOG 4 /* only duplicates ever connect, to ask for the pid */

static int lock_fd = -1; /* held open until the process ends */

static socklen_t lock_address(const char *node, const char *public_z85, struct sockaddr_un *out) {
    char identity[256];
    snprintf(identity, sizeof identity, "%s/%s", node, public_z85);
    memset(out, 0, sizeof *out);
    out->sun_family = AF_UNIX;
    /* sun_path[0] = 0: the abstract namespace. */
    int n = snprintf(out->sun_path + 1, sizeof out->sun_path - 1, "alox-node-%016llx",
                     (unsigned long long)alox_hash(identity));
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

/* The pid of the process holding the lock, or 0 if it cannot be told. */
static long holder_pid(const struct sockaddr_un *address, socklen_t size) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    long pid = 0;
    struct ucred cred;
    socklen_t cred_size = sizeof cred;
    if (fd >= 0 && connect(fd, (const struct sockaddr *)address, size) == 0 &&
        getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cred_size) == 0)
        pid = cred.pid;
    if (fd >= 0)
        close(fd);
    return pid;
}

bool node_lock_take(const char *node, const char *public_z85, char *err, size_t err_size) {
    struct sockaddr_un address;
    socklen_t size = lock_address(node, public_z85, &address);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return true; /* no Unix sockets here: no check, as before */
    if (bind(fd, (const struct sockaddr *)&address, size) == 0) {
        listen(fd, NODE_LOCK_BACKLOG);
        lock_fd = fd;
        return true;
    }
    int why = errno;
    close(fd);
    if (why != EADDRINUSE)
        return true;
    long pid = holder_pid(&address, size);
    char holder[64] = "another process";
    if (pid > 0)
        snprintf(holder, sizeof holder, "process %ld", pid);
    snprintf(err, err_size,
             "--alox-node %s: %s on this host is already running as node '%s' with the same key; "
             "two live processes with one node name would knock each other's sessions out. Stop "
             "it first, or give this process another name (and key)",
             node, holder, node);
    return false;
}
