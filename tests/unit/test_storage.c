/* test_storage: the storage thread through storage.h, with a real loop:
 * group commit over the SQLite store, completions on the loop thread,
 * failing fake stores (every commit, or from the nth), the SQLite store with
 * one operation or its commit made to fail (checked on disk afterwards),
 * run_sync, and close draining the queue. Must not: call cmocka asserts on the storage thread
 * (fakes record what they saw; the loop thread checks it). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "test_dir.h"
#include "seal.h"
#include "storage.h"
#include "store.h"
#include "store_sqlite_int.h" /* store_sqlite_db: SQLite ending a transaction */
#include "store_vt.h"         /* the fake stores fill in the vtable */

#define UNIT_TESTING 1
#include <cmocka.h>

static uv_thread_t loop_thread;

static int on_loop_thread(void) {
  uv_thread_t self = uv_thread_self();
  return uv_thread_equal(&self, &loop_thread);
}

/* ---- fixture: a key and a database in a temporary directory ---- */

typedef struct fixture {
  char dir[64];
  char key[128];
  char db[128];
  mash_seal_t *seal;
  uv_loop_t loop;
} fixture_t;

static void path_in(const fixture_t *f, const char *name, char *out, size_t len) {
  int n = snprintf(out, len, "%s/%s", f->dir, name);
  assert_true(n > 0 && (size_t)n < len);
}

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-storage-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  path_in(f, "data.key", f->key, sizeof f->key);
  path_in(f, "mash.db", f->db, sizeof f->db);
  char err[256];
  f->seal = mash_seal_new(f->key, 1, err, sizeof err);
  assert_non_null(f->seal);
  assert_int_equal(uv_loop_init(&f->loop), 0);
  loop_thread = uv_thread_self();
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  /* Every test that runs a loop ends with it closable: no handle leaked. */
  assert_int_equal(uv_loop_close(&f->loop), 0);
  mash_seal_destroy(&f->seal);
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

/* ---- a wrapper store: holds the first begin until the test opens a gate,
 * and measures the batches it sees ---- */

typedef struct gated {
  mash_store_t base;
  mash_store_t *inner;
  uv_sem_t *gate;
  int in_batch;  /* ops since begin (storage thread) */
  int max_batch; /* largest batch committed */
  int begins;
} gated_t;

static int gated_begin(mash_store_t *s) {
  gated_t *g = (gated_t *)s;
  if (g->gate) {
    uv_sem_wait(g->gate);
    g->gate = NULL;
  }
  g->begins++;
  g->in_batch = 0;
  return mash_store_begin(g->inner);
}

static int gated_commit(mash_store_t *s) {
  gated_t *g = (gated_t *)s;
  if (g->in_batch > g->max_batch)
    g->max_batch = g->in_batch;
  return mash_store_commit(g->inner);
}

static int gated_rollback(mash_store_t *s) {
  return mash_store_rollback(((gated_t *)s)->inner);
}

static int gated_intake(mash_store_t *s, mash_intake_t *in) {
  gated_t *g = (gated_t *)s;
  g->in_batch++;
  return mash_store_intake(g->inner, in);
}

static int gated_mark(mash_store_t *s, const char *id, const char *principal, int64_t at) {
  gated_t *g = (gated_t *)s;
  g->in_batch++;
  return mash_store_mark_delivered(g->inner, id, principal, at);
}

static int gated_load(mash_store_t *s, mash_store_contact_cb cb, void *arg) {
  return mash_store_load_undelivered(((gated_t *)s)->inner, cb, arg);
}

static int gated_count(mash_store_t *s, int64_t *n) {
  return mash_store_count_contacts(((gated_t *)s)->inner, n);
}

static int gated_destroyed;
static int gated_max_batch;

static void gated_destroy(mash_store_t *s) {
  gated_t *g = (gated_t *)s;
  gated_max_batch = g->max_batch;
  mash_store_destroy(&g->inner);
  gated_destroyed++;
  free(g);
}

static const mash_store_vtable_t GATED_VT = {
    .begin = gated_begin,
    .commit = gated_commit,
    .rollback = gated_rollback,
    .intake = gated_intake,
    .mark_delivered = gated_mark,
    .load_undelivered = gated_load,
    .count_contacts = gated_count,
    .destroy = gated_destroy,
};

/* ---- a failing fake: commit n (1-based) and every later one fail ---- */

typedef struct fake {
  mash_store_t base;
  int fail_from; /* first failing commit */
  int commits;
  int rollbacks;
  int intakes;
  int *destroyed;
} fake_t;

static int fake_begin(mash_store_t *s) {
  (void)s;
  return 0;
}

