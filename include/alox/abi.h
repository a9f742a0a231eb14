/*
 * alox/abi.h - the binary interface between compiler front ends and libalox.
 *
 * The GCC plugin (plugin/gcc) and the Clang front end (plugin/clang) emit
 * exactly what this header describes, so objects built by either link into
 * one program. Hand-written code (tests, the raw-ABI benchmarks) may use it
 * too, by defining ALOX_ABI_ONLY before including <alox.h>.
 *
 * For a behaviour
 *
 *     alox_behave void ping(struct pinger *self, int32_t n, struct ponger *to);
 *
 * a front end emits, in the unit that defines the body:
 *
 *     struct ping_args { int32_t n; struct ponger *to; };      packed layout
 *     void __alox_tramp_ping(void *self, const void *a) {
 *         const struct ping_args *p = a;  ping(self, p->n, p->to);
 *     }
 *     const alox_behaviour_desc __alox_behaviour_ping = {
 *         ALOX_ABI_VERSION, sizeof(struct ping_args), _Alignof(struct ping_args),
 *         1, "pinger.ping", "(i32,@ponger)", <hash of name>, <hash of signature>,
 *         <hash of "pinger">, __alox_tramp_ping, <refs: offset 8, actor ponger>,
 *     };
 *     constructor: alox_register_behaviour(&__alox_behaviour_ping);
 *
 * The descriptor is named after the function alone (C function names are
 * unique in a program; "<tag>_<fn>" is not: tag a_b + fn c = tag a + fn b_c)
 * and has the function's linkage: extern for an extern behaviour, so a unit
 * that only sees the prototype references it; static for a static one.
 *
 * The body itself is emitted as __alox_body_ping (local to its unit, or
 * hidden), and for an extern behaviour the symbol `ping` becomes a
 * function with ping's prototype that sends:
 *
 *     void ping(struct pinger *self, int32_t n, struct ponger *to) {
 *         struct ping_args tmp = { n, to };  alox_send(self, &__alox_behaviour_ping, &tmp);
 *     }
 *
 * so a unit that reaches ping without knowing it is a behaviour (a
 * prototype without alox_behave, no front end, a function pointer taken
 * there) sends too; it never runs the body on the caller's thread.
 *
 * A front end rewrites every call `ping(a, 5, b)` (outside the trampoline) into
 *
 *     struct ping_args tmp = { 5, b };
 *     alox_send(a, &__alox_behaviour_ping, &tmp);
 *
 * Behaviour references (alox_after, alox_monitor, alox_watch_fd in alox.h)
 * become the entry points of the section "Behaviour references" below, the
 * behaviour named as its descriptor, the delayed call packed as for a send:
 *
 *     alox_after(250, ping(a, 5, b));        alox_monitor(self, a, on_down);
 * becomes
 *     struct ping_args tmp = { 5, b };
 *     alox_send_after(250, a, &__alox_behaviour_ping, &tmp);
 *     alox_monitor_desc(self, a, &__alox_behaviour_on_down);
 *
 * Thread-safety: alox_send, alox_spawn and alox__new may be called from any
 * thread at any time after alox_init. The register functions are meant for
 * load-time constructors; they take a lock and may also run later (dlopen).
 */
#ifndef ALOX_ABI_H
#define ALOX_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change to the structs or functions below.
 * The runtime refuses descriptors of another version at registration. */
#define ALOX_ABI_VERSION 1u

/* Marks the functions libalox.so exports; everything else in it is hidden
 * (built with -fvisibility=hidden), so its own calls are direct. */
#if defined(__GNUC__) || defined(__clang__)
#define ALOX_API __attribute__((visibility("default")))
#else
#define ALOX_API
#endif

/* ---------------------------------------------------------------------
 * Hashes. 64-bit FNV-1a over the bytes of a NUL-terminated string.
 * Front ends compute them at compile time; the runtime recomputes them at
 * registration and rejects a descriptor whose hashes do not match its
 * strings (a front-end bug, never the user's).
 * ------------------------------------------------------------------- */
#define ALOX_FNV_OFFSET 0xcbf29ce484222325ull
#define ALOX_FNV_PRIME 0x100000001b3ull

static inline uint64_t alox_hash(const char *text) {
    uint64_t h = ALOX_FNV_OFFSET;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        h ^= *p;
        h *= ALOX_FNV_PRIME;
    }
    return h;
}

/* ---------------------------------------------------------------------
 * Actor types.
 *
 * One descriptor per `struct alox_actor X`. Every unit that spawns or
 * defines behaviours of X may emit it (as a weak / comdat symbol named
 * __alox_type_X); several descriptors with the same name and size are
 * accepted as one type, different sizes under one name are a load error.
 * ------------------------------------------------------------------- */
typedef struct alox_type_desc {
    uint32_t abi_version; /* ALOX_ABI_VERSION */
    uint32_t flags;       /* reserved, 0 */
    const char *name;     /* the struct tag: "pinger" */
    uint64_t name_hash;   /* alox_hash(name) */
    uint64_t size;        /* sizeof(struct pinger) */
    uint64_t align;       /* _Alignof(struct pinger) */
} alox_type_desc;

