/* console_html: the console's pages: "Now" (open work, screening backlog,
 * overdue requests, the live escalation feed, agencies) and "Management
 * information" (figures for a date range, SVG charts, a CSV link).
 * Must not: show child data (the model holds none), do I/O, or load
 * anything from outside the page: styles and charts are inline, the feed is
 * a same-origin EventSource. Any thread. */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "console.h"

static const char s_style[] =
    "body{font-family:sans-serif;margin:1.5em;color:#222}"
    "nav a{margin-right:1em}table{border-collapse:collapse;margin:.5em 0 1.5em}"
    "td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}"
    "th{background:#f2f2f2}.num{text-align:right}.red{background:#f8d0d0}"
    ".amber{background:#fbe3b8}.green{background:#d3efd3}.down{color:#a00;font-weight:bold}"
    ".up{color:#070}.small{color:#666;font-size:.85em}h2{margin-top:1.2em}";

static void s_head(ops_buf_t *b, const char *title, const char *user) {
  ops_buf_printf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<title>");
  ops_buf_html(b, title);
  ops_buf_printf(b, " - mash-ops</title><style>%s</style></head><body>\n", s_style);
  ops_buf_printf(b, "<nav><strong>mash-ops</strong> <a href=\"/\">Now</a>"
                    "<a href=\"/mi\">Management information</a>"
                    "<a href=\"/metrics\">Metrics</a>");
  if (user) {
    ops_buf_printf(b, "<span class=\"small\">signed in as ");
    ops_buf_html(b, user);
    ops_buf_printf(b, "</span>");
  }
  ops_buf_printf(b, "</nav>\n<h1>");
  ops_buf_html(b, title);
  ops_buf_printf(b, "</h1>\n");
}

static void s_time(ops_buf_t *b, int64_t ms) {
  char at[40];
  if (ms <= 0) {
    ops_buf_printf(b, "-");
    return;
  }
  mash_clock_format(ms, at, sizeof at);
  ops_buf_html(b, at);
}

static void s_cell_int(ops_buf_t *b, const char *id, int64_t v) {
  if (id) {
    ops_buf_printf(b, "<td class=\"num\" id=\"%s\">%lld</td>", id, (long long)v);
  } else {
    ops_buf_printf(b, "<td class=\"num\">%lld</td>", (long long)v);
  }
}

static void s_link_status(ops_buf_t *b, const ops_model_t *m, int64_t now_ms) {
  if (!m->linked) {
    ops_buf_printf(b, "<p id=\"link\" class=\"down\">Not connected to mashd: the figures "
                      "below are the last received.</p>\n");
    return;
  }
  char up[48];
  ops_age(m->now_ms - m->started_at_ms, up, sizeof up);
  ops_buf_printf(b,
                 "<p id=\"link\" class=\"up\">Connected to mashd (up %s; store %s). Broker "
                 "time ",
                 up, m->store_ok ? "ok" : "FAILING");
  s_time(b, m->now_ms);
  ops_buf_printf(b, ".</p>\n");
  (void)now_ms;
}

static void s_open_work(ops_buf_t *b, const ops_model_t *m) {
  ops_buf_printf(b, "<h2>Open work by RAG</h2>\n<table id=\"open-work\"><tr><th>RAG</th>"
                    "<th>open</th><th>oldest</th></tr>\n");
  for (size_t i = 0; i < m->n_open; i++) {
    char age[48], id[32];
    const char *rag = ops_rag_label(m->open[i].rag);
    ops_age(m->open[i].oldest_age_ms, age, sizeof age);
    snprintf(id, sizeof id, "open-%d", m->open[i].rag);
    ops_buf_printf(b, "<tr class=\"%s\"><td>%s</td>", rag, rag);
    s_cell_int(b, id, m->open[i].count);
    ops_buf_printf(b, "<td>%s</td></tr>\n", m->open[i].count ? age : "-");
  }
  ops_buf_printf(b, "</table>\n");
}

