/* test_watch.c - alox_watch_fd_desc / alox_unwatch_fd (core/watch.h): one
 * on_ready per watch, with the events; a watched descriptor keeps alox_run
 * going until unwatched; nothing arrives after alox_unwatch_fd, even what
 * was already queued; a stopped actor's descriptors are unwatched; misuse
 * is refused with errno. */
#include "test_util.h"

#include <errno.h>
#include <fcntl.h>

#include "core/watch.h"

struct reader {
    int32_t readies;
    uint32_t last_events;
    int32_t rewatch; /* watch again this many times */
    int32_t fd;
};
HANDMADE_ACTOR(reader)
typedef struct {
    int32_t fd;
    uint32_t events;
} ready_args;
HANDMADE_BEHAVIOUR(reader, on_ready, ready_args, "(i32,u32)")
static void on_ready(struct reader *self, const ready_args *a) {
    self->readies++;
    self->last_events = a->events;
    assert_int_equal(a->fd, self->fd);
    if (self->rewatch-- > 0)
        assert_int_equal(alox_watch_fd_desc(self, a->fd, ALOX_READ, &on_ready_desc), 0);
    else
        alox_unwatch_fd(a->fd);
}

typedef struct {
    int32_t fd;
    int32_t unused;
} start_args;
HANDMADE_BEHAVIOUR(reader, start, start_args, "(i32,i32)")
static void start(struct reader *self, const start_args *a) {
    self->fd = a->fd;
    assert_int_equal(alox_watch_fd_desc(self, a->fd, ALOX_READ, &on_ready_desc), 0);
}

static void *write_later(void *fdp) {
    usleep(100 * 1000);
    assert_int_equal(write(*(int *)fdp, "x", 1), 1);
    return NULL;
}

/* alox_run waits for the byte written 100 ms later: the watch holds it. */
static void test_ready_once_and_holds_run(void **state) {
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct reader *r = new_reader();
    send_start(r, (start_args){p[0], 0});
    pthread_t t;
    pthread_create(&t, NULL, write_later, &p[1]);
    double t0 = test_now_s();
    assert_int_equal(alox_run(), 0);
    assert_true(test_now_s() - t0 >= 0.09);
    pthread_join(t, NULL);
    assert_int_equal(r->readies, 1);
    assert_int_equal(r->last_events, ALOX_READ);
    assert_int_equal(watch_count(), 0);
    close(p[0]);
    close(p[1]);
}

/* Level, one-shot: the unread byte makes each new watch fire again, and
 * without a new watch nothing more comes. */
static void test_watch_again_fires_again(void **state) {
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    struct reader *r = new_reader();
    r->rewatch = 4;
    send_start(r, (start_args){p[0], 0});
    assert_int_equal(alox_run(), 0);
    assert_int_equal(r->readies, 5);
    close(p[0]);
    close(p[1]);
}

/* A ready message already queued is dropped by alox_unwatch_fd. */
typedef struct {
    int32_t fd;
    int32_t unused;
} race_args;
HANDMADE_BEHAVIOUR(reader, watch_then_unwatch, race_args, "(i32,i32)")
static void watch_then_unwatch(struct reader *self, const race_args *a) {
    self->fd = a->fd;
    assert_int_equal(alox_watch_fd_desc(self, a->fd, ALOX_READ, &on_ready_desc), 0);
    usleep(50 * 1000); /* the I/O thread queues on_ready meanwhile */
    alox_unwatch_fd(a->fd);
}

static void test_unwatch_drops_queued_ready(void **state) {
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    struct reader *r = new_reader();
    send_watch_then_unwatch(r, (race_args){p[0], 0});
    assert_int_equal(alox_run(), 0);
    assert_int_equal(r->readies, 0);
    close(p[0]);
    close(p[1]);
}

/* An actor that stops with a watch: unwatched, alox_run returns. */
HANDMADE_BEHAVIOUR(reader, watch_and_stop, race_args, "(i32,i32)")
static void watch_and_stop(struct reader *self, const race_args *a) {
    assert_int_equal(alox_watch_fd_desc(self, a->fd, ALOX_READ, &on_ready_desc), 0);
    alox_stop(self);
}

