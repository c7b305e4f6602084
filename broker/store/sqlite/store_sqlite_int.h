/* store_sqlite_int: private to the SQLite store (store/sqlite/). The table
 * modules (contacts, enquiries, persons, statistics) share the connection
 * and the seal of the store (store_sqlite.c), which assembles their
 * operations into its vtable; the schema is one ordered migration list
 * (store_sqlite_schema.c). Not for use outside these files, and from one
 * thread at a time (the storage thread in mashd).
 */
#ifndef MASH_STORE_SQLITE_INT_H
#define MASH_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "store.h"
#include "store_sumcache.h"
#include "store_vt.h"

typedef struct store_con store_con_t;   /* contacts (store_sqlite_contact.c) */
typedef struct store_enq store_enq_t;   /* enquiries (store_sqlite_enquiry.c) */
typedef struct store_per store_per_t;   /* persons (store_sqlite_person.c) */
typedef struct store_stat store_stat_t; /* statistics (store_sqlite_stats.c) */
typedef struct store_duty store_duty_t; /* duties (store_sqlite_duty.c) */

/* ---- the store (store_sqlite.c): each table module's half of it ---- */

store_con_t *store_sqlite_con(mash_store_t *s);
store_enq_t *store_sqlite_enq(mash_store_t *s);
store_per_t *store_sqlite_per(mash_store_t *s);
store_stat_t *store_sqlite_stat(mash_store_t *s);
store_duty_t *store_sqlite_duty(mash_store_t *s);

/* The connection, for the operations console's queries (store_sqlite_stats.c). */
sqlite3 *store_sqlite_db(mash_store_t *s);

/* SQLite's message for db's last error, with the system's own text when an
 * operating-system call failed ("disk I/O error: No space left on
 * device"), written into buf; returns buf. */
const char *store_sqlite_errmsg(sqlite3 *db, char *buf, size_t len);

/* An SQLite result code as a negative errno (0 for OK, ROW, DONE). */
int store_sqlite_errno(int rc);

/* Statement helpers shared by the table modules: each resets the statement. */
void store_sql_done(sqlite3_stmt *q);
int store_sql_exec(sqlite3_stmt *q); /* a statement returning no rows */
/* Step q: 1 with a row to read; 0 at the end, or on an error, which is then
 * put in *err as a negative errno. For `while (store_sql_row(q, &rc))`. */
int store_sql_row(sqlite3_stmt *q, int *err);
void store_sql_text(sqlite3_stmt *q, int col, char *out, size_t cap);
int store_sql_int64(sqlite3_stmt *q, int64_t *v); /* the first column of one row */
int store_sql_seal(const mash_seal_t *seal, const uint8_t *in, size_t len, const char *aad,
                   uint8_t **out, size_t *out_len);
/* Open the sealed blob of column col, bound to aad; a NULL column gives NULL.
 * Does not reset the statement. */
int store_sql_open(const mash_seal_t *seal, sqlite3_stmt *q, int col, const char *aad,
                   uint8_t **out, size_t *out_len);
/* The same through a table module's reusable context (seal.h): no key
 * schedule or system random draw per blob. */
int store_sql_seal_ctx(mash_seal_ctx_t *ctx, const uint8_t *in, size_t len, const char *aad,
                       uint8_t **out, size_t *out_len);
int store_sql_open_ctx(mash_seal_ctx_t *ctx, sqlite3_stmt *q, int col, const char *aad,
                       uint8_t **out, size_t *out_len);
/* Prepare sql[0..n) into out[0..n) (persistent statements); on failure a
 * reason naming `what` in err, and the caller finalizes out. */
int store_sql_prepare_all(sqlite3 *db, const char *const *sql, int n, sqlite3_stmt **out,
                          const char *what, char *err, size_t errlen);
/* Finalize out[0..n) (NULL entries are fine). */
void store_sql_finalize_all(sqlite3_stmt **q, int n);

/* ---- the schema (store_sqlite_schema.c) ---- */

/* The version the migration list brings a database to (its length). */
int store_sqlite_schema_version(void);
/* The version recorded in the database (PRAGMA user_version). */
int store_sqlite_user_version(sqlite3 *db, int *version);
/* Apply the migrations that take the database from its version up to
 * `target` (at most store_sqlite_schema_version()), each in its own
 * transaction with its new version. A database newer than the list is
 * refused (-EPROTO). Returns 0 or a negative error with a reason in err. */
int store_sqlite_migrate(sqlite3 *db, int target, char *err, size_t errlen);

/* ---- the id mark (store_sqlite_ids.c) ---- */

