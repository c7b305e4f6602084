/* police_json: maps a police system's JSON notification to a mash.v1
 * Notification with PoliceDetail. The format is documented in
 * agents/police/README.md.
 *
 * Responsible for: reading one JSON document, checking the type, presence and
 * size of every field it maps, and reporting each problem with the JSON path
 * of the field ("children[1].dob"), so the police operator can correct the
 * record. Every array and string is bounded by the MASH_MAX_* constants of
 * proto/codec.h before anything is allocated for it.
 * Must not: do any I/O, log, score the DASH (the broker does, common/dash.c),
 * or keep state. Unknown keys are ignored. Safe from any thread.
 */
#include "police_json.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

/* Largest document accepted. A notification has to fit in one frame once
 * encoded; JSON is wordier than protobuf, so allow four frames of text. */
#define POLICE_JSON_MAX_BYTES (4u * MASH_MAX_FRAME)

/* Paths fit the field of a mash_field_error_t. */
#define PATH_LEN sizeof(((mash_field_error_t *)0)->field)

/* Issuer recorded with a police local person id. */
#define POLICE_LOCAL_ISSUER "police"

typedef struct parse_ctx {
  mash_errors_t *errs;
  size_t errors; /* problems found in this document */
} parse_ctx_t;

typedef struct name_value {
  const char *name;
  int value;
} name_value_t;

static const name_value_t s_categories[] = {
    {"domestic_abuse", MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE},
    {"neglect", MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT},
    {"physical_abuse", MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_PHYSICAL_ABUSE},
    {"sexual_abuse", MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_SEXUAL_ABUSE},
    {"emotional_abuse", MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_EMOTIONAL_ABUSE},
    {"exploitation", MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_EXPLOITATION},
    {"missing", MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_MISSING},
    {"other", MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_OTHER},
    {NULL, 0},
};

static const name_value_t s_grades[] = {
    {"standard", MASH__V1__RISK_GRADE__RISK_GRADE_STANDARD},
    {"medium", MASH__V1__RISK_GRADE__RISK_GRADE_MEDIUM},
    {"high", MASH__V1__RISK_GRADE__RISK_GRADE_HIGH},
    {NULL, 0},
};

static const name_value_t s_sexes[] = {
    {"female", MASH__V1__SEX__SEX_FEMALE},
    {"male", MASH__V1__SEX__SEX_MALE},
    {"other", MASH__V1__SEX__SEX_OTHER},
    {"not_known", MASH__V1__SEX__SEX_NOT_KNOWN},
    {NULL, 0},
};

static const name_value_t s_answers[] = {
    {"yes", MASH__V1__DASH_ANSWER__DASH_ANSWER_YES},
    {"no", MASH__V1__DASH_ANSWER__DASH_ANSWER_NO},
    {"not_known", MASH__V1__DASH_ANSWER__DASH_ANSWER_NOT_KNOWN},
    {NULL, 0},
};

/* ---------------------------------------------------------------- errors */

static void s_error(parse_ctx_t *ctx, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void s_error(parse_ctx_t *ctx, const char *path, const char *fmt, ...) {
  char message[sizeof(((mash_field_error_t *)0)->message)];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  ctx->errors++;
  if (ctx->errs != NULL) {
    mash_errors_add(ctx->errs, path, "%s", message);
  }
}

/* out = a + b + c, cut to PATH_LEN. Paths of this format are short (the
 * deepest is "children[31].address.lines[5]"); were one cut, the error would
 * still name its start. */
static void s_path_join(char *out, const char *a, const char *b, const char *c) {
  const char *parts[3] = {a, b, c};
  size_t used = 0;
  for (int i = 0; i < 3; i++) {
    for (const char *s = parts[i]; *s != '\0' && used + 1 < PATH_LEN; s++) {
      out[used++] = *s;
    }
  }
  out[used] = '\0';
}

/* "base.key", or "key" at the root. */
static void s_path_key(char *out, const char *base, const char *key) {
  s_path_join(out, base, base[0] == '\0' ? "" : ".", key);
}

/* "base[i]". */
static void s_path_index(char *out, const char *base, size_t i) {
  char index[32];
  snprintf(index, sizeof index, "[%zu]", i);
  s_path_join(out, base, index, "");
}

/* ---------------------------------------------------------------- scalars */

static char *s_dup(const char *s) {
  size_t len = strlen(s);
  char *copy = malloc(len + 1);
  if (copy != NULL) {
    memcpy(copy, s, len + 1);
  }
  return copy;
}

/* Identifier and reference characters: letters, digits and a few marks, no
 * white space or controls. */
static bool s_safe_id(const char *s, bool allow_space) {
  for (; *s != '\0'; s++) {
    char c = *s;
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == '/' || c == ':' || (allow_space && c == ' ');
    if (!ok) {
      return false;
    }
  }
  return true;
}

/* Text may not carry control characters other than tab and new line (for the
 * free-text concern); jansson has already rejected NUL and invalid UTF-8. */
static bool s_clean_text(const char *s, bool multiline) {
  for (; *s != '\0'; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == 0x7f || (c < 0x20 && !(multiline && (c == '\n' || c == '\t' || c == '\r')))) {
      return false;
    }
  }
  return true;
}

