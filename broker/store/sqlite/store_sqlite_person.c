/* store_sqlite_person: the person index of the SQLite store: person records,
 * their blocking and identifier keys, the links from each person of each
 * contact to a record, relations (households), and possible matches
 * awaiting the hub's review.
 *
 * Responsible for: these tables and their statements. A person's record (a
 * serialized Person: names, date of birth, address) is sealed with its id as
 * associated data; keys and the current address are stored only as keyed
 * blind indexes (HMAC-SHA-256 under a key derived from the data key, cut to
 * 16 bytes), so the file holds no plaintext name, date or address. Must not:
 * decide anything (resolve.c does), or be called from any thread but the
 * storage thread.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_logic.h"
#include "store_sqlite_int.h"
#include "store_row.h"

#define KEY_BYTES STORE_ROW_KEY_BYTES

/* Records read per statement by a look-up: one statement for up to this
 * many ids, not one each (at 1,000,000 people a person has hundreds of
 * candidates, and a statement's step and reset cost more than its seek). */
#define LIVE_CHUNK STORE_LOGIC_SUMS_MAX
#define S_Q8 "?,?,?,?,?,?,?,?"
#define S_Q64 S_Q8 "," S_Q8 "," S_Q8 "," S_Q8 "," S_Q8 "," S_Q8 "," S_Q8 "," S_Q8

enum {
  P_KEY_PEOPLE,
  P_LIVE,
  P_GET,
  P_GET_LIVE,
  P_NEXT,
  P_INSERT,
  P_UPDATE,
  P_KEY,
  P_LINK,
  P_RELATE,
  P_RELATIVES,
  P_HOUSEMATES,
  P_TOGETHER,
  P_CONTACTS,
  P_MERGE_MARK,
  P_MERGE_LINKS,
  P_MERGE_KEYS_COPY,
  P_MERGE_KEYS_DROP,
  P_MERGE_REL_COPY_A,
  P_MERGE_REL_COPY_B,
  P_MERGE_REL_DROP,
  P_MERGE_MATCHES,
  P_MATCH_NEXT,
  P_MATCH_INSERT,
  P_MATCH_GET,
  P_MATCH_DECIDE,
  P_PENDING,
  P_TERM_GET,
  P_TERM_ADD,
  P_EACH,
  P_SUMS,
  P_SUM_PUT,
  P_SUM_DROP,
  P_DATA_VERSION,
  P_N
};

#define PERSON_COLS "p.id, p.is_child, p.record"

