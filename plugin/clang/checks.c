/*
 * checks.c - the compile-time rules (README.md), worded exactly
 * as the GCC plugin words them (plugin/gcc/checks.cc), at the offending
 * parameter, declaration or expression:
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

/* ----- sendable types ----------------------------------------------- */

typedef enum problem_kind {
    FINE, PLAIN_POINTER, FUNCTION_POINTER, FLEXIBLE_ARRAY, UNION_POINTER, NOT_SENDABLE
} problem_kind;

typedef struct problem {
    problem_kind kind;
    CXType type;   /* the offending (sub)type */
    strbuf member; /* "inner.data" when nested, "" at top level */
} problem;

static bool is_function(CXType t) {
    return t.kind == CXType_FunctionProto || t.kind == CXType_FunctionNoProto;
}

typedef struct fields_state {
    bool (*each)(CXCursor field, void *data); /* false stops */
    void *data;
} fields_state;

static enum CXVisitorResult field_cb(CXCursor field, CXClientData data) {
    fields_state *s = data;
    return s->each(field, s->data) ? CXVisit_Continue : CXVisit_Break;
}

static void for_each_field(CXType record, bool (*each)(CXCursor, void *), void *data) {
    fields_state s = {each, data};
    clang_Type_visitFields(unqualified_canonical(record), field_cb, &s);
}

static bool pointer_cb(CXCursor field, void *data);

static bool contains_pointer(CXType t) {
    t = strip_arrays(t);
    if (t.kind == CXType_Pointer)
        return true;
    if (t.kind != CXType_Record)
        return false;
    bool found = false;
    for_each_field(t, pointer_cb, &found);
    return found;
}

static bool pointer_cb(CXCursor field, void *data) {
    if (contains_pointer(clang_getCursorType(field)))
        *(bool *)data = true;
    return !*(bool *)data;
}

static problem_kind sendable(CXType type, bool stage, strbuf *path, problem *p);

typedef struct record_state {
    strbuf *path;
    problem *p;
} record_state;

static bool member_cb(CXCursor field, void *data) {
    record_state *s = data;
    CXType ft = clang_getCursorType(field);
    CXType cft = unqualified_canonical(ft);
    size_t saved = s->path->len;
    char *name = cx_string(clang_getCursorSpelling(field));
    if (*name) { /* an anonymous struct/union member adds no name */
        if (s->path->len)
            sb_putc(s->path, '.');
        sb_puts(s->path, name);
    }
    free(name);
    bool flexible = cft.kind == CXType_IncompleteArray ||
                    (cft.kind == CXType_ConstantArray && clang_getArraySize(cft) == 0);
    if (flexible) {
        s->p->kind = FLEXIBLE_ARRAY;
        s->p->type = ft;
    } else {
        sendable(ft, has_annotation(field, "alox_stage"), s->path, s->p);
    }
    if (s->p->kind != FINE) {
        sb_free(&s->p->member);
        sb_puts(&s->p->member, sb_str(s->path));
        return false;
    }
    s->path->len = saved;
    if (s->path->data)
        s->path->data[saved] = 0;
    return true;
}

static problem_kind sendable_record(CXType type, strbuf *path, problem *p) {
    if (is_actor_record(type) || !is_record_complete(type))
        return p->kind = FINE; /* by value: reported as such; incomplete: by C */
    record_state s = {path, p};
    for_each_field(type, member_cb, &s);
    return p->kind;
}

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

