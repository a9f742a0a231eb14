/*
 * signature.cc - what a behaviour's descriptor says about its arguments,
 * exactly as include/alox/abi.h defines it:
 *
 *   - the packed layout: a struct whose members are the parameters after
 *     self, with the prototype's types (TYPE_ARG_TYPES, never the PARM_DECLs,
 *     so every unit computes the same layout), laid out naturally by GCC;
 *   - the signature string and the ref list, computed by the shared core
 *     (plugin/common/alox_signature.h) on the model of these types, so
 *     alox-clang computes the very same.
 */
#include "alox-plugin.h"

namespace alox {

std::string signature_of(tree fntype) {
  alox_arena arena = {};
  std::vector<const alox_type *> params;
  tree args = TYPE_ARG_TYPES(fntype);
  for (args = args ? TREE_CHAIN(args) : NULL_TREE; args && args != void_list_node;
       args = TREE_CHAIN(args))
    params.push_back(model_of(&arena, TREE_VALUE(args)));
  alox_text text = {};
  alox_signature(&text, params.data(), (int)params.size());
  std::string out = alox_text_str(&text);
  alox_text_free(&text);
  alox_arena_free(&arena);
  return out;
}

std::vector<arg_ref> refs_of(tree args_type) {
  std::vector<arg_ref> refs;
  if (!args_type)
    return refs;
  alox_arena arena = {};
  alox_refs found = {};
  alox_collect_refs(model_of(&arena, args_type), 0, &found);
  for (int i = 0; i < found.count; i++)
    refs.push_back({(unsigned)found.items[i].offset, found.items[i].kind,
                    (unsigned long long)found.items[i].type_hash});
  alox_refs_free(&found);
  alox_arena_free(&arena);
  return refs;
}

unsigned long long fnv1a(const char *text) { return alox_fe_hash(text); }

tree packed_args_type(tree fndecl) {
  tree args = TYPE_ARG_TYPES(TREE_TYPE(fndecl));
  tree fields = NULL_TREE; /* built backwards: finish_builtin_struct reverses */
  unsigned n = 0;
  for (args = args ? TREE_CHAIN(args) : NULL_TREE; args && args != void_list_node;
       args = TREE_CHAIN(args)) {
    char name[32];
    snprintf(name, sizeof name, "a%u", ++n);
    tree type = build_qualified_type(TREE_VALUE(args), TYPE_UNQUALIFIED);
    tree field = build_decl(UNKNOWN_LOCATION, FIELD_DECL, get_identifier(name), type);
    DECL_CHAIN(field) = fields;
    fields = field;
  }
  if (future_of_behaviour(fndecl) && reply_type()) { /* where the answer goes (future.cc) */
    tree field = build_decl(UNKNOWN_LOCATION, FIELD_DECL, get_identifier("__alox_reply"),
                            reply_type());
    DECL_CHAIN(field) = fields;
    fields = field;
    n++;
  }
  if (!n)
    return NULL_TREE;
  tree record = make_node(RECORD_TYPE);
  std::string name = std::string("__alox_args_") + IDENTIFIER_POINTER(DECL_NAME(fndecl));
  finish_builtin_struct(record, name.c_str(), fields, NULL_TREE);
  keep(record);
  return record;
}

} // namespace alox
