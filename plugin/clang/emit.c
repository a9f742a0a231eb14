/*
 * emit.c - the C text alox-clang adds to a unit: what include/alox/abi.h
 * asks a front end to emit, with the same symbols as the GCC plugin.
 *
 * Before the first top-level declaration that sends `ping` (guarded, so a
 * header seen twice or a second sender adds nothing):
 *
 *     struct __alox_args_ping { __typeof__(int32_t) a1; __typeof__(struct ponger *) a2; };
 *     _Static_assert(sizeof(struct __alox_args_ping) == 16 && ..., "...");
 *     extern const alox_behaviour_desc __alox_behaviour_ping;   (static if ping is)
 *     static inline void __alox_send_ping(struct pinger *self, int32_t a1, struct ponger *a2) {
 *         struct __alox_args_ping args = { a1, a2 };
 *         alox_send(self, &__alox_behaviour_ping, &args);
 *     }
 *
 * The stub has the behaviour's own parameter types, so a rewritten call
 * `__alox_send_ping(a, n, b)` converts and evaluates its arguments exactly
 * as the call `ping(a, n, b)` did (once each, in any expression context),
 * and always_inline makes it as cheap as the GCC plugin's inline packing.
 *
 * At the end of the main file, for each behaviour defined in the unit:
 * trampoline, ref list, descriptor, constructor (priority 102); for each
 * actor type spawned or given behaviours: a weak __alox_type_<tag> and
 * its constructor (priority 101). All of it is nodebug (the GCC plugin's
 * DECL_IGNORED_P) and compiled with every warning off, so -Wall -Wextra
 * -Werror -pedantic builds of the user's code are unaffected.
 */
#include "alox-clang.h"

#include <inttypes.h>

void emit_begin(strbuf *out) {
    sb_puts(out, "#pragma clang diagnostic push\n"
                 "#pragma clang diagnostic ignored \"-Weverything\"\n"
                 "#pragma pack(push)\n"
                 "#pragma pack()\n");
}

void emit_end(strbuf *out) {
    sb_puts(out, "#pragma pack(pop)\n"
                 "#pragma clang diagnostic pop\n");
}

/* struct __alox_args_<fn>, its layout check, the descriptor's declaration. */
static void emit_args(strbuf *out, behaviour *b) {
    const char *fn = b->name;
    layout *l = &b->lay;
    sb_printf(out, "#ifndef __ALOX_ARGS_%s\n#define __ALOX_ARGS_%s 1\n", fn, fn);
    if (l->count || l->future) {
        sb_printf(out, "struct __alox_args_%s {", fn);
        for (int i = 0; i < l->count; i++)
            sb_printf(out, " __typeof__(%s) a%d;", l->member_types[i], i + 1);
        if (l->future) /* where the answer goes: the runtime fills it (alox/abi.h) */
            sb_puts(out, " alox_reply __alox_reply;");
        sb_puts(out, " };\n");
        sb_printf(out,
                  "_Static_assert(sizeof(struct __alox_args_%s) == %" PRIu64
                  " && _Alignof(struct __alox_args_%s) == %" PRIu64
                  ", \"alox-clang: packed layout of %s\");\n",
                  fn, l->size, fn, l->align, fn);
    }
    sb_printf(out, "%sconst alox_behaviour_desc __alox_behaviour_%s;\n",
              b->is_static ? "static " : "extern ", fn);
    sb_puts(out, "#endif\n");
}

/* The packed arguments of a call, then `entry(self, &desc, &args)`. */
static void emit_pack_and_call(strbuf *out, behaviour *b, const char *prefix, const char *entry) {
    const char *fn = b->name;
    if (b->lay.count || b->lay.future) {
        sb_printf(out, "    struct __alox_args_%s __alox_args = {", fn);
        for (int i = 0; i < b->lay.count; i++)
            sb_printf(out, "%s __alox_a%d", i ? "," : "", i + 1);
        if (!b->lay.count)
            sb_puts(out, "0");
        sb_printf(out, " };\n    %s%s((void *)__alox_self, &__alox_behaviour_%s, &__alox_args);\n",
                  prefix, entry, fn);
    } else {
        sb_printf(out, "    %s%s((void *)__alox_self, &__alox_behaviour_%s, (const void *)0);\n",
                  prefix, entry, fn);
    }
}

