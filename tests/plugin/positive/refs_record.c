/* Stand-ins for the runtime's entry points of behaviour references
 * (alox/abi.h): they record what the front end passed (see refs.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refs.h"

#define MAX_RECORDS 32

static struct record records[MAX_RECORDS];
static int count;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* start runs on a worker */

static struct record *add(enum record_kind kind, const alox_behaviour_desc *desc,
                          const void *args) {
    pthread_mutex_lock(&lock);
    if (count == MAX_RECORDS) {
        fprintf(stderr, "refs_record: too many calls\n");
        abort();
    }
    struct record *r = &records[count];
    r->kind = kind;
    r->id = 1000 + (uint64_t)count;
    r->desc = desc;
    if (desc && args && desc->args_size <= sizeof r->args)
        memcpy(r->args, args, desc->args_size);
    count++;
    pthread_mutex_unlock(&lock);
    return r;
}

alox_timer alox_send_after(uint64_t delay_ms, void *target, const alox_behaviour_desc *behaviour,
                           const void *args) {
    struct record *r = add(REC_AFTER, behaviour, args);
    r->delay_ms = delay_ms;
    r->target = target;
    return (alox_timer){r->id};
}

alox_monitor_ref alox_monitor_desc(void *self, void *target, const alox_behaviour_desc *on_down) {
    struct record *r = add(REC_MONITOR, on_down, NULL);
    r->self = self;
    r->target = target;
    return (alox_monitor_ref){r->id};
}

int alox_watch_fd_desc(void *self, int fd, uint32_t events, const alox_behaviour_desc *on_ready) {
    struct record *r = add(REC_WATCH, on_ready, NULL);
    r->self = self;
    r->fd = fd;
    r->events = events;
    return 0;
}

bool alox_cancel(alox_timer timer) { return add(REC_CANCEL, NULL, NULL)->id = timer.id, true; }
void alox_demonitor(alox_monitor_ref ref) { add(REC_DEMONITOR, NULL, NULL)->id = ref.id; }
void alox_unwatch_fd(int fd) { add(REC_UNWATCH, NULL, NULL)->fd = fd; }

int record_count(void) { return count; }
const struct record *record_at(int i) { return i < count ? &records[i] : NULL; }
