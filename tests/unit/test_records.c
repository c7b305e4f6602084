/* test_records: answering enquiries for an agency, from its records file
 * (agents/agency/records.h) or by hand through the drop folder
 * (agents/agency/manual.h).
 *
 * Loads the example records files of agents/agency/examples (found next to
 * this source through __FILE__) and answers requests built in memory:
 * matches by NHS number with and without spaces, by UPN ignoring case, by a
 * local id of the responder's own, by name and date of birth ignoring case,
 * by the broker's weighted comparison when the enquiry has a typo (and not
 * on a mere possible match), none on a conflicting identifier, "no information held", bounded
 * answers. Load errors name the record; every truncation of a records file fails. The manual drop
 * folder is exercised in a mkdtemp folder: request written, answer read, finished, rejected with
 * its reasons. Must not: use the network, or write outside the temporary folder it removes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec.h"
#include "manual.h"
#include "records.h"

#define T_2026_11_23_0900 INT64_C(1795424400000)
#define T_2026_11_23_1300 INT64_C(1795438800000)

/* ---------------------------------------------------------------- helpers */

/* The path of agents/agency/examples/<name>. */
static void s_example_path(const char *name, char *out, size_t outlen) {
  const char *self = __FILE__;
  const char *suffix = "tests/unit/test_records.c";
  size_t self_len = strlen(self);
  size_t suffix_len = strlen(suffix);
  assert_true(self_len >= suffix_len);
  assert_string_equal(self + self_len - suffix_len, suffix);
  int w = snprintf(out, outlen, "%.*sagents/agency/examples/%s", (int)(self_len - suffix_len), self,
                   name);
  assert_true(w > 0 && (size_t)w < outlen);
}

static records_t *s_load_example(const char *name) {
  char path[4096];
  s_example_path(name, path, sizeof path);
  char err[512];
  records_t *r = records_load(path, err, sizeof err);
  if (r == NULL) {
    fail_msg("%s", err);
  }
  return r;
}

static char *s_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fail_msg("cannot open %s", path);
  }
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  long size = ftell(f);
  assert_true(size >= 0 && size < 16 * 1024 * 1024);
  assert_int_equal(fseek(f, 0, SEEK_SET), 0);
  char *buf = malloc((size_t)size + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
  buf[size] = '\0';
  fclose(f);
  *len = (size_t)size;
  return buf;
}

static void s_write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
  assert_int_equal(fclose(f), 0);
}

static bool s_exists(const char *path) {
  struct stat st;
  return lstat(path, &st) == 0;
}

/* A subject of a request, with at most one identifier; all borrowed. */
typedef struct subject {
  Mash__V1__Person person;
  Mash__V1__Identifier id;
  Mash__V1__Identifier *ids[1];
} subject_t;

static Mash__V1__Person *s_subject(subject_t *s, const char *given, const char *family,
                                   const char *dob, Mash__V1__IdentifierKind kind,
                                   const char *value, const char *issuer) {
  mash__v1__person__init(&s->person);
  mash__v1__identifier__init(&s->id);
  s->person.given_name = (char *)given;
  s->person.family_name = (char *)family;
  s->person.date_of_birth = (char *)dob;
  if (value != NULL) {
    s->id.kind = kind;
    s->id.value = (char *)value;
    s->id.issuer = (char *)(issuer != NULL ? issuer : "");
    s->ids[0] = &s->id;
    s->person.identifiers = s->ids;
    s->person.n_identifiers = 1;
  }
  return &s->person;
}

#define NHS MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER
#define UPN MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UPN
#define LOCAL MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID
#define NONE MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UNSPECIFIED

/* Whatever the answer, the broker accepts it: it encodes within one frame
 * and passes the codec's checks. */
static void s_expect_codec_valid(Mash__V1__EnquiryResponse *resp) {
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  mash_envelope_init(&env, "msg-1", T_2026_11_23_1300);
  env.body_case = MASH__V1__ENVELOPE__BODY_ENQUIRY_RESPONSE;
  env.enquiry_response = resp;
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  int rc = mash_codec_validate_envelope(&env, &errs);
  for (size_t i = 0; i < errs.count && i < MASH_MAX_FIELD_ERRORS; i++) {
    print_message("  %s: %s\n", errs.items[i].field, errs.items[i].message);
  }
  assert_int_equal(rc, 0);
  uint8_t *buf = NULL;
  size_t len = 0;
  assert_int_equal(mash_codec_encode(&env, &buf, &len), 0);
  assert_true(len < MASH_MAX_FRAME);
  free(buf);
}

/* Answer a request of `n` subjects from `r`. */
static Mash__V1__EnquiryResponse *s_ask(const records_t *r, Mash__V1__Person **subjects, size_t n,
                                        const char *responder) {
  Mash__V1__EnquiryRequest req = MASH__V1__ENQUIRY_REQUEST__INIT;
  req.request_id = (char *)"req-0001";
  req.subjects = subjects;
  req.n_subjects = n;
  Mash__V1__EnquiryResponse *resp = records_answer(r, &req, responder);
  assert_non_null(resp);
  assert_string_equal(resp->request_id, "req-0001");
  assert_string_equal(resp->responder, responder);
  s_expect_codec_valid(resp);
  return resp;
}

