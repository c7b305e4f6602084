/* store_sqlite: the SQLite implementation of store.h, and the thin vtable
 * wrappers every implementation shares.
 *
 * Responsible for: opening the database (WAL, synchronous=FULL, a busy
 * timeout), migrating the schema (PRAGMA user_version), and the contact
 * table, with every statement prepared once and kept on the store. Contact
 * blobs are sealed with the contact id as associated data, so a blob copied
 * onto another row fails to open. Must not: write a plaintext blob, return
 * a blob that failed authentication, or be called from more than one thread
 * at a time (the storage thread owns it).
 */
#include "store.h"
#include "store_sqlite_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <sqlite3.h>

#define BUSY_TIMEOUT_MS 5000

/* Migration n (0-based) takes user_version n to n + 1. Append, never edit. */
static const char *const MIGRATIONS[] = {
    "CREATE TABLE contacts ("
    "  id INTEGER PRIMARY KEY,"
    "  contact_id TEXT NOT NULL UNIQUE,"
    "  principal TEXT NOT NULL,"
    "  message_id TEXT NOT NULL,"
    "  received_at_ms INTEGER NOT NULL,"
    "  blob BLOB NOT NULL,"
    "  delivered_at_ms INTEGER NULL,"
    "  delivered_to TEXT NULL,"
    "  UNIQUE (principal, message_id));"
    "CREATE INDEX contacts_undelivered ON contacts (id) WHERE delivered_at_ms IS NULL;",
    STORE_ENQ_MIGRATION,
    STORE_MI_MIGRATION,
    STORE_PERSON_MIGRATION,
};
#define SCHEMA_VERSION ((int)(sizeof MIGRATIONS / sizeof MIGRATIONS[0]))

enum {
  ST_BEGIN,
  ST_COMMIT,
  ST_ROLLBACK,
  ST_FIND,
  ST_NEXT_ID,
  ST_INSERT,
  ST_MARK,
  ST_EXISTS,
  ST_UNDELIVERED,
  ST_UNRESOLVED,
  ST_RESOLVED,
  ST_COUNT,
  ST_N
};

static const char *const SQL[ST_N] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_FIND] = "SELECT contact_id FROM contacts WHERE principal = ?1 AND message_id = ?2",
    [ST_NEXT_ID] = "SELECT COALESCE(MAX(id), 0) + 1 FROM contacts",
    [ST_INSERT] = "INSERT INTO contacts (id, contact_id, principal, message_id, received_at_ms, "
                  "blob, domestic_abuse, dash_present, dash_complete, priority, quality_flags, "
                  "concern, red_flag, occurred_at_ms, unresolved) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    [ST_MARK] = "UPDATE contacts SET delivered_at_ms = ?1, delivered_to = ?2 "
                "WHERE contact_id = ?3 AND delivered_at_ms IS NULL",
    [ST_EXISTS] = "SELECT 1 FROM contacts WHERE contact_id = ?1",
    [ST_UNDELIVERED] = "SELECT contact_id, received_at_ms, blob FROM contacts "
                       "WHERE delivered_at_ms IS NULL AND unresolved = 0 ORDER BY id",
    [ST_UNRESOLVED] = "SELECT contact_id, received_at_ms FROM contacts "
                      "WHERE unresolved = 1 ORDER BY id",
    [ST_RESOLVED] = "UPDATE contacts SET blob = ?2, priority = ?3, quality_flags = ?4, "
                    "unresolved = 0 WHERE contact_id = ?1 AND unresolved = 1",
    [ST_COUNT] = "SELECT COUNT(*) FROM contacts",
};

typedef struct store_sqlite {
  mash_store_t base; /* first: a store_sqlite_t * is a mash_store_t * */
  sqlite3 *db;
  const mash_seal_t *seal; /* borrowed */
  sqlite3_stmt *st[ST_N];
  store_enq_t *enq; /* the enquiry half (store_sqlite_enquiry.c) */
  store_per_t *per; /* the person index (store_sqlite_person.c) */
} store_sqlite_t;

