/*
 * scan.c - one walk over a parsed unit: every check of checks.c at the
 * declarations, the rules on expressions, and the edits that turn calls
 * into sends and alox_new into alox_spawn.
 *
 * The unit's top-level cursors come in source order, with the
 * preprocessor's #include and #define among them. For each declaration
 * the walk knows the last "safe point" of its file before it: just after
 * the previous declaration's `;` or `}`, an #include line or a #define.
 * Whatever a declaration's sends need (send stubs, spawn macros: emit.c)
 * is inserted there, at file scope, before the declaration's own
 * attributes and specifiers.
 */
#include "alox-clang.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct safe_point {
    CXFile file;
    size_t offset;
} safe_point;

typedef struct scan_state {
    unit *u;
    CXTranslationUnit tu;
    strbuf pending;  /* what the current top-level declaration needs */
    char **added;    /* "send:ping", "spawn:pinger" already inserted (earlier in the unit) */
    int added_count;
    CXCursor *allowed; /* DeclRefExprs in callee position */
    int allowed_count, allowed_cap;
    CXCursor *reported; /* allocator calls already reported */
    int reported_count;
    CXCursor *handled; /* behaviour calls refs.c made delayed sends */
    int handled_count;
    safe_point *safe;
    int safe_count;
    CXCursor function; /* the function definition being walked, or a null cursor */
} scan_state;

/* ----- helpers ---------------------------------------------------------- */

static enum CXChildVisitResult first_cb(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    *(CXCursor *)data = c;
    return CXChildVisit_Break;
}

CXCursor first_child(CXCursor c) {
    CXCursor child = clang_getNullCursor();
    clang_visitChildren(c, first_cb, &child);
    return child;
}

void scan_allow(scan_state *s, CXCursor ref) {
    if (s->allowed_count == s->allowed_cap) {
        s->allowed_cap = s->allowed_cap ? s->allowed_cap * 2 : 64;
        s->allowed = xrealloc(s->allowed, sizeof(CXCursor) * (size_t)s->allowed_cap);
    }
    s->allowed[s->allowed_count++] = ref;
}

static bool in_list(CXCursor *list, int n, CXCursor c) {
    for (int i = 0; i < n; i++)
        if (clang_equalLocations(clang_getCursorLocation(list[i]), clang_getCursorLocation(c)) &&
            clang_getCursorKind(list[i]) == clang_getCursorKind(c))
            return true;
    return false;
}

bool scan_once(scan_state *s, const char *kind, const char *name) {
    strbuf key = {0};
    sb_printf(&key, "%s:%s", kind, name);
    for (int i = 0; i < s->added_count; i++)
        if (strcmp(s->added[i], key.data) == 0) {
            sb_free(&key);
            return false;
        }
    s->added = xrealloc(s->added, sizeof(char *) * (size_t)(s->added_count + 1));
    s->added[s->added_count++] = key.data;
    return true;
}

static char *name_of(CXCursor c) { return cx_string(clang_getCursorSpelling(c)); }

/* ----- safe points ------------------------------------------------------ */

static safe_point *safe_for(scan_state *s, CXFile file) {
    for (int i = 0; i < s->safe_count; i++)
        if (clang_File_isEqual(s->safe[i].file, file))
            return &s->safe[i];
    s->safe = xrealloc(s->safe, sizeof(safe_point) * (size_t)(s->safe_count + 1));
    s->safe[s->safe_count] = (safe_point){file, 0};
    return &s->safe[s->safe_count++];
}

/* Offset just after the `;` that follows `at` (comments and spaces
 * skipped), or 0 if the next token is something else. */
static size_t after_semicolon(const char *text, size_t size, size_t at) {
    while (at < size) {
        char c = text[at];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            at++;
        } else if (c == '/' && at + 1 < size && text[at + 1] == '/') {
            while (at < size && text[at] != '\n')
                at++;
        } else if (c == '/' && at + 1 < size && text[at + 1] == '*') {
            const char *end = strstr(text + at + 2, "*/");
            if (!end || (size_t)(end - text) >= size)
                return 0;
            at = (size_t)(end - text) + 2;
        } else {
            return c == ';' ? at + 1 : 0;
        }
    }
    return 0;
}

