/*
 * alox-clang.h - what the files of the Clang front end share.
 *
 * One concept per file:
 *   launcher.c   alox-clang: the command line, exec clang or alox-clang-rewrite
 *   detect.c     could a source use Alox? (from its text, without libclang)
 *   driver.c     alox-clang-rewrite: parse, check, rewrite, run clang
 *   args.c       classifying clang's command line (options, inputs, mode)
 *   strbuf.c     growable strings and small helpers
 *   diag.c       diagnostics in clang's format, at the user's file:line:col
 *   annotate.c   alox_actor / alox_behave / alox_stage on libclang cursors
 *   model.c      libclang's types as the shared core's model (plugin/common)
 *   checks.c     the compile-time rules (README.md)
 *   signature.c  packed layout, signature string, FNV-1a hashes, ref list
 *   scan.c       one walk over the unit: checks, calls, spawns, definitions
 *   macros.c     finding the token to rename when a call comes from a macro
 *   refs.c       behaviour references: alox_after, alox_monitor, alox_watch_fd
 *   future.c     alox_future(T) bodies and types, alox_await
 *   emit.c       the generated C: send stubs, descriptors, trampolines
 *   rewrite.c    edits per file, applied into copies served by a VFS overlay
 *   unit.c       one translation unit: parse, detect, check, rewrite
 *
 * The driver is single-threaded; the state of one unit lives in `unit`.
 */
#ifndef ALOX_CLANG_H
#define ALOX_CLANG_H

#include <clang-c/Index.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alox_refapi.h" /* plugin/common: the front ends' shared core */
#include "alox_rules.h"
#include "alox_sendable.h"
#include "alox_signature.h"
#include "alox_type.h"

/* ----- strbuf.c ------------------------------------------------------- */
typedef struct strbuf {
    char *data; /* always NUL-terminated once anything was added */
    size_t len, cap;
} strbuf;

void sb_putn(strbuf *sb, const char *text, size_t n);
void sb_puts(strbuf *sb, const char *text);
void sb_putc(strbuf *sb, char c);
void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *sb_str(strbuf *sb); /* "" when empty */
void sb_free(strbuf *sb);
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *cx_string(CXString s); /* copies and disposes (annotate.c: needs libclang) */
bool has_suffix(const char *s, const char *suffix);
/* cwd + path, with "." and ".." removed lexically (as clang's VFS does). */
char *absolute_path(const char *path);

/* ----- args.c --------------------------------------------------------- */
typedef enum mode {
    MODE_LINK,       /* compile and link (no -c/-S/-E) */
    MODE_COMPILE,    /* -c, -S, -fsyntax-only: compile each source */
    MODE_PREPROCESS, /* -E, -M, -MM: only the preprocessor runs */
    MODE_OTHER,      /* --version, -###, -print-*: nothing to process */
} mode;

typedef struct invocation {
    int argc;
    char **argv;      /* user arguments without argv[0] and -fplugin=alox */
    bool *is_source;  /* argv[i] is a C source (.c / .i) to look at */
    mode mode;
    bool caret;       /* show the source line under a diagnostic */
    bool color;
} invocation;

void parse_invocation(invocation *inv, int argc, char **argv);
/* The flags libclang needs to parse argv[source] as clang would compile
 * it (inputs, outputs, -M* and linker flags removed), plus extra. */
char **parse_flags(const invocation *inv, int source, int *count);
const char *source_language(int source); /* "c" or "cpp-output" */
bool takes_separate_value(const char *opt);

/* ----- detect.c ------------------------------------------------------- */
/* False only if the source certainly does not use Alox. */
bool source_may_use_alox(const invocation *inv, int source);

