/*
 * future.c - behaviours that answer: alox_future(T), alox_then, alox_await.
 *
 * Under alox-clang, alox.h spells alox_future(T) as T marked
 * annotate("alox_future"), so libclang type-checks `return v;` against T;
 * the copy that clang compiles has every use of the macro renamed to
 * alox__future_t (the same function-pointer type the GCC plugin sees):
 *
 *   alox_behave alox_future(int64_t) total(struct c *self)
 *       -> alox_behave alox__future_t(int64_t) total(struct c *self)
 *   return self->n;
 *       -> return ({ __typeof__(int64_t) __alox_v = (self->n);
 *                    (alox__future_t(int64_t))alox__fulfil(&__alox_v, sizeof __alox_v); });
 *   f = total(c);       -> f = __alox_send_total(c);   (alox_ask, emit.c)
 *   total(c);           -> __alox_tell_total(c);       (alox_ask_forget)
 *   alox_then(f, self, got, 10)  -> alox__then_desc(f, self, (&__alox_behaviour_got), 10)
 *   alox_await(f, 10, &v)        -> alox__await_value_of(f, 10, &v)
 *
 * A future is recognised where it is named: a call of a future behaviour,
 * or a variable, parameter or member declared alox_future(T).
 * Paths without a value: `return;` here; falling off the end from clang's
 * own -Wreturn-type diagnostic, which is then not shown (nor is clang's
 * complaint about `return;`): the shared rule says it instead.
 */
#include "alox-clang.h"

#include <stdlib.h>
#include <string.h>

bool is_future_behaviour(CXCursor fn) {
    return is_behaviour(fn) && has_annotation(fn, "alox_future");
}

static CXCursor strip(CXCursor c) {
    while (clang_getCursorKind(c) == CXCursor_UnexposedExpr ||
           clang_getCursorKind(c) == CXCursor_ParenExpr) {
        CXCursor child = first_child(c);
        if (clang_Cursor_isNull(child))
            break;
        c = child;
    }
    return c;
}

bool future_value_of(CXCursor expr, CXType *value) {
    CXCursor c = strip(expr);
    enum CXCursorKind k = clang_getCursorKind(c);
    CXCursor decl = clang_getNullCursor();
    if (k == CXCursor_CallExpr) {
        CXCursor ref = callee_ref(c);
        decl = clang_Cursor_isNull(ref) ? ref : clang_getCursorReferenced(ref);
        if (!is_future_behaviour(decl))
            return false;
    } else if (k == CXCursor_DeclRefExpr || k == CXCursor_MemberRefExpr) {
        decl = clang_getCursorReferenced(c);
        if (!has_annotation(decl, "alox_future"))
            return false;
    } else {
        /* an expression of the future type itself: alox_lookup_future(...) */
        CXType t = unqualified_canonical(clang_getCursorType(c));
        CXType fn = t.kind == CXType_Pointer ? clang_getPointeeType(t) : t;
        if (t.kind != CXType_Pointer || fn.kind != CXType_FunctionProto ||
            clang_getNumArgTypes(fn) != 1)
            return false;
        CXType marker = clang_getPointeeType(clang_getArgType(fn, 0));
        char *tag = record_tag(marker);
        bool yes = strcmp(tag, "alox__future_of") == 0;
        free(tag);
        if (!yes)
            return false;
        *value = clang_getResultType(fn);
        return true;
    }
    *value = clang_getCursorType(c);
    return true;
}

bool check_future_arg(CXCursor arg, const char *api, CXSourceLocation loc, CXType *value) {
    if (future_value_of(arg, value))
        return true;
    char *type = type_name(clang_getCursorType(strip(arg)));
    alox_msg m = {0};
    m.api = api;
    m.type = type;
    report_at(loc, ALOX_RULE_NOT_FUTURE, &m);
    free(type);
    return false;
}

/* ----- the body ------------------------------------------------------------ */

typedef struct body_range {
    CXFile file;
    unsigned start, end;
} body_range;

static body_range *bodies;
static int body_count;

static bool in_body(CXSourceLocation loc) {
    CXFile file;
    unsigned offset;
    clang_getFileLocation(loc, &file, NULL, NULL, &offset);
    for (int i = 0; i < body_count; i++)
        if (file && clang_File_isEqual(file, bodies[i].file) && offset >= bodies[i].start &&
            offset <= bodies[i].end)
            return true;
    return false;
}

static bool is_return_type_diagnostic(CXDiagnostic d) {
    CXString disable;
    CXString option = clang_getDiagnosticOption(d, &disable);
    bool yes = strcmp(clang_getCString(option), "-Wreturn-type") == 0;
    clang_disposeString(option);
    clang_disposeString(disable);
    return yes;
}

bool future_diagnostic_replaced(CXDiagnostic d) {
    return body_count && is_return_type_diagnostic(d) && in_body(clang_getDiagnosticLocation(d));
}

static char *spelled_value(CXCursor fn) {
    return cx_string(clang_getTypeSpelling(clang_getCursorResultType(fn)));
}

static void report_no_value(CXSourceLocation loc, CXCursor fn) {
    char *name = cx_string(clang_getCursorSpelling(fn)), *value = spelled_value(fn);
    alox_msg m = {0};
    m.fn = name;
    m.spelled = value;
    report_at(loc, ALOX_RULE_FUTURE_NO_VALUE, &m);
    free(name), free(value);
}

