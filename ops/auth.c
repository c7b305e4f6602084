/* auth: the console's users file, password checks and Basic credentials.
 * Must not: keep a password after the call, or log one. Any thread for the
 * checks (the table is read-only once loaded). */
#include "auth.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OPS_SALT_LEN 16
#define OPS_HASH_LEN 32
#define OPS_MAX_USERS 256

typedef struct s_user {
  char name[OPS_USER_LEN];
  unsigned iterations;
  unsigned char salt[OPS_SALT_LEN];
  unsigned char hash[OPS_HASH_LEN];
} s_user_t;

struct ops_users {
  s_user_t *users;
  size_t n;
};

int ops_user_valid(const char *name) {
  size_t n = name ? strlen(name) : 0;
  if (n == 0 || n >= OPS_USER_LEN) {
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)name[i];
    if (!isalnum(c) && c != '.' && c != '_' && c != '-') {
      return 0;
    }
  }
  return 1;
}

static int s_unhex(const char *hex, size_t hexlen, unsigned char *out, size_t n) {
  if (hexlen != 2 * n) {
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    unsigned v = 0;
    for (int k = 0; k < 2; k++) {
      char c = hex[2 * i + (size_t)k];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= (unsigned)(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= (unsigned)(c - 'a' + 10);
      } else {
        return -1;
      }
    }
    out[i] = (unsigned char)v;
  }
  return 0;
}

static void s_hex(const unsigned char *in, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[in[i] >> 4];
    out[2 * i + 1] = digits[in[i] & 15];
  }
  out[2 * n] = '\0';
}

/* USER:pbkdf2-sha256:ITERATIONS:SALT:HASH */
static int s_parse_line(char *line, s_user_t *u) {
  char *fields[5];
  char *p = line;
  for (int i = 0; i < 5; i++) {
    fields[i] = p;
    p = i < 4 ? strchr(p, ':') : NULL;
    if (i < 4) {
      if (!p) {
        return -1;
      }
      *p++ = '\0';
    }
  }
  if (!ops_user_valid(fields[0]) || strcmp(fields[1], "pbkdf2-sha256") != 0) {
    return -1;
  }
  char *end = NULL;
  unsigned long it = strtoul(fields[2], &end, 10);
  if (!end || *end || it < 1000 || it > 100000000ul) {
    return -1;
  }
  if (s_unhex(fields[3], strlen(fields[3]), u->salt, OPS_SALT_LEN) != 0 ||
      s_unhex(fields[4], strlen(fields[4]), u->hash, OPS_HASH_LEN) != 0) {
    return -1;
  }
  snprintf(u->name, sizeof u->name, "%s", fields[0]);
  u->iterations = (unsigned)it;
  return 0;
}

ops_users_t *ops_users_load(const char *path, char *err, size_t errlen) {
  struct stat st;
  if (stat(path, &st) != 0) {
    snprintf(err, errlen, "cannot read the users file %s: %s (create it with mash-ops passwd)",
             path, strerror(errno));
    return NULL;
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    snprintf(err, errlen,
             "the users file %s is mode %03o: group and others must have no access (chmod 600)",
             path, (unsigned)(st.st_mode & 0777));
    return NULL;
  }
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "cannot read the users file %s: %s", path, strerror(errno));
    return NULL;
  }
  ops_users_t *u = calloc(1, sizeof *u);
  if (u) {
    u->users = calloc(OPS_MAX_USERS, sizeof *u->users);
  }
  if (!u || !u->users) {
    snprintf(err, errlen, "out of memory");
    fclose(f);
    ops_users_destroy(&u);
    return NULL;
  }
  char line[512];
  int lineno = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '\0' || line[0] == '#') {
      continue;
    }
    if (u->n == OPS_MAX_USERS || s_parse_line(line, &u->users[u->n]) != 0) {
      snprintf(err, errlen, "%s:%d: %s", path, lineno,
               u->n == OPS_MAX_USERS ? "too many users"
                                     : "not USER:pbkdf2-sha256:ITERATIONS:SALT:HASH");
      fclose(f);
      ops_users_destroy(&u);
      return NULL;
    }
    u->n++;
  }
  fclose(f);
  return u;
}

void ops_users_destroy(ops_users_t **self_p) {
  if (!self_p || !*self_p) {
    return;
  }
  OPENSSL_cleanse((*self_p)->users, OPS_MAX_USERS * sizeof *(*self_p)->users);
  free((*self_p)->users);
  free(*self_p);
  *self_p = NULL;
}

size_t ops_users_count(const ops_users_t *u) {
  return u ? u->n : 0;
}

static int s_derive(const char *password, const unsigned char *salt, unsigned iterations,
                    unsigned char *out) {
  return PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, OPS_SALT_LEN, (int)iterations,
                           EVP_sha256(), OPS_HASH_LEN, out) == 1
             ? 0
             : -1;
}

