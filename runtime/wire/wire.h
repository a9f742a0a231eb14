/*
 * wire.h - the format of frames between schedulers (one ZeroMQ message =
 * one frame), and a validating encoder and decoder for it.
 *
 * Every integer is little-endian, fixed width. Every length and field is
 * checked before use; the decoder never reads outside the buffer, never
 * trusts a count, and reports why a frame is malformed (the transport
 * counts it, logs the reason and drops the frame: never a crash).
 *
 * Frame = header, then a body that depends on the kind.
 *
 *   header (52 bytes)
 *     u32 magic            WIRE_MAGIC ("ALOX" read as little-endian u32)
 *     u8  version          WIRE_VERSION
 *     u8  kind             enum wire_kind
 *     u16 sender_node      node id of the sending scheduler
 *     u64 sender_session   the sender's random token for this peer session
 *     u64 receiver_session the receiver's token as last heard, 0 if unknown
 *     u64 ack_received     the sender has received every item up to this seq
 *     u64 ack_processed    ... and run the behaviours of every item up to here
 *     u32 body_length      bytes of the body, after the header
 *     u32 withheld_count   entries of the withheld list (<= WIRE_MAX_WITHHELD)
 *     u32 flags            0, or WIRE_FLAG_HOLD; other bits are an error
 *   then the body (body_length bytes), then the withheld list:
 *   withheld_count x u32 d, each naming the item at seq ack_processed + 1 - d
 *   (1 <= d <= ack_processed), the seqs strictly increasing: items that have
 *   run but are not *done* yet (their consequences, on this node and others,
 *   have not all been reported done: net/causal.h); the sender keeps them.
 *   The frame is exactly 52 + body_length + 4 * withheld_count bytes.
 *   (sessions and acknowledgements: see peer.h)
 *   WIRE_FLAG_HOLD: the sender of the frame asks its receiver to put no
 *   new items in BATCH frames to it (resends aside) until a frame without
 *   the flag: its actors are overloaded (credit, net/credit.h). Every frame
 *   carries the current state, so a lost one costs nothing.
 *
 *   HELLO      u16 name_length, name bytes (1..WIRE_MAX_NAME, [A-Za-z0-9_.-])
 *   HEARTBEAT  empty
 *   ACK        empty (the header carries the acknowledgements)
 *   NACK       empty: the sender of the NACK missed items after its
 *              ack_received (a sequence gap): send again from there
 *   BATCH      u64 first_seq, u32 item_count, then item_count items; item i
 *              has seq first_seq + i. Items:
 *     u32 item_length  bytes of this item after this field
 *     u8  op           WIRE_OP_SEND or WIRE_OP_SPAWN
 *     u8  flags        0, or any of WIRE_ITEM_TRACED (a u64 trace id follows
 *                      the refs), WIRE_ITEM_CAUSED (a u64 caused_by follows
 *                      the refs and the trace id, if any) and WIRE_ITEM_ROOT
 *                      (a u16 root follows all of those)
 *     u16 ref_count    entries in the ref table (<= WIRE_MAX_REFS)
 *     u32 args_size    bytes of packed arguments (<= WIRE_MAX_ARGS)
 *     u64 target       actor id on the receiving node (SPAWN: the id to create)
 *     u64 sender       actor id of the sending actor, 0 if none
 *     u64 behaviour    SEND: behaviour name hash; SPAWN: actor type name hash
 *     u64 signature    SEND: signature hash; SPAWN: 0
 *     args             args_size bytes (pointer slots zeroed)
 *     refs             ref_count x { u32 offset, u32 kind, u64 id,
 *                                    u64 incarnation, u64 type_hash }
 *     trace            (WIRE_ITEM_TRACED only) u64: the message's flow id for
 *                      ALOX_TRACE (core/trace.h), so both nodes' traces join
 *     caused_by        (WIRE_ITEM_CAUSED only) u64, not 0: the receiver's
 *                      item whose behaviour sent this one (net/peer.h)
 *     root             (WIRE_ITEM_ROOT only) u16, not 0: the node whose own
 *                      work began the computation this send belongs to
 *                      (net/causal.h); without the flag, the sender's node
 *     item_length must equal 40 + args_size + 32 * ref_count (+ 8 if
 *     traced, + 8 if caused, + 2 if rooted); other flag bits are an error; each ref's
 *     offset + 8 <= args_size, offsets 8-aligned, strictly increasing, kind
 *     ALOX_REF_ACTOR (stage pointers never cross the wire), and the 8 args
 *     bytes under a ref are 0 (the receiver writes its own pointer there).
 *     A ref's `incarnation` is informational (0 if unknown). A SPAWN item
 *     has signature 0. first_seq + item_count - 1 must not wrap. Args in a
 *     frame are unaligned: copy them out, never cast.
 *   LOOKUP        u64 request, u64 type_hash, u16 name_length, name bytes
 *   LOOKUP_REPLY  u64 request, u8 status (enum wire_lookup_status),
 *                 u64 id, u64 type_hash (of the published actor)
 *   ADDRESSES     u16 count (<= WIRE_MAX_ADDRESSES), then count entries
 *                 { name (u16 length, bytes, as in HELLO), u16 length
 *                 (1..WIRE_MAX_ENDPOINT), endpoint bytes (printable ASCII,
 *                 no space) }: where the sender knows nodes listen (itself
 *                 included); see net/address_book.h
 *   PING          u64 token: answer with a PONG of the same token at once
 *   PONG          u64 token: the answer to our PING of that token (the
 *                 round-trip time of the session, net/rtt.h)
 *   SPAWN_REFUSED u64 id: the SPAWN item for this id was refused (its type
 *                 is unknown here, the id is not in the requester's space,
 *                 or it is taken); the requester dead-letters the spawn
 *
 * Thread-safety: pure functions over caller-owned buffers.
 */
