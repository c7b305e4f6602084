/* stats: management information computed from the store's plain columns.
 * Must not: write to the store, or read sealed content. */
#include "stats.h"

#include "names.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  int64_t *v;
  size_t n, cap;
} s_vec_t;

static int s_push(s_vec_t *x, int64_t v) {
  if (x->n == x->cap) {
    size_t cap = x->cap ? x->cap * 2 : 64;
    int64_t *nv = realloc(x->v, cap * sizeof *nv);
    if (!nv) {
      return -1;
    }
    x->v = nv;
    x->cap = cap;
  }
  x->v[x->n++] = v;
  return 0;
}

static int s_cmp(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

int64_t mash_stats_percentile(const int64_t *sorted, size_t n, int p) {
  if (n == 0) {
    return 0;
  }
  size_t rank = (size_t)((p * n + 99) / 100); /* nearest rank, 1-based */
  return sorted[rank ? rank - 1 : 0];
}

/* {"n":N,"p50_ms":..,"p90_ms":..} of the first column of a query's rows;
 * ?1 and ?2, when the query has them, are bound to text1 and int2. */
static json_t *s_dist2(sqlite3 *db, const char *sql, const char *text1, int int2) {
  sqlite3_stmt *q = NULL;
  s_vec_t v = {0};
  if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
    if (text1) {
      sqlite3_bind_text(q, 1, text1, -1, SQLITE_STATIC);
      sqlite3_bind_int(q, 2, int2);
    }
    while (sqlite3_step(q) == SQLITE_ROW) {
      s_push(&v, sqlite3_column_int64(q, 0));
    }
  }
  sqlite3_finalize(q);
  if (v.n > 0) {
    qsort(v.v, v.n, sizeof *v.v, s_cmp);
  }
  json_t *o = json_pack("{s:I,s:I,s:I}", "n", (json_int_t)v.n, "p50_ms",
                        (json_int_t)mash_stats_percentile(v.v, v.n, 50), "p90_ms",
                        (json_int_t)mash_stats_percentile(v.v, v.n, 90));
  free(v.v);
  return o;
}

static json_t *s_dist(sqlite3 *db, const char *sql) {
  return s_dist2(db, sql, NULL, 0);
}

static int64_t s_int(sqlite3 *db, const char *sql, int64_t now) {
  sqlite3_stmt *q = NULL;
  int64_t r = 0;
  if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
    if (strstr(sql, "?1")) {
      sqlite3_bind_int64(q, 1, now);
    }
    if (sqlite3_step(q) == SQLITE_ROW) {
      r = sqlite3_column_int64(q, 0);
    }
  }
  sqlite3_finalize(q);
  return r;
}

/* The hub's own duties of one kind (2 screening, 3 decision; the store's
 * MASH_DUTY_*): done, done within the window, open, open and late,
 * escalated. null on a store from before the duties table. */
static json_t *s_duty(sqlite3 *db, int kind, int64_t now_ms) {
  sqlite3_stmt *q = NULL;
  json_t *o = NULL;
  if (sqlite3_prepare_v2(db,
                         "SELECT COALESCE(SUM(done_at_ms <> 0), 0), "
                         "COALESCE(SUM(done_at_ms <> 0 AND done_at_ms <= due_ms), 0), "
                         "COALESCE(SUM(done_at_ms = 0), 0), "
                         "COALESCE(SUM(done_at_ms = 0 AND due_ms < ?2), 0), "
                         "COALESCE(SUM(level > 0), 0) FROM duties WHERE kind = ?1",
                         -1, &q, NULL) == SQLITE_OK) {
    sqlite3_bind_int(q, 1, kind);
    sqlite3_bind_int64(q, 2, now_ms);
    if (sqlite3_step(q) == SQLITE_ROW) {
      int64_t done = sqlite3_column_int64(q, 0), on_time = sqlite3_column_int64(q, 1);
      o = json_pack("{s:I,s:I,s:o,s:I,s:I,s:I}", "done", (json_int_t)done, "on_time",
                    (json_int_t)on_time, "on_time_pct",
                    done ? json_real(100.0 * (double)on_time / (double)done) : json_null(), "open",
                    (json_int_t)sqlite3_column_int64(q, 2), "open_late",
                    (json_int_t)sqlite3_column_int64(q, 3), "escalated",
                    (json_int_t)sqlite3_column_int64(q, 4));
    }
  }
  sqlite3_finalize(q);
  return o ? o : json_null();
}

