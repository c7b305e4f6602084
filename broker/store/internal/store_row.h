/* store_row: what every store implementation does the same way with a row:
 * sealing its content bound to the row's id, opening it again, and making
 * the ids that name rows (MASH-000042, ENQ-000007, REQ-000003).
 *
 * Responsible for: the one definition of how content is sealed before it
 * reaches any database (SQLite or PostgreSQL), so that neither can see
 * plaintext and a blob moved onto another row fails to open. Must not: talk
 * to a database, or be used outside the store implementations (store/) and
 * their tests. Any thread (pure functions of their arguments and the seal).
 */
#ifndef MASH_STORE_ROW_H
#define MASH_STORE_ROW_H

#include <stddef.h>
#include <stdint.h>

#include "seal.h"
#include "store.h"

/* Seal in[0..len) with the text `aad` (the row's id) as associated data into
 * a malloc'd *out. 0 or a negative error. */
int store_row_seal(const mash_seal_t *seal, const uint8_t *in, size_t len, const char *aad,
                   uint8_t **out, size_t *out_len);

/* Open a sealed column's bytes b[0..n), bound to aad, into a malloc'd *out.
 * A NULL column (is_null) gives *out NULL and 0; an empty or unauthentic one
 * -EBADMSG. */
int store_row_open(const mash_seal_t *seal, const uint8_t *b, size_t n, int is_null,
                   const char *aad, uint8_t **out, size_t *out_len);

/* The id of row number `id` of a table: prefix "MASH", "ENQ" or "REQ" and
 * six digits at least ("MASH-000042"). */
void store_row_id(const char *prefix, int64_t id, char *out, size_t cap);

/* The row number in an id such as "P-000042" with the given one-letter
 * prefix, or 0 when `s` is not such an id (NULL, another prefix, no digits,
 * a non-digit, or too large). */
int64_t store_row_parse_id(const char *s, char prefix);

/* A blind-indexed key's stored form: the first STORE_ROW_KEY_BYTES bytes of
 * its HMAC blind index under the context's key. */
#define STORE_ROW_KEY_BYTES 16
void store_row_blind(mash_seal_ctx_t *ctx, const char *key, uint8_t out[STORE_ROW_KEY_BYTES]);

/* Sorts v[0..n) in place and gives its nearest-rank 50th and 90th
 * percentiles (0 when n is 0): the distributions statistics and the
 * console report, computed the same way on every store. */
void store_row_percentiles(int64_t *v, size_t n, int64_t *p50, int64_t *p90);

/* Counts the names of comma-separated quality-flag lists ("a,b"), the
 * first seen first, up to 64 names of up to 63 bytes (longer ones cut). */
typedef struct store_row_flags store_row_flags_t;
store_row_flags_t *store_row_flags_new(void); /* NULL when out of memory */
void store_row_flags_add(store_row_flags_t *f, const char *list);
/* cb(name, count, arg) for each name until it returns non-zero. */
void store_row_flags_each(const store_row_flags_t *f, mash_store_count_cb cb, void *arg);
void store_row_flags_destroy(store_row_flags_t **f_p);

/* An opening function's error buffer: err and errlen as given, or the
 * caller's dummy[0..dummy_len) when the caller gave none; emptied. */
void store_row_err_init(char **err, size_t *errlen, char *dummy, size_t dummy_len);

#endif
