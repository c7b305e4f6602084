/* agent_store: an agent's local durable state in one SQLite file.
 *
 * Responsible for: the outbox (every Envelope the agent sent, kept until the
 * broker's receipt says accepted, duplicate or rejected, and replayed in
 * insertion order after a restart) and the inbox (message ids already handled,
 * so a redelivery is recognised). The file is opened in WAL mode with
 * synchronous=FULL, so a call that returns 0 outside a transaction is on disk,
 * but for a receipt (agent_store_outbox_done): its commit is not flushed on
 * its own, the next flushed commit or checkpoint carries it (the log is
 * written in order). A receipt lost in a power cut costs a resend, which the
 * broker answers with the same contact id; a flush per receipt held the
 * agent's loop for a disk flush per message.
 * The schema version is PRAGMA user_version.
 *
 * Sealed at rest (schema 3): an outbox frame, label and detail are sealed
 * with the agent's data key (agent_seal.h; the message id as associated
 * data), a label is found by its blind index, and a frame is dropped (an
 * empty blob) as soon as its receipt is stored, so an answer or a
 * notification is kept only while it may have to be sent again. Deleted
 * content is overwritten (secure_delete), and a store migrated from
 * plaintext is checkpointed and vacuumed so no old copy stays in the file.
 *
 * Must not: log or print frames, labels or error details (they may contain
 * child data); leave the file readable by anyone but its owner (it is created
 * 0600, and SQLite gives the -wal and -shm files the same mode); be used from
 * more than one thread (the agent's loop thread only).
 */
#include "agent_store.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_seal.h"
#include "errbuf.h"

/* The schema this code writes. A file with a newer version is refused, not
 * guessed at; an older one is migrated here when there is one to migrate. */
#define SCHEMA_VERSION 3

static const char SCHEMA_V1[] = "CREATE TABLE outbox("
                                "  seq INTEGER PRIMARY KEY,"
                                "  message_id TEXT NOT NULL UNIQUE,"
                                "  label TEXT,"
                                "  frame BLOB NOT NULL,"
                                "  created_ms INTEGER NOT NULL,"
                                "  state INTEGER NOT NULL DEFAULT 0,"
                                "  contact_id TEXT,"
                                "  detail TEXT,"
                                "  done_ms INTEGER);"
                                "CREATE INDEX outbox_pending ON outbox(seq) WHERE state = 0;"
                                "CREATE TABLE inbox("
                                "  message_id TEXT PRIMARY KEY,"
                                "  seen_ms INTEGER NOT NULL);"
                                "PRAGMA user_version = 1;";

/* Version 2: find an outbox entry by its label (the spool file name), so
 * files a crash left in sent/ are settled at start without a table scan. */
static const char SCHEMA_V2[] = "CREATE INDEX IF NOT EXISTS outbox_label ON outbox(label, seq);"
                                "PRAGMA user_version = 2;";

/* Version 3: sealed at rest. The rows of an older store are sealed in the
 * same transaction (a receipted frame is dropped, not sealed); a check value
 * proves at each open that the data key is the one the store was sealed
 * with. */
static const char SCHEMA_V3[] =
    "ALTER TABLE outbox ADD COLUMN label_ix BLOB;"
    "UPDATE outbox SET label_ix = mash_blind(label), label = mash_seal(label, message_id),"
    "  detail = mash_seal(detail, message_id),"
    "  frame = CASE WHEN state = 0 THEN mash_seal(frame, message_id) ELSE zeroblob(0) END;"
    "DROP INDEX IF EXISTS outbox_label;"
    "CREATE INDEX outbox_label_ix ON outbox(label_ix, seq);"
    "CREATE TABLE seal_check(id INTEGER PRIMARY KEY CHECK (id = 1), value BLOB NOT NULL);"
    "INSERT INTO seal_check(id, value) VALUES (1, mash_seal('mash agent store', 'seal_check'));"
    "PRAGMA user_version = 3;";

/* A key rotation (agent_rekey.c): every sealed value opened with the
 * current key (mash_open_old fails the statement when one does not open)
 * and sealed with the new one, and the labels' blind indexes made again. */
