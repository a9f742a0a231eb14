/*
 * rewrite.c - edits to the files of a unit, and the copies clang compiles.
 *
 * An edit replaces a range of a file's bytes (renaming `ping` to
 * `__alox_send_ping`) or inserts text (a generated block). The edited
 * copies are written to a private directory, and a VFS overlay
 *
 *     { 'version': 0, 'use-external-names': false,
 *       'roots': [ { 'name': '/abs/app.c', 'type': 'file',
 *                    'external-contents': '/tmp/alox-XXXX/0/app.c' } ] }
 *
 * given to clang with -ivfsoverlay serves each copy under its original
 * path. Clang therefore sees the original file names everywhere: in
 * diagnostics, __FILE__, -MD dependency files, debug info (DW_AT_name),
 * and the directory searched by #include "..." is the original one.
 * Generated blocks end with `#line N "file"`, so lines after them keep
 * their original numbers.
 */
#include "alox-clang.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct edit {
    size_t offset, len;
    char *text;
    int order; /* insertion order, to keep ties stable */
} edit;

struct file_edits {
    CXFile file;
    char *name;     /* as clang opened it */
    char *presumed; /* as diagnostics and #line name it */
    const char *text;
    size_t size;
    edit *edits;
    int count, cap;
};

static file_edits **files;
static int file_count;
static int order_counter;

void edits_reset(void) {
    for (int i = 0; i < file_count; i++) {
        for (int j = 0; j < files[i]->count; j++)
            free(files[i]->edits[j].text);
        free(files[i]->edits);
        free(files[i]->name);
        free(files[i]->presumed);
        free(files[i]);
    }
    free(files);
    files = NULL;
    file_count = 0;
}

file_edits *edits_for(CXTranslationUnit tu, CXFile file) {
    if (!file)
        return NULL;
    for (int i = 0; i < file_count; i++)
        if (clang_File_isEqual(files[i]->file, file))
            return files[i];
    CXSourceLocation start = clang_getLocationForOffset(tu, file, 0);
    if (clang_Location_isInSystemHeader(start))
        return NULL;
    size_t size = 0;
    const char *text = clang_getFileContents(tu, file, &size);
    if (!text)
        return NULL;
    file_edits *fe = xmalloc(sizeof *fe);
    memset(fe, 0, sizeof *fe);
    fe->file = file;
    fe->name = cx_string(clang_getFileName(file));
    CXString presumed;
    clang_getPresumedLocation(start, &presumed, NULL, NULL);
    fe->presumed = xstrdup(clang_getCString(presumed) ? clang_getCString(presumed) : fe->name);
    clang_disposeString(presumed);
    fe->text = text;
    fe->size = size;
    files = xrealloc(files, sizeof(file_edits *) * (size_t)(file_count + 1));
    files[file_count++] = fe;
    return fe;
}

const char *edits_text(file_edits *fe, size_t *size) {
    *size = fe->size;
    return fe->text;
}

const char *edits_presumed_name(file_edits *fe) { return fe->presumed; }
CXFile edits_file(file_edits *fe) { return fe->file; }

static void add(file_edits *fe, size_t offset, size_t len, const char *text) {
    if (len) /* the same rename reached twice (a macro body): once */
        for (int i = 0; i < fe->count; i++)
            if (fe->edits[i].offset == offset && fe->edits[i].len == len)
                return;
    if (fe->count == fe->cap) {
        fe->cap = fe->cap ? fe->cap * 2 : 16;
        fe->edits = xrealloc(fe->edits, sizeof(edit) * (size_t)fe->cap);
    }
    fe->edits[fe->count++] = (edit){offset, len, xstrdup(text), order_counter++};
}

void edit_replace(file_edits *fe, size_t offset, size_t len, const char *text) {
    add(fe, offset, len, text);
}

void edit_insert(file_edits *fe, size_t offset, const char *text) { add(fe, offset, 0, text); }

static int by_offset(const void *a, const void *b) {
    const edit *x = a, *y = b;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    if ((x->len == 0) != (y->len == 0)) /* insertions before a replacement there */
        return x->len == 0 ? -1 : 1;
    return x->order - y->order;
}

static bool write_file(const char *path, const char *data, size_t size) {
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok;
}

/* A YAML double-quoted string. */
static void yaml_string(strbuf *out, const char *s) {
    sb_putc(out, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            sb_putc(out, '\\');
        sb_putc(out, *s);
    }
    sb_putc(out, '"');
}

char *write_overlay(const char *dir, int unit_index) {
    strbuf yaml = {0}, sub = {0};
    sb_printf(&sub, "%s/%d", dir, unit_index);
    if (mkdir(sub.data, 0700) != 0 && errno != EEXIST) {
        fatal_error("cannot create %s: %s", sub.data, strerror(errno));
        sb_free(&sub);
        return NULL;
    }
    sb_puts(&yaml, "{ 'version': 0, 'use-external-names': false, 'roots': [\n");
    int written = 0;
    for (int i = 0; i < file_count; i++) {
        file_edits *fe = files[i];
        if (!fe->count)
            continue;
        qsort(fe->edits, (size_t)fe->count, sizeof(edit), by_offset);
        strbuf text = {0};
        size_t at = 0;
        for (int j = 0; j < fe->count; j++) {
            edit *e = &fe->edits[j];
            if (e->offset < at || e->offset + e->len > fe->size)
                continue; /* overlapping: cannot happen for well-formed edits */
            sb_putn(&text, fe->text + at, e->offset - at);
            sb_puts(&text, e->text);
            at = e->offset + e->len;
        }
        sb_putn(&text, fe->text + at, fe->size - at);
        const char *base = strrchr(fe->name, '/');
        base = base ? base + 1 : fe->name;
        strbuf copy = {0};
        sb_printf(&copy, "%s/%d-%s", sub.data, i, base);
        if (!write_file(copy.data, sb_str(&text), text.len)) {
            fatal_error("cannot write %s: %s", copy.data, strerror(errno));
            sb_free(&copy), sb_free(&text), sb_free(&yaml), sb_free(&sub);
            return NULL;
        }
        char *virtual = absolute_path(fe->name);
        sb_puts(&yaml, written ? ",\n  { 'name': " : "  { 'name': ");
        yaml_string(&yaml, virtual);
        sb_puts(&yaml, ", 'type': 'file', 'external-contents': ");
        yaml_string(&yaml, copy.data);
        sb_puts(&yaml, " }");
        written++;
        free(virtual);
        sb_free(&copy);
        sb_free(&text);
    }
    sb_puts(&yaml, "\n] }\n");
    char *path = NULL;
    if (written) {
        strbuf p = {0};
        sb_printf(&p, "%s/overlay-%d.yaml", dir, unit_index);
        if (write_file(p.data, yaml.data, yaml.len))
            path = p.data;
        else {
            fatal_error("cannot write %s: %s", p.data, strerror(errno));
            sb_free(&p);
        }
    }
    sb_free(&yaml);
    sb_free(&sub);
    return path;
}
