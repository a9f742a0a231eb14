/* Every sendable kind round-trips through a send: integers of every width
 * and signedness, floats, bool, enums, structs and fixed arrays by value
 * (nested), actor references (to another actor and to the receiver
 * itself), alox_stage pointers between actors of one process, and a
 * behaviour with no arguments. Exits non-zero on any difference. */
#include <alox.h>
#include <stdio.h>
#include <string.h>
#include "sendable.h"

struct alox_actor sender { int64_t replies; int counter; char text[16]; };
struct alox_actor target { int checks; int failures; struct sender *peer; };

#define EXPECT(self, cond) \
    do { (self)->checks++; if (!(cond)) { (self)->failures++; fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)

static const __int128 BIG = ((__int128)INT64_MIN) * 3;
static const unsigned __int128 UBIG = ((unsigned __int128)UINT64_MAX) << 40;

alox_behave void ints(struct target *self, int8_t a, uint8_t b, int16_t c, uint16_t d,
                      int32_t e, uint32_t f, int64_t g, uint64_t h, char i,
                      signed char j, unsigned char k, short l, long long m,
                      __int128 n, unsigned __int128 o) {
    EXPECT(self, a == INT8_MIN && b == UINT8_MAX && c == INT16_MIN && d == UINT16_MAX);
    EXPECT(self, e == INT32_MIN && f == UINT32_MAX && g == INT64_MIN && h == UINT64_MAX);
    EXPECT(self, i == 'z' && j == -128 && k == 255 && l == -32768 && m == -1234567890123LL);
    EXPECT(self, n == BIG && o == UBIG);
}

alox_behave void floats(struct target *self, float a, double b, long double c, bool d,
                        enum color e, enum small f) {
    EXPECT(self, a == 1.5f && b == -2.25 && c == 3.0L / 7.0L && d == true);
    EXPECT(self, e == RED && f == THREE);
}

alox_behave void aggregates(struct target *self, struct outer o, struct point p, quad q,
                            union bits u) {
    EXPECT(self, o.in[0].a[0] == -1 && o.in[0].a[2] == 3 && o.in[1].a[1] == 42);
    EXPECT(self, o.in[0].p.x == 0.5 && o.in[1].p.y == -8.0 && o.in[1].flag && !o.in[0].flag);
    EXPECT(self, o.tag == 65535 && o.who == self && strcmp(o.text, "staged") == 0);
    EXPECT(self, p.x == 1e300 && p.y == -1e-300);
    EXPECT(self, q.w[0] == 1 && q.w[3] == 0xdeadbeef);
    EXPECT(self, u.f == 0.25f);
}

alox_behave void reply(struct sender *self, int32_t n);

alox_behave void refs(struct target *self, struct target *me, struct sender *other,
                      alox_stage const char *text, alox_stage int *counter) {
    EXPECT(self, me == self && other != NULL && strcmp(text, "hello") == 0);
    (*counter)++; /* the sender's memory, on this scheduler */
    self->peer = other;
    reply(other, 7);
}

alox_behave void reply(struct sender *self, int32_t n) {
    self->replies += n;
}

static int nothing_calls;
static alox_behave void nothing(struct target *self) { /* static, no arguments */
    nothing_calls++;
    self->checks++;
}

alox_behave void start(struct sender *self, struct target *t) {
    strcpy(self->text, "hello");
    refs(t, t, self, self->text, &self->counter);
    nothing(t);
}

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    struct target *t = alox_new(struct target);
    struct sender *s = alox_new(struct sender);
    ints(t, INT8_MIN, UINT8_MAX, INT16_MIN, UINT16_MAX, INT32_MIN, UINT32_MAX, INT64_MIN,
         UINT64_MAX, 'z', -128, 255, -32768, -1234567890123LL, BIG, UBIG);
    floats(t, 1.5f, -2.25, 3.0L / 7.0L, true, RED, THREE);
    static const char staged[] = "staged";
    struct outer o = {{{{-1, 2, 3}, {0.5, 0}, false}, {{0, 42, 0}, {0, -8.0}, true}},
                      65535, t, staged};
    quad q = {{1, 2, 3, 0xdeadbeef}};
    union bits u = {.f = 0.25f};
    aggregates(t, o, (struct point){1e300, -1e-300}, q, u);
    o.tag = 1; /* the message holds a copy made at the send */
    start(s, t);
    int rc = alox_run();
    int bad = rc != 0 || t->failures != 0 || t->checks != 14 || s->counter != 1 ||
              s->replies != 7 || t->peer != s || nothing_calls != 1;
    if (bad)
        fprintf(stderr, "rc %d checks %d failures %d counter %d replies %lld\n", rc,
                t->checks, t->failures, s->counter, (long long)s->replies);
    if (check_descriptors() != 0)
        bad = 1;
    if (!bad)
        printf("sendable ok\n");
    return bad;
}
