/* store_pg_esclog: the PostgreSQL store's side of the escalation log
 * (DESIGN.md §6, "the store is the truth"), the refusals kept in the
 * inbox, and the files refused at the adapters: the twins of SQLite's
 * store_sqlite_esclog.c, store_sqlite_rejection.c and the inbox refusal of
 * store_sqlite_enquiry.c.
 *
 * Responsible for: the stored steps in sequence order (for the log's own
 * thread), the log's durable mark (table esclog_mark, migration 9), the
 * inbox's refusals and their expiry (migration 7), and the adapter
 * rejections (migration 10). Plain columns and unsealed escalation events
 * only (ids, levels, times, field paths: no child data), so the reads work
 * on a reader without the data key. Must not: write anything from a
 * reader, or be used by two threads at once (each thread has its own
 * session).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg_int.h"

/* ---- the escalation log ---- */

int store_pg_elog_after(mash_store_t *s, uint64_t after_seq, size_t max, mash_store_step_cb cb,
                        void *arg) {
  store_pg_args_t a = {0};
  store_pg_int(&a, (int64_t)after_seq);
  store_pg_int(&a, max == 0 || max > INT64_MAX ? INT64_MAX : (int64_t)max);
  int rc = 0;
  PGresult *r = store_pg_query(s,
                               "SELECT id, escalation_id, event FROM escalations WHERE id > $1 "
                               "ORDER BY id LIMIT $2",
                               &a, &rc);
  if (!r) {
    return rc;
  }
  int n = PQntuples(r);
  for (int i = 0; i < n && rc == 0; i++) {
    uint8_t *ev = NULL;
    size_t len = 0;
    rc = store_pg_blob(r, i, 2, &ev, &len);
    if (rc == 0) {
      int stop = cb((uint64_t)store_pg_i64(r, i, 0), PQgetvalue(r, i, 1),
                    ev ? ev : (const uint8_t *)"", len, arg);
      free(ev);
      if (stop) {
        break;
      }
    }
  }
  PQclear(r);
  return rc;
}

int store_pg_elog_state(mash_store_t *s, mash_store_esclog_state_t *out) {
  memset(out, 0, sizeof *out);
  int rc = 0;
  PGresult *r = store_pg_query(s,
                               "SELECT (SELECT count(*) FROM escalations), "
                               "(SELECT COALESCE(MAX(id), 0) FROM escalations), "
                               "COALESCE((SELECT appended_seq FROM esclog_mark WHERE k = 1), 0), "
                               "COALESCE((SELECT legacy_seq FROM esclog_mark WHERE k = 1), 0)",
                               NULL, &rc);
  if (!r) {
    return rc;
  }
  if (PQntuples(r) == 1) {
    out->steps = (uint64_t)store_pg_i64(r, 0, 0);
    out->last_seq = (uint64_t)store_pg_i64(r, 0, 1);
    out->appended_seq = (uint64_t)store_pg_i64(r, 0, 2);
    out->legacy_seq = (uint64_t)store_pg_i64(r, 0, 3);
  } else {
    rc = -EIO;
  }
  PQclear(r);
  return rc;
}

int store_pg_elog_mark(mash_store_t *s, uint64_t appended_seq) {
  store_pg_args_t a = {0};
  store_pg_int(&a, (int64_t)appended_seq);
  return store_pg_exec(
      s, "UPDATE esclog_mark SET appended_seq = $1 WHERE k = 1 AND appended_seq < $1", &a, NULL);
}

/* ---- refusals kept in the inbox ---- */

/* A refusal is kept (its resend gets the same answer) for a retention
 * period only: each one stored deletes up to 16 that have expired. */
int store_pg_inbox_refused(mash_store_t *s, const char *principal, const char *message_id,
                           const uint8_t *result, size_t len, int64_t at_ms,
                           int64_t expire_before_ms) {
  store_pg_args_t a = {0};
  store_pg_text(&a, principal);
  store_pg_text(&a, message_id);
  store_pg_int(&a, at_ms);
  store_pg_bytes(&a, result, len);
  int rc = store_pg_exec(s,
                         "INSERT INTO inbox (principal, message_id, at_ms, result, refused) "
                         "VALUES ($1, $2, $3, $4, 1) ON CONFLICT DO NOTHING",
                         &a, NULL);
  if (rc == 0) {
    store_pg_args_t e = {0};
    store_pg_int(&e, expire_before_ms);
    rc = store_pg_exec(s,
                       "DELETE FROM inbox WHERE (principal, message_id) IN (SELECT principal, "
                       "message_id FROM inbox WHERE refused = 1 AND at_ms < $1 "
                       "ORDER BY at_ms LIMIT 16)",
                       &e, NULL);
  }
  return rc;
}

/* ---- files refused at the adapters ---- */

int store_pg_rej_put(mash_store_t *s, const char *principal, const char *message_id,
                     const char *reason, const char *fields, int64_t at_ms) {
  store_pg_args_t a = {0};
  store_pg_text(&a, principal);
  store_pg_text(&a, message_id);
  store_pg_text(&a, reason);
  store_pg_text(&a, fields ? fields : "");
  store_pg_int(&a, at_ms);
  int64_t changed = 0;
  int rc = store_pg_exec(s,
                         "INSERT INTO adapter_rejections "
                         "(principal, message_id, reason, fields, received_at_ms) "
                         "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                         &a, &changed);
  return rc < 0 ? rc : changed == 1 ? 1 : 0;
}

int store_pg_rej_each(mash_store_t *s, mash_store_rejection_cb cb, void *arg) {
  int rc = 0;
  PGresult *r =
      store_pg_query(s, "SELECT principal, fields FROM adapter_rejections ORDER BY id", NULL, &rc);
  if (!r) {
    return rc;
  }
  int n = PQntuples(r);
  for (int i = 0; i < n; i++) {
    if (cb(PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), arg) != 0) {
      break;
    }
  }
  PQclear(r);
  return 0;
}
