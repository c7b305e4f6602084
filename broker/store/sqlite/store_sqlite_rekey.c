/* store_sqlite_rekey: re-sealing the SQLite store under a new data key
 * (data-key rotation, `mashctl rekey`).
 *
 * Responsible for: opening every sealed column with the old key and sealing
 * it again with the new one, in ONE transaction: a crash or a failure at any
 * point leaves the store wholly under the old key (rerun it), a commit leaves
 * it wholly under the new one; there is no state in between to resume from.
 * Each blob keeps its associated data (its id), so a blob moved to another
 * row still fails to open. Every blind index (person keys, current
 * addresses, term counts) is then made again under the new key, in the same
 * transaction, from the texts the caller derives from each person record
 * and each linked mention (mash_store_reindex_t): none made under the old
 * key is left, so the old key can no longer test a guess against them.
 *
 * Must not: run while mashd has the store open (the exclusive locking mode
 * refuses then), log or keep plaintext beyond one blob at a time.
 * Any thread (an offline tool); its own connection.
 *
 * Every sealed column of the schema is listed in SEALED below: a migration
 * that adds one adds a row here (test_store_rekey.c fails otherwise for the
 * columns it fills).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_logic.h"
#include "store_row.h"
#include "store_sqlite_int.h"

/* table, the column the blob is bound to (its associated data, as an SQL
 * expression giving the same text the store uses), the sealed column. */
static const struct {
  const char *table;
  const char *aad;
  const char *column;
} SEALED[] = {
    {"contacts", "contact_id", "blob"},
    {"enquiries", "enquiry_id", "decision"},
    {"requests", "request_id", "response"},
    {"outbox", "message_id", "frame"},
    {"persons", "printf('P-%06d', id)", "record"},
    {"matches", "printf('M-%06d', id)", "decision"},
};

/* Re-seal one column of one table; adds the blobs re-sealed to *n. */
static int s_rekey_column(sqlite3 *db, size_t which, const mash_seal_t *old,
                          const mash_seal_t *fresh, size_t *n, char *err, size_t errlen) {
  char sql[512];
  sqlite3_stmt *sel = NULL, *upd = NULL;
  snprintf(sql, sizeof sql, "SELECT rowid, %s, %s FROM %s WHERE %s IS NOT NULL", SEALED[which].aad,
           SEALED[which].column, SEALED[which].table, SEALED[which].column);
  int rc = sqlite3_prepare_v2(db, sql, -1, &sel, NULL);
  if (rc == SQLITE_OK) {
    snprintf(sql, sizeof sql, "UPDATE %s SET %s = ?1 WHERE rowid = ?2", SEALED[which].table,
             SEALED[which].column);
    rc = sqlite3_prepare_v2(db, sql, -1, &upd, NULL);
  }
  if (rc != SQLITE_OK) {
    snprintf(err, errlen, "%s.%s: %s", SEALED[which].table, SEALED[which].column,
             sqlite3_errmsg(db));
    sqlite3_finalize(sel);
    return -EIO;
  }
  int out = 0;
  while (out == 0 && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
    char aad[128];
    store_sql_text(sel, 1, aad, sizeof aad);
    uint8_t *plain = NULL, *sealed = NULL;
    size_t plen = 0, slen = 0;
    out = store_sql_open(old, sel, 2, aad, &plain, &plen);
    if (out != 0) {
      snprintf(err, errlen,
               "%s.%s of %s does not open with the current data key (%s): is it the key the "
               "store was sealed with? Nothing was changed",
               SEALED[which].table, SEALED[which].column, aad, strerror(-out));
      break;
    }
    out = store_sql_seal(fresh, plain, plen, aad, &sealed, &slen);
    if (plain) {
      memset(plain, 0, plen);
    }
    free(plain);
    if (out != 0) {
      snprintf(err, errlen, "cannot seal %s.%s of %s: %s", SEALED[which].table,
               SEALED[which].column, aad, strerror(-out));
      break;
    }
    sqlite3_bind_blob(upd, 1, sealed, (int)slen, SQLITE_STATIC);
    sqlite3_bind_int64(upd, 2, sqlite3_column_int64(sel, 0));
    rc = sqlite3_step(upd);
    sqlite3_reset(upd);
    sqlite3_clear_bindings(upd);
    free(sealed);
    if (rc != SQLITE_DONE) {
      snprintf(err, errlen, "cannot write %s.%s of %s: %s", SEALED[which].table,
               SEALED[which].column, aad, sqlite3_errmsg(db));
      out = -EIO;
      break;
    }
    (*n)++;
  }
  if (out == 0 && rc != SQLITE_DONE) {
    snprintf(err, errlen, "cannot read %s: %s", SEALED[which].table, sqlite3_errmsg(db));
    out = -EIO;
  }
  sqlite3_finalize(sel);
  sqlite3_finalize(upd);
  return out;
}

/* ---------------------------------------------------------------- blind indexes */

typedef struct s_reindex {
  sqlite3 *db;
  mash_seal_ctx_t *ctx; /* the new key's */
  const mash_store_reindex_t *how;
  sqlite3_stmt *key, *term, *addr;
  char *err;
  size_t errlen;
} s_reindex_t;

