/* test_intake: the broker's intake rules (broker/intake.h).
 *
 * Covers: who may send which agency detail (role and agency of the CURVE
 * key, never the principal's name); the Contact built for a notification:
 * source principal taken from the key only, received and screening-due
 * times from the given clock, DASH scored by the broker with its quality
 * flags; and that the Contact survives a protobuf pack/unpack round trip.
 * Must not: touch sockets, files or the real clock.
 *
 * Buffers the tests build themselves come from test_malloc, so cmocka fails
 * a test that leaks them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec.h"
#include "dash.h"
#include "intake.h"
#include "keys.h"

/* 2024-06-01T12:00:00Z and a 24 hour screening window. */
#define NOW_MS INT64_C(1717243200000)
#define WINDOW_MS INT64_C(86400000)

/* ---------------------------------------------------------------- fixture */

/* A valid notification with one child; police detail unless changed. Holds
 * pointers into itself: never copy it after fixture_init. */
typedef struct fixture {
  Mash__V1__Notification n;
  Mash__V1__Person child;
  Mash__V1__Person *children[1];
  Mash__V1__PoliceDetail police;
  Mash__V1__HealthDetail health;
  Mash__V1__DashAnswer dash[MASH_DASH_ITEMS];
} fixture_t;

static void fixture_init(fixture_t *f) {
  memset(f, 0, sizeof *f);
  mash__v1__person__init(&f->child);
  f->child.ref = "c1";
  f->child.given_name = "Sam";
  f->child.family_name = "Smith";
  f->child.date_of_birth = "2019-11-05";
  f->children[0] = &f->child;

  mash__v1__police_detail__init(&f->police);
  f->police.incident_number = "INC-2024-000123";
  f->police.officer_name = "PC 1234 Patel";
  f->police.officer_grade = MASH__V1__RISK_GRADE__RISK_GRADE_MEDIUM;
  f->police.domestic_abuse = 1;
  /* 15 yes, then no: visible high risk on the checklist. */
  for (size_t i = 0; i < MASH_DASH_ITEMS; i++) {
    f->dash[i] =
        i < 15 ? MASH__V1__DASH_ANSWER__DASH_ANSWER_YES : MASH__V1__DASH_ANSWER__DASH_ANSWER_NO;
  }
  f->police.n_dash_answers = MASH_DASH_ITEMS;
  f->police.dash_answers = f->dash;

  mash__v1__health_detail__init(&f->health);
  f->health.kind = MASH__V1__HEALTH_EVENT_KIND__HEALTH_EVENT_KIND_UNSCHEDULED_CARE;
  f->health.setting = "ED";

  mash__v1__notification__init(&f->n);
  /* A reference that looks like a principal: it must never be taken as one. */
  f->n.source_reference = "health";
  f->n.n_children = 1;
  f->n.children = f->children;
  f->n.concern_category = MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE;
  f->n.concern = "Shouting heard by neighbours.";
  f->n.detail_case = MASH__V1__NOTIFICATION__DETAIL_POLICE;
  f->n.police = &f->police;
}

static void fixture_health(fixture_t *f) {
  f->n.detail_case = MASH__V1__NOTIFICATION__DETAIL_HEALTH;
  f->n.police = NULL;
  f->n.health = &f->health;
  f->n.concern_category = MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT;
}

static mash_key_t make_key(const char *principal, const char *role, const char *agency) {
  mash_key_t k;
  memset(&k, 0, sizeof k);
  snprintf(k.principal, sizeof k.principal, "%s", principal);
  snprintf(k.role, sizeof k.role, "%s", role);
  snprintf(k.agency, sizeof k.agency, "%s", agency);
  return k;
}

static int has_error(const mash_errors_t *errs, const char *field) {
  for (size_t i = 0; i < errs->count; i++) {
    if (strcmp(errs->items[i].field, field) == 0) {
      return 1;
    }
  }
  return 0;
}

static int has_flag(const Mash__V1__Contact *c, const char *flag) {
  for (size_t i = 0; i < c->n_quality_flags; i++) {
    if (strcmp(c->quality_flags[i], flag) == 0) {
      return 1;
    }
  }
  return 0;
}

/* ---------------------------------------------------------------- authorize */

