/* test_no_network.c - a program that never turns distribution on starts no
 * network thread and opens no network socket (docs/ARCHITECTURE.md,
 * "Layers"): the core runs alone until the network layer installs its
 * hooks. What it may have is the observer of `alox top` (observe/observe.h):
 * one thread and one Unix socket, and with ALOX_TOP=0 not even those. */
#include "test_util.h"

#include <dirent.h>
#include <sys/socket.h>

#define WORKERS 2

/* ThreadSanitizer runs a background thread of its own (started with the
 * first pthread_create): it is in /proc/self/task but is not Alox's. */
#if defined(__SANITIZE_THREAD__)
#define SANITIZER_THREADS 1
#else
#define SANITIZER_THREADS 0
#endif

struct probe {
    int64_t runs;
};
HANDMADE_ACTOR(probe)
typedef struct {
    int32_t threads; /* how many the program should have */
} look_args;
HANDMADE_BEHAVIOUR(probe, look, look_args, "(i32)")

static int threads_seen, sockets_seen, inet_sockets_seen;

static int count_entries(const char *dir, const char *link_prefix) {
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        if (!link_prefix) {
            n++;
            continue;
        }
        char path[512], target[256];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        ssize_t len = readlink(path, target, sizeof target - 1);
        if (len > 0) {
            target[len] = '\0';
            n += strncmp(target, link_prefix, strlen(link_prefix)) == 0;
        }
        if (len > 0 && strncmp(target, "socket:", 7) == 0) {
            int domain = 0;
            socklen_t size = sizeof domain;
            if (getsockopt(atoi(e->d_name), SOL_SOCKET, SO_DOMAIN, &domain, &size) == 0 &&
                (domain == AF_INET || domain == AF_INET6))
                inet_sockets_seen++;
        }
    }
    closedir(d);
    return n;
}

/* Runs on a worker, while alox_run is running. The other workers may
 * still be starting (a loaded machine), so it waits, up to LOOK_WAIT_MS,
 * until a->threads exist, then looks once more after a pause: a thread
 * that should not be there has had its chance to appear. */
#define LOOK_WAIT_MS 5000
static void look(struct probe *self, const look_args *a) {
    self->runs++;
    for (int ms = 0; ms < LOOK_WAIT_MS && count_entries("/proc/self/task", NULL) < a->threads; ms++)
        usleep(1000);
    usleep(50000);
    inet_sockets_seen = 0;
    threads_seen = count_entries("/proc/self/task", NULL);
    sockets_seen = count_entries("/proc/self/fd", "socket:");
}

/* Runs one behaviour and checks that the program had `observers`
 * observer threads and Unix sockets besides main and the workers, and no
 * network socket. In-process (a fork would meet the sanitizers' threads),
 * so the case without the observer runs first. */
static void run_local_program(int observers) {
    unsetenv("ALOX_NODE");
    alox_init(NULL, NULL);
    assert_int_equal(alox_set_threads(WORKERS), 0);
    int sockets_before = count_entries("/proc/self/fd", "socket:");
    struct probe *p = new_probe();
    send_look(p, (look_args){1 + WORKERS + observers + SANITIZER_THREADS});
    assert_int_equal(alox_run(), 0);
    assert_int_equal(p->runs, 1);
    print_message("threads %d, sockets %d more, network sockets %d\n", threads_seen,
                  sockets_seen - sockets_before, inet_sockets_seen);
    /* main + the workers (+ the observer): no mailman, no ZeroMQ I/O thread. */
    assert_int_equal(threads_seen, 1 + WORKERS + observers + SANITIZER_THREADS);
    assert_int_equal(sockets_seen, sockets_before + observers);
    assert_int_equal(inet_sockets_seen, 0);
}

static void test_top_off_starts_nothing(void **state) {
    (void)state;
    setenv("ALOX_TOP", "0", 1);
    run_local_program(0);
}

static void test_local_program_has_no_network(void **state) {
    (void)state;
    unsetenv("ALOX_TOP");
    run_local_program(1); /* the observer of alox top: a thread and a Unix socket */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_top_off_starts_nothing), /* first: see run_local_program */
        cmocka_unit_test(test_local_program_has_no_network),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
