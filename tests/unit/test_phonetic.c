/* test_phonetic: Double Metaphone keys and the normalisation of names,
 * postcodes and address lines (common/phonetic.h).
 *
 * Tables of names that must share a key (spelling variants a hub sees every
 * day, apostrophes, hyphens, case and accents) and that must not, exact keys
 * against the published algorithm's output, and tables of normalised names,
 * postcodes and address lines, with the edges: NULL, empty, invalid UTF-8,
 * and truncation that never splits a character.
 * Must not: touch the network, the disk or the clock.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "phonetic.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------- keys */

typedef struct key_case {
  const char *name;
  const char *key;
} key_case_t;

/* Expected keys: the primary key of Philips' Double Metaphone (checked
 * against an independent implementation), cut to 8. */
static const key_case_t s_keys[] = {
    {"Smith", "SM0"},
    {"Hartley", "HRTL"},
    {"Catherine", "K0RN"},
    {"O'Brien", "APRN"},
    {"Richardson", "RXRTSN"},
    {"Richards", "RXRTS"},
    {"Xavier", "SF"},
    {"Knight", "NT"},
    {"Thomas", "TMS"},
    {"Schmidt", "XMT"},
    {"McDonald", "MKTNLT"},
    {"Siobhan", "SPN"},
    {"Filipowicz", "FLPTS"},
    {"Maya", "M"},
    {"Amelia", "AML"},
    {"Mary-Jane", "MRJN"},
    {"Hartley-Marsh", "HRTLMRX"},
    {"Björn", "PJRN"},
    {"Maximilianus Wolfeschlegel", "MKSMLNSL"}, /* cut at 8 */
    {"", ""},
    {"123", ""},
    {"- ' .", ""},
    {"\xd9\x85\xd8\xad\xd9\x85\xd8\xaf", ""}, /* Arabic script: no Latin letters */
};

static void test_key_table(void **state) {
  (void)state;
  for (size_t i = 0; i < N_OF(s_keys); i++) {
    char key[MASH_PHONETIC_KEY_SIZE];
    memset(key, 'x', sizeof key);
    size_t n = mash_phonetic_key(s_keys[i].name, key, sizeof key);
    if (strcmp(key, s_keys[i].key) != 0 || n != strlen(s_keys[i].key)) {
      fail_msg("key of \"%s\" is \"%s\", expected \"%s\"", s_keys[i].name, key, s_keys[i].key);
    }
  }
}

typedef struct pair_case {
  const char *a, *b;
} pair_case_t;

/* Names one person is written as by different agencies. */
static const pair_case_t s_same[] = {
    {"Smith", "Smyth"},
    {"Smith", "Smythe"},
    {"Hartley", "Hartly"},
    {"Catherine", "Kathryn"},
    {"Catherine", "Katherine"},
    {"O'Brien", "OBrien"},
    {"O'Brien", "O\xe2\x80\x99"
                "Brien"}, /* typographic apostrophe */
    {"O'Brien", "o brien"},
    {"Smith-Jones", "Smith Jones"},
    {"Smith-Jones", "SmithJones"},
    {"Smith\xe2\x80\x93Jones", "Smith-Jones"}, /* en dash */
    {"Mary-Jane", "Mary Jane"},
    {"SMITH", "smith"},
    {"Zoë", "Zoe"},
    {"Józef", "Jozef"},
    {"\xc5\x81ukasz", "Lukasz"}, /* Ł */
    {"Szymański", "Szymanski"},
    {"Müller", "Muller"},
    {"François", "Francois"},
    {"Núñez", "Nunez"},
    {"Stephen", "Steven"},
    {"Philip", "Phillip"},
    {"Geoffrey", "Jeffrey"},
    {"Aidan", "Aiden"},
    {"Hayley", "Haley"},
    {"Rhys", "Reece"},
    {"Ella", "Ellie"}, /* why a phonetic forename is never enough to auto-link */
    {"Macdonald", "McDonald"},
    {"  Hartley  ", "Hartley"},
};

