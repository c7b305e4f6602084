/* test_codec_rules: every validation rule of a police notification
 * (proto/codec.h, mash_codec_validate_notification), each with its field
 * path: people, references, dates, DASH, enums, text length, UTF-8, control
 * characters, counts. Must not: touch sockets or files, or depend on the
 * current date (a fixed "now"). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "codec.h"
#include "uuid.h"
#include "codec_fixtures.h"

/* ---------------------------------------------------------------- helpers */

/* Validate f's notification and expect exactly one error, at `field`. */
static void expect_one_error(const fixture_t *f, const char *field) {
  mash_errors_t errs = {0};
  int rc = mash_codec_validate_notification(&f->n, NOW_MS, &errs);
  if (errs.count != 1 || !has_error(&errs, field)) {
    print_message("expected one error at %s, got:\n", field);
    print_errors(&errs);
  }
  assert_int_equal(rc, -EINVAL);
  assert_int_equal(errs.count, 1);
  assert_int_equal(errs.dropped, 0);
  assert_true(has_error(&errs, field));
  assert_true(errs.items[0].message[0] != '\0');
}

/* Encode f's envelope into a fresh buffer (freed by the caller with free). */
static uint8_t *encode_fixture(const fixture_t *f, size_t *len) {
  uint8_t *buf = NULL;
  assert_int_equal(mash_codec_encode(&f->env, &buf, len), 0);
  assert_non_null(buf);
  assert_true(*len > 0);
  return buf;
}

/* ------------------------------------------------------- validation rules */

static void test_missing_child(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.n.n_children = 0;
  f.n.children = NULL;
  f.n.n_relationships = 0;
  f.police.n_children_present_refs = 0;
  expect_one_error(&f, "notification.children");
}

static void test_duplicate_ref(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.adult0.ref = "c2";
  f.rel0.from_ref = "c2";
  expect_one_error(&f, "notification.adults[0].ref");
  mash_errors_t errs = {0};
  mash_codec_validate_notification(&f.n, NOW_MS, &errs);
  assert_non_null(strstr(errs.items[0].message, "notification.children[1]"));
}

static void test_person_needs_ref_and_name(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.child1.ref = "";
  f.police.n_children_present_refs = 1;
  f.n.n_relationships = 1;
  expect_one_error(&f, "notification.children[1].ref");

  fixture_init(&f);
  f.child1.given_name = "";
  f.child1.family_name = "";
  expect_one_error(&f, "notification.children[1]");
  /* An identifier stands in for a name. */
  f.child1.n_identifiers = 1;
  f.child1.identifiers = f.child0_ids;
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), 0);
}

static void test_bad_dates(void **state) {
  (void)state;
  static const char *const bad[] = {
      "2023-02-29", "1900-02-29", "2023-04-31", "2023-13-01",  "2023-00-10",
      "2023-01-00", "2023-1-01",  "20230101",   "2023-01-01x", "2023/01/01",
      "1899-12-31", "abcd-ef-gh", " 2023-01-0", "2023-01-32",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    fixture_t f;
    fixture_init(&f);
    f.child0.date_of_birth = (char *)bad[i];
    expect_one_error(&f, "notification.children[0].date_of_birth");
  }
  static const char *const good[] = {"2024-02-29", "2000-02-29", "2023-12-31", "1900-01-01", ""};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    fixture_t f;
    fixture_init(&f);
    f.child0.date_of_birth = (char *)good[i];
    mash_errors_t errs = {0};
    assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), 0);
  }
}

static void test_future_dob(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.child1.date_of_birth = "2024-06-02"; /* the day after NOW_MS */
  expect_one_error(&f, "notification.children[1].date_of_birth");
  mash_errors_t errs = {0};
  /* now_ms == 0 skips the future check. */
  assert_int_equal(mash_codec_validate_notification(&f.n, 0, &errs), 0);
  /* Born today is fine. */
  f.child1.date_of_birth = "2024-06-01";
  assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), 0);
  /* Through the envelope the wall clock is used: a date far ahead fails. */
  f.child1.date_of_birth = "9999-12-31";
  assert_int_equal(mash_codec_validate_envelope(&f.env, &errs), -EINVAL);
  assert_true(has_error(&errs, "notification.children[1].date_of_birth"));
}

static void test_unknown_refs(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.rel1.to_ref = "c9";
  expect_one_error(&f, "notification.relationships[1].to_ref");

  fixture_init(&f);
  f.rel0.from_ref = "";
  expect_one_error(&f, "notification.relationships[0].from_ref");

  fixture_init(&f);
  f.present[1] = "zz";
  expect_one_error(&f, "notification.police.children_present_refs[1]");

  /* Children present must be children, not adults. */
  fixture_init(&f);
  f.present[0] = "a1";
  expect_one_error(&f, "notification.police.children_present_refs[0]");
}

