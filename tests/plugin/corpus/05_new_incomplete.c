/* corpus: alox_new of a forward-declared struct */
#include <alox.h>
struct fwd;
void *g(void) { return alox_new(struct fwd); }
