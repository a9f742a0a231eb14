/* keys.c - see keys.h. */
#include "keys.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "alox/abi.h"

#define Z85_ALPHABET \
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"

/* A key file is one line; anything longer than this is not a key file. */
#define KEY_FILE_MAX 256

static void wipe(void *p, size_t n) { explicit_bzero(p, n); }

bool keys_name_valid(const char *name) {
    size_t n = 0;
    for (const char *p = name; *p; p++, n++) {
        if (n >= KEYS_NAME_MAX)
            return false;
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
            return false;
    }
    return n > 0;
}

/* Says what is wrong with a would-be Z85 key (into why), or returns true. */
static bool z85_check(const char *text, uint8_t *key32, char *why, size_t why_size) {
    size_t n = strlen(text);
    if (n != KEYS_Z85_LEN) {
        snprintf(why, why_size, "a Z85 key is %d characters, this one has %zu", KEYS_Z85_LEN, n);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!strchr(Z85_ALPHABET, text[i])) {
            unsigned char c = (unsigned char)text[i];
            if (isprint(c))
                snprintf(why, why_size, "character '%c' (position %zu) is not Z85", c, i + 1);
            else
                snprintf(why, why_size, "byte 0x%02x (position %zu) is not Z85", c, i + 1);
            return false;
        }
    }
    uint8_t bin[KEYS_BIN_LEN];
    if (!zmq_z85_decode(bin, text)) {
        snprintf(why, why_size, "it is not valid Z85 (a group of 5 characters is out of range)");
        return false;
    }
    if (key32)
        memcpy(key32, bin, sizeof bin);
    wipe(bin, sizeof bin);
    return true;
}

bool keys_z85_valid(const char *text, uint8_t *key32) {
    char why[128];
    return text && z85_check(text, key32, why, sizeof why);
}

uint16_t node_id_of(const char *name) {
    uint16_t id = (uint16_t)(alox_hash(name) & 0xffffu);
    return id ? id : 1;
}

bool keys_public_path(const char *secret_path, char *out, size_t out_size) {
    size_t n = strlen(secret_path);
    int w;
    if (n > 4 && strcmp(secret_path + n - 4, ".key") == 0)
        w = snprintf(out, out_size, "%.*s.pub", (int)(n - 4), secret_path);
    else
        w = snprintf(out, out_size, "%s.pub", secret_path);
    return w >= 0 && (size_t)w < out_size;
}

/* ------------------------------------------------------------------ */
/* Reading key files */

/* Reads the one key in a key file into z85[41]. what: "secret key file"
 * or "public key file". *mode receives the file's permission bits. */
