/* store_sqlite_warm: the SQLite store's warm-up of the person index
 * (mash_store_person_warm).
 *
 * Responsible for: reading, once and in order, the tables a person look-up
 * reads at random (the comparison summaries, the keys' b-tree, the term
 * counts), so that the pages are mapped into this connection's memory map
 * and in the operating system's cache before the first look-up: at
 * 1,000,000 people a look-up touches a few hundred scattered pages, and
 * faulting each in made the first pass over the index after a start half
 * again as dear as the next. Must not: write anything, or run on any thread
 * but the store's (the storage thread in mashd).
 */
#include <errno.h>

#include "store_sqlite_int.h"

/* Each returns the bytes it read; NOT INDEXED makes the keys' scan walk
 * the table's own b-tree (the one a look-up seeks), not its smaller index
 * by person. */
static const char *const WARM[] = {
    "SELECT COALESCE(SUM(LENGTH(summary)), 0) FROM person_summaries",
    "SELECT COALESCE(SUM(LENGTH(key)) + 8 * COUNT(*), 0) FROM person_keys NOT INDEXED",
    "SELECT COALESCE(SUM(LENGTH(key)) + 8 * COUNT(*), 0) FROM person_terms",
};

int store_sqlite_person_warm(mash_store_t *s, int64_t *bytes) {
  int64_t total = 0;
  for (size_t i = 0; i < sizeof WARM / sizeof WARM[0]; i++) {
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(store_sqlite_db(s), WARM[i], -1, &q, NULL);
    if (rc == SQLITE_OK) {
      rc = sqlite3_step(q);
    }
    if (rc == SQLITE_ROW) {
      total += sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW) {
      return store_sqlite_errno(rc) ? store_sqlite_errno(rc) : -EIO;
    }
  }
  if (bytes != NULL) {
    *bytes = total;
  }
  return 0;
}
