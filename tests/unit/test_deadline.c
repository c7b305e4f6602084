/* test_deadline: the working calendar and the deadline policy (common/deadline.h).
 *
 * Covers the POSIX TZ arithmetic (checked against glibc's own reading of the
 * same rule strings, hour by hour over a decade), working hours across
 * weekends, bank holidays and both Europe/London clock changes of 2026,
 * the default windows (red 4 h round the clock, amber 24 and green 72
 * working hours, screening, decision), the 75% and 150% ladder instants,
 * add_working and working_between as inverses over a sweep of starts and
 * amounts, configuration errors, and a calendar with no working hours.
 * Must not: touch the network or read the clock. Instants are written as ISO
 * 8601 with an explicit offset so that each one says which local time it is.
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

#define UNIT_TESTING 1
#include <cmocka.h>

#include "clock.h"
#include "deadline.h"

#define LONDON "GMT0BST,M3.5.0/1,M10.5.0"
#define OFFICE "mon-fri 09:00-17:00"
#define H (INT64_C(3600000))
#define MIN (INT64_C(60000))
#define DAY (24 * H)
#define NEVER MASH_DEADLINE_NEVER

#define RED MASH__V1__RAG__RAG_RED
#define AMBER MASH__V1__RAG__RAG_AMBER
#define GREEN MASH__V1__RAG__RAG_GREEN
#define BLUE MASH__V1__RAG__RAG_BLUE
#define UNSPEC MASH__V1__RAG__RAG_UNSPECIFIED

/* An ISO 8601 instant ("2026-03-27T16:00:00Z" or "...+01:00") in ms. */
static int64_t T(const char *iso) {
  int64_t ms = 0;
  if (mash_clock_parse(iso, &ms) != 0) {
    fail_msg("bad instant in test: %s", iso);
  }
  return ms;
}

static mash_calendar_t *cal_new(const char *tz, const char *hours, const char *holidays) {
  char err[256] = "";
  mash_calendar_t *c = mash_calendar_new(tz, hours, holidays, err, sizeof err);
  if (c == NULL) {
    fail_msg("calendar %s / %s / %s: %s", tz, hours, holidays ? holidays : "(null)", err);
  }
  return c;
}

static void assert_instant(int64_t got, const char *want_iso) {
  int64_t want = T(want_iso);
  if (got != want) {
    char g[32];
    mash_clock_format(got, g, sizeof g);
    fail_msg("got %s (%lld), want %s (%lld)", g, (long long)got, want_iso, (long long)want);
  }
}

/* ------------------------------------------------------------------ time zone */

static void test_tz_utc(void **state) {
  (void)state;
  mash_calendar_t *c = cal_new("UTC0", "none", NULL);
  int64_t t = T("2026-07-01T12:34:56Z");
  assert_int_equal(mash_calendar_utc_offset_ms(c, t), 0);
  assert_false(mash_calendar_is_dst(c, t));
  assert_int_equal(mash_calendar_to_local(c, t), t);
  assert_int_equal(mash_calendar_from_local(c, t), t);
  mash_calendar_destroy(&c);
  assert_null(c);
}

static void test_tz_fixed_offsets(void **state) {
  (void)state;
  mash_calendar_t *c = cal_new("<+0330>-3:30", "none", NULL);
  int64_t t = T("2026-01-01T00:00:00Z");
  assert_int_equal(mash_calendar_utc_offset_ms(c, t), 3 * H + 30 * MIN);
  assert_int_equal(mash_calendar_to_local(c, t), T("2026-01-01T03:30:00Z"));
  mash_calendar_destroy(&c);
  c = cal_new("EST5", "none", NULL);
  assert_int_equal(mash_calendar_utc_offset_ms(c, t), -5 * H);
  assert_int_equal(mash_calendar_from_local(c, T("2026-01-01T09:00:00Z")),
                   T("2026-01-01T14:00:00Z"));
  mash_calendar_destroy(&c);
}

static void test_tz_london_changes(void **state) {
  (void)state;
  mash_calendar_t *c = cal_new(LONDON, OFFICE, NULL);
  /* Last Sunday of March 2026 is the 29th: 01:00 GMT becomes 02:00 BST. */
  assert_int_equal(mash_calendar_utc_offset_ms(c, T("2026-03-29T00:59:59.999Z")), 0);
  assert_int_equal(mash_calendar_utc_offset_ms(c, T("2026-03-29T01:00:00Z")), H);
  assert_false(mash_calendar_is_dst(c, T("2026-03-29T00:59:59.999Z")));
  assert_true(mash_calendar_is_dst(c, T("2026-03-29T01:00:00Z")));
  /* Last Sunday of October 2026 is the 25th: 02:00 BST becomes 01:00 GMT. */
  assert_int_equal(mash_calendar_utc_offset_ms(c, T("2026-10-25T00:59:59.999Z")), H);
  assert_int_equal(mash_calendar_utc_offset_ms(c, T("2026-10-25T01:00:00Z")), 0);
  /* Mid-winter and mid-summer, and the year ends. */
  assert_int_equal(mash_calendar_utc_offset_ms(c, T("2026-01-01T00:00:00Z")), 0);
  assert_int_equal(mash_calendar_utc_offset_ms(c, T("2026-12-31T23:59:59Z")), 0);
  assert_int_equal(mash_calendar_utc_offset_ms(c, T("2026-07-15T12:00:00Z")), H);
  /* Other years: last Sundays of March 2025 (30th) and 2027 (28th). */
  assert_int_equal(mash_calendar_utc_offset_ms(c, T("2025-03-30T01:00:00Z")), H);
  assert_int_equal(mash_calendar_utc_offset_ms(c, T("2025-03-30T00:59:00Z")), 0);
  assert_int_equal(mash_calendar_utc_offset_ms(c, T("2027-03-28T01:00:00Z")), H);
  assert_int_equal(mash_calendar_utc_offset_ms(c, T("2027-03-21T12:00:00Z")), 0);
  mash_calendar_destroy(&c);
}

