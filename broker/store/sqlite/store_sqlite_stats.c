/* store_sqlite_stats: management information from the SQLite store's plain
 * columns (DESIGN.md §1): contacts by source, time to screen, to pack and to
 * decision, agency reply times by agency and RAG, open and overdue work,
 * escalations by level, DASH completeness, consent recorded, backlogs,
 * data-quality flags and the oldest open item; and the operations console's
 * figures (mash_store_ops_figures), whose queries and use are
 * store_figures.c's, shared with PostgreSQL, run on this connection.
 *
 * Responsible for: the statistics queries, each prepared once, and the
 * nearest-rank percentiles of their durations. Must not: write, read
 * sealed content (no seal is needed: a read-only store serves these), or be
 * called from any thread but the one using the store.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_figures.h"
#include "store_sqlite_int.h"
#include "store_row.h"

enum {
  T_CONTACTS,
  T_SCREEN,
  T_PACK,
  T_DECISION,
  T_OPEN_ENQ,
  T_OVERDUE,
  T_DA,
  T_DA_COMPLETE,
  T_ENQUIRIES,
  T_CONSENT,
  T_UNRESOLVED,
  T_MATCHES_OPEN,
  T_OLDEST,
  T_SOURCES,
  T_AGENCY_RAG,
  T_REPLY_TIMES,
  T_ASKED,
  T_LEVELS,
  T_FLAGS,
  T_N
};

static const char *const SQL[T_N] = {
    [T_CONTACTS] = "SELECT count(*) FROM contacts",
    [T_SCREEN] = "SELECT screened_at_ms - received_at_ms FROM contacts WHERE screened_at_ms > 0",
    [T_PACK] = "SELECT first_pack_at_ms - opened_at_ms FROM enquiries WHERE first_pack_at_ms > 0",
    [T_DECISION] = "SELECT decided_at_ms - received_at_ms FROM contacts WHERE decided_at_ms > 0",
    [T_OPEN_ENQ] = "SELECT count(*) FROM enquiries WHERE closed_at_ms = 0",
    [T_OVERDUE] = "SELECT count(*) FROM requests r JOIN enquiries e USING (enquiry_id) "
                  "WHERE r.answered_at_ms = 0 AND e.closed_at_ms = 0 AND r.due_at_ms < ?1",
    [T_DA] = "SELECT count(*) FROM contacts WHERE domestic_abuse = 1",
    [T_DA_COMPLETE] =
        "SELECT count(*) FROM contacts WHERE domestic_abuse = 1 AND dash_complete = 1",
    [T_ENQUIRIES] = "SELECT count(*) FROM enquiries",
    [T_CONSENT] = "SELECT count(*) FROM enquiries WHERE consent_status > 0",
    [T_UNRESOLVED] = "SELECT count(*) FROM contacts WHERE unresolved = 1",
    [T_MATCHES_OPEN] = "SELECT count(*) FROM matches WHERE state = 0",
    [T_OLDEST] = "SELECT contact_id, received_at_ms FROM contacts WHERE state <> 3 "
                 "ORDER BY received_at_ms, id LIMIT 1",
    [T_SOURCES] = "SELECT principal, count(*) FROM contacts GROUP BY principal",
    [T_AGENCY_RAG] = "SELECT DISTINCT agency, rag FROM requests ORDER BY agency, rag",
    [T_REPLY_TIMES] = "SELECT answered_at_ms - requested_at_ms FROM requests WHERE agency = ?1 "
                      "AND rag = ?2 AND answered_at_ms > 0",
    [T_ASKED] = "SELECT count(*) FROM requests WHERE agency = ?1 AND rag = ?2",
    [T_LEVELS] = "SELECT level, count(*) FROM escalations GROUP BY level",
    [T_FLAGS] = "SELECT quality_flags FROM contacts WHERE quality_flags <> '' ORDER BY id",
};

/* Flag names counted at most (there are eight today), and their length. */

struct store_stat {
  sqlite3_stmt *q[T_N];
};

store_stat_t *store_stat_new(sqlite3 *db, char *err, size_t errlen) {
  store_stat_t *t = calloc(1, sizeof *t);
  if (!t) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  if (store_sql_prepare_all(db, SQL, T_N, t->q, "statistics", err, errlen) != 0) {
    store_stat_destroy(t);
    return NULL;
  }
  return t;
}

void store_stat_destroy(store_stat_t *t) {
  if (!t) {
    return;
  }
  store_sql_finalize_all(t->q, T_N);
  free(t);
}

