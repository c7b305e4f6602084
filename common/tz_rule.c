/* tz_rule: a POSIX TZ rule read and evaluated by hand (see tz_rule.h).
 *
 * Responsible for: the rule's grammar and error messages, the day of a
 * Mm.w.d or Julian change in a year, and the offset arithmetic either side
 * of a change. Must not: read zone files or the environment, do I/O, keep
 * state. Pure; any thread.
 */
#include "tz_rule.h"

#include <string.h>

#include "calendar_int.h"
#include "civil.h"

static int64_t s_rule_day(const mash_tz_change_t *r, int64_t year) {
  int64_t jan1 = mash_civil_days(year, 1, 1);
  switch (r->kind) {
  case MASH_TZ_JULIAN1:
    return jan1 + r->day - 1 + (mash_civil_is_leap(year) && r->day >= 60 ? 1 : 0);
  case MASH_TZ_JULIAN0:
    return jan1 + r->day;
  case MASH_TZ_MONTH:
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
static void s_transitions(const mash_tz_t *c, int64_t year, int64_t *on, int64_t *off) {
  *on = s_rule_day(&c->dst_on, year) * DAY_MS + c->dst_on.time_ms - c->std_east_ms;
  *off = s_rule_day(&c->dst_off, year) * DAY_MS + c->dst_off.time_ms - c->dst_east_ms;
}

static int64_t s_year_at(const mash_tz_t *c, int64_t t) {
  return mash_civil_date_of_days(mash_civil_day_of_ms(t + c->std_east_ms)).year;
}

/* The latest transition at or before t decides. Looking at the year either
 * side copes with the southern hemisphere (DST across new year) and with
 * rule times that push a change into the next or previous year. On a tie
 * the start wins, so "J1/0,J365/25" is DST all year, as in glibc. */
bool mash_tz_is_dst(const mash_tz_t *c, int64_t t) {
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

int64_t mash_tz_offset(const mash_tz_t *c, int64_t t) {
  return mash_tz_is_dst(c, t) ? c->dst_east_ms : c->std_east_ms;
}

/* The earliest transition in (lo, hi], or hi if there is none. */
static int64_t s_transition_in(const mash_tz_t *c, int64_t lo, int64_t hi) {
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

int64_t mash_tz_from_local(const mash_tz_t *c, int64_t local) {
  int64_t us = local - c->std_east_ms;
  if (!c->has_dst) {
    return us;
  }
  int64_t ud = local - c->dst_east_ms;
  bool std_ok = !mash_tz_is_dst(c, us);
  bool dst_ok = mash_tz_is_dst(c, ud);
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

/* ------------------------------------------------------------ parsing */

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

static bool s_tz_rule(const char **p, mash_tz_change_t *r) {
  *r = (mash_tz_change_t){0};
  if (**p == 'M') {
    (*p)++;
    r->kind = MASH_TZ_MONTH;
    if (!s_number(p, 2, &r->month) || r->month < 1 || r->month > 12 || !s_expect(p, '.') ||
        !s_number(p, 1, &r->week) || r->week < 1 || r->week > 5 || !s_expect(p, '.') ||
        !s_number(p, 1, &r->wday) || r->wday > 6) {
      return false;
    }
  } else if (**p == 'J') {
    (*p)++;
    r->kind = MASH_TZ_JULIAN1;
    if (!s_number(p, 3, &r->day) || r->day < 1 || r->day > 365) {
      return false;
    }
  } else {
    r->kind = MASH_TZ_JULIAN0;
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

bool mash_tz_parse(mash_tz_t *c, const char *tz, char *err, size_t errlen) {
  *c = (mash_tz_t){0};
  if (tz == NULL || *tz == '\0') {
    mash_errbuf_set(err, errlen, "time zone: empty; " TZ_HINT);
    return false;
  }
  /* "Europe/London" and ":Europe/London" name zone files, which a pure
   * module cannot read; say so rather than "bad offset". */
  if (*tz == ':' || (strchr(tz, '/') != NULL && strchr(tz, ',') == NULL)) {
    mash_errbuf_set(err, errlen, "time zone \"%.64s\": zone files are not supported; " TZ_HINT, tz);
    return false;
  }
  const char *p = tz;
  int64_t off;
  if (!s_tz_name(&p)) {
    mash_errbuf_set(
        err, errlen,
        "time zone \"%.64s\": expected a name of 3 or more letters at \"%.32s\"; " TZ_HINT, tz, p);
    return false;
  }
  if (!s_tz_time(&p, 24, &off)) {
    mash_errbuf_set(err, errlen,
                    "time zone \"%.64s\": expected an offset [+-]hh[:mm[:ss]] at \"%.32s\"", tz, p);
    return false;
  }
  c->std_east_ms = -off; /* POSIX offsets count west of Greenwich */
  if (*p == '\0') {
    return true;
  }
  if (!s_tz_name(&p)) {
    mash_errbuf_set(err, errlen, "time zone \"%.64s\": expected a DST name at \"%.32s\"", tz, p);
    return false;
  }
  c->has_dst = true;
  c->dst_east_ms = c->std_east_ms + HOUR_MS;
  if (*p != ',' && *p != '\0') {
    if (!s_tz_time(&p, 24, &off)) {
      mash_errbuf_set(err, errlen, "time zone \"%.64s\": expected a DST offset at \"%.32s\"", tz,
                      p);
      return false;
    }
    c->dst_east_ms = -off;
  }
  if (*p != ',') {
    mash_errbuf_set(err, errlen,
                    "time zone \"%.64s\": DST needs start and end rules (\",M3.5.0/1,M10.5.0\")",
                    tz);
    return false;
  }
  p++;
  if (!s_tz_rule(&p, &c->dst_on) || !s_expect(&p, ',')) {
    mash_errbuf_set(err, errlen,
                    "time zone \"%.64s\": bad DST start rule; expected Mm.w.d[/time], Jn or n", tz);
    return false;
  }
  if (!s_tz_rule(&p, &c->dst_off) || *p != '\0') {
    mash_errbuf_set(err, errlen,
                    "time zone \"%.64s\": bad DST end rule; expected Mm.w.d[/time], Jn or n", tz);
    return false;
  }
  return true;
}
