/*
 * behaviour_refs.h - the behaviour-reference ABI for timers and descriptor
 * watches, until alox/abi.h has them (the front ends' branch adds them
 * there; this header is deleted when it lands). The front ends turn
 *
 *     alox_after(ms, tick(self, 1))            into  alox_send_after(ms, self, &desc_tick, &args)
 *     alox_watch_fd(self, fd, ev, on_ready)    into  alox_watch_fd_desc(self, fd, ev, &desc_on_ready)
 *
 * Exported from libalox (ALOX_API); tests and hand-written code include
 * this header directly.
 */
#ifndef ALOX_BEHAVIOUR_REFS_H
#define ALOX_BEHAVIOUR_REFS_H

#include <stdbool.h>
#include <stdint.h>

#include "alox/abi.h"

#ifndef ALOX_READ
typedef struct alox_timer { uint64_t id; } alox_timer; /* id 0: none */
#define ALOX_READ 1u
#define ALOX_WRITE 2u

/* Sends behaviour(target, args) delay_ms milliseconds from now, from the
 * runtime's I/O thread. Returns the timer ({0} and a dead letter if the
 * target is NULL or of another type). A pending timer keeps alox_run from
 * returning; the timers of an actor that stops are cancelled. */
ALOX_API alox_timer alox_send_after(uint64_t delay_ms, void *target,
                                    const alox_behaviour_desc *behaviour, const void *args);

/* Cancels a pending timer: true if it had not fired (its message will
 * never be sent), false if it had fired, was cancelled, or is {0}. */
ALOX_API bool alox_cancel(alox_timer timer);

/* on_ready(self, int fd, uint32_t events) is sent to self once, when fd
 * is ready for `events` (ALOX_READ, ALOX_WRITE; an error or hang-up
 * reports every event asked for). Watch again for the next time. The
 * watch lasts, and keeps alox_run from returning, until alox_unwatch_fd
 * or until self stops. Returns 0, or -1 with errno (EINVAL: bad events
 * or on_ready is not a behaviour of self's type; EBUSY: another actor
 * watches fd; EBADF / EPERM from epoll: fd cannot be watched). */
ALOX_API int alox_watch_fd_desc(void *self, int fd, uint32_t events,
                                const alox_behaviour_desc *on_ready);

/* Stops watching fd: no on_ready for it is delivered after this returns
 * (one already queued is dropped). Call it before close(fd). */
ALOX_API void alox_unwatch_fd(int fd);
#endif

#endif
