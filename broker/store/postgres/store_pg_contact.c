/* store_pg_contact: the contacts table of the PostgreSQL store: intake
 * (de-duplicated by principal and message id), resolution, state, and
 * delivery to the hub desk.
 *
 * Responsible for: the contacts table's statements. Contact blobs are sealed
 * with the contact id as associated data (store_row.c, as in SQLite), so the
 * server never holds plaintext and a blob copied onto another row fails to
 * open. Must not: write a plaintext blob, return a blob that failed
 * authentication, decide anything (policy/ and txn/ do), or be called from
 * any thread but the one using the store (the storage thread in mashd).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "store_logic.h"
#include "store_pg_int.h"

static const char SQL_FIND[] =
    "SELECT contact_id FROM contacts WHERE principal = $1 AND message_id = $2";
static const char SQL_NEXT_ID[] = "SELECT COALESCE(MAX(id), 0) + 1 FROM contacts";
static const char SQL_INSERT[] =
    "INSERT INTO contacts (id, contact_id, principal, message_id, received_at_ms, blob, "
    "domestic_abuse, dash_present, dash_complete, priority, quality_flags, concern, red_flag, "
    "occurred_at_ms, unresolved) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";
static const char SQL_MARK[] = "UPDATE contacts SET delivered_at_ms = $1, delivered_to = $2 "
                               "WHERE contact_id = $3 AND delivered_at_ms IS NULL";
static const char SQL_EXISTS[] = "SELECT 1 FROM contacts WHERE contact_id = $1";
static const char SQL_UNDELIVERED[] =
    "SELECT contact_id, received_at_ms, blob FROM contacts "
    "WHERE delivered_at_ms IS NULL AND unresolved = 0 ORDER BY id";
static const char SQL_UNRESOLVED[] =
    "SELECT contact_id, received_at_ms FROM contacts WHERE unresolved = 1 ORDER BY id";
static const char SQL_RESOLVED[] =
    "UPDATE contacts SET blob = $2, priority = $3, quality_flags = $4, unresolved = 0 "
    "WHERE contact_id = $1 AND unresolved = 1";
static const char SQL_BLOB[] = "SELECT blob FROM contacts WHERE contact_id = $1";
/* A quarantined contact made again from its resend: resolved and delivered
 * anew (the desk de-duplicates by contact id). */
static const char SQL_REPLACE[] =
    "UPDATE contacts SET blob = $2, priority = $3, quality_flags = $4, unresolved = $5, "
    "delivered_at_ms = NULL, delivered_to = NULL WHERE contact_id = $1";
static const char SQL_COUNT[] = "SELECT COUNT(*) FROM contacts";
static const char SQL_GET[] =
    "SELECT contact_id, principal, state, received_at_ms, blob, unresolved, "
    "(delivered_at_ms IS NOT NULL)::int FROM contacts WHERE contact_id = $1";
/* The claim: the row locked by this transaction, or nothing at once when
 * another session's transaction holds it. */
static const char SQL_CLAIM[] =
    "SELECT contact_id, principal, state, received_at_ms, blob, unresolved, "
    "(delivered_at_ms IS NOT NULL)::int FROM contacts WHERE contact_id = $1 "
    "FOR UPDATE SKIP LOCKED";
static const char SQL_SET_STATE[] =
    "UPDATE contacts SET state = $2, state_at_ms = $3, outcome = $4, "
    "screened_at_ms = CASE WHEN $2::int IN (1, 2) THEN $3::bigint ELSE screened_at_ms END, "
    "decided_at_ms = CASE WHEN $2::int = 3 THEN $3::bigint ELSE decided_at_ms END "
    "WHERE contact_id = $1";

/* 1 and contact_id when (principal, message_id) is stored, 0 when not, or
 * a negative error. */
static int s_find(mash_store_t *s, const char *principal, const char *message_id,
                  char contact_id[MASH_CONTACT_ID_LEN]) {
  store_pg_args_t a = {0};
  store_pg_text(&a, principal);
  store_pg_text(&a, message_id);
  int rc = 0;
  PGresult *r = store_pg_query(s, SQL_FIND, &a, &rc);
  if (!r) {
    return rc;
  }
  if (PQntuples(r) == 0) {
    rc = 0;
  } else if (PQgetlength(r, 0, 0) <= 0 || PQgetlength(r, 0, 0) >= MASH_CONTACT_ID_LEN) {
    rc = -EBADMSG;
  } else {
    store_pg_str(r, 0, 0, contact_id, MASH_CONTACT_ID_LEN);
    rc = 1;
  }
  PQclear(r);
  return rc;
}

int store_pg_con_find(mash_store_t *s, const char *principal, const char *message_id,
                      char contact_id[MASH_CONTACT_ID_LEN]) {
  return store_logic_find(s, principal, message_id, contact_id, s_find);
}

/* MAX(id) + 1 read once per transaction, then counted on by s_insert:
 * one statement less per notification in a batch of many. */
