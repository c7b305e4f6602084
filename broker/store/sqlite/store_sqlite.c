/* store_sqlite: the SQLite implementation of store.h: the connection, its
 * transactions, and the vtable assembled from the table modules (contacts,
 * enquiries, persons, statistics).
 *
 * Responsible for: opening the database (WAL, synchronous=FULL, a busy
 * timeout) read-write with the schema migrated (store_sqlite_schema.c), or
 * read-only for statistics; begin, commit, rollback and savepoints; the
 * write-ahead log's checkpoints (none inside a commit below a hard bound); the
 * statement and error helpers the table modules share. Must not: run a
 * table's SQL itself (each table module owns its statements), write from a
 * read-only store, or be used from more than one thread at a time (the
 * storage thread owns it in mashd).
 */
#include "store.h"
#include "store_row.h"
#include "store_sqlite_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#define BUSY_TIMEOUT_MS 5000
/* The log's hard bound for a store whose owner never checkpoints (tools,
 * tests): past it the commit checkpoints, as SQLite's auto-checkpoint
 * would. mashd's storage thread checkpoints far below it, between batches. */
#define WAL_HARD_PAGES 16384u

enum { X_BEGIN, X_COMMIT, X_ROLLBACK, X_SAVEPOINT, X_RELEASE, X_ROLLBACK_TO, X_N };

static const char *const SQL[X_N] = {
    [X_BEGIN] = "BEGIN IMMEDIATE",  [X_COMMIT] = "COMMIT",      [X_ROLLBACK] = "ROLLBACK",
    [X_SAVEPOINT] = "SAVEPOINT op", [X_RELEASE] = "RELEASE op", [X_ROLLBACK_TO] = "ROLLBACK TO op",
};

typedef struct s_store {
  mash_store_t base; /* first: an s_store_t * is a mash_store_t * */
  sqlite3 *db;
  sqlite3_stmt *st[X_N]; /* read-write stores only */
  store_con_t *con;
  store_enq_t *enq;
  store_per_t *per;
  store_stat_t *stat;
  store_duty_t *duty; /* the duties of the timetable (store_sqlite_duty.c) */
  store_ids_t *ids;   /* the id mark beside the database (store_sqlite_ids.c) */
  char *path;         /* as opened: a reader opens it again (open_reader) */
  unsigned wal_pages; /* pages in the write-ahead log after the last commit */
} s_store_t;

static s_store_t *s_from(mash_store_t *s) {
  return (s_store_t *)s;
}

store_con_t *store_sqlite_con(mash_store_t *s) {
  return s_from(s)->con;
}

store_enq_t *store_sqlite_enq(mash_store_t *s) {
  return s_from(s)->enq;
}

store_per_t *store_sqlite_per(mash_store_t *s) {
  return s_from(s)->per;
}

store_duty_t *store_sqlite_duty(mash_store_t *s) {
  return s_from(s)->duty;
}

sqlite3 *store_sqlite_db(mash_store_t *s) {
  return s_from(s)->db;
}

store_stat_t *store_sqlite_stat(mash_store_t *s) {
  return s_from(s)->stat;
}

store_ids_t *store_sqlite_ids(mash_store_t *s) {
  return s_from(s)->ids;
}

const char *store_sqlite_errmsg(sqlite3 *db, char *buf, size_t len) {
  int e = db ? sqlite3_system_errno(db) : 0;
  const char *msg = db ? sqlite3_errmsg(db) : "out of memory";
  if (e != 0) {
    snprintf(buf, len, "%s: %s", msg, strerror(e));
  } else {
    snprintf(buf, len, "%s", msg);
  }
  return buf;
}

/* Translate an SQLite result code into a negative errno at the module edge. */
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

/* ---- helpers shared by the table modules ---- */

void store_sql_done(sqlite3_stmt *q) {
  sqlite3_reset(q);
  sqlite3_clear_bindings(q);
}

int store_sql_row(sqlite3_stmt *q, int *err) {
  int rc = sqlite3_step(q);
  if (rc == SQLITE_ROW) {
    return 1;
  }
  if (rc != SQLITE_DONE) {
    *err = store_sqlite_errno(rc);
  }
  return 0;
}