typedef enum text_kind { TEXT_ID, TEXT_ID_SPACED, TEXT_SHORT, TEXT_LONG } text_kind_t;

/* Read an optional string member. Absent and null leave *out untouched and
 * return 0; a value is copied to a new *out (freeing nothing: *out must hold
 * the protobuf default). Returns -1 after reporting a problem. */
static int s_get_text(parse_ctx_t *ctx, const json_t *obj, const char *key, const char *base,
                      text_kind_t kind, bool required, char **out) {
  char path[PATH_LEN];
  s_path_key(path, base, key);
  const json_t *v = json_object_get(obj, key);
  if (v == NULL || json_is_null(v)) {
    if (required) {
      s_error(ctx, path, "required");
      return -1;
    }
    return 0;
  }
  if (!json_is_string(v)) {
    s_error(ctx, path, "expected a string");
    return -1;
  }
  const char *s = json_string_value(v);
  size_t len = json_string_length(v);
  bool id = kind == TEXT_ID || kind == TEXT_ID_SPACED;
  size_t max = id ? MASH_MAX_ID_LEN : kind == TEXT_SHORT ? MASH_MAX_SHORT_TEXT : MASH_MAX_LONG_TEXT;
  if (len > max) {
    s_error(ctx, path, "longer than %zu bytes", max);
    return -1;
  }
  if (required && len == 0) {
    s_error(ctx, path, "must not be empty");
    return -1;
  }
  if (id ? !s_safe_id(s, kind == TEXT_ID_SPACED) : !s_clean_text(s, kind == TEXT_LONG)) {
    s_error(ctx, path,
            id ? "only letters, digits and -_./: are allowed" : "contains control characters");
    return -1;
  }
  char *copy = s_dup(s);
  if (copy == NULL) {
    s_error(ctx, path, "out of memory");
    return -1;
  }
  *out = copy;
  return 0;
}

/* Read an optional boolean. *found says whether it was given. */
static int s_get_bool(parse_ctx_t *ctx, const json_t *obj, const char *key, const char *base,
                      bool required, protobuf_c_boolean *out, bool *found) {
  char path[PATH_LEN];
  s_path_key(path, base, key);
  const json_t *v = json_object_get(obj, key);
  *found = false;
  if (v == NULL || json_is_null(v)) {
    if (required) {
      s_error(ctx, path, "required");
      return -1;
    }
    return 0;
  }
  if (!json_is_boolean(v)) {
    s_error(ctx, path, "expected true or false");
    return -1;
  }
  *out = json_is_true(v);
  *found = true;
  return 0;
}

static int s_lookup(const name_value_t *table, const char *name, int *value) {
  for (size_t i = 0; table[i].name != NULL; i++) {
    if (strcmp(table[i].name, name) == 0) {
      *value = table[i].value;
      return 0;
    }
  }
  return -1;
}

/* "a, b or c" for error messages. */
static void s_choices(const name_value_t *table, char *out, size_t outlen) {
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; table[i].name != NULL && used < outlen; i++) {
    const char *sep = i == 0 ? "" : table[i + 1].name == NULL ? " or " : ", ";
    int w = snprintf(out + used, outlen - used, "%s%s", sep, table[i].name);
    if (w < 0) {
      break;
    }
    used += (size_t)w;
  }
}

