/* test_store_wrappers: the store interface's wrappers (store.c) and its
 * implementations' vtables. A recording fake fills every slot: each wrapper
 * must reach the slot of its own name with its arguments unchanged and
 * return what the slot returned; a slot left NULL answers -ENOSYS. The
 * SQLite store (read-write and read-only) must fill the slots it offers,
 * and a round trip through the wrappers must reach the real tables,
 * statistics included. Must not: call a store's slots directly (that is
 * what the wrappers are for), except to prove they are filled in. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_dir.h"
#include "seal.h"
#include "store.h"
#include "store_vt.h" /* the recording fake fills in the vtable */

/* Allocated by the library, released with the real free before cmocka
 * redefines it. */
static void lib_free(void *p) {
  free(p);
}

#define UNIT_TESTING 1
#include <cmocka.h>

#define MAX_ARGS 8

/* Distinct, aligned addresses passed as pointer arguments (never read). */
static max_align_t s_pool[MAX_ARGS];
#define P(k) ((void *)&s_pool[k])

typedef struct recorder {
  mash_store_t base;
  int hits; /* slot calls since reset */
  int last; /* the slot called last */
  size_t n; /* its arguments after the store */
  uintptr_t args[MAX_ARGS];
  int destroyed;
} recorder_t;

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

/* Callbacks of every kind, passed through (never called by the fake). */
static int s_contact_cb(const char *id, int64_t at, const uint8_t *c, size_t len, void *arg) {
  (void)id, (void)at, (void)c, (void)len, (void)arg;
  return 0;
}
static int s_request_cb(mash_request_row_t *row, void *arg) {
  (void)row, (void)arg;
  return 0;
}
/* The stored steps as "seq:id;" text. */
static int s_step_cb(uint64_t seq, const char *escalation_id, const uint8_t *event, size_t len,
                     void *arg) {
  char *text = arg;
  size_t off = strlen(text);
  snprintf(text + off, 256 - off, "%llu:%s:%zu;", (unsigned long long)seq, escalation_id, len);
  (void)event;
  return 0;
}

static int s_blob_cb(const uint8_t *blob, size_t len, void *arg) {
  (void)blob, (void)len, (void)arg;
  return 0;
}
static int s_outbox_cb(const char *mid, const char *target, const uint8_t *frame, size_t len,
                       void *arg) {
  (void)mid, (void)target, (void)frame, (void)len, (void)arg;
  return 0;
}
static int s_person_cb(mash_person_row_t *row, void *arg) {
  (void)row, (void)arg;
  return 0;
}
static int s_person_contact_cb(const mash_person_contact_t *c, void *arg) {
  (void)c, (void)arg;
  return 0;
}
static int s_count_cb(const char *name, int64_t n, void *arg) {
  (void)name, (void)n, (void)arg;
  return 0;
}
static int s_level_cb(unsigned level, int64_t n, void *arg) {
  (void)level, (void)n, (void)arg;
  return 0;
}
static int s_reply_cb(const mash_store_reply_stats_t *r, void *arg) {
  (void)r, (void)arg;
  return 0;
}

/* ---- one entry per slot of internal/store_vt.h, in its order (a new slot
 * needs its line in each list below: test_every_slot_listed says so) ---- */

enum {
  S_BEGIN,
  S_COMMIT,
  S_ROLLBACK,
  S_INTAKE,
  S_MARK_DELIVERED,
  S_LOAD_UNDELIVERED,
  S_COUNT_CONTACTS,
  S_SAVEPOINT,
  S_RELEASE,
  S_CHECKPOINT,
  S_CONTACT_GET,
  S_CONTACT_SET_STATE,
  S_INBOX_GET,
  S_INBOX_PUT,
  S_ENQUIRY_INSERT,
  S_ENQUIRY_GET,
  S_ENQUIRY_UPDATE,
  S_ENQUIRY_OF_CONTACT,
  S_REQUEST_INSERT,
  S_REQUEST_GET,
  S_REQUEST_ANSWER,
  S_REQUEST_SET_LEVEL,
  S_REQUESTS_OF_ENQUIRY,
  S_REQUESTS_OPEN,
  S_ESCALATION_INSERT,
  S_ESCALATIONS_OF_ENQUIRY,
  S_ESCALATIONS_AFTER,
  S_ESCLOG_STATE,
  S_ESCLOG_MARK,
  S_OPEN_READER,
  S_OUTBOX_INSERT,
  S_OUTBOX_DELIVERED,
  S_OUTBOX_PENDING,
  S_LATEST_INSTANT,
  S_LOAD_UNRESOLVED,
  S_CONTACT_RESOLVED,
  S_CONTACT_FIND,
  S_PERSON_FIND,
  S_PERSON_GET,
  S_PERSON_PUT,
  S_PERSON_ADD_KEYS,
  S_PERSON_LINK,
  S_PERSON_RELATE,
  S_PERSON_RELATIVES,
  S_PERSON_HOUSEMATES,
  S_PERSON_TOGETHER,
  S_PERSON_CONTACTS,
  S_PERSON_MERGE,
  S_MATCH_INSERT,
  S_MATCH_GET,
  S_MATCH_DECIDE,
  S_MATCH_PENDING,
  S_TERM_COUNTS,
  S_TERM_ADD,
  S_STATS_SUMMARY,
  S_STATS_SOURCES,
  S_STATS_REPLIES,
  S_STATS_ESCALATION_LEVELS,
  S_STATS_QUALITY_FLAGS,
  S_DUTY_OPEN,
  S_DUTY_GET,
  S_DUTY_FIND,
  S_DUTY_SET,
  S_DUTY_DONE,
  S_DUTIES_OPEN,
  S_DUTY_STATS,
  S_OPS_FIGURES,
  S_INBOX_REFUSED,
  S_ADAPTER_REJECTION_PUT,
  S_ADAPTER_REJECTIONS,
  S_N
};

