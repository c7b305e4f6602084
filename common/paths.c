/* paths: folder creation and whole writes shared by mashd, the agents and
 * the tools. Must not: change the mode of folders that exist already. Any
 * thread. */
#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

int mash_write_all(int fd, const void *buf, size_t len) {
  const char *b = buf;
  while (len > 0) {
    ssize_t w = write(fd, b, len);
    if (w < 0 && errno == EINTR) {
      continue;
    }
    if (w <= 0) {
      return w < 0 ? -errno : -EIO;
    }
    b += w;
    len -= (size_t)w;
  }
  return 0;
}

int mash_file_replace(const char *dir, const char *name, const char *text, unsigned mode, char *err,
                      size_t errlen) {
  char path[4096], tmp[4200];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, (mode_t)mode);
  if (fd < 0) {
    snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
    return -1;
  }
  int rc = fchmod(fd, (mode_t)mode); /* whatever the umask */
  int e = errno;
  if (rc == 0) {
    rc = mash_write_all(fd, text, strlen(text));
    e = -rc;
  }
  if (rc == 0) {
    rc = fsync(fd);
    e = errno;
  }
  if (close(fd) != 0 && rc == 0) {
    e = errno;
    rc = -1;
  }
  if (rc == 0 && rename(tmp, path) != 0) {
    e = errno;
    rc = -1;
  }
  if (rc != 0) {
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
    unlink(tmp);
    return -1;
  }
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd); /* the rename itself must survive a crash */
    close(dfd);
  }
  return 0;
}
