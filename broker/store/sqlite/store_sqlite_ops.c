/* store_sqlite_ops: the operations console's figures from the SQLite
 * store's plain columns: open work by RAG with the oldest, the contacts
 * awaiting screening, overdue requests by agency and level, backlogs, and
 * management information over a range of receipt times (DESIGN.md §1).
 *
 * Responsible for: the queries and the percentiles of their durations.
 * Must not: write, or read sealed content: ids, counts, times and agency
 * names only. Storage thread (whichever thread owns the store).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_sqlite_int.h"
#include "store_row.h"

/* A prepared query with ?1 = from, ?2 = to, ?3 = now, ?4 = screening window
 * bound where the text names them. */
static sqlite3_stmt *s_query(sqlite3 *db, const char *sql, int64_t from, int64_t to, int64_t now,
                             int64_t window) {
  sqlite3_stmt *q = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
    sqlite3_finalize(q);
    return NULL;
  }
  int64_t v[4] = {from, to, now, window};
  for (int i = 0; i < 4; i++) {
    char name[4];
    snprintf(name, sizeof name, "?%d", i + 1);
    int idx = sqlite3_bind_parameter_index(q, name);
    if (idx > 0) {
      sqlite3_bind_int64(q, idx, v[i]);
    }
  }
  return q;
}

typedef struct s_args {
  sqlite3 *db;
  int64_t from, to, now, window;
  int rc;
} s_args_t;

static int64_t s_one(s_args_t *a, const char *sql) {
  sqlite3_stmt *q = s_query(a->db, sql, a->from, a->to, a->now, a->window);
  int64_t v = 0;
  int rc = q ? sqlite3_step(q) : SQLITE_ERROR;
  if (rc == SQLITE_ROW) {
    v = sqlite3_column_int64(q, 0);
  } else if (rc != SQLITE_DONE && a->rc == 0) {
    a->rc = store_sqlite_errno(rc);
  }
  sqlite3_finalize(q);
  return v;
}

static void s_dist(s_args_t *a, const char *sql, mash_ops_dist_t *d) {
  sqlite3_stmt *q = s_query(a->db, sql, a->from, a->to, a->now, a->window);
  int64_t *v = NULL;
  size_t n = 0, cap = 0;
  while (q && sqlite3_step(q) == SQLITE_ROW) {
    if (n == cap) {
      cap = cap ? cap * 2 : 256;
      int64_t *nv = realloc(v, cap * sizeof *v);
      if (!nv) {
        a->rc = -ENOMEM;
        break;
      }
      v = nv;
    }
    v[n++] = sqlite3_column_int64(q, 0);
  }
  sqlite3_finalize(q);
  d->n = (int64_t)n;
  store_row_percentiles(v, n, &d->p50_ms, &d->p90_ms);
  free(v);
}

static void s_text(sqlite3_stmt *q, int col, char *out, size_t cap) {
  const unsigned char *t = sqlite3_column_text(q, col);
  snprintf(out, cap, "%s", t ? (const char *)t : "");
}

static void s_now(s_args_t *a, mash_ops_figures_t *out) {
  sqlite3_stmt *q = s_query(a->db,
                            "SELECT 0, count(*), min(received_at_ms) FROM contacts WHERE state = 0 "
                            "UNION ALL "
                            "SELECT coalesce(e.rag, 4), count(*), min(c.received_at_ms) "
                            "FROM contacts c LEFT JOIN enquiries e ON e.contact_id = c.contact_id "
                            "WHERE c.state IN (1, 2) GROUP BY 1",
                            0, 0, 0, 0);
  while (q && sqlite3_step(q) == SQLITE_ROW) {
    int rag = sqlite3_column_int(q, 0);
    if (rag >= 0 && rag <= 4) {
      out->open_count[rag] += sqlite3_column_int64(q, 1);
      out->open_oldest_ms[rag] = sqlite3_column_int64(q, 2);
    }
  }
  sqlite3_finalize(q);
  /* The screening deadline is the duty's own (the calendar's working hours
   * applied at intake); a contact stored before the duties table had none,
   * and is shown at receipt plus the window. */
  _Static_assert(MASH_DUTY_SCREENING == 2, "the query names the screening duty's kind");
  q = s_query(a->db,
              "SELECT c.contact_id, c.received_at_ms, "
              "coalesce(d.due_ms, c.received_at_ms + ?4) AS due FROM contacts c "
              "LEFT JOIN duties d ON d.kind = 2 AND d.ref = c.contact_id WHERE c.state = 0 "
              "ORDER BY due, c.id LIMIT 64",
              0, 0, 0, a->window);
  while (q && sqlite3_step(q) == SQLITE_ROW && out->n_due < MASH_OPS_ROWS) {
    s_text(q, 0, out->due[out->n_due].contact_id, sizeof out->due[0].contact_id);
    out->due[out->n_due].received_at_ms = sqlite3_column_int64(q, 1);
    out->due[out->n_due++].due_at_ms = sqlite3_column_int64(q, 2);
  }
  sqlite3_finalize(q);
  q = s_query(a->db,
              "SELECT r.agency, r.level, count(*) FROM requests r JOIN enquiries e "
              "USING (enquiry_id) WHERE r.answered_at_ms = 0 AND e.closed_at_ms = 0 "
              "AND r.due_at_ms < ?3 GROUP BY r.agency, r.level ORDER BY r.agency, r.level",
              0, 0, a->now, 0);
  while (q && sqlite3_step(q) == SQLITE_ROW && out->n_overdue < MASH_OPS_ROWS) {
    s_text(q, 0, out->overdue[out->n_overdue].agency, sizeof out->overdue[0].agency);
    out->overdue[out->n_overdue].level = (unsigned)sqlite3_column_int(q, 1);
    out->overdue[out->n_overdue++].n = sqlite3_column_int64(q, 2);
  }
  sqlite3_finalize(q);
  out->open_enquiries = s_one(a, "SELECT count(*) FROM enquiries WHERE closed_at_ms = 0");
  out->overdue_requests = s_one(a, "SELECT count(*) FROM requests r JOIN enquiries e "
                                   "USING (enquiry_id) WHERE r.answered_at_ms = 0 AND "
                                   "e.closed_at_ms = 0 AND r.due_at_ms < ?3");
  out->possible_match_backlog = s_one(a, "SELECT count(*) FROM matches WHERE state = 0");
  out->resolution_backlog = s_one(a, "SELECT count(*) FROM contacts WHERE unresolved = 1");
}

