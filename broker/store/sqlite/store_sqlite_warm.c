/* store_sqlite_warm: the SQLite store's warm-up of the person index
 * (mash_store_person_warm).
 *
 * Responsible for: reading, once and in order, the tables a person look-up
 * reads at random (the comparison summaries, the keys' b-tree, the term
 * counts), so that the pages are mapped into this connection's memory map
 * and in the operating system's cache before the first look-up: at
 * 1,000,000 people a look-up touches a few hundred scattered pages, and
 * faulting each in made the first pass over the index after a start half
 * again as dear as the next. The summaries read are opened into the
 * person slots' cache (store_sumcache.c), when there is one, so that the
 * first look-ups after a start find them there. Must not: write anything,
 * or run on any thread but the store's (the storage thread in mashd).
 */
#include <errno.h>
#include <stdlib.h>

#include <openssl/crypto.h>

#include "store_logic.h"
#include "store_sqlite_int.h"

/* Each returns the bytes it read; NOT INDEXED makes the keys' scan walk
 * the table's own b-tree (the one a look-up seeks), not its smaller index
 * by person. */
static const char *const WARM[] = {
    "SELECT COALESCE(SUM(LENGTH(summary)), 0) FROM person_summaries",
    "SELECT COALESCE(SUM(LENGTH(key)) + 8 * COUNT(*), 0) FROM person_keys NOT INDEXED",
    "SELECT COALESCE(SUM(LENGTH(key)) + 8 * COUNT(*), 0) FROM person_terms",
};

static int s_prepare(mash_store_t *s, const char *sql, sqlite3_stmt **q) {
  int rc = sqlite3_prepare_v2(store_sqlite_db(s), sql, -1, q, NULL);
  return rc == SQLITE_OK ? 0 : store_sqlite_errno(rc) ? store_sqlite_errno(rc) : -EIO;
}

/* Every summary opened into the cache, lowest row first; *bytes the sealed
 * bytes read. A summary that does not open is left to the look-up that
 * reads it (which reports it); so is one past the cache's bound. */
static int s_fill(mash_store_t *s, store_sumcache_t *cache, int64_t *bytes) {
  sqlite3_stmt *q = NULL;
  int64_t top = 0;
  int rc = s_prepare(s, "SELECT COALESCE(MAX(id), 0) FROM person_summaries", &q);
  rc = rc ? rc : store_sql_int64(q, &top);
  sqlite3_finalize(q);
  if (rc != 0) {
    return rc;
  }
  (void)store_sumcache_reserve(cache, top > 0 ? (size_t)top : 0); /* else it grows as it fills */
  rc = s_prepare(s, "SELECT id, is_child, summary FROM person_summaries", &q);
  int step = SQLITE_DONE;
  while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
    int64_t id = sqlite3_column_int64(q, 0);
    int len = sqlite3_column_bytes(q, 2);
    uint8_t *plain = NULL;
    size_t plen = 0;
    *bytes += len;
    if (store_logic_summary_open(store_per_ctx(s), id, sqlite3_column_blob(q, 2),
                                 len > 0 ? (size_t)len : 0, &plain, &plen) == 0) {
      store_sumcache_put(cache, id, sqlite3_column_int(q, 1), plain, plen);
      OPENSSL_cleanse(plain, plen);
      free(plain);
    }
  }
  sqlite3_finalize(q);
  return rc ? rc : step == SQLITE_DONE ? 0 : store_sqlite_errno(step);
}

int store_sqlite_person_warm(mash_store_t *s, int64_t *bytes) {
  int64_t total = 0;
  /* The summaries: opened into the cache as they are read, or only read. */
  store_sumcache_t *cache = store_per_cache(s);
  int rc = cache != NULL ? s_fill(s, cache, &total) : 0;
  for (size_t i = cache != NULL ? 1 : 0; rc == 0 && i < sizeof WARM / sizeof WARM[0]; i++) {
    sqlite3_stmt *q = NULL;
    int64_t read = 0;
    rc = s_prepare(s, WARM[i], &q);
    rc = rc ? rc : store_sql_int64(q, &read);
    sqlite3_finalize(q);
    total += read;
  }
  if (rc == 0 && bytes != NULL) {
    *bytes = total;
  }
  return rc;
}
