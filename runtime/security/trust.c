/* trust.c - trust files: which nodes (name, CURVE public key) a scheduler
 * admits. The API and the file format are documented in keys.h. */
#include "keys.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    if (!keys_z85_check(key, e->public_key, kwhy, sizeof kwhy)) {
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
