/* corpus: alox_new of int */
#include <alox.h>
int *g(void) { return alox_new(int); }
