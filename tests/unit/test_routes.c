/* test_routes: the route table (broker/net/routes.h): a route per
 * connection, the latest one wins, "@hub" is the hub desk heard from last,
 * a routing id reused by another principal is a new route, a dropped route
 * falls back to the other connection, bad routing ids are refused, and a
 * full table forgets the route heard from longest ago. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define UNIT_TESTING 1
#include <cmocka.h>

#include "routes.h"

static int s_seen(mash_routes_t *rt, const char *principal, const char *role, const char *rid) {
  return mash_routes_seen(rt, principal, role, (const uint8_t *)rid, strlen(rid));
}

static int s_routes_to(const mash_routes_t *rt, const char *target, const char *rid) {
  const mash_route_t *r = mash_routes_find(rt, target);
  return r && r->rid_len == strlen(rid) && memcmp(r->rid, rid, r->rid_len) == 0;
}

static void test_latest_connection_wins(void **state) {
  (void)state;
  mash_routes_t *rt = mash_routes_new();
  assert_non_null(rt);
  assert_null(mash_routes_find(rt, "police"));
  assert_int_equal(s_seen(rt, "police", "agency", "A"), 1);
  assert_int_equal(s_seen(rt, "police", "agency", "A"), 0); /* known */
  assert_int_equal(s_seen(rt, "police", "agency", "B"), 1); /* a one-shot submit */
  assert_true(s_routes_to(rt, "police", "B"));
  assert_int_equal(s_seen(rt, "police", "agency", "A"), 0);
  assert_true(s_routes_to(rt, "police", "A"));
  /* The one heard from last goes away: the other remains. */
  mash_routes_drop(rt, mash_routes_find(rt, "police"));
  assert_true(s_routes_to(rt, "police", "B"));
  assert_int_equal(mash_routes_count(rt), 1);
  mash_routes_destroy(&rt);
  assert_null(rt);
  mash_routes_destroy(&rt);
}

static void test_hub_target(void **state) {
  (void)state;
  mash_routes_t *rt = mash_routes_new();
  assert_int_equal(s_seen(rt, "police", "agency", "P"), 1);
  assert_null(mash_routes_find(rt, "@hub"));
  assert_int_equal(s_seen(rt, "hub", "hub", "H1"), 1);
  assert_int_equal(s_seen(rt, "hub-north", "hub", "H2"), 1);
  assert_true(s_routes_to(rt, "@hub", "H2"));
  assert_int_equal(s_seen(rt, "hub", "hub", "H1"), 0);
  assert_true(s_routes_to(rt, "@hub", "H1"));
  assert_true(s_routes_to(rt, "hub-north", "H2"));
  mash_routes_destroy(&rt);
}

static void test_rid_reused_by_another(void **state) {
  (void)state;
  mash_routes_t *rt = mash_routes_new();
  assert_int_equal(s_seen(rt, "police", "agency", "X"), 1);
  assert_int_equal(s_seen(rt, "health", "agency", "X"), 1);
  assert_true(s_routes_to(rt, "health", "X"));
  assert_int_equal(mash_routes_count(rt), 2);
  mash_routes_destroy(&rt);
}

static void test_bad_rid(void **state) {
  (void)state;
  mash_routes_t *rt = mash_routes_new();
  uint8_t big[MASH_ROUTE_MAX_RID + 1];
  memset(big, 7, sizeof big);
  assert_int_equal(mash_routes_seen(rt, "police", "agency", big, 0), -EINVAL);
  assert_int_equal(mash_routes_seen(rt, "police", "agency", big, sizeof big), -EINVAL);
  assert_int_equal(mash_routes_seen(rt, "police", "agency", big, MASH_ROUTE_MAX_RID), 1);
  assert_int_equal(mash_routes_count(rt), 1);
  mash_routes_destroy(&rt);
}

static void test_full_table_forgets_oldest(void **state) {
  (void)state;
  mash_routes_t *rt = mash_routes_new();
  char rid[16], who[16];
  for (int i = 0; i < MASH_ROUTES_MAX; i++) {
    snprintf(rid, sizeof rid, "r%d", i);
    snprintf(who, sizeof who, "p%d", i);
    assert_int_equal(s_seen(rt, who, "agency", rid), 1);
  }
  assert_int_equal(s_seen(rt, "p0", "agency", "r0"), 0); /* p1 is now the oldest */
  assert_int_equal(s_seen(rt, "late", "agency", "late"), 1);
  assert_int_equal(mash_routes_count(rt), MASH_ROUTES_MAX);
  assert_null(mash_routes_find(rt, "p1"));
  assert_true(s_routes_to(rt, "p0", "r0"));
  assert_true(s_routes_to(rt, "late", "late"));
  assert_true(s_routes_to(rt, "p2", "r2"));
  mash_routes_destroy(&rt);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_latest_connection_wins),    cmocka_unit_test(test_hub_target),
      cmocka_unit_test(test_rid_reused_by_another),     cmocka_unit_test(test_bad_rid),
      cmocka_unit_test(test_full_table_forgets_oldest),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
