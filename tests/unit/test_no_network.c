/* test_no_network.c - a program that never turns distribution on starts no
 * network thread and opens no socket (docs/ARCHITECTURE.md, "Layers"): the
 * core runs alone until the network layer installs its hooks. */
#include "test_util.h"

#include <dirent.h>

#define WORKERS 2

struct probe {
    int64_t runs;
};
HANDMADE_ACTOR(probe)
typedef struct {
    int32_t unused;
} look_args;
HANDMADE_BEHAVIOUR(probe, look, look_args, "(i32)")

static int threads_seen, sockets_seen;

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
    }
    closedir(d);
    return n;
}

/* Runs on a worker, while alox_run is running: every thread of the
 * program exists by now. */
static void look(struct probe *self, const look_args *a) {
    (void)a;
    self->runs++;
    threads_seen = count_entries("/proc/self/task", NULL);
    sockets_seen = count_entries("/proc/self/fd", "socket:");
}

static void test_local_program_has_no_network(void **state) {
    (void)state;
    unsetenv("ALOX_NODE");
    alox_init(NULL, NULL);
    assert_int_equal(alox_set_threads(WORKERS), 0);
    int sockets_before = count_entries("/proc/self/fd", "socket:");
    struct probe *p = new_probe();
    send_look(p, (look_args){0});
    assert_int_equal(alox_run(), 0);
    assert_int_equal(p->runs, 1);
    /* main + the workers: no mailman, no ZeroMQ I/O thread. */
    assert_int_equal(threads_seen, 1 + WORKERS);
    assert_int_equal(sockets_seen, sockets_before);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_local_program_has_no_network),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
