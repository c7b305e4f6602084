/* store_sqlite_enquiry: the enquiry tables of the SQLite store: enquiries,
 * per-agency requests and their answers, escalations, the outbox of
 * messages to deliver, and the inbox that makes every client request
 * idempotent.
 *
 * Responsible for: these tables and their statements. Content that can name
 * a person (screening decisions, answers, outbox frames) is sealed with its
 * row id as associated data. Must not: decide anything (enquiry.c does), or
 * be called from any thread but the storage thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_row.h"
#include "store_logic.h"
#include "store_sqlite_int.h"

enum {
  Q_INBOX_GET,
  Q_INBOX_PUT,
  Q_INBOX_REFUSED,
  Q_INBOX_EXPIRE,
  Q_ENQ_NEXT,
  Q_ENQ_INSERT,
  Q_ENQ_GET,
  Q_ENQ_UPDATE,
  Q_ENQ_OF_CONTACT,
  Q_REQ_NEXT,
  Q_REQ_INSERT,
  Q_REQ_GET,
  Q_REQ_ANSWER,
  Q_REQ_LEVEL,
  Q_REQ_OF_ENQ,
  Q_REQ_OPEN,
  Q_ESC_INSERT,
  Q_ESC_OF_ENQ,
  Q_OUT_INSERT,
  Q_OUT_DELIVERED,
  Q_OUT_EXISTS,
  Q_OUT_PENDING,
  Q_LATEST,
  Q_N
};

#define REQ_COLS                                                                                   \
  "r.request_id, r.enquiry_id, r.agency, r.rag, r.requested_at_ms, r.due_at_ms, "                  \
  "r.answered_at_ms, r.level, r.level_at_ms, e.closed_at_ms, r.response"

static const char *const SQL[Q_N] = {
    [Q_INBOX_GET] = "SELECT result FROM inbox WHERE principal = ?1 AND message_id = ?2",
    [Q_INBOX_PUT] = "INSERT OR IGNORE INTO inbox (principal, message_id, at_ms, result) "
                    "VALUES (?1, ?2, ?3, ?4)",
    [Q_INBOX_REFUSED] = "INSERT OR IGNORE INTO inbox (principal, message_id, at_ms, result, "
                        "refused) VALUES (?1, ?2, ?3, ?4, 1)",
    [Q_INBOX_EXPIRE] = "DELETE FROM inbox WHERE rowid IN (SELECT rowid FROM inbox "
                       "WHERE refused = 1 AND at_ms < ?1 ORDER BY at_ms LIMIT 16)",
    [Q_ENQ_NEXT] = "SELECT COALESCE(MAX(id), 0) + 1 FROM enquiries",
    [Q_ENQ_INSERT] = "INSERT INTO enquiries (id, enquiry_id, contact_id, rag, opened_at_ms, "
                     "decision, consent_status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [Q_ENQ_GET] = "SELECT enquiry_id, contact_id, rag, opened_at_ms, closed_at_ms, pack_version, "
                  "decision FROM enquiries WHERE enquiry_id = ?1",
    [Q_ENQ_UPDATE] = "UPDATE enquiries SET first_pack_at_ms = CASE WHEN pack_version = 0 AND "
                     "?2 > 0 THEN ?4 ELSE first_pack_at_ms END, pack_version = ?2, "
                     "closed_at_ms = ?3 WHERE enquiry_id = ?1",
    [Q_ENQ_OF_CONTACT] = "SELECT enquiry_id FROM enquiries WHERE contact_id = ?1 "
                         "ORDER BY id DESC LIMIT 1",
    [Q_REQ_NEXT] = "SELECT COALESCE(MAX(id), 0) + 1 FROM requests",
    [Q_REQ_INSERT] = "INSERT INTO requests (id, request_id, enquiry_id, agency, rag, "
                     "requested_at_ms, due_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [Q_REQ_GET] = "SELECT " REQ_COLS " FROM requests r JOIN enquiries e USING (enquiry_id) "
                  "WHERE r.request_id = ?1",
    [Q_REQ_ANSWER] = "UPDATE requests SET answered_at_ms = ?2, response = ?3 "
                     "WHERE request_id = ?1 AND answered_at_ms = 0",
    [Q_REQ_LEVEL] = "UPDATE requests SET level = ?2, level_at_ms = ?3 WHERE request_id = ?1",
    [Q_REQ_OF_ENQ] = "SELECT " REQ_COLS " FROM requests r JOIN enquiries e USING (enquiry_id) "
                     "WHERE r.enquiry_id = ?1 ORDER BY r.id",
    [Q_REQ_OPEN] = "SELECT " REQ_COLS " FROM requests r JOIN enquiries e USING (enquiry_id) "
                   "WHERE r.answered_at_ms = 0 AND e.closed_at_ms = 0 ORDER BY r.id",
    [Q_ESC_INSERT] = "INSERT INTO escalations (escalation_id, enquiry_id, request_id, level, "
                     "at_ms, event) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [Q_ESC_OF_ENQ] = "SELECT event FROM escalations WHERE enquiry_id = ?1 ORDER BY id",
    [Q_OUT_INSERT] = "INSERT INTO outbox (message_id, target, created_at_ms, frame) "
                     "VALUES (?1, ?2, ?3, ?4)",
    [Q_OUT_DELIVERED] = "UPDATE outbox SET delivered_at_ms = ?2, delivered_to = ?3 "
                        "WHERE message_id = ?1 AND delivered_at_ms IS NULL",
    [Q_OUT_EXISTS] = "SELECT 1 FROM outbox WHERE message_id = ?1",
    [Q_OUT_PENDING] = "SELECT message_id, target, frame FROM outbox "
                      "WHERE delivered_at_ms IS NULL ORDER BY id",
    [Q_LATEST] = "SELECT MAX(t) FROM (SELECT MAX(received_at_ms) AS t FROM contacts "
                 "UNION ALL SELECT MAX(opened_at_ms) FROM enquiries "
                 "UNION ALL SELECT MAX(answered_at_ms) FROM requests "
                 "UNION ALL SELECT MAX(at_ms) FROM escalations)",
};

struct store_enq {
  sqlite3 *db;
  const mash_seal_t *seal;
  sqlite3_stmt *q[Q_N];
};

store_enq_t *store_enq_new(sqlite3 *db, const mash_seal_t *seal, char *err, size_t errlen) {
  store_enq_t *e = calloc(1, sizeof *e);
  if (!e) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  e->db = db;
  e->seal = seal;
  if (store_sql_prepare_all(db, SQL, Q_N, e->q, "enquiry", err, errlen) != 0) {
    store_enq_destroy(e);
    return NULL;
  }
  return e;
}

void store_enq_destroy(store_enq_t *e) {
  if (!e) {
    return;
  }
  store_sql_finalize_all(e->q, Q_N);
  free(e);
}

/* ---- small helpers: every statement is reset after use ---- */

