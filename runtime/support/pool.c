/* pool.c - the slow paths of the pools; the fast paths are in pool.h. */
#include "pool.h"

#include <pthread.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>

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

void pool_trim_if_due(void) {}
void pool_trim(void) {}
uint64_t pool_returned_bytes(void) { return 0; }

#else

/* Chunks come from one reserved range of addresses (no memory until
 * touched), so a chunk's number is its offset: trimming finds a block's
 * chunk with a shift. 64 GiB of queued messages is far beyond any run;
 * past it, chunks come from malloc and are never trimmed. */
#define POOL_REGION_BYTES (64ull << 30)
#define POOL_MIN_REGION_BYTES (256ull << 20) /* halved down to this (valgrind, ulimit -v) */
/* Trim when the global lists hold at least this much ... */
#define POOL_TRIM_MIN_BYTES (4u << 20)
/* ... and twice what they held after the last trim (so a trim's cost, one
 * look at every free block, is paid once per doubling). */
#define POOL_TRIM_GROWTH 2u
/* A thread that gives a batch back trims at once past this much free (a
 * consumer draining a burst while no worker parks). */
#define POOL_TRIM_EAGER_BYTES (64u << 20)

typedef struct chunk {
    struct chunk *next;
} chunk;

static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
static pool_block *global_batches[POOL_CLASSES];
static chunk *all_chunks; /* keeps every malloc'd chunk reachable (past the region) */
static pthread_key_t cache_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

/* Under global_lock: */
static char *region;                /* region_chunks chunks reserved, or NULL */
static uint32_t region_chunks;
static uint32_t region_used;        /* chunks ever carved from it */
static uint8_t *chunk_class;        /* per region chunk: its class + 1, 0 if free */
static uint32_t *free_chunks;       /* numbers of given-back chunks, to reuse */
static uint32_t free_chunk_count, free_chunk_capacity;
static uint64_t global_free_bytes;  /* in global_batches */
static uint64_t trimmed_at_bytes;   /* global_free_bytes after the last trim */
static uint64_t chunks_returned;

ALOX_TLS pool_cache pool_thread_cache;
#define cache pool_thread_cache

static size_t class_size(unsigned cls) { return (size_t)POOL_MIN_BLOCK << cls; }

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
    global_free_bytes += (uint64_t)batch->batch_count * class_size(cls);
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

static void *map_region(void) {
    for (uint64_t bytes = POOL_REGION_BYTES; bytes >= POOL_MIN_REGION_BYTES; bytes /= 2) {
        void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
            continue;
        chunk_class = calloc(bytes / POOL_CHUNK_BYTES, 1); /* untouched pages: no memory */
        if (!chunk_class) {
            munmap(p, bytes);
            return NULL;
        }
        region_chunks = (uint32_t)(bytes / POOL_CHUNK_BYTES);
        return p;
    }
    return NULL; /* strict overcommit: chunks from malloc, never trimmed */
}

/* Caller holds global_lock. Returns the chunk's memory (zeroed or not). */
static char *new_chunk(unsigned cls) {
    static bool region_tried;
    if (!region_tried) {
        region_tried = true;
        region = map_region();
    }
    if (region && (free_chunk_count > 0 || region_used < region_chunks)) {
        uint32_t n = free_chunk_count > 0 ? free_chunks[--free_chunk_count] : region_used++;
        chunk_class[n] = (uint8_t)(cls + 1);
        return region + (size_t)n * POOL_CHUNK_BYTES;
    }
    chunk *c = checked_malloc(POOL_CHUNK_BYTES);
    c->next = all_chunks;
    all_chunks = c;
    return (char *)c;
}

