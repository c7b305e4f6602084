/* store_fake: the recording store (store_fake.h): one function per slot of
 * internal/store_vt.h, each recording its slot and arguments and answering
 * -1000 - its slot. Must not: follow a pointer it is given. Any thread.
 */
#include "store_fake.h"

static int s_hit(mash_store_t *s, int slot, const uintptr_t *args, size_t n) {
  recorder_t *r = (recorder_t *)s;
  r->hits++;
  r->last = slot;
  r->n = n;
  for (size_t i = 0; i < n && i < MAX_ARGS; i++) {
    r->args[i] = args[i];
  }
  return -1000 - slot; /* distinct per slot: the wrapper must pass it on */
}

static void f_destroy(mash_store_t *s) {
  ((recorder_t *)s)->destroyed++;
}

const char *const SLOT_NAMES[S_N] = {
    [S_BEGIN] = "begin",
    [S_COMMIT] = "commit",
    [S_ROLLBACK] = "rollback",
    [S_INTAKE] = "intake",
    [S_MARK_DELIVERED] = "mark_delivered",
    [S_LOAD_UNDELIVERED] = "load_undelivered",
    [S_COUNT_CONTACTS] = "count_contacts",
    [S_SAVEPOINT] = "savepoint",
    [S_RELEASE] = "release",
    [S_CHECKPOINT] = "checkpoint",
    [S_CONTACT_GET] = "contact_get",
    [S_CONTACT_CLAIM] = "contact_claim",
    [S_CONTACT_SET_STATE] = "contact_set_state",
    [S_INBOX_GET] = "inbox_get",
    [S_INBOX_PUT] = "inbox_put",
    [S_ENQUIRY_INSERT] = "enquiry_insert",
    [S_ENQUIRY_GET] = "enquiry_get",
    [S_ENQUIRY_UPDATE] = "enquiry_update",
    [S_ENQUIRY_OF_CONTACT] = "enquiry_of_contact",
    [S_REQUEST_INSERT] = "request_insert",
    [S_REQUEST_GET] = "request_get",
    [S_REQUEST_ANSWER] = "request_answer",
    [S_REQUEST_SET_LEVEL] = "request_set_level",
    [S_REQUESTS_OF_ENQUIRY] = "requests_of_enquiry",
    [S_REQUESTS_OPEN] = "requests_open",
    [S_ESCALATION_INSERT] = "escalation_insert",
    [S_ESCALATIONS_OF_ENQUIRY] = "escalations_of_enquiry",
    [S_ESCALATIONS_AFTER] = "escalations_after",
    [S_ESCLOG_STATE] = "esclog_state",
    [S_ESCLOG_MARK] = "esclog_mark",
    [S_OPEN_READER] = "open_reader",
    [S_OUTBOX_INSERT] = "outbox_insert",
    [S_OUTBOX_DELIVERED] = "outbox_delivered",
    [S_OUTBOX_PENDING] = "outbox_pending",
    [S_LATEST_INSTANT] = "latest_instant",
    [S_LOAD_UNRESOLVED] = "load_unresolved",
    [S_CONTACT_RESOLVED] = "contact_resolved",
    [S_CONTACT_FIND] = "contact_find",
    [S_PERSON_FIND] = "person_find",
    [S_PERSON_GET] = "person_get",
    [S_PERSON_PUT] = "person_put",
    [S_PERSON_WARM] = "person_warm",
    [S_PERSON_CACHE] = "person_cache",
    [S_TXN_OPEN] = "txn_open",
    [S_PERSON_SUMMARISE] = "person_summarise",
    [S_PERSON_ADD_KEYS] = "person_add_keys",
    [S_PERSON_LINK] = "person_link",
    [S_PERSON_RELATE] = "person_relate",
    [S_PERSON_RELATIVES] = "person_relatives",
    [S_PERSON_HOUSEMATES] = "person_housemates",
    [S_PERSON_TOGETHER] = "person_together",
    [S_PERSON_CONTACTS] = "person_contacts",
    [S_PERSON_MERGE] = "person_merge",
    [S_MATCH_INSERT] = "match_insert",
    [S_MATCH_GET] = "match_get",
    [S_MATCH_DECIDE] = "match_decide",
    [S_MATCH_PENDING] = "match_pending",
    [S_TERM_COUNTS] = "term_counts",
    [S_TERM_ADD] = "term_add",
    [S_PERSON_EACH] = "person_each",
    [S_STATS_SUMMARY] = "stats_summary",
    [S_STATS_SOURCES] = "stats_sources",
    [S_STATS_REPLIES] = "stats_replies",
    [S_STATS_ESCALATION_LEVELS] = "stats_escalation_levels",
    [S_STATS_QUALITY_FLAGS] = "stats_quality_flags",
    [S_DUTY_OPEN] = "duty_open",
    [S_DUTY_GET] = "duty_get",
    [S_DUTY_CLAIM] = "duty_claim",
    [S_DUTY_FIND] = "duty_find",
    [S_DUTY_SET] = "duty_set",
    [S_DUTY_DONE] = "duty_done",
    [S_DUTIES_OPEN] = "duties_open",
    [S_DUTY_STATS] = "duty_stats",
    [S_OPS_FIGURES] = "ops_figures",
    [S_INBOX_REFUSED] = "inbox_refused",
    [S_ADAPTER_REJECTION_PUT] = "adapter_rejection_put",
    [S_ADAPTER_REJECTIONS] = "adapter_rejections",
};

