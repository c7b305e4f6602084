/* store_sqlite_contact: the contacts table of the SQLite store: intake
 * (de-duplicated by principal and message id), resolution, state, and
 * delivery to the hub desk.
 *
 * Responsible for: the contacts table's statements, each prepared once.
 * Contact blobs are sealed with the contact id as associated data, so a blob
 * copied onto another row fails to open. Must not: write a plaintext blob,
 * return a blob that failed authentication, decide anything (policy/ and
 * txn/ do), or be called from any thread but the one using the store (the
 * storage thread in mashd).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "store_logic.h"
#include "store_row.h"
#include "store_sqlite_int.h"

enum {
  C_FIND,
  C_NEXT_ID,
  C_INSERT,
  C_MARK,
  C_EXISTS,
  C_UNDELIVERED,
  C_UNRESOLVED,
  C_RESOLVED,
  C_COUNT,
  C_GET,
  C_SET_STATE,
  C_BLOB,
  C_REPLACE,
  C_N
};

static const char *const SQL[C_N] = {
    [C_FIND] = "SELECT contact_id FROM contacts WHERE principal = ?1 AND message_id = ?2",
    [C_NEXT_ID] = "SELECT COALESCE(MAX(id), 0) + 1 FROM contacts",
    [C_INSERT] = "INSERT INTO contacts (id, contact_id, principal, message_id, received_at_ms, "
                 "blob, domestic_abuse, dash_present, dash_complete, priority, quality_flags, "
                 "concern, red_flag, occurred_at_ms, unresolved) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    [C_MARK] = "UPDATE contacts SET delivered_at_ms = ?1, delivered_to = ?2 "
               "WHERE contact_id = ?3 AND delivered_at_ms IS NULL",
    [C_EXISTS] = "SELECT 1 FROM contacts WHERE contact_id = ?1",
    [C_UNDELIVERED] = "SELECT contact_id, received_at_ms, blob FROM contacts "
                      "WHERE delivered_at_ms IS NULL AND unresolved = 0 ORDER BY id",
    [C_UNRESOLVED] = "SELECT contact_id, received_at_ms FROM contacts "
                     "WHERE unresolved = 1 ORDER BY id",
    [C_RESOLVED] = "UPDATE contacts SET blob = ?2, priority = ?3, quality_flags = ?4, "
                   "unresolved = 0 WHERE contact_id = ?1 AND unresolved = 1",
    [C_COUNT] = "SELECT COUNT(*) FROM contacts",
    [C_GET] = "SELECT contact_id, principal, state, received_at_ms, blob, unresolved, "
              "delivered_at_ms IS NOT NULL FROM contacts WHERE contact_id = ?1",
    [C_SET_STATE] = "UPDATE contacts SET state = ?2, state_at_ms = ?3, outcome = ?4, "
                    "screened_at_ms = CASE WHEN ?2 IN (1, 2) THEN ?3 ELSE screened_at_ms END, "
                    "decided_at_ms = CASE WHEN ?2 = 3 THEN ?3 ELSE decided_at_ms END "
                    "WHERE contact_id = ?1",
    [C_BLOB] = "SELECT blob FROM contacts WHERE contact_id = ?1",
    /* A quarantined contact made again from its resend: resolved and
     * delivered anew (the desk de-duplicates by contact id). */
    [C_REPLACE] = "UPDATE contacts SET blob = ?2, priority = ?3, quality_flags = ?4, "
                  "unresolved = ?5, delivered_at_ms = NULL, delivered_to = NULL "
                  "WHERE contact_id = ?1",
};

struct store_con {
  sqlite3 *db;
  const mash_seal_t *seal; /* borrowed */
  mash_seal_ctx_t *ctx;    /* the store thread's sealing and opening of contact blobs */
  sqlite3_stmt *q[C_N];
};

store_con_t *store_con_new(sqlite3 *db, const mash_seal_t *seal, char *err, size_t errlen) {
  store_con_t *c = calloc(1, sizeof *c);
  if (!c) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  c->db = db;
  c->seal = seal;
  c->ctx = mash_seal_ctx_new(seal);
  if (!c->ctx) {
    snprintf(err, errlen, "contact: cannot make a seal context (out of memory or no AES-256-GCM)");
    store_con_destroy(c);
    return NULL;
  }
  if (store_sql_prepare_all(db, SQL, C_N, c->q, "contact", err, errlen) != 0) {
    store_con_destroy(c);
    return NULL;
  }
  return c;
}

void store_con_destroy(store_con_t *c) {
  if (!c) {
    return;
  }
  store_sql_finalize_all(c->q, C_N);
  mash_seal_ctx_destroy(&c->ctx);
  free(c);
}