static problem_kind sendable(CXType type, bool stage, strbuf *path, problem *p) {
    p->type = type;
    CXType t = unqualified_canonical(type);
    switch (t.kind) {
    case CXType_Bool: case CXType_Char_U: case CXType_UChar: case CXType_Char16:
    case CXType_Char32: case CXType_UShort: case CXType_UInt: case CXType_ULong:
    case CXType_ULongLong: case CXType_UInt128: case CXType_Char_S: case CXType_SChar:
    case CXType_WChar: case CXType_Short: case CXType_Int: case CXType_Long:
    case CXType_LongLong: case CXType_Int128: case CXType_Enum:
        return p->kind = FINE;
    case CXType_Float: case CXType_Double: case CXType_LongDouble: case CXType_Float128:
        return p->kind = float_bits(t) ? FINE : NOT_SENDABLE;
    case CXType_Pointer:
        if (stage || actor_of_pointer(t, NULL))
            return p->kind = FINE;
        return p->kind = is_function(unqualified_canonical(clang_getPointeeType(t)))
                             ? FUNCTION_POINTER : PLAIN_POINTER;
    case CXType_ConstantArray:
        return sendable(clang_getArrayElementType(type), false, path, p);
    case CXType_Record:
        if (clang_getCursorKind(clang_getTypeDeclaration(t)) == CXCursor_UnionDecl &&
            contains_pointer(t))
            return p->kind = UNION_POINTER;
        return sendable_record(t, path, p);
    default:
        return p->kind = NOT_SENDABLE;
    }
}

/* ----- behaviours --------------------------------------------------- */

static const char *SENDABLE_KINDS =
    "send integers, floats, bool, enums, actor references, alox_stage "
    "pointers, or structs and fixed arrays of them";

static void report(CXSourceLocation loc, const char *parm, const char *fn, problem *p) {
    const char *m = sb_str(&p->member);
    bool nested = *m != 0;
    char *t = type_name(p->type);
    switch (p->kind) {
    case FINE:
        break;
    case PLAIN_POINTER:
        if (nested)
            error_at(loc, "parameter '%s' of behaviour '%s' contains a plain pointer %s "
                     "(member '%s'): only actor references and alox_stage pointers can "
                     "be sent; copy the data into the struct (a fixed array) or mark "
                     "the member alox_stage", parm, fn, t, m);
        else
            error_at(loc, "parameter '%s' of behaviour '%s' is a plain pointer %s: only "
                     "actor references and alox_stage pointers can be sent; pass the "
                     "data by value (a struct or fixed array) or mark it alox_stage",
                     parm, fn, t);
        break;
    case FUNCTION_POINTER:
        if (nested)
            error_at(loc, "parameter '%s' of behaviour '%s' contains a function pointer %s "
                     "(member '%s'): code addresses cannot be sent to an actor; send a "
                     "value (an enum or integer) that selects the function instead",
                     parm, fn, t, m);
        else
            error_at(loc, "parameter '%s' of behaviour '%s' is a function pointer %s: code "
                     "addresses cannot be sent to an actor; send a value (an enum or "
                     "integer) that selects the function instead", parm, fn, t);
        break;
    case FLEXIBLE_ARRAY:
        error_at(loc, "parameter '%s' of behaviour '%s' has a flexible array member "
                 "'%s': a message has a fixed size; give the array a fixed length",
                 parm, fn, m);
        break;
    case UNION_POINTER:
        if (nested)
            error_at(loc, "parameter '%s' of behaviour '%s' contains a union %s with a "
                     "pointer (member '%s'): the runtime cannot tell which member is "
                     "active, so it can neither check nor translate the pointer; send a "
                     "struct instead", parm, fn, t, m);
        else
            error_at(loc, "parameter '%s' of behaviour '%s' is a union %s containing a "
                     "pointer: the runtime cannot tell which member is active, so it can "
                     "neither check nor translate the pointer; send a struct instead",
                     parm, fn, t);
        break;
    case NOT_SENDABLE:
        if (nested)
            error_at(loc, "parameter '%s' of behaviour '%s' contains type %s (member '%s'), "
                     "which cannot be sent: %s", parm, fn, t, m, SENDABLE_KINDS);
        else
            error_at(loc, "parameter '%s' of behaviour '%s' has type %s, which cannot be "
                     "sent: %s", parm, fn, t, SENDABLE_KINDS);
        break;
    }
    free(t);
}

