/* test_tcp_peers.c - the TCP layer against bad peers: one that resets,
 * one that half-closes, one that sends a byte at a time, and one that
 * floods without reading. Each gets correct answers (or a clean close),
 * the memory of its connection stays bounded, and afterwards no
 * connection, session actor or descriptor is left. The server runs on a
 * background alox_run for the whole file; each test plays a client. */
#include "test_util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>

#include "alox/tcp.h"
#include "tcp_clients.h"

#define FLOOD_BYTES ((size_t)32u << 20) /* well over the kernel's buffers and the server's */
#define WAIT_S 20 /* any condition the tests wait for */

struct server {
    int32_t line_fd, echo_fd;
};
struct liner { /* answers each line with its length; at EOF "bye <leftover>" */
    alox_tcp tcp;
};
struct echoer {
    alox_tcp tcp;
};
HANDMADE_ACTOR(server)
HANDMADE_ACTOR(liner)
HANDMADE_ACTOR(echoer)
typedef struct {
    int32_t fd;
    uint32_t events;
} data_args;
typedef struct {
    int32_t fd;
} fd_args;
HANDMADE_BEHAVIOUR(liner, line_data, data_args, "(i32,u32)")
HANDMADE_BEHAVIOUR(liner, line_start, fd_args, "(i32)")
HANDMADE_BEHAVIOUR(echoer, echo_data, data_args, "(i32,u32)")
HANDMADE_BEHAVIOUR(echoer, echo_start, fd_args, "(i32)")
HANDMADE_BEHAVIOUR(echoer, echo_report, fd_args, "(i32)")
HANDMADE_BEHAVIOUR(server, accept_line, fd_args, "(i32)")
HANDMADE_BEHAVIOUR(server, accept_echo, fd_args, "(i32)")
HANDMADE_BEHAVIOUR(server, shut, fd_args, "(i32)")

static _Atomic int stopped, resets;
static _Atomic(struct echoer *) last_echoer;
static _Atomic size_t reported_in, reported_out;
static _Atomic int reports;

static void finish(void *self, alox_tcp *tcp, uint32_t events) {
    if (events & ALOX_TCP_RESET)
        atomic_fetch_add(&resets, 1);
    alox_tcp_close(tcp);
    atomic_fetch_add(&stopped, 1);
    alox_stop(self);
}

static void line_data(struct liner *self, const data_args *a) {
    size_t len;
    const char *in = alox_tcp_input(&self->tcp, &len);
    size_t used = 0;
    for (const char *nl; (nl = memchr(in + used, '\n', len - used));) {
        char reply[32];
        int n = snprintf(reply, sizeof reply, "%zu\n", (size_t)(nl - (in + used)));
        alox_tcp_write(&self->tcp, reply, (size_t)n);
        used = (size_t)(nl - in) + 1;
    }
    alox_tcp_consume(&self->tcp, used);
    if (a->events & ALOX_TCP_EOF) {
        char reply[32];
        int n = snprintf(reply, sizeof reply, "bye %zu\n", len - used);
        assert_int_equal(alox_tcp_write(&self->tcp, reply, (size_t)n), 0);
    }
    if (a->events & (ALOX_TCP_EOF | ALOX_TCP_RESET))
        finish(self, &self->tcp, a->events);
}

static void line_start(struct liner *self, const fd_args *a) {
    assert_int_equal(alox_tcp_open_desc(&self->tcp, self, a->fd, &line_data_desc), 0);
}

static void echo_data(struct echoer *self, const data_args *a) {
    size_t len;
    const char *in = alox_tcp_input(&self->tcp, &len);
    if (len && alox_tcp_write(&self->tcp, in, len) == 0)
        alox_tcp_consume(&self->tcp, len);
    if (a->events & (ALOX_TCP_EOF | ALOX_TCP_RESET))
        finish(self, &self->tcp, a->events);
}

static void echo_start(struct echoer *self, const fd_args *a) {
    assert_int_equal(alox_tcp_open_desc(&self->tcp, self, a->fd, &echo_data_desc), 0);
    atomic_store(&last_echoer, self);
}

static void echo_report(struct echoer *self, const fd_args *a) {
    (void)a;
    atomic_store(&reported_in, self->tcp.in_capacity);
    atomic_store(&reported_out, self->tcp.out_capacity);
    atomic_fetch_add(&reports, 1);
}

