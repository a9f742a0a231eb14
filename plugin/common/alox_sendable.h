/*
 * alox_sendable.h - what a behaviour can receive (README.md).
 *
 * A parameter after self is sendable if it is an integer, a float, bool,
 * an enum, an actor reference, an alox_stage pointer, or a struct or
 * fixed array of sendable types by value; a union only if it holds no
 * pointer (the runtime could not tell which member is active). Anything
 * else is one problem, with the offending (sub)type and the member path
 * that leads to it, which alox_problem_rule turns into the rule to report.
 *
 * Thread-safety: pure functions of their arguments.
 */
#ifndef ALOX_FE_SENDABLE_H
#define ALOX_FE_SENDABLE_H

#include "alox_rules.h"
#include "alox_type.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum alox_problem_kind {
    ALOX_SENDABLE,
    ALOX_PLAIN_POINTER,
    ALOX_FUNCTION_POINTER,
    ALOX_FLEXIBLE_ARRAY,
    ALOX_UNION_POINTER,
    ALOX_NOT_SENDABLE,
    ALOX_ARRAY_PARAMETER, /* declared as an array: a pointer in C */
    ALOX_ACTOR_BY_VALUE,  /* an actor struct itself, not a reference */
} alox_problem_kind;

typedef struct alox_problem {
    alox_problem_kind kind;
    const alox_type *type; /* the offending (sub)type */
    char member[256];      /* "inner.data" when nested, "" at top level */
} alox_problem;

/* Is a parameter of this type (after self) sendable? */
alox_problem alox_check_parameter(const alox_type *type);

/* The rule reporting p (p->kind != ALOX_SENDABLE). */
alox_rule alox_problem_rule(const alox_problem *p);

bool alox_contains_pointer(const alox_type *type);

/* Float precisions a message can carry: float, double, x87 long double, binary128. */
bool alox_float_bits_sendable(unsigned bits);

#ifdef __cplusplus
}
#endif

#endif
