/* store_pg_person: the person index of the PostgreSQL store: person
 * records, their blocking and identifier keys, the links from each person
 * of each contact to a record, relations (households), possible matches
 * awaiting the hub's review, and the term counts of names. The twin of
 * SQLite's store_sqlite_person.c: the same rows, the same answers in the
 * same order, so a contact resolves alike on either store.
 *
 * Responsible for: these tables and their statements. A person's record is
 * sealed with its id as associated data; keys, names counted and the
 * current address are stored only as keyed blind indexes (16 bytes of
 * HMAC-SHA-256 under a key derived from the data key): the server holds no
 * plaintext name, date or address. Must not: decide anything (resolve.c
 * does), or be called from any thread but the storage thread.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_logic.h"
#include "store_pg_int.h"

#define KEY_BYTES STORE_ROW_KEY_BYTES
/* Records (and comparison summaries) read per statement by a look-up. */
#define LIVE_CHUNK STORE_LOGIC_SUMS_MAX

#define PERSON_COLS "p.id, p.is_child, p.record"

static const char SQL_KEY_PEOPLE[] = "SELECT person FROM person_keys WHERE key = $1 LIMIT 1001";
static const char SQL_LIVE[] =
    "SELECT " PERSON_COLS " FROM persons p WHERE p.id = ANY($1::bigint[]) "
    "AND p.merged_into IS NULL ORDER BY p.id";
/* Comparison summaries (migration 11): a merged person has none. */
static const char SQL_SUMS[] = "SELECT id, is_child, summary FROM person_summaries "
                               "WHERE id = ANY($1::bigint[]) ORDER BY id";
static const char SQL_SUM_PUT[] =
    "INSERT INTO person_summaries (id, is_child, summary) "
    "SELECT id, is_child, $2 FROM persons WHERE id = $1 AND merged_into IS NULL "
    "ON CONFLICT (id) DO UPDATE SET is_child = EXCLUDED.is_child, summary = EXCLUDED.summary";
static const char SQL_SUM_DROP[] = "DELETE FROM person_summaries WHERE id = $1";
static const char SQL_GET[] =
    "WITH RECURSIVE chain (id) AS (SELECT $1::bigint UNION SELECT p.merged_into FROM persons p "
    "JOIN chain ON p.id = chain.id WHERE p.merged_into IS NOT NULL) "
    "SELECT " PERSON_COLS " FROM persons p JOIN chain ON p.id = chain.id "
    "WHERE p.merged_into IS NULL LIMIT 1";
static const char SQL_NEXT[] = "SELECT COALESCE(MAX(id), 0) + 1 FROM persons";
static const char SQL_EACH[] = "SELECT " PERSON_COLS " FROM persons p WHERE p.id > $1::bigint "
                               "AND p.merged_into IS NULL ORDER BY p.id LIMIT $2::bigint";
static const char SQL_INSERT[] =
    "INSERT INTO persons (id, created_at_ms, updated_at_ms, is_child, address_key, "
    "address_at_ms, record) VALUES ($1, $2::bigint, $2::bigint, $3, $4::bytea, "
    "CASE WHEN $4::bytea IS NULL THEN 0 ELSE $2::bigint END, $5)";
static const char SQL_UPDATE[] =
    "UPDATE persons SET updated_at_ms = $2::bigint, is_child = GREATEST(is_child, $3), "
    "address_key = COALESCE($4::bytea, address_key), "
    "address_at_ms = CASE WHEN $4::bytea IS NULL THEN address_at_ms ELSE $2::bigint END, "
    "record = $5 WHERE id = $1 AND merged_into IS NULL";
static const char SQL_KEY[] =
    "INSERT INTO person_keys (key, person) VALUES ($1, $2) ON CONFLICT DO NOTHING";
static const char SQL_LINK[] =
    "INSERT INTO person_links (contact_id, ref, person, decision, confidence, why, at_ms) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (contact_id, ref) DO UPDATE SET "
    "person = EXCLUDED.person, decision = EXCLUDED.decision, confidence = EXCLUDED.confidence, "
    "why = EXCLUDED.why, at_ms = EXCLUDED.at_ms";
