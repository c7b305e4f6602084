/* test_match_prepared: a record prepared once and weighed against many
 * (mash_match_prepare, mash_match_weigh_prepared) gives exactly what
 * mash_match_weigh gives, on every name of the usual variants' table, slips
 * of them and names with middle names and hyphens; and the names compared
 * without copying them (match_compact_eq, match_forename_equal, internal to
 * common/match*.c) agree with comparing their compacted copies, and
 * surnames reach each level whether or not they are copied. Real
 * matcher, no mocks. test_match_levels.c has the levels themselves.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "match.h"
#include "match_int.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Names in no row, with middle names, hyphens and spaces, short ones. */
static const char *const s_extra[] = {
    "mary jane",   "mary-jane", "maryjane",     "mary ann",  "mary beth", "maya",
    "maya louise", "tom james", "thomas-james", "tom-",      "- tom",     "ed",
    "e",           "edd",       "jo",           "x",         "isla",      "isal",
    "ella",        "ellie",     "demi",         "tommy lee", "sam sam",   "ben ben",
    "zo",          "zoee",
};

#define MAX_NAMES 1024u
#define NAME_LEN 40u

typedef struct corpus {
  char names[MAX_NAMES][NAME_LEN];
  size_t n;
} corpus_t;

static void s_add(corpus_t *c, const char *name) {
  if (c->n < MAX_NAMES) {
    snprintf(c->names[c->n++], NAME_LEN, "%s", name);
  }
}

/* The table's names (match_level.c's own, both sides of each row), four slips of each (a letter
 * left out, two swapped, one changed, one added) and the extra names. */
static void s_corpus(corpus_t *c) {
  c->n = 0;
  for (size_t i = 0; i < 2 * match_variant_rows(); i++) {
    const char *s = match_variant_name(i / 2, (int)(i % 2));
    size_t n = strlen(s);
    char t[NAME_LEN];
    s_add(c, s);
    snprintf(t, sizeof t, "%.1s%s", s, s + 2); /* second letter left out */
    s_add(c, t);
    snprintf(t, sizeof t, "%s", s);
    if (n >= 3) {
      char x = t[1];
      t[1] = t[2];
      t[2] = x; /* second and third swapped */
      s_add(c, t);
    }
    snprintf(t, sizeof t, "%s", s);
    t[n - 1] = t[n - 1] == 'x' ? 'q' : 'x'; /* last changed */
    s_add(c, t);
    snprintf(t, sizeof t, "%se", s); /* one added */
    s_add(c, t);
  }
  for (size_t i = 0; i < N_OF(s_extra); i++) {
    s_add(c, s_extra[i]);
  }
}

static void s_same_weight(const mash_match_person_t *a, const mash_match_person_t *b) {
  mash_match_prepared_t prep;
  mash_match_prepare(&prep, a);
  mash_match_why_t w1, w2;
  double s1 = mash_match_weigh(a, b, &w1);
  double s2 = mash_match_weigh_prepared(&prep, b, &w2);
  if (memcmp(&s1, &s2, sizeof s1) != 0 || w1.points != w2.points || w1.factors != w2.factors ||
      w1.twin != w2.twin || w1.identifier != w2.identifier || w1.conflict != w2.conflict ||
      w1.shared != w2.shared || memcmp(&w1.rest, &w2.rest, sizeof w1.rest) != 0) {
    fail_msg("'%s' against '%s': %d/%#x prepared %d/%#x", a->forename, b->forename, w1.points,
             w1.factors, w2.points, w2.factors);
  }
}

/* Every pair of the corpus, both ways round, weighed with and without
 * preparing the first: the same, bit for bit. Same surname, date of birth
 * and sex, so the forename decides (and the twin caps are reached). */
static void test_prepared_same_as_weigh(void **state) {
  (void)state;
  corpus_t *c = malloc(sizeof *c);
  assert_non_null(c);
  s_corpus(c);
  assert_true(c->n > 5 * (2 * match_variant_rows()) / 2);
  assert_null(match_variant_name(match_variant_rows(), 0)); /* past the table */
  assert_null(match_variant_name(0, 2));
  mash_match_person_t *p = calloc(c->n, sizeof *p);
  assert_non_null(p);
  for (size_t i = 0; i < c->n; i++) {
    mash_match_person_set(&p[i], "r", c->names[i], "Hartley", "2019-03-01",
                          MASH__V1__SEX__SEX_FEMALE, "EX1 2AB", "12 Canal Street");
  }
  size_t variants = 0;
  for (size_t i = 0; i < c->n; i++) {
    mash_match_prepared_t prep;
    mash_match_prepare(&prep, &p[i]);
    for (size_t j = 0; j < c->n; j++) {
      mash_match_why_t w1, w2;
      double s1 = mash_match_weigh(&p[i], &p[j], &w1);
      double s2 = mash_match_weigh_prepared(&prep, &p[j], &w2);
      if (memcmp(&s1, &s2, sizeof s1) != 0 || w1.points != w2.points || w1.factors != w2.factors ||
          w1.twin != w2.twin) {
        fail_msg("'%s' against '%s': %d/%#x prepared %d/%#x", c->names[i], c->names[j], w1.points,
                 w1.factors, w2.points, w2.factors);
      }
      mash_match_why_render(&w1);
      variants += strstr(w1.text, "forename~nick") != NULL;
    }
  }
  /* The table's rows were reached (both ways round, and through slips). */
  assert_true(variants > 2 * (2 * match_variant_rows()));
  free(p);
  free(c);
}

