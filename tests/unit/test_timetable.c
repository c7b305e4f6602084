/* test_timetable: the timetable (broker/policy/timetable.h) against a
 * brute-force model: a plain array searched linearly. Many random
 * operations with a fixed seed (set new, move, remove, take due, get,
 * next, count) must give the same answers as the model after every step;
 * take must return items earliest first (ties by id). Also ids that hash
 * badly (multiples of a large power of two), growth from empty to many and
 * back, the bulk load of start-up (then random operations on what it
 * built), and the error codes.
 * Must not: touch the network, the disk or the clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "timetable.h"

/* The arrays handed to mash_timetable_load are freed by the timetable with
 * the C library's free: allocate them with the C library's malloc, before
 * cmocka's checked allocator replaces it below. */
static mash_timetable_item_t *s_items_new(size_t n) {
  return malloc(n * sizeof(mash_timetable_item_t));
}

#define UNIT_TESTING 1
#include <cmocka.h>

/* ---------------------------------------------------------------- the model */

typedef struct model {
  uint64_t *id;
  int64_t *at;
  size_t n, cap;
} model_t;

static long m_find(const model_t *m, uint64_t id) {
  for (size_t i = 0; i < m->n; i++) {
    if (m->id[i] == id) {
      return (long)i;
    }
  }
  return -1;
}

static void m_set(model_t *m, uint64_t id, int64_t at) {
  long i = m_find(m, id);
  if (i >= 0) {
    m->at[i] = at;
    return;
  }
  if (m->n == m->cap) {
    m->cap = m->cap ? m->cap * 2 : 64;
    m->id = realloc(m->id, m->cap * sizeof *m->id);
    m->at = realloc(m->at, m->cap * sizeof *m->at);
    assert_non_null(m->id);
    assert_non_null(m->at);
  }
  m->id[m->n] = id;
  m->at[m->n] = at;
  m->n++;
}

static bool m_remove(model_t *m, uint64_t id) {
  long i = m_find(m, id);
  if (i < 0) {
    return false;
  }
  m->n--;
  m->id[i] = m->id[m->n];
  m->at[i] = m->at[m->n];
  return true;
}

/* The model's earliest item (ties by id): index, or -1 when empty. */
static long m_min(const model_t *m) {
  long best = -1;
  for (size_t i = 0; i < m->n; i++) {
    if (best < 0 || m->at[i] < m->at[best] || (m->at[i] == m->at[best] && m->id[i] < m->id[best])) {
      best = (long)i;
    }
  }
  return best;
}

static void m_free(model_t *m) {
  free(m->id);
  free(m->at);
  memset(m, 0, sizeof *m);
}

/* A small reproducible generator (xorshift64*), so a failure replays. */
static uint64_t s_rng = 0x9e3779b97f4a7c15ULL;

static uint64_t s_rand(void) {
  s_rng ^= s_rng >> 12;
  s_rng ^= s_rng << 25;
  s_rng ^= s_rng >> 27;
  return s_rng * 2685821657736338717ULL;
}

/* ---------------------------------------------------------------- tests */

static void s_check_same(const mash_timetable_t *t, const model_t *m) {
  assert_int_equal(mash_timetable_count(t), m->n);
  long i = m_min(m);
  assert_int_equal(mash_timetable_next(t), i < 0 ? MASH_TIMETABLE_NEVER : m->at[i]);
}

/* Random operations over ids drawn from `id_space` values scaled by
 * `id_stride` (a stride of 2^32 makes every id collide in the low bits). */
static void s_random_ops(mash_timetable_t *t, model_t *mp, size_t ops, uint64_t id_space,
                         uint64_t id_stride);

static void s_random_run(uint64_t seed, size_t ops, uint64_t id_space, uint64_t id_stride) {
  s_rng = seed;
  mash_timetable_t *t = mash_timetable_new();
  assert_non_null(t);
  model_t m = {0};
  s_random_ops(t, &m, ops, id_space, id_stride);
  m_free(&m);
  mash_timetable_destroy(&t);
  assert_null(t);
}

/* Random operations on t, checked against the model m after each, then
 * everything drained earliest first. */
