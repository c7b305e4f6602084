/* store_pg_schema: the PostgreSQL store's schema, as one ordered list of
 * migrations numbered exactly like SQLite's (store_sqlite_schema.c): version
 * n of either store holds the same tables, columns and meanings, in each
 * engine's own types (bigint for INTEGER, bytea for BLOB).
 *
 * Responsible for: every table, column and index of the PostgreSQL store,
 * version by version; the version a database is at (table mash_schema);
 * applying each migration with its new version in one transaction, under a
 * transaction-level advisory lock so that two brokers starting on one
 * database never migrate it twice. Must not: edit or reorder a migration
 * that has been released (append one, and its SQLite twin), or touch a
 * database whose version is newer than this list knows.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_logic.h"
#include "store_pg_int.h"

/* The advisory lock key of migrations: "mash" in ASCII. */
#define MIGRATION_LOCK "1835102056"

typedef struct s_migration {
  const char *name; /* what it adds, for errors: the same as SQLite's */
  const char *sql;
} s_migration_t;

/* Migration n (0-based) takes version n to n + 1. Append, never edit. */
static const s_migration_t MIGRATIONS[] = {
    /* 1: contacts and their delivery to the hub desk. */
    {"contacts",
     "CREATE TABLE contacts ("
     "  id bigint PRIMARY KEY,"
     "  contact_id text NOT NULL UNIQUE,"
     "  principal text NOT NULL,"
     "  message_id text NOT NULL,"
     "  received_at_ms bigint NOT NULL,"
     "  blob bytea NOT NULL,"
     "  delivered_at_ms bigint NULL,"
     "  delivered_to text NULL,"
     "  UNIQUE (principal, message_id));"
     "CREATE INDEX contacts_undelivered ON contacts (id) WHERE delivered_at_ms IS NULL;"},
    /* 2: the enquiry: contact states, the inbox, enquiries, requests,
     * escalations and the outbox. */
    {"enquiries",
     "ALTER TABLE contacts ADD COLUMN state integer NOT NULL DEFAULT 0;"
     "ALTER TABLE contacts ADD COLUMN state_at_ms bigint NOT NULL DEFAULT 0;"
     "ALTER TABLE contacts ADD COLUMN outcome integer NOT NULL DEFAULT 0;"
     "CREATE TABLE inbox ("
     "  principal text NOT NULL, message_id text NOT NULL, at_ms bigint NOT NULL,"
     "  result bytea NOT NULL, PRIMARY KEY (principal, message_id));"
     "CREATE TABLE enquiries ("
     "  id bigint PRIMARY KEY, enquiry_id text NOT NULL UNIQUE, contact_id text NOT NULL,"
     "  rag integer NOT NULL, opened_at_ms bigint NOT NULL,"
     "  closed_at_ms bigint NOT NULL DEFAULT 0,"
     "  pack_version integer NOT NULL DEFAULT 0, decision bytea NOT NULL);"
     "CREATE INDEX enquiries_contact ON enquiries (contact_id);"
     "CREATE TABLE requests ("
     "  id bigint PRIMARY KEY, request_id text NOT NULL UNIQUE, enquiry_id text NOT NULL,"
     "  agency text NOT NULL, rag integer NOT NULL, requested_at_ms bigint NOT NULL,"
     "  due_at_ms bigint NOT NULL, answered_at_ms bigint NOT NULL DEFAULT 0,"
     "  level integer NOT NULL DEFAULT 0, level_at_ms bigint NOT NULL DEFAULT 0,"
     "  response bytea NULL);"
     "CREATE INDEX requests_enquiry ON requests (enquiry_id);"
     "CREATE TABLE escalations ("
     "  id bigserial PRIMARY KEY, escalation_id text NOT NULL UNIQUE,"
     "  enquiry_id text NOT NULL, request_id text NOT NULL, level integer NOT NULL,"
     "  at_ms bigint NOT NULL, event bytea NOT NULL);"
     "CREATE INDEX escalations_enquiry ON escalations (enquiry_id);"
     "CREATE TABLE outbox ("
     "  id bigserial PRIMARY KEY, message_id text NOT NULL UNIQUE, target text NOT NULL,"
     "  created_at_ms bigint NOT NULL, frame bytea NOT NULL,"
     "  delivered_at_ms bigint NULL, delivered_to text NULL);"
     "CREATE INDEX outbox_pending ON outbox (id) WHERE delivered_at_ms IS NULL;"},
    /* 3: the plain columns management information reads. */
    {"management information",
     "ALTER TABLE contacts ADD COLUMN domestic_abuse integer NOT NULL DEFAULT 0;"
     "ALTER TABLE contacts ADD COLUMN dash_present integer NOT NULL DEFAULT 0;"
     "ALTER TABLE contacts ADD COLUMN dash_complete integer NOT NULL DEFAULT 0;"
     "ALTER TABLE contacts ADD COLUMN priority integer NOT NULL DEFAULT 0;"
     "ALTER TABLE contacts ADD COLUMN quality_flags text NOT NULL DEFAULT '';"
     "ALTER TABLE contacts ADD COLUMN screened_at_ms bigint NOT NULL DEFAULT 0;"
     "ALTER TABLE contacts ADD COLUMN decided_at_ms bigint NOT NULL DEFAULT 0;"
     "ALTER TABLE enquiries ADD COLUMN consent_status integer NOT NULL DEFAULT 0;"
     "ALTER TABLE enquiries ADD COLUMN first_pack_at_ms bigint NOT NULL DEFAULT 0;"},
    /* 4: the person index: resolution columns on contacts, persons, their
     * keys (blind indexes), links, relations and possible matches. */
    {"person index",
     "ALTER TABLE contacts ADD COLUMN concern integer NOT NULL DEFAULT 0;"
     "ALTER TABLE contacts ADD COLUMN red_flag integer NOT NULL DEFAULT 0;"
     "ALTER TABLE contacts ADD COLUMN occurred_at_ms bigint NOT NULL DEFAULT 0;"
     "ALTER TABLE contacts ADD COLUMN unresolved integer NOT NULL DEFAULT 0;"
     "CREATE INDEX contacts_unresolved ON contacts (id) WHERE unresolved = 1;"
     "CREATE TABLE persons ("
     "  id bigint PRIMARY KEY, created_at_ms bigint NOT NULL, updated_at_ms bigint NOT NULL,"
     "  is_child integer NOT NULL DEFAULT 0, address_key bytea NULL,"
     "  address_at_ms bigint NOT NULL DEFAULT 0, merged_into bigint NULL,"
     "  record bytea NOT NULL);"
     "CREATE INDEX persons_address ON persons (address_key) "
     "  WHERE address_key IS NOT NULL AND merged_into IS NULL;"
     "CREATE TABLE person_keys ("
     "  key bytea NOT NULL, person bigint NOT NULL, PRIMARY KEY (key, person));"
     "CREATE INDEX person_keys_person ON person_keys (person);"
     "CREATE TABLE person_links ("
     "  contact_id text NOT NULL, ref text NOT NULL, person bigint NOT NULL,"
     "  decision text NOT NULL, confidence integer NOT NULL, why text NOT NULL,"
     "  at_ms bigint NOT NULL, PRIMARY KEY (contact_id, ref));"
     "CREATE INDEX person_links_person ON person_links (person, at_ms);"
     "CREATE TABLE person_relations ("
     "  a bigint NOT NULL, b bigint NOT NULL, at_ms bigint NOT NULL, PRIMARY KEY (a, b));"
     "CREATE INDEX person_relations_b ON person_relations (b);"
     "CREATE TABLE matches ("
     "  id bigint PRIMARY KEY, contact_id text NOT NULL, ref text NOT NULL,"
     "  person bigint NOT NULL, candidate bigint NOT NULL, confidence integer NOT NULL,"
     "  why text NOT NULL, state integer NOT NULL DEFAULT 0, created_at_ms bigint NOT NULL,"
     "  decided_at_ms bigint NOT NULL DEFAULT 0, decided_by text NULL, decision bytea NULL);"
     "CREATE INDEX matches_open ON matches (id) WHERE state = 0;"
     "CREATE INDEX matches_candidate ON matches (candidate) WHERE state = 0;"},
    /* 5: the duties of the one timetable, and an index of the open ones. */
    {"duties",
     "CREATE TABLE duties ("
     "  duty bigserial PRIMARY KEY, kind integer NOT NULL, ref text NOT NULL,"
     "  rag integer NOT NULL DEFAULT 0, start_ms bigint NOT NULL, due_ms bigint NOT NULL,"
     "  level integer NOT NULL DEFAULT 0, level_at_ms bigint NOT NULL DEFAULT 0,"
     "  next_at_ms bigint NOT NULL, done_at_ms bigint NOT NULL DEFAULT 0,"
     "  UNIQUE (kind, ref));"
     "CREATE INDEX duties_open ON duties (duty, next_at_ms) WHERE done_at_ms = 0;"
     "INSERT INTO duties (kind, ref, rag, start_ms, due_ms, level, level_at_ms, next_at_ms) "
     "  SELECT 1, r.request_id, r.rag, r.requested_at_ms, r.due_at_ms, r.level, r.level_at_ms, 0"
     "  FROM requests r JOIN enquiries e USING (enquiry_id)"
     "  WHERE r.answered_at_ms = 0 AND e.closed_at_ms = 0;"},
    /* 6: clusters (issue 9): the open matches a person is the new side of. */
    {"matches by person", "CREATE INDEX matches_person ON matches (person) WHERE state = 0;"},
    /* 7: refused commands kept in the inbox expire (issue 13). */
    {"inbox refusals", "ALTER TABLE inbox ADD COLUMN refused integer NOT NULL DEFAULT 0;"
                       "CREATE INDEX inbox_refused ON inbox (at_ms) WHERE refused = 1;"},
    /* 8: term frequencies (issue 9): records per name, by blind index. */
    {"person terms", "CREATE TABLE person_terms (key bytea PRIMARY KEY, n bigint NOT NULL);"},
    /* 9: the escalation log appended from the store (store_pg_esclog.c):
     * how far the log was durable, and the steps stored before sequence
     * numbers (taken as logged). */
    {"escalation log mark",
     "CREATE TABLE esclog_mark ("
     "  k integer PRIMARY KEY CHECK (k = 1), appended_seq bigint NOT NULL,"
     "  legacy_seq bigint NOT NULL);"
     "INSERT INTO esclog_mark (k, appended_seq, legacy_seq)"
     "  SELECT 1, COALESCE(MAX(id), 0), COALESCE(MAX(id), 0) FROM escalations;"},
    /* 10: files the agencies' adapters refused as invalid input (issue 12):
     * no child data (store_pg_esclog.c). */
    {"adapter rejections",
     "CREATE TABLE adapter_rejections ("
     "  id bigserial PRIMARY KEY, principal text NOT NULL, message_id text NOT NULL,"
     "  reason text NOT NULL, fields text NOT NULL, received_at_ms bigint NOT NULL,"
     "  UNIQUE (principal, message_id));"},
    /* 11: comparison summaries (issue 9, resolve.c): per person record, what
     * the matcher compares, normalised and sealed; made empty, filled when
     * a record is first read (store_sqlite_schema.c says more). */
    {"person summaries",
     "CREATE TABLE person_summaries ("
     "  id bigint PRIMARY KEY, is_child integer NOT NULL, summary bytea NOT NULL);"},
};

