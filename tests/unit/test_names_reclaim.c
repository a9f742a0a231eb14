/* A published actor that stops takes its names with it (net/proxy.h):
 * once it is drained (core/drained.h) a lookup of its name finds nothing,
 * never its freed memory, and the name may be published for another
 * actor; names of actors that live on stay. No network: alox_publish
 * alone (the release is registered by the export, not by the node). */
#include "test_util.h"

#include "core/actor.h"
#include "core/reclaim.h"
#include "net/proxy.h"

#define MORTALS 1000 /* published actors that stop, in one run */

struct mortal { int64_t unused; };
HANDMADE_ACTOR(mortal)
typedef struct { int32_t stop; } poke_args;
HANDMADE_BEHAVIOUR(mortal, poke, poke_args, "(i32)")

static void poke(struct mortal *self, const poke_args *a) {
    if (a->stop)
        alox_stop(self);
}

static struct mortal *find(const char *name) { return alox_lookup(struct mortal, "here", name, 0); }

static void test_stopped_actors_names_go(void **state) {
    (void)state;
    alarm(60);
    struct mortal *keeper = new_mortal();
    assert_int_equal(alox_publish(keeper, "keeper"), 0);
    struct mortal *first = NULL;
    char name[32];
    for (int i = 0; i < MORTALS; i++) {
        struct mortal *m = new_mortal();
        snprintf(name, sizeof name, "mortal.%d", i);
        assert_int_equal(alox_publish(m, name), 0);
        if (i == 0) {
            first = m;
            assert_int_equal(alox_publish(m, "mortal.alias"), 0); /* two names, one actor */
        }
        send_poke(m, (poke_args){1});
    }
    assert_ptr_equal(find("mortal.0"), first);
    assert_int_equal(proxy_name_count(), 1 + MORTALS + 1);
    uint64_t freed_before = reclaim_freed();
    assert_int_equal(alox_run(), 0);
    alarm(0);
    printf("names: %d published and stopped, %llu freed, %llu names left\n", MORTALS,
           (unsigned long long)(reclaim_freed() - freed_before), (unsigned long long)proxy_name_count());
    assert_true(reclaim_freed() - freed_before >= MORTALS);
    assert_int_equal(proxy_name_count(), 1); /* only the keeper's */
    assert_null(find("mortal.0"));
    assert_null(find("mortal.alias"));
    assert_null(find("mortal.999"));
    assert_ptr_equal(find("keeper"), keeper);
    /* The name is free again, for another actor; the stopped one cannot take it. */
    struct mortal *heir = new_mortal();
    assert_int_equal(alox_publish(heir, "mortal.0"), 0);
    assert_ptr_equal(find("mortal.0"), heir);
    assert_int_equal(alox_publish(first, "mortal.1"), -1);
    assert_null(find("mortal.1"));
}

int main(void) {
    alox_init(NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stopped_actors_names_go),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
