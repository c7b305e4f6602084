/* test_seal_key: a fresh data key for a unit test, made in a temporary
 * folder and removed from disk at once (the mash_seal_t keeps it in
 * memory). NULL when it cannot be made. Include after <cmocka.h>. */
#ifndef MASH_TEST_SEAL_KEY_H
#define MASH_TEST_SEAL_KEY_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "seal.h"

static inline mash_seal_t *test_seal_key_new(void) {
  char dir[] = "/tmp/mash-test-key.XXXXXX";
  if (mkdtemp(dir) == NULL) {
    return NULL;
  }
  char path[64], err[256];
  snprintf(path, sizeof path, "%s/data.key", dir);
  mash_seal_t *s = mash_seal_new(path, 1, err, sizeof err);
  unlink(path);
  rmdir(dir);
  return s;
}

#endif
