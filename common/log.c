/* log: the process-wide logger. Responsible for formatting and writing log
 * lines to stderr. Must not: be handed child data (callers log ids only). */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static char s_program[32] = "mash";
static atomic_int s_level = MASH_LOG_INFO;
static atomic_int s_format = MASH_LOG_TEXT;
static const char *const s_names[] = {"debug", "info", "warn", "error"};

void mash_log_init(const char *program, int level) {
  snprintf(s_program, sizeof s_program, "%s", program ? program : "mash");
  atomic_store(&s_level, level);
}

void mash_log_set_level(int level) {
  atomic_store(&s_level, level);
}

void mash_log_set_format(int format) {
  atomic_store(&s_format, format == MASH_LOG_JSON ? MASH_LOG_JSON : MASH_LOG_TEXT);
}

int mash_log_format_parse(const char *s) {
  if (s && strcmp(s, "text") == 0) {
    return MASH_LOG_TEXT;
  }
  if (s && strcmp(s, "json") == 0) {
    return MASH_LOG_JSON;
  }
  return -1;
}

const char *mash_log_level_name(int level) {
  return level >= 0 && level <= MASH_LOG_ERROR ? s_names[level] : "unknown";
}

int mash_log_level_parse(const char *s) {
  for (int i = 0; i < 4; i++) {
    if (s && strcmp(s, s_names[i]) == 0) {
      return i;
    }
  }
  return -1;
}

/* Write TEXT as the body of a JSON string (quotes, backslashes and control
 * characters escaped) into OUT of CAP bytes, always terminated. */
static void s_json_escape(char *out, size_t cap, const char *text) {
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)text; *p && n + 7 < cap; p++) {
    if (*p == '"' || *p == '\\') {
      out[n++] = '\\';
      out[n++] = (char)*p;
    } else if (*p < 0x20) {
      n += (size_t)snprintf(out + n, cap - n, "\\u%04x", *p);
    } else {
      out[n++] = (char)*p;
    }
  }
  out[n] = '\0';
}

void mash_log(int level, const char *fmt, ...) {
  static const char *const tags[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  if (level < atomic_load(&s_level) || level < 0 || level > MASH_LOG_ERROR) {
    return;
  }
  char ts[32];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (atomic_load(&s_format) == MASH_LOG_JSON) {
    char esc[sizeof line * 6 + 1];
    s_json_escape(esc, sizeof esc, line);
    fprintf(stderr, "{\"ts\":\"%s\",\"program\":\"%s\",\"level\":\"%s\",\"msg\":\"%s\"}\n", ts,
            s_program, s_names[level], esc);
    return;
  }
  fprintf(stderr, "%s %s %s %s\n", ts, s_program, tags[level], line);
}
