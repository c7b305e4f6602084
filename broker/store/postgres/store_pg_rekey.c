/* store_pg_rekey: key rotation of the PostgreSQL store (the counterpart of
 * store_sqlite_rekey.c): every sealed column re-sealed under the new key and
 * every blind index (person keys, current addresses, term counts) made again
 * under it, in ONE PostgreSQL transaction.
 *
 * Responsible for: the same columns and the same indexes as SQLite's
 * rotation, read a page at a time (ordered by id) so that a large store is
 * never held in memory whole. Must not: run while a mashd is active on the
 * database (its session advisory lock is tried on this connection first, and
 * held to the end, so no broker becomes active meanwhile), log or keep
 * plaintext beyond one row at a time. Any thread (an offline tool); its own
 * connection.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_logic.h"
#include "store_pg_int.h"

/* store_pg_active.c's lock ("mash" + 1). */
#define ACTIVE_LOCK "1835102057"
#define PAGE 512

/* The sealed columns; aad is the id column a blob is bound to, or NULL
 * when it is the row's number with `prefix` ("P-000042"). */
static const struct {
  const char *table, *aad, *column;
  char prefix;
} SEALED[] = {
    {"contacts", "contact_id", "blob", 0},     {"enquiries", "enquiry_id", "decision", 0},
    {"requests", "request_id", "response", 0}, {"outbox", "message_id", "frame", 0},
    {"persons", NULL, "record", 'P'},          {"matches", NULL, "decision", 'M'},
};

typedef struct s_rekey {
  mash_store_t *s; /* opened with the old key */
  const mash_seal_t *fresh;
  mash_seal_ctx_t *ctx; /* the new key's: blinds and opens re-sealed records */
  const mash_store_reindex_t *how;
  /* merged records: id -> the record it went into */
  int64_t (*merged)[2];
  size_t n_merged;
  char *err;
  size_t errlen;
} s_rekey_t;

static void s_aad(char *out, size_t cap, char prefix, int64_t id) {
  snprintf(out, cap, "%c-%06lld", prefix, (long long)id);
}

/* Where a paged read stands: the last row's id, and its ref for a read
 * ordered by both. */
typedef struct {
  int64_t after;
  char ref[128];
  bool by_ref;
} s_cursor_t;

/* One row (i of r): moves the cursor past it. 0 to go on, else a negative
 * error (err written) that ends the read. */
typedef int (*s_row_fn)(s_rekey_t *k, const PGresult *r, int i, s_cursor_t *c, void *arg);

/* Run `sql`, whose parameters are the cursor ($1 the id, and $2 the ref when
 * by_ref) and which returns at most PAGE rows after it, a page at a time from
 * the start, with row(..., arg) on each row until one fails. Returns 0, the
 * row's error, or the read's (err names `what`). */
static int s_pages(s_rekey_t *k, const char *what, const char *sql, bool by_ref, s_row_fn row,
                   void *arg) {
  s_cursor_t c = {.by_ref = by_ref};
  for (;;) {
    store_pg_args_t a = {0};
    store_pg_int(&a, c.after);
    if (c.by_ref) {
      store_pg_text(&a, c.ref);
    }
    int rc = 0;
    PGresult *r = store_pg_query(k->s, sql, &a, &rc);
    if (r == NULL) {
      snprintf(k->err, k->errlen, "cannot read %s: %s", what, strerror(-rc));
      return rc;
    }
    int rows = PQntuples(r);
    for (int i = 0; rc == 0 && i < rows; i++) {
      rc = row(k, r, i, &c, arg);
    }
    PQclear(r);
    if (rc != 0 || rows < PAGE) {
      return rc;
    }
  }
}

/* The column being re-sealed and the count of values re-sealed. */
typedef struct {
  size_t which;
  size_t *n;
  const char *upd;
} s_column_t;

static int s_column_row(s_rekey_t *k, const PGresult *r, int i, s_cursor_t *c, void *arg) {
  s_column_t *col = arg;
  size_t which = col->which;
  c->after = store_pg_i64(r, i, 0);
  char aad[128];
  if (SEALED[which].aad) {
    store_pg_str(r, i, 1, aad, sizeof aad);
  } else {
    s_aad(aad, sizeof aad, SEALED[which].prefix, c->after);
  }
  uint8_t *plain = NULL, *sealed = NULL;
  size_t plen = 0, slen = 0;
  int rc = store_pg_open(k->s, r, i, 2, aad, &plain, &plen);
  if (rc != 0) {
    snprintf(k->err, k->errlen,
             "%s.%s of %s does not open with the current data key (%s): is it the key the "
             "store was sealed with? Nothing was changed",
             SEALED[which].table, SEALED[which].column, aad, strerror(-rc));
    return rc;
  }
  rc = store_row_seal(k->fresh, plain, plen, aad, &sealed, &slen);
  if (plain) {
    memset(plain, 0, plen);
  }
  free(plain);
  if (rc == 0) {
    store_pg_args_t u = {0};
    store_pg_bytes(&u, sealed, slen);
    store_pg_int(&u, c->after);
    rc = store_pg_exec(k->s, col->upd, &u, NULL);
  }
  free(sealed);
  if (rc != 0) {
    snprintf(k->err, k->errlen, "cannot re-seal %s.%s of %s: %s", SEALED[which].table,
             SEALED[which].column, aad, strerror(-rc));
    return rc;
  }
  (*col->n)++;
  return 0;
}