static sqlite3_stmt *s_q(mash_store_t *s, int which) {
  return store_sqlite_stat(s)->q[which];
}

/* The distribution of the first column of q's rows (q bound by the caller;
 * reset here). */
static int s_dist(sqlite3_stmt *q, mash_store_dist_t *out) {
  memset(out, 0, sizeof *out);
  int64_t *v = NULL;
  size_t n = 0, cap = 0;
  int rc = 0, src;
  while ((src = sqlite3_step(q)) == SQLITE_ROW) {
    if (n == cap) {
      size_t ncap = cap ? cap * 2 : 64;
      int64_t *nv = realloc(v, ncap * sizeof *nv);
      if (!nv) {
        rc = -ENOMEM;
        break;
      }
      v = nv;
      cap = ncap;
    }
    v[n++] = sqlite3_column_int64(q, 0);
  }
  if (rc == 0 && src != SQLITE_DONE) {
    rc = store_sqlite_errno(src);
  }
  store_sql_done(q);
  if (rc == 0) {
    out->n = (int64_t)n;
    store_row_percentiles(v, n, &out->p50_ms, &out->p90_ms);
  }
  free(v);
  return rc;
}

static int s_count(mash_store_t *s, int which, int64_t *out) {
  return store_sql_int64(s_q(s, which), out);
}

int store_stat_summary(mash_store_t *s, int64_t now_ms, mash_store_stats_t *out) {
  if (!out) {
    return -EINVAL;
  }
  memset(out, 0, sizeof *out);
  int rc = s_count(s, T_CONTACTS, &out->contacts);
  if (rc == 0) {
    rc = s_dist(s_q(s, T_SCREEN), &out->time_to_screen);
  }
  if (rc == 0) {
    rc = s_dist(s_q(s, T_PACK), &out->time_to_pack);
  }
  if (rc == 0) {
    rc = s_dist(s_q(s, T_DECISION), &out->time_to_decision);
  }
  if (rc == 0) {
    rc = s_count(s, T_OPEN_ENQ, &out->open_enquiries);
  }
  if (rc == 0) {
    sqlite3_bind_int64(s_q(s, T_OVERDUE), 1, now_ms);
    rc = s_count(s, T_OVERDUE, &out->overdue_requests);
  }
  if (rc == 0) {
    rc = s_count(s, T_DA, &out->domestic_abuse);
  }
  if (rc == 0) {
    rc = s_count(s, T_DA_COMPLETE, &out->dash_complete);
  }
  if (rc == 0) {
    rc = s_count(s, T_ENQUIRIES, &out->enquiries);
  }
  if (rc == 0) {
    rc = s_count(s, T_CONSENT, &out->consent_recorded);
  }
  if (rc == 0) {
    rc = s_count(s, T_UNRESOLVED, &out->resolution_backlog);
  }
  if (rc == 0) {
    rc = s_count(s, T_MATCHES_OPEN, &out->possible_match_backlog);
  }
  if (rc == 0) {
    sqlite3_stmt *q = s_q(s, T_OLDEST);
    int src = sqlite3_step(q);
    if (src == SQLITE_ROW) {
      store_sql_text(q, 0, out->oldest_open_id, sizeof out->oldest_open_id);
      out->oldest_open_received_at_ms = sqlite3_column_int64(q, 1);
    } else if (src != SQLITE_DONE) {
      rc = store_sqlite_errno(src);
    }
    store_sql_done(q);
  }
  return rc;
}

/* Hand each (text, count) row of q to cb. */
static int s_visit_counts(sqlite3_stmt *q, mash_store_count_cb cb, void *arg) {
  int src;
  while ((src = sqlite3_step(q)) == SQLITE_ROW) {
    const char *name = (const char *)sqlite3_column_text(q, 0);
    if (cb(name ? name : "", sqlite3_column_int64(q, 1), arg)) {
      break;
    }
  }
  int rc = src == SQLITE_ROW || src == SQLITE_DONE ? 0 : store_sqlite_errno(src);
  store_sql_done(q);
  return rc;
}

int store_stat_sources(mash_store_t *s, mash_store_count_cb cb, void *arg) {
  if (!cb) {
    return -EINVAL;
  }
  return s_visit_counts(s_q(s, T_SOURCES), cb, arg);
}