static void test_police_sends_police(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  mash_key_t k = make_key("police", "agency", "police");
  mash_errors_t errs = {0};
  assert_int_equal(mash_intake_authorize(&k, &f.n, &errs), 0);
  assert_int_equal(errs.count, 0);
}

static void test_health_may_not_send_police(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  mash_key_t k = make_key("health", "agency", "health");
  mash_errors_t errs = {0};
  assert_int_equal(mash_intake_authorize(&k, &f.n, &errs), -EPERM);
  assert_int_equal(errs.count, 1);
  assert_true(has_error(&errs, "police"));
  assert_non_null(strstr(errs.items[0].message, "police"));

  /* And the other way round: the police may not send health detail. */
  fixture_health(&f);
  mash_key_t p = make_key("police", "agency", "police");
  mash_errors_t errs2 = {0};
  assert_int_equal(mash_intake_authorize(&p, &f.n, &errs2), -EPERM);
  assert_true(has_error(&errs2, "health"));
  /* ... while health may. */
  mash_errors_t errs3 = {0};
  assert_int_equal(mash_intake_authorize(&k, &f.n, &errs3), 0);
  assert_int_equal(errs3.count, 0);
}

static void test_hub_and_ops_may_not_notify(void **state) {
  (void)state;
  const char *roles[] = {"hub", "ops", "broker"};
  for (size_t r = 0; r < sizeof roles / sizeof roles[0]; r++) {
    /* Even with an agency that would match the detail. */
    mash_key_t k = make_key("police", roles[r], "police");
    for (int kind = 0; kind < 3; kind++) {
      fixture_t f;
      fixture_init(&f);
      if (kind == 1) {
        fixture_health(&f);
      } else if (kind == 2) {
        f.n.detail_case = MASH__V1__NOTIFICATION__DETAIL__NOT_SET;
        f.n.police = NULL;
      }
      mash_errors_t errs = {0};
      assert_int_equal(mash_intake_authorize(&k, &f.n, &errs), -EPERM);
      assert_true(errs.count >= 1);
      assert_non_null(strstr(errs.items[0].message, roles[r]));
    }
  }
}

static void test_no_detail_ok(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.n.detail_case = MASH__V1__NOTIFICATION__DETAIL__NOT_SET;
  f.n.police = NULL;
  const char *agencies[] = {"police", "health", "education", "housing", "youth-offending"};
  for (size_t i = 0; i < sizeof agencies / sizeof agencies[0]; i++) {
    mash_key_t k = make_key(agencies[i], "agency", agencies[i]);
    mash_errors_t errs = {0};
    assert_int_equal(mash_intake_authorize(&k, &f.n, &errs), 0);
    assert_int_equal(errs.count, 0);
  }
}

static void test_agency_not_principal_decides(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  /* A second police force: its own principal, the police agency. */
  mash_key_t k = make_key("police2", "agency", "police");
  mash_errors_t errs = {0};
  assert_int_equal(mash_intake_authorize(&k, &f.n, &errs), 0);
  assert_int_equal(errs.count, 0);

  /* A principal named "police" whose agency is health may not. */
  mash_key_t h = make_key("police", "agency", "health");
  assert_int_equal(mash_intake_authorize(&h, &f.n, &errs), -EPERM);
  assert_true(has_error(&errs, "police"));
}

/* ---------------------------------------------------------------- prepare */

static void test_prepare_source_and_times(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  mash_key_t k = make_key("police2", "agency", "police");
  mash_intake_prep_t *p = test_malloc(sizeof *p);
  mash_intake_prepare(&k, &f.n, NOW_MS, WINDOW_MS, p);

  assert_string_equal(p->contact.source_principal, "police2");
  /* A copy owned by the prep, not the key's or the notification's text. */
  assert_ptr_equal(p->contact.source_principal, p->principal);
  assert_ptr_not_equal(p->contact.source_principal, f.n.source_reference);
  memset(k.principal, 'x', sizeof k.principal - 1);
  assert_string_equal(p->contact.source_principal, "police2");

  assert_int_equal(p->contact.received_at_ms, NOW_MS);
  assert_int_equal(p->contact.screening_due_at_ms, NOW_MS + WINDOW_MS);
  assert_ptr_equal(p->contact.notification, &f.n);
  assert_non_null(p->contact.contact_id);

  /* Another clock, another window. */
  mash_intake_prepare(&k, &f.n, 5, 7, p);
  assert_int_equal(p->contact.received_at_ms, 5);
  assert_int_equal(p->contact.screening_due_at_ms, 12);
  test_free(p);
}