int store_sql_exec(sqlite3_stmt *q) {
  int rc = sqlite3_step(q);
  store_sql_done(q);
  return rc == SQLITE_DONE ? 0 : store_sqlite_errno(rc == SQLITE_ROW ? SQLITE_MISUSE : rc);
}

void store_sql_text(sqlite3_stmt *q, int col, char *out, size_t cap) {
  if (cap == 0) {
    return;
  }
  /* A bounded copy, not snprintf("%s"): resolution reads about 200 ids a
   * contact through here, and the format parser cost more than the copy. */
  const unsigned char *t = sqlite3_column_text(q, col);
  size_t n = t ? (size_t)sqlite3_column_bytes(q, col) : 0;
  n = n < cap - 1 ? n : cap - 1;
  if (n > 0) {
    memcpy(out, t, n);
  }
  out[n] = '\0';
}

int store_sql_seal(const mash_seal_t *seal, const uint8_t *in, size_t len, const char *aad,
                   uint8_t **out, size_t *out_len) {
  return store_row_seal(seal, in, len, aad, out, out_len);
}

int store_sql_seal_ctx(mash_seal_ctx_t *ctx, const uint8_t *in, size_t len, const char *aad,
                       uint8_t **out, size_t *out_len) {
  return mash_seal_ctx_encrypt(ctx, in, len, (const uint8_t *)aad, strlen(aad), out, out_len);
}

int store_sql_open_ctx(mash_seal_ctx_t *ctx, sqlite3_stmt *q, int col, const char *aad,
                       uint8_t **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  if (sqlite3_column_type(q, col) == SQLITE_NULL) {
    return 0;
  }
  const uint8_t *b = sqlite3_column_blob(q, col);
  int n = sqlite3_column_bytes(q, col);
  if (!b || n <= 0) {
    return -EBADMSG;
  }
  return mash_seal_ctx_decrypt(ctx, b, (size_t)n, (const uint8_t *)aad, strlen(aad), out, out_len);
}

int store_sql_open(const mash_seal_t *seal, sqlite3_stmt *q, int col, const char *aad,
                   uint8_t **out, size_t *out_len) {
  const uint8_t *b = sqlite3_column_blob(q, col);
  int n = sqlite3_column_bytes(q, col);
  return store_row_open(seal, b, n > 0 ? (size_t)n : 0, sqlite3_column_type(q, col) == SQLITE_NULL,
                        aad, out, out_len);
}

int store_sql_int64(sqlite3_stmt *q, int64_t *v) {
  int rc = sqlite3_step(q);
  int out = rc == SQLITE_ROW ? 0 : store_sqlite_errno(rc == SQLITE_DONE ? SQLITE_MISUSE : rc);
  if (rc == SQLITE_ROW) {
    *v = sqlite3_column_int64(q, 0);
  }
  store_sql_done(q);
  return out;
}

int store_sql_prepare_all(sqlite3 *db, const char *const *sql, int n, sqlite3_stmt **out,
                          const char *what, char *err, size_t errlen) {
  for (int i = 0; i < n; i++) {
    int rc = sqlite3_prepare_v3(db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &out[i], NULL);
    if (rc != SQLITE_OK) {
      snprintf(err, errlen, "cannot prepare %s statement %d: %s", what, i, sqlite3_errmsg(db));
      return store_sqlite_errno(rc);
    }
  }
  return 0;
}

void store_sql_finalize_all(sqlite3_stmt **q, int n) {
  for (int i = 0; i < n; i++) {
    sqlite3_finalize(q[i]);
    q[i] = NULL;
  }
}

/* ---- transactions ---- */

/* No transaction open: what the last one wrote was committed (the cache's
 * list emptied then) or SQLite rolled it back by itself on an error
 * (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM), without s_rollback: the
 * summaries it wrote and a look-up read back are forgotten. */
void store_sqlite_txn_check(mash_store_t *s) {
  store_sumcache_t *c = s_from(s)->per != NULL ? store_per_cache(s) : NULL;
  if (c != NULL && sqlite3_get_autocommit(s_from(s)->db)) {
    store_sumcache_rolled_back(c);
  }
}

