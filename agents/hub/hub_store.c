/* hub_store: the hub desk's tables (see hub_store.h). Responsible for the
 * schema, storing delivered messages once, and walking what is stored.
 * Every message blob (contact, pack, escalation) is sealed with the desk's
 * data key through the connection's mash_seal / mash_open functions
 * (agent_seal.h), bound to its row's id; a blob that does not open is
 * skipped and counted like one that does not decode. Must not: begin or
 * commit transactions (the agent runtime does, around each message; the
 * one-time sealing of an older store at init is the exception), print, or
 * log content. */
#include "hub_store.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static const char s_schema[] = "CREATE TABLE IF NOT EXISTS hub_contacts ("
                               " contact_id TEXT PRIMARY KEY,"
                               " received_ms INTEGER NOT NULL,"
                               " contact BLOB NOT NULL);"
                               "CREATE TABLE IF NOT EXISTS hub_packs ("
                               " enquiry_id TEXT NOT NULL,"
                               " version INTEGER NOT NULL,"
                               " issued_ms INTEGER NOT NULL,"
                               " contact_id TEXT NOT NULL,"
                               " partial INTEGER NOT NULL,"
                               " received_ms INTEGER NOT NULL,"
                               " pack BLOB NOT NULL,"
                               " PRIMARY KEY (enquiry_id, version));"
                               "CREATE TABLE IF NOT EXISTS hub_escalations ("
                               " escalation_id TEXT PRIMARY KEY,"
                               " enquiry_id TEXT NOT NULL,"
                               " request_id TEXT NOT NULL,"
                               " contact_id TEXT NOT NULL,"
                               " agency TEXT NOT NULL,"
                               " level INTEGER NOT NULL,"
                               " at_ms INTEGER NOT NULL,"
                               " received_ms INTEGER NOT NULL,"
                               " escalation BLOB NOT NULL);"
                               "CREATE TABLE IF NOT EXISTS hub_commands ("
                               " message_id TEXT PRIMARY KEY,"
                               " kind INTEGER NOT NULL,"
                               " contact_id TEXT NOT NULL,"
                               " created_ms INTEGER NOT NULL);"
                               "CREATE TABLE IF NOT EXISTS hub_contact_state ("
                               " contact_id TEXT PRIMARY KEY,"
                               " screened_ms INTEGER,"
                               " decided_ms INTEGER);"
                               "CREATE TABLE IF NOT EXISTS hub_matches ("
                               " match_id TEXT PRIMARY KEY,"
                               " contact_id TEXT NOT NULL,"
                               " ref TEXT NOT NULL,"
                               " person_id TEXT NOT NULL,"
                               " candidate_person_id TEXT NOT NULL,"
                               " confidence_permille INTEGER NOT NULL,"
                               " why TEXT NOT NULL,"
                               " received_ms INTEGER NOT NULL,"
                               " closed_ms INTEGER,"
                               " confirmed INTEGER);"
                               "CREATE INDEX IF NOT EXISTS hub_matches_by_contact"
                               " ON hub_matches(contact_id);"
                               "CREATE TABLE IF NOT EXISTS hub_match_commands ("
                               " message_id TEXT PRIMARY KEY,"
                               " match_id TEXT NOT NULL,"
                               " confirm INTEGER NOT NULL,"
                               " created_ms INTEGER NOT NULL);"
                               "CREATE TABLE IF NOT EXISTS hub_clock ("
                               " id INTEGER PRIMARY KEY CHECK (id = 1),"
                               " rate REAL NOT NULL,"
                               " real_origin_ms INTEGER NOT NULL,"
                               " virtual_origin_ms INTEGER NOT NULL);"
                               "CREATE TABLE IF NOT EXISTS hub_sealed ("
                               " id INTEGER PRIMARY KEY CHECK (id = 1),"
                               " at_ms INTEGER NOT NULL)";

/* A desk store from before sealing holds its blobs in plaintext: seal them
 * all in one transaction, once (hub_sealed records it), then write the file
 * through so that no plaintext page stays in the log or in free space. */
