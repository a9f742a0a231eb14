/* Issue 12 item 6: warnings about the user's code read exactly as the
 * plain compiler gives them (same line, column, quoted line, ranges,
 * notes), on lines where the front end rewrote calls, spawns and
 * references. run.sh's `diagnostics` mode compares the two outputs. */
#include <alox.h>
struct alox_actor widener { float f; int n; };
alox_behave void widen(struct widener *self, float f, int n);
alox_behave void on_down(struct widener *self, uint64_t id, alox_down_reason reason);
void take(int *p);
void use(struct widener *w, double d, long big, long *lp, int a) {
    int unused;
    widen(w, d, 1); widen(w, d, big);
    struct widener *p = alox_new(struct widener); widen(p, 2.5, (int)d); int x = 1.5;
    alox_after(10, widen(w, d, 3)); take(lp);
    alox_monitor(w, p, on_down); if (a = x) widen(w, 1.0f, a);
}
