/* log: the process-wide logger. Responsible for formatting and writing log
 * lines to stderr. Must not: be handed child data (callers log ids only). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "civil.h"
#include "clock.h"

static char s_program[32] = "mash";
static int s_level = MASH_LOG_INFO;

void mash_log_init(const char *program, int level) {
  snprintf(s_program, sizeof s_program, "%s", program ? program : "mash");
  s_level = level;
}

int mash_log_level_parse(const char *s) {
  static const char *const names[] = {"debug", "info", "warn", "error"};
  for (int i = 0; i < 4; i++) {
    if (s && strcmp(s, names[i]) == 0) {
      return i;
    }
  }
  return -1;
}

void mash_log(int level, const char *fmt, ...) {
  static const char *const tags[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  if (level < s_level || level < 0 || level > MASH_LOG_ERROR) {
    return;
  }
  char ts[32];
  mash_civil_format_ms(mash_clock_now_ms(), ts, sizeof ts);
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  fprintf(stderr, "%s %s %s %s\n", ts, s_program, tags[level], line);
}
