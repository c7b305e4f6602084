/* store_figures: the operations console's figures on any store engine
 * (store/internal/store_figures.h).
 *
 * Responsible for: filling mash_ops_figures_t from the engine's queries,
 * keeping at most MASH_OPS_ROWS rows of each list, and the nearest-rank
 * percentiles of durations (store_row_percentiles). Must not: run SQL
 * itself, write, or read sealed content (ids, counts, times and agency
 * names only). The thread using the store.
 */
#include "store_figures.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_row.h"

enum {
  STORE_FIG_OPEN,        /* rag (0 awaiting screening), count, oldest receipt */
  STORE_FIG_DUE,         /* contact_id, received_at_ms, due (earliest first) */
  STORE_FIG_OVERDUE_BY,  /* agency, level, count (names bytewise) */
  STORE_FIG_OPEN_ENQ,    /* count */
  STORE_FIG_OVERDUE,     /* count */
  STORE_FIG_MATCHES,     /* count */
  STORE_FIG_UNRESOLVED,  /* count */
  STORE_FIG_CONTACTS,    /* count in range */
  STORE_FIG_SOURCES,     /* principal, count in range (names bytewise) */
  STORE_FIG_TO_SCREEN,   /* durations in range */
  STORE_FIG_TO_PACK,     /* durations in range */
  STORE_FIG_TO_DECISION, /* durations in range */
  STORE_FIG_LEVELS,      /* level, count in range */
  STORE_FIG_SCREENED,    /* count in range */
  STORE_FIG_IN_WINDOW,   /* count in range */
  STORE_FIG_DA,          /* count in range */
  STORE_FIG_DASH,        /* count in range */
  STORE_FIG_ENQUIRIES,   /* count in range */
  STORE_FIG_CONSENT,     /* count in range */
  STORE_FIG_REPLIES,     /* agency, rag, asked, answered, on time (names bytewise) */
  STORE_FIG_N
};

#define IN_RANGE(col) col " >= $1 AND " col " < $2"

/* $1 from, $2 to, $3 now, $4 the screening window, one text for both
 * engines: names sort bytewise (COLLATE "C", which the SQLite store
 * registers), and counts under a condition use FILTER (SQLite 3.30 on).
 * The screening deadline is the duty's own (the calendar's working hours
 * applied at intake); a contact stored before the duties table had none,
 * and is shown at receipt plus the window. */
