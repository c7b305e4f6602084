/* site: the console's HTTP server and the state shared with the loop.
 * Responsible for: routing requests, authentication, the page-view log,
 * the Server-Sent Events feed, and the range-query hand-over.
 * Must not: block the loop thread (the loop only takes the mutex briefly),
 * or serve a page without a user, except /healthz, /readyz and /metrics.
 * Threads: see site.h. */
#include "site.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"

#define S_RING 256
#define S_NOW_EVENTS 50
#define S_RANGE_WAIT_MS 5000
#define S_KEEPALIVE_MS 15000

struct ops_site {
  struct MHD_Daemon *daemon;
  const ops_users_t *users;
  int client_certs; /* users sign in with TLS client certificates */
  void (*wake)(void *);
  void *wake_arg;
  int port;

  pthread_mutex_t mu;
  pthread_cond_t changed; /* events, link state, range answers, stopping */
  int stopping;
  int linked;
  ops_model_t *model; /* latest picture, all time */
  ops_event_t ring[S_RING];
  uint64_t last_seq; /* seq of the newest event; 0: none */

  pthread_mutex_t range_mu; /* one range exchange at a time */
  int range_pending;
  uint64_t range_ticket, range_done;
  int64_t range_from, range_to;
  ops_model_t *range_model;
};

/* ---------------------------------------------------------------- helpers */

static void s_deadline(struct timespec *ts, int ms) {
  clock_gettime(CLOCK_REALTIME, ts);
  ts->tv_sec += ms / 1000;
  ts->tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts->tv_nsec >= 1000000000L) {
    ts->tv_sec++;
    ts->tv_nsec -= 1000000000L;
  }
}

static enum MHD_Result s_send(struct MHD_Connection *c, unsigned status, const char *type,
                              ops_buf_t *body) {
  if (body->failed) {
    ops_buf_free(body);
    ops_buf_printf(body, "out of memory\n");
    status = MHD_HTTP_INTERNAL_SERVER_ERROR;
    type = "text/plain; charset=utf-8";
  }
  struct MHD_Response *r = MHD_create_response_from_buffer(body->len, body->data ? body->data : "",
                                                           MHD_RESPMEM_MUST_COPY);
  ops_buf_free(body);
  if (!r) {
    return MHD_NO;
  }
  MHD_add_response_header(r, "Content-Type", type);
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "Content-Security-Policy",
                          "default-src 'self'; script-src 'unsafe-inline'; "
                          "style-src 'unsafe-inline'; img-src 'self' data:");
  enum MHD_Result rc = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return rc;
}

static enum MHD_Result s_text(struct MHD_Connection *c, unsigned status, const char *text) {
  ops_buf_t b = {0};
  ops_buf_printf(&b, "%s", text);
  return s_send(c, status, "text/plain; charset=utf-8", &b);
}

/* A copy of the latest model and the newest events (oldest first). */
static ops_model_t *s_snapshot(ops_site_t *s, ops_event_t *events, size_t *n_events) {
  ops_model_t *m = malloc(sizeof *m);
  if (!m) {
    return NULL;
  }
  pthread_mutex_lock(&s->mu);
  *m = *s->model;
  m->linked = s->linked;
  size_t n = 0;
  if (events) {
    uint64_t first = s->last_seq > S_NOW_EVENTS ? s->last_seq - S_NOW_EVENTS + 1 : 1;
    for (uint64_t q = first; q <= s->last_seq; q++) {
      events[n++] = s->ring[q % S_RING];
    }
    *n_events = n;
  }
  pthread_mutex_unlock(&s->mu);
  return m;
}

/* ---------------------------------------------------------------- feed */

typedef struct s_feed {
  ops_site_t *site;
  uint64_t after;
  int linked;
  ops_buf_t out;
  size_t sent;
} s_feed_t;

