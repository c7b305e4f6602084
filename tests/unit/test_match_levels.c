/* test_match_levels: the comparison levels and their weights, the
 * missing-value rule, one child twice in a household, blocking keys and
 * households (common/match.h). test_match.c has the scoring cases,
 * thresholds, identifiers and person records.
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
      "dob",           "dob~swap",     "dob~1",       "!dob",      "!dob_gen", "forename",
      "forename~nick", "forename~1",   "forename~",   "!forename", "surname",  "surname~1",
      "surname~",      "surname_part", "!surname",    "sex",       "!sex",     "address",
      "postcode",      "!postcode",    "!identifier", "!role",
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
    {"forename~nick", {.given = "Mohammed"}, {.given = "Muhammad"}}, /* one name, two spellings */
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

/* A child against an adult counts only where a date of birth is missing:
 * a mother and her daughter of one name at one home (eval-match seed 7). */
static void test_role_without_dates(void **state) {
  (void)state;
  mash_match_person_t girl, mum, mum_nodob, girl_dob;
  s_person(&girl, &(pspec_t){P("Olivia", "Belland", "", F, "EX2 7LB", "4 Weir Road")}, "c1");
  s_person(&mum, &(pspec_t){P("Olivia", "Belland", "1988-02-14", F, "EX2 7LB", "4 Weir Road")},
           "a1");
  s_person(&girl_dob, &(pspec_t){P("Olivia", "Belland", "2017-06-03", F, "EX2 7LB", "4 Weir Road")},
           "c1");
  /* Roles not known (an agency's records): names, sex and home, a link. */
  mash_match_why_t w;
  assert_int_equal(mash_match_decide(mash_match_score(&girl, &mum, &w), NULL), AUTO);
  int without = w.points;
  girl.role = girl_dob.role = MASH_MATCH_ROLE_CHILD;
  mum.role = MASH_MATCH_ROLE_ADULT;
  double score = mash_match_score(&girl, &mum, &w);
  assert_int_equal(w.points, without + s_weight("!role"));
  assert_string_equal(w.text, "forename+surname+sex+address+!role");
  assert_int_equal(mash_match_decide(score, NULL), POSSIBLE);
  assert_true(mash_match_score(&mum, &girl, NULL) == score); /* symmetric */
  /* Not one person in a household either: no family prior for them. */
  assert_false(mash_match_same_in_household(&girl, &mum));
  /* Both dates known: the dates say it, the role adds nothing more. */
  mash_match_score(&girl_dob, &mum, &w);
  assert_null(strstr(w.text, "!role"));
  assert_non_null(strstr(w.text, "!dob_gen"));
  /* One role unknown: no evidence. */
  s_person(&mum_nodob, &(pspec_t){P("Olivia", "Belland", "", F, "EX2 7LB", "4 Weir Road")}, "a1");
  mash_match_score(&girl, &mum_nodob, &w);
  assert_int_equal(w.points, without);
  /* Both listed as children: the same child, a link. */
  assert_int_equal(mash_match_decide(mash_match_score(&girl, &girl_dob, NULL), NULL), AUTO);
  assert_true(mash_match_same_in_household(&girl, &girl_dob));
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

/* Issue 9, seeds 2, 4, 5 and 9 of bench/eval-match: a record keeps the near
 * dates of birth that linked to it; two slips (a usual variant counting as
 * none) are one child in a household, also with the date missing on one
 * side when the surname and sex agree; forenames that only sound alike at
 * one home with no date to tell are capped like twins. */
static void test_other_dates_of_birth(void **state) {
  (void)state;
  mash_match_person_t rec, slip, own, other;
  /* The first record carried a swapped date (Emily, 9 March written 3 September). */
  s_person(&rec, &(pspec_t){P("Emily", "Graham", "2022-09-03", F, NULL, NULL)}, "a");
  s_person(&own, &(pspec_t){P("Emily", "Graham", "2022-03-09", F, NULL, NULL)}, "b");
  s_person(&slip, &(pspec_t){P("Emily", "Graham", "2022-03-08", F, NULL, NULL)}, "c");
  s_person(&other, &(pspec_t){P("Emily", "Graham", "2020-02-23", F, NULL, NULL)}, "d");
  mash_match_why_t w;
  mash_match_score(&slip, &rec, &w);
  assert_string_equal(w.text, "!dob+forename+surname+sex");
  /* Her own date linked at the swapped level: it is near, and kept. */
  assert_true(mash_match_dob_near(&own, &rec));
  assert_false(mash_match_dob_near(&rec, &rec));
  assert_false(mash_match_dob_near(&other, &rec));
  assert_int_equal(mash_match_person_add_dob(&rec, "2022-03-09"), 1);
  assert_int_equal(mash_match_person_add_dob(&rec, "2022-03-09"), 0); /* kept already */
  assert_int_equal(mash_match_person_add_dob(&rec, "2022-09-03"), 0); /* its own */
  assert_int_equal(mash_match_person_add_dob(&rec, "not a date"), 0);
  /* Now a slip of her own date is a slip, both ways round, and the pair
   * reaches the desk's review at least. */
  double s = mash_match_score(&slip, &rec, &w);
  assert_string_equal(w.text, "dob~1+forename+surname+sex");
  assert_true(mash_match_score(&rec, &slip, NULL) == s);
  assert_int_not_equal(mash_match_decide(s, NULL), NEW);
  assert_true(mash_match_same_in_household(&rec, &slip));
  /* Her sister, born two years before, is still her sister. */
  mash_match_score(&other, &rec, &w);
  assert_string_equal(w.text, "!dob+forename+surname+sex");
  assert_false(mash_match_same_in_household(&rec, &other));
  assert_int_equal(mash_match_person_add_dob(&rec, "2022-03-10"), 1);
  assert_int_equal(mash_match_person_add_dob(&rec, "2022-03-11"), -ENOSPC);
  /* From a stored Person. */
  Mash__V1__Person pb = MASH__V1__PERSON__INIT;
  char *dobs[] = {(char *)"2022-03-09", (char *)"bad"};
  pb.given_name = (char *)"Emily";
  pb.date_of_birth = (char *)"2022-09-03";
  pb.other_dates_of_birth = dobs;
  pb.n_other_dates_of_birth = 2;
  mash_match_person_from_pb(&rec, &pb);
  assert_int_equal((int)rec.n_other_dobs, 1);
  assert_int_equal(rec.other_dobs[0][1], 3);
}

static void test_household_two_slips(void **state) {
  (void)state;
  mash_match_person_t a, b;
  /* Sofia with a slip, Sophia with a slip, born the same day. */
  s_person(&a, &(pspec_t){P("Sfoia", "Tyalor", "2023-06-30", F, "WD16 2RF", "92 Green Terrace")},
           "a");
  s_person(&b, &(pspec_t){P("Sopiha", "Taylor", "2023-06-30", F, "WD16 2RF", "92 Green Terrace")},
           "b");
  assert_true(mash_match_same_in_household(&a, &b));
  assert_true(mash_match_same_in_household(&b, &a));
  /* Elsie typed twice, once without a date, once without an address. */
  s_person(&a, &(pspec_t){P("Elsne", "Tunmore", "", F, "NR5 8LW", "109 Park Crescent")}, "a");
  s_person(&b, &(pspec_t){P("Eslie", "Tunmore", "2013-08-05", F, NULL, NULL)}, "b");
  assert_true(mash_match_same_in_household(&a, &b));
  /* ...but not with the sex unknown on one side, nor another surname. */
  s_person(&b, &(pspec_t){P("Eslie", "Tunmore", "2013-08-05", U, NULL, NULL)}, "b");
  assert_false(mash_match_same_in_household(&a, &b));
  s_person(&b, &(pspec_t){P("Eslie", "Marsh", "2013-08-05", F, NULL, NULL)}, "b");
  assert_false(mash_match_same_in_household(&a, &b));
  /* Brothers and sisters born apart stay two however alike their names. */
  s_person(&a, &(pspec_t){P("Harley", "Penford", "2016-05-30", M, NULL, NULL)}, "a");
  s_person(&b, &(pspec_t){P("Harry", "Penford", "2019-01-02", M, NULL, NULL)}, "b");
  assert_false(mash_match_same_in_household(&a, &b));
}

static void test_siblings_sounding_alike(void **state) {
  (void)state;
  mash_match_person_t demi, tommy;
  s_person(&demi, &(pspec_t){P("Demi", "Penford", "2024-03-27", F, "SN14 4FL", "176 Kings Avenue")},
           "a");
  s_person(&tommy, &(pspec_t){P("Tommy", "Penford", "", U, "SN14 4FL", "176 Kings Avenue")}, "b");
  assert_string_equal(demi.forename_key, tommy.forename_key); /* Double Metaphone's false friends */
  mash_match_why_t w;
  double s = mash_match_score(&tommy, &demi, &w);
  assert_true(w.twin);
  assert_int_equal(w.points, MASH_MATCH_TWIN_CAP);
  assert_int_equal(mash_match_decide(s, NULL), POSSIBLE);
  /* With a date on both sides the date decides (and tells them apart). */
  s_person(&tommy, &(pspec_t){P("Tommy", "Penford", "2016-05-30", M, "SN14 4FL", NULL)}, "b");
  mash_match_score(&tommy, &demi, &w);
  assert_false(w.twin);
  assert_int_equal(mash_match_decide(mash_match_score(&tommy, &demi, NULL), NULL), NEW);
  /* One slip is a slip, not a sibling: not capped. */
  s_person(&tommy, &(pspec_t){P("Demmi", "Penford", "", U, "SN14 4FL", "176 Kings Avenue")}, "b");
  mash_match_score(&tommy, &demi, &w);
  assert_false(w.twin);
}

/* mash_match_weigh is mash_match_score without the text, which
 * mash_match_why_render then writes the same. */
static void test_weigh_then_render(void **state) {
  (void)state;
  static const pspec_t pairs[][2] = {
      {{MAYA}, {P("Mya", "Hartley", "2019-01-03", F, "EX1 2AB", NULL)}},
      {{MAYA, .nhs = NHS_1}, {MAYA, .nhs = NHS_1}},
      {{MAYA, .nhs = NHS_1}, {MAYA, .nhs = NHS_2}},
      {{MAYA, .nhs = NHS_1},
       {P("Amelia", "Hartley", "2015-03-01", M, "EX1 2AB", "Flat 3, 12 Canal Street"),
        .nhs = NHS_1}},
  };
  for (size_t i = 0; i < N_OF(pairs); i++) {
    mash_match_person_t a, b;
    s_person(&a, &pairs[i][0], "a");
    s_person(&b, &pairs[i][1], "b");
    mash_match_why_t ws, ww;
    double s = mash_match_score(&a, &b, &ws);
    assert_true(mash_match_weigh(&a, &b, &ww) == s);
    assert_string_equal(ww.text, "");
    assert_int_equal(ww.points, ws.points);
    assert_int_equal(ww.factors, ws.factors);
    mash_match_why_render(&ww);
    assert_string_equal(ww.text, ws.text);
  }
  mash_match_why_render(NULL);
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
      cmocka_unit_test(test_weights_rows),
      cmocka_unit_test(test_every_level),
      cmocka_unit_test(test_missing_adds_nothing),
      cmocka_unit_test(test_role_without_dates),
      cmocka_unit_test(test_same_in_household),
      cmocka_unit_test(test_other_dates_of_birth),
      cmocka_unit_test(test_household_two_slips),
      cmocka_unit_test(test_siblings_sounding_alike),
      cmocka_unit_test(test_weigh_then_render),
      cmocka_unit_test(test_blocking_keys),
      cmocka_unit_test(test_household_address_and_relationships),
      cmocka_unit_test(test_household_transitive_chain),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
