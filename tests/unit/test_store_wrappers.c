/* test_store_wrappers: the store interface's wrappers (store.c). A
 * recording fake (store_fake.c) fills every slot: each wrapper must reach
 * the slot of its own name with its arguments unchanged and return what the
 * slot returned; a slot left NULL answers -ENOSYS. The SQLite store's slots
 * are test_store_wrappers_sqlite's. Must not: call a store's slots
 * directly (that is what the wrappers are for). */
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
#include "store_fake.h"

#define UNIT_TESTING 1
#include <cmocka.h>

/* Distinct, aligned addresses passed as pointer arguments (never read). */
static max_align_t s_pool[MAX_ARGS];
#define P(k) ((void *)&s_pool[k])

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

static int s_pending_cb(const char *other_id, int other_is_candidate, void *arg) {
  (void)other_id;
  (void)other_is_candidate;
  (void)arg;
  return 0;
}

static int s_duty_cb(uint64_t duty, int64_t next_at_ms, void *arg) {
  (void)duty, (void)next_at_ms, (void)arg;
  return 0;
}

static int s_rejection_cb(const char *principal, const char *fields, void *arg) {
  (void)principal, (void)fields, (void)arg;
  return 0;
}

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
  case S_CONTACT_CLAIM:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    *n = 2;
    rc = mash_store_contact_claim(s, P(0), P(1));
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
  case S_PERSON_WARM:
    want[0] = (uintptr_t)P(0);
    *n = 1;
    rc = mash_store_person_warm(s, P(0));
    break;
  case S_TXN_OPEN:
    *n = 0;
    rc = mash_store_txn_open(s);
    break;
  case S_PERSON_CACHE:
    want[0] = (uintptr_t)P(0);
    *n = 1;
    rc = mash_store_person_cache(s, P(0));
    break;
  case S_PERSON_SUMMARISE:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)P(1);
    want[2] = (uintptr_t)(size_t)205;
    *n = 3;
    rc = mash_store_person_summarise(s, P(0), P(1), (size_t)205);
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
  case S_PERSON_EACH:
    want[0] = (uintptr_t)P(0);
    want[1] = (uintptr_t)(size_t)204;
    want[2] = (uintptr_t)s_person_cb;
    want[3] = (uintptr_t)P(1);
    *n = 4;
    rc = mash_store_person_each(s, P(0), (size_t)204, s_person_cb, P(1));
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
  case S_DUTY_CLAIM:
    want[0] = 8, want[1] = (uintptr_t)P(0);
    *n = 2;
    rc = mash_store_duty_claim(s, 8, P(0));
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

/* A fake fills only the slots it needs: the others answer -ENOSYS,
 * savepoints are optional (0), and its transaction is taken as open (1). */
static void test_missing_slots(void **state) {
  (void)state;
  static const mash_store_vtable_t EMPTY_VT = {0};
  mash_store_t empty = {.vt = &EMPTY_VT};
  for (int slot = 0; slot < S_N; slot++) {
    uintptr_t want[MAX_ARGS];
    size_t n = 0;
    int rc = s_call(&empty, slot, want, &n);
    int expected = slot == S_SAVEPOINT || slot == S_RELEASE ? 0 : slot == S_TXN_OPEN ? 1 : -ENOSYS;
    if (rc != expected) {
      print_error("mash_store_%s on an empty vtable: %d\n", SLOT_NAMES[slot], rc);
    }
    assert_int_equal(rc, expected);
  }
  mash_store_t *s = &empty;
  mash_store_destroy(&s); /* no destroy slot: nothing to call */
  assert_null(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_slot_listed),
      cmocka_unit_test(test_every_wrapper_reaches_its_slot),
      cmocka_unit_test(test_delivered_picks_the_slot),
      cmocka_unit_test(test_missing_slots),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
