/* actor_probe.c - see actor_probe.h. */
#include "actor_probe.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "actor.h"
#include "support/platform.h"

/* Pages (4 KiB units, the smallest page there is) in which an actor's
 * header was found: a direct-mapped cache per thread, which saves the
 * safe read for actors of a page seen before. Only pages where an actor
 * was found are kept, never a heap page a bad pointer led to, so a
 * sanitizer never sees a direct read of a redzone. */
#define VERIFIED_PAGES 64
#define VERIFIED_PAGE_SHIFT 12

/* Reads n bytes at `from` through the kernel: a pipe, written from `from`
 * and read back. The write is a raw system call, so a sanitizer's
 * interceptor does not read the bytes first (a wild pointer is the case
 * this exists for). */
static bool read_safely(void *to, const void *from, size_t n) {
    static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;
    static int probe[2] = {-1, -1};
    bool ok = false;
    pthread_mutex_lock(&probe_lock);
    if (probe[0] >= 0 || pipe2(probe, O_CLOEXEC | O_NONBLOCK) == 0)
        ok = syscall(SYS_write, probe[1], from, n) == (long)n && read(probe[0], to, n) == (ssize_t)n;
    pthread_mutex_unlock(&probe_lock);
    return ok;
}

actor_probe_result actor_probe(const void *body) {
    static ALOX_TLS uintptr_t verified[VERIFIED_PAGES];
    if (((uintptr_t)body & (sizeof(void *) - 1)) != 0 || (uintptr_t)body < sizeof(actor))
        return PROBE_NOT_ACTOR;
    const uint32_t *at = &actor_of(body)->magic; /* 4 bytes, aligned: within one page */
    uintptr_t page = (uintptr_t)at >> VERIFIED_PAGE_SHIFT;
    uint32_t magic = 0;
    if (verified[page % VERIFIED_PAGES] == page)
        magic = *at;
    else if (!read_safely(&magic, at, sizeof magic))
        return PROBE_NOT_ACTOR;
    else if (magic == ACTOR_MAGIC)
        verified[page % VERIFIED_PAGES] = page;
    if (magic == ACTOR_MAGIC)
        return PROBE_ACTOR;
    return magic == 0 && actor_was_freed(actor_of(body)) ? PROBE_FREED : PROBE_NOT_ACTOR;
}
