/* Issue 12 item 1: the behaviour's body is here; plaincall_main.c and
 * plaincall_plain.c reach `bump` without knowing it is a behaviour (a
 * prototype written without alox_behave, a unit built with no front end,
 * a function pointer). Every such call must be a send, never the body
 * run at once on the caller's thread. */
#include "plaincall.h"

pthread_t main_thread;

alox_behave void bump(struct counter *self, int64_t k) {
    if (pthread_equal(pthread_self(), main_thread))
        self->calls = -1000; /* ran synchronously in main's call */
    self->n += k;
    self->calls++;
}
