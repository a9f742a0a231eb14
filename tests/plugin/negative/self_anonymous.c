/* Rule: an actor struct needs a name, a tag or a typedef of the struct
 * itself (issue 12 item 2); a typedef of a pointer to it names no struct. */
#include <alox.h>
typedef struct alox_actor { int n; } *handle_t;
alox_behave void poke(handle_t self, int n);
// expect 5:32: first parameter 'self' of behaviour 'poke' points to an anonymous actor struct: the runtime knows actor types by name; give the struct a tag ('struct alox_actor NAME { ... }') or name it with a typedef
// rule: self-anonymous