static void test_dash_counts(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.police.n_dash_answers = MASH_DASH_ITEMS - 1;
  expect_one_error(&f, "notification.police.dash_answers");

  /* No DASH at all is allowed (the broker flags it, the codec does not). */
  f.police.n_dash_answers = 0;
  f.police.dash_answers = NULL;
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), 0);

  /* 28 answers: refused without reading past the array. */
  Mash__V1__DashAnswer *many = test_calloc(MASH_DASH_ITEMS + 1, sizeof *many);
  f.police.n_dash_answers = MASH_DASH_ITEMS + 1;
  f.police.dash_answers = many;
  expect_one_error(&f, "notification.police.dash_answers");
  test_free(many);
}

static void test_dash_invalid_enum(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.dash[3] = (Mash__V1__DashAnswer)7;
  expect_one_error(&f, "notification.police.dash_answers[3]");
  fixture_init(&f);
  f.dash[26] = (Mash__V1__DashAnswer)-1;
  expect_one_error(&f, "notification.police.dash_answers[26]");

  /* An unknown value survives decoding (open enum) and is caught after. */
  fixture_init(&f);
  f.dash[0] = (Mash__V1__DashAnswer)9;
  size_t len = 0;
  uint8_t *frame = encode_fixture(&f, &len);
  mash_errors_t errs = {0};
  Mash__V1__Envelope *env = mash_codec_decode(frame, len, &errs);
  free(frame);
  assert_non_null(env);
  assert_int_equal(mash_codec_validate_envelope(env, &errs), -EINVAL);
  assert_true(has_error(&errs, "notification.police.dash_answers[0]"));
  mash_codec_free(env);
}

static void test_other_enums(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.police.officer_grade = (Mash__V1__RiskGrade)4;
  expect_one_error(&f, "notification.police.officer_grade");
  fixture_init(&f);
  f.n.concern_category = (Mash__V1__ConcernCategory)99;
  expect_one_error(&f, "notification.concern_category");
  fixture_init(&f);
  f.nhs.kind = MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UNSPECIFIED;
  expect_one_error(&f, "notification.children[0].identifiers[0].kind");
  fixture_init(&f);
  f.adult0.sex = (Mash__V1__Sex)5;
  expect_one_error(&f, "notification.adults[0].sex");
}

static void test_overlong_text(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  char *name = make_string(MASH_MAX_SHORT_TEXT + 1, 'n');
  f.child0.given_name = name;
  expect_one_error(&f, "notification.children[0].given_name");
  /* Exactly at the bound is fine. */
  name[MASH_MAX_SHORT_TEXT] = '\0';
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), 0);
  test_free(name);

  fixture_init(&f);
  char *concern = make_string(MASH_MAX_LONG_TEXT + 1, 'c');
  f.n.concern = concern;
  expect_one_error(&f, "notification.concern");
  test_free(concern);

  fixture_init(&f);
  char *id = make_string(MASH_MAX_ID_LEN + 1, '7');
  f.nhs.value = id;
  expect_one_error(&f, "notification.children[0].identifiers[0].value");
  test_free(id);

  fixture_init(&f);
  f.nhs.value = "";
  expect_one_error(&f, "notification.children[0].identifiers[0].value");
}

static void test_invalid_utf8(void **state) {
  (void)state;
  static const char *const bad[] = {
      "\xc3\x28",         /* bad continuation */
      "Smith\xc3",        /* truncated sequence */
      "\xc0\xaf",         /* overlong '/' */
      "\xe0\x80\xaf",     /* overlong, three bytes */
      "\xed\xa0\x80",     /* surrogate U+D800 */
      "\xf4\x90\x80\x80", /* past U+10FFFF */
      "\x80",             /* stray continuation */
      "\xff",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    fixture_t f;
    fixture_init(&f);
    f.child1.family_name = (char *)bad[i];
    expect_one_error(&f, "notification.children[1].family_name");
  }
  static const char *const good[] = {"Zoë", "Ødegård", "李", "\xf0\x9f\x98\x80", "O'Brien-Smith"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    fixture_t f;
    fixture_init(&f);
    f.child1.family_name = (char *)good[i];
    mash_errors_t errs = {0};
    assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), 0);
  }
}

