/* alox_init: the distribution flags and variables (--alox-node, --alox-listen,
 * --alox-peer, --alox-key, --alox-trust, --alox-cluster) and clear errors
 * for bad values, against real key and trust files. */
#include "test_util.h"

#include <sys/stat.h>

#include "core/actor.h"
#include "init/config.h"
#include "init/init.h"
#include "security/keys.h"

/* ------------------------------------------------------------------ */
/* Distribution: --alox-node, --alox-listen, --alox-peer, --alox-key,
 * --alox-trust. A fixture directory holds keys for a, b, c and a trust
 * file listing all three (t.txt). */

static char fixture[] = "/tmp/alox-test-config-XXXXXX";
static alox_keys key_a, key_b, key_c;

static char *fx(const char *name) {
    static char buf[8][600];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, sizeof buf[0], "%s/%s", fixture, name);
    return p;
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void clear_env(void) {
    const char *vars[] = {"ALOX_THREADS", "ALOX_NODE", "ALOX_LISTEN",
                          "ALOX_PEER",    "ALOX_KEY",  "ALOX_TRUST", "ALOX_CLUSTER"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        unsetenv(vars[i]);
}

static int setup_fixture(void **state) {
    (void)state;
    char err[1024], text[1024];
    if (!mkdtemp(fixture))
        return -1;
    if (!keys_generate(fixture, "a", false, &key_a, err, sizeof err) ||
        !keys_generate(fixture, "b", false, &key_b, err, sizeof err) ||
        !keys_generate(fixture, "c", false, &key_c, err, sizeof err))
        return -1;
    snprintf(text, sizeof text, "# the test nodes\na %s\nb %s\nc %s\n", key_a.public_z85,
             key_b.public_z85, key_c.public_z85);
    write_text(fx("t.txt"), text);
    snprintf(text, sizeof text, "a %s\nb %s\n", key_a.public_z85, key_b.public_z85);
    write_text(fx("ab.txt"), text);
    return 0;
}

static int teardown_fixture(void **state) {
    (void)state;
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fixture);
    clear_env();
    return system(cmd) == 0 ? 0 : -1;
}

/* One parse: its config, its error, and the argv config_parse left. */
typedef struct parsed {
    config cfg;
    char err[2048];
    char *argv[32];
    int argc;
} parsed;