static const char *const SLOT_NAMES[S_N] = {
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
    [S_STATS_SUMMARY] = "stats_summary",
    [S_STATS_SOURCES] = "stats_sources",
    [S_STATS_REPLIES] = "stats_replies",
    [S_STATS_ESCALATION_LEVELS] = "stats_escalation_levels",
    [S_STATS_QUALITY_FLAGS] = "stats_quality_flags",
    [S_DUTY_OPEN] = "duty_open",
    [S_DUTY_GET] = "duty_get",
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

static int s_pending_cb(const char *other_id, int other_is_candidate, void *arg) {
  (void)other_id;
  (void)other_is_candidate;
  (void)arg;
  return 0;
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

static int s_duty_cb(uint64_t duty, int64_t next_at_ms, void *arg) {
  (void)duty, (void)next_at_ms, (void)arg;
  return 0;
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

static int s_rejection_cb(const char *principal, const char *fields, void *arg) {
  (void)principal, (void)fields, (void)arg;
  return 0;
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

static const mash_store_vtable_t RECORDING_VT = {
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
    .stats_summary = f_stats_summary,
    .stats_sources = f_stats_sources,
    .stats_replies = f_stats_replies,
    .stats_escalation_levels = f_stats_escalation_levels,
    .stats_quality_flags = f_stats_quality_flags,
    .duty_open = f_duty_open,
    .duty_get = f_duty_get,
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
static int s_call(mash_store_t *s, int slot, uintptr_t want[MAX_ARGS], size_t *n) {
  int rc = 0;
  switch (slot) {
  case S_BEGIN:
    *n = 0;
    rc = mash_store_begin(s);
    break;
  case S_COMMIT:
    *n = 0;
    rc = mash_store_commit(s);
    break;
  case S_ROLLBACK:
    *n = 0;
    rc = mash_store_rollback(s);
    break;
  case S_INTAKE:
    want[0] = (uintptr_t)P(0);
    *n = 1;
    rc = mash_store_intake(s, P(0));
    break;
  case S_MARK_DELIVERED:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    want[2] = (uintptr_t)INT64_C(5000000002);
    *n = 3;
    rc = mash_store_mark_delivered(s, P(0), P(1), INT64_C(5000000002));
    break;
  case S_LOAD_UNDELIVERED:
    want[0] = (uintptr_t)s_contact_cb;
    want[1] = (uintptr_t)P(0);
    *n = 2;
    rc = mash_store_load_undelivered(s, s_contact_cb, P(0));
    break;
  case S_COUNT_CONTACTS:
    want[0] = (uintptr_t)P(0);
    *n = 1;
    rc = mash_store_count_contacts(s, P(0));
    break;
  case S_SAVEPOINT:
    *n = 0;
    rc = mash_store_savepoint(s);
    break;
  case S_RELEASE:
    want[0] = (uintptr_t)100;
    *n = 1;
    rc = mash_store_release(s, 100);
    break;
  case S_CHECKPOINT:
    want[0] = (uintptr_t)102;
    *n = 1;
    rc = mash_store_checkpoint(s, 102);
    break;
  case S_CONTACT_GET:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    *n = 2;
    rc = mash_store_contact_get(s, P(0), P(1));
    break;
  case S_CONTACT_SET_STATE:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)101;
    want[2] = (uintptr_t)INT64_C(5000000002);
    want[3] = (uintptr_t)103;
    *n = 4;
    rc = mash_store_contact_set_state(s, P(0), 101, INT64_C(5000000002), 103);
    break;
  case S_INBOX_GET:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    want[2] = (uintptr_t)P(2);
    want[3] = (uintptr_t)P(3);
    *n = 4;
    rc = mash_store_inbox_get(s, P(0), P(1), P(2), P(3));
    break;
  case S_INBOX_PUT:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    want[2] = (uintptr_t)P(2);
    want[3] = (uintptr_t)(size_t)203;
    want[4] = (uintptr_t)INT64_C(5000000004);
    *n = 5;
    rc = mash_store_inbox_put(s, P(0), P(1), P(2), (size_t)203, INT64_C(5000000004));
    break;
  case S_ENQUIRY_INSERT:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)101;
    want[2] = (uintptr_t)102;
    want[3] = (uintptr_t)INT64_C(5000000003);
    want[4] = (uintptr_t)P(4);
    want[5] = (uintptr_t)(size_t)205;
    want[6] = (uintptr_t)P(6);
    *n = 7;
    rc = mash_store_enquiry_insert(s, P(0), 101, 102, INT64_C(5000000003), P(4), (size_t)205, P(6));
    break;
  case S_ENQUIRY_GET:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    *n = 2;
    rc = mash_store_enquiry_get(s, P(0), P(1));
    break;
  case S_ENQUIRY_UPDATE:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)301u;
    want[2] = (uintptr_t)INT64_C(5000000002);
    want[3] = (uintptr_t)INT64_C(5000000003);
    *n = 4;
    rc = mash_store_enquiry_update(s, P(0), 301u, INT64_C(5000000002), INT64_C(5000000003));
    break;
  case S_ENQUIRY_OF_CONTACT:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    *n = 2;
    rc = mash_store_enquiry_of_contact(s, P(0), P(1));
    break;
  case S_REQUEST_INSERT:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    want[2] = (uintptr_t)102;
    want[3] = (uintptr_t)INT64_C(5000000003);
    want[4] = (uintptr_t)INT64_C(5000000004);
    want[5] = (uintptr_t)P(5);
    *n = 6;
    rc = mash_store_request_insert(s, P(0), P(1), 102, INT64_C(5000000003), INT64_C(5000000004),
                                   P(5));
    break;
  case S_REQUEST_GET:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    *n = 2;
    rc = mash_store_request_get(s, P(0), P(1));
    break;
  case S_REQUEST_ANSWER:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)INT64_C(5000000001);
    want[2] = (uintptr_t)P(2);
    want[3] = (uintptr_t)(size_t)203;
    *n = 4;
    rc = mash_store_request_answer(s, P(0), INT64_C(5000000001), P(2), (size_t)203);
    break;
  case S_REQUEST_SET_LEVEL:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)301u;
    want[2] = (uintptr_t)INT64_C(5000000002);
    *n = 3;
    rc = mash_store_request_set_level(s, P(0), 301u, INT64_C(5000000002));
    break;
  case S_REQUESTS_OF_ENQUIRY:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)s_request_cb;
    want[2] = (uintptr_t)P(1);
    *n = 3;
    rc = mash_store_requests_of_enquiry(s, P(0), s_request_cb, P(1));
    break;
  case S_REQUESTS_OPEN:
    want[0] = (uintptr_t)s_request_cb;
    want[1] = (uintptr_t)P(0);
    *n = 2;
    rc = mash_store_requests_open(s, s_request_cb, P(0));
    break;
  case S_ESCALATION_INSERT:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    want[2] = (uintptr_t)P(2);
    want[3] = (uintptr_t)303u;
    want[4] = (uintptr_t)INT64_C(5000000004);
    want[5] = (uintptr_t)P(5);
    want[6] = (uintptr_t)(size_t)206;
    *n = 7;
    rc = mash_store_escalation_insert(s, P(0), P(1), P(2), 303u, INT64_C(5000000004), P(5),
                                      (size_t)206);
    break;
  case S_ESCALATIONS_OF_ENQUIRY:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)s_blob_cb;
    want[2] = (uintptr_t)P(1);
    *n = 3;
    rc = mash_store_escalations_of_enquiry(s, P(0), s_blob_cb, P(1));
    break;
  case S_ESCALATIONS_AFTER:
    want[0] = (uintptr_t)UINT64_C(5000000004);
    want[1] = (uintptr_t)(size_t)207;
    want[2] = (uintptr_t)s_step_cb;
    want[3] = (uintptr_t)P(0);
    *n = 4;
    rc = mash_store_escalations_after(s, UINT64_C(5000000004), 207, s_step_cb, P(0));
    break;
  case S_ESCLOG_STATE:
    want[0] = (uintptr_t)P(0);
    *n = 1;
    rc = mash_store_esclog_state(s, P(0));
    break;
  case S_ESCLOG_MARK:
    want[0] = (uintptr_t)UINT64_C(5000000005);
    *n = 1;
    rc = mash_store_esclog_mark(s, UINT64_C(5000000005));
    break;
  case S_OPEN_READER:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    want[2] = (uintptr_t)(size_t)211;
    *n = 3;
    rc = mash_store_open_reader(s, P(0), P(1), 211);
    break;
  case S_OUTBOX_INSERT:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    want[2] = (uintptr_t)P(2);
    want[3] = (uintptr_t)(size_t)203;
    want[4] = (uintptr_t)INT64_C(5000000004);
    *n = 5;
    rc = mash_store_outbox_insert(s, P(0), P(1), P(2), (size_t)203, INT64_C(5000000004));
    break;
  case S_OUTBOX_DELIVERED:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    want[2] = (uintptr_t)INT64_C(5000000002);
    *n = 3;
    rc = mash_store_outbox_delivered(s, P(0), P(1), INT64_C(5000000002));
    break;
  case S_OUTBOX_PENDING:
    want[0] = (uintptr_t)s_outbox_cb;
    want[1] = (uintptr_t)P(0);
    *n = 2;
    rc = mash_store_outbox_pending(s, s_outbox_cb, P(0));
    break;
  case S_LATEST_INSTANT:
    want[0] = (uintptr_t)P(0);
    *n = 1;
    rc = mash_store_latest_instant(s, P(0));
    break;
  case S_LOAD_UNRESOLVED:
    want[0] = (uintptr_t)s_contact_cb;
    want[1] = (uintptr_t)P(0);
    *n = 2;
    rc = mash_store_load_unresolved(s, s_contact_cb, P(0));
    break;
  case S_CONTACT_RESOLVED:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    want[2] = (uintptr_t)(size_t)202;
    want[3] = (uintptr_t)103;
    want[4] = (uintptr_t)P(4);
    *n = 5;
    rc = mash_store_contact_resolved(s, P(0), P(1), (size_t)202, 103, P(4));
    break;
  case S_CONTACT_FIND:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    want[2] = (uintptr_t)P(2);
    *n = 3;
    rc = mash_store_contact_find(s, P(0), P(1), P(2));
    break;
  case S_PERSON_FIND:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)(size_t)201;
    want[2] = (uintptr_t)s_person_cb;
    want[3] = (uintptr_t)P(2);
    *n = 4;
    rc = mash_store_person_find(s, P(0), (size_t)201, s_person_cb, P(2));
    break;
  case S_PERSON_GET:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    *n = 2;
    rc = mash_store_person_get(s, P(0), P(1));
    break;
  case S_PERSON_PUT:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    want[2] = (uintptr_t)(size_t)202;
    want[3] = (uintptr_t)103;
    want[4] = (uintptr_t)P(4);
    want[5] = (uintptr_t)INT64_C(5000000005);
    *n = 6;
    rc = mash_store_person_put(s, P(0), P(1), (size_t)202, 103, P(4), INT64_C(5000000005));
    break;
  case S_PERSON_ADD_KEYS:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    want[2] = (uintptr_t)(size_t)202;
    *n = 3;
    rc = mash_store_person_add_keys(s, P(0), P(1), (size_t)202);
    break;
  case S_PERSON_LINK:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    want[2] = (uintptr_t)P(2);
    want[3] = (uintptr_t)P(3);
    want[4] = (uintptr_t)104;
    want[5] = (uintptr_t)P(5);
    want[6] = (uintptr_t)INT64_C(5000000006);
    *n = 7;
    rc = mash_store_person_link(s, P(0), P(1), P(2), P(3), 104, P(5), INT64_C(5000000006));
    break;
  case S_PERSON_RELATE:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    want[2] = (uintptr_t)INT64_C(5000000002);
    *n = 3;
    rc = mash_store_person_relate(s, P(0), P(1), INT64_C(5000000002));
    break;
  case S_PERSON_RELATIVES:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)s_person_cb;
    want[2] = (uintptr_t)P(1);
    *n = 3;
    rc = mash_store_person_relatives(s, P(0), s_person_cb, P(1));
    break;
  case S_PERSON_HOUSEMATES:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)INT64_C(5000000001);
    want[2] = (uintptr_t)(size_t)202;
    want[3] = (uintptr_t)s_person_cb;
    want[4] = (uintptr_t)P(3);
    *n = 5;
    rc = mash_store_person_housemates(s, P(0), INT64_C(5000000001), (size_t)202, s_person_cb, P(3));
    break;
  case S_PERSON_TOGETHER:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    *n = 2;
    rc = mash_store_person_together(s, P(0), P(1));
    break;
  case S_PERSON_CONTACTS:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)INT64_C(5000000001);
    want[2] = (uintptr_t)INT64_C(5000000002);
    want[3] = (uintptr_t)(size_t)203;
    want[4] = (uintptr_t)s_person_contact_cb;
    want[5] = (uintptr_t)P(4);
    *n = 6;
    rc = mash_store_person_contacts(s, P(0), INT64_C(5000000001), INT64_C(5000000002), (size_t)203,
                                    s_person_contact_cb, P(4));
    break;
  case S_PERSON_MERGE:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    want[2] = (uintptr_t)P(2);
    want[3] = (uintptr_t)INT64_C(5000000003);
    *n = 4;
    rc = mash_store_person_merge(s, P(0), P(1), P(2), INT64_C(5000000003));
    break;
  case S_MATCH_INSERT:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    want[2] = (uintptr_t)INT64_C(5000000002);
    want[3] = (uintptr_t)P(3);
    *n = 4;
    rc = mash_store_match_insert(s, P(0), P(1), INT64_C(5000000002), P(3));
    break;
  case S_MATCH_GET:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    *n = 2;
    rc = mash_store_match_get(s, P(0), P(1));
    break;
  case S_MATCH_DECIDE:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)101;
    want[2] = (uintptr_t)P(2);
    want[3] = (uintptr_t)P(3);
    want[4] = (uintptr_t)(size_t)204;
    want[5] = (uintptr_t)INT64_C(5000000005);
    *n = 6;
    rc = mash_store_match_decide(s, P(0), 101, P(2), P(3), (size_t)204, INT64_C(5000000005));
    break;
  case S_MATCH_PENDING:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)s_pending_cb;
    want[2] = (uintptr_t)P(2);
    *n = 3;
    rc = mash_store_match_pending(s, P(0), s_pending_cb, P(2));
    break;
  case S_TERM_COUNTS:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)(size_t)203;
    want[2] = (uintptr_t)P(2);
    *n = 3;
    rc = mash_store_term_counts(s, P(0), (size_t)203, P(2));
    break;
  case S_TERM_ADD:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)(size_t)203;
    want[2] = (uintptr_t)-1;
    *n = 3;
    rc = mash_store_term_add(s, P(0), (size_t)203, -1);
    break;
  case S_STATS_SUMMARY:
    want[0] = (uintptr_t)INT64_C(5000000000);
    want[1] = (uintptr_t)P(1);
    *n = 2;
    rc = mash_store_stats_summary(s, INT64_C(5000000000), P(1));
    break;
  case S_STATS_SOURCES:
    want[0] = (uintptr_t)s_count_cb;
    want[1] = (uintptr_t)P(0);
    *n = 2;
    rc = mash_store_stats_sources(s, s_count_cb, P(0));
    break;
  case S_STATS_REPLIES:
    want[0] = (uintptr_t)s_reply_cb;
    want[1] = (uintptr_t)P(0);
    *n = 2;
    rc = mash_store_stats_replies(s, s_reply_cb, P(0));
    break;
  case S_STATS_ESCALATION_LEVELS:
    want[0] = (uintptr_t)s_level_cb;
    want[1] = (uintptr_t)P(0);
    *n = 2;
    rc = mash_store_stats_escalation_levels(s, s_level_cb, P(0));
    break;
  case S_STATS_QUALITY_FLAGS:
    want[0] = (uintptr_t)s_count_cb;
    want[1] = (uintptr_t)P(0);
    *n = 2;
    rc = mash_store_stats_quality_flags(s, s_count_cb, P(0));
    break;
  case S_DUTY_OPEN:
    want[0] = 2, want[1] = (uintptr_t)P(0), want[2] = 3, want[3] = 40, want[4] = 50;
    want[5] = 45, want[6] = (uintptr_t)P(1);
    *n = 7;
    rc = mash_store_duty_open(s, 2, P(0), 3, 40, 50, 45, P(1));
    break;
  case S_DUTY_GET:
    want[0] = 7, want[1] = (uintptr_t)P(0);
    *n = 2;
    rc = mash_store_duty_get(s, 7, P(0));
    break;
  case S_DUTY_FIND:
    want[0] = 3, want[1] = (uintptr_t)P(0), want[2] = (uintptr_t)P(1);
    *n = 3;
    rc = mash_store_duty_find(s, 3, P(0), P(1));
    break;
  case S_DUTY_SET:
    want[0] = 7, want[1] = 2, want[2] = 60, want[3] = 70;
    *n = 4;
    rc = mash_store_duty_set(s, 7, 2, 60, 70);
    break;
  case S_DUTY_DONE:
    want[0] = 7, want[1] = 80;
    *n = 2;
    rc = mash_store_duty_done(s, 7, 80);
    break;
  case S_DUTIES_OPEN:
    want[0] = (uintptr_t)s_duty_cb, want[1] = (uintptr_t)P(0);
    *n = 2;
    rc = mash_store_duties_open(s, s_duty_cb, P(0));
    break;
  case S_DUTY_STATS:
    want[0] = 2, want[1] = 90, want[2] = (uintptr_t)P(0);
    *n = 3;
    rc = mash_store_duty_stats(s, 2, 90, P(0));
    break;
  case S_OPS_FIGURES:
    want[0] = 1;
    want[1] = 2;
    want[2] = 3;
    want[3] = 4;
    want[4] = (uintptr_t)P(0);
    *n = 5;
    rc = mash_store_ops_figures(s, 1, 2, 3, 4, P(0));
    break;
  case S_INBOX_REFUSED:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    want[2] = (uintptr_t)P(2);
    want[3] = (uintptr_t)(size_t)207;
    want[4] = (uintptr_t)INT64_C(5000000005);
    want[5] = (uintptr_t)INT64_C(5000000006);
    *n = 6;
    rc = mash_store_inbox_refused(s, P(0), P(1), P(2), (size_t)207, INT64_C(5000000005),
                                  INT64_C(5000000006));
    break;
  case S_ADAPTER_REJECTION_PUT:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    want[2] = (uintptr_t)P(2);
    want[3] = (uintptr_t)P(3);
    want[4] = 5;
    *n = 5;
    rc = mash_store_adapter_rejection_put(s, P(0), P(1), P(2), P(3), 5);
    break;
  case S_ADAPTER_REJECTIONS:
    want[0] = (uintptr_t)s_rejection_cb;
    want[1] = (uintptr_t)P(0);
    *n = 2;
    rc = mash_store_adapter_rejections(s, s_rejection_cb, P(0));
    break;
  default:
    fail();
  }
  return rc;
}

