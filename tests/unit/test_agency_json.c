/* test_agency_json: the health, education, housing and detail-less agency
 * notification mapping (agents/agency/agency_json.h).
 *
 * Parses the example files of agents/agency/examples (found next to this
 * source through __FILE__), then variations of them built with jansson:
 * every detail kind of every agency, wrong and out-of-range detail fields, a
 * detail sent to the wrong agency or to an agency without one, bad agency
 * names; and hostile input: every truncation of each example, non-object
 * roots, oversized documents and arrays, invalid UTF-8. Every notification
 * accepted must also pass the codec's validation. Must not: use the network
 * or write files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "agency_json.h"
#include "codec.h"

#define T_2026_11_20_2350 INT64_C(1795218600000)
#define T_2026_12_01 INT64_C(1796083200000)

/* ---------------------------------------------------------------- helpers */

/* Read agents/agency/examples/<name> into a new buffer. */
static char *s_read_example(const char *name, size_t *len) {
  const char *self = __FILE__;
  const char *suffix = "tests/unit/test_agency_json.c";
  size_t self_len = strlen(self);
  size_t suffix_len = strlen(suffix);
  assert_true(self_len >= suffix_len);
  assert_string_equal(self + self_len - suffix_len, suffix);

  char path[4096];
  int w = snprintf(path, sizeof path, "%.*sagents/agency/examples/%s", (int)(self_len - suffix_len),
                   self, name);
  assert_true(w > 0 && (size_t)w < sizeof path);

  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fail_msg("cannot open %s", path);
  }
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  long size = ftell(f);
  assert_true(size > 0 && size < 1024 * 1024);
  assert_int_equal(fseek(f, 0, SEEK_SET), 0);
  char *buf = malloc((size_t)size + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
  buf[size] = '\0';
  fclose(f);
  *len = (size_t)size;
  return buf;
}

static json_t *s_load_example(const char *name) {
  size_t len = 0;
  char *text = s_read_example(name, &len);
  json_error_t jerr;
  json_t *root = json_loadb(text, len, 0, &jerr);
  free(text);
  if (root == NULL) {
    fail_msg("%s: %s", name, jerr.text);
  }
  return root;
}

static Mash__V1__Notification *s_parse_json(const char *agency, const json_t *root,
                                            mash_errors_t *errs) {
  char *text = json_dumps(root, JSON_COMPACT);
  assert_non_null(text);
  memset(errs, 0, sizeof *errs);
  Mash__V1__Notification *n = agency_json_parse(agency, text, strlen(text), errs);
  free(text);
  return n;
}

static Mash__V1__Notification *s_parse_str(const char *agency, const char *text,
                                           mash_errors_t *errs) {
  memset(errs, 0, sizeof *errs);
  return agency_json_parse(agency, text, strlen(text), errs);
}

static bool s_has_error(const mash_errors_t *errs, const char *field) {
  for (size_t i = 0; i < errs->count && i < MASH_MAX_FIELD_ERRORS; i++) {
    if (strcmp(errs->items[i].field, field) == 0) {
      return true;
    }
  }
  return false;
}

static void s_print_errors(const mash_errors_t *errs) {
  for (size_t i = 0; i < errs->count && i < MASH_MAX_FIELD_ERRORS; i++) {
    print_message("  %s: %s\n", errs->items[i].field, errs->items[i].message);
  }
}

/* Parsing `root` as `agency` must fail with an error on `field`; `root` is
 * consumed. */
static void s_expect_error(const char *agency, json_t *root, const char *field) {
  mash_errors_t errs;
  Mash__V1__Notification *n = s_parse_json(agency, root, &errs);
  json_decref(root);
  if (n != NULL || !s_has_error(&errs, field)) {
    print_message("%s: expected an error on %s, got:\n", agency, field);
    s_print_errors(&errs);
  }
  agency_json_free(n);
  assert_null(n);
  assert_true(s_has_error(&errs, field));
}

/* The codec must accept what the adapter produced. */
static void s_expect_codec_valid(const Mash__V1__Notification *n) {
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  int rc = mash_codec_validate_notification(n, T_2026_12_01, &errs);
  if (rc != 0) {
    s_print_errors(&errs);
  }
  assert_int_equal(rc, 0);
}

