/*
 * actor_probe.h - is this pointer an actor? Asked by calls that must
 * answer bad input with a message, never a crash (alox_monitor): the
 * pointer may be NULL-ish, misaligned, unmapped, or point at anything.
 *
 * The header's magic is read through the kernel (a pipe's write answers
 * EFAULT for an address this process cannot read, instead of a fault),
 * except in pages where an actor was found before (a small per-thread
 * cache: actor memory, once handed out, stays readable for the life of
 * the process; a stopped actor's reads as zeros, reclaim.h).
 *
 * Thread-safety: any thread. About 1.5 us for a page not seen before (two
 * system calls and a mutex), a few ns for one seen.
 */
#ifndef ALOX_ACTOR_PROBE_H
#define ALOX_ACTOR_PROBE_H

typedef enum actor_probe_result {
    PROBE_NOT_ACTOR = 0, /* not an actor reference (or nothing readable there) */
    PROBE_ACTOR,         /* a live or stopped actor, or a proxy: the header is there */
    PROBE_FREED,         /* an actor that stopped and whose memory went back (zeros) */
} actor_probe_result;

/* What `body` (an actor reference as the user holds it) points at. */
actor_probe_result actor_probe(const void *body);

#endif