static const char *const SQL[P_N] = {
    [P_KEY_PEOPLE] = "SELECT person FROM person_keys WHERE key = ?1 LIMIT 1001",
    /* LIVE_CHUNK ids, lowest first (unused places hold 0, no one's id). */
    [P_LIVE] = "SELECT " PERSON_COLS " FROM persons p WHERE p.id IN (" S_Q64 ") "
               "AND p.merged_into IS NULL ORDER BY p.id",
    /* A merged person gives the record it was merged into. */
    [P_GET] = "WITH RECURSIVE chain (id) AS (SELECT ?1 UNION SELECT p.merged_into FROM persons p "
              "JOIN chain ON p.id = chain.id WHERE p.merged_into IS NOT NULL) "
              "SELECT " PERSON_COLS " FROM persons p JOIN chain ON p.id = chain.id "
              "WHERE p.merged_into IS NULL LIMIT 1",
    /* Most people were never merged: one seek, before the chain's query. */
    [P_GET_LIVE] = "SELECT " PERSON_COLS " FROM persons p WHERE p.id = ?1 "
                   "AND p.merged_into IS NULL",
    [P_NEXT] = "SELECT COALESCE(MAX(id), 0) + 1 FROM persons",
    [P_INSERT] = "INSERT INTO persons (id, created_at_ms, updated_at_ms, is_child, address_key, "
                 "address_at_ms, record) VALUES (?1, ?2, ?2, ?3, ?4, "
                 "CASE WHEN ?4 IS NULL THEN 0 ELSE ?2 END, ?5)",
    [P_UPDATE] = "UPDATE persons SET updated_at_ms = ?2, is_child = MAX(is_child, ?3), "
                 "address_key = COALESCE(?4, address_key), "
                 "address_at_ms = CASE WHEN ?4 IS NULL THEN address_at_ms ELSE ?2 END, "
                 "record = ?5 WHERE id = ?1 AND merged_into IS NULL",
    [P_KEY] = "INSERT OR IGNORE INTO person_keys (key, person) VALUES (?1, ?2)",
    [P_LINK] = "INSERT OR REPLACE INTO person_links (contact_id, ref, person, decision, "
               "confidence, why, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [P_RELATE] = "INSERT OR IGNORE INTO person_relations (a, b, at_ms) VALUES (?1, ?2, ?3)",
    /* A pair is kept once, lower id first (s_relate_ids, the merge's
     * copies): the relatives below ?1 and those above are apart, each
     * read in order from its index, and merged without a temporary b-tree
     * (two were made for every call before: a tenth of a resolution). */
    [P_RELATIVES] = "SELECT r.a, p.is_child FROM person_relations r JOIN persons p ON p.id = r.a "
                    "WHERE r.b = ?1 AND p.merged_into IS NULL UNION ALL "
                    "SELECT r.b, p.is_child FROM person_relations r JOIN persons p ON p.id = r.b "
                    "WHERE r.a = ?1 AND p.merged_into IS NULL ORDER BY 1 LIMIT 256",
    /* Up to one more than a household holds: the caller treats a full
     * answer as a communal address (a hostel, a refuge) and uses none. */
    [P_HOUSEMATES] = "SELECT p.id, p.is_child FROM persons p, persons me "
                     "WHERE me.id = ?1 AND me.address_key IS NOT NULL "
                     "AND p.address_key = me.address_key AND p.id != me.id "
                     "AND p.merged_into IS NULL AND p.address_at_ms >= ?2 "
                     "ORDER BY p.id LIMIT ?3",
    [P_TOGETHER] = "SELECT 1 FROM person_links a JOIN person_links b "
                   "ON a.contact_id = b.contact_id WHERE a.person = ?1 AND b.person = ?2 LIMIT 1",
    /* A link is made when its contact is received (at_ms is received_at_ms),
     * so the index on (person, at_ms) reads the most recent first and stops:
     * a child with thousands of contacts costs no more than one with 256.
     * A domestic-abuse incident: a police domestic-abuse notification, or
     * any contact whose concern is domestic abuse (category 1). */
    [P_CONTACTS] = "SELECT l.contact_id, c.principal, c.received_at_ms, c.concern, "
                   "c.domestic_abuse OR c.concern = 1, c.red_flag, l.ref, c.occurred_at_ms "
                   "FROM person_links l JOIN contacts c "
                   "ON c.contact_id = l.contact_id WHERE l.person = ?1 AND "
                   "l.at_ms BETWEEN ?2 AND ?3 ORDER BY l.at_ms DESC LIMIT ?4",
    [P_MERGE_MARK] = "UPDATE persons SET merged_into = ?2, updated_at_ms = ?3 "
                     "WHERE id = ?1 AND merged_into IS NULL",
    [P_MERGE_LINKS] = "UPDATE person_links SET person = ?2, why = why || ?3 WHERE person = ?1",
    [P_MERGE_KEYS_COPY] = "INSERT OR IGNORE INTO person_keys (key, person) "
                          "SELECT key, ?2 FROM person_keys WHERE person = ?1",
    [P_MERGE_KEYS_DROP] = "DELETE FROM person_keys WHERE person = ?1",
    [P_MERGE_REL_COPY_A] = "INSERT OR IGNORE INTO person_relations (a, b, at_ms) "
                           "SELECT MIN(?2, b), MAX(?2, b), at_ms FROM person_relations "
                           "WHERE a = ?1 AND b != ?2",
    [P_MERGE_REL_COPY_B] = "INSERT OR IGNORE INTO person_relations (a, b, at_ms) "
                           "SELECT MIN(?2, a), MAX(?2, a), at_ms FROM person_relations "
                           "WHERE b = ?1 AND a != ?2",
    [P_MERGE_REL_DROP] = "DELETE FROM person_relations WHERE a = ?1 OR b = ?1",
    [P_MERGE_MATCHES] = "UPDATE matches SET candidate = ?2 WHERE candidate = ?1 AND state = 0",
    [P_MATCH_NEXT] = "SELECT COALESCE(MAX(id), 0) + 1 FROM matches",
    [P_MATCH_INSERT] = "INSERT INTO matches (id, contact_id, ref, person, candidate, confidence, "
                       "why, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [P_MATCH_GET] = "SELECT id, contact_id, ref, person, candidate, confidence, state "
                    "FROM matches WHERE id = ?1",
    [P_MATCH_DECIDE] = "UPDATE matches SET state = ?2, decided_at_ms = ?3, decided_by = ?4, "
                       "decision = ?5 WHERE id = ?1 AND state = 0",
    [P_PENDING] = "SELECT candidate, 1 FROM matches WHERE person = ?1 AND state = 0 "
                  "UNION SELECT person, 0 FROM matches WHERE candidate = ?1 AND state = 0",
    /* Term counts (issue 9): records per blind index of a name. */
    [P_TERM_GET] = "SELECT n FROM person_terms WHERE key = ?1",
    [P_TERM_ADD] = "INSERT INTO person_terms (key, n) VALUES (?1, MAX(?2, 0)) "
                   "ON CONFLICT (key) DO UPDATE SET n = MAX(n + ?2, 0)",
    [P_EACH] = "SELECT " PERSON_COLS " FROM persons p WHERE p.id > ?1 "
               "AND p.merged_into IS NULL ORDER BY p.id LIMIT ?2",
    /* Comparison summaries (migration 11): LIVE_CHUNK ids, lowest first. A
     * merged person has none (merging drops it). */
    [P_SUMS] = "SELECT id, is_child, summary FROM person_summaries WHERE id IN (" S_Q64 ") "
               "ORDER BY id",
    [P_SUM_PUT] = "INSERT OR REPLACE INTO person_summaries (id, is_child, summary) "
                  "SELECT id, is_child, ?2 FROM persons WHERE id = ?1 AND merged_into IS NULL",
    /* A record put again or merged away: its summary said what it was. */
    [P_SUM_DROP] = "DELETE FROM person_summaries WHERE id = ?1",
    /* Changes by another connection since the last look-up (the cache). */
    [P_DATA_VERSION] = "PRAGMA data_version",
};

