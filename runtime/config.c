/* config.c - see config.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alox.h"
#include "scheduler.h"

#define FLAG_PREFIX "--alox-"

static bool initialized;

bool config_initialized(void) { return initialized; }

static bool parse_threads(const char *text, const char *source, uint32_t *out, char *err,
                          size_t err_size) {
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno || end == text || *end != '\0' || value < 1 || value > SCHEDULER_MAX_THREADS) {
        snprintf(err, err_size,
                 "%s=%s is not a number of worker threads: give an integer from 1 to %d "
                 "(or leave it unset for one per CPU)",
                 source, text, SCHEDULER_MAX_THREADS);
        return false;
    }
    *out = (uint32_t)value;
    return true;
}

/* Removes argv[i] .. argv[i + count - 1]. */
static void drop_args(int *argc, char **argv, int i, int count) {
    memmove(&argv[i], &argv[i + count], (size_t)(*argc - i - count + 1) * sizeof *argv);
    *argc -= count;
}

/* Matches "--alox-NAME VALUE" or "--alox-NAME=VALUE" at argv[i]; sets
 * *value and *used (1 or 2 arguments). */
static bool match_flag(int argc, char **argv, int i, const char *name, const char **value,
                       int *used, char *err, size_t err_size) {
    size_t n = strlen(name);
    if (strncmp(argv[i], name, n) != 0)
        return false;
    if (argv[i][n] == '=') {
        *value = argv[i] + n + 1;
        *used = 1;
        return true;
    }
    if (argv[i][n] != '\0')
        return false;
    if (i + 1 >= argc) {
        snprintf(err, err_size, "%s needs a value", name);
        *value = NULL;
        *used = 1;
        return true;
    }
    *value = argv[i + 1];
    *used = 2;
    return true;
}

static bool parse_flags(int *argc, char **argv, config *out, char *err, size_t err_size) {
    for (int i = 1; i < *argc;) {
        if (strncmp(argv[i], FLAG_PREFIX, strlen(FLAG_PREFIX)) != 0) {
            i++;
            continue;
        }
        const char *value;
        int used;
        err[0] = '\0';
        if (!match_flag(*argc, argv, i, "--alox-threads", &value, &used, err, err_size)) {
            snprintf(err, err_size, "unknown flag %s (Alox knows: --alox-threads N)", argv[i]);
            return false;
        }
        if (!value || !parse_threads(value, "--alox-threads", &out->threads, err, err_size))
            return false;
        drop_args(argc, argv, i, used);
    }
    return true;
}

bool config_parse(int *argc, char **argv, config *out, char *err, size_t err_size) {
    memset(out, 0, sizeof *out);
    const char *env = getenv("ALOX_THREADS");
    if (env && !parse_threads(env, "ALOX_THREADS", &out->threads, err, err_size))
        return false;
    if (argc && argv && !parse_flags(argc, argv, out, err, err_size))
        return false;
    return true;
}

void alox_init(int *argc, char **argv) {
    config cfg;
    char err[512];
    if (!config_parse(argc, argv, &cfg, err, sizeof err)) {
        fprintf(stderr, "alox: %s\n", err);
        exit(2);
    }
    if (cfg.threads)
        scheduler_set_threads(cfg.threads);
    initialized = true;
}
