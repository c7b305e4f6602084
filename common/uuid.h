/* uuid: random (version 4) UUID strings from OpenSSL's RAND_bytes. */
#ifndef MASH_UUID_H
#define MASH_UUID_H

#define MASH_UUID_LEN 36

/* Writes 36 characters and a NUL into out. Returns 0 or -EIO when the random
 * generator fails. Thread-safe. */
int mash_uuid_new(char out[MASH_UUID_LEN + 1]);

#endif
