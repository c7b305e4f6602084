/* hub_store: the hub desk's own tables in the agent's SQLite store: the
 * contacts, consolidated packs and escalation events the broker delivered.
 * Each is stored as the protobuf bytes received, keyed so that a
 * redelivery stores nothing new.
 *
 *   hub_contacts(contact_id PK, received_ms, contact BLOB)
 *   hub_packs(enquiry_id, version, issued_ms, contact_id, partial,
 *             received_ms, pack BLOB, PRIMARY KEY(enquiry_id, version))
 *   hub_escalations(escalation_id PK, enquiry_id, request_id, contact_id,
 *                   agency, level, at_ms, received_ms, escalation BLOB)
 *
 * The put functions are called inside the runtime's transaction of the
 * message (agent_message_cb), so a row and the inbox mark commit together.
 * Must not: print, or log anything but ids (the blobs hold children's
 * names). Loop thread only (the connection is the agent's).
 */
#ifndef MASH_HUB_STORE_H
#define MASH_HUB_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "mash.pb-c.h"

/* Create the tables when missing. 0 or -1 (sqlite3_errmsg(db) says why). */
int hub_store_init(sqlite3 *db);

/* Store a delivered message. Returns 1 when stored now, 0 when it was
 * already there (a redelivery), -1 on a database error. */
int hub_store_contact_put(sqlite3 *db, const Mash__V1__Contact *c, int64_t now_ms);
int hub_store_pack_put(sqlite3 *db, const Mash__V1__ConsolidatedPack *p, int64_t now_ms);
int hub_store_escalation_put(sqlite3 *db, const Mash__V1__EscalationEvent *e, int64_t now_ms);

/* Visit stored contacts in order of arrival, and packs in order of issue
 * (then enquiry, version). The message passed is freed after the callback
 * returns; a non-zero return stops the walk. Rows that no longer decode are
 * skipped and counted in *skipped (when not NULL). Returns the number of
 * messages visited, or -1 on a database error. */
typedef int (*hub_store_contact_cb)(const Mash__V1__Contact *c, void *arg);
typedef int (*hub_store_pack_cb)(const Mash__V1__ConsolidatedPack *p, void *arg);
int hub_store_contacts(sqlite3 *db, hub_store_contact_cb cb, void *arg, int *skipped);
int hub_store_packs(sqlite3 *db, hub_store_pack_cb cb, void *arg, int *skipped);

#endif