/* Translate an SQLite result code into a negative errno at the module edge
 * (shared with store_sqlite_enquiry.c). */
int store_sqlite_errno(int rc) {
  switch (rc & 0xff) {
  case SQLITE_OK:
  case SQLITE_ROW:
  case SQLITE_DONE:
    return 0;
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    return -EBUSY;
  case SQLITE_NOMEM:
    return -ENOMEM;
  case SQLITE_READONLY:
    return -EROFS;
  case SQLITE_FULL:
    return -ENOSPC;
  case SQLITE_CANTOPEN:
    return -ENOENT;
  case SQLITE_PERM:
  case SQLITE_AUTH:
    return -EACCES;
  case SQLITE_CONSTRAINT:
    return -EEXIST;
  case SQLITE_TOOBIG:
    return -EMSGSIZE;
  case SQLITE_MISUSE:
  case SQLITE_RANGE:
    return -EINVAL;
  case SQLITE_CORRUPT:
  case SQLITE_NOTADB:
    return -EBADMSG;
  default:
    return -EIO;
  }
}

static store_sqlite_t *from_base(mash_store_t *s) {
  return (store_sqlite_t *)s;
}

/* Run a statement that returns no rows, then reset it for the next use. */
static int step_done(sqlite3_stmt *stmt) {
  int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  return rc == SQLITE_DONE ? 0 : store_sqlite_errno(rc == SQLITE_ROW ? SQLITE_MISUSE : rc);
}

static int sqlite_begin(mash_store_t *s) {
  return step_done(from_base(s)->st[ST_BEGIN]);
}

static int sqlite_commit(mash_store_t *s) {
  return step_done(from_base(s)->st[ST_COMMIT]);
}

static int sqlite_rollback(mash_store_t *s) {
  return step_done(from_base(s)->st[ST_ROLLBACK]);
}

/* Look up (principal, message_id). Returns 1 and fills contact_id when
 * found, 0 when not, or a negative error. */
