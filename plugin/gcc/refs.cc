/*
 * refs.cc - behaviour references: alox_after, alox_monitor, alox_watch_fd.
 *
 * alox.h spells each as a macro over a marker function (the table in
 * plugin/common/alox_refapi.h). While the body is still GENERIC
 * (PLUGIN_PRE_GENERICIZE, checks.cc's walk), each marker call is checked
 * here, at its arguments:
 *
 *   alox__monitor (self, target, &on_down)
 *       on_down must be a behaviour declared before this point, of self's
 *       actor type, with the parameters the API sends; rewrite.cc later
 *       makes it alox_monitor_desc (self, target, &__alox_behaviour_on_down).
 *
 *   alox__after (250, (tick (self, 1), 0))
 *       the second argument must be one behaviour call; it becomes
 *       __alox_after_call (250, &tick, self, 1), which keeps the call's
 *       arguments as they are (converted, evaluated once, in place) for
 *       rewrite.cc to pack: alox_send_after (250, self, &desc, &packed).
 *
 * Taking a behaviour's address anywhere else stays an error (checks.cc).
 */
#include "alox-plugin.h"

namespace alox {

/* One per unit: every alox__after call has alox.h's alox_timer type. */
static tree after_call;

tree after_call_decl(tree timer_type) {
  if (!after_call) {
    after_call = build_fn_decl("__alox_after_call",
                               build_varargs_function_type_list(timer_type, NULL_TREE));
    mark_generated(after_call);
    keep(after_call);
  }
  return after_call;
}

bool is_after_call(const_tree fndecl) { return fndecl && fndecl == after_call; }

const alox_refapi *refapi_of(tree fndecl) {
  if (!fndecl || !DECL_NAME(fndecl) || TREE_CODE(fndecl) != FUNCTION_DECL)
    return NULL;
  return alox_refapi_by_marker(IDENTIFIER_POINTER(DECL_NAME(fndecl)));
}

/* Where the user wrote the API: alox_after(...) in their file, not alox.h. */
static location_t at_macro(location_t loc) {
  return linemap_resolve_location(line_table, loc, LRK_MACRO_EXPANSION_POINT, NULL);
}

static tree strip(tree t) {
  while (t && (CONVERT_EXPR_P(t) || TREE_CODE(t) == NON_LVALUE_EXPR ||
               TREE_CODE(t) == SAVE_EXPR))
    t = TREE_OPERAND(t, 0);
  return t;
}

/* The behaviour an argument names (`on_down` or `&on_down`), or NULL_TREE. */
static tree named_function(tree arg) {
  arg = strip(arg);
  if (arg && TREE_CODE(arg) == ADDR_EXPR && TREE_CODE(TREE_OPERAND(arg, 0)) == FUNCTION_DECL)
    return TREE_OPERAND(arg, 0);
  return NULL_TREE;
}

static const char *parm_name(tree fndecl, int index, char *fallback, size_t size) {
  tree p = DECL_ARGUMENTS(fndecl);
  for (int i = 0; p && i < index; i++)
    p = DECL_CHAIN(p);
  if (p && DECL_NAME(p))
    return IDENTIFIER_POINTER(DECL_NAME(p));
  snprintf(fallback, size, "#%d", index + 1);
  return fallback;
}

/* The callback's parameters after self against what the API sends. */
static bool check_parameters(location_t loc, const alox_refapi *api, tree fn,
                             const char *expected, tree value) {
  alox_arena arena = {};
  std::vector<const alox_type *> params;
  std::vector<tree> types;
  tree args = TYPE_ARG_TYPES(TREE_TYPE(fn));
  for (args = args ? TREE_CHAIN(args) : NULL_TREE; args && args != void_list_node;
       args = TREE_CHAIN(args)) {
    params.push_back(model_of(&arena, TREE_VALUE(args)));
    types.push_back(TREE_VALUE(args));
  }
  const alox_type *value_model = value ? model_of(&arena, value) : NULL;
  alox_callback_check c =
      alox_check_callback(api, params.data(), (int)params.size(), value_model);
  alox_arena_free(&arena);
  if (c.rule == ALOX_RULE_COUNT)
    return true;
  alox_msg m = {};
  m.fn = IDENTIFIER_POINTER(DECL_NAME(fn));
  m.parm = api->ref_name;
  m.api = api->api;
  m.expected = expected;
  char n[16], k[16], fallback[16];
  snprintf(n, sizeof n, "%d", (int)params.size());
  snprintf(k, sizeof k, "%d", api->param_count);
  m.n = n;
  m.m = k;
  std::string type, what;
  if (c.rule == ALOX_RULE_REF_PARAM_TYPE) {
    type = type_text(types[c.param], true);
    m.type = type.c_str();
    m.name = parm_name(fn, c.param + 1, fallback, sizeof fallback);
    m.what = api->params[c.param].spelled;
    if (api->params[c.param].value_of_arg >= 0) {
      what = plain_spelling(value) + " " + api->params[c.param].spelled;
      m.what = what.c_str();
    }
  }
  report(loc, c.rule, m);
  return false;
}

/* alox__monitor (self, target, &on_down) and the like. */
static bool check_callback(tree call, const alox_refapi *api, location_t loc, tree *value_out) {
  tree ref = CALL_EXPR_ARG(call, api->ref_arg);
  tree fn = named_function(ref);
  location_t at = fn && EXPR_HAS_LOCATION(ref) ? EXPR_LOCATION(ref) : at_macro(loc);
  tree self = strip(CALL_EXPR_ARG(call, api->self_arg));
  tree self_actor = actor_of_pointer(TREE_TYPE(self));
  std::string self_spelled =
      self_actor ? type_text(self_actor, false) : std::string("struct ACTOR");
  /* alox_then: the value's type comes from the future argument */
  tree value = NULL_TREE;
  std::string value_spelled;
  for (int i = 0; i < api->param_count; i++)
    if (api->params[i].value_of_arg >= 0) {
      value = check_future_arg(CALL_EXPR_ARG(call, api->params[i].value_of_arg), api->api, loc);
      if (!value)
        return false;
      value_spelled = plain_spelling(value);
    }
  alox_text expected = {};
  alox_refapi_expected(&expected, api, fn ? IDENTIFIER_POINTER(DECL_NAME(fn)) : "NAME",
                       self_spelled.c_str(), value ? value_spelled.c_str() : NULL);
  alox_msg m = {};
  m.api = api->api;
  m.parm = api->ref_name;
  m.expected = alox_text_str(&expected);
  bool ok = false;
  if (!fn || !is_behaviour(fn)) {
    report(at, ALOX_RULE_REF_NOT_BEHAVIOUR, m);
  } else if (!self_actor) {
    std::string type = type_text(TREE_TYPE(self), true);
    m.type = type.c_str();
    report(at, ALOX_RULE_REF_SELF_NOT_ACTOR, m);
  } else {
    tree runs_on = actor_of_pointer(TREE_VALUE(TYPE_ARG_TYPES(TREE_TYPE(fn))));
    if (runs_on && strcmp(actor_name(runs_on), actor_name(self_actor)) != 0) {
      std::string type = type_text(runs_on, true), type2 = type_text(self_actor, true);
      m.fn = IDENTIFIER_POINTER(DECL_NAME(fn));
      m.type = type.c_str();
      m.type2 = type2.c_str();
      report(at, ALOX_RULE_REF_SELF_MISMATCH, m);
    } else {
      ok = runs_on && check_parameters(at, api, fn, alox_text_str(&expected), value);
      *value_out = value;
    }
  }
  alox_text_free(&expected);
  return ok;
}

/* alox__after (ms, ((void) call, 0)): the behaviour call, or NULL_TREE. */
static tree delayed_call(tree arg) {
  arg = strip(arg);
  if (!arg || TREE_CODE(arg) != COMPOUND_EXPR)
    return NULL_TREE;
  tree call = strip(TREE_OPERAND(arg, 0));
  return call && TREE_CODE(call) == CALL_EXPR ? call : NULL_TREE;
}

/* The replacement of alox__after (...): __alox_after_call (ms, &fn, args...). */
static tree check_after(tree call, const alox_refapi *api, location_t loc) {
  tree inner = call_expr_nargs(call) == 2 ? delayed_call(CALL_EXPR_ARG(call, api->ref_arg))
                                          : NULL_TREE;
  tree fn = inner ? get_callee_fndecl(inner) : NULL_TREE;
  alox_msg m = {};
  if (!fn) {
    report(at_macro(loc), ALOX_RULE_AFTER_NOT_CALL, m);
    return call;
  }
  if (!is_behaviour(fn)) {
    m.fn = IDENTIFIER_POINTER(DECL_NAME(fn));
    report(at_macro(loc), ALOX_RULE_AFTER_NOT_BEHAVIOUR, m);
    return call;
  }
  vec<tree, va_gc> *args = NULL;
  vec_safe_push(args, CALL_EXPR_ARG(call, 0));
  vec_safe_push(args, build_fold_addr_expr(fn));
  for (int i = 0; i < call_expr_nargs(inner); i++)
    vec_safe_push(args, CALL_EXPR_ARG(inner, i));
  tree marker = after_call_decl(TREE_TYPE(call));
  tree replaced = build_call_vec(TREE_TYPE(call), build_fold_addr_expr(marker), args);
  SET_EXPR_LOCATION(replaced, EXPR_LOCATION(inner));
  TREE_SIDE_EFFECTS(replaced) = 1;
  return replaced;
}

tree check_refapi_call(tree call, const alox_refapi *api, location_t loc) {
  if (api->kind == ALOX_REFAPI_DELAYED_CALL)
    return check_after(call, api, loc);
  if (call_expr_nargs(call) <= api->ref_arg || call_expr_nargs(call) <= api->self_arg) {
    report(at_macro(loc), ALOX_RULE_REF_NOT_BEHAVIOUR, alox_msg());
    return call;
  }
  tree value = NULL_TREE;
  if (check_callback(call, api, loc, &value) && value)
    return with_value_size(call, value); /* alox_then: sizeof (T) for rewrite.cc */
  return call;
}

} // namespace alox
