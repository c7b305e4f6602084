/* store_fixture: which store a store test runs against, for the tests that
 * run on both implementations (test_store, test_duty, test_store_wrappers).
 *
 * Responsible for: opening a fresh store of the kind the environment names
 * (MASH_TEST_STORE=postgresql with MASH_TEST_PG_URL, set by
 * tests/pg/with-pg.sh; SQLite otherwise) and emptying it before each test
 * (a new file for SQLite; the schema dropped and re-made for PostgreSQL),
 * and running SQL on it behind the store's back to tamper with rows. Must
 * not: be used by anything but tests; skip silently (a PostgreSQL run without
 * a server fails, never passes).
 */
#ifndef MASH_TEST_STORE_FIXTURE_H
#define MASH_TEST_STORE_FIXTURE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>
#ifdef MASH_TEST_HAVE_PG
#include <libpq-fe.h>
#endif

#include "seal.h"
#include "store.h"
#include "test_dir.h"

/* 1 when this run is against PostgreSQL. */
static int store_fixture_is_pg(void) {
  const char *k = getenv("MASH_TEST_STORE");
  return k && strcmp(k, "postgresql") == 0;
}

static const char *store_fixture_pg_url(void) {
  const char *u = getenv("MASH_TEST_PG_URL");
  return u ? u : "";
}

/* Run sql (several statements allowed) on the store's database: the SQLite
 * file at db_path, or the PostgreSQL database. 0, or -1 with the reason
 * printed. */
static int store_fixture_sql(const char *db_path, const char *sql) {
  if (!store_fixture_is_pg()) {
    sqlite3 *db = NULL;
    char *msg = NULL;
    int rc = sqlite3_open(db_path, &db);
    if (rc == SQLITE_OK) {
      rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    }
    if (rc != SQLITE_OK) {
      fprintf(stderr, "store_fixture: %s: %s\n", sql, msg ? msg : sqlite3_errmsg(db));
    }
    sqlite3_free(msg);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
  }
#ifdef MASH_TEST_HAVE_PG
  PGconn *c = PQconnectdb(store_fixture_pg_url());
  int ok = PQstatus(c) == CONNECTION_OK;
  if (ok) {
    PGresult *r = PQexec(c, sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
  }
  if (!ok) {
    fprintf(stderr, "store_fixture: %s: %s\n", sql, PQerrorMessage(c));
  }
  PQfinish(c);
  return ok ? 0 : -1;
#else
  fprintf(stderr, "store_fixture: built without libpq\n");
  return -1;
#endif
}

/* Empty the PostgreSQL database before a test (SQLite tests use a new
 * folder). 0 or -1. */
static int store_fixture_reset(void) {
  if (!store_fixture_is_pg()) {
    return 0;
  }
  return store_fixture_sql(NULL, "SET client_min_messages = warning; "
                                 "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
}

/* A store of this run's kind: SQLite at db_path, or PostgreSQL. */
static mash_store_t *store_fixture_open(const char *db_path, const mash_seal_t *seal, char *err,
                                        size_t errlen) {
  if (store_fixture_is_pg()) {
    return mash_store_postgres_new(store_fixture_pg_url(), seal, err, errlen);
  }
  return mash_store_sqlite_new(db_path, seal, err, errlen);
}

/* The usual start of a store test: a new folder made from tmpl (mkdtemp,
 * changed in place), a data key in it and a fresh store of this run's kind
 * (SQLite's mash.db in the folder). 0, or -1 with the reason in err. */
static inline int store_fixture_start(char *tmpl, mash_seal_t **seal, mash_store_t **store,
                                      char *err, size_t errlen) {
  char path[256];
  if (mkdtemp(tmpl) == NULL) {
    snprintf(err, errlen, "mkdtemp %s: %s", tmpl, strerror(errno));
    return -1;
  }
  snprintf(path, sizeof path, "%s/data.key", tmpl);
  *seal = mash_seal_new(path, 1, err, errlen);
  if (*seal == NULL) {
    return -1;
  }
  if (store_fixture_reset() != 0) {
    snprintf(err, errlen, "the PostgreSQL store could not be emptied");
    return -1;
  }
  snprintf(path, sizeof path, "%s/mash.db", tmpl);
  *store = store_fixture_open(path, *seal, err, errlen);
  return *store != NULL ? 0 : -1;
}

/* Its end: the store and the key closed, the folder removed (whatever the
 * store made there). 0, or -1 when the folder could not be removed. */
static inline int store_fixture_stop(const char *dir, mash_seal_t **seal, mash_store_t **store) {
  mash_store_destroy(store);
  mash_seal_destroy(seal);
  return test_dir_remove(dir);
}

#endif
