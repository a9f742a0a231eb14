/*
 * strbuf.c - growable strings, allocation that never returns NULL, and
 * the small string helpers the other files share.
 */
#include "alox-clang.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("alox-clang: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

void *xrealloc(void *p, size_t n) {
    p = realloc(p, n ? n : 1);
    if (!p) {
        fputs("alox-clang: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

char *xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

static void reserve(strbuf *sb, size_t more) {
    if (sb->len + more + 1 <= sb->cap)
        return;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < sb->len + more + 1)
        cap *= 2;
    sb->data = xrealloc(sb->data, cap);
    sb->cap = cap;
}

void sb_putn(strbuf *sb, const char *text, size_t n) {
    reserve(sb, n);
    memcpy(sb->data + sb->len, text, n);
    sb->len += n;
    sb->data[sb->len] = 0;
}

void sb_puts(strbuf *sb, const char *text) { sb_putn(sb, text, strlen(text)); }

void sb_putc(strbuf *sb, char c) { sb_putn(sb, &c, 1); }

void sb_printf(strbuf *sb, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n > 0) {
        reserve(sb, (size_t)n);
        vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
        sb->len += (size_t)n;
    }
    va_end(ap);
}

const char *sb_str(strbuf *sb) { return sb->data ? sb->data : ""; }

void sb_free(strbuf *sb) {
    free(sb->data);
    sb->data = NULL;
    sb->len = sb->cap = 0;
}

bool has_suffix(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

char *absolute_path(const char *path) {
    strbuf full = {0};
    if (path[0] != '/') {
        char cwd[4096];
        if (getcwd(cwd, sizeof cwd))
            sb_puts(&full, cwd);
        sb_putc(&full, '/');
    }
    sb_puts(&full, path);
    /* split on '/', drop "." and empty parts, ".." pops */
    char *copy = xstrdup(sb_str(&full));
    sb_free(&full);
    char **parts = xmalloc(sizeof(char *) * (strlen(copy) + 1));
    int n = 0;
    for (char *save = NULL, *p = strtok_r(copy, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
        if (strcmp(p, ".") == 0)
            continue;
        if (strcmp(p, "..") == 0) {
            if (n > 0)
                n--;
            continue;
        }
        parts[n++] = p;
    }
    strbuf out = {0};
    for (int i = 0; i < n; i++) {
        sb_putc(&out, '/');
        sb_puts(&out, parts[i]);
    }
    if (n == 0)
        sb_putc(&out, '/');
    free(parts);
    free(copy);
    return out.data;
}