static int find_contact(store_sqlite_t *ss, const char *principal, const char *message_id,
                        char contact_id[MASH_CONTACT_ID_LEN]) {
  sqlite3_stmt *q = ss->st[ST_FIND];
  int rc = sqlite3_bind_text(q, 1, principal, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_text(q, 2, message_id, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(q);
  int out;
  if (rc == SQLITE_ROW) {
    const unsigned char *id = sqlite3_column_text(q, 0);
    int n = sqlite3_column_bytes(q, 0);
    if (!id || n <= 0 || n >= MASH_CONTACT_ID_LEN) {
      out = -EBADMSG;
    } else {
      memcpy(contact_id, id, (size_t)n);
      contact_id[n] = '\0';
      out = 1;
    }
  } else {
    out = rc == SQLITE_DONE ? 0 : store_sqlite_errno(rc);
  }
  sqlite3_reset(q);
  sqlite3_clear_bindings(q);
  return out;
}

static int sqlite_contact_find(mash_store_t *s, const char *principal, const char *message_id,
                               char contact_id[MASH_CONTACT_ID_LEN]) {
  if (!principal || !message_id)
    return -EINVAL;
  int rc = find_contact(from_base(s), principal, message_id, contact_id);
  return rc == 1 ? 0 : rc == 0 ? -ENOENT : rc;
}

static int next_id(store_sqlite_t *ss, sqlite3_int64 *id) {
  sqlite3_stmt *q = ss->st[ST_NEXT_ID];
  int rc = sqlite3_step(q);
  int out = 0;
  if (rc == SQLITE_ROW)
    *id = sqlite3_column_int64(q, 0);
  else
    out = store_sqlite_errno(rc == SQLITE_DONE ? SQLITE_MISUSE : rc);
  sqlite3_reset(q);
  return out;
}

/* The id is chosen before the insert so that the blob can be sealed with
 * its contact id as associated data and written once: the row never holds
 * a placeholder or plaintext. Only this connection writes (the storage
 * thread, under BEGIN IMMEDIATE or a single autocommit statement), so
 * MAX(id) + 1 is the id the row gets. */
static int sqlite_intake(mash_store_t *s, mash_intake_t *in) {
  store_sqlite_t *ss = from_base(s);
  if (!in || !in->principal || !in->message_id || (!in->contact && in->contact_len > 0))
    return -EINVAL;
  int rc = find_contact(ss, in->principal, in->message_id, in->contact_id);
  if (rc < 0)
    return rc;
  if (rc == 1) {
    in->status = MASH_INTAKE_DUPLICATE;
    return 0;
  }
  sqlite3_int64 id = 0;
  rc = next_id(ss, &id);
  if (rc < 0)
    return rc;
  char contact_id[MASH_CONTACT_ID_LEN];
  snprintf(contact_id, sizeof contact_id, "MASH-%06lld", (long long)id);
  uint8_t *blob = NULL;
  size_t blob_len = 0;
  rc = mash_seal_encrypt(ss->seal, in->contact, in->contact_len, (const uint8_t *)contact_id,
                         strlen(contact_id), &blob, &blob_len);
  if (rc < 0)
    return rc;
  if (blob_len > (size_t)INT32_MAX) {
    free(blob);
    return -EMSGSIZE;
  }
  sqlite3_stmt *q = ss->st[ST_INSERT];
  int src = sqlite3_bind_int64(q, 1, id);
  if (src == SQLITE_OK)
    src = sqlite3_bind_text(q, 2, contact_id, -1, SQLITE_STATIC);
  if (src == SQLITE_OK)
    src = sqlite3_bind_text(q, 3, in->principal, -1, SQLITE_STATIC);
  if (src == SQLITE_OK)
    src = sqlite3_bind_text(q, 4, in->message_id, -1, SQLITE_STATIC);
  if (src == SQLITE_OK)
    src = sqlite3_bind_int64(q, 5, in->received_at_ms);
  if (src == SQLITE_OK)
    src = sqlite3_bind_blob(q, 6, blob, (int)blob_len, SQLITE_STATIC);
  if (src == SQLITE_OK)
    src = sqlite3_bind_int(q, 7, in->domestic_abuse);
  if (src == SQLITE_OK)
    src = sqlite3_bind_int(q, 8, in->dash_present);
  if (src == SQLITE_OK)
    src = sqlite3_bind_int(q, 9, in->dash_complete);
  if (src == SQLITE_OK)
    src = sqlite3_bind_int(q, 10, in->priority);
  if (src == SQLITE_OK)
    src = sqlite3_bind_text(q, 11, in->quality_flags ? in->quality_flags : "", -1, SQLITE_STATIC);
  if (src == SQLITE_OK)
    src = sqlite3_bind_int(q, 12, in->concern_category);
  if (src == SQLITE_OK)
    src = sqlite3_bind_int(q, 13, in->red_flag);
  if (src == SQLITE_OK)
    src = sqlite3_bind_int64(q, 14, in->occurred_at_ms);
  if (src == SQLITE_OK)
    src = sqlite3_bind_int(q, 15, in->resolve_later ? 1 : 0);
  if (src == SQLITE_OK) {
    rc = step_done(q);
  } else {
    rc = store_sqlite_errno(src);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
  }
  free(blob);
  if (rc < 0)
    return rc;
  memcpy(in->contact_id, contact_id, sizeof contact_id);
  in->status = MASH_INTAKE_NEW;
  return 0;
}

static int sqlite_mark_delivered(mash_store_t *s, const char *contact_id, const char *principal,
                                 int64_t at_ms) {
  store_sqlite_t *ss = from_base(s);
  if (!contact_id || !principal)
    return -EINVAL;
  sqlite3_stmt *q = ss->st[ST_MARK];
  int src = sqlite3_bind_int64(q, 1, at_ms);
  if (src == SQLITE_OK)
    src = sqlite3_bind_text(q, 2, principal, -1, SQLITE_STATIC);
  if (src == SQLITE_OK)
    src = sqlite3_bind_text(q, 3, contact_id, -1, SQLITE_STATIC);
  if (src != SQLITE_OK) {
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return store_sqlite_errno(src);
  }
  int rc = step_done(q);
  if (rc < 0 || sqlite3_changes(ss->db) > 0)
    return rc;
  /* Nothing changed: either already delivered (fine, idempotent) or the
   * contact does not exist, which the caller must hear about. */
  q = ss->st[ST_EXISTS];
  src = sqlite3_bind_text(q, 1, contact_id, -1, SQLITE_STATIC);
  if (src == SQLITE_OK)
    src = sqlite3_step(q);
  rc = src == SQLITE_ROW ? 0 : src == SQLITE_DONE ? -ENOENT : store_sqlite_errno(src);
  sqlite3_reset(q);
  sqlite3_clear_bindings(q);
  return rc;
}

/* Hand each row of q (contact_id, received_at_ms, sealed blob) to cb. */
static int load_contacts(mash_store_t *s, int which, mash_store_contact_cb cb, void *arg) {
  store_sqlite_t *ss = from_base(s);
  if (!cb)
    return -EINVAL;
  sqlite3_stmt *q = ss->st[which];
  int rc = 0;
  for (;;) {
    int src = sqlite3_step(q);
    if (src == SQLITE_DONE)
      break;
    if (src != SQLITE_ROW) {
      rc = store_sqlite_errno(src);
      break;
    }
    const char *contact_id = (const char *)sqlite3_column_text(q, 0);
    int id_len = sqlite3_column_bytes(q, 0);
    int64_t received_at_ms = sqlite3_column_int64(q, 1);
    const uint8_t *blob = sqlite3_column_blob(q, 2);
    int blob_len = sqlite3_column_bytes(q, 2);
    if (!contact_id || id_len <= 0 || blob_len < 0 || (!blob && blob_len > 0)) {
      rc = -EBADMSG;
      break;
    }
    uint8_t *contact = NULL;
    size_t contact_len = 0;
    /* A blob that fails to open stops the load: returning it, or skipping
     * it silently, would lose or corrupt a child's referral. */
    rc = mash_seal_decrypt(ss->seal, blob, (size_t)blob_len, (const uint8_t *)contact_id,
                           (size_t)id_len, &contact, &contact_len);
    if (rc < 0)
      break;
    int stop = cb(contact_id, received_at_ms, contact, contact_len, arg);
    OPENSSL_cleanse(contact, contact_len);
    free(contact);
    if (stop)
      break;
  }
  sqlite3_reset(q);
  return rc;
}

static int sqlite_load_undelivered(mash_store_t *s, mash_store_contact_cb cb, void *arg) {
  return load_contacts(s, ST_UNDELIVERED, cb, arg);
}

/* Ids only (contact NULL): resolution opens each blob itself, so one that
 * fails to open stops that contact, not the broker's start. */
static int sqlite_load_unresolved(mash_store_t *s, mash_store_contact_cb cb, void *arg) {
  if (!cb)
    return -EINVAL;
  sqlite3_stmt *q = from_base(s)->st[ST_UNRESOLVED];
  int src;
  while ((src = sqlite3_step(q)) == SQLITE_ROW) {
    const char *contact_id = (const char *)sqlite3_column_text(q, 0);
    if (contact_id && cb(contact_id, sqlite3_column_int64(q, 1), NULL, 0, arg))
      break;
  }
  int rc = src == SQLITE_ROW || src == SQLITE_DONE ? 0 : store_sqlite_errno(src);
  sqlite3_reset(q);
  return rc;
}

/* Sealed like a new contact's blob: the contact id is the associated data. */
static int sqlite_contact_resolved(mash_store_t *s, const char *contact_id, const uint8_t *contact,
                                   size_t len, int priority, const char *quality_flags) {
  store_sqlite_t *ss = from_base(s);
  if (!contact_id || (!contact && len > 0))
    return -EINVAL;
  uint8_t *blob = NULL;
  size_t blob_len = 0;
  int rc = mash_seal_encrypt(ss->seal, contact, len, (const uint8_t *)contact_id,
                             strlen(contact_id), &blob, &blob_len);
  if (rc < 0)
    return rc;
  sqlite3_stmt *q = ss->st[ST_RESOLVED];
  sqlite3_bind_text(q, 1, contact_id, -1, SQLITE_STATIC);
  sqlite3_bind_blob(q, 2, blob, (int)blob_len, SQLITE_STATIC);
  sqlite3_bind_int(q, 3, priority);
  sqlite3_bind_text(q, 4, quality_flags ? quality_flags : "", -1, SQLITE_STATIC);
  rc = step_done(q);
  free(blob);
  if (rc == 0 && sqlite3_changes(ss->db) == 0)
    rc = -EALREADY;
  return rc;
}

static int sqlite_count_contacts(mash_store_t *s, int64_t *n) {
  store_sqlite_t *ss = from_base(s);
  if (!n)
    return -EINVAL;
  sqlite3_stmt *q = ss->st[ST_COUNT];
  int src = sqlite3_step(q);
  int rc = 0;
  if (src == SQLITE_ROW)
    *n = sqlite3_column_int64(q, 0);
  else
    rc = store_sqlite_errno(src == SQLITE_DONE ? SQLITE_MISUSE : src);
  sqlite3_reset(q);
  return rc;
}

store_enq_t *store_sqlite_enq(mash_store_t *s) {
  return from_base(s)->enq;
}

store_per_t *store_sqlite_per(mash_store_t *s) {
  return from_base(s)->per;
}

sqlite3 *store_sqlite_db(mash_store_t *s) {
  return from_base(s)->db;
}

/* ---- helpers shared by the halves of the store ---- */

void store_sql_done(sqlite3_stmt *q) {
  sqlite3_reset(q);
  sqlite3_clear_bindings(q);
}

int store_sql_exec(sqlite3_stmt *q) {
  int rc = sqlite3_step(q);
  store_sql_done(q);
  return rc == SQLITE_DONE ? 0 : store_sqlite_errno(rc == SQLITE_ROW ? SQLITE_MISUSE : rc);
}

void store_sql_text(sqlite3_stmt *q, int col, char *out, size_t cap) {
  const unsigned char *t = sqlite3_column_text(q, col);
  snprintf(out, cap, "%s", t ? (const char *)t : "");
}

int store_sql_seal(const mash_seal_t *seal, const uint8_t *in, size_t len, const char *aad,
                   uint8_t **out, size_t *out_len) {
  return mash_seal_encrypt(seal, in, len, (const uint8_t *)aad, strlen(aad), out, out_len);
}

int store_sql_open(const mash_seal_t *seal, sqlite3_stmt *q, int col, const char *aad,
                   uint8_t **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  if (sqlite3_column_type(q, col) == SQLITE_NULL)
    return 0;
  const uint8_t *b = sqlite3_column_blob(q, col);
  int n = sqlite3_column_bytes(q, col);
  if (!b || n <= 0)
    return -EBADMSG;
  return mash_seal_decrypt(seal, b, (size_t)n, (const uint8_t *)aad, strlen(aad), out, out_len);
}

int store_sql_int64(sqlite3_stmt *q, int64_t *v) {
  int rc = sqlite3_step(q);
  int out = rc == SQLITE_ROW ? 0 : store_sqlite_errno(rc == SQLITE_DONE ? SQLITE_MISUSE : rc);
  if (rc == SQLITE_ROW)
    *v = sqlite3_column_int64(q, 0);
  store_sql_done(q);
  return out;
}

static void sqlite_destroy(mash_store_t *s) {
  store_sqlite_t *ss = from_base(s);
  store_enq_destroy(ss->enq);
  store_per_destroy(ss->per);
  for (int i = 0; i < ST_N; i++)
    sqlite3_finalize(ss->st[i]);
  /* A transaction left open (the caller crashed out of a batch) is rolled
   * back by close: never committed half-way. */
  sqlite3_close_v2(ss->db);
  free(ss);
}

static const mash_store_vtable_t SQLITE_VT = {
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .intake = sqlite_intake,
    .mark_delivered = sqlite_mark_delivered,
    .load_undelivered = sqlite_load_undelivered,
    .count_contacts = sqlite_count_contacts,
    .destroy = sqlite_destroy,
    .contact_find = sqlite_contact_find,
    .load_unresolved = sqlite_load_unresolved,
    .contact_resolved = sqlite_contact_resolved,
    STORE_ENQ_VTABLE_ENTRIES,
    STORE_PER_VTABLE_ENTRIES,
    .ops_figures = store_ops_figures,
};

/* Read a single-value PRAGMA as text into buf. */
static int pragma_text(sqlite3 *db, const char *sql, char *buf, size_t len) {
  sqlite3_stmt *q = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(q);
  if (rc == SQLITE_ROW) {
    const unsigned char *t = sqlite3_column_text(q, 0);
    snprintf(buf, len, "%s", t ? (const char *)t : "");
    rc = SQLITE_OK;
  } else if (rc == SQLITE_DONE) {
    rc = SQLITE_MISUSE;
  }
  sqlite3_finalize(q);
  return rc;
}

/* Bring the schema to SCHEMA_VERSION, one migration per transaction. The
 * version is read again under the write lock so two processes opening the
 * same new file cannot both migrate it. */
static int migrate(sqlite3 *db, char *err, size_t errlen) {
  for (;;) {
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
      goto fail;
    char buf[32];
    rc = pragma_text(db, "PRAGMA user_version", buf, sizeof buf);
    if (rc != SQLITE_OK)
      goto fail_rollback;
    long version = strtol(buf, NULL, 10);
    if (version > SCHEMA_VERSION || version < 0) {
      snprintf(err, errlen, "database schema version %ld is not one this mashd knows (%d)", version,
               SCHEMA_VERSION);
      sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
      return -EPROTO;
    }
    if (version == SCHEMA_VERSION)
      return store_sqlite_errno(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL));
    rc = sqlite3_exec(db, MIGRATIONS[version], NULL, NULL, NULL);
    if (rc != SQLITE_OK)
      goto fail_rollback;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %ld", version + 1);
    rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
      goto fail_rollback;
    rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
      goto fail_rollback;
    continue;
  fail_rollback:
    snprintf(err, errlen, "schema migration failed: %s", sqlite3_errmsg(db));
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return store_sqlite_errno(rc);
  fail:
    snprintf(err, errlen, "schema migration failed: %s", sqlite3_errmsg(db));
    return store_sqlite_errno(rc);
  }
}

/* SQLite creates a new database file as 0644 (less the umask) and gives the
 * -wal and -shm files the database file's mode; create it 0600 first so the
 * metadata (principals, message ids) is not world-readable. */
static void precreate_private(const char *path) {
  if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0 || path[0] == '\0')
    return;
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0)
    close(fd);
}