static void accept_line(struct server *self, const fd_args *a) {
    (void)self;
    send_line_start(new_liner(), *a);
}
static void accept_echo(struct server *self, const fd_args *a) {
    (void)self;
    send_echo_start(new_echoer(), *a);
}
static void shut(struct server *self, const fd_args *a) {
    (void)a;
    alox_tcp_unlisten(self->line_fd);
    alox_tcp_unlisten(self->echo_fd);
}

/* ----- the server, for the whole file ------------------------------- */

static struct server *the_server;
static uint16_t line_port, echo_port;
static pthread_t runner;
static int fds_before;

static void *run_thread(void *unused) {
    (void)unused;
    return (void *)(intptr_t)alox_run();
}

static int setup(void **state) {
    (void)state;
    raise_descriptor_limit();
    fds_before = open_descriptors();
    the_server = new_server();
    the_server->line_fd = alox_tcp_listen_desc(the_server, "127.0.0.1", 0, &accept_line_desc);
    the_server->echo_fd = alox_tcp_listen_desc(the_server, "::1", 0, &accept_echo_desc);
    if (the_server->echo_fd < 0) /* no IPv6 loopback here */
        the_server->echo_fd = alox_tcp_listen_desc(the_server, "localhost", 0, &accept_echo_desc);
    line_port = alox_tcp_port(the_server->line_fd);
    echo_port = alox_tcp_port(the_server->echo_fd);
    pthread_create(&runner, NULL, run_thread, NULL);
    return line_port && echo_port ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    send_shut(the_server, (fd_args){0});
    void *rc;
    struct timespec limit;
    clock_gettime(CLOCK_REALTIME, &limit);
    limit.tv_sec += WAIT_S;
    if (pthread_timedjoin_np(runner, &rc, &limit) != 0) { /* a connection was left open */
        fprintf(stderr, "teardown: alox_run did not return: %llu connections left\n",
                (unsigned long long)alox_tcp_connections());
        alox_exit(3);
        pthread_join(runner, &rc);
    }
    return (intptr_t)rc;
}

static void wait_for(_Atomic int *counter, int value) {
    double deadline = test_now_s() + WAIT_S;
    while (atomic_load(counter) < value && test_now_s() < deadline)
        usleep(1000);
    assert_true(atomic_load(counter) >= value);
}

/* Everything of the connections so far is gone: actors, sockets. */
static void assert_nothing_left(int stopped_expected) {
    wait_for(&stopped, stopped_expected);
    double deadline = test_now_s() + WAIT_S;
    while (alox_tcp_connections() != 0 && test_now_s() < deadline)
        usleep(1000);
    assert_int_equal(alox_tcp_connections(), 0);
    /* The two listeners and the I/O thread's epoll remain (no timer: no timerfd). */
    assert_int_equal(open_descriptors(), fds_before + 3);
}