static void s_screening(ops_buf_t *b, const ops_model_t *m, int64_t now) {
  ops_buf_printf(
      b, "<h2>Contacts awaiting screening: <span id=\"awaiting-screening\">%lld</span></h2>\n",
      (long long)m->awaiting_screening);
  if (m->n_due == 0) {
    ops_buf_printf(b, "<p>None.</p>\n");
    return;
  }
  ops_buf_printf(b, "<table id=\"screening\"><tr><th>contact</th><th>received</th><th>due</th>"
                    "<th></th></tr>\n");
  for (size_t i = 0; i < m->n_due; i++) {
    const ops_due_t *d = &m->due[i];
    char left[48];
    int late = d->due_at_ms <= now;
    ops_age(late ? now - d->due_at_ms : d->due_at_ms - now, left, sizeof left);
    ops_buf_printf(b, "<tr%s><td>", late ? " class=\"red\"" : "");
    ops_buf_html(b, d->contact_id);
    ops_buf_printf(b, "</td><td>");
    s_time(b, d->received_at_ms);
    ops_buf_printf(b, "</td><td>");
    s_time(b, d->due_at_ms);
    ops_buf_printf(b, "</td><td>%s %s</td></tr>\n", late ? "overdue by" : "in", left);
  }
  ops_buf_printf(b, "</table>\n");
}

static void s_overdue(ops_buf_t *b, const ops_model_t *m) {
  ops_buf_printf(b, "<h2>Requests overdue by agency and level</h2>\n");
  if (m->n_overdue == 0) {
    ops_buf_printf(b, "<p id=\"overdue-none\">None overdue.</p>\n");
    return;
  }
  ops_buf_printf(b, "<table id=\"overdue\"><tr><th>agency</th><th>level</th><th>requests</th>"
                    "</tr>\n");
  for (size_t i = 0; i < m->n_overdue; i++) {
    ops_buf_printf(b, "<tr><td>");
    ops_buf_html(b, m->overdue[i].agency);
    ops_buf_printf(b, "</td><td class=\"num\">%u</td>", m->overdue[i].level);
    s_cell_int(b, NULL, m->overdue[i].count);
    ops_buf_printf(b, "</tr>\n");
  }
  ops_buf_printf(b, "</table>\n");
}

static void s_event_row(ops_buf_t *b, const ops_event_t *e) {
  ops_buf_printf(b, "<tr class=\"%s\"><td>", ops_rag_label(e->rag));
  s_time(b, e->at_ms);
  ops_buf_printf(b, "</td><td class=\"num\">%u</td><td>", e->level);
  ops_buf_html(b, e->step);
  ops_buf_printf(b, "</td><td>");
  ops_buf_html(b, e->agency);
  ops_buf_printf(b, "</td><td>");
  ops_buf_html(b, e->enquiry_id);
  ops_buf_printf(b, "</td><td>");
  ops_buf_html(b, e->request_id);
  ops_buf_printf(b, "</td><td>");
  ops_buf_html(b, e->contact_id);
  ops_buf_printf(b, "</td></tr>\n");
}

/* The feed: rows rendered now, then new ones pushed by the server (SSE)
 * and put on top by a few lines of script, without reloading the page. */
static const char s_feed_script[] =
    "<script>\n"
    "(function(){var n=document.getElementById('feed-count');"
    "var body=document.getElementById('feed-body');"
    "var es=new EventSource('/events?after='+body.getAttribute('data-after'));"
    "es.addEventListener('escalation',function(m){var e=JSON.parse(m.data);"
    "var tr=document.createElement('tr');tr.className=e.rag;"
    "[e.at,String(e.level),e.step,e.agency,e.enquiry_id,e.request_id,e.contact_id]"
    ".forEach(function(t){var td=document.createElement('td');td.textContent=t;"
    "tr.appendChild(td);});body.insertBefore(tr,body.firstChild);"
    "n.textContent=String(Number(n.textContent)+1);});"
    "es.addEventListener('link',function(m){var l=document.getElementById('link');"
    "if(m.data==='down'){l.className='down';l.textContent='Not connected to mashd.';}});"
    "})();\n"
    "</script>\n";

