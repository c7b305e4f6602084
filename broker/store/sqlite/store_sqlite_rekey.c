/* store_sqlite_rekey: re-sealing the SQLite store under a new data key
 * (data-key rotation, `mashctl rekey`).
 *
 * Responsible for: opening every sealed column with the old key and sealing
 * it again with the new one, in ONE transaction: a crash or a failure at any
 * point leaves the store wholly under the old key (rerun it), a commit leaves
 * it wholly under the new one; there is no state in between to resume from.
 * Each blob keeps its associated data (its id), so a blob moved to another
 * row still fails to open. Blind indexes are not rewritten: the new key
 * carries the old index key (seal.h, mash_seal_successor_new).
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

int mash_store_sqlite_rekey(const char *path, const mash_seal_t *old, const mash_seal_t *fresh,
                            size_t *resealed, char *err, size_t errlen) {
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
