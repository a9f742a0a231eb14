/*
 * checks.c - the compile-time rules (README.md), at the
 * offending parameter, declaration or expression. The wording and what
 * can be sent come from the shared core (plugin/common: alox_rules.h,
 * alox_sendable.h, on the model of model.c), which the GCC plugin uses
 * too, so both front ends say the same:
 *   - a behaviour returns void;
 *   - its first parameter points to an alox_actor struct;
 *   - every other parameter is sendable (integers, floats, bool, enums,
 *     structs and fixed arrays of sendable types, actor references,
 *     alox_stage pointers), and the behaviour is not variadic;
 *   - an actor struct is never declared by value;
 *   - the annotations stand where they mean something.
 * The rules on expressions (address of a behaviour, malloc of an actor,
 * alox_new of a non-actor, compound literals) are in scan.c, which walks
 * the bodies. Types are named the way clang names them ('T' (aka 'U')).
 */
#include "alox-clang.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Precision of a floating type, as GCC's TYPE_PRECISION gives it. */
unsigned float_bits(CXType t) {
    switch (t.kind) {
    case CXType_Float: return 32;
    case CXType_Double: return 64;
    case CXType_Float128: return 128;
    case CXType_LongDouble: {
        long long size = clang_Type_getSizeOf(t);
        if (size == 8)
            return 64;
        return clang_Type_getAlignOf(t) == 16 && size == 16 ? 80 : 128;
    }
    default: return 0;
    }
}

/* A type named for a message ({type}) and spelled for code ({spelled}). */
typedef struct spelling {
    char *type, *spelled;
} spelling;

static spelling spell(CXType t) {
    spelling s = {type_name(t), cx_string(clang_getTypeSpelling(t))};
    return s;
}

static void unspell(spelling *s) {
    free(s->type);
    free(s->spelled);
}

/* ----- behaviours --------------------------------------------------- */

static bool check_self(CXSourceLocation loc, const char *name, const char *fn, CXType type) {
    if (actor_of_pointer(type, NULL))
        return true;
    alox_msg m = {0};
    m.parm = name;
    m.fn = fn;
    CXType c = unqualified_canonical(type);
    CXType pointee = unqualified_canonical(clang_getPointeeType(c));
    bool to_record = c.kind == CXType_Pointer && pointee.kind == CXType_Record &&
                     clang_getCursorKind(clang_getTypeDeclaration(pointee)) == CXCursor_StructDecl;
    char *tag = to_record ? record_tag(pointee) : xstrdup("");
    if (to_record && is_actor_record(pointee)) {
        report_at(loc, ALOX_RULE_SELF_ANONYMOUS, &m);
    } else if (*tag) {
        spelling n = spell(pointee);
        m.type = n.type;
        m.tag = tag;
        report_at(loc, ALOX_RULE_SELF_NOT_ACTOR, &m);
        unspell(&n);
    } else {
        spelling n = spell(type);
        m.type = n.type;
        report_at(loc, ALOX_RULE_SELF_NOT_POINTER, &m);
        unspell(&n);
    }
    free(tag);
    return false;
}

/* A parameter after self: sendable, or one error that says why not. */
static bool check_parameter(CXSourceLocation loc, const char *name, const char *fn, CXType type,
                            CXCursor parm) {
    alox_arena arena = {0};
    alox_problem p = alox_check_parameter(model_of_parameter(&arena, type, parm));
    if (p.kind != ALOX_SENDABLE) {
        spelling n = spell(*(const CXType *)p.type->native);
        alox_msg m = {0};
        m.parm = name;
        m.fn = fn;
        m.member = p.member;
        m.type = n.type;
        m.spelled = n.spelled;
        report_at(loc, alox_problem_rule(&p), &m);
        unspell(&n);
    }
    alox_arena_free(&arena);
    return p.kind == ALOX_SENDABLE;
}

bool check_behaviour(CXCursor fn) {
    char *name = cx_string(clang_getCursorSpelling(fn));
    CXSourceLocation floc = clang_getCursorLocation(fn);
    CXType fntype = function_type(fn);
    alox_msg m = {0};
    m.fn = name;
    bool ok = true;
    CXType ret = clang_getResultType(fntype);
    if (has_annotation(fn, "alox_future")) { /* T goes back to the caller */
        alox_arena arena = {0};
        alox_problem p = alox_check_parameter(model_of(&arena, ret, false));
        alox_arena_free(&arena);
        if (p.kind != ALOX_SENDABLE) {
            spelling n = spell(ret);
            m.type = n.type;
            m.spelled = n.spelled;
            report_at(floc, ALOX_RULE_FUTURE_NOT_SENDABLE, &m);
            unspell(&n);
            ok = false;
        }
    } else if (ret.kind != CXType_Invalid && unqualified_canonical(ret).kind != CXType_Void) {
        spelling n = spell(ret);
        m.type = n.type;
        report_at(floc, ALOX_RULE_RETURNS_VALUE, &m);
        unspell(&n);
        ok = false;
    }
    int nargs = clang_getNumArgTypes(fntype);
    if (fntype.kind != CXType_FunctionProto || nargs <= 0) {
        if (fntype.kind == CXType_FunctionProto || fntype.kind == CXType_FunctionNoProto)
            report_at(floc, fntype.kind == CXType_FunctionProto ? ALOX_RULE_NO_PARAMETERS
                                                                : ALOX_RULE_NO_PROTOTYPE, &m);
        free(name);
        return false;
    }
    int nparms = clang_Cursor_getNumArguments(fn);
    for (int i = 0; i < nargs; i++) {
        CXCursor parm = i < nparms ? clang_Cursor_getArgument(fn, (unsigned)i)
                                   : clang_getNullCursor();
        char *pname = clang_Cursor_isNull(parm) ? xstrdup("")
                                                : cx_string(clang_getCursorSpelling(parm));
        if (!*pname) {
            free(pname);
            pname = xmalloc(16);
            snprintf(pname, 16, "#%d", i + 1);
        }
        CXSourceLocation loc = clang_Cursor_isNull(parm) ? floc : clang_getCursorLocation(parm);
        CXType type = clang_getArgType(fntype, (unsigned)i);
        if (type.kind == CXType_Invalid)
            ok = false; /* already reported by clang */
        else if (i == 0)
            ok &= check_self(loc, pname, name, type);
        else
            ok &= check_parameter(loc, pname, name, type, parm);
        free(pname);
    }
    if (clang_isFunctionTypeVariadic(fntype)) {
        report_at(floc, ALOX_RULE_VARIADIC, &m);
        ok = false;
    }
    free(name);
    return ok;
}

