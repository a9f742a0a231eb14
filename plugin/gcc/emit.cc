/*
 * emit.cc - the objects include/alox/abi.h asks a front end to emit.
 *
 * For a behaviour `ping` of actor `pinger` defined in this unit:
 *   static void __alox_tramp_ping(void *self, const void *args);
 *   [static] const alox_behaviour_desc __alox_behaviour_ping = {...};
 *   static const alox_arg_ref __alox_refs_ping[] = {...};     (if any)
 *   static void __alox_register_behaviour_ping(void)  constructor, priority 102
 * For an actor struct `pinger` spawned or given behaviours here:
 *   const alox_type_desc __alox_type_pinger = {...};       comdat, weak
 *   static void __alox_register_type_pinger(void)  constructor, priority 101
 *
 * Everything is built as GENERIC at PLUGIN_PRE_GENERICIZE, while the symbol
 * table still accepts new functions (facts note), and handed to the call
 * graph with finalize_function (no garbage collection at that point: the C
 * front end holds unrooted trees on its stack).
 */
#include "alox-plugin.h"

namespace alox {

tree gc_roots = NULL_TREE;

void keep(tree t) { gc_roots = tree_cons(NULL_TREE, t, gc_roots); }

static std::map<tree, behaviour> behaviours;  /* by FUNCTION_DECL */
static std::map<std::string, tree> types;     /* by tag */
static std::map<std::string, tree> runtime;   /* alox_send, ... by name */

enum { TYPE_PRIORITY = 101, BEHAVIOUR_PRIORITY = 102 };

/* ----- the ABI's record types ------------------------------------------ */

static tree make_record(const char *name, const std::vector<std::pair<const char *, tree>> &m) {
  tree fields = NULL_TREE; /* backwards: finish_builtin_struct reverses */
  for (const auto &f : m) {
    tree field = build_decl(BUILTINS_LOCATION, FIELD_DECL, get_identifier(f.first), f.second);
    DECL_CHAIN(field) = fields;
    fields = field;
  }
  tree record = make_node(RECORD_TYPE);
  finish_builtin_struct(record, name, fields, NULL_TREE);
  keep(record);
  return record;
}

static tree const_ptr(tree type) {
  return build_pointer_type(build_qualified_type(type, TYPE_QUAL_CONST));
}

static tree trampoline_type() {
  return build_function_type_list(void_type_node, ptr_type_node, const_ptr_type_node,
                                  NULL_TREE);
}

static tree type_desc_record() {
  static tree t;
  if (!t)
    t = make_record("alox_type_desc", {{"abi_version", uint32_type_node},
                                       {"flags", uint32_type_node},
                                       {"name", const_ptr(char_type_node)},
                                       {"name_hash", uint64_type_node},
                                       {"size", uint64_type_node},
                                       {"align", uint64_type_node}});
  return t;
}

static tree arg_ref_record() {
  static tree t;
  if (!t)
    t = make_record("alox_arg_ref", {{"offset", uint32_type_node},
                                     {"kind", uint32_type_node},
                                     {"type_hash", uint64_type_node}});
  return t;
}

static tree behaviour_desc_record() {
  static tree t;
  if (!t)
    t = make_record("alox_behaviour_desc",
                    {{"abi_version", uint32_type_node},
                     {"args_size", uint32_type_node},
                     {"args_align", uint32_type_node},
                     {"ref_count", uint32_type_node},
                     {"name", const_ptr(char_type_node)},
                     {"signature", const_ptr(char_type_node)},
                     {"name_hash", uint64_type_node},
                     {"signature_hash", uint64_type_node},
                     {"type_hash", uint64_type_node},
                     {"trampoline", build_pointer_type(trampoline_type())},
                     {"refs", const_ptr(arg_ref_record())}});
  return t;
}

/* A CONSTRUCTOR for `record` from values in field order. */
static tree make_init(tree record, const std::vector<tree> &values) {
  vec<constructor_elt, va_gc> *elts = NULL;
  tree field = TYPE_FIELDS(record);
  for (tree v : values) {
    CONSTRUCTOR_APPEND_ELT(elts, field, fold_convert(TREE_TYPE(field), v));
    field = DECL_CHAIN(field);
  }
  tree init = build_constructor(record, elts);
  TREE_CONSTANT(init) = TREE_STATIC(init) = 1;
  return init;
}

static tree u32(unsigned long long v) { return build_int_cstu(uint32_type_node, v); }
static tree u64(unsigned long long v) { return build_int_cstu(uint64_type_node, v); }
static tree cstring(const std::string &s) { return build_string_literal(s.size() + 1, s.c_str()); }

/* ----- globals and functions ---------------------------------------- */

static tree make_var(const std::string &name, tree type, bool pub) {
  tree var = build_decl(BUILTINS_LOCATION, VAR_DECL, get_identifier(name.c_str()),
                        build_qualified_type(type, TYPE_QUAL_CONST));
  TREE_PUBLIC(var) = pub;
  TREE_READONLY(var) = 1;
  TREE_USED(var) = 1;
  DECL_ARTIFICIAL(var) = 1;
  DECL_IGNORED_P(var) = 1;
  keep(var);
  return var;
}

static void define_var(tree var, tree init) {
  TREE_STATIC(var) = 1;
  DECL_EXTERNAL(var) = 0;
  DECL_INITIAL(var) = init;
  varpool_node::finalize_decl(var);
}

tree make_function(const std::string &name, tree fntype, location_t loc) {
  tree fn = build_decl(loc, FUNCTION_DECL, get_identifier(name.c_str()), fntype);
  TREE_STATIC(fn) = 1;
  TREE_USED(fn) = 1;
  DECL_ARTIFICIAL(fn) = 1;
  DECL_IGNORED_P(fn) = 1;
  tree result = build_decl(loc, RESULT_DECL, NULL_TREE, void_type_node);
  DECL_ARTIFICIAL(result) = DECL_IGNORED_P(result) = 1;
  DECL_CONTEXT(result) = fn;
  DECL_RESULT(fn) = result;
  tree block = make_node(BLOCK);
  BLOCK_SUPERCONTEXT(block) = fn;
  DECL_INITIAL(fn) = block;
  mark_generated(fn);
  keep(fn);
  return fn;
}

void finish_function_body(tree fn, tree body) {
  DECL_SAVED_TREE(fn) = body;
  tree saved = current_function_decl;
  push_struct_function(fn); /* restores the C front end's cfun on pop */
  cfun->function_start_locus = cfun->function_end_locus = DECL_SOURCE_LOCATION(fn);
  pop_cfun();
  current_function_decl = saved;
  cgraph_node::finalize_function(fn, /*no_collect=*/true);
}

static tree call1(tree fn, tree arg) {
  tree parm = TREE_VALUE(TYPE_ARG_TYPES(TREE_TYPE(fn)));
  return build_call_expr(fn, 1, fold_convert(parm, arg));
}

static void make_constructor(const std::string &name, tree regfn, tree desc, int prio) {
  tree fn = make_function(name, build_function_type_list(void_type_node, NULL_TREE),
                          BUILTINS_LOCATION);
  DECL_STATIC_CONSTRUCTOR(fn) = 1;
  decl_init_priority_insert(fn, prio);
  finish_function_body(fn, call1(regfn, build_fold_addr_expr(desc)));
}

/* ----- runtime entry points ----------------------------------------- */

void note_runtime_decl(tree fndecl) {
  static const char *const names[] = {"alox_send",         "alox_spawn",
                                      "alox_register_type", "alox_register_behaviour",
                                      "alox_ask",          "alox_ask_forget",
                                      "alox_await_value",  "alox__reply_enter",
                                      "alox__fulfil"};
  if (!TYPE_ARG_TYPES(TREE_TYPE(fndecl)))
    return;
  const char *found = NULL;
  for (const char *n : names)
    if (id_equal(DECL_NAME(fndecl), n))
      found = n;
  /* The entry points of the behaviour-reference APIs (plugin/common). */
  for (int i = 0; !found && alox_refapi_at(i); i++)
    if (id_equal(DECL_NAME(fndecl), alox_refapi_at(i)->entry))
      found = alox_refapi_at(i)->entry;
  if (found) {
    runtime[found] = fndecl;
    keep(fndecl);
  }
}

static tree runtime_fn(const char *name, tree type) {
  auto it = runtime.find(name);
  if (it != runtime.end())
    return it->second;
  tree fn = build_fn_decl(name, type);
  keep(fn);
  runtime[name] = fn;
  return fn;
}

tree runtime_entry(const char *name) {
  auto it = runtime.find(name);
  if (it != runtime.end())
    return it->second;
  error("the declaration of %qs (alox.h or alox/tcp.h) was not seen: include the header unchanged", name);
  return NULL_TREE;
}

tree send_decl() {
  return runtime_fn("alox_send",
                    build_function_type_list(void_type_node, ptr_type_node,
                                             const_ptr(behaviour_desc_record()),
                                             const_ptr_type_node, NULL_TREE));
}

tree spawn_decl() {
  return runtime_fn("alox_spawn", build_function_type_list(
                                      ptr_type_node, const_ptr(type_desc_record()), NULL_TREE));
}

static tree register_decl(const char *name, tree record) {
  return runtime_fn(name, build_function_type_list(void_type_node, const_ptr(record), NULL_TREE));
}

/* ----- type descriptors ---------------------------------------------- */

tree type_desc(tree actor) {
  auto it = types.find(actor_name(actor));
  return it == types.end() ? NULL_TREE : it->second;
}

tree emit_type(tree actor) {
  actor = TYPE_MAIN_VARIANT(actor);
  if (tree done = type_desc(actor))
    return done;
  if (!COMPLETE_TYPE_P(actor))
    return NULL_TREE; /* the unit that spawns it emits it */
  std::string tag = actor_name(actor);
  tree var = make_var("__alox_type_" + tag, type_desc_record(), true);
  define_var(var, make_init(type_desc_record(),
                            {u32(1), u32(0), cstring(tag), u64(fnv1a(tag.c_str())),
                             u64(tree_to_uhwi(TYPE_SIZE_UNIT(actor))),
                             u64(TYPE_ALIGN_UNIT(actor))}));
  make_decl_one_only(var, DECL_ASSEMBLER_NAME(var));
  types[tag] = var;
  make_constructor("__alox_register_type_" + tag,
                   register_decl("alox_register_type", type_desc_record()), var,
                   TYPE_PRIORITY);
  return var;
}

/* ----- behaviours ----------------------------------------------------- */

static tree self_type(tree fndecl) {
  return TREE_VALUE(TYPE_ARG_TYPES(TREE_TYPE(fndecl)));
}

/* void __alox_tramp_ping(void *self, const void *a) { ping(self, a->a1, ...); } */
static tree make_trampoline(const behaviour &b, const std::string &fn) {
  location_t loc = DECL_SOURCE_LOCATION(b.fndecl);
  tree tramp = make_function("__alox_tramp_" + fn, trampoline_type(), loc);
  tree self = build_decl(loc, PARM_DECL, get_identifier("self"), ptr_type_node);
  tree args = build_decl(loc, PARM_DECL, get_identifier("args"), const_ptr_type_node);
  for (tree p : {self, args}) {
    DECL_ARG_TYPE(p) = TREE_TYPE(p);
    DECL_CONTEXT(p) = tramp;
    TREE_USED(p) = 1;
  }
  DECL_CHAIN(self) = args;
  DECL_ARGUMENTS(tramp) = self;

  std::vector<tree> argv = {fold_convert(self_type(b.fndecl), self)};
  tree reply = NULL_TREE;
  if (b.args_type) {
    tree packed = build_fold_indirect_ref(fold_convert(const_ptr(b.args_type), args));
    for (tree f = TYPE_FIELDS(b.args_type); f; f = DECL_CHAIN(f)) {
      tree member = build3(COMPONENT_REF, TREE_TYPE(f), packed, f, NULL_TREE);
      if (is_reply_field(f))
        reply = member;
      else
        argv.push_back(member);
    }
  }
  tree call = build_call_expr_loc_array(loc, b.fndecl, argv.size(), argv.data());
  if (reply) { /* a future: alox__reply_enter (&packed->__alox_reply); (void) body (...); */
    tree enter = runtime_entry("alox__reply_enter");
    if (enter) {
      tree parm = TREE_VALUE(TYPE_ARG_TYPES(TREE_TYPE(enter)));
      tree first = build_call_expr(enter, 1, fold_convert(parm, build_fold_addr_expr(reply)));
      call = build2(COMPOUND_EXPR, void_type_node, first, fold_convert(void_type_node, call));
    }
  }
  finish_function_body(tramp, call);
  return tramp;
}

/* static const alox_arg_ref __alox_refs_ping[] = {...}, or a null pointer. */
static tree make_refs(const std::vector<arg_ref> &refs, const std::string &fn) {
  if (refs.empty())
    return null_pointer_node;
  tree array = build_array_type_nelts(arg_ref_record(), refs.size());
  vec<constructor_elt, va_gc> *elts = NULL;
  for (size_t i = 0; i < refs.size(); i++)
    CONSTRUCTOR_APPEND_ELT(elts, size_int(i),
                           make_init(arg_ref_record(), {u32(refs[i].offset),
                                                        u32(refs[i].kind),
                                                        u64(refs[i].type_hash)}));
  tree init = build_constructor(array, elts);
  TREE_CONSTANT(init) = TREE_STATIC(init) = 1;
  tree var = make_var("__alox_refs_" + fn, array, false);
  define_var(var, init);
  return build_fold_addr_expr(var);
}

static tree make_desc_var(tree fndecl) {
  std::string name = std::string("__alox_behaviour_") + IDENTIFIER_POINTER(DECL_NAME(fndecl));
  tree var = make_var(name, behaviour_desc_record(), TREE_PUBLIC(fndecl));
  DECL_EXTERNAL(var) = 1; /* until define_var */
  return var;
}

void emit_behaviour(tree fndecl) {
  if (behaviours.count(fndecl))
    return;
  std::string fn = IDENTIFIER_POINTER(DECL_NAME(fndecl));
  behaviour &b = behaviours[fndecl];
  b.fndecl = fndecl;
  b.args_type = packed_args_type(fndecl);
  b.desc = make_desc_var(fndecl);
  keep(fndecl);

  tree actor = TYPE_MAIN_VARIANT(TREE_TYPE(self_type(fndecl)));
  std::string tag = actor_name(actor);
  std::string sig = signature_of(TREE_TYPE(fndecl));
  std::string qualified = tag + "." + fn;
  std::vector<arg_ref> refs = refs_of(b.args_type);
  unsigned long long size = b.args_type ? tree_to_uhwi(TYPE_SIZE_UNIT(b.args_type)) : 0;
  unsigned long long align = b.args_type ? TYPE_ALIGN_UNIT(b.args_type) : 1;
  tree tramp = make_trampoline(b, fn);

  define_var(b.desc, make_init(behaviour_desc_record(),
                               {u32(1), u32(size), u32(align), u32(refs.size()),
                                cstring(qualified), cstring(sig),
                                u64(fnv1a(qualified.c_str())), u64(fnv1a(sig.c_str())),
                                u64(fnv1a(tag.c_str())), build_fold_addr_expr(tramp),
                                make_refs(refs, fn)}));
  make_constructor("__alox_register_behaviour_" + fn,
                   register_decl("alox_register_behaviour", behaviour_desc_record()),
                   b.desc, BEHAVIOUR_PRIORITY);
  emit_type(actor);
  emit_sending_symbol(fndecl);
}

behaviour *behaviour_for_call(tree fndecl) {
  auto it = behaviours.find(fndecl);
  if (it != behaviours.end())
    return &it->second;
  behaviour &b = behaviours[fndecl]; /* defined in another unit */
  b.fndecl = fndecl;
  b.args_type = packed_args_type(fndecl);
  b.desc = make_desc_var(fndecl);
  TREE_PUBLIC(b.desc) = 1;
  keep(fndecl);
  return &b;
}

} // namespace alox