/* ----- diag.c --------------------------------------------------------- */
void diag_setup(const invocation *inv); /* carets, colours, -Werror */
/* An error at a libclang location (its expansion point when in a macro). */
void error_at(CXSourceLocation loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A rule of the shared table (plugin/common/alox_rules.h) as an error. */
void report_at(CXSourceLocation loc, alox_rule rule, const alox_msg *msg);
/* The same at a macro argument: where it is written (GCC's place). */
void report_at_argument(CXSourceLocation loc, alox_rule rule, const alox_msg *msg);
void note_at(CXSourceLocation loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An error with no location ("alox-clang: error: ..."). */
void fatal_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* libclang's own diagnostics of a unit (C errors), in clang's format. */
void print_clang_diagnostics(CXTranslationUnit tu);
unsigned clang_error_count(CXTranslationUnit tu);
unsigned alox_error_count(void);
void diag_flush(void); /* libclang's diagnostics, then ours */
unsigned error_count(void);
void print_error_summary(void);

/* ----- annotate.c ----------------------------------------------------- */
bool has_annotation(CXCursor c, const char *name);
bool is_actor_record(CXType t);        /* canonical struct marked alox_actor */
bool is_behaviour(CXCursor fn);        /* FunctionDecl marked alox_behave */
bool is_record_complete(CXType t);
CXType strip_arrays(CXType t);
CXType unqualified_canonical(CXType t);
/* The struct tag of a record type; "" for an anonymous one (caller frees). */
char *record_tag(CXType t);
/* An actor struct's name: its tag, or the typedef naming an anonymous one
 * ("" if none; caller frees). */
char *actor_name(CXType t);
/* `struct X *` with X an actor or an incomplete tagged struct: X's type. */
bool actor_of_pointer(CXType t, CXType *pointee);
/* Type spelling for messages: 'T' or 'T' (aka 'U'), caller frees. */
char *type_name(CXType t);
bool is_system(CXCursor c);
/* A function's type as a prototype (through a typedef'd function type). */
CXType function_type(CXCursor fn);

/* ----- checks.c ------------------------------------------------------- */
/* A behaviour's declaration (prototype or definition); false on error. */
bool check_behaviour(CXCursor fn);
void check_function_by_value(CXCursor fn); /* parameters and return type */
void check_var_by_value(CXCursor var);
void check_field(CXCursor field);
/* A rule about actor struct `type` and the declaration `decl` (or a null cursor). */
void report_actor(CXSourceLocation loc, alox_rule rule, CXCursor decl, CXType type);
/* Misplaced annotations, once per spelled attribute. */
void check_annotations(CXCursor decl);
/* Bits of a float type as GCC counts them (long double: 80 on x86); 0 if unknown. */
unsigned float_bits(CXType t);

/* ----- model.c -------------------------------------------------------- */
/* A type; `stage`: the pointer it is was marked alox_stage. */
const alox_type *model_of(alox_arena *arena, CXType type, bool stage);
/* A behaviour's parameter (parm may be a null cursor). */
const alox_type *model_of_parameter(alox_arena *arena, CXType type, CXCursor parm);
char integer_sign(enum CXTypeKind kind); /* 'i', 'u', or 0 if not an integer */

/* ----- signature.c ---------------------------------------------------- */
typedef struct arg_ref {
    uint64_t offset;
    unsigned kind; /* 1 actor, 2 stage (enum alox_ref_kind) */
    uint64_t type_hash;
} arg_ref;

typedef struct layout {
    int count;         /* parameters after self */
    char **member_types; /* spellings usable as __typeof__(...) */
    uint64_t size, align;
    arg_ref *refs;
    int ref_count;
    bool future;           /* the behaviour returns alox_future(T) */
    uint64_t reply_offset; /* then: where its alox_reply sits */
} layout;

char *signature_of(CXCursor fn);          /* "(i32,@ponger)" */
/* Packed layout of fn's arguments after self; false (and *bad = index of
 * the parameter) if a type cannot be spelled in generated code. */
bool layout_of(CXCursor fn, layout *out, int *bad);
void layout_free(layout *l);

/* ----- rewrite.c ------------------------------------------------------ */
typedef struct file_edits file_edits;
/* The edits of one physical file of the unit (created on first use);
 * NULL if the file cannot be rewritten (system header, no contents). */
file_edits *edits_for(CXTranslationUnit tu, CXFile file);
const char *edits_text(file_edits *fe, size_t *size); /* the original bytes */
const char *edits_presumed_name(file_edits *fe);
CXFile edits_file(file_edits *fe);
void edit_replace(file_edits *fe, size_t offset, size_t len, const char *text);
void edit_insert(file_edits *fe, size_t offset, const char *text);
/* Write every edited file into dir and the VFS overlay mapping their
 * paths to the copies; returns the overlay's path or NULL if no edits. */
char *write_overlay(const char *dir, int unit_index);
void edits_reset(void);

/* ----- macros.c ------------------------------------------------------- */
/* Rename the callee token `name` of a call whose reference sits at loc:
 * the token itself, or its spelling in a macro definition (in the main
 * file or a user header). False, with *why set, if it cannot be done. */
bool rename_callee(CXTranslationUnit tu, CXSourceLocation loc, const char *name,
                   const char *replacement, const char **why);
bool identifier_at(const char *text, size_t size, size_t offset, const char *name);
void note_macro_definition(CXCursor def);
/* Rename the macro `name` whose expansion produced the code at loc: at its
 * use in the file, or inside the user's macro that uses it. */
bool rename_macro_use(CXTranslationUnit tu, CXSourceLocation loc, const char *name,
                      const char *replacement);
void macros_reset(void);

/* ----- emit.c --------------------------------------------------------- */
typedef struct behaviour {
    CXCursor decl;   /* a declaration (the definition when this unit has it) */
    char *name;      /* function name */
    char *usr;
    char *tag;       /* self's actor tag */
    bool is_static;
    bool defined;    /* body in this unit */
    bool called;     /* a send was rewritten */
    bool ok;         /* passed the checks */
    layout lay;
    bool has_layout;
    char *self_type; /* spelling of self's type, for __typeof__ */
    char *signature;
    char *value_type; /* alox_future(T): T's spelling, else NULL */
} behaviour;

/* Text declaring what a send to b needs (guarded, so repeatable). */
void emit_send_prelude(strbuf *out, behaviour *b);
void emit_spawn_prelude(strbuf *out, const char *tag);
/* The descriptor's declaration (for alox_monitor and the like). */
void emit_desc_prelude(strbuf *out, behaviour *b);
/* __ALOX_AFTER once, __alox_pend_<fn> per behaviour: alox_after (refs.c). */
void emit_after_prelude(strbuf *out);
void emit_pend_prelude(strbuf *out, behaviour *b);
/* Descriptor, trampoline, constructor for a behaviour defined here. */
void emit_behaviour(strbuf *out, behaviour *b, unsigned line, const char *file);
/* For an extern behaviour defined here: its body as __alox_body_<fn>
 * (a pragma for the top of the unit), its own symbol a function that sends. */
void emit_body_rename(strbuf *out, behaviour *b);
void emit_sending_symbol(strbuf *out, behaviour *b);
void emit_type(strbuf *out, const char *tag, const char *spelled);
void emit_begin(strbuf *out);
void emit_end(strbuf *out);

/* ----- scan.c --------------------------------------------------------- */
typedef struct unit unit;
typedef struct scan_state scan_state;
/* Walk the unit: every check, and the edits for calls and spawns. */
void scan_unit(unit *u);
/* For refs.c: a reference to a behaviour that is not an address taken. */
void scan_allow(scan_state *s, CXCursor ref);
/* A behaviour call refs.c rewrote itself (the visit skips it). */
void scan_handled(scan_state *s, CXCursor call);
/* True the first time for (kind, name): its prelude is to be emitted. */
bool scan_once(scan_state *s, const char *kind, const char *name);
/* What the current top-level declaration needs before it (emit.c text). */
strbuf *scan_pending(scan_state *s);
CXTranslationUnit scan_tu(scan_state *s);
/* fn's behaviour with its packed layout, or NULL (reported). */
behaviour *scan_behaviour(scan_state *s, CXCursor fn, CXSourceLocation loc);
CXCursor callee_ref(CXCursor call);
CXCursor expr_ref(CXCursor expr);
CXCursor first_child(CXCursor c);

/* ----- refs.c --------------------------------------------------------- */
/* A call of a behaviour-reference marker (alox__after, alox__monitor, ...):
 * checked and rewritten into the abi.h entry point. */
void refapi_call(scan_state *s, CXCursor call, const alox_refapi *api);

/* ----- future.c ------------------------------------------------------- */
bool is_future_behaviour(CXCursor fn);
/* Is expr a future (a future behaviour's call, a variable, parameter or
 * member declared alox_future(T))? Then *value is T. */
bool future_value_of(CXCursor expr, CXType *value);
/* The same, with the rule's error at loc when it is not. */
bool check_future_arg(CXCursor arg, const char *api, CXSourceLocation loc, CXType *value);
void future_body(CXTranslationUnit tu, CXCursor fn);         /* a future's definition */
void future_return(scan_state *s, CXCursor ret, CXCursor fn); /* `return v;` in it */
void future_macro(CXTranslationUnit tu, CXCursor expansion);
void await_call(scan_state *s, CXCursor call, CXCursor in_fn);
/* clang's -Wreturn-type inside a future's body: the rule speaks instead. */
bool future_diagnostic_replaced(CXDiagnostic d);
void future_reset(void);

/* ----- unit.c --------------------------------------------------------- */
struct unit {
    CXTranslationUnit tu;
    CXFile main_file;
    behaviour *behaviours;
    int behaviour_count, behaviour_cap;
    char **spawned; /* actor tags spawned here (type descriptors to emit) */
    char **spawned_spelled;
    int spawned_count, spawned_cap;
    char **actors_defined; /* tags with behaviours defined here */
    bool has_runtime_decls; /* alox.h's alox_send is declared */
};

behaviour *behaviour_by_usr(unit *u, const char *usr);
behaviour *behaviour_add(unit *u, CXCursor fn);
void note_spawn(unit *u, const char *tag, const char *spelled);

typedef enum unit_result { UNIT_PLAIN, UNIT_REWRITTEN, UNIT_FAILED } unit_result;
/* Parse inv->argv[source], check it and, if it uses Alox, write its
 * rewritten files under dir/<index> and the VFS overlay (*overlay). */
unit_result process_unit(CXIndex index, const invocation *inv, int source, const char *dir,
                         char **overlay);

#endif
