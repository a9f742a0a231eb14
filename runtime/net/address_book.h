/*
 * address_book.h - where the other nodes listen, and who said so.
 *
 * Every node of the trust file has a peer (peer.h) from the start; what a
 * peer may lack is an address. Addresses come from four sources, in
 * rising authority (enum address_source):
 *
 *   ADDRESS_GOSSIP      another node told us (an ADDRESSES frame)
 *   ADDRESS_SELF        the node itself told us, over its authenticated
 *                       session (its own --alox-listen)
 *   ADDRESS_CONFIGURED  --alox-peer, or address_book_add from this
 *                       process (membership: etcd, a test)
 *
 * An address is replaced only by one of equal or higher authority, so a
 * lying peer can at worst misdirect us to an address nobody trusted
 * listens on (the CURVE handshake then fails: the key still comes only
 * from the trust file); it can never impersonate a node, and two peers
 * cannot make an address flip back and forth.
 *
 * Nodes tell each other the addresses they know (item 8 of issue 13): at
 * the start of every session, and again to every peer in session when
 * one changes, a node sends an ADDRESSES frame (wire.h) with its own
 * --alox-listen and every address it has. A reference to an actor of a
 * third node therefore works: the receiver learns that node's address
 * from whoever told it about the node, and connects on first use. A
 * wildcard host (tcp://\*:P, tcp://0.0.0.0:P) names no host to connect
 * to; the node's own entry is then read with the host we reach it at,
 * and others' wildcard entries are ignored.
 *
 * Connection is on first use: an address is only recorded; the mailman
 * opens a connection to it when it has something to send there (a
 * message, a spawn, a lookup) and no connection of the peer reaches us.
 *
 * Thread-safety: address_book_add, any thread (a mutex and the mailman's
 * eventfd); the rest, the mailman thread only.
 */
#ifndef ALOX_ADDRESS_BOOK_H
#define ALOX_ADDRESS_BOOK_H

#include <stdbool.h>
#include <stdint.h>

struct peer;
struct wire_frame;

enum address_source {
    ADDRESS_NONE = 0,
    ADDRESS_GOSSIP = 1,
    ADDRESS_SELF = 2,
    ADDRESS_CONFIGURED = 3,
};

/* Any thread: the trusted node `name` listens at `endpoint`
 * (tcp://HOST:PORT). Returns false, with a log line saying why, if name
 * is not in the trust file, is this node, or the endpoint is malformed;
 * otherwise the mailman takes the address on its next turn (it connects
 * when it first needs the peer). Calling it again with another endpoint
 * moves an open connection there. */
bool address_book_add(const char *name, const char *endpoint);

/* Mailman: takes the addresses handed over by address_book_add. */
void address_book_apply(void);

/* Mailman: records an address for p from `source`, if it is at least as
 * authoritative as the one p has. Returns true if p's address changed. */
bool address_book_set(struct peer *p, const char *endpoint, uint8_t source);

/* Mailman: about to need p (a send, a spawn, a lookup). Opens the
 * connection to p's address if p has no route to us yet. */
void address_book_connect(struct peer *p);

/* Mailman: an ADDRESSES frame from p (validated by the codec). Entries
 * for nodes not in our trust file, or for this node, are ignored. */
void address_book_on_frame(struct peer *p, const struct wire_frame *f);

/* Mailman, every loop turn: tells each peer in session the addresses it
 * has not heard from us yet (a new session, or a change since). */
void address_book_gossip(void);

/* Is `endpoint` a well-formed tcp://HOST:PORT that fits a peer? */
bool address_book_endpoint_ok(const char *endpoint);

#endif