/* After a top-level cursor: where the next insertion may go in its file. */
static void advance_safe_point(scan_state *s, CXCursor c) {
    CXSourceRange extent = clang_getCursorExtent(c);
    CXFile file, end_file;
    unsigned start, end;
    clang_getExpansionLocation(clang_getRangeStart(extent), &file, NULL, NULL, &start);
    clang_getExpansionLocation(clang_getRangeEnd(extent), &end_file, NULL, NULL, &end);
    if (!file || !clang_File_isEqual(file, end_file))
        return;
    file_edits *fe = edits_for(s->tu, file);
    if (!fe)
        return;
    size_t size;
    const char *text = edits_text(fe, &size);
    size_t next = 0;
    enum CXCursorKind k = clang_getCursorKind(c);
    if (k == CXCursor_InclusionDirective || k == CXCursor_MacroDefinition) {
        next = end;
        while (next < size && text[next] != '\n')
            next++;
        next = next < size ? next + 1 : size;
    } else if (k == CXCursor_FunctionDecl && clang_isCursorDefinition(c) && end > 0 &&
               end <= size && text[end - 1] == '}') {
        next = end;
    } else if (end <= size) {
        next = after_semicolon(text, size, end);
    }
    safe_point *p = safe_for(s, file);
    if (next > p->offset)
        p->offset = next;
}

/* Insert the pending text before top-level cursor c. */
static void flush_pending(scan_state *s, CXCursor c) {
    if (!s->pending.len)
        return;
    CXFile file;
    unsigned start;
    clang_getExpansionLocation(clang_getRangeStart(clang_getCursorExtent(c)), &file, NULL, NULL,
                               &start);
    file_edits *fe = edits_for(s->tu, file);
    if (!fe) {
        error_at(clang_getCursorLocation(c), "the Alox front end cannot add the sends of this "
                 "declaration: its file cannot be rewritten");
        return;
    }
    size_t at = safe_for(s, file)->offset, size;
    if (at > start)
        at = start;
    const char *text = edits_text(fe, &size);
    size_t blank = at;
    while (blank < start && (text[blank] == ' ' || text[blank] == '\t' || text[blank] == '\r'))
        blank++;
    if (blank < start && text[blank] == '\n')
        at = blank + 1; /* the rest of that line is empty: start on the next */
    CXString name;
    unsigned line, column;
    clang_getPresumedLocation(clang_getLocationForOffset(s->tu, file, (unsigned)at), &name, &line,
                              &column);
    strbuf block = {0};
    if (column > 1)
        sb_putc(&block, '\n');
    emit_begin(&block);
    sb_puts(&block, sb_str(&s->pending));
    emit_end(&block);
    sb_printf(&block, "#line %u \"", line);
    for (const char *p = clang_getCString(name); p && *p; p++) {
        if (*p == '"' || *p == '\\')
            sb_putc(&block, '\\');
        sb_putc(&block, *p);
    }
    sb_puts(&block, "\"\n");
    for (unsigned i = 1; i < column; i++)
        sb_putc(&block, ' ');
    clang_disposeString(name);
    edit_insert(fe, at, block.data);
    sb_free(&block);
}

/* ----- expressions ------------------------------------------------------ */

static void spawn(scan_state *s, CXCursor call) {
    int n = clang_Cursor_getNumArguments(call);
    CXType last = n > 0 ? unqualified_canonical(clang_getCursorType(
                              clang_Cursor_getArgument(call, (unsigned)n - 1)))
                        : (CXType){0};
    CXSourceLocation loc = clang_getCursorLocation(call);
    if (n != 4 || last.kind != CXType_Pointer) {
        report_at(loc, ALOX_RULE_RAW_NEW, &(alox_msg){0});
        return;
    }
    CXType type = unqualified_canonical(clang_getPointeeType(last));
    char *spelled = cx_string(clang_getTypeSpelling(type));
    if (!is_actor_record(type)) {
        report_actor(loc, ALOX_RULE_NEW_NOT_ACTOR, clang_getNullCursor(), type);
        free(spelled);
        return;
    }
    char *tag = actor_name(type);
    note_spawn(s->u, tag, spelled);
    /* alox_new(T) written in the file: alox_spawn(&__alox_type_<tag>).
     * Inside another macro it stays alox__new, which finds the type
     * registered by this unit's constructor at run time. */
    CXFile file;
    unsigned offset;
    clang_getExpansionLocation(loc, &file, NULL, NULL, &offset);
    file_edits *fe = edits_for(s->tu, file);
    size_t size = 0;
    const char *text = fe ? edits_text(fe, &size) : NULL;
    if (text && identifier_at(text, size, offset, "alox_new")) {
        strbuf repl = {0};
        sb_printf(&repl, "__ALOX_SPAWN_%s", tag);
        edit_replace(fe, offset, strlen("alox_new"), repl.data);
        sb_free(&repl);
        if (scan_once(s, "spawn", tag))
            emit_spawn_prelude(&s->pending, tag);
    }
    free(tag);
    free(spelled);
}