static const char s_seal_rows[] =
    "UPDATE hub_contacts SET contact = mash_seal(contact, contact_id);"
    "UPDATE hub_packs SET pack = mash_seal(pack, enquiry_id || ':' || version);"
    "UPDATE hub_escalations SET escalation = mash_seal(escalation, escalation_id);"
    "INSERT INTO hub_sealed(id, at_ms) VALUES (1, 0);";

/* A key rotation (agent_rekey.h): the desk's sealed blobs opened with the
 * current key and sealed with the new one, bound to the same ids. */
static const char s_rekey_rows[] =
    "UPDATE hub_contacts SET contact = mash_seal(mash_open_old(contact, contact_id), contact_id);"
    "UPDATE hub_packs SET pack = mash_seal(mash_open_old(pack, enquiry_id || ':' || version),"
    "  enquiry_id || ':' || version);"
    "UPDATE hub_escalations SET escalation ="
    "  mash_seal(mash_open_old(escalation, escalation_id), escalation_id);";

const char *hub_store_rekey_sql(void) {
  return s_rekey_rows;
}

int hub_store_init(sqlite3 *db) {
  if (sqlite3_exec(db, s_schema, NULL, NULL, NULL) != SQLITE_OK) {
    return -1;
  }
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db,
                         "SELECT (SELECT count(*) FROM hub_sealed),"
                         " (SELECT count(*) FROM hub_contacts) + (SELECT count(*) FROM hub_packs)"
                         " + (SELECT count(*) FROM hub_escalations)",
                         -1, &st, NULL) != SQLITE_OK) {
    return -1;
  }
  int sealed = 1, rows = 0;
  if (sqlite3_step(st) == SQLITE_ROW) {
    sealed = sqlite3_column_int(st, 0);
    rows = sqlite3_column_int(st, 1);
  }
  sqlite3_finalize(st);
  if (sealed) {
    return 0;
  }
  int own = sqlite3_get_autocommit(db);
  if ((own && sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) ||
      sqlite3_exec(db, s_seal_rows, NULL, NULL, NULL) != SQLITE_OK ||
      (own && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)) {
    if (own && !sqlite3_get_autocommit(db)) {
      sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    return -1;
  }
  if (own && rows > 0) {
    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    sqlite3_exec(db, "VACUUM", NULL, NULL, NULL);
    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
  }
  return 0;
}

/* The message's wire bytes, malloc'd (at least one byte). NULL: no memory. */
static uint8_t *s_pack(const ProtobufCMessage *m, size_t *len) {
  *len = protobuf_c_message_get_packed_size(m);
  if (*len > INT_MAX) {
    return NULL;
  }
  uint8_t *buf = malloc(*len ? *len : 1);
  if (buf != NULL) {
    protobuf_c_message_pack(m, buf);
  }
  return buf;
}

/* Run a prepared INSERT OR IGNORE whose last parameter (`blob_at`) takes
 * the message's bytes. 1 inserted, 0 present already, -1 error. */
static int s_insert(sqlite3 *db, sqlite3_stmt *st, int blob_at, const ProtobufCMessage *m) {
  size_t len = 0;
  uint8_t *buf = s_pack(m, &len);
  int rc = -1;
  if (buf != NULL && sqlite3_bind_blob(st, blob_at, buf, (int)len, SQLITE_STATIC) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_DONE) {
    rc = sqlite3_changes(db) == 1 ? 1 : 0;
  }
  sqlite3_finalize(st);
  free(buf);
  return rc;
}

/* Record that the contact was screened (or decided) at `at_ms`. The first
 * time is kept: a redelivered receipt or pack changes nothing. */
static int s_state_mark(sqlite3 *db, const char *contact_id, bool decided, int64_t at_ms) {
  sqlite3_stmt *st = NULL;
  const char *sql = decided
                        ? "INSERT INTO hub_contact_state(contact_id, decided_ms) VALUES (?1, ?2)"
                          " ON CONFLICT(contact_id) DO UPDATE"
                          " SET decided_ms = coalesce(decided_ms, excluded.decided_ms)"
                        : "INSERT INTO hub_contact_state(contact_id, screened_ms) VALUES (?1, ?2)"
                          " ON CONFLICT(contact_id) DO UPDATE"
                          " SET screened_ms = coalesce(screened_ms, excluded.screened_ms)";
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    return -1;
  }
  sqlite3_bind_text(st, 1, contact_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, at_ms);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  return rc;
}

