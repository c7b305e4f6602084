/* store_pg_enquiry: the enquiry tables of the PostgreSQL store: enquiries,
 * per-agency requests and their answers, escalations, the outbox of
 * messages to deliver, and the inbox that makes every client request
 * idempotent.
 *
 * Responsible for: these tables and their statements. Content that can name
 * a person (screening decisions, answers, outbox frames) is sealed with its
 * row id as associated data (store_row.c, as in SQLite). Must not: decide
 * anything (txn/enquiry.c does), or be called from any thread but the
 * storage thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_logic.h"
#include "store_pg_int.h"

#define REQ_COLS                                                                                   \
  "r.request_id, r.enquiry_id, r.agency, r.rag, r.requested_at_ms, r.due_at_ms, "                  \
  "r.answered_at_ms, r.level, r.level_at_ms, e.closed_at_ms, r.response"

static const char SQL_INBOX_GET[] =
    "SELECT result FROM inbox WHERE principal = $1 AND message_id = $2";
static const char SQL_INBOX_PUT[] = "INSERT INTO inbox (principal, message_id, at_ms, result) "
                                    "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
static const char SQL_ENQ_NEXT[] = "SELECT COALESCE(MAX(id), 0) + 1 FROM enquiries";
static const char SQL_ENQ_INSERT[] =
    "INSERT INTO enquiries (id, enquiry_id, contact_id, rag, opened_at_ms, decision, "
    "consent_status) VALUES ($1, $2, $3, $4, $5, $6, $7)";
static const char SQL_ENQ_GET[] =
    "SELECT enquiry_id, contact_id, rag, opened_at_ms, closed_at_ms, pack_version, decision "
    "FROM enquiries WHERE enquiry_id = $1";
static const char SQL_ENQ_UPDATE[] =
    "UPDATE enquiries SET first_pack_at_ms = CASE WHEN pack_version = 0 AND $2::int > 0 "
    "THEN $4::bigint ELSE first_pack_at_ms END, pack_version = $2, closed_at_ms = $3 "
    "WHERE enquiry_id = $1";
static const char SQL_ENQ_OF_CONTACT[] =
    "SELECT enquiry_id FROM enquiries WHERE contact_id = $1 ORDER BY id DESC LIMIT 1";
static const char SQL_REQ_NEXT[] = "SELECT COALESCE(MAX(id), 0) + 1 FROM requests";
static const char SQL_REQ_INSERT[] =
    "INSERT INTO requests (id, request_id, enquiry_id, agency, rag, requested_at_ms, due_at_ms) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";
static const char SQL_REQ_GET[] =
    "SELECT " REQ_COLS " FROM requests r JOIN enquiries e USING (enquiry_id) "
    "WHERE r.request_id = $1";
static const char SQL_REQ_ANSWER[] = "UPDATE requests SET answered_at_ms = $2, response = $3 "
                                     "WHERE request_id = $1 AND answered_at_ms = 0";
static const char SQL_REQ_LEVEL[] =
    "UPDATE requests SET level = $2, level_at_ms = $3 WHERE request_id = $1";
static const char SQL_REQ_OF_ENQ[] =
    "SELECT " REQ_COLS " FROM requests r JOIN enquiries e USING (enquiry_id) "
    "WHERE r.enquiry_id = $1 ORDER BY r.id";
static const char SQL_REQ_OPEN[] =
    "SELECT " REQ_COLS " FROM requests r JOIN enquiries e USING (enquiry_id) "
    "WHERE r.answered_at_ms = 0 AND e.closed_at_ms = 0 "
    "ORDER BY r.id";
static const char SQL_ESC_INSERT[] =
    "INSERT INTO escalations (escalation_id, enquiry_id, request_id, level, at_ms, event) "
    "VALUES ($1, $2, $3, $4, $5, $6)";
static const char SQL_ESC_OF_ENQ[] =
    "SELECT event FROM escalations WHERE enquiry_id = $1 ORDER BY id";
static const char SQL_OUT_INSERT[] =
    "INSERT INTO outbox (message_id, target, created_at_ms, frame) VALUES ($1, $2, $3, $4)";
static const char SQL_OUT_DELIVERED[] = "UPDATE outbox SET delivered_at_ms = $2, delivered_to = $3 "
                                        "WHERE message_id = $1 AND delivered_at_ms IS NULL";
static const char SQL_OUT_EXISTS[] = "SELECT 1 FROM outbox WHERE message_id = $1";
static const char SQL_OUT_PENDING[] =
    "SELECT message_id, target, frame FROM outbox WHERE delivered_at_ms IS NULL ORDER BY id";
static const char SQL_LATEST[] =
    "SELECT MAX(t) FROM (SELECT MAX(received_at_ms) AS t FROM contacts "
    "UNION ALL SELECT MAX(opened_at_ms) FROM enquiries "
    "UNION ALL SELECT MAX(answered_at_ms) FROM requests "
    "UNION ALL SELECT MAX(at_ms) FROM escalations) x";

/* One text key: 1 with a row in *out (PQclear it), 0 with none, or an error. */
static int s_one(mash_store_t *s, const char *sql, const char *key, PGresult **out) {
  store_pg_args_t a = {0};
  store_pg_text(&a, key);
  int rc = 0;
  *out = store_pg_query(s, sql, &a, &rc);
  if (!*out) {
    return rc;
  }
  if (PQntuples(*out) == 0) {
    PQclear(*out);
    *out = NULL;
    return 0;
  }
  return 1;
}

