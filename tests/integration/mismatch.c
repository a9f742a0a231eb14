/*
 * mismatch.c - a client built from another prototype of the server's
 * behaviour counter.count (an int32_t where nodes.c has an int64_t). Its
 * message must reach the server's dead letters as "signature mismatch",
 * never run with misread arguments.
 */
#include <alox.h>

#include <stdio.h>

struct client;
struct alox_actor counter { int64_t count; };
struct alox_actor client { int64_t unused; };

alox_behave void count(struct counter *self, int32_t n, struct client *reply_to) {
    (void)self, (void)n, (void)reply_to;
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    struct counter *remote = alox_lookup(struct counter, "server", "counter", 10000);
    if (!remote) {
        printf("FAIL: lookup of counter timed out\n");
        return 1;
    }
    count(remote, 7, NULL);
    alox_run(); /* returns when the server has dealt with it */
    printf("ok: mismatched message sent\n");
    return 0;
}