int store_stat_replies(mash_store_t *s, mash_store_reply_cb cb, void *arg) {
  if (!cb) {
    return -EINVAL;
  }
  sqlite3_stmt *q = s_q(s, T_AGENCY_RAG);
  int rc = 0, src;
  while ((src = sqlite3_step(q)) == SQLITE_ROW) {
    char agency[MASH_PRINCIPAL_LEN];
    store_sql_text(q, 0, agency, sizeof agency);
    mash_store_reply_stats_t r = {.agency = agency, .rag = sqlite3_column_int(q, 1)};
    sqlite3_stmt *t = s_q(s, T_REPLY_TIMES);
    sqlite3_bind_text(t, 1, agency, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(t, 2, r.rag);
    rc = s_dist(t, &r.answered);
    if (rc == 0) {
      sqlite3_stmt *c = s_q(s, T_ASKED);
      sqlite3_bind_text(c, 1, agency, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int(c, 2, r.rag);
      rc = store_sql_int64(c, &r.asked);
    }
    if (rc != 0 || cb(&r, arg)) {
      break;
    }
  }
  if (rc == 0 && src != SQLITE_ROW && src != SQLITE_DONE) {
    rc = store_sqlite_errno(src);
  }
  store_sql_done(q);
  return rc;
}

int store_stat_escalation_levels(mash_store_t *s, mash_store_level_cb cb, void *arg) {
  if (!cb) {
    return -EINVAL;
  }
  sqlite3_stmt *q = s_q(s, T_LEVELS);
  int src;
  while ((src = sqlite3_step(q)) == SQLITE_ROW) {
    if (cb((unsigned)sqlite3_column_int(q, 0), sqlite3_column_int64(q, 1), arg)) {
      break;
    }
  }
  int rc = src == SQLITE_ROW || src == SQLITE_DONE ? 0 : store_sqlite_errno(src);
  store_sql_done(q);
  return rc;
}

int store_stat_quality_flags(mash_store_t *s, mash_store_count_cb cb, void *arg) {
  if (!cb) {
    return -EINVAL;
  }
  store_row_flags_t *flags = store_row_flags_new();
  if (!flags) {
    return -ENOMEM;
  }
  sqlite3_stmt *q = s_q(s, T_FLAGS);
  int src;
  while ((src = sqlite3_step(q)) == SQLITE_ROW) {
    const char *list = (const char *)sqlite3_column_text(q, 0);
    if (list) {
      store_row_flags_add(flags, list);
    }
  }
  int rc = src == SQLITE_DONE ? 0 : store_sqlite_errno(src);
  store_sql_done(q);
  if (rc == 0) {
    store_row_flags_each(flags, cb, arg);
  }
  store_row_flags_destroy(&flags);
  return rc;
}

/* ---- the operations console: the figure queries (store_figures.c) run here ---- */

typedef struct s_fig_row {
  store_fig_row_t base; /* first */
  sqlite3_stmt *q;
} s_fig_row_t;

static int64_t s_fig_i64(const store_fig_row_t *row, int col) {
  return sqlite3_column_int64(((const s_fig_row_t *)row)->q, col);
}

static void s_fig_text(const store_fig_row_t *row, int col, char *out, size_t cap) {
  const unsigned char *t = sqlite3_column_text(((const s_fig_row_t *)row)->q, col);
  snprintf(out, cap, "%s", t ? (const char *)t : "");
}

/* Each figure query is prepared when run (the console asks seldom); the
 * four values are bound where the text names them. */
static int s_fig_each(void *ctx, const char *sql, const int64_t v[4], store_fig_row_cb cb,
                      void *arg) {
  sqlite3_stmt *q = NULL;
  int rc = sqlite3_prepare_v2(ctx, sql, -1, &q, NULL);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(q);
    return store_sqlite_errno(rc);
  }
  for (int i = 0; i < 4; i++) {
    char name[4];
    snprintf(name, sizeof name, "$%d", i + 1);
    int idx = sqlite3_bind_parameter_index(q, name);
    if (idx > 0) {
      sqlite3_bind_int64(q, idx, v[i]);
    }
  }
  s_fig_row_t row = {{s_fig_i64, s_fig_text}, q};
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    if (cb(&row.base, arg)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_finalize(q);
  return rc == SQLITE_DONE ? 0 : store_sqlite_errno(rc);
}

int store_ops_figures(mash_store_t *s, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                      int64_t screening_ms, mash_ops_figures_t *out) {
  store_fig_engine_t e = {store_sqlite_db(s), s_fig_each};
  return store_figures_ops(&e, from_ms, to_ms, now_ms, screening_ms, out);
}
