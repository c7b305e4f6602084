/* test_hub_matches: the possible-match list's line and JSON object
 * (agents/hub/hub_matches.h), and which person links are matches.
 *
 * The line: every field in its place, the confidence rounded to hundredths,
 * the age (and "age ?" without a received time), hostile text from the
 * broker made safe, and every buffer size without overflow. The JSON: every
 * key, null for unknown times. Links: only "possible" with a match id is a
 * match; a link turned into a match borrows the contact's received time.
 * Must not: use the network, write files or read the clock. Buffers for the
 * truncation test are exact-size plain malloc blocks, so AddressSanitizer
 * catches a write past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hub_matches.h"

/* Exact-size blocks from libc, before cmocka replaces malloc and free. */
static char *s_libc_malloc(size_t n) {
  return malloc(n);
}

static void s_libc_free(void *p) {
  free(p);
}

#define UNIT_TESTING 1
#include <cmocka.h>

/* 2026-11-23T02:10:00Z. */
#define T0 INT64_C(1795399800000)
#define MIN INT64_C(60000)
#define HOUR (60 * MIN)

static void *s_json_malloc(size_t n) {
  return test_malloc(n);
}

static void s_json_free(void *p) {
  test_free(p);
}

static int s_setup(void **state) {
  (void)state;
  json_set_alloc_funcs(s_json_malloc, s_json_free);
  return 0;
}

static hub_match_t s_match(void) {
  hub_match_t m = {
      .match_id = "M-000001",
      .contact_id = "MASH-000003",
      .ref = "c1",
      .person_id = "P-000009",
      .candidate_person_id = "P-000007",
      .confidence_permille = 800,
      .why = "dob+surname+postcode",
      .received_ms = T0,
  };
  return m;
}

static void test_line(void **state) {
  (void)state;
  hub_match_t m = s_match();
  char line[256];
  hub_matches_line(&m, T0 + 2 * HOUR + 10 * MIN, line, sizeof line);
  assert_string_equal(line, "M-000001  MASH-000003 c1 -> P-000007 (new P-000009)  confidence 0.80"
                            "  dob+surname+postcode  age 2h10m");
  /* Rounded to hundredths; certain is 1.00. */
  static const struct {
    uint32_t permille;
    const char *text;
  } cases[] = {{0, "0.00"},   {4, "0.00"},   {5, "0.01"},    {805, "0.81"},
               {994, "0.99"}, {995, "1.00"}, {1000, "1.00"}, {57, "0.06"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    m.confidence_permille = cases[i].permille;
    hub_matches_line(&m, T0, line, sizeof line);
    char want[64];
    snprintf(want, sizeof want, "confidence %s  ", cases[i].text);
    assert_non_null(strstr(line, want));
  }
  /* No received time: the age is not known; no why: nothing shown. */
  m = s_match();
  m.received_ms = 0;
  m.why = "";
  hub_matches_line(&m, T0, line, sizeof line);
  assert_string_equal(
      line, "M-000001  MASH-000003 c1 -> P-000007 (new P-000009)  confidence 0.80  age ?");
  /* A received time ahead of the desk's clock is age 0. */
  m.received_ms = T0 + HOUR;
  hub_matches_line(&m, T0, line, sizeof line);
  assert_non_null(strstr(line, "age 0m"));
  /* NULL match: an empty line; NULL or empty buffer: nothing written. */
  hub_matches_line(NULL, T0, line, sizeof line);
  assert_string_equal(line, "");
  hub_matches_line(&m, T0, NULL, 10);
  line[0] = 'x';
  hub_matches_line(&m, T0, line, 0);
  assert_int_equal(line[0], 'x');
}

/* The broker's text cannot drive the operator's terminal. */
static void test_line_hostile(void **state) {
  (void)state;
  hub_match_t m = s_match();
  m.why = "dob\x1b]0;owned\x07\n+name";
  m.ref = "c\xff";
  char line[256];
  hub_matches_line(&m, T0, line, sizeof line);
  for (const char *p = line; *p != '\0'; p++) {
    assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p != 0x7f);
  }
  assert_non_null(strstr(line, " c? -> "));
  assert_non_null(strstr(line, "dob?]0;owned??+name"));
}

