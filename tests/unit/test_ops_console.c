/* test_ops_console: the console's renderings (ops/console.h) from a plain
 * model: HTML escaping, the Now page's counts and feed, the management
 * information page and its SVG chart, the CSV and the Prometheus text
 * format, percentages, ages and dates.
 * Must not: depend on the clock (every time is given). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNIT_TESTING 1
#include <cmocka.h>

#include "console.h"

#define T0 1772442000000LL /* 2026-03-02T09:00:00Z */

static ops_model_t *s_model(void) {
  ops_model_t *m = calloc(1, sizeof *m);
  assert_non_null(m);
  m->linked = 1;
  m->store_ok = 1;
  m->now_ms = T0 + 3600000;
  m->started_at_ms = T0;
  m->n_open = 2;
  m->open[0] = (ops_open_t){0, 3, 5400000};
  m->open[1] = (ops_open_t){1, 2, 600000};
  m->n_due = 1;
  snprintf(m->due[0].contact_id, OPS_ID_LEN, "MASH-000007");
  m->due[0].received_at_ms = T0;
  m->due[0].due_at_ms = T0 + 4 * 3600000LL;
  m->awaiting_screening = 3;
  m->n_overdue = 1;
  snprintf(m->overdue[0].agency, OPS_NAME_LEN, "housing");
  m->overdue[0].level = 2;
  m->overdue[0].count = 4;
  m->possible_match_backlog = 5;
  m->resolution_backlog = 6;
  m->n_agencies = 1;
  snprintf(m->agencies[0].principal, OPS_NAME_LEN, "po<lice");
  snprintf(m->agencies[0].role, 16, "agency");
  m->agencies[0].connected = 1;
  m->agencies[0].last_seen_ms = m->now_ms - 2000;
  m->agencies[0].rejected = 2;
  snprintf(m->agencies[0].reject_fields, 256, "notification.children[0].date_of_birth (2)");
  m->contacts = 42;
  m->n_sources = 1;
  snprintf(m->sources[0].name, OPS_NAME_LEN, "police");
  m->sources[0].value = 42;
  m->open_enquiries = 7;
  m->overdue_requests = 4;
  m->n_levels = 2;
  snprintf(m->levels[0].name, OPS_NAME_LEN, "1");
  m->levels[0].value = 9;
  snprintf(m->levels[1].name, OPS_NAME_LEN, "2");
  m->levels[1].value = 3;
  m->screened = 8;
  m->screened_in_window = 6;
  m->screening_window_ms = 4 * 3600000LL;
  m->domestic_abuse = 4;
  m->dash_complete = 3;
  m->enquiries = 0;
  m->n_replies = 1;
  snprintf(m->replies[0].agency, OPS_NAME_LEN, "health");
  m->replies[0].rag = 2;
  m->replies[0].asked = 4;
  m->replies[0].answered = 3;
  m->replies[0].on_time = 1;
  m->n_counters = 2;
  snprintf(m->counters[0].name, OPS_NAME_LEN, "intake");
  m->counters[0].value = 50;
  snprintf(m->counters[1].name, OPS_NAME_LEN, "rejected");
  m->counters[1].value = 8;
  m->n_rejections = 1;
  snprintf(m->rejections[0].name, OPS_NAME_LEN, "a\"b");
  m->rejections[0].value = 8;
  m->n_outbox = 1;
  snprintf(m->outbox[0].name, OPS_NAME_LEN, "@hub");
  m->outbox[0].value = 11;
  m->n_commit_buckets = 3;
  m->commit_le_us[0] = 1000;
  m->commit_buckets[0] = 5;
  m->commit_le_us[1] = 10000;
  m->commit_buckets[1] = 9;
  m->commit_buckets[2] = 10;
  m->commit_count = 10;
  m->commit_sum_us = 1500000;
  return m;
}

static int s_has(const ops_buf_t *b, const char *needle) {
  return b->data && strstr(b->data, needle) != NULL;
}

