/* watch.c - descriptor watches; see watch.h. */
#include "watch.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "actor.h"
#include "alox.h"
#include "io.h"
#include "mailman.h"
#include "support/idmap.h"
#include "support/platform.h"

#define TABLE_MIN_FDS 256 /* slots of the fd table; doubled as needed */

typedef struct watch {
    int fd;
    uint32_t generation;  /* with fd, the token a message carries */
    struct actor *target;
    uint32_t asked;       /* one-shot: ALOX_READ | ALOX_WRITE */
    const alox_behaviour_desc *on_ready; /* one-shot; NULL for an edge watch */
    watch_edge_fn on_edge;
    watch_release_fn on_release;
    void *cookie;
    uint32_t collected;   /* edge: epoll events since the last on_edge */
    bool queued;          /* edge: a message is on its way */
    struct watch *target_prev, *target_next;
} watch;

typedef struct ready_args {
    uint64_t token; /* generation << 32 | fd */
    uint32_t events;
} ready_args;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static watch **by_fd;
static size_t table_size;
static idmap by_target = IDMAP_INITIALIZER; /* actor id -> first watch */
static uint32_t next_generation = 1;
static int epoll_fd = -1;
/* The number of watches, readable without the lock (relaxed: a hint for
 * the stop path, which takes the lock whenever it is not 0; io_stopped.h
 * reads it inline). */
_Atomic uint64_t watch_live_hint;

static void on_event(uint64_t token, uint32_t epoll_events);
static void ready(void *self, const void *args);

static const alox_behaviour_desc ready_desc = {
    ALOX_ABI_VERSION, sizeof(ready_args), _Alignof(ready_args), 0, "alox.watch_ready", "(u64,u32)",
    0, 0, RUNTIME_BEHAVIOUR_TYPE_HASH, ready, NULL,
};

static uint64_t token_of(const watch *w) { return (uint64_t)w->generation << 32 | (uint32_t)w->fd; }

/* Under lock: the live watch a token names, or NULL. */
static watch *find(uint64_t token) {
    size_t fd = (uint32_t)token;
    watch *w = fd < table_size ? by_fd[fd] : NULL;
    return w && w->generation == (uint32_t)(token >> 32) ? w : NULL;
}

/* ----- the I/O thread's side ------------------------------------------ */

static uint32_t alox_events_of(uint32_t epoll_events, uint32_t asked) {
    if (epoll_events & (EPOLLERR | EPOLLHUP))
        return asked; /* the read or write will tell what happened */
    uint32_t got = 0;
    if (epoll_events & (EPOLLIN | EPOLLRDHUP))
        got |= ALOX_READ;
    if (epoll_events & EPOLLOUT)
        got |= ALOX_WRITE;
    return (got & asked) ? (got & asked) : asked;
}

static void on_event(uint64_t token, uint32_t epoll_events) {
    pthread_mutex_lock(&lock);
    watch *w = find(token);
    if (w && w->on_ready) {
        ready_args args = {token, alox_events_of(epoll_events, w->asked)};
        mailman_send_runtime(w->target, &ready_desc, &args);
    } else if (w) {
        w->collected |= epoll_events;
        if (!w->queued) {
            w->queued = true;
            ready_args args = {token, 0};
            mailman_send_runtime(w->target, &ready_desc, &args);
        }
    }
    pthread_mutex_unlock(&lock);
}

/* ----- in the watching actor ------------------------------------------ */

static void ready(void *self, const void *args) {
    const ready_args *r = args;
    pthread_mutex_lock(&lock);
    watch *w = find(r->token);
    if (!w || w->target != actor_of(self)) { /* unwatched since: drop it */
        pthread_mutex_unlock(&lock);
        return;
    }
    if (w->on_ready) {
        const alox_behaviour_desc *on_ready = w->on_ready;
        pthread_mutex_unlock(&lock);
        struct { int32_t fd; uint32_t events; } call = {(int32_t)(uint32_t)r->token, r->events};
        on_ready->trampoline(self, &call);
        return;
    }
    uint32_t events = w->collected;
    watch_edge_fn on_edge = w->on_edge;
    void *cookie = w->cookie;
    w->collected = 0;
    w->queued = false; /* from here on, a new edge sends a new message */
    pthread_mutex_unlock(&lock);
    on_edge(self, cookie, (int)(uint32_t)r->token, events);
}

