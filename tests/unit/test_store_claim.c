/* test_store_claim: two brokers on one database (issue 15), through two
 * store handles on a real SQLite file or a real PostgreSQL database
 * (MASH_TEST_STORE, store_fixture.h), and what mashd does when its session
 * is lost.
 *
 * Claims: a due duty is claimed inside the transaction that works it
 * (mash_store_duty_claim). On PostgreSQL a duty another session's
 * transaction holds answers -EBUSY at once, never waiting, and once that
 * transaction committed the claim reads the level it stored, so it fires
 * nothing again; two handles working every duty at the same time on two
 * threads fire each exactly once. On SQLite the write transaction holds the
 * database, so the same run serialises and fires each once too. A contact
 * waiting for resolution is claimed the same way (mash_store_contact_claim).
 *
 * Lost sessions: a PostgreSQL session the server ended reads as -ENOTCONN
 * (not a generic -EIO), and mashd's decision (restart.h) is to reconnect on
 * that and on a read-only server, to stop on anything else, and always to
 * stop on SQLite. Must not: use the network beyond the test's own server.
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

#include "restart.h"
#include "seal.h"
#include "store.h"
#include "store_fixture.h"
#include "test_dir.h"

/* Rows the store allocated are freed with the C library's free, not the
 * checked one cmocka puts in its place below. */
static void s_free_row(void *p) {
  free(p);
}

#define UNIT_TESTING 1
#include <cmocka.h>

#define N_DUTIES 200
#define T0 1772442000000LL

typedef struct fixture {
  char dir[64];
  char db[128];
  mash_seal_t *seal;
  mash_store_t *a, *b; /* two brokers' handles on one database */
  uint64_t duty[N_DUTIES];
} fixture_t;

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-claim-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  char path[128], err[256];
  snprintf(path, sizeof path, "%s/data.key", f->dir);
  f->seal = mash_seal_new(path, 1, err, sizeof err);
  assert_non_null(f->seal);
  snprintf(f->db, sizeof f->db, "%s/mash.db", f->dir);
  assert_int_equal(store_fixture_reset(), 0);
  f->a = store_fixture_open(f->db, f->seal, err, sizeof err);
  assert_non_null(f->a);
  f->b = store_fixture_open(f->db, f->seal, err, sizeof err);
  assert_non_null(f->b);
  assert_int_equal(mash_store_begin(f->a), 0);
  for (int i = 0; i < N_DUTIES; i++) {
    char ref[32];
    snprintf(ref, sizeof ref, "MASH-%06d", i + 1);
    assert_int_equal(
        mash_store_duty_open(f->a, MASH_DUTY_SCREENING, ref, 1, T0, T0 + 1000, T0, &f->duty[i]), 0);
  }
  assert_int_equal(mash_store_commit(f->a), 0);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  mash_store_destroy(&f->a);
  mash_store_destroy(&f->b);
  mash_seal_destroy(&f->seal);
  test_dir_remove(f->dir);
  free(f);
  return 0;
}

/* One broker's transaction holds a duty: the other's claim of it answers
 * -EBUSY at once (PostgreSQL), and after the commit reads the stored level. */
static void test_claim_held_is_skipped(void **state) {
  fixture_t *f = *state;
  mash_duty_row_t ra, rb;
  assert_int_equal(mash_store_begin(f->a), 0);
  assert_int_equal(mash_store_duty_claim(f->a, f->duty[0], &ra), 0);
  assert_int_equal(ra.level, 0);
  assert_int_equal(ra.duty, f->duty[0]);
  if (store_fixture_is_pg()) {
    assert_int_equal(mash_store_begin(f->b), 0);
    assert_int_equal(mash_store_duty_claim(f->b, f->duty[0], &rb), -EBUSY);
    /* Another duty is free to it meanwhile. */
    assert_int_equal(mash_store_duty_claim(f->b, f->duty[1], &rb), 0);
    assert_int_equal(mash_store_commit(f->b), 0);
  }
  assert_int_equal(mash_store_duty_set(f->a, f->duty[0], 1, T0, T0 + 500), 0);
  assert_int_equal(mash_store_commit(f->a), 0);
  assert_int_equal(mash_store_begin(f->b), 0);
  assert_int_equal(mash_store_duty_claim(f->b, f->duty[0], &rb), 0);
  assert_int_equal(rb.level, 1); /* what a fired: nothing to fire again */
  assert_int_equal(rb.next_at_ms, T0 + 500);
  assert_int_equal(mash_store_duty_claim(f->b, 999999, &rb), -ENOENT);
  assert_int_equal(mash_store_commit(f->b), 0);
}

