/* drained.c - see drained.h. */
#include "drained.h"

#include "actor.h"
#include "monitor.h"

/* Acquire/release: the releaser's own state is ready before a drain can
 * call it (it is stored before the first ACTOR_EXPORTED flag is set). */
static _Atomic(void (*)(struct actor *)) exported_release;

void actor_drained_set_exported(void (*release)(struct actor *a)) {
    atomic_store_explicit(&exported_release, release, memory_order_release);
}

/* Only for an actor with one of ACTOR_DRAINED_HINTS (drained.h): each step
 * below tests its own flag again. */
void actor_drained_hinted(struct actor *a) {
    /* Its monitors went at its stop point; this frees any a thread made
     * for it as a watcher while it was stopping (monitor.h). */
    monitor_actor_stopped(a);
    /* Relaxed: set under the export lock by a thread that held a inside a
     * grace section, which ended before the grace period that precedes
     * this drain (reclaim.h); the releaser was registered before that. */
    if (atomic_load_explicit(&a->flags, memory_order_relaxed) & ACTOR_EXPORTED) {
        void (*release)(struct actor *) = atomic_load_explicit(&exported_release, memory_order_acquire);
        if (release)
            release(a);
    }
}
