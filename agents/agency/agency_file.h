/* agency_file: reads a whole file of bounded size for the records and
 * manual modules.
 *
 * Responsible for: opening, checking (a regular file, not larger than the
 * caller's bound) and reading one file into memory. Must not: parse, log, or
 * keep state. Safe from any thread.
 */
#ifndef MASH_AGENCY_FILE_H
#define MASH_AGENCY_FILE_H

#include <stdbool.h>
#include <stddef.h>

/* Read all of `path` (at most `max` bytes) into a new malloc'd *out of
 * *out_len bytes, plus a terminating NUL not counted. With `no_follow` a
 * symbolic link is refused (-ELOOP). Returns 0 or a negative errno: -ENOENT
 * when absent, -EFBIG when larger than `max` (or growing while read),
 * -EINVAL when not a regular file. */
int agency_read_file(const char *path, size_t max, bool no_follow, char **out, size_t *out_len);

#endif