static void test_line_every_size(void **state) {
  (void)state;
  hub_match_t m = s_match();
  m.why = "d\xc3\xa9j\xc3\xa0 vu";
  char full[256];
  hub_matches_line(&m, T0 + HOUR, full, sizeof full);
  size_t n = strlen(full);
  for (size_t cap = 1; cap <= n + 1; cap++) {
    char *buf = s_libc_malloc(cap);
    assert_non_null(buf);
    hub_matches_line(&m, T0 + HOUR, buf, cap);
    size_t got = strlen(buf);
    assert_true(got < cap);
    /* A prefix of the full line, cut between whole parts. */
    assert_memory_equal(buf, full, got);
    if (cap == n + 1) {
      assert_string_equal(buf, full);
    }
    s_libc_free(buf);
  }
}

static void test_json(void **state) {
  (void)state;
  hub_match_t m = s_match();
  json_t *j = hub_matches_json(&m, T0 + 2 * HOUR);
  assert_non_null(j);
  assert_int_equal(json_object_size(j), 10);
  assert_string_equal(json_string_value(json_object_get(j, "match_id")), "M-000001");
  assert_string_equal(json_string_value(json_object_get(j, "contact_id")), "MASH-000003");
  assert_string_equal(json_string_value(json_object_get(j, "ref")), "c1");
  assert_string_equal(json_string_value(json_object_get(j, "person_id")), "P-000009");
  assert_string_equal(json_string_value(json_object_get(j, "candidate_person_id")), "P-000007");
  assert_true(json_is_real(json_object_get(j, "confidence")));
  assert_true(json_real_value(json_object_get(j, "confidence")) > 0.799 &&
              json_real_value(json_object_get(j, "confidence")) < 0.801);
  assert_int_equal(json_integer_value(json_object_get(j, "confidence_permille")), 800);
  assert_string_equal(json_string_value(json_object_get(j, "why")), "dob+surname+postcode");
  assert_string_equal(json_string_value(json_object_get(j, "received_at")), "2026-11-23T02:10:00Z");
  assert_int_equal(json_integer_value(json_object_get(j, "age_ms")), 2 * HOUR);
  json_decref(j);

  m.received_ms = 0;
  j = hub_matches_json(&m, T0);
  assert_non_null(j);
  assert_true(json_is_null(json_object_get(j, "received_at")));
  assert_true(json_is_null(json_object_get(j, "age_ms")));
  json_decref(j);
  assert_null(hub_matches_json(NULL, T0));
}

static void test_links(void **state) {
  (void)state;
  Mash__V1__PersonLink l = MASH__V1__PERSON_LINK__INIT;
  l.ref = "c2";
  l.person_id = "P-000009";
  l.decision = "possible";
  l.confidence_permille = 750;
  l.why = "dob+surname";
  l.candidate_person_id = "P-000007";
  l.match_id = "M-000004";
  assert_true(hub_matches_is_possible(&l));
  Mash__V1__Contact c = MASH__V1__CONTACT__INIT;
  c.contact_id = "MASH-000008";
  c.received_at_ms = T0;
  hub_match_t m;
  hub_matches_from_link(&c, &l, 42, &m);
  assert_string_equal(m.match_id, "M-000004");
  assert_string_equal(m.contact_id, "MASH-000008");
  assert_string_equal(m.ref, "c2");
  assert_string_equal(m.person_id, "P-000009");
  assert_string_equal(m.candidate_person_id, "P-000007");
  assert_int_equal(m.confidence_permille, 750);
  assert_string_equal(m.why, "dob+surname");
  assert_int_equal(m.received_ms, T0);
  c.received_at_ms = 0;
  hub_matches_from_link(&c, &l, 42, &m);
  assert_int_equal(m.received_ms, 42);

  /* Other decisions, and a possible link without a match id, are not. */
  static const char *const others[] = {"identifier", "auto_link", "new", "Possible", ""};
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
    l.decision = (char *)others[i];
    assert_false(hub_matches_is_possible(&l));
  }
  l.decision = "possible";
  l.match_id = "";
  assert_false(hub_matches_is_possible(&l));
  l.match_id = NULL;
  assert_false(hub_matches_is_possible(&l));
  assert_false(hub_matches_is_possible(NULL));
  /* Empty fields of a possible link are "", never NULL. */
  Mash__V1__PersonLink bare = MASH__V1__PERSON_LINK__INIT;
  bare.decision = "possible";
  bare.match_id = "M-1";
  bare.ref = NULL;
  bare.why = NULL;
  hub_matches_from_link(&c, &bare, 1, &m);
  assert_string_equal(m.ref, "");
  assert_string_equal(m.why, "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_line, s_setup),
      cmocka_unit_test_setup(test_line_hostile, s_setup),
      cmocka_unit_test_setup(test_line_every_size, s_setup),
      cmocka_unit_test_setup(test_json, s_setup),
      cmocka_unit_test_setup(test_links, s_setup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