/* alox_future(T): __alox_send_<fn> asks (returns the future), and
 * __alox_tell_<fn>, for a call whose result is unused, asks for no answer. */
static void emit_ask_prelude(strbuf *out, behaviour *b) {
    const char *fn = b->name;
    sb_printf(out, "#ifndef __ALOX_SEND_%s\n#define __ALOX_SEND_%s 1\n", fn, fn);
    for (int tell = 0; tell < 2; tell++) {
        sb_printf(out,
                  "static __inline__ __attribute__((__always_inline__, __nodebug__, __unused__)) ");
        if (tell)
            sb_printf(out, "void __alox_tell_%s(__typeof__(%s) __alox_self", fn, b->self_type);
        else
            sb_printf(out, "alox__future_t(%s) __alox_send_%s(__typeof__(%s) __alox_self",
                      b->value_type, fn, b->self_type);
        for (int i = 0; i < b->lay.count; i++)
            sb_printf(out, ", __typeof__(%s) __alox_a%d", b->lay.member_types[i], i + 1);
        sb_puts(out, ") {\n");
        strbuf prefix = {0};
        if (!tell)
            sb_printf(&prefix, "return (alox__future_t(%s))", b->value_type);
        emit_pack_and_call(out, b, tell ? "" : prefix.data, tell ? "alox_ask_forget" : "alox_ask");
        sb_free(&prefix);
        sb_puts(out, "}\n");
    }
    sb_puts(out, "#endif\n");
}

void emit_send_prelude(strbuf *out, behaviour *b) {
    const char *fn = b->name;
    emit_args(out, b);
    if (b->lay.future) {
        emit_ask_prelude(out, b);
        return;
    }
    sb_printf(out, "#ifndef __ALOX_SEND_%s\n#define __ALOX_SEND_%s 1\n", fn, fn);
    sb_printf(out,
              "static __inline__ __attribute__((__always_inline__, __nodebug__, __unused__)) "
              "void __alox_send_%s(__typeof__(%s) __alox_self",
              fn, b->self_type);
    for (int i = 0; i < b->lay.count; i++)
        sb_printf(out, ", __typeof__(%s) __alox_a%d", b->lay.member_types[i], i + 1);
    sb_puts(out, ") {\n");
    if (b->lay.count) {
        sb_printf(out, "    struct __alox_args_%s __alox_args = {", fn);
        for (int i = 0; i < b->lay.count; i++)
            sb_printf(out, "%s __alox_a%d", i ? "," : "", i + 1);
        sb_printf(out, " };\n    alox_send((void *)__alox_self, &__alox_behaviour_%s, &__alox_args);\n", fn);
    } else {
        sb_printf(out, "    alox_send((void *)__alox_self, &__alox_behaviour_%s, (const void *)0);\n", fn);
    }
    sb_puts(out, "}\n#endif\n");
}

void emit_desc_prelude(strbuf *out, behaviour *b) { emit_args(out, b); }

/* alox_after(ms, tick(self, 1)) is rewritten into
 * __ALOX_AFTER(ms, __alox_pend_tick(self, 1)): the call's target, its
 * descriptor and its packed arguments, a compound literal of the caller's
 * block (so it lives through the call), then alox_send_after. */
