/* keys.c: key files from keygen, their checks, trust files and node ids. */
#include "test_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <zmq.h>

#include "security/keys.h"

static char root[] = "/tmp/alox-test-keys-XXXXXX";
static char dir[512]; /* a fresh directory per test */
static int test_number;

static int setup_root(void **state) {
    (void)state;
    return mkdtemp(root) ? 0 : -1;
}

static int teardown_root(void **state) {
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static int setup_dir(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "%s/t%d", root, ++test_number);
    return mkdir(dir, 0700);
}

/* dir/name */
static const char *path_in(const char *name) {
    static char buf[4][700];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof buf[0], "%s/%s", dir, name);
    return p;
}

static void write_file(const char *path, const char *content, mode_t mode) {
    unlink(path);
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, mode);
    assert_true(fd >= 0);
    size_t n = strlen(content);
    assert_int_equal(write(fd, content, n), (ssize_t)n);
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

static void read_file(const char *path, char *buf, size_t size) {
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static mode_t mode_of(const char *path) {
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

static void expect_contains(const char *err, const char *needle) {
    if (!strstr(err, needle))
        fail_msg("error '%s' does not mention '%s'", err, needle);
}

/* A fresh public key in Z85 (not written anywhere). */
static void fresh_public(char pub[41]) {
    char sec[41];
    assert_int_equal(zmq_curve_keypair(pub, sec), 0);
}

/* ------------------------------------------------------------------ */
/* keygen and load */

static void test_keygen_writes_files_that_load_back(void **state) {
    (void)state;
    alox_keys made, loaded;
    char err[1024];
    assert_true(keys_generate(dir, "node-a", false, &made, err, sizeof err));
    assert_int_equal(mode_of(path_in("node-a.key")), 0600);
    assert_int_equal(mode_of(path_in("node-a.pub")), 0644);

    char text[128];
    read_file(path_in("node-a.key"), text, sizeof text);
    assert_int_equal(strlen(text), 41);
    assert_int_equal(text[40], '\n');
    assert_memory_equal(text, made.secret_z85, 40);
    read_file(path_in("node-a.pub"), text, sizeof text);
    assert_int_equal(strlen(text), 41);
    assert_memory_equal(text, made.public_z85, 40);

    assert_true(keys_load(path_in("node-a.key"), &loaded, err, sizeof err));
    assert_string_equal(loaded.public_z85, made.public_z85);
    assert_string_equal(loaded.secret_z85, made.secret_z85);
    assert_memory_equal(loaded.public_key, made.public_key, KEYS_BIN_LEN);
    assert_memory_equal(loaded.secret_key, made.secret_key, KEYS_BIN_LEN);
    uint8_t decoded[32];
    assert_non_null(zmq_z85_decode(decoded, made.public_z85));
    assert_memory_equal(decoded, loaded.public_key, 32);

    /* Nothing else is left in the directory (no temporary files). */
    char cmd[700];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 2", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_keygen_creates_the_directory_and_ignores_the_umask(void **state) {
    (void)state;
    char err[1024];
    mode_t old = umask(077);
    assert_true(keys_generate(path_in("new/"), "b", false, NULL, err, sizeof err));
    umask(old);
    assert_int_equal(mode_of(path_in("new")), 0700);
    assert_int_equal(mode_of(path_in("new/b.key")), 0600);
    assert_int_equal(mode_of(path_in("new/b.pub")), 0644);
    old = umask(0);
    assert_true(keys_generate(path_in("new"), "c", false, NULL, err, sizeof err));
    umask(old);
    assert_int_equal(mode_of(path_in("new/c.key")), 0600);
    assert_int_equal(mode_of(path_in("new/c.pub")), 0644);
}

static void test_keygen_refuses_to_overwrite_unless_told(void **state) {
    (void)state;
    alox_keys first, again;
    char err[1024];
    assert_true(keys_generate(dir, "a", false, &first, err, sizeof err));
    assert_false(keys_generate(dir, "a", false, &again, err, sizeof err));
    expect_contains(err, "a.key exists already");
    /* The old pair is untouched. */
    assert_true(keys_load(path_in("a.key"), &again, err, sizeof err));
    assert_string_equal(again.secret_z85, first.secret_z85);

    /* A lone .pub also blocks, and then no secret key is written. */
    unlink(path_in("a.key"));
    assert_false(keys_generate(dir, "a", false, NULL, err, sizeof err));
    expect_contains(err, "a.pub exists already");
    assert_int_equal(access(path_in("a.key"), F_OK), -1);

    assert_true(keys_generate(dir, "a", true, &again, err, sizeof err));
    assert_string_not_equal(again.secret_z85, first.secret_z85);
    assert_int_equal(mode_of(path_in("a.key")), 0600);
    alox_keys loaded;
    assert_true(keys_load(path_in("a.key"), &loaded, err, sizeof err));
    assert_string_equal(loaded.public_z85, again.public_z85);
}

static void test_keygen_checks_the_name(void **state) {
    (void)state;
    char err[1024];
    const char *bad[] = {"", "a/b", "a b", "../x", "é", "a\nb", "a:b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(keys_generate(dir, bad[i], false, NULL, err, sizeof err));
        expect_contains(err, "bad node name");
    }
    char long_name[66];
    memset(long_name, 'x', 65);
    long_name[65] = '\0';
    assert_false(keys_name_valid(long_name));
    assert_false(keys_generate(dir, long_name, false, NULL, err, sizeof err));
    long_name[64] = '\0';
    assert_true(keys_name_valid(long_name));
    assert_true(keys_generate(dir, long_name, false, NULL, err, sizeof err));
    assert_true(keys_name_valid("A-z_0.9"));
    write_file(path_in("plain"), "x", 0644);
    assert_false(keys_generate(path_in("plain"), "x", false, NULL, err, sizeof err));
    expect_contains(err, "is not a directory");
}

static void test_public_path(void **state) {
    (void)state;
    char out[64];
    assert_true(keys_public_path("k/a.key", out, sizeof out));
    assert_string_equal(out, "k/a.pub");
    assert_true(keys_public_path("k/secret", out, sizeof out));
    assert_string_equal(out, "k/secret.pub");
    assert_true(keys_public_path(".key", out, sizeof out));
    assert_string_equal(out, ".key.pub");
    assert_false(keys_public_path("a-rather-long-name.key", out, 8));
}

static void test_load_path_without_key_ending(void **state) {
    (void)state;
    alox_keys made, loaded;
    char err[1024], line[64];
    assert_true(keys_generate(dir, "a", false, &made, err, sizeof err));
    snprintf(line, sizeof line, "  %s  \r\n", made.secret_z85); /* blanks are fine */
    write_file(path_in("secret"), line, 0600);
    snprintf(line, sizeof line, "%s", made.public_z85); /* no newline is fine */
    write_file(path_in("secret.pub"), line, 0644);
    assert_true(keys_load(path_in("secret"), &loaded, err, sizeof err));
    assert_string_equal(loaded.public_z85, made.public_z85);
}

static void expect_load_error(const char *secret, const char *public, const char *needle) {
    char err[1024];
    alox_keys k;
    write_file(path_in("x.key"), secret, 0600);
    if (public)
        write_file(path_in("x.pub"), public, 0644);
    else
        unlink(path_in("x.pub"));
    assert_false(keys_load(path_in("x.key"), &k, err, sizeof err));
    expect_contains(err, needle);
}

static void test_load_rejects_corrupted_keys(void **state) {
    (void)state;
    alox_keys good;
    char err[1024], pub[64], sec[64], bad[128];
    assert_true(keys_generate(dir, "good", false, &good, err, sizeof err));
    snprintf(pub, sizeof pub, "%s\n", good.public_z85);
    snprintf(sec, sizeof sec, "%s\n", good.secret_z85);

    char sec_path[700];
    snprintf(sec_path, sizeof sec_path, "secret key file %s", path_in("x.key"));
    expect_load_error("", pub, "is empty");
    expect_load_error("\n\n", pub, sec_path);
    snprintf(bad, sizeof bad, "%.39s\n", good.secret_z85); /* one character short */
    expect_load_error(bad, pub, "a Z85 key is 40 characters, this one has 39");
    expect_load_error(bad, pub, sec_path);
    snprintf(bad, sizeof bad, "%sA\n", good.secret_z85);
    expect_load_error(bad, pub, "this one has 41");
    snprintf(bad, sizeof bad, "%s\n", good.secret_z85);
    bad[7] = '~';
    expect_load_error(bad, pub, "character '~' (position 8) is not Z85");
    bad[7] = ' ';
    expect_load_error(bad, pub, "character ' ' (position 8) is not Z85");
    /* 40 Z85 characters whose groups overflow 32 bits. */
    expect_load_error("########################################\n", pub, "not valid Z85");
    /* Two keys. */
    snprintf(bad, sizeof bad, "%s\n%s\n", good.secret_z85, good.secret_z85);
    expect_load_error(bad, pub, "this one has 81");
    /* Far too long to be a key file. */
    char big[600];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    expect_load_error(big, pub, "is not a key file");

    /* The same checks for the public key, naming the .pub. */
    char pub_path[700];
    snprintf(pub_path, sizeof pub_path, "public key file %s", path_in("x.pub"));
    snprintf(bad, sizeof bad, "%.30s\n", good.public_z85);
    expect_load_error(sec, bad, pub_path);
    expect_load_error(sec, bad, "this one has 30");

    /* And the good pair, written the same way, loads. */
    write_file(path_in("x.key"), sec, 0600);
    write_file(path_in("x.pub"), pub, 0644);
    alox_keys k;
    assert_true(keys_load(path_in("x.key"), &k, err, sizeof err));
    assert_string_equal(k.public_z85, good.public_z85);
}

static void test_load_rejects_a_mismatched_pair(void **state) {
    (void)state;
    alox_keys a, b, k;
    char err[1024], cmd[1600];
    assert_true(keys_generate(dir, "a", false, &a, err, sizeof err));
    assert_true(keys_generate(dir, "b", false, &b, err, sizeof err));
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path_in("b.pub"), path_in("a.pub"));
    assert_int_equal(system(cmd), 0);
    assert_false(keys_load(path_in("a.key"), &k, err, sizeof err));
    expect_contains(err, "key pair mismatch");
    expect_contains(err, path_in("a.pub"));
    expect_contains(err, path_in("a.key"));
    expect_contains(err, a.public_z85); /* the one that would match */
}

static void test_load_needs_both_files(void **state) {
    (void)state;
    alox_keys k;
    char err[1024];
    assert_false(keys_load(path_in("none.key"), &k, err, sizeof err));
    expect_contains(err, "cannot open secret key file");
    expect_contains(err, path_in("none.key"));
    expect_contains(err, "No such file");

    assert_true(keys_generate(dir, "a", false, NULL, err, sizeof err));
    unlink(path_in("a.pub"));
    assert_false(keys_load(path_in("a.key"), &k, err, sizeof err));
    expect_contains(err, "public key file");
    expect_contains(err, path_in("a.pub"));
    expect_contains(err, "is missing");

    assert_false(keys_load(dir, &k, err, sizeof err));
    expect_contains(err, "is not a regular file");
}

static void load_in_child(void *arg) {
    alox_keys k;
    char err[1024];
    if (keys_load(arg, &k, err, sizeof err))
        _exit(0);
    fprintf(stderr, "%s\n", err); /* what alox_init would print */
    _exit(1);
}

static void test_load_refuses_a_readable_secret(void **state) {
    (void)state;
    char err[1024], out[2048];
    assert_true(keys_generate(dir, "a", false, NULL, err, sizeof err));
    char *path = (char *)path_in("a.key");
    int status = test_run_child(load_in_child, path, out, sizeof out);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_string_equal(out, ""); /* 0600: quiet */

    assert_int_equal(chmod(path, 0640), 0);
    status = test_run_child(load_in_child, path, out, sizeof out);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1); /* refused, as ssh does */
    expect_contains(out, "refused");
    expect_contains(out, path);
    expect_contains(out, "0640");
    expect_contains(out, "chmod 600");
}

