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
bool keys_z85_check(const char *text, uint8_t *key32, char *why, size_t why_size) {
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
    return text && keys_z85_check(text, key32, why, sizeof why);
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
    else if (!keys_z85_check(s, key32, why, sizeof why))
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
    if (mode & 077) { /* as ssh does: a key others may have read is no secret */
        snprintf(err, err_size,
                 "secret key file %s can be accessed by group or others (mode %04o), so it is "
                 "refused: run 'chmod 600 %s' (and make a new key with 'alox keygen' if others "
                 "may have read it)",
                 secret_path, (unsigned)mode, secret_path);
        wipe(&k, sizeof k);
        return false;
    }
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