/* ---- tests ---- */

/* The lists above cover the whole vtable: every slot but destroy. */
static void test_every_slot_listed(void **state) {
  (void)state;
  assert_int_equal(sizeof(mash_store_vtable_t), (S_N + 1) * sizeof(void (*)(void)));
}

static void test_every_wrapper_reaches_its_slot(void **state) {
  (void)state;
  recorder_t r = {.base.vt = &RECORDING_VT, .last = -1};
  for (int slot = 0; slot < S_N; slot++) {
    uintptr_t want[MAX_ARGS] = {0};
    size_t n = 0;
    r.hits = 0;
    r.last = -1;
    r.n = (size_t)-1;
    memset(r.args, 0, sizeof r.args);
    int rc = s_call(&r.base, slot, want, &n);
    if (r.last != slot) {
      print_error("mash_store_%s reached slot %d\n", SLOT_NAMES[slot], r.last);
    }
    assert_int_equal(r.hits, 1);
    assert_int_equal(r.last, slot);
    assert_int_equal(rc, -1000 - slot);
    assert_int_equal(r.n, n);
    for (size_t i = 0; i < n; i++) {
      if (r.args[i] != want[i]) {
        print_error("mash_store_%s: argument %zu changed\n", SLOT_NAMES[slot], i + 1);
      }
      assert_true(r.args[i] == want[i]);
    }
  }
  assert_int_equal(r.destroyed, 0);
  mash_store_t *s = &r.base;
  mash_store_destroy(&s);
  assert_null(s);
  assert_int_equal(r.destroyed, 1);
  mash_store_destroy(&s); /* accepts NULL */
  mash_store_destroy(NULL);
  assert_int_equal(r.destroyed, 1);
}

