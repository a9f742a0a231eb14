/* future.c - pending entries, alox_ask, alox_then and their timeouts; see
 * future.h (alox_await is in future_await.c). */
#include "future.h"
#include "future_entry.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "actor.h"
#include "mailman.h"
#include "scheduler.h"
#include "timers.h"
#include "worker.h"
#include "support/dead_letter.h"
#include "support/grace.h"
#include "support/idmap.h"
#include "support/platform.h"
#include "support/pool.h"

/* on_value's packed arguments are built on the stack up to this size. */
#define STACK_ARGS_BYTES 256

/* Relaxed: statistics. */
static _Atomic uint64_t pending_count, late_count, timeout_count;

/* ----- the futures actor -------------------------------------------- */

static const alox_type_desc futures_type = {
    ALOX_ABI_VERSION, 0, "alox_futures", FUTURE_REPLY_TYPE_HASH, sizeof(uint64_t),
    _Alignof(uint64_t),
};

static _Atomic(actor *) futures_actor;
static pthread_once_t futures_once = PTHREAD_ONCE_INIT;

static void on_dead_letter(alox_dead_reason reason, const alox_behaviour_desc *b, const void *args);

static void futures_start(void) {
    atomic_store_explicit(&futures_actor, actor_spawn(&futures_type), memory_order_release);
    dead_letter_observe(on_dead_letter);
}

static actor *futures_self(void) {
    pthread_once(&futures_once, futures_start);
    /* Acquire: pairs with the release above (pthread_once orders it too). */
    return atomic_load_explicit(&futures_actor, memory_order_acquire);
}

/* ----- entries -------------------------------------------------------- */

static alox_future_handle handle_of(future *f) { return (alox_future_handle)(uintptr_t)f; }

static future *future_new(void) {
    future *f = pool_alloc(sizeof *f); /* per-thread free lists: no malloc per request */
    memset(f, 0, sizeof *f);
    atomic_init(&f->lock, 0);
    atomic_init(&f->refs, 2); /* the request and the consumer */
    atomic_fetch_add_explicit(&pending_count, 1, memory_order_relaxed);
    return f;
}

void future_unref(future *f) {
    /* Acq_rel: the last one sees every other side's writes before freeing. */
    if (atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) != 1)
        return;
    if (f->stored && f->stored != f->inline_value)
        free(f->stored);
    pool_free(f, sizeof *f);
    atomic_fetch_sub_explicit(&pending_count, 1, memory_order_relaxed);
}

/* Under lock: keep the answer until the consumer comes. */
static void store(future *f, alox_status status, const void *value, uint32_t size) {
    f->status = status;
    f->stored_size = value ? size : 0;
    if (f->stored_size) {
        f->stored = size <= INLINE_VALUE_BYTES ? f->inline_value : malloc(size);
        if (!f->stored)
            alox_fatal("out of memory keeping a future's answer of %u bytes", size);
        memcpy(f->stored, value, size);
    }
    f->state = ANSWERED;
}

/* on_value(self, value, status): { T value; alox_status status; }. */
static void send_on_value(void *self, const alox_behaviour_desc *on_value, uint32_t value_size,
                          alox_status status, const void *value, uint32_t size) {
    unsigned char stack[STACK_ARGS_BYTES] __attribute__((aligned(16)));
    uint32_t total = on_value->args_size;
    unsigned char *args = total <= sizeof stack ? stack : aligned_alloc(16, (total + 15) / 16 * 16);
    if (!args)
        alox_fatal("out of memory answering %s", on_value->name);
    memset(args, 0, total);
    if (status == ALOX_OK && value)
        memcpy(args, value, size < value_size ? size : value_size);
    uint32_t at = (value_size + 3u) & ~3u; /* alox_status: 4 bytes, aligned 4 */
    if (at + sizeof(int32_t) <= total) {
        int32_t s = (int32_t)status;
        memcpy(args + at, &s, sizeof s);
    }
    alox_send(self, on_value, args);
    if (args != stack)
        free(args);
}

