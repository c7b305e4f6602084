/* calendar: the working calendar of the hub (deadline.h): working hours by
 * weekday, bank holidays and a time-zone rule, and the working time they
 * count.
 *
 * Responsible for: parsing the hours and holidays configuration, the
 * working spans of a day in UTC, counting working time forwards and between
 * instants, and the calendar's object life. The time-zone rule is
 * tz_rule.c's, the windows of the policy deadline.c's.
 * Must not: do I/O, log, read the clock or the environment (TZ, localtime),
 * or keep global state. A calendar is immutable once made, so every
 * function is safe from any thread.
 */
#include "deadline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "calendar_int.h"
#include "civil.h"
#include "tz_rule.h"

/* Conversions clamp their argument to the supported range widened by a few
 * days, so that local times either side of the range stay meaningful and no
 * arithmetic can overflow. */
#define WIDE_MIN_MS (MASH_CALENDAR_MIN_MS - 7 * DAY_MS)
#define WIDE_MAX_MS (MASH_CALENDAR_MAX_MS + 7 * DAY_MS)

typedef struct span {
  int32_t start_min, end_min; /* local minutes of the day, start < end <= 1440 */
} span_t;

struct mash_calendar {
  mash_tz_t tz;
  span_t spans[7][MASH_CALENDAR_MAX_SPANS]; /* by weekday, 0 = Sunday, sorted */
  int nspans[7];
  bool has_hours;
  int64_t *holidays; /* sorted, unique local days since 1970-01-01 */
  size_t nholidays;
};

static int64_t s_clamp(int64_t v, int64_t lo, int64_t hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

static int64_t s_local_day(const mash_calendar_t *c, int64_t t) {
  return mash_civil_day_of_ms(t + mash_tz_offset(&c->tz, t));
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
    int64_t a = mash_tz_from_local(&c->tz, day * DAY_MS + c->spans[wd][i].start_min * MINUTE_MS);
    int64_t b = mash_tz_from_local(&c->tz, day * DAY_MS + c->spans[wd][i].end_min * MINUTE_MS);
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
  return cal == NULL ? 0 : mash_tz_offset(&cal->tz, s_clamp(utc_ms, WIDE_MIN_MS, WIDE_MAX_MS));
}

bool mash_calendar_is_dst(const mash_calendar_t *cal, int64_t utc_ms) {
  return cal != NULL && mash_tz_is_dst(&cal->tz, s_clamp(utc_ms, WIDE_MIN_MS, WIDE_MAX_MS));
}

int64_t mash_calendar_to_local(const mash_calendar_t *cal, int64_t utc_ms) {
  int64_t t = s_clamp(utc_ms, WIDE_MIN_MS, WIDE_MAX_MS);
  return cal == NULL ? t : t + mash_tz_offset(&cal->tz, t);
}

int64_t mash_calendar_from_local(const mash_calendar_t *cal, int64_t local_ms) {
  int64_t l = s_clamp(local_ms, WIDE_MIN_MS, WIDE_MAX_MS);
  return cal == NULL ? l : mash_tz_from_local(&cal->tz, l);
}

/* ------------------------------------------------------------------- parsing */

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
      mash_errbuf_set(err, errlen,
                      "hours \"%.64s\": expected a day (mon tue wed thu fri sat sun) at \"%.32s\"",
                      hours, at);
      return false;
    }
    int b = a;
    if (**p == '-') {
      (*p)++;
      at = *p;
      b = s_day_name(p);
      if (b < 0) {
        mash_errbuf_set(err, errlen, "hours \"%.64s\": expected a day after '-' at \"%.32s\"",
                        hours, at);
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
    mash_errbuf_set(err, errlen, "hours \"%.64s\": expected a space then HH:MM-HH:MM at \"%.32s\"",
                    hours, *p);
    return false;
  }
  for (;;) {
    s_skip_space(p);
    const char *at = *p;
    span_t sp;
    if (!s_clock_time(p, &sp.start_min) || !s_expect(p, '-') || !s_clock_time(p, &sp.end_min)) {
      mash_errbuf_set(err, errlen,
                      "hours \"%.64s\": expected HH:MM-HH:MM (00:00 to 24:00) at \"%.32s\"", hours,
                      at);
      return false;
    }
    if (sp.start_min >= sp.end_min) {
      mash_errbuf_set(err, errlen, "hours \"%.64s\": span \"%.11s\" ends before it starts", hours,
                      at);
      return false;
    }
    for (int i = 0; i < 7; i++) {
      if (!days[i]) {
        continue;
      }
      int wd = (i + 1) % 7; /* Monday-first index -> weekday with 0 = Sunday */
      if (c->nspans[wd] == MASH_CALENDAR_MAX_SPANS) {
        mash_errbuf_set(err, errlen, "hours \"%.64s\": more than %d spans on %s", hours,
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
    mash_errbuf_set(err, errlen, "hours: missing; give e.g. \"mon-fri 09:00-17:00\" or \"none\"");
    return false;
  }
  const char *p = hours;
  s_skip_space(&p);
  if (*p == '\0') {
    mash_errbuf_set(err, errlen, "hours: empty; give e.g. \"mon-fri 09:00-17:00\" or \"none\"");
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
      mash_errbuf_set(err, errlen, "hours \"%.64s\": expected ';' or the end at \"%.32s\"", hours,
                      p);
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
        mash_errbuf_set(
            err, errlen,
            "hours \"%.64s\": spans overlap on %s (%02d:%02d-%02d:%02d and %02d:%02d-%02d:%02d)",
            hours, s_day_names[(wd + 6) % 7], s[i - 1].start_min / 60, s[i - 1].start_min % 60,
            s[i - 1].end_min / 60, s[i - 1].end_min % 60, s[i].start_min / 60, s[i].start_min % 60,
            s[i].end_min / 60, s[i].end_min % 60);
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
    mash_errbuf_set(err, errlen, "holidays: out of memory");
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
      mash_errbuf_set(err, errlen, "holidays: expected a date YYYY-MM-DD at \"%.32s\"", at);
      return false;
    }
    if (rc != 0 || date.year < 1970) {
      mash_errbuf_set(err, errlen, "holidays: no such date \"%.10s\"", at);
      return false;
    }
    if (c->nholidays == cap) {
      mash_errbuf_set(err, errlen, "holidays: more than %d dates", MASH_CALENDAR_MAX_HOLIDAYS);
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
    mash_errbuf_set(err, errlen, "calendar: out of memory");
    return NULL;
  }
  if (!mash_tz_parse(&c->tz, tz, err, errlen) || !s_parse_hours(c, hours, err, errlen) ||
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