static const char SQL_RELATE[] =
    "INSERT INTO person_relations (a, b, at_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
static const char SQL_RELATIVES[] =
    "SELECT p.id, p.is_child FROM persons p WHERE p.merged_into IS NULL AND "
    "p.id IN (SELECT b FROM person_relations WHERE a = $1 "
    "UNION SELECT a FROM person_relations WHERE b = $1) ORDER BY p.id LIMIT 256";
static const char SQL_HOUSEMATES[] = "SELECT p.id, p.is_child FROM persons p, persons me "
                                     "WHERE me.id = $1 AND me.address_key IS NOT NULL "
                                     "AND p.address_key = me.address_key AND p.id != me.id "
                                     "AND p.merged_into IS NULL AND p.address_at_ms >= $2 "
                                     "ORDER BY p.id LIMIT $3";
static const char SQL_TOGETHER[] =
    "SELECT 1 FROM person_links a JOIN person_links b "
    "ON a.contact_id = b.contact_id WHERE a.person = $1 AND b.person = $2 LIMIT 1";
static const char SQL_CONTACTS[] =
    "SELECT l.contact_id, c.principal, c.received_at_ms, c.concern, "
    "CASE WHEN c.domestic_abuse <> 0 OR c.concern = 1 THEN 1 ELSE 0 END, c.red_flag, l.ref, "
    "c.occurred_at_ms FROM person_links l JOIN contacts c "
    "ON c.contact_id = l.contact_id WHERE l.person = $1 AND "
    "l.at_ms BETWEEN $2 AND $3 ORDER BY l.at_ms DESC LIMIT $4";
static const char SQL_MERGE_MARK[] = "UPDATE persons SET merged_into = $2, updated_at_ms = $3 "
                                     "WHERE id = $1 AND merged_into IS NULL";
static const char SQL_MERGE_LINKS[] =
    "UPDATE person_links SET person = $2, why = why || $3 WHERE person = $1";
static const char SQL_MERGE_KEYS_COPY[] =
    "INSERT INTO person_keys (key, person) SELECT key, $2 FROM person_keys WHERE person = $1 "
    "ON CONFLICT DO NOTHING";
static const char SQL_MERGE_MATCHES[] =
    "UPDATE matches SET candidate = $2 WHERE candidate = $1 AND state = 0";
static const char SQL_MERGE_KEYS_DROP[] = "DELETE FROM person_keys WHERE person = $1";
static const char SQL_MERGE_REL_COPY_A[] =
    "INSERT INTO person_relations (a, b, at_ms) "
    "SELECT LEAST($2::bigint, b), GREATEST($2::bigint, b), at_ms FROM person_relations "
    "WHERE a = $1 AND b != $2 ON CONFLICT DO NOTHING";
static const char SQL_MERGE_REL_COPY_B[] =
    "INSERT INTO person_relations (a, b, at_ms) "
    "SELECT LEAST($2::bigint, a), GREATEST($2::bigint, a), at_ms FROM person_relations "
    "WHERE b = $1 AND a != $2 ON CONFLICT DO NOTHING";
static const char SQL_MERGE_REL_DROP[] = "DELETE FROM person_relations WHERE a = $1 OR b = $1";
static const char SQL_MATCH_NEXT[] = "SELECT COALESCE(MAX(id), 0) + 1 FROM matches";
static const char SQL_MATCH_INSERT[] =
    "INSERT INTO matches (id, contact_id, ref, person, candidate, confidence, why, "
    "created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
static const char SQL_MATCH_GET[] = "SELECT id, contact_id, ref, person, candidate, confidence, "
                                    "state FROM matches WHERE id = $1";
static const char SQL_MATCH_DECIDE[] =
    "UPDATE matches SET state = $2, decided_at_ms = $3, decided_by = $4, "
    "decision = $5 WHERE id = $1 AND state = 0";