struct store_per {
  sqlite3 *db;
  const mash_seal_t *seal;
  /* Opens the records a look-up reads (hundreds per person at 1,000,000
   * people) and makes the blind indexes, without contexts made for each. */
  mash_seal_ctx_t *ctx;
  sqlite3_stmt *q[P_N];
  /* The opened summaries look-ups read (NULL: none). Only this connection
   * writes while mashd runs; what another one commits (a tool on a stopped
   * broker's file) is seen by PRAGMA data_version, and forgets them all. */
  store_sumcache_t *cache;
  int64_t data_version;
};

store_per_t *store_per_new(sqlite3 *db, const mash_seal_t *seal, size_t cache_bytes, char *err,
                           size_t errlen) {
  store_per_t *p = calloc(1, sizeof *p);
  if (!p) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  p->db = db;
  p->seal = seal;
  p->ctx = mash_seal_ctx_new(seal);
  if (p->ctx == NULL) {
    snprintf(err, errlen, "cannot make a decryption context");
    store_per_destroy(p);
    return NULL;
  }
  for (int i = 0; i < P_N; i++) {
    if (sqlite3_prepare_v3(db, SQL[i], -1, SQLITE_PREPARE_PERSISTENT, &p->q[i], NULL) !=
        SQLITE_OK) {
      snprintf(err, errlen, "cannot prepare person statement %d: %s", i, sqlite3_errmsg(db));
      store_per_destroy(p);
      return NULL;
    }
  }
  /* NULL when 0, or short of memory: none. Changes from here on by another
   * connection forget it (s_cache_check). */
  p->cache = store_sumcache_new(cache_bytes);
  if (p->cache != NULL && store_sql_int64(p->q[P_DATA_VERSION], &p->data_version) != 0) {
    store_sumcache_destroy(&p->cache);
  }
  return p;
}

void store_per_destroy(store_per_t *p) {
  if (!p) {
    return;
  }
  for (int i = 0; i < P_N; i++) {
    sqlite3_finalize(p->q[i]);
  }
  mash_seal_ctx_destroy(&p->ctx);
  store_sumcache_destroy(&p->cache);
  free(p);
}

store_sumcache_t *store_per_cache(mash_store_t *s) {
  return store_sqlite_per(s)->cache;
}

int store_per_cache_stats(mash_store_t *s, mash_store_person_cache_t *out) {
  store_sumcache_t *c = store_sqlite_per(s)->cache;
  store_sumcache_stats(c, out);
  return c != NULL ? 0 : -ENOSYS;
}

mash_seal_ctx_t *store_per_ctx(mash_store_t *s) {
  return store_sqlite_per(s)->ctx;
}

/* Forget the cache when another connection committed since the last
 * look-up, and what a transaction SQLite rolled back itself wrote
 * (store_sqlite_txn_check). 0 or the statement's error. */
static int s_cache_check(mash_store_t *s) {
  store_per_t *p = store_sqlite_per(s);
  if (p->cache == NULL) {
    return 0;
  }
  store_sqlite_txn_check(s);
  int64_t version = 0;
  int rc = store_sql_int64(p->q[P_DATA_VERSION], &version);
  if (rc == 0 && version != p->data_version) {
    store_sumcache_clear(p->cache);
    p->data_version = version;
  }
  return rc;
}

/* ---- small helpers ---- */

static sqlite3_stmt *s_q(mash_store_t *s, int which) {
  return store_sqlite_per(s)->q[which];
}

/* A statement with ?1 bound to a row number. */
static sqlite3_stmt *s_q_id(mash_store_t *s, int which, int64_t id) {
  sqlite3_stmt *q = s_q(s, which);
  sqlite3_bind_int64(q, 1, id);
  return q;
}

/* "P-000042" from 42 (store_row_id writes it by hand: snprintf cost more
 * than the look-up of a candidate). */