#ifndef ALOX_WIRE_H
#define ALOX_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_MAGIC 0x584f4c41u /* "ALOX" */
#define WIRE_VERSION 4u /* 2: WIRE_ITEM_CAUSED, PING/PONG; 3: the header's ack_withheld and
                          * flags (52 bytes); 4: the withheld list, WIRE_ITEM_ROOT. An
                          * older node refuses it, and is refused */
#define WIRE_HEADER_SIZE 52u
#define WIRE_ITEM_FIXED_SIZE 40u /* item bytes after item_length, before args */
#define WIRE_REF_SIZE 32u
#define WIRE_ITEM_TRACED 1u /* item flag: a trace id follows */
#define WIRE_ITEM_CAUSED 2u /* item flag: a caused_by follows (after the trace id) */
#define WIRE_ITEM_ROOT 4u   /* item flag: a root node id follows (after the caused_by) */
#define WIRE_FLAG_HOLD 1u   /* header flag: send me no new items for now (see above) */
#define WIRE_MAX_NAME 64u          /* node and published-actor names */
#define WIRE_MAX_ARGS (1u << 20)   /* 1 MiB of packed arguments per message */
#define WIRE_MAX_REFS 1024u
#define WIRE_MAX_ITEMS 65536u      /* items per batch */
#define WIRE_MAX_FRAME (64u << 20) /* bytes per frame; also ZMQ_MAXMSGSIZE */
#define WIRE_MAX_ADDRESSES 4096u   /* entries per ADDRESSES frame: a large trust file */
#define WIRE_MAX_ENDPOINT 255u     /* bytes of a tcp://HOST:PORT */
#define WIRE_MAX_WITHHELD 4096u    /* withheld items per header: one per root a peer engages
                                    * us for (net/causal.h), as many as a large trust file */