static ssize_t s_feed_read(void *cls, uint64_t pos, char *buf, size_t max) {
  (void)pos;
  s_feed_t *f = cls;
  ops_site_t *s = f->site;
  if (f->sent == f->out.len) {
    ops_buf_free(&f->out);
    f->sent = 0;
    pthread_mutex_lock(&s->mu);
    struct timespec until;
    s_deadline(&until, S_KEEPALIVE_MS);
    int timed_out = 0;
    while (!s->stopping && s->last_seq <= f->after && s->linked == f->linked && !timed_out) {
      timed_out = pthread_cond_timedwait(&s->changed, &s->mu, &until) == ETIMEDOUT;
    }
    if (s->stopping) {
      pthread_mutex_unlock(&s->mu);
      return MHD_CONTENT_READER_END_OF_STREAM;
    }
    if (s->linked != f->linked) {
      f->linked = s->linked;
      ops_buf_printf(&f->out, "event: link\ndata: %s\n\n", f->linked ? "up" : "down");
    }
    if (s->last_seq > f->after + S_RING) {
      f->after = s->last_seq - S_RING; /* fell behind: the oldest are gone */
    }
    for (uint64_t q = f->after + 1; q <= s->last_seq; q++) {
      ops_buf_printf(&f->out, "event: escalation\nid: %llu\ndata: ", (unsigned long long)q);
      ops_render_event_json(&f->out, &s->ring[q % S_RING]);
      ops_buf_printf(&f->out, "\n\n");
    }
    f->after = s->last_seq;
    pthread_mutex_unlock(&s->mu);
    if (f->out.len == 0) {
      ops_buf_printf(&f->out, ": keep-alive\n\n");
    }
    if (f->out.failed) {
      return MHD_CONTENT_READER_END_WITH_ERROR;
    }
  }
  size_t n = f->out.len - f->sent;
  if (n > max) {
    n = max;
  }
  memcpy(buf, f->out.data + f->sent, n);
  f->sent += n;
  return (ssize_t)n;
}

static void s_feed_free(void *cls) {
  s_feed_t *f = cls;
  ops_buf_free(&f->out);
  free(f);
}

static enum MHD_Result s_events(ops_site_t *s, struct MHD_Connection *c) {
  s_feed_t *f = calloc(1, sizeof *f);
  if (!f) {
    return MHD_NO;
  }
  f->site = s;
  const char *after = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "after");
  const char *last = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
  const char *from = last ? last : after;
  pthread_mutex_lock(&s->mu);
  f->after = from ? strtoull(from, NULL, 10) : s->last_seq;
  if (f->after > s->last_seq) {
    f->after = s->last_seq; /* mash-ops restarted since the page was drawn */
  }
  f->linked = s->linked;
  pthread_mutex_unlock(&s->mu);
  struct MHD_Response *r =
      MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, s_feed_read, f, s_feed_free);
  if (!r) {
    s_feed_free(f);
    return MHD_NO;
  }
  MHD_add_response_header(r, "Content-Type", "text/event-stream");
  MHD_add_response_header(r, "Cache-Control", "no-store");
  enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return rc;
}

/* ---------------------------------------------------------------- range */

/* Management information for [from, to): the latest picture when the
 * range is everything, else asked of mashd through the loop. NULL when
 * mashd did not answer in time. */
static ops_model_t *s_range(ops_site_t *s, int64_t from, int64_t to) {
  if (from == 0 && to == 0) {
    return s_snapshot(s, NULL, NULL);
  }
  ops_model_t *m = NULL;
  pthread_mutex_lock(&s->range_mu);
  pthread_mutex_lock(&s->mu);
  uint64_t ticket = ++s->range_ticket;
  s->range_from = from;
  s->range_to = to;
  s->range_pending = 1;
  pthread_mutex_unlock(&s->mu);
  s->wake(s->wake_arg);
  pthread_mutex_lock(&s->mu);
  struct timespec until;
  s_deadline(&until, S_RANGE_WAIT_MS);
  int timed_out = 0;
  while (!s->stopping && s->range_done < ticket && !timed_out) {
    timed_out = pthread_cond_timedwait(&s->changed, &s->mu, &until) == ETIMEDOUT;
  }
  if (s->range_done == ticket && s->range_model) {
    m = malloc(sizeof *m);
    if (m) {
      *m = *s->range_model;
      m->linked = s->linked;
    }
  }
  s->range_pending = 0;
  pthread_mutex_unlock(&s->mu);
  pthread_mutex_unlock(&s->range_mu);
  return m;
}