static void s_format_id(char out[MASH_PERSON_ID_LEN], char prefix, sqlite3_int64 id) {
  const char p[2] = {prefix, '\0'};
  store_row_id(p, id, out, MASH_PERSON_ID_LEN);
}

/* Read a person row (columns id, is_child, record) and hand it to cb. */
static int s_person_row(mash_store_t *s, sqlite3_stmt *q, mash_person_row_t *row) {
  memset(row, 0, sizeof *row);
  s_format_id(row->person_id, 'P', sqlite3_column_int64(q, 0));
  row->is_child = sqlite3_column_int(q, 1);
  const uint8_t *b = sqlite3_column_blob(q, 2);
  int n = sqlite3_column_bytes(q, 2);
  if (b == NULL || n <= 0) {
    return -EBADMSG; /* the column is NOT NULL: a record is never empty */
  }
  return mash_seal_ctx_decrypt(store_sqlite_per(s)->ctx, b, (size_t)n,
                               (const uint8_t *)row->person_id, strlen(row->person_id),
                               &row->record, &row->len);
}

/* Hand each row (columns id, is_child and, when with_record, record) to cb.
 * Returns 0, 1 when cb stopped, or a negative error. */
static int s_visit(mash_store_t *s, sqlite3_stmt *q, bool with_record, mash_store_person_cb cb,
                   void *arg) {
  int rc, out = 0;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    mash_person_row_t row;
    if (with_record) {
      out = s_person_row(s, q, &row);
    } else {
      memset(&row, 0, sizeof row);
      s_format_id(row.person_id, 'P', sqlite3_column_int64(q, 0));
      row.is_child = sqlite3_column_int(q, 1);
    }
    if (out == 0 && cb(&row, arg) != 0) {
      out = 1;
    }
    free(row.record);
    if (out != 0) {
      break;
    }
  }
  if (out == 0 && rc != SQLITE_ROW) {
    out = store_sqlite_errno(rc);
  }
  store_sql_done(q);
  return out;
}

static int s_visit_persons(mash_store_t *s, sqlite3_stmt *q, mash_store_person_cb cb, void *arg) {
  return s_visit(s, q, true, cb, arg);
}

/* ---- persons ---- */

/* Bind ids[0..n) to q's LIVE_CHUNK places (unused places hold 0, no one's
 * id), skipping those whose summary was found. */
static void s_bind_chunk(sqlite3_stmt *q, const int64_t *ids, size_t n, const bool *skip) {
  size_t place = 0;
  for (size_t j = 0; j < n; j++) {
    if (skip == NULL || !skip[j]) {
      sqlite3_bind_int64(q, (int)++place, ids[j]);
    }
  }
  while (place < LIVE_CHUNK) {
    sqlite3_bind_int64(q, (int)++place, 0);
  }
}

/* One chunk of a look-up's people (ids sorted): their summaries in one
 * statement, opened; the records of those without one in another; both
 * handed on in id order. 0, 1 when the callback stopped, or an error. */
static int s_find_chunk(mash_store_t *s, const int64_t *ids, size_t n, store_logic_sums_t *sums) {
  store_logic_sums_reset(sums);
  bool found[LIVE_CHUNK];
  size_t missing = 0;
  int rc = SQLITE_DONE, out = store_logic_sums_cached(sums, ids, n, found, &missing);
  if (out == 0 && missing > 0) {
    sqlite3_stmt *q = s_q(s, P_SUMS);
    s_bind_chunk(q, ids, n, found);
    while (out == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
      int len = sqlite3_column_bytes(q, 2);
      out = store_logic_sums_add(sums, store_sqlite_per(s)->ctx, sqlite3_column_int64(q, 0),
                                 sqlite3_column_int(q, 1), sqlite3_column_blob(q, 2),
                                 len > 0 ? (size_t)len : 0);
    }
    out = out == 0 && rc != SQLITE_DONE ? store_sqlite_errno(rc) : out;
    store_sql_done(q);
    store_logic_sums_sort(sums);
  }
  if (out == 0 && missing > 0 && store_logic_sums_mark(sums, ids, n, found) > 0) {
    /* Records without a summary (a store from before them, a record put
     * since), merged into the summaries' order. */
    sqlite3_stmt *q = s_q(s, P_LIVE);
    s_bind_chunk(q, ids, n, found);
    out = s_visit_persons(s, q, store_logic_sums_record_cb, sums);
  }
  return out ? out : store_logic_sums_emit(sums, INT64_MAX);
}