/* ---- the recording fake: each slot records its arguments ---- */

static int f_begin(mash_store_t *s) {
  return s_hit(s, S_BEGIN, NULL, 0);
}

static int f_commit(mash_store_t *s) {
  return s_hit(s, S_COMMIT, NULL, 0);
}

static int f_rollback(mash_store_t *s) {
  return s_hit(s, S_ROLLBACK, NULL, 0);
}

static int f_intake(mash_store_t *s, mash_intake_t *in) {
  return s_hit(s, S_INTAKE, (uintptr_t[]){(uintptr_t)in}, 1);
}

static int f_mark_delivered(mash_store_t *s, const char *contact_id, const char *principal,
                            int64_t at_ms) {
  return s_hit(s, S_MARK_DELIVERED,
               (uintptr_t[]){(uintptr_t)contact_id, (uintptr_t)principal, (uintptr_t)at_ms}, 3);
}

static int f_load_undelivered(mash_store_t *s, mash_store_contact_cb cb, void *arg) {
  return s_hit(s, S_LOAD_UNDELIVERED, (uintptr_t[]){(uintptr_t)cb, (uintptr_t)arg}, 2);
}

static int f_count_contacts(mash_store_t *s, int64_t *n) {
  return s_hit(s, S_COUNT_CONTACTS, (uintptr_t[]){(uintptr_t)n}, 1);
}

static int f_savepoint(mash_store_t *s) {
  return s_hit(s, S_SAVEPOINT, NULL, 0);
}

static int f_release(mash_store_t *s, int keep) {
  return s_hit(s, S_RELEASE, (uintptr_t[]){(uintptr_t)keep}, 1);
}

static int f_checkpoint(mash_store_t *s, unsigned min_pages) {
  return s_hit(s, S_CHECKPOINT, (uintptr_t[]){(uintptr_t)min_pages}, 1);
}

static int f_contact_get(mash_store_t *s, const char *contact_id, mash_contact_row_t *row) {
  return s_hit(s, S_CONTACT_GET, (uintptr_t[]){(uintptr_t)contact_id, (uintptr_t)row}, 2);
}

static int f_contact_claim(mash_store_t *s, const char *contact_id, mash_contact_row_t *row) {
  return s_hit(s, S_CONTACT_CLAIM, (uintptr_t[]){(uintptr_t)contact_id, (uintptr_t)row}, 2);
}

static int f_contact_set_state(mash_store_t *s, const char *contact_id, int state, int64_t at_ms,
                               int outcome) {
  return s_hit(
      s, S_CONTACT_SET_STATE,
      (uintptr_t[]){(uintptr_t)contact_id, (uintptr_t)state, (uintptr_t)at_ms, (uintptr_t)outcome},
      4);
}

