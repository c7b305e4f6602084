/* test_dash: DASH scoring and police quality flags (common/dash.h).
 *
 * Table tests of the scoring rules (14 "yes" is high, an officer grade is
 * never lowered, complete means 27 answers none unspecified), an exhaustive
 * sweep over every yes-count and officer grade, and the quality flags.
 * Must not: touch the network, the disk or the clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dash.h"
#include "names.h"

#define YES MASH__V1__DASH_ANSWER__DASH_ANSWER_YES
#define NO MASH__V1__DASH_ANSWER__DASH_ANSWER_NO
#define NK MASH__V1__DASH_ANSWER__DASH_ANSWER_NOT_KNOWN
#define UNSPEC MASH__V1__DASH_ANSWER__DASH_ANSWER_UNSPECIFIED

#define G_NONE MASH__V1__RISK_GRADE__RISK_GRADE_UNSPECIFIED
#define G_STD MASH__V1__RISK_GRADE__RISK_GRADE_STANDARD
#define G_MED MASH__V1__RISK_GRADE__RISK_GRADE_MEDIUM
#define G_HIGH MASH__V1__RISK_GRADE__RISK_GRADE_HIGH

#define MAX_ANSWERS 40

/* ---------------------------------------------------------------- scoring table */

typedef struct score_case {
  const char *name;
  /* The answers, in this order: yes, no, not known, unspecified, then
   * `bogus` answers with an out-of-range value. */
  unsigned yes, no, not_known, unspecified, bogus;
  int officer; /* may be out of range on purpose */
  bool domestic_abuse;
  /* expected */
  bool present, complete;
  Mash__V1__RiskGrade checklist, officer_out, final;
  bool raised, missing;
} score_case_t;

static const score_case_t s_cases[] = {
    {"no DASH, not domestic abuse", 0, 0, 0, 0, 0, G_NONE, false, false, false, G_NONE, G_NONE,
     G_NONE, false, false},
    {"no DASH on domestic abuse", 0, 0, 0, 0, 0, G_MED, true, false, false, G_NONE, G_MED, G_MED,
     false, true},
    {"no DASH on domestic abuse, no grade", 0, 0, 0, 0, 0, G_NONE, true, false, false, G_NONE,
     G_NONE, G_NONE, false, true},
    {"0 yes", 0, 27, 0, 0, 0, G_STD, true, true, true, G_STD, G_STD, G_STD, false, false},
    {"13 yes", 13, 14, 0, 0, 0, G_STD, true, true, true, G_STD, G_STD, G_STD, false, false},
    {"14 yes raises standard", 14, 13, 0, 0, 0, G_STD, true, true, true, G_HIGH, G_STD, G_HIGH,
     true, false},
    {"14 yes raises medium", 14, 13, 0, 0, 0, G_MED, true, true, true, G_HIGH, G_MED, G_HIGH, true,
     false},
    {"14 yes, officer high", 14, 13, 0, 0, 0, G_HIGH, true, true, true, G_HIGH, G_HIGH, G_HIGH,
     false, false},
    {"14 yes, no officer grade", 14, 13, 0, 0, 0, G_NONE, true, true, true, G_HIGH, G_NONE, G_HIGH,
     false, false},
    {"27 yes", 27, 0, 0, 0, 0, G_HIGH, true, true, true, G_HIGH, G_HIGH, G_HIGH, false, false},
    {"27 yes raises standard", 27, 0, 0, 0, 0, G_STD, true, true, true, G_HIGH, G_STD, G_HIGH, true,
     false},
    {"13 yes and 14 not known", 13, 0, 14, 0, 0, G_STD, true, true, true, G_STD, G_STD, G_STD,
     false, false},
    {"27 not known is complete", 0, 0, 27, 0, 0, G_MED, true, true, true, G_STD, G_MED, G_MED,
     false, false},
    {"officer medium above checklist", 5, 22, 0, 0, 0, G_MED, true, true, true, G_STD, G_MED, G_MED,
     false, false},
    {"officer high above checklist", 13, 14, 0, 0, 0, G_HIGH, true, true, true, G_STD, G_HIGH,
     G_HIGH, false, false},
    {"equal grades", 2, 25, 0, 0, 0, G_STD, true, true, true, G_STD, G_STD, G_STD, false, false},
    {"26 answers is incomplete", 14, 12, 0, 0, 0, G_MED, false, true, false, G_HIGH, G_MED, G_HIGH,
     true, false},
    {"28 answers is incomplete", 1, 27, 0, 0, 0, G_STD, false, true, false, G_STD, G_STD, G_STD,
     false, false},
    {"one unspecified is incomplete", 3, 23, 0, 1, 0, G_STD, false, true, false, G_STD, G_STD,
     G_STD, false, false},
    {"all unspecified is present, incomplete", 0, 0, 0, 27, 0, G_NONE, true, true, false, G_STD,
     G_NONE, G_STD, false, false},
    {"out-of-range answer is incomplete", 14, 12, 0, 0, 1, G_STD, true, true, false, G_HIGH, G_STD,
     G_HIGH, true, false},
    {"single answer", 1, 0, 0, 0, 0, G_NONE, false, true, false, G_STD, G_NONE, G_STD, false,
     false},
    {"out-of-range officer grade counts as none", 0, 27, 0, 0, 0, 42, false, true, true, G_STD,
     G_NONE, G_STD, false, false},
    {"negative officer grade counts as none", 14, 13, 0, 0, 0, -1, false, true, true, G_HIGH,
     G_NONE, G_HIGH, false, false},
    {"14 yes, 13 unspecified still high", 14, 0, 0, 13, 0, G_MED, true, true, false, G_HIGH, G_MED,
     G_HIGH, true, false},
};

