/*
 * abi_actor_size.c - memory per actor: spawns N actors with an 8-byte body,
 * sends each one message, and reports resident bytes per actor beyond the
 * body, after the run (idle actors hold no message).
 *
 *     abi_actor_size [actors=1000000]
 */
#include "handmade.h"

#include "bench_util.h"

#include <string.h>

struct cell { int64_t value; };
HANDMADE_ACTOR(cell)
typedef struct { int64_t v; } set_args;
HANDMADE_BEHAVIOUR(cell, set, set_args, "(i64)")
static void set(struct cell *self, const set_args *a) { self->value = a->v; }

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    long n = bench_arg(argc, argv, "actors", 1000000);
    struct cell **cells = malloc((size_t)n * sizeof *cells);
    memset(cells, 0xff, (size_t)n * sizeof *cells); /* resident now: not counted below */
    long before = bench_rss_bytes();
    for (long i = 0; i < n; i++)
        cells[i] = new_cell();
    long after_spawn = bench_rss_bytes();
    for (long i = 0; i < n; i++)
        send_set(cells[i], (set_args){i});
    alox_run();
    long after_run = bench_rss_bytes();
    for (long i = 0; i < n; i++)
        if (cells[i]->value != i)
            return 1;
    printf("actor size: %ld actors, %.1f bytes per actor beyond the 8-byte body (after spawn), "
           "%.1f after one message each\n",
           n, (double)(after_spawn - before) / n - 8, (double)(after_run - before) / n - 8);
    free(cells);
    return 0;
}