/* Parsing `root` as `agency` must succeed; `root` is consumed. */
static Mash__V1__Notification *s_expect_ok(const char *agency, json_t *root) {
  mash_errors_t errs;
  Mash__V1__Notification *n = s_parse_json(agency, root, &errs);
  json_decref(root);
  if (n == NULL) {
    print_message("%s: expected success, got:\n", agency);
    s_print_errors(&errs);
  }
  assert_non_null(n);
  assert_int_equal(errs.count, 0);
  s_expect_codec_valid(n);
  return n;
}

static json_t *s_detail(json_t *root) {
  json_t *d = json_object_get(root, "detail");
  assert_non_null(d);
  return d;
}

static const Mash__V1__Identifier *s_identifier(const Mash__V1__Person *p,
                                                Mash__V1__IdentifierKind kind) {
  for (size_t i = 0; i < p->n_identifiers; i++) {
    if (p->identifiers[i]->kind == kind) {
      return p->identifiers[i];
    }
  }
  return NULL;
}

/* ---------------------------------------------------------------- examples */

static void test_example_health(void **state) {
  (void)state;
  Mash__V1__Notification *n = s_expect_ok("health", s_load_example("health-notification.json"));
  assert_string_equal(n->source_reference, "EGH-ED-2026-118842");
  assert_int_equal(n->concern_category,
                   MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_PHYSICAL_ABUSE);
  assert_int_equal(n->occurred_at_ms, T_2026_11_20_2350);
  assert_true(strstr(n->concern, "fingertip") != NULL);

  assert_int_equal(n->detail_case, MASH__V1__NOTIFICATION__DETAIL_HEALTH);
  const Mash__V1__HealthDetail *h = n->health;
  assert_int_equal(h->kind, MASH__V1__HEALTH_EVENT_KIND__HEALTH_EVENT_KIND_UNSCHEDULED_CARE);
  assert_string_equal(h->setting, "Exampleton General Hospital Emergency Department");
  assert_int_equal(h->attended_at_ms, T_2026_11_20_2350);
  assert_true(strncmp(h->practitioner, "Dr Priya Nair", 13) == 0);

  assert_int_equal(n->n_children, 2);
  assert_string_equal(n->children[0]->given_name, "Leo");
  const Mash__V1__Identifier *nhs =
      s_identifier(n->children[0], MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER);
  assert_non_null(nhs);
  assert_string_equal(nhs->value, "4010232137"); /* spaces removed */
  const Mash__V1__Identifier *local =
      s_identifier(n->children[0], MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID);
  assert_non_null(local);
  assert_string_equal(local->issuer, "health"); /* the agency issued it */
  assert_int_equal(n->n_adults, 1);
  assert_int_equal(n->n_relationships, 3);
  assert_string_equal(n->relationships[2]->kind, "sibling");
  agency_json_free(n);
}

