/* console_text: the text buffer, formatting helpers, and the console's
 * machine-readable renderings: the management-information CSV, the
 * Prometheus text format and the feed's JSON lines.
 * Must not: do I/O. Any thread (nothing here is shared). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "console.h"
#include "html.h"

void ops_buf_printf(ops_buf_t *b, const char *fmt, ...) {
  if (b->failed) {
    return;
  }
  for (int attempt = 0; attempt < 2; attempt++) {
    va_list ap;
    va_start(ap, fmt);
    size_t room = b->cap - b->len;
    int n = vsnprintf(b->data ? b->data + b->len : NULL, b->data ? room : 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
      b->failed = 1;
      return;
    }
    if (b->data && (size_t)n < room) {
      b->len += (size_t)n;
      return;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + (size_t)n + 1) {
      cap *= 2;
    }
    char *d = realloc(b->data, cap);
    if (!d) {
      b->failed = 1;
      return;
    }
    b->data = d;
    b->cap = cap;
  }
}

void ops_buf_html(ops_buf_t *b, const char *s) {
  for (; s && *s; s++) {
    const char *entity = mash_html_entity((unsigned char)*s);
    if (entity != NULL) {
      ops_buf_printf(b, "%s", entity);
    } else {
      ops_buf_printf(b, "%c", *s);
    }
  }
}

void ops_buf_csv(ops_buf_t *b, const char *s) {
  if (!s) {
    return;
  }
  if (!strpbrk(s, ",\"\r\n")) {
    ops_buf_printf(b, "%s", s);
    return;
  }
  ops_buf_printf(b, "\"");
  for (; *s; s++) {
    ops_buf_printf(b, *s == '"' ? "\"\"" : "%c", *s);
  }
  ops_buf_printf(b, "\"");
}

void ops_buf_free(ops_buf_t *b) {
  free(b->data);
  memset(b, 0, sizeof *b);
}

void ops_pct(int64_t a, int64_t b, char *out, size_t cap) {
  if (b <= 0) {
    snprintf(out, cap, "n/a");
  } else {
    snprintf(out, cap, "%.1f", 100.0 * (double)a / (double)b);
  }
}

void ops_age(int64_t ms, char *out, size_t cap) {
  if (ms < 0) {
    ms = 0;
  }
  int64_t s = ms / 1000, m = s / 60, h = m / 60, d = h / 24;
  if (d > 0) {
    snprintf(out, cap, "%lld d %lld h", (long long)d, (long long)(h % 24));
  } else if (h > 0) {
    snprintf(out, cap, "%lld h %lld min", (long long)h, (long long)(m % 60));
  } else if (m > 0) {
    snprintf(out, cap, "%lld min", (long long)m);
  } else {
    snprintf(out, cap, "%lld s", (long long)s);
  }
}

const char *ops_rag_label(int rag) {
  static const char *const names[] = {"awaiting screening", "red", "amber", "green", "blue"};
  return rag >= 0 && rag <= 4 ? names[rag] : "unknown";
}

int64_t ops_parse_day(const char *s) {
  if (!s || strlen(s) != 10) {
    return -1;
  }
  char iso[32];
  snprintf(iso, sizeof iso, "%sT00:00:00Z", s);
  int64_t ms = 0;
  if (mash_clock_parse(iso, &ms) != 0) {
    return -1;
  }
  return ms;
}

/* ---------------------------------------------------------------- CSV */

static void s_csv_row(ops_buf_t *b, const char *section, const char *name, const char *rag,
                      const char *value) {
  ops_buf_csv(b, section);
  ops_buf_printf(b, ",");
  ops_buf_csv(b, name);
  ops_buf_printf(b, ",");
  ops_buf_csv(b, rag);
  ops_buf_printf(b, ",");
  ops_buf_csv(b, value);
  ops_buf_printf(b, "\r\n");
}

static void s_csv_int(ops_buf_t *b, const char *section, const char *name, const char *rag,
                      int64_t v) {
  char text[32];
  snprintf(text, sizeof text, "%lld", (long long)v);
  s_csv_row(b, section, name, rag, text);
}

static void s_csv_dist(ops_buf_t *b, const char *name, const ops_dist_t *d) {
  char key[96];
  snprintf(key, sizeof key, "%s_n", name);
  s_csv_int(b, "timeliness", key, "", d->n);
  snprintf(key, sizeof key, "%s_p50_ms", name);
  s_csv_int(b, "timeliness", key, "", d->p50_ms);
  snprintf(key, sizeof key, "%s_p90_ms", name);
  s_csv_int(b, "timeliness", key, "", d->p90_ms);
}