static bool read_key_file(const char *path, const char *what, char z85[KEYS_Z85_LEN + 1],
                          mode_t *mode, uint8_t *key32, char *err, size_t err_size) {
    /* O_NONBLOCK: a FIFO in place of a key must not hang us before fstat. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        snprintf(err, err_size, "cannot open %s %s: %s", what, path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, err_size, "%s %s is not a regular file", what, path);
        close(fd);
        return false;
    }
    if (mode)
        *mode = st.st_mode & 07777;
    char buf[KEY_FILE_MAX + 1];
    size_t used = 0;
    for (;;) {
        ssize_t got = read(fd, buf + used, sizeof buf - 1 - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            snprintf(err, err_size, "cannot read %s %s: %s", what, path, strerror(errno));
            close(fd);
            wipe(buf, sizeof buf);
            return false;
        }
        if (got == 0)
            break;
        used += (size_t)got;
        if (used == sizeof buf - 1) {
            snprintf(err, err_size, "%s %s is not a key file: longer than %d bytes (it should be one line of %d Z85 characters)",
                     what, path, KEY_FILE_MAX - 1, KEYS_Z85_LEN);
            close(fd);
            wipe(buf, sizeof buf);
            return false;
        }
    }
    close(fd);
    buf[used] = '\0';
    if (memchr(buf, '\0', used)) {
        snprintf(err, err_size, "%s %s is not a key file: it holds a NUL byte", what, path);
        wipe(buf, sizeof buf);
        return false;
    }
    char *s = buf;
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    bool ok = false;
    char why[128];
    if (*s == '\0')
        snprintf(err, err_size, "%s %s is empty (it should be one line of %d Z85 characters)", what,
                 path, KEYS_Z85_LEN);
    else if (!z85_check(s, key32, why, sizeof why))
        snprintf(err, err_size, "%s %s does not hold a valid key: %s", what, path, why);
    else {
        memcpy(z85, s, KEYS_Z85_LEN + 1);
        ok = true;
    }
    wipe(buf, sizeof buf);
    return ok;
}

bool keys_load_public(const char *path, char *public_z85, uint8_t *public_key, char *err,
                      size_t err_size) {
    char z85[KEYS_Z85_LEN + 1];
    if (!read_key_file(path, "public key file", z85, NULL, public_key, err, err_size))
        return false;
    if (public_z85)
        memcpy(public_z85, z85, sizeof z85);
    return true;
}

bool keys_load(const char *secret_path, alox_keys *out, char *err, size_t err_size) {
    alox_keys k;
    memset(&k, 0, sizeof k);
    char pub_path[PATH_MAX];
    if (!keys_public_path(secret_path, pub_path, sizeof pub_path)) {
        snprintf(err, err_size, "secret key file path is too long: %.200s", secret_path);
        return false;
    }
    mode_t mode = 0;
    if (!read_key_file(secret_path, "secret key file", k.secret_z85, &mode, k.secret_key, err,
                       err_size))
        return false;
    if (mode & 077)
        fprintf(stderr,
                "alox: warning: secret key file %s can be accessed by group or others (mode %04o): "
                "run 'chmod 600 %s'\n",
                secret_path, (unsigned)mode, secret_path);
    struct stat st;
    if (stat(pub_path, &st) != 0 && errno == ENOENT) {
        snprintf(err, err_size,
                 "public key file %s is missing: it must be beside the secret key file %s "
                 "('alox keygen' writes both)",
                 pub_path, secret_path);
        wipe(&k, sizeof k);
        return false;
    }
    if (!read_key_file(pub_path, "public key file", k.public_z85, NULL, k.public_key, err,
                       err_size)) {
        wipe(&k, sizeof k);
        return false;
    }
    char derived[KEYS_Z85_LEN + 1];
    if (zmq_curve_public(derived, k.secret_z85) != 0) {
        snprintf(err, err_size, "cannot derive the public key of secret key file %s: %s",
                 secret_path, zmq_strerror(zmq_errno()));
        wipe(&k, sizeof k);
        return false;
    }
    if (strcmp(derived, k.public_z85) != 0) {
        snprintf(err, err_size,
                 "key pair mismatch: public key file %s is not the public key of secret key "
                 "file %s (its public key is %s)",
                 pub_path, secret_path, derived);
        wipe(&k, sizeof k);
        return false;
    }
    *out = k;
    wipe(&k, sizeof k);
    return true;
}

/* ------------------------------------------------------------------ */
/* Writing key files */

static atomic_uint temp_counter;

/* Writes content to a new temporary file beside final_path, created with
 * O_EXCL and mode, synced. The temporary name goes into tmp[tmp_size]. */
static bool write_temp(const char *final_path, const char *content, mode_t mode, char *tmp,
                       size_t tmp_size, char *err, size_t err_size) {
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        int w = snprintf(tmp, tmp_size, "%s.tmp-%ld-%u", final_path, (long)getpid(),
                         atomic_fetch_add(&temp_counter, 1));
        if (w < 0 || (size_t)w >= tmp_size) {
            snprintf(err, err_size, "path too long: %.200s", final_path);
            return false;
        }
        fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode);
        if (fd < 0 && errno != EEXIST) {
            snprintf(err, err_size, "cannot create %s: %s", tmp, strerror(errno));
            return false;
        }
    }
    if (fd < 0) {
        snprintf(err, err_size, "cannot create a temporary file beside %s", final_path);
        return false;
    }
    /* The umask may have taken bits away from a public key's 0644. */
    bool ok = fchmod(fd, mode) == 0;
    size_t len = strlen(content), done = 0;
    while (ok && done < len) {
        ssize_t w = write(fd, content + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            ok = false;
        else
            done += (size_t)w;
    }
    ok = ok && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        snprintf(err, err_size, "cannot write %s: %s", tmp, strerror(saved));
        unlink(tmp);
    }
    return ok;
}

