/* Sends from plain pthreads (not actors), while the scheduler runs. */
#include <alox.h>
#include <pthread.h>
#include <stdio.h>

enum { THREADS = 4, SENDS = 2000 };

struct alox_actor counter { int64_t sum; int64_t messages; };

alox_behave void add(struct counter *self, int16_t k, uint8_t tag) {
    self->sum += k;
    self->messages += tag == 0xab;
}

static void *sender(void *arg) {
    struct counter *c = arg;
    for (int i = 0; i < SENDS; i++)
        add(c, (int16_t)(i % 7 - 3), 0xab);
    alox_release(); /* taken by main before starting us */
    return NULL;
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    struct counter *c = alox_new(struct counter);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        alox_hold();
        pthread_create(&t[i], NULL, sender, c);
    }
    int rc = alox_run();
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    int64_t want = 0;
    for (int i = 0; i < SENDS; i++)
        want += i % 7 - 3;
    want *= THREADS;
    if (rc != 0 || c->sum != want || c->messages != THREADS * SENDS) {
        fprintf(stderr, "rc %d sum %lld (want %lld) messages %lld\n", rc, (long long)c->sum,
                (long long)want, (long long)c->messages);
        return 1;
    }
    printf("threads ok\n");
    return 0;
}
