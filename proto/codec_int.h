/* codec_int: private helpers shared by codec.c and validate.c.
 *
 * PRIVATE: not installed and not part of the public interface (codec.h);
 * include it only from the .c files in proto/. It holds the error-list
 * helpers that both the decoder's mash_errors_add and the validator's field
 * reports build on.
 * Must not: declare anything a caller outside proto/ may use.
 */
#ifndef MASH_CODEC_INT_H
#define MASH_CODEC_INT_H

#include "codec.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ errors */

/* Cut a NUL-terminated buffer that snprintf truncated back to the last whole
 * UTF-8 sequence, so that an error message never becomes invalid UTF-8 (it
 * may travel back to the sender inside a Receipt, which is validated too). */
static inline void s_trim_partial_utf8(char *buf) {
  size_t len = strlen(buf);
  size_t start = len;
  while (start > 0 && ((unsigned char)buf[start - 1] & 0xC0u) == 0x80u) {
    start--;
  }
  if (start == 0) {
    return;
  }
  unsigned char lead = (unsigned char)buf[start - 1];
  size_t need = lead < 0x80u ? 1 : (lead & 0xE0u) == 0xC0u ? 2 : (lead & 0xF0u) == 0xE0u ? 3 : 4;
  if (len - (start - 1) < need) {
    buf[start - 1] = '\0';
  }
}

/* mash_errors_add for callers that already hold a va_list (s_fail). */
static inline void s_errors_vadd(mash_errors_t *errs, const char *field, const char *fmt,
                                 va_list ap) {
  if (errs == NULL) {
    return;
  }
  if (errs->count >= MASH_MAX_FIELD_ERRORS) {
    errs->dropped++;
    return;
  }
  mash_field_error_t *e = &errs->items[errs->count++];
  int n = snprintf(e->field, sizeof e->field, "%s", field ? field : "");
  if (n < 0 || (size_t)n >= sizeof e->field) {
    s_trim_partial_utf8(e->field);
  }
  if (fmt == NULL) {
    e->message[0] = '\0';
    return;
  }
  n = vsnprintf(e->message, sizeof e->message, fmt, ap);
  if (n < 0) {
    e->message[0] = '\0';
  } else if ((size_t)n >= sizeof e->message) {
    s_trim_partial_utf8(e->message);
  }
}

#endif
