/* corpus: alox__new called by hand with wrong arguments */
#include <alox.h>
void *g(void) { return alox__new(8, 8, "x"); }