static const char REKEY_SQL[] =
    "UPDATE outbox SET label_ix = mash_blind(mash_open_old(label, message_id)),"
    "  label = mash_seal(mash_open_old(label, message_id), message_id),"
    "  detail = mash_seal(mash_open_old(detail, message_id), message_id),"
    "  frame = CASE WHEN length(frame) = 0 THEN frame"
    "    ELSE mash_seal(mash_open_old(frame, message_id), message_id) END;"
    "UPDATE seal_check SET value = mash_seal('mash agent store', 'seal_check');";

const char *agent_store_rekey_sql(void) {
  return REKEY_SQL;
}

/* The cached statements, in the order of the SQL table below. */
enum {
  ST_BEGIN,
  ST_COMMIT,
  ST_ROLLBACK,
  ST_PUT,
  ST_DONE,
  ST_PENDING,
  ST_COUNT,
  ST_SEEN,
  ST_MARK,
  ST_BY_LABEL,
  ST_SYNC_NORMAL,
  ST_SYNC_FULL,
  ST_N
};

static const char *const STMT_SQL[ST_N] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_PUT] = "INSERT OR IGNORE INTO outbox(message_id, label, label_ix, frame, created_ms, state)"
               " VALUES(?1, mash_seal(?2, ?1), mash_blind(?2), mash_seal(?3, ?1), ?4, 0)",
    /* The receipt drops the frame: nothing is sent again after it. */
    [ST_DONE] = "UPDATE outbox SET state = ?2, contact_id = ?3, detail = mash_seal(?4, ?1),"
                " done_ms = ?5, frame = zeroblob(0) WHERE message_id = ?1 AND state = 0",
    [ST_PENDING] = "SELECT message_id, mash_open(label, message_id), mash_open(frame, message_id)"
                   " FROM outbox WHERE state = 0 ORDER BY seq",
    [ST_COUNT] = "SELECT count(*) FROM outbox WHERE state = 0",
    [ST_SEEN] = "SELECT 1 FROM inbox WHERE message_id = ?1",
    [ST_MARK] = "INSERT OR IGNORE INTO inbox(message_id, seen_ms) VALUES(?1, ?2)",
    [ST_SYNC_NORMAL] = "PRAGMA synchronous = NORMAL",
    [ST_SYNC_FULL] = "PRAGMA synchronous = FULL",
    [ST_BY_LABEL] = "SELECT state, contact_id, mash_open(detail, message_id) FROM outbox"
                    " WHERE label_ix = mash_blind(?1) ORDER BY seq DESC LIMIT 1",
};

struct agent_store {
  sqlite3 *db;
  const mash_seal_t *seal; /* borrowed: the agent's data key */
  sqlite3_stmt *st[ST_N];
  int in_tx;      /* between agent_store_begin and commit/rollback */
  int in_pending; /* inside agent_store_outbox_pending's loop */
};

/* Errors leave this module as the negated SQLite primary result code, so a
 * caller can tell "busy" from "corrupt" without a second accessor. */
static int s_fail(int rc) {
  rc &= 0xff;
  return rc == SQLITE_OK ? -SQLITE_ERROR : -rc;
}

/* Run one cached statement that returns no rows. */
static int s_exec_stmt(agent_store_t *s, int which) {
  sqlite3_stmt *st = s->st[which];
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc == SQLITE_DONE ? 0 : s_fail(rc);
}

static int s_pragma_int(sqlite3 *db, const char *sql, int *out) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
      *out = sqlite3_column_int(st, 0);
      rc = SQLITE_OK;
    }
  }
  sqlite3_finalize(st);
  return rc;
}

/* Create the file with owner-only permissions before SQLite sees it: SQLite
 * would create it 0644 and copy that mode to the -wal and -shm files. An
 * existing file is tightened too, since it holds the same data. */
static int s_create_private(const char *path, char *err, size_t errlen) {
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    mash_errbuf_set(err, errlen, "agent_store: open %s: %s", path, strerror(errno));
    return -1;
  }
  int rc = 0;
  if (fchmod(fd, 0600) != 0) {
    mash_errbuf_set(err, errlen, "agent_store: chmod %s: %s", path, strerror(errno));
    rc = -1;
  }
  close(fd);
  return rc;
}

/* The data key must be the one the store was sealed with: a store that
 * another key sealed is refused at open, not found unreadable row by row. */
