/* futures_main.c - asks futures_calc.c's behaviours across units: alox_then,
 * alox_await (before alox_run and from a plain thread), a struct value, an
 * actor reference as the value, a call whose answer nobody takes. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "futures.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "check failed: %s (line %d)\n", #c, __LINE__); exit(1); } } while (0)

struct alox_actor asker { int answers; struct calc *c; };

alox_behave void got_sum(struct asker *self, int64_t v, alox_status s) {
    CHECK(s == ALOX_OK && v > 0);
    self->answers++;
}
alox_behave void got_pair(struct asker *self, struct pair p, alox_status s) {
    CHECK(s == ALOX_OK && p.a == 14 && p.b == 1.5);
    self->answers++;
}
alox_behave void got_self(struct asker *self, struct calc *c, alox_status s) {
    CHECK(s == ALOX_OK && c == self->c);
    self->answers++;
    alox_then(plus(c, 1), self, got_sum, 1000);
}
alox_behave void ask(struct asker *self, struct calc *c) {
    self->c = c;
    alox_future(int64_t) f = plus(c, 10);
    alox_then(f, self, got_sum, 0);
    alox_then(split(c, 7, 3.0), self, got_pair, 0);
    alox_then(myself(c), self, got_self, 0);
    none(c);
}

static struct calc *shared;
static void *plain(void *unused) {
    (void)unused;
    int8_t v = 0;
    CHECK(alox_await(none(shared), 5000, &v) == ALOX_OK && v == -3);
    alox_release();
    return NULL;
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    struct calc *c = alox_new(struct calc);
    struct asker *a = alox_new(struct asker);
    shared = c;
    int64_t v = 0;
    CHECK(alox_await(plus(c, 5), 5000, &v) == ALOX_OK && v == 5);
    ask(a, c);
    alox_hold();
    pthread_t t;
    CHECK(pthread_create(&t, NULL, plain, NULL) == 0);
    CHECK(alox_run() == 0);
    pthread_join(t, NULL);
    CHECK(a->answers == 4 && c->base == 16);
    CHECK(alox_futures_pending() == 0);
    return 0;
}
