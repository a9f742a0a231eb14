/* corpus: alox_behave on a parameter */
#include <alox.h>
struct alox_actor a { int n; };
void g(alox_behave int x);
