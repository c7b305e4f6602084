/* store_pg_stats: management information and the operations console's
 * figures from the PostgreSQL store's plain columns (DESIGN.md §1): the
 * twin of SQLite's store_sqlite_stats.c, giving the
 * same figures in the same order (names sorted bytewise, COLLATE "C", as
 * SQLite sorts them).
 *
 * Responsible for: the statistics queries and the nearest-rank percentiles
 * of their durations, and running the console's figure queries (their text
 * and use are store_figures.c's, shared with SQLite). Must not: write, or read sealed content
 * (ids, counts, times and agency names only), so a reader without the data
 * key serves them. The thread using the store.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_figures.h"
#include "store_pg_int.h"

/* Flag names counted at most, and their length (as SQLite's). */

/* The four values every figure query may name: $1 from, $2 to, $3 now,
 * $4 the screening window (each typed bigint, so a query need not use them
 * all). */
typedef struct s_args {
  mash_store_t *s;
  int64_t v[4];
  int rc;
} s_args_t;

static PGresult *s_run(s_args_t *a, const char *sql) {
  static const Oid TYPES[4] = {20, 20, 20, 20}; /* int8 */
  char num[4][24];
  const char *vals[4];
  for (int i = 0; i < 4; i++) {
    snprintf(num[i], sizeof num[i], "%lld", (long long)a->v[i]);
    vals[i] = num[i];
  }
  PGconn *c = store_pg_conn(a->s);
  PGresult *r = PQexecParams(c, sql, 4, TYPES, vals, NULL, NULL, 0);
  int rc = store_pg_errno(c, r);
  if (rc != 0 || PQresultStatus(r) != PGRES_TUPLES_OK) {
    if (a->rc == 0) {
      a->rc = rc ? rc : -EINVAL;
    }
    PQclear(r);
    return NULL;
  }
  return r;
}

static int64_t s_one(s_args_t *a, const char *sql) {
  PGresult *r = s_run(a, sql);
  int64_t v = r && PQntuples(r) > 0 ? store_pg_i64(r, 0, 0) : 0;
  PQclear(r);
  return v;
}

/* The distribution of the first column of sql's rows. */
static void s_dist(s_args_t *a, const char *sql, int64_t *n_out, int64_t *p50, int64_t *p90) {
  *n_out = *p50 = *p90 = 0;
  PGresult *r = s_run(a, sql);
  if (!r) {
    return;
  }
  size_t n = (size_t)PQntuples(r);
  int64_t *v = malloc((n ? n : 1) * sizeof *v);
  if (!v) {
    a->rc = a->rc ? a->rc : -ENOMEM;
    PQclear(r);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    v[i] = store_pg_i64(r, (int)i, 0);
  }
  PQclear(r);
  *n_out = (int64_t)n;
  store_row_percentiles(v, n, p50, p90);
  free(v);
}

/* ---- statistics (mashctl stats) ---- */

int store_pg_stat_summary(mash_store_t *s, int64_t now_ms, mash_store_stats_t *out) {
  if (!out) {
    return -EINVAL;
  }
  memset(out, 0, sizeof *out);
  s_args_t a = {s, {0, 0, now_ms, 0}, 0};
  out->contacts = s_one(&a, "SELECT count(*) FROM contacts");
  s_dist(&a, "SELECT screened_at_ms - received_at_ms FROM contacts WHERE screened_at_ms > 0",
         &out->time_to_screen.n, &out->time_to_screen.p50_ms, &out->time_to_screen.p90_ms);
  s_dist(&a, "SELECT first_pack_at_ms - opened_at_ms FROM enquiries WHERE first_pack_at_ms > 0",
         &out->time_to_pack.n, &out->time_to_pack.p50_ms, &out->time_to_pack.p90_ms);
  s_dist(&a, "SELECT decided_at_ms - received_at_ms FROM contacts WHERE decided_at_ms > 0",
         &out->time_to_decision.n, &out->time_to_decision.p50_ms, &out->time_to_decision.p90_ms);
  out->open_enquiries = s_one(&a, "SELECT count(*) FROM enquiries WHERE closed_at_ms = 0");
  out->overdue_requests = s_one(&a, "SELECT count(*) FROM requests r JOIN enquiries e "
                                    "USING (enquiry_id) WHERE r.answered_at_ms = 0 AND "
                                    "e.closed_at_ms = 0 AND r.due_at_ms < $3");
  out->domestic_abuse = s_one(&a, "SELECT count(*) FROM contacts WHERE domestic_abuse = 1");
  out->dash_complete =
      s_one(&a, "SELECT count(*) FROM contacts WHERE domestic_abuse = 1 AND dash_complete = 1");
  out->enquiries = s_one(&a, "SELECT count(*) FROM enquiries");
  out->consent_recorded = s_one(&a, "SELECT count(*) FROM enquiries WHERE consent_status > 0");
  out->resolution_backlog = s_one(&a, "SELECT count(*) FROM contacts WHERE unresolved = 1");
  out->possible_match_backlog = s_one(&a, "SELECT count(*) FROM matches WHERE state = 0");
  PGresult *r = s_run(&a, "SELECT contact_id, received_at_ms FROM contacts WHERE state <> 3 "
                          "ORDER BY received_at_ms, id LIMIT 1");
  if (r && PQntuples(r) == 1) {
    store_pg_str(r, 0, 0, out->oldest_open_id, sizeof out->oldest_open_id);
    out->oldest_open_received_at_ms = store_pg_i64(r, 0, 1);
  }
  PQclear(r);
  return a.rc;
}

