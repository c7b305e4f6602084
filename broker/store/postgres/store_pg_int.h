/* store_pg_int: private to the PostgreSQL store (store/postgres/). The
 * table modules (contacts, enquiries, duties) share the connection and the
 * seal of the store (store_pg.c), which assembles their operations into its
 * vtable; the schema is one ordered migration list (store_pg_schema.c),
 * numbered like SQLite's. Not for use outside these files, and from one
 * thread at a time (the storage thread in mashd).
 *
 * Values travel as text parameters, sealed content as binary (bytea)
 * parameters; results come back as text (bytea in hex, opened here).
 */
#ifndef MASH_STORE_PG_INT_H
#define MASH_STORE_PG_INT_H

#include <libpq-fe.h>

#include "store.h"
#include "store_logic.h"
#include "store_row.h"
#include "store_vt.h"

#define STORE_PG_MAX_ARGS 16

/* The parameters of one statement ($1, $2, ... in the order added). */
typedef struct store_pg_args {
  int n;
  const char *v[STORE_PG_MAX_ARGS];
  int len[STORE_PG_MAX_ARGS];
  int fmt[STORE_PG_MAX_ARGS];
  char num[STORE_PG_MAX_ARGS][24];
} store_pg_args_t;

void store_pg_text(store_pg_args_t *a, const char *t); /* NULL: SQL NULL */
void store_pg_int(store_pg_args_t *a, int64_t v);
void store_pg_bytes(store_pg_args_t *a, const uint8_t *b, size_t n); /* borrowed */

/* ---- the store (store_pg.c) ---- */

PGconn *store_pg_conn(mash_store_t *s);
const mash_seal_t *store_pg_seal(mash_store_t *s);
/* The store's reusable context (records opened, blind indexes made). */
mash_seal_ctx_t *store_pg_seal_ctx(mash_store_t *s);
/* The next contact row id of the transaction under way (0: not read yet;
 * reset by begin, commit, rollback and an undone savepoint). */
int64_t *store_pg_next_contact_id(mash_store_t *s);

/* A statement's result as a negative errno (0 when it succeeded). */
int store_pg_errno(PGconn *c, const PGresult *r);
/* Run a statement returning rows: the result (PQclear it), or NULL with a
 * negative errno in *err. */
PGresult *store_pg_query(mash_store_t *s, const char *sql, const store_pg_args_t *a, int *err);
/* store_pg_query with one parameter, $1 = a row number. */
PGresult *store_pg_query_id(mash_store_t *s, const char *sql, int64_t id, int *err);
/* Run a statement returning no rows; the rows it changed in *changed (may
 * be NULL). 0 or a negative errno. */
int store_pg_exec(mash_store_t *s, const char *sql, const store_pg_args_t *a, int64_t *changed);
/* The first column of the one row of sql into *v (0 for NULL). */
int store_pg_int64(mash_store_t *s, const char *sql, const store_pg_args_t *a, int64_t *v);

/* Reading a text result: NULL reads as 0 or "". */
int64_t store_pg_i64(const PGresult *r, int row, int col);
void store_pg_str(const PGresult *r, int row, int col, char *out, size_t cap);
/* A bytea column, unsealed: malloc'd copy into *out (NULL column: NULL). */
int store_pg_blob(const PGresult *r, int row, int col, uint8_t **out, size_t *len);
/* A sealed bytea column opened with aad (store_row_open's rules). */
int store_pg_open(mash_store_t *s, const PGresult *r, int row, int col, const char *aad,
                  uint8_t **out, size_t *len);

/* ---- the schema (store_pg_schema.c) ---- */

int store_pg_schema_version(void);
/* The version recorded in the database (0 for an empty one). */
int store_pg_db_version(PGconn *c, int *version);
/* Apply the migrations up to target, each in its own transaction under an
 * advisory lock (two processes never migrate at once). A database newer
 * than the list is refused (-EPROTO). 0 or an error with a reason in err. */
int store_pg_migrate(PGconn *c, int target, char *err, size_t errlen);

/* ---- contacts (store_pg_contact.c) ---- */

int store_pg_con_intake(mash_store_t *s, mash_intake_t *in);
int store_pg_con_mark_delivered(mash_store_t *s, const char *contact_id, const char *principal,
                                int64_t at_ms);
