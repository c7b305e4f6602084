/* store: the wrappers, one per store operation, that every caller uses.
 *
 * Responsible for: reaching the implementation's slot of the same name
 * (internal/store_vt.h), and answering for a slot the implementation left
 * NULL (-ENOSYS; savepoints are optional and answer 0). Must not: hold any
 * state or logic of its own; the prototypes are documented in store.h.
 * Runs on whichever thread uses the store (the storage thread in mashd).
 */
#include "store.h"

#include <errno.h>
#include <string.h>

#include "store_vt.h"

void mash_store_destroy(mash_store_t **self_p) {
  if (!self_p || !*self_p) {
    return;
  }
  mash_store_t *s = *self_p;
  *self_p = NULL;
  if (s->vt->destroy) {
    s->vt->destroy(s);
  }
}

/* ---- the store itself: transactions ---- */

int mash_store_begin(mash_store_t *s) {
  return s->vt->begin ? s->vt->begin(s) : -ENOSYS;
}

int mash_store_commit(mash_store_t *s) {
  return s->vt->commit ? s->vt->commit(s) : -ENOSYS;
}

int mash_store_rollback(mash_store_t *s) {
  return s->vt->rollback ? s->vt->rollback(s) : -ENOSYS;
}

int mash_store_savepoint(mash_store_t *s) {
  return s->vt->savepoint ? s->vt->savepoint(s) : 0;
}

int mash_store_txn_open(mash_store_t *s) {
  return s->vt->txn_open ? s->vt->txn_open(s) : 1;
}

int mash_store_release(mash_store_t *s, int keep) {
  return s->vt->release ? s->vt->release(s, keep) : 0;
}

int mash_store_checkpoint(mash_store_t *s, unsigned min_pages) {
  return s->vt->checkpoint ? s->vt->checkpoint(s, min_pages) : -ENOSYS;
}

/* ---- contacts ---- */

int mash_store_intake(mash_store_t *s, mash_intake_t *in) {
  return s->vt->intake ? s->vt->intake(s, in) : -ENOSYS;
}

int mash_store_mark_delivered(mash_store_t *s, const char *contact_id, const char *principal,
                              int64_t at_ms) {
  return s->vt->mark_delivered ? s->vt->mark_delivered(s, contact_id, principal, at_ms) : -ENOSYS;
}

int mash_store_load_undelivered(mash_store_t *s, mash_store_contact_cb cb, void *arg) {
  return s->vt->load_undelivered ? s->vt->load_undelivered(s, cb, arg) : -ENOSYS;
}

int mash_store_load_unresolved(mash_store_t *s, mash_store_contact_cb cb, void *arg) {
  return s->vt->load_unresolved ? s->vt->load_unresolved(s, cb, arg) : -ENOSYS;
}

int mash_store_contact_resolved(mash_store_t *s, const char *contact_id, const uint8_t *contact,
                                size_t len, int priority, const char *quality_flags) {
  return s->vt->contact_resolved
             ? s->vt->contact_resolved(s, contact_id, contact, len, priority, quality_flags)
             : -ENOSYS;
}

int mash_store_contact_find(mash_store_t *s, const char *principal, const char *message_id,
                            char contact_id[MASH_CONTACT_ID_LEN]) {
  return s->vt->contact_find ? s->vt->contact_find(s, principal, message_id, contact_id) : -ENOSYS;
}

int mash_store_contact_get(mash_store_t *s, const char *contact_id, mash_contact_row_t *row) {
  return s->vt->contact_get ? s->vt->contact_get(s, contact_id, row) : -ENOSYS;
}

int mash_store_contact_set_state(mash_store_t *s, const char *contact_id, int state, int64_t at_ms,
                                 int outcome) {
  return s->vt->contact_set_state ? s->vt->contact_set_state(s, contact_id, state, at_ms, outcome)
                                  : -ENOSYS;
}

int mash_store_count_contacts(mash_store_t *s, int64_t *n) {
  return s->vt->count_contacts ? s->vt->count_contacts(s, n) : -ENOSYS;
}

/* ---- enquiries, requests, the outbox and the inbox ---- */