static void s_expect_nothing(const Mash__V1__EnquiryResponse *resp) {
  assert_true(resp->no_information_held);
  assert_int_equal(resp->n_findings, 0);
  assert_string_equal(resp->summary, "No information held");
}

static bool s_starts(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---------------------------------------------------------------- loading */

static void test_load_examples(void **state) {
  (void)state;
  const char *names[] = {"health-records.json", "education-records.json", "housing-records.json"};
  for (size_t i = 0; i < 3; i++) {
    records_t *r = s_load_example(names[i]);
    assert_int_equal(records_count(r), 3);
    records_destroy(&r);
    assert_null(r);
  }
  records_destroy(NULL);
  records_t *none = NULL;
  records_destroy(&none);
  assert_int_equal(records_count(NULL), 0);

  /* An empty file of records is valid: it holds nothing. */
  char err[256];
  records_t *r = records_parse("empty", "[]", 2, err, sizeof err);
  assert_non_null(r);
  assert_int_equal(records_count(r), 0);
  subject_t s;
  Mash__V1__Person *p = s_subject(&s, "Maya", "Hartley", "2019-03-01", NHS, "9434765919", NULL);
  Mash__V1__EnquiryResponse *resp = s_ask(r, &p, 1, "health");
  s_expect_nothing(resp);
  records_response_free(resp);
  records_destroy(&r);
}

/* Parsing `text` must fail with an error containing every one of `parts`. */
static void s_expect_load_error(const char *text, const char *const *parts, size_t n) {
  char err[512];
  records_t *r = records_parse("t.json", text, strlen(text), err, sizeof err);
  if (r != NULL) {
    records_destroy(&r);
    fail_msg("parsed: %s", text);
  }
  for (size_t i = 0; i < n; i++) {
    if (strstr(err, parts[i]) == NULL) {
      fail_msg("error \"%s\" lacks \"%s\"", err, parts[i]);
    }
  }
}

static void test_load_errors(void **state) {
  (void)state;
  {
    const char *parts[] = {"t.json", "expected an array"};
    s_expect_load_error("{\"records\":[]}", parts, 2);
  }
  {
    const char *parts[] = {"t.json", "not valid JSON"};
    s_expect_load_error("[{\"given_name\":\"A\",}]", parts, 2);
  }
  {
    const char *parts[] = {"t.json: record 2: dob: expected a real date"};
    s_expect_load_error("[{\"family_name\":\"A\"},{\"family_name\":\"B\"},"
                        "{\"family_name\":\"C\",\"dob\":\"2019-02-30\"}]",
                        parts, 1);
  }
  {
    const char *parts[] = {"record 1: nhs_number: not a well-formed NHS number"};
    s_expect_load_error("[{\"family_name\":\"A\"},{\"nhs_number\":\"943 476 591\"}]", parts, 1);
  }
  {
    const char *parts[] = {"record 0: findings[1].summary: required", "(and 1 more problem)"};
    s_expect_load_error("[{\"family_name\":\"A\",\"findings\":[{\"kind\":\"k\",\"summary\":\"s\"},"
                        "{\"kind\":\"k\"}]},{\"family_name\":\"B\",\"dob\":\"x\"}]",
                        parts, 2);
  }
  {
    const char *parts[] = {"record 0: findings[0].at: expected a UTC time"};
    s_expect_load_error("[{\"family_name\":\"A\",\"findings\":[{\"kind\":\"k\",\"summary\":\"s\","
                        "\"at\":\"today\"}]}]",
                        parts, 1);
  }
  {
    const char *parts[] = {"record 0: needs a name or an identifier"};
    s_expect_load_error("[{\"dob\":\"2019-03-01\"}]", parts, 1);
  }
  {
    const char *parts[] = {"record 1: expected an object"};
    s_expect_load_error("[{\"family_name\":\"A\"},42]", parts, 1);
  }
  {
    const char *parts[] = {"record 0: findings[0].kind: only letters"};
    s_expect_load_error(
        "[{\"family_name\":\"A\",\"findings\":[{\"kind\":\"a b\",\"summary\":\"s\"}]}]", parts, 1);
    /* Finding kinds are ids of the codec's characters: no "/". */
    s_expect_load_error(
        "[{\"family_name\":\"A\",\"findings\":[{\"kind\":\"gp/reg\",\"summary\":\"s\"}]}]", parts,
        1);
  }
  {
    const char *parts[] = {"record 0: findings[0].at: must not be before 1970"};
    s_expect_load_error("[{\"family_name\":\"A\",\"findings\":[{\"kind\":\"k\",\"summary\":"
                        "\"s\",\"at\":\"1969-07-20T20:17:00Z\"}]}]",
                        parts, 1);
  }

  /* Too many findings for one record. */
  json_t *findings = json_array();
  for (size_t i = 0; i <= RECORDS_MAX_FINDINGS; i++) {
    json_array_append_new(findings, json_pack("{s:s,s:s}", "kind", "k", "summary", "s"));
  }
  json_t *root = json_pack("[{s:s,s:o}]", "family_name", "A", "findings", findings);
  char *text = json_dumps(root, JSON_COMPACT);
  json_decref(root);
  {
    const char *parts[] = {"record 0: findings: at most 64 entries"};
    s_expect_load_error(text, parts, 1);
  }
  free(text);

  /* Every truncation of a valid file is refused. */
  char path[4096];
  s_example_path("health-records.json", path, sizeof path);
  size_t len = 0;
  char *full = s_read_file(path, &len);
  while (len > 0 && (full[len - 1] == '\n' || full[len - 1] == ' ')) {
    len--;
  }
  for (size_t cut = 0; cut < len; cut++) {
    char *prefix = malloc(cut > 0 ? cut : 1);
    assert_non_null(prefix);
    memcpy(prefix, full, cut);
    char err[512];
    records_t *r = records_parse("t.json", prefix, cut, err, sizeof err);
    free(prefix);
    if (r != NULL) {
      records_destroy(&r);
      fail_msg("a prefix of %zu bytes loaded", cut);
    }
    assert_true(err[0] != '\0');
  }
  free(full);

  /* Files: missing, a folder, too large (sparse). */
  char err[512];
  assert_null(records_load("/nonexistent/records.json", err, sizeof err));
  assert_non_null(strstr(err, "/nonexistent/records.json"));
  assert_null(records_load("/", err, sizeof err));
  assert_non_null(strstr(err, "not a regular file"));
  char big[] = "/tmp/mash-records-XXXXXX";
  int fd = mkstemp(big);
  assert_true(fd >= 0);
  assert_int_equal(ftruncate(fd, (off_t)RECORDS_MAX_BYTES + 1), 0);
  close(fd);
  assert_null(records_load(big, err, sizeof err));
  assert_non_null(strstr(err, "larger than"));
  unlink(big);
  /* A tiny error buffer is still terminated. */
  char tiny[8];
  assert_null(records_parse("t.json", "{}", 2, tiny, sizeof tiny));
  assert_true(strlen(tiny) < sizeof tiny);
}

/* ---------------------------------------------------------------- matching */

static void test_match_nhs(void **state) {
  (void)state;
  records_t *r = s_load_example("health-records.json");
  subject_t s;
  /* Spaces on either side do not matter; the names need not agree. */
  const char *forms[] = {"943 476 5919", "9434765919", " 9434 765919 "};
  for (size_t i = 0; i < 3; i++) {
    Mash__V1__Person *p = s_subject(&s, "M.", "Hartley-Marsh", "", NHS, forms[i], NULL);
    Mash__V1__EnquiryResponse *resp = s_ask(r, &p, 1, "health");
    assert_false(resp->no_information_held);
    assert_int_equal(resp->n_findings, 3);
    assert_string_equal(resp->findings[0]->kind, "gp_registration");
    assert_true(s_starts(resp->findings[1]->summary, "Maya Hartley: Exampleton General"));
    assert_int_equal(resp->findings[1]->at_ms, INT64_C(1789414800000));
    assert_string_equal(resp->summary,
                        "1 record matched: Maya Hartley (2019-03-01) by NHS number. 3 findings.");
    records_response_free(resp);
  }
  /* A different NHS number and no name: nothing. */
  Mash__V1__Person *p = s_subject(&s, "", "", "", NHS, "4857773007", NULL);
  Mash__V1__EnquiryResponse *resp = s_ask(r, &p, 1, "health");
  s_expect_nothing(resp);
  records_response_free(resp);
  records_destroy(&r);
}

static void test_match_name_dob(void **state) {
  (void)state;
  records_t *r = s_load_example("housing-records.json"); /* no NHS numbers held */
  subject_t s;
  Mash__V1__Person *p = s_subject(&s, "MAYA", " hartley ", "2019-03-01", NHS, "9434765919", NULL);
  Mash__V1__EnquiryResponse *resp = s_ask(r, &p, 1, "housing");
  assert_false(resp->no_information_held);
  assert_int_equal(resp->n_findings, 3);
  assert_string_equal(resp->findings[1]->kind, "arrears");
  assert_string_equal(resp->summary, "1 record matched: Maya Hartley (2019-03-01) by name and "
                                     "date of birth. 3 findings.");
  records_response_free(resp);

  /* A typo in the enquiry: the broker's weighted comparison still finds
   * her (issue 9), and the summary says how, in tags only. */
  const char *typo[][3] = {{"Maia", "Hartley", "2019-03-01"}, {"Maya", "Hartly", "2019-03-01"}};
  for (size_t i = 0; i < sizeof typo / sizeof typo[0]; i++) {
    p = s_subject(&s, typo[i][0], typo[i][1], typo[i][2], NONE, NULL, NULL);
    resp = s_ask(r, &p, 1, "housing");
    assert_false(resp->no_information_held);
    assert_int_equal(resp->n_findings, 3);
    assert_non_null(
        strstr(resp->summary, "Maya Hartley (2019-03-01) by weighted comparison (dob+"));
    records_response_free(resp);
  }

  /* Too little agreeing for an auto-link (a possible match is not an
   * answer): a date one digit off with nothing else to go on, no date of
   * birth, no forename. */
  const char *mismatch[][3] = {
      {"Maya", "Hartley", "2019-03-02"},
      {"Maya", "Hartley", ""},
      {"", "Hartley", "2019-03-01"},
      {"Amelia", "Hartley", "2019-03-01"},
  };
  for (size_t i = 0; i < sizeof mismatch / sizeof mismatch[0]; i++) {
    p = s_subject(&s, mismatch[i][0], mismatch[i][1], mismatch[i][2], NONE, NULL, NULL);
    resp = s_ask(r, &p, 1, "housing");
    s_expect_nothing(resp);
    records_response_free(resp);
  }
  records_destroy(&r);

  /* A record holding another NHS number is another child, whatever the
   * name; a record holding none may match by name. */
  r = s_load_example("health-records.json");
  p = s_subject(&s, "Maya", "Hartley", "2019-03-01", NHS, "4857773007", NULL);
  resp = s_ask(r, &p, 1, "health");
  s_expect_nothing(resp);
  records_response_free(resp);
  records_destroy(&r);
}

static void test_match_other_identifiers(void **state) {
  (void)state;
  records_t *r = s_load_example("education-records.json");
  subject_t s;
  /* A UPN, ignoring case. */
  Mash__V1__Person *p = s_subject(&s, "", "", "", UPN, "u820200123045", NULL);
  Mash__V1__EnquiryResponse *resp = s_ask(r, &p, 1, "education");
  assert_int_equal(resp->n_findings, 3);
  assert_string_equal(resp->findings[2]->kind, "exclusion");
  assert_non_null(strstr(resp->summary, "by UPN"));
  records_response_free(resp);
  records_destroy(&r);

  /* A local id matches only when the responder issued it. */
  r = s_load_example("housing-records.json");
  p = s_subject(&s, "", "", "", LOCAL, "HSG-P-104413", "housing");
  resp = s_ask(r, &p, 1, "housing");
  assert_int_equal(resp->n_findings, 1);
  assert_true(s_starts(resp->findings[0]->summary, "Leo Hartley: Added as household member"));
  assert_non_null(strstr(resp->summary, "Leo Hartley (2024-07-15) by local id"));
  records_response_free(resp);
  p = s_subject(&s, "", "", "", LOCAL, "HSG-P-104413", "police");
  resp = s_ask(r, &p, 1, "housing");
  s_expect_nothing(resp);
  records_response_free(resp);
  /* A police local id says nothing against ours: the name still matches. */
  p = s_subject(&s, "Leo", "Hartley", "2024-07-15", LOCAL, "RMS-1", "police");
  resp = s_ask(r, &p, 1, "housing");
  assert_int_equal(resp->n_findings, 1);
  records_response_free(resp);
  /* ...but a different housing id is a different person. */
  p = s_subject(&s, "Leo", "Hartley", "2024-07-15", LOCAL, "HSG-P-1", "housing");
  resp = s_ask(r, &p, 1, "housing");
  s_expect_nothing(resp);
  records_response_free(resp);
  records_destroy(&r);
}

static void test_several_subjects(void **state) {
  (void)state;
  records_t *r = s_load_example("health-records.json");
  subject_t s[4];
  Mash__V1__Person *subjects[4] = {
      s_subject(&s[0], "Maya", "Hartley", "2019-03-01", NHS, "9434765919", NULL),
      s_subject(&s[1], "Jess", "Hartley", "1994-05-20", NONE, NULL, NULL), /* not held */
      s_subject(&s[2], "leo", "HARTLEY", "2024-07-15", NONE, NULL, NULL),
      /* Maya again, by name: reported once. */
      s_subject(&s[3], "Maya", "Hartley", "2019-03-01", NONE, NULL, NULL),
  };
  Mash__V1__EnquiryResponse *resp = s_ask(r, subjects, 4, "health");
  assert_false(resp->no_information_held);
  assert_int_equal(resp->n_findings, 5);
  assert_true(s_starts(resp->findings[3]->summary, "Leo Hartley: "));
  assert_string_equal(resp->summary,
                      "2 records matched: Maya Hartley (2019-03-01) by NHS number; Leo Hartley "
                      "(2024-07-15) by name and date of birth. 5 findings.");
  records_response_free(resp);

  /* No subjects at all, or only strangers. */
  resp = s_ask(r, subjects, 0, "health");
  s_expect_nothing(resp);
  records_response_free(resp);
  resp = s_ask(r, &subjects[1], 1, "health");
  s_expect_nothing(resp);
  records_response_free(resp);
  /* No records at all. */
  resp = s_ask(NULL, subjects, 4, "health");
  s_expect_nothing(resp);
  records_response_free(resp);
  records_destroy(&r);
}

/* Big records: the answer stays within a frame, the summary within the text
 * bound and on a character boundary. */
static void test_answer_bounds(void **state) {
  (void)state;
  char *summary = malloc(MASH_MAX_LONG_TEXT + 1);
  assert_non_null(summary);
  memset(summary, 'x', MASH_MAX_LONG_TEXT);
  summary[MASH_MAX_LONG_TEXT] = '\0';
  /* A family name of two-byte characters, so that cuts fall inside one. */
  char family[MASH_MAX_SHORT_TEXT + 1];
  for (size_t i = 0; i + 1 < MASH_MAX_SHORT_TEXT; i += 2) {
    family[i] = (char)0xc3;
    family[i + 1] = (char)0xab;
  }
  family[MASH_MAX_SHORT_TEXT] = '\0';

  json_t *records = json_array();
  for (size_t k = 0; k < 40; k++) {
    json_t *findings = json_array();
    for (size_t i = 0; i < RECORDS_MAX_FINDINGS; i++) {
      json_array_append_new(findings, json_pack("{s:s,s:s}", "kind", "note", "summary", summary));
    }
    json_array_append_new(records,
                          json_pack("{s:s,s:s,s:s,s:o}", "given_name", "Sam", "family_name", family,
                                    "dob", "2015-01-01", "findings", findings));
  }
  free(summary);
  char *text = json_dumps(records, JSON_COMPACT);
  json_decref(records);
  assert_non_null(text);
  char err[512];
  records_t *r = records_parse("big", text, strlen(text), err, sizeof err);
  free(text);
  if (r == NULL) {
    fail_msg("%s", err);
  }
  assert_int_equal(records_count(r), 40);

  subject_t s;
  Mash__V1__Person *p = s_subject(&s, "sam", family, "2015-01-01", NONE, NULL, NULL);
  Mash__V1__EnquiryResponse *resp = s_ask(r, &p, 1, "health");
  assert_false(resp->no_information_held);
  assert_true(resp->n_findings > 0);
  assert_true(resp->n_findings < RECORDS_MAX_ANSWER_FINDINGS);
  size_t bytes = 0;
  for (size_t i = 0; i < resp->n_findings; i++) {
    size_t len = strlen(resp->findings[i]->summary);
    assert_true(len <= MASH_MAX_LONG_TEXT);
    assert_true(s_starts(resp->findings[i]->summary, "Sam "));
    bytes += len;
  }
  assert_true(bytes <= RECORDS_ANSWER_BUDGET);
  size_t len = strlen(resp->summary);
  assert_true(len <= MASH_MAX_LONG_TEXT);
  assert_true(s_starts(resp->summary, "40 records matched: Sam "));
  assert_non_null(strstr(resp->summary, "8 more not listed"));
  /* The list of names was cut, the counts at the end were kept. */
  assert_non_null(strstr(resp->summary, "...; 8 more not listed. "));
  const char *tail = "findings sent; more are held: ask the agency for the rest.";
  assert_true(len > strlen(tail));
  assert_string_equal(resp->summary + len - strlen(tail), tail);
  /* Valid UTF-8: jansson refuses anything else. */
  json_t *check = json_string(resp->summary);
  assert_non_null(check);
  json_decref(check);
  for (size_t i = 0; i < resp->n_findings; i++) {
    check = json_string(resp->findings[i]->summary);
    assert_non_null(check);
    json_decref(check);
  }
  records_response_free(resp);
  records_destroy(&r);
}

/* ---------------------------------------------------------------- manual */

static void s_rmtree(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) {
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
        continue;
      }
      char child[PATH_MAX];
      int w = snprintf(child, sizeof child, "%s/%s", path, e->d_name);
      assert_true(w > 0 && (size_t)w < sizeof child);
      s_rmtree(child);
    }
    closedir(d);
    assert_int_equal(rmdir(path), 0);
  } else {
    assert_int_equal(unlink(path), 0);
  }
}

