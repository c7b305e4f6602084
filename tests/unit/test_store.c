/* test_store: a store through store.h, on real files in a temporary
 * directory (SQLite) or a real server (PostgreSQL, run by tests/pg/with-pg.sh
 * with MASH_TEST_STORE=postgresql: see store_fixture.h): de-duplication,
 * persistence, the delivery outbox, sealing on disk, tamper detection and
 * the durability settings. Must not: reach into either store's private
 * struct; SQLite's own connection is observed through an SQLite
 * auto-extension instead. */
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

#include <sqlite3.h>

#include "seal.h"
#include "store.h"
#include "store_fixture.h"
#include "test_dir.h"

/* Allocated by the library (read_file below uses the real allocator too),
 * released with the real free before cmocka redefines it. */
static void lib_free(void *p) {
  free(p);
}

/* The whole file, via the real allocator; NULL with *len 0 when absent. */
static uint8_t *read_file(const char *path, size_t *len) {
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  uint8_t *buf = NULL;
  size_t cap = 0;
  for (;;) {
    if (*len == cap) {
      cap = cap ? cap * 2 : 65536;
      uint8_t *nb = realloc(buf, cap);
      if (!nb)
        break;
      buf = nb;
    }
    size_t n = fread(buf + *len, 1, cap - *len, f);
    if (n == 0)
      break;
    *len += n;
  }
  fclose(f);
  return buf;
}

#define UNIT_TESTING 1
#include <cmocka.h>

/* memmem is a GNU extension; the build is plain POSIX. */
static int contains(const uint8_t *hay, size_t len, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; n <= len && i <= len - n; i++)
    if (memcmp(hay + i, needle, n) == 0)
      return 1;
  return 0;
}

/* The last connection SQLite opened in this process (see file comment). */
static sqlite3 *last_db;

static int record_db(sqlite3 *db, char **errmsg, const struct sqlite3_api_routines *api) {
  (void)errmsg;
  (void)api;
  last_db = db;
  return SQLITE_OK;
}

typedef struct fixture {
  char dir[64];
  char key[128];
  char db[128];
  mash_seal_t *seal;
  mash_store_t *store;
} fixture_t;

static void path_in(const fixture_t *f, const char *name, char *out, size_t len) {
  int n = snprintf(out, len, "%s/%s", f->dir, name);
  assert_true(n > 0 && (size_t)n < len);
}

static mash_store_t *open_store(fixture_t *f) {
  char err[256] = "";
  mash_store_t *s = store_fixture_open(f->db, f->seal, err, sizeof err);
  if (!s)
    print_error("open failed: %s\n", err);
  assert_non_null(s);
  return s;
}

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-store-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  path_in(f, "data.key", f->key, sizeof f->key);
  path_in(f, "mash.db", f->db, sizeof f->db);
  char err[256];
  f->seal = mash_seal_new(f->key, 1, err, sizeof err);
  assert_non_null(f->seal);
  assert_int_equal(store_fixture_reset(), 0);
  f->store = open_store(f);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  mash_store_destroy(&f->store);
  assert_null(f->store);
  mash_seal_destroy(&f->seal);
  /* Whatever the store made there (the id mark's hidden copy too). */
  assert_int_equal(test_dir_remove(f->dir), 0);
  free(f);
  return 0;
}

static int intake(mash_store_t *s, const char *principal, const char *message_id,
                  const char *contact, mash_intake_t *out) {
  memset(out, 0, sizeof *out);
  out->principal = principal;
  out->message_id = message_id;
  out->received_at_ms = 1700000000000;
  out->contact = (const uint8_t *)contact;
  out->contact_len = strlen(contact);
  return mash_store_intake(s, out);
}

static int64_t count(mash_store_t *s) {
  int64_t n = -1;
  assert_int_equal(mash_store_count_contacts(s, &n), 0);
  return n;
}

/* What load_undelivered handed back. */
typedef struct loaded {
  int n;
  int stop_after; /* 0: never stop */
  char ids[8][MASH_CONTACT_ID_LEN];
  int64_t at[8];
  char contact[8][128];
} loaded_t;

static int collect_cb(const char *contact_id, int64_t received_at_ms, const uint8_t *contact,
                      size_t len, void *arg) {
  loaded_t *l = arg;
  assert_true(l->n < 8);
  assert_true(len < sizeof l->contact[0]);
  snprintf(l->ids[l->n], sizeof l->ids[0], "%s", contact_id);
  l->at[l->n] = received_at_ms;
  if (contact == NULL) { /* a blob that failed to open */
    assert_int_equal(len, 0);
    snprintf(l->contact[l->n], sizeof l->contact[0], "<damaged>");
  } else {
    memcpy(l->contact[l->n], contact, len);
    l->contact[l->n][len] = '\0';
  }
  l->n++;
  return l->stop_after && l->n >= l->stop_after;
}

static void test_intake_new(void **state) {
  fixture_t *f = *state;
  mash_intake_t in;
  assert_int_equal(intake(f->store, "police", "m-1", "contact one", &in), 0);
  assert_int_equal(in.status, MASH_INTAKE_NEW);
  assert_string_equal(in.contact_id, "MASH-000001");
  assert_int_equal(intake(f->store, "police", "m-2", "contact two", &in), 0);
  assert_int_equal(in.status, MASH_INTAKE_NEW);
  assert_string_equal(in.contact_id, "MASH-000002");
  assert_int_equal(count(f->store), 2);
}

