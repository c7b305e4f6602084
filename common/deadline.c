/* deadline: the working calendar and the reply, screening and decision
 * windows of the hub.
 *
 * Responsible for: parsing the calendar configuration (a POSIX TZ rule,
 * weekly working hours, bank holidays), the time-zone arithmetic of that rule
 * done by hand, counting working time, and the due instants of the policy.
 * Must not: do I/O, log, read the clock or the environment (TZ, localtime),
 * or keep global state. Every function is a pure function of its arguments;
 * a calendar is immutable once made, so all of them are safe from any thread.
 */
#include "deadline.h"

#include "civil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS INT64_C(86400000)
#define HOUR_MS INT64_C(3600000)
#define MINUTE_MS INT64_C(60000)
#define SECOND_MS INT64_C(1000)

/* Conversions clamp their argument to the supported range widened by a few
 * days, so that local times either side of the range stay meaningful and no
 * arithmetic can overflow. */
#define WIDE_MIN_MS (MASH_CALENDAR_MIN_MS - 7 * DAY_MS)
#define WIDE_MAX_MS (MASH_CALENDAR_MAX_MS + 7 * DAY_MS)

typedef enum rule_kind {
  RULE_MONTH,   /* Mm.w.d */
  RULE_JULIAN1, /* Jn: 1..365, 29 February never counted */
  RULE_JULIAN0, /* n: 0..365, 29 February counted */
} rule_kind_t;

typedef struct tz_rule {
  rule_kind_t kind;
  int month, week, wday; /* RULE_MONTH */
  int day;               /* RULE_JULIAN1, RULE_JULIAN0 */
  int64_t time_ms;       /* local time of the change, in the offset then in force */
} tz_rule_t;

typedef struct span {
  int32_t start_min, end_min; /* local minutes of the day, start < end <= 1440 */
} span_t;

struct mash_calendar {
  int64_t std_east_ms; /* standard offset, east of Greenwich */
  int64_t dst_east_ms;
  bool has_dst;
  tz_rule_t dst_on, dst_off;
  span_t spans[7][MASH_CALENDAR_MAX_SPANS]; /* by weekday, 0 = Sunday, sorted */
  int nspans[7];
  bool has_hours;
  int64_t *holidays; /* sorted, unique local days since 1970-01-01 */
  size_t nholidays;
};

/* ------------------------------------------------------------ date arithmetic */

