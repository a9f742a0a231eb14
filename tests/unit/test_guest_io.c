/* test_guest_io.c - the I/O thread runs what its timer firings make
 * runnable while every worker sleeps (core/guest.h, "Collecting"): a chain
 * of timers, each armed by the previous one's behaviour, with the workers
 * idle in between, runs (mostly) on the I/O thread, not on a woken worker;
 * and everything still runs once, in order, with the run ending when the
 * chain does. Children a guest run spawns and leaves on its record's
 * stack (worker.h, 2.) go to the workers: they used to be lost there. */
#include "test_util.h"

#include <sys/syscall.h>

#include "core/actor.h"
#include "core/timers.h"

#define BEEPS 40
#define BEEP_MS 2 /* the workers are long parked after 2 ms (they park within microseconds) */

static _Atomic long io_tid; /* the I/O thread's, from a timers_call_after call */

static long tid(void) { return syscall(SYS_gettid); }

static void note_io_thread(void *arg) {
    (void)arg;
    atomic_store(&io_tid, tid());
}

struct beeper {
    int32_t beeps, on_io, out_of_order;
};
HANDMADE_ACTOR(beeper)
typedef struct {
    int32_t n;
} beep_args;
HANDMADE_BEHAVIOUR(beeper, beep, beep_args, "(i32)")
static void beep(struct beeper *self, const beep_args *a) {
    if (a->n != self->beeps)
        self->out_of_order++;
    self->beeps++;
    if (tid() == atomic_load(&io_tid))
        self->on_io++;
    if (a->n + 1 < BEEPS) {
        beep_args next = {a->n + 1};
        alox_send_after(BEEP_MS, self, &beep_desc, &next);
    }
}

static void test_idle_firings_run_on_the_io_thread(void **state) {
    (void)state;
    alox_init(NULL, NULL);
    assert_int_equal(alox_set_threads(2), 0);
    struct beeper *b = new_beeper();
    timers_call_after(0, actor_of(b), note_io_thread, NULL);
    beep_args first = {0};
    alox_send_after(BEEP_MS, b, &beep_desc, &first);
    assert_int_equal(alox_run(), 0);
    printf("%d beeps, %d on the I/O thread\n", b->beeps, b->on_io);
    assert_int_equal(b->beeps, BEEPS);
    assert_int_equal(b->out_of_order, 0);
    assert_true(atomic_load(&io_tid) != 0);
    /* Most: a worker that was descheduled on its way to park (a loaded
     * machine) takes a firing the usual way. */
    assert_true(b->on_io >= BEEPS / 4);
}

/* ----- what a guest run spawns ------------------------------------------- */

struct node {
    int32_t hits;
};
HANDMADE_ACTOR(node)
typedef struct {
    int32_t unused;
} hit_args;
HANDMADE_BEHAVIOUR(node, hit, hit_args, "(i32)")
static void hit(struct node *self, const hit_args *a) {
    (void)a;
    self->hits++;
}

static struct node *old_node, *children[2];

struct spawner {
    int32_t ran, on_io;
};
HANDMADE_ACTOR(spawner)
typedef struct {
    int32_t unused;
} go_args;
HANDMADE_BEHAVIOUR(spawner, go, go_args, "(i32)")
/* old_node goes to runnext, then to the local queue when the first child
 * displaces it; the first child, displaced by the second before it ever
 * ran, goes to the stack of children (the local queue is not empty). */
static void go(struct spawner *self, const go_args *a) {
    (void)a;
    self->ran++;
    self->on_io += tid() == atomic_load(&io_tid);
    send_hit(old_node, (hit_args){0});
    for (int i = 0; i < 2; i++) {
        children[i] = new_node();
        send_hit(children[i], (hit_args){0});
    }
}

static void test_children_of_a_guest_run_run(void **state) {
    (void)state;
    alox_init(NULL, NULL);
    assert_int_equal(alox_set_threads(2), 0);
    old_node = new_node();
    send_hit(old_node, (hit_args){0}); /* it runs once now: no longer fresh */
    struct spawner *s = new_spawner();
    timers_call_after(0, actor_of(s), note_io_thread, NULL);
    go_args none = {0};
    alox_send_after(BEEP_MS, s, &go_desc, &none);
    assert_int_equal(alox_run(), 0);
    assert_int_equal(s->ran, 1);
    printf("spawner ran on the I/O thread: %d\n", s->on_io);
    assert_int_equal(old_node->hits, 2);
    assert_int_equal(children[0]->hits, 1);
    assert_int_equal(children[1]->hits, 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idle_firings_run_on_the_io_thread),
        cmocka_unit_test(test_children_of_a_guest_run_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