/* ---------------------------------------------------------------------
 * Behaviours.
 *
 * Packed layout: the arguments after `self` are stored as the members of
 * a C struct whose members are the behaviour's parameters in order, with
 * the parameter types of the prototype (after the usual adjustment of
 * array and function parameters to pointers; no default promotions: a
 * `short` parameter is a 2-byte member). The natural layout of that struct
 * on the target is the packed layout; args_size and args_align are its
 * sizeof and _Alignof. A behaviour with no arguments has args_size 0.
 *
 * Signature string: the parameter types after self, in the grammar
 *
 *   signature := "(" [ type { "," type } ] ")"
 *   type      := "b"                         bool / _Bool
 *              | ("i" | "u") bits            integers by width and signedness
 *                                            (char -> i8 or u8 as on the target)
 *              | "f32" | "f64" | "f80" | "f128"  float, double, long double
 *              | "e" ("i" | "u") bits        enum, by its underlying type
 *              | "@" tag                     actor reference (struct tag *)
 *              | "&"                         alox_stage pointer
 *              | "[" count "]" type          fixed array
 *              | "{" tag ";" [ type { "," type } ] "}"   struct by value
 *                                            (tag empty for an anonymous struct)
 *              | "<" tag ";" [ type { "," type } ] ">"   union by value, members
 *                                            in order (pointer-free unions only)
 *
 * Qualifiers (const, volatile, _Atomic) and typedef names are dropped. The
 * signature hash lets a receiver detect a sender built from a different
 * prototype of the same behaviour.
 * ------------------------------------------------------------------- */

/* Kinds of pointer stored in a packed argument block. */
enum alox_ref_kind {
    ALOX_REF_ACTOR = 1, /* a reference to an actor (struct tag *) */
    ALOX_REF_STAGE = 2, /* an alox_stage pointer: valid only on this scheduler */
};

/* One pointer inside the packed arguments (including pointers nested in
 * structs and arrays by value), so the runtime can translate actor
 * references to ids on the wire and refuse stage pointers off-stage. */
typedef struct alox_arg_ref {
    uint32_t offset;    /* byte offset in the packed block */
    uint32_t kind;      /* enum alox_ref_kind */
    uint64_t type_hash; /* ALOX_REF_ACTOR: alox_hash(tag); ALOX_REF_STAGE: 0 */
} alox_arg_ref;

typedef void (*alox_trampoline_fn)(void *self, const void *args);

typedef struct alox_behaviour_desc {
    uint32_t abi_version;          /* ALOX_ABI_VERSION */
    uint32_t args_size;            /* sizeof the packed struct, 0 if none */
    uint32_t args_align;           /* _Alignof the packed struct, 1 if none */
    uint32_t ref_count;            /* entries in refs */
    const char *name;              /* "pinger.ping": actor tag, '.', function */
    const char *signature;         /* see the grammar above: "(i32,@ponger)" */
    uint64_t name_hash;            /* alox_hash(name) */
    uint64_t signature_hash;       /* alox_hash(signature) */
    uint64_t type_hash;            /* alox_hash of the self actor's tag */
    alox_trampoline_fn trampoline; /* unpacks args, calls the body */
    const alox_arg_ref *refs;      /* ref_count entries, or NULL */
} alox_behaviour_desc;

/* ---------------------------------------------------------------------
 * Entry points the front ends call.
 * ------------------------------------------------------------------- */

/* Load-time registration (from constructors). Aborts the program with a
 * message naming the descriptor if its version or hashes are wrong. */
ALOX_API void alox_register_type(const alox_type_desc *type);
ALOX_API void alox_register_behaviour(const alox_behaviour_desc *behaviour);

/* The mailman's send: copies args_size bytes from args into a message for
 * target and returns at once. A NULL target, a stopped target or a target
 * of another type goes to the dead-letter handler with the reason. */
ALOX_API void alox_send(void *target, const alox_behaviour_desc *behaviour, const void *args);

/* Spawn a zero-initialised actor of the given type on this scheduler and
 * return the pointer to its user struct (the actor reference). */
ALOX_API void *alox_spawn(const alox_type_desc *type);

/* ---------------------------------------------------------------------
 * Behaviour references: timers, monitors, descriptor watches.
 *
 * alox.h's alox_after, alox_monitor and alox_watch_fd name a behaviour
 * to send later. A front end checks it against what the runtime will
 * send and emits these entry points, the behaviour as its descriptor:
 *
 *     alox_timer t = alox_after(250, tick(self, 1));
 *     alox_monitor_ref r = alox_monitor(self, worker, on_down);
 *     alox_watch_fd(self, fd, ALOX_READ, on_ready);
 *
 * becomes (the arguments of the delayed call packed exactly as for
 * alox_send, evaluated now, sent 250 ms later):
 *
 *     struct tick_args tmp = { 1 };
 *     alox_timer t = alox_send_after(250, self, &__alox_behaviour_tick, &tmp);
 *     alox_monitor_ref r = alox_monitor_desc(self, worker, &__alox_behaviour_on_down);
 *     alox_watch_fd_desc(self, fd, ALOX_READ, &__alox_behaviour_on_ready);
 *
 * The callbacks' parameters after self are fixed by the API (checked at
 * compile time, an error at the argument otherwise), and their self is
 * self's actor type:
 *     on_down(struct T *self, uint64_t target_id, alox_down_reason reason)
 *     on_ready(struct T *self, int fd, uint32_t events)
 * ------------------------------------------------------------------- */
