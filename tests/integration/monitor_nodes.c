/*
 * monitor_nodes.c - remote monitors across schedulers (monitors.sh starts
 * the processes on 127.0.0.1 with real keys):
 *
 *   monitor_nodes [--alox-* flags] server
 *   monitor_nodes [--alox-* flags] client N M    (N targets stopped, M lost)
 *   monitor_nodes [--alox-* flags] watch-and-die (monitors, then _exit)
 *   monitor_nodes [--alox-* flags] quit
 *
 * The client spawns targets on the server (alox_new_on) and monitors them
 * from its watcher. Each phase waits until the watcher has been told what
 * it expects (then alox_exit ends the run), bounded by a timer; every
 * notice is checked against the targets it may be about, and each target
 * may be told once. The client prints one "ok:" or "FAIL:" line per phase
 * and exits 0 only if all are right.
 */
#include <alox.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOOKUP_TIMEOUT_MS 10000
#define MAX_TARGETS 100000

uint64_t monitor_count(void); /* libalox's own (core/monitor.h): records alive */

struct alox_actor target { int32_t unused; };
struct alox_actor control { int32_t unused; };
struct alox_actor watcher {
    int64_t downs, want;
    int64_t by_reason[3];
    int64_t unknown, twice;
    int64_t last_ms;
    int64_t server_monitors;
};

static uint64_t ids[MAX_TARGETS];
static unsigned char told[MAX_TARGETS];
static int64_t id_count;

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ----- the server's side --------------------------------------------- */

alox_behave void halt(struct target *self) { alox_stop(self); }

alox_behave void quit(struct control *self, int32_t code) {
    (void)self;
    alox_exit(code);
}

alox_behave void monitors_are(struct watcher *self, int64_t n);

alox_behave void count_monitors(struct control *self, struct watcher *to) {
    (void)self;
    monitors_are(to, (int64_t)monitor_count());
}

static int server(void) {
    if (alox_publish(alox_new(struct control), "control"))
        return 1;
    printf("server: ready\n");
    int code = alox_run();
    printf("server: done: monitors %llu\n", (unsigned long long)monitor_count());
    return code;
}

/* ----- the watcher ----------------------------------------------------- */

alox_behave void on_down(struct watcher *self, uint64_t target_id, alox_down_reason reason) {
    int64_t i = 0;
    while (i < id_count && ids[i] != target_id)
        i++;
    if (i == id_count)
        self->unknown++;
    else if (told[i]++)
        self->twice++;
    if (reason == ALOX_DOWN_STOPPED || reason == ALOX_DOWN_NODE_LOST)
        self->by_reason[reason]++;
    self->last_ms = wall_ms();
    if (++self->downs == self->want)
        alox_exit(0);
}

alox_behave void monitors_are(struct watcher *self, int64_t n) {
    self->server_monitors = n;
    alox_exit(0);
}

alox_behave void retire(struct watcher *self) { alox_stop(self); }

alox_behave void give_up(struct watcher *self) {
    (void)self;
    alox_exit(1);
}

/* Runs until the watcher has `want` more notices, or timeout_ms. */
static void wait_for(struct watcher *w, int64_t want, uint64_t timeout_ms) {
    w->want = w->downs + want;
    alox_timer t = alox_after(timeout_ms, give_up(w)); /* want 0: only this ends the run */
    alox_run();
    alox_cancel(t);
}

static void forget(struct watcher *w) {
    id_count = 0;
    memset(told, 0, sizeof told);
    memset(w->by_reason, 0, sizeof w->by_reason);
    w->unknown = w->twice = 0;
}

static struct target *spawn_target(void) {
    struct target *t = alox_new_on("server", struct target);
    if (!t || id_count == MAX_TARGETS) {
        printf("FAIL: could not spawn a target on the server\n");
        exit(1);
    }
    ids[id_count++] = alox_id(t);
    return t;
}