enum wire_kind {
    WIRE_HELLO = 1,
    WIRE_HEARTBEAT = 2,
    WIRE_ACK = 3,
    WIRE_BATCH = 4,
    WIRE_LOOKUP = 5,
    WIRE_LOOKUP_REPLY = 6,
    WIRE_ADDRESSES = 7,
    WIRE_SPAWN_REFUSED = 8,
    WIRE_NACK = 9,
    WIRE_PING = 10,
    WIRE_PONG = 11,
};

enum wire_op {
    WIRE_OP_SEND = 1,
    WIRE_OP_SPAWN = 2,
};

enum wire_lookup_status {
    WIRE_LOOKUP_FOUND = 0,
    WIRE_LOOKUP_NOT_FOUND = 1,
    WIRE_LOOKUP_TYPE_MISMATCH = 2,
};

typedef struct wire_ref {
    uint32_t offset, kind;
    uint64_t id, incarnation, type_hash;
} wire_ref;

/* A decoded item of a BATCH. args and refs_raw point into the frame. */
typedef struct wire_item {
    uint64_t seq;
    uint8_t op;
    uint8_t flags; /* WIRE_ITEM_TRACED, WIRE_ITEM_CAUSED, WIRE_ITEM_ROOT */
    uint16_t ref_count;
    uint32_t args_size;
    uint64_t target, sender, behaviour, signature;
    uint64_t trace; /* 0 unless the item was traced */
    uint64_t caused_by; /* 0 unless the item carries a cause (WIRE_ITEM_CAUSED) */
    uint16_t root; /* 0 unless the item names its root (WIRE_ITEM_ROOT) */
    const uint8_t *args;
    const uint8_t *refs_raw; /* ref_count x WIRE_REF_SIZE bytes; see wire_item_ref */
} wire_item;

typedef struct wire_frame {
    uint8_t kind;
    uint16_t sender_node;
    uint64_t sender_session, receiver_session;
    uint64_t ack_received, ack_processed;
    uint32_t withheld_count; /* entries of the withheld list: see wire_withheld */
    const uint8_t *withheld; /* the list, validated by wire_decode_frame */
    uint32_t flags;          /* WIRE_FLAG_HOLD or 0 */
    union {
        struct { char name[WIRE_MAX_NAME + 1]; } hello;
        struct {
            uint64_t first_seq;
            uint32_t item_count;
            const uint8_t *items; /* first item, validated by wire_decode_frame */
            const uint8_t *end;
        } batch;
        struct { uint64_t request, type_hash; char name[WIRE_MAX_NAME + 1]; } lookup;
        struct { uint64_t request; uint8_t status; uint64_t id, type_hash; } lookup_reply;
        struct { uint64_t id; } spawn_refused;
        struct { uint64_t token; } ping; /* PING and PONG */
        struct {
            uint16_t count;
            const uint8_t *entries; /* first entry, validated by wire_decode_frame */
            const uint8_t *end;
        } addresses;
    } u;
} wire_frame;

/* Decodes and validates a whole frame (for BATCH: every item and ref).
 * Returns NULL on success, or a static string saying what is wrong; *out
 * is zeroed first either way. */
const char *wire_decode_frame(const void *data, size_t size, wire_frame *out);

/* Iterates the items of a validated BATCH frame: *cursor starts at
 * frame->u.batch.items and *index at 0 (it counts the items returned;
 * out->seq = first_seq + index). Returns false after the last item. */
bool wire_next_item(const wire_frame *frame, const uint8_t **cursor, uint32_t *index,
                    wire_item *out);

/* Iterates the entries of a validated ADDRESSES frame like wire_next_item.
 * Returns false after the last entry. */
bool wire_next_address(const wire_frame *frame, const uint8_t **cursor, uint16_t *index,
                       char name[WIRE_MAX_NAME + 1], char endpoint[WIRE_MAX_ENDPOINT + 1]);

/* The seq the i-th entry of a decoded frame's withheld list names
 * (i < withheld_count, else fatal); increasing with i. */
uint64_t wire_withheld(const wire_frame *f, uint32_t i);