static void test_buf_grows_and_escapes(void **state) {
  (void)state;
  ops_buf_t b = {0};
  for (int i = 0; i < 2000; i++) {
    ops_buf_printf(&b, "%04d,", i);
  }
  assert_int_equal(b.len, 10000);
  assert_false(b.failed);
  assert_memory_equal(b.data + 9995, "1999,", 5);
  ops_buf_free(&b);
  ops_buf_html(&b, "<a href='x'>\"&\"</a>");
  assert_string_equal(b.data, "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;");
  ops_buf_free(&b);
  ops_buf_csv(&b, "plain");
  ops_buf_printf(&b, "|");
  ops_buf_csv(&b, "a,\"b\"");
  assert_string_equal(b.data, "plain|\"a,\"\"b\"\"\"");
  ops_buf_free(&b);
}

static void test_pct_age_day(void **state) {
  (void)state;
  char out[32];
  ops_pct(1, 3, out, sizeof out);
  assert_string_equal(out, "33.3");
  ops_pct(5, 0, out, sizeof out);
  assert_string_equal(out, "n/a");
  ops_age(45000, out, sizeof out);
  assert_string_equal(out, "45 s");
  ops_age(3 * 3600000 + 20 * 60000, out, sizeof out);
  assert_string_equal(out, "3 h 20 min");
  ops_age(52 * 3600000LL, out, sizeof out);
  assert_string_equal(out, "2 d 4 h");
  ops_age(-5, out, sizeof out);
  assert_string_equal(out, "0 s");
  assert_int_equal(ops_parse_day("2026-03-02"), T0 - 9 * 3600000LL);
  assert_int_equal(ops_parse_day("2026-3-2"), -1);
  assert_int_equal(ops_parse_day("2026-02-30"), -1);
  assert_int_equal(ops_parse_day(NULL), -1);
  assert_string_equal(ops_rag_label(0), "awaiting screening");
  assert_string_equal(ops_rag_label(2), "amber");
  assert_string_equal(ops_rag_label(9), "unknown");
}

static void test_now_page(void **state) {
  (void)state;
  ops_model_t *m = s_model();
  ops_event_t ev[2];
  memset(ev, 0, sizeof ev);
  ev[0].seq = 4;
  snprintf(ev[0].request_id, OPS_ID_LEN, "REQ-000001");
  snprintf(ev[0].step, OPS_NAME_LEN, "reminder");
  ev[0].level = 1;
  ev[0].rag = 1;
  ev[1].seq = 5;
  snprintf(ev[1].request_id, OPS_ID_LEN, "REQ-000002");
  snprintf(ev[1].step, OPS_NAME_LEN, "overdue");
  ev[1].level = 2;
  ops_buf_t b = {0};
  ops_render_now(&b, m, ev, 2, "sam<", m->now_ms);
  assert_false(b.failed);
  assert_true(s_has(&b, "signed in as sam&lt;"));
  assert_true(s_has(&b, "id=\"open-0\">3<"));
  assert_true(s_has(&b, "id=\"open-1\">2<"));
  assert_true(s_has(&b, "<span id=\"awaiting-screening\">3</span>"));
  assert_true(s_has(&b, "MASH-000007"));
  assert_true(s_has(&b, "in 3 h 0 min")); /* due at T0+4h, now T0+1h */
  assert_true(s_has(&b, "<td>housing</td><td class=\"num\">2</td><td class=\"num\">4</td>"));
  assert_true(s_has(&b, "id=\"possible-match-backlog\">5<"));
  assert_true(s_has(&b, "id=\"resolution-backlog\">6<"));
  assert_true(s_has(&b, "po&lt;lice"));
  assert_false(s_has(&b, "po<lice"));
  assert_true(s_has(&b, "date_of_birth (2)"));
  /* The feed: newest first, and the page's script resumes after seq 5. */
  assert_true(s_has(&b, "<span id=\"feed-count\">2</span>"));
  assert_true(s_has(&b, "data-after=\"5\""));
  const char *first = strstr(b.data, "REQ-000002"), *second = strstr(b.data, "REQ-000001");
  assert_non_null(first);
  assert_non_null(second);
  assert_true(first < second);
  assert_true(s_has(&b, "new EventSource('/events?after='"));
  assert_true(s_has(&b, "Connected to mashd (up 1 h 0 min; store ok)"));
  ops_buf_free(&b);
  m->linked = 0;
  ops_render_now(&b, m, NULL, 0, NULL, m->now_ms);
  assert_true(s_has(&b, "Not connected to mashd"));
  assert_true(s_has(&b, "data-after=\"0\""));
  ops_buf_free(&b);
  free(m);
}

