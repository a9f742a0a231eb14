/*
 * trace_writer.h - ALOX_TRACE=FILE (--alox-trace FILE): the trace rings of
 * every thread (core/trace.h) written, when the program exits, as a
 * Chrome / Perfetto JSON trace (the Trace Event Format, which Perfetto's
 * UI at ui.perfetto.dev and chrome://tracing open):
 *
 *   - one process (the program; its node name if it has one), one track
 *     per worker ("worker 0", ...) and per other thread that sent;
 *   - a complete slice ("ph":"X", category "alox") per behaviour run,
 *     named after the behaviour ("pinger.ping"), with the actor in args;
 *   - a flow arrow per message from its send (inside the sending slice,
 *     or a 1 ns "send" slice on a thread outside any behaviour) to the
 *     run of its behaviour: "ph":"s" and "ph":"f" with "bp":"e", category
 *     "alox.flow", ids as hex strings. Messages between schedulers keep
 *     their wire trace id, so the traces of two nodes can be merged
 *     (their "traceEvents" arrays concatenated) and show arrows across.
 * Timestamps are CLOCK_MONOTONIC in microseconds, so traces of processes
 * on one machine line up.
 *
 * Thread-safety: trace_writer_start from alox_init; the writing runs in
 * an atexit handler.
 */
#ifndef ALOX_TRACE_WRITER_H
#define ALOX_TRACE_WRITER_H

#include <stdbool.h>
#include <stddef.h>

/* Creates (truncates) the file now, so a bad path fails at alox_init, and
 * turns tracing on. False with why in err. */
bool trace_writer_start(const char *path, char *err, size_t err_size);

#endif
