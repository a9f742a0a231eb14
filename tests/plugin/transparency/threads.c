/* Unannotated C: pthreads, atomics, thread-local storage, nested
 * functions (GNU C) and a struct named like an actor would be. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

struct pinger { int64_t hits; };   /* same tag as in the demos, no annotation */
static _Atomic int64_t total;
static __thread int64_t local_hits;

static void *work(void *arg) {
    struct pinger *p = arg;
    for (int i = 0; i < 1000; i++) { p->hits++; local_hits++; }
    atomic_fetch_add(&total, local_hits);
    return NULL;
}

int64_t run_threads(int n) {
    pthread_t t[16];
    struct pinger p[16] = {{0}};
    if (n > 16) n = 16;
    for (int i = 0; i < n; i++) pthread_create(&t[i], NULL, work, &p[i]);
    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
    int64_t sum(int k) { int64_t s = 0; for (int i = 0; i < k; i++) s += p[i].hits; return s; }
    return sum(n) + atomic_load(&total);
}