static void test_mi_page_and_chart(void **state) {
  (void)state;
  ops_model_t *m = s_model();
  m->from_ms = ops_parse_day("2026-03-01");
  m->to_ms = ops_parse_day("2026-03-31") + 86400000LL;
  ops_buf_t b = {0};
  ops_render_mi(&b, m, "sam");
  assert_false(b.failed);
  assert_true(s_has(&b, "name=\"from\" value=\"2026-03-01\""));
  assert_true(s_has(&b, "name=\"to\" value=\"2026-03-31\""));
  assert_true(s_has(&b, "href=\"/mi.csv?from=2026-03-01&amp;to=2026-03-31\""));
  assert_true(s_has(&b, "id=\"mi-contacts\">42<"));
  assert_true(s_has(&b, "id=\"mi-open-enquiries\">7<"));
  assert_true(s_has(&b, "id=\"mi-overdue-requests\">4<"));
  assert_true(s_has(&b, "id=\"mi-level-2\">3<"));
  assert_true(s_has(&b, "id=\"mi-screened-pct\">75.0<"));
  assert_true(s_has(&b, "id=\"mi-dash-pct\">75.0<"));
  assert_true(s_has(&b, "id=\"mi-consent-pct\">n/a<"));
  assert_true(s_has(&b, "screened within 4 h 0 min"));
  assert_true(s_has(&b, "<svg"));
  assert_true(s_has(&b, "health (amber)"));
  ops_buf_free(&b);

  /* Bars: 0..100 scale to 0..300 px, over 100 is capped, negative is n/a. */
  const char *labels[] = {"a", "b", "c", "d"};
  double pct[] = {50.0, 100.0, 250.0, -1.0};
  ops_render_bar_chart(&b, "T<", labels, pct, 4);
  assert_true(s_has(&b, "aria-label=\"T&lt;\""));
  assert_true(s_has(&b, "width=\"150.0\""));
  int full = 0;
  for (const char *p = b.data; (p = strstr(p, "width=\"300.0\"")) != NULL; p++) {
    full++;
  }
  assert_int_equal(full, 2); /* 100% and 250% (capped) */
  assert_true(s_has(&b, ">n/a</text>"));
  assert_true(s_has(&b, "fill=\"#c33\"")); /* 50% is red */
  assert_true(s_has(&b, "fill=\"#3a3\"")); /* 100% is green */
  assert_true(s_has(&b, "</svg>"));
  ops_buf_free(&b);
  free(m);
}

static void test_csv(void **state) {
  (void)state;
  ops_model_t *m = s_model();
  ops_buf_t b = {0};
  ops_render_csv(&b, m);
  assert_true(strncmp(b.data, "section,name,rag,value\r\n", 24) == 0);
  assert_true(s_has(&b, "contacts,total,,42\r\n"));
  assert_true(s_has(&b, "contacts_by_source,police,,42\r\n"));
  assert_true(s_has(&b, "escalations_by_level,2,,3\r\n"));
  assert_true(s_has(&b, "quality,screened_within_window_pct,,75.0\r\n"));
  assert_true(s_has(&b, "quality,consent_recorded_pct,,n/a\r\n"));
  assert_true(s_has(&b, "reply_within_window_pct,health,amber,25.0\r\n"));
  assert_true(s_has(&b, "range,from,,\r\n"));
  /* Every line has four fields. */
  int lines = 0;
  for (char *p = b.data; (p = strstr(p, "\r\n")) != NULL; p += 2) {
    lines++;
  }
  int commas = 0;
  for (char *p = b.data; *p; p++) {
    commas += *p == ',';
  }
  assert_int_equal(commas, 3 * lines);
  ops_buf_free(&b);
  free(m);
}

