/* test_ops_site: the console's web server (ops/site.h) over a real socket
 * on 127.0.0.1 and an ephemeral port: health checks and metrics open,
 * pages refused without or with wrong credentials and served with right
 * ones, /readyz following the link and the store, the live feed pushing an
 * event published after the page was drawn, a range query answered through
 * the loop's hand-over, and bad dates refused.
 * Must not: sleep for synchronisation (reads block with a bound). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define UNIT_TESTING 1
#include <cmocka.h>

#include "auth.h"
#include "site.h"

#define GOOD "Authorization: Basic YWxpY2U6Y29ycmVjdCBob3JzZQ==\r\n" /* alice:correct horse */
#define BAD "Authorization: Basic YWxpY2U6d3Jvbmcgd3Jvbmc=\r\n"      /* alice:wrong wrong */

typedef struct fixture {
  char dir[64], path[128];
  ops_users_t *users;
  ops_site_t *site;
  int wakes;
  pthread_mutex_t mu;
} fixture_t;

static void s_wake(void *arg) {
  fixture_t *f = arg;
  pthread_mutex_lock(&f->mu);
  f->wakes++;
  pthread_mutex_unlock(&f->mu);
}

static int s_setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  pthread_mutex_init(&f->mu, NULL);
  snprintf(f->dir, sizeof f->dir, "/tmp/test_ops_site.XXXXXX");
  if (!mkdtemp(f->dir)) {
    return -1;
  }
  snprintf(f->path, sizeof f->path, "%s/users", f->dir);
  char err[256];
  if (ops_passwd_set(f->path, "alice", "correct horse", 1000, err, sizeof err) != 0 ||
      !(f->users = ops_users_load(f->path, err, sizeof err))) {
    return -1;
  }
  f->site = ops_site_new("127.0.0.1", 0, f->users, NULL, s_wake, f, err, sizeof err);
  if (!f->site) {
    fprintf(stderr, "%s\n", err);
    return -1;
  }
  *state = f;
  return 0;
}

static int s_teardown(void **state) {
  fixture_t *f = *state;
  ops_site_destroy(&f->site);
  ops_users_destroy(&f->users);
  unlink(f->path);
  rmdir(f->dir);
  pthread_mutex_destroy(&f->mu);
  free(f);
  return 0;
}

static int s_connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_port = htons((uint16_t)port);
  inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
  struct timeval tv = {10, 0}; /* a bound on every read: never hang the suite */
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
  return fd;
}

/* GET path with extra header lines; returns the whole response (status
 * line, headers, body), which the caller frees. */
static char *s_get(const fixture_t *f, const char *path, const char *headers) {
  int fd = s_connect(ops_site_port(f->site));
  char req[1024];
  int n =
      snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sConnection: close\r\n\r\n",
               path, headers ? headers : "");
  assert_int_equal(write(fd, req, (size_t)n), n);
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  ssize_t got;
  while ((got = read(fd, buf + len, cap - len - 1)) > 0) {
    len += (size_t)got;
    if (len + 1 == cap) {
      cap *= 2;
      buf = realloc(buf, cap);
    }
  }
  buf[len] = '\0';
  close(fd);
  return buf;
}

static int s_status(const char *resp) {
  int code = 0;
  sscanf(resp, "HTTP/1.1 %d", &code);
  return code;
}

static void s_publish(fixture_t *f, int store_ok, int64_t contacts) {
  ops_model_t *m = calloc(1, sizeof *m);
  m->store_ok = store_ok;
  m->contacts = contacts;
  m->now_ms = 1772442000000LL;
  m->started_at_ms = m->now_ms - 60000;
  ops_site_publish(f->site, m);
  free(m);
}

static void test_open_endpoints(void **state) {
  fixture_t *f = *state;
  char *r = s_get(f, "/healthz", NULL);
  assert_int_equal(s_status(r), 200);
  assert_non_null(strstr(r, "\r\n\r\nok\n"));
  free(r);
  r = s_get(f, "/readyz", NULL);
  assert_int_equal(s_status(r), 503);
  assert_non_null(strstr(r, "mashd is not answering"));
  free(r);
  ops_site_set_linked(f->site, 1);
  s_publish(f, 0, 0);
  r = s_get(f, "/readyz", NULL);
  assert_int_equal(s_status(r), 503);
  assert_non_null(strstr(r, "no working store"));
  free(r);
  s_publish(f, 1, 0);
  r = s_get(f, "/readyz", NULL);
  assert_int_equal(s_status(r), 200);
  free(r);
  r = s_get(f, "/metrics", NULL);
  assert_int_equal(s_status(r), 200);
  assert_non_null(strstr(r, "text/plain; version=0.0.4"));
  assert_non_null(strstr(r, "mash_up 1\n"));
  free(r);
}

