/* Unit tests of keys: generation, file permissions, trust-list loading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys.h"

static int s_setup(void **state) {
  char *dir = strdup("/tmp/mash-test-keys-XXXXXX");
  assert_non_null(mkdtemp(dir));
  *state = dir;
  return 0;
}

static int s_teardown(void **state) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", (char *)*state);
  assert_int_equal(system(cmd), 0);
  free(*state);
  return 0;
}

static void test_generate_and_load(void **state) {
  const char *dir = *state;
  char err[256], path[512];
  mash_key_t k, l;
  assert_int_equal(mash_key_generate(dir, "police", "agency", 0, &k, err, sizeof err), 0);
  snprintf(path, sizeof path, "%s/police.secret", dir);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(mash_key_load(path, &l, err, sizeof err), 0);
  assert_string_equal(l.principal, "police");
  assert_string_equal(l.role, "agency");
  assert_string_equal(l.agency, "police");
  assert_string_equal(l.public_key, k.public_key);
  assert_string_equal(l.secret_key, k.secret_key);
  snprintf(path, sizeof path, "%s/police.pub", dir);
  assert_int_equal(mash_key_load(path, &l, err, sizeof err), 0);
  assert_string_equal(l.secret_key, "");
  /* never overwrites without force */
  assert_int_equal(mash_key_generate(dir, "police", "agency", 0, &k, err, sizeof err), -1);
  assert_non_null(strstr(err, "--force"));
}

static void test_secret_permissions_refused(void **state) {
  const char *dir = *state;
  char err[256], path[512];
  mash_key_t k;
  assert_int_equal(mash_key_generate(dir, "hub", "hub", 0, &k, err, sizeof err), 0);
  snprintf(path, sizeof path, "%s/hub.secret", dir);
  assert_int_equal(chmod(path, 0644), 0);
  assert_int_equal(mash_key_load(path, &k, err, sizeof err), -1);
  assert_non_null(strstr(err, "chmod 600"));
}

static void test_bad_names_and_roles(void **state) {
  const char *dir = *state;
  char err[256];
  mash_key_t k;
  assert_int_equal(mash_key_generate(dir, "Police", "agency", 0, &k, err, sizeof err), -1);
  assert_int_equal(mash_key_generate(dir, "../x", "agency", 0, &k, err, sizeof err), -1);
  assert_int_equal(mash_key_generate(dir, "x", "root", 0, &k, err, sizeof err), -1);
  assert_false(mash_principal_valid(""));
  assert_true(mash_principal_valid("youth-offending"));
}

static void test_trust_list(void **state) {
  const char *dir = *state;
  char err[256], path[512];
  mash_key_t p, h;
  assert_int_equal(mash_key_generate(dir, "police", "agency", 0, &p, err, sizeof err), 0);
  assert_int_equal(mash_key_generate(dir, "hub", "hub", 0, &h, err, sizeof err), 0);
  mash_trust_t *t = mash_trust_load(dir, err, sizeof err);
  assert_non_null(t);
  assert_int_equal(mash_trust_count(t), 2);
  const mash_key_t *f = mash_trust_find_key(t, h.public_key);
  assert_non_null(f);
  assert_string_equal(f->principal, "hub");
  assert_string_equal(f->secret_key, "");
  assert_non_null(mash_trust_find_principal(t, "police"));
  assert_null(mash_trust_find_principal(t, "health"));
  assert_null(mash_trust_find_key(t, "0000000000000000000000000000000000000000"));
  mash_trust_destroy(&t);
  assert_null(t);

  /* a duplicated key under another name is refused */
  snprintf(path, sizeof path, "%s/copy.pub", dir);
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fprintf(fp, "principal = copy\nrole = agency\npublic-key = %s\n", p.public_key);
  fclose(fp);
  t = mash_trust_load(dir, err, sizeof err);
  assert_null(t);
  assert_non_null(strstr(err, "repeats"));

  /* a malformed file is refused with its name */
  fp = fopen(path, "w");
  assert_non_null(fp);
  fprintf(fp, "principal = copy\nrole = agency\npublic-key = short\n");
  fclose(fp);
  assert_null(mash_trust_load(dir, err, sizeof err));
  assert_non_null(strstr(err, "copy.pub"));
}

/* Whoever can write the trust folder or a .pub in it can add a key, so both
 * are refused when group or others may write them, naming path and mode. */
