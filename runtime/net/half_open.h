/*
 * half_open.h - a cap on the connections to our ROUTER that have not
 * proved a trusted key yet (issue 13 item 5).
 *
 * libzmq accepts every TCP connection on its own I/O thread and closes one
 * that has not finished the CURVE handshake after ZMQ_HANDSHAKE_IVL (3 s,
 * TRANSPORT_HANDSHAKE_MS). A burst of strangers larger than the descriptor
 * limit inside those 3 s would still fill the descriptor table, and a
 * trusted client would wait in the kernel's accept queue behind them.
 * libzmq offers no way to pause accepting (zmq_unbind closes every
 * connection accepted on the endpoint, trusted ones too), so we watch the
 * ROUTER's monitor (ZMQ_EVENT_ACCEPTED and ZMQ_EVENT_DISCONNECTED name the
 * descriptor) and learn which connections are trusted from the frames they
 * bring (ZMQ_SRCFD: every Alox connection sends HELLO first, and a frame
 * at least every TRANSPORT_HEARTBEAT_MS). When more than the cap are not
 * known to be trusted, the oldest of them that has not sent a greeting and
 * a HELLO yet (TCP_INFO's byte count) is shut down (shutdown(2): libzmq
 * sees the end of the stream and closes its descriptor itself), after
 * checking that the descriptor still is the connection we were told of.
 * The cap leaves HALF_OPEN_RESERVE_FDS descriptors (and two per peer, for
 * connections opened on first use) out of strangers' reach.
 *
 * Thread-safety: the mailman thread only.
 */
#ifndef ALOX_HALF_OPEN_H
#define ALOX_HALF_OPEN_H

#include <stddef.h>
#include <stdint.h>

/* Starts watching `router`; returns the monitor socket to poll, or NULL
 * (then nothing is capped: only the handshake timeout holds). */
void *half_open_start(void *context, void *router, size_t peer_count);

/* Reads the monitor's events and closes the oldest strangers past the cap. */
void half_open_events(void);

/* A frame from a trusted key came in on descriptor `fd` (ZMQ_SRCFD). */
void half_open_trusted(int fd);

/* Before the ROUTER closes. */
void half_open_stop(void *router);

/* For tests and logs: the cap, and the connections closed because of it. */
size_t half_open_cap(void);
uint64_t half_open_closed(void);

#endif
