/* test_identifiers: NHS number, UPN and PNC id validation and the matching
 * form of an identifier (common/identifiers.h).
 *
 * Published examples of each identifier, hand-picked malformed and wrong
 * inputs, and a property sweep: 10,000 generated valid ids of each kind, built
 * by generators written here independently of the module, every one valid and
 * every single-digit change of every one a failed check.
 * Must not: touch the network, the disk or the clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "identifiers.h"

#define SWEEP 10000

#define VALID MASH_ID_VALID
#define MALFORMED MASH_ID_MALFORMED
#define FAILED MASH_ID_CHECK_FAILED

/* Letters in the order of their value: UPN A = 0, PNC Z = 0. */
static const char UPN_ALPHA[] = "ABCDEFGHJKLMNPQRTUVWXYZ";
static const char PNC_ALPHA[] = "ZABCDEFGHJKLMNPQRTUVWXY";

/* A small deterministic generator (xorshift64), its state owned by the test. */
static uint64_t rnd(uint64_t *state) {
  uint64_t x = *state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  *state = x;
  return x;
}

static unsigned rnd_below(uint64_t *state, unsigned n) {
  return (unsigned)(rnd(state) % n);
}

static void rnd_digits(uint64_t *state, char *out, size_t n) {
  for (size_t i = 0; i < n; i++) {
    out[i] = (char)('0' + rnd_below(state, 10));
  }
}

/* Assert that changing any one digit of `id` to each of the other nine
 * values gives a failed check (`id` is restored afterwards). */
static void assert_every_digit_change_fails(char *id, int (*check)(const char *)) {
  size_t len = strlen(id);
  for (size_t i = 0; i < len; i++) {
    char orig = id[i];
    if (orig < '0' || orig > '9') {
      continue;
    }
    for (char c = '0'; c <= '9'; c++) {
      if (c == orig) {
        continue;
      }
      id[i] = c;
      if (check(id) != FAILED) {
        fail_msg("%s: digit change gave %s", id, mash_id_result_name(check(id)));
      }
    }
    id[i] = orig;
  }
}

/* ---------------------------------------------------------------- NHS number */

/* The check digit of nine digits, or -1 when it computes to 10. */
static int nhs_check_digit(const char *nine) {
  int s = 0;
  for (int i = 0; i < 9; i++) {
    s += (nine[i] - '0') * (10 - i);
  }
  int c = (11 - s % 11) % 11;
  return c == 10 ? -1 : c;
}

/* A random valid NHS number (10 digits and a NUL into `out`). */
static void nhs_generate(uint64_t *state, char out[11]) {
  do {
    rnd_digits(state, out, 9);
  } while (nhs_check_digit(out) < 0);
  out[9] = (char)('0' + nhs_check_digit(out));
  out[10] = '\0';
}

static void test_nhs_published(void **state) {
  (void)state;
  assert_int_equal(mash_nhs_check("943 476 5919"), VALID);
  assert_int_equal(mash_nhs_check("9434765919"), VALID);
  assert_int_equal(mash_nhs_check("401 023 2137"), VALID);
  assert_int_equal(mash_nhs_check("4010232137"), VALID);
  assert_int_equal(mash_nhs_check("  943 476 5919\t"), VALID);
  assert_int_equal(mash_nhs_check("943 4765919"), VALID);
  assert_int_equal(mash_nhs_check("943476 5919"), VALID);
  /* 11 - 0 = 11 means a check digit of 0. */
  assert_int_equal(nhs_check_digit("000000000"), 0);
  assert_int_equal(mash_nhs_check("0000000000"), VALID);
}

static void test_nhs_check_failed(void **state) {
  (void)state;
  assert_int_equal(mash_nhs_check("943 476 5918"), FAILED);
  assert_int_equal(mash_nhs_check("943 476 5929"), FAILED);
  assert_int_equal(mash_nhs_check("843 476 5919"), FAILED);
  assert_int_equal(mash_nhs_check("401 023 2138"), FAILED);
  assert_int_equal(mash_nhs_check("4010232136"), FAILED);
  /* Adjacent transposition: weights differ, so it is caught. */
  assert_int_equal(mash_nhs_check("9344765919"), FAILED);
}

