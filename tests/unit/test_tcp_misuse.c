/* test_tcp_misuse.c - the TCP layer against a program that misuses it.
 *
 * alox_tcp_open on an alox_tcp that is already open is refused; it must
 * not close the descriptor it was given when that descriptor is the open
 * connection's own socket (the connection would die behind the layer's
 * back, and the number, reused by the next accept, would be written to
 * and closed by the old session: another client's connection). */
#include "test_util.h"

#include <errno.h>
#include <poll.h>

#include "alox/tcp.h"
#include "tcp_clients.h"

#define WAIT_S 20 /* any condition the test waits for */

struct server {
    int32_t listen_fd;
};
struct echoer {
    alox_tcp tcp;
};
HANDMADE_ACTOR(server)
HANDMADE_ACTOR(echoer)
typedef struct {
    int32_t fd;
    uint32_t events;
} data_args;
typedef struct {
    int32_t fd;
} fd_args;
HANDMADE_BEHAVIOUR(echoer, echo_data, data_args, "(i32,u32)")
HANDMADE_BEHAVIOUR(echoer, echo_start, fd_args, "(i32)")
HANDMADE_BEHAVIOUR(server, on_accept, fd_args, "(i32)")
HANDMADE_BEHAVIOUR(server, shut, fd_args, "(i32)")

static _Atomic int reopen_result = 1, reopen_errno, stopped;

static void echo_data(struct echoer *self, const data_args *a) {
    size_t len;
    const char *in = alox_tcp_input(&self->tcp, &len);
    if (len && alox_tcp_write(&self->tcp, in, len) == 0)
        alox_tcp_consume(&self->tcp, len);
    if (a->events & (ALOX_TCP_EOF | ALOX_TCP_RESET)) {
        alox_tcp_close(&self->tcp);
        atomic_fetch_add(&stopped, 1);
        alox_stop(self);
    }
}

static void echo_start(struct echoer *self, const fd_args *a) {
    assert_int_equal(alox_tcp_open_desc(&self->tcp, self, a->fd, &echo_data_desc), 0);
    /* The misuse: open it again, with its own socket. */
    int again = alox_tcp_open_desc(&self->tcp, self, a->fd, &echo_data_desc);
    atomic_store(&reopen_errno, errno);
    atomic_store(&reopen_result, again);
}

static void on_accept(struct server *self, const fd_args *a) {
    (void)self;
    send_echo_start(new_echoer(), *a);
}

static void shut(struct server *self, const fd_args *a) {
    (void)a;
    alox_tcp_unlisten(self->listen_fd);
}

static void *run_thread(void *unused) {
    (void)unused;
    return (void *)(intptr_t)alox_run();
}

static void test_reopen_with_own_fd_keeps_the_connection(void **state) {
    (void)state;
    struct server *server = new_server();
    server->listen_fd = alox_tcp_listen_desc(server, "127.0.0.1", 0, &on_accept_desc);
    assert_true(server->listen_fd >= 0);
    uint16_t port = alox_tcp_port(server->listen_fd);
    pthread_t runner;
    pthread_create(&runner, NULL, run_thread, NULL);

    int fd = client_connect(port);
    assert_true(fd >= 0);
    double deadline = test_now_s() + WAIT_S;
    while (atomic_load(&reopen_result) == 1 && test_now_s() < deadline)
        usleep(1000);
    assert_int_equal(atomic_load(&reopen_result), -1); /* refused */
    assert_int_equal(atomic_load(&reopen_errno), EINVAL);

    /* The first open still serves the connection. */
    assert_int_equal(send(fd, "still here", 10, 0), 10);
    char buf[16] = {0};
    size_t got = 0;
    struct pollfd p = {fd, POLLIN, 0};
    while (got < 10 && poll(&p, 1, WAIT_S * 1000) == 1) {
        ssize_t n = recv(fd, buf + got, sizeof buf - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    assert_int_equal(got, 10);
    assert_string_equal(buf, "still here");

    close(fd);
    deadline = test_now_s() + WAIT_S;
    while (atomic_load(&stopped) < 1 && test_now_s() < deadline)
        usleep(1000);
    assert_int_equal(atomic_load(&stopped), 1);
    send_shut(server, (fd_args){0});
    void *rc;
    pthread_join(runner, &rc);
    assert_int_equal((intptr_t)rc, 0);
    assert_int_equal(alox_tcp_connections(), 0);
}

int main(void) {
    setenv("ALOX_TOP", "0", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reopen_with_own_fd_keeps_the_connection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
