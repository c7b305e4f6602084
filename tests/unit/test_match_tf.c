/* test_match_tf: term frequencies (common names weigh less than rare ones),
 * the other spellings a record keeps of a given name, and the household's
 * two-slip rule (common/match.h). test_match_levels.c has the levels
 * themselves, test_match.c the scoring cases.
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

#define F MASH__V1__SEX__SEX_FEMALE
#define M MASH__V1__SEX__SEX_MALE
#define U MASH__V1__SEX__SEX_UNSPECIFIED

static void s_set(mash_match_person_t *p, const char *given, const char *family, const char *dob,
                  Mash__V1__Sex sex, const char *postcode, const char *address) {
  mash_match_person_set(p, "c1", given, family, dob, sex, postcode, address);
}

/* The weight of the table's row `tag`, centibits. */
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

static double s_u(const char *tag) {
  size_t rows = mash_match_weights(0, NULL, NULL);
  for (size_t r = 0; r < rows; r++) {
    const char *t;
    mash_match_weights(r, &t, NULL);
    if (strcmp(t, tag) == 0) {
      double u;
      assert_int_equal(mash_match_level(r, NULL, &u), 0);
      return u;
    }
  }
  fail_msg("no row \"%s\"", tag);
  return 0;
}

/* ---------------------------------------------------------------- term keys */

static void test_term_keys(void **state) {
  (void)state;
  mash_match_person_t p;
  char f[MASH_MATCH_TERM_KEY_SIZE], s[MASH_MATCH_TERM_KEY_SIZE];
  s_set(&p, "Mary-Jane Louise", "Hartley-Marsh", NULL, U, NULL, NULL);
  mash_match_term_keys(&p, f, s);
  /* The first given name (hyphens and spaces dropped), the whole surname. */
  assert_string_equal(f, "t:f:maryjane");
  assert_string_equal(s, "t:s:hartleymarsh");
  s_set(&p, NULL, "Hartley", NULL, U, NULL, NULL);
  mash_match_term_keys(&p, f, s);
  assert_string_equal(f, "");
  assert_string_equal(s, "t:s:hartley");
}

/* ---------------------------------------------------------------- frequencies */

static void test_tf_smoothing_and_floor(void **state) {
  (void)state;
  mash_match_person_t p;
  s_set(&p, "Maya", "Hartley", NULL, U, NULL, NULL);
  double uf = s_u("forename"), us = s_u("surname");

  /* Nothing counted yet: not known, the table's u is used. */
  mash_match_person_set_tf(&p, 0, 0, 0);
  assert_true(p.forename_tf == 0.0 && p.surname_tf == 0.0);

  /* A small store says little: close to u. */
  mash_match_person_set_tf(&p, 1, 1, 10);
  assert_true(fabs(p.forename_tf - uf) / uf < 0.2);

  /* A large store: the share itself. */
  mash_match_person_set_tf(&p, 20000, 1000, 1000000);
  assert_true(fabs(p.forename_tf - 0.02) < 0.001);
  assert_true(fabs(p.surname_tf - 0.001) < 0.0002);

  /* A name seen once among a million: at the floor, u / 4. */
  mash_match_person_set_tf(&p, 1, 1, 1000000);
  assert_true(fabs(p.forename_tf - uf / MASH_MATCH_TF_MIN_DIVISOR) < 1e-12);
  assert_true(fabs(p.surname_tf - us / MASH_MATCH_TF_MIN_DIVISOR) < 1e-12);

  /* No surname: no frequency for it. */
  s_set(&p, "Maya", NULL, NULL, U, NULL, NULL);
  mash_match_person_set_tf(&p, 5, 5, 100000);
  assert_true(p.forename_tf > 0.0);
  assert_true(p.surname_tf == 0.0);
}

/* Two records with the same names, at the same address, without a date
 * of birth: the score differs only by how common the names are. */
static int s_points(const char *given, const char *family, long long fcount, long long scount,
                    long long total) {
  mash_match_person_t a, b;
  s_set(&a, given, family, NULL, F, "EX1 2AB", "12 Canal Street");
  s_set(&b, given, family, NULL, F, "EX1 2AB", "12 Canal Street");
  mash_match_person_set_tf(&a, fcount, scount, total);
  mash_match_why_t why;
  mash_match_score(&a, &b, &why);
  assert_string_equal(why.text, "forename+surname+sex+address");
  return why.points;
}

static void test_common_surname_weighs_less(void **state) {
  (void)state;
  /* Among 1,000,000 records: Smith on 15,000, Quillfeather on 2. */
  int common = s_points("Maya", "Smith", 5000, 15000, 1000000);
  int rare = s_points("Maya", "Quillfeather", 5000, 2, 1000000);
  assert_true(common < rare);
  /* Smith weighs log2(0.86 / tf), tf = (15,000 + 1,000 u) / (1,000,000 +
   * 1,000); Quillfeather is at the floor, u / 4: the forenames weigh the
   * same in both. */
  int smith = (int)lround(100.0 * log2(0.86 / ((15000 + 1000 * 0.003) / 1001000.0)));
  int quill = (int)lround(100.0 * log2(0.86 / (0.003 / MASH_MATCH_TF_MIN_DIVISOR)));
  assert_int_equal(rare - common, quill - smith);
  /* The rare name gains two bits over the table's surname row, no more. */
  assert_int_equal(quill - s_weight("surname"), 200);
  /* Without counts: the table's weights, Smith and Quillfeather alike. */
  assert_int_equal(s_points("Maya", "Smith", 0, 0, 0), s_points("Maya", "Quillfeather", 0, 0, 0));
}

