/* dash: scoring of the police DASH checklist and the police data-quality flags.
 *
 * Responsible for: counting "yes" answers, grading the checklist (14 or more
 * "yes" is visible high risk), combining the checklist grade with the
 * officer's grade so that professional judgement can raise a grade but never
 * lower it, and naming the quality problems of a police notification.
 * Must not: do any I/O, log, allocate, or keep state. Every function is a
 * pure function of its arguments and is safe from any thread.
 */
#include "dash.h"

#include <string.h>

#include "codec.h"

/* Grades outside the enum (an unknown value off the wire) count as no grade,
 * so that they can neither win the max() nor be shown as a grade. */
static Mash__V1__RiskGrade s_grade_clean(Mash__V1__RiskGrade g) {
  switch (g) {
  case MASH__V1__RISK_GRADE__RISK_GRADE_STANDARD:
  case MASH__V1__RISK_GRADE__RISK_GRADE_MEDIUM:
  case MASH__V1__RISK_GRADE__RISK_GRADE_HIGH:
    return g;
  default:
    return MASH__V1__RISK_GRADE__RISK_GRADE_UNSPECIFIED;
  }
}

static bool s_answer_given(Mash__V1__DashAnswer a) {
  return a == MASH__V1__DASH_ANSWER__DASH_ANSWER_YES ||
         a == MASH__V1__DASH_ANSWER__DASH_ANSWER_NO ||
         a == MASH__V1__DASH_ANSWER__DASH_ANSWER_NOT_KNOWN;
}

void mash_dash_score(const Mash__V1__DashAnswer *answers, size_t n,
                     Mash__V1__RiskGrade officer_grade, bool domestic_abuse,
                     mash_dash_result_t *out) {
  if (out == NULL) {
    return;
  }
  if (answers == NULL) {
    n = 0;
  }
  memset(out, 0, sizeof *out);
  out->present = n > 0;

  bool all_given = true;
  for (size_t i = 0; i < n; i++) {
    if (answers[i] == MASH__V1__DASH_ANSWER__DASH_ANSWER_YES) {
      out->yes_count++;
    }
    if (!s_answer_given(answers[i])) {
      all_given = false;
    }
  }
  out->complete = n == MASH_DASH_ITEMS && all_given;

  /* The checklist alone grades high or standard: "medium" is a judgement the
   * checklist cannot make. An incomplete checklist with 14 "yes" is still
   * visible high risk. */
  if (!out->present) {
    out->checklist_grade = MASH__V1__RISK_GRADE__RISK_GRADE_UNSPECIFIED;
  } else if (out->yes_count >= MASH_DASH_HIGH_YES) {
    out->checklist_grade = MASH__V1__RISK_GRADE__RISK_GRADE_HIGH;
  } else {
    out->checklist_grade = MASH__V1__RISK_GRADE__RISK_GRADE_STANDARD;
  }

  out->officer_grade = s_grade_clean(officer_grade);
  /* The enum values are ordered UNSPECIFIED < STANDARD < MEDIUM < HIGH, so
   * the higher grade is the larger value. */
  out->final_grade =
      out->officer_grade > out->checklist_grade ? out->officer_grade : out->checklist_grade;
  /* Raised only when the officer gave a grade and it was below the checklist:
   * an ungraded notification simply takes the checklist's grade. */
  out->grade_raised = out->officer_grade != MASH__V1__RISK_GRADE__RISK_GRADE_UNSPECIFIED &&
                      out->officer_grade < out->checklist_grade;
  out->missing_on_domestic_abuse = domestic_abuse && !out->present;
}

/* A text field counts as empty when it holds nothing but white space. */
static bool s_blank(const char *s) {
  if (s == NULL) {
    return true;
  }
  for (; *s != '\0'; s++) {
    if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n') {
      return false;
    }
  }
  return true;
}

size_t mash_dash_police_flags(const Mash__V1__Notification *n, const mash_dash_result_t *r,
                              const char **flags, size_t max) {
  if (n == NULL || n->detail_case != MASH__V1__NOTIFICATION__DETAIL_POLICE || n->police == NULL) {
    return 0;
  }
  const Mash__V1__PoliceDetail *p = n->police;
  bool domestic_abuse =
      p->domestic_abuse ||
      n->concern_category == MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE;

  /* Without a result from the caller, score the notification's own DASH. */
  mash_dash_result_t own;
  if (r == NULL) {
    mash_dash_score(p->dash_answers, p->n_dash_answers, p->officer_grade, domestic_abuse, &own);
    r = &own;
  }

  const char *found[5];
  size_t count = 0;
  if (r->missing_on_domestic_abuse || (domestic_abuse && !r->present)) {
    found[count++] = MASH_FLAG_DASH_MISSING;
  }
  if (r->present && !r->complete) {
    found[count++] = MASH_FLAG_DASH_INCOMPLETE;
  }
  if (r->grade_raised) {
    found[count++] = MASH_FLAG_GRADE_BELOW_CHECKLIST;
  }
  if (s_blank(p->officer_name)) {
    found[count++] = MASH_FLAG_NO_OFFICER;
  }
  if (s_blank(p->incident_number)) {
    found[count++] = MASH_FLAG_NO_INCIDENT_NUMBER;
  }

  size_t written = 0;
  for (size_t i = 0; i < count && written < max && flags != NULL; i++) {
    flags[written++] = found[i];
  }
  return written;
}

void mash_dash_to_pb(const mash_dash_result_t *r, Mash__V1__DashScore *out) {
  if (r == NULL || out == NULL) {
    return;
  }
  *out = (Mash__V1__DashScore)MASH__V1__DASH_SCORE__INIT;
  out->present = r->present;
  out->complete = r->complete;
  out->yes_count = r->yes_count;
  out->checklist_grade = r->checklist_grade;
  out->officer_grade = r->officer_grade;
  out->final_grade = r->final_grade;
  out->grade_raised = r->grade_raised;
}
