/* records: an agency's records file and the answer to an enquiry from it.
 *
 * Responsible for: checking every record of the file with the shared JSON
 * readers (notification_json.h: the same person keys as a notification, and
 * findings), then matching enquiry subjects against the records without
 * touching anything but memory. The file format is in
 * agents/agency/README.md.
 * Must not: log, send, or guess beyond the broker's own rule: identifiers
 * first, then the weighted comparison of common/match.h (the one the broker
 * resolves notifications with), which must reach its auto-link threshold;
 * a possible match is not an answer.
 */
#include "records.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agency_file.h"
#include "match.h"
#include "notification_json.h"

#ifdef MASH_MAX_FINDINGS
_Static_assert(RECORDS_MAX_ANSWER_FINDINGS <= MASH_MAX_FINDINGS, "answers must pass the codec");
#endif

typedef struct record {
  Mash__V1__Person *person;
  Mash__V1__Finding **findings;
  size_t n_findings;
} record_t;

struct records {
  record_t *items;
  size_t count;
};

/* How a record was matched, for the summary. */
typedef enum match_how {
  MATCH_NONE,
  MATCH_IDENTIFIER,
  MATCH_NAME_DOB, /* name and date of birth exactly */
  MATCH_WEIGHTED, /* the weighted comparison, at or above the auto-link threshold */
} match_how_t;

typedef struct match {
  size_t record;
  match_how_t how;
  Mash__V1__IdentifierKind kind; /* for MATCH_IDENTIFIER */
  char why[MASH_MATCH_WHY_SIZE]; /* for MATCH_WEIGHTED: the levels, tags only */
} match_t;

/* ---------------------------------------------------------------- loading */

static void s_record_clear(record_t *rec) {
  if (rec->person != NULL) {
    protobuf_c_message_free_unpacked(&rec->person->base, NULL);
  }
  for (size_t i = 0; i < rec->n_findings; i++) {
    protobuf_c_message_free_unpacked(&rec->findings[i]->base, NULL);
  }
  free(rec->findings);
  memset(rec, 0, sizeof *rec);
}

/* Parse record `j` into `rec`; problems go to ctx with paths relative to the
 * record ("dob", "findings[0].at"). */
static void s_record(njson_ctx_t *ctx, const json_t *j, record_t *rec) {
  /* The records are the agency's own: a local_id has no issuer in the file
   * and is compared with the subject's local id issued by the responder. */
  rec->person = njson_person(ctx, j, "", NULL, false);
  if (rec->person == NULL) {
    return;
  }
  const json_t *arr = njson_get_array(ctx, j, "findings", "", RECORDS_MAX_FINDINGS, false);
  if (arr == NULL || json_array_size(arr) == 0) {
    return;
  }
  rec->findings = calloc(json_array_size(arr), sizeof *rec->findings);
  if (rec->findings == NULL) {
    njson_error(ctx, "findings", "out of memory");
    return;
  }
  for (size_t i = 0; i < json_array_size(arr); i++) {
    char path[NJSON_PATH_LEN];
    njson_path_index(path, "findings", i);
    Mash__V1__Finding *f = njson_finding(ctx, json_array_get(arr, i), path);
    if (f != NULL) {
      rec->findings[rec->n_findings++] = f;
    }
  }
}

records_t *records_parse(const char *name, const char *text, size_t len, char *err, size_t errlen) {
  if (name == NULL) {
    name = "records";
  }
  if (errlen > 0) {
    err[0] = '\0';
  }
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  njson_ctx_t ctx = {.errs = &errs, .errors = 0};
  json_t *root = njson_load_value(&ctx, text, len, RECORDS_MAX_BYTES);
  if (root == NULL) {
    snprintf(err, errlen, "%s: %s", name, errs.count > 0 ? errs.items[0].message : "unreadable");
    return NULL;
  }
  if (!json_is_array(root)) {
    snprintf(err, errlen, "%s: expected an array of person records", name);
    json_decref(root);
    return NULL;
  }
  size_t count = json_array_size(root);
  if (count > RECORDS_MAX_COUNT) {
    snprintf(err, errlen, "%s: %zu records, more than the %u allowed", name, count,
             RECORDS_MAX_COUNT);
    json_decref(root);
    return NULL;
  }

  records_t *r = calloc(1, sizeof *r);
  if (r == NULL || (count > 0 && (r->items = calloc(count, sizeof *r->items)) == NULL)) {
    snprintf(err, errlen, "%s: out of memory", name);
    free(r);
    json_decref(root);
    return NULL;
  }
  r->count = count;

  /* Every record is checked, so the operator learns how many are bad; the
   * first problem is reported in full. */
  size_t problems = 0;
  bool reported = false;
  for (size_t i = 0; i < count; i++) {
    errs.count = 0;
    errs.dropped = 0;
    ctx.errors = 0;
    s_record(&ctx, json_array_get(root, i), &r->items[i]);
    if (ctx.errors == 0) {
      continue;
    }
    if (!reported && errs.count > 0) {
      const mash_field_error_t *e = &errs.items[0];
      snprintf(err, errlen, "%s: record %zu: %s%s%s", name, i, e->field,
               e->field[0] != '\0' ? ": " : "", e->message);
      reported = true;
    }
    problems += ctx.errors;
  }
  json_decref(root);
  if (problems == 0) {
    return r;
  }
  size_t used = strnlen(err, errlen);
  if (problems > 1 && used < errlen) {
    snprintf(err + used, errlen - used, " (and %zu more problem%s)", problems - 1,
             problems == 2 ? "" : "s");
  }
  records_destroy(&r);
  return NULL;
}

