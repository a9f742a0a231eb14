/*
 * plugin.cc - the Alox GCC plugin: actors for plain C.
 *
 * Built as alox.so and loaded with `gcc -fplugin=alox`. It gives meaning
 * to the annotations of <alox.h> and rewrites behaviour calls into message
 * sends, so a C program written with actors runs on the Alox runtime.
 *
 * Before (what the user writes):
 *
 *     struct alox_actor pinger { int64_t hits; };
 *     alox_behave void ping(struct pinger *self, int32_t n, struct ponger *to) {
 *         self->hits++;
 *         if (n > 0) pong(to, n - 1, self);
 *     }
 *     ...
 *     struct pinger *a = alox_new(struct pinger);
 *     ping(a, 1000, b);
 *
 * After (what the plugin makes of it, in C terms; see include/alox/abi.h):
 *
 *     struct __alox_args_ping { int32_t a1; struct ponger *a2; };
 *     static void __alox_tramp_ping(void *self, const void *a) {
 *         const struct __alox_args_ping *p = a;
 *         ping(self, p->a1, p->a2);                  the only direct call left
 *     }
 *     const alox_behaviour_desc __alox_behaviour_ping = {
 *         1, 16, 8, 1, "pinger.ping", "(i32,@ponger)", <FNV-1a hashes>,
 *         __alox_tramp_ping, __alox_refs_ping };    refs: {8, ACTOR, hash("ponger")}
 *     const alox_type_desc __alox_type_pinger = {...};       comdat, one per program
 *     __attribute__((constructor(101))) register the type
 *     __attribute__((constructor(102))) register the behaviour
 *     ...
 *     struct pinger *a = alox_spawn(&__alox_type_pinger);
 *     struct __alox_args_ping tmp = { 1000, b };
 *     alox_send(a, &__alox_behaviour_ping, &tmp);   returns at once
 *     ping's body is the local __alox_body_ping; the symbol ping sends too
 *     alox_after(5, ping(a, 1, b))  ->  alox_send_after(5, a, &__alox_behaviour_ping, &tmp)
 *
 * Why a compiler plugin: a send must look like a call to stay plain C, yet
 * must never run the body synchronously, so every call site is rewritten
 * before the optimisers see it (rewrite.cc), the body is reachable only
 * through the trampoline, and anything that would bypass the rewrite
 * (taking a behaviour's address, an actor by value, a pointer the runtime
 * cannot translate) is a compile-time error with a way out (checks.cc).
 *
 * A unit without Alox annotations is left alone: every callback returns at
 * once until an annotation or alox.h's alox__new declaration is seen, so
 * the object code is identical to a build without the plugin.
 *
 * The files: attributes.cc (annotations), model.cc (GCC's types for the
 * rules and messages both front ends share, plugin/common), checks.cc
 * (rules), refs.cc (alox_after, alox_monitor, alox_watch_fd), signature.cc
 * (layout, signature, hashes, refs), emit.cc (descriptors, trampolines,
 * constructors), body.cc (the behaviour's own symbol sends), rewrite.cc
 * (the GIMPLE pass). Verified facts about GCC 12's plugin API behind these
 * choices: docs/gcc-plugin-facts.md.
 */
#include "alox-plugin.h"

#include "langhooks.h"

/* lto1 loads the plugin too when -fplugin reaches an -flto link, but it has
 * no C front end: these are weak so the plugin still loads there, and
 * plugin_init does nothing when they are absent. */
extern cpp_reader *parse_in __attribute__((weak));
extern void cpp_define(cpp_reader *, const char *) __attribute__((weak));
extern cpp_options *cpp_get_options(cpp_reader *) __attribute__((weak));
extern cpp_callbacks *cpp_get_callbacks(cpp_reader *) __attribute__((weak));

int plugin_is_GPL_compatible;

