/*
 * detect.c - could this source use Alox? Answered from the text alone,
 * without loading libclang, so that compiling ordinary C through
 * alox-clang costs next to nothing.
 *
 * A unit can use Alox only through alox.h (or alox/abi.h) or an
 * `annotate("alox_...")` attribute, and either way the word "alox" is in
 * the text of the source or of a header it includes. The scan reads the
 * source and follows its #include lines into the user's directories (the
 * source's own, -iquote, -I, -isystem, -include files), conditionals
 * ignored: a superset of the real includes. Headers found nowhere there
 * are the system's and are not read; an include the scan cannot resolve
 * textually (#include MACRO) answers "maybe". Only "maybe" units are
 * handed to the libclang part of the front end (alox-clang-rewrite).
 */
#include "alox-clang.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct scan {
    char **quote_dirs, **dirs; /* -iquote; -I and -isystem */
    int quote_count, dir_count;
    char **seen;
    int seen_count;
} scan;

static char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    strbuf sb = {0};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_putn(&sb, buf, n);
    fclose(f);
    *size = sb.len;
    return sb.data ? sb.data : xstrdup("");
}

static bool is_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *join(const char *dir, const char *name) {
    strbuf p = {0};
    sb_printf(&p, "%s/%s", *dir ? dir : ".", name);
    return p.data;
}

static char *dir_of(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    char *d = xmalloc((size_t)(slash - path) + 2);
    memcpy(d, path, (size_t)(slash - path));
    d[slash - path] = 0;
    if (!*d)
        strcpy(d, "/");
    return d;
}

static bool maybe_alox(scan *s, const char *path, int depth);

/* #include "name" / <name>: the user's header it names, if any. */
static char *resolve(scan *s, const char *from, const char *name, bool quoted) {
    if (name[0] == '/')
        return is_file(name) ? xstrdup(name) : NULL;
    if (quoted) {
        char *dir = dir_of(from);
        char *p = join(dir, name);
        free(dir);
        if (is_file(p))
            return p;
        free(p);
        for (int i = 0; i < s->quote_count; i++) {
            p = join(s->quote_dirs[i], name);
            if (is_file(p))
                return p;
            free(p);
        }
    }
    for (int i = 0; i < s->dir_count; i++) {
        char *p = join(s->dirs[i], name);
        if (is_file(p))
            return p;
        free(p);
    }
    return NULL; /* a system header */
}

/* Follow the #include lines of text; true if one may lead to Alox. */
static bool follow_includes(scan *s, const char *path, const char *text, size_t size, int depth) {
    for (size_t i = 0; i < size;) {
        size_t line = i;
        while (i < size && text[i] != '\n')
            i++;
        size_t end = i++;
        size_t p = line;
        while (p < end && (text[p] == ' ' || text[p] == '\t'))
            p++;
        if (p >= end || text[p] != '#')
            continue;
        p++;
        while (p < end && (text[p] == ' ' || text[p] == '\t'))
            p++;
        static const char *const words[] = {"include_next", "include", "import", NULL};
        size_t w = 0;
        for (const char *const *word = words; *word; word++)
            if (end - p >= strlen(*word) && memcmp(text + p, *word, strlen(*word)) == 0) {
                w = strlen(*word);
                break;
            }
        if (!w)
            continue;
        p += w;
        while (p < end && (text[p] == ' ' || text[p] == '\t'))
            p++;
        if (p >= end || (text[p] != '"' && text[p] != '<'))
            return true; /* #include MACRO: cannot tell */
        char close = text[p] == '"' ? '"' : '>';
        size_t q = p + 1;
        while (q < end && text[q] != close)
            q++;
        if (q >= end)
            continue;
        char *name = xmalloc(q - p);
        memcpy(name, text + p + 1, q - p - 1);
        name[q - p - 1] = 0;
        char *found = resolve(s, path, name, close == '"');
        free(name);
        bool maybe = found && maybe_alox(s, found, depth + 1);
        free(found);
        if (maybe)
            return true;
    }
    return false;
}

static bool mentions(const char *text, size_t size, const char *word) {
    size_t n = strlen(word);
    for (size_t i = 0; i + n <= size; i++)
        if (text[i] == word[0] && memcmp(text + i, word, n) == 0)
            return true;
    return false;
}

static bool maybe_alox(scan *s, const char *path, int depth) {
    if (depth > 64)
        return true;
    for (int i = 0; i < s->seen_count; i++)
        if (strcmp(s->seen[i], path) == 0)
            return false;
    s->seen = xrealloc(s->seen, sizeof(char *) * (size_t)(s->seen_count + 1));
    s->seen[s->seen_count++] = xstrdup(path);
    size_t size;
    char *text = read_file(path, &size);
    if (!text)
        return depth == 0; /* a missing source: clang reports it */
    bool maybe = mentions(text, size, "alox") ||
                 follow_includes(s, path, text, size, depth);
    free(text);
    return maybe;
}

static void add_dir(char ***list, int *count, const char *dir) {
    *list = xrealloc(*list, sizeof(char *) * (size_t)(*count + 1));
    (*list)[(*count)++] = (char *)dir;
}

bool source_may_use_alox(const invocation *inv, int source) {
    scan s = {0};
    bool maybe = false;
    const char **forced = xmalloc(sizeof(char *) * (size_t)(inv->argc + 1));
    int forced_count = 0;
    for (int i = 0; i < inv->argc; i++) {
        const char *a = inv->argv[i];
        const char *v = i + 1 < inv->argc ? inv->argv[i + 1] : "";
        if (strcmp(a, "-I") == 0 || strcmp(a, "-isystem") == 0 || strcmp(a, "-idirafter") == 0)
            add_dir(&s.dirs, &s.dir_count, v);
        else if (strncmp(a, "-I", 2) == 0)
            add_dir(&s.dirs, &s.dir_count, a + 2);
        else if (strncmp(a, "-isystem", 8) == 0 && a[8])
            add_dir(&s.dirs, &s.dir_count, a + 8);
        else if (strcmp(a, "-iquote") == 0)
            add_dir(&s.quote_dirs, &s.quote_count, v);
        else if (strncmp(a, "-iquote", 7) == 0 && a[7])
            add_dir(&s.quote_dirs, &s.quote_count, a + 7);
        else if (strcmp(a, "-include") == 0 || strcmp(a, "-imacros") == 0)
            forced[forced_count++] = v;
        else if (strncmp(a, "-D", 2) == 0 && strstr(a, "alox"))
            maybe = true; /* e.g. -Dalox_actor=... */
    }
    for (int i = 0; i < forced_count && !maybe; i++) {
        char *found = resolve(&s, inv->argv[source], forced[i], true);
        maybe = found ? maybe_alox(&s, found, 1) : false;
        free(found);
    }
    if (!maybe)
        maybe = maybe_alox(&s, inv->argv[source], 0);
    for (int i = 0; i < s.seen_count; i++)
        free(s.seen[i]);
    free(s.seen);
    free(s.dirs);
    free(s.quote_dirs);
    free(forced);
    return maybe;
}