static int fake_commit(mash_store_t *s) {
  fake_t *k = (fake_t *)s;
  return ++k->commits >= k->fail_from ? -EIO : 0;
}

static int fake_rollback(mash_store_t *s) {
  ((fake_t *)s)->rollbacks++;
  return 0;
}

static int fake_intake(mash_store_t *s, mash_intake_t *in) {
  fake_t *k = (fake_t *)s;
  k->intakes++;
  in->status = MASH_INTAKE_NEW;
  snprintf(in->contact_id, sizeof in->contact_id, "FAKE-%06d", k->intakes);
  return 0;
}

static int fake_mark(mash_store_t *s, const char *id, const char *principal, int64_t at) {
  (void)s;
  (void)id;
  (void)principal;
  (void)at;
  return 0;
}

static int fake_load(mash_store_t *s, mash_store_contact_cb cb, void *arg) {
  (void)s;
  (void)cb;
  (void)arg;
  return 0;
}

static int fake_count(mash_store_t *s, int64_t *n) {
  *n = ((fake_t *)s)->intakes;
  return 0;
}

static void fake_destroy(mash_store_t *s) {
  fake_t *k = (fake_t *)s;
  (*k->destroyed)++;
  free(k);
}

static const mash_store_vtable_t FAKE_VT = {
    .begin = fake_begin,
    .commit = fake_commit,
    .rollback = fake_rollback,
    .intake = fake_intake,
    .mark_delivered = fake_mark,
    .load_undelivered = fake_load,
    .count_contacts = fake_count,
    .destroy = fake_destroy,
};

static mash_store_t *fake_new(int fail_from, int *destroyed) {
  fake_t *k = calloc(1, sizeof *k);
  assert_non_null(k);
  k->base.vt = &FAKE_VT;
  k->fail_from = fail_from;
  k->destroyed = destroyed;
  return &k->base;
}

/* ---- operations and callbacks ---- */

typedef struct run {
  mash_storage_t *st;
  uv_loop_t *loop;
  mash_storage_op_t *ops;
  char (*mids)[24];
  int n;
  int done;
  int done_ok;
  int done_off_loop; /* done_cbs not on the loop thread */
  int fatal_calls;
  int fatal_rc;
  int closed;
  int done_at_close;
  int stop_at;            /* uv_stop when done reaches this */
  int close_on_fatal;     /* fatal_cb closes the storage */
  int submit_in_done;     /* a done_cb submits one more op, once */
  mash_storage_op_t late; /* that op */
  int late_rc;
  int late_done;
  int last_ok_index; /* highest index that succeeded */
  int first_fail_index;
} run_t;

static void late_done_cb(mash_storage_op_t *op) {
  run_t *r = op->data;
  r->late_done++;
  r->late_rc = op->rc;
  if (!on_loop_thread())
    r->done_off_loop++;
}

/* Submit one more op, after close began or after a failure. */
static void submit_late(run_t *r) {
  memset(&r->late, 0, sizeof r->late);
  r->late.kind = MASH_OP_DELIVERED;
  snprintf(r->late.u.delivered.message_id, MASH_DELIVERY_ID_LEN, "deliver-MASH-000001");
  snprintf(r->late.u.delivered.principal, MASH_PRINCIPAL_LEN, "hub");
  r->late.done_cb = late_done_cb;
  r->late.data = r;
  mash_storage_submit(r->st, &r->late);
}

static void done_cb(mash_storage_op_t *op) {
  run_t *r = op->data;
  int index = (int)(op - r->ops);
  r->done++;
  if (!on_loop_thread())
    r->done_off_loop++;
  if (op->rc == 0) {
    r->done_ok++;
    if (index > r->last_ok_index)
      r->last_ok_index = index;
  } else if (r->first_fail_index < 0 || index < r->first_fail_index) {
    r->first_fail_index = index;
  }
  if (r->submit_in_done) {
    r->submit_in_done = 0;
    submit_late(r);
  }
  if (r->stop_at && r->done == r->stop_at)
    uv_stop(r->loop);
}

static void fatal_cb(void *arg, int rc) {
  run_t *r = arg;
  assert_true(on_loop_thread());
  r->fatal_calls++;
  r->fatal_rc = rc;
  if (r->close_on_fatal) {
    /* What mashd does: stop. Ops still queued, and any submitted now,
     * complete as cancelled. */
    submit_late(r);
    mash_storage_close(r->st, NULL, NULL);
  }
}

static void close_cb(void *arg) {
  run_t *r = arg;
  assert_true(on_loop_thread());
  r->closed++;
  r->done_at_close = r->done;
}