/* ----- adding and removing -------------------------------------------- */

/* Under lock. */
static void table_reserve(int fd) {
    if ((size_t)fd < table_size)
        return;
    size_t size = table_size ? table_size : TABLE_MIN_FDS;
    while (size <= (size_t)fd)
        size *= 2;
    watch **bigger = realloc(by_fd, size * sizeof *bigger);
    if (!bigger)
        alox_fatal("out of memory watching descriptor %d", fd);
    memset(bigger + table_size, 0, (size - table_size) * sizeof *bigger);
    by_fd = bigger;
    table_size = size;
}

/* Under lock: a new watch of fd for a, in the table and a's list. */
static watch *watch_new(actor *a, int fd) {
    watch *w = calloc(1, sizeof *w);
    if (!w)
        alox_fatal("out of memory watching descriptor %d", fd);
    w->fd = fd;
    w->generation = next_generation++;
    if (next_generation == 0 || next_generation == UINT32_MAX)
        next_generation = 1; /* token 0 and IO_TIMER_TOKEN stay unused */
    w->target = a;
    table_reserve(fd);
    by_fd[fd] = w;
    watch *head = idmap_get(&by_target, a->id);
    w->target_next = head;
    if (head)
        head->target_prev = w;
    idmap_put(&by_target, a->id, w);
    atomic_fetch_add_explicit(&watch_live_hint, 1, memory_order_relaxed);
    alox_hold();
    return w;
}

/* Under lock: out of the table, a's list and the epoll set. */
static void watch_detach(watch *w) {
    by_fd[w->fd] = NULL;
    if (w->target_next)
        w->target_next->target_prev = w->target_prev;
    if (w->target_prev)
        w->target_prev->target_next = w->target_next;
    else if (w->target_next)
        idmap_put(&by_target, w->target->id, w->target_next);
    else
        idmap_remove(&by_target, w->target->id);
    /* ENOENT / EBADF: the descriptor was closed first; nothing to undo. */
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, w->fd, NULL);
    atomic_fetch_sub_explicit(&watch_live_hint, 1, memory_order_relaxed);
}

static uint32_t epoll_events_of(uint32_t asked) {
    return EPOLLONESHOT | ((asked & ALOX_READ) ? EPOLLIN | EPOLLRDHUP : 0u) |
           ((asked & ALOX_WRITE) ? EPOLLOUT : 0u);
}

static int refuse(int err, const char *why, int fd, const alox_behaviour_desc *on_ready) {
    fprintf(stderr, "alox: alox_watch_fd(fd %d, %s) refused: %s\n", fd,
            on_ready ? on_ready->name : "NULL", why);
    errno = err;
    return -1;
}

/* Why epoll would not take fd, for the refusal's line. */
static const char *epoll_refusal(int err) {
    switch (err) {
    case EBADF:
        return "not an open descriptor";
    case EPERM:
        return "a regular file or directory is always ready: read it directly";
    default:
        return strerror(err);
    }
}