static const char SQL_PENDING[] =
    "SELECT candidate, 1 FROM matches WHERE person = $1 AND state = 0 "
    "UNION SELECT person, 0 FROM matches WHERE candidate = $1 AND state = 0";
static const char SQL_TERM_GET[] = "SELECT n FROM person_terms WHERE key = $1";
static const char SQL_TERM_ADD[] =
    "INSERT INTO person_terms (key, n) VALUES ($1, GREATEST($2::bigint, 0)) "
    "ON CONFLICT (key) DO UPDATE SET n = GREATEST(person_terms.n + $2::bigint, 0)";

/* ---- small helpers ---- */

/* "P-000042" from 42 and back (the same ids as SQLite's). */
static void s_format_id(char out[MASH_PERSON_ID_LEN], char prefix, int64_t id) {
  snprintf(out, MASH_PERSON_ID_LEN, "%c-%06lld", prefix, (long long)(id < 0 ? 0 : id));
}

/* A person row (columns id, is_child and, when with_record, record). */
static int s_person_row(mash_store_t *s, const PGresult *r, int i, bool with_record,
                        mash_person_row_t *row) {
  memset(row, 0, sizeof *row);
  s_format_id(row->person_id, 'P', store_pg_i64(r, i, 0));
  row->is_child = (int)store_pg_i64(r, i, 1);
  if (!with_record) {
    return 0;
  }
  if (PQgetisnull(r, i, 2)) {
    return -EBADMSG; /* the column is NOT NULL: a record is never empty */
  }
  size_t n = 0;
  unsigned char *b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, i, 2), &n);
  if (!b) {
    return -ENOMEM;
  }
  int rc = n == 0
               ? -EBADMSG
               : mash_seal_ctx_decrypt(store_pg_seal_ctx(s), b, n, (const uint8_t *)row->person_id,
                                       strlen(row->person_id), &row->record, &row->len);
  PQfreemem(b);
  return rc;
}

/* Each row of r to cb. 0, 1 when cb stopped, or a negative error. */
static int s_visit(mash_store_t *s, const PGresult *r, bool with_record, mash_store_person_cb cb,
                   void *arg) {
  int n = PQntuples(r);
  for (int i = 0; i < n; i++) {
    mash_person_row_t row;
    int rc = s_person_row(s, r, i, with_record, &row);
    if (rc == 0 && cb(&row, arg) != 0) {
      rc = 1;
    }
    free(row.record);
    if (rc != 0) {
      return rc;
    }
  }
  return 0;
}

/* Run sql (arguments a) and visit its rows: 0, or a negative error. */
static int s_query_visit(mash_store_t *s, const char *sql, const store_pg_args_t *a,
                         bool with_record, mash_store_person_cb cb, void *arg) {
  int rc = 0;
  PGresult *r = store_pg_query(s, sql, a, &rc);
  if (!r) {
    return rc;
  }
  rc = s_visit(s, r, with_record, cb, arg);
  PQclear(r);
  return rc > 0 ? 0 : rc;
}

/* ---- persons ---- */

/* The people under one key (store_logic_person_find): at most one more
 * than a key too common holds (the statement's LIMIT). */
static int s_key_people(mash_store_t *s, const uint8_t blind[KEY_BYTES], int64_t *ids, size_t cap,
                        size_t *rows) {
  store_pg_args_t a = {0};
  store_pg_bytes(&a, blind, KEY_BYTES);
  int rc = 0;
  PGresult *r = store_pg_query(s, SQL_KEY_PEOPLE, &a, &rc);
  if (!r) {
    return rc;
  }
  *rows = (size_t)PQntuples(r);
  for (size_t j = 0; j < *rows && j < cap; j++) {
    ids[j] = store_pg_i64(r, (int)j, 0);
  }
  PQclear(r);
  return 0;
}

