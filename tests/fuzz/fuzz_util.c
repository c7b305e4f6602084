/* fuzz_util: the scratch folder and checks of the fuzz targets. See
 * fuzz_util.h. Runs on libFuzzer's one thread. */
#include "fuzz_util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_MAX_NAMES 8

static char s_dir[256];
static char s_names[S_MAX_NAMES][64];
static size_t s_name_count;

static void s_cleanup(void) {
  for (size_t i = 0; i < s_name_count; i++) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", s_dir, s_names[i]);
    unlink(p);
  }
  rmdir(s_dir);
}

const char *fuzz_dir(void) {
  if (s_dir[0] != '\0') {
    return s_dir;
  }
  struct stat st;
  const char *base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : NULL;
  if (!base) {
    base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  }
  snprintf(s_dir, sizeof s_dir, "%s/mash-fuzz-XXXXXX", base);
  if (!mkdtemp(s_dir)) {
    fprintf(stderr, "fuzz: cannot make a scratch folder in %s: %s\n", base, strerror(errno));
    abort();
  }
  atexit(s_cleanup);
  return s_dir;
}

const char *fuzz_path(const char *name, char *out, size_t cap) {
  size_t i = 0;
  while (i < s_name_count && strcmp(s_names[i], name) != 0) {
    i++;
  }
  if (i == s_name_count) {
    if (s_name_count == S_MAX_NAMES || strlen(name) >= sizeof s_names[0]) {
      fprintf(stderr, "fuzz: too many scratch files, or a name too long: %s\n", name);
      abort();
    }
    snprintf(s_names[s_name_count++], sizeof s_names[0], "%s", name);
  }
  snprintf(out, cap, "%s/%s", fuzz_dir(), name);
  return out;
}

void fuzz_write(const char *path, const uint8_t *data, size_t len) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    fprintf(stderr, "fuzz: %s: %s\n", path, strerror(errno));
    abort();
  }
  size_t done = 0;
  while (done < len) {
    ssize_t w = write(fd, data + done, len - done);
    if (w < 0 && errno == EINTR) {
      continue;
    }
    if (w <= 0) {
      fprintf(stderr, "fuzz: write %s: %s\n", path, strerror(errno));
      abort();
    }
    done += (size_t)w;
  }
  close(fd);
}

void fuzz_remove(const char *path) {
  unlink(path);
}

void fuzz_check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "fuzz: property failed: %s\n", what);
    abort();
  }
}