static void test_z85_valid(void **state) {
    (void)state;
    char pub[41];
    fresh_public(pub);
    uint8_t key[32], want[32];
    assert_true(keys_z85_valid(pub, key));
    assert_non_null(zmq_z85_decode(want, pub));
    assert_memory_equal(key, want, 32);
    assert_false(keys_z85_valid("short", NULL));
    assert_false(keys_z85_valid(NULL, NULL));
    assert_false(keys_z85_valid("########################################", NULL));
}

/* ------------------------------------------------------------------ */
/* trust files */

static void test_trust_file_loads_and_finds(void **state) {
    (void)state;
    char a[41], b[41], c[41], other[41], text[1024], err[1024];
    fresh_public(a);
    fresh_public(b);
    fresh_public(c);
    fresh_public(other);
    snprintf(text, sizeof text,
             "# the farm\n"
             "\n"
             "a %s\n"
             "   \t  \n"
             "  b\t\t%s   \r\n"
             "    # indented comment\n"
             "c.node-1 %s # trailing comment\n",
             a, b, c);
    write_file(path_in("trust"), text, 0644);
    alox_trust t;
    assert_true(trust_load(path_in("trust"), &t, err, sizeof err));
    assert_int_equal(t.count, 3);
    assert_string_equal(t.path, path_in("trust"));
    assert_string_equal(t.entries[0].name, "a");
    assert_int_equal(t.entries[0].line, 3);
    assert_string_equal(t.entries[1].name, "b");
    assert_string_equal(t.entries[1].public_z85, b);
    assert_int_equal(t.entries[1].line, 5);
    assert_string_equal(t.entries[2].name, "c.node-1");
    assert_int_equal(t.entries[2].line, 7);
    assert_int_equal(t.entries[2].node_id, node_id_of("c.node-1"));

    assert_ptr_equal(trust_find_name(&t, "b"), &t.entries[1]);
    assert_null(trust_find_name(&t, "d"));
    assert_ptr_equal(trust_find_z85(&t, c), &t.entries[2]);
    assert_null(trust_find_z85(&t, other));
    assert_null(trust_find_z85(&t, "not a key"));
    uint8_t bin[32];
    assert_non_null(zmq_z85_decode(bin, a));
    assert_ptr_equal(trust_find_key(&t, bin), &t.entries[0]);
    assert_non_null(zmq_z85_decode(bin, other));
    assert_null(trust_find_key(&t, bin));
    assert_ptr_equal(trust_find_node_id(&t, node_id_of("b")), &t.entries[1]);
    assert_true(trust_check_ids(&t, "a", err, sizeof err));
    assert_true(trust_check_ids(&t, NULL, err, sizeof err));
    trust_free(&t);
    assert_null(t.entries);
    assert_int_equal(t.count, 0);
    trust_free(&t); /* twice is harmless */

    write_file(path_in("empty"), "# nobody yet\n\n", 0644);
    assert_true(trust_load(path_in("empty"), &t, err, sizeof err));
    assert_int_equal(t.count, 0);
    trust_free(&t);
}