#define SCHEMA_VERSION ((int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]))

int store_pg_schema_version(void) {
  return SCHEMA_VERSION;
}

static int s_exec(PGconn *c, const char *sql) {
  PGresult *r = PQexec(c, sql);
  int rc = store_pg_errno(c, r);
  PQclear(r);
  return rc;
}

int store_pg_db_version(PGconn *c, int *version) {
  *version = 0;
  PGresult *r = PQexec(c, "SELECT to_regclass('mash_schema') IS NOT NULL");
  int rc = store_pg_errno(c, r);
  int exists = rc == 0 && PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
  PQclear(r);
  if (rc != 0 || !exists) {
    return rc;
  }
  r = PQexec(c, "SELECT version FROM mash_schema");
  rc = store_pg_errno(c, r);
  if (rc == 0 && PQntuples(r) == 1) {
    char *end = NULL;
    long v = strtol(PQgetvalue(r, 0, 0), &end, 10);
    if (end == PQgetvalue(r, 0, 0) || *end != '\0' || v < 0 || v > INT_MAX) {
      rc = -EBADMSG; /* not a version this program wrote */
    } else {
      *version = (int)v;
    }
  } else if (rc == 0 && PQntuples(r) > 1) {
    rc = -EBADMSG;
  } /* no row: made by a first start that has not migrated yet (0) */
  PQclear(r);
  return rc;
}

