/* An exported actor (its id crossed the wire: net/proxy.h) that stops
 * leaves no entry in the export map once it is drained (core/drained.h),
 * so a program that exports actor after actor does not grow; a message or
 * a reference that arrives later for its id still finds a stopped actor
 * (a stand-in that reads as a freed one: ALOX_DEAD_STOPPED), never NULL
 * and never memory that was given back. */
#include "test_util.h"

#include "core/actor.h"
#include "net/proxy.h"

#define EXPORTED 20000 /* actors exported then stopped, in one run */

struct mortal { int64_t unused; };
HANDMADE_ACTOR(mortal)
typedef struct { int32_t stop; } poke_args;
HANDMADE_BEHAVIOUR(mortal, poke, poke_args, "(i32)")

static void poke(struct mortal *self, const poke_args *a) {
    if (a->stop)
        alox_stop(self);
}

static _Atomic int64_t dead_stopped;

static void record(const alox_dead_letter *letter) {
    if (letter->reason == ALOX_DEAD_STOPPED)
        atomic_fetch_add_explicit(&dead_stopped, 1, memory_order_relaxed);
}

static void test_stopped_exports_leave_no_entry(void **state) {
    (void)state;
    alarm(60);
    /* No network: the export registers its own release (core/drained.h). */
    uint64_t before = proxy_export_count();
    uint64_t first_id = 0;
    struct mortal *first = NULL;
    for (int i = 0; i < EXPORTED; i++) {
        struct mortal *m = new_mortal();
        proxy_export(actor_of(m));
        if (i == 0) {
            first = m;
            first_id = alox_id(m);
        }
        send_poke(m, (poke_args){1});
    }
    assert_int_equal(proxy_export_count(), before + EXPORTED);
    assert_int_equal(alox_run(), 0);
    alarm(0);
    printf("export map: %llu entries before, %d exported and stopped, %llu after the run\n",
           (unsigned long long)before, EXPORTED, (unsigned long long)proxy_export_count());
    assert_int_equal(proxy_export_count(), before);
    /* A message for the id, later: a stopped actor, not NULL, not the old one. */
    actor *later = proxy_find_export(first_id);
    assert_non_null(later);
    assert_ptr_not_equal(later, actor_of(first));
    assert_false(actor_takes_messages(later));
    alox_on_dead_letter(record);
    send_poke(actor_body(later), (poke_args){0});
    alox_on_dead_letter(NULL);
    assert_int_equal(atomic_load(&dead_stopped), 1);
    /* An id this node never made is not an actor that was. */
    assert_null(proxy_find_export(first_id + (1ull << 40)));
}

int main(void) {
    alox_init(NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stopped_exports_leave_no_entry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
