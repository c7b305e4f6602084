/* test_clock_uuid: v4 UUIDs (common/uuid.h) and the clock's formatting
 * and strict parsing (common/clock.h). Must not: depend on the current
 * date. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "codec.h"
#include "uuid.h"
#include "codec_fixtures.h"

/* ------------------------------------------------------------------ uuid */

static int is_hex_lower(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int cmp_uuid(const void *a, const void *b) {
  return strcmp((const char *)a, (const char *)b);
}

static void test_uuid(void **state) {
  (void)state;
  enum { N = 2000 };
  char(*ids)[MASH_UUID_LEN + 1] = test_malloc(N * sizeof *ids);
  for (size_t i = 0; i < N; i++) {
    assert_int_equal(mash_uuid_new(ids[i]), 0);
    const char *u = ids[i];
    assert_int_equal(strlen(u), MASH_UUID_LEN);
    for (size_t j = 0; j < MASH_UUID_LEN; j++) {
      if (j == 8 || j == 13 || j == 18 || j == 23) {
        assert_int_equal(u[j], '-');
      } else {
        assert_true(is_hex_lower(u[j]));
      }
    }
    assert_int_equal(u[14], '4');
    assert_non_null(strchr("89ab", u[19]));
  }
  qsort(ids, N, sizeof *ids, cmp_uuid);
  for (size_t i = 1; i < N; i++) {
    assert_string_not_equal(ids[i - 1], ids[i]);
  }
  /* A UUID is a valid message id. */
  fixture_t f;
  fixture_init(&f);
  f.env.message_id = ids[0];
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_envelope(&f.env, &errs), 0);
  test_free(ids);
}

/* ----------------------------------------------------------------- clock */

static void test_clock_format(void **state) {
  (void)state;
  char buf[32];
  mash_clock_format(0, buf, sizeof buf);
  assert_string_equal(buf, "1970-01-01T00:00:00Z");
  mash_clock_format(1700000000999LL, buf, sizeof buf);
  assert_string_equal(buf, "2023-11-14T22:13:20Z");
  mash_clock_format(-1, buf, sizeof buf);
  assert_string_equal(buf, "1969-12-31T23:59:59Z");
  mash_clock_format(951782400000LL, buf, sizeof buf);
  assert_string_equal(buf, "2000-02-29T00:00:00Z");
  /* Exactly 21 bytes is enough; fewer truncates and stays terminated. */
  char exact[21];
  mash_clock_format(NOW_MS, exact, sizeof exact);
  assert_string_equal(exact, "2024-06-01T12:00:00Z");
  char small[5];
  mash_clock_format(NOW_MS, small, sizeof small);
  assert_string_equal(small, "2024");
}

static void test_clock_parse(void **state) {
  (void)state;
  int64_t ms = 0;
  assert_int_equal(mash_clock_parse("2023-11-14T22:13:20Z", &ms), 0);
  assert_int_equal(ms, 1700000000000LL);
  assert_int_equal(mash_clock_parse("2023-11-14T22:13:20.123Z", &ms), 0);
  assert_int_equal(ms, 1700000000123LL);
  assert_int_equal(mash_clock_parse("2023-11-14T22:13:20.5Z", &ms), 0);
  assert_int_equal(ms, 1700000000500LL);
  assert_int_equal(mash_clock_parse("2023-11-14T22:13:20.123456Z", &ms), 0);
  assert_int_equal(ms, 1700000000123LL);
  assert_int_equal(mash_clock_parse("2023-11-14T23:13:20+01:00", &ms), 0);
  assert_int_equal(ms, 1700000000000LL);
  assert_int_equal(mash_clock_parse("2023-11-14T16:43:20.250-05:30", &ms), 0);
  assert_int_equal(ms, 1700000000250LL);
  assert_int_equal(mash_clock_parse("1969-12-31T23:59:59Z", &ms), 0);
  assert_int_equal(ms, -1000);
  assert_int_equal(mash_clock_parse("2024-02-29T00:00:00Z", &ms), 0);
  assert_int_equal(ms, 1709164800000LL);
}

static void test_clock_round_trip(void **state) {
  (void)state;
  int64_t now = mash_clock_now_ms();
  assert_true(now > 1577836800000LL); /* after 2020-01-01 */
  const int64_t samples[] = {0,
                             86399000,
                             951782400000LL,
                             NOW_MS,
                             (now / 1000) * 1000,
                             253402300799000LL /* 9999-12-31T23:59:59Z */};
  for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
    char buf[32];
    int64_t back = -1;
    mash_clock_format(samples[i], buf, sizeof buf);
    assert_int_equal(mash_clock_parse(buf, &back), 0);
    assert_int_equal(back, samples[i]);
  }
}

static void test_clock_rejects(void **state) {
  (void)state;
  static const char *const bad[] = {
      "",
      "garbage",
      "2023-11-14",
      "2023-11-14T22:13:20",
      "2023-11-14 22:13:20Z",
      "2023-11-14t22:13:20Z",
      "2023-02-29T00:00:00Z",
      "2023-13-01T00:00:00Z",
      "2023-11-31T00:00:00Z",
      "2023-11-14T24:00:00Z",
      "2023-11-14T22:60:00Z",
      "2023-11-14T22:13:61Z",
      "2023-11-14T22:13:20ZZ",
      "2023-11-14T22:13:20Z ",
      " 2023-11-14T22:13:20Z",
      "2023-11-14T22:13:20.Z",
      "2023-11-14T22:13:20.1234567891Z",
      "2023-11-14T22:13:20+1:00",
      "2023-11-14T22:13:20+01",
      "2023-11-14T22:13:20+0100",
      "2023-11-14T22:13:20+24:00",
      "2023-11-14T22:13:20+01:60",
      "+2023-11-14T22:13:20Z",
      "23-11-14T22:13:20Z",
      "2023-1-14T22:13:20Z",
      "2023-11-14T22:13:2Z",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int64_t ms = 12345;
    if (mash_clock_parse(bad[i], &ms) != -EINVAL) {
      print_message("accepted: \"%s\"\n", bad[i]);
    }
    assert_int_equal(mash_clock_parse(bad[i], &ms), -EINVAL);
    assert_int_equal(ms, 12345); /* untouched on failure */
  }
  int64_t ms = 0;
  assert_int_equal(mash_clock_parse(NULL, &ms), -EINVAL);
  assert_int_equal(mash_clock_parse("2023-11-14T22:13:20Z", NULL), -EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_uuid),          cmocka_unit_test(test_clock_format),
      cmocka_unit_test(test_clock_parse),   cmocka_unit_test(test_clock_round_trip),
      cmocka_unit_test(test_clock_rejects),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