/* ----- answers from other schedulers -------------------------------------
 *
 * A request to a proxy carries our futures actor as its reply's `to`; the
 * wire exports it like any actor reference, so the callee's scheduler
 * answers with an ordinary message to it: one of the runtime behaviours
 * below, by the value's size (the wire has fixed-size arguments). Values
 * with actor references cannot go back this way (they would need the
 * reference translated): such an answer is refused at the callee with a
 * message, and the caller's timeout decides.
 *
 * Ids that crossed the wire are the only ones an answer from afar may
 * name: `remote_futures` holds them until the request side is done (an
 * answer or a dead letter, whichever comes first; the other is dropped).
 */

#define ANSWER_CLASSES 6
static const uint32_t answer_bytes[ANSWER_CLASSES] = {8, 32, 128, 512, 2048, 8192};

typedef struct answer_head {
    uint64_t future;
    uint32_t status;
    uint32_t size;
} answer_head;

static void answer_arrived(void *self, const void *args);

#define ANSWER_DESC(i, name)                                                                     \
    {ALOX_ABI_VERSION, (uint32_t)sizeof(answer_head) + (i), 8, 0, name, "(u64,u32,u32,[" #i "]u8)", \
     0, 0, FUTURE_REPLY_TYPE_HASH, answer_arrived, NULL}

static alox_behaviour_desc answer_descs[ANSWER_CLASSES] = {
    ANSWER_DESC(8, "alox_futures.answer8"),       ANSWER_DESC(32, "alox_futures.answer32"),
    ANSWER_DESC(128, "alox_futures.answer128"),   ANSWER_DESC(512, "alox_futures.answer512"),
    ANSWER_DESC(2048, "alox_futures.answer2048"), ANSWER_DESC(8192, "alox_futures.answer8192"),
};

static pthread_mutex_t remote_lock = PTHREAD_MUTEX_INITIALIZER;
static idmap remote_futures = IDMAP_INITIALIZER;
static _Atomic uint64_t foreign_count; /* answers naming no future of ours: dropped */

static void remote_add(future *f) {
    f->remote = true;
    pthread_mutex_lock(&remote_lock);
    idmap_put(&remote_futures, (uint64_t)(uintptr_t)f, f);
    pthread_mutex_unlock(&remote_lock);
}

/* The entry for a request-side answer, once: NULL if it is unknown or
 * its request side is already done. */
static future *remote_take(uint64_t id) {
    pthread_mutex_lock(&remote_lock);
    future *f = idmap_get(&remote_futures, id);
    if (f)
        idmap_remove(&remote_futures, id);
    pthread_mutex_unlock(&remote_lock);
    return f;
}

static void future_answer_entry(future *f, alox_status status, const void *value, uint32_t size);

/* On our futures actor: an answer from another scheduler. */
static void answer_arrived(void *self, const void *args) {
    (void)self;
    answer_head h;
    memcpy(&h, args, sizeof h);
    future *f = remote_take(h.future);
    uint32_t room = 0;
    for (int i = 0; i < ANSWER_CLASSES; i++)
        if (h.size <= answer_bytes[i]) {
            room = answer_bytes[i];
            break;
        }
    if (!f || h.status > ALOX_TARGET_DOWN || (h.size && !room)) {
        atomic_fetch_add_explicit(&foreign_count, 1, memory_order_relaxed);
        return;
    }
    future_answer_entry(f, (alox_status)h.status, (const char *)args + sizeof h, h.size);
}

/* The callee's side: answer a future of another scheduler through `to`. */
static void answer_remote(const alox_reply *r, alox_status status, const void *value,
                          uint32_t size, bool has_refs) {
    int c = 0;
    while (c < ANSWER_CLASSES && size > answer_bytes[c])
        c++;
    if (c == ANSWER_CLASSES || has_refs) {
        fprintf(stderr, "alox: an answer of %u bytes%s cannot go back to another scheduler; "
                "its caller will time out: answer with at most %u bytes of plain values\n",
                size, has_refs ? " holding actor references" : "", answer_bytes[ANSWER_CLASSES - 1]);
        return;
    }
    unsigned char buf[sizeof(answer_head) + 8192] __attribute__((aligned(8)));
    answer_head h = {r->future, (uint32_t)status, size};
    memcpy(buf, &h, sizeof h);
    memset(buf + sizeof h, 0, answer_bytes[c]);
    if (value && size)
        memcpy(buf + sizeof h, value, size);
    alox_send(r->to, &answer_descs[c], buf);
}