static int f_inbox_get(mash_store_t *s, const char *principal, const char *message_id,
                       uint8_t **result, size_t *len) {
  return s_hit(
      s, S_INBOX_GET,
      (uintptr_t[]){(uintptr_t)principal, (uintptr_t)message_id, (uintptr_t)result, (uintptr_t)len},
      4);
}

static int f_inbox_put(mash_store_t *s, const char *principal, const char *message_id,
                       const uint8_t *result, size_t len, int64_t at_ms) {
  return s_hit(s, S_INBOX_PUT,
               (uintptr_t[]){(uintptr_t)principal, (uintptr_t)message_id, (uintptr_t)result,
                             (uintptr_t)len, (uintptr_t)at_ms},
               5);
}

static int f_enquiry_insert(mash_store_t *s, const char *contact_id, int rag, int consent_status,
                            int64_t at_ms, const uint8_t *decision, size_t len,
                            char enquiry_id[MASH_ITEM_ID_LEN]) {
  return s_hit(s, S_ENQUIRY_INSERT,
               (uintptr_t[]){(uintptr_t)contact_id, (uintptr_t)rag, (uintptr_t)consent_status,
                             (uintptr_t)at_ms, (uintptr_t)decision, (uintptr_t)len,
                             (uintptr_t)enquiry_id},
               7);
}

static int f_enquiry_get(mash_store_t *s, const char *enquiry_id, mash_enquiry_row_t *row) {
  return s_hit(s, S_ENQUIRY_GET, (uintptr_t[]){(uintptr_t)enquiry_id, (uintptr_t)row}, 2);
}

static int f_enquiry_update(mash_store_t *s, const char *enquiry_id, unsigned pack_version,
                            int64_t closed_at_ms, int64_t at_ms) {
  return s_hit(s, S_ENQUIRY_UPDATE,
               (uintptr_t[]){(uintptr_t)enquiry_id, (uintptr_t)pack_version,
                             (uintptr_t)closed_at_ms, (uintptr_t)at_ms},
               4);
}

static int f_enquiry_of_contact(mash_store_t *s, const char *contact_id,
                                char enquiry_id[MASH_ITEM_ID_LEN]) {
  return s_hit(s, S_ENQUIRY_OF_CONTACT, (uintptr_t[]){(uintptr_t)contact_id, (uintptr_t)enquiry_id},
               2);
}

static int f_request_insert(mash_store_t *s, const char *enquiry_id, const char *agency, int rag,
                            int64_t requested_at_ms, int64_t due_at_ms,
                            char request_id[MASH_ITEM_ID_LEN]) {
  return s_hit(s, S_REQUEST_INSERT,
               (uintptr_t[]){(uintptr_t)enquiry_id, (uintptr_t)agency, (uintptr_t)rag,
                             (uintptr_t)requested_at_ms, (uintptr_t)due_at_ms,
                             (uintptr_t)request_id},
               6);
}

static int f_request_get(mash_store_t *s, const char *request_id, mash_request_row_t *row) {
  return s_hit(s, S_REQUEST_GET, (uintptr_t[]){(uintptr_t)request_id, (uintptr_t)row}, 2);
}

static int f_request_answer(mash_store_t *s, const char *request_id, int64_t at_ms,
                            const uint8_t *response, size_t len) {
  return s_hit(
      s, S_REQUEST_ANSWER,
      (uintptr_t[]){(uintptr_t)request_id, (uintptr_t)at_ms, (uintptr_t)response, (uintptr_t)len},
      4);
}

static int f_request_set_level(mash_store_t *s, const char *request_id, unsigned level,
                               int64_t at_ms) {
  return s_hit(s, S_REQUEST_SET_LEVEL,
               (uintptr_t[]){(uintptr_t)request_id, (uintptr_t)level, (uintptr_t)at_ms}, 3);
}

static int f_requests_of_enquiry(mash_store_t *s, const char *enquiry_id, mash_store_request_cb cb,
                                 void *arg) {
  return s_hit(s, S_REQUESTS_OF_ENQUIRY,
               (uintptr_t[]){(uintptr_t)enquiry_id, (uintptr_t)cb, (uintptr_t)arg}, 3);
}

