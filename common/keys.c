/* keys: reading and writing CURVE key files and loading the trust list.
 * Responsible for: file formats, permissions of key files and of the trust
 * folder (whoever can write them can add a key, or a role, to the trust
 * list), uniqueness of keys and principals in the trust list. Must not: print
 * secret keys. */
#include "keys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

struct mash_trust {
  mash_key_t *keys;
  size_t count;
  mash_revoked_t *revoked; /* the revocation list, whether or not its .pub is here */
  size_t n_revoked;
};

int mash_role_valid(const char *role) {
  static const char *const roles[] = {"agency", "hub", "ops", "broker"};
  for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
    if (role && strcmp(role, roles[i]) == 0) {
      return 1;
    }
  }
  return 0;
}

int mash_principal_valid(const char *name) {
  size_t n = name ? strlen(name) : 0;
  if (n == 0 || n > 63 || name[0] < 'a' || name[0] > 'z') {
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return 0;
    }
  }
  return 1;
}

static int s_copy(char *dst, size_t cap, const char *src) {
  size_t n = strlen(src);
  if (n >= cap) {
    return -1;
  }
  memcpy(dst, src, n + 1);
  return 0;
}

typedef struct {
  mash_key_t *key;
  int bad;
} s_parse_t;

static int s_ini_cb(void *user, const char *section, const char *name, const char *value) {
  s_parse_t *p = user;
  (void)section;
  int rc = 0;
  if (strcmp(name, "principal") == 0) {
    rc = s_copy(p->key->principal, sizeof p->key->principal, value);
  } else if (strcmp(name, "role") == 0) {
    rc = s_copy(p->key->role, sizeof p->key->role, value);
  } else if (strcmp(name, "agency") == 0) {
    rc = s_copy(p->key->agency, sizeof p->key->agency, value);
  } else if (strcmp(name, "public-key") == 0) {
    rc = strlen(value) == MASH_Z85_KEY_LEN
             ? s_copy(p->key->public_key, sizeof p->key->public_key, value)
             : -1;
  } else if (strcmp(name, "secret-key") == 0) {
    rc = strlen(value) == MASH_Z85_KEY_LEN
             ? s_copy(p->key->secret_key, sizeof p->key->secret_key, value)
             : -1;
  }
  if (rc != 0) {
    p->bad = 1;
    return 0;
  }
  return 1;
}

static int s_z85_ok(const char *z85) {
  uint8_t bin[32];
  return strlen(z85) == MASH_Z85_KEY_LEN && zmq_z85_decode(bin, z85) != NULL;
}

int mash_key_load(const char *path, mash_key_t *out, char *err, size_t errlen) {
  memset(out, 0, sizeof *out);
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return -1;
  }
  struct stat st;
  if (fstat(fileno(f), &st) != 0) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    fclose(f);
    return -1;
  }
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    /* Whoever can rewrite a key file can swap in a key of their own: the
     * broker would trust it, or an agent would talk to an impostor. */
    snprintf(err, errlen, "%s: key file is writable by group or others (mode %04o; chmod go-w)",
             path, (unsigned)(st.st_mode & 07777));
    fclose(f);
    return -1;
  }
  s_parse_t p = {out, 0};
  int line = ini_parse_file(f, s_ini_cb, &p);
  fclose(f);
  if (line != 0 || p.bad) {
    snprintf(err, errlen, "%s: malformed key file (line %d): a value is missing or too long", path,
             line);
    return -1;
  }
  if (!mash_principal_valid(out->principal)) {
    snprintf(err, errlen, "%s: missing or invalid principal", path);
    return -1;
  }
  if (!mash_role_valid(out->role)) {
    snprintf(err, errlen, "%s: role must be agency, hub, ops or broker", path);
    return -1;
  }
  if (!s_z85_ok(out->public_key)) {
    snprintf(err, errlen, "%s: missing or invalid public-key", path);
    return -1;
  }
  if (out->secret_key[0] != '\0') {
    if (!s_z85_ok(out->secret_key)) {
      snprintf(err, errlen, "%s: invalid secret-key", path);
      return -1;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
      snprintf(err, errlen, "%s: secret key file is accessible by group or others (chmod 600)",
               path);
      memset(out, 0, sizeof *out);
      return -1;
    }
  }
  if (out->agency[0] == '\0') {
    memcpy(out->agency, out->principal, sizeof out->agency - 1);
  }
  return 0;
}

static int s_write_file(const char *path, int mode, int force, const char *text, char *err,
                        size_t errlen) {
  int flags = O_WRONLY | O_CREAT | (force ? O_TRUNC : O_EXCL);
  int fd = open(path, flags, mode);
  if (fd < 0) {
    snprintf(err, errlen, "%s: %s%s", path, strerror(errno),
             errno == EEXIST ? " (use --force to replace it)" : "");
    return -1;
  }
  if (fchmod(fd, (mode_t)mode) != 0) {
    snprintf(err, errlen, "%s: chmod: %s", path, strerror(errno));
    close(fd);
    return -1;
  }
  size_t len = strlen(text);
  ssize_t w = write(fd, text, len);
  int rc = (w == (ssize_t)len && fsync(fd) == 0) ? 0 : -1;
  if (rc != 0) {
    snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno));
  }
  close(fd);
  return rc;
}