static pool_block *carve_chunk(unsigned cls, uint32_t *count) {
    size_t size = class_size(cls);
    char *c = new_chunk(cls);
    /* The first 16 bytes are not used (they hold the link of a malloc'd
     * chunk), the rest are blocks. */
    char *start = c + 16, *end = c + POOL_CHUNK_BYTES;
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

static uint32_t blocks_per_chunk(unsigned cls) { return (uint32_t)((POOL_CHUNK_BYTES - 16) / class_size(cls)); }

/* The region chunk holding b, or UINT32_MAX (a malloc'd chunk). */
static uint32_t chunk_number(const void *b) {
    uintptr_t offset = (uintptr_t)b - (uintptr_t)region;
    return region && offset < (uintptr_t)region_used * POOL_CHUNK_BYTES ? (uint32_t)(offset / POOL_CHUNK_BYTES)
                                                                         : UINT32_MAX;
}

static bool trim_due_locked(void) {
    return global_free_bytes >= POOL_TRIM_MIN_BYTES && global_free_bytes >= POOL_TRIM_GROWTH * trimmed_at_bytes;
}

/* Builds batches of POOL_BATCH blocks out of single blocks. */
typedef struct rebuild {
    pool_block *batches, *first, *last;
    uint32_t n;
} rebuild;

static void rebuild_close(rebuild *r) {
    if (!r->first)
        return;
    r->first->batch_count = r->n;
    r->first->next_batch = r->batches;
    r->batches = r->first;
    r->first = r->last = NULL;
    r->n = 0;
}

static void rebuild_add(rebuild *r, pool_block *b) {
    b->next = NULL;
    if (r->last)
        r->last->next = b;
    else
        r->first = b;
    r->last = b;
    if (++r->n == POOL_BATCH)
        rebuild_close(r);
}

/* Gives whole free chunks back: one look at every block on the global
 * lists (those in threads' caches keep their chunks). Under global_lock. */
static void trim_locked(void) {
    uint32_t *free_in = region_used ? calloc(region_used, sizeof *free_in) : NULL;
    if (!free_in) {
        trimmed_at_bytes = global_free_bytes;
        return;
    }
    for (unsigned cls = 0; cls < POOL_CLASSES; cls++)
        for (pool_block *batch = global_batches[cls]; batch; batch = batch->next_batch)
            for (pool_block *b = batch; b; b = b->next) {
                uint32_t n = chunk_number(b);
                if (n != UINT32_MAX)
                    free_in[n]++;
            }
    uint32_t whole = 0;
    for (uint32_t n = 0; n < region_used; n++) {
        unsigned cls = chunk_class[n] ? chunk_class[n] - 1u : 0;
        bool all_free = chunk_class[n] && free_in[n] == blocks_per_chunk(cls);
        free_in[n] = all_free;
        whole += all_free;
    }
    if (whole == 0) {
        free(free_in);
        trimmed_at_bytes = global_free_bytes;
        return;
    }
    global_free_bytes = 0;
    for (unsigned cls = 0; cls < POOL_CLASSES; cls++) {
        rebuild r = {NULL, NULL, NULL, 0};
        for (pool_block *batch = global_batches[cls], *next_batch; batch; batch = next_batch) {
            next_batch = batch->next_batch;
            for (pool_block *b = batch, *next; b; b = next) {
                next = b->next;
                uint32_t n = chunk_number(b);
                if (n == UINT32_MAX || !free_in[n]) {
                    rebuild_add(&r, b);
                    global_free_bytes += class_size(cls);
                }
            }
        }
        rebuild_close(&r);
        global_batches[cls] = r.batches;
    }
    if (free_chunk_capacity < free_chunk_count + whole) {
        uint32_t capacity = (free_chunk_count + whole) * 2;
        uint32_t *grown = realloc(free_chunks, capacity * sizeof *grown);
        if (!grown)
            alox_fatal("out of memory trimming the message pools");
        free_chunks = grown;
        free_chunk_capacity = capacity;
    }
    for (uint32_t n = 0, run = 0; n <= region_used; n++) {
        if (n < region_used && free_in[n]) {
            chunk_class[n] = 0;
            free_chunks[free_chunk_count++] = n;
            run++;
            continue;
        }
        if (run) /* chunks n - run .. n - 1 go back to the kernel */
            madvise(region + (size_t)(n - run) * POOL_CHUNK_BYTES, (size_t)run * POOL_CHUNK_BYTES, MADV_DONTNEED);
        run = 0;
    }
    chunks_returned += whole;
    free(free_in);
    trimmed_at_bytes = global_free_bytes;
}

void pool_trim_if_due(void) {
    pthread_mutex_lock(&global_lock);
    if (trim_due_locked())
        trim_locked();
    pthread_mutex_unlock(&global_lock);
}

void pool_trim(void) {
    pthread_mutex_lock(&global_lock);
    trim_locked();
    pthread_mutex_unlock(&global_lock);
}

uint64_t pool_returned_bytes(void) {
    pthread_mutex_lock(&global_lock);
    uint64_t bytes = chunks_returned * POOL_CHUNK_BYTES;
    pthread_mutex_unlock(&global_lock);
    return bytes;
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
        global_free_bytes -= (uint64_t)count * class_size(cls);
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
    if (ALOX_UNLIKELY(global_free_bytes >= POOL_TRIM_EAGER_BYTES && trim_due_locked()))
        trim_locked(); /* a consumer draining a burst while others stay busy */
    pthread_mutex_unlock(&global_lock);
}

void *pool_alloc_large(size_t size) { return checked_malloc(size); }

void pool_free_large(void *block) { free(block); }

#endif /* POOL_PASSTHROUGH */
