/* test_sumcache: the comparison summaries a store holds in memory
 * (store_sumcache.c): held and found again byte for byte; a summary too
 * long for a slot not held; growth to the bound, past which new ones are
 * refused and the held stay right; forgetting (deletion by shifting back)
 * keeps every other summary findable, checked against a plain array over
 * many random operations; what a transaction wrote is forgotten when it is
 * undone, not when it commits, and everything once it wrote more than it
 * remembers; clear; a NULL cache holds nothing. Must not: touch a
 * database (the store's use of it is test_person_summary's). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_sumcache.h"

#define UNIT_TESTING 1
#include <cmocka.h>

/* Summary bytes of id (len of them), distinct per id and generation. */
static size_t s_make(int64_t id, unsigned gen, uint8_t *out) {
  size_t len = 40 + (size_t)(id * 7 + gen) % 50;
  for (size_t i = 0; i < len; i++) {
    out[i] = (uint8_t)(id * 31 + (int64_t)i * 17 + gen * 101);
  }
  return len;
}

static void s_put(store_sumcache_t *c, int64_t id, unsigned gen) {
  uint8_t buf[STORE_SUMCACHE_DATA_MAX];
  size_t len = s_make(id, gen, buf);
  store_sumcache_put(c, id, (int)(id % 2), buf, len);
}

/* Whether id is held with generation gen's bytes. */
static bool s_holds(store_sumcache_t *c, int64_t id, unsigned gen) {
  int is_child = -1;
  const uint8_t *data = NULL;
  size_t len = 0;
  if (!store_sumcache_get(c, id, &is_child, &data, &len)) {
    return false;
  }
  uint8_t want[STORE_SUMCACHE_DATA_MAX];
  size_t want_len = s_make(id, gen, want);
  assert_int_equal(len, want_len);
  assert_memory_equal(data, want, len);
  assert_int_equal(is_child, (int)(id % 2));
  return true;
}

static void test_held_and_found(void **state) {
  (void)state;
  store_sumcache_t *c = store_sumcache_new((size_t)1 << 20);
  assert_non_null(c);
  s_put(c, 5, 0);
  s_put(c, 6, 0);
  assert_true(s_holds(c, 5, 0));
  assert_true(s_holds(c, 6, 0));
  assert_false(s_holds(c, 7, 0));
  s_put(c, 5, 1); /* replaced, not added */
  assert_true(s_holds(c, 5, 1));
  store_sumcache_put(c, 0, 0, (const uint8_t *)"x", 1); /* no one's row number */
  mash_store_person_cache_t st;
  store_sumcache_stats(c, &st);
  assert_int_equal(st.entries, 2);
  assert_int_equal(st.hits, 3);
  assert_int_equal(st.misses, 1);
  /* Too long for a slot: not held, and an older one is forgotten. */
  uint8_t big[STORE_SUMCACHE_DATA_MAX + 1];
  memset(big, 7, sizeof big);
  store_sumcache_put(c, 6, 0, big, sizeof big);
  assert_false(s_holds(c, 6, 0));
  store_sumcache_put(c, 8, 0, big, STORE_SUMCACHE_DATA_MAX);
  int is_child = 0;
  const uint8_t *data = NULL;
  size_t len = 0;
  assert_true(store_sumcache_get(c, 8, &is_child, &data, &len));
  assert_int_equal(len, STORE_SUMCACHE_DATA_MAX);
  store_sumcache_destroy(&c);
  assert_null(c);
  /* Below one table's minimum, or 0: none. */
  assert_null(store_sumcache_new(0));
  assert_null(store_sumcache_new(1000));
}

/* It grows as it fills, up to the bound; past it new summaries are
 * refused, and what it holds is still right. */
static void test_grows_to_the_bound(void **state) {
  (void)state;
  store_sumcache_t *c = store_sumcache_new((size_t)64 << 20);
  assert_non_null(c);
  mash_store_person_cache_t st;
  store_sumcache_stats(c, &st);
  uint64_t first = st.bytes;
  for (int64_t id = 1; id <= 50000; id++) {
    s_put(c, id, 0);
  }
  store_sumcache_stats(c, &st);
  assert_int_equal(st.entries, 50000);
  assert_int_equal(st.refused, 0);
  assert_true(st.bytes > first);
  assert_true(st.bytes <= (uint64_t)64 << 20);
  for (int64_t id = 1; id <= 50000; id++) {
    assert_true(s_holds(c, id, 0));
  }
  store_sumcache_destroy(&c);

  c = store_sumcache_new((size_t)1 << 20); /* about 10,000 places */
  assert_non_null(c);
  for (int64_t id = 1; id <= 20000; id++) {
    s_put(c, id, 0);
  }
  store_sumcache_stats(c, &st);
  assert_true(st.refused > 0);
  assert_int_equal(st.entries + st.refused, 20000);
  assert_true(st.bytes <= (uint64_t)1 << 20);
  size_t held = 0;
  for (int64_t id = 1; id <= 20000; id++) {
    held += s_holds(c, id, 0);
  }
  assert_int_equal(held, st.entries);
  store_sumcache_destroy(&c);
}

/* Reserving room at once for a bulk fill: no growth during it. */
static void test_reserve(void **state) {
  (void)state;
  store_sumcache_t *c = store_sumcache_new((size_t)64 << 20);
  assert_non_null(c);
  assert_int_equal(store_sumcache_reserve(c, 30000), 0);
  mash_store_person_cache_t st;
  store_sumcache_stats(c, &st);
  uint64_t reserved = st.bytes;
  for (int64_t id = 1; id <= 30000; id++) {
    s_put(c, id * 3, 0);
  }
  store_sumcache_stats(c, &st);
  assert_int_equal(st.bytes, reserved);
  assert_int_equal(st.entries, 30000);
  assert_int_equal(store_sumcache_reserve(c, 10), 0); /* never shrinks */
  store_sumcache_stats(c, &st);
  assert_int_equal(st.bytes, reserved);
  store_sumcache_destroy(&c);
}

