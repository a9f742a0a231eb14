/*
 * unit.c - one translation unit, from source to rewritten copy.
 *
 *   1. Does it use Alox? A source whose text mentions "alox" is parsed
 *      at once; any other is first parsed without function bodies (the
 *      cheap part of a parse) and left alone unless that shows alox.h or
 *      an alox annotation (its header may include alox.h).
 *   2. Full parse by libclang with the user's flags and -D__ALOX__=1.
 *   3. scan.c: the rules, and the edits for sends and spawns.
 *   4. Any error (clang's or ours): printed, the unit fails, nothing is
 *      compiled. Otherwise the end of the main file gets the descriptors,
 *      trampolines and constructors (emit.c), and rewrite.c writes the
 *      copies and the VFS overlay.
 *   5. Clang's warnings are those of this parse of the user's own text,
 *      printed here at the user's lines and columns; the compile of the
 *      rewritten copy reports only what the back end finds (driver.c).
 */
#include "alox-clang.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ----- the unit's behaviours and spawned types ----------------------- */

behaviour *behaviour_by_usr(unit *u, const char *usr) {
    for (int i = 0; i < u->behaviour_count; i++)
        if (strcmp(u->behaviours[i].usr, usr) == 0)
            return &u->behaviours[i];
    return NULL;
}

behaviour *behaviour_add(unit *u, CXCursor fn) {
    if (u->behaviour_count == u->behaviour_cap) {
        u->behaviour_cap = u->behaviour_cap ? u->behaviour_cap * 2 : 16;
        u->behaviours = xrealloc(u->behaviours, sizeof(behaviour) * (size_t)u->behaviour_cap);
    }
    behaviour *b = &u->behaviours[u->behaviour_count++];
    memset(b, 0, sizeof *b);
    b->decl = fn;
    b->name = cx_string(clang_getCursorSpelling(fn));
    b->usr = cx_string(clang_getCursorUSR(fn));
    b->is_static = clang_getCursorLinkage(fn) == CXLinkage_Internal;
    b->ok = true;
    return b;
}

void note_spawn(unit *u, const char *tag, const char *spelled) {
    for (int i = 0; i < u->spawned_count; i++)
        if (strcmp(u->spawned[i], tag) == 0)
            return;
    if (u->spawned_count == u->spawned_cap) {
        u->spawned_cap = u->spawned_cap ? u->spawned_cap * 2 : 8;
        u->spawned = xrealloc(u->spawned, sizeof(char *) * (size_t)u->spawned_cap);
        u->spawned_spelled = xrealloc(u->spawned_spelled, sizeof(char *) * (size_t)u->spawned_cap);
    }
    u->spawned[u->spawned_count] = xstrdup(tag);
    u->spawned_spelled[u->spawned_count++] = xstrdup(spelled);
}

static void unit_free(unit *u) {
    for (int i = 0; i < u->behaviour_count; i++) {
        behaviour *b = &u->behaviours[i];
        free(b->name), free(b->usr), free(b->tag), free(b->self_type), free(b->signature);
        free(b->value_type);
        layout_free(&b->lay);
    }
    free(u->behaviours);
    for (int i = 0; i < u->spawned_count; i++)
        free(u->spawned[i]), free(u->spawned_spelled[i]);
    free(u->spawned);
    free(u->spawned_spelled);
}

/* ----- does the unit use Alox? ---------------------------------------- */

static enum CXChildVisitResult uses_alox_cb(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    enum CXCursorKind k = clang_getCursorKind(c);
    if (k == CXCursor_FunctionDecl) {
        CXString name = clang_getCursorSpelling(c);
        if (strcmp(clang_getCString(name), "alox__new") == 0)
            *(bool *)data = true;
        clang_disposeString(name);
    }
    if (!*(bool *)data && clang_Cursor_hasAttrs(c) && k != CXCursor_MacroDefinition &&
        k != CXCursor_MacroExpansion && k != CXCursor_InclusionDirective)
        *(bool *)data = has_annotation(c, "alox_actor") || has_annotation(c, "alox_behave") ||
                        has_annotation(c, "alox_stage");
    return *(bool *)data ? CXChildVisit_Break : CXChildVisit_Continue;
}

static bool uses_alox(CXTranslationUnit tu) {
    bool found = false;
    clang_visitChildren(clang_getTranslationUnitCursor(tu), uses_alox_cb, &found);
    return found;
}

static bool mentions_alox(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return true; /* let the parse report it */
    char buf[65536 + 4];
    size_t keep = 0, n;
    bool found = false;
    while (!found && (n = fread(buf + keep, 1, sizeof buf - 4 - keep, f)) > 0) {
        n += keep;
        buf[n] = 0;
        for (size_t i = 0; i + 4 <= n && !found; i++)
            found = memcmp(buf + i, "alox", 4) == 0;
        keep = n >= 3 ? 3 : n;
        memmove(buf, buf + n - keep, keep);
    }
    fclose(f);
    return found;
}

/* ----- the end of the main file ---------------------------------------- */

static bool prepare(behaviour *b) {
    CXType fntype = function_type(b->decl);
    CXType self = clang_getArgType(fntype, 0);
    CXType pointee;
    if (!actor_of_pointer(self, &pointee))
        return false;
    b->tag = actor_name(pointee);
    b->signature = signature_of(b->decl);
    if (!b->has_layout) {
        int bad = 0;
        if (!layout_of(b->decl, &b->lay, &bad)) {
            error_at(clang_getCursorLocation(b->decl),
                     "the Alox front end cannot emit the descriptor of behaviour '%s': the "
                     "type of its parameter #%d has no name at file scope; give it a struct "
                     "tag or a typedef", b->name, bad + 1);
            return false;
        }
        b->has_layout = true;
        b->self_type = cx_string(clang_getTypeSpelling(self));
        if (b->lay.future)
            b->value_type = cx_string(clang_getTypeSpelling(clang_getCursorResultType(b->decl)));
    }
    return true;
}

