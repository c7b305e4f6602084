/* test_esclog: the hash-chained escalation log (broker/esclog.h).
 *
 * Five appends verify; then each kind of tampering is made on a copy of the
 * files and verify must name the line the header documents: an edited line
 * (reported at the next line, or at itself when it no longer parses), an
 * edited last line (caught by the head file), a deleted line, a deleted last
 * line, an inserted line, a truncated last line, a missing head file.
 * Reopening continues the chain; open refuses a tampered end and cuts off an
 * append that crashed before it returned. Events with names are refused.
 * Must not: leave files behind (each test uses its own temporary folder).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "esclog.h"

/* Strings from json_dumps come from jansson's malloc: free them with the
 * real free, not cmocka's checking one (defined below). */
static void json_free(void *p) {
  free(p);
}

#define UNIT_TESTING 1
#include <cmocka.h>

#define ZEROS "0000000000000000000000000000000000000000000000000000000000000000"

typedef struct fixture {
  char dir[64];
  char log[128];
  char head[160];
  char tmp[192];
} fixture_t;

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-esclog-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  snprintf(f->log, sizeof f->log, "%s/escalation.log", f->dir);
  snprintf(f->head, sizeof f->head, "%s.head", f->log);
  snprintf(f->tmp, sizeof f->tmp, "%s.head.tmp", f->log);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  unlink(f->log);
  unlink(f->head);
  unlink(f->tmp);
  rmdir(f->tmp); /* one test makes it a directory */
  assert_int_equal(rmdir(f->dir), 0);
  free(f);
  return 0;
}

/* ---------------------------------------------------------------- file helpers */

static char *slurp(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  assert_non_null(fp);
  char *buf = malloc(1 << 20);
  assert_non_null(buf);
  size_t n = fread(buf, 1, (1 << 20) - 1, fp);
  fclose(fp);
  buf[n] = '\0';
  if (len)
    *len = n;
  return buf;
}

static void spit(const char *path, const char *data, size_t len) {
  FILE *fp = fopen(path, "wb");
  assert_non_null(fp);
  assert_int_equal(fwrite(data, 1, len, fp), len);
  assert_int_equal(fclose(fp), 0);
}

/* Offset of the start of 1-based line `n` in `s`. */
static size_t line_start(const char *s, int n) {
  size_t off = 0;
  for (int i = 1; i < n; i++) {
    const char *nl = strchr(s + off, '\n');
    assert_non_null(nl);
    off = (size_t)(nl - s) + 1;
  }
  return off;
}

static size_t line_end(const char *s, int n) {
  const char *nl = strchr(s + line_start(s, n), '\n');
  assert_non_null(nl);
  return (size_t)(nl - s) + 1; /* after the newline */
}

