/* test_pack_files: a consolidated pack kept sealed on disk
 * (agents/hub/pack_files.h), in a fresh temporary folder removed at the end.
 *
 * The sealed file appears under the enquiry's name, mode 0600, with nothing
 * temporary left behind, holding none of the pack's text; it opens with the
 * desk's key to the same pack, and not with another key or under another
 * pack's name; retention removes only files older than it. A newer write
 * replaces the file; a stale
 * temporary file of another mode does not leak its mode; a symbolic link
 * planted at the temporary name is not followed; hostile enquiry ids cannot
 * leave the folder; errors are reported with the path. Must not: use the
 * network or write outside its temporary folder.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "pack_files.h"

#define UNIT_TESTING 1
#include <cmocka.h>

#include "test_seal_key.h"

static void *s_json_malloc(size_t n) {
  return test_malloc(n);
}

static void s_json_free(void *p) {
  test_free(p);
}

typedef struct fixture {
  char dir[64];
  mash_seal_t *seal;
  Mash__V1__ConsolidatedPack p;
  char *missing[1];
} fixture_t;

static int s_setup(void **state) {
  json_set_alloc_funcs(s_json_malloc, s_json_free);
  fixture_t *f = test_calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-packs-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  f->seal = test_seal_key_new();
  assert_non_null(f->seal);
  mash__v1__consolidated_pack__init(&f->p);
  f->p.enquiry_id = "ENQ-000001";
  f->p.contact_id = "MASH-000001";
  f->p.version = 1;
  f->p.partial = true;
  f->p.issued_at_ms = INT64_C(1795428000000);
  f->p.rag = MASH__V1__RAG__RAG_RED;
  f->p.screened_by = "J Smith";
  f->missing[0] = "housing";
  f->p.n_missing_agencies = 1;
  f->p.missing_agencies = f->missing;
  *state = f;
  return 0;
}

static int s_teardown(void **state) {
  fixture_t *f = *state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  assert_int_equal(system(cmd), 0);
  mash_seal_destroy(&f->seal);
  test_free(f);
  return 0;
}

/* The whole file (NUL-terminated, caller frees), or NULL. */
static char *s_slurp(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  if (fp == NULL) {
    return NULL;
  }
  char *buf = test_malloc(1 << 20);
  size_t n = fread(buf, 1, (1 << 20) - 1, fp);
  fclose(fp);
  buf[n] = '\0';
  if (len) {
    *len = n;
  }
  return buf;
}

static unsigned s_mode(const char *path) {
  struct stat st;
  assert_int_equal(lstat(path, &st), 0);
  return (unsigned)(st.st_mode & 0777);
}

/* Entries of dir other than . and .. whose name starts with a dot. */
static int s_hidden(const char *dir) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s' | grep '^\\.')\"", dir);
  return system(cmd) != 0;
}

static void test_sealed_file(void **state) {
  fixture_t *f = *state;
  char base[256], err[256] = "";
  assert_int_equal(pack_files_write(f->dir, &f->p, f->seal, base, sizeof base, err, sizeof err), 0);
  char want[256];
  snprintf(want, sizeof want, "%s/ENQ-000001-v1", f->dir);
  assert_string_equal(base, want);
  char path[300];
  snprintf(path, sizeof path, "%s.pack", base);
  assert_int_equal(s_mode(path), 0600);
  assert_false(s_hidden(f->dir));
  /* Nothing of the pack in the file's bytes. */
  size_t len = 0;
  char *raw = s_slurp(path, &len);
  assert_non_null(raw);
  assert_true(len > 16);
  for (size_t i = 0; i + 7 <= len; i++) {
    assert_false(memcmp(raw + i, "J Smith", 7) == 0);
    assert_false(memcmp(raw + i, "housing", 7) == 0);
  }
  test_free(raw);

  Mash__V1__ConsolidatedPack *back = NULL;
  assert_int_equal(pack_files_read(f->dir, "ENQ-000001", 1, f->seal, &back, err, sizeof err), 0);
  assert_string_equal(back->enquiry_id, "ENQ-000001");
  assert_int_equal(back->version, 1);
  assert_true(back->partial);
  assert_string_equal(back->screened_by, "J Smith");
  mash__v1__consolidated_pack__free_unpacked(back, NULL);

  /* Another key, or the file under another pack's name, does not open. */
  mash_seal_t *other = test_seal_key_new();
  assert_int_equal(pack_files_read(f->dir, "ENQ-000001", 1, other, &back, err, sizeof err),
                   -EBADMSG);
  mash_seal_destroy(&other);
  char moved[300];
  snprintf(moved, sizeof moved, "%s/ENQ-000002-v1.pack", f->dir);
  assert_int_equal(link(path, moved), 0);
  assert_int_equal(pack_files_read(f->dir, "ENQ-000002", 1, f->seal, &back, err, sizeof err),
                   -EBADMSG);
  assert_int_equal(pack_files_read(f->dir, "ENQ-000003", 1, f->seal, &back, err, sizeof err),
                   -ENOENT);
}

