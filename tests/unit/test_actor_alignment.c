/* Actor types may ask for any alignment up to a page (issue 12, item 3):
 * `_Alignas(64)` cache-line state, a page-aligned buffer. Their bodies are
 * aligned, zeroed, run behaviours, stop and give their memory back; an
 * alignment beyond a page is refused with a message naming the type. */
#include "test_util.h"

#include "core/actor.h"
#include "core/reclaim.h"

struct line { _Alignas(64) int64_t hot; int64_t count; };
struct paged { _Alignas(4096) char page[4096]; int64_t count; };
struct vast { _Alignas(8192) char block[16]; };
HANDMADE_ACTOR(line)
HANDMADE_ACTOR(paged)
HANDMADE_ACTOR(vast)
typedef struct { int32_t stop; } bump_args;
HANDMADE_BEHAVIOUR(line, bump_line, bump_args, "(i32)")
HANDMADE_BEHAVIOUR(paged, bump_paged, bump_args, "(i32)")

static _Atomic int64_t bumps;

static void bump_line(struct line *self, const bump_args *a) {
    self->count++;
    self->hot = self->count;
    atomic_fetch_add(&bumps, 1);
    if (a->stop)
        alox_stop(self);
}

static void bump_paged(struct paged *self, const bump_args *a) {
    self->count++;
    self->page[4095] = 1;
    atomic_fetch_add(&bumps, 1);
    if (a->stop)
        alox_stop(self);
}

static void test_aligned_bodies(void **state) {
    (void)state;
    enum { N = 500 };
    static struct line *lines[N];
    static struct paged *pages[N / 10];
    atomic_store(&bumps, 0);
    uint64_t freed_before = reclaim_freed();
    for (int i = 0; i < N; i++) {
        lines[i] = new_line();
        assert_int_equal((uintptr_t)lines[i] % 64, 0);
        assert_int_equal(lines[i]->hot | lines[i]->count, 0); /* zeroed */
        send_bump_line(lines[i], (bump_args){0});
        send_bump_line(lines[i], (bump_args){1});
    }
    for (int i = 0; i < N / 10; i++) {
        pages[i] = new_paged();
        assert_int_equal((uintptr_t)pages[i] % 4096, 0);
        assert_int_equal(pages[i]->count, 0);
        send_bump_paged(pages[i], (bump_args){1});
    }
    assert_int_equal(alox_run(), 0);
    assert_int_equal(atomic_load(&bumps), 2 * N + N / 10);
    assert_int_equal(reclaim_freed() - freed_before, N + N / 10);
}

static void spawn_vast(void *arg) {
    (void)arg;
    new_vast();
}

static void test_beyond_a_page_is_refused(void **state) {
    (void)state;
    char out[2048];
    int status = test_run_child(spawn_vast, NULL, out, sizeof out);
    assert_true(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0));
    assert_non_null(strstr(out, "actor type vast needs 8192-byte alignment"));
}

int main(void) {
    alox_init(NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aligned_bodies),
        cmocka_unit_test(test_beyond_a_page_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
