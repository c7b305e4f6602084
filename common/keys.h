/* keys: CURVE key files and the trust list (DESIGN.md §5).
 *
 * A key pair is two text files in one folder, written by mash-keygen:
 *   NAME.pub     principal, role, public-key (Z85)  -- share freely
 *   NAME.secret  the same plus secret-key; mode 0600, refused otherwise
 * The trust list is a folder of .pub files: the broker loads it to map a
 * client's public key to its principal and role. Not thread-safe; the trust
 * list is immutable after loading.
 */
#ifndef MASH_KEYS_H
#define MASH_KEYS_H

#include <stddef.h>

#define MASH_Z85_KEY_LEN 40

typedef struct mash_key {
  char principal[64];
  char role[16];   /* agency, hub, ops, broker */
  char agency[32]; /* for agencies: the kind of detail it may send; defaults to principal */
  char public_key[MASH_Z85_KEY_LEN + 1];
  char secret_key[MASH_Z85_KEY_LEN + 1]; /* empty for public files */
} mash_key_t;

/* 1 when role is one of agency, hub, ops, broker. */
int mash_role_valid(const char *role);

/* 1 when name is a valid principal: 1-63 of [a-z0-9_-], starting with a letter. */
int mash_principal_valid(const char *name);

/* Load a .pub or .secret file. No key file may be writable by group or
 * others (whoever can rewrite it can swap in a key of their own), and a
 * .secret file must not be readable by them either. Returns 0 or -1 with a
 * reason in err that names the path (and the mode, when it is the fault). */
int mash_key_load(const char *path, mash_key_t *out, char *err, size_t errlen);

/* Generate a key pair and write DIR/NAME.pub and DIR/NAME.secret (0600,
 * O_EXCL: never overwrites unless force). Returns 0 or -1 with err. */
int mash_key_generate(const char *dir, const char *principal, const char *role, int force,
                      mash_key_t *out, char *err, size_t errlen);

typedef struct mash_trust mash_trust_t;

/* The revocation list: DIR/revoked beside the .pub files, one line per key,
 * "PUBLIC-KEY PRINCIPAL WHEN" ("# " starts a comment). A key on it is
 * refused even when its .pub file is in the folder: the list wins. Written
 * with mode 0600 by mash_trust_revoke; refused when writable by group or
 * others (whoever could edit it could let a revoked key back in). */
#define MASH_TRUST_REVOKED_FILE "revoked"

typedef struct mash_revoked {
  char public_key[MASH_Z85_KEY_LEN + 1];
  char principal[64];
  char at[32]; /* when it was revoked, UTC, as written (may be empty) */
} mash_revoked_t;

/* Read DIR/revoked into a new array (*out, the caller frees; NULL and 0
 * when the file does not exist). Returns 0 or -1 with err naming the path
 * and, for a malformed line, its number. */
int mash_trust_revoked_read(const char *dir, mash_revoked_t **out, size_t *n, char *err,
                            size_t errlen);

/* Load every *.pub file of dir, leaving out every key on the revocation
 * list (DIR/revoked). Returns NULL with err when the folder cannot be read
 * or is writable by group or others (anyone who could write it could add a
 * key), a file is malformed or writable by group or others, the revocation
 * list is unreadable, malformed or writable by group or others, or a key or
 * principal not revoked appears twice. */
mash_trust_t *mash_trust_load(const char *dir, char *err, size_t errlen);
void mash_trust_destroy(mash_trust_t **self_p);
size_t mash_trust_count(const mash_trust_t *t);
const mash_key_t *mash_trust_at(const mash_trust_t *t, size_t i);
/* Look-ups; NULL when absent. public_z85 is 40 characters. */
const mash_key_t *mash_trust_find_key(const mash_trust_t *t, const char *public_z85);
const mash_key_t *mash_trust_find_principal(const mash_trust_t *t, const char *principal);
/* The revocation list as loaded with the trust list. */
size_t mash_trust_revoked_count(const mash_trust_t *t);
const mash_revoked_t *mash_trust_revoked_at(const mash_trust_t *t, size_t i);
/* 1 when public_z85 is on the revocation list. */
int mash_trust_is_revoked(const mash_trust_t *t, const char *public_z85);

/* Administration of a trust folder (trust_admin.c; mashctl keys). Both write
 * through a temporary file, fsync and rename, so a crash leaves the old or
 * the new file, never half of one; mashd reloads the folder when it changes.
 *
 * Revoke the trusted key of `principal`: append it to DIR/revoked (mode
 * 0600). Its .pub file may stay; the list wins. Errors (-1, err): no trusted
 * key of that name (or already revoked), the folder refused as by
 * mash_trust_load, a write failure. */
int mash_trust_revoke(const char *dir, const char *principal, char *err, size_t errlen);

/* Add the public key file `key_file` to the folder as DIR/PRINCIPAL.pub
 * (mode 0644). Refused (-1, err): a malformed key file, one writable by
 * group or others, a secret key file, a revoked key, a key already trusted,
 * a principal that already has a trusted key (revoke it first). On success
 * *added (may be NULL) holds the key. */
int mash_trust_add(const char *dir, const char *key_file, mash_key_t *added, char *err,
                   size_t errlen);

#endif