int store_pg_con_load_undelivered(mash_store_t *s, mash_store_contact_cb cb, void *arg);
int store_pg_con_load_unresolved(mash_store_t *s, mash_store_contact_cb cb, void *arg);
int store_pg_con_resolved(mash_store_t *s, const char *contact_id, const uint8_t *contact,
                          size_t len, int priority, const char *quality_flags);
int store_pg_con_find(mash_store_t *s, const char *principal, const char *message_id,
                      char contact_id[MASH_CONTACT_ID_LEN]);
int store_pg_con_claim(mash_store_t *s, const char *contact_id, mash_contact_row_t *row);
int store_pg_con_get(mash_store_t *s, const char *contact_id, mash_contact_row_t *row);
int store_pg_con_set_state(mash_store_t *s, const char *contact_id, int state, int64_t at_ms,
                           int outcome);
int store_pg_con_count(mash_store_t *s, int64_t *n);

#define STORE_PG_CON_VTABLE_ENTRIES                                                                \
  .intake = store_pg_con_intake, .mark_delivered = store_pg_con_mark_delivered,                    \
  .load_undelivered = store_pg_con_load_undelivered,                                               \
  .load_unresolved = store_pg_con_load_unresolved, .contact_resolved = store_pg_con_resolved,      \
  .contact_find = store_pg_con_find, .contact_get = store_pg_con_get,                              \
  .contact_claim = store_pg_con_claim, .contact_set_state = store_pg_con_set_state,                \
  .count_contacts = store_pg_con_count

/* ---- enquiries, requests, escalations, outbox, inbox (store_pg_enquiry.c) ---- */

int store_pg_enq_inbox_get(mash_store_t *s, const char *principal, const char *message_id,
                           uint8_t **result, size_t *len);
int store_pg_enq_inbox_put(mash_store_t *s, const char *principal, const char *message_id,
                           const uint8_t *result, size_t len, int64_t at_ms);
int store_pg_enq_insert(mash_store_t *s, const char *contact_id, int rag, int consent_status,
                        int64_t at_ms, const uint8_t *decision, size_t len,
                        char enquiry_id[MASH_ITEM_ID_LEN]);
int store_pg_enq_get(mash_store_t *s, const char *enquiry_id, mash_enquiry_row_t *row);
int store_pg_enq_update(mash_store_t *s, const char *enquiry_id, unsigned pack_version,
                        int64_t closed_at_ms, int64_t at_ms);
int store_pg_enq_of_contact(mash_store_t *s, const char *contact_id,
                            char enquiry_id[MASH_ITEM_ID_LEN]);
int store_pg_req_insert(mash_store_t *s, const char *enquiry_id, const char *agency, int rag,
                        int64_t requested_at_ms, int64_t due_at_ms,
                        char request_id[MASH_ITEM_ID_LEN]);
int store_pg_req_get(mash_store_t *s, const char *request_id, mash_request_row_t *row);
int store_pg_req_answer(mash_store_t *s, const char *request_id, int64_t at_ms,
                        const uint8_t *response, size_t len);
int store_pg_req_set_level(mash_store_t *s, const char *request_id, unsigned level, int64_t at_ms);
int store_pg_req_of_enquiry(mash_store_t *s, const char *enquiry_id, mash_store_request_cb cb,
                            void *arg);
int store_pg_req_open(mash_store_t *s, mash_store_request_cb cb, void *arg);
int store_pg_esc_insert(mash_store_t *s, const char *escalation_id, const char *enquiry_id,
                        const char *request_id, unsigned level, int64_t at_ms, const uint8_t *event,
                        size_t len);
int store_pg_esc_of_enquiry(mash_store_t *s, const char *enquiry_id, mash_store_blob_cb cb,
                            void *arg);
int store_pg_out_insert(mash_store_t *s, const char *message_id, const char *target,
                        const uint8_t *frame, size_t len, int64_t at_ms);
int store_pg_out_delivered(mash_store_t *s, const char *message_id, const char *principal,
                           int64_t at_ms);
int store_pg_out_pending(mash_store_t *s, mash_store_outbox_cb cb, void *arg);
int store_pg_latest_instant(mash_store_t *s, int64_t *ms);

