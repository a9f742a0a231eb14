/* once_heap.c - addresses handed out once; see once_heap.h. */
#include "once_heap.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "platform.h"

#if defined(__SANITIZE_ADDRESS__)
#define ONCE_HEAP_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ONCE_HEAP_LSAN 1
#endif
#endif
#ifdef ONCE_HEAP_LSAN
#include <sanitizer/lsan_interface.h>
#endif

/* Address space reserved at once (no memory: MAP_NORESERVE, untouched
 * pages cost nothing). 64 GiB lasts for ~500 million actors of 128 bytes;
 * then another region is reserved. Where that much cannot be reserved
 * (valgrind, a ulimit -v), halves down to MIN_REGION_BYTES are tried. */
#define REGION_BYTES (64ull << 30)
#define MIN_REGION_BYTES (64ull << 20)
#define MAX_REGIONS 1024 /* 64 TiB of actors ever spawned: beyond, abort */
/* Handed to a thread at once: its own pages, so no two threads place
 * blocks on one page. Small enough that a thread's unused tail is little
 * address space, large enough that the lock is rare. */
#define SLAB_BYTES (256u * 1024)
/* Blocks at least this large get pages of their own, outside the slabs. */
#define LARGE_BYTES (SLAB_BYTES / 4)
/* Added to the count of the page under a thread's cursor: the page cannot
 * reach zero (and go back) while blocks may still be placed on it. */
#define OPEN_BIAS (1u << 30)

typedef struct region {
    char *base;
    uint64_t bytes;
    _Atomic uint32_t *live; /* per page: blocks on it not yet freed (+ OPEN_BIAS) */
} region;

static region regions[MAX_REGIONS];
/* Release: a reader that sees the count sees the region's fields. */
static _Atomic uint32_t region_count;
static pthread_mutex_t carve_lock = PTHREAD_MUTEX_INITIALIZER;
static char *carve_next, *carve_end; /* the newest region's unhanded part, under carve_lock */
static _Atomic uint64_t released_bytes;

/* This thread's slab and the page held open (once_heap.h: the inline fast path reads them). */
ALOX_TLS once_heap_cursor once_heap_mine;
#define slab_next once_heap_mine.next
#define slab_end once_heap_mine.end
#define open_page once_heap_mine.open_page
#define open_placed once_heap_mine.open_placed
/* The region of this thread's last free: frees come in runs from one
 * region (the newest), and a region's fields never change once counted. */
static ALOX_TLS const region *free_region;
static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