namespace alox {

static plugin_info info = {
    "0.1.0",
    "Alox: actors for C. Gives alox_actor/alox_behave/alox_stage their meaning "
    "and turns behaviour calls into message sends (see alox.h).",
};

static void on_pragmas(void *, void *) {
  /* Defining a macro on already-preprocessed input would break its line
   * markers (facts note); -E and normal compiles get it. */
  if (!parse_in || cpp_get_options(parse_in)->preprocessed)
    return;
  /* No file is entered yet: the define hook of -g3 (debug info for macros)
   * or -dD would look up a location that does not exist and crash. */
  cpp_callbacks *callbacks = cpp_get_callbacks(parse_in);
  auto hook = callbacks->define;
  callbacks->define = NULL;
  cpp_define(parse_in, "__ALOX__=1");
  callbacks->define = hook;
}

/* Parameters of an ordinary function taking an actor struct by value. */
static void check_parameters(tree fndecl) {
  for (tree p = DECL_ARGUMENTS(fndecl); p; p = DECL_CHAIN(p))
    check_decl_by_value(p);
}

static void on_finish_decl(void *gcc_data, void *) {
  tree decl = (tree)gcc_data;
  if (TREE_CODE(decl) == TYPE_DECL)
    note_reply_type(decl); /* alox/abi.h's, before anything makes the unit active */
  if (TREE_CODE(decl) == FUNCTION_DECL && DECL_NAME(decl)) {
    note_runtime_decl(decl);
    if (id_equal(DECL_NAME(decl), "alox__new"))
      set_active();
  }
  if (!is_active())
    return;
  /* Prototypes here; definitions at pre-genericize. */
  if (TREE_CODE(decl) == FUNCTION_DECL && is_behaviour(decl))
    check_behaviour(decl);
  else if (TREE_CODE(decl) == FUNCTION_DECL)
    check_parameters(decl);
  if (TREE_CODE(decl) == PARM_DECL)
    return; /* parameters are checked with their function */
  if (TREE_CODE(decl) == TYPE_DECL) {
    note_typedef(decl); /* the name of an anonymous actor struct */
  }
  check_decl_by_value(decl);
  if (VAR_P(decl) && TREE_STATIC(decl) && DECL_INITIAL(decl))
    scan_expr(&DECL_INITIAL(decl), DECL_SOURCE_LOCATION(decl), NULL);
}

static void on_finish_type(void *gcc_data, void *) {
  if (is_active() && gcc_data)
    check_members((tree)gcc_data);
}

static void on_pre_genericize(void *gcc_data, void *) {
  tree fndecl = (tree)gcc_data;
  if (!is_active())
    return;
  bool behaviour = is_behaviour(fndecl);
  if (behaviour)
    finish_future_body(fndecl); /* its type returns alox_future(T) again */
  bool ok = behaviour ? check_behaviour(fndecl) : true;
  if (!behaviour)
    check_parameters(fndecl);
  std::vector<tree> spawned;
  scanning_function = fndecl;
  scan_expr(&DECL_SAVED_TREE(fndecl), DECL_SOURCE_LOCATION(fndecl), &spawned);
  scanning_function = NULL_TREE;
  if (seen_error() || !ok)
    return; /* the build fails anyway: emit nothing */
  for (tree actor : spawned)
    emit_type(actor);
  if (behaviour)
    emit_behaviour(fndecl);
}

static const ggc_root_tab roots[] = {
    {&gc_roots, 1, sizeof(gc_roots), &gt_ggc_mx_tree_node, &gt_pch_nx_tree_node},
    LAST_GGC_ROOT_TAB,
};

static void register_callbacks(const char *name) {
  register_callback(name, PLUGIN_INFO, NULL, &info);
  register_callback(name, PLUGIN_ATTRIBUTES, [](void *, void *) { register_attributes(); },
                    NULL);
  register_callback(name, PLUGIN_PRAGMAS, on_pragmas, NULL);
  register_callback(name, PLUGIN_FINISH_DECL, on_finish_decl, NULL);
  register_callback(name, PLUGIN_FINISH_TYPE, on_finish_type, NULL);
  register_callback(name, PLUGIN_START_PARSE_FUNCTION, on_start_parse_function, NULL);
  register_callback(name, PLUGIN_PRE_GENERICIZE, on_pre_genericize, NULL);
  register_callback(name, PLUGIN_REGISTER_GGC_ROOTS, NULL, (void *)roots);
  struct register_pass_info pass = {make_rewrite_pass(g), "cfg", 1, PASS_POS_INSERT_AFTER};
  register_callback(name, PLUGIN_PASS_MANAGER_SETUP, NULL, &pass);
}

} // namespace alox

/* "GNU C", "GNU C17", ... but not "GNU C++17". */
static bool is_c(const char *lang) {
  return strncmp(lang, "GNU C", 5) == 0 && lang[5] != '+';
}

int plugin_init(plugin_name_args *args, plugin_gcc_version *version) {
  if (!plugin_default_version_check(version, &gcc_version)) {
    error("the Alox plugin was built for GCC %s (%s) and cannot run in this "
          "GCC %s (%s); rebuild it against the plugin headers of this compiler",
          gcc_version.basever, gcc_version.datestamp, version->basever,
          version->datestamp);
    return 1;
  }
  for (int i = 0; i < args->argc; i++)
    warning(0, "the Alox plugin takes no arguments; ignoring %<-fplugin-arg-%s-%s%>",
            args->base_name, args->argv[i].key);
  /* lto1 (no C front end) or another language: leave the compile alone;
   * alox.h then stops with #error since __ALOX__ stays undefined. */
  bool has_cpp = &parse_in && cpp_define && cpp_get_options && cpp_get_callbacks;
  if (!has_cpp || !is_c(lang_hooks.name))
    return 0;
  alox::register_callbacks(args->base_name);
  return 0;
}
