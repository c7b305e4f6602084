/* agent_seal: an agent's data key at work on its own state: SQL functions
 * that seal and open column values inside the agent's SQLite store, and
 * whole files sealed on disk (the spool's accepted/ folder, the desk's packs).
 *
 * Responsible for: the blob format (common/seal.c: AES-256-GCM, one version
 * byte, a random nonce, the tag; the caller's associated data binds a blob
 * to its row or file name, so a blob moved elsewhere does not open) and the
 * blind indexes of looked-up values (HMAC-SHA-256 under the key's index key).
 * Must not: log or print what it seals or opens, or keep plaintext after a
 * call returns. Loop thread of the agent (the seal itself is shareable; the
 * SQL functions run on the connection's thread).
 */
#ifndef MASH_AGENT_SEAL_H
#define MASH_AGENT_SEAL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "seal.h"

/* Register on db, with `seal` borrowed (it must outlive db):
 *   mash_seal(X, AAD)   X (text or blob) sealed, as a blob; NULL for NULL
 *   mash_open(X, AAD)   the blob opened, as a blob; NULL for NULL, and
 *                       NULL when it does not open (wrong key, damage,
 *                       another row's blob): callers treat it as unreadable
 *   mash_blind(X)       the 32-byte blind index of X (text), as a blob
 * AAD is text (an id) or NULL. Returns 0, or -1 (sqlite3_errmsg says why). */
int agent_seal_sql(sqlite3 *db, const mash_seal_t *seal);

/* For a key rotation (agent_rekey.c): register mash_open_old(X, AAD) on
 * db, opening with `old` (borrowed), where a value that does not open fails
 * the statement. 0 or -1. */
int agent_seal_sql_old(sqlite3 *db, const mash_seal_t *old);

/* Seal the file `from` into `to` (written to a hidden temporary name in to's
 * folder, mode 0600, renamed), then remove `from` (when it is not `to`).
 * `aad` binds the blob to its name. With `sync` the file and its folder are
 * fsynced before the rename's result counts (a pack acknowledged after it);
 * without, the loop is not held by two fsyncs per file (the spool's
 * accepted/ copies, which the outbox's receipt already records). 0, or a
 * negative errno with err set; on failure `from` is left as it was. */
int agent_seal_file(const mash_seal_t *seal, const char *from, const char *to, const char *aad,
                    int sync, char *err, size_t errlen);

/* Write `len` bytes sealed to a new file `to` as agent_seal_file does. */
int agent_seal_write(const mash_seal_t *seal, const uint8_t *in, size_t len, const char *to,
                     const char *aad, int sync, char *err, size_t errlen);

/* Read and open a sealed file: *out (malloc'd, *len bytes; the caller wipes
 * and frees it) or a negative errno with err set (-EBADMSG: it does not
 * open with this key or under this name). */
int agent_seal_read(const mash_seal_t *seal, const char *path, const char *aad, uint8_t **out,
                    size_t *len, char *err, size_t errlen);

/* The data key path an agent uses by default for its secret key file:
 * "certs/police.secret" gives "certs/police.data.key" (kept beside the
 * secret key, apart from the state database); any other name gains
 * ".data.key". 0, or -ENAMETOOLONG. */
int agent_seal_default_path(const char *secret_key, char *out, size_t cap);

#endif