/* Names that must stay apart. */
static const pair_case_t s_apart[] = {
    {"Richards", "Richardson"}, /* the reason keys are 8 long, not 4 */
    {"Smith", "Jones"},         {"Hartley", "Bartley"}, {"Catherine", "Caroline"},
    {"Maya", "Molly"},          {"Leo", "Lily"},        {"Hartley-Marsh", "Hartley"},
    {"Sean", "Shaun"},
};

static void test_key_pairs(void **state) {
  (void)state;
  char ka[MASH_PHONETIC_KEY_SIZE], kb[MASH_PHONETIC_KEY_SIZE];
  for (size_t i = 0; i < N_OF(s_same); i++) {
    mash_phonetic_key(s_same[i].a, ka, sizeof ka);
    mash_phonetic_key(s_same[i].b, kb, sizeof kb);
    if (ka[0] == '\0' || strcmp(ka, kb) != 0) {
      fail_msg("\"%s\" (%s) and \"%s\" (%s) should share a key", s_same[i].a, ka, s_same[i].b, kb);
    }
  }
  for (size_t i = 0; i < N_OF(s_apart); i++) {
    mash_phonetic_key(s_apart[i].a, ka, sizeof ka);
    mash_phonetic_key(s_apart[i].b, kb, sizeof kb);
    if (strcmp(ka, kb) == 0) {
      fail_msg("\"%s\" and \"%s\" should differ, both %s", s_apart[i].a, s_apart[i].b, ka);
    }
  }
}

static void test_key_edges(void **state) {
  (void)state;
  char key[MASH_PHONETIC_KEY_SIZE];
  memset(key, 'x', sizeof key);
  assert_int_equal(mash_phonetic_key(NULL, key, sizeof key), 0);
  assert_string_equal(key, "");
  /* A short buffer cuts the key and still terminates it. */
  char small[3];
  assert_int_equal(mash_phonetic_key("Richardson", small, sizeof small), 2);
  assert_string_equal(small, "RX");
  char one[1] = {'x'};
  assert_int_equal(mash_phonetic_key("Smith", one, sizeof one), 0);
  assert_int_equal(one[0], '\0');
  assert_int_equal(mash_phonetic_key("Smith", NULL, 0), 0);
  /* Invalid UTF-8 is skipped, not read past. */
  assert_int_equal(mash_phonetic_key("Sm\xffith\xc3", key, sizeof key), 3);
  assert_string_equal(key, "SM0");
  /* A very long name is read only so far, and the key stays bounded. */
  char longname[600];
  memset(longname, 'a', sizeof longname - 1);
  longname[sizeof longname - 1] = '\0';
  longname[0] = 'B';
  assert_int_equal(mash_phonetic_key(longname, key, sizeof key), 1);
  assert_string_equal(key, "P");
  memset(longname, 'k', sizeof longname - 1);
  assert_int_equal(mash_phonetic_key(longname, key, sizeof key), MASH_PHONETIC_KEY_MAX);
}

/* ---------------------------------------------------------------- names */

typedef struct text_case {
  const char *in;
  const char *out;
} text_case_t;

static const text_case_t s_names[] = {
    {"  Mary   Jane ", "mary jane"},
    {"O'Brien", "obrien"},
    {"D\xe2\x80\x99"
     "Arcy",
     "darcy"},
    {"Smith - Jones", "smith-jones"},
    {"Smith--Jones", "smith-jones"},
    {"  -Anne-  ", "anne"},
    {"Jean-Luc", "jean-luc"},
    {"ZOË", "zoe"},
    {"\xc5\x81ukasz", "lukasz"},
    {"Æsa", "aesa"},
    {"Strauß", "strauss"},
    {"Ðan Þór", "dan thor"},
    {"St. John", "st john"},
    {"Mary\xc2\xa0Jane", "mary jane"}, /* no-break space */
    {"Mary\tJane\n", "mary jane"},
    {"Henry 8th", "henry 8th"},
    {"\xd9\x85\xd8\xad\xd9\x85\xd8\xaf  \xd8\xb9\xd9\x84\xd9\x8a",
     "\xd9\x85\xd8\xad\xd9\x85\xd8\xaf \xd8\xb9\xd9\x84\xd9\x8a"}, /* kept verbatim */
    {"Ann\xff", "ann"},                                            /* invalid byte dropped */
    {"Ann\xc3", "ann"},                                            /* cut sequence dropped */
    {"A\xc3\x28z", "a z"},                                         /* bad continuation */
    {"\xe0\x80\xaf", ""},                                          /* overlong form */
    {"\xed\xa0\x80x", "x"},                                        /* surrogate */
    {"", ""},
};