static int count_lines(const char *s) {
  int n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

static void hex_sha256(const char *data, size_t len, char out[65]) {
  unsigned char md[32];
  unsigned int mdlen = 0;
  assert_int_equal(EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL), 1);
  for (int i = 0; i < 32; i++)
    snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* An event as the router would log it: ids, level, step, times. */
static json_t *event(int i) {
  char id[32];
  snprintf(id, sizeof id, "esc-%d", i);
  json_t *e = json_pack("{s:s, s:s, s:s, s:i, s:s, s:[s,s], s:I, s:I, s:s}", "escalation_id", id,
                        "enquiry_id", "enq-1", "agency", "police", "level", 1 + i % 4, "step",
                        "overdue", "parties", "agency_duty_lead", "hub_team_manager", "due_at_ms",
                        (json_int_t)1700000000000 + i, "at_ms", (json_int_t)1700000000500 + i,
                        "rag", "red");
  assert_non_null(e);
  return e;
}

static void append_n(const fixture_t *f, int from, int n) {
  char err[256] = "";
  mash_esclog_t *log = mash_esclog_open(f->log, err, sizeof err);
  if (!log)
    fail_msg("open: %s", err);
  for (int i = from; i < from + n; i++) {
    json_t *e = event(i);
    int rc = mash_esclog_append(log, e, err, sizeof err);
    if (rc != 0)
      fail_msg("append %d: %d %s", i, rc, err);
    json_decref(e);
  }
  mash_esclog_close(&log);
  assert_null(log);
}

/* Verify; return the line reported (0 = holds) and check both outputs agree. */
static int verify(const fixture_t *f, char *err, size_t errlen) {
  size_t bad = 12345;
  int rc = mash_esclog_verify(f->log, &bad, err, errlen);
  assert_true(rc >= 0);
  assert_int_equal(bad, (size_t)rc);
  return rc;
}

/* ---------------------------------------------------------------- tests */

static void test_append_five_verify(void **state) {
  fixture_t *f = *state;
  append_n(f, 1, 5);
  char err[256] = "";
  int rc = verify(f, err, sizeof err);
  if (rc != 0)
    fail_msg("verify: %s", err);

  /* The format, checked independently: canonical lines, prev = the hash of
   * the line before, 64 zeros first; the head file is HASH COUNT. */
  size_t len;
  char *s = slurp(f->log, &len);
  assert_int_equal(count_lines(s), 5);
  char expect[65] = ZEROS;
  for (int n = 1; n <= 5; n++) {
    size_t a = line_start(s, n), b = line_end(s, n) - 1;
    json_error_t jerr;
    json_t *o = json_loadb(s + a, b - a, 0, &jerr);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "prev")), expect);
    char *canon = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    assert_int_equal(strlen(canon), b - a);
    assert_memory_equal(canon, s + a, b - a);
    json_free(canon);
    json_decref(o);
    hex_sha256(s + a, b - a, expect);
  }
  assert_non_null(strstr(s, "\"agency\":\"police\""));
  free(s);
  char *head = slurp(f->head, NULL);
  char want[80];
  snprintf(want, sizeof want, "%s 5\n", expect);
  assert_string_equal(head, want);
  free(head);

  mash_esclog_t *log = mash_esclog_open(f->log, err, sizeof err);
  assert_non_null(log);
  assert_string_equal(mash_esclog_head(log), expect);
  assert_int_equal(mash_esclog_count(log), 5);
  mash_esclog_close(&log);
  mash_esclog_close(&log); /* NULL is fine */
  mash_esclog_close(NULL);
}

static void test_empty_log(void **state) {
  fixture_t *f = *state;
  char err[256] = "";
  mash_esclog_t *log = mash_esclog_open(f->log, err, sizeof err);
  assert_non_null(log);
  assert_string_equal(mash_esclog_head(log), ZEROS);
  assert_int_equal(mash_esclog_count(log), 0);
  mash_esclog_close(&log);
  assert_int_equal(verify(f, err, sizeof err), 0);
}

/* Change one byte of line 3's value (a digit of due_at_ms): the line still
 * parses, so the break shows at line 4, whose prev no longer matches. */
static void test_edit_line_3_value(void **state) {
  fixture_t *f = *state;
  append_n(f, 1, 5);
  size_t len;
  char *s = slurp(f->log, &len);
  char *p = strstr(s + line_start(s, 3), "\"due_at_ms\":17");
  assert_non_null(p);
  assert_true((size_t)(p - s) < line_end(s, 3));
  p[strlen("\"due_at_ms\":1")] = '8';
  spit(f->log, s, len);
  free(s);
  char err[256] = "";
  assert_int_equal(verify(f, err, sizeof err), 4);
  assert_non_null(strstr(err, "line 4: prev is not the hash of line 3"));
}

/* Break line 3's JSON: the break shows at line 3 itself. */
static void test_edit_line_3_syntax(void **state) {
  fixture_t *f = *state;
  append_n(f, 1, 5);
  size_t len;
  char *s = slurp(f->log, &len);
  s[line_start(s, 3)] = '[';
  spit(f->log, s, len);
  free(s);
  char err[256] = "";
  assert_int_equal(verify(f, err, sizeof err), 3);
  assert_non_null(strstr(err, "line 3: not a log line"));
}

