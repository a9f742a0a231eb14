/* pool.c - the slow paths of the pools; the fast paths are in pool.h. */
#include "pool.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "platform.h"

#define POOL_CHUNK_BYTES (64 * 1024) /* carved into blocks of one class */

static void *checked_malloc(size_t size) {
    void *p = NULL;
    if (posix_memalign(&p, 16, size) != 0)
        alox_fatal("out of memory allocating %zu bytes", size);
    return p;
}

#ifdef POOL_PASSTHROUGH

void *pool_alloc(size_t size) { return checked_malloc(size); }

void pool_free(void *block, size_t size) {
    (void)size;
    free(block);
}

#else

typedef struct chunk {
    struct chunk *next;
} chunk;

static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
static pool_block *global_batches[POOL_CLASSES];
static chunk *all_chunks; /* keeps every chunk reachable */
static pthread_key_t cache_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

ALOX_TLS pool_cache pool_thread_cache;
#define cache pool_thread_cache

static size_t class_size(unsigned cls) { return (size_t)POOL_MIN_BLOCK << cls; }

/* Takes up to POOL_BATCH blocks off the front of *list (the most recently
 * freed: still in this core's cache) and records their number in the
 * first. */
static pool_block *split_batch(pool_block **list, uint32_t *count) {
    pool_block *batch = *list, *last = batch;
    uint32_t n = 1;
    while (n < POOL_BATCH && last->next) {
        last = last->next;
        n++;
    }
    *list = last->next;
    last->next = NULL;
    batch->batch_count = n;
    *count -= *count < n ? *count : n;
    return batch;
}

static void push_batch_locked(unsigned cls, pool_block *batch) {
    batch->next_batch = global_batches[cls];
    global_batches[cls] = batch;
}

static void flush_cache(void *unused) {
    (void)unused;
    pthread_mutex_lock(&global_lock);
    for (unsigned cls = 0; cls < POOL_CLASSES; cls++) {
        while (cache.blocks[cls])
            push_batch_locked(cls, split_batch(&cache.blocks[cls], &cache.count[cls]));
        cache.count[cls] = 0;
    }
    pthread_mutex_unlock(&global_lock);
}

static void make_key(void) { pthread_key_create(&cache_key, flush_cache); }

/* Arms the thread-exit flush once per thread, so a finished thread's free
 * blocks return to the global list. */
static void register_cache(void) {
    pthread_once(&key_once, make_key);
    pthread_setspecific(cache_key, &cache);
    cache.registered = 1;
}

static pool_block *carve_chunk(unsigned cls, uint32_t *count) {
    size_t size = class_size(cls);
    chunk *c = checked_malloc(POOL_CHUNK_BYTES);
    c->next = all_chunks; /* caller holds global_lock */
    all_chunks = c;
    /* The first 16 bytes hold the chunk link, the rest are blocks. */
    char *start = (char *)c + 16, *end = (char *)c + POOL_CHUNK_BYTES;
    pool_block *list = NULL;
    *count = 0;
    for (char *p = end - size; p >= start; p -= size) {
        pool_block *b = (pool_block *)p;
        b->next = list;
        list = b;
        (*count)++;
    }
    return list;
}

void *pool_alloc_refill(unsigned cls) {
    if (!cache.registered)
        register_cache();
    pthread_mutex_lock(&global_lock);
    pool_block *batch = global_batches[cls];
    uint32_t count;
    if (batch) {
        global_batches[cls] = batch->next_batch;
        count = batch->batch_count;
    } else {
        batch = carve_chunk(cls, &count);
    }
    pthread_mutex_unlock(&global_lock);
    cache.blocks[cls] = batch->next;
    cache.count[cls] = count - 1;
    return batch;
}

void pool_free_overflow(unsigned cls) {
    if (!cache.registered)
        register_cache();
    pool_block *batch = split_batch(&cache.blocks[cls], &cache.count[cls]);
    pthread_mutex_lock(&global_lock);
    push_batch_locked(cls, batch);
    pthread_mutex_unlock(&global_lock);
}

void *pool_alloc_large(size_t size) { return checked_malloc(size); }

void pool_free_large(void *block) { free(block); }

#endif /* POOL_PASSTHROUGH */