#define STORE_PG_ENQ_VTABLE_ENTRIES                                                                \
  .inbox_get = store_pg_enq_inbox_get, .inbox_put = store_pg_enq_inbox_put,                        \
  .enquiry_insert = store_pg_enq_insert, .enquiry_get = store_pg_enq_get,                          \
  .enquiry_update = store_pg_enq_update, .enquiry_of_contact = store_pg_enq_of_contact,            \
  .request_insert = store_pg_req_insert, .request_get = store_pg_req_get,                          \
  .request_answer = store_pg_req_answer, .request_set_level = store_pg_req_set_level,              \
  .requests_of_enquiry = store_pg_req_of_enquiry, .requests_open = store_pg_req_open,              \
  .escalation_insert = store_pg_esc_insert, .escalations_of_enquiry = store_pg_esc_of_enquiry,     \
  .outbox_insert = store_pg_out_insert, .outbox_delivered = store_pg_out_delivered,                \
  .outbox_pending = store_pg_out_pending, .latest_instant = store_pg_latest_instant

/* ---- the escalation log, inbox refusals, adapter rejections (store_pg_esclog.c) ---- */

int store_pg_elog_after(mash_store_t *s, uint64_t after_seq, size_t max, mash_store_step_cb cb,
                        void *arg);
int store_pg_elog_state(mash_store_t *s, mash_store_esclog_state_t *out);
int store_pg_elog_mark(mash_store_t *s, uint64_t appended_seq);
int store_pg_inbox_refused(mash_store_t *s, const char *principal, const char *message_id,
                           const uint8_t *result, size_t len, int64_t at_ms,
                           int64_t expire_before_ms);
int store_pg_rej_put(mash_store_t *s, const char *principal, const char *message_id,
                     const char *reason, const char *fields, int64_t at_ms);
int store_pg_rej_each(mash_store_t *s, mash_store_rejection_cb cb, void *arg);

/* What a reader offers too (no data key needed). */
#define STORE_PG_ELOG_READ_VTABLE_ENTRIES                                                          \
  .escalations_after = store_pg_elog_after, .esclog_state = store_pg_elog_state,                   \
  .adapter_rejections = store_pg_rej_each

#define STORE_PG_ELOG_VTABLE_ENTRIES                                                               \
  STORE_PG_ELOG_READ_VTABLE_ENTRIES, .esclog_mark = store_pg_elog_mark,                            \
                                     .inbox_refused = store_pg_inbox_refused,                      \
                                     .adapter_rejection_put = store_pg_rej_put

/* ---- the person index (store_pg_person.c) ---- */

int store_pg_per_warm(mash_store_t *s, int64_t *bytes);
int store_pg_per_summarise(mash_store_t *s, const char *person_id, const uint8_t *summary,
                           size_t len);
int store_pg_per_find(mash_store_t *s, const char *const *keys, size_t n, mash_store_person_cb cb,
                      void *arg);
int store_pg_per_get(mash_store_t *s, const char *person_id, mash_person_row_t *row);
int store_pg_per_put(mash_store_t *s, char person_id[MASH_PERSON_ID_LEN], const uint8_t *record,
                     size_t len, int is_child, const char *address_key, int64_t at_ms);
int store_pg_per_add_keys(mash_store_t *s, const char *person_id, const char *const *keys,
                          size_t n);
int store_pg_per_link(mash_store_t *s, const char *contact_id, const char *ref,
                      const char *person_id, const char *decision, int confidence, const char *why,
                      int64_t at_ms);
int store_pg_per_relate(mash_store_t *s, const char *a, const char *b, int64_t at_ms);
int store_pg_per_relatives(mash_store_t *s, const char *person_id, mash_store_person_cb cb,
                           void *arg);
int store_pg_per_housemates(mash_store_t *s, const char *person_id, int64_t since_ms, size_t max,
                            mash_store_person_cb cb, void *arg);
int store_pg_per_together(mash_store_t *s, const char *a, const char *b);
int store_pg_per_contacts(mash_store_t *s, const char *person_id, int64_t since_ms,
                          int64_t until_ms, size_t max, mash_store_person_contact_cb cb, void *arg);
int store_pg_per_merge(mash_store_t *s, const char *from, const char *into, const char *note,
                       int64_t at_ms);
int store_pg_per_match_insert(mash_store_t *s, const mash_match_row_t *m, const char *why,
                              int64_t at_ms, char match_id[MASH_PERSON_ID_LEN]);
