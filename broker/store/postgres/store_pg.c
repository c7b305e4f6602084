/* store_pg: the PostgreSQL implementation of store.h: the connection, its
 * transactions, the statement helpers the table modules share, and the
 * vtable assembled from them.
 *
 * Responsible for: connecting with a libpq connection string, the schema
 * migrated (store_pg_schema.c); begin, commit (durable when it returns 0:
 * synchronous_commit as the server is configured, `on` by default) and
 * rollback; savepoints around one operation of a batch; translating
 * PostgreSQL's errors into negative errnos at this edge. Sealed content and
 * blind indexes are made by the caller's seal (store_row.c), exactly as in
 * SQLite: the server never sees plaintext. Must not: run a table's SQL
 * itself (each table module owns its statements), or be used from more
 * than one thread at a time (the storage thread owns it in mashd).
 *
 * Every slot of the vtable is filled (the table modules: contacts,
 * enquiries, duties, persons, statistics, the escalation log's side), so a
 * contact is stored, resolved and delivered as on SQLite. A reader
 * (open_reader: another session, read-only, without the data key) serves
 * the escalation log's feed and statistics.
 */
#include "store.h"
#include "store_pg_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Statements prepared on this session, by their text: each is parsed and
 * planned by the server once, not on every call (the server's CPU was most
 * of a notification's cost on PostgreSQL: bench/README.md). Open
 * addressing; full, a statement runs unprepared. */
#define S_PREPARED_SLOTS 512
#define S_PREPARED_MAX 384

typedef struct s_prepared {
  char *sql; /* NULL: a free slot */
  char name[12];
} s_prepared_t;

typedef struct s_store {
  mash_store_t base; /* first: an s_store_t * is a mash_store_t * */
  PGconn *conn;
  s_prepared_t prepared[S_PREPARED_SLOTS];
  unsigned n_prepared;
  int64_t next_contact_id; /* this transaction's next contact row id; 0: not read yet */
  const mash_seal_t *seal; /* borrowed; NULL in a reader */
  mash_seal_ctx_t *ctx;    /* the seal's reusable context; NULL in a reader */
  char *conninfo;          /* as opened: a reader connects with it (open_reader) */
} s_store_t;

static s_store_t *s_from(mash_store_t *s) {
  return (s_store_t *)s;
}

PGconn *store_pg_conn(mash_store_t *s) {
  return s_from(s)->conn;
}

const mash_seal_t *store_pg_seal(mash_store_t *s) {
  return s_from(s)->seal;
}

mash_seal_ctx_t *store_pg_seal_ctx(mash_store_t *s) {
  return s_from(s)->ctx;
}

int64_t *store_pg_next_contact_id(mash_store_t *s) {
  return &s_from(s)->next_contact_id;
}

/* ---- parameters ---- */

static int s_arg(store_pg_args_t *a) {
  if (a->n >= STORE_PG_MAX_ARGS) {
    abort(); /* a programming error: the statements are fixed */
  }
  return a->n++;
}

void store_pg_text(store_pg_args_t *a, const char *t) {
  int i = s_arg(a);
  a->v[i] = t;
  a->len[i] = 0;
  a->fmt[i] = 0;
}

void store_pg_int(store_pg_args_t *a, int64_t v) {
  int i = s_arg(a);
  snprintf(a->num[i], sizeof a->num[i], "%" PRId64, v);
  a->v[i] = a->num[i];
  a->len[i] = 0;
  a->fmt[i] = 0;
}

void store_pg_bytes(store_pg_args_t *a, const uint8_t *b, size_t n) {
  int i = s_arg(a);
  a->v[i] = b ? (const char *)b : "";
  a->len[i] = (int)n;
  a->fmt[i] = 1;
}

/* ---- errors and statements ---- */

int store_pg_errno(PGconn *c, const PGresult *r) {
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
    return 0;
  }
  if (!r || PQstatus(c) != CONNECTION_OK) {
    return -ENOTCONN; /* the server is gone: nothing here is durable */
  }
  const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  if (!state) {
    /* An error libpq made itself (the server said nothing: "server closed
     * the connection unexpectedly"), before its status says so. */
    return -ENOTCONN;
  }
  /* The connection's end announced (class 08; the server shutting down,
   * crashed or not yet accepting: 57P01-57P03): the session is lost, as
   * when the socket closes. mashd reconnects (README, High availability). */
  if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 ||
      strcmp(state, "57P03") == 0) {
    return -ENOTCONN;
  }
  if (strncmp(state, "23", 2) == 0) {
    return -EEXIST; /* integrity constraint */
  }
  if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0) {
    return -EBUSY; /* serialization, deadlock, lock not available */
  }
  if (strcmp(state, "53100") == 0) {
    return -ENOSPC;
  }
  if (strncmp(state, "53", 2) == 0) {
    return -ENOMEM;
  }
  if (strncmp(state, "28", 2) == 0 || strcmp(state, "42501") == 0) {
    return -EACCES;
  }
  if (strcmp(state, "25006") == 0) {
    return -EROFS; /* a read-only transaction: a standby */
  }
  if (strncmp(state, "22", 2) == 0) {
    return -EINVAL;
  }
  return -EIO;
}