/* Record each possible match among the contact's person links. A match
 * recorded before (a redelivered contact) is kept as it is, closed or not. */
static int s_matches_put(sqlite3 *db, const Mash__V1__Contact *c, int64_t now_ms) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db,
                         "INSERT OR IGNORE INTO hub_matches(match_id, contact_id, ref, person_id,"
                         " candidate_person_id, confidence_permille, why, received_ms)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                         -1, &st, NULL) != SQLITE_OK) {
    return -1;
  }
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < c->n_persons; i++) {
    if (!hub_matches_is_possible(c->persons[i])) {
      continue;
    }
    hub_match_t m;
    hub_matches_from_link(c, c->persons[i], now_ms, &m);
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, m.match_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, m.contact_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, m.ref, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, m.person_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, m.candidate_person_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, m.confidence_permille);
    sqlite3_bind_text(st, 7, m.why, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, m.received_ms);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  }
  sqlite3_finalize(st);
  return rc;
}

int hub_store_contact_put(sqlite3 *db, const Mash__V1__Contact *c, int64_t now_ms) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db,
                         "INSERT OR IGNORE INTO hub_contacts(contact_id, received_ms, contact)"
                         " VALUES (?1, ?2, mash_seal(?3, ?1))",
                         -1, &st, NULL) != SQLITE_OK) {
    return -1;
  }
  sqlite3_bind_text(st, 1, c->contact_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, now_ms);
  int rc = s_insert(db, st, 3, &c->base);
  /* Also for a contact stored before: its matches are then there already
   * and nothing changes, but a desk that stored it before it kept matches
   * catches up. */
  if (rc >= 0 && s_matches_put(db, c, now_ms) != 0) {
    return -1;
  }
  return rc;
}

int hub_store_pack_put(sqlite3 *db, const Mash__V1__ConsolidatedPack *p, int64_t now_ms) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db,
                         "INSERT OR IGNORE INTO hub_packs(enquiry_id, version, issued_ms,"
                         " contact_id, partial, received_ms, pack)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, mash_seal(?7, ?1 || ':' || ?2))",
                         -1, &st, NULL) != SQLITE_OK) {
    return -1;
  }
  sqlite3_bind_text(st, 1, p->enquiry_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, p->version);
  sqlite3_bind_int64(st, 3, p->issued_at_ms);
  sqlite3_bind_text(st, 4, p->contact_id, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 5, p->partial ? 1 : 0);
  sqlite3_bind_int64(st, 6, now_ms);
  int rc = s_insert(db, st, 7, &p->base);
  /* A pack exists only for a screening the broker accepted: the contact is
   * out of the queue even if the desk missed that command's receipt (the
   * runtime records a receipt before the desk hears of it). */
  if (rc >= 0 && s_state_mark(db, p->contact_id, false, now_ms) != 0) {
    return -1;
  }
  return rc;
}

int hub_store_escalation_put(sqlite3 *db, const Mash__V1__EscalationEvent *e, int64_t now_ms) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db,
                         "INSERT OR IGNORE INTO hub_escalations(escalation_id, enquiry_id,"
                         " request_id, contact_id, agency, level, at_ms, received_ms, escalation)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, mash_seal(?9, ?1))",
                         -1, &st, NULL) != SQLITE_OK) {
    return -1;
  }
  sqlite3_bind_text(st, 1, e->escalation_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, e->enquiry_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, e->request_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, e->contact_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, e->agency, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 6, e->level);
  sqlite3_bind_int64(st, 7, e->at_ms);
  sqlite3_bind_int64(st, 8, now_ms);
  return s_insert(db, st, 9, &e->base);
}

