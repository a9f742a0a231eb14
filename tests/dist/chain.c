/* chain.c - see chain.h. */
#include "chain.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define CHAIN_LOOKUP_TIMEOUT_MS 10000
#define RELAY_WORK_NS 300000 /* per hop: long next to a loopback round trip */

alox_behave void hop(struct relay *self, int32_t left, struct relay *other, struct asker *reply_to) {
    self->hops++;
    nanosleep(&(struct timespec){0, RELAY_WORK_NS}, NULL);
    if (left <= 0)
        answer(reply_to, self->hops);
    else
        hop(other, left - 1, self, reply_to);
}

alox_behave void answer(struct asker *self, int64_t hops_seen) {
    self->replies++;
    self->last_hops = hops_seen;
}

static _Atomic int64_t chain_dead_letters;

static void count_dead(const alox_dead_letter *letter) {
    (void)letter;
    chain_dead_letters++;
}

int chain_jobs(int hops, int reps, const char *first, const char *second) {
    alox_on_dead_letter(count_dead);
    struct relay *a = alox_lookup(struct relay, first, "relay", CHAIN_LOOKUP_TIMEOUT_MS);
    struct relay *b = alox_lookup(struct relay, second, strcmp(first, second) ? "relay" : "relay2",
                                  CHAIN_LOOKUP_TIMEOUT_MS);
    if (!a || !b) {
        printf("FAIL: chain: lookup of the relays timed out\n");
        return 1;
    }
    struct asker *me = alox_new(struct asker);
    for (int i = 0; i < reps; i++) {
        hop(a, hops - 1, b, me);
        int code = alox_run();
        if (code != 0 || me->replies != i + 1) {
            printf("FAIL: chain: %d hops, repetition %d: alox_run returned %d with %lld of %d "
                   "replies\n",
                   hops, i + 1, code, (long long)me->replies, i + 1);
            return 1;
        }
    }
    int64_t dead = atomic_load(&chain_dead_letters);
    printf("%s chain: %d hops across %s and %s, %d repetitions, every reply before alox_run "
           "returned, %lld dead letters\n",
           dead == 0 ? "ok:" : "FAIL:", hops, first, second, reps, (long long)dead);
    return dead == 0 ? 0 : 1;
}