static int f_requests_open(mash_store_t *s, mash_store_request_cb cb, void *arg) {
  return s_hit(s, S_REQUESTS_OPEN, (uintptr_t[]){(uintptr_t)cb, (uintptr_t)arg}, 2);
}

static int f_escalation_insert(mash_store_t *s, const char *escalation_id, const char *enquiry_id,
                               const char *request_id, unsigned level, int64_t at_ms,
                               const uint8_t *event, size_t len) {
  return s_hit(s, S_ESCALATION_INSERT,
               (uintptr_t[]){(uintptr_t)escalation_id, (uintptr_t)enquiry_id, (uintptr_t)request_id,
                             (uintptr_t)level, (uintptr_t)at_ms, (uintptr_t)event, (uintptr_t)len},
               7);
}

static int f_escalations_of_enquiry(mash_store_t *s, const char *enquiry_id, mash_store_blob_cb cb,
                                    void *arg) {
  return s_hit(s, S_ESCALATIONS_OF_ENQUIRY,
               (uintptr_t[]){(uintptr_t)enquiry_id, (uintptr_t)cb, (uintptr_t)arg}, 3);
}

static int f_escalations_after(mash_store_t *s, uint64_t after_seq, size_t max,
                               mash_store_step_cb cb, void *arg) {
  return s_hit(s, S_ESCALATIONS_AFTER,
               (uintptr_t[]){(uintptr_t)after_seq, (uintptr_t)max, (uintptr_t)cb, (uintptr_t)arg},
               4);
}

static int f_esclog_state(mash_store_t *s, mash_store_esclog_state_t *out) {
  return s_hit(s, S_ESCLOG_STATE, (uintptr_t[]){(uintptr_t)out}, 1);
}

static int f_esclog_mark(mash_store_t *s, uint64_t appended_seq) {
  return s_hit(s, S_ESCLOG_MARK, (uintptr_t[]){(uintptr_t)appended_seq}, 1);
}

static int f_open_reader(mash_store_t *s, mash_store_t **reader, char *err, size_t errlen) {
  return s_hit(s, S_OPEN_READER,
               (uintptr_t[]){(uintptr_t)reader, (uintptr_t)err, (uintptr_t)errlen}, 3);
}

static int f_outbox_insert(mash_store_t *s, const char *message_id, const char *target,
                           const uint8_t *frame, size_t len, int64_t at_ms) {
  return s_hit(s, S_OUTBOX_INSERT,
               (uintptr_t[]){(uintptr_t)message_id, (uintptr_t)target, (uintptr_t)frame,
                             (uintptr_t)len, (uintptr_t)at_ms},
               5);
}

static int f_outbox_delivered(mash_store_t *s, const char *message_id, const char *principal,
                              int64_t at_ms) {
  return s_hit(s, S_OUTBOX_DELIVERED,
               (uintptr_t[]){(uintptr_t)message_id, (uintptr_t)principal, (uintptr_t)at_ms}, 3);
}

static int f_outbox_pending(mash_store_t *s, mash_store_outbox_cb cb, void *arg) {
  return s_hit(s, S_OUTBOX_PENDING, (uintptr_t[]){(uintptr_t)cb, (uintptr_t)arg}, 2);
}

static int f_latest_instant(mash_store_t *s, int64_t *ms) {
  return s_hit(s, S_LATEST_INSTANT, (uintptr_t[]){(uintptr_t)ms}, 1);
}

static int f_load_unresolved(mash_store_t *s, mash_store_contact_cb cb, void *arg) {
  return s_hit(s, S_LOAD_UNRESOLVED, (uintptr_t[]){(uintptr_t)cb, (uintptr_t)arg}, 2);
}

static int f_contact_resolved(mash_store_t *s, const char *contact_id, const uint8_t *contact,
                              size_t len, int priority, const char *quality_flags) {
  return s_hit(s, S_CONTACT_RESOLVED,
               (uintptr_t[]){(uintptr_t)contact_id, (uintptr_t)contact, (uintptr_t)len,
                             (uintptr_t)priority, (uintptr_t)quality_flags},
               5);
}

