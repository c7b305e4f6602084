/* store_pg_absent: mash_store_postgres_new in a build without libpq: says
 * so, so that `store = postgresql` fails clearly at start-up.
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
