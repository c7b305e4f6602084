/* test_pack_files: a consolidated pack written out as .pb, .json and .html
 * (agents/hub/pack_files.h), in a fresh temporary folder removed at the end.
 *
 * The three files appear under the enquiry's name, mode 0600, with nothing
 * temporary left behind; the .pb decodes to the same pack, the .json parses
 * and the .html is a page. A newer write replaces the files; a stale
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

static void *s_json_malloc(size_t n) {
  return test_malloc(n);
}

static void s_json_free(void *p) {
  test_free(p);
}

typedef struct fixture {
  char dir[64];
  Mash__V1__ConsolidatedPack p;
  char *missing[1];
} fixture_t;

static int s_setup(void **state) {
  json_set_alloc_funcs(s_json_malloc, s_json_free);
  fixture_t *f = test_calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-packs-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
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

static void test_three_files(void **state) {
  fixture_t *f = *state;
  char base[256], err[256] = "";
  assert_int_equal(pack_files_write(f->dir, &f->p, base, sizeof base, err, sizeof err), 0);
  char want[256];
  snprintf(want, sizeof want, "%s/ENQ-000001-v1", f->dir);
  assert_string_equal(base, want);
  static const char *const exts[] = {".pb", ".json", ".html"};
  for (size_t i = 0; i < 3; i++) {
    char path[300];
    snprintf(path, sizeof path, "%s%s", base, exts[i]);
    assert_int_equal(s_mode(path), 0600);
  }
  assert_false(s_hidden(f->dir));

  char path[300];
  size_t len = 0;
  snprintf(path, sizeof path, "%s.pb", base);
  char *pb = s_slurp(path, &len);
  assert_non_null(pb);
  Mash__V1__ConsolidatedPack *back =
      mash__v1__consolidated_pack__unpack(NULL, len, (const uint8_t *)pb);
  assert_non_null(back);
  assert_string_equal(back->enquiry_id, "ENQ-000001");
  assert_int_equal(back->version, 1);
  assert_true(back->partial);
  assert_int_equal(back->n_missing_agencies, 1);
  mash__v1__consolidated_pack__free_unpacked(back, NULL);
  test_free(pb);

  snprintf(path, sizeof path, "%s.json", base);
  char *text = s_slurp(path, &len);
  assert_non_null(text);
  assert_true(len > 2 && text[len - 1] == '\n');
  json_error_t jerr;
  json_t *j = json_loads(text, 0, &jerr);
  assert_non_null(j);
  assert_string_equal(json_string_value(json_object_get(j, "enquiry_id")), "ENQ-000001");
  assert_string_equal(json_string_value(json_object_get(j, "screened_by")), "J Smith");
  json_decref(j);
  test_free(text);

  snprintf(path, sizeof path, "%s.html", base);
  text = s_slurp(path, &len);
  assert_non_null(text);
  assert_non_null(strstr(text, "<html"));
  assert_non_null(strstr(text, "ENQ-000001"));
  test_free(text);
}

static void test_newer_write_replaces(void **state) {
  fixture_t *f = *state;
  char base[256], err[256];
  assert_int_equal(pack_files_write(f->dir, &f->p, base, sizeof base, err, sizeof err), 0);
  f->p.partial = false;
  f->p.n_missing_agencies = 0;
  f->p.screened_by = "K Jones";
  /* A stale temporary file, readable by all, from a crash mid-write. */
  char tmp[300];
  snprintf(tmp, sizeof tmp, "%s/.ENQ-000001-v1.json.tmp", f->dir);
  FILE *fp = fopen(tmp, "w");
  assert_non_null(fp);
  fputs("half", fp);
  fclose(fp);
  assert_int_equal(chmod(tmp, 0644), 0);
  assert_int_equal(pack_files_write(f->dir, &f->p, base, sizeof base, err, sizeof err), 0);
  char path[300];
  snprintf(path, sizeof path, "%s.json", base);
  assert_int_equal(s_mode(path), 0600);
  char *text = s_slurp(path, NULL);
  assert_non_null(strstr(text, "K Jones"));
  assert_null(strstr(text, "J Smith"));
  test_free(text);
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
  snprintf(link, sizeof link, "%s/.ENQ-000001-v1.pb.tmp", f->dir);
  assert_int_equal(symlink(target, link), 0);
  char base[256], err[256] = "";
  int rc = pack_files_write(f->dir, &f->p, base, sizeof base, err, sizeof err);
  assert_true(rc < 0);
  assert_non_null(strstr(err, ".ENQ-000001-v1.pb.tmp"));
  char *text = s_slurp(target, NULL);
  assert_string_equal(text, "untouched");
  test_free(text);
}

static void test_hostile_ids_stay_inside(void **state) {
  fixture_t *f = *state;
  char base[256], err[256];
  f->p.enquiry_id = "../../etc/ENQ:1";
  assert_int_equal(pack_files_write(f->dir, &f->p, base, sizeof base, err, sizeof err), 0);
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
  int rc = pack_files_write(missing, &f->p, base, sizeof base, err, sizeof err);
  assert_int_equal(rc, -ENOENT);
  assert_non_null(strstr(err, "no/such/folder"));
  char tiny[8];
  assert_int_equal(pack_files_base(f->dir, &f->p, tiny, sizeof tiny), -ENAMETOOLONG);
  assert_int_equal(pack_files_write(f->dir, &f->p, tiny, sizeof tiny, err, sizeof err),
                   -ENAMETOOLONG);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_three_files, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_newer_write_replaces, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_symlink_not_followed, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_hostile_ids_stay_inside, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_errors_reported, s_setup, s_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
