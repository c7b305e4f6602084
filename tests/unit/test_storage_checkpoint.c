/* test_storage_checkpoint: the storage thread's checkpoints of the SQLite
 * store's write-ahead log, through storage.h and store.h, with a real loop
 * and a real database file: commits never checkpoint (the log grows until
 * the store is asked), the thread checkpoints between batches once the log
 * passes its bound (so the -wal file stays bounded under a load that never
 * pauses), and when it has been idle a moment. Must not: wait for the
 * thread by sleeping (each wait polls a condition, with a bound). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>

#include "seal.h"
#include "storage.h"
#include "store.h"
#include "test_dir.h"

#define UNIT_TESTING 1
#include <cmocka.h>

typedef struct fixture {
  char dir[64];
  char key[128];
  char db[128];
  char wal[160];
  mash_seal_t *seal;
  uv_loop_t loop;
} fixture_t;

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-ckpt-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  snprintf(f->key, sizeof f->key, "%s/data.key", f->dir);
  snprintf(f->db, sizeof f->db, "%s/mash.db", f->dir);
  snprintf(f->wal, sizeof f->wal, "%s-wal", f->db);
  char err[256];
  f->seal = mash_seal_new(f->key, 1, err, sizeof err);
  assert_non_null(f->seal);
  assert_int_equal(uv_loop_init(&f->loop), 0);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  assert_int_equal(uv_loop_close(&f->loop), 0);
  mash_seal_destroy(&f->seal);
  /* Whatever the store made there (the id mark's hidden copy too). */
  assert_int_equal(test_dir_remove(f->dir), 0);
  free(f);
  return 0;
}

static mash_store_t *open_sqlite(fixture_t *f) {
  char err[256] = "";
  mash_store_t *s = mash_store_sqlite_new(f->db, f->seal, err, sizeof err);
  if (!s)
    print_error("open failed: %s\n", err);
  assert_non_null(s);
  return s;
}

static off_t wal_size(const fixture_t *f) {
  struct stat st;
  return stat(f->wal, &st) == 0 ? st.st_size : 0;
}

/* The size of a log of `pages` 4 KiB pages: a 32-byte header, and a 24-byte
 * header per frame. */
static off_t wal_bytes(unsigned pages) {
  return 32 + (off_t)pages * (4096 + 24);
}

typedef struct run {
  mash_storage_t *st;
  mash_storage_op_t *ops;
  char (*mids)[32];
  int n, done, ok;
  off_t max_wal; /* the largest -wal file seen between completions */
  const fixture_t *f;
} run_t;

static void done_cb(mash_storage_op_t *op) {
  run_t *r = op->data;
  r->done++;
  r->ok += op->rc == 0;
  off_t w = wal_size(r->f);
  if (w > r->max_wal)
    r->max_wal = w;
}

static void submit(run_t *r, int from, int to) {
  for (int i = from; i < to; i++) {
    mash_storage_op_t *op = &r->ops[i];
    snprintf(r->mids[i], sizeof r->mids[i], "msg-%d", i);
    op->kind = MASH_OP_INTAKE;
    op->u.intake.principal = "police";
    op->u.intake.message_id = r->mids[i];
    op->u.intake.received_at_ms = 1700000000000 + i;
    /* Some bulk per contact, so that the log grows by pages. */
    static uint8_t body[1500];
    memset(body, 'x', sizeof body);
    op->u.intake.contact = body;
    op->u.intake.contact_len = sizeof body;
    op->done_cb = done_cb;
    op->data = r;
    mash_storage_submit(r->st, op);
  }
}

static void run_until(run_t *r, uv_loop_t *loop, int done) {
  while (r->done < done)
    uv_run(loop, UV_RUN_ONCE);
}

/* Poll the thread's counters for a checkpoint, for at most 10 s. */
static int wait_checkpoints(mash_storage_t *st, uint64_t at_least, mash_storage_stats_t *s) {
  uint64_t until = uv_hrtime() + 10ull * 1000000000ull;
  for (;;) {
    mash_storage_get_stats(st, s);
    if (s->checkpoints >= at_least || uv_hrtime() > until)
      return s->checkpoints >= at_least;
    uv_sleep(1);
  }
}

static void closed_cb(void *arg) {
  *(int *)arg = 1;
}