/* Walk the blobs of column 0 of `sql`, decoding each as `desc`. */
static int s_walk(sqlite3 *db, const char *sql, const ProtobufCMessageDescriptor *desc,
                  int (*cb)(const void *m, void *arg), void *arg, int *skipped) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    return -1;
  }
  int n = 0, rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    /* NULL: the sealed blob did not open (damage, or another key). */
    ProtobufCMessage *m =
        sqlite3_column_type(st, 0) == SQLITE_NULL
            ? NULL
            : protobuf_c_message_unpack(desc, NULL, (size_t)sqlite3_column_bytes(st, 0),
                                        sqlite3_column_blob(st, 0));
    if (m == NULL) {
      if (skipped != NULL) {
        (*skipped)++;
      }
      continue;
    }
    n++;
    int stop = cb(m, arg);
    protobuf_c_message_free_unpacked(m, NULL);
    if (stop) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? n : -1;
}

typedef struct {
  hub_store_contact_cb contact;
  hub_store_pack_cb pack;
  void *arg;
} s_walk_t;

static int s_contact_cb(const void *m, void *arg) {
  const s_walk_t *w = arg;
  return w->contact(m, w->arg);
}

static int s_pack_cb(const void *m, void *arg) {
  const s_walk_t *w = arg;
  return w->pack(m, w->arg);
}

int hub_store_contacts(sqlite3 *db, hub_store_contact_cb cb, void *arg, int *skipped) {
  s_walk_t w = {cb, NULL, arg};
  return s_walk(db,
                "SELECT mash_open(contact, contact_id) FROM hub_contacts"
                " ORDER BY received_ms, contact_id",
                &mash__v1__contact__descriptor, s_contact_cb, &w, skipped);
}

int hub_store_packs(sqlite3 *db, hub_store_pack_cb cb, void *arg, int *skipped) {
  s_walk_t w = {NULL, cb, arg};
  return s_walk(db,
                "SELECT mash_open(pack, enquiry_id || ':' || version) FROM hub_packs"
                " ORDER BY issued_ms, enquiry_id, version",
                &mash__v1__consolidated_pack__descriptor, s_pack_cb, &w, skipped);
}

/* ---------------------------------------------------------------- match outcomes */

/* `why` with " ; confirmed M-000001" (or rejected) added, in a new string
 * owned by the caller: NULL without memory. */
static char *s_why_with(const char *why, const char *what, const char *match_id) {
  size_t n = strlen(why) + strlen(what) + strlen(match_id) + 8;
  char *out = malloc(n);
  if (out != NULL) {
    snprintf(out, n, "%s%s%s %s", why, why[0] ? "; " : "", what, match_id);
  }
  return out;
}

/* Apply the outcome to one contact's links: 1 when it changed, 0 when not,
 * -1 without memory. The strings it sets are owned by `owned`. */
static int s_relink(Mash__V1__Contact *c, const Mash__V1__MatchOutcome *o, char **owned,
                    size_t *n_owned) {
  int changed = 0;
  for (size_t i = 0; i < c->n_persons; i++) {
    Mash__V1__PersonLink *l = c->persons[i];
    bool merged = o->confirmed && o->merged_person_id[0] != '\0' &&
                  strcmp(l->person_id, o->merged_person_id) == 0;
    bool rejected = !o->confirmed && strcmp(l->match_id, o->match_id) == 0 &&
                    strcmp(l->decision, "possible") == 0;
    if (!merged && !rejected) {
      continue;
    }
    char *why = s_why_with(l->why, merged ? "confirmed" : "rejected", o->match_id);
    if (why == NULL) {
      return -1;
    }
    owned[(*n_owned)++] = why;
    l->why = why;
    if (merged) {
      l->person_id = o->person_id;
    } else {
      /* Kept apart: the record made for the notification is a new person. */
      l->decision = (char *)"new";
      l->candidate_person_id = (char *)"";
    }
    changed = 1;
  }
  return changed;
}

