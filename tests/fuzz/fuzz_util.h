/* fuzz_util: what the libFuzzer targets of tests/fuzz/ share.
 *
 * Responsible for: a private scratch folder per fuzzing process (on tmpfs
 * when /dev/shm exists, so the targets that test file readers do not wear a
 * disk), writing an input to a file in it, and the check that stops a target
 * when a property fails. Must not: keep anything between inputs except the
 * folder's name. Single-threaded, like libFuzzer's loop.
 */
#ifndef MASH_FUZZ_UTIL_H
#define MASH_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* The scratch folder, made on first use (mode 0700) and removed with the
 * files named through fuzz_path at exit. Aborts when it cannot be made. */
const char *fuzz_dir(void);

/* Write "DIR/name" to out (cap bytes) and return out. Each target uses a
 * handful of fixed names (at most 8), removed at exit. */
const char *fuzz_path(const char *name, char *out, size_t cap);

/* Replace the file `path` with exactly `len` bytes of `data`. Aborts on a
 * write failure: that is the machine, not the code under test. */
void fuzz_write(const char *path, const uint8_t *data, size_t len);

/* Remove `path` if it exists. */
void fuzz_remove(const char *path);

/* A property of the code under test: when `ok` is false, print `what` and
 * abort, which libFuzzer reports as a crash with the input saved. */
void fuzz_check(int ok, const char *what);

#endif
