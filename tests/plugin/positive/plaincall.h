/* The actor of plaincall_*.c (issue 12 item 1); bump's prototype is
 * deliberately not here: plaincall_main.c writes its own, without alox_behave. */
#ifndef PLAINCALL_H
#define PLAINCALL_H
#include <alox.h>
#include <pthread.h>
struct alox_actor counter { int64_t n; int64_t calls; };
extern pthread_t main_thread;
#endif