static int f_contact_find(mash_store_t *s, const char *principal, const char *message_id,
                          char contact_id[MASH_CONTACT_ID_LEN]) {
  return s_hit(s, S_CONTACT_FIND,
               (uintptr_t[]){(uintptr_t)principal, (uintptr_t)message_id, (uintptr_t)contact_id},
               3);
}

static int f_person_find(mash_store_t *s, const char *const *keys, size_t n,
                         mash_store_person_cb cb, void *arg) {
  return s_hit(s, S_PERSON_FIND,
               (uintptr_t[]){(uintptr_t)keys, (uintptr_t)n, (uintptr_t)cb, (uintptr_t)arg}, 4);
}

static int f_person_get(mash_store_t *s, const char *person_id, mash_person_row_t *row) {
  return s_hit(s, S_PERSON_GET, (uintptr_t[]){(uintptr_t)person_id, (uintptr_t)row}, 2);
}

static int f_person_put(mash_store_t *s, char person_id[MASH_PERSON_ID_LEN], const uint8_t *record,
                        size_t len, int is_child, const char *address_key, int64_t at_ms) {
  return s_hit(s, S_PERSON_PUT,
               (uintptr_t[]){(uintptr_t)person_id, (uintptr_t)record, (uintptr_t)len,
                             (uintptr_t)is_child, (uintptr_t)address_key, (uintptr_t)at_ms},
               6);
}

static int f_person_warm(mash_store_t *s, int64_t *bytes) {
  return s_hit(s, S_PERSON_WARM, (uintptr_t[]){(uintptr_t)bytes}, 1);
}

static int f_txn_open(mash_store_t *s) {
  return s_hit(s, S_TXN_OPEN, NULL, 0);
}

static int f_person_cache(mash_store_t *s, mash_store_person_cache_t *out) {
  return s_hit(s, S_PERSON_CACHE, (uintptr_t[]){(uintptr_t)out}, 1);
}

static int f_person_summarise(mash_store_t *s, const char *person_id, const uint8_t *summary,
                              size_t len) {
  return s_hit(s, S_PERSON_SUMMARISE,
               (uintptr_t[]){(uintptr_t)person_id, (uintptr_t)summary, (uintptr_t)len}, 3);
}

static int f_person_add_keys(mash_store_t *s, const char *person_id, const char *const *keys,
                             size_t n) {
  return s_hit(s, S_PERSON_ADD_KEYS,
               (uintptr_t[]){(uintptr_t)person_id, (uintptr_t)keys, (uintptr_t)n}, 3);
}

static int f_person_link(mash_store_t *s, const char *contact_id, const char *ref,
                         const char *person_id, const char *decision, int confidence,
                         const char *why, int64_t at_ms) {
  return s_hit(s, S_PERSON_LINK,
               (uintptr_t[]){(uintptr_t)contact_id, (uintptr_t)ref, (uintptr_t)person_id,
                             (uintptr_t)decision, (uintptr_t)confidence, (uintptr_t)why,
                             (uintptr_t)at_ms},
               7);
}

static int f_person_relate(mash_store_t *s, const char *a, const char *b, int64_t at_ms) {
  return s_hit(s, S_PERSON_RELATE, (uintptr_t[]){(uintptr_t)a, (uintptr_t)b, (uintptr_t)at_ms}, 3);
}

static int f_person_relatives(mash_store_t *s, const char *person_id, mash_store_person_cb cb,
                              void *arg) {
  return s_hit(s, S_PERSON_RELATIVES,
               (uintptr_t[]){(uintptr_t)person_id, (uintptr_t)cb, (uintptr_t)arg}, 3);
}

static int f_person_housemates(mash_store_t *s, const char *person_id, int64_t since_ms, size_t max,
                               mash_store_person_cb cb, void *arg) {
  return s_hit(s, S_PERSON_HOUSEMATES,
               (uintptr_t[]){(uintptr_t)person_id, (uintptr_t)since_ms, (uintptr_t)max,
                             (uintptr_t)cb, (uintptr_t)arg},
               5);
}