int store_per_summarise(mash_store_t *s, const char *person_id, const uint8_t *summary,
                        size_t len) {
  int64_t id = 0;
  uint8_t *sealed = NULL;
  size_t sealed_len = 0;
  int rc = store_logic_summary_seal(store_sqlite_per(s)->ctx, person_id, summary, len, &id, &sealed,
                                    &sealed_len);
  if (rc != 0) {
    return rc;
  }
  sqlite3_stmt *q = s_q_id(s, P_SUM_PUT, id);
  sqlite3_bind_blob(q, 2, sealed, (int)sealed_len, SQLITE_STATIC);
  rc = store_sql_exec(q);
  free(sealed);
  /* Read back when next looked up (with its row's is_child), and forgotten
   * again if this transaction is undone. */
  store_sumcache_written(store_sqlite_per(s)->cache, id);
  return rc == 0 && sqlite3_changes(store_sqlite_per(s)->db) == 0 ? -ENOENT : rc;
}

/* The people under one key (store_logic_person_find): reading stops past
 * one more than a key too common holds. */
static int s_key_people(mash_store_t *s, const uint8_t blind[KEY_BYTES], int64_t *ids, size_t cap,
                        size_t *rows) {
  sqlite3_stmt *q = s_q(s, P_KEY_PEOPLE);
  sqlite3_bind_blob(q, 1, blind, KEY_BYTES, SQLITE_STATIC);
  int src;
  while ((src = sqlite3_step(q)) == SQLITE_ROW) {
    if (++*rows > STORE_LOGIC_KEY_TOO_COMMON) {
      break;
    }
    if (*rows <= cap) {
      ids[*rows - 1] = sqlite3_column_int64(q, 0);
    }
  }
  store_sql_done(q);
  return src == SQLITE_ROW || src == SQLITE_DONE ? 0 : store_sqlite_errno(src);
}

int store_per_find(mash_store_t *s, const char *const *keys, size_t n, mash_store_person_cb cb,
                   void *arg) {
  int rc = s_cache_check(s);
  return rc ? rc
            : store_logic_person_find(s, store_sqlite_per(s)->ctx, store_sqlite_per(s)->cache, keys,
                                      n, cb, arg, s_key_people, s_find_chunk);
}

int store_per_get(mash_store_t *s, const char *person_id, mash_person_row_t *row) {
  int64_t id = store_logic_lookup(row, sizeof *row, person_id, 'P');
  if (id <= 0) {
    return -ENOENT;
  }
  sqlite3_stmt *q = s_q_id(s, P_GET_LIVE, id);
  int rc = sqlite3_step(q);
  if (rc == SQLITE_DONE) { /* merged: follow the chain */
    store_sql_done(q);
    q = s_q_id(s, P_GET, id);
    rc = sqlite3_step(q);
  }
  int out = rc == SQLITE_ROW    ? s_person_row(s, q, row)
            : rc == SQLITE_DONE ? -ENOENT
                                : store_sqlite_errno(rc);
  store_sql_done(q);
  return out;
}

/* A person put's statements (store_logic_person_put). */
static int s_next_person(mash_store_t *s, int64_t *id) {
  int rc = store_sql_int64(s_q(s, P_NEXT), id);
  /* The high-water mark: an id is never reused. */
  return rc ? rc : store_ids_next(store_sqlite_ids(s), STORE_IDS_PERSON, id);
}

static int s_seal_record(mash_store_t *s, const uint8_t *in, size_t len, const char *aad,
                         uint8_t **out, size_t *out_len) {
  return store_sql_seal_ctx(store_sqlite_per(s)->ctx, in, len, aad, out, out_len);
}

static int s_write_person(mash_store_t *s, bool create, int64_t id, int64_t at_ms, int is_child,
                          const uint8_t *addr, const uint8_t *sealed, size_t sealed_len,
                          int64_t *changed) {
  sqlite3_stmt *q = s_q(s, create ? P_INSERT : P_UPDATE);
  sqlite3_bind_int64(q, 1, id);
  sqlite3_bind_int64(q, 2, at_ms);
  sqlite3_bind_int(q, 3, is_child);
  if (addr != NULL) {
    sqlite3_bind_blob(q, 4, addr, KEY_BYTES, SQLITE_STATIC);
  }
  sqlite3_bind_blob(q, 5, sealed, (int)sealed_len, SQLITE_STATIC);
  int rc = store_sql_exec(q);
  *changed = sqlite3_changes(store_sqlite_per(s)->db);
  return rc;
}

static int s_summary_drop(mash_store_t *s, int64_t id) {
  store_sumcache_written(store_sqlite_per(s)->cache, id);
  return store_sql_exec(s_q_id(s, P_SUM_DROP, id));
}

int store_per_put(mash_store_t *s, char person_id[MASH_PERSON_ID_LEN], const uint8_t *record,
                  size_t len, int is_child, const char *address_key, int64_t at_ms) {
  static const store_logic_put_ops_t ops = {
      .next_id = s_next_person,
      .seal = s_seal_record,
      .write = s_write_person,
      .summary_drop = s_summary_drop,
  };
  return store_logic_person_put(s, store_sqlite_per(s)->ctx, person_id, record, len, is_child,
                                address_key, at_ms, &ops);
}

