/*
 * zmq_raw.c - raw libzmq baselines for the remote benchmarks: the same
 * shapes as Alox's remote ping-pong and one-way stream, with nothing but
 * libzmq over tcp://127.0.0.1, in two processes (this one forks: the child
 * serves, the parent measures).
 *
 *   zmq_raw latency    plain|curve ROUNDS   tcp://127.0.0.1:PORT
 *   zmq_raw throughput plain|curve MESSAGES tcp://127.0.0.1:PORT
 *
 * latency:    REQ -> REP round trips of an 8-byte payload (a counter the
 *             server checks and echoes), after 100 untimed warm-up trips
 *             (connection and CURVE handshake). Prints µs per round trip.
 * throughput: PUSH -> PULL of MESSAGES 64-byte messages, one zmq message per
 *             payload, each carrying its sequence number. Timed on the
 *             receiver from the first message (sent ahead, untimed, so the
 *             handshake is over) to the last, like libzmq's perf/local_thr.
 *             Prints M msg/s.
 *
 * curve: both processes make a key pair with zmq_curve_keypair; the server
 * sets ZMQ_CURVE_SERVER and its secret key, the client the server's public
 * key and its own pair. No ZAP handler is bound, so libzmq admits any
 * client key. (Alox runs a ZAP handler; it is asked once per connection, at
 * the handshake, and costs nothing per message.)
 *
 * Every payload is checked (size and sequence). The output has the lines
 *   usage CPU_SECONDS CONTEXT_SWITCHES   (both processes, whole run)
 *   result VALUE us/rt   or   result VALUE Mmsg/s
 * and the exit status is 0 only if all checks passed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#define WARMUP_ROUNDS 100
#define THROUGHPUT_SIZE 64
#define IO_TIMEOUT_MS 30000

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "zmq_raw: %s: %s\n", what, zmq_strerror(zmq_errno()));
    exit(1);
}

typedef struct keys {
    char server_public[41], server_secret[41], client_public[41], client_secret[41];
} keys;

static void set_int(void *socket, int option, int value) {
    if (zmq_setsockopt(socket, option, &value, sizeof value) != 0)
        die("zmq_setsockopt");
}

static void set_key(void *socket, int option, const char *z85) {
    if (zmq_setsockopt(socket, option, z85, 40) != 0)
        die("zmq_setsockopt (CURVE key)");
}

/* A socket with the mode's security; the server binds, the client connects. */
static void *open_socket(void *context, int type, int server, int curve, const keys *k,
                         const char *endpoint) {
    void *s = zmq_socket(context, type);
    if (!s)
        die("zmq_socket");
    set_int(s, ZMQ_LINGER, 10000);
    set_int(s, ZMQ_RCVTIMEO, IO_TIMEOUT_MS); /* a peer that never comes: fail, not hang */
    set_int(s, ZMQ_SNDTIMEO, IO_TIMEOUT_MS);
    if (curve && server) {
        set_int(s, ZMQ_CURVE_SERVER, 1);
        set_key(s, ZMQ_CURVE_SECRETKEY, k->server_secret);
    } else if (curve) {
        set_key(s, ZMQ_CURVE_SERVERKEY, k->server_public);
        set_key(s, ZMQ_CURVE_PUBLICKEY, k->client_public);
        set_key(s, ZMQ_CURVE_SECRETKEY, k->client_secret);
    }
    if (server ? zmq_bind(s, endpoint) : zmq_connect(s, endpoint))
        die(server ? "zmq_bind" : "zmq_connect");
    return s;
}

/* ------------------------------------------------------------------ */
/* REQ/REP latency.                                                     */

static int rep_server(void *context, int curve, const keys *k, const char *endpoint, long total) {
    void *s = open_socket(context, ZMQ_REP, 1, curve, k, endpoint);
    int bad = 0;
    for (long i = 0; i < total; i++) {
        uint64_t value;
        int got = zmq_recv(s, &value, sizeof value, 0);
        if (got < 0)
            die("zmq_recv (REP)");
        if (got != sizeof value || value != (uint64_t)i)
            bad++;
        if (zmq_send(s, &value, sizeof value, 0) < 0)
            die("zmq_send (REP)");
    }
    zmq_close(s);
    if (bad)
        fprintf(stderr, "zmq_raw: REP server: %d of %ld requests wrong\n", bad, total);
    return bad ? 1 : 0;
}

static int req_client(void *context, int curve, const keys *k, const char *endpoint, long rounds) {
    void *s = open_socket(context, ZMQ_REQ, 0, curve, k, endpoint);
    long bad = 0, answered = 0;
    double t0 = 0;
    for (long i = 0; i < WARMUP_ROUNDS + rounds; i++) {
        if (i == WARMUP_ROUNDS)
            t0 = now_s();
        uint64_t value = (uint64_t)i, back = 0;
        if (zmq_send(s, &value, sizeof value, 0) < 0)
            die("zmq_send (REQ)");
        int got = zmq_recv(s, &back, sizeof back, 0);
        if (got < 0)
            die("zmq_recv (REQ)");
        if (got != sizeof back || back != value)
            bad++;
        else if (i >= WARMUP_ROUNDS)
            answered++;
    }
    double seconds = now_s() - t0;
    zmq_close(s);
    printf("zmq REQ/REP %s: %ld round trips (%ld answered right) in %.3f s: %.1f us per round trip\n",
           curve ? "CURVE" : "plain", rounds, answered, seconds, seconds * 1e6 / (double)rounds);
    if (bad || answered != rounds) {
        printf("FAIL: %ld wrong answers\n", bad);
        return 1;
    }
    printf("result %.2f us/rt\n", seconds * 1e6 / (double)rounds);
    return 0;
}

