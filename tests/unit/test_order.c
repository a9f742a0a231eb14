/* Invariant (b): messages from one sender to one receiver arrive in the
 * order sent, under concurrency (sender actors and plain threads); and
 * delivery is causal: a message sent after another, through a third
 * actor, never overtakes it. */
#include "test_util.h"

#define SENDERS 8
#define THREADS 4
#define PER_SENDER (50000 / TEST_SCALE_DOWN)

struct receiver {
    int64_t next[SENDERS + THREADS];
    int64_t out_of_order;
    int64_t received;
};
struct sender { int32_t id; };
HANDMADE_ACTOR(receiver)
HANDMADE_ACTOR(sender)

typedef struct { int32_t from; int64_t seq; } item_args;
typedef struct { int32_t id; struct receiver *to; } start_args;
HANDMADE_BEHAVIOUR(receiver, item, item_args, "(i32,i64)")
HANDMADE_BEHAVIOUR(sender, start, start_args, "(i32,@receiver)")

static void item(struct receiver *self, const item_args *a) {
    if (self->next[a->from] != a->seq)
        self->out_of_order++;
    self->next[a->from] = a->seq + 1;
    self->received++;
}

static void start(struct sender *self, const start_args *a) {
    self->id = a->id;
    for (int64_t i = 0; i < PER_SENDER; i++) {
        send_item(a->to, (item_args){a->id, i});
        if (i % 1000 == 0)
            send_start(NULL, *a); /* a dead letter in between changes nothing */
    }
}

static struct receiver *the_receiver;

static void *thread_sender(void *arg) {
    int32_t id = (int32_t)(intptr_t)arg;
    for (int64_t i = 0; i < PER_SENDER; i++)
        send_item(the_receiver, (item_args){id, i});
    alox_release();
    return NULL;
}

static void ignore_letter(const alox_dead_letter *letter) { (void)letter; }

static void test_per_pair_order(void **state) {
    (void)state;
    alox_on_dead_letter(ignore_letter);
    the_receiver = new_receiver();
    for (int i = 0; i < SENDERS; i++)
        send_start(new_sender(), (start_args){i, the_receiver});
    pthread_t threads[THREADS];
    for (intptr_t i = 0; i < THREADS; i++) {
        alox_hold();
        pthread_create(&threads[i], NULL, thread_sender, (void *)(SENDERS + i));
    }
    assert_int_equal(alox_run(), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    assert_int_equal(the_receiver->out_of_order, 0);
    assert_int_equal(the_receiver->received, (int64_t)(SENDERS + THREADS) * PER_SENDER);
    alox_on_dead_letter(NULL);
}

/* Causality: A sends "first" to C, then "relay" to B; B sends "second" to
 * C. C must always see first before second. */
struct observer { int64_t firsts, seconds, violations; };
struct relay { int64_t unused; };
struct origin { int64_t unused; };
HANDMADE_ACTOR(observer)
HANDMADE_ACTOR(relay)
HANDMADE_ACTOR(origin)
typedef struct { int64_t round; } mark_args;
typedef struct { int64_t round; struct observer *to; } pass_args;
typedef struct { int64_t rounds; struct relay *via; struct observer *to; } go_args;
HANDMADE_BEHAVIOUR(observer, first, mark_args, "(i64)")
HANDMADE_BEHAVIOUR(observer, second, mark_args, "(i64)")
HANDMADE_BEHAVIOUR(relay, pass, pass_args, "(i64,@observer)")
HANDMADE_BEHAVIOUR(origin, go, go_args, "(i64,@relay,@observer)")

static void first(struct observer *self, const mark_args *a) {
    (void)a;
    self->firsts++;
}
static void second(struct observer *self, const mark_args *a) {
    if (self->firsts < a->round + 1)
        self->violations++;
    self->seconds++;
}
static void pass(struct relay *self, const pass_args *a) {
    (void)self;
    send_second(a->to, (mark_args){a->round});
}
static void go(struct origin *self, const go_args *a) {
    (void)self;
    for (int64_t r = 0; r < a->rounds; r++) {
        send_first(a->to, (mark_args){r});
        send_pass(a->via, (pass_args){r, a->to});
    }
}

static void test_causal_delivery(void **state) {
    (void)state;
    enum { ROUNDS = 100000 / TEST_SCALE_DOWN };
    struct observer *c = new_observer();
    send_go(new_origin(), (go_args){ROUNDS, new_relay(), c});
    assert_int_equal(alox_run(), 0);
    assert_int_equal(c->violations, 0);
    assert_int_equal(c->firsts, ROUNDS);
    assert_int_equal(c->seconds, ROUNDS);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_per_pair_order),
        cmocka_unit_test(test_causal_delivery),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