static void s_feed(ops_buf_t *b, const ops_event_t *ev, size_t n) {
  uint64_t after = n ? ev[n - 1].seq : 0;
  ops_buf_printf(b,
                 "<h2>Escalations, live: <span id=\"feed-count\">%zu</span></h2>\n"
                 "<table id=\"feed\"><thead><tr><th>at</th><th>level</th><th>step</th>"
                 "<th>agency</th><th>enquiry</th><th>request</th><th>contact</th></tr>"
                 "</thead><tbody id=\"feed-body\" data-after=\"%llu\">\n",
                 n, (unsigned long long)after);
  for (size_t i = n; i > 0; i--) {
    s_event_row(b, &ev[i - 1]); /* newest first */
  }
  ops_buf_printf(b, "</tbody></table>\n");
}

static void s_agencies(ops_buf_t *b, const ops_model_t *m, int64_t now) {
  ops_buf_printf(b, "<h2>Connections</h2>\n<table id=\"agencies\"><tr><th>principal</th>"
                    "<th>role</th><th>connected</th><th>last seen</th><th>outbox</th>"
                    "<th>refused</th><th>fields refused</th>"
                    "<th>refused at the adapter</th><th>fields refused at the adapter</th>"
                    "</tr>\n");
  for (size_t i = 0; i < m->n_agencies; i++) {
    const ops_agency_t *a = &m->agencies[i];
    char ago[48];
    ops_age(now - a->last_seen_ms, ago, sizeof ago);
    ops_buf_printf(b, "<tr><td>");
    ops_buf_html(b, a->principal);
    ops_buf_printf(b, "</td><td>");
    ops_buf_html(b, a->role);
    ops_buf_printf(b, "</td><td class=\"%s\">%s</td><td>", a->connected ? "up" : "down",
                   a->connected ? "yes" : "no");
    if (a->last_seen_ms > 0) {
      ops_buf_printf(b, "%s ago", ago);
    } else {
      ops_buf_printf(b, "not since mashd started");
    }
    ops_buf_printf(b, "</td>");
    s_cell_int(b, NULL, a->outbox_depth);
    s_cell_int(b, NULL, a->rejected);
    ops_buf_printf(b, "<td>");
    ops_buf_html(b, a->reject_fields);
    ops_buf_printf(b, "</td>");
    s_cell_int(b, NULL, a->adapter_rejected);
    ops_buf_printf(b, "<td>");
    ops_buf_html(b, a->adapter_reject_fields);
    ops_buf_printf(b, "</td></tr>\n");
  }
  ops_buf_printf(b, "</table>\n");
}

void ops_render_now(ops_buf_t *b, const ops_model_t *m, const ops_event_t *events, size_t n_events,
                    const char *user, int64_t now_ms) {
  s_head(b, "Now", user);
  s_link_status(b, m, now_ms);
  int64_t now = m->now_ms > 0 ? m->now_ms : now_ms;
  s_open_work(b, m);
  s_screening(b, m, now);
  s_overdue(b, m);
  ops_buf_printf(b, "<h2>Backlogs</h2>\n<table><tr><th>possible matches awaiting review</th>");
  s_cell_int(b, "possible-match-backlog", m->possible_match_backlog);
  ops_buf_printf(b, "</tr><tr><th>contacts waiting for resolution</th>");
  s_cell_int(b, "resolution-backlog", m->resolution_backlog);
  ops_buf_printf(b, "</tr></table>\n");
  s_feed(b, events, n_events);
  s_agencies(b, m, now);
  ops_buf_printf(b, "%s</body></html>\n", s_feed_script);
}

/* ---------------------------------------------------------------- charts */

void ops_render_bar_chart(ops_buf_t *b, const char *title, const char *const *labels,
                          const double *pct, size_t n) {
  const int bar_h = 18, gap = 6, left = 230, width = 300, top = 24;
  int height = top + (int)n * (bar_h + gap) + 8;
  ops_buf_printf(b,
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                 "role=\"img\" aria-label=\"",
                 left + width + 70, height);
  ops_buf_html(b, title);
  ops_buf_printf(b, "\"><text x=\"0\" y=\"15\" font-weight=\"bold\" font-size=\"13\">");
  ops_buf_html(b, title);
  ops_buf_printf(b, "</text>");
  for (size_t i = 0; i < n; i++) {
    int y = top + (int)i * (bar_h + gap);
    double v = pct[i];
    ops_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\">", left - 6,
                   y + 13);
    ops_buf_html(b, labels[i]);
    ops_buf_printf(b, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#eee\"/>",
                   left, y, width, bar_h);
    if (v >= 0) {
      double w = (v > 100 ? 100 : v) * width / 100.0;
      const char *fill = v >= 90 ? "#3a3" : v >= 70 ? "#e90" : "#c33";
      ops_buf_printf(b,
                     "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
                     "<text x=\"%d\" y=\"%d\" font-size=\"12\">%.1f%%</text>",
                     left, y, w, bar_h, fill, left + width + 6, y + 13, v);
    } else {
      ops_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"12\">n/a</text>", left + width + 6,
                     y + 13);
    }
  }
  ops_buf_printf(b, "</svg>\n");
}