static int s_setup_dir(void **state) {
  char *dir = malloc(64);
  if (dir == NULL) {
    return -1;
  }
  snprintf(dir, 64, "/tmp/mash-manual-XXXXXX");
  if (mkdtemp(dir) == NULL) {
    free(dir);
    return -1;
  }
  *state = dir;
  return 0;
}

static int s_teardown_dir(void **state) {
  char *dir = *state;
  s_rmtree(dir);
  free(dir);
  return 0;
}

static void s_path(char *out, const char *dir, const char *rel) {
  int w = snprintf(out, PATH_MAX, "%s/%s", dir, rel);
  assert_true(w > 0 && w < PATH_MAX);
}

/* A request for Maya, red, due four hours after it was made. */
typedef struct request_fixture {
  Mash__V1__EnquiryRequest req;
  Mash__V1__ConsentRecord consent;
  Mash__V1__Address address;
  char *lines[2];
  subject_t maya;
  Mash__V1__Person *subjects[1];
} request_fixture_t;

static void s_request(request_fixture_t *f, const char *request_id) {
  mash__v1__enquiry_request__init(&f->req);
  mash__v1__consent_record__init(&f->consent);
  mash__v1__address__init(&f->address);
  f->req.request_id = (char *)request_id;
  f->req.enquiry_id = (char *)"enq-77";
  f->req.contact_id = (char *)"contact-42";
  f->req.rag = MASH__V1__RAG__RAG_RED;
  f->req.requested_at_ms = T_2026_11_23_0900;
  f->req.due_at_ms = T_2026_11_23_1300;
  f->req.question = (char *)"What do you hold about Maya and her household?";
  f->consent.status = MASH__V1__CONSENT_STATUS__CONSENT_STATUS_NOT_SOUGHT;
  f->consent.reason = (char *)"Seeking consent could place the child at risk";
  f->consent.lawful_basis = MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_SAFEGUARDING_DPA_SCH1_P18;
  f->consent.recorded_by = (char *)"MASH manager A. Shah";
  f->req.consent = &f->consent;
  f->lines[0] = (char *)"Flat 3";
  f->lines[1] = (char *)"12 Canal Street";
  f->address.lines = f->lines;
  f->address.n_lines = 2;
  f->address.postcode = (char *)"EX1 2AB";
  f->subjects[0] = s_subject(&f->maya, "Maya", "Hartley", "2019-03-01", NHS, "9434765919", NULL);
  f->maya.person.ref = (char *)"c1";
  f->maya.person.sex = MASH__V1__SEX__SEX_FEMALE;
  f->maya.person.address = &f->address;
  f->req.subjects = f->subjects;
  f->req.n_subjects = 1;
}

