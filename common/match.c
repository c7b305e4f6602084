/* match: person records and their score (match.h).
 *
 * Responsible for: the rule stated in match.h: filling a person record
 * (names, dates, identifiers, other spellings and dates, term
 * frequencies), adding up the weights of the levels match_level.c chooses,
 * the caps for possible twins and siblings, identifiers, the why text, and
 * the household test. Must not: touch the store, log, allocate or keep
 * state; every function is a pure function of its arguments and safe from
 * any thread.
 */
#include "match.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identifiers.h"
#include "match_int.h"

/* ---------------------------------------------------------------- the weights table */

size_t mash_match_weights(size_t row, const char **tag, int *points) {
  bool ok = row < ROW_COUNT;
  if (tag != NULL) {
    *tag = ok ? match_weights[row].tag : NULL;
  }
  if (points != NULL) {
    *points = ok ? match_weights[row].centibits : 0;
  }
  return ROW_COUNT;
}

int mash_match_level(size_t row, double *m, double *u) {
  if (row >= ROW_COUNT) {
    return -EINVAL;
  }
  if (m != NULL) {
    *m = match_weights[row].m;
  }
  if (u != NULL) {
    *u = match_weights[row].u;
  }
  return 0;
}

double mash_match_probability(int centibits) {
  return 1.0 / (1.0 + exp2(-(double)centibits / 100.0));
}

/* ---------------------------------------------------------------- identifiers */

static void s_copy(char *dst, size_t size, const char *src) {
  snprintf(dst, size, "%s", src != NULL ? src : "");
}

static const char *s_kind_tag(Mash__V1__IdentifierKind kind) {
  switch (kind) {
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER:
    return "nhs_number";
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UPN:
    return "upn";
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_PNC_ID:
    return "pnc_id";
  default:
    return "local_id";
  }
}

/* How two records' identifiers of one kind compare. */
typedef enum id_verdict { ID_NONE, ID_SAME, ID_CONFLICT } id_verdict_t;

static id_verdict_t s_ids_compare(const mash_match_person_t *a, const mash_match_person_t *b,
                                  Mash__V1__IdentifierKind kind) {
  bool a_has = false, b_has = false;
  for (size_t i = 0; i < a->n_ids; i++) {
    const mash_match_id_t *x = &a->ids[i];
    if (x->kind != kind || !x->valid) {
      continue;
    }
    a_has = true;
    for (size_t j = 0; j < b->n_ids; j++) {
      const mash_match_id_t *y = &b->ids[j];
      if (y->kind == kind && y->valid && strcmp(x->value, y->value) == 0 &&
          strcmp(x->issuer, y->issuer) == 0) {
        return ID_SAME;
      }
    }
  }
  for (size_t j = 0; j < b->n_ids && !b_has; j++) {
    b_has = b->ids[j].kind == kind && b->ids[j].valid;
  }
  /* Local ids never conflict: one system may hold two records for one
   * person, and two systems' ids are not comparable at all. */
  if (a_has && b_has && kind != MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID) {
    return ID_CONFLICT;
  }
  return ID_NONE;
}

/* ---------------------------------------------------------------- person records */

void mash_match_person_set(mash_match_person_t *p, const char *ref, const char *given,
                           const char *family, const char *dob, Mash__V1__Sex sex,
                           const char *postcode, const char *address) {
  if (p == NULL) {
    return;
  }
  memset(p, 0, sizeof *p);
  s_copy(p->ref, sizeof p->ref, ref);
  mash_name_normalise(given, p->forename, sizeof p->forename);
  mash_name_normalise(family, p->surname, sizeof p->surname);
  /* The forename key is of the first given name only: a middle name
   * recorded by one agency and not another must not change it. */
  char first[MASH_MATCH_NAME_SIZE];
  size_t fl = strcspn(p->forename, " ");
  memcpy(first, p->forename, fl);
  first[fl] = '\0';
  mash_phonetic_key(first, p->forename_key, sizeof p->forename_key);
  mash_phonetic_key(p->surname, p->surname_key, sizeof p->surname_key);
  if (!match_parse_dob(dob, &p->dob_year, &p->dob_month, &p->dob_day)) {
    p->dob_year = p->dob_month = p->dob_day = 0;
  }
  p->sex = (sex >= MASH__V1__SEX__SEX_FEMALE && sex <= MASH__V1__SEX__SEX_NOT_KNOWN)
               ? sex
               : MASH__V1__SEX__SEX_UNSPECIFIED;
  if (postcode == NULL || mash_postcode_normalise(postcode, p->postcode, sizeof p->postcode) != 0) {
    p->postcode[0] = '\0';
  }
  mash_address_normalise(address, p->address, sizeof p->address);
}

