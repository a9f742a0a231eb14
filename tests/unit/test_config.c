/* alox_init: the worker thread flag and variable, and clear errors for bad
 * values. The distribution flags are tested in test_config_dist.c. */
#include "test_util.h"

#include <sys/stat.h>

#include "core/actor.h"
#include "init/config.h"
#include "init/init.h"
#include "security/keys.h"

static void test_flag_is_read_and_removed(void **state) {
    (void)state;
    char *argv[] = {"prog", "a", "--alox-threads", "3", "b", "--alox-threads=5", "c", NULL};
    int argc = 7;
    config cfg;
    char err[256];
    unsetenv("ALOX_THREADS");
    assert_true(config_parse(&argc, argv, &cfg, err, sizeof err));
    assert_int_equal(cfg.threads, 5); /* the last one wins */
    assert_int_equal(argc, 4);
    assert_string_equal(argv[1], "a");
    assert_string_equal(argv[2], "b");
    assert_string_equal(argv[3], "c");
    assert_null(argv[4]);
}

static void test_flag_wins_over_variable(void **state) {
    (void)state;
    char *argv[] = {"prog", "--alox-threads=2", NULL};
    int argc = 2;
    config cfg;
    char err[256];
    setenv("ALOX_THREADS", "7", 1);
    assert_true(config_parse(&argc, argv, &cfg, err, sizeof err));
    assert_int_equal(cfg.threads, 2);
    argc = 1;
    assert_true(config_parse(&argc, argv, &cfg, err, sizeof err));
    assert_int_equal(cfg.threads, 7);
    unsetenv("ALOX_THREADS");
}

static void expect_error(const char *env, char **argv, int argc, const char *needle) {
    config cfg;
    char err[256];
    if (env)
        setenv("ALOX_THREADS", env, 1);
    else
        unsetenv("ALOX_THREADS");
    assert_false(config_parse(&argc, argv, &cfg, err, sizeof err));
    if (!strstr(err, needle))
        fail_msg("error '%s' does not mention '%s'", err, needle);
    unsetenv("ALOX_THREADS");
}

static void test_bad_values(void **state) {
    (void)state;
    char *none[] = {"prog", NULL};
    expect_error("abc", none, 1, "ALOX_THREADS=abc");
    expect_error("0", none, 1, "ALOX_THREADS=0");
    expect_error("-3", none, 1, "ALOX_THREADS=-3");
    expect_error("4x", none, 1, "ALOX_THREADS=4x");
    expect_error("", none, 1, "ALOX_THREADS=");
    expect_error("99999", none, 1, "from 1 to 1024");
    char *flag[] = {"prog", "--alox-threads=zero", NULL};
    expect_error(NULL, flag, 2, "--alox-threads=zero");
    char *missing[] = {"prog", "--alox-threads", NULL};
    expect_error(NULL, missing, 2, "--alox-threads needs a value");
    char *unknown[] = {"prog", "--alox-thread=2", NULL};
    expect_error(NULL, unknown, 2, "unknown flag --alox-thread=2");
}

static void init_with_bad_threads(void *arg) {
    (void)arg;
    setenv("ALOX_THREADS", "abc", 1);
    alox_init(NULL, NULL);
    _exit(0); /* not reached: alox_init must exit(2) */
}

static void test_alox_init_exits_2_naming_the_variable(void **state) {
    (void)state;
    char out[1024];
    int status = test_run_child(init_with_bad_threads, NULL, out, sizeof out);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 2);
    assert_non_null(strstr(out, "alox: ALOX_THREADS=abc is not a number of worker threads"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flag_is_read_and_removed),
        cmocka_unit_test(test_flag_wins_over_variable),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_alox_init_exits_2_naming_the_variable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
