/*
 * checks.cc - the compile-time rules (README.md).
 *
 * Each rule is one error at the offending parameter, declaration or
 * expression, worded by the shared table (plugin/common/alox_rules.h), so
 * alox-clang says the same; what can be sent is decided there too
 * (alox_sendable.h, on the model of model.cc). The rules:
 *   - a behaviour returns void;
 *   - its first parameter points to an alox_actor struct;
 *   - every other parameter is sendable (integers, floats, bool, enums,
 *     structs and fixed arrays of sendable types, actor references,
 *     alox_stage pointers), and the behaviour is not variadic;
 *   - a behaviour's address is never taken;
 *   - an actor struct is never declared by value or allocated with malloc;
 *   - alox_new(T) names an actor struct;
 *   - alox_stage marks pointers only.
 */
#include "alox-plugin.h"

namespace alox {

/* ----- behaviours --------------------------------------------------- */

/* Names and types for a message: GCC's spelling, the shared wording. */
struct spelling {
  std::string type, spelled;
  spelling(tree t) : type(type_text(t, true)), spelled(type_text(t, false)) {}
};

static bool check_self(location_t loc, const char *name, const char *fn, tree type) {
  alox_msg m = {};
  m.parm = name;
  m.fn = fn;
  if (actor_of_pointer(type))
    return true;
  tree pointee = POINTER_TYPE_P(type) ? TYPE_MAIN_VARIANT(TREE_TYPE(type)) : NULL_TREE;
  if (pointee && TREE_CODE(pointee) == RECORD_TYPE && is_actor_struct(pointee)) {
    report(loc, ALOX_RULE_SELF_ANONYMOUS, m);
    return false;
  }
  if (pointee && TREE_CODE(pointee) == RECORD_TYPE && *struct_tag(pointee)) {
    spelling n(pointee);
    m.type = n.type.c_str();
    m.tag = struct_tag(pointee);
    report(loc, ALOX_RULE_SELF_NOT_ACTOR, m);
  } else {
    spelling n(type);
    m.type = n.type.c_str();
    report(loc, ALOX_RULE_SELF_NOT_POINTER, m);
  }
  return false;
}

static bool check_return(tree fndecl, const char *fn) {
  tree ret = TREE_TYPE(TREE_TYPE(fndecl));
  if (VOID_TYPE_P(ret))
    return true;
  if (tree value = future_value_type(ret)) { /* alox_future(T): T goes back to the caller */
    alox_arena arena = {};
    alox_problem p = alox_check_parameter(model_of(&arena, value));
    alox_arena_free(&arena);
    if (p.kind == ALOX_SENDABLE)
      return true;
    std::string type = type_text(value, true), spelled = plain_spelling(value);
    alox_msg m = {};
    m.fn = fn;
    m.type = type.c_str();
    m.spelled = spelled.c_str();
    report(DECL_SOURCE_LOCATION(fndecl), ALOX_RULE_FUTURE_NOT_SENDABLE, m);
    return false;
  }
  spelling n(ret);
  alox_msg m = {};
  m.fn = fn;
  m.type = n.type.c_str();
  report(DECL_SOURCE_LOCATION(fndecl), ALOX_RULE_RETURNS_VALUE, m);
  return false;
}

/* A parameter after self: sendable, or one error that says why not. */
static bool check_parameter(location_t loc, const char *name, const char *fn, tree type,
                            tree parm) {
  alox_arena arena = {};
  alox_problem p = alox_check_parameter(model_of_parameter(&arena, type, parm));
  if (p.kind != ALOX_SENDABLE) {
    spelling n((tree)p.type->native);
    alox_msg m = {};
    m.parm = name;
    m.fn = fn;
    m.member = p.member;
    m.type = n.type.c_str();
    m.spelled = n.spelled.c_str();
    report(loc, alox_problem_rule(&p), m);
  }
  alox_arena_free(&arena);
  return p.kind == ALOX_SENDABLE;
}

bool check_behaviour(tree fndecl) {
  const char *fn = IDENTIFIER_POINTER(DECL_NAME(fndecl));
  location_t floc = DECL_SOURCE_LOCATION(fndecl);
  bool ok = check_return(fndecl, fn);
  tree args = TYPE_ARG_TYPES(TREE_TYPE(fndecl));
  if (!args || args == void_list_node) {
    alox_msg m = {};
    m.fn = fn;
    report(floc, args ? ALOX_RULE_NO_PARAMETERS : ALOX_RULE_NO_PROTOTYPE, m);
    return false;
  }
  tree parm = DECL_ARGUMENTS(fndecl);
  for (unsigned i = 0; args && args != void_list_node; i++, args = TREE_CHAIN(args)) {
    char fallback[32];
    snprintf(fallback, sizeof fallback, "#%u", i + 1);
    const char *name = parm && DECL_NAME(parm) ? IDENTIFIER_POINTER(DECL_NAME(parm))
                                               : fallback;
    location_t loc = parm ? DECL_SOURCE_LOCATION(parm) : floc;
    tree type = TREE_VALUE(args);
    if (type == error_mark_node)
      ok = false; /* already reported by the C front end */
    else if (i == 0)
      ok &= check_self(loc, name, fn, type);
    else
      ok &= check_parameter(loc, name, fn, type, parm);
    if (parm)
      parm = DECL_CHAIN(parm);
  }
  if (!args) {
    alox_msg m = {};
    m.fn = fn;
    report(floc, ALOX_RULE_VARIADIC, m);
    ok = false;
  }
  return ok;
}

bool check_stage_target(tree node) {
  tree type = TREE_TYPE(node);
  if (POINTER_TYPE_P(type))
    return true;
  spelling n(type);
  alox_msg m = {};
  m.name = IDENTIFIER_POINTER(DECL_NAME(node));
  m.type = n.type.c_str();
  report(DECL_SOURCE_LOCATION(node), ALOX_RULE_STAGE_NOT_POINTER, m);
  return false;
}

/* ----- actor structs by value ---------------------------------------- */

/* A rule about actor struct `type` and the declaration `decl` (or none). */
static void report_actor(location_t loc, alox_rule rule, tree decl, tree type) {
  spelling n(type);
  alox_msg m = {};
  const char *name = decl && DECL_NAME(decl) ? IDENTIFIER_POINTER(DECL_NAME(decl)) : "";
  m.fn = m.parm = m.name = name;
  m.type = n.type.c_str();
  m.spelled = n.spelled.c_str();
  report(loc, rule, m);
}

void check_decl_by_value(tree decl) {
  if (TREE_CODE(decl) == FUNCTION_DECL) {
    tree ret = TREE_TYPE(TREE_TYPE(decl));
    if (is_actor_struct(TYPE_MAIN_VARIANT(ret)))
      report_actor(DECL_SOURCE_LOCATION(decl), ALOX_RULE_FUNCTION_RETURNS_ACTOR, decl, ret);
    return;
  }
  if (TREE_CODE(decl) != VAR_DECL && TREE_CODE(decl) != PARM_DECL)
    return;
  tree type = TYPE_MAIN_VARIANT(strip_arrays(TREE_TYPE(decl)));
  if (!is_actor_struct(type))
    return;
  report_actor(DECL_SOURCE_LOCATION(decl),
               TREE_CODE(decl) == PARM_DECL ? ALOX_RULE_PARAMETER_ACTOR_BY_VALUE
                                            : ALOX_RULE_VARIABLE_ACTOR_BY_VALUE,
               decl, type);
}

void check_members(tree type) {
  if (!RECORD_OR_UNION_TYPE_P(type))
    return;
  for (tree f = TYPE_FIELDS(type); f; f = DECL_CHAIN(f)) {
    if (TREE_CODE(f) != FIELD_DECL)
      continue;
    tree ft = TYPE_MAIN_VARIANT(strip_arrays(TREE_TYPE(f)));
    if (is_actor_struct(ft))
      report_actor(DECL_SOURCE_LOCATION(f), ALOX_RULE_MEMBER_ACTOR_BY_VALUE, f, ft);
  }
}

/* ----- expressions --------------------------------------------------- */

void report_address_taken(location_t loc, tree fndecl) {
  alox_msg m = {};
  m.fn = IDENTIFIER_POINTER(DECL_NAME(fndecl));
  report(loc, ALOX_RULE_ADDRESS_TAKEN, m);
}

struct scan_state {
  location_t loc;
  std::vector<tree> *spawned;
  hash_set<tree> *seen;
};

static tree scan_cb(tree *tp, int *walk_subtrees, void *data);

static void walk(tree *tp, scan_state *s) {
  walk_tree(tp, scan_cb, s, s->seen);
}

static bool is_allocator(tree fn) {
  if (fndecl_built_in_p(fn, BUILT_IN_MALLOC) || fndecl_built_in_p(fn, BUILT_IN_CALLOC) ||
      fndecl_built_in_p(fn, BUILT_IN_REALLOC) ||
      fndecl_built_in_p(fn, BUILT_IN_ALIGNED_ALLOC))
    return true;
  static const char *const names[] = {"malloc", "calloc", "realloc", "aligned_alloc"};
  if (!DECL_NAME(fn))
    return false;
  for (const char *n : names)
    if (id_equal(DECL_NAME(fn), n))
      return true;
  return false;
}

/* `(struct actor *) malloc (...)`, implicit or explicit. */
static void check_conversion(tree conv, scan_state *s) {
  tree type = TREE_TYPE(conv);
  if (!POINTER_TYPE_P(type) || !is_actor_struct(TYPE_MAIN_VARIANT(TREE_TYPE(type))))
    return;
  tree inner = TREE_OPERAND(conv, 0);
  STRIP_NOPS(inner);
  if (TREE_CODE(inner) != CALL_EXPR)
    return;
  tree fn = get_callee_fndecl(inner);
  if (!fn || !is_allocator(fn))
    return;
  report_actor(s->loc, ALOX_RULE_ACTOR_MALLOC, fn, TYPE_MAIN_VARIANT(TREE_TYPE(type)));
}

/* alox_new(T) expands to alox__new(sizeof(T), _Alignof(T), #T, (T *)0). */
static void check_spawn(tree call, scan_state *s) {
  int n = call_expr_nargs(call);
  tree last = n ? CALL_EXPR_ARG(call, n - 1) : NULL_TREE;
  if (n != 4 || !POINTER_TYPE_P(TREE_TYPE(last))) {
    report(s->loc, ALOX_RULE_RAW_NEW, alox_msg());
    return;
  }
  tree type = TYPE_MAIN_VARIANT(TREE_TYPE(TREE_TYPE(last)));
  if (is_actor_struct(type)) {
    if (s->spawned)
      s->spawned->push_back(type);
    return;
  }
  /* at the alox_new in the user's code, not inside alox.h's macro */
  location_t at = linemap_resolve_location(line_table, s->loc,
                                           LRK_MACRO_EXPANSION_POINT, NULL);
  report_actor(at, ALOX_RULE_NEW_NOT_ACTOR, NULL_TREE, type);
}

/* A call: alox_new, a behaviour reference API (refs.cc), or any other;
 * then its arguments, except the behaviour a reference API names. */
static void scan_call(tree *tp, scan_state *s) {
  tree call = *tp;
  tree fn = CALL_EXPR_FN(call);
  int reference = -1;
  if (TREE_CODE(fn) == ADDR_EXPR && TREE_CODE(TREE_OPERAND(fn, 0)) == FUNCTION_DECL) {
    tree callee = TREE_OPERAND(fn, 0);
    const alox_refapi *api = refapi_of(callee);
    if (DECL_NAME(callee) && id_equal(DECL_NAME(callee), "alox__new")) {
      check_spawn(call, s);
    } else if (is_await_marker(callee)) {
      *tp = call = check_await(call, EXPR_HAS_LOCATION(call) ? EXPR_LOCATION(call) : s->loc,
                               scanning_function);
    } else if (api) {
      location_t loc = EXPR_HAS_LOCATION(call) ? EXPR_LOCATION(call) : s->loc;
      *tp = call = check_refapi_call(call, api, loc);
      if (api->kind == ALOX_REFAPI_CALLBACK)
        reference = api->ref_arg;
    }
    if (is_after_call(get_callee_fndecl(call)))
      reference = 1; /* __alox_after_call (ms, &behaviour, ...): seen again
                        when a BIND_EXPR walks its variables' initializers */
  } else {
    walk(&CALL_EXPR_FN(call), s);
  }
  for (int i = 0; i < call_expr_nargs(call); i++)
    if (i != reference)
      walk(&CALL_EXPR_ARG(call, i), s);
}

static tree scan_cb(tree *tp, int *walk_subtrees, void *data) {
  scan_state *s = (scan_state *)data;
  tree t = *tp;
  if (EXPR_P(t) && EXPR_HAS_LOCATION(t))
    s->loc = EXPR_LOCATION(t);
  switch (TREE_CODE(t)) {
  case CALL_EXPR:
    scan_call(tp, s);
    *walk_subtrees = 0;
    break;
  case ADDR_EXPR:
    if (is_behaviour(TREE_OPERAND(t, 0)))
      report_address_taken(s->loc, TREE_OPERAND(t, 0));
    break;
  case NOP_EXPR:
  case CONVERT_EXPR:
    check_conversion(t, s);
    break;
  case COMPOUND_LITERAL_EXPR: {
    tree type = TYPE_MAIN_VARIANT(strip_arrays(TREE_TYPE(t)));
    if (is_actor_struct(type)) /* at its `(`, where clang reports it too */
      report_actor(DECL_SOURCE_LOCATION(COMPOUND_LITERAL_EXPR_DECL(t)),
                   ALOX_RULE_COMPOUND_LITERAL_ACTOR, NULL_TREE, type);
    break;
  }
  case DECL_EXPR: {
    tree decl = DECL_EXPR_DECL(t);
    if (VAR_P(decl) && !TREE_STATIC(decl) && DECL_INITIAL(decl)) {
      location_t saved = s->loc;
      s->loc = DECL_SOURCE_LOCATION(decl);
      walk(&DECL_INITIAL(decl), s);
      s->loc = saved;
    }
    break;
  }
  default:
    if (TYPE_P(t) || DECL_P(t))
      *walk_subtrees = 0;
    break;
  }
  return NULL_TREE;
}

tree scanning_function = NULL_TREE;

void scan_expr(tree *expr, location_t fallback, std::vector<tree> *spawned) {
  hash_set<tree> seen;
  scan_state s = {fallback, spawned, &seen};
  walk(expr, &s);
}

} // namespace alox