static int f_person_together(mash_store_t *s, const char *a, const char *b) {
  return s_hit(s, S_PERSON_TOGETHER, (uintptr_t[]){(uintptr_t)a, (uintptr_t)b}, 2);
}

static int f_person_contacts(mash_store_t *s, const char *person_id, int64_t since_ms,
                             int64_t until_ms, size_t max, mash_store_person_contact_cb cb,
                             void *arg) {
  return s_hit(s, S_PERSON_CONTACTS,
               (uintptr_t[]){(uintptr_t)person_id, (uintptr_t)since_ms, (uintptr_t)until_ms,
                             (uintptr_t)max, (uintptr_t)cb, (uintptr_t)arg},
               6);
}

static int f_person_merge(mash_store_t *s, const char *from, const char *into, const char *note,
                          int64_t at_ms) {
  return s_hit(s, S_PERSON_MERGE,
               (uintptr_t[]){(uintptr_t)from, (uintptr_t)into, (uintptr_t)note, (uintptr_t)at_ms},
               4);
}

static int f_match_insert(mash_store_t *s, const mash_match_row_t *m, const char *why,
                          int64_t at_ms, char match_id[MASH_PERSON_ID_LEN]) {
  return s_hit(s, S_MATCH_INSERT,
               (uintptr_t[]){(uintptr_t)m, (uintptr_t)why, (uintptr_t)at_ms, (uintptr_t)match_id},
               4);
}

static int f_match_get(mash_store_t *s, const char *match_id, mash_match_row_t *row) {
  return s_hit(s, S_MATCH_GET, (uintptr_t[]){(uintptr_t)match_id, (uintptr_t)row}, 2);
}

static int f_match_decide(mash_store_t *s, const char *match_id, int state, const char *by,
                          const uint8_t *decision, size_t len, int64_t at_ms) {
  return s_hit(s, S_MATCH_DECIDE,
               (uintptr_t[]){(uintptr_t)match_id, (uintptr_t)state, (uintptr_t)by,
                             (uintptr_t)decision, (uintptr_t)len, (uintptr_t)at_ms},
               6);
}

static int f_match_pending(mash_store_t *s, const char *person_id, mash_store_pending_cb cb,
                           void *arg) {
  return s_hit(s, S_MATCH_PENDING,
               (uintptr_t[]){(uintptr_t)person_id, (uintptr_t)cb, (uintptr_t)arg}, 3);
}

static int f_term_counts(mash_store_t *s, const char *const *keys, size_t n, int64_t *counts) {
  return s_hit(s, S_TERM_COUNTS, (uintptr_t[]){(uintptr_t)keys, (uintptr_t)n, (uintptr_t)counts},
               3);
}

static int f_term_add(mash_store_t *s, const char *const *keys, size_t n, int delta) {
  return s_hit(s, S_TERM_ADD, (uintptr_t[]){(uintptr_t)keys, (uintptr_t)n, (uintptr_t)delta}, 3);
}

static int f_person_each(mash_store_t *s, const char *after_id, size_t max, mash_store_person_cb cb,
                         void *arg) {
  return s_hit(s, S_PERSON_EACH,
               (uintptr_t[]){(uintptr_t)after_id, (uintptr_t)max, (uintptr_t)cb, (uintptr_t)arg},
               4);
}

static int f_stats_summary(mash_store_t *s, int64_t now_ms, mash_store_stats_t *out) {
  return s_hit(s, S_STATS_SUMMARY, (uintptr_t[]){(uintptr_t)now_ms, (uintptr_t)out}, 2);
}

static int f_stats_sources(mash_store_t *s, mash_store_count_cb cb, void *arg) {
  return s_hit(s, S_STATS_SOURCES, (uintptr_t[]){(uintptr_t)cb, (uintptr_t)arg}, 2);
}