static int s_fail(PGconn *c, const char *what, int rc, char *err, size_t errlen) {
  snprintf(err, errlen, "%s: %s", what, PQerrorMessage(c));
  size_t n = strlen(err);
  while (n > 0 && err[n - 1] == '\n') {
    err[--n] = '\0';
  }
  s_exec(c, "ROLLBACK");
  return rc;
}

int store_pg_migrate(PGconn *c, int target, char *err, size_t errlen) {
  if (store_logic_migrate_target(target, SCHEMA_VERSION, err, errlen) != 0) {
    return -EINVAL;
  }
  for (;;) {
    int rc = s_exec(c, "BEGIN");
    if (rc == 0) {
      rc = s_exec(c, "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK ")");
    }
    if (rc == 0) {
      rc = s_exec(c, "CREATE TABLE IF NOT EXISTS mash_schema (version integer NOT NULL)");
    }
    int version = 0;
    if (rc == 0) {
      rc = store_pg_db_version(c, &version);
    }
    if (rc != 0) {
      return s_fail(c, "schema migration failed", rc, err, errlen);
    }
    if (version > SCHEMA_VERSION || version < 0) {
      snprintf(err, errlen, "database schema version %d is not one this mashd knows (%d)", version,
               SCHEMA_VERSION);
      s_exec(c, "ROLLBACK");
      return -EPROTO;
    }
    if (version >= target) {
      return s_exec(c, "COMMIT");
    }
    rc = s_exec(c, MIGRATIONS[version].sql);
    if (rc == 0) {
      char sql[96];
      snprintf(sql, sizeof sql,
               "DELETE FROM mash_schema; INSERT INTO mash_schema (version) VALUES (%d)",
               version + 1);
      rc = s_exec(c, sql);
    }
    if (rc == 0) {
      rc = s_exec(c, "COMMIT");
    }
    if (rc != 0) {
      char what[96];
      snprintf(what, sizeof what, "schema migration %d (%s) failed", version + 1,
               MIGRATIONS[version].name);
      return s_fail(c, what, rc, err, errlen);
    }
  }
}