behaviour *scan_behaviour(scan_state *s, CXCursor fn, CXSourceLocation loc) {
    char *usr = cx_string(clang_getCursorUSR(fn));
    behaviour *b = behaviour_by_usr(s->u, usr);
    free(usr);
    if (!b)
        b = behaviour_add(s->u, fn);
    if (!b->ok)
        return NULL; /* reported at its declaration; nothing is emitted */
    if (!b->has_layout) {
        int bad = 0;
        if (!layout_of(b->decl, &b->lay, &bad)) {
            error_at(loc, "the call to behaviour '%s' cannot be rewritten into a send: the "
                     "type of its parameter #%d has no name at file scope; give it a struct "
                     "tag or a typedef", b->name, bad + 1);
            b->ok = false;
            return NULL;
        }
        b->has_layout = true;
        b->self_type =
            cx_string(clang_getTypeSpelling(clang_getArgType(function_type(b->decl), 0)));
        if (b->lay.future)
            b->value_type = cx_string(clang_getTypeSpelling(clang_getCursorResultType(b->decl)));
    }
    return b;
}

void scan_handled(scan_state *s, CXCursor call) {
    s->handled = xrealloc(s->handled, sizeof(CXCursor) * (size_t)(s->handled_count + 1));
    s->handled[s->handled_count++] = call;
}

strbuf *scan_pending(scan_state *s) { return &s->pending; }
CXTranslationUnit scan_tu(scan_state *s) { return s->tu; }

static void send(scan_state *s, CXCursor call, CXCursor ref, CXCursor fn, bool unused) {
    CXSourceLocation loc = clang_getCursorLocation(call);
    behaviour *b = scan_behaviour(s, fn, loc);
    if (!b)
        return;
    int args = clang_Cursor_getNumArguments(call);
    if (args != b->lay.count + 1) { /* only through a declaration without prototype */
        char n[16], m[16], k[16];
        snprintf(n, sizeof n, "%d", args);
        snprintf(m, sizeof m, "%d", b->lay.count + 1);
        snprintf(k, sizeof k, "%d", b->lay.count);
        alox_msg msg = {0};
        msg.fn = b->name;
        msg.n = n, msg.m = m, msg.k = k;
        report_at(loc, ALOX_RULE_CALL_ARITY, &msg);
        return;
    }
    strbuf repl = {0};
    /* a future nobody takes: ask for no answer (future.c) */
    sb_printf(&repl, "__alox_%s_%s", b->lay.future && unused ? "tell" : "send", b->name);
    const char *why = NULL;
    if (!rename_callee(s->tu, clang_getCursorLocation(ref), b->name, repl.data, &why)) {
        error_at(loc, "the call to behaviour '%s' cannot be rewritten into a send: %s; "
                 "call the behaviour by name", b->name, why);
    } else {
        b->called = true;
        if (scan_once(s, "send", b->name))
            emit_send_prelude(&s->pending, b);
    }
    sb_free(&repl);
}

static bool is_allocator(const char *name) {
    static const char *const names[] = {"malloc", "calloc", "realloc", "aligned_alloc",
                                        "__builtin_malloc", "__builtin_calloc",
                                        "__builtin_realloc", NULL};
    for (const char *const *p = names; *p; p++)
        if (strcmp(name, *p) == 0)
            return true;
    return false;
}

/* The DeclRefExpr naming the function a call calls, through (f), *f, &f. */
CXCursor callee_ref(CXCursor call) {
    return expr_ref(first_child(call));
}

/* The DeclRefExpr an expression is, through (f), *f, &f and implicit casts. */
CXCursor expr_ref(CXCursor c) {
    for (int depth = 0; depth < 16 && !clang_Cursor_isNull(c); depth++) {
        enum CXCursorKind k = clang_getCursorKind(c);
        if (k == CXCursor_DeclRefExpr)
            return c;
        if (k != CXCursor_UnexposedExpr && k != CXCursor_ParenExpr && k != CXCursor_UnaryOperator)
            break;
        c = first_child(c);
    }
    return clang_getNullCursor();
}