mash_store_t *mash_store_sqlite_new(const char *path, const mash_seal_t *seal, char *err,
                                    size_t errlen) {
  char dummy[1];
  if (!err || errlen == 0) {
    err = dummy;
    errlen = sizeof dummy;
  }
  err[0] = '\0';
  if (!path || !seal) {
    snprintf(err, errlen, "no database path or seal");
    return NULL;
  }
  store_sqlite_t *ss = calloc(1, sizeof *ss);
  if (!ss) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  ss->base.vt = &SQLITE_VT;
  ss->seal = seal;
  precreate_private(path);
  /* NOMUTEX: one thread at a time uses the connection (the storage thread);
   * the hand-over from the creating thread happens before the thread starts. */
  int rc = sqlite3_open_v2(path, &ss->db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    snprintf(err, errlen, "cannot open %s: %s", path,
             ss->db ? sqlite3_errmsg(ss->db) : sqlite3_errstr(rc));
    goto fail;
  }
  sqlite3_extended_result_codes(ss->db, 1);
  sqlite3_busy_timeout(ss->db, BUSY_TIMEOUT_MS);
  char mode[16];
  rc = pragma_text(ss->db, "PRAGMA journal_mode = WAL", mode, sizeof mode);
  if (rc != SQLITE_OK || strcmp(mode, "wal") != 0) {
    snprintf(err, errlen, "cannot set WAL mode on %s: %s", path,
             rc != SQLITE_OK ? sqlite3_errmsg(ss->db) : mode);
    goto fail;
  }
  rc = sqlite3_exec(ss->db,
                    "PRAGMA synchronous = FULL;"
                    "PRAGMA trusted_schema = OFF;"
                    /* The person index is read at random: a 64 MiB page
                     * cache, and the file mapped rather than read. */
                    "PRAGMA cache_size = -65536;"
                    "PRAGMA mmap_size = 1073741824;",
                    NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    snprintf(err, errlen, "cannot configure %s: %s", path, sqlite3_errmsg(ss->db));
    goto fail;
  }
  if (migrate(ss->db, err, errlen) != 0)
    goto fail;
  for (int i = 0; i < ST_N; i++) {
    rc = sqlite3_prepare_v3(ss->db, SQL[i], -1, SQLITE_PREPARE_PERSISTENT, &ss->st[i], NULL);
    if (rc != SQLITE_OK) {
      snprintf(err, errlen, "cannot prepare statement %d: %s", i, sqlite3_errmsg(ss->db));
      goto fail;
    }
  }
  ss->enq = store_enq_new(ss->db, seal, err, errlen);
  if (!ss->enq)
    goto fail;
  ss->per = store_per_new(ss->db, seal, err, errlen);
  if (!ss->per)
    goto fail;
  return &ss->base;
fail:
  sqlite_destroy(&ss->base);
  return NULL;
}

