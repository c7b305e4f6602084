/* store_sqlite_schema: the SQLite store's schema, as one ordered list of
 * migrations, and the code that applies them.
 *
 * Responsible for: every table, column and index of the store, version by
 * version. Version n is the schema after the first n migrations; the
 * version a database is at is recorded in it (PRAGMA user_version) and each
 * migration is applied with its new version in one transaction, so a crash
 * leaves the database at one version or the next, never between. Must not:
 * edit or reorder a migration that has been released (append a new one), or
 * touch a database whose version is newer than this list knows.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "store_logic.h"
#include "store_sqlite_int.h"

typedef struct s_migration {
  const char *name; /* what it adds, for errors */
  const char *sql;
} s_migration_t;

/* Migration n (0-based) takes user_version n to n + 1. Append, never edit. */
static const s_migration_t MIGRATIONS[] = {
    /* 1: contacts and their delivery to the hub desk. */
    {"contacts",
     "CREATE TABLE contacts ("
     "  id INTEGER PRIMARY KEY,"
     "  contact_id TEXT NOT NULL UNIQUE,"
     "  principal TEXT NOT NULL,"
     "  message_id TEXT NOT NULL,"
     "  received_at_ms INTEGER NOT NULL,"
     "  blob BLOB NOT NULL,"
     "  delivered_at_ms INTEGER NULL,"
     "  delivered_to TEXT NULL,"
     "  UNIQUE (principal, message_id));"
     "CREATE INDEX contacts_undelivered ON contacts (id) WHERE delivered_at_ms IS NULL;"},
    /* 2: the enquiry: contact states, the inbox, enquiries, requests,
     * escalations and the outbox. */
    {"enquiries",
     "ALTER TABLE contacts ADD COLUMN state INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE contacts ADD COLUMN state_at_ms INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE contacts ADD COLUMN outcome INTEGER NOT NULL DEFAULT 0;"
     "CREATE TABLE inbox ("
     "  principal TEXT NOT NULL, message_id TEXT NOT NULL, at_ms INTEGER NOT NULL,"
     "  result BLOB NOT NULL, PRIMARY KEY (principal, message_id));"
     "CREATE TABLE enquiries ("
     "  id INTEGER PRIMARY KEY, enquiry_id TEXT NOT NULL UNIQUE, contact_id TEXT NOT NULL,"
     "  rag INTEGER NOT NULL, opened_at_ms INTEGER NOT NULL, closed_at_ms INTEGER NOT NULL "
     "DEFAULT 0,"
     "  pack_version INTEGER NOT NULL DEFAULT 0, decision BLOB NOT NULL);"
     "CREATE INDEX enquiries_contact ON enquiries (contact_id);"
     "CREATE TABLE requests ("
     "  id INTEGER PRIMARY KEY, request_id TEXT NOT NULL UNIQUE, enquiry_id TEXT NOT NULL,"
     "  agency TEXT NOT NULL, rag INTEGER NOT NULL, requested_at_ms INTEGER NOT NULL,"
     "  due_at_ms INTEGER NOT NULL, answered_at_ms INTEGER NOT NULL DEFAULT 0,"
     "  level INTEGER NOT NULL DEFAULT 0, level_at_ms INTEGER NOT NULL DEFAULT 0,"
     "  response BLOB NULL);"
     "CREATE INDEX requests_enquiry ON requests (enquiry_id);"
     "CREATE TABLE escalations ("
     "  id INTEGER PRIMARY KEY, escalation_id TEXT NOT NULL UNIQUE, enquiry_id TEXT NOT NULL,"
     "  request_id TEXT NOT NULL, level INTEGER NOT NULL, at_ms INTEGER NOT NULL,"
     "  event BLOB NOT NULL);"
     "CREATE INDEX escalations_enquiry ON escalations (enquiry_id);"
     "CREATE TABLE outbox ("
     "  id INTEGER PRIMARY KEY, message_id TEXT NOT NULL UNIQUE, target TEXT NOT NULL,"
     "  created_at_ms INTEGER NOT NULL, frame BLOB NOT NULL,"
     "  delivered_at_ms INTEGER NULL, delivered_to TEXT NULL);"
     "CREATE INDEX outbox_pending ON outbox (id) WHERE delivered_at_ms IS NULL;"},
    /* 3: the plain columns management information reads. */
    {"management information",
     "ALTER TABLE contacts ADD COLUMN domestic_abuse INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE contacts ADD COLUMN dash_present INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE contacts ADD COLUMN dash_complete INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE contacts ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE contacts ADD COLUMN quality_flags TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE contacts ADD COLUMN screened_at_ms INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE contacts ADD COLUMN decided_at_ms INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE enquiries ADD COLUMN consent_status INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE enquiries ADD COLUMN first_pack_at_ms INTEGER NOT NULL DEFAULT 0;"},
    /* 4: the person index: resolution columns on contacts, persons, their
     * keys, links, relations and possible matches. */
    {"person index",
     "ALTER TABLE contacts ADD COLUMN concern INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE contacts ADD COLUMN red_flag INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE contacts ADD COLUMN occurred_at_ms INTEGER NOT NULL DEFAULT 0;"
     /* Stored and acknowledged, its people not yet resolved: not delivered. */
     "ALTER TABLE contacts ADD COLUMN unresolved INTEGER NOT NULL DEFAULT 0;"
     "CREATE INDEX contacts_unresolved ON contacts (id) WHERE unresolved = 1;"
     "CREATE TABLE persons ("
     "  id INTEGER PRIMARY KEY, created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL,"
     "  is_child INTEGER NOT NULL DEFAULT 0, address_key BLOB NULL,"
     "  address_at_ms INTEGER NOT NULL DEFAULT 0, merged_into INTEGER NULL,"
     "  record BLOB NOT NULL);"
     "CREATE INDEX persons_address ON persons (address_key) "
     "  WHERE address_key IS NOT NULL AND merged_into IS NULL;"
     "CREATE TABLE person_keys ("
     "  key BLOB NOT NULL, person INTEGER NOT NULL, PRIMARY KEY (key, person)) WITHOUT ROWID;"
     "CREATE INDEX person_keys_person ON person_keys (person);"
     "CREATE TABLE person_links ("
     "  contact_id TEXT NOT NULL, ref TEXT NOT NULL, person INTEGER NOT NULL,"
     "  decision TEXT NOT NULL, confidence INTEGER NOT NULL, why TEXT NOT NULL,"
     "  at_ms INTEGER NOT NULL, PRIMARY KEY (contact_id, ref));"
     "CREATE INDEX person_links_person ON person_links (person, at_ms);"
     "CREATE TABLE person_relations ("
     "  a INTEGER NOT NULL, b INTEGER NOT NULL, at_ms INTEGER NOT NULL,"
     "  PRIMARY KEY (a, b)) WITHOUT ROWID;"
     "CREATE INDEX person_relations_b ON person_relations (b);"
     "CREATE TABLE matches ("
     "  id INTEGER PRIMARY KEY, contact_id TEXT NOT NULL, ref TEXT NOT NULL,"
     "  person INTEGER NOT NULL, candidate INTEGER NOT NULL, confidence INTEGER NOT NULL,"
     "  why TEXT NOT NULL, state INTEGER NOT NULL DEFAULT 0, created_at_ms INTEGER NOT NULL,"
     "  decided_at_ms INTEGER NOT NULL DEFAULT 0, decided_by TEXT NULL, decision BLOB NULL);"
     "CREATE INDEX matches_open ON matches (id) WHERE state = 0;"
     "CREATE INDEX matches_candidate ON matches (candidate) WHERE state = 0;"},
    /* 5: the duties of the one timetable (store_sqlite_duty.c): every timed
     * duty with its window, level and next instant, and an index of the open
     * ones (start-up reads only those). Requests open when the table is made
     * become duties due for a look at once (next_at_ms 0); contacts received
     * before it have no screening or decision duty. */
    {"duties",
     "CREATE TABLE duties ("
     "  duty INTEGER PRIMARY KEY, kind INTEGER NOT NULL, ref TEXT NOT NULL,"
     "  rag INTEGER NOT NULL DEFAULT 0, start_ms INTEGER NOT NULL, due_ms INTEGER NOT NULL,"
     "  level INTEGER NOT NULL DEFAULT 0, level_at_ms INTEGER NOT NULL DEFAULT 0,"
     "  next_at_ms INTEGER NOT NULL, done_at_ms INTEGER NOT NULL DEFAULT 0,"
     "  UNIQUE (kind, ref));"
     "CREATE INDEX duties_open ON duties (duty, next_at_ms) WHERE done_at_ms = 0;"
     "INSERT INTO duties (kind, ref, rag, start_ms, due_ms, level, level_at_ms, next_at_ms) "
     "  SELECT 1, r.request_id, r.rag, r.requested_at_ms, r.due_at_ms, r.level, r.level_at_ms, 0"
     "  FROM requests r JOIN enquiries e USING (enquiry_id)"
     "  WHERE r.answered_at_ms = 0 AND e.closed_at_ms = 0;"},
    /* 6: clusters (issue 9): the open matches a person is the new side of. */
    {"matches by person", "CREATE INDEX matches_person ON matches (person) WHERE state = 0;"},
    /* 7: refused commands kept in the inbox expire (issue 13): marked, and
     * found by age. */
    {"inbox refusals", "ALTER TABLE inbox ADD COLUMN refused INTEGER NOT NULL DEFAULT 0;"
                       "CREATE INDEX inbox_refused ON inbox (at_ms) WHERE refused = 1;"},
    /* 8: term frequencies (issue 9): how many person records carry each
     * name, by the name's blind index (never the name). A store made before
     * counts from here on; until it holds many, the matcher's smoothing
     * keeps to the table's weights. */
    {"person terms", "CREATE TABLE person_terms (key BLOB PRIMARY KEY, n INTEGER NOT NULL) "
                     "WITHOUT ROWID;"},
    /* 9: the escalation log appended from the store (store_sqlite_esclog.c):
     * how far the log was durable (a log ending before it was cut or
     * deleted), and the steps stored before sequence numbers, whose lines
     * carry none (taken as logged, as the old log wrote them). */
    {"escalation log mark",
     "CREATE TABLE esclog_mark ("
     "  k INTEGER PRIMARY KEY CHECK (k = 1), appended_seq INTEGER NOT NULL,"
     "  legacy_seq INTEGER NOT NULL);"
     "INSERT INTO esclog_mark (k, appended_seq, legacy_seq)"
     "  SELECT 1, COALESCE(MAX(id), 0), COALESCE(MAX(id), 0) FROM escalations;"},
    /* 10: files the agencies' adapters refused as invalid input (issue 12),
     * one row per report (principal, message id unique: a resend is one),
     * with the reason kind and the field paths ('\n'-separated): no child
     * data (store_sqlite_rejection.c). */
    {"adapter rejections",
     "CREATE TABLE adapter_rejections ("
     "  id INTEGER PRIMARY KEY, principal TEXT NOT NULL, message_id TEXT NOT NULL,"
     "  reason TEXT NOT NULL, fields TEXT NOT NULL, received_at_ms INTEGER NOT NULL,"
     "  UNIQUE (principal, message_id));"},
    /* 11: comparison summaries (issue 9, resolve.c): per person record, what
     * the matcher compares, already normalised, sealed with the person's id
     * (match.h, mash_match_summary_write), so that a look-up scores its
     * candidates without opening and normalising each record. Made empty:
     * a record without one is read whole and its summary written then
     * (lazily, so a large store opens at once). Dropped when the record is
     * put again or merged away; is_child is copied from persons when kept. */
    {"person summaries",
     "CREATE TABLE person_summaries ("
     "  id INTEGER PRIMARY KEY, is_child INTEGER NOT NULL, summary BLOB NOT NULL);"},
};