records_t *records_load(const char *path, char *err, size_t errlen) {
  char *text = NULL;
  size_t len = 0;
  int rc = agency_read_file(path, RECORDS_MAX_BYTES, false, &text, &len);
  if (rc == -EFBIG) {
    snprintf(err, errlen, "%s: larger than %u bytes, or still being written", path,
             RECORDS_MAX_BYTES);
    return NULL;
  }
  if (rc == -EINVAL) {
    snprintf(err, errlen, "%s: not a regular file", path);
    return NULL;
  }
  if (rc != 0) {
    snprintf(err, errlen, "%s: %s", path, strerror(-rc));
    return NULL;
  }
  records_t *r = records_parse(path, text, len, err, errlen);
  free(text);
  return r;
}

void records_destroy(records_t **self_p) {
  if (self_p == NULL || *self_p == NULL) {
    return;
  }
  records_t *r = *self_p;
  for (size_t i = 0; i < r->count; i++) {
    s_record_clear(&r->items[i]);
  }
  free(r->items);
  free(r);
  *self_p = NULL;
}

size_t records_count(const records_t *r) {
  return r != NULL ? r->count : 0;
}

/* ---------------------------------------------------------------- matching */

static const char *s_str(const char *s) {
  return s != NULL ? s : "";
}

/* NHS numbers equal ignoring spaces ("943 476 5919" == "9434765919"). */
static bool s_same_nhs(const char *a, const char *b) {
  for (;;) {
    while (*a == ' ') {
      a++;
    }
    while (*b == ' ') {
      b++;
    }
    if (*a != *b) {
      return false;
    }
    if (*a == '\0') {
      return true;
    }
    a++;
    b++;
  }
}

/* Names equal ignoring ASCII case and surrounding spaces; empty never
 * matches. */
static bool s_same_name(const char *a, const char *b) {
  while (*a == ' ') {
    a++;
  }
  while (*b == ' ') {
    b++;
  }
  size_t la = strlen(a);
  size_t lb = strlen(b);
  while (la > 0 && a[la - 1] == ' ') {
    la--;
  }
  while (lb > 0 && b[lb - 1] == ' ') {
    lb--;
  }
  return la > 0 && la == lb && strncasecmp(a, b, la) == 0;
}

/* Whether two identifiers of the same kind name the same person. A local id
 * is comparable only when the subject's was issued by the responder. */
static bool s_same_identifier(const Mash__V1__Identifier *subject,
                              const Mash__V1__Identifier *record, const char *responder) {
  const char *a = s_str(subject->value);
  const char *b = s_str(record->value);
  if (subject->kind != record->kind || a[0] == '\0' || b[0] == '\0') {
    return false;
  }
  switch (subject->kind) {
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER:
    return s_same_nhs(a, b);
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UPN:
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_PNC_ID:
    return strcasecmp(a, b) == 0;
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID:
    return strcmp(s_str(subject->issuer), responder) == 0 && strcmp(a, b) == 0;
  default:
    return false;
  }
}

/* The kind of the first identifier shared by subject and record, or 0. */
static Mash__V1__IdentifierKind s_identifier_match(const Mash__V1__Person *subject,
                                                   const Mash__V1__Person *record,
                                                   const char *responder) {
  for (size_t i = 0; i < subject->n_identifiers; i++) {
    for (size_t k = 0; k < record->n_identifiers; k++) {
      if (s_same_identifier(subject->identifiers[i], record->identifiers[k], responder)) {
        return subject->identifiers[i]->kind;
      }
    }
  }
  return MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UNSPECIFIED;
}