/* ---- inbox ---- */

int store_pg_enq_inbox_get(mash_store_t *s, const char *principal, const char *message_id,
                           uint8_t **result, size_t *len) {
  *result = NULL;
  *len = 0;
  store_pg_args_t a = {0};
  store_pg_text(&a, principal);
  store_pg_text(&a, message_id);
  int rc = 0;
  PGresult *r = store_pg_query(s, SQL_INBOX_GET, &a, &rc);
  if (!r) {
    return rc;
  }
  if (PQntuples(r) > 0) {
    rc = store_pg_blob(r, 0, 0, result, len);
    rc = rc == 0 ? 1 : rc;
  }
  PQclear(r);
  return rc;
}

int store_pg_enq_inbox_put(mash_store_t *s, const char *principal, const char *message_id,
                           const uint8_t *result, size_t len, int64_t at_ms) {
  store_pg_args_t a = {0};
  store_pg_text(&a, principal);
  store_pg_text(&a, message_id);
  store_pg_int(&a, at_ms);
  store_pg_bytes(&a, result, len);
  return store_pg_exec(s, SQL_INBOX_PUT, &a, NULL);
}

/* ---- enquiries ---- */

int store_pg_enq_insert(mash_store_t *s, const char *contact_id, int rag, int consent_status,
                        int64_t at_ms, const uint8_t *decision, size_t len,
                        char enquiry_id[MASH_ITEM_ID_LEN]) {
  int64_t id = 0;
  int rc = store_pg_int64(s, SQL_ENQ_NEXT, NULL, &id);
  if (rc < 0) {
    return rc;
  }
  store_row_id("ENQ", id, enquiry_id, MASH_ITEM_ID_LEN);
  uint8_t *sealed = NULL;
  size_t slen = 0;
  rc = store_row_seal(store_pg_seal(s), decision, len, enquiry_id, &sealed, &slen);
  if (rc < 0) {
    return rc;
  }
  store_pg_args_t a = {0};
  store_pg_int(&a, id);
  store_pg_text(&a, enquiry_id);
  store_pg_text(&a, contact_id);
  store_pg_int(&a, rag);
  store_pg_int(&a, at_ms);
  store_pg_bytes(&a, sealed, slen);
  store_pg_int(&a, consent_status);
  rc = store_pg_exec(s, SQL_ENQ_INSERT, &a, NULL);
  free(sealed);
  return rc;
}

int store_pg_enq_get(mash_store_t *s, const char *enquiry_id, mash_enquiry_row_t *row) {
  memset(row, 0, sizeof *row);
  PGresult *r = NULL;
  int rc = s_one(s, SQL_ENQ_GET, enquiry_id, &r);
  if (rc <= 0) {
    return rc == 0 ? -ENOENT : rc;
  }
  store_pg_str(r, 0, 0, row->enquiry_id, sizeof row->enquiry_id);
  store_pg_str(r, 0, 1, row->contact_id, sizeof row->contact_id);
  row->rag = (int)store_pg_i64(r, 0, 2);
  row->opened_at_ms = store_pg_i64(r, 0, 3);
  row->closed_at_ms = store_pg_i64(r, 0, 4);
  row->pack_version = (unsigned)store_pg_i64(r, 0, 5);
  rc = store_pg_open(s, r, 0, 6, row->enquiry_id, &row->decision, &row->len);
  PQclear(r);
  return rc;
}

int store_pg_enq_update(mash_store_t *s, const char *enquiry_id, unsigned pack_version,
                        int64_t closed_at_ms, int64_t at_ms) {
  store_pg_args_t a = {0};
  store_pg_text(&a, enquiry_id);
  store_pg_int(&a, pack_version);
  store_pg_int(&a, closed_at_ms);
  store_pg_int(&a, at_ms);
  return store_pg_exec(s, SQL_ENQ_UPDATE, &a, NULL);
}

