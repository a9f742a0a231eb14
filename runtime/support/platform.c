/* platform.c - see platform.h. */
#include "platform.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

void alox_fatal(const char *format, ...) {
    va_list args;
    va_start(args, format);
    fputs("alox: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    abort();
}

uint64_t alox_env_us_as_ns(const char *name, unsigned long max_us) {
    const char *text = getenv(name);
    if (!text || !*text)
        return 0;
    char *end;
    unsigned long us = strtoul(text, &end, 10);
    if (*end || text[0] == '-' || us > max_us)
        alox_fatal("%s=%s: give microseconds, 0 to %lu (or unset it)", name, text, max_us);
    return (uint64_t)us * 1000u;
}
