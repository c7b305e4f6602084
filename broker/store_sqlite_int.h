/* store_sqlite_int: private to the SQLite store. The enquiry half of the
 * store (store_sqlite_enquiry.c) shares the connection and the seal of the
 * contact half (store_sqlite.c). Not for use outside these two files. */
#ifndef MASH_STORE_SQLITE_INT_H
#define MASH_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "store.h"

typedef struct store_enq store_enq_t;

/* Migration that adds the enquiry tables (appended to the schema list). */
extern const char STORE_ENQ_MIGRATION[];
/* Migration that adds the plain columns management information reads. */
extern const char STORE_MI_MIGRATION[];

store_enq_t *store_enq_new(sqlite3 *db, const mash_seal_t *seal, char *err, size_t errlen);
void store_enq_destroy(store_enq_t *e);

/* An SQLite result code as a negative errno (0 for OK, ROW, DONE). */
int store_sqlite_errno(int rc);

/* Defined by store_sqlite.c: the enquiry half of a SQLite store. */
store_enq_t *store_sqlite_enq(mash_store_t *s);

int store_enq_savepoint(mash_store_t *s);
int store_enq_release(mash_store_t *s, int keep);
int store_enq_contact_get(mash_store_t *s, const char *contact_id, mash_contact_row_t *row);
int store_enq_contact_set_state(mash_store_t *s, const char *contact_id, int state, int64_t at_ms,
                                int outcome);
int store_enq_inbox_get(mash_store_t *s, const char *principal, const char *message_id,
                        uint8_t **result, size_t *len);
int store_enq_inbox_put(mash_store_t *s, const char *principal, const char *message_id,
                        const uint8_t *result, size_t len, int64_t at_ms);
int store_enq_enquiry_insert(mash_store_t *s, const char *contact_id, int rag, int consent_status,
                             int64_t at_ms, const uint8_t *decision, size_t len,
                             char enquiry_id[MASH_ITEM_ID_LEN]);
int store_enq_enquiry_get(mash_store_t *s, const char *enquiry_id, mash_enquiry_row_t *row);
int store_enq_enquiry_update(mash_store_t *s, const char *enquiry_id, unsigned pack_version,
                             int64_t closed_at_ms, int64_t at_ms);
int store_enq_enquiry_of_contact(mash_store_t *s, const char *contact_id,
                                 char enquiry_id[MASH_ITEM_ID_LEN]);
int store_enq_request_insert(mash_store_t *s, const char *enquiry_id, const char *agency, int rag,
                             int64_t requested_at_ms, int64_t due_at_ms,
                             char request_id[MASH_ITEM_ID_LEN]);
int store_enq_request_get(mash_store_t *s, const char *request_id, mash_request_row_t *row);
int store_enq_request_answer(mash_store_t *s, const char *request_id, int64_t at_ms,
                             const uint8_t *response, size_t len);
int store_enq_request_set_level(mash_store_t *s, const char *request_id, unsigned level,
                                int64_t at_ms);
int store_enq_requests_of_enquiry(mash_store_t *s, const char *enquiry_id, mash_store_request_cb cb,
                                  void *arg);
int store_enq_requests_open(mash_store_t *s, mash_store_request_cb cb, void *arg);
int store_enq_escalation_insert(mash_store_t *s, const char *escalation_id, const char *enquiry_id,
                                const char *request_id, unsigned level, int64_t at_ms,
                                const uint8_t *event, size_t len);
int store_enq_escalations_of_enquiry(mash_store_t *s, const char *enquiry_id, mash_store_blob_cb cb,
                                     void *arg);
int store_enq_outbox_insert(mash_store_t *s, const char *message_id, const char *target,
                            const uint8_t *frame, size_t len, int64_t at_ms);
int store_enq_outbox_delivered(mash_store_t *s, const char *message_id, const char *principal,
                               int64_t at_ms);
int store_enq_outbox_pending(mash_store_t *s, mash_store_outbox_cb cb, void *arg);
int store_enq_latest_instant(mash_store_t *s, int64_t *ms);

#define STORE_ENQ_VTABLE_ENTRIES                                                                   \
  .savepoint = store_enq_savepoint, .release = store_enq_release,                                  \
  .contact_get = store_enq_contact_get, .contact_set_state = store_enq_contact_set_state,          \
  .inbox_get = store_enq_inbox_get, .inbox_put = store_enq_inbox_put,                              \
  .enquiry_insert = store_enq_enquiry_insert, .enquiry_get = store_enq_enquiry_get,                \
  .enquiry_update = store_enq_enquiry_update, .enquiry_of_contact = store_enq_enquiry_of_contact,  \
  .request_insert = store_enq_request_insert, .request_get = store_enq_request_get,                \
  .request_answer = store_enq_request_answer, .request_set_level = store_enq_request_set_level,    \
  .requests_of_enquiry = store_enq_requests_of_enquiry, .requests_open = store_enq_requests_open,  \
  .escalation_insert = store_enq_escalation_insert,                                                \
  .escalations_of_enquiry = store_enq_escalations_of_enquiry,                                      \
  .outbox_insert = store_enq_outbox_insert, .outbox_delivered = store_enq_outbox_delivered,        \
  .outbox_pending = store_enq_outbox_pending, .latest_instant = store_enq_latest_instant

#endif
