/* futures_calc.c - the future behaviours of futures.h. */
#include "futures.h"
alox_behave alox_future(int64_t) plus(struct calc *self, int64_t k) {
    self->base += k;
    return self->base;
}
alox_behave alox_future(struct pair) split(struct calc *self, int32_t a, double b) {
    (void)self;
    struct pair p = {a * 2, b / 2};
    return p;
}
alox_behave alox_future(struct calc *) myself(struct calc *self) { return self; }
alox_behave alox_future(int8_t) none(struct calc *self) {
    (void)self;
    return -3;
}
