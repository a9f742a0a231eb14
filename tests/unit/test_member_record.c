/* test_member_record.c - what the cluster layer accepts from etcd: the
 * --alox-cluster URL, member records (well formed or not), and the trust
 * check (a record is used only with the trust file's key for its name). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "cluster/member_record.h"
#include "cluster/membership.h"

static void url_parts(void **state) {
    (void)state;
    cluster_url u;
    char why[256];
    assert_true(cluster_url_parse("etcd://127.0.0.1:2379/farm", &u, why, sizeof why));
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(u.port, 2379);
    assert_string_equal(u.cluster, "farm");
    assert_true(cluster_url_parse("etcd://[::1]:12379/a.b-c_d", &u, why, sizeof why));
    assert_string_equal(u.host, "[::1]");
    assert_int_equal(u.port, 12379);
}

static void url_refused(void **state) {
    (void)state;
    cluster_url u;
    char why[256];
    const char *bad[] = {
        "http://127.0.0.1:2379/farm", "etcd://127.0.0.1/farm",  "etcd://127.0.0.1:2379",
        "etcd://127.0.0.1:2379/",     "etcd://127.0.0.1:0/farm", "etcd://127.0.0.1:70000/farm",
        "etcd://:2379/farm",          "etcd://h:2379/a/b",       "etcd://h:23x9/farm",
        "etcd://h:2379/f arm",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why[0] = '\0';
        assert_false(cluster_url_parse(bad[i], &u, why, sizeof why));
        assert_true(why[0] != '\0'); /* says why */
    }
}

static char key_a[41], key_b[41];

static void record_round_trip(void **state) {
    (void)state;
    member_record r = {.incarnation = 1796185799982889ull};
    snprintf(r.name, sizeof r.name, "w1");
    snprintf(r.address, sizeof r.address, "tcp://127.0.0.1:7000");
    memcpy(r.key_z85, key_a, sizeof r.key_z85);
    char *json = member_record_encode(&r);
    assert_non_null(json);
    member_record back;
    char why[256];
    assert_true(member_record_decode(json, strlen(json), &back, why, sizeof why));
    assert_string_equal(back.name, "w1");
    assert_string_equal(back.address, "tcp://127.0.0.1:7000");
    assert_string_equal(back.key_z85, key_a);
    assert_true(back.incarnation == r.incarnation); /* 64 bits survive: a string, not a JSON number */
    free(json);
}

static void record_malformed(void **state) {
    (void)state;
    char good_key[128];
    snprintf(good_key, sizeof good_key, "\"key\":\"%s\"", key_a);
    char cases[8][512];
    snprintf(cases[0], 512, "not json");
    snprintf(cases[1], 512, "[1,2]");
    snprintf(cases[2], 512, "{\"address\":\"tcp://h:1\",%s,\"incarnation\":\"1\"}", good_key);
    snprintf(cases[3], 512, "{\"name\":\"bad name\",\"address\":\"tcp://h:1\",%s,\"incarnation\":\"1\"}", good_key);
    snprintf(cases[4], 512, "{\"name\":\"w\",\"address\":\"udp://h:1\",%s,\"incarnation\":\"1\"}", good_key);
    snprintf(cases[5], 512, "{\"name\":\"w\",\"address\":\"tcp://h:1\",\"key\":\"short\",\"incarnation\":\"1\"}");
    snprintf(cases[6], 512, "{\"name\":\"w\",\"address\":\"tcp://h:1\",%s,\"incarnation\":\"0\"}", good_key);
    snprintf(cases[7], 512, "{\"name\":\"w\",\"address\":\"tcp://h:1\",%s,\"incarnation\":12}", good_key);
    for (size_t i = 0; i < 8; i++) {
        member_record r;
        char why[256] = "";
        assert_false(member_record_decode(cases[i], strlen(cases[i]), &r, why, sizeof why));
        assert_true(why[0] != '\0');
    }
}

static void record_trust(void **state) {
    (void)state;
    char path[] = "/tmp/alox-test-trust-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    dprintf(fd, "w1 %s\n", key_a);
    close(fd);
    alox_trust trust;
    char err[512];
    assert_true(trust_load(path, &trust, err, sizeof err));
    member_record r = {.incarnation = 1};
    snprintf(r.address, sizeof r.address, "tcp://127.0.0.1:7000");
    char why[512];
    snprintf(r.name, sizeof r.name, "w1");
    memcpy(r.key_z85, key_a, sizeof r.key_z85);
    assert_true(member_record_check(&r, &trust, why, sizeof why));
    memcpy(r.key_z85, key_b, sizeof r.key_z85); /* a trusted name with another key: forged */
    assert_false(member_record_check(&r, &trust, why, sizeof why));
    assert_non_null(strstr(why, "is not the key the trust file"));
    snprintf(r.name, sizeof r.name, "w2"); /* not in the trust file at all */
    assert_false(member_record_check(&r, &trust, why, sizeof why));
    assert_non_null(strstr(why, "is not in the trust file"));
    trust_free(&trust);
    unlink(path);
}

int main(void) {
    char secret[41];
    if (zmq_curve_keypair(key_a, secret) != 0 || zmq_curve_keypair(key_b, secret) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(url_parts),         cmocka_unit_test(url_refused),
        cmocka_unit_test(record_round_trip), cmocka_unit_test(record_malformed),
        cmocka_unit_test(record_trust),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