static void test_intake_duplicate(void **state) {
  fixture_t *f = *state;
  mash_intake_t in;
  assert_int_equal(intake(f->store, "police", "m-1", "contact one", &in), 0);
  assert_string_equal(in.contact_id, "MASH-000001");
  assert_int_equal(intake(f->store, "police", "m-1", "contact one again", &in), 0);
  assert_int_equal(in.status, MASH_INTAKE_DUPLICATE);
  assert_string_equal(in.contact_id, "MASH-000001");
  assert_int_equal(count(f->store), 1);

  /* Within one transaction the second intake sees the first's row. */
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(intake(f->store, "health", "h-9", "contact two", &in), 0);
  assert_int_equal(in.status, MASH_INTAKE_NEW);
  assert_string_equal(in.contact_id, "MASH-000002");
  assert_int_equal(intake(f->store, "health", "h-9", "contact two", &in), 0);
  assert_int_equal(in.status, MASH_INTAKE_DUPLICATE);
  assert_string_equal(in.contact_id, "MASH-000002");
  assert_int_equal(intake(f->store, "health", "h-10", "contact three", &in), 0);
  assert_string_equal(in.contact_id, "MASH-000003");
  assert_int_equal(mash_store_commit(f->store), 0);
  assert_int_equal(count(f->store), 3);
}

static void test_intake_other_principal(void **state) {
  fixture_t *f = *state;
  mash_intake_t in;
  assert_int_equal(intake(f->store, "police", "shared-id", "from police", &in), 0);
  assert_string_equal(in.contact_id, "MASH-000001");
  assert_int_equal(intake(f->store, "school", "shared-id", "from school", &in), 0);
  assert_int_equal(in.status, MASH_INTAKE_NEW);
  assert_string_equal(in.contact_id, "MASH-000002");
  assert_int_equal(count(f->store), 2);
}

static void test_rollback(void **state) {
  fixture_t *f = *state;
  mash_intake_t in;
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(intake(f->store, "police", "m-1", "rolled back", &in), 0);
  assert_int_equal(mash_store_rollback(f->store), 0);
  assert_int_equal(count(f->store), 0);
  assert_int_equal(intake(f->store, "police", "m-1", "kept", &in), 0);
  assert_int_equal(in.status, MASH_INTAKE_NEW);
  assert_string_equal(in.contact_id, "MASH-000001");
}

static void test_bad_arguments(void **state) {
  fixture_t *f = *state;
  mash_intake_t in;
  memset(&in, 0, sizeof in);
  in.message_id = "m";
  assert_int_equal(mash_store_intake(f->store, &in), -EINVAL);
  in.principal = "police";
  in.contact_len = 3; /* but no contact */
  assert_int_equal(mash_store_intake(f->store, &in), -EINVAL);
  assert_int_equal(count(f->store), 0);
}

static void test_reopen_persists(void **state) {
  fixture_t *f = *state;
  mash_intake_t in;
  assert_int_equal(intake(f->store, "police", "m-1", "first", &in), 0);
  assert_int_equal(intake(f->store, "police", "m-2", "second", &in), 0);
  assert_int_equal(intake(f->store, "police", "m-3", "third", &in), 0);
  assert_int_equal(mash_store_mark_delivered(f->store, "MASH-000002", "hub", 1700000000500), 0);
  mash_store_destroy(&f->store);

  f->store = open_store(f);
  assert_int_equal(count(f->store), 3);
  assert_int_equal(intake(f->store, "police", "m-2", "second", &in), 0);
  assert_int_equal(in.status, MASH_INTAKE_DUPLICATE);
  assert_string_equal(in.contact_id, "MASH-000002");
  assert_int_equal(intake(f->store, "police", "m-4", "fourth", &in), 0);
  assert_string_equal(in.contact_id, "MASH-000004");

  loaded_t l = {0};
  assert_int_equal(mash_store_load_undelivered(f->store, collect_cb, &l), 0);
  assert_int_equal(l.n, 3);
  assert_string_equal(l.ids[0], "MASH-000001");
  assert_string_equal(l.contact[0], "first");
  assert_string_equal(l.ids[1], "MASH-000003");
  assert_string_equal(l.contact[1], "third");
  assert_string_equal(l.ids[2], "MASH-000004");
  assert_string_equal(l.contact[2], "fourth");
  assert_int_equal(l.at[0], 1700000000000);
}

static void test_mark_delivered(void **state) {
  fixture_t *f = *state;
  mash_intake_t in;
  assert_int_equal(intake(f->store, "police", "m-1", "one", &in), 0);
  assert_int_equal(intake(f->store, "police", "m-2", "two", &in), 0);
  assert_int_equal(intake(f->store, "police", "m-3", "three", &in), 0);

  loaded_t l = {0};
  assert_int_equal(mash_store_load_undelivered(f->store, collect_cb, &l), 0);
  assert_int_equal(l.n, 3);

  assert_int_equal(mash_store_mark_delivered(f->store, "MASH-000002", "hub", 1), 0);
  /* Idempotent: the hub may acknowledge twice. */
  assert_int_equal(mash_store_mark_delivered(f->store, "MASH-000002", "hub", 2), 0);
  assert_int_equal(mash_store_mark_delivered(f->store, "MASH-000099", "hub", 3), -ENOENT);

  memset(&l, 0, sizeof l);
  assert_int_equal(mash_store_load_undelivered(f->store, collect_cb, &l), 0);
  assert_int_equal(l.n, 2);
  assert_string_equal(l.ids[0], "MASH-000001");
  assert_string_equal(l.contact[0], "one");
  assert_string_equal(l.ids[1], "MASH-000003");
  assert_string_equal(l.contact[1], "three");

  /* A non-zero return stops the walk, and the store is usable after. */
  memset(&l, 0, sizeof l);
  l.stop_after = 1;
  assert_int_equal(mash_store_load_undelivered(f->store, collect_cb, &l), 0);
  assert_int_equal(l.n, 1);
  memset(&l, 0, sizeof l);
  assert_int_equal(mash_store_load_undelivered(f->store, collect_cb, &l), 0);
  assert_int_equal(l.n, 2);
}