static size_t s_build(const score_case_t *c, Mash__V1__DashAnswer *a) {
  size_t n = 0;
  for (unsigned i = 0; i < c->yes; i++) {
    a[n++] = YES;
  }
  for (unsigned i = 0; i < c->no; i++) {
    a[n++] = NO;
  }
  for (unsigned i = 0; i < c->not_known; i++) {
    a[n++] = NK;
  }
  for (unsigned i = 0; i < c->unspecified; i++) {
    a[n++] = UNSPEC;
  }
  for (unsigned i = 0; i < c->bogus; i++) {
    a[n++] = (Mash__V1__DashAnswer)99;
  }
  return n;
}

/* Fail naming the table row. */
#define CHECK(c, cond)                                                                             \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fail_msg("case \"%s\": %s", (c)->name, #cond);                                               \
    }                                                                                              \
  } while (0)

static void test_score_table(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof s_cases / sizeof s_cases[0]; i++) {
    const score_case_t *c = &s_cases[i];
    Mash__V1__DashAnswer answers[MAX_ANSWERS];
    size_t n = s_build(c, answers);
    assert_true(n <= MAX_ANSWERS);
    mash_dash_result_t r;
    memset(&r, 0xa5, sizeof r); /* every field must be written */
    mash_dash_score(answers, n, (Mash__V1__RiskGrade)c->officer, c->domestic_abuse, &r);
    CHECK(c, r.present == c->present);
    CHECK(c, r.present == (n > 0));
    CHECK(c, r.complete == c->complete);
    CHECK(c, r.yes_count == c->yes);
    CHECK(c, r.checklist_grade == c->checklist);
    CHECK(c, r.officer_grade == c->officer_out);
    CHECK(c, r.final_grade == c->final);
    CHECK(c, r.grade_raised == c->raised);
    CHECK(c, r.missing_on_domestic_abuse == c->missing);
  }
}

/* Every yes-count 0..27 (the rest "no", or "not known") against every
 * officer grade, checked against the rules written out independently. */