static uint32_t s_hash(const char *t) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (; *t; t++) {
    h = (h ^ (uint8_t)*t) * 16777619u;
  }
  return h;
}

/* The name sql is prepared under on this session, preparing it the first
 * time; NULL when it cannot be (the table is full, or the server refused:
 * the statement then runs unprepared and reports its own error). */
static const char *s_prepare(s_store_t *ss, const char *sql, int nparams) {
  uint32_t i = s_hash(sql) % S_PREPARED_SLOTS;
  while (ss->prepared[i].sql) {
    if (strcmp(ss->prepared[i].sql, sql) == 0) {
      return ss->prepared[i].name;
    }
    i = (i + 1) % S_PREPARED_SLOTS;
  }
  if (ss->n_prepared >= S_PREPARED_MAX) {
    return NULL;
  }
  char name[12];
  snprintf(name, sizeof name, "m%u", ss->n_prepared + 1);
  PGresult *r = PQprepare(ss->conn, name, sql, nparams, NULL);
  int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  PQclear(r);
  if (!ok || !(ss->prepared[i].sql = strdup(sql))) {
    return NULL;
  }
  snprintf(ss->prepared[i].name, sizeof ss->prepared[i].name, "%s", name);
  ss->n_prepared++;
  return ss->prepared[i].name;
}

/* Every statement prepared once per session (a prepared statement outlives
 * a rolled-back transaction). */
static PGresult *s_run(mash_store_t *s, const char *sql, const store_pg_args_t *a) {
  s_store_t *ss = s_from(s);
  int n = a ? a->n : 0;
  const char *name = s_prepare(ss, sql, n);
  if (name) {
    return PQexecPrepared(ss->conn, name, n, a ? a->v : NULL, a ? a->len : NULL, a ? a->fmt : NULL,
                          0);
  }
  return PQexecParams(ss->conn, sql, n, NULL, a ? a->v : NULL, a ? a->len : NULL, a ? a->fmt : NULL,
                      0);
}

PGresult *store_pg_query(mash_store_t *s, const char *sql, const store_pg_args_t *a, int *err) {
  PGresult *r = s_run(s, sql, a);
  *err = store_pg_errno(s_from(s)->conn, r);
  if (*err == 0 && PQresultStatus(r) != PGRES_TUPLES_OK) {
    *err = -EINVAL;
  }
  if (*err) {
    PQclear(r);
    return NULL;
  }
  return r;
}

PGresult *store_pg_query_id(mash_store_t *s, const char *sql, int64_t id, int *err) {
  store_pg_args_t a = {0};
  store_pg_int(&a, id);
  return store_pg_query(s, sql, &a, err);
}

int store_pg_exec(mash_store_t *s, const char *sql, const store_pg_args_t *a, int64_t *changed) {
  PGresult *r = s_run(s, sql, a);
  int rc = store_pg_errno(s_from(s)->conn, r);
  if (rc == 0 && changed) {
    const char *n = PQcmdTuples(r);
    *changed = n && *n ? strtoll(n, NULL, 10) : 0;
  }
  PQclear(r);
  return rc;
}

int store_pg_int64(mash_store_t *s, const char *sql, const store_pg_args_t *a, int64_t *v) {
  int rc = 0;
  PGresult *r = store_pg_query(s, sql, a, &rc);
  if (!r) {
    return rc;
  }
  rc = PQntuples(r) == 1 ? 0 : -EINVAL;
  if (rc == 0) {
    *v = store_pg_i64(r, 0, 0);
  }
  PQclear(r);
  return rc;
}

