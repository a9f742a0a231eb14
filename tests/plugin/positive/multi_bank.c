#include "multi.h"

int bank_helper_calls;

/* Same name as a static behaviour in multi_client.c: static descriptors
 * do not clash. */
static alox_behave void helper(struct bank *self, int32_t n) {
    bank_helper_calls += n;
    (void)self;
}

alox_behave void deposit(struct bank *self, int64_t amount, struct client *from) {
    self->total += amount;
    self->deposits++;
    receipt(from, self->deposits, self->total); /* defined in multi_client.c */
    helper(self, 1);
}