static void test_nhs_check_ten(void **state) {
  (void)state;
  /* 000000006: S = 6 * 2 = 12, 12 mod 11 = 1, 11 - 1 = 10: no tenth digit
   * makes it valid. */
  assert_int_equal(nhs_check_digit("000000006"), -1);
  char id[] = "000000006X";
  for (char c = '0'; c <= '9'; c++) {
    id[9] = c;
    assert_int_equal(mash_nhs_check(id), FAILED);
  }
  /* And for random nine digits whose check computes to 10. */
  uint64_t rs = 0x5eed0001u;
  int found = 0;
  while (found < 200) {
    char n[11];
    rnd_digits(&rs, n, 9);
    if (nhs_check_digit(n) >= 0) {
      continue;
    }
    found++;
    n[10] = '\0';
    for (char c = '0'; c <= '9'; c++) {
      n[9] = c;
      assert_int_equal(mash_nhs_check(n), FAILED);
    }
  }
}

static void test_nhs_malformed(void **state) {
  (void)state;
  static const char *const bad[] = {
      "",
      "   ",
      "943 476 591",           /* 9 digits */
      "943476591",             /* 9 digits */
      "94347659190",           /* 11 digits */
      "943 476 59190",         /* 11 digits */
      "94347659A9",            /* a letter */
      "ABCDEFGHIJ",            /* letters */
      "943-476-5919",          /* hyphens */
      "943  476 5919",         /* two spaces */
      "9434 76 5919",          /* wrong grouping */
      "943 476 591 9",         /* wrong grouping */
      " 943 476 5919x",        /* trailing junk */
      "943\t476\t5919",        /* tab separators */
      "\357\274\231434765919", /* a full-width 9 (U+FF19) first */
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    if (mash_nhs_check(bad[i]) != MALFORMED) {
      fail_msg("\"%s\" is not malformed", bad[i]);
    }
  }
  assert_int_equal(mash_nhs_check(NULL), MALFORMED);
}

static void test_nhs_sweep(void **state) {
  (void)state;
  uint64_t rs = 0x0123456789abcdefu;
  for (int n = 0; n < SWEEP; n++) {
    char id[11];
    nhs_generate(&rs, id);
    assert_int_equal(mash_nhs_check(id), VALID);
    char spaced[16];
    snprintf(spaced, sizeof spaced, "%.3s %.3s %.4s", id, id + 3, id + 6);
    assert_int_equal(mash_nhs_check(spaced), VALID);
    assert_every_digit_change_fails(id, mash_nhs_check);
    assert_every_digit_change_fails(spaced, mash_nhs_check);
  }
}

/* ---------------------------------------------------------------- UPN */

/* The check letter of characters 2..13 of a UPN (`twelve`), by the standard's
 * own statement: digits their value, a letter its index, weights 2..13. */
static char upn_check_letter(const char *twelve) {
  int s = 0;
  for (int k = 2; k <= 13; k++) {
    char c = twelve[k - 2];
    int v = (c >= '0' && c <= '9') ? c - '0' : (int)(strchr(UPN_ALPHA, c) - UPN_ALPHA);
    s += k * v;
  }
  return UPN_ALPHA[s % 23];
}

/* A random valid UPN, temporary or not. */
static void upn_generate(uint64_t *state, bool temporary, char out[14]) {
  rnd_digits(state, out + 1, 12);
  if (temporary) {
    out[12] = UPN_ALPHA[rnd_below(state, 23)];
  }
  out[13] = '\0';
  out[0] = upn_check_letter(out + 1);
}