static void test_name_table(void **state) {
  (void)state;
  for (size_t i = 0; i < N_OF(s_names); i++) {
    char out[64];
    size_t n = mash_name_normalise(s_names[i].in, out, sizeof out);
    if (strcmp(out, s_names[i].out) != 0 || n != strlen(out)) {
      fail_msg("name \"%s\" -> \"%s\", expected \"%s\"", s_names[i].in, out, s_names[i].out);
    }
  }
}

static void test_name_truncation(void **state) {
  (void)state;
  char out[5];
  assert_int_equal(mash_name_normalise("Mary Jane", out, sizeof out), 4);
  assert_string_equal(out, "mary");
  /* A trailing separator is never written at the cut. */
  assert_int_equal(mash_name_normalise("Mary-Jane", out, sizeof out), 4);
  assert_string_equal(out, "mary");
  /* A two-byte character that does not fit is left out whole. */
  char four[4];
  assert_int_equal(mash_name_normalise("\xd9\x85\xd8\xad\xd9\x85", four, sizeof four), 2);
  assert_memory_equal(four, "\xd9\x85", 3);
  /* "ß" folds to two letters; both fit or neither. */
  assert_int_equal(mash_name_normalise("aß", four, sizeof four), 3);
  assert_string_equal(four, "ass");
  char three[3];
  assert_int_equal(mash_name_normalise("aß", three, sizeof three), 1);
  assert_string_equal(three, "a");
  assert_int_equal(mash_name_normalise(NULL, out, sizeof out), 0);
  assert_string_equal(out, "");
  assert_int_equal(mash_name_normalise("x", NULL, 0), 0);
}

/* ---------------------------------------------------------------- postcodes */

typedef struct postcode_case {
  const char *in;
  int rc;
  const char *out;
} postcode_case_t;

static const postcode_case_t s_postcodes[] = {
    {"EX1 2AB", 0, "EX1 2AB"},  {"ex1 2ab", 0, "EX1 2AB"},
    {"EX12AB", 0, "EX1 2AB"},   {"  ex1   2ab ", 0, "EX1 2AB"},
    {"sw1a1aa", 0, "SW1A 1AA"}, {"M1 1AE", 0, "M1 1AE"},
    {"m11ae", 0, "M1 1AE"},     {"B338TH", 0, "B33 8TH"},
    {"CR2 6XH", 0, "CR2 6XH"},  {"DN55 1PT", 0, "DN55 1PT"},
    {"W1A 0AX", 0, "W1A 0AX"},  {"ex1 oab", 0, "EX1 0AB"}, /* O typed for zero */
    {"EX1\t2AB", 0, "EX1 2AB"}, {"", -EINVAL, ""},
    {"EX1", -EINVAL, ""},       {"EX1 2A", -EINVAL, ""},
    {"12345", -EINVAL, ""},     {"1X1 2AB", -EINVAL, ""},
    {"EX1 2A!", -EINVAL, ""},   {"EX1-2AB", -EINVAL, ""},
    {"EX1 2ABC", -EINVAL, ""},  {"EX12 2ABX", -EINVAL, ""},
    {"EX1 AAB", -EINVAL, ""},   {"EX1 22B", -EINVAL, ""},
    {"EX1 2A2", -EINVAL, ""},   {"ÉX1 2AB", -EINVAL, ""},
};