/* Every file of the PostgreSQL cluster (MASH_TEST_PG_DATA), after a
 * checkpoint: the contact ids are there in the clear (so the bytes were
 * read), the content is not. */
static int pg_scan(const char *dir, const char *marker, int *ids) {
  char cmd[512];
  int found = 0;
  snprintf(cmd, sizeof cmd, "find '%s' -type f", dir);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  char path[400];
  while (fgets(path, sizeof path, p)) {
    path[strcspn(path, "\n")] = '\0';
    size_t len = 0;
    uint8_t *bytes = read_file(path, &len);
    if (!bytes)
      continue;
    found |= contains(bytes, len, marker) || contains(bytes, len, "Jamie");
    *ids |= contains(bytes, len, "MASH-000020");
    lib_free(bytes);
  }
  pclose(p);
  return found;
}

static void pg_files_sealed(const char *marker) {
  const char *data = getenv("MASH_TEST_PG_DATA");
  assert_non_null(data);
  assert_int_equal(store_fixture_sql(NULL, "CHECKPOINT"), 0);
  int ids = 0;
  assert_false(pg_scan(data, marker, &ids));
  assert_true(ids);
}

static void test_blob_sealed_on_disk(void **state) {
  fixture_t *f = *state;
  static const char marker[] = "PLAINTEXT-MARKER-Jamie-Smith-2017";
  mash_intake_t in;
  assert_int_equal(mash_store_begin(f->store), 0);
  for (int i = 0; i < 20; i++) {
    char mid[32];
    snprintf(mid, sizeof mid, "m-%d", i);
    assert_int_equal(intake(f->store, "police", mid, marker, &in), 0);
  }
  assert_int_equal(mash_store_commit(f->store), 0);
  if (store_fixture_is_pg()) {
    pg_files_sealed(marker);
    return;
  }

  /* Look at the WAL while open, then the main file after close (which
   * checkpoints). The contact ids are stored in the clear, so finding
   * them proves the bytes were read. */
  char wal[128];
  path_in(f, "mash.db-wal", wal, sizeof wal);
  size_t len = 0;
  uint8_t *bytes = read_file(wal, &len);
  assert_non_null(bytes);
  assert_true(contains(bytes, len, "MASH-000020"));
  assert_false(contains(bytes, len, marker));
  assert_false(contains(bytes, len, "Jamie"));
  lib_free(bytes);

  mash_store_destroy(&f->store);
  bytes = read_file(f->db, &len);
  assert_non_null(bytes);
  assert_true(contains(bytes, len, "MASH-000020"));
  assert_false(contains(bytes, len, marker));
  assert_false(contains(bytes, len, "Jamie"));
  lib_free(bytes);

  struct stat st;
  assert_int_equal(stat(f->db, &st), 0);
  assert_int_equal(st.st_mode & 077, 0);
}

/* Replace row `id`'s blob with `blob` (or, when NULL, flip one byte of it). */
static void tamper_pg(int id, const void *blob, int blob_len) {
  char sql[640];
  if (!blob) {
    snprintf(sql, sizeof sql,
             "UPDATE contacts SET blob = set_byte(blob, length(blob) / 2, "
             "get_byte(blob, length(blob) / 2) # 1) WHERE id = %d",
             id);
  } else {
    char hex[2 * 256 + 1];
    assert_true(blob_len <= 256);
    for (int i = 0; i < blob_len; i++)
      snprintf(hex + 2 * i, 3, "%02x", ((const uint8_t *)blob)[i]);
    snprintf(sql, sizeof sql, "UPDATE contacts SET blob = '\\x%s'::bytea WHERE id = %d", hex, id);
  }
  assert_int_equal(store_fixture_sql(NULL, sql), 0);
}

