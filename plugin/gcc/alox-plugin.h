/*
 * alox-plugin.h - what the files of the Alox GCC plugin share.
 *
 * One concept per file:
 *   plugin.cc      plugin_init, the callbacks, __ALOX__, GC roots
 *   attributes.cc  alox_actor / alox_behave / alox_stage and the predicates on them
 *   model.cc       GCC's types and messages for the shared core (plugin/common)
 *   checks.cc      the compile-time rules (README.md)
 *   refs.cc        alox_after / alox_monitor / alox_watch_fd: checks, alox_after's call
 *   signature.cc   packed layout, signature string, FNV-1a hashes, ref list
 *   emit.cc        descriptors, trampolines, load-time constructors
 *   body.cc        the behaviour's own symbol sends; its body has another
 *   rewrite.cc     the GIMPLE pass: sends, delayed sends, references, late addresses
 *
 * Everything here runs on GCC's main thread; the state is plain globals.
 */
#ifndef ALOX_PLUGIN_H
#define ALOX_PLUGIN_H

#define INCLUDE_MAP
#define INCLUDE_STRING
#define INCLUDE_VECTOR
#include "gcc-plugin.h"
#include "plugin-version.h"
#include "c-family/c-common.h" /* before diagnostic-core.h (facts note) */
#include "stringpool.h"
#include "attribs.h"
#include "basic-block.h"
#include "cgraph.h"
#include "diagnostic-core.h"
#include "fold-const.h"
#include "function.h"
#include "gimple-expr.h"
#include "gimple.h"
#include "gimple-iterator.h"
#include "gimple-walk.h"
#include "gimplify.h"
#include "gimplify-me.h"
#include "stor-layout.h"
#include "tree-iterator.h"
#include "tree-cfg.h"
#include "context.h"
#include "tree-pass.h"
#include "tree.h"
#include "varasm.h"

#include "alox_refapi.h"    /* plugin/common: the front ends' shared core */
#include "alox_rules.h"
#include "alox_sendable.h"
#include "alox_signature.h"
#include "alox_type.h"

