/* errbuf: a message written into the caller's error buffer (errbuf.h).
 * Responsible for: that one formatting rule. Must not: log or allocate. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strerrordesc_np */
#endif
#include "errbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void mash_errbuf_set(char *err, size_t errlen, const char *fmt, ...) {
  if (err == NULL || errlen == 0) {
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

const char *mash_strerror(int rc) {
  int e = rc < 0 ? -rc : rc;
  if (e == 0) {
    return "no error";
  }
  /* strerrordesc_np is glibc's thread-safe table; NULL for an unknown
   * code, which only a bug can produce. */
  const char *t = strerrordesc_np(e);
  return t ? t : "unknown error";
}
