/* drained.c - see drained.h. */
#include "drained.h"

#include "actor.h"
#include "monitor.h"
#include "remote_hooks.h"

void actor_drained(struct actor *a) {
    /* Its monitors went at its stop point; this frees any a thread made
     * for it as a watcher while it was stopping (monitor.h). */
    monitor_actor_stopped(a);
    /* Relaxed: set under the export lock by a thread that held a inside a
     * grace section, which ended before the grace period that precedes
     * this drain (reclaim.h). No hook: no network (alox_publish alone). */
    if ((atomic_load_explicit(&a->flags, memory_order_relaxed) & ACTOR_EXPORTED) && core_remote_hooks.exported_drained)
        core_remote_hooks.exported_drained(a);
}