/* The i-th ref of a decoded item (i < ref_count, else fatal). */
wire_ref wire_item_ref(const wire_item *item, uint16_t i);

/* ------------------------------------------------------------------
 * Encoding into a growable buffer.
 * ------------------------------------------------------------------ */
typedef struct wire_buffer {
    uint8_t *data;
    size_t size, capacity;
    size_t count_at;  /* BATCH: offset of item_count, to patch */
    size_t item_at;   /* BATCH: offset of the last item, for wire_batch_item_trace */
    uint32_t items;   /* BATCH: items written so far */
    bool finished;    /* wire_finish ran, and nothing was added since */
    size_t trailer_at; /* offset of the withheld list, 0 if none */
} wire_buffer;

void wire_buffer_init(wire_buffer *b);
void wire_buffer_free(wire_buffer *b);

/* NULL if name is a valid node or published name, else why not. */
const char *wire_check_name(const char *name);

/* Encoder misuse (bad names, sizes, kinds) is a bug of the caller and
 * aborts through alox_fatal; check inputs from users before encoding. */

/* Starts a frame (clears the buffer) and writes its header; the
 * acknowledgements are set by wire_set_acks, the body length by
 * wire_finish. */
void wire_begin(wire_buffer *b, uint8_t kind, uint16_t sender_node, uint64_t sender_session,
                uint64_t receiver_session);

/* Sets the header's acknowledgements (any time before sending). */
void wire_set_acks(wire_buffer *b, uint64_t received, uint64_t processed);

/* Sets the withheld list (replacing any): count seqs, strictly
 * increasing, each in (processed - UINT32_MAX, processed]. Call after
 * wire_finish and wire_set_acks (which clears it); nothing may be added to
 * the body after it. */
void wire_set_withheld(wire_buffer *b, const uint64_t *seqs, uint32_t count);

/* Sets the header's flags (WIRE_FLAG_HOLD or 0; any time before sending). */
void wire_set_flags(wire_buffer *b, uint32_t flags);

void wire_put_hello(wire_buffer *b, const char *name);
void wire_put_lookup(wire_buffer *b, uint64_t request, uint64_t type_hash, const char *name);
void wire_put_lookup_reply(wire_buffer *b, uint64_t request, uint8_t status, uint64_t id,
                           uint64_t type_hash);

void wire_put_spawn_refused(wire_buffer *b, uint64_t id);

/* PING or PONG: wire_begin(.., WIRE_PING or WIRE_PONG, ..), then this. */
void wire_put_ping(wire_buffer *b, uint64_t token);

/* ADDRESSES: wire_begin(.., WIRE_ADDRESSES, ..), then one call per entry
 * (the count is patched as it goes), then wire_finish. */
void wire_put_address(wire_buffer *b, const char *name, const char *endpoint);

/* BATCH: wire_begin(.., WIRE_BATCH, ..), wire_batch_start, items, wire_finish. */
void wire_batch_start(wire_buffer *b, uint64_t first_seq);
/* Appends one item. args (args_size bytes) are copied with the 8 bytes at
 * each ref's offset zeroed. */
void wire_batch_item(wire_buffer *b, uint8_t op, uint64_t target, uint64_t sender,
                     uint64_t behaviour, uint64_t signature, const void *args, uint32_t args_size,
                     const wire_ref *refs, uint16_t ref_count);

/* Marks the item just appended as traced and appends its trace id. */
void wire_batch_item_trace(wire_buffer *b, uint64_t trace);

/* Marks the item just appended as caused by the receiver's item
 * caused_by (not 0) and appends it; after wire_batch_item_trace if both. */
void wire_batch_item_caused(wire_buffer *b, uint64_t caused_by);

/* Names the root (not 0) of the item just appended; after the trace id
 * and the cause, if any. */
void wire_batch_item_root(wire_buffer *b, uint16_t root);

/* Patches body_length (and item_count for a batch). */
void wire_finish(wire_buffer *b);

#endif