static void test_score_exhaustive(void **state) {
  (void)state;
  const Mash__V1__RiskGrade grades[] = {G_NONE, G_STD, G_MED, G_HIGH};
  for (unsigned yes = 0; yes <= 27; yes++) {
    for (int filler = 0; filler < 2; filler++) {
      Mash__V1__DashAnswer answers[27];
      for (unsigned i = 0; i < 27; i++) {
        answers[i] = i < yes ? YES : (filler ? NK : NO);
      }
      for (size_t g = 0; g < 4; g++) {
        for (int da = 0; da < 2; da++) {
          mash_dash_result_t r;
          mash_dash_score(answers, 27, grades[g], da, &r);
          Mash__V1__RiskGrade checklist = yes >= 14 ? G_HIGH : G_STD;
          assert_true(r.present);
          assert_true(r.complete);
          assert_false(r.missing_on_domestic_abuse);
          assert_int_equal(r.yes_count, yes);
          assert_int_equal(r.checklist_grade, checklist);
          assert_int_equal(r.officer_grade, grades[g]);
          /* never lowered */
          assert_true(r.final_grade >= grades[g]);
          assert_true(r.final_grade >= checklist);
          assert_true(r.final_grade == grades[g] || r.final_grade == checklist);
          assert_int_equal(r.grade_raised, grades[g] != G_NONE && grades[g] < checklist);
        }
      }
    }
  }
}

/* The answers are scored wherever the yes answers sit in the checklist. */
static void test_score_order_does_not_matter(void **state) {
  (void)state;
  Mash__V1__DashAnswer answers[27];
  for (unsigned i = 0; i < 27; i++) {
    answers[i] = (i % 2 == 0) ? YES : NO; /* 14 yes, alternating */
  }
  mash_dash_result_t r;
  mash_dash_score(answers, 27, G_MED, true, &r);
  assert_int_equal(r.yes_count, 14);
  assert_int_equal(r.final_grade, G_HIGH);
  assert_true(r.grade_raised);
}

static void test_score_null_answers(void **state) {
  (void)state;
  mash_dash_result_t r;
  mash_dash_score(NULL, 27, G_STD, true, &r);
  assert_false(r.present);
  assert_false(r.complete);
  assert_int_equal(r.yes_count, 0);
  assert_int_equal(r.final_grade, G_STD);
  assert_true(r.missing_on_domestic_abuse);
  mash_dash_score(NULL, 0, G_STD, false, NULL); /* must not crash */
}

/* ---------------------------------------------------------------- flags */

typedef struct police_fixture {
  Mash__V1__Notification n;
  Mash__V1__PoliceDetail p;
  Mash__V1__DashAnswer answers[27];
  char officer[32];
  char incident[32];
} police_fixture_t;

/* A clean police notification: domestic abuse, complete DASH with `yes` yes
 * answers, officer and incident number given. */
static void s_fixture(police_fixture_t *f, unsigned yes, Mash__V1__RiskGrade officer) {
  memset(f, 0, sizeof *f);
  f->n = (Mash__V1__Notification)MASH__V1__NOTIFICATION__INIT;
  f->p = (Mash__V1__PoliceDetail)MASH__V1__POLICE_DETAIL__INIT;
  for (unsigned i = 0; i < 27; i++) {
    f->answers[i] = i < yes ? YES : NO;
  }
  memcpy(f->officer, "PC 1 Test", sizeof "PC 1 Test");
  memcpy(f->incident, "INC-1", sizeof "INC-1");
  f->p.officer_name = f->officer;
  f->p.incident_number = f->incident;
  f->p.dash_answers = f->answers;
  f->p.n_dash_answers = 27;
  f->p.officer_grade = officer;
  f->p.domestic_abuse = 1;
  f->n.concern_category = MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE;
  f->n.detail_case = MASH__V1__NOTIFICATION__DETAIL_POLICE;
  f->n.police = &f->p;
}

static size_t s_flags(police_fixture_t *f, const char **flags, size_t max) {
  mash_dash_result_t r;
  mash_dash_score(f->p.dash_answers, f->p.n_dash_answers, f->p.officer_grade, f->p.domestic_abuse,
                  &r);
  return mash_dash_police_flags(&f->n, &r, flags, max);
}

static bool s_has(const char **flags, size_t n, const char *flag) {
  for (size_t i = 0; i < n; i++) {
    if (strcmp(flags[i], flag) == 0) {
      return true;
    }
  }
  return false;
}