/* The most names and sex alone can weigh: -2.2 bits by the table, the
 * same for common names (a common name never weighs more than the table),
 * and at most 4 bits more for the rarest (each name at the floor). It is
 * what an exact match on names and sex alone does weigh. */
static void test_names_bound(void **state) {
  (void)state;
  mash_match_person_t p, q;
  s_set(&p, "Maya", "Smith", "2019-03-01", F, "EX1 2AB", "12 Canal Street");
  int table = MASH_MATCH_PRIOR + s_weight("forename") + s_weight("surname") + s_weight("sex");
  assert_int_equal(mash_match_names_bound(&p), table);
  assert_int_equal(table, -221);
  mash_match_person_set_tf(&p, 50000, 15000, 1000000); /* common: no lower than the table */
  assert_int_equal(mash_match_names_bound(&p), table);
  mash_match_person_set_tf(&p, 0, 0, 1000000); /* both at the floor: 2 bits each */
  assert_int_equal(mash_match_names_bound(&p), table + 400);
  /* An exact match on names and sex, nothing else in common, weighs it. */
  s_set(&q, "Maya", "Smith", NULL, F, "EX9 9ZZ", NULL);
  mash_match_why_t w;
  mash_match_score(&p, &q, &w);
  assert_int_equal(w.points - s_weight("!postcode"), mash_match_names_bound(&p));
  assert_int_equal(mash_match_names_bound(NULL), table);
}

/* Twins with another forename weigh +2.9 by the table; a rare surname's two
 * bits must not make them a link (bench/eval-match seed 5: Jesse and
 * Muhammad Ashbrook, born the same day). */
static void test_rare_surname_twins_never_link(void **state) {
  (void)state;
  mash_match_person_t a, b;
  s_set(&a, "Jesse", "Ashbrook", "2025-06-06", M, "WN10 4QX", "200 Darwin Grove");
  s_set(&b, "Muhammad", "Ashbrook", "2025-06-06", M, "WN10 4QX", "200 Darwin Grove");
  mash_match_person_set_tf(&a, 5000, 2, 1000000);
  mash_match_why_t why;
  double s = mash_match_score(&a, &b, &why);
  assert_string_equal(why.text, "dob+!forename+surname+sex+address");
  assert_true(why.twin);
  assert_int_equal(why.points, 288); /* the table's twins: no more */
  assert_int_not_equal(mash_match_decide(s, NULL), MASH_MATCH_AUTO_LINK);
}

static void test_common_forename_weighs_less(void **state) {
  (void)state;
  int common = s_points("Oliver", "Hartley", 20000, 300, 1000000);
  int rare = s_points("Zephyrine", "Hartley", 3, 300, 1000000);
  assert_true(common < rare);
  /* Without counts, both weigh the table's row. */
  assert_int_equal(s_points("Oliver", "Hartley", 0, 0, 0),
                   s_points("Zephyrine", "Hartley", 0, 0, 0));
}

/* The frequency known on either side counts (a newcomer's is looked up, a
 * stored record's is not): the score stays symmetric. */
static void test_tf_symmetric(void **state) {
  (void)state;
  mash_match_person_t a, b;
  s_set(&a, "Maya", "Smith", "2019-03-01", F, NULL, NULL);
  s_set(&b, "Maya", "Smith", "2019-03-01", F, NULL, NULL);
  mash_match_person_set_tf(&a, 100, 15000, 1000000);
  mash_match_why_t ab, ba;
  assert_true(mash_match_score(&a, &b, &ab) == mash_match_score(&b, &a, &ba));
  assert_int_equal(ab.points, ba.points);
}

/* Only an exact name is adjusted: a slip keeps its row's weight. */
static void test_tf_only_exact(void **state) {
  (void)state;
  mash_match_person_t a, b;
  s_set(&a, "Maya", "Smith", "2019-03-01", F, NULL, NULL);
  s_set(&b, "Maya", "Smiht", "2019-03-01", F, NULL, NULL);
  mash_match_why_t plain, adjusted;
  mash_match_score(&a, &b, &plain);
  mash_match_person_set_tf(&a, 100, 15000, 1000000);
  mash_match_score(&a, &b, &adjusted);
  assert_string_equal(plain.text, "dob+forename+surname~1+sex");
  /* The forename is rare here (100 in a million): it gains; the surname
   * slip does not change. */
  assert_int_equal(adjusted.points - plain.points,
                   (int)lround(100.0 * log2(0.86 / (0.006 / MASH_MATCH_TF_MIN_DIVISOR))) -
                       s_weight("forename"));
}