/* Store contact c again under contact_id. 0 or -1. */
static int s_contact_replace(sqlite3 *db, const char *contact_id, const Mash__V1__Contact *c) {
  size_t len = 0;
  uint8_t *buf = s_pack(&c->base, &len);
  sqlite3_stmt *st = NULL;
  int rc = -1;
  if (buf != NULL &&
      sqlite3_prepare_v2(
          db, "UPDATE hub_contacts SET contact = mash_seal(?2, ?1) WHERE contact_id = ?1", -1, &st,
          NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, contact_id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, buf, (int)len, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  }
  sqlite3_finalize(st);
  free(buf);
  return rc;
}

/* The match is closed, and the open matches that named the merged record
 * name the person it became. */
static int s_matches_outcome(sqlite3 *db, const Mash__V1__MatchOutcome *o, int64_t now_ms) {
  static const char *const sql[] = {
      "UPDATE hub_matches SET closed_ms = coalesce(closed_ms, ?3),"
      " confirmed = coalesce(confirmed, ?4) WHERE match_id = ?1",
      "UPDATE hub_matches SET person_id = ?2 WHERE closed_ms IS NULL AND person_id = ?5",
      "UPDATE hub_matches SET candidate_person_id = ?2"
      " WHERE closed_ms IS NULL AND candidate_person_id = ?5",
  };
  for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
    if (i > 0 && !o->confirmed) {
      break;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql[i], -1, &st, NULL) != SQLITE_OK) {
      return -1;
    }
    sqlite3_bind_text(st, 1, o->match_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, o->person_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now_ms);
    sqlite3_bind_int(st, 4, o->confirmed ? 1 : 0);
    sqlite3_bind_text(st, 5, o->merged_person_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    if (rc != 0) {
      return -1;
    }
  }
  return 0;
}

int hub_store_match_outcome(sqlite3 *db, const Mash__V1__MatchOutcome *o, int64_t now_ms) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db,
                         "SELECT contact_id, mash_open(contact, contact_id) FROM hub_contacts"
                         " ORDER BY contact_id",
                         -1, &st, NULL) != SQLITE_OK) {
    return -1;
  }
  int n = 0, rc = 0, step;
  while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
    Mash__V1__Contact *c =
        sqlite3_column_type(st, 1) == SQLITE_NULL
            ? NULL
            : mash__v1__contact__unpack(NULL, (size_t)sqlite3_column_bytes(st, 1),
                                        sqlite3_column_blob(st, 1));
    if (c == NULL) {
      continue; /* listed as skipped by the views; nothing to re-link */
    }
    /* Each link changes at most once (its why). */
    char *owned[2 * 64];
    size_t n_owned = 0;
    Mash__V1__PersonLink **persons = c->persons;
    size_t n_persons = c->n_persons > 64 ? 64 : c->n_persons;
    char *saved[64][4];
    for (size_t i = 0; i < n_persons; i++) {
      saved[i][0] = persons[i]->person_id;
      saved[i][1] = persons[i]->decision;
      saved[i][2] = persons[i]->candidate_person_id;
      saved[i][3] = persons[i]->why;
    }
    size_t all = c->n_persons;
    c->n_persons = n_persons;
    int changed = s_relink(c, o, owned, &n_owned);
    if (changed == 1) {
      rc = s_contact_replace(db, (const char *)sqlite3_column_text(st, 0), c);
      n += rc == 0;
    } else if (changed < 0) {
      rc = -1;
    }
    /* Put back what was unpacked before it is freed. */
    for (size_t i = 0; i < n_persons; i++) {
      persons[i]->person_id = saved[i][0];
      persons[i]->decision = saved[i][1];
      persons[i]->candidate_person_id = saved[i][2];
      persons[i]->why = saved[i][3];
    }
    c->n_persons = all;
    for (size_t i = 0; i < n_owned; i++) {
      free(owned[i]);
    }
    mash__v1__contact__free_unpacked(c, NULL);
  }
  sqlite3_finalize(st);
  if (rc != 0) {
    return -1;
  }
  return s_matches_outcome(db, o, now_ms) == 0 ? n : -1;
}

/* ---------------------------------------------------------------- commands and the queue */

int hub_store_command_put(sqlite3 *db, const char *message_id, hub_command_kind_t kind,
                          const char *contact_id, int64_t now_ms) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db,
                         "INSERT OR IGNORE INTO hub_commands(message_id, kind, contact_id,"
                         " created_ms) VALUES (?1, ?2, ?3, ?4)",
                         -1, &st, NULL) != SQLITE_OK) {
    return -1;
  }
  sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, (int)kind);
  sqlite3_bind_text(st, 3, contact_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, now_ms);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  return rc;
}

