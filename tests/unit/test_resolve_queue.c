/* test_resolve_queue: the loop side of person resolution
 * (broker/net/resolve_queue.h) over a real storage thread and a real SQLite
 * store in a temporary folder. Covers: contacts a stop left unresolved are
 * loaded and resolved in the order received, in operations of a few
 * contacts, each delivered with its resolved bytes and the later ones linked
 * to the first child; a contact added while running is resolved; an id that
 * is not in the store fails alone without holding back the others; a stopped
 * queue sends nothing more; folding (resolution inside the intake's own
 * transaction) is offered only while nothing earlier is still to be
 * resolved and fewer than MASH_RESOLVE_FOLD_MAX are in flight, and a folded
 * intake stores and resolves its contact in one commit. The loop runs until the callbacks expected
 * have come (a timer is only a failure timeout) and ends with uv_loop_close() == 0.
 */
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
#include "resolve_queue.h"
#include "seal.h"
#include "storage.h"
#include "store.h"

/* What the library allocates is released with the real free, before
 * cmocka's allocation checks redefine it for this file. */
static void lib_free(void *p) {
  free(p);
}

#define UNIT_TESTING 1
#include <cmocka.h>

#define TIMEOUT_MS 20000
#define MAX_SEEN 16

typedef struct fx {
  char dir[64];
  mash_seal_t *seal;
  mash_store_t *store; /* until the storage thread takes it */
  mash_storage_t *storage;
  uv_loop_t loop;
  uv_timer_t timeout;
  int timed_out;
  /* what the callbacks saw */
  char id[MAX_SEEN][MASH_CONTACT_ID_LEN];
  int rc[MAX_SEEN];
  int deliver[MAX_SEEN];
  size_t len[MAX_SEEN];
  unsigned linked[MAX_SEEN], created[MAX_SEEN];
  size_t seen;
  unsigned ops_done;
} fx_t;

static int setup(void **state) {
  fx_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-rq-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  char path[128], err[256];
  snprintf(path, sizeof path, "%s/data.key", f->dir);
  f->seal = mash_seal_new(path, 1, err, sizeof err);
  assert_non_null(f->seal);
  snprintf(path, sizeof path, "%s/mash.db", f->dir);
  f->store = mash_store_sqlite_new(path, f->seal, err, sizeof err);
  assert_non_null(f->store);
  assert_int_equal(uv_loop_init(&f->loop), 0);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fx_t *f = *state;
  assert_int_equal(uv_loop_close(&f->loop), 0);
  mash_store_destroy(&f->store);
  mash_seal_destroy(&f->seal);
  assert_int_equal(test_dir_remove(f->dir), 0);
  free(f);
  return 0;
}

/* Store a notification about one child, unresolved, as mashd's intake does
 * (straight into the store: before the storage thread starts). */
static void s_store_unresolved(fx_t *f, const char *message_id, char *contact_id) {
  Mash__V1__Person child = MASH__V1__PERSON__INIT;
  child.ref = (char *)"c1";
  child.given_name = (char *)"Maya";
  child.family_name = (char *)"Okafor";
  child.date_of_birth = (char *)"2017-04-02";
  /* An NHS number: the later contacts link to the first by identifier. */
  Mash__V1__Identifier nhs = MASH__V1__IDENTIFIER__INIT;
  nhs.kind = MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER;
  nhs.value = (char *)"9434765919";
  Mash__V1__Identifier *ids[1] = {&nhs};
  child.identifiers = ids;
  child.n_identifiers = 1;
  Mash__V1__Person *children[1] = {&child};
  Mash__V1__Notification n = MASH__V1__NOTIFICATION__INIT;
  n.children = children;
  n.n_children = 1;
  n.concern_category = MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT;
  Mash__V1__Contact c = MASH__V1__CONTACT__INIT;
  c.notification = &n;
  uint8_t buf[512];
  assert_true(mash__v1__contact__get_packed_size(&c) <= sizeof buf);
  size_t len = mash__v1__contact__pack(&c, buf);
  mash_intake_t in;
  memset(&in, 0, sizeof in);
  in.principal = "police";
  in.message_id = message_id;
  in.received_at_ms = 1767225600000LL;
  in.contact = buf;
  in.contact_len = len;
  in.resolve_later = 1;
  assert_int_equal(mash_store_intake(f->store, &in), 0);
  assert_int_equal(in.status, MASH_INTAKE_NEW);
  snprintf(contact_id, MASH_CONTACT_ID_LEN, "%s", in.contact_id);
}