/* The one acknowledgement, mash_store_delivered, reaches the contact's
 * slot for a contact's delivery id (the contact id, without the prefix)
 * and the outbox's for any other message id. */
static void test_delivered_picks_the_slot(void **state) {
  (void)state;
  recorder_t r = {.base.vt = &RECORDING_VT, .last = -1};
  assert_int_equal(mash_store_delivered(&r.base, "deliver-MASH-000007", "hub", 42),
                   -1000 - S_MARK_DELIVERED);
  assert_int_equal(r.last, S_MARK_DELIVERED);
  assert_string_equal((const char *)r.args[0], "MASH-000007");
  assert_int_equal(r.args[2], 42);
  assert_int_equal(mash_store_delivered(&r.base, "0b7e-pack-1", "hub", 43),
                   -1000 - S_OUTBOX_DELIVERED);
  assert_int_equal(r.last, S_OUTBOX_DELIVERED);
  assert_string_equal((const char *)r.args[0], "0b7e-pack-1");
  assert_int_equal(r.hits, 2);
}

/* A fake fills only the slots it needs: the others answer -ENOSYS, and
 * savepoints are optional (0). */
static void test_missing_slots(void **state) {
  (void)state;
  static const mash_store_vtable_t EMPTY_VT = {0};
  mash_store_t empty = {.vt = &EMPTY_VT};
  for (int slot = 0; slot < S_N; slot++) {
    uintptr_t want[MAX_ARGS];
    size_t n = 0;
    int rc = s_call(&empty, slot, want, &n);
    int expected = slot == S_SAVEPOINT || slot == S_RELEASE ? 0 : -ENOSYS;
    if (rc != expected) {
      print_error("mash_store_%s on an empty vtable: %d\n", SLOT_NAMES[slot], rc);
    }
    assert_int_equal(rc, expected);
  }
  mash_store_t *s = &empty;
  mash_store_destroy(&s); /* no destroy slot: nothing to call */
  assert_null(s);
}

