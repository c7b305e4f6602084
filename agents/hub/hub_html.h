/* hub_html: the HTML writer of the hub desk's printable pages (pack_html):
 * a growing buffer, trusted markup appended as it is, untrusted text escaped.
 * Pure; no I/O, no logging. A buffer belongs to one thread at a time. */
#ifndef MASH_HUB_HTML_H
#define MASH_HUB_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growing string; zero-initialise it ({0}), free(data) when done. A
 * failed allocation marks it failed and makes every later append a no-op,
 * so the writers check `failed` once at the end. */
typedef struct hub_html {
  char *data; /* NUL-terminated once anything was appended */
  size_t len;
  size_t cap;
  bool failed;
} hub_html_t;

/* Trusted markup and fixed words only: n bytes, a string, or formatted
 * (numbers and fixed words only, never pack text; a result over 255 bytes
 * is a programmer error and fails the buffer). */
void hub_html_raw_n(hub_html_t *h, const char *bytes, size_t n);
void hub_html_raw(hub_html_t *h, const char *s);
void hub_html_rawf(hub_html_t *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Untrusted text: the five HTML specials escaped; invalid UTF-8, control
 * characters other than tab and new line, and Unicode non-characters shown
 * as U+FFFD. NULL is "". */
void hub_html_text(hub_html_t *h, const char *s);

/* Untrusted text, or a muted "not recorded" when NULL or empty. */
void hub_html_field(hub_html_t *h, const char *s);

/* A snake_case enum word as words ("not_sought" -> "not sought"). */
void hub_html_words(hub_html_t *h, const char *name);

/* "2026-11-23 02:10 UTC" in a <time>, or a muted dash for 0 (not known). */
void hub_html_time(hub_html_t *h, int64_t ms);

/* A duration such as "2 d 3 h 05 min" or "40 s". */
void hub_html_duration(hub_html_t *h, uint64_t ms);

/* <dt>label</dt><dd> (the caller writes the value and </dd>); a whole pair
 * of untrusted text ("not recorded" when empty); a whole pair of a time.
 * Labels are trusted. */
void hub_html_dt(hub_html_t *h, const char *label);
void hub_html_kv(hub_html_t *h, const char *label, const char *text);
void hub_html_kv_time(hub_html_t *h, const char *label, int64_t ms);

#endif
