/* store_vt: the table of operations a store implementation fills in.
 *
 * Responsible for: the contract between store.c's wrappers and each
 * implementation (sqlite/, fakes in tests). Each slot is named after its
 * wrapper (slot `foo` is reached through mash_store_foo) and documented
 * there, in store.h. Must not: be included by a caller of the store; only
 * by an implementation (on the storage thread, like every store call) or a
 * test's fake store. A slot left NULL makes its wrapper return -ENOSYS
 * (savepoint and release return 0, txn_open 1, and destroy does nothing).
 */
#ifndef MASH_STORE_VT_H
#define MASH_STORE_VT_H

#include "store.h"

typedef struct mash_store_vtable {
  int (*begin)(mash_store_t *s);
  int (*commit)(mash_store_t *s);
  int (*rollback)(mash_store_t *s);
  int (*intake)(mash_store_t *s, mash_intake_t *in);
  int (*mark_delivered)(mash_store_t *s, const char *contact_id, const char *principal,
                        int64_t at_ms);
  int (*load_undelivered)(mash_store_t *s, mash_store_contact_cb cb, void *arg);
  int (*count_contacts)(mash_store_t *s, int64_t *n);
  void (*destroy)(mash_store_t *s);
  int (*savepoint)(mash_store_t *s);
  int (*release)(mash_store_t *s, int keep);
  int (*txn_open)(mash_store_t *s);
  int (*checkpoint)(mash_store_t *s, unsigned min_pages);

  /* ---- the enquiry ---- */
  int (*contact_get)(mash_store_t *s, const char *contact_id, mash_contact_row_t *row);
  int (*contact_claim)(mash_store_t *s, const char *contact_id, mash_contact_row_t *row);
  int (*contact_set_state)(mash_store_t *s, const char *contact_id, int state, int64_t at_ms,
                           int outcome);
  int (*inbox_get)(mash_store_t *s, const char *principal, const char *message_id, uint8_t **result,
                   size_t *len);
  int (*inbox_put)(mash_store_t *s, const char *principal, const char *message_id,
                   const uint8_t *result, size_t len, int64_t at_ms);
  int (*enquiry_insert)(mash_store_t *s, const char *contact_id, int rag, int consent_status,
                        int64_t at_ms, const uint8_t *decision, size_t len,
                        char enquiry_id[MASH_ITEM_ID_LEN]);
  int (*enquiry_get)(mash_store_t *s, const char *enquiry_id, mash_enquiry_row_t *row);
  int (*enquiry_update)(mash_store_t *s, const char *enquiry_id, unsigned pack_version,
                        int64_t closed_at_ms, int64_t at_ms);
  int (*enquiry_of_contact)(mash_store_t *s, const char *contact_id,
                            char enquiry_id[MASH_ITEM_ID_LEN]);
  int (*request_insert)(mash_store_t *s, const char *enquiry_id, const char *agency, int rag,
                        int64_t requested_at_ms, int64_t due_at_ms,
                        char request_id[MASH_ITEM_ID_LEN]);
  int (*request_get)(mash_store_t *s, const char *request_id, mash_request_row_t *row);
  int (*request_answer)(mash_store_t *s, const char *request_id, int64_t at_ms,
                        const uint8_t *response, size_t len);
  int (*request_set_level)(mash_store_t *s, const char *request_id, unsigned level, int64_t at_ms);
  int (*requests_of_enquiry)(mash_store_t *s, const char *enquiry_id, mash_store_request_cb cb,
                             void *arg);
  int (*requests_open)(mash_store_t *s, mash_store_request_cb cb, void *arg);
  int (*escalation_insert)(mash_store_t *s, const char *escalation_id, const char *enquiry_id,
                           const char *request_id, unsigned level, int64_t at_ms,
                           const uint8_t *event, size_t len);
  int (*escalations_of_enquiry)(mash_store_t *s, const char *enquiry_id, mash_store_blob_cb cb,
                                void *arg);
  int (*escalations_after)(mash_store_t *s, uint64_t after_seq, size_t max, mash_store_step_cb cb,
                           void *arg);
  int (*esclog_state)(mash_store_t *s, mash_store_esclog_state_t *out);
  int (*esclog_mark)(mash_store_t *s, uint64_t appended_seq);
  int (*open_reader)(mash_store_t *s, mash_store_t **reader, char *err, size_t errlen);
  int (*outbox_insert)(mash_store_t *s, const char *message_id, const char *target,
                       const uint8_t *frame, size_t len, int64_t at_ms);
  int (*outbox_delivered)(mash_store_t *s, const char *message_id, const char *principal,
                          int64_t at_ms);
  int (*outbox_pending)(mash_store_t *s, mash_store_outbox_cb cb, void *arg);
  int (*latest_instant)(mash_store_t *s, int64_t *ms);

  /* ---- contacts, by sender, and their resolution ---- */
  int (*load_unresolved)(mash_store_t *s, mash_store_contact_cb cb, void *arg);
  int (*contact_resolved)(mash_store_t *s, const char *contact_id, const uint8_t *contact,
                          size_t len, int priority, const char *quality_flags);
  int (*contact_find)(mash_store_t *s, const char *principal, const char *message_id,
                      char contact_id[MASH_CONTACT_ID_LEN]);

  /* ---- the person index ---- */
  int (*person_find)(mash_store_t *s, const char *const *keys, size_t n, mash_store_person_cb cb,
                     void *arg);
  int (*person_get)(mash_store_t *s, const char *person_id, mash_person_row_t *row);
  int (*person_put)(mash_store_t *s, char person_id[MASH_PERSON_ID_LEN], const uint8_t *record,
                    size_t len, int is_child, const char *address_key, int64_t at_ms);
  int (*person_warm)(mash_store_t *s, int64_t *bytes);
  int (*person_cache)(mash_store_t *s, mash_store_person_cache_t *out);
  int (*person_summarise)(mash_store_t *s, const char *person_id, const uint8_t *summary,
                          size_t len);
  int (*person_add_keys)(mash_store_t *s, const char *person_id, const char *const *keys, size_t n);
  int (*person_link)(mash_store_t *s, const char *contact_id, const char *ref,
                     const char *person_id, const char *decision, int confidence, const char *why,
                     int64_t at_ms);
  int (*person_relate)(mash_store_t *s, const char *a, const char *b, int64_t at_ms);
  int (*person_relatives)(mash_store_t *s, const char *person_id, mash_store_person_cb cb,
                          void *arg);
  int (*person_housemates)(mash_store_t *s, const char *person_id, int64_t since_ms, size_t max,
                           mash_store_person_cb cb, void *arg);
  int (*person_together)(mash_store_t *s, const char *a, const char *b);
  int (*person_contacts)(mash_store_t *s, const char *person_id, int64_t since_ms, int64_t until_ms,
                         size_t max, mash_store_person_contact_cb cb, void *arg);
  int (*person_merge)(mash_store_t *s, const char *from, const char *into, const char *note,
                      int64_t at_ms);
  int (*match_insert)(mash_store_t *s, const mash_match_row_t *m, const char *why, int64_t at_ms,
                      char match_id[MASH_PERSON_ID_LEN]);
  int (*match_get)(mash_store_t *s, const char *match_id, mash_match_row_t *row);
  int (*match_decide)(mash_store_t *s, const char *match_id, int state, const char *by,
                      const uint8_t *decision, size_t len, int64_t at_ms);
  /* The people in an open possible match with person_id, either side. */
  int (*match_pending)(mash_store_t *s, const char *person_id, mash_store_pending_cb cb, void *arg);
  /* Term counts: records per name key (blind indexes only). */
  int (*term_counts)(mash_store_t *s, const char *const *keys, size_t n, int64_t *counts);
  int (*term_add)(mash_store_t *s, const char *const *keys, size_t n, int delta);
  /* Every unmerged person with an id above after_id, lowest first, at most max. */
  int (*person_each)(mash_store_t *s, const char *after_id, size_t max, mash_store_person_cb cb,
                     void *arg);

  /* ---- statistics ---- */
  int (*stats_summary)(mash_store_t *s, int64_t now_ms, mash_store_stats_t *out);
  int (*stats_sources)(mash_store_t *s, mash_store_count_cb cb, void *arg);
  int (*stats_replies)(mash_store_t *s, mash_store_reply_cb cb, void *arg);
  int (*stats_escalation_levels)(mash_store_t *s, mash_store_level_cb cb, void *arg);
  int (*stats_quality_flags)(mash_store_t *s, mash_store_count_cb cb, void *arg);

  /* ---- duties ---- */
  int (*duty_open)(mash_store_t *s, int kind, const char *ref, int rag, int64_t start_ms,
                   int64_t due_ms, int64_t next_at_ms, uint64_t *duty);
  int (*duty_get)(mash_store_t *s, uint64_t duty, mash_duty_row_t *row);
  int (*duty_claim)(mash_store_t *s, uint64_t duty, mash_duty_row_t *row);
  int (*duty_find)(mash_store_t *s, int kind, const char *ref, mash_duty_row_t *row);
  int (*duty_set)(mash_store_t *s, uint64_t duty, unsigned level, int64_t level_at_ms,
                  int64_t next_at_ms);
  int (*duty_done)(mash_store_t *s, uint64_t duty, int64_t at_ms);
  int (*duties_open)(mash_store_t *s, mash_store_duty_cb cb, void *arg);
  int (*duty_stats)(mash_store_t *s, int kind, int64_t now_ms, mash_duty_stats_t *out);

  /* ---- the operations console ---- */
  int (*ops_figures)(mash_store_t *s, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                     int64_t screening_ms, mash_ops_figures_t *out);
  int (*inbox_refused)(mash_store_t *s, const char *principal, const char *message_id,
                       const uint8_t *result, size_t len, int64_t at_ms, int64_t expire_before_ms);

  /* ---- files refused at the adapters ---- */
  int (*adapter_rejection_put)(mash_store_t *s, const char *principal, const char *message_id,
                               const char *reason, const char *fields, int64_t at_ms);
  int (*adapter_rejections)(mash_store_t *s, mash_store_rejection_cb cb, void *arg);
} mash_store_vtable_t;

/* Every implementation starts with this (its own struct's first member), so
 * a pointer to it is a mash_store_t *. */
struct mash_store {
  const mash_store_vtable_t *vt;
};

#endif
