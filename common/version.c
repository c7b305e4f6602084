/* version: see version.h. */
#include "version.h"

#include <stdio.h>
#include <string.h>

#ifndef MASH_VERSION
#define MASH_VERSION "unknown"
#endif

const char *mash_version(void) {
  return MASH_VERSION;
}

int mash_version_check(int argc, char **argv, const char *prog) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      return 0;
    }
    if (strcmp(argv[i], "--version") == 0) {
      if (prog == NULL) {
        const char *slash = strrchr(argv[0], '/');
        prog = slash != NULL ? slash + 1 : argv[0];
      }
      printf("%s (mash) %s\n", prog, MASH_VERSION);
      return 1;
    }
  }
  return 0;
}
