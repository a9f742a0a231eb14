/* runnext.c - the thief's side of the run-next slot; see runnext.h. */
#include "runnext.h"

#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "actor.h"

/* Spins of the owner waiting for a thief's verdict before it yields the
 * CPU: a thief decides within one membarrier call (~0.1-5 us), unless it
 * was preempted. */
#define OWNER_SPINS 256

static long membarrier(int cmd) { return syscall(SYS_membarrier, cmd, 0, 0); }

/* The clock of io_now_ns, read here so the slot needs nothing of the I/O
 * thread (no include cycle). Microseconds, wrapping every 71 minutes:
 * only differences are used. */
static uint32_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
}

/* Written once before the workers start (scheduler.c), read by them;
 * cleared (relaxed: a hint) if the registration below fails. */
static _Atomic bool stealable;

/* The kernel supports the barrier: the process registers for it only
 * when a thief first needs it (register_once). Registered, a 2-worker
 * ping-pong, which never steals, ran 15-25% slower (45-48 ns a message
 * against 36-41, bench/savina/ab.sh, 7 interleaved runs): programs that
 * never steal do not pay for it. */
bool runnext_steal_init(void) {
    static bool tried;
    if (!tried) {
        tried = true;
        long cmds = membarrier(MEMBARRIER_CMD_QUERY);
        atomic_store_explicit(&stealable, cmds > 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED),
                              memory_order_relaxed);
    }
    return atomic_load_explicit(&stealable, memory_order_relaxed);
}

static pthread_once_t registration = PTHREAD_ONCE_INIT;
static bool registered; /* written in the once routine, read after pthread_once */

static void register_for_barrier(void) {
    registered = membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
    if (!registered)
        atomic_store_explicit(&stealable, false, memory_order_relaxed);
}

/* Before a thief's first barrier; pthread_once orders `registered`. */
static bool register_once(void) {
    pthread_once(&registration, register_for_barrier);
    return registered;
}

void runnext_ask_watcher(runnext_slot *rn, bool ask) {
    /* Relaxed: a hint for the owner's next use of the slot; an RMW since
     * thieves change the low bits meanwhile. */
    if (ask)
        atomic_fetch_or_explicit(&rn->thief_in, RUNNEXT_CALL_WATCHER, memory_order_relaxed);
    else
        atomic_fetch_and_explicit(&rn->thief_in, ~(uint32_t)RUNNEXT_CALL_WATCHER, memory_order_relaxed);
}

struct actor *runnext_settle(runnext_slot *rn, struct actor *held) {
    /* The scheduler clears the bit (under its lock) once a watcher sleeps;
     * until then every use calls, and runnext_call_watcher returns at
     * once while a worker spins (it parks as the watcher). */
    if (atomic_load_explicit(&rn->thief_in, memory_order_relaxed) & RUNNEXT_CALL_WATCHER)
        runnext_call_watcher();
    uint32_t verdict;
    /* Acquire: pairs with the thief's release of its verdict, so what it
     * stored in `stolen` (and its emptying of the slot) is seen here. */
    for (int spins = 0; ((verdict = atomic_load_explicit(&rn->thief_in, memory_order_acquire)) &
                         RUNNEXT_THIEF_MASK) == RUNNEXT_THIEF_LOOKING;
         spins++) {
        if (spins < OWNER_SPINS)
            cpu_relax();
        else
            sched_yield();
    }
    if ((verdict & RUNNEXT_THIEF_MASK) != RUNNEXT_THIEF_TOOK)
        return held;
    struct actor *stolen = atomic_load_explicit(&rn->stolen, memory_order_relaxed);
    /* Release: the next thief's acquire exchange sees the slot as we
     * left it. From here thieves may come again. */
    atomic_fetch_sub_explicit(&rn->thief_in, RUNNEXT_THIEF_TOOK, memory_order_release);
    return stolen == held ? NULL : held; /* it runs there: not here too */
}

/* The thief's half of the pair: the slot's actor, or NULL if the owner
 * emptied or refilled the slot first (or another thief is at it). */
static struct actor *take_as_thief(runnext_slot *rn) {
    uint32_t word = atomic_load_explicit(&rn->thief_in, memory_order_relaxed);
    /* Acquire: the owner's release after it settled the last theft. The
     * exchange is a locked instruction, and the barrier below makes the
     * owner's CPU order its slot writes against our announcement. */
    if ((word & RUNNEXT_THIEF_MASK) != RUNNEXT_THIEF_NONE ||
        !atomic_compare_exchange_strong_explicit(&rn->thief_in, &word, word | RUNNEXT_THIEF_LOOKING,
                                                 memory_order_acquire, memory_order_relaxed))
        return NULL;
    membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED); /* the owner's full barrier (runnext.h) */
    /* Acquire: pairs with runnext_put's release store, so the actor is as
     * its owner made it runnable. The exchange fails if the owner took or
     * replaced it meanwhile: it then keeps it. */
    struct actor *a = atomic_load_explicit(&rn->slot, memory_order_acquire);
    if (a && atomic_compare_exchange_strong_explicit(&rn->slot, &a, NULL, memory_order_acquire,
                                                     memory_order_relaxed)) {
        atomic_store_explicit(&rn->stolen, a, memory_order_relaxed); /* published by the release below */
        /* Release: the owner's acquire in runnext_settle sees `stolen`.
         * LOOKING + 1 is TOOK; an add keeps the scheduler's bit. */
        atomic_fetch_add_explicit(&rn->thief_in, RUNNEXT_THIEF_TOOK - RUNNEXT_THIEF_LOOKING, memory_order_release);
        return a;
    }
    atomic_fetch_sub_explicit(&rn->thief_in, RUNNEXT_THIEF_LOOKING, memory_order_release);
    return NULL;
}

struct actor *runnext_thief_look(runnext_slot *rn) {
    /* Relaxed, all: hints. A stale slot costs a look that finds it
     * empty; a stale progress or seen (two thieves racing) moves a steal
     * by one look. Taking is decided by take_as_thief alone. */
    if (!atomic_load_explicit(&stealable, memory_order_relaxed) ||
        !atomic_load_explicit(&rn->slot, memory_order_relaxed))
        return NULL;
    uint32_t progress = atomic_load_explicit(&rn->progress, memory_order_relaxed);
    uint32_t now = now_us();
    uint64_t seen = atomic_load_explicit(&rn->seen, memory_order_relaxed);
    if ((uint32_t)(seen >> 32) != progress || seen == 0) {
        atomic_store_explicit(&rn->seen, (uint64_t)progress << 32 | now, memory_order_relaxed);
        return NULL; /* the owner moved since the last look: start the clock */
    }
    if (now - (uint32_t)seen < RUNNEXT_GRACE_NS / 1000u)
        return NULL;
    /* Not an actor under backpressure (overload.h): its worker keeps it
     * in runnext on purpose, so that its senders find its flag fresh;
     * taken away, the two-worker fan-in reached 40K-99K messages behind
     * (bound 59K) in 2 of ~25 runs, against 14K with nothing stolen.
     * Relaxed: a hint; the actor is runnable, so alive while we look
     * (this worker is inside a grace period). */
    struct actor *a = atomic_load_explicit(&rn->slot, memory_order_relaxed);
    if (!a || (atomic_load_explicit(&a->flags, memory_order_relaxed) & ACTOR_PRESSURE))
        return NULL;
    if (!register_once())
        return NULL; /* no barrier: the slot stays its owner's */
    return take_as_thief(rn);
}
