/* Rule: a future's value is sent back to the caller, so it must be sendable. */
#include <alox.h>
struct alox_actor store { int n; };
alox_behave alox_future(int *) slot(struct store *self);
alox_behave alox_future(int32_t) count(struct store *self);
// expect 4:32: behaviour 'slot' returns 'alox_future(int *)', but 'int *' cannot be sent back to the caller: send integers, floats, bool, enums, actor references, alox_stage pointers, or structs of them (which may hold fixed arrays)
// rule: future-not-sendable
