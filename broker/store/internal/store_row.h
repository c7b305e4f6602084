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

#endif