/* One key of a person (store_logic_add_keys). */
static int s_key_put(mash_store_t *s, const uint8_t blind[KEY_BYTES], int64_t id) {
  sqlite3_stmt *q = s_q(s, P_KEY);
  sqlite3_bind_blob(q, 1, blind, KEY_BYTES, SQLITE_STATIC);
  sqlite3_bind_int64(q, 2, id);
  return store_sql_exec(q);
}

int store_per_add_keys(mash_store_t *s, const char *person_id, const char *const *keys, size_t n) {
  return store_logic_add_keys(s, store_sqlite_per(s)->ctx, person_id, keys, n, s_key_put);
}

int store_per_link(mash_store_t *s, const char *contact_id, const char *ref, const char *person_id,
                   const char *decision, int confidence, const char *why, int64_t at_ms) {
  sqlite3_int64 id = store_row_parse_id(person_id, 'P');
  if (id <= 0 || contact_id == NULL || ref == NULL || decision == NULL) {
    return -EINVAL;
  }
  sqlite3_stmt *q = s_q(s, P_LINK);
  sqlite3_bind_text(q, 1, contact_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(q, 2, ref, -1, SQLITE_STATIC);
  sqlite3_bind_int64(q, 3, id);
  sqlite3_bind_text(q, 4, decision, -1, SQLITE_STATIC);
  sqlite3_bind_int(q, 5, confidence);
  sqlite3_bind_text(q, 6, why ? why : "", -1, SQLITE_STATIC);
  sqlite3_bind_int64(q, 7, at_ms);
  return store_sql_exec(q);
}

static int s_relate_ids(mash_store_t *s, sqlite3_int64 a, sqlite3_int64 b, int64_t at_ms) {
  if (a == b) {
    return 0;
  }
  sqlite3_stmt *q = s_q(s, P_RELATE);
  sqlite3_bind_int64(q, 1, a < b ? a : b);
  sqlite3_bind_int64(q, 2, a < b ? b : a);
  sqlite3_bind_int64(q, 3, at_ms);
  return store_sql_exec(q);
}

int store_per_relate(mash_store_t *s, const char *a, const char *b, int64_t at_ms) {
  int64_t ia = 0, ib = 0;
  int rc = store_logic_pair(a, b, &ia, &ib);
  return rc ? rc : s_relate_ids(s, ia, ib, at_ms);
}

int store_per_relatives(mash_store_t *s, const char *person_id, mash_store_person_cb cb,
                        void *arg) {
  int64_t id = 0;
  if (store_logic_person_cb(person_id, cb != NULL, &id) != 0) {
    return -EINVAL;
  }
  sqlite3_stmt *q = s_q_id(s, P_RELATIVES, id);
  int rc = s_visit(s, q, false, cb, arg);
  return rc > 0 ? 0 : rc;
}

int store_per_housemates(mash_store_t *s, const char *person_id, int64_t since_ms, size_t max,
                         mash_store_person_cb cb, void *arg) {
  int64_t id = 0;
  if (store_logic_person_cb(person_id, cb != NULL, &id) != 0) {
    return -EINVAL;
  }
  sqlite3_stmt *q = s_q_id(s, P_HOUSEMATES, id);
  sqlite3_bind_int64(q, 2, since_ms);
  sqlite3_bind_int64(q, 3, (sqlite3_int64)max);
  int rc = s_visit(s, q, false, cb, arg);
  return rc > 0 ? 0 : rc;
}

int store_per_together(mash_store_t *s, const char *a, const char *b) {
  int64_t ia = 0, ib = 0;
  int rc = store_logic_pair(a, b, &ia, &ib);
  if (rc != 0) {
    return rc;
  }
  sqlite3_stmt *q = s_q_id(s, P_TOGETHER, ia);
  sqlite3_bind_int64(q, 2, ib);
  rc = sqlite3_step(q);
  int out = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : store_sqlite_errno(rc);
  store_sql_done(q);
  return out;
}

int store_per_contacts(mash_store_t *s, const char *person_id, int64_t since_ms, int64_t until_ms,
                       size_t max, mash_store_person_contact_cb cb, void *arg) {
  int64_t id = 0;
  if (store_logic_person_cb(person_id, cb != NULL, &id) != 0) {
    return -EINVAL;
  }
  sqlite3_stmt *q = s_q_id(s, P_CONTACTS, id);
  sqlite3_bind_int64(q, 2, since_ms);
  sqlite3_bind_int64(q, 3, until_ms);
  sqlite3_bind_int64(q, 4, (sqlite3_int64)max);
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    mash_person_contact_t c;
    memset(&c, 0, sizeof c);
    store_sql_text(q, 0, c.contact_id, sizeof c.contact_id);
    store_sql_text(q, 1, c.principal, sizeof c.principal);
    c.received_at_ms = sqlite3_column_int64(q, 2);
    c.concern_category = sqlite3_column_int(q, 3);
    c.domestic_abuse = sqlite3_column_int(q, 4);
    c.red_flag = sqlite3_column_int(q, 5);
    store_sql_text(q, 6, c.ref, sizeof c.ref);
    c.occurred_at_ms = sqlite3_column_int64(q, 7);
    snprintf(c.person_id, sizeof c.person_id, "%s", person_id);
    if (cb(&c, arg) != 0) {
      break;
    }
  }
  int out = rc == SQLITE_ROW ? 0 : store_sqlite_errno(rc);
  store_sql_done(q);
  return out;
}