static int s_step(s_reindex_t *r, sqlite3_stmt *q, const char *what) {
  int rc = sqlite3_step(q);
  sqlite3_reset(q);
  sqlite3_clear_bindings(q);
  if (rc != SQLITE_DONE) {
    snprintf(r->err, r->errlen, "cannot write %s: %s", what, sqlite3_errmsg(r->db));
    return -EIO;
  }
  return 0;
}

/* Index person `top` (the record a merged one went into) under the keys in t. */
static int s_put_keys(s_reindex_t *r, sqlite3_int64 top, const mash_store_index_texts_t *t) {
  for (size_t i = 0; i < t->n_keys; i++) {
    uint8_t blind[STORE_ROW_KEY_BYTES];
    store_row_blind(r->ctx, t->keys[i], blind);
    sqlite3_bind_blob(r->key, 1, blind, STORE_ROW_KEY_BYTES, SQLITE_TRANSIENT);
    sqlite3_bind_int64(r->key, 2, top);
    int rc = s_step(r, r->key, "person_keys");
    if (rc != 0) {
      return rc;
    }
  }
  return 0;
}

static void s_wipe(mash_store_index_texts_t *t) {
  memset(t, 0, sizeof *t);
}

/* One row of a walk (the query's current row): 0 to go on, else a negative
 * error (err written) that ends the walk. */
typedef int (*s_row_fn)(s_reindex_t *r, sqlite3_stmt *q, mash_store_index_texts_t *t);

/* Run `sql` to its end with row() on each row, in one work area (wiped
 * after each row). A read that does not finish is an error naming `table`.
 * Returns 0 or negative with err. */
static int s_walk(s_reindex_t *r, const char *sql, const char *table, s_row_fn row) {
  sqlite3_stmt *q = NULL;
  if (sqlite3_prepare_v2(r->db, sql, -1, &q, NULL) != SQLITE_OK) {
    snprintf(r->err, r->errlen, "%s: %s", table, sqlite3_errmsg(r->db));
    return -EIO;
  }
  mash_store_index_texts_t *t = malloc(sizeof *t);
  if (t == NULL) {
    sqlite3_finalize(q);
    return -ENOMEM;
  }
  int rc = SQLITE_DONE, out = 0;
  while (out == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
    out = row(r, q, t);
    s_wipe(t);
  }
  if (out == 0 && rc != SQLITE_DONE) {
    snprintf(r->err, r->errlen, "cannot read %s: %s", table, sqlite3_errmsg(r->db));
    out = -EIO;
  }
  free(t);
  sqlite3_finalize(q);
  return out;
}

/* Each record, and the record it was merged into followed to the end (top). */
#define S_TOP_CTE                                                                                  \
  "WITH RECURSIVE top (id, top) AS (SELECT id, id FROM persons WHERE "                             \
  "merged_into IS NULL UNION ALL SELECT p.id, t.top FROM persons p JOIN top t "                    \
  "ON p.merged_into = t.id) "

static int s_record_row(s_reindex_t *r, sqlite3_stmt *q, mash_store_index_texts_t *t) {
  sqlite3_int64 id = sqlite3_column_int64(q, 0), top = sqlite3_column_int64(q, 1);
  char aad[32];
  snprintf(aad, sizeof aad, "P-%06lld", (long long)id);
  uint8_t *plain = NULL;
  size_t plen = 0;
  int out = store_sql_open_ctx(r->ctx, q, 3, aad, &plain, &plen);
  out = store_logic_reindex_blob(r->how, out, plain, plen, NULL, aad, t, r->err, r->errlen);
  if (out != 0) {
    return out;
  }
  out = s_put_keys(r, top, t);
  if (out == 0 && t->address[0] != '\0') {
    uint8_t blind[STORE_ROW_KEY_BYTES];
    store_row_blind(r->ctx, t->address, blind);
    sqlite3_bind_blob(r->addr, 1, blind, STORE_ROW_KEY_BYTES, SQLITE_TRANSIENT);
    sqlite3_bind_int64(r->addr, 2, id);
    out = s_step(r, r->addr, "persons.address_key");
  }
  for (size_t i = 0; out == 0 && sqlite3_column_int(q, 2) && i < t->n_terms; i++) {
    if (t->terms[i][0] == '\0') {
      continue;
    }
    uint8_t blind[STORE_ROW_KEY_BYTES];
    store_row_blind(r->ctx, t->terms[i], blind);
    sqlite3_bind_blob(r->term, 1, blind, STORE_ROW_KEY_BYTES, SQLITE_TRANSIENT);
    out = s_step(r, r->term, "person_terms");
  }
  return out;
}

/* Every record (merged ones too: their keys went to the record they were
 * merged into): its keys, its address, and the terms of a live one. */
static int s_reindex_records(s_reindex_t *r) {
  return s_walk(r,
                S_TOP_CTE "SELECT p.id, t.top, p.merged_into IS NULL, p.record "
                          "FROM persons p JOIN top t ON t.id = p.id ORDER BY p.id",
                "persons", s_record_row);
}