static sqlite3_stmt *s_q(mash_store_t *s, int which) {
  return store_sqlite_con(s)->q[which];
}

/* Look up (principal, message_id). Returns 1 and fills contact_id when
 * found, 0 when not, or a negative error. */
static int s_find(mash_store_t *s, const char *principal, const char *message_id,
                  char contact_id[MASH_CONTACT_ID_LEN]) {
  sqlite3_stmt *q = s_q(s, C_FIND);
  int rc = sqlite3_bind_text(q, 1, principal, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) {
    rc = sqlite3_bind_text(q, 2, message_id, -1, SQLITE_STATIC);
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(q);
  }
  int out;
  if (rc == SQLITE_ROW) {
    const unsigned char *id = sqlite3_column_text(q, 0);
    int n = sqlite3_column_bytes(q, 0);
    if (!id || n <= 0 || n >= MASH_CONTACT_ID_LEN) {
      out = -EBADMSG;
    } else {
      memcpy(contact_id, id, (size_t)n);
      contact_id[n] = '\0';
      out = 1;
    }
  } else {
    out = rc == SQLITE_DONE ? 0 : store_sqlite_errno(rc);
  }
  store_sql_done(q);
  return out;
}

int store_con_find(mash_store_t *s, const char *principal, const char *message_id,
                   char contact_id[MASH_CONTACT_ID_LEN]) {
  return store_logic_find(s, principal, message_id, contact_id, s_find);
}

/* Whether a duplicate's record opens (store_intake_ops_t.opens). */
static int s_opens(mash_store_t *s, const char *contact_id) {
  sqlite3_stmt *q = s_q(s, C_BLOB);
  sqlite3_bind_text(q, 1, contact_id, -1, SQLITE_STATIC);
  int rc = sqlite3_step(q);
  uint8_t *old = NULL;
  size_t old_len = 0;
  if (rc == SQLITE_ROW) {
    rc = store_sql_open(store_sqlite_con(s)->seal, q, 0, contact_id, &old, &old_len);
  } else {
    rc = rc == SQLITE_DONE ? -ENOENT : store_sqlite_errno(rc);
  }
  store_sql_done(q);
  if (old) {
    OPENSSL_cleanse(old, old_len);
  }
  free(old);
  return rc;
}

/* A quarantined record written anew from its resend (store_intake_ops_t.replace). */
static int s_replace(mash_store_t *s, const mash_intake_t *in, const uint8_t *blob, size_t len) {
  sqlite3_stmt *q = s_q(s, C_REPLACE);
  sqlite3_bind_text(q, 1, in->contact_id, -1, SQLITE_STATIC);
  sqlite3_bind_blob(q, 2, blob, (int)len, SQLITE_STATIC);
  sqlite3_bind_int(q, 3, in->priority);
  sqlite3_bind_text(q, 4, in->quality_flags ? in->quality_flags : "", -1, SQLITE_STATIC);
  sqlite3_bind_int(q, 5, in->resolve_later ? 1 : 0);
  return store_sql_exec(q);
}

static int s_next_id(mash_store_t *s, int64_t *id) {
  int rc = store_sql_int64(s_q(s, C_NEXT_ID), id);
  if (rc == 0) {
    /* Never an id issued before, even one the database has lost. */
    rc = store_ids_next(store_sqlite_ids(s), STORE_IDS_CONTACT, id);
  }
  return rc;
}

static int s_seal_ctx(mash_store_t *s, const uint8_t *in, size_t len, const char *aad,
                      uint8_t **out, size_t *out_len) {
  return store_sql_seal_ctx(store_sqlite_con(s)->ctx, in, len, aad, out, out_len);
}

