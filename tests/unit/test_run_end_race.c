/* test_run_end_race.c - the end of alox_run races with late releases: a
 * thread that releases a hold (as the mailman does when a peer's last
 * acknowledgement arrives) may find the run quiescent while alox_run is
 * already joining its workers. The release must then not touch the
 * workers being destroyed (it used to signal their condition variables
 * after they were freed: caught by ASan and TSan here). */
#include "test_util.h"

#define RUNS (2000 / TEST_SCALE_DOWN)

struct idler {
    int64_t n;
};
HANDMADE_ACTOR(idler)
typedef struct {
    int32_t unused;
} poke_args;
HANDMADE_BEHAVIOUR(idler, poke, poke_args, "(i32)")
static void poke(struct idler *self, const poke_args *a) {
    (void)a;
    self->n++;
}

static atomic_bool done;

/* Holds and releases as fast as it can: every release may end a run. */
static void *hammer(void *arg) {
    (void)arg;
    while (!atomic_load(&done)) {
        alox_hold();
        alox_release();
    }
    return NULL;
}

static void test_late_release_at_the_end_of_a_run(void **state) {
    (void)state;
    alox_init(NULL, NULL);
    assert_int_equal(alox_set_threads(2), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, hammer, NULL), 0);
    struct idler *a = new_idler();
    for (int i = 0; i < RUNS; i++) {
        send_poke(a, (poke_args){0});
        assert_int_equal(alox_run(), 0);
    }
    atomic_store(&done, true);
    pthread_join(t, NULL);
    assert_int_equal(a->n, RUNS);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_late_release_at_the_end_of_a_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
