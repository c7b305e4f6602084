/* test_store_enquiry: the enquiry slots of a store through store.h, on
 * SQLite or PostgreSQL (store_fixture.h; test_store_enquiry_pg runs it on a
 * throw-away cluster): the inbox keeps the first answer; enquiries, requests
 * and answers round-trip sealed (a decision moved onto another row fails to
 * open); a second answer is refused; open requests leave with their answer
 * or their enquiry's close; escalations list in order; the outbox delivers
 * once and survives a reopen; a rolled-back savepoint undoes one operation
 * only; a second broker on the same store cannot store a step the first
 * stored; the latest instant covers every table; every slot of the vtable
 * is filled on both stores. Must not: reach into either store's private
 * struct (the vtable is read, as a fake store's would be).
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

#include "seal.h"
#include "store.h"
#include "store_fixture.h"
#include "store_vt.h"
#include "test_dir.h"

static void lib_free(void *p) {
  free(p);
}

#define UNIT_TESTING 1
#include <cmocka.h>

typedef struct fixture {
  char dir[64];
  char db[128];
  mash_seal_t *seal;
  mash_store_t *store;
} fixture_t;

static void s_reopen(fixture_t *f) {
  char err[256] = "";
  mash_store_destroy(&f->store);
  f->store = store_fixture_open(f->db, f->seal, err, sizeof err);
  if (!f->store)
    print_error("open failed: %s\n", err);
  assert_non_null(f->store);
}

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-enq-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  char key[128], err[256];
  snprintf(key, sizeof key, "%s/data.key", f->dir);
  snprintf(f->db, sizeof f->db, "%s/mash.db", f->dir);
  f->seal = mash_seal_new(key, 1, err, sizeof err);
  assert_non_null(f->seal);
  assert_int_equal(store_fixture_reset(), 0);
  s_reopen(f);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  assert_int_equal(store_fixture_stop(f->dir, &f->seal, &f->store), 0);
  free(f);
  return 0;
}

static void test_inbox_keeps_first(void **state) {
  fixture_t *f = *state;
  uint8_t *got = NULL;
  size_t len = 0;
  assert_int_equal(mash_store_inbox_get(f->store, "hub", "m-1", &got, &len), 0);
  assert_null(got);
  assert_int_equal(mash_store_inbox_put(f->store, "hub", "m-1", (const uint8_t *)"first", 5, 10),
                   0);
  assert_int_equal(mash_store_inbox_put(f->store, "hub", "m-1", (const uint8_t *)"second", 6, 11),
                   0);
  assert_int_equal(mash_store_inbox_get(f->store, "hub", "m-1", &got, &len), 1);
  assert_int_equal(len, 5);
  assert_memory_equal(got, "first", 5);
  lib_free(got);
  /* Another principal's message id is another entry. */
  assert_int_equal(mash_store_inbox_get(f->store, "police", "m-1", &got, &len), 0);
}

typedef struct seen {
  int n;
  char ids[8][MASH_ITEM_ID_LEN];
  char text[8][32];
} seen_t;

static int s_request_cb(mash_request_row_t *row, void *arg) {
  seen_t *s = arg;
  assert_true(s->n < 8);
  snprintf(s->ids[s->n], sizeof s->ids[0], "%s", row->request_id);
  snprintf(s->text[s->n], sizeof s->text[0], "%.*s", (int)row->len,
           row->response ? (const char *)row->response : "");
  s->n++;
  return 0;
}

