/* counters.c - the slow paths of the counters and their reading; see
 * counters.h. Everything here runs under `lock`, which orders a thread's
 * folding of a slot (or of its worker tally) against a reader, so a
 * snapshot never counts a folded value twice or not at all. */
#include "counters.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "actor.h"
#include "mailbox.h"
#include "runqueue.h"
#include "support/grace.h"
#include "type_number.h"
#include "worker.h"

ALOX_TLS thread_counters counters_self = {.worker = -1};
_Atomic uint64_t counters_backlog_epoch;
_Atomic uint32_t counters_backlog_watchers;

/* Times in ticks (ticks.h) until a reader converts them. */
typedef struct type_total {
    const alox_type_desc *type;
    uint64_t spawned, stopped, runs_sampled, sampled_ticks;
} type_total;

typedef struct worker_total {
    uint64_t runs, sent, steals, parks, busy_ticks;
} worker_total;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static thread_counters *blocks; /* registered, under lock */
static type_total *totals;      /* folded slots of every thread */
static size_t total_count, total_cap;
static worker_total *retired;   /* by worker index: threads of earlier runs */
static size_t retired_count;
static pthread_key_t exit_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void *grow(void *array, size_t *cap, size_t need, size_t size) {
    if (need <= *cap)
        return array;
    size_t n = *cap ? *cap : 8;
    while (n < need)
        n *= 2;
    void *p = realloc(array, n * size);
    if (!p)
        alox_fatal("out of memory keeping the runtime's counters");
    memset((char *)p + *cap * size, 0, (n - *cap) * size);
    *cap = n;
    return p;
}

/* Under lock. */
static type_total *total_of(const alox_type_desc *type) {
    for (size_t i = 0; i < total_count; i++)
        if (totals[i].type == type)
            return &totals[i];
    totals = grow(totals, &total_cap, total_count + 1, sizeof *totals);
    totals[total_count].type = type;
    return &totals[total_count++];
}

/* Under lock: moves a thread's tally of `type` into the totals. */
static void fold_tally(type_tally *t, const alox_type_desc *type) {
    type_total *total = total_of(type);
    total->stopped += counter_get(&t->stopped);
    total->runs_sampled += counter_get(&t->runs_sampled);
    total->sampled_ticks += counter_get(&t->sampled_ticks);
    counter_set(&t->stopped, 0);
    counter_set(&t->runs_sampled, 0);
    counter_set(&t->sampled_ticks, 0);
}

/* The tallies a thread may have written: numbers given out so far. */
static uint32_t tally_count(void) {
    uint32_t n = type_number_count();
    return n < COUNTERS_TYPES ? n : COUNTERS_TYPES;
}

/* Ticks busy up to `now` (ticks). */
static uint64_t busy_now(worker_tally *w, uint64_t now) {
    uint64_t since = counter_get(&w->busy_since);
    return counter_get(&w->busy_ticks) + (since && now > since ? now - since : 0);
}

/* Under lock: moves a worker thread's tally to its index. */
static void fold_worker(thread_counters *c) {
    if (c->worker < 0)
        return;
    size_t cap = retired_count;
    retired = grow(retired, &cap, (size_t)c->worker + 1, sizeof *retired);
    retired_count = cap;
    worker_total *r = &retired[c->worker];
    worker_tally *w = &c->w;
    r->runs += counter_get(&w->runs);
    r->sent += counter_get(&w->sent);
    r->steals += counter_get(&w->steals);
    r->parks += counter_get(&w->parks);
    r->busy_ticks += busy_now(w, ticks_now());
    counter_set(&w->runs, 0);
    counter_set(&w->sent, 0);
    counter_set(&w->steals, 0);
    counter_set(&w->parks, 0);
    counter_set(&w->busy_ticks, 0);
    counter_set(&w->busy_since, 0);
    c->worker = -1;
    c->self = NULL;
}

/* Under lock: moves an entry's spawns to its type's total. */
static void fold_spawns(type_number_entry *e) {
    const alox_type_desc *type = atomic_load_explicit(&e->type, memory_order_relaxed);
    uint64_t word = atomic_load_explicit(&e->word, memory_order_relaxed);
    if (type && word >> TYPE_NUMBER_BITS)
        total_of(type)->spawned += word >> TYPE_NUMBER_BITS;
    atomic_store_explicit(&e->word, word & (TYPE_NUMBER_SPAWN - 1), memory_order_relaxed);
}

