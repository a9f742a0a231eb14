/*
 * alox_rules.c - the rule table and its messages (see alox_rules.h).
 */
#include "alox_rules.h"

#include <stdbool.h>
#include <string.h>

/* What can be sent, for the "cannot be sent" messages. A fixed array is
 * sent inside a struct: a C array parameter is a pointer. */
#define SENDABLE_KINDS                                                                       \
    "send integers, floats, bool, enums, actor references, alox_stage pointers, or structs " \
    "of them (which may hold fixed arrays)"

/* alox_actor is dropped by C compilers on a struct that is only named
 * (GCC drops it silently), so both front ends honour it only where the
 * members are defined, and say so. */
#define ACTOR_ON_DEFINITION                                                                  \
    " (alox_actor takes effect on the definition with the members, not on a forward "       \
    "declaration or a typedef of it)"

typedef struct rule_entry {
    const char *name;
    const char *text;
} rule_entry;

static const rule_entry RULES[ALOX_RULE_COUNT] = {
    [ALOX_RULE_ACTOR_MISPLACED] = {
        "actor-misplaced",
        "`alox_actor` marks a struct definition as an actor type; write "
        "`struct alox_actor NAME { ... };`"},
    [ALOX_RULE_BEHAVE_MISPLACED] = {
        "behave-misplaced",
        "`alox_behave` marks a function as a behaviour; write "
        "`alox_behave void NAME(struct ACTOR *self, ...)`"},
    [ALOX_RULE_STAGE_MISPLACED] = {
        "stage-misplaced",
        "`alox_stage` marks a pointer parameter of a behaviour (or a pointer member of a "
        "struct sent by value); put it before the parameter: `alox_stage const char *text`"},
    [ALOX_RULE_STAGE_NOT_POINTER] = {
        "stage-not-pointer",
        "`alox_stage` on `{name}` of type {type}: alox_stage marks a pointer into memory of "
        "this process; remove it, or make `{name}` a pointer"},
    [ALOX_RULE_RETURNS_VALUE] = {
        "returns-value",
        "behaviour `{fn}` returns {type}: a behaviour runs later, on its actor, so the caller "
        "cannot get a value back; make it return void and send the result back with another "
        "behaviour"},
    [ALOX_RULE_NO_PARAMETERS] = {
        "no-parameters",
        "behaviour `{fn}` has no parameters: its first parameter is the actor that runs it "
        "(`struct ACTOR *self`)"},
    [ALOX_RULE_NO_PROTOTYPE] = {
        "no-prototype",
        "behaviour `{fn}` has no prototype: its first parameter is the actor that runs it "
        "(`struct ACTOR *self`)"},
    [ALOX_RULE_SELF_NOT_ACTOR] = {
        "self-not-actor",
        "first parameter `{parm}` of behaviour `{fn}` points to {type}, which is not an actor "
        "struct: declare it `struct alox_actor {tag} { ... };`" ACTOR_ON_DEFINITION},
    [ALOX_RULE_SELF_NOT_POINTER] = {
        "self-not-pointer",
        "first parameter `{parm}` of behaviour `{fn}` has type {type}: the first parameter of "
        "a behaviour is the actor that runs it, a pointer to an alox_actor struct "
        "(`struct ACTOR *self`)"},
    [ALOX_RULE_SELF_ANONYMOUS] = {
        "self-anonymous",
        "first parameter `{parm}` of behaviour `{fn}` points to an anonymous actor struct: "
        "the runtime knows actor types by name; give the struct a tag "
        "(`struct alox_actor NAME { ... }`) or name it with a typedef"},
    [ALOX_RULE_VARIADIC] = {
        "variadic",
        "behaviour `{fn}` is variadic: a message has a fixed layout, so `...` cannot be "
        "sent; give it fixed parameters (a struct for many values)"},
    [ALOX_RULE_PARAM_ACTOR_BY_VALUE] = {
        "param-actor-by-value",
        "parameter `{parm}` of behaviour `{fn}` takes actor struct {type} by value: an actor "
        "is never copied; pass a reference (`{spelled} *`)"},
    [ALOX_RULE_PLAIN_POINTER] = {
        "plain-pointer",
        "parameter `{parm}` of behaviour `{fn}` is a plain pointer {type}: only actor "
        "references and alox_stage pointers can be sent; pass the data by value in a struct, "
        "or mark it alox_stage"},
    [ALOX_RULE_PLAIN_POINTER_MEMBER] = {
        "plain-pointer-member",
        "parameter `{parm}` of behaviour `{fn}` contains a plain pointer {type} (member "
        "`{member}`): only actor references and alox_stage pointers can be sent; copy the "
        "data into the struct (a fixed array) or mark the member alox_stage"},
    [ALOX_RULE_ARRAY_PARAMETER] = {
        "array-parameter",
        "parameter `{parm}` of behaviour `{fn}` is declared as an array, which C passes as a "
        "pointer to its first element: only actor references and alox_stage pointers can be "
        "sent; to send the elements, wrap the array in a struct and pass the struct by value"},
    [ALOX_RULE_FUNCTION_POINTER] = {
        "function-pointer",
        "parameter `{parm}` of behaviour `{fn}` is a function pointer {type}: code addresses "
        "cannot be sent to an actor; send a value (an enum or integer) that selects the "
        "function instead"},
    [ALOX_RULE_FUNCTION_POINTER_MEMBER] = {
        "function-pointer-member",
        "parameter `{parm}` of behaviour `{fn}` contains a function pointer {type} (member "
        "`{member}`): code addresses cannot be sent to an actor; send a value (an enum or "
        "integer) that selects the function instead"},
    [ALOX_RULE_FLEXIBLE_ARRAY] = {
        "flexible-array",
        "parameter `{parm}` of behaviour `{fn}` has a flexible array member `{member}`: a "
        "message has a fixed size; give the array a fixed length"},
    [ALOX_RULE_UNION_POINTER] = {
        "union-pointer",
        "parameter `{parm}` of behaviour `{fn}` is a union {type} containing a pointer: the "
        "runtime cannot tell which member is active, so it can neither check nor translate "
        "the pointer; send a struct instead"},
    [ALOX_RULE_UNION_POINTER_MEMBER] = {
        "union-pointer-member",
        "parameter `{parm}` of behaviour `{fn}` contains a union {type} with a pointer "
        "(member `{member}`): the runtime cannot tell which member is active, so it can "
        "neither check nor translate the pointer; send a struct instead"},
    [ALOX_RULE_NOT_SENDABLE] = {
        "not-sendable",
        "parameter `{parm}` of behaviour `{fn}` has type {type}, which cannot be sent: "
        SENDABLE_KINDS},
    [ALOX_RULE_NOT_SENDABLE_MEMBER] = {
        "not-sendable-member",
        "parameter `{parm}` of behaviour `{fn}` contains type {type} (member `{member}`), "
        "which cannot be sent: " SENDABLE_KINDS},
    [ALOX_RULE_FUNCTION_RETURNS_ACTOR] = {
        "function-returns-actor",
        "function `{fn}` returns actor struct {type} by value: an actor is never copied; "
        "return a reference (`{spelled} *`)"},
    [ALOX_RULE_PARAMETER_ACTOR_BY_VALUE] = {
        "parameter-actor-by-value",
        "parameter `{parm}` takes actor struct {type} by value: an actor is never copied; "
        "pass a reference (`{spelled} *`)"},
    [ALOX_RULE_VARIABLE_ACTOR_BY_VALUE] = {
        "variable-actor-by-value",
        "`{name}` declares actor struct {type} by value: actors are created only with "
        "`alox_new({spelled})` and used through references; declare `{spelled} *{name}` "
        "instead"},
    [ALOX_RULE_MEMBER_ACTOR_BY_VALUE] = {
        "member-actor-by-value",
        "member `{name}` holds actor struct {type} by value: an actor is never part of "
        "another object; store a reference (`{spelled} *`) made with `alox_new({spelled})`"},
    [ALOX_RULE_COMPOUND_LITERAL_ACTOR] = {
        "compound-literal-actor",
        "compound literal of actor struct {type}: actors are created only with "
        "`alox_new({spelled})` and used through references"},
    [ALOX_RULE_ACTOR_MALLOC] = {
        "actor-malloc",
        "actor struct {type} allocated with `{name}`: an actor lives in the runtime, with a "
        "header and a mailbox; create it with `alox_new({spelled})`"},
    [ALOX_RULE_RAW_NEW] = {
        "raw-new",
        "`alox__new` is what `alox_new(T)` expands to: write `alox_new(struct ACTOR)`"},
    [ALOX_RULE_NEW_NOT_ACTOR] = {
        "new-not-actor",
        "`alox_new({spelled})`: {type} is not an actor struct; declare it "
        "`struct alox_actor NAME { ... };`" ACTOR_ON_DEFINITION},
    [ALOX_RULE_ADDRESS_TAKEN] = {
        "address-taken",
        "taking the address of behaviour `{fn}`: a call through a function pointer would run "
        "it synchronously instead of sending a message; call it by name, or take the address "
        "of an ordinary function that calls it"},
    [ALOX_RULE_CALL_ARITY] = {
        "call-arity",
        "call to behaviour `{fn}` with the wrong number of arguments ({n} given, {m} taken: "
        "its actor and {k} more); declare the behaviour with its prototype before calling "
        "it"},
    [ALOX_RULE_REF_NOT_BEHAVIOUR] = {
        "ref-not-behaviour",
        "argument `{parm}` of `{api}` does not name a behaviour: `{api}` sends `{parm}` to "
        "self later, so pass the name of a behaviour declared before this point, "
        "`{expected}`"},
    [ALOX_RULE_REF_SELF_NOT_ACTOR] = {
        "ref-self-not-actor",
        "argument `self` of `{api}` has type {type}: `{parm}` is sent to self, so self must "
        "be a reference to an actor (`struct ACTOR *`)"},
    [ALOX_RULE_REF_SELF_MISMATCH] = {
        "ref-self-mismatch",
        "behaviour `{fn}` passed as `{parm}` to `{api}` runs on {type}, but it is sent to "
        "self, a reference to {type2}: pass a behaviour of self's actor, `{expected}`"},
    [ALOX_RULE_REF_PARAM_COUNT] = {
        "ref-param-count",
        "behaviour `{fn}` passed as `{parm}` to `{api}` has the wrong number of parameters "
        "({n} after self, where `{api}` sends {m}): declare it `{expected}`"},
    [ALOX_RULE_REF_PARAM_TYPE] = {
        "ref-param-type",
        "parameter `{name}` of behaviour `{fn}`, passed as `{parm}` to `{api}`, has type "
        "{type} where `{api}` sends `{what}`: declare the behaviour `{expected}`"},
    [ALOX_RULE_AFTER_NOT_CALL] = {
        "after-not-call",
        "the second argument of `alox_after` must be one behaviour call, written as usual "
        "(`alox_after(ms, tick(self, 1))`): it is sent ms milliseconds later instead of now"},
    [ALOX_RULE_AFTER_NOT_BEHAVIOUR] = {
        "after-not-behaviour",
        "`alox_after` delays a behaviour call, but `{fn}` is not a behaviour declared before "
        "this point: call a behaviour (`alox_after(ms, tick(self, 1))`), or call `{fn}` "
        "directly"},
    [ALOX_RULE_FUTURE_NOT_SENDABLE] = {
        "future-not-sendable",
        "behaviour `{fn}` returns `alox_future({spelled})`, but {type} cannot be sent back to "
        "the caller: " SENDABLE_KINDS},
    [ALOX_RULE_FUTURE_NO_VALUE] = {
        "future-no-value",
        "behaviour `{fn}` returns `alox_future({spelled})`, but this path ends without a "
        "value: the caller waits for the answer, so every path ends in `return VALUE;`"},
    [ALOX_RULE_NOT_FUTURE] = {
        "not-future",
        "the future given to `{api}` has type {type}, which is not an alox_future: pass what a "
        "call of a behaviour declared `alox_behave alox_future(T) NAME(...)` returns"},
    [ALOX_RULE_AWAIT_IN_BEHAVIOUR] = {
        "await-in-behaviour",
        "`alox_await` inside behaviour `{fn}` would block a worker thread, and the program "
        "can deadlock: use `alox_then(future, self, on_value, timeout_ms)`, which sends the "
        "answer to self"},
    [ALOX_RULE_AWAIT_VALUE_TYPE] = {
        "await-value-type",
        "the value pointer given to `alox_await` has type {type}, but the future's value is "
        "{type2}: pass the address of a variable of type `{spelled}`"},
};

