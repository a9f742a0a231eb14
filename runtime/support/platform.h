/* platform.h - small portability helpers shared by the runtime files. */
#ifndef ALOX_PLATFORM_H
#define ALOX_PLATFORM_H

#include <stdint.h>

/* Bytes per cache line on the x86-64 and arm64 machines we target; used to
 * keep data written by different threads on different lines. */
#define ALOX_CACHE_LINE 64

#define ALOX_LIKELY(x) __builtin_expect(!!(x), 1)
#define ALOX_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* For the runtime's thread-locals on the send path (worker_self, the pool
 * caches, the actor arenas). In libalox.so the default model for a
 * thread-local is global-dynamic: every access is a call to
 * __tls_get_addr. Initial-exec is one load off %fs, and is safe because
 * libalox is linked into programs, not dlopen'ed (glibc also keeps a
 * reserve of static TLS for a dlopen'ed library that uses it). */
#define ALOX_TLS _Thread_local __attribute__((tls_model("initial-exec")))

/* Tell the core we are spinning (saves power, frees the sibling thread). */
static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Print "alox: <message>" and abort: for broken invariants and misuse that
 * cannot be reported any other way (the message says what to do). */
void alox_fatal(const char *format, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* The environment variable `name` as microseconds, 0 to max_us, returned
 * in nanoseconds; 0 when unset or empty. Anything else is a fatal error
 * naming the variable and the range (a tuning knob read at start-up). */
uint64_t alox_env_us_as_ns(const char *name, unsigned long max_us);

#endif