int mash_match_person_add_other(mash_match_person_t *p, const char *given) {
  if (p == NULL || given == NULL) {
    return 0;
  }
  char name[MASH_MATCH_NAME_SIZE];
  mash_name_normalise(given, name, sizeof name);
  size_t len = strlen(name);
  if (name[0] == '\0' || match_compact_eq(name, len, p->forename, strlen(p->forename))) {
    return 0;
  }
  for (size_t i = 0; i < p->n_other_forenames; i++) {
    if (match_compact_eq(name, len, p->other_forenames[i], strlen(p->other_forenames[i]))) {
      return 0;
    }
  }
  if (p->n_other_forenames >= MASH_MATCH_MAX_OTHER) {
    return -ENOSPC;
  }
  char first[MASH_MATCH_NAME_SIZE];
  size_t fl = strcspn(name, " ");
  memcpy(first, name, fl);
  first[fl] = '\0';
  memcpy(p->other_forenames[p->n_other_forenames], name, sizeof name);
  mash_phonetic_key(first, p->other_forename_keys[p->n_other_forenames],
                    sizeof p->other_forename_keys[0]);
  p->n_other_forenames++;
  return 1;
}

int mash_match_person_add_dob(mash_match_person_t *p, const char *dob) {
  int d[3];
  if (p == NULL || !match_parse_dob(dob, &d[0], &d[1], &d[2])) {
    return 0;
  }
  for (size_t i = 0; i <= p->n_other_dobs && i <= MASH_MATCH_MAX_DOBS; i++) {
    int x[3];
    match_dob_at(p, i, x);
    if (memcmp(x, d, sizeof d) == 0) {
      return 0;
    }
  }
  if (p->n_other_dobs >= MASH_MATCH_MAX_DOBS) {
    return -ENOSPC;
  }
  memcpy(p->other_dobs[p->n_other_dobs++], d, sizeof d);
  return 1;
}

bool mash_match_dob_near(const mash_match_person_t *mention, const mash_match_person_t *record) {
  if (mention == NULL || record == NULL || mention->dob_year == 0 || record->dob_year == 0) {
    return false;
  }
  match_row_t r = match_dob_row(mention, record);
  return r == ROW_DOB_SWAP || r == ROW_DOB_SLIP;
}

bool mash_match_forenames_agree(const mash_match_person_t *a, const mash_match_person_t *b) {
  return a != NULL && b != NULL && a->forename[0] != '\0' && b->forename[0] != '\0' &&
         match_forename_row(a, b) != ROW_FORENAME_DIFFERS;
}

/* ---------------------------------------------------------------- term frequencies */

/* "PREFIX" and the name without spaces and hyphens, or "" without a name. */
static void s_term_key(const char *prefix, const char *name, size_t len,
                       char out[MASH_MATCH_TERM_KEY_SIZE]) {
  char compact[MASH_MATCH_NAME_SIZE];
  size_t n = match_compact(name, len, compact, sizeof compact);
  if (n == 0) {
    out[0] = '\0';
    return;
  }
  snprintf(out, MASH_MATCH_TERM_KEY_SIZE, "%s%s", prefix, compact);
}

void mash_match_term_keys(const mash_match_person_t *p, char forename[MASH_MATCH_TERM_KEY_SIZE],
                          char surname[MASH_MATCH_TERM_KEY_SIZE]) {
  s_term_key("t:f:", p->forename, strcspn(p->forename, " "), forename);
  s_term_key("t:s:", p->surname, strlen(p->surname), surname);
}

static double s_tf(long long count, long long total, double u) {
  if (total <= 0 || count < 0) {
    return 0.0; /* not known: the table's u */
  }
  double tf = ((double)count + MASH_MATCH_TF_PSEUDO * u) / ((double)total + MASH_MATCH_TF_PSEUDO);
  double floor = u / MASH_MATCH_TF_MIN_DIVISOR;
  return tf < floor ? floor : tf > 1.0 ? 1.0 : tf;
}

void mash_match_person_set_tf(mash_match_person_t *p, long long forename_count,
                              long long surname_count, long long total) {
  if (p == NULL) {
    return;
  }
  p->forename_tf =
      p->forename[0] != '\0' ? s_tf(forename_count, total, match_weights[ROW_FORENAME].u) : 0.0;
  p->surname_tf =
      p->surname[0] != '\0' ? s_tf(surname_count, total, match_weights[ROW_SURNAME].u) : 0.0;
}