static void test_upn_published(void **state) {
  (void)state;
  bool temp = true;
  /* python-stdnum's stdnum.gb.upn doctests. */
  assert_int_equal(mash_upn_check("B801200005001", &temp), VALID);
  assert_false(temp);
  assert_int_equal(mash_upn_check("A801200005001", &temp), FAILED);
  assert_false(temp);
  assert_int_equal(mash_upn_check("X80120000A001", &temp), MALFORMED);
  /* The school census guidance for error 1510 works B207000016049 through
   * and concludes Q207000016049, but its sum has a slip: the weighted sum is
   * 4 + 28 + 9 + 60 + 48 + 117 = 266 (not 267), 266 mod 23 = 13 = P. */
  assert_int_equal(upn_check_letter("207000016049"), 'P');
  assert_int_equal(mash_upn_check("P207000016049", NULL), VALID);
  assert_int_equal(mash_upn_check("Q207000016049", NULL), FAILED);
  assert_int_equal(mash_upn_check("B207000016049", NULL), FAILED);
  /* The header's worked examples. */
  assert_int_equal(upn_check_letter("801200005001"), 'B');
  assert_int_equal(upn_check_letter("80120000500A"), 'M');
}

static void test_upn_temporary(void **state) {
  (void)state;
  bool temp = false;
  assert_int_equal(mash_upn_check("M80120000500A", &temp), VALID);
  assert_true(temp);
  temp = false;
  assert_int_equal(mash_upn_check("m80120000500a", &temp), VALID);
  assert_true(temp);
  temp = false;
  /* A wrong check letter still says what kind of UPN it is. */
  assert_int_equal(mash_upn_check("N80120000500A", &temp), FAILED);
  assert_true(temp);
  /* The temporary letter enters the sum: B is worth 1 * 13. */
  assert_int_equal(mash_upn_check("M80120000500B", &temp), FAILED);
  assert_int_equal(upn_check_letter("80120000500B"), UPN_ALPHA[(80 + 13) % 23]);
  assert_int_equal(mash_upn_check(" \tb80120000500b ", &temp), VALID);
  assert_true(temp);
  assert_int_equal(mash_upn_check("M80120000500A", NULL), VALID);
  /* Malformed clears the flag. */
  temp = true;
  assert_int_equal(mash_upn_check("M80120000500I", &temp), MALFORMED);
  assert_false(temp);
}

static void test_upn_wrong_letter(void **state) {
  (void)state;
  char permanent[] = "B801200005001";
  char temporary[] = "M80120000500A";
  char *ids[] = {permanent, temporary};
  for (size_t n = 0; n < 2; n++) {
    char right = ids[n][0];
    for (const char *l = UPN_ALPHA; *l != '\0'; l++) {
      ids[n][0] = *l;
      assert_int_equal(mash_upn_check(ids[n], NULL), *l == right ? VALID : FAILED);
      ids[n][0] = (char)(*l - 'A' + 'a');
      assert_int_equal(mash_upn_check(ids[n], NULL), *l == right ? VALID : FAILED);
    }
    ids[n][0] = right;
  }
}

static void test_upn_malformed(void **state) {
  (void)state;
  static const char *const bad[] = {
      "",
      "B80120000500",   /* 12 characters */
      "B8012000050011", /* 14 characters */
      "1801200005001",  /* a digit for the check letter */
      "I801200005001",  /* I, O and S are never check letters */
      "O801200005001",
      "S801200005001",
      "B8012A0005001", /* a letter in the establishment number */
      "B80120000500-", /* punctuation last */
      "M80120000500O", /* I, O and S are never temporary letters */
      "M80120000500S",
      "M80120000500I",
      "B801 200005001",   /* an inner space */
      "B801-200-005-001", /* separators */
      "?801200005001",
      "B80120000500\xc3\x80", /* a non-ASCII letter */
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    bool temp = true;
    if (mash_upn_check(bad[i], &temp) != MALFORMED) {
      fail_msg("\"%s\" is not malformed", bad[i]);
    }
    assert_false(temp);
  }
  assert_int_equal(mash_upn_check(NULL, NULL), MALFORMED);
  bool temp = true;
  assert_int_equal(mash_upn_check(NULL, &temp), MALFORMED);
  assert_false(temp);
}

static int upn_check_plain(const char *s) {
  return mash_upn_check(s, NULL);
}

