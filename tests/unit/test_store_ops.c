/* test_store_ops: the operations console's figures from a real store,
 * SQLite (broker/store/sqlite/store_sqlite_stats.c) or PostgreSQL as
 * test_store_ops_pg (store_pg_stats.c), both over store_figures.c, with
 * the same expectations. Rows are written straight into a store's file,
 * then read through the store: open work by RAG with the oldest, the
 * screening backlog in order, overdue requests by agency and level (open
 * enquiries only), and management information restricted to a range of
 * receipt times. Must not: leave files behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define UNIT_TESTING 1
#include <cmocka.h>

#include "test_dir.h"
#include "seal.h"
#include "store.h"
#include "store_fixture.h"

#define H 3600000LL

typedef struct fixture {
  char dir[64], db[128], key[128];
  mash_seal_t *seal;
  mash_store_t *store;
} fixture_t;

/* Rows written behind the store's back (x'00' is SQLite's blob literal:
 * PostgreSQL is given its own). */
static void s_sql(const char *path, const char *sql) {
  char *text = malloc(strlen(sql) * 3 + 1);
  assert_non_null(text);
  char *o = text;
  for (const char *p = sql; *p != '\0';) {
    if (store_fixture_is_pg() && strncmp(p, "x'00'", 5) == 0) {
      static const char bytea[] = "'\\x00'::bytea"; /* 14 bytes for 5: within 3x */
      memcpy(o, bytea, sizeof bytea - 1);
      o += sizeof bytea - 1;
      p += 5;
    } else {
      *o++ = *p++;
    }
  }
  *o = '\0';
  assert_int_equal(store_fixture_sql(path, text), 0);
  free(text);
}

static int s_setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/test_store_ops.XXXXXX");
  if (!mkdtemp(f->dir)) {
    return -1;
  }
  snprintf(f->db, sizeof f->db, "%s/mashd.db", f->dir);
  snprintf(f->key, sizeof f->key, "%s/data.key", f->dir);
  char err[256];
  f->seal = mash_seal_new(f->key, 1, err, sizeof err);
  if (store_fixture_reset() != 0) {
    return -1;
  }
  f->store = f->seal ? store_fixture_open(f->db, f->seal, err, sizeof err) : NULL;
  if (!f->store) {
    fprintf(stderr, "%s\n", err);
    return -1;
  }
  /* Contacts received at 1 h .. 5 h: C1 awaiting screening (received 1 h),
   * C2 awaiting (3 h), C3 screened red at 4 h (enquiry open), C4 screened
   * blue (no enquiry), C5 decided. */
  s_sql(f->db,
        "INSERT INTO contacts (id, contact_id, principal, message_id, received_at_ms, blob, state,"
        " screened_at_ms, decided_at_ms, domestic_abuse, dash_complete) VALUES"
        " (1, 'MASH-000001', 'police', 'm1', 3600000, x'00', 0, 0, 0, 1, 0),"
        " (2, 'MASH-000002', 'health', 'm2', 10800000, x'00', 0, 0, 0, 0, 0),"
        " (3, 'MASH-000003', 'police', 'm3', 7200000, x'00', 1, 14400000, 0, 1, 1),"
        " (4, 'MASH-000004', 'police', 'm4', 12600000, x'00', 2, 32400000, 0, 0, 0),"
        " (5, 'MASH-000005', 'health', 'm5', 18000000, x'00', 3, 19800000, 21600000, 0, 0);"
        "INSERT INTO enquiries (id, enquiry_id, contact_id, rag, opened_at_ms, closed_at_ms, "
        "decision,"
        " consent_status) VALUES"
        " (1, 'ENQ-000001', 'MASH-000003', 1, 14400000, 0, x'00', 3),"
        " (2, 'ENQ-000002', 'MASH-000005', 2, 19800000, 21600000, x'00', 0);"
        "INSERT INTO requests (id, request_id, enquiry_id, agency, rag, requested_at_ms, due_at_ms,"
        " answered_at_ms, level) VALUES"
        " (1, 'REQ-000001', 'ENQ-000001', 'housing', 1, 14400000, 28800000, 0, 2),"
        " (2, 'REQ-000002', 'ENQ-000001', 'health', 1, 14400000, 28800000, 20000000, 0),"
        " (3, 'REQ-000003', 'ENQ-000001', 'school', 1, 14400000, 28800000, 30000000, 0),"
        " (4, 'REQ-000004', 'ENQ-000002', 'housing', 2, 19800000, 25000000, 0, 1);"
        "INSERT INTO escalations (escalation_id, enquiry_id, request_id, level, at_ms, event)"
        " VALUES ('E1', 'ENQ-000001', 'REQ-000001', 1, 25000000, x'00'),"
        " ('E2', 'ENQ-000001', 'REQ-000001', 2, 28800000, x'00');");
  *state = f;
  return 0;
}

static int s_teardown(void **state) {
  fixture_t *f = *state;
  assert_int_equal(store_fixture_stop(f->dir, &f->seal, &f->store), 0);
  free(f);
  return 0;
}

