/*
 * handmade.h - actor types and behaviours written by hand against the ABI
 * (alox/abi.h), exactly as a compiler front end emits them: a descriptor,
 * a trampoline that unpacks the arguments, registration at load time, and
 * a send function. The runtime tests and raw-ABI benchmarks use it, so
 * they test libalox alone, without the plugin.
 *
 *     struct alox_actor-like: struct counter { int64_t n; };
 *     HANDMADE_ACTOR(counter)
 *     typedef struct { int64_t k; } add_args;
 *     HANDMADE_BEHAVIOUR(counter, add, add_args, "(i64)")
 *     static void add(struct counter *self, const add_args *a) { self->n += a->k; }
 *     ...  send_add(c, (add_args){5});
 */
#ifndef ALOX_HANDMADE_H
#define ALOX_HANDMADE_H

#define ALOX_ABI_ONLY
#include <alox.h>

#define HANDMADE_ACTOR(tag)                                                                   \
    static alox_type_desc tag##_type;                                                         \
    __attribute__((constructor)) static void tag##_register_type(void) {                      \
        tag##_type = (alox_type_desc){ALOX_ABI_VERSION, 0, #tag, alox_hash(#tag),              \
                                      sizeof(struct tag), _Alignof(struct tag)};              \
        alox_register_type(&tag##_type);                                                      \
    }                                                                                         \
    static inline struct tag *new_##tag(void) { return alox_spawn(&tag##_type); }

/* Declares `static void fn(struct tag *self, const A *args)`, its
 * descriptor fn##_desc, and `send_##fn(target, A args)`. */
#define HANDMADE_BEHAVIOUR(tag, fn, A, signature)                                             \
    static void fn(struct tag *self, const A *args);                                          \
    static void fn##_trampoline(void *self, const void *args) { fn(self, args); }             \
    static alox_behaviour_desc fn##_desc;                                                     \
    __attribute__((constructor)) static void fn##_register(void) {                            \
        fn##_desc = (alox_behaviour_desc){ALOX_ABI_VERSION, sizeof(A), _Alignof(A), 0,         \
                                          #tag "." #fn, signature, alox_hash(#tag "." #fn),    \
                                          alox_hash(signature), alox_hash(#tag),               \
                                          fn##_trampoline, NULL};                              \
        alox_register_behaviour(&fn##_desc);                                                  \
    }                                                                                         \
    static inline void send_##fn(struct tag *target, A args) { alox_send(target, &fn##_desc, &args); }

#endif