#define SCHEMA_VERSION ((int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]))

int store_sqlite_schema_version(void) {
  return SCHEMA_VERSION;
}

int store_sqlite_user_version(sqlite3 *db, int *version) {
  sqlite3_stmt *q = NULL;
  int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(q);
  }
  int out = 0;
  if (rc == SQLITE_ROW) {
    *version = sqlite3_column_int(q, 0);
  } else {
    out = store_sqlite_errno(rc == SQLITE_DONE ? SQLITE_MISUSE : rc);
  }
  sqlite3_finalize(q);
  return out;
}

/* Bring the schema to `target`, one migration per transaction. The version
 * is read again under the write lock so two processes opening the same new
 * file cannot both migrate it. */
int store_sqlite_migrate(sqlite3 *db, int target, char *err, size_t errlen) {
  if (store_logic_migrate_target(target, SCHEMA_VERSION, err, errlen) != 0) {
    return -EINVAL;
  }
  for (;;) {
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
      char why[256];
      snprintf(err, errlen, "schema migration failed: %s",
               store_sqlite_errmsg(db, why, sizeof why));
      return store_sqlite_errno(rc);
    }
    int version = 0;
    int vrc = store_sqlite_user_version(db, &version);
    if (vrc != 0) {
      snprintf(err, errlen, "schema migration failed: %s", sqlite3_errmsg(db));
      sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
      return vrc;
    }
    if (version > SCHEMA_VERSION || version < 0) {
      snprintf(err, errlen, "database schema version %d is not one this mashd knows (%d)", version,
               SCHEMA_VERSION);
      sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
      return -EPROTO;
    }
    if (version >= target) {
      return store_sqlite_errno(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL));
    }
    rc = sqlite3_exec(db, MIGRATIONS[version].sql, NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
      char sql[64];
      snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version + 1);
      rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    }
    if (rc == SQLITE_OK) {
      rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
      char why[256];
      snprintf(err, errlen, "schema migration %d (%s) failed: %s", version + 1,
               MIGRATIONS[version].name, store_sqlite_errmsg(db, why, sizeof why));
      sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
      return store_sqlite_errno(rc);
    }
  }
}
