/* dash: scoring of the police DASH checklist. Pure functions, no I/O.
 *
 * Rules (DOMAIN.md): 27 yes/no/not-known answers; 14 or more "yes" is visible
 * high risk; professional judgement may raise a grade but never lower it, so
 * an officer grade below the checklist's is raised and flagged; a domestic
 * abuse notification without a DASH is flagged.
 */
#ifndef MASH_DASH_H
#define MASH_DASH_H

#include <stdbool.h>
#include <stddef.h>

#include "mash.pb-c.h"

#define MASH_DASH_HIGH_YES 14

typedef struct mash_dash_result {
  bool present;  /* any answers given */
  bool complete; /* exactly 27 answers, none UNSPECIFIED */
  unsigned yes_count;
  Mash__V1__RiskGrade checklist_grade; /* HIGH at >= 14 yes, else STANDARD; UNSPECIFIED if absent */
  Mash__V1__RiskGrade officer_grade;
  Mash__V1__RiskGrade final_grade; /* max(officer, checklist) */
  bool grade_raised;               /* officer grade was below the checklist grade */
  bool missing_on_domestic_abuse;
} mash_dash_result_t;

/* Score `n` answers (n may be 0: no DASH). */
void mash_dash_score(const Mash__V1__DashAnswer *answers, size_t n,
                     Mash__V1__RiskGrade officer_grade, bool domestic_abuse,
                     mash_dash_result_t *out);

/* Data-quality flag names (stable strings used on the wire and in stats). */
#define MASH_FLAG_DASH_MISSING "dash_missing"
#define MASH_FLAG_DASH_INCOMPLETE "dash_incomplete"
#define MASH_FLAG_GRADE_BELOW_CHECKLIST "grade_below_checklist"
#define MASH_FLAG_NO_OFFICER "no_officer_in_case"
#define MASH_FLAG_NO_INCIDENT_NUMBER "no_incident_number"

/* Compute the police quality flags of a notification (police detail present)
 * into `flags` (up to `max` static strings). Returns how many were written. */
size_t mash_dash_police_flags(const Mash__V1__Notification *n, const mash_dash_result_t *r,
                              const char **flags, size_t max);

/* Fill a wire DashScore from a result. */
void mash_dash_to_pb(const mash_dash_result_t *r, Mash__V1__DashScore *out);

#endif