/* Editing the last line is seen only through the head file. */
static void test_edit_last_line(void **state) {
  fixture_t *f = *state;
  append_n(f, 1, 5);
  size_t len;
  char *s = slurp(f->log, &len);
  char *p = strstr(s + line_start(s, 5), "\"rag\":\"red\"");
  assert_non_null(p);
  memcpy(p, "\"rag\":\"rex\"", 11);
  spit(f->log, s, len);
  free(s);
  char err[256] = "";
  assert_int_equal(verify(f, err, sizeof err), 5);
  assert_non_null(strstr(err, "last line was edited"));

  /* And open refuses to extend it. */
  mash_esclog_t *log = mash_esclog_open(f->log, err, sizeof err);
  assert_null(log);
  assert_non_null(strstr(err, "run verify"));
}

static void test_delete_line_2(void **state) {
  fixture_t *f = *state;
  append_n(f, 1, 5);
  size_t len;
  char *s = slurp(f->log, &len);
  size_t a = line_start(s, 2), b = line_end(s, 2);
  memmove(s + a, s + b, len - b);
  spit(f->log, s, len - (b - a));
  free(s);
  char err[256] = "";
  assert_int_equal(verify(f, err, sizeof err), 2);
  assert_non_null(strstr(err, "line 2: prev is not the hash of line 1"));
}

static void test_delete_first_line(void **state) {
  fixture_t *f = *state;
  append_n(f, 1, 5);
  size_t len;
  char *s = slurp(f->log, &len);
  size_t b = line_end(s, 1);
  spit(f->log, s + b, len - b);
  free(s);
  char err[256] = "";
  assert_int_equal(verify(f, err, sizeof err), 1);
  assert_non_null(strstr(err, "prev is not 64 zeros"));
}

/* Cutting the whole last line leaves a valid chain of 4; the head says 5. */
static void test_delete_last_line(void **state) {
  fixture_t *f = *state;
  append_n(f, 1, 5);
  size_t len;
  char *s = slurp(f->log, &len);
  spit(f->log, s, line_start(s, 5));
  free(s);
  char err[256] = "";
  assert_int_equal(verify(f, err, sizeof err), 5);
  assert_non_null(strstr(err, "ends after 4 lines but the head records 5"));
  assert_null(mash_esclog_open(f->log, err, sizeof err));
}

/* Cutting into the last line leaves it without a newline. */
static void test_truncated_last_line(void **state) {
  fixture_t *f = *state;
  append_n(f, 1, 5);
  size_t len;
  char *s = slurp(f->log, &len);
  spit(f->log, s, len - 10);
  free(s);
  char err[256] = "";
  assert_int_equal(verify(f, err, sizeof err), 5);
  assert_non_null(strstr(err, "line 5: no newline"));
  /* The head covers line 5, so this is not an unfinished append: refused. */
  assert_null(mash_esclog_open(f->log, err, sizeof err));
}

/* A copy of line 2 inserted after it: its prev points at line 1. */
static void test_insert_line(void **state) {
  fixture_t *f = *state;
  append_n(f, 1, 5);
  size_t len;
  char *s = slurp(f->log, &len);
  size_t a = line_start(s, 2), b = line_end(s, 2);
  char *t = malloc(len + (b - a));
  assert_non_null(t);
  memcpy(t, s, b);
  memcpy(t + b, s + a, b - a);
  memcpy(t + b + (b - a), s + b, len - b);
  spit(f->log, t, len + (b - a));
  free(t);
  free(s);
  char err[256] = "";
  assert_int_equal(verify(f, err, sizeof err), 3);
}