/* ----- actor structs by value ---------------------------------------- */

/* A rule about actor struct `type` and the declaration `decl` (or none). */
void report_actor(CXSourceLocation loc, alox_rule rule, CXCursor decl, CXType type) {
    char *name = clang_Cursor_isNull(decl) ? xstrdup("") : cx_string(clang_getCursorSpelling(decl));
    spelling n = spell(type);
    alox_msg m = {0};
    m.fn = m.parm = m.name = name;
    m.type = n.type;
    m.spelled = n.spelled;
    report_at(loc, rule, &m);
    unspell(&n);
    free(name);
}

void check_function_by_value(CXCursor fn) {
    CXType fntype = function_type(fn);
    CXType ret = clang_getResultType(fntype);
    if (ret.kind != CXType_Invalid && is_actor_record(ret))
        report_actor(clang_getCursorLocation(fn), ALOX_RULE_FUNCTION_RETURNS_ACTOR, fn, ret);
    if (is_behaviour(fn))
        return; /* its parameters are checked as a behaviour's */
    for (int i = 0, n = clang_Cursor_getNumArguments(fn); i < n; i++) {
        CXCursor parm = clang_Cursor_getArgument(fn, (unsigned)i);
        CXType type = unqualified_canonical(clang_getCursorType(parm));
        if (is_actor_record(type))
            report_actor(clang_getCursorLocation(parm), ALOX_RULE_PARAMETER_ACTOR_BY_VALUE, parm,
                         type);
    }
}

void check_var_by_value(CXCursor var) {
    CXType type = strip_arrays(clang_getCursorType(var));
    if (is_actor_record(type))
        report_actor(clang_getCursorLocation(var), ALOX_RULE_VARIABLE_ACTOR_BY_VALUE, var, type);
}

void check_field(CXCursor field) {
    CXType type = strip_arrays(clang_getCursorType(field));
    if (is_actor_record(type))
        report_actor(clang_getCursorLocation(field), ALOX_RULE_MEMBER_ACTOR_BY_VALUE, field, type);
}

/* ----- misplaced annotations ------------------------------------------ */

static char **reported; /* "file:offset" of attributes already judged */
static int reported_count;

static bool first_time(CXCursor attr) {
    CXFile file;
    unsigned offset;
    clang_getExpansionLocation(clang_getCursorLocation(attr), &file, NULL, NULL, &offset);
    char *name = cx_string(clang_getFileName(file));
    strbuf key = {0};
    sb_printf(&key, "%s:%u", name, offset);
    free(name);
    for (int i = 0; i < reported_count; i++)
        if (strcmp(reported[i], key.data) == 0) {
            sb_free(&key);
            return false;
        }
    reported = xrealloc(reported, sizeof(char *) * (size_t)(reported_count + 1));
    reported[reported_count++] = key.data;
    return true;
}

static void judge(CXCursor decl, CXCursor attr, const char *what) {
    enum CXCursorKind k = clang_getCursorKind(decl);
    CXSourceLocation loc = clang_getCursorLocation(decl);
    alox_msg m = {0};
    if (strcmp(what, "alox_actor") == 0 && k != CXCursor_StructDecl) {
        if (first_time(attr))
            report_at(loc, ALOX_RULE_ACTOR_MISPLACED, &m);
    } else if (strcmp(what, "alox_behave") == 0 && k != CXCursor_FunctionDecl) {
        if (first_time(attr))
            report_at(loc, ALOX_RULE_BEHAVE_MISPLACED, &m);
    } else if (strcmp(what, "alox_stage") == 0) {
        if (k != CXCursor_ParmDecl && k != CXCursor_FieldDecl) {
            if (first_time(attr))
                report_at(loc, ALOX_RULE_STAGE_MISPLACED, &m);
            return;
        }
        CXType type = clang_getCursorType(decl);
        if (unqualified_canonical(type).kind == CXType_Pointer || !first_time(attr))
            return;
        char *d = cx_string(clang_getCursorSpelling(decl));
        spelling n = spell(type);
        m.name = d;
        m.type = n.type;
        report_at(loc, ALOX_RULE_STAGE_NOT_POINTER, &m);
        unspell(&n);
        free(d);
    }
}

static enum CXChildVisitResult attr_cb(CXCursor c, CXCursor parent, CXClientData data) {
    (void)data;
    if (clang_getCursorKind(c) != CXCursor_AnnotateAttr)
        return CXChildVisit_Continue;
    char *what = cx_string(clang_getCursorSpelling(c));
    if (strncmp(what, "alox_", 5) == 0)
        judge(parent, c, what);
    free(what);
    return CXChildVisit_Continue;
}

void check_annotations(CXCursor decl) {
    if (clang_Cursor_hasAttrs(decl))
        clang_visitChildren(decl, attr_cb, NULL);
}