/* Moves tmp to final_path. Without overwrite an existing final_path is an
 * error (link(2) fails with EEXIST atomically; where hard links are not
 * supported, an existence check and rename). */
static bool install(const char *tmp, const char *final_path, bool overwrite, char *err,
                    size_t err_size) {
    if (!overwrite) {
        if (link(tmp, final_path) == 0) {
            unlink(tmp);
            return true;
        }
        if (errno == EEXIST) {
            snprintf(err, err_size, "%s exists already: not overwriting a key", final_path);
            unlink(tmp);
            return false;
        }
        struct stat st;
        if (lstat(final_path, &st) == 0) {
            snprintf(err, err_size, "%s exists already: not overwriting a key", final_path);
            unlink(tmp);
            return false;
        }
    }
    if (rename(tmp, final_path) != 0) {
        snprintf(err, err_size, "cannot rename %s to %s: %s", tmp, final_path, strerror(errno));
        unlink(tmp);
        return false;
    }
    return true;
}

static void sync_dir(const char *dir) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

bool keys_generate(const char *dir, const char *name, bool overwrite, alox_keys *out, char *err,
                   size_t err_size) {
    if (!dir || !*dir) {
        snprintf(err, err_size, "no directory given for the key files");
        return false;
    }
    if (!name || !keys_name_valid(name)) {
        snprintf(err, err_size,
                 "bad node name '%.80s': use 1 to %d of the characters A-Z a-z 0-9 _ . -",
                 name ? name : "", KEYS_NAME_MAX);
        return false;
    }
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT || mkdir(dir, 0700) != 0) {
            snprintf(err, err_size, "cannot create directory %s: %s", dir, strerror(errno));
            return false;
        }
    } else if (!S_ISDIR(st.st_mode)) {
        snprintf(err, err_size, "%s is not a directory", dir);
        return false;
    }
    char key_path[PATH_MAX], pub_path[PATH_MAX], key_tmp[PATH_MAX + 32], pub_tmp[PATH_MAX + 32];
    int dir_len = (int)strlen(dir);
    while (dir_len > 1 && dir[dir_len - 1] == '/') /* "keys/" -> "keys/a.key" */
        dir_len--;
    const char *sep = dir_len == 1 && dir[0] == '/' ? "" : "/";
    int w1 = snprintf(key_path, sizeof key_path, "%.*s%s%s.key", dir_len, dir, sep, name);
    int w2 = snprintf(pub_path, sizeof pub_path, "%.*s%s%s.pub", dir_len, dir, sep, name);
    if (w1 < 0 || w2 < 0 || (size_t)w1 >= sizeof key_path || (size_t)w2 >= sizeof pub_path) {
        snprintf(err, err_size, "path too long: %.200s/%s.key", dir, name);
        return false;
    }
    if (!overwrite) {
        const char *paths[2] = {key_path, pub_path};
        for (int i = 0; i < 2; i++) {
            if (lstat(paths[i], &st) == 0) {
                snprintf(err, err_size, "%s exists already: not overwriting a key", paths[i]);
                return false;
            }
        }
    }

    alox_keys k;
    memset(&k, 0, sizeof k);
    if (zmq_curve_keypair(k.public_z85, k.secret_z85) != 0) {
        snprintf(err, err_size, "cannot make a CURVE key pair: %s (libzmq needs CURVE support)",
                 zmq_strerror(zmq_errno()));
        return false;
    }
    if (!zmq_z85_decode(k.public_key, k.public_z85) || !zmq_z85_decode(k.secret_key, k.secret_z85)) {
        snprintf(err, err_size, "libzmq made a key pair that does not decode");
        wipe(&k, sizeof k);
        return false;
    }
    char line[KEYS_Z85_LEN + 2];
    snprintf(line, sizeof line, "%s\n", k.secret_z85);
    bool ok = write_temp(key_path, line, 0600, key_tmp, sizeof key_tmp, err, err_size);
    wipe(line, sizeof line);
    if (!ok) {
        wipe(&k, sizeof k);
        return false;
    }
    snprintf(line, sizeof line, "%s\n", k.public_z85);
    if (!write_temp(pub_path, line, 0644, pub_tmp, sizeof pub_tmp, err, err_size)) {
        unlink(key_tmp);
        wipe(&k, sizeof k);
        return false;
    }
    if (!install(key_tmp, key_path, overwrite, err, err_size)) {
        unlink(pub_tmp);
        wipe(&k, sizeof k);
        return false;
    }
    if (!install(pub_tmp, pub_path, overwrite, err, err_size)) {
        /* Do not leave a new secret key beside a public key of another pair. */
        if (!overwrite)
            unlink(key_path);
        wipe(&k, sizeof k);
        return false;
    }
    sync_dir(dir);
    if (out)
        *out = k;
    wipe(&k, sizeof k);
    return true;
}

