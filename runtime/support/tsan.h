/*
 * tsan.h - announcing the runtime's hand-offs to ThreadSanitizer.
 *
 * A user may build an Alox program with -fsanitize=thread while libalox
 * itself is the installed, uninstrumented library. TSan then sees the
 * program's accesses (behaviour bodies, trampolines, main) and the
 * runtime's mutexes (intercepted), but not the runtime's lock-free
 * hand-offs: it would report a race between a sender and the behaviour
 * it sent to, or between two behaviours of one actor on two workers.
 * So the points where the core hands an actor's work from thread to
 * thread say so (core/mailbox.h): a push releases the mailbox, a pop
 * acquires it, the end of a batch releases it for the next batch.
 *
 * __tsan_acquire / __tsan_release are TSan's own interface, defined by its
 * runtime (libtsan for GCC, clang_rt.tsan for clang) in a program built
 * with -fsanitize=thread. Declared weak here, they are null in any other
 * program: then each annotation is one load and a branch never taken.
 * Default visibility, or the hidden-by-default libalox.so could never see
 * the sanitizer runtime's definitions.
 *
 * Thread-safety: callable from any thread.
 */
#ifndef ALOX_TSAN_H
#define ALOX_TSAN_H

#include <stdbool.h>

#include "support/platform.h"

__attribute__((weak, visibility("default"))) void __tsan_acquire(void *addr);
__attribute__((weak, visibility("default"))) void __tsan_release(void *addr);

/* Everything this thread did so far happens before what a later
 * tsan_acquire(addr) on any thread does. */
static inline void tsan_release(void *addr) {
    if (ALOX_UNLIKELY(__tsan_release != NULL))
        __tsan_release(addr);
}

/* Is this a TSan build (the annotations do something)? A fast path that
 * leaves them out asks first. */
static inline bool tsan_active(void) { return __tsan_release != NULL; }

static inline void tsan_acquire(void *addr) {
    if (ALOX_UNLIKELY(__tsan_acquire != NULL))
        __tsan_acquire(addr);
}

#endif
