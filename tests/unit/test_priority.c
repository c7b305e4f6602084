/* test_priority: the screening queue's priority (broker/priority.h).
 *
 * The table row by row, every combination of reasons with and without
 * "information only" (which must sort below all of them), the queue order
 * with ties broken by arrival, the injury scan, ages in months around
 * birthdays and leap days, and the facts read out of police and other
 * notifications.
 * Must not: touch the network, the disk or the clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "dash.h"
#include "priority.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

#define G_HIGH MASH__V1__RISK_GRADE__RISK_GRADE_HIGH
#define G_MED MASH__V1__RISK_GRADE__RISK_GRADE_MEDIUM
#define G_NONE MASH__V1__RISK_GRADE__RISK_GRADE_UNSPECIFIED

/* An input with nothing known: zero, but no child's age. */
#define NOTHING .youngest_child_months = -1

/* Join the reasons of p with commas into buf. */
static const char *s_reasons(const mash_priority_t *p, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < p->n_reasons; i++) {
    int n = snprintf(buf + used, size - used, "%s%s", i > 0 ? "," : "", p->reasons[i]);
    assert_true(n > 0 && (size_t)n < size - used);
    used += (size_t)n;
  }
  return buf;
}

/* ---------------------------------------------------------------- the table */

typedef struct row_case {
  const char *name;
  mash_priority_input_t in;
  int score;
  const char *reasons;
} row_case_t;

static const row_case_t s_rows[] = {
    {"nothing", {NOTHING}, 0, ""},
    {"DASH high", {NOTHING, .dash_final_grade = G_HIGH}, 40, "dash_high"},
    {"DASH medium is not high", {NOTHING, .dash_final_grade = G_MED}, 0, ""},
    {"grade raised", {NOTHING, .grade_raised = true}, 15, "grade_raised"},
    {"one child present", {NOTHING, .children_present = 1}, 25, "children_present"},
    {"three children present", {NOTHING, .children_present = 3}, 25, "children_present"},
    {"injury", {NOTHING, .injury = true}, 30, "injury"},
    {"newborn", {.youngest_child_months = 0}, 25, "child_under_2"},
    {"23 months", {.youngest_child_months = 23}, 25, "child_under_2"},
    {"24 months", {.youngest_child_months = 24}, 0, ""},
    {"pregnancy", {NOTHING, .pregnancy = true}, 20, "pregnancy"},
    {"one earlier contact", {NOTHING, .repeat_contacts_12m = 1}, 0, ""},
    {"two earlier contacts", {NOTHING, .repeat_contacts_12m = 2}, 15, "repeat_contacts"},
    {"ten earlier contacts", {NOTHING, .repeat_contacts_12m = 10}, 15, "repeat_contacts"},
    {"agency red flag", {NOTHING, .agency_red_flag = true}, 35, "agency_red_flag"},
    {"information only", {NOTHING, .information_only = true}, -1000, "information_only"},
    {"the police example",
     {NOTHING, .dash_final_grade = G_HIGH, .grade_raised = true, .children_present = 2,
      .injury = true},
     110,
     "dash_high,grade_raised,children_present,injury"},
    {"everything",
     {.dash_final_grade = G_HIGH,
      .grade_raised = true,
      .children_present = 2,
      .injury = true,
      .youngest_child_months = 3,
      .pregnancy = true,
      .repeat_contacts_12m = 4,
      .agency_red_flag = true},
     205,
     "dash_high,grade_raised,children_present,injury,child_under_2,pregnancy,repeat_contacts,"
     "agency_red_flag"},
    {"everything, information only",
     {.dash_final_grade = G_HIGH,
      .grade_raised = true,
      .children_present = 2,
      .injury = true,
      .youngest_child_months = 3,
      .pregnancy = true,
      .repeat_contacts_12m = 4,
      .agency_red_flag = true,
      .information_only = true},
     -795,
     "dash_high,grade_raised,children_present,injury,child_under_2,pregnancy,repeat_contacts,"
     "agency_red_flag,information_only"},
};