json_t *mash_stats_compute(const char *path, int64_t now_ms, char *err, size_t errlen) {
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    snprintf(err, errlen, "cannot open %s: %s", path, db ? sqlite3_errmsg(db) : "no memory");
    sqlite3_close(db);
    return NULL;
  }
  sqlite3_busy_timeout(db, 5000);
  if (s_int(db, "PRAGMA user_version", 0) < 3) {
    snprintf(err, errlen, "%s: not a mash store of this version (start mashd once)", path);
    sqlite3_close(db);
    return NULL;
  }
  json_t *o = json_object();
  json_object_set_new(o, "as_of_ms", json_integer(now_ms));
  json_object_set_new(o, "contacts", json_integer(s_int(db, "SELECT count(*) FROM contacts", 0)));

  json_t *by = json_object();
  sqlite3_stmt *q = NULL;
  if (sqlite3_prepare_v2(db, "SELECT principal, count(*) FROM contacts GROUP BY principal", -1, &q,
                         NULL) == SQLITE_OK) {
    while (sqlite3_step(q) == SQLITE_ROW) {
      json_object_set_new(by, (const char *)sqlite3_column_text(q, 0),
                          json_integer(sqlite3_column_int64(q, 1)));
    }
  }
  sqlite3_finalize(q);
  json_object_set_new(o, "contacts_by_source", by);

  json_object_set_new(o, "time_to_screen",
                      s_dist(db, "SELECT screened_at_ms - received_at_ms FROM contacts "
                                 "WHERE screened_at_ms > 0"));
  json_object_set_new(o, "time_to_pack",
                      s_dist(db, "SELECT first_pack_at_ms - opened_at_ms FROM enquiries "
                                 "WHERE first_pack_at_ms > 0"));
  json_object_set_new(o, "time_to_decision",
                      s_dist(db, "SELECT decided_at_ms - received_at_ms FROM contacts "
                                 "WHERE decided_at_ms > 0"));
  /* Screened within its window (4 hours by default), decided within the
   * decision window: from the duties the broker's timetable keeps. */
  json_object_set_new(o, "screening_duty", s_duty(db, 2, now_ms));
  json_object_set_new(o, "decision_duty", s_duty(db, 3, now_ms));

  /* Agency reply times by agency and RAG. */
  json_t *replies = json_object();
  if (sqlite3_prepare_v2(db, "SELECT DISTINCT agency, rag FROM requests ORDER BY agency, rag", -1,
                         &q, NULL) == SQLITE_OK) {
    while (sqlite3_step(q) == SQLITE_ROW) {
      const char *agency = (const char *)sqlite3_column_text(q, 0);
      int rag = sqlite3_column_int(q, 1);
      json_t *a = json_object_get(replies, agency);
      if (!a) {
        a = json_object();
        json_object_set_new(replies, agency, a);
      }
      json_t *d = s_dist2(db,
                          "SELECT answered_at_ms - requested_at_ms FROM requests WHERE agency = ?1 "
                          "AND rag = ?2 AND answered_at_ms > 0",
                          agency, rag);
      sqlite3_stmt *c = NULL;
      int64_t asked = 0;
      if (sqlite3_prepare_v2(db, "SELECT count(*) FROM requests WHERE agency = ?1 AND rag = ?2", -1,
                             &c, NULL) == SQLITE_OK) {
        sqlite3_bind_text(c, 1, agency, -1, SQLITE_STATIC);
        sqlite3_bind_int(c, 2, rag);
        if (sqlite3_step(c) == SQLITE_ROW) {
          asked = sqlite3_column_int64(c, 0);
        }
      }
      sqlite3_finalize(c);
      json_object_set_new(d, "asked", json_integer(asked));
      json_object_set_new(a, mash_rag_name((Mash__V1__Rag)rag), d);
    }
  }
  sqlite3_finalize(q);
  json_object_set_new(o, "agency_reply", replies);

  json_object_set_new(o, "open_enquiries",
                      json_integer(s_int(db,
                                         "SELECT count(*) FROM enquiries "
                                         "WHERE closed_at_ms = 0",
                                         0)));
  json_object_set_new(o, "overdue_requests",
                      json_integer(s_int(db,
                                         "SELECT count(*) FROM requests r JOIN enquiries e "
                                         "USING (enquiry_id) WHERE r.answered_at_ms = 0 AND "
                                         "e.closed_at_ms = 0 AND r.due_at_ms < ?1",
                                         now_ms)));
  json_t *levels = json_object();
  if (sqlite3_prepare_v2(db, "SELECT level, count(*) FROM escalations GROUP BY level", -1, &q,
                         NULL) == SQLITE_OK) {
    while (sqlite3_step(q) == SQLITE_ROW) {
      char key[16];
      snprintf(key, sizeof key, "%d", sqlite3_column_int(q, 0));
      json_object_set_new(levels, key, json_integer(sqlite3_column_int64(q, 1)));
    }
  }
  sqlite3_finalize(q);
  json_object_set_new(o, "escalations_by_level", levels);

  int64_t da = s_int(db, "SELECT count(*) FROM contacts WHERE domestic_abuse = 1", 0);
  int64_t da_ok =
      s_int(db, "SELECT count(*) FROM contacts WHERE domestic_abuse = 1 AND dash_complete = 1", 0);
  json_object_set_new(o, "dash_completeness_pct",
                      da ? json_real(100.0 * (double)da_ok / (double)da) : json_null());
  int64_t enq = s_int(db, "SELECT count(*) FROM enquiries", 0);
  int64_t consent = s_int(db, "SELECT count(*) FROM enquiries WHERE consent_status > 0", 0);
  json_object_set_new(o, "consent_recorded_pct",
                      enq ? json_real(100.0 * (double)consent / (double)enq) : json_null());
  /* Contacts acknowledged whose people are not resolved yet: not delivered. */
  json_object_set_new(
      o, "resolution_backlog",
      json_integer(s_int(db, "SELECT count(*) FROM contacts WHERE unresolved = 1", 0)));
  /* Possible matches awaiting the hub's review (confirm or reject). */
  json_object_set_new(o, "possible_match_backlog",
                      json_integer(s_int(db, "SELECT count(*) FROM matches WHERE state = 0", 0)));
  /* Data-quality flags: contacts carrying each flag. */
  json_t *flags = json_object();
  if (sqlite3_prepare_v2(db, "SELECT quality_flags FROM contacts WHERE quality_flags <> ''", -1, &q,
                         NULL) == SQLITE_OK) {
    while (sqlite3_step(q) == SQLITE_ROW) {
      const char *list = (const char *)sqlite3_column_text(q, 0);
      for (const char *p = list; p != NULL && *p != '\0';) {
        size_t len = strcspn(p, ",");
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), p);
        json_t *n = json_object_get(flags, name);
        json_object_set_new(flags, name, json_integer(n ? json_integer_value(n) + 1 : 1));
        p += len + (p[len] == ',');
      }
    }
  }
  sqlite3_finalize(q);
  json_object_set_new(o, "quality_flags", flags);

  if (sqlite3_prepare_v2(db,
                         "SELECT contact_id, received_at_ms FROM contacts WHERE state <> 3 "
                         "ORDER BY received_at_ms, id LIMIT 1",
                         -1, &q, NULL) == SQLITE_OK &&
      sqlite3_step(q) == SQLITE_ROW) {
    json_object_set_new(o, "oldest_open",
                        json_pack("{s:s,s:I}", "contact_id", sqlite3_column_text(q, 0), "age_ms",
                                  (json_int_t)(now_ms - sqlite3_column_int64(q, 1))));
  } else {
    json_object_set_new(o, "oldest_open", json_null());
  }
  sqlite3_finalize(q);
  sqlite3_close(db);
  return o;
}