namespace alox {

/* ----- attributes.cc ------------------------------------------------ */
void register_attributes();
bool is_actor_struct(const_tree type);   /* RECORD_TYPE marked alox_actor */
bool is_behaviour(const_tree fndecl);    /* FUNCTION_DECL marked alox_behave */
bool is_stage_pointer(const_tree type);  /* pointer type marked alox_stage */
bool is_generated(const_tree fndecl);    /* trampoline / constructor we built */
void mark_generated(tree fndecl);
const char *struct_tag(const_tree type); /* "" for an anonymous struct */
/* An actor struct's name: its tag, or the typedef naming an anonymous one. */
const char *actor_name(const_tree type);
void note_typedef(tree type_decl);
tree actor_of_pointer(const_tree type);  /* struct of `struct X *` if actor-like */
tree strip_arrays(tree type);

/* Set once the unit shows any sign of Alox (an attribute, alox.h's
 * declarations). Until then every callback returns at once, so
 * unannotated code compiles exactly as without the plugin. */
bool is_active();
void set_active();

/* ----- model.cc ----------------------------------------------------- */
const alox_type *model_of(alox_arena *arena, tree type);
/* A parameter's type; parm (if any) tells whether it was declared as an array. */
const alox_type *model_of_parameter(alox_arena *arena, tree type, tree parm);
/* A type as GCC names it in messages: quoted ('int32_t' {aka 'int'}) or plain. */
std::string type_text(tree type, bool quoted);
/* A rule of the shared table as a GCC error at loc. */
void report(location_t loc, alox_rule rule, const alox_msg &msg);

/* ----- checks.cc ---------------------------------------------------- */
/* Check a behaviour's declaration (prototype or definition). Returns
 * false if an error was reported (then nothing is emitted for it). */
bool check_behaviour(tree fndecl);
/* An actor struct declared by value (variable, parameter, return type). */
void check_decl_by_value(tree decl);
/* Members of a just completed struct/union that are actor structs. */
void check_members(tree type);
/* alox_stage on something that is not a pointer. */
bool check_stage_target(tree node);
/* Walk an expression tree (a body, an initializer): behaviour address
 * taken, malloc of an actor struct, alox_new of a non-actor type. Actor
 * types spawned with alox_new are collected in `spawned`. */
void scan_expr(tree *expr, location_t fallback, std::vector<tree> *spawned);
/* The function whose body scan_expr walks (NULL_TREE: an initializer). */
extern tree scanning_function;
void report_address_taken(location_t loc, tree fndecl);

/* ----- refs.cc ------------------------------------------------------ */
/* The behaviour-reference API whose marker fndecl is, or NULL. */
const alox_refapi *refapi_of(tree fndecl);
/* Check a marker call (GENERIC); returns its replacement (alox_after:
 * __alox_after_call (ms, &behaviour, args...)) or the call itself. */
tree check_refapi_call(tree call, const alox_refapi *api, location_t loc);
tree after_call_decl(tree timer_type);
bool is_after_call(const_tree fndecl);

/* ----- signature.cc ------------------------------------------------- */
struct arg_ref {
  unsigned offset;
  unsigned kind; /* 1 actor, 2 stage (enum alox_ref_kind) */
  unsigned long long type_hash;
};
unsigned long long fnv1a(const char *text);
std::string signature_of(tree fntype);         /* "(i32,@ponger)" */
std::vector<arg_ref> refs_of(tree args_type);  /* flattened, by offset */
/* The packed struct of the arguments after self, from TYPE_ARG_TYPES;
 * NULL_TREE if there are none. */
tree packed_args_type(tree fndecl);

/* ----- emit.cc ------------------------------------------------------ */
struct behaviour {
  tree fndecl;    /* the FUNCTION_DECL (C merges redeclarations) */
  tree args_type; /* packed struct, or NULL_TREE */
  tree desc;      /* VAR_DECL __alox_behaviour_<fn> */
};
/* Descriptor, trampoline, constructor for a behaviour defined here. */
void emit_behaviour(tree fndecl);
/* A generated function: static, artificial, no debug info, skipped by
 * the rewrite pass; finish_function_body hands it to the call graph. */
tree make_function(const std::string &name, tree fntype, location_t loc);
void finish_function_body(tree fn, tree body);

/* ----- body.cc ------------------------------------------------------ */
/* The body of an extern behaviour defined here moves to __alox_body_<fn>;
 * the behaviour's own symbol becomes a function that sends. */
void emit_sending_symbol(tree fndecl);
/* Weak type descriptor + constructor, once per unit and tag. */
tree emit_type(tree actor);
/* The descriptor a call refers to: defined here, or extern. */
behaviour *behaviour_for_call(tree fndecl);
/* __alox_type_<tag> emitted in this unit, or NULL_TREE. */
tree type_desc(tree actor);
tree send_decl();
/* An entry point of alox/abi.h as alox.h declares it (an error if unseen). */
tree runtime_entry(const char *name);
tree spawn_decl();
/* Keep a tree alive across garbage collections. */
void keep(tree t);
extern tree gc_roots;
/* alox_send / alox_spawn / ... as declared by alox.h, when seen. */
void note_runtime_decl(tree fndecl);

/* ----- future.cc ---------------------------------------------------- */
/* T of an alox_future(T) type, or NULL_TREE. */
tree future_value_type(const_tree type);
/* T if the behaviour returns alox_future(T), else NULL_TREE. */
tree future_of_behaviour(const_tree fndecl);
void note_reply_type(tree type_decl);
tree reply_type();                       /* alox.h's alox_reply */
bool is_reply_field(const_tree field);   /* the packed record's __alox_reply */
void on_start_parse_function(void *gcc_data, void *);
/* At PRE_GENERICIZE: returns fulfil the future; the type is restored. */
void finish_future_body(tree fndecl);
void restore_future_types();
void check_future_paths(function *fun);
bool is_await_marker(const_tree fndecl);
tree check_await(tree call, location_t loc, tree in_fn);
tree with_value_size(tree call, tree value);
tree check_future_arg(tree arg, const char *api, location_t loc);
std::string plain_spelling(tree type); /* int32_t, struct point: code in messages */

/* ----- rewrite.cc --------------------------------------------------- */
opt_pass *make_rewrite_pass(gcc::context *ctxt);

} // namespace alox

#endif
