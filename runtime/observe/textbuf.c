/* textbuf.c - see textbuf.h. */
#include "textbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "support/platform.h"

#define TEXTBUF_FIRST 4096 /* bytes: a small snapshot fits */

static void reserve(textbuf *t, size_t more) {
    if (t->size + more + 1 <= t->capacity)
        return;
    size_t cap = t->capacity ? t->capacity : TEXTBUF_FIRST;
    while (cap < t->size + more + 1)
        cap *= 2;
    char *d = realloc(t->data, cap);
    if (!d)
        alox_fatal("out of memory formatting %zu bytes of text", cap);
    t->data = d;
    t->capacity = cap;
}

void textbuf_init(textbuf *t) {
    t->data = NULL;
    t->size = t->capacity = 0;
    reserve(t, 0);
    t->data[0] = '\0';
}

void textbuf_free(textbuf *t) {
    free(t->data);
    t->data = NULL;
    t->size = t->capacity = 0;
}

void textbuf_printf(textbuf *t, const char *format, ...) {
    va_list args;
    va_start(args, format);
    int n = vsnprintf(t->data + t->size, t->capacity - t->size, format, args);
    va_end(args);
    if (n < 0)
        return;
    if ((size_t)n >= t->capacity - t->size) {
        reserve(t, (size_t)n);
        va_start(args, format);
        vsnprintf(t->data + t->size, t->capacity - t->size, format, args);
        va_end(args);
    }
    t->size += (size_t)n;
}

void textbuf_json_string(textbuf *t, const char *s) {
    textbuf_printf(t, "\"");
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            textbuf_printf(t, "\\%c", *p);
        else if (*p < 0x20)
            textbuf_printf(t, "\\u%04x", *p);
        else
            textbuf_printf(t, "%c", *p);
    }
    textbuf_printf(t, "\"");
}
