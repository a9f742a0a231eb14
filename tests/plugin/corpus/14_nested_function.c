/* corpus: behaviour as a GNU nested function with a bad parameter */
#include <alox.h>
struct alox_actor a { int n; };
void outer(void) {
    alox_behave void inner(struct a *self, int *p) { self->n = *p; }
    (void)inner;
}