__attribute__((constructor)) static void futures_register(void) {
    alox_register_type(&futures_type);
    for (int i = 0; i < ANSWER_CLASSES; i++) {
        answer_descs[i].name_hash = alox_hash(answer_descs[i].name);
        answer_descs[i].signature_hash = alox_hash(answer_descs[i].signature);
        alox_register_behaviour(&answer_descs[i]);
    }
}

/* ----- the request side ------------------------------------------------ */

void future_answer(uint64_t id, alox_status status, const void *value, uint32_t size) {
    future *f = (future *)(uintptr_t)id;
    if (f->remote && !(f = remote_take(id)))
        return; /* its request side is done already (answered, then lost) */
    future_answer_entry(f, status, value, size);
}

static void future_answer_entry(future *f, alox_status status, const void *value, uint32_t size) {
    lock(f);
    if (f->state != PENDING) { /* DONE: it timed out (or was given up) first */
        unlock(f);
        atomic_fetch_add_explicit(&late_count, 1, memory_order_relaxed);
        future_unref(f);
        return;
    }
    if (f->consumer == NO_CONSUMER) {
        store(f, status, value, size);
        unlock(f);
        future_unref(f);
        return;
    }
    f->state = DONE;
    if (f->consumer == AWAIT) {
        future_wake(f->waiting, status, value, size);
        unlock(f);
        future_unref(f);
        return;
    }
    alox_timer timer = f->timer;
    void *self = f->self;
    const alox_behaviour_desc *on_value = f->on_value;
    uint32_t value_size = f->value_size;
    unlock(f);
    if (timer.id && alox_cancel(timer))
        future_unref(f); /* the timer's reference: it will never fire */
    /* Let go first (so alox_futures_pending is 0 once the last on_value
     * runs), then send: the value is the caller's, not the entry's. */
    future_unref(f); /* the consumer's */
    future_unref(f); /* the request's */
    send_on_value(self, on_value, value_size, status, value, size);
}

alox_reply *future_reply_of(const alox_behaviour_desc *b, const void *args) {
    if (!args || b->ref_count == 0)
        return NULL;
    const alox_arg_ref *last = &b->refs[b->ref_count - 1];
    if (last->kind != ALOX_REF_ACTOR || last->type_hash != FUTURE_REPLY_TYPE_HASH)
        return NULL;
    return (alox_reply *)((char *)args + last->offset);
}

/* A request that will never run: its future hears ALOX_TARGET_DOWN. */
static void on_dead_letter(alox_dead_reason reason, const alox_behaviour_desc *b, const void *args) {
    (void)reason;
    alox_reply *r = future_reply_of(b, args);
    if (!r || r->future == 0 || !r->to)
        return;
    actor *to = actor_of(r->to);
    if (to == atomic_load_explicit(&futures_actor, memory_order_acquire))
        future_answer(r->future, ALOX_TARGET_DOWN, NULL, 0);
    else /* asked from another scheduler, and it will never run here */
        answer_remote(r, ALOX_TARGET_DOWN, NULL, 0, false);
}

static alox_reply *reply_slot(const alox_behaviour_desc *b, void *args) {
    alox_reply *r = future_reply_of(b, args);
    if (!r)
        alox_fatal("%s was asked for an answer, but it does not return alox_future(T) (a "
                   "front-end bug: rebuild every unit with the same Alox)",
                   b->name);
    return r;
}

/* Does target stand for an actor of another scheduler? Outside a worker
 * the read is inside a grace period: a stopped actor's memory may go back
 * (support/grace.h); a freed one is no proxy (its magic is gone). */
static bool is_proxy(void *target) {
    bool outside = worker_self == NULL;
    if (outside)
        grace_enter();
    actor *a = actor_of(target);
    /* Relaxed: ACTOR_PROXY is set before a proxy is published to anyone. */
    bool proxy = a->magic == ACTOR_MAGIC &&
                 (atomic_load_explicit(&a->flags, memory_order_relaxed) & ACTOR_PROXY);
    if (outside)
        grace_exit();
    return proxy;
}

alox_future_handle alox_ask(void *target, const alox_behaviour_desc *b, void *args) {
    alox_reply *r = reply_slot(b, args);
    future *f = future_new();
    r->to = actor_body(futures_self());
    r->future = (uint64_t)(uintptr_t)f;
    if (target && is_proxy(target))
        remote_add(f); /* before the send: the answer may come back at once */
    alox_send(target, b, args); /* a dead letter answers at once (on_dead_letter) */
    return handle_of(f);
}

