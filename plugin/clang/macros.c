/*
 * macros.c - where the name of a called behaviour is written.
 *
 * A send is made by renaming the callee token `ping` into
 * `__alox_send_ping`. Usually that token is in the file, at the call:
 *
 *     ping(a, 1, b);            LOG(ping(a, 1, b));   (a macro argument)
 *
 * When the call comes out of a macro body,
 *
 *     #define PING_ALL(x) ping(x, 1, b)
 *
 * the token is in the macro's definition: that definition is edited
 * instead (every `ping` token in it is a call, or an error of its own),
 * following macros used inside macros. A name built by token pasting, or
 * a macro in a system header, cannot be rewritten: that is an error at
 * the call, never a synchronous call.
 */
#include "alox-clang.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static CXCursor *definitions;
static int definition_count;

void note_macro_definition(CXCursor c) {
    definitions = xrealloc(definitions, sizeof(CXCursor) * (size_t)(definition_count + 1));
    definitions[definition_count++] = c;
}

void macros_reset(void) {
    free(definitions);
    definitions = NULL;
    definition_count = 0;
}

static bool is_ident_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

bool identifier_at(const char *text, size_t size, size_t offset, const char *name) {
    size_t n = strlen(name);
    if (offset + n > size || memcmp(text + offset, name, n) != 0)
        return false;
    if (offset > 0 && is_ident_char(text[offset - 1]))
        return false;
    return offset + n == size || !is_ident_char(text[offset + n]);
}

static CXCursor definition_named(const char *name) {
    for (int i = definition_count - 1; i >= 0; i--) {
        CXString s = clang_getCursorSpelling(definitions[i]);
        bool same = strcmp(clang_getCString(s), name) == 0;
        clang_disposeString(s);
        if (same)
            return definitions[i];
    }
    return clang_getNullCursor();
}

static bool rename_in_macro(CXTranslationUnit tu, CXCursor def, const char *name,
                            const char *replacement, int depth) {
    if (clang_Cursor_isNull(def) || depth > 8 ||
        clang_Location_isInSystemHeader(clang_getCursorLocation(def)))
        return false;
    CXToken *tokens = NULL;
    unsigned count = 0;
    clang_tokenize(tu, clang_getCursorExtent(def), &tokens, &count);
    char *self = cx_string(clang_getCursorSpelling(def));
    unsigned i = 1; /* after the macro's name */
    if (clang_Cursor_isMacroFunctionLike(def)) {
        while (i < count) {
            char *t = cx_string(clang_getTokenSpelling(tu, tokens[i++]));
            bool close = strcmp(t, ")") == 0;
            free(t);
            if (close)
                break;
        }
    }
    bool renamed = false;
    char **inner = xmalloc(sizeof(char *) * (count + 1));
    int inner_count = 0;
    for (; i < count; i++) {
        if (clang_getTokenKind(tokens[i]) != CXToken_Identifier)
            continue;
        char *t = cx_string(clang_getTokenSpelling(tu, tokens[i]));
        if (strcmp(t, name) == 0) {
            CXFile file;
            unsigned offset;
            clang_getFileLocation(clang_getTokenLocation(tu, tokens[i]), &file, NULL, NULL, &offset);
            file_edits *fe = edits_for(tu, file);
            if (fe) {
                edit_replace(fe, offset, strlen(name), replacement);
                renamed = true;
            }
            free(t);
        } else if (strcmp(t, self) != 0) {
            inner[inner_count++] = t;
        } else {
            free(t);
        }
    }
    clang_disposeTokens(tu, tokens, count);
    if (!renamed) /* the call may come from a macro this one uses */
        for (int k = 0; k < inner_count && !renamed; k++)
            renamed = rename_in_macro(tu, definition_named(inner[k]), name, replacement, depth + 1);
    for (int k = 0; k < inner_count; k++)
        free(inner[k]);
    free(inner);
    free(self);
    return renamed;
}

bool rename_callee(CXTranslationUnit tu, CXSourceLocation loc, const char *name,
                   const char *replacement, const char **why) {
    CXFile file;
    unsigned offset;
    size_t size;
    clang_getFileLocation(loc, &file, NULL, NULL, &offset);
    file_edits *fe = edits_for(tu, file);
    if (fe) {
        const char *text = edits_text(fe, &size);
        if (identifier_at(text, size, offset, name)) {
            edit_replace(fe, offset, strlen(name), replacement);
            return true;
        }
    }
    /* from a macro body: the macro named where it is expanded */
    clang_getExpansionLocation(loc, &file, NULL, NULL, &offset);
    fe = edits_for(tu, file);
    if (!fe) {
        *why = "it is written in a system header";
        return false;
    }
    CXCursor at = clang_getCursor(tu, clang_getLocationForOffset(tu, file, offset));
    CXCursor def = clang_getNullCursor();
    if (clang_getCursorKind(at) == CXCursor_MacroExpansion)
        def = clang_getCursorReferenced(at);
    if (clang_Cursor_isNull(def)) {
        const char *text = edits_text(fe, &size);
        size_t end = offset;
        while (end < size && is_ident_char(text[end]))
            end++;
        char *macro = xmalloc(end - offset + 1);
        memcpy(macro, text + offset, end - offset);
        macro[end - offset] = 0;
        def = definition_named(macro);
        free(macro);
    }
    if (rename_in_macro(tu, def, name, replacement, 0))
        return true;
    *why = "the behaviour's name comes out of a macro the front end cannot edit "
           "(token pasting, or a system header)";
    return false;
}

bool rename_macro_use(CXTranslationUnit tu, CXSourceLocation loc, const char *name,
                      const char *replacement) {
    CXFile file;
    unsigned offset;
    size_t size;
    /* Written as an argument of the user's macro, CHECK(alox_await(...)):
     * where the argument is written. */
    clang_getFileLocation(loc, &file, NULL, NULL, &offset);
    file_edits *written = file ? edits_for(tu, file) : NULL;
    const char *text = written ? edits_text(written, &size) : NULL;
    if (text && identifier_at(text, size, offset, name)) {
        edit_replace(written, offset, strlen(name), replacement);
        return true;
    }
    clang_getExpansionLocation(loc, &file, NULL, NULL, &offset);
    file_edits *fe = edits_for(tu, file);
    if (!fe)
        return false;
    text = edits_text(fe, &size);
    if (identifier_at(text, size, offset, name)) {
        edit_replace(fe, offset, strlen(name), replacement);
        return true;
    }
    CXCursor at = clang_getCursor(tu, clang_getLocationForOffset(tu, file, offset));
    if (clang_getCursorKind(at) != CXCursor_MacroExpansion)
        return false;
    return rename_in_macro(tu, clang_getCursorReferenced(at), name, replacement, 0);
}