static void test_control_characters(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.child0.ref = "c\x01";
  f.n.n_relationships = 0;
  f.police.n_children_present_refs = 0;
  expect_one_error(&f, "notification.children[0].ref");

  fixture_init(&f);
  f.nhs.value = "943\n4765919";
  expect_one_error(&f, "notification.children[0].identifiers[0].value");

  fixture_init(&f);
  f.adult0.given_name = "Alex\x1b[31m";
  expect_one_error(&f, "notification.adults[0].given_name");

  fixture_init(&f);
  f.child0.role = "child\xc2\x85"; /* U+0085, a C1 control */
  expect_one_error(&f, "notification.children[0].role");

  /* The concern is multi-line text: tabs and newlines are fine, escapes not. */
  fixture_init(&f);
  f.n.concern = "line one\r\n\tline two";
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), 0);
  f.n.concern = "bell\a";
  expect_one_error(&f, "notification.concern");
}

static void test_too_many_people(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  Mash__V1__Person **many = test_calloc(MASH_MAX_PEOPLE + 1, sizeof *many);
  for (size_t i = 0; i <= MASH_MAX_PEOPLE; i++) {
    many[i] = &f.child1;
  }
  f.n.n_children = MASH_MAX_PEOPLE + 1;
  f.n.children = many;
  /* Refs of a skipped list are unknown, so refs are not checked either. */
  expect_one_error(&f, "notification.children");
  test_free(many);

  fixture_init(&f);
  f.addr.n_lines = MASH_MAX_ADDRESS_LINES + 1;
  char *lines[MASH_MAX_ADDRESS_LINES + 1];
  for (size_t i = 0; i <= MASH_MAX_ADDRESS_LINES; i++) {
    lines[i] = "line";
  }
  f.addr.lines = lines;
  expect_one_error(&f, "notification.children[0].address.lines");

  fixture_init(&f);
  f.child0.n_identifiers = MASH_MAX_IDENTIFIERS + 1;
  expect_one_error(&f, "notification.children[0].identifiers");

  fixture_init(&f);
  f.n.n_relationships = MASH_MAX_RELATIONSHIPS + 1;
  expect_one_error(&f, "notification.relationships");
}

static void test_null_parts(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.children[1] = NULL;
  f.police.n_children_present_refs = 1;
  f.n.n_relationships = 1;
  expect_one_error(&f, "notification.children[1]");

  fixture_init(&f);
  f.n.police = NULL;
  expect_one_error(&f, "notification.police");

  fixture_init(&f);
  f.child0.given_name = NULL; /* treated as empty, family name remains */
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), 0);
  assert_int_equal(mash_codec_validate_notification(NULL, NOW_MS, &errs), -EINVAL);
  assert_true(has_error(&errs, "notification"));
  /* Without an error list the result code still tells. */
  f.n.n_children = 0;
  assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, NULL), -EINVAL);
}

static void test_other_details(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  Mash__V1__EducationDetail edu;
  mash__v1__education_detail__init(&edu);
  edu.kind = MASH__V1__EDUCATION_EVENT_KIND__EDUCATION_EVENT_KIND_ATTENDANCE_DROP;
  edu.school = "Example Primary";
  edu.attendance_percent = 71;
  f.n.detail_case = MASH__V1__NOTIFICATION__DETAIL_EDUCATION;
  f.n.education = &edu;
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), 0);
  edu.attendance_percent = 101;
  expect_one_error(&f, "notification.education.attendance_percent");

  Mash__V1__HealthDetail health;
  mash__v1__health_detail__init(&health);
  health.kind = (Mash__V1__HealthEventKind)3;
  f.n.detail_case = MASH__V1__NOTIFICATION__DETAIL_HEALTH;
  f.n.health = &health;
  expect_one_error(&f, "notification.health.kind");

  Mash__V1__HousingDetail housing;
  mash__v1__housing_detail__init(&housing);
  housing.kind = MASH__V1__HOUSING_EVENT_KIND__HOUSING_EVENT_KIND_EVICTION;
  housing.tenancy_reference = "T\x7f";
  f.n.detail_case = MASH__V1__NOTIFICATION__DETAIL_HOUSING;
  f.n.housing = &housing;
  expect_one_error(&f, "notification.housing.tenancy_reference");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_missing_child),
      cmocka_unit_test(test_duplicate_ref),
      cmocka_unit_test(test_person_needs_ref_and_name),
      cmocka_unit_test(test_bad_dates),
      cmocka_unit_test(test_future_dob),
      cmocka_unit_test(test_unknown_refs),
      cmocka_unit_test(test_dash_counts),
      cmocka_unit_test(test_dash_invalid_enum),
      cmocka_unit_test(test_other_enums),
      cmocka_unit_test(test_overlong_text),
      cmocka_unit_test(test_invalid_utf8),
      cmocka_unit_test(test_control_characters),
      cmocka_unit_test(test_too_many_people),
      cmocka_unit_test(test_null_parts),
      cmocka_unit_test(test_other_details),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
