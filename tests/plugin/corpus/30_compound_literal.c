/* corpus: compound literal of an actor struct */
#include <alox.h>
struct alox_actor a { int n; };
int g(void) { return (struct a){1}.n; }