int mash_store_inbox_get(mash_store_t *s, const char *principal, const char *message_id,
                         uint8_t **result, size_t *len) {
  return s->vt->inbox_get ? s->vt->inbox_get(s, principal, message_id, result, len) : -ENOSYS;
}

int mash_store_inbox_put(mash_store_t *s, const char *principal, const char *message_id,
                         const uint8_t *result, size_t len, int64_t at_ms) {
  return s->vt->inbox_put ? s->vt->inbox_put(s, principal, message_id, result, len, at_ms)
                          : -ENOSYS;
}

int mash_store_inbox_refused(mash_store_t *s, const char *principal, const char *message_id,
                             const uint8_t *result, size_t len, int64_t at_ms,
                             int64_t expire_before_ms) {
  return s->vt->inbox_refused
             ? s->vt->inbox_refused(s, principal, message_id, result, len, at_ms, expire_before_ms)
             : -ENOSYS;
}

int mash_store_enquiry_insert(mash_store_t *s, const char *contact_id, int rag, int consent_status,
                              int64_t at_ms, const uint8_t *decision, size_t len,
                              char enquiry_id[MASH_ITEM_ID_LEN]) {
  return s->vt->enquiry_insert ? s->vt->enquiry_insert(s, contact_id, rag, consent_status, at_ms,
                                                       decision, len, enquiry_id)
                               : -ENOSYS;
}

int mash_store_enquiry_get(mash_store_t *s, const char *enquiry_id, mash_enquiry_row_t *row) {
  return s->vt->enquiry_get ? s->vt->enquiry_get(s, enquiry_id, row) : -ENOSYS;
}

int mash_store_enquiry_update(mash_store_t *s, const char *enquiry_id, unsigned pack_version,
                              int64_t closed_at_ms, int64_t at_ms) {
  return s->vt->enquiry_update
             ? s->vt->enquiry_update(s, enquiry_id, pack_version, closed_at_ms, at_ms)
             : -ENOSYS;
}

int mash_store_enquiry_of_contact(mash_store_t *s, const char *contact_id,
                                  char enquiry_id[MASH_ITEM_ID_LEN]) {
  return s->vt->enquiry_of_contact ? s->vt->enquiry_of_contact(s, contact_id, enquiry_id) : -ENOSYS;
}

int mash_store_request_insert(mash_store_t *s, const char *enquiry_id, const char *agency, int rag,
                              int64_t requested_at_ms, int64_t due_at_ms,
                              char request_id[MASH_ITEM_ID_LEN]) {
  return s->vt->request_insert ? s->vt->request_insert(s, enquiry_id, agency, rag, requested_at_ms,
                                                       due_at_ms, request_id)
                               : -ENOSYS;
}

int mash_store_request_get(mash_store_t *s, const char *request_id, mash_request_row_t *row) {
  return s->vt->request_get ? s->vt->request_get(s, request_id, row) : -ENOSYS;
}

int mash_store_request_answer(mash_store_t *s, const char *request_id, int64_t at_ms,
                              const uint8_t *response, size_t len) {
  return s->vt->request_answer ? s->vt->request_answer(s, request_id, at_ms, response, len)
                               : -ENOSYS;
}

int mash_store_request_set_level(mash_store_t *s, const char *request_id, unsigned level,
                                 int64_t at_ms) {
  return s->vt->request_set_level ? s->vt->request_set_level(s, request_id, level, at_ms) : -ENOSYS;
}

int mash_store_requests_of_enquiry(mash_store_t *s, const char *enquiry_id,
                                   mash_store_request_cb cb, void *arg) {
  return s->vt->requests_of_enquiry ? s->vt->requests_of_enquiry(s, enquiry_id, cb, arg) : -ENOSYS;
}

int mash_store_requests_open(mash_store_t *s, mash_store_request_cb cb, void *arg) {
  return s->vt->requests_open ? s->vt->requests_open(s, cb, arg) : -ENOSYS;
}

int mash_store_outbox_insert(mash_store_t *s, const char *message_id, const char *target,
                             const uint8_t *frame, size_t len, int64_t at_ms) {
  return s->vt->outbox_insert ? s->vt->outbox_insert(s, message_id, target, frame, len, at_ms)
                              : -ENOSYS;
}