static void tamper(const fixture_t *f, int id, const void *blob, int blob_len) {
  if (store_fixture_is_pg()) {
    tamper_pg(id, blob, blob_len);
    return;
  }
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
  uint8_t buf[512];
  if (!blob) {
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT blob FROM contacts WHERE id = ?", -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_int(q, 1, id);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    blob_len = sqlite3_column_bytes(q, 0);
    assert_true(blob_len > 20 && blob_len <= (int)sizeof buf);
    memcpy(buf, sqlite3_column_blob(q, 0), (size_t)blob_len);
    sqlite3_finalize(q);
    buf[blob_len / 2] ^= 0x01;
    blob = buf;
  }
  sqlite3_stmt *u = NULL;
  assert_int_equal(
      sqlite3_prepare_v2(db, "UPDATE contacts SET blob = ? WHERE id = ?", -1, &u, NULL), SQLITE_OK);
  sqlite3_bind_blob(u, 1, blob, blob_len, SQLITE_TRANSIENT);
  sqlite3_bind_int(u, 2, id);
  assert_int_equal(sqlite3_step(u), SQLITE_DONE);
  assert_int_equal(sqlite3_changes(db), 1);
  sqlite3_finalize(u);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* A blob that fails to open is handed out without content (the caller
 * names and quarantines it) and the walk goes on: one damaged record does
 * not hold back the others. Getting it says why (-EBADMSG: tag mismatch). */
static void test_tampered_blob_fails_load(void **state) {
  fixture_t *f = *state;
  mash_intake_t in;
  assert_int_equal(intake(f->store, "police", "m-1", "one", &in), 0);
  assert_int_equal(intake(f->store, "police", "m-2", "two", &in), 0);
  mash_store_destroy(&f->store);

  tamper(f, 1, NULL, 0);
  f->store = open_store(f);
  loaded_t l = {0};
  assert_int_equal(mash_store_load_undelivered(f->store, collect_cb, &l), 0);
  assert_int_equal(l.n, 2);
  assert_string_equal(l.ids[0], "MASH-000001");
  assert_string_equal(l.contact[0], "<damaged>");
  assert_string_equal(l.ids[1], "MASH-000002");
  assert_string_equal(l.contact[1], "two");
  mash_contact_row_t row;
  assert_int_equal(mash_store_contact_get(f->store, "MASH-000001", &row), -EBADMSG);
  assert_null(row.blob);
  assert_string_equal(row.principal, "police");
}

/* The agency's resend of a quarantined contact (its record does not open)
 * replaces the record under the same contact id, once: it opens again,
 * waits for resolution and delivery anew, and a further resend is a plain
 * duplicate. A resend of a contact that opens replaces nothing. On both
 * engines (PostgreSQL answered every such resend "duplicate", so the desk
 * never got that child's contact). */
static void test_quarantined_resend_replaces(void **state) {
  fixture_t *f = *state;
  mash_intake_t in;
  assert_int_equal(intake(f->store, "police", "m-1", "one", &in), 0);
  assert_int_equal(intake(f->store, "police", "m-2", "two", &in), 0);
  assert_int_equal(mash_store_mark_delivered(f->store, "MASH-000001", "hub", 1700000000001), 0);
  mash_store_destroy(&f->store);
  tamper(f, 1, NULL, 0);
  f->store = open_store(f);

  assert_int_equal(intake(f->store, "police", "m-2", "two", &in), 0);
  assert_int_equal(in.status, MASH_INTAKE_DUPLICATE); /* opens: nothing replaced */
  assert_string_equal(in.contact_id, "MASH-000002");

  assert_int_equal(intake(f->store, "police", "m-1", "one again", &in), 0);
  assert_int_equal(in.status, MASH_INTAKE_REPLACED);
  assert_string_equal(in.contact_id, "MASH-000001");
  assert_int_equal(count(f->store), 2);
  mash_contact_row_t row;
  assert_int_equal(mash_store_contact_get(f->store, "MASH-000001", &row), 0);
  assert_int_equal(row.len, strlen("one again"));
  assert_memory_equal(row.blob, "one again", row.len);
  assert_int_equal(row.delivered, 0); /* to be delivered again */
  lib_free(row.blob);

  assert_int_equal(intake(f->store, "police", "m-1", "one once more", &in), 0);
  assert_int_equal(in.status, MASH_INTAKE_DUPLICATE);
  assert_string_equal(in.contact_id, "MASH-000001");
  assert_int_equal(mash_store_contact_get(f->store, "MASH-000001", &row), 0);
  assert_memory_equal(row.blob, "one again", row.len);
  lib_free(row.blob);
}

static void test_swapped_blob_fails_load(void **state) {
  fixture_t *f = *state;
  mash_intake_t in;
  assert_int_equal(intake(f->store, "police", "m-1", "one", &in), 0);
  assert_int_equal(intake(f->store, "police", "m-2", "two", &in), 0);
  mash_store_destroy(&f->store);

  /* Row 1's genuine blob moved onto row 2: it authenticates only as
   * MASH-000001, because the contact id is its associated data. */
  assert_int_equal(store_fixture_sql(f->db, "UPDATE contacts SET blob = (SELECT blob FROM "
                                            "contacts WHERE id = 1) WHERE id = 2"),
                   0);

  f->store = open_store(f);
  loaded_t l = {0};
  assert_int_equal(mash_store_load_undelivered(f->store, collect_cb, &l), 0);
  assert_int_equal(l.n, 2);
  assert_string_equal(l.ids[0], "MASH-000001");
  assert_string_equal(l.contact[0], "one");
  assert_string_equal(l.ids[1], "MASH-000002");
  assert_string_equal(l.contact[1], "<damaged>");
}

static void test_plaintext_blob_fails_load(void **state) {
  fixture_t *f = *state;
  mash_intake_t in;
  assert_int_equal(intake(f->store, "police", "m-1", "one", &in), 0);
  mash_store_destroy(&f->store);
  static const char plain[] = "a plaintext contact written by someone else";
  tamper(f, 1, plain, (int)sizeof plain);
  f->store = open_store(f);
  loaded_t l = {0};
  assert_int_equal(mash_store_load_undelivered(f->store, collect_cb, &l), 0);
  assert_int_equal(l.n, 1);
  assert_string_equal(l.contact[0], "<damaged>");
}

static const char *pragma(sqlite3 *db, const char *sql, char *buf, size_t len) {
  sqlite3_stmt *q = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(q), SQLITE_ROW);
  snprintf(buf, len, "%s", (const char *)sqlite3_column_text(q, 0));
  sqlite3_finalize(q);
  return buf;
}