int mash_key_generate(const char *dir, const char *principal, const char *role, int force,
                      mash_key_t *out, char *err, size_t errlen) {
  if (!mash_principal_valid(principal)) {
    snprintf(err, errlen,
             "invalid name '%s': use 1-63 lower-case letters, digits, '-' or '_', "
             "starting with a letter",
             principal);
    return -1;
  }
  if (!mash_role_valid(role)) {
    snprintf(err, errlen, "invalid role '%s': use agency, hub, ops or broker", role);
    return -1;
  }
  mash_key_t k;
  memset(&k, 0, sizeof k);
  snprintf(k.principal, sizeof k.principal, "%s", principal);
  snprintf(k.role, sizeof k.role, "%s", role);
  snprintf(k.agency, sizeof k.agency, "%s", principal);
  if (zmq_curve_keypair(k.public_key, k.secret_key) != 0) {
    snprintf(err, errlen, "cannot generate a CURVE key pair: %s", zmq_strerror(zmq_errno()));
    return -1;
  }
  char pub_path[4096], sec_path[4096], text[512];
  snprintf(pub_path, sizeof pub_path, "%s/%s.pub", dir, principal);
  snprintf(sec_path, sizeof sec_path, "%s/%s.secret", dir, principal);
  snprintf(text, sizeof text,
           "# mash CURVE public key: share it; the broker trusts the folder it is in.\n"
           "principal = %s\nrole = %s\npublic-key = %s\n",
           k.principal, k.role, k.public_key);
  int rc = s_write_file(pub_path, 0644, force, text, err, errlen);
  if (rc == 0) {
    snprintf(text, sizeof text,
             "# mash CURVE secret key: keep it private (mode 0600), never share it.\n"
             "principal = %s\nrole = %s\npublic-key = %s\nsecret-key = %s\n",
             k.principal, k.role, k.public_key, k.secret_key);
    rc = s_write_file(sec_path, 0600, force, text, err, errlen);
  }
  memset(text, 0, sizeof text);
  if (rc == 0 && out) {
    *out = k;
  }
  memset(&k, 0, sizeof k);
  return rc;
}

static int s_has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n > m && strcmp(s + n - m, suffix) == 0;
}

/* One line of the revocation list: "KEY PRINCIPAL AT". A Z85 key has no
 * space, so "# " starts a comment and never a key. Returns 1 for an entry,
 * 0 for a blank or comment line, -1 when malformed. */
static int s_revoked_parse(const char *line, mash_revoked_t *out) {
  char key[64], principal[64], at[32];
  if (line[0] == '\n' || line[0] == '\0' ||
      (line[0] == '#' && (line[1] == ' ' || line[1] == '\n'))) {
    return 0;
  }
  at[0] = '\0';
  if (sscanf(line, "%63s %63s %31s", key, principal, at) < 2 || !s_z85_ok(key) ||
      !mash_principal_valid(principal)) {
    return -1;
  }
  memset(out, 0, sizeof *out);
  memcpy(out->public_key, key, MASH_Z85_KEY_LEN);
  memcpy(out->principal, principal, sizeof out->principal);
  memcpy(out->at, at, sizeof out->at);
  return 1;
}

int mash_trust_revoked_read(const char *dir, mash_revoked_t **out, size_t *n, char *err,
                            size_t errlen) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, MASH_TRUST_REVOKED_FILE);
  *out = NULL;
  *n = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) {
      return 0; /* nothing revoked yet */
    }
    snprintf(err, errlen, "revocation list %s: %s", path, strerror(errno));
    return -1;
  }
  struct stat st;
  FILE *f = NULL;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    snprintf(err, errlen, "revocation list %s: not a regular file", path);
    close(fd);
    return -1;
  }
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    /* Whoever can edit it can take a key off it and let it back in. */
    snprintf(err, errlen,
             "revocation list %s: writable by group or others (mode %04o; chmod 600): anyone "
             "who can write it can restore a revoked key",
             path, (unsigned)(st.st_mode & 07777));
    close(fd);
    return -1;
  }
  f = fdopen(fd, "r");
  if (!f) {
    snprintf(err, errlen, "revocation list %s: %s", path, strerror(errno));
    close(fd);
    return -1;
  }
  char line[512];
  size_t cap = 0, lineno = 0;
  int rc = 0;
  while (rc == 0 && fgets(line, sizeof line, f)) {
    lineno++;
    mash_revoked_t e;
    int got = s_revoked_parse(line, &e);
    if (got < 0) {
      snprintf(err, errlen,
               "revocation list %s: line %zu is not 'PUBLIC-KEY PRINCIPAL [WHEN]'; refusing to "
               "guess which key it revokes",
               path, lineno);
      rc = -1;
    } else if (got > 0) {
      if (*n == cap) {
        cap = cap ? cap * 2 : 8;
        mash_revoked_t *nr = realloc(*out, cap * sizeof *nr);
        if (!nr) {
          snprintf(err, errlen, "out of memory");
          rc = -1;
          break;
        }
        *out = nr;
      }
      (*out)[(*n)++] = e;
    }
  }
  fclose(f);
  if (rc != 0) {
    free(*out);
    *out = NULL;
    *n = 0;
  }
  return rc;
}