static int s_enum_value(parse_ctx_t *ctx, const json_t *v, const char *path,
                        const name_value_t *table, int *out) {
  if (!json_is_string(v)) {
    s_error(ctx, path, "expected a string");
    return -1;
  }
  if (s_lookup(table, json_string_value(v), out) != 0) {
    char choices[128];
    s_choices(table, choices, sizeof choices);
    /* The value itself is not echoed: it is untrusted and may not fit. */
    s_error(ctx, path, "unknown value; expected %s", choices);
    return -1;
  }
  return 0;
}

static int s_get_enum(parse_ctx_t *ctx, const json_t *obj, const char *key, const char *base,
                      const name_value_t *table, bool required, int *out) {
  char path[PATH_LEN];
  s_path_key(path, base, key);
  const json_t *v = json_object_get(obj, key);
  if (v == NULL || json_is_null(v)) {
    if (required) {
      s_error(ctx, path, "required");
      return -1;
    }
    return 0;
  }
  return s_enum_value(ctx, v, path, table, out);
}

static int s_get_time(parse_ctx_t *ctx, const json_t *obj, const char *key, const char *base,
                      bool required, int64_t *out) {
  char path[PATH_LEN];
  s_path_key(path, base, key);
  const json_t *v = json_object_get(obj, key);
  if (v == NULL || json_is_null(v)) {
    if (required) {
      s_error(ctx, path, "required");
      return -1;
    }
    return 0;
  }
  if (!json_is_string(v)) {
    s_error(ctx, path, "expected a string");
    return -1;
  }
  /* Bound before parsing: a time is short. */
  int64_t ms = 0;
  if (json_string_length(v) > 40 || mash_clock_parse(json_string_value(v), &ms) != 0) {
    s_error(ctx, path, "expected a UTC time such as 2026-11-23T02:10:00Z");
    return -1;
  }
  *out = ms;
  return 0;
}

/* An optional member that must be an object when given. Returns NULL when
 * absent, null or of the wrong type (reported). */
static const json_t *s_get_object(parse_ctx_t *ctx, const json_t *obj, const char *key,
                                  const char *base) {
  const json_t *v = json_object_get(obj, key);
  if (v == NULL || json_is_null(v)) {
    return NULL;
  }
  if (!json_is_object(v)) {
    char path[PATH_LEN];
    s_path_key(path, base, key);
    s_error(ctx, path, "expected an object");
    return NULL;
  }
  return v;
}

/* An array member of at most `max` elements. Returns NULL when absent or
 * null (reported when required) or wrong (reported). */
static const json_t *s_get_array(parse_ctx_t *ctx, const json_t *obj, const char *key,
                                 const char *base, size_t max, bool required) {
  char path[PATH_LEN];
  s_path_key(path, base, key);
  const json_t *v = json_object_get(obj, key);
  if (v == NULL || json_is_null(v)) {
    if (required) {
      s_error(ctx, path, "required");
    }
    return NULL;
  }
  if (!json_is_array(v)) {
    s_error(ctx, path, "expected an array");
    return NULL;
  }
  if (json_array_size(v) > max) {
    s_error(ctx, path, "at most %zu entries, got %zu", max, json_array_size(v));
    return NULL;
  }
  return v;
}

/* A calendar date YYYY-MM-DD that exists (no 30 February). */
static bool s_valid_date(const char *s) {
  if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') {
    return false;
  }
  for (int i = 0; i < 10; i++) {
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) {
      return false;
    }
  }
  int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int month = (s[5] - '0') * 10 + (s[6] - '0');
  int day = (s[8] - '0') * 10 + (s[9] - '0');
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1900 || month < 1 || month > 12 || day < 1) {
    return false;
  }
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int last = days[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= last;
}

/* NHS number: ten digits (spaces allowed between groups, as printed), the
 * last a modulus 11 check digit. Writes the bare digits to out[11]. */
static bool s_nhs_number(const char *s, char out[11]) {
  size_t n = 0;
  for (; *s != '\0'; s++) {
    if (*s == ' ') {
      continue;
    }
    if (*s < '0' || *s > '9' || n == 10) {
      return false;
    }
    out[n++] = *s;
  }
  out[n] = '\0';
  if (n != 10) {
    return false;
  }
  int sum = 0;
  for (int i = 0; i < 9; i++) {
    sum += (out[i] - '0') * (10 - i);
  }
  int check = 11 - sum % 11;
  if (check == 11) {
    check = 0;
  }
  return check != 10 && check == out[9] - '0';
}

/* ---------------------------------------------------------------- people */