/* The weight of an exact forename or surname given its term frequency: the
 * larger of the two records' known frequencies (a newcomer's is looked up,
 * a stored record's usually not), or the table's weight when neither is. */
static int s_tf_weight(match_row_t row, double tf_a, double tf_b) {
  double tf = tf_a > tf_b ? tf_a : tf_b;
  if (!(tf > 0.0)) {
    return match_weights[row].centibits;
  }
  return (int)lround(100.0 * log2(match_weights[row].m / tf));
}

int mash_match_names_bound(const mash_match_person_t *p) {
  int forename = match_weights[ROW_FORENAME].centibits;
  int surname = match_weights[ROW_SURNAME].centibits;
  if (p != NULL && p->forename_tf > 0.0) {
    int w = s_tf_weight(ROW_FORENAME, p->forename_tf, 0.0);
    forename = w > forename ? w : forename;
  }
  if (p != NULL && p->surname_tf > 0.0) {
    int w = s_tf_weight(ROW_SURNAME, p->surname_tf, 0.0);
    surname = w > surname ? w : surname;
  }
  return MASH_MATCH_PRIOR + forename + surname + match_weights[ROW_SEX].centibits;
}

int mash_match_person_add_id(mash_match_person_t *p, Mash__V1__IdentifierKind kind,
                             const char *value, const char *issuer) {
  if (p == NULL || value == NULL || value[0] == '\0' ||
      kind < MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER ||
      kind > MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID) {
    return -EINVAL;
  }
  if (p->n_ids >= MASH_MATCH_MAX_IDS) {
    return -ENOSPC;
  }
  mash_match_id_t *id = &p->ids[p->n_ids];
  memset(id, 0, sizeof *id);
  id->kind = kind;
  int rc = mash_match_id_normalise(kind, value, id->value, sizeof id->value);
  id->valid = rc == 0;
  if (kind == MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID) {
    s_copy(id->issuer, sizeof id->issuer, issuer);
    /* Without its issuer a local id says nothing about anyone. */
    id->valid = id->valid && id->issuer[0] != '\0';
  }
  p->n_ids++;
  return 0;
}

void mash_match_person_from_pb(mash_match_person_t *p, const Mash__V1__Person *src) {
  if (p == NULL) {
    return;
  }
  if (src == NULL) {
    memset(p, 0, sizeof *p);
    return;
  }
  char street[2 * MASH_MATCH_ADDRESS_SIZE] = "";
  const char *postcode = NULL;
  if (src->address != NULL) {
    postcode = src->address->postcode;
    size_t used = 0;
    for (size_t i = 0; i < src->address->n_lines && used + 1 < sizeof street; i++) {
      const char *line = src->address->lines[i];
      if (line == NULL || line[0] == '\0') {
        continue;
      }
      int w = snprintf(street + used, sizeof street - used, "%s%s", used > 0 ? ", " : "", line);
      if (w < 0) {
        break;
      }
      used += (size_t)w;
    }
  }
  mash_match_person_set(p, src->ref, src->given_name, src->family_name, src->date_of_birth,
                        src->sex, postcode, street);
  for (size_t i = 0; i < src->n_identifiers; i++) {
    const Mash__V1__Identifier *id = src->identifiers[i];
    if (id != NULL && mash_match_person_add_id(p, id->kind, id->value, id->issuer) == -ENOSPC) {
      break;
    }
  }
  for (size_t i = 0; i < src->n_other_given_names; i++) {
    if (mash_match_person_add_other(p, src->other_given_names[i]) == -ENOSPC) {
      break;
    }
  }
  for (size_t i = 0; p->dob_year != 0 && i < src->n_other_dates_of_birth; i++) {
    if (mash_match_person_add_dob(p, src->other_dates_of_birth[i]) == -ENOSPC) {
      break;
    }
  }
}

/* ---------------------------------------------------------------- scoring */

static const Mash__V1__IdentifierKind s_kinds[] = {
    MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER,
    MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UPN,
    MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_PNC_ID,
    MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID,
};