static void s_print_dist(const char *name, const json_t *d) {
  printf("  %-22s n=%lld  p50 %.1f min  p90 %.1f min\n", name,
         (long long)json_integer_value(json_object_get(d, "n")),
         (double)json_integer_value(json_object_get(d, "p50_ms")) / 60000.0,
         (double)json_integer_value(json_object_get(d, "p90_ms")) / 60000.0);
}

static void s_print_duty(const char *name, const json_t *d) {
  if (!json_is_object(d)) {
    return; /* a store from before the duties table */
  }
  json_t *pct = json_object_get(d, "on_time_pct");
  printf("  %-26s ", name);
  if (json_is_null(pct)) {
    printf("n/a");
  } else {
    printf("%.1f%%", json_real_value(pct));
  }
  printf(" (%lld of %lld; open %lld, late %lld; escalated %lld)\n",
         (long long)json_integer_value(json_object_get(d, "on_time")),
         (long long)json_integer_value(json_object_get(d, "done")),
         (long long)json_integer_value(json_object_get(d, "open")),
         (long long)json_integer_value(json_object_get(d, "open_late")),
         (long long)json_integer_value(json_object_get(d, "escalated")));
}

void mash_stats_print(const json_t *s) {
  printf("contacts: %lld\n", (long long)json_integer_value(json_object_get(s, "contacts")));
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)json_object_get(s, "contacts_by_source"), k, v) {
    printf("  from %-16s %lld\n", k, (long long)json_integer_value(v));
  }
  printf("timeliness:\n");
  s_print_dist("time to screen", json_object_get(s, "time_to_screen"));
  s_print_dist("time to pack", json_object_get(s, "time_to_pack"));
  s_print_dist("time to decision", json_object_get(s, "time_to_decision"));
  s_print_duty("screened within the window", json_object_get(s, "screening_duty"));
  s_print_duty("decided within the window", json_object_get(s, "decision_duty"));
  printf("agency reply times:\n");
  json_object_foreach((json_t *)json_object_get(s, "agency_reply"), k, v) {
    const char *rag;
    json_t *d;
    json_object_foreach(v, rag, d) {
      char name[96];
      snprintf(name, sizeof name, "%s (%s)", k, rag);
      s_print_dist(name, d);
    }
  }
  printf("open enquiries: %lld; overdue requests: %lld\n",
         (long long)json_integer_value(json_object_get(s, "open_enquiries")),
         (long long)json_integer_value(json_object_get(s, "overdue_requests")));
  printf("escalations by level:");
  json_object_foreach((json_t *)json_object_get(s, "escalations_by_level"), k, v) {
    printf(" L%s=%lld", k, (long long)json_integer_value(v));
  }
  printf("\n");
  json_t *dash = json_object_get(s, "dash_completeness_pct");
  json_t *consent = json_object_get(s, "consent_recorded_pct");
  printf("DASH complete on domestic-abuse notifications: %s", json_is_null(dash) ? "n/a" : "");
  if (!json_is_null(dash)) {
    printf("%.1f%%", json_real_value(dash));
  }
  printf("\nconsent recorded on enquiries: %s", json_is_null(consent) ? "n/a" : "");
  if (!json_is_null(consent)) {
    printf("%.1f%%", json_real_value(consent));
  }
  printf("\n");
  printf("contacts waiting for resolution (not yet delivered): %lld\n",
         (long long)json_integer_value(json_object_get(s, "resolution_backlog")));
  printf("possible matches awaiting review: %lld\n",
         (long long)json_integer_value(json_object_get(s, "possible_match_backlog")));
  printf("data-quality flags:");
  json_object_foreach((json_t *)json_object_get(s, "quality_flags"), k, v) {
    printf(" %s=%lld", k, (long long)json_integer_value(v));
  }
  printf("\n");
  json_t *old = json_object_get(s, "oldest_open");
  if (json_is_object(old)) {
    printf("oldest open item: %s, %.1f hours old\n",
           json_string_value(json_object_get(old, "contact_id")),
           (double)json_integer_value(json_object_get(old, "age_ms")) / 3600000.0);
  } else {
    printf("oldest open item: none\n");
  }
}
