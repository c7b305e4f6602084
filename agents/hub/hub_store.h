/* hub_store: the hub desk's own tables in the agent's SQLite store: the
 * contacts, consolidated packs and escalation events the broker delivered.
 * Each is stored as the protobuf bytes received, sealed with the desk's data
 * key (AES-256-GCM, bound to its id), keyed so that a redelivery stores
 * nothing new.
 *
 *   hub_contacts(contact_id PK, received_ms, contact BLOB)
 *   hub_packs(enquiry_id, version, issued_ms, contact_id, partial,
 *             received_ms, pack BLOB, PRIMARY KEY(enquiry_id, version))
 *   hub_escalations(escalation_id PK, enquiry_id, request_id, contact_id,
 *                   agency, level, at_ms, received_ms, escalation BLOB)
 *
 * and what the screening queue needs to know about the desk's own commands:
 *
 *   hub_commands(message_id PK, kind, contact_id, created_ms)
 *       each screening or outcome command the desk submitted (kind is a
 *       hub_command_kind_t), so that the broker's receipt, which names
 *       neither, can be tied to its contact;
 *   hub_contact_state(contact_id PK, screened_ms, decided_ms)
 *       when the broker accepted a screening (or a pack came for it) and an
 *       outcome for the contact. A contact with neither is open: it is in
 *       the queue.
 *
 * and the possible person matches awaiting the hub's review (hub_matches.h):
 *
 *   hub_matches(match_id PK, contact_id, ref, person_id, candidate_person_id,
 *               confidence_permille, why, received_ms, closed_ms, confirmed)
 *       each PersonLink with decision "possible" of a stored contact;
 *       closed_ms and confirmed (1 confirmed, 0 rejected) are set when the
 *       broker accepts the hub's decision. Open: closed_ms IS NULL.
 *   hub_match_commands(message_id PK, match_id, confirm, created_ms)
 *       each match command the desk submitted, tying the broker's receipt
 *       to its match.
 *
 * The put functions are called inside the runtime's transaction of the
 * message (agent_message_cb), so a row and the inbox mark commit together.
 * Must not: print, or log anything but ids (the blobs hold children's
 * names). Loop thread only (the connection is the agent's).
 */
#ifndef MASH_HUB_STORE_H
#define MASH_HUB_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "hub_command.h"
#include "hub_matches.h"
#include "mash.pb-c.h"

/* Create the tables when missing, and seal the blobs of a store from
 * before sealing (once, in its own transaction when none is open). The
 * connection must carry the seal functions (agent_seal_sql; the agent
 * store registers them). 0 or -1 (sqlite3_errmsg(db) says why). */
int hub_store_init(sqlite3 *db);

/* The statements re-sealing the desk's tables in a key rotation
 * (`mash-hub rekey`, agent_rekey.h). */
const char *hub_store_rekey_sql(void);

/* Store a delivered message. Returns 1 when stored now, 0 when it was
 * already there (a redelivery), -1 on a database error. */
int hub_store_contact_put(sqlite3 *db, const Mash__V1__Contact *c, int64_t now_ms);
int hub_store_pack_put(sqlite3 *db, const Mash__V1__ConsolidatedPack *p, int64_t now_ms);
int hub_store_escalation_put(sqlite3 *db, const Mash__V1__EscalationEvent *e, int64_t now_ms);
/* A possible match decided at the desk (the broker's MatchOutcome): the
 * person links of the contacts held are brought up to date (confirmed:
 * links to merged_person_id name person_id; rejected: the link that offered
 * the match is "new"), each link's why gaining "confirmed M-..." or
 * "rejected M-...", and the match is closed. Idempotent: a redelivery
 * changes nothing. Reads every contact held. Returns the number of contacts
 * changed, or -1. */
int hub_store_match_outcome(sqlite3 *db, const Mash__V1__MatchOutcome *o, int64_t now_ms);
/* hub_store_pack_put also marks the pack's contact screened (a pack exists
 * only for an accepted screening), in the same transaction. */