/* PostgreSQL: commits wait for the WAL flush, and the schema is at the
 * version of the migration list (eleven, like SQLite's). */
static void pg_settings(void) {
  assert_int_equal(store_fixture_sql(NULL, "DO $$ BEGIN "
                                           "IF current_setting('synchronous_commit') <> 'on' "
                                           "OR current_setting('fsync') <> 'on' "
                                           "THEN RAISE 'not durable'; END IF; "
                                           "IF (SELECT version FROM mash_schema) <> 11 "
                                           "THEN RAISE 'schema version'; END IF; END $$"),
                   0);
}

/* Files refused at the adapters: stored once per (principal, message id),
 * read back in order, kept over a reopen. */
typedef struct rejections {
  int n;
  char principal[4][16];
  char fields[4][64];
} rejections_t;

static int rejection_cb(const char *principal, const char *fields, void *arg) {
  rejections_t *r = arg;
  if (r->n < 4) {
    snprintf(r->principal[r->n], sizeof r->principal[0], "%s", principal);
    snprintf(r->fields[r->n], sizeof r->fields[0], "%s", fields);
  }
  r->n++;
  return 0;
}

static void test_adapter_rejections(void **state) {
  fixture_t *f = *state;
  assert_int_equal(
      mash_store_adapter_rejection_put(f->store, "police", "r-1", "invalid", "children[0].dob", 1),
      1);
  assert_int_equal(
      mash_store_adapter_rejection_put(f->store, "police", "r-1", "invalid", "children[0].dob", 2),
      0); /* a resend */
  assert_int_equal(mash_store_adapter_rejection_put(f->store, "health", "r-1", "invalid",
                                                    "children[0].dob\nreference", 3),
                   1); /* another principal's id */
  mash_store_destroy(&f->store);
  f->store = open_store(f);
  rejections_t r = {0};
  assert_int_equal(mash_store_adapter_rejections(f->store, rejection_cb, &r), 0);
  assert_int_equal(r.n, 2);
  assert_string_equal(r.principal[0], "police");
  assert_string_equal(r.fields[0], "children[0].dob");
  assert_string_equal(r.principal[1], "health");
  assert_string_equal(r.fields[1], "children[0].dob\nreference");
}

/* A reader (the escalation log's feed reads through one): a session of
 * its own that sees what was committed, writes nothing, and opens another
 * reader like itself. */
static int s_step_count(uint64_t seq, const char *escalation_id, const uint8_t *event, size_t len,
                        void *arg) {
  (void)escalation_id;
  (void)event;
  (void)len;
  uint64_t *last = arg;
  *last = seq;
  return 0;
}

static void test_reader(void **state) {
  fixture_t *f = *state;
  char err[256] = "";
  mash_store_t *r = NULL;
  assert_int_equal(mash_store_open_reader(f->store, &r, err, sizeof err), 0);
  assert_non_null(r);
  uint64_t last = 0;
  assert_int_equal(mash_store_escalations_after(r, 0, 0, s_step_count, &last), 0);
  assert_int_equal(last, 0);
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_store_escalation_insert(f->store, "ESC-1", "ENQ-000001", "REQ-000001", 1, 5,
                                                (const uint8_t *)"ev", 2),
                   0);
  assert_int_equal(mash_store_commit(f->store), 0);
  assert_int_equal(mash_store_escalations_after(r, 0, 0, s_step_count, &last), 0);
  assert_true(last > 0);
  mash_store_esclog_state_t es;
  assert_int_equal(mash_store_esclog_state(r, &es), 0);
  assert_int_equal(es.steps, 1);
  assert_int_equal(es.last_seq, last);
  mash_intake_t in = {.principal = "police", .message_id = "m1"};
  assert_int_equal(mash_store_intake(r, &in), -ENOSYS);
  assert_int_equal(mash_store_esclog_mark(r, last), -ENOSYS);
  mash_store_t *r2 = NULL;
  assert_int_equal(mash_store_open_reader(r, &r2, err, sizeof err), 0);
  uint64_t last2 = 0;
  assert_int_equal(mash_store_escalations_after(r2, 0, 0, s_step_count, &last2), 0);
  assert_int_equal(last2, last);
  mash_store_destroy(&r2);
  mash_store_destroy(&r);
}

