/* test_dir: removes a test's temporary folder and everything in it.
 *
 * Responsible for: leaving nothing behind in /tmp, whatever files the code
 * under test made there (a store's -wal, -shm and id mark, a log's head).
 * A fixture that listed the files it expected leaked its folder as soon as
 * the store made one more.
 * Must not: follow symbolic links out of the folder (lstat; a link is unlinked).
 */
#ifndef MASH_TEST_DIR_H
#define MASH_TEST_DIR_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* 0 when `dir` and everything below it are gone. */
static inline int test_dir_remove(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL) {
    return -1;
  }
  int rc = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
      continue;
    }
    char path[4096];
    struct stat st;
    int n = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (n < 0 || (size_t)n >= sizeof path || lstat(path, &st) != 0) {
      rc = -1;
    } else if (S_ISDIR(st.st_mode) ? test_dir_remove(path) != 0 : unlink(path) != 0) {
      rc = -1;
    }
  }
  closedir(d);
  return rmdir(dir) == 0 ? rc : -1;
}

#endif
