/*
 * annotate.c - the three annotations of alox.h, as libclang sees them.
 *
 * Under alox-clang, alox.h spells them as clang attributes:
 *   alox_actor   __attribute__((annotate("alox_actor")))   on a struct
 *   alox_behave  __attribute__((annotate("alox_behave")))  on a function
 *   alox_stage   __attribute__((annotate("alox_stage")))   on a parameter
 *                                                          or struct member
 * libclang shows an attribute as a child cursor of its declaration,
 * inherited ones included (a definition carries the alox_behave of its
 * prototype; a parameter the alox_stage of the prototype's parameter).
 */
#include "alox-clang.h"

#include <stdlib.h>
#include <string.h>

char *cx_string(CXString s) {
    const char *c = clang_getCString(s);
    char *copy = xstrdup(c ? c : "");
    clang_disposeString(s);
    return copy;
}

typedef struct find_state {
    const char *name;
    bool found;
} find_state;

static enum CXChildVisitResult find_attr(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    find_state *s = data;
    if (clang_getCursorKind(c) == CXCursor_AnnotateAttr) {
        CXString text = clang_getCursorSpelling(c);
        if (strcmp(clang_getCString(text), s->name) == 0)
            s->found = true;
        clang_disposeString(text);
        return s->found ? CXChildVisit_Break : CXChildVisit_Continue;
    }
    return CXChildVisit_Continue;
}

bool has_annotation(CXCursor c, const char *name) {
    if (clang_Cursor_isNull(c) || !clang_Cursor_hasAttrs(c))
        return false;
    find_state s = {name, false};
    clang_visitChildren(c, find_attr, &s);
    return s.found;
}

CXType unqualified_canonical(CXType t) {
    t = clang_getCanonicalType(t);
    while (t.kind == CXType_Atomic)
        t = clang_getCanonicalType(clang_Type_getValueType(t));
    return t;
}

CXType strip_arrays(CXType t) {
    t = unqualified_canonical(t);
    while (t.kind == CXType_ConstantArray || t.kind == CXType_IncompleteArray ||
           t.kind == CXType_VariableArray || t.kind == CXType_DependentSizedArray)
        t = unqualified_canonical(clang_getArrayElementType(t));
    return t;
}

bool is_record_complete(CXType t) {
    return clang_Type_getSizeOf(t) >= 0;
}

/* An alox_actor written on this declaration itself, not inherited from
 * an earlier one: clang lets a definition inherit the annotation of a
 * forward declaration or typedef (`typedef struct alox_actor foo foo_t;`),
 * GCC drops it there. Both front ends honour it only on the definition. */
typedef struct own_state {
    CXFile file;
    unsigned start, end;
    bool found;
} own_state;

static enum CXChildVisitResult own_attr(CXCursor c, CXCursor parent, CXClientData data) {
    (void)parent;
    own_state *s = data;
    if (clang_getCursorKind(c) != CXCursor_AnnotateAttr)
        return CXChildVisit_Continue;
    CXString text = clang_getCursorSpelling(c);
    bool actor = strcmp(clang_getCString(text), "alox_actor") == 0;
    clang_disposeString(text);
    CXFile file;
    unsigned offset;
    clang_getExpansionLocation(clang_getCursorLocation(c), &file, NULL, NULL, &offset);
    if (actor && clang_File_isEqual(file, s->file) && offset >= s->start && offset <= s->end)
        s->found = true;
    return s->found ? CXChildVisit_Break : CXChildVisit_Continue;
}

static bool annotated_here(CXCursor def) {
    if (!clang_Cursor_hasAttrs(def))
        return false;
    own_state s = {0};
    CXSourceRange extent = clang_getCursorExtent(def);
    clang_getExpansionLocation(clang_getRangeStart(extent), &s.file, NULL, NULL, &s.start);
    clang_getExpansionLocation(clang_getRangeEnd(extent), NULL, NULL, NULL, &s.end);
    clang_visitChildren(def, own_attr, &s);
    return s.found;
}

bool is_actor_record(CXType t) {
    t = unqualified_canonical(t);
    if (t.kind != CXType_Record)
        return false;
    CXCursor decl = clang_getTypeDeclaration(t);
    if (clang_getCursorKind(decl) != CXCursor_StructDecl)
        return false;
    CXCursor def = clang_getCursorDefinition(decl);
    return !clang_Cursor_isNull(def) && annotated_here(def);
}

/* The actor's name: its tag, or for an anonymous actor struct the typedef
 * that names it (clang spells such a type by its first typedef, as the
 * GCC plugin names it); "" if it has neither. Caller frees. */
char *actor_name(CXType t) {
    char *tag = record_tag(t);
    if (*tag || !is_actor_record(t))
        return tag;
    free(tag);
    char *spelled = cx_string(clang_getTypeSpelling(unqualified_canonical(t)));
    if (strchr(spelled, ' ') || strchr(spelled, '(')) { /* "struct (unnamed at ...)" */
        free(spelled);
        return xstrdup("");
    }
    return spelled;
}

bool is_behaviour(CXCursor fn) {
    return clang_getCursorKind(fn) == CXCursor_FunctionDecl && has_annotation(fn, "alox_behave");
}

char *record_tag(CXType t) {
    t = unqualified_canonical(t);
    CXCursor decl = clang_getTypeDeclaration(t);
    if (clang_Cursor_isNull(decl) || clang_Cursor_isAnonymous(decl))
        return xstrdup("");
    char *name = cx_string(clang_getCursorSpelling(decl));
    if (strchr(name, '(') || strchr(name, ' ')) { /* "(unnamed struct at ...)" */
        free(name);
        return xstrdup("");
    }
    return name;
}

bool actor_of_pointer(CXType t, CXType *pointee) {
    t = unqualified_canonical(t);
    if (t.kind != CXType_Pointer)
        return false;
    CXType p = unqualified_canonical(clang_getPointeeType(t));
    if (p.kind != CXType_Record ||
        clang_getCursorKind(clang_getTypeDeclaration(p)) != CXCursor_StructDecl)
        return false;
    bool actor = is_actor_record(p);
    char *name = actor ? actor_name(p) : record_tag(p);
    bool named = *name != 0;
    free(name);
    if (!named || (!actor && is_record_complete(p)))
        return false; /* an anonymous actor needs a typedef name */
    if (pointee)
        *pointee = p;
    return true;
}

char *type_name(CXType t) {
    char *spelled = cx_string(clang_getTypeSpelling(t));
    char *canonical = cx_string(clang_getTypeSpelling(clang_getCanonicalType(t)));
    strbuf out = {0};
    if (strcmp(spelled, canonical) == 0 || strstr(spelled, "(unnamed") ||
        strstr(spelled, "(anonymous"))
        sb_printf(&out, "'%s'", spelled);
    else
        sb_printf(&out, "'%s' (aka '%s')", spelled, canonical);
    free(spelled);
    free(canonical);
    return out.data;
}

bool is_system(CXCursor c) {
    return clang_Location_isInSystemHeader(clang_getCursorLocation(c)) != 0;
}

CXType function_type(CXCursor fn) {
    CXType t = clang_getCursorType(fn);
    if (t.kind != CXType_FunctionProto && t.kind != CXType_FunctionNoProto)
        t = clang_getCanonicalType(t);
    return t;
}
