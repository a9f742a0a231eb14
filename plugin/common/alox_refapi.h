/*
 * alox_refapi.h - runtime APIs that take a behaviour to call later.
 *
 * Timers, monitors and descriptor watches name "which behaviour to send
 * later" (README.md). alox.h spells each as a macro over a
 * marker function the front ends recognise; they check the behaviour
 * against what the runtime will send and replace the marker call by the
 * ABI entry point of include/alox/abi.h, the behaviour by its descriptor:
 *
 *   alox_monitor(self, target, on_down)   ->  alox_monitor_desc(self, target, &__alox_behaviour_on_down)
 *   alox_watch_fd(self, fd, ev, on_ready) ->  alox_watch_fd_desc(self, fd, ev, &__alox_behaviour_on_ready)
 *   alox_after(ms, tick(self, 1))         ->  alox_send_after(ms, self, &__alox_behaviour_tick, &packed)
 *
 * One table drives both front ends: a new API of either kind is one entry
 * (and its macro in alox.h, its entry point in abi.h). A callback's
 * parameters after self are given as signature pieces; `value_of_arg`
 * leaves room for futures, whose callback receives a value whose type
 * comes from another argument (alox_then(future, self, on_value, ms)).
 *
 * Thread-safety: the table is constant.
 */
#ifndef ALOX_FE_REFAPI_H
#define ALOX_FE_REFAPI_H

#include "alox_rules.h"
#include "alox_type.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum alox_refapi_kind {
    ALOX_REFAPI_CALLBACK,     /* one argument names a behaviour (a reference) */
    ALOX_REFAPI_DELAYED_CALL, /* one argument is a behaviour call, sent later */
} alox_refapi_kind;

typedef struct alox_refapi_param {
    const char *spelled;   /* as the callback declares it: "uint64_t target_id" */
    const char *signature; /* its type in abi.h's grammar: "u64"; "e": the enum enum_tag */
    const char *enum_tag;  /* for "e": the enum's tag */
    int value_of_arg;      /* >= 0: the value type of that argument's future; else -1
                              (then `spelled` is the name alone, `signature` NULL) */
} alox_refapi_param;

#define ALOX_REFAPI_MAX_PARAMS 4

typedef struct alox_refapi {
    const char *api;      /* what the user writes: "alox_monitor" */
    const char *marker;   /* what alox.h's macro calls: "alox__monitor" */
    const char *entry;    /* the abi.h function the call becomes: "alox_monitor_desc" */
    alox_refapi_kind kind;
    int ref_arg;          /* position of the behaviour (CALLBACK) or of the call (DELAYED_CALL) */
    const char *ref_name; /* that parameter's name in alox.h: "on_down" */
    int self_arg;         /* CALLBACK: it is sent to this argument, whose actor must be its self */
    int param_count;      /* CALLBACK: its parameters after self */
    alox_refapi_param params[ALOX_REFAPI_MAX_PARAMS];
} alox_refapi;

/* The API whose marker function is `name`, or NULL. */
const alox_refapi *alox_refapi_by_marker(const char *name);
/* The i-th API (for tests and documentation), NULL past the end. */
const alox_refapi *alox_refapi_at(int i);

/* The declaration a callback must have, for messages:
 * "alox_behave void on_down(struct watcher *self, uint64_t target_id, alox_down_reason reason)". */
void alox_refapi_expected(alox_text *out, const alox_refapi *api, const char *fn,
                          const char *self_spelled, const char *value_spelled);

typedef struct alox_callback_check {
    alox_rule rule; /* ALOX_RULE_COUNT if the callback fits */
    int param;      /* ALOX_RULE_REF_PARAM_TYPE: which parameter after self (from 0) */
} alox_callback_check;

/* Do a behaviour's parameters after self fit what api sends? `value` is
 * the type of the future's value (alox_then), NULL if the API has none;
 * a parameter with value_of_arg >= 0 must have that type. In messages its
 * declaration is "<value_spelled> <spelled>" ("int32_t value"). */
alox_callback_check alox_check_callback(const alox_refapi *api, const alox_type *const *params,
                                        int count, const alox_type *value);

#ifdef __cplusplus
}
#endif

#endif
