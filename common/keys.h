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

/* Load every *.pub file of dir. Returns NULL with err when the folder cannot
 * be read or is writable by group or others (anyone who could write it could
 * add a key), a file is malformed or writable by group or others, or a key or
 * principal appears twice. */
mash_trust_t *mash_trust_load(const char *dir, char *err, size_t errlen);
void mash_trust_destroy(mash_trust_t **self_p);
size_t mash_trust_count(const mash_trust_t *t);
const mash_key_t *mash_trust_at(const mash_trust_t *t, size_t i);
/* Look-ups; NULL when absent. public_z85 is 40 characters. */
const mash_key_t *mash_trust_find_key(const mash_trust_t *t, const char *public_z85);
const mash_key_t *mash_trust_find_principal(const mash_trust_t *t, const char *principal);

#endif