int mash_store_delivered(mash_store_t *s, const char *message_id, const char *principal,
                         int64_t at_ms) {
  size_t plen = strlen(MASH_DELIVERY_CONTACT_PREFIX);
  if (message_id && strncmp(message_id, MASH_DELIVERY_CONTACT_PREFIX, plen) == 0) {
    return mash_store_mark_delivered(s, message_id + plen, principal, at_ms);
  }
  return mash_store_outbox_delivered(s, message_id, principal, at_ms);
}

int mash_store_outbox_delivered(mash_store_t *s, const char *message_id, const char *principal,
                                int64_t at_ms) {
  return s->vt->outbox_delivered ? s->vt->outbox_delivered(s, message_id, principal, at_ms)
                                 : -ENOSYS;
}

int mash_store_outbox_pending(mash_store_t *s, mash_store_outbox_cb cb, void *arg) {
  return s->vt->outbox_pending ? s->vt->outbox_pending(s, cb, arg) : -ENOSYS;
}

int mash_store_latest_instant(mash_store_t *s, int64_t *ms) {
  return s->vt->latest_instant ? s->vt->latest_instant(s, ms) : -ENOSYS;
}

/* ---- escalations ---- */

int mash_store_escalation_insert(mash_store_t *s, const char *escalation_id, const char *enquiry_id,
                                 const char *request_id, unsigned level, int64_t at_ms,
                                 const uint8_t *event, size_t len) {
  return s->vt->escalation_insert ? s->vt->escalation_insert(s, escalation_id, enquiry_id,
                                                             request_id, level, at_ms, event, len)
                                  : -ENOSYS;
}

int mash_store_escalations_of_enquiry(mash_store_t *s, const char *enquiry_id,
                                      mash_store_blob_cb cb, void *arg) {
  return s->vt->escalations_of_enquiry ? s->vt->escalations_of_enquiry(s, enquiry_id, cb, arg)
                                       : -ENOSYS;
}

int mash_store_escalations_after(mash_store_t *s, uint64_t after_seq, size_t max,
                                 mash_store_step_cb cb, void *arg) {
  return s->vt->escalations_after ? s->vt->escalations_after(s, after_seq, max, cb, arg) : -ENOSYS;
}

int mash_store_esclog_state(mash_store_t *s, mash_store_esclog_state_t *out) {
  return s->vt->esclog_state ? s->vt->esclog_state(s, out) : -ENOSYS;
}

int mash_store_esclog_mark(mash_store_t *s, uint64_t appended_seq) {
  return s->vt->esclog_mark ? s->vt->esclog_mark(s, appended_seq) : -ENOSYS;
}

int mash_store_open_reader(mash_store_t *s, mash_store_t **reader, char *err, size_t errlen) {
  return s->vt->open_reader ? s->vt->open_reader(s, reader, err, errlen) : -ENOSYS;
}

/* ---- people ---- */

int mash_store_person_find(mash_store_t *s, const char *const *keys, size_t n,
                           mash_store_person_cb cb, void *arg) {
  return s->vt->person_find ? s->vt->person_find(s, keys, n, cb, arg) : -ENOSYS;
}

int mash_store_term_counts(mash_store_t *s, const char *const *keys, size_t n, int64_t *counts) {
  return s->vt->term_counts ? s->vt->term_counts(s, keys, n, counts) : -ENOSYS;
}

int mash_store_term_add(mash_store_t *s, const char *const *keys, size_t n, int delta) {
  return s->vt->term_add ? s->vt->term_add(s, keys, n, delta) : -ENOSYS;
}

int mash_store_person_each(mash_store_t *s, const char *after_id, size_t max,
                           mash_store_person_cb cb, void *arg) {
  return s->vt->person_each ? s->vt->person_each(s, after_id, max, cb, arg) : -ENOSYS;
}

int mash_store_person_warm(mash_store_t *s, int64_t *bytes) {
  return s->vt->person_warm ? s->vt->person_warm(s, bytes) : -ENOSYS;
}

int mash_store_person_cache(mash_store_t *s, mash_store_person_cache_t *out) {
  return s->vt->person_cache ? s->vt->person_cache(s, out) : -ENOSYS;
}

