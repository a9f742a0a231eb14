/*
 * Request-reply, Alox: a client asks a server N times, one request at a
 * time: alox_then(next(server, i), self, got, 0), and `got` asks again.
 * The server's answer is `return i + 1;`. The time per round trip is the
 * figure (units = round trips); compare it with pingpong's one-way send:
 * a round trip is a request and an answer, two sends.
 *     reqreply [round_trips=1000000] [timeout_ms=0]
 * With timeout_ms > 0 every request also arms (and, answered, cancels) a
 * timeout.
 */
#include <alox.h>

#include "../common/savina.h"

struct alox_actor server { int64_t served; };
struct alox_actor client {
    int64_t n, done, sum;
    uint64_t timeout_ms;
    struct server *s;
};

alox_behave alox_future(int64_t) next(struct server *self, int64_t i) {
    self->served++;
    return i + 1;
}

alox_behave void got(struct client *self, int64_t value, alox_status status) {
    if (status != ALOX_OK)
        savina_fail("reqreply", "request %lld: status %d", (long long)self->done, (int)status);
    self->sum += value;
    if (++self->done < self->n)
        alox_then(next(self->s, self->done), self, got, self->timeout_ms);
}

alox_behave void start(struct client *self) {
    alox_then(next(self->s, 0), self, got, self->timeout_ms);
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    int64_t n = savina_arg(argc, argv, 1, 1000000);
    struct client *c = alox_new(struct client);
    c->n = n;
    c->s = alox_new(struct server);
    c->timeout_ms = argc > 2 ? (uint64_t)savina_arg(argc, argv, 2, 1) : 0;
    int64_t t0 = savina_now_ns();
    start(c);
    if (alox_run() != 0)
        savina_fail("reqreply", "alox_run failed");
    int64_t t1 = savina_now_ns();
    if (c->done != n || c->sum != n * (n + 1) / 2 || c->s->served != n ||
        alox_futures_pending() != 0)
        savina_fail("reqreply", "%lld answers (want %lld), sum %lld, %llu pending", (long long)c->done,
                    (long long)n, (long long)c->sum, (unsigned long long)alox_futures_pending());
    savina_report("reqreply", "alox", alox_threads(), n, t1 - t0);
    return 0;
}