static void expect_trust_error(const char *text, const char *needle1, const char *needle2) {
    char err[1024];
    alox_trust t;
    write_file(path_in("t.txt"), text, 0644);
    assert_false(trust_load(path_in("t.txt"), &t, err, sizeof err));
    assert_null(t.entries);
    char where[800];
    snprintf(where, sizeof where, "trust file %s, line ", path_in("t.txt"));
    expect_contains(err, where);
    expect_contains(err, needle1);
    if (needle2)
        expect_contains(err, needle2);
}

static void test_trust_file_errors_name_the_line(void **state) {
    (void)state;
    char a[41], b[41], text[1024];
    fresh_public(a);
    fresh_public(b);

    snprintf(text, sizeof text, "# x\na %s\nb/c %s\n", a, b);
    expect_trust_error(text, "line 3: bad node name 'b/c'", "A-Z a-z 0-9 _ . -");
    char long_name[70];
    memset(long_name, 'n', 65);
    long_name[65] = '\0';
    snprintf(text, sizeof text, "%s %s\n", long_name, a);
    expect_trust_error(text, "line 1: bad node name", NULL);

    snprintf(text, sizeof text, "a %s\n\nb\n", a);
    expect_trust_error(text, "line 3: no key after the name 'b'", "write 'b Z85_PUBLIC_KEY'");

    snprintf(text, sizeof text, "a %.39s\n", a);
    expect_trust_error(text, "line 1: bad key for 'a'", "40 characters, this one has 39");
    snprintf(text, sizeof text, "a %s\nb %s\n", a, b);
    text[strlen(text) - 5] = '~';
    expect_trust_error(text, "line 2: bad key for 'b'", "character '~' (position 37) is not Z85");
    expect_trust_error("x ########################################\n", "line 1: bad key for 'x'",
                       "not valid Z85");

    snprintf(text, sizeof text, "a %s extra\n", a);
    expect_trust_error(text, "line 1: unexpected 'extra' after the key of 'a'", NULL);

    snprintf(text, sizeof text, "a %s\nb %s\n\na %s\n", a, b, b);
    expect_trust_error(text, "line 4: duplicate name 'a' (already on line 1)", NULL);

    snprintf(text, sizeof text, "a %s\n#\nb %s\nc %s\n", a, b, a);
    expect_trust_error(text, "line 4: duplicate key: 'c' has the same public key as 'a' on line 1",
                       NULL);

    char err[1024];
    alox_trust t;
    assert_false(trust_load(path_in("missing.txt"), &t, err, sizeof err));
    expect_contains(err, "cannot open trust file");
    expect_contains(err, path_in("missing.txt"));
    assert_false(trust_load(dir, &t, err, sizeof err));
    expect_contains(err, "is not a regular file");
    /* A FIFO neither hangs nor loads. */
    assert_int_equal(mkfifo(path_in("fifo"), 0600), 0);
    assert_false(trust_load(path_in("fifo"), &t, err, sizeof err));
    expect_contains(err, "is not a regular file");
    alox_keys k;
    assert_false(keys_load(path_in("fifo"), &k, err, sizeof err));
    expect_contains(err, "is not a regular file");
}