static void s_set(mash_match_person_t *p, const char *given) {
  mash_match_person_set(p, "r", given, "Hartley", "2019-03-01", MASH__V1__SEX__SEX_MALE, "EX1 2AB",
                        "12 Canal Street");
}

/* The level one prepared pair reaches, by its tag in the why text. */
static bool s_nick(const char *a, const char *b) {
  mash_match_person_t x, y;
  s_set(&x, a);
  s_set(&y, b);
  s_same_weight(&x, &y);
  mash_match_prepared_t prep;
  mash_match_prepare(&prep, &x);
  mash_match_why_t w;
  mash_match_weigh_prepared(&prep, &y, &w);
  mash_match_why_render(&w);
  return strstr(w.text, "forename~nick") != NULL;
}

/* Each way a prepared name reaches a usual variant, and the bounds of each
 * (a slip counts only for names of 3+ letters on both sides). */
static void test_prepared_variant_bounds(void **state) {
  (void)state;
  assert_true(s_nick("thomas", "tom"));        /* a is a row's name, b the other */
  assert_true(s_nick("tom", "thomas"));        /* the other way round */
  assert_true(s_nick("thomas", "tmo"));        /* b one slip of the other name */
  assert_true(s_nick("thmoas", "tom"));        /* a one slip of a name, b the other */
  assert_true(s_nick("edwadr", "ed"));         /* a one slip of edward, b exactly ed */
  assert_true(s_nick("ed", "edwadr"));         /* b one slip of edward (6 letters), a exactly ed */
  assert_false(s_nick("edd", "edward"));       /* "ed" has 2 letters: no slip of it counts */
  assert_false(s_nick("edward", "edd"));       /* nor the other way round */
  assert_false(s_nick("thmoas", "tmo"));       /* a slip on both sides is not a variant */
  assert_false(s_nick("ella", "ellie"));       /* sounding alike: not in the table */
  assert_true(s_nick("tom james", "thomas"));  /* the first given name decides */
  assert_false(s_nick("james tom", "thomas")); /* ... and only the first */
}

/* A record with other spellings prepared: each spelling is prepared, and
 * the best level over every pair is the same as without. */
static void test_prepared_other_spellings(void **state) {
  (void)state;
  static const char *const given[] = {"isal", "thmoas", "ed", "mary-jane", "sofia"};
  static const char *const others[][2] = {{"isla", "islay"},
                                          {"tom", "tomas"},
                                          {"edwadr", "eddie"},
                                          {"mary", "maryjane"},
                                          {"sophia", ""}};
  static const char *const against[] = {"isla", "thomas", "tom",   "edward",
                                        "mary", "sophie", "sofia", "zz"};
  for (size_t i = 0; i < N_OF(given); i++) {
    mash_match_person_t a;
    s_set(&a, given[i]);
    for (size_t k = 0; k < 2; k++) {
      assert_true(mash_match_person_add_other(&a, others[i][k]) >= 0);
    }
    for (size_t j = 0; j < N_OF(against); j++) {
      mash_match_person_t b;
      s_set(&b, against[j]);
      s_same_weight(&a, &b);
      s_same_weight(&b, &a);
      assert_true(mash_match_person_add_other(&b, given[i]) >= 0);
      s_same_weight(&a, &b);
      s_same_weight(&b, &a);
    }
  }
  /* Missing on one side: no level, prepared or not. */
  mash_match_person_t a, b;
  s_set(&a, "");
  s_set(&b, "tom");
  s_same_weight(&a, &b);
  s_same_weight(&b, &a);
  mash_match_prepared_t prep;
  mash_match_prepare(&prep, NULL); /* an empty record: nothing known */
  mash_match_person_t none;
  memset(&none, 0, sizeof none);
  assert_true(mash_match_weigh_prepared(&prep, &b, NULL) == mash_match_weigh(&none, &b, NULL));
  assert_true(mash_match_weigh_prepared(NULL, &b, NULL) == 0.0);
}

/* match_compact_eq without copies against match_compact's copies, on every
 * prefix of strings with spaces, hyphens, nothing but those, and names
 * longer than match_compact keeps (MASH_MATCH_NAME_SIZE - 1 letters). */
