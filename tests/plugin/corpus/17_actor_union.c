/* corpus: alox_actor on a union */
#include <alox.h>
union alox_actor u { int x; };