/* ------------------------------------------------------------------ */
/* node ids */

static void test_node_id_is_the_low_bits_of_the_hash_never_zero(void **state) {
    (void)state;
    assert_int_equal(node_id_of("a"), (uint16_t)alox_hash("a"));
    assert_int_equal(node_id_of("node-1"), (uint16_t)alox_hash("node-1"));
    /* Find a name whose hash has 16 low zero bits: it gets id 1. */
    char name[32];
    bool found = false;
    for (unsigned i = 0; i < 10u * 65536 && !found; i++) {
        snprintf(name, sizeof name, "n%u", i);
        found = (alox_hash(name) & 0xffff) == 0;
    }
    assert_true(found);
    assert_int_equal(node_id_of(name), 1);
}

/* Two different names with the same node id, found by brute force. */
static void colliding_names(char first[32], char second[32]) {
    static int seen[65536]; /* index + 1 of the name with that id */
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < 1000000; i++) {
        char name[32];
        snprintf(name, sizeof name, "node%d", i);
        uint16_t id = node_id_of(name);
        if (seen[id]) {
            snprintf(first, 32, "node%d", seen[id] - 1);
            snprintf(second, 32, "%s", name);
            return;
        }
        seen[id] = i + 1;
    }
    fail_msg("no collision found");
}

