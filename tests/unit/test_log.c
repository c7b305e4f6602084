/* test_log: the process-wide logger: levels, JSON lines, and the rate limit
 * that keeps a flood of bad frames from flooding the log. stderr is sent to
 * a temporary file and read back. */
#include <setjmp.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "errbuf.h"
#include "log.h"

static long long s_now;
static long long s_fake_clock(void) {
  return s_now;
}

static char s_path[] = "/tmp/mash-test-log-XXXXXX";

static int setup(void **state) {
  (void)state;
  int fd = mkstemp(s_path);
  if (fd < 0 || dup2(fd, STDERR_FILENO) < 0) {
    return -1;
  }
  close(fd);
  mash_log_init("test", MASH_LOG_DEBUG);
  mash_log_set_format(MASH_LOG_TEXT);
  mash_log_set_clock(s_fake_clock);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  unlink(s_path);
  mash_log_set_clock(NULL);
  return 0;
}

/* Everything written to stderr so far; the file is emptied afterwards. */
static char *s_take(void) {
  fflush(stderr);
  FILE *f = fopen(s_path, "r");
  assert_non_null(f);
  static char buf[65536];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  assert_int_equal(ftruncate(STDERR_FILENO, 0), 0);
  assert_int_equal(lseek(STDERR_FILENO, 0, SEEK_SET), 0);
  return buf;
}

static int s_count(const char *text, const char *needle) {
  int n = 0;
  for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle)) {
    n++;
  }
  return n;
}

static void test_levels(void **state) {
  (void)state;
  mash_log_set_level(MASH_LOG_WARN);
  mash_info("hidden %d", 1);
  mash_warn("shown %d", 2);
  char *out = s_take();
  assert_null(strstr(out, "hidden"));
  assert_non_null(strstr(out, "test WARN shown 2"));
  mash_log_set_level(MASH_LOG_DEBUG);
  assert_string_equal(mash_log_level_name(MASH_LOG_ERROR), "error");
  assert_int_equal(mash_log_format_parse("json"), MASH_LOG_JSON);
  assert_int_equal(mash_log_format_parse("xml"), -1);
}

static void test_json_lines(void **state) {
  (void)state;
  mash_log_set_format(MASH_LOG_JSON);
  mash_warn("quote \" backslash \\ tab \t end");
  mash_log_set_format(MASH_LOG_TEXT);
  char *out = s_take();
  assert_non_null(strstr(out, "\"program\":\"test\",\"level\":\"warn\","));
  assert_non_null(strstr(out, "\"msg\":\"quote \\\" backslash \\\\ tab \\u0009 end\"}"));
}

static void s_flood_line(int i) {
  mash_warn_limited("bad frame %d from peer", i);
}

static void test_rate_limit(void **state) {
  (void)state;
  s_now = 1000000;
  for (int i = 0; i < 1000; i++) {
    s_flood_line(i);
  }
  /* Another call site is limited on its own. */
  mash_error_limited("disk write failed %d", 7);
  char *out = s_take();
  assert_int_equal(s_count(out, "bad frame"), MASH_LOG_BURST);
  assert_int_equal(s_count(out, "disk write failed 7"), 1);
  /* In the next window the first line says how many were held back. */
  s_now += MASH_LOG_WINDOW_MS;
  s_flood_line(1000);
  out = s_take();
  assert_non_null(strstr(out, "bad frame 1000 from peer (995 more like this were held back)"));
  /* Below the threshold level nothing is counted or written. */
  mash_log_set_level(MASH_LOG_ERROR);
  s_flood_line(1001);
  mash_log_set_level(MASH_LOG_DEBUG);
  assert_string_equal(s_take(), "");
}

/* Errors in words, whichever sign the code has (issue 10: no bare "-28"). */
static void test_strerror_words(void **state) {
  (void)state;
  assert_string_equal(mash_strerror(-ENOSPC), "No space left on device");
  assert_string_equal(mash_strerror(ENOSPC), "No space left on device");
  assert_string_equal(mash_strerror(-EBADMSG), "Bad message");
  assert_string_equal(mash_strerror(0), "no error");
  assert_string_equal(mash_strerror(-1000000), "unknown error");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_levels),
      cmocka_unit_test(test_json_lines),
      cmocka_unit_test(test_rate_limit),
      cmocka_unit_test(test_strerror_words),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
