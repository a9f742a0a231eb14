/*
 * once_heap.h - memory whose addresses are handed out once, for actors.
 *
 * A block comes from a large reserved range of virtual addresses and is
 * zero-filled (fresh pages). When blocks are freed, their addresses are
 * never handed out again: the physical pages under them go back to the
 * kernel (madvise MADV_DONTNEED) as soon as every block on a page is
 * free, and the addresses then read as zeros for ever. A stale pointer to
 * a freed block therefore reads zeros, never another block's data, and
 * never faults. This is what lets a plain `T *` outlive its actor
 * (docs/ARCHITECTURE.md, "Actor memory").
 *
 * Only the first and last page of a block may be shared with other blocks;
 * a page is given back when the last block touching it is freed. A thread
 * bump-allocates in its own slab; the page under its cursor is held open
 * (a bias on its count) so it is not given back while blocks may still be
 * placed on it.
 *
 * Writing to a freed block is the one thing the caller must rule out (it
 * would bring a page back, zero and lost to us): the actor layer frees a
 * block only after a grace period (grace.h).
 *
 * Thread-safety: every function may be called from any thread; a block
 * may be freed on a thread other than the one that allocated it.
 */
#ifndef ALOX_ONCE_HEAP_H
#define ALOX_ONCE_HEAP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform.h"

#define ONCE_HEAP_PAGE 4096u /* bytes: the unit in which memory goes back (x86-64, arm64 4K kernels) */
#define ONCE_HEAP_MAX_ALIGN ONCE_HEAP_PAGE /* largest alignment once_heap_alloc gives */

/* A thread's place in its slab (once_heap.c); read here by the inline
 * fast paths. Owner only. */
typedef struct once_heap_cursor {
    char *next, *end;      /* the unhanded part of its slab */
    uintptr_t open_page;   /* address of the page held open, or 0 */
    uint32_t open_placed;  /* blocks placed on it */
} once_heap_cursor;
extern ALOX_TLS once_heap_cursor once_heap_mine;

void *once_heap_alloc_slow(size_t size, size_t prefix, size_t align);

/* Zeroed memory of `size` bytes such that `prefix` bytes after its start
 * the address is aligned to `align` (a power of two, at most
 * ONCE_HEAP_MAX_ALIGN): for an actor, the header is the prefix and the
 * user's struct starts aligned. Never NULL (aborts with a message when the
 * address space is exhausted). Inline: the common case (the block fits in
 * the slab, on the page held open: only counted) is ~12 instructions in
 * the spawn, not a call (fork-join: 34 per actor as a call). */
static inline void *once_heap_alloc(size_t size, size_t prefix, size_t align) {
    once_heap_cursor *c = &once_heap_mine;
    if (align < 16)
        align = 16;
    /* The page held open lies in the current slab; the last test also
     * refuses a thread without a slab (end NULL). A large block (at least
     * a quarter slab) never fits on one page, so the page test sends it
     * to the slow path too; size 0 is the slow path's as well. */
    uintptr_t start = (((uintptr_t)c->next + prefix + align - 1) & ~(uintptr_t)(align - 1)) - prefix;
    uintptr_t page = start & ~(uintptr_t)(ONCE_HEAP_PAGE - 1);
    if (__builtin_expect(size != 0 && page == c->open_page &&
                             ((start + size - 1) & ~(uintptr_t)(ONCE_HEAP_PAGE - 1)) == page &&
                             start + size <= (uintptr_t)c->end,
                         1)) {
        c->open_placed++;
        c->next = (char *)(start + size);
        return (void *)start;
    }
    return once_heap_alloc_slow(size, prefix, align);
}

/* Pages whose last block was freed, collected so that they go back in
 * runs: one madvise per ONCE_HEAP_RUN_PAGES pages at most, not one per
 * page. A madvise costs a system call and, while other threads of the
 * process run, a TLB shootdown (an interrupt to each of their cores):
 * skynet freed its pages in 20,000 calls of one or two pages each, and
 * spent more time in the kernel than in the program; with runs of 16
 * pages fork-join's million actors still took 1,200 calls, 21% of its CPU
 * time (perf, two workers), with runs of 128 under 5%. A run goes back when
 * it is that long, or when the batch has no room for another run (the
 * oldest goes), or at once_heap_flush. So a batch holds at most
 * ONCE_HEAP_BATCH_RUNS * (ONCE_HEAP_RUN_PAGES - 1) freed pages in memory
 * (~2 MiB): keep one per thread across frees, and flush it before the
 * thread sleeps or exits. Zero-initialise. One thread at a time. */
#define ONCE_HEAP_RUN_PAGES 128u /* pages: 512 KiB per madvise at least, when runs are that long */
#define ONCE_HEAP_BATCH_RUNS 4u  /* runs being gathered at once: pages are freed a little out of order */
typedef struct once_heap_batch {
    struct { uintptr_t start, end; } runs[ONCE_HEAP_BATCH_RUNS]; /* whole pages, oldest first */
    uint32_t count;
    /* Frees of one-page blocks on held_page not yet taken off its count:
     * blocks freed in a row mostly share a page (they were allocated in a
     * row), and then one atomic subtraction per page, not per block. The
     * page cannot go back before they are taken off, so holding them back
     * only delays its return to the next block elsewhere, or the flush. */
    uint32_t held;
    uintptr_t held_page;
    _Atomic uint32_t *held_live; /* held_page's count */
} once_heap_batch;

/* Frees the block [block, block + size). The caller guarantees nobody
 * writes to it any more; reads by stale pointers stay harmless. Its pages
 * go back when the batch gives back their run. */
void once_heap_free_slow(void *block, size_t size, once_heap_batch *batch);
static inline void once_heap_free(void *block, size_t size, once_heap_batch *batch) {
    uintptr_t first = (uintptr_t)block & ~(uintptr_t)(ONCE_HEAP_PAGE - 1);
    /* The common case: a one-page block on the page of the frees before
     * it, taken off its count later with them (settle, once_heap.c). */
    if (__builtin_expect(size != 0 && first == batch->held_page &&
                             (((uintptr_t)block + size - 1) & ~(uintptr_t)(ONCE_HEAP_PAGE - 1)) == first,
                         1)) {
        batch->held++;
        return;
    }
    once_heap_free_slow(block, size, batch);
}
/* Gives back every page the batch holds. */
void once_heap_flush(once_heap_batch *batch);

/* Was p (ever) handed out by once_heap_alloc? For telling a freed actor
 * (reads zeros) from a pointer that never was one. Slow: not for fast paths. */
bool once_heap_contains(const void *p);

/* Bytes of pages given back so far (for tests and `alox top`). */
uint64_t once_heap_released_bytes(void);

#endif