static void test_node_id_collisions_are_reported(void **state) {
    (void)state;
    char x[32], y[32], a[41], b[41], c[41], text[1024], err[1024];
    colliding_names(x, y);
    assert_string_not_equal(x, y);
    assert_int_equal(node_id_of(x), node_id_of(y));
    fresh_public(a);
    fresh_public(b);
    fresh_public(c);

    /* Two names in the file. */
    snprintf(text, sizeof text, "%s %s\nplain %s\n%s %s\n", x, a, b, y, c);
    write_file(path_in("t.txt"), text, 0644);
    alox_trust t;
    assert_true(trust_load(path_in("t.txt"), &t, err, sizeof err)); /* well formed */
    assert_false(trust_check_ids(&t, NULL, err, sizeof err));
    expect_contains(err, "node id collision");
    char want[200];
    snprintf(want, sizeof want, "'%s' (trust file %s, line 1) and '%s' (line 3)", x,
             path_in("t.txt"), y);
    expect_contains(err, want);
    snprintf(want, sizeof want, "node id %u", node_id_of(x));
    expect_contains(err, want);
    trust_free(&t);

    /* This node's own name against a name in the file. */
    snprintf(text, sizeof text, "plain %s\n%s %s\n", b, y, c);
    write_file(path_in("t.txt"), text, 0644);
    assert_true(trust_load(path_in("t.txt"), &t, err, sizeof err));
    assert_true(trust_check_ids(&t, y, err, sizeof err)); /* itself: fine */
    assert_true(trust_check_ids(&t, "plain", err, sizeof err));
    assert_false(trust_check_ids(&t, x, err, sizeof err));
    snprintf(want, sizeof want, "this node '%s' and '%s' (trust file %s, line 2)", x, y,
             path_in("t.txt"));
    expect_contains(err, want);
    trust_free(&t);
}

