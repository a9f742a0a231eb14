/* corpus: alox_new of void */
#include <alox.h>
void *g(void) { return alox_new(void); }
