/*
 * future.cc - behaviours that answer: alox_future(T), alox_then, alox_await.
 *
 * alox.h spells alox_future(T) as `T (*)(struct alox__future_of *)`: one
 * type in every unit that names T, whose return type is T. The pieces:
 *
 *   the body      `return v;` must type-check against T, so while the body
 *                 is parsed (PLUGIN_START_PARSE_FUNCTION) the behaviour's
 *                 type returns T; at PRE_GENERICIZE every return becomes
 *                 `return (alox_future(T)) alox__fulfil (&tmp = v, sizeof tmp);`
 *                 and the type is restored, so calls see the future type.
 *                 `return;` is an error there; falling off the end is one
 *                 in the GIMPLE pass (lowering makes it a `return;` at the
 *                 closing brace).
 *   the packed    one more member, alox.h's alox_reply, after the user's
 *   arguments     parameters (signature.cc); the trampoline hands it to
 *                 alox__reply_enter before calling the body (emit.cc).
 *   calls         f = get (c, 5) -> f = alox_ask (c, &desc, &packed); with
 *                 the result unused, alox_ask_forget (rewrite.cc).
 *   alox_then     checked as a behaviour reference (refs.cc, the table's
 *                 value_of_arg: on_value's value has the future's T), then
 *                 alox_then_desc (future, self, &desc, ms, sizeof (T)).
 *   alox_await    an error inside a behaviour; the value pointer must point
 *                 to T; then alox_await_value (future, ms, ptr, sizeof (T)).
 */
#include "alox-plugin.h"

/* The C front end's, absent from lto1 (which never parses a function). */
extern tree lookup_name(tree) __attribute__((weak));