static int s_add_identifier(parse_ctx_t *ctx, Mash__V1__Person *p, Mash__V1__IdentifierKind kind,
                            char **value, const char *issuer, const char *path) {
  Mash__V1__Identifier *id = malloc(sizeof *id);
  char *issuer_copy = issuer != NULL ? s_dup(issuer) : NULL;
  if (id == NULL || (issuer != NULL && issuer_copy == NULL)) {
    free(id);
    free(issuer_copy);
    s_error(ctx, path, "out of memory");
    return -1;
  }
  mash__v1__identifier__init(id);
  id->kind = kind;
  id->value = *value;
  *value = NULL;
  if (issuer_copy != NULL) {
    id->issuer = issuer_copy;
  }
  p->identifiers[p->n_identifiers++] = id;
  return 0;
}

/* Read the identifiers of a person: nhs_number, upn, pnc_id, local_id. */
static void s_person_identifiers(parse_ctx_t *ctx, const json_t *j, const char *base,
                                 Mash__V1__Person *p) {
  static const struct {
    const char *key;
    Mash__V1__IdentifierKind kind;
  } keys[] = {
      {"nhs_number", MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER},
      {"upn", MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UPN},
      {"pnc_id", MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_PNC_ID},
      {"local_id", MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID},
  };
  _Static_assert(sizeof keys / sizeof keys[0] <= MASH_MAX_IDENTIFIERS, "too many identifiers");

  p->identifiers = calloc(sizeof keys / sizeof keys[0], sizeof *p->identifiers);
  if (p->identifiers == NULL) {
    s_error(ctx, base, "out of memory");
    return;
  }
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
    char path[PATH_LEN];
    s_path_key(path, base, keys[k].key);
    char *value = NULL;
    bool nhs = keys[k].kind == MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER;
    /* NHS numbers may be printed with spaces ("943 476 5919"). */
    if (s_get_text(ctx, j, keys[k].key, base, nhs ? TEXT_ID_SPACED : TEXT_ID, false, &value) != 0) {
      continue;
    }
    if (value == NULL || value[0] == '\0') {
      free(value);
      continue; /* absent or empty: no identifier */
    }
    if (nhs) {
      char digits[11];
      if (!s_nhs_number(value, digits)) {
        free(value);
        s_error(ctx, path, "not a valid NHS number (10 digits with a modulus 11 check digit)");
        continue;
      }
      memcpy(value, digits, sizeof digits); /* digits is never longer than value */
    }
    const char *issuer = keys[k].kind == MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID
                             ? POLICE_LOCAL_ISSUER
                             : NULL;
    if (s_add_identifier(ctx, p, keys[k].kind, &value, issuer, path) != 0) {
      free(value);
    }
  }
}

static void s_person_address(parse_ctx_t *ctx, const json_t *j, const char *base,
                             Mash__V1__Person *p) {
  const json_t *a = s_get_object(ctx, j, "address", base);
  if (a == NULL) {
    return;
  }
  char path[PATH_LEN];
  s_path_key(path, base, "address");
  Mash__V1__Address *addr = malloc(sizeof *addr);
  if (addr == NULL) {
    s_error(ctx, path, "out of memory");
    return;
  }
  mash__v1__address__init(addr);
  p->address = addr;

  s_get_text(ctx, a, "town", path, TEXT_SHORT, false, &addr->town);
  s_get_text(ctx, a, "postcode", path, TEXT_SHORT, false, &addr->postcode);
  const json_t *lines = s_get_array(ctx, a, "lines", path, MASH_MAX_ADDRESS_LINES, false);
  if (lines == NULL || json_array_size(lines) == 0) {
    return;
  }
  char lines_path[PATH_LEN];
  s_path_key(lines_path, path, "lines");
  addr->lines = calloc(json_array_size(lines), sizeof *addr->lines);
  if (addr->lines == NULL) {
    s_error(ctx, lines_path, "out of memory");
    return;
  }
  for (size_t i = 0; i < json_array_size(lines); i++) {
    char line_path[PATH_LEN];
    s_path_index(line_path, lines_path, i);
    const json_t *v = json_array_get(lines, i);
    if (!json_is_string(v)) {
      s_error(ctx, line_path, "expected a string");
      continue;
    }
    if (json_string_length(v) > MASH_MAX_SHORT_TEXT) {
      s_error(ctx, line_path, "longer than %u bytes", MASH_MAX_SHORT_TEXT);
      continue;
    }
    if (!s_clean_text(json_string_value(v), false)) {
      s_error(ctx, line_path, "contains control characters");
      continue;
    }
    char *copy = s_dup(json_string_value(v));
    if (copy == NULL) {
      s_error(ctx, line_path, "out of memory");
      continue;
    }
    addr->lines[addr->n_lines++] = copy;
  }
}

