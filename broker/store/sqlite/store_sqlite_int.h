/* store_sqlite_int: private to the SQLite store. The enquiry half of the
 * store (store_sqlite_enquiry.c) shares the connection and the seal of the
 * contact half (store_sqlite.c). Not for use outside these two files. */
#ifndef MASH_STORE_SQLITE_INT_H
#define MASH_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "store.h"

typedef struct store_enq store_enq_t;
typedef struct store_per store_per_t;

/* Migration that adds the enquiry tables (appended to the schema list). */
extern const char STORE_ENQ_MIGRATION[];
/* Migration that adds the plain columns management information reads. */
extern const char STORE_MI_MIGRATION[];
/* Migration that adds the person index (store_sqlite_person.c). */
extern const char STORE_PERSON_MIGRATION[];

store_per_t *store_per_new(sqlite3 *db, const mash_seal_t *seal, char *err, size_t errlen);
void store_per_destroy(store_per_t *p);
/* Defined by store_sqlite.c: the person half of a SQLite store. */
store_per_t *store_sqlite_per(mash_store_t *s);

/* Defined by store_sqlite.c: the connection, for the read-only queries of
 * the operations console (store_sqlite_ops.c). */
sqlite3 *store_sqlite_db(mash_store_t *s);
int store_ops_figures(mash_store_t *s, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                      int64_t screening_ms, mash_ops_figures_t *out);

/* Statement helpers shared by the halves: each resets the statement. */
void store_sql_done(sqlite3_stmt *q);
int store_sql_exec(sqlite3_stmt *q); /* a statement returning no rows */
void store_sql_text(sqlite3_stmt *q, int col, char *out, size_t cap);
int store_sql_int64(sqlite3_stmt *q, int64_t *v); /* the first column of one row */
int store_sql_seal(const mash_seal_t *seal, const uint8_t *in, size_t len, const char *aad,
                   uint8_t **out, size_t *out_len);
/* Open the sealed blob of column col, bound to aad; a NULL column gives NULL.
 * Does not reset the statement. */
int store_sql_open(const mash_seal_t *seal, sqlite3_stmt *q, int col, const char *aad,
                   uint8_t **out, size_t *out_len);

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

int store_per_find(mash_store_t *s, const char *const *keys, size_t n, mash_store_person_cb cb,
                   void *arg);
int store_per_get(mash_store_t *s, const char *person_id, mash_person_row_t *row);
int store_per_put(mash_store_t *s, char person_id[MASH_PERSON_ID_LEN], const uint8_t *record,
                  size_t len, int is_child, const char *address_key, int64_t at_ms);
int store_per_add_keys(mash_store_t *s, const char *person_id, const char *const *keys, size_t n);
int store_per_link(mash_store_t *s, const char *contact_id, const char *ref, const char *person_id,
                   const char *decision, int confidence, const char *why, int64_t at_ms);
int store_per_relate(mash_store_t *s, const char *a, const char *b, int64_t at_ms);
int store_per_relatives(mash_store_t *s, const char *person_id, mash_store_person_cb cb, void *arg);
int store_per_housemates(mash_store_t *s, const char *person_id, int64_t since_ms, size_t max,
                         mash_store_person_cb cb, void *arg);
int store_per_together(mash_store_t *s, const char *a, const char *b);
int store_per_contacts(mash_store_t *s, const char *person_id, int64_t since_ms, int64_t until_ms,
                       size_t max, mash_store_person_contact_cb cb, void *arg);
int store_per_merge(mash_store_t *s, const char *from, const char *into, const char *note,
                    int64_t at_ms);
int store_per_match_insert(mash_store_t *s, const mash_match_row_t *m, const char *why,
                           int64_t at_ms, char match_id[MASH_PERSON_ID_LEN]);
int store_per_match_get(mash_store_t *s, const char *match_id, mash_match_row_t *row);
int store_per_match_decide(mash_store_t *s, const char *match_id, int state, const char *by,
                           const uint8_t *decision, size_t len, int64_t at_ms);

#define STORE_PER_VTABLE_ENTRIES                                                                   \
  .person_find = store_per_find, .person_get = store_per_get, .person_put = store_per_put,         \
  .person_add_keys = store_per_add_keys, .person_link = store_per_link,                            \
  .person_relate = store_per_relate, .person_relatives = store_per_relatives,                      \
  .person_housemates = store_per_housemates, .person_together = store_per_together,                \
  .person_contacts = store_per_contacts, .person_merge = store_per_merge,                          \
  .match_insert = store_per_match_insert, .match_get = store_per_match_get,                        \
  .match_decide = store_per_match_decide

#endif
