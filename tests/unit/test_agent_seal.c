/* test_agent_seal: an agent's data key over its store and files
 * (agents/runtime/agent_seal.h), on an in-memory SQLite database and files in
 * a fresh temporary folder removed at the end.
 *
 * mash_seal / mash_open round-trip a value bound to its id, keep NULL as
 * NULL, give NULL for a blob opened under another id or key, and never
 * leave the plaintext in the sealed bytes; mash_blind is a stable 32-byte
 * index that differs per value and per key. A sealed file is mode 0600,
 * replaces its source, holds none of its text and opens only under its own
 * name and key. The default key path sits beside the secret key.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "agent_seal.h"

/* What the seal malloc'd is freed by libc's free, not cmocka's. */
static void s_free(void *p) {
  free(p);
}

#define UNIT_TESTING 1
#include <cmocka.h>

#include "test_seal_key.h"

/* One integer from `sql` with text parameters p1, p2 (may be NULL). */
static int64_t s_int(sqlite3 *db, const char *sql, const char *p1, const char *p2) {
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  if (p1) {
    sqlite3_bind_text(st, 1, p1, -1, SQLITE_STATIC);
  }
  if (p2) {
    sqlite3_bind_text(st, 2, p2, -1, SQLITE_STATIC);
  }
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  int64_t v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static void test_sql_functions(void **state) {
  (void)state;
  mash_seal_t *k = test_seal_key_new(), *other = test_seal_key_new();
  assert_non_null(k);
  assert_non_null(other);
  sqlite3 *db = NULL, *db2 = NULL;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(sqlite3_open(":memory:", &db2), SQLITE_OK);
  assert_int_equal(agent_seal_sql(db, k), 0);
  assert_int_equal(agent_seal_sql(db2, other), 0);
  assert_int_equal(sqlite3_exec(db,
                                "CREATE TABLE t(id TEXT, v BLOB);"
                                "INSERT INTO t VALUES ('a', mash_seal('MarkerSecretValue', 'a'));"
                                "INSERT INTO t VALUES ('b', mash_seal(NULL, 'b'));",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  /* Round trip under its id; NULL stays NULL. */
  assert_int_equal(s_int(db,
                         "SELECT mash_open(v, id) = CAST('MarkerSecretValue' AS BLOB) FROM t"
                         " WHERE id = 'a'",
                         NULL, NULL),
                   1);
  assert_int_equal(s_int(db, "SELECT mash_open(v, id) IS NULL FROM t WHERE id = 'b'", NULL, NULL),
                   1);
  /* Sealed: the plaintext is not in the bytes; the overhead is the seal's. */
  assert_int_equal(
      s_int(db, "SELECT instr(v, CAST('MarkerSecret' AS BLOB)) FROM t WHERE id = 'a'", NULL, NULL),
      0);
  assert_int_equal(s_int(db, "SELECT length(v) FROM t WHERE id = 'a'", NULL, NULL),
                   17 + MASH_SEAL_OVERHEAD);
  /* Another id, or a damaged blob: NULL (unreadable), not an error. */
  assert_int_equal(s_int(db, "SELECT mash_open(v, 'b') IS NULL FROM t WHERE id = 'a'", NULL, NULL),
                   1);
  assert_int_equal(s_int(db, "SELECT mash_open(x'01020304', 'a') IS NULL", NULL, NULL), 1);
  /* Blind indexes: 32 bytes, stable, one per value, one per key. */
  assert_int_equal(s_int(db, "SELECT length(mash_blind(?1))", "x.json", NULL), 32);
  assert_int_equal(s_int(db, "SELECT mash_blind(?1) = mash_blind(?1)", "x.json", NULL), 1);
  assert_int_equal(s_int(db, "SELECT mash_blind(?1) = mash_blind(?2)", "x.json", "y.json"), 0);
  assert_int_equal(s_int(db, "SELECT mash_blind(NULL) IS NULL", NULL, NULL), 1);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT mash_blind('x.json')", -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  uint8_t mine[32];
  memcpy(mine, sqlite3_column_blob(st, 0), 32);
  sqlite3_finalize(st);
  assert_int_equal(sqlite3_prepare_v2(db2, "SELECT mash_blind('x.json')", -1, &st, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_memory_not_equal(mine, sqlite3_column_blob(st, 0), 32);
  sqlite3_finalize(st);
  sqlite3_close(db);
  sqlite3_close(db2);
  mash_seal_destroy(&k);
  mash_seal_destroy(&other);
}

static void test_files(void **state) {
  (void)state;
  mash_seal_t *k = test_seal_key_new(), *other = test_seal_key_new();
  char dir[] = "/tmp/test_agent_seal.XXXXXX";
  assert_non_null(mkdtemp(dir));
  char from[128], to[128], err[512];
  snprintf(from, sizeof from, "%s/child.json", dir);
  snprintf(to, sizeof to, "%s/accepted.json", dir);
  FILE *fp = fopen(from, "w");
  assert_non_null(fp);
  fputs("{\"given_name\": \"MarkerFileName\"}", fp);
  fclose(fp);
  assert_int_equal(chmod(from, 0644), 0);
  assert_int_equal(agent_seal_file(k, from, to, "child.json", 1, err, sizeof err), 0);
  assert_int_not_equal(access(from, F_OK), 0); /* the plaintext source is gone */
  struct stat st;
  assert_int_equal(stat(to, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  char raw[256];
  fp = fopen(to, "rb");
  size_t n = fread(raw, 1, sizeof raw, fp);
  fclose(fp);
  for (size_t i = 0; i + 10 <= n; i++) {
    assert_false(memcmp(raw + i, "MarkerFile", 10) == 0);
  }
  uint8_t *out = NULL;
  size_t len = 0;
  assert_int_equal(agent_seal_read(k, to, "child.json", &out, &len, err, sizeof err), 0);
  assert_int_equal(len, strlen("{\"given_name\": \"MarkerFileName\"}"));
  assert_memory_equal(out, "{\"given_name\": \"MarkerFileName\"}", len);
  s_free(out);
  /* Under another name or key it does not open; a missing file says so. */
  assert_int_equal(agent_seal_read(k, to, "other.json", &out, &len, err, sizeof err), -EBADMSG);
  assert_non_null(strstr(err, "does not open"));
  assert_int_equal(agent_seal_read(other, to, "child.json", &out, &len, err, sizeof err), -EBADMSG);
  assert_int_equal(agent_seal_read(k, from, "child.json", &out, &len, err, sizeof err), -ENOENT);
  /* A source that cannot be read leaves nothing behind. */
  assert_int_equal(agent_seal_file(k, from, to, "child.json", 1, err, sizeof err), -ENOENT);
  assert_int_equal(unlink(to), 0);
  assert_int_equal(rmdir(dir), 0);
  mash_seal_destroy(&k);
  mash_seal_destroy(&other);
}

static void test_default_path(void **state) {
  (void)state;
  char out[64];
  assert_int_equal(agent_seal_default_path("certs/police.secret", out, sizeof out), 0);
  assert_string_equal(out, "certs/police.data.key");
  assert_int_equal(agent_seal_default_path("/run/secrets/hub", out, sizeof out), 0);
  assert_string_equal(out, "/run/secrets/hub.data.key");
  char tiny[8];
  assert_int_equal(agent_seal_default_path("certs/police.secret", tiny, sizeof tiny),
                   -ENAMETOOLONG);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sql_functions),
      cmocka_unit_test(test_files),
      cmocka_unit_test(test_default_path),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