static void test_example_education(void **state) {
  (void)state;
  Mash__V1__Notification *n =
      s_expect_ok("education", s_load_example("education-notification.json"));
  assert_int_equal(n->concern_category, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  assert_int_equal(n->detail_case, MASH__V1__NOTIFICATION__DETAIL_EDUCATION);
  const Mash__V1__EducationDetail *e = n->education;
  assert_int_equal(e->kind, MASH__V1__EDUCATION_EVENT_KIND__EDUCATION_EVENT_KIND_ATTENDANCE_DROP);
  assert_string_equal(e->school, "Canal Street Primary School (URN 100123)");
  assert_int_equal(e->attendance_percent, 84);
  assert_int_equal(e->unauthorised_sessions, 18);
  assert_string_equal(e->dsl_name, "Mrs Helen Carter");
  const Mash__V1__Identifier *upn =
      s_identifier(n->children[0], MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UPN);
  assert_non_null(upn);
  assert_string_equal(upn->value, "U820200123045");
  assert_string_equal(n->adults[0]->date_of_birth, "");
  agency_json_free(n);
}

static void test_example_housing(void **state) {
  (void)state;
  Mash__V1__Notification *n = s_expect_ok("housing", s_load_example("housing-notification.json"));
  assert_int_equal(n->concern_category, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_OTHER);
  assert_int_equal(n->detail_case, MASH__V1__NOTIFICATION__DETAIL_HOUSING);
  const Mash__V1__HousingDetail *h = n->housing;
  assert_int_equal(h->kind, MASH__V1__HOUSING_EVENT_KIND__HOUSING_EVENT_KIND_ARREARS);
  assert_string_equal(h->tenancy_reference, "EXH/0412/03");
  assert_int_equal(h->arrears_pence, 124050);
  assert_int_equal(n->n_children, 2);
  const Mash__V1__Identifier *local =
      s_identifier(n->adults[0], MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID);
  assert_non_null(local);
  assert_string_equal(local->value, "HSG-P-104411");
  assert_string_equal(local->issuer, "housing");
  agency_json_free(n);
}

/* ---------------------------------------------------------------- every kind */

typedef struct kind_case {
  const char *agency;
  const char *example;
  const char *word;
  int value;
} kind_case_t;

static const kind_case_t s_kinds[] = {
    {"health", "health-notification.json", "unscheduled_care",
     MASH__V1__HEALTH_EVENT_KIND__HEALTH_EVENT_KIND_UNSCHEDULED_CARE},
    {"health", "health-notification.json", "health_visitor_concern",
     MASH__V1__HEALTH_EVENT_KIND__HEALTH_EVENT_KIND_HEALTH_VISITOR_CONCERN},
    {"education", "education-notification.json", "attendance_drop",
     MASH__V1__EDUCATION_EVENT_KIND__EDUCATION_EVENT_KIND_ATTENDANCE_DROP},
    {"education", "education-notification.json", "exclusion",
     MASH__V1__EDUCATION_EVENT_KIND__EDUCATION_EVENT_KIND_EXCLUSION},
    {"education", "education-notification.json", "dsl_concern",
     MASH__V1__EDUCATION_EVENT_KIND__EDUCATION_EVENT_KIND_DSL_CONCERN},
    {"housing", "housing-notification.json", "eviction",
     MASH__V1__HOUSING_EVENT_KIND__HOUSING_EVENT_KIND_EVICTION},
    {"housing", "housing-notification.json", "homelessness",
     MASH__V1__HOUSING_EVENT_KIND__HOUSING_EVENT_KIND_HOMELESSNESS},
    {"housing", "housing-notification.json", "arrears",
     MASH__V1__HOUSING_EVENT_KIND__HOUSING_EVENT_KIND_ARREARS},
    {"housing", "housing-notification.json", "anti_social_behaviour",
     MASH__V1__HOUSING_EVENT_KIND__HOUSING_EVENT_KIND_ANTI_SOCIAL_BEHAVIOUR},
};

static int s_kind_of(const Mash__V1__Notification *n) {
  switch (n->detail_case) {
  case MASH__V1__NOTIFICATION__DETAIL_HEALTH:
    return (int)n->health->kind;
  case MASH__V1__NOTIFICATION__DETAIL_EDUCATION:
    return (int)n->education->kind;
  case MASH__V1__NOTIFICATION__DETAIL_HOUSING:
    return (int)n->housing->kind;
  default:
    fail_msg("unexpected detail case %d", (int)n->detail_case);
  }
  return -1;
}

/* Unknown fields in an agency's own detail and in a person are listed; the
 * examples have none. */
static void test_unknown_fields_listed(void **state) {
  (void)state;
  static const char *const agencies[] = {"health", "education", "housing"};
  for (size_t i = 0; i < 3; i++) {
    char name[64];
    snprintf(name, sizeof name, "%s-notification.json", agencies[i]);
    json_t *root = s_load_example(name);
    char *text = json_dumps(root, JSON_COMPACT);
    mash_errors_t errs, unknown;
    memset(&errs, 0, sizeof errs);
    memset(&unknown, 0, sizeof unknown);
    Mash__V1__Notification *n =
        agency_json_parse_ex(agencies[i], text, strlen(text), &errs, &unknown);
    assert_non_null(n);
    if (unknown.count) {
      fail_msg("%s: unknown field %s", name, unknown.items[0].field);
    }
    agency_json_free(n);
    free(text);
    /* A misspelt key in the detail and in the first child. */
    json_object_set_new(json_object_get(root, "detail"), "setting_nmae", json_string("x"));
    json_object_set_new(json_array_get(json_object_get(root, "children"), 0), "nhs_numbr",
                        json_string("943 476 5919"));
    text = json_dumps(root, JSON_COMPACT);
    memset(&unknown, 0, sizeof unknown);
    n = agency_json_parse_ex(agencies[i], text, strlen(text), &errs, &unknown);
    assert_non_null(n);
    assert_int_equal(unknown.count, 2);
    assert_string_equal(unknown.items[0].field, "detail.setting_nmae");
    assert_string_equal(unknown.items[1].field, "children[0].nhs_numbr");
    agency_json_free(n);
    free(text);
    json_decref(root);
  }
}

static void test_every_kind(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof s_kinds / sizeof s_kinds[0]; i++) {
    const kind_case_t *k = &s_kinds[i];
    json_t *root = s_load_example(k->example);
    json_object_set_new(s_detail(root), "kind", json_string(k->word));
    Mash__V1__Notification *n = s_expect_ok(k->agency, root);
    assert_int_equal(s_kind_of(n), k->value);
    agency_json_free(n);

    /* The same word is unknown to every other agency with a detail. */
    for (size_t j = 0; j < sizeof s_kinds / sizeof s_kinds[0]; j++) {
      if (strcmp(s_kinds[j].agency, k->agency) == 0) {
        continue;
      }
      root = s_load_example(s_kinds[j].example);
      json_object_set_new(s_detail(root), "kind", json_string(k->word));
      s_expect_error(s_kinds[j].agency, root, "detail.kind");
    }
  }
  /* Only the kind is required in a detail. */
  const char *agencies[] = {"health", "education", "housing"};
  const char *words[] = {"health_visitor_concern", "dsl_concern", "homelessness"};
  for (size_t i = 0; i < 3; i++) {
    char name[64];
    snprintf(name, sizeof name, "%s-notification.json", agencies[i]);
    json_t *root = s_load_example(name);
    json_object_set_new(root, "detail", json_pack("{s:s}", "kind", words[i]));
    Mash__V1__Notification *n = s_expect_ok(agencies[i], root);
    agency_json_free(n);
  }
}

