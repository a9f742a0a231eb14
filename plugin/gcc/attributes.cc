/*
 * attributes.cc - the three annotations of alox.h and the predicates on them.
 *
 *   struct alox_actor pinger { ... };        type attribute on a struct
 *   alox_behave void ping(struct pinger *self, ...);   decl attribute on a function
 *   alox_stage const char *text               on a parameter (or struct member)
 *
 * Misplaced annotations are errors, never GCC's "attribute ignored" warning:
 * an ignored alox_behave would silently turn a send into a synchronous call.
 *
 * alox_stage is kept on the decl *and* copied onto the pointer type (a
 * variant that does not affect type identity), so TYPE_ARG_TYPES of the
 * prototype carries it: every unit derives the same signature from the
 * prototype alone.
 */
#include "alox-plugin.h"

namespace alox {

static bool active = false;

void set_active() { active = true; }

/* A precompiled header restores the identifiers it saw, not the plugin's
 * state: alox.h's alox__new among them means the unit uses Alox. */
bool is_active() {
  if (!active && maybe_get_identifier("alox__new"))
    active = true;
  return active;
}

static const char *const STAGE = "alox_stage";
static const char *const GENERATED = "alox generated"; /* unspellable in C */

static location_t where(tree node) {
  return DECL_P(node) ? DECL_SOURCE_LOCATION(node) : input_location;
}

static tree handle_actor(tree *node, tree, tree, int, bool *no_add) {
  set_active();
  if (TYPE_P(*node) && TREE_CODE(*node) == RECORD_TYPE)
    return NULL_TREE;
  *no_add = true;
  error_at(where(*node),
           "%<alox_actor%> marks a struct definition as an actor type; write "
           "%<struct alox_actor NAME { ... };%>");
  return NULL_TREE;
}

static tree handle_behave(tree *node, tree, tree, int, bool *no_add) {
  set_active();
  if (TREE_CODE(*node) == FUNCTION_DECL)
    return NULL_TREE;
  *no_add = true;
  error_at(where(*node),
           "%<alox_behave%> marks a function as a behaviour; write "
           "%<alox_behave void NAME(struct ACTOR *self, ...)%>");
  return NULL_TREE;
}

static tree handle_stage(tree *node, tree, tree, int, bool *no_add) {
  set_active();
  tree decl = *node;
  if (TREE_CODE(decl) != PARM_DECL && TREE_CODE(decl) != FIELD_DECL) {
    *no_add = true;
    error_at(where(decl),
             "%<alox_stage%> marks a pointer parameter of a behaviour (or a "
             "pointer member of a struct sent by value); put it before the "
             "parameter: %<alox_stage const char *text%>");
    return NULL_TREE;
  }
  if (!check_stage_target(decl)) {
    *no_add = true;
    return NULL_TREE;
  }
  tree type = TREE_TYPE(decl);
  tree attrs = tree_cons(get_identifier(STAGE), NULL_TREE, TYPE_ATTRIBUTES(type));
  tree staged = build_type_attribute_variant(type, attrs);
  if (TREE_CODE(decl) == PARM_DECL && DECL_ARG_TYPE(decl) == type)
    DECL_ARG_TYPE(decl) = staged;
  TREE_TYPE(decl) = staged;
  return NULL_TREE;
}

/* name, min args, max args, decl_required, type_required,
 * function_type_required, affects_type_identity, handler, exclusions */
static attribute_spec actor_attr = {"alox_actor", 0, 0, false, false,
                                    false, false, handle_actor, NULL};
static attribute_spec behave_attr = {"alox_behave", 0, 0, false, false,
                                     false, false, handle_behave, NULL};
static attribute_spec stage_attr = {"alox_stage", 0, 0, false, false,
                                    false, false, handle_stage, NULL};

void register_attributes() {
  register_attribute(&actor_attr);
  register_attribute(&behave_attr);
  register_attribute(&stage_attr);
}

bool is_actor_struct(const_tree type) {
  if (!type || TREE_CODE(type) != RECORD_TYPE)
    return false;
  type = TYPE_MAIN_VARIANT(type);
  return lookup_attribute("alox_actor", TYPE_ATTRIBUTES(type)) != NULL_TREE;
}

bool is_behaviour(const_tree fndecl) {
  return fndecl && TREE_CODE(fndecl) == FUNCTION_DECL &&
         lookup_attribute("alox_behave", DECL_ATTRIBUTES(fndecl)) != NULL_TREE;
}

bool is_stage_pointer(const_tree type) {
  return type && POINTER_TYPE_P(type) &&
         lookup_attribute(STAGE, TYPE_ATTRIBUTES(type)) != NULL_TREE;
}

bool is_generated(const_tree fndecl) {
  return lookup_attribute(GENERATED, DECL_ATTRIBUTES(fndecl)) != NULL_TREE;
}

void mark_generated(tree fndecl) {
  DECL_ATTRIBUTES(fndecl) =
      tree_cons(get_identifier(GENERATED), NULL_TREE, DECL_ATTRIBUTES(fndecl));
}

const char *struct_tag(const_tree type) {
  tree name = TYPE_NAME(TYPE_MAIN_VARIANT(type));
  if (name && TREE_CODE(name) == IDENTIFIER_NODE)
    return IDENTIFIER_POINTER(name);
  return "";
}

/* `struct X *` where X is an actor struct, or an incomplete struct that may
 * be completed as an actor elsewhere (facts note: forward declarations
 * carry no attributes). An anonymous actor struct counts once a typedef
 * names it. */
tree actor_of_pointer(const_tree type) {
  if (!type || TREE_CODE(type) != POINTER_TYPE)
    return NULL_TREE;
  tree pointee = TYPE_MAIN_VARIANT(TREE_TYPE(type));
  if (TREE_CODE(pointee) != RECORD_TYPE)
    return NULL_TREE;
  if (is_actor_struct(pointee))
    return *actor_name(pointee) ? pointee : NULL_TREE; /* a name is needed */
  return *struct_tag(pointee) && !COMPLETE_TYPE_P(pointee) ? pointee : NULL_TREE;
}

tree strip_arrays(tree type) {
  while (type && TREE_CODE(type) == ARRAY_TYPE)
    type = TREE_TYPE(type);
  return type;
}

} // namespace alox