static int s_insert(mash_store_t *s, int64_t id, const char *contact_id, const mash_intake_t *in,
                    const uint8_t *blob, size_t blob_len) {
  sqlite3_stmt *q = s_q(s, C_INSERT);
  int src = sqlite3_bind_int64(q, 1, id);
  if (src == SQLITE_OK) {
    src = sqlite3_bind_text(q, 2, contact_id, -1, SQLITE_STATIC);
  }
  if (src == SQLITE_OK) {
    src = sqlite3_bind_text(q, 3, in->principal, -1, SQLITE_STATIC);
  }
  if (src == SQLITE_OK) {
    src = sqlite3_bind_text(q, 4, in->message_id, -1, SQLITE_STATIC);
  }
  if (src == SQLITE_OK) {
    src = sqlite3_bind_int64(q, 5, in->received_at_ms);
  }
  if (src == SQLITE_OK) {
    src = sqlite3_bind_blob(q, 6, blob, (int)blob_len, SQLITE_STATIC);
  }
  if (src == SQLITE_OK) {
    src = sqlite3_bind_int(q, 7, in->domestic_abuse);
  }
  if (src == SQLITE_OK) {
    src = sqlite3_bind_int(q, 8, in->dash_present);
  }
  if (src == SQLITE_OK) {
    src = sqlite3_bind_int(q, 9, in->dash_complete);
  }
  if (src == SQLITE_OK) {
    src = sqlite3_bind_int(q, 10, in->priority);
  }
  if (src == SQLITE_OK) {
    src = sqlite3_bind_text(q, 11, in->quality_flags ? in->quality_flags : "", -1, SQLITE_STATIC);
  }
  if (src == SQLITE_OK) {
    src = sqlite3_bind_int(q, 12, in->concern_category);
  }
  if (src == SQLITE_OK) {
    src = sqlite3_bind_int(q, 13, in->red_flag);
  }
  if (src == SQLITE_OK) {
    src = sqlite3_bind_int64(q, 14, in->occurred_at_ms);
  }
  if (src == SQLITE_OK) {
    src = sqlite3_bind_int(q, 15, in->resolve_later ? 1 : 0);
  }
  if (src == SQLITE_OK) {
    return store_sql_exec(q);
  }
  store_sql_done(q);
  return store_sqlite_errno(src);
}

/* The order is store_logic_intake's; only this connection writes (the
 * storage thread, under BEGIN IMMEDIATE or a single autocommit statement),
 * so MAX(id) + 1 is the id the row gets, raised above any id the id mark
 * (store_sqlite_ids.c) says was issued and lost. A duplicate whose record
 * was quarantined is replaced (s_opens, s_replace). */
int store_con_intake(mash_store_t *s, mash_intake_t *in) {
  static const store_intake_ops_t OPS = {.find = s_find,
                                         .opens = s_opens,
                                         .replace = s_replace,
                                         .next_id = s_next_id,
                                         .seal = s_seal_ctx,
                                         .insert = s_insert};
  return store_logic_intake(s, in, &OPS);
}

int store_con_mark_delivered(mash_store_t *s, const char *contact_id, const char *principal,
                             int64_t at_ms) {
  if (!contact_id || !principal) {
    return -EINVAL;
  }
  sqlite3_stmt *q = s_q(s, C_MARK);
  int src = sqlite3_bind_int64(q, 1, at_ms);
  if (src == SQLITE_OK) {
    src = sqlite3_bind_text(q, 2, principal, -1, SQLITE_STATIC);
  }
  if (src == SQLITE_OK) {
    src = sqlite3_bind_text(q, 3, contact_id, -1, SQLITE_STATIC);
  }
  if (src != SQLITE_OK) {
    store_sql_done(q);
    return store_sqlite_errno(src);
  }
  int rc = store_sql_exec(q);
  if (rc < 0 || sqlite3_changes(store_sqlite_con(s)->db) > 0) {
    return rc;
  }
  /* Nothing changed: either already delivered (fine, idempotent) or the
   * contact does not exist, which the caller must hear about. */
  q = s_q(s, C_EXISTS);
  src = sqlite3_bind_text(q, 1, contact_id, -1, SQLITE_STATIC);
  if (src == SQLITE_OK) {
    src = sqlite3_step(q);
  }
  rc = src == SQLITE_ROW ? 0 : src == SQLITE_DONE ? -ENOENT : store_sqlite_errno(src);
  store_sql_done(q);
  return rc;
}

int store_con_load_undelivered(mash_store_t *s, mash_store_contact_cb cb, void *arg) {
  if (!cb) {
    return -EINVAL;
  }
  sqlite3_stmt *q = s_q(s, C_UNDELIVERED);
  int rc = 0;
  while (store_sql_row(q, &rc)) {
    const char *contact_id = (const char *)sqlite3_column_text(q, 0);
    int id_len = sqlite3_column_bytes(q, 0);
    int64_t received_at_ms = sqlite3_column_int64(q, 1);
    const uint8_t *blob = sqlite3_column_blob(q, 2);
    int blob_len = sqlite3_column_bytes(q, 2);
    if (!contact_id || id_len <= 0 || blob_len < 0 || (!blob && blob_len > 0)) {
      rc = -EBADMSG;
      break;
    }
    uint8_t *contact = NULL;
    size_t contact_len = 0;
    /* A blob that fails to open is handed over without its content
     * (contact NULL): the caller names it and why, and quarantines it. It
     * stays in the store untouched (a restored key or backup may open it),
     * and one damaged record does not stop every other child's. */
    int orc =
        mash_seal_decrypt(store_sqlite_con(s)->seal, blob, (size_t)blob_len,
                          (const uint8_t *)contact_id, (size_t)id_len, &contact, &contact_len);
    if (orc < 0) {
      contact = NULL;
      contact_len = 0;
    }
    int stop = cb(contact_id, received_at_ms, contact, contact_len, arg);
    OPENSSL_cleanse(contact, contact_len);
    free(contact);
    if (stop) {
      break;
    }
  }
  store_sql_done(q);
  return rc;
}