int ops_users_check(const ops_users_t *u, const char *user, const char *password) {
  if (!u || !user || !password) {
    return 0;
  }
  const s_user_t *found = NULL;
  for (size_t i = 0; i < u->n; i++) {
    if (strcmp(u->users[i].name, user) == 0) {
      found = &u->users[i];
    }
  }
  /* An unknown user is checked against a fixed record, so the answer takes
   * as long as for a known one. */
  static const s_user_t nobody = {"", OPS_PBKDF2_ITERATIONS, {0}, {0}};
  const s_user_t *rec = found ? found : &nobody;
  unsigned char got[OPS_HASH_LEN];
  if (s_derive(password, rec->salt, rec->iterations, got) != 0) {
    return 0;
  }
  int same = CRYPTO_memcmp(got, rec->hash, OPS_HASH_LEN) == 0;
  OPENSSL_cleanse(got, sizeof got);
  return found && same;
}

int ops_passwd_set(const char *path, const char *user, const char *password, unsigned iterations,
                   char *err, size_t errlen) {
  if (!ops_user_valid(user)) {
    snprintf(err, errlen, "'%s' is not a user name (1-63 of A-Z a-z 0-9 . _ -)", user);
    return -1;
  }
  if (strlen(password) < 8 || strlen(password) >= OPS_PASSWORD_MAX) {
    snprintf(err, errlen, "a password has 8 to %d characters", OPS_PASSWORD_MAX - 1);
    return -1;
  }
  if (iterations == 0) {
    iterations = OPS_PBKDF2_ITERATIONS;
  }
  unsigned char salt[OPS_SALT_LEN], hash[OPS_HASH_LEN];
  if (RAND_bytes(salt, sizeof salt) != 1 || s_derive(password, salt, iterations, hash) != 0) {
    snprintf(err, errlen, "cannot derive the password hash");
    return -1;
  }
  char salt_hex[2 * OPS_SALT_LEN + 1], hash_hex[2 * OPS_HASH_LEN + 1];
  s_hex(salt, sizeof salt, salt_hex);
  s_hex(hash, sizeof hash, hash_hex);
  OPENSSL_cleanse(hash, sizeof hash);

  /* Write the whole file anew beside the old one, then rename over it. */
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (!out) {
    snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
    if (fd >= 0) {
      close(fd);
    }
    return -1;
  }
  FILE *in = fopen(path, "r");
  char line[512];
  size_t ulen = strlen(user);
  while (in && fgets(line, sizeof line, in)) {
    if (strncmp(line, user, ulen) == 0 && line[ulen] == ':') {
      continue; /* the user's old line */
    }
    fputs(line, out);
  }
  if (in) {
    fclose(in);
  }
  fprintf(out, "%s:pbkdf2-sha256:%u:%s:%s\n", user, iterations, salt_hex, hash_hex);
  int bad = fflush(out) != 0 || fsync(fileno(out)) != 0;
  bad |= fclose(out) != 0;
  if (bad || rename(tmp, path) != 0) {
    snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    unlink(tmp);
    return -1;
  }
  return 0;
}

int ops_basic_parse(const char *header, char *user, size_t ucap, char *password, size_t pcap) {
  if (!header || strncasecmp(header, "Basic ", 6) != 0) {
    return -1;
  }
  const char *b64 = header + 6;
  while (*b64 == ' ') {
    b64++;
  }
  size_t n = strlen(b64);
  if (n == 0 || n % 4 != 0 || n > 4 * ((OPS_USER_LEN + OPS_PASSWORD_MAX + 2) / 3 + 1)) {
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    char c = b64[i];
    if (!isalnum((unsigned char)c) && c != '+' && c != '/' && c != '=') {
      return -1;
    }
  }
  unsigned char raw[OPS_USER_LEN + OPS_PASSWORD_MAX + 8];
  int len = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n);
  if (len < 0) {
    return -1;
  }
  /* EVP_DecodeBlock counts the padding as zero bytes: take them off. */
  len -= (n >= 1 && b64[n - 1] == '=') + (n >= 2 && b64[n - 2] == '=');
  raw[len] = '\0';
  if (memchr(raw, '\0', (size_t)len)) {
    OPENSSL_cleanse(raw, sizeof raw);
    return -1;
  }
  char *colon = strchr((char *)raw, ':');
  int rc = -1;
  if (colon) {
    *colon = '\0';
    size_t ul = strlen((char *)raw), pl = strlen(colon + 1);
    if (ul > 0 && ul < ucap && pl < pcap) {
      memcpy(user, raw, ul + 1);
      memcpy(password, colon + 1, pl + 1);
      rc = 0;
    }
  }
  OPENSSL_cleanse(raw, sizeof raw);
  return rc;
}