void mash_match_why_render(mash_match_why_t *w) {
  if (w == NULL) {
    return;
  }
  w->text[0] = '\0';
  const char *kind = s_kind_tag(w->kind);
  if (w->identifier && w->shared) {
    snprintf(w->text, sizeof w->text, "conflict:shared_%s", kind);
    return;
  }
  if (w->identifier && !w->conflict) {
    s_copy(w->text, sizeof w->text, kind);
    return;
  }
  /* The levels reached; two different numbers name their kind
   * ("...+address+!nhs_number"). */
  size_t used = 0;
  for (int r = 0; r < ROW_COUNT; r++) {
    if ((w->factors & (1u << r)) == 0) {
      continue;
    }
    bool id = r == ROW_ID_DIFFERS;
    int n = snprintf(w->text + used, sizeof w->text - used, "%s%s%s", used > 0 ? "+" : "",
                     id ? "!" : "", id ? kind : match_weights[r].tag);
    if (n > 0 && (size_t)n < sizeof w->text - used) {
      used += (size_t)n;
    }
  }
}

/* mash_match_weigh, with a's given names prepared (pa) or pa NULL. */
static double s_weigh(const mash_match_person_t *a, const mash_match_name_prep_t *pa,
                      const mash_match_person_t *b, mash_match_why_t *why) {
  mash_match_why_t w;
  memset(&w, 0, sizeof w);
  double score = 0.0;
  if (a == NULL || b == NULL) {
    goto out;
  }

  /* The evidence of the fields: the prior plus the weight of each level. */
  unsigned f = match_rows_p(a, pa, b);
  w.points = MASH_MATCH_PRIOR;
  /* Term frequencies weigh an exact name by how common it is; a forename
   * that agreed only through another spelling keeps the table's weight. */
  bool forename_tf = (f & (1u << ROW_FORENAME)) && match_forename_equal(a->forename, b->forename);
  for (int r = 0; r < ROW_COUNT; r++) {
    if ((f & (1u << r)) == 0) {
      continue;
    }
    if (r == ROW_FORENAME && forename_tf) {
      w.points += s_tf_weight(ROW_FORENAME, a->forename_tf, b->forename_tf);
    } else if (r == ROW_SURNAME) {
      w.points += s_tf_weight(ROW_SURNAME, a->surname_tf, b->surname_tf);
    } else {
      w.points += match_weights[r].centibits;
    }
  }
  w.factors = f;
  /* Twins: the same date of birth, surname and (usually) address, and
   * forenames that sound alike but are not the same (Ella, Ellie; Mary Ann,
   * Mary Beth). However much else agrees, that is for the desk to judge. A
   * one-letter slip is not capped: typos are far commoner than twins so
   * named. Brothers and sisters likewise: the same surname at the same
   * home, forenames that only sound alike (Demi, Tommy: both "TM") and no
   * date of birth on one side to tell them apart. */
  unsigned close = 1u << ROW_FORENAME_PH;
  unsigned family = (1u << ROW_SURNAME) | (1u << ROW_SURNAME_SLIP) | (1u << ROW_SURNAME_PH);
  unsigned dob_any = (1u << ROW_DOB) | (1u << ROW_DOB_SWAP) | (1u << ROW_DOB_SLIP) |
                     (1u << ROW_DOB_DIFFERS) | (1u << ROW_DOB_GENERATION);
  bool twins = (f & (1u << ROW_DOB)) != 0;
  bool siblings = (f & dob_any) == 0 && (f & (1u << ROW_ADDRESS)) != 0;
  if ((twins || siblings) && (f & close) && (f & family) && w.points > MASH_MATCH_TWIN_CAP) {
    w.points = MASH_MATCH_TWIN_CAP;
    w.twin = true;
  }
  /* Twins with different forenames weigh at most what the table gives
   * them (+2.9, a review): a rare surname's term frequency (up to 2 bits)
   * must not lift them to a link. */
  int twins_other = MASH_MATCH_PRIOR + match_weights[ROW_DOB].centibits +
                    match_weights[ROW_FORENAME_DIFFERS].centibits +
                    match_weights[ROW_SURNAME].centibits + match_weights[ROW_SEX].centibits +
                    match_weights[ROW_ADDRESS].centibits;
  if (twins && (f & (1u << ROW_FORENAME_DIFFERS)) && (f & family) && w.points > twins_other) {
    w.points = twins_other;
    w.twin = true;
  }
  w.rest = mash_match_probability(w.points);
  score = w.rest;

  /* Identifiers: any conflict first, then any agreement, which links only
   * when the rest does not contradict it. */
  id_verdict_t verdict[4];
  for (size_t k = 0; k < 4; k++) {
    verdict[k] = s_ids_compare(a, b, s_kinds[k]);
  }
  for (size_t k = 0; k < 4; k++) {
    if (verdict[k] == ID_CONFLICT) {
      /* Two valid numbers of one kind: two people, unless one record holds
       * a wrong number (typed from a sibling's record). That is evidence
       * like any level (row "!identifier", m 0.02, u 0.98, -5.6 bits): the
       * same child with every field agreeing still links (flagged), twins
       * and namesakes never do. */
      w.identifier = w.conflict = true;
      w.kind = s_kinds[k];
      w.points += match_weights[ROW_ID_DIFFERS].centibits;
      w.factors |= 1u << ROW_ID_DIFFERS;
      score = mash_match_probability(w.points);
      goto out;
    }
  }
  /* Twins share everything but their forenames; a sibling's number typed
   * into a record leaves the date of birth and often the sex disagreeing. */
  unsigned dob_differs = (1u << ROW_DOB_DIFFERS) | (1u << ROW_DOB_GENERATION);
  bool contradicted = (f & (1u << ROW_FORENAME_DIFFERS)) != 0 ||
                      ((f & dob_differs) && (f & (1u << ROW_SEX_DIFFERS)));
  for (size_t k = 0; k < 4; k++) {
    if (verdict[k] != ID_SAME) {
      continue;
    }
    w.identifier = true;
    w.kind = s_kinds[k];
    if (contradicted) {
      w.conflict = w.shared = true;
    } else {
      score = 1.0;
    }
    goto out;
  }

out:
  if (why != NULL) {
    *why = w;
  }
  return score;
}