/* "{1,2,3}": the ids[0..n) not marked in skip (NULL: all), for ANY($1). */
static void s_id_list(char *list, const int64_t *ids, size_t n, const bool *skip) {
  size_t len = 0;
  list[len++] = '{';
  for (size_t j = 0; j < n; j++) {
    if (skip == NULL || !skip[j]) {
      len += (size_t)snprintf(list + len, 22, "%s%lld", len > 1 ? "," : "", (long long)ids[j]);
    }
  }
  list[len++] = '}';
  list[len] = '\0';
}

/* One chunk of a look-up's people (ids sorted), as SQLite's s_find_chunk:
 * summaries first, then the records of those without one, handed on in id
 * order. 0, 1 when the callback stopped, or a negative error. */
static int s_find_chunk(mash_store_t *s, const int64_t *ids, size_t n, store_logic_sums_t *sums) {
  char list[LIVE_CHUNK * 21 + 3];
  s_id_list(list, ids, n, NULL);
  store_pg_args_t a = {0};
  store_pg_text(&a, list);
  int rc = 0;
  PGresult *r = store_pg_query(s, SQL_SUMS, &a, &rc);
  if (!r) {
    return rc;
  }
  store_logic_sums_reset(sums);
  for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
    size_t len = 0;
    unsigned char *b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, i, 2), &len);
    rc = b == NULL ? -ENOMEM
                   : store_logic_sums_add(sums, store_pg_seal_ctx(s), store_pg_i64(r, i, 0),
                                          (int)store_pg_i64(r, i, 1), b, len);
    PQfreemem(b);
  }
  PQclear(r);
  bool found[LIVE_CHUNK];
  if (rc == 0 && store_logic_sums_mark(sums, ids, n, found) > 0) {
    /* Records without a summary, merged into the summaries' order. */
    s_id_list(list, ids, n, found);
    store_pg_args_t l = {0};
    store_pg_text(&l, list);
    r = store_pg_query(s, SQL_LIVE, &l, &rc);
    if (!r) {
      return rc;
    }
    rc = s_visit(s, r, true, store_logic_sums_record_cb, sums);
    PQclear(r);
  }
  return rc ? rc : store_logic_sums_emit(sums, INT64_MAX);
}

int store_pg_per_find(mash_store_t *s, const char *const *keys, size_t n, mash_store_person_cb cb,
                      void *arg) {
  return store_logic_person_find(s, store_pg_seal_ctx(s), NULL, keys, n, cb, arg, s_key_people,
                                 s_find_chunk);
}

/* The look-up's tables read once (mash_store_person_warm): into the
 * server's buffers and the operating system's cache. */
int store_pg_per_warm(mash_store_t *s, int64_t *bytes) {
  static const char SQL_WARM[] =
      "SELECT (SELECT COALESCE(SUM(LENGTH(summary)), 0) FROM person_summaries) + "
      "(SELECT COALESCE(SUM(LENGTH(key)) + 8 * COUNT(*), 0) FROM person_keys) + "
      "(SELECT COALESCE(SUM(LENGTH(key)) + 8 * COUNT(*), 0) FROM person_terms)";
  int64_t total = 0;
  int rc = store_pg_int64(s, SQL_WARM, NULL, &total);
  if (rc == 0 && bytes != NULL) {
    *bytes = total;
  }
  return rc;
}

int store_pg_per_summarise(mash_store_t *s, const char *person_id, const uint8_t *summary,
                           size_t len) {
  int64_t id = 0, changed = 0;
  uint8_t *sealed = NULL;
  size_t sealed_len = 0;
  int rc = store_logic_summary_seal(store_pg_seal_ctx(s), person_id, summary, len, &id, &sealed,
                                    &sealed_len);
  if (rc != 0) {
    return rc;
  }
  store_pg_args_t a = {0};
  store_pg_int(&a, id);
  store_pg_bytes(&a, sealed, sealed_len);
  rc = store_pg_exec(s, SQL_SUM_PUT, &a, &changed);
  free(sealed);
  return rc == 0 && changed == 0 ? -ENOENT : rc;
}

/* The record changed or went: its summary says what it was. */
static int s_summary_drop(mash_store_t *s, int64_t id) {
  store_pg_args_t a = {0};
  store_pg_int(&a, id);
  return store_pg_exec(s, SQL_SUM_DROP, &a, NULL);
}

