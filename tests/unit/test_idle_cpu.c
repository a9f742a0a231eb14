/* Invariant (i): an idle runtime uses no CPU. alox_run is kept running
 * (a hold is outstanding) with nothing to do; the process's CPU time over
 * one second must stay near zero. */
#include "test_util.h"

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

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_idle_runtime_uses_no_cpu)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
