/* The README example: two actors bounce a counter; checks every hop ran. */
#include <alox.h>
#include <stdio.h>

struct ponger;
struct alox_actor pinger { int64_t hits; };
struct alox_actor ponger { int64_t hits; };

static struct pinger *the_pinger;
static struct ponger *the_ponger;

alox_behave void pong(struct ponger *self, int32_t n, struct pinger *from);

alox_behave void ping(struct pinger *self, int32_t n, struct ponger *to) {
    self->hits++;
    if (n > 0)
        pong(to, n - 1, self); /* a send: returns at once */
    else
        alox_exit(0);
}

alox_behave void pong(struct ponger *self, int32_t n, struct pinger *from) {
    self->hits++;
    ping(from, n, self);
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    the_pinger = alox_new(struct pinger);
    the_ponger = alox_new(struct ponger);
    ping(the_pinger, 1000, the_ponger);
    if (the_pinger->hits != 0) { /* nothing runs before alox_run */
        fprintf(stderr, "ping ran synchronously\n");
        return 1;
    }
    int rc = alox_run();
    if (rc != 0 || the_pinger->hits != 1001 || the_ponger->hits != 1000) {
        fprintf(stderr, "rc %d, pinger %lld, ponger %lld\n", rc,
                (long long)the_pinger->hits, (long long)the_ponger->hits);
        return 1;
    }
    printf("pingpong ok: %lld + %lld hits\n", (long long)the_pinger->hits,
           (long long)the_ponger->hits);
    return 0;
}
