/* test_match: person matching, decisions, blocking keys and households
 * (broker/match.h).
 *
 * A table of scoring cases, each checked both ways round (the score is
 * symmetric) for its points, decision and "why": the cases (identical
 * records, a surname typo, the same name with another dob, twins), identifier
 * links and conflicts, and the near misses around them. Then every
 * combination of the weights table's rows, against the rule match.h states
 * (auto-link only with dob, forename, surname and postcode agreeing and no
 * sex conflict); the thresholds and policies; identifier canonical forms;
 * person records from the wire; blocking keys (every non-identifier pair the
 * table sends to the desk or links shares one); and households, transitive.
 * Must not: touch the network, the disk or the clock.
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
#define ALL "dob+forename+surname+sex+postcode+address"

typedef struct score_case {
  const char *name;
  pspec_t a, b;
  int points; /* expected why.points */
  mash_match_decision_t decision;
  const char *why;
} score_case_t;

static const score_case_t s_cases[] = {
    /* The cases. */
    {"identical", {MAYA}, {MAYA}, 1000, AUTO, ALL},
    {"identical name, dob, postcode and sex",
     {MAYA},
     {P("Maya", "Hartley", "2019-03-01", F, "EX1 2AB", NULL)},
     980,
     AUTO,
     "dob+forename+surname+sex+postcode"},
    {"name, dob and postcode only",
     {MAYA},
     {P("Maya", "Hartley", "2019-03-01", U, "EX1 2AB", NULL)},
     950,
     AUTO,
     "dob+forename+surname+postcode"},
    {"surname typo with forename, dob and postcode",
     {MAYA},
     {P("Maya", "Hartkey", "2019-03-01", U, "EX1 2AB", NULL)},
     950,
     AUTO,
     "dob+forename+surname~1+postcode"},
    {"surname typo, all else equal",
     {MAYA},
     {P("Maya", "Hartkey", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     1000,
     AUTO,
     "dob+forename+surname~1+sex+postcode+address"},
    {"surname letters swapped",
     {MAYA},
     {P("Maya", "Hatrley", "2019-03-01", F, "EX1 2AB", NULL)},
     980,
     AUTO,
     "dob+forename+surname~1+sex+postcode"},
    {"surname spelt as it sounds",
     {MAYA},
     {P("Maya", "Hartly", "2019-03-01", F, "EX1 2AB", NULL)},
     980,
     AUTO,
     "dob+forename+surname~+sex+postcode"},
    {"Smith and Smyth",
     {P("John", "Smith", "2012-06-30", M, "M1 1AE", NULL)},
     {P("John", "Smyth", "2012-06-30", M, "m11ae", NULL)},
     980,
     AUTO,
     "dob+forename+surname~+sex+postcode"},
    {"same name, different dob",
     {MAYA},
     {P("Maya", "Hartley", "2018-07-11", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     450,
     NEW,
     "!dob+forename+surname+sex+postcode+address"},
    {"twins, same sex",
     {MAYA},
     {P("Amelia", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     800,
     POSSIBLE,
     "dob+surname+sex+postcode+address"},
    {"twins, other sex",
     {MAYA},
     {P("Leo", "Hartley", "2019-03-01", M, "EX1 2AB", "Flat 3, 12 Canal Street")},
     620,
     NEW,
     "dob+surname+!sex+postcode+address"},
    {"twins whose forenames sound alike",
     {P("Ella", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     {P("Ellie", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     930,
     POSSIBLE,
     "dob+forename~+surname+sex+postcode+address"},
    {"twins with NHS numbers",
     {P("Ella", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street"), .nhs = NHS_1},
     {P("Ellie", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street"), .nhs = NHS_2},
     0,
     NEW,
     "conflict:nhs_number"},
    /* Dates of birth. */
    {"dob day and month swapped",
     {MAYA},
     {P("Maya", "Hartley", "2019-01-03", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     800,
     POSSIBLE,
     "dob~+forename+surname+sex+postcode+address"},
    {"dob day one digit off",
     {MAYA},
     {P("Maya", "Hartley", "2019-03-07", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     800,
     POSSIBLE,
     "dob~+forename+surname+sex+postcode+address"},
    {"dob year one digit off",
     {MAYA},
     {P("Maya", "Hartley", "2018-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     800,
     POSSIBLE,
     "dob~+forename+surname+sex+postcode+address"},
    {"dob two digits off",
     {MAYA},
     {P("Maya", "Hartley", "2019-04-02", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     450,
     NEW,
     "!dob+forename+surname+sex+postcode+address"},
    {"no dob on one side",
     {MAYA},
     {P("Maya", "Hartley", "", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     650,
     NEW,
     "forename+surname+sex+postcode+address"},
    {"impossible dob is not known",
     {MAYA},
     {P("Maya", "Hartley", "2019-02-30", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     650,
     NEW,
     "forename+surname+sex+postcode+address"},
    /* Names. */
    {"forename spelt differently",
     {P("Catherine", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     {P("Kathryn", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     930,
     POSSIBLE,
     "dob+forename~+surname+sex+postcode+address"},
    {"middle name recorded by one agency",
     {MAYA},
     {P("Maya Louise", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     1000,
     AUTO,
     ALL},
    {"different middle names",
     {P("Mary Ann", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     {P("Mary Beth", "Hartley", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     930,
     POSSIBLE,
     "dob+forename~+surname+sex+postcode+address"},
    {"hyphen or space in a forename",
     {P("Mary-Jane", "Hartley", "2019-03-01", F, "EX1 2AB", NULL)},
     {P("Mary Jane", "Hartley", "2019-03-01", F, "EX1 2AB", NULL)},
     980,
     AUTO,
     "dob+forename+surname+sex+postcode"},
    {"double-barrelled surname",
     {MAYA},
     {P("Maya", "Hartley-Marsh", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     940,
     POSSIBLE,
     "dob+forename+surname_part+sex+postcode+address"},
    {"other surname (a step-parent's)",
     {MAYA},
     {P("Maya", "Marsh", "2019-03-01", F, "EX1 2AB", "Flat 3, 12 Canal Street")},
     800,
     POSSIBLE,
     "dob+forename+sex+postcode+address"},
    {"short surnames one letter apart",
     {P("Tom", "Ng", "2015-05-05", M, "EX1 2AB", NULL)},
     {P("Tom", "Na", "2015-05-05", M, "EX1 2AB", NULL)},
     780,
     POSSIBLE,
     "dob+forename+sex+postcode"},
    {"case, accents and formats",
     {P("MAYA", "HARTLEY", "2019-03-01", F, "ex12ab", "Flat 3 12 Canal St")},
     {P("Maya", "Hartley", "2019-03-01", F, "EX1 2AB", "Apartment 3, 12 Canal St.")},
     1000,
     AUTO,
     ALL},
    {"accents",
     {P("Zoë", "Brontë", "2016-01-01", F, NULL, NULL)},
     {P("Zoe", "Bronte", "2016-01-01", F, NULL, NULL)},
     780,
     POSSIBLE,
     "dob+forename+surname+sex"},
    /* Sex, postcode, address. */
    {"sex conflict",
     {MAYA},
     {P("Maya", "Hartley", "2019-03-01", M, "EX1 2AB", "Flat 3, 12 Canal Street")},
     820,
     POSSIBLE,
     "dob+forename+surname+!sex+postcode+address"},
    {"sex other is not compared with female",
     {MAYA},
     {P("Maya", "Hartley", "2019-03-01", O, "EX1 2AB", "Flat 3, 12 Canal Street")},
     970,
     AUTO,
     "dob+forename+surname+postcode+address"},
    {"no postcode",
     {MAYA},
     {P("Maya", "Hartley", "2019-03-01", F, NULL, "Flat 3, 12 Canal Street")},
     800,
     POSSIBLE,
     "dob+forename+surname+sex+address"},
    {"moved house",
     {MAYA},
     {P("Maya", "Hartley", "2019-03-01", F, "EX4 7QP", "27 Mill Lane")},
     780,
     POSSIBLE,
     "dob+forename+surname+sex"},
    {"nothing known", {.given = NULL}, {.given = NULL}, 0, NEW, ""},
    {"nothing alike", {MAYA}, {DEAN}, -350, NEW, "!dob+!sex"},
    /* Identifiers. */
    {"same NHS number, nothing else alike",
     {MAYA, .nhs = NHS_1},
     {DEAN, .nhs = NHS_1_SPACED},
     1000,
     AUTO,
     "nhs_number"},
    {"different NHS numbers, all else equal",
     {MAYA, .nhs = NHS_1},
     {MAYA, .nhs = NHS_2},
     0,
     NEW,
     "conflict:nhs_number"},
    {"NHS number failing its check neither links nor conflicts",
     {MAYA, .nhs = NHS_1},
     {MAYA, .nhs = NHS_BAD},
     1000,
     AUTO,
     ALL},
    {"same failing NHS number does not link",
     {MAYA, .nhs = NHS_BAD},
     {DEAN, .nhs = NHS_BAD},
     -350,
     NEW,
     "!dob+!sex"},
    {"same UPN", {MAYA, .upn = UPN_1}, {DEAN, .upn = "b801200005001"}, 1000, AUTO, "upn"},
    {"different UPNs", {MAYA, .upn = UPN_1}, {MAYA, .upn = UPN_2}, 0, NEW, "conflict:upn"},
    {"same PNC id written two ways",
     {DEAN, .pnc = PNC_1},
     {P("Dean", "Marsh", "", U, NULL, NULL), .pnc = PNC_1_LONG},
     1000,
     AUTO,
     "pnc_id"},
    {"different PNC ids", {DEAN, .pnc = PNC_1}, {DEAN, .pnc = PNC_2}, 0, NEW, "conflict:pnc_id"},
    {"same local id from the same issuer",
     {DEAN, .local = "RMS-778812", .issuer = "police-rms"},
     {MAYA, .local = " RMS-778812 ", .issuer = "police-rms"},
     1000,
     AUTO,
     "local_id"},
    {"same local id from different issuers",
     {DEAN, .local = "778812", .issuer = "police-rms"},
     {MAYA, .local = "778812", .issuer = "health-pas"},
     -350,
     NEW,
     "!dob+!sex"},
    {"different local ids, same issuer, never conflict",
     {MAYA, .local = "RMS-1", .issuer = "police-rms"},
     {MAYA, .local = "RMS-2", .issuer = "police-rms"},
     1000,
     AUTO,
     ALL},
    {"local id without an issuer does not link",
     {DEAN, .local = "RMS-778812"},
     {MAYA, .local = "RMS-778812"},
     -350,
     NEW,
     "!dob+!sex"},
    {"NHS number agrees, UPN conflicts: the conflict wins",
     {MAYA, .nhs = NHS_1, .upn = UPN_1},
     {MAYA, .nhs = NHS_1, .upn = UPN_2},
     0,
     NEW,
     "conflict:upn"},
    {"NHS number on one side only, same UPN",
     {MAYA, .nhs = NHS_1, .upn = UPN_1},
     {DEAN, .upn = UPN_1},
     1000,
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
    int clamped = c->points < 0 ? 0 : c->points;
    CHECK(c, sab == clamped / 1000.0);
    CHECK(c, sab >= 0.0 && sab <= 1.0);
    CHECK(c, mash_match_decide(sab, NULL) == c->decision);
    /* Symmetric. */
    CHECK(c, sba == sab);
    CHECK(c, wba.points == wab.points && wba.factors == wab.factors);
    CHECK(c, strcmp(wba.text, wab.text) == 0);
    /* The identifier flags agree with the text. */
    bool by_id = strcmp(c->why, "nhs_number") == 0 || strcmp(c->why, "upn") == 0 ||
                 strcmp(c->why, "pnc_id") == 0 || strcmp(c->why, "local_id") == 0;
    bool conflict = strncmp(c->why, "conflict:", 9) == 0;
    CHECK(c, wab.identifier == (by_id || conflict));
    CHECK(c, wab.conflict == conflict);
    CHECK(c, (wab.factors == 0) == (by_id || conflict || c->why[0] == '\0'));
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
  /* A record matched with itself is certain. */
  assert_true(mash_match_score(&a, &a, &w) == 1.0);
  assert_string_equal(w.text, ALL);
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
      "dob",       "dob~",         "!dob", "forename", "forename~", "surname", "surname~",
      "surname~1", "surname_part", "sex",  "!sex",     "postcode",  "address",
  };
  assert_int_equal(mash_match_weights(0, NULL, NULL), N_OF(tags));
  for (size_t r = 0; r < N_OF(tags); r++) {
    const char *t;
    mash_match_weights(r, &t, NULL);
    assert_string_equal(t, tags[r]);
  }
  const char *t = "x";
  int p = 7;
  mash_match_weights(N_OF(tags), &t, &p);
  assert_null(t);
  assert_int_equal(p, 0);
  /* The best row of every factor adds up to certainty. */
  assert_int_equal(s_weight("dob") + s_weight("forename") + s_weight("surname") + s_weight("sex") +
                       s_weight("postcode") + s_weight("address"),
                   1000);
}

/* Every combination of one row (or none) per factor, against the rule. */
static void test_weights_every_combination(void **state) {
  (void)state;
  static const char *const dob[] = {NULL, "dob", "dob~", "!dob"};
  static const char *const fore[] = {NULL, "forename", "forename~"};
  static const char *const sur[] = {NULL, "surname", "surname~", "surname~1", "surname_part"};
  static const char *const sex[] = {NULL, "sex", "!sex"};
  static const char *const pc[] = {NULL, "postcode"};
  static const char *const addr[] = {NULL, "address"};
  unsigned combos = 0, autos = 0;
  for (size_t d = 0; d < N_OF(dob); d++) {
    for (size_t f = 0; f < N_OF(fore); f++) {
      for (size_t s = 0; s < N_OF(sur); s++) {
        for (size_t x = 0; x < N_OF(sex); x++) {
          for (size_t p = 0; p < N_OF(pc); p++) {
            for (size_t a = 0; a < N_OF(addr); a++) {
              const char *rows[] = {dob[d], fore[f], sur[s], sex[x], pc[p], addr[a]};
              int points = 0;
              for (size_t r = 0; r < N_OF(rows); r++) {
                points += rows[r] != NULL ? s_weight(rows[r]) : 0;
              }
              double score = (points < 0 ? 0 : points) / 1000.0;
              mash_match_decision_t dec = mash_match_decide(score, NULL);
              bool must_auto = d == 1 && f == 1 && (s >= 1 && s <= 3) && p == 1 && x != 2;
              if ((dec == AUTO) != must_auto) {
                fail_msg("dob=%s forename=%s surname=%s sex=%s postcode=%s address=%s: %d",
                         dob[d] ? dob[d] : "-", fore[f] ? fore[f] : "-", sur[s] ? sur[s] : "-",
                         sex[x] ? sex[x] : "-", pc[p] ? pc[p] : "-", addr[a] ? addr[a] : "-",
                         points);
              }
              /* A dob that is plainly different always makes a new person. */
              if (d == 3) {
                assert_int_equal(dec, NEW);
              }
              combos++;
              autos += dec == AUTO;
            }
          }
        }
      }
    }
  }
  assert_int_equal(combos, 4 * 3 * 5 * 3 * 2 * 2);
  assert_int_equal(autos, 3 * 2 * 2); /* surname x sex (none, equal) x address */
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
  assert_string_equal(w.text, "dob+forename+surname~+sex+postcode+address");

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
  assert_int_equal(mash_match_blocking_keys(&p, keys), 4);
  assert_string_equal(keys[0], "d:2019-03-01");
  assert_string_equal(keys[1], "s:HRTL:2019");
  assert_string_equal(keys[2], "p:EX1 2AB:M");
  assert_string_equal(keys[3], "n:M:HRTL:03-01");

  s_person(&p, &(pspec_t){P("Maya", "Hartley", NULL, U, "EX1 2AB", NULL)}, "c1");
  assert_int_equal(mash_match_blocking_keys(&p, keys), 1);
  assert_string_equal(keys[0], "p:EX1 2AB:M");

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
  assert_int_equal(mash_match_blocking_keys(&p, keys), 4);
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
      cmocka_unit_test(test_weights_every_combination),
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
