/* Unannotated C: floating point, switch tables, unions, bit tricks,
 * constructors, alloca and a small state machine. */
#include <alloca.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

union pun { double d; uint64_t u; };
enum op { ADD, SUB, MUL, DIV, POW, NEG };
struct vec3 { double x, y, z; };

static int initialised;
__attribute__((constructor)) static void init(void) { initialised = 1; }

double apply(enum op op, double a, double b) {
    switch (op) {
    case ADD: return a + b;
    case SUB: return a - b;
    case MUL: return a * b;
    case DIV: return b != 0 ? a / b : NAN;
    case POW: return pow(a, b);
    case NEG: return -a;
    }
    return 0;
}

uint64_t bits_of(double d) { union pun p = {.d = d}; return p.u; }

struct vec3 cross(struct vec3 a, struct vec3 b) {
    return (struct vec3){a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}

int popcount_sum(const uint32_t *v, int n) {
    int s = 0;
    for (int i = 0; i < n; i++) s += __builtin_popcount(v[i]);
    return s + initialised;
}

long double mean(const long double *v, int n) {
    long double *tmp = alloca(n * sizeof *tmp);
    memcpy(tmp, v, n * sizeof *tmp);
    long double s = 0;
    for (int i = 0; i < n; i++) s += tmp[i];
    return n ? s / n : 0;
}

bool parse_bool(const char *s, bool *out) {
    enum { START, T, F } state = START;
    for (; *s; s++) {
        switch (state) {
        case START: if (*s == 't') state = T; else if (*s == 'f') state = F; else return false; break;
        case T: case F: break;
        }
    }
    *out = state == T;
    return state != START;
}