int mash_store_person_summarise(mash_store_t *s, const char *person_id, const uint8_t *summary,
                                size_t len) {
  return s->vt->person_summarise ? s->vt->person_summarise(s, person_id, summary, len) : -ENOSYS;
}

int mash_store_person_get(mash_store_t *s, const char *person_id, mash_person_row_t *row) {
  return s->vt->person_get ? s->vt->person_get(s, person_id, row) : -ENOSYS;
}

int mash_store_person_put(mash_store_t *s, char person_id[MASH_PERSON_ID_LEN],
                          const uint8_t *record, size_t len, int is_child, const char *address_key,
                          int64_t at_ms) {
  return s->vt->person_put
             ? s->vt->person_put(s, person_id, record, len, is_child, address_key, at_ms)
             : -ENOSYS;
}

int mash_store_person_add_keys(mash_store_t *s, const char *person_id, const char *const *keys,
                               size_t n) {
  return s->vt->person_add_keys ? s->vt->person_add_keys(s, person_id, keys, n) : -ENOSYS;
}

int mash_store_person_link(mash_store_t *s, const char *contact_id, const char *ref,
                           const char *person_id, const char *decision, int confidence,
                           const char *why, int64_t at_ms) {
  return s->vt->person_link
             ? s->vt->person_link(s, contact_id, ref, person_id, decision, confidence, why, at_ms)
             : -ENOSYS;
}

int mash_store_person_relate(mash_store_t *s, const char *a, const char *b, int64_t at_ms) {
  return s->vt->person_relate ? s->vt->person_relate(s, a, b, at_ms) : -ENOSYS;
}

int mash_store_person_relatives(mash_store_t *s, const char *person_id, mash_store_person_cb cb,
                                void *arg) {
  return s->vt->person_relatives ? s->vt->person_relatives(s, person_id, cb, arg) : -ENOSYS;
}

int mash_store_person_housemates(mash_store_t *s, const char *person_id, int64_t since_ms,
                                 size_t max, mash_store_person_cb cb, void *arg) {
  return s->vt->person_housemates ? s->vt->person_housemates(s, person_id, since_ms, max, cb, arg)
                                  : -ENOSYS;
}

int mash_store_person_together(mash_store_t *s, const char *a, const char *b) {
  return s->vt->person_together ? s->vt->person_together(s, a, b) : -ENOSYS;
}

int mash_store_person_contacts(mash_store_t *s, const char *person_id, int64_t since_ms,
                               int64_t until_ms, size_t max, mash_store_person_contact_cb cb,
                               void *arg) {
  return s->vt->person_contacts
             ? s->vt->person_contacts(s, person_id, since_ms, until_ms, max, cb, arg)
             : -ENOSYS;
}

int mash_store_person_merge(mash_store_t *s, const char *from, const char *into, const char *note,
                            int64_t at_ms) {
  return s->vt->person_merge ? s->vt->person_merge(s, from, into, note, at_ms) : -ENOSYS;
}

int mash_store_match_insert(mash_store_t *s, const mash_match_row_t *m, const char *why,
                            int64_t at_ms, char match_id[MASH_PERSON_ID_LEN]) {
  return s->vt->match_insert ? s->vt->match_insert(s, m, why, at_ms, match_id) : -ENOSYS;
}

int mash_store_match_get(mash_store_t *s, const char *match_id, mash_match_row_t *row) {
  return s->vt->match_get ? s->vt->match_get(s, match_id, row) : -ENOSYS;
}

int mash_store_match_decide(mash_store_t *s, const char *match_id, int state, const char *by,
                            const uint8_t *decision, size_t len, int64_t at_ms) {
  return s->vt->match_decide ? s->vt->match_decide(s, match_id, state, by, decision, len, at_ms)
                             : -ENOSYS;
}

int mash_store_match_pending(mash_store_t *s, const char *person_id, mash_store_pending_cb cb,
                             void *arg) {
  return s->vt->match_pending ? s->vt->match_pending(s, person_id, cb, arg) : -ENOSYS;
}

/* ---- statistics ---- */