static int f_stats_replies(mash_store_t *s, mash_store_reply_cb cb, void *arg) {
  return s_hit(s, S_STATS_REPLIES, (uintptr_t[]){(uintptr_t)cb, (uintptr_t)arg}, 2);
}

static int f_stats_escalation_levels(mash_store_t *s, mash_store_level_cb cb, void *arg) {
  return s_hit(s, S_STATS_ESCALATION_LEVELS, (uintptr_t[]){(uintptr_t)cb, (uintptr_t)arg}, 2);
}

static int f_stats_quality_flags(mash_store_t *s, mash_store_count_cb cb, void *arg) {
  return s_hit(s, S_STATS_QUALITY_FLAGS, (uintptr_t[]){(uintptr_t)cb, (uintptr_t)arg}, 2);
}

static int f_duty_open(mash_store_t *s, int kind, const char *ref, int rag, int64_t start_ms,
                       int64_t due_ms, int64_t next_at_ms, uint64_t *duty) {
  return s_hit(s, S_DUTY_OPEN,
               (uintptr_t[]){(uintptr_t)kind, (uintptr_t)ref, (uintptr_t)rag, (uintptr_t)start_ms,
                             (uintptr_t)due_ms, (uintptr_t)next_at_ms, (uintptr_t)duty},
               7);
}

static int f_duty_claim(mash_store_t *s, uint64_t duty, mash_duty_row_t *row) {
  return s_hit(s, S_DUTY_CLAIM, (uintptr_t[]){(uintptr_t)duty, (uintptr_t)row}, 2);
}

static int f_duty_get(mash_store_t *s, uint64_t duty, mash_duty_row_t *row) {
  return s_hit(s, S_DUTY_GET, (uintptr_t[]){(uintptr_t)duty, (uintptr_t)row}, 2);
}

static int f_duty_find(mash_store_t *s, int kind, const char *ref, mash_duty_row_t *row) {
  return s_hit(s, S_DUTY_FIND, (uintptr_t[]){(uintptr_t)kind, (uintptr_t)ref, (uintptr_t)row}, 3);
}

static int f_duty_set(mash_store_t *s, uint64_t duty, unsigned level, int64_t level_at_ms,
                      int64_t next_at_ms) {
  return s_hit(s, S_DUTY_SET,
               (uintptr_t[]){(uintptr_t)duty, (uintptr_t)level, (uintptr_t)level_at_ms,
                             (uintptr_t)next_at_ms},
               4);
}

static int f_duty_done(mash_store_t *s, uint64_t duty, int64_t at_ms) {
  return s_hit(s, S_DUTY_DONE, (uintptr_t[]){(uintptr_t)duty, (uintptr_t)at_ms}, 2);
}

static int f_duties_open(mash_store_t *s, mash_store_duty_cb cb, void *arg) {
  return s_hit(s, S_DUTIES_OPEN, (uintptr_t[]){(uintptr_t)cb, (uintptr_t)arg}, 2);
}

static int f_duty_stats(mash_store_t *s, int kind, int64_t now_ms, mash_duty_stats_t *out) {
  return s_hit(s, S_DUTY_STATS, (uintptr_t[]){(uintptr_t)kind, (uintptr_t)now_ms, (uintptr_t)out},
               3);
}

static int f_ops_figures(mash_store_t *s, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                         int64_t screening_ms, mash_ops_figures_t *out) {
  return s_hit(s, S_OPS_FIGURES,
               (uintptr_t[]){(uintptr_t)from_ms, (uintptr_t)to_ms, (uintptr_t)now_ms,
                             (uintptr_t)screening_ms, (uintptr_t)out},
               5);
}

static int f_inbox_refused(mash_store_t *s, const char *principal, const char *message_id,
                           const uint8_t *result, size_t len, int64_t at_ms,
                           int64_t expire_before_ms) {
  return s_hit(s, S_INBOX_REFUSED,
               (uintptr_t[]){(uintptr_t)principal, (uintptr_t)message_id, (uintptr_t)result,
                             (uintptr_t)len, (uintptr_t)at_ms, (uintptr_t)expire_before_ms},
               6);
}

