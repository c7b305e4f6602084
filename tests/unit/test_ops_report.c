/* test_ops_report: the broker's OpsReport (broker/net/ops.h) and the
 * console's reading of it (ops/report.h). Figures and live state go in,
 * the report is packed and unpacked as on the wire, and the console's model
 * must hold the same numbers; refusals are kept per principal with their
 * field paths stripped of indices and bounded; times are on the broker's
 * clock.
 * Must not: need a store or a socket (pure). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNIT_TESTING 1
#include <cmocka.h>

#include "ops.h"
#include "report.h"

static void test_round_trip(void **state) {
  (void)state;
  mash_ops_t *o = mash_ops_new(1000000, 4 * 3600000LL);
  assert_non_null(o);
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  errs.count = 2;
  snprintf(errs.items[0].field, sizeof errs.items[0].field, "notification.children[3].sex");
  snprintf(errs.items[1].field, sizeof errs.items[1].field, "notification.children[12].sex");
  mash_ops_note_rejected(o, "police", &errs);
  errs.count = 1;
  snprintf(errs.items[0].field, sizeof errs.items[0].field, "notification.concern");
  mash_ops_note_rejected(o, "police", &errs);
  /* More distinct fields than are kept: the count still grows. */
  for (int i = 0; i < 20; i++) {
    snprintf(errs.items[0].field, sizeof errs.items[0].field, "f%d", i);
    mash_ops_note_rejected(o, "health", &errs);
  }

  mash_ops_figures_t *f = calloc(1, sizeof *f);
  mash_ops_live_t *live = calloc(1, sizeof *live);
  f->open_count[0] = 3;
  f->open_oldest_ms[0] = 5000000;
  f->open_count[1] = 2;
  f->n_due = 1;
  snprintf(f->due[0].contact_id, sizeof f->due[0].contact_id, "MASH-000004");
  f->due[0].received_at_ms = 6000000;
  f->due[0].due_at_ms = 6000000 + 5 * 3600000LL; /* the duty's deadline (calendar hours) */
  f->n_overdue = 1;
  snprintf(f->overdue[0].agency, sizeof f->overdue[0].agency, "housing");
  f->overdue[0].level = 2;
  f->overdue[0].n = 5;
  f->open_enquiries = 7;
  f->overdue_requests = 5;
  f->contacts = 11;
  f->n_sources = 1;
  snprintf(f->sources[0].name, sizeof f->sources[0].name, "police");
  f->sources[0].n = 11;
  f->levels[1] = 4;
  f->levels[3] = 1;
  f->to_screen.n = 2;
  f->to_screen.p50_ms = 60000;
  f->screened = 10;
  f->screened_in_window = 9;
  f->n_replies = 1;
  snprintf(f->replies[0].agency, sizeof f->replies[0].agency, "health");
  f->replies[0].rag = 2;
  f->replies[0].asked = 4;
  f->replies[0].answered = 3;
  f->replies[0].on_time = 2;
  live->now_ms = 90000000; /* the broker's clock runs ahead of the wall clock */
  live->wall_now_ms = 2000000;
  live->store_ok = 1;
  live->n_clients = 2;
  snprintf(live->clients[0].principal, 64, "police");
  snprintf(live->clients[0].role, 16, "agency");
  live->clients[0].connected = 1;
  live->clients[0].last_seen_ms = 89999000;
  snprintf(live->clients[1].principal, 64, "health");
  snprintf(live->clients[1].role, 16, "agency");
  live->n_counters = 1;
  snprintf(live->counters[0].name, 64, "intake");
  live->counters[0].n = 12;
  live->storage.commit_buckets[0] = 3;
  for (int i = 1; i < MASH_STORAGE_COMMIT_BUCKETS; i++) {
    live->storage.commit_buckets[i] = 8;
  }
  live->storage.commit_sum_us = 4242;

  Mash__V1__OpsReport *r = NULL;
  mash_ops_report_t *h = mash_ops_report_new(o, f, live, 100, 200, &r);
  assert_non_null(h);
  size_t len = mash__v1__ops_report__get_packed_size(r);
  uint8_t *buf = malloc(len);
  mash__v1__ops_report__pack(r, buf);
  mash_ops_report_free(h);
  Mash__V1__OpsReport *back = mash__v1__ops_report__unpack(NULL, len, buf);
  free(buf);
  assert_non_null(back);

  ops_model_t *m = calloc(1, sizeof *m);
  ops_model_from_report(m, back);
  mash__v1__ops_report__free_unpacked(back, NULL);
  assert_true(m->linked);
  assert_true(m->store_ok);
  assert_int_equal(m->now_ms, 90000000);
  assert_int_equal(m->started_at_ms, 90000000 - (2000000 - 1000000)); /* up 1000 s */
  assert_int_equal(m->n_open, 5);
  assert_int_equal(m->open[0].count, 3);
  assert_int_equal(m->open[0].oldest_age_ms, 90000000 - 5000000);
  assert_int_equal(m->open[1].count, 2);
  assert_int_equal(m->awaiting_screening, 3);
  assert_int_equal(m->n_due, 1);
  assert_string_equal(m->due[0].contact_id, "MASH-000004");
  assert_int_equal(m->due[0].due_at_ms,
                   6000000 + 5 * 3600000LL); /* the duty's, not receipt + window */
  assert_string_equal(m->overdue[0].agency, "housing");
  assert_int_equal(m->overdue[0].level, 2);
  assert_int_equal(m->overdue[0].count, 5);
  assert_int_equal(m->from_ms, 100);
  assert_int_equal(m->to_ms, 200);
  assert_int_equal(m->contacts, 11);
  assert_string_equal(m->sources[0].name, "police");
  assert_int_equal(m->n_levels, 2);
  assert_string_equal(m->levels[0].name, "1");
  assert_int_equal(m->levels[0].value, 4);
  assert_string_equal(m->levels[1].name, "3");
  assert_int_equal(m->to_screen.p50_ms, 60000);
  assert_int_equal(m->screened_in_window, 9);
  assert_int_equal(m->screening_window_ms, 4 * 3600000LL);
  assert_int_equal(m->replies[0].on_time, 2);
  assert_int_equal(m->replies[0].rag, 2);
  assert_int_equal(m->n_agencies, 2);
  assert_string_equal(m->agencies[0].principal, "police");
  assert_int_equal(m->agencies[0].rejected, 2);
  assert_string_equal(m->agencies[0].reject_fields,
                      "notification.children[].sex (2), notification.concern (1)");
  assert_int_equal(m->agencies[1].rejected, 20);
  assert_non_null(strstr(m->agencies[1].reject_fields, "f7 (1)"));
  assert_null(strstr(m->agencies[1].reject_fields, "f8"));
  assert_string_equal(m->counters[0].name, "intake");
  assert_int_equal(m->counters[0].value, 12);
  assert_int_equal(m->n_commit_buckets, MASH_STORAGE_COMMIT_BUCKETS);
  assert_int_equal(m->commit_le_us[0], 100);
  assert_int_equal(m->commit_buckets[0], 3);
  assert_int_equal(m->commit_count, 8);
  assert_int_equal(m->commit_sum_us, 4242);
  free(m);
  free(f);
  free(live);
  mash_ops_destroy(&o);
  assert_null(o);
}

