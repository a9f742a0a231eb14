#include "multi.h"

int client_helper_calls;

static alox_behave void helper(struct client *self, int32_t n) {
    client_helper_calls += n;
    (void)self;
}

alox_behave void receipt(struct client *self, int32_t number, int64_t balance) {
    self->receipts++;
    self->last = number;
    (void)balance;
    helper(self, 2);
}

alox_behave void start(struct client *self, struct bank *bank, int32_t times) {
    for (int32_t i = 1; i <= times; i++)
        deposit(bank, i, self); /* defined in multi_bank.c */
}