int store_pg_per_match_get(mash_store_t *s, const char *match_id, mash_match_row_t *row);
int store_pg_per_match_decide(mash_store_t *s, const char *match_id, int state, const char *by,
                              const uint8_t *decision, size_t len, int64_t at_ms);
int store_pg_per_pending(mash_store_t *s, const char *person_id, mash_store_pending_cb cb,
                         void *arg);
int store_pg_per_term_counts(mash_store_t *s, const char *const *keys, size_t n, int64_t *counts);
int store_pg_per_term_add(mash_store_t *s, const char *const *keys, size_t n, int delta);
int store_pg_per_each(mash_store_t *s, const char *after_id, size_t max, mash_store_person_cb cb,
                      void *arg);

#define STORE_PG_PER_VTABLE_ENTRIES                                                                \
  .person_find = store_pg_per_find, .person_get = store_pg_per_get,                                \
  .person_summarise = store_pg_per_summarise, .person_warm = store_pg_per_warm,                    \
  .person_cache = store_logic_person_no_cache, .person_put = store_pg_per_put,                     \
  .person_add_keys = store_pg_per_add_keys, .person_link = store_pg_per_link,                      \
  .person_relate = store_pg_per_relate, .person_relatives = store_pg_per_relatives,                \
  .person_housemates = store_pg_per_housemates, .person_together = store_pg_per_together,          \
  .person_contacts = store_pg_per_contacts, .person_merge = store_pg_per_merge,                    \
  .match_insert = store_pg_per_match_insert, .match_get = store_pg_per_match_get,                  \
  .match_decide = store_pg_per_match_decide, .match_pending = store_pg_per_pending,                \
  .term_counts = store_pg_per_term_counts, .term_add = store_pg_per_term_add,                      \
  .person_each = store_pg_per_each

/* ---- statistics and the console's figures (store_pg_stats.c) ---- */

int store_pg_stat_summary(mash_store_t *s, int64_t now_ms, mash_store_stats_t *out);
int store_pg_stat_sources(mash_store_t *s, mash_store_count_cb cb, void *arg);
int store_pg_stat_replies(mash_store_t *s, mash_store_reply_cb cb, void *arg);
int store_pg_stat_escalation_levels(mash_store_t *s, mash_store_level_cb cb, void *arg);
int store_pg_stat_quality_flags(mash_store_t *s, mash_store_count_cb cb, void *arg);
int store_pg_ops_figures(mash_store_t *s, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                         int64_t screening_ms, mash_ops_figures_t *out);

#define STORE_PG_STAT_VTABLE_ENTRIES                                                               \
  .stats_summary = store_pg_stat_summary, .stats_sources = store_pg_stat_sources,                  \
  .stats_replies = store_pg_stat_replies,                                                          \
  .stats_escalation_levels = store_pg_stat_escalation_levels,                                      \
  .stats_quality_flags = store_pg_stat_quality_flags, .ops_figures = store_pg_ops_figures

/* ---- duties (store_pg_duty.c) ---- */

int store_pg_duty_open(mash_store_t *s, int kind, const char *ref, int rag, int64_t start_ms,
                       int64_t due_ms, int64_t next_at_ms, uint64_t *duty);
int store_pg_duty_get(mash_store_t *s, uint64_t duty, mash_duty_row_t *row);
int store_pg_duty_claim(mash_store_t *s, uint64_t duty, mash_duty_row_t *row);
int store_pg_duty_find(mash_store_t *s, int kind, const char *ref, mash_duty_row_t *row);
int store_pg_duty_set(mash_store_t *s, uint64_t duty, unsigned level, int64_t level_at_ms,
                      int64_t next_at_ms);
int store_pg_duty_done(mash_store_t *s, uint64_t duty, int64_t at_ms);
int store_pg_duties_open(mash_store_t *s, mash_store_duty_cb cb, void *arg);
int store_pg_duty_stats(mash_store_t *s, int kind, int64_t now_ms, mash_duty_stats_t *out);

#define STORE_PG_DUTY_VTABLE_ENTRIES                                                               \
  .duty_open = store_pg_duty_open, .duty_get = store_pg_duty_get,                                  \
  .duty_claim = store_pg_duty_claim, .duty_find = store_pg_duty_find,                              \
  .duty_set = store_pg_duty_set, .duty_done = store_pg_duty_done,                                  \
  .duties_open = store_pg_duties_open, .duty_stats = store_pg_duty_stats

#endif
