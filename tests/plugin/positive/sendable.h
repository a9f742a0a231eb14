/* Types shared by sendable.c (behaviours, round trips) and sendable_abi.c
 * (checks the descriptors the plugin emitted against C's own layout). */
#ifndef SENDABLE_H
#define SENDABLE_H
#include <stdbool.h>
#include <stdint.h>

enum color { RED = -1, GREEN, BLUE };   /* has a negative value: signed */
enum small { ONE, TWO, THREE };         /* unsigned in GCC */

struct point { double x, y; };
struct inner { int8_t a[3]; struct point p; bool flag; };
#ifdef alox_stage /* alox.h included (sendable_abi.c uses abi.h only) */
#define STAGE alox_stage
#else
#define STAGE
#endif
struct target;
struct outer {
    struct inner in[2];
    uint16_t tag;
    struct target *who;          /* actor reference inside a struct */
    STAGE const char *text;      /* stage pointer inside a struct */
};
typedef struct { uint32_t w[4]; } quad;  /* anonymous struct: empty tag */
union bits { uint32_t u; float f; };     /* a pointer-free union */

#define INTS_SIG "(i8,u8,i16,u16,i32,u32,i64,u64,i8,i8,u8,i16,i64,i128,u128)"
#define FLOATS_SIG "(f32,f64,f80,b,ei32,eu32)"
#define AGG_SIG "({outer;[2]{inner;[3]i8,{point;f64,f64},b},u16,@target,&},{point;f64,f64},{;[4]u32},<bits;u32,f32>)"
#define REFS_SIG "(@target,@sender,&,&)"

int check_descriptors(void);
#endif