/* ---- the SQLite store ---- */

typedef struct fixture {
  char dir[64];
  char key[128];
  char db[128];
  mash_seal_t *seal;
} fixture_t;

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-wrappers-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  snprintf(f->key, sizeof f->key, "%s/data.key", f->dir);
  snprintf(f->db, sizeof f->db, "%s/mash.db", f->dir);
  char err[256];
  f->seal = mash_seal_new(f->key, 1, err, sizeof err);
  assert_non_null(f->seal);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  mash_seal_destroy(&f->seal);
  assert_int_equal(test_dir_remove(f->dir), 0);
  free(f);
  return 0;
}

static mash_store_t *s_open(fixture_t *f) {
  char err[256] = "";
  mash_store_t *s = mash_store_sqlite_new(f->db, f->seal, err, sizeof err);
  if (!s) {
    print_error("open: %s\n", err);
  }
  assert_non_null(s);
  return s;
}

/* Every slot of the read-write SQLite store is filled in (but destroy,
 * which the wrappers test above reaches). */
static void test_sqlite_fills_every_slot(void **state) {
  fixture_t *f = *state;
  mash_store_t *s = s_open(f);
  const mash_store_vtable_t *vt = s->vt;
  typedef void (*fn_t)(void);
  const fn_t *slots = (const fn_t *)(const void *)vt;
  for (int i = 0; i <= S_N; i++) {
    if (!slots[i]) {
      print_error("the SQLite store leaves slot %d (%s) empty\n", i,
                  i < S_N ? SLOT_NAMES[i] : "destroy");
    }
    assert_non_null(slots[i]);
  }
  mash_store_destroy(&s);
}