/* At thread exit (a worker of an ended run, a plain thread). */
static void on_thread_exit(void *unused) {
    (void)unused;
    thread_counters *c = &counters_self;
    /* The thread's records published their stops at their end
     * (worker_main, guest_run): the tallies hold them. */
    pthread_mutex_lock(&lock);
    for (uint32_t i = 1, n = tally_count(); i < n; i++)
        fold_tally(&c->types[i], type_number_desc(i));
    for (uint32_t i = 0; i < TYPE_NUMBER_CACHE; i++)
        fold_spawns(&type_number_cache[i]);
    fold_worker(c);
    for (thread_counters **p = &blocks; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    c->registered = false;
    pthread_mutex_unlock(&lock);
}

static void make_key(void) {
    if (pthread_key_create(&exit_key, on_thread_exit) != 0)
        alox_fatal("cannot create the counters' thread key");
}

/* Under lock. */
static void register_locked(thread_counters *c) {
    if (c->registered)
        return;
    c->next = blocks;
    blocks = c;
    c->spawns = type_number_cache; /* this thread's: register_locked runs on its owner */
    c->registered = true;
    pthread_setspecific(exit_key, c); /* non-NULL: the destructor runs */
}

void counters_thread_register(void) {
    pthread_once(&key_once, make_key);
    pthread_mutex_lock(&lock);
    register_locked(&counters_self);
    pthread_mutex_unlock(&lock);
}

void counters_type_slow(const alox_type_desc *type, uint64_t spawned, uint64_t stopped) {
    pthread_mutex_lock(&lock);
    type_total *total = total_of(type);
    total->spawned += spawned;
    total->stopped += stopped;
    pthread_mutex_unlock(&lock);
}

void counters_stopped_unnumbered(const actor *a) { counters_type_slow(a->type, 0, 1); }

void counters_spawns_evicted(type_number_entry *e, const alox_type_desc *type, uint32_t number) {
    pthread_mutex_lock(&lock);
    fold_spawns(e);
    atomic_store_explicit(&e->type, type, memory_order_relaxed);
    atomic_store_explicit(&e->word, number, memory_order_relaxed);
    pthread_mutex_unlock(&lock);
}

/* Stops of types past the tallies go to the totals, under the lock. */
static __attribute__((noinline)) void publish_untallied(uint64_t *stops, uint32_t from, uint32_t to) {
    for (uint32_t i = from; i < to; i++) {
        if (!stops[i])
            continue;
        pthread_mutex_lock(&lock);
        total_of(type_number_desc(i))->stopped += stops[i];
        pthread_mutex_unlock(&lock);
        stops[i] = 0;
    }
}

void counters_publish_stops(uint64_t *stops) {
    uint32_t n = type_number_count();
    uint32_t fast = n < COUNTERS_TYPES ? n : COUNTERS_TYPES;
    for (uint32_t i = 1; i < fast; i++) {
        if (stops[i]) {
            counter_add(&counters_self.types[i].stopped, stops[i]);
            stops[i] = 0;
        }
    }
    if (ALOX_UNLIKELY(fast < n))
        publish_untallied(stops, fast, n);
}


void counters_sample_end(const alox_type_desc *type, uint32_t number, uint32_t handled,
                         uint32_t batches) {
    thread_counters *c = &counters_self;
    uint64_t ticks = (ticks_now() - c->sample_start) * batches;
    uint64_t runs = (uint64_t)handled * batches;
    type_tally *t = counters_tally(number);
    if (t) {
        counter_add(&t->sampled_ticks, ticks);
        counter_add(&t->runs_sampled, runs);
        return;
    }
    pthread_mutex_lock(&lock);
    type_total *total = total_of(type);
    total->sampled_ticks += ticks;
    total->runs_sampled += runs;
    pthread_mutex_unlock(&lock);
}

void counters_sample_backlog(const alox_type_desc *type, uint64_t id, const void *cursor) {
    thread_counters *c = &counters_self;
    uint64_t epoch = atomic_load_explicit(&counters_backlog_epoch, memory_order_relaxed);
    if (epoch != c->backlog_epoch) {
        c->backlog_epoch = epoch;
        c->backlogs_taken = 0;
    }
    if (epoch == 0 || c->backlogs_taken >= COUNTERS_BACKLOGS)
        return;
    /* The running worker owns the consumer side: the nodes after the
     * cursor stay linked and allocated while it looks. Acquire: as in
     * mailbox_batch_pop. */
    const mailbox_node *node = cursor;
    uint64_t depth = 0;
    while (depth < COUNTERS_BACKLOG_WALK &&
           (node = atomic_load_explicit(&node->next, memory_order_acquire)))
        depth++;
    backlog_sample *s = &c->backlogs[c->backlogs_taken++];
    counter_set(&s->epoch, 0);
    counter_set(&s->id, id);
    atomic_store_explicit(&s->type, type, memory_order_relaxed);
    counter_set(&s->depth, depth);
    counter_set(&s->epoch, epoch);
}

#ifndef ALOX_COUNTERS_OFF
void counters_idle_begin(void) {
    worker_tally *w = &counters_self.w;
    uint64_t since = counter_get(&w->busy_since);
    if (!since)
        return;
    uint64_t now = ticks_now();
    counter_add(&w->busy_ticks, now > since ? now - since : 0);
    counter_set(&w->busy_since, 0);
}

void counters_idle_end(void) {
    worker_tally *w = &counters_self.w;
    if (!counter_get(&w->busy_since))
        counter_set(&w->busy_since, ticks_now());
}
#endif

void counters_worker_begin(const worker *self) {
    thread_counters *c = &counters_self;
    uint32_t index = self->index;
    pthread_once(&key_once, make_key);
    ticks_init();
    pthread_mutex_lock(&lock);
    register_locked(c);
    c->worker = (int32_t)index;
    c->self = self;
    /* A new thread's block: what an earlier run's thread published was
     * folded into `retired` when it ended. */
    counter_set(&c->w.runs, 0);
    counter_set(&c->w.sent, 0);
    counter_set(&c->w.busy_since, ticks_now());
    pthread_mutex_unlock(&lock);
    c->rng = 0x9e3779b9u * (index + 1) ^ (uint32_t)counters_now_ns();
    if (!c->rng)
        c->rng = 1;
}

void counters_worker_end(void) {
    pthread_mutex_lock(&lock);
    fold_worker(&counters_self);
    pthread_mutex_unlock(&lock);
}

uint64_t counters_want_backlogs(void) {
    /* Relaxed: workers only compare these, as hints. */
    atomic_fetch_add_explicit(&counters_backlog_watchers, 1, memory_order_relaxed);
    return atomic_fetch_add_explicit(&counters_backlog_epoch, 1, memory_order_relaxed) + 1;
}

void counters_backlogs_done(void) {
    atomic_fetch_sub_explicit(&counters_backlog_watchers, 1, memory_order_relaxed);
}

/* ------------------------------------------------------------------
 * Reading.
 * ------------------------------------------------------------------ */
static counters_type_view *type_view_of(counters_view *v, size_t *cap, const alox_type_desc *type) {
    for (size_t i = 0; i < v->type_count; i++)
        if (v->types[i].type == type)
            return &v->types[i];
    v->types = grow(v->types, cap, v->type_count + 1, sizeof *v->types);
    v->types[v->type_count].type = type;
    return &v->types[v->type_count++];
}

/* What worker `self` runs now: 0 between batches. The pointer is read
 * inside a grace section (support/grace.h), as a plain thread reads an
 * actor it sends to: the worker clears it before it retires the actor
 * (run_actor), so a pointer seen here is to memory not yet given back;
 * id and type are written before the actor is published and never change.
 * Relaxed: a sample of a moving value; grace orders the memory. */
static uint64_t running_now(const thread_counters *c, const alox_type_desc **type) {
    grace_enter();
    /* Acquire: pairs with run_actor's release (worker.h). */
    actor *a = atomic_load_explicit(&c->self->current, memory_order_acquire);
    uint64_t id = a ? a->id : 0;
    *type = a ? a->type : NULL;
    grace_exit();
    return id;
}

static void read_workers(counters_view *v, uint64_t now) {
    size_t n = retired_count;
    for (thread_counters *c = blocks; c; c = c->next)
        if (c->worker >= 0 && (size_t)c->worker + 1 > n)
            n = (size_t)c->worker + 1;
    v->workers = calloc(n ? n : 1, sizeof *v->workers);
    if (!v->workers)
        alox_fatal("out of memory reading the counters");
    v->worker_count = n;
    for (size_t i = 0; i < n; i++) {
        counters_worker_view *w = &v->workers[i];
        w->index = (uint32_t)i;
        if (i < retired_count) {
            worker_total *r = &retired[i];
            w->runs = r->runs, w->sent = r->sent;
            w->steals = r->steals, w->parks = r->parks, w->busy_ns = r->busy_ticks;
        }
    }
    for (thread_counters *c = blocks; c; c = c->next) {
        if (c->worker < 0)
            continue;
        counters_worker_view *w = &v->workers[c->worker];
        worker_tally *t = &c->w;
        w->running = true;
        w->runs += counter_get(&t->runs);
        w->sent += counter_get(&t->sent);
        w->steals += counter_get(&t->steals);
        w->parks += counter_get(&t->parks);
        w->busy_ns += busy_now(t, now);
        w->current_id = running_now(c, &w->current_type);
        w->queued = runqueue_size((runqueue *)&c->self->queue);
    }
}

static void read_types(counters_view *v) {
    size_t cap = 0;
    for (size_t i = 0; i < total_count; i++) {
        counters_type_view *t = type_view_of(v, &cap, totals[i].type);
        t->spawned += totals[i].spawned, t->stopped += totals[i].stopped;
        t->runs_sampled += totals[i].runs_sampled, t->sampled_ns += totals[i].sampled_ticks;
    }
    uint32_t n = tally_count();
    for (thread_counters *c = blocks; c; c = c->next) {
        for (uint32_t i = 0; c->spawns && i < TYPE_NUMBER_CACHE; i++) {
            type_number_entry *e = &c->spawns[i];
            const alox_type_desc *type = atomic_load_explicit(&e->type, memory_order_relaxed);
            uint64_t spawned = atomic_load_explicit(&e->word, memory_order_relaxed) >> TYPE_NUMBER_BITS;
            if (type && spawned)
                type_view_of(v, &cap, type)->spawned += spawned;
        }
        for (uint32_t i = 1; i < n; i++) {
            type_tally *s = &c->types[i];
            if (!counter_get(&s->stopped) && !counter_get(&s->runs_sampled))
                continue;
            counters_type_view *t = type_view_of(v, &cap, type_number_desc(i));
            t->stopped += counter_get(&s->stopped);
            t->runs_sampled += counter_get(&s->runs_sampled), t->sampled_ns += counter_get(&s->sampled_ticks);
        }
    }
}

/* Adds (id, type, value) to a largest-first list of at most max, merging
 * equal ids by `merge` (sum or max). */
static void offer(counters_actor_view *list, size_t *count, size_t max, uint64_t id,
                  const alox_type_desc *type, uint64_t value, bool sum) {
    for (size_t i = 0; i < *count; i++) {
        if (list[i].id == id) {
            list[i].value = sum ? list[i].value + value : (value > list[i].value ? value : list[i].value);
            for (; i > 0 && list[i].value > list[i - 1].value; i--) {
                counters_actor_view t = list[i];
                list[i] = list[i - 1];
                list[i - 1] = t;
            }
            return;
        }
    }
    size_t at = *count < max ? (*count)++ : max;
    if (at == max) {
        if (value <= list[max - 1].value)
            return;
        at = max - 1;
    }
    list[at] = (counters_actor_view){id, type, value};
    for (; at > 0 && list[at].value > list[at - 1].value; at--) {
        counters_actor_view t = list[at];
        list[at] = list[at - 1];
        list[at - 1] = t;
    }
}

static void read_samples(counters_view *v) {
    uint64_t epoch = atomic_load_explicit(&counters_backlog_epoch, memory_order_relaxed);
    for (thread_counters *c = blocks; c; c = c->next) {
        for (uint32_t i = 0; i < COUNTERS_BACKLOGS; i++) {
            backlog_sample *s = &c->backlogs[i];
            if (epoch && counter_get(&s->epoch) == epoch && counter_get(&s->depth))
                offer(v->backlogs, &v->backlog_count, sizeof v->backlogs / sizeof v->backlogs[0],
                      counter_get(&s->id), atomic_load_explicit(&s->type, memory_order_relaxed),
                      counter_get(&s->depth), false);
        }
    }
}

size_t counters_backlogs_taken(uint64_t epoch) {
    size_t n = 0;
    pthread_mutex_lock(&lock);
    for (thread_counters *c = blocks; c; c = c->next)
        for (uint32_t i = 0; i < COUNTERS_BACKLOGS; i++)
            n += epoch && counter_get(&c->backlogs[i].epoch) == epoch;
    pthread_mutex_unlock(&lock);
    return n;
}

size_t counters_running(counters_actor_view *out, size_t max) {
    size_t n = 0;
    pthread_mutex_lock(&lock);
    for (thread_counters *c = blocks; c && n < max; c = c->next) {
        const alox_type_desc *type = NULL;
        uint64_t id = c->worker >= 0 ? running_now(c, &type) : 0;
        if (id)
            out[n++] = (counters_actor_view){id, type, 1};
    }
    pthread_mutex_unlock(&lock);
    return n;
}

bool counters_read(counters_view *out) {
    memset(out, 0, sizeof *out);
    ticks_rate rate = ticks_rate_now();
    pthread_mutex_lock(&lock);
    read_workers(out, ticks_now());
    read_types(out);
    read_samples(out);
    pthread_mutex_unlock(&lock);
    /* Summed in ticks above (read_workers, read_types): now in ns. */
    for (size_t i = 0; i < out->worker_count; i++)
        out->workers[i].busy_ns = ticks_span_ns(rate, out->workers[i].busy_ns);
    for (size_t i = 0; i < out->type_count; i++)
        out->types[i].sampled_ns = ticks_span_ns(rate, out->types[i].sampled_ns);
    return true;
}

void counters_view_free(counters_view *v) {
    if (!v)
        return;
    free(v->workers);
    free(v->types);
    memset(v, 0, sizeof *v);
}