static const char *const *field(const alox_msg *msg, const char *name, size_t n) {
#define FIELD(f)                                                                             \
    if (n == sizeof #f - 1 && memcmp(name, #f, n) == 0)                                     \
        return &msg->f;
    FIELD(fn) FIELD(parm) FIELD(member) FIELD(name) FIELD(type) FIELD(type2) FIELD(spelled)
    FIELD(tag) FIELD(api) FIELD(expected) FIELD(what) FIELD(n) FIELD(m) FIELD(k)
#undef FIELD
    return NULL;
}

void alox_format(alox_text *out, alox_rule rule, const alox_msg *msg, const alox_quotes *quotes) {
    const char *p = (unsigned)rule < ALOX_RULE_COUNT ? RULES[rule].text : NULL;
    if (!p) {
        alox_text_printf(out, "internal error: Alox rule %d has no message", (int)rule);
        return;
    }
    bool in_code = false;
    while (*p) {
        if (*p == '`') {
            alox_text_put(out, in_code ? quotes->close : quotes->open);
            in_code = !in_code;
            p++;
        } else if (*p == '{' && strchr(p, '}') &&
                   field(msg, p + 1, (size_t)(strchr(p, '}') - p - 1))) {
            const char *end = strchr(p, '}');
            const char *v = *field(msg, p + 1, (size_t)(end - p - 1));
            alox_text_put(out, v ? v : "?"); /* a front end forgot an argument: visible */
            p = end + 1;
        } else {
            const char *next = p + 1;
            while (*next && *next != '`' && *next != '{')
                next++;
            alox_text_putn(out, p, (size_t)(next - p));
            p = next;
        }
    }
}

const char *alox_rule_name(alox_rule rule) {
    return (unsigned)rule < ALOX_RULE_COUNT ? RULES[rule].name : "?";
}

const char *alox_rule_template(alox_rule rule) {
    return (unsigned)rule < ALOX_RULE_COUNT ? RULES[rule].text : "";
}
