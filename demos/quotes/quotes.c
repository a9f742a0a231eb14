/*
 * quotes - futures: ask several suppliers for a price, take the best answer
 * that comes within a deadline.
 *
 *     quotes [rounds=5]
 *
 * A buyer asks four suppliers `quote(item)` each round with alox_then and a
 * 50 ms timeout. One supplier is quick, one is slower but in time, one is
 * too slow (its answer arrives after the deadline and is dropped), and one
 * has closed shop (alox_stop): the buyer hears ALOX_OK, ALOX_TIMEOUT and
 * ALOX_TARGET_DOWN, decides each round on what it has, and main asks the
 * buyer for its total with alox_await once the workers have stopped.
 */
#include <alox.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define SUPPLIERS 4
#define DEADLINE_MS 50

struct alox_actor supplier {
    const char *name;
    int32_t base_cents, delay_ms;
};

struct alox_actor buyer {
    struct supplier *suppliers[SUPPLIERS];
    int32_t round, rounds, heard, best_cents;
    int64_t total_cents;
};

static void busy_ms(int32_t ms) { /* a slow supplier: a long computation, not a sleep */
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do
        clock_gettime(CLOCK_MONOTONIC, &t);
    while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
}

alox_behave alox_future(int32_t) quote(struct supplier *self, int32_t item) {
    busy_ms(self->delay_ms);
    return self->base_cents + item * 7 % 13;
}

alox_behave void close_shop(struct supplier *self) { alox_stop(self); }

alox_behave void next_round(struct buyer *self);

static const char *status_text(alox_status s) {
    return s == ALOX_OK ? "ok" : s == ALOX_TIMEOUT ? "timeout" : "target down";
}

alox_behave void quoted(struct buyer *self, int32_t cents, alox_status status) {
    printf("  round %d: %-11s %s", self->round, status_text(status),
           status == ALOX_OK ? "" : "\n");
    if (status == ALOX_OK) {
        printf("%d.%02d\n", cents / 100, cents % 100);
        if (self->best_cents == 0 || cents < self->best_cents)
            self->best_cents = cents;
    }
    if (++self->heard < SUPPLIERS)
        return;
    printf("round %d: buy at %d.%02d\n", self->round, self->best_cents / 100,
           self->best_cents % 100);
    self->total_cents += self->best_cents;
    if (self->round < self->rounds)
        next_round(self);
}

alox_behave void next_round(struct buyer *self) {
    self->round++;
    self->heard = 0;
    self->best_cents = 0;
    for (int i = 0; i < SUPPLIERS; i++)
        alox_then(quote(self->suppliers[i], self->round), self, quoted, DEADLINE_MS);
}

alox_behave alox_future(int64_t) total(struct buyer *self) { return self->total_cents; }

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    int rounds = argc > 1 ? atoi(argv[1]) : 5;
    static const struct { const char *name; int32_t cents, delay; } shops[SUPPLIERS] = {
        {"quick", 1250, 0}, {"steady", 1190, 10}, {"slow", 990, 200}, {"closed", 900, 0}};
    struct buyer *b = alox_new(struct buyer);
    b->rounds = rounds > 0 ? rounds : 1;
    for (int i = 0; i < SUPPLIERS; i++) {
        struct supplier *s = alox_new(struct supplier);
        s->name = shops[i].name;
        s->base_cents = shops[i].cents;
        s->delay_ms = shops[i].delay;
        b->suppliers[i] = s;
    }
    close_shop(b->suppliers[3]);
    printf("suppliers: quick, steady (10 ms), slow (200 ms), closed; deadline %d ms\n",
           DEADLINE_MS);
    next_round(b);
    if (alox_run() != 0)
        return 1;
    int64_t cents = 0;
    alox_status s = alox_await(total(b), 1000, &cents); /* runs the workers again */
    printf("total after %d rounds: %lld.%02lld (%s); late answers dropped: %llu\n", b->rounds,
           (long long)(cents / 100), (long long)(cents % 100), status_text(s),
           (unsigned long long)alox_futures_late());
    return s == ALOX_OK && alox_futures_pending() == 0 ? 0 : 1;
}