/* The row the text id names (one-letter prefix), read by sql with its row
 * number as $1; row[0..size) cleared first. The result, or NULL with *rc
 * -ENOENT (not such an id) or the query's error. */
static PGresult *s_query_lookup(mash_store_t *s, const char *sql, void *row, size_t size,
                                const char *text_id, char prefix, int *rc) {
  int64_t id = store_logic_lookup(row, size, text_id, prefix);
  *rc = -ENOENT;
  return id <= 0 ? NULL : store_pg_query_id(s, sql, id, rc);
}

int store_pg_per_get(mash_store_t *s, const char *person_id, mash_person_row_t *row) {
  int rc = 0;
  PGresult *r = s_query_lookup(s, SQL_GET, row, sizeof *row, person_id, 'P', &rc);
  if (!r) {
    return rc;
  }
  rc = PQntuples(r) == 1 ? s_person_row(s, r, 0, true, row) : -ENOENT;
  PQclear(r);
  return rc;
}

/* A person put's statements (store_logic_person_put). */
static int s_next_person(mash_store_t *s, int64_t *id) {
  return store_pg_int64(s, SQL_NEXT, NULL, id);
}

static int s_seal(mash_store_t *s, const uint8_t *in, size_t len, const char *aad, uint8_t **out,
                  size_t *out_len) {
  return store_row_seal(store_pg_seal(s), in, len, aad, out, out_len);
}

static int s_write_person(mash_store_t *s, bool create, int64_t id, int64_t at_ms, int is_child,
                          const uint8_t *addr, const uint8_t *sealed, size_t sealed_len,
                          int64_t *changed) {
  store_pg_args_t a = {0};
  store_pg_int(&a, id);
  store_pg_int(&a, at_ms);
  store_pg_int(&a, is_child);
  if (addr != NULL) {
    store_pg_bytes(&a, addr, KEY_BYTES);
  } else {
    store_pg_text(&a, NULL);
  }
  store_pg_bytes(&a, sealed, sealed_len);
  return store_pg_exec(s, create ? SQL_INSERT : SQL_UPDATE, &a, changed);
}

int store_pg_per_put(mash_store_t *s, char person_id[MASH_PERSON_ID_LEN], const uint8_t *record,
                     size_t len, int is_child, const char *address_key, int64_t at_ms) {
  static const store_logic_put_ops_t ops = {
      .next_id = s_next_person,
      .seal = s_seal,
      .write = s_write_person,
      .summary_drop = s_summary_drop,
  };
  return store_logic_person_put(s, store_pg_seal_ctx(s), person_id, record, len, is_child,
                                address_key, at_ms, &ops);
}

/* One key of a person (store_logic_add_keys). */
static int s_key_put(mash_store_t *s, const uint8_t blind[KEY_BYTES], int64_t id) {
  store_pg_args_t a = {0};
  store_pg_bytes(&a, blind, KEY_BYTES);
  store_pg_int(&a, id);
  return store_pg_exec(s, SQL_KEY, &a, NULL);
}

int store_pg_per_add_keys(mash_store_t *s, const char *person_id, const char *const *keys,
                          size_t n) {
  return store_logic_add_keys(s, store_pg_seal_ctx(s), person_id, keys, n, s_key_put);
}

int store_pg_per_link(mash_store_t *s, const char *contact_id, const char *ref,
                      const char *person_id, const char *decision, int confidence, const char *why,
                      int64_t at_ms) {
  int64_t id = store_row_parse_id(person_id, 'P');
  if (id <= 0 || contact_id == NULL || ref == NULL || decision == NULL) {
    return -EINVAL;
  }
  store_pg_args_t a = {0};
  store_pg_text(&a, contact_id);
  store_pg_text(&a, ref);
  store_pg_int(&a, id);
  store_pg_text(&a, decision);
  store_pg_int(&a, confidence);
  store_pg_text(&a, why ? why : "");
  store_pg_int(&a, at_ms);
  return store_pg_exec(s, SQL_LINK, &a, NULL);
}