static void test_retention(void **state) {
  fixture_t *f = *state;
  char base[256], err[256] = "";
  assert_int_equal(pack_files_write(f->dir, &f->p, f->seal, base, sizeof base, err, sizeof err), 0);
  f->p.version = 2;
  assert_int_equal(pack_files_write(f->dir, &f->p, f->seal, base, sizeof base, err, sizeof err), 0);
  char old[300];
  snprintf(old, sizeof old, "%s/ENQ-000001-v1.pack", f->dir);
  struct stat st;
  assert_int_equal(stat(old, &st), 0);
  int64_t now = (int64_t)st.st_mtime;
  /* Days 0 keeps everything; v1 made 31 days old goes at 30, v2 stays. */
  assert_int_equal(pack_files_expire(f->dir, 0, now + 400 * 86400), 0);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "touch -d '@%lld' '%s'", (long long)(now - 31 * 86400), old);
  assert_int_equal(system(cmd), 0);
  assert_int_equal(pack_files_expire(f->dir, 30, now), 1);
  assert_int_not_equal(access(old, F_OK), 0);
  snprintf(old, sizeof old, "%s/ENQ-000001-v2.pack", f->dir);
  assert_int_equal(access(old, F_OK), 0);
}

static void test_newer_write_replaces(void **state) {
  fixture_t *f = *state;
  char base[256], err[256];
  assert_int_equal(pack_files_write(f->dir, &f->p, f->seal, base, sizeof base, err, sizeof err), 0);
  f->p.partial = false;
  f->p.n_missing_agencies = 0;
  f->p.screened_by = "K Jones";
  /* A stale temporary file, readable by all, from a crash mid-write. */
  char tmp[300];
  snprintf(tmp, sizeof tmp, "%s/.ENQ-000001-v1.pack.tmp", f->dir);
  FILE *fp = fopen(tmp, "w");
  assert_non_null(fp);
  fputs("half", fp);
  fclose(fp);
  assert_int_equal(chmod(tmp, 0644), 0);
  assert_int_equal(pack_files_write(f->dir, &f->p, f->seal, base, sizeof base, err, sizeof err), 0);
  char path[300];
  snprintf(path, sizeof path, "%s.pack", base);
  assert_int_equal(s_mode(path), 0600);
  Mash__V1__ConsolidatedPack *back = NULL;
  assert_int_equal(pack_files_read(f->dir, "ENQ-000001", 1, f->seal, &back, err, sizeof err), 0);
  assert_string_equal(back->screened_by, "K Jones");
  mash__v1__consolidated_pack__free_unpacked(back, NULL);
  assert_false(s_hidden(f->dir));
}

static void test_symlink_not_followed(void **state) {
  fixture_t *f = *state;
  char target[128], link[300];
  snprintf(target, sizeof target, "%s/target", f->dir);
  FILE *fp = fopen(target, "w");
  assert_non_null(fp);
  fputs("untouched", fp);
  fclose(fp);
  snprintf(link, sizeof link, "%s/.ENQ-000001-v1.pack.tmp", f->dir);
  assert_int_equal(symlink(target, link), 0);
  char base[256], err[256] = "";
  int rc = pack_files_write(f->dir, &f->p, f->seal, base, sizeof base, err, sizeof err);
  assert_true(rc < 0);
  assert_non_null(strstr(err, "ENQ-000001-v1.pack"));
  char *text = s_slurp(target, NULL);
  assert_string_equal(text, "untouched");
  test_free(text);
}

static void test_hostile_ids_stay_inside(void **state) {
  fixture_t *f = *state;
  char base[256], err[256];
  f->p.enquiry_id = "../../etc/ENQ:1";
  assert_int_equal(pack_files_write(f->dir, &f->p, f->seal, base, sizeof base, err, sizeof err), 0);
  char want[256];
  snprintf(want, sizeof want, "%s/______etc_ENQ_1-v1", f->dir);
  assert_string_equal(base, want);
  f->p.enquiry_id = "";
  f->p.version = 7;
  assert_int_equal(pack_files_base(f->dir, &f->p, base, sizeof base), 0);
  snprintf(want, sizeof want, "%s/pack-v7", f->dir);
  assert_string_equal(base, want);
}

static void test_errors_reported(void **state) {
  fixture_t *f = *state;
  char base[256], err[256] = "";
  char missing[128];
  snprintf(missing, sizeof missing, "%s/no/such/folder", f->dir);
  int rc = pack_files_write(missing, &f->p, f->seal, base, sizeof base, err, sizeof err);
  assert_int_equal(rc, -ENOENT);
  assert_non_null(strstr(err, "no/such/folder"));
  char tiny[8];
  assert_int_equal(pack_files_base(f->dir, &f->p, tiny, sizeof tiny), -ENAMETOOLONG);
  assert_int_equal(pack_files_write(f->dir, &f->p, f->seal, tiny, sizeof tiny, err, sizeof err),
                   -ENAMETOOLONG);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_sealed_file, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_retention, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_newer_write_replaces, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_symlink_not_followed, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_hostile_ids_stay_inside, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_errors_reported, s_setup, s_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