int64_t store_pg_i64(const PGresult *r, int row, int col) {
  if (PQgetisnull(r, row, col)) {
    return 0;
  }
  return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

void store_pg_str(const PGresult *r, int row, int col, char *out, size_t cap) {
  snprintf(out, cap, "%s", PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

int store_pg_blob(const PGresult *r, int row, int col, uint8_t **out, size_t *len) {
  *out = NULL;
  *len = 0;
  if (PQgetisnull(r, row, col)) {
    return 0;
  }
  size_t n = 0;
  unsigned char *b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), &n);
  if (!b) {
    return -ENOMEM;
  }
  *out = malloc(n > 0 ? n : 1);
  if (!*out) {
    PQfreemem(b);
    return -ENOMEM;
  }
  memcpy(*out, b, n);
  *len = n;
  PQfreemem(b);
  return 0;
}

int store_pg_open(mash_store_t *s, const PGresult *r, int row, int col, const char *aad,
                  uint8_t **out, size_t *len) {
  *out = NULL;
  *len = 0;
  int is_null = PQgetisnull(r, row, col);
  size_t n = 0;
  unsigned char *b = NULL;
  if (!is_null) {
    b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), &n);
    if (!b) {
      return -ENOMEM;
    }
  }
  int rc = store_row_open(s_from(s)->seal, b, n, is_null, aad, out, len);
  PQfreemem(b);
  return rc;
}

/* ---- transactions ---- */

static int s_simple(mash_store_t *s, const char *sql) {
  return store_pg_exec(s, sql, NULL, NULL);
}

static int s_begin(mash_store_t *s) {
  s_from(s)->next_contact_id = 0;
  return s_simple(s, "BEGIN");
}

/* A COMMIT of a transaction that failed half-way answers ROLLBACK and
 * "succeeds": that is a failure here, and nothing of it may be receipted. */
static int s_commit(mash_store_t *s) {
  s_from(s)->next_contact_id = 0;
  PGresult *r = s_run(s, "COMMIT", NULL);
  int rc = store_pg_errno(s_from(s)->conn, r);
  if (rc == 0 && strcmp(PQcmdStatus(r), "COMMIT") != 0) {
    rc = PQstatus(s_from(s)->conn) == CONNECTION_OK ? -EIO : -ENOTCONN;
  }
  PQclear(r);
  return rc;
}

static int s_rollback(mash_store_t *s) {
  s_from(s)->next_contact_id = 0;
  return s_simple(s, "ROLLBACK");
}

/* PostgreSQL never commits by itself what follows an error: a failed
 * statement leaves the transaction aborted (every later one fails until a
 * rollback to a savepoint). Open while in one, aborted or not. */