static void run_init(run_t *r, uv_loop_t *loop, int n) {
  memset(r, 0, sizeof *r);
  r->loop = loop;
  r->n = n;
  r->ops = calloc((size_t)n, sizeof *r->ops);
  r->mids = calloc((size_t)n, sizeof *r->mids);
  assert_non_null(r->ops);
  assert_non_null(r->mids);
  r->last_ok_index = -1;
  r->first_fail_index = -1;
}

static void run_free(run_t *r) {
  free(r->ops);
  free(r->mids);
}

static void submit_intakes(run_t *r) {
  for (int i = 0; i < r->n; i++) {
    mash_storage_op_t *op = &r->ops[i];
    snprintf(r->mids[i], sizeof r->mids[i], "msg-%d", i);
    op->kind = MASH_OP_INTAKE;
    op->rc = 1; /* neither 0 nor an error: proves done_cb saw a real rc */
    op->u.intake.principal = "police";
    op->u.intake.message_id = r->mids[i];
    op->u.intake.received_at_ms = 1700000000000 + i;
    op->u.intake.contact = (const uint8_t *)r->mids[i];
    op->u.intake.contact_len = strlen(r->mids[i]);
    op->done_cb = done_cb;
    op->data = r;
    mash_storage_submit(r->st, op);
  }
}

/* ---- run_sync helpers ---- */

typedef struct sync_probe {
  int ran_off_loop;
  int64_t count;
  int undelivered;
} sync_probe_t;

static int count_fn(mash_store_t *s, void *arg) {
  sync_probe_t *p = arg;
  p->ran_off_loop = !on_loop_thread();
  return mash_store_count_contacts(s, &p->count);
}

static int undelivered_cb(const char *id, int64_t at, const uint8_t *c, size_t len, void *arg) {
  (void)id;
  (void)at;
  (void)c;
  (void)len;
  ((sync_probe_t *)arg)->undelivered++;
  return 0;
}

static int load_fn(mash_store_t *s, void *arg) {
  return mash_store_load_undelivered(s, undelivered_cb, arg);
}

static int returns_minus_42(mash_store_t *s, void *arg) {
  (void)s;
  (void)arg;
  return -42;
}

/* ---- tests ---- */

static void test_group_commit(void **state) {
  fixture_t *f = *state;
  enum { N = 1000 };
  uv_sem_t gate;
  assert_int_equal(uv_sem_init(&gate, 0), 0);
  gated_t *g = calloc(1, sizeof *g);
  assert_non_null(g);
  g->base.vt = &GATED_VT;
  g->inner = open_sqlite(f);
  g->gate = &gate;
  gated_destroyed = 0;
  gated_max_batch = 0;
  mash_store_t *store = &g->base;

  run_t r;
  run_init(&r, &f->loop, N);
  r.st = mash_storage_new(&f->loop, &store, 0, fatal_cb, &r);
  assert_non_null(r.st);
  assert_null(store); /* ownership moved */

  /* The thread takes at most the first op and then waits at the gate
   * while the rest queue up: group commit is certain, not likely. */
  submit_intakes(&r);
  uv_sem_post(&gate);
  r.stop_at = N;
  assert_true(uv_run(&f->loop, UV_RUN_DEFAULT) != 0); /* stopped, async still open */

  assert_int_equal(r.done, N);
  assert_int_equal(r.done_ok, N);
  assert_int_equal(r.done_off_loop, 0);
  assert_int_equal(r.fatal_calls, 0);
  for (int i = 0; i < N; i++) {
    char want[MASH_CONTACT_ID_LEN];
    snprintf(want, sizeof want, "MASH-%06d", i + 1);
    assert_int_equal(r.ops[i].rc, 0);
    assert_int_equal(r.ops[i].u.intake.status, MASH_INTAKE_NEW);
    assert_string_equal(r.ops[i].u.intake.contact_id, want);
    assert_null(r.ops[i].next);
  }
  mash_storage_stats_t stats;
  mash_storage_get_stats(r.st, &stats);
  assert_int_equal(stats.ops, N);
  assert_true(stats.batches < N);
  assert_true(stats.batches <= 3); /* 1 + ceil(999 / 512) */
  assert_int_equal(stats.failed_commits, 0);

  /* run_sync runs on the storage thread and sees every commit. */
  sync_probe_t p = {0};
  assert_int_equal(mash_storage_run_sync(r.st, count_fn, &p), 0);
  assert_true(p.ran_off_loop);
  assert_int_equal(p.count, N);
  assert_int_equal(mash_storage_run_sync(r.st, returns_minus_42, NULL), -42);
  assert_int_equal(mash_storage_run_sync(r.st, NULL, NULL), -EINVAL);

  /* Delivery acknowledgements, including one for an unknown contact: it
   * fails on its own, its batch-mate commits. */
  mash_storage_op_t d[2];
  memset(d, 0, sizeof d);
  for (int i = 0; i < 2; i++) {
    d[i].kind = MASH_OP_DELIVERED;
    d[i].rc = 1;
    snprintf(d[i].u.delivered.message_id, MASH_DELIVERY_ID_LEN, "deliver-%s",
             i ? "MASH-999999" : "MASH-000001");
    snprintf(d[i].u.delivered.principal, MASH_PRINCIPAL_LEN, "hub");
    d[i].u.delivered.at_ms = 1700000009999;
    d[i].done_cb = late_done_cb;
    d[i].data = &r;
    mash_storage_submit(r.st, &d[i]);
  }
  r.stop_at = 0;
  while (r.late_done < 2)
    uv_run(&f->loop, UV_RUN_ONCE);
  assert_int_equal(d[0].rc, 0);
  assert_int_equal(d[1].rc, -ENOENT);
  memset(&p, 0, sizeof p);
  assert_int_equal(mash_storage_run_sync(r.st, load_fn, &p), 0);
  assert_int_equal(p.undelivered, N - 1);

  mash_storage_close(r.st, close_cb, &r);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(r.closed, 1);
  assert_int_equal(gated_destroyed, 1);
  assert_true(gated_max_batch > 1);
  assert_int_equal(r.fatal_calls, 0);
  uv_sem_destroy(&gate);
  run_free(&r);
}