static void test_manual_round_trip(void **state) {
  const char *dir = *state;
  request_fixture_t f;
  s_request(&f, "req-2026-0001");
  char err[512];
  assert_int_equal(manual_write_request(dir, &f.req, err, sizeof err), 0);

  /* The request, as a person reads it. */
  char path[PATH_MAX];
  s_path(path, dir, "requests/req-2026-0001.json");
  json_error_t jerr;
  json_t *o = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
  assert_non_null(o);
  assert_string_equal(json_string_value(json_object_get(o, "request_id")), "req-2026-0001");
  assert_string_equal(json_string_value(json_object_get(o, "rag")), "red");
  assert_string_equal(json_string_value(json_object_get(o, "due_at")), "2026-11-23T13:00:00Z");
  assert_string_equal(json_string_value(json_object_get(o, "requested_at")),
                      "2026-11-23T09:00:00Z");
  assert_string_equal(json_string_value(json_object_get(o, "question")),
                      "What do you hold about Maya and her household?");
  json_t *consent = json_object_get(o, "consent");
  assert_string_equal(json_string_value(json_object_get(consent, "status")), "not_sought");
  assert_string_equal(json_string_value(json_object_get(consent, "lawful_basis")),
                      "safeguarding_dpa_sch1_p18");
  json_t *maya = json_array_get(json_object_get(o, "subjects"), 0);
  assert_string_equal(json_string_value(json_object_get(maya, "nhs_number")), "9434765919");
  assert_string_equal(json_string_value(json_object_get(maya, "dob")), "2019-03-01");
  assert_string_equal(json_string_value(json_object_get(maya, "sex")), "female");
  assert_string_equal(json_string_value(json_array_get(
                          json_object_get(json_object_get(maya, "address"), "lines"), 1)),
                      "12 Canal Street");
  assert_string_equal(json_string_value(json_object_get(o, "answer_file")),
                      "answers/req-2026-0001.json");
  json_decref(o);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  s_path(path, dir, "answers");
  assert_int_equal(stat(path, &st), 0);
  assert_true(S_ISDIR(st.st_mode));
  assert_int_equal(st.st_mode & 0777, 0700);

  /* Delivered again: replaced, not duplicated. */
  assert_int_equal(manual_write_request(dir, &f.req, err, sizeof err), 0);

  /* No answer yet. */
  Mash__V1__EnquiryResponse *resp = NULL;
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  assert_int_equal(manual_read_answer(dir, "req-2026-0001", &resp, &errs), 1);
  assert_null(resp);
  assert_int_equal(errs.count, 0);

  /* A person answers. */
  s_path(path, dir, "answers/req-2026-0001.json");
  s_write_file(path, "{\n"
                     "  \"request_id\": \"req-2026-0001\",\n"
                     "  \"no_information_held\": false,\n"
                     "  \"summary\": \"Maya is known to the school nursing team.\",\n"
                     "  \"findings\": [\n"
                     "    {\"kind\": \"school_nurse\", \"summary\": \"Seen twice this term.\",\n"
                     "     \"at\": \"2026-10-08T13:00:00Z\"},\n"
                     "    {\"kind\": \"note\", \"summary\": \"No other contact.\"}\n"
                     "  ],\n"
                     "  \"responder\": \"Jo Bloggs, school nursing team lead\"\n"
                     "}\n");
  assert_int_equal(manual_read_answer(dir, "req-2026-0001", &resp, &errs), 0);
  assert_non_null(resp);
  assert_string_equal(resp->request_id, "req-2026-0001");
  assert_false(resp->no_information_held);
  assert_string_equal(resp->summary, "Maya is known to the school nursing team.");
  assert_string_equal(resp->responder, "Jo Bloggs, school nursing team lead");
  assert_int_equal(resp->n_findings, 2);
  assert_string_equal(resp->findings[0]->kind, "school_nurse");
  assert_int_equal(resp->findings[0]->at_ms, INT64_C(1791464400000));
  assert_int_equal(resp->findings[1]->at_ms, 0);
  s_expect_codec_valid(resp);
  manual_answer_free(resp);

  /* Sent: neither file is read again. */
  assert_int_equal(manual_finish_answer(dir, "req-2026-0001", err, sizeof err), 0);
  s_path(path, dir, "answers/sent/req-2026-0001.json");
  assert_true(s_exists(path));
  s_path(path, dir, "requests/answered/req-2026-0001.json");
  assert_true(s_exists(path));
  s_path(path, dir, "requests/req-2026-0001.json");
  assert_false(s_exists(path));
  assert_int_equal(manual_read_answer(dir, "req-2026-0001", &resp, &errs), 1);
  /* Finishing twice: the answer is gone. */
  assert_true(manual_finish_answer(dir, "req-2026-0001", err, sizeof err) < 0);
}

