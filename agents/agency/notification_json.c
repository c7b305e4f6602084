/* notification_json: the JSON readers every agency format shares, and the
 * common fields of a notification document (agents/police/README.md).
 *
 * Responsible for: reading one JSON document, checking the type, presence and
 * size of every field it maps, and reporting each problem with the JSON path
 * of the field ("children[1].dob"), so the agency's operator can correct the
 * record. Every array and string is bounded by the MASH_MAX_* constants of
 * proto/codec.h before anything is allocated for it.
 * Must not: do any I/O, log, know any one agency's detail (the formats pass
 * hooks), or keep state. Unknown keys are ignored. Safe from any thread.
 */
#include "notification_json.h"

#include "identifiers.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "clock.h"

/* ---------------------------------------------------------------- errors and paths */

void njson_error(njson_ctx_t *ctx, const char *path, const char *fmt, ...) {
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

/* out = a + b + c, cut to NJSON_PATH_LEN. Paths of these formats are short
 * (the deepest is "children[31].address.lines[5]"); were one cut, the error
 * would still name its start. */
static void s_path_join(char *out, const char *a, const char *b, const char *c) {
  const char *parts[3] = {a, b, c};
  size_t used = 0;
  for (int i = 0; i < 3; i++) {
    for (const char *s = parts[i]; *s != '\0' && used + 1 < NJSON_PATH_LEN; s++) {
      out[used++] = *s;
    }
  }
  out[used] = '\0';
}

void njson_path_key(char *out, const char *base, const char *key) {
  s_path_join(out, base, base[0] == '\0' ? "" : ".", key);
}

void njson_path_index(char *out, const char *base, size_t i) {
  char index[32];
  snprintf(index, sizeof index, "[%zu]", i);
  s_path_join(out, base, index, "");
}

/* ---------------------------------------------------------------- documents */

json_t *njson_load_value(njson_ctx_t *ctx, const char *text, size_t len, size_t max) {
  if (text == NULL || len == 0) {
    njson_error(ctx, "$", "empty document");
    return NULL;
  }
  if (len > max) {
    njson_error(ctx, "$", "document larger than %zu bytes", max);
    return NULL;
  }
  /* Duplicate keys are refused: another reader could take the other value. */
  json_error_t jerr;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL) {
    njson_error(ctx, "$", "not valid JSON (line %d, column %d): %s", jerr.line, jerr.column,
                jerr.text);
    return NULL;
  }
  return root;
}

json_t *njson_load(njson_ctx_t *ctx, const char *text, size_t len, size_t max) {
  json_t *root = njson_load_value(ctx, text, len, max);
  if (root != NULL && !json_is_object(root)) {
    njson_error(ctx, "$", "expected an object");
    json_decref(root);
    return NULL;
  }
  return root;
}

/* ---------------------------------------------------------------- scalars */

/* Identifier and reference characters: letters, digits and a few marks, no
 * white space or controls. */
static bool s_safe_id(const char *s, bool allow_space, bool allow_slash) {
  for (; *s != '\0'; s++) {
    char c = *s;
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':' || (allow_slash && c == '/') ||
              (allow_space && c == ' ');
    if (!ok) {
      return false;
    }
  }
  return true;
}

/* Text may not carry control characters other than tab and new line (for the
 * free-text concern), the same rule as the codec's: C0, DEL and the C1
 * controls U+0080-U+009F (UTF-8 C2 80 to C2 9F). jansson has already
 * rejected NUL and invalid UTF-8. */
static bool s_clean_text(const char *s, bool multiline) {
  for (; *s != '\0'; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == 0x7f || (c < 0x20 && !(multiline && (c == '\n' || c == '\t' || c == '\r')))) {
      return false;
    }
    if (c == 0xC2 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] <= 0x9F) {
      return false;
    }
  }
  return true;
}

/* Looks up the member `key` of `obj` and writes its JSON path to `path`.
 * Returns 1 with *out set when present, 0 when absent or null, -1 when a
 * required member is absent (reported). */
static int s_field(njson_ctx_t *ctx, const json_t *obj, const char *key, const char *base,
                   bool required, char path[NJSON_PATH_LEN], const json_t **out) {
  njson_path_key(path, base, key);
  *out = njson_member(ctx, obj, key);
  if (*out == NULL || json_is_null(*out)) {
    *out = NULL;
    if (required) {
      njson_error(ctx, path, "required");
      return -1;
    }
    return 0;
  }
  return 1;
}

