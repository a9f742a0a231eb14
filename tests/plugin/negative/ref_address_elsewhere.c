/* Rule: a behaviour named outside the reference APIs is still an address taken. */
#include <alox.h>
struct alox_actor w { int n; };
alox_behave void on_down(struct w *self, uint64_t id, alox_down_reason reason);
void (*keep)(struct w *, uint64_t, alox_down_reason);
void watch(struct w *me, struct w *them) {
    alox_monitor(me, them, on_down);
    keep = on_down;
}
// expect 8:12: taking the address of behaviour 'on_down': a call through a function pointer would run it synchronously instead of sending a message; call it by name, or take the address of an ordinary function that calls it
// rule: address-taken
