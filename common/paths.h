/* paths: creating the folders a program keeps its state in. */
#ifndef MASH_PATHS_H
#define MASH_PATHS_H

#include <stddef.h>

/* Create `dir` and its missing parents with mode 0700 (state folders hold
 * child data). An existing folder is fine. Returns 0, or -1 with a reason in
 * err. */
int mash_mkdir_p(const char *dir, char *err, size_t errlen);

#endif
