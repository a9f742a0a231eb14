/*
 * config.h - alox_init: the --alox-* flags and their ALOX_* variables.
 *
 *     --alox-threads N   ALOX_THREADS   worker threads (1..1024; default: one
 *                                       per CPU this process may use)
 *
 * A flag wins over its variable. Parsed flags are removed from argv. Any
 * other --alox-* flag, or a bad value, is an error that names the flag or
 * variable; alox_init prints it and exits with status 2.
 *
 * Thread-safety: call from one thread, before the runtime runs.
 */
#ifndef ALOX_CONFIG_H
#define ALOX_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct config {
    uint32_t threads; /* 0: default */
} config;

/* Parses flags (removing them from argv) and then the environment into
 * *out. Returns false with a message in err if anything is wrong. argc and
 * argv may be NULL (environment only). */
bool config_parse(int *argc, char **argv, config *out, char *err, size_t err_size);

bool config_initialized(void);

#endif
