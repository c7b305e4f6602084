/* test_civil: the civil-date module against a brute-force day counter, the
 * C library's calendar (an independent implementation) and hand-made cases. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "civil.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The brute-force walk covers this many days either side of 1970-01-01
 * (about 2,700 years each way: every kind of leap year many times). */
#define WALK_DAYS 1000000

/* Leap years by the rule as the Gregorian reform states it, written apart
 * from the module's. */
static int s_month_length(int64_t y, int m) {
  if (m == 2) {
    if (y % 400 == 0) {
      return 29;
    }
    if (y % 100 == 0) {
      return 28;
    }
    return y % 4 == 0 ? 29 : 28;
  }
  return (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31;
}

static void s_next(mash_civil_date_t *d) {
  if (++d->day > s_month_length(d->year, d->month)) {
    d->day = 1;
    if (++d->month > 12) {
      d->month = 1;
      d->year++;
    }
  }
}

static void s_prev(mash_civil_date_t *d) {
  if (--d->day < 1) {
    if (--d->month < 1) {
      d->month = 12;
      d->year--;
    }
    d->day = s_month_length(d->year, d->month);
  }
}

static void s_check_day(int64_t n, mash_civil_date_t want, int weekday) {
  if (mash_civil_days(want.year, want.month, want.day) != n) {
    fail_msg("days(%lld-%d-%d) = %lld, expected %lld", (long long)want.year, want.month, want.day,
             (long long)mash_civil_days(want.year, want.month, want.day), (long long)n);
  }
  mash_civil_date_t got = mash_civil_date_of_days(n);
  if (got.year != want.year || got.month != want.month || got.day != want.day) {
    fail_msg("date_of_days(%lld) = %lld-%d-%d, expected %lld-%d-%d", (long long)n,
             (long long)got.year, got.month, got.day, (long long)want.year, want.month, want.day);
  }
  if (mash_civil_weekday(n) != weekday) {
    fail_msg("weekday(%lld) = %d, expected %d", (long long)n, mash_civil_weekday(n), weekday);
  }
  if (!mash_civil_is_date(want.year, want.month, want.day)) {
    fail_msg("%lld-%d-%d not a date", (long long)want.year, want.month, want.day);
  }
}

/* Walk day by day from 1970-01-01 (a Thursday) forwards and backwards. */
static void test_walk(void **state) {
  (void)state;
  mash_civil_date_t d = {1970, 1, 1};
  int wd = 4;
  for (int64_t n = 0; n <= WALK_DAYS; n++) {
    s_check_day(n, d, wd);
    s_next(&d);
    wd = (wd + 1) % 7;
  }
  d = (mash_civil_date_t){1970, 1, 1};
  wd = 4;
  for (int64_t n = 0; n >= -WALK_DAYS; n--) {
    s_check_day(n, d, wd);
    s_prev(&d);
    wd = (wd + 6) % 7;
  }
}

static void test_leap_years(void **state) {
  (void)state;
  static const int64_t leap[] = {1600, 2000, 2400, 1996, 2024, 4, 0, -4, -400, 1972};
  static const int64_t common[] = {1700, 1800, 1900, 2100, 2023, 1, -1, -100, 1970, 2200};
  for (size_t i = 0; i < N_OF(leap); i++) {
    assert_true(mash_civil_is_leap(leap[i]));
    assert_int_equal(mash_civil_days_in_month(leap[i], 2), 29);
    assert_true(mash_civil_is_date(leap[i], 2, 29));
  }
  for (size_t i = 0; i < N_OF(common); i++) {
    assert_false(mash_civil_is_leap(common[i]));
    assert_int_equal(mash_civil_days_in_month(common[i], 2), 28);
    assert_false(mash_civil_is_date(common[i], 2, 29));
  }
  /* Every month of a 400-year cycle sums to 146097 days. */
  int64_t total = 0;
  for (int64_t y = 2000; y < 2400; y++) {
    for (int m = 1; m <= 12; m++) {
      total += mash_civil_days_in_month(y, m);
    }
  }
  assert_int_equal(total, 146097);
}

static void test_bounds(void **state) {
  (void)state;
  assert_int_equal(mash_civil_days_in_month(2024, 0), 0);
  assert_int_equal(mash_civil_days_in_month(2024, 13), 0);
  assert_int_equal(mash_civil_days_in_month(2024, -1), 0);
  assert_false(mash_civil_is_date(2024, 1, 0));
  assert_false(mash_civil_is_date(2024, 1, 32));
  assert_false(mash_civil_is_date(2024, 4, 31));
  assert_true(mash_civil_is_date(2024, 12, 31));
  assert_false(mash_civil_is_date(2024, 13, 1));

  /* Round trips at the ends of the supported range and far out. */
  const int64_t days[] = {MASH_CIVIL_MAX_DAYS,
                          -MASH_CIVIL_MAX_DAYS,
                          2932896,
                          -719468,
                          -719469,
                          INT64_MAX / MASH_CIVIL_DAY_MS,
                          INT64_MIN / MASH_CIVIL_DAY_MS - 1};
  for (size_t i = 0; i < N_OF(days); i++) {
    mash_civil_date_t d = mash_civil_date_of_days(days[i]);
    assert_true(mash_civil_is_date(d.year, d.month, d.day));
    assert_int_equal(mash_civil_days(d.year, d.month, d.day), days[i]);
    int wd = (int)(((days[i] + 4) % 7 + 7) % 7);
    assert_int_equal(mash_civil_weekday(days[i]), wd);
  }
  const int64_t years[] = {MASH_CIVIL_MAX_YEAR, -MASH_CIVIL_MAX_YEAR, 9999, 0, -1};
  for (size_t i = 0; i < N_OF(years); i++) {
    for (int m = 1; m <= 12; m++) {
      int last = mash_civil_days_in_month(years[i], m);
      int64_t n = mash_civil_days(years[i], m, last);
      mash_civil_date_t d = mash_civil_date_of_days(n);
      assert_int_equal(d.year, years[i]);
      assert_int_equal(d.month, m);
      assert_int_equal(d.day, last);
      assert_int_equal(mash_civil_days(years[i], m, 1), n - last + 1);
    }
  }
  assert_int_equal(mash_civil_days(9999, 12, 31), 2932896);
  assert_int_equal(mash_civil_days(0, 3, 1), -719468);
  assert_int_equal(mash_civil_days(2000, 3, 1), 11017);

  assert_int_equal(mash_civil_day_of_ms(0), 0);
  assert_int_equal(mash_civil_day_of_ms(-1), -1);
  assert_int_equal(mash_civil_day_of_ms(MASH_CIVIL_DAY_MS - 1), 0);
  assert_int_equal(mash_civil_day_of_ms(MASH_CIVIL_DAY_MS), 1);
  assert_int_equal(mash_civil_day_of_ms(-MASH_CIVIL_DAY_MS), -1);
  assert_int_equal(mash_civil_day_of_ms(-MASH_CIVIL_DAY_MS - 1), -2);
}

/* The C library's calendar is a second implementation: compare every day's
 * noon over years 1 to 9999 at a stride that visits every month. */
static void test_against_libc(void **state) {
  (void)state;
  int64_t first = mash_civil_days(1, 1, 1), last = mash_civil_days(9999, 12, 31);
  for (int64_t n = first; n <= last; n += 13) {
    time_t t = (time_t)(n * 86400 + 43200);
    struct tm tm;
    assert_non_null(gmtime_r(&t, &tm));
    mash_civil_date_t d = mash_civil_date_of_days(n);
    assert_int_equal(d.year, tm.tm_year + 1900);
    assert_int_equal(d.month, tm.tm_mon + 1);
    assert_int_equal(d.day, tm.tm_mday);
    assert_int_equal(mash_civil_weekday(n), tm.tm_wday);
    char want[32], got[32];
    strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm);
    mash_civil_format_ms((int64_t)t * 1000 + 999, got, sizeof got);
    if (d.year >= 1000) {
      assert_string_equal(got, want);
    }
    struct tm back = {0};
    back.tm_year = (int)d.year - 1900;
    back.tm_mon = d.month - 1;
    back.tm_mday = d.day;
    assert_int_equal((int64_t)timegm(&back), n * 86400);
  }
}

