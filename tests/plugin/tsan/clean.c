/* Issue 12 item 8: an Alox program built with -fsanitize=thread against
 * the installed (uninstrumented) runtime: no race is reported where there
 * is none. It exercises the hand-offs TSan cannot see in the runtime:
 * plain threads sending into busy mailboxes (no lock on that path), with
 * data they wrote just before the send (a struct large enough to be
 * copied by memcpy, an alox_stage buffer); actors whose batches move from
 * worker to worker; main reading every actor after alox_run. */
#include <alox.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define ACTORS 8
#define SENDERS 2
#define PER_SENDER 3000

struct payload { int64_t words[5]; }; /* 40 bytes: copied by memcpy */
struct alox_actor node { struct node *next; int64_t seen, sum; char note[24]; };

alox_behave void pass(struct node *self, struct payload p, alox_stage const char *note,
                      int32_t hops);

alox_behave void pass(struct node *self, struct payload p, alox_stage const char *note,
                      int32_t hops) {
    self->seen++;
    for (int i = 0; i < 5; i++)
        self->sum += p.words[i];
    strncpy(self->note, note, sizeof self->note - 1); /* written by the sender */
    for (volatile int spin = 0; spin < 200; spin++) /* long enough for others to steal */
        ;
    if (hops > 0)
        pass(self->next, p, note, hops - 1);
}

static struct node *nodes[ACTORS];
static char notes[SENDERS][PER_SENDER][24]; /* each written once, before its send */

static void *sender(void *arg) {
    int s = (int)(intptr_t)arg;
    for (int i = 0; i < PER_SENDER; i++) {
        snprintf(notes[s][i], sizeof notes[s][i], "s%d m%d", s, i);
        pass(nodes[i % ACTORS], (struct payload){{i, s, 1, 2, 3}}, notes[s][i], 2);
    }
    alox_release();
    return NULL;
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    if (alox_threads() < 4)
        alox_set_threads(4);
    for (int i = 0; i < ACTORS; i++)
        nodes[i] = alox_new(struct node);
    for (int i = 0; i < ACTORS; i++)
        nodes[i]->next = nodes[(i + 1) % ACTORS]; /* before any send: main owns them */
    pthread_t t[SENDERS];
    for (int s = 0; s < SENDERS; s++) {
        alox_hold(); /* alox_run waits for the sender */
        pthread_create(&t[s], NULL, sender, (void *)(intptr_t)s);
    }
    if (alox_run() != 0)
        return 1;
    for (int s = 0; s < SENDERS; s++)
        pthread_join(t[s], NULL);
    int64_t seen = 0;
    for (int i = 0; i < ACTORS; i++)
        seen += nodes[i]->seen;
    if (seen != (int64_t)SENDERS * PER_SENDER * 3) {
        fprintf(stderr, "tsan clean: %lld deliveries\n", (long long)seen);
        return 1;
    }
    puts("tsan clean: ok");
    return 0;
}
