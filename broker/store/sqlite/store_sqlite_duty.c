/* store_sqlite_duty: the duties table of the SQLite store: every timed duty
 * of the hub (screening, each agency request, the decision) with its window,
 * the escalation level reached, the instant its ladder next fires and when
 * it was done.
 *
 * Responsible for: the table, its open-duty index (a partial index over the
 * open duties that covers the id and the next instant, so start-up reads
 * only what is open, never every duty ever opened) and its statements.
 * Must not: decide anything (the ladder and the transactions do), hold child
 * data (ids, times and levels only), or run on any thread but the storage
 * thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_sqlite_int.h"

/* The table and its index: migration 5 in store_sqlite_schema.c. */

enum { Q_OPEN, Q_ID_OF, Q_GET, Q_FIND, Q_SET, Q_DONE, Q_LIST_OPEN, Q_STATS, Q_N };

#define DUTY_COLS                                                                                  \
  "duty, kind, ref, rag, start_ms, due_ms, level, level_at_ms, next_at_ms, done_at_ms"

static const char *const SQL[Q_N] = {
    [Q_OPEN] = "INSERT INTO duties (kind, ref, rag, start_ms, due_ms, next_at_ms) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [Q_ID_OF] = "SELECT duty FROM duties WHERE kind = ?1 AND ref = ?2",
    [Q_GET] = "SELECT " DUTY_COLS " FROM duties WHERE duty = ?1",
    [Q_FIND] = "SELECT " DUTY_COLS " FROM duties WHERE kind = ?1 AND ref = ?2",
    [Q_SET] = "UPDATE duties SET level = ?2, level_at_ms = ?3, next_at_ms = ?4 WHERE duty = ?1",
    [Q_DONE] = "UPDATE duties SET done_at_ms = ?2 WHERE duty = ?1 AND done_at_ms = 0",
    /* INDEXED BY: the partial index holds only open duties; a plan that
     * walked the table would read every duty ever opened. */
    [Q_LIST_OPEN] = "SELECT duty, next_at_ms FROM duties INDEXED BY duties_open "
                    "WHERE done_at_ms = 0",
    [Q_STATS] = "SELECT COALESCE(SUM(done_at_ms <> 0), 0), "
                "COALESCE(SUM(done_at_ms <> 0 AND done_at_ms <= due_ms), 0), "
                "COALESCE(SUM(done_at_ms = 0), 0), "
                "COALESCE(SUM(done_at_ms = 0 AND due_ms < ?2), 0), "
                "COALESCE(SUM(level > 0), 0) FROM duties WHERE kind = ?1",
};

struct store_duty {
  sqlite3 *db;
  sqlite3_stmt *q[Q_N];
};

store_duty_t *store_duty_new(sqlite3 *db, char *err, size_t errlen) {
  store_duty_t *d = calloc(1, sizeof *d);
  if (!d) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  d->db = db;
  for (int i = 0; i < Q_N; i++) {
    if (sqlite3_prepare_v3(db, SQL[i], -1, SQLITE_PREPARE_PERSISTENT, &d->q[i], NULL) !=
        SQLITE_OK) {
      snprintf(err, errlen, "cannot prepare duty statement %d: %s", i, sqlite3_errmsg(db));
      store_duty_destroy(d);
      return NULL;
    }
  }
  return d;
}

void store_duty_destroy(store_duty_t *d) {
  if (!d) {
    return;
  }
  for (int i = 0; i < Q_N; i++) {
    sqlite3_finalize(d->q[i]);
  }
  free(d);
}

static sqlite3_stmt *s_q(mash_store_t *s, int which) {
  return store_sqlite_duty(s)->q[which];
}

static void s_row(sqlite3_stmt *q, mash_duty_row_t *row) {
  memset(row, 0, sizeof *row);
  row->duty = (uint64_t)sqlite3_column_int64(q, 0);
  row->kind = sqlite3_column_int(q, 1);
  store_sql_text(q, 2, row->ref, sizeof row->ref);
  row->rag = sqlite3_column_int(q, 3);
  row->start_ms = sqlite3_column_int64(q, 4);
  row->due_ms = sqlite3_column_int64(q, 5);
  row->level = (unsigned)sqlite3_column_int(q, 6);
  row->level_at_ms = sqlite3_column_int64(q, 7);
  row->next_at_ms = sqlite3_column_int64(q, 8);
  row->done_at_ms = sqlite3_column_int64(q, 9);
}

