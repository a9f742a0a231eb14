/*
 * rewrite.cc - the GIMPLE pass that turns behaviour calls into sends.
 *
 * It runs right after "cfg", still inside the lowering passes: the whole
 * unit has been parsed (so it is known which descriptors this unit
 * defines), and no call-graph edge exists yet, so a behaviour body can
 * never be inlined into a sender. For each call statement:
 *
 *   ping (a, n_5, b);           (GIMPLE promoted n to int)
 * becomes
 *   alox_args.a1 = (int32_t) n_5;   alox_args.a2 = b;
 *   alox_send (a, &__alox_behaviour_ping, &alox_args);
 *   alox_args = {CLOBBER};
 *
 *   p = alox__new (16, 8, "struct pinger", 0B);
 * becomes
 *   p = alox_spawn (&__alox_type_pinger);
 *
 * The trampolines and constructors the plugin generated are skipped: the
 * trampoline is the one caller allowed to call a behaviour's body.
 */
#include "alox-plugin.h"

namespace alox {

static void store_arguments(gimple_stmt_iterator *gsi, gcall *call, tree tmp) {
  location_t loc = gimple_location(call);
  unsigned i = 1;
  for (tree f = TYPE_FIELDS(TREE_TYPE(tmp)); f; f = DECL_CHAIN(f), i++) {
    tree value = gimple_call_arg(call, i);
    if (is_gimple_reg_type(TREE_TYPE(f))) /* undo promotions: store the member's width */
      value = force_gimple_operand_gsi(gsi, fold_convert(TREE_TYPE(f), value), true,
                                       NULL_TREE, true, GSI_SAME_STMT);
    tree member = build3(COMPONENT_REF, TREE_TYPE(f), tmp, f, NULL_TREE);
    gassign *store = gimple_build_assign(member, value);
    gimple_set_location(store, loc);
    gsi_insert_before(gsi, store, GSI_SAME_STMT);
  }
}

static void rewrite_send(gimple_stmt_iterator *gsi, gcall *call, tree callee) {
  behaviour *b = behaviour_for_call(callee);
  unsigned fields = 0;
  if (b->args_type)
    for (tree f = TYPE_FIELDS(b->args_type); f; f = DECL_CHAIN(f))
      fields++;
  if (gimple_call_num_args(call) != fields + 1) {
    /* only possible without a prototype in scope at the call */
    error_at(gimple_location(call), "call to behaviour %qD with %u arguments, but it "
             "takes %u (its actor and %u more); declare the behaviour before "
             "calling it", callee, gimple_call_num_args(call), fields + 1, fields);
    return;
  }

  tree tmp = NULL_TREE, args = null_pointer_node;
  if (b->args_type) {
    tmp = create_tmp_var(b->args_type, "alox_args");
    TREE_ADDRESSABLE(tmp) = 1;
    store_arguments(gsi, call, tmp);
    args = build_fold_addr_expr(tmp);
  }
  TREE_ADDRESSABLE(b->desc) = 1;
  gcall *send = gimple_build_call(send_decl(), 3, gimple_call_arg(call, 0),
                                  build_fold_addr_expr(b->desc), args);
  gimple_set_location(send, gimple_location(call));
  bool ends_block = stmt_ends_bb_p(call);
  gsi_replace(gsi, send, true);
  if (tmp && !ends_block) {
    gassign *clobber = gimple_build_assign(tmp, build_clobber(b->args_type));
    gsi_insert_after(gsi, clobber, GSI_SAME_STMT);
  }
}

static void rewrite_spawn(gimple_stmt_iterator *gsi, gcall *call) {
  unsigned n = gimple_call_num_args(call);
  if (n != 4)
    return; /* reported by checks.cc */
  tree last = TREE_TYPE(gimple_call_arg(call, n - 1));
  if (!POINTER_TYPE_P(last))
    return;
  tree actor = TYPE_MAIN_VARIANT(TREE_TYPE(last));
  tree desc = is_actor_struct(actor) ? type_desc(actor) : NULL_TREE;
  if (!desc)
    return; /* not an actor: reported by checks.cc */
  TREE_ADDRESSABLE(desc) = 1;
  gcall *spawn = gimple_build_call(spawn_decl(), 1, build_fold_addr_expr(desc));
  gimple_call_set_lhs(spawn, gimple_call_lhs(call));
  gimple_set_location(spawn, gimple_location(call));
  gsi_replace(gsi, spawn, true);
}

static bool is_spawn(tree callee) {
  return DECL_NAME(callee) && id_equal(DECL_NAME(callee), "alox__new");
}

static const pass_data rewrite_pass_data = {
    GIMPLE_PASS,  "alox_rewrite", OPTGROUP_NONE, TV_NONE, PROP_cfg, 0, 0, 0, 0,
};

class rewrite_pass : public gimple_opt_pass {
public:
  explicit rewrite_pass(gcc::context *ctxt) : gimple_opt_pass(rewrite_pass_data, ctxt) {}

  bool gate(function *) final override { return is_active() && !seen_error(); }

  unsigned int execute(function *fun) final override {
    if (is_generated(fun->decl))
      return 0;
    basic_block bb;
    FOR_EACH_BB_FN(bb, fun) {
      for (gimple_stmt_iterator gsi = gsi_start_bb(bb); !gsi_end_p(gsi); gsi_next(&gsi)) {
        gcall *call = dyn_cast<gcall *>(gsi_stmt(gsi));
        tree callee = call ? gimple_call_fndecl(call) : NULL_TREE;
        if (!callee)
          continue;
        if (is_behaviour(callee))
          rewrite_send(&gsi, call, callee);
        else if (is_spawn(callee))
          rewrite_spawn(&gsi, call);
      }
    }
    return 0;
  }
};

opt_pass *make_rewrite_pass(gcc::context *ctxt) { return new rewrite_pass(ctxt); }

} // namespace alox