static int s_seal_check(sqlite3 *db, char *err, size_t errlen) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db,
                              "SELECT mash_open(value, 'seal_check') = CAST('mash agent store' AS"
                              " BLOB) FROM seal_check WHERE id = 1",
                              -1, &st, NULL);
  int ok = 0;
  if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    ok = sqlite3_column_int(st, 0);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_OK) {
    mash_errbuf_set(err, errlen, "agent_store: seal check: %s", sqlite3_errmsg(db));
    return rc;
  }
  if (!ok) {
    mash_errbuf_set(err, errlen,
                    "agent_store: the data key does not open this store (it was sealed with"
                    " another key)");
    return SQLITE_AUTH;
  }
  return SQLITE_OK;
}

/* Bring the schema to SCHEMA_VERSION inside one write transaction, so two
 * processes opening a fresh file cannot both create it. */
static int s_migrate(sqlite3 *db, char *err, size_t errlen) {
  char *msg = NULL;
  int version = 0;
  int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg);
  if (rc == SQLITE_OK) {
    rc = s_pragma_int(db, "PRAGMA user_version", &version);
  }
  if (rc == SQLITE_OK && version > SCHEMA_VERSION) {
    mash_errbuf_set(err, errlen, "agent_store: schema version %d is newer than %d", version,
                    SCHEMA_VERSION);
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
  }
  if (rc == SQLITE_OK && version < 1) {
    rc = sqlite3_exec(db, SCHEMA_V1, NULL, NULL, &msg);
  }
  if (rc == SQLITE_OK && version < 2) {
    rc = sqlite3_exec(db, SCHEMA_V2, NULL, NULL, &msg);
  }
  if (rc == SQLITE_OK && version < 3) {
    rc = sqlite3_exec(db, SCHEMA_V3, NULL, NULL, &msg);
  }
  if (rc == SQLITE_OK) {
    rc = s_seal_check(db, err, errlen);
    if (rc != SQLITE_OK) {
      sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
      return -1;
    }
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_exec(db, "COMMIT", NULL, NULL, &msg);
  }
  if (rc == SQLITE_OK && version >= 1 && version < 3) {
    /* The plaintext the rows held may still sit in the write-ahead log and
     * in free pages: write everything back, and rebuild the file. */
    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    rc = sqlite3_exec(db, "VACUUM", NULL, NULL, &msg);
    if (rc == SQLITE_OK) {
      sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    }
  }
  if (rc != SQLITE_OK) {
    mash_errbuf_set(err, errlen, "agent_store: schema: %s", msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    if (!sqlite3_get_autocommit(db)) {
      sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    return -1;
  }
  return 0;
}

static int s_configure(sqlite3 *db, char *err, size_t errlen) {
  sqlite3_busy_timeout(db, 5000);
  /* Turning a new file to WAL takes it whole, and SQLite answers BUSY at
   * once (the busy timeout does not cover it) while another process of the
   * same adapter does the same (a burst of one-shot submits on a fresh
   * state file): try again for up to the same five seconds. */
  int wal = 0;
  for (int tries = 0; !wal && tries < 500; tries++) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    int step = rc == SQLITE_OK ? sqlite3_step(st) : rc;
    if (step == SQLITE_ROW) {
      const unsigned char *mode = sqlite3_column_text(st, 0);
      wal = mode != NULL && strcmp((const char *)mode, "wal") == 0;
    }
    sqlite3_finalize(st);
    if (wal || (step != SQLITE_BUSY && step != SQLITE_LOCKED)) {
      break;
    }
    sqlite3_sleep(10);
  }
  if (!wal) {
    mash_errbuf_set(err, errlen, "agent_store: cannot enable WAL: %s", sqlite3_errmsg(db));
    return -1;
  }
  char *msg = NULL;
  /* Deleted and overwritten content is zeroed in the file, not left in
   * free space: a dropped payload is gone. */
  if (sqlite3_exec(db, "PRAGMA synchronous = FULL; PRAGMA secure_delete = ON", NULL, NULL, &msg) !=
      SQLITE_OK) {
    mash_errbuf_set(err, errlen, "agent_store: synchronous: %s", msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return -1;
  }
  return 0;
}

agent_store_t *agent_store_new(const char *path, const mash_seal_t *seal, char *err,
                               size_t errlen) {
  assert(path != NULL && seal != NULL);
  mash_errbuf_set(err, errlen, "%s", "");
  if (s_create_private(path, err, errlen) != 0) {
    return NULL;
  }
  agent_store_t *s = calloc(1, sizeof(*s));
  if (s == NULL) {
    mash_errbuf_set(err, errlen, "agent_store: out of memory");
    return NULL;
  }
  int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK) {
    mash_errbuf_set(err, errlen, "agent_store: open %s: %s", path,
                    s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
    goto s_fail;
  }
  if (agent_seal_sql(s->db, seal) != 0) {
    mash_errbuf_set(err, errlen, "agent_store: seal functions: %s", sqlite3_errmsg(s->db));
    goto s_fail;
  }
  s->seal = seal;
  if (s_configure(s->db, err, errlen) != 0 || s_migrate(s->db, err, errlen) != 0) {
    goto s_fail;
  }
  for (int i = 0; i < ST_N; i++) {
    rc = sqlite3_prepare_v3(s->db, STMT_SQL[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL);
    if (rc != SQLITE_OK) {
      mash_errbuf_set(err, errlen, "agent_store: prepare: %s", sqlite3_errmsg(s->db));
      goto s_fail;
    }
  }
  return s;
s_fail:
  agent_store_destroy(&s);
  return NULL;
}

void agent_store_destroy(agent_store_t **self_p) {
  if (self_p == NULL || *self_p == NULL) {
    return;
  }
  agent_store_t *s = *self_p;
  /* An open transaction at close is discarded, as SQLite would on its own. */
  for (int i = 0; i < ST_N; i++) {
    sqlite3_finalize(s->st[i]);
  }
  sqlite3_close(s->db);
  free(s);
  *self_p = NULL;
}

const mash_seal_t *agent_store_seal(const agent_store_t *s) {
  assert(s != NULL);
  return s->seal;
}

sqlite3 *agent_store_db(agent_store_t *s) {
  assert(s != NULL);
  return s->db;
}

int agent_store_begin(agent_store_t *s) {
  assert(s != NULL);
  assert(!s->in_tx && "agent_store_begin: transactions do not nest");
  int rc = s_exec_stmt(s, ST_BEGIN);
  if (rc == 0) {
    s->in_tx = 1;
  }
  return rc;
}

int agent_store_commit(agent_store_t *s) {
  assert(s != NULL);
  assert(s->in_tx && "agent_store_commit: no transaction");
  int rc = s_exec_stmt(s, ST_COMMIT);
  /* A failed COMMIT may leave the transaction open (the caller then rolls
   * back) or may have rolled it back already; SQLite knows which. */
  s->in_tx = !sqlite3_get_autocommit(s->db);
  return rc;
}

int agent_store_rollback(agent_store_t *s) {
  assert(s != NULL);
  if (!s->in_tx) {
    return 0; /* a failed commit already ended it */
  }
  s->in_tx = 0;
  /* Some errors (disk full, I/O) roll the transaction back by themselves;
   * the caller's error path still calls this, and that is not a failure. */
  if (sqlite3_get_autocommit(s->db)) {
    return 0;
  }
  return s_exec_stmt(s, ST_ROLLBACK);
}

int agent_store_outbox_put(agent_store_t *s, const char *message_id, const char *label,
                           const uint8_t *frame, size_t len, int64_t now_ms) {
  assert(s != NULL && message_id != NULL);
  assert(frame != NULL || len == 0);
  if (len > INT_MAX) {
    return -SQLITE_TOOBIG;
  }
  sqlite3_stmt *st = s->st[ST_PUT];
  sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, label, -1, SQLITE_STATIC);
  /* A NULL pointer would bind SQL NULL, which the NOT NULL column refuses. */
  if (len == 0) {
    sqlite3_bind_zeroblob(st, 3, 0);
  } else {
    sqlite3_bind_blob(st, 3, frame, (int)len, SQLITE_STATIC);
  }
  sqlite3_bind_int64(st, 4, now_ms);
  return s_exec_stmt(s, ST_PUT);
}

int agent_store_outbox_done(agent_store_t *s, const char *message_id, int state,
                            const char *contact_id, const char *detail, int64_t now_ms) {
  assert(s != NULL && message_id != NULL);
  assert(state == AGENT_OUTBOX_ACCEPTED || state == AGENT_OUTBOX_DUPLICATE ||
         state == AGENT_OUTBOX_REJECTED);
  sqlite3_stmt *st = s->st[ST_DONE];
  sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
  sqlite3_bind_int(st, 2, state);
  sqlite3_bind_text(st, 3, contact_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, detail, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 5, now_ms);
  /* Not flushed on its own (see the header); inside a transaction the
   * caller's commit decides, and SQLite refuses the change there anyway. */
  int lazy = !s->in_tx && s_exec_stmt(s, ST_SYNC_NORMAL) == 0;
  int rc = s_exec_stmt(s, ST_DONE);
  if (lazy) {
    int frc = s_exec_stmt(s, ST_SYNC_FULL);
    rc = rc != 0 ? rc : frc; /* later commits must be flushed again */
  }
  if (rc != 0) {
    return rc;
  }
  /* No row changed: the id is unknown, or a receipt was already recorded. */
  return sqlite3_changes(s->db) == 0 ? 1 : 0;
}

/* Returns 0 after the last entry, the callback's non-zero value when it
 * stopped the walk, or a negative error. */
int agent_store_outbox_pending(agent_store_t *s, agent_store_outbox_cb cb, void *arg) {
  assert(s != NULL && cb != NULL);
  /* The statement is shared, so the callback must not start another walk; it
   * may record receipts (outbox_done) for the entries it is given. */
  assert(!s->in_pending && "agent_store_outbox_pending: not re-entrant");
  s->in_pending = 1;
  sqlite3_stmt *st = s->st[ST_PENDING];
  int ret = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *id = (const char *)sqlite3_column_text(st, 0);
    const char *label = (const char *)sqlite3_column_text(st, 1);
    const uint8_t *frame = sqlite3_column_blob(st, 2);
    int len = sqlite3_column_bytes(st, 2);
    if (id == NULL) {
      ret = -SQLITE_NOMEM;
      break;
    }
    if (frame == NULL && sqlite3_column_type(st, 2) == SQLITE_NULL) {
      /* A pending frame that does not open: damage (the key was checked at
       * open). Refuse rather than send an empty message. */
      ret = -SQLITE_CORRUPT;
      break;
    }
    ret = cb(id, label, frame, (size_t)len, arg);
    if (ret != 0) {
      break;
    }
  }
  if (ret == 0 && rc != SQLITE_DONE) {
    ret = s_fail(rc);
  }
  sqlite3_reset(st);
  s->in_pending = 0;
  return ret;
}