static void *map_noreserve(size_t bytes) {
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Under carve_lock. */
static void add_region(void) {
    uint32_t n = atomic_load_explicit(&region_count, memory_order_relaxed);
    if (n == MAX_REGIONS)
        alox_fatal("the actor address space (%u regions) is exhausted: addresses of stopped actors are "
                   "never reused (docs/ARCHITECTURE.md, \"Actor memory\")",
                   MAX_REGIONS);
    for (uint64_t bytes = REGION_BYTES; bytes >= MIN_REGION_BYTES; bytes /= 2) {
        char *base = map_noreserve(bytes);
        if (!base)
            continue;
        void *live = map_noreserve(bytes / ONCE_HEAP_PAGE * sizeof(uint32_t));
        if (!live) {
            munmap(base, bytes);
            continue;
        }
        regions[n] = (region){base, bytes, live};
        carve_next = base;
        carve_end = base + bytes;
        atomic_store_explicit(&region_count, n + 1, memory_order_release);
        return;
    }
    alox_fatal("cannot reserve address space for actors (%llu bytes at least): %s (is vm.overcommit_memory 2, "
               "or ulimit -v low? Alox reserves address space it does not use)",
               (unsigned long long)MIN_REGION_BYTES, strerror(errno));
}

static region *region_of(uintptr_t p) {
    uint32_t n = atomic_load_explicit(&region_count, memory_order_acquire);
    for (uint32_t i = n; i-- > 0;)
        if (p - (uintptr_t)regions[i].base < regions[i].bytes)
            return &regions[i];
    return NULL;
}

bool once_heap_contains(const void *p) { return region_of((uintptr_t)p) != NULL; }

static _Atomic uint32_t *live_of(uintptr_t page) {
    region *r = region_of(page);
    return &r->live[(page - (uintptr_t)r->base) / ONCE_HEAP_PAGE];
}

/* Whole pages, page-aligned, from the newest region. */
static char *carve(size_t bytes) {
    pthread_mutex_lock(&carve_lock);
    while (carve_next == NULL || (size_t)(carve_end - carve_next) < bytes)
        add_region(); /* a block larger than a small region: the next, or abort */
    char *p = carve_next;
    carve_next += bytes;
    pthread_mutex_unlock(&carve_lock);
#ifdef ONCE_HEAP_LSAN
    __lsan_register_root_region(p, bytes); /* actors hold the user's pointers */
#endif
    return p;
}

static void give_back(uintptr_t start, uintptr_t end) {
    size_t bytes = end - start;
    /* The pages read as zeros from now on; their memory is the kernel's. */
    if (madvise((void *)start, bytes, MADV_DONTNEED) != 0)
        alox_fatal("madvise(MADV_DONTNEED) of freed actor pages failed: %s", strerror(errno));
    atomic_fetch_add_explicit(&released_bytes, bytes, memory_order_relaxed);
}

static void drop_run(once_heap_batch *batch, uint32_t i) {
    give_back(batch->runs[i].start, batch->runs[i].end);
    memmove(&batch->runs[i], &batch->runs[i + 1], (batch->count - i - 1) * sizeof batch->runs[0]);
    batch->count--;
}

/* Run i grew: joined to a neighbour, or long enough to go back. */
static void grown(once_heap_batch *batch, uint32_t i) {
    for (uint32_t j = 0; j < batch->count; j++) {
        if (j != i && (batch->runs[j].start == batch->runs[i].end || batch->runs[j].end == batch->runs[i].start)) {
            if (batch->runs[j].start < batch->runs[i].start)
                batch->runs[i].start = batch->runs[j].start;
            else
                batch->runs[i].end = batch->runs[j].end;
            memmove(&batch->runs[j], &batch->runs[j + 1], (batch->count - j - 1) * sizeof batch->runs[0]);
            batch->count--;
            if (j < i)
                i--;
            break; /* a page touches at most one other run on each side, and i grew on one */
        }
    }
    if (batch->runs[i].end - batch->runs[i].start >= ONCE_HEAP_RUN_PAGES * ONCE_HEAP_PAGE)
        drop_run(batch, i);
}

static void batch_add(once_heap_batch *batch, uintptr_t page) {
    for (uint32_t i = batch->count; i-- > 0;) { /* the newest runs are the likely ones */
        if (batch->runs[i].end == page) {
            batch->runs[i].end += ONCE_HEAP_PAGE;
            grown(batch, i);
            return;
        }
        if (batch->runs[i].start == page + ONCE_HEAP_PAGE) {
            batch->runs[i].start = page;
            grown(batch, i);
            return;
        }
    }
    if (batch->count == ONCE_HEAP_BATCH_RUNS)
        drop_run(batch, 0);
    batch->runs[batch->count].start = page;
    batch->runs[batch->count].end = page + ONCE_HEAP_PAGE;
    batch->count++;
}

/* Takes the held frees off their page's count (once_heap_batch). */
static void settle(once_heap_batch *batch) {
    if (!batch->held)
        return;
    uint32_t held = batch->held;
    uintptr_t page = batch->held_page;
    batch->held = 0;
    batch->held_page = 0;
    /* acq_rel: see close_open_page. */
    if (atomic_fetch_sub_explicit(batch->held_live, held, memory_order_acq_rel) == held)
        batch_add(batch, page);
}

void once_heap_flush(once_heap_batch *batch) {
    settle(batch);
    for (uint32_t i = 0; i < batch->count; i++)
        give_back(batch->runs[i].start, batch->runs[i].end);
    batch->count = 0;
}

uint64_t once_heap_released_bytes(void) { return atomic_load_explicit(&released_bytes, memory_order_relaxed); }

/* Drops the bias of the page under the cursor, keeping the blocks placed. */
static void close_open_page(void) {
    if (!open_page)
        return;
    uint32_t drop = OPEN_BIAS - open_placed;
    /* acq_rel: the thread that takes a count to zero gives the page back
     * and must see every free before it (each was a release). */
    if (atomic_fetch_sub_explicit(live_of(open_page), drop, memory_order_acq_rel) == drop) {
        give_back(open_page, open_page + ONCE_HEAP_PAGE);
    }
    open_page = 0;
}

static void close_at_exit(void *unused) {
    (void)unused;
    close_open_page();
}

static void make_exit_key(void) { pthread_key_create(&exit_key, close_at_exit); }

static void take_slab(void) {
    if (slab_end == NULL) {
        pthread_once(&exit_once, make_exit_key);
        pthread_setspecific(exit_key, &slab_end); /* any non-NULL value arms the destructor */
    }
    close_open_page();
    slab_next = carve(SLAB_BYTES);
    slab_end = slab_next + SLAB_BYTES;
}

/* Counts the block [start, start + size) on each of its pages. */
static void place(uintptr_t start, size_t size) {
    uintptr_t first = start & ~(uintptr_t)(ONCE_HEAP_PAGE - 1);
    uintptr_t last = (start + size - 1) & ~(uintptr_t)(ONCE_HEAP_PAGE - 1);
    if (ALOX_LIKELY(first == open_page && last == open_page)) { /* most blocks */
        open_placed++;
        return;
    }
    for (uintptr_t page = first; page <= last; page += ONCE_HEAP_PAGE) {
        if (page != open_page) {
            close_open_page();
            /* Relaxed: the page is new to everyone; the block's pointer
             * reaches other threads only through a later release. */
            atomic_fetch_add_explicit(live_of(page), OPEN_BIAS, memory_order_relaxed);
            open_page = page;
            open_placed = 0;
        }
        open_placed++;
    }
}

static void *alloc_large(size_t size, size_t prefix, size_t align) {
    size_t offset = ((prefix + align - 1) & ~(align - 1)) - prefix;
    size_t bytes = (offset + size + ONCE_HEAP_PAGE - 1) & ~(size_t)(ONCE_HEAP_PAGE - 1);
    char *p = carve(bytes);
    for (size_t at = 0; at < bytes; at += ONCE_HEAP_PAGE)
        atomic_store_explicit(live_of((uintptr_t)p + at), 1, memory_order_relaxed);
    return p + offset;
}

/* Everything but the common case (once_heap.h): a new slab, a new page
 * under the cursor, a large block. */
void *once_heap_alloc_slow(size_t size, size_t prefix, size_t align) {
    if (align < 16)
        align = 16;
    if (size == 0)
        size = 16;
    if (ALOX_UNLIKELY(size + align > LARGE_BYTES))
        return alloc_large(size, prefix, align);
    for (;;) {
        uintptr_t next = (uintptr_t)slab_next;
        uintptr_t start = ((next + prefix + align - 1) & ~(uintptr_t)(align - 1)) - prefix;
        if (ALOX_LIKELY(slab_next != NULL && start + size <= (uintptr_t)slab_end)) {
            place(start, size);
            slab_next = (char *)(start + size);
            return (void *)start;
        }
        take_slab();
    }
}

/* A block on several pages. */
static void free_pages(_Atomic uint32_t *live, uintptr_t first, uintptr_t last,
                                                 once_heap_batch *batch) {
    for (uintptr_t page = first; page <= last; page += ONCE_HEAP_PAGE, live++)
        /* acq_rel: see close_open_page. */
        if (atomic_fetch_sub_explicit(live, 1, memory_order_acq_rel) == 1)
            batch_add(batch, page);
}

void once_heap_free_slow(void *block, size_t size, once_heap_batch *batch) {
    if (size == 0)
        size = 16;
    uintptr_t start = (uintptr_t)block;
    uintptr_t first = start & ~(uintptr_t)(ONCE_HEAP_PAGE - 1);
    uintptr_t last = (start + size - 1) & ~(uintptr_t)(ONCE_HEAP_PAGE - 1);
    if (first == batch->held_page && first == last) {
        batch->held++; /* taken off with the others on its page (settle) */
        return;
    }
    const region *r = free_region; /* a block never spans two regions */
    if (ALOX_UNLIKELY(r == NULL || start - (uintptr_t)r->base >= r->bytes))
        free_region = r = region_of(start);
    _Atomic uint32_t *live = &r->live[(first - (uintptr_t)r->base) / ONCE_HEAP_PAGE];
    if (ALOX_UNLIKELY(first != last)) {
        free_pages(live, first, last, batch);
        return;
    }
    settle(batch); /* another page: the held frees go first */
    batch->held_page = first;
    batch->held_live = live;
    batch->held = 1;
}