static int s_day_arg(struct MHD_Connection *c, const char *name, int64_t *out) {
  const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
  *out = 0;
  if (!v || !*v) {
    return 0;
  }
  *out = ops_parse_day(v);
  return *out < 0 ? -1 : 0;
}

static enum MHD_Result s_mi(ops_site_t *s, struct MHD_Connection *c, const char *user, int csv) {
  int64_t from, to;
  if (s_day_arg(c, "from", &from) != 0 || s_day_arg(c, "to", &to) != 0) {
    return s_text(c, MHD_HTTP_BAD_REQUEST, "from and to are dates: YYYY-MM-DD\n");
  }
  if (to > 0) {
    to += 86400000; /* to the end of that day */
  }
  if (from > 0 && to > 0 && to <= from) {
    return s_text(c, MHD_HTTP_BAD_REQUEST, "'to' is before 'from'\n");
  }
  ops_model_t *m = s_range(s, from, to);
  if (!m) {
    return s_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "mashd did not answer; try again\n");
  }
  ops_buf_t b = {0};
  enum MHD_Result rc;
  if (csv) {
    ops_render_csv(&b, m);
    rc = s_send(c, MHD_HTTP_OK, "text/csv; charset=utf-8", &b);
  } else {
    ops_render_mi(&b, m, user);
    rc = s_send(c, MHD_HTTP_OK, "text/html; charset=utf-8", &b);
  }
  free(m);
  return rc;
}

/* ---------------------------------------------------------------- routing */

static enum MHD_Result s_open_endpoint(ops_site_t *s, struct MHD_Connection *c, const char *url) {
  if (strcmp(url, "/healthz") == 0) {
    return s_text(c, MHD_HTTP_OK, "ok\n");
  }
  pthread_mutex_lock(&s->mu);
  int linked = s->linked, store_ok = s->model->store_ok;
  pthread_mutex_unlock(&s->mu);
  if (strcmp(url, "/readyz") == 0) {
    if (!linked) {
      return s_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "not ready: mashd is not answering\n");
    }
    if (!store_ok) {
      return s_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "not ready: mashd has no working store\n");
    }
    return s_text(c, MHD_HTTP_OK, "ready\n");
  }
  ops_model_t *m = s_snapshot(s, NULL, NULL);
  if (!m) {
    return MHD_NO;
  }
  ops_buf_t b = {0};
  ops_render_metrics(&b, m);
  free(m);
  return s_send(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", &b);
}

static enum MHD_Result s_refuse(struct MHD_Connection *c) {
  struct MHD_Response *r = MHD_create_response_from_buffer(strlen("sign in\n"), (void *)"sign in\n",
                                                           MHD_RESPMEM_PERSISTENT);
  if (!r) {
    return MHD_NO;
  }
  enum MHD_Result rc = MHD_queue_basic_auth_fail_response(c, "mash-ops", r);
  MHD_destroy_response(r);
  return rc;
}

/* HTTP Basic against the users file: 1 with the user in user (OPS_USER_LEN). */
static int s_password_ok(ops_site_t *s, struct MHD_Connection *c, const char *url, char *user) {
  char password[OPS_PASSWORD_MAX];
  const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
  if (ops_basic_parse(auth, user, OPS_USER_LEN, password, sizeof password) != 0) {
    return 0;
  }
  int ok = ops_users_check(s->users, user, password);
  memset(password, 0, sizeof password);
  if (!ok) {
    mash_warn("ops: refused a sign-in as '%s' for %s", ops_user_valid(user) ? user : "?", url);
  }
  return ok;
}

