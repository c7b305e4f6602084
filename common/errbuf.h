/* errbuf: a message written into the caller's error buffer, the way every
 * module that explains a failure in words does it ("char *err, size_t
 * errlen"). Pure apart from the buffer; any thread. */
#ifndef MASH_ERRBUF_H
#define MASH_ERRBUF_H

#include <stddef.h>

/* printf into err (at most errlen bytes, always NUL-terminated); nothing
 * when err is NULL or errlen is 0. */
void mash_errbuf_set(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The system's text for an error code, given either way round (-ENOSPC or
 * ENOSPC: "No space left on device"), for messages that would otherwise
 * show a bare number. Never NULL; any thread (glibc's descriptions). */
const char *mash_strerror(int rc);

#endif
