/* civil: the proleptic Gregorian calendar as arithmetic on day counts, and
 * the text forms of dates and UTC instants (see civil.h).
 *
 * Responsible for: the one copy of the calendar arithmetic every other
 * module uses (the working calendar, the codec's date checks, the clock's
 * text form, priority's ages, the hub's pages).
 * Must not: call the C library's calendar (gmtime, timegm, strftime), read
 * the clock or the environment, allocate, or keep state. Any thread.
 */
#include "civil.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

static int64_t s_floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0))) {
    q--;
  }
  return q;
}

bool mash_civil_is_leap(int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int mash_civil_days_in_month(int64_t year, int month) {
  static const int s_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) {
    return 0;
  }
  return month == 2 && mash_civil_is_leap(year) ? 29 : s_days[month - 1];
}

bool mash_civil_is_date(int64_t year, int month, int day) {
  return day >= 1 && day <= mash_civil_days_in_month(year, month);
}

/* Howard Hinnant's days_from_civil: years counted from 1 March, so that the
 * leap day ends the year, in 400-year eras of 146097 days. */
int64_t mash_civil_days(int64_t year, int month, int day) {
  int64_t y = year - (month <= 2 ? 1 : 0);
  int64_t era = s_floor_div(y, 400);
  int64_t yoe = y - era * 400; /* 0 .. 399 */
  int64_t doy =
      (153 * (int64_t)(month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1; /* 0 .. 365 */
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                        /* 0 .. 146096 */
  return era * 146097 + doe - 719468;
}

/* Its inverse, civil_from_days. */
mash_civil_date_t mash_civil_date_of_days(int64_t days) {
  int64_t z = days + 719468;
  int64_t era = s_floor_div(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  mash_civil_date_t d;
  d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
  d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
  d.year = yoe + era * 400 + (d.month <= 2 ? 1 : 0);
  return d;
}

int64_t mash_civil_day_of_ms(int64_t ms) {
  return s_floor_div(ms, MASH_CIVIL_DAY_MS);
}

int mash_civil_weekday(int64_t days) {
  /* 1970-01-01 was a Thursday (4). */
  return (int)(days - s_floor_div(days + 4, 7) * 7 + 4);
}

int64_t mash_civil_months_between(mash_civil_date_t from, mash_civil_date_t to) {
  return (to.year - from.year) * 12 + (to.month - from.month) - (to.day < from.day ? 1 : 0);
}

/* Exactly n decimal digits at s; false at the first other character (a NUL
 * included, so nothing past it is read). */
static bool s_digits(const char *s, int n, int *value) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') {
      return false;
    }
    v = v * 10 + (s[i] - '0');
  }
  *value = v;
  return true;
}

int mash_civil_scan_date(const char *s, mash_civil_date_t *out) {
  int y, m, d;
  if (s == NULL || out == NULL || !s_digits(s, 4, &y) || s[4] != '-' || !s_digits(s + 5, 2, &m) ||
      s[7] != '-' || !s_digits(s + 8, 2, &d)) {
    return -EINVAL;
  }
  out->year = y;
  out->month = m;
  out->day = d;
  return mash_civil_is_date(y, m, d) ? 0 : -ERANGE;
}

int mash_civil_parse_date(const char *s, mash_civil_date_t *out) {
  int rc = mash_civil_scan_date(s, out);
  if (rc == -EINVAL || s[10] != '\0') {
    return -EINVAL;
  }
  return rc;
}

void mash_civil_format_date(int64_t days, char *out, size_t outlen) {
  if (out == NULL || outlen == 0) {
    return;
  }
  mash_civil_date_t d = mash_civil_date_of_days(days);
  snprintf(out, outlen, "%04" PRId64 "-%02d-%02d", d.year, d.month, d.day);
}

void mash_civil_format_ms(int64_t ms, char *out, size_t outlen) {
  if (out == NULL || outlen == 0) {
    return;
  }
  int64_t day = mash_civil_day_of_ms(ms);
  /* The remainder, not ms - day * MASH_CIVIL_DAY_MS, which would overflow
   * near INT64_MIN. */
  int64_t in_day = ms % MASH_CIVIL_DAY_MS;
  if (in_day < 0) {
    in_day += MASH_CIVIL_DAY_MS;
  }
  int64_t sec = in_day / 1000; /* 0 .. 86399 */
  mash_civil_date_t d = mash_civil_date_of_days(day);
  snprintf(out, outlen, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ", d.year, d.month, d.day,
           (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
}