static void test_flags_clean(void **state) {
  (void)state;
  police_fixture_t f;
  s_fixture(&f, 3, G_STD);
  const char *flags[8];
  assert_int_equal(s_flags(&f, flags, 8), 0);
}

static void test_flags_dash_missing(void **state) {
  (void)state;
  police_fixture_t f;
  s_fixture(&f, 0, G_MED);
  f.p.n_dash_answers = 0;
  f.p.dash_answers = NULL;
  const char *flags[8];
  size_t n = s_flags(&f, flags, 8);
  assert_int_equal(n, 1);
  assert_string_equal(flags[0], MASH_FLAG_DASH_MISSING);

  /* Not domestic abuse: no DASH expected, no flag. */
  f.p.domestic_abuse = 0;
  f.n.concern_category = MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT;
  assert_int_equal(s_flags(&f, flags, 8), 0);

  /* The category alone makes it domestic abuse. */
  f.n.concern_category = MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE;
  n = s_flags(&f, flags, 8);
  assert_int_equal(n, 1);
  assert_string_equal(flags[0], MASH_FLAG_DASH_MISSING);
}

static void test_flags_incomplete(void **state) {
  (void)state;
  police_fixture_t f;
  s_fixture(&f, 3, G_STD);
  f.answers[5] = UNSPEC;
  const char *flags[8];
  size_t n = s_flags(&f, flags, 8);
  assert_int_equal(n, 1);
  assert_string_equal(flags[0], MASH_FLAG_DASH_INCOMPLETE);

  s_fixture(&f, 3, G_STD);
  f.p.n_dash_answers = 24; /* the partner-agency version */
  n = s_flags(&f, flags, 8);
  assert_int_equal(n, 1);
  assert_string_equal(flags[0], MASH_FLAG_DASH_INCOMPLETE);
  assert_false(s_has(flags, n, MASH_FLAG_DASH_MISSING));
}

static void test_flags_grade_below(void **state) {
  (void)state;
  police_fixture_t f;
  s_fixture(&f, 15, G_MED);
  const char *flags[8];
  size_t n = s_flags(&f, flags, 8);
  assert_int_equal(n, 1);
  assert_string_equal(flags[0], MASH_FLAG_GRADE_BELOW_CHECKLIST);

  s_fixture(&f, 15, G_HIGH);
  assert_int_equal(s_flags(&f, flags, 8), 0);
}

static void test_flags_officer_and_incident(void **state) {
  (void)state;
  police_fixture_t f;
  const char *flags[8];

  s_fixture(&f, 0, G_STD);
  f.officer[0] = '\0';
  size_t n = s_flags(&f, flags, 8);
  assert_int_equal(n, 1);
  assert_string_equal(flags[0], MASH_FLAG_NO_OFFICER);

  s_fixture(&f, 0, G_STD);
  memcpy(f.officer, " \t ", sizeof " \t ");
  n = s_flags(&f, flags, 8);
  assert_int_equal(n, 1);
  assert_string_equal(flags[0], MASH_FLAG_NO_OFFICER);

  s_fixture(&f, 0, G_STD);
  f.p.officer_name = NULL;
  f.incident[0] = '\0';
  n = s_flags(&f, flags, 8);
  assert_int_equal(n, 2);
  assert_true(s_has(flags, n, MASH_FLAG_NO_OFFICER));
  assert_true(s_has(flags, n, MASH_FLAG_NO_INCIDENT_NUMBER));
}