/* A contact waiting for resolution, claimed by one broker's transaction:
 * the other's claim answers -EBUSY (PostgreSQL) with no row to free, and
 * after the commit reads it. */
static void test_contact_claim(void **state) {
  fixture_t *f = *state;
  static const uint8_t blob[] = {0x0a, 0x06, 'p', 'o', 'l', 'i', 'c', 'e'};
  mash_intake_t in;
  memset(&in, 0, sizeof in);
  in.principal = "police";
  in.message_id = "msg-claim-1";
  in.received_at_ms = T0;
  in.contact = blob;
  in.contact_len = sizeof blob;
  in.occurred_at_ms = T0;
  in.resolve_later = 1;
  assert_int_equal(mash_store_begin(f->a), 0);
  assert_int_equal(mash_store_intake(f->a, &in), 0);
  assert_int_equal(mash_store_commit(f->a), 0);
  assert_int_equal(in.status, MASH_INTAKE_NEW);
  mash_contact_row_t ra, rb;
  assert_int_equal(mash_store_begin(f->a), 0);
  assert_int_equal(mash_store_contact_claim(f->a, in.contact_id, &ra), 0);
  assert_int_equal(ra.unresolved, 1);
  assert_int_equal(ra.len, sizeof blob);
  assert_memory_equal(ra.blob, blob, sizeof blob);
  s_free_row(ra.blob);
  if (store_fixture_is_pg()) {
    assert_int_equal(mash_store_begin(f->b), 0);
    assert_int_equal(mash_store_contact_claim(f->b, in.contact_id, &rb), -EBUSY);
    assert_null(rb.blob);
    assert_int_equal(mash_store_commit(f->b), 0);
  }
  assert_int_equal(mash_store_commit(f->a), 0);
  assert_int_equal(mash_store_begin(f->b), 0);
  assert_int_equal(mash_store_contact_claim(f->b, in.contact_id, &rb), 0);
  assert_string_equal(rb.contact_id, in.contact_id);
  s_free_row(rb.blob);
  assert_int_equal(mash_store_contact_claim(f->b, "MASH-999999", &rb), -ENOENT);
  assert_int_equal(mash_store_commit(f->b), 0);
}

typedef struct worker {
  mash_store_t *store;
  const uint64_t *duty;
  int fired[N_DUTIES];
  unsigned skipped, busy, failed;
} worker_t;

/* A broker working every due duty, one transaction each: claim, fire when
 * the stored level says it has not fired (level 0 -> 1), commit. Duties
 * skipped (held by the other) are worked again on a later pass. */
static void s_work(void *arg) {
  worker_t *w = arg;
  for (int pass = 0; pass < 50; pass++) {
    int left = 0;
    for (int i = 0; i < N_DUTIES; i++) {
      int rc = mash_store_begin(w->store);
      if (rc == -EBUSY) {
        w->busy++;
        left++;
        continue;
      }
      if (rc != 0) {
        w->failed++;
        return;
      }
      mash_duty_row_t row;
      rc = mash_store_duty_claim(w->store, w->duty[i], &row);
      int fire = rc == 0 && row.level == 0;
      if (rc == -EBUSY) {
        w->skipped++;
        left++;
      } else if (rc != 0) {
        w->failed++;
      }
      if (fire) {
        /* The firing's own work (messages, the step stored) takes a few
         * statements: the window in which another broker could fire too. */
        for (int k2 = 0; rc == 0 && k2 < 3; k2++) {
          mash_duty_row_t again;
          rc = mash_store_duty_get(w->store, w->duty[i], &again);
        }
      }
      if (fire && rc == 0) {
        rc = mash_store_duty_set(w->store, w->duty[i], 1, T0 + 1, T0 + 2);
      }
      if (rc == 0 || rc == -EBUSY) {
        rc = mash_store_commit(w->store);
        if (rc == 0 && fire) {
          w->fired[i]++;
        }
      }
      if (rc != 0) {
        mash_store_rollback(w->store);
        if (rc != -EBUSY) {
          w->failed++;
        }
        left++;
      }
    }
    if (left == 0) {
      return;
    }
  }
}

