/* test_retry: the one retry policy (common/retry.h): the delay doubles from
 * the base after each attempt up to the ceiling, the defaults fill unset
 * values, the warning comes once, at its attempt. Pure: numbers only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define UNIT_TESTING 1
#include <cmocka.h>

#include "retry.h"

static void test_delay_doubles_to_ceiling(void **state) {
  (void)state;
  mash_retry_t p = {1000, 30000, 0};
  static const int64_t want[] = {0, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
  for (unsigned a = 0; a < sizeof want / sizeof want[0]; a++) {
    assert_int_equal(mash_retry_delay_ms(&p, a), want[a]);
  }
  /* Many attempts never overflow or go past the ceiling. */
  assert_int_equal(mash_retry_delay_ms(&p, 1000000u), 30000);
}

static void test_small_base_stops_doubling_at_32(void **state) {
  (void)state;
  /* The shift stops at 2^5: with a small base and a high ceiling the delay
   * settles at 32 times the base, as both copies of the formula did. */
  mash_retry_t p = {50, 1000000, 0};
  assert_int_equal(mash_retry_delay_ms(&p, 6), 1600);
  assert_int_equal(mash_retry_delay_ms(&p, 7), 1600);
  assert_int_equal(mash_retry_delay_ms(&p, 100), 1600);
}

static void test_ceiling_below_base(void **state) {
  (void)state;
  mash_retry_t p = {5000, 2000, 0};
  assert_int_equal(mash_retry_delay_ms(&p, 1), 2000);
  assert_int_equal(mash_retry_delay_ms(&p, 4), 2000);
}

static void test_next_at(void **state) {
  (void)state;
  mash_retry_t p = {100, 250, 0};
  assert_int_equal(mash_retry_next_at(&p, 1, 1000000), 1000100);
  assert_int_equal(mash_retry_next_at(&p, 2, 1000000), 1000200);
  assert_int_equal(mash_retry_next_at(&p, 3, 1000000), 1000250);
}

static void test_policy_defaults(void **state) {
  (void)state;
  mash_retry_t p = mash_retry_policy(0, 1000, -5, 30000, 10);
  assert_int_equal(p.base_ms, 1000);
  assert_int_equal(p.max_ms, 30000);
  assert_int_equal(p.warn_after, 10);
  p = mash_retry_policy(20, 1000, 80, 30000, 0);
  assert_int_equal(p.base_ms, 20);
  assert_int_equal(p.max_ms, 80);
}

static void test_warn_once(void **state) {
  (void)state;
  mash_retry_t p = {1000, 30000, 10};
  unsigned warnings = 0, at = 0;
  for (unsigned a = 1; a <= 50; a++) {
    if (mash_retry_warn_now(&p, a)) {
      warnings++;
      at = a;
    }
  }
  assert_int_equal(warnings, 1);
  assert_int_equal(at, 10);
  p.warn_after = 0;
  for (unsigned a = 0; a <= 50; a++) {
    assert_false(mash_retry_warn_now(&p, a));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_delay_doubles_to_ceiling),
      cmocka_unit_test(test_small_base_stops_doubling_at_32),
      cmocka_unit_test(test_ceiling_below_base),
      cmocka_unit_test(test_next_at),
      cmocka_unit_test(test_policy_defaults),
      cmocka_unit_test(test_warn_once),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
