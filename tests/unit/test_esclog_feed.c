/* test_esclog_feed: the escalation log appended from the store on its own
 * thread (broker/store/esclog_feed.h), and the log checked against the
 * store (esclog_audit.h). A real SQLite store and a real log file.
 *
 * The feed appends every stored step once, in chunks, each line with its
 * sequence number; a new feed over the same log appends only what is
 * missing (a crash between commit and append); a failing log backs off
 * (a bounded number of attempts, not a spin) and catches up by itself when
 * the fault clears. The audit names what is missing, doubled, unstored or
 * renamed, a log cut or deleted below the store's mark, and counts steps
 * not yet appended. Must not: leave files behind.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "esclog.h"
#include "esclog_audit.h"
#include "esclog_feed.h"
#include "seal.h"
#include "store.h"

#include <cmocka.h>

typedef struct fixture {
  char dir[64];
  char db[128];
  char log[128];
  char flag[128];
  mash_seal_t *seal;
  mash_store_t *store;
  mash_esclog_feed_t *feed;
} fixture_t;

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-feed-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  char path[128], err[256];
  snprintf(path, sizeof path, "%s/data.key", f->dir);
  f->seal = mash_seal_new(path, 1, err, sizeof err);
  assert_non_null(f->seal);
  snprintf(f->db, sizeof f->db, "%s/mashd.db", f->dir);
  f->store = mash_store_sqlite_new(f->db, f->seal, err, sizeof err);
  assert_non_null(f->store);
  snprintf(f->log, sizeof f->log, "%s/escalations.log", f->dir);
  snprintf(f->flag, sizeof f->flag, "%s/disk-full", f->dir);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  mash_esclog_feed_destroy(&f->feed);
  mash_store_destroy(&f->store);
  mash_seal_destroy(&f->seal);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  assert_int_equal(system(cmd), 0);
  free(f);
  return 0;
}

/* Store steps from..to (1-based) in one transaction, as duty.c does. */
static void s_store_steps(fixture_t *f, int from, int to) {
  assert_int_equal(mash_store_begin(f->store), 0);
  for (int i = from; i <= to; i++) {
    char id[32];
    snprintf(id, sizeof id, "REQ-%06d-L1", i);
    char *parties[] = {"agency_duty_lead", "hub_team_manager"};
    Mash__V1__EscalationEvent ev = MASH__V1__ESCALATION_EVENT__INIT;
    ev.escalation_id = id;
    ev.enquiry_id = "ENQ-000001";
    ev.request_id = "REQ-000001";
    ev.contact_id = "MASH-000001";
    ev.agency = "police";
    ev.level = 1;
    ev.step = "overdue";
    ev.n_parties = 2;
    ev.parties = parties;
    ev.due_at_ms = 1000 + i;
    ev.at_ms = 2000 + i;
    uint8_t buf[512];
    size_t len = mash__v1__escalation_event__pack(&ev, buf);
    assert_int_equal(mash_store_escalation_insert(f->store, id, "ENQ-000001", "REQ-000001", 1,
                                                  2000 + i, buf, len),
                     0);
  }
  assert_int_equal(mash_store_commit(f->store), 0);
}

static void s_start(fixture_t *f, size_t chunk, int retry_ms) {
  char err[256];
  mash_esclog_t *log = mash_esclog_open(f->log, err, sizeof err);
  if (!log) {
    print_error("open: %s\n", err);
  }
  assert_non_null(log);
  mash_esclog_feed_config_t fc = {.log_path = f->log,
                                  .db_path = f->db,
                                  .chunk = chunk,
                                  .poll_ms = 60000, /* only kicks and backoff wake it */
                                  .retry = {.base_ms = retry_ms, .max_ms = retry_ms * 4}};
  f->feed = mash_esclog_feed_new(&log, &fc);
  assert_non_null(f->feed);
  assert_null(log);
}

static void s_sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static long s_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Poll (bounded) until the feed is durable up to seq. */
static void s_wait_durable(fixture_t *f, uint64_t seq) {
  for (int i = 0; i < 2000 && mash_esclog_feed_durable_seq(f->feed) < seq; i++) {
    s_sleep_ms(5);
  }
  assert_int_equal(mash_esclog_feed_durable_seq(f->feed), seq);
}

static size_t s_lines(const char *path) {
  FILE *fp = fopen(path, "r");
  if (!fp) {
    return 0;
  }
  size_t n = 0;
  int ch;
  while ((ch = fgetc(fp)) != EOF) {
    n += ch == '\n';
  }
  fclose(fp);
  return n;
}