static void test_failing_store(void **state) {
  fixture_t *f = *state;
  enum { N = 50 };
  int destroyed = 0;
  mash_store_t *store = fake_new(1, &destroyed);
  run_t r;
  run_init(&r, &f->loop, N);
  r.st = mash_storage_new(&f->loop, &store, 8, fatal_cb, &r);
  assert_non_null(r.st);
  r.close_on_fatal = 1;
  submit_intakes(&r);
  /* No uv_stop: the loop ends when fatal_cb's close has closed the async. */
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);

  assert_int_equal(r.fatal_calls, 1);
  assert_int_equal(r.fatal_rc, -EIO);
  assert_int_equal(r.done, N);
  assert_int_equal(r.done_ok, 0); /* nothing was stored, nothing succeeds */
  assert_int_equal(r.done_off_loop, 0);
  int eio = 0;
  for (int i = 0; i < N; i++) {
    assert_true(r.ops[i].rc < 0);
    assert_true(r.ops[i].rc == -EIO || r.ops[i].rc == -ECANCELED);
    eio += r.ops[i].rc == -EIO;
  }
  /* Exactly one batch failed to commit: the first, from op 0. */
  assert_true(eio >= 1 && eio <= 8);
  assert_int_equal(r.ops[0].rc, -EIO);
  /* The op submitted after the failure was cancelled. */
  assert_int_equal(r.late_done, 1);
  assert_int_equal(r.late_rc, -ECANCELED);
  assert_int_equal(destroyed, 1);
  run_free(&r);
}

static void test_store_fails_later(void **state) {
  fixture_t *f = *state;
  enum { N = 200 };
  int destroyed = 0;
  mash_store_t *store = fake_new(3, &destroyed);
  run_t r;
  run_init(&r, &f->loop, N);
  r.st = mash_storage_new(&f->loop, &store, 4, fatal_cb, &r);
  assert_non_null(r.st);
  submit_intakes(&r);
  r.stop_at = N;
  uv_run(&f->loop, UV_RUN_DEFAULT);
  /* fatal_cb may trail the last done_cb by one async wake-up. */
  while (r.fatal_calls == 0)
    uv_run(&f->loop, UV_RUN_ONCE);

  assert_int_equal(r.done, N);
  assert_int_equal(r.fatal_calls, 1);
  assert_int_equal(r.fatal_rc, -EIO);
  /* Two batches committed: a prefix succeeded, everything after failed. */
  assert_true(r.done_ok >= 2 && r.done_ok <= 8);
  assert_int_equal(r.last_ok_index + 1, r.done_ok);
  assert_int_equal(r.first_fail_index, r.done_ok);
  mash_storage_stats_t stats;
  mash_storage_get_stats(r.st, &stats);
  assert_int_equal(stats.failed_commits, 1);
  assert_int_equal(stats.batches, 3);

  /* Submitting now completes, cancelled, through the loop. */
  mash_storage_op_t op;
  memset(&op, 0, sizeof op);
  op.kind = MASH_OP_DELIVERED;
  op.done_cb = late_done_cb;
  op.data = &r;
  mash_storage_submit(r.st, &op);
  assert_int_equal(r.late_done, 0); /* never from inside submit */
  while (r.late_done == 0)
    uv_run(&f->loop, UV_RUN_ONCE);
  assert_int_equal(op.rc, -ECANCELED);

  mash_storage_close(r.st, close_cb, &r);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(r.closed, 1);
  assert_int_equal(r.fatal_calls, 1);
  assert_int_equal(destroyed, 1);
  run_free(&r);
}

