/* uuid: random (version 4) UUID strings from OpenSSL's RAND_bytes. */
#ifndef MASH_UUID_H
#define MASH_UUID_H

#include <stddef.h>

#define MASH_UUID_LEN 36

/* Writes 36 characters and a NUL into out. Returns 0 or -EIO when the random
 * generator fails. Thread-safe. */
int mash_uuid_new(char out[MASH_UUID_LEN + 1]);

/* A name-based UUID (SHA-256 of `len` bytes, shaped as version 8): the same
 * content always gives the same id, so a record submitted twice (a re-run, a
 * crash between storing and moving a file) is de-duplicated by the broker. */
void mash_uuid_from_content(const void *data, size_t len, char out[MASH_UUID_LEN + 1]);

#endif