static void test_two_brokers_fire_each_once(void **state) {
  fixture_t *f = *state;
  /* Both in the same order: they meet on every duty. */
  worker_t wa = {.store = f->a, .duty = f->duty};
  worker_t wb = {.store = f->b, .duty = f->duty};
  uv_thread_t ta, tb;
  assert_int_equal(uv_thread_create(&ta, s_work, &wa), 0);
  assert_int_equal(uv_thread_create(&tb, s_work, &wb), 0);
  uv_thread_join(&ta);
  uv_thread_join(&tb);
  assert_int_equal(wa.failed, 0);
  assert_int_equal(wb.failed, 0);
  int by_a = 0, by_b = 0;
  for (int i = 0; i < N_DUTIES; i++) {
    if (wa.fired[i] + wb.fired[i] != 1) {
      fail_msg("duty %d fired %d times (a %d, b %d)", i, wa.fired[i] + wb.fired[i], wa.fired[i],
               wb.fired[i]);
    }
    by_a += wa.fired[i];
    by_b += wb.fired[i];
  }
  /* Every duty is at level 1 in the store, whoever fired it. */
  for (int i = 0; i < N_DUTIES; i++) {
    mash_duty_row_t row;
    assert_int_equal(mash_store_duty_get(f->a, f->duty[i], &row), 0);
    assert_int_equal(row.level, 1);
  }
  print_message("fired by a %d, by b %d; skipped as held: a %u, b %u\n", by_a, by_b, wa.skipped,
                wb.skipped);
}

/* PostgreSQL: the server ends the store's session; the next statement says
 * -ENOTCONN, which mashd reconnects on. */
static void test_lost_session_reads_enotconn(void **state) {
  fixture_t *f = *state;
  if (!store_fixture_is_pg()) {
    skip();
  }
  assert_int_equal(store_fixture_sql(NULL, "SELECT pg_terminate_backend(pid) FROM "
                                           "pg_stat_activity WHERE datname = current_database() "
                                           "AND pid <> pg_backend_pid()"),
                   0);
  int rc = mash_store_begin(f->a);
  if (rc == 0) {
    rc = mash_store_commit(f->a);
  }
  assert_int_equal(rc, -ENOTCONN);
  assert_int_equal(mashd_on_store_failure(1, rc), MASHD_RECONNECT);
}

static void test_reconnect_decision(void **state) {
  (void)state;
  assert_int_equal(mashd_on_store_failure(1, -ENOTCONN), MASHD_RECONNECT);
  assert_int_equal(mashd_on_store_failure(1, -EROFS), MASHD_RECONNECT);
  assert_int_equal(mashd_on_store_failure(1, -ENOSPC), MASHD_STOP);
  assert_int_equal(mashd_on_store_failure(1, -EIO), MASHD_STOP);
  assert_int_equal(mashd_on_store_failure(1, -EACCES), MASHD_STOP);
  assert_int_equal(mashd_on_store_failure(1, -EBUSY), MASHD_STOP);
  /* SQLite: every failed commit stops the broker, as before. */
  assert_int_equal(mashd_on_store_failure(0, -ENOTCONN), MASHD_STOP);
  assert_int_equal(mashd_on_store_failure(0, -EIO), MASHD_STOP);
}

/* The count and the instant of the loss cross the exec in the environment,
 * and are cleared so that nothing mashd starts inherits them. */
static void test_restart_counts_from_environment(void **state) {
  (void)state;
  char *argv[] = {"mashd", NULL};
  mashd_restart_t *r = mashd_restart_new(argv);
  assert_non_null(r);
  assert_int_equal(mashd_restart_count(r), 0);
  mashd_restart_destroy(&r);
  assert_null(r);
  setenv("MASHD_RECONNECTS", "3", 1);
  setenv("MASHD_RECONNECT_SINCE_NS", "1", 1);
  setenv("MASHD_RECONNECT_WHY", "the store's session is lost", 1);
  r = mashd_restart_new(argv);
  assert_non_null(r);
  assert_int_equal(mashd_restart_count(r), 3);
  assert_null(getenv("MASHD_RECONNECTS"));
  assert_null(getenv("MASHD_RECONNECT_SINCE_NS"));
  mashd_restart_destroy(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_claim_held_is_skipped, setup, teardown),
      cmocka_unit_test_setup_teardown(test_two_brokers_fire_each_once, setup, teardown),
      cmocka_unit_test_setup_teardown(test_contact_claim, setup, teardown),
      cmocka_unit_test_setup_teardown(test_lost_session_reads_enotconn, setup, teardown),
      cmocka_unit_test(test_reconnect_decision),
      cmocka_unit_test(test_restart_counts_from_environment),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
