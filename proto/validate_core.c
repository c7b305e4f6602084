/* validate_core: the validator's building blocks: error counts, field
 * paths rendered only when an error is reported, text (length, UTF-8,
 * character set), enums, counts, times and dates of birth.
 *
 * Responsible for: checks every message family uses. Must not: do I/O,
 * log, allocate, or keep state (thread-safe).
 */
#include "validate_int.h"

#include "civil.h"

#include <time.h>

/* ------------------------------------------------------------------ errors */

size_t mash_vld_error_total(const mash_errors_t *errs) {
  return errs ? errs->count + errs->dropped : 0;
}

/* Append text to the path being rendered in out (PATH_LEN bytes, len used),
 * cutting it where it no longer fits; returns the new length. */
static size_t s_path_append(char *out, size_t len, const char *text) {
  size_t n = strnlen(text, PATH_LEN - 1 - len);
  memcpy(out + len, text, n);
  out[len + n] = '\0';
  return len + n;
}

/* Render `at` into out (PATH_LEN bytes) as its segments joined by dots, an
 * item's index in brackets. A path that does not fit is cut (still a useful
 * hint). Returns the rendered length. */
size_t mash_vld_path_render(const mash_vld_path_t *at, char *out) {
  size_t len = 0;
  out[0] = '\0';
  if (at->parent != NULL) {
    len = mash_vld_path_render(at->parent, out);
  }
  if (len > 0) {
    len = s_path_append(out, len, ".");
  }
  len = s_path_append(out, len, at->name);
  if (at->is_item) {
    char index[32];
    snprintf(index, sizeof index, "[%zu]", at->index);
    len = s_path_append(out, len, index);
  }
  return len;
}

void mash_vld_fail(mash_errors_t *errs, const mash_vld_path_t *at, const char *fmt, ...) {
  char field[PATH_LEN];
  mash_vld_path_render(at, field);
  va_list ap;
  va_start(ap, fmt);
  s_errors_vadd(errs, field, fmt, ap);
  va_end(ap);
}

static bool s_is_safe_id_char(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == ':';
}

/* Decode one UTF-8 sequence at s[0..len). Returns its length and stores the
 * code point, or returns 0 for an invalid sequence: stray continuation bytes,
 * truncation, overlong forms, surrogates and code points past U+10FFFF. */
static size_t s_utf8_next(const unsigned char *s, size_t len, unsigned long *cp) {
  unsigned char c = s[0];
  if (c < 0x80u) {
    *cp = c;
    return 1;
  }
  size_t n;
  unsigned long v;
  unsigned long min;
  if (c >= 0xC2u && c <= 0xDFu) {
    n = 2;
    v = c & 0x1Fu;
    min = 0x80u;
  } else if (c >= 0xE0u && c <= 0xEFu) {
    n = 3;
    v = c & 0x0Fu;
    min = 0x800u;
  } else if (c >= 0xF0u && c <= 0xF4u) {
    n = 4;
    v = c & 0x07u;
    min = 0x10000u;
  } else {
    return 0;
  }
  if (n > len) {
    return 0;
  }
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0u) != 0x80u) {
      return 0;
    }
    v = (v << 6) | (s[i] & 0x3Fu);
  }
  if (v < min || v > 0x10FFFFu || (v >= 0xD800u && v <= 0xDFFFu)) {
    return 0;
  }
  *cp = v;
  return n;
}

static bool s_is_control(unsigned long cp, unsigned flags) {
  if ((flags & TEXT_MULTILINE) && (cp == '\t' || cp == '\n' || cp == '\r')) {
    return false;
  }
  return cp < 0x20u || (cp >= 0x7Fu && cp <= 0x9Fu);
}

/* Check one string field: presence, length (in bytes, measured with strnlen
 * so an unterminated or huge string is never scanned past max + 1), UTF-8
 * validity and character set. A NULL pointer counts as empty, so hand-built
 * messages cannot crash the validator. Returns true when valid. */
