/* corpus: annotations given arguments */
#include <alox.h>
struct __attribute__((alox_actor(1))) a { int n; };
__attribute__((alox_behave("x"))) void f(struct a *self);
