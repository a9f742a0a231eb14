/* A program in three units: behaviours declared here, defined in
 * multi_bank.c and multi_client.c, actors spawned in multi_main.c. */
#ifndef MULTI_H
#define MULTI_H
#include <alox.h>

struct alox_actor bank { int64_t total; int deposits; };
struct alox_actor client { int64_t receipts; int32_t last; };

alox_behave void deposit(struct bank *self, int64_t amount, struct client *from);
alox_behave void receipt(struct client *self, int32_t number, int64_t balance);
alox_behave void start(struct client *self, struct bank *bank, int32_t times);

extern int bank_helper_calls, client_helper_calls;
#endif
