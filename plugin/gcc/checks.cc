/*
 * checks.cc - the compile-time rules (README.md).
 *
 * Each rule is one error_at at the offending parameter, declaration or
 * expression, saying why it is wrong and what to write instead:
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

/* ----- sendable types ----------------------------------------------- */

enum problem_kind { FINE, PLAIN_POINTER, FUNCTION_POINTER, FLEXIBLE_ARRAY,
                    UNION_POINTER, NOT_SENDABLE };

struct problem {
  problem_kind kind = FINE;
  tree type = NULL_TREE;  /* the offending (sub)type */
  std::string member;     /* "inner.data" when nested, "" at top level */
};

static bool contains_pointer(tree type) {
  type = strip_arrays(type);
  if (POINTER_TYPE_P(type))
    return true;
  if (RECORD_OR_UNION_TYPE_P(type))
    for (tree f = TYPE_FIELDS(type); f; f = DECL_CHAIN(f))
      if (TREE_CODE(f) == FIELD_DECL && contains_pointer(TREE_TYPE(f)))
        return true;
  return false;
}

static std::string join(const std::string &path, tree field) {
  if (!DECL_NAME(field))
    return path; /* anonymous struct/union member */
  std::string name = IDENTIFIER_POINTER(DECL_NAME(field));
  return path.empty() ? name : path + "." + name;
}

static problem sendable(tree type, const std::string &path);

static problem sendable_record(tree type, const std::string &path) {
  problem p;
  if (is_actor_struct(type) || !COMPLETE_TYPE_P(type))
    return p; /* by value: reported as such; incomplete: reported by C */
  for (tree f = TYPE_FIELDS(type); f; f = DECL_CHAIN(f)) {
    if (TREE_CODE(f) != FIELD_DECL)
      continue;
    tree ft = TREE_TYPE(f);
    std::string sub = join(path, f);
    if (TREE_CODE(ft) == ARRAY_TYPE &&
        (!TYPE_DOMAIN(ft) || !TYPE_MAX_VALUE(TYPE_DOMAIN(ft)) ||
         integer_zerop(TYPE_SIZE_UNIT(ft)))) {
      p.kind = FLEXIBLE_ARRAY, p.type = ft, p.member = sub;
      return p;
    }
    p = sendable(ft, sub);
    if (p.kind != FINE)
      return p;
  }
  return p;
}

static problem sendable(tree type, const std::string &path) {
  problem p;
  p.type = type;
  p.member = path;
  switch (TREE_CODE(type)) {
  case BOOLEAN_TYPE:
  case INTEGER_TYPE:
  case ENUMERAL_TYPE:
    p.kind = FINE;
    return p;
  case REAL_TYPE: {
    unsigned bits = TYPE_PRECISION(type);
    bool known = bits == 32 || bits == 64 || bits == 80 || bits == 128;
    p.kind = known && !DECIMAL_FLOAT_TYPE_P(type) ? FINE : NOT_SENDABLE;
    return p;
  }
  case POINTER_TYPE:
    if (is_stage_pointer(type) || actor_of_pointer(type))
      p.kind = FINE;
    else if (FUNC_OR_METHOD_TYPE_P(TREE_TYPE(type)))
      p.kind = FUNCTION_POINTER;
    else
      p.kind = PLAIN_POINTER;
    return p;
  case ARRAY_TYPE:
    return sendable(TREE_TYPE(type), path);
  case RECORD_TYPE:
    return sendable_record(type, path);
  case UNION_TYPE:
    if (contains_pointer(type)) {
      p.kind = UNION_POINTER;
      return p;
    }
    return sendable_record(type, path);
  default:
    p.kind = NOT_SENDABLE;
    return p;
  }
}

/* ----- behaviours --------------------------------------------------- */

static const char *SENDABLE_KINDS =
    "send integers, floats, bool, enums, actor references, alox_stage "
    "pointers, or structs and fixed arrays of them";

