/* priority: the screening queue's order, as a const table of (reason,
 * weight) and a function that evaluates it (see priority.h for the table).
 *
 * Responsible for: reading the facts out of a notification and scoring
 * them. Must not: read the store or the clock, log, allocate or keep state;
 * every function is a pure function of its arguments, safe from any thread.
 */
#include "priority.h"

#include <string.h>

#include "civil.h"

/* ---------------------------------------------------------------- the table */

typedef struct priority_row {
  const char *code;  /* stable: on the wire, in stats, in tests */
  const char *label; /* shown to the hub worker */
  int weight;
} priority_row_t;

/* The weights as constants, so that the banding can be checked when
 * compiling. */
enum {
  W_DASH_HIGH = 40,
  W_GRADE_RAISED = 15,
  W_CHILDREN_PRESENT = 25,
  W_INJURY = 30,
  W_CHILD_UNDER_2 = 25,
  W_PREGNANCY = 20,
  W_REPEAT_CONTACTS = 15,
  W_AGENCY_RED_FLAG = 35,
  W_INFORMATION_ONLY = -1000,
  W_ALL_OTHERS = W_DASH_HIGH + W_GRADE_RAISED + W_CHILDREN_PRESENT + W_INJURY + W_CHILD_UNDER_2 +
                 W_PREGNANCY + W_REPEAT_CONTACTS + W_AGENCY_RED_FLAG,
};
/* Information only sorts last: with every other reason it still scores
 * below a notification with none. */
_Static_assert(W_ALL_OTHERS + W_INFORMATION_ONLY < 0, "information only must band below all");

static const priority_row_t s_table[MASH_PRIORITY_REASON_COUNT] = {
    [MASH_PRIORITY_DASH_HIGH] = {"dash_high", "DASH high risk", W_DASH_HIGH},
    [MASH_PRIORITY_GRADE_RAISED] = {"grade_raised", "DASH grade raised above the officer's",
                                    W_GRADE_RAISED},
    [MASH_PRIORITY_CHILDREN_PRESENT] = {"children_present", "Children present at the incident",
                                        W_CHILDREN_PRESENT},
    [MASH_PRIORITY_INJURY] = {"injury", "Injury, strangling, choking or a weapon", W_INJURY},
    [MASH_PRIORITY_CHILD_UNDER_2] = {"child_under_2", "A child under 2", W_CHILD_UNDER_2},
    [MASH_PRIORITY_PREGNANCY] = {"pregnancy", "Pregnant or a baby under 18 months (DASH 9)",
                                 W_PREGNANCY},
    [MASH_PRIORITY_REPEAT_CONTACTS] = {"repeat_contacts", "Repeat contacts in 12 months",
                                       W_REPEAT_CONTACTS},
    [MASH_PRIORITY_AGENCY_RED_FLAG] = {"agency_red_flag", "Red flag from an agency",
                                       W_AGENCY_RED_FLAG},
    [MASH_PRIORITY_INFORMATION_ONLY] = {"information_only", "Information only", W_INFORMATION_ONLY},
};

const char *mash_priority_reason_code(mash_priority_reason_t r) {
  return (unsigned)r < MASH_PRIORITY_REASON_COUNT ? s_table[r].code : NULL;
}

const char *mash_priority_reason_label(mash_priority_reason_t r) {
  return (unsigned)r < MASH_PRIORITY_REASON_COUNT ? s_table[r].label : NULL;
}

int mash_priority_reason_weight(mash_priority_reason_t r) {
  return (unsigned)r < MASH_PRIORITY_REASON_COUNT ? s_table[r].weight : 0;
}

/* Whether reason r applies to `in`. */
static bool s_applies(const mash_priority_input_t *in, mash_priority_reason_t r) {
  switch (r) {
  case MASH_PRIORITY_DASH_HIGH:
    return in->dash_final_grade == MASH__V1__RISK_GRADE__RISK_GRADE_HIGH;
  case MASH_PRIORITY_GRADE_RAISED:
    return in->grade_raised;
  case MASH_PRIORITY_CHILDREN_PRESENT:
    return in->children_present > 0;
  case MASH_PRIORITY_INJURY:
    return in->injury;
  case MASH_PRIORITY_CHILD_UNDER_2:
    return in->youngest_child_months >= 0 &&
           in->youngest_child_months < MASH_PRIORITY_UNDER_2_MONTHS;
  case MASH_PRIORITY_PREGNANCY:
    return in->pregnancy;
  case MASH_PRIORITY_REPEAT_CONTACTS:
    return in->repeat_contacts_12m >= MASH_PRIORITY_REPEAT_MIN;
  case MASH_PRIORITY_AGENCY_RED_FLAG:
    return in->agency_red_flag;
  case MASH_PRIORITY_INFORMATION_ONLY:
    return in->information_only;
  default:
    return false;
  }
}

void mash_priority_eval(const mash_priority_input_t *in, mash_priority_t *out) {
  if (out == NULL) {
    return;
  }
  memset(out, 0, sizeof *out);
  if (in == NULL) {
    return;
  }
  for (int r = 0; r < MASH_PRIORITY_REASON_COUNT; r++) {
    if (s_applies(in, (mash_priority_reason_t)r)) {
      out->score += s_table[r].weight;
      out->reasons[out->n_reasons++] = s_table[r].code;
    }
  }
}

int mash_priority_cmp(const mash_priority_t *a, int64_t a_received_ms, const mash_priority_t *b,
                      int64_t b_received_ms) {
  int sa = a != NULL ? a->score : 0, sb = b != NULL ? b->score : 0;
  if (sa != sb) {
    return sa > sb ? -1 : 1;
  }
  if (a_received_ms != b_received_ms) {
    return a_received_ms < b_received_ms ? -1 : 1;
  }
  return 0;
}

