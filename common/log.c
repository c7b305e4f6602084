/* log: the process-wide logger. Responsible for formatting and writing log
 * lines to stderr. Must not: be handed child data (callers log ids only). */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "civil.h"
#include "clock.h"

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

int mash_log_open_file(const char *path, char *err, size_t errlen) {
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    int e = errno;
    snprintf(err, errlen, "cannot open the log file %s: %s", path, strerror(e));
    return -e;
  }
  fflush(stderr);
  int rc = dup2(fd, STDERR_FILENO) < 0 ? -errno : 0;
  close(fd);
  if (rc != 0) {
    snprintf(err, errlen, "cannot write the log to %s: %s", path, strerror(-rc));
  }
  return rc;
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

/* Format and write one line (level already checked). */
static void s_write(int level, const char *fmt, va_list ap, unsigned held_back) {
  static const char *const tags[] = {"DEBUG", "INFO", "WARN", "ERROR"};
  char ts[32];
  mash_civil_format_ms(mash_clock_now_ms(), ts, sizeof ts);
  char line[1024];
  int n = vsnprintf(line, sizeof line, fmt, ap);
  if (held_back > 0 && n >= 0 && (size_t)n < sizeof line) {
    snprintf(line + n, sizeof line - (size_t)n, " (%u more like this were held back)", held_back);
  }
  if (atomic_load(&s_format) == MASH_LOG_JSON) {
    char esc[sizeof line * 6 + 1];
    s_json_escape(esc, sizeof esc, line);
    fprintf(stderr, "{\"ts\":\"%s\",\"program\":\"%s\",\"level\":\"%s\",\"msg\":\"%s\"}\n", ts,
            s_program, s_names[level], esc);
    return;
  }
  fprintf(stderr, "%s %s %s %s\n", ts, s_program, tags[level], line);
}

void mash_log(int level, const char *fmt, ...) {
  if (level < atomic_load(&s_level) || level < 0 || level > MASH_LOG_ERROR) {
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  s_write(level, fmt, ap, 0);
  va_end(ap);
}

/* The call sites being limited: a small table keyed by the format string's
 * address (one per call site), guarded by one mutex. */
#define S_SITES 64
typedef struct s_site {
  const char *fmt;
  int64_t window_start_ms;
  unsigned lines;     /* let through in this window */
  unsigned held_back; /* since the last line let through */
} s_site_t;
static s_site_t s_sites[S_SITES];
static pthread_mutex_t s_sites_lock = PTHREAD_MUTEX_INITIALIZER;

static long long (*_Atomic s_clock)(void);

void mash_log_set_clock(long long (*now_ms)(void)) {
  atomic_store(&s_clock, now_ms);
}

static int64_t s_monotonic_ms(void) {
  long long (*fake)(void) = atomic_load(&s_clock);
  if (fake != NULL) {
    return fake();
  }
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void mash_log_limited(int level, const char *fmt, ...) {
  if (level < atomic_load(&s_level) || level < 0 || level > MASH_LOG_ERROR) {
    return;
  }
  int64_t now = s_monotonic_ms();
  unsigned held = 0;
  int pass = 1;
  pthread_mutex_lock(&s_sites_lock);
  size_t slot = ((uintptr_t)fmt >> 3) % S_SITES;
  s_site_t *site = NULL;
  for (size_t i = 0; i < S_SITES; i++) {
    s_site_t *c = &s_sites[(slot + i) % S_SITES];
    if (c->fmt == fmt || c->fmt == NULL) {
      site = c;
      break;
    }
  }
  if (site != NULL) {
    if (site->fmt == NULL || now - site->window_start_ms >= MASH_LOG_WINDOW_MS) {
      site->fmt = fmt;
      site->window_start_ms = now;
      site->lines = 0;
    }
    if (site->lines < MASH_LOG_BURST) {
      site->lines++;
      held = site->held_back;
      site->held_back = 0;
    } else {
      site->held_back++;
      pass = 0;
    }
  }
  pthread_mutex_unlock(&s_sites_lock);
  if (!pass) {
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  s_write(level, fmt, ap, held);
  va_end(ap);
}
