/* See plaincall_counter.c. This unit knows alox.h but not that bump is a
 * behaviour: a hand-written prototype. */
#include <stdio.h>
#include <stdlib.h>

#include "plaincall.h"

void bump(struct counter *self, int64_t k); /* no alox_behave */
void poke_plainly(struct counter *c);         /* plaincall_plain.c */

#define CHECK(c)                                                                             \
    do {                                                                                     \
        if (!(c)) {                                                                          \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);           \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    main_thread = pthread_self();
    struct counter *c = alox_new(struct counter);
    bump(c, 5);
    void (*through)(struct counter *, int64_t) = bump;
    through(c, 100);
    CHECK(c->n == 0 && c->calls == 0); /* sends: nothing runs before alox_run */
    poke_plainly(c);
    CHECK(c->n == 0 && c->calls == 0);
    CHECK(alox_run() == 0);
    CHECK(c->calls == 4 && c->n == 5 + 100 + 7 + 11);
    puts("plaincall: ok");
    return 0;
}