/* Re-seal one column, a page at a time. */
static int s_column(s_rekey_t *k, size_t which, size_t *n) {
  char sel[512], upd[256];
  snprintf(sel, sizeof sel,
           "SELECT id, %s, %s FROM %s WHERE id > $1 AND %s IS NOT NULL ORDER BY id LIMIT %d",
           SEALED[which].aad ? SEALED[which].aad : "''", SEALED[which].column, SEALED[which].table,
           SEALED[which].column, PAGE);
  snprintf(upd, sizeof upd, "UPDATE %s SET %s = $1 WHERE id = $2", SEALED[which].table,
           SEALED[which].column);
  s_column_t col = {which, n, upd};
  return s_pages(k, SEALED[which].table, sel, false, s_column_row, &col);
}

/* The record a merged record went into, followed to the end. */
static int64_t s_top(const s_rekey_t *k, int64_t id) {
  for (size_t hops = 0; hops <= k->n_merged; hops++) {
    size_t i = 0;
    while (i < k->n_merged && k->merged[i][0] != id) {
      i++;
    }
    if (i == k->n_merged) {
      return id;
    }
    id = k->merged[i][1];
  }
  return id; /* a cycle (never made): stop anywhere */
}

static int s_load_merged(s_rekey_t *k) {
  int rc = 0;
  PGresult *r = store_pg_query(
      k->s, "SELECT id, merged_into FROM persons WHERE merged_into IS NOT NULL", NULL, &rc);
  if (r == NULL) {
    return rc;
  }
  int rows = PQntuples(r);
  k->merged = calloc(rows > 0 ? (size_t)rows : 1, sizeof *k->merged);
  if (k->merged == NULL) {
    PQclear(r);
    return -ENOMEM;
  }
  for (int i = 0; i < rows; i++) {
    k->merged[i][0] = store_pg_i64(r, i, 0);
    k->merged[i][1] = store_pg_i64(r, i, 1);
  }
  k->n_merged = (size_t)rows;
  PQclear(r);
  return 0;
}

/* One blinded value as the first parameter of sql, with `id` as the second
 * when id > 0. */
static int s_put(s_rekey_t *k, const char *sql, const char *text, int64_t id) {
  uint8_t blind[STORE_ROW_KEY_BYTES];
  store_row_blind(k->ctx, text, blind);
  store_pg_args_t a = {0};
  store_pg_bytes(&a, blind, STORE_ROW_KEY_BYTES);
  if (id > 0) {
    store_pg_int(&a, id);
  }
  return store_pg_exec(k->s, sql, &a, NULL);
}

static const char *const SQL_KEY =
    "INSERT INTO person_keys (key, person) VALUES ($1, $2) ON CONFLICT DO NOTHING";

static int s_keys(s_rekey_t *k, int64_t top, const mash_store_index_texts_t *t) {
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < t->n_keys; i++) {
    rc = s_put(k, SQL_KEY, t->keys[i], top);
  }
  return rc;
}

/* Opens a record sealed under the new key (column col of row i). */
static int s_open_new(s_rekey_t *k, const PGresult *r, int i, int col, const char *aad,
                      uint8_t **out, size_t *len) {
  size_t n = 0;
  unsigned char *b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, i, col), &n);
  if (b == NULL) {
    return -ENOMEM;
  }
  int rc = mash_seal_ctx_decrypt(k->ctx, b, n, (const uint8_t *)aad, strlen(aad), out, len);
  PQfreemem(b);
  return rc;
}

static int s_record_row(s_rekey_t *k, const PGresult *r, int i, s_cursor_t *c, void *arg) {
  mash_store_index_texts_t *t = arg;
  c->after = store_pg_i64(r, i, 0);
  char aad[32];
  s_aad(aad, sizeof aad, 'P', c->after);
  uint8_t *plain = NULL;
  size_t plen = 0;
  int rc = s_open_new(k, r, i, 2, aad, &plain, &plen);
  rc = store_logic_reindex_blob(k->how, rc, plain, plen, NULL, aad, t, k->err, k->errlen);
  if (rc != 0) {
    return rc;
  }
  rc = s_keys(k, s_top(k, c->after), t);
  if (rc == 0 && t->address[0] != '\0') {
    rc = s_put(k, "UPDATE persons SET address_key = $1 WHERE id = $2", t->address, c->after);
  }
  bool live = strcmp(PQgetvalue(r, i, 1), "t") == 0;
  for (size_t j = 0; rc == 0 && live && j < t->n_terms; j++) {
    rc = t->terms[j][0] == '\0'
             ? 0
             : s_put(k,
                     "INSERT INTO person_terms (key, n) VALUES ($1, 1) ON CONFLICT (key) "
                     "DO UPDATE SET n = person_terms.n + 1",
                     t->terms[j], 0);
  }
  memset(t, 0, sizeof *t);
  return rc;
}