static void s_audit_ok(fixture_t *f, size_t lines, uint64_t pending) {
  char err[512] = "";
  size_t bad = 0;
  assert_int_equal(mash_esclog_verify(f->log, &bad, err, sizeof err), 0);
  mash_esclog_audit_t a;
  int rc = mash_esclog_audit(f->log, f->store, &a, err, sizeof err);
  if (rc != 0) {
    print_error("audit: %s\n", err);
  }
  assert_int_equal(rc, 0);
  assert_int_equal(a.lines, lines);
  assert_int_equal(a.matched, lines);
  assert_int_equal(a.pending, pending);
}

/* Every stored step once, in chunks, each line with its seq. */
static void test_appends_from_store(void **state) {
  fixture_t *f = *state;
  s_store_steps(f, 1, 250);
  s_start(f, 100, 50);
  s_wait_durable(f, 250);
  mash_esclog_feed_stats_t st;
  mash_esclog_feed_get_stats(f->feed, &st);
  assert_int_equal(st.appended, 250);
  assert_int_equal(st.failures, 0);
  assert_int_equal(s_lines(f->log), 250);
  s_audit_ok(f, 250, 0);
  /* More after a kick; nothing twice. */
  s_store_steps(f, 251, 260);
  mash_esclog_feed_kick(f->feed);
  s_wait_durable(f, 260);
  assert_int_equal(s_lines(f->log), 260);
  s_audit_ok(f, 260, 0);
  /* The last line is step 260, under its own id. */
  mash_esclog_feed_destroy(&f->feed);
  char err[256];
  mash_esclog_t *log = mash_esclog_open(f->log, err, sizeof err);
  assert_non_null(log);
  assert_int_equal(mash_esclog_last_seq(log), 260);
  mash_esclog_close(&log);
}

/* A crash between commit and append: steps stored, the feed gone. A new
 * feed appends exactly the missing ones. */
static void test_new_feed_appends_missing_once(void **state) {
  fixture_t *f = *state;
  s_store_steps(f, 1, 50);
  s_start(f, 0, 50);
  s_wait_durable(f, 50);
  mash_esclog_feed_destroy(&f->feed);
  s_store_steps(f, 51, 80);
  char err[512];
  mash_esclog_audit_t a;
  assert_int_equal(mash_esclog_audit(f->log, f->store, &a, err, sizeof err), 0);
  assert_int_equal(a.pending, 30); /* stored, not yet appended: not a fault */
  s_start(f, 0, 50);
  s_wait_durable(f, 80);
  assert_int_equal(s_lines(f->log), 80);
  s_audit_ok(f, 80, 0);
  /* The same again: nothing to add. */
  mash_esclog_feed_destroy(&f->feed);
  s_start(f, 0, 50);
  mash_esclog_feed_kick(f->feed);
  s_wait_durable(f, 80);
  mash_esclog_feed_stats_t st;
  mash_esclog_feed_get_stats(f->feed, &st);
  assert_int_equal(st.appended, 0);
  assert_int_equal(s_lines(f->log), 80);
}

/* A failing log: backoff, not a spin; caught up when the fault clears. */
static void test_failing_log_backs_off_and_recovers(void **state) {
  fixture_t *f = *state;
  setenv("MASH_FAULT_ESCLOG_FAIL", f->flag, 1);
  s_store_steps(f, 1, 5);
  s_start(f, 0, 20); /* backoff 20 ms doubling to 80 ms */
  s_wait_durable(f, 5);
  FILE *fp = fopen(f->flag, "w");
  assert_non_null(fp);
  fclose(fp);
  s_store_steps(f, 6, 40);
  mash_esclog_feed_kick(f->feed);
  mash_esclog_feed_stats_t st = {0};
  for (int i = 0; i < 400 && st.failures < 3; i++) {
    s_sleep_ms(5);
    mash_esclog_feed_get_stats(f->feed, &st);
  }
  assert_true(st.failures >= 3);
  assert_int_equal(st.failing, 1);
  assert_int_equal(mash_esclog_feed_durable_seq(f->feed), 5);
  /* Kicks do not cut the backoff short: once it has reached 80 ms, at most
   * one attempt per 80 ms of the time that really passed (a loaded
   * machine stretches the sleeps), not thousands. */
  uint64_t before = st.failures;
  long t0 = s_now_ms();
  for (int i = 0; i < 40; i++) {
    mash_esclog_feed_kick(f->feed);
    s_sleep_ms(10);
  }
  mash_esclog_feed_get_stats(f->feed, &st);
  long elapsed = s_now_ms() - t0;
  assert_true(st.failures - before <= (uint64_t)(elapsed / 80 + 2));
  assert_true(st.failures - before >= 2);
  unlink(f->flag);
  s_wait_durable(f, 40);
  mash_esclog_feed_get_stats(f->feed, &st);
  assert_int_equal(st.failing, 0);
  /* What was written and not synced when the fault hit was cut at reopen
   * and appended again: each step once. */
  assert_int_equal(s_lines(f->log), 40);
  s_audit_ok(f, 40, 0);
  unsetenv("MASH_FAULT_ESCLOG_FAIL");
}

