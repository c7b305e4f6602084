/* store_pg_absent: mash_store_postgres_new and mash_pg_active_acquire in a
 * build without libpq: say so, so that `store = postgresql` fails clearly
 * at start-up.
 *
 * Responsible for: that one message. Must not: pretend to open anything.
 */
#include <stdio.h>

#include "store.h"

mash_store_t *mash_store_postgres_new(const char *conninfo, const mash_seal_t *seal, char *err,
                                      size_t errlen) {
  (void)conninfo;
  (void)seal;
  if (err && errlen > 0) {
    snprintf(err, errlen,
             "this mashd was built without PostgreSQL (install libpq-dev and "
             "rebuild: scripts/setup)");
  }
  return NULL;
}

mash_store_t *mash_store_postgres_open_readonly(const char *conninfo, char *err, size_t errlen) {
  return mash_store_postgres_new(conninfo, NULL, err, errlen);
}

mash_pg_active_t *mash_pg_active_acquire(const char *conninfo, unsigned watch_ms,
                                         mash_pg_active_lost_cb lost, void *arg, char *err,
                                         size_t errlen) {
  (void)conninfo;
  (void)watch_ms;
  (void)lost;
  (void)arg;
  if (err && errlen > 0) {
    snprintf(err, errlen, "this mashd was built without PostgreSQL");
  }
  return NULL;
}

void mash_pg_active_release(mash_pg_active_t **self_p) {
  (void)self_p;
}