static int s_is_revoked(const mash_trust_t *t, const char *z85) {
  for (size_t i = 0; i < t->n_revoked; i++) {
    if (strcmp(t->revoked[i].public_key, z85) == 0) {
      return 1;
    }
  }
  return 0;
}

mash_trust_t *mash_trust_load(const char *dir, char *err, size_t errlen) {
  DIR *d = opendir(dir);
  if (!d) {
    snprintf(err, errlen, "trust list %s: %s", dir, strerror(errno));
    return NULL;
  }
  /* Checked on the folder opened, not on its name, so that a rename between
   * the check and the read cannot slip another folder in. */
  struct stat st;
  if (fstat(dirfd(d), &st) != 0) {
    snprintf(err, errlen, "trust list %s: %s", dir, strerror(errno));
    closedir(d);
    return NULL;
  }
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    snprintf(err, errlen,
             "trust list %s: folder is writable by group or others (mode %04o; chmod go-w): "
             "anyone who can write it can add a key",
             dir, (unsigned)(st.st_mode & 07777));
    closedir(d);
    return NULL;
  }
  mash_trust_t *t = calloc(1, sizeof *t);
  size_t cap = 0;
  struct dirent *de;
  int ok = t != NULL;
  /* The revocation list first: a key on it is left out whatever the folder
   * holds, so a revoked key and the new key of its principal may sit side
   * by side until the old .pub is removed. */
  if (ok && mash_trust_revoked_read(dir, &t->revoked, &t->n_revoked, err, errlen) != 0) {
    ok = 0;
  }
  while (ok && (de = readdir(d)) != NULL) {
    if (!s_has_suffix(de->d_name, ".pub")) {
      continue;
    }
    if (t->count == cap) {
      cap = cap ? cap * 2 : 16;
      mash_key_t *nk = realloc(t->keys, cap * sizeof *nk);
      if (!nk) {
        snprintf(err, errlen, "out of memory");
        ok = 0;
        break;
      }
      t->keys = nk;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    mash_key_t *k = &t->keys[t->count];
    if (mash_key_load(path, k, err, errlen) != 0) {
      ok = 0;
      break;
    }
    k->secret_key[0] = '\0';
    if (s_is_revoked(t, k->public_key)) {
      continue;
    }
    for (size_t i = 0; i < t->count; i++) {
      if (strcmp(t->keys[i].public_key, k->public_key) == 0 ||
          strcmp(t->keys[i].principal, k->principal) == 0) {
        snprintf(err, errlen, "trust list %s: %s repeats the key or principal of %s", dir,
                 de->d_name, t->keys[i].principal);
        ok = 0;
        break;
      }
    }
    if (ok) {
      t->count++;
    }
  }
  closedir(d);
  if (!ok) {
    mash_trust_destroy(&t);
    return NULL;
  }
  return t;
}

void mash_trust_destroy(mash_trust_t **self_p) {
  if (!self_p || !*self_p) {
    return;
  }
  free((*self_p)->keys);
  free((*self_p)->revoked);
  free(*self_p);
  *self_p = NULL;
}

size_t mash_trust_count(const mash_trust_t *t) {
  return t->count;
}

const mash_key_t *mash_trust_at(const mash_trust_t *t, size_t i) {
  return i < t->count ? &t->keys[i] : NULL;
}

const mash_key_t *mash_trust_find_key(const mash_trust_t *t, const char *public_z85) {
  for (size_t i = 0; i < t->count; i++) {
    if (strcmp(t->keys[i].public_key, public_z85) == 0) {
      return &t->keys[i];
    }
  }
  return NULL;
}

const mash_key_t *mash_trust_find_principal(const mash_trust_t *t, const char *principal) {
  for (size_t i = 0; i < t->count; i++) {
    if (strcmp(t->keys[i].principal, principal) == 0) {
      return &t->keys[i];
    }
  }
  return NULL;
}

size_t mash_trust_revoked_count(const mash_trust_t *t) {
  return t->n_revoked;
}

const mash_revoked_t *mash_trust_revoked_at(const mash_trust_t *t, size_t i) {
  return i < t->n_revoked ? &t->revoked[i] : NULL;
}

int mash_trust_is_revoked(const mash_trust_t *t, const char *public_z85) {
  return s_is_revoked(t, public_z85);
}