int store_per_merge(mash_store_t *s, const char *from, const char *into, const char *note,
                    int64_t at_ms) {
  int64_t f = 0, t = 0;
  if (store_logic_pair(from, into, &f, &t) != 0 || f == t) {
    return -EINVAL;
  }
  sqlite3_stmt *q = s_q_id(s, P_MERGE_MARK, f);
  sqlite3_bind_int64(q, 2, t);
  sqlite3_bind_int64(q, 3, at_ms);
  int rc = store_sql_exec(q);
  if (rc == 0 && sqlite3_changes(store_sqlite_per(s)->db) == 0) {
    return -ENOENT;
  }
  rc = rc ? rc : s_summary_drop(s, f);
  q = s_q(s, P_MERGE_LINKS);
  sqlite3_bind_int64(q, 1, f);
  sqlite3_bind_int64(q, 2, t);
  sqlite3_bind_text(q, 3, note ? note : "", -1, SQLITE_STATIC);
  rc = rc ? rc : store_sql_exec(q);
  static const int by_from_into[] = {P_MERGE_KEYS_COPY, P_MERGE_MATCHES};
  for (size_t i = 0; rc == 0 && i < sizeof by_from_into / sizeof by_from_into[0]; i++) {
    q = s_q(s, by_from_into[i]);
    sqlite3_bind_int64(q, 1, f);
    sqlite3_bind_int64(q, 2, t);
    rc = store_sql_exec(q);
  }
  if (rc == 0) {
    q = s_q(s, P_MERGE_KEYS_DROP);
    sqlite3_bind_int64(q, 1, f);
    rc = store_sql_exec(q);
  }
  /* Relations: copied to into (none of into with itself), then dropped. */
  static const int rel[] = {P_MERGE_REL_COPY_A, P_MERGE_REL_COPY_B, P_MERGE_REL_DROP};
  for (size_t i = 0; rc == 0 && i < sizeof rel / sizeof rel[0]; i++) {
    q = s_q(s, rel[i]);
    sqlite3_bind_int64(q, 1, f);
    if (rel[i] != P_MERGE_REL_DROP) {
      sqlite3_bind_int64(q, 2, t);
    }
    rc = store_sql_exec(q);
  }
  return rc;
}

/* ---- possible matches ---- */

/* A possible match's statements (store_logic_match_insert). */
static int s_next_match(mash_store_t *s, int64_t *id) {
  int rc = store_sql_int64(s_q(s, P_MATCH_NEXT), id);
  /* The high-water mark: an id is never reused. */
  return rc ? rc : store_ids_next(store_sqlite_ids(s), STORE_IDS_MATCH, id);
}

