/* Checks the descriptors the plugin emitted for sendable.c against C's own
 * layout of the same parameter lists (abi.h: the packed layout is the
 * natural layout of a struct of the parameters). Compiled with the plugin
 * too, but uses no annotations. */
#define ALOX_ABI_ONLY
#include <alox/abi.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "sendable.h"

struct sender;
extern const alox_behaviour_desc __alox_behaviour_ints, __alox_behaviour_floats,
    __alox_behaviour_aggregates, __alox_behaviour_refs, __alox_behaviour_start;

struct ints_args { int8_t a; uint8_t b; int16_t c; uint16_t d; int32_t e; uint32_t f;
                   int64_t g; uint64_t h; char i; signed char j; unsigned char k; short l;
                   long long m; __int128 n; unsigned __int128 o; };
struct floats_args { float a; double b; long double c; bool d; enum color e; enum small f; };
struct agg_args { struct outer o; struct point p; quad q; union bits u; };
struct refs_args { struct target *me; struct sender *other; const char *text; int *counter; };

static int failures;
#define CHECK(cond) do { if (!(cond)) { failures++; fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)

static void check(const alox_behaviour_desc *d, const char *name, const char *sig,
                  size_t size, size_t align, const char *self_tag) {
    CHECK(d->abi_version == ALOX_ABI_VERSION);
    CHECK(strcmp(d->name, name) == 0);
    CHECK(strcmp(d->signature, sig) == 0);
    if (strcmp(d->signature, sig) != 0)
        fprintf(stderr, "  got %s\n  want %s\n", d->signature, sig);
    CHECK(d->name_hash == alox_hash(name) && d->signature_hash == alox_hash(sig));
    CHECK(d->type_hash == alox_hash(self_tag));
    CHECK(d->args_size == size && d->args_align == align);
    CHECK(d->trampoline != NULL);
}

static void check_ref(const alox_arg_ref *r, size_t offset, unsigned kind, const char *tag) {
    CHECK(r->offset == offset && r->kind == kind);
    CHECK(r->type_hash == (tag ? alox_hash(tag) : 0));
}

int check_descriptors(void) {
    check(&__alox_behaviour_ints, "target.ints", INTS_SIG, sizeof(struct ints_args),
          _Alignof(struct ints_args), "target");
    CHECK(__alox_behaviour_ints.ref_count == 0 && __alox_behaviour_ints.refs == NULL);
    check(&__alox_behaviour_floats, "target.floats", FLOATS_SIG, sizeof(struct floats_args),
          _Alignof(struct floats_args), "target");
    check(&__alox_behaviour_aggregates, "target.aggregates", AGG_SIG, sizeof(struct agg_args),
          _Alignof(struct agg_args), "target");
    CHECK(__alox_behaviour_aggregates.ref_count == 2);
    check_ref(&__alox_behaviour_aggregates.refs[0], offsetof(struct agg_args, o.who),
              ALOX_REF_ACTOR, "target");
    check_ref(&__alox_behaviour_aggregates.refs[1], offsetof(struct agg_args, o.text),
              ALOX_REF_STAGE, NULL);
    check(&__alox_behaviour_refs, "target.refs", REFS_SIG, sizeof(struct refs_args),
          _Alignof(struct refs_args), "target");
    CHECK(__alox_behaviour_refs.ref_count == 4);
    check_ref(&__alox_behaviour_refs.refs[0], 0, ALOX_REF_ACTOR, "target");
    check_ref(&__alox_behaviour_refs.refs[1], 8, ALOX_REF_ACTOR, "sender");
    check_ref(&__alox_behaviour_refs.refs[2], 16, ALOX_REF_STAGE, NULL);
    check_ref(&__alox_behaviour_refs.refs[3], 24, ALOX_REF_STAGE, NULL);
    check(&__alox_behaviour_start, "sender.start", "(@target)", 8, 8, "sender");
    return failures;
}