static void call_expr(scan_state *s, CXCursor call, CXCursor parent) {
    bool unused = clang_getCursorKind(parent) == CXCursor_CompoundStmt;
    CXCursor ref = callee_ref(call);
    if (clang_Cursor_isNull(ref) || in_list(s->handled, s->handled_count, call))
        return;
    CXCursor fn = clang_getCursorReferenced(ref);
    if (clang_getCursorKind(fn) != CXCursor_FunctionDecl)
        return;
    char *name = name_of(fn);
    if (strcmp(name, "alox__new") == 0) {
        spawn(s, call);
    } else if (strcmp(name, "alox__await") == 0) {
        await_call(s, call, s->function);
    } else if (alox_refapi_by_marker(name)) {
        refapi_call(s, call, alox_refapi_by_marker(name));
    } else if (is_behaviour(fn)) {
        scan_allow(s, ref);
        send(s, call, ref, fn, unused);
    } else {
        /* Declared plainly here, alox_behave later in the unit: still a
         * behaviour (as GCC merges the declarations), so a send. */
        char *usr = cx_string(clang_getCursorUSR(fn));
        behaviour *b = behaviour_by_usr(s->u, usr);
        free(usr);
        if (b) {
            scan_allow(s, ref);
            send(s, call, ref, b->decl, unused);
        }
    }
    free(name);
}

static void decl_ref(scan_state *s, CXCursor ref, CXCursor parent) {
    CXCursor fn = clang_getCursorReferenced(ref);
    if (clang_getCursorKind(fn) != CXCursor_FunctionDecl)
        return;
    if (!is_behaviour(fn)) { /* or declared alox_behave later in the unit */
        char *usr = cx_string(clang_getCursorUSR(fn));
        bool later = behaviour_by_usr(s->u, usr) != NULL;
        free(usr);
        if (!later)
            return;
    }
    if (in_list(s->allowed, s->allowed_count, ref) ||
        clang_getCursorKind(parent) == CXCursor_UnaryExpr || /* sizeof, _Alignof */
        clang_getCursorType(parent).kind == CXType_Dependent) /* a call clang rejected */
        return;
    /* at the `&` of an explicit &ping, as the GCC plugin reports it */
    CXCursor at = clang_getCursorKind(parent) == CXCursor_UnaryOperator ? parent : ref;
    report_actor(clang_getCursorLocation(at), ALOX_RULE_ADDRESS_TAKEN, fn, (CXType){0});
}

/* (struct actor *) malloc (...), implicit or explicit. */
static void conversion(scan_state *s, CXCursor conv) {
    CXType type = unqualified_canonical(clang_getCursorType(conv));
    if (type.kind != CXType_Pointer || !is_actor_record(clang_getPointeeType(type)))
        return;
    CXCursor inner = first_child(conv);
    while (clang_getCursorKind(inner) == CXCursor_ParenExpr)
        inner = first_child(inner);
    if (clang_getCursorKind(inner) != CXCursor_CallExpr ||
        in_list(s->reported, s->reported_count, inner))
        return;
    CXCursor ref = callee_ref(inner);
    CXCursor fn = clang_Cursor_isNull(ref) ? ref : clang_getCursorReferenced(ref);
    if (clang_getCursorKind(fn) != CXCursor_FunctionDecl)
        return;
    char *name = name_of(fn);
    if (is_allocator(name)) {
        s->reported = xrealloc(s->reported, sizeof(CXCursor) * (size_t)(s->reported_count + 1));
        s->reported[s->reported_count++] = inner;
        CXType actor = unqualified_canonical(clang_getPointeeType(type));
        report_actor(clang_getCursorLocation(inner), ALOX_RULE_ACTOR_MALLOC, fn, actor);
    }
    free(name);
}

static enum CXChildVisitResult init_list_cb(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    if (clang_getCursorKind(c) != CXCursor_InitListExpr)
        return CXChildVisit_Continue;
    *(CXCursor *)data = c;
    return CXChildVisit_Break;
}

static void compound_literal(CXCursor c) {
    CXType type = strip_arrays(clang_getCursorType(c));
    if (!is_actor_record(type))
        return;
    /* at its initializer's `{`, the place GCC knows */
    CXCursor at = c;
    clang_visitChildren(c, init_list_cb, &at);
    report_actor(clang_getCursorLocation(at), ALOX_RULE_COMPOUND_LITERAL_ACTOR,
                 clang_getNullCursor(), type);
}