/* A well-chained line appended behind the head's back is not covered. */
static void test_appended_after_head(void **state) {
  fixture_t *f = *state;
  append_n(f, 1, 5);
  char *head5 = slurp(f->head, NULL);
  append_n(f, 6, 2);
  spit(f->head, head5, strlen(head5));
  free(head5);
  char err[256] = "";
  assert_int_equal(verify(f, err, sizeof err), 6);
  assert_non_null(strstr(err, "lines 6-7 are not covered (appended after the head)"));
  /* Two lines past the head are one unsynced group of deferred appends:
   * never acknowledged, so open cuts them and the chain goes on from 5. */
  mash_esclog_t *log = mash_esclog_open(f->log, err, sizeof err);
  assert_non_null(log);
  assert_int_equal(mash_esclog_count(log), 5);
  mash_esclog_close(&log);
  assert_int_equal(verify(f, err, sizeof err), 0);
}

/* More lines past the head than one group of deferred appends can leave is
 * not a crash: open refuses. */
static void test_too_many_after_head(void **state) {
  fixture_t *f = *state;
  append_n(f, 1, 2);
  char *head2 = slurp(f->head, NULL);
  append_n(f, 3, MASH_ESCLOG_MAX_PENDING + 1);
  spit(f->head, head2, strlen(head2));
  free(head2);
  char err[256] = "";
  assert_null(mash_esclog_open(f->log, err, sizeof err));
}

/* Deferred appends: durable and covered only after sync; a crash before the
 * sync leaves lines that open cuts; after it, they are kept. */
static void test_deferred_then_sync(void **state) {
  fixture_t *f = *state;
  append_n(f, 1, 2);
  char err[256] = "";
  mash_esclog_t *log = mash_esclog_open(f->log, err, sizeof err);
  assert_non_null(log);
  for (int i = 0; i < 3; i++) {
    json_t *e = json_pack("{s:s,s:i}", "escalation_id", "deferred", "level", i);
    assert_int_equal(mash_esclog_append_deferred(log, e, err, sizeof err), 0);
    json_decref(e);
  }
  assert_int_equal(mash_esclog_count(log), 5);
  /* Not synced: the head file still says 2, verify finds lines 3-5 uncovered. */
  assert_int_equal(verify(f, err, sizeof err), 3);
  assert_int_equal(mash_esclog_sync(log, err, sizeof err), 0);
  assert_int_equal(verify(f, err, sizeof err), 0);
  mash_esclog_close(&log);
  log = mash_esclog_open(f->log, err, sizeof err);
  assert_non_null(log);
  assert_int_equal(mash_esclog_count(log), 5);
  /* Deferred and never synced (a crash): the reopened log is back at 5. */
  json_t *e = json_pack("{s:s}", "escalation_id", "lost");
  assert_int_equal(mash_esclog_append_deferred(log, e, err, sizeof err), 0);
  json_decref(e);
  mash_esclog_close(&log);
  log = mash_esclog_open(f->log, err, sizeof err);
  assert_non_null(log);
  assert_int_equal(mash_esclog_count(log), 5);
  mash_esclog_close(&log);
  assert_int_equal(verify(f, err, sizeof err), 0);
}

static void test_missing_head(void **state) {
  fixture_t *f = *state;
  append_n(f, 1, 3);
  assert_int_equal(unlink(f->head), 0);
  char err[256] = "";
  assert_int_equal(verify(f, err, sizeof err), 1);
  assert_non_null(strstr(err, "missing"));
  assert_null(mash_esclog_open(f->log, err, sizeof err));

  spit(f->head, "nonsense\n", 9);
  assert_int_equal(verify(f, err, sizeof err), 4);
  assert_non_null(strstr(err, "malformed"));
  assert_null(mash_esclog_open(f->log, err, sizeof err));
}

static void test_verify_missing_log(void **state) {
  fixture_t *f = *state;
  char err[256] = "";
  size_t bad = 7;
  assert_int_equal(mash_esclog_verify(f->log, &bad, err, sizeof err), MASH_ESCLOG_EIO);
  assert_int_equal(bad, 0);
  assert_non_null(strstr(err, "open"));
  assert_int_equal(mash_esclog_verify(f->log, NULL, NULL, 0), MASH_ESCLOG_EIO);
}

