/* See anon_actor.h. */
#include <stdio.h>
#include <string.h>

#include "anon_actor.h"

alox_behave void answer(asker_t *self, int64_t n) { self->got = n; }

static const char *dead_behaviour;
static void on_dead(const alox_dead_letter *letter) { dead_behaviour = letter->behaviour; }

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    alox_on_dead_letter(on_dead);
    counter_t *c = alox_new(counter_t);
    asker_t *a = alox_new(asker_t);
    add(c, 5, a);
    add(c, 7, a);
    if (c->n != 0 || alox_run() != 0 || c->n != 12 || c->hits != 2 || a->got != 12) {
        fprintf(stderr, "anon_actor: n=%lld hits=%lld got=%lld\n", (long long)c->n,
                (long long)c->hits, (long long)a->got);
        return 1;
    }
    add(NULL, 1, a); /* a dead letter names the behaviour by the typedef */
    if (!dead_behaviour || strcmp(dead_behaviour, "counter_t.add") != 0) {
        fprintf(stderr, "anon_actor: dead letter for %s\n", dead_behaviour ? dead_behaviour : "-");
        return 1;
    }
    puts("anon_actor: ok");
    return 0;
}