int hub_store_match_command_put(sqlite3 *db, const char *message_id, const char *match_id,
                                bool confirm, int64_t now_ms) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db,
                         "INSERT OR IGNORE INTO hub_match_commands(message_id, match_id, confirm,"
                         " created_ms) VALUES (?1, ?2, ?3, ?4)",
                         -1, &st, NULL) != SQLITE_OK) {
    return -1;
  }
  sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, match_id, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 3, confirm ? 1 : 0);
  sqlite3_bind_int64(st, 4, now_ms);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
  sqlite3_finalize(st);
  return rc;
}

/* The broker accepted `message_id`, if it is a match command: close its
 * match. 1 a match command (its match closed now or before, or not kept by
 * this desk), 0 not a match command, -1 error. */
static int s_match_accepted(sqlite3 *db, const char *message_id, int64_t now_ms) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM hub_match_commands WHERE message_id = ?1", -1, &st,
                         NULL) != SQLITE_OK) {
    return -1;
  }
  sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
  int step = sqlite3_step(st);
  sqlite3_finalize(st);
  if (step != SQLITE_ROW) {
    return step == SQLITE_DONE ? 0 : -1;
  }
  /* One statement: the decision is read and the match closed together. The
   * first decision accepted is kept (the broker accepts only one). */
  if (sqlite3_prepare_v2(db,
                         "UPDATE hub_matches SET closed_ms = ?2, confirmed ="
                         " (SELECT confirm FROM hub_match_commands WHERE message_id = ?1)"
                         " WHERE closed_ms IS NULL AND match_id ="
                         " (SELECT match_id FROM hub_match_commands WHERE message_id = ?1)",
                         -1, &st, NULL) != SQLITE_OK) {
    return -1;
  }
  sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, now_ms);
  int rc = sqlite3_step(st) == SQLITE_DONE ? 1 : -1;
  sqlite3_finalize(st);
  return rc;
}

int hub_store_command_accepted(sqlite3 *db, const char *message_id, int64_t now_ms) {
  int m = s_match_accepted(db, message_id, now_ms);
  if (m != 0) {
    return m;
  }
  /* One statement, so one transaction: the command's kind and contact are
   * read and the contact's state written together, or not at all. */
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db,
                         "INSERT INTO hub_contact_state(contact_id, screened_ms, decided_ms)"
                         " SELECT contact_id, CASE kind WHEN ?2 THEN ?4 END,"
                         " CASE kind WHEN ?3 THEN ?4 END"
                         " FROM hub_commands WHERE message_id = ?1 AND kind IN (?2, ?3)"
                         " ON CONFLICT(contact_id) DO UPDATE"
                         " SET screened_ms = coalesce(screened_ms, excluded.screened_ms),"
                         " decided_ms = coalesce(decided_ms, excluded.decided_ms)",
                         -1, &st, NULL) != SQLITE_OK) {
    return -1;
  }
  sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, HUB_COMMAND_SCREENING);
  sqlite3_bind_int(st, 3, HUB_COMMAND_OUTCOME);
  sqlite3_bind_int64(st, 4, now_ms);
  int rc = sqlite3_step(st) == SQLITE_DONE ? (sqlite3_changes(db) > 0 ? 1 : 0) : -1;
  sqlite3_finalize(st);
  return rc;
}

int hub_store_open_contacts(sqlite3 *db, Mash__V1__Contact ***out, size_t *n, int *skipped) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db,
                         "SELECT mash_open(c.contact, c.contact_id) FROM hub_contacts c"
                         " LEFT JOIN hub_contact_state s ON s.contact_id = c.contact_id"
                         " WHERE s.screened_ms IS NULL AND s.decided_ms IS NULL"
                         " ORDER BY c.received_ms, c.contact_id",
                         -1, &st, NULL) != SQLITE_OK) {
    return -1;
  }
  Mash__V1__Contact **v = NULL;
  size_t used = 0, cap = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    ProtobufCMessage *m = sqlite3_column_type(st, 0) == SQLITE_NULL
                              ? NULL
                              : protobuf_c_message_unpack(&mash__v1__contact__descriptor, NULL,
                                                          (size_t)sqlite3_column_bytes(st, 0),
                                                          sqlite3_column_blob(st, 0));
    if (m == NULL) {
      if (skipped != NULL) {
        (*skipped)++;
      }
      continue;
    }
    if (used == cap) {
      size_t ncap = cap ? cap * 2 : 64;
      Mash__V1__Contact **nv = ncap <= SIZE_MAX / sizeof *v ? realloc(v, ncap * sizeof *v) : NULL;
      if (nv == NULL) {
        protobuf_c_message_free_unpacked(m, NULL);
        rc = SQLITE_NOMEM;
        break;
      }
      v = nv;
      cap = ncap;
    }
    v[used++] = (Mash__V1__Contact *)m;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    hub_store_contacts_free(&v, used);
    return -1;
  }
  *out = v;
  *n = used;
  return 0;
}

