/* store_sqlite_rejection: files the agencies' adapters refused as invalid
 * input (AdapterRejection), one row per report.
 *
 * Responsible for: storing a report once per (principal, message id), and
 * reading them back for the counts mashd shows. Must not: hold child data
 * (principal, message id, reason kind and field paths only). Storage thread
 * (whichever thread owns the store). Reports are rare: statements are
 * prepared per call.
 */
#include <errno.h>

#include "store_sqlite_int.h"

int store_rej_put(mash_store_t *s, const char *principal, const char *message_id,
                  const char *reason, const char *fields, int64_t at_ms) {
  sqlite3 *db = store_sqlite_db(s);
  sqlite3_stmt *q = NULL;
  int rc = sqlite3_prepare_v2(db,
                              "INSERT OR IGNORE INTO adapter_rejections "
                              "(principal, message_id, reason, fields, received_at_ms) "
                              "VALUES (?1, ?2, ?3, ?4, ?5)",
                              -1, &q, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(q, 1, principal, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, message_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, fields ? fields : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 5, at_ms);
    rc = sqlite3_step(q);
  }
  int changed = sqlite3_changes(db);
  sqlite3_finalize(q);
  if (rc != SQLITE_DONE) {
    return store_sqlite_errno(rc) ? store_sqlite_errno(rc) : -EIO;
  }
  return changed == 1 ? 1 : 0;
}

int store_rej_each(mash_store_t *s, mash_store_rejection_cb cb, void *arg) {
  sqlite3_stmt *q = NULL;
  int rc = sqlite3_prepare_v2(store_sqlite_db(s),
                              "SELECT principal, fields FROM adapter_rejections ORDER BY id", -1,
                              &q, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
    const char *principal = (const char *)sqlite3_column_text(q, 0);
    const char *fields = (const char *)sqlite3_column_text(q, 1);
    if (cb(principal ? principal : "", fields ? fields : "", arg) != 0) {
      rc = SQLITE_DONE;
      break;
    }
    rc = SQLITE_OK;
  }
  sqlite3_finalize(q);
  return rc == SQLITE_DONE ? 0 : (store_sqlite_errno(rc) ? store_sqlite_errno(rc) : -EIO);
}
