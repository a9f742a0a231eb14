/*
 * node_lock.h - one live process per node identity on a host.
 *
 * Two processes started with the same node name and key would each open
 * sessions to the same peers under one name, and every HELLO of one
 * would look to the peers like a restart of the other: they would knock
 * each other out, silently. So a node takes a host-wide lock on its
 * identity at start: an abstract Unix socket (Linux; no file to clean up,
 * released by the kernel when the process ends, even by kill -9) named
 * after a hash of the node name and its public key. A second process with
 * that identity finds the name taken, asks the holder for its pid
 * (SO_PEERCRED), and is refused with a message naming both.
 *
 * Different clusters on one host (other keys) never collide. Duplicates on
 * different hosts are not detected here.
 *
 * Thread-safety: node_lock_take once, from node_start.
 */
#ifndef ALOX_NODE_LOCK_H
#define ALOX_NODE_LOCK_H

#include <stdbool.h>
#include <stddef.h>

/* Takes the lock for (node, public_z85) for the life of the process.
 * False with the reason in err if another live process holds it. */
bool node_lock_take(const char *node, const char *public_z85, char *err, size_t err_size);

#endif
