/* Rule: a C array parameter is a pointer; to send the elements, wrap the
 * array in a struct (issue 12 item 7). */
#include <alox.h>
struct alox_actor summer { int64_t total; };
struct four { int32_t v[4]; }; /* what to write instead */
alox_behave void sum(struct summer *self, int32_t v[4]);
alox_behave void sum_some(struct summer *self, int32_t v[]);
alox_behave void sum_n(struct summer *self, int n, int32_t v[n]);
alox_behave void sum_wrapped(struct summer *self, struct four v);
// expect 6:51: parameter 'v' of behaviour 'sum' is declared as an array, which C passes as a pointer to its first element: only actor references and alox_stage pointers can be sent; to send the elements, wrap the array in a struct and pass the struct by value
// expect 7:56: parameter 'v' of behaviour 'sum_some' is declared as an array, which C passes as a pointer to its first element: only actor references and alox_stage pointers can be sent; to send the elements, wrap the array in a struct and pass the struct by value
// expect 8:60: parameter 'v' of behaviour 'sum_n' is declared as an array, which C passes as a pointer to its first element: only actor references and alox_stage pointers can be sent; to send the elements, wrap the array in a struct and pass the struct by value
// rule: array-parameter
