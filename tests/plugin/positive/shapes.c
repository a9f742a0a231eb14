/* Call shapes: arguments from function results, conditionals, loops,
 * macros, nested functions (GNU C), const and bit-field structs, arrays of
 * actor references, packed structs, bool from int, a behaviour sending to
 * itself, and descriptors for a behaviour only referenced (never called)
 * in this unit. */
#include <alox.h>
#include <stdio.h>

struct alox_actor acc { int64_t sum; int calls; int self_sends; int64_t team_ids; };

struct point { int16_t x, y; };
struct flags { unsigned a : 3, b : 5; int8_t c; };
struct team { struct acc *members[3]; int32_t size; };
struct __attribute__((packed)) wire { uint8_t kind; uint32_t value; };

static struct point make_point(int i) { return (struct point){(int16_t)i, (int16_t)-i}; }

alox_behave void add_point(struct acc *self, const struct point p, bool neg) {
    self->sum += neg ? -(p.x - p.y) : p.x - p.y;
    self->calls++;
}

alox_behave void add_flags(struct acc *self, struct flags f, struct wire w) {
    self->sum += f.a + f.b + f.c + w.kind + w.value;
    self->calls++;
}

alox_behave void countdown(struct acc *self, int32_t n) {
    self->self_sends++;
    if (n > 0)
        countdown(self, n - 1); /* a send to itself */
}

alox_behave void greet_team(struct acc *self, struct team t) {
    for (int i = 0; i < t.size; i++)
        if (t.members[i] == self)
            self->team_ids += i + 1;
    self->calls++;
}

#define SEND_TWICE(a, p) (add_point((a), (p), false), add_point((a), (p), false))

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    struct acc *a = alox_new(struct acc);
    struct acc *b = alox_new(struct acc);
    int64_t want_a = 0;
    for (int i = 0; i < 10; i++) {
        add_point(i % 2 ? a : b, make_point(i), 0); /* int 0 -> bool */
        if (i % 2)
            want_a += 2 * i;
    }
    SEND_TWICE(a, make_point(3));
    want_a += 12;
#ifndef __clang__
    void nested(int k) { add_point(a, make_point(k), 1); } /* GNU C nested function */
    nested(5);
#else
    add_point(a, make_point(5), 1); /* clang (alox-clang) has no nested functions */
#endif
    want_a -= 10;
    add_flags(a, (struct flags){7, 31, -3}, (struct wire){2, 1000});
    want_a += 7 + 31 - 3 + 2 + 1000;
    countdown(a, 50);
    greet_team(a, (struct team){{b, a, a}, 3});
    greet_team(b, (struct team){{b, a, a}, 3});
    int rc = alox_run();
    int bad = rc != 0 || a->sum != want_a || a->calls != 5 + 2 + 1 + 1 + 1 ||
              a->self_sends != 51 || a->team_ids != 5 || b->team_ids != 1;
    if (bad) {
        fprintf(stderr, "rc %d sum %lld want %lld calls %d self %d team %lld %lld\n", rc,
                (long long)a->sum, (long long)want_a, a->calls, a->self_sends,
                (long long)a->team_ids, (long long)b->team_ids);
        return 1;
    }
    printf("shapes ok\n");
    return 0;
}
