/*
 * model.cc - GCC's trees as the shared core sees them (plugin/common).
 *
 * The rules on what can be sent, the signature string, the ref list and
 * every message are written once in plugin/common, on a small model of C
 * types (alox_type.h). This file translates GCC's types into that model,
 * names types the way GCC does for messages ('int32_t' {aka 'int'}), and
 * reports a rule of the shared table as a GCC error.
 *
 * Anonymous actor structs (`typedef struct alox_actor { ... } counter_t;`)
 * are named by their first typedef, recorded as the typedefs are seen:
 * every unit that can name such a type sees that typedef.
 */
#include "alox-plugin.h"

#include "c-family/c-pretty-print.h"
#include "diagnostic.h"
#include "intl.h"

namespace alox {

/* ----- names of anonymous actor structs --------------------------------- */

static std::map<tree, std::string> typedef_names; /* main variant -> first typedef */

void note_typedef(tree decl) {
  tree original = DECL_ORIGINAL_TYPE(decl);
  if (!original || !DECL_NAME(decl))
    return;
  tree main = TYPE_MAIN_VARIANT(original);
  if (TREE_CODE(main) != RECORD_TYPE || *struct_tag(main) || typedef_names.count(main))
    return;
  keep(main);
  typedef_names[main] = IDENTIFIER_POINTER(DECL_NAME(decl));
}

const char *actor_name(const_tree type) {
  tree main = TYPE_MAIN_VARIANT(CONST_CAST_TREE(type));
  const char *tag = struct_tag(main);
  if (*tag)
    return tag;
  auto it = typedef_names.find(main);
  return it == typedef_names.end() ? "" : it->second.c_str();
}

/* ----- types in the shared model ---------------------------------------- */

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

static unsigned long long size_of(tree type) {
  tree size = TYPE_SIZE_UNIT(type);
  return size && tree_fits_uhwi_p(size) ? tree_to_uhwi(size) : 0;
}

static void model_fields(alox_arena *arena, tree record, alox_type *t) {
  int n = 0;
  for (tree f = TYPE_FIELDS(record); f; f = DECL_CHAIN(f))
    n += TREE_CODE(f) == FIELD_DECL;
  alox_field *fields = (alox_field *)alox_arena_alloc(arena, sizeof(alox_field) * (n ? n : 1));
  int i = 0;
  for (tree f = TYPE_FIELDS(record); f; f = DECL_CHAIN(f)) {
    if (TREE_CODE(f) != FIELD_DECL)
      continue;
    fields[i].name = DECL_NAME(f) ? IDENTIFIER_POINTER(DECL_NAME(f)) : "";
    fields[i].bitfield = DECL_BIT_FIELD(f);
    fields[i].offset = DECL_BIT_FIELD(f) || !tree_fits_uhwi_p(DECL_FIELD_OFFSET(f))
                           ? 0 : (uint64_t)int_byte_position(f);
    fields[i].type = model_of(arena, field_type(f));
    i++;
  }
  t->fields = fields;
  t->field_count = n;
}

static alox_type *model_pointer(alox_arena *arena, tree type) {
  alox_type *t = alox_arena_type(arena, ALOX_TYPE_POINTER);
  t->stage = is_stage_pointer(type);
  if (tree actor = actor_of_pointer(type)) {
    t->pointee = ALOX_POINTEE_ACTOR;
    t->tag = actor_name(actor);
  } else if (FUNC_OR_METHOD_TYPE_P(TREE_TYPE(type))) {
    t->pointee = ALOX_POINTEE_FUNCTION;
  }
  return t;
}

const alox_type *model_of(alox_arena *arena, tree type) {
  alox_type *t;
  switch (TREE_CODE(type)) {
  case BOOLEAN_TYPE:
    t = alox_arena_type(arena, ALOX_TYPE_BOOL);
    break;
  case INTEGER_TYPE:
  case ENUMERAL_TYPE:
    t = alox_arena_type(arena, TREE_CODE(type) == ENUMERAL_TYPE ? ALOX_TYPE_ENUM
                                                                 : ALOX_TYPE_INTEGER);
    t->bits = TYPE_PRECISION(type);
    t->is_unsigned = TYPE_UNSIGNED(type);
    if (TREE_CODE(type) == ENUMERAL_TYPE)
      t->tag = struct_tag(type);
    break;
  case REAL_TYPE:
    t = alox_arena_type(arena, DECIMAL_FLOAT_TYPE_P(type) ? ALOX_TYPE_OTHER : ALOX_TYPE_FLOAT);
    t->bits = TYPE_PRECISION(type);
    break;
  case POINTER_TYPE:
    t = model_pointer(arena, type);
    break;
  case ARRAY_TYPE:
    t = alox_arena_type(arena, ALOX_TYPE_ARRAY);
    t->element = model_of(arena, TREE_TYPE(type));
    t->count = array_count(type);
    t->flexible = !TYPE_DOMAIN(type) || !TYPE_MAX_VALUE(TYPE_DOMAIN(type)) ||
                  !TYPE_SIZE_UNIT(type) || integer_zerop(TYPE_SIZE_UNIT(type));
    break;
  case RECORD_TYPE:
  case UNION_TYPE: {
    tree main = TYPE_MAIN_VARIANT(type);
    t = alox_arena_type(arena, TREE_CODE(type) == RECORD_TYPE ? ALOX_TYPE_STRUCT
                                                               : ALOX_TYPE_UNION);
    t->actor = is_actor_struct(main);
    t->complete = COMPLETE_TYPE_P(main);
    t->tag = t->actor ? actor_name(main) : struct_tag(main);
    if (t->complete)
      model_fields(arena, main, t);
    break;
  }
  default:
    t = alox_arena_type(arena, ALOX_TYPE_OTHER);
    break;
  }
  t->size = size_of(type);
  t->native = type;
  return t;
}

/* A parameter declared as an array carries GCC's internal "arg spec"
 * (what -Warray-parameter checks); its type is already the pointer. */
const alox_type *model_of_parameter(alox_arena *arena, tree type, tree parm) {
  const alox_type *t = model_of(arena, type);
  if (parm && t->kind == ALOX_TYPE_POINTER &&
      lookup_attribute("arg spec", DECL_ATTRIBUTES(parm))) {
    alox_type *array = (alox_type *)alox_arena_alloc(arena, sizeof *array);
    *array = *t;
    array->array_parameter = true;
    return array;
  }
  return t;
}

/* ----- messages ----------------------------------------------------------- */

/* 'int32_t' {aka 'int'}: what %qT prints in GCC's own messages. Unquoted
 * (for code in a message) it is what %<%T%> prints between the quotes. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat" /* GCC's -Wformat-diag wants %T quoted */
std::string type_text(tree type, bool quoted) {
  pretty_printer *pp = global_dc->printer->clone();
  pp_show_color(pp) = false;
  pp_printf(pp, quoted ? "%qT" : "%T", type);
  std::string text = pp_formatted_text(pp);
  delete pp;
  return text;
}
#pragma GCC diagnostic pop

void report(location_t loc, alox_rule rule, const alox_msg &msg) {
  alox_text text = {};
  alox_quotes quotes = {open_quote, close_quote};
  alox_format(&text, rule, &msg, &quotes);
  error_at(loc, "%s", alox_text_str(&text));
  alox_text_free(&text);
}

} // namespace alox
