/*
 * textbuf.h - a growable text buffer for the snapshot, the metrics and the
 * trace writer: printf-style appends, JSON string escaping.
 *
 * Thread-safety: a buffer belongs to its caller.
 */
#ifndef ALOX_TEXTBUF_H
#define ALOX_TEXTBUF_H

#include <stddef.h>

typedef struct textbuf {
    char *data; /* NUL-terminated */
    size_t size, capacity;
} textbuf;

void textbuf_init(textbuf *t);
void textbuf_free(textbuf *t);
void textbuf_printf(textbuf *t, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string, quotes included. */
void textbuf_json_string(textbuf *t, const char *s);

#endif