static void s_fatal_cb(void *arg, int rc) {
  (void)arg;
  fail_msg("storage failed: %d", rc);
}

static void s_start(fx_t *f) {
  f->storage = mash_storage_new(&f->loop, &f->store, 0, s_fatal_cb, f);
  assert_non_null(f->storage);
  assert_null(f->store);
}

static void s_timeout_cb(uv_timer_t *t) {
  fx_t *f = t->data;
  f->timed_out = 1;
}

static void s_resolved_cb(void *arg, mash_resolve_job_t *job, int rc) {
  fx_t *f = arg;
  assert_true(f->seen < MAX_SEEN);
  size_t i = f->seen++;
  snprintf(f->id[i], sizeof f->id[i], "%s", job->contact_id);
  f->rc[i] = rc;
  f->deliver[i] = rc == 0 && job->deliver;
  f->len[i] = rc == 0 ? job->contact_len : 0;
  f->linked[i] = job->linked;
  f->created[i] = job->created;
  if (rc == 0 && job->deliver) {
    /* What goes to the desk is a Contact that decodes. */
    Mash__V1__Contact *c = mash__v1__contact__unpack(NULL, job->contact_len, job->contact);
    assert_non_null(c);
    assert_int_equal(c->notification->n_children, 1);
    mash__v1__contact__free_unpacked(c, NULL);
  }
}

static void s_done_cb(void *arg) {
  fx_t *f = arg;
  f->ops_done++;
}

/* Run the loop until `want` contacts have come back (bounded). */
static void s_run_until(fx_t *f, size_t want) {
  uv_timer_init(&f->loop, &f->timeout);
  f->timeout.data = f;
  uv_timer_start(&f->timeout, s_timeout_cb, TIMEOUT_MS, 0);
  while (f->seen < want && !f->timed_out) {
    uv_run(&f->loop, UV_RUN_ONCE);
  }
  assert_false(f->timed_out);
  uv_timer_stop(&f->timeout);
  uv_close((uv_handle_t *)&f->timeout, NULL);
}

static void s_stop(fx_t *f, mash_resolve_queue_t **q) {
  assert_false(mash_resolve_queue_busy(*q));
  mash_resolve_queue_destroy(q);
  assert_null(*q);
  mash_storage_close(f->storage, NULL, NULL);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
}

static void test_load_resolves_in_order(void **state) {
  fx_t *f = *state;
  char ids[6][MASH_CONTACT_ID_LEN];
  for (int i = 0; i < 6; i++) {
    char mid[32];
    snprintf(mid, sizeof mid, "m-%d", i);
    s_store_unresolved(f, mid, ids[i]);
  }
  s_start(f);
  mash_resolve_queue_t *q =
      mash_resolve_queue_new(f->storage, mash_match_policy_default(), s_resolved_cb, s_done_cb, f);
  assert_non_null(q);
  size_t n = 0;
  assert_int_equal(mash_resolve_queue_load(q, &n), 0);
  assert_int_equal(n, 6);
  /* The first operation is in flight; the rest wait for the next. */
  assert_true(mash_resolve_queue_busy(q));
  assert_int_equal(mash_resolve_queue_waiting(q), 2);
  s_run_until(f, 6);
  for (int i = 0; i < 6; i++) {
    assert_string_equal(f->id[i], ids[i]);
    assert_int_equal(f->rc[i], 0);
    assert_true(f->deliver[i]);
    assert_true(f->len[i] > 0);
  }
  /* The first made the child; each later one found it. */
  assert_int_equal(f->created[0], 1);
  for (int i = 1; i < 6; i++) {
    assert_int_equal(f->linked[i], 1);
    assert_int_equal(f->created[i], 0);
  }
  assert_int_equal(f->ops_done, 2);
  assert_int_equal(mash_resolve_queue_waiting(q), 0);
  s_stop(f, &q);
}