/* ---------------------------------------------------------------- wrong details */

static void test_detail_fields(void **state) {
  (void)state;
  static const struct {
    const char *agency;
    const char *key;
    const char *json; /* the value set, as JSON */
  } bad[] = {
      {"health", "kind", "\"flood\""},
      {"health", "kind", "1"},
      {"health", "setting", "42"},
      {"health", "setting", "\"Ward\\u001b[31m 5\""},
      {"health", "attended_at", "\"yesterday\""},
      {"health", "attended_at", "\"2026-02-30T10:00:00Z\""},
      {"health", "attended_at", "\"1969-12-31T23:59:59Z\""},
      {"health", "practitioner", "[\"Dr\"]"},
      {"education", "kind", "\"truancy\""},
      {"education", "attendance_percent", "101"},
      {"education", "attendance_percent", "-1"},
      {"education", "attendance_percent", "84.5"},
      {"education", "attendance_percent", "\"84\""},
      {"education", "attendance_percent", "true"},
      {"education", "unauthorised_sessions", "2001"},
      {"education", "unauthorised_sessions", "-3"},
      {"education", "unauthorised_sessions", "99999999999999999"},
      {"education", "school", "{}"},
      {"education", "dsl_name", "7"},
      {"housing", "kind", "\"ARREARS\""},
      {"housing", "tenancy_reference", "\"EXH 0412 03\""},
      {"housing", "arrears_pence", "-5"},
      {"housing", "arrears_pence", "10000000001"},
      {"housing", "arrears_pence", "1240.5"},
      {"housing", "arrears_pence", "\"124050\""},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char name[64];
    snprintf(name, sizeof name, "%s-notification.json", bad[i].agency);
    json_t *root = s_load_example(name);
    json_error_t jerr;
    json_t *value = json_loads(bad[i].json, JSON_DECODE_ANY, &jerr);
    assert_non_null(value);
    json_object_set_new(s_detail(root), bad[i].key, value);
    char field[64];
    snprintf(field, sizeof field, "detail.%s", bad[i].key);
    s_expect_error(bad[i].agency, root, field);
  }

  /* The bounds themselves are accepted. */
  json_t *root = s_load_example("education-notification.json");
  json_object_set_new(s_detail(root), "attendance_percent", json_integer(100));
  json_object_set_new(s_detail(root), "unauthorised_sessions", json_integer(0));
  Mash__V1__Notification *n = s_expect_ok("education", root);
  assert_int_equal(n->education->attendance_percent, 100);
  agency_json_free(n);
  root = s_load_example("housing-notification.json");
  json_object_set_new(s_detail(root), "arrears_pence", json_integer(10000000000));
  n = s_expect_ok("housing", root);
  assert_int_equal(n->housing->arrears_pence, INT64_C(10000000000));
  agency_json_free(n);

  /* A missing kind, a missing detail, a detail of the wrong shape. */
  root = s_load_example("health-notification.json");
  json_object_del(s_detail(root), "kind");
  s_expect_error("health", root, "detail.kind");
  root = s_load_example("housing-notification.json");
  json_object_del(root, "detail");
  s_expect_error("housing", root, "detail");
  root = s_load_example("education-notification.json");
  json_object_set_new(root, "detail", json_null());
  s_expect_error("education", root, "detail");
  root = s_load_example("health-notification.json");
  json_object_set_new(root, "detail", json_string("unscheduled_care"));
  s_expect_error("health", root, "detail");
  root = s_load_example("health-notification.json");
  json_object_set_new(root, "detail", json_array());
  s_expect_error("health", root, "detail");
}