/* Parse one person at `path`; NULL when it is not an object or out of memory
 * (reported). Other problems are reported and leave fields unset. */
static Mash__V1__Person *s_person(parse_ctx_t *ctx, const json_t *j, const char *path) {
  if (!json_is_object(j)) {
    s_error(ctx, path, "expected an object");
    return NULL;
  }
  Mash__V1__Person *p = malloc(sizeof *p);
  if (p == NULL) {
    s_error(ctx, path, "out of memory");
    return NULL;
  }
  mash__v1__person__init(p);

  s_get_text(ctx, j, "ref", path, TEXT_ID, true, &p->ref);
  s_get_text(ctx, j, "given_name", path, TEXT_SHORT, false, &p->given_name);
  s_get_text(ctx, j, "family_name", path, TEXT_SHORT, false, &p->family_name);
  s_get_text(ctx, j, "role", path, TEXT_SHORT, false, &p->role);

  char *dob = NULL;
  if (s_get_text(ctx, j, "dob", path, TEXT_SHORT, false, &dob) == 0 && dob != NULL) {
    if (dob[0] != '\0' && !s_valid_date(dob)) {
      char dob_path[PATH_LEN];
      s_path_key(dob_path, path, "dob");
      s_error(ctx, dob_path, "expected a real date YYYY-MM-DD");
      free(dob);
    } else {
      p->date_of_birth = dob;
    }
  }

  int sex = 0;
  if (s_get_enum(ctx, j, "sex", path, s_sexes, false, &sex) == 0) {
    p->sex = (Mash__V1__Sex)sex;
  }

  s_person_identifiers(ctx, j, path, p);
  s_person_address(ctx, j, path, p);

  if (p->given_name[0] == '\0' && p->family_name[0] == '\0' && p->n_identifiers == 0 &&
      p->ref[0] != '\0') {
    s_error(ctx, path, "needs a name or an identifier");
  }
  return p;
}

/* Parse the array `key` of people into *out and *n_out. For children, the refs
 * of those with "present": true are added to the police detail. */
static void s_people(parse_ctx_t *ctx, const json_t *root, const char *key, bool children,
                     Mash__V1__Person ***out, size_t *n_out, Mash__V1__PoliceDetail *police) {
  const json_t *arr = s_get_array(ctx, root, key, "", MASH_MAX_PEOPLE, children);
  if (arr == NULL) {
    return;
  }
  size_t n = json_array_size(arr);
  if (n == 0) {
    if (children) {
      s_error(ctx, key, "at least one child is required");
    }
    return;
  }
  *out = calloc(n, sizeof **out);
  if (children && *out != NULL) {
    police->children_present_refs = calloc(n, sizeof *police->children_present_refs);
  }
  if (*out == NULL || (children && police->children_present_refs == NULL)) {
    s_error(ctx, key, "out of memory");
    return;
  }
  for (size_t i = 0; i < n; i++) {
    char path[PATH_LEN];
    s_path_index(path, key, i);
    const json_t *j = json_array_get(arr, i);
    Mash__V1__Person *p = s_person(ctx, j, path);
    if (p == NULL) {
      continue;
    }
    (*out)[(*n_out)++] = p;
    if (!children) {
      continue;
    }
    protobuf_c_boolean present = 0;
    bool found = false;
    if (s_get_bool(ctx, j, "present", path, false, &present, &found) == 0 && present &&
        p->ref[0] != '\0') {
      char *ref = s_dup(p->ref);
      if (ref == NULL) {
        s_error(ctx, path, "out of memory");
        continue;
      }
      police->children_present_refs[police->n_children_present_refs++] = ref;
    }
  }
}