void hub_store_contacts_free(Mash__V1__Contact ***v_p, size_t n) {
  if (v_p == NULL || *v_p == NULL) {
    return;
  }
  for (size_t i = 0; i < n; i++) {
    protobuf_c_message_free_unpacked(&(*v_p)[i]->base, NULL);
  }
  free(*v_p);
  *v_p = NULL;
}

/* ---------------------------------------------------------------- possible matches */

int hub_store_open_matches(sqlite3 *db, hub_store_match_cb cb, void *arg) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db,
                         "SELECT match_id, contact_id, ref, person_id, candidate_person_id,"
                         " confidence_permille, why, received_ms FROM hub_matches"
                         " WHERE closed_ms IS NULL ORDER BY received_ms, match_id",
                         -1, &st, NULL) != SQLITE_OK) {
    return -1;
  }
  int n = 0, rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    hub_match_t m;
    m.match_id = (const char *)sqlite3_column_text(st, 0);
    m.contact_id = (const char *)sqlite3_column_text(st, 1);
    m.ref = (const char *)sqlite3_column_text(st, 2);
    m.person_id = (const char *)sqlite3_column_text(st, 3);
    m.candidate_person_id = (const char *)sqlite3_column_text(st, 4);
    int64_t permille = sqlite3_column_int64(st, 5);
    m.confidence_permille = permille < 0 ? 0 : permille > 1000 ? 1000 : (uint32_t)permille;
    m.why = (const char *)sqlite3_column_text(st, 6);
    m.received_ms = sqlite3_column_int64(st, 7);
    /* NOT NULL columns; NULL here only when memory ran out. */
    if (!m.match_id || !m.contact_id || !m.ref || !m.person_id || !m.candidate_person_id ||
        !m.why) {
      rc = SQLITE_NOMEM;
      break;
    }
    n++;
    if (cb(&m, arg)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? n : -1;
}

int hub_store_contact_open_matches(sqlite3 *db, const char *contact_id) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db,
                         "SELECT count(*) FROM hub_matches WHERE contact_id = ?1"
                         " AND closed_ms IS NULL",
                         -1, &st, NULL) != SQLITE_OK) {
    return -1;
  }
  sqlite3_bind_text(st, 1, contact_id, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
  sqlite3_finalize(st);
  return rc;
}

int hub_store_clock_put(sqlite3 *db, const mash_clock_t *c) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db,
                              "INSERT OR REPLACE INTO hub_clock (id, rate, real_origin_ms,"
                              " virtual_origin_ms) VALUES (1, ?1, ?2, ?3)",
                              -1, &st, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_double(st, 1, c->rate);
    sqlite3_bind_int64(st, 2, c->real_origin_ms);
    sqlite3_bind_int64(st, 3, c->virtual_origin_ms);
    rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
  }
  sqlite3_finalize(st);
  return rc == SQLITE_OK ? 0 : -1;
}

int hub_store_clock_get(sqlite3 *db, mash_clock_t *c) {
  sqlite3_stmt *st = NULL;
  int out = -1;
  if (sqlite3_prepare_v2(db,
                         "SELECT rate, real_origin_ms, virtual_origin_ms FROM hub_clock"
                         " WHERE id = 1",
                         -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    c->rate = sqlite3_column_double(st, 0);
    c->real_origin_ms = sqlite3_column_int64(st, 1);
    c->virtual_origin_ms = sqlite3_column_int64(st, 2);
    out = c->rate >= 1.0 ? 0 : -1;
  }
  sqlite3_finalize(st);
  return out;
}