static double s_ratio(int64_t a, int64_t b) {
  return b > 0 ? 100.0 * (double)a / (double)b : -1.0;
}

static void s_dist_row(ops_buf_t *b, const char *name, const char *id, const ops_dist_t *d) {
  char p50[48], p90[48];
  ops_age(d->p50_ms, p50, sizeof p50);
  ops_age(d->p90_ms, p90, sizeof p90);
  ops_buf_printf(b, "<tr><td>%s</td>", name);
  s_cell_int(b, id, d->n);
  ops_buf_printf(b, "<td>%s</td><td>%s</td></tr>\n", d->n ? p50 : "-", d->n ? p90 : "-");
}

static void s_day(ops_buf_t *b, int64_t ms) {
  char at[40];
  mash_clock_format(ms, at, sizeof at);
  at[10] = '\0';
  ops_buf_html(b, at);
}

void ops_render_mi(ops_buf_t *b, const ops_model_t *m, const char *user) {
  s_head(b, "Management information", user);
  ops_buf_printf(b, "<form method=\"get\" action=\"/mi\">Contacts received from "
                    "<input type=\"date\" name=\"from\" value=\"");
  if (m->from_ms > 0) {
    s_day(b, m->from_ms);
  }
  ops_buf_printf(b, "\"> to <input type=\"date\" name=\"to\" value=\"");
  if (m->to_ms > 0) {
    s_day(b, m->to_ms - 1);
  }
  ops_buf_printf(b, "\"> <button>Show</button> <a id=\"csv\" href=\"/mi.csv");
  if (m->from_ms > 0 || m->to_ms > 0) {
    ops_buf_printf(b, "?from=");
    if (m->from_ms > 0) {
      s_day(b, m->from_ms);
    }
    ops_buf_printf(b, "&amp;to=");
    if (m->to_ms > 0) {
      s_day(b, m->to_ms - 1);
    }
  }
  ops_buf_printf(b, "\">CSV</a></form>\n");
  if (!m->linked) {
    ops_buf_printf(b, "<p class=\"down\">Not connected to mashd.</p>\n");
  }
  ops_buf_printf(b, "<h2>Figures</h2>\n<table id=\"figures\"><tr><th>contacts</th>");
  s_cell_int(b, "mi-contacts", m->contacts);
  ops_buf_printf(b, "</tr>\n");
  for (size_t i = 0; i < m->n_sources; i++) {
    char id[96];
    snprintf(id, sizeof id, "mi-source-%s", m->sources[i].name);
    ops_buf_printf(b, "<tr><td>from ");
    ops_buf_html(b, m->sources[i].name);
    ops_buf_printf(b, "</td>");
    ops_buf_printf(b, "<td class=\"num\" id=\"");
    ops_buf_html(b, id);
    ops_buf_printf(b, "\">%lld</td></tr>\n", (long long)m->sources[i].value);
  }
  ops_buf_printf(b, "<tr><th>open enquiries</th>");
  s_cell_int(b, "mi-open-enquiries", m->open_enquiries);
  ops_buf_printf(b, "</tr><tr><th>overdue requests</th>");
  s_cell_int(b, "mi-overdue-requests", m->overdue_requests);
  ops_buf_printf(b, "</tr>\n");
  for (size_t i = 0; i < m->n_levels; i++) {
    ops_buf_printf(b, "<tr><td>escalations at level ");
    ops_buf_html(b, m->levels[i].name);
    ops_buf_printf(b, "</td><td class=\"num\" id=\"mi-level-");
    ops_buf_html(b, m->levels[i].name);
    ops_buf_printf(b, "\">%lld</td></tr>\n", (long long)m->levels[i].value);
  }
  ops_buf_printf(b, "</table>\n<h2>Timeliness</h2>\n<table><tr><th></th><th>n</th><th>p50</th>"
                    "<th>p90</th></tr>\n");
  s_dist_row(b, "time to screen", "mi-to-screen", &m->to_screen);
  s_dist_row(b, "time to pack", "mi-to-pack", &m->to_pack);
  s_dist_row(b, "time to decision", "mi-to-decision", &m->to_decision);
  ops_buf_printf(b, "</table>\n");

  char win[48];
  ops_age(m->screening_window_ms, win, sizeof win);
  char screened_label[96];
  snprintf(screened_label, sizeof screened_label, "screened within %s", win);
  const char *qlabels[] = {screened_label, "DASH complete", "consent recorded"};
  double qpct[] = {s_ratio(m->screened_in_window, m->screened),
                   s_ratio(m->dash_complete, m->domestic_abuse),
                   s_ratio(m->consent_recorded, m->enquiries)};
  ops_buf_printf(b, "<h2>Quality</h2>\n<div id=\"chart-quality\">");
  ops_render_bar_chart(b, "Screening, DASH and consent (%)", qlabels, qpct, 3);
  char p1[16], p2[16], p3[16];
  ops_pct(m->screened_in_window, m->screened, p1, sizeof p1);
  ops_pct(m->dash_complete, m->domestic_abuse, p2, sizeof p2);
  ops_pct(m->consent_recorded, m->enquiries, p3, sizeof p3);
  ops_buf_printf(b,
                 "</div>\n<table><tr><td>%s</td><td class=\"num\" id=\"mi-screened-pct\">%s</td>"
                 "<td>%lld of %lld</td></tr>\n<tr><td>DASH complete</td><td class=\"num\" "
                 "id=\"mi-dash-pct\">%s</td><td>%lld of %lld</td></tr>\n<tr><td>consent "
                 "recorded</td><td class=\"num\" id=\"mi-consent-pct\">%s</td><td>%lld of %lld"
                 "</td></tr></table>\n",
                 screened_label, p1, (long long)m->screened_in_window, (long long)m->screened, p2,
                 (long long)m->dash_complete, (long long)m->domestic_abuse, p3,
                 (long long)m->consent_recorded, (long long)m->enquiries);

  ops_buf_printf(b, "<h2>Agency replies within the window</h2>\n<div id=\"chart-replies\">");
  const char *labels[OPS_MAX_ROWS];
  char names[OPS_MAX_ROWS][OPS_NAME_LEN + 24];
  double pct[OPS_MAX_ROWS];
  for (size_t i = 0; i < m->n_replies; i++) {
    snprintf(names[i], sizeof names[i], "%s (%s)", m->replies[i].agency,
             ops_rag_label(m->replies[i].rag));
    labels[i] = names[i];
    pct[i] = s_ratio(m->replies[i].on_time, m->replies[i].asked);
  }
  ops_render_bar_chart(b, "On time (%)", labels, pct, m->n_replies);
  ops_buf_printf(b, "</div>\n<table id=\"replies\"><tr><th>agency</th><th>RAG</th><th>asked</th>"
                    "<th>answered</th><th>on time</th><th>%%</th></tr>\n");
  for (size_t i = 0; i < m->n_replies; i++) {
    const ops_reply_t *r = &m->replies[i];
    char p[16];
    ops_pct(r->on_time, r->asked, p, sizeof p);
    ops_buf_printf(b, "<tr class=\"%s\"><td>", ops_rag_label(r->rag));
    ops_buf_html(b, r->agency);
    ops_buf_printf(b, "</td><td>%s</td>", ops_rag_label(r->rag));
    s_cell_int(b, NULL, r->asked);
    s_cell_int(b, NULL, r->answered);
    s_cell_int(b, NULL, r->on_time);
    ops_buf_printf(b, "<td class=\"num\">%s</td></tr>\n", p);
  }
  ops_buf_printf(b, "</table>\n</body></html>\n");
}