static void test_pages_need_a_user(void **state) {
  fixture_t *f = *state;
  ops_site_set_linked(f->site, 1);
  s_publish(f, 1, 17);
  const char *pages[] = {"/", "/mi", "/mi.csv", "/events", "/nothing"};
  for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
    char *r = s_get(f, pages[i], NULL);
    assert_int_equal(s_status(r), 401);
    assert_non_null(strstr(r, "WWW-Authenticate: Basic realm=\"mash-ops\""));
    free(r);
    r = s_get(f, pages[i], BAD);
    assert_int_equal(s_status(r), 401);
    free(r);
  }
  char *r = s_get(f, "/", GOOD);
  assert_int_equal(s_status(r), 200);
  assert_non_null(strstr(r, "signed in as alice"));
  assert_non_null(strstr(r, "Cache-Control: no-store"));
  free(r);
  r = s_get(f, "/mi", GOOD);
  assert_int_equal(s_status(r), 200);
  assert_non_null(strstr(r, "id=\"mi-contacts\">17<"));
  free(r);
  r = s_get(f, "/mi.csv", GOOD);
  assert_int_equal(s_status(r), 200);
  assert_non_null(strstr(r, "text/csv"));
  assert_non_null(strstr(r, "contacts,total,,17\r\n"));
  free(r);
  r = s_get(f, "/nothing", GOOD);
  assert_int_equal(s_status(r), 404);
  free(r);
  r = s_get(f, "/mi?from=2026-13-01", GOOD);
  assert_int_equal(s_status(r), 400);
  free(r);
  r = s_get(f, "/mi?from=2026-03-05&to=2026-03-01", GOOD);
  assert_int_equal(s_status(r), 400);
  free(r);
}

typedef struct s_answerer {
  fixture_t *f;
  int answered;
} s_answerer_t;

/* Plays the loop: waits for the site to want a range, answers it. */
static void *s_answer_range(void *arg) {
  s_answerer_t *a = arg;
  for (int i = 0; i < 5000 && !a->answered; i++) {
    int64_t from, to;
    uint64_t ticket;
    if (ops_site_range_wanted(a->f->site, &from, &to, &ticket)) {
      ops_model_t *m = calloc(1, sizeof *m);
      m->from_ms = from;
      m->to_ms = to;
      m->contacts = 3;
      ops_site_range_answer(a->f->site, ticket, m);
      free(m);
      a->answered = 1;
    } else {
      usleep(1000); /* polling a condition with a bound, not a sleep for a result */
    }
  }
  return NULL;
}

static void test_range_through_the_loop(void **state) {
  fixture_t *f = *state;
  ops_site_set_linked(f->site, 1);
  s_publish(f, 1, 17);
  s_answerer_t a = {f, 0};
  pthread_t t;
  pthread_create(&t, NULL, s_answer_range, &a);
  char *r = s_get(f, "/mi.csv?from=2026-03-01&to=2026-03-31", GOOD);
  pthread_join(t, NULL);
  assert_true(a.answered);
  assert_int_equal(s_status(r), 200);
  assert_non_null(strstr(r, "contacts,total,,3\r\n"));
  assert_non_null(strstr(r, "range,from,,2026-03-01T00:00:00"));
  assert_non_null(strstr(r, "range,to,,2026-04-01T00:00:00"));
  free(r);
  pthread_mutex_lock(&f->mu);
  assert_true(f->wakes >= 1);
  pthread_mutex_unlock(&f->mu);
}

static void test_feed_pushes_events(void **state) {
  fixture_t *f = *state;
  ops_site_set_linked(f->site, 1);
  ops_event_t e;
  memset(&e, 0, sizeof e);
  snprintf(e.request_id, sizeof e.request_id, "REQ-000001");
  ops_site_event(f->site, &e); /* seq 1: already on the page */
  int fd = s_connect(ops_site_port(f->site));
  const char req[] = "GET /events?after=1 HTTP/1.1\r\nHost: x\r\n" GOOD "\r\n";
  assert_int_equal(write(fd, req, sizeof req - 1), (ssize_t)(sizeof req - 1));
  /* Headers first (the server answers before any event exists). */
  char buf[8192] = "";
  size_t len = 0;
  while (!strstr(buf, "\r\n\r\n")) {
    ssize_t got = read(fd, buf + len, sizeof buf - len - 1);
    assert_true(got > 0);
    len += (size_t)got;
    buf[len] = '\0';
  }
  assert_non_null(strstr(buf, "text/event-stream"));
  snprintf(e.request_id, sizeof e.request_id, "REQ-000002");
  e.level = 2;
  ops_site_event(f->site, &e);
  while (!strstr(buf, "REQ-000002")) {
    ssize_t got = read(fd, buf + len, sizeof buf - len - 1);
    assert_true(got > 0);
    len += (size_t)got;
    buf[len] = '\0';
  }
  assert_non_null(strstr(buf, "event: escalation\nid: 2\ndata: {\"seq\":2,\"level\":2,"));
  assert_null(strstr(buf, "REQ-000001")); /* the page had it already */
  ops_site_set_linked(f->site, 0);
  while (!strstr(buf, "event: link\ndata: down")) {
    ssize_t got = read(fd, buf + len, sizeof buf - len - 1);
    assert_true(got > 0);
    len += (size_t)got;
    buf[len] = '\0';
  }
  close(fd);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_open_endpoints, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_pages_need_a_user, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_range_through_the_loop, s_setup, s_teardown),
      cmocka_unit_test_setup_teardown(test_feed_pushes_events, s_setup, s_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
