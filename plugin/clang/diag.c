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

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool show_caret = true, use_color = false;
static unsigned errors, warnings, ours;
static strbuf theirs_text, ours_text;

static const invocation *args; /* for -Werror, as clang names it in [...] */

void diag_setup(const invocation *inv) {
    show_caret = inv->caret;
    use_color = inv->color;
    args = inv;
}

/* Was warning option `-Wfoo` made an error by -Werror or -Werror=foo? */
static bool made_error(const char *option) {
    bool all = false, one = false, not_one = false;
    for (int i = 0; args && i < args->argc; i++) {
        const char *a = args->argv[i];
        if (strcmp(a, "-Werror") == 0)
            all = true;
        else if (strcmp(a, "-Wno-error") == 0)
            all = false;
        else if (strncmp(a, "-Werror=", 8) == 0 && strcmp(a + 8, option + 2) == 0)
            one = true, not_one = false;
        else if (strncmp(a, "-Wno-error=", 11) == 0 && strcmp(a + 11, option + 2) == 0)
            not_one = true, one = false;
    }
    return one || (all && !not_one);
}

/* "file:line:col: warning: text [-Wfoo]", as clang prints it. */
static char *format_diagnostic(CXDiagnostic d) {
    unsigned options = clang_defaultDiagnosticDisplayOptions() & ~CXDiagnostic_DisplayOption;
    char *text = cx_string(clang_formatDiagnostic(d, options));
    char *option = cx_string(clang_getDiagnosticOption(d, NULL));
    if (strncmp(option, "-W", 2) != 0) {
        free(option);
        return text;
    }
    strbuf out = {0};
    bool promoted = clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error && made_error(option);
    sb_printf(&out, "%s [%s%s]", text, promoted ? "-Werror," : "", option);
    free(text);
    free(option);
    return out.data;
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

/* What clang draws under a source line: '~' under the ranges, '^' at the
 * caret, and below it the text of fix-it hints at their columns. */
typedef struct marks {
    unsigned (*ranges)[2]; /* columns [from, to), on the caret's line */
    int range_count;
    unsigned *fix_columns;
    char **fix_texts;
    int fix_count;
} marks;

static char *source_line(CXFile file, unsigned line) {
    char *name = cx_string(clang_getFileName(file));
    FILE *f = fopen(name, "r");
    free(name);
    if (!f)
        return NULL;
    strbuf text = {0};
    char buf[4096];
    unsigned n = 1;
    while (fgets(buf, sizeof buf, f)) {
        if (n == line)
            sb_puts(&text, buf);
        if (strchr(buf, '\n') && ++n > line)
            break;
    }
    fclose(f);
    if (!text.data)
        return NULL;
    text.data[strcspn(text.data, "\r\n")] = 0;
    return text.data;
}

/* The source line of a position, and the marks under it. */
static void print_source(strbuf *out, const position *p, const marks *m) {
    if (!p->file || !show_caret)
        return;
    char *line = source_line(p->file, p->file_line);
    if (!line)
        return;
    size_t len = strlen(line), width = len + 2;
    char *under = xmalloc(width + 1);
    for (size_t i = 0; i < width; i++)
        under[i] = i < len && line[i] == '\t' ? '\t' : ' ';
    for (int r = 0; m && r < m->range_count; r++)
        for (unsigned c = m->ranges[r][0]; c < m->ranges[r][1] && c - 1 < width; c++)
            under[c - 1] = '~';
    if (p->column >= 1 && p->column - 1 < width)
        under[p->column - 1] = '^';
    size_t end = width;
    while (end > 0 && (under[end - 1] == ' ' || under[end - 1] == '\t'))
        end--;
    under[end] = 0;
    sb_printf(out, "%s\n", line);
    if (use_color)
        sb_printf(out, GREEN "%s" RESET "\n", under);
    else
        sb_printf(out, "%s\n", under);
    if (m && m->fix_count) {
        strbuf fix = {0};
        for (int i = 0; i < m->fix_count; i++) {
            while (fix.len + 1 < m->fix_columns[i])
                sb_putc(&fix, ' ');
            sb_puts(&fix, m->fix_texts[i]);
        }
        sb_printf(out, "%s%s%s\n", use_color ? GREEN : "", fix.data, use_color ? RESET : "");
        sb_free(&fix);
    }
    free(under);
    free(line);
}

static void print_caret(strbuf *out, const position *p) { print_source(out, p, NULL); }

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

/* Where clang itself puts the caret of one of its diagnostics: where the
 * token is written (inside a macro argument: there; in a macro body: in
 * the macro's definition). */
static position spelled_position(CXSourceLocation loc) {
    position p = {0};
    p.name = xstrdup("");
    clang_getFileLocation(loc, &p.file, &p.file_line, &p.column, NULL);
    return p;
}

/* A column of loc on the caret's line: 0 if before it, ~0 if after it. */
static unsigned column_on(CXSourceLocation loc, const position *p) {
    CXFile file;
    unsigned line, column;
    clang_getFileLocation(loc, &file, &line, &column, NULL);
    if (!file || !clang_File_isEqual(file, p->file) || line < p->file_line)
        return 0;
    return line > p->file_line ? ~0u : column;
}

static void collect_marks(CXDiagnostic d, const position *p, marks *m) {
    unsigned n = clang_getDiagnosticNumRanges(d);
    m->ranges = xmalloc(sizeof *m->ranges * (n + 1));
    for (unsigned i = 0; i < n; i++) {
        CXSourceRange r = clang_getDiagnosticRange(d, i);
        unsigned from = column_on(clang_getRangeStart(r), p);
        unsigned to = column_on(clang_getRangeEnd(r), p);
        if (to == 0 || from == ~0u)
            continue; /* not on this line */
        m->ranges[m->range_count][0] = from ? from : 1;
        m->ranges[m->range_count][1] = to;
        m->range_count++;
    }
    n = clang_getDiagnosticNumFixIts(d);
    m->fix_columns = xmalloc(sizeof *m->fix_columns * (n + 1));
    m->fix_texts = xmalloc(sizeof *m->fix_texts * (n + 1));
    for (unsigned i = 0; i < n; i++) {
        CXSourceRange r;
        char *text = cx_string(clang_getDiagnosticFixIt(d, i, &r));
        unsigned from = column_on(clang_getRangeStart(r), p);
        if (from == 0 || from == ~0u || !*text) {
            free(text);
            continue;
        }
        m->fix_columns[m->fix_count] = from;
        m->fix_texts[m->fix_count++] = text;
    }
}

static void free_marks(marks *m) {
    for (int i = 0; i < m->fix_count; i++)
        free(m->fix_texts[i]);
    free(m->ranges), free(m->fix_columns), free(m->fix_texts);
}

/* libclang keeps clang's "expanded from macro" notes but not the range
 * clang maps into the macro's definition: there, under the macro
 * parameter the caret is on. */
static bool is_expansion_note(CXDiagnostic d) {
    char *text = cx_string(clang_getDiagnosticSpelling(d));
    bool note = clang_getDiagnosticSeverity(d) == CXDiagnostic_Note &&
                strncmp(text, "expanded from macro ", 20) == 0;
    free(text);
    return note;
}

static void underline_identifier(const position *p, marks *m) {
    char *line = source_line(p->file, p->file_line);
    if (!line)
        return;
    size_t start = p->column - 1, end = start, len = strlen(line);
    while (end < len && (isalnum((unsigned char)line[end]) || line[end] == '_'))
        end++;
    if (end > start + 1) {
        m->ranges[0][0] = p->column;
        m->ranges[0][1] = p->column + (unsigned)(end - start);
        m->range_count = 1;
    }
    free(line);
}

static void print_one(CXDiagnostic d) {
    char *text = format_diagnostic(d);
    sb_printf(&theirs_text, "%s\n", text);
    free(text);
    position p = spelled_position(clang_getDiagnosticLocation(d));
    marks m = {0};
    if (p.file)
        collect_marks(d, &p, &m);
    if (p.file && !m.range_count && is_expansion_note(d))
        underline_identifier(&p, &m);
    print_source(&theirs_text, &p, &m);
    free_marks(&m);
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
        if (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error && !future_diagnostic_replaced(d))
            n++;
        clang_disposeDiagnostic(d);
    }
    return n;
}

void print_clang_diagnostics(CXTranslationUnit tu) {
    for (unsigned i = 0, n = clang_getNumDiagnostics(tu); i < n; i++) {
        CXDiagnostic d = clang_getDiagnostic(tu, i);
        enum CXDiagnosticSeverity s = clang_getDiagnosticSeverity(d);
        if (future_diagnostic_replaced(d)) /* the rule says it (future.c) */
            s = CXDiagnostic_Ignored;
        if (s >= CXDiagnostic_Error)
            errors++;
        else if (s == CXDiagnostic_Warning)
            warnings++;
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

/* "2 warnings and 1 error generated.", as clang ends a compile (only
 * when it shows carets). */
void print_error_summary(void) {
    if (!show_caret)
        return;
    if (warnings)
        fprintf(stderr, "%u warning%s", warnings, warnings == 1 ? "" : "s");
    if (warnings && errors)
        fputs(" and ", stderr);
    if (errors)
        fprintf(stderr, "%u error%s", errors, errors == 1 ? "" : "s");
    if (warnings || errors)
        fputs(" generated.\n", stderr);
}