static void test_add_unknown_and_stop(void **state) {
  fx_t *f = *state;
  char id[MASH_CONTACT_ID_LEN];
  s_store_unresolved(f, "m-a", id);
  s_start(f);
  mash_resolve_queue_t *q =
      mash_resolve_queue_new(f->storage, mash_match_policy_default(), s_resolved_cb, s_done_cb, f);
  assert_non_null(q);
  /* Not loaded: added as the router adds each contact it receipts. */
  assert_int_equal(mash_resolve_queue_add(q, "MASH-999999"), 0);
  assert_int_equal(mash_resolve_queue_add(q, id), 0);
  s_run_until(f, 2);
  assert_string_equal(f->id[0], "MASH-999999");
  assert_true(f->rc[0] < 0);
  assert_false(f->deliver[0]);
  assert_string_equal(f->id[1], id);
  assert_int_equal(f->rc[1], 0);
  assert_true(f->deliver[1]);

  /* Stopped: a contact added waits; nothing is sent, even when kicked. */
  mash_resolve_queue_stop(q);
  assert_int_equal(mash_resolve_queue_add(q, id), 0);
  mash_resolve_queue_kick(q);
  assert_false(mash_resolve_queue_busy(q));
  assert_int_equal(mash_resolve_queue_waiting(q), 1);
  unsigned ops = f->ops_done;
  s_stop(f, &q);
  assert_int_equal(f->ops_done, ops);
  assert_int_equal(f->seen, 2);
}

/* When folding is offered: while idle, up to MASH_RESOLVE_FOLD_MAX in
 * flight; not while an intake that will queue its contact is outstanding,
 * nor while contacts wait or an operation is in flight. */
static void test_fold_policy(void **state) {
  fx_t *f = *state;
  char id[MASH_CONTACT_ID_LEN];
  s_store_unresolved(f, "m-a", id);
  s_start(f);
  mash_resolve_queue_t *q =
      mash_resolve_queue_new(f->storage, mash_match_policy_default(), s_resolved_cb, s_done_cb, f);
  assert_non_null(q);
  mash_resolve_job_t job;
  memset(&job, 0x5a, sizeof job);
  for (unsigned i = 0; i < MASH_RESOLVE_FOLD_MAX; i++) {
    assert_int_equal(mash_resolve_queue_intake_begin(q, &job), 1);
  }
  assert_int_equal(job.contact_id[0], '\0'); /* cleared for the caller */
  assert_null(job.contact);
  /* One more is not folded: its contact will be queued... */
  assert_int_equal(mash_resolve_queue_intake_begin(q, &job), 0);
  /* ...so nothing after it folds until it is done, to keep the order. */
  mash_resolve_queue_intake_done(q, 1);
  assert_int_equal(mash_resolve_queue_intake_begin(q, &job), 0);
  mash_resolve_queue_intake_done(q, 0);
  assert_int_equal(mash_resolve_queue_intake_begin(q, &job), 0); /* one still out */
  mash_resolve_queue_intake_done(q, 0);
  mash_resolve_queue_intake_done(q, 0);
  assert_int_equal(mash_resolve_queue_intake_begin(q, &job), 1);
  for (unsigned i = 0; i < MASH_RESOLVE_FOLD_MAX; i++) {
    mash_resolve_queue_intake_done(q, 1);
  }
  /* A contact in the queue (an operation in flight): no folding. */
  assert_int_equal(mash_resolve_queue_add(q, id), 0);
  assert_true(mash_resolve_queue_busy(q));
  assert_int_equal(mash_resolve_queue_intake_begin(q, &job), 0);
  mash_resolve_queue_intake_done(q, 0);
  s_run_until(f, 1);
  assert_int_equal(f->rc[0], 0);
  /* Idle again. */
  assert_int_equal(mash_resolve_queue_intake_begin(q, &job), 1);
  mash_resolve_queue_intake_done(q, 1);
  /* Stopped: never. */
  mash_resolve_queue_stop(q);
  assert_int_equal(mash_resolve_queue_intake_begin(q, &job), 0);
  mash_resolve_queue_intake_done(q, 0);
  s_stop(f, &q);
}