static void test_manual_reject(void **state) {
  const char *dir = *state;
  request_fixture_t f;
  s_request(&f, "req-2026-0002");
  char err[512];
  assert_int_equal(manual_write_request(dir, &f.req, err, sizeof err), 0);

  char path[PATH_MAX];
  s_path(path, dir, "answers/req-2026-0002.json");
  s_write_file(path, "{\"no_information_held\": true,"
                     " \"findings\": [{\"kind\": \"note\", \"summary\": \"x\"}]}");
  Mash__V1__EnquiryResponse *resp = NULL;
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  assert_int_equal(manual_read_answer(dir, "req-2026-0002", &resp, &errs), -1);
  assert_null(resp);
  assert_true(errs.count >= 2);

  assert_int_equal(manual_reject_answer(dir, "req-2026-0002", &errs, err, sizeof err), 0);
  assert_false(s_exists(path));
  s_path(path, dir, "answers/rejected/req-2026-0002.json");
  assert_true(s_exists(path));
  s_path(path, dir, "answers/rejected/req-2026-0002.error");
  size_t len = 0;
  char *reasons = s_read_file(path, &len);
  assert_non_null(strstr(reasons, "answers/req-2026-0002.json"));
  assert_non_null(strstr(reasons, "responder: required\n"));
  assert_non_null(strstr(reasons, "findings: must be empty when no_information_held is true\n"));
  free(reasons);

  /* Until corrected, there is no answer; the corrected one is read. */
  memset(&errs, 0, sizeof errs);
  assert_int_equal(manual_read_answer(dir, "req-2026-0002", &resp, &errs), 1);
  s_path(path, dir, "answers/req-2026-0002.json");
  s_write_file(path, "{\"no_information_held\": true, \"responder\": \"Duty officer\"}");
  assert_int_equal(manual_read_answer(dir, "req-2026-0002", &resp, &errs), 0);
  assert_true(resp->no_information_held);
  assert_string_equal(resp->summary, "No information held");
  assert_int_equal(resp->n_findings, 0);
  s_expect_codec_valid(resp);
  manual_answer_free(resp);

  /* A symbolic link is refused, and rejected as itself. */
  s_path(path, dir, "answers/req-2026-0003.json");
  assert_int_equal(symlink("/etc/passwd", path), 0);
  memset(&errs, 0, sizeof errs);
  assert_int_equal(manual_read_answer(dir, "req-2026-0003", &resp, &errs), -1);
  assert_string_equal(errs.items[0].field, "$");
  assert_int_equal(manual_reject_answer(dir, "req-2026-0003", &errs, err, sizeof err), 0);
  assert_false(s_exists(path));
  /* Rejecting what is not there. */
  assert_int_equal(manual_reject_answer(dir, "req-9", &errs, err, sizeof err), -ENOENT);
}