static void test_tz_london_local_to_utc(void **state) {
  (void)state;
  mash_calendar_t *c = cal_new(LONDON, OFFICE, NULL);
  /* Ordinary times either side of the spring change. */
  assert_instant(mash_calendar_from_local(c, T("2026-03-29T00:59:00Z")), "2026-03-29T00:59:00Z");
  assert_instant(mash_calendar_from_local(c, T("2026-03-29T02:00:00Z")), "2026-03-29T01:00:00Z");
  assert_instant(mash_calendar_from_local(c, T("2026-03-30T09:00:00Z")), "2026-03-30T08:00:00Z");
  /* 01:00-02:00 local does not exist that night: it maps to the change. */
  assert_instant(mash_calendar_from_local(c, T("2026-03-29T01:00:00Z")), "2026-03-29T01:00:00Z");
  assert_instant(mash_calendar_from_local(c, T("2026-03-29T01:30:00Z")), "2026-03-29T01:00:00Z");
  assert_instant(mash_calendar_from_local(c, T("2026-03-29T01:59:59.999Z")),
                 "2026-03-29T01:00:00Z");
  /* 01:00-02:00 local happens twice in October: the first (BST) is taken. */
  assert_instant(mash_calendar_from_local(c, T("2026-10-25T00:59:00Z")), "2026-10-24T23:59:00Z");
  assert_instant(mash_calendar_from_local(c, T("2026-10-25T01:30:00Z")), "2026-10-25T00:30:00Z");
  assert_instant(mash_calendar_from_local(c, T("2026-10-25T02:00:00Z")), "2026-10-25T02:00:00Z");
  assert_instant(mash_calendar_from_local(c, T("2026-10-26T09:00:00Z")), "2026-10-26T09:00:00Z");
  /* UTC -> local both ways round the changes. */
  assert_instant(mash_calendar_to_local(c, T("2026-03-29T01:00:00Z")), "2026-03-29T02:00:00Z");
  assert_instant(mash_calendar_to_local(c, T("2026-10-25T00:30:00Z")), "2026-10-25T01:30:00Z");
  assert_instant(mash_calendar_to_local(c, T("2026-10-25T01:30:00Z")), "2026-10-25T01:30:00Z");
  mash_calendar_destroy(&c);
}

/* DST all year, the tzfile(5) idiom: it starts on 1 January at 00:00 and
 * ends on 31 December at 24:00 plus the hour saved. glibc decides by the UTC
 * year and so shows standard time for the first hours of each UTC year;
 * mash follows the rule and stays on DST, so this zone is checked here and
 * not against glibc below. */
static void test_tz_dst_all_year(void **state) {
  (void)state;
  mash_calendar_t *c = cal_new("EST5EDT,0/0,J365/25", "none", NULL);
  static const char *const at[] = {"2026-01-01T00:00:00Z", "2026-01-01T04:59:59Z",
                                   "2026-01-01T05:00:00Z", "2026-06-30T12:00:00Z",
                                   "2026-12-31T23:59:59Z", "2028-02-29T12:00:00Z"};
  for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
    assert_true(mash_calendar_is_dst(c, T(at[i])));
    assert_int_equal(mash_calendar_utc_offset_ms(c, T(at[i])), -4 * H);
  }
  mash_calendar_destroy(&c);
}

/* Every 67 minutes (so every minute of the hour is met in turn) from 2020 to 2031, the offset and
 * DST flag must match glibc's reading of the same POSIX string, and local -> UTC must invert UTC ->
 * local outside the repeated hour. The test sets TZ for glibc only; the module itself never looks
 * at it. */
