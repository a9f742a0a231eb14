/* corpus: behaviour without a prototype */
#include <alox.h>
struct alox_actor a { int n; };
alox_behave void f();