static void s_random_ops(mash_timetable_t *t, model_t *mp, size_t ops, uint64_t id_space,
                         uint64_t id_stride) {
  model_t m = *mp;
  int64_t now = 0;
  mash_timetable_item_t got[64];
  for (size_t op = 0; op < ops; op++) {
    uint64_t r = s_rand() % 100;
    uint64_t id = (s_rand() % id_space) * id_stride + 1;
    if (r < 45) {
      /* Add or move, near now, sometimes in the past or never. */
      int64_t at = now + (int64_t)(s_rand() % 10000) - 1000;
      if (s_rand() % 50 == 0) {
        at = MASH_TIMETABLE_NEVER;
      }
      assert_int_equal(mash_timetable_set(t, id, at), 0);
      m_set(&m, id, at);
    } else if (r < 70) {
      bool had = m_remove(&m, id);
      assert_int_equal(mash_timetable_remove(t, id), had ? 0 : MASH_TIMETABLE_ENOENT);
    } else if (r < 85) {
      int64_t at = 0;
      long i = m_find(&m, id);
      int rc = mash_timetable_get(t, id, &at);
      if (i < 0) {
        assert_int_equal(rc, MASH_TIMETABLE_ENOENT);
      } else {
        assert_int_equal(rc, 0);
        assert_int_equal(at, m.at[i]);
      }
    } else {
      /* Time passes; take a bounded slice of what is due. */
      now += (int64_t)(s_rand() % 2000);
      size_t max = 1 + s_rand() % 64;
      size_t k = mash_timetable_take(t, now, got, max);
      size_t want = 0;
      for (; want < max; want++) {
        long i = m_min(&m);
        if (i < 0 || m.at[i] > now) {
          break;
        }
        assert_true(want < k);
        assert_true(got[want].id == m.id[i]);
        assert_int_equal(got[want].at_ms, m.at[i]);
        m_remove(&m, m.id[i]);
      }
      assert_int_equal(k, want);
    }
    s_check_same(t, &m);
  }
  /* Drain everything: earliest first, then empty. */
  while (m.n > 0) {
    long i = m_min(&m);
    size_t k = mash_timetable_take(t, MASH_TIMETABLE_NEVER, got, 1);
    assert_int_equal(k, 1);
    assert_true(got[0].id == m.id[i]);
    m_remove(&m, m.id[i]);
  }
  assert_int_equal(mash_timetable_count(t), 0);
  assert_int_equal(mash_timetable_next(t), MASH_TIMETABLE_NEVER);
  *mp = m;
}

static void test_random_small_ids(void **state) {
  (void)state;
  s_random_run(1, 20000, 50, 1);
}

static void test_random_many_ids(void **state) {
  (void)state;
  s_random_run(2, 40000, 5000, 1);
}

static void test_random_colliding_ids(void **state) {
  (void)state;
  s_random_run(3, 20000, 500, (uint64_t)1 << 32);
}

static void test_random_high_ids(void **state) {
  (void)state;
  s_random_run(4, 20000, 2000, (uint64_t)1 << 52);
}

/* A bulk load (start-up) of n items with distinct ids drawn from
 * id_space * id_stride and instants with many ties, checked against the
 * model item by item, then random operations on the loaded timetable. */
static void s_load_run(uint64_t seed, size_t n, uint64_t id_space, uint64_t id_stride, size_t ops) {
  s_rng = seed;
  mash_timetable_t *t = mash_timetable_new();
  assert_non_null(t);
  model_t m = {0};
  size_t cap = n + (size_t)(s_rand() % 7);
  mash_timetable_item_t *items = s_items_new(cap);
  assert_non_null(items);
  size_t k = 0;
  while (k < n) {
    uint64_t id = (s_rand() % id_space) * id_stride + 1;
    if (m_find(&m, id) >= 0) {
      continue;
    }
    int64_t at = (int64_t)(s_rand() % 5000) - 1000;
    if (s_rand() % 50 == 0) {
      at = MASH_TIMETABLE_NEVER;
    }
    items[k].id = id;
    items[k].at_ms = at;
    m_set(&m, id, at);
    k++;
  }
  assert_int_equal(mash_timetable_load(t, &items, n, cap), 0);
  assert_null(items);
  s_check_same(t, &m);
  for (size_t i = 0; i < m.n; i++) {
    int64_t at = 0;
    assert_int_equal(mash_timetable_get(t, m.id[i], &at), 0);
    assert_int_equal(at, m.at[i]);
  }
  assert_true(mash_timetable_memory(t) <= sizeof(void *) * 8 + cap * 16 + 4 * (n + 32) * 16);
  s_random_ops(t, &m, ops, id_space, id_stride);
  m_free(&m);
  mash_timetable_destroy(&t);
}

static void test_load_then_random(void **state) {
  (void)state;
  s_load_run(5, 3000, 100000, 1, 20000);
  s_load_run(6, 1, 10, 1, 100);
  s_load_run(7, 2000, 4000, (uint64_t)1 << 32, 10000);
}

/* The bulk load's refusals: two items with one id, a timetable not empty;
 * the array is taken in every case and the timetable left as it was. */