static void test_trust_permissions_refused(void **state) {
  const char *dir = *state;
  char err[512], path[512];
  mash_key_t k;
  assert_int_equal(mash_key_generate(dir, "police", "agency", 0, &k, err, sizeof err), 0);
  assert_int_equal(mash_key_generate(dir, "hub", "hub", 0, &k, err, sizeof err), 0);
  /* the .secret files in the folder are not part of the trust list */
  assert_int_equal(chmod(dir, 0755), 0);
  mash_trust_t *t = mash_trust_load(dir, err, sizeof err);
  assert_non_null(t);
  mash_trust_destroy(&t);

  assert_int_equal(chmod(dir, 0777), 0);
  assert_null(mash_trust_load(dir, err, sizeof err));
  assert_non_null(strstr(err, dir));
  assert_non_null(strstr(err, "mode 0777"));
  assert_int_equal(chmod(dir, 0775), 0);
  assert_null(mash_trust_load(dir, err, sizeof err));
  assert_non_null(strstr(err, "writable by group or others"));
  assert_int_equal(chmod(dir, 01777), 0); /* sticky like /tmp: still refused */
  assert_null(mash_trust_load(dir, err, sizeof err));
  assert_int_equal(chmod(dir, 0700), 0);

  snprintf(path, sizeof path, "%s/hub.pub", dir);
  assert_int_equal(chmod(path, 0666), 0);
  assert_null(mash_trust_load(dir, err, sizeof err));
  assert_non_null(strstr(err, path));
  assert_non_null(strstr(err, "mode 0666"));
  assert_int_equal(mash_key_load(path, &k, err, sizeof err), -1);
  assert_int_equal(chmod(path, 0620), 0);
  assert_int_equal(mash_key_load(path, &k, err, sizeof err), -1);
  assert_int_equal(chmod(path, 0644), 0);
  assert_int_equal(mash_key_load(path, &k, err, sizeof err), 0);
  t = mash_trust_load(dir, err, sizeof err);
  assert_non_null(t);
  assert_int_equal(mash_trust_count(t), 2);
  mash_trust_destroy(&t);
}

/* The revocation list wins over the folder: a revoked key is left out, its
 * principal may get a new key beside it, and a list others can write, or a
 * malformed one, refuses the whole trust list. */
static void test_revocation_list(void **state) {
  const char *dir = *state;
  char err[1024], path[1024], sub[256];
  mash_key_t police, hub, fresh;
  snprintf(sub, sizeof sub, "%s/trusted", dir);
  assert_int_equal(mkdir(sub, 0755), 0);
  assert_int_equal(mash_key_generate(sub, "police", "agency", 0, &police, err, sizeof err), 0);
  assert_int_equal(mash_key_generate(sub, "hub", "hub", 0, &hub, err, sizeof err), 0);
  assert_int_equal(mash_trust_revoke(sub, "nobody", err, sizeof err), -1);
  assert_non_null(strstr(err, "no trusted key named 'nobody'"));
  assert_int_equal(mash_trust_revoke(sub, "police", err, sizeof err), 0);
  snprintf(path, sizeof path, "%s/revoked", sub);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  mash_trust_t *t = mash_trust_load(sub, err, sizeof err);
  assert_non_null(t);
  assert_int_equal(mash_trust_count(t), 1);
  assert_null(mash_trust_find_key(t, police.public_key));
  assert_null(mash_trust_find_principal(t, "police"));
  assert_non_null(mash_trust_find_principal(t, "hub"));
  assert_int_equal(mash_trust_is_revoked(t, police.public_key), 1);
  assert_int_equal(mash_trust_is_revoked(t, hub.public_key), 0);
  assert_int_equal(mash_trust_revoked_count(t), 1);
  assert_string_equal(mash_trust_revoked_at(t, 0)->principal, "police");
  mash_trust_destroy(&t);
  assert_int_equal(mash_trust_revoke(sub, "police", err, sizeof err), -1);
  assert_non_null(strstr(err, "already revoked"));

  /* add: the revoked key never comes back; a new key of the name does, and
   * the old one stays revoked beside it. */
  snprintf(path, sizeof path, "%s/police.pub", sub);
  assert_int_equal(mash_trust_add(sub, path, NULL, err, sizeof err), -1);
  assert_non_null(strstr(err, "was revoked"));
  assert_int_equal(mash_key_generate(dir, "police", "agency", 0, &fresh, err, sizeof err), 0);
  snprintf(path, sizeof path, "%s/police.secret", dir);
  assert_int_equal(mash_trust_add(sub, path, NULL, err, sizeof err), -1);
  assert_non_null(strstr(err, "secret key"));
  snprintf(path, sizeof path, "%s/police.pub", dir);
  assert_int_equal(chmod(path, 0666), 0);
  assert_int_equal(mash_trust_add(sub, path, NULL, err, sizeof err), -1);
  assert_non_null(strstr(err, "writable by group or others"));
  assert_int_equal(chmod(path, 0644), 0);
  mash_key_t added;
  assert_int_equal(mash_trust_add(sub, path, &added, err, sizeof err), 0);
  assert_string_equal(added.public_key, fresh.public_key);
  assert_int_equal(mash_trust_add(sub, path, NULL, err, sizeof err), -1);
  assert_non_null(strstr(err, "already trusted"));
  t = mash_trust_load(sub, err, sizeof err);
  assert_non_null(t);
  assert_string_equal(mash_trust_find_principal(t, "police")->public_key, fresh.public_key);
  assert_int_equal(mash_trust_is_revoked(t, police.public_key), 1);
  mash_trust_destroy(&t);

  /* A list others could edit, or one that cannot be read as keys, refuses. */
  snprintf(path, sizeof path, "%s/revoked", sub);
  assert_int_equal(chmod(path, 0622), 0);
  assert_null(mash_trust_load(sub, err, sizeof err));
  assert_non_null(strstr(err, "restore a revoked key"));
  assert_int_equal(chmod(path, 0600), 0);
  FILE *f = fopen(path, "a");
  assert_non_null(f);
  fputs("not-a-key police\n", f);
  fclose(f);
  assert_null(mash_trust_load(sub, err, sizeof err));
  assert_non_null(strstr(err, "line 4"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_generate_and_load, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_secret_permissions_refused, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_bad_names_and_roles, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_trust_list, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_trust_permissions_refused, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_revocation_list, s_setup, s_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
