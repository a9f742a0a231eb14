/* Issue 12 item 4b: a plain prototype, a call, then the alox_behave
 * definition later in the same unit. The unit knows bump is a behaviour
 * once it is parsed, so both front ends make the early call a send. */
#include <alox.h>
#include <stdio.h>
#include <stdlib.h>

struct alox_actor counter { int64_t n; };
void bump(struct counter *self, int64_t k); /* no alox_behave yet */

static void early(struct counter *c) { bump(c, 5); }

alox_behave void bump(struct counter *self, int64_t k) { self->n += k; }

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    struct counter *c = alox_new(struct counter);
    early(c);
    if (c->n != 0) {
        fprintf(stderr, "late_behave: the early call ran synchronously\n");
        return 1;
    }
    if (alox_run() != 0 || c->n != 5) {
        fprintf(stderr, "late_behave: n = %lld, want 5\n", (long long)c->n);
        return 1;
    }
    puts("late_behave: ok");
    return 0;
}
