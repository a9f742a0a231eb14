/*
 * alox_sendable.c - the sendability rules on the type model (see alox_sendable.h).
 */
#include "alox_sendable.h"

#include <string.h>

bool alox_float_bits_sendable(unsigned bits) {
    return bits == 32 || bits == 64 || bits == 80 || bits == 128;
}

static const alox_type *strip_arrays(const alox_type *t) {
    while (t && t->kind == ALOX_TYPE_ARRAY)
        t = t->element;
    return t;
}

bool alox_contains_pointer(const alox_type *type) {
    type = strip_arrays(type);
    if (!type)
        return false;
    if (type->kind == ALOX_TYPE_POINTER)
        return true;
    if (type->kind == ALOX_TYPE_STRUCT || type->kind == ALOX_TYPE_UNION)
        for (int i = 0; i < type->field_count; i++)
            if (alox_contains_pointer(type->fields[i].type))
                return true;
    return false;
}

/* path + "." + name into p->member (anonymous members add nothing). */
static void enter(char *path, size_t size, const char *name) {
    if (!*name)
        return;
    size_t len = strlen(path);
    if (len && len + 1 < size)
        path[len++] = '.';
    size_t n = strlen(name);
    if (len + n >= size)
        n = size - len - 1;
    memcpy(path + len, name, n);
    path[len + n] = 0;
}

static bool sendable(const alox_type *t, alox_problem *p);

static bool sendable_record(const alox_type *t, alox_problem *p) {
    if (t->actor || !t->complete)
        return true; /* an actor by value is reported as such; incomplete: by C */
    for (int i = 0; i < t->field_count; i++) {
        const alox_field *f = &t->fields[i];
        size_t saved = strlen(p->member);
        enter(p->member, sizeof p->member, f->name);
        if (f->type->kind == ALOX_TYPE_ARRAY && f->type->flexible) {
            p->kind = ALOX_FLEXIBLE_ARRAY;
            p->type = f->type;
            return false;
        }
        if (!sendable(f->type, p))
            return false;
        p->member[saved] = 0;
    }
    return true;
}

static bool fail(alox_problem *p, alox_problem_kind kind, const alox_type *t) {
    p->kind = kind;
    p->type = t;
    return false;
}

static bool sendable(const alox_type *t, alox_problem *p) {
    switch (t->kind) {
    case ALOX_TYPE_BOOL:
    case ALOX_TYPE_INTEGER:
    case ALOX_TYPE_ENUM:
        return true;
    case ALOX_TYPE_FLOAT:
        return alox_float_bits_sendable(t->bits) || fail(p, ALOX_NOT_SENDABLE, t);
    case ALOX_TYPE_POINTER:
        if (t->array_parameter)
            return fail(p, ALOX_ARRAY_PARAMETER, t);
        if (t->stage || t->pointee == ALOX_POINTEE_ACTOR)
            return true;
        return fail(p, t->pointee == ALOX_POINTEE_FUNCTION ? ALOX_FUNCTION_POINTER
                                                            : ALOX_PLAIN_POINTER, t);
    case ALOX_TYPE_ARRAY:
        return sendable(t->element, p);
    case ALOX_TYPE_STRUCT:
        return sendable_record(t, p);
    case ALOX_TYPE_UNION:
        if (alox_contains_pointer(t))
            return fail(p, ALOX_UNION_POINTER, t);
        return sendable_record(t, p);
    default:
        return fail(p, ALOX_NOT_SENDABLE, t);
    }
}

alox_problem alox_check_parameter(const alox_type *type) {
    alox_problem p;
    memset(&p, 0, sizeof p);
    p.kind = ALOX_SENDABLE;
    if (type->kind == ALOX_TYPE_STRUCT && type->actor)
        fail(&p, ALOX_ACTOR_BY_VALUE, type);
    else
        sendable(type, &p);
    return p;
}

alox_rule alox_problem_rule(const alox_problem *p) {
    bool nested = p->member[0] != 0;
    switch (p->kind) {
    case ALOX_PLAIN_POINTER:
        return nested ? ALOX_RULE_PLAIN_POINTER_MEMBER : ALOX_RULE_PLAIN_POINTER;
    case ALOX_FUNCTION_POINTER:
        return nested ? ALOX_RULE_FUNCTION_POINTER_MEMBER : ALOX_RULE_FUNCTION_POINTER;
    case ALOX_FLEXIBLE_ARRAY:
        return ALOX_RULE_FLEXIBLE_ARRAY;
    case ALOX_UNION_POINTER:
        return nested ? ALOX_RULE_UNION_POINTER_MEMBER : ALOX_RULE_UNION_POINTER;
    case ALOX_ARRAY_PARAMETER:
        return ALOX_RULE_ARRAY_PARAMETER;
    case ALOX_ACTOR_BY_VALUE:
        return ALOX_RULE_PARAM_ACTOR_BY_VALUE;
    case ALOX_NOT_SENDABLE:
    default:
        return nested ? ALOX_RULE_NOT_SENDABLE_MEMBER : ALOX_RULE_NOT_SENDABLE;
    }
}