/* Falling off the end: clang said so (-Wreturn-type) inside this body. */
void future_body(CXTranslationUnit tu, CXCursor fn) {
    CXSourceRange extent = clang_getCursorExtent(fn);
    body_range r;
    clang_getFileLocation(clang_getRangeStart(extent), &r.file, NULL, NULL, &r.start);
    clang_getFileLocation(clang_getRangeEnd(extent), NULL, NULL, NULL, &r.end);
    bodies = xrealloc(bodies, sizeof *bodies * (size_t)(body_count + 1));
    bodies[body_count++] = r;
    for (unsigned i = 0, n = clang_getNumDiagnostics(tu); i < n; i++) {
        CXDiagnostic d = clang_getDiagnostic(tu, i);
        CXSourceLocation at = clang_getDiagnosticLocation(d);
        CXFile file;
        unsigned offset;
        clang_getFileLocation(at, &file, NULL, NULL, &offset);
        CXString text = clang_getDiagnosticSpelling(d);
        if (is_return_type_diagnostic(d) && file && clang_File_isEqual(file, r.file) &&
            offset >= r.start && offset <= r.end &&
            strstr(clang_getCString(text), "does not return a value"))
            report_no_value(at, fn);
        clang_disposeString(text);
        clang_disposeDiagnostic(d);
    }
}

static bool file_offset(CXSourceLocation loc, CXFile *file, unsigned *offset) {
    clang_getFileLocation(loc, file, NULL, NULL, offset);
    return *file != NULL;
}

void future_return(scan_state *s, CXCursor ret, CXCursor fn) {
    CXCursor value = first_child(ret);
    if (clang_Cursor_isNull(value)) {
        report_no_value(clang_getCursorLocation(ret), fn);
        return;
    }
    CXSourceRange extent = clang_getCursorExtent(value);
    CXFile f1, f2;
    unsigned start, end;
    if (!file_offset(clang_getRangeStart(extent), &f1, &start) ||
        !file_offset(clang_getRangeEnd(extent), &f2, &end) || !clang_File_isEqual(f1, f2) ||
        end <= start) {
        error_at(clang_getCursorLocation(ret), "the Alox front end cannot rewrite this return "
                 "of a future's value: write `return VALUE;` in the file");
        return;
    }
    file_edits *fe = edits_for(scan_tu(s), f1);
    if (!fe)
        return;
    char *t = spelled_value(fn);
    alox_arena arena = {0};
    alox_refs refs = {0};
    alox_collect_refs(model_of(&arena, clang_getCursorResultType(fn), false), 0, &refs);
    bool has_refs = refs.count > 0;
    alox_refs_free(&refs);
    alox_arena_free(&arena);
    strbuf before = {0}, after = {0};
    sb_printf(&before, "({ __typeof__(%s) __alox_v = (", t);
    sb_printf(&after, "); (alox__future_t(%s))alox__fulfil(&__alox_v, (uint32_t)sizeof __alox_v%s); })",
              t, has_refs ? " | ALOX_FULFIL_HAS_REFS" : "");
    edit_insert(fe, start, before.data);
    edit_insert(fe, end, after.data);
    sb_free(&before), sb_free(&after);
    free(t);
}

/* Every written alox_future(...) becomes alox__future_t(...) in the copy. */
void future_macro(CXTranslationUnit tu, CXCursor expansion) {
    char *name = cx_string(clang_getCursorSpelling(expansion));
    if (strcmp(name, "alox_future") == 0) {
        CXFile file;
        unsigned offset;
        if (file_offset(clang_getCursorLocation(expansion), &file, &offset)) {
            file_edits *fe = edits_for(tu, file);
            size_t size;
            const char *text = fe ? edits_text(fe, &size) : NULL;
            if (text && identifier_at(text, size, offset, "alox_future"))
                edit_replace(fe, offset, strlen("alox_future"), "alox__future_t");
        }
    }
    free(name);
}

/* ----- alox_await ------------------------------------------------------------ */

void await_call(scan_state *s, CXCursor call, CXCursor in_fn) {
    CXSourceLocation loc = clang_getCursorLocation(call);
    if (!clang_Cursor_isNull(in_fn) && is_behaviour(in_fn)) {
        char *name = cx_string(clang_getCursorSpelling(in_fn));
        alox_msg m = {0};
        m.fn = name;
        report_at(loc, ALOX_RULE_AWAIT_IN_BEHAVIOUR, &m);
        free(name);
        return;
    }
    if (clang_Cursor_getNumArguments(call) != 4)
        return;
    CXType value;
    if (!check_future_arg(clang_Cursor_getArgument(call, 1), "alox_await", loc, &value))
        return;
    CXType ptr = clang_getCursorType(strip(clang_Cursor_getArgument(call, 3)));
    CXType pointee = clang_getPointeeType(unqualified_canonical(ptr));
    if (unqualified_canonical(ptr).kind != CXType_Pointer ||
        !clang_equalTypes(unqualified_canonical(pointee), unqualified_canonical(value))) {
        char *type = type_name(ptr), *want = type_name(value);
        char *spelled = cx_string(clang_getTypeSpelling(value));
        alox_msg m = {0};
        m.type = type;
        m.type2 = want;
        m.spelled = spelled;
        report_at(loc, ALOX_RULE_AWAIT_VALUE_TYPE, &m);
        free(type), free(want), free(spelled);
        return;
    }
    if (!rename_macro_use(scan_tu(s), loc, "alox_await", "alox__await_value_of"))
        error_at(loc, "the Alox front end cannot rewrite this use of 'alox_await': write "
                 "'alox_await(...)' in the file, or in a macro of yours");
}

void future_reset(void) {
    free(bodies);
    bodies = NULL;
    body_count = 0;
}