_Static_assert(MASH_DUTY_SCREENING == 2, "the query names the screening duty's kind");
static const char *const SQL[STORE_FIG_N] = {
    [STORE_FIG_OPEN] = "SELECT 0, count(*), min(received_at_ms) FROM contacts WHERE state = 0 "
                       "UNION ALL "
                       "SELECT coalesce(e.rag, 4), count(*), min(c.received_at_ms) "
                       "FROM contacts c LEFT JOIN enquiries e ON e.contact_id = c.contact_id "
                       "WHERE c.state IN (1, 2) GROUP BY 1",
    [STORE_FIG_DUE] = "SELECT c.contact_id, c.received_at_ms, "
                      "coalesce(d.due_ms, c.received_at_ms + $4) AS due FROM contacts c "
                      "LEFT JOIN duties d ON d.kind = 2 AND d.ref = c.contact_id "
                      "WHERE c.state = 0 ORDER BY due, c.id LIMIT 64",
    [STORE_FIG_OVERDUE_BY] = "SELECT r.agency COLLATE \"C\", r.level, count(*) FROM requests r "
                             "JOIN enquiries e USING (enquiry_id) WHERE r.answered_at_ms = 0 AND "
                             "e.closed_at_ms = 0 AND r.due_at_ms < $3 GROUP BY 1, 2 "
                             "ORDER BY 1, 2",
    [STORE_FIG_OPEN_ENQ] = "SELECT count(*) FROM enquiries WHERE closed_at_ms = 0",
    [STORE_FIG_OVERDUE] = "SELECT count(*) FROM requests r JOIN enquiries e "
                          "USING (enquiry_id) WHERE r.answered_at_ms = 0 AND "
                          "e.closed_at_ms = 0 AND r.due_at_ms < $3",
    [STORE_FIG_MATCHES] = "SELECT count(*) FROM matches WHERE state = 0",
    [STORE_FIG_UNRESOLVED] = "SELECT count(*) FROM contacts WHERE unresolved = 1",
    [STORE_FIG_CONTACTS] = "SELECT count(*) FROM contacts WHERE " IN_RANGE("received_at_ms"),
    [STORE_FIG_SOURCES] = "SELECT principal COLLATE \"C\", count(*) FROM contacts WHERE " IN_RANGE(
        "received_at_ms") " GROUP BY 1 ORDER BY 1",
    [STORE_FIG_TO_SCREEN] = "SELECT screened_at_ms - received_at_ms FROM contacts "
                            "WHERE screened_at_ms > 0 AND " IN_RANGE("received_at_ms"),
    [STORE_FIG_TO_PACK] = "SELECT first_pack_at_ms - opened_at_ms FROM enquiries "
                          "WHERE first_pack_at_ms > 0 AND " IN_RANGE("opened_at_ms"),
    [STORE_FIG_TO_DECISION] = "SELECT decided_at_ms - received_at_ms FROM contacts "
                              "WHERE decided_at_ms > 0 AND " IN_RANGE("received_at_ms"),
    [STORE_FIG_LEVELS] =
        "SELECT level, count(*) FROM escalations WHERE " IN_RANGE("at_ms") " GROUP BY level",
    [STORE_FIG_SCREENED] = "SELECT count(*) FROM contacts WHERE screened_at_ms > 0 "
                           "AND " IN_RANGE("received_at_ms"),
    [STORE_FIG_IN_WINDOW] = "SELECT count(*) FROM contacts WHERE screened_at_ms > 0 AND "
                            "screened_at_ms - received_at_ms <= $4 AND " IN_RANGE("received_at_ms"),
    [STORE_FIG_DA] = "SELECT count(*) FROM contacts WHERE domestic_abuse = 1 "
                     "AND " IN_RANGE("received_at_ms"),
    [STORE_FIG_DASH] = "SELECT count(*) FROM contacts WHERE domestic_abuse = 1 AND "
                       "dash_complete = 1 AND " IN_RANGE("received_at_ms"),
    [STORE_FIG_ENQUIRIES] = "SELECT count(*) FROM enquiries WHERE " IN_RANGE("opened_at_ms"),
    [STORE_FIG_CONSENT] = "SELECT count(*) FROM enquiries WHERE consent_status > 0 "
                          "AND " IN_RANGE("opened_at_ms"),
    /* On time: answered by the deadline. */
    [STORE_FIG_REPLIES] =
        "SELECT agency COLLATE \"C\", rag, count(*), "
        "count(*) FILTER (WHERE answered_at_ms > 0), "
        "count(*) FILTER (WHERE answered_at_ms > 0 AND answered_at_ms <= due_at_ms) "
        "FROM requests WHERE " IN_RANGE("requested_at_ms") " GROUP BY 1, 2 ORDER BY 1, 2",
};

typedef struct s_fig {
  const store_fig_engine_t *e;
  int64_t v[4];
  int rc;
} s_fig_t;

static void s_each(s_fig_t *f, int which, store_fig_row_cb cb, void *arg) {
  int rc = f->e->each(f->e->ctx, SQL[which], f->v, cb, arg);
  if (rc < 0 && f->rc == 0) {
    f->rc = rc;
  }
}

static int s_one_row(const store_fig_row_t *row, void *arg) {
  *(int64_t *)arg = row->i64(row, 0);
  return 1;
}

static int64_t s_one(s_fig_t *f, int which) {
  int64_t v = 0;
  s_each(f, which, s_one_row, &v);
  return v;
}

typedef struct s_values {
  int64_t *v;
  size_t n, cap;
  int rc;
} s_values_t;

static int s_value_row(const store_fig_row_t *row, void *arg) {
  s_values_t *d = arg;
  if (d->n == d->cap) {
    size_t cap = d->cap ? d->cap * 2 : 256;
    int64_t *nv = realloc(d->v, cap * sizeof *nv);
    if (!nv) {
      d->rc = -ENOMEM;
      return 1;
    }
    d->v = nv;
    d->cap = cap;
  }
  d->v[d->n++] = row->i64(row, 0);
  return 0;
}

/* The distribution of the first column of a query's rows. */
static void s_dist(s_fig_t *f, int which, mash_ops_dist_t *d) {
  s_values_t vals = {0};
  s_each(f, which, s_value_row, &vals);
  if (vals.rc < 0 && f->rc == 0) {
    f->rc = vals.rc;
  }
  d->n = (int64_t)vals.n;
  store_row_percentiles(vals.v, vals.n, &d->p50_ms, &d->p90_ms);
  free(vals.v);
}