static void run_close(run_t *r, uv_loop_t *loop) {
  int closed = 0;
  mash_storage_close(r->st, closed_cb, &closed);
  assert_int_equal(uv_run(loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(closed, 1);
}

static void run_init(run_t *r, const fixture_t *f, int n) {
  memset(r, 0, sizeof *r);
  r->f = f;
  r->n = n;
  r->ops = calloc((size_t)n, sizeof *r->ops);
  r->mids = calloc((size_t)n, sizeof *r->mids);
  assert_non_null(r->ops);
  assert_non_null(r->mids);
}

static void run_free(run_t *r) {
  free(r->ops);
  free(r->mids);
}

/* A commit never checkpoints: without the storage thread the log holds
 * every commit; mash_store_checkpoint copies it back (returning its size)
 * and the next commit starts the log again from its beginning. */
static void test_commit_does_not_checkpoint(void **state) {
  fixture_t *f = *state;
  mash_store_t *s = open_sqlite(f);
  /* Opening wrote the schema: checkpointed once, then nothing is left. */
  assert_true(mash_store_checkpoint(s, 1) >= 0);
  assert_int_equal(mash_store_checkpoint(s, 1), 0);
  static uint8_t body[1500];
  memset(body, 'y', sizeof body);
  enum { N = 600 };
  for (int i = 0; i < N; i++) {
    char mid[32];
    snprintf(mid, sizeof mid, "m-%d", i);
    mash_intake_t in = {.principal = "police",
                        .message_id = mid,
                        .received_at_ms = 1700000000000 + i,
                        .contact = body,
                        .contact_len = sizeof body};
    assert_int_equal(mash_store_begin(s), 0);
    assert_int_equal(mash_store_intake(s, &in), 0);
    assert_int_equal(mash_store_commit(s), 0);
  }
  /* SQLite's auto-checkpoint would have reset the log at 1,000 pages. */
  off_t grown = wal_size(f);
  assert_true(grown > wal_bytes(1000));
  int pages = mash_store_checkpoint(s, 100000);
  assert_int_equal(pages, 0); /* below the asked minimum: nothing done */
  pages = mash_store_checkpoint(s, 1);
  assert_true(pages > 1000);
  assert_int_equal(mash_store_checkpoint(s, 1), 0); /* nothing left */
  /* The log is rewound, not grown, by the next commits. */
  for (int i = 0; i < 10; i++) {
    char mid[32];
    snprintf(mid, sizeof mid, "again-%d", i);
    mash_intake_t in = {.principal = "police",
                        .message_id = mid,
                        .received_at_ms = 1700000000000 + i,
                        .contact = body,
                        .contact_len = sizeof body};
    assert_int_equal(mash_store_begin(s), 0);
    assert_int_equal(mash_store_intake(s, &in), 0);
    assert_int_equal(mash_store_commit(s), 0);
  }
  assert_int_equal(wal_size(f), grown);
  int64_t n = 0;
  assert_int_equal(mash_store_count_contacts(s, &n), 0);
  assert_int_equal(n, N + 10);
  pages = mash_store_checkpoint(s, 1);
  assert_true(pages > 0 && pages < 200);
  mash_store_destroy(&s);
}

/* Under a load that never leaves the thread idle, the log is checkpointed
 * between batches once it passes the bound: the -wal file never grows much
 * past it (without the checkpoints it would hold every commit). */
static void test_wal_bounded_under_load(void **state) {
  fixture_t *f = *state;
  mash_store_t *store = open_sqlite(f);
  enum { N = 1200, BOUND = 64 };
  run_t r;
  run_init(&r, f, N);
  r.st = mash_storage_new(&f->loop, &store, 8, NULL, NULL);
  assert_non_null(r.st);
  /* Idle checkpoints only after a minute: none in this test. */
  mash_storage_set_checkpoints(r.st, 60000, BOUND);
  submit(&r, 0, N);
  run_until(&r, &f->loop, N);
  assert_int_equal(r.ok, N);
  mash_storage_stats_t s;
  mash_storage_get_stats(r.st, &s);
  assert_true(s.checkpoints >= 5);
  assert_int_equal(s.failed_checkpoints, 0);
  assert_true(s.checkpoint_pages >= s.checkpoints * BOUND);
  /* A batch of 8 contacts is far fewer than 64 pages. */
  assert_true(r.max_wal <= wal_bytes(2 * BOUND));
  assert_true(wal_size(f) <= wal_bytes(2 * BOUND));
  run_close(&r, &f->loop);
  run_free(&r);
  /* Everything committed is there after the restart. */
  store = open_sqlite(f);
  int64_t n = 0;
  assert_int_equal(mash_store_count_contacts(store, &n), 0);
  assert_int_equal(n, N);
  mash_store_destroy(&store);
}

/* A few commits then a pause: the thread checkpoints them while idle, and
 * not again until more is committed. */
static void test_checkpoint_when_idle(void **state) {
  fixture_t *f = *state;
  mash_store_t *store = open_sqlite(f);
  run_t r;
  run_init(&r, f, 20);
  r.st = mash_storage_new(&f->loop, &store, 0, NULL, NULL);
  assert_non_null(r.st);
  mash_storage_set_checkpoints(r.st, 5, 100000);
  submit(&r, 0, 10);
  run_until(&r, &f->loop, 10);
  mash_storage_stats_t s;
  assert_true(wait_checkpoints(r.st, 1, &s));
  assert_int_equal(s.checkpoints, 1);
  assert_true(s.checkpoint_pages > 0);
  submit(&r, 10, 20);
  run_until(&r, &f->loop, 20);
  assert_true(wait_checkpoints(r.st, 2, &s));
  assert_int_equal(r.ok, 20);
  run_close(&r, &f->loop);
  run_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_commit_does_not_checkpoint, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wal_bounded_under_load, setup, teardown),
      cmocka_unit_test_setup_teardown(test_checkpoint_when_idle, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