static int s_mention_row(s_reindex_t *r, sqlite3_stmt *q, mash_store_index_texts_t *t) {
  char ref[128], aad[64];
  store_sql_text(q, 1, ref, sizeof ref);
  store_sql_text(q, 2, aad, sizeof aad);
  uint8_t *plain = NULL;
  size_t plen = 0;
  int out = store_sql_open_ctx(r->ctx, q, 3, aad, &plain, &plen);
  out = store_logic_reindex_blob(r->how, out, plain, plen, ref, aad, t, r->err, r->errlen);
  if (out < 0) {
    return out;
  }
  return out == 0 ? s_put_keys(r, sqlite3_column_int64(q, 0), t) : 0;
}

/* Every mention linked to a record: its keys were added to that record. */
static int s_reindex_mentions(s_reindex_t *r) {
  return s_walk(r,
                S_TOP_CTE "SELECT t.top, l.ref, c.contact_id, c.blob "
                          "FROM person_links l JOIN top t ON t.id = l.person "
                          "JOIN contacts c ON c.contact_id = l.contact_id ORDER BY c.id",
                "person_links", s_mention_row);
}

/* Drop every blind index and make each again under the new key. Called
 * inside the rotation's transaction, after the records were re-sealed. */
static int s_reindex(sqlite3 *db, const mash_seal_t *fresh, const mash_store_reindex_t *how,
                     char *err, size_t errlen) {
  s_reindex_t r = {.db = db, .how = how, .err = err, .errlen = errlen};
  r.ctx = mash_seal_ctx_new(fresh);
  if (r.ctx == NULL) {
    snprintf(err, errlen, "cannot make a context for the new key");
    return -ENOMEM;
  }
  int out = 0;
  if (sqlite3_exec(db,
                   "DELETE FROM person_keys; DELETE FROM person_terms; "
                   "DELETE FROM person_summaries; UPDATE persons SET address_key = NULL",
                   NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO person_keys (key, person) VALUES (?1, ?2)", -1,
                         &r.key, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db,
                         "INSERT INTO person_terms (key, n) VALUES (?1, 1) "
                         "ON CONFLICT (key) DO UPDATE SET n = n + 1",
                         -1, &r.term, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "UPDATE persons SET address_key = ?1 WHERE id = ?2", -1, &r.addr,
                         NULL) != SQLITE_OK) {
    snprintf(err, errlen, "cannot clear the blind indexes: %s", sqlite3_errmsg(db));
    out = -EIO;
  }
  out = out ? out : s_reindex_records(&r);
  out = out ? out : s_reindex_mentions(&r);
  sqlite3_finalize(r.key);
  sqlite3_finalize(r.term);
  sqlite3_finalize(r.addr);
  mash_seal_ctx_destroy(&r.ctx);
  return out;
}

int mash_store_sqlite_rekey(const char *path, const mash_seal_t *old, const mash_seal_t *fresh,
                            const mash_store_reindex_t *reindex, size_t *resealed, char *err,
                            size_t errlen) {
  sqlite3 *db = NULL;
  size_t n = 0;
  int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
  if (rc != SQLITE_OK) {
    snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
    sqlite3_close(db);
    return -EIO;
  }
  int version = -1;
  int out = 0;
  if (store_sqlite_user_version(db, &version) != 0 || version != store_sqlite_schema_version()) {
    snprintf(err, errlen, "%s: not a mash store of this version (start this mashd once first)",
             path);
    out = -EINVAL;
    goto done;
  }
  /* The EXCLUSIVE locking mode makes a WAL database refuse while any other
   * connection has it open (a running mashd holds the shared-memory lock
   * even when idle), so a rotation can never run under a live broker, which
   * would go on sealing with the old key. */
  if (sqlite3_exec(db,
                   "PRAGMA locking_mode = EXCLUSIVE; PRAGMA synchronous = FULL; BEGIN EXCLUSIVE",
                   NULL, NULL, NULL) != SQLITE_OK) {
    snprintf(err, errlen, "%s is busy (%s): stop mashd first", path, sqlite3_errmsg(db));
    out = -EBUSY;
    goto done;
  }
  for (size_t i = 0; out == 0 && i < sizeof SEALED / sizeof SEALED[0]; i++) {
    out = s_rekey_column(db, i, old, fresh, &n, err, errlen);
  }
  if (out == 0 && reindex != NULL) {
    out = s_reindex(db, fresh, reindex, err, errlen);
  }
  if (out == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
    snprintf(err, errlen, "%s: commit failed (%s); the store is still under the old key", path,
             sqlite3_errmsg(db));
    out = -EIO;
  }
  if (out != 0) {
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
  } else {
    /* Old ciphertext must not linger in the WAL or in free pages. */
    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA wal_checkpoint(TRUNCATE)",
                 NULL, NULL, NULL);
  }
done:
  sqlite3_close(db);
  if (resealed) {
    *resealed = out == 0 ? n : 0;
  }
  return out;
}
