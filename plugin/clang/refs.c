/*
 * refs.c - behaviour references: alox_after, alox_monitor, alox_watch_fd.
 *
 * alox.h spells each as a macro over a marker function (the table in
 * plugin/common/alox_refapi.h, which the GCC plugin uses too). A marker
 * call is checked at its arguments, with the shared rules and messages,
 * then rewritten in the text:
 *
 *   alox_monitor(self, w, on_down)
 *       -> alox_monitor_desc(self, w, (&__alox_behaviour_on_down))
 *   alox_watch_fd(self, fd, ALOX_READ, on_ready)
 *       -> alox_watch_fd_desc(self, fd, ALOX_READ, (&__alox_behaviour_on_ready))
 *   alox_after(250, tick(self, 1))
 *       -> __ALOX_AFTER(250, __alox_pend_tick(self, 1))
 *          = alox_send_after(250, self, &__alox_behaviour_tick, &(struct __alox_args_tick){ 1 })
 *
 * (emit.c writes __ALOX_AFTER and __alox_pend_<fn>.) The macro's name and
 * the behaviour's name are renamed where they are written: in the file,
 * or in the user's own macro that uses them (macros.c).
 */
#include "alox-clang.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An argument's type before the conversion to the marker's parameter. */
static CXType original_type(CXCursor arg) {
    CXCursor c = arg;
    while (clang_getCursorKind(c) == CXCursor_UnexposedExpr ||
           clang_getCursorKind(c) == CXCursor_ParenExpr) {
        CXCursor child = first_child(c);
        if (clang_Cursor_isNull(child))
            break;
        c = child;
    }
    return clang_getCursorType(c);
}

/* The argument without implicit conversions: `on_down` or `&on_down`. */
static CXCursor written(CXCursor arg) {
    while (clang_getCursorKind(arg) == CXCursor_UnexposedExpr &&
           !clang_Cursor_isNull(first_child(arg)))
        arg = first_child(arg);
    return arg;
}

static void cannot_rewrite(CXSourceLocation loc, const char *api) {
    error_at(loc, "the Alox front end cannot rewrite this use of '%s': write '%s(...)' in "
             "the file, or in a macro of yours, without token pasting", api, api);
}

/* ----- callbacks: alox_monitor, alox_watch_fd ---------------------------- */

static bool check_parameters(CXSourceLocation at, const alox_refapi *api, CXCursor fn,
                             const char *expected, const CXType *value) {
    CXType fntype = function_type(fn);
    int n = clang_getNumArgTypes(fntype) - 1, parms = clang_Cursor_getNumArguments(fn);
    alox_arena arena = {0};
    const alox_type **params = alox_arena_alloc(&arena, sizeof *params * (size_t)(n > 0 ? n : 1));
    for (int i = 0; i < n; i++) {
        CXCursor parm = i + 1 < parms ? clang_Cursor_getArgument(fn, (unsigned)i + 1)
                                      : clang_getNullCursor();
        params[i] = model_of_parameter(&arena, clang_getArgType(fntype, (unsigned)i + 1), parm);
    }
    const alox_type *value_model = value ? model_of(&arena, *value, false) : NULL;
    alox_callback_check c = alox_check_callback(api, params, n > 0 ? n : 0, value_model);
    alox_arena_free(&arena);
    if (c.rule == ALOX_RULE_COUNT)
        return true;
    char *name = cx_string(clang_getCursorSpelling(fn)), *type = NULL, *parm_name = NULL;
    char count[16], wanted[16];
    snprintf(count, sizeof count, "%d", n);
    snprintf(wanted, sizeof wanted, "%d", api->param_count);
    alox_msg m = {0};
    m.fn = name;
    m.parm = api->ref_name;
    m.api = api->api;
    m.expected = expected;
    m.n = count;
    m.m = wanted;
    if (c.rule == ALOX_RULE_REF_PARAM_TYPE) {
        type = type_name(clang_getArgType(fntype, (unsigned)c.param + 1));
        CXCursor parm = c.param + 1 < parms ? clang_Cursor_getArgument(fn, (unsigned)c.param + 1)
                                            : clang_getNullCursor();
        parm_name = clang_Cursor_isNull(parm) ? xstrdup("") : cx_string(clang_getCursorSpelling(parm));
        if (!*parm_name) {
            free(parm_name);
            parm_name = xmalloc(16);
            snprintf(parm_name, 16, "#%d", c.param + 2);
        }
        m.type = type;
        m.name = parm_name;
        m.what = api->params[c.param].spelled;
    }
    strbuf what = {0};
    if (c.rule == ALOX_RULE_REF_PARAM_TYPE && api->params[c.param].value_of_arg >= 0) {
        char *v = cx_string(clang_getTypeSpelling(*value));
        sb_printf(&what, "%s %s", v, api->params[c.param].spelled);
        free(v);
        m.what = what.data;
    }
    report_at_argument(at, c.rule, &m);
    sb_free(&what);
    free(name), free(type), free(parm_name);
    return false;
}

