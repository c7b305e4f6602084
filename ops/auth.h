/* auth: who may use the operations console.
 *
 * Responsible for: the users file (one `USER:pbkdf2-sha256:ITERATIONS:SALT:HASH`
 * line per user, salt and hash in hex; written by `mash-ops passwd`), checking
 * a password against it (PBKDF2-HMAC-SHA-256 from OpenSSL, compared in
 * constant time), and reading HTTP Basic credentials.
 * Must not: keep or log a password, or accept a users file that group or
 * others may write or read. The loaded table is immutable: any thread may
 * check against it.
 */
#ifndef MASH_OPS_AUTH_H
#define MASH_OPS_AUTH_H

#include <stddef.h>

#define OPS_USER_LEN 64
#define OPS_PASSWORD_MAX 256
#define OPS_PBKDF2_ITERATIONS 100000u

typedef struct ops_users ops_users_t;

/* Load the users file. Returns NULL with a reason in err when it cannot be
 * read, is writable or readable by group or others, or holds a malformed
 * line (named by number). An empty file loads (and lets nobody in). */
ops_users_t *ops_users_load(const char *path, char *err, size_t errlen);
void ops_users_destroy(ops_users_t **self_p);
size_t ops_users_count(const ops_users_t *u);

/* 1 when user exists and password is theirs, 0 otherwise. An unknown user
 * costs the same work as a known one. */
int ops_users_check(const ops_users_t *u, const char *user, const char *password);

/* 1 when name is a valid user name: 1-63 of [A-Za-z0-9._-]. */
int ops_user_valid(const char *name);

/* Set (add or replace) user's password in the file at path, creating it
 * mode 0600; other lines are kept. A fresh 16-byte salt each time.
 * `iterations` 0 means OPS_PBKDF2_ITERATIONS. Returns 0 or -1 with err. */
int ops_passwd_set(const char *path, const char *user, const char *password, unsigned iterations,
                   char *err, size_t errlen);

/* Parse an Authorization header value "Basic BASE64(user:password)".
 * Returns 0 with user and password filled, -1 when absent or malformed. */
int ops_basic_parse(const char *header, char *user, size_t ucap, char *password, size_t pcap);

#endif