static int s_open_row(const store_fig_row_t *row, void *arg) {
  mash_ops_figures_t *out = arg;
  int64_t rag = row->i64(row, 0);
  if (rag >= 0 && rag <= 4) {
    out->open_count[rag] += row->i64(row, 1);
    out->open_oldest_ms[rag] = row->i64(row, 2);
  }
  return 0;
}

static int s_due_row(const store_fig_row_t *row, void *arg) {
  mash_ops_figures_t *out = arg;
  if (out->n_due >= MASH_OPS_ROWS) {
    return 1;
  }
  row->text(row, 0, out->due[out->n_due].contact_id, sizeof out->due[0].contact_id);
  out->due[out->n_due].received_at_ms = row->i64(row, 1);
  out->due[out->n_due++].due_at_ms = row->i64(row, 2);
  return 0;
}

static int s_overdue_row(const store_fig_row_t *row, void *arg) {
  mash_ops_figures_t *out = arg;
  if (out->n_overdue >= MASH_OPS_ROWS) {
    return 1;
  }
  row->text(row, 0, out->overdue[out->n_overdue].agency, sizeof out->overdue[0].agency);
  out->overdue[out->n_overdue].level = (unsigned)row->i64(row, 1);
  out->overdue[out->n_overdue++].n = row->i64(row, 2);
  return 0;
}

static int s_source_row(const store_fig_row_t *row, void *arg) {
  mash_ops_figures_t *out = arg;
  if (out->n_sources >= MASH_OPS_ROWS) {
    return 1;
  }
  row->text(row, 0, out->sources[out->n_sources].name, sizeof out->sources[0].name);
  out->sources[out->n_sources++].n = row->i64(row, 1);
  return 0;
}

static int s_level_row(const store_fig_row_t *row, void *arg) {
  mash_ops_figures_t *out = arg;
  int64_t level = row->i64(row, 0);
  if (level >= 0 && level <= 32) {
    out->levels[level] = row->i64(row, 1);
  }
  return 0;
}

static int s_reply_row(const store_fig_row_t *row, void *arg) {
  mash_ops_figures_t *out = arg;
  if (out->n_replies >= MASH_OPS_ROWS) {
    return 1;
  }
  size_t k = out->n_replies++;
  row->text(row, 0, out->replies[k].agency, sizeof out->replies[k].agency);
  out->replies[k].rag = (int)row->i64(row, 1);
  out->replies[k].asked = row->i64(row, 2);
  out->replies[k].answered = row->i64(row, 3);
  out->replies[k].on_time = row->i64(row, 4);
  return 0;
}

int store_figures_ops(const store_fig_engine_t *e, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                      int64_t screening_ms, mash_ops_figures_t *out) {
  memset(out, 0, sizeof *out);
  s_fig_t f = {
      e,
      {from_ms > 0 ? from_ms : INT64_MIN, to_ms > 0 ? to_ms : INT64_MAX, now_ms, screening_ms},
      0};
  /* Now. */
  s_each(&f, STORE_FIG_OPEN, s_open_row, out);
  s_each(&f, STORE_FIG_DUE, s_due_row, out);
  s_each(&f, STORE_FIG_OVERDUE_BY, s_overdue_row, out);
  out->open_enquiries = s_one(&f, STORE_FIG_OPEN_ENQ);
  out->overdue_requests = s_one(&f, STORE_FIG_OVERDUE);
  out->possible_match_backlog = s_one(&f, STORE_FIG_MATCHES);
  out->resolution_backlog = s_one(&f, STORE_FIG_UNRESOLVED);
  /* Over the range. */
  out->contacts = s_one(&f, STORE_FIG_CONTACTS);
  s_each(&f, STORE_FIG_SOURCES, s_source_row, out);
  s_dist(&f, STORE_FIG_TO_SCREEN, &out->to_screen);
  s_dist(&f, STORE_FIG_TO_PACK, &out->to_pack);
  s_dist(&f, STORE_FIG_TO_DECISION, &out->to_decision);
  s_each(&f, STORE_FIG_LEVELS, s_level_row, out);
  out->screened = s_one(&f, STORE_FIG_SCREENED);
  out->screened_in_window = s_one(&f, STORE_FIG_IN_WINDOW);
  out->domestic_abuse = s_one(&f, STORE_FIG_DA);
  out->dash_complete = s_one(&f, STORE_FIG_DASH);
  out->enquiries = s_one(&f, STORE_FIG_ENQUIRIES);
  out->consent_recorded = s_one(&f, STORE_FIG_CONSENT);
  s_each(&f, STORE_FIG_REPLIES, s_reply_row, out);
  return f.rc;
}