static void report(location_t loc, const char *parm, const char *fn,
                   const problem &p) {
  const char *m = p.member.c_str();
  bool nested = !p.member.empty();
  switch (p.kind) {
  case FINE:
    break;
  case PLAIN_POINTER:
    if (nested)
      error_at(loc, "parameter %qs of behaviour %qs contains a plain pointer %qT "
               "(member %qs): only actor references and alox_stage pointers can "
               "be sent; copy the data into the struct (a fixed array) or mark "
               "the member alox_stage", parm, fn, p.type, m);
    else
      error_at(loc, "parameter %qs of behaviour %qs is a plain pointer %qT: only "
               "actor references and alox_stage pointers can be sent; pass the "
               "data by value (a struct or fixed array) or mark it alox_stage",
               parm, fn, p.type);
    break;
  case FUNCTION_POINTER:
    if (nested)
      error_at(loc, "parameter %qs of behaviour %qs contains a function pointer %qT "
               "(member %qs): code addresses cannot be sent to an actor; send a "
               "value (an enum or integer) that selects the function instead",
               parm, fn, p.type, m);
    else
      error_at(loc, "parameter %qs of behaviour %qs is a function pointer %qT: code "
               "addresses cannot be sent to an actor; send a value (an enum or "
               "integer) that selects the function instead", parm, fn, p.type);
    break;
  case FLEXIBLE_ARRAY:
    error_at(loc, "parameter %qs of behaviour %qs has a flexible array member "
             "%qs: a message has a fixed size; give the array a fixed length",
             parm, fn, m);
    break;
  case UNION_POINTER:
    if (nested)
      error_at(loc, "parameter %qs of behaviour %qs contains a union %qT with a "
               "pointer (member %qs): the runtime cannot tell which member is "
               "active, so it can neither check nor translate the pointer; send a "
               "struct instead", parm, fn, p.type, m);
    else
      error_at(loc, "parameter %qs of behaviour %qs is a union %qT containing a "
               "pointer: the runtime cannot tell which member is active, so it can "
               "neither check nor translate the pointer; send a struct instead",
               parm, fn, p.type);
    break;
  case NOT_SENDABLE:
    if (nested)
      error_at(loc, "parameter %qs of behaviour %qs contains type %qT (member %qs), "
               "which cannot be sent: %s", parm, fn, p.type, m, SENDABLE_KINDS);
    else
      error_at(loc, "parameter %qs of behaviour %qs has type %qT, which cannot be "
               "sent: %s", parm, fn, p.type, SENDABLE_KINDS);
    break;
  }
}

static bool check_self(location_t loc, const char *name, const char *fn,
                       tree type) {
  if (actor_of_pointer(type))
    return true;
  tree pointee = POINTER_TYPE_P(type) ? TYPE_MAIN_VARIANT(TREE_TYPE(type)) : NULL_TREE;
  if (pointee && TREE_CODE(pointee) == RECORD_TYPE && *struct_tag(pointee))
    error_at(loc, "first parameter %qs of behaviour %qs points to %qT, which is "
             "not an actor struct: declare it %<struct alox_actor %s { ... };%>",
             name, fn, pointee, struct_tag(pointee));
  else
    error_at(loc, "first parameter %qs of behaviour %qs has type %qT: the first "
             "parameter of a behaviour is the actor that runs it, a pointer to "
             "an alox_actor struct (%<struct ACTOR *self%>)", name, fn, type);
  return false;
}

static bool check_return(tree fndecl, const char *fn) {
  tree ret = TREE_TYPE(TREE_TYPE(fndecl));
  if (VOID_TYPE_P(ret))
    return true;
  error_at(DECL_SOURCE_LOCATION(fndecl),
           "behaviour %qs returns %qT: a behaviour runs later, on its actor, so "
           "the caller cannot get a value back; make it return void and send "
           "the result back with another behaviour", fn, ret);
  return false;
}

bool check_behaviour(tree fndecl) {
  const char *fn = IDENTIFIER_POINTER(DECL_NAME(fndecl));
  location_t floc = DECL_SOURCE_LOCATION(fndecl);
  bool ok = check_return(fndecl, fn);
  tree args = TYPE_ARG_TYPES(TREE_TYPE(fndecl));
  if (!args || args == void_list_node) {
    error_at(floc, "behaviour %qs has no %s: its first parameter is the actor "
             "that runs it (%<struct ACTOR *self%>)", fn,
             args ? "parameters" : "prototype");
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
    if (type == error_mark_node) {
      ok = false; /* already reported by the C front end */
    } else if (i == 0) {
      ok &= check_self(loc, name, fn, type);
    } else if (is_actor_struct(TYPE_MAIN_VARIANT(type))) {
      error_at(loc, "parameter %qs of behaviour %qs takes actor struct %qT by "
               "value: an actor is never copied; pass a reference (%<%T *%>)",
               name, fn, type, type);
      ok = false;
    } else {
      problem p = sendable(type, "");
      report(loc, name, fn, p);
      ok &= p.kind == FINE;
    }
    if (parm)
      parm = DECL_CHAIN(parm);
  }
  if (!args) {
    error_at(floc, "behaviour %qs is variadic: a message has a fixed layout, so "
             "%<...%> cannot be sent; give it fixed parameters (a struct or "
             "fixed array for many values)", fn);
    ok = false;
  }
  return ok;
}

bool check_stage_target(tree node) {
  tree type = TREE_TYPE(node);
  if (POINTER_TYPE_P(type))
    return true;
  error_at(DECL_SOURCE_LOCATION(node),
           "%<alox_stage%> on %qD of type %qT: alox_stage marks a pointer into "
           "memory of this process; remove it, or make %qD a pointer", node, type,
           node);
  return false;
}

/* ----- actor structs by value ---------------------------------------- */

