/*
 * alox_text.c - growable strings (see alox_text.h).
 */
#include "alox_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reserve(alox_text *t, size_t more) {
    if (t->len + more + 1 <= t->cap)
        return;
    size_t cap = t->cap ? t->cap : 64;
    while (cap < t->len + more + 1)
        cap *= 2;
    char *data = realloc(t->data, cap);
    if (!data) {
        fputs("alox front end: out of memory\n", stderr);
        abort();
    }
    t->data = data;
    t->cap = cap;
}

void alox_text_putn(alox_text *t, const char *s, size_t n) {
    reserve(t, n);
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = 0;
}

void alox_text_put(alox_text *t, const char *s) { alox_text_putn(t, s, strlen(s)); }

void alox_text_putc(alox_text *t, char c) { alox_text_putn(t, &c, 1); }

void alox_text_printf(alox_text *t, const char *fmt, ...) {
    va_list ap, copy;
    va_start(ap, fmt);
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n > 0) {
        reserve(t, (size_t)n);
        vsnprintf(t->data + t->len, (size_t)n + 1, fmt, ap);
        t->len += (size_t)n;
    }
    va_end(ap);
}

const char *alox_text_str(const alox_text *t) { return t->data ? t->data : ""; }

void alox_text_clear(alox_text *t) {
    t->len = 0;
    if (t->data)
        t->data[0] = 0;
}

void alox_text_free(alox_text *t) {
    free(t->data);
    t->data = NULL;
    t->len = t->cap = 0;
}