static void test_prepare_long_principal(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  mash_key_t k = make_key("police", "agency", "police");
  /* 63 characters: the longest valid principal. */
  memset(k.principal, 'p', sizeof k.principal - 1);
  k.principal[sizeof k.principal - 1] = '\0';
  mash_intake_prep_t *p = test_malloc(sizeof *p);
  mash_intake_prepare(&k, &f.n, NOW_MS, WINDOW_MS, p);
  assert_int_equal(strlen(p->contact.source_principal), sizeof k.principal - 1);
  assert_string_equal(p->contact.source_principal, k.principal);
  test_free(p);
}

static void test_prepare_dash_raised(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  mash_key_t k = make_key("police", "agency", "police");
  mash_intake_prep_t *p = test_malloc(sizeof *p);
  mash_intake_prepare(&k, &f.n, NOW_MS, WINDOW_MS, p);

  assert_ptr_equal(p->contact.dash, &p->dash);
  assert_true(p->dash.present);
  assert_true(p->dash.complete);
  assert_int_equal(p->dash.yes_count, 15);
  assert_int_equal(p->dash.checklist_grade, MASH__V1__RISK_GRADE__RISK_GRADE_HIGH);
  assert_int_equal(p->dash.officer_grade, MASH__V1__RISK_GRADE__RISK_GRADE_MEDIUM);
  assert_int_equal(p->dash.final_grade, MASH__V1__RISK_GRADE__RISK_GRADE_HIGH);
  assert_true(p->dash.grade_raised);
  assert_true(p->dash_result.grade_raised);
  assert_true(has_flag(&p->contact, MASH_FLAG_GRADE_BELOW_CHECKLIST));
  assert_false(has_flag(&p->contact, MASH_FLAG_DASH_MISSING));
  assert_false(has_flag(&p->contact, MASH_FLAG_DASH_INCOMPLETE));
  assert_false(has_flag(&p->contact, MASH_FLAG_NO_OFFICER));

  /* The broker computes, it never trusts: an officer grade of high with 13
   * yes is kept, not raised, and the checklist says standard. */
  f.dash[13] = MASH__V1__DASH_ANSWER__DASH_ANSWER_NO;
  f.dash[14] = MASH__V1__DASH_ANSWER__DASH_ANSWER_NOT_KNOWN;
  f.police.officer_grade = MASH__V1__RISK_GRADE__RISK_GRADE_HIGH;
  mash_intake_prepare(&k, &f.n, NOW_MS, WINDOW_MS, p);
  assert_int_equal(p->dash.yes_count, 13);
  assert_int_equal(p->dash.checklist_grade, MASH__V1__RISK_GRADE__RISK_GRADE_STANDARD);
  assert_int_equal(p->dash.final_grade, MASH__V1__RISK_GRADE__RISK_GRADE_HIGH);
  assert_false(p->dash.grade_raised);
  assert_int_equal(p->contact.n_quality_flags, 0);
  test_free(p);
}

static void test_prepare_dash_missing(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.police.n_dash_answers = 0;
  f.police.dash_answers = NULL;
  mash_key_t k = make_key("police", "agency", "police");
  mash_intake_prep_t *p = test_malloc(sizeof *p);
  mash_intake_prepare(&k, &f.n, NOW_MS, WINDOW_MS, p);
  assert_non_null(p->contact.dash);
  assert_false(p->dash.present);
  assert_true(has_flag(&p->contact, MASH_FLAG_DASH_MISSING));
  assert_false(has_flag(&p->contact, MASH_FLAG_GRADE_BELOW_CHECKLIST));

  /* Domestic abuse known only from the category. */
  f.police.domestic_abuse = 0;
  mash_intake_prepare(&k, &f.n, NOW_MS, WINDOW_MS, p);
  assert_true(has_flag(&p->contact, MASH_FLAG_DASH_MISSING));

  /* Not domestic abuse: no DASH is expected. */
  f.n.concern_category = MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT;
  mash_intake_prepare(&k, &f.n, NOW_MS, WINDOW_MS, p);
  assert_false(has_flag(&p->contact, MASH_FLAG_DASH_MISSING));
  assert_int_equal(p->contact.n_quality_flags, 0);

  /* Missing officer and incident number are flagged too. */
  f.police.officer_name = "";
  f.police.incident_number = NULL;
  mash_intake_prepare(&k, &f.n, NOW_MS, WINDOW_MS, p);
  assert_true(has_flag(&p->contact, MASH_FLAG_NO_OFFICER));
  assert_true(has_flag(&p->contact, MASH_FLAG_NO_INCIDENT_NUMBER));
  assert_true(p->contact.n_quality_flags <= MASH_INTAKE_MAX_FLAGS);
  test_free(p);
}

