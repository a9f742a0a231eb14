/* platform.c - see platform.h. */
#include "platform.h"

#include <stdarg.h>
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