int store_pg_per_relate(mash_store_t *s, const char *a, const char *b, int64_t at_ms) {
  int64_t ia = 0, ib = 0;
  int rc = store_logic_pair(a, b, &ia, &ib);
  if (rc != 0 || ia == ib) {
    return rc;
  }
  store_pg_args_t q = {0};
  store_pg_int(&q, ia < ib ? ia : ib);
  store_pg_int(&q, ia < ib ? ib : ia);
  store_pg_int(&q, at_ms);
  return store_pg_exec(s, SQL_RELATE, &q, NULL);
}

int store_pg_per_relatives(mash_store_t *s, const char *person_id, mash_store_person_cb cb,
                           void *arg) {
  int64_t id = 0;
  if (store_logic_person_cb(person_id, cb != NULL, &id) != 0) {
    return -EINVAL;
  }
  store_pg_args_t a = {0};
  store_pg_int(&a, id);
  return s_query_visit(s, SQL_RELATIVES, &a, false, cb, arg);
}

int store_pg_per_housemates(mash_store_t *s, const char *person_id, int64_t since_ms, size_t max,
                            mash_store_person_cb cb, void *arg) {
  int64_t id = 0;
  if (store_logic_person_cb(person_id, cb != NULL, &id) != 0) {
    return -EINVAL;
  }
  store_pg_args_t a = {0};
  store_pg_int(&a, id);
  store_pg_int(&a, since_ms);
  store_pg_int(&a, (int64_t)max);
  return s_query_visit(s, SQL_HOUSEMATES, &a, false, cb, arg);
}

int store_pg_per_together(mash_store_t *s, const char *a, const char *b) {
  int64_t ia = 0, ib = 0;
  int rc = store_logic_pair(a, b, &ia, &ib);
  if (rc != 0) {
    return rc;
  }
  store_pg_args_t q = {0};
  store_pg_int(&q, ia);
  store_pg_int(&q, ib);
  PGresult *r = store_pg_query(s, SQL_TOGETHER, &q, &rc);
  if (!r) {
    return rc;
  }
  rc = PQntuples(r) > 0 ? 1 : 0;
  PQclear(r);
  return rc;
}

int store_pg_per_contacts(mash_store_t *s, const char *person_id, int64_t since_ms,
                          int64_t until_ms, size_t max, mash_store_person_contact_cb cb,
                          void *arg) {
  int64_t id = 0;
  if (store_logic_person_cb(person_id, cb != NULL, &id) != 0) {
    return -EINVAL;
  }
  store_pg_args_t a = {0};
  store_pg_int(&a, id);
  store_pg_int(&a, since_ms);
  store_pg_int(&a, until_ms);
  store_pg_int(&a, (int64_t)max);
  int rc = 0;
  PGresult *r = store_pg_query(s, SQL_CONTACTS, &a, &rc);
  if (!r) {
    return rc;
  }
  int n = PQntuples(r);
  for (int i = 0; i < n; i++) {
    mash_person_contact_t c;
    memset(&c, 0, sizeof c);
    store_pg_str(r, i, 0, c.contact_id, sizeof c.contact_id);
    store_pg_str(r, i, 1, c.principal, sizeof c.principal);
    c.received_at_ms = store_pg_i64(r, i, 2);
    c.concern_category = (int)store_pg_i64(r, i, 3);
    c.domestic_abuse = (int)store_pg_i64(r, i, 4);
    c.red_flag = (int)store_pg_i64(r, i, 5);
    store_pg_str(r, i, 6, c.ref, sizeof c.ref);
    c.occurred_at_ms = store_pg_i64(r, i, 7);
    snprintf(c.person_id, sizeof c.person_id, "%s", person_id);
    if (cb(&c, arg) != 0) {
      break;
    }
  }
  PQclear(r);
  return 0;
}