static int s_next_id(mash_store_t *s, int64_t *id) {
  int64_t *next = store_pg_next_contact_id(s);
  if (*next == 0) {
    int rc = store_pg_int64(s, SQL_NEXT_ID, NULL, next);
    if (rc < 0) {
      *next = 0;
      return rc;
    }
  }
  *id = *next;
  return 0;
}

static int s_seal(mash_store_t *s, const uint8_t *in, size_t len, const char *aad, uint8_t **out,
                  size_t *out_len) {
  return store_row_seal(store_pg_seal(s), in, len, aad, out, out_len);
}

static int s_insert(mash_store_t *s, int64_t id, const char *contact_id, const mash_intake_t *in,
                    const uint8_t *blob, size_t blob_len) {
  store_pg_args_t a = {0};
  store_pg_int(&a, id);
  store_pg_text(&a, contact_id);
  store_pg_text(&a, in->principal);
  store_pg_text(&a, in->message_id);
  store_pg_int(&a, in->received_at_ms);
  store_pg_bytes(&a, blob, blob_len);
  store_pg_int(&a, in->domestic_abuse);
  store_pg_int(&a, in->dash_present);
  store_pg_int(&a, in->dash_complete);
  store_pg_int(&a, in->priority);
  store_pg_text(&a, in->quality_flags ? in->quality_flags : "");
  store_pg_int(&a, in->concern_category);
  store_pg_int(&a, in->red_flag);
  store_pg_int(&a, in->occurred_at_ms);
  store_pg_int(&a, in->resolve_later ? 1 : 0);
  int rc = store_pg_exec(s, SQL_INSERT, &a, NULL);
  if (rc == 0) {
    *store_pg_next_contact_id(s) = id + 1;
  }
  return rc;
}

/* Whether a duplicate's record opens (store_intake_ops_t.opens). */
static int s_opens(mash_store_t *s, const char *contact_id) {
  store_pg_args_t a = {0};
  store_pg_text(&a, contact_id);
  int rc = 0;
  PGresult *r = store_pg_query(s, SQL_BLOB, &a, &rc);
  if (!r) {
    return rc;
  }
  uint8_t *old = NULL;
  size_t len = 0;
  rc = PQntuples(r) == 0 ? -ENOENT : store_pg_open(s, r, 0, 0, contact_id, &old, &len);
  PQclear(r);
  if (old) {
    OPENSSL_cleanse(old, len);
  }
  free(old);
  return rc;
}

/* A quarantined record written anew from its resend (store_intake_ops_t.replace). */
static int s_replace(mash_store_t *s, const mash_intake_t *in, const uint8_t *blob, size_t len) {
  store_pg_args_t a = {0};
  store_pg_text(&a, in->contact_id);
  store_pg_bytes(&a, blob, len);
  store_pg_int(&a, in->priority);
  store_pg_text(&a, in->quality_flags ? in->quality_flags : "");
  store_pg_int(&a, in->resolve_later ? 1 : 0);
  return store_pg_exec(s, SQL_REPLACE, &a, NULL);
}

/* The order is store_logic_intake's. One broker writes (the storage
 * thread, in its transaction), so MAX(id) + 1 is the row's id; a second
 * writer would fail the primary key, never share an id. A duplicate whose
 * record was quarantined is replaced (s_opens, s_replace), as on SQLite. */
int store_pg_con_intake(mash_store_t *s, mash_intake_t *in) {
  static const store_intake_ops_t OPS = {.find = s_find,
                                         .opens = s_opens,
                                         .replace = s_replace,
                                         .next_id = s_next_id,
                                         .seal = s_seal,
                                         .insert = s_insert};
  return store_logic_intake(s, in, &OPS);
}

int store_pg_con_mark_delivered(mash_store_t *s, const char *contact_id, const char *principal,
                                int64_t at_ms) {
  if (!contact_id || !principal) {
    return -EINVAL;
  }
  store_pg_args_t a = {0};
  store_pg_int(&a, at_ms);
  store_pg_text(&a, principal);
  store_pg_text(&a, contact_id);
  int64_t changed = 0;
  int rc = store_pg_exec(s, SQL_MARK, &a, &changed);
  if (rc < 0 || changed > 0) {
    return rc;
  }
  /* Nothing changed: already delivered (idempotent) or no such contact. */
  store_pg_args_t b = {0};
  store_pg_text(&b, contact_id);
  PGresult *r = store_pg_query(s, SQL_EXISTS, &b, &rc);
  if (!r) {
    return rc;
  }
  rc = PQntuples(r) > 0 ? 0 : -ENOENT;
  PQclear(r);
  return rc;
}

