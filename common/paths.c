/* paths: folder creation shared by mashd and the agents. Must not: change
 * the mode of folders that exist already. */
#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int mash_mkdir_p(const char *dir, char *err, size_t errlen) {
  char path[1024];
  if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
    snprintf(err, errlen, "folder name too long: %.64s...", dir);
    return -1;
  }
  for (char *p = path + 1; *p; p++) {
    if (*p == '/') {
      *p = '\0';
      mkdir(path, 0700); /* parents: an error shows at the last step */
      *p = '/';
    }
  }
  if (mkdir(path, 0700) != 0 && errno != EEXIST) {
    snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
    return -1;
  }
  return 0;
}