static void test_upn_sweep(void **state) {
  (void)state;
  uint64_t rs = 0xfeedfacecafebeefu;
  for (int n = 0; n < SWEEP; n++) {
    bool want_temp = (n % 2) == 1;
    char id[14];
    upn_generate(&rs, want_temp, id);
    bool temp = !want_temp;
    assert_int_equal(mash_upn_check(id, &temp), VALID);
    assert_int_equal(temp, want_temp);
    assert_every_digit_change_fails(id, upn_check_plain);
    if (want_temp) {
      /* Every other temporary letter is caught too. */
      char orig = id[12];
      for (const char *l = UPN_ALPHA; *l != '\0'; l++) {
        if (*l == orig) {
          continue;
        }
        id[12] = *l;
        assert_int_equal(mash_upn_check(id, NULL), FAILED);
      }
    }
  }
}

/* ---------------------------------------------------------------- PNC id */

/* The check letter of a 2-digit year and a serial, computed from the
 * 9-digit string the definition speaks of. */
static char pnc_check_letter(unsigned yy, unsigned serial) {
  char nine[16];
  snprintf(nine, sizeof nine, "%02u%07u", yy, serial);
  unsigned r = 0;
  for (const char *p = nine; *p != '\0'; p++) {
    r = (r * 10 + (unsigned)(*p - '0')) % 23;
  }
  return PNC_ALPHA[r];
}

static void test_pnc_published(void **state) {
  (void)state;
  /* MoJ hmpps-person-record's PNCIdValidatorTest valid ids, in the display
   * (2-digit year) and full (4-digit year) forms. */
  static const char *const good[] = {
      "2001/0171310W", "2011/0275516Q", "2008/0056560Z", "2003/0062845E", "1981/0154257C",
      "01/0171310W",   "11/0275516Q",   "08/0056560Z",   "03/0062845E",   "81/0154257C",
      "01/171310W",    "08/56560Z",     "03/62845e",     " 81/154257C\t",
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    if (mash_pnc_check(good[i]) != VALID) {
      fail_msg("\"%s\" is not valid", good[i]);
    }
  }
  /* The header's worked example. */
  assert_int_equal(pnc_check_letter(1, 171310), 'W');
  /* Their "correctly formatted but not valid" ones with a lawful letter. */
  assert_int_equal(mash_pnc_check("2003/0011985Z"), FAILED);
  assert_int_equal(mash_pnc_check("2023/0583843N"), FAILED);
}

static void test_pnc_wrong_letter(void **state) {
  (void)state;
  char id[] = "01/0171310W";
  for (const char *l = PNC_ALPHA; *l != '\0'; l++) {
    id[10] = *l;
    assert_int_equal(mash_pnc_check(id), *l == 'W' ? VALID : FAILED);
  }
  /* The year's last two digits count, the century does not. */
  assert_int_equal(mash_pnc_check("1901/0171310W"), VALID);
  assert_int_equal(mash_pnc_check("2002/0171310W"), FAILED);
  assert_int_equal(mash_pnc_check("00/0000000Z"), VALID);
  assert_int_equal(mash_pnc_check("00/0Z"), VALID);
  /* The largest N, 999999999 = 23 * 43478260 + 19: V. */
  assert_int_equal(pnc_check_letter(99, 9999999), 'V');
  assert_int_equal(mash_pnc_check("1999/9999999V"), VALID);
}

static void test_pnc_malformed(void **state) {
  (void)state;
  static const char *const bad[] = {
      "",
      "01",
      "010171310W",     /* no slash */
      "200101713 10W",  /* no slash, inner space */
      "1/0171310W",     /* 1-digit year */
      "001/0171310W",   /* 3-digit year */
      "20001/0171310W", /* 5-digit year */
      "01/01713100W",   /* 8-digit serial */
      "01/W",           /* no serial */
      "01/0171310",     /* no check letter */
      "01/01713105",    /* a digit for the check letter */
      "01/0171310WW",   /* two letters */
      "01/0171310I",    /* I, O and S are never check letters */
      "01/0171310O",
      "01/0171310S",
      "0X/0171310W", /* a letter in the year */
      "01/01Z1310W", /* a letter in the serial */
      "01//0171310W",
      "01/ 0171310W",
      "01-0171310W",
      "/0171310W",
      "1X23/1234567A", /* hmpps-person-record's malformed ones */
      "1923[1234567A",
      "1923/1Z34567A",
      "1923/1234567AA",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    if (mash_pnc_check(bad[i]) != MALFORMED) {
      fail_msg("\"%s\" is not malformed", bad[i]);
    }
  }
  assert_int_equal(mash_pnc_check(NULL), MALFORMED);
}