typedef struct alox_timer {
    uint64_t id; /* 0: no timer */
} alox_timer;

typedef struct alox_monitor_ref {
    uint64_t id; /* 0: none */
} alox_monitor_ref;

typedef enum alox_down_reason {
    ALOX_DOWN_STOPPED = 1,   /* the target called alox_stop (or had already) */
    ALOX_DOWN_NODE_LOST = 2, /* the target's scheduler was lost */
} alox_down_reason;

#define ALOX_READ 1u
#define ALOX_WRITE 2u

/* Send `behaviour` with the packed `args` (copied now) to target after
 * delay_ms milliseconds. */
ALOX_API alox_timer alox_send_after(uint64_t delay_ms, void *target,
                                    const alox_behaviour_desc *behaviour, const void *args);
/* Send on_down(self, alox_id(target), reason) to self once target is down. */
ALOX_API alox_monitor_ref alox_monitor_desc(void *self, void *target,
                                            const alox_behaviour_desc *on_down);
/* Send on_ready(self, fd, events) to self once fd is ready for events. */
ALOX_API int alox_watch_fd_desc(void *self, int fd, uint32_t events,
                                const alox_behaviour_desc *on_ready);

/* ---------------------------------------------------------------------
 * Futures.
 *
 * A behaviour declared `alox_future(T) get(struct c *self, int32_t k)` has
 * one more member at the end of its packed layout, an alox_reply the
 * runtime fills: where the answer goes. Its `to` is an actor reference
 * (an alox_arg_ref of type alox_hash("alox_futures")), so it crosses the
 * wire like any other; the signature string lists the user's parameters
 * only. A front end emits
 *
 *     f = get(c, 5);              ->  struct get_args tmp = { 5 };
 *                                     f = (alox_future(T))alox_ask(c, &__alox_behaviour_get, &tmp);
 *     get(c, 5);  (result unused) ->  alox_ask_forget(c, &__alox_behaviour_get, &tmp);
 *     alox_then(f, self, got, ms) ->  alox_then_desc((alox_future_handle)f, self,
 *                                                    &__alox_behaviour_got, ms, sizeof(T));
 *     alox_await(f, ms, &v)       ->  alox_await_value((alox_future_handle)f, ms, &v, sizeof(T));
 *
 * and in the trampoline of get, before calling the body,
 * alox__reply_enter(&packed->reply); each `return v;` of the body becomes
 * `{ T tmp = v; return (alox_future(T))alox__fulfil(&tmp, sizeof tmp); }`.
 * on_value's packed layout is { T value; alox_status status; }.
 * ------------------------------------------------------------------- */
typedef enum alox_status {
    ALOX_OK = 0,          /* the value is the callee's answer */
    ALOX_TIMEOUT = 1,     /* no answer within timeout_ms (a later one is dropped, counted) */
    ALOX_TARGET_DOWN = 2, /* the callee stopped, or its scheduler was lost, before answering */
} alox_status;
struct alox_futures;      /* the runtime's actor that receives answers */
struct alox__future_of;   /* never defined: marks alox_future types */
typedef struct alox_reply {
    struct alox_futures *to; /* the asking scheduler's futures actor */
    uint64_t future;         /* the pending entry there; 0: no answer wanted */
} alox_reply;
typedef void (*alox_future_handle)(struct alox__future_of *);
ALOX_API alox_future_handle alox_ask(void *target, const alox_behaviour_desc *behaviour, void *args);
ALOX_API void alox_ask_forget(void *target, const alox_behaviour_desc *behaviour, void *args);
ALOX_API void alox_then_desc(alox_future_handle future, void *self,
                             const alox_behaviour_desc *on_value, uint64_t timeout_ms,
                             uint32_t value_size);
ALOX_API alox_status alox_await_value(alox_future_handle future, uint64_t timeout_ms, void *value,
                              uint32_t value_size);
ALOX_API void alox__reply_enter(const alox_reply *reply);
/* value_size | ALOX_FULFIL_HAS_REFS when T holds actor references or stage
 * pointers (they cannot travel back in an answer to another scheduler). */
#define ALOX_FULFIL_HAS_REFS 0x80000000u
ALOX_API alox_future_handle alox__fulfil(const void *value, uint32_t value_size);
/* What alox_new(T) expands to: `spelled` is #T ("struct pinger"), the
 * trailing argument is (T *)0 so a front end can see T and replace the call
 * by alox_spawn(&__alox_type_<tag>). Without a front end the runtime finds
 * the registered type by the tag in `spelled` and checks its size. */
ALOX_API void *alox__new(uint64_t size, uint64_t align, const char *spelled, ...);

#ifdef __cplusplus
}
#endif

#endif /* ALOX_ABI_H */