/* ---------------------------------------------------------------- facts */

/* Injury words, by stem (see priority.h). */
static const char *const s_injury_stems[] = {
    "injur", "strangl", "strangu", "chok", "suffocat", "weapon", "knife", "knive", "bruis",
};

/* Words that deny what follows them in their clause ("no injuries seen",
 * "denied any injury", "didn't see a weapon"), and words that start a new
 * clause ("no injury to the mother but the baby was bruised"). */
static const char *const s_negators[] = {
    "no",   "not",  "without", "nil",   "none", "never", "nor",  "denies", "denied",
    "deny", "didn", "wasn",    "weren", "isn",  "hasn",  "hadn", "doesn",  "don",
};
static const char *const s_clause_words[] = {"but", "however", "although", "though", "yet"};

/* How many words after a negator it still holds: "no obvious signs of injury". */
#define S_NEGATION_REACH 4
#define S_WORD_MAX 32

static bool s_is_letter(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool s_in(const char *word, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (strcmp(word, list[i]) == 0) {
      return true;
    }
  }
  return false;
}

/* Whether the lowercased word holds an injury stem, not after "un" or "non"
 * ("uninjured"). A stem inside a longer word still counts (priority.h). */
static bool s_injury_word(const char *w, size_t n) {
  for (size_t at = 0; at < n; at++) {
    for (size_t s = 0; s < sizeof s_injury_stems / sizeof s_injury_stems[0]; s++) {
      const char *stem = s_injury_stems[s];
      if (w[at] != stem[0]) {
        continue; /* one compare per stem and letter */
      }
      size_t len = strlen(stem);
      if (at + len <= n && memcmp(w + at, stem, len) == 0) {
        bool denied = (at == 2 && memcmp(w, "un", 2) == 0) || (at == 3 && memcmp(w, "non", 3) == 0);
        return !denied;
      }
    }
  }
  return false;
}

bool mash_priority_concern_injury(const char *concern) {
  if (concern == NULL) {
    return false;
  }
  /* One pass over the words. `since` counts the words since the last
   * negator of this clause (-1: none). */
  int since = -1;
  const unsigned char *p = (const unsigned char *)concern;
  while (*p != '\0') {
    if (!s_is_letter(*p)) {
      if (strchr(".;:!?,\n", (char)*p) != NULL) {
        since = -1;
      }
      p++;
      continue;
    }
    char w[S_WORD_MAX + 1];
    size_t n = 0;
    for (; s_is_letter(*p); p++) {
      if (n < S_WORD_MAX) {
        w[n++] = (char)(*p | 0x20); /* ASCII letters: lower case */
      }
    }
    w[n] = '\0';
    if (s_in(w, s_clause_words, sizeof s_clause_words / sizeof s_clause_words[0])) {
      since = -1;
    } else if (s_in(w, s_negators, sizeof s_negators / sizeof s_negators[0])) {
      since = 0;
    } else {
      since = since >= 0 ? since + 1 : -1;
      if (s_injury_word(w, n) && (since < 0 || since > S_NEGATION_REACH)) {
        return true;
      }
    }
  }
  return false;
}

int mash_priority_age_months(const char *dob, int64_t at_ms) {
  mash_civil_date_t born;
  if (mash_civil_parse_date(dob, &born) != 0) {
    return -1;
  }
  int64_t months =
      mash_civil_months_between(born, mash_civil_date_of_days(mash_civil_day_of_ms(at_ms)));
  if (months < 0) {
    return 0; /* born since: a newborn now */
  }
  return months > 100000 ? 100000 : (int)months;
}

/* DASH question q (1-based) answered "yes". */
static bool s_dash_yes(const Mash__V1__PoliceDetail *pd, size_t q) {
  return pd != NULL && pd->n_dash_answers >= q &&
         pd->dash_answers[q - 1] == MASH__V1__DASH_ANSWER__DASH_ANSWER_YES;
}

void mash_priority_input_from_notification(const Mash__V1__Notification *n,
                                           const mash_dash_result_t *dash, int64_t received_at_ms,
                                           unsigned repeat_contacts_12m, bool agency_red_flag,
                                           mash_priority_input_t *out) {
  if (out == NULL) {
    return;
  }
  memset(out, 0, sizeof *out);
  out->youngest_child_months = -1;
  out->repeat_contacts_12m = repeat_contacts_12m;
  out->agency_red_flag = agency_red_flag;
  if (dash != NULL) {
    out->dash_final_grade = dash->final_grade;
    out->grade_raised = dash->grade_raised;
  }
  if (n == NULL) {
    return;
  }
  const Mash__V1__PoliceDetail *pd =
      n->detail_case == MASH__V1__NOTIFICATION__DETAIL_POLICE ? n->police : NULL;
  if (pd != NULL) {
    out->children_present = (unsigned)pd->n_children_present_refs;
    out->information_only = !pd->formal_referral;
    out->pregnancy = s_dash_yes(pd, 9);
  }
  out->injury = mash_priority_concern_injury(n->concern) || s_dash_yes(pd, 1) || s_dash_yes(pd, 18);
  int64_t at = n->occurred_at_ms > 0 ? n->occurred_at_ms : received_at_ms;
  for (size_t i = 0; i < n->n_children; i++) {
    const Mash__V1__Person *c = n->children[i];
    int months = c != NULL ? mash_priority_age_months(c->date_of_birth, at) : -1;
    if (months >= 0 && (out->youngest_child_months < 0 || months < out->youngest_child_months)) {
      out->youngest_child_months = months;
    }
  }
}
