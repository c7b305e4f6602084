/* validate: check decoded mash.v1 messages against their bounds.
 *
 * Responsible for: checking every size, count, enum value and required field
 * of what came from the network, with field-level error paths
 * ("notification.children[0].date_of_birth").
 * Every count is compared with its bound before the list is walked and every
 * string length is measured with strnlen against its bound, so a hostile or
 * hand-built message can never make the validator read or loop without limit.
 * Must not: do any I/O, log, allocate, or keep state (all functions are
 * thread-safe).
 */
#include "codec.h"
#include "codec_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Bounds that only the validator needs. Receipt errors mirror mash_field_error_t
 * so that a receiver can copy them without truncation. */
#define MAX_QUALITY_FLAGS 16u
#define MAX_RECEIPT_FIELD (sizeof(((mash_field_error_t *)0)->field) - 1u)
#define MAX_RECEIPT_MESSAGE (sizeof(((mash_field_error_t *)0)->message) - 1u)
#define PATH_LEN sizeof(((mash_field_error_t *)0)->field)
#define MIN_BIRTH_YEAR 1900
#define MAX_PRINCIPAL_LEN ((size_t)63) /* as the broker's key file */
/* A request's subjects and a pack's household: a notification's children and
 * adults together, so one ref table (2 * MASH_MAX_PEOPLE) holds them. */
#define MAX_LISTED_PEOPLE (2u * MASH_MAX_PEOPLE)

/* ------------------------------------------------------------------ errors */

static size_t s_error_total(const mash_errors_t *errs) {
  return errs ? errs->count + errs->dropped : 0;
}

/* ------------------------------------------------------------------- paths */

/* Where a field sits: a chain of segments that lives on the validator's
 * stack, one per level of the walk. "notification.children[0].ref" is the
 * field "ref" of item 0 of the list "children" of the field "notification".
 * Turning a path into text costs a few copies and an snprintf, so it is done
 * only when an error is reported: a valid message never pays for its paths. */
typedef struct path {
  const struct path *parent; /* NULL: a field of the envelope itself */
  const char *name;          /* the field, or for an item the list's field */
  size_t index;              /* the item's index, when is_item */
  bool is_item;
} path_t;

/* The field `field` of `parent`, and item `i` of the list `list` of
 * `parent`, as pointers to temporaries that live until the end of the
 * enclosing block: long enough for any check they are passed to. */