static int s_txn_open(mash_store_t *s) {
  PGTransactionStatusType t = PQtransactionStatus(s_from(s)->conn);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

static int s_savepoint(mash_store_t *s) {
  return s_simple(s, "SAVEPOINT op");
}

static int s_release(mash_store_t *s, int keep) {
  if (!keep) {
    s_from(s)->next_contact_id = 0; /* an undone intake gives its id back */
  }
  int rc = keep ? 0 : s_simple(s, "ROLLBACK TO SAVEPOINT op");
  int rel = s_simple(s, "RELEASE SAVEPOINT op");
  return rc ? rc : rel;
}

/* Closing the session rolls back a transaction left open: never committed
 * half-way. */
static void s_destroy(mash_store_t *s) {
  s_store_t *ss = s_from(s);
  PQfinish(ss->conn);
  for (size_t i = 0; i < S_PREPARED_SLOTS; i++) {
    free(ss->prepared[i].sql);
  }
  mash_seal_ctx_destroy(&ss->ctx);
  free(ss->conninfo);
  free(ss);
}

static s_store_t *s_connect(const char *conninfo, const mash_seal_t *seal, int reader, char *err,
                            size_t errlen);

/* Another thread's reader: a session of its own, read-only, without the
 * data key (only what the escalation log's feed and statistics read). */
static int s_open_reader(mash_store_t *s, mash_store_t **reader, char *err, size_t errlen) {
  s_store_t *r = s_connect(s_from(s)->conninfo, NULL, 1, err, errlen);
  *reader = r ? &r->base : NULL;
  return r ? 0 : -EIO;
}

/* The server checkpoints its own log: nothing for the storage thread to do
 * between batches (it stops asking after this answer). */
static int s_checkpoint(mash_store_t *s, unsigned min_pages) {
  (void)s, (void)min_pages;
  return -ENOSYS;
}

static const mash_store_vtable_t PG_VT = {
    .begin = s_begin,
    .checkpoint = s_checkpoint,
    .commit = s_commit,
    .rollback = s_rollback,
    .savepoint = s_savepoint,
    .txn_open = s_txn_open,
    .release = s_release,
    .destroy = s_destroy,
    STORE_PG_CON_VTABLE_ENTRIES,
    STORE_PG_ENQ_VTABLE_ENTRIES,
    STORE_PG_DUTY_VTABLE_ENTRIES,
    STORE_PG_ELOG_VTABLE_ENTRIES,
    STORE_PG_PER_VTABLE_ENTRIES,
    STORE_PG_STAT_VTABLE_ENTRIES,
    .open_reader = s_open_reader,
};

/* A reader: reads that need no data key, and another reader. */
static const mash_store_vtable_t PG_READER_VT = {
    .destroy = s_destroy,
    .duty_stats = store_pg_duty_stats,
    STORE_PG_STAT_VTABLE_ENTRIES,
    STORE_PG_ELOG_READ_VTABLE_ENTRIES,
    .open_reader = s_open_reader,
};

/* libpq prints notices (NOTICE: relation exists...) to stderr by default;
 * the broker's log is JSON on stderr, so they are dropped. */
static void s_no_notice(void *arg, const char *message) {
  (void)arg;
  (void)message;
}

/* A session on conninfo: the store (reader 0: the schema migrated) or a
 * reader (reader 1: read-only transactions, the schema must be this
 * version). NULL with a reason in err. */
static s_store_t *s_connect(const char *conninfo, const mash_seal_t *seal, int reader, char *err,
                            size_t errlen) {
  s_store_t *ss = calloc(1, sizeof *ss);
  if (!ss || !(ss->conninfo = strdup(conninfo))) {
    free(ss);
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  ss->base.vt = reader ? &PG_READER_VT : &PG_VT;
  ss->seal = seal;
  if (seal && !(ss->ctx = mash_seal_ctx_new(seal))) {
    snprintf(err, errlen, "cannot make a sealing context");
    s_destroy(&ss->base);
    return NULL;
  }
  ss->conn = PQconnectdb(conninfo);
  if (!ss->conn || PQstatus(ss->conn) != CONNECTION_OK) {
    /* PQerrorMessage names host and reason, never the password. */
    snprintf(err, errlen, "cannot connect to PostgreSQL: %s",
             ss->conn ? PQerrorMessage(ss->conn) : "out of memory");
    size_t n = strlen(err);
    while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' ')) {
      err[--n] = '\0';
    }
    s_destroy(&ss->base);
    return NULL;
  }
  PQsetNoticeProcessor(ss->conn, s_no_notice, NULL);
  /* Times are integers of milliseconds: no time zone or date style matters;
   * a statement stuck on a lock fails rather than stalling the batch. */
  PGresult *r = PQexec(ss->conn, reader ? "SET lock_timeout = '5s'; "
                                          "SET default_transaction_read_only = on"
                                        : "SET lock_timeout = '5s'");
  int rc = store_pg_errno(ss->conn, r);
  PQclear(r);
  if (rc != 0) {
    snprintf(err, errlen, "cannot configure the session: %s", PQerrorMessage(ss->conn));
  } else if (!reader) {
    rc = store_pg_migrate(ss->conn, store_pg_schema_version(), err, errlen);
  } else {
    int version = -1;
    rc = store_pg_db_version(ss->conn, &version);
    if (rc == 0 && version != store_pg_schema_version()) {
      snprintf(err, errlen, "not a mash store of this version (start mashd once)");
      rc = -EPROTO;
    } else if (rc != 0) {
      snprintf(err, errlen, "cannot read the schema version: %s", PQerrorMessage(ss->conn));
    }
  }
  if (rc != 0) {
    s_destroy(&ss->base);
    return NULL;
  }
  return ss;
}

mash_store_t *mash_store_postgres_new(const char *conninfo, const mash_seal_t *seal, char *err,
                                      size_t errlen) {
  char dummy[1];
  store_row_err_init(&err, &errlen, dummy, sizeof dummy);
  if (!conninfo || !seal) {
    snprintf(err, errlen, "no connection string or seal");
    return NULL;
  }
  s_store_t *ss = s_connect(conninfo, seal, 0, err, errlen);
  return ss ? &ss->base : NULL;
}

mash_store_t *mash_store_postgres_open_readonly(const char *conninfo, char *err, size_t errlen) {
  char dummy[1];
  if (!err || errlen == 0) {
    err = dummy;
    errlen = sizeof dummy;
  }
  err[0] = '\0';
  if (!conninfo) {
    snprintf(err, errlen, "no connection string");
    return NULL;
  }
  s_store_t *ss = s_connect(conninfo, NULL, 1, err, errlen);
  return ss ? &ss->base : NULL;
}
