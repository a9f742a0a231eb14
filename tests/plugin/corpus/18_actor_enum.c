/* corpus: alox_actor on an enum */
#include <alox.h>
enum alox_actor e { E1 };