static sqlite3_stmt *s_q(mash_store_t *s, int which) {
  return store_sqlite_enq(s)->q[which];
}

static int s_seal(mash_store_t *s, const uint8_t *in, size_t len, const char *aad, uint8_t **out,
                  size_t *out_len) {
  return store_sql_seal(store_sqlite_enq(s)->seal, in, len, aad, out, out_len);
}

/* Open the sealed blob in column col, bound to aad; NULL column gives NULL. */
static int s_open(mash_store_t *s, sqlite3_stmt *q, int col, const char *aad, uint8_t **out,
                  size_t *out_len) {
  return store_sql_open(store_sqlite_enq(s)->seal, q, col, aad, out, out_len);
}

/* MAX(id) + 1, raised above any id the id mark says was issued. */
static int s_next_id(mash_store_t *s, int which, sqlite3_int64 *id) {
  int64_t v = 0;
  int rc = store_sql_int64(s_q(s, which), &v);
  if (rc == 0) {
    rc = store_ids_next(store_sqlite_ids(s),
                        which == Q_ENQ_NEXT ? STORE_IDS_ENQUIRY : STORE_IDS_REQUEST, &v);
  }
  *id = v;
  return rc;
}

/* ---- inbox ---- */

int store_enq_inbox_get(mash_store_t *s, const char *principal, const char *message_id,
                        uint8_t **result, size_t *len) {
  sqlite3_stmt *q = s_q(s, Q_INBOX_GET);
  sqlite3_bind_text(q, 1, principal, -1, SQLITE_STATIC);
  sqlite3_bind_text(q, 2, message_id, -1, SQLITE_STATIC);
  int rc = sqlite3_step(q);
  int out = 0;
  *result = NULL;
  *len = 0;
  if (rc == SQLITE_ROW) {
    int n = sqlite3_column_bytes(q, 0);
    const void *b = sqlite3_column_blob(q, 0);
    *result = malloc(n > 0 ? (size_t)n : 1);
    if (!*result) {
      out = -ENOMEM;
    } else {
      if (n > 0) {
        memcpy(*result, b, (size_t)n);
      }
      *len = (size_t)n;
      out = 1;
    }
  } else if (rc != SQLITE_DONE) {
    out = store_sqlite_errno(rc);
  }
  store_sql_done(q);
  return out;
}