static void test_rows(void **state) {
  (void)state;
  for (size_t i = 0; i < N_OF(s_rows); i++) {
    mash_priority_t p;
    memset(&p, 0xa5, sizeof p);
    mash_priority_eval(&s_rows[i].in, &p);
    char buf[512];
    s_reasons(&p, buf, sizeof buf);
    if (p.score != s_rows[i].score || strcmp(buf, s_rows[i].reasons) != 0) {
      fail_msg("case \"%s\": %d \"%s\", expected %d \"%s\"", s_rows[i].name, p.score, buf,
               s_rows[i].score, s_rows[i].reasons);
    }
  }
}

static void test_reason_names(void **state) {
  (void)state;
  static const struct {
    const char *code;
    int weight;
  } want[] = {
      {"dash_high", 40},       {"grade_raised", 15},    {"children_present", 25},
      {"injury", 30},          {"child_under_2", 25},   {"pregnancy", 20},
      {"repeat_contacts", 15}, {"agency_red_flag", 35}, {"information_only", -1000},
  };
  assert_int_equal(N_OF(want), MASH_PRIORITY_REASON_COUNT);
  for (int r = 0; r < MASH_PRIORITY_REASON_COUNT; r++) {
    assert_string_equal(mash_priority_reason_code((mash_priority_reason_t)r), want[r].code);
    assert_int_equal(mash_priority_reason_weight((mash_priority_reason_t)r), want[r].weight);
    const char *label = mash_priority_reason_label((mash_priority_reason_t)r);
    assert_non_null(label);
    assert_true(strlen(label) > 3);
  }
  assert_null(mash_priority_reason_code(MASH_PRIORITY_REASON_COUNT));
  assert_null(mash_priority_reason_label((mash_priority_reason_t)-1));
  assert_int_equal(mash_priority_reason_weight(MASH_PRIORITY_REASON_COUNT), 0);
  assert_string_equal(mash_priority_reason_label(MASH_PRIORITY_INFORMATION_ONLY),
                      "Information only");
}

/* The input with the reasons of bit mask `mask` (bit r: reason r). */
static mash_priority_input_t s_input(unsigned mask) {
  mash_priority_input_t in = {NOTHING};
  in.dash_final_grade = (mask & 1u << MASH_PRIORITY_DASH_HIGH) ? G_HIGH : G_NONE;
  in.grade_raised = mask & 1u << MASH_PRIORITY_GRADE_RAISED;
  in.children_present = (mask & 1u << MASH_PRIORITY_CHILDREN_PRESENT) ? 1 : 0;
  in.injury = mask & 1u << MASH_PRIORITY_INJURY;
  in.youngest_child_months = (mask & 1u << MASH_PRIORITY_CHILD_UNDER_2) ? 11 : 30;
  in.pregnancy = mask & 1u << MASH_PRIORITY_PREGNANCY;
  in.repeat_contacts_12m = (mask & 1u << MASH_PRIORITY_REPEAT_CONTACTS) ? 2 : 1;
  in.agency_red_flag = mask & 1u << MASH_PRIORITY_AGENCY_RED_FLAG;
  in.information_only = mask & 1u << MASH_PRIORITY_INFORMATION_ONLY;
  return in;
}

/* Every combination: the score is the sum of the weights, the reasons are
 * those applying in table order, and information only is below everything
 * else whatever either carries. */
static void test_every_combination(void **state) {
  (void)state;
  const unsigned info = 1u << MASH_PRIORITY_INFORMATION_ONLY;
  int lowest_other = 1 << 30, highest_info = -(1 << 30);
  for (unsigned mask = 0; mask < 1u << MASH_PRIORITY_REASON_COUNT; mask++) {
    mash_priority_input_t in = s_input(mask);
    mash_priority_t p;
    mash_priority_eval(&in, &p);
    int sum = 0;
    size_t k = 0;
    for (int r = 0; r < MASH_PRIORITY_REASON_COUNT; r++) {
      if (mask & 1u << r) {
        sum += mash_priority_reason_weight((mash_priority_reason_t)r);
        assert_true(k < p.n_reasons);
        assert_string_equal(p.reasons[k], mash_priority_reason_code((mash_priority_reason_t)r));
        k++;
      }
    }
    assert_int_equal(p.n_reasons, k);
    assert_int_equal(p.score, sum);
    if (mask & info) {
      highest_info = p.score > highest_info ? p.score : highest_info;
    } else {
      lowest_other = p.score < lowest_other ? p.score : lowest_other;
      /* More reasons never lower the priority. */
      for (int r = 0; r < MASH_PRIORITY_INFORMATION_ONLY; r++) {
        mash_priority_t more;
        mash_priority_input_t in2 = s_input(mask | 1u << r);
        mash_priority_eval(&in2, &more);
        assert_true(more.score >= p.score);
      }
    }
  }
  assert_int_equal(lowest_other, 0);
  assert_int_equal(highest_info, -795);
  /* The order check itself, the worst case both ways round. */
  mash_priority_input_t best_info = s_input((1u << MASH_PRIORITY_REASON_COUNT) - 1);
  mash_priority_input_t plain = s_input(0);
  mash_priority_t pi, pp;
  mash_priority_eval(&best_info, &pi);
  mash_priority_eval(&plain, &pp);
  assert_true(mash_priority_cmp(&pp, 1000, &pi, 0) < 0);
  assert_true(mash_priority_cmp(&pi, 0, &pp, 1000) > 0);
}