/* Whether subject and record carry identifiers of one kind that differ: two
 * NHS numbers that differ are two people, whatever their names. */
static bool s_identifiers_conflict(const Mash__V1__Person *subject, const Mash__V1__Person *record,
                                   const char *responder) {
  for (size_t i = 0; i < subject->n_identifiers; i++) {
    const Mash__V1__Identifier *a = subject->identifiers[i];
    if (a->kind == MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID &&
        strcmp(s_str(a->issuer), responder) != 0) {
      continue; /* another system's id says nothing about ours */
    }
    bool seen = false;
    bool same = false;
    for (size_t k = 0; k < record->n_identifiers; k++) {
      const Mash__V1__Identifier *b = record->identifiers[k];
      if (b->kind == a->kind && s_str(b->value)[0] != '\0') {
        seen = true;
        same = same || s_same_identifier(a, b, responder);
      }
    }
    if (seen && !same && s_str(a->value)[0] != '\0') {
      return true;
    }
  }
  return false;
}

static bool s_name_dob_match(const Mash__V1__Person *subject, const Mash__V1__Person *record) {
  const char *dob = s_str(subject->date_of_birth);
  return dob[0] != '\0' && strcmp(dob, s_str(record->date_of_birth)) == 0 &&
         s_same_name(s_str(subject->family_name), s_str(record->family_name)) &&
         s_same_name(s_str(subject->given_name), s_str(record->given_name));
}

/* Add record `index` to the matches unless it is there already. Returns
 * false when the list is full. */
static bool s_add_match(match_t *matches, size_t *n, size_t *extra, size_t index, match_how_t how,
                        Mash__V1__IdentifierKind kind) {
  for (size_t i = 0; i < *n; i++) {
    if (matches[i].record == index) {
      return true;
    }
  }
  if (*n == RECORDS_MAX_MATCHES) {
    (*extra)++;
    return false;
  }
  matches[(*n)++] = (match_t){.record = index, .how = how, .kind = kind};
  return true;
}

/* The weighted comparison of common/match.h on names, date of birth, sex
 * and address alone: identifiers were compared first, with the responder's
 * rules for local ids. Fills why when it links. */
static bool s_weighted_match(const Mash__V1__Person *subject, const Mash__V1__Person *record,
                             char why[MASH_MATCH_WHY_SIZE]) {
  mash_match_person_t a, b;
  mash_match_person_from_pb(&a, subject);
  mash_match_person_from_pb(&b, record);
  a.n_ids = 0;
  b.n_ids = 0;
  mash_match_why_t w;
  double score = mash_match_score(&a, &b, &w);
  if (mash_match_decide(score, NULL) != MASH_MATCH_AUTO_LINK) {
    return false;
  }
  snprintf(why, MASH_MATCH_WHY_SIZE, "%s", w.text);
  return true;
}

/* Match one subject: identifiers first, then name and date of birth. */
static void s_match_subject(const records_t *r, const Mash__V1__Person *subject,
                            const char *responder, match_t *matches, size_t *n, size_t *extra) {
  bool by_id = false;
  for (size_t i = 0; i < r->count; i++) {
    Mash__V1__IdentifierKind kind = s_identifier_match(subject, r->items[i].person, responder);
    if (kind != MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UNSPECIFIED) {
      by_id = true;
      s_add_match(matches, n, extra, i, MATCH_IDENTIFIER, kind);
    }
  }
  if (by_id) {
    return;
  }
  bool exact = false;
  for (size_t i = 0; i < r->count; i++) {
    const Mash__V1__Person *rec = r->items[i].person;
    if (s_name_dob_match(subject, rec) && !s_identifiers_conflict(subject, rec, responder)) {
      exact = true;
      s_add_match(matches, n, extra, i, MATCH_NAME_DOB,
                  MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UNSPECIFIED);
    }
  }
  if (exact) {
    return;
  }
  /* A typo, a nickname, a missing date of birth: the broker's weighted
   * comparison, so that "no information held" is not said of a child the
   * agency knows under a slightly different spelling. */
  for (size_t i = 0; i < r->count; i++) {
    const Mash__V1__Person *rec = r->items[i].person;
    char why[MASH_MATCH_WHY_SIZE];
    if (!s_identifiers_conflict(subject, rec, responder) && s_weighted_match(subject, rec, why)) {
      size_t before = *n;
      s_add_match(matches, n, extra, i, MATCH_WEIGHTED,
                  MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UNSPECIFIED);
      if (*n > before) {
        snprintf(matches[*n - 1].why, sizeof matches[*n - 1].why, "%s", why);
      }
    }
  }
}