/* Parses a NULL-terminated list of arguments (after "prog") into p. */
static bool parse_args(parsed *p, const char *const *args) {
    p->argc = 0;
    p->argv[p->argc++] = "prog";
    for (const char *const *a = args; *a; a++)
        p->argv[p->argc++] = (char *)*a;
    p->argv[p->argc] = NULL;
    return config_parse(&p->argc, p->argv, &p->cfg, p->err, sizeof p->err);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void expect_dist_error(const char *const *args, const char *needle1, const char *needle2) {
    parsed p;
    assert_false(parse_args(&p, args));
    assert_null(p.cfg.node); /* nothing left to free */
    assert_null(p.cfg.peers);
    if (!strstr(p.err, needle1))
        fail_msg("error '%s' does not mention '%s'", p.err, needle1);
    if (needle2 && !strstr(p.err, needle2))
        fail_msg("error '%s' does not mention '%s'", p.err, needle2);
}

static void test_distribution_flags_are_read_and_removed(void **state) {
    (void)state;
    clear_env();
    parsed p;
    assert_true(parse_args(&p,
                           ARGS("x", "--alox-node", "a", "--alox-listen", "tcp://127.0.0.1:7001",
                                "--alox-peer", "b=tcp://[::1]:7002", "y",
                                "--alox-peer=c=tcp://localhost:7003", "--alox-key", fx("a.key"),
                                "--alox-trust=t.txt-placeholder", "--alox-threads=3",
                                "--alox-trust", fx("t.txt"), "z")));
    assert_int_equal(p.argc, 4);
    assert_string_equal(p.argv[1], "x");
    assert_string_equal(p.argv[2], "y");
    assert_string_equal(p.argv[3], "z");
    assert_null(p.argv[4]);
    assert_int_equal(p.cfg.threads, 3);
    assert_string_equal(p.cfg.node, "a");
    assert_int_equal(p.cfg.node_id, node_id_of("a"));
    assert_true(p.cfg.node_id != 0);
    assert_string_equal(p.cfg.listen, "tcp://127.0.0.1:7001");
    assert_int_equal(p.cfg.peer_count, 2);
    assert_string_equal(p.cfg.peers[0].name, "b");
    assert_string_equal(p.cfg.peers[0].endpoint, "tcp://[::1]:7002");
    assert_int_equal(p.cfg.peers[0].node_id, node_id_of("b"));
    assert_string_equal(p.cfg.peers[0].trusted->public_z85, key_b.public_z85);
    assert_string_equal(p.cfg.peers[1].name, "c");
    assert_string_equal(p.cfg.peers[1].endpoint, "tcp://localhost:7003");
    assert_string_equal(p.cfg.peers[1].trusted->public_z85, key_c.public_z85);
    assert_string_equal(p.cfg.key_path, fx("a.key"));
    assert_string_equal(p.cfg.trust_path, fx("t.txt")); /* the last one wins */
    assert_string_equal(p.cfg.keys.public_z85, key_a.public_z85);
    assert_string_equal(p.cfg.keys.secret_z85, key_a.secret_z85);
    assert_int_equal(p.cfg.trust.count, 3);
    assert_non_null(trust_find_key(&p.cfg.trust, key_c.public_key));
    config_free(&p.cfg);
    assert_null(p.cfg.node);
    config_free(&p.cfg); /* twice is harmless */
    config_free(NULL);
}

static void test_no_node_means_no_distribution(void **state) {
    (void)state;
    clear_env();
    parsed p;
    assert_true(parse_args(&p, ARGS("x")));
    assert_null(p.cfg.node);
    assert_int_equal(p.cfg.node_id, 0);
    assert_null(p.cfg.listen);
    assert_int_equal(p.cfg.peer_count, 0);
    config_free(&p.cfg);
}

static void test_distribution_variables(void **state) {
    (void)state;
    clear_env();
    setenv("ALOX_NODE", "b", 1);
    setenv("ALOX_LISTEN", "tcp://*:7100", 1);
    setenv("ALOX_PEER", "a=tcp://127.0.0.1:7101, c=tcp://[::1]:7102", 1);
    setenv("ALOX_KEY", fx("b.key"), 1);
    setenv("ALOX_TRUST", fx("t.txt"), 1);
    parsed p;
    assert_true(parse_args(&p, ARGS("x")));
    assert_string_equal(p.cfg.node, "b");
    assert_string_equal(p.cfg.listen, "tcp://*:7100");
    assert_int_equal(p.cfg.peer_count, 2);
    assert_string_equal(p.cfg.peers[0].name, "a");
    assert_string_equal(p.cfg.peers[0].endpoint, "tcp://127.0.0.1:7101");
    assert_string_equal(p.cfg.peers[1].name, "c");
    assert_string_equal(p.cfg.peers[1].endpoint, "tcp://[::1]:7102");
    assert_string_equal(p.cfg.keys.public_z85, key_b.public_z85);
    config_free(&p.cfg);

    /* A flag wins over its variable; any --alox-peer replaces ALOX_PEER
     * (which is then not even read: a bad one does not matter). */
    setenv("ALOX_PEER", "not a peer list", 1);
    setenv("ALOX_LISTEN", "bad", 1);
    assert_true(parse_args(&p,
                           ARGS("--alox-node=a", "--alox-key", fx("a.key"), "--alox-peer",
                                "c=tcp://10.0.0.3:7000", "--alox-listen", "tcp://0.0.0.0:7000")));
    assert_string_equal(p.cfg.node, "a");
    assert_string_equal(p.cfg.keys.public_z85, key_a.public_z85);
    assert_string_equal(p.cfg.listen, "tcp://0.0.0.0:7000");
    assert_int_equal(p.cfg.peer_count, 1);
    assert_string_equal(p.cfg.peers[0].name, "c");
    assert_string_equal(p.cfg.trust_path, fx("t.txt")); /* from ALOX_TRUST */
    config_free(&p.cfg);
    clear_env();
}

static void test_distribution_needs_a_node(void **state) {
    (void)state;
    clear_env();
    expect_dist_error(ARGS("--alox-listen", "tcp://127.0.0.1:7001"),
                      "--alox-listen needs --alox-node", NULL);
    expect_dist_error(ARGS("--alox-peer", "b=tcp://127.0.0.1:7001"), "--alox-peer needs --alox-node",
                      NULL);
    expect_dist_error(ARGS("--alox-key", fx("a.key")), "--alox-key needs --alox-node", NULL);
    expect_dist_error(ARGS("--alox-trust", fx("t.txt")), "--alox-trust needs --alox-node", NULL);
    setenv("ALOX_LISTEN", "tcp://127.0.0.1:7001", 1);
    expect_dist_error(ARGS("x"), "ALOX_LISTEN needs --alox-node NAME (or ALOX_NODE)", NULL);
    clear_env();
    setenv("ALOX_PEER", "b=tcp://h:1", 1);
    expect_dist_error(ARGS("x"), "ALOX_PEER needs --alox-node", NULL);
    clear_env();
}

static void test_node_needs_key_and_trust(void **state) {
    (void)state;
    clear_env();
    expect_dist_error(ARGS("--alox-node", "a", "--alox-trust", fx("t.txt")),
                      "--alox-node=a needs --alox-key FILE (or ALOX_KEY)", "alox keygen DIR a");
    expect_dist_error(ARGS("--alox-node", "a", "--alox-key", fx("a.key")),
                      "--alox-node=a needs --alox-trust FILE (or ALOX_TRUST)", NULL);
    setenv("ALOX_NODE", "a", 1);
    expect_dist_error(ARGS("x"), "ALOX_NODE=a needs --alox-key", NULL);
    clear_env();
    expect_dist_error(ARGS("--alox-node", "a b", "--alox-key", fx("a.key")),
                      "--alox-node=a b is not a node name", "A-Z a-z 0-9 _ . -");
    expect_dist_error(ARGS("--alox-node="), "--alox-node= is not a node name", NULL);
    expect_dist_error(ARGS("--alox-node"), "--alox-node needs a value", NULL);
    expect_dist_error(ARGS("--alox-node", "a", "--alox-peer"), "--alox-peer needs a value", NULL);
    expect_dist_error(ARGS("--alox-nodes=a"), "unknown flag --alox-nodes=a", "--alox-trust FILE");
}

/* --alox-node a with its key and trust file, plus the given flags. */
#define NODE_A "--alox-node", "a", "--alox-key", fx("a.key"), "--alox-trust", fx("t.txt")

/* --alox-cluster / ALOX_CLUSTER: taken with a node and a real listen
 * address (it goes into the member record), refused otherwise. */
static void test_cluster_flag(void **state) {
    (void)state;
    clear_env();
    parsed p;
    assert_true(parse_args(&p,
                           ARGS(NODE_A, "--alox-listen", "tcp://127.0.0.1:7001", "--alox-cluster",
                                "etcd://127.0.0.1:2379/farm", "rest")));
    assert_string_equal(p.cfg.cluster, "etcd://127.0.0.1:2379/farm");
    assert_int_equal(p.argc, 2); /* the flags are removed */
    assert_string_equal(p.argv[1], "rest");
    config_free(&p.cfg);
    expect_dist_error(ARGS("--alox-cluster", "etcd://127.0.0.1:2379/farm"),
                      "--alox-cluster needs --alox-node", NULL);
    expect_dist_error(ARGS(NODE_A, "--alox-cluster", "etcd://127.0.0.1:2379/farm"),
                      "--alox-cluster needs --alox-listen", NULL);
    expect_dist_error(ARGS(NODE_A, "--alox-listen", "tcp://*:7001", "--alox-cluster",
                           "etcd://127.0.0.1:2379/farm"),
                      "not * or 0.0.0.0", NULL);
    expect_dist_error(ARGS(NODE_A, "--alox-listen", "tcp://127.0.0.1:7001", "--alox-cluster",
                           "etcd://127.0.0.1/farm"),
                      "--alox-cluster=etcd://127.0.0.1/farm is not etcd://HOST:PORT/CLUSTER", "no :PORT");
    setenv("ALOX_CLUSTER", "redis://127.0.0.1:6379/farm", 1);
    expect_dist_error(ARGS(NODE_A, "--alox-listen", "tcp://127.0.0.1:7001"),
                      "ALOX_CLUSTER=redis://127.0.0.1:6379/farm", "etcd://");
    unsetenv("ALOX_CLUSTER");
}

static void test_endpoints_are_checked(void **state) {
    (void)state;
    clear_env();
    struct {
        const char *endpoint, *why;
    } bad[] = {
        {"127.0.0.1:7001", "does not start with tcp://"},
        {"udp://127.0.0.1:7001", "does not start with tcp://"},
        {"tcp://127.0.0.1", "no :PORT"},
        {"tcp://127.0.0.1:", "the port must be a number from 1 to 65535, not ''"},
        {"tcp://127.0.0.1:0", "the port must be a number from 1 to 65535, not '0'"},
        {"tcp://127.0.0.1:65536", "not '65536'"},
        {"tcp://127.0.0.1:123456", "not '123456'"},
        {"tcp://127.0.0.1:80x", "not '80x'"},
        {"tcp://127.0.0.1:-1", "not '-1'"},
        {"tcp://127.0.0.1:+80", "not '+80'"},
        {"tcp://localhost:80/x", "not '80/x'"},
        {"tcp://:7001", "no HOST"},
        {"tcp://::1:7001", "an IPv6 address goes in brackets"},
        {"tcp://[::1]7001", "no :PORT after [::1]"},
        {"tcp://[::1:7001", "'[' without ']'"},
        {"tcp://[]:7001", "no IPv6 address"},
        {"tcp://[::g]:7001", "[::g] is not an IPv6 address"},
        {"tcp://[127.0.0.1]:7001", "is not an IPv6 address"},
        {"tcp://300.1.1.1:7001", "300.1.1.1 is not an IPv4 address"},
        {"tcp://1.2.3:7001", "1.2.3 is not an IPv4 address"},
        {"tcp://bad host:7001", "'bad host' is not a host name"},
        {"tcp://a..b:7001", "is not a host name"},
        {"tcp://.a:7001", "is not a host name"},
    };
    char why[256], flag[300];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (config_endpoint_check(bad[i].endpoint, true, why, sizeof why))
            fail_msg("endpoint %s accepted", bad[i].endpoint);
        if (!strstr(why, bad[i].why))
            fail_msg("for %s: '%s' does not mention '%s'", bad[i].endpoint, why, bad[i].why);
        snprintf(flag, sizeof flag, "--alox-listen=%s is not an endpoint tcp://HOST:PORT: ",
                 bad[i].endpoint);
        expect_dist_error(ARGS(NODE_A, "--alox-listen", bad[i].endpoint), flag, bad[i].why);
    }
    const char *good[] = {"tcp://127.0.0.1:1",    "tcp://127.0.0.1:65535",
                          "tcp://[::1]:7001",     "tcp://[2001:db8::7]:07001",
                          "tcp://localhost:7001", "tcp://node-1.example.org:7001",
                          "tcp://eth0:7001"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        if (!config_endpoint_check(good[i], false, why, sizeof why))
            fail_msg("endpoint %s refused: %s", good[i], why);
    }
    /* "*" (all interfaces) is for listening only. */
    assert_true(config_endpoint_check("tcp://*:7001", true, why, sizeof why));
    assert_false(config_endpoint_check("tcp://*:7001", false, why, sizeof why));
    assert_non_null(strstr(why, "only for --alox-listen"));
    expect_dist_error(ARGS(NODE_A, "--alox-peer", "b=tcp://*:7001"),
                      "--alox-peer=b=tcp://*:7001: tcp://*:7001 is not an endpoint",
                      "only for --alox-listen");
    setenv("ALOX_LISTEN", "tcp://h:0", 1);
    expect_dist_error(ARGS(NODE_A), "ALOX_LISTEN=tcp://h:0 is not an endpoint", NULL);
    clear_env();
}

