/* test_util.h - shared by the runtime's cmocka tests. */
#ifndef ALOX_TEST_UTIL_H
#define ALOX_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the four above first. */
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "handmade.h"

/* Sanitizers make every atomic operation tens of times slower; the heavy
 * tests keep their shape but shrink by this factor under them. */
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define TEST_SCALE_DOWN 4
#else
#define TEST_SCALE_DOWN 1
#endif

static inline double test_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs fn in a child process with stderr captured into out (NUL-ended).
 * Returns the child's wait status. For testing exits and aborts. */
static inline int test_run_child(void (*fn)(void *), void *arg, char *out, size_t out_size) {
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 2);
        fn(arg);
        _exit(0);
    }
    close(fds[1]);
    size_t used = 0;
    ssize_t got;
    while (used + 1 < out_size && (got = read(fds[0], out + used, out_size - used - 1)) > 0)
        used += (size_t)got;
    out[used] = '\0';
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

#endif
