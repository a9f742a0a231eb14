/* See anon_actor.h. */
#include "anon_actor.h"

alox_behave void add(counter_t *self, int64_t k, asker_t *from) {
    self->n += k;
    self->hits++;
    answer(from, self->n);
}
