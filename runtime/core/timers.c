/* timers.c - the timer heap; see timers.h. */
#include "timers.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>

#include "actor.h"
#include "io.h"
#include "mailman.h"
#include "support/dead_letter.h"
#include "support/idmap.h"
#include "support/platform.h"

/* Due timers taken off the heap under one hold of the lock; their
 * messages are sent after it is released, so senders of new timers never
 * wait behind a long burst of firings. */
#define FIRE_BATCH 256

#define HEAP_MIN_CAPACITY 64 /* entries; doubled as needed */

typedef struct timer_entry {
    uint64_t deadline_ns;
    uint64_t order; /* creation order: ties of equal deadlines */
    uint64_t id;
    uint32_t heap_index;
    struct actor *target;
    const alox_behaviour_desc *behaviour;
    struct timer_entry *target_prev, *target_next; /* this target's timers */
    void *args;                                     /* a copy of the packed arguments */
    void (*call)(void *arg); /* timers_call_after: called on the timer thread instead */
    void *call_arg;
} timer_entry;

typedef struct slot {
    timer_entry *entry; /* NULL when free */
    uint32_t generation;
    uint32_t next_free;
} slot;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static timer_entry **heap;
static uint32_t heap_count, heap_capacity;
static slot *slots;
static uint32_t slot_count, slot_capacity, free_slot = UINT32_MAX;
static idmap by_target = IDMAP_INITIALIZER; /* actor id -> first timer_entry */
static uint64_t next_order;
static uint64_t armed_deadline; /* the timerfd's, 0 if disarmed */
static int timer_fd = -1;
/* == heap_count, readable without the lock (relaxed: a hint for the stop
 * path, which takes the lock whenever it is not 0; io_stopped.h reads it
 * inline). */
_Atomic uint64_t timers_armed_hint;

static void fire_due(void);

/* ----- the heap ------------------------------------------------------- */

static int earlier(const timer_entry *a, const timer_entry *b) {
    return a->deadline_ns < b->deadline_ns || (a->deadline_ns == b->deadline_ns && a->order < b->order);
}

static void heap_set(uint32_t i, timer_entry *e) {
    heap[i] = e;
    e->heap_index = i;
}

static void sift_up(uint32_t i) {
    timer_entry *e = heap[i];
    while (i > 0 && earlier(e, heap[(i - 1) / 2])) {
        heap_set(i, heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(i, e);
}

static void sift_down(uint32_t i) {
    timer_entry *e = heap[i];
    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= heap_count)
            break;
        if (child + 1 < heap_count && earlier(heap[child + 1], heap[child]))
            child++;
        if (!earlier(heap[child], e))
            break;
        heap_set(i, heap[child]);
        i = child;
    }
    heap_set(i, e);
}

static void heap_push(timer_entry *e) {
    if (heap_count == heap_capacity) {
        heap_capacity = heap_capacity ? heap_capacity * 2 : HEAP_MIN_CAPACITY;
        heap = realloc(heap, heap_capacity * sizeof *heap);
        if (!heap)
            alox_fatal("out of memory for %u pending timers", heap_capacity);
    }
    heap_set(heap_count++, e);
    sift_up(e->heap_index);
}

static void heap_remove(timer_entry *e) {
    uint32_t i = e->heap_index;
    timer_entry *last = heap[--heap_count];
    if (i == heap_count)
        return;
    heap_set(i, last);
    if (i > 0 && earlier(last, heap[(i - 1) / 2]))
        sift_up(i);
    else
        sift_down(i);
}

/* ----- ids ------------------------------------------------------------ */

static uint64_t slot_take(timer_entry *e) {
    uint32_t s;
    if (free_slot != UINT32_MAX) {
        s = free_slot;
        free_slot = slots[s].next_free;
    } else {
        if (slot_count == slot_capacity) {
            slot_capacity = slot_capacity ? slot_capacity * 2 : HEAP_MIN_CAPACITY;
            slots = realloc(slots, slot_capacity * sizeof *slots);
            if (!slots)
                alox_fatal("out of memory for %u pending timers", slot_capacity);
        }
        s = slot_count++;
        slots[s].generation = 1;
    }
    slots[s].entry = e;
    return (uint64_t)slots[s].generation << 32 | (s + 1u);
}

