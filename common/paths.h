/* paths: creating the folders a program keeps its state in, writing a
 * buffer to a file whole, and replacing a file in one of them whole. */
#ifndef MASH_PATHS_H
#define MASH_PATHS_H

#include <stddef.h>

/* Create `dir` and its missing parents with mode 0700 (state folders hold
 * child data). An existing folder is fine. Returns 0, or -1 with a reason in
 * err. */
int mash_mkdir_p(const char *dir, char *err, size_t errlen);

/* Write all `len` bytes of buf to fd, through short writes and interrupted
 * ones. Returns 0, or -errno of the failed write (-EIO when a write wrote
 * nothing); errno is left as the failed write set it. */
int mash_write_all(int fd, const void *buf, size_t len);

/* Replace DIR/NAME with `text` (created with `mode`): written to the hidden
 * DIR/.NAME.tmp, fsynced, renamed over NAME, and the folder fsynced, so a
 * crash leaves the old file or the new one, whole. Returns 0, or -1 with the
 * path and the system's reason in err (the temporary file removed). */
int mash_file_replace(const char *dir, const char *name, const char *text, unsigned mode, char *err,
                      size_t errlen);

#endif