static void s_relationships(parse_ctx_t *ctx, const json_t *root, Mash__V1__Notification *n) {
  const json_t *arr = s_get_array(ctx, root, "relationships", "", MASH_MAX_RELATIONSHIPS, false);
  if (arr == NULL || json_array_size(arr) == 0) {
    return;
  }
  n->relationships = calloc(json_array_size(arr), sizeof *n->relationships);
  if (n->relationships == NULL) {
    s_error(ctx, "relationships", "out of memory");
    return;
  }
  for (size_t i = 0; i < json_array_size(arr); i++) {
    char path[PATH_LEN];
    s_path_index(path, "relationships", i);
    const json_t *j = json_array_get(arr, i);
    if (!json_is_object(j)) {
      s_error(ctx, path, "expected an object");
      continue;
    }
    Mash__V1__Relationship *r = malloc(sizeof *r);
    if (r == NULL) {
      s_error(ctx, path, "out of memory");
      continue;
    }
    mash__v1__relationship__init(r);
    n->relationships[n->n_relationships++] = r;
    s_get_text(ctx, j, "from", path, TEXT_ID, true, &r->from_ref);
    s_get_text(ctx, j, "to", path, TEXT_ID, true, &r->to_ref);
    s_get_text(ctx, j, "kind", path, TEXT_SHORT, true, &r->kind);
  }
}

/* ---------------------------------------------------------------- police detail */

static void s_dash(parse_ctx_t *ctx, const json_t *root, Mash__V1__PoliceDetail *p) {
  const json_t *v = json_object_get(root, "dash");
  if (v == NULL || json_is_null(v)) {
    return; /* no DASH completed: the broker flags it on domestic abuse */
  }
  if (!json_is_array(v)) {
    s_error(ctx, "dash", "expected an array of %u answers", MASH_DASH_ITEMS);
    return;
  }
  size_t n = json_array_size(v);
  if (n != MASH_DASH_ITEMS) {
    s_error(ctx, "dash", "expected %u answers, got %zu", MASH_DASH_ITEMS, n);
    return;
  }
  p->dash_answers = calloc(n, sizeof *p->dash_answers);
  if (p->dash_answers == NULL) {
    s_error(ctx, "dash", "out of memory");
    return;
  }
  p->n_dash_answers = n;
  for (size_t i = 0; i < n; i++) {
    const json_t *a = json_array_get(v, i);
    /* null is a question left unanswered: kept, so the broker can flag the
     * checklist as incomplete rather than the notification being lost. */
    if (json_is_null(a)) {
      p->dash_answers[i] = MASH__V1__DASH_ANSWER__DASH_ANSWER_UNSPECIFIED;
      continue;
    }
    char path[PATH_LEN];
    s_path_index(path, "dash", i);
    int answer = 0;
    if (s_enum_value(ctx, a, path, s_answers, &answer) == 0) {
      p->dash_answers[i] = (Mash__V1__DashAnswer)answer;
    }
  }
}

static void s_police(parse_ctx_t *ctx, const json_t *root, Mash__V1__Notification *n,
                     Mash__V1__PoliceDetail *p) {
  const json_t *incident = s_get_object(ctx, root, "incident", "");
  if (incident != NULL) {
    s_get_text(ctx, incident, "number", "incident", TEXT_ID, false, &p->incident_number);
    s_get_time(ctx, incident, "time", "incident", false, &p->incident_at_ms);
  }
  const json_t *officer = s_get_object(ctx, root, "officer", "");
  if (officer != NULL) {
    s_get_text(ctx, officer, "name", "officer", TEXT_SHORT, false, &p->officer_name);
    s_get_text(ctx, officer, "contact", "officer", TEXT_SHORT, false, &p->officer_contact);
  }

  bool found = false;
  s_get_bool(ctx, root, "formal_referral", "", true, &p->formal_referral, &found);
  /* Domestic abuse defaults to the category, but an officer may mark a
   * neglect notification as domestic abuse too (or the reverse). */
  p->domestic_abuse =
      n->concern_category == MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE;
  s_get_bool(ctx, root, "domestic_abuse", "", false, &p->domestic_abuse, &found);

  int grade = 0;
  if (s_get_enum(ctx, root, "grade", "", s_grades, false, &grade) == 0) {
    p->officer_grade = (Mash__V1__RiskGrade)grade;
  }
  s_dash(ctx, root, p);
}

/* ---------------------------------------------------------------- cross checks */