/* Refused commands per principal (issue 13): the burst is allowed, the
 * next is held back until the window ends, and one peer's refusals never
 * hold back another's commands. */
static void test_refusal_throttle(void **state) {
  (void)state;
  mash_ops_t *o = mash_ops_new(0, 0);
  assert_non_null(o);
  const int64_t t0 = 5000000;
  assert_int_equal(mash_ops_refusals_throttled(o, "health", t0), 0);
  for (int i = 0; i < MASH_OPS_REFUSALS_BURST; i++) {
    assert_int_equal(mash_ops_refusals_throttled(o, "health", t0 + i), 0);
    mash_ops_note_refused_command(o, "health", t0 + i);
  }
  assert_int_equal(mash_ops_refusals_throttled(o, "health", t0 + 100), 1);
  assert_int_equal(mash_ops_refusals_throttled(o, "police", t0 + 100), 0);
  assert_int_equal(mash_ops_refusals_throttled(o, "health", t0 + MASH_OPS_REFUSALS_WINDOW_MS - 1),
                   1);
  assert_int_equal(mash_ops_refusals_throttled(o, "health", t0 + MASH_OPS_REFUSALS_WINDOW_MS), 0);
  mash_ops_note_refused_command(o, "health", t0 + MASH_OPS_REFUSALS_WINDOW_MS);
  assert_int_equal(mash_ops_refusals_throttled(o, "health", t0 + MASH_OPS_REFUSALS_WINDOW_MS), 0);
  mash_ops_destroy(&o);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_round_trip),
                                     cmocka_unit_test(test_refusal_throttle)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