/* ----- declarations ----------------------------------------------------- */

static void function_decl(scan_state *s, CXCursor fn) {
    if (is_behaviour(fn)) {
        char *usr = cx_string(clang_getCursorUSR(fn));
        behaviour *b = behaviour_by_usr(s->u, usr);
        free(usr);
        if (!b)
            b = behaviour_add(s->u, fn);
        b->ok &= check_behaviour(fn);
        if (clang_isCursorDefinition(fn)) {
            b->defined = true;
            b->decl = fn;
        }
    }
    check_function_by_value(fn);
}

static enum CXChildVisitResult visit(CXCursor c, CXCursor parent, CXClientData data) {
    scan_state *s = data;
    switch (clang_getCursorKind(c)) {
    case CXCursor_StructDecl: case CXCursor_UnionDecl: case CXCursor_EnumDecl:
    case CXCursor_TypedefDecl: case CXCursor_ParmDecl:
        check_annotations(c);
        break;
    case CXCursor_FieldDecl:
        check_annotations(c);
        check_field(c);
        break;
    case CXCursor_FunctionDecl:
        check_annotations(c);
        function_decl(s, c);
        break;
    case CXCursor_VarDecl:
        check_annotations(c);
        check_var_by_value(c);
        break;
    case CXCursor_CallExpr:
        call_expr(s, c, parent);
        break;
    case CXCursor_ReturnStmt:
        if (!clang_Cursor_isNull(s->function) && is_future_behaviour(s->function))
            future_return(s, c, s->function);
        break;
    case CXCursor_DeclRefExpr:
        decl_ref(s, c, parent);
        return CXChildVisit_Continue;
    case CXCursor_CompoundLiteralExpr:
        compound_literal(c);
        break;
    case CXCursor_UnexposedExpr: case CXCursor_CStyleCastExpr:
        conversion(s, c);
        break;
    case CXCursor_AnnotateAttr: case CXCursor_UnexposedAttr: case CXCursor_TypeRef:
        return CXChildVisit_Continue;
    default:
        break;
    }
    return CXChildVisit_Recurse;
}

static enum CXChildVisitResult top_level(CXCursor c, CXCursor parent, CXClientData data) {
    scan_state *s = data;
    if (clang_Location_isInSystemHeader(clang_getCursorLocation(c)))
        return CXChildVisit_Continue;
    switch (clang_getCursorKind(c)) {
    case CXCursor_MacroExpansion:
        future_macro(s->tu, c);
        return CXChildVisit_Continue;
    case CXCursor_MacroDefinition:
        note_macro_definition(c);
        advance_safe_point(s, c);
        return CXChildVisit_Continue;
    case CXCursor_InclusionDirective:
        advance_safe_point(s, c);
        return CXChildVisit_Continue;
    default:
        break;
    }
    sb_free(&s->pending);
    bool definition = clang_getCursorKind(c) == CXCursor_FunctionDecl && clang_isCursorDefinition(c);
    s->function = definition ? c : clang_getNullCursor();
    if (definition && is_future_behaviour(c))
        future_body(s->tu, c);
    if (visit(c, parent, s) == CXChildVisit_Recurse)
        clang_visitChildren(c, visit, s);
    s->function = clang_getNullCursor();
    flush_pending(s, c);
    advance_safe_point(s, c);
    return CXChildVisit_Continue;
}

/* Behaviours declared anywhere at file scope, so a call that precedes the
 * alox_behave declaration is recognised (and refused). */
static enum CXChildVisitResult collect(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    unit *u = data;
    if (clang_getCursorKind(c) == CXCursor_FunctionDecl && is_behaviour(c) &&
        !clang_Location_isInSystemHeader(clang_getCursorLocation(c))) {
        char *usr = cx_string(clang_getCursorUSR(c));
        if (!behaviour_by_usr(u, usr))
            behaviour_add(u, c);
        free(usr);
    }
    return CXChildVisit_Continue;
}

void scan_unit(unit *u) {
    scan_state s = {0};
    s.u = u;
    s.tu = u->tu;
    CXCursor root = clang_getTranslationUnitCursor(u->tu);
    clang_visitChildren(root, collect, u);
    clang_visitChildren(root, top_level, &s);
    sb_free(&s.pending);
    for (int i = 0; i < s.added_count; i++)
        free(s.added[i]);
    free(s.added);
    free(s.allowed);
    free(s.reported);
    free(s.handled);
    free(s.safe);
}