bool mash_vld_check_text(mash_errors_t *errs, const mash_vld_path_t *at, const char *s, size_t max,
                         unsigned flags) {
  size_t len = s ? strnlen(s, max + 1) : 0;
  if (len == 0) {
    if (flags & TEXT_REQUIRED) {
      mash_vld_fail(errs, at, "is required");
      return false;
    }
    return true;
  }
  if (len > max) {
    mash_vld_fail(errs, at, "is longer than %zu bytes", max);
    return false;
  }
  const unsigned char *u = (const unsigned char *)s;
  if (flags & TEXT_SAFE_ID) {
    /* The safe characters are all printable ASCII: valid UTF-8, no control
     * characters, so nothing else needs checking. */
    for (size_t i = 0; i < len; i++) {
      if (!s_is_safe_id_char(u[i])) {
        mash_vld_fail(errs, at, "may contain only A-Z a-z 0-9 - _ . :");
        return false;
      }
    }
    return true;
  }
  for (size_t i = 0; i < len;) {
    /* Printable ASCII, nearly all of real text, needs no decoding. */
    if (u[i] >= 0x20u && u[i] < 0x7Fu) {
      i++;
      continue;
    }
    unsigned long cp = 0;
    size_t n = s_utf8_next(u + i, len - i, &cp);
    if (n == 0) {
      mash_vld_fail(errs, at, "is not valid UTF-8");
      return false;
    }
    if (s_is_control(cp, flags)) {
      mash_vld_fail(errs, at, "contains a control character");
      return false;
    }
    i += n;
  }
  return true;
}

/* Check that an enum holds one of the values this schema version knows.
 * Unknown values of open proto3 enums survive decoding as plain integers and
 * would otherwise flow into policy code (grades, categories). */
bool mash_vld_check_enum(mash_errors_t *errs, const mash_vld_path_t *at, int value, int lo,
                         int hi) {
  if (value < lo || value > hi) {
    mash_vld_fail(errs, at, "has unknown value %d", value);
    return false;
  }
  return true;
}

bool mash_vld_check_count(mash_errors_t *errs, const mash_vld_path_t *at, size_t n,
                          const void *items, size_t max) {
  if (n > max) {
    mash_vld_fail(errs, at, "has %zu entries, at most %zu allowed", n, max);
    return false;
  }
  if (n > 0 && items == NULL) {
    mash_vld_fail(errs, at, "is missing its entries");
    return false;
  }
  return true;
}

void mash_vld_check_time(mash_errors_t *errs, const mash_vld_path_t *at, int64_t ms) {
  if (ms < 0) {
    mash_vld_fail(errs, at, "is before 1970");
  }
}

/* ------------------------------------------------------------------- dates */

/* A date as YYYYMMDD, so that dates compare as numbers. */
static long s_date_number(mash_civil_date_t d) {
  return (long)(d.year * 10000 + d.month * 100 + d.day);
}

/* Today as YYYYMMDD at now_ms, or 0 when now_ms is not after 1970 (0: dates
 * are not checked against the future). Worked out once per message rather
 * than once per date. */
long mash_vld_today(int64_t now_ms) {
  return now_ms > 0 ? s_date_number(mash_civil_date_of_days(now_ms / MASH_CIVIL_DAY_MS)) : 0;
}

/* `today` as from mash_vld_today. */
void mash_vld_check_date(mash_errors_t *errs, const mash_vld_path_t *at, const char *s,
                         long today) {
  if (s == NULL || s[0] == '\0') {
    return; /* not known */
  }
  mash_civil_date_t date;
  int rc = mash_civil_parse_date(s, &date);
  if (rc == -EINVAL) {
    mash_vld_fail(errs, at, "must be a date YYYY-MM-DD");
    return;
  }
  if (rc != 0 || date.year < MIN_BIRTH_YEAR) {
    mash_vld_fail(errs, at, "is not a real date");
    return;
  }
  if (today > 0 && s_date_number(date) > today) {
    mash_vld_fail(errs, at, "is in the future");
  }
}

/* The list the validators fill: the caller's or, when it passed none,
 * `scratch` with only its counts cleared. The validators read nothing else
 * back, so clearing all 4 KB of it for every message would be wasted. */
mash_errors_t *mash_vld_errors_or_scratch(mash_errors_t *errs, mash_errors_t *scratch) {
  if (errs != NULL) {
    return errs;
  }
  scratch->count = 0;
  scratch->dropped = 0;
  return scratch;
}

/* The envelope has no trusted clock of its own (sent_at_ms is the sender's
 * word), so dates of birth are checked against this host's wall clock. */
int64_t mash_vld_wall_clock_ms(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
    return 0; /* skip the future check rather than guess */
  }
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