int store_pg_enq_of_contact(mash_store_t *s, const char *contact_id,
                            char enquiry_id[MASH_ITEM_ID_LEN]) {
  PGresult *r = NULL;
  int rc = s_one(s, SQL_ENQ_OF_CONTACT, contact_id, &r);
  if (rc <= 0) {
    return rc == 0 ? -ENOENT : rc;
  }
  store_pg_str(r, 0, 0, enquiry_id, MASH_ITEM_ID_LEN);
  PQclear(r);
  return 0;
}

/* ---- requests ---- */

int store_pg_req_insert(mash_store_t *s, const char *enquiry_id, const char *agency, int rag,
                        int64_t requested_at_ms, int64_t due_at_ms,
                        char request_id[MASH_ITEM_ID_LEN]) {
  int64_t id = 0;
  int rc = store_pg_int64(s, SQL_REQ_NEXT, NULL, &id);
  if (rc < 0) {
    return rc;
  }
  store_row_id("REQ", id, request_id, MASH_ITEM_ID_LEN);
  store_pg_args_t a = {0};
  store_pg_int(&a, id);
  store_pg_text(&a, request_id);
  store_pg_text(&a, enquiry_id);
  store_pg_text(&a, agency);
  store_pg_int(&a, rag);
  store_pg_int(&a, requested_at_ms);
  store_pg_int(&a, due_at_ms);
  return store_pg_exec(s, SQL_REQ_INSERT, &a, NULL);
}

static int s_request_row(mash_store_t *s, const PGresult *r, int i, mash_request_row_t *row) {
  memset(row, 0, sizeof *row);
  store_pg_str(r, i, 0, row->request_id, sizeof row->request_id);
  store_pg_str(r, i, 1, row->enquiry_id, sizeof row->enquiry_id);
  store_pg_str(r, i, 2, row->agency, sizeof row->agency);
  row->rag = (int)store_pg_i64(r, i, 3);
  row->requested_at_ms = store_pg_i64(r, i, 4);
  row->due_at_ms = store_pg_i64(r, i, 5);
  row->answered_at_ms = store_pg_i64(r, i, 6);
  row->level = (unsigned)store_pg_i64(r, i, 7);
  row->level_at_ms = store_pg_i64(r, i, 8);
  row->closed = store_pg_i64(r, i, 9) != 0;
  return store_pg_open(s, r, i, 10, row->request_id, &row->response, &row->len);
}

int store_pg_req_get(mash_store_t *s, const char *request_id, mash_request_row_t *row) {
  PGresult *r = NULL;
  int rc = s_one(s, SQL_REQ_GET, request_id, &r);
  if (rc <= 0) {
    memset(row, 0, sizeof *row);
    return rc == 0 ? -ENOENT : rc;
  }
  rc = s_request_row(s, r, 0, row);
  PQclear(r);
  return rc;
}

int store_pg_req_answer(mash_store_t *s, const char *request_id, int64_t at_ms,
                        const uint8_t *response, size_t len) {
  uint8_t *sealed = NULL;
  size_t slen = 0;
  int rc = store_row_seal(store_pg_seal(s), response, len, request_id, &sealed, &slen);
  if (rc < 0) {
    return rc;
  }
  store_pg_args_t a = {0};
  store_pg_text(&a, request_id);
  store_pg_int(&a, at_ms);
  store_pg_bytes(&a, sealed, slen);
  int64_t changed = 0;
  rc = store_pg_exec(s, SQL_REQ_ANSWER, &a, &changed);
  free(sealed);
  if (rc == 0 && changed == 0) {
    rc = -EEXIST; /* already answered */
  }
  return rc;
}

int store_pg_req_set_level(mash_store_t *s, const char *request_id, unsigned level, int64_t at_ms) {
  store_pg_args_t a = {0};
  store_pg_text(&a, request_id);
  store_pg_int(&a, level);
  store_pg_int(&a, at_ms);
  return store_pg_exec(s, SQL_REQ_LEVEL, &a, NULL);
}

static int s_visit_requests(mash_store_t *s, const char *sql, const char *key,
                            mash_store_request_cb cb, void *arg) {
  store_pg_args_t a = {0};
  if (key) {
    store_pg_text(&a, key);
  }
  int rc = 0;
  PGresult *r = store_pg_query(s, sql, &a, &rc);
  if (!r) {
    return rc;
  }
  for (int i = 0; i < PQntuples(r); i++) {
    mash_request_row_t row;
    rc = s_request_row(s, r, i, &row);
    if (rc < 0) {
      break;
    }
    if (store_logic_request_emit(&row, cb, arg)) {
      break;
    }
  }
  PQclear(r);
  return rc;
}