/* Random puts, forgets and look-ups against a plain array: deleting by
 * shifting back must never lose a summary behind the one forgotten. */
static void test_forgetting_keeps_the_rest(void **state) {
  (void)state;
  enum { IDS = 6000, OPS = 200000 };
  store_sumcache_t *c = store_sumcache_new((size_t)8 << 20);
  assert_non_null(c);
  static unsigned gen[IDS + 1]; /* 0: not held; else generation + 1 */
  memset(gen, 0, sizeof gen);
  uint64_t x = 88172645463325252ull;
  for (int op = 0; op < OPS; op++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    int64_t id = 1 + (int64_t)(x % IDS);
    unsigned what = (unsigned)(x >> 32) % 4;
    if (what < 2) {
      unsigned g = (unsigned)(x >> 40) % 200;
      s_put(c, id, g);
      gen[id] = g + 1;
    } else if (what == 2) {
      store_sumcache_written(c, id);
      store_sumcache_committed(c);
      gen[id] = 0;
    } else {
      assert_int_equal(s_holds(c, id, gen[id] ? gen[id] - 1 : 0), gen[id] != 0);
    }
  }
  size_t held = 0;
  for (int64_t id = 1; id <= IDS; id++) {
    assert_int_equal(s_holds(c, id, gen[id] ? gen[id] - 1 : 0), gen[id] != 0);
    held += gen[id] != 0;
  }
  mash_store_person_cache_t st;
  store_sumcache_stats(c, &st);
  assert_int_equal(st.entries, held);
  store_sumcache_destroy(&c);
}

/* What a transaction wrote (and was read back meanwhile) is forgotten when
 * it, or a savepoint in it, is undone; kept when it commits. */
static void test_undone_writes_forgotten(void **state) {
  (void)state;
  store_sumcache_t *c = store_sumcache_new((size_t)1 << 20);
  assert_non_null(c);
  s_put(c, 1, 0);
  s_put(c, 2, 0);
  /* The transaction writes 2 (forgotten at once), and a look-up reads the
   * new one back. */
  store_sumcache_written(c, 2);
  assert_false(s_holds(c, 2, 0));
  s_put(c, 2, 1);
  assert_true(s_holds(c, 2, 1));
  /* A savepoint undone: 2 forgotten, 1 (not written) kept. */
  store_sumcache_undone(c);
  assert_false(s_holds(c, 2, 1));
  assert_true(s_holds(c, 1, 0));
  /* Read back again, then the whole transaction rolled back: forgotten. */
  s_put(c, 2, 1);
  store_sumcache_rolled_back(c);
  assert_false(s_holds(c, 2, 1));
  /* A committed write stays: a later undo has nothing of it to forget. */
  store_sumcache_written(c, 3);
  s_put(c, 3, 2);
  store_sumcache_committed(c);
  store_sumcache_undone(c);
  assert_true(s_holds(c, 3, 2));
  assert_true(s_holds(c, 1, 0));
  store_sumcache_destroy(&c);
}

/* A transaction that wrote more than the cache remembers: an undo forgets
 * everything; so does clear. */
static void test_undo_past_memory_clears(void **state) {
  (void)state;
  store_sumcache_t *c = store_sumcache_new((size_t)4 << 20);
  assert_non_null(c);
  for (int64_t id = 1; id <= 100; id++) {
    s_put(c, id, 0);
  }
  for (int64_t id = 1000; id < 4000; id++) {
    store_sumcache_written(c, id);
  }
  store_sumcache_undone(c);
  mash_store_person_cache_t st;
  store_sumcache_stats(c, &st);
  assert_int_equal(st.entries, 0);
  assert_int_equal(st.clears, 1);
  assert_false(s_holds(c, 1, 0));
  s_put(c, 1, 0);
  assert_true(s_holds(c, 1, 0));
  store_sumcache_clear(c);
  assert_false(s_holds(c, 1, 0));
  s_put(c, 1, 3); /* usable after a clear */
  assert_true(s_holds(c, 1, 3));
  store_sumcache_destroy(&c);
}

/* No cache (summary_cache_mb = 0): every call is safe and holds nothing. */
static void test_null_cache(void **state) {
  (void)state;
  store_sumcache_t *c = NULL;
  s_put(c, 1, 0);
  assert_false(s_holds(c, 1, 0));
  store_sumcache_written(c, 1);
  store_sumcache_committed(c);
  store_sumcache_undone(c);
  store_sumcache_rolled_back(c);
  store_sumcache_clear(c);
  assert_int_equal(store_sumcache_reserve(c, 10), 0);
  mash_store_person_cache_t st;
  memset(&st, 0xff, sizeof st);
  store_sumcache_stats(c, &st);
  assert_int_equal(st.entries, 0);
  assert_int_equal(st.bytes, 0);
  store_sumcache_destroy(&c);
  store_sumcache_destroy(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_held_and_found),
      cmocka_unit_test(test_grows_to_the_bound),
      cmocka_unit_test(test_reserve),
      cmocka_unit_test(test_forgetting_keeps_the_rest),
      cmocka_unit_test(test_undone_writes_forgotten),
      cmocka_unit_test(test_undo_past_memory_clears),
      cmocka_unit_test(test_null_cache),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