static void test_eval_null(void **state) {
  (void)state;
  mash_priority_t p;
  memset(&p, 0xa5, sizeof p);
  mash_priority_eval(NULL, &p);
  assert_int_equal(p.score, 0);
  assert_int_equal(p.n_reasons, 0);
  mash_priority_input_t in = {NOTHING};
  mash_priority_eval(&in, NULL); /* no crash */
}

/* ---------------------------------------------------------------- order */

typedef struct queued {
  const char *name;
  mash_priority_input_t in;
  int64_t received;
  mash_priority_t p;
} queued_t;

static int s_queue_cmp(const void *a, const void *b) {
  const queued_t *qa = a, *qb = b;
  return mash_priority_cmp(&qa->p, qa->received, &qb->p, qb->received);
}

static void test_queue_order(void **state) {
  (void)state;
  queued_t q[] = {
      {"info, everything", s_input((1u << MASH_PRIORITY_REASON_COUNT) - 1), 1, {0}},
      {"info, plain", {NOTHING, .information_only = true}, 0, {0}},
      {"nothing, later", {NOTHING}, 5, {0}},
      {"nothing, earlier", {NOTHING}, 3, {0}},
      {"dash high", {NOTHING, .dash_final_grade = G_HIGH}, 9, {0}},
      {"injury, children", {NOTHING, .injury = true, .children_present = 2}, 8, {0}},
      {"red flag", {NOTHING, .agency_red_flag = true}, 7, {0}},
      {"baby", {.youngest_child_months = 2}, 6, {0}},
      {"baby, first", {.youngest_child_months = 2}, 2, {0}},
  };
  for (size_t i = 0; i < N_OF(q); i++) {
    mash_priority_eval(&q[i].in, &q[i].p);
  }
  qsort(q, N_OF(q), sizeof q[0], s_queue_cmp);
  static const char *const want[] = {
      "injury, children", "dash high",      "red flag",         "baby, first", "baby",
      "nothing, earlier", "nothing, later", "info, everything", "info, plain",
  };
  for (size_t i = 0; i < N_OF(want); i++) {
    if (strcmp(q[i].name, want[i]) != 0) {
      fail_msg("position %zu: \"%s\", expected \"%s\"", i, q[i].name, want[i]);
    }
  }
  assert_int_equal(mash_priority_cmp(&q[0].p, 1, &q[0].p, 1), 0);
  assert_int_equal(mash_priority_cmp(NULL, 1, NULL, 1), 0);
}

/* ---------------------------------------------------------------- facts */

static const struct {
  const char *text;
  bool injury;
} s_concerns[] = {
    {"Mother had a facial injury and said her partner had tried to strangle her.", true},
    {"Child INJURED at home", true},
    {"multiple injuries", true},
    {"he choked her", true},
    {"Choking", true},
    {"Knives were found in the kitchen", true},
    {"threatened with a KNIFE", true},
    {"a weapon was used", true},
    {"strangulation", true},
    {"tried to suffocate her with a pillow", true},
    {"a strange car outside", false},
    {"Shouting and breaking glass; no one hurt.", false},
    {"Child unwashed, little food", false},
    {"injur", true},
    {"inj", false},
    /* Bruising is an injury (issue 14). */
    {"bruising to the left upper arm", true},
    {"Bruised cheek", true},
    {"a bruise on his back", true},
    /* Denied injuries are not injuries (issue 14). */
    {"No injuries seen.", false},
    {"Verbal argument between parents. No injuries seen. Child asleep upstairs.", false},
    {"no obvious signs of injury", false},
    {"Mother denied any injury", false},
    {"child was uninjured", false},
    {"officers didn't see a weapon", false},
    {"without injury", false},
    /* The denial holds in its clause only. */
    {"No injuries to the mother but the baby was bruised", true},
    {"no injury to the mother; the child was choked", true},
    {"no marks, bruising to the arm", true},
    {"no one was there when she was strangled", true}, /* five words on: not denied */
    {"the bruising is not consistent with a fall", true},
    {"", false},
};

