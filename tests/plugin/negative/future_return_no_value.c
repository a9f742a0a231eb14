/* Rule: every path of a future's behaviour returns a value (`return;`). */
#include <alox.h>
struct alox_actor store { int n; };
alox_behave alox_future(int32_t) get(struct store *self, int32_t k) {
    if (k < -5)
        return;
    return self->n;
}
// expect 6:9: behaviour 'get' returns 'alox_future(int32_t)', but this path ends without a value: the caller waits for the answer, so every path ends in 'return VALUE;'
// rule: future-no-value