static void test_metrics(void **state) {
  (void)state;
  ops_model_t *m = s_model();
  ops_buf_t b = {0};
  ops_render_metrics(&b, m);
  assert_true(s_has(&b, "# TYPE mash_intake_total counter\nmash_intake_total 50\n"));
  assert_true(s_has(&b, "mash_receipts_total{status=\"rejected\"} 8\n"));
  assert_true(s_has(&b, "mash_receipts_total{status=\"accepted\"} 0\n"));
  assert_true(s_has(&b, "mash_rejections_total{reason=\"a\\\"b\"} 8\n"));
  assert_true(s_has(&b, "mash_outbox_depth{target=\"@hub\"} 11\n"));
  assert_true(s_has(&b, "mash_escalations_total{level=\"1\"} 9\n"));
  assert_true(s_has(&b, "mash_store_commit_seconds_bucket{le=\"0.001\"} 5\n"));
  assert_true(s_has(&b, "mash_store_commit_seconds_bucket{le=\"0.01\"} 9\n"));
  assert_true(s_has(&b, "mash_store_commit_seconds_bucket{le=\"+Inf\"} 10\n"));
  assert_true(s_has(&b, "mash_store_commit_seconds_sum 1.500000\n"));
  assert_true(s_has(&b, "mash_store_commit_seconds_count 10\n"));
  assert_true(s_has(&b, "mash_agencies_connected 1\n"));
  assert_true(s_has(&b, "mash_client_connected{principal=\"po<lice\",role=\"agency\"} 1\n"));
  assert_true(s_has(&b, "mash_open_work{rag=\"awaiting screening\"} 3\n"));
  assert_true(s_has(&b, "mash_up 1\n"));
  /* Every sample line is NAME[{labels}] VALUE. */
  for (char *line = b.data; line && *line;) {
    char *end = strchr(line, '\n');
    assert_non_null(end);
    if (*line != '#') {
      char *space = memchr(line, ' ', (size_t)(end - line));
      assert_non_null(space);
      assert_true(strncmp(line, "mash_", 5) == 0);
    }
    line = end + 1;
  }
  ops_buf_free(&b);
  m->linked = 0;
  ops_render_metrics(&b, m);
  assert_string_equal(b.data,
                      "# HELP mash_up 1 when mash-ops hears mashd and mashd has its store.\n"
                      "# TYPE mash_up gauge\nmash_up 0\n");
  ops_buf_free(&b);
  free(m);
}

static void test_event_json(void **state) {
  (void)state;
  ops_event_t e;
  memset(&e, 0, sizeof e);
  e.seq = 12;
  e.level = 3;
  e.rag = 1;
  e.at_ms = T0;
  snprintf(e.request_id, OPS_ID_LEN, "REQ-\"1\\");
  snprintf(e.step, OPS_NAME_LEN, "head_of_service");
  ops_buf_t b = {0};
  ops_render_event_json(&b, &e);
  assert_true(s_has(&b, "{\"seq\":12,\"level\":3,"));
  assert_true(s_has(&b, "\"request_id\":\"REQ-\\\"1\\\\\""));
  assert_true(s_has(&b, "\"rag\":\"red\""));
  assert_true(s_has(&b, "\"at\":\"2026-03-02T09:00:00"));
  assert_null(strchr(b.data, '\n'));
  ops_buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_buf_grows_and_escapes),
      cmocka_unit_test(test_pct_age_day),
      cmocka_unit_test(test_now_page),
      cmocka_unit_test(test_mi_page_and_chart),
      cmocka_unit_test(test_csv),
      cmocka_unit_test(test_metrics),
      cmocka_unit_test(test_event_json),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