static void test_close_drains_queue(void **state) {
  fixture_t *f = *state;
  enum { N = 100 };
  mash_store_t *store = open_sqlite(f);
  run_t r;
  run_init(&r, &f->loop, N);
  r.st = mash_storage_new(&f->loop, &store, 16, fatal_cb, &r);
  assert_non_null(r.st);
  submit_intakes(&r);
  r.submit_in_done = 1; /* the first done_cb, inside close, submits again */
  /* Close before the loop ever runs: queued ops are stored, not lost. */
  mash_storage_close(r.st, close_cb, &r);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(r.closed, 1);
  assert_int_equal(r.done_at_close, N);
  assert_int_equal(r.done_ok, N);
  assert_int_equal(r.late_done, 1);
  assert_int_equal(r.late_rc, -ECANCELED);
  assert_int_equal(r.fatal_calls, 0);
  run_free(&r);

  /* And they are on disk. */
  store = open_sqlite(f);
  int64_t n = 0;
  assert_int_equal(mash_store_count_contacts(store, &n), 0);
  assert_int_equal(n, N);
  mash_store_destroy(&store);
}

/* ---- the SQLite store with one operation made to fail ----
 * The store's own vtable, copied with one slot replaced (store_vt.h makes
 * that possible for tests): the wrappers reach the failing slot, the rest
 * is the real store on a real file. */

static const mash_store_vtable_t *sqlite_vt; /* the real one */
static mash_store_vtable_t patched_vt;

/* The outbox refuses one message: the operation that wrote it fails. */
static int outbox_refusing(mash_store_t *s, const char *message_id, const char *target,
                           const uint8_t *frame, size_t len, int64_t at_ms) {
  if (strcmp(message_id, "out-bad") == 0)
    return -EIO;
  return sqlite_vt->outbox_insert(s, message_id, target, frame, len, at_ms);
}

/* The disk is gone: nothing commits (the storage thread rolls back). */
static int commit_failing(mash_store_t *s) {
  (void)s;
  return -EIO;
}

static mash_store_t *open_patched(fixture_t *f) {
  mash_store_t *s = open_sqlite(f);
  sqlite_vt = s->vt;
  patched_vt = *s->vt;
  s->vt = &patched_vt;
  return s;
}

/* One MASH_OP_CALL: a contact and a message for the hub, which stand or
 * fall together. u.call.arg is the op's message id ("out-bad" fails). */
static int intake_and_emit(mash_store_t *s, mash_storage_op_t *op) {
  const char *mid = op->u.call.arg;
  mash_intake_t in = {.principal = "police",
                      .message_id = mid,
                      .received_at_ms = 1700000000000,
                      .contact = (const uint8_t *)mid,
                      .contact_len = strlen(mid)};
  int rc = mash_store_intake(s, &in);
  if (rc == 0)
    rc = mash_store_outbox_insert(s, mid, "@hub", (const uint8_t *)"frame", 5, 1700000000000);
  return rc;
}

/* Submit op i running fn on message "out-i" ("out-bad" when i is bad). */
static void submit_call(run_t *r, int i, int bad, mash_storage_call_fn fn) {
  mash_storage_op_t *op = &r->ops[i];
  snprintf(r->mids[i], sizeof r->mids[i], i == bad ? "out-bad" : "out-%d", i);
  op->kind = MASH_OP_CALL;
  op->rc = 1;
  op->u.call.fn = fn;
  op->u.call.arg = r->mids[i];
  op->done_cb = done_cb;
  op->data = r;
  mash_storage_submit(r->st, op);
}

static void submit_calls(run_t *r, int bad) {
  for (int i = 0; i < r->n; i++) {
    submit_call(r, i, bad, intake_and_emit);
  }
}

static int outbox_count_cb(const char *mid, const char *target, const uint8_t *frame, size_t len,
                           void *arg) {
  (void)target;
  (void)frame;
  (void)len;
  assert_true(strcmp(mid, "out-bad") != 0);
  (*(int *)arg)++;
  return 0;
}

