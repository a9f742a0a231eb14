/* drained.c - see drained.h. */
#include "drained.h"

#include "actor.h"
#include "monitor.h"

void actor_drained(struct actor *a) {
    /* Its monitors went at its stop point; this frees any a thread made
     * for it as a watcher while it was stopping (monitor.h). */
    monitor_actor_stopped(a);
}
