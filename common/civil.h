/* civil: the proleptic Gregorian calendar as arithmetic on day counts, and
 * the text forms of dates and UTC instants that mash writes and reads.
 *
 * Responsible for: leap years, days in a month, days since 1970-01-01 of a
 * date and the date of a day count (Howard Hinnant's algorithms), weekdays,
 * whole months between two dates, reading "YYYY-MM-DD" and writing
 * "YYYY-MM-DD" and "YYYY-MM-DDTHH:MM:SSZ".
 * Must not: consult time zones, time_t, the C library's calendar (gmtime,
 * timegm, strftime), the clock or the environment; allocate; keep state.
 * Every function is a pure function of its arguments, safe from any thread.
 *
 * It is its own library (mash_civil, no dependencies) because both the codec
 * (proto/, which common/ links) and common/ need it: proto cannot link
 * mash_common without a cycle.
 *
 * Day counts are days since 1970-01-01 (day 0, a Thursday), negative before.
 * Years are astronomical (year 0 is 1 BC). Every function is exact for
 * |year| <= MASH_CIVIL_MAX_YEAR and |days| <= MASH_CIVIL_MAX_DAYS, which
 * covers every millisecond an int64_t can hold.
 */
#ifndef MASH_CIVIL_H
#define MASH_CIVIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MASH_CIVIL_DAY_MS INT64_C(86400000)
#define MASH_CIVIL_MAX_YEAR INT64_C(1000000000)
#define MASH_CIVIL_MAX_DAYS (INT64_C(1) << 40)

/* Buffer sizes for the text forms of years 0 to 9999, with the NUL. */
#define MASH_CIVIL_DATE_LEN 11 /* "YYYY-MM-DD" */
#define MASH_CIVIL_ISO_LEN 21  /* "YYYY-MM-DDTHH:MM:SSZ" */

/* A date: year, month 1..12, day 1..31 (a plain value, copy freely). */
typedef struct mash_civil_date {
  int64_t year;
  int month;
  int day;
} mash_civil_date_t;

/* True for a Gregorian leap year (divisible by 4, and centuries by 400). */
bool mash_civil_is_leap(int64_t year);

/* Days in the month (28 to 31), or 0 when month is not 1..12. */
int mash_civil_days_in_month(int64_t year, int month);

/* True when year, month and day name a real date (2023-02-29 does not). */
bool mash_civil_is_date(int64_t year, int month, int day);

/* Days since 1970-01-01 of a real date (for other input the count is
 * meaningless, but computed without overflow). */
int64_t mash_civil_days(int64_t year, int month, int day);

/* The date of a day count since 1970-01-01. */
mash_civil_date_t mash_civil_date_of_days(int64_t days);

/* The day (since 1970-01-01) that a UTC instant in ms falls on: floor
 * division, so -1 ms is day -1. */
int64_t mash_civil_day_of_ms(int64_t ms);

/* The weekday of a day count: 0 = Sunday .. 6 = Saturday. */
int mash_civil_weekday(int64_t days);

/* Whole months from `from` to `to`, as an age is counted: a month is
 * complete on the same day of the month, or on the first of the next month
 * when that day does not exist (from 31 January, February is complete on
 * 1 March; a 29 February birthday counts on 1 March in other years).
 * Negative when `to` is before `from`. */
int64_t mash_civil_months_between(mash_civil_date_t from, mash_civil_date_t to);

/* Read "YYYY-MM-DD" at the start of s, whatever follows (the caller decides
 * what may). Never reads past a NUL. Returns 0 with *out set; -EINVAL when
 * s does not start with four digits, '-', two digits, '-', two digits (or
 * is NULL); -ERANGE when it does but names no real date (month 13, 30
 * February), with the numbers read in *out. */
int mash_civil_scan_date(const char *s, mash_civil_date_t *out);

/* As mash_civil_scan_date, for a string that is exactly "YYYY-MM-DD":
 * anything after the date is -EINVAL. */
int mash_civil_parse_date(const char *s, mash_civil_date_t *out);

/* Write the date of a day count as "YYYY-MM-DD" (years outside 0..9999 with
 * more digits or a sign), cut to fit outlen; nothing when outlen is 0. */
void mash_civil_format_date(int64_t days, char *out, size_t outlen);

/* Write a UTC instant in ms as "YYYY-MM-DDTHH:MM:SSZ" (milliseconds
 * dropped, rounding down, also before 1970), cut to fit outlen; nothing
 * when outlen is 0. Every int64_t is accepted. */
void mash_civil_format_ms(int64_t ms, char *out, size_t outlen);

#endif