/* What reached the disk, through an unpatched store. */
static void count_on_disk(fixture_t *f, int64_t *contacts, int *outbox) {
  mash_store_t *store = open_sqlite(f);
  assert_int_equal(mash_store_count_contacts(store, contacts), 0);
  *outbox = 0;
  assert_int_equal(mash_store_outbox_pending(store, outbox_count_cb, outbox), 0);
  char id[MASH_CONTACT_ID_LEN];
  assert_int_equal(mash_store_contact_find(store, "police", "out-bad", id), -ENOENT);
  mash_store_destroy(&store);
}

/* A store operation failing inside one op fails that op alone: its
 * savepoint undoes its contact, and its batch-mates commit. */
static void test_failing_operation_undone_alone(void **state) {
  fixture_t *f = *state;
  enum { N = 6, BAD = 2 };
  mash_store_t *store = open_patched(f);
  patched_vt.outbox_insert = outbox_refusing;
  run_t r;
  run_init(&r, &f->loop, N);
  r.st = mash_storage_new(&f->loop, &store, 0, fatal_cb, &r);
  assert_non_null(r.st);
  submit_calls(&r, BAD);
  r.stop_at = N;
  uv_run(&f->loop, UV_RUN_DEFAULT);
  assert_int_equal(r.done, N);
  assert_int_equal(r.done_ok, N - 1);
  assert_int_equal(r.ops[BAD].rc, -EIO);
  assert_int_equal(r.fatal_calls, 0);
  mash_storage_close(r.st, close_cb, &r);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(r.closed, 1);
  run_free(&r);

  int64_t contacts = 0;
  int outbox = 0;
  count_on_disk(f, &contacts, &outbox);
  assert_int_equal(contacts, N - 1);
  assert_int_equal(outbox, N - 1);
}

/* A commit that fails reports no success for any op of its batch (nothing
 * may be acknowledged), stops the storage once, and leaves nothing of the
 * batch on disk. */
static void test_failed_commit_acks_nothing(void **state) {
  fixture_t *f = *state;
  enum { N = 20 };
  mash_store_t *store = open_patched(f);
  patched_vt.commit = commit_failing;
  run_t r;
  run_init(&r, &f->loop, N);
  r.st = mash_storage_new(&f->loop, &store, 8, fatal_cb, &r);
  assert_non_null(r.st);
  r.close_on_fatal = 1;
  submit_calls(&r, -1);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(r.done, N);
  assert_int_equal(r.done_ok, 0);
  assert_int_equal(r.fatal_calls, 1);
  assert_int_equal(r.fatal_rc, -EIO);
  assert_int_equal(r.ops[0].rc, -EIO);
  for (int i = 0; i < N; i++)
    assert_true(r.ops[i].rc == -EIO || r.ops[i].rc == -ECANCELED);
  run_free(&r);

  int64_t contacts = -1;
  int outbox = -1;
  count_on_disk(f, &contacts, &outbox);
  assert_int_equal(contacts, 0);
  assert_int_equal(outbox, 0);
}

/* The disk fills while an op writes: SQLite ends the whole transaction by
 * itself (SQLITE_FULL), not the store. The outbox write for "out-bad" does
 * what SQLite does then: rolls everything back and fails. */
