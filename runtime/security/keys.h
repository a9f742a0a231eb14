/*
 * keys.h - CurveZMQ key pairs and trust files for distribution
 * (README.md, "Distribution").
 *
 * Keys are Z85 text (40 characters for 32 bytes), made and checked with
 * libzmq (zmq_curve_keypair, zmq_curve_public, zmq_z85_decode).
 *
 *   DIR/NAME.key   the secret key: one line, Z85, mode 0600
 *   DIR/NAME.pub   the public key: one line, Z85, mode 0644
 *
 * A trust file lists the nodes a scheduler admits, one per line:
 *
 *   # comment                       (a line whose first non-blank is #)
 *   NAME Z85_PUBLIC_KEY             (blanks around and between are free;
 *                                    a " # comment" may follow the key)
 *
 * Names are node names: 1 to 64 of A-Z a-z 0-9 _ . -  Within one file no
 * name and no key appears twice, and no two names have the same node id.
 *
 * Every function that can fail returns false and writes one line saying
 * what is wrong, naming the file (and the line, for trust files), into
 * err[err_size] (always NUL-terminated when err_size > 0).
 *
 * Thread-safety: keys_generate, keys_load and trust_load touch only their
 * arguments and the files named; call them from any thread, one call per
 * output struct at a time. A loaded alox_keys or alox_trust is read-only
 * afterwards: any number of threads may call the lookups (trust_find_*,
 * node_id_of, keys_name_valid) at the same time, as long as no thread
 * calls trust_free on it meanwhile.
 */
#ifndef ALOX_KEYS_H
#define ALOX_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KEYS_Z85_LEN 40  /* characters of a Z85 key (no NUL) */
#define KEYS_BIN_LEN 32  /* bytes of a Curve25519 key */
#define KEYS_NAME_MAX 64 /* characters of a node name */

/* One node's own key pair. Both forms of each key, as ZMQ_CURVE_*KEY
 * accept either (32 bytes, or 40 characters + NUL). */
typedef struct alox_keys {
    char public_z85[KEYS_Z85_LEN + 1];
    char secret_z85[KEYS_Z85_LEN + 1];
    uint8_t public_key[KEYS_BIN_LEN];
    uint8_t secret_key[KEYS_BIN_LEN];
} alox_keys;

/* One line of a trust file. */
typedef struct trust_entry {
    char name[KEYS_NAME_MAX + 1];
    char public_z85[KEYS_Z85_LEN + 1];
    uint8_t public_key[KEYS_BIN_LEN];
    uint16_t node_id; /* node_id_of(name) */
    unsigned line;    /* line number in the file, from 1 */
} trust_entry;

/* A loaded trust file: entries in file order. */
typedef struct alox_trust {
    char *path; /* the file, as given to trust_load (for messages) */
    trust_entry *entries;
    size_t count;
} alox_trust;

/* True if name is a valid node name: [A-Za-z0-9_.-]{1,64}. */
bool keys_name_valid(const char *name);

/* True if text is exactly 40 Z85 characters that decode to 32 bytes
 * (written to key32 if it is not NULL). */
bool keys_z85_valid(const char *text, uint8_t *key32);

/* The node id of a node name: the low 16 bits of alox_hash(name), with 0
 * mapped to 1 (node id 0 means "local only"). Never 0. */
uint16_t node_id_of(const char *name);

/* Like keys_z85_valid, and says why not in why[why_size]. */
bool keys_z85_check(const char *text, uint8_t *key32, char *why, size_t why_size);

/* Makes a new key pair and writes DIR/NAME.key (secret, mode 0600) and
 * DIR/NAME.pub (public, mode 0644), each one Z85 line. Each file is
 * written under a temporary name created with O_CREAT|O_EXCL (the secret
 * one with mode 0600 from the start), synced, then moved into place, so
 * a reader never sees a partial file and the secret is never readable by
 * others. DIR is created (mode 0700, not its parents) if it does not
 * exist. Unless overwrite is true, an existing DIR/NAME.key or
 * DIR/NAME.pub is an error and nothing is written. NAME must satisfy
 * keys_name_valid. If out is not NULL it receives the new pair. */
bool keys_generate(const char *dir, const char *name, bool overwrite, alox_keys *out, char *err,
                   size_t err_size);

/* The public key path that belongs to a secret key path: PATH with its
 * ".key" ending replaced by ".pub", or PATH + ".pub" if it does not end in
 * ".key". Returns false if it does not fit in out[out_size]. */
bool keys_public_path(const char *secret_path, char *out, size_t out_size);

/* Reads the secret key file and the public key file beside it
 * (keys_public_path) into *out. Each must hold one Z85 key of 40
 * characters (surrounding blanks and a final newline are allowed) that
 * decodes; the public key must be the one of the secret key
 * (zmq_curve_public): a mismatched pair is an error. A secret file that
 * group or others can read or write is an error too, as for ssh (the
 * message says to run chmod 600). */
bool keys_load(const char *secret_path, alox_keys *out, char *err, size_t err_size);

/* Reads a public key file (one Z85 line) into public_z85 / public_key
 * (either may be NULL). */
bool keys_load_public(const char *path, char *public_z85, uint8_t *public_key, char *err,
                      size_t err_size);

/* Reads and checks a trust file into *out (see the format above). Errors
 * name the file and the line: bad name, bad key, missing key, extra text,
 * duplicate name, duplicate key. An empty file (or only comments) is a
 * valid, empty trust list. On failure *out is empty (nothing to free). */
bool trust_load(const char *path, alox_trust *out, char *err, size_t err_size);

/* Releases what trust_load allocated; *t becomes empty. NULL-safe. */
void trust_free(alox_trust *t);

/* Lookups; NULL if not trusted. trust_find_key takes the 32-byte key
 * (as the ZAP handler receives it), trust_find_z85 the 40-character form
 * (anything else finds nothing). */
const trust_entry *trust_find_name(const alox_trust *t, const char *name);
const trust_entry *trust_find_key(const alox_trust *t, const uint8_t key[KEYS_BIN_LEN]);
const trust_entry *trust_find_z85(const alox_trust *t, const char *z85);
const trust_entry *trust_find_node_id(const alox_trust *t, uint16_t node_id);

/* Checks that no two names in the trust file, nor own_name (this node's
 * name; may be NULL) and a different name in the file, share a node id.
 * The error names both names, their lines, and the id. */
bool trust_check_ids(const alox_trust *t, const char *own_name, char *err, size_t err_size);

/* Checks this node against the trust file: if own_name is listed its key
 * must be keys->public_z85, and keys->public_z85 must not be listed under
 * another name (peers would take this node for that one). */
bool trust_check_self(const alox_trust *t, const char *own_name, const alox_keys *keys,
                      char *err, size_t err_size);

#endif