static void test_enquiry_requests_answers(void **state) {
  fixture_t *f = *state;
  char enq[MASH_ITEM_ID_LEN], r1[MASH_ITEM_ID_LEN], r2[MASH_ITEM_ID_LEN];
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_store_enquiry_insert(f->store, "MASH-000001", 2, 1, 1000,
                                             (const uint8_t *)"decision", 8, enq),
                   0);
  assert_string_equal(enq, "ENQ-000001");
  assert_int_equal(mash_store_request_insert(f->store, enq, "health", 2, 1000, 5000, r1), 0);
  assert_int_equal(mash_store_request_insert(f->store, enq, "school", 2, 1000, 6000, r2), 0);
  assert_int_equal(mash_store_commit(f->store), 0);
  assert_string_equal(r1, "REQ-000001");
  assert_string_equal(r2, "REQ-000002");

  char of[MASH_ITEM_ID_LEN];
  assert_int_equal(mash_store_enquiry_of_contact(f->store, "MASH-000001", of), 0);
  assert_string_equal(of, enq);
  assert_int_equal(mash_store_enquiry_of_contact(f->store, "MASH-000009", of), -ENOENT);

  mash_enquiry_row_t e;
  assert_int_equal(mash_store_enquiry_get(f->store, enq, &e), 0);
  assert_int_equal(e.rag, 2);
  assert_int_equal(e.opened_at_ms, 1000);
  assert_int_equal(e.len, 8);
  assert_memory_equal(e.decision, "decision", 8);
  lib_free(e.decision);

  assert_int_equal(mash_store_request_answer(f->store, r1, 2000, (const uint8_t *)"answer", 6), 0);
  assert_int_equal(mash_store_request_answer(f->store, r1, 2100, (const uint8_t *)"again", 5),
                   -EEXIST);
  assert_int_equal(mash_store_request_set_level(f->store, r2, 2, 3000), 0);
  mash_request_row_t r;
  assert_int_equal(mash_store_request_get(f->store, r2, &r), 0);
  assert_int_equal(r.level, 2);
  assert_int_equal(r.level_at_ms, 3000);
  assert_string_equal(r.agency, "school");
  assert_null(r.response);
  assert_int_equal(mash_store_request_get(f->store, "REQ-000099", &r), -ENOENT);

  seen_t all = {0}, open = {0};
  assert_int_equal(mash_store_requests_of_enquiry(f->store, enq, s_request_cb, &all), 0);
  assert_int_equal(all.n, 2);
  assert_string_equal(all.text[0], "answer");
  assert_int_equal(mash_store_requests_open(f->store, s_request_cb, &open), 0);
  assert_int_equal(open.n, 1);
  assert_string_equal(open.ids[0], r2);

  /* Closed: nothing of it is open any more, and the first pack is kept. */
  assert_int_equal(mash_store_enquiry_update(f->store, enq, 1, 4000, 4000), 0);
  memset(&open, 0, sizeof open);
  assert_int_equal(mash_store_requests_open(f->store, s_request_cb, &open), 0);
  assert_int_equal(open.n, 0);
  assert_int_equal(mash_store_enquiry_get(f->store, enq, &e), 0);
  assert_int_equal(e.pack_version, 1);
  assert_int_equal(e.closed_at_ms, 4000);
  lib_free(e.decision);

  int64_t latest = 0;
  assert_int_equal(mash_store_latest_instant(f->store, &latest), 0);
  assert_int_equal(latest, 2000); /* the answer, the latest instant recorded */
}

static void test_decision_bound_to_row(void **state) {
  fixture_t *f = *state;
  char e1[MASH_ITEM_ID_LEN], e2[MASH_ITEM_ID_LEN];
  assert_int_equal(
      mash_store_enquiry_insert(f->store, "MASH-000001", 1, 0, 1, (const uint8_t *)"one", 3, e1),
      0);
  assert_int_equal(
      mash_store_enquiry_insert(f->store, "MASH-000002", 1, 0, 2, (const uint8_t *)"two", 3, e2),
      0);
  assert_int_equal(store_fixture_sql(f->db, "UPDATE enquiries SET decision = (SELECT decision "
                                            "FROM enquiries WHERE id = 1) WHERE id = 2"),
                   0);
  mash_enquiry_row_t e;
  assert_int_equal(mash_store_enquiry_get(f->store, e2, &e), -EBADMSG);
  lib_free(e.decision);
  assert_int_equal(mash_store_enquiry_get(f->store, e1, &e), 0);
  lib_free(e.decision);
}

static int s_blob_cb(const uint8_t *blob, size_t len, void *arg) {
  seen_t *s = arg;
  snprintf(s->text[s->n++], sizeof s->text[0], "%.*s", (int)len, (const char *)blob);
  return 0;
}

static int s_outbox_cb(const char *mid, const char *target, const uint8_t *frame, size_t len,
                       void *arg) {
  seen_t *s = arg;
  snprintf(s->ids[s->n], sizeof s->ids[0], "%s", mid);
  snprintf(s->text[s->n++], sizeof s->text[0], "%s:%.*s", target, (int)len, (const char *)frame);
  return 0;
}

static void test_escalations_and_outbox(void **state) {
  fixture_t *f = *state;
  assert_int_equal(mash_store_escalation_insert(f->store, "ESC-1", "ENQ-000001", "REQ-000001", 1,
                                                100, (const uint8_t *)"level1", 6),
                   0);
  assert_int_equal(mash_store_escalation_insert(f->store, "ESC-2", "ENQ-000001", "REQ-000001", 2,
                                                200, (const uint8_t *)"level2", 6),
                   0);
  seen_t esc = {0};
  assert_int_equal(mash_store_escalations_of_enquiry(f->store, "ENQ-000001", s_blob_cb, &esc), 0);
  assert_int_equal(esc.n, 2);
  assert_string_equal(esc.text[0], "level1");
  assert_string_equal(esc.text[1], "level2");

  assert_int_equal(
      mash_store_outbox_insert(f->store, "out-1", "health", (const uint8_t *)"f1", 2, 1), 0);
  assert_int_equal(mash_store_outbox_insert(f->store, "out-2", "@hub", (const uint8_t *)"f2", 2, 2),
                   0);
  assert_int_equal(
      mash_store_outbox_insert(f->store, "out-1", "health", (const uint8_t *)"f1", 2, 3), -EEXIST);
  s_reopen(f);
  assert_int_equal(mash_store_outbox_delivered(f->store, "out-1", "health", 5), 0);
  assert_int_equal(mash_store_outbox_delivered(f->store, "out-1", "health", 6), 0);
  assert_int_equal(mash_store_outbox_delivered(f->store, "out-9", "health", 6), -ENOENT);
  seen_t out = {0};
  assert_int_equal(mash_store_outbox_pending(f->store, s_outbox_cb, &out), 0);
  assert_int_equal(out.n, 1);
  assert_string_equal(out.ids[0], "out-2");
  assert_string_equal(out.text[0], "@hub:f2");
}