static int64_t s_clamp(int64_t v, int64_t lo, int64_t hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

/* ------------------------------------------------------------ time-zone rule */

static int64_t s_rule_day(const tz_rule_t *r, int64_t year) {
  int64_t jan1 = mash_civil_days(year, 1, 1);
  switch (r->kind) {
  case RULE_JULIAN1:
    return jan1 + r->day - 1 + (mash_civil_is_leap(year) && r->day >= 60 ? 1 : 0);
  case RULE_JULIAN0:
    return jan1 + r->day;
  case RULE_MONTH:
  default: {
    int64_t first = mash_civil_days(year, r->month, 1);
    int64_t d = first + (r->wday - mash_civil_weekday(first) + 7) % 7 + (int64_t)(r->week - 1) * 7;
    /* Week 5 means the last such weekday, which may be the fourth. */
    while (d >= first + mash_civil_days_in_month(year, r->month)) {
      d -= 7;
    }
    return d;
  }
  }
}

/* The UTC instants DST begins and ends in a year. The start time is given in
 * standard time and the end time in daylight time (POSIX). */
static void s_transitions(const mash_calendar_t *c, int64_t year, int64_t *on, int64_t *off) {
  *on = s_rule_day(&c->dst_on, year) * DAY_MS + c->dst_on.time_ms - c->std_east_ms;
  *off = s_rule_day(&c->dst_off, year) * DAY_MS + c->dst_off.time_ms - c->dst_east_ms;
}

static int64_t s_year_at(const mash_calendar_t *c, int64_t t) {
  return mash_civil_date_of_days(mash_civil_day_of_ms(t + c->std_east_ms)).year;
}

/* The latest transition at or before t decides. Looking at the year either
 * side copes with the southern hemisphere (DST across new year) and with
 * rule times that push a change into the next or previous year. On a tie
 * the start wins, so "J1/0,J365/25" is DST all year, as in glibc. */
static bool s_is_dst(const mash_calendar_t *c, int64_t t) {
  if (!c->has_dst) {
    return false;
  }
  int64_t year = s_year_at(c, t);
  bool found = false, dst = false;
  int64_t best = 0;
  for (int64_t y = year - 1; y <= year + 1; y++) {
    int64_t on, off;
    s_transitions(c, y, &on, &off);
    if (off <= t && (!found || off > best)) {
      best = off;
      dst = false;
      found = true;
    }
    if (on <= t && (!found || on >= best)) {
      best = on;
      dst = true;
      found = true;
    }
  }
  return dst;
}

static int64_t s_offset(const mash_calendar_t *c, int64_t t) {
  return s_is_dst(c, t) ? c->dst_east_ms : c->std_east_ms;
}

/* The earliest transition in (lo, hi], or hi if there is none. */
static int64_t s_transition_in(const mash_calendar_t *c, int64_t lo, int64_t hi) {
  int64_t year = s_year_at(c, lo);
  int64_t best = hi;
  for (int64_t y = year - 1; y <= year + 1; y++) {
    int64_t t[2];
    s_transitions(c, y, &t[0], &t[1]);
    for (int i = 0; i < 2; i++) {
      if (t[i] > lo && t[i] < best) {
        best = t[i];
      }
    }
  }
  return best;
}

static int64_t s_from_local(const mash_calendar_t *c, int64_t local) {
  int64_t us = local - c->std_east_ms;
  if (!c->has_dst) {
    return us;
  }
  int64_t ud = local - c->dst_east_ms;
  bool std_ok = !s_is_dst(c, us);
  bool dst_ok = s_is_dst(c, ud);
  if (std_ok && dst_ok) {
    return us < ud ? us : ud; /* repeated hour: the first time round */
  }
  if (std_ok) {
    return us;
  }
  if (dst_ok) {
    return ud;
  }
  /* Skipped hour: the instant the clocks jumped, which keeps the mapping
   * non-decreasing (shifting forward by the gap would not). */
  int64_t lo = us < ud ? us : ud, hi = us < ud ? ud : us;
  return s_transition_in(c, lo, hi);
}

static int64_t s_local_day(const mash_calendar_t *c, int64_t t) {
  return mash_civil_day_of_ms(t + s_offset(c, t));
}

/* ------------------------------------------------------------ working spans */

static int s_cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

bool mash_calendar_is_holiday(const mash_calendar_t *cal, int64_t local_day) {
  if (cal == NULL || cal->nholidays == 0) {
    return false;
  }
  return bsearch(&local_day, cal->holidays, cal->nholidays, sizeof *cal->holidays, s_cmp_i64) !=
         NULL;
}

/* The working spans of a local day as UTC [start, end) pairs, in order.
 * Spans that a clock change squeezes to nothing are dropped. */
static int s_day_spans(const mash_calendar_t *c, int64_t day, int64_t *s, int64_t *e) {
  if (mash_calendar_is_holiday(c, day)) {
    return 0;
  }
  int wd = mash_civil_weekday(day);
  int n = 0;
  for (int i = 0; i < c->nspans[wd]; i++) {
    int64_t a = s_from_local(c, day * DAY_MS + c->spans[wd][i].start_min * MINUTE_MS);
    int64_t b = s_from_local(c, day * DAY_MS + c->spans[wd][i].end_min * MINUTE_MS);
    if (b > a) {
      s[n] = a;
      e[n] = b;
      n++;
    }
  }
  return n;
}

/* The first day whose spans can reach t. A day's spans lie within its local
 * midnights, so starting a day early is always safe. */
static int64_t s_first_day(const mash_calendar_t *c, int64_t t) {
  return s_local_day(c, t) - 1;
}

static const int64_t s_last_day = MASH_CALENDAR_MAX_MS / DAY_MS + 1;

int64_t mash_calendar_add_working(const mash_calendar_t *cal, int64_t start_utc_ms,
                                  int64_t working_ms) {
  if (cal == NULL || working_ms < 0 || start_utc_ms < MASH_CALENDAR_MIN_MS ||
      start_utc_ms > MASH_CALENDAR_MAX_MS) {
    return MASH_DEADLINE_NEVER;
  }
  if (working_ms == 0) {
    return start_utc_ms;
  }
  /* Without hours no day would ever contribute: answer now, not after
   * walking to the year 9999. Working time never outruns real time either. */
  if (!cal->has_hours || working_ms > MASH_CALENDAR_MAX_MS - start_utc_ms) {
    return MASH_DEADLINE_NEVER;
  }
  int64_t remaining = working_ms;
  int64_t s[MASH_CALENDAR_MAX_SPANS], e[MASH_CALENDAR_MAX_SPANS];
  for (int64_t day = s_first_day(cal, start_utc_ms); day <= s_last_day; day++) {
    int n = s_day_spans(cal, day, s, e);
    for (int i = 0; i < n; i++) {
      if (e[i] <= start_utc_ms) {
        continue;
      }
      int64_t from = s[i] > start_utc_ms ? s[i] : start_utc_ms;
      if (e[i] - from >= remaining) {
        int64_t due = from + remaining;
        return due > MASH_CALENDAR_MAX_MS ? MASH_DEADLINE_NEVER : due;
      }
      remaining -= e[i] - from;
    }
  }
  return MASH_DEADLINE_NEVER;
}

int64_t mash_calendar_working_between(const mash_calendar_t *cal, int64_t a_utc_ms,
                                      int64_t b_utc_ms) {
  if (cal == NULL) {
    return 0;
  }
  if (b_utc_ms < a_utc_ms) {
    return -mash_calendar_working_between(cal, b_utc_ms, a_utc_ms);
  }
  int64_t a = s_clamp(a_utc_ms, MASH_CALENDAR_MIN_MS, MASH_CALENDAR_MAX_MS + 1);
  int64_t b = s_clamp(b_utc_ms, MASH_CALENDAR_MIN_MS, MASH_CALENDAR_MAX_MS + 1);
  if (!cal->has_hours || a == b) {
    return 0;
  }
  int64_t total = 0;
  int64_t s[MASH_CALENDAR_MAX_SPANS], e[MASH_CALENDAR_MAX_SPANS];
  int64_t last = s_local_day(cal, b) + 1;
  for (int64_t day = s_first_day(cal, a); day <= last; day++) {
    int n = s_day_spans(cal, day, s, e);
    for (int i = 0; i < n; i++) {
      int64_t lo = s[i] > a ? s[i] : a;
      int64_t hi = e[i] < b ? e[i] : b;
      if (hi > lo) {
        total += hi - lo;
      }
    }
  }
  return total;
}

int64_t mash_calendar_next_working(const mash_calendar_t *cal, int64_t utc_ms) {
  if (cal == NULL || !cal->has_hours || utc_ms < MASH_CALENDAR_MIN_MS ||
      utc_ms > MASH_CALENDAR_MAX_MS) {
    return MASH_DEADLINE_NEVER;
  }
  int64_t s[MASH_CALENDAR_MAX_SPANS], e[MASH_CALENDAR_MAX_SPANS];
  for (int64_t day = s_first_day(cal, utc_ms); day <= s_last_day; day++) {
    int n = s_day_spans(cal, day, s, e);
    for (int i = 0; i < n; i++) {
      if (e[i] > utc_ms) {
        int64_t at = s[i] > utc_ms ? s[i] : utc_ms;
        return at > MASH_CALENDAR_MAX_MS ? MASH_DEADLINE_NEVER : at;
      }
    }
  }
  return MASH_DEADLINE_NEVER;
}

bool mash_calendar_is_working(const mash_calendar_t *cal, int64_t utc_ms) {
  if (cal == NULL || !cal->has_hours) {
    return false;
  }
  int64_t t = s_clamp(utc_ms, WIDE_MIN_MS, WIDE_MAX_MS);
  int64_t s[MASH_CALENDAR_MAX_SPANS], e[MASH_CALENDAR_MAX_SPANS];
  for (int64_t day = s_first_day(cal, t); day <= s_local_day(cal, t) + 1; day++) {
    int n = s_day_spans(cal, day, s, e);
    for (int i = 0; i < n; i++) {
      if (s[i] <= t && t < e[i]) {
        return true;
      }
    }
  }
  return false;
}

bool mash_calendar_has_hours(const mash_calendar_t *cal) {
  return cal != NULL && cal->has_hours;
}

int64_t mash_calendar_utc_offset_ms(const mash_calendar_t *cal, int64_t utc_ms) {
  return cal == NULL ? 0 : s_offset(cal, s_clamp(utc_ms, WIDE_MIN_MS, WIDE_MAX_MS));
}

bool mash_calendar_is_dst(const mash_calendar_t *cal, int64_t utc_ms) {
  return cal != NULL && s_is_dst(cal, s_clamp(utc_ms, WIDE_MIN_MS, WIDE_MAX_MS));
}

int64_t mash_calendar_to_local(const mash_calendar_t *cal, int64_t utc_ms) {
  int64_t t = s_clamp(utc_ms, WIDE_MIN_MS, WIDE_MAX_MS);
  return cal == NULL ? t : t + s_offset(cal, t);
}

int64_t mash_calendar_from_local(const mash_calendar_t *cal, int64_t local_ms) {
  int64_t l = s_clamp(local_ms, WIDE_MIN_MS, WIDE_MAX_MS);
  return cal == NULL ? l : s_from_local(cal, l);
}

/* ------------------------------------------------------------------- parsing */

#if defined(__GNUC__)
#define S_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define S_PRINTF(a, b)
#endif

static void s_fail(char *err, size_t errlen, const char *fmt, ...) S_PRINTF(3, 4);

/* Write a message into the caller's buffer, if it gave one. */
static void s_fail(char *err, size_t errlen, const char *fmt, ...) {
  if (err == NULL || errlen == 0) {
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

static bool s_is_digit(char c) {
  return c >= '0' && c <= '9';
}

static bool s_is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool s_is_space(char c) {
  return c == ' ' || c == '\t';
}

static char s_lower(char c) {
  return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Consume c if it is next; never steps past the terminating NUL. */
static bool s_expect(const char **p, char c) {
  if (**p != c) {
    return false;
  }
  (*p)++;
  return true;
}

static void s_skip_space(const char **p) {
  while (s_is_space(**p)) {
    (*p)++;
  }
}

/* 1 .. maxdigits decimal digits. */
static bool s_number(const char **p, int maxdigits, int *value) {
  int v = 0, n = 0;
  while (s_is_digit(**p) && n < maxdigits) {
    v = v * 10 + (**p - '0');
    (*p)++;
    n++;
  }
  if (n == 0 || s_is_digit(**p)) {
    return false;
  }
  *value = v;
  return true;
}

/* A zone name: three or more letters, or "<...>" of letters, digits, + and -. */
static bool s_tz_name(const char **p) {
  const char *q = *p;
  int n = 0;
  if (*q == '<') {
    q++;
    while (s_is_alpha(*q) || s_is_digit(*q) || *q == '+' || *q == '-') {
      q++;
      n++;
    }
    if (*q != '>' || n < 3) {
      return false;
    }
    *p = q + 1;
    return true;
  }
  while (s_is_alpha(q[n])) {
    n++;
  }
  if (n < 3) {
    return false;
  }
  *p = q + n;
  return true;
}

/* [+|-]hh[:mm[:ss]] with hh <= max_hours. */
static bool s_tz_time(const char **p, int max_hours, int64_t *ms) {
  int64_t sign = 1;
  if (**p == '+' || **p == '-') {
    sign = **p == '-' ? -1 : 1;
    (*p)++;
  }
  int h, m = 0, sec = 0;
  if (!s_number(p, 3, &h) || h > max_hours) {
    return false;
  }
  if (**p == ':') {
    (*p)++;
    if (!s_number(p, 2, &m) || m > 59) {
      return false;
    }
    if (**p == ':') {
      (*p)++;
      if (!s_number(p, 2, &sec) || sec > 59) {
        return false;
      }
    }
  }
  *ms = sign * (h * HOUR_MS + m * MINUTE_MS + sec * SECOND_MS);
  return true;
}

static bool s_tz_rule(const char **p, tz_rule_t *r) {
  *r = (tz_rule_t){0};
  if (**p == 'M') {
    (*p)++;
    r->kind = RULE_MONTH;
    if (!s_number(p, 2, &r->month) || r->month < 1 || r->month > 12 || !s_expect(p, '.') ||
        !s_number(p, 1, &r->week) || r->week < 1 || r->week > 5 || !s_expect(p, '.') ||
        !s_number(p, 1, &r->wday) || r->wday > 6) {
      return false;
    }
  } else if (**p == 'J') {
    (*p)++;
    r->kind = RULE_JULIAN1;
    if (!s_number(p, 3, &r->day) || r->day < 1 || r->day > 365) {
      return false;
    }
  } else {
    r->kind = RULE_JULIAN0;
    if (!s_number(p, 3, &r->day) || r->day > 365) {
      return false;
    }
  }
  r->time_ms = 2 * HOUR_MS;
  if (**p == '/') {
    (*p)++;
    return s_tz_time(p, 167, &r->time_ms);
  }
  return true;
}

#define TZ_HINT "give a POSIX rule such as \"GMT0BST,M3.5.0/1,M10.5.0\" or \"UTC0\""

static bool s_parse_tz(mash_calendar_t *c, const char *tz, char *err, size_t errlen) {
  if (tz == NULL || *tz == '\0') {
    s_fail(err, errlen, "time zone: empty; " TZ_HINT);
    return false;
  }
  /* "Europe/London" and ":Europe/London" name zone files, which a pure
   * module cannot read; say so rather than "bad offset". */
  if (*tz == ':' || (strchr(tz, '/') != NULL && strchr(tz, ',') == NULL)) {
    s_fail(err, errlen, "time zone \"%.64s\": zone files are not supported; " TZ_HINT, tz);
    return false;
  }
  const char *p = tz;
  int64_t off;
  if (!s_tz_name(&p)) {
    s_fail(err, errlen,
           "time zone \"%.64s\": expected a name of 3 or more letters at \"%.32s\"; " TZ_HINT, tz,
           p);
    return false;
  }
  if (!s_tz_time(&p, 24, &off)) {
    s_fail(err, errlen, "time zone \"%.64s\": expected an offset [+-]hh[:mm[:ss]] at \"%.32s\"", tz,
           p);
    return false;
  }
  c->std_east_ms = -off; /* POSIX offsets count west of Greenwich */
  if (*p == '\0') {
    return true;
  }
  if (!s_tz_name(&p)) {
    s_fail(err, errlen, "time zone \"%.64s\": expected a DST name at \"%.32s\"", tz, p);
    return false;
  }
  c->has_dst = true;
  c->dst_east_ms = c->std_east_ms + HOUR_MS;
  if (*p != ',' && *p != '\0') {
    if (!s_tz_time(&p, 24, &off)) {
      s_fail(err, errlen, "time zone \"%.64s\": expected a DST offset at \"%.32s\"", tz, p);
      return false;
    }
    c->dst_east_ms = -off;
  }
  if (*p != ',') {
    s_fail(err, errlen,
           "time zone \"%.64s\": DST needs start and end rules (\",M3.5.0/1,M10.5.0\")", tz);
    return false;
  }
  p++;
  if (!s_tz_rule(&p, &c->dst_on) || !s_expect(&p, ',')) {
    s_fail(err, errlen, "time zone \"%.64s\": bad DST start rule; expected Mm.w.d[/time], Jn or n",
           tz);
    return false;
  }
  if (!s_tz_rule(&p, &c->dst_off) || *p != '\0') {
    s_fail(err, errlen, "time zone \"%.64s\": bad DST end rule; expected Mm.w.d[/time], Jn or n",
           tz);
    return false;
  }
  return true;
}

/* Weekdays in the order people write ranges, Monday first. */
static const char *const s_day_names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

/* A day name -> its index in s_day_names, or -1. */
static int s_day_name(const char **p) {
  const char *q = *p;
  int n = 0;
  while (s_is_alpha(q[n])) {
    n++;
  }
  if (n != 3) {
    return -1;
  }
  for (int i = 0; i < 7; i++) {
    if (s_lower(q[0]) == s_day_names[i][0] && s_lower(q[1]) == s_day_names[i][1] &&
        s_lower(q[2]) == s_day_names[i][2]) {
      *p = q + 3;
      return i;
    }
  }
  return -1;
}

/* HH:MM -> minutes of the day, 00:00 .. 24:00. */
static bool s_clock_time(const char **p, int32_t *minutes) {
  int h, m;
  if (!s_number(p, 2, &h) || **p != ':') {
    return false;
  }
  (*p)++;
  const char *q = *p;
  if (!s_number(p, 2, &m) || *p - q != 2 || m > 59 || h > 24 || (h == 24 && m != 0)) {
    return false;
  }
  *minutes = h * 60 + m;
  return true;
}

static int s_cmp_span(const void *a, const void *b) {
  const span_t *x = a, *y = b;
  return (x->start_min > y->start_min) - (x->start_min < y->start_min);
}

/* One group "DAYS SPANS" into the calendar; *p is left after it. */
static bool s_parse_group(mash_calendar_t *c, const char **p, const char *hours, char *err,
                          size_t errlen) {
  bool days[7] = {false};
  for (;;) {
    const char *at = *p;
    int a = s_day_name(p);
    if (a < 0) {
      s_fail(err, errlen,
             "hours \"%.64s\": expected a day (mon tue wed thu fri sat sun) at \"%.32s\"", hours,
             at);
      return false;
    }
    int b = a;
    if (**p == '-') {
      (*p)++;
      at = *p;
      b = s_day_name(p);
      if (b < 0) {
        s_fail(err, errlen, "hours \"%.64s\": expected a day after '-' at \"%.32s\"", hours, at);
        return false;
      }
    }
    for (int i = a;; i = (i + 1) % 7) {
      days[i] = true;
      if (i == b) {
        break;
      }
    }
    if (**p != ',') {
      break;
    }
    (*p)++;
  }
  if (!s_is_space(**p)) {
    s_fail(err, errlen, "hours \"%.64s\": expected a space then HH:MM-HH:MM at \"%.32s\"", hours,
           *p);
    return false;
  }
  for (;;) {
    s_skip_space(p);
    const char *at = *p;
    span_t sp;
    if (!s_clock_time(p, &sp.start_min) || !s_expect(p, '-') || !s_clock_time(p, &sp.end_min)) {
      s_fail(err, errlen, "hours \"%.64s\": expected HH:MM-HH:MM (00:00 to 24:00) at \"%.32s\"",
             hours, at);
      return false;
    }
    if (sp.start_min >= sp.end_min) {
      s_fail(err, errlen, "hours \"%.64s\": span \"%.11s\" ends before it starts", hours, at);
      return false;
    }
    for (int i = 0; i < 7; i++) {
      if (!days[i]) {
        continue;
      }
      int wd = (i + 1) % 7; /* Monday-first index -> weekday with 0 = Sunday */
      if (c->nspans[wd] == MASH_CALENDAR_MAX_SPANS) {
        s_fail(err, errlen, "hours \"%.64s\": more than %d spans on %s", hours,
               MASH_CALENDAR_MAX_SPANS, s_day_names[i]);
        return false;
      }
      c->spans[wd][c->nspans[wd]++] = sp;
    }
    s_skip_space(p);
    if (**p != ',') {
      return true;
    }
    (*p)++;
  }
}

static bool s_parse_hours(mash_calendar_t *c, const char *hours, char *err, size_t errlen) {
  if (hours == NULL) {
    s_fail(err, errlen, "hours: missing; give e.g. \"mon-fri 09:00-17:00\" or \"none\"");
    return false;
  }
  const char *p = hours;
  s_skip_space(&p);
  if (*p == '\0') {
    s_fail(err, errlen, "hours: empty; give e.g. \"mon-fri 09:00-17:00\" or \"none\"");
    return false;
  }
  if (s_lower(p[0]) == 'n' && s_lower(p[1]) == 'o' && s_lower(p[2]) == 'n' &&
      s_lower(p[3]) == 'e') {
    const char *q = p + 4;
    s_skip_space(&q);
    if (*q == '\0') {
      return true;
    }
  }
  for (;;) {
    if (!s_parse_group(c, &p, hours, err, errlen)) {
      return false;
    }
    if (*p == '\0') {
      break;
    }
    if (*p != ';') {
      s_fail(err, errlen, "hours \"%.64s\": expected ';' or the end at \"%.32s\"", hours, p);
      return false;
    }
    p++;
    s_skip_space(&p);
    if (*p == '\0') {
      break; /* a trailing ';' is harmless */
    }
  }
  for (int wd = 0; wd < 7; wd++) {
    span_t *s = c->spans[wd];
    qsort(s, (size_t)c->nspans[wd], sizeof *s, s_cmp_span);
    for (int i = 1; i < c->nspans[wd]; i++) {
      if (s[i].start_min < s[i - 1].end_min) {
        s_fail(err, errlen,
               "hours \"%.64s\": spans overlap on %s (%02d:%02d-%02d:%02d and %02d:%02d-%02d:%02d)",
               hours, s_day_names[(wd + 6) % 7], s[i - 1].start_min / 60, s[i - 1].start_min % 60,
               s[i - 1].end_min / 60, s[i - 1].end_min % 60, s[i].start_min / 60,
               s[i].start_min % 60, s[i].end_min / 60, s[i].end_min % 60);
        return false;
      }
    }
    if (c->nspans[wd] > 0) {
      c->has_hours = true;
    }
  }
  return true;
}

static bool s_parse_holidays(mash_calendar_t *c, const char *holidays, char *err, size_t errlen) {
  if (holidays == NULL) {
    return true;
  }
  /* Every date takes ten characters, which bounds the count before parsing. */
  size_t cap = strlen(holidays) / 10;
  if (cap > MASH_CALENDAR_MAX_HOLIDAYS) {
    cap = MASH_CALENDAR_MAX_HOLIDAYS;
  }
  if (cap == 0) {
    cap = 1;
  }
  c->holidays = malloc(cap * sizeof *c->holidays);
  if (c->holidays == NULL) {
    s_fail(err, errlen, "holidays: out of memory");
    return false;
  }
  const char *p = holidays;
  for (;;) {
    while (*p == ',' || s_is_space(*p)) {
      p++;
    }
    if (*p == '\0') {
      break;
    }
    const char *at = p;
    mash_civil_date_t date;
    int rc = mash_civil_scan_date(p, &date);
    p += rc == -EINVAL ? 0 : 10;
    if (rc == -EINVAL || (*p != '\0' && *p != ',' && !s_is_space(*p))) {
      s_fail(err, errlen, "holidays: expected a date YYYY-MM-DD at \"%.32s\"", at);
      return false;
    }
    if (rc != 0 || date.year < 1970) {
      s_fail(err, errlen, "holidays: no such date \"%.10s\"", at);
      return false;
    }
    if (c->nholidays == cap) {
      s_fail(err, errlen, "holidays: more than %d dates", MASH_CALENDAR_MAX_HOLIDAYS);
      return false;
    }
    c->holidays[c->nholidays++] = mash_civil_days(date.year, date.month, date.day);
  }
  qsort(c->holidays, c->nholidays, sizeof *c->holidays, s_cmp_i64);
  size_t n = 0;
  for (size_t i = 0; i < c->nholidays; i++) {
    if (n == 0 || c->holidays[n - 1] != c->holidays[i]) {
      c->holidays[n++] = c->holidays[i];
    }
  }
  c->nholidays = n;
  return true;
}

mash_calendar_t *mash_calendar_new(const char *tz, const char *hours, const char *holidays,
                                   char *err, size_t errlen) {
  if (err != NULL && errlen > 0) {
    err[0] = '\0';
  }
  mash_calendar_t *c = calloc(1, sizeof *c);
  if (c == NULL) {
    s_fail(err, errlen, "calendar: out of memory");
    return NULL;
  }
  if (!s_parse_tz(c, tz, err, errlen) || !s_parse_hours(c, hours, err, errlen) ||
      !s_parse_holidays(c, holidays, err, errlen)) {
    mash_calendar_destroy(&c);
    return NULL;
  }
  return c;
}

void mash_calendar_destroy(mash_calendar_t **self_p) {
  if (self_p == NULL || *self_p == NULL) {
    return;
  }
  free((*self_p)->holidays);
  free(*self_p);
  *self_p = NULL;
}

/* -------------------------------------------------------------------- policy */

void mash_deadline_policy_default(mash_deadline_policy_t *policy) {
  if (policy == NULL) {
    return;
  }
  policy->red = (mash_deadline_window_t){4 * 60, MASH_DEADLINE_WALL};
  policy->amber = (mash_deadline_window_t){24 * 60, MASH_DEADLINE_WORKING};
  policy->green = (mash_deadline_window_t){72 * 60, MASH_DEADLINE_WORKING};
  policy->screening = (mash_deadline_window_t){4 * 60, MASH_DEADLINE_WALL};
  policy->decision = (mash_deadline_window_t){8 * 60, MASH_DEADLINE_WORKING};
}

static bool s_window_valid(const mash_deadline_window_t *w) {
  return w != NULL && w->minutes >= 1 && w->minutes <= MASH_DEADLINE_MAX_MINUTES &&
         (w->clock == MASH_DEADLINE_WALL || w->clock == MASH_DEADLINE_WORKING);
}

int mash_deadline_policy_check(const mash_deadline_policy_t *policy, const mash_calendar_t *cal,
                               char *err, size_t errlen) {
  if (policy == NULL) {
    s_fail(err, errlen, "policy: missing");
    return -EINVAL;
  }
  const struct {
    const char *name;
    const mash_deadline_window_t *w;
  } windows[] = {{"red", &policy->red},
                 {"amber", &policy->amber},
                 {"green", &policy->green},
                 {"screening", &policy->screening},
                 {"decision", &policy->decision}};
  for (size_t i = 0; i < sizeof windows / sizeof windows[0]; i++) {
    const mash_deadline_window_t *w = windows[i].w;
    if (!s_window_valid(w)) {
      s_fail(err, errlen, "policy: %s window must be 1 to %d minutes, wall or working clock",
             windows[i].name, MASH_DEADLINE_MAX_MINUTES);
      return -EINVAL;
    }
    if (w->clock == MASH_DEADLINE_WORKING && !mash_calendar_has_hours(cal)) {
      s_fail(err, errlen,
             "policy: %s window counts working time but the calendar has no working hours",
             windows[i].name);
      return -EINVAL;
    }
  }
  return 0;
}

const mash_deadline_window_t *mash_deadline_window_for(const mash_deadline_policy_t *policy,
                                                       Mash__V1__Rag rag) {
  if (policy == NULL) {
    return NULL;
  }
  switch (rag) {
  case MASH__V1__RAG__RAG_RED:
    return &policy->red;
  case MASH__V1__RAG__RAG_AMBER:
    return &policy->amber;
  case MASH__V1__RAG__RAG_GREEN:
    return &policy->green;
  default:
    return NULL;
  }
}

int64_t mash_deadline_window_due(const mash_deadline_window_t *window, const mash_calendar_t *cal,
                                 int64_t start_utc_ms) {
  if (!s_window_valid(window) || start_utc_ms < MASH_CALENDAR_MIN_MS ||
      start_utc_ms > MASH_CALENDAR_MAX_MS) {
    return MASH_DEADLINE_NEVER;
  }
  int64_t len = window->minutes * MINUTE_MS;
  if (window->clock == MASH_DEADLINE_WORKING) {
    return mash_calendar_add_working(cal, start_utc_ms, len);
  }
  return len > MASH_CALENDAR_MAX_MS - start_utc_ms ? MASH_DEADLINE_NEVER : start_utc_ms + len;
}

int64_t mash_deadline_window_at_fraction(const mash_deadline_window_t *window,
                                         const mash_calendar_t *cal, int64_t start_utc_ms,
                                         int64_t due_utc_ms, int32_t permille) {
  if (!s_window_valid(window) || permille < 0 || permille > MASH_DEADLINE_MAX_PERMILLE ||
      start_utc_ms < MASH_CALENDAR_MIN_MS || start_utc_ms > MASH_CALENDAR_MAX_MS ||
      due_utc_ms < start_utc_ms || due_utc_ms > MASH_CALENDAR_MAX_MS) {
    return MASH_DEADLINE_NEVER;
  }
  bool working = window->clock == MASH_DEADLINE_WORKING;
  int64_t len = working ? mash_calendar_working_between(cal, start_utc_ms, due_utc_ms)
                        : due_utc_ms - start_utc_ms;
  /* Split the product so that it cannot overflow: len < 2^48, permille < 2^17. */
  int64_t part = (len / 1000) * permille + (len % 1000) * permille / 1000;
  if (working) {
    return mash_calendar_add_working(cal, start_utc_ms, part);
  }
  return part > MASH_CALENDAR_MAX_MS - start_utc_ms ? MASH_DEADLINE_NEVER : start_utc_ms + part;
}

int64_t mash_deadline_reply_due(const mash_deadline_policy_t *policy, const mash_calendar_t *cal,
                                Mash__V1__Rag rag, int64_t start_utc_ms) {
  const mash_deadline_window_t *w = mash_deadline_window_for(policy, rag);
  return w == NULL ? 0 : mash_deadline_window_due(w, cal, start_utc_ms);
}

int64_t mash_deadline_screening_due(const mash_deadline_policy_t *policy,
                                    const mash_calendar_t *cal, int64_t start_utc_ms) {
  return policy == NULL ? MASH_DEADLINE_NEVER
                        : mash_deadline_window_due(&policy->screening, cal, start_utc_ms);
}

int64_t mash_deadline_decision_due(const mash_deadline_policy_t *policy, const mash_calendar_t *cal,
                                   int64_t start_utc_ms) {
  return policy == NULL ? MASH_DEADLINE_NEVER
                        : mash_deadline_window_due(&policy->decision, cal, start_utc_ms);
}

int64_t mash_deadline_at_fraction(const mash_deadline_policy_t *policy, const mash_calendar_t *cal,
                                  Mash__V1__Rag rag, int64_t start_utc_ms, int64_t due_utc_ms,
                                  int32_t permille) {
  const mash_deadline_window_t *w = mash_deadline_window_for(policy, rag);
  return w == NULL ? 0
                   : mash_deadline_window_at_fraction(w, cal, start_utc_ms, due_utc_ms, permille);
}