static timer_entry *slot_find(uint64_t id) {
    uint32_t s = (uint32_t)id - 1u, generation = (uint32_t)(id >> 32);
    if ((uint32_t)id == 0 || s >= slot_count || slots[s].generation != generation)
        return NULL;
    return slots[s].entry;
}

static void slot_release(uint64_t id) {
    uint32_t s = (uint32_t)id - 1u;
    slots[s].entry = NULL;
    if (++slots[s].generation == 0)
        slots[s].generation = 1; /* id 0 means "no timer" */
    slots[s].next_free = free_slot;
    free_slot = s;
}

/* ----- each target's list --------------------------------------------- */

static void target_link(timer_entry *e) {
    uint64_t key = e->target->id;
    timer_entry *head = idmap_get(&by_target, key);
    e->target_prev = NULL;
    e->target_next = head;
    if (head)
        head->target_prev = e;
    idmap_put(&by_target, key, e);
}

static void target_unlink(timer_entry *e) {
    if (e->target_next)
        e->target_next->target_prev = e->target_prev;
    if (e->target_prev)
        e->target_prev->target_next = e->target_next;
    else if (e->target_next)
        idmap_put(&by_target, e->target->id, e->target_next);
    else
        idmap_remove(&by_target, e->target->id);
}

/* Off the heap, the id table and its target's list (under lock). */
static void detach(timer_entry *e) {
    heap_remove(e);
    slot_release(e->id);
    target_unlink(e);
    atomic_store_explicit(&timers_armed_hint, heap_count, memory_order_relaxed);
}

static void entry_free(timer_entry *e) {
    free(e->args);
    free(e);
}

/* ----- the timerfd ---------------------------------------------------- */

/* Under lock: the timerfd goes off at the earliest deadline (or never). */
static void arm_for_top(void) {
    uint64_t deadline = heap_count ? heap[0]->deadline_ns : 0;
    if (deadline == armed_deadline)
        return;
    struct itimerspec when = {{0, 0}, {0, 0}};
    if (deadline) /* absolute, so a late call cannot push it later */
        when.it_value = (struct timespec){(time_t)(deadline / 1000000000ull),
                                          (long)(deadline % 1000000000ull)};
    if (timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &when, NULL) < 0)
        alox_fatal("timerfd_settime failed: %s", strerror(errno));
    armed_deadline = deadline;
}

/* On the timer thread: send every due timer's message, then re-arm. */
static void fire_due(void) {
    timer_entry *due[FIRE_BATCH];
    for (;;) {
        uint32_t n = 0;
        pthread_mutex_lock(&lock);
        armed_deadline = 0; /* it went off: a re-arm to the same time is needed */
        uint64_t now = io_now_ns();
        while (n < FIRE_BATCH && heap_count && heap[0]->deadline_ns <= now) {
            due[n] = heap[0];
            detach(due[n++]);
        }
        if (n < FIRE_BATCH)
            arm_for_top();
        pthread_mutex_unlock(&lock);
        for (uint32_t i = 0; i < n; i++) {
            if (due[i]->call)
                due[i]->call(due[i]->call_arg);
            else
                alox_send(actor_body(due[i]->target), due[i]->behaviour, due[i]->args);
            entry_free(due[i]);
            alox_release(); /* after the send: its message now holds the run */
        }
        if (n < FIRE_BATCH)
            return;
    }
}

/* ----- the API -------------------------------------------------------- */

/* Would alox_send refuse this? Then it is a dead letter now, not later. */
static bool refused(void *target, const alox_behaviour_desc *behaviour, const void *args) {
    return !mailman_would_deliver(target, behaviour, args);
}

