/* test_agent_store: the agent's local outbox and inbox (agent_store.h), on a
 * real SQLite file in a fresh temporary folder per test. Checks ordering,
 * receipts, persistence across reopen, idempotence, transactions, the file's
 * permissions and journal mode. Must not depend on files outside its folder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent_store.h"

/* cmocka tracks this file's allocations; it must come after <stdlib.h>. */
#define UNIT_TESTING 1
#include <cmocka.h>

#include "test_race.h"

#include "test_seal_key.h"

typedef struct fixture {
  char dir[64];
  char path[128];
  mash_seal_t *seal; /* the agent's data key */
  agent_store_t *s;
} fixture_t;

static void path_in(const fixture_t *f, const char *suffix, char *out, size_t len) {
  int n = snprintf(out, len, "%s%s", f->path, suffix);
  assert_true(n > 0 && (size_t)n < len);
}

static agent_store_t *open_store(fixture_t *f) {
  char err[256];
  agent_store_t *s = agent_store_new(f->path, f->seal, err, sizeof(err));
  if (s == NULL) {
    fail_msg("agent_store_new: %s", err);
  }
  return s;
}

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof(*f));
  assert_non_null(f);
  snprintf(f->dir, sizeof(f->dir), "/tmp/test_agent_store.XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  snprintf(f->path, sizeof(f->path), "%s/agent.db", f->dir);
  /* A permissive umask, so the 0600 check tests the store, not the shell. */
  umask(022);
  f->seal = test_seal_key_new();
  assert_non_null(f->seal);
  f->s = open_store(f);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  agent_store_destroy(&f->s);
  const char *suffixes[] = {"", "-wal", "-shm", "-journal"};
  for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
    char p[160];
    path_in(f, suffixes[i], p, sizeof(p));
    unlink(p);
  }
  assert_int_equal(rmdir(f->dir), 0);
  mash_seal_destroy(&f->seal);
  free(f);
  return 0;
}

static int64_t count_pending(agent_store_t *s) {
  int64_t n = -1;
  assert_int_equal(agent_store_outbox_count_pending(s, &n), 0);
  return n;
}