void emit_after_prelude(strbuf *out) {
    sb_puts(out,
            "#ifndef __ALOX_AFTER\n"
            "struct __alox_pending { void *target; const alox_behaviour_desc *behaviour; "
            "const void *args; };\n"
            "static __inline__ __attribute__((__always_inline__, __nodebug__, __unused__)) "
            "alox_timer __alox_after_pending(uint64_t __alox_ms, struct __alox_pending __alox_p) "
            "{ return alox_send_after(__alox_ms, __alox_p.target, __alox_p.behaviour, "
            "__alox_p.args); }\n"
            "#define __ALOX_AFTER(ms, call) __alox_after_pending((ms), (call))\n"
            "#endif\n");
}

void emit_pend_prelude(strbuf *out, behaviour *b) {
    const char *fn = b->name;
    emit_args(out, b);
    sb_printf(out, "#ifndef __alox_pend_%s\n", fn);
    if (b->lay.count)
        sb_printf(out,
                  "#define __alox_pend_%s(self, ...) ((struct __alox_pending){ (void *)(self), "
                  "&__alox_behaviour_%s, &(struct __alox_args_%s){ __VA_ARGS__ } })\n",
                  fn, fn, fn);
    else
        sb_printf(out,
                  "#define __alox_pend_%s(self) ((struct __alox_pending){ (void *)(self), "
                  "&__alox_behaviour_%s, (const void *)0 })\n",
                  fn, fn);
    sb_puts(out, "#endif\n");
}

/* The body of an extern behaviour defined here is emitted as
 * __alox_body_<fn> (the pragma, at the top of the unit, renames every
 * declaration of fn, before and after it), and fn's own symbol becomes a
 * function that sends: a unit that calls fn without knowing it is a
 * behaviour (a plain prototype, no front end, a function pointer) sends. */
void emit_body_rename(strbuf *out, behaviour *b) {
    sb_printf(out, "#pragma redefine_extname %s __alox_body_%s\n", b->name, b->name);
}

void emit_sending_symbol(strbuf *out, behaviour *b) {
    const char *fn = b->name;
    strbuf params = {0};
    sb_printf(&params, "__typeof__(%s) __alox_self", b->self_type);
    for (int i = 0; i < b->lay.count; i++)
        sb_printf(&params, ", __typeof__(%s) __alox_a%d", b->lay.member_types[i], i + 1);
    const char *visibility = clang_getCursorVisibility(b->decl) == CXVisibility_Hidden
                                 ? ", __visibility__(\"hidden\")"
                                 : clang_getCursorVisibility(b->decl) == CXVisibility_Protected
                                       ? ", __visibility__(\"protected\")"
                                       : "";
    strbuf ret = {0}, prefix = {0};
    if (b->lay.future) {
        sb_printf(&ret, "alox__future_t(%s)", b->value_type);
        sb_printf(&prefix, "return (%s)", ret.data);
    } else {
        sb_puts(&ret, "void");
    }
    sb_printf(out, "__attribute__((__nodebug__, __used__%s)) %s __alox_sender_%s(%s) __asm__(\"%s\");\n",
              visibility, ret.data, fn, params.data, fn);
    sb_printf(out, "%s __alox_sender_%s(%s) {\n", ret.data, fn, params.data);
    emit_pack_and_call(out, b, b->lay.future ? prefix.data : "",
                       b->lay.future ? "alox_ask" : "alox_send");
    sb_puts(out, "}\n");
    sb_free(&ret), sb_free(&prefix);
    sb_free(&params);
}

void emit_spawn_prelude(strbuf *out, const char *tag) {
    sb_printf(out,
              "#ifndef __ALOX_SPAWN_%s\n"
              "#define __ALOX_SPAWN_%s(T) ((T *)alox_spawn(&__alox_type_%s))\n"
              "extern __attribute__((__weak__)) const alox_type_desc __alox_type_%s;\n"
              "#endif\n",
              tag, tag, tag, tag);
}