static void test_postcode_table(void **state) {
  (void)state;
  for (size_t i = 0; i < N_OF(s_postcodes); i++) {
    char out[MASH_POSTCODE_SIZE];
    memset(out, 'x', sizeof out);
    int rc = mash_postcode_normalise(s_postcodes[i].in, out, sizeof out);
    if (rc != s_postcodes[i].rc || strcmp(out, s_postcodes[i].out) != 0) {
      fail_msg("postcode \"%s\" -> %d \"%s\", expected %d \"%s\"", s_postcodes[i].in, rc, out,
               s_postcodes[i].rc, s_postcodes[i].out);
    }
  }
}

static void test_postcode_edges(void **state) {
  (void)state;
  char out[MASH_POSTCODE_SIZE];
  assert_int_equal(mash_postcode_normalise(NULL, out, sizeof out), -EINVAL);
  assert_string_equal(out, "");
  char small[MASH_POSTCODE_SIZE - 1] = "x";
  assert_int_equal(mash_postcode_normalise("EX1 2AB", small, sizeof small), -EINVAL);
  assert_string_equal(small, "");
  assert_int_equal(mash_postcode_normalise("EX1 2AB", NULL, 0), -EINVAL);
}

/* ---------------------------------------------------------------- addresses */

static const text_case_t s_addresses[] = {
    {"Flat 3, 12 Canal Street", "flat 3 12 canal street"},
    {"Flat 3 12 Canal St", "flat 3 12 canal street"},
    {"Apartment 3, 12 Canal St.", "flat 3 12 canal street"},
    {"APT 3 12 canal street", "flat 3 12 canal street"},
    {"Flat No 3, 12 Canal Street", "flat 3 12 canal street"},
    {"Flat No. 3, 12 Canal Street", "flat 3 12 canal street"},
    {"12 St John's Rd", "12 saint johns road"},
    {"12 St. Johns Road", "12 saint johns road"},
    {"St Marys Ave", "saint marys avenue"},
    {"Flat 2 St Marys Court", "flat 2 saint marys court"},
    {"27 Mill Ln", "27 mill lane"},
    {"12-14 High St", "12 14 high street"},
    {"4 Beech Gdns", "4 beech gardens"},
    {"9 Oak Cres", "9 oak crescent"},
    {"1 Victoria Tce", "1 victoria terrace"},
    {"1 Rue Châtelet", "1 rue chatelet"},
    {"  ,, ", ""},
    {"", ""},
    {"St", "street"},
    {"No 5", "5"},
    {"Casa No", "casa no"},
};

static void test_address_table(void **state) {
  (void)state;
  for (size_t i = 0; i < N_OF(s_addresses); i++) {
    char out[96];
    size_t n = mash_address_normalise(s_addresses[i].in, out, sizeof out);
    if (strcmp(out, s_addresses[i].out) != 0 || n != strlen(out)) {
      fail_msg("address \"%s\" -> \"%s\", expected \"%s\"", s_addresses[i].in, out,
               s_addresses[i].out);
    }
  }
}

static void test_address_edges(void **state) {
  (void)state;
  char out[16];
  assert_int_equal(mash_address_normalise(NULL, out, sizeof out), 0);
  assert_string_equal(out, "");
  /* Whole words only at the cut. */
  assert_int_equal(mash_address_normalise("12 Canal Street Exampleton", out, sizeof out), 15);
  assert_string_equal(out, "12 canal street");
  assert_int_equal(mash_address_normalise("x", NULL, 0), 0);
  /* A line far longer than any address is read only so far. */
  char line[2048];
  for (size_t i = 0; i < sizeof line - 1; i++) {
    line[i] = i % 3 == 2 ? ' ' : 'a';
  }
  line[sizeof line - 1] = '\0';
  char big[1024];
  size_t n = mash_address_normalise(line, big, sizeof big);
  assert_true(n > 0 && n < sizeof big);
  assert_int_equal(strlen(big), n);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_key_table),       cmocka_unit_test(test_key_pairs),
      cmocka_unit_test(test_key_edges),       cmocka_unit_test(test_name_table),
      cmocka_unit_test(test_name_truncation), cmocka_unit_test(test_postcode_table),
      cmocka_unit_test(test_postcode_edges),  cmocka_unit_test(test_address_table),
      cmocka_unit_test(test_address_edges),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
