/* corpus: alox_stage on a non-pointer and a bad self */
#include <alox.h>
alox_behave void f(alox_stage int self);