#define PATH_FIELD(parent, field) (&(const path_t){(parent), (field), 0, false})
#define PATH_ITEM(parent, list, i) (&(const path_t){(parent), (list), (i), true})

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
static size_t s_path_render(const path_t *at, char *out) {
  size_t len = 0;
  out[0] = '\0';
  if (at->parent != NULL) {
    len = s_path_render(at->parent, out);
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

/* Report an error at `at`: the only place a path becomes text. */
static void s_fail(mash_errors_t *errs, const path_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void s_fail(mash_errors_t *errs, const path_t *at, const char *fmt, ...) {
  char field[PATH_LEN];
  s_path_render(at, field);
  va_list ap;
  va_start(ap, fmt);
  s_errors_vadd(errs, field, fmt, ap);
  va_end(ap);
}

/* -------------------------------------------------------------------- text */

enum {
  TEXT_REQUIRED = 1u << 0,  /* empty is an error */
  TEXT_SAFE_ID = 1u << 1,   /* only [A-Za-z0-9-_.:] */
  TEXT_MULTILINE = 1u << 2, /* allow tab, CR and LF */
};

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
static bool s_check_text(mash_errors_t *errs, const path_t *at, const char *s, size_t max,
                         unsigned flags) {
  size_t len = s ? strnlen(s, max + 1) : 0;
  if (len == 0) {
    if (flags & TEXT_REQUIRED) {
      s_fail(errs, at, "is required");
      return false;
    }
    return true;
  }
  if (len > max) {
    s_fail(errs, at, "is longer than %zu bytes", max);
    return false;
  }
  const unsigned char *u = (const unsigned char *)s;
  if (flags & TEXT_SAFE_ID) {
    /* The safe characters are all printable ASCII: valid UTF-8, no control
     * characters, so nothing else needs checking. */
    for (size_t i = 0; i < len; i++) {
      if (!s_is_safe_id_char(u[i])) {
        s_fail(errs, at, "may contain only A-Z a-z 0-9 - _ . :");
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
      s_fail(errs, at, "is not valid UTF-8");
      return false;
    }
    if (s_is_control(cp, flags)) {
      s_fail(errs, at, "contains a control character");
      return false;
    }
    i += n;
  }
  return true;
}

/* Check that an enum holds one of the values this schema version knows.
 * Unknown values of open proto3 enums survive decoding as plain integers and
 * would otherwise flow into policy code (grades, categories). */
static bool s_check_enum(mash_errors_t *errs, const path_t *at, int value, int lo, int hi) {
  if (value < lo || value > hi) {
    s_fail(errs, at, "has unknown value %d", value);
    return false;
  }
  return true;
}

static bool s_check_count(mash_errors_t *errs, const path_t *at, size_t n, const void *items,
                          size_t max) {
  if (n > max) {
    s_fail(errs, at, "has %zu entries, at most %zu allowed", n, max);
    return false;
  }
  if (n > 0 && items == NULL) {
    s_fail(errs, at, "is missing its entries");
    return false;
  }
  return true;
}

static void s_check_time(mash_errors_t *errs, const path_t *at, int64_t ms) {
  if (ms < 0) {
    s_fail(errs, at, "is before 1970");
  }
}

/* ------------------------------------------------------------------- dates */

static bool s_is_leap(long y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int s_days_in_month(long y, long m) {
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && s_is_leap(y) ? 29 : days[m - 1];
}

/* Civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm),
 * kept here so the codec stays free of time zones and time_t limits. */
static long s_date_of_days(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) {
    y++;
  }
  return (long)(y * 10000 + m * 100 + d);
}

/* Today as YYYYMMDD at now_ms, or 0 when now_ms is not after 1970 (0: dates
 * are not checked against the future). Worked out once per message rather
 * than once per date. */
static long s_today(int64_t now_ms) {
  return now_ms > 0 ? s_date_of_days(now_ms / 86400000) : 0;
}

/* `today` as from s_today. */
static void s_check_date(mash_errors_t *errs, const path_t *at, const char *s, long today) {
  size_t len = s ? strnlen(s, 11) : 0;
  if (len == 0) {
    return; /* not known */
  }
  bool shape = len == 10 && s[4] == '-' && s[7] == '-';
  for (size_t i = 0; shape && i < 10; i++) {
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) {
      shape = false;
    }
  }
  if (!shape) {
    s_fail(errs, at, "must be a date YYYY-MM-DD");
    return;
  }
  long y = (s[0] - '0') * 1000L + (s[1] - '0') * 100L + (s[2] - '0') * 10L + (s[3] - '0');
  long m = (s[5] - '0') * 10L + (s[6] - '0');
  long d = (s[8] - '0') * 10L + (s[9] - '0');
  if (y < MIN_BIRTH_YEAR || m < 1 || m > 12 || d < 1 || d > s_days_in_month(y, m)) {
    s_fail(errs, at, "is not a real date");
    return;
  }
  if (today > 0 && y * 10000 + m * 100 + d > today) {
    s_fail(errs, at, "is in the future");
  }
}

/* ------------------------------------------------------------ notification */

/* Refs seen so far in one list of people (a notification's children and
 * adults, a request's subjects, a pack's household), with where they were
 * declared so a duplicate can name the first occurrence. Every caller bounds
 * the people it checks against one table by 2 * MASH_MAX_PEOPLE. */
typedef struct ref_table {
  const char *ref[2 * MASH_MAX_PEOPLE];
  bool is_child[2 * MASH_MAX_PEOPLE];
  const char *list[2 * MASH_MAX_PEOPLE]; /* "children", "adults", "subjects", ... */
  size_t index[2 * MASH_MAX_PEOPLE];
  size_t count;
  bool complete; /* false when a people list was skipped: refs are unknown */
} ref_table_t;

static const char *s_ref_lookup(const ref_table_t *t, const char *ref, bool *is_child) {
  for (size_t i = 0; i < t->count; i++) {
    if (strcmp(t->ref[i], ref) == 0) {
      if (is_child) {
        *is_child = t->is_child[i];
      }
      return t->ref[i];
    }
  }
  return NULL;
}

static void s_check_identifier(mash_errors_t *errs, const path_t *at,
                               const Mash__V1__Identifier *id) {
  if (id == NULL) {
    s_fail(errs, at, "is missing");
    return;
  }
  if (id->kind == MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UNSPECIFIED) {
    s_fail(errs, PATH_FIELD(at, "kind"), "is required");
  } else {
    s_check_enum(errs, PATH_FIELD(at, "kind"), (int)id->kind, 1,
                 MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID);
  }
  s_check_text(errs, PATH_FIELD(at, "value"), id->value, MASH_MAX_ID_LEN, TEXT_REQUIRED);
  s_check_text(errs, PATH_FIELD(at, "issuer"), id->issuer, MASH_MAX_ID_LEN, 0);
}

static void s_check_address(mash_errors_t *errs, const path_t *at, const Mash__V1__Address *a) {
  if (s_check_count(errs, PATH_FIELD(at, "lines"), a->n_lines, a->lines, MASH_MAX_ADDRESS_LINES)) {
    for (size_t i = 0; i < a->n_lines; i++) {
      s_check_text(errs, PATH_ITEM(at, "lines", i), a->lines[i], MASH_MAX_SHORT_TEXT, 0);
    }
  }
  s_check_text(errs, PATH_FIELD(at, "town"), a->town, MASH_MAX_SHORT_TEXT, 0);
  s_check_text(errs, PATH_FIELD(at, "postcode"), a->postcode, MASH_MAX_SHORT_TEXT, 0);
}

/* `at` is the person's place in its list, prefix.list[index]; the list and
 * index are recorded with the ref so that a duplicate can name them. */
static void s_check_person(mash_errors_t *errs, const path_t *at, const Mash__V1__Person *p,
                           bool is_child, long today, ref_table_t *refs) {
  if (p == NULL) {
    s_fail(errs, at, "is missing");
    refs->complete = false;
    return;
  }
  if (s_check_text(errs, PATH_FIELD(at, "ref"), p->ref, MASH_MAX_ID_LEN, TEXT_REQUIRED)) {
    bool dup = false;
    for (size_t i = 0; i < refs->count && !dup; i++) {
      if (strcmp(refs->ref[i], p->ref) == 0) {
        char prefix[PATH_LEN];
        s_path_render(at->parent, prefix);
        s_fail(errs, PATH_FIELD(at, "ref"), "duplicates the ref of %s.%s[%zu]", prefix,
               refs->list[i], refs->index[i]);
        dup = true;
      }
    }
    /* The people checked against one table are bounded (see ref_table_t),
     * so the table has room; the test only guards the array. */
    if (!dup && refs->count < 2 * MASH_MAX_PEOPLE) {
      refs->ref[refs->count] = p->ref;
      refs->is_child[refs->count] = is_child;
      refs->list[refs->count] = at->name;
      refs->index[refs->count] = at->index;
      refs->count++;
    }
  } else {
    /* A person whose ref is unusable makes later ref checks guesswork. */
    refs->complete = false;
  }

  bool ids_ok = s_check_count(errs, PATH_FIELD(at, "identifiers"), p->n_identifiers, p->identifiers,
                              MASH_MAX_IDENTIFIERS);
  if (ids_ok) {
    for (size_t i = 0; i < p->n_identifiers; i++) {
      s_check_identifier(errs, PATH_ITEM(at, "identifiers", i), p->identifiers[i]);
    }
  }
  bool given =
      s_check_text(errs, PATH_FIELD(at, "given_name"), p->given_name, MASH_MAX_SHORT_TEXT, 0);
  bool family =
      s_check_text(errs, PATH_FIELD(at, "family_name"), p->family_name, MASH_MAX_SHORT_TEXT, 0);
  bool has_name = (p->given_name && p->given_name[0]) || (p->family_name && p->family_name[0]);
  if (given && family && !has_name && (!ids_ok || p->n_identifiers == 0)) {
    s_fail(errs, at, "needs a name or an identifier");
  }
  s_check_date(errs, PATH_FIELD(at, "date_of_birth"), p->date_of_birth, today);
  s_check_enum(errs, PATH_FIELD(at, "sex"), (int)p->sex, MASH__V1__SEX__SEX_UNSPECIFIED,
               MASH__V1__SEX__SEX_NOT_KNOWN);
  if (p->address) {
    s_check_address(errs, PATH_FIELD(at, "address"), p->address);
  }
  s_check_text(errs, PATH_FIELD(at, "role"), p->role, MASH_MAX_SHORT_TEXT, 0);
}

/* Check the list of people `name` of `prefix` (at most `max`) against refs. */
static void s_check_people(mash_errors_t *errs, const path_t *prefix, const char *name, size_t n,
                           Mash__V1__Person *const *people, size_t max, bool is_child, long today,
                           ref_table_t *refs) {
  if (!s_check_count(errs, PATH_FIELD(prefix, name), n, people, max)) {
    refs->complete = false;
    return;
  }
  for (size_t i = 0; i < n; i++) {
    s_check_person(errs, PATH_ITEM(prefix, name, i), people[i], is_child, today, refs);
  }
}

/* A ref used by a relationship or by agency detail. want_child: the ref must
 * be a child's (children present at a police incident). */
static void s_check_ref_use(mash_errors_t *errs, const path_t *at, const char *ref,
                            const ref_table_t *refs, bool want_child) {
  if (!s_check_text(errs, at, ref, MASH_MAX_ID_LEN, TEXT_REQUIRED)) {
    return;
  }
  if (!refs->complete) {
    return;
  }
  bool is_child = false;
  if (s_ref_lookup(refs, ref, &is_child) == NULL) {
    s_fail(errs, at, "names no person in this notification");
  } else if (want_child && !is_child) {
    s_fail(errs, at, "names an adult, not a child");
  }
}

static void s_check_police(mash_errors_t *errs, const path_t *at, const Mash__V1__PoliceDetail *d,
                           const ref_table_t *refs) {
  s_check_text(errs, PATH_FIELD(at, "incident_number"), d->incident_number, MASH_MAX_SHORT_TEXT, 0);
  s_check_time(errs, PATH_FIELD(at, "incident_at_ms"), d->incident_at_ms);
  s_check_text(errs, PATH_FIELD(at, "officer_name"), d->officer_name, MASH_MAX_SHORT_TEXT, 0);
  s_check_text(errs, PATH_FIELD(at, "officer_contact"), d->officer_contact, MASH_MAX_SHORT_TEXT, 0);
  if (s_check_count(errs, PATH_FIELD(at, "children_present_refs"), d->n_children_present_refs,
                    d->children_present_refs, MASH_MAX_PEOPLE)) {
    for (size_t i = 0; i < d->n_children_present_refs; i++) {
      s_check_ref_use(errs, PATH_ITEM(at, "children_present_refs", i), d->children_present_refs[i],
                      refs, true);
    }
  }
  if (d->n_dash_answers != 0 && d->n_dash_answers != MASH_DASH_ITEMS) {
    s_fail(errs, PATH_FIELD(at, "dash_answers"), "has %zu answers; a DASH has none or exactly %u",
           d->n_dash_answers, MASH_DASH_ITEMS);
  } else if (d->n_dash_answers > 0 && d->dash_answers == NULL) {
    s_fail(errs, PATH_FIELD(at, "dash_answers"), "is missing its entries");
  } else {
    for (size_t i = 0; i < d->n_dash_answers; i++) {
      s_check_enum(errs, PATH_ITEM(at, "dash_answers", i), (int)d->dash_answers[i],
                   MASH__V1__DASH_ANSWER__DASH_ANSWER_UNSPECIFIED,
                   MASH__V1__DASH_ANSWER__DASH_ANSWER_NOT_KNOWN);
    }
  }
  s_check_enum(errs, PATH_FIELD(at, "officer_grade"), (int)d->officer_grade,
               MASH__V1__RISK_GRADE__RISK_GRADE_UNSPECIFIED, MASH__V1__RISK_GRADE__RISK_GRADE_HIGH);
}

static void s_check_health(mash_errors_t *errs, const path_t *at, const Mash__V1__HealthDetail *d) {
  s_check_enum(errs, PATH_FIELD(at, "kind"), (int)d->kind,
               MASH__V1__HEALTH_EVENT_KIND__HEALTH_EVENT_KIND_UNSPECIFIED,
               MASH__V1__HEALTH_EVENT_KIND__HEALTH_EVENT_KIND_HEALTH_VISITOR_CONCERN);
  s_check_text(errs, PATH_FIELD(at, "setting"), d->setting, MASH_MAX_SHORT_TEXT, 0);
  s_check_time(errs, PATH_FIELD(at, "attended_at_ms"), d->attended_at_ms);
  s_check_text(errs, PATH_FIELD(at, "practitioner"), d->practitioner, MASH_MAX_SHORT_TEXT, 0);
}

static void s_check_education(mash_errors_t *errs, const path_t *at,
                              const Mash__V1__EducationDetail *d) {
  s_check_enum(errs, PATH_FIELD(at, "kind"), (int)d->kind,
               MASH__V1__EDUCATION_EVENT_KIND__EDUCATION_EVENT_KIND_UNSPECIFIED,
               MASH__V1__EDUCATION_EVENT_KIND__EDUCATION_EVENT_KIND_DSL_CONCERN);
  s_check_text(errs, PATH_FIELD(at, "school"), d->school, MASH_MAX_SHORT_TEXT, 0);
  if (d->attendance_percent > 100) {
    s_fail(errs, PATH_FIELD(at, "attendance_percent"), "is more than 100");
  }
  s_check_text(errs, PATH_FIELD(at, "dsl_name"), d->dsl_name, MASH_MAX_SHORT_TEXT, 0);
}

static void s_check_housing(mash_errors_t *errs, const path_t *at,
                            const Mash__V1__HousingDetail *d) {
  s_check_enum(errs, PATH_FIELD(at, "kind"), (int)d->kind,
               MASH__V1__HOUSING_EVENT_KIND__HOUSING_EVENT_KIND_UNSPECIFIED,
               MASH__V1__HOUSING_EVENT_KIND__HOUSING_EVENT_KIND_ANTI_SOCIAL_BEHAVIOUR);
  s_check_text(errs, PATH_FIELD(at, "tenancy_reference"), d->tenancy_reference, MASH_MAX_SHORT_TEXT,
               0);
}

static void s_check_detail(mash_errors_t *errs, const path_t *prefix,
                           const Mash__V1__Notification *n, const ref_table_t *refs) {
  const void *detail = NULL;
  const char *name = NULL;
  switch (n->detail_case) {
  case MASH__V1__NOTIFICATION__DETAIL__NOT_SET:
    return;
  case MASH__V1__NOTIFICATION__DETAIL_POLICE:
    detail = n->police;
    name = "police";
    break;
  case MASH__V1__NOTIFICATION__DETAIL_HEALTH:
    detail = n->health;
    name = "health";
    break;
  case MASH__V1__NOTIFICATION__DETAIL_EDUCATION:
    detail = n->education;
    name = "education";
    break;
  case MASH__V1__NOTIFICATION__DETAIL_HOUSING:
    detail = n->housing;
    name = "housing";
    break;
  default:
    s_fail(errs, PATH_FIELD(prefix, "detail"), "has unknown kind %d", (int)n->detail_case);
    return;
  }
  const path_t *at = PATH_FIELD(prefix, name);
  if (detail == NULL) {
    s_fail(errs, at, "is missing");
    return;
  }
  switch (n->detail_case) {
  case MASH__V1__NOTIFICATION__DETAIL_POLICE:
    s_check_police(errs, at, n->police, refs);
    break;
  case MASH__V1__NOTIFICATION__DETAIL_HEALTH:
    s_check_health(errs, at, n->health);
    break;
  case MASH__V1__NOTIFICATION__DETAIL_EDUCATION:
    s_check_education(errs, at, n->education);
    break;
  case MASH__V1__NOTIFICATION__DETAIL_HOUSING:
    s_check_housing(errs, at, n->housing);
    break;
  default:
    break;
  }
}

static void s_check_notification(mash_errors_t *errs, const path_t *at,
                                 const Mash__V1__Notification *n, long today) {
  if (n == NULL) {
    s_fail(errs, at, "is missing");
    return;
  }
  ref_table_t refs = {.count = 0, .complete = true};
  s_check_text(errs, PATH_FIELD(at, "source_reference"), n->source_reference, MASH_MAX_SHORT_TEXT,
               0);
  if (n->n_children == 0) {
    s_fail(errs, PATH_FIELD(at, "children"), "needs at least one child");
  }
  s_check_people(errs, at, "children", n->n_children, n->children, MASH_MAX_PEOPLE, true, today,
                 &refs);
  s_check_people(errs, at, "adults", n->n_adults, n->adults, MASH_MAX_PEOPLE, false, today, &refs);
  if (s_check_count(errs, PATH_FIELD(at, "relationships"), n->n_relationships, n->relationships,
                    MASH_MAX_RELATIONSHIPS)) {
    for (size_t i = 0; i < n->n_relationships; i++) {
      const path_t *rel = PATH_ITEM(at, "relationships", i);
      const Mash__V1__Relationship *r = n->relationships[i];
      if (r == NULL) {
        s_fail(errs, rel, "is missing");
        continue;
      }
      s_check_ref_use(errs, PATH_FIELD(rel, "from_ref"), r->from_ref, &refs, false);
      s_check_ref_use(errs, PATH_FIELD(rel, "to_ref"), r->to_ref, &refs, false);
      s_check_text(errs, PATH_FIELD(rel, "kind"), r->kind, MASH_MAX_SHORT_TEXT, 0);
    }
  }
  s_check_enum(errs, PATH_FIELD(at, "concern_category"), (int)n->concern_category,
               MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_UNSPECIFIED,
               MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_OTHER);
  s_check_text(errs, PATH_FIELD(at, "concern"), n->concern, MASH_MAX_LONG_TEXT, TEXT_MULTILINE);
  s_check_time(errs, PATH_FIELD(at, "occurred_at_ms"), n->occurred_at_ms);
  s_check_detail(errs, at, n, &refs);
}

/* The list the validators fill: the caller's or, when it passed none,
 * `scratch` with only its counts cleared. The validators read nothing else
 * back, so clearing all 4 KB of it for every message would be wasted. */
static mash_errors_t *s_errors_or_scratch(mash_errors_t *errs, mash_errors_t *scratch) {
  if (errs != NULL) {
    return errs;
  }
  scratch->count = 0;
  scratch->dropped = 0;
  return scratch;
}

int mash_codec_validate_notification(const Mash__V1__Notification *n, int64_t now_ms,
                                     mash_errors_t *errs) {
  mash_errors_t scratch;
  mash_errors_t *e = s_errors_or_scratch(errs, &scratch);
  size_t before = s_error_total(e);
  s_check_notification(e, PATH_FIELD(NULL, "notification"), n, s_today(now_ms));
  return s_error_total(e) != before ? -EINVAL : 0;
}

/* ---------------------------------------------------------- other bodies */

static void s_check_receipt(mash_errors_t *errs, const path_t *at, const Mash__V1__Receipt *r) {
  s_check_enum(errs, PATH_FIELD(at, "status"), (int)r->status,
               MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED,
               MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED);
  s_check_text(errs, PATH_FIELD(at, "contact_id"), r->contact_id, MASH_MAX_ID_LEN, TEXT_SAFE_ID);
  s_check_text(errs, PATH_FIELD(at, "enquiry_id"), r->enquiry_id, MASH_MAX_ID_LEN, TEXT_SAFE_ID);
  if (!s_check_count(errs, PATH_FIELD(at, "errors"), r->n_errors, r->errors,
                     MASH_MAX_FIELD_ERRORS)) {
    return;
  }
  for (size_t i = 0; i < r->n_errors; i++) {
    const path_t *item = PATH_ITEM(at, "errors", i);
    const Mash__V1__FieldError *fe = r->errors[i];
    if (fe == NULL) {
      s_fail(errs, item, "is missing");
      continue;
    }
    s_check_text(errs, PATH_FIELD(item, "field"), fe->field, MAX_RECEIPT_FIELD, 0);
    s_check_text(errs, PATH_FIELD(item, "message"), fe->message, MAX_RECEIPT_MESSAGE, 0);
  }
}

/* A contact as the broker delivers it: on its own ("contact") or inside a
 * consolidated pack ("pack.contact"). */
static void s_check_contact(mash_errors_t *errs, const path_t *at, const Mash__V1__Contact *c,
                            long today) {
  s_check_text(errs, PATH_FIELD(at, "contact_id"), c->contact_id, MASH_MAX_ID_LEN,
               TEXT_REQUIRED | TEXT_SAFE_ID);
  s_check_text(errs, PATH_FIELD(at, "source_principal"), c->source_principal, MASH_MAX_ID_LEN,
               TEXT_REQUIRED);
  s_check_notification(errs, PATH_FIELD(at, "notification"), c->notification, today);
  if (c->dash) {
    const int lo = MASH__V1__RISK_GRADE__RISK_GRADE_UNSPECIFIED;
    const int hi = MASH__V1__RISK_GRADE__RISK_GRADE_HIGH;
    const path_t *dash = PATH_FIELD(at, "dash");
    s_check_enum(errs, PATH_FIELD(dash, "checklist_grade"), (int)c->dash->checklist_grade, lo, hi);
    s_check_enum(errs, PATH_FIELD(dash, "officer_grade"), (int)c->dash->officer_grade, lo, hi);
    s_check_enum(errs, PATH_FIELD(dash, "final_grade"), (int)c->dash->final_grade, lo, hi);
    if (c->dash->yes_count > MASH_DASH_ITEMS) {
      s_fail(errs, PATH_FIELD(dash, "yes_count"), "is more than %u", MASH_DASH_ITEMS);
    }
  }
  if (s_check_count(errs, PATH_FIELD(at, "quality_flags"), c->n_quality_flags, c->quality_flags,
                    MAX_QUALITY_FLAGS)) {
    for (size_t i = 0; i < c->n_quality_flags; i++) {
      s_check_text(errs, PATH_ITEM(at, "quality_flags", i), c->quality_flags[i], MASH_MAX_ID_LEN,
                   TEXT_REQUIRED | TEXT_SAFE_ID);
    }
  }
  if (s_check_count(errs, PATH_FIELD(at, "persons"), c->n_persons, c->persons, MAX_LISTED_PEOPLE)) {
    for (size_t i = 0; i < c->n_persons; i++) {
      const path_t *item = PATH_ITEM(at, "persons", i);
      const Mash__V1__PersonLink *l = c->persons[i];
      if (l == NULL) {
        s_fail(errs, item, "is missing");
        continue;
      }
      const unsigned id = TEXT_REQUIRED | TEXT_SAFE_ID;
      s_check_text(errs, PATH_FIELD(item, "ref"), l->ref, MASH_MAX_ID_LEN, id);
      s_check_text(errs, PATH_FIELD(item, "person_id"), l->person_id, MASH_MAX_ID_LEN, id);
      s_check_text(errs, PATH_FIELD(item, "decision"), l->decision, MASH_MAX_ID_LEN, id);
      if (l->confidence_permille > 1000) {
        s_fail(errs, PATH_FIELD(item, "confidence_permille"), "is more than 1000");
      }
      s_check_text(errs, PATH_FIELD(item, "why"), l->why, MASH_MAX_SHORT_TEXT, 0);
      s_check_text(errs, PATH_FIELD(item, "candidate_person_id"), l->candidate_person_id,
                   MASH_MAX_ID_LEN, TEXT_SAFE_ID);
      s_check_text(errs, PATH_FIELD(item, "match_id"), l->match_id, MASH_MAX_ID_LEN, TEXT_SAFE_ID);
    }
  }
}

/* ------------------------------------------------------------- the enquiry */

/* An enum whose zero value means "not given": zero is reported as missing,
 * anything past `hi` as unknown. */
static bool s_check_enum_required(mash_errors_t *errs, const path_t *at, int value, int hi) {
  if (value == 0) {
    s_fail(errs, at, "is required");
    return false;
  }
  return s_check_enum(errs, at, value, 1, hi);
}

static void s_check_rag(mash_errors_t *errs, const path_t *parent, int rag) {
  s_check_enum(errs, PATH_FIELD(parent, "rag"), rag, MASH__V1__RAG__RAG_UNSPECIFIED,
               MASH__V1__RAG__RAG_BLUE);
}

/* A principal name as the broker's key file knows them: 1-63 of [a-z0-9_-],
 * starting with a letter. Kept here (and not taken from common/keys.h) so the
 * codec depends on nothing but protobuf-c. */
static bool s_is_principal(const char *s) {
  size_t len = s ? strnlen(s, MAX_PRINCIPAL_LEN + 1) : 0;
  if (len == 0 || len > MAX_PRINCIPAL_LEN || s[0] < 'a' || s[0] > 'z') {
    return false;
  }
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

/* A consent record, the field "consent" of `parent`: status and lawful basis
 * known and given; a reason whenever consent was not given, since the hub
 * must be able to say why it shared without it. `required`: a missing record
 * is an error. */
static void s_check_consent(mash_errors_t *errs, const path_t *parent,
                            const Mash__V1__ConsentRecord *c, bool required) {
  const path_t *at = PATH_FIELD(parent, "consent");
  if (c == NULL) {
    if (required) {
      s_fail(errs, at, "is required");
    }
    return;
  }
  bool status_ok = s_check_enum_required(errs, PATH_FIELD(at, "status"), (int)c->status,
                                         MASH__V1__CONSENT_STATUS__CONSENT_STATUS_NOT_SOUGHT);
  s_check_enum_required(errs, PATH_FIELD(at, "lawful_basis"), (int)c->lawful_basis,
                        MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_SAFEGUARDING_DPA_SCH1_P18);
  bool reason_ok = s_check_text(errs, PATH_FIELD(at, "reason"), c->reason, MASH_MAX_SHORT_TEXT, 0);
  bool not_given = c->status == MASH__V1__CONSENT_STATUS__CONSENT_STATUS_REFUSED ||
                   c->status == MASH__V1__CONSENT_STATUS__CONSENT_STATUS_NOT_SOUGHT;
  if (status_ok && reason_ok && not_given && (c->reason == NULL || c->reason[0] == '\0')) {
    s_fail(errs, PATH_FIELD(at, "reason"), "a reason is required when consent is not given");
  }
  s_check_text(errs, PATH_FIELD(at, "recorded_by"), c->recorded_by, MASH_MAX_SHORT_TEXT, 0);
}

static void s_check_screening(mash_errors_t *errs, const path_t *at,
                              const Mash__V1__ScreeningDecision *d) {
  s_check_text(errs, PATH_FIELD(at, "contact_id"), d->contact_id, MASH_MAX_ID_LEN,
               TEXT_REQUIRED | TEXT_SAFE_ID);
  s_check_enum_required(errs, PATH_FIELD(at, "rag"), (int)d->rag, MASH__V1__RAG__RAG_BLUE);
  if (s_check_count(errs, PATH_FIELD(at, "agencies"), d->n_agencies, d->agencies,
                    MASH_MAX_AGENCIES)) {
    /* Whether each agency is a principal, worked out once: the duplicate
     * search below compares every name with those before it. */
    bool principal[MASH_MAX_AGENCIES];
    for (size_t i = 0; i < d->n_agencies; i++) {
      const path_t *item = PATH_ITEM(at, "agencies", i);
      const char *a = d->agencies[i];
      principal[i] = s_is_principal(a);
      if (!principal[i]) {
        s_fail(errs, item, "must be an agency principal: 1-%zu of a-z 0-9 _ -, first a-z",
               MAX_PRINCIPAL_LEN);
        continue;
      }
      /* At most MASH_MAX_AGENCIES names, each checked above: cheap and bounded. */
      for (size_t j = 0; j < i; j++) {
        if (principal[j] && strcmp(d->agencies[j], a) == 0) {
          s_fail(errs, item, "duplicates screening.agencies[%zu]", j);
          break;
        }
      }
    }
  }
  s_check_consent(errs, at, d->consent, true);
  s_check_text(errs, PATH_FIELD(at, "screened_by"), d->screened_by, MASH_MAX_SHORT_TEXT,
               TEXT_REQUIRED);
  s_check_text(errs, PATH_FIELD(at, "rationale"), d->rationale, MASH_MAX_LONG_TEXT, TEXT_MULTILINE);
}

static void s_check_enquiry_request(mash_errors_t *errs, const path_t *at,
                                    const Mash__V1__EnquiryRequest *r, long today) {
  const unsigned id = TEXT_REQUIRED | TEXT_SAFE_ID;
  s_check_text(errs, PATH_FIELD(at, "request_id"), r->request_id, MASH_MAX_ID_LEN, id);
  s_check_text(errs, PATH_FIELD(at, "enquiry_id"), r->enquiry_id, MASH_MAX_ID_LEN, id);
  s_check_text(errs, PATH_FIELD(at, "contact_id"), r->contact_id, MASH_MAX_ID_LEN, id);
  s_check_rag(errs, at, (int)r->rag);
  s_check_time(errs, PATH_FIELD(at, "requested_at_ms"), r->requested_at_ms);
  s_check_time(errs, PATH_FIELD(at, "due_at_ms"), r->due_at_ms);
  ref_table_t refs = {.count = 0, .complete = true};
  s_check_people(errs, at, "subjects", r->n_subjects, r->subjects, MAX_LISTED_PEOPLE, false, today,
                 &refs);
  s_check_text(errs, PATH_FIELD(at, "question"), r->question, MASH_MAX_LONG_TEXT, TEXT_MULTILINE);
  s_check_consent(errs, at, r->consent, false);
}

/* An agency's answer, on its own ("enquiry_response") or inside a pack. */
static void s_check_response(mash_errors_t *errs, const path_t *at,
                             const Mash__V1__EnquiryResponse *r) {
  s_check_text(errs, PATH_FIELD(at, "request_id"), r->request_id, MASH_MAX_ID_LEN,
               TEXT_REQUIRED | TEXT_SAFE_ID);
  if (s_check_count(errs, PATH_FIELD(at, "findings"), r->n_findings, r->findings,
                    MASH_MAX_FINDINGS)) {
    if (r->no_information_held && r->n_findings > 0) {
      s_fail(errs, PATH_FIELD(at, "findings"), "must be empty when no_information_held is set");
    }
    for (size_t i = 0; i < r->n_findings; i++) {
      const path_t *item = PATH_ITEM(at, "findings", i);
      const Mash__V1__Finding *f = r->findings[i];
      if (f == NULL) {
        s_fail(errs, item, "is missing");
        continue;
      }
      s_check_text(errs, PATH_FIELD(item, "kind"), f->kind, MASH_MAX_ID_LEN,
                   TEXT_REQUIRED | TEXT_SAFE_ID);
      s_check_text(errs, PATH_FIELD(item, "summary"), f->summary, MASH_MAX_LONG_TEXT,
                   TEXT_MULTILINE);
      s_check_time(errs, PATH_FIELD(item, "at_ms"), f->at_ms);
    }
  }
  s_check_text(errs, PATH_FIELD(at, "summary"), r->summary, MASH_MAX_LONG_TEXT, TEXT_MULTILINE);
  s_check_text(errs, PATH_FIELD(at, "responder"), r->responder, MASH_MAX_SHORT_TEXT, 0);
}

/* One step of the escalation ladder, on its own ("escalation") or inside a
 * pack. Only its own id is required: a screening escalation has no enquiry,
 * request or agency. */
static void s_check_escalation(mash_errors_t *errs, const path_t *at,
                               const Mash__V1__EscalationEvent *e) {
  s_check_text(errs, PATH_FIELD(at, "escalation_id"), e->escalation_id, MASH_MAX_ID_LEN,
               TEXT_REQUIRED | TEXT_SAFE_ID);
  s_check_text(errs, PATH_FIELD(at, "enquiry_id"), e->enquiry_id, MASH_MAX_ID_LEN, TEXT_SAFE_ID);
  s_check_text(errs, PATH_FIELD(at, "request_id"), e->request_id, MASH_MAX_ID_LEN, TEXT_SAFE_ID);
  s_check_text(errs, PATH_FIELD(at, "contact_id"), e->contact_id, MASH_MAX_ID_LEN, TEXT_SAFE_ID);
  s_check_text(errs, PATH_FIELD(at, "agency"), e->agency, MASH_MAX_ID_LEN, TEXT_SAFE_ID);
  if (e->level < 1 || e->level > MASH_MAX_ESCALATION_LEVEL) {
    s_fail(errs, PATH_FIELD(at, "level"), "is %u, must be 1 to %u", (unsigned)e->level,
           MASH_MAX_ESCALATION_LEVEL);
  }
  s_check_text(errs, PATH_FIELD(at, "step"), e->step, MASH_MAX_SHORT_TEXT, 0);
  if (s_check_count(errs, PATH_FIELD(at, "parties"), e->n_parties, e->parties, MASH_MAX_PARTIES)) {
    for (size_t i = 0; i < e->n_parties; i++) {
      s_check_text(errs, PATH_ITEM(at, "parties", i), e->parties[i], MASH_MAX_SHORT_TEXT,
                   TEXT_REQUIRED);
    }
  }
  s_check_time(errs, PATH_FIELD(at, "due_at_ms"), e->due_at_ms);
  s_check_time(errs, PATH_FIELD(at, "at_ms"), e->at_ms);
  s_check_rag(errs, at, (int)e->rag);
}

static void s_check_answer(mash_errors_t *errs, const path_t *at, const Mash__V1__AgencyAnswer *a) {
  const unsigned id = TEXT_REQUIRED | TEXT_SAFE_ID;
  s_check_text(errs, PATH_FIELD(at, "agency"), a->agency, MASH_MAX_ID_LEN, id);
  s_check_text(errs, PATH_FIELD(at, "request_id"), a->request_id, MASH_MAX_ID_LEN, id);
  s_check_time(errs, PATH_FIELD(at, "requested_at_ms"), a->requested_at_ms);
  s_check_time(errs, PATH_FIELD(at, "due_at_ms"), a->due_at_ms);
  s_check_time(errs, PATH_FIELD(at, "answered_at_ms"), a->answered_at_ms);
  if (a->response) {
    s_check_response(errs, PATH_FIELD(at, "response"), a->response);
  }
  if (a->escalation_level > MASH_MAX_ESCALATION_LEVEL) {
    s_fail(errs, PATH_FIELD(at, "escalation_level"), "is more than %u", MASH_MAX_ESCALATION_LEVEL);
  }
}

static void s_check_prior_contact(mash_errors_t *errs, const path_t *at,
                                  const Mash__V1__PriorContact *c) {
  s_check_text(errs, PATH_FIELD(at, "contact_id"), c->contact_id, MASH_MAX_ID_LEN,
               TEXT_REQUIRED | TEXT_SAFE_ID);
  s_check_text(errs, PATH_FIELD(at, "source_principal"), c->source_principal, MASH_MAX_ID_LEN, 0);
  s_check_time(errs, PATH_FIELD(at, "received_at_ms"), c->received_at_ms);
  s_check_enum(errs, PATH_FIELD(at, "concern_category"), (int)c->concern_category,
               MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_UNSPECIFIED,
               MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_OTHER);
  s_check_text(errs, PATH_FIELD(at, "person_ref"), c->person_ref, MASH_MAX_ID_LEN, 0);
}

/* The broker's consolidated pack, checked by the hub on receipt. Every list
 * is bounded before it is walked, nested messages included, so the work is
 * bounded whatever the frame holds. */
static void s_check_pack(mash_errors_t *errs, const path_t *at, const Mash__V1__ConsolidatedPack *k,
                         long today) {
  s_check_text(errs, PATH_FIELD(at, "enquiry_id"), k->enquiry_id, MASH_MAX_ID_LEN,
               TEXT_REQUIRED | TEXT_SAFE_ID);
  s_check_text(errs, PATH_FIELD(at, "contact_id"), k->contact_id, MASH_MAX_ID_LEN,
               TEXT_REQUIRED | TEXT_SAFE_ID);
  if (k->version < 1) {
    s_fail(errs, PATH_FIELD(at, "version"), "must be at least 1");
  }
  s_check_time(errs, PATH_FIELD(at, "issued_at_ms"), k->issued_at_ms);
  if (k->contact) {
    s_check_contact(errs, PATH_FIELD(at, "contact"), k->contact, today);
  }
  s_check_rag(errs, at, (int)k->rag);
  s_check_consent(errs, at, k->consent, false);
  if (s_check_count(errs, PATH_FIELD(at, "answers"), k->n_answers, k->answers,
                    MASH_MAX_PACK_AGENCIES)) {
    for (size_t i = 0; i < k->n_answers; i++) {
      const path_t *item = PATH_ITEM(at, "answers", i);
      if (k->answers[i] == NULL) {
        s_fail(errs, item, "is missing");
        continue;
      }
      s_check_answer(errs, item, k->answers[i]);
    }
  }
  if (s_check_count(errs, PATH_FIELD(at, "missing_agencies"), k->n_missing_agencies,
                    k->missing_agencies, MASH_MAX_PACK_AGENCIES)) {
    for (size_t i = 0; i < k->n_missing_agencies; i++) {
      s_check_text(errs, PATH_ITEM(at, "missing_agencies", i), k->missing_agencies[i],
                   MASH_MAX_ID_LEN, TEXT_REQUIRED | TEXT_SAFE_ID);
    }
  }
  if (s_check_count(errs, PATH_FIELD(at, "escalations"), k->n_escalations, k->escalations,
                    MASH_MAX_PACK_ESCALATIONS)) {
    for (size_t i = 0; i < k->n_escalations; i++) {
      const path_t *item = PATH_ITEM(at, "escalations", i);
      if (k->escalations[i] == NULL) {
        s_fail(errs, item, "is missing");
        continue;
      }
      s_check_escalation(errs, item, k->escalations[i]);
    }
  }
  ref_table_t refs = {.count = 0, .complete = true};
  s_check_people(errs, at, "household", k->n_household, k->household, MAX_LISTED_PEOPLE, false,
                 today, &refs);
  if (s_check_count(errs, PATH_FIELD(at, "prior_contacts"), k->n_prior_contacts, k->prior_contacts,
                    MASH_MAX_PRIOR_CONTACTS)) {
    for (size_t i = 0; i < k->n_prior_contacts; i++) {
      const path_t *item = PATH_ITEM(at, "prior_contacts", i);
      if (k->prior_contacts[i] == NULL) {
        s_fail(errs, item, "is missing");
        continue;
      }
      s_check_prior_contact(errs, item, k->prior_contacts[i]);
    }
  }
  s_check_text(errs, PATH_FIELD(at, "screened_by"), k->screened_by, MASH_MAX_SHORT_TEXT, 0);
}

static void s_check_outcome(mash_errors_t *errs, const path_t *at,
                            const Mash__V1__OutcomeDecision *d) {
  s_check_text(errs, PATH_FIELD(at, "contact_id"), d->contact_id, MASH_MAX_ID_LEN,
               TEXT_REQUIRED | TEXT_SAFE_ID);
  s_check_enum_required(errs, PATH_FIELD(at, "outcome"), (int)d->outcome,
                        MASH__V1__OUTCOME__OUTCOME_STRATEGY_DISCUSSION);
  s_check_text(errs, PATH_FIELD(at, "decided_by"), d->decided_by, MASH_MAX_SHORT_TEXT,
               TEXT_REQUIRED);
  s_check_text(errs, PATH_FIELD(at, "rationale"), d->rationale, MASH_MAX_LONG_TEXT, TEXT_MULTILINE);
}

static void s_check_match_decision(mash_errors_t *errs, const path_t *at,
                                   const Mash__V1__MatchDecision *d) {
  s_check_text(errs, PATH_FIELD(at, "match_id"), d->match_id, MASH_MAX_ID_LEN,
               TEXT_REQUIRED | TEXT_SAFE_ID);
  s_check_text(errs, PATH_FIELD(at, "decided_by"), d->decided_by, MASH_MAX_SHORT_TEXT,
               TEXT_REQUIRED);
  s_check_text(errs, PATH_FIELD(at, "rationale"), d->rationale, MASH_MAX_LONG_TEXT, TEXT_MULTILINE);
}

/* The envelope has no trusted clock of its own (sent_at_ms is the sender's
 * word), so dates of birth are checked against this host's wall clock. */
static int64_t s_wall_clock_ms(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
    return 0; /* skip the future check rather than guess */
  }
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int mash_codec_validate_envelope(const Mash__V1__Envelope *env, mash_errors_t *errs) {
  mash_errors_t scratch;
  mash_errors_t *e = s_errors_or_scratch(errs, &scratch);
  size_t before = s_error_total(e);
  if (env == NULL) {
    mash_errors_add(e, "envelope", "is missing");
    return -EINVAL;
  }
  s_check_text(e, PATH_FIELD(NULL, "message_id"), env->message_id, MASH_MAX_ID_LEN,
               TEXT_REQUIRED | TEXT_SAFE_ID);
  s_check_text(e, PATH_FIELD(NULL, "correlation_id"), env->correlation_id, MASH_MAX_ID_LEN,
               TEXT_SAFE_ID);
  if (env->schema_version != MASH_SCHEMA_VERSION) {
    mash_errors_add(e, "schema_version", "is %u, expected %u", (unsigned)env->schema_version,
                    MASH_SCHEMA_VERSION);
  }
  const void *body = NULL;
  const char *name = NULL;
  switch (env->body_case) {
  case MASH__V1__ENVELOPE__BODY__NOT_SET:
    mash_errors_add(e, "body", "is not set or of a kind this version does not know");
    break;
  case MASH__V1__ENVELOPE__BODY_NOTIFICATION:
    body = env->notification;
    name = "notification";
    break;
  case MASH__V1__ENVELOPE__BODY_RECEIPT:
    body = env->receipt;
    name = "receipt";
    break;
  case MASH__V1__ENVELOPE__BODY_HEARTBEAT:
    body = env->heartbeat;
    name = "heartbeat";
    break;
  case MASH__V1__ENVELOPE__BODY_ERROR:
    body = env->error;
    name = "error";
    break;
  case MASH__V1__ENVELOPE__BODY_CONTACT:
    body = env->contact;
    name = "contact";
    break;
  case MASH__V1__ENVELOPE__BODY_SCREENING:
    body = env->screening;
    name = "screening";
    break;
  case MASH__V1__ENVELOPE__BODY_ENQUIRY_REQUEST:
    body = env->enquiry_request;
    name = "enquiry_request";
    break;
  case MASH__V1__ENVELOPE__BODY_ENQUIRY_RESPONSE:
    body = env->enquiry_response;
    name = "enquiry_response";
    break;
  case MASH__V1__ENVELOPE__BODY_PACK:
    body = env->pack;
    name = "pack";
    break;
  case MASH__V1__ENVELOPE__BODY_OUTCOME:
    body = env->outcome;
    name = "outcome";
    break;
  case MASH__V1__ENVELOPE__BODY_ESCALATION:
    body = env->escalation;
    name = "escalation";
    break;
  case MASH__V1__ENVELOPE__BODY_MATCH_DECISION:
    body = env->match_decision;
    name = "match_decision";
    break;
  case MASH__V1__ENVELOPE__BODY_OPS_QUERY:
    body = env->ops_query;
    name = "ops_query";
    break;
  case MASH__V1__ENVELOPE__BODY_OPS_REPORT:
    body = env->ops_report;
    name = "ops_report";
    break;
  default:
    mash_errors_add(e, "body", "has unknown kind %d", (int)env->body_case);
    break;
  }
  if (name != NULL && body == NULL) {
    mash_errors_add(e, name, "is missing");
  } else if (body != NULL) {
    const path_t *at = PATH_FIELD(NULL, name);
    switch (env->body_case) {
    case MASH__V1__ENVELOPE__BODY_NOTIFICATION:
      s_check_notification(e, at, env->notification, s_today(s_wall_clock_ms()));
      break;
    case MASH__V1__ENVELOPE__BODY_RECEIPT:
      s_check_receipt(e, at, env->receipt);
      break;
    case MASH__V1__ENVELOPE__BODY_HEARTBEAT:
      s_check_text(e, PATH_FIELD(at, "agent"), env->heartbeat->agent, MASH_MAX_SHORT_TEXT, 0);
      break;
    case MASH__V1__ENVELOPE__BODY_ERROR:
      s_check_enum(e, PATH_FIELD(at, "code"), (int)env->error->code,
                   MASH__V1__ERROR_CODE__ERROR_CODE_UNSPECIFIED,
                   MASH__V1__ERROR_CODE__ERROR_CODE_INTERNAL);
      s_check_text(e, PATH_FIELD(at, "message"), env->error->message, MASH_MAX_LONG_TEXT, 0);
      break;
    case MASH__V1__ENVELOPE__BODY_CONTACT:
      s_check_contact(e, at, env->contact, s_today(s_wall_clock_ms()));
      break;
    case MASH__V1__ENVELOPE__BODY_SCREENING:
      s_check_screening(e, at, env->screening);
      break;
    case MASH__V1__ENVELOPE__BODY_ENQUIRY_REQUEST:
      s_check_enquiry_request(e, at, env->enquiry_request, s_today(s_wall_clock_ms()));
      break;
    case MASH__V1__ENVELOPE__BODY_ENQUIRY_RESPONSE:
      s_check_response(e, at, env->enquiry_response);
      break;
    case MASH__V1__ENVELOPE__BODY_PACK:
      s_check_pack(e, at, env->pack, s_today(s_wall_clock_ms()));
      break;
    case MASH__V1__ENVELOPE__BODY_OUTCOME:
      s_check_outcome(e, at, env->outcome);
      break;
    case MASH__V1__ENVELOPE__BODY_ESCALATION:
      s_check_escalation(e, at, env->escalation);
      break;
    case MASH__V1__ENVELOPE__BODY_MATCH_DECISION:
      s_check_match_decision(e, at, env->match_decision);
      break;
    case MASH__V1__ENVELOPE__BODY_OPS_QUERY:
      /* A range of receipt times: both 0 (everything) or from before to. */
      if (env->ops_query->from_ms < 0) {
        mash_errors_add(e, "ops_query.from_ms", "is negative");
      }
      if (env->ops_query->to_ms < 0 ||
          (env->ops_query->to_ms > 0 && env->ops_query->to_ms <= env->ops_query->from_ms)) {
        mash_errors_add(e, "ops_query.to_ms", "is not after from_ms");
      }
      break;
    default:
      break;
    }
  }
  return s_error_total(e) != before ? -EINVAL : 0;
}