static void test_peers_are_checked(void **state) {
    (void)state;
    clear_env();
    expect_dist_error(ARGS(NODE_A, "--alox-peer", "tcp://127.0.0.1:7001"),
                      "--alox-peer=tcp://127.0.0.1:7001 is not NAME=tcp://HOST:PORT", NULL);
    expect_dist_error(ARGS(NODE_A, "--alox-peer", "=tcp://127.0.0.1:7001"),
                      "'' is not a node name", NULL);
    expect_dist_error(ARGS(NODE_A, "--alox-peer", "b c=tcp://127.0.0.1:7001"),
                      "'b c' is not a node name", NULL);
    expect_dist_error(ARGS(NODE_A, "--alox-peer", "b=127.0.0.1:7001"),
                      "--alox-peer=b=127.0.0.1:7001: 127.0.0.1:7001 is not an endpoint", NULL);
    expect_dist_error(ARGS(NODE_A, "--alox-peer", "a=tcp://127.0.0.1:7001"),
                      "'a' is this node's own name (--alox-node=a)", NULL);
    expect_dist_error(ARGS(NODE_A, "--alox-peer", "b=tcp://127.0.0.1:7001", "--alox-peer",
                           "b=tcp://127.0.0.1:7002"),
                      "peer 'b' is given twice (b=tcp://127.0.0.1:7001 and b=tcp://127.0.0.1:7002)",
                      NULL);
    char want[800];
    snprintf(want, sizeof want,
             "--alox-peer=d=tcp://127.0.0.1:7001: peer 'd' is not in the trust file %s: add a "
             "line 'd <its public key>'",
             fx("t.txt"));
    expect_dist_error(ARGS(NODE_A, "--alox-peer", "b=tcp://127.0.0.1:7002", "--alox-peer",
                           "d=tcp://127.0.0.1:7001"),
                      want, NULL);
    snprintf(want, sizeof want, "peer 'c' is not in the trust file %s", fx("ab.txt"));
    expect_dist_error(ARGS("--alox-node", "a", "--alox-key", fx("a.key"), "--alox-trust",
                           fx("ab.txt"), "--alox-peer", "c=tcp://127.0.0.1:7001"),
                      want, NULL);

    setenv("ALOX_PEER", "b=tcp://127.0.0.1:7001,", 1);
    expect_dist_error(ARGS(NODE_A), "ALOX_PEER=b=tcp://127.0.0.1:7001, has an empty entry", NULL);
    setenv("ALOX_PEER", "", 1);
    expect_dist_error(ARGS(NODE_A), "ALOX_PEER= has an empty entry", NULL);
    setenv("ALOX_PEER", "b=tcp://127.0.0.1:7001,c=tcp://127.0.0.1:0", 1);
    expect_dist_error(ARGS(NODE_A), "ALOX_PEER=c=tcp://127.0.0.1:0: tcp://127.0.0.1:0 is not an",
                      NULL);
    clear_env();
}

