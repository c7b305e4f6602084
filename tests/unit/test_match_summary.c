/* test_match_summary: comparison summaries (common/match_summary.c, match.h
 * "Comparison summaries"): a record read back from its summary is the very
 * struct normalising the record gives, so every score is the same; damaged
 * or foreign bytes are refused; the bound holds for the largest record.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "match.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

#define K_NHS MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER
#define K_UPN MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UPN
#define K_PNC MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_PNC_ID
#define K_LOCAL MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID

/* A wire Person built from plain fields (NULL: not given). */
typedef struct spec {
  const char *given, *family, *dob;
  Mash__V1__Sex sex;
  const char *line1, *line2, *postcode;
  const char *nhs, *upn, *pnc, *local, *issuer;
  const char *other[3];
  const char *other_dob[3];
} spec_t;

typedef struct built {
  Mash__V1__Person p;
  Mash__V1__Address a;
  char *lines[2];
  Mash__V1__Identifier id[4];
  Mash__V1__Identifier *ids[4];
  char *other[3];
  char *other_dob[3];
} built_t;

static void s_build(built_t *b, const spec_t *s) {
  memset(b, 0, sizeof *b);
  mash__v1__person__init(&b->p);
  b->p.given_name = (char *)(s->given ? s->given : "");
  b->p.family_name = (char *)(s->family ? s->family : "");
  b->p.date_of_birth = (char *)(s->dob ? s->dob : "");
  b->p.sex = s->sex;
  if (s->line1 || s->postcode) {
    mash__v1__address__init(&b->a);
    size_t n = 0;
    if (s->line1) {
      b->lines[n++] = (char *)s->line1;
    }
    if (s->line2) {
      b->lines[n++] = (char *)s->line2;
    }
    b->a.lines = b->lines;
    b->a.n_lines = n;
    b->a.postcode = (char *)(s->postcode ? s->postcode : "");
    b->p.address = &b->a;
  }
  const char *values[4] = {s->nhs, s->upn, s->pnc, s->local};
  const Mash__V1__IdentifierKind kinds[4] = {K_NHS, K_UPN, K_PNC, K_LOCAL};
  for (size_t i = 0; i < 4; i++) {
    if (values[i] != NULL) {
      Mash__V1__Identifier *id = &b->id[b->p.n_identifiers];
      mash__v1__identifier__init(id);
      id->kind = kinds[i];
      id->value = (char *)values[i];
      id->issuer = (char *)(kinds[i] == K_LOCAL && s->issuer ? s->issuer : "");
      b->ids[b->p.n_identifiers++] = id;
    }
  }
  b->p.identifiers = b->ids;
  for (size_t i = 0; i < 3 && s->other[i]; i++) {
    b->other[b->p.n_other_given_names++] = (char *)s->other[i];
  }
  b->p.other_given_names = b->other;
  for (size_t i = 0; i < 3 && s->other_dob[i]; i++) {
    b->other_dob[b->p.n_other_dates_of_birth++] = (char *)s->other_dob[i];
  }
  b->p.other_dates_of_birth = b->other_dob;
}

static const spec_t PEOPLE[] = {
    {"Maya",
     "Hartley",
     "2015-03-14",
     MASH__V1__SEX__SEX_FEMALE,
     "12 Canal Street",
     NULL,
     "ex1 2ab",
     "943 476 5919",
     NULL,
     NULL,
     NULL,
     NULL,
     {"Maia"},
     {"2015-03-15", "2014-03-14"}},
    {"Mya",
     "Hartley",
     NULL,
     MASH__V1__SEX__SEX_FEMALE,
     "Flat 3",
     "12 Canal St",
     "EX1 2AB",
     "9434765918" /* wrong check digit: kept, not valid */,
     "B801200005001",
     "2001/171310W",
     "R-77",
     "Devon CC",
     {"Maya Louise", "Mai"},
     {NULL}},
    {"Tom",
     "O'Neill-Smith",
     "2009-11-02",
     MASH__V1__SEX__SEX_MALE,
     NULL,
     NULL,
     NULL,
     NULL,
     NULL,
     NULL,
     "L-1",
     NULL /* no issuer: never valid */,
     {NULL},
     {NULL}},
    {NULL,
     "Smith",
     NULL,
     MASH__V1__SEX__SEX_UNSPECIFIED,
     NULL,
     NULL,
     "LS14 3QT",
     NULL,
     NULL,
     NULL,
     NULL,
     NULL,
     {NULL},
     {NULL}},
    {"Zoë",
     "Nowak",
     "1980-02-29",
     MASH__V1__SEX__SEX_NOT_KNOWN,
     "  1  High   St ",
     NULL,
     "bad",
     NULL,
     NULL,
     NULL,
     NULL,
     NULL,
     {"Zoe", "Zoey", "Zo"},
     {"1980-03-01"}},
    {NULL,
     NULL,
     NULL,
     MASH__V1__SEX__SEX_UNSPECIFIED,
     NULL,
     NULL,
     NULL,
     NULL,
     NULL,
     NULL,
     NULL,
     NULL,
     {NULL},
     {NULL}},
};

