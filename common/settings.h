/* settings: the pieces every program's configuration shares: reading an ini
 * file with errors that name the file and line, and checked setters for
 * text and numbers. Each program keeps its own keys and defaults. */
#ifndef MASH_SETTINGS_H
#define MASH_SETTINGS_H

#include <ini.h>
#include <stddef.h>

/* ini_parse(path, handler, user), with the outcome as a message in err:
 * "PATH: cannot open: ..." or "PATH:LINE: detail" (detail: what the handler
 * wrote into `detail`, else "syntax error"). Returns 0 or -1. */
int mash_settings_load(const char *path, ini_handler handler, void *user, const char *detail,
                       char *err, size_t errlen);

/* Copy a non-empty value that fits into dst (cap bytes). 0 or -1. */
int mash_settings_text(char *dst, size_t cap, const char *value);

/* A whole decimal number within [lo, hi]. 0 or -1. */
int mash_settings_long(const char *value, long lo, long hi, long *out);

/* A whole decimal number, unsigned (no sign), within [lo, hi]. 0 or -1. */
int mash_settings_ulong(const char *value, unsigned long lo, unsigned long hi, unsigned long *out);

#endif
