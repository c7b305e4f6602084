/* errbuf: a message written into the caller's error buffer (errbuf.h).
 * Responsible for: that one formatting rule. Must not: log or allocate. */
#include "errbuf.h"

#include <stdarg.h>
#include <stdio.h>

void mash_errbuf_set(char *err, size_t errlen, const char *fmt, ...) {
  if (err == NULL || errlen == 0) {
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}