int store_pg_req_of_enquiry(mash_store_t *s, const char *enquiry_id, mash_store_request_cb cb,
                            void *arg) {
  return s_visit_requests(s, SQL_REQ_OF_ENQ, enquiry_id, cb, arg);
}

int store_pg_req_open(mash_store_t *s, mash_store_request_cb cb, void *arg) {
  return s_visit_requests(s, SQL_REQ_OPEN, NULL, cb, arg);
}

/* ---- escalations: ids, levels and times only, not sealed ---- */

int store_pg_esc_insert(mash_store_t *s, const char *escalation_id, const char *enquiry_id,
                        const char *request_id, unsigned level, int64_t at_ms, const uint8_t *event,
                        size_t len) {
  store_pg_args_t a = {0};
  store_pg_text(&a, escalation_id);
  store_pg_text(&a, enquiry_id);
  store_pg_text(&a, request_id);
  store_pg_int(&a, level);
  store_pg_int(&a, at_ms);
  store_pg_bytes(&a, event, len);
  return store_pg_exec(s, SQL_ESC_INSERT, &a, NULL);
}

int store_pg_esc_of_enquiry(mash_store_t *s, const char *enquiry_id, mash_store_blob_cb cb,
                            void *arg) {
  store_pg_args_t a = {0};
  store_pg_text(&a, enquiry_id);
  int rc = 0;
  PGresult *r = store_pg_query(s, SQL_ESC_OF_ENQ, &a, &rc);
  if (!r) {
    return rc;
  }
  for (int i = 0; i < PQntuples(r); i++) {
    uint8_t *event = NULL;
    size_t len = 0;
    rc = store_pg_blob(r, i, 0, &event, &len);
    if (rc < 0) {
      break;
    }
    int stop = cb(event, len, arg);
    free(event);
    if (stop) {
      break;
    }
  }
  PQclear(r);
  return rc;
}

/* ---- outbox ---- */

int store_pg_out_insert(mash_store_t *s, const char *message_id, const char *target,
                        const uint8_t *frame, size_t len, int64_t at_ms) {
  uint8_t *sealed = NULL;
  size_t slen = 0;
  int rc = store_row_seal(store_pg_seal(s), frame, len, message_id, &sealed, &slen);
  if (rc < 0) {
    return rc;
  }
  store_pg_args_t a = {0};
  store_pg_text(&a, message_id);
  store_pg_text(&a, target);
  store_pg_int(&a, at_ms);
  store_pg_bytes(&a, sealed, slen);
  rc = store_pg_exec(s, SQL_OUT_INSERT, &a, NULL);
  free(sealed);
  return rc;
}

int store_pg_out_delivered(mash_store_t *s, const char *message_id, const char *principal,
                           int64_t at_ms) {
  store_pg_args_t a = {0};
  store_pg_text(&a, message_id);
  store_pg_int(&a, at_ms);
  store_pg_text(&a, principal);
  int64_t changed = 0;
  int rc = store_pg_exec(s, SQL_OUT_DELIVERED, &a, &changed);
  if (rc < 0 || changed > 0) {
    return rc;
  }
  PGresult *r = NULL;
  rc = s_one(s, SQL_OUT_EXISTS, message_id, &r);
  PQclear(r);
  return rc == 1 ? 0 : rc == 0 ? -ENOENT : rc;
}

int store_pg_out_pending(mash_store_t *s, mash_store_outbox_cb cb, void *arg) {
  int rc = 0;
  PGresult *r = store_pg_query(s, SQL_OUT_PENDING, NULL, &rc);
  if (!r) {
    return rc;
  }
  for (int i = 0; i < PQntuples(r); i++) {
    char mid[MASH_ITEM_ID_LEN * 2], target[MASH_PRINCIPAL_LEN];
    store_pg_str(r, i, 0, mid, sizeof mid);
    store_pg_str(r, i, 1, target, sizeof target);
    uint8_t *frame = NULL;
    size_t len = 0;
    rc = store_pg_open(s, r, i, 2, mid, &frame, &len);
    if (rc < 0) {
      break;
    }
    if (store_logic_outbox_emit(mid, target, frame, len, cb, arg)) {
      break;
    }
  }
  PQclear(r);
  return rc;
}

int store_pg_latest_instant(mash_store_t *s, int64_t *ms) {
  *ms = 0;
  return store_pg_int64(s, SQL_LATEST, NULL, ms);
}
