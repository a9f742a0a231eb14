/* Rule: alox_await blocks, so it is for main and plain threads only. */
#include <alox.h>
struct alox_actor store { int n; };
alox_behave alox_future(int32_t) get(struct store *self);
alox_behave void peek(struct store *self, struct store *other) {
    int32_t v;
    alox_await(get(other), 10, &v);
    self->n = v;
}
int main(void) {
    struct store *s = alox_new(struct store);
    int64_t wide;
    int32_t v;
    alox_await(get(s), 10, &wide);
    return alox_await(get(s), 10, &v);
}
// expect 7:5: 'alox_await' inside behaviour 'peek' would block a worker thread, and the program can deadlock: use 'alox_then(future, self, on_value, timeout_ms)', which sends the answer to self
// expect @gcc 14:5: the value pointer given to 'alox_await' has type 'int64_t *' {aka 'long int *'}, but the future's value is 'int32_t' {aka 'int'}: pass the address of a variable of type 'int32_t'
// expect @clang 14:5: the value pointer given to 'alox_await' has type 'int64_t *' (aka 'long *'), but the future's value is 'int32_t' (aka 'int'): pass the address of a variable of type 'int32_t'
// rule: await-in-behaviour await-value-type