int store_pg_con_load_undelivered(mash_store_t *s, mash_store_contact_cb cb, void *arg) {
  if (!cb) {
    return -EINVAL;
  }
  int rc = 0;
  PGresult *r = store_pg_query(s, SQL_UNDELIVERED, NULL, &rc);
  if (!r) {
    return rc;
  }
  for (int i = 0; i < PQntuples(r); i++) {
    const char *contact_id = PQgetvalue(r, i, 0);
    uint8_t *contact = NULL;
    size_t len = 0;
    /* A blob that fails to open is handed over without its content
     * (contact NULL), as on SQLite: the caller names it and why, and
     * quarantines it. It stays in the store untouched (a restored key or
     * backup may open it), and one damaged record does not stop every
     * other child's. Anything else (out of memory) stops the load. */
    rc = store_pg_open(s, r, i, 2, contact_id, &contact, &len);
    if (rc == -EBADMSG || (rc == 0 && !contact)) {
      free(contact);
      contact = NULL;
      len = 0;
      rc = 0;
    }
    if (rc < 0) {
      break;
    }
    int stop = cb(contact_id, store_pg_i64(r, i, 1), contact, len, arg);
    OPENSSL_cleanse(contact, len);
    free(contact);
    if (stop) {
      break;
    }
  }
  PQclear(r);
  return rc;
}

/* Ids only (contact NULL): resolution opens each blob itself. */
int store_pg_con_load_unresolved(mash_store_t *s, mash_store_contact_cb cb, void *arg) {
  if (!cb) {
    return -EINVAL;
  }
  int rc = 0;
  PGresult *r = store_pg_query(s, SQL_UNRESOLVED, NULL, &rc);
  if (!r) {
    return rc;
  }
  for (int i = 0; i < PQntuples(r); i++) {
    if (cb(PQgetvalue(r, i, 0), store_pg_i64(r, i, 1), NULL, 0, arg)) {
      break;
    }
  }
  PQclear(r);
  return 0;
}

int store_pg_con_resolved(mash_store_t *s, const char *contact_id, const uint8_t *contact,
                          size_t len, int priority, const char *quality_flags) {
  if (!contact_id || (!contact && len > 0)) {
    return -EINVAL;
  }
  uint8_t *blob = NULL;
  size_t blob_len = 0;
  int rc = store_row_seal(store_pg_seal(s), contact, len, contact_id, &blob, &blob_len);
  if (rc < 0) {
    return rc;
  }
  store_pg_args_t a = {0};
  store_pg_text(&a, contact_id);
  store_pg_bytes(&a, blob, blob_len);
  store_pg_int(&a, priority);
  store_pg_text(&a, quality_flags ? quality_flags : "");
  int64_t changed = 0;
  rc = store_pg_exec(s, SQL_RESOLVED, &a, &changed);
  free(blob);
  if (rc == 0 && changed == 0) {
    rc = -EALREADY;
  }
  return rc;
}

int store_pg_con_count(mash_store_t *s, int64_t *n) {
  if (!n) {
    return -EINVAL;
  }
  return store_pg_int64(s, SQL_COUNT, NULL, n);
}

static int s_get(mash_store_t *s, const char *sql, const char *contact_id,
                 mash_contact_row_t *row) {
  memset(row, 0, sizeof *row);
  store_pg_args_t a = {0};
  store_pg_text(&a, contact_id);
  int rc = 0;
  PGresult *r = store_pg_query(s, sql, &a, &rc);
  if (!r) {
    return rc;
  }
  if (PQntuples(r) == 0) {
    rc = -ENOENT;
  } else {
    store_pg_str(r, 0, 0, row->contact_id, sizeof row->contact_id);
    store_pg_str(r, 0, 1, row->principal, sizeof row->principal);
    row->state = (int)store_pg_i64(r, 0, 2);
    row->received_at_ms = store_pg_i64(r, 0, 3);
    row->unresolved = (int)store_pg_i64(r, 0, 5);
    row->delivered = (int)store_pg_i64(r, 0, 6);
    rc = store_pg_open(s, r, 0, 4, row->contact_id, &row->blob, &row->len);
  }
  PQclear(r);
  return rc;
}

int store_pg_con_get(mash_store_t *s, const char *contact_id, mash_contact_row_t *row) {
  return s_get(s, SQL_GET, contact_id, row);
}

/* Skipped and absent rows both answer nothing: a plain read (which never
 * waits for a row lock) tells which. */
int store_pg_con_claim(mash_store_t *s, const char *contact_id, mash_contact_row_t *row) {
  int rc = s_get(s, SQL_CLAIM, contact_id, row);
  if (rc == -ENOENT) {
    rc = s_get(s, SQL_GET, contact_id, row);
    if (rc == 0) {
      free(row->blob);
      memset(row, 0, sizeof *row);
      rc = -EBUSY;
    }
  }
  return rc;
}

int store_pg_con_set_state(mash_store_t *s, const char *contact_id, int state, int64_t at_ms,
                           int outcome) {
  store_pg_args_t a = {0};
  store_pg_text(&a, contact_id);
  store_pg_int(&a, state);
  store_pg_int(&a, at_ms);
  store_pg_int(&a, outcome);
  int64_t changed = 0;
  int rc = store_pg_exec(s, SQL_SET_STATE, &a, &changed);
  if (rc == 0 && changed == 0) {
    rc = -ENOENT;
  }
  return rc;
}