/* s_field for a member that must be a string when present. */
static int s_string_field(njson_ctx_t *ctx, const json_t *obj, const char *key, const char *base,
                          bool required, char path[NJSON_PATH_LEN], const json_t **out) {
  int rc = s_field(ctx, obj, key, base, required, path, out);
  if (rc == 1 && !json_is_string(*out)) {
    njson_error(ctx, path, "expected a string");
    return -1;
  }
  return rc;
}

int njson_get_text(njson_ctx_t *ctx, const json_t *obj, const char *key, const char *base,
                   njson_text_t kind, bool required, char **out) {
  char path[NJSON_PATH_LEN];
  const json_t *v = NULL;
  int rc = s_string_field(ctx, obj, key, base, required, path, &v);
  if (rc <= 0) {
    return rc;
  }
  const char *s = json_string_value(v);
  size_t len = json_string_length(v);
  bool id = kind == NJSON_TEXT_ID || kind == NJSON_TEXT_ID_SPACED || kind == NJSON_TEXT_SAFE_ID;
  size_t max = id                         ? MASH_MAX_ID_LEN
               : kind == NJSON_TEXT_SHORT ? MASH_MAX_SHORT_TEXT
                                          : MASH_MAX_LONG_TEXT;
  if (len > max) {
    njson_error(ctx, path, "longer than %zu bytes", max);
    return -1;
  }
  if (required && len == 0) {
    njson_error(ctx, path, "must not be empty");
    return -1;
  }
  if (id && !s_safe_id(s, kind == NJSON_TEXT_ID_SPACED, kind != NJSON_TEXT_SAFE_ID)) {
    njson_error(ctx, path,
                kind == NJSON_TEXT_SAFE_ID ? "only letters, digits and -_.: are allowed"
                                           : "only letters, digits and -_./: are allowed");
    return -1;
  }
  if (!id && !s_clean_text(s, kind == NJSON_TEXT_LONG)) {
    njson_error(ctx, path, "contains control characters");
    return -1;
  }
  char *copy = strdup(s);
  if (copy == NULL) {
    njson_error(ctx, path, "out of memory");
    return -1;
  }
  *out = copy;
  return 0;
}

int njson_get_bool(njson_ctx_t *ctx, const json_t *obj, const char *key, const char *base,
                   bool required, protobuf_c_boolean *out, bool *found) {
  char path[NJSON_PATH_LEN];
  const json_t *v = NULL;
  *found = false;
  int rc = s_field(ctx, obj, key, base, required, path, &v);
  if (rc <= 0) {
    return rc;
  }
  if (!json_is_boolean(v)) {
    njson_error(ctx, path, "expected true or false");
    return -1;
  }
  *out = json_is_true(v);
  *found = true;
  return 0;
}

int njson_get_integer(njson_ctx_t *ctx, const json_t *obj, const char *key, const char *base,
                      int64_t min, int64_t max, bool required, int64_t *out) {
  char path[NJSON_PATH_LEN];
  const json_t *v = NULL;
  int rc = s_field(ctx, obj, key, base, required, path, &v);
  if (rc <= 0) {
    return rc;
  }
  if (!json_is_integer(v)) {
    njson_error(ctx, path, "expected a whole number from %lld to %lld", (long long)min,
                (long long)max);
    return -1;
  }
  json_int_t value = json_integer_value(v);
  if (value < min || value > max) {
    njson_error(ctx, path, "must be from %lld to %lld", (long long)min, (long long)max);
    return -1;
  }
  *out = (int64_t)value;
  return 0;
}

