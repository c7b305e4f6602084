/* calendar_int: private to the working calendar (calendar.c, tz_rule.c and
 * deadline.c): the time units and the small text readers their
 * configuration parsers share (their messages go through errbuf.h). Not for use outside these three
 * files. Every helper is pure and never reads past a string's NUL.
 */
#ifndef MASH_CALENDAR_INT_H
#define MASH_CALENDAR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errbuf.h"

#define DAY_MS INT64_C(86400000)
#define HOUR_MS INT64_C(3600000)
#define MINUTE_MS INT64_C(60000)
#define SECOND_MS INT64_C(1000)

static inline bool s_is_digit(char c) {
  return c >= '0' && c <= '9';
}

static inline bool s_is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool s_is_space(char c) {
  return c == ' ' || c == '\t';
}

static inline char s_lower(char c) {
  return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Consume c if it is next; never steps past the terminating NUL. */
static inline bool s_expect(const char **p, char c) {
  if (**p != c) {
    return false;
  }
  (*p)++;
  return true;
}

static inline void s_skip_space(const char **p) {
  while (s_is_space(**p)) {
    (*p)++;
  }
}

/* 1 .. maxdigits decimal digits. */
static inline bool s_number(const char **p, int maxdigits, int *value) {
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

#endif