/* ---------------------------------------------------------------- other spellings */

static void test_other_spellings(void **state) {
  (void)state;
  mash_match_person_t rec, mention;
  /* The record was made from "Isal"; a later mention linked as "Isla". */
  s_set(&rec, "Isal", "Thornland", "2008-08-20", F, "NR3 7JE", "42 Grange Gardens");
  assert_int_equal(mash_match_person_add_other(&rec, "Isla"), 1);
  assert_int_equal(mash_match_person_add_other(&rec, "ISLA"), 0); /* kept already */
  assert_int_equal(mash_match_person_add_other(&rec, "Isal"), 0); /* the given name */
  assert_int_equal(mash_match_person_add_other(&rec, ""), 0);
  assert_int_equal(rec.n_other_forenames, 1u);

  /* "Iyla", without a date of birth: one slip from Isla, not from Isal. */
  s_set(&mention, "Iyla", "Thornland", NULL, U, "NR3 7JE", "42 Grange Gardens");
  mash_match_why_t why;
  mash_match_score(&mention, &rec, &why);
  assert_string_equal(why.text, "forename~1+surname+address");
  assert_true(mash_match_forenames_agree(&mention, &rec));
  assert_true(mash_match_same_in_household(&mention, &rec));

  /* Without the other spelling: two slips, no dob, a different name. */
  mash_match_person_t bare;
  s_set(&bare, "Isal", "Thornland", "2008-08-20", F, "NR3 7JE", "42 Grange Gardens");
  mash_match_score(&mention, &bare, &why);
  assert_string_equal(why.text, "!forename+surname+address");
  assert_false(mash_match_forenames_agree(&mention, &bare));
  assert_false(mash_match_same_in_household(&mention, &bare));

  /* At most MASH_MATCH_MAX_OTHER. */
  assert_int_equal(mash_match_person_add_other(&rec, "Ilsa"), 1);
  assert_int_equal(mash_match_person_add_other(&rec, "Isla-Mae"), 1);
  assert_int_equal(mash_match_person_add_other(&rec, "Izla"), 1);
  assert_int_equal(mash_match_person_add_other(&rec, "Isolde"), -ENOSPC);
  assert_int_equal(rec.n_other_forenames, MASH_MATCH_MAX_OTHER);
}

/* Other spellings travel in the record (Person.other_given_names). */
static void test_other_spellings_from_pb(void **state) {
  (void)state;
  Mash__V1__Person p = MASH__V1__PERSON__INIT;
  char *others[] = {"Isla", "Isla", "Ilsa"};
  p.given_name = "Isal";
  p.family_name = "Thornland";
  p.other_given_names = others;
  p.n_other_given_names = 3;
  mash_match_person_t mp;
  mash_match_person_from_pb(&mp, &p);
  assert_int_equal(mp.n_other_forenames, 2u);
  assert_string_equal(mp.other_forenames[0], "isla");
  assert_string_equal(mp.other_forenames[1], "ilsa");
}

/* A sound-alike spelling typed with a slip (Frdedy for Freddy) is a
 * variant of the other spelling (Freddie), not a different name. */
static void test_spelling_variant_with_slip(void **state) {
  (void)state;
  mash_match_person_t a, b;
  s_set(&a, "Freddie", "Stafley", "2011-05-08", M, NULL, NULL);
  s_set(&b, "Frdedy", "Stafley", NULL, M, NULL, NULL);
  mash_match_why_t why;
  mash_match_score(&a, &b, &why);
  assert_string_equal(why.text, "forename~nick+surname+sex");
  assert_true(mash_match_same_in_household(&a, &b));
}

/* Two slips in a 5+ letter forename are one child in a household when
 * the dates of birth agree or are one slip apart; not when they differ. */
static void test_two_slips_in_household(void **state) {
  (void)state;
  mash_match_person_t a, b, c;
  s_set(&a, "Japob", "Tuncliffe", "2018-09-25", M, "N19 8RE", "65 Poplar Place");
  s_set(&b, "Jacbb", "Tuncliffe", "2018-09-24", M, "N19 8RE", "65 Poplar Place");
  s_set(&c, "Jacbb", "Tuncliffe", "2016-03-24", M, "N19 8RE", "65 Poplar Place");
  assert_true(mash_match_same_in_household(&a, &b));
  assert_false(mash_match_same_in_household(&a, &c));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_term_keys),
      cmocka_unit_test(test_tf_smoothing_and_floor),
      cmocka_unit_test(test_common_surname_weighs_less),
      cmocka_unit_test(test_common_forename_weighs_less),
      cmocka_unit_test(test_tf_symmetric),
      cmocka_unit_test(test_rare_surname_twins_never_link),
      cmocka_unit_test(test_names_bound),
      cmocka_unit_test(test_tf_only_exact),
      cmocka_unit_test(test_other_spellings),
      cmocka_unit_test(test_other_spellings_from_pb),
      cmocka_unit_test(test_spelling_variant_with_slip),
      cmocka_unit_test(test_two_slips_in_household),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