static void test_key_and_trust_files_are_checked(void **state) {
    (void)state;
    clear_env();
    char want[800], text[1024];
    snprintf(want, sizeof want, "--alox-key=%s: cannot open secret key file %s", fx("none.key"),
             fx("none.key"));
    expect_dist_error(ARGS("--alox-node", "a", "--alox-key", fx("none.key"), "--alox-trust",
                           fx("t.txt")),
                      want, "No such file");

    /* A mismatched pair: a.key beside b's public key. */
    snprintf(text, sizeof text, "cp '%s' '%s' && cp '%s' '%s'", fx("a.key"), fx("mixed.key"),
             fx("b.pub"), fx("mixed.pub"));
    assert_int_equal(system(text), 0);
    expect_dist_error(ARGS("--alox-node", "a", "--alox-key", fx("mixed.key"), "--alox-trust",
                           fx("t.txt")),
                      "--alox-key=", "key pair mismatch");

    snprintf(want, sizeof want, "--alox-trust=%s: cannot open trust file %s", fx("none.txt"),
             fx("none.txt"));
    expect_dist_error(ARGS("--alox-node", "a", "--alox-key", fx("a.key"), "--alox-trust",
                           fx("none.txt")),
                      want, NULL);

    snprintf(text, sizeof text, "a %s\nb %.20s\n", key_a.public_z85, key_b.public_z85);
    write_text(fx("bad.txt"), text);
    snprintf(want, sizeof want, "--alox-trust=%s: trust file %s, line 2: bad key for 'b'",
             fx("bad.txt"), fx("bad.txt"));
    expect_dist_error(ARGS("--alox-node", "a", "--alox-key", fx("a.key"), "--alox-trust",
                           fx("bad.txt")),
                      want, NULL);

    /* The trust file gives this node another key. */
    snprintf(text, sizeof text, "a %s\n", key_b.public_z85);
    write_text(fx("other.txt"), text);
    expect_dist_error(ARGS("--alox-node", "a", "--alox-key", fx("a.key"), "--alox-trust",
                           fx("other.txt")),
                      "--alox-trust=", "lists this node 'a' with another public key");
    setenv("ALOX_TRUST", fx("other.txt"), 1);
    expect_dist_error(ARGS("--alox-node", "a", "--alox-key", fx("a.key")), "ALOX_TRUST=", NULL);
    clear_env();
}