static int64_t query_int(agent_store_t *s, const char *sql) {
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(agent_store_db(s), sql, -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  int64_t v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static void put(agent_store_t *s, const char *id, const char *frame) {
  assert_int_equal(agent_store_outbox_put(s, id, id, (const uint8_t *)frame, strlen(frame), 1000),
                   0);
}

static void put3(agent_store_t *s) {
  put(s, "m1", "frame-one");
  put(s, "m2", "frame-two");
  put(s, "m3", "frame-three");
}

/* Records what the walk visited; stops after `stop_after` entries if set. */
typedef struct visit {
  char ids[8][16];
  char frames[8][32];
  int n;
  int stop_after;
  agent_store_t *done_from_cb;
} visit_t;

/* Records frames only (any label). */
static int visit_frames_cb(const char *message_id, const char *label, const uint8_t *frame,
                           size_t len, void *arg) {
  (void)message_id;
  (void)label;
  visit_t *v = arg;
  assert_true(v->n < 8 && len < sizeof(v->frames[0]));
  if (len > 0) { /* an empty blob comes as NULL */
    memcpy(v->frames[v->n], frame, len);
  }
  v->frames[v->n][len] = '\0';
  v->n++;
  return 0;
}

static int visit_cb(const char *message_id, const char *label, const uint8_t *frame, size_t len,
                    void *arg) {
  visit_t *v = arg;
  assert_true(v->n < 8);
  assert_string_equal(label, message_id); /* put() uses the id as the label */
  assert_true(len < sizeof(v->frames[0]));
  snprintf(v->ids[v->n], sizeof(v->ids[0]), "%s", message_id);
  memcpy(v->frames[v->n], frame, len);
  v->frames[v->n][len] = '\0';
  v->n++;
  if (v->done_from_cb != NULL) {
    assert_int_equal(agent_store_outbox_done(v->done_from_cb, message_id, AGENT_OUTBOX_ACCEPTED,
                                             NULL, NULL, 2000),
                     0);
  }
  return v->stop_after != 0 && v->n == v->stop_after ? 7 : 0;
}

static void test_pending_in_order(void **state) {
  fixture_t *f = *state;
  put3(f->s);
  assert_int_equal(count_pending(f->s), 3);
  visit_t v = {0};
  assert_int_equal(agent_store_outbox_pending(f->s, visit_cb, &v), 0);
  assert_int_equal(v.n, 3);
  assert_string_equal(v.ids[0], "m1");
  assert_string_equal(v.ids[1], "m2");
  assert_string_equal(v.ids[2], "m3");
  assert_string_equal(v.frames[0], "frame-one");
  assert_string_equal(v.frames[1], "frame-two");
  assert_string_equal(v.frames[2], "frame-three");
}

static void test_pending_stops_on_nonzero(void **state) {
  fixture_t *f = *state;
  put3(f->s);
  visit_t v = {.stop_after = 2};
  assert_int_equal(agent_store_outbox_pending(f->s, visit_cb, &v), 7);
  assert_int_equal(v.n, 2);
  /* The walk's statement was reset: a second walk starts from the beginning. */
  visit_t w = {0};
  assert_int_equal(agent_store_outbox_pending(f->s, visit_cb, &w), 0);
  assert_int_equal(w.n, 3);
  assert_string_equal(w.ids[0], "m1");
}

static void test_done_from_callback(void **state) {
  fixture_t *f = *state;
  put3(f->s);
  visit_t v = {.done_from_cb = f->s};
  assert_int_equal(agent_store_outbox_pending(f->s, visit_cb, &v), 0);
  assert_int_equal(v.n, 3);
  assert_int_equal(count_pending(f->s), 0);
}

static void test_done(void **state) {
  fixture_t *f = *state;
  put3(f->s);
  assert_int_equal(
      agent_store_outbox_done(f->s, "m2", AGENT_OUTBOX_ACCEPTED, "MASH-000042", NULL, 2000), 0);
  assert_int_equal(count_pending(f->s), 2);
  visit_t v = {0};
  assert_int_equal(agent_store_outbox_pending(f->s, visit_cb, &v), 0);
  assert_int_equal(v.n, 2);
  assert_string_equal(v.ids[0], "m1");
  assert_string_equal(v.ids[1], "m3");

  /* A second receipt for the same message, even with another state. */
  assert_int_equal(agent_store_outbox_done(f->s, "m2", AGENT_OUTBOX_REJECTED, NULL, "late", 3000),
                   1);
  assert_int_equal(query_int(f->s, "SELECT state FROM outbox WHERE message_id = 'm2'"),
                   AGENT_OUTBOX_ACCEPTED);
  assert_int_equal(agent_store_outbox_done(f->s, "nope", AGENT_OUTBOX_ACCEPTED, NULL, NULL, 2000),
                   1);
  assert_int_equal(count_pending(f->s), 2);
}

/* A receipt's commit is not flushed on its own, but the store is back at
 * synchronous=FULL after it (the next put is durable when it returns), and
 * inside a transaction the receipt waits for the caller's commit. */
static void test_done_lazy_then_full(void **state) {
  fixture_t *f = *state;
  put3(f->s);
  assert_int_equal(
      agent_store_outbox_done(f->s, "m1", AGENT_OUTBOX_ACCEPTED, "MASH-000001", NULL, 2000), 0);
  assert_int_equal(query_int(f->s, "PRAGMA synchronous"), 2);
  assert_int_equal(agent_store_begin(f->s), 0);
  assert_int_equal(
      agent_store_outbox_done(f->s, "m2", AGENT_OUTBOX_ACCEPTED, "MASH-000002", NULL, 2100), 0);
  assert_int_equal(agent_store_rollback(f->s), 0);
  assert_int_equal(count_pending(f->s), 2);
  assert_int_equal(query_int(f->s, "PRAGMA synchronous"), 2);
  assert_int_equal(agent_store_outbox_put(f->s, "m4", "four", (const uint8_t *)"x", 1, 2200), 0);
  assert_int_equal(count_pending(f->s), 3);
}

static void test_reopen_persists(void **state) {
  fixture_t *f = *state;
  put3(f->s);
  assert_int_equal(
      agent_store_outbox_done(f->s, "m1", AGENT_OUTBOX_REJECTED, NULL, "bad postcode", 2500), 0);
  assert_int_equal(agent_store_inbox_mark(f->s, "in-1", 2600), 0);
  agent_store_destroy(&f->s);
  assert_null(f->s);

  f->s = open_store(f);
  assert_int_equal(count_pending(f->s), 2);
  visit_t v = {0};
  assert_int_equal(agent_store_outbox_pending(f->s, visit_cb, &v), 0);
  assert_int_equal(v.n, 2);
  assert_string_equal(v.ids[0], "m2");
  assert_string_equal(v.ids[1], "m3");
  assert_int_equal(query_int(f->s, "SELECT state FROM outbox WHERE message_id = 'm1'"),
                   AGENT_OUTBOX_REJECTED);
  assert_int_equal(query_int(f->s, "SELECT done_ms FROM outbox WHERE message_id = 'm1'"), 2500);
  /* The detail is sealed: not stored as written, read back through the label. */
  assert_int_equal(query_int(f->s, "SELECT detail = 'bad postcode' FROM outbox"
                                   " WHERE message_id = 'm1'"),
                   0);
  int st = -1;
  char detail[64] = "";
  assert_int_equal(agent_store_outbox_by_label(f->s, "m1", &st, NULL, 0, detail, sizeof detail), 1);
  assert_string_equal(detail, "bad postcode");
  assert_int_equal(agent_store_inbox_seen(f->s, "in-1"), 1);
  assert_int_equal(query_int(f->s, "PRAGMA user_version"), 3);
}

/* The latest entry with a label is found, with its state, contact and detail. */
static void test_by_label(void **state) {
  fixture_t *f = *state;
  int st = -1;
  char contact[32] = "x", detail[64] = "x";
  assert_int_equal(agent_store_outbox_by_label(f->s, "a.json", &st, contact, sizeof contact, detail,
                                               sizeof detail),
                   0);
  assert_int_equal(agent_store_outbox_put(f->s, "m1", "a.json", (const uint8_t *)"one", 3, 1000),
                   0);
  assert_int_equal(agent_store_outbox_by_label(f->s, "a.json", &st, contact, sizeof contact, detail,
                                               sizeof detail),
                   1);
  assert_int_equal(st, AGENT_OUTBOX_PENDING);
  assert_int_equal(
      agent_store_outbox_done(f->s, "m1", AGENT_OUTBOX_ACCEPTED, "MASH-000007", NULL, 2000), 0);
  /* A later file of the same name: the latest entry answers. */
  assert_int_equal(agent_store_outbox_put(f->s, "m2", "a.json", (const uint8_t *)"two", 3, 3000),
                   0);
  assert_int_equal(
      agent_store_outbox_done(f->s, "m2", AGENT_OUTBOX_REJECTED, NULL, "dob: in the future", 4000),
      0);
  assert_int_equal(agent_store_outbox_by_label(f->s, "a.json", &st, contact, sizeof contact, detail,
                                               sizeof detail),
                   1);
  assert_int_equal(st, AGENT_OUTBOX_REJECTED);
  assert_string_equal(contact, "");
  assert_string_equal(detail, "dob: in the future");
  assert_int_equal(agent_store_outbox_by_label(f->s, "a.json", &st, NULL, 0, NULL, 0), 1);
}

/* 1 when the store's files (database and write-ahead log) hold `marker`. */
static int s_files_hold(const fixture_t *f, const char *marker) {
  const char *suffixes[] = {"", "-wal"};
  for (size_t i = 0; i < 2; i++) {
    char p[160];
    path_in(f, suffixes[i], p, sizeof(p));
    FILE *fp = fopen(p, "rb");
    if (fp == NULL) {
      continue;
    }
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    size_t k = strlen(marker);
    for (size_t j = 0; j + k <= n; j++) {
      if (memcmp(buf + j, marker, k) == 0) {
        return 1;
      }
    }
  }
  return 0;
}

/* Issue 13: frames, labels and details are sealed; a frame is dropped once
 * its receipt is stored; neither file holds them in plaintext. */
static void test_sealed_and_dropped(void **state) {
  fixture_t *f = *state;
  const char *frame = "MarkerFrameOtter";
  assert_int_equal(agent_store_outbox_put(f->s, "m1", "MarkerLabelHeron.json",
                                          (const uint8_t *)frame, strlen(frame), 1000),
                   0);
  assert_int_equal(query_int(f->s, "SELECT count(*) FROM outbox WHERE instr(frame, "
                                   "CAST('MarkerFrameOtter' AS BLOB)) > 0 OR instr(label, "
                                   "CAST('MarkerLabelHeron' AS BLOB)) > 0"),
                   0);
  assert_false(s_files_hold(f, "MarkerFrameOtter"));
  assert_false(s_files_hold(f, "MarkerLabelHeron"));
  visit_t v = {0};
  assert_int_equal(agent_store_outbox_pending(f->s, visit_frames_cb, &v), 0);
  assert_int_equal(v.n, 1);
  assert_string_equal(v.frames[0], "MarkerFrameOtter");
  /* The receipt drops the frame; the label still finds the entry. */
  assert_int_equal(
      agent_store_outbox_done(f->s, "m1", AGENT_OUTBOX_REJECTED, NULL, "MarkerDetailLynx", 2000),
      0);
  assert_int_equal(query_int(f->s, "SELECT length(frame) FROM outbox WHERE message_id = 'm1'"), 0);
  int st = -1;
  char detail[64] = "";
  assert_int_equal(agent_store_outbox_by_label(f->s, "MarkerLabelHeron.json", &st, NULL, 0, detail,
                                               sizeof detail),
                   1);
  assert_string_equal(detail, "MarkerDetailLynx");
  assert_false(s_files_hold(f, "MarkerDetailLynx"));
}

/* A store sealed with one data key is refused with another. */
static void test_other_key_refused(void **state) {
  fixture_t *f = *state;
  put(f->s, "m1", "frame-one");
  agent_store_destroy(&f->s);
  mash_seal_t *other = test_seal_key_new();
  assert_non_null(other);
  char err[256] = "";
  assert_null(agent_store_new(f->path, other, err, sizeof(err)));
  assert_non_null(strstr(err, "data key does not open"));
  mash_seal_destroy(&other);
  f->s = open_store(f);
  assert_int_equal(count_pending(f->s), 1);
}

/* A version 1 file (before the label index) is brought to version 2 with
 * its entries intact. */
static void test_migrates_v1(void **state) {
  fixture_t *f = *state;
  /* A version 1 store as an older agent wrote it: plaintext rows, one
   * waiting for its receipt, one receipted. */
  agent_store_destroy(&f->s);
  unlink(f->path);
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(db,
                   "PRAGMA journal_mode = WAL;"
                   "CREATE TABLE outbox(seq INTEGER PRIMARY KEY, message_id TEXT NOT NULL UNIQUE,"
                   " label TEXT, frame BLOB NOT NULL, created_ms INTEGER NOT NULL,"
                   " state INTEGER NOT NULL DEFAULT 0, contact_id TEXT, detail TEXT,"
                   " done_ms INTEGER);"
                   "CREATE INDEX outbox_pending ON outbox(seq) WHERE state = 0;"
                   "CREATE TABLE inbox(message_id TEXT PRIMARY KEY, seen_ms INTEGER NOT NULL);"
                   "INSERT INTO outbox(message_id, label, frame, created_ms, state) VALUES"
                   " ('m1', 'a.json', CAST('MarkerPendingOwl' AS BLOB), 1, 0);"
                   "INSERT INTO outbox(message_id, label, frame, created_ms, state, contact_id,"
                   " detail) VALUES ('m2', 'b.json', CAST('MarkerDoneVole' AS BLOB), 2, 1,"
                   " 'MASH-000001', 'MarkerDetailWren');"
                   "PRAGMA user_version = 1;",
                   NULL, NULL, NULL),
      SQLITE_OK);
  sqlite3_close(db);
  assert_true(s_files_hold(f, "MarkerPendingOwl"));
  f->s = open_store(f);
  assert_int_equal(query_int(f->s, "PRAGMA user_version"), 3);
  assert_int_equal(
      query_int(f->s, "SELECT count(*) FROM sqlite_master WHERE name = 'outbox_label_ix'"), 1);
  /* The pending frame is sealed and still sent; the receipted one is gone. */
  visit_t v = {0};
  assert_int_equal(agent_store_outbox_pending(f->s, visit_frames_cb, &v), 0);
  assert_int_equal(v.n, 1);
  assert_string_equal(v.frames[0], "MarkerPendingOwl");
  assert_int_equal(query_int(f->s, "SELECT length(frame) FROM outbox WHERE message_id = 'm2'"), 0);
  int st = -1;
  char contact[32] = "", detail[64] = "";
  assert_int_equal(agent_store_outbox_by_label(f->s, "b.json", &st, contact, sizeof contact, detail,
                                               sizeof detail),
                   1);
  assert_int_equal(st, AGENT_OUTBOX_ACCEPTED);
  assert_string_equal(contact, "MASH-000001");
  assert_string_equal(detail, "MarkerDetailWren");
  /* Rewritten and vacuumed: no plaintext left in either file. */
  assert_false(s_files_hold(f, "MarkerPendingOwl"));
  assert_false(s_files_hold(f, "MarkerDoneVole"));
  assert_false(s_files_hold(f, "MarkerDetailWren"));
}

static void test_duplicate_put(void **state) {
  fixture_t *f = *state;
  put(f->s, "m1", "first");
  assert_int_equal(agent_store_outbox_put(f->s, "m1", "other", (const uint8_t *)"second", 6, 1500),
                   0);
  assert_int_equal(query_int(f->s, "SELECT count(*) FROM outbox"), 1);
  assert_int_equal(count_pending(f->s), 1);
  visit_t v = {0};
  assert_int_equal(agent_store_outbox_pending(f->s, visit_cb, &v), 0);
  assert_int_equal(v.n, 1);
  assert_string_equal(v.frames[0], "first");
}

static void test_put_empty_frame_and_null_label(void **state) {
  fixture_t *f = *state;
  assert_int_equal(agent_store_outbox_put(f->s, "e1", NULL, NULL, 0, 1000), 0);
  assert_int_equal(count_pending(f->s), 1);
  /* Sealed: an empty frame is the seal's overhead alone. */
  assert_int_equal(query_int(f->s, "SELECT length(frame) FROM outbox"), MASH_SEAL_OVERHEAD);
  assert_int_equal(query_int(f->s, "SELECT label IS NULL FROM outbox"), 1);
  visit_t v = {0};
  assert_int_equal(agent_store_outbox_pending(f->s, visit_frames_cb, &v), 0);
  assert_int_equal(v.n, 1);
  assert_string_equal(v.frames[0], "");
}

static void test_inbox(void **state) {
  fixture_t *f = *state;
  assert_int_equal(agent_store_inbox_seen(f->s, "in-1"), 0);
  assert_int_equal(agent_store_inbox_mark(f->s, "in-1", 1000), 0);
  assert_int_equal(agent_store_inbox_seen(f->s, "in-1"), 1);
  assert_int_equal(agent_store_inbox_seen(f->s, "in-2"), 0);
  /* Marking again is harmless and keeps the first time seen. */
  assert_int_equal(agent_store_inbox_mark(f->s, "in-1", 9000), 0);
  assert_int_equal(query_int(f->s, "SELECT count(*) FROM inbox"), 1);
  assert_int_equal(query_int(f->s, "SELECT seen_ms FROM inbox"), 1000);
}

static void test_rollback_discards(void **state) {
  fixture_t *f = *state;
  assert_int_equal(agent_store_begin(f->s), 0);
  put(f->s, "m1", "frame-one");
  assert_int_equal(agent_store_inbox_mark(f->s, "in-1", 1000), 0);
  assert_int_equal(count_pending(f->s), 1);
  assert_int_equal(agent_store_rollback(f->s), 0);
  assert_int_equal(count_pending(f->s), 0);
  assert_int_equal(agent_store_inbox_seen(f->s, "in-1"), 0);

  /* The store is usable again, and a committed transaction is kept. */
  assert_int_equal(agent_store_begin(f->s), 0);
  put(f->s, "m2", "frame-two");
  assert_int_equal(agent_store_inbox_mark(f->s, "in-2", 1000), 0);
  assert_int_equal(agent_store_commit(f->s), 0);
  agent_store_destroy(&f->s);
  f->s = open_store(f);
  assert_int_equal(count_pending(f->s), 1);
  assert_int_equal(agent_store_inbox_seen(f->s, "in-2"), 1);
}

static void test_file_mode(void **state) {
  fixture_t *f = *state;
  put3(f->s); /* so the -wal file exists too */
  struct stat st;
  assert_int_equal(stat(f->path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  char wal[160];
  path_in(f, "-wal", wal, sizeof(wal));
  assert_int_equal(stat(wal, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);

  /* A file left readable by an earlier version is tightened on open. */
  agent_store_destroy(&f->s);
  assert_int_equal(chmod(f->path, 0644), 0);
  f->s = open_store(f);
  assert_int_equal(stat(f->path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_journal_mode_wal(void **state) {
  fixture_t *f = *state;
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(agent_store_db(f->s), "PRAGMA journal_mode", -1, &st, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
  sqlite3_finalize(st);
  /* synchronous=FULL is 2. */
  assert_int_equal(query_int(f->s, "PRAGMA synchronous"), 2);
}

/* Open the agent store at path with the seal arg (test_race_all_open). */
static int s_open_store(const char *path, void *arg, char *err, size_t errlen) {
  agent_store_t *s = agent_store_new(path, arg, err, errlen);
  int rc = s != NULL ? 0 : -1;
  agent_store_destroy(&s);
  return rc;
}

/* Several processes of one adapter (one-shot submits in a burst) open the
 * same fresh state file at once: each opens it (turning a new file to WAL
 * answered BUSY at once to all but one, "cannot enable WAL: database is
 * locked", integration_test_storm saw it). */
static void test_fresh_file_opened_at_once(void **state) {
  fixture_t *f = *state;
  for (int round = 0; round < 25; round++) {
    char path[160];
    snprintf(path, sizeof path, "%s/race-%d.db", f->dir, round);
    test_race_all_open(round, path, s_open_store, f->seal);
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
      char p2[200];
      snprintf(p2, sizeof p2, "%s%s", path, suffixes[i]);
      unlink(p2);
    }
  }
}

static void test_newer_schema_refused(void **state) {
  fixture_t *f = *state;
  assert_int_equal(sqlite3_exec(agent_store_db(f->s), "PRAGMA user_version = 99", NULL, NULL, NULL),
                   SQLITE_OK);
  agent_store_destroy(&f->s);
  char err[256] = "";
  assert_null(agent_store_new(f->path, f->seal, err, sizeof(err)));
  assert_non_null(strstr(err, "99"));
}

static void test_bad_path(void **state) {
  fixture_t *f = *state;
  char path[160];
  path_in(f, ".missing/agent.db", path, sizeof(path));
  char err[256] = "";
  assert_null(agent_store_new(path, f->seal, err, sizeof(err)));
  assert_true(err[0] != '\0');
  /* A NULL error buffer is allowed. */
  assert_null(agent_store_new(path, f->seal, NULL, 0));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_pending_in_order, setup, teardown),
      cmocka_unit_test_setup_teardown(test_pending_stops_on_nonzero, setup, teardown),
      cmocka_unit_test_setup_teardown(test_done_from_callback, setup, teardown),
      cmocka_unit_test_setup_teardown(test_done, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reopen_persists, setup, teardown),
      cmocka_unit_test_setup_teardown(test_done_lazy_then_full, setup, teardown),
      cmocka_unit_test_setup_teardown(test_duplicate_put, setup, teardown),
      cmocka_unit_test_setup_teardown(test_put_empty_frame_and_null_label, setup, teardown),
      cmocka_unit_test_setup_teardown(test_inbox, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rollback_discards, setup, teardown),
      cmocka_unit_test_setup_teardown(test_file_mode, setup, teardown),
      cmocka_unit_test_setup_teardown(test_journal_mode_wal, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fresh_file_opened_at_once, setup, teardown),
      cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_by_label, setup, teardown),
      cmocka_unit_test_setup_teardown(test_migrates_v1, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sealed_and_dropped, setup, teardown),
      cmocka_unit_test_setup_teardown(test_other_key_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_path, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
