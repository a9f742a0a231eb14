/*
 * inject.c - the injection queue's throughput (bench/scaling/run.sh and
 * bench/RESULTS.md, "Scaling past 2 cores"): plain pthreads that are not
 * workers send one message at a time, round robin, to K idle actors, so
 * nearly every send makes an actor runnable through the injection queue
 * (injectq_push under its lock) and a worker takes it out (injectq_pop,
 * the same lock). With counters_dump.c, `runs` counts the batches: each
 * began with an injection when runs is close to the messages.
 *     inject [messages=2000000] [actors=1000] [senders=1]
 */
#include <alox.h>

#include <pthread.h>

#include "../savina/common/savina.h"

struct alox_actor sink { int64_t got; };

alox_behave void hit(struct sink *self, int64_t v) { self->got += v; }

static struct sink **sinks;
static int64_t actors, per_sender;

static void *sender(void *arg) {
    int64_t first = (int64_t)(intptr_t)arg;
    for (int64_t i = 0; i < per_sender; i++)
        hit(sinks[(first + i) % actors], 1);
    alox_release(); /* this sender's hold: the run may end when all are done */
    return NULL;
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    int64_t messages = savina_arg(argc, argv, 1, 2000000);
    actors = savina_arg(argc, argv, 2, 1000);
    int64_t senders = savina_arg(argc, argv, 3, 1);
    per_sender = messages / senders;
    sinks = malloc(sizeof *sinks * (size_t)actors);
    pthread_t *threads = malloc(sizeof *threads * (size_t)senders);
    if (!sinks || !threads)
        savina_fail("inject", "out of memory");
    for (int64_t i = 0; i < actors; i++)
        sinks[i] = alox_new(struct sink);
    int64_t t0 = savina_now_ns();
    for (int64_t s = 0; s < senders; s++) {
        alox_hold();
        if (pthread_create(&threads[s], NULL, sender, (void *)(intptr_t)(s * 7919)) != 0)
            savina_fail("inject", "cannot start a sender");
    }
    if (alox_run() != 0)
        savina_fail("inject", "alox_run failed");
    int64_t t1 = savina_now_ns();
    for (int64_t s = 0; s < senders; s++)
        pthread_join(threads[s], NULL);
    int64_t got = 0;
    for (int64_t i = 0; i < actors; i++)
        got += sinks[i]->got;
    if (got != per_sender * senders)
        savina_fail("inject", "%lld messages arrived (want %lld)", (long long)got,
                    (long long)(per_sender * senders));
    savina_report("inject", "alox", alox_threads(), got, t1 - t0);
    free(threads);
    free(sinks);
    return 0;
}
