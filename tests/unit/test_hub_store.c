/* test_hub_store: the hub desk's tables (agents/hub/hub_store.h), on an
 * in-memory SQLite database.
 *
 * Each kind of delivered message is stored once: a redelivery reports "was
 * there" and changes nothing; the walks return what was stored, in order,
 * and skip (and count) rows that no longer decode; a database error is
 * reported, not hidden. A contact's possible person matches are kept, listed
 * while open (the oldest first) and closed, confirmed or rejected, once the
 * broker accepts the hub's match command. Every blob is sealed with a data
 * key (made in a temporary folder and removed at once), and an older store's
 * blobs are sealed at init. Must not: use the network or keep files.
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

#include "agent_seal.h"
#include "hub_store.h"

#define UNIT_TESTING 1
#include <cmocka.h>

#include "test_seal_key.h"

/* The desk's data key: the connection seals and opens blobs with it. */
static mash_seal_t *s_seal;

static int s_setup(void **state) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  s_seal = test_seal_key_new();
  assert_non_null(s_seal);
  assert_int_equal(agent_seal_sql(db, s_seal), 0);
  assert_int_equal(hub_store_init(db), 0);
  assert_int_equal(hub_store_init(db), 0); /* twice is harmless */
  *state = db;
  return 0;
}

static int s_teardown(void **state) {
  sqlite3_close(*state);
  mash_seal_destroy(&s_seal);
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

/* ---------------------------------------------------------------- possible matches */

typedef struct match_seen {
  char ids[8][32];
  char lines[8][160];
  size_t n;
} match_seen_t;

static int s_match_cb(const hub_match_t *m, void *arg) {
  match_seen_t *s = arg;
  assert_true(s->n < 8);
  snprintf(s->ids[s->n], sizeof s->ids[0], "%s", m->match_id);
  snprintf(s->lines[s->n], sizeof s->lines[0], "%s %s %s->%s new %s %u %s %lld", m->match_id,
           m->contact_id, m->ref, m->candidate_person_id, m->person_id,
           (unsigned)m->confidence_permille, m->why, (long long)m->received_ms);
  s->n++;
  return 0;
}

static match_seen_t s_open(sqlite3 *db) {
  match_seen_t s;
  memset(&s, 0, sizeof s);
  int n = hub_store_open_matches(db, s_match_cb, &s);
  assert_int_equal(n, (int)s.n);
  return s;
}

/* A contact whose c1 resolved by identifier, c2 only to a possible match
 * (a new record P-000009 that may be P-000007), and a1 to a new record. */
static void s_contact_with_links(Mash__V1__Contact *c, Mash__V1__PersonLink *links,
                                 Mash__V1__PersonLink **ptrs, const char *contact_id,
                                 const char *match_id, int64_t received) {
  mash__v1__contact__init(c);
  c->contact_id = (char *)contact_id;
  c->source_principal = "police";
  c->received_at_ms = received;
  for (size_t i = 0; i < 3; i++) {
    mash__v1__person_link__init(&links[i]);
    ptrs[i] = &links[i];
  }
  links[0].ref = "c1";
  links[0].person_id = "P-000001";
  links[0].decision = "identifier";
  links[0].confidence_permille = 1000;
  links[0].why = "nhs_number";
  links[1].ref = "c2";
  links[1].person_id = "P-000009";
  links[1].decision = "possible";
  links[1].confidence_permille = 800;
  links[1].why = "dob+surname+postcode";
  links[1].candidate_person_id = "P-000007";
  links[1].match_id = (char *)match_id;
  links[2].ref = "a1";
  links[2].person_id = "P-000010";
  links[2].decision = "new";
  c->persons = ptrs;
  c->n_persons = 3;
}

static void test_possible_matches_recorded(void **state) {
  sqlite3 *db = *state;
  Mash__V1__Contact c1, c2;
  Mash__V1__PersonLink l1[3], l2[3], *p1[3], *p2[3];
  s_contact_with_links(&c1, l1, p1, "MASH-000003", "M-000002", 7000);
  s_contact_with_links(&c2, l2, p2, "MASH-000002", "M-000001", 5000);
  assert_int_equal(s_open(db).n, 0);
  assert_int_equal(hub_store_contact_put(db, &c1, 9000), 1);
  assert_int_equal(hub_store_contact_put(db, &c2, 9500), 1);
  /* Only the possible links are matches: one each. */
  assert_int_equal(s_count(db, "hub_matches"), 2);
  assert_int_equal(hub_store_contact_open_matches(db, "MASH-000003"), 1);
  assert_int_equal(hub_store_contact_open_matches(db, "MASH-000002"), 1);
  assert_int_equal(hub_store_contact_open_matches(db, "MASH-000404"), 0);
  /* The oldest (by the broker's received time) first, with every field. */
  match_seen_t s = s_open(db);
  assert_int_equal(s.n, 2);
  assert_string_equal(s.lines[0],
                      "M-000001 MASH-000002 c2->P-000007 new P-000009 800 dob+surname+postcode "
                      "5000");
  assert_string_equal(s.ids[1], "M-000002");
  /* A redelivered contact adds nothing. */
  assert_int_equal(hub_store_contact_put(db, &c1, 9900), 0);
  assert_int_equal(s_count(db, "hub_matches"), 2);
  /* Without the broker's received time, the desk's own is used. */
  Mash__V1__Contact c3;
  Mash__V1__PersonLink l3[3], *p3[3];
  s_contact_with_links(&c3, l3, p3, "MASH-000004", "M-000003", 0);
  assert_int_equal(hub_store_contact_put(db, &c3, 8000), 1);
  s = s_open(db);
  assert_int_equal(s.n, 3);
  assert_string_equal(s.ids[1], "M-000002"); /* 7000 */
  assert_string_equal(s.ids[2], "M-000003"); /* 8000 */
  /* A "possible" link without a match id leaves nothing to decide. */
  Mash__V1__Contact c4;
  Mash__V1__PersonLink l4[3], *p4[3];
  s_contact_with_links(&c4, l4, p4, "MASH-000005", "", 100);
  assert_int_equal(hub_store_contact_put(db, &c4, 8000), 1);
  assert_int_equal(s_count(db, "hub_matches"), 3);
}

static int s_confirmed(sqlite3 *db, const char *match_id) {
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT coalesce(confirmed, -1) FROM hub_matches"
                                      " WHERE match_id = ?1 AND closed_ms IS NOT NULL",
                                      -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_text(st, 1, match_id, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -2;
  sqlite3_finalize(st);
  return rc; /* 1 confirmed, 0 rejected, -2 open or unknown */
}

static void test_match_closed_when_accepted(void **state) {
  sqlite3 *db = *state;
  Mash__V1__Contact c1, c2;
  Mash__V1__PersonLink l1[3], l2[3], *p1[3], *p2[3];
  s_contact_with_links(&c1, l1, p1, "MASH-000002", "M-000001", 5000);
  s_contact_with_links(&c2, l2, p2, "MASH-000003", "M-000002", 7000);
  assert_int_equal(hub_store_contact_put(db, &c1, 9000), 1);
  assert_int_equal(hub_store_contact_put(db, &c2, 9000), 1);

  /* Sent but not yet accepted: still open. */
  assert_int_equal(hub_store_match_command_put(db, "msg-confirm", "M-000001", true, 10000), 0);
  assert_int_equal(hub_store_match_command_put(db, "msg-confirm", "M-000001", true, 10001), 0);
  assert_int_equal(s_open(db).n, 2);
  assert_int_equal(s_confirmed(db, "M-000001"), -2);

  /* Accepted: closed as confirmed, and no longer listed. */
  assert_int_equal(hub_store_command_accepted(db, "msg-confirm", 11000), 1);
  assert_int_equal(s_confirmed(db, "M-000001"), 1);
  match_seen_t s = s_open(db);
  assert_int_equal(s.n, 1);
  assert_string_equal(s.ids[0], "M-000002");
  assert_int_equal(hub_store_contact_open_matches(db, "MASH-000002"), 0);
  assert_int_equal(hub_store_contact_open_matches(db, "MASH-000003"), 1);

  /* A resent receipt and a redelivered contact change nothing; a second
   * decision the desk sent is not the broker's (it keeps the first). */
  assert_int_equal(hub_store_command_accepted(db, "msg-confirm", 12000), 1);
  assert_int_equal(hub_store_contact_put(db, &c1, 12000), 0);
  assert_int_equal(hub_store_match_command_put(db, "msg-reject-late", "M-000001", false, 12500), 0);
  assert_int_equal(hub_store_command_accepted(db, "msg-reject-late", 13000), 1);
  assert_int_equal(s_confirmed(db, "M-000001"), 1);
  assert_int_equal(s_open(db).n, 1);

  /* Rejected. */
  assert_int_equal(hub_store_match_command_put(db, "msg-reject", "M-000002", false, 14000), 0);
  assert_int_equal(hub_store_command_accepted(db, "msg-reject", 15000), 1);
  assert_int_equal(s_confirmed(db, "M-000002"), 0);
  assert_int_equal(s_open(db).n, 0);
  assert_int_equal(hub_store_contact_open_matches(db, "MASH-000003"), 0);

  /* A match command for a match this desk does not keep is still a match
   * command; an unknown message id is nothing. */
  assert_int_equal(hub_store_match_command_put(db, "msg-other", "M-000099", true, 16000), 0);
  assert_int_equal(hub_store_command_accepted(db, "msg-other", 16000), 1);
  assert_int_equal(hub_store_command_accepted(db, "msg-unknown", 16000), 0);
  assert_int_equal(s_count(db, "hub_matches"), 2);

  /* Screening commands are unaffected: their contact leaves the queue. */
  assert_int_equal(
      hub_store_command_put(db, "msg-screen", HUB_COMMAND_SCREENING, "MASH-000002", 17000), 0);
  assert_int_equal(hub_store_command_accepted(db, "msg-screen", 17000), 1);
  assert_int_equal(s_count(db, "hub_contact_state"), 1);
}

/* The link of `ref` in the stored contact `id`: "person decision candidate
 * why" into out. */
typedef struct link_seen {
  const char *contact_id, *ref;
  char text[256];
} link_seen_t;

static int s_link_cb(const Mash__V1__Contact *c, void *arg) {
  link_seen_t *l = arg;
  if (strcmp(c->contact_id, l->contact_id) != 0) {
    return 0;
  }
  for (size_t i = 0; i < c->n_persons; i++) {
    const Mash__V1__PersonLink *p = c->persons[i];
    if (strcmp(p->ref, l->ref) == 0) {
      snprintf(l->text, sizeof l->text, "%s %s %s %s", p->person_id, p->decision,
               p->candidate_person_id[0] ? p->candidate_person_id : "-", p->why);
    }
  }
  return 0;
}

static const char *s_held(sqlite3 *db, link_seen_t *l, const char *contact_id, const char *ref) {
  l->contact_id = contact_id;
  l->ref = ref;
  l->text[0] = '\0';
  assert_true(hub_store_contacts(db, s_link_cb, l, NULL) >= 0);
  return l->text;
}

/* The broker's MatchOutcome re-links the contacts the desk holds. */
static void test_match_outcome_relinks(void **state) {
  sqlite3 *db = *state;
  Mash__V1__Contact c1, c2;
  Mash__V1__PersonLink l1[3], l2[3], *p1[3], *p2[3];
  /* Both contacts name P-000009 (c2), each offered as a possible match. */
  s_contact_with_links(&c1, l1, p1, "MASH-000002", "M-000001", 5000);
  s_contact_with_links(&c2, l2, p2, "MASH-000003", "M-000002", 7000);
  assert_int_equal(hub_store_contact_put(db, &c1, 9000), 1);
  assert_int_equal(hub_store_contact_put(db, &c2, 9000), 1);
  link_seen_t l;
  assert_string_equal(s_held(db, &l, "MASH-000002", "c2"),
                      "P-000009 possible P-000007 dob+surname+postcode");

  /* Confirmed: every link to the merged record names the candidate. */
  Mash__V1__MatchOutcome o = MASH__V1__MATCH_OUTCOME__INIT;
  o.match_id = "M-000001";
  o.confirmed = true;
  o.person_id = "P-000007";
  o.merged_person_id = "P-000009";
  assert_int_equal(hub_store_match_outcome(db, &o, 10000), 2);
  assert_string_equal(s_held(db, &l, "MASH-000002", "c2"),
                      "P-000007 possible P-000007 dob+surname+postcode; confirmed M-000001");
  assert_string_equal(s_held(db, &l, "MASH-000003", "c2"),
                      "P-000007 possible P-000007 dob+surname+postcode; confirmed M-000001");
  /* Other links are untouched. */
  assert_string_equal(s_held(db, &l, "MASH-000002", "c1"), "P-000001 identifier - nhs_number");
  assert_int_equal(s_confirmed(db, "M-000001"), 1);
  /* The other open match now names the person its record became. */
  match_seen_t s = s_open(db);
  assert_int_equal(s.n, 1);
  assert_string_equal(s.lines[0], "M-000002 MASH-000003 c2->P-000007 new P-000007 800 "
                                  "dob+surname+postcode 7000");
  /* Redelivered: nothing changes. */
  assert_int_equal(hub_store_match_outcome(db, &o, 11000), 0);

  /* Rejected: the link that offered it is a new person. */
  Mash__V1__MatchOutcome r = MASH__V1__MATCH_OUTCOME__INIT;
  r.match_id = "M-000002";
  r.person_id = "P-000007";
  r.merged_person_id = "";
  assert_int_equal(hub_store_match_outcome(db, &r, 12000), 1);
  assert_string_equal(s_held(db, &l, "MASH-000003", "c2"),
                      "P-000007 new - dob+surname+postcode; confirmed M-000001; rejected M-000002");
  assert_int_equal(s_confirmed(db, "M-000002"), 0);
  assert_int_equal(s_open(db).n, 0);
  assert_int_equal(hub_store_match_outcome(db, &r, 13000), 0);
}

/* 1 when column `col` of any row of `table` holds the bytes of `marker`. */
static int s_raw_holds(sqlite3 *db, const char *table, const char *col, const char *marker) {
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE instr(%s, CAST(?1 AS BLOB)) > 0", table,
           col);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_text(st, 1, marker, -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  int n = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return n > 0;
}

/* Issue 13: the blobs are sealed: a marker in a contact, pack or escalation
 * is not in the table's bytes, and each reads back through the walks. */
static void test_blobs_sealed(void **state) {
  sqlite3 *db = *state;
  Mash__V1__Contact c = MASH__V1__CONTACT__INIT;
  c.contact_id = "MASH-000001";
  c.source_principal = "MarkerZebraQuill";
  assert_int_equal(hub_store_contact_put(db, &c, 1000), 1);
  Mash__V1__ConsolidatedPack p;
  s_pack(&p, "ENQ-000001", 1, 4000);
  char *missing[] = {"MarkerZebraQuill"};
  p.missing_agencies = missing;
  p.n_missing_agencies = 1;
  assert_int_equal(hub_store_pack_put(db, &p, 1), 1);
  Mash__V1__EscalationEvent e = MASH__V1__ESCALATION_EVENT__INIT;
  e.escalation_id = "E-1";
  e.enquiry_id = "ENQ-000001";
  e.request_id = "REQ-000001";
  e.contact_id = "MASH-000001";
  e.agency = "housing";
  e.step = "MarkerZebraQuill";
  assert_int_equal(hub_store_escalation_put(db, &e, 1), 1);
  assert_false(s_raw_holds(db, "hub_contacts", "contact", "MarkerZebraQuill"));
  assert_false(s_raw_holds(db, "hub_packs", "pack", "MarkerZebraQuill"));
  assert_false(s_raw_holds(db, "hub_escalations", "escalation", "MarkerZebraQuill"));
  seen_t s = {0};
  assert_int_equal(hub_store_contacts(db, s_contact_cb, &s, NULL), 1);
  assert_int_equal(hub_store_packs(db, s_pack_cb, &s, NULL), 1);
  /* A blob moved to another row does not open there: skipped, counted. */
  assert_int_equal(sqlite3_exec(db,
                                "INSERT INTO hub_contacts SELECT 'MASH-000002', 2, contact"
                                " FROM hub_contacts WHERE contact_id = 'MASH-000001'",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  int skipped = 0;
  seen_t t = {0};
  assert_int_equal(hub_store_contacts(db, s_contact_cb, &t, &skipped), 1);
  assert_int_equal(skipped, 1);
}

/* A desk store from before sealing: its plaintext blobs are sealed once by
 * hub_store_init, and read back as before. */
static void test_older_store_sealed(void **state) {
  sqlite3 *db = *state;
  Mash__V1__Contact c = MASH__V1__CONTACT__INIT;
  c.contact_id = "MASH-000001";
  c.source_principal = "MarkerZebraQuill";
  size_t len = mash__v1__contact__get_packed_size(&c);
  uint8_t buf[256];
  assert_true(len <= sizeof buf);
  mash__v1__contact__pack(&c, buf);
  /* As an older desk left it: the blob in plaintext, no seal marker. */
  assert_int_equal(sqlite3_exec(db, "DELETE FROM hub_sealed", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO hub_contacts VALUES ('MASH-000001', 1, ?1)",
                                      -1, &st, NULL),
                   SQLITE_OK);
  sqlite3_bind_blob(st, 1, buf, (int)len, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  assert_true(s_raw_holds(db, "hub_contacts", "contact", "MarkerZebraQuill"));
  assert_int_equal(hub_store_init(db), 0);
  assert_false(s_raw_holds(db, "hub_contacts", "contact", "MarkerZebraQuill"));
  seen_t s = {0};
  int skipped = 0;
  assert_int_equal(hub_store_contacts(db, s_contact_cb, &s, &skipped), 1);
  assert_int_equal(skipped, 0);
  assert_string_equal(s.ids[0], "MASH-000001");
  /* Once: a second init seals nothing again (it would not open then). */
  assert_int_equal(hub_store_init(db), 0);
  assert_int_equal(hub_store_contacts(db, s_contact_cb, &s, &skipped), 1);
  assert_int_equal(skipped, 0);
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
  assert_int_equal(
      sqlite3_exec(db, "DROP TABLE hub_matches; DROP TABLE hub_match_commands", NULL, NULL, NULL),
      SQLITE_OK);
  match_seen_t m;
  memset(&m, 0, sizeof m);
  assert_int_equal(hub_store_open_matches(db, s_match_cb, &m), -1);
  assert_int_equal(hub_store_contact_open_matches(db, "MASH-000001"), -1);
  assert_int_equal(hub_store_match_command_put(db, "m", "M-1", true, 1), -1);
  assert_int_equal(hub_store_command_accepted(db, "m", 1), -1);
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
      cmocka_unit_test_setup_teardown(test_possible_matches_recorded, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_match_closed_when_accepted, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_match_outcome_relinks, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_undecodable_rows_skipped, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_blobs_sealed, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_older_store_sealed, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_errors_reported, s_setup, s_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
