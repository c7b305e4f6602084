/* agent_store: an agent's local durable state (SQLite file, WAL,
 * synchronous=FULL): the outbox of messages sent until receipted, and the
 * inbox of message ids already handled (de-duplication of redeliveries).
 * Frames, labels and details are sealed with the agent's data key; a frame
 * is dropped once its receipt is stored.
 *
 * Synchronous calls on the agent's loop thread: an adapter handles tens of
 * messages a second, so a blocking commit is acceptable here (unlike mashd).
 */
#ifndef MASH_AGENT_STORE_H
#define MASH_AGENT_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "seal.h"

typedef struct agent_store agent_store_t;

/* Outbox entry states. */
#define AGENT_OUTBOX_PENDING 0
#define AGENT_OUTBOX_ACCEPTED 1
#define AGENT_OUTBOX_DUPLICATE 2
#define AGENT_OUTBOX_REJECTED 3

/* Open (or create, mode 0600) the store at path, sealed with `seal`
 * (borrowed: it must outlive the store). An older store is migrated and its
 * rows sealed; a store sealed with another key is refused. NULL with err. */
agent_store_t *agent_store_new(const char *path, const mash_seal_t *seal, char *err, size_t errlen);
void agent_store_destroy(agent_store_t **self_p);

/* The statements re-sealing the store's tables in a key rotation
 * (agent_rekey.h: mash_open_old, mash_seal and mash_blind registered). */
const char *agent_store_rekey_sql(void);

/* The database, for an agent's own tables (the hub desk's contacts). Use
 * inside agent_store_begin/commit to stay atomic with the inbox. */
sqlite3 *agent_store_db(agent_store_t *s);

/* The data key the store was opened with (for the agent's sealed files). */
const mash_seal_t *agent_store_seal(const agent_store_t *s);

int agent_store_begin(agent_store_t *s);
int agent_store_commit(agent_store_t *s);
/* Roll back the open transaction; a no-op (0) when a failed commit ended it. */
int agent_store_rollback(agent_store_t *s);

/* Add an encoded Envelope to the outbox (durable when it returns 0). `label`
 * is for the operator (e.g. the spool file name), may be NULL. */
int agent_store_outbox_put(agent_store_t *s, const char *message_id, const char *label,
                           const uint8_t *frame, size_t len, int64_t now_ms);

/* Record the receipt for message_id: state is AGENT_OUTBOX_ACCEPTED,
 * _DUPLICATE or _REJECTED, contact_id and detail (error text) may be NULL.
 * Returns 0, or 1 when message_id is not in the outbox or already done.
 * Outside a transaction the commit is not flushed by itself (the next
 * flushed commit carries it): a receipt lost in a power cut means a resend,
 * which the broker answers as a duplicate with the same contact id. */
int agent_store_outbox_done(agent_store_t *s, const char *message_id, int state,
                            const char *contact_id, const char *detail, int64_t now_ms);

typedef int (*agent_store_outbox_cb)(const char *message_id, const char *label,
                                     const uint8_t *frame, size_t len, void *arg);
/* Visit pending entries in insertion order; a non-zero return stops. */
int agent_store_outbox_pending(agent_store_t *s, agent_store_outbox_cb cb, void *arg);
int agent_store_outbox_count_pending(agent_store_t *s, int64_t *n);

/* The latest outbox entry labelled `label`: 1 found (state, and contact and
 * detail copied when not NULL), 0 none, <0 error. */
int agent_store_outbox_by_label(agent_store_t *s, const char *label, int *state, char *contact,
                                size_t contact_cap, char *detail, size_t detail_cap);

/* The database's text for the last failure ("database or disk is full"). */
const char *agent_store_errmsg(agent_store_t *s);

/* Inbox de-duplication by the sender's message id. seen: 1 seen, 0 not, <0 error. */
int agent_store_inbox_seen(agent_store_t *s, const char *message_id);
int agent_store_inbox_mark(agent_store_t *s, const char *message_id, int64_t now_ms);

#endif