static void test_pragmas(void **state) {
  fixture_t *f = *state;
  if (store_fixture_is_pg()) {
    pg_settings();
    return;
  }
  /* The store's own connection: reopen it with the recorder installed. */
  mash_store_destroy(&f->store);
  last_db = NULL;
  assert_int_equal(sqlite3_auto_extension((void (*)(void))record_db), SQLITE_OK);
  f->store = open_store(f);
  sqlite3_reset_auto_extension();
  assert_non_null(last_db);
  char buf[32];
  assert_string_equal(pragma(last_db, "PRAGMA journal_mode", buf, sizeof buf), "wal");
  assert_string_equal(pragma(last_db, "PRAGMA synchronous", buf, sizeof buf), "2");
  /* Eleven migrations: contacts, the enquiry tables, the management-information
   * columns, the person index, the duties, the index of pending matches by
   * person, the refusals in the inbox, the term counts of names, the
   * escalation log's mark, the files refused at the adapters, the persons'
   * comparison summaries. */
  assert_string_equal(pragma(last_db, "PRAGMA user_version", buf, sizeof buf), "11");
  assert_true(strtol(pragma(last_db, "PRAGMA busy_timeout", buf, sizeof buf), NULL, 10) > 0);
  last_db = NULL;

  /* WAL is a property of the file: a fresh connection sees it too. */
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
  assert_string_equal(pragma(db, "PRAGMA journal_mode", buf, sizeof buf), "wal");
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void test_newer_schema_refused(void **state) {
  fixture_t *f = *state;
  mash_store_destroy(&f->store);
  assert_int_equal(store_fixture_sql(f->db, store_fixture_is_pg()
                                                ? "UPDATE mash_schema SET version = 99"
                                                : "PRAGMA user_version = 99"),
                   0);
  char err[256] = "";
  assert_null(store_fixture_open(f->db, f->seal, err, sizeof err));
  assert_non_null(strstr(err, "99"));
}

/* n contacts taken in and committed, as the storage thread does. */
static void intake_committed(mash_store_t *s, int from, int n) {
  for (int i = from; i < from + n; i++) {
    char mid[32];
    snprintf(mid, sizeof mid, "m-%d", i);
    mash_intake_t in;
    assert_int_equal(mash_store_begin(s), 0);
    assert_int_equal(intake(s, "police", mid, "c", &in), 0);
    assert_int_equal(mash_store_commit(s), 0);
  }
}

static char *read_mark(const fixture_t *f, char *buf, size_t cap) {
  char p[160];
  path_in(f, "mash.db.ids", p, sizeof p);
  FILE *fp = fopen(p, "r");
  assert_non_null(fp);
  size_t n = fread(buf, 1, cap - 1, fp);
  buf[n] = '\0';
  fclose(fp);
  struct stat st;
  assert_int_equal(stat(p, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  return buf;
}

/* The id mark (issue 10): ids are reserved in blocks of 64 (one synced
 * write per block) and the highest committed is recorded; a database that
 * lost receipted contacts (here: rows gone, as with a deleted -wal) is
 * refused, naming what is missing; accepting the loss issues new ids above
 * every id reserved, so none is reused, then and after a restart. */
static void test_id_mark_catches_lost_rows(void **state) {
  if (store_fixture_is_pg()) {
    /* Not yet on PostgreSQL (issue 15): quarantine of a damaged blob, the id mark. */
    print_message("test_id_mark_catches_lost_rows: SQLite only so far\n");
    skip();
  }
  fixture_t *f = *state;
  intake_committed(f->store, 1, 3);
  char buf[512];
  assert_non_null(
      strstr(read_mark(f, buf, sizeof buf), "contact  00000000000000000064 00000000000000000003 "));
  mash_store_destroy(&f->store);

  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "DELETE FROM contacts WHERE id > 1", NULL, NULL, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
  char err[2048] = "";
  assert_null(mash_store_sqlite_new(f->db, f->seal, err, sizeof err));
  assert_non_null(strstr(err, "behind its id mark"));
  assert_non_null(strstr(err, "contacts up to MASH-000003 were stored and receipted"));
  assert_non_null(strstr(err, "ends at MASH-000001 (2 missing)"));
  assert_non_null(strstr(err, "--accept-id-loss"));
  assert_null(strstr(err, "enquiries up to")); /* only what is missing is named */

  mash_store_sqlite_opts_t opts = {.accept_id_loss = 1};
  f->store = mash_store_sqlite_open(f->db, f->seal, &opts, err, sizeof err);
  assert_non_null(f->store);
  assert_non_null(strstr(opts.note, "2 contacts missing (MASH-000002 to MASH-000003)"));
  assert_non_null(strstr(opts.note, "new ones start at MASH-000065"));
  mash_intake_t in;
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(intake(f->store, "police", "after-1", "c", &in), 0);
  assert_int_equal(mash_store_commit(f->store), 0);
  assert_string_equal(in.contact_id, "MASH-000065");
  mash_store_destroy(&f->store);

  /* Accepted once: a plain start opens it, and goes on above the mark. */
  f->store = open_store(f);
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(intake(f->store, "police", "after-2", "c", &in), 0);
  assert_int_equal(mash_store_commit(f->store), 0);
  assert_string_equal(in.contact_id, "MASH-000066");
}

/* A rolled-back intake does not raise the committed mark: its id is issued
 * again, and the reopened store is not wrongly called behind. */
static void test_id_mark_ignores_rollback(void **state) {
  fixture_t *f = *state;
  intake_committed(f->store, 1, 1);
  mash_intake_t in;
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(intake(f->store, "police", "gone", "c", &in), 0);
  assert_string_equal(in.contact_id, "MASH-000002");
  assert_int_equal(mash_store_rollback(f->store), 0);
  mash_store_destroy(&f->store);
  f->store = open_store(f);
  intake_committed(f->store, 2, 1);
  assert_int_equal(count(f->store), 2);
}

/* Change one digit of the mark file `name`. */
static void damage_mark(const fixture_t *f, const char *name) {
  char p[160];
  path_in(f, name, p, sizeof p);
  int fd = open(p, O_WRONLY);
  assert_true(fd >= 0);
  assert_int_equal(pwrite(fd, "9", 1, 40), 1);
  close(fd);
}

/* A damaged mark is made again from its copy (and said so); with both
 * damaged it is refused (nothing can vouch for the database any more), and
 * --accept-id-loss makes it again from the database. */
static void test_id_mark_damaged(void **state) {
  if (store_fixture_is_pg()) {
    /* Not yet on PostgreSQL (issue 15): quarantine of a damaged blob, the id mark. */
    print_message("test_id_mark_damaged: SQLite only so far\n");
    skip();
  }
  fixture_t *f = *state;
  intake_committed(f->store, 1, 2);
  mash_store_destroy(&f->store);
  damage_mark(f, "mash.db.ids");
  char err[2048] = "";
  mash_store_sqlite_opts_t copy_opts = {0};
  f->store = mash_store_sqlite_open(f->db, f->seal, &copy_opts, err, sizeof err);
  assert_non_null(f->store);
  assert_non_null(strstr(copy_opts.note, "mash.db.ids was damaged (its check line"));
  assert_non_null(strstr(copy_opts.note, "made again from"));
  assert_non_null(strstr(copy_opts.note, "/.mash.db.ids"));
  intake_committed(f->store, 3, 1);
  mash_store_destroy(&f->store);
  char buf[1024];
  assert_non_null(strstr(read_mark(f, buf, sizeof buf), "contact  00000000000000000064 "
                                                        "00000000000000000003 "));

  damage_mark(f, "mash.db.ids");
  damage_mark(f, ".mash.db.ids");
  assert_null(mash_store_sqlite_new(f->db, f->seal, err, sizeof err));
  assert_non_null(strstr(err, "is damaged: its check line does not match"));
  assert_non_null(strstr(err, "its copy is damaged too"));
  mash_store_sqlite_opts_t opts = {.accept_id_loss = 1};
  f->store = mash_store_sqlite_open(f->db, f->seal, &opts, err, sizeof err);
  assert_non_null(f->store);
  assert_non_null(strstr(opts.note, "made again from the database"));
  intake_committed(f->store, 4, 1);
  assert_int_equal(count(f->store), 4);
}

/* Rows lost as with a deleted -wal file, deleted together with one of the
 * two files of the mark: the other still catches it, and is named. With
 * both deleted too it cannot be caught: the mark is made again from the
 * database, and the note says so (README.md's guarantees name this case). */
static void test_id_mark_copy(void **state) {
  if (store_fixture_is_pg()) {
    print_message("test_id_mark_copy: SQLite only\n");
    skip();
  }
  fixture_t *f = *state;
  intake_committed(f->store, 1, 3);
  mash_store_destroy(&f->store);
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "DELETE FROM contacts WHERE id > 1", NULL, NULL, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
  static const char *const files[] = {"mash.db.ids", ".mash.db.ids"};
  char saved[2][1024];
  for (int k = 0; k < 2; k++) {
    char p[160];
    path_in(f, files[k], p, sizeof p);
    FILE *fp = fopen(p, "r");
    assert_non_null(fp);
    saved[k][fread(saved[k], 1, sizeof saved[k] - 1, fp)] = '\0';
    fclose(fp);
  }
  for (int k = 0; k < 2; k++) {
    char gone[160], other[160], err[2048] = "";
    path_in(f, files[k], gone, sizeof gone);
    path_in(f, files[1 - k], other, sizeof other);
    assert_int_equal(unlink(gone), 0);
    assert_null(mash_store_sqlite_new(f->db, f->seal, err, sizeof err));
    assert_non_null(strstr(err, "behind its id mark"));
    assert_non_null(strstr(err, other));
    assert_non_null(strstr(err, "ends at MASH-000001 (2 missing)"));
    assert_int_equal(access(gone, F_OK), -1); /* refused: nothing written */
    FILE *fp = fopen(gone, "w");              /* put back for the next round */
    assert_non_null(fp);
    assert_true(fputs(saved[k], fp) >= 0);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(chmod(gone, 0600), 0);
  }
  for (int k = 0; k < 2; k++) {
    char p[160];
    path_in(f, files[k], p, sizeof p);
    assert_int_equal(unlink(p), 0);
  }
  char err[2048] = "";
  mash_store_sqlite_opts_t opts = {0};
  f->store = mash_store_sqlite_open(f->db, f->seal, &opts, err, sizeof err);
  assert_non_null(f->store);
  assert_non_null(strstr(opts.note, "no id mark was found (neither"));
  assert_non_null(strstr(opts.note, "made them from the database"));
  for (int k = 0; k < 2; k++) {
    char p[160];
    path_in(f, files[k], p, sizeof p);
    assert_int_equal(access(p, F_OK), 0);
  }
}

/* The mark as if last written in another boot of the machine, in `state`
 * ("clean" or "open ", which a power cut leaves), with its committed contact
 * number set to `committed`, its check line made again. */
static void mark_from_another_boot(const fixture_t *f, const char *state, long long committed) {
  char buf[1024];
  read_mark(f, buf, sizeof buf);
  char *boot = strstr(buf, "boot ");
  assert_non_null(boot);
  memset(boot + 5, '0', 36);
  char *was = boot + 5 + 36 + 1;
  assert_true(strncmp(was, "clean", 5) == 0 || strncmp(was, "open ", 5) == 0);
  memcpy(was, state, 5);
  char *c = strstr(buf, "contact  ");
  assert_non_null(c);
  char num[24];
  snprintf(num, sizeof num, "%020lld", committed);
  memcpy(c + 9 + 21, num, 20);
  char *check = strstr(buf, "check ");
  assert_non_null(check);
  uint32_t h = 2166136261u; /* FNV-1a, as the mark's check line */
  for (const char *p = buf; p < check; p++) {
    h = (h ^ (uint8_t)*p) * 16777619u;
  }
  snprintf(check, sizeof buf - (size_t)(check - buf), "check %08x\n", (unsigned)h);
  /* The mark and its copy alike, as the power cut left both. */
  static const char *const files[] = {"mash.db.ids", ".mash.db.ids"};
  for (size_t i = 0; i < 2; i++) {
    char p[160];
    path_in(f, files[i], p, sizeof p);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    assert_int_equal(fputs(buf, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
  }
}

/* The mark covers person and match ids too, records a clean stop, and after
 * a power cut (another boot, the store not closed cleanly) never reissues an
 * id of the block it may not have seen committed: here three receipted
 * contacts lost with the -wal file go undetected (the unsynced committed
 * number trailed them), yet the next id is above the whole reservation. */
static void test_id_mark_power_cut(void **state) {
  if (store_fixture_is_pg()) {
    /* The id mark belongs to the SQLite store. */
    print_message("test_id_mark_power_cut: SQLite only\n");
    skip();
  }
  fixture_t *f = *state;
  intake_committed(f->store, 1, 3);
  mash_store_destroy(&f->store);
  char buf[1024];
  read_mark(f, buf, sizeof buf);
  assert_non_null(strstr(buf, "mash-ids 2\n"));
  assert_non_null(strstr(buf, "\nperson   "));
  assert_non_null(strstr(buf, "\nmatch    "));
  assert_non_null(strstr(buf, " clean\n")); /* closed cleanly */

  /* A clean stop, then another boot: nothing skipped. */
  mark_from_another_boot(f, "clean", 3);
  char err[2048] = "";
  mash_store_sqlite_opts_t opts = {0};
  f->store = mash_store_sqlite_open(f->db, f->seal, &opts, err, sizeof err);
  assert_non_null(f->store);
  assert_string_equal(opts.note, "");
  read_mark(f, buf, sizeof buf);
  assert_non_null(strstr(buf, " open \n")); /* in use */
  intake_committed(f->store, 4, 1);
  assert_int_equal(count(f->store), 4);

  /* The power cut: rows 2 to 4 gone with the -wal, the mark's committed
   * number still 1 (its write after their commit was not synced). */
  mash_store_destroy(&f->store);
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "DELETE FROM contacts WHERE id > 1", NULL, NULL, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
  mark_from_another_boot(f, "open ", 1);
  f->store = mash_store_sqlite_open(f->db, f->seal, &opts, err, sizeof err);
  assert_non_null(f->store);
  assert_non_null(strstr(opts.note, "not closed cleanly before the machine restarted"));
  assert_non_null(strstr(opts.note, "new contacts start at MASH-000065"));
  mash_intake_t in;
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(intake(f->store, "police", "after-cut", "c", &in), 0);
  assert_int_equal(mash_store_commit(f->store), 0);
  assert_string_equal(in.contact_id, "MASH-000065");
  /* Once: a clean restart in this boot goes on from there. */
  mash_store_destroy(&f->store);
  f->store = open_store(f);
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(intake(f->store, "police", "after-restart", "c", &in), 0);
  assert_int_equal(mash_store_commit(f->store), 0);
  assert_string_equal(in.contact_id, "MASH-000066");
}

static void test_open_bad_path(void **state) {
  fixture_t *f = *state;
  char p[160], err[256] = "";
  snprintf(p, sizeof p, "%s/no/such/dir/mash.db", f->dir);
  if (store_fixture_is_pg()) {
    char url[200];
    snprintf(url, sizeof url, "host=%s/no/such/dir dbname=mash connect_timeout=2", f->dir);
    assert_null(mash_store_postgres_new(url, f->seal, err, sizeof err));
    assert_non_null(strstr(err, "PostgreSQL"));
  } else
    assert_null(mash_store_sqlite_new(p, f->seal, err, sizeof err));
  assert_true(strlen(err) > 0);
  mash_store_t *none = NULL;
  mash_store_destroy(&none); /* accepts NULL */
  mash_store_destroy(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_intake_new, setup, teardown),
      cmocka_unit_test_setup_teardown(test_intake_duplicate, setup, teardown),
      cmocka_unit_test_setup_teardown(test_intake_other_principal, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reopen_persists, setup, teardown),
      cmocka_unit_test_setup_teardown(test_mark_delivered, setup, teardown),
      cmocka_unit_test_setup_teardown(test_blob_sealed_on_disk, setup, teardown),
      cmocka_unit_test_setup_teardown(test_tampered_blob_fails_load, setup, teardown),
      cmocka_unit_test_setup_teardown(test_quarantined_resend_replaces, setup, teardown),
      cmocka_unit_test_setup_teardown(test_swapped_blob_fails_load, setup, teardown),
      cmocka_unit_test_setup_teardown(test_plaintext_blob_fails_load, setup, teardown),
      cmocka_unit_test_setup_teardown(test_adapter_rejections, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reader, setup, teardown),
      cmocka_unit_test_setup_teardown(test_pragmas, setup, teardown),
      cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_open_bad_path, setup, teardown),
      cmocka_unit_test_setup_teardown(test_id_mark_catches_lost_rows, setup, teardown),
      cmocka_unit_test_setup_teardown(test_id_mark_ignores_rollback, setup, teardown),
      cmocka_unit_test_setup_teardown(test_id_mark_damaged, setup, teardown),
      cmocka_unit_test_setup_teardown(test_id_mark_copy, setup, teardown),
      cmocka_unit_test_setup_teardown(test_id_mark_power_cut, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