/* The answer's rules, without files. */
static void s_expect_answer_error(const char *text, const char *field) {
  Mash__V1__EnquiryResponse *resp = NULL;
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  int rc = manual_parse_answer("req-1", text, strlen(text), &resp, &errs);
  bool found = false;
  for (size_t i = 0; i < errs.count && i < MASH_MAX_FIELD_ERRORS; i++) {
    found = found || strcmp(errs.items[i].field, field) == 0;
  }
  if (rc != -1 || !found) {
    print_message("%s: expected an error on %s\n", text, field);
  }
  manual_answer_free(resp);
  assert_int_equal(rc, -1);
  assert_null(resp);
  assert_true(found);
}

static void test_manual_answer_rules(void **state) {
  (void)state;
  s_expect_answer_error("{\"responder\":\"A\"}", "no_information_held");
  s_expect_answer_error("{\"no_information_held\":\"no\",\"responder\":\"A\"}",
                        "no_information_held");
  s_expect_answer_error("{\"no_information_held\":false}", "responder");
  s_expect_answer_error("{\"no_information_held\":false,\"responder\":\"\"}", "responder");
  s_expect_answer_error("{\"no_information_held\":false,\"responder\":\"A\"}", "summary");
  s_expect_answer_error("{\"request_id\":\"req-2\",\"no_information_held\":true,"
                        "\"responder\":\"A\"}",
                        "request_id");
  s_expect_answer_error("{\"no_information_held\":false,\"responder\":\"A\","
                        "\"findings\":[{\"kind\":\"k\",\"summary\":\"s\",\"at\":\"monday\"}]}",
                        "findings[0].at");
  s_expect_answer_error("{\"no_information_held\":false,\"responder\":\"A\","
                        "\"findings\":[{\"summary\":\"s\"}]}",
                        "findings[0].kind");
  s_expect_answer_error("{\"no_information_held\":false,\"responder\":\"A\",\"findings\":{}}",
                        "findings");
  s_expect_answer_error("{\"no_information_held\":false,\"responder\":\"A\\u0007\","
                        "\"summary\":\"s\"}",
                        "responder");
  s_expect_answer_error("[]", "$");
  s_expect_answer_error("", "$");
  s_expect_answer_error("{\"no_information_held\":true,\"no_information_held\":false,"
                        "\"responder\":\"A\"}",
                        "$");

  /* Too many findings, and too many bytes of them. */
  json_t *findings = json_array();
  for (size_t i = 0; i <= MANUAL_MAX_FINDINGS; i++) {
    json_array_append_new(findings, json_pack("{s:s,s:s}", "kind", "k", "summary", "s"));
  }
  json_t *root =
      json_pack("{s:b,s:s,s:o}", "no_information_held", 0, "responder", "A", "findings", findings);
  char *text = json_dumps(root, JSON_COMPACT);
  json_decref(root);
  s_expect_answer_error(text, "findings");
  free(text);
  char *big = malloc(MASH_MAX_LONG_TEXT + 1);
  assert_non_null(big);
  memset(big, 'x', MASH_MAX_LONG_TEXT);
  big[MASH_MAX_LONG_TEXT] = '\0';
  findings = json_array();
  for (size_t i = 0; i < MANUAL_MAX_FINDINGS; i++) {
    json_array_append_new(findings, json_pack("{s:s,s:s}", "kind", "k", "summary", big));
  }
  free(big);
  root =
      json_pack("{s:b,s:s,s:o}", "no_information_held", 0, "responder", "A", "findings", findings);
  text = json_dumps(root, JSON_COMPACT);
  json_decref(root);
  s_expect_answer_error(text, "findings");
  free(text);

  /* Findings without a summary get one. */
  const char *ok = "{\"no_information_held\":false,\"responder\":\"A\","
                   "\"findings\":[{\"kind\":\"k\",\"summary\":\"s\"}]}";
  Mash__V1__EnquiryResponse *resp = NULL;
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  assert_int_equal(manual_parse_answer("req-1", ok, strlen(ok), &resp, &errs), 0);
  assert_string_equal(resp->summary, "1 finding.");
  assert_string_equal(resp->request_id, "req-1");
  manual_answer_free(resp);

  /* Every truncation of a good answer is refused. */
  size_t len = strlen(ok);
  for (size_t cut = 0; cut < len; cut++) {
    char *prefix = malloc(cut > 0 ? cut : 1);
    assert_non_null(prefix);
    memcpy(prefix, ok, cut);
    memset(&errs, 0, sizeof errs);
    int rc = manual_parse_answer("req-1", prefix, cut, &resp, &errs);
    free(prefix);
    assert_int_equal(rc, -1);
    assert_null(resp);
    assert_true(errs.count >= 1);
  }
  /* A NULL error list is allowed. */
  assert_int_equal(manual_parse_answer("req-1", "[]", 2, &resp, NULL), -1);
}

