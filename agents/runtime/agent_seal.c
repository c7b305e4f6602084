/* agent_seal: sealed columns and sealed files of an agent (see
 * agent_seal.h). Responsible for the SQL functions over one connection and
 * the sealed file format on disk (the seal's blob, nothing else). Must not:
 * log content, or leave plaintext in memory it frees. Loop thread.
 */
#include "agent_seal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "paths.h"

/* One call of seal(value [, aad]) or open(value [, aad]): the store's
 * seal, the value's bytes and the associated data (the text of the second
 * argument, or none). */
typedef struct s_call {
  const mash_seal_t *seal;
  const uint8_t *in, *aad;
  size_t len, aad_len;
} s_call_t;

/* Reads a call's arguments into c; false (and the result NULL) when the
 * value is NULL, which stays NULL either way. */
static bool s_args(sqlite3_context *ctx, int argc, sqlite3_value **argv, s_call_t *c) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return false;
  }
  c->seal = sqlite3_user_data(ctx);
  c->in = sqlite3_value_blob(argv[0]);
  c->len = (size_t)sqlite3_value_bytes(argv[0]);
  c->aad = NULL;
  c->aad_len = 0;
  if (argc > 1 && sqlite3_value_type(argv[1]) != SQLITE_NULL) {
    c->aad = sqlite3_value_text(argv[1]);
    c->aad_len = (size_t)sqlite3_value_bytes(argv[1]);
  }
  return true;
}

static void s_sql_seal(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  s_call_t c;
  if (!s_args(ctx, argc, argv, &c)) {
    return;
  }
  uint8_t *out = NULL;
  size_t out_len = 0;
  if (mash_seal_encrypt(c.seal, c.in, c.len, c.aad, c.aad_len, &out, &out_len) != 0 ||
      out_len > INT_MAX) {
    free(out);
    /* Never store a value unsealed: the statement fails instead. */
    sqlite3_result_error(ctx, "cannot seal a value with the data key", -1);
    return;
  }
  sqlite3_result_blob(ctx, out, (int)out_len, free);
}

/* mash_open(X, AAD): a value that does not open is NULL (the caller counts
 * it); strict (mash_open_old): an error instead, so that a key rotation's
 * statement fails rather than seal a NULL. */
static void s_open_value(sqlite3_context *ctx, int argc, sqlite3_value **argv, bool strict) {
  s_call_t c;
  if (!s_args(ctx, argc, argv, &c)) {
    return;
  }
  uint8_t *out = NULL;
  size_t out_len = 0;
  if (mash_seal_decrypt(c.seal, c.in, c.len, c.aad, c.aad_len, &out, &out_len) != 0 ||
      out_len > INT_MAX) {
    if (out != NULL) {
      OPENSSL_cleanse(out, out_len);
    }
    free(out);
    if (strict) {
      sqlite3_result_error(ctx, "a value does not open with the current data key", -1);
    } else {
      sqlite3_result_null(ctx);
    }
    return;
  }
  /* SQLite copies it; the plaintext copy here is wiped. */
  sqlite3_result_blob(ctx, out_len ? out : (const void *)"", (int)out_len, SQLITE_TRANSIENT);
  OPENSSL_cleanse(out, out_len);
  free(out);
}

static void s_sql_open(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  s_open_value(ctx, argc, argv, false);
}

static void s_sql_blind(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  const mash_seal_t *seal = sqlite3_user_data(ctx);
  uint8_t md[32];
  if (mash_seal_blind_bytes(seal, (const char *)sqlite3_value_text(argv[0]), md) != 0) {
    sqlite3_result_error(ctx, "cannot make a blind index", -1);
    return;
  }
  sqlite3_result_blob(ctx, md, sizeof md, SQLITE_TRANSIENT);
}

static void s_sql_open_strict(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  s_open_value(ctx, argc, argv, true);
}

int agent_seal_sql_old(sqlite3 *db, const mash_seal_t *old) {
  return sqlite3_create_function(db, "mash_open_old", 2, SQLITE_UTF8, (void *)old,
                                 s_sql_open_strict, NULL, NULL) == SQLITE_OK
             ? 0
             : -1;
}

int agent_seal_sql(sqlite3 *db, const mash_seal_t *seal) {
  void *user = (void *)seal;
  int det = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
  return sqlite3_create_function(db, "mash_seal", 2, SQLITE_UTF8, user, s_sql_seal, NULL, NULL) ==
                     SQLITE_OK &&
                 sqlite3_create_function(db, "mash_open", 2, det, user, s_sql_open, NULL, NULL) ==
                     SQLITE_OK &&
                 sqlite3_create_function(db, "mash_blind", 1, det, user, s_sql_blind, NULL, NULL) ==
                     SQLITE_OK
             ? 0
             : -1;
}