static int s_int_cb(const char *name, int64_t n, void *arg) {
  char *out = arg;
  size_t len = strlen(out);
  snprintf(out + len, 256 - len, "%s=%lld;", name, (long long)n);
  return 0;
}

static int s_level_text_cb(unsigned level, int64_t n, void *arg) {
  char *out = arg;
  size_t len = strlen(out);
  snprintf(out + len, 256 - len, "L%u=%lld;", level, (long long)n);
  return 0;
}

static int s_reply_text_cb(const mash_store_reply_stats_t *r, void *arg) {
  char *out = arg;
  size_t len = strlen(out);
  snprintf(out + len, 256 - len, "%s/%d asked=%lld n=%lld p50=%lld;", r->agency, r->rag,
           (long long)r->asked, (long long)r->answered.n, (long long)r->answered.p50_ms);
  return 0;
}

static int s_outbox_count_cb(const char *mid, const char *target, const uint8_t *frame, size_t len,
                             void *arg) {
  (void)target;
  assert_string_equal(mid, "out-1");
  assert_int_equal(len, 5);
  assert_memory_equal(frame, "frame", 5);
  (*(int *)arg)++;
  return 0;
}

static int s_intake(mash_store_t *s, const char *mid, int da, int dash_complete, const char *flags,
                    int64_t at, char id[MASH_CONTACT_ID_LEN]) {
  mash_intake_t in = {.principal = da ? "police" : "health",
                      .message_id = mid,
                      .received_at_ms = at,
                      .contact = (const uint8_t *)"contact",
                      .contact_len = 7,
                      .domestic_abuse = da,
                      .dash_present = da,
                      .dash_complete = dash_complete,
                      .quality_flags = flags};
  int rc = mash_store_intake(s, &in);
  memcpy(id, in.contact_id, MASH_CONTACT_ID_LEN);
  return rc;
}

/* The wrappers reach the real tables: contacts, an enquiry with requests
 * and an escalation, the outbox and the inbox; the statistics then read
 * them back, through a read-only store that writes nothing and offers
 * nothing else. */