static void test_months_between(void **state) {
  (void)state;
  static const struct {
    mash_civil_date_t from, to;
    int64_t months;
  } cases[] = {
      {{2024, 7, 15}, {2026, 11, 23}, 28},  {{2024, 11, 24}, {2026, 11, 23}, 23},
      {{2024, 11, 23}, {2026, 11, 23}, 24}, {{2024, 2, 29}, {2025, 2, 28}, 11},
      {{2024, 2, 29}, {2025, 3, 1}, 12},    {{2026, 1, 31}, {2026, 2, 28}, 0},
      {{2026, 1, 31}, {2026, 3, 1}, 1},     {{2026, 12, 1}, {2026, 11, 23}, -1},
      {{1960, 1, 1}, {1969, 12, 31}, 119},  {{2020, 5, 5}, {2020, 5, 5}, 0},
  };
  for (size_t i = 0; i < N_OF(cases); i++) {
    assert_int_equal(mash_civil_months_between(cases[i].from, cases[i].to), cases[i].months);
  }
}

static void test_parse(void **state) {
  (void)state;
  mash_civil_date_t d;
  assert_int_equal(mash_civil_parse_date("2024-02-29", &d), 0);
  assert_int_equal(d.year, 2024);
  assert_int_equal(d.month, 2);
  assert_int_equal(d.day, 29);
  assert_int_equal(mash_civil_parse_date("0000-01-01", &d), 0);
  assert_int_equal(mash_civil_parse_date("9999-12-31", &d), 0);

  static const char *const not_real[] = {"2023-02-29", "2024-13-01", "2024-00-10",
                                         "2024-04-31", "1900-02-29", "2024-01-00"};
  for (size_t i = 0; i < N_OF(not_real); i++) {
    assert_int_equal(mash_civil_parse_date(not_real[i], &d), -ERANGE);
  }
  assert_int_equal(mash_civil_parse_date("2024-13-01", &d), -ERANGE);
  assert_int_equal(d.month, 13); /* the numbers read are kept */

  static const char *const bad[] = {"",           "2024-1-01",   "2024-01-1",   "24-01-01",
                                    "2024/01/01", "2024-01-01 ", "2024-01-011", "20240101",
                                    "2024-0a-01", "-024-01-01",  "2024-01-",    "2024"};
  for (size_t i = 0; i < N_OF(bad); i++) {
    if (mash_civil_parse_date(bad[i], &d) != -EINVAL) {
      fail_msg("\"%s\" accepted", bad[i]);
    }
  }
  assert_int_equal(mash_civil_parse_date(NULL, &d), -EINVAL);

  /* scan reads the date at the start and leaves the rest to the caller. */
  assert_int_equal(mash_civil_scan_date("2026-12-25,2026-12-28", &d), 0);
  assert_int_equal(d.day, 25);
  assert_int_equal(mash_civil_scan_date("2026-12-2", &d), -EINVAL);
  assert_int_equal(mash_civil_scan_date(NULL, &d), -EINVAL);

  /* Every day of four years through text and back. */
  for (int64_t n = mash_civil_days(2023, 1, 1); n < mash_civil_days(2027, 1, 1); n++) {
    char text[MASH_CIVIL_DATE_LEN];
    mash_civil_format_date(n, text, sizeof text);
    assert_int_equal(mash_civil_parse_date(text, &d), 0);
    assert_int_equal(mash_civil_days(d.year, d.month, d.day), n);
  }
}