static void test_trust_check_self(void **state) {
    (void)state;
    alox_keys me;
    char other[41], text[1024], err[1024];
    assert_true(keys_generate(dir, "me", false, &me, err, sizeof err));
    fresh_public(other);
    alox_trust t;

    snprintf(text, sizeof text, "me %s\nyou %s\n", me.public_z85, other);
    write_file(path_in("t.txt"), text, 0644);
    assert_true(trust_load(path_in("t.txt"), &t, err, sizeof err));
    assert_true(trust_check_self(&t, "me", &me, err, sizeof err));
    /* Node "you" with the key of "me". */
    assert_false(trust_check_self(&t, "you", &me, err, sizeof err));
    expect_contains(err, "line 2 lists this node 'you' with another public key");
    /* An unlisted name with the key of "me". */
    assert_false(trust_check_self(&t, "stranger", &me, err, sizeof err));
    expect_contains(err,
                    "line 1 gives this node's public key to 'me', but this node is 'stranger'");
    trust_free(&t);

    snprintf(text, sizeof text, "you %s\nme %s\n", me.public_z85, other);
    write_file(path_in("t.txt"), text, 0644);
    assert_true(trust_load(path_in("t.txt"), &t, err, sizeof err));
    assert_false(trust_check_self(&t, "me", &me, err, sizeof err));
    expect_contains(err, "line 2 lists this node 'me' with another public key");
    trust_free(&t);

    snprintf(text, sizeof text, "you %s\n", other);
    write_file(path_in("t.txt"), text, 0644);
    assert_true(trust_load(path_in("t.txt"), &t, err, sizeof err));
    assert_true(trust_check_self(&t, "me", &me, err, sizeof err)); /* not listed: fine */
    trust_free(&t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_keygen_writes_files_that_load_back, setup_dir),
        cmocka_unit_test_setup(test_keygen_creates_the_directory_and_ignores_the_umask, setup_dir),
        cmocka_unit_test_setup(test_keygen_refuses_to_overwrite_unless_told, setup_dir),
        cmocka_unit_test_setup(test_keygen_checks_the_name, setup_dir),
        cmocka_unit_test(test_public_path),
        cmocka_unit_test_setup(test_load_path_without_key_ending, setup_dir),
        cmocka_unit_test_setup(test_load_rejects_corrupted_keys, setup_dir),
        cmocka_unit_test_setup(test_load_rejects_a_mismatched_pair, setup_dir),
        cmocka_unit_test_setup(test_load_needs_both_files, setup_dir),
        cmocka_unit_test_setup(test_load_refuses_a_readable_secret, setup_dir),
        cmocka_unit_test(test_z85_valid),
        cmocka_unit_test_setup(test_trust_file_loads_and_finds, setup_dir),
        cmocka_unit_test_setup(test_trust_file_errors_name_the_line, setup_dir),
        cmocka_unit_test(test_node_id_is_the_low_bits_of_the_hash_never_zero),
        cmocka_unit_test_setup(test_node_id_collisions_are_reported, setup_dir),
        cmocka_unit_test_setup(test_trust_check_self, setup_dir),
    };
    return cmocka_run_group_tests(tests, setup_root, teardown_root);
}