static void test_sqlite_round_trip_and_statistics(void **state) {
  fixture_t *f = *state;
  mash_store_t *s = s_open(f);
  const int64_t t0 = 1700000000000;
  const int64_t min = 60000;
  char c1[MASH_CONTACT_ID_LEN], c2[MASH_CONTACT_ID_LEN], c3[MASH_CONTACT_ID_LEN];
  assert_int_equal(mash_store_begin(s), 0);
  assert_int_equal(s_intake(s, "m1", 1, 1, "grade_below_checklist", t0, c1), 0);
  assert_int_equal(s_intake(s, "m2", 1, 0, "dash_missing,no_officer_in_case", t0 + min, c2), 0);
  assert_int_equal(s_intake(s, "m3", 0, 0, "dash_missing", t0 + 2 * min, c3), 0);
  assert_int_equal(mash_store_contact_set_state(s, c1, MASH_CONTACT_ENQUIRING, t0 + 10 * min, 0),
                   0);
  mash_contact_row_t row;
  assert_int_equal(mash_store_contact_get(s, c1, &row), 0);
  assert_int_equal(row.state, MASH_CONTACT_ENQUIRING);
  assert_int_equal(row.len, 7);
  lib_free(row.blob);
  char found[MASH_CONTACT_ID_LEN];
  assert_int_equal(mash_store_contact_find(s, "health", "m3", found), 0);
  assert_string_equal(found, c3);

  char enq[MASH_ITEM_ID_LEN], r1[MASH_ITEM_ID_LEN], r2[MASH_ITEM_ID_LEN];
  assert_int_equal(
      mash_store_enquiry_insert(s, c1, 1, 1, t0 + 10 * min, (const uint8_t *)"d", 1, enq), 0);
  char of[MASH_ITEM_ID_LEN];
  assert_int_equal(mash_store_enquiry_of_contact(s, c1, of), 0);
  assert_string_equal(of, enq);
  assert_int_equal(mash_store_request_insert(s, enq, "health", 1, t0 + 10 * min, t0 + 20 * min, r1),
                   0);
  assert_int_equal(mash_store_request_insert(s, enq, "police", 1, t0 + 10 * min, t0 + 30 * min, r2),
                   0);
  assert_int_equal(mash_store_request_answer(s, r1, t0 + 14 * min, (const uint8_t *)"a", 1), 0);
  assert_int_equal(mash_store_request_answer(s, r1, t0 + 15 * min, (const uint8_t *)"b", 1),
                   -EEXIST);
  assert_int_equal(
      mash_store_escalation_insert(s, "esc-1", enq, r2, 1, t0 + 40 * min, (const uint8_t *)"e", 1),
      0);
  assert_int_equal(
      mash_store_escalation_insert(s, "esc-1", enq, r2, 1, t0 + 40 * min, (const uint8_t *)"e", 1),
      -EEXIST);
  assert_int_equal(
      mash_store_escalation_insert(s, "esc-2", enq, r2, 2, t0 + 41 * min, (const uint8_t *)"ev", 2),
      0);
  /* Sequence numbers in the order stored; the mark only rises. */
  char steps[256] = "";
  assert_int_equal(mash_store_escalations_after(s, 0, 0, s_step_cb, steps), 0);
  assert_string_equal(steps, "1:esc-1:1;2:esc-2:2;");
  steps[0] = '\0';
  assert_int_equal(mash_store_escalations_after(s, 1, 5, s_step_cb, steps), 0);
  assert_string_equal(steps, "2:esc-2:2;");
  steps[0] = '\0';
  assert_int_equal(mash_store_escalations_after(s, 0, 1, s_step_cb, steps), 0);
  assert_string_equal(steps, "1:esc-1:1;");
  assert_int_equal(mash_store_esclog_mark(s, 2), 0);
  assert_int_equal(mash_store_esclog_mark(s, 1), 0);
  mash_store_esclog_state_t es;
  assert_int_equal(mash_store_esclog_state(s, &es), 0);
  assert_int_equal(es.steps, 2);
  assert_int_equal(es.last_seq, 2);
  assert_int_equal(es.appended_seq, 2);
  assert_int_equal(es.legacy_seq, 0);
  assert_int_equal(
      mash_store_outbox_insert(s, "out-1", "@hub", (const uint8_t *)"frame", 5, t0 + 40 * min), 0);
  int pending = 0;
  assert_int_equal(mash_store_outbox_pending(s, s_outbox_count_cb, &pending), 0);
  assert_int_equal(pending, 1);
  assert_int_equal(mash_store_inbox_put(s, "hub", "req-1", (const uint8_t *)"ok", 2, t0), 0);
  uint8_t *res = NULL;
  size_t res_len = 0;
  assert_int_equal(mash_store_inbox_get(s, "hub", "req-1", &res, &res_len), 1);
  assert_int_equal(res_len, 2);
  lib_free(res);
  /* Refusals are kept for a retention period only (issue 13): a refusal
   * stored before the cut is deleted by the next one; an accepted answer,
   * however old, never is. */
  assert_int_equal(mash_store_inbox_refused(s, "hub", "bad-1", (const uint8_t *)"no", 2, t0, 0), 0);
  assert_int_equal(mash_store_inbox_get(s, "hub", "bad-1", &res, &res_len), 1);
  lib_free(res);
  assert_int_equal(mash_store_inbox_refused(s, "hub", "bad-2", (const uint8_t *)"no", 2,
                                            t0 + 8 * 1440 * min, t0 + 1),
                   0);
  assert_int_equal(mash_store_inbox_get(s, "hub", "bad-1", &res, &res_len), 0);
  assert_int_equal(mash_store_inbox_get(s, "hub", "bad-2", &res, &res_len), 1);
  lib_free(res);
  assert_int_equal(mash_store_inbox_get(s, "hub", "req-1", &res, &res_len), 1);
  lib_free(res);
  int64_t latest = 0;
  assert_int_equal(mash_store_latest_instant(s, &latest), 0);
  assert_true(latest == t0 + 41 * min);
  assert_int_equal(mash_store_commit(s), 0);

  /* The same figures from the read-write store and from a read-only one. */
  const int64_t now = t0 + 25 * min; /* before police's request falls due (+30) */
  mash_store_stats_t rw;
  assert_int_equal(mash_store_stats_summary(s, now, &rw), 0);
  mash_store_destroy(&s);

  char err[256] = "";
  mash_store_t *ro = mash_store_sqlite_open_readonly(f->db, err, sizeof err);
  if (!ro) {
    print_error("read-only: %s\n", err);
  }
  assert_non_null(ro);
  mash_store_stats_t t;
  assert_int_equal(mash_store_stats_summary(ro, t0 + 35 * min, &t), 0);
  assert_int_equal(t.contacts, 3);
  assert_int_equal(t.time_to_screen.n, 1);
  assert_true(t.time_to_screen.p50_ms == 10 * min);
  assert_int_equal(t.time_to_pack.n, 0);
  assert_int_equal(t.time_to_decision.n, 0);
  assert_int_equal(t.open_enquiries, 1);
  assert_int_equal(t.overdue_requests, 1); /* police, due at +30, at +35 */
  assert_int_equal(rw.overdue_requests, 0);
  assert_int_equal(t.domestic_abuse, 2);
  assert_int_equal(t.dash_complete, 1);
  assert_int_equal(t.enquiries, 1);
  assert_int_equal(t.consent_recorded, 1);
  assert_int_equal(t.resolution_backlog, 0);
  assert_int_equal(t.possible_match_backlog, 0);
  assert_string_equal(t.oldest_open_id, c1);
  assert_true(t.oldest_open_received_at_ms == t0);
  char text[256] = "";
  assert_int_equal(mash_store_stats_sources(ro, s_int_cb, text), 0);
  assert_string_equal(text, "health=1;police=2;");
  text[0] = '\0';
  assert_int_equal(mash_store_stats_quality_flags(ro, s_int_cb, text), 0);
  assert_string_equal(text, "grade_below_checklist=1;dash_missing=2;no_officer_in_case=1;");
  text[0] = '\0';
  assert_int_equal(mash_store_stats_escalation_levels(ro, s_level_text_cb, text), 0);
  assert_string_equal(text, "L1=1;L2=1;");
  /* The escalation log's reads work read-only (mashctl verify). */
  char ro_steps[256] = "";
  assert_int_equal(mash_store_escalations_after(ro, 0, 0, s_step_cb, ro_steps), 0);
  assert_string_equal(ro_steps, "1:esc-1:1;2:esc-2:2;");
  mash_store_esclog_state_t ro_es;
  assert_int_equal(mash_store_esclog_state(ro, &ro_es), 0);
  assert_int_equal(ro_es.appended_seq, 2);
  assert_int_equal(mash_store_esclog_mark(ro, 3), -ENOSYS);
  text[0] = '\0';
  assert_int_equal(mash_store_stats_replies(ro, s_reply_text_cb, text), 0);
  assert_string_equal(text, "health/1 asked=1 n=1 p50=240000;police/1 asked=1 n=0 p50=0;");

  /* Statistics only: everything else is refused, nothing is written. */
  mash_intake_t in = {.principal = "police", .message_id = "m9"};
  assert_int_equal(mash_store_intake(ro, &in), -ENOSYS);
  assert_int_equal(mash_store_begin(ro), -ENOSYS);
  int64_t n = 0;
  assert_int_equal(mash_store_count_contacts(ro, &n), -ENOSYS);
  mash_store_destroy(&ro);
  s = s_open(f);
  assert_int_equal(mash_store_count_contacts(s, &n), 0);
  assert_int_equal(n, 3);
  mash_store_destroy(&s);
}

