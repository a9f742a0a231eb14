/* corpus: alox_stage on an int member */
#include <alox.h>
struct m { alox_stage int n; };
