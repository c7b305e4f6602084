/* agency_file: reads a whole file of bounded size. See agency_file.h. */
#include "agency_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int agency_read_file(const char *path, size_t max, bool no_follow, char **out, size_t *out_len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | (no_follow ? O_NOFOLLOW : 0));
  if (fd < 0) {
    return -errno;
  }
  int rc = 0;
  char *buf = NULL;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    rc = -errno;
    goto out;
  }
  if (!S_ISREG(st.st_mode)) {
    rc = -EINVAL;
    goto out;
  }
  if (st.st_size < 0 || (uint64_t)st.st_size > max) {
    rc = -EFBIG;
    goto out;
  }
  /* One byte more than the size, to notice a file that grew meanwhile; one
   * more for the NUL. */
  size_t cap = (size_t)st.st_size + 1;
  buf = malloc(cap + 1);
  if (buf == NULL) {
    rc = -ENOMEM;
    goto out;
  }
  size_t len = 0;
  while (len < cap) {
    ssize_t n = read(fd, buf + len, cap - len);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      rc = -errno;
      goto out;
    }
    if (n == 0) {
      break;
    }
    len += (size_t)n;
  }
  if (len == cap) {
    rc = -EFBIG;
    goto out;
  }
  buf[len] = '\0';
  *out = buf;
  *out_len = len;
  buf = NULL;
out:
  free(buf);
  close(fd);
  return rc;
}