static void test_compact_eq_as_copies(void **state) {
  (void)state;
  char long_a[120], long_b[120], long_c[120];
  memset(long_a, 'a', 110);
  long_a[110] = '\0';
  memcpy(long_b, long_a, sizeof long_a);
  long_b[100] = 'b'; /* differs past the letters compaction keeps */
  memcpy(long_c, long_a, sizeof long_a);
  long_c[50] = 'c';
  const char *s[] = {"",          " ",        "-",    " - ",      "mary jane",
                     "mary-jane", "maryjane", "mary", "mary ann", "maryann ",
                     "-mary",     "ma-ry",    "m",    "maya",     "maya louise",
                     "a b c",     "abc",      long_a, long_b,     long_c};
  size_t equal = 0;
  for (size_t i = 0; i < N_OF(s); i++) {
    for (size_t j = 0; j < N_OF(s); j++) {
      size_t li = strlen(s[i]), lj = strlen(s[j]);
      for (size_t pi = 0; pi <= li + 1; pi++) {
        for (size_t pj = 0; pj <= lj + 1; pj += (lj > 20 ? 7 : 1)) {
          char ca[MASH_MATCH_NAME_SIZE], cb[MASH_MATCH_NAME_SIZE];
          size_t na = match_compact(s[i], pi, ca, sizeof ca);
          size_t nb = match_compact(s[j], pj, cb, sizeof cb);
          bool want = na > 0 && na == nb && memcmp(ca, cb, na) == 0;
          if (match_compact_eq(s[i], pi, s[j], pj) != want) {
            fail_msg("'%s'[%zu] against '%s'[%zu]: want %d", s[i], pi, s[j], pj, want);
          }
          equal += want;
        }
      }
    }
  }
  assert_true(equal > 0);
  assert_true(match_compact_eq(long_a, strlen(long_a), long_b, strlen(long_b)));
  assert_false(match_compact_eq(long_a, strlen(long_a), long_c, strlen(long_c)));
  /* Given names: equal once compacted, or a single name the other starts with. */
  assert_true(match_forename_equal("mary jane", "mary-jane"));
  assert_true(match_forename_equal("maya", "maya louise"));
  assert_true(match_forename_equal("maya louise", "maya"));
  assert_false(match_forename_equal("mary ann", "mary beth"));
  assert_false(match_forename_equal("", ""));
  assert_false(match_forename_equal("maya", "mayan"));
}

/* The row of the weights table tagged `tag`. */
static unsigned s_bit(const char *tag) {
  size_t rows = mash_match_weights(0, NULL, NULL);
  for (size_t r = 0; r < rows; r++) {
    const char *t = NULL;
    mash_match_weights(r, &t, NULL);
    if (strcmp(t, tag) == 0) {
      return 1u << r;
    }
  }
  fail_msg("no row %s", tag);
  return 0;
}

/* Surnames are compared as they are when they have no space or hyphen, as
 * compacted copies when either has: each level on both sides of that. */
static void test_surname_levels_without_copies(void **state) {
  (void)state;
  static const struct {
    const char *a, *b, *tag;
  } cases[] = {
      {"Hartley", "Hartley", "surname"},
      {"Hartley-Marsh", "Hartley Marsh", "surname"},
      {"Hartley-Marsh", "HartleyMarsh", "surname"},
      {"Hartley", "Hartely", "surname~1"},             /* one word each: no copy */
      {"Hartley-Marsh", "Hartley-Mrash", "surname~1"}, /* compacted, then a swap */
      {"Hartley Marsh", "HartlyMarsh", "surname~1"},   /* one compacted, one as it is */
      {"HartlyMarsh", "Hartley Marsh", "surname~1"},
      {"Hartley", "Hartley-Marsh", "surname_part"},
      {"Marsh Hartley", "Hartley", "surname_part"},
      {"Lee", "Lea", "surname~"},     /* short: no slip, sounding alike */
      {"Leeds", "Lee-Ds", "surname"}, /* the hyphen is ignored */
      {"Smith", "Jones", "!surname"},
      {"Smith", "Smith-Jones-Brown", "surname_part"},
  };
  for (size_t i = 0; i < N_OF(cases); i++) {
    mash_match_person_t a, b;
    mash_match_person_set(&a, "a", "Maya", cases[i].a, NULL, MASH__V1__SEX__SEX_UNSPECIFIED, NULL,
                          NULL);
    mash_match_person_set(&b, "b", "Maya", cases[i].b, NULL, MASH__V1__SEX__SEX_UNSPECIFIED, NULL,
                          NULL);
    for (int way = 0; way < 2; way++) {
      mash_match_why_t w;
      mash_match_weigh(way ? &b : &a, way ? &a : &b, &w);
      unsigned surname = s_bit("surname") | s_bit("surname~1") | s_bit("surname~") |
                         s_bit("surname_part") | s_bit("!surname");
      if ((w.factors & surname) != s_bit(cases[i].tag)) {
        fail_msg("'%s' against '%s': factors %#x, want %s", cases[i].a, cases[i].b, w.factors,
                 cases[i].tag);
      }
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_prepared_same_as_weigh),
      cmocka_unit_test(test_prepared_variant_bounds),
      cmocka_unit_test(test_prepared_other_spellings),
      cmocka_unit_test(test_compact_eq_as_copies),
      cmocka_unit_test(test_surname_levels_without_copies),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