int mash_store_stats_summary(mash_store_t *s, int64_t now_ms, mash_store_stats_t *out) {
  return s->vt->stats_summary ? s->vt->stats_summary(s, now_ms, out) : -ENOSYS;
}

int mash_store_stats_sources(mash_store_t *s, mash_store_count_cb cb, void *arg) {
  return s->vt->stats_sources ? s->vt->stats_sources(s, cb, arg) : -ENOSYS;
}

int mash_store_stats_replies(mash_store_t *s, mash_store_reply_cb cb, void *arg) {
  return s->vt->stats_replies ? s->vt->stats_replies(s, cb, arg) : -ENOSYS;
}

int mash_store_stats_escalation_levels(mash_store_t *s, mash_store_level_cb cb, void *arg) {
  return s->vt->stats_escalation_levels ? s->vt->stats_escalation_levels(s, cb, arg) : -ENOSYS;
}

int mash_store_stats_quality_flags(mash_store_t *s, mash_store_count_cb cb, void *arg) {
  return s->vt->stats_quality_flags ? s->vt->stats_quality_flags(s, cb, arg) : -ENOSYS;
}

/* ---- duties ---- */

int mash_store_duty_open(mash_store_t *s, int kind, const char *ref, int rag, int64_t start_ms,
                         int64_t due_ms, int64_t next_at_ms, uint64_t *duty) {
  return s->vt->duty_open ? s->vt->duty_open(s, kind, ref, rag, start_ms, due_ms, next_at_ms, duty)
                          : -ENOSYS;
}

int mash_store_duty_get(mash_store_t *s, uint64_t duty, mash_duty_row_t *row) {
  return s->vt->duty_get ? s->vt->duty_get(s, duty, row) : -ENOSYS;
}

int mash_store_contact_claim(mash_store_t *s, const char *contact_id, mash_contact_row_t *row) {
  return s->vt->contact_claim ? s->vt->contact_claim(s, contact_id, row) : -ENOSYS;
}

int mash_store_duty_claim(mash_store_t *s, uint64_t duty, mash_duty_row_t *row) {
  return s->vt->duty_claim ? s->vt->duty_claim(s, duty, row) : -ENOSYS;
}

int mash_store_duty_find(mash_store_t *s, int kind, const char *ref, mash_duty_row_t *row) {
  return s->vt->duty_find ? s->vt->duty_find(s, kind, ref, row) : -ENOSYS;
}

int mash_store_duty_set(mash_store_t *s, uint64_t duty, unsigned level, int64_t level_at_ms,
                        int64_t next_at_ms) {
  return s->vt->duty_set ? s->vt->duty_set(s, duty, level, level_at_ms, next_at_ms) : -ENOSYS;
}

int mash_store_duty_done(mash_store_t *s, uint64_t duty, int64_t at_ms) {
  return s->vt->duty_done ? s->vt->duty_done(s, duty, at_ms) : -ENOSYS;
}

int mash_store_duties_open(mash_store_t *s, mash_store_duty_cb cb, void *arg) {
  return s->vt->duties_open ? s->vt->duties_open(s, cb, arg) : -ENOSYS;
}

int mash_store_duty_stats(mash_store_t *s, int kind, int64_t now_ms, mash_duty_stats_t *out) {
  return s->vt->duty_stats ? s->vt->duty_stats(s, kind, now_ms, out) : -ENOSYS;
}

int mash_store_ops_figures(mash_store_t *s, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                           int64_t screening_ms, mash_ops_figures_t *out) {
  return s->vt->ops_figures ? s->vt->ops_figures(s, from_ms, to_ms, now_ms, screening_ms, out)
                            : -ENOSYS;
}

int mash_store_adapter_rejection_put(mash_store_t *s, const char *principal, const char *message_id,
                                     const char *reason, const char *fields, int64_t at_ms) {
  return s->vt->adapter_rejection_put
             ? s->vt->adapter_rejection_put(s, principal, message_id, reason, fields, at_ms)
             : -ENOSYS;
}

int mash_store_adapter_rejections(mash_store_t *s, mash_store_rejection_cb cb, void *arg) {
  return s->vt->adapter_rejections ? s->vt->adapter_rejections(s, cb, arg) : -ENOSYS;
}