static int f_adapter_rejection_put(mash_store_t *s, const char *principal, const char *message_id,
                                   const char *reason, const char *fields, int64_t at_ms) {
  return s_hit(s, S_ADAPTER_REJECTION_PUT,
               (uintptr_t[]){(uintptr_t)principal, (uintptr_t)message_id, (uintptr_t)reason,
                             (uintptr_t)fields, (uintptr_t)at_ms},
               5);
}

static int f_adapter_rejections(mash_store_t *s, mash_store_rejection_cb cb, void *arg) {
  return s_hit(s, S_ADAPTER_REJECTIONS, (uintptr_t[]){(uintptr_t)cb, (uintptr_t)arg}, 2);
}

const mash_store_vtable_t RECORDING_VT = {
    .begin = f_begin,
    .commit = f_commit,
    .rollback = f_rollback,
    .intake = f_intake,
    .mark_delivered = f_mark_delivered,
    .load_undelivered = f_load_undelivered,
    .count_contacts = f_count_contacts,
    .savepoint = f_savepoint,
    .release = f_release,
    .checkpoint = f_checkpoint,
    .contact_get = f_contact_get,
    .contact_claim = f_contact_claim,
    .contact_set_state = f_contact_set_state,
    .inbox_get = f_inbox_get,
    .inbox_put = f_inbox_put,
    .enquiry_insert = f_enquiry_insert,
    .enquiry_get = f_enquiry_get,
    .enquiry_update = f_enquiry_update,
    .enquiry_of_contact = f_enquiry_of_contact,
    .request_insert = f_request_insert,
    .request_get = f_request_get,
    .request_answer = f_request_answer,
    .request_set_level = f_request_set_level,
    .requests_of_enquiry = f_requests_of_enquiry,
    .requests_open = f_requests_open,
    .escalation_insert = f_escalation_insert,
    .escalations_of_enquiry = f_escalations_of_enquiry,
    .escalations_after = f_escalations_after,
    .esclog_state = f_esclog_state,
    .esclog_mark = f_esclog_mark,
    .open_reader = f_open_reader,
    .outbox_insert = f_outbox_insert,
    .outbox_delivered = f_outbox_delivered,
    .outbox_pending = f_outbox_pending,
    .latest_instant = f_latest_instant,
    .load_unresolved = f_load_unresolved,
    .contact_resolved = f_contact_resolved,
    .contact_find = f_contact_find,
    .person_find = f_person_find,
    .person_get = f_person_get,
    .person_put = f_person_put,
    .person_warm = f_person_warm,
    .person_cache = f_person_cache,
    .txn_open = f_txn_open,
    .person_summarise = f_person_summarise,
    .person_add_keys = f_person_add_keys,
    .person_link = f_person_link,
    .person_relate = f_person_relate,
    .person_relatives = f_person_relatives,
    .person_housemates = f_person_housemates,
    .person_together = f_person_together,
    .person_contacts = f_person_contacts,
    .person_merge = f_person_merge,
    .match_insert = f_match_insert,
    .match_get = f_match_get,
    .match_decide = f_match_decide,
    .match_pending = f_match_pending,
    .term_counts = f_term_counts,
    .term_add = f_term_add,
    .person_each = f_person_each,
    .stats_summary = f_stats_summary,
    .stats_sources = f_stats_sources,
    .stats_replies = f_stats_replies,
    .stats_escalation_levels = f_stats_escalation_levels,
    .stats_quality_flags = f_stats_quality_flags,
    .duty_open = f_duty_open,
    .duty_get = f_duty_get,
    .duty_claim = f_duty_claim,
    .duty_find = f_duty_find,
    .duty_set = f_duty_set,
    .duty_done = f_duty_done,
    .duties_open = f_duties_open,
    .duty_stats = f_duty_stats,
    .ops_figures = f_ops_figures,
    .inbox_refused = f_inbox_refused,
    .adapter_rejection_put = f_adapter_rejection_put,
    .adapter_rejections = f_adapter_rejections,
    .destroy = f_destroy,
};

/* Call the wrapper of `slot` with arguments unique to each position; the
 * values it passed into want[0..*n). */