int agent_store_outbox_count_pending(agent_store_t *s, int64_t *n) {
  assert(s != NULL && n != NULL);
  sqlite3_stmt *st = s->st[ST_COUNT];
  int rc = sqlite3_step(st);
  int ret = 0;
  if (rc == SQLITE_ROW) {
    *n = sqlite3_column_int64(st, 0);
  } else {
    ret = s_fail(rc);
  }
  sqlite3_reset(st);
  return ret;
}

int agent_store_inbox_seen(agent_store_t *s, const char *message_id) {
  assert(s != NULL && message_id != NULL);
  sqlite3_stmt *st = s->st[ST_SEEN];
  sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  int ret = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : s_fail(rc);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return ret;
}

int agent_store_inbox_mark(agent_store_t *s, const char *message_id, int64_t now_ms) {
  assert(s != NULL && message_id != NULL);
  sqlite3_stmt *st = s->st[ST_MARK];
  sqlite3_bind_text(st, 1, message_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, now_ms);
  return s_exec_stmt(s, ST_MARK);
}

int agent_store_outbox_by_label(agent_store_t *s, const char *label, int *state, char *contact,
                                size_t contact_cap, char *detail, size_t detail_cap) {
  assert(s != NULL && label != NULL && state != NULL);
  sqlite3_stmt *st = s->st[ST_BY_LABEL];
  sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  int ret = 0;
  if (rc == SQLITE_ROW) {
    const char *c = (const char *)sqlite3_column_text(st, 1);
    const char *d = (const char *)sqlite3_column_text(st, 2);
    *state = sqlite3_column_int(st, 0);
    if (contact != NULL && contact_cap > 0) {
      snprintf(contact, contact_cap, "%s", c ? c : "");
    }
    if (detail != NULL && detail_cap > 0) {
      snprintf(detail, detail_cap, "%s", d ? d : "");
    }
    ret = 1;
  } else if (rc != SQLITE_DONE) {
    ret = s_fail(rc);
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return ret;
}

const char *agent_store_errmsg(agent_store_t *s) {
  return s != NULL && s->db != NULL ? sqlite3_errmsg(s->db) : "no database";
}