/* ---------------------------------------------------------------- answer text */

/* A bounded text of at most `limit` (<= MASH_MAX_LONG_TEXT) bytes, of which
 * the last three are kept for an ellipsis: past the bound the text is cut on
 * a UTF-8 character boundary and ends with "...". */
typedef struct text {
  char buf[MASH_MAX_LONG_TEXT + 1];
  size_t len;
  size_t limit;
  bool full;
} text_t;

static void s_text_reset(text_t *t, size_t limit) {
  t->len = 0;
  t->limit = limit < MASH_MAX_LONG_TEXT ? limit : MASH_MAX_LONG_TEXT;
  t->full = false;
  t->buf[0] = '\0';
}

static void s_put(text_t *t, const char *s) {
  static const char ellipsis[] = "...";
  const size_t dots = sizeof ellipsis - 1;
  if (t->full) {
    return;
  }
  size_t want = strlen(s);
  /* Room for the ellipsis is always kept, so that a cut can be seen. */
  if (t->len + want + dots <= t->limit) {
    memcpy(t->buf + t->len, s, want);
    t->len += want;
    t->buf[t->len] = '\0';
    return;
  }
  t->full = true;
  size_t n = t->limit - dots - t->len; /* < want */
  /* s[n] is the first byte left out: never split a character. */
  while (n > 0 && ((unsigned char)s[n] & 0xC0u) == 0x80u) {
    n--;
  }
  memcpy(t->buf + t->len, s, n);
  memcpy(t->buf + t->len + n, ellipsis, dots);
  t->len += n + dots;
  t->buf[t->len] = '\0';
}

static void s_put_number(text_t *t, size_t value) {
  char digits[32];
  snprintf(digits, sizeof digits, "%zu", value);
  s_put(t, digits);
}

/* "Maya Hartley", or what there is of it. */
static void s_put_name(text_t *t, const Mash__V1__Person *p) {
  const char *given = s_str(p->given_name);
  const char *family = s_str(p->family_name);
  if (given[0] == '\0' && family[0] == '\0') {
    s_put(t, "unnamed person");
    return;
  }
  s_put(t, given);
  s_put(t, given[0] != '\0' && family[0] != '\0' ? " " : "");
  s_put(t, family);
}

static const char *s_kind_name(Mash__V1__IdentifierKind kind) {
  switch (kind) {
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER:
    return "NHS number";
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UPN:
    return "UPN";
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_PNC_ID:
    return "PNC id";
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID:
    return "local id";
  default:
    return "identifier";
  }
}

static char *s_dup(const char *s) {
  size_t len = strlen(s);
  char *copy = malloc(len + 1);
  if (copy != NULL) {
    memcpy(copy, s, len + 1);
  }
  return copy;
}

/* A copy of finding `f` of person `p`, its summary prefixed with the name. */
static Mash__V1__Finding *s_copy_finding(const Mash__V1__Person *p, const Mash__V1__Finding *f,
                                         text_t *scratch) {
  Mash__V1__Finding *copy = malloc(sizeof *copy);
  if (copy == NULL) {
    return NULL;
  }
  mash__v1__finding__init(copy);
  s_text_reset(scratch, MASH_MAX_LONG_TEXT);
  s_put_name(scratch, p);
  s_put(scratch, ": ");
  s_put(scratch, s_str(f->summary));
  copy->kind = s_dup(s_str(f->kind));
  copy->summary = s_dup(scratch->buf);
  copy->at_ms = f->at_ms;
  if (copy->kind == NULL || copy->summary == NULL) {
    free(copy->kind);
    free(copy->summary);
    free(copy);
    return NULL;
  }
  return copy;
}

/* ---------------------------------------------------------------- the answer */

