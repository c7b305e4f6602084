/* test_hub_store: the hub desk's tables (agents/hub/hub_store.h), on an
 * in-memory SQLite database.
 *
 * Each kind of delivered message is stored once: a redelivery reports "was
 * there" and changes nothing; the walks return what was stored, in order,
 * and skip (and count) rows that no longer decode; a database error is
 * reported, not hidden. Must not: use the network or write files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "hub_store.h"

#define UNIT_TESTING 1
#include <cmocka.h>

static int s_setup(void **state) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(hub_store_init(db), 0);
  assert_int_equal(hub_store_init(db), 0); /* twice is harmless */
  *state = db;
  return 0;
}

static int s_teardown(void **state) {
  sqlite3_close(*state);
  return 0;
}

static int64_t s_count(sqlite3 *db, const char *table) {
  char sql[128];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  int64_t n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

static void s_pack(Mash__V1__ConsolidatedPack *p, const char *enquiry, unsigned version,
                   int64_t issued) {
  mash__v1__consolidated_pack__init(p);
  p->enquiry_id = (char *)enquiry;
  p->contact_id = "MASH-000001";
  p->version = version;
  p->partial = version == 1;
  p->issued_at_ms = issued;
  p->rag = MASH__V1__RAG__RAG_AMBER;
}

typedef struct seen {
  char ids[8][32];
  unsigned versions[8];
  size_t n;
  size_t stop_after;
} seen_t;

static int s_pack_cb(const Mash__V1__ConsolidatedPack *p, void *arg) {
  seen_t *s = arg;
  snprintf(s->ids[s->n], sizeof s->ids[0], "%s", p->enquiry_id);
  s->versions[s->n++] = p->version;
  return s->stop_after && s->n >= s->stop_after;
}

static int s_contact_cb(const Mash__V1__Contact *c, void *arg) {
  seen_t *s = arg;
  snprintf(s->ids[s->n++], sizeof s->ids[0], "%s", c->contact_id);
  return 0;
}

static void test_contacts_once(void **state) {
  sqlite3 *db = *state;
  Mash__V1__Contact c = MASH__V1__CONTACT__INIT;
  c.contact_id = "MASH-000002";
  c.source_principal = "police";
  assert_int_equal(hub_store_contact_put(db, &c, 2000), 1);
  assert_int_equal(hub_store_contact_put(db, &c, 3000), 0);
  c.contact_id = "MASH-000001";
  assert_int_equal(hub_store_contact_put(db, &c, 1000), 1);
  assert_int_equal(s_count(db, "hub_contacts"), 2);
  seen_t s = {0};
  int skipped = 0;
  assert_int_equal(hub_store_contacts(db, s_contact_cb, &s, &skipped), 2);
  assert_int_equal(skipped, 0);
  /* In order of arrival at the desk. */
  assert_string_equal(s.ids[0], "MASH-000001");
  assert_string_equal(s.ids[1], "MASH-000002");
}

static void test_packs_once_per_version(void **state) {
  sqlite3 *db = *state;
  Mash__V1__ConsolidatedPack p;
  s_pack(&p, "ENQ-000002", 1, 5000);
  assert_int_equal(hub_store_pack_put(db, &p, 1), 1);
  assert_int_equal(hub_store_pack_put(db, &p, 2), 0);
  s_pack(&p, "ENQ-000001", 1, 4000);
  assert_int_equal(hub_store_pack_put(db, &p, 3), 1);
  s_pack(&p, "ENQ-000001", 2, 6000);
  assert_int_equal(hub_store_pack_put(db, &p, 4), 1);
  assert_int_equal(s_count(db, "hub_packs"), 3);
  seen_t s = {0};
  int skipped = 0;
  assert_int_equal(hub_store_packs(db, s_pack_cb, &s, &skipped), 3);
  /* In order of issue. */
  assert_string_equal(s.ids[0], "ENQ-000001");
  assert_int_equal(s.versions[0], 1);
  assert_string_equal(s.ids[1], "ENQ-000002");
  assert_string_equal(s.ids[2], "ENQ-000001");
  assert_int_equal(s.versions[2], 2);
  /* The callback can stop the walk. */
  seen_t first = {.stop_after = 1};
  assert_int_equal(hub_store_packs(db, s_pack_cb, &first, NULL), 1);
  /* The summary columns are filled for SQL readers. */
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT contact_id, partial, issued_ms FROM hub_packs"
                                      " WHERE enquiry_id = 'ENQ-000001' AND version = 2",
                                      -1, &st, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(st, 0), "MASH-000001");
  assert_int_equal(sqlite3_column_int(st, 1), 0);
  assert_int_equal(sqlite3_column_int64(st, 2), 6000);
  sqlite3_finalize(st);
}

