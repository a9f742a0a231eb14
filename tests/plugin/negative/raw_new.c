/* Rule: alox__new is what alox_new(T) expands to, not for direct use. */
#include <alox.h>
struct alox_actor counter { int n; };
void *spawn(void) {
    return alox__new(8, 8, "struct counter");
}
// expect 5:12: 'alox__new' is what 'alox_new(T)' expands to: write 'alox_new(struct ACTOR)'
// rule: raw-new