static enum MHD_Result s_handle(void *cls, struct MHD_Connection *c, const char *url,
                                const char *method, const char *version, const char *upload,
                                size_t *upload_size, void **req) {
  (void)version;
  (void)upload;
  ops_site_t *s = cls;
  if (*req == NULL) {
    *req = (void *)1; /* headers seen; answer on the next call */
    return MHD_YES;
  }
  if (*upload_size != 0 || (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)) {
    *upload_size = 0;
    return s_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "the console is read-only: GET only\n");
  }
  /* Health checks and metrics are open: mash-ops binds loopback (README). */
  if (strcmp(url, "/healthz") == 0 || strcmp(url, "/readyz") == 0 || strcmp(url, "/metrics") == 0) {
    return s_open_endpoint(s, c, url);
  }
  char user[OPS_USER_LEN];
  if (s->client_certs) {
    char why[256];
    if (ops_tls_client_user(c, user, sizeof user, why, sizeof why) != 0) {
      mash_warn_limited("ops: refused a connection for %s: %s", url, why);
      return s_text(c, MHD_HTTP_FORBIDDEN,
                    "a client certificate from the console's authority is "
                    "needed\n");
    }
  } else if (!s_password_ok(s, c, url, user)) {
    return s_refuse(c);
  }
  mash_info("ops: %s viewed %s", user, url);
  if (strcmp(url, "/") == 0) {
    ops_event_t *ev = malloc(S_NOW_EVENTS * sizeof *ev);
    size_t n = 0;
    ops_model_t *m = ev ? s_snapshot(s, ev, &n) : NULL;
    if (!m) {
      free(ev);
      return MHD_NO;
    }
    ops_buf_t b = {0};
    ops_render_now(&b, m, ev, n, user, mash_clock_now_ms());
    free(m);
    free(ev);
    return s_send(c, MHD_HTTP_OK, "text/html; charset=utf-8", &b);
  }
  if (strcmp(url, "/mi") == 0) {
    return s_mi(s, c, user, 0);
  }
  if (strcmp(url, "/mi.csv") == 0) {
    return s_mi(s, c, user, 1);
  }
  if (strcmp(url, "/events") == 0) {
    return s_events(s, c);
  }
  return s_text(c, MHD_HTTP_NOT_FOUND, "no such page\n");
}

/* ---------------------------------------------------------------- life */

/* libmicrohttpd's own messages (a browser that closed its live feed, a
 * malformed request) go to our log at debug level, not raw to stderr. */
static void s_mhd_log(void *cls, const char *fmt, va_list ap) {
  (void)cls;
  char line[512];
  vsnprintf(line, sizeof line, fmt, ap);
  line[strcspn(line, "\n")] = '\0';
  mash_debug("http: %s", line);
}

