/* Rule: alox_then takes a future, and on_value receives the future's value. */
#include <alox.h>
struct alox_actor store { int n; };
struct alox_actor user { int n; struct store *s; };
alox_behave alox_future(int32_t) get(struct store *self);
alox_behave void got(struct user *self, int64_t value, alox_status status);
alox_behave void fine(struct user *self, int32_t value, alox_status status);
alox_behave void ask(struct user *self) {
    alox_then(get(self->s), self, got, 10);
    alox_then(self->n, self, fine, 10);
    alox_then(get(self->s), self, fine, 10);
}
// expect @gcc 9:35: parameter 'value' of behaviour 'got', passed as 'on_value' to 'alox_then', has type 'int64_t' {aka 'long int'} where 'alox_then' sends 'int32_t value': declare the behaviour 'alox_behave void got(struct user *self, int32_t value, alox_status status)'
// expect @clang 9:35: parameter 'value' of behaviour 'got', passed as 'on_value' to 'alox_then', has type 'int64_t' (aka 'long') where 'alox_then' sends 'int32_t value': declare the behaviour 'alox_behave void got(struct user *self, int32_t value, alox_status status)'
// expect 10:5: the future given to 'alox_then' has type 'int', which is not an alox_future: pass what a call of a behaviour declared 'alox_behave alox_future(T) NAME(...)' returns
// rule: ref-param-type not-future