/* ------------------------------------------------------------------ */
/* PUSH -> PULL throughput.                                             */

static int pull_server(void *context, int curve, const keys *k, const char *endpoint, long messages) {
    void *s = open_socket(context, ZMQ_PULL, 1, curve, k, endpoint);
    unsigned char buffer[THROUGHPUT_SIZE + 1];
    long bad = 0, received = 0;
    double t0 = 0;
    /* Message 0 starts the clock; 1..messages are timed. */
    for (long i = 0; i <= messages; i++) {
        int got = zmq_recv(s, buffer, sizeof buffer, 0);
        if (got < 0)
            die("zmq_recv (PULL)");
        if (i == 0)
            t0 = now_s();
        uint64_t seq;
        memcpy(&seq, buffer, sizeof seq);
        if (got != THROUGHPUT_SIZE || seq != (uint64_t)i)
            bad++;
        else if (i > 0)
            received++;
    }
    double seconds = now_s() - t0;
    zmq_close(s);
    printf("zmq PUSH/PULL %s: %ld messages of %d bytes (%ld right) in %.3f s: %.3f M msg/s\n",
           curve ? "CURVE" : "plain", messages, THROUGHPUT_SIZE, received, seconds,
           (double)messages / seconds / 1e6);
    if (bad || received != messages) {
        printf("FAIL: %ld wrong or out-of-order messages\n", bad);
        return 1;
    }
    printf("result %.4f Mmsg/s\n", (double)messages / seconds / 1e6);
    return 0;
}

static int push_client(void *context, int curve, const keys *k, const char *endpoint, long messages) {
    void *s = open_socket(context, ZMQ_PUSH, 0, curve, k, endpoint);
    unsigned char buffer[THROUGHPUT_SIZE];
    memset(buffer, 0xab, sizeof buffer);
    for (long i = 0; i <= messages; i++) {
        uint64_t seq = (uint64_t)i;
        memcpy(buffer, &seq, sizeof seq);
        if (zmq_send(s, buffer, sizeof buffer, 0) < 0)
            die("zmq_send (PUSH)");
    }
    zmq_close(s); /* zmq_ctx_term waits until everything is sent (or 10 s) */
    return 0;
}

/* ------------------------------------------------------------------ */

static int usage(void) {
    fprintf(stderr, "usage: zmq_raw latency|throughput plain|curve COUNT tcp://127.0.0.1:PORT\n");
    return 2;
}

int main(int argc, char **argv) {
    if (argc != 5)
        return usage();
    int latency = !strcmp(argv[1], "latency");
    if (!latency && strcmp(argv[1], "throughput"))
        return usage();
    int curve = !strcmp(argv[2], "curve");
    if (!curve && strcmp(argv[2], "plain"))
        return usage();
    long count = strtol(argv[3], NULL, 10);
    const char *endpoint = argv[4];
    if (count < 1 || count > 1000000000L)
        return usage();
    keys k;
    memset(&k, 0, sizeof k);
    if (curve && (zmq_curve_keypair(k.server_public, k.server_secret) != 0 ||
                  zmq_curve_keypair(k.client_public, k.client_secret) != 0))
        die("zmq_curve_keypair (is libzmq built with CURVE?)");
    fflush(stdout);
    /* Fork before any zmq context exists: each process makes its own. */
    pid_t server = fork();
    if (server < 0) {
        perror("zmq_raw: fork");
        return 1;
    }
    void *context = zmq_ctx_new();
    if (!context)
        die("zmq_ctx_new");
    int rc;
    if (server == 0) {
        rc = latency ? rep_server(context, curve, &k, endpoint, WARMUP_ROUNDS + count)
                     : pull_server(context, curve, &k, endpoint, count);
        fflush(stdout);
        zmq_ctx_term(context);
        _exit(rc);
    }
    rc = latency ? req_client(context, curve, &k, endpoint, count)
                 : push_client(context, curve, &k, endpoint, count);
    zmq_ctx_term(context);
    int status = 0;
    while (waitpid(server, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "zmq_raw: the server process failed (status %d)\n", status);
        return 1;
    }
    struct rusage self, child;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &child);
    printf("usage %.4f %ld\n",
           (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + child.ru_utime.tv_sec +
                    child.ru_stime.tv_sec) +
               (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + child.ru_utime.tv_usec +
                        child.ru_stime.tv_usec) / 1e6,
           self.ru_nvcsw + self.ru_nivcsw + child.ru_nvcsw + child.ru_nivcsw);
    return rc;
}
