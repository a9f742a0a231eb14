/* corpus: extern actor variable */
#include <alox.h>
struct alox_actor a { int n; };
extern struct a shared;