static int report(const char *phase, struct watcher *w, alox_down_reason reason, int64_t want) {
    int ok = w->by_reason[reason] == want && w->unknown == 0 && w->twice == 0 &&
             w->by_reason[reason == ALOX_DOWN_STOPPED ? ALOX_DOWN_NODE_LOST : ALOX_DOWN_STOPPED] == 0;
    printf("%s %s: %lld of %lld told %s, %lld twice, %lld unknown\n", ok ? "ok:" : "FAIL:", phase,
           (long long)w->by_reason[reason], (long long)want,
           reason == ALOX_DOWN_STOPPED ? "STOPPED" : "NODE_LOST", (long long)w->twice,
           (long long)w->unknown);
    return ok ? 0 : 1;
}

static uint64_t peer_timeout_ms(void) {
    const char *v = getenv("ALOX_PEER_TIMEOUT_MS");
    return v && atol(v) > 0 ? (uint64_t)atol(v) : 1000;
}

static void wait_line(const char *what) {
    printf("waiting: %s\n", what);
    char line[16];
    if (!fgets(line, sizeof line, stdin))
        exit(1);
}

/* Asks the server for its monitor records until there are `want` (the
 * registrations and cancels run there in their own time), bounded. */
static int64_t server_monitors_reach(struct watcher *w, struct control *c, int64_t want) {
    for (int i = 0; i < 200 && w->server_monitors != want; i++) {
        alox_timer t = alox_after(10000, give_up(w));
        count_monitors(c, w);
        alox_run();
        alox_cancel(t);
        if (w->server_monitors != want)
            usleep(50 * 1000);
    }
    return w->server_monitors;
}

