/* test_match: person matching, scoring cases, decisions, identifiers and
 * person records (common/match.h); test_match_levels.c has the levels and
 * weights, the missing-value rule, blocking keys and households.
 *
 * A table of scoring cases, each checked both ways round (the score is
 * symmetric) for its weight, decision and "why": the cases
 * (identical records, typos, no date of birth, twins), identifier links and
 * conflicts (shared numbers the rest contradicts), and the near misses
 * around them; the thresholds and policies; identifier canonical forms;
 * person records from the wire; every case the table sends to the desk or
 * links shares a blocking key.
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
     -361,
     NEW,
     "dob+forename~+surname+sex+address+!nhs_number"},
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
    {"different NHS numbers, all else equal: one holds a wrong number, a link (flagged)",
     {MAYA, .nhs = NHS_1},
     {MAYA, .nhs = NHS_2},
     1611,
     AUTO,
     "dob+forename+surname+sex+address+!nhs_number"},
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
    {"different UPNs",
     {MAYA, .upn = UPN_1},
     {MAYA, .upn = UPN_2},
     1611,
     AUTO,
     "dob+forename+surname+sex+address+!upn"},
    {"same PNC id written two ways",
     {DEAN, .pnc = PNC_1},
     {P("Dean", "Marsh", "", U, NULL, NULL), .pnc = PNC_1_LONG},
     -318,
     AUTO,
     "pnc_id"},
    {"different PNC ids",
     {DEAN, .pnc = PNC_1},
     {DEAN, .pnc = PNC_2},
     473,
     AUTO,
     "dob+forename+surname+sex+!pnc_id"},
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
    {"NHS number agrees, UPN conflicts: the conflict is weighed, not the shared number",
     {MAYA, .nhs = NHS_1, .upn = UPN_1},
     {MAYA, .nhs = NHS_1, .upn = UPN_2},
     1611,
     AUTO,
     "dob+forename+surname+sex+address+!upn"},
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
    /* Two different numbers end the text with "+!KIND" (-5.61 bits). */
    size_t wl = strlen(c->why);
    bool differ = (wl > 11 && strcmp(c->why + wl - 11, "!nhs_number") == 0) ||
                  (wl > 4 && strcmp(c->why + wl - 4, "!upn") == 0) ||
                  (wl > 7 && strcmp(c->why + wl - 7, "!pnc_id") == 0);
    bool shared = strncmp(c->why, "conflict:shared_", 16) == 0;
    bool conflict = differ || shared;
    /* The confidence: 1 for an identifier, else the weight as a
     * probability (two different numbers weighed in); rest is the fields'
     * alone. */
    double want = by_id ? 1.0 : mash_match_probability(c->points);
    CHECK(c, sab == want);
    CHECK(c, wab.rest == mash_match_probability(wab.points + (differ ? 561 : 0)));
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_score_table),
      cmocka_unit_test(test_score_null),
      cmocka_unit_test(test_decide_defaults),
      cmocka_unit_test(test_decide_policy),
      cmocka_unit_test(test_id_normalise),
      cmocka_unit_test(test_add_id),
      cmocka_unit_test(test_person_set),
      cmocka_unit_test(test_person_from_pb),
      cmocka_unit_test(test_blocking_finds_candidates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