/* One statement on (from) or (from, into). */
static int s_merge_step(mash_store_t *s, const char *sql, int64_t f, int64_t t, int with_into) {
  store_pg_args_t a = {0};
  store_pg_int(&a, f);
  if (with_into) {
    store_pg_int(&a, t);
  }
  return store_pg_exec(s, sql, &a, NULL);
}

int store_pg_per_merge(mash_store_t *s, const char *from, const char *into, const char *note,
                       int64_t at_ms) {
  int64_t f = 0, t = 0;
  if (store_logic_pair(from, into, &f, &t) != 0 || f == t) {
    return -EINVAL;
  }
  store_pg_args_t a = {0};
  store_pg_int(&a, f);
  store_pg_int(&a, t);
  store_pg_int(&a, at_ms);
  int64_t changed = 0;
  int rc = store_pg_exec(s, SQL_MERGE_MARK, &a, &changed);
  if (rc == 0 && changed == 0) {
    return -ENOENT;
  }
  rc = rc ? rc : s_summary_drop(s, f);
  if (rc == 0) {
    store_pg_args_t l = {0};
    store_pg_int(&l, f);
    store_pg_int(&l, t);
    store_pg_text(&l, note ? note : "");
    rc = store_pg_exec(s, SQL_MERGE_LINKS, &l, NULL);
  }
  rc = rc ? rc : s_merge_step(s, SQL_MERGE_KEYS_COPY, f, t, 1);
  rc = rc ? rc : s_merge_step(s, SQL_MERGE_MATCHES, f, t, 1);
  rc = rc ? rc : s_merge_step(s, SQL_MERGE_KEYS_DROP, f, t, 0);
  /* Relations: copied to into (none of into with itself), then dropped. */
  rc = rc ? rc : s_merge_step(s, SQL_MERGE_REL_COPY_A, f, t, 1);
  rc = rc ? rc : s_merge_step(s, SQL_MERGE_REL_COPY_B, f, t, 1);
  rc = rc ? rc : s_merge_step(s, SQL_MERGE_REL_DROP, f, t, 0);
  return rc;
}

/* ---- possible matches ---- */

/* A possible match's statements (store_logic_match_insert). */
static int s_next_match(mash_store_t *s, int64_t *id) {
  return store_pg_int64(s, SQL_MATCH_NEXT, NULL, id);
}

static int s_insert_match(mash_store_t *s, const store_logic_match_t *row) {
  store_pg_args_t a = {0};
  store_pg_int(&a, row->id);
  store_pg_text(&a, row->m->contact_id);
  store_pg_text(&a, row->m->ref);
  store_pg_int(&a, row->person);
  store_pg_int(&a, row->candidate);
  store_pg_int(&a, row->m->confidence);
  store_pg_text(&a, row->why);
  store_pg_int(&a, row->at_ms);
  return store_pg_exec(s, SQL_MATCH_INSERT, &a, NULL);
}

int store_pg_per_match_insert(mash_store_t *s, const mash_match_row_t *m, const char *why,
                              int64_t at_ms, char match_id[MASH_PERSON_ID_LEN]) {
  return store_logic_match_insert(s, m, why, at_ms, match_id, s_next_match, s_insert_match);
}

int store_pg_per_match_get(mash_store_t *s, const char *match_id, mash_match_row_t *row) {
  int rc = 0;
  PGresult *r = s_query_lookup(s, SQL_MATCH_GET, row, sizeof *row, match_id, 'M', &rc);
  if (!r) {
    return rc;
  }
  if (PQntuples(r) == 1) {
    s_format_id(row->match_id, 'M', store_pg_i64(r, 0, 0));
    store_pg_str(r, 0, 1, row->contact_id, sizeof row->contact_id);
    store_pg_str(r, 0, 2, row->ref, sizeof row->ref);
    s_format_id(row->person_id, 'P', store_pg_i64(r, 0, 3));
    s_format_id(row->candidate_id, 'P', store_pg_i64(r, 0, 4));
    row->confidence = (int)store_pg_i64(r, 0, 5);
    row->state = (int)store_pg_i64(r, 0, 6);
  } else {
    rc = -ENOENT;
  }
  PQclear(r);
  return rc;
}

