/* test_duty: the timed duties' transactions (broker/txn/duty.c) on a real
 * SQLite store, or PostgreSQL (MASH_TEST_STORE, store_fixture.h), with a fake clock (the `now`
 * given to each transaction): a screening duty's first instant is its reminder; nothing fires
 * before it; after an outage every step due fires once, in order, and the same call again fires
 * nothing; the last step repeats; a closed duty fires nothing and leaves the timetable; a blue
 * request never fires; the decision window counts working time; the open-duty index lists only open
 * duties; statistics count on-time closes. Escalation log lines are
 * written once per step and the chain verifies.
 * Must not: touch the network or the wall clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test_dir.h"
#include "enquiry.h"
#include "esclog.h"
#include "esclog_audit.h"
#include "esclog_feed.h"
#include "ladder.h"
#include "seal.h"
#include "store.h"
#include "store_fixture.h"
#include "txn_int.h"

#define UNIT_TESTING 1
#include <cmocka.h>

#define MIN_MS (60LL * 1000)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)
#define T0 1772442000000LL /* 2026-03-02T09:00:00Z, a Monday */

typedef struct fixture {
  char dir[64];
  mash_seal_t *seal;
  mash_store_t *store;
  mash_esclog_feed_t *feed;
  mash_calendar_t *cal;
  mash_deadline_policy_t policy;
  mash_enquiry_env_t env;
} fixture_t;

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-duty-XXXXXX");
  char err[256];
  if (store_fixture_start(f->dir, &f->seal, &f->store, err, sizeof err) != 0) {
    fail_msg("%s", err);
  }
  char log_path[128];
  snprintf(log_path, sizeof log_path, "%s/escalations.log", f->dir);
  mash_esclog_t *log = mash_esclog_open(log_path, err, sizeof err);
  assert_non_null(log);
  mash_esclog_feed_config_t fc = {.log_path = log_path, .store = f->store, .poll_ms = 50};
  f->feed = mash_esclog_feed_new(&log, &fc);
  assert_non_null(f->feed);
  assert_null(log);
  f->cal = mash_calendar_new("UTC0", "mon-fri 09:00-17:00", "", err, sizeof err);
  assert_non_null(f->cal);
  mash_deadline_policy_default(&f->policy);
  f->env = (mash_enquiry_env_t){.policy = &f->policy,
                                .calendar = f->cal,
                                .ladder = mash_ladder_default(),
                                .screening_ladder = mash_ladder_default_hub(),
                                .decision_ladder = mash_ladder_default_hub(),
                                .esclog_feed = f->feed};
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  mash_esclog_feed_destroy(&f->feed);
  mash_store_destroy(&f->store);
  mash_seal_destroy(&f->seal);
  mash_calendar_destroy(&f->cal);
  assert_int_equal(test_dir_remove(f->dir), 0);
  free(f);
  return 0;
}

/* The lines the escalation log's thread has appended, once it has caught
 * up with every committed step (polled, with a bound). */
static uint64_t s_logged(fixture_t *f) {
  mash_store_esclog_state_t st;
  assert_int_equal(mash_store_esclog_state(f->store, &st), 0);
  mash_esclog_feed_kick(f->feed);
  for (int i = 0; i < 2000 && mash_esclog_feed_durable_seq(f->feed) < st.last_seq; i++) {
    struct timespec ts = {0, 5 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  assert_int_equal(mash_esclog_feed_durable_seq(f->feed), st.last_seq);
  mash_esclog_feed_stats_t fs;
  mash_esclog_feed_get_stats(f->feed, &fs);
  return fs.appended;
}

/* Open a duty in its own transaction; returns its id and first instant. */
static uint64_t s_open(fixture_t *f, int kind, const char *ref, int rag, int64_t start, int64_t due,
                       int64_t *first) {
  mash_tx_t *tx = mash_tx_new(MASH_TX_SCREENING, &f->env, "hub", "m", NULL, 0, start);
  assert_non_null(tx);
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_tx_duty_open(tx, f->store, kind, ref, rag, start, due), 0);
  assert_int_equal(mash_store_commit(f->store), 0);
  mash_duty_row_t row;
  assert_int_equal(mash_store_duty_find(f->store, kind, ref, &row), 0);
  *first = row.next_at_ms;
  if (row.next_at_ms != INT64_MAX) {
    assert_int_equal(tx->n_watch, 1);
    assert_true(tx->watch[0].duty == row.duty);
    assert_int_equal(tx->watch[0].next_at_ms, row.next_at_ms);
  } else {
    assert_int_equal(tx->n_watch, 0);
  }
  mash_tx_destroy(tx);
  return row.duty;
}

/* One ESCALATE transaction for `duty` at `now`: the steps fired, and the
 * instant it was re-armed at (INT64_MAX: not re-armed). */
static size_t s_escalate(fixture_t *f, uint64_t duty, int64_t now, int64_t *rearm) {
  mash_tx_t *tx = mash_tx_new(MASH_TX_ESCALATE, &f->env, "", "", NULL, 0, now);
  assert_non_null(tx);
  tx->due[0] = duty;
  tx->n_due = 1;
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_tx_run(f->store, &tx->op), 0);
  assert_int_equal(mash_store_commit(f->store), 0);
  size_t n = tx->n_escalations;
  *rearm = INT64_MAX;
  for (size_t i = 0; i < tx->n_watch; i++) {
    if (tx->watch[i].duty == duty) {
      *rearm = tx->watch[i].next_at_ms;
    }
  }
  mash_tx_destroy(tx);
  return n;
}