/* A batch in one transaction: one operation undone by its savepoint, the
 * rest kept by the commit. */
static void test_savepoint_undoes_one(void **state) {
  fixture_t *f = *state;
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_store_savepoint(f->store), 0);
  assert_int_equal(mash_store_outbox_insert(f->store, "keep", "x", (const uint8_t *)"k", 1, 1), 0);
  assert_int_equal(mash_store_release(f->store, 1), 0);
  assert_int_equal(mash_store_savepoint(f->store), 0);
  assert_int_equal(mash_store_outbox_insert(f->store, "undo", "x", (const uint8_t *)"u", 1, 1), 0);
  /* A failing statement inside the savepoint (PostgreSQL then refuses the
   * rest of the transaction until it is rolled back to the savepoint). */
  assert_int_equal(mash_store_outbox_insert(f->store, "undo", "x", (const uint8_t *)"u", 1, 1),
                   -EEXIST);
  assert_int_equal(mash_store_release(f->store, 0), 0);
  assert_int_equal(mash_store_outbox_insert(f->store, "after", "x", (const uint8_t *)"a", 1, 1), 0);
  assert_int_equal(mash_store_commit(f->store), 0);
  seen_t out = {0};
  assert_int_equal(mash_store_outbox_pending(f->store, s_outbox_cb, &out), 0);
  assert_int_equal(out.n, 2);
  assert_string_equal(out.ids[0], "keep");
  assert_string_equal(out.ids[1], "after");
}

/* Issue 15: both stores fill every slot of the vtable (the person index,
 * statistics and the console's figures included), and the slots that read
 * an empty store answer as SQLite's do. */
static void test_every_slot_filled(void **state) {
  fixture_t *f = *state;
  typedef void (*fn_t)(void);
  const fn_t *slots = (const fn_t *)(const void *)f->store->vt;
  for (size_t i = 0; i < sizeof(mash_store_vtable_t) / sizeof(fn_t); i++) {
    if (!slots[i]) {
      print_error("slot %zu of the %s store is empty\n", i,
                  store_fixture_is_pg() ? "PostgreSQL" : "SQLite");
    }
    assert_non_null(slots[i]);
  }
  mash_person_row_t p;
  memset(&p, 0, sizeof p);
  assert_int_equal(mash_store_person_get(f->store, "P-000001", &p), -ENOENT);
  mash_match_row_t m;
  memset(&m, 0, sizeof m);
  assert_int_equal(mash_store_match_get(f->store, "M-000001", &m), -ENOENT);
  mash_store_stats_t st;
  memset(&st, 0, sizeof st);
  assert_int_equal(mash_store_stats_summary(f->store, 1, &st), 0);
  assert_int_equal(st.contacts, 0);
  mash_ops_figures_t fig;
  memset(&fig, 0, sizeof fig);
  assert_int_equal(mash_store_ops_figures(f->store, 0, 1, 1, 1, &fig), 0);
  assert_int_equal(fig.contacts, 0);
}

/* Two brokers on one store (the second with a stale memory, as a node that
 * has not yet seen that it lost the active lock): a step the first stored
 * is refused to the second (-EEXIST) and its transaction rolled back, so it
 * is never sent twice (steps are sent only after their commit). The store's
 * keys, not a claim, fence the work (README, High availability). */
static void test_two_brokers_one_step(void **state) {
  fixture_t *f = *state;
  char err[256] = "";
  mash_store_t *other = store_fixture_open(f->db, f->seal, err, sizeof err);
  if (!other)
    print_error("open failed: %s\n", err);
  assert_non_null(other);
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_store_escalation_insert(f->store, "MASH-000001-S-L2", "", "", 2, 100,
                                                (const uint8_t *)"first", 5),
                   0);
  assert_int_equal(mash_store_commit(f->store), 0);
  assert_int_equal(mash_store_begin(other), 0);
  assert_int_equal(mash_store_escalation_insert(other, "MASH-000001-S-L2", "", "", 2, 150,
                                                (const uint8_t *)"second", 6),
                   -EEXIST);
  assert_int_equal(mash_store_rollback(other), 0);
  mash_store_destroy(&other);
  mash_store_esclog_state_t es;
  assert_int_equal(mash_store_esclog_state(f->store, &es), 0);
  assert_int_equal(es.steps, 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_inbox_keeps_first, setup, teardown),
      cmocka_unit_test_setup_teardown(test_two_brokers_one_step, setup, teardown),
      cmocka_unit_test_setup_teardown(test_enquiry_requests_answers, setup, teardown),
      cmocka_unit_test_setup_teardown(test_decision_bound_to_row, setup, teardown),
      cmocka_unit_test_setup_teardown(test_escalations_and_outbox, setup, teardown),
      cmocka_unit_test_setup_teardown(test_savepoint_undoes_one, setup, teardown),
      cmocka_unit_test_setup_teardown(test_every_slot_filled, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