/* ------------------------------------------------------------------ */
/* Trust files */

void trust_free(alox_trust *t) {
    if (!t)
        return;
    free(t->path);
    free(t->entries);
    t->path = NULL;
    t->entries = NULL;
    t->count = 0;
}

/* Splits off the next blank-separated token of *s (NUL-terminating it);
 * returns NULL at the end of the line. */
static char *next_token(char **s) {
    char *p = *s;
    while (isspace((unsigned char)*p))
        p++;
    if (!*p) {
        *s = p;
        return NULL;
    }
    char *start = p;
    while (*p && !isspace((unsigned char)*p))
        p++;
    if (*p)
        *p++ = '\0';
    *s = p;
    return start;
}

/* Parses one line into *e; false with an error (without the file/line
 * prefix) in why. Sets *skip for blank and comment lines. */
static bool parse_trust_line(char *line, trust_entry *e, bool *skip, char *why, size_t why_size) {
    char *s = line;
    *skip = false;
    char *name = next_token(&s);
    if (!name || name[0] == '#') {
        *skip = true;
        return true;
    }
    if (!keys_name_valid(name)) {
        snprintf(why, why_size,
                 "bad node name '%.80s%s': use 1 to %d of the characters A-Z a-z 0-9 _ . -", name,
                 strlen(name) > 80 ? "..." : "", KEYS_NAME_MAX);
        return false;
    }
    char *key = next_token(&s);
    if (!key) {
        snprintf(why, why_size, "no key after the name '%s': write '%s Z85_PUBLIC_KEY'", name,
                 name);
        return false;
    }
    char kwhy[128];
    if (!z85_check(key, e->public_key, kwhy, sizeof kwhy)) {
        snprintf(why, why_size, "bad key for '%s': %s", name, kwhy);
        return false;
    }
    char *extra = next_token(&s);
    if (extra && extra[0] != '#') {
        snprintf(why, why_size,
                 "unexpected '%.40s' after the key of '%s' (one 'NAME KEY' per line; comments "
                 "start with #)",
                 extra, name);
        return false;
    }
    snprintf(e->name, sizeof e->name, "%s", name);
    memcpy(e->public_z85, key, KEYS_Z85_LEN + 1);
    e->node_id = node_id_of(name);
    return true;
}

bool trust_load(const char *path, alox_trust *out, char *err, size_t err_size) {
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        snprintf(err, err_size, "cannot open trust file %s: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    FILE *f = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !(f = fdopen(fd, "r"))) {
        snprintf(err, err_size, "trust file %s is not a regular file", path);
        close(fd);
        return false;
    }
    alox_trust t = {.path = strdup(path)};
    size_t cap = 0;
    char *line = NULL;
    size_t line_cap = 0;
    unsigned number = 0;
    bool ok = t.path != NULL;
    if (!ok)
        snprintf(err, err_size, "out of memory reading trust file %s", path);
    while (ok) {
        errno = 0;
        ssize_t got = getline(&line, &line_cap, f);
        if (got < 0) {
            if (errno) {
                snprintf(err, err_size, "cannot read trust file %s: %s", path, strerror(errno));
                ok = false;
            }
            break;
        }
        number++;
        if (memchr(line, '\0', (size_t)got)) {
            snprintf(err, err_size, "trust file %s, line %u: holds a NUL byte (not a text file?)",
                     path, number);
            ok = false;
            break;
        }
        trust_entry e;
        memset(&e, 0, sizeof e);
        bool skip;
        char why[320];
        if (!parse_trust_line(line, &e, &skip, why, sizeof why)) {
            snprintf(err, err_size, "trust file %s, line %u: %s", path, number, why);
            ok = false;
            break;
        }
        if (skip)
            continue;
        e.line = number;
        for (size_t i = 0; i < t.count && ok; i++) {
            if (strcmp(t.entries[i].name, e.name) == 0) {
                snprintf(err, err_size, "trust file %s, line %u: duplicate name '%s' (already on line %u)",
                         path, number, e.name, t.entries[i].line);
                ok = false;
            } else if (memcmp(t.entries[i].public_key, e.public_key, KEYS_BIN_LEN) == 0) {
                snprintf(err, err_size,
                         "trust file %s, line %u: duplicate key: '%s' has the same public key as "
                         "'%s' on line %u",
                         path, number, e.name, t.entries[i].name, t.entries[i].line);
                ok = false;
            }
        }
        if (!ok)
            break;
        if (t.count == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            trust_entry *n = realloc(t.entries, ncap * sizeof *n);
            if (!n) {
                snprintf(err, err_size, "out of memory reading trust file %s", path);
                ok = false;
                break;
            }
            t.entries = n;
            cap = ncap;
        }
        t.entries[t.count++] = e;
    }
    free(line);
    fclose(f);
    if (!ok) {
        trust_free(&t);
        return false;
    }
    *out = t;
    return true;
}

