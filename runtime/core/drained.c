/* drained.c - see drained.h. */
#include "drained.h"

#include "actor.h"

void actor_drained(struct actor *a) {
    (void)a; /* monitors (issue 14, item 3) extend this */
}