/* Text at the very top of the main file, then the line numbers back. */
static void emit_head(unit *u, const char *text) {
    file_edits *fe = edits_for(u->tu, u->main_file);
    if (!fe || !*text)
        return;
    strbuf head = {0};
    sb_puts(&head, text);
    sb_puts(&head, "#line 1 \"");
    for (const char *p = edits_presumed_name(fe); *p; p++) {
        if (*p == '"' || *p == '\\')
            sb_putc(&head, '\\');
        sb_putc(&head, *p);
    }
    sb_puts(&head, "\"\n");
    edit_insert(fe, 0, head.data);
    sb_free(&head);
}

static void emit_tail(unit *u) {
    strbuf tail = {0}, head = {0};
    sb_puts(&tail, "\n");
    emit_begin(&tail);
    for (int i = 0; i < u->behaviour_count; i++) {
        behaviour *b = &u->behaviours[i];
        if (!b->defined || !b->ok || !prepare(b))
            continue;
        CXString file;
        unsigned line;
        clang_getPresumedLocation(clang_getCursorLocation(b->decl), &file, &line, NULL);
        emit_behaviour(&tail, b, line, clang_getCString(file));
        clang_disposeString(file);
        if (!b->is_static) {
            emit_body_rename(&head, b);
            emit_sending_symbol(&tail, b);
        }
        CXType pointee;
        actor_of_pointer(clang_getArgType(function_type(b->decl), 0), &pointee);
        if (is_record_complete(pointee)) {
            char *spelled = cx_string(clang_getTypeSpelling(pointee));
            note_spawn(u, b->tag, spelled);
            free(spelled);
        }
    }
    for (int i = 0; i < u->spawned_count; i++)
        emit_type(&tail, u->spawned[i], u->spawned_spelled[i]);
    emit_end(&tail);
    file_edits *fe = edits_for(u->tu, u->main_file);
    if (fe) {
        size_t size;
        edits_text(fe, &size);
        edit_insert(fe, size, tail.data);
    }
    emit_head(u, sb_str(&head));
    sb_free(&tail);
    sb_free(&head);
}

/* ----- one unit ---------------------------------------------------------- */

static CXTranslationUnit parse(CXIndex index, char **flags, int count, unsigned options) {
    CXTranslationUnit tu = NULL;
    enum CXErrorCode rc = clang_parseTranslationUnit2FullArgv(
        index, NULL, (const char *const *)flags, count, NULL, 0, options, &tu);
    if (rc != CXError_Success) {
        fatal_error("libclang could not parse '%s' (error %d)", flags[count - 1], (int)rc);
        return NULL;
    }
    return tu;
}

unit_result process_unit(CXIndex index, const invocation *inv, int source, const char *dir,
                         char **overlay) {
    *overlay = NULL;
    int count;
    char **flags = parse_flags(inv, source, &count);
    const char *path = inv->argv[source];
    if (!mentions_alox(path)) {
        CXTranslationUnit quick = parse(index, flags, count, CXTranslationUnit_SkipFunctionBodies);
        bool alox = quick && uses_alox(quick);
        if (quick)
            clang_disposeTranslationUnit(quick);
        if (!alox) {
            free(flags);
            return UNIT_PLAIN; /* clang reports any problem itself */
        }
    }
    unit u = {0};
    u.tu = parse(index, flags, count, CXTranslationUnit_DetailedPreprocessingRecord);
    free(flags);
    if (!u.tu)
        return UNIT_FAILED;
    if (!uses_alox(u.tu)) {
        clang_disposeTranslationUnit(u.tu);
        return UNIT_PLAIN;
    }
    u.main_file = clang_getFile(u.tu, path);
    edits_reset();
    macros_reset();
    scan_unit(&u);
    for (int i = 0; i < u.behaviour_count; i++) {
        behaviour *b = &u.behaviours[i];
        if (b->called && b->is_static && !b->defined && b->ok)
            error_at(clang_getCursorLocation(b->decl),
                     "static behaviour '%s' is sent to but not defined in this unit: its "
                     "descriptor is emitted with its body; define it here or make it extern",
                     b->name);
    }
    unit_result result = UNIT_REWRITTEN;
    if (alox_error_count() || clang_error_count(u.tu)) {
        result = UNIT_FAILED;
    } else {
        emit_tail(&u);
        if (alox_error_count()) {
            result = UNIT_FAILED;
        } else {
            *overlay = write_overlay(dir, source);
            if (!*overlay)
                result = error_count() ? UNIT_FAILED : UNIT_PLAIN;
        }
    }
    /* Clang's diagnostics of the user's own text, as clang alone would give
     * them (the compile of the rewritten copy runs with them off: its lines
     * and columns are not the user's). A unit left plain is compiled by
     * clang untouched, which reports them itself. */
    if (result != UNIT_PLAIN)
        print_clang_diagnostics(u.tu);
    diag_flush();
    edits_reset();
    macros_reset();
    future_reset();
    unit_free(&u);
    clang_disposeTranslationUnit(u.tu);
    return result;
}