/* Every field the same (strings up to their NUL: normalising may leave
 * bytes after it, which nothing reads). */
static void s_assert_same(const mash_match_person_t *a, const mash_match_person_t *b) {
  assert_string_equal(a->ref, b->ref);
  assert_string_equal(a->forename, b->forename);
  assert_string_equal(a->surname, b->surname);
  assert_string_equal(a->forename_key, b->forename_key);
  assert_string_equal(a->surname_key, b->surname_key);
  assert_int_equal(a->dob_year, b->dob_year);
  assert_int_equal(a->dob_month, b->dob_month);
  assert_int_equal(a->dob_day, b->dob_day);
  assert_int_equal(a->sex, b->sex);
  assert_string_equal(a->postcode, b->postcode);
  assert_string_equal(a->address, b->address);
  assert_int_equal(a->n_ids, b->n_ids);
  for (size_t i = 0; i < a->n_ids; i++) {
    assert_int_equal(a->ids[i].kind, b->ids[i].kind);
    assert_string_equal(a->ids[i].value, b->ids[i].value);
    assert_string_equal(a->ids[i].issuer, b->ids[i].issuer);
    assert_int_equal(a->ids[i].valid, b->ids[i].valid);
  }
  assert_int_equal(a->n_other_forenames, b->n_other_forenames);
  for (size_t i = 0; i < a->n_other_forenames; i++) {
    assert_string_equal(a->other_forenames[i], b->other_forenames[i]);
    assert_string_equal(a->other_forename_keys[i], b->other_forename_keys[i]);
  }
  assert_int_equal(a->n_other_dobs, b->n_other_dobs);
  for (size_t i = 0; i < a->n_other_dobs; i++) {
    assert_memory_equal(a->other_dobs[i], b->other_dobs[i], sizeof a->other_dobs[i]);
  }
  assert_true(a->forename_tf == b->forename_tf && a->surname_tf == b->surname_tf);
  assert_int_equal(a->role, b->role);
}

/* Normalising the record, and reading its summary: the same struct. */
static void s_round_trip(const spec_t *s, mash_match_person_t *from_pb, mash_match_person_t *read,
                         uint8_t *buf, int *len) {
  built_t b;
  s_build(&b, s);
  mash_match_person_from_pb(from_pb, &b.p);
  *len = mash_match_summary_write(from_pb, buf, MASH_MATCH_SUMMARY_MAX);
  assert_true(*len > 0);
  memset(read, 0xa5, sizeof *read); /* whatever was there goes */
  assert_int_equal(mash_match_summary_read(read, buf, (size_t)*len), 0);
}

static void test_round_trip_is_the_same_struct(void **state) {
  (void)state;
  for (size_t i = 0; i < N_OF(PEOPLE); i++) {
    mash_match_person_t a, b;
    uint8_t buf[MASH_MATCH_SUMMARY_MAX];
    int len = 0;
    s_round_trip(&PEOPLE[i], &a, &b, buf, &len);
    s_assert_same(&a, &b);
  }
  /* The cases above reach each part of the layout. */
  mash_match_person_t a, b;
  uint8_t buf[MASH_MATCH_SUMMARY_MAX];
  int len = 0;
  s_round_trip(&PEOPLE[1], &a, &b, buf, &len);
  assert_int_equal(b.n_ids, 4);
  assert_false(b.ids[0].valid);
  assert_true(b.ids[1].valid);
  assert_string_equal(b.ids[3].issuer, "Devon CC");
  assert_true(b.n_other_forenames >= 1);
  s_round_trip(&PEOPLE[0], &a, &b, buf, &len);
  assert_int_equal(b.n_other_dobs, 2);
  assert_int_equal(b.dob_year, 2015);
  assert_string_equal(b.postcode, "EX1 2AB");
}

/* Every pair scores alike whichever side was read from its summary. */
static void test_scores_unchanged(void **state) {
  (void)state;
  for (size_t i = 0; i < N_OF(PEOPLE); i++) {
    for (size_t j = 0; j < N_OF(PEOPLE); j++) {
      mash_match_person_t me, ignored, rec_pb, rec_sum;
      uint8_t buf[MASH_MATCH_SUMMARY_MAX];
      int len = 0;
      s_round_trip(&PEOPLE[i], &me, &ignored, buf, &len);
      s_round_trip(&PEOPLE[j], &rec_pb, &rec_sum, buf, &len);
      me.forename_tf = 0.002; /* a newcomer's term frequency is looked up */
      mash_match_why_t w1, w2;
      double s1 = mash_match_weigh(&me, &rec_pb, &w1);
      double s2 = mash_match_weigh(&me, &rec_sum, &w2);
      assert_true(s1 == s2 || (s1 != s1 && s2 != s2));
      assert_int_equal(w1.points, w2.points);
      assert_int_equal(w1.factors, w2.factors);
      assert_int_equal(w1.conflict, w2.conflict);
      assert_int_equal(w1.twin, w2.twin);
      assert_int_equal(mash_match_same_in_household(&me, &rec_pb),
                       mash_match_same_in_household(&me, &rec_sum));
    }
  }
}

