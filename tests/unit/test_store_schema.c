/* test_store_schema: the SQLite store's one ordered migration list
 * (store_sqlite_schema.c), on real files in a temporary directory. A fresh
 * database, and one left at each older version (with a contact in it),
 * both reach the current version with the same schema and the contact
 * intact; a migration that fails leaves the database at the version before
 * it; a database newer than the list, or a target beyond it, is refused.
 * Must not: hard-code the number of migrations (the list grows). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "seal.h"
#include "store.h"
#include "store_sqlite_int.h"
#include "test_dir.h"

static void lib_free(void *p) {
  free(p);
}

#define UNIT_TESTING 1
#include <cmocka.h>

typedef struct fixture {
  char dir[64];
  char key[128];
  mash_seal_t *seal;
  int n_db; /* databases made: each test may make several */
} fixture_t;

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-schema-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  snprintf(f->key, sizeof f->key, "%s/data.key", f->dir);
  char err[256];
  f->seal = mash_seal_new(f->key, 1, err, sizeof err);
  assert_non_null(f->seal);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  mash_seal_destroy(&f->seal);
  /* Whatever the stores made there (their id marks and the marks' copies too). */
  assert_int_equal(test_dir_remove(f->dir), 0);
  free(f);
  return 0;
}

static void new_db_path(fixture_t *f, char *out, size_t len) {
  snprintf(out, len, "%s/db%d.sqlite", f->dir, f->n_db++);
}

static int user_version(sqlite3 *db) {
  int v = -1;
  assert_int_equal(store_sqlite_user_version(db, &v), 0);
  return v;
}

static int version_of(const char *path) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  int v = user_version(db);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
  return v;
}

/* The schema as text: every table and index with its SQL, in name order. */
static void schema_of(const char *path, char *out, size_t cap) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  sqlite3_stmt *q = NULL;
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT type, name, COALESCE(sql, '') FROM sqlite_master "
                                      "ORDER BY type, name",
                                      -1, &q, NULL),
                   SQLITE_OK);
  size_t len = 0;
  out[0] = '\0';
  while (sqlite3_step(q) == SQLITE_ROW) {
    int n = snprintf(out + len, cap - len, "%s %s: %s\n", sqlite3_column_text(q, 0),
                     sqlite3_column_text(q, 1), sqlite3_column_text(q, 2));
    assert_true(n > 0 && (size_t)n < cap - len);
    len += (size_t)n;
  }
  sqlite3_finalize(q);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* A database brought by the list to `version`, holding (from version 1) one
 * contact written as the first version's columns allow, sealed as the
 * store seals it. */
