/*
 * alox_refapi.c - the table of behaviour-reference APIs (see alox_refapi.h).
 */
#include "alox_refapi.h"

#include <string.h>

#include "alox_signature.h"

#define NONE (-1)

static const alox_refapi APIS[] = {
    {"alox_after", "alox__after", "alox_send_after", ALOX_REFAPI_DELAYED_CALL, 1, "call", NONE,
     0, {{0}}},
    {"alox_monitor", "alox__monitor", "alox_monitor_desc", ALOX_REFAPI_CALLBACK, 2, "on_down", 0,
     2,
     {{"uint64_t target_id", "u64", NULL, NONE},
      {"alox_down_reason reason", "e", "alox_down_reason", NONE}}},
    {"alox_watch_fd", "alox__watch_fd", "alox_watch_fd_desc", ALOX_REFAPI_CALLBACK, 3, "on_ready",
     0, 2,
     {{"int fd", "i32", NULL, NONE}, {"uint32_t events", "u32", NULL, NONE}}},
    /* futures: alox__then (0, future, self, on_value, timeout_ms) */
    {"alox_then", "alox__then", "alox_then_desc", ALOX_REFAPI_CALLBACK, 3, "on_value", 2, 2,
     {{"value", NULL, NULL, 1}, {"alox_status status", "e", "alox_status", NONE}}},
    /* include/alox/tcp.h */
    {"alox_tcp_listen", "alox__tcp_listen", "alox_tcp_listen_desc", ALOX_REFAPI_CALLBACK, 3,
     "on_accept", 0, 1, {{"int fd", "i32", NULL, NONE}}},
    {"alox_tcp_open", "alox__tcp_open", "alox_tcp_open_desc", ALOX_REFAPI_CALLBACK, 3, "on_data", 1,
     2, {{"int fd", "i32", NULL, NONE}, {"uint32_t events", "u32", NULL, NONE}}},
};

#define API_COUNT (int)(sizeof APIS / sizeof APIS[0])

const alox_refapi *alox_refapi_by_marker(const char *name) {
    for (int i = 0; i < API_COUNT; i++)
        if (strcmp(APIS[i].marker, name) == 0)
            return &APIS[i];
    return NULL;
}

const alox_refapi *alox_refapi_at(int i) { return i >= 0 && i < API_COUNT ? &APIS[i] : NULL; }

void alox_refapi_expected(alox_text *out, const alox_refapi *api, const char *fn,
                          const char *self_spelled, const char *value_spelled) {
    alox_text_printf(out, "alox_behave void %s(%s *self", fn, self_spelled);
    for (int i = 0; i < api->param_count; i++) {
        if (api->params[i].value_of_arg >= 0)
            alox_text_printf(out, ", %s %s", value_spelled ? value_spelled : "T",
                             api->params[i].spelled);
        else
            alox_text_printf(out, ", %s", api->params[i].spelled);
    }
    alox_text_put(out, ")");
}

static bool same_signature(const alox_type *a, const alox_type *b) {
    alox_text x = {0}, y = {0};
    alox_append_signature_type(&x, a);
    alox_append_signature_type(&y, b);
    bool same = strcmp(alox_text_str(&x), alox_text_str(&y)) == 0;
    alox_text_free(&x);
    alox_text_free(&y);
    return same;
}

static bool fits(const alox_refapi_param *want, const alox_type *got, const alox_type *value) {
    if (want->value_of_arg >= 0) /* a future's value: the type of T */
        return value && same_signature(value, got);
    if (strcmp(want->signature, "e") == 0)
        return got->kind == ALOX_TYPE_ENUM && strcmp(got->tag, want->enum_tag) == 0;
    alox_text sig = {0};
    alox_append_signature_type(&sig, got);
    bool same = strcmp(alox_text_str(&sig), want->signature) == 0;
    alox_text_free(&sig);
    return same;
}

alox_callback_check alox_check_callback(const alox_refapi *api, const alox_type *const *params,
                                        int count, const alox_type *value) {
    alox_callback_check c = {ALOX_RULE_COUNT, 0};
    if (count != api->param_count) {
        c.rule = ALOX_RULE_REF_PARAM_COUNT;
        return c;
    }
    for (int i = 0; i < count; i++)
        if (!fits(&api->params[i], params[i], value)) {
            c.rule = ALOX_RULE_REF_PARAM_TYPE;
            c.param = i;
            return c;
        }
    return c;
}