/* A cut, lengthened or foreign summary is refused, and leaves p zeroed. */
static void test_damaged_refused(void **state) {
  (void)state;
  mash_match_person_t a, b, zero;
  memset(&zero, 0, sizeof zero);
  uint8_t buf[MASH_MATCH_SUMMARY_MAX + 1];
  int len = 0;
  s_round_trip(&PEOPLE[1], &a, &b, buf, &len);
  for (int cut = 0; cut < len; cut++) {
    assert_int_equal(mash_match_summary_read(&b, buf, (size_t)cut), -EBADMSG);
    assert_memory_equal(&b, &zero, sizeof b);
  }
  buf[len] = 0;
  assert_int_equal(mash_match_summary_read(&b, buf, (size_t)len + 1), -EBADMSG);
  buf[0] = 2; /* another version */
  assert_int_equal(mash_match_summary_read(&b, buf, (size_t)len), -EBADMSG);
  buf[0] = 1;
  /* A string longer than its field. */
  uint8_t bad[] = {1, 200, 'x'};
  assert_int_equal(mash_match_summary_read(&b, bad, sizeof bad), -EBADMSG);
  /* More identifiers than a person holds. */
  uint8_t many[] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, MASH_MATCH_MAX_IDS + 1};
  assert_int_equal(mash_match_summary_read(&b, many, sizeof many), -EBADMSG);
  assert_int_equal(mash_match_summary_read(NULL, buf, (size_t)len), -EINVAL);
  assert_int_equal(mash_match_summary_write(NULL, buf, sizeof buf), -EINVAL);
}

/* The largest person there can be fits MASH_MATCH_SUMMARY_MAX; a buffer
 * one byte short of a summary is refused. */
static void test_bound(void **state) {
  (void)state;
  mash_match_person_t p, back;
  memset(&p, 0, sizeof p);
  memset(p.forename, 'a', sizeof p.forename - 1);
  memset(p.surname, 'b', sizeof p.surname - 1);
  memset(p.forename_key, 'C', sizeof p.forename_key - 1);
  memset(p.surname_key, 'D', sizeof p.surname_key - 1);
  memset(p.ref, 'r', sizeof p.ref - 1);
  memset(p.postcode, 'E', sizeof p.postcode - 1);
  memset(p.address, 'f', sizeof p.address - 1);
  p.dob_year = 2024;
  p.dob_month = 12;
  p.dob_day = 31;
  p.sex = MASH__V1__SEX__SEX_OTHER;
  p.n_ids = MASH_MATCH_MAX_IDS;
  for (size_t i = 0; i < MASH_MATCH_MAX_IDS; i++) {
    p.ids[i].kind = K_LOCAL;
    p.ids[i].valid = true;
    memset(p.ids[i].value, '1', sizeof p.ids[i].value - 1);
    memset(p.ids[i].issuer, 'i', sizeof p.ids[i].issuer - 1);
  }
  p.n_other_forenames = MASH_MATCH_MAX_OTHER;
  for (size_t i = 0; i < MASH_MATCH_MAX_OTHER; i++) {
    memset(p.other_forenames[i], 'g', sizeof p.other_forenames[i] - 1);
    memset(p.other_forename_keys[i], 'H', sizeof p.other_forename_keys[i] - 1);
  }
  p.n_other_dobs = MASH_MATCH_MAX_DOBS;
  for (size_t i = 0; i < MASH_MATCH_MAX_DOBS; i++) {
    p.other_dobs[i][0] = 1999;
    p.other_dobs[i][1] = 1;
    p.other_dobs[i][2] = 2;
  }
  uint8_t buf[MASH_MATCH_SUMMARY_MAX];
  int len = mash_match_summary_write(&p, buf, sizeof buf);
  assert_true(len > 0);
  assert_int_equal(mash_match_summary_read(&back, buf, (size_t)len), 0);
  s_assert_same(&p, &back);
  assert_int_equal(mash_match_summary_write(&p, buf, (size_t)len - 1), -ENOSPC);
  /* An ordinary record is small: the point of a summary. */
  mash_match_person_t a, b;
  s_round_trip(&PEOPLE[0], &a, &b, buf, &len);
  assert_true(len < 100);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip_is_the_same_struct),
      cmocka_unit_test(test_scores_unchanged),
      cmocka_unit_test(test_damaged_refused),
      cmocka_unit_test(test_bound),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