/* The wrappers: callers never reach into the vtable themselves. */

int mash_store_ops_figures(mash_store_t *s, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                           int64_t screening_ms, mash_ops_figures_t *out) {
  return s->vt->ops_figures ? s->vt->ops_figures(s, from_ms, to_ms, now_ms, screening_ms, out)
                            : -ENOSYS;
}

int mash_store_begin(mash_store_t *s) {
  return s->vt->begin(s);
}

int mash_store_commit(mash_store_t *s) {
  return s->vt->commit(s);
}

int mash_store_rollback(mash_store_t *s) {
  return s->vt->rollback(s);
}

int mash_store_intake(mash_store_t *s, mash_intake_t *in) {
  return s->vt->intake(s, in);
}

int mash_store_mark_delivered(mash_store_t *s, const char *contact_id, const char *principal,
                              int64_t at_ms) {
  return s->vt->mark_delivered(s, contact_id, principal, at_ms);
}

int mash_store_load_undelivered(mash_store_t *s, mash_store_contact_cb cb, void *arg) {
  return s->vt->load_undelivered(s, cb, arg);
}

int mash_store_count_contacts(mash_store_t *s, int64_t *n) {
  return s->vt->count_contacts(s, n);
}

void mash_store_destroy(mash_store_t **self_p) {
  if (!self_p || !*self_p)
    return;
  (*self_p)->vt->destroy(*self_p);
  *self_p = NULL;
}
