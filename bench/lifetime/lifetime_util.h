/* lifetime_util.h - what the actor-lifetime benchmarks share. */
#ifndef ALOX_LIFETIME_UTIL_H
#define ALOX_LIFETIME_UTIL_H

#include <stdio.h>
#include <string.h>

/* VmHWM (the peak resident set so far) or VmRSS of this process, in KiB. */
static inline long lifetime_status_kib(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, field, n) && line[n] == ':')
            kib = atol(line + n + 1);
    if (f)
        fclose(f);
    return kib;
}

#endif
