/* test_store_row: what both store implementations share (store_row.c):
 * parsing the ids that name rows, counting quality-flag lists, and the
 * nearest-rank percentiles of statistics. The
 * sealing half is covered by test_store and test_store_pg through a store.
 * Must not: touch a database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "store_row.h"

#define UNIT_TESTING 1
#include <cmocka.h>

static void test_parse_id(void **state) {
  (void)state;
  assert_int_equal(store_row_parse_id("P-000042", 'P'), 42);
  assert_int_equal(store_row_parse_id("M-7", 'M'), 7);
  assert_int_equal(store_row_parse_id("M-000042", 'P'), 0); /* another prefix */
  assert_int_equal(store_row_parse_id("P-", 'P'), 0);       /* no digits */
  assert_int_equal(store_row_parse_id("P-12x", 'P'), 0);    /* a non-digit */
  assert_int_equal(store_row_parse_id("P000042", 'P'), 0);  /* no dash */
  assert_int_equal(store_row_parse_id(NULL, 'P'), 0);
  assert_int_equal(store_row_parse_id("P-99999999999999999999", 'P'), 0); /* too large */
  assert_int_equal(store_row_parse_id("P-922337203685477579", 'P'), 922337203685477579LL);
}

typedef struct {
  char names[8][64];
  int64_t counts[8];
  int n;
  int stop_after;
} seen_t;

static int s_seen(const char *name, int64_t n, void *arg) {
  seen_t *s = arg;
  snprintf(s->names[s->n], sizeof s->names[s->n], "%s", name);
  s->counts[s->n++] = n;
  return s->stop_after && s->n >= s->stop_after;
}

/* store_row_id writes what snprintf("%s-%06lld") would, cut to fit. */
static void test_row_id(void **state) {
  (void)state;
  const int64_t ids[] = {0, 7, 42, 999999, 1000000, 1234567, INT64_MAX, -5};
  const char *prefixes[] = {"P", "MASH", "ENQ"};
  for (size_t p = 0; p < sizeof prefixes / sizeof prefixes[0]; p++) {
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
      for (size_t cap = 1; cap <= 32; cap++) {
        char got[32], want[32];
        memset(got, 'x', sizeof got);
        store_row_id(prefixes[p], ids[i], got, cap);
        snprintf(want, cap, "%s-%06lld", prefixes[p], (long long)ids[i]);
        assert_string_equal(got, want);
      }
    }
  }
  char round[32];
  store_row_id("P", 1234567, round, sizeof round);
  assert_int_equal(store_row_parse_id(round, 'P'), 1234567);
}

static void test_flags(void **state) {
  (void)state;
  store_row_flags_t *f = store_row_flags_new();
  assert_non_null(f);
  store_row_flags_add(f, "dash_missing,grade_below_checklist");
  store_row_flags_add(f, "grade_below_checklist");
  store_row_flags_add(f, "");
  store_row_flags_add(f, NULL);
  store_row_flags_add(f, "no_children_present,dash_missing");
  seen_t s = {0};
  store_row_flags_each(f, s_seen, &s);
  assert_int_equal(s.n, 3); /* first seen first */
  assert_string_equal(s.names[0], "dash_missing");
  assert_int_equal(s.counts[0], 2);
  assert_string_equal(s.names[1], "grade_below_checklist");
  assert_int_equal(s.counts[1], 2);
  assert_string_equal(s.names[2], "no_children_present");
  assert_int_equal(s.counts[2], 1);
  /* The callback stops the walk. */
  seen_t one = {.stop_after = 1};
  store_row_flags_each(f, s_seen, &one);
  assert_int_equal(one.n, 1);
  store_row_flags_destroy(&f);
  assert_null(f);
  store_row_flags_destroy(&f); /* idempotent */
}

static void test_flags_bounded(void **state) {
  (void)state;
  store_row_flags_t *f = store_row_flags_new();
  assert_non_null(f);
  for (int i = 0; i < 70; i++) { /* more names than it keeps */
    char one[16];
    snprintf(one, sizeof one, "f%d", i);
    store_row_flags_add(f, one);
  }
  char longname[200];
  memset(longname, 'x', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  store_row_flags_add(f, longname);
  seen_t s = {.stop_after = 8};
  store_row_flags_each(f, s_seen, &s);
  assert_int_equal(s.n, 8);
  assert_string_equal(s.names[0], "f0");
  store_row_flags_destroy(&f);
}

static void test_percentiles(void **state) {
  (void)state;
  int64_t p50 = -1, p90 = -1;
  store_row_percentiles(NULL, 0, &p50, &p90);
  assert_int_equal(p50, 0);
  assert_int_equal(p90, 0);
  int64_t one[] = {7};
  store_row_percentiles(one, 1, &p50, &p90);
  assert_int_equal(p50, 7);
  assert_int_equal(p90, 7);
  int64_t ten[] = {10, 1, 9, 2, 8, 3, 7, 4, 6, 5}; /* sorted in place */
  store_row_percentiles(ten, 10, &p50, &p90);
  assert_int_equal(p50, 5); /* nearest rank: the 5th of 10 */
  assert_int_equal(p90, 9); /* the 9th of 10 */
  assert_int_equal(ten[0], 1);
  assert_int_equal(ten[9], 10);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_id),    cmocka_unit_test(test_row_id),
      cmocka_unit_test(test_flags),       cmocka_unit_test(test_flags_bounded),
      cmocka_unit_test(test_percentiles),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