static void test_node_id_collision_with_this_node(void **state) {
    (void)state;
    clear_env();
    /* Two names with the same node id, by brute force. */
    static int seen[65536];
    memset(seen, 0, sizeof seen);
    char x[32] = "", y[32] = "";
    for (int i = 0; i < 1000000 && !*y; i++) {
        char name[32];
        snprintf(name, sizeof name, "n%d", i);
        uint16_t id = node_id_of(name);
        if (seen[id]) {
            snprintf(x, sizeof x, "n%d", seen[id] - 1);
            snprintf(y, sizeof y, "%s", name);
        }
        seen[id] = i + 1;
    }
    assert_true(*y);
    char text[1024], err[1024], want[800];
    alox_keys kx;
    assert_true(keys_generate(fixture, x, false, &kx, err, sizeof err));
    snprintf(text, sizeof text, "%s %s\n%s %s\n", x, kx.public_z85, y, key_a.public_z85);
    write_text(fx("collide.txt"), text);
    char key_path[600];
    snprintf(key_path, sizeof key_path, "%s.key", fx(x));
    snprintf(want, sizeof want, "'%s' (trust file %s, line 1) and '%s' (line 2) both have node id %u",
             x, fx("collide.txt"), y, node_id_of(x));
    expect_dist_error(ARGS("--alox-node", x, "--alox-key", key_path, "--alox-trust",
                           fx("collide.txt")),
                      "node id collision", want);
    /* Only y in the file, this node is x. */
    snprintf(text, sizeof text, "%s %s\n", y, key_a.public_z85);
    write_text(fx("collide.txt"), text);
    snprintf(want, sizeof want, "this node '%s' and '%s' (trust file %s, line 1)", x, y,
             fx("collide.txt"));
    expect_dist_error(ARGS("--alox-node", x, "--alox-key", key_path, "--alox-trust",
                           fx("collide.txt")),
                      "node id collision", want);
}

