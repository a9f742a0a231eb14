/* Rule: alox_after delays one behaviour call. */
#include <alox.h>
struct alox_actor w { int n; };
alox_behave void tick(struct w *self, int n);
int plain(struct w *x);
void later(struct w *x) {
    alox_after(10, 5);
    alox_after(10, plain(x));
    alox_after(10, tick(x, 1));
}
// expect 7:5: the second argument of 'alox_after' must be one behaviour call, written as usual ('alox_after(ms, tick(self, 1))'): it is sent ms milliseconds later instead of now
// expect 8:5: 'alox_after' delays a behaviour call, but 'plain' is not a behaviour declared before this point: call a behaviour ('alox_after(ms, tick(self, 1))'), or call 'plain' directly
// rule: after-not-call after-not-behaviour