static void test_concern_injury(void **state) {
  (void)state;
  for (size_t i = 0; i < N_OF(s_concerns); i++) {
    if (mash_priority_concern_injury(s_concerns[i].text) != s_concerns[i].injury) {
      fail_msg("concern \"%s\": expected %d", s_concerns[i].text, s_concerns[i].injury);
    }
  }
  assert_false(mash_priority_concern_injury(NULL));
}

static int64_t s_ms(const char *iso) {
  int64_t ms = 0;
  assert_int_equal(mash_clock_parse(iso, &ms), 0);
  return ms;
}

static void test_age_months(void **state) {
  (void)state;
  static const struct {
    const char *dob, *at;
    int months;
  } cases[] = {
      {"2024-07-15", "2026-11-23T02:10:00Z", 28},
      {"2019-03-01", "2026-11-23T02:10:00Z", 92},
      {"2025-01-01", "2026-12-31T23:59:59Z", 23},
      {"2025-01-01", "2027-01-01T00:00:00Z", 24},
      {"2024-11-24", "2026-11-23T23:59:59Z", 23}, /* the day before the 2nd birthday */
      {"2024-11-23", "2026-11-23T00:00:00Z", 24},
      {"2024-02-29", "2025-02-28T12:00:00Z", 11},
      {"2024-02-29", "2025-03-01T00:00:00Z", 12},
      {"2026-12-01", "2026-11-23T02:10:00Z", 0}, /* born since */
      {"2026-11-23", "2026-11-23T02:10:00Z", 0},
      {"1969-12-31", "1970-01-01T00:00:00Z", 0},
      {"1960-01-01", "1969-12-31T23:00:00Z", 119}, /* before the epoch */
      {"2019-3-1", "2026-11-23T02:10:00Z", -1},
      {"2019-13-01", "2026-11-23T02:10:00Z", -1},
      {"2019-00-01", "2026-11-23T02:10:00Z", -1},
      {"2019-01-32", "2026-11-23T02:10:00Z", -1},
      {"abcd-ef-gh", "2026-11-23T02:10:00Z", -1},
      {"", "2026-11-23T02:10:00Z", -1},
  };
  for (size_t i = 0; i < N_OF(cases); i++) {
    int got = mash_priority_age_months(cases[i].dob, s_ms(cases[i].at));
    if (got != cases[i].months) {
      fail_msg("dob %s at %s: %d months, expected %d", cases[i].dob, cases[i].at, got,
               cases[i].months);
    }
  }
  assert_int_equal(mash_priority_age_months(NULL, 0), -1);
}

/* A police notification like the DASH example, to vary. */
typedef struct police_fixture {
  Mash__V1__Person c1, c2;
  Mash__V1__Person *children[3];
  char *present[2];
  Mash__V1__DashAnswer answers[27];
  Mash__V1__PoliceDetail pd;
  Mash__V1__Notification n;
} police_fixture_t;