static bool check_self(CXSourceLocation loc, const char *name, const char *fn, CXType type) {
    if (actor_of_pointer(type, NULL))
        return true;
    CXType c = unqualified_canonical(type);
    CXType pointee = unqualified_canonical(clang_getPointeeType(c));
    char *tag = c.kind == CXType_Pointer && pointee.kind == CXType_Record ? record_tag(pointee)
                                                                          : xstrdup("");
    if (*tag) {
        char *t = type_name(pointee);
        error_at(loc, "first parameter '%s' of behaviour '%s' points to %s, which is "
                 "not an actor struct: declare it 'struct alox_actor %s { ... };'",
                 name, fn, t, tag);
        free(t);
    } else {
        char *t = type_name(type);
        error_at(loc, "first parameter '%s' of behaviour '%s' has type %s: the first "
                 "parameter of a behaviour is the actor that runs it, a pointer to "
                 "an alox_actor struct ('struct ACTOR *self')", name, fn, t);
        free(t);
    }
    free(tag);
    return false;
}

bool check_behaviour(CXCursor fn) {
    char *name = cx_string(clang_getCursorSpelling(fn));
    CXSourceLocation floc = clang_getCursorLocation(fn);
    CXType fntype = function_type(fn);
    bool ok = true;
    CXType ret = clang_getResultType(fntype);
    if (ret.kind != CXType_Invalid && unqualified_canonical(ret).kind != CXType_Void) {
        char *t = type_name(ret);
        error_at(floc, "behaviour '%s' returns %s: a behaviour runs later, on its actor, so "
                 "the caller cannot get a value back; make it return void and send "
                 "the result back with another behaviour", name, t);
        free(t);
        ok = false;
    }
    int nargs = clang_getNumArgTypes(fntype);
    if (fntype.kind != CXType_FunctionProto || nargs <= 0) {
        if (fntype.kind == CXType_FunctionProto || fntype.kind == CXType_FunctionNoProto)
            error_at(floc, "behaviour '%s' has no %s: its first parameter is the actor "
                     "that runs it ('struct ACTOR *self')", name,
                     fntype.kind == CXType_FunctionProto ? "parameters" : "prototype");
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
        if (type.kind == CXType_Invalid) {
            ok = false; /* already reported by clang */
        } else if (i == 0) {
            ok &= check_self(loc, pname, name, type);
        } else if (is_actor_record(type)) {
            char *t = type_name(type);
            char *s = cx_string(clang_getTypeSpelling(type));
            error_at(loc, "parameter '%s' of behaviour '%s' takes actor struct %s by "
                     "value: an actor is never copied; pass a reference ('%s *')",
                     pname, name, t, s);
            free(t);
            free(s);
            ok = false;
        } else if (unqualified_canonical(type).kind == CXType_VariableArray ||
                   unqualified_canonical(type).kind == CXType_IncompleteArray ||
                   unqualified_canonical(type).kind == CXType_ConstantArray) {
            /* an array parameter is a pointer (libclang shows VLAs undecayed) */
            char *elem = cx_string(clang_getTypeSpelling(
                clang_getArrayElementType(unqualified_canonical(type))));
            error_at(loc, "parameter '%s' of behaviour '%s' is a plain pointer '%s *': only "
                     "actor references and alox_stage pointers can be sent; pass the "
                     "data by value (a struct or fixed array) or mark it alox_stage",
                     pname, name, elem);
            free(elem);
            ok = false;
        } else {
            problem p = {0};
            strbuf path = {0};
            bool stage = !clang_Cursor_isNull(parm) && has_annotation(parm, "alox_stage");
            sendable(type, stage, &path, &p);
            report(loc, pname, name, &p);
            ok &= p.kind == FINE;
            sb_free(&p.member);
            sb_free(&path);
        }
        free(pname);
    }
    if (clang_isFunctionTypeVariadic(fntype)) {
        error_at(floc, "behaviour '%s' is variadic: a message has a fixed layout, so "
                 "'...' cannot be sent; give it fixed parameters (a struct or "
                 "fixed array for many values)", name);
        ok = false;
    }
    free(name);
    return ok;
}