void check_decl_by_value(tree decl) {
  if (TREE_CODE(decl) == FUNCTION_DECL) {
    tree ret = TREE_TYPE(TREE_TYPE(decl));
    if (is_actor_struct(TYPE_MAIN_VARIANT(ret)))
      error_at(DECL_SOURCE_LOCATION(decl),
               "function %qD returns actor struct %qT by value: an actor is "
               "never copied; return a reference (%<%T *%>)", decl, ret, ret);
    return;
  }
  if (TREE_CODE(decl) != VAR_DECL && TREE_CODE(decl) != PARM_DECL)
    return;
  tree type = TYPE_MAIN_VARIANT(strip_arrays(TREE_TYPE(decl)));
  if (!is_actor_struct(type))
    return;
  if (TREE_CODE(decl) == PARM_DECL)
    error_at(DECL_SOURCE_LOCATION(decl),
             "parameter %qD takes actor struct %qT by value: an actor is never "
             "copied; pass a reference (%<%T *%>)", decl, type, type);
  else
    error_at(DECL_SOURCE_LOCATION(decl),
             "%qD declares actor struct %qT by value: actors are created only "
             "with %<alox_new(%T)%> and used through references; declare "
             "%<%T *%E%> instead", decl, type, type, type, DECL_NAME(decl));
}

void check_members(tree type) {
  if (!RECORD_OR_UNION_TYPE_P(type))
    return;
  for (tree f = TYPE_FIELDS(type); f; f = DECL_CHAIN(f)) {
    if (TREE_CODE(f) != FIELD_DECL)
      continue;
    tree ft = TYPE_MAIN_VARIANT(strip_arrays(TREE_TYPE(f)));
    if (is_actor_struct(ft))
      error_at(DECL_SOURCE_LOCATION(f),
               "member %qD holds actor struct %qT by value: an actor is never "
               "part of another object; store a reference (%<%T *%>) made with "
               "%<alox_new(%T)%>", f, ft, ft, ft);
  }
}

/* ----- expressions --------------------------------------------------- */

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
  tree actor = TYPE_MAIN_VARIANT(TREE_TYPE(type));
  error_at(s->loc, "actor struct %qT allocated with %qD: an actor lives in the "
           "runtime, with a header and a mailbox; create it with "
           "%<alox_new(%T)%>", actor, fn, actor);
}

/* alox_new(T) expands to alox__new(sizeof(T), _Alignof(T), #T, (T *)0). */
static void check_spawn(tree call, scan_state *s) {
  int n = call_expr_nargs(call);
  tree last = n ? CALL_EXPR_ARG(call, n - 1) : NULL_TREE;
  if (n != 4 || !POINTER_TYPE_P(TREE_TYPE(last))) {
    error_at(s->loc, "%<alox__new%> is what %<alox_new(T)%> expands to: write "
             "%<alox_new(struct ACTOR)%>");
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
  error_at(at, "%<alox_new(%T)%>: %qT is not an actor struct; declare it "
           "%<struct alox_actor NAME { ... };%>", type, type);
}

static void scan_call(tree call, scan_state *s) {
  tree fn = CALL_EXPR_FN(call);
  if (TREE_CODE(fn) == ADDR_EXPR && TREE_CODE(TREE_OPERAND(fn, 0)) == FUNCTION_DECL) {
    tree callee = TREE_OPERAND(fn, 0);
    if (DECL_NAME(callee) && id_equal(DECL_NAME(callee), "alox__new"))
      check_spawn(call, s);
  } else {
    walk(&CALL_EXPR_FN(call), s);
  }
  for (int i = 0; i < call_expr_nargs(call); i++)
    walk(&CALL_EXPR_ARG(call, i), s);
}

static tree scan_cb(tree *tp, int *walk_subtrees, void *data) {
  scan_state *s = (scan_state *)data;
  tree t = *tp;
  if (EXPR_P(t) && EXPR_HAS_LOCATION(t))
    s->loc = EXPR_LOCATION(t);
  switch (TREE_CODE(t)) {
  case CALL_EXPR:
    scan_call(t, s);
    *walk_subtrees = 0;
    break;
  case ADDR_EXPR:
    if (is_behaviour(TREE_OPERAND(t, 0)))
      error_at(s->loc, "taking the address of behaviour %qD: a call through a "
               "function pointer would run it synchronously instead of sending "
               "a message; call it by name, or take the address of an ordinary "
               "function that calls it", TREE_OPERAND(t, 0));
    break;
  case NOP_EXPR:
  case CONVERT_EXPR:
    check_conversion(t, s);
    break;
  case COMPOUND_LITERAL_EXPR: {
    tree type = TYPE_MAIN_VARIANT(strip_arrays(TREE_TYPE(t)));
    if (is_actor_struct(type))
      error_at(s->loc, "compound literal of actor struct %qT: actors are created only "
               "with %<alox_new(%T)%> and used through references", type, type);
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

void scan_expr(tree *expr, location_t fallback, std::vector<tree> *spawned) {
  hash_set<tree> seen;
  scan_state s = {fallback, spawned, &seen};
  walk(expr, &s);
}

} // namespace alox