/* ---------------------------------------------------------------- agencies */

static void test_wrong_agency(void **state) {
  (void)state;
  /* A health detail sent as education or housing: its kind is unknown there,
   * and its own keys are ignored. */
  s_expect_error("education", s_load_example("health-notification.json"), "detail.kind");
  s_expect_error("housing", s_load_example("education-notification.json"), "detail.kind");
  s_expect_error("health", s_load_example("housing-notification.json"), "detail.kind");

  /* An agency without a detail of its own refuses one... */
  s_expect_error("probation", s_load_example("health-notification.json"), "detail");
  s_expect_error("camhs", s_load_example("housing-notification.json"), "detail");

  /* ...and accepts the common fields alone, null being the same as absent. */
  json_t *root = s_load_example("health-notification.json");
  json_object_del(root, "detail");
  Mash__V1__Notification *n = s_expect_ok("probation", root);
  assert_int_equal(n->detail_case, MASH__V1__NOTIFICATION__DETAIL__NOT_SET);
  assert_int_equal(n->n_children, 2);
  const Mash__V1__Identifier *local =
      s_identifier(n->children[0], MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID);
  assert_non_null(local);
  assert_string_equal(local->issuer, "probation");
  agency_json_free(n);
  root = s_load_example("housing-notification.json");
  json_object_set_new(root, "detail", json_null());
  n = s_expect_ok("youth-offending", root);
  assert_int_equal(n->detail_case, MASH__V1__NOTIFICATION__DETAIL__NOT_SET);
  agency_json_free(n);

  /* Bad agency names, and police, which has its own format. */
  char long_name[65]; /* principals are at most 63 bytes */
  memset(long_name, 'a', sizeof long_name - 1);
  long_name[sizeof long_name - 1] = '\0';
  const char *names[] = {"",       "he alth", "health/..", "police",   "h\xc3\xa9",
                         "Health", "1health", "he.alth",   "_housing", long_name};
  size_t len = 0;
  char *text = s_read_example("health-notification.json", &len);
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    mash_errors_t errs;
    memset(&errs, 0, sizeof errs);
    assert_null(agency_json_parse(names[i], text, len, &errs));
    assert_int_equal(errs.count, 1);
    assert_string_equal(errs.items[0].field, "agency");
  }
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  assert_null(agency_json_parse(NULL, text, len, &errs));
  assert_string_equal(errs.items[0].field, "agency");
  assert_null(agency_json_parse(NULL, text, len, NULL)); /* no error list */
  long_name[63] = '\0';                                  /* exactly 63: allowed */
  root = s_load_example("health-notification.json");
  json_object_del(root, "detail");
  n = s_expect_ok(long_name, root);
  agency_json_free(n);
  root = s_load_example("health-notification.json");
  json_object_del(root, "detail");
  n = s_expect_ok("youth_offending-2", root);
  agency_json_free(n);
  free(text);

  assert_true(agency_json_has_detail("health"));
  assert_true(agency_json_has_detail("education"));
  assert_true(agency_json_has_detail("housing"));
  assert_false(agency_json_has_detail("probation"));
  assert_false(agency_json_has_detail("police"));
  assert_false(agency_json_has_detail("Health"));
  assert_false(agency_json_has_detail(NULL));
}