static int s_begin(mash_store_t *s) {
  store_sqlite_txn_check(s);
  return store_sql_exec(s_from(s)->st[X_BEGIN]);
}

/* The id mark learns what was committed before the caller can receipt it. */
static int s_commit(mash_store_t *s) {
  int rc = store_sql_exec(s_from(s)->st[X_COMMIT]);
  if (rc == 0) {
    store_ids_committed(s_from(s)->ids);
    store_sumcache_committed(store_per_cache(s));
  }
  return rc;
}

static int s_rollback(mash_store_t *s) {
  store_ids_rolled_back(s_from(s)->ids);
  store_sumcache_rolled_back(store_per_cache(s));
  return store_sql_exec(s_from(s)->st[X_ROLLBACK]);
}

static int s_txn_open(mash_store_t *s) {
  return !sqlite3_get_autocommit(s_from(s)->db);
}

static int s_savepoint(mash_store_t *s) {
  store_sqlite_txn_check(s); /* a savepoint outside a transaction begins one */
  return store_sql_exec(s_from(s)->st[X_SAVEPOINT]);
}

static int s_release(mash_store_t *s, int keep) {
  int rc = keep ? 0 : store_sql_exec(s_from(s)->st[X_ROLLBACK_TO]);
  if (!keep) {
    store_sumcache_undone(store_per_cache(s));
  }
  int rel = store_sql_exec(s_from(s)->st[X_RELEASE]);
  return rc ? rc : rel;
}

/* After each commit (SQLite's wal hook, which replaces its auto-checkpoint):
 * note the log's size; checkpoint only past the hard bound. */
static int s_wal_hook(void *arg, sqlite3 *db, const char *name, int pages) {
  s_store_t *ss = arg;
  ss->wal_pages = pages > 0 ? (unsigned)pages : 0;
  if (ss->wal_pages >= WAL_HARD_PAGES &&
      sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) == SQLITE_OK) {
    ss->wal_pages = 0;
  }
  return SQLITE_OK;
}

