/* corpus: garbage after the include */
#include <alox.h>
alox_behave alox_behave alox_actor struct { ] ;