/* Replace the reference (`on_down`, or `&on_down` when the & is written
 * beside it) by the descriptor's address. */
static bool rename_reference(scan_state *s, CXCursor arg, CXCursor ref, behaviour *b) {
    strbuf repl = {0};
    sb_printf(&repl, "(&__alox_behaviour_%s)", b->name);
    CXCursor outer = written(arg);
    bool ok = false;
    if (clang_getCursorKind(outer) == CXCursor_UnaryOperator) {
        CXFile f1, f2;
        unsigned amp, name;
        clang_getFileLocation(clang_getCursorLocation(outer), &f1, NULL, NULL, &amp);
        clang_getFileLocation(clang_getCursorLocation(ref), &f2, NULL, NULL, &name);
        file_edits *fe = f1 && clang_File_isEqual(f1, f2) ? edits_for(scan_tu(s), f1) : NULL;
        size_t size;
        const char *text = fe ? edits_text(fe, &size) : NULL;
        if (text && amp < name && text[amp] == '&' &&
            identifier_at(text, size, name, b->name)) {
            edit_replace(fe, amp, name + strlen(b->name) - amp, repl.data);
            ok = true;
        }
    } else {
        const char *why;
        ok = rename_callee(scan_tu(s), clang_getCursorLocation(ref), b->name, repl.data, &why);
    }
    sb_free(&repl);
    return ok;
}

static void callback_call(scan_state *s, CXCursor call, const alox_refapi *api) {
    CXTranslationUnit tu = scan_tu(s);
    CXSourceLocation loc = clang_getCursorLocation(call);
    if (clang_Cursor_getNumArguments(call) <= api->ref_arg) {
        report_at(loc, ALOX_RULE_REF_NOT_BEHAVIOUR, &(alox_msg){0});
        return;
    }
    CXCursor arg = clang_Cursor_getArgument(call, (unsigned)api->ref_arg);
    CXCursor ref = expr_ref(arg);
    CXCursor fn = clang_Cursor_isNull(ref) ? ref : clang_getCursorReferenced(ref);
    bool names_function = clang_getCursorKind(fn) == CXCursor_FunctionDecl;
    /* at the argument (its & if written), as GCC reports it */
    CXSourceLocation at = names_function ? clang_getCursorLocation(written(arg)) : loc;
    CXType self = original_type(clang_Cursor_getArgument(call, (unsigned)api->self_arg));
    CXType self_actor;
    bool self_ok = actor_of_pointer(self, &self_actor);
    char *self_spelled = self_ok ? cx_string(clang_getTypeSpelling(clang_getPointeeType(self)))
                                 : xstrdup("struct ACTOR");
    char *fn_name = names_function ? cx_string(clang_getCursorSpelling(fn)) : xstrdup("NAME");
    /* alox_then: on_value's value has the future's type */
    CXType value = {0};
    bool has_value = false;
    char *value_spelled = NULL;
    for (int i = 0; i < api->param_count; i++)
        if (api->params[i].value_of_arg >= 0) {
            if (!check_future_arg(clang_Cursor_getArgument(call, (unsigned)api->params[i].value_of_arg),
                                  api->api, loc, &value)) {
                free(self_spelled), free(fn_name);
                if (names_function)
                    scan_allow(s, ref);
                return;
            }
            has_value = true;
            value_spelled = cx_string(clang_getTypeSpelling(value));
        }
    alox_text expected = {0};
    alox_refapi_expected(&expected, api, fn_name, self_spelled, value_spelled);
    free(value_spelled);
    alox_msg m = {0};
    m.api = api->api;
    m.parm = api->ref_name;
    m.expected = alox_text_str(&expected);
    CXType runs_on;
    if (!names_function || !is_behaviour(fn)) {
        report_at_argument(at, ALOX_RULE_REF_NOT_BEHAVIOUR, &m);
    } else if (!self_ok) {
        char *type = type_name(self);
        m.type = type;
        report_at_argument(at, ALOX_RULE_REF_SELF_NOT_ACTOR, &m);
        free(type);
    } else if (actor_of_pointer(clang_getArgType(function_type(fn), 0), &runs_on)) {
        char *a = actor_name(runs_on), *b = actor_name(self_actor);
        if (strcmp(a, b) != 0) {
            char *type = type_name(runs_on), *type2 = type_name(self_actor);
            m.fn = fn_name;
            m.type = type;
            m.type2 = type2;
            report_at_argument(at, ALOX_RULE_REF_SELF_MISMATCH, &m);
            free(type), free(type2);
        } else if (check_parameters(at, api, fn, alox_text_str(&expected),
                                    has_value ? &value : NULL)) {
            behaviour *beh = scan_behaviour(s, fn, loc);
            scan_allow(s, ref);
            if (beh) {
                beh->called = true;
                /* alox_then: alox.h's macro adds the value's size */
                const char *entry = has_value ? "alox__then_desc" : api->entry;
                if (!rename_macro_use(tu, loc, api->api, entry) ||
                    !rename_reference(s, arg, ref, beh))
                    cannot_rewrite(loc, api->api);
                else if (scan_once(s, "desc", beh->name))
                    emit_desc_prelude(scan_pending(s), beh);
            }
        }
        free(a), free(b);
    }
    if (names_function)
        scan_allow(s, ref); /* reported here, if at all: not again as an address */
    alox_text_free(&expected);
    free(self_spelled);
    free(fn_name);
}

