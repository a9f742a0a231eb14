/*
 * pool.h - per-thread pools of fixed-size blocks, for messages.
 *
 * Blocks come in size classes (powers of two from POOL_MIN_BLOCK to
 * POOL_MAX_BLOCK bytes). Each thread keeps a free list per class, so an
 * allocation or a free is a few instructions with no atomic operation. A
 * thread that frees more than it allocates (a consumer) hands batches back
 * to a global list under a lock; a thread that allocates more (a producer)
 * takes whole batches from there. Memory is carved from 64 KiB chunks of
 * one reserved address range; when the global lists hold much more free
 * memory than after the last trim, chunks whose every block is free there
 * go back to the kernel (pool_trim: after a burst of queued messages
 * drains, the memory returns).
 *
 * The fast paths (a hit in the thread's free list) are inline here: they
 * run on every send and every delivery. The rest is in pool.c.
 *
 * Thread-safety: every function may be called from any thread; a block may
 * be freed by a thread other than the one that allocated it.
 * Under AddressSanitizer the pools pass through to malloc so that a
 * use-after-free of a message is caught, not recycled.
 */
#ifndef ALOX_POOL_H
#define ALOX_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "platform.h"

#define POOL_MIN_BLOCK 32u   /* bytes: a message header plus a few arguments */
#define POOL_MAX_BLOCK 4096u /* bytes: larger blocks go to malloc directly */
#define POOL_CLASSES 8u      /* 32, 64, ... 4096 bytes */
#define POOL_BATCH 256u      /* blocks moved between a thread and the global list at once */
#define POOL_CACHE_MAX (2 * POOL_BATCH) /* a thread keeps at most this many per class */

#if defined(__SANITIZE_ADDRESS__)
#define POOL_PASSTHROUGH 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_PASSTHROUGH 1
#endif
#endif

/* Gives back whole free chunks if the global lists grew to twice what
 * they held after the last trim (and at least 4 MiB): called by a worker
 * about to park. Cost: one look at every free block, once per doubling. */
void pool_trim_if_due(void);
/* The same, unconditionally (tests). */
void pool_trim(void);
/* Bytes of chunks given back so far. */
uint64_t pool_returned_bytes(void);

#ifdef POOL_PASSTHROUGH

/* A block of at least `size` bytes, aligned to 16. Never NULL (aborts on
 * out-of-memory with a message). */
void *pool_alloc(size_t size);

/* Returns a block; `size` is the size it was allocated with. */
void pool_free(void *block, size_t size);

static inline void *pool_take_cached(size_t size) {
    (void)size;
    return NULL;
}

#else

/* A free block: `next` links blocks of one list; the first block of a
 * batch on the global list also holds the link to the next batch and the
 * number of blocks in its own, so that taking a batch touches one block,
 * not all of them (they were freed on another core: a miss each). */
typedef struct pool_block {
    struct pool_block *next;
    struct pool_block *next_batch;
    uint32_t batch_count;
} pool_block;

typedef struct pool_cache {
    pool_block *blocks[POOL_CLASSES];
    uint32_t count[POOL_CLASSES];
    int registered; /* thread-exit flush armed */
} pool_cache;

/* This thread's free lists. */
extern ALOX_TLS pool_cache pool_thread_cache;

/* Slow paths (pool.c): take a batch into the empty list of `cls`, then
 * allocate; give a batch of the overfull list of `cls` back. */
void *pool_alloc_refill(unsigned cls);
void pool_free_overflow(unsigned cls);
void *pool_alloc_large(size_t size);
void pool_free_large(void *block);

static inline unsigned pool_class_of(size_t size) {
    if (size <= POOL_MIN_BLOCK)
        return 0;
    /* The power of two at or above size, counted from POOL_MIN_BLOCK (2^5). */
    return (unsigned)(64 - __builtin_clzll((unsigned long long)size - 1)) - 5;
}

/* A block of at least `size` bytes, aligned to 16. Never NULL (aborts on
 * out-of-memory with a message). */
static inline void *pool_alloc(size_t size) {
    if (ALOX_UNLIKELY(size > POOL_MAX_BLOCK))
        return pool_alloc_large(size);
    unsigned cls = pool_class_of(size);
    pool_cache *cache = &pool_thread_cache;
    pool_block *b = cache->blocks[cls];
    if (ALOX_UNLIKELY(b == NULL))
        return pool_alloc_refill(cls);
    cache->blocks[cls] = b->next;
    cache->count[cls]--;
    return b;
}

/* pool_alloc's common case alone: a block of this thread's cache, or
 * NULL where pool_alloc would call (refill, large block, passthrough).
 * For a fast path that then makes no call (core/mailman.c). */
static inline void *pool_take_cached(size_t size) {
    if (ALOX_UNLIKELY(size > POOL_MAX_BLOCK))
        return NULL;
    unsigned cls = pool_class_of(size);
    pool_cache *cache = &pool_thread_cache;
    pool_block *b = cache->blocks[cls];
    if (ALOX_UNLIKELY(b == NULL))
        return NULL;
    cache->blocks[cls] = b->next;
    cache->count[cls]--;
    return b;
}

/* Returns a block; `size` is the size it was allocated with. */
static inline void pool_free(void *block, size_t size) {
    if (ALOX_UNLIKELY(size > POOL_MAX_BLOCK)) {
        pool_free_large(block);
        return;
    }
    unsigned cls = pool_class_of(size);
    pool_cache *cache = &pool_thread_cache;
    pool_block *b = block;
    b->next = cache->blocks[cls];
    cache->blocks[cls] = b;
    if (ALOX_UNLIKELY(++cache->count[cls] > POOL_CACHE_MAX))
        pool_free_overflow(cls);
}

#endif /* POOL_PASSTHROUGH */

#endif