static void test_prepare_non_police(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  fixture_health(&f);
  /* Even marked domestic abuse, a health notification has no DASH. */
  f.n.concern_category = MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE;
  mash_key_t k = make_key("health", "agency", "health");
  mash_intake_prep_t *p = test_malloc(sizeof *p);
  mash_intake_prepare(&k, &f.n, NOW_MS, WINDOW_MS, p);
  assert_null(p->contact.dash);
  assert_int_equal(p->contact.n_quality_flags, 0);
  assert_string_equal(p->contact.source_principal, "health");
  assert_int_equal(p->contact.screening_due_at_ms, NOW_MS + WINDOW_MS);

  /* No detail at all. */
  f.n.detail_case = MASH__V1__NOTIFICATION__DETAIL__NOT_SET;
  f.n.health = NULL;
  mash_intake_prepare(&k, &f.n, NOW_MS, WINDOW_MS, p);
  assert_null(p->contact.dash);
  assert_int_equal(p->contact.n_quality_flags, 0);
  test_free(p);
}

static void test_contact_round_trip(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  mash_key_t k = make_key("police2", "agency", "police");
  mash_intake_prep_t *p = test_malloc(sizeof *p);
  mash_intake_prepare(&k, &f.n, NOW_MS, WINDOW_MS, p);
  p->contact.contact_id = "MASH-000042";

  size_t len = mash__v1__contact__get_packed_size(&p->contact);
  assert_true(len > 0);
  uint8_t *buf = test_malloc(len);
  assert_int_equal(mash__v1__contact__pack(&p->contact, buf), len);

  Mash__V1__Contact *u = mash__v1__contact__unpack(NULL, len, buf);
  assert_non_null(u);
  assert_string_equal(u->contact_id, "MASH-000042");
  assert_string_equal(u->source_principal, "police2");
  assert_int_equal(u->received_at_ms, NOW_MS);
  assert_int_equal(u->screening_due_at_ms, NOW_MS + WINDOW_MS);
  assert_non_null(u->notification);
  assert_int_equal(u->notification->detail_case, MASH__V1__NOTIFICATION__DETAIL_POLICE);
  assert_string_equal(u->notification->source_reference, "health");
  assert_int_equal(u->notification->n_children, 1);
  assert_string_equal(u->notification->children[0]->given_name, "Sam");
  assert_int_equal(u->notification->police->n_dash_answers, MASH_DASH_ITEMS);
  assert_non_null(u->dash);
  assert_int_equal(u->dash->yes_count, 15);
  assert_int_equal(u->dash->final_grade, MASH__V1__RISK_GRADE__RISK_GRADE_HIGH);
  assert_true(u->dash->grade_raised);
  assert_int_equal(u->n_quality_flags, p->contact.n_quality_flags);
  for (size_t i = 0; i < u->n_quality_flags; i++) {
    assert_string_equal(u->quality_flags[i], p->contact.quality_flags[i]);
  }
  assert_true(has_flag(u, MASH_FLAG_GRADE_BELOW_CHECKLIST));

  /* The decoded contact validates as a notification like any other. */
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_notification(u->notification, NOW_MS, &errs), 0);

  mash__v1__contact__free_unpacked(u, NULL);
  test_free(buf);
  test_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_police_sends_police),
      cmocka_unit_test(test_health_may_not_send_police),
      cmocka_unit_test(test_hub_and_ops_may_not_notify),
      cmocka_unit_test(test_no_detail_ok),
      cmocka_unit_test(test_agency_not_principal_decides),
      cmocka_unit_test(test_prepare_source_and_times),
      cmocka_unit_test(test_prepare_long_principal),
      cmocka_unit_test(test_prepare_dash_raised),
      cmocka_unit_test(test_prepare_dash_missing),
      cmocka_unit_test(test_prepare_non_police),
      cmocka_unit_test(test_contact_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
