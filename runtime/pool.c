/* pool.c - see pool.h. */
#include "pool.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"

#define POOL_CLASSES 8             /* 32, 64, ... 4096 bytes */
#define POOL_CHUNK_BYTES (64 * 1024) /* carved into blocks of one class */
#define POOL_BATCH 256             /* blocks moved between thread and global list at once */
#define POOL_CACHE_MAX (2 * POOL_BATCH) /* a thread keeps at most this many per class */

#if defined(__SANITIZE_ADDRESS__)
#define POOL_PASSTHROUGH 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_PASSTHROUGH 1
#endif
#endif

#ifdef POOL_PASSTHROUGH

void *pool_alloc(size_t size) {
    void *p = NULL;
    if (posix_memalign(&p, 16, size) != 0)
        alox_fatal("out of memory allocating %zu bytes", size);
    return p;
}

void pool_free(void *block, size_t size) {
    (void)size;
    free(block);
}

#else

/* A free block: `next` links blocks of one list, `next_batch` links the
 * batches of the global list (only in a batch's first block). */
typedef struct free_block {
    struct free_block *next;
    struct free_block *next_batch;
} free_block;

typedef struct chunk {
    struct chunk *next;
} chunk;

typedef struct thread_cache {
    free_block *blocks[POOL_CLASSES];
    uint32_t count[POOL_CLASSES];
    int registered; /* destructor armed */
} thread_cache;

static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
static free_block *global_batches[POOL_CLASSES];
static chunk *all_chunks; /* keeps every chunk reachable */
static pthread_key_t cache_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static _Thread_local thread_cache cache;

static unsigned class_of(size_t size) {
    unsigned cls = 0;
    size_t block = POOL_MIN_BLOCK;
    while (block < size) {
        block <<= 1;
        cls++;
    }
    return cls;
}

static size_t class_size(unsigned cls) { return (size_t)POOL_MIN_BLOCK << cls; }

static void *checked_malloc(size_t size) {
    void *p = NULL;
    if (posix_memalign(&p, 16, size) != 0)
        alox_fatal("out of memory allocating %zu bytes", size);
    return p;
}

/* Gives a list of up to POOL_BATCH blocks taken off the front of *list. */
static free_block *split_batch(free_block **list, uint32_t *count) {
    free_block *batch = *list, *last = batch;
    for (unsigned i = 1; i < POOL_BATCH && last->next; i++)
        last = last->next;
    *list = last->next;
    last->next = NULL;
    *count -= *count < POOL_BATCH ? *count : POOL_BATCH;
    return batch;
}

static void flush_cache(void *unused) {
    (void)unused;
    pthread_mutex_lock(&global_lock);
    for (unsigned cls = 0; cls < POOL_CLASSES; cls++) {
        while (cache.blocks[cls]) {
            free_block *batch = split_batch(&cache.blocks[cls], &cache.count[cls]);
            batch->next_batch = global_batches[cls];
            global_batches[cls] = batch;
        }
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

static free_block *carve_chunk(unsigned cls, uint32_t *count) {
    size_t size = class_size(cls);
    chunk *c = checked_malloc(POOL_CHUNK_BYTES);
    c->next = all_chunks; /* caller holds global_lock */
    all_chunks = c;
    /* The first 16 bytes hold the chunk link, the rest are blocks. */
    char *start = (char *)c + 16, *end = (char *)c + POOL_CHUNK_BYTES;
    free_block *list = NULL;
    *count = 0;
    for (char *p = end - size; p >= start; p -= size) {
        free_block *b = (free_block *)p;
        b->next = list;
        list = b;
        (*count)++;
    }
    return list;
}

static void refill(unsigned cls) {
    if (!cache.registered)
        register_cache();
    pthread_mutex_lock(&global_lock);
    free_block *batch = global_batches[cls];
    uint32_t count = 0;
    if (batch) {
        global_batches[cls] = batch->next_batch;
        for (free_block *b = batch; b; b = b->next)
            count++;
    } else {
        batch = carve_chunk(cls, &count);
    }
    pthread_mutex_unlock(&global_lock);
    cache.blocks[cls] = batch;
    cache.count[cls] = count;
}

void *pool_alloc(size_t size) {
    if (ALOX_UNLIKELY(size > POOL_MAX_BLOCK))
        return checked_malloc(size);
    unsigned cls = class_of(size);
    if (ALOX_UNLIKELY(cache.blocks[cls] == NULL))
        refill(cls);
    free_block *b = cache.blocks[cls];
    cache.blocks[cls] = b->next;
    cache.count[cls]--;
    return b;
}

void pool_free(void *block, size_t size) {
    if (ALOX_UNLIKELY(size > POOL_MAX_BLOCK)) {
        free(block);
        return;
    }
    unsigned cls = class_of(size);
    free_block *b = block;
    b->next = cache.blocks[cls];
    cache.blocks[cls] = b;
    if (ALOX_UNLIKELY(++cache.count[cls] > POOL_CACHE_MAX)) {
        if (!cache.registered)
            register_cache();
        free_block *batch = split_batch(&cache.blocks[cls], &cache.count[cls]);
        pthread_mutex_lock(&global_lock);
        batch->next_batch = global_batches[cls];
        global_batches[cls] = batch;
        pthread_mutex_unlock(&global_lock);
    }
}

#endif /* POOL_PASSTHROUGH */