/* Ids only (contact NULL): resolution opens each blob itself, so one that
 * fails to open stops that contact, not the broker's start. */
int store_con_load_unresolved(mash_store_t *s, mash_store_contact_cb cb, void *arg) {
  if (!cb) {
    return -EINVAL;
  }
  sqlite3_stmt *q = s_q(s, C_UNRESOLVED);
  int src;
  while ((src = sqlite3_step(q)) == SQLITE_ROW) {
    const char *contact_id = (const char *)sqlite3_column_text(q, 0);
    if (contact_id && cb(contact_id, sqlite3_column_int64(q, 1), NULL, 0, arg)) {
      break;
    }
  }
  int rc = src == SQLITE_ROW || src == SQLITE_DONE ? 0 : store_sqlite_errno(src);
  store_sql_done(q);
  return rc;
}

/* Sealed like a new contact's blob: the contact id is the associated data. */
int store_con_resolved(mash_store_t *s, const char *contact_id, const uint8_t *contact, size_t len,
                       int priority, const char *quality_flags) {
  if (!contact_id || (!contact && len > 0)) {
    return -EINVAL;
  }
  uint8_t *blob = NULL;
  size_t blob_len = 0;
  int rc = store_sql_seal_ctx(store_sqlite_con(s)->ctx, contact, len, contact_id, &blob, &blob_len);
  if (rc < 0) {
    return rc;
  }
  sqlite3_stmt *q = s_q(s, C_RESOLVED);
  sqlite3_bind_text(q, 1, contact_id, -1, SQLITE_STATIC);
  sqlite3_bind_blob(q, 2, blob, (int)blob_len, SQLITE_STATIC);
  sqlite3_bind_int(q, 3, priority);
  sqlite3_bind_text(q, 4, quality_flags ? quality_flags : "", -1, SQLITE_STATIC);
  rc = store_sql_exec(q);
  free(blob);
  if (rc == 0 && sqlite3_changes(store_sqlite_con(s)->db) == 0) {
    rc = -EALREADY;
  }
  return rc;
}

int store_con_count(mash_store_t *s, int64_t *n) {
  if (!n) {
    return -EINVAL;
  }
  return store_sql_int64(s_q(s, C_COUNT), n);
}

int store_con_get(mash_store_t *s, const char *contact_id, mash_contact_row_t *row) {
  memset(row, 0, sizeof *row);
  sqlite3_stmt *q = s_q(s, C_GET);
  sqlite3_bind_text(q, 1, contact_id, -1, SQLITE_STATIC);
  int rc = sqlite3_step(q);
  int out;
  if (rc == SQLITE_ROW) {
    store_sql_text(q, 0, row->contact_id, sizeof row->contact_id);
    store_sql_text(q, 1, row->principal, sizeof row->principal);
    row->state = sqlite3_column_int(q, 2);
    row->received_at_ms = sqlite3_column_int64(q, 3);
    row->unresolved = sqlite3_column_int(q, 5);
    row->delivered = sqlite3_column_int(q, 6);
    out =
        store_sql_open_ctx(store_sqlite_con(s)->ctx, q, 4, row->contact_id, &row->blob, &row->len);
  } else {
    out = rc == SQLITE_DONE ? -ENOENT : store_sqlite_errno(rc);
  }
  store_sql_done(q);
  return out;
}

int store_con_set_state(mash_store_t *s, const char *contact_id, int state, int64_t at_ms,
                        int outcome) {
  sqlite3_stmt *q = s_q(s, C_SET_STATE);
  sqlite3_bind_text(q, 1, contact_id, -1, SQLITE_STATIC);
  sqlite3_bind_int(q, 2, state);
  sqlite3_bind_int64(q, 3, at_ms);
  sqlite3_bind_int(q, 4, outcome);
  int rc = store_sql_exec(q);
  if (rc == 0 && sqlite3_changes(store_sqlite_con(s)->db) == 0) {
    rc = -ENOENT;
  }
  return rc;
}