static void test_manual_bad_ids(void **state) {
  const char *dir = *state;
  const char *bad[] = {"",
                       "../escape",
                       ".hidden",
                       "a/b",
                       "a b",
                       "x\xc3\xa9",
                       "0123456789012345678901234567890123456789012345678901234567890123456789"};
  char err[512];
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    request_fixture_t f;
    s_request(&f, bad[i]);
    assert_int_equal(manual_write_request(dir, &f.req, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "request id"));
    Mash__V1__EnquiryResponse *resp = NULL;
    mash_errors_t errs;
    memset(&errs, 0, sizeof errs);
    assert_int_equal(manual_read_answer(dir, bad[i], &resp, &errs), -1);
    assert_null(resp);
    assert_true(manual_reject_answer(dir, bad[i], &errs, err, sizeof err) < 0);
    assert_true(manual_finish_answer(dir, bad[i], err, sizeof err) < 0);
  }
  char path[PATH_MAX];
  s_path(path, dir, "requests");
  assert_false(s_exists(path)); /* nothing was written */

  /* A folder that cannot be made. */
  request_fixture_t f;
  s_request(&f, "req-1");
  assert_true(manual_write_request("/proc/mash-no-such-dir", &f.req, err, sizeof err) < 0);
  assert_non_null(strstr(err, "/proc/mash-no-such-dir"));

  /* Text that is not UTF-8 cannot be written as JSON. */
  s_request(&f, "req-1");
  f.req.question = (char *)"bad \xff byte";
  assert_int_equal(manual_write_request(dir, &f.req, err, sizeof err), -EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_load_examples),
      cmocka_unit_test(test_load_errors),
      cmocka_unit_test(test_match_nhs),
      cmocka_unit_test(test_match_name_dob),
      cmocka_unit_test(test_match_other_identifiers),
      cmocka_unit_test(test_several_subjects),
      cmocka_unit_test(test_answer_bounds),
      cmocka_unit_test_setup_teardown(test_manual_round_trip, s_setup_dir, s_teardown_dir),
      cmocka_unit_test_setup_teardown(test_manual_reject, s_setup_dir, s_teardown_dir),
      cmocka_unit_test(test_manual_answer_rules),
      cmocka_unit_test_setup_teardown(test_manual_bad_ids, s_setup_dir, s_teardown_dir),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