static void s_police(police_fixture_t *f) {
  f->c1 = (Mash__V1__Person)MASH__V1__PERSON__INIT;
  f->c1.ref = "c1";
  f->c1.date_of_birth = "2019-03-01";
  f->c2 = (Mash__V1__Person)MASH__V1__PERSON__INIT;
  f->c2.ref = "c2";
  f->c2.date_of_birth = "2025-01-01";
  f->children[0] = &f->c1;
  f->children[1] = &f->c2;
  f->children[2] = NULL; /* tolerated */
  f->present[0] = "c1";
  f->present[1] = "c2";
  for (size_t i = 0; i < 27; i++) {
    f->answers[i] = MASH__V1__DASH_ANSWER__DASH_ANSWER_NO;
  }
  f->pd = (Mash__V1__PoliceDetail)MASH__V1__POLICE_DETAIL__INIT;
  f->pd.n_children_present_refs = 2;
  f->pd.children_present_refs = f->present;
  f->pd.n_dash_answers = 27;
  f->pd.dash_answers = f->answers;
  f->pd.officer_grade = G_MED;
  f->pd.formal_referral = 1;
  f->pd.domestic_abuse = 1;
  f->n = (Mash__V1__Notification)MASH__V1__NOTIFICATION__INIT;
  f->n.n_children = 3;
  f->n.children = f->children;
  f->n.concern = "Shouting and breaking glass.";
  f->n.occurred_at_ms = s_ms("2026-11-23T02:10:00Z");
  f->n.detail_case = MASH__V1__NOTIFICATION__DETAIL_POLICE;
  f->n.police = &f->pd;
}

static void test_from_police_notification(void **state) {
  (void)state;
  police_fixture_t f;
  s_police(&f);
  /* 14 "yes" raise the officer's medium to high; question 9 is one. */
  for (size_t i = 0; i < 14; i++) {
    f.answers[i + 2] = MASH__V1__DASH_ANSWER__DASH_ANSWER_YES;
  }
  assert_int_equal(f.answers[8], MASH__V1__DASH_ANSWER__DASH_ANSWER_YES);
  assert_int_equal(f.answers[0], MASH__V1__DASH_ANSWER__DASH_ANSWER_NO);
  assert_int_equal(f.answers[17], MASH__V1__DASH_ANSWER__DASH_ANSWER_NO);
  mash_dash_result_t dash;
  mash_dash_score(f.answers, 27, G_MED, true, &dash);

  mash_priority_input_t in;
  mash_priority_input_from_notification(&f.n, &dash, 0, 3, true, &in);
  assert_int_equal(in.dash_final_grade, G_HIGH);
  assert_true(in.grade_raised);
  assert_int_equal(in.children_present, 2);
  assert_false(in.injury);
  assert_int_equal(in.youngest_child_months, 22);
  assert_true(in.pregnancy);
  assert_int_equal(in.repeat_contacts_12m, 3);
  assert_true(in.agency_red_flag);
  assert_false(in.information_only);
  mash_priority_t p;
  mash_priority_eval(&in, &p);
  assert_int_equal(p.score, 40 + 15 + 25 + 25 + 20 + 15 + 35);

  /* The concern names the injury. */
  f.n.concern = "Mother had a facial injury.";
  mash_priority_input_from_notification(&f.n, &dash, 0, 0, false, &in);
  assert_true(in.injury);

  /* So do DASH questions 1 and 18, each alone. */
  f.n.concern = "";
  f.answers[0] = MASH__V1__DASH_ANSWER__DASH_ANSWER_YES;
  mash_priority_input_from_notification(&f.n, NULL, 0, 0, false, &in);
  assert_true(in.injury);
  assert_int_equal(in.dash_final_grade, G_NONE); /* no DASH result given */
  f.answers[0] = MASH__V1__DASH_ANSWER__DASH_ANSWER_NO;
  f.answers[17] = MASH__V1__DASH_ANSWER__DASH_ANSWER_YES;
  mash_priority_input_from_notification(&f.n, NULL, 0, 0, false, &in);
  assert_true(in.injury);
  f.answers[17] = MASH__V1__DASH_ANSWER__DASH_ANSWER_NOT_KNOWN;
  mash_priority_input_from_notification(&f.n, NULL, 0, 0, false, &in);
  assert_false(in.injury);

  /* A short checklist has no question 9. */
  f.pd.n_dash_answers = 8;
  mash_priority_input_from_notification(&f.n, NULL, 0, 0, false, &in);
  assert_false(in.pregnancy);

  /* Not a formal referral: information only, last in the queue. */
  f.pd.formal_referral = 0;
  mash_priority_input_from_notification(&f.n, &dash, 0, 3, true, &in);
  assert_true(in.information_only);
  mash_priority_eval(&in, &p);
  assert_true(p.score < 0);
  assert_string_equal(p.reasons[p.n_reasons - 1], "information_only");
}

