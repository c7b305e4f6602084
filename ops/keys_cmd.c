/* keys_cmd: `mashctl keys list | revoke NAME | add FILE`, the trust list
 * from the shell. Responsible for: the command's words, output and exit
 * codes (0 done, 1 refused, 2 usage). Must not: print secret keys, or write
 * anything but through keys.h (mash_trust_revoke, mash_trust_add), which
 * checks what it writes. mashd notices the change of the folder and reloads
 * it (or on SIGHUP). */
#include "keys_cmd.h"

#include <stdio.h>
#include <string.h>

#include "keys.h"

static int s_list(const char *dir) {
  char err[2048];
  mash_trust_t *t = mash_trust_load(dir, err, sizeof err);
  if (!t) {
    fprintf(stderr, "mashctl keys: %s\n", err);
    return 1;
  }
  printf("%-24s %-8s %-16s %-12s %s\n", "PRINCIPAL", "ROLE", "AGENCY", "KEY", "STATE");
  for (size_t i = 0; i < mash_trust_count(t); i++) {
    const mash_key_t *k = mash_trust_at(t, i);
    printf("%-24s %-8s %-16s %.8s...  trusted\n", k->principal, k->role,
           strcmp(k->role, "agency") == 0 ? k->agency : "-", k->public_key);
  }
  for (size_t i = 0; i < mash_trust_revoked_count(t); i++) {
    const mash_revoked_t *r = mash_trust_revoked_at(t, i);
    printf("%-24s %-8s %-16s %.8s...  revoked %s\n", r->principal, "-", "-", r->public_key, r->at);
  }
  printf("%zu trusted, %zu revoked (%s)\n", mash_trust_count(t), mash_trust_revoked_count(t), dir);
  mash_trust_destroy(&t);
  return 0;
}

int mashctl_keys(const char *dir, int argc, char **argv) {
  char err[2048];
  const char *sub = argc > 0 ? argv[0] : NULL;
  if (sub && strcmp(sub, "list") == 0 && argc == 1) {
    return s_list(dir);
  }
  if (sub && strcmp(sub, "revoke") == 0 && argc == 2) {
    if (mash_trust_revoke(dir, argv[1], err, sizeof err) != 0) {
      fprintf(stderr, "mashctl keys revoke: %s\n", err);
      return 1;
    }
    printf("revoked the key of %s: mashd refuses it from its next message (it reloads %s on "
           "change; SIGHUP makes sure)\n",
           argv[1], dir);
    return 0;
  }
  if (sub && strcmp(sub, "add") == 0 && argc == 2) {
    mash_key_t k;
    if (mash_trust_add(dir, argv[1], &k, err, sizeof err) != 0) {
      fprintf(stderr, "mashctl keys add: %s\n", err);
      return 1;
    }
    printf("trusted %s (%s) with key %.8s... as %s/%s.pub\n", k.principal, k.role, k.public_key,
           dir, k.principal);
    return 0;
  }
  fprintf(stderr, "mashctl keys: say 'keys list', 'keys revoke NAME' or 'keys add FILE.pub' "
                  "(mashctl --help)\n");
  return 2;
}
