/* settings: shared configuration plumbing. Must not: know any program's
 * keys or defaults. */
#include "settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mash_settings_load(const char *path, ini_handler handler, void *user, const char *detail,
                       char *err, size_t errlen) {
  int rc = ini_parse(path, handler, user);
  if (rc == -1) {
    snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  if (rc != 0) {
    snprintf(err, errlen, "%s:%d: %s", path, rc, detail && detail[0] ? detail : "syntax error");
    return -1;
  }
  return 0;
}

int mash_settings_text(char *dst, size_t cap, const char *value) {
  size_t n = strlen(value);
  if (n == 0 || n >= cap) {
    return -1;
  }
  memcpy(dst, value, n + 1);
  return 0;
}

int mash_settings_long(const char *value, long lo, long hi, long *out) {
  char *end;
  errno = 0;
  long x = strtol(value, &end, 10);
  if (errno || end == value || *end != '\0' || x < lo || x > hi) {
    return -1;
  }
  *out = x;
  return 0;
}

int mash_settings_ulong(const char *value, unsigned long lo, unsigned long hi, unsigned long *out) {
  char *end = NULL;
  errno = 0;
  unsigned long x = strtoul(value, &end, 10);
  if (errno || end == value || *end != '\0' || value[0] == '-' || value[0] == '+' ||
      value[0] == ' ' || x < lo || x > hi) {
    return -1;
  }
  *out = x;
  return 0;
}