static void test_tz_matches_libc(void **state) {
  (void)state;
  static const char *const zones[] = {
      LONDON,
      "EST5EDT,M3.2.0,M11.1.0",
      "AEST-10AEDT,M10.1.0,M4.1.0/3",
      "CET-1CEST,M3.5.0,M10.5.0/3",
      "NZST-12NZDT,M9.5.0,M4.1.0/3",
      "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1",
      "XXX3YYY2:30,J60/1:15,300/4",
      "UTC0",
  };
  char *old = getenv("TZ");
  char saved[128] = "";
  if (old != NULL) {
    snprintf(saved, sizeof saved, "%s", old);
  }
  for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
    mash_calendar_t *c = cal_new(zones[z], "none", NULL);
    setenv("TZ", zones[z], 1);
    tzset();
    int64_t from = T("2020-01-01T00:00:00Z"), to = T("2031-01-01T00:00:00Z");
    for (int64_t t = from; t < to; t += 67 * MIN) {
      time_t tt = (time_t)(t / 1000);
      struct tm tm;
      assert_non_null(localtime_r(&tt, &tm));
      int64_t off = mash_calendar_utc_offset_ms(c, t);
      if (off != (int64_t)tm.tm_gmtoff * 1000 || mash_calendar_is_dst(c, t) != (tm.tm_isdst > 0)) {
        char g[32];
        mash_clock_format(t, g, sizeof g);
        fail_msg("%s at %s: offset %lld dst %d, glibc %ld dst %d", zones[z], g, (long long)off,
                 mash_calendar_is_dst(c, t), (long)tm.tm_gmtoff, tm.tm_isdst);
      }
      int64_t local = mash_calendar_to_local(c, t);
      int64_t back = mash_calendar_from_local(c, local);
      assert_true(back <= t); /* earlier only in the repeated hour */
      assert_int_equal(mash_calendar_to_local(c, back), local);
    }
    mash_calendar_destroy(&c);
  }
  if (old != NULL) {
    setenv("TZ", saved, 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

static void test_tz_southern_hemisphere(void **state) {
  (void)state;
  mash_calendar_t *c = cal_new("AEST-10AEDT,M10.1.0,M4.1.0/3", "mon-fri 09:00-17:00", NULL);
  assert_int_equal(mash_calendar_utc_offset_ms(c, T("2026-01-15T00:00:00Z")), 11 * H);
  assert_int_equal(mash_calendar_utc_offset_ms(c, T("2026-07-15T00:00:00Z")), 10 * H);
  /* Monday 5 January 2026, 09:00 AEDT is Sunday 22:00 UTC. */
  assert_instant(mash_calendar_next_working(c, T("2026-01-03T00:00:00Z")),
                 "2026-01-05T09:00:00+11:00");
  mash_calendar_destroy(&c);
}

/* -------------------------------------------------------------- working time */

static void test_weekend(void **state) {
  (void)state;
  mash_calendar_t *c = cal_new(LONDON, OFFICE, NULL);
  /* Friday 16:00 + 2 h = Monday 10:00, in winter and in summer. */
  assert_instant(mash_calendar_add_working(c, T("2026-03-20T16:00:00Z"), 2 * H),
                 "2026-03-23T10:00:00Z");
  assert_instant(mash_calendar_add_working(c, T("2026-06-19T16:00:00+01:00"), 2 * H),
                 "2026-06-22T10:00:00+01:00");
  /* An amount that ends a span ends there, not at the next start. */
  assert_instant(mash_calendar_add_working(c, T("2026-03-20T16:00:00Z"), H),
                 "2026-03-20T17:00:00Z");
  /* Started at the weekend, counting starts on Monday. */
  assert_instant(mash_calendar_add_working(c, T("2026-03-21T11:00:00Z"), H),
                 "2026-03-23T10:00:00Z");
  assert_instant(mash_calendar_add_working(c, T("2026-03-22T23:59:59Z"), 30 * MIN),
                 "2026-03-23T09:30:00Z");
  assert_int_equal(
      mash_calendar_working_between(c, T("2026-03-20T16:00:00Z"), T("2026-03-23T10:00:00Z")),
      2 * H);
  mash_calendar_destroy(&c);
}

static void test_before_and_after_hours(void **state) {
  (void)state;
  mash_calendar_t *c = cal_new(LONDON, OFFICE, NULL);
  assert_instant(mash_calendar_add_working(c, T("2026-02-02T07:00:00Z"), H),
                 "2026-02-02T10:00:00Z");
  assert_instant(mash_calendar_add_working(c, T("2026-02-02T18:00:00Z"), H),
                 "2026-02-03T10:00:00Z");
  assert_instant(mash_calendar_add_working(c, T("2026-02-02T17:00:00Z"), 1),
                 "2026-02-03T09:00:00.001Z");
  assert_instant(mash_calendar_add_working(c, T("2026-02-02T16:59:59.999Z"), 1),
                 "2026-02-02T17:00:00Z");
  assert_instant(mash_calendar_add_working(c, T("2026-02-02T09:00:00Z"), 8 * H),
                 "2026-02-02T17:00:00Z");
  assert_instant(mash_calendar_add_working(c, T("2026-02-02T09:00:00Z"), 8 * H + 1),
                 "2026-02-03T09:00:00.001Z");
  /* Zero working time is the start itself, in or out of hours. */
  assert_instant(mash_calendar_add_working(c, T("2026-02-07T03:00:00Z"), 0),
                 "2026-02-07T03:00:00Z");
  /* next_working and is_working agree with the spans. */
  assert_instant(mash_calendar_next_working(c, T("2026-02-02T07:00:00Z")), "2026-02-02T09:00:00Z");
  assert_instant(mash_calendar_next_working(c, T("2026-02-02T12:00:00Z")), "2026-02-02T12:00:00Z");
  assert_instant(mash_calendar_next_working(c, T("2026-02-06T17:00:00Z")), "2026-02-09T09:00:00Z");
  assert_true(mash_calendar_is_working(c, T("2026-02-02T09:00:00Z")));
  assert_false(mash_calendar_is_working(c, T("2026-02-02T17:00:00Z")));
  assert_false(mash_calendar_is_working(c, T("2026-02-02T08:59:59.999Z")));
  assert_false(mash_calendar_is_working(c, T("2026-02-07T12:00:00Z")));
  mash_calendar_destroy(&c);
}

static void test_bank_holidays(void **state) {
  (void)state;
  /* Christmas Day 2026 is a Friday; Boxing Day's holiday is Monday 28th. */
  mash_calendar_t *c = cal_new(LONDON, OFFICE, "2026-12-25,2026-12-28, 2027-01-01");
  assert_true(mash_calendar_is_holiday(c, T("2026-12-25T00:00:00Z") / DAY));
  assert_true(mash_calendar_is_holiday(c, T("2026-12-28T00:00:00Z") / DAY));
  assert_false(mash_calendar_is_holiday(c, T("2026-12-24T00:00:00Z") / DAY));
  assert_false(mash_calendar_is_working(c, T("2026-12-25T10:00:00Z")));
  assert_instant(mash_calendar_add_working(c, T("2026-12-24T16:00:00Z"), 2 * H),
                 "2026-12-29T10:00:00Z");
  /* Amber from Christmas Eve: the 24th, 29th and 30th. */
  mash_deadline_policy_t p;
  mash_deadline_policy_default(&p);
  assert_instant(mash_deadline_reply_due(&p, c, AMBER, T("2026-12-24T09:00:00Z")),
                 "2026-12-30T17:00:00Z");
  /* From the 30th: the 30th, 31st, then 1 January is a holiday too. */
  assert_instant(mash_deadline_reply_due(&p, c, AMBER, T("2026-12-30T09:00:00Z")),
                 "2027-01-04T17:00:00Z");
  assert_int_equal(
      mash_calendar_working_between(c, T("2026-12-21T00:00:00Z"), T("2026-12-28T00:00:00Z")),
      32 * H);
  /* Without the holidays the same start is due on the 28th. */
  mash_calendar_t *plain = cal_new(LONDON, OFFICE, "");
  assert_instant(mash_deadline_reply_due(&p, plain, AMBER, T("2026-12-24T09:00:00Z")),
                 "2026-12-28T17:00:00Z");
  mash_calendar_destroy(&plain);
  mash_calendar_destroy(&c);
}

static void test_split_and_short_days(void **state) {
  (void)state;
  mash_calendar_t *c = cal_new(LONDON, "mon-thu 09:00-17:00; fri 09:00-16:30", NULL);
  assert_instant(mash_calendar_add_working(c, T("2026-02-06T16:00:00Z"), H),
                 "2026-02-09T09:30:00Z");
  assert_int_equal(
      mash_calendar_working_between(c, T("2026-02-02T00:00:00Z"), T("2026-02-09T00:00:00Z")),
      39 * H + 30 * MIN);
  mash_calendar_destroy(&c);

  c = cal_new(LONDON, "mon-fri 09:00-12:30,13:30-17:00", NULL);
  assert_instant(mash_calendar_add_working(c, T("2026-02-02T12:00:00Z"), H),
                 "2026-02-02T14:00:00Z");
  assert_false(mash_calendar_is_working(c, T("2026-02-02T12:45:00Z")));
  assert_true(mash_calendar_is_working(c, T("2026-02-02T13:30:00Z")));
  mash_calendar_destroy(&c);

  /* Day lists, case, wrapping ranges and groups adding to a day. */
  c = cal_new(LONDON, "Fri-Mon 10:00-14:00; wed,SUN 20:00-21:00", NULL);
  assert_true(mash_calendar_is_working(c, T("2026-02-06T10:00:00Z")));  /* Fri */
  assert_true(mash_calendar_is_working(c, T("2026-02-07T10:00:00Z")));  /* Sat */
  assert_true(mash_calendar_is_working(c, T("2026-02-08T20:30:00Z")));  /* Sun */
  assert_true(mash_calendar_is_working(c, T("2026-02-09T13:59:00Z")));  /* Mon */
  assert_false(mash_calendar_is_working(c, T("2026-02-10T10:00:00Z"))); /* Tue */
  assert_true(mash_calendar_is_working(c, T("2026-02-11T20:00:00Z")));  /* Wed */
  assert_false(mash_calendar_is_working(c, T("2026-02-11T10:00:00Z")));
  assert_int_equal(
      mash_calendar_working_between(c, T("2026-02-02T00:00:00Z"), T("2026-02-09T00:00:00Z")),
      18 * H); /* Mon, Fri, Sat, Sun 4 h each; Wed and Sun evenings 1 h each */
  mash_calendar_destroy(&c);

  /* Round the clock, midnight to midnight. */
  c = cal_new("UTC0", "mon-sun 00:00-24:00", NULL);
  assert_instant(mash_calendar_add_working(c, T("2026-02-02T23:00:00Z"), 2 * H),
                 "2026-02-03T01:00:00Z");
  mash_calendar_destroy(&c);
}

/* A working day across each clock change keeps its local hours. */
static void test_dst_spring(void **state) {
  (void)state;
  mash_calendar_t *c = cal_new(LONDON, OFFICE, NULL);
  mash_deadline_policy_t p;
  mash_deadline_policy_default(&p);
  /* Friday 27 March is GMT, Monday 30 March BST: 09:00-17:00 is 08:00-16:00Z. */
  assert_instant(mash_calendar_add_working(c, T("2026-03-27T16:00:00Z"), 2 * H),
                 "2026-03-30T10:00:00+01:00");
  assert_instant(mash_calendar_add_working(c, T("2026-03-27T16:00:00Z"), 2 * H),
                 "2026-03-30T09:00:00Z");
  assert_instant(mash_calendar_next_working(c, T("2026-03-28T12:00:00Z")), "2026-03-30T08:00:00Z");
  assert_instant(mash_deadline_reply_due(&p, c, AMBER, T("2026-03-27T09:00:00Z")),
                 "2026-03-31T17:00:00+01:00");
  assert_int_equal(
      mash_calendar_working_between(c, T("2026-03-27T09:00:00Z"), T("2026-03-30T17:00:00+01:00")),
      16 * H);
  /* The week of the change has 40 working hours all the same. */
  assert_int_equal(
      mash_calendar_working_between(c, T("2026-03-23T00:00:00Z"), T("2026-03-30T00:00:00+01:00")),
      40 * H);
  mash_calendar_destroy(&c);

  /* Working round the clock, the Sunday of the change has 23 hours. */
  c = cal_new(LONDON, "sun 00:00-24:00", NULL);
  assert_int_equal(
      mash_calendar_working_between(c, T("2026-03-29T00:00:00Z"), T("2026-03-30T00:00:00+01:00")),
      23 * H);
  assert_instant(mash_calendar_add_working(c, T("2026-03-29T00:00:00Z"), 23 * H),
                 "2026-03-30T00:00:00+01:00");
  assert_instant(mash_calendar_add_working(c, T("2026-03-29T00:00:00Z"), 23 * H + 1),
                 "2026-04-05T00:00:00.001+01:00");
  mash_calendar_destroy(&c);

  /* A span inside the skipped hour shrinks to nothing rather than overlapping. */
  c = cal_new(LONDON, "sun 01:15-01:45,03:00-04:00", NULL);
  assert_int_equal(
      mash_calendar_working_between(c, T("2026-03-29T00:00:00Z"), T("2026-03-30T00:00:00Z")), H);
  assert_int_equal(
      mash_calendar_working_between(c, T("2026-03-22T00:00:00Z"), T("2026-03-23T00:00:00Z")),
      H + 30 * MIN);
  mash_calendar_destroy(&c);
}

static void test_dst_autumn(void **state) {
  (void)state;
  mash_calendar_t *c = cal_new(LONDON, OFFICE, NULL);
  mash_deadline_policy_t p;
  mash_deadline_policy_default(&p);
  /* Friday 23 October is BST (08:00-16:00Z), Monday 26th GMT (09:00-17:00Z). */
  assert_instant(mash_calendar_add_working(c, T("2026-10-23T16:00:00+01:00"), 2 * H),
                 "2026-10-26T10:00:00Z");
  assert_instant(mash_deadline_reply_due(&p, c, AMBER, T("2026-10-23T09:00:00+01:00")),
                 "2026-10-27T17:00:00Z");
  assert_int_equal(
      mash_calendar_working_between(c, T("2026-10-23T09:00:00+01:00"), T("2026-10-27T17:00:00Z")),
      24 * H);
  assert_int_equal(
      mash_calendar_working_between(c, T("2026-10-19T00:00:00+01:00"), T("2026-10-26T00:00:00Z")),
      40 * H);
  mash_calendar_destroy(&c);

  /* Working round the clock, the Sunday of the change has 25 hours. */
  c = cal_new(LONDON, "sun 00:00-24:00", NULL);
  assert_int_equal(
      mash_calendar_working_between(c, T("2026-10-25T00:00:00+01:00"), T("2026-10-26T00:00:00Z")),
      25 * H);
  assert_instant(mash_calendar_add_working(c, T("2026-10-25T00:00:00+01:00"), 25 * H),
                 "2026-10-26T00:00:00Z");
  mash_calendar_destroy(&c);

  /* A span over the repeated hour lasts the real time between its ends. */
  c = cal_new(LONDON, "sun 00:30-02:30", NULL);
  assert_int_equal(
      mash_calendar_working_between(c, T("2026-10-25T00:00:00+01:00"), T("2026-10-26T00:00:00Z")),
      3 * H);
  mash_calendar_destroy(&c);
}

/* ----------------------------------------------------------------- windows */

static void test_red_round_the_clock(void **state) {
  (void)state;
  mash_calendar_t *c = cal_new(LONDON, OFFICE, NULL);
  mash_deadline_policy_t p;
  mash_deadline_policy_default(&p);
  /* Friday evening and Saturday night run on real time. */
  assert_instant(mash_deadline_reply_due(&p, c, RED, T("2026-02-06T16:00:00Z")),
                 "2026-02-06T20:00:00Z");
  assert_instant(mash_deadline_reply_due(&p, c, RED, T("2026-02-07T23:30:00Z")),
                 "2026-02-08T03:30:00Z");
  /* Across both clock changes: 4 h of real time, 3 or 5 on the wall. */
  int64_t s = T("2026-03-29T00:30:00Z");
  assert_int_equal(mash_deadline_reply_due(&p, c, RED, s) - s, 4 * H);
  assert_instant(mash_calendar_to_local(c, mash_deadline_reply_due(&p, c, RED, s)),
                 "2026-03-29T05:30:00Z");
  s = T("2026-10-25T00:00:00Z");
  assert_int_equal(mash_deadline_reply_due(&p, c, RED, s) - s, 4 * H);
  assert_instant(mash_calendar_to_local(c, mash_deadline_reply_due(&p, c, RED, s)),
                 "2026-10-25T04:00:00Z");
  /* Screening is round the clock too. */
  assert_int_equal(mash_deadline_screening_due(&p, c, s) - s, 4 * H);
  mash_calendar_destroy(&c);
}

static void test_amber_and_green(void **state) {
  (void)state;
  mash_calendar_t *c = cal_new(LONDON, OFFICE, NULL);
  mash_deadline_policy_t p;
  mash_deadline_policy_default(&p);
  /* Amber: 24 working hours = three working days. */
  assert_instant(mash_deadline_reply_due(&p, c, AMBER, T("2026-06-01T09:00:00+01:00")),
                 "2026-06-03T17:00:00+01:00");
  assert_instant(mash_deadline_reply_due(&p, c, AMBER, T("2026-06-01T13:00:00+01:00")),
                 "2026-06-04T13:00:00+01:00");
  assert_instant(mash_deadline_reply_due(&p, c, AMBER, T("2026-06-04T13:00:00+01:00")),
                 "2026-06-09T13:00:00+01:00");
  /* Green: 72 working hours = nine working days. */
  assert_instant(mash_deadline_reply_due(&p, c, GREEN, T("2026-06-01T09:00:00+01:00")),
                 "2026-06-11T17:00:00+01:00");
  assert_instant(mash_deadline_reply_due(&p, c, GREEN, T("2026-05-30T12:00:00+01:00")),
                 "2026-06-11T17:00:00+01:00");
  /* Configured windows in minutes. */
  p.amber.minutes = 6 * 60;
  assert_instant(mash_deadline_reply_due(&p, c, AMBER, T("2026-06-01T15:00:00+01:00")),
                 "2026-06-02T13:00:00+01:00");
  p.green = (mash_deadline_window_t){72 * 60, MASH_DEADLINE_WALL};
  assert_instant(mash_deadline_reply_due(&p, c, GREEN, T("2026-06-01T15:00:00+01:00")),
                 "2026-06-04T15:00:00+01:00");
  mash_calendar_destroy(&c);
}

static void test_screening_and_decision(void **state) {
  (void)state;
  mash_calendar_t *c = cal_new(LONDON, OFFICE, NULL);
  mash_deadline_policy_t p;
  mash_deadline_policy_default(&p);
  assert_instant(mash_deadline_screening_due(&p, c, T("2026-02-06T22:00:00Z")),
                 "2026-02-07T02:00:00Z");
  /* Decision: one standard working day (8 working hours) from the start. */
  assert_instant(mash_deadline_decision_due(&p, c, T("2026-02-03T11:00:00Z")),
                 "2026-02-04T11:00:00Z");
  assert_instant(mash_deadline_decision_due(&p, c, T("2026-02-06T18:00:00Z")),
                 "2026-02-09T17:00:00Z");
  assert_instant(mash_deadline_decision_due(&p, c, T("2026-02-02T09:00:00Z")),
                 "2026-02-02T17:00:00Z");
  p.decision.minutes = 450;
  assert_instant(mash_deadline_decision_due(&p, c, T("2026-02-02T09:00:00Z")),
                 "2026-02-02T16:30:00Z");
  assert_int_equal(mash_deadline_screening_due(NULL, c, 0), NEVER);
  assert_int_equal(mash_deadline_decision_due(NULL, c, 0), NEVER);
  mash_calendar_destroy(&c);
}

static void test_no_enquiry_ratings(void **state) {
  (void)state;
  mash_calendar_t *c = cal_new(LONDON, OFFICE, NULL);
  mash_deadline_policy_t p;
  mash_deadline_policy_default(&p);
  int64_t s = T("2026-02-02T10:00:00Z");
  assert_int_equal(mash_deadline_reply_due(&p, c, BLUE, s), 0);
  assert_int_equal(mash_deadline_reply_due(&p, c, UNSPEC, s), 0);
  assert_int_equal(mash_deadline_reply_due(&p, c, (Mash__V1__Rag)99, s), 0);
  assert_int_equal(mash_deadline_at_fraction(&p, c, BLUE, s, s + H, 750), 0);
  assert_int_equal(mash_deadline_at_fraction(&p, c, UNSPEC, s, s + H, 750), 0);
  assert_null(mash_deadline_window_for(&p, BLUE));
  assert_ptr_equal(mash_deadline_window_for(&p, RED), &p.red);
  assert_ptr_equal(mash_deadline_window_for(&p, AMBER), &p.amber);
  assert_ptr_equal(mash_deadline_window_for(&p, GREEN), &p.green);
  assert_null(mash_deadline_window_for(NULL, RED));
  assert_int_equal(mash_deadline_reply_due(NULL, c, RED, s), 0);
  mash_calendar_destroy(&c);
}

static void test_fractions(void **state) {
  (void)state;
  mash_calendar_t *c = cal_new(LONDON, OFFICE, NULL);
  mash_deadline_policy_t p;
  mash_deadline_policy_default(&p);

  /* Red, wall clock: 75% of 4 h is 3 h; 150% is 6 h, in the night. */
  int64_t s = T("2026-02-06T14:00:00Z");
  int64_t due = mash_deadline_reply_due(&p, c, RED, s);
  assert_instant(mash_deadline_at_fraction(&p, c, RED, s, due, 750), "2026-02-06T17:00:00Z");
  assert_instant(mash_deadline_at_fraction(&p, c, RED, s, due, 1500), "2026-02-06T20:00:00Z");
  assert_int_equal(mash_deadline_at_fraction(&p, c, RED, s, due, 1000), due);
  assert_int_equal(mash_deadline_at_fraction(&p, c, RED, s, due, 0), s);

  /* Amber, working time: 18 h and 36 h from Monday 09:00. */
  s = T("2026-06-01T09:00:00+01:00");
  due = mash_deadline_reply_due(&p, c, AMBER, s);
  assert_instant(mash_deadline_at_fraction(&p, c, AMBER, s, due, 750), "2026-06-03T11:00:00+01:00");
  assert_instant(mash_deadline_at_fraction(&p, c, AMBER, s, due, 1500),
                 "2026-06-05T13:00:00+01:00");
  assert_int_equal(mash_deadline_at_fraction(&p, c, AMBER, s, due, 1000), due);

  /* Green: 54 h and 108 h, across weekends. */
  due = mash_deadline_reply_due(&p, c, GREEN, s);
  assert_instant(mash_deadline_at_fraction(&p, c, GREEN, s, due, 750), "2026-06-09T15:00:00+01:00");
  assert_instant(mash_deadline_at_fraction(&p, c, GREEN, s, due, 1500),
                 "2026-06-18T13:00:00+01:00");

  /* Amber from Friday 13:00 across the spring change: 18 h lands on Tuesday. */
  s = T("2026-03-27T13:00:00Z");
  due = mash_deadline_reply_due(&p, c, AMBER, s);
  assert_instant(due, "2026-04-01T13:00:00+01:00");
  assert_instant(mash_deadline_at_fraction(&p, c, AMBER, s, due, 750), "2026-03-31T15:00:00+01:00");

  /* The window is the stored one: a changed policy does not move it. */
  p.amber.minutes = 60;
  assert_instant(mash_deadline_at_fraction(&p, c, AMBER, s, due, 1000),
                 "2026-04-01T13:00:00+01:00");

  /* Rounding is down to the millisecond. */
  mash_deadline_window_t w = {1, MASH_DEADLINE_WALL};
  assert_int_equal(mash_deadline_window_at_fraction(&w, c, 0, 7, 500), 3);

  /* Out of range arguments. */
  assert_int_equal(mash_deadline_at_fraction(&p, c, RED, s, s + H, -1), NEVER);
  assert_int_equal(mash_deadline_at_fraction(&p, c, RED, s, s + H, MASH_DEADLINE_MAX_PERMILLE + 1),
                   NEVER);
  assert_int_equal(mash_deadline_at_fraction(&p, c, RED, s, s - 1, 750), NEVER);
  assert_int_equal(mash_deadline_at_fraction(&p, c, RED, s, NEVER, 750), NEVER);
  assert_int_equal(mash_deadline_at_fraction(&p, c, RED, s, s, 750), s);
  assert_int_equal(mash_deadline_window_at_fraction(NULL, c, s, s, 750), NEVER);
  int64_t far = T("2026-02-02T10:00:00Z");
  assert_int_equal(
      mash_deadline_at_fraction(&p, c, RED, far, far + 4 * H, MASH_DEADLINE_MAX_PERMILLE),
      far + 400 * H);
  mash_calendar_destroy(&c);
}

/* add_working and working_between are inverses, over starts every 37
 * minutes for three weeks round each clock change and a holiday. */
static void test_inverse_sweep(void **state) {
  (void)state;
  mash_calendar_t *c =
      cal_new(LONDON, "mon-thu 09:00-17:00; fri 09:00-12:00,13:00-16:30", "2026-03-30,2026-10-26");
  static const int64_t amounts[] = {0,     1,         MIN,    H,      7 * H + 59 * MIN,
                                    8 * H, 8 * H + 1, 24 * H, 72 * H, 200 * H + 7};
  static const char *const from[] = {"2026-03-16T00:00:00Z", "2026-10-12T00:00:00Z"};
  long checks = 0;
  for (size_t f = 0; f < sizeof from / sizeof from[0]; f++) {
    int64_t a0 = T(from[f]);
    for (int64_t s = a0; s < a0 + 21 * DAY; s += 37 * MIN) {
      for (size_t i = 0; i < sizeof amounts / sizeof amounts[0]; i++) {
        int64_t w = amounts[i];
        int64_t t = mash_calendar_add_working(c, s, w);
        assert_true(t >= s && t != NEVER);
        assert_int_equal(mash_calendar_working_between(c, s, t), w);
        assert_int_equal(mash_calendar_working_between(c, t, s), -w);
        if (w > 0) {
          /* Earliest: one millisecond less is one millisecond short, and
           * the last millisecond counted was a working one. */
          assert_int_equal(mash_calendar_working_between(c, s, t - 1), w - 1);
          assert_true(mash_calendar_is_working(c, t - 1));
        }
        checks++;
      }
      /* The other way: from s to an arbitrary b and back. */
      int64_t b = s + (s / MIN % 97) * H + 13 * MIN;
      int64_t w = mash_calendar_working_between(c, s, b);
      int64_t t = mash_calendar_add_working(c, s, w);
      assert_true(t <= b);
      if (w > 0 && mash_calendar_is_working(c, b - 1)) {
        assert_int_equal(t, b);
      }
      /* Additivity: s..m..b sums to s..b. */
      int64_t m = s + (b - s) / 3;
      assert_int_equal(
          mash_calendar_working_between(c, s, m) + mash_calendar_working_between(c, m, b), w);
    }
  }
  assert_true(checks > 1000);
  mash_calendar_destroy(&c);
}

/* Every minute of the spring-change week: is_working agrees with the local
 * weekday and time, and one minute of working time is a minute or nothing. */
static void test_every_minute_of_a_week(void **state) {
  (void)state;
  mash_calendar_t *c = cal_new(LONDON, "mon-fri 09:00-17:00; sun 00:30-03:30", "2026-03-24");
  int64_t a0 = T("2026-03-23T00:00:00Z");
  int64_t total = 0;
  for (int64_t t = a0; t < a0 + 7 * DAY; t += MIN) {
    int64_t local = mash_calendar_to_local(c, t);
    int64_t day = local / DAY;
    int wd = (int)((day + 4) % 7);
    int64_t tod = local % DAY;
    bool want = false;
    if (wd >= 1 && wd <= 5 && day != T("2026-03-24T00:00:00Z") / DAY) {
      want = tod >= 9 * H && tod < 17 * H;
    } else if (wd == 0) {
      /* 01:00-02:00 is skipped on the 29th; the span runs 00:30-03:30 local. */
      want = tod >= 30 * MIN && tod < 3 * H + 30 * MIN;
    }
    if (mash_calendar_is_working(c, t) != want) {
      char g[32];
      mash_clock_format(t, g, sizeof g);
      fail_msg("is_working at %s: want %d", g, want);
    }
    int64_t one = mash_calendar_working_between(c, t, t + MIN);
    assert_int_equal(one, want ? MIN : 0);
    total += one;
  }
  /* 4 weekdays of 8 h (Tuesday is a holiday) and a Sunday of 2 h (3 less the skipped hour). */
  assert_int_equal(total, 4 * 8 * H + 2 * H);
  assert_int_equal(mash_calendar_working_between(c, a0, a0 + 7 * DAY), total);
  mash_calendar_destroy(&c);
}

/* ------------------------------------------------------------ configuration */

typedef struct bad_config {
  const char *tz, *hours, *holidays;
  const char *want; /* a substring of the message */
} bad_config_t;

static void test_config_errors(void **state) {
  (void)state;
  static const bad_config_t cases[] = {
      {"Europe/London", OFFICE, NULL, "zone files are not supported"},
      {":Europe/London", OFFICE, NULL, "zone files are not supported"},
      {"", OFFICE, NULL, "time zone: empty"},
      {NULL, OFFICE, NULL, "time zone: empty"},
      {"GMT", OFFICE, NULL, "expected an offset"},
      {"GM0", OFFICE, NULL, "name of 3 or more letters"},
      {"GMT25", OFFICE, NULL, "expected an offset"},
      {"GMT0:60", OFFICE, NULL, "expected an offset"},
      {"<AB>0", OFFICE, NULL, "name of 3 or more letters"},
      {"GMT0,M3.5.0,M10.5.0", OFFICE, NULL, "expected a DST name"},
      {"GMT0BST", OFFICE, NULL, "DST needs start and end rules"},
      {"GMT0BST-1", OFFICE, NULL, "DST needs start and end rules"},
      {"GMT0BST,M3.5.0/1", OFFICE, NULL, "bad DST start rule"},
      {"GMT0BST,M3.5.0/1,", OFFICE, NULL, "bad DST end rule"},
      {"GMT0BST,M13.5.0,M10.5.0", OFFICE, NULL, "bad DST start rule"},
      {"GMT0BST,M3.6.0,M10.5.0", OFFICE, NULL, "bad DST start rule"},
      {"GMT0BST,M3.5.7,M10.5.0", OFFICE, NULL, "bad DST start rule"},
      {"GMT0BST,M3.5,M10.5.0", OFFICE, NULL, "bad DST start rule"},
      {"GMT0BST,M3.5.0/168,M10.5.0", OFFICE, NULL, "bad DST start rule"},
      {"GMT0BST,J0,M10.5.0", OFFICE, NULL, "bad DST start rule"},
      {"GMT0BST,366,M10.5.0", OFFICE, NULL, "bad DST start rule"},
      {"GMT0BST,M3.5.0,M10.5.0x", OFFICE, NULL, "bad DST end rule"},
      {LONDON, NULL, NULL, "hours: missing"},
      {LONDON, "", NULL, "hours: empty"},
      {LONDON, "   ", NULL, "hours: empty"},
      {LONDON, "mon-fri", NULL, "expected a space then HH:MM-HH:MM"},
      {LONDON, "mon-fry 09:00-17:00", NULL, "expected a day after '-' at \"fry"},
      {LONDON, "monday 09:00-17:00", NULL, "expected a day (mon tue"},
      {LONDON, "09:00-17:00", NULL, "expected a day (mon tue"},
      {LONDON, "mon-fri 9-17", NULL, "expected HH:MM-HH:MM (00:00 to 24:00) at \"9-17\""},
      {LONDON, "mon-fri 09:00-24:30", NULL, "expected HH:MM-HH:MM"},
      {LONDON, "mon-fri 09:60-17:00", NULL, "expected HH:MM-HH:MM"},
      {LONDON, "mon-fri 09:0-17:00", NULL, "expected HH:MM-HH:MM"},
      {LONDON, "mon-fri 17:00-09:00", NULL, "span \"17:00-09:00\" ends before it starts"},
      {LONDON, "mon-fri 09:00-09:00", NULL, "ends before it starts"},
      {LONDON, "mon-fri 09:00-17:00; tue 12:00-13:00", NULL,
       "spans overlap on tue (09:00-17:00 and 12:00-13:00)"},
      {LONDON, "mon-fri 09:00-17:00 tue", NULL, "expected ';' or the end"},
      {LONDON, "mon-fri 09:00-17:00;; tue 18:00-19:00", NULL, "expected a day"},
      {LONDON,
       "mon 01:00-02:00,02:00-03:00,03:00-04:00,04:00-05:00,05:00-06:00,06:00-07:00,"
       "07:00-08:00,08:00-09:00,09:00-10:00",
       NULL, "more than 8 spans on mon"},
      {LONDON, OFFICE, "2026-13-01", "no such date \"2026-13-01\""},
      {LONDON, OFFICE, "2026-02-29", "no such date"},
      {LONDON, OFFICE, "1969-12-31", "no such date"},
      {LONDON, OFFICE, "2026-12-25,25-12-2026", "expected a date YYYY-MM-DD at \"25-12-2026\""},
      {LONDON, OFFICE, "2026-12-25x", "expected a date YYYY-MM-DD"},
      {LONDON, OFFICE, "2026-12-5", "expected a date YYYY-MM-DD"},
      {LONDON, OFFICE, "2026/12/25", "expected a date YYYY-MM-DD"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char err[256] = "untouched";
    mash_calendar_t *c =
        mash_calendar_new(cases[i].tz, cases[i].hours, cases[i].holidays, err, sizeof err);
    if (c != NULL || strstr(err, cases[i].want) == NULL) {
      fail_msg("case %zu (%s / %s / %s): got %s \"%s\", want \"%s\"", i,
               cases[i].tz ? cases[i].tz : "(null)", cases[i].hours ? cases[i].hours : "(null)",
               cases[i].holidays ? cases[i].holidays : "(null)", c ? "a calendar" : "NULL", err,
               cases[i].want);
    }
    /* No buffer, and a tiny one, are both safe. */
    assert_null(mash_calendar_new(cases[i].tz, cases[i].hours, cases[i].holidays, NULL, 0));
    char tiny[8];
    assert_null(
        mash_calendar_new(cases[i].tz, cases[i].hours, cases[i].holidays, tiny, sizeof tiny));
    assert_true(strlen(tiny) < sizeof tiny);
  }
}

static void test_config_accepts(void **state) {
  (void)state;
  static const char *const zones[] = {
      "UTC0",
      LONDON,
      "EST5EDT,M3.2.0,M11.1.0",
      "<+0330>-3:30",
      "<-03>3",
      "AEST-10AEDT,M10.1.0,M4.1.0/3",
      "IST-1GMT0,M10.5.0,M3.5.0/1",
      "XXX3YYY,J60/1,300",
      "NZST-12NZDT-13,M9.5.0,M4.1.0/3",
      "ABC+5:30:15",
  };
  for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
    mash_calendar_t *c = cal_new(zones[i], OFFICE, NULL);
    mash_calendar_destroy(&c);
  }
  static const char *const hours[] = {
      "Mon-Fri 09:00-17:00",
      "sat,sun 10:00-14:00",
      "fri-mon 08:00-20:00",
      "none",
      " NONE ",
      "mon-fri 09:00-17:00;",
      "mon 9:00-17:00",
      "mon 09:00-12:00 , 12:00-17:00",
      "mon-sun 00:00-24:00",
  };
  for (size_t i = 0; i < sizeof hours / sizeof hours[0]; i++) {
    mash_calendar_t *c = cal_new(LONDON, hours[i], NULL);
    mash_calendar_destroy(&c);
  }
  mash_calendar_t *c = cal_new(LONDON, OFFICE, " 2026-12-25 2026-12-28,,2026-12-25 ");
  assert_true(mash_calendar_is_holiday(c, T("2026-12-25T00:00:00Z") / DAY));
  assert_true(mash_calendar_is_holiday(c, T("2026-12-28T00:00:00Z") / DAY));
  assert_false(mash_calendar_is_holiday(c, T("2026-12-26T00:00:00Z") / DAY));
  mash_calendar_destroy(&c);
  /* Offsets with seconds: "ABC+5:30:15" is 5:30:15 west. */
  c = cal_new("ABC+5:30:15", "none", NULL);
  assert_int_equal(mash_calendar_utc_offset_ms(c, 0), -(5 * H + 30 * MIN + 15000));
  mash_calendar_destroy(&c);
  /* A DST offset given explicitly: New Zealand's -13 is 13 h east. */
  c = cal_new("NZST-12NZDT-13,M9.5.0,M4.1.0/3", "none", NULL);
  assert_int_equal(mash_calendar_utc_offset_ms(c, T("2026-01-01T00:00:00Z")), 13 * H);
  mash_calendar_destroy(&c);
  /* Destroy tolerates NULL. */
  mash_calendar_destroy(NULL);
  mash_calendar_destroy(&c);
}

/* A calendar with no working hours must answer at once, not walk to 9999. */
static void test_no_working_hours(void **state) {
  (void)state;
  mash_calendar_t *c = cal_new(LONDON, "none", NULL);
  int64_t s = T("2026-02-02T10:00:00Z");
  assert_false(mash_calendar_has_hours(c));
  assert_int_equal(mash_calendar_add_working(c, s, 1), NEVER);
  assert_int_equal(mash_calendar_add_working(c, s, 24 * H), NEVER);
  assert_int_equal(mash_calendar_add_working(c, s, 0), s);
  assert_int_equal(mash_calendar_next_working(c, s), NEVER);
  assert_int_equal(mash_calendar_working_between(c, s, s + 365 * DAY), 0);
  assert_false(mash_calendar_is_working(c, s));

  mash_deadline_policy_t p;
  mash_deadline_policy_default(&p);
  assert_int_equal(mash_deadline_reply_due(&p, c, AMBER, s), NEVER);
  assert_int_equal(mash_deadline_reply_due(&p, c, GREEN, s), NEVER);
  assert_int_equal(mash_deadline_decision_due(&p, c, s), NEVER);
  assert_int_equal(mash_deadline_reply_due(&p, c, RED, s), s + 4 * H);
  assert_int_equal(mash_deadline_at_fraction(&p, c, AMBER, s, NEVER, 750), NEVER);

  /* The policy check names the first window that cannot work. */
  char err[256] = "";
  assert_int_equal(mash_deadline_policy_check(&p, c, err, sizeof err), -EINVAL);
  assert_non_null(strstr(err, "amber window counts working time"));
  p.amber.clock = p.green.clock = p.decision.clock = MASH_DEADLINE_WALL;
  assert_int_equal(mash_deadline_policy_check(&p, c, err, sizeof err), 0);
  assert_int_equal(mash_deadline_policy_check(&p, NULL, err, sizeof err), 0);
  mash_calendar_destroy(&c);

  /* Hours on one day a week, with that day a holiday for a while: still finite. */
  c = cal_new(LONDON, "wed 10:00-11:00", "2026-02-04,2026-02-11,2026-02-18");
  assert_instant(mash_calendar_add_working(c, s, H), "2026-02-25T11:00:00Z");
  mash_calendar_destroy(&c);
}

static void test_policy_check(void **state) {
  (void)state;
  mash_calendar_t *c = cal_new(LONDON, OFFICE, NULL);
  mash_deadline_policy_t p;
  mash_deadline_policy_default(&p);
  char err[256] = "";
  assert_int_equal(mash_deadline_policy_check(&p, c, err, sizeof err), 0);
  assert_int_equal(p.red.minutes, 240);
  assert_int_equal(p.red.clock, MASH_DEADLINE_WALL);
  assert_int_equal(p.amber.minutes, 1440);
  assert_int_equal(p.amber.clock, MASH_DEADLINE_WORKING);
  assert_int_equal(p.green.minutes, 4320);
  assert_int_equal(p.green.clock, MASH_DEADLINE_WORKING);
  assert_int_equal(p.screening.minutes, 240);
  assert_int_equal(p.screening.clock, MASH_DEADLINE_WALL);
  assert_int_equal(p.decision.minutes, 480);
  assert_int_equal(p.decision.clock, MASH_DEADLINE_WORKING);

  p.red.minutes = 0;
  assert_int_equal(mash_deadline_policy_check(&p, c, err, sizeof err), -EINVAL);
  assert_non_null(strstr(err, "red window must be 1 to"));
  assert_int_equal(mash_deadline_reply_due(&p, c, RED, 0), NEVER);
  mash_deadline_policy_default(&p);
  p.screening.minutes = MASH_DEADLINE_MAX_MINUTES + 1;
  assert_int_equal(mash_deadline_policy_check(&p, c, err, sizeof err), -EINVAL);
  assert_non_null(strstr(err, "screening window"));
  mash_deadline_policy_default(&p);
  p.decision.clock = (mash_deadline_clock_t)7;
  assert_int_equal(mash_deadline_policy_check(&p, c, err, sizeof err), -EINVAL);
  assert_non_null(strstr(err, "decision window"));
  mash_deadline_policy_default(&p);
  assert_int_equal(mash_deadline_policy_check(&p, NULL, err, sizeof err), -EINVAL);
  assert_int_equal(mash_deadline_policy_check(NULL, c, err, sizeof err), -EINVAL);
  assert_int_equal(mash_deadline_policy_check(NULL, c, NULL, 0), -EINVAL);
  mash_deadline_policy_default(NULL);
  mash_calendar_destroy(&c);
}

static void test_range_limits(void **state) {
  (void)state;
  mash_calendar_t *c = cal_new(LONDON, OFFICE, NULL);
  mash_deadline_policy_t p;
  mash_deadline_policy_default(&p);
  int64_t s = T("2026-02-02T10:00:00Z");
  assert_int_equal(mash_calendar_add_working(c, s, -1), NEVER);
  assert_int_equal(mash_calendar_add_working(c, -1, H), NEVER);
  assert_int_equal(mash_calendar_add_working(NULL, s, H), NEVER);
  assert_int_equal(mash_calendar_add_working(c, MASH_CALENDAR_MAX_MS, H), NEVER);
  assert_int_equal(mash_calendar_add_working(c, s, INT64_MAX), NEVER);
  assert_int_equal(mash_calendar_add_working(c, INT64_MAX, 0), NEVER);
  assert_int_equal(mash_calendar_next_working(c, INT64_MIN), NEVER);
  assert_int_equal(mash_deadline_reply_due(&p, c, RED, MASH_CALENDAR_MAX_MS), NEVER);
  assert_int_equal(mash_deadline_reply_due(&p, c, RED, -5), NEVER);
  /* 9999-12-31 is a Friday: its last working hour can still be counted. */
  assert_instant(mash_calendar_add_working(c, T("9999-12-31T16:00:00Z"), H),
                 "9999-12-31T17:00:00Z");
  assert_int_equal(mash_calendar_add_working(c, T("9999-12-31T16:00:00Z"), H + 1), NEVER);
  /* The epoch itself (Thursday 1 January 1970, GMT all year by this rule). */
  assert_instant(mash_calendar_add_working(c, 0, H), "1970-01-01T10:00:00Z");
  /* Conversions clamp rather than overflow; between clamps too. */
  (void)mash_calendar_to_local(c, INT64_MAX);
  (void)mash_calendar_from_local(c, INT64_MIN);
  (void)mash_calendar_utc_offset_ms(c, INT64_MIN);
  (void)mash_calendar_is_working(c, INT64_MAX);
  assert_int_equal(mash_calendar_working_between(c, INT64_MIN, 0), 0);
  assert_int_equal(mash_calendar_working_between(NULL, 0, s), 0);
  assert_int_equal(mash_calendar_working_between(c, s, s), 0);
  assert_false(mash_calendar_is_holiday(NULL, 0));
  assert_false(mash_calendar_has_hours(NULL));
  mash_calendar_destroy(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tz_utc),
      cmocka_unit_test(test_tz_fixed_offsets),
      cmocka_unit_test(test_tz_london_changes),
      cmocka_unit_test(test_tz_london_local_to_utc),
      cmocka_unit_test(test_tz_dst_all_year),
      cmocka_unit_test(test_tz_matches_libc),
      cmocka_unit_test(test_tz_southern_hemisphere),
      cmocka_unit_test(test_weekend),
      cmocka_unit_test(test_before_and_after_hours),
      cmocka_unit_test(test_bank_holidays),
      cmocka_unit_test(test_split_and_short_days),
      cmocka_unit_test(test_dst_spring),
      cmocka_unit_test(test_dst_autumn),
      cmocka_unit_test(test_red_round_the_clock),
      cmocka_unit_test(test_amber_and_green),
      cmocka_unit_test(test_screening_and_decision),
      cmocka_unit_test(test_no_enquiry_ratings),
      cmocka_unit_test(test_fractions),
      cmocka_unit_test(test_inverse_sweep),
      cmocka_unit_test(test_every_minute_of_a_week),
      cmocka_unit_test(test_config_errors),
      cmocka_unit_test(test_config_accepts),
      cmocka_unit_test(test_no_working_hours),
      cmocka_unit_test(test_policy_check),
      cmocka_unit_test(test_range_limits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