static void s_check_refs(parse_ctx_t *ctx, const Mash__V1__Notification *n) {
  /* Refs are unique across children and adults (at most 64 people). */
  size_t total = n->n_children + n->n_adults;
  for (size_t i = 0; i < total; i++) {
    const Mash__V1__Person *a = i < n->n_children ? n->children[i] : n->adults[i - n->n_children];
    if (a->ref[0] == '\0') {
      continue;
    }
    for (size_t k = 0; k < i; k++) {
      const Mash__V1__Person *b = k < n->n_children ? n->children[k] : n->adults[k - n->n_children];
      if (strcmp(a->ref, b->ref) == 0) {
        char path[PATH_LEN];
        const char *arr = i < n->n_children ? "children" : "adults";
        s_path_index(path, arr, i < n->n_children ? i : i - n->n_children);
        char ref_path[PATH_LEN];
        s_path_key(ref_path, path, "ref");
        s_error(ctx, ref_path, "duplicate ref");
        break;
      }
    }
  }

  for (size_t r = 0; r < n->n_relationships; r++) {
    const Mash__V1__Relationship *rel = n->relationships[r];
    if (rel == NULL) {
      continue; /* never: entries are counted only once set */
    }
    const char *ends[2] = {rel->from_ref, rel->to_ref};
    const char *keys[2] = {"from", "to"};
    for (int e = 0; e < 2; e++) {
      if (ends[e][0] == '\0') {
        continue; /* already reported as required */
      }
      bool known = false;
      for (size_t i = 0; i < total && !known; i++) {
        const Mash__V1__Person *p =
            i < n->n_children ? n->children[i] : n->adults[i - n->n_children];
        known = strcmp(p->ref, ends[e]) == 0;
      }
      if (!known) {
        char path[PATH_LEN];
        char end_path[PATH_LEN];
        s_path_index(path, "relationships", r);
        s_path_key(end_path, path, keys[e]);
        s_error(ctx, end_path, "names no child or adult of this notification");
      }
    }
  }
}

/* ---------------------------------------------------------------- entry points */

Mash__V1__Notification *police_json_parse(const char *text, size_t len, mash_errors_t *errs) {
  parse_ctx_t ctx = {.errs = errs, .errors = 0};
  if (text == NULL || len == 0) {
    s_error(&ctx, "$", "empty document");
    return NULL;
  }
  if (len > POLICE_JSON_MAX_BYTES) {
    s_error(&ctx, "$", "document larger than %u bytes", POLICE_JSON_MAX_BYTES);
    return NULL;
  }

  /* Duplicate keys are refused: another reader could take the other value. */
  json_error_t jerr;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL) {
    s_error(&ctx, "$", "not valid JSON (line %d, column %d): %s", jerr.line, jerr.column,
            jerr.text);
    return NULL;
  }
  if (!json_is_object(root)) {
    s_error(&ctx, "$", "expected an object");
    json_decref(root);
    return NULL;
  }

  Mash__V1__Notification *n = malloc(sizeof *n);
  Mash__V1__PoliceDetail *p = malloc(sizeof *p);
  if (n == NULL || p == NULL) {
    free(n);
    free(p);
    json_decref(root);
    s_error(&ctx, "$", "out of memory");
    return NULL;
  }
  mash__v1__notification__init(n);
  mash__v1__police_detail__init(p);
  n->detail_case = MASH__V1__NOTIFICATION__DETAIL_POLICE;
  n->police = p;

  s_get_text(&ctx, root, "reference", "", TEXT_ID, true, &n->source_reference);
  int category = 0;
  if (s_get_enum(&ctx, root, "category", "", s_categories, true, &category) == 0) {
    n->concern_category = (Mash__V1__ConcernCategory)category;
  }
  s_get_text(&ctx, root, "concern", "", TEXT_LONG, false, &n->concern);
  s_get_time(&ctx, root, "occurred_at", "", true, &n->occurred_at_ms);

  s_police(&ctx, root, n, p);
  s_people(&ctx, root, "children", true, &n->children, &n->n_children, p);
  s_people(&ctx, root, "adults", false, &n->adults, &n->n_adults, p);
  s_relationships(&ctx, root, n);
  s_check_refs(&ctx, n);

  json_decref(root);
  if (ctx.errors > 0) {
    police_json_free(n);
    return NULL;
  }
  return n;
}

void police_json_free(Mash__V1__Notification *n) {
  if (n == NULL) {
    return;
  }
  /* Every string and array was allocated with malloc, and unset strings hold
   * the protobuf default, so the protobuf-c system allocator frees it all. */
  protobuf_c_message_free_unpacked(&n->base, NULL);
}
