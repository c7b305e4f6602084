/* test_ops_auth: the console's users file and Basic credentials
 * (ops/auth.h): passwd writes a salted PBKDF2 line per user (replacing the
 * old one, keeping the others, mode 0600), checks accept only the right
 * password of a known user, a file others can read or a malformed line is
 * refused, and Basic headers are parsed strictly.
 * Must not: leave files behind (a temporary folder per test). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UNIT_TESTING 1
#include <cmocka.h>

#include "auth.h"

/* Few iterations keep the test quick; the default is checked separately. */
#define FAST 1000

typedef struct fixture {
  char dir[64];
  char path[128];
} fixture_t;

static int s_setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/test_ops_auth.XXXXXX");
  if (!mkdtemp(f->dir)) {
    return -1;
  }
  snprintf(f->path, sizeof f->path, "%s/users", f->dir);
  *state = f;
  return 0;
}

static int s_teardown(void **state) {
  fixture_t *f = *state;
  char tmp[160];
  unlink(f->path);
  snprintf(tmp, sizeof tmp, "%s.tmp", f->path);
  unlink(tmp);
  rmdir(f->dir);
  free(f);
  return 0;
}

static void s_write(const char *path, const char *text, mode_t mode) {
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fputs(text, fp);
  fclose(fp);
  chmod(path, mode);
}