static timer_entry *entry_new(void *target, const alox_behaviour_desc *behaviour, const void *args) {
    timer_entry *e = calloc(1, sizeof *e);
    size_t align = behaviour->args_align > sizeof(void *) ? behaviour->args_align : sizeof(void *);
    size_t size = behaviour->args_size ? (behaviour->args_size + align - 1) / align * align : align;
    if (!e || posix_memalign(&e->args, align, size) != 0)
        alox_fatal("out of memory setting a timer for %s", behaviour->name);
    if (behaviour->args_size)
        memcpy(e->args, args, behaviour->args_size);
    e->target = actor_of(target);
    e->behaviour = behaviour;
    return e;
}

static alox_timer timer_start(uint64_t delay_ms, timer_entry *e);

alox_timer alox_send_after(uint64_t delay_ms, void *target, const alox_behaviour_desc *behaviour,
                           const void *args) {
    if (refused(target, behaviour, args))
        return (alox_timer){0};
    return timer_start(delay_ms, entry_new(target, behaviour, args));
}

alox_timer timers_call_after(uint64_t delay_ms, struct actor *owner, void (*call)(void *arg),
                             void *arg) {
    timer_entry *e = calloc(1, sizeof *e);
    if (!e)
        alox_fatal("out of memory setting a timer");
    e->target = owner;
    e->call = call;
    e->call_arg = arg;
    return timer_start(delay_ms, e);
}

static alox_timer timer_start(uint64_t delay_ms, timer_entry *e) {
    int fd = io_timerfd(fire_due); /* starts the timer thread the first time */
    uint64_t now = io_now_ns();
    uint64_t delay_ns = delay_ms > (UINT64_MAX - now) / 1000000ull ? UINT64_MAX - now : delay_ms * 1000000ull;
    e->deadline_ns = now + (delay_ns ? delay_ns : 1); /* 0 disarms a timerfd */
    alox_hold(); /* before it can fire: the release follows its send */
    pthread_mutex_lock(&lock);
    timer_fd = fd;
    e->order = next_order++;
    e->id = slot_take(e);
    heap_push(e);
    target_link(e);
    atomic_store_explicit(&timers_armed_hint, heap_count, memory_order_relaxed);
    /* Armed for an earlier time already (a timer cancelled since, e.g. a
     * future answered in time): leave it, fire_due re-arms for the top
     * when it goes off. Saves a timerfd_settime per timer when timers are
     * set and cancelled in a stream (alox_then with a timeout). */
    if (e->heap_index == 0 && (armed_deadline == 0 || e->deadline_ns < armed_deadline))
        arm_for_top();
    alox_timer timer = {e->id};
    pthread_mutex_unlock(&lock);
    return timer;
}

bool alox_cancel(alox_timer timer) {
    pthread_mutex_lock(&lock);
    timer_entry *e = slot_find(timer.id);
    if (e)
        detach(e); /* the timerfd may go off for nothing: fire_due re-arms */
    pthread_mutex_unlock(&lock);
    if (!e)
        return false;
    entry_free(e);
    alox_release();
    return true;
}

void timers_cancel_target(struct actor *a) {
    if (atomic_load_explicit(&timers_armed_hint, memory_order_relaxed) == 0)
        return;
    pthread_mutex_lock(&lock);
    timer_entry *list = idmap_get(&by_target, a->id);
    for (timer_entry *e = list; e; e = e->target_next) {
        heap_remove(e);
        slot_release(e->id);
    }
    if (list)
        idmap_remove(&by_target, a->id);
    atomic_store_explicit(&timers_armed_hint, heap_count, memory_order_relaxed);
    pthread_mutex_unlock(&lock);
    while (list) {
        timer_entry *next = list->target_next;
        entry_free(list);
        alox_release();
        list = next;
    }
}

uint64_t timers_pending(void) { return atomic_load_explicit(&timers_armed_hint, memory_order_relaxed); }