/* ----- alox_after ----------------------------------------------------------- */

/* The behaviour call in alox__after(ms, ((void)(call), 0)), or a null cursor. */
static CXCursor delayed_call(CXCursor arg) {
    CXCursor c = arg;
    while (clang_getCursorKind(c) == CXCursor_ParenExpr || clang_getCursorKind(c) == CXCursor_UnexposedExpr)
        c = first_child(c);
    if (clang_getCursorKind(c) != CXCursor_BinaryOperator)
        return clang_getNullCursor();
    c = first_child(c); /* the comma's left: (void)(call) */
    while (clang_getCursorKind(c) == CXCursor_ParenExpr ||
           clang_getCursorKind(c) == CXCursor_UnexposedExpr ||
           clang_getCursorKind(c) == CXCursor_CStyleCastExpr)
        c = first_child(c);
    return clang_getCursorKind(c) == CXCursor_CallExpr ? c : clang_getNullCursor();
}

static void after_call(scan_state *s, CXCursor call, const alox_refapi *api) {
    CXSourceLocation loc = clang_getCursorLocation(call);
    CXCursor inner = clang_Cursor_getNumArguments(call) == 2
                         ? delayed_call(clang_Cursor_getArgument(call, (unsigned)api->ref_arg))
                         : clang_getNullCursor();
    CXCursor ref = clang_Cursor_isNull(inner) ? inner : callee_ref(inner);
    CXCursor fn = clang_Cursor_isNull(ref) ? ref : clang_getCursorReferenced(ref);
    if (clang_getCursorKind(fn) != CXCursor_FunctionDecl) {
        report_at(loc, ALOX_RULE_AFTER_NOT_CALL, &(alox_msg){0});
        return;
    }
    char *name = cx_string(clang_getCursorSpelling(fn));
    if (!is_behaviour(fn)) {
        alox_msg m = {0};
        m.fn = name;
        report_at(loc, ALOX_RULE_AFTER_NOT_BEHAVIOUR, &m);
        free(name);
        return;
    }
    free(name);
    scan_allow(s, ref);
    scan_handled(s, inner);
    behaviour *b = scan_behaviour(s, fn, loc);
    if (!b)
        return;
    b->called = true;
    strbuf repl = {0};
    sb_printf(&repl, "__alox_pend_%s", b->name);
    const char *why;
    if (!rename_macro_use(scan_tu(s), loc, "alox_after", "__ALOX_AFTER") ||
        !rename_callee(scan_tu(s), clang_getCursorLocation(ref), b->name, repl.data, &why))
        cannot_rewrite(loc, "alox_after");
    sb_free(&repl);
    if (scan_once(s, "after", ""))
        emit_after_prelude(scan_pending(s));
    if (scan_once(s, "pend", b->name))
        emit_pend_prelude(scan_pending(s), b);
}

void refapi_call(scan_state *s, CXCursor call, const alox_refapi *api) {
    if (api->kind == ALOX_REFAPI_DELAYED_CALL)
        after_call(s, call, api);
    else
        callback_call(s, call, api);
}
