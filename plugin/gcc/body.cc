/*
 * body.cc - the behaviour's own symbol sends; its body has another name.
 *
 * Another unit may reach a behaviour's symbol without knowing it is one:
 * a prototype written without alox_behave, a header that forgot it, a
 * unit compiled without the plugin, a function pointer taken there. A
 * call there must not run the body synchronously on the caller's thread
 * (README.md). So in the unit that defines an extern behaviour
 *
 *     alox_behave void bump(struct counter *self, int64_t k) { ... }
 *
 * the body is emitted under the local symbol __alox_body_bump (only the
 * trampoline calls it), and `bump` itself becomes
 *
 *     void bump(struct counter *self, int64_t k) { bump(self, k); }
 *
 * whose one call, to the behaviour, the rewrite pass turns into the send,
 * as it does every call in the unit. Calls in this unit never reach
 * either symbol: they are sends already. The descriptor keeps its name,
 * so nothing changes for units that know the behaviour.
 *
 * A static behaviour needs none of this (no other unit can name it), nor
 * an inline definition this unit does not emit.
 */
#include "alox-plugin.h"

namespace alox {

static tree make_parameters(tree fn, tree fntype) {
  tree first = NULL_TREE, *next = &first;
  unsigned i = 0;
  for (tree a = TYPE_ARG_TYPES(fntype); a && a != void_list_node; a = TREE_CHAIN(a)) {
    char name[32];
    snprintf(name, sizeof name, "a%u", i++);
    tree p = build_decl(DECL_SOURCE_LOCATION(fn), PARM_DECL, get_identifier(name), TREE_VALUE(a));
    DECL_ARG_TYPE(p) = TREE_VALUE(a);
    DECL_CONTEXT(p) = fn;
    TREE_USED(p) = 1;
    *next = p;
    next = &DECL_CHAIN(p);
  }
  return first;
}

void emit_sending_symbol(tree fndecl) {
  if (!TREE_PUBLIC(fndecl) || DECL_EXTERNAL(fndecl))
    return;
  const char *name = IDENTIFIER_POINTER(DECL_NAME(fndecl));
  std::string body = std::string("__alox_body_") + name;
  symtab->change_decl_assembler_name(fndecl, get_identifier(body.c_str()));
  TREE_PUBLIC(fndecl) = 0;
  TREE_USED(fndecl) = 1; /* by the trampoline: no "defined but not used" */

  tree fntype = TREE_TYPE(fndecl);
  tree sender = make_function(name, fntype, DECL_SOURCE_LOCATION(fndecl));
  SET_DECL_ASSEMBLER_NAME(sender, DECL_NAME(fndecl));
  TREE_PUBLIC(sender) = 1;
  DECL_VISIBILITY(sender) = DECL_VISIBILITY(fndecl);
  DECL_VISIBILITY_SPECIFIED(sender) = DECL_VISIBILITY_SPECIFIED(fndecl);
  DECL_ATTRIBUTES(sender) = NULL_TREE; /* not generated: the rewrite pass makes the send */
  DECL_ARGUMENTS(sender) = make_parameters(sender, fntype);
  std::vector<tree> args;
  for (tree p = DECL_ARGUMENTS(sender); p; p = DECL_CHAIN(p))
    args.push_back(p);
  tree call = build_call_expr_loc_array(DECL_SOURCE_LOCATION(fndecl), fndecl, args.size(),
                                        args.data());
  tree ret_type = TREE_TYPE(fntype);
  if (!VOID_TYPE_P(ret_type)) { /* alox_future(T): return what the send returns */
    tree result = DECL_RESULT(sender);
    TREE_TYPE(result) = ret_type;
    tree store = build2(MODIFY_EXPR, ret_type, result, call);
    call = build1(RETURN_EXPR, void_type_node, store);
    TREE_SIDE_EFFECTS(call) = 1;
  }
  finish_function_body(sender, call);
}

} // namespace alox
