/*
 * chain.c - futures across schedulers (issue 19), one program, one role
 * per node (tests/futures/chain.sh starts them on 127.0.0.1):
 *
 *   chain c            serves `adder`: add_one(k) answers k + 1
 *   chain b            finds c's adder with alox_lookup_future (in a
 *                      behaviour), then serves `relay`: relay(k, back)
 *                      answers k + 1 at once and asks c's adder for
 *                      (k + 1) + 1, whose answer it sends on to `back`
 *   chain a N          asks b N times: every answer k + 1 and every final
 *                      k + 2 arrives once; then stops b and c
 *   chain down N       asks c N times behind a long stall of c, which the
 *                      script kills: every request hears ALOX_TARGET_DOWN
 *
 * A node prints "ROLE: ready" when it serves and "ok: ..." when its
 * checks hold; any failed check exits 1.
 */
#include <alox.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK(cond)                                                                              \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            fprintf(stderr, "chain: check failed at line %d: %s\n", __LINE__, #cond);            \
            exit(1);                                                                             \
        }                                                                                        \
    } while (0)

#define LOOKUP_MS 10000

struct asker;
struct alox_actor adder { int64_t served; };
struct alox_actor relay { struct adder *c; struct asker *back; int64_t down; };
struct alox_actor asker {
    int64_t n, answers, finals, answer_sum, final_sum, down;
    struct relay *b;
    struct adder *c;
};

/* ----- c ------------------------------------------------------------------ */

alox_behave alox_future(int64_t) add_one(struct adder *self, int64_t k) {
    self->served++;
    return k + 1;
}

static uint64_t now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

alox_behave void stall(struct adder *self, int32_t ms) {
    (void)self;
    uint64_t until = now_ms() + (uint64_t)ms;
    while (now_ms() < until) {
    }
}

alox_behave void quit_adder(struct adder *self) {
    (void)self;
    printf("c: served %lld\n", (long long)self->served);
    alox_exit(0);
}

/* ----- b ------------------------------------------------------------------ */

alox_behave void final(struct asker *self, int64_t value);

alox_behave void from_c(struct relay *self, int64_t value, alox_status status) {
    if (status != ALOX_OK)
        self->down++;
    final(self->back, status == ALOX_OK ? value : -1);
}

alox_behave alox_future(int64_t) relay_one(struct relay *self, int64_t k, struct asker *back) {
    self->back = back;
    alox_then(add_one(self->c, k + 1), self, from_c, 0);
    return k + 1;
}

/* alox_lookup_future: a behaviour finds c's adder without blocking. */
alox_behave void found_c(struct relay *self, struct adder *c, alox_status status) {
    CHECK(status == ALOX_OK && c);
    self->c = c;
    CHECK(alox_publish(self, "relay") == 0);
    printf("b: ready\n");
}

alox_behave void connect_relay(struct relay *self) {
    alox_then(alox_lookup_future(struct adder, "c", "adder", LOOKUP_MS), self, found_c, 0);
}

alox_behave void quit_relay(struct relay *self) {
    printf("b: down %lld\n", (long long)self->down);
    alox_exit(0);
}

/* ----- a ------------------------------------------------------------------ */

static void maybe_done(struct asker *self) {
    if (self->answers < self->n || self->finals < self->n)
        return;
    int64_t n = self->n;
    CHECK(self->answer_sum == n * (n + 1) / 2);     /* k + 1 for k in 0..n-1 */
    CHECK(self->final_sum == n * (n + 1) / 2 + n);  /* k + 2 */
    printf("chain: %lld answers from b, %lld finals from c through b\n",
           (long long)self->answers, (long long)self->finals);
    quit_relay(self->b);
    quit_adder(self->c); /* alox_run returns once both have run them */
    alox_release();      /* the finals come from b unasked: main held the run */
}

alox_behave void got(struct asker *self, int64_t value, alox_status status) {
    CHECK(status == ALOX_OK);
    self->answers++;
    self->answer_sum += value;
    maybe_done(self);
}

alox_behave void final(struct asker *self, int64_t value) {
    CHECK(value > 0);
    self->finals++;
    self->final_sum += value;
    maybe_done(self);
}

alox_behave void start(struct asker *self) {
    for (int64_t k = 0; k < self->n; k++)
        alox_then(relay_one(self->b, k, self), self, got, 30000);
}

/* ----- down ------------------------------------------------------------------- */

alox_behave void downed(struct asker *self, int64_t value, alox_status status) {
    CHECK(status == ALOX_TARGET_DOWN && value == 0);
    if (++self->down == self->n) {
        printf("down: %lld of %lld heard ALOX_TARGET_DOWN\n", (long long)self->down,
               (long long)self->n);
        alox_exit(0);
    }
}

alox_behave void start_down(struct asker *self) {
    stall(self->c, 60000); /* c is busy until the script kills it */
    for (int64_t k = 0; k < self->n; k++)
        alox_then(add_one(self->c, k), self, downed, 0);
    printf("down: asked\n");
    fflush(stdout);
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *role = argc > 1 ? argv[1] : "";
    if (strcmp(role, "c") == 0) {
        CHECK(alox_publish(alox_new(struct adder), "adder") == 0);
        printf("c: ready\n");
        return alox_run();
    }
    if (strcmp(role, "b") == 0) {
        connect_relay(alox_new(struct relay)); /* publishes once it has found c */
        return alox_run();
    }
    if (strcmp(role, "a") == 0 && argc > 2) {
        struct asker *a = alox_new(struct asker);
        a->n = atoll(argv[2]);
        a->b = alox_lookup(struct relay, "b", "relay", LOOKUP_MS);
        a->c = alox_lookup(struct adder, "c", "adder", LOOKUP_MS);
        CHECK(a->b && a->c);
        int64_t v = 0; /* alox_await across schedulers, before alox_run */
        CHECK(alox_await(add_one(a->c, 41), 10000, &v) == ALOX_OK && v == 42);
        alox_hold();
        start(a);
        int rc = alox_run();
        CHECK(alox_futures_pending() == 0 && a->answers == a->n && a->finals == a->n);
        printf("ok: chain: %lld answers from b, %lld finals from c through b, 0 pending\n",
               (long long)a->answers, (long long)a->finals);
        return rc;
    }
    if (strcmp(role, "down") == 0 && argc > 2) {
        struct asker *a = alox_new(struct asker);
        a->n = atoll(argv[2]);
        a->c = alox_lookup(struct adder, "c", "adder", LOOKUP_MS);
        CHECK(a->c);
        start_down(a);
        int rc = alox_run();
        CHECK(alox_futures_pending() == 0);
        printf("ok: down: %lld of %lld heard ALOX_TARGET_DOWN, 0 pending\n", (long long)a->down,
               (long long)a->n);
        return rc;
    }
    fprintf(stderr, "usage: chain c | b | a N | down N (with --alox-* flags)\n");
    return 2;
}