static void test_reopen_continues_chain(void **state) {
  fixture_t *f = *state;
  append_n(f, 1, 5);
  char err[256] = "";
  mash_esclog_t *log = mash_esclog_open(f->log, err, sizeof err);
  assert_non_null(log);
  char head5[65];
  memcpy(head5, mash_esclog_head(log), sizeof head5);
  json_t *e = event(6);
  assert_int_equal(mash_esclog_append(log, e, err, sizeof err), 0);
  json_decref(e);
  assert_int_equal(mash_esclog_count(log), 6);
  mash_esclog_close(&log);
  append_n(f, 7, 2);
  assert_int_equal(verify(f, err, sizeof err), 0);

  size_t len;
  char *s = slurp(f->log, &len);
  assert_int_equal(count_lines(s), 8);
  char want[80];
  snprintf(want, sizeof want, "\"prev\":\"%s\"", head5);
  char *six = strstr(s, want);
  assert_non_null(six);
  assert_int_equal((size_t)(six - s) < line_end(s, 6) && (size_t)(six - s) > line_start(s, 6), 1);
  free(s);
}

/* An append that crashed with a torn line (no newline) before its head was
 * written: open cuts the torn bytes and the chain goes on. */
static void test_open_cuts_torn_append(void **state) {
  fixture_t *f = *state;
  append_n(f, 1, 3);
  size_t len;
  char *s = slurp(f->log, &len);
  FILE *fp = fopen(f->log, "ab");
  assert_non_null(fp);
  fputs("{\"agency\":\"pol", fp);
  fclose(fp);
  char err[256] = "";
  assert_int_equal(verify(f, err, sizeof err), 4);
  mash_esclog_t *log = mash_esclog_open(f->log, err, sizeof err);
  if (!log)
    fail_msg("open: %s", err);
  assert_int_equal(mash_esclog_count(log), 3);
  mash_esclog_close(&log);
  size_t len2;
  char *t = slurp(f->log, &len2);
  assert_int_equal(len2, len);
  assert_memory_equal(s, t, len);
  free(s);
  free(t);
  append_n(f, 4, 1);
  assert_int_equal(verify(f, err, sizeof err), 0);
}

/* The head cannot be replaced (PATH.head.tmp is a directory): append
 * reports EIO after the line is durable, the handle then refuses appends,
 * and reopening cuts the unacknowledged line. */
static void test_failed_head_then_reopen(void **state) {
  fixture_t *f = *state;
  append_n(f, 1, 2);
  size_t len;
  char *s = slurp(f->log, &len);
  assert_int_equal(mkdir(f->tmp, 0700), 0);
  char err[256] = "";
  mash_esclog_t *log = mash_esclog_open(f->log, err, sizeof err);
  assert_non_null(log);
  json_t *e = event(3);
  assert_int_equal(mash_esclog_append(log, e, err, sizeof err), MASH_ESCLOG_EIO);
  assert_non_null(strstr(err, "head"));
  assert_int_equal(mash_esclog_append(log, e, err, sizeof err), MASH_ESCLOG_EFAILED);
  assert_int_equal(mash_esclog_count(log), 2);
  mash_esclog_close(&log);
  assert_int_equal(rmdir(f->tmp), 0);

  assert_int_equal(verify(f, err, sizeof err), 3); /* line 3 is not covered */
  log = mash_esclog_open(f->log, err, sizeof err);
  if (!log)
    fail_msg("open: %s", err);
  assert_int_equal(mash_esclog_count(log), 2);
  size_t len2;
  char *t = slurp(f->log, &len2);
  assert_int_equal(len2, len);
  free(t);
  free(s);
  assert_int_equal(mash_esclog_append(log, e, err, sizeof err), 0);
  json_decref(e);
  mash_esclog_close(&log);
  assert_int_equal(verify(f, err, sizeof err), 0);
}

/* The same, for the very first append (no head file yet). */
static void test_first_append_unfinished(void **state) {
  fixture_t *f = *state;
  spit(f->log, "{\"a\":1,\"prev\":\"" ZEROS "\"}\n", strlen("{\"a\":1,\"prev\":\"\"}\n") + 64);
  char err[256] = "";
  assert_int_equal(verify(f, err, sizeof err), 1);
  mash_esclog_t *log = mash_esclog_open(f->log, err, sizeof err);
  assert_non_null(log);
  assert_int_equal(mash_esclog_count(log), 0);
  mash_esclog_close(&log);
  size_t len;
  free(slurp(f->log, &len));
  assert_int_equal(len, 0);
}