static void test_flags_all_and_max(void **state) {
  (void)state;
  police_fixture_t f;
  s_fixture(&f, 0, G_STD);
  f.p.n_dash_answers = 0;
  f.officer[0] = '\0';
  f.incident[0] = '\0';
  const char *flags[8];
  size_t n = s_flags(&f, flags, 8);
  assert_int_equal(n, 3);
  assert_true(s_has(flags, n, MASH_FLAG_DASH_MISSING));
  assert_true(s_has(flags, n, MASH_FLAG_NO_OFFICER));
  assert_true(s_has(flags, n, MASH_FLAG_NO_INCIDENT_NUMBER));

  /* Four at once: incomplete, raised, no officer, no incident number. */
  s_fixture(&f, 14, G_STD);
  f.p.n_dash_answers = 20;
  f.officer[0] = '\0';
  f.incident[0] = '\0';
  n = s_flags(&f, flags, 8);
  assert_int_equal(n, 4);
  assert_true(s_has(flags, n, MASH_FLAG_DASH_INCOMPLETE));
  assert_true(s_has(flags, n, MASH_FLAG_GRADE_BELOW_CHECKLIST));

  /* `max` bounds what is written. */
  const char *two[2] = {NULL, NULL};
  assert_int_equal(s_flags(&f, two, 2), 2);
  assert_non_null(two[0]);
  assert_non_null(two[1]);
  assert_int_equal(s_flags(&f, NULL, 0), 0);
}

static void test_flags_without_result(void **state) {
  (void)state;
  police_fixture_t f;
  s_fixture(&f, 20, G_STD);
  const char *flags[8];
  size_t n = mash_dash_police_flags(&f.n, NULL, flags, 8);
  assert_int_equal(n, 1);
  assert_string_equal(flags[0], MASH_FLAG_GRADE_BELOW_CHECKLIST);
}

static void test_flags_not_police(void **state) {
  (void)state;
  Mash__V1__Notification n = MASH__V1__NOTIFICATION__INIT;
  Mash__V1__HealthDetail h = MASH__V1__HEALTH_DETAIL__INIT;
  n.detail_case = MASH__V1__NOTIFICATION__DETAIL_HEALTH;
  n.health = &h;
  mash_dash_result_t r;
  mash_dash_score(NULL, 0, G_NONE, true, &r);
  const char *flags[8];
  assert_int_equal(mash_dash_police_flags(&n, &r, flags, 8), 0);
  assert_int_equal(mash_dash_police_flags(NULL, &r, flags, 8), 0);
}

/* ---------------------------------------------------------------- wire and names */

static void test_to_pb(void **state) {
  (void)state;
  Mash__V1__DashAnswer answers[27];
  for (unsigned i = 0; i < 27; i++) {
    answers[i] = i < 15 ? YES : NO;
  }
  mash_dash_result_t r;
  mash_dash_score(answers, 27, G_MED, true, &r);
  Mash__V1__DashScore pb;
  memset(&pb, 0xa5, sizeof pb);
  mash_dash_to_pb(&r, &pb);
  assert_ptr_equal(pb.base.descriptor, &mash__v1__dash_score__descriptor);
  assert_true(pb.present);
  assert_true(pb.complete);
  assert_int_equal(pb.yes_count, 15);
  assert_int_equal(pb.checklist_grade, G_HIGH);
  assert_int_equal(pb.officer_grade, G_MED);
  assert_int_equal(pb.final_grade, G_HIGH);
  assert_true(pb.grade_raised);
}

static void test_grade_names(void **state) {
  (void)state;
  assert_string_equal(mash_risk_grade_name(G_STD), "standard");
  assert_string_equal(mash_risk_grade_name(G_MED), "medium");
  assert_string_equal(mash_risk_grade_name(G_HIGH), "high");
  assert_string_equal(mash_risk_grade_name(G_NONE), "none");
  assert_string_equal(mash_risk_grade_name((Mash__V1__RiskGrade)77), "none");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_score_table),
      cmocka_unit_test(test_score_exhaustive),
      cmocka_unit_test(test_score_order_does_not_matter),
      cmocka_unit_test(test_score_null_answers),
      cmocka_unit_test(test_flags_clean),
      cmocka_unit_test(test_flags_dash_missing),
      cmocka_unit_test(test_flags_incomplete),
      cmocka_unit_test(test_flags_grade_below),
      cmocka_unit_test(test_flags_officer_and_incident),
      cmocka_unit_test(test_flags_all_and_max),
      cmocka_unit_test(test_flags_without_result),
      cmocka_unit_test(test_flags_not_police),
      cmocka_unit_test(test_to_pb),
      cmocka_unit_test(test_grade_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