int store_pg_per_match_decide(mash_store_t *s, const char *match_id, int state, const char *by,
                              const uint8_t *decision, size_t len, int64_t at_ms) {
  int64_t id = 0;
  uint8_t *sealed = NULL;
  size_t sealed_len = 0;
  int rc =
      store_logic_decision(s, s_seal, match_id, state, decision, len, &id, &sealed, &sealed_len);
  if (rc != 0) {
    return rc;
  }
  store_pg_args_t a = {0};
  store_pg_int(&a, id);
  store_pg_int(&a, state);
  store_pg_int(&a, at_ms);
  store_pg_text(&a, by ? by : "");
  if (sealed != NULL) {
    store_pg_bytes(&a, sealed, sealed_len);
  } else {
    store_pg_text(&a, NULL);
  }
  int64_t changed = 0;
  rc = store_pg_exec(s, SQL_MATCH_DECIDE, &a, &changed);
  free(sealed);
  if (rc == 0 && changed == 0) {
    return -EALREADY;
  }
  return rc;
}

/* ---- clusters ---- */

int store_pg_per_pending(mash_store_t *s, const char *person_id, mash_store_pending_cb cb,
                         void *arg) {
  int64_t id = store_row_parse_id(person_id, 'P');
  if (id <= 0) {
    return 0;
  }
  store_pg_args_t a = {0};
  store_pg_int(&a, id);
  int rc = 0;
  PGresult *r = store_pg_query(s, SQL_PENDING, &a, &rc);
  if (!r) {
    return rc;
  }
  int n = PQntuples(r);
  for (int i = 0; i < n; i++) {
    char other[MASH_PERSON_ID_LEN];
    s_format_id(other, 'P', store_pg_i64(r, i, 0));
    if (cb(other, (int)store_pg_i64(r, i, 1), arg) != 0) {
      break;
    }
  }
  PQclear(r);
  return 0;
}

/* ---- term counts ---- */

/* One name's count (store_logic_term_counts): left as it is without a row. */
static int s_term_get(mash_store_t *s, const uint8_t blind[KEY_BYTES], int64_t *count) {
  store_pg_args_t a = {0};
  store_pg_bytes(&a, blind, KEY_BYTES);
  int rc = 0;
  PGresult *r = store_pg_query(s, SQL_TERM_GET, &a, &rc);
  if (!r) {
    return rc;
  }
  if (PQntuples(r) == 1) {
    *count = store_pg_i64(r, 0, 0);
  }
  PQclear(r);
  return 0;
}

int store_pg_per_term_counts(mash_store_t *s, const char *const *keys, size_t n, int64_t *counts) {
  return store_logic_term_counts(s, store_pg_seal_ctx(s), keys, n, counts, s_term_get);
}

/* One name's count moved by delta (store_logic_term_add). */
static int s_term_add(mash_store_t *s, const uint8_t blind[KEY_BYTES], int delta) {
  store_pg_args_t a = {0};
  store_pg_bytes(&a, blind, KEY_BYTES);
  store_pg_int(&a, delta);
  return store_pg_exec(s, SQL_TERM_ADD, &a, NULL);
}

int store_pg_per_term_add(mash_store_t *s, const char *const *keys, size_t n, int delta) {
  return store_logic_term_add(s, store_pg_seal_ctx(s), keys, n, delta, s_term_add);
}

/* ---------------------------------------------------------------- the whole index */

int store_pg_per_each(mash_store_t *s, const char *after_id, size_t max, mash_store_person_cb cb,
                      void *arg) {
  if (cb == NULL) {
    return -EINVAL;
  }
  store_pg_args_t a = {0};
  store_pg_int(&a, after_id != NULL && after_id[0] != '\0' ? store_row_parse_id(after_id, 'P') : 0);
  store_pg_int(&a, (int64_t)max);
  return s_query_visit(s, SQL_EACH, &a, true, cb, arg);
}
