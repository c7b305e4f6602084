/* seal: encryption at rest with AES-256-GCM (OpenSSL EVP) and keyed blind
 * indexes (HMAC-SHA-256).
 *
 * Responsible for: the data key file (32 random bytes, created with mode
 * 0600, refused when readable by group or others; 64 from an older rotation), sealing and opening
 * blobs. Must not: log plaintext, keep keys anywhere but the mash_seal_t.
 * A mash_seal_t is immutable after creation and safe to share between threads.
 */
#ifndef MASH_SEAL_H
#define MASH_SEAL_H

#include <stddef.h>
#include <stdint.h>

typedef struct mash_seal mash_seal_t;

/* Sealed blob layout: 1 version byte, 12-byte nonce, ciphertext, 16-byte tag. */
#define MASH_SEAL_OVERHEAD (1u + 12u + 16u)

/* Load the key from `path`; when `create` is non-zero and the file does not
 * exist, create it (O_EXCL, 0600) with fresh random bytes. Returns NULL and
 * writes a reason into err (errlen bytes) on failure. */
mash_seal_t *mash_seal_new(const char *path, int create, char *err, size_t errlen);

/* 1 when neither the data key nor the blind-index key of `a` is that of
 * `b`: `b` may replace `a` in a rotation (mashctl rekey, an agent's rekey).
 * A rotation writes a fresh 32-byte key (mash_seal_new with create), whose
 * index key is derived from it, and re-derives every blind index under it.
 * (A 64-byte key file, the data key then a carried-over index key, was
 * written by rotations before the index key was rotated too; it is still
 * read.) */
int mash_seal_distinct(const mash_seal_t *a, const mash_seal_t *b);

/* Wipes the key. Accepts NULL; nulls *self_p. */
void mash_seal_destroy(mash_seal_t **self_p);

/* Encrypt `len` bytes with associated data `aad` (may be NULL/0) into a new
 * malloc'd buffer of len + MASH_SEAL_OVERHEAD bytes. Returns 0 or negative errno. */
int mash_seal_encrypt(const mash_seal_t *s, const uint8_t *in, size_t len, const uint8_t *aad,
                      size_t aad_len, uint8_t **out, size_t *out_len);

/* Decrypt and authenticate. Returns 0, -EBADMSG when the tag, version or
 * aad do not match, or another negative errno. */
int mash_seal_decrypt(const mash_seal_t *s, const uint8_t *in, size_t len, const uint8_t *aad,
                      size_t aad_len, uint8_t **out, size_t *out_len);

/* A context: one thread's cipher and HMAC contexts under one seal's keys,
 * made once and reused, so that opening many blobs (the candidates of a
 * person look-up) or making many blind indexes costs no algorithm fetch,
 * context allocation or key schedule each. Not shareable between threads;
 * the seal must outlive it. NULL on failure (out of memory, or no
 * AES-256-GCM or HMAC-SHA-256 in libcrypto). */
typedef struct mash_seal_ctx mash_seal_ctx_t;
mash_seal_ctx_t *mash_seal_ctx_new(const mash_seal_t *s);

/* Frees the contexts (OpenSSL wipes their keys). Accepts NULL; nulls *self_p. */
void mash_seal_ctx_destroy(mash_seal_ctx_t **self_p);

/* mash_seal_encrypt through the context: the same blob layout, opened by
 * mash_seal_decrypt. The nonce is the context's random 64-bit prefix and a
 * 32-bit counter (seal.c), not a draw from the system's random source per
 * blob: the prefix is drawn when the context seals its first blob, again
 * in a child after fork() and after 2^32 blobs, so a nonce does not repeat
 * under one key across contexts, threads, processes or restarts (short of
 * two random 64-bit prefixes being equal). Returns 0 or negative errno. */
int mash_seal_ctx_encrypt(mash_seal_ctx_t *c, const uint8_t *in, size_t len, const uint8_t *aad,
                          size_t aad_len, uint8_t **out, size_t *out_len);

/* For tests only: set the counter of a context that has sealed a blob, to
 * reach the counter's wrap without 2^32 blobs. */
void mash_seal_ctx_test_set_counter(mash_seal_ctx_t *c, uint32_t counter);

/* mash_seal_decrypt through the context: the same blobs, results and errors. */
int mash_seal_ctx_decrypt(mash_seal_ctx_t *c, const uint8_t *in, size_t len, const uint8_t *aad,
                          size_t aad_len, uint8_t **out, size_t *out_len);

/* mash_seal_blind_bytes through the context: the same 32 bytes. */
int mash_seal_ctx_blind(mash_seal_ctx_t *c, const char *in, uint8_t out[32]);

/* Blind index: hex HMAC-SHA-256 of `in` under a key derived from the data key;
 * `hex` must hold 65 bytes. */
void mash_seal_blind_index(const mash_seal_t *s, const char *in, char hex[65]);

/* The same, as the 32 bytes of the HMAC. Returns 0, or -EIO (out zeroed). */
int mash_seal_blind_bytes(const mash_seal_t *s, const char *in, uint8_t out[32]);

#endif