/* Nearest-rank percentiles over more samples: 1..10 minutes to screen. */
static void test_sqlite_percentiles(void **state) {
  fixture_t *f = *state;
  mash_store_t *s = s_open(f);
  const int64_t t0 = 1700000000000;
  assert_int_equal(mash_store_begin(s), 0);
  for (int i = 1; i <= 10; i++) {
    char mid[16], id[MASH_CONTACT_ID_LEN];
    snprintf(mid, sizeof mid, "m%d", i);
    assert_int_equal(s_intake(s, mid, 0, 0, NULL, t0, id), 0);
    /* Out of order, so the store must sort. */
    int64_t minutes = (i * 7) % 10 + 1;
    assert_int_equal(
        mash_store_contact_set_state(s, id, MASH_CONTACT_SCREENED, t0 + minutes * 60000, 0), 0);
  }
  assert_int_equal(mash_store_commit(s), 0);
  mash_store_stats_t t;
  assert_int_equal(mash_store_stats_summary(s, t0, &t), 0);
  assert_int_equal(t.time_to_screen.n, 10);
  assert_true(t.time_to_screen.p50_ms == 5 * 60000); /* rank 5 of 10 */
  assert_true(t.time_to_screen.p90_ms == 9 * 60000); /* rank 9 of 10 */
  mash_store_destroy(&s);
}

static void test_readonly_refuses_other_versions(void **state) {
  fixture_t *f = *state;
  char err[256] = "";
  /* Absent: not created. */
  assert_null(mash_store_sqlite_open_readonly(f->db, err, sizeof err));
  assert_non_null(strstr(err, "cannot open"));
  assert_int_equal(access(f->db, F_OK), -1);
  /* Empty (version 0): not a store of this version. */
  FILE *fp = fopen(f->db, "w");
  assert_non_null(fp);
  fclose(fp);
  err[0] = '\0';
  assert_null(mash_store_sqlite_open_readonly(f->db, err, sizeof err));
  assert_non_null(strstr(err, "not a mash store of this version"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_slot_listed),
      cmocka_unit_test(test_every_wrapper_reaches_its_slot),
      cmocka_unit_test(test_delivered_picks_the_slot),
      cmocka_unit_test(test_missing_slots),
      cmocka_unit_test_setup_teardown(test_sqlite_fills_every_slot, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sqlite_round_trip_and_statistics, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sqlite_percentiles, setup, teardown),
      cmocka_unit_test_setup_teardown(test_readonly_refuses_other_versions, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