Mash__V1__EnquiryResponse *records_answer(const records_t *r, const Mash__V1__EnquiryRequest *req,
                                          const char *responder) {
  responder = s_str(responder);
  Mash__V1__EnquiryResponse *resp = malloc(sizeof *resp);
  text_t *summary = malloc(sizeof *summary);
  text_t *scratch = malloc(sizeof *scratch);
  match_t *matches = calloc(RECORDS_MAX_MATCHES, sizeof *matches);
  if (resp == NULL || summary == NULL || scratch == NULL || matches == NULL) {
    free(resp);
    resp = NULL;
    goto out;
  }
  mash__v1__enquiry_response__init(resp);
  resp->request_id = s_dup(s_str(req->request_id));
  resp->responder = s_dup(responder);
  if (resp->request_id == NULL || resp->responder == NULL) {
    goto fail;
  }

  size_t n_matches = 0;
  /* Matches past RECORDS_MAX_MATCHES are only counted; a record matched by
   * two subjects past the list counts twice, so the count may be high. */
  size_t extra = 0;
  for (size_t s = 0; r != NULL && s < req->n_subjects; s++) {
    if (req->subjects[s] != NULL) {
      s_match_subject(r, req->subjects[s], responder, matches, &n_matches, &extra);
    }
  }

  s_text_reset(summary, MASH_MAX_LONG_TEXT);
  if (n_matches == 0) {
    resp->no_information_held = 1;
    s_put(summary, "No information held");
    resp->summary = s_dup(summary->buf);
    if (resp->summary == NULL) {
      goto fail;
    }
    goto out;
  }

  /* The findings, in the order of the subjects and of the file, within the
   * count and byte budgets of one frame. */
  size_t total = 0;
  for (size_t m = 0; m < n_matches; m++) {
    total += r->items[matches[m].record].n_findings;
  }
  size_t cap = total < RECORDS_MAX_ANSWER_FINDINGS ? total : RECORDS_MAX_ANSWER_FINDINGS;
  if (cap > 0) {
    resp->findings = calloc(cap, sizeof *resp->findings);
    if (resp->findings == NULL) {
      goto fail;
    }
  }
  size_t bytes = 0;
  bool budget_spent = false;
  for (size_t m = 0; m < n_matches && !budget_spent; m++) {
    const record_t *rec = &r->items[matches[m].record];
    for (size_t i = 0; i < rec->n_findings; i++) {
      if (resp->n_findings == cap) {
        budget_spent = true;
        break;
      }
      Mash__V1__Finding *f = s_copy_finding(rec->person, rec->findings[i], scratch);
      if (f == NULL) {
        goto fail;
      }
      size_t size = strlen(f->kind) + strlen(f->summary) + 16; /* tags and time */
      if (bytes + size > RECORDS_ANSWER_BUDGET) {
        protobuf_c_message_free_unpacked(&f->base, NULL);
        budget_spent = true;
        break;
      }
      bytes += size;
      resp->findings[resp->n_findings++] = f;
    }
  }

  /* The counts end the summary and must survive: they are written first,
   * and the list of people is cut to leave room for them. */
  s_text_reset(scratch, MASH_MAX_LONG_TEXT);
  if (extra > 0) {
    s_put(scratch, "; ");
    s_put_number(scratch, extra);
    s_put(scratch, " more not listed");
  }
  s_put(scratch, ". ");
  if (total == 0) {
    s_put(scratch, "Known to the agency; no findings recorded.");
  } else if (resp->n_findings == total && extra == 0) {
    s_put_number(scratch, total);
    s_put(scratch, total == 1 ? " finding." : " findings.");
  } else {
    s_put_number(scratch, resp->n_findings);
    s_put(scratch, " findings sent; more are held: ask the agency for the rest.");
  }

  /* Less three: s_put keeps room for an ellipsis. */
  s_text_reset(summary, MASH_MAX_LONG_TEXT - 3 - scratch->len);
  s_put_number(summary, n_matches + extra);
  s_put(summary, n_matches + extra == 1 ? " record matched: " : " records matched: ");
  for (size_t m = 0; m < n_matches; m++) {
    const Mash__V1__Person *p = r->items[matches[m].record].person;
    s_put(summary, m == 0 ? "" : "; ");
    s_put_name(summary, p);
    if (s_str(p->date_of_birth)[0] != '\0') {
      s_put(summary, " (");
      s_put(summary, p->date_of_birth);
      s_put(summary, ")");
    }
    s_put(summary, " by ");
    if (matches[m].how == MATCH_WEIGHTED) {
      s_put(summary, "weighted comparison (");
      s_put(summary, matches[m].why);
      s_put(summary, ")");
    } else {
      s_put(summary, matches[m].how == MATCH_IDENTIFIER ? s_kind_name(matches[m].kind)
                                                        : "name and date of birth");
    }
  }
  summary->limit = MASH_MAX_LONG_TEXT;
  summary->full = false;
  s_put(summary, scratch->buf);
  resp->summary = s_dup(summary->buf);
  if (resp->summary == NULL) {
    goto fail;
  }
  goto out;

fail:
  records_response_free(resp);
  resp = NULL;
out:
  free(summary);
  free(scratch);
  free(matches);
  return resp;
}

void records_response_free(Mash__V1__EnquiryResponse *resp) {
  if (resp != NULL) {
    protobuf_c_message_free_unpacked(&resp->base, NULL);
  }
}
