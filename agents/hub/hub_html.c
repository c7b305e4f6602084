/* hub_html: the HTML writer of the hub desk's printable pages: a growing
 * buffer and the writers that escape what goes into it.
 *
 * Responsible for: appending trusted markup as it is and untrusted text
 * escaped (the five HTML specials) and made valid UTF-8, and the shared
 * small forms (times, durations, <dt>/<dd> pairs).
 * Must not: do any I/O or log (the pages hold names of children). A buffer
 * belongs to one thread at a time.
 */
#include "hub_html.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "html.h"
#include "hub_view.h"

static bool s_reserve(hub_html_t *h, size_t extra) {
  if (h->failed) {
    return false;
  }
  if (extra < h->cap - h->len) { /* room for extra bytes and the terminator */
    return true;
  }
  if (extra > SIZE_MAX / 2 - h->len) {
    h->failed = true;
    return false;
  }
  size_t cap = h->cap != 0 ? h->cap : 16384;
  while (cap - h->len <= extra) {
    cap *= 2;
  }
  char *data = realloc(h->data, cap);
  if (data == NULL) {
    h->failed = true;
    return false;
  }
  h->data = data;
  h->cap = cap;
  return true;
}

void hub_html_raw_n(hub_html_t *h, const char *bytes, size_t n) {
  if (!s_reserve(h, n)) {
    return;
  }
  memcpy(h->data + h->len, bytes, n);
  h->len += n;
  h->data[h->len] = '\0';
}

/* Trusted markup and fixed words only. */
void hub_html_raw(hub_html_t *h, const char *s) {
  hub_html_raw_n(h, s, strlen(s));
}

/* Trusted formatted markup: numbers and fixed words only, never pack text. */
void hub_html_rawf(hub_html_t *h, const char *fmt, ...) {
  char tmp[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof tmp) {
    /* A programmer error: every format here is short. Fail loudly rather
     * than print a cut tag. */
    h->failed = true;
    return;
  }
  hub_html_raw_n(h, tmp, (size_t)n);
}

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* Untrusted text from the pack: the five HTML specials escaped; invalid
 * UTF-8, control characters other than tab and new line, and Unicode
 * non-characters shown as U+FFFD. NULL is "". */
void hub_html_text(hub_html_t *h, const char *s) {
  const unsigned char *u = (const unsigned char *)(s != NULL ? s : "");
  while (*u != '\0' && !h->failed) {
    uint32_t cp = 0;
    size_t n = hub_view_utf8_next(u, &cp);
    if (n == 0) {
      hub_html_raw(h, REPLACEMENT);
      u++;
      continue;
    }
    const char *entity = mash_html_entity(cp);
    if (entity != NULL) {
      hub_html_raw(h, entity);
      u += n;
      continue;
    }
    switch (cp) {
    case '\t':
    case '\n':
      hub_html_raw_n(h, (const char *)u, 1);
      break;
    case '\r': /* CR LF and a lone CR are both one new line */
      hub_html_raw(h, u[1] == '\n' ? "" : "\n");
      break;
    default:
      if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xfdd0 && cp <= 0xfdef) ||
          (cp & 0xfffe) == 0xfffe) {
        hub_html_raw(h, REPLACEMENT);
      } else {
        hub_html_raw_n(h, (const char *)u, n);
      }
      break;
    }
    u += n;
  }
}

/* Untrusted text, or a muted "not recorded" when empty. */
void hub_html_field(hub_html_t *h, const char *s) {
  if (s == NULL || s[0] == '\0') {
    hub_html_raw(h, "<span class=\"muted\">not recorded</span>");
  } else {
    hub_html_text(h, s);
  }
}

/* A snake_case enum name as words ("not_sought" -> "not sought"). */
void hub_html_words(hub_html_t *h, const char *name) {
  for (const char *c = name; *c != '\0'; c++) {
    hub_html_raw_n(h, *c == '_' ? " " : c, 1);
  }
}

/* "2026-11-23 02:10 UTC", or a dash for 0 (not known). */
void hub_html_time(hub_html_t *h, int64_t ms) {
  char iso[48];
  if (ms == 0) {
    hub_html_raw(h, "<span class=\"muted\">&#8212;</span>");
    return;
  }
  mash_clock_format(ms, iso, sizeof iso);
  size_t n = strlen(iso);
  /* YYYY-MM-DDTHH:MM:SSZ: show the minute; anything else as it came. */
  if (n == 20 && iso[10] == 'T') {
    iso[10] = ' ';
    iso[16] = '\0';
    hub_html_raw(h, "<time>");
    hub_html_raw(h, iso);
    hub_html_raw(h, " UTC</time>");
  } else if (n > 0) {
    hub_html_text(h, iso);
  } else {
    hub_html_raw(h, "<span class=\"muted\">invalid time</span>");
  }
}

/* A duration such as "2 d 3 h 05 min" or "40 s". */
void hub_html_duration(hub_html_t *h, uint64_t ms) {
  uint64_t s = ms / 1000;
  uint64_t d = s / 86400, hr = (s % 86400) / 3600, min = (s % 3600) / 60;
  if (s < 60) {
    hub_html_rawf(h, "%llu s", (unsigned long long)s);
  } else if (d > 0) {
    hub_html_rawf(h, "%llu d %llu h %02llu min", (unsigned long long)d, (unsigned long long)hr,
                  (unsigned long long)min);
  } else if (hr > 0) {
    hub_html_rawf(h, "%llu h %02llu min", (unsigned long long)hr, (unsigned long long)min);
  } else {
    hub_html_rawf(h, "%llu min", (unsigned long long)min);
  }
}

/* One <dt>/<dd> pair: label trusted, value written by the caller next. */
void hub_html_dt(hub_html_t *h, const char *label) {
  hub_html_raw(h, "<dt>");
  hub_html_raw(h, label);
  hub_html_raw(h, "</dt><dd>");
}

/* A <dt>/<dd> pair of untrusted text ("not recorded" when empty). */
void hub_html_kv(hub_html_t *h, const char *label, const char *text) {
  hub_html_dt(h, label);
  hub_html_field(h, text);
  hub_html_raw(h, "</dd>");
}

/* A <dt>/<dd> pair of a time. */
void hub_html_kv_time(hub_html_t *h, const char *label, int64_t ms) {
  hub_html_dt(h, label);
  hub_html_time(h, ms);
  hub_html_raw(h, "</dd>");
}