static void test_escalations_once(void **state) {
  sqlite3 *db = *state;
  Mash__V1__EscalationEvent e = MASH__V1__ESCALATION_EVENT__INIT;
  e.escalation_id = "REQ-000001-L2";
  e.enquiry_id = "ENQ-000001";
  e.request_id = "REQ-000001";
  e.contact_id = "MASH-000001";
  e.agency = "housing";
  e.level = 2;
  assert_int_equal(hub_store_escalation_put(db, &e, 10), 1);
  assert_int_equal(hub_store_escalation_put(db, &e, 11), 0);
  e.escalation_id = "REQ-000001-L3";
  e.level = 3;
  assert_int_equal(hub_store_escalation_put(db, &e, 12), 1);
  assert_int_equal(s_count(db, "hub_escalations"), 2);
  /* A screening escalation has no enquiry, request or agency. */
  Mash__V1__EscalationEvent s = MASH__V1__ESCALATION_EVENT__INIT;
  s.escalation_id = "MASH-000009-S1";
  s.contact_id = "MASH-000009";
  s.level = 1;
  assert_int_equal(hub_store_escalation_put(db, &s, 13), 1);
}

static void test_undecodable_rows_skipped(void **state) {
  sqlite3 *db = *state;
  Mash__V1__ConsolidatedPack p;
  s_pack(&p, "ENQ-000001", 1, 4000);
  assert_int_equal(hub_store_pack_put(db, &p, 1), 1);
  assert_int_equal(sqlite3_exec(db,
                                "INSERT INTO hub_packs VALUES ('ENQ-9', 1, 1, 'M', 0, 1,"
                                " x'ffffffffffff')",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(db, "INSERT INTO hub_contacts VALUES ('M', 1, x'0aff')", NULL, NULL, NULL),
      SQLITE_OK);
  seen_t s = {0};
  int skipped = 0;
  assert_int_equal(hub_store_packs(db, s_pack_cb, &s, &skipped), 1);
  assert_int_equal(skipped, 1);
  skipped = 0;
  seen_t c = {0};
  assert_int_equal(hub_store_contacts(db, s_contact_cb, &c, &skipped), 0);
  assert_int_equal(skipped, 1);
}

static void test_errors_reported(void **state) {
  sqlite3 *db = *state;
  assert_int_equal(sqlite3_exec(db,
                                "DROP TABLE hub_packs; DROP TABLE hub_escalations;"
                                " DROP TABLE hub_contacts",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  Mash__V1__ConsolidatedPack p;
  s_pack(&p, "ENQ-000001", 1, 4000);
  assert_int_equal(hub_store_pack_put(db, &p, 1), -1);
  Mash__V1__EscalationEvent e = MASH__V1__ESCALATION_EVENT__INIT;
  e.escalation_id = "E";
  assert_int_equal(hub_store_escalation_put(db, &e, 1), -1);
  Mash__V1__Contact c = MASH__V1__CONTACT__INIT;
  assert_int_equal(hub_store_contact_put(db, &c, 1), -1);
  seen_t s = {0};
  assert_int_equal(hub_store_packs(db, s_pack_cb, &s, NULL), -1);
  assert_int_equal(hub_store_contacts(db, s_contact_cb, &s, NULL), -1);
  /* A read-only database refuses the write: reported, not ignored. */
  assert_int_equal(hub_store_init(db), 0);
  assert_int_equal(sqlite3_exec(db, "PRAGMA query_only = 1", NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(hub_store_pack_put(db, &p, 1), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_contacts_once, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_packs_once_per_version, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_escalations_once, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_undecodable_rows_skipped, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_errors_reported, s_setup, s_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
