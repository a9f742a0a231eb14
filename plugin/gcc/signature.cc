/*
 * signature.cc - what a behaviour's descriptor says about its arguments,
 * exactly as include/alox/abi.h defines it:
 *
 *   - the packed layout: a struct whose members are the parameters after
 *     self, with the prototype's types (TYPE_ARG_TYPES, never the PARM_DECLs,
 *     so every unit computes the same layout), laid out naturally;
 *   - the signature string, e.g. "(i32,@ponger,{point;f64,f64},[4]u8,&)";
 *   - the FNV-1a 64-bit hash of a string;
 *   - the ref list: every actor reference and alox_stage pointer in the
 *     packed block, nested structs and arrays flattened, by offset.
 */
#include "alox-plugin.h"

namespace alox {

unsigned long long fnv1a(const char *text) {
  unsigned long long h = 0xcbf29ce484222325ull;
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    h ^= *p;
    h *= 0x100000001b3ull;
  }
  return h;
}

static tree field_type(tree field) {
  return DECL_BIT_FIELD_TYPE(field) ? DECL_BIT_FIELD_TYPE(field) : TREE_TYPE(field);
}

static unsigned long long array_count(tree type) {
  tree size = TYPE_SIZE_UNIT(type), elem = TYPE_SIZE_UNIT(TREE_TYPE(type));
  if (!size || !elem || !tree_fits_uhwi_p(size) || !tree_fits_uhwi_p(elem) ||
      integer_zerop(elem))
    return 0;
  return tree_to_uhwi(size) / tree_to_uhwi(elem);
}

static void append_type(std::string &out, tree type);

static void append_members(std::string &out, tree type, char open, char close) {
  out += open;
  out += struct_tag(type);
  out += ';';
  bool first = true;
  for (tree f = TYPE_FIELDS(type); f; f = DECL_CHAIN(f)) {
    if (TREE_CODE(f) != FIELD_DECL)
      continue;
    if (!first)
      out += ',';
    first = false;
    append_type(out, field_type(f));
  }
  out += close;
}

static void append_type(std::string &out, tree type) {
  char buf[64];
  switch (TREE_CODE(type)) {
  case BOOLEAN_TYPE:
    out += 'b';
    return;
  case ENUMERAL_TYPE:
    out += 'e';
    /* fall through */
  case INTEGER_TYPE:
    snprintf(buf, sizeof buf, "%c%u", TYPE_UNSIGNED(type) ? 'u' : 'i',
             (unsigned)TYPE_PRECISION(type));
    out += buf;
    return;
  case REAL_TYPE:
    snprintf(buf, sizeof buf, "f%u", (unsigned)TYPE_PRECISION(type));
    out += buf;
    return;
  case POINTER_TYPE:
    if (is_stage_pointer(type)) {
      out += '&';
    } else {
      out += '@';
      out += struct_tag(TREE_TYPE(type));
    }
    return;
  case ARRAY_TYPE:
    snprintf(buf, sizeof buf, "[%llu]", array_count(type));
    out += buf;
    append_type(out, TREE_TYPE(type));
    return;
  case RECORD_TYPE:
    append_members(out, TYPE_MAIN_VARIANT(type), '{', '}');
    return;
  case UNION_TYPE: /* pointer-free unions only (checks.cc) */
    append_members(out, TYPE_MAIN_VARIANT(type), '<', '>');
    return;
  default:
    out += '?'; /* rejected by checks.cc before anything is emitted */
    return;
  }
}

std::string signature_of(tree fntype) {
  std::string out = "(";
  tree args = TYPE_ARG_TYPES(fntype);
  bool first = true;
  for (args = args ? TREE_CHAIN(args) : NULL_TREE; args && args != void_list_node;
       args = TREE_CHAIN(args)) {
    if (!first)
      out += ',';
    first = false;
    append_type(out, TREE_VALUE(args));
  }
  return out + ")";
}

static void collect_refs(tree type, unsigned long long base, std::vector<arg_ref> &refs) {
  switch (TREE_CODE(type)) {
  case POINTER_TYPE:
    if (is_stage_pointer(type))
      refs.push_back({(unsigned)base, 2, 0});
    else
      refs.push_back({(unsigned)base, 1, fnv1a(struct_tag(TREE_TYPE(type)))});
    return;
  case ARRAY_TYPE: {
    tree elem = TREE_TYPE(type);
    std::vector<arg_ref> one;
    collect_refs(elem, 0, one);
    if (one.empty())
      return;
    unsigned long long size = tree_to_uhwi(TYPE_SIZE_UNIT(elem));
    for (unsigned long long i = 0, n = array_count(type); i < n; i++)
      for (const arg_ref &r : one)
        refs.push_back({(unsigned)(base + i * size + r.offset), r.kind, r.type_hash});
    return;
  }
  case RECORD_TYPE:
    for (tree f = TYPE_FIELDS(type); f; f = DECL_CHAIN(f))
      if (TREE_CODE(f) == FIELD_DECL && !DECL_BIT_FIELD(f))
        collect_refs(TREE_TYPE(f), base + int_byte_position(f), refs);
    return;
  default:
    return;
  }
}

std::vector<arg_ref> refs_of(tree args_type) {
  std::vector<arg_ref> refs;
  if (args_type)
    collect_refs(args_type, 0, refs);
  return refs;
}

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
  if (!n)
    return NULL_TREE;
  tree record = make_node(RECORD_TYPE);
  std::string name = std::string("__alox_args_") + IDENTIFIER_POINTER(DECL_NAME(fndecl));
  finish_builtin_struct(record, name.c_str(), fields, NULL_TREE);
  keep(record);
  return record;
}

} // namespace alox
