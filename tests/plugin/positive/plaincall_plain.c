/* See plaincall_counter.c. Built with the plain compiler, no front end,
 * no alox.h: to this unit bump is an ordinary function. */
#include <stdint.h>

struct counter;
void bump(struct counter *self, int64_t k);

void poke_plainly(struct counter *c) {
    bump(c, 7);
    void (*volatile through)(struct counter *, int64_t) = bump;
    through(c, 11);
}