/* "a, b or c" for error messages. */
static void s_choices(const mash_enum_name_t *table, char *out, size_t outlen) {
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

int njson_enum_value(njson_ctx_t *ctx, const json_t *v, const char *path,
                     const mash_enum_name_t *table, int *out) {
  if (!json_is_string(v)) {
    njson_error(ctx, path, "expected a string");
    return -1;
  }
  if (mash_enum_value(table, json_string_value(v), out) != 0) {
    char choices[128];
    s_choices(table, choices, sizeof choices);
    /* The value itself is not echoed: it is untrusted and may not fit. */
    njson_error(ctx, path, "unknown value; expected %s", choices);
    return -1;
  }
  return 0;
}

int njson_get_enum(njson_ctx_t *ctx, const json_t *obj, const char *key, const char *base,
                   const mash_enum_name_t *table, bool required, int *out) {
  char path[NJSON_PATH_LEN];
  const json_t *v = NULL;
  int rc = s_field(ctx, obj, key, base, required, path, &v);
  if (rc <= 0) {
    return rc;
  }
  return njson_enum_value(ctx, v, path, table, out);
}

int njson_get_time(njson_ctx_t *ctx, const json_t *obj, const char *key, const char *base,
                   bool required, int64_t *out) {
  char path[NJSON_PATH_LEN];
  const json_t *v = NULL;
  int rc = s_string_field(ctx, obj, key, base, required, path, &v);
  if (rc <= 0) {
    return rc;
  }
  /* Bound before parsing: a time is short. */
  int64_t ms = 0;
  if (json_string_length(v) > 40 || mash_clock_parse(json_string_value(v), &ms) != 0) {
    njson_error(ctx, path, "expected a UTC time such as 2026-11-23T02:10:00Z");
    return -1;
  }
  if (ms < 0) {
    njson_error(ctx, path, "must not be before 1970");
    return -1;
  }
  *out = ms;
  return 0;
}

const json_t *njson_get_object(njson_ctx_t *ctx, const json_t *obj, const char *key,
                               const char *base) {
  char path[NJSON_PATH_LEN];
  const json_t *v = NULL;
  if (s_field(ctx, obj, key, base, false, path, &v) <= 0) {
    return NULL;
  }
  if (!json_is_object(v)) {
    njson_error(ctx, path, "expected an object");
    return NULL;
  }
  return v;
}

const json_t *njson_get_array(njson_ctx_t *ctx, const json_t *obj, const char *key,
                              const char *base, size_t max, bool required) {
  char path[NJSON_PATH_LEN];
  const json_t *v = NULL;
  if (s_field(ctx, obj, key, base, required, path, &v) <= 0) {
    return NULL;
  }
  if (!json_is_array(v)) {
    njson_error(ctx, path, "expected an array");
    return NULL;
  }
  if (json_array_size(v) > max) {
    njson_error(ctx, path, "at most %zu entries, got %zu", max, json_array_size(v));
    return NULL;
  }
  return v;
}

/* ---------------------------------------------------------------- values */

bool njson_valid_date(const char *s) {
  mash_civil_date_t d;
  return mash_civil_parse_date(s, &d) == 0 && d.year >= 1900;
}

bool njson_nhs_number(const char *s, char out[11]) {
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

static int s_add_identifier(njson_ctx_t *ctx, Mash__V1__Person *p, Mash__V1__IdentifierKind kind,
                            char **value, const char *issuer, const char *path) {
  Mash__V1__Identifier *id = malloc(sizeof *id);
  char *issuer_copy = issuer != NULL ? strdup(issuer) : NULL;
  if (id == NULL || (issuer != NULL && issuer_copy == NULL)) {
    free(id);
    free(issuer_copy);
    njson_error(ctx, path, "out of memory");
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
static void s_person_identifiers(njson_ctx_t *ctx, const json_t *j, const char *base,
                                 const char *local_issuer, Mash__V1__Person *p) {
  /* The JSON keys are the kinds' words, one identifier of each at most. */
  const mash_enum_name_t *keys = mash_identifier_kind_names;
  size_t nkeys = 0;
  while (keys[nkeys].name != NULL && nkeys < MASH_MAX_IDENTIFIERS) {
    nkeys++;
  }
  p->identifiers = calloc(nkeys, sizeof *p->identifiers);
  if (p->identifiers == NULL) {
    njson_error(ctx, base, "out of memory");
    return;
  }
  for (size_t k = 0; k < nkeys; k++) {
    Mash__V1__IdentifierKind kind = (Mash__V1__IdentifierKind)keys[k].value;
    char path[NJSON_PATH_LEN];
    njson_path_key(path, base, keys[k].name);
    char *value = NULL;
    bool nhs = kind == MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER;
    /* NHS numbers may be printed with spaces ("943 476 5919"). */
    if (njson_get_text(ctx, j, keys[k].name, base, nhs ? NJSON_TEXT_ID_SPACED : NJSON_TEXT_ID,
                       false, &value) != 0) {
      continue;
    }
    if (value == NULL || value[0] == '\0') {
      free(value);
      continue; /* absent or empty: no identifier */
    }
    if (nhs) {
      /* Malformed is refused; a wrong check digit is passed on for the
       * broker to flag (identifier_check_failed), never dropped here. */
      if (mash_nhs_check(value) == MASH_ID_MALFORMED) {
        free(value);
        njson_error(ctx, path, "not a well-formed NHS number (10 digits, spaces allowed)");
        continue;
      }
      char digits[16];
      mash_id_normalise(value, digits, sizeof digits);
      memcpy(value, digits, strlen(digits) + 1); /* never longer than value */
    }
    const char *issuer =
        kind == MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID ? local_issuer : NULL;
    if (s_add_identifier(ctx, p, kind, &value, issuer, path) != 0) {
      free(value);
    }
  }
}

static void s_person_address(njson_ctx_t *ctx, const json_t *j, const char *base,
                             Mash__V1__Person *p) {
  const json_t *a = njson_get_object(ctx, j, "address", base);
  if (a == NULL) {
    return;
  }
  char path[NJSON_PATH_LEN];
  njson_path_key(path, base, "address");
  Mash__V1__Address *addr = malloc(sizeof *addr);
  if (addr == NULL) {
    njson_error(ctx, path, "out of memory");
    return;
  }
  mash__v1__address__init(addr);
  p->address = addr;

  njson_get_text(ctx, a, "town", path, NJSON_TEXT_SHORT, false, &addr->town);
  njson_get_text(ctx, a, "postcode", path, NJSON_TEXT_SHORT, false, &addr->postcode);
  const json_t *lines = njson_get_array(ctx, a, "lines", path, MASH_MAX_ADDRESS_LINES, false);
  if (lines == NULL || json_array_size(lines) == 0) {
    return;
  }
  char lines_path[NJSON_PATH_LEN];
  njson_path_key(lines_path, path, "lines");
  addr->lines = calloc(json_array_size(lines), sizeof *addr->lines);
  if (addr->lines == NULL) {
    njson_error(ctx, lines_path, "out of memory");
    return;
  }
  for (size_t i = 0; i < json_array_size(lines); i++) {
    char line_path[NJSON_PATH_LEN];
    njson_path_index(line_path, lines_path, i);
    const json_t *v = json_array_get(lines, i);
    if (!json_is_string(v)) {
      njson_error(ctx, line_path, "expected a string");
      continue;
    }
    if (json_string_length(v) > MASH_MAX_SHORT_TEXT) {
      njson_error(ctx, line_path, "longer than %u bytes", MASH_MAX_SHORT_TEXT);
      continue;
    }
    if (!s_clean_text(json_string_value(v), false)) {
      njson_error(ctx, line_path, "contains control characters");
      continue;
    }
    char *copy = strdup(json_string_value(v));
    if (copy == NULL) {
      njson_error(ctx, line_path, "out of memory");
      continue;
    }
    addr->lines[addr->n_lines++] = copy;
  }
}

Mash__V1__Person *njson_person(njson_ctx_t *ctx, const json_t *j, const char *path,
                               const char *local_issuer, bool ref_required) {
  if (!json_is_object(j)) {
    njson_error(ctx, path, "expected an object");
    return NULL;
  }
  Mash__V1__Person *p = malloc(sizeof *p);
  if (p == NULL) {
    njson_error(ctx, path, "out of memory");
    return NULL;
  }
  mash__v1__person__init(p);

  int ref_rc = njson_get_text(ctx, j, "ref", path, NJSON_TEXT_ID, ref_required, &p->ref);
  njson_get_text(ctx, j, "given_name", path, NJSON_TEXT_SHORT, false, &p->given_name);
  njson_get_text(ctx, j, "family_name", path, NJSON_TEXT_SHORT, false, &p->family_name);
  njson_get_text(ctx, j, "role", path, NJSON_TEXT_SHORT, false, &p->role);

  char *dob = NULL;
  if (njson_get_text(ctx, j, "dob", path, NJSON_TEXT_SHORT, false, &dob) == 0 && dob != NULL) {
    if (dob[0] != '\0' && !njson_valid_date(dob)) {
      char dob_path[NJSON_PATH_LEN];
      njson_path_key(dob_path, path, "dob");
      njson_error(ctx, dob_path, "expected a real date YYYY-MM-DD");
      free(dob);
    } else {
      p->date_of_birth = dob;
    }
  }

  int sex = 0;
  if (njson_get_enum(ctx, j, "sex", path, mash_sex_names, false, &sex) == 0) {
    p->sex = (Mash__V1__Sex)sex;
  }

  s_person_identifiers(ctx, j, path, local_issuer, p);
  s_person_address(ctx, j, path, p);

  /* A person without a usable ref has already been reported; saying it also
   * lacks a name would only repeat the problem. */
  if (p->given_name[0] == '\0' && p->family_name[0] == '\0' && p->n_identifiers == 0 &&
      ref_rc == 0) {
    njson_error(ctx, path, "needs a name or an identifier");
  }
  return p;
}

Mash__V1__Finding *njson_finding(njson_ctx_t *ctx, const json_t *j, const char *path) {
  if (!json_is_object(j)) {
    njson_error(ctx, path, "expected an object");
    return NULL;
  }
  Mash__V1__Finding *f = malloc(sizeof *f);
  if (f == NULL) {
    njson_error(ctx, path, "out of memory");
    return NULL;
  }
  mash__v1__finding__init(f);
  njson_get_text(ctx, j, "kind", path, NJSON_TEXT_SAFE_ID, true, &f->kind);
  njson_get_text(ctx, j, "summary", path, NJSON_TEXT_LONG, true, &f->summary);
  njson_get_time(ctx, j, "at", path, false, &f->at_ms);
  return f;
}

/* ---------------------------------------------------------------- notifications */

/* Parse the array `key` of people into *out and *n_out; children go through
 * the format's child hook. */
static void s_people(njson_ctx_t *ctx, const json_t *root, const char *key, bool children,
                     Mash__V1__Notification *n, const njson_format_t *format) {
  Mash__V1__Person ***out = children ? &n->children : &n->adults;
  size_t *n_out = children ? &n->n_children : &n->n_adults;
  const json_t *arr = njson_get_array(ctx, root, key, "", MASH_MAX_PEOPLE, children);
  if (arr == NULL) {
    return;
  }
  size_t count = json_array_size(arr);
  if (count == 0) {
    if (children) {
      njson_error(ctx, key, "at least one child is required");
    }
    return;
  }
  *out = calloc(count, sizeof **out);
  if (*out == NULL) {
    njson_error(ctx, key, "out of memory");
    return;
  }
  for (size_t i = 0; i < count; i++) {
    char path[NJSON_PATH_LEN];
    njson_path_index(path, key, i);
    const json_t *j = json_array_get(arr, i);
    Mash__V1__Person *p = njson_person(ctx, j, path, format->local_issuer, true);
    if (p == NULL) {
      continue;
    }
    (*out)[(*n_out)++] = p;
    if (children && format->child_cb != NULL) {
      format->child_cb(ctx, j, path, p, n, format->arg);
    }
  }
}

static void s_relationships(njson_ctx_t *ctx, const json_t *root, Mash__V1__Notification *n) {
  const json_t *arr =
      njson_get_array(ctx, root, "relationships", "", MASH_MAX_RELATIONSHIPS, false);
  if (arr == NULL || json_array_size(arr) == 0) {
    return;
  }
  n->relationships = calloc(json_array_size(arr), sizeof *n->relationships);
  if (n->relationships == NULL) {
    njson_error(ctx, "relationships", "out of memory");
    return;
  }
  for (size_t i = 0; i < json_array_size(arr); i++) {
    char path[NJSON_PATH_LEN];
    njson_path_index(path, "relationships", i);
    const json_t *j = json_array_get(arr, i);
    if (!json_is_object(j)) {
      njson_error(ctx, path, "expected an object");
      continue;
    }
    Mash__V1__Relationship *r = malloc(sizeof *r);
    if (r == NULL) {
      njson_error(ctx, path, "out of memory");
      continue;
    }
    mash__v1__relationship__init(r);
    n->relationships[n->n_relationships++] = r;
    njson_get_text(ctx, j, "from", path, NJSON_TEXT_ID, true, &r->from_ref);
    njson_get_text(ctx, j, "to", path, NJSON_TEXT_ID, true, &r->to_ref);
    njson_get_text(ctx, j, "kind", path, NJSON_TEXT_SHORT, true, &r->kind);
  }
}

static const Mash__V1__Person *s_nth_person(const Mash__V1__Notification *n, size_t i) {
  return i < n->n_children ? n->children[i] : n->adults[i - n->n_children];
}

static void s_check_refs(njson_ctx_t *ctx, const Mash__V1__Notification *n) {
  /* Refs are unique across children and adults (at most 64 people). */
  size_t total = n->n_children + n->n_adults;
  for (size_t i = 0; i < total; i++) {
    const Mash__V1__Person *a = s_nth_person(n, i);
    if (a->ref[0] == '\0') {
      continue;
    }
    for (size_t k = 0; k < i; k++) {
      if (strcmp(a->ref, s_nth_person(n, k)->ref) == 0) {
        char path[NJSON_PATH_LEN];
        const char *arr = i < n->n_children ? "children" : "adults";
        njson_path_index(path, arr, i < n->n_children ? i : i - n->n_children);
        char ref_path[NJSON_PATH_LEN];
        njson_path_key(ref_path, path, "ref");
        njson_error(ctx, ref_path, "duplicate ref");
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
        known = strcmp(s_nth_person(n, i)->ref, ends[e]) == 0;
      }
      if (!known) {
        char path[NJSON_PATH_LEN];
        char end_path[NJSON_PATH_LEN];
        njson_path_index(path, "relationships", r);
        njson_path_key(end_path, path, keys[e]);
        njson_error(ctx, end_path, "names no child or adult of this notification");
      }
    }
  }
}

Mash__V1__Notification *njson_notification_parse(const char *text, size_t len, mash_errors_t *errs,
                                                 const njson_format_t *format) {
  return njson_notification_parse_ex(text, len, errs, NULL, format);
}

Mash__V1__Notification *njson_notification_parse_ex(const char *text, size_t len,
                                                    mash_errors_t *errs, mash_errors_t *unknown,
                                                    const njson_format_t *format) {
  static const njson_format_t plain = {NULL, NULL, NULL, NULL};
  if (format == NULL) {
    format = &plain;
  }
  njson_ctx_t ctx = {.errs = errs, .errors = 0, .seen = NULL};
  if (unknown) {
    ctx.seen = njson_seen_new();
    if (!ctx.seen) {
      njson_error(&ctx, "$", "out of memory");
      return NULL;
    }
  }
  json_t *root = njson_load(&ctx, text, len, NJSON_MAX_BYTES);
  if (root == NULL) {
    njson_seen_free(ctx.seen);
    return NULL;
  }
  Mash__V1__Notification *n = malloc(sizeof *n);
  if (n == NULL) {
    json_decref(root);
    njson_seen_free(ctx.seen);
    njson_error(&ctx, "$", "out of memory");
    return NULL;
  }
  mash__v1__notification__init(n);

  njson_get_text(&ctx, root, "reference", "", NJSON_TEXT_ID, true, &n->source_reference);
  int category = 0;
  if (njson_get_enum(&ctx, root, "category", "", mash_category_names, true, &category) == 0) {
    n->concern_category = (Mash__V1__ConcernCategory)category;
  }
  njson_get_text(&ctx, root, "concern", "", NJSON_TEXT_LONG, false, &n->concern);
  njson_get_time(&ctx, root, "occurred_at", "", true, &n->occurred_at_ms);
  bool red_flag_given = false;
  njson_get_bool(&ctx, root, "red_flag", "", false, &n->red_flag, &red_flag_given);

  /* The detail comes before the people: it may depend on the category (the
   * police domestic_abuse default), and the child hook may fill it. */
  if (format->detail_cb != NULL) {
    format->detail_cb(&ctx, root, n, format->arg);
  }
  s_people(&ctx, root, "children", true, n, format);
  s_people(&ctx, root, "adults", false, n, format);
  s_relationships(&ctx, root, n);
  s_check_refs(&ctx, n);

  if (ctx.seen) {
    njson_unknown_list(ctx.seen, root, unknown);
  }
  njson_seen_free(ctx.seen);
  json_decref(root);
  if (ctx.errors > 0) {
    njson_notification_free(n);
    return NULL;
  }
  return n;
}

void njson_notification_free(Mash__V1__Notification *n) {
  if (n == NULL) {
    return;
  }
  /* Every string and array was allocated with malloc, and unset strings hold
   * the protobuf default, so the protobuf-c system allocator frees it all. */
  protobuf_c_message_free_unpacked(&n->base, NULL);
}
