/* priority: the order of the hub desk's screening queue. Pure functions of
 * the notification, no I/O.
 *
 * Responsible for: the facts about a notification that make it urgent, a
 * const table of (reason, weight) over those facts, the score and the
 * reasons the desk is shown, and the queue's order. Must not: read the
 * store, the clock or the network, log, allocate or keep state: the caller
 * supplies the counts only the store knows (earlier contacts, agency red
 * flags). Every function is safe from any thread.
 *
 * The table (stable reason codes, shown with their labels to the hub worker):
 *
 *   reason             weight  when
 *   dash_high             +40  the final DASH grade is high
 *   grade_raised          +15  the checklist raised the officer's grade
 *   children_present      +25  children were present at the incident
 *   injury                +30  the concern mentions an injury, strangling,
 *                              choking, suffocation, a weapon or a knife;
 *                              or DASH question 1 (injury) or 18
 *                              (strangling, choking, suffocating,
 *                              drowning) is "yes"
 *   child_under_2         +25  the youngest child was under 24 months old
 *                              when it happened
 *   pregnancy             +20  DASH question 9 (pregnant or a baby under 18
 *                              months) is "yes"
 *   repeat_contacts       +15  2 or more earlier contacts about these
 *                              children in the 12 months before, so this is
 *                              at least the third (DASH's "potential
 *                              escalation": 3 or more incidents in 12 months)
 *   agency_red_flag       +35  any agency holds a red flag on the child
 *   information_only    -1000  a police notification that is not a formal
 *                              referral
 *
 * The score is the sum of the weights of the reasons that apply; a higher
 * score is screened first, and equal scores in order of arrival. Information
 * only always sorts last, whatever else applies, by banding: every other
 * weight is positive and together they make 205 (< 1000), so any
 * information-only score is below -794 and any other score is >= 0. The
 * reasons still list everything that applied, so a worker sees an
 * information-only notice that carries, say, "dash_high".
 *
 * Injury comes from the concern text because no agency sends it as a field:
 * the scan is for the case-insensitive stems "injur", "strangl", "chok",
 * "weapon", "knife" and "bruis" (bruise, bruised, bruising), with "strangu"
 * (strangulation), "suffocat" (the rest of DASH question 18) and "knive"
 * (knives) so that no form of those words is missed. A stem inside a longer
 * word still counts: a false "injury" moves a notification up the queue, a
 * missed one would bury it. A denied injury does not count: a stem within
 * four words after "no", "not", "without", "never", "denied" and the like
 * in the same clause ("No injuries seen", "no obvious signs of injury"), or
 * after "un"/"non" in its word ("uninjured"). A clause ends at . , ; : ! ?
 * or "but", "however", "although", "though", "yet", so "no injury to the
 * mother but the baby was bruised" counts. One pass over the words.
 *
 * A notification whose concern category is unspecified is NOT treated as
 * information only: a missing category is a data-quality gap, and sinking it
 * to the bottom of the queue could bury a real concern.
 */
#ifndef MASH_PRIORITY_H
#define MASH_PRIORITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dash.h"
#include "mash.pb-c.h"

/* Earlier contacts in 12 months from which "repeat_contacts" applies. */
#define MASH_PRIORITY_REPEAT_MIN 2u
/* Youngest child's age, in whole months, below which "child_under_2". */
#define MASH_PRIORITY_UNDER_2_MONTHS 24

/* Reasons, in table order (also the order of mash_priority_t.reasons). */
typedef enum mash_priority_reason {
  MASH_PRIORITY_DASH_HIGH,
  MASH_PRIORITY_GRADE_RAISED,
  MASH_PRIORITY_CHILDREN_PRESENT,
  MASH_PRIORITY_INJURY,
  MASH_PRIORITY_CHILD_UNDER_2,
  MASH_PRIORITY_PREGNANCY,
  MASH_PRIORITY_REPEAT_CONTACTS,
  MASH_PRIORITY_AGENCY_RED_FLAG,
  MASH_PRIORITY_INFORMATION_ONLY,
  MASH_PRIORITY_REASON_COUNT
} mash_priority_reason_t;

/* The facts the table reads. Zero-initialised means "nothing known". */
typedef struct mash_priority_input {
  Mash__V1__RiskGrade dash_final_grade;
  bool grade_raised;
  unsigned children_present;    /* children present at the incident */
  bool injury;                  /* see the top of this file */
  int youngest_child_months;    /* age at the incident; < 0 when no dob known */
  bool pregnancy;               /* DASH question 9 "yes" */
  unsigned repeat_contacts_12m; /* earlier contacts in the 12 months before */
  bool agency_red_flag;         /* from any agency, as the caller knows */
  bool information_only;        /* police notice, not a formal referral */
} mash_priority_input_t;

typedef struct mash_priority {
  int score; /* higher first */
  size_t n_reasons;
  /* Static reason codes ("dash_high", ...), in table order. */
  const char *reasons[MASH_PRIORITY_REASON_COUNT];
} mash_priority_t;

/* Gather the facts of notification `n` into `out`: DASH from `dash` (may be
 * NULL: no DASH), children present from the police detail's refs, injury
 * from the concern text and DASH questions 1 and 18, the youngest child's
 * age at occurred_at_ms (or at `received_at_ms` when the notification gives
 * no time), pregnancy from DASH question 9, information only from a police
 * detail's formal_referral; `repeat_contacts_12m` and `agency_red_flag` are
 * copied. A NULL `n` gives an input with nothing known. */
void mash_priority_input_from_notification(const Mash__V1__Notification *n,
                                           const mash_dash_result_t *dash, int64_t received_at_ms,
                                           unsigned repeat_contacts_12m, bool agency_red_flag,
                                           mash_priority_input_t *out);

/* Evaluate the table over `in` into `out`. */
void mash_priority_eval(const mash_priority_input_t *in, mash_priority_t *out);

/* Queue order: negative when a (received at a_received_ms) is screened
 * before b, positive when after, 0 when the same. Higher score first, then
 * earlier arrival. */
int mash_priority_cmp(const mash_priority_t *a, int64_t a_received_ms, const mash_priority_t *b,
                      int64_t b_received_ms);

/* Whether the concern text names an injury (the stems above). NULL: no. */
bool mash_priority_concern_injury(const char *concern);

/* Whole months from the date of birth "YYYY-MM-DD" to the UTC day of
 * `at_ms`: 0 for a child born that month or after the incident, -1 when the
 * dob is not a real date. */
int mash_priority_age_months(const char *dob, int64_t at_ms);

/* A reason's stable code ("dash_high") and the words shown to the hub worker
 * ("DASH high risk"); NULL for an out-of-range reason. */
const char *mash_priority_reason_code(mash_priority_reason_t r);
const char *mash_priority_reason_label(mash_priority_reason_t r);
int mash_priority_reason_weight(mash_priority_reason_t r);

#endif