ops_site_t *ops_site_new(const char *address, int port, const ops_users_t *users,
                         const ops_tls_t *tls, void (*wake)(void *arg), void *arg, char *err,
                         size_t errlen) {
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_port = htons((uint16_t)port);
  if (port < 0 || port > 65535 || inet_pton(AF_INET, address, &sin.sin_addr) != 1) {
    snprintf(err, errlen, "'%s:%d' is not an IPv4 address and port", address, port);
    return NULL;
  }
  ops_site_t *s = calloc(1, sizeof *s);
  if (!s || !(s->model = calloc(1, sizeof *s->model)) ||
      !(s->range_model = calloc(1, sizeof *s->range_model))) {
    snprintf(err, errlen, "out of memory");
    if (s) {
      free(s->model);
    }
    free(s);
    return NULL;
  }
  s->users = users;
  s->wake = wake;
  s->wake_arg = arg;
  pthread_mutex_init(&s->mu, NULL);
  pthread_mutex_init(&s->range_mu, NULL);
  pthread_cond_init(&s->changed, NULL);
  unsigned flags =
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
  struct MHD_OptionItem tls_opts[4] = {{MHD_OPTION_END, 0, NULL}};
  size_t n = 0;
  if (tls && tls->cert_pem) {
    flags |= MHD_USE_TLS;
    tls_opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, tls->cert_pem};
    tls_opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, tls->key_pem};
    if (tls->client_ca_pem) {
      /* A trust list makes libmicrohttpd ask every client for a certificate. */
      tls_opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, tls->client_ca_pem};
      s->client_certs = 1;
    }
  }
  tls_opts[n] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
  s->daemon = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, s_handle, s, MHD_OPTION_SOCK_ADDR,
                               (struct sockaddr *)&sin, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
                               MHD_OPTION_EXTERNAL_LOGGER, s_mhd_log, NULL, MHD_OPTION_ARRAY,
                               tls_opts, MHD_OPTION_END);
  if (!s->daemon) {
    snprintf(err, errlen, "cannot listen on %s:%d (in use, not an address of this host%s)", address,
             port, tls && tls->cert_pem ? ", or a certificate and key that do not match" : "");
    ops_site_destroy(&s);
    return NULL;
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
  s->port = info ? info->port : port;
  return s;
}

void ops_site_destroy(ops_site_t **self_p) {
  if (!self_p || !*self_p) {
    return;
  }
  ops_site_t *s = *self_p;
  pthread_mutex_lock(&s->mu);
  s->stopping = 1;
  pthread_cond_broadcast(&s->changed);
  pthread_mutex_unlock(&s->mu);
  if (s->daemon) {
    MHD_stop_daemon(s->daemon);
  }
  pthread_cond_destroy(&s->changed);
  pthread_mutex_destroy(&s->mu);
  pthread_mutex_destroy(&s->range_mu);
  free(s->model);
  free(s->range_model);
  free(s);
  *self_p = NULL;
}

int ops_site_port(const ops_site_t *s) {
  return s->port;
}

void ops_site_publish(ops_site_t *s, const ops_model_t *m) {
  pthread_mutex_lock(&s->mu);
  *s->model = *m;
  pthread_mutex_unlock(&s->mu);
}

void ops_site_set_linked(ops_site_t *s, int linked) {
  pthread_mutex_lock(&s->mu);
  if (s->linked != linked) {
    s->linked = linked;
    pthread_cond_broadcast(&s->changed);
  }
  pthread_mutex_unlock(&s->mu);
}

void ops_site_event(ops_site_t *s, const ops_event_t *e) {
  pthread_mutex_lock(&s->mu);
  uint64_t seq = ++s->last_seq;
  s->ring[seq % S_RING] = *e;
  s->ring[seq % S_RING].seq = seq;
  pthread_cond_broadcast(&s->changed);
  pthread_mutex_unlock(&s->mu);
}

int ops_site_range_wanted(ops_site_t *s, int64_t *from_ms, int64_t *to_ms, uint64_t *ticket) {
  pthread_mutex_lock(&s->mu);
  int want = s->range_pending && s->range_done < s->range_ticket;
  if (want) {
    *from_ms = s->range_from;
    *to_ms = s->range_to;
    *ticket = s->range_ticket;
  }
  pthread_mutex_unlock(&s->mu);
  return want;
}

void ops_site_range_answer(ops_site_t *s, uint64_t ticket, const ops_model_t *m) {
  pthread_mutex_lock(&s->mu);
  if (ticket == s->range_ticket) {
    *s->range_model = *m;
    s->range_done = ticket;
    pthread_cond_broadcast(&s->changed);
  }
  pthread_mutex_unlock(&s->mu);
}
