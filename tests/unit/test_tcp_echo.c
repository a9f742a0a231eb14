/* test_tcp_echo.c - the TCP layer (alox/tcp.h) serving an echo actor per
 * connection: 1,000 concurrent loopback clients each send 100 messages of
 * 1 to 300 bytes, one at a time, and every byte comes back in order. When
 * the clients hang up, every connection is closed, every session actor
 * stopped, and the process has the descriptors it had before. */
#include "test_util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>

#include "alox/tcp.h"
#include "tcp_clients.h"

#define CLIENTS 1000
#define MESSAGES 100
#define MAX_MESSAGE 300
#define DEADLINE_S 60

struct echo_server {
    int32_t fd;
};
struct session {
    alox_tcp tcp;
};
HANDMADE_ACTOR(echo_server)
HANDMADE_ACTOR(session)

typedef struct {
    int32_t fd;
    uint32_t events;
} data_args;
typedef struct {
    int32_t fd;
} fd_args;
HANDMADE_BEHAVIOUR(session, on_data, data_args, "(i32,u32)")
HANDMADE_BEHAVIOUR(session, start, fd_args, "(i32)")
HANDMADE_BEHAVIOUR(echo_server, on_accept, fd_args, "(i32)")
HANDMADE_BEHAVIOUR(echo_server, shut, fd_args, "(i32)")

static _Atomic int sessions_started, sessions_stopped;

static void on_data(struct session *self, const data_args *a) {
    size_t len;
    const char *in = alox_tcp_input(&self->tcp, &len);
    if (len) {
        assert_int_equal(alox_tcp_write(&self->tcp, in, len), 0);
        alox_tcp_consume(&self->tcp, len);
    }
    if (a->events & (ALOX_TCP_EOF | ALOX_TCP_RESET)) {
        alox_tcp_close(&self->tcp);
        atomic_fetch_add(&sessions_stopped, 1);
        alox_stop(self);
    }
}

static void start(struct session *self, const fd_args *a) {
    atomic_fetch_add(&sessions_started, 1);
    assert_int_equal(alox_tcp_open_desc(&self->tcp, self, a->fd, &on_data_desc), 0);
}

static void on_accept(struct echo_server *self, const fd_args *a) {
    (void)self;
    send_start(new_session(), *a);
}

static void shut(struct echo_server *self, const fd_args *a) {
    (void)a;
    alox_tcp_unlisten(self->fd);
}

/* ----- the clients -------------------------------------------------- */

typedef struct client {
    int fd;
    int sent_messages;
    size_t length, received;
    unsigned char expect[MAX_MESSAGE];
} client;

static size_t fill_message(client *c, int id) {
    c->length = 1 + (size_t)(id * 31 + c->sent_messages * 17) % MAX_MESSAGE;
    for (size_t i = 0; i < c->length; i++)
        c->expect[i] = (unsigned char)(id + c->sent_messages * 7 + i);
    c->received = 0;
    c->sent_messages++;
    return c->length;
}

typedef struct run_result {
    uint16_t port;
    struct echo_server *server;
    long bytes_echoed;
    int clients_done;
    int mismatches;
} run_result;

static void *clients_main(void *arg) {
    run_result *r = arg;
    static client clients[CLIENTS];
    int ep = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < CLIENTS; i++) {
        clients[i].fd = client_connect(r->port);
        assert_true(clients[i].fd >= 0);
        fcntl(clients[i].fd, F_SETFL, O_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, clients[i].fd, &ev);
    }
    /* All connected first: then every client has its first message out. */
    for (int i = 0; i < CLIENTS; i++) {
        size_t n = fill_message(&clients[i], i);
        assert_int_equal(send(clients[i].fd, clients[i].expect, n, 0), (ssize_t)n);
    }
    double deadline = test_now_s() + DEADLINE_S;
    struct epoll_event events[256];
    unsigned char buf[MAX_MESSAGE];
    while (r->clients_done < CLIENTS && test_now_s() < deadline) {
        int n = epoll_wait(ep, events, 256, 1000);
        for (int k = 0; k < n; k++) {
            int id = (int)events[k].data.u32;
            client *c = &clients[id];
            ssize_t got = recv(c->fd, buf, c->length - c->received, 0);
            if (got <= 0)
                continue;
            if (memcmp(buf, c->expect + c->received, (size_t)got) != 0)
                r->mismatches++;
            c->received += (size_t)got;
            r->bytes_echoed += got;
            if (c->received < c->length)
                continue;
            if (c->sent_messages == MESSAGES) {
                close(c->fd);
                r->clients_done++;
                continue;
            }
            size_t len = fill_message(c, id);
            assert_int_equal(send(c->fd, c->expect, len, 0), (ssize_t)len);
        }
    }
    close(ep);
    fd_args none = {0};
    send_shut(r->server, none);
    return NULL;
}

static void test_thousand_clients_echoed(void **state) {
    (void)state;
    raise_descriptor_limit();
    int fds_before = open_descriptors();
    struct echo_server *server = new_echo_server();
    int fd = alox_tcp_listen_desc(server, "127.0.0.1", 0, &on_accept_desc);
    assert_true(fd >= 0);
    server->fd = fd; /* before any message: the server has not run yet */
    run_result r = {.port = alox_tcp_port(fd), .server = server};
    assert_true(r.port != 0);
    pthread_t t;
    double t0 = test_now_s();
    pthread_create(&t, NULL, clients_main, &r);
    assert_int_equal(alox_run(), 0);
    pthread_join(t, NULL);
    print_message("%d clients x %d messages: %ld bytes echoed in %.2f s\n", r.clients_done, MESSAGES,
                  r.bytes_echoed, test_now_s() - t0);
    assert_int_equal(r.clients_done, CLIENTS);
    assert_int_equal(r.mismatches, 0);
    long expected = 0;
    for (int id = 0; id < CLIENTS; id++)
        for (int m = 0; m < MESSAGES; m++)
            expected += 1 + (id * 31 + m * 17) % MAX_MESSAGE;
    assert_int_equal(r.bytes_echoed, expected);
    assert_int_equal(atomic_load(&sessions_started), CLIENTS);
    assert_int_equal(atomic_load(&sessions_stopped), CLIENTS);
    assert_int_equal(alox_tcp_connections(), 0);
    assert_int_equal(open_descriptors(), fds_before + 1); /* the I/O thread's epoll (no timer: no timerfd) */
}

int main(void) {
    setenv("ALOX_TOP", "0", 1); /* descriptors are counted: no alox top socket */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thousand_clients_echoed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