static void test_screening_ladder(void **state) {
  fixture_t *f = *state;
  int64_t window = 4 * HOUR_MS, first, next;
  uint64_t d = s_open(f, MASH_DUTY_SCREENING, "MASH-000001", 0, T0, T0 + window, &first);
  assert_int_equal(first, T0 + window * 3 / 4);
  /* Early (a clock that jumped back): nothing, same instant. */
  assert_int_equal(s_escalate(f, d, first - 1, &next), 0);
  assert_int_equal(next, first);
  /* After an outage past 150%: the three steps at once, in order. */
  int64_t now = T0 + window * 2;
  assert_int_equal(s_escalate(f, d, now, &next), 3);
  /* The last step repeats daily from its instant (150%). */
  assert_int_equal(next, T0 + window * 3 / 2 + DAY_MS);
  assert_int_equal(s_escalate(f, d, now, &next), 0); /* idempotent */
  mash_duty_row_t row;
  assert_int_equal(mash_store_duty_get(f->store, d, &row), 0);
  assert_int_equal(row.level, 3);
  assert_int_equal(row.next_at_ms, next);
  assert_int_equal(s_logged(f), 3);
  /* The repeat fires once however late. */
  assert_int_equal(s_escalate(f, d, next + 3 * DAY_MS, &next), 1);
  assert_int_equal(s_logged(f), 4);
  char err[256];
  size_t bad = 0;
  char path[128];
  snprintf(path, sizeof path, "%s/escalations.log", f->dir);
  assert_int_equal(mash_esclog_verify(path, &bad, err, sizeof err), 0);
  /* The log agrees with the store, and the store saw it durable. */
  mash_esclog_audit_t a;
  assert_int_equal(mash_esclog_audit(path, f->store, &a, err, sizeof err), 0);
  assert_int_equal(a.lines, 4);
  assert_int_equal(a.matched, 4);
  assert_int_equal(a.pending, 0);
}

static void test_closed_duty_leaves(void **state) {
  fixture_t *f = *state;
  int64_t first, next;
  uint64_t d = s_open(f, MASH_DUTY_SCREENING, "MASH-000002", 0, T0, T0 + 4 * HOUR_MS, &first);
  mash_tx_t *tx = mash_tx_new(MASH_TX_SCREENING, &f->env, "hub", "m2", NULL, 0, T0 + HOUR_MS);
  assert_non_null(tx);
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_tx_duty_close(tx, f->store, MASH_DUTY_SCREENING, "MASH-000002"), 0);
  /* Closing twice changes nothing and reports no second removal. */
  assert_int_equal(tx->n_unwatch, 1);
  assert_int_equal(mash_tx_duty_close(tx, f->store, MASH_DUTY_SCREENING, "MASH-000002"), 0);
  assert_int_equal(tx->n_unwatch, 1);
  assert_int_equal(mash_store_commit(f->store), 0);
  assert_true(tx->unwatch[0] == d);
  mash_tx_destroy(tx);
  /* A stale timetable entry firing later: nothing, not re-armed. */
  assert_int_equal(s_escalate(f, d, T0 + DAY_MS, &next), 0);
  assert_int_equal(next, INT64_MAX);
  mash_duty_stats_t st;
  assert_int_equal(mash_store_duty_stats(f->store, MASH_DUTY_SCREENING, T0 + DAY_MS, &st), 0);
  assert_int_equal(st.done, 1);
  assert_int_equal(st.on_time, 1);
  assert_int_equal(st.open, 0);
}

static int s_count_cb(uint64_t duty, int64_t next_at_ms, void *arg) {
  (void)duty;
  assert_true(next_at_ms != INT64_MAX);
  (*(int *)arg)++;
  return 0;
}

static void test_open_index_and_blue(void **state) {
  fixture_t *f = *state;
  int64_t first;
  /* Blue: no reply window, so the request never fires and is not listed. */
  s_open(f, MASH_DUTY_REQUEST, "REQ-000001", 4 /* blue */, T0, 0, &first);
  assert_int_equal(first, INT64_MAX);
  s_open(f, MASH_DUTY_SCREENING, "MASH-000003", 0, T0, T0 + HOUR_MS, &first);
  uint64_t d = s_open(f, MASH_DUTY_SCREENING, "MASH-000004", 0, T0, T0 + HOUR_MS, &first);
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_store_duty_done(f->store, d, T0 + 2 * HOUR_MS), 0);
  assert_int_equal(mash_store_commit(f->store), 0);
  int n = 0;
  assert_int_equal(mash_store_duties_open(f->store, s_count_cb, &n), 0);
  assert_int_equal(n, 1);
  mash_duty_stats_t st;
  assert_int_equal(mash_store_duty_stats(f->store, MASH_DUTY_SCREENING, T0 + 3 * HOUR_MS, &st), 0);
  assert_int_equal(st.done, 1);
  assert_int_equal(st.on_time, 0); /* closed an hour after its due instant */
  assert_int_equal(st.open_late, 1);
}

static void test_decision_working_time(void **state) {
  fixture_t *f = *state;
  /* Screened Monday 16:00: one working day (480 min) is due Tuesday 16:00;
   * the reminder at 75% is Tuesday 14:00 (six working hours later). */
  int64_t start = T0 + 7 * HOUR_MS;
  int64_t due = mash_deadline_decision_due(&f->policy, f->cal, start);
  assert_int_equal(due, start + DAY_MS);
  int64_t first;
  s_open(f, MASH_DUTY_DECISION, "MASH-000005", 0, start, due, &first);
  assert_int_equal(first, start + DAY_MS - 2 * HOUR_MS);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_screening_ladder, setup, teardown),
      cmocka_unit_test_setup_teardown(test_closed_duty_leaves, setup, teardown),
      cmocka_unit_test_setup_teardown(test_open_index_and_blue, setup, teardown),
      cmocka_unit_test_setup_teardown(test_decision_working_time, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