typedef struct store_ids store_ids_t;
enum {
  STORE_IDS_CONTACT,
  STORE_IDS_ENQUIRY,
  STORE_IDS_REQUEST,
  STORE_IDS_PERSON, /* person ids: the desk holds them (packs, match reviews) */
  STORE_IDS_MATCH,  /* match ids: the desk answers a review by its match id */
  STORE_IDS_N
};
typedef struct store_ids_opts {
  int accept_id_loss; /* a database behind its mark: go on, issuing above it */
} store_ids_opts_t;
/* The id mark of the database at db_path (DB_PATH.ids and its copy
 * DIR/.NAME.ids, written together; none for an in-memory database), checked
 * against db (migrated): NULL with the reason in err when the database is
 * behind either (ids receipted are missing), or when neither can be read
 * and one is damaged, unless opts->accept_id_loss. What it did worth telling an
 * operator (made, rebuilt, a loss accepted) goes to note ("" if nothing). */
store_ids_t *store_ids_open(sqlite3 *db, const char *db_path, const store_ids_opts_t *opts,
                            char *note, size_t notelen, char *err, size_t errlen);
/* Records a clean stop (the committed ids synced) when the mark was opened,
 * then frees it; accepts NULL. */
void store_ids_destroy(store_ids_t *ids);
/* The id to issue next in `series`, given *id = the database's MAX(id) + 1:
 * raised to the floor, and a new block reserved (synced) when it passes the
 * reservation. 0, or a negative errno: the id must then not be used. */
int store_ids_next(store_ids_t *ids, int series, int64_t *id);
/* After a commit: record the highest ids committed (written, not synced). */
void store_ids_committed(store_ids_t *ids);
/* After a rollback: nothing issued since the last commit was kept. */
void store_ids_rolled_back(store_ids_t *ids);
/* The mark's file, or NULL when there is none. */
const char *store_ids_path(const store_ids_t *ids);
/* The store's id mark (store_sqlite.c). */
store_ids_t *store_sqlite_ids(mash_store_t *s);

/* ---- files refused at the adapters (store_sqlite_rejection.c) ---- */

int store_rej_put(mash_store_t *s, const char *principal, const char *message_id,
                  const char *reason, const char *fields, int64_t at_ms);
int store_rej_each(mash_store_t *s, mash_store_rejection_cb cb, void *arg);

/* ---- contacts (store_sqlite_contact.c) ---- */

store_con_t *store_con_new(sqlite3 *db, const mash_seal_t *seal, char *err, size_t errlen);
void store_con_destroy(store_con_t *c);
int store_con_intake(mash_store_t *s, mash_intake_t *in);
int store_con_mark_delivered(mash_store_t *s, const char *contact_id, const char *principal,
                             int64_t at_ms);
int store_con_load_undelivered(mash_store_t *s, mash_store_contact_cb cb, void *arg);
int store_con_load_unresolved(mash_store_t *s, mash_store_contact_cb cb, void *arg);
int store_con_resolved(mash_store_t *s, const char *contact_id, const uint8_t *contact, size_t len,
                       int priority, const char *quality_flags);
int store_con_find(mash_store_t *s, const char *principal, const char *message_id,
                   char contact_id[MASH_CONTACT_ID_LEN]);
int store_con_get(mash_store_t *s, const char *contact_id, mash_contact_row_t *row);
int store_con_set_state(mash_store_t *s, const char *contact_id, int state, int64_t at_ms,
                        int outcome);
int store_con_count(mash_store_t *s, int64_t *n);

/* ---- enquiries, requests, escalations, outbox, inbox (store_sqlite_enquiry.c) ---- */

store_enq_t *store_enq_new(sqlite3 *db, const mash_seal_t *seal, char *err, size_t errlen);
void store_enq_destroy(store_enq_t *e);
int store_enq_inbox_get(mash_store_t *s, const char *principal, const char *message_id,
                        uint8_t **result, size_t *len);
int store_enq_inbox_put(mash_store_t *s, const char *principal, const char *message_id,
                        const uint8_t *result, size_t len, int64_t at_ms);
int store_enq_inbox_refused(mash_store_t *s, const char *principal, const char *message_id,
                            const uint8_t *result, size_t len, int64_t at_ms,
                            int64_t expire_before_ms);
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

/* ---- statistics (store_sqlite_stats.c): plain columns only, no seal ---- */

store_stat_t *store_stat_new(sqlite3 *db, char *err, size_t errlen);
void store_stat_destroy(store_stat_t *t);
int store_stat_summary(mash_store_t *s, int64_t now_ms, mash_store_stats_t *out);
int store_stat_sources(mash_store_t *s, mash_store_count_cb cb, void *arg);
int store_stat_replies(mash_store_t *s, mash_store_reply_cb cb, void *arg);
int store_stat_escalation_levels(mash_store_t *s, mash_store_level_cb cb, void *arg);
int store_stat_quality_flags(mash_store_t *s, mash_store_count_cb cb, void *arg);

/* ---- duties (store_sqlite_duty.c) ---- */

