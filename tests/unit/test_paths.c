/* test_paths: whole writes (mash_write_all) and whole replacements
 * (mash_file_replace) against real files in a temporary folder. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "paths.h"
#include "test_dir.h"

static int setup(void **state) {
  static char dir[64];
  snprintf(dir, sizeof dir, "/tmp/mash-paths-XXXXXX");
  if (mkdtemp(dir) == NULL) {
    return -1;
  }
  *state = dir;
  return 0;
}

static int teardown(void **state) {
  return test_dir_remove(*state);
}

/* Bytes written whole come back the same; a write to a closed descriptor
 * is the system's error. */
static void test_write_all(void **state) {
  const char *dir = *state;
  char path[128];
  snprintf(path, sizeof path, "%s/blob", dir);
  size_t len = 300000;
  uint8_t *data = malloc(len), *back = malloc(len + 1);
  assert_non_null(data);
  assert_non_null(back);
  for (size_t i = 0; i < len; i++) {
    data[i] = (uint8_t)(i * 7 + 3);
  }
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  assert_true(fd >= 0);
  assert_int_equal(mash_write_all(fd, data, len), 0);
  assert_int_equal(mash_write_all(fd, data, 0), 0);
  assert_int_equal(close(fd), 0);
  fd = open(path, O_RDONLY);
  assert_true(fd >= 0);
  size_t got = 0;
  ssize_t n;
  while ((n = read(fd, back + got, len + 1 - got)) > 0) {
    got += (size_t)n;
  }
  close(fd);
  assert_int_equal(got, len);
  assert_memory_equal(back, data, len);
  assert_int_equal(mash_write_all(fd, data, 1), -EBADF);
  free(data);
  free(back);
}

/* A replaced file holds the new text, with the mode asked for, and no
 * temporary file is left beside it. */
static void test_replace(void **state) {
  const char *dir = *state;
  char err[256] = "", path[128], tmp[128], buf[64] = "";
  assert_int_equal(mash_file_replace(dir, "f", "old\n", 0600, err, sizeof err), 0);
  assert_int_equal(mash_file_replace(dir, "f", "new text\n", 0640, err, sizeof err), 0);
  snprintf(path, sizeof path, "%s/f", dir);
  snprintf(tmp, sizeof tmp, "%s/.f.tmp", dir);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  assert_non_null(fgets(buf, sizeof buf, f));
  fclose(f);
  assert_string_equal(buf, "new text\n");
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0640);
  assert_int_not_equal(access(tmp, F_OK), 0);
  char missing[160];
  snprintf(missing, sizeof missing, "%s/no/such/folder", dir);
  assert_int_equal(mash_file_replace(missing, "f", "x", 0600, err, sizeof err), -1);
  assert_non_null(strstr(err, "cannot create"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_write_all, setup, teardown),
      cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
