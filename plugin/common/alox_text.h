/*
 * alox_text.h - growable strings for the front ends' shared core.
 *
 * The shared core (plugin/common) is C that both front ends build: the
 * GCC plugin (C++) and alox-clang (C). It allocates only through these
 * helpers, so the plugin never calls malloc itself (GCC's headers poison
 * some allocation functions).
 *
 * Thread-safety: none needed; both front ends are single-threaded.
 */
#ifndef ALOX_FE_TEXT_H
#define ALOX_FE_TEXT_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct alox_text {
    char *data; /* NUL-terminated once anything was added */
    size_t len, cap;
} alox_text;

void alox_text_putn(alox_text *t, const char *s, size_t n);
void alox_text_put(alox_text *t, const char *s);
void alox_text_putc(alox_text *t, char c);
void alox_text_printf(alox_text *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
const char *alox_text_str(const alox_text *t); /* "" when empty */
void alox_text_clear(alox_text *t);             /* keeps the buffer */
void alox_text_free(alox_text *t);

#ifdef __cplusplus
}
#endif

#endif