int store_enq_inbox_put(mash_store_t *s, const char *principal, const char *message_id,
                        const uint8_t *result, size_t len, int64_t at_ms) {
  sqlite3_stmt *q = s_q(s, Q_INBOX_PUT);
  sqlite3_bind_text(q, 1, principal, -1, SQLITE_STATIC);
  sqlite3_bind_text(q, 2, message_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(q, 3, at_ms);
  sqlite3_bind_blob(q, 4, result ? (const void *)result : (const void *)"", (int)len,
                    SQLITE_STATIC);
  return store_sql_exec(q);
}

/* A refusal is kept (its resend gets the same answer) for a retention
 * period only: each one stored deletes up to 16 that have expired, so the
 * refusals kept stay those of one period, however many a peer sends. */
int store_enq_inbox_refused(mash_store_t *s, const char *principal, const char *message_id,
                            const uint8_t *result, size_t len, int64_t at_ms,
                            int64_t expire_before_ms) {
  sqlite3_stmt *q = s_q(s, Q_INBOX_REFUSED);
  sqlite3_bind_text(q, 1, principal, -1, SQLITE_STATIC);
  sqlite3_bind_text(q, 2, message_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(q, 3, at_ms);
  sqlite3_bind_blob(q, 4, result ? (const void *)result : (const void *)"", (int)len,
                    SQLITE_STATIC);
  int rc = store_sql_exec(q);
  if (rc == 0) {
    q = s_q(s, Q_INBOX_EXPIRE);
    sqlite3_bind_int64(q, 1, expire_before_ms);
    rc = store_sql_exec(q);
  }
  return rc;
}

/* ---- enquiries ---- */

int store_enq_enquiry_insert(mash_store_t *s, const char *contact_id, int rag, int consent_status,
                             int64_t at_ms, const uint8_t *decision, size_t len,
                             char enquiry_id[MASH_ITEM_ID_LEN]) {
  sqlite3_int64 id = 0;
  int rc = s_next_id(s, Q_ENQ_NEXT, &id);
  if (rc < 0) {
    return rc;
  }
  store_row_id("ENQ", id, enquiry_id, MASH_ITEM_ID_LEN);
  uint8_t *sealed = NULL;
  size_t slen = 0;
  rc = s_seal(s, decision, len, enquiry_id, &sealed, &slen);
  if (rc < 0) {
    return rc;
  }
  sqlite3_stmt *q = s_q(s, Q_ENQ_INSERT);
  sqlite3_bind_int64(q, 1, id);
  sqlite3_bind_text(q, 2, enquiry_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(q, 3, contact_id, -1, SQLITE_STATIC);
  sqlite3_bind_int(q, 4, rag);
  sqlite3_bind_int64(q, 5, at_ms);
  sqlite3_bind_blob(q, 6, sealed, (int)slen, SQLITE_STATIC);
  sqlite3_bind_int(q, 7, consent_status);
  rc = store_sql_exec(q);
  free(sealed);
  return rc;
}

int store_enq_enquiry_get(mash_store_t *s, const char *enquiry_id, mash_enquiry_row_t *row) {
  memset(row, 0, sizeof *row);
  sqlite3_stmt *q = s_q(s, Q_ENQ_GET);
  sqlite3_bind_text(q, 1, enquiry_id, -1, SQLITE_STATIC);
  int rc = sqlite3_step(q);
  int out;
  if (rc == SQLITE_ROW) {
    store_sql_text(q, 0, row->enquiry_id, sizeof row->enquiry_id);
    store_sql_text(q, 1, row->contact_id, sizeof row->contact_id);
    row->rag = sqlite3_column_int(q, 2);
    row->opened_at_ms = sqlite3_column_int64(q, 3);
    row->closed_at_ms = sqlite3_column_int64(q, 4);
    row->pack_version = (unsigned)sqlite3_column_int(q, 5);
    out = s_open(s, q, 6, row->enquiry_id, &row->decision, &row->len);
  } else {
    out = rc == SQLITE_DONE ? -ENOENT : store_sqlite_errno(rc);
  }
  store_sql_done(q);
  return out;
}

int store_enq_enquiry_update(mash_store_t *s, const char *enquiry_id, unsigned pack_version,
                             int64_t closed_at_ms, int64_t at_ms) {
  sqlite3_stmt *q = s_q(s, Q_ENQ_UPDATE);
  sqlite3_bind_text(q, 1, enquiry_id, -1, SQLITE_STATIC);
  sqlite3_bind_int(q, 2, (int)pack_version);
  sqlite3_bind_int64(q, 3, closed_at_ms);
  sqlite3_bind_int64(q, 4, at_ms);
  return store_sql_exec(q);
}

int store_enq_enquiry_of_contact(mash_store_t *s, const char *contact_id,
                                 char enquiry_id[MASH_ITEM_ID_LEN]) {
  sqlite3_stmt *q = s_q(s, Q_ENQ_OF_CONTACT);
  sqlite3_bind_text(q, 1, contact_id, -1, SQLITE_STATIC);
  int rc = sqlite3_step(q);
  int out = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : store_sqlite_errno(rc);
  if (rc == SQLITE_ROW) {
    store_sql_text(q, 0, enquiry_id, MASH_ITEM_ID_LEN);
  }
  store_sql_done(q);
  return out;
}

/* ---- requests ---- */

int store_enq_request_insert(mash_store_t *s, const char *enquiry_id, const char *agency, int rag,
                             int64_t requested_at_ms, int64_t due_at_ms,
                             char request_id[MASH_ITEM_ID_LEN]) {
  sqlite3_int64 id = 0;
  int rc = s_next_id(s, Q_REQ_NEXT, &id);
  if (rc < 0) {
    return rc;
  }
  store_row_id("REQ", id, request_id, MASH_ITEM_ID_LEN);
  sqlite3_stmt *q = s_q(s, Q_REQ_INSERT);
  sqlite3_bind_int64(q, 1, id);
  sqlite3_bind_text(q, 2, request_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(q, 3, enquiry_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(q, 4, agency, -1, SQLITE_STATIC);
  sqlite3_bind_int(q, 5, rag);
  sqlite3_bind_int64(q, 6, requested_at_ms);
  sqlite3_bind_int64(q, 7, due_at_ms);
  return store_sql_exec(q);
}

static int s_request_row(mash_store_t *s, sqlite3_stmt *q, mash_request_row_t *row) {
  memset(row, 0, sizeof *row);
  store_sql_text(q, 0, row->request_id, sizeof row->request_id);
  store_sql_text(q, 1, row->enquiry_id, sizeof row->enquiry_id);
  store_sql_text(q, 2, row->agency, sizeof row->agency);
  row->rag = sqlite3_column_int(q, 3);
  row->requested_at_ms = sqlite3_column_int64(q, 4);
  row->due_at_ms = sqlite3_column_int64(q, 5);
  row->answered_at_ms = sqlite3_column_int64(q, 6);
  row->level = (unsigned)sqlite3_column_int(q, 7);
  row->level_at_ms = sqlite3_column_int64(q, 8);
  row->closed = sqlite3_column_int64(q, 9) != 0;
  return s_open(s, q, 10, row->request_id, &row->response, &row->len);
}

int store_enq_request_get(mash_store_t *s, const char *request_id, mash_request_row_t *row) {
  sqlite3_stmt *q = s_q(s, Q_REQ_GET);
  sqlite3_bind_text(q, 1, request_id, -1, SQLITE_STATIC);
  int rc = sqlite3_step(q);
  int out = rc == SQLITE_ROW    ? s_request_row(s, q, row)
            : rc == SQLITE_DONE ? -ENOENT
                                : store_sqlite_errno(rc);
  store_sql_done(q);
  return out;
}

int store_enq_request_answer(mash_store_t *s, const char *request_id, int64_t at_ms,
                             const uint8_t *response, size_t len) {
  uint8_t *sealed = NULL;
  size_t slen = 0;
  int rc = s_seal(s, response, len, request_id, &sealed, &slen);
  if (rc < 0) {
    return rc;
  }
  sqlite3_stmt *q = s_q(s, Q_REQ_ANSWER);
  sqlite3_bind_text(q, 1, request_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(q, 2, at_ms);
  sqlite3_bind_blob(q, 3, sealed, (int)slen, SQLITE_STATIC);
  rc = store_sql_exec(q);
  free(sealed);
  if (rc == 0 && sqlite3_changes(store_sqlite_enq(s)->db) == 0) {
    rc = -EEXIST; /* already answered */
  }
  return rc;
}

int store_enq_request_set_level(mash_store_t *s, const char *request_id, unsigned level,
                                int64_t at_ms) {
  sqlite3_stmt *q = s_q(s, Q_REQ_LEVEL);
  sqlite3_bind_text(q, 1, request_id, -1, SQLITE_STATIC);
  sqlite3_bind_int(q, 2, (int)level);
  sqlite3_bind_int64(q, 3, at_ms);
  return store_sql_exec(q);
}

static int s_visit_requests(mash_store_t *s, sqlite3_stmt *q, mash_store_request_cb cb, void *arg) {
  int out = 0;
  while (store_sql_row(q, &out)) {
    mash_request_row_t row;
    out = s_request_row(s, q, &row);
    if (out < 0) {
      break;
    }
    if (store_logic_request_emit(&row, cb, arg)) {
      break;
    }
  }
  store_sql_done(q);
  return out;
}

int store_enq_requests_of_enquiry(mash_store_t *s, const char *enquiry_id, mash_store_request_cb cb,
                                  void *arg) {
  sqlite3_stmt *q = s_q(s, Q_REQ_OF_ENQ);
  sqlite3_bind_text(q, 1, enquiry_id, -1, SQLITE_STATIC);
  return s_visit_requests(s, q, cb, arg);
}

int store_enq_requests_open(mash_store_t *s, mash_store_request_cb cb, void *arg) {
  return s_visit_requests(s, s_q(s, Q_REQ_OPEN), cb, arg);
}

/* ---- escalations ---- */

int store_enq_escalation_insert(mash_store_t *s, const char *escalation_id, const char *enquiry_id,
                                const char *request_id, unsigned level, int64_t at_ms,
                                const uint8_t *event, size_t len) {
  /* Escalation events carry ids, levels and times only: not sealed. */
  sqlite3_stmt *q = s_q(s, Q_ESC_INSERT);
  sqlite3_bind_text(q, 1, escalation_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(q, 2, enquiry_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(q, 3, request_id, -1, SQLITE_STATIC);
  sqlite3_bind_int(q, 4, (int)level);
  sqlite3_bind_int64(q, 5, at_ms);
  sqlite3_bind_blob(q, 6, event ? (const void *)event : (const void *)"", (int)len, SQLITE_STATIC);
  return store_sql_exec(q);
}

int store_enq_escalations_of_enquiry(mash_store_t *s, const char *enquiry_id, mash_store_blob_cb cb,
                                     void *arg) {
  sqlite3_stmt *q = s_q(s, Q_ESC_OF_ENQ);
  sqlite3_bind_text(q, 1, enquiry_id, -1, SQLITE_STATIC);
  int out = 0;
  while (store_sql_row(q, &out)) {
    if (cb(sqlite3_column_blob(q, 0), (size_t)sqlite3_column_bytes(q, 0), arg)) {
      break;
    }
  }
  store_sql_done(q);
  return out;
}

/* ---- outbox ---- */

int store_enq_outbox_insert(mash_store_t *s, const char *message_id, const char *target,
                            const uint8_t *frame, size_t len, int64_t at_ms) {
  uint8_t *sealed = NULL;
  size_t slen = 0;
  int rc = s_seal(s, frame, len, message_id, &sealed, &slen);
  if (rc < 0) {
    return rc;
  }
  sqlite3_stmt *q = s_q(s, Q_OUT_INSERT);
  sqlite3_bind_text(q, 1, message_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(q, 2, target, -1, SQLITE_STATIC);
  sqlite3_bind_int64(q, 3, at_ms);
  sqlite3_bind_blob(q, 4, sealed, (int)slen, SQLITE_STATIC);
  rc = store_sql_exec(q);
  free(sealed);
  return rc;
}

int store_enq_outbox_delivered(mash_store_t *s, const char *message_id, const char *principal,
                               int64_t at_ms) {
  sqlite3_stmt *q = s_q(s, Q_OUT_DELIVERED);
  sqlite3_bind_text(q, 1, message_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(q, 2, at_ms);
  sqlite3_bind_text(q, 3, principal, -1, SQLITE_STATIC);
  int rc = store_sql_exec(q);
  if (rc < 0 || sqlite3_changes(store_sqlite_enq(s)->db) > 0) {
    return rc;
  }
  q = s_q(s, Q_OUT_EXISTS);
  sqlite3_bind_text(q, 1, message_id, -1, SQLITE_STATIC);
  int src = sqlite3_step(q);
  rc = src == SQLITE_ROW ? 0 : src == SQLITE_DONE ? -ENOENT : store_sqlite_errno(src);
  store_sql_done(q);
  return rc;
}

int store_enq_outbox_pending(mash_store_t *s, mash_store_outbox_cb cb, void *arg) {
  sqlite3_stmt *q = s_q(s, Q_OUT_PENDING);
  int out = 0;
  while (store_sql_row(q, &out)) {
    char mid[MASH_ITEM_ID_LEN * 2], target[MASH_PRINCIPAL_LEN];
    store_sql_text(q, 0, mid, sizeof mid);
    store_sql_text(q, 1, target, sizeof target);
    uint8_t *frame = NULL;
    size_t len = 0;
    out = s_open(s, q, 2, mid, &frame, &len);
    if (out < 0) {
      break;
    }
    if (store_logic_outbox_emit(mid, target, frame, len, cb, arg)) {
      break;
    }
  }
  store_sql_done(q);
  return out;
}

int store_enq_latest_instant(mash_store_t *s, int64_t *ms) {
  sqlite3_stmt *q = s_q(s, Q_LATEST);
  int rc = sqlite3_step(q);
  *ms = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
  int out = rc == SQLITE_ROW ? 0 : store_sqlite_errno(rc);
  store_sql_done(q);
  return out;
}
