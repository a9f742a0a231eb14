/*
 * pool.h - per-thread pools of fixed-size blocks, for messages.
 *
 * Blocks come in size classes (powers of two from POOL_MIN_BLOCK to
 * POOL_MAX_BLOCK bytes). Each thread keeps a free list per class, so an
 * allocation or a free is a few instructions with no atomic operation. A
 * thread that frees more than it allocates (a consumer) hands batches back
 * to a global list under a lock; a thread that allocates more (a producer)
 * takes whole batches from there. Memory is carved from chunks that stay
 * reachable from a global list, so leak checkers see no leak.
 *
 * Thread-safety: every function may be called from any thread; a block may
 * be freed by a thread other than the one that allocated it.
 * Under AddressSanitizer the pools pass through to malloc so that a
 * use-after-free of a message is caught, not recycled.
 */
#ifndef ALOX_POOL_H
#define ALOX_POOL_H

#include <stddef.h>

#define POOL_MIN_BLOCK 32u   /* bytes: a message header plus a few arguments */
#define POOL_MAX_BLOCK 4096u /* bytes: larger blocks go to malloc directly */

/* A block of at least `size` bytes, aligned to 16. Never NULL (aborts on
 * out-of-memory with a message). */
void *pool_alloc(size_t size);

/* Returns a block; `size` is the size it was allocated with. */
void pool_free(void *block, size_t size);

#endif