void ops_render_csv(ops_buf_t *b, const ops_model_t *m) {
  char pct[32], from[40] = "", to[40] = "";
  if (m->from_ms > 0) {
    mash_clock_format(m->from_ms, from, sizeof from);
  }
  if (m->to_ms > 0) {
    mash_clock_format(m->to_ms, to, sizeof to);
  }
  ops_buf_printf(b, "section,name,rag,value\r\n");
  s_csv_row(b, "range", "from", "", from);
  s_csv_row(b, "range", "to", "", to);
  s_csv_int(b, "contacts", "total", "", m->contacts);
  for (size_t i = 0; i < m->n_sources; i++) {
    s_csv_int(b, "contacts_by_source", m->sources[i].name, "", m->sources[i].value);
  }
  s_csv_dist(b, "time_to_screen", &m->to_screen);
  s_csv_dist(b, "time_to_pack", &m->to_pack);
  s_csv_dist(b, "time_to_decision", &m->to_decision);
  s_csv_int(b, "enquiries", "open", "", m->open_enquiries);
  s_csv_int(b, "enquiries", "overdue_requests", "", m->overdue_requests);
  for (size_t i = 0; i < m->n_levels; i++) {
    s_csv_int(b, "escalations_by_level", m->levels[i].name, "", m->levels[i].value);
  }
  ops_pct(m->screened_in_window, m->screened, pct, sizeof pct);
  s_csv_row(b, "quality", "screened_within_window_pct", "", pct);
  ops_pct(m->dash_complete, m->domestic_abuse, pct, sizeof pct);
  s_csv_row(b, "quality", "dash_completeness_pct", "", pct);
  ops_pct(m->consent_recorded, m->enquiries, pct, sizeof pct);
  s_csv_row(b, "quality", "consent_recorded_pct", "", pct);
  for (size_t i = 0; i < m->n_replies; i++) {
    const ops_reply_t *r = &m->replies[i];
    ops_pct(r->on_time, r->asked, pct, sizeof pct);
    s_csv_row(b, "reply_within_window_pct", r->agency, ops_rag_label(r->rag), pct);
    s_csv_int(b, "requests_asked", r->agency, ops_rag_label(r->rag), r->asked);
  }
}

/* ---------------------------------------------------------------- metrics */

/* Prometheus label values escape backslash, quote and newline. */
static void s_label(ops_buf_t *b, const char *s) {
  for (; *s; s++) {
    if (*s == '\\' || *s == '"') {
      ops_buf_printf(b, "\\%c", *s);
    } else if (*s == '\n') {
      ops_buf_printf(b, "\\n");
    } else {
      ops_buf_printf(b, "%c", *s);
    }
  }
}