static int client(int64_t n, int64_t m) {
    if (n < 1 || m < 1 || n > MAX_TARGETS / 4 || m > MAX_TARGETS / 2) {
        printf("FAIL: client N M: 1 <= N <= %d, 1 <= M <= %d\n", MAX_TARGETS / 4, MAX_TARGETS / 2);
        return 2;
    }
    uint64_t limit = 10 * peer_timeout_ms() + 20000;
    struct watcher *w = alox_new(struct watcher);
    struct control *c = alox_lookup(struct control, "server", "control", LOOKUP_TIMEOUT_MS);
    if (!c) {
        printf("FAIL: no control actor on the server\n");
        return 1;
    }
    struct target **ts = calloc((size_t)(n > m ? n : m), sizeof *ts);
    int failed = 0;

    /* Remote targets stop: each watcher's monitor is told once. */
    for (int64_t i = 0; i < n; i++) {
        ts[i] = spawn_target();
        alox_monitor(w, ts[i], on_down);
    }
    for (int64_t i = 0; i < n; i++)
        halt(ts[i]);
    wait_for(w, n, limit);
    failed |= report("stopped", w, ALOX_DOWN_STOPPED, n);

    /* The same targets, monitored after their death: told at once. */
    memset(told, 0, sizeof told);
    memset(w->by_reason, 0, sizeof w->by_reason);
    for (int64_t i = 0; i < n; i++)
        alox_monitor(w, ts[i], on_down);
    wait_for(w, n, limit);
    failed |= report("after death", w, ALOX_DOWN_STOPPED, n);

    /* Demonitored, then stopped: nothing arrives (the owner still sends
     * its notices; they find nothing here). A last monitored target
     * stopped after them tells when theirs would have come. */
    forget(w);
    for (int64_t i = 0; i < n; i++) {
        ts[i] = spawn_target();
        alox_demonitor(alox_monitor(w, ts[i], on_down));
        halt(ts[i]);
    }
    struct target *last = spawn_target();
    alox_monitor(w, last, on_down);
    halt(last);
    wait_for(w, 1, limit);
    usleep(200 * 1000);
    wait_for(w, 0, 300);
    failed |= report("demonitor", w, ALOX_DOWN_STOPPED, 1);

    /* Demonitored while the targets live: the server lets its records go. */
    forget(w);
    alox_monitor_ref *refs = calloc((size_t)n, sizeof *refs);
    for (int64_t i = 0; i < n; i++) {
        ts[i] = spawn_target();
        refs[i] = alox_monitor(w, ts[i], on_down);
    }
    int64_t held = server_monitors_reach(w, c, n);
    for (int64_t i = 0; i < n; i++)
        alox_demonitor(refs[i]);
    int64_t left = server_monitors_reach(w, c, 0);
    for (int64_t i = 0; i < n; i++)
        halt(ts[i]);
    wait_for(w, 0, 300);
    int ok = held == n && left == 0 && w->downs == w->want;
    printf("%s remote demonitor: the server held %lld records, then %lld\n", ok ? "ok:" : "FAIL:",
           (long long)held, (long long)left);
    failed |= !ok;
    free(refs);

    /* A watcher that stops: the server lets its records go too. */
    forget(w);
    struct watcher *brief = alox_new(struct watcher);
    for (int64_t i = 0; i < n; i++) {
        ts[i] = spawn_target();
        alox_monitor(brief, ts[i], on_down);
    }
    held = server_monitors_reach(w, c, n);
    retire(brief);
    left = server_monitors_reach(w, c, 0);
    for (int64_t i = 0; i < n; i++)
        halt(ts[i]);
    ok = held == n && left == 0;
    printf("%s stopped watcher: the server held %lld records, then %lld\n", ok ? "ok:" : "FAIL:",
           (long long)held, (long long)left);
    failed |= !ok;

    /* kill -9 of the server: every monitor is told NODE_LOST. */
    forget(w);
    for (int64_t i = 0; i < m; i++) {
        ts[i] = spawn_target();
        alox_monitor(w, ts[i], on_down);
    }
    wait_for(w, 0, 500); /* the spawns and registrations have gone out */
    printf("monitoring %lld\n", (long long)m);
    wait_for(w, m, limit);
    failed |= report("node lost", w, ALOX_DOWN_NODE_LOST, m);
    printf("last down at %lld\n", (long long)w->last_ms);

    /* The server restarted: its old actors are down, told at once. */
    wait_line("the new server");
    forget(w);
    ids[id_count++] = alox_id(ts[0]);
    alox_monitor(w, ts[0], on_down);
    wait_for(w, 1, limit);
    failed |= report("old incarnation", w, ALOX_DOWN_NODE_LOST, 1);

    /* A restart faster than the peer timeout: the new incarnation ends
     * the old session, and its actors are down. */
    forget(w);
    for (int64_t i = 0; i < n; i++) {
        ts[i] = spawn_target();
        alox_monitor(w, ts[i], on_down);
    }
    wait_for(w, 0, 500);
    wait_line("a quick restart");
    printf("restarted\n");
    wait_for(w, n, limit);
    failed |= report("restarted", w, ALOX_DOWN_NODE_LOST, n);

    /* And the new incarnation's actors work as before. */
    forget(w);
    struct target *fresh = spawn_target();
    alox_monitor(w, fresh, on_down);
    halt(fresh);
    wait_for(w, 1, limit);
    failed |= report("new incarnation", w, ALOX_DOWN_STOPPED, 1);
    printf("client: monitors left %llu\n", (unsigned long long)monitor_count());
    failed |= monitor_count() != 0;
    free(ts);
    return failed;
}

/* Monitors live targets of the server, then dies without a word: the
 * server must free what it kept for this watcher once it is lost. */
static int watch_and_die(void) {
    struct watcher *w = alox_new(struct watcher);
    for (int i = 0; i < 10; i++)
        alox_monitor(w, alox_new_on("server", struct target), on_down);
    wait_for(w, 0, 500);
    printf("watching\n");
    _exit(0);
}

static int role_quit(void) {
    struct control *c = alox_lookup(struct control, "server", "control", LOOKUP_TIMEOUT_MS);
    if (!c)
        return 1;
    quit(c, 0);
    alox_run();
    return 0;
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *role = argc > 1 ? argv[1] : "";
    if (!strcmp(role, "server"))
        return server();
    if (!strcmp(role, "client"))
        return client(argc > 2 ? atol(argv[2]) : 100, argc > 3 ? atol(argv[3]) : 1000);
    if (!strcmp(role, "watch-and-die"))
        return watch_and_die();
    if (!strcmp(role, "quit"))
        return role_quit();
    fprintf(stderr, "usage: monitor_nodes [--alox-* flags] server|client N M|watch-and-die|quit\n");
    return 2;
}