static void test_passwd_and_check(void **state) {
  fixture_t *f = *state;
  char err[256];
  assert_int_equal(ops_passwd_set(f->path, "alice", "correct horse", FAST, err, sizeof err), 0);
  assert_int_equal(ops_passwd_set(f->path, "bob", "battery staple", FAST, err, sizeof err), 0);
  struct stat st;
  assert_int_equal(stat(f->path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  ops_users_t *u = ops_users_load(f->path, err, sizeof err);
  assert_non_null(u);
  assert_int_equal(ops_users_count(u), 2);
  assert_int_equal(ops_users_check(u, "alice", "correct horse"), 1);
  assert_int_equal(ops_users_check(u, "bob", "battery staple"), 1);
  assert_int_equal(ops_users_check(u, "alice", "battery staple"), 0);
  assert_int_equal(ops_users_check(u, "alice", "correct hors"), 0);
  assert_int_equal(ops_users_check(u, "carol", "correct horse"), 0);
  assert_int_equal(ops_users_check(u, "alice", ""), 0);
  assert_int_equal(ops_users_check(u, NULL, "x"), 0);
  ops_users_destroy(&u);
  assert_null(u);

  /* A new password replaces the old line; bob's stays. Salts differ. */
  assert_int_equal(ops_passwd_set(f->path, "alice", "new password", FAST, err, sizeof err), 0);
  u = ops_users_load(f->path, err, sizeof err);
  assert_non_null(u);
  assert_int_equal(ops_users_count(u), 2);
  assert_int_equal(ops_users_check(u, "alice", "correct horse"), 0);
  assert_int_equal(ops_users_check(u, "alice", "new password"), 1);
  assert_int_equal(ops_users_check(u, "bob", "battery staple"), 1);
  ops_users_destroy(&u);

  /* The file holds no password, only salted hashes. */
  FILE *fp = fopen(f->path, "r");
  char text[2048] = "";
  size_t n = fread(text, 1, sizeof text - 1, fp);
  fclose(fp);
  text[n] = '\0';
  assert_null(strstr(text, "new password"));
  assert_non_null(strstr(text, "alice:pbkdf2-sha256:1000:"));
}

static void test_passwd_refuses(void **state) {
  fixture_t *f = *state;
  char err[256];
  assert_int_equal(ops_passwd_set(f->path, "al ice", "long enough", FAST, err, sizeof err), -1);
  assert_non_null(strstr(err, "not a user name"));
  assert_int_equal(ops_passwd_set(f->path, "alice", "short", FAST, err, sizeof err), -1);
  assert_non_null(strstr(err, "8 to"));
  assert_int_equal(access(f->path, F_OK), -1);
  assert_true(ops_user_valid("j.smith-2_x"));
  assert_false(ops_user_valid(""));
  assert_false(ops_user_valid("a:b"));
}

static void test_default_iterations(void **state) {
  fixture_t *f = *state;
  char err[256];
  assert_int_equal(ops_passwd_set(f->path, "alice", "correct horse", 0, err, sizeof err), 0);
  ops_users_t *u = ops_users_load(f->path, err, sizeof err);
  assert_non_null(u);
  assert_int_equal(ops_users_check(u, "alice", "correct horse"), 1);
  ops_users_destroy(&u);
  FILE *fp = fopen(f->path, "r");
  char line[256];
  assert_non_null(fgets(line, sizeof line, fp));
  fclose(fp);
  char want[64];
  snprintf(want, sizeof want, "alice:pbkdf2-sha256:%u:", OPS_PBKDF2_ITERATIONS);
  assert_true(strncmp(line, want, strlen(want)) == 0);
}

static void test_load_refuses(void **state) {
  fixture_t *f = *state;
  char err[256];
  assert_null(ops_users_load(f->path, err, sizeof err));
  assert_non_null(strstr(err, "mash-ops passwd"));
  assert_int_equal(ops_passwd_set(f->path, "alice", "correct horse", FAST, err, sizeof err), 0);
  chmod(f->path, 0644);
  assert_null(ops_users_load(f->path, err, sizeof err));
  assert_non_null(strstr(err, "mode 644"));
  s_write(f->path, "# users\n\nalice:pbkdf2-sha256:1000:00:00\n", 0600);
  assert_null(ops_users_load(f->path, err, sizeof err));
  assert_non_null(strstr(err, ":3:"));
  s_write(f->path,
          "alice:md5:1000:00000000000000000000000000000000:"
          "0000000000000000000000000000000000000000000000000000000000000000\n",
          0600);
  assert_null(ops_users_load(f->path, err, sizeof err));
  s_write(f->path, "", 0600);
  ops_users_t *u = ops_users_load(f->path, err, sizeof err);
  assert_non_null(u);
  assert_int_equal(ops_users_count(u), 0);
  assert_int_equal(ops_users_check(u, "alice", "correct horse"), 0);
  ops_users_destroy(&u);
}

static void test_basic_parse(void **state) {
  (void)state;
  char user[OPS_USER_LEN], pass[OPS_PASSWORD_MAX];
  /* "alice:correct horse" */
  assert_int_equal(
      ops_basic_parse("Basic YWxpY2U6Y29ycmVjdCBob3JzZQ==", user, sizeof user, pass, sizeof pass),
      0);
  assert_string_equal(user, "alice");
  assert_string_equal(pass, "correct horse");
  /* "bob:a:b" - the password may hold a colon */
  assert_int_equal(ops_basic_parse("basic Ym9iOmE6Yg==", user, sizeof user, pass, sizeof pass), 0);
  assert_string_equal(user, "bob");
  assert_string_equal(pass, "a:b");
  assert_int_equal(ops_basic_parse(NULL, user, sizeof user, pass, sizeof pass), -1);
  assert_int_equal(ops_basic_parse("Bearer abc", user, sizeof user, pass, sizeof pass), -1);
  assert_int_equal(ops_basic_parse("Basic ", user, sizeof user, pass, sizeof pass), -1);
  assert_int_equal(ops_basic_parse("Basic YWxp!2U=", user, sizeof user, pass, sizeof pass), -1);
  /* "nocolon" */
  assert_int_equal(ops_basic_parse("Basic bm9jb2xvbg==", user, sizeof user, pass, sizeof pass), -1);
  /* ":pw" - no user */
  assert_int_equal(ops_basic_parse("Basic OnB3", user, sizeof user, pass, sizeof pass), -1);
  /* a NUL inside: "a\0:b" */
  assert_int_equal(ops_basic_parse("Basic YQA6Yg==", user, sizeof user, pass, sizeof pass), -1);
  /* too long for the buffers */
  char big[2048] = "Basic ";
  memset(big + 6, 'Q', 1600);
  assert_int_equal(ops_basic_parse(big, user, sizeof user, pass, sizeof pass), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_passwd_and_check, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_passwd_refuses, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_default_iterations, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_load_refuses, s_setup, s_teardown),
      cmocka_unit_test(test_basic_parse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
