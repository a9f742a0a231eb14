/*
 * control.h - where `alox top` finds a running program: one Unix socket
 * per program, named after its pid, in a directory only its user can
 * enter.
 *
 *     $XDG_RUNTIME_DIR/alox/PID.sock   if XDG_RUNTIME_DIR is set (systemd
 *                                      makes it, mode 0700, per user)
 *     /tmp/alox-UID/PID.sock           otherwise
 *
 * The directory is made with mode 0700 and used only if it is a real
 * directory (not a symlink) owned by this user with no access for group
 * or others; the socket itself gets mode 0600. The server also checks
 * each client's credentials (SO_PEERCRED): only this user, or root, is
 * served. So no other user can connect, read or replace the socket.
 *
 * Protocol: the client sends one line, the server answers and closes.
 *     "snapshot\n"  the full snapshot, JSON (observe/snapshot.h)
 *     "summary\n"   the same without waiting to sample backlogs
 *
 * Thread-safety: every function may be called from any thread.
 */
#ifndef ALOX_CONTROL_H
#define ALOX_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CONTROL_PATH_MAX 108 /* sizeof sun_path */
#define CONTROL_DIRS 2       /* candidates: XDG_RUNTIME_DIR's, then /tmp's */

/* The directories a program of user `uid` may use, in order of
 * preference (XDG_RUNTIME_DIR only for this process's own user); returns
 * how many were written. */
size_t control_dirs(uid_t uid, char dirs[CONTROL_DIRS][CONTROL_PATH_MAX]);

/* Makes (if needed) and checks the private directory `dir`; false with
 * why in err. */
bool control_dir_ready(const char *dir, char *err, size_t err_size);

/* `dir`/PID.sock, or false if it does not fit in a socket address. */
bool control_socket_path(const char *dir, pid_t pid, char out[CONTROL_PATH_MAX]);

/* Binds and listens on the socket for this process (replacing a stale
 * one); returns the descriptor (close-on-exec, non-blocking) and the path
 * in path_out, or -1 with why in err. */
int control_listen(char path_out[CONTROL_PATH_MAX], char *err, size_t err_size);

/* Is the connected client this user (or root)? */
bool control_client_allowed(int fd);

/* Client side: connects to `path`, sends `request`, and reads the whole
 * answer (malloc'd, NUL-terminated) within timeout_ms. NULL with errno
 * set on failure (ECONNREFUSED, ENOENT: no program there; EACCES: not
 * ours; ETIMEDOUT). */
char *control_request(const char *path, const char *request, int timeout_ms);

#endif