static void init_with_listen_only(void *arg) {
    (void)arg;
    clear_env();
    char *argv[] = {"prog", "--alox-listen", "tcp://127.0.0.1:7001", NULL};
    int argc = 3;
    alox_init(&argc, argv);
    _exit(0); /* not reached */
}

static void init_with_missing_key(void *arg) {
    (void)arg;
    clear_env();
    setenv("ALOX_NODE", "a", 1);
    setenv("ALOX_KEY", fx("none.key"), 1);
    setenv("ALOX_TRUST", fx("t.txt"), 1);
    alox_init(NULL, NULL);
    _exit(0); /* not reached */
}

static void init_with_unknown_peer(void *arg) {
    (void)arg;
    clear_env();
    char *argv[] = {"prog", NODE_A, "--alox-peer", "zz=tcp://127.0.0.1:7001", NULL};
    int argc = 9;
    alox_init(&argc, argv);
    _exit(0); /* not reached */
}

static void test_alox_init_exits_2_on_distribution_errors(void **state) {
    (void)state;
    char out[4096], want[800];
    int status = test_run_child(init_with_listen_only, NULL, out, sizeof out);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 2);
    assert_non_null(strstr(out, "alox: --alox-listen needs --alox-node"));

    status = test_run_child(init_with_missing_key, NULL, out, sizeof out);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 2);
    snprintf(want, sizeof want, "alox: ALOX_KEY=%s: cannot open secret key file %s",
             fx("none.key"), fx("none.key"));
    if (!strstr(out, want))
        fail_msg("'%s' does not mention '%s'", out, want);

    status = test_run_child(init_with_unknown_peer, NULL, out, sizeof out);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 2);
    snprintf(want, sizeof want,
             "alox: --alox-peer=zz=tcp://127.0.0.1:7001: peer 'zz' is not in the trust file %s: "
             "add a line 'zz <its public key>'\n",
             fx("t.txt"));
    assert_string_equal(out, want);
}