/* hub_store_contact_put also records the contact's possible matches (its
 * PersonLinks with decision "possible"), in the same transaction; a match
 * recorded before is left as it is. */

/* Visit stored contacts in order of arrival, and packs in order of issue
 * (then enquiry, version). The message passed is freed after the callback
 * returns; a non-zero return stops the walk. Rows that no longer decode are
 * skipped and counted in *skipped (when not NULL). Returns the number of
 * messages visited, or -1 on a database error. */
typedef int (*hub_store_contact_cb)(const Mash__V1__Contact *c, void *arg);
typedef int (*hub_store_pack_cb)(const Mash__V1__ConsolidatedPack *p, void *arg);
int hub_store_contacts(sqlite3 *db, hub_store_contact_cb cb, void *arg, int *skipped);
int hub_store_packs(sqlite3 *db, hub_store_pack_cb cb, void *arg, int *skipped);

/* Remember a command before it is submitted: its message id, kind and
 * contact. 0 (also when it is there already: a file dropped twice has one
 * message id), -1 on a database error. */
int hub_store_command_put(sqlite3 *db, const char *message_id, hub_command_kind_t kind,
                          const char *contact_id, int64_t now_ms);

/* Remember a match command before it is submitted: its message id, match
 * and decision. 0 (also when it is there already), -1 on a database error. */
int hub_store_match_command_put(sqlite3 *db, const char *message_id, const char *match_id,
                                bool confirm, int64_t now_ms);

/* The broker accepted command `message_id` (or had already): mark its
 * contact screened or decided at now_ms, keeping an earlier time, or, for
 * a match command, close its match as confirmed or rejected (keeping an
 * earlier decision). Each change is one statement, so atomic on its own or
 * inside the caller's transaction. Returns 1 when marked (for a match
 * command: also when the match was closed already or is not kept here), 0
 * when message_id is not a command the desk recorded (nothing changed),
 * -1 on a database error. Not called inside
 * the runtime's transaction of the receipt: the runtime records a receipt
 * in its outbox first and then tells the desk, so a crash in between
 * leaves the contact open (shown in the queue, never hidden). */
int hub_store_command_accepted(sqlite3 *db, const char *message_id, int64_t now_ms);

/* The open contacts (stored, with no accepted screening, pack or outcome)
 * in order of arrival at the desk: *out a new array of *n decoded contacts
 * (NULL when none), freed with hub_store_contacts_free. Rows that no longer
 * decode are skipped and counted in *skipped (when not NULL). 0, or -1 on a
 * database error or when memory ran out (*out NULL, *n 0). */
int hub_store_open_contacts(sqlite3 *db, Mash__V1__Contact ***out, size_t *n, int *skipped);

/* Visit the open possible matches (no decision accepted yet), the oldest
 * first (received time, then match id). The match passed is valid only
 * during the callback; a non-zero return stops the walk. Returns the
 * number visited, or -1 on a database error. */
typedef int (*hub_store_match_cb)(const hub_match_t *m, void *arg);
int hub_store_open_matches(sqlite3 *db, hub_store_match_cb cb, void *arg);

/* How many open possible matches came with contact `contact_id`: 0 or
 * more, or -1 on a database error. */
int hub_store_contact_open_matches(sqlite3 *db, const char *contact_id);

/* Free an array from hub_store_open_contacts and null *v_p. Accepts NULL
 * and a NULL *v_p. */
void hub_store_contacts_free(Mash__V1__Contact ***v_p, size_t n);

/* The broker's clock as the desk last heard it (rate and origins), so that
 * the listings read ages by the broker's clock. put: 0 or -1; get: 0, or -1
 * when never heard (then use the wall clock). */
int hub_store_clock_put(sqlite3 *db, const mash_clock_t *c);
int hub_store_clock_get(sqlite3 *db, mash_clock_t *c);

#endif
