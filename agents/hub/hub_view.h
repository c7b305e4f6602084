/* hub_view: how the hub desk shows a contact: a readable line for a terminal
 * and a JSON object. Pure translation, no I/O. This is the staff desk's own
 * display, so it shows names; nothing here goes to logs.
 *
 * It also exports the small pieces the desk's other views (pack_view) share:
 * UTF-8 decoding, the contact's DASH and the JSON builders. */
#ifndef MASH_HUB_VIEW_H
#define MASH_HUB_VIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dash.h"
#include "mash.pb-c.h"
#include "names.h"

/* A bounded line being written for a terminal: never overflows, always
 * NUL-terminated, never cut inside a character; once something does not fit
 * nothing more is appended (full). Shared by every one-line view. */
typedef struct hub_line {
  char *out;
  size_t len; /* capacity including the terminator */
  size_t used;
  bool full;
} hub_line_t;

/* Start an empty line in out (outlen bytes; 0 gives a full line). */
void hub_line_init(hub_line_t *l, char *out, size_t outlen);
/* Append n bytes whole, or mark the line full. */
void hub_line_put(hub_line_t *l, const char *bytes, size_t n);
/* Append untrusted text: control characters and invalid UTF-8 become '?';
 * with underscores, snake_case names show with spaces. */
void hub_line_text(hub_line_t *l, const char *s, bool underscores);
/* Append trusted formatted text (numbers and fixed names only). */
void hub_line_printf(hub_line_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One line, no newline, truncated to fit outlen. E.g.
 * "MASH-000042  police  PPN-1  domestic abuse  DASH 15/27 high (raised)  2 children
 *  prior 12m: 3 (DA 2)  persons: c1=P-000007 (identifier), c2=P-000009 (possible
 *  P-000003, M-000001)  flags: ..." (on one line; the prior counts only when not
 * 0, persons only when the broker resolved them). */
void hub_view_line(const Mash__V1__Contact *c, char *out, size_t outlen);

/* A new JSON object with every field of the contact (caller json_decref's),
 * with "persons": [{"ref", "person_id", "decision", "confidence_permille",
 * "why", "candidate_person_id", "match_id"}] (the last two null unless
 * possible), "prior_contacts_12m" and "domestic_abuse_12m".
 * NULL for a NULL contact or when memory ran out. */
json_t *hub_view_json(const Mash__V1__Contact *c);

/* ---------------------------------------------------------------- shared helpers */

/* Enum values are named by names.h (mash_category_name, mash_sex_name...). */
/* The agency a notification's detail belongs to: "police", ..., "unknown". */
const char *hub_view_agency_name(Mash__V1__Notification__DetailCase c);

/* Length of the valid UTF-8 sequence at s (1 to 4), 0 when invalid
 * (overlong, surrogate, beyond U+10FFFF, truncated); *cp is the code point.
 * s must be NUL-terminated; never reads past the terminator. */
size_t hub_view_utf8_next(const unsigned char *s, uint32_t *cp);

/* The contact's DASH into *r: the broker's score when delivered, else
 * computed from the answers. false (r unspecified) when the contact has no
 * police detail. */
bool hub_view_dash_of(const Mash__V1__Contact *c, mash_dash_result_t *r);

/* JSON builders. Each returns a new reference (NULL when memory ran out).
 * The _set/_append/_strings/person builders record a failure in *ok instead
 * of returning it, so a caller checks once at the end; _set and _append take
 * ownership of value even on failure. */

/* A JSON string of untrusted text (NULL is ""); invalid UTF-8 is shown with
 * '?' for every byte outside ASCII. */
json_t *hub_view_json_text(const char *s);
/* An ISO 8601 UTC time, or null for 0 (not known). */
json_t *hub_view_json_time(int64_t ms);
void hub_view_json_set(json_t *obj, const char *key, json_t *value, bool *ok);

/* A new JSON object for a view of `of`: NULL when `of` is NULL (nothing to
 * show) or when memory runs out. */
json_t *hub_view_json_object(const void *of);
void hub_view_json_append(json_t *arr, json_t *value, bool *ok);
/* An array of untrusted strings. */
json_t *hub_view_json_strings(char *const *items, size_t n, bool *ok);
/* A person (ref, names, dob, sex, role, identifiers, address); null for NULL. */
json_t *hub_view_person_json(const Mash__V1__Person *p, bool *ok);

#endif