void emit_type(strbuf *out, const char *tag, const char *spelled) {
    sb_printf(out, "#ifndef __ALOX_TYPE_%s\n#define __ALOX_TYPE_%s 1\n", tag, tag);
    sb_printf(out,
              "__attribute__((__weak__, __nodebug__)) const alox_type_desc __alox_type_%s = "
              "{ %uu, 0u, \"%s\", 0x%016" PRIx64 "ull, sizeof(%s), _Alignof(%s) };\n",
              tag, 1u, tag, alox_fe_hash(tag), spelled, spelled);
    sb_printf(out,
              "__attribute__((__constructor__(101), __nodebug__, __used__)) static void "
              "__alox_register_type_%s(void) { alox_register_type(&__alox_type_%s); }\n",
              tag, tag);
    sb_puts(out, "#endif\n");
}

static void line_directive(strbuf *out, unsigned line, const char *file) {
    sb_printf(out, "#line %u \"", line);
    for (const char *p = file; *p; p++) {
        if (*p == '"' || *p == '\\')
            sb_putc(out, '\\');
        sb_putc(out, *p);
    }
    sb_puts(out, "\"\n");
}

void emit_behaviour(strbuf *out, behaviour *b, unsigned line, const char *file) {
    const char *fn = b->name;
    layout *l = &b->lay;
    line_directive(out, line, file);
    emit_args(out, b);
    /* trampoline: the one direct call of the body left in the program */
    sb_printf(out,
              "static __attribute__((__nodebug__, __used__)) void __alox_tramp_%s("
              "void *__alox_self, const void *__alox_args) {\n",
              fn);
    if (l->count || l->future)
        sb_printf(out,
                  "    const struct __alox_args_%s *__alox_p = "
                  "(const struct __alox_args_%s *)__alox_args;\n",
                  fn, fn);
    else
        sb_puts(out, "    (void)__alox_args;\n");
    if (l->future) /* the body's returns answer this request (future.c) */
        sb_puts(out, "    alox__reply_enter(&__alox_p->__alox_reply);\n");
    sb_printf(out, "    (void)(%s)((__typeof__(%s))__alox_self", fn, b->self_type);
    for (int i = 0; i < l->count; i++)
        sb_printf(out, ", __alox_p->a%d", i + 1);
    sb_puts(out, ");\n}\n");
    if (l->ref_count) {
        sb_printf(out, "static __attribute__((__nodebug__)) const alox_arg_ref __alox_refs_%s[] = {", fn);
        for (int i = 0; i < l->ref_count; i++)
            sb_printf(out, "%s {%" PRIu64 "u, %uu, 0x%016" PRIx64 "ull}", i ? "," : "",
                      l->refs[i].offset, l->refs[i].kind, l->refs[i].type_hash);
        sb_puts(out, " };\n");
    }
    strbuf qualified = {0};
    sb_printf(&qualified, "%s.%s", b->tag, fn);
    sb_printf(out,
              "%s__attribute__((__nodebug__)) const alox_behaviour_desc __alox_behaviour_%s = {"
              " %uu, %" PRIu64 "u, %" PRIu64 "u, %uu, \"%s\", \"%s\", 0x%016" PRIx64 "ull,"
              " 0x%016" PRIx64 "ull, 0x%016" PRIx64 "ull, __alox_tramp_%s, ",
              b->is_static ? "static " : "", fn, 1u, l->size, l->align, (unsigned)l->ref_count,
              qualified.data, b->signature, alox_fe_hash(qualified.data), alox_fe_hash(b->signature),
              alox_fe_hash(b->tag), fn);
    if (l->ref_count)
        sb_printf(out, "__alox_refs_%s };\n", fn);
    else
        sb_puts(out, "(const alox_arg_ref *)0 };\n");
    sb_printf(out,
              "__attribute__((__constructor__(102), __nodebug__, __used__)) static void "
              "__alox_register_behaviour_%s(void) { alox_register_behaviour(&__alox_behaviour_%s); }\n",
              fn, fn);
    sb_free(&qualified);
}