static void test_pnc_sweep(void **state) {
  (void)state;
  uint64_t rs = 0x9e3779b97f4a7c15u;
  for (int n = 0; n < SWEEP; n++) {
    unsigned yy = rnd_below(&rs, 100);
    unsigned serial = rnd_below(&rs, 10000000);
    char check = pnc_check_letter(yy, serial);
    char full[24];
    char shortened[24];
    char century[24];
    snprintf(full, sizeof full, "%02u/%07u%c", yy, serial, check);
    snprintf(shortened, sizeof shortened, "%02u/%u%c", yy, serial, check);
    snprintf(century, sizeof century, "%u/%07u%c", (yy < 50 ? 2000 : 1900) + yy, serial, check);
    assert_int_equal(mash_pnc_check(full), VALID);
    assert_int_equal(mash_pnc_check(shortened), VALID);
    assert_int_equal(mash_pnc_check(century), VALID);
    assert_every_digit_change_fails(full, mash_pnc_check);
    assert_every_digit_change_fails(shortened, mash_pnc_check);
  }
}

/* ---------------------------------------------------------------- the rest */

static void test_result_names(void **state) {
  (void)state;
  assert_string_equal(mash_id_result_name(MASH_ID_VALID), "valid");
  assert_string_equal(mash_id_result_name(MASH_ID_MALFORMED), "malformed");
  assert_string_equal(mash_id_result_name(MASH_ID_CHECK_FAILED), "check_failed");
  assert_string_equal(mash_id_result_name(-1), "unknown");
  assert_string_equal(mash_id_result_name(3), "unknown");
}

static void test_normalise(void **state) {
  (void)state;
  char out[32];
  assert_int_equal(mash_id_normalise(" 943 476\t5919 ", out, sizeof out), 10);
  assert_string_equal(out, "9434765919");
  assert_int_equal(mash_id_normalise("m80120000500a", out, sizeof out), 13);
  assert_string_equal(out, "M80120000500A");
  assert_int_equal(mash_id_normalise("01/171310w", out, sizeof out), 10);
  assert_string_equal(out, "01/171310W");
  /* Non-ASCII bytes are copied, not folded. */
  assert_int_equal(mash_id_normalise("\xc3\xa9x", out, sizeof out), 3);
  assert_string_equal(out, "\xc3\xa9X");
  assert_int_equal(mash_id_normalise("   ", out, sizeof out), 0);
  assert_string_equal(out, "");
  assert_int_equal(mash_id_normalise(NULL, out, sizeof out), 0);
  assert_string_equal(out, "");

  /* Truncation: the full length comes back, the output stays terminated. */
  char small[5];
  memset(small, 'Q', sizeof small);
  assert_int_equal(mash_id_normalise("ab cd ef", small, sizeof small), 6);
  assert_string_equal(small, "ABCD");
  char one[1] = {'Q'};
  assert_int_equal(mash_id_normalise("abc", one, sizeof one), 3);
  assert_int_equal(one[0], '\0');
  assert_int_equal(mash_id_normalise("abc", NULL, 0), 3);

  /* Normalised ids of each kind still validate. */
  assert_int_equal(mash_id_normalise(" 401 023 2137", out, sizeof out), 10);
  assert_int_equal(mash_nhs_check(out), VALID);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_nhs_published), cmocka_unit_test(test_nhs_check_failed),
      cmocka_unit_test(test_nhs_check_ten), cmocka_unit_test(test_nhs_malformed),
      cmocka_unit_test(test_nhs_sweep),     cmocka_unit_test(test_upn_published),
      cmocka_unit_test(test_upn_temporary), cmocka_unit_test(test_upn_wrong_letter),
      cmocka_unit_test(test_upn_malformed), cmocka_unit_test(test_upn_sweep),
      cmocka_unit_test(test_pnc_published), cmocka_unit_test(test_pnc_wrong_letter),
      cmocka_unit_test(test_pnc_malformed), cmocka_unit_test(test_pnc_sweep),
      cmocka_unit_test(test_result_names),  cmocka_unit_test(test_normalise),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
