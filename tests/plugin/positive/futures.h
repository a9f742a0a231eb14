/* futures.h - behaviours that answer, defined in futures_calc.c and
 * called from futures_main.c (the caller sees only these prototypes). */
#ifndef FUTURES_H
#define FUTURES_H
#include <alox.h>
struct pair { int32_t a; double b; };
struct alox_actor calc { int64_t base; };
alox_behave alox_future(int64_t) plus(struct calc *self, int64_t k);
alox_behave alox_future(struct pair) split(struct calc *self, int32_t a, double b);
alox_behave alox_future(struct calc *) myself(struct calc *self);
alox_behave alox_future(int8_t) none(struct calc *self);
#endif