alox_future_handle future_new_pending(void) { return handle_of(future_new()); }

void future_fulfil(alox_future_handle h, alox_status status, const void *value, uint32_t size) {
    future_answer_entry(future_of(h), status, value, size);
}

void alox_ask_forget(void *target, const alox_behaviour_desc *b, void *args) {
    alox_reply *r = reply_slot(b, args);
    r->to = actor_body(futures_self());
    r->future = 0;
    alox_send(target, b, args);
}

/* The reply of the request whose body runs on this thread now. */
static ALOX_TLS const alox_reply *current_reply;

void alox__reply_enter(const alox_reply *reply) { current_reply = reply; }

alox_future_handle alox__fulfil(const void *value, uint32_t size) {
    bool current_has_refs = (size & ALOX_FULFIL_HAS_REFS) != 0;
    size &= ~ALOX_FULFIL_HAS_REFS;
    const alox_reply *r = current_reply;
    current_reply = NULL;
    if (!r || r->future == 0)
        return NULL; /* nobody asked */
    actor *to = actor_of(r->to);
    if (to == atomic_load_explicit(&futures_actor, memory_order_acquire))
        future_answer(r->future, ALOX_OK, value, size);
    else
        answer_remote(r, ALOX_OK, value, size, current_has_refs);
    return NULL;
}

/* ----- the consumer side ---------------------------------------------- */

/* On the timer thread (timers.h): timeout_ms passed. If no answer came
 * first, this is the answer; the request's answer, when it comes, is late. */
static void timeout_fired(void *arg) {
    future *f = arg;
    lock(f);
    bool won = f->state != DONE;
    if (won) {
        f->state = DONE;
        f->timed_out = true;
    }
    void *self = f->self;
    const alox_behaviour_desc *on_value = f->on_value;
    uint32_t value_size = f->value_size;
    unlock(f);
    if (won)
        future_unref(f); /* the consumer's */
    future_unref(f);     /* the timer's; then f may be gone */
    if (won) {
        atomic_fetch_add_explicit(&timeout_count, 1, memory_order_relaxed);
        send_on_value(self, on_value, value_size, ALOX_TIMEOUT, NULL, 0);
    }
}

bool future_consume(future *f, enum future_consumer by) {
    if (f->consumer != NO_CONSUMER)
        alox_fatal("a future given to alox_then or alox_await twice: each is consumed once");
    f->consumer = (uint8_t)by;
    if (f->state != ANSWERED)
        return false;
    f->state = DONE;
    return true;
}

void alox_then_desc(alox_future_handle h, void *self, const alox_behaviour_desc *on_value,
                    uint64_t timeout_ms, uint32_t value_size) {
    future *f = future_of(h);
    if (!f) { /* no future (a front end passed none): nothing can answer */
        send_on_value(self, on_value, value_size, ALOX_TARGET_DOWN, NULL, 0);
        return;
    }
    lock(f);
    if (future_consume(f, THEN)) {
        unlock(f);
        alox_status status = f->status;
        uint32_t size = f->stored_size;
        if (size <= STACK_ARGS_BYTES) { /* let go first, as future_answer_entry does */
            unsigned char copy[STACK_ARGS_BYTES] __attribute__((aligned(16)));
            if (size)
                memcpy(copy, f->stored, size);
            future_unref(f);
            send_on_value(self, on_value, value_size, status, copy, size);
        } else {
            send_on_value(self, on_value, value_size, status, f->stored, size);
            future_unref(f);
        }
        return;
    }
    f->self = self;
    f->on_value = on_value;
    f->value_size = value_size;
    if (timeout_ms) {
        atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed); /* the timer's */
        f->timer = timers_call_after(timeout_ms, futures_self(), timeout_fired, f);
    }
    unlock(f);
}

/* ----- statistics ------------------------------------------------------ */

uint64_t alox_futures_pending(void) {
    return atomic_load_explicit(&pending_count, memory_order_relaxed);
}

uint64_t alox_futures_late(void) { return atomic_load_explicit(&late_count, memory_order_relaxed); }

void future_count_timeout(void) {
    atomic_fetch_add_explicit(&timeout_count, 1, memory_order_relaxed);
}

uint64_t future_timeouts(void) { return atomic_load_explicit(&timeout_count, memory_order_relaxed); }
