/*
 * member_record.h - what a node writes about itself into etcd, and the
 * checks a record must pass before this node uses it.
 *
 *   key    /alox/CLUSTER/members/NAME
 *   value  {"name":"NAME","address":"tcp://HOST:PORT","key":"Z85 public key",
 *           "incarnation":"N"}
 *
 * The incarnation (a decimal string: JSON numbers lose 64-bit integers)
 * is the wall-clock time in microseconds when the process started: a
 * restarted node has a greater one, and the others treat its old actors
 * as down.
 *
 * etcd gives addresses, never trust: member_record_check accepts a record
 * only if its name is in this node's trust file with exactly the key the
 * record names (the transport takes keys from the trust file alone; this
 * check makes a record with a foreign key visible, in the log, instead
 * of failing later at the CURVE handshake).
 *
 * Thread-safety: pure functions of their arguments.
 */
#ifndef ALOX_MEMBER_RECORD_H
#define ALOX_MEMBER_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "security/keys.h"

#define MEMBER_ADDRESS_MAX 255

typedef struct member_record {
    char name[KEYS_NAME_MAX + 1];
    char address[MEMBER_ADDRESS_MAX + 1];
    char key_z85[KEYS_Z85_LEN + 1];
    uint64_t incarnation;
} member_record;

/* The record as JSON (malloc'd, NUL-terminated), or NULL when out of
 * memory or when Jansson cannot be loaded (cluster_libs.h; both functions
 * load it on first use). */
char *member_record_encode(const member_record *r);

/* Parses a record; false with why[why_size] if it is not one (not JSON,
 * a field missing or malformed: bad name, key or address). */
bool member_record_decode(const char *json, size_t size, member_record *out, char *why,
                          size_t why_size);

/* Is the record one this node may use? False with why if its name is not
 * in the trust file, or is there with another key. */
bool member_record_check(const member_record *r, const alox_trust *trust, char *why,
                         size_t why_size);

/* Where records of cluster live: "/alox/CLUSTER/members/" (a prefix). */
void member_prefix(const char *cluster, char *out, size_t out_size);

#endif
