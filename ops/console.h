/* console: the operations console's data model and its renderings.
 *
 * Responsible for: a plain C picture of the broker as the ops role sees it
 * (ops_model_t: ids, counts, times and agency names, never child data), and
 * turning it into the console's pages (HTML with server-rendered SVG
 * charts), the management-information CSV and the Prometheus text format.
 * Rendering is pure: the same model and the same "now" give the same bytes.
 * Must not: do I/O, hold locks, or know about sockets or HTTP. Any thread.
 */
#ifndef MASH_OPS_CONSOLE_H
#define MASH_OPS_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define OPS_MAX_ROWS 64
#define OPS_NAME_LEN 64
#define OPS_ID_LEN 32
#define OPS_LATENCY_BUCKETS 12

/* A growable text buffer: what every renderer writes into. */
typedef struct ops_buf {
  char *data;
  size_t len, cap;
  int failed; /* an allocation failed: the text is incomplete */
} ops_buf_t;

void ops_buf_printf(ops_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s with &, <, >, " and ' escaped for HTML text and attributes. */
void ops_buf_html(ops_buf_t *b, const char *s);
/* Append s as a CSV field (quoted when it holds a comma, quote or newline). */
void ops_buf_csv(ops_buf_t *b, const char *s);
/* Free the text; the buffer can be reused. */
void ops_buf_free(ops_buf_t *b);

typedef struct ops_count {
  char name[OPS_NAME_LEN];
  int64_t value;
} ops_count_t;

/* Open work of one kind: rag 0 is "awaiting screening", else Mash__V1__Rag. */
typedef struct ops_open {
  int rag;
  int64_t count;
  int64_t oldest_age_ms;
} ops_open_t;

/* A contact awaiting screening and its deadline. */
typedef struct ops_due {
  char contact_id[OPS_ID_LEN];
  int64_t received_at_ms;
  int64_t due_at_ms;
} ops_due_t;

/* Requests overdue for one agency at one escalation level. */
typedef struct ops_overdue {
  char agency[OPS_NAME_LEN];
  unsigned level;
  int64_t count;
} ops_overdue_t;

/* One principal as the broker sees its connection. */
typedef struct ops_agency {
  char principal[OPS_NAME_LEN];
  char role[16];
  int connected;
  int64_t last_seen_ms;            /* 0: never seen since mashd started */
  int64_t outbox_depth;            /* deliveries waiting for it */
  int64_t rejected;                /* its notifications refused */
  char reject_fields[256];         /* field names of the refusals, comma separated */
  int64_t adapter_rejected;        /* files its adapter refused (AdapterRejection) */
  char adapter_reject_fields[256]; /* field names in those, comma separated */
} ops_agency_t;

/* Replies of one agency at one RAG. */
typedef struct ops_reply {
  char agency[OPS_NAME_LEN];
  int rag;
  int64_t asked, answered, on_time;
} ops_reply_t;

typedef struct ops_dist {
  int64_t n, p50_ms, p90_ms;
} ops_dist_t;

/* One escalation of the live feed. */
typedef struct ops_event {
  uint64_t seq; /* the console's own counter, for the feed's resumption */
  char escalation_id[OPS_ID_LEN];
  char enquiry_id[OPS_ID_LEN];
  char request_id[OPS_ID_LEN];
  char contact_id[OPS_ID_LEN];
  char agency[OPS_NAME_LEN];
  char step[OPS_NAME_LEN];
  unsigned level;
  int rag;
  int64_t at_ms;
} ops_event_t;

typedef struct ops_model {
  int linked;            /* mash-ops hears mashd */
  int store_ok;          /* mashd says its store is open and committing */
  int64_t now_ms;        /* the broker's clock when it answered */
  int64_t started_at_ms; /* when mashd started */

  /* Now */
  ops_open_t open[5];
  size_t n_open;
  ops_due_t due[OPS_MAX_ROWS];
  size_t n_due;
  int64_t awaiting_screening; /* all of them; due[] holds the earliest */
  ops_overdue_t overdue[OPS_MAX_ROWS];
  size_t n_overdue;
  int64_t possible_match_backlog, resolution_backlog;
  ops_agency_t agencies[OPS_MAX_ROWS];
  size_t n_agencies;

  /* Management information over [from_ms, to_ms) of receipt (0, 0: all). */
  int64_t from_ms, to_ms;
  int64_t contacts;
  ops_count_t sources[OPS_MAX_ROWS];
  size_t n_sources;
  ops_dist_t to_screen, to_pack, to_decision;
  int64_t open_enquiries, overdue_requests;
  ops_count_t levels[OPS_MAX_ROWS]; /* escalations by level: name is the level */
  size_t n_levels;
  int64_t screened, screened_in_window, screening_window_ms;
  int64_t domestic_abuse, dash_complete, enquiries, consent_recorded;
  ops_reply_t replies[OPS_MAX_ROWS];
  size_t n_replies;

  /* Monitoring (mashd's counters since it started). */
  ops_count_t counters[OPS_MAX_ROWS]; /* intake, receipts, deliveries... */
  size_t n_counters;
  ops_count_t rejections[OPS_MAX_ROWS]; /* by reason */
  size_t n_rejections;
  ops_count_t outbox[OPS_MAX_ROWS]; /* depth per target */
  size_t n_outbox;
  /* Commit latency: bucket i counts commits taking at most le_us[i]
   * microseconds (cumulative, as Prometheus wants); the last is +Inf. */
  int64_t commit_le_us[OPS_LATENCY_BUCKETS];
  int64_t commit_buckets[OPS_LATENCY_BUCKETS];
  size_t n_commit_buckets;
  int64_t commit_count, commit_sum_us;
} ops_model_t;

/* Percentage a of b to one decimal into out ("n/a" when b is 0). */
void ops_pct(int64_t a, int64_t b, char *out, size_t cap);

/* A duration as "3 h 20 min", "2 d 4 h", "45 s". */
void ops_age(int64_t ms, char *out, size_t cap);

/* RAG name for the pages ("red"...; rag 0 "awaiting screening"). */
const char *ops_rag_label(int rag);

/* The pages. `user` (may be NULL) is shown in the header; `now_ms` is the
 * console's clock, for the report's age. */
void ops_render_now(ops_buf_t *b, const ops_model_t *m, const ops_event_t *events, size_t n_events,
                    const char *user, int64_t now_ms);
void ops_render_mi(ops_buf_t *b, const ops_model_t *m, const char *user);
/* A horizontal bar chart of percentages (0..100; negative: no data) as
 * one self-contained <svg>. */
void ops_render_bar_chart(ops_buf_t *b, const char *title, const char *const *labels,
                          const double *pct, size_t n);
/* The management information as CSV: one "section,name,rag,value" row per
 * figure, a header line first. */
void ops_render_csv(ops_buf_t *b, const ops_model_t *m);
/* The Prometheus text format (version 0.0.4). */
void ops_render_metrics(ops_buf_t *b, const ops_model_t *m);
/* One feed event as the JSON data line of a Server-Sent Event. */
void ops_render_event_json(ops_buf_t *b, const ops_event_t *e);

/* "YYYY-MM-DD" to the UTC midnight that starts it; -1 when not a date. */
int64_t ops_parse_day(const char *s);

#endif