static void make_old(fixture_t *f, const char *path, int version) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  char err[256] = "";
  assert_int_equal(store_sqlite_migrate(db, version, err, sizeof err), 0);
  assert_int_equal(user_version(db), version);
  if (version >= 1) {
    uint8_t *blob = NULL;
    size_t len = 0;
    assert_int_equal(mash_seal_encrypt(f->seal, (const uint8_t *)"old contact", 11,
                                       (const uint8_t *)"MASH-000001", 11, &blob, &len),
                     0);
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO contacts (id, contact_id, principal, "
                                        "message_id, received_at_ms, blob) VALUES (1, "
                                        "'MASH-000001', 'police', 'm-old', 1700000000000, ?1)",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_blob(q, 1, blob, (int)len, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    lib_free(blob);
  }
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static mash_store_t *open_store(fixture_t *f, const char *path) {
  char err[256] = "";
  mash_store_t *s = mash_store_sqlite_new(path, f->seal, err, sizeof err);
  if (!s) {
    print_error("open %s: %s\n", path, err);
  }
  assert_non_null(s);
  return s;
}

typedef struct seen {
  int n;
  char id[MASH_CONTACT_ID_LEN];
  char content[32];
} seen_t;

static int seen_cb(const char *contact_id, int64_t at, const uint8_t *contact, size_t len,
                   void *arg) {
  (void)at;
  seen_t *s = arg;
  s->n++;
  snprintf(s->id, sizeof s->id, "%s", contact_id);
  snprintf(s->content, sizeof s->content, "%.*s", (int)len, (const char *)contact);
  return 0;
}

/* ---- tests ---- */

static void test_fresh_database_reaches_current(void **state) {
  fixture_t *f = *state;
  assert_true(store_sqlite_schema_version() >= 4);
  char path[192];
  new_db_path(f, path, sizeof path);
  mash_store_t *s = open_store(f, path);
  mash_store_destroy(&s);
  assert_int_equal(version_of(path), store_sqlite_schema_version());
  static char schema[65536];
  schema_of(path, schema, sizeof schema);
  static const char *const tables[] = {
      "contacts", "inbox",       "enquiries",    "requests",         "escalations", "outbox",
      "persons",  "person_keys", "person_links", "person_relations", "matches"};
  for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
    char want[64];
    snprintf(want, sizeof want, "table %s: ", tables[i]);
    if (!strstr(schema, want)) {
      print_error("no table %s in:\n%s", tables[i], schema);
    }
    assert_non_null(strstr(schema, want));
  }
  /* Opening again applies nothing and changes nothing. */
  static char again[65536];
  s = open_store(f, path);
  mash_store_destroy(&s);
  schema_of(path, again, sizeof again);
  assert_string_equal(schema, again);
}

static void test_every_older_version_reaches_current(void **state) {
  fixture_t *f = *state;
  const int current = store_sqlite_schema_version();
  static char fresh[65536], migrated[65536];
  char path[192];
  new_db_path(f, path, sizeof path);
  mash_store_t *s = open_store(f, path);
  mash_store_destroy(&s);
  schema_of(path, fresh, sizeof fresh);

  for (int v = 0; v < current; v++) {
    new_db_path(f, path, sizeof path);
    make_old(f, path, v);
    assert_int_equal(version_of(path), v);
    s = open_store(f, path);
    /* The contact written at the old version is there, readable, and
     * deliverable (the columns added since have their defaults). */
    seen_t seen = {0};
    assert_int_equal(mash_store_load_undelivered(s, seen_cb, &seen), 0);
    assert_int_equal(seen.n, v >= 1 ? 1 : 0);
    if (v >= 1) {
      assert_string_equal(seen.id, "MASH-000001");
      assert_string_equal(seen.content, "old contact");
      mash_contact_row_t row;
      assert_int_equal(mash_store_contact_get(s, "MASH-000001", &row), 0);
      assert_int_equal(row.state, MASH_CONTACT_RECEIVED);
      assert_false(row.unresolved);
      lib_free(row.blob);
    }
    /* And new contacts follow it. */
    mash_intake_t in = {.principal = "police",
                        .message_id = "m-new",
                        .received_at_ms = 1700000000001,
                        .contact = (const uint8_t *)"new",
                        .contact_len = 3};
    assert_int_equal(mash_store_intake(s, &in), 0);
    assert_string_equal(in.contact_id, v >= 1 ? "MASH-000002" : "MASH-000001");
    mash_store_destroy(&s);
    assert_int_equal(version_of(path), current);
    schema_of(path, migrated, sizeof migrated);
    if (strcmp(fresh, migrated) != 0) {
      print_error("from version %d:\n%s\nfresh:\n%s", v, migrated, fresh);
    }
    assert_string_equal(fresh, migrated);
  }
}

/* A migration that fails is rolled back whole: the database stays at the
 * version before it, its data untouched, and opens once the cause is gone. */
static void test_failed_migration_changes_nothing(void **state) {
  fixture_t *f = *state;
  char path[192];
  new_db_path(f, path, sizeof path);
  make_old(f, path, 1);
  /* Something in the way of migration 2 (it creates the inbox table). */
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "CREATE TABLE inbox (x)", NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);

  char err[256] = "";
  assert_null(mash_store_sqlite_new(path, f->seal, err, sizeof err));
  assert_non_null(strstr(err, "migration 2"));
  assert_int_equal(version_of(path), 1);
  /* Its first statement (a new column on contacts) was undone too. */
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_not_equal(sqlite3_exec(db, "SELECT state FROM contacts", NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "DROP TABLE inbox", NULL, NULL, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);

  mash_store_t *s = open_store(f, path);
  seen_t seen = {0};
  assert_int_equal(mash_store_load_undelivered(s, seen_cb, &seen), 0);
  assert_int_equal(seen.n, 1);
  assert_string_equal(seen.content, "old contact");
  mash_store_destroy(&s);
  assert_int_equal(version_of(path), store_sqlite_schema_version());
}

static void test_versions_beyond_the_list_refused(void **state) {
  fixture_t *f = *state;
  char path[192];
  new_db_path(f, path, sizeof path);
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  char err[256] = "";
  assert_int_equal(store_sqlite_migrate(db, store_sqlite_schema_version() + 1, err, sizeof err),
                   -EINVAL);
  assert_int_equal(user_version(db), 0);
  assert_int_equal(store_sqlite_migrate(db, -1, err, sizeof err), -EINVAL);
  /* A database from a later mashd: not touched. */
  char sql[64];
  snprintf(sql, sizeof sql, "PRAGMA user_version = %d", store_sqlite_schema_version() + 1);
  assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  err[0] = '\0';
  assert_int_equal(store_sqlite_migrate(db, store_sqlite_schema_version(), err, sizeof err),
                   -EPROTO);
  assert_true(strlen(err) > 0);
  assert_int_equal(user_version(db), store_sqlite_schema_version() + 1);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_fresh_database_reaches_current, setup, teardown),
      cmocka_unit_test_setup_teardown(test_every_older_version_reaches_current, setup, teardown),
      cmocka_unit_test_setup_teardown(test_failed_migration_changes_nothing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_versions_beyond_the_list_refused, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