/* The common fields are the police format's, read by the same code. */
static void test_common_fields(void **state) {
  (void)state;
  json_t *root = s_load_example("health-notification.json");
  json_object_del(root, "reference");
  s_expect_error("health", root, "reference");

  root = s_load_example("education-notification.json");
  json_object_set_new(root, "category", json_string("truancy"));
  s_expect_error("education", root, "category");

  root = s_load_example("housing-notification.json");
  json_object_del(root, "occurred_at");
  s_expect_error("housing", root, "occurred_at");

  root = s_load_example("health-notification.json");
  json_object_set_new(json_array_get(json_object_get(root, "children"), 1), "dob",
                      json_string("2019-02-29"));
  s_expect_error("health", root, "children[1].dob");

  root = s_load_example("health-notification.json");
  json_object_set_new(json_array_get(json_object_get(root, "children"), 0), "nhs_number",
                      json_string("401 023 213"));
  s_expect_error("health", root, "children[0].nhs_number"); /* malformed: 9 digits */

  root = s_load_example("housing-notification.json");
  json_object_set_new(json_array_get(json_object_get(root, "adults"), 0), "ref", json_string("c2"));
  s_expect_error("housing", root, "adults[0].ref");

  root = s_load_example("education-notification.json");
  json_object_set_new(json_array_get(json_object_get(root, "relationships"), 0), "to",
                      json_string("c9"));
  s_expect_error("education", root, "relationships[0].to");

  root = s_load_example("education-notification.json");
  json_object_set_new(root, "children", json_array());
  s_expect_error("education", root, "children");

  /* "red_flag": false when absent, a boolean when given. */
  root = s_load_example("health-notification.json");
  json_object_set_new(root, "red_flag", json_string("yes"));
  s_expect_error("health", root, "red_flag");
  root = s_load_example("health-notification.json");
  json_object_set_new(root, "red_flag", json_true());
  Mash__V1__Notification *flagged = s_expect_ok("health", root);
  assert_true(flagged->red_flag);
  agency_json_free(flagged);
  flagged = s_expect_ok("health", s_load_example("health-notification.json"));
  assert_false(flagged->red_flag);
  agency_json_free(flagged);

  /* Unknown keys are ignored, the police "present" among them. */
  root = s_load_example("housing-notification.json");
  json_object_set_new(root, "x-export-version", json_integer(3));
  json_object_set_new(json_array_get(json_object_get(root, "children"), 0), "present", json_true());
  json_object_set_new(s_detail(root), "x-note", json_string("ignored"));
  Mash__V1__Notification *n = s_expect_ok("housing", root);
  agency_json_free(n);
}

/* ---------------------------------------------------------------- hostile input */

static void test_every_truncation(void **state) {
  (void)state;
  const char *agencies[] = {"health", "education", "housing"};
  for (size_t a = 0; a < 3; a++) {
    char name[64];
    snprintf(name, sizeof name, "%s-notification.json", agencies[a]);
    size_t len = 0;
    char *text = s_read_example(name, &len);
    size_t full = len;
    while (full > 0 && (text[full - 1] == '\n' || text[full - 1] == ' ')) {
      full--;
    }
    for (size_t cut = 0; cut < full; cut++) {
      mash_errors_t errs;
      memset(&errs, 0, sizeof errs);
      /* A copy of exactly `cut` bytes, so ASan sees any read past the end. */
      char *prefix = malloc(cut > 0 ? cut : 1);
      assert_non_null(prefix);
      memcpy(prefix, text, cut);
      Mash__V1__Notification *n = agency_json_parse(agencies[a], prefix, cut, &errs);
      free(prefix);
      if (n != NULL) {
        agency_json_free(n);
        fail_msg("%s: a prefix of %zu bytes parsed", name, cut);
      }
      assert_true(errs.count >= 1);
    }
    mash_errors_t errs;
    memset(&errs, 0, sizeof errs);
    Mash__V1__Notification *n = agency_json_parse(agencies[a], text, full, &errs);
    assert_non_null(n);
    agency_json_free(n);
    free(text);
  }
}

