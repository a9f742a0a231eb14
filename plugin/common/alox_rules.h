/*
 * alox_rules.h - every compile-time rule of Alox, with its message, once.
 *
 * Both front ends report a broken rule through this table, so the GCC
 * plugin and alox-clang say the same thing, word for word, at the same
 * place (README.md: an error at the offending parameter or
 * call that says why and what to do instead). A new rule or a reworded
 * message is one entry here; tests/plugin/negative holds one case per
 * rule, run over both front ends.
 *
 * A message is a template: `{name}` is replaced by the argument of that
 * name (alox_msg), and text between backquotes is code, quoted the way
 * the front end quotes (GCC: its locale's quotes; clang: '...'). Types
 * arrive already named and quoted by the front end ({type}: 'int32_t'
 * {aka 'int'} from GCC, 'int32_t' (aka 'int') from clang); {spelled} is
 * a type's plain spelling, for use inside code.
 *
 * Thread-safety: the table is constant; formatting uses only its arguments.
 */
#ifndef ALOX_FE_RULES_H
#define ALOX_FE_RULES_H

#include "alox_text.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum alox_rule {
    /* annotations */
    ALOX_RULE_ACTOR_MISPLACED,
    ALOX_RULE_BEHAVE_MISPLACED,
    ALOX_RULE_STAGE_MISPLACED,
    ALOX_RULE_STAGE_NOT_POINTER,
    /* a behaviour's declaration */
    ALOX_RULE_RETURNS_VALUE,
    ALOX_RULE_NO_PARAMETERS,
    ALOX_RULE_NO_PROTOTYPE,
    ALOX_RULE_SELF_NOT_ACTOR,
    ALOX_RULE_SELF_NOT_POINTER,
    ALOX_RULE_SELF_ANONYMOUS,
    ALOX_RULE_VARIADIC,
    ALOX_RULE_PARAM_ACTOR_BY_VALUE,
    /* what can be sent */
    ALOX_RULE_PLAIN_POINTER,
    ALOX_RULE_PLAIN_POINTER_MEMBER,
    ALOX_RULE_ARRAY_PARAMETER,
    ALOX_RULE_FUNCTION_POINTER,
    ALOX_RULE_FUNCTION_POINTER_MEMBER,
    ALOX_RULE_FLEXIBLE_ARRAY,
    ALOX_RULE_UNION_POINTER,
    ALOX_RULE_UNION_POINTER_MEMBER,
    ALOX_RULE_NOT_SENDABLE,
    ALOX_RULE_NOT_SENDABLE_MEMBER,
    /* actor structs by value */
    ALOX_RULE_FUNCTION_RETURNS_ACTOR,
    ALOX_RULE_PARAMETER_ACTOR_BY_VALUE,
    ALOX_RULE_VARIABLE_ACTOR_BY_VALUE,
    ALOX_RULE_MEMBER_ACTOR_BY_VALUE,
    ALOX_RULE_COMPOUND_LITERAL_ACTOR,
    ALOX_RULE_ACTOR_MALLOC,
    /* expressions */
    ALOX_RULE_RAW_NEW,
    ALOX_RULE_NEW_NOT_ACTOR,
    ALOX_RULE_ADDRESS_TAKEN,
    ALOX_RULE_CALL_ARITY,
    /* behaviour references (alox_refapi.h) */
    ALOX_RULE_REF_NOT_BEHAVIOUR,
    ALOX_RULE_REF_SELF_NOT_ACTOR,
    ALOX_RULE_REF_SELF_MISMATCH,
    ALOX_RULE_REF_PARAM_COUNT,
    ALOX_RULE_REF_PARAM_TYPE,
    ALOX_RULE_AFTER_NOT_CALL,
    ALOX_RULE_AFTER_NOT_BEHAVIOUR,
    /* futures */
    ALOX_RULE_FUTURE_NOT_SENDABLE,
    ALOX_RULE_FUTURE_NO_VALUE,
    ALOX_RULE_NOT_FUTURE,
    ALOX_RULE_AWAIT_IN_BEHAVIOUR,
    ALOX_RULE_AWAIT_VALUE_TYPE,
    ALOX_RULE_COUNT
} alox_rule;

/* The arguments of a message, by name; NULL for those it does not use. */
typedef struct alox_msg {
    const char *fn;       /* the behaviour (or function) */
    const char *parm;     /* a parameter's name ("#2" when unnamed) */
    const char *member;   /* path of a member: "inner.data" */
    const char *name;     /* a declaration's name: variable, member, allocator */
    const char *type;     /* a type, named and quoted by the front end */
    const char *type2;
    const char *spelled;  /* a type's plain spelling, for code: struct counter */
    const char *tag;      /* a struct tag */
    const char *api;      /* alox_monitor, alox_after, ... */
    const char *expected; /* the declaration an API expects */
    const char *what;     /* what an API sends in one position: uint64_t target_id */
    const char *n, *m, *k; /* counts, as text */
} alox_msg;

typedef struct alox_quotes {
    const char *open, *close;
} alox_quotes;

/* Append the message of `rule` to out. */
void alox_format(alox_text *out, alox_rule rule, const alox_msg *msg, const alox_quotes *quotes);

/* "plain-pointer": the rule's name, as tests/plugin/negative cases cite it. */
const char *alox_rule_name(alox_rule rule);
/* The template itself (for the table's own test). */
const char *alox_rule_template(alox_rule rule);

#ifdef __cplusplus
}
#endif

#endif
