/* corpus: alox__new called without arguments */
#include <alox.h>
void *g(void) { return alox__new(); }
