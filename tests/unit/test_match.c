/* test_match: person matching, decisions, blocking keys and households
 * (common/match.h).
 *
 * A table of scoring cases, each checked both ways round (the score is
 * symmetric) for its weight, decision and "why": the cases
 * (identical records, typos, no date of birth, twins), identifier links and
 * conflicts (shared numbers the rest contradicts), and the near misses
 * around them. Then every comparison level reached by a pair of its own,
 * each weight against its documented m and u, the missing-value rule (a
 * value missing on either side adds nothing), one child recorded twice in a
 * household; the thresholds and policies; identifier canonical forms;
 * person records from the wire; blocking keys; and households, transitive.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "match.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

#define F MASH__V1__SEX__SEX_FEMALE
#define M MASH__V1__SEX__SEX_MALE
#define O MASH__V1__SEX__SEX_OTHER
#define U MASH__V1__SEX__SEX_UNSPECIFIED

#define K_NHS MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER
#define K_UPN MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UPN
#define K_PNC MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_PNC_ID
#define K_LOCAL MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID

#define NEW MASH_MATCH_NEW
#define POSSIBLE MASH_MATCH_POSSIBLE
#define AUTO MASH_MATCH_AUTO_LINK

/* Valid identifiers (the worked examples of common/identifiers.h, and
 * others computed by hand with the same rules). */
#define NHS_1 "9434765919"
#define NHS_1_SPACED "943 476 5919"
#define NHS_2 "4010232137"
#define NHS_BAD "9434765918" /* wrong check digit */
#define UPN_1 "B801200005001"
#define UPN_2 "M80120000500A" /* temporary */
#define PNC_1 "01/0171310W"
#define PNC_1_LONG "2001/171310W"
#define PNC_2 "10/1234567X"

/* ---------------------------------------------------------------- people */

typedef struct pspec {
  const char *given, *family, *dob;
  Mash__V1__Sex sex;
  const char *postcode, *address;
  const char *nhs, *upn, *pnc, *local, *issuer;
} pspec_t;

static void s_person(mash_match_person_t *p, const pspec_t *s, const char *ref) {
  mash_match_person_set(p, ref, s->given, s->family, s->dob, s->sex, s->postcode, s->address);
  if (s->nhs != NULL) {
    assert_int_equal(mash_match_person_add_id(p, K_NHS, s->nhs, NULL), 0);
  }
  if (s->upn != NULL) {
    assert_int_equal(mash_match_person_add_id(p, K_UPN, s->upn, NULL), 0);
  }
  if (s->pnc != NULL) {
    assert_int_equal(mash_match_person_add_id(p, K_PNC, s->pnc, NULL), 0);
  }
  if (s->local != NULL) {
    assert_int_equal(mash_match_person_add_id(p, K_LOCAL, s->local, s->issuer), 0);
  }
}

/* Maya Hartley of the police example, in full. */
/* The person fields of a pspec_t, designated (identifiers follow as
 * .nhs = ... and so on). */
#define P(g, f, d, s, pc, ad)                                                                      \
  .given = g, .family = f, .dob = d, .sex = s, .postcode = pc, .address = ad
#define MAYA P("Maya", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")
#define DEAN P("Dean", "Marsh", "1990-10-02", M, NULL, NULL)
#define ALL "dob+forename+surname+sex+address"

typedef struct score_case {
  const char *name;
  pspec_t a, b;
  int points; /* expected why.points */
  mash_match_decision_t decision;
  const char *why;
} score_case_t;

