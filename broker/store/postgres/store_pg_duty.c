/* store_pg_duty: the duties table of the PostgreSQL store: every timed duty
 * of the hub (screening, each agency request, the decision) with its window,
 * the escalation level reached, the instant its ladder next fires and when
 * it was done.
 *
 * Responsible for: the table's statements; start-up reads the open duties
 * through the partial index of open ones (migration 5). Must not: decide
 * anything (the ladder and the transactions do), hold child data (ids,
 * times and levels only), or run on any thread but the storage thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg_int.h"

#define DUTY_COLS                                                                                  \
  "duty, kind, ref, rag, start_ms, due_ms, level, level_at_ms, next_at_ms, done_at_ms"

static const char SQL_OPEN[] =
    "INSERT INTO duties (kind, ref, rag, start_ms, due_ms, next_at_ms) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kind, ref) DO NOTHING RETURNING duty";
static const char SQL_ID_OF[] = "SELECT duty FROM duties WHERE kind = $1 AND ref = $2";
static const char SQL_GET[] = "SELECT " DUTY_COLS " FROM duties WHERE duty = $1";
/* The claim: the row locked by this transaction, or nothing at once when
 * another session's transaction holds it (never waiting for it). */
static const char SQL_CLAIM[] =
    "SELECT " DUTY_COLS " FROM duties WHERE duty = $1 FOR UPDATE SKIP LOCKED";
static const char SQL_FIND[] = "SELECT " DUTY_COLS " FROM duties WHERE kind = $1 AND ref = $2";
static const char SQL_SET[] =
    "UPDATE duties SET level = $2, level_at_ms = $3, next_at_ms = $4 WHERE duty = $1";
static const char SQL_DONE[] =
    "UPDATE duties SET done_at_ms = $2 WHERE duty = $1 AND done_at_ms = 0";
static const char SQL_LIST_OPEN[] = "SELECT duty, next_at_ms FROM duties WHERE done_at_ms = 0 "
                                    "ORDER BY duty";
static const char SQL_STATS[] = "SELECT COUNT(*) FILTER (WHERE done_at_ms <> 0), "
                                "COUNT(*) FILTER (WHERE done_at_ms <> 0 AND done_at_ms <= due_ms), "
                                "COUNT(*) FILTER (WHERE done_at_ms = 0), "
                                "COUNT(*) FILTER (WHERE done_at_ms = 0 AND due_ms < $2), "
                                "COUNT(*) FILTER (WHERE level > 0) FROM duties WHERE kind = $1";

static void s_row(const PGresult *r, mash_duty_row_t *row) {
  memset(row, 0, sizeof *row);
  row->duty = (uint64_t)store_pg_i64(r, 0, 0);
  row->kind = (int)store_pg_i64(r, 0, 1);
  store_pg_str(r, 0, 2, row->ref, sizeof row->ref);
  row->rag = (int)store_pg_i64(r, 0, 3);
  row->start_ms = store_pg_i64(r, 0, 4);
  row->due_ms = store_pg_i64(r, 0, 5);
  row->level = (unsigned)store_pg_i64(r, 0, 6);
  row->level_at_ms = store_pg_i64(r, 0, 7);
  row->next_at_ms = store_pg_i64(r, 0, 8);
  row->done_at_ms = store_pg_i64(r, 0, 9);
}

/* A one-row SELECT of DUTY_COLS: 0 with the row, -ENOENT, or an error. */
static int s_one(mash_store_t *s, const char *sql, const store_pg_args_t *a, mash_duty_row_t *row) {
  int rc = 0;
  PGresult *r = store_pg_query(s, sql, a, &rc);
  if (!r) {
    return rc;
  }
  if (PQntuples(r) == 0) {
    rc = -ENOENT;
  } else {
    s_row(r, row);
  }
  PQclear(r);
  return rc;
}

