/*
 * watch.h - descriptor watches: alox_watch_fd_desc / alox_unwatch_fd
 * (alox.h, alox/abi.h) for users, and edge watches for the layers above
 * the core (the TCP layer).
 *
 * A watch ties one descriptor to one actor. Readiness reaches the actor as
 * a runtime message (mailman.h, mailman_send_runtime) that is checked when
 * it runs: a message for a watch that was removed, or replaced, since it
 * was sent is dropped there, so nothing arrives for a descriptor after
 * alox_unwatch_fd has returned, even what was already queued.
 *
 *   one-shot (users): registered EPOLLONESHOT. Each alox_watch_fd_desc arms
 *     it once; on readiness on_ready(self, fd, events) runs in self, and
 *     the descriptor stays registered but disarmed until the next call.
 *   edge (layers): registered once, edge-triggered, for input, output and
 *     hang-up. The I/O thread collects the epoll events; at most one
 *     message per watch is queued at a time; when it runs, the events
 *     collected so far are handed to on_edge(self, cookie, fd, events)
 *     and the collection starts afresh. A layer that reads until EAGAIN
 *     (or a short read) after on_edge starts never misses an edge, and
 *     never needs an epoll_ctl per read (the one-shot's re-arm).
 *
 * Every watch holds the scheduler (alox_hold) until it is removed: a
 * watched descriptor keeps alox_run from returning. When the actor stops
 * (io_stopped.h) its watches are removed; an edge watch's on_release then
 * runs (outside any lock) so its layer can close the descriptor.
 *
 * Thread-safety: every function from any thread (one mutex; runtime
 * messages are pushed under it, so once a watch is removed the I/O thread
 * sends nothing more to its actor).
 */
#ifndef ALOX_WATCH_H
#define ALOX_WATCH_H

#include <stdint.h>

#include "alox.h"

struct actor;

/* Runs in the watching actor (self is its body), on a worker. */
typedef void (*watch_edge_fn)(void *self, void *cookie, int fd, uint32_t epoll_events);
/* The watch was removed because the actor stopped: release the descriptor. */
typedef void (*watch_release_fn)(void *cookie, int fd);

/* Watches fd for `a`, edge-triggered (EPOLLIN | EPOLLOUT | EPOLLRDHUP).
 * Returns 0, or -1 with errno (EBUSY if fd is watched already, or
 * epoll_ctl's). */
int watch_edge_add(struct actor *a, int fd, watch_edge_fn on_edge, watch_release_fn on_release,
                   void *cookie);

/* Removes the watch of fd, whichever kind (alox_unwatch_fd is this). */
void watch_remove(int fd);

/* Removes the watch of fd and calls its on_release (if any), as when its
 * actor stops: for a layer whose cookie owns the descriptor. */
void watch_remove_released(int fd);

/* Removes every watch of `a` (it stopped), calling their on_release. */
void watch_remove_target(struct actor *a);

/* Descriptors watched now (a snapshot; for tests). */
uint64_t watch_count(void);

#endif
