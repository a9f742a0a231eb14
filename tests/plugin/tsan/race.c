/* Issue 12 item 8: a real race in an Alox program is still reported. A
 * plain thread sends to an actor and then writes the actor's state while
 * the behaviour may be running on a worker: nothing orders the write
 * before the behaviour, nor the behaviour before the write (the thread
 * only waits for the behaviour afterwards). */
#include <alox.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

struct alox_actor counter { int64_t n; };

static atomic_int ran;

alox_behave void bump(struct counter *self, int64_t k);
alox_behave void bump(struct counter *self, int64_t k) {
    self->n += k;
    atomic_store(&ran, 1);
}

__attribute__((noinline)) static void racy_write(struct counter *c) { c->n = 100; }

static void *sender(void *c) {
    bump(c, 1);
    racy_write(c);
    while (!atomic_load(&ran))
        usleep(100);
    alox_release();
    return NULL;
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    struct counter *c = alox_new(struct counter);
    pthread_t t;
    alox_hold(); /* alox_run waits for the sender */
    pthread_create(&t, NULL, sender, c);
    int rc = alox_run();
    pthread_join(t, NULL);
    return rc;
}