static void test_append_refuses_bad_events(void **state) {
  fixture_t *f = *state;
  char err[256] = "";
  mash_esclog_t *log = mash_esclog_open(f->log, err, sizeof err);
  assert_non_null(log);

  json_t *arr = json_array();
  assert_int_equal(mash_esclog_append(log, arr, err, sizeof err), MASH_ESCLOG_EINVAL);
  json_decref(arr);

  json_t *prev = json_pack("{s:s}", "prev", ZEROS);
  assert_int_equal(mash_esclog_append(log, prev, err, sizeof err), MASH_ESCLOG_EINVAL);
  assert_non_null(strstr(err, "prev"));
  json_decref(prev);

  static const char *const names[] = {"given_name", "family_name", "name", "date_of_birth",
                                      "address"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    json_t *e = json_pack("{s:s, s:{s:[{s:s}]}}", "escalation_id", "e1", "extra", "people",
                          names[i], "Alice");
    assert_non_null(e);
    assert_int_equal(mash_esclog_append(log, e, err, sizeof err), MASH_ESCLOG_EINVAL);
    assert_non_null(strstr(err, names[i]));
    assert_non_null(strstr(err, "ids only"));
    json_decref(e);
  }
  /* Nothing written; the handle still works, and the event is untouched. */
  assert_int_equal(mash_esclog_count(log), 0);
  json_t *ok = event(1);
  assert_int_equal(mash_esclog_append(log, ok, err, sizeof err), 0);
  assert_null(json_object_get(ok, "prev"));
  assert_int_equal(ok->refcount, 1);
  json_decref(ok);
  mash_esclog_close(&log);
  assert_int_equal(verify(f, err, sizeof err), 0);
  size_t len;
  char *s = slurp(f->log, &len);
  assert_int_equal(count_lines(s), 1);
  assert_null(strstr(s, "Alice"));
  free(s);
  assert_string_equal(mash_esclog_strerror(MASH_ESCLOG_EINVAL), "invalid event");
  assert_string_equal(mash_esclog_strerror(MASH_ESCLOG_ECORRUPT), "log and head file disagree");
}

static void test_event_from_pb(void **state) {
  fixture_t *f = *state;
  char *parties[] = {"agency_duty_lead", "hub_team_manager"};
  Mash__V1__EscalationEvent ev = MASH__V1__ESCALATION_EVENT__INIT;
  ev.escalation_id = "esc-9";
  ev.enquiry_id = "enq-9";
  ev.request_id = "req-9";
  ev.contact_id = "con-9";
  ev.agency = "health";
  ev.level = 2;
  ev.step = "overdue";
  ev.n_parties = 2;
  ev.parties = parties;
  ev.due_at_ms = 1700000000000;
  ev.at_ms = 1700000000123;
  ev.rag = MASH__V1__RAG__RAG_AMBER;
  json_t *j = mash_esclog_event_json(&ev);
  assert_non_null(j);
  char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
  assert_string_equal(s, "{\"agency\":\"health\",\"at_ms\":1700000000123,\"contact_id\":\"con-9\","
                         "\"due_at_ms\":1700000000000,\"enquiry_id\":\"enq-9\","
                         "\"escalation_id\":\"esc-9\",\"level\":2,\"parties\":[\"agency_duty_"
                         "lead\",\"hub_team_manager\"],\"rag\":\"amber\",\"request_id\":\"req-"
                         "9\",\"step\":\"overdue\"}");
  json_free(s);
  char err[256] = "";
  mash_esclog_t *log = mash_esclog_open(f->log, err, sizeof err);
  assert_non_null(log);
  assert_int_equal(mash_esclog_append(log, j, err, sizeof err), 0);
  json_decref(j);
  mash_esclog_close(&log);
  assert_int_equal(verify(f, err, sizeof err), 0);
}