static void init_as_node_b(void *arg) {
    (void)arg;
    clear_env();
    char *argv[] = {"prog", "--alox-node", "b", "--alox-key", fx("b.key"),
                    "--alox-trust", fx("t.txt"), "--alox-peer=a=tcp://127.0.0.1:7001",
                    "rest", NULL};
    int argc = 9;
    if (init_config() != NULL)
        _exit(10);
    alox_init(&argc, argv);
    const config *cfg = init_config();
    if (!cfg || argc != 2 || strcmp(argv[1], "rest") != 0)
        _exit(11);
    if (!cfg->node || strcmp(cfg->node, "b") != 0 || cfg->node_id != node_id_of("b"))
        _exit(12);
    if (actor_node_id != node_id_of("b"))
        _exit(13);
    if (cfg->peer_count != 1 || strcmp(cfg->peers[0].endpoint, "tcp://127.0.0.1:7001") != 0)
        _exit(14);
    if (strcmp(cfg->keys.public_z85, key_b.public_z85) != 0)
        _exit(15);
    _exit(0);
}

static void test_alox_init_sets_the_node(void **state) {
    (void)state;
    char out[4096];
    int status = test_run_child(init_as_node_b, NULL, out, sizeof out);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) != 0)
        fail_msg("child failed with %d: %s", WEXITSTATUS(status), out);
    assert_string_equal(out, "");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distribution_flags_are_read_and_removed),
        cmocka_unit_test(test_no_node_means_no_distribution),
        cmocka_unit_test(test_distribution_variables),
        cmocka_unit_test(test_cluster_flag),
        cmocka_unit_test(test_distribution_needs_a_node),
        cmocka_unit_test(test_node_needs_key_and_trust),
        cmocka_unit_test(test_endpoints_are_checked),
        cmocka_unit_test(test_peers_are_checked),
        cmocka_unit_test(test_key_and_trust_files_are_checked),
        cmocka_unit_test(test_node_id_collision_with_this_node),
        cmocka_unit_test(test_alox_init_exits_2_on_distribution_errors),
        cmocka_unit_test(test_alox_init_sets_the_node),
    };
    return cmocka_run_group_tests(tests, setup_fixture, teardown_fixture);
}