#define IN_RANGE(col) col " >= ?1 AND " col " < ?2"

static void s_range(s_args_t *a, mash_ops_figures_t *out) {
  out->contacts = s_one(a, "SELECT count(*) FROM contacts WHERE " IN_RANGE("received_at_ms"));
  sqlite3_stmt *q = s_query(a->db,
                            "SELECT principal, count(*) FROM contacts WHERE " IN_RANGE(
                                "received_at_ms") " GROUP BY principal ORDER BY principal",
                            a->from, a->to, 0, 0);
  while (q && sqlite3_step(q) == SQLITE_ROW && out->n_sources < MASH_OPS_ROWS) {
    s_text(q, 0, out->sources[out->n_sources].name, sizeof out->sources[0].name);
    out->sources[out->n_sources++].n = sqlite3_column_int64(q, 1);
  }
  sqlite3_finalize(q);
  s_dist(a,
         "SELECT screened_at_ms - received_at_ms FROM contacts WHERE screened_at_ms > 0 "
         "AND " IN_RANGE("received_at_ms"),
         &out->to_screen);
  s_dist(a,
         "SELECT first_pack_at_ms - opened_at_ms FROM enquiries WHERE first_pack_at_ms > 0 "
         "AND " IN_RANGE("opened_at_ms"),
         &out->to_pack);
  s_dist(a,
         "SELECT decided_at_ms - received_at_ms FROM contacts WHERE decided_at_ms > 0 "
         "AND " IN_RANGE("received_at_ms"),
         &out->to_decision);
  q = s_query(a->db,
              "SELECT level, count(*) FROM escalations WHERE " IN_RANGE("at_ms") " GROUP BY level",
              a->from, a->to, 0, 0);
  while (q && sqlite3_step(q) == SQLITE_ROW) {
    int level = sqlite3_column_int(q, 0);
    if (level >= 0 && level <= 32) {
      out->levels[level] = sqlite3_column_int64(q, 1);
    }
  }
  sqlite3_finalize(q);
  out->screened = s_one(
      a, "SELECT count(*) FROM contacts WHERE screened_at_ms > 0 AND " IN_RANGE("received_at_ms"));
  out->screened_in_window =
      s_one(a, "SELECT count(*) FROM contacts WHERE screened_at_ms > 0 AND "
               "screened_at_ms - received_at_ms <= ?4 AND " IN_RANGE("received_at_ms"));
  out->domestic_abuse = s_one(
      a, "SELECT count(*) FROM contacts WHERE domestic_abuse = 1 AND " IN_RANGE("received_at_ms"));
  out->dash_complete = s_one(a, "SELECT count(*) FROM contacts WHERE domestic_abuse = 1 AND "
                                "dash_complete = 1 AND " IN_RANGE("received_at_ms"));
  out->enquiries = s_one(a, "SELECT count(*) FROM enquiries WHERE " IN_RANGE("opened_at_ms"));
  out->consent_recorded = s_one(
      a, "SELECT count(*) FROM enquiries WHERE consent_status > 0 AND " IN_RANGE("opened_at_ms"));
  /* On time: answered by the deadline. */
  q = s_query(a->db,
              "SELECT agency, rag, count(*), sum(answered_at_ms > 0), "
              "sum(answered_at_ms > 0 AND answered_at_ms <= due_at_ms) FROM requests "
              "WHERE " IN_RANGE("requested_at_ms") " GROUP BY agency, rag ORDER BY agency, rag",
              a->from, a->to, 0, 0);
  while (q && sqlite3_step(q) == SQLITE_ROW && out->n_replies < MASH_OPS_ROWS) {
    size_t i = out->n_replies++;
    s_text(q, 0, out->replies[i].agency, sizeof out->replies[i].agency);
    out->replies[i].rag = sqlite3_column_int(q, 1);
    out->replies[i].asked = sqlite3_column_int64(q, 2);
    out->replies[i].answered = sqlite3_column_int64(q, 3);
    out->replies[i].on_time = sqlite3_column_int64(q, 4);
  }
  sqlite3_finalize(q);
}

int store_ops_figures(mash_store_t *s, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                      int64_t screening_ms, mash_ops_figures_t *out) {
  memset(out, 0, sizeof *out);
  s_args_t a = {store_sqlite_db(s),
                from_ms > 0 ? from_ms : INT64_MIN,
                to_ms > 0 ? to_ms : INT64_MAX,
                now_ms,
                screening_ms,
                0};
  s_now(&a, out);
  s_range(&a, out);
  return a.rc;
}