static int s_checkpoint(mash_store_t *s, unsigned min_pages) {
  s_store_t *ss = s_from(s);
  unsigned pages = ss->wal_pages;
  if (pages == 0 || pages < min_pages) {
    return 0;
  }
  int log = 0, done = 0;
  int rc = sqlite3_wal_checkpoint_v2(ss->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
  if (rc != SQLITE_OK) {
    return store_sqlite_errno(rc);
  }
  /* Frames a reader still needed stay (done < log): counted again on the
   * next commit, which rewinds the log only once all were copied. */
  ss->wal_pages = done >= log ? 0 : (unsigned)(log - done);
  return (int)pages;
}

static void s_destroy(mash_store_t *s) {
  s_store_t *ss = s_from(s);
  store_con_destroy(ss->con);
  store_enq_destroy(ss->enq);
  store_per_destroy(ss->per);
  store_stat_destroy(ss->stat);
  store_duty_destroy(ss->duty);
  store_ids_destroy(ss->ids);
  store_sql_finalize_all(ss->st, X_N);
  /* A transaction left open (the caller crashed out of a batch) is rolled
   * back by close: never committed half-way. */
  sqlite3_close_v2(ss->db);
  free(ss->path);
  free(ss);
}

/* Another thread's reader: the same file, read-only (its own connection). */
static int s_open_reader(mash_store_t *s, mash_store_t **reader, char *err, size_t errlen) {
  *reader = mash_store_sqlite_open_readonly(s_from(s)->path, err, errlen);
  return *reader ? 0 : -EIO;
}

/* The slots a read-only store serves as well: statistics, the console's
 * figures, reading the escalation log, a reader of its own, and the
 * adapters' refused files. */
#define S_READER_VTABLE_ENTRIES                                                                    \
  .stats_summary = store_stat_summary, .stats_sources = store_stat_sources,                        \
  .stats_replies = store_stat_replies, .stats_escalation_levels = store_stat_escalation_levels,    \
  .stats_quality_flags = store_stat_quality_flags, .ops_figures = store_ops_figures,               \
  STORE_ELOG_READ_VTABLE_ENTRIES, .open_reader = s_open_reader,                                    \
  .adapter_rejection_put = store_rej_put, .adapter_rejections = store_rej_each

static const mash_store_vtable_t SQLITE_VT = {
    .begin = s_begin,
    .commit = s_commit,
    .rollback = s_rollback,
    .savepoint = s_savepoint,
    .txn_open = s_txn_open,
    .release = s_release,
    .checkpoint = s_checkpoint,
    .destroy = s_destroy,
    /* contacts */
    .intake = store_con_intake,
    .mark_delivered = store_con_mark_delivered,
    .load_undelivered = store_con_load_undelivered,
    .load_unresolved = store_con_load_unresolved,
    .contact_resolved = store_con_resolved,
    .contact_find = store_con_find,
    .contact_get = store_con_get,
    .contact_claim = store_con_get,
    .contact_set_state = store_con_set_state,
    .count_contacts = store_con_count,
    /* enquiries, requests, escalations, the outbox and the inbox */
    .inbox_get = store_enq_inbox_get,
    .inbox_put = store_enq_inbox_put,
    .inbox_refused = store_enq_inbox_refused,
    .enquiry_insert = store_enq_enquiry_insert,
    .enquiry_get = store_enq_enquiry_get,
    .enquiry_update = store_enq_enquiry_update,
    .enquiry_of_contact = store_enq_enquiry_of_contact,
    .request_insert = store_enq_request_insert,
    .request_get = store_enq_request_get,
    .request_answer = store_enq_request_answer,
    .request_set_level = store_enq_request_set_level,
    .requests_of_enquiry = store_enq_requests_of_enquiry,
    .requests_open = store_enq_requests_open,
    .escalation_insert = store_enq_escalation_insert,
    .escalations_of_enquiry = store_enq_escalations_of_enquiry,
    .esclog_mark = store_elog_mark,
    .outbox_insert = store_enq_outbox_insert,
    .outbox_delivered = store_enq_outbox_delivered,
    .outbox_pending = store_enq_outbox_pending,
    .latest_instant = store_enq_latest_instant,
    /* persons */
    STORE_PER_VTABLE_ENTRIES,
    /* duties */
    STORE_DUTY_VTABLE_ENTRIES,
    /* statistics, the escalation log, a reader, refused files */
    S_READER_VTABLE_ENTRIES,
};

/* A read-only store serves statistics and nothing else: every other slot
 * is NULL, so its wrapper answers -ENOSYS. */
static const mash_store_vtable_t SQLITE_READONLY_VT = {
    .destroy = s_destroy,
    .duty_stats = store_duty_stats,
    S_READER_VTABLE_ENTRIES,
};

/* Read a single-value PRAGMA as text into buf. */
static int s_pragma_text(sqlite3 *db, const char *sql, char *buf, size_t len) {
  sqlite3_stmt *q = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(q);
  }
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

/* SQLite creates a new database file as 0644 (less the umask) and gives the
 * -wal and -shm files the database file's mode; create it 0600 first so the
 * metadata (principals, message ids) is not world-readable. */
static void s_precreate_private(const char *path) {
  if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0 || path[0] == '\0') {
    return;
  }
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) {
    close(fd);
  }
}

/* What a store must be able to write before it is said to be ready. */
#define S_HEADROOM_BYTES (1 << 20)

/* Prove the store can write (a broker that says ready must not exit at its
 * first commit on a disk still full): HEADROOM bytes allocated in the
 * database's folder and given back, then a write transaction committed
 * (PRAGMA user_version rewritten with its own value). In-memory databases
 * skip the first. 0, or a negative errno with the system's reason in err. */