static void test_now(void **state) {
  fixture_t *f = *state;
  mash_ops_figures_t *o = calloc(1, sizeof *o);
  assert_int_equal(mash_store_ops_figures(f->store, 0, 0, 10 * H, 4 * H, o), 0);
  assert_int_equal(o->open_count[0], 2); /* awaiting screening */
  assert_int_equal(o->open_oldest_ms[0], 1 * H);
  assert_int_equal(o->open_count[1], 1); /* red, enquiry open */
  assert_int_equal(o->open_oldest_ms[1], 2 * H);
  assert_int_equal(o->open_count[4], 1); /* screened without an enquiry: blue */
  assert_int_equal(o->open_count[2], 0); /* amber's contact is decided */
  assert_int_equal(o->n_due, 2);
  assert_string_equal(o->due[0].contact_id, "MASH-000001"); /* oldest first */
  assert_string_equal(o->due[1].contact_id, "MASH-000002");
  /* No screening duty rows here (contacts stored before the duties table):
   * receipt plus the window. */
  assert_int_equal(o->due[0].due_at_ms, 5 * H);
  assert_int_equal(o->due[1].due_at_ms, 7 * H);
  /* Overdue at 10 h: only REQ-000001 (REQ-000004's enquiry is closed). */
  assert_int_equal(o->n_overdue, 1);
  assert_string_equal(o->overdue[0].agency, "housing");
  assert_int_equal(o->overdue[0].level, 2);
  assert_int_equal(o->overdue[0].n, 1);
  assert_int_equal(o->overdue_requests, 1);
  assert_int_equal(o->open_enquiries, 1);
  /* Before the deadline nothing is overdue. */
  assert_int_equal(mash_store_ops_figures(f->store, 0, 0, 7 * H, 4 * H, o), 0);
  assert_int_equal(o->n_overdue, 0);
  assert_int_equal(o->overdue_requests, 0);
  free(o);
}

/* The screening deadline shown is the duty's own (the calendar moved C2's
 * to 4 h here, before C1's 5 h), and the list is ordered by it. */
static void test_screening_due_from_duty(void **state) {
  fixture_t *f = *state;
  s_sql(f->db, "INSERT INTO duties (kind, ref, start_ms, due_ms, next_at_ms) VALUES"
               " (2, 'MASH-000002', 10800000, 14400000, 14400000),"
               " (2, 'MASH-000003', 7200000, 21600000, 0);");
  mash_ops_figures_t *o = calloc(1, sizeof *o);
  assert_int_equal(mash_store_ops_figures(f->store, 0, 0, 10 * H, 4 * H, o), 0);
  assert_int_equal(o->n_due, 2);
  assert_string_equal(o->due[0].contact_id, "MASH-000002");
  assert_int_equal(o->due[0].due_at_ms, 4 * H);
  assert_int_equal(o->due[0].received_at_ms, 3 * H);
  assert_string_equal(o->due[1].contact_id, "MASH-000001");
  assert_int_equal(o->due[1].due_at_ms, 5 * H); /* no duty row: receipt plus the window */
  free(o);
}

static void test_everything(void **state) {
  fixture_t *f = *state;
  mash_ops_figures_t *o = calloc(1, sizeof *o);
  assert_int_equal(mash_store_ops_figures(f->store, 0, 0, 10 * H, 4 * H, o), 0);
  assert_int_equal(o->contacts, 5);
  assert_int_equal(o->n_sources, 2);
  assert_string_equal(o->sources[0].name, "health");
  assert_int_equal(o->sources[0].n, 2);
  assert_int_equal(o->sources[1].n, 3);
  assert_int_equal(o->screened, 3);
  /* C3 in 2 h, C5 in 0.5 h: within 4 h; C4 took 5.5 h. */
  assert_int_equal(o->screened_in_window, 2);
  assert_int_equal(o->to_screen.n, 3);
  assert_int_equal(o->to_screen.p50_ms, 2 * H);
  assert_int_equal(o->domestic_abuse, 2);
  assert_int_equal(o->dash_complete, 1);
  assert_int_equal(o->enquiries, 2);
  assert_int_equal(o->consent_recorded, 1);
  assert_int_equal(o->levels[1], 1);
  assert_int_equal(o->levels[2], 1);
  assert_int_equal(o->to_decision.n, 1);
  /* Replies on time: health answered before the deadline, school after. */
  assert_int_equal(o->n_replies, 4);
  for (size_t i = 0; i < o->n_replies; i++) {
    if (strcmp(o->replies[i].agency, "health") == 0) {
      assert_int_equal(o->replies[i].on_time, 1);
    } else if (strcmp(o->replies[i].agency, "school") == 0) {
      assert_int_equal(o->replies[i].answered, 1);
      assert_int_equal(o->replies[i].on_time, 0);
    }
  }
  free(o);
}

static void test_range(void **state) {
  fixture_t *f = *state;
  mash_ops_figures_t *o = calloc(1, sizeof *o);
  /* [2 h, 4 h): contacts C3 (2 h), C2 (3 h) and C4 (3.5 h); no enquiry
   * opened, no request sent, no escalation in the range. */
  assert_int_equal(mash_store_ops_figures(f->store, 2 * H, 4 * H, 10 * H, 4 * H, o), 0);
  assert_int_equal(o->contacts, 3);
  assert_int_equal(o->domestic_abuse, 1);
  assert_int_equal(o->screened, 2);
  assert_int_equal(o->enquiries, 0);
  assert_int_equal(o->n_replies, 0);
  assert_int_equal(o->levels[1] + o->levels[2], 0);
  /* The Now part does not depend on the range. */
  assert_int_equal(o->open_count[0], 2);
  assert_int_equal(o->overdue_requests, 1);
  /* [4 h, 6 h): the enquiries, requests and first escalation of that time. */
  assert_int_equal(mash_store_ops_figures(f->store, 4 * H, 6 * H, 10 * H, 4 * H, o), 0);
  assert_int_equal(o->contacts, 1); /* C5 at 5 h */
  assert_int_equal(o->enquiries, 2);
  assert_int_equal(o->n_replies, 4);
  free(o);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_now, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_screening_due_from_duty, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_everything, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_range, s_setup, s_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
