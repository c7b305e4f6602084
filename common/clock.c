/* clock: wall-clock time in milliseconds since the Unix epoch (UTC), and its
 * ISO 8601 text form.
 *
 * Responsible for: reading CLOCK_REALTIME, formatting instants as
 * "YYYY-MM-DDTHH:MM:SSZ" and strictly parsing that form (with optional
 * fractional seconds and a numeric offset). Must not: consult the local time
 * zone (the calendar arithmetic is civil.c's), accept anything it cannot
 * parse fully, or be used for measuring intervals (the wall clock jumps).
 */
#include "clock.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "civil.h"

int64_t mash_clock_now_ms(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
    return 0;
  }
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void mash_clock_init(mash_clock_t *c, double rate, int64_t not_before_ms) {
  int64_t now = mash_clock_now_ms();
  c->rate = rate > 0 ? rate : 1.0;
  c->real_origin_ms = now;
  c->virtual_origin_ms = not_before_ms > now ? not_before_ms : now;
}

int64_t mash_clock_read(const mash_clock_t *c) {
  int64_t elapsed = mash_clock_now_ms() - c->real_origin_ms;
  return c->virtual_origin_ms + (int64_t)((double)elapsed * c->rate);
}

uint64_t mash_clock_real_delay(const mash_clock_t *c, int64_t at) {
  int64_t ahead = at - mash_clock_read(c);
  if (ahead <= 0) {
    return 0;
  }
  return (uint64_t)((double)ahead / c->rate) + 1;
}

int mash_clock_load(const char *path, mash_clock_t *c) {
  FILE *f = fopen(path, "r");
  if (!f) {
    return -ENOENT;
  }
  double rate = 0;
  long long real_origin = 0, virtual_origin = 0;
  int n = fscanf(f, "%lf %lld %lld", &rate, &real_origin, &virtual_origin);
  fclose(f);
  if (n != 3 || !(rate >= 1.0)) {
    return -EINVAL;
  }
  c->rate = rate;
  c->real_origin_ms = real_origin;
  c->virtual_origin_ms = virtual_origin;
  return 0;
}

int mash_clock_save(const char *path, const mash_clock_t *c, char *err, unsigned long errlen) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (!f ||
      fprintf(f, "%.17g %lld %lld\n", c->rate, (long long)c->real_origin_ms,
              (long long)c->virtual_origin_ms) < 0 ||
      fflush(f) != 0 || fsync(fileno(f)) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    if (f) {
      fclose(f);
    }
    return -1;
  }
  fclose(f);
  if (rename(tmp, path) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    return -1;
  }
  return 0;
}

void mash_clock_format(int64_t ms, char *out, unsigned long outlen) {
  mash_civil_format_ms(ms, out, outlen);
}

/* Read exactly n decimal digits at *p and advance. */
static bool s_digits(const char **p, int n, int *value) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    char c = (*p)[i];
    if (c < '0' || c > '9') {
      return false;
    }
    v = v * 10 + (c - '0');
  }
  *p += n;
  *value = v;
  return true;
}

static bool s_expect(const char **p, char c) {
  if (**p != c) {
    return false;
  }
  (*p)++;
  return true;
}

int mash_clock_parse(const char *s, int64_t *ms) {
  if (s == NULL || ms == NULL) {
    return -EINVAL;
  }
  mash_civil_date_t date;
  if (mash_civil_scan_date(s, &date) != 0) {
    return -EINVAL;
  }
  const char *p = s + 10;
  int hour, min, sec;
  if (!s_expect(&p, 'T') || !s_digits(&p, 2, &hour) || !s_expect(&p, ':') ||
      !s_digits(&p, 2, &min) || !s_expect(&p, ':') || !s_digits(&p, 2, &sec)) {
    return -EINVAL;
  }
  if (hour > 23 || min > 59 || sec > 59) {
    return -EINVAL;
  }

  /* Fractional seconds: one or more digits; milliseconds are kept, finer
   * digits are truncated (at most nine are accepted, nanoseconds). */
  int frac_ms = 0;
  if (*p == '.') {
    p++;
    int ndigits = 0;
    while (*p >= '0' && *p <= '9') {
      if (ndigits < 3) {
        frac_ms = frac_ms * 10 + (*p - '0');
      }
      ndigits++;
      p++;
    }
    if (ndigits == 0 || ndigits > 9) {
      return -EINVAL;
    }
    for (int i = ndigits; i < 3; i++) {
      frac_ms *= 10;
    }
  }

  int offset_min = 0;
  if (*p == 'Z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int sign = *p == '-' ? -1 : 1;
    int oh, om;
    p++;
    if (!s_digits(&p, 2, &oh) || !s_expect(&p, ':') || !s_digits(&p, 2, &om) || oh > 23 ||
        om > 59) {
      return -EINVAL;
    }
    offset_min = sign * (oh * 60 + om);
  } else {
    return -EINVAL;
  }
  if (*p != '\0') {
    return -EINVAL;
  }

  int64_t t =
      mash_civil_days(date.year, date.month, date.day) * 86400 + hour * 3600 + min * 60 + sec;
  /* "+01:00" means local time is an hour ahead of UTC: subtract it. */
  *ms = (int64_t)t * 1000 + frac_ms - (int64_t)offset_min * 60000;
  return 0;
}
