/* outbox: everything mashd sends until it is acknowledged (DESIGN.md §5):
 * contacts to the hub desk, enquiry requests, escalations and packs. One
 * queue, one acknowledgement path, one retry policy (common/retry.h).
 *
 * Each entry is already durable in the store before it is queued here (a
 * contact not yet marked delivered, or a row of the store's outbox table);
 * this module holds the frames to send, when each is next due, and which
 * acknowledgement is in flight. An entry is addressed to a principal, or to
 * MASH_OUTBOX_HUB (whichever hub desk is connected), and identified by the
 * message id its frame carries: a contact's is MASH_OUTBOX_CONTACT_PREFIX
 * followed by the contact id, so that the desk's receipt names it.
 * Contacts go out in contact order, a contact resolved late in its place.
 *
 * Responsible for: the queue, the backoff, the send order and the burst per
 * pump. Must not: touch the store or sockets (the caller's send callback
 * does), or log child data (ids only). Loop thread only.
 */
#ifndef MASH_OUTBOX_H
#define MASH_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "retry.h"
#include "store.h"

#define MASH_OUTBOX_HUB "@hub"
#define MASH_OUTBOX_CONTACT_PREFIX MASH_DELIVERY_CONTACT_PREFIX

typedef struct mash_outbox mash_outbox_t;
typedef struct mash_outbox_entry mash_outbox_entry_t;

typedef enum mash_outbox_kind {
  MASH_OUTBOX_CONTACT = 1, /* a contact for the hub desk (store: contacts.delivered) */
  MASH_OUTBOX_MESSAGE = 2, /* a request, escalation or pack (store: the outbox table) */
} mash_outbox_kind_t;

typedef struct mash_outbox_stats {
  unsigned long sent;    /* frames sent, counting every retry */
  unsigned long acked;   /* entries acknowledged and removed */
  unsigned long pending; /* entries waiting for their acknowledgement */
} mash_outbox_stats_t;

/* Send `frame` to `target` (a principal or MASH_OUTBOX_HUB). Returns 0 when
 * queued on the socket, negative when not (no route, queue full): the
 * outbox then sends nothing more to that target in this pump. */
typedef int (*mash_outbox_send_cb)(const char *target, const uint8_t *frame, size_t len, void *arg);

/* An empty outbox retrying by `policy` (copied), sending at most `burst`
 * frames per pump (0: 512). NULL on ENOMEM. */
mash_outbox_t *mash_outbox_new(const mash_retry_t *policy, unsigned burst);

/* Free the outbox and every entry. Accepts NULL; nulls *ob_p. */
void mash_outbox_destroy(mash_outbox_t **ob_p);

/* Queue a stored contact for the hub desk, due at now_ms. The frame is
 * built from the stored bytes (borrowed) without decoding them
 * (mash_codec_encode_contact_delivery), with sent_at_ms in its header.
 * A contact already queued is not queued twice. 0, -ENOMEM or -EMSGSIZE. */
int mash_outbox_add_contact(mash_outbox_t *ob, const char *contact_id, const uint8_t *contact,
                            size_t len, int64_t sent_at_ms, int64_t now_ms);

/* Queue a stored message (frame copied) for target, due at now_ms. A message
 * id already waiting is not queued twice. 0 or -ENOMEM. */
int mash_outbox_add(mash_outbox_t *ob, const char *message_id, const char *target,
                    const uint8_t *frame, size_t len, int64_t now_ms);

/* Send what is due at now_ms through send_cb, contacts first, at most the
 * burst; each frame sent is next due after the policy's backoff. Entries
 * whose acknowledgement is being stored are not sent. Returns the number
 * of frames sent. */
unsigned mash_outbox_pump(mash_outbox_t *ob, int64_t now_ms, mash_outbox_send_cb send_cb,
                          void *arg);

/* Everything for `principal` (and for MASH_OUTBOX_HUB when is_hub) is due at
 * now_ms: the addressee has just (re)connected. */
void mash_outbox_due_now(mash_outbox_t *ob, const char *principal, int is_hub, int64_t now_ms);

/* The waiting entry with this message id, or NULL (unknown, or already
 * acknowledged). The pointer stays valid until mash_outbox_ack_end. */
mash_outbox_entry_t *mash_outbox_find(mash_outbox_t *ob, const char *message_id);

mash_outbox_kind_t mash_outbox_entry_kind(const mash_outbox_entry_t *e);
/* The message id the frame carries. */
const char *mash_outbox_entry_id(const mash_outbox_entry_t *e);
/* A principal or MASH_OUTBOX_HUB. */
const char *mash_outbox_entry_target(const mash_outbox_entry_t *e);
/* The contact id (MASH_OUTBOX_CONTACT), or "" (MASH_OUTBOX_MESSAGE). */
const char *mash_outbox_entry_contact_id(const mash_outbox_entry_t *e);
/* Times sent so far. */
unsigned mash_outbox_entry_attempts(const mash_outbox_entry_t *e);

/* 1 when `principal` of `role` may acknowledge e: its addressee, or any hub
 * desk for MASH_OUTBOX_HUB. */
int mash_outbox_entry_for(const mash_outbox_entry_t *e, const char *principal, const char *role);

/* An acknowledgement of e is being stored: e is not sent meanwhile. Returns
 * 0, or -EALREADY when one is already being stored (a repeated receipt). */
int mash_outbox_ack_begin(mash_outbox_t *ob, mash_outbox_entry_t *e);

/* The acknowledgement was stored (acked 1: e is removed and must not be used
 * again) or failed (acked 0: e is retried after its backoff). */
void mash_outbox_ack_end(mash_outbox_t *ob, mash_outbox_entry_t *e, int acked);

void mash_outbox_get_stats(const mash_outbox_t *ob, mash_outbox_stats_t *out);

/* cb(target) once per entry waiting for its acknowledgement, for the
 * operations console's depth per target. */
void mash_outbox_each_pending(const mash_outbox_t *ob, void (*cb)(const char *target, void *arg),
                              void *arg);

#endif