/* Run a one-row SELECT of DUTY_COLS: 0 with the row, -ENOENT, or an error. */
static int s_one(sqlite3_stmt *q, mash_duty_row_t *row) {
  int rc = sqlite3_step(q);
  int out = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : store_sqlite_errno(rc);
  if (rc == SQLITE_ROW) {
    s_row(q, row);
  }
  store_sql_done(q);
  return out;
}

int store_duty_open(mash_store_t *s, int kind, const char *ref, int rag, int64_t start_ms,
                    int64_t due_ms, int64_t next_at_ms, uint64_t *duty) {
  sqlite3_stmt *q = s_q(s, Q_ID_OF);
  sqlite3_bind_int(q, 1, kind);
  sqlite3_bind_text(q, 2, ref, -1, SQLITE_STATIC);
  int rc = sqlite3_step(q);
  if (rc == SQLITE_ROW) {
    *duty = (uint64_t)sqlite3_column_int64(q, 0);
  }
  store_sql_done(q);
  if (rc != SQLITE_DONE) {
    return rc == SQLITE_ROW ? -EEXIST : store_sqlite_errno(rc);
  }
  q = s_q(s, Q_OPEN);
  sqlite3_bind_int(q, 1, kind);
  sqlite3_bind_text(q, 2, ref, -1, SQLITE_STATIC);
  sqlite3_bind_int(q, 3, rag);
  sqlite3_bind_int64(q, 4, start_ms);
  sqlite3_bind_int64(q, 5, due_ms);
  sqlite3_bind_int64(q, 6, next_at_ms);
  rc = store_sql_exec(q);
  if (rc == 0) {
    *duty = (uint64_t)sqlite3_last_insert_rowid(store_sqlite_duty(s)->db);
  }
  return rc;
}

int store_duty_get(mash_store_t *s, uint64_t duty, mash_duty_row_t *row) {
  sqlite3_stmt *q = s_q(s, Q_GET);
  sqlite3_bind_int64(q, 1, (sqlite3_int64)duty);
  return s_one(q, row);
}

int store_duty_find(mash_store_t *s, int kind, const char *ref, mash_duty_row_t *row) {
  sqlite3_stmt *q = s_q(s, Q_FIND);
  sqlite3_bind_int(q, 1, kind);
  sqlite3_bind_text(q, 2, ref, -1, SQLITE_STATIC);
  return s_one(q, row);
}

int store_duty_set(mash_store_t *s, uint64_t duty, unsigned level, int64_t level_at_ms,
                   int64_t next_at_ms) {
  sqlite3_stmt *q = s_q(s, Q_SET);
  sqlite3_bind_int64(q, 1, (sqlite3_int64)duty);
  sqlite3_bind_int(q, 2, (int)level);
  sqlite3_bind_int64(q, 3, level_at_ms);
  sqlite3_bind_int64(q, 4, next_at_ms);
  return store_sql_exec(q);
}

int store_duty_done(mash_store_t *s, uint64_t duty, int64_t at_ms) {
  sqlite3_stmt *q = s_q(s, Q_DONE);
  sqlite3_bind_int64(q, 1, (sqlite3_int64)duty);
  /* 0 means open: a clock at the epoch still closes the duty. */
  sqlite3_bind_int64(q, 2, at_ms > 0 ? at_ms : 1);
  return store_sql_exec(q);
}

int store_duties_open(mash_store_t *s, mash_store_duty_cb cb, void *arg) {
  sqlite3_stmt *q = s_q(s, Q_LIST_OPEN);
  int out = 0;
  while (store_sql_row(q, &out)) {
    int64_t next = sqlite3_column_int64(q, 1);
    if (next == INT64_MAX) {
      continue; /* its ladder is done: nothing more fires */
    }
    if (cb((uint64_t)sqlite3_column_int64(q, 0), next, arg)) {
      break;
    }
  }
  store_sql_done(q);
  return out;
}

int store_duty_stats(mash_store_t *s, int kind, int64_t now_ms, mash_duty_stats_t *out) {
  memset(out, 0, sizeof *out);
  sqlite3_stmt *q = s_q(s, Q_STATS);
  sqlite3_bind_int(q, 1, kind);
  sqlite3_bind_int64(q, 2, now_ms);
  int rc = sqlite3_step(q);
  if (rc == SQLITE_ROW) {
    out->done = sqlite3_column_int64(q, 0);
    out->on_time = sqlite3_column_int64(q, 1);
    out->open = sqlite3_column_int64(q, 2);
    out->open_late = sqlite3_column_int64(q, 3);
    out->escalated = sqlite3_column_int64(q, 4);
  }
  int ret = rc == SQLITE_ROW ? 0 : store_sqlite_errno(rc == SQLITE_DONE ? SQLITE_MISUSE : rc);
  store_sql_done(q);
  return ret;
}