static int s_records(s_rekey_t *k, mash_store_index_texts_t *t) {
  return s_pages(k, "persons",
                 "SELECT id, merged_into IS NULL, record FROM persons "
                 "WHERE id > $1 ORDER BY id LIMIT 512",
                 false, s_record_row, t);
}

static int s_mention_row(s_rekey_t *k, const PGresult *r, int i, s_cursor_t *c, void *arg) {
  mash_store_index_texts_t *t = arg;
  c->after = store_pg_i64(r, i, 0);
  store_pg_str(r, i, 1, c->ref, sizeof c->ref);
  char aad[64];
  store_pg_str(r, i, 3, aad, sizeof aad);
  uint8_t *plain = NULL;
  size_t plen = 0;
  int rc = s_open_new(k, r, i, 4, aad, &plain, &plen);
  rc = store_logic_reindex_blob(k->how, rc, plain, plen, c->ref, aad, t, k->err, k->errlen);
  if (rc < 0) {
    return rc;
  }
  rc = rc == 0 ? s_keys(k, s_top(k, store_pg_i64(r, i, 2)), t) : 0;
  memset(t, 0, sizeof *t);
  return rc;
}

static int s_mentions(s_rekey_t *k, mash_store_index_texts_t *t) {
  return s_pages(k, "person links",
                 "SELECT c.id, l.ref, l.person, c.contact_id, c.blob "
                 "FROM person_links l JOIN contacts c ON c.contact_id = "
                 "l.contact_id WHERE (c.id, l.ref) > ($1, $2) "
                 "ORDER BY c.id, l.ref LIMIT 512",
                 true, s_mention_row, t);
}

static int s_reindex(s_rekey_t *k) {
  mash_store_index_texts_t *t = malloc(sizeof *t);
  if (t == NULL) {
    return -ENOMEM;
  }
  int rc = store_pg_exec(k->s, "DELETE FROM person_keys", NULL, NULL);
  rc = rc ? rc : store_pg_exec(k->s, "DELETE FROM person_terms", NULL, NULL);
  /* Comparison summaries are sealed under the old key: dropped, each is
   * written again from its record when next read (resolve.c). */
  rc = rc ? rc : store_pg_exec(k->s, "DELETE FROM person_summaries", NULL, NULL);
  rc = rc ? rc : store_pg_exec(k->s, "UPDATE persons SET address_key = NULL", NULL, NULL);
  if (rc != 0) {
    snprintf(k->err, k->errlen, "cannot clear the blind indexes: %s", strerror(-rc));
  }
  rc = rc ? rc : s_load_merged(k);
  rc = rc ? rc : s_records(k, t);
  rc = rc ? rc : s_mentions(k, t);
  memset(t, 0, sizeof *t);
  free(t);
  return rc;
}

int mash_store_postgres_rekey(const char *conninfo, const mash_seal_t *old,
                              const mash_seal_t *fresh, const mash_store_reindex_t *reindex,
                              size_t *resealed, char *err, size_t errlen) {
  size_t n = 0;
  s_rekey_t k = {.fresh = fresh, .how = reindex, .err = err, .errlen = errlen};
  k.s = mash_store_postgres_new(conninfo, old, err, errlen);
  if (k.s == NULL) {
    return -EIO;
  }
  int rc = 0;
  int64_t got = 0;
  if (store_pg_int64(k.s, "SELECT pg_try_advisory_lock(" ACTIVE_LOCK ")::int", NULL, &got) != 0 ||
      got != 1) {
    snprintf(err, errlen, "a mashd is active on this database: stop every mashd first");
    rc = -EBUSY;
    goto out;
  }
  k.ctx = mash_seal_ctx_new(fresh);
  if (k.ctx == NULL) {
    snprintf(err, errlen, "cannot make a context for the new key");
    rc = -ENOMEM;
    goto out;
  }
  rc = mash_store_begin(k.s);
  for (size_t i = 0; rc == 0 && i < sizeof SEALED / sizeof SEALED[0]; i++) {
    rc = s_column(&k, i, &n);
  }
  if (rc == 0 && reindex != NULL) {
    rc = s_reindex(&k);
  }
  if (rc == 0) {
    rc = mash_store_commit(k.s);
    if (rc != 0) {
      snprintf(err, errlen, "commit failed (%s); the store is still under the old key",
               strerror(-rc));
    }
  } else {
    mash_store_rollback(k.s);
  }
out:
  mash_seal_ctx_destroy(&k.ctx);
  free(k.merged);
  mash_store_destroy(&k.s); /* the session's advisory lock goes with it */
  if (resealed) {
    *resealed = rc == 0 ? n : 0;
  }
  return rc;
}