/* Rewrite the log keeping lines for which keep(i) (1-based) is true, with
 * `extra` appended; the chain is not the point here (verify has its own
 * tests): the audit reads the content. */
static void s_rewrite(fixture_t *f, int drop, int dup, const char *extra, size_t cut) {
  FILE *in = fopen(f->log, "r");
  assert_non_null(in);
  char out_path[160];
  snprintf(out_path, sizeof out_path, "%s.new", f->log);
  FILE *out = fopen(out_path, "w");
  assert_non_null(out);
  char line[2048];
  size_t n = s_lines(f->log), i = 0;
  while (fgets(line, sizeof line, in)) {
    i++;
    if (i > n - cut) {
      break;
    }
    if ((int)i != drop) {
      fputs(line, out);
    }
    if ((int)i == dup) {
      fputs(line, out);
    }
  }
  if (extra) {
    fputs(extra, out);
  }
  fclose(in);
  fclose(out);
  assert_int_equal(rename(out_path, f->log), 0);
}

static void s_audit_broken(fixture_t *f, const char *want) {
  char err[512] = "";
  mash_esclog_audit_t a;
  assert_int_equal(mash_esclog_audit(f->log, f->store, &a, err, sizeof err), 1);
  if (!strstr(err, want)) {
    print_error("audit said: %s (want %s)\n", err, want);
  }
  assert_non_null(strstr(err, want));
}

static void s_fresh_log(fixture_t *f) {
  mash_esclog_feed_destroy(&f->feed);
  unlink(f->log);
  char head[160];
  snprintf(head, sizeof head, "%s.head", f->log);
  unlink(head);
  s_start(f, 0, 50);
  s_wait_durable(f, 10);
  mash_esclog_feed_destroy(&f->feed);
}

static void test_audit_names_each_fault(void **state) {
  fixture_t *f = *state;
  s_store_steps(f, 1, 10);
  s_fresh_log(f);
  s_rewrite(f, 5, 0, NULL, 0);
  s_audit_broken(f, "step 5 (REQ-000005-L1) is stored but missing from the log");
  s_fresh_log(f);
  s_rewrite(f, 0, 3, NULL, 0);
  s_audit_broken(f, "line 4: step 3 comes again");
  s_fresh_log(f);
  s_rewrite(f, 0, 0, "{\"escalation_id\":\"X\",\"seq\":99}\n", 0);
  s_audit_broken(f, "line 11: step 99 (X) is not a stored step");
  s_fresh_log(f);
  s_rewrite(f, 10, 0, "{\"escalation_id\":\"REQ-000009-L2\",\"seq\":10}\n", 0);
  s_audit_broken(f, "step 10 names REQ-000009-L2 but the store's step 10 is REQ-000010-L1");
  /* Cut at the end: fine while the store has not seen those lines durable
   * (they count as not yet appended); a fault once it has. */
  s_fresh_log(f);
  s_rewrite(f, 0, 0, NULL, 3);
  char err[512] = "";
  mash_esclog_audit_t a;
  assert_int_equal(mash_esclog_audit(f->log, f->store, &a, err, sizeof err), 0);
  assert_int_equal(a.matched, 7);
  assert_int_equal(a.pending, 3);
  assert_int_equal(mash_store_esclog_mark(f->store, 10), 0);
  s_audit_broken(f, "ends at step 7, but the store records it durable up to step 10");
  /* Deleted with its head file. */
  unlink(f->log);
  s_audit_broken(f, "does not exist, but the store records the log durable up to step 10");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_appends_from_store, setup, teardown),
      cmocka_unit_test_setup_teardown(test_new_feed_appends_missing_once, setup, teardown),
      cmocka_unit_test_setup_teardown(test_failing_log_backs_off_and_recovers, setup, teardown),
      cmocka_unit_test_setup_teardown(test_audit_names_each_fault, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