static void test_format(void **state) {
  (void)state;
  char out[64];
  mash_civil_format_ms(0, out, sizeof out);
  assert_string_equal(out, "1970-01-01T00:00:00Z");
  mash_civil_format_ms(-1, out, sizeof out);
  assert_string_equal(out, "1969-12-31T23:59:59Z");
  mash_civil_format_ms(1795485000999, out, sizeof out);
  assert_string_equal(out, "2026-11-24T01:50:00Z");
  mash_civil_format_ms(253402300799999, out, sizeof out);
  assert_string_equal(out, "9999-12-31T23:59:59Z");
  mash_civil_format_ms(-62135596800000, out, sizeof out);
  assert_string_equal(out, "0001-01-01T00:00:00Z");
  mash_civil_format_date(-1, out, sizeof out);
  assert_string_equal(out, "1969-12-31");

  /* The extremes of int64_t, as the C library writes them. */
  mash_civil_format_ms(INT64_MAX, out, sizeof out);
  assert_string_equal(out, "292278994-08-17T07:12:55Z");
  mash_civil_format_ms(INT64_MIN, out, sizeof out);
  assert_string_equal(out, "-292275055-05-16T16:47:04Z");

  /* Cut to fit, always terminated; nothing written for a zero length. */
  char small[8];
  mash_civil_format_ms(0, small, sizeof small);
  assert_string_equal(small, "1970-01");
  small[0] = 'x';
  mash_civil_format_ms(0, small, 0);
  mash_civil_format_date(0, small, 0);
  assert_int_equal(small[0], 'x');
  mash_civil_format_ms(0, NULL, 10);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_walk),           cmocka_unit_test(test_leap_years),
      cmocka_unit_test(test_bounds),         cmocka_unit_test(test_against_libc),
      cmocka_unit_test(test_months_between), cmocka_unit_test(test_parse),
      cmocka_unit_test(test_format),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
