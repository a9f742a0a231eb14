/*
 * observe.h - seeing what a program runs: `alox top` (the control socket,
 * control.h), the Prometheus endpoint (metrics.h) and ALOX_TRACE
 * (trace_writer.h), over the counters and trace rings of the core.
 *
 * What a program starts, and when (alox_init calls observe_start):
 *   - the control socket, on by default (ALOX_TOP=0 or --alox-top=off turns
 *     it off): one Unix socket in a private directory (control.h) and one
 *     thread, the observer, blocked in poll() until `alox top` connects
 *     (no CPU while nobody looks). It is started when alox_run first runs,
 *     not at alox_init, so a program that never runs actors starts none;
 *   - the metrics endpoint, only with --alox-metrics (served by the same
 *     thread, which then starts at alox_init);
 *   - tracing, only with ALOX_TRACE / --alox-trace: the rings fill while
 *     the program runs and the file is written when it exits.
 * No network socket is opened unless --alox-metrics asks for one.
 *
 * Thread-safety: observe_start once, from alox_init; observe_run_begins
 * from alox_run's thread.
 */
#ifndef ALOX_OBSERVE_H
#define ALOX_OBSERVE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct observe_config {
    bool top;                /* serve alox top */
    const char *metrics;     /* tcp://HOST:PORT, or NULL */
    const char *trace_path;  /* ALOX_TRACE, or NULL */
    const char *program;     /* the program's name */
    const char *node;        /* this node's name, or NULL */
} observe_config;

/* False with why in err (alox_init then exits 2): the metrics address
 * cannot be bound, or the trace file cannot be created. */
bool observe_start(const observe_config *config, char *err, size_t err_size);

/* alox_run is about to run the workers: starts the observer if it was
 * deferred (once). */
void observe_run_begins(void);

#endif
