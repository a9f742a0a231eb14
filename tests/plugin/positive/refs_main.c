/* Behaviour references reach the runtime as descriptors and packed
 * arguments (see refs.h); no behaviour runs when the API is called. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refs.h"

#define CHECK(c)                                                                             \
    do {                                                                                     \
        if (!(c)) {                                                                          \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);           \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)

struct tick_args { int32_t n; struct point p; };   /* the packed layout of abi.h */
struct down_args { uint64_t target_id; alox_down_reason reason; };
struct ready_args { int fd; uint32_t events; };

static int evaluated;
static int32_t seven(void) { evaluated++; return 7; }

static void check_desc(const struct record *r, enum record_kind kind, const char *name,
                       const char *signature, uint32_t args_size) {
    CHECK(r && r->kind == kind);
    CHECK(strcmp(r->desc->name, name) == 0);
    CHECK(strcmp(r->desc->signature, signature) == 0);
    CHECK(r->desc->args_size == args_size);
    CHECK(r->desc->name_hash == alox_hash(name));
    CHECK(r->desc->signature_hash == alox_hash(signature));
    CHECK(r->desc->type_hash == alox_hash("watcher"));
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    struct watcher *w = alox_new(struct watcher);
    struct victim *v = alox_new(struct victim);

    alox_timer t = alox_after(250, tick(w, seven(), (struct point){1.5, -2.0}));
    alox_timer none = alox_after(5, poke(w));
    alox_monitor_ref m = alox_monitor(w, v, on_down);
    int watched = alox_watch_fd(w, 5, ALOX_READ | ALOX_WRITE, on_ready);
    CHECK(evaluated == 1);              /* the delayed call's arguments: once, now */
    CHECK(w->ticks == 0 && w->pokes == 0); /* nothing ran */
    CHECK(record_count() == 4);

    const struct record *r = record_at(0);
    check_desc(r, REC_AFTER, "watcher.tick", "(i32,{point;f64,f64})", sizeof(struct tick_args));
    CHECK(r->delay_ms == 250 && r->target == w && t.id == r->id);
    struct tick_args want = {7, {1.5, -2.0}}, got;
    memcpy(&got, r->args, sizeof got);
    CHECK(got.n == want.n && got.p.x == want.p.x && got.p.y == want.p.y);
    r->desc->trampoline(w, r->args); /* what the timer will do when it fires */
    CHECK(w->ticks == 7 && w->sum == -0.5);

    r = record_at(1);
    check_desc(r, REC_AFTER, "watcher.poke", "()", 0);
    CHECK(r->delay_ms == 5 && r->target == w && none.id == r->id);

    r = record_at(2);
    check_desc(r, REC_MONITOR, "watcher.on_down", "(u64,eu32)",
               sizeof(struct down_args));
    CHECK(r->self == w && r->target == v && m.id == r->id);
    struct down_args down = {alox_id(v), ALOX_DOWN_NODE_LOST};
    r->desc->trampoline(w, &down);
    CHECK(w->down_id == alox_id(v) && w->down_reason == ALOX_DOWN_NODE_LOST);

    r = record_at(3);
    check_desc(r, REC_WATCH, "watcher.on_ready", "(i32,u32)", sizeof(struct ready_args));
    CHECK(r->self == w && r->fd == 5 && r->events == 3 && watched == 0);
    struct ready_args ready = {5, ALOX_WRITE};
    r->desc->trampoline(w, &ready);
    CHECK(w->ready_fd == 5 && w->ready_events == ALOX_WRITE);

    CHECK(alox_cancel(t));
    alox_demonitor(m);
    alox_unwatch_fd(5);
    CHECK(record_at(4)->kind == REC_CANCEL && record_at(4)->id == t.id);
    CHECK(record_at(5)->kind == REC_DEMONITOR && record_at(5)->id == m.id);
    CHECK(record_at(6)->kind == REC_UNWATCH && record_at(6)->fd == 5);

    start(w, v); /* a send: uses the APIs on self from a behaviour */
    CHECK(record_count() == 7);
    CHECK(alox_run() == 0);
    CHECK(record_count() == 9);
    r = record_at(7);
    check_desc(r, REC_AFTER, "watcher.tick", "(i32,{point;f64,f64})", sizeof(struct tick_args));
    memcpy(&got, r->args, sizeof got);
    CHECK(r->delay_ms == 10 && r->target == w && got.n == 3 && got.p.x == 0.25);
    r = record_at(8);
    check_desc(r, REC_MONITOR, "watcher.on_down", "(u64,eu32)", sizeof(struct down_args));
    CHECK(r->self == w && r->target == v);
    CHECK(w->ticks == 7); /* the delayed tick was never sent now */
    puts("refs: ok");
    return 0;
}
