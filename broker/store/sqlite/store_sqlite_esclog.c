/* store_sqlite_esclog: the escalation log's side of the SQLite store
 * (DESIGN.md §6, "the store is the truth"): the stored steps in sequence
 * order for the log's own thread to append, and the mark of how far the
 * log was durable, which `mashctl verify` and start-up hold the log to.
 *
 * Responsible for: the esclog_mark table (migration 7) and the reads of
 * the escalations table by sequence number. Plain columns and the unsealed
 * escalation events only (ids, levels, times: no child data), so the reads
 * work on a read-only store without the data key. Must not: write anything
 * but the mark, or be used by two threads at once (each thread opens its
 * own connection). Statements are prepared per call: these run once per
 * slice of escalations or per chunk of log lines, never per message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_sqlite_int.h"

static int s_prepare(mash_store_t *s, const char *sql, sqlite3_stmt **q) {
  int rc = sqlite3_prepare_v2(store_sqlite_db(s), sql, -1, q, NULL);
  return rc == SQLITE_OK ? 0 : store_sqlite_errno(rc);
}

int store_elog_after(mash_store_t *s, uint64_t after_seq, size_t max, mash_store_step_cb cb,
                     void *arg) {
  sqlite3_stmt *q = NULL;
  int out = s_prepare(s,
                      "SELECT id, escalation_id, event FROM escalations WHERE id > ?1 "
                      "ORDER BY id LIMIT ?2",
                      &q);
  if (out < 0) {
    return out;
  }
  sqlite3_bind_int64(q, 1, (sqlite3_int64)after_seq);
  sqlite3_bind_int64(q, 2, max == 0 || max > INT64_MAX ? -1 : (sqlite3_int64)max);
  for (;;) {
    int rc = sqlite3_step(q);
    if (rc == SQLITE_DONE) {
      break;
    }
    if (rc != SQLITE_ROW) {
      out = store_sqlite_errno(rc);
      break;
    }
    const unsigned char *id = sqlite3_column_text(q, 1);
    const void *ev = sqlite3_column_blob(q, 2);
    int len = sqlite3_column_bytes(q, 2);
    if (cb((uint64_t)sqlite3_column_int64(q, 0), id ? (const char *)id : "",
           ev ? ev : (const void *)"", len > 0 ? (size_t)len : 0, arg)) {
      break;
    }
  }
  sqlite3_finalize(q);
  return out;
}

int store_elog_state(mash_store_t *s, mash_store_esclog_state_t *out) {
  memset(out, 0, sizeof *out);
  sqlite3_stmt *q = NULL;
  int rc = s_prepare(s,
                     "SELECT (SELECT count(*) FROM escalations), "
                     "(SELECT COALESCE(MAX(id), 0) FROM escalations), "
                     "COALESCE((SELECT appended_seq FROM esclog_mark WHERE k = 1), 0), "
                     "COALESCE((SELECT legacy_seq FROM esclog_mark WHERE k = 1), 0)",
                     &q);
  if (rc < 0) {
    return rc;
  }
  int step = sqlite3_step(q);
  if (step == SQLITE_ROW) {
    out->steps = (uint64_t)sqlite3_column_int64(q, 0);
    out->last_seq = (uint64_t)sqlite3_column_int64(q, 1);
    out->appended_seq = (uint64_t)sqlite3_column_int64(q, 2);
    out->legacy_seq = (uint64_t)sqlite3_column_int64(q, 3);
    rc = 0;
  } else {
    rc = store_sqlite_errno(step == SQLITE_DONE ? SQLITE_MISUSE : step);
  }
  sqlite3_finalize(q);
  return rc;
}

int store_elog_mark(mash_store_t *s, uint64_t appended_seq) {
  sqlite3_stmt *q = NULL;
  int rc = s_prepare(
      s, "UPDATE esclog_mark SET appended_seq = ?1 WHERE k = 1 AND appended_seq < ?1", &q);
  if (rc < 0) {
    return rc;
  }
  sqlite3_bind_int64(q, 1, (sqlite3_int64)appended_seq);
  rc = sqlite3_step(q);
  sqlite3_finalize(q);
  return rc == SQLITE_DONE ? 0 : store_sqlite_errno(rc);
}