static void test_stopped_actor_unwatched(void **state) {
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct reader *r = new_reader();
    send_watch_and_stop(r, (race_args){p[0], 0});
    assert_int_equal(alox_run(), 0);
    assert_int_equal(watch_count(), 0);
    assert_int_equal(write(p[1], "x", 1), 1);
    usleep(20 * 1000);
    assert_int_equal(alox_run(), 0);
    assert_int_equal(r->readies, 0);
    close(p[0]);
    close(p[1]);
}

/* Misuse: refused with errno, nothing watched. */
struct other {
    int32_t unused;
};
HANDMADE_ACTOR(other)
HANDMADE_BEHAVIOUR(other, other_ready, ready_args, "(i32,u32)")
static void other_ready(struct other *self, const ready_args *a) {
    (void)self;
    (void)a;
}

static void test_misuse_refused(void **state) {
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct reader *r = new_reader();
    struct other *o = new_other();
    errno = 0;
    assert_int_equal(alox_watch_fd_desc(r, p[0], 0, &on_ready_desc), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(alox_watch_fd_desc(r, p[0], 8, &on_ready_desc), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(alox_watch_fd_desc(r, p[0], ALOX_READ, &other_ready_desc), -1);
    assert_int_equal(errno, EINVAL);
    assert_int_equal(alox_watch_fd_desc(NULL, p[0], ALOX_READ, &on_ready_desc), -1);
    assert_int_equal(alox_watch_fd_desc(r, -1, ALOX_READ, &on_ready_desc), -1);
    assert_int_equal(errno, EBADF);
    int file = open("/proc/self/stat", O_RDONLY); /* regular files cannot be polled */
    assert_int_equal(alox_watch_fd_desc(r, file, ALOX_READ, &on_ready_desc), -1);
    assert_int_equal(errno, EPERM);
    close(file);
    assert_int_equal(watch_count(), 0);
    assert_int_equal(alox_watch_fd_desc(r, p[0], ALOX_READ, &on_ready_desc), 0);
    assert_int_equal(alox_watch_fd_desc(o, p[0], ALOX_READ, &other_ready_desc), -1);
    assert_int_equal(errno, EBUSY);
    alox_unwatch_fd(p[0]);
    alox_unwatch_fd(p[0]); /* twice: nothing */
    assert_int_equal(watch_count(), 0);
    assert_int_equal(alox_run(), 0);
    close(p[0]);
    close(p[1]);
}

/* A descriptor epoll cannot watch (a regular file, a number not open) is
 * refused with a line that says so, like every other refusal. */
static void watch_unwatchable(void *unused) {
    (void)unused;
    struct reader *r = new_reader();
    int file = open("/proc/self/stat", O_RDONLY);
    if (alox_watch_fd_desc(r, file, ALOX_READ, &on_ready_desc) != -1 || errno != EPERM)
        _exit(3);
    if (alox_watch_fd_desc(r, 999, ALOX_READ, &on_ready_desc) != -1 || errno != EBADF)
        _exit(4);
    if (watch_count() != 0)
        _exit(5);
}

static void test_unwatchable_says_why(void **state) {
    (void)state;
    char out[2048];
    assert_int_equal(test_run_child(watch_unwatchable, NULL, out, sizeof out), 0);
    assert_non_null(strstr(out, "alox_watch_fd(fd 999, reader.on_ready) refused: not an open descriptor"));
    assert_non_null(strstr(out, "refused: a regular file or directory is always ready"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ready_once_and_holds_run),
        cmocka_unit_test(test_watch_again_fires_again),
        cmocka_unit_test(test_unwatch_drops_queued_ready),
        cmocka_unit_test(test_stopped_actor_unwatched),
        cmocka_unit_test(test_misuse_refused),
        cmocka_unit_test(test_unwatchable_says_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
