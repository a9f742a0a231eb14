/*
 * top_render.h - a snapshot (observe/snapshot.h, parsed) as the text of
 * `alox top`: the program, its workers, actor types, busiest actors,
 * backlogs, peers and dead letters. With the previous snapshot, rates per
 * second over the interval; without one, totals since the start.
 */
#ifndef ALOX_TOOL_TOP_RENDER_H
#define ALOX_TOOL_TOP_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"

void top_render(FILE *out, const json *now, const json *prev, double interval_s, int width);

/* 1234567 -> "1.23M"; seconds -> "1h02m", "12.3s". */
void top_format_count(uint64_t n, char *out, size_t size);
void top_format_duration(double seconds, char *out, size_t size);

#endif