static int s_insert_match(mash_store_t *s, const store_logic_match_t *row) {
  sqlite3_stmt *q = s_q(s, P_MATCH_INSERT);
  sqlite3_bind_int64(q, 1, row->id);
  sqlite3_bind_text(q, 2, row->m->contact_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(q, 3, row->m->ref, -1, SQLITE_STATIC);
  sqlite3_bind_int64(q, 4, row->person);
  sqlite3_bind_int64(q, 5, row->candidate);
  sqlite3_bind_int(q, 6, row->m->confidence);
  sqlite3_bind_text(q, 7, row->why, -1, SQLITE_STATIC);
  sqlite3_bind_int64(q, 8, row->at_ms);
  return store_sql_exec(q);
}

int store_per_match_insert(mash_store_t *s, const mash_match_row_t *m, const char *why,
                           int64_t at_ms, char match_id[MASH_PERSON_ID_LEN]) {
  return store_logic_match_insert(s, m, why, at_ms, match_id, s_next_match, s_insert_match);
}

int store_per_match_get(mash_store_t *s, const char *match_id, mash_match_row_t *row) {
  int64_t id = store_logic_lookup(row, sizeof *row, match_id, 'M');
  if (id <= 0) {
    return -ENOENT;
  }
  sqlite3_stmt *q = s_q_id(s, P_MATCH_GET, id);
  int rc = sqlite3_step(q);
  int out = 0;
  if (rc == SQLITE_ROW) {
    s_format_id(row->match_id, 'M', sqlite3_column_int64(q, 0));
    store_sql_text(q, 1, row->contact_id, sizeof row->contact_id);
    store_sql_text(q, 2, row->ref, sizeof row->ref);
    s_format_id(row->person_id, 'P', sqlite3_column_int64(q, 3));
    s_format_id(row->candidate_id, 'P', sqlite3_column_int64(q, 4));
    row->confidence = sqlite3_column_int(q, 5);
    row->state = sqlite3_column_int(q, 6);
  } else {
    out = rc == SQLITE_DONE ? -ENOENT : store_sqlite_errno(rc);
  }
  store_sql_done(q);
  return out;
}

static int s_seal(mash_store_t *s, const uint8_t *in, size_t len, const char *aad, uint8_t **out,
                  size_t *out_len) {
  return store_sql_seal(store_sqlite_per(s)->seal, in, len, aad, out, out_len);
}

int store_per_match_decide(mash_store_t *s, const char *match_id, int state, const char *by,
                           const uint8_t *decision, size_t len, int64_t at_ms) {
  int64_t id = 0;
  uint8_t *sealed = NULL;
  size_t sealed_len = 0;
  int rc =
      store_logic_decision(s, s_seal, match_id, state, decision, len, &id, &sealed, &sealed_len);
  if (rc != 0) {
    return rc;
  }
  sqlite3_stmt *q = s_q(s, P_MATCH_DECIDE);
  sqlite3_bind_int64(q, 1, id);
  sqlite3_bind_int(q, 2, state);
  sqlite3_bind_int64(q, 3, at_ms);
  sqlite3_bind_text(q, 4, by ? by : "", -1, SQLITE_STATIC);
  if (sealed != NULL) {
    sqlite3_bind_blob(q, 5, sealed, (int)sealed_len, SQLITE_STATIC);
  }
  rc = store_sql_exec(q);
  free(sealed);
  if (rc == 0 && sqlite3_changes(store_sqlite_per(s)->db) == 0) {
    return -EALREADY;
  }
  return rc;
}

/* ---- clusters ---- */

int store_per_pending(mash_store_t *s, const char *person_id, mash_store_pending_cb cb, void *arg) {
  sqlite3_int64 id = store_row_parse_id(person_id, 'P');
  if (id <= 0) {
    return 0;
  }
  sqlite3_stmt *q = s_q(s, P_PENDING);
  sqlite3_bind_int64(q, 1, id);
  int rc;
  int out = 0;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    char other[MASH_PERSON_ID_LEN];
    s_format_id(other, 'P', sqlite3_column_int64(q, 0));
    if (cb(other, sqlite3_column_int(q, 1), arg) != 0) {
      break;
    }
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    out = store_sqlite_errno(rc);
  }
  store_sql_done(q);
  return out;
}

/* ---------------------------------------------------------------- term counts */

/* One name's count (store_logic_term_counts): left as it is without a row. */
static int s_term_get(mash_store_t *s, const uint8_t blind[KEY_BYTES], int64_t *count) {
  sqlite3_stmt *q = s_q(s, P_TERM_GET);
  sqlite3_bind_blob(q, 1, blind, KEY_BYTES, SQLITE_STATIC);
  int rc = sqlite3_step(q);
  if (rc == SQLITE_ROW) {
    *count = sqlite3_column_int64(q, 0);
  }
  store_sql_done(q);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_sqlite_errno(rc);
}

int store_per_term_counts(mash_store_t *s, const char *const *keys, size_t n, int64_t *counts) {
  return store_logic_term_counts(s, store_sqlite_per(s)->ctx, keys, n, counts, s_term_get);
}

/* One name's count moved by delta (store_logic_term_add). */
static int s_term_add(mash_store_t *s, const uint8_t blind[KEY_BYTES], int delta) {
  sqlite3_stmt *q = s_q(s, P_TERM_ADD);
  sqlite3_bind_blob(q, 1, blind, KEY_BYTES, SQLITE_STATIC);
  sqlite3_bind_int(q, 2, delta);
  return store_sql_exec(q);
}

int store_per_term_add(mash_store_t *s, const char *const *keys, size_t n, int delta) {
  return store_logic_term_add(s, store_sqlite_per(s)->ctx, keys, n, delta, s_term_add);
}

/* ---------------------------------------------------------------- the whole index */

int store_per_each(mash_store_t *s, const char *after_id, size_t max, mash_store_person_cb cb,
                   void *arg) {
  if (cb == NULL) {
    return -EINVAL;
  }
  sqlite3_int64 after =
      after_id != NULL && after_id[0] != '\0' ? store_row_parse_id(after_id, 'P') : 0;
  sqlite3_stmt *q = s_q(s, P_EACH);
  sqlite3_bind_int64(q, 1, after);
  sqlite3_bind_int64(q, 2, (sqlite3_int64)max);
  return s_visit_persons(s, q, cb, arg);
}
