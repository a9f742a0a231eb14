/* Mailbox: FIFO order, the idle mark, and many producers with one consumer. */
#include "test_util.h"

#include "core/mailbox.h"

typedef struct item {
    mailbox_node node;
    uint32_t producer, seq;
} item;

static void test_fifo_and_idle_mark(void **state) {
    (void)state;
    mailbox box;
    mailbox_init(&box);
    item items[3];
    mailbox_node *retired;
    assert_true(mailbox_push(&box, &items[0].node));  /* idle -> must schedule */
    assert_false(mailbox_push(&box, &items[1].node)); /* already scheduled */
    assert_false(mailbox_push(&box, &items[2].node));
    for (int i = 0; i < 3; i++)
        assert_ptr_equal(mailbox_pop(&box, &retired), &items[i].node);
    assert_null(mailbox_pop(&box, &retired));
    assert_true(mailbox_mark_idle(&box, &retired));
    assert_ptr_equal(retired, &items[2].node); /* the last node is released */
    assert_true(mailbox_push(&box, &items[0].node)); /* idle again */
}

static void test_mark_idle_fails_when_a_push_raced_in(void **state) {
    (void)state;
    mailbox box;
    mailbox_init(&box);
    item a, b;
    mailbox_node *retired;
    mailbox_push(&box, &a.node);
    assert_ptr_equal(mailbox_pop(&box, &retired), &a.node);
    mailbox_push(&box, &b.node);
    assert_false(mailbox_mark_idle(&box, &retired));
    assert_ptr_equal(mailbox_pop(&box, &retired), &b.node);
    assert_ptr_equal(retired, &a.node);
    assert_true(mailbox_mark_idle(&box, &retired));
}

#define PRODUCERS 4
#define PER_PRODUCER 200000

static mailbox shared_box;
static item *pool_items;
static _Atomic int schedules;

static void *produce(void *arg) {
    uint32_t p = (uint32_t)(uintptr_t)arg;
    for (uint32_t i = 0; i < PER_PRODUCER; i++) {
        item *it = &pool_items[p * PER_PRODUCER + i];
        it->producer = p;
        it->seq = i;
        if (mailbox_push(&shared_box, &it->node))
            atomic_fetch_add(&schedules, 1);
    }
    return NULL;
}

/* One consumer drains while producers push; each producer's items arrive
 * in order, none lost, none twice. The consumer also marks the mailbox
 * idle when it looks empty, as a worker does, and counts each "schedule"
 * a push reports: there must be exactly one per successful idle mark + 1. */
static void test_many_producers_one_consumer(void **state) {
    (void)state;
    mailbox_init(&shared_box);
    pool_items = calloc(PRODUCERS * PER_PRODUCER, sizeof(item));
    pthread_t threads[PRODUCERS];
    for (uintptr_t p = 0; p < PRODUCERS; p++)
        pthread_create(&threads[p], NULL, produce, (void *)p);
    uint32_t next[PRODUCERS] = {0};
    uint32_t received = 0, idle_marks = 0;
    bool idle = true; /* the mailbox starts idle */
    while (received < PRODUCERS * PER_PRODUCER) {
        mailbox_node *retired;
        mailbox_node *node = mailbox_pop(&shared_box, &retired);
        if (node) {
            item *it = (item *)node;
            assert_int_equal(it->seq, next[it->producer]);
            next[it->producer]++;
            received++;
            idle = false;
        } else if (!idle && mailbox_mark_idle(&shared_box, &retired)) {
            idle_marks++;
            idle = true;
        }
    }
    for (int p = 0; p < PRODUCERS; p++)
        pthread_join(threads[p], NULL);
    /* Every idle mark is followed by exactly one push that saw it, plus the
     * initial idle state; one last mark may have no push after it. */
    int s = atomic_load(&schedules);
    assert_true(s == (int)idle_marks + 1 || s == (int)idle_marks);
    free(pool_items);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_and_idle_mark),
        cmocka_unit_test(test_mark_idle_fails_when_a_push_raced_in),
        cmocka_unit_test(test_many_producers_one_consumer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