const trust_entry *trust_find_name(const alox_trust *t, const char *name) {
    for (size_t i = 0; t && name && i < t->count; i++)
        if (strcmp(t->entries[i].name, name) == 0)
            return &t->entries[i];
    return NULL;
}

const trust_entry *trust_find_key(const alox_trust *t, const uint8_t key[KEYS_BIN_LEN]) {
    for (size_t i = 0; t && key && i < t->count; i++)
        if (memcmp(t->entries[i].public_key, key, KEYS_BIN_LEN) == 0)
            return &t->entries[i];
    return NULL;
}

const trust_entry *trust_find_z85(const alox_trust *t, const char *z85) {
    uint8_t key[KEYS_BIN_LEN];
    if (!z85 || !keys_z85_valid(z85, key))
        return NULL;
    return trust_find_key(t, key);
}

const trust_entry *trust_find_node_id(const alox_trust *t, uint16_t node_id) {
    for (size_t i = 0; t && i < t->count; i++)
        if (t->entries[i].node_id == node_id)
            return &t->entries[i];
    return NULL;
}

bool trust_check_ids(const alox_trust *t, const char *own_name, char *err, size_t err_size) {
    for (size_t i = 0; i < t->count; i++) {
        const trust_entry *a = &t->entries[i];
        if (own_name && strcmp(a->name, own_name) != 0 && a->node_id == node_id_of(own_name)) {
            snprintf(err, err_size,
                     "node id collision: this node '%s' and '%s' (trust file %s, line %u) both "
                     "have node id %u: rename one of them",
                     own_name, a->name, t->path, a->line, a->node_id);
            return false;
        }
        for (size_t j = i + 1; j < t->count; j++) {
            const trust_entry *b = &t->entries[j];
            if (a->node_id == b->node_id) {
                snprintf(err, err_size,
                         "node id collision: '%s' (trust file %s, line %u) and '%s' (line %u) "
                         "both have node id %u: rename one of them",
                         a->name, t->path, a->line, b->name, b->line, a->node_id);
                return false;
            }
        }
    }
    return true;
}

bool trust_check_self(const alox_trust *t, const char *own_name, const alox_keys *keys,
                      char *err, size_t err_size) {
    const trust_entry *e = trust_find_name(t, own_name);
    if (e && memcmp(e->public_key, keys->public_key, KEYS_BIN_LEN) != 0) {
        snprintf(err, err_size,
                 "trust file %s, line %u lists this node '%s' with another public key than its "
                 "own (%s): fix that line or use the matching key",
                 t->path, e->line, own_name, keys->public_z85);
        return false;
    }
    e = trust_find_key(t, keys->public_key);
    if (e && strcmp(e->name, own_name) != 0) {
        snprintf(err, err_size,
                 "trust file %s, line %u gives this node's public key to '%s', but this node is "
                 "'%s': peers would take it for '%s'",
                 t->path, e->line, e->name, own_name, e->name);
        return false;
    }
    return true;
}