static void test_load_refusals(void **state) {
  (void)state;
  mash_timetable_t *t = mash_timetable_new();
  assert_non_null(t);
  mash_timetable_item_t *items = s_items_new(4);
  assert_non_null(items);
  items[0] = (mash_timetable_item_t){.id = 1, .at_ms = 10};
  items[1] = (mash_timetable_item_t){.id = 2, .at_ms = 5};
  items[2] = (mash_timetable_item_t){.id = 1, .at_ms = 7};
  assert_int_equal(mash_timetable_load(t, &items, 3, 4), MASH_TIMETABLE_EEXIST);
  assert_null(items);
  assert_int_equal(mash_timetable_count(t), 0);
  assert_int_equal(mash_timetable_next(t), MASH_TIMETABLE_NEVER);
  /* Empty loads leave it as it is. */
  items = s_items_new(1);
  assert_non_null(items);
  assert_int_equal(mash_timetable_load(t, &items, 0, 1), 0);
  assert_null(items);
  assert_int_equal(mash_timetable_set(t, 9, 3), 0);
  items = s_items_new(1);
  assert_non_null(items);
  items[0] = (mash_timetable_item_t){.id = 4, .at_ms = 1};
  assert_int_equal(mash_timetable_load(t, &items, 1, 1), MASH_TIMETABLE_EINVAL);
  assert_null(items);
  assert_int_equal(mash_timetable_count(t), 1);
  assert_int_equal(mash_timetable_next(t), 3);
  /* After a load, the timetable grows past the adopted array as usual. */
  mash_timetable_destroy(&t);
  t = mash_timetable_new();
  assert_non_null(t);
  items = s_items_new(2);
  assert_non_null(items);
  items[0] = (mash_timetable_item_t){.id = 3, .at_ms = 30};
  items[1] = (mash_timetable_item_t){.id = 4, .at_ms = 20};
  assert_int_equal(mash_timetable_load(t, &items, 2, 2), 0);
  for (uint64_t id = 10; id < 200; id++) {
    assert_int_equal(mash_timetable_set(t, id, (int64_t)id), 0);
  }
  mash_timetable_item_t got[4];
  assert_int_equal(mash_timetable_take(t, 25, got, 4), 4);
  assert_true(got[0].id == 10 && got[3].id == 13);
  assert_int_equal(mash_timetable_take(t, 25, got, 4), 4);
  assert_true(got[0].id == 14 && got[3].id == 17);
  assert_int_equal(mash_timetable_take(t, 25, got, 4), 4);
  assert_true(got[0].id == 18 && got[1].id == 19 && got[2].id == 4 && got[3].id == 20);
  mash_timetable_destroy(&t);
}

/* Grow to many, then remove every other and take the rest in order. */
static void test_grow_and_shrink(void **state) {
  (void)state;
  mash_timetable_t *t = mash_timetable_new();
  assert_non_null(t);
  const uint64_t n = 100000;
  for (uint64_t i = 0; i < n; i++) {
    /* Instants in reverse id order: the heap must reorder everything. */
    assert_int_equal(mash_timetable_set(t, i, (int64_t)(n - i)), 0);
  }
  assert_int_equal(mash_timetable_count(t), n);
  assert_int_equal(mash_timetable_next(t), 1);
  assert_true(mash_timetable_memory(t) < n * 100);
  for (uint64_t i = 0; i < n; i += 2) {
    assert_int_equal(mash_timetable_remove(t, i), 0);
  }
  assert_int_equal(mash_timetable_remove(t, 0), MASH_TIMETABLE_ENOENT);
  mash_timetable_item_t got[128];
  int64_t last = 0;
  size_t total = 0;
  for (;;) {
    size_t k = mash_timetable_take(t, (int64_t)n, got, 128);
    if (k == 0) {
      break;
    }
    for (size_t i = 0; i < k; i++) {
      assert_true(got[i].at_ms > last);
      assert_int_equal(got[i].id % 2, 1);
      assert_int_equal((int64_t)(n - got[i].id), got[i].at_ms);
      last = got[i].at_ms;
    }
    total += k;
  }
  assert_int_equal(total, n / 2);
  assert_int_equal(mash_timetable_count(t), 0);
  mash_timetable_destroy(&t);
}

/* Nothing is taken before its instant; a moved item follows its instant. */
static void test_take_respects_now(void **state) {
  (void)state;
  mash_timetable_t *t = mash_timetable_new();
  assert_non_null(t);
  assert_int_equal(mash_timetable_set(t, 7, 100), 0);
  assert_int_equal(mash_timetable_set(t, 8, 200), 0);
  mash_timetable_item_t got[4];
  assert_int_equal(mash_timetable_take(t, 99, got, 4), 0);
  assert_int_equal(mash_timetable_set(t, 8, 50), 0); /* moved earlier */
  assert_int_equal(mash_timetable_next(t), 50);
  assert_int_equal(mash_timetable_take(t, 100, got, 4), 2);
  assert_true(got[0].id == 8 && got[1].id == 7);
  assert_int_equal(mash_timetable_take(t, 1000, got, 4), 0);
  int64_t at = 0;
  assert_int_equal(mash_timetable_get(t, 7, &at), MASH_TIMETABLE_ENOENT);
  mash_timetable_destroy(&t);
  mash_timetable_destroy(&t); /* NULL is accepted */
  mash_timetable_destroy(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_random_small_ids),     cmocka_unit_test(test_random_many_ids),
      cmocka_unit_test(test_random_colliding_ids), cmocka_unit_test(test_random_high_ids),
      cmocka_unit_test(test_grow_and_shrink),      cmocka_unit_test(test_take_respects_now),
      cmocka_unit_test(test_load_then_random),     cmocka_unit_test(test_load_refusals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
