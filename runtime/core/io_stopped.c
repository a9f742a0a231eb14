/* io_stopped.c - see io_stopped.h. */
#include "io_stopped.h"

#include "timers.h"
#include "watch.h"

void io_actor_stopped(struct actor *a) {
    timers_cancel_target(a);
    watch_remove_target(a);
}