static int s_probe_write(s_store_t *ss, const char *path, char *err, size_t errlen) {
  if (strcmp(path, ":memory:") != 0 && strncmp(path, "file:", 5) != 0 && path[0] != '\0') {
    char probe[1100];
    snprintf(probe, sizeof probe, "%s.probe", path);
    int fd = open(probe, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int e = fd < 0 ? errno : posix_fallocate(fd, 0, S_HEADROOM_BYTES);
    if (fd >= 0) {
      close(fd);
      unlink(probe);
    }
    if (e != 0) {
      snprintf(err, errlen,
               "cannot write beside %s: %s (%d KiB could not be set aside for the store); "
               "free some space, then start mashd again",
               path, strerror(e), S_HEADROOM_BYTES / 1024);
      return -e;
    }
  }
  char sql[96];
  snprintf(sql, sizeof sql, "BEGIN IMMEDIATE; PRAGMA user_version = %d; COMMIT;",
           store_sqlite_schema_version());
  int rc = sqlite3_exec(ss->db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    char why[256];
    snprintf(err, errlen,
             "cannot write to %s: %s; free some space or fix its permissions, then "
             "start mashd again",
             path, store_sqlite_errmsg(ss->db, why, sizeof why));
    sqlite3_exec(ss->db, "ROLLBACK", NULL, NULL, NULL);
    return store_sqlite_errno(rc);
  }
  return 0;
}

/* The collation PostgreSQL calls "C" (bytewise), which SQLite's BINARY
 * already is: under this name the queries both engines share
 * (store_figures.c) sort names the same way on each. */
static int s_collate_c(void *arg, int na, const void *a, int nb, const void *b) {
  (void)arg;
  int c = memcmp(a, b, (size_t)(na < nb ? na : nb));
  return c != 0 ? c : na - nb;
}

/* A store with its connection open (flags for sqlite3_open_v2), or NULL
 * with a reason in err. */
static s_store_t *s_open(const char *path, int flags, const mash_store_vtable_t *vt, char *err,
                         size_t errlen) {
  s_store_t *ss = calloc(1, sizeof *ss);
  if (!ss) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  ss->base.vt = vt;
  ss->path = strdup(path);
  if (!ss->path) {
    snprintf(err, errlen, "out of memory");
    free(ss);
    return NULL;
  }
  int rc = sqlite3_open_v2(path, &ss->db, flags, NULL);
  if (rc != SQLITE_OK) {
    char why[256];
    snprintf(err, errlen, "cannot open %s: %s", path,
             ss->db ? store_sqlite_errmsg(ss->db, why, sizeof why) : sqlite3_errstr(rc));
    s_destroy(&ss->base);
    return NULL;
  }
  sqlite3_extended_result_codes(ss->db, 1);
  sqlite3_busy_timeout(ss->db, BUSY_TIMEOUT_MS);
  rc = sqlite3_create_collation_v2(ss->db, "C", SQLITE_UTF8, NULL, s_collate_c, NULL);
  if (rc != SQLITE_OK) {
    snprintf(err, errlen, "cannot open %s: %s", path, sqlite3_errstr(rc));
    s_destroy(&ss->base);
    return NULL;
  }
  return ss;
}

/* What the read-only store serves too: statistics and duties. 0 or -1. */
static int s_open_readers(s_store_t *ss, char *err, size_t errlen) {
  ss->stat = store_stat_new(ss->db, err, errlen);
  ss->duty = ss->stat ? store_duty_new(ss->db, err, errlen) : NULL;
  return ss->duty ? 0 : -1;
}

mash_store_t *mash_store_sqlite_new(const char *path, const mash_seal_t *seal, char *err,
                                    size_t errlen) {
  return mash_store_sqlite_open(path, seal, NULL, err, errlen);
}

mash_store_t *mash_store_sqlite_open(const char *path, const mash_seal_t *seal,
                                     mash_store_sqlite_opts_t *opts, char *err, size_t errlen) {
  char dummy[1];
  if (opts) {
    opts->note[0] = '\0';
  }
  store_row_err_init(&err, &errlen, dummy, sizeof dummy);
  if (!path || !seal) {
    snprintf(err, errlen, "no database path or seal");
    return NULL;
  }
  s_precreate_private(path);
  /* NOMUTEX: one thread at a time uses the connection (the storage thread);
   * the hand-over from the creating thread happens before the thread starts. */
  s_store_t *ss = s_open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                         &SQLITE_VT, err, errlen);
  if (!ss) {
    return NULL;
  }
  char mode[16];
  int rc = s_pragma_text(ss->db, "PRAGMA journal_mode = WAL", mode, sizeof mode);
  if (rc != SQLITE_OK || strcmp(mode, "wal") != 0) {
    char why[256];
    snprintf(err, errlen, "cannot set WAL mode on %s: %s", path,
             rc != SQLITE_OK ? store_sqlite_errmsg(ss->db, why, sizeof why) : mode);
    goto fail;
  }
  rc = sqlite3_exec(ss->db,
                    "PRAGMA synchronous = FULL;"
                    "PRAGMA trusted_schema = OFF;"
                    /* The person index is read at random: a 64 MiB page
                     * cache, and the file mapped rather than read. */
                    "PRAGMA cache_size = -65536;"
                    "PRAGMA mmap_size = 1073741824;"
                    /* Savepoints' journals in memory: a resolution's
                     * savepoint changes more than the 64 KiB SQLite keeps
                     * in memory, and the rest went to a temporary file made
                     * and deleted (open, unlink, close) for every contact. */
                    "PRAGMA temp_store = MEMORY;",
                    NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    char why[256];
    snprintf(err, errlen, "cannot configure %s: %s", path,
             store_sqlite_errmsg(ss->db, why, sizeof why));
    goto fail;
  }
  if (store_sqlite_migrate(ss->db, store_sqlite_schema_version(), err, errlen) != 0) {
    goto fail;
  }
  /* No auto-checkpoint inside a commit (it cost a tenth of the storage
   * thread): the owner checkpoints between batches (mash_store_checkpoint). */
  sqlite3_wal_hook(ss->db, s_wal_hook, ss);
  /* Before anything can issue an id: a database behind its id mark (a lost
   * write-ahead log) is refused here, unless the loss is accepted. */
  store_ids_opts_t io = {.accept_id_loss = opts ? opts->accept_id_loss : 0};
  char note[sizeof opts->note];
  ss->ids = store_ids_open(ss->db, path, &io, note, sizeof note, err, errlen);
  if (!ss->ids) {
    goto fail;
  }
  if (opts) {
    snprintf(opts->note, sizeof opts->note, "%s", note);
  }
  if (s_probe_write(ss, path, err, errlen) != 0) {
    goto fail;
  }
  if (store_sql_prepare_all(ss->db, SQL, X_N, ss->st, "transaction", err, errlen) != 0) {
    goto fail;
  }
  ss->con = store_con_new(ss->db, seal, err, errlen);
  if (!ss->con) {
    goto fail;
  }
  ss->enq = store_enq_new(ss->db, seal, err, errlen);
  if (!ss->enq) {
    goto fail;
  }
  long cache_mb =
      opts && opts->summary_cache_mb != 0 ? opts->summary_cache_mb : MASH_STORE_SUMMARY_CACHE_MB;
  ss->per = store_per_new(ss->db, seal, cache_mb > 0 ? (size_t)cache_mb << 20 : 0, err, errlen);
  if (!ss->per) {
    goto fail;
  }
  if (s_open_readers(ss, err, errlen) != 0) {
    goto fail;
  }
  return &ss->base;
fail:
  s_destroy(&ss->base);
  return NULL;
}

mash_store_t *mash_store_sqlite_open_readonly(const char *path, char *err, size_t errlen) {
  char dummy[1];
  store_row_err_init(&err, &errlen, dummy, sizeof dummy);
  if (!path) {
    snprintf(err, errlen, "no database path");
    return NULL;
  }
  s_store_t *ss = s_open(path, SQLITE_OPEN_READONLY, &SQLITE_READONLY_VT, err, errlen);
  if (!ss) {
    return NULL;
  }
  /* Unreadable (not a database), older (mashd migrates it when it starts)
   * or newer (a later mashd wrote it): not a store these statistics know. */
  int version = -1;
  if (store_sqlite_user_version(ss->db, &version) != 0 ||
      version != store_sqlite_schema_version()) {
    snprintf(err, errlen, "%s: not a mash store of this version (start mashd once)", path);
    goto fail;
  }
  if (s_open_readers(ss, err, errlen) != 0) {
    goto fail;
  }
  return &ss->base;
fail:
  s_destroy(&ss->base);
  return NULL;
}