int store_pg_duty_open(mash_store_t *s, int kind, const char *ref, int rag, int64_t start_ms,
                       int64_t due_ms, int64_t next_at_ms, uint64_t *duty) {
  store_pg_args_t a = {0};
  store_pg_int(&a, kind);
  store_pg_text(&a, ref);
  store_pg_int(&a, rag);
  store_pg_int(&a, start_ms);
  store_pg_int(&a, due_ms);
  store_pg_int(&a, next_at_ms);
  int rc = 0;
  PGresult *r = store_pg_query(s, SQL_OPEN, &a, &rc);
  if (!r) {
    return rc;
  }
  int inserted = PQntuples(r) == 1;
  if (inserted) {
    *duty = (uint64_t)store_pg_i64(r, 0, 0);
  }
  PQclear(r);
  if (inserted) {
    return 0;
  }
  /* (kind, ref) has its duty already: its id, and -EEXIST. */
  store_pg_args_t b = {0};
  store_pg_int(&b, kind);
  store_pg_text(&b, ref);
  int64_t id = 0;
  rc = store_pg_int64(s, SQL_ID_OF, &b, &id);
  if (rc == 0) {
    *duty = (uint64_t)id;
  }
  return rc == 0 ? -EEXIST : rc;
}

int store_pg_duty_get(mash_store_t *s, uint64_t duty, mash_duty_row_t *row) {
  store_pg_args_t a = {0};
  store_pg_int(&a, (int64_t)duty);
  return s_one(s, SQL_GET, &a, row);
}

/* Skipped rows and absent rows both answer nothing: a plain read (which
 * never waits for a row lock) tells which. */
int store_pg_duty_claim(mash_store_t *s, uint64_t duty, mash_duty_row_t *row) {
  store_pg_args_t a = {0};
  store_pg_int(&a, (int64_t)duty);
  int rc = s_one(s, SQL_CLAIM, &a, row);
  if (rc == -ENOENT) {
    rc = s_one(s, SQL_GET, &a, row);
    rc = rc == 0 ? -EBUSY : rc;
  }
  return rc;
}

int store_pg_duty_find(mash_store_t *s, int kind, const char *ref, mash_duty_row_t *row) {
  store_pg_args_t a = {0};
  store_pg_int(&a, kind);
  store_pg_text(&a, ref);
  return s_one(s, SQL_FIND, &a, row);
}

int store_pg_duty_set(mash_store_t *s, uint64_t duty, unsigned level, int64_t level_at_ms,
                      int64_t next_at_ms) {
  store_pg_args_t a = {0};
  store_pg_int(&a, (int64_t)duty);
  store_pg_int(&a, level);
  store_pg_int(&a, level_at_ms);
  store_pg_int(&a, next_at_ms);
  return store_pg_exec(s, SQL_SET, &a, NULL);
}

int store_pg_duty_done(mash_store_t *s, uint64_t duty, int64_t at_ms) {
  store_pg_args_t a = {0};
  store_pg_int(&a, (int64_t)duty);
  /* 0 means open: a clock at the epoch still closes the duty. */
  store_pg_int(&a, at_ms > 0 ? at_ms : 1);
  return store_pg_exec(s, SQL_DONE, &a, NULL);
}

int store_pg_duties_open(mash_store_t *s, mash_store_duty_cb cb, void *arg) {
  int rc = 0;
  PGresult *r = store_pg_query(s, SQL_LIST_OPEN, NULL, &rc);
  if (!r) {
    return rc;
  }
  for (int i = 0; i < PQntuples(r); i++) {
    int64_t next = store_pg_i64(r, i, 1);
    if (next == INT64_MAX) {
      continue; /* its ladder is done: nothing more fires */
    }
    if (cb((uint64_t)store_pg_i64(r, i, 0), next, arg)) {
      break;
    }
  }
  PQclear(r);
  return 0;
}

int store_pg_duty_stats(mash_store_t *s, int kind, int64_t now_ms, mash_duty_stats_t *out) {
  memset(out, 0, sizeof *out);
  store_pg_args_t a = {0};
  store_pg_int(&a, kind);
  store_pg_int(&a, now_ms);
  int rc = 0;
  PGresult *r = store_pg_query(s, SQL_STATS, &a, &rc);
  if (!r) {
    return rc;
  }
  out->done = store_pg_i64(r, 0, 0);
  out->on_time = store_pg_i64(r, 0, 1);
  out->open = store_pg_i64(r, 0, 2);
  out->open_late = store_pg_i64(r, 0, 3);
  out->escalated = store_pg_i64(r, 0, 4);
  PQclear(r);
  return 0;
}