/* A folded intake: stored and resolved in one operation, so one batch and
 * one commit; the contact is resolved in the store, ready to deliver. */
typedef struct fold_op {
  mash_storage_op_t op; /* first */
  mash_intake_t in;
  mash_resolve_job_t job;
  uint8_t buf[512];
  int done;
} fold_op_t;

static int s_fold_fn(mash_store_t *store, mash_storage_op_t *op) {
  fold_op_t *o = (fold_op_t *)op;
  int rc = mash_store_intake(store, &o->in);
  if (rc != 0) {
    return rc;
  }
  snprintf(o->job.contact_id, sizeof o->job.contact_id, "%s", o->in.contact_id);
  return mash_resolve_queue_run_job(store, &o->job);
}

static void s_fold_done(mash_storage_op_t *op) {
  ((fold_op_t *)op)->done = 1;
}

static int s_get_fn(mash_store_t *store, void *arg) {
  mash_contact_row_t *row = arg;
  return mash_store_contact_get(store, "MASH-000001", row);
}

static void test_fold_one_commit(void **state) {
  fx_t *f = *state;
  s_start(f);
  mash_resolve_queue_t *q =
      mash_resolve_queue_new(f->storage, mash_match_policy_default(), s_resolved_cb, s_done_cb, f);
  assert_non_null(q);
  static fold_op_t o;
  memset(&o, 0, sizeof o);
  assert_int_equal(mash_resolve_queue_intake_begin(q, &o.job), 1);
  Mash__V1__Person child = MASH__V1__PERSON__INIT;
  child.ref = (char *)"c1";
  child.given_name = (char *)"Maya";
  child.family_name = (char *)"Okafor";
  child.date_of_birth = (char *)"2017-04-02";
  Mash__V1__Person *children[1] = {&child};
  Mash__V1__Notification n = MASH__V1__NOTIFICATION__INIT;
  n.children = children;
  n.n_children = 1;
  Mash__V1__Contact c = MASH__V1__CONTACT__INIT;
  c.notification = &n;
  o.in.principal = "police";
  o.in.message_id = "m-fold";
  o.in.received_at_ms = 1767225600000LL;
  o.in.contact = o.buf;
  o.in.contact_len = mash__v1__contact__pack(&c, o.buf);
  o.in.resolve_later = 1;
  o.op.kind = MASH_OP_CALL;
  o.op.u.call.fn = s_fold_fn;
  o.op.done_cb = s_fold_done;
  mash_storage_stats_t before, after;
  mash_storage_get_stats(f->storage, &before);
  mash_storage_submit(f->storage, &o.op);
  while (!o.done) {
    uv_run(&f->loop, UV_RUN_ONCE);
  }
  mash_resolve_queue_intake_done(q, 1);
  mash_storage_get_stats(f->storage, &after);
  assert_int_equal(o.op.rc, 0);
  assert_int_equal(o.in.status, MASH_INTAKE_NEW);
  assert_int_equal(o.job.rc, 0);
  assert_int_equal(o.job.gave_up, 0);
  assert_int_equal(o.job.created, 1);
  assert_true(o.job.deliver);
  assert_non_null(o.job.contact);
  assert_int_equal(after.batches - before.batches, 1);
  mash_contact_row_t row;
  memset(&row, 0, sizeof row);
  assert_int_equal(mash_storage_run_sync(f->storage, s_get_fn, &row), 0);
  assert_int_equal(row.unresolved, 0);
  assert_int_equal(row.len, o.job.contact_len);
  assert_memory_equal(row.blob, o.job.contact, row.len);
  lib_free(row.blob);
  lib_free(o.job.contact);
  assert_false(mash_resolve_queue_busy(q));
  s_stop(f, &q);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_load_resolves_in_order, setup, teardown),
      cmocka_unit_test_setup_teardown(test_add_unknown_and_stop, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fold_policy, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fold_one_commit, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
