/* trust_admin: changing a trust folder from the shell (mashctl keys):
 * revoking a principal's key and adding a public key file.
 *
 * Responsible for: the checks an operator would otherwise have to remember
 * (a secret key is never copied in, a revoked key never comes back, one
 * trusted key per principal) and crash-safe writes (temporary file, fsync,
 * rename, fsync of the folder). Must not: print or copy secret keys, or
 * remove anything: a revoked key's .pub may stay, the revocation list wins.
 * Any thread; one writer per folder at a time (it is an operator's tool).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "keys.h"
#include "paths.h"

int mash_trust_revoke(const char *dir, const char *principal, char *err, size_t errlen) {
  mash_trust_t *t = mash_trust_load(dir, err, errlen);
  if (!t) {
    return -1;
  }
  int rc = -1;
  char *text = NULL;
  const mash_key_t *k = mash_trust_find_principal(t, principal);
  if (!k) {
    int was = 0;
    for (size_t i = 0; i < mash_trust_revoked_count(t); i++) {
      was |= strcmp(mash_trust_revoked_at(t, i)->principal, principal) == 0;
    }
    snprintf(err, errlen, "%s: no trusted key named '%s'%s (mashctl keys list)", dir, principal,
             was ? ": its key is already revoked" : "");
    goto out;
  }
  size_t n = mash_trust_revoked_count(t);
  size_t cap = 256 + (n + 1) * 160;
  text = malloc(cap);
  if (!text) {
    snprintf(err, errlen, "out of memory");
    goto out;
  }
  size_t used = (size_t)snprintf(text, cap,
                                 "# mash revoked keys: refused by mashd even when their .pub "
                                 "file is in this folder.\n"
                                 "# PUBLIC-KEY PRINCIPAL REVOKED-AT (UTC); keep mode 0600.\n");
  for (size_t i = 0; i < n; i++) {
    const mash_revoked_t *r = mash_trust_revoked_at(t, i);
    used += (size_t)snprintf(text + used, cap - used, "%s %s %s\n", r->public_key, r->principal,
                             r->at[0] ? r->at : "-");
  }
  char at[32];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
  snprintf(text + used, cap - used, "%s %s %s\n", k->public_key, k->principal, at);
  rc = mash_file_replace(dir, MASH_TRUST_REVOKED_FILE, text, 0600, err, errlen);
out:
  free(text);
  mash_trust_destroy(&t);
  return rc;
}

int mash_trust_add(const char *dir, const char *key_file, mash_key_t *added, char *err,
                   size_t errlen) {
  mash_key_t k;
  char why[1024];
  if (mash_key_load(key_file, &k, why, sizeof why) != 0) {
    snprintf(err, errlen, "refused: %s", why);
    return -1;
  }
  if (k.secret_key[0] != '\0') {
    memset(&k, 0, sizeof k);
    snprintf(err, errlen,
             "refused: %s holds a secret key; give the .pub file (a secret key never goes "
             "into the trust folder)",
             key_file);
    return -1;
  }
  if (strcmp(k.role, "broker") == 0) {
    snprintf(err, errlen, "refused: %s is a broker key; the trust list holds clients only",
             key_file);
    return -1;
  }
  mash_trust_t *t = mash_trust_load(dir, err, errlen);
  if (!t) {
    return -1;
  }
  int rc = -1;
  const mash_key_t *same = mash_trust_find_key(t, k.public_key);
  const mash_key_t *named = mash_trust_find_principal(t, k.principal);
  if (mash_trust_is_revoked(t, k.public_key)) {
    snprintf(err, errlen,
             "refused: the key in %s was revoked and never comes back; make a new one "
             "(mash-keygen %s --role %s)",
             key_file, k.principal, k.role);
  } else if (same) {
    snprintf(err, errlen, "refused: the key in %s is already trusted as '%s'", key_file,
             same->principal);
  } else if (named) {
    snprintf(err, errlen,
             "refused: '%s' already has a trusted key; revoke it first (mashctl keys revoke %s)",
             k.principal, k.principal);
  } else {
    char name[128], text[512];
    snprintf(name, sizeof name, "%s.pub", k.principal);
    int n = snprintf(text, sizeof text,
                     "# mash CURVE public key: share it; the broker trusts the folder it is "
                     "in.\nprincipal = %s\nrole = %s\n",
                     k.principal, k.role);
    if (strcmp(k.agency, k.principal) != 0) {
      n += snprintf(text + n, sizeof text - (size_t)n, "agency = %s\n", k.agency);
    }
    snprintf(text + n, sizeof text - (size_t)n, "public-key = %s\n", k.public_key);
    rc = mash_file_replace(dir, name, text, 0644, err, errlen);
    if (rc == 0 && added) {
      *added = k;
    }
  }
  mash_trust_destroy(&t);
  return rc;
}