/* Read a whole regular file of at most 64 MiB into *out. */
static int s_read_all(const char *path, uint8_t **out, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return -errno;
  }
  struct stat st;
  int rc = 0;
  if (fstat(fd, &st) != 0) {
    rc = -errno;
  } else if (!S_ISREG(st.st_mode)) {
    rc = -EINVAL;
  } else if (st.st_size > (off_t)64 << 20) {
    rc = -EFBIG;
  }
  uint8_t *buf = rc == 0 ? malloc(st.st_size > 0 ? (size_t)st.st_size : 1) : NULL;
  if (rc == 0 && buf == NULL) {
    rc = -ENOMEM;
  }
  size_t off = 0;
  while (rc == 0 && off < (size_t)st.st_size) {
    ssize_t r = read(fd, buf + off, (size_t)st.st_size - off);
    if (r < 0 && errno == EINTR) {
      continue;
    }
    if (r <= 0) {
      rc = r < 0 ? -errno : -EIO;
      break;
    }
    off += (size_t)r;
  }
  close(fd);
  if (rc != 0) {
    if (buf != NULL) {
      OPENSSL_cleanse(buf, off);
    }
    free(buf);
    return rc;
  }
  *out = buf;
  *len = off;
  return 0;
}

int agent_seal_write(const mash_seal_t *seal, const uint8_t *in, size_t len, const char *to,
                     const char *aad, int sync, char *err, size_t errlen) {
  uint8_t *blob = NULL;
  size_t blob_len = 0;
  int rc = mash_seal_encrypt(seal, in, len, (const uint8_t *)aad, aad ? strlen(aad) : 0, &blob,
                             &blob_len);
  if (rc != 0) {
    snprintf(err, errlen, "cannot seal %s: %s", to, strerror(-rc));
    return rc;
  }
  char tmp[4200], dir[2048];
  if (strlen(to) >= sizeof dir) {
    free(blob);
    snprintf(err, errlen, "cannot write %s: name too long", to);
    return -ENAMETOOLONG;
  }
  snprintf(dir, sizeof dir, "%s", to);
  char *slash = strrchr(dir, '/');
  const char *name = slash ? slash + 1 : to;
  if (slash) {
    *slash = '\0';
  } else {
    snprintf(dir, sizeof dir, ".");
  }
  int w = snprintf(tmp, sizeof tmp, "%s/.%.2000s.tmp", dir, name);
  if (w < 0 || (size_t)w >= sizeof tmp) {
    free(blob);
    snprintf(err, errlen, "cannot write %s: name too long", to);
    return -ENAMETOOLONG;
  }
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    rc = -errno;
  } else {
    /* An older temporary file keeps its mode through O_TRUNC. */
    rc = fchmod(fd, 0600) != 0 ? -errno : mash_write_all(fd, blob, blob_len);
    if (rc == 0 && sync && fsync(fd) != 0) {
      rc = -errno;
    }
    if (close(fd) != 0 && rc == 0) {
      rc = -errno;
    }
    if (rc == 0 && rename(tmp, to) != 0) {
      rc = -errno;
    }
    if (rc != 0) {
      unlink(tmp);
    }
  }
  free(blob);
  if (rc != 0) {
    snprintf(err, errlen, "cannot write %s: %s", to, strerror(-rc));
    return rc;
  }
  int dfd = sync ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return 0;
}

int agent_seal_file(const mash_seal_t *seal, const char *from, const char *to, const char *aad,
                    int sync, char *err, size_t errlen) {
  uint8_t *in = NULL;
  size_t len = 0;
  int rc = s_read_all(from, &in, &len);
  if (rc != 0) {
    snprintf(err, errlen, "cannot read %s: %s", from, strerror(-rc));
    return rc;
  }
  rc = agent_seal_write(seal, in, len, to, aad, sync, err, errlen);
  OPENSSL_cleanse(in, len);
  free(in);
  if (rc == 0 && strcmp(from, to) != 0 && unlink(from) != 0 && errno != ENOENT) {
    rc = -errno;
    snprintf(err, errlen, "cannot remove %s: %s", from, strerror(errno));
  }
  return rc;
}

int agent_seal_read(const mash_seal_t *seal, const char *path, const char *aad, uint8_t **out,
                    size_t *len, char *err, size_t errlen) {
  uint8_t *blob = NULL;
  size_t blob_len = 0;
  int rc = s_read_all(path, &blob, &blob_len);
  if (rc != 0) {
    snprintf(err, errlen, "cannot read %s: %s", path, strerror(-rc));
    return rc;
  }
  rc = mash_seal_decrypt(seal, blob, blob_len, (const uint8_t *)aad, aad ? strlen(aad) : 0, out,
                         len);
  free(blob);
  if (rc != 0) {
    snprintf(err, errlen, "%s does not open with this data key%s", path,
             rc == -EBADMSG ? " (another key, a renamed file, or damage)" : "");
  }
  return rc;
}

int agent_seal_default_path(const char *secret_key, char *out, size_t cap) {
  size_t n = strlen(secret_key);
  const char *suffix = ".secret";
  size_t k = strlen(suffix);
  if (n > k && strcmp(secret_key + n - k, suffix) == 0) {
    n -= k;
  }
  int w = snprintf(out, cap, "%.*s.data.key", (int)n, secret_key);
  return w < 0 || (size_t)w >= cap ? -ENAMETOOLONG : 0;
}
