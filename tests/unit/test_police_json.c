/* test_police_json: the police JSON mapping (agents/police/police_json.h).
 *
 * Parses the example files of agents/police/examples (found next to this
 * source through __FILE__, which CMake passes as an absolute path), then
 * variations of them built with jansson: wrong types, missing fields, bad
 * DASH, unknown words; and hostile input: every truncation of a valid
 * document, non-object roots, 10,000-element arrays, deep nesting, invalid
 * UTF-8. Must not: use the network or write files.
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

#include "codec.h"
#include "dash.h"
#include "police_json.h"

#define T_2026_11_23_0210 INT64_C(1795399800000)
#define T_2026_11_24_2145 INT64_C(1795556700000)
#define T_2026_12_01 INT64_C(1796083200000)

/* ---------------------------------------------------------------- helpers */

/* Read agents/police/examples/<name> into a new buffer. */
static char *s_read_example(const char *name, size_t *len) {
  const char *self = __FILE__;
  const char *suffix = "tests/unit/test_police_json.c";
  size_t self_len = strlen(self);
  size_t suffix_len = strlen(suffix);
  assert_true(self_len >= suffix_len);
  assert_string_equal(self + self_len - suffix_len, suffix);

  char path[4096];
  int w = snprintf(path, sizeof path, "%.*sagents/police/examples/%s", (int)(self_len - suffix_len),
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

static Mash__V1__Notification *s_parse_json(const json_t *root, mash_errors_t *errs) {
  char *text = json_dumps(root, JSON_COMPACT);
  assert_non_null(text);
  memset(errs, 0, sizeof *errs);
  Mash__V1__Notification *n = police_json_parse(text, strlen(text), errs);
  free(text);
  return n;
}

static Mash__V1__Notification *s_parse_str(const char *text, mash_errors_t *errs) {
  memset(errs, 0, sizeof *errs);
  return police_json_parse(text, strlen(text), errs);
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

/* Parsing `root` must fail with an error on `field`; `root` is consumed. */
static void s_expect_error(json_t *root, const char *field) {
  mash_errors_t errs;
  Mash__V1__Notification *n = s_parse_json(root, &errs);
  json_decref(root);
  if (n != NULL || !s_has_error(&errs, field)) {
    print_message("expected an error on %s, got:\n", field);
    s_print_errors(&errs);
  }
  police_json_free(n);
  assert_null(n);
  assert_true(s_has_error(&errs, field));
}

/* Parsing `root` must succeed; `root` is consumed. */
static Mash__V1__Notification *s_expect_ok(json_t *root) {
  mash_errors_t errs;
  Mash__V1__Notification *n = s_parse_json(root, &errs);
  json_decref(root);
  if (n == NULL) {
    s_print_errors(&errs);
  }
  assert_non_null(n);
  assert_int_equal(errs.count, 0);
  return n;
}

static json_t *s_child(json_t *root, size_t i) {
  json_t *c = json_array_get(json_object_get(root, "children"), i);
  assert_non_null(c);
  return c;
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

static size_t s_flags_of(const Mash__V1__Notification *n, const char **flags, size_t max,
                         mash_dash_result_t *r) {
  const Mash__V1__PoliceDetail *p = n->police;
  mash_dash_score(p->dash_answers, p->n_dash_answers, p->officer_grade, p->domestic_abuse, r);
  return mash_dash_police_flags(n, r, flags, max);
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

/* ---------------------------------------------------------------- examples */

static void test_example_dash_high(void **state) {
  (void)state;
  size_t len = 0;
  char *text = s_read_example("dash-high.json", &len);
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  Mash__V1__Notification *n = police_json_parse(text, len, &errs);
  free(text);
  if (n == NULL) {
    s_print_errors(&errs);
  }
  assert_non_null(n);
  assert_int_equal(errs.count, 0);

  assert_string_equal(n->source_reference, "PPN-2026-000123");
  assert_int_equal(n->concern_category,
                   MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE);
  assert_true(strstr(n->concern, "strangle") != NULL);
  assert_int_equal(n->occurred_at_ms, T_2026_11_23_0210);

  assert_int_equal(n->detail_case, MASH__V1__NOTIFICATION__DETAIL_POLICE);
  const Mash__V1__PoliceDetail *p = n->police;
  assert_string_equal(p->incident_number, "INC-2026-11-0042");
  assert_int_equal(p->incident_at_ms, T_2026_11_23_0210);
  assert_string_equal(p->officer_name, "PC 4411 Sam Okafor");
  assert_string_equal(p->officer_contact, "sam.okafor@police.example.uk");
  assert_true(p->formal_referral);
  assert_true(p->domestic_abuse);
  assert_int_equal(p->officer_grade, MASH__V1__RISK_GRADE__RISK_GRADE_MEDIUM);
  assert_int_equal(p->n_dash_answers, 27);
  assert_int_equal(p->dash_answers[0], MASH__V1__DASH_ANSWER__DASH_ANSWER_YES);
  assert_int_equal(p->dash_answers[4], MASH__V1__DASH_ANSWER__DASH_ANSWER_NO);
  assert_int_equal(p->dash_answers[10], MASH__V1__DASH_ANSWER__DASH_ANSWER_NOT_KNOWN);

  assert_int_equal(n->n_children, 2);
  assert_string_equal(n->children[0]->ref, "c1");
  assert_string_equal(n->children[0]->given_name, "Maya");
  assert_string_equal(n->children[0]->family_name, "Hartley");
  assert_string_equal(n->children[0]->date_of_birth, "2019-03-01");
  assert_int_equal(n->children[0]->sex, MASH__V1__SEX__SEX_FEMALE);
  assert_string_equal(n->children[0]->role, "witness");
  const Mash__V1__Identifier *nhs =
      s_identifier(n->children[0], MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER);
  assert_non_null(nhs);
  assert_string_equal(nhs->value, "9434765919"); /* spaces removed */
  nhs = s_identifier(n->children[1], MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER);
  assert_non_null(nhs);
  assert_string_equal(nhs->value, "4010232137");
  assert_non_null(n->children[0]->address);
  assert_int_equal(n->children[0]->address->n_lines, 2);
  assert_string_equal(n->children[0]->address->lines[1], "12 Canal Street");
  assert_string_equal(n->children[0]->address->town, "Exampleton");
  assert_string_equal(n->children[0]->address->postcode, "EX1 2AB");

  assert_int_equal(p->n_children_present_refs, 2);
  assert_string_equal(p->children_present_refs[0], "c1");
  assert_string_equal(p->children_present_refs[1], "c2");

  assert_int_equal(n->n_adults, 2);
  const Mash__V1__Identifier *pnc =
      s_identifier(n->adults[1], MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_PNC_ID);
  assert_non_null(pnc);
  assert_string_equal(pnc->value, "10/1234567X");
  const Mash__V1__Identifier *local =
      s_identifier(n->adults[1], MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID);
  assert_non_null(local);
  assert_string_equal(local->value, "RMS-778812");
  assert_string_equal(local->issuer, "police");
  assert_null(n->adults[1]->address);

  assert_int_equal(n->n_relationships, 5);
  assert_string_equal(n->relationships[3]->from_ref, "a2");
  assert_string_equal(n->relationships[3]->to_ref, "c1");
  assert_string_equal(n->relationships[3]->kind, "step-parent");

  /* The broker's view: 18 yes, officer medium, raised to high. */
  mash_dash_result_t r;
  const char *flags[8];
  size_t nflags = s_flags_of(n, flags, 8, &r);
  assert_true(r.yes_count >= 15);
  assert_int_equal(r.yes_count, 18);
  assert_true(r.complete);
  assert_int_equal(r.final_grade, MASH__V1__RISK_GRADE__RISK_GRADE_HIGH);
  assert_true(r.grade_raised);
  assert_int_equal(nflags, 1);
  assert_string_equal(flags[0], MASH_FLAG_GRADE_BELOW_CHECKLIST);

  s_expect_codec_valid(n);
  police_json_free(n);
}

static void test_example_dash_missing(void **state) {
  (void)state;
  Mash__V1__Notification *n = s_expect_ok(s_load_example("dash-missing.json"));
  const Mash__V1__PoliceDetail *p = n->police;
  assert_int_equal(n->occurred_at_ms, T_2026_11_24_2145);
  assert_true(p->domestic_abuse); /* from the category */
  assert_int_equal(p->n_dash_answers, 0);
  assert_int_equal(p->officer_grade, MASH__V1__RISK_GRADE__RISK_GRADE_STANDARD);
  assert_int_equal(p->n_children_present_refs, 1);
  mash_dash_result_t r;
  const char *flags[8];
  size_t nflags = s_flags_of(n, flags, 8, &r);
  assert_true(r.missing_on_domestic_abuse);
  assert_int_equal(nflags, 1);
  assert_string_equal(flags[0], MASH_FLAG_DASH_MISSING);
  s_expect_codec_valid(n);
  police_json_free(n);
}

static void test_example_info_only(void **state) {
  (void)state;
  Mash__V1__Notification *n = s_expect_ok(s_load_example("info-only.json"));
  const Mash__V1__PoliceDetail *p = n->police;
  assert_int_equal(n->concern_category, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  assert_false(p->formal_referral);
  assert_false(p->domestic_abuse);
  assert_int_equal(p->n_dash_answers, 0);
  assert_int_equal(p->incident_at_ms, 0);
  assert_string_equal(p->officer_contact, "");
  assert_int_equal(p->officer_grade, MASH__V1__RISK_GRADE__RISK_GRADE_UNSPECIFIED);
  assert_int_equal(p->n_children_present_refs, 0);
  const Mash__V1__Identifier *upn =
      s_identifier(n->children[0], MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UPN);
  assert_non_null(upn);
  assert_string_equal(upn->value, "Q820200001234");
  mash_dash_result_t r;
  const char *flags[8];
  assert_int_equal(s_flags_of(n, flags, 8, &r), 0);
  s_expect_codec_valid(n);
  police_json_free(n);
}

static void test_example_bad_date(void **state) {
  (void)state;
  size_t len = 0;
  char *text = s_read_example("bad-date.json", &len);
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  Mash__V1__Notification *n = police_json_parse(text, len, &errs);
  free(text);
  assert_null(n);
  assert_int_equal(errs.count, 1);
  assert_string_equal(errs.items[0].field, "children[0].dob");
}

/* ---------------------------------------------------------------- wrong fields */

static void test_wrong_types(void **state) {
  (void)state;
  json_t *root = s_load_example("dash-high.json");
  json_object_set_new(s_child(root, 1), "dob", json_integer(42));
  s_expect_error(root, "children[1].dob");

  root = s_load_example("dash-high.json");
  json_object_set_new(root, "reference", json_integer(5));
  s_expect_error(root, "reference");

  root = s_load_example("dash-high.json");
  json_object_set_new(root, "formal_referral", json_string("yes"));
  s_expect_error(root, "formal_referral");

  root = s_load_example("dash-high.json");
  json_object_set_new(s_child(root, 0), "present", json_integer(1));
  s_expect_error(root, "children[0].present");

  root = s_load_example("dash-high.json");
  json_object_set_new(root, "incident", json_string("INC-1"));
  s_expect_error(root, "incident");

  root = s_load_example("dash-high.json");
  json_object_set_new(json_object_get(root, "incident"), "time", json_integer(5));
  s_expect_error(root, "incident.time");

  root = s_load_example("dash-high.json");
  json_object_set_new(root, "occurred_at", json_string("yesterday"));
  s_expect_error(root, "occurred_at");

  root = s_load_example("dash-high.json");
  json_object_set_new(root, "children", json_string("Maya"));
  s_expect_error(root, "children");

  root = s_load_example("dash-high.json");
  json_array_set_new(json_object_get(root, "children"), 0, json_string("Maya"));
  s_expect_error(root, "children[0]");

  root = s_load_example("dash-high.json");
  json_t *lines = json_object_get(json_object_get(s_child(root, 0), "address"), "lines");
  json_array_set_new(lines, 1, json_integer(7));
  s_expect_error(root, "children[0].address.lines[1]");

  root = s_load_example("dash-high.json");
  json_object_set_new(s_child(root, 0), "address", json_array());
  s_expect_error(root, "children[0].address");

  root = s_load_example("dash-high.json");
  json_t *adult = json_array_get(json_object_get(root, "adults"), 1);
  json_object_set_new(adult, "pnc_id", json_true());
  s_expect_error(root, "adults[1].pnc_id");

  root = s_load_example("dash-high.json");
  json_t *rel = json_array_get(json_object_get(root, "relationships"), 2);
  json_object_set_new(rel, "kind", json_real(1.5));
  s_expect_error(root, "relationships[2].kind");
}

static void test_missing_fields(void **state) {
  (void)state;
  json_t *root = s_load_example("dash-high.json");
  json_object_del(root, "children");
  s_expect_error(root, "children");

  root = s_load_example("dash-high.json");
  json_object_set_new(root, "children", json_array());
  s_expect_error(root, "children");

  root = s_load_example("dash-high.json");
  json_object_set_new(root, "children", json_null());
  s_expect_error(root, "children");

  const char *required[] = {"reference", "category", "occurred_at", "formal_referral"};
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
    root = s_load_example("dash-high.json");
    json_object_del(root, required[i]);
    s_expect_error(root, required[i]);
  }

  root = s_load_example("dash-high.json");
  json_object_set_new(root, "reference", json_string(""));
  s_expect_error(root, "reference");

  root = s_load_example("dash-high.json");
  json_object_del(s_child(root, 1), "ref");
  s_expect_error(root, "children[1].ref");

  /* No name and no identifier. */
  root = s_load_example("dash-high.json");
  json_t *c = s_child(root, 1);
  json_object_del(c, "given_name");
  json_object_del(c, "family_name");
  json_object_del(c, "nhs_number");
  s_expect_error(root, "children[1]");

  root = s_load_example("dash-high.json");
  json_object_del(json_array_get(json_object_get(root, "relationships"), 0), "to");
  s_expect_error(root, "relationships[0].to");
}

/* Optional fields may be left out: the minimum document. */
static void test_minimal(void **state) {
  (void)state;
  mash_errors_t errs;
  Mash__V1__Notification *n = s_parse_str(
      "{\"reference\":\"R1\",\"category\":\"other\",\"occurred_at\":\"2026-01-02T03:04:05Z\","
      "\"formal_referral\":false,\"children\":[{\"ref\":\"c1\",\"family_name\":\"Doe\"}]}",
      &errs);
  assert_non_null(n);
  assert_int_equal(n->n_children, 1);
  assert_int_equal(n->n_adults, 0);
  assert_int_equal(n->n_relationships, 0);
  assert_string_equal(n->police->incident_number, "");
  assert_string_equal(n->police->officer_name, "");
  assert_string_equal(n->children[0]->date_of_birth, "");
  assert_null(n->children[0]->address);
  assert_false(n->police->domestic_abuse);
  mash_dash_result_t r;
  const char *flags[8];
  size_t nflags = s_flags_of(n, flags, 8, &r);
  assert_int_equal(nflags, 2); /* no officer, no incident number */
  police_json_free(n);
}

static void test_unknown_keys_ignored(void **state) {
  (void)state;
  json_t *root = s_load_example("dash-high.json");
  json_object_set_new(root, "colour", json_string("blue"));
  json_object_set_new(root, "nested", json_pack("{s:[i,i,{s:n}]}", "a", 1, 2, "b"));
  json_object_set_new(s_child(root, 0), "shoe_size", json_integer(11));
  json_object_set_new(json_object_get(root, "officer"), "collar", json_string("4411"));
  Mash__V1__Notification *n = s_expect_ok(root);
  assert_int_equal(n->n_children, 2);
  police_json_free(n);
}

/* Unknown fields are listed when asked for (the adapter warns or refuses):
 * a misspelt key at the top, in a child, and in the officer object; the
 * members under an unknown key are not listed one by one. Every example
 * file has none: the readers note each member they use. */
static void test_unknown_fields_listed(void **state) {
  (void)state;
  static const char *const examples[] = {"dash-high.json", "dash-missing.json", "info-only.json",
                                         "nhs-conflict.json"};
  for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
    size_t len = 0;
    char *text = s_read_example(examples[i], &len);
    mash_errors_t errs, unknown;
    memset(&errs, 0, sizeof errs);
    memset(&unknown, 0, sizeof unknown);
    Mash__V1__Notification *n = police_json_parse_ex(text, len, &errs, &unknown);
    assert_non_null(n);
    if (unknown.count) {
      fail_msg("%s: unknown field %s", examples[i], unknown.items[0].field);
    }
    police_json_free(n);
    free(text);
  }
  json_t *root = s_load_example("dash-high.json");
  json_object_set_new(root, "red_flg", json_true());
  json_object_set_new(root, "nested", json_pack("{s:[i,i,{s:n}]}", "a", 1, 2, "b"));
  json_object_set_new(s_child(root, 0), "nhs_numbr", json_string("943 476 5919"));
  json_object_set_new(json_object_get(root, "officer"), "collar", json_string("4411"));
  char *text = json_dumps(root, JSON_COMPACT);
  mash_errors_t errs, unknown;
  memset(&errs, 0, sizeof errs);
  memset(&unknown, 0, sizeof unknown);
  Mash__V1__Notification *n = police_json_parse_ex(text, strlen(text), &errs, &unknown);
  assert_non_null(n); /* unknown fields are not errors by themselves */
  assert_int_equal(errs.count, 0);
  assert_int_equal(unknown.count, 4);
  const char *want[] = {"red_flg", "nested", "children[0].nhs_numbr", "officer.collar"};
  for (size_t i = 0; i < 4; i++) {
    int found = 0;
    for (size_t k = 0; k < unknown.count; k++) {
      found |= strcmp(unknown.items[k].field, want[i]) == 0;
    }
    if (!found) {
      fail_msg("%s not listed as unknown", want[i]);
    }
  }
  assert_non_null(strstr(unknown.items[0].message, "unknown field"));
  police_json_free(n);
  /* Without the list, nothing changes: the old parser accepts it. */
  n = police_json_parse(text, strlen(text), &errs);
  assert_non_null(n);
  police_json_free(n);
  free(text);
  json_decref(root);
}

static void test_dash_shapes(void **state) {
  (void)state;
  /* 26 answers */
  json_t *root = s_load_example("dash-high.json");
  json_array_remove(json_object_get(root, "dash"), 0);
  s_expect_error(root, "dash");

  /* 28 answers */
  root = s_load_example("dash-high.json");
  json_array_append_new(json_object_get(root, "dash"), json_string("no"));
  s_expect_error(root, "dash");

  /* an unknown answer word */
  root = s_load_example("dash-high.json");
  json_array_set_new(json_object_get(root, "dash"), 3, json_string("maybe"));
  s_expect_error(root, "dash[3]");

  /* a wrong-typed answer */
  root = s_load_example("dash-high.json");
  json_array_set_new(json_object_get(root, "dash"), 26, json_true());
  s_expect_error(root, "dash[26]");

  /* not an array */
  root = s_load_example("dash-high.json");
  json_object_set_new(root, "dash", json_object());
  s_expect_error(root, "dash");

  /* an empty array is not "no DASH": it is 0 of 27 answers */
  root = s_load_example("dash-high.json");
  json_object_set_new(root, "dash", json_array());
  s_expect_error(root, "dash");

  /* null answers are unanswered questions: accepted, then flagged incomplete */
  root = s_load_example("dash-high.json");
  json_array_set_new(json_object_get(root, "dash"), 4, json_null());
  Mash__V1__Notification *n = s_expect_ok(root);
  assert_int_equal(n->police->n_dash_answers, 27);
  assert_int_equal(n->police->dash_answers[4], MASH__V1__DASH_ANSWER__DASH_ANSWER_UNSPECIFIED);
  mash_dash_result_t r;
  const char *flags[8];
  size_t nflags = s_flags_of(n, flags, 8, &r);
  assert_false(r.complete);
  bool incomplete = false;
  for (size_t i = 0; i < nflags; i++) {
    incomplete = incomplete || strcmp(flags[i], MASH_FLAG_DASH_INCOMPLETE) == 0;
  }
  assert_true(incomplete);
  police_json_free(n);

  /* null DASH: no DASH */
  root = s_load_example("dash-high.json");
  json_object_set_new(root, "dash", json_null());
  n = s_expect_ok(root);
  assert_int_equal(n->police->n_dash_answers, 0);
  police_json_free(n);
}

static void test_unknown_words(void **state) {
  (void)state;
  json_t *root = s_load_example("dash-high.json");
  json_object_set_new(root, "category", json_string("burglary"));
  s_expect_error(root, "category");

  root = s_load_example("dash-high.json");
  json_object_set_new(root, "category", json_string("Domestic_Abuse"));
  s_expect_error(root, "category");

  root = s_load_example("dash-high.json");
  json_object_set_new(root, "grade", json_string("very high"));
  s_expect_error(root, "grade");

  root = s_load_example("dash-high.json");
  json_object_set_new(s_child(root, 1), "sex", json_string("x"));
  s_expect_error(root, "children[1].sex");

  /* Every category word maps. */
  const char *words[] = {"domestic_abuse",  "neglect",      "physical_abuse", "sexual_abuse",
                         "emotional_abuse", "exploitation", "missing",        "other"};
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
    root = s_load_example("dash-high.json");
    json_object_set_new(root, "category", json_string(words[i]));
    Mash__V1__Notification *n = s_expect_ok(root);
    assert_int_equal(n->concern_category, (int)i + 1);
    police_json_free(n);
  }
}

static void test_domestic_abuse_override(void **state) {
  (void)state;
  json_t *root = s_load_example("dash-missing.json");
  json_object_set_new(root, "domestic_abuse", json_false());
  Mash__V1__Notification *n = s_expect_ok(root);
  assert_false(n->police->domestic_abuse);
  police_json_free(n);

  root = s_load_example("info-only.json");
  json_object_set_new(root, "domestic_abuse", json_true());
  n = s_expect_ok(root);
  assert_true(n->police->domestic_abuse);
  police_json_free(n);
}

static void test_identifiers_and_dates(void **state) {
  (void)state;
  /* A wrong check digit is passed on (the broker flags it: a data-quality
   * problem, not a reason to drop a child's notification); a malformed
   * number is refused. */
  json_t *root = s_load_example("dash-high.json");
  json_object_set_new(s_child(root, 0), "nhs_number", json_string("943 476 5918"));
  Mash__V1__Notification *flagged = s_expect_ok(root);
  const Mash__V1__Identifier *id =
      s_identifier(flagged->children[0], MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER);
  assert_non_null(id);
  assert_string_equal(id->value, "9434765918");
  police_json_free(flagged);

  root = s_load_example("dash-high.json");
  json_object_set_new(s_child(root, 0), "nhs_number", json_string("943476591"));
  s_expect_error(root, "children[0].nhs_number");

  root = s_load_example("dash-high.json");
  json_object_set_new(s_child(root, 0), "nhs_number", json_string("94347659190"));
  s_expect_error(root, "children[0].nhs_number");

  /* An empty identifier is no identifier. */
  root = s_load_example("dash-high.json");
  json_object_set_new(s_child(root, 0), "nhs_number", json_string(""));
  Mash__V1__Notification *n = s_expect_ok(root);
  assert_int_equal(n->children[0]->n_identifiers, 0);
  police_json_free(n);

  const char *bad_dates[] = {"2023-02-29", "2024-13-01", "2024-00-10",
                             "2024-04-31", "24-04-01",   "2024/04/01",
                             "2024-4-1",   "1899-12-31", "2024-04-01T00:00:00Z"};
  for (size_t i = 0; i < sizeof bad_dates / sizeof bad_dates[0]; i++) {
    root = s_load_example("dash-high.json");
    json_object_set_new(s_child(root, 0), "dob", json_string(bad_dates[i]));
    s_expect_error(root, "children[0].dob");
  }
  root = s_load_example("dash-high.json");
  json_object_set_new(s_child(root, 0), "dob", json_string("2024-02-29"));
  n = s_expect_ok(root);
  assert_string_equal(n->children[0]->date_of_birth, "2024-02-29");
  police_json_free(n);
}

static void test_refs(void **state) {
  (void)state;
  json_t *root = s_load_example("dash-high.json");
  json_t *adult = json_array_get(json_object_get(root, "adults"), 1);
  json_object_set_new(adult, "ref", json_string("c1"));
  s_expect_error(root, "adults[1].ref");

  root = s_load_example("dash-high.json");
  json_t *rel = json_array_get(json_object_get(root, "relationships"), 0);
  json_object_set_new(rel, "to", json_string("c9"));
  s_expect_error(root, "relationships[0].to");

  root = s_load_example("dash-high.json");
  json_object_set_new(s_child(root, 0), "ref", json_string("c 1"));
  s_expect_error(root, "children[0].ref");
}

static void test_text_bounds(void **state) {
  (void)state;
  char big[MASH_MAX_SHORT_TEXT + 2];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  json_t *root = s_load_example("dash-high.json");
  json_object_set_new(s_child(root, 0), "given_name", json_string(big));
  s_expect_error(root, "children[0].given_name");

  /* exactly at the bound is fine */
  big[MASH_MAX_SHORT_TEXT] = '\0';
  root = s_load_example("dash-high.json");
  json_object_set_new(s_child(root, 0), "given_name", json_string(big));
  Mash__V1__Notification *n = s_expect_ok(root);
  police_json_free(n);

  /* terminal escape sequences are refused in names, new lines allowed in the concern */
  root = s_load_example("dash-high.json");
  json_object_set_new(s_child(root, 0), "given_name", json_string("\x1b[31mMaya"));
  s_expect_error(root, "children[0].given_name");

  /* C1 controls (U+0080-U+009F) too, as the codec refuses them (eval: a
   * records file with U+0081 in a finding made an answer the broker refused) */
  root = s_load_example("dash-high.json");
  json_object_set_new(root, "concern", json_string("shouting\xc2\x81 at night"));
  s_expect_error(root, "concern");
  root = s_load_example("dash-high.json");
  json_object_set_new(s_child(root, 0), "family_name", json_string("Hartley\xc2\x9f"));
  s_expect_error(root, "children[0].family_name");

  root = s_load_example("dash-high.json");
  json_object_set_new(root, "concern", json_string("line one\nline two\ttabbed \xc2\xa0 \xc2\xbd"));
  n = s_expect_ok(root);
  police_json_free(n);

  /* Unicode names pass through. */
  root = s_load_example("dash-high.json");
  json_object_set_new(s_child(root, 0), "given_name", json_string("Zo\xc3\xab"));
  n = s_expect_ok(root);
  assert_string_equal(n->children[0]->given_name, "Zo\xc3\xab");
  police_json_free(n);
}

/* Many problems: the error list is bounded, the rest are counted as dropped. */
static void test_many_errors(void **state) {
  (void)state;
  json_t *root = s_load_example("dash-high.json");
  json_t *dash = json_object_get(root, "dash");
  for (size_t i = 0; i < 27; i++) {
    json_array_set_new(dash, i, json_integer((json_int_t)i));
  }
  mash_errors_t errs;
  Mash__V1__Notification *n = s_parse_json(root, &errs);
  json_decref(root);
  assert_null(n);
  assert_int_equal(errs.count, MASH_MAX_FIELD_ERRORS);
  assert_true(errs.dropped > 0);

  /* A NULL error list is allowed. */
  assert_null(police_json_parse("[]", 2, NULL));
}

/* ---------------------------------------------------------------- hostile input */

static void test_every_truncation(void **state) {
  (void)state;
  size_t len = 0;
  char *text = s_read_example("dash-high.json", &len);
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
    Mash__V1__Notification *n = police_json_parse(prefix, cut, &errs);
    free(prefix);
    if (n != NULL) {
      police_json_free(n);
      fail_msg("a prefix of %zu bytes parsed", cut);
    }
    assert_true(errs.count >= 1);
  }
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  Mash__V1__Notification *n = police_json_parse(text, full, &errs);
  assert_non_null(n);
  police_json_free(n);
  free(text);
}

static void test_non_object_roots(void **state) {
  (void)state;
  const char *roots[] = {"[]", "42", "\"x\"", "null", "true", "[{}]", "{}", "{\"children\":7}"};
  for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
    mash_errors_t errs;
    Mash__V1__Notification *n = s_parse_str(roots[i], &errs);
    assert_null(n);
    assert_true(errs.count >= 1);
  }
  mash_errors_t errs;
  assert_null(s_parse_str("[]", &errs));
  assert_string_equal(errs.items[0].field, "$");
  memset(&errs, 0, sizeof errs);
  assert_null(police_json_parse(NULL, 0, &errs));
  assert_int_equal(errs.count, 1);
  memset(&errs, 0, sizeof errs);
  assert_null(police_json_parse("", 0, &errs));
  assert_int_equal(errs.count, 1);
}

static json_t *s_big_array(json_t *(*item)(size_t)) {
  json_t *arr = json_array();
  assert_non_null(arr);
  for (size_t i = 0; i < 10000; i++) {
    assert_int_equal(json_array_append_new(arr, item(i)), 0);
  }
  return arr;
}

static json_t *s_item_child(size_t i) {
  (void)i;
  return json_pack("{s:s,s:s}", "ref", "c1", "family_name", "Doe");
}

static json_t *s_item_answer(size_t i) {
  (void)i;
  return json_string("yes");
}

static json_t *s_item_rel(size_t i) {
  (void)i;
  return json_pack("{s:s,s:s,s:s}", "from", "a1", "to", "c1", "kind", "parent");
}

static void test_huge_arrays(void **state) {
  (void)state;
  json_t *root = s_load_example("dash-high.json");
  json_object_set_new(root, "children", s_big_array(s_item_child));
  s_expect_error(root, "children");

  root = s_load_example("dash-high.json");
  json_object_set_new(root, "adults", s_big_array(s_item_child));
  s_expect_error(root, "adults");

  root = s_load_example("dash-high.json");
  json_object_set_new(root, "dash", s_big_array(s_item_answer));
  s_expect_error(root, "dash");

  root = s_load_example("dash-high.json");
  json_object_set_new(root, "relationships", s_big_array(s_item_rel));
  s_expect_error(root, "relationships");

  root = s_load_example("dash-high.json");
  json_object_set_new(json_object_get(s_child(root, 0), "address"), "lines",
                      s_big_array(s_item_answer));
  s_expect_error(root, "children[0].address.lines");

  /* At the bound: 32 children is accepted. */
  root = s_load_example("dash-high.json");
  json_t *kids = json_array();
  for (size_t i = 0; i < MASH_MAX_PEOPLE; i++) {
    char ref[16];
    snprintf(ref, sizeof ref, "k%zu", i);
    json_array_append_new(
        kids, json_pack("{s:s,s:s,s:b}", "ref", ref, "family_name", "Doe", "present", 1));
  }
  json_object_set_new(root, "children", kids);
  json_object_set_new(root, "relationships", json_array());
  Mash__V1__Notification *n = s_expect_ok(root);
  assert_int_equal(n->n_children, MASH_MAX_PEOPLE);
  assert_int_equal(n->police->n_children_present_refs, MASH_MAX_PEOPLE);
  police_json_free(n);
}

static void test_deep_nesting(void **state) {
  (void)state;
  const size_t depth = 100000;
  const char *head = "{\"reference\":\"R\",\"x\":";
  size_t len = strlen(head) + 2 * depth + 1;
  char *text = malloc(len + 1);
  assert_non_null(text);
  size_t used = strlen(head);
  memcpy(text, head, used);
  memset(text + used, '[', depth);
  used += depth;
  memset(text + used, ']', depth);
  used += depth;
  text[used++] = '}';
  text[used] = '\0';
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  Mash__V1__Notification *n = police_json_parse(text, used, &errs);
  free(text);
  police_json_free(n);
  assert_null(n);
  assert_true(errs.count >= 1);
}

static void test_bad_bytes(void **state) {
  (void)state;
  mash_errors_t errs;
  /* invalid UTF-8 in a string */
  assert_null(s_parse_str("{\"reference\":\"R\xff\xfe\",\"children\":[]}", &errs));
  assert_string_equal(errs.items[0].field, "$");
  /* an overlong encoding of '/' */
  assert_null(s_parse_str("{\"reference\":\"R\xc0\xaf\"}", &errs));
  /* an escaped NUL */
  assert_null(s_parse_str("{\"reference\":\"R\\u0000x\"}", &errs));
  /* a lone surrogate */
  assert_null(s_parse_str("{\"reference\":\"R\\ud800\"}", &errs));
  /* a raw NUL byte inside the buffer */
  const char nul[] = "{\"reference\":\"R\0\"}";
  memset(&errs, 0, sizeof errs);
  assert_null(police_json_parse(nul, sizeof nul - 1, &errs));
  assert_true(errs.count >= 1);
  /* duplicate keys */
  assert_null(s_parse_str("{\"reference\":\"A\",\"reference\":\"B\"}", &errs));
  assert_true(errs.count >= 1);
  /* trailing garbage */
  assert_null(s_parse_str("{} {}", &errs));
  /* huge numbers */
  assert_null(s_parse_str("{\"formal_referral\":1e999999}", &errs));
  assert_true(errs.count >= 1);
}

static void test_oversized_document(void **state) {
  (void)state;
  size_t len = 5u * 1024u * 1024u;
  char *text = malloc(len);
  assert_non_null(text);
  memset(text, ' ', len);
  text[0] = '{';
  text[len - 1] = '}';
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  assert_null(police_json_parse(text, len, &errs));
  assert_int_equal(errs.count, 1);
  assert_string_equal(errs.items[0].field, "$");
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_example_dash_high),
      cmocka_unit_test(test_example_dash_missing),
      cmocka_unit_test(test_example_info_only),
      cmocka_unit_test(test_example_bad_date),
      cmocka_unit_test(test_wrong_types),
      cmocka_unit_test(test_missing_fields),
      cmocka_unit_test(test_minimal),
      cmocka_unit_test(test_unknown_keys_ignored),
      cmocka_unit_test(test_unknown_fields_listed),
      cmocka_unit_test(test_dash_shapes),
      cmocka_unit_test(test_unknown_words),
      cmocka_unit_test(test_domestic_abuse_override),
      cmocka_unit_test(test_identifiers_and_dates),
      cmocka_unit_test(test_refs),
      cmocka_unit_test(test_text_bounds),
      cmocka_unit_test(test_many_errors),
      cmocka_unit_test(test_every_truncation),
      cmocka_unit_test(test_non_object_roots),
      cmocka_unit_test(test_huge_arrays),
      cmocka_unit_test(test_deep_nesting),
      cmocka_unit_test(test_bad_bytes),
      cmocka_unit_test(test_oversized_document),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