int alox_watch_fd_desc(void *self, int fd, uint32_t events, const alox_behaviour_desc *on_ready) {
    if (fd < 0)
        return refuse(EBADF, "not a descriptor", fd, on_ready);
    if (events == 0 || (events & ~(ALOX_READ | ALOX_WRITE)))
        return refuse(EINVAL, "events must be ALOX_READ, ALOX_WRITE or both", fd, on_ready);
    actor *a = self ? actor_of(self) : NULL;
    if (!a || a->magic != ACTOR_MAGIC || (atomic_load(&a->flags) & ACTOR_PROXY))
        return refuse(EINVAL, "self must be a local actor (the one that handles on_ready)", fd,
                      on_ready);
    if (!on_ready || on_ready->type_hash != a->type->name_hash)
        return refuse(EINVAL, "on_ready must be a behaviour of self's type, taking (int fd, "
                              "uint32_t events)", fd, on_ready);
    int epfd = io_epoll(on_event);
    pthread_mutex_lock(&lock);
    epoll_fd = epfd;
    watch *w = (size_t)fd < table_size ? by_fd[fd] : NULL;
    if (w && (w->target != a || !w->on_ready)) {
        pthread_mutex_unlock(&lock);
        return refuse(EBUSY, "another actor (or a runtime layer) watches it: unwatch it first", fd,
                      on_ready);
    }
    bool added = w == NULL;
    if (added)
        w = watch_new(a, fd);
    w->asked = events;
    w->on_ready = on_ready;
    struct epoll_event ev = {.events = epoll_events_of(events), .data.u64 = token_of(w)};
    int rc = epoll_ctl(epfd, added ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
    if (rc < 0 && !added && errno == ENOENT) /* closed and reopened without an unwatch */
        rc = epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
    int err = errno;
    if (rc < 0 && added) {
        watch_detach(w);
        pthread_mutex_unlock(&lock);
        free(w);
        alox_release();
        return refuse(err, epoll_refusal(err), fd, on_ready);
    }
    pthread_mutex_unlock(&lock);
    if (rc < 0)
        return refuse(err, epoll_refusal(err), fd, on_ready);
    return 0;
}

int watch_edge_add(actor *a, int fd, watch_edge_fn on_edge, watch_release_fn on_release, void *cookie) {
    int epfd = io_epoll(on_event);
    pthread_mutex_lock(&lock);
    epoll_fd = epfd;
    if ((size_t)fd < table_size && by_fd[fd]) {
        pthread_mutex_unlock(&lock);
        errno = EBUSY;
        return -1;
    }
    watch *w = watch_new(a, fd);
    w->on_edge = on_edge;
    w->on_release = on_release;
    w->cookie = cookie;
    struct epoll_event ev = {.events = EPOLLET | EPOLLIN | EPOLLOUT | EPOLLRDHUP,
                             .data.u64 = token_of(w)};
    int rc = epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
    int err = errno;
    if (rc < 0)
        watch_detach(w);
    pthread_mutex_unlock(&lock);
    if (rc < 0) {
        free(w);
        alox_release();
        errno = err;
        return -1;
    }
    return 0;
}

static void remove_fd(int fd, bool released) {
    pthread_mutex_lock(&lock);
    watch *w = fd >= 0 && (size_t)fd < table_size ? by_fd[fd] : NULL;
    if (w)
        watch_detach(w);
    pthread_mutex_unlock(&lock);
    if (w) {
        if (released && w->on_release)
            w->on_release(w->cookie, w->fd);
        free(w);
        alox_release();
    }
}

void watch_remove(int fd) { remove_fd(fd, false); }

void watch_remove_released(int fd) { remove_fd(fd, true); }

void alox_unwatch_fd(int fd) { watch_remove(fd); }

void watch_remove_target(actor *a) {
    if (atomic_load_explicit(&watch_live_hint, memory_order_relaxed) == 0)
        return;
    pthread_mutex_lock(&lock);
    watch *list = idmap_get(&by_target, a->id);
    for (watch *w = list; w;) {
        watch *next = w->target_next;
        watch_detach(w);
        w = next;
    }
    pthread_mutex_unlock(&lock);
    while (list) {
        watch *next = list->target_next;
        if (list->on_release)
            list->on_release(list->cookie, list->fd);
        free(list);
        alox_release();
        list = next;
    }
}

uint64_t watch_count(void) { return atomic_load_explicit(&watch_live_hint, memory_order_relaxed); }
