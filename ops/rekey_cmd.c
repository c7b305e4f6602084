/* rekey_cmd: `mashctl rekey NEW-KEY`, data-key rotation of a stopped
 * broker's store. Responsible for: the order of the steps, which is what
 * makes it crash-safe:
 *   1. the current key must open the store (checked blob by blob in 3);
 *   2. the new key file is written and fsynced first (O_EXCL, 0600), or,
 *      when it exists from an interrupted run, reused if neither its data
 *      key nor its blind-index key is the current key's;
 *   3. every sealed blob is re-sealed, and every blind index made again
 *      under the new key from the records it indexes (resolve_reindex.c),
 *      in one transaction (mash_store_sqlite_rekey, or
 *      mash_store_postgres_rekey for a store_url): before its
 *      commit the store is under the old key, after it under the new one,
 *      with nothing in between;
 *   4. only then does the operator point mashd at the new key and destroy
 *      the old one.
 * Must not: delete or overwrite a key file, print key bytes. */
#include "rekey_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "resolve.h"
#include "seal.h"
#include "store.h"

int mashctl_rekey(const char *data_dir, const char *store_url, const char *key_path,
                  const char *new_path) {
  char db[1100], err[2048];
  int pg = store_url && store_url[0];
  /* Named in messages: the file, or "the PostgreSQL store" (a connection
   * string may carry a password: never printed). */
  snprintf(db, sizeof db, pg ? "the PostgreSQL store" : "%s/mashd.db", data_dir);
  if (!pg && access(db, F_OK) != 0) {
    fprintf(stderr, "mashctl rekey: %s: %s\n", db, strerror(errno));
    return 1;
  }
  if (strcmp(key_path, new_path) == 0) {
    fprintf(stderr, "mashctl rekey: the new key must be written to another file than %s\n",
            key_path);
    return 2;
  }
  int rc = 1;
  mash_seal_t *fresh = NULL;
  mash_seal_t *old = mash_seal_new(key_path, 0, err, sizeof err);
  if (!old) {
    fprintf(stderr, "mashctl rekey: current data key: %s\n", err);
    return 1;
  }
  int resumed = access(new_path, F_OK) == 0;
  /* A fresh key: its blind-index key is derived from it, not carried over. */
  fresh = mash_seal_new(new_path, 1, err, sizeof err);
  if (!fresh) {
    fprintf(stderr, "mashctl rekey: new data key: %s\n", err);
    goto out;
  }
  if (!mash_seal_distinct(old, fresh)) {
    fprintf(stderr,
            "mashctl rekey: %s holds (part of) the current key %s; give a path that does not "
            "exist yet\n",
            new_path, key_path);
    goto out;
  }
  mash_store_reindex_t reindex;
  mash_resolve_reindex_init(&reindex);
  size_t n = 0;
  int r = pg ? mash_store_postgres_rekey(store_url, old, fresh, &reindex, &n, err, sizeof err)
             : mash_store_sqlite_rekey(db, old, fresh, &reindex, &n, err, sizeof err);
  if (r != 0) {
    fprintf(stderr, "mashctl rekey: %s\n", err);
    fprintf(stderr,
            "mashctl rekey: the store is still sealed with %s; %s is kept, so run the "
            "same command again once the cause is fixed\n",
            key_path, new_path);
    goto out;
  }
  printf("re-sealed %zu blob(s) of %s and made every blind index again under %s%s.\n"
         "Now start mashd with --data-key %s (or data_key = in its [mashd] section), then "
         "destroy %s: it no longer opens the store.\n",
         n, db, new_path, resumed ? " (an interrupted rotation resumed)" : "", new_path, key_path);
  rc = 0;
out:
  mash_seal_destroy(&fresh);
  mash_seal_destroy(&old);
  return rc;
}