store_duty_t *store_duty_new(sqlite3 *db, char *err, size_t errlen);
void store_duty_destroy(store_duty_t *d);
int store_duty_open(mash_store_t *s, int kind, const char *ref, int rag, int64_t start_ms,
                    int64_t due_ms, int64_t next_at_ms, uint64_t *duty);
int store_duty_get(mash_store_t *s, uint64_t duty, mash_duty_row_t *row);
int store_duty_find(mash_store_t *s, int kind, const char *ref, mash_duty_row_t *row);
int store_duty_set(mash_store_t *s, uint64_t duty, unsigned level, int64_t level_at_ms,
                   int64_t next_at_ms);
int store_duty_done(mash_store_t *s, uint64_t duty, int64_t at_ms);
int store_duties_open(mash_store_t *s, mash_store_duty_cb cb, void *arg);
int store_duty_stats(mash_store_t *s, int kind, int64_t now_ms, mash_duty_stats_t *out);

#define STORE_DUTY_VTABLE_ENTRIES                                                                  \
  .duty_open = store_duty_open, .duty_get = store_duty_get, .duty_claim = store_duty_get,          \
  .duty_find = store_duty_find, .duty_set = store_duty_set, .duty_done = store_duty_done,          \
  .duties_open = store_duties_open, .duty_stats = store_duty_stats

/* ---- the escalation log's side of the store (store_sqlite_esclog.c):
 * plain columns only, so a read-only store offers the reads ---- */

int store_elog_after(mash_store_t *s, uint64_t after_seq, size_t max, mash_store_step_cb cb,
                     void *arg);
int store_elog_state(mash_store_t *s, mash_store_esclog_state_t *out);
int store_elog_mark(mash_store_t *s, uint64_t appended_seq);

#define STORE_ELOG_READ_VTABLE_ENTRIES                                                             \
  .escalations_after = store_elog_after, .esclog_state = store_elog_state

/* ---- the operations console (store_sqlite_stats.c): plain columns only ---- */

int store_ops_figures(mash_store_t *s, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                      int64_t screening_ms, mash_ops_figures_t *out);

/* ---- persons (store_sqlite_person.c) ---- */

/* cache_bytes: the bound of the comparison summaries held in memory (0:
 * none; store_sumcache.h). */
store_per_t *store_per_new(sqlite3 *db, const mash_seal_t *seal, size_t cache_bytes, char *err,
                           size_t errlen);
/* The person slots' summary cache (NULL: none): transactions tell it what
 * was committed or undone. */
store_sumcache_t *store_per_cache(mash_store_t *s);
/* Before a transaction or savepoint begins, and at each look-up: when none
 * is open, forget the summaries the last one wrote (SQLite may have rolled
 * it back by itself, unseen by the store's rollback). store_sqlite.c. */
void store_sqlite_txn_check(mash_store_t *s);
/* The context the person slots open and blind with. */
mash_seal_ctx_t *store_per_ctx(mash_store_t *s);
int store_per_cache_stats(mash_store_t *s, mash_store_person_cache_t *out);
void store_per_destroy(store_per_t *p);

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
int store_per_pending(mash_store_t *s, const char *person_id, mash_store_pending_cb cb, void *arg);
int store_per_match_decide(mash_store_t *s, const char *match_id, int state, const char *by,
                           const uint8_t *decision, size_t len, int64_t at_ms);

/* store_sqlite_warm.c */
int store_sqlite_person_warm(mash_store_t *s, int64_t *bytes);
int store_per_summarise(mash_store_t *s, const char *person_id, const uint8_t *summary, size_t len);
int store_per_term_counts(mash_store_t *s, const char *const *keys, size_t n, int64_t *counts);
int store_per_term_add(mash_store_t *s, const char *const *keys, size_t n, int delta);
int store_per_each(mash_store_t *s, const char *after_id, size_t max, mash_store_person_cb cb,
                   void *arg);

#define STORE_PER_VTABLE_ENTRIES                                                                   \
  .person_find = store_per_find, .person_get = store_per_get, .person_put = store_per_put,         \
  .person_summarise = store_per_summarise, .person_warm = store_sqlite_person_warm,                \
  .person_cache = store_per_cache_stats, .person_add_keys = store_per_add_keys,                    \
  .person_link = store_per_link, .person_relate = store_per_relate,                                \
  .person_relatives = store_per_relatives, .person_housemates = store_per_housemates,              \
  .person_together = store_per_together, .person_contacts = store_per_contacts,                    \
  .person_merge = store_per_merge, .match_insert = store_per_match_insert,                         \
  .match_get = store_per_match_get, .match_decide = store_per_match_decide,                        \
  .match_pending = store_per_pending, .term_counts = store_per_term_counts,                        \
  .term_add = store_per_term_add, .person_each = store_per_each

#endif