static void s_family(ops_buf_t *b, const char *name, const char *type, const char *help) {
  ops_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void s_labelled(ops_buf_t *b, const char *name, const char *label, const ops_count_t *c,
                       size_t n) {
  for (size_t i = 0; i < n; i++) {
    ops_buf_printf(b, "%s{%s=\"", name, label);
    s_label(b, c[i].name);
    ops_buf_printf(b, "\"} %lld\n", (long long)c[i].value);
  }
}

static int64_t s_counter(const ops_model_t *m, const char *name) {
  for (size_t i = 0; i < m->n_counters; i++) {
    if (strcmp(m->counters[i].name, name) == 0) {
      return m->counters[i].value;
    }
  }
  return 0;
}

void ops_render_metrics(ops_buf_t *b, const ops_model_t *m) {
  s_family(b, "mash_up", "gauge", "1 when mash-ops hears mashd and mashd has its store.");
  ops_buf_printf(b, "mash_up %d\n", m->linked && m->store_ok);
  if (!m->linked) {
    return;
  }
  s_family(b, "mash_broker_start_time_seconds", "gauge", "When mashd started (Unix time).");
  ops_buf_printf(b, "mash_broker_start_time_seconds %lld\n", (long long)(m->started_at_ms / 1000));
  static const struct {
    const char *counter, *metric, *help;
  } totals[] = {
      {"intake", "mash_intake_total", "Notifications received."},
      {"accepted", "mash_receipts_total{status=\"accepted\"}", ""},
      {"duplicate", "mash_receipts_total{status=\"duplicate\"}", ""},
      {"rejected", "mash_receipts_total{status=\"rejected\"}", ""},
      {"delivered", "mash_deliveries_total", "Deliveries acknowledged by their addressee."},
      {"sent", "mash_sends_total", "Frames sent (first sends and retries)."},
      {"store_reconnects", "mash_store_reconnects_total",
       "Times mashd reconnected in place to its PostgreSQL store after losing the session."},
  };
  for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++) {
    if (i == 1) {
      s_family(b, "mash_receipts_total", "counter", "Receipts sent for notifications, by status.");
    } else if (totals[i].help[0]) {
      s_family(b, totals[i].metric, "counter", totals[i].help);
    }
    ops_buf_printf(b, "%s %lld\n", totals[i].metric, (long long)s_counter(m, totals[i].counter));
  }
  s_family(b, "mash_rejections_total", "counter", "Messages refused, by reason.");
  s_labelled(b, "mash_rejections_total", "reason", m->rejections, m->n_rejections);
  s_family(b, "mash_adapter_rejections_total", "counter",
           "Files an agency's adapter refused as invalid input, by principal.");
  for (size_t i = 0; i < m->n_agencies; i++) {
    if (strcmp(m->agencies[i].role, "agency") != 0) {
      continue;
    }
    ops_buf_printf(b, "mash_adapter_rejections_total{principal=\"");
    s_label(b, m->agencies[i].principal);
    ops_buf_printf(b, "\"} %lld\n", (long long)m->agencies[i].adapter_rejected);
  }
  s_family(b, "mash_outbox_depth", "gauge", "Deliveries waiting for their addressee.");
  s_labelled(b, "mash_outbox_depth", "target", m->outbox, m->n_outbox);
  s_family(b, "mash_escalations_total", "counter", "Escalation steps taken, by level.");
  s_labelled(b, "mash_escalations_total", "level", m->levels, m->n_levels);
  s_family(b, "mash_store_commit_seconds", "histogram", "Storage commit latency.");
  for (size_t i = 0; i < m->n_commit_buckets; i++) {
    if (i + 1 == m->n_commit_buckets) {
      ops_buf_printf(b, "mash_store_commit_seconds_bucket{le=\"+Inf\"} %lld\n",
                     (long long)m->commit_buckets[i]);
    } else {
      ops_buf_printf(b, "mash_store_commit_seconds_bucket{le=\"%g\"} %lld\n",
                     (double)m->commit_le_us[i] / 1e6, (long long)m->commit_buckets[i]);
    }
  }
  ops_buf_printf(b, "mash_store_commit_seconds_sum %.6f\n", (double)m->commit_sum_us / 1e6);
  ops_buf_printf(b, "mash_store_commit_seconds_count %lld\n", (long long)m->commit_count);
  int64_t connected = 0;
  for (size_t i = 0; i < m->n_agencies; i++) {
    connected += m->agencies[i].connected && strcmp(m->agencies[i].role, "agency") == 0;
  }
  s_family(b, "mash_agencies_connected", "gauge", "Agency adapters connected now.");
  ops_buf_printf(b, "mash_agencies_connected %lld\n", (long long)connected);
  s_family(b, "mash_client_connected", "gauge", "1 when the principal is connected.");
  for (size_t i = 0; i < m->n_agencies; i++) {
    ops_buf_printf(b, "mash_client_connected{principal=\"");
    s_label(b, m->agencies[i].principal);
    ops_buf_printf(b, "\",role=\"");
    s_label(b, m->agencies[i].role);
    ops_buf_printf(b, "\"} %d\n", m->agencies[i].connected);
  }
  s_family(b, "mash_open_work", "gauge", "Open contacts by RAG (awaiting screening included).");
  for (size_t i = 0; i < m->n_open; i++) {
    ops_buf_printf(b, "mash_open_work{rag=\"%s\"} %lld\n", ops_rag_label(m->open[i].rag),
                   (long long)m->open[i].count);
  }
  s_family(b, "mash_overdue_requests", "gauge", "Unanswered requests past their deadline.");
  ops_buf_printf(b, "mash_overdue_requests %lld\n", (long long)m->overdue_requests);
  s_family(b, "mash_resolution_backlog", "gauge", "Contacts acknowledged, not yet resolved.");
  ops_buf_printf(b, "mash_resolution_backlog %lld\n", (long long)m->resolution_backlog);
  s_family(b, "mash_possible_match_backlog", "gauge", "Possible matches awaiting review.");
  ops_buf_printf(b, "mash_possible_match_backlog %lld\n", (long long)m->possible_match_backlog);
}

void ops_render_event_json(ops_buf_t *b, const ops_event_t *e) {
  char at[40];
  mash_clock_format(e->at_ms, at, sizeof at);
  /* Ids, names and levels come from the broker's own vocabulary; escape
   * quotes and backslashes all the same. */
  const char *fields[][2] = {{"escalation_id", e->escalation_id},
                             {"enquiry_id", e->enquiry_id},
                             {"request_id", e->request_id},
                             {"contact_id", e->contact_id},
                             {"agency", e->agency},
                             {"step", e->step},
                             {"rag", ops_rag_label(e->rag)},
                             {"at", at}};
  ops_buf_printf(b, "{\"seq\":%llu,\"level\":%u", (unsigned long long)e->seq, e->level);
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    ops_buf_printf(b, ",\"%s\":\"", fields[i][0]);
    for (const char *s = fields[i][1]; *s; s++) {
      if (*s == '"' || *s == '\\') {
        ops_buf_printf(b, "\\%c", *s);
      } else if ((unsigned char)*s >= 0x20) {
        ops_buf_printf(b, "%c", *s);
      }
    }
    ops_buf_printf(b, "\"");
  }
  ops_buf_printf(b, "}");
}