/* A line carries its step's sequence number: a step already in the log
 * (seq not above the last line's) is not written again, also after a
 * reopen; a seq that is not a whole number is refused. */
static void test_seq_appends_once(void **state) {
  fixture_t *f = *state;
  char err[256] = "";
  mash_esclog_t *log = mash_esclog_open(f->log, err, sizeof err);
  assert_non_null(log);
  assert_int_equal(mash_esclog_last_seq(log), 0);
  for (int i = 1; i <= 3; i++) {
    json_t *e = event(i);
    json_object_set_new(e, "seq", json_integer(i));
    assert_int_equal(mash_esclog_append(log, e, err, sizeof err), 0);
    json_decref(e);
  }
  assert_int_equal(mash_esclog_last_seq(log), 3);
  json_t *again = event(2);
  json_object_set_new(again, "seq", json_integer(2));
  assert_int_equal(mash_esclog_append(log, again, err, sizeof err), 0);
  assert_int_equal(mash_esclog_count(log), 3);
  json_t *bad = event(4);
  json_object_set_new(bad, "seq", json_string("4"));
  assert_int_equal(mash_esclog_append(log, bad, err, sizeof err), MASH_ESCLOG_EINVAL);
  json_decref(bad);
  mash_esclog_close(&log);
  log = mash_esclog_open(f->log, err, sizeof err);
  assert_non_null(log);
  assert_int_equal(mash_esclog_last_seq(log), 3);
  assert_int_equal(mash_esclog_append_deferred(log, again, err, sizeof err), 0);
  assert_int_equal(mash_esclog_count(log), 3);
  json_decref(again);
  json_t *next = event(4);
  json_object_set_new(next, "seq", json_integer(7));
  assert_int_equal(mash_esclog_append(log, next, err, sizeof err), 0);
  json_decref(next);
  assert_int_equal(mash_esclog_last_seq(log), 7);
  assert_int_equal(mash_esclog_count(log), 4);
  mash_esclog_close(&log);
  size_t bad_line = 0;
  assert_int_equal(mash_esclog_verify(f->log, &bad_line, err, sizeof err), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_append_five_verify, setup, teardown),
      cmocka_unit_test_setup_teardown(test_empty_log, setup, teardown),
      cmocka_unit_test_setup_teardown(test_edit_line_3_value, setup, teardown),
      cmocka_unit_test_setup_teardown(test_edit_line_3_syntax, setup, teardown),
      cmocka_unit_test_setup_teardown(test_edit_last_line, setup, teardown),
      cmocka_unit_test_setup_teardown(test_delete_line_2, setup, teardown),
      cmocka_unit_test_setup_teardown(test_delete_first_line, setup, teardown),
      cmocka_unit_test_setup_teardown(test_delete_last_line, setup, teardown),
      cmocka_unit_test_setup_teardown(test_truncated_last_line, setup, teardown),
      cmocka_unit_test_setup_teardown(test_insert_line, setup, teardown),
      cmocka_unit_test_setup_teardown(test_appended_after_head, setup, teardown),
      cmocka_unit_test_setup_teardown(test_too_many_after_head, setup, teardown),
      cmocka_unit_test_setup_teardown(test_deferred_then_sync, setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_head, setup, teardown),
      cmocka_unit_test_setup_teardown(test_verify_missing_log, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reopen_continues_chain, setup, teardown),
      cmocka_unit_test_setup_teardown(test_open_cuts_torn_append, setup, teardown),
      cmocka_unit_test_setup_teardown(test_failed_head_then_reopen, setup, teardown),
      cmocka_unit_test_setup_teardown(test_first_append_unfinished, setup, teardown),
      cmocka_unit_test_setup_teardown(test_append_refuses_bad_events, setup, teardown),
      cmocka_unit_test_setup_teardown(test_event_from_pb, setup, teardown),
      cmocka_unit_test_setup_teardown(test_seq_appends_once, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