static void test_non_object_roots(void **state) {
  (void)state;
  const char *roots[] = {"[]",
                         "42",
                         "\"x\"",
                         "null",
                         "true",
                         "[{}]",
                         "{}",
                         "{\"children\":7}",
                         "{\"detail\":{\"kind\":\"arrears\"}}"};
  for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
    mash_errors_t errs;
    assert_null(s_parse_str("housing", roots[i], &errs));
    assert_true(errs.count >= 1);
    assert_null(s_parse_str("probation", roots[i], &errs));
    assert_true(errs.count >= 1);
  }
  mash_errors_t errs;
  assert_null(s_parse_str("health", "[]", &errs));
  assert_string_equal(errs.items[0].field, "$");
  memset(&errs, 0, sizeof errs);
  assert_null(agency_json_parse("health", NULL, 0, &errs));
  assert_int_equal(errs.count, 1);
  assert_null(agency_json_parse("health", "[]", 2, NULL)); /* no error list */
}

static void test_bad_bytes(void **state) {
  (void)state;
  mash_errors_t errs;
  assert_null(s_parse_str("health", "{\"reference\":\"R\xff\xfe\",\"children\":[]}", &errs));
  assert_string_equal(errs.items[0].field, "$");
  assert_null(s_parse_str("health", "{\"reference\":\"R\\u0000x\"}", &errs));
  assert_null(s_parse_str("health", "{\"reference\":\"A\",\"reference\":\"B\"}", &errs));
  assert_true(errs.count >= 1);
  assert_null(s_parse_str("health", "{} {}", &errs));
  /* A duplicate key inside the detail is refused too. */
  json_t *root = s_load_example("housing-notification.json");
  char *text = json_dumps(root, JSON_COMPACT);
  json_decref(root);
  assert_non_null(text);
  const char *at = strstr(text, "\"kind\":\"arrears\"");
  assert_non_null(at);
  size_t head = (size_t)(at - text);
  const char *dup = "\"kind\":\"eviction\",";
  size_t len = strlen(text) + strlen(dup);
  char *twice = malloc(len + 1);
  assert_non_null(twice);
  memcpy(twice, text, head);
  memcpy(twice + head, dup, strlen(dup));
  memcpy(twice + head + strlen(dup), at, strlen(at) + 1);
  memset(&errs, 0, sizeof errs);
  assert_null(agency_json_parse("housing", twice, len, &errs));
  assert_string_equal(errs.items[0].field, "$");
  free(twice);
  free(text);
}

static void test_oversized(void **state) {
  (void)state;
  size_t len = 5u * 1024u * 1024u;
  char *text = malloc(len);
  assert_non_null(text);
  memset(text, ' ', len);
  text[0] = '{';
  text[len - 1] = '}';
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  assert_null(agency_json_parse("education", text, len, &errs));
  assert_int_equal(errs.count, 1);
  assert_string_equal(errs.items[0].field, "$");
  free(text);

  /* 10,000 children, and a long text in the detail. */
  json_t *root = s_load_example("education-notification.json");
  json_t *kids = json_array();
  for (size_t i = 0; i < 10000; i++) {
    json_array_append_new(kids, json_pack("{s:s,s:s}", "ref", "c1", "family_name", "Doe"));
  }
  json_object_set_new(root, "children", kids);
  s_expect_error("education", root, "children");

  char big[MASH_MAX_SHORT_TEXT + 2];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  root = s_load_example("education-notification.json");
  json_object_set_new(s_detail(root), "school", json_string(big));
  s_expect_error("education", root, "detail.school");
  big[MASH_MAX_SHORT_TEXT] = '\0';
  root = s_load_example("education-notification.json");
  json_object_set_new(s_detail(root), "school", json_string(big));
  Mash__V1__Notification *n = s_expect_ok("education", root);
  agency_json_free(n);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_example_health),
      cmocka_unit_test(test_example_education),
      cmocka_unit_test(test_example_housing),
      cmocka_unit_test(test_every_kind),
      cmocka_unit_test(test_unknown_fields_listed),
      cmocka_unit_test(test_detail_fields),
      cmocka_unit_test(test_wrong_agency),
      cmocka_unit_test(test_common_fields),
      cmocka_unit_test(test_every_truncation),
      cmocka_unit_test(test_non_object_roots),
      cmocka_unit_test(test_bad_bytes),
      cmocka_unit_test(test_oversized),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
