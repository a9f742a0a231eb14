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
 *   __alox_after_call (250, &tick, self, 1)          (alox_after, refs.cc)
 * becomes
 *   alox_args.a1 = 1;   alox_send_after (250, self, &__alox_behaviour_tick, &alox_args);
 *
 *   alox__monitor (self, w, &on_down)                (and alox__watch_fd)
 * becomes
 *   alox_monitor_desc (self, w, &__alox_behaviour_on_down);
 *
 * Any other address of a behaviour left in the unit is an error: one a
 * plain declaration let through before the alox_behave declaration came.
 * The trampolines and constructors the plugin generated are skipped: the
 * trampoline is the one caller allowed to call a behaviour's body.
 */
#include "alox-plugin.h"

namespace alox {

/* The call's arguments from `first` on, stored into a new packed record
 * of b (NULL_TREE if it has none). False (with an error) if they do not
 * match, which only an unprototyped call can do. */
static bool pack_arguments(gimple_stmt_iterator *gsi, gcall *call, behaviour *b, unsigned first,
                           tree *tmp) {
  unsigned fields = 0;
  if (b->args_type)
    for (tree f = TYPE_FIELDS(b->args_type); f; f = DECL_CHAIN(f))
      fields += !is_reply_field(f); /* a future's reply: the runtime fills it */
  if (gimple_call_num_args(call) != first + fields) {
    char n[16], m[16], k[16];
    snprintf(n, sizeof n, "%u", gimple_call_num_args(call) - first + 1);
    snprintf(m, sizeof m, "%u", fields + 1);
    snprintf(k, sizeof k, "%u", fields);
    alox_msg msg = {};
    msg.fn = IDENTIFIER_POINTER(DECL_NAME(b->fndecl));
    msg.n = n, msg.m = m, msg.k = k;
    report(gimple_location(call), ALOX_RULE_CALL_ARITY, msg);
    return false;
  }
  *tmp = NULL_TREE;
  if (!b->args_type)
    return true;
  *tmp = create_tmp_var(b->args_type, "alox_args");
  TREE_ADDRESSABLE(*tmp) = 1;
  location_t loc = gimple_location(call);
  unsigned i = first;
  for (tree f = TYPE_FIELDS(b->args_type); f && !is_reply_field(f); f = DECL_CHAIN(f), i++) {
    tree value = gimple_call_arg(call, i);
    if (is_gimple_reg_type(TREE_TYPE(f))) /* undo promotions: store the member's width */
      value = force_gimple_operand_gsi(gsi, fold_convert(TREE_TYPE(f), value), true,
                                       NULL_TREE, true, GSI_SAME_STMT);
    tree member = build3(COMPONENT_REF, TREE_TYPE(f), *tmp, f, NULL_TREE);
    gassign *store = gimple_build_assign(member, value);
    gimple_set_location(store, loc);
    gsi_insert_before(gsi, store, GSI_SAME_STMT);
  }
  return true;
}

static tree address_of(tree decl) {
  TREE_ADDRESSABLE(decl) = 1;
  return build_fold_addr_expr(decl);
}

/* Replace call by `replacement` (same lhs, location); the packed record,
 * if any, dies right after. */
static void replace_call(gimple_stmt_iterator *gsi, gcall *call, gcall *replacement, tree tmp) {
  gimple_call_set_lhs(replacement, gimple_call_lhs(call));
  gimple_set_location(replacement, gimple_location(call));
  bool ends_block = stmt_ends_bb_p(call);
  gsi_replace(gsi, replacement, true);
  if (tmp && !ends_block) {
    gassign *clobber = gimple_build_assign(tmp, build_clobber(TREE_TYPE(tmp)));
    gsi_insert_after(gsi, clobber, GSI_SAME_STMT);
  }
}

/* ping (a, n, b)  ->  alox_send (a, &__alox_behaviour_ping, &{n, b})
 * f = get (c, k)   ->  f = alox_ask (c, &__alox_behaviour_get, &{k})    (future.cc) */
static void rewrite_send(gimple_stmt_iterator *gsi, gcall *call, tree callee) {
  behaviour *b = behaviour_for_call(callee);
  tree tmp;
  if (!pack_arguments(gsi, call, b, 1, &tmp))
    return;
  tree entry = send_decl();
  if (future_of_behaviour(callee))
    entry = runtime_entry(gimple_call_lhs(call) ? "alox_ask" : "alox_ask_forget");
  if (!entry)
    return;
  gcall *send = gimple_build_call(entry, 3, gimple_call_arg(call, 0), address_of(b->desc),
                                  tmp ? build_fold_addr_expr(tmp) : null_pointer_node);
  replace_call(gsi, call, send, tmp);
}

static tree handle_of(gimple_stmt_iterator *gsi, tree entry, tree future) {
  tree parm = TREE_VALUE(TYPE_ARG_TYPES(TREE_TYPE(entry)));
  return force_gimple_operand_gsi(gsi, fold_convert(parm, future), true, NULL_TREE, true,
                                  GSI_SAME_STMT);
}

static tree as_u64(gimple_stmt_iterator *gsi, tree v) {
  return force_gimple_operand_gsi(gsi, fold_convert(uint64_type_node, v), true, NULL_TREE, true,
                                  GSI_SAME_STMT);
}


/* alox__then (0, f, self, &got, ms)
 *   ->  alox_then_desc (f, self, &__alox_behaviour_got, ms, sizeof (T)) */
static void rewrite_then(gimple_stmt_iterator *gsi, gcall *call, const alox_refapi *api) {
  tree entry = runtime_entry(api->entry);
  if (!entry || gimple_call_num_args(call) != 6)
    return; /* refs.cc adds sizeof (T) to a call it checked */
  tree ref = gimple_call_arg(call, api->ref_arg);
  if (TREE_CODE(ref) != ADDR_EXPR || !is_behaviour(TREE_OPERAND(ref, 0)))
    return; /* reported by refs.cc */
  tree future = gimple_call_arg(call, 1);
  gcall *then = gimple_build_call(entry, 5, handle_of(gsi, entry, future),
                                  gimple_call_arg(call, 2),
                                  address_of(behaviour_for_call(TREE_OPERAND(ref, 0))->desc),
                                  as_u64(gsi, gimple_call_arg(call, 4)), gimple_call_arg(call, 5));
  replace_call(gsi, call, then, NULL_TREE);
}

/* s = alox__await (0, f, ms, &v)  ->  s = alox_await_value (f, ms, &v, sizeof (T)) */
static void rewrite_await(gimple_stmt_iterator *gsi, gcall *call) {
  tree entry = runtime_entry("alox_await_value");
  if (!entry || gimple_call_num_args(call) != 5)
    return; /* future.cc adds sizeof (T) to a call it checked */
  tree future = gimple_call_arg(call, 1);
  gcall *await = gimple_build_call(entry, 4, handle_of(gsi, entry, future),
                                   as_u64(gsi, gimple_call_arg(call, 2)),
                                   gimple_call_arg(call, 3), gimple_call_arg(call, 4));
  replace_call(gsi, call, await, NULL_TREE);
}

/* __alox_after_call (ms, &tick, self, 1)  (refs.cc)
 *   ->  alox_send_after (ms, self, &__alox_behaviour_tick, &{1}) */
static void rewrite_after(gimple_stmt_iterator *gsi, gcall *call) {
  tree fn = TREE_OPERAND(gimple_call_arg(call, 1), 0);
  behaviour *b = behaviour_for_call(fn);
  tree tmp;
  if (!pack_arguments(gsi, call, b, 3, &tmp))
    return;
  tree entry = runtime_entry("alox_send_after");
  if (!entry)
    return;
  gcall *send = gimple_build_call(entry, 4, gimple_call_arg(call, 0), gimple_call_arg(call, 2),
                                  address_of(b->desc),
                                  tmp ? build_fold_addr_expr(tmp) : null_pointer_node);
  replace_call(gsi, call, send, tmp);
}

/* alox__monitor (self, target, &on_down)
 *   ->  alox_monitor_desc (self, target, &__alox_behaviour_on_down) */
static void rewrite_reference(gimple_stmt_iterator *gsi, gcall *call, const alox_refapi *api) {
  tree entry = runtime_entry(api->entry);
  if (!entry || gimple_call_num_args(call) <= (unsigned)api->ref_arg)
    return;
  tree ref = gimple_call_arg(call, api->ref_arg);
  if (TREE_CODE(ref) != ADDR_EXPR || !is_behaviour(TREE_OPERAND(ref, 0)))
    return; /* reported by refs.cc */
  vec<tree> args = vNULL;
  for (unsigned i = 0; i < gimple_call_num_args(call); i++)
    args.safe_push((int)i == api->ref_arg
                       ? address_of(behaviour_for_call(TREE_OPERAND(ref, 0))->desc)
                       : gimple_call_arg(call, i));
  gcall *replacement = gimple_build_call_vec(entry, args);
  args.release();
  replace_call(gsi, call, replacement, NULL_TREE);
}

/* ----- addresses of behaviours the checks could not see yet ------------ */

/* A behaviour declared alox_behave only after a plain declaration was
 * used: once the unit is parsed its address is known to be a body's. */
static tree late_address_cb(tree *tp, int *walk_subtrees, void *data) {
  if (TREE_CODE(*tp) == ADDR_EXPR && is_behaviour(TREE_OPERAND(*tp, 0))) {
    location_t at = EXPR_HAS_LOCATION(*tp) ? EXPR_LOCATION(*tp) : *(location_t *)data;
    report_address_taken(at, TREE_OPERAND(*tp, 0));
    return *tp;
  }
  if (TYPE_P(*tp))
    *walk_subtrees = 0;
  return NULL_TREE;
}

static tree late_address_op(tree *tp, int *walk_subtrees, void *data) {
  walk_stmt_info *wi = (walk_stmt_info *)data;
  return late_address_cb(tp, walk_subtrees, wi->info);
}

static void check_late_address(gimple *stmt) {
  location_t loc = gimple_location(stmt);
  walk_stmt_info wi = {};
  wi.info = &loc;
  walk_gimple_op(stmt, late_address_op, &wi);
}

/* File-scope and static initializers, once per unit. */
static void check_late_initializers() {
  static bool done;
  if (done)
    return;
  done = true;
  varpool_node *node;
  FOR_EACH_VARIABLE(node) {
    tree decl = node->decl;
    if (DECL_INITIAL(decl) && DECL_INITIAL(decl) != error_mark_node) {
      location_t loc = DECL_SOURCE_LOCATION(decl);
      walk_tree_without_duplicates(&DECL_INITIAL(decl), late_address_cb, &loc);
    }
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
    check_late_initializers();
    restore_future_types();
    if (is_generated(fun->decl))
      return 0;
    check_future_paths(fun);
    basic_block bb;
    FOR_EACH_BB_FN(bb, fun) {
      for (gimple_stmt_iterator gsi = gsi_start_bb(bb); !gsi_end_p(gsi); gsi_next(&gsi)) {
        gcall *call = dyn_cast<gcall *>(gsi_stmt(gsi));
        tree callee = call ? gimple_call_fndecl(call) : NULL_TREE;
        if (!callee) {
          check_late_address(gsi_stmt(gsi));
          continue;
        }
        const alox_refapi *api = refapi_of(callee);
        if (is_behaviour(callee))
          rewrite_send(&gsi, call, callee);
        else if (is_after_call(callee))
          rewrite_after(&gsi, call);
        else if (api && strcmp(api->api, "alox_then") == 0)
          rewrite_then(&gsi, call, api);
        else if (is_await_marker(callee))
          rewrite_await(&gsi, call);
        else if (api && api->kind == ALOX_REFAPI_CALLBACK)
          rewrite_reference(&gsi, call, api);
        else if (is_spawn(callee))
          rewrite_spawn(&gsi, call);
        if (!is_behaviour(gimple_call_fndecl(as_a<gcall *>(gsi_stmt(gsi)))))
          check_late_address(gsi_stmt(gsi)); /* a call left: reported already */
      }
    }
    return 0;
  }
};

opt_pass *make_rewrite_pass(gcc::context *ctxt) { return new rewrite_pass(ctxt); }

} // namespace alox