static size_t read_all(int fd, char *buf, size_t size) {
    size_t got = 0;
    struct pollfd p = {fd, POLLIN, 0};
    while (got < size && poll(&p, 1, WAIT_S * 1000) == 1) {
        ssize_t n = recv(fd, buf + got, size - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

/* ----- the peers ------------------------------------------------------ */

static void test_reset_mid_line(void **state) {
    (void)state;
    int before = atomic_load(&stopped), resets_before = atomic_load(&resets);
    int fd = client_connect(line_port);
    assert_true(fd >= 0);
    assert_int_equal(send(fd, "a complete line\nand half a", 26, 0), 26);
    char buf[8];
    assert_int_equal(read_all(fd, buf, 3), 3); /* "15\n": the server has the half line */
    struct linger hard = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    close(fd); /* RST */
    assert_nothing_left(before + 1);
    assert_int_equal(atomic_load(&resets), resets_before + 1);
}

static void test_half_close_still_answered(void **state) {
    (void)state;
    int before = atomic_load(&stopped);
    int fd = client_connect(line_port);
    assert_int_equal(send(fd, "abc\nhello\nde", 12, 0), 12);
    shutdown(fd, SHUT_WR);
    char buf[64] = {0};
    size_t n = read_all(fd, buf, sizeof buf - 1);
    assert_string_equal(buf, "3\n5\nbye 2\n");
    assert_int_equal(n, 10);
    close(fd);
    assert_nothing_left(before + 1);
}

static void test_one_byte_at_a_time(void **state) {
    (void)state;
    int before = atomic_load(&stopped);
    int fd = client_connect(line_port);
    const char *line = "hello, world\n";
    enum { LINES = 20 };
    for (int i = 0; i < LINES; i++)
        for (const char *p = line; *p; p++) {
            assert_int_equal(send(fd, p, 1, 0), 1);
            if (i < 2)
                usleep(200); /* separate segments, surely */
        }
    char buf[3 * LINES + 1] = {0};
    assert_int_equal(read_all(fd, buf, 3 * LINES), 3 * LINES);
    for (int i = 0; i < LINES; i++)
        assert_memory_equal(buf + 3 * i, "12\n", 3);
    close(fd);
    assert_nothing_left(before + 1);
}

static unsigned char flood_byte(size_t i) { return (unsigned char)(i * 7 + i / 4096); }

/* Sends without reading until the server stops reading too: what the
 * server holds for the connection stays bounded; then every byte comes
 * back. */
static void test_flood_without_reading(void **state) {
    (void)state;
    int before = atomic_load(&stopped);
    struct sockaddr_storage addr;
    socklen_t addr_len = sizeof addr;
    getsockname(the_server->echo_fd, (struct sockaddr *)&addr, &addr_len);
    int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, addr_len), 0);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    unsigned char *chunk = malloc(65536), *back = malloc(65536);
    size_t sent = 0, received = 0;
    double stalled_since = 0;
    while (sent < FLOOD_BYTES) { /* no reading */
        size_t n = FLOOD_BYTES - sent < 65536 ? FLOOD_BYTES - sent : 65536;
        for (size_t i = 0; i < n; i++)
            chunk[i] = flood_byte(sent + i);
        ssize_t w = send(fd, chunk, n, MSG_NOSIGNAL);
        if (w > 0) {
            sent += (size_t)w;
            stalled_since = 0;
        } else if (stalled_since == 0) {
            stalled_since = test_now_s();
        } else if (test_now_s() - stalled_since > 0.3) {
            break; /* the server has stopped reading */
        } else {
            usleep(1000);
        }
    }
    print_message("flood: %zu of %zu bytes accepted before the server stopped reading\n", sent,
                  FLOOD_BYTES);
    assert_true(sent < FLOOD_BYTES);
    int reports_before = atomic_load(&reports);
    send_echo_report(atomic_load(&last_echoer), (fd_args){0});
    wait_for(&reports, reports_before + 1);
    size_t in_cap = atomic_load(&reported_in), out_cap = atomic_load(&reported_out);
    print_message("flood: server holds %zu input + %zu output bytes of buffer\n", in_cap, out_cap);
    assert_true(in_cap <= ALOX_TCP_INPUT_LIMIT_DEFAULT);
    assert_true(out_cap <= 4 * (size_t)ALOX_TCP_OUTPUT_HIGH_WATER);
    /* Now read everything, sending the rest as it goes. */
    double deadline = test_now_s() + WAIT_S;
    while (received < FLOOD_BYTES && test_now_s() < deadline) {
        ssize_t r = recv(fd, back, 65536, 0);
        if (r > 0) {
            for (ssize_t i = 0; i < r; i++)
                if (back[i] != flood_byte(received + (size_t)i))
                    fail_msg("byte %zu differs", received + (size_t)i);
            received += (size_t)r;
        }
        if (sent < FLOOD_BYTES) {
            size_t n = FLOOD_BYTES - sent < 65536 ? FLOOD_BYTES - sent : 65536;
            for (size_t i = 0; i < n; i++)
                chunk[i] = flood_byte(sent + i);
            ssize_t w = send(fd, chunk, n, MSG_NOSIGNAL);
            if (w > 0)
                sent += (size_t)w;
        }
        if (r <= 0 && sent == FLOOD_BYTES)
            usleep(100);
    }
    assert_int_equal(received, FLOOD_BYTES);
    free(chunk);
    free(back);
    close(fd);
    assert_nothing_left(before + 1);
}

int main(void) {
    setenv("ALOX_TOP", "0", 1); /* descriptors are counted: no alox top socket */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_mid_line),
        cmocka_unit_test(test_half_close_still_answered),
        cmocka_unit_test(test_one_byte_at_a_time),
        cmocka_unit_test(test_flood_without_reading),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
