/*
 * diag.c - diagnostics in clang's own format:
 *
 *     app.c:4:52: error: parameter 'name' of behaviour 'greet' is a plain ...
 *     alox_behave void greet(struct greeter *self, char *name);
 *                                                        ^
 *     1 error generated.
 *
 * at the user's file:line:col (the presumed location, so a .i file's line
 * markers are honoured; inside a macro, the point where it is expanded).
 * libclang's own diagnostics (ordinary C errors found while parsing) are
 * printed the same way, first, so a unit with both kinds reads like one
 * compile. Everything is buffered until diag_flush.
 */
#include "alox-clang.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool show_caret = true, use_color = false;
static unsigned errors, ours;
static strbuf theirs_text, ours_text;

void diag_setup(bool caret, bool color) {
    show_caret = caret;
    use_color = color;
}

unsigned error_count(void) { return errors; }
unsigned alox_error_count(void) { return ours; }

#define BOLD "\033[1m"
#define RED "\033[0;1;31m"
#define BLACK "\033[0;1;30m"
#define GREEN "\033[0;1;32m"
#define RESET "\033[0m"

/* Where a diagnostic points: the name and line as the user sees them
 * (#line honoured), and the physical file, line and column of the caret. */
typedef struct position {
    char *name;
    unsigned line, column;
    CXFile file;
    unsigned file_line;
} position;

/* A location's expansion point (inside a macro: where it is used). */
static position position_of(CXSourceLocation loc) {
    position p = {0};
    CXString name;
    clang_getPresumedLocation(loc, &name, &p.line, &p.column);
    p.name = cx_string(name);
    clang_getExpansionLocation(loc, &p.file, &p.file_line, NULL, NULL);
    return p;
}

/* Where a macro argument is written, when that is in the file where the
 * macro is used; else the expansion point. (libclang turns any location
 * inside a macro argument back into its expansion, so the written one is
 * computed from the expansion's presumed line.) */
static position argument_position(CXSourceLocation loc) {
    position p = position_of(loc);
    CXFile file;
    unsigned line, column;
    clang_getFileLocation(loc, &file, &line, &column, NULL);
    if (file && p.file && clang_File_isEqual(file, p.file) && line >= p.file_line) {
        p.line += line - p.file_line;
        p.file_line = line;
        p.column = column;
    }
    return p;
}

/* The source line of a position and a caret under it. */
static void print_caret(strbuf *out, const position *p) {
    if (!p->file || !show_caret)
        return;
    char *name = cx_string(clang_getFileName(p->file));
    FILE *f = fopen(name, "r");
    free(name);
    if (!f)
        return;
    char buf[4096];
    unsigned n = 0;
    bool found = false;
    while (fgets(buf, sizeof buf, f)) {
        if (++n == p->file_line) {
            found = true;
            break;
        }
        while (!strchr(buf, '\n') && fgets(buf, sizeof buf, f)) /* long line */
            ;
    }
    fclose(f);
    if (!found)
        return;
    buf[strcspn(buf, "\r\n")] = 0;
    sb_printf(out, "%s\n", buf);
    for (unsigned i = 1; i < p->column && buf[i - 1]; i++)
        sb_putc(out, buf[i - 1] == '\t' ? '\t' : ' ');
    sb_printf(out, "%s^%s\n", use_color ? GREEN : "", use_color ? RESET : "");
}

static void report(position p, const char *kind, const char *color, const char *msg) {
    strbuf *out = &ours_text;
    if (use_color)
        sb_puts(out, BOLD);
    if (*p.name)
        sb_printf(out, "%s:%u:%u: ", p.name, p.line, p.column);
    else
        sb_puts(out, "alox-clang: ");
    if (use_color)
        sb_printf(out, "%s%s: " RESET BOLD, color, kind);
    else
        sb_printf(out, "%s: ", kind);
    sb_puts(out, msg);
    sb_printf(out, "%s\n", use_color ? RESET : "");
    print_caret(out, &p);
    free(p.name);
}

static char *vformat(const char *fmt, va_list ap) {
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    char *msg = xmalloc((size_t)n + 1);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    return msg;
}

void error_at(CXSourceLocation loc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    report(position_of(loc), "error", RED, msg);
    free(msg);
    errors++;
    ours++;
}

static void report_rule(position p, alox_rule rule, const alox_msg *msg) {
    alox_text text = {0};
    alox_quotes quotes = {"'", "'"}; /* clang's quotes, in every locale */
    alox_format(&text, rule, msg, &quotes);
    report(p, "error", RED, alox_text_str(&text));
    alox_text_free(&text);
    errors++;
    ours++;
}

void report_at(CXSourceLocation loc, alox_rule rule, const alox_msg *msg) {
    report_rule(position_of(loc), rule, msg);
}

void report_at_argument(CXSourceLocation loc, alox_rule rule, const alox_msg *msg) {
    report_rule(argument_position(loc), rule, msg);
}

void note_at(CXSourceLocation loc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    report(position_of(loc), "note", BLACK, msg);
    free(msg);
}

void fatal_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("alox-clang: ", stderr);
    fputs(use_color ? RED "error: " RESET BOLD : "error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "%s\n", use_color ? RESET : "");
    va_end(ap);
    errors++;
}

static void print_one(CXDiagnostic d) {
    char *text = cx_string(clang_formatDiagnostic(d, clang_defaultDiagnosticDisplayOptions()));
    sb_printf(&theirs_text, "%s\n", text);
    free(text);
    position p = position_of(clang_getDiagnosticLocation(d));
    print_caret(&theirs_text, &p);
    free(p.name);
    CXDiagnosticSet children = clang_getChildDiagnostics(d);
    for (unsigned i = 0, n = clang_getNumDiagnosticsInSet(children); i < n; i++) {
        CXDiagnostic child = clang_getDiagnosticInSet(children, i);
        print_one(child);
        clang_disposeDiagnostic(child);
    }
}

unsigned clang_error_count(CXTranslationUnit tu) {
    unsigned n = 0;
    for (unsigned i = 0, all = clang_getNumDiagnostics(tu); i < all; i++) {
        CXDiagnostic d = clang_getDiagnostic(tu, i);
        if (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error)
            n++;
        clang_disposeDiagnostic(d);
    }
    return n;
}

void print_clang_diagnostics(CXTranslationUnit tu) {
    for (unsigned i = 0, n = clang_getNumDiagnostics(tu); i < n; i++) {
        CXDiagnostic d = clang_getDiagnostic(tu, i);
        enum CXDiagnosticSeverity s = clang_getDiagnosticSeverity(d);
        if (s >= CXDiagnostic_Error)
            errors++;
        if (s != CXDiagnostic_Ignored)
            print_one(d);
        clang_disposeDiagnostic(d);
    }
}

void diag_flush(void) {
    fputs(sb_str(&theirs_text), stderr);
    fputs(sb_str(&ours_text), stderr);
    sb_free(&theirs_text);
    sb_free(&ours_text);
}

void print_error_summary(void) {
    if (errors)
        fprintf(stderr, "%u error%s generated.\n", errors, errors == 1 ? "" : "s");
}