int store_pg_stat_sources(mash_store_t *s, mash_store_count_cb cb, void *arg) {
  if (!cb) {
    return -EINVAL;
  }
  s_args_t a = {s, {0}, 0};
  PGresult *r = s_run(&a, "SELECT principal, count(*) FROM contacts GROUP BY principal "
                          "ORDER BY principal COLLATE \"C\"");
  for (int i = 0; r && i < PQntuples(r); i++) {
    if (cb(PQgetvalue(r, i, 0), store_pg_i64(r, i, 1), arg)) {
      break;
    }
  }
  PQclear(r);
  return a.rc;
}

int store_pg_stat_replies(mash_store_t *s, mash_store_reply_cb cb, void *arg) {
  if (!cb) {
    return -EINVAL;
  }
  s_args_t a = {s, {0}, 0};
  PGresult *r = s_run(&a, "SELECT DISTINCT agency COLLATE \"C\", rag FROM requests "
                          "ORDER BY 1, 2");
  for (int i = 0; r && a.rc == 0 && i < PQntuples(r); i++) {
    char agency[MASH_PRINCIPAL_LEN];
    store_pg_str(r, i, 0, agency, sizeof agency);
    mash_store_reply_stats_t st = {.agency = agency, .rag = (int)store_pg_i64(r, i, 1)};
    /* The agency travels as a text parameter: typed apart from $1..$4. */
    store_pg_args_t q = {0};
    store_pg_text(&q, agency);
    store_pg_int(&q, st.rag);
    int rc = 0;
    PGresult *t = store_pg_query(s,
                                 "SELECT answered_at_ms - requested_at_ms FROM requests "
                                 "WHERE agency = $1 AND rag = $2 AND answered_at_ms > 0",
                                 &q, &rc);
    if (!t) {
      a.rc = rc;
      break;
    }
    size_t n = (size_t)PQntuples(t);
    int64_t *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) {
      PQclear(t);
      a.rc = -ENOMEM;
      break;
    }
    for (size_t j = 0; j < n; j++) {
      v[j] = store_pg_i64(t, (int)j, 0);
    }
    PQclear(t);
    st.answered.n = (int64_t)n;
    store_row_percentiles(v, n, &st.answered.p50_ms, &st.answered.p90_ms);
    free(v);
    a.rc = store_pg_int64(s, "SELECT count(*) FROM requests WHERE agency = $1 AND rag = $2", &q,
                          &st.asked);
    if (a.rc != 0 || cb(&st, arg)) {
      break;
    }
  }
  PQclear(r);
  return a.rc;
}

int store_pg_stat_escalation_levels(mash_store_t *s, mash_store_level_cb cb, void *arg) {
  if (!cb) {
    return -EINVAL;
  }
  s_args_t a = {s, {0}, 0};
  PGresult *r = s_run(&a, "SELECT level, count(*) FROM escalations GROUP BY level ORDER BY level");
  for (int i = 0; r && i < PQntuples(r); i++) {
    if (cb((unsigned)store_pg_i64(r, i, 0), store_pg_i64(r, i, 1), arg)) {
      break;
    }
  }
  PQclear(r);
  return a.rc;
}

int store_pg_stat_quality_flags(mash_store_t *s, mash_store_count_cb cb, void *arg) {
  if (!cb) {
    return -EINVAL;
  }
  store_row_flags_t *flags = store_row_flags_new();
  if (!flags) {
    return -ENOMEM;
  }
  s_args_t a = {s, {0}, 0};
  PGresult *r =
      s_run(&a, "SELECT quality_flags FROM contacts WHERE quality_flags <> '' ORDER BY id");
  for (int i = 0; r && i < PQntuples(r); i++) {
    store_row_flags_add(flags, PQgetvalue(r, i, 0));
  }
  PQclear(r);
  if (a.rc == 0) {
    store_row_flags_each(flags, cb, arg);
  }
  store_row_flags_destroy(&flags);
  return a.rc;
}

/* ---- the operations console ---- */

typedef struct s_row {
  store_fig_row_t base; /* first */
  const PGresult *r;
  int i;
} s_row_t;

static int64_t s_i64(const store_fig_row_t *row, int col) {
  const s_row_t *x = (const s_row_t *)row;
  return store_pg_i64(x->r, x->i, col);
}

static void s_text(const store_fig_row_t *row, int col, char *out, size_t cap) {
  const s_row_t *x = (const s_row_t *)row;
  store_pg_str(x->r, x->i, col, out, cap);
}

static int s_fig_each(void *ctx, const char *sql, const int64_t v[4], store_fig_row_cb cb,
                      void *arg) {
  s_args_t a = {ctx, {v[0], v[1], v[2], v[3]}, 0};
  PGresult *r = s_run(&a, sql);
  s_row_t row = {{s_i64, s_text}, r, 0};
  for (; r && row.i < PQntuples(r); row.i++) {
    if (cb(&row.base, arg)) {
      break;
    }
  }
  PQclear(r);
  return a.rc;
}

int store_pg_ops_figures(mash_store_t *s, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                         int64_t screening_ms, mash_ops_figures_t *out) {
  store_fig_engine_t e = {s, s_fig_each};
  return store_figures_ops(&e, from_ms, to_ms, now_ms, screening_ms, out);
}
