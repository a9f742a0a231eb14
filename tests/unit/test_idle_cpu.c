/* Invariant (i): an idle runtime uses no CPU. alox_run is kept running
 * (a hold is outstanding) with nothing to do; the process's CPU time over
 * one second must stay near zero. */
#include "test_util.h"

#include "handmade.h"

/* Sanitizer runtimes have background threads of their own. */
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define IDLE_CPU_LIMIT_S 0.10
#else
#define IDLE_CPU_LIMIT_S 0.02
#endif

static double process_cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static _Atomic int run_result = -1;

static void *runner(void *arg) {
    (void)arg;
    atomic_store(&run_result, alox_run());
    return NULL;
}

static void test_idle_runtime_uses_no_cpu(void **state) {
    (void)state;
    char *argv[] = {"test", "--alox-threads=4", NULL};
    int argc = 2;
    alox_init(&argc, argv);
    alox_hold();
    pthread_t t;
    pthread_create(&t, NULL, runner, NULL);
    usleep(200 * 1000); /* let the workers start and park */
    double cpu0 = process_cpu_s(), wall0 = test_now_s();
    sleep(1);
    double cpu = process_cpu_s() - cpu0, wall = test_now_s() - wall0;
    print_message("idle: %.4f s CPU over %.2f s\n", cpu, wall);
    assert_true(cpu < IDLE_CPU_LIMIT_S);
    assert_int_equal(atomic_load(&run_result), -1); /* still running */
    alox_release();
    pthread_join(t, NULL);
    assert_int_equal(atomic_load(&run_result), 0);
}

/* With lingering on (ALOX_LINGER_US, worker.c) a worker spins after each
 * firing, once: TICKS firings of a 20 ms timer may cost TICKS windows of
 * LINGER_US, not the time between them. A linger that spun until work
 * came would use ~1 s of CPU here. */
#define TICKS 50
#define LINGER_US "1000"
#define LINGER_CPU_LIMIT_S (IDLE_CPU_LIMIT_S + TICKS * 1e-3 * 2) /* twice the windows */

struct ticker {
    int left;
};
HANDMADE_ACTOR(ticker)
typedef struct {
    int32_t unused;
} tick_args;
HANDMADE_BEHAVIOUR(ticker, tick, tick_args, "(i32)")
static void tick(struct ticker *self, const tick_args *a) {
    if (--self->left > 0)
        alox_send_after(20, self, &tick_desc, a);
}

static void test_lingering_is_bounded_per_firing(void **state) {
    (void)state;
    setenv("ALOX_LINGER_US", LINGER_US, 1);
    struct ticker *t = new_ticker();
    t->left = TICKS;
    alox_send_after(20, t, &tick_desc, &(tick_args){0});
    double cpu0 = process_cpu_s(), wall0 = test_now_s();
    assert_int_equal(alox_run(), 0);
    double cpu = process_cpu_s() - cpu0, wall = test_now_s() - wall0;
    unsetenv("ALOX_LINGER_US");
    print_message("lingering %s us: %.4f s CPU over %.2f s, %d firings\n", LINGER_US, cpu, wall, TICKS);
    assert_int_equal(t->left, 0);
    assert_true(cpu < LINGER_CPU_LIMIT_S);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_idle_runtime_uses_no_cpu),
                                       cmocka_unit_test(test_lingering_is_bounded_per_firing)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