/* ----- actor structs by value ---------------------------------------- */

void check_function_by_value(CXCursor fn) {
    CXType fntype = function_type(fn);
    CXType ret = clang_getResultType(fntype);
    if (ret.kind != CXType_Invalid && is_actor_record(ret)) {
        char *d = cx_string(clang_getCursorSpelling(fn));
        char *t = type_name(ret);
        char *s = cx_string(clang_getTypeSpelling(ret));
        error_at(clang_getCursorLocation(fn),
                 "function '%s' returns actor struct %s by value: an actor is never "
                 "copied; return a reference ('%s *')", d, t, s);
        free(d), free(t), free(s);
    }
    if (is_behaviour(fn))
        return; /* its parameters are checked as a behaviour's */
    for (int i = 0, n = clang_Cursor_getNumArguments(fn); i < n; i++) {
        CXCursor parm = clang_Cursor_getArgument(fn, (unsigned)i);
        CXType type = unqualified_canonical(clang_getCursorType(parm));
        if (!is_actor_record(type))
            continue;
        char *d = cx_string(clang_getCursorSpelling(parm));
        char *t = type_name(type);
        char *s = cx_string(clang_getTypeSpelling(type));
        error_at(clang_getCursorLocation(parm),
                 "parameter '%s' takes actor struct %s by value: an actor is never "
                 "copied; pass a reference ('%s *')", d, t, s);
        free(d), free(t), free(s);
    }
}

void check_var_by_value(CXCursor var) {
    CXType type = strip_arrays(clang_getCursorType(var));
    if (!is_actor_record(type))
        return;
    char *d = cx_string(clang_getCursorSpelling(var));
    char *t = type_name(type);
    char *s = cx_string(clang_getTypeSpelling(type));
    error_at(clang_getCursorLocation(var),
             "'%s' declares actor struct %s by value: actors are created only "
             "with 'alox_new(%s)' and used through references; declare "
             "'%s *%s' instead", d, t, s, s, d);
    free(d), free(t), free(s);
}

void check_field(CXCursor field) {
    CXType type = strip_arrays(clang_getCursorType(field));
    if (!is_actor_record(type))
        return;
    char *d = cx_string(clang_getCursorSpelling(field));
    char *t = type_name(type);
    char *s = cx_string(clang_getTypeSpelling(type));
    error_at(clang_getCursorLocation(field),
             "member '%s' holds actor struct %s by value: an actor is never part of "
             "another object; store a reference ('%s *') made with 'alox_new(%s)'",
             d, t, s, s);
    free(d), free(t), free(s);
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
    if (strcmp(what, "alox_actor") == 0 && k != CXCursor_StructDecl) {
        if (first_time(attr))
            error_at(loc, "'alox_actor' marks a struct definition as an actor type; write "
                     "'struct alox_actor NAME { ... };'");
    } else if (strcmp(what, "alox_behave") == 0 && k != CXCursor_FunctionDecl) {
        if (first_time(attr))
            error_at(loc, "'alox_behave' marks a function as a behaviour; write "
                     "'alox_behave void NAME(struct ACTOR *self, ...)'");
    } else if (strcmp(what, "alox_stage") == 0) {
        if (k != CXCursor_ParmDecl && k != CXCursor_FieldDecl) {
            if (first_time(attr))
                error_at(loc, "'alox_stage' marks a pointer parameter of a behaviour (or a "
                         "pointer member of a struct sent by value); put it before the "
                         "parameter: 'alox_stage const char *text'");
            return;
        }
        CXType type = clang_getCursorType(decl);
        if (unqualified_canonical(type).kind == CXType_Pointer || !first_time(attr))
            return;
        char *d = cx_string(clang_getCursorSpelling(decl));
        char *t = type_name(type);
        error_at(loc, "'alox_stage' on '%s' of type %s: alox_stage marks a pointer into "
                 "memory of this process; remove it, or make '%s' a pointer", d, t, d);
        free(d), free(t);
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