static int outbox_filling(mash_store_t *s, const char *message_id, const char *target,
                          const uint8_t *frame, size_t len, int64_t at_ms) {
  if (strcmp(message_id, "out-bad") == 0) {
    assert_int_equal(sqlite3_exec(store_sqlite_db(s), "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    return -ENOSPC;
  }
  return sqlite_vt->outbox_insert(s, message_id, target, frame, len, at_ms);
}

/* The first op holds the storage thread until the others are queued, so
 * that they make one batch after it, "out-bad" in its middle. */
static uv_sem_t held_started, held_go;

static int held_call(mash_store_t *s, mash_storage_op_t *op) {
  uv_sem_post(&held_started);
  uv_sem_wait(&held_go);
  return intake_and_emit(s, op);
}

/* A transaction SQLite ended by itself mid-batch: the ops after it are not
 * run (each would commit on its own, outside any transaction), the batch
 * fails as a whole and leaves nothing of itself on disk; the batch before
 * it stands. */
static void test_lost_transaction_stops_the_batch(void **state) {
  fixture_t *f = *state;
  enum { N = 8, BAD = 3 };
  mash_store_t *store = open_patched(f);
  patched_vt.outbox_insert = outbox_filling;
  run_t r;
  run_init(&r, &f->loop, N);
  r.st = mash_storage_new(&f->loop, &store, 0, fatal_cb, &r);
  assert_non_null(r.st);
  r.close_on_fatal = 1;
  assert_int_equal(uv_sem_init(&held_started, 0), 0);
  assert_int_equal(uv_sem_init(&held_go, 0), 0);
  for (int i = 0; i < N; i++) {
    submit_call(&r, i, BAD, i == 0 ? held_call : intake_and_emit);
    if (i == 0) {
      uv_sem_wait(&held_started); /* op 0's batch is taken: the rest queue */
    }
  }
  uv_sem_post(&held_go);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  uv_sem_destroy(&held_started);
  uv_sem_destroy(&held_go);
  assert_int_equal(r.done, N);
  assert_int_equal(r.ops[0].rc, 0);
  for (int i = 1; i < N; i++) {
    assert_true(r.ops[i].rc < 0);
  }
  assert_int_equal(r.fatal_calls, 1);
  run_free(&r);

  int64_t contacts = -1;
  int outbox = -1;
  count_on_disk(f, &contacts, &outbox);
  assert_int_equal(contacts, 1); /* op 0's; none of the lost batch's */
  assert_int_equal(outbox, 1);
}

/* ---- background operations ---- */

typedef struct bg_run {
  mash_storage_t *st;
  int order[64];
  int norder; /* written by the storage thread, read after it is joined */
  int done, cancelled, on_loop, expect;
  int foreground_done;
  int closed;
} bg_run_t;

typedef struct bg_op {
  mash_storage_op_t op; /* first */
  bg_run_t *run;
  int idx;
} bg_op_t;

static int bg_fn(mash_store_t *s, mash_storage_op_t *op) {
  (void)s;
  bg_op_t *b = (bg_op_t *)op;
  if (b->idx >= 0) {
    b->run->order[b->run->norder++] = b->idx;
  }
  return 0;
}

static void bg_closed(void *arg) {
  ((bg_run_t *)arg)->closed = 1;
}

static void bg_done(mash_storage_op_t *op) {
  bg_op_t *b = (bg_op_t *)op;
  bg_run_t *r = b->run;
  r->on_loop += on_loop_thread();
  if (op->rc == -ECANCELED) {
    r->cancelled++;
  } else if (op->rc == 0) {
    r->done++;
  }
  if (b->idx < 0) {
    r->foreground_done++;
  }
  if (r->done + r->cancelled == r->expect && !r->closed && r->st) {
    mash_storage_t *st = r->st;
    r->st = NULL;
    mash_storage_close(st, bg_closed, r);
  }
}

/* fn: what the ops run (bg_fn when NULL), set before they are submitted:
 * the storage thread may take an op at once. */
static void bg_submit_fn(bg_run_t *r, bg_op_t *ops, int n, int background,
                         int (*fn)(mash_store_t *, mash_storage_op_t *)) {
  for (int i = 0; i < n; i++) {
    ops[i].run = r;
    ops[i].idx = background ? i : -1 - i;
    ops[i].op.kind = MASH_OP_CALL;
    ops[i].op.u.call.fn = fn ? fn : bg_fn;
    ops[i].op.done_cb = bg_done;
    if (background) {
      mash_storage_submit_background(r->st, &ops[i].op);
    } else {
      mash_storage_submit(r->st, &ops[i].op);
    }
  }
}

static void bg_submit(bg_run_t *r, bg_op_t *ops, int n, int background) {
  bg_submit_fn(r, ops, n, background, NULL);
}

/* Background ops all run, in the order submitted, completions on the loop
 * thread; foreground ops submitted after them still run. */
static void test_background_runs_in_order(void **state) {
  fixture_t *f = *state;
  mash_store_t *store = open_sqlite(f);
  static bg_run_t r;
  memset(&r, 0, sizeof r);
  static bg_op_t bg[40], fg[10];
  r.expect = 50;
  r.st = mash_storage_new(&f->loop, &store, 4, NULL, NULL);
  assert_non_null(r.st);
  bg_submit(&r, bg, 40, 1);
  bg_submit(&r, fg, 10, 0);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(r.closed, 1);
  assert_int_equal(r.done, 50);
  assert_int_equal(r.on_loop, 50);
  assert_int_equal(r.foreground_done, 10);
  assert_int_equal(r.norder, 40);
  for (int i = 0; i < r.norder; i++) {
    assert_int_equal(r.order[i], i); /* in the order submitted */
  }
}

/* On close, background ops not yet run complete with -ECANCELED; the
 * foreground ones are still stored. */
static void test_background_cancelled_on_close(void **state) {
  fixture_t *f = *state;
  mash_store_t *store = open_sqlite(f);
  static bg_run_t r;
  memset(&r, 0, sizeof r);
  static bg_op_t bg[40], fg[10];
  r.expect = 1000; /* never: close below */
  r.st = mash_storage_new(&f->loop, &store, 4, NULL, NULL);
  assert_non_null(r.st);
  bg_submit(&r, bg, 40, 1);
  bg_submit(&r, fg, 10, 0);
  mash_storage_t *st = r.st;
  r.st = NULL;
  mash_storage_close(st, bg_closed, &r);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(r.closed, 1);
  assert_int_equal(r.foreground_done, 10);
  /* Every op completed once; the background ones either ran (done) or were
   * cancelled without running. (How many ran depends on how far the thread
   * got before close: usually a handful.) */
  assert_int_equal(r.done + r.cancelled, 50);
  assert_int_equal(r.norder, r.done - 10);
}

/* A solo background op (an escalation slice) never shares a transaction
 * with foreground ops, and runs right after the foreground batch it was
 * passed over for. The storage thread is held in a first op (a gate) while
 * the rest are queued, so the batches are known: the gate; the three
 * foreground ops; the solo op alone: three batches (two when the solo op
 * rode with the foreground ones, as any other background op does). */
static uv_sem_t s_gate, s_gate_entered;

static int gate_fn(mash_store_t *s, mash_storage_op_t *op) {
  (void)s;
  (void)op;
  uv_sem_post(&s_gate_entered);
  uv_sem_wait(&s_gate);
  return 0;
}

static void test_solo_background_alone(void **state) {
  fixture_t *f = *state;
  mash_store_t *store = open_sqlite(f);
  static bg_run_t r;
  memset(&r, 0, sizeof r);
  static bg_op_t gate[1], solo[1], fg[3];
  r.expect = 1000; /* closed below, after the stats are read */
  assert_int_equal(uv_sem_init(&s_gate, 0), 0);
  assert_int_equal(uv_sem_init(&s_gate_entered, 0), 0);
  r.st = mash_storage_new(&f->loop, &store, 0, NULL, NULL);
  assert_non_null(r.st);
  /* gate_fn set before the submit (setting it after raced with the storage
   * thread, which could run bg_fn and never enter the gate: a hang at load 25). */
  bg_submit_fn(&r, gate, 1, 0, gate_fn);
  uv_sem_wait(&s_gate_entered); /* the thread holds the gate's batch */
  solo[0].op.solo = 1;
  bg_submit(&r, solo, 1, 1);
  bg_submit(&r, fg, 3, 0);
  uv_sem_post(&s_gate);
  while (r.done < 5) {
    uv_run(&f->loop, UV_RUN_ONCE);
  }
  mash_storage_stats_t stats;
  mash_storage_get_stats(r.st, &stats);
  assert_int_equal(stats.ops, 5);
  assert_int_equal(stats.batches, 3);
  assert_int_equal(r.foreground_done, 4);
  assert_int_equal(r.norder, 1);
  assert_int_equal(r.order[0], 0);
  mash_storage_t *st = r.st;
  r.st = NULL;
  mash_storage_close(st, bg_closed, &r);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(r.closed, 1);
  uv_sem_destroy(&s_gate);
  uv_sem_destroy(&s_gate_entered);
}

static void test_new_without_store(void **state) {
  fixture_t *f = *state;
  mash_store_t *store = NULL;
  assert_null(mash_storage_new(&f->loop, &store, 0, NULL, NULL));
  assert_null(mash_storage_new(&f->loop, NULL, 0, NULL, NULL));
  /* Without a loop the store is still consumed. */
  int destroyed = 0;
  store = fake_new(1, &destroyed);
  assert_null(mash_storage_new(NULL, &store, 0, NULL, NULL));
  assert_null(store);
  assert_int_equal(destroyed, 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_failing_store, setup, teardown),
      cmocka_unit_test_setup_teardown(test_store_fails_later, setup, teardown),
      cmocka_unit_test_setup_teardown(test_close_drains_queue, setup, teardown),
      cmocka_unit_test_setup_teardown(test_failing_operation_undone_alone, setup, teardown),
      cmocka_unit_test_setup_teardown(test_failed_commit_acks_nothing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_lost_transaction_stops_the_batch, setup, teardown),
      cmocka_unit_test_setup_teardown(test_new_without_store, setup, teardown),
      cmocka_unit_test_setup_teardown(test_background_runs_in_order, setup, teardown),
      cmocka_unit_test_setup_teardown(test_background_cancelled_on_close, setup, teardown),
      cmocka_unit_test_setup_teardown(test_solo_background_alone, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