static const score_case_t s_cases[] = {
    /* The cases. */
    {"identical", {MAYA}, {MAYA}, 2172, AUTO, ALL},
    {"identical name, dob, postcode and sex",
     {MAYA},
     {P("Maya", "Hartley", "2019-03-01", F, "EX1 2AB", NULL)},
     1672,
     AUTO,
     "dob+forename+surname+sex+postcode"},
    {"name, dob and postcode only",
     {MAYA},
     {P("Maya", "Hartley", "2019-03-01", U, "EX1 2AB", NULL)},
     1575,
     AUTO,
     "dob+forename+surname+postcode"},
    {"surname typo with forename, dob and postcode",
     {MAYA},
     {P("Maya", "Hartkey", "2019-03-01", U, "EX1 2AB", NULL)},
     1397,
     AUTO,
     "dob+forename+surname~1+postcode"},
    {"surname typo, all else equal",
     {MAYA},
     {P("Maya", "Hartkey", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     1994,
     AUTO,
     "dob+forename+surname~1+sex+address"},
    {"surname letters swapped",
     {MAYA},
     {P("Maya", "Hatrley", "2019-03-01", F, "EX1 2AB", NULL)},
     1494,
     AUTO,
     "dob+forename+surname~1+sex+postcode"},
    {"surname spelt as it sounds",
     {MAYA},
     {P("Maya", "Hartly", "2019-03-01", F, "EX1 2AB", NULL)},
     1494,
     AUTO,
     "dob+forename+surname~1+sex+postcode"},
    {"Smith and Smyth",
     {P("John", "Smith", "2012-06-30", M, "M1 1AE", NULL)},
     {P("John", "Smyth", "2012-06-30", M, "m11ae", NULL)},
     1494,
     AUTO,
     "dob+forename+surname~1+sex+postcode"},
    {"same name, different dob",
     {MAYA},
     {P("Maya", "Hartley", "2018-07-11", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     485,
     AUTO,
     "!dob+forename+surname+sex+address"},
    {"twins, same sex: review, never a link",
     {MAYA},
     {P("Amelia", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     288,
     POSSIBLE,
     "dob+!forename+surname+sex+address"},
    {"twins, other sex",
     {MAYA},
     {P("Leo", "Hartley", "2019-03-01", M, "EX1 2AB", "Flat 3, 12 Canal Street")},
     -373,
     NEW,
     "dob+!forename+surname+!sex+address"},
    {"twins whose forenames sound alike: capped, review",
     {P("Ella", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     {P("Ellie", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     200,
     POSSIBLE,
     "dob+forename~+surname+sex+address"},
    {"twins with NHS numbers",
     {P("Ella", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street"), .nhs = NHS_1},
     {P("Ellie", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street"), .nhs = NHS_2},
     200,
     NEW,
     "conflict:nhs_number"},
    /* Dates of birth. */
    {"dob day and month swapped",
     {MAYA},
     {P("Maya", "Hartley", "2019-01-03", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     1623,
     AUTO,
     "dob~swap+forename+surname+sex+address"},
    {"dob day one digit off",
     {MAYA},
     {P("Maya", "Hartley", "2019-03-07", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     1381,
     AUTO,
     "dob~1+forename+surname+sex+address"},
    {"dob year one digit off",
     {MAYA},
     {P("Maya", "Hartley", "2018-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     1381,
     AUTO,
     "dob~1+forename+surname+sex+address"},
    {"dob two digits off",
     {MAYA},
     {P("Maya", "Hartley", "2019-04-02", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     485,
     AUTO,
     "!dob+forename+surname+sex+address"},
    {"no dob on one side",
     {MAYA},
     {P("Maya", "Hartley", "", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     917,
     AUTO,
     "forename+surname+sex+address"},
    {"impossible dob is not known",
     {MAYA},
     {P("Maya", "Hartley", "2019-02-30", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     917,
     AUTO,
     "forename+surname+sex+address"},
    /* Names. */
    {"forename spelt differently",
     {P("Catherine", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     {P("Kathryn", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     200,
     POSSIBLE,
     "dob+forename~+surname+sex+address"},
    {"middle name recorded by one agency",
     {MAYA},
     {P("Maya Louise", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     2172,
     AUTO,
     ALL},
    {"different middle names: maybe twins, review",
     {P("Mary Ann", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     {P("Mary Beth", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     200,
     POSSIBLE,
     "dob+forename~+surname+sex+address"},
    {"hyphen or space in a forename",
     {P("Mary-Jane", "Hartley", "2019-03-01", F, "EX1 2AB", NULL)},
     {P("Mary Jane", "Hartley", "2019-03-01", F, "EX1 2AB", NULL)},
     1672,
     AUTO,
     "dob+forename+surname+sex+postcode"},
    {"double-barrelled surname",
     {MAYA},
     {P("Maya", "Hartley-Marsh", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     1947,
     AUTO,
     "dob+forename+surname_part+sex+address"},
    {"other surname (a step-parent's)",
     {MAYA},
     {P("Maya", "Marsh", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     851,
     AUTO,
     "dob+forename+!surname+sex+address"},
    {"short surnames one letter apart",
     {P("Tom", "Ng", "2015-05-05", M, "EX1 2AB", NULL)},
     {P("Tom", "Na", "2015-05-05", M, "EX1 2AB", NULL)},
     351,
     POSSIBLE,
     "dob+forename+!surname+sex+postcode"},
    {"case, accents and formats",
     {P("MAYA", "HARTLEY", "2019-03-01", F, "ex12ab", "Flat 3 12 Canal St")},
     {P("Maya", "Hartley", "2019-03-01", F, "EX1 2AB", "Apartment 3, 12 Canal St.")},
     2172,
     AUTO,
     ALL},
    {"accents",
     {P("Zoë", "Brontë", "2016-01-01", F, NULL, NULL)},
     {P("Zoe", "Bronte", "2016-01-01", F, NULL, NULL)},
     1034,
     AUTO,
     "dob+forename+surname+sex"},
    /* Sex, postcode, address. */
    {"sex conflict",
     {MAYA},
     {P("Maya", "Hartley", "2019-03-01", M, "EX1 2AB", "Flat 3, 12 Canal Street")},
     1511,
     AUTO,
     "dob+forename+surname+!sex+address"},
    {"sex other is not compared with female",
     {MAYA},
     {P("Maya", "Hartley", "2019-03-01", O, "EX1 2AB", "Flat 3, 12 Canal Street")},
     2075,
     AUTO,
     "dob+forename+surname+address"},
    {"no postcode",
     {MAYA},
     {P("Maya", "Hartley", "2019-03-01", F, NULL, "Flat 3, 12 Canal Street")},
     1034,
     AUTO,
     "dob+forename+surname+sex"},
    {"moved house",
     {MAYA},
     {P("Maya", "Hartley", "2019-03-01", F, "EX4 7QP", "27 Mill Lane")},
     760,
     AUTO,
     "dob+forename+surname+sex+!postcode"},
    {"nothing known", {.given = NULL}, {.given = NULL}, -1850, NEW, ""},
    {"nothing alike", {MAYA}, {DEAN}, -5010, NEW, "!dob_gen+!forename+!surname+!sex"},
    /* Identifiers. */
    {"same NHS number, nothing else alike: a conflict",
     {MAYA, .nhs = NHS_1},
     {DEAN, .nhs = NHS_1_SPACED},
     -5010,
     NEW,
     "conflict:shared_nhs_number"},
    {"different NHS numbers, all else equal",
     {MAYA, .nhs = NHS_1},
     {MAYA, .nhs = NHS_2},
     2172,
     NEW,
     "conflict:nhs_number"},
    {"NHS number failing its check neither links nor conflicts",
     {MAYA, .nhs = NHS_1},
     {MAYA, .nhs = NHS_BAD},
     2172,
     AUTO,
     ALL},
    {"same failing NHS number does not link",
     {MAYA, .nhs = NHS_BAD},
     {DEAN, .nhs = NHS_BAD},
     -5010,
     NEW,
     "!dob_gen+!forename+!surname+!sex"},
    {"same UPN, nothing else alike: a conflict",
     {MAYA, .upn = UPN_1},
     {DEAN, .upn = "b801200005001"},
     -5010,
     NEW,
     "conflict:shared_upn"},
    {"different UPNs", {MAYA, .upn = UPN_1}, {MAYA, .upn = UPN_2}, 2172, NEW, "conflict:upn"},
    {"same PNC id written two ways",
     {DEAN, .pnc = PNC_1},
     {P("Dean", "Marsh", "", U, NULL, NULL), .pnc = PNC_1_LONG},
     -318,
     AUTO,
     "pnc_id"},
    {"different PNC ids", {DEAN, .pnc = PNC_1}, {DEAN, .pnc = PNC_2}, 1034, NEW, "conflict:pnc_id"},
    {"same local id, same issuer, nothing else alike: a conflict",
     {DEAN, .local = "RMS-778812", .issuer = "police-rms"},
     {MAYA, .local = " RMS-778812 ", .issuer = "police-rms"},
     -5010,
     NEW,
     "conflict:shared_local_id"},
    {"same local id from different issuers",
     {DEAN, .local = "778812", .issuer = "police-rms"},
     {MAYA, .local = "778812", .issuer = "health-pas"},
     -5010,
     NEW,
     "!dob_gen+!forename+!surname+!sex"},
    {"different local ids, same issuer, never conflict",
     {MAYA, .local = "RMS-1", .issuer = "police-rms"},
     {MAYA, .local = "RMS-2", .issuer = "police-rms"},
     2172,
     AUTO,
     ALL},
    {"local id without an issuer does not link",
     {DEAN, .local = "RMS-778812"},
     {MAYA, .local = "RMS-778812"},
     -5010,
     NEW,
     "!dob_gen+!forename+!surname+!sex"},
    {"NHS number agrees, UPN conflicts: the conflict wins",
     {MAYA, .nhs = NHS_1, .upn = UPN_1},
     {MAYA, .nhs = NHS_1, .upn = UPN_2},
     2172,
     NEW,
     "conflict:upn"},
    {"same UPN, nothing else alike, NHS number on one side",
     {MAYA, .nhs = NHS_1, .upn = UPN_1},
     {DEAN, .upn = UPN_1},
     -5010,
     NEW,
     "conflict:shared_upn"},
    /* Identifiers are strong, not absolute (issue 9). */
    {"same NHS number, the rest agreeing or missing",
     {MAYA, .nhs = NHS_1},
     {P("Maya", "Hartley", "", U, NULL, NULL), .nhs = NHS_1_SPACED},
     -318,
     AUTO,
     "nhs_number"},
    {"same NHS number, a dob typo: still the number",
     {MAYA, .nhs = NHS_1},
     {P("Maya", "Hartley", "2019-08-21", F, "EX1 2AB", "Flat 3, 12 Canal Street"), .nhs = NHS_1},
     485,
     AUTO,
     "nhs_number"},
    {"a sibling's NHS number: a conflict",
     {MAYA, .nhs = NHS_1},
     {P("Leo", "Hartley", "2021-06-02", M, "EX1 2AB", "Flat 3, 12 Canal Street"), .nhs = NHS_1},
     -2060,
     NEW,
     "conflict:shared_nhs_number"},
    {"a twin's NHS number: a conflict",
     {MAYA, .nhs = NHS_1},
     {P("Amelia", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street"), .nhs = NHS_1},
     288,
     POSSIBLE,
     "conflict:shared_nhs_number"},
    {"dob and sex disagree under one NHS number: a conflict",
     {MAYA, .nhs = NHS_1},
     {P("Maya", "Hartley", "2016-09-12", M, "EX1 2AB", NULL), .nhs = NHS_1},
     -676,
     NEW,
     "conflict:shared_nhs_number"},
    {"same UPN, same child",
     {MAYA, .upn = UPN_1},
     {MAYA, .upn = "b801200005001"},
     2172,
     AUTO,
     "upn"},
};

/* Fail naming the table row. */
#define CHECK(c, cond)                                                                             \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fail_msg("case \"%s\": %s", (c)->name, #cond);                                               \
    }                                                                                              \
  } while (0)

static void test_score_table(void **state) {
  (void)state;
  for (size_t i = 0; i < N_OF(s_cases); i++) {
    const score_case_t *c = &s_cases[i];
    mash_match_person_t a, b;
    s_person(&a, &c->a, "a");
    s_person(&b, &c->b, "b");
    mash_match_why_t wab, wba;
    memset(&wab, 0xa5, sizeof wab);
    double sab = mash_match_score(&a, &b, &wab);
    double sba = mash_match_score(&b, &a, &wba);
    if (wab.points != c->points || strcmp(wab.text, c->why) != 0) {
      fail_msg("case \"%s\": %d \"%s\", expected %d \"%s\"", c->name, wab.points, wab.text,
               c->points, c->why);
    }
    bool by_id = strcmp(c->why, "nhs_number") == 0 || strcmp(c->why, "upn") == 0 ||
                 strcmp(c->why, "pnc_id") == 0 || strcmp(c->why, "local_id") == 0;
    bool conflict = strncmp(c->why, "conflict:", 9) == 0;
    bool shared = strncmp(c->why, "conflict:shared_", 16) == 0;
    /* The confidence: 1 for an identifier, 0 for identifiers that differ,
     * else the fields' weight as a probability. */
    double want = by_id ? 1.0 : conflict && !shared ? 0.0 : mash_match_probability(c->points);
    CHECK(c, sab == want);
    CHECK(c, wab.rest == mash_match_probability(wab.points));
    CHECK(c, sab >= 0.0 && sab <= 1.0);
    CHECK(c, mash_match_decide(sab, NULL) == c->decision);
    /* Symmetric. */
    CHECK(c, sba == sab);
    CHECK(c, wba.points == wab.points && wba.factors == wab.factors);
    CHECK(c, strcmp(wba.text, wab.text) == 0);
    /* The identifier flags agree with the text. */
    CHECK(c, wab.identifier == (by_id || conflict));
    CHECK(c, wab.conflict == conflict);
    CHECK(c, wab.shared == shared);
    /* NULL why is allowed. */
    CHECK(c, mash_match_score(&a, &b, NULL) == sab);
  }
}

static void test_score_null(void **state) {
  (void)state;
  mash_match_person_t a;
  s_person(&a, &(pspec_t){MAYA}, "a");
  mash_match_why_t w;
  assert_true(mash_match_score(NULL, &a, &w) == 0.0);
  assert_string_equal(w.text, "");
  assert_false(w.identifier);
  assert_true(mash_match_score(&a, NULL, NULL) == 0.0);
  /* A record matched with itself: every comparison exact, 21.72 bits. */
  assert_true(mash_match_score(&a, &a, &w) > 0.99999);
  assert_string_equal(w.text, ALL);
  assert_int_equal(w.points, 2172);
}

/* ---------------------------------------------------------------- the weights table */

static int s_weight(const char *tag) {
  size_t rows = mash_match_weights(0, NULL, NULL);
  for (size_t r = 0; r < rows; r++) {
    const char *t;
    int points;
    mash_match_weights(r, &t, &points);
    if (strcmp(t, tag) == 0) {
      return points;
    }
  }
  fail_msg("no row \"%s\"", tag);
  return 0;
}

static void test_weights_rows(void **state) {
  (void)state;
  static const char *const tags[] = {
      "dob",        "dob~swap",  "dob~1",     "!dob",    "!dob_gen",  "forename",  "forename~nick",
      "forename~1", "forename~", "!forename", "surname", "surname~1", "surname~",  "surname_part",
      "!surname",   "sex",       "!sex",      "address", "postcode",  "!postcode",
  };
  assert_int_equal(mash_match_weights(0, NULL, NULL), N_OF(tags));
  for (size_t r = 0; r < N_OF(tags); r++) {
    const char *t;
    int points;
    double m, u;
    mash_match_weights(r, &t, &points);
    assert_string_equal(t, tags[r]);
    /* Each weight is log2(m / u), in hundredths of a bit, as documented. */
    assert_int_equal(mash_match_level(r, &m, &u), 0);
    assert_true(m > 0.0 && m < 1.0 && u > 0.0 && u < 1.0);
    if (points != (int)lround(100.0 * log2(m / u))) {
      fail_msg("row %s: %d, log2(%g / %g) = %g", t, points, m, u, log2(m / u));
    }
    /* Agreement weighs for, disagreement against. */
    assert_true((t[0] == '!') == (points < 0));
  }
  const char *t = "x";
  int p = 7;
  mash_match_weights(N_OF(tags), &t, &p);
  assert_null(t);
  assert_int_equal(p, 0);
  assert_int_equal(mash_match_level(N_OF(tags), NULL, NULL), -EINVAL);
  /* The probability of a weight. */
  assert_true(fabs(mash_match_probability(0) - 0.5) < 1e-12);
  assert_true(mash_match_probability(425) >= 0.95 && mash_match_probability(424) < 0.95);
  assert_true(mash_match_probability(123) >= 0.70 && mash_match_probability(122) < 0.70);
}

/* One pair per comparison level: everything else missing on one side, so
 * that the pair's weight is the prior plus that level's weight alone. */
typedef struct level_case {
  const char *tag;
  pspec_t a, b;
} level_case_t;

static const level_case_t s_levels[] = {
    {"dob", {.dob = "2019-03-01"}, {.dob = "2019-03-01"}},
    {"dob~swap", {.dob = "2019-03-01"}, {.dob = "2019-01-03"}},
    {"dob~1", {.dob = "2019-03-01"}, {.dob = "2019-03-07"}},
    {"dob~1", {.dob = "2019-03-01"}, {.dob = "2018-03-01"}},
    {"!dob", {.dob = "2019-03-01"}, {.dob = "2019-04-02"}},
    {"!dob_gen", {.dob = "2019-03-01"}, {.dob = "1989-03-01"}},
    {"forename", {.given = "Maya"}, {.given = "MAYA"}},
    {"forename", {.given = "Maya"}, {.given = "Maya Louise"}},
    {"forename~nick", {.given = "Thomas"}, {.given = "Tom"}},
    {"forename~nick", {.given = "Jak"}, {.given = "Jack"}},
    {"forename~1", {.given = "Maya"}, {.given = "Mya"}},
    {"forename~", {.given = "Catherine"}, {.given = "Kathryn"}},
    {"forename~", {.given = "Mohammed"}, {.given = "Muhammad"}},
    {"!forename", {.given = "Maya"}, {.given = "Amelia"}},
    {"surname", {.family = "Hartley"}, {.family = "HARTLEY"}},
    {"surname~1", {.family = "Hartley"}, {.family = "Hatrley"}},
    {"surname~", {.family = "Philips"}, {.family = "Fillips"}},
    {"surname_part", {.family = "Hartley"}, {.family = "Hartley-Marsh"}},
    {"surname_part", {.family = "Marsh Hartley"}, {.family = "Hartley"}},
    {"!surname", {.family = "Hartley"}, {.family = "Marsh"}},
    {"sex", {.sex = F}, {.sex = F}},
    {"!sex", {.sex = F}, {.sex = M}},
    {"address",
     {.postcode = "EX1 2AB", .address = "12 Canal St"},
     {.postcode = "ex12ab", .address = "12 Canal Street"}},
    {"postcode", {.postcode = "EX1 2AB", .address = "12 Canal St"}, {.postcode = "EX1 2AB"}},
    {"postcode",
     {.postcode = "EX1 2AB", .address = "12 Canal St"},
     {.postcode = "EX1 2AB", .address = "14 Canal St"}},
    {"!postcode", {.postcode = "EX1 2AB"}, {.postcode = "EX4 7QP"}},
};

static void test_every_level(void **state) {
  (void)state;
  for (size_t i = 0; i < N_OF(s_levels); i++) {
    const level_case_t *c = &s_levels[i];
    mash_match_person_t a, b;
    s_person(&a, &c->a, "a");
    s_person(&b, &c->b, "b");
    mash_match_why_t w;
    double score = mash_match_score(&a, &b, &w);
    if (strcmp(w.text, c->tag) != 0 || w.points != MASH_MATCH_PRIOR + s_weight(c->tag)) {
      fail_msg("level %s (case %zu): \"%s\" %d", c->tag, i, w.text, w.points);
    }
    assert_true(score == mash_match_probability(w.points));
    assert_false(w.identifier);
  }
}

/* A value missing on either side is no evidence either way: it adds
 * nothing, and so never lowers a score below what the rest says. */
static void test_missing_adds_nothing(void **state) {
  (void)state;
  static const pspec_t full = {MAYA};
  static const char *const rows[] = {"dob", "forename", "surname", "sex", "address"};
  for (int side = 0; side < 2; side++) {
    for (size_t drop = 0; drop < N_OF(rows); drop++) {
      pspec_t part = full;
      switch (drop) {
      case 0:
        part.dob = side ? "" : "not a date";
        break;
      case 1:
        part.given = side ? NULL : "";
        break;
      case 2:
        part.family = NULL;
        break;
      case 3:
        part.sex = side ? U : MASH__V1__SEX__SEX_NOT_KNOWN;
        break;
      default:
        part.postcode = NULL;
        part.address = NULL;
        break;
      }
      mash_match_person_t a, b;
      s_person(&a, &full, "a");
      s_person(&b, &part, "b");
      mash_match_why_t w;
      if (side) {
        mash_match_score(&b, &a, &w);
      } else {
        mash_match_score(&a, &b, &w);
      }
      if (w.points != 2172 - s_weight(rows[drop]) || strstr(w.text, rows[drop]) != NULL) {
        fail_msg("%s missing on side %d: %d \"%s\"", rows[drop], side, w.points, w.text);
      }
    }
  }
  /* The case: no date of birth, everything else agreeing, links
   * (it used to score 0.65 and make a new person). */
  mash_match_person_t a, b;
  s_person(&a, &full, "a");
  s_person(&b, &(pspec_t){P("Maya", "Hartley", "", F, "EX1 2AB", "Flat 3, 12 Canal Street")}, "b");
  assert_int_equal(mash_match_decide(mash_match_score(&a, &b, NULL), NULL), AUTO);
  /* Nothing known on either side: the prior alone, a new person. */
  mash_match_person_t none;
  s_person(&none, &(pspec_t){.given = NULL}, "n");
  mash_match_why_t w;
  mash_match_score(&none, &a, &w);
  assert_int_equal(w.points, MASH_MATCH_PRIOR);
  assert_string_equal(w.text, "");
}

/* Households: one child recorded twice is one child; twins and siblings
 * are two. */
static void test_same_in_household(void **state) {
  (void)state;
  mash_match_person_t maya, dup, twin, sib, nodob;
  s_person(&maya, &(pspec_t){MAYA}, "a");
  s_person(&dup, &(pspec_t){P("Mya", "Hartley", "", U, NULL, NULL)}, "b");
  s_person(&twin, &(pspec_t){P("Amelia", "Hartley", "2019-03-01", F, "EX1 2AB", NULL)}, "c");
  s_person(&sib, &(pspec_t){P("Maya", "Hartley", "2017-06-01", F, "EX1 2AB", NULL)}, "d");
  s_person(&nodob, &(pspec_t){P("Maya", "Hartley", "", F, "EX9 9ZZ", NULL)}, "e");
  assert_true(mash_match_same_in_household(&maya, &dup));
  assert_true(mash_match_same_in_household(&maya, &nodob));
  assert_false(mash_match_same_in_household(&maya, &twin));
  assert_false(mash_match_same_in_household(&maya, &sib));
  assert_false(mash_match_same_in_household(NULL, &maya));
}

/* ---------------------------------------------------------------- thresholds */

static void test_decide_defaults(void **state) {
  (void)state;
  assert_int_equal(mash_match_decide(1.0, NULL), AUTO);
  assert_int_equal(mash_match_decide(0.95, NULL), AUTO);
  assert_int_equal(mash_match_decide(950 / 1000.0, NULL), AUTO);
  assert_int_equal(mash_match_decide(0.9499, NULL), POSSIBLE);
  assert_int_equal(mash_match_decide(0.70, NULL), POSSIBLE);
  assert_int_equal(mash_match_decide(700 / 1000.0, NULL), POSSIBLE);
  assert_int_equal(mash_match_decide(0.6999, NULL), NEW);
  assert_int_equal(mash_match_decide(0.0, NULL), NEW);
  assert_int_equal(mash_match_decide(-1.0, NULL), NEW);
  assert_int_equal(mash_match_decide(NAN, NULL), NEW);
  mash_match_policy_t d = mash_match_policy_default();
  assert_true(d.auto_link == 0.95 && d.review == 0.70);
  assert_int_equal(mash_match_policy_check(&d), 0);
  assert_string_equal(mash_match_decision_name(AUTO), "auto_link");
  assert_string_equal(mash_match_decision_name(POSSIBLE), "possible");
  assert_string_equal(mash_match_decision_name(NEW), "new");
  assert_string_equal(mash_match_decision_name((mash_match_decision_t)42), "new");
}

static void test_decide_policy(void **state) {
  (void)state;
  mash_match_policy_t p = {0.90, 0.50};
  assert_int_equal(mash_match_policy_check(&p), 0);
  assert_int_equal(mash_match_decide(0.93, &p), AUTO);
  assert_int_equal(mash_match_decide(0.90, &p), AUTO);
  assert_int_equal(mash_match_decide(0.60, &p), POSSIBLE);
  assert_int_equal(mash_match_decide(0.49, &p), NEW);
  /* Review and auto-link equal: no review band. */
  mash_match_policy_t none = {0.97, 0.97};
  assert_int_equal(mash_match_policy_check(&none), 0);
  assert_int_equal(mash_match_decide(0.969, &none), NEW);
  assert_int_equal(mash_match_decide(0.97, &none), AUTO);

  /* Bad policies fail the check and decide as the default does. */
  static const mash_match_policy_t bad[] = {
      {0.70, 0.95}, /* review above auto-link */
      {0.95, 0.0},  /* a conflict (0) would reach the desk */
      {1.5, 0.70},  {0.95, -0.1}, {NAN, 0.70}, {0.95, NAN},
  };
  for (size_t i = 0; i < N_OF(bad); i++) {
    assert_int_equal(mash_match_policy_check(&bad[i]), -EINVAL);
    assert_int_equal(mash_match_decide(0.96, &bad[i]), AUTO);
    assert_int_equal(mash_match_decide(0.80, &bad[i]), POSSIBLE);
    assert_int_equal(mash_match_decide(0.0, &bad[i]), NEW);
  }
  assert_int_equal(mash_match_policy_check(NULL), -EINVAL);
}

/* ---------------------------------------------------------------- identifiers */

typedef struct id_case {
  Mash__V1__IdentifierKind kind;
  const char *in;
  int rc;
  const char *out;
} id_case_t;

static const id_case_t s_ids[] = {
    {K_NHS, NHS_1, 0, NHS_1},
    {K_NHS, NHS_1_SPACED, 0, NHS_1},
    {K_NHS, " 9434765919 ", 0, NHS_1},
    {K_NHS, NHS_BAD, -EINVAL, NHS_BAD},
    {K_NHS, "943476591", -EINVAL, "943476591"},
    {K_NHS, "", -EINVAL, ""},
    {K_UPN, UPN_1, 0, UPN_1},
    {K_UPN, "b801200005001", 0, UPN_1},
    {K_UPN, "B801 2000 05001", -EINVAL, "B801200005001"}, /* blanks only around it */
    {K_UPN, UPN_2, 0, UPN_2},
    {K_UPN, "C801200005001", -EINVAL, "C801200005001"},
    {K_PNC, PNC_1, 0, PNC_1},
    {K_PNC, PNC_1_LONG, 0, PNC_1},
    {K_PNC, "01/171310w", 0, PNC_1},
    {K_PNC, PNC_2, 0, PNC_2},
    {K_PNC, "10/1234567A", -EINVAL, "10/1234567A"}, /* the police example's: wrong letter */
    {K_LOCAL, "  RMS-778812 ", 0, "RMS-778812"},
    {K_LOCAL, "rms-778812", 0, "rms-778812"},
    {K_LOCAL, "   ", -EINVAL, ""},
    {MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UNSPECIFIED, NHS_1, -EINVAL, NHS_1},
};

static void test_id_normalise(void **state) {
  (void)state;
  for (size_t i = 0; i < N_OF(s_ids); i++) {
    char out[MASH_MATCH_ID_SIZE];
    int rc = mash_match_id_normalise(s_ids[i].kind, s_ids[i].in, out, sizeof out);
    if (rc != s_ids[i].rc || strcmp(out, s_ids[i].out) != 0) {
      fail_msg("id %d \"%s\" -> %d \"%s\", expected %d \"%s\"", (int)s_ids[i].kind, s_ids[i].in, rc,
               out, s_ids[i].rc, s_ids[i].out);
    }
  }
  char out[MASH_MATCH_ID_SIZE];
  assert_int_equal(mash_match_id_normalise(K_NHS, NULL, out, sizeof out), -EINVAL);
  char small[MASH_MATCH_ID_SIZE - 1];
  assert_int_equal(mash_match_id_normalise(K_NHS, NHS_1, small, sizeof small), -ENOSPC);
  assert_int_equal(mash_match_id_normalise(K_NHS, NHS_1, NULL, 0), -ENOSPC);
}

static void test_add_id(void **state) {
  (void)state;
  mash_match_person_t p;
  mash_match_person_set(&p, "c1", "Maya", "Hartley", NULL, U, NULL, NULL);
  assert_int_equal(mash_match_person_add_id(&p, K_NHS, NULL, NULL), -EINVAL);
  assert_int_equal(mash_match_person_add_id(&p, K_NHS, "", NULL), -EINVAL);
  assert_int_equal(mash_match_person_add_id(&p, (Mash__V1__IdentifierKind)9, NHS_1, NULL), -EINVAL);
  assert_int_equal(mash_match_person_add_id(NULL, K_NHS, NHS_1, NULL), -EINVAL);
  assert_int_equal(p.n_ids, 0);
  assert_int_equal(mash_match_person_add_id(&p, K_NHS, NHS_BAD, NULL), 0);
  assert_false(p.ids[0].valid);
  assert_int_equal(mash_match_person_add_id(&p, K_LOCAL, "RMS-1", NULL), 0);
  assert_false(p.ids[1].valid); /* no issuer */
  assert_int_equal(mash_match_person_add_id(&p, K_LOCAL, "RMS-1", "police-rms"), 0);
  assert_true(p.ids[2].valid);
  assert_string_equal(p.ids[2].issuer, "police-rms");
  assert_int_equal(mash_match_person_add_id(&p, K_NHS, NHS_1_SPACED, "ignored"), 0);
  assert_true(p.ids[3].valid);
  assert_string_equal(p.ids[3].value, NHS_1);
  assert_string_equal(p.ids[3].issuer, "");
  while (p.n_ids < MASH_MATCH_MAX_IDS) {
    assert_int_equal(mash_match_person_add_id(&p, K_UPN, UPN_1, NULL), 0);
  }
  assert_int_equal(mash_match_person_add_id(&p, K_UPN, UPN_1, NULL), -ENOSPC);
  assert_int_equal(p.n_ids, MASH_MATCH_MAX_IDS);
}

/* ---------------------------------------------------------------- records */

static void test_person_set(void **state) {
  (void)state;
  mash_match_person_t p;
  memset(&p, 0xa5, sizeof p);
  mash_match_person_set(&p, "c1", "  Maya  Louise ", "O'Brien-Hartley", "2019-03-01", F, "ex12ab",
                        "Flat 3, 12 Canal St");
  assert_string_equal(p.ref, "c1");
  assert_string_equal(p.forename, "maya louise");
  assert_string_equal(p.surname, "obrien-hartley");
  assert_string_equal(p.forename_key, "M"); /* first given name only */
  assert_string_equal(p.surname_key, "APRNRTL");
  assert_int_equal(p.dob_year, 2019);
  assert_int_equal(p.dob_month, 3);
  assert_int_equal(p.dob_day, 1);
  assert_int_equal(p.sex, F);
  assert_string_equal(p.postcode, "EX1 2AB");
  assert_string_equal(p.address, "flat 3 12 canal street");
  assert_int_equal(p.n_ids, 0);

  /* Unknowns and nonsense. */
  mash_match_person_set(&p, NULL, NULL, NULL, "01/03/2019", (Mash__V1__Sex)77, "EX1", NULL);
  assert_string_equal(p.ref, "");
  assert_string_equal(p.forename, "");
  assert_string_equal(p.forename_key, "");
  assert_int_equal(p.dob_year, 0);
  assert_int_equal(p.sex, U);
  assert_string_equal(p.postcode, "");
  assert_string_equal(p.address, "");
  static const char *const bad_dobs[] = {"2019-13-01", "2019-00-10",  "2019-02-29", "1899-12-31",
                                         "2019-3-1",   "2019-03-01x", "20190301",   ""};
  for (size_t i = 0; i < N_OF(bad_dobs); i++) {
    mash_match_person_set(&p, NULL, NULL, NULL, bad_dobs[i], U, NULL, NULL);
    assert_int_equal(p.dob_year, 0);
  }
  mash_match_person_set(&p, NULL, NULL, NULL, "2020-02-29", U, NULL, NULL);
  assert_int_equal(p.dob_day, 29);
  mash_match_person_set(NULL, NULL, NULL, NULL, NULL, U, NULL, NULL); /* no crash */
}

static void test_person_from_pb(void **state) {
  (void)state;
  Mash__V1__Identifier nhs = MASH__V1__IDENTIFIER__INIT;
  nhs.kind = K_NHS;
  nhs.value = NHS_1_SPACED;
  Mash__V1__Identifier local = MASH__V1__IDENTIFIER__INIT;
  local.kind = K_LOCAL;
  local.value = "RMS-778812";
  local.issuer = "police-rms";
  Mash__V1__Identifier *ids[] = {&nhs, NULL, &local};
  char *lines[] = {"Flat 3", "", "12 Canal Street"};
  Mash__V1__Address addr = MASH__V1__ADDRESS__INIT;
  addr.n_lines = N_OF(lines);
  addr.lines = lines;
  addr.town = "Exampleton";
  addr.postcode = "EX1 2AB";
  Mash__V1__Person src = MASH__V1__PERSON__INIT;
  src.ref = "c1";
  src.given_name = "Maya";
  src.family_name = "Hartley";
  src.date_of_birth = "2019-03-01";
  src.sex = F;
  src.address = &addr;
  src.n_identifiers = N_OF(ids);
  src.identifiers = ids;

  mash_match_person_t p;
  mash_match_person_from_pb(&p, &src);
  assert_string_equal(p.ref, "c1");
  assert_string_equal(p.forename, "maya");
  assert_string_equal(p.surname_key, "HRTL");
  assert_int_equal(p.dob_year, 2019);
  assert_string_equal(p.postcode, "EX1 2AB");
  /* Lines joined, the town left out. */
  assert_string_equal(p.address, "flat 3 12 canal street");
  assert_int_equal(p.n_ids, 2);
  assert_string_equal(p.ids[0].value, NHS_1);
  assert_true(p.ids[0].valid);
  assert_string_equal(p.ids[1].issuer, "police-rms");
  assert_true(p.ids[1].valid);

  /* The same person keyed in by hand, with the lines in one. */
  mash_match_person_t q;
  mash_match_person_set(&q, "x", "MAYA", "HARTLY", "2019-03-01", F, "ex1 2ab",
                        "Flat 3 12 Canal St");
  mash_match_why_t w;
  assert_int_equal(mash_match_decide(mash_match_score(&p, &q, &w), NULL), AUTO);
  assert_string_equal(w.text, "dob+forename+surname~1+sex+address");

  /* No address at all, and NULL. */
  src.address = NULL;
  mash_match_person_from_pb(&p, &src);
  assert_string_equal(p.postcode, "");
  assert_string_equal(p.address, "");
  mash_match_person_from_pb(&p, NULL);
  assert_string_equal(p.forename, "");
  assert_int_equal(p.n_ids, 0);
  mash_match_person_from_pb(NULL, &src); /* no crash */

  /* More identifiers than a record holds: the first ones are kept. */
  Mash__V1__Identifier *many[MASH_MATCH_MAX_IDS + 3];
  for (size_t i = 0; i < N_OF(many); i++) {
    many[i] = &nhs;
  }
  src.n_identifiers = N_OF(many);
  src.identifiers = many;
  mash_match_person_from_pb(&p, &src);
  assert_int_equal(p.n_ids, MASH_MATCH_MAX_IDS);
}

/* ---------------------------------------------------------------- blocking keys */

static void test_blocking_keys(void **state) {
  (void)state;
  mash_match_person_t p;
  s_person(&p, &(pspec_t){MAYA}, "c1");
  char keys[MASH_MATCH_MAX_KEYS][MASH_MATCH_KEY_SIZE];
  assert_int_equal(mash_match_blocking_keys(&p, keys), 6);
  assert_string_equal(keys[0], "d:2019-03-01");
  assert_string_equal(keys[1], "s:HRTL:2019");
  assert_string_equal(keys[2], "p:EX1 2AB:M");
  assert_string_equal(keys[3], "n:M:HRTL:03-01");
  assert_string_equal(keys[4], "f:M:HRTL");
  assert_string_equal(keys[5], "q:EX1 2AB:HRTL");

  /* No date of birth: the postcode and the name pair still find her. */
  s_person(&p, &(pspec_t){P("Maya", "Hartley", NULL, U, "EX1 2AB", NULL)}, "c1");
  assert_int_equal(mash_match_blocking_keys(&p, keys), 3);
  assert_string_equal(keys[0], "p:EX1 2AB:M");
  assert_string_equal(keys[1], "f:M:HRTL");
  assert_string_equal(keys[2], "q:EX1 2AB:HRTL");

  s_person(&p, &(pspec_t){P(NULL, "Hartley", "2019-03-01", U, NULL, NULL)}, "c1");
  assert_int_equal(mash_match_blocking_keys(&p, keys), 2);
  assert_string_equal(keys[0], "d:2019-03-01");
  assert_string_equal(keys[1], "s:HRTL:2019");

  s_person(&p, &(pspec_t){.given = NULL}, "c1");
  assert_int_equal(mash_match_blocking_keys(&p, keys), 0);
  assert_int_equal(mash_match_blocking_keys(NULL, keys), 0);
  assert_int_equal(mash_match_blocking_keys(&p, NULL), 0);

  /* The longest key still fits. */
  s_person(
      &p,
      &(pspec_t){P("Maximilianus", "Wolfeschlegelsteinhausen", "2019-03-01", U, "SW1A 1AA", NULL)},
      "c1");
  assert_int_equal(mash_match_blocking_keys(&p, keys), 6);
  assert_string_equal(keys[3], "n:MKSMLNS:ALFXLJLS:03-01");
}

static bool s_share_key(const mash_match_person_t *a, const mash_match_person_t *b) {
  char ka[MASH_MATCH_MAX_KEYS][MASH_MATCH_KEY_SIZE], kb[MASH_MATCH_MAX_KEYS][MASH_MATCH_KEY_SIZE];
  size_t na = mash_match_blocking_keys(a, ka), nb = mash_match_blocking_keys(b, kb);
  for (size_t i = 0; i < na; i++) {
    for (size_t j = 0; j < nb; j++) {
      if (strcmp(ka[i], kb[j]) == 0) {
        return true;
      }
    }
  }
  return false;
}

/* The index must find every candidate the weights would link or send to
 * the desk: identifiers have their own index. */
static void test_blocking_finds_candidates(void **state) {
  (void)state;
  unsigned checked = 0;
  for (size_t i = 0; i < N_OF(s_cases); i++) {
    const score_case_t *c = &s_cases[i];
    mash_match_person_t a, b;
    s_person(&a, &c->a, "a");
    s_person(&b, &c->b, "b");
    mash_match_why_t w;
    mash_match_decision_t d = mash_match_decide(mash_match_score(&a, &b, &w), NULL);
    if (d == NEW || w.identifier) {
      continue;
    }
    CHECK(c, s_share_key(&a, &b));
    checked++;
  }
  assert_true(checked >= 20);
}

/* ---------------------------------------------------------------- households */

static void test_household_address_and_relationships(void **state) {
  (void)state;
  static const pspec_t people[] = {
      {P("Maya", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},   /* c1 */
      {P("Leo", "Hartley", "2024-07-15", M, "EX1 2AB", "Flat 3, 12 Canal Street")},    /* c2 */
      {P("Jess", "Hartley", "1994-05-20", F, "ex12ab", "Apartment 3, 12 Canal St.")},  /* a1 */
      {DEAN},                                                                          /* a2 */
      {P("Kai", "Marsh", "2015-02-02", M, "EX9 9ZZ", "4 Other Road")},                 /* c3 */
      {P("Sam", "Jones", "2014-01-01", M, "EX5 5AA", "1 Elsewhere Lane")},             /* c4 */
      {P("Amy", "Jones", "2016-01-01", F, "EX1 2AB", NULL)},                           /* c5 */
      {P("Flat", "Neighbour", "1980-01-01", F, "EX1 2AB", "Flat 4, 12 Canal Street")}, /* a3 */
  };
  static const char *const refs[] = {"c1", "c2", "a1", "a2", "c3", "c4", "c5", "a3"};
  mash_match_person_t persons[N_OF(people)];
  for (size_t i = 0; i < N_OF(people); i++) {
    s_person(&persons[i], &people[i], refs[i]);
  }
  /* Dean (no address) is Leo's father; Kai, at another address, is
   * Dean's son: both join Maya's household through Leo. */
  Mash__V1__Relationship r1 = MASH__V1__RELATIONSHIP__INIT;
  r1.from_ref = "a2";
  r1.to_ref = "c2";
  r1.kind = "parent";
  Mash__V1__Relationship r2 = MASH__V1__RELATIONSHIP__INIT;
  r2.from_ref = "a2";
  r2.to_ref = "c3";
  r2.kind = "parent";
  Mash__V1__Relationship r3 = MASH__V1__RELATIONSHIP__INIT;
  r3.from_ref = "zz";
  r3.to_ref = "c4";
  r3.kind = "parent"; /* unknown ref: ignored */
  Mash__V1__Relationship r4 = MASH__V1__RELATIONSHIP__INIT;
  r4.from_ref = "";
  r4.to_ref = "c4"; /* empty ref: ignored */
  Mash__V1__Relationship *rels[] = {&r1, NULL, &r2, &r3, &r4};

  size_t group[N_OF(people)];
  size_t n = mash_household_group(persons, N_OF(people), rels, N_OF(rels), group);
  static const size_t want[] = {0, 0, 0, 0, 0, 5, 6, 7};
  assert_int_equal(n, 4);
  assert_memory_equal(group, want, sizeof want);

  /* Without the relationships only the address joins. */
  n = mash_household_group(persons, N_OF(people), NULL, 0, group);
  static const size_t want_addr[] = {0, 0, 0, 3, 4, 5, 6, 7};
  assert_int_equal(n, 6);
  assert_memory_equal(group, want_addr, sizeof want_addr);
}

/* A chain given back to front: the group is still the lowest index. */
static void test_household_transitive_chain(void **state) {
  (void)state;
  enum { N = 10 };
  mash_match_person_t persons[N];
  char refs[N][4];
  for (int i = 0; i < N; i++) {
    refs[i][0] = 'p';
    refs[i][1] = (char)('0' + i);
    refs[i][2] = '\0';
    mash_match_person_set(&persons[i], refs[i], "X", "Y", NULL, U, NULL, NULL);
  }
  /* p9-p8, p8-p7, ..., p5-p4; and p3-p1, p2-p3; p0 alone. */
  Mash__V1__Relationship r[N];
  Mash__V1__Relationship *rels[N];
  size_t m = 0;
  for (int i = N - 1; i > 4; i--) {
    r[m] = (Mash__V1__Relationship)MASH__V1__RELATIONSHIP__INIT;
    r[m].from_ref = refs[i];
    r[m].to_ref = refs[i - 1];
    rels[m] = &r[m];
    m++;
  }
  r[m] = (Mash__V1__Relationship)MASH__V1__RELATIONSHIP__INIT;
  r[m].from_ref = refs[3];
  r[m].to_ref = refs[1];
  rels[m] = &r[m];
  m++;
  r[m] = (Mash__V1__Relationship)MASH__V1__RELATIONSHIP__INIT;
  r[m].from_ref = refs[2];
  r[m].to_ref = refs[3];
  rels[m] = &r[m];
  m++;
  size_t group[N];
  assert_int_equal(mash_household_group(persons, N, rels, m, group), 3);
  static const size_t want[N] = {0, 1, 1, 1, 4, 4, 4, 4, 4, 4};
  assert_memory_equal(group, want, sizeof want);

  /* Joining the two chains makes one; a self-relationship changes nothing. */
  r[m] = (Mash__V1__Relationship)MASH__V1__RELATIONSHIP__INIT;
  r[m].from_ref = refs[9];
  r[m].to_ref = refs[2];
  rels[m] = &r[m];
  m++;
  r[m] = (Mash__V1__Relationship)MASH__V1__RELATIONSHIP__INIT;
  r[m].from_ref = refs[0];
  r[m].to_ref = refs[0];
  rels[m] = &r[m];
  m++;
  assert_int_equal(mash_household_group(persons, N, rels, m, group), 2);
  for (int i = 1; i < N; i++) {
    assert_int_equal(group[i], 1);
  }
  assert_int_equal(group[0], 0);

  assert_int_equal(mash_household_group(persons, 0, NULL, 0, group), 0);
  assert_int_equal(mash_household_group(NULL, N, NULL, 0, group), 0);
  assert_int_equal(mash_household_group(persons, N, NULL, 0, NULL), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_score_table),
      cmocka_unit_test(test_score_null),
      cmocka_unit_test(test_weights_rows),
      cmocka_unit_test(test_every_level),
      cmocka_unit_test(test_missing_adds_nothing),
      cmocka_unit_test(test_same_in_household),
      cmocka_unit_test(test_decide_defaults),
      cmocka_unit_test(test_decide_policy),
      cmocka_unit_test(test_id_normalise),
      cmocka_unit_test(test_add_id),
      cmocka_unit_test(test_person_set),
      cmocka_unit_test(test_person_from_pb),
      cmocka_unit_test(test_blocking_keys),
      cmocka_unit_test(test_blocking_finds_candidates),
      cmocka_unit_test(test_household_address_and_relationships),
      cmocka_unit_test(test_household_transitive_chain),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
