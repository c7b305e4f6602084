/* test_store_wrappers_sqlite: the SQLite store behind the wrappers. The
 * store (read-write and read-only) must fill the slots it offers, and a
 * round trip through the wrappers must reach the real tables, statistics
 * included. Must not: call a store's slots directly (that is what the
 * wrappers are for), except to prove they are filled in; leave files. */
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

/* Allocated by the library, released with the real free before cmocka
 * redefines it. */
static void lib_free(void *p) {
  free(p);
}

#define UNIT_TESTING 1
#include <cmocka.h>

static int s_step_cb(uint64_t seq, const char *escalation_id, const uint8_t *event, size_t len,
                     void *arg) {
  char *text = arg;
  size_t off = strlen(text);
  snprintf(text + off, 256 - off, "%llu:%s:%zu;", (unsigned long long)seq, escalation_id, len);
  (void)event;
  return 0;
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
 * which test_store_wrappers reaches). */
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
      cmocka_unit_test_setup_teardown(test_sqlite_fills_every_slot, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sqlite_round_trip_and_statistics, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sqlite_percentiles, setup, teardown),
      cmocka_unit_test_setup_teardown(test_readonly_refuses_other_versions, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