namespace alox {

tree future_value_type(const_tree type) {
  if (!type || !POINTER_TYPE_P(type) || TREE_CODE(TREE_TYPE(type)) != FUNCTION_TYPE)
    return NULL_TREE;
  tree fntype = TREE_TYPE(type);
  tree args = TYPE_ARG_TYPES(fntype);
  if (!args || !POINTER_TYPE_P(TREE_VALUE(args)) || TREE_CHAIN(args) != void_list_node)
    return NULL_TREE;
  tree marker = TYPE_MAIN_VARIANT(TREE_TYPE(TREE_VALUE(args)));
  if (TREE_CODE(marker) != RECORD_TYPE || strcmp(struct_tag(marker), "alox__future_of") != 0)
    return NULL_TREE;
  return TREE_TYPE(fntype);
}

tree future_of_behaviour(const_tree fndecl) {
  return future_value_type(TREE_TYPE(TREE_TYPE(fndecl)));
}

/* ----- alox_reply, from alox.h ------------------------------------------ */

static tree reply_record;

void note_reply_type(tree type_decl) {
  if (!reply_record && DECL_NAME(type_decl) && id_equal(DECL_NAME(type_decl), "alox_reply")) {
    reply_record = TREE_TYPE(type_decl);
    keep(reply_record);
  }
}

tree reply_type() {
  if (!reply_record)
    error("the declaration of %qs (alox/abi.h) was not seen: include alox.h unchanged",
          "alox_reply");
  return reply_record;
}

bool is_reply_field(const_tree field) {
  return DECL_NAME(field) && id_equal(DECL_NAME(field), "__alox_reply");
}

/* ----- the body ----------------------------------------------------------- */

/* A behaviour's name -> its alox_future type, while its body is parsed. */
static std::map<tree, tree> future_types;

static void return_value_type(tree decl, tree value) {
  TREE_TYPE(decl) = build_function_type(value, TYPE_ARG_TYPES(TREE_TYPE(decl)));
}

/* Called by start_function with the definition's new decl, before its
 * attributes are applied and before it is merged with an earlier
 * prototype: both must return T for the merge, and the body's returns,
 * to type-check (the RESULT_DECL is made from the merged type). */
void on_start_parse_function(void *gcc_data, void *) {
  tree decl = (tree)gcc_data;
  if (!is_active() || !decl || TREE_CODE(decl) != FUNCTION_DECL || !DECL_NAME(decl))
    return;
  tree future = TREE_TYPE(TREE_TYPE(decl));
  tree value = future_value_type(future);
  if (!value)
    return;
  future_types[DECL_NAME(decl)] = future;
  keep(future);
  return_value_type(decl, value);
  tree old = ::lookup_name ? ::lookup_name(DECL_NAME(decl)) : NULL_TREE;
  if (old && TREE_CODE(old) == FUNCTION_DECL && TREE_TYPE(TREE_TYPE(old)) == future)
    return_value_type(old, value);
}

static tree fulfil_decl() {
  return runtime_entry("alox__fulfil");
}

struct returns_state {
  tree fndecl, value, future, result;
};

/* A type as written, for code in a message: its typedef name, not GCC's
 * "int32_t {aka int}". */
std::string plain_spelling(tree type) {
  tree name = TYPE_NAME(type);
  if (name && TREE_CODE(name) == TYPE_DECL && DECL_NAME(name))
    return IDENTIFIER_POINTER(DECL_NAME(name));
  return type_text(type, false);
}

static void report_no_value(location_t loc, tree fndecl, tree value) {
  std::string spelled = plain_spelling(value);
  alox_msg m = {};
  m.fn = IDENTIFIER_POINTER(DECL_NAME(fndecl));
  m.spelled = spelled.c_str();
  report(loc, ALOX_RULE_FUTURE_NO_VALUE, m);
}

/* return <result = v>  ->  return <result = (future) alox__fulfil (&tmp = v, sizeof tmp)> */
static tree rewrite_return_cb(tree *tp, int *walk_subtrees, void *data) {
  returns_state *s = (returns_state *)data;
  tree t = *tp;
  if (TYPE_P(t)) {
    *walk_subtrees = 0;
    return NULL_TREE;
  }
  if (TREE_CODE(t) != RETURN_EXPR)
    return NULL_TREE;
  *walk_subtrees = 0;
  location_t loc = EXPR_LOCATION(t);
  tree op = TREE_OPERAND(t, 0);
  if (!op) {
    report_no_value(loc, s->fndecl, s->value);
    return NULL_TREE;
  }
  tree v = TREE_CODE(op) == MODIFY_EXPR || TREE_CODE(op) == INIT_EXPR ? TREE_OPERAND(op, 1) : op;
  tree fulfil = fulfil_decl();
  if (!fulfil)
    return NULL_TREE;
  tree slot = build_decl(loc, VAR_DECL, NULL_TREE, s->value);
  DECL_ARTIFICIAL(slot) = 1;
  DECL_IGNORED_P(slot) = 1;
  DECL_CONTEXT(slot) = s->fndecl;
  TREE_ADDRESSABLE(slot) = 1;
  tree init = build4(TARGET_EXPR, s->value, slot, v, NULL_TREE, NULL_TREE);
  unsigned long long bytes = tree_to_uhwi(TYPE_SIZE_UNIT(s->value));
  if (!refs_of(s->value).empty())
    bytes |= 0x80000000ull; /* ALOX_FULFIL_HAS_REFS */
  tree size = build_int_cstu(uint32_type_node, bytes);
  tree call = build_call_expr_loc(loc, fulfil, 2, build_fold_addr_expr(slot), size);
  tree answered = build2(COMPOUND_EXPR, TREE_TYPE(call), init, call);
  tree store = build2(MODIFY_EXPR, s->future, s->result, fold_convert(s->future, answered));
  TREE_SIDE_EFFECTS(store) = 1;
  TREE_OPERAND(t, 0) = store;
  return NULL_TREE;
}

/* The C front end puts back the type its file-scope binding recorded (the
 * merged one, returning T) when the scope ends, after PRE_GENERICIZE:
 * the GIMPLE pass puts the future type back once more, for good. */
static std::vector<std::pair<tree, tree>> restored;

void restore_future_types() {
  for (auto &r : restored)
    TREE_TYPE(r.first) = r.second;
  restored.clear();
}

void finish_future_body(tree fndecl) {
  auto it = future_types.find(DECL_NAME(fndecl));
  if (it == future_types.end())
    return;
  tree future = it->second;
  future_types.erase(it);
  returns_state s = {fndecl, TREE_TYPE(TREE_TYPE(fndecl)), future, DECL_RESULT(fndecl)};
  return_value_type(fndecl, future);
  restored.push_back(std::make_pair(fndecl, TREE_TYPE(fndecl)));
  keep(TREE_TYPE(fndecl));
  TREE_TYPE(s.result) = future;
  walk_tree_without_duplicates(&DECL_SAVED_TREE(fndecl), rewrite_return_cb, &s);
  /* Falling off the end: at the closing brace (the GIMPLE pass checks
   * again after lowering, when no error stopped the build before). */
  tree body = DECL_SAVED_TREE(fndecl);
  if (body && block_may_fallthru(body)) {
    function *f = DECL_STRUCT_FUNCTION(fndecl);
    location_t end = f && f->function_end_locus != UNKNOWN_LOCATION ? f->function_end_locus
                                                                    : DECL_SOURCE_LOCATION(fndecl);
    report_no_value(end, fndecl, s.value);
  }
}

/* In the GIMPLE pass: a `return;` left is a path without a value. */
void check_future_paths(function *fun) {
  tree value = is_behaviour(fun->decl) ? future_of_behaviour(fun->decl) : NULL_TREE;
  if (!value)
    return;
  basic_block bb;
  FOR_EACH_BB_FN(bb, fun) {
    for (gimple_stmt_iterator gsi = gsi_start_bb(bb); !gsi_end_p(gsi); gsi_next(&gsi)) {
      greturn *ret = dyn_cast<greturn *>(gsi_stmt(gsi));
      if (ret && !gimple_return_retval(ret)) {
        location_t loc = gimple_location(ret);
        report_no_value(loc != UNKNOWN_LOCATION ? loc : fun->function_end_locus, fun->decl,
                        value);
      }
    }
  }
}

/* ----- alox_await --------------------------------------------------------- */

bool is_await_marker(const_tree fndecl) {
  return fndecl && DECL_NAME(fndecl) && id_equal(DECL_NAME(fndecl), "alox__await");
}

static tree strip_conversions(tree t) {
  while (t && (CONVERT_EXPR_P(t) || TREE_CODE(t) == NON_LVALUE_EXPR))
    t = TREE_OPERAND(t, 0);
  return t;
}

static location_t at_macro(location_t loc) {
  return linemap_resolve_location(line_table, loc, LRK_MACRO_EXPANSION_POINT, NULL);
}

/* The future argument's value type, or NULL_TREE with an error: the
 * outermost type that is a future's (alox_lookup_future casts its handle). */
tree check_future_arg(tree arg, const char *api, location_t loc) {
  tree value = NULL_TREE;
  for (tree t = arg; t && !value; t = CONVERT_EXPR_P(t) || TREE_CODE(t) == NON_LVALUE_EXPR
                                          ? TREE_OPERAND(t, 0) : NULL_TREE)
    value = future_value_type(TREE_TYPE(t));
  tree type = TREE_TYPE(strip_conversions(arg));
  if (!value) {
    std::string text = type_text(type, true);
    alox_msg m = {};
    m.api = api;
    m.type = text.c_str();
    report(at_macro(loc), ALOX_RULE_NOT_FUTURE, m);
  }
  return value;
}

/* The marker call with one more argument, sizeof (T): GIMPLE may drop a
 * cast between pointer types, so the size is taken here, from GENERIC. */
tree with_value_size(tree call, tree value) {
  vec<tree, va_gc> *args = NULL;
  for (int i = 0; i < call_expr_nargs(call); i++)
    vec_safe_push(args, CALL_EXPR_ARG(call, i));
  vec_safe_push(args, build_int_cstu(uint32_type_node, tree_to_uhwi(TYPE_SIZE_UNIT(value))));
  tree replaced = build_call_vec(TREE_TYPE(call), CALL_EXPR_FN(call), args);
  SET_EXPR_LOCATION(replaced, EXPR_LOCATION(call));
  TREE_SIDE_EFFECTS(replaced) = 1;
  return replaced;
}

/* alox__await (0, future, ms, value_ptr), GENERIC: in_fn is the function it is
 * in. Returns the call with sizeof (T) added, or the call (an error reported). */
tree check_await(tree call, location_t loc, tree in_fn) {
  if (in_fn && is_behaviour(in_fn)) {
    alox_msg m = {};
    m.fn = IDENTIFIER_POINTER(DECL_NAME(in_fn));
    report(at_macro(loc), ALOX_RULE_AWAIT_IN_BEHAVIOUR, m);
    return call;
  }
  if (call_expr_nargs(call) != 4)
    return call; /* alox.h's macro always passes four */
  tree value = check_future_arg(CALL_EXPR_ARG(call, 1), "alox_await", loc);
  if (!value)
    return call;
  tree ptr = strip_conversions(CALL_EXPR_ARG(call, 3));
  tree ptype = TREE_TYPE(ptr);
  if (!POINTER_TYPE_P(ptype) ||
      TYPE_MAIN_VARIANT(TREE_TYPE(ptype)) != TYPE_MAIN_VARIANT(value)) {
    std::string text = type_text(ptype, true), want = type_text(value, true),
                spelled = plain_spelling(value);
    alox_msg m = {};
    m.type = text.c_str();
    m.type2 = want.c_str();
    m.spelled = spelled.c_str();
    report(at_macro(loc), ALOX_RULE_AWAIT_VALUE_TYPE, m);
    return call;
  }
  return with_value_size(call, value);
}

} // namespace alox