double mash_match_weigh(const mash_match_person_t *a, const mash_match_person_t *b,
                        mash_match_why_t *why) {
  return s_weigh(a, NULL, b, why);
}

void mash_match_prepare(mash_match_prepared_t *prep, const mash_match_person_t *a) {
  if (prep == NULL) {
    return;
  }
  memset(prep, 0, sizeof *prep);
  if (a == NULL) {
    return;
  }
  prep->person = *a;
  for (size_t i = 0; i <= a->n_other_forenames && i <= MASH_MATCH_MAX_OTHER; i++) {
    match_name_prepare(i == 0 ? a->forename : a->other_forenames[i - 1], &prep->names[i]);
  }
}

double mash_match_weigh_prepared(const mash_match_prepared_t *prep, const mash_match_person_t *b,
                                 mash_match_why_t *why) {
  return s_weigh(prep != NULL ? &prep->person : NULL, prep != NULL ? prep->names : NULL, b, why);
}

double mash_match_score(const mash_match_person_t *a, const mash_match_person_t *b,
                        mash_match_why_t *why) {
  double score = mash_match_weigh(a, b, why);
  mash_match_why_render(why);
  return score;
}

bool mash_match_same_in_household(const mash_match_person_t *a, const mash_match_person_t *b) {
  if (a == NULL || b == NULL) {
    return false;
  }
  mash_match_why_t why;
  mash_match_weigh(a, b, &why); /* the factors and flags only: no text */
  if (why.identifier) {
    return !why.conflict;
  }
  unsigned f = why.factors;
  unsigned forename = (1u << ROW_FORENAME) | (1u << ROW_FORENAME_VARIANT) |
                      (1u << ROW_FORENAME_SLIP) | (1u << ROW_FORENAME_PH);
  unsigned against = (1u << ROW_DOB_DIFFERS) | (1u << ROW_DOB_GENERATION) |
                     (1u << ROW_SEX_DIFFERS) | (1u << ROW_ROLE_DIFFERS);
  if ((f & against) != 0) {
    return false;
  }
  if ((f & forename) != 0) {
    return true;
  }
  /* Two slips in a longer forename (a usual variant counting as none:
   * Sfoia, Sopiha), born the same day (or a day one slip or a day/month
   * swap away): one child typed twice, not twins (whose forenames share
   * little) nor brothers and sisters (born apart). With the date missing on
   * one side, the surname and a known sex must agree too (Elsne, Eslie). */
  unsigned dob = (1u << ROW_DOB) | (1u << ROW_DOB_SLIP) | (1u << ROW_DOB_SWAP);
  unsigned surname = (1u << ROW_SURNAME) | (1u << ROW_SURNAME_SLIP) | (1u << ROW_SURNAME_PART);
  bool no_dob = a->dob_year == 0 || b->dob_year == 0;
  bool close = (f & dob) || (no_dob && (f & surname) && (f & (1u << ROW_SEX)));
  size_t fa = strcspn(a->forename, " "), fb = strcspn(b->forename, " ");
  return close && fa >= 5 && fb >= 5 && match_two_slips(a->forename, fa, b->forename, fb);
}
