#include "multi.h" /* first, so a precompiled multi.h.gch can be used (pch test) */
#include <stdio.h>

int main(int argc, char **argv) {
    alox_init(&argc, argv);
    struct bank *b = alox_new(struct bank);     /* types emitted here too (comdat) */
    struct client *c = alox_new(struct client);
    start(c, b, 100);                            /* defined in multi_client.c */
    int rc = alox_run();
    if (rc != 0 || b->total != 5050 || b->deposits != 100 || c->receipts != 100 ||
        c->last != 100 || bank_helper_calls != 100 || client_helper_calls != 200) {
        fprintf(stderr, "rc %d total %lld deposits %d receipts %lld last %d helpers %d %d\n",
                rc, (long long)b->total, b->deposits, (long long)c->receipts, c->last,
                bank_helper_calls, client_helper_calls);
        return 1;
    }
    printf("multi-file ok\n");
    return 0;
}