static void test_from_other_notifications(void **state) {
  (void)state;
  Mash__V1__Person c = MASH__V1__PERSON__INIT;
  c.date_of_birth = "2026-06-01";
  Mash__V1__Person bad = MASH__V1__PERSON__INIT;
  bad.date_of_birth = "not a date";
  Mash__V1__Person *children[] = {&bad, &c};
  Mash__V1__HealthDetail hd = MASH__V1__HEALTH_DETAIL__INIT;
  Mash__V1__Notification n = MASH__V1__NOTIFICATION__INIT;
  n.n_children = 2;
  n.children = children;
  n.concern = "Baby brought to A&E: fell from a sofa and was injured.";
  n.detail_case = MASH__V1__NOTIFICATION__DETAIL_HEALTH;
  n.health = &hd;
  /* No occurred_at: the age is taken at receipt. */
  mash_priority_input_t in;
  mash_priority_input_from_notification(&n, NULL, s_ms("2026-11-23T09:00:00Z"), 0, false, &in);
  assert_int_equal(in.children_present, 0);
  assert_true(in.injury);
  assert_int_equal(in.youngest_child_months, 5);
  assert_false(in.pregnancy);
  /* An unspecified category is a quality gap, not "information only". */
  assert_int_equal(n.concern_category, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_UNSPECIFIED);
  assert_false(in.information_only);
  mash_priority_t p;
  mash_priority_eval(&in, &p);
  assert_int_equal(p.score, 30 + 25);

  /* No children with a known dob: no age. */
  n.n_children = 1;
  mash_priority_input_from_notification(&n, NULL, 0, 0, false, &in);
  assert_int_equal(in.youngest_child_months, -1);

  /* Nothing at all. */
  memset(&in, 0xa5, sizeof in);
  mash_priority_input_from_notification(NULL, NULL, 0, 7, true, &in);
  assert_int_equal(in.youngest_child_months, -1);
  assert_int_equal(in.repeat_contacts_12m, 7);
  assert_true(in.agency_red_flag);
  assert_false(in.injury);
  assert_int_equal(in.children_present, 0);
  mash_priority_input_from_notification(&n, NULL, 0, 0, false, NULL); /* no crash */
}

/* Issue 14: bruising on a child under 2 is an injury to a baby, screened
 * before the same text with the injury denied. */
static void test_bruising_under_two(void **state) {
  (void)state;
  Mash__V1__Person baby = MASH__V1__PERSON__INIT;
  baby.date_of_birth = "2025-07-10"; /* 16 months old on the day */
  Mash__V1__Person *children[] = {&baby};
  Mash__V1__HealthDetail hd = MASH__V1__HEALTH_DETAIL__INIT;
  Mash__V1__Notification n = MASH__V1__NOTIFICATION__INIT;
  n.n_children = 1;
  n.children = children;
  n.occurred_at_ms = s_ms("2026-11-20T23:50:00Z");
  n.detail_case = MASH__V1__NOTIFICATION__DETAIL_HEALTH;
  n.health = &hd;
  n.concern = "Leo (16 months) brought in with bruising to the left upper arm and right cheek.";
  mash_priority_input_t in;
  mash_priority_input_from_notification(&n, NULL, 0, 0, false, &in);
  assert_true(in.injury);
  assert_int_equal(in.youngest_child_months, 16);
  mash_priority_t bruised;
  mash_priority_eval(&in, &bruised);
  assert_int_equal(bruised.score, 30 + 25);
  assert_int_equal(bruised.n_reasons, 2);

  n.concern = "Leo (16 months) seen for a cough. No bruising or other injuries seen.";
  mash_priority_input_from_notification(&n, NULL, 0, 0, false, &in);
  assert_false(in.injury);
  mash_priority_t coughing;
  mash_priority_eval(&in, &coughing);
  assert_int_equal(coughing.score, 25);
  assert_true(mash_priority_cmp(&bruised, 2, &coughing, 1) < 0); /* first, though later */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rows),
      cmocka_unit_test(test_reason_names),
      cmocka_unit_test(test_every_combination),
      cmocka_unit_test(test_eval_null),
      cmocka_unit_test(test_queue_order),
      cmocka_unit_test(test_concern_injury),
      cmocka_unit_test(test_bruising_under_two),
      cmocka_unit_test(test_age_months),
      cmocka_unit_test(test_from_police_notification),
      cmocka_unit_test(test_from_other_notifications),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
