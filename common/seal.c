/* seal: encryption at rest (AES-256-GCM) and blind indexes (HMAC-SHA-256).
 *
 * Responsible for: loading or creating the 32-byte data key file, sealing
 * and opening blobs, and deriving a separate key for blind indexes so that
 * an index value never doubles as a ciphertext key. Must not: log or keep
 * plaintext or key bytes anywhere but the mash_seal_t, which is wiped on
 * destroy. Nothing here is mutable after mash_seal_new, so one mash_seal_t
 * may be shared between threads (each call uses its own EVP context); a
 * mash_seal_ctx_t is one thread's reusable contexts for the hot paths.
 */
#include "seal.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "paths.h"

#define KEY_LEN 32
#define NONCE_LEN 12
#define TAG_LEN 16
#define SEAL_VERSION 1
#define BLIND_INDEX_LABEL "mash blind index v1"

struct mash_seal {
  uint8_t key[KEY_LEN];       /* AES-256-GCM data key */
  uint8_t index_key[KEY_LEN]; /* HMAC-SHA-256 key for blind indexes */
};

static void s_set_err(char *err, size_t errlen, const char *what, const char *path, int e) {
  if (err && errlen > 0) {
    snprintf(err, errlen, "%s %s: %s", what, path, strerror(e));
  }
}

/* Write `len` key bytes to a new file, whole or not at all: written and
 * synced under a temporary name, then linked to `path`. link() never
 * replaces a key that exists, even one created by a concurrent process
 * since we looked (-EEXIST), and no process ever reads a key file that is
 * still being written (concurrent one-shot adapters creating their data
 * key read it empty: integration_test_storm). */
static int s_write_key_file(const char *path, const uint8_t *key, size_t len) {
  struct stat st;
  if (lstat(path, &st) == 0) {
    return -EEXIST; /* the usual start: no temporary file made and synced */
  }
  char tmp[PATH_MAX];
  if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp) {
    return -ENAMETOOLONG;
  }
  int fd = mkstemp(tmp); /* 0600, O_EXCL */
  if (fd < 0) {
    return -errno;
  }
  int rc = mash_write_all(fd, key, len);
  /* The key must be on disk before any data sealed under it is. */
  if (rc == 0 && fsync(fd) != 0) {
    rc = -errno;
  }
  if (close(fd) != 0 && rc == 0) {
    rc = -errno;
  }
  if (rc == 0 && link(tmp, path) != 0) {
    rc = -errno;
  }
  unlink(tmp);
  return rc;
}

/* Write a fresh key to a new file. */
static int s_create_key_file(const char *path) {
  uint8_t key[KEY_LEN];
  if (RAND_bytes(key, sizeof key) != 1) {
    return -EIO;
  }
  int rc = s_write_key_file(path, key, sizeof key);
  OPENSSL_cleanse(key, sizeof key);
  return rc;
}

/* Read a key file that only its owner can read: KEY_LEN bytes (the data
 * key; the index key is derived from it), or 2 * KEY_LEN (a rotated key:
 * the data key, then the index key it carries over). *len gets which.
 * Writes a reason into err on failure. */
static int s_load_key_file(const char *path, uint8_t key[2 * KEY_LEN], size_t *len, char *err,
                           size_t errlen) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    int e = errno;
    s_set_err(err, errlen, "cannot open key file", path, e);
    return -e;
  }
  int rc = 0;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    rc = -errno;
    s_set_err(err, errlen, "cannot stat key file", path, errno);
    goto out;
  }
  if (!S_ISREG(st.st_mode)) {
    rc = -EINVAL;
    if (err && errlen > 0) {
      snprintf(err, errlen, "key file %s is not a regular file", path);
    }
    goto out;
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    rc = -EPERM;
    if (err && errlen > 0) {
      snprintf(err, errlen,
               "key file %s has mode %03o: it must not be accessible to group or others", path,
               (unsigned)(st.st_mode & 0777));
    }
    goto out;
  }
  if (st.st_size != KEY_LEN && st.st_size != 2 * KEY_LEN) {
    rc = -EINVAL;
    if (err && errlen > 0) {
      snprintf(err, errlen, "key file %s holds %lld bytes, expected %d (or %d after a rotation)",
               path, (long long)st.st_size, KEY_LEN, 2 * KEY_LEN);
    }
    goto out;
  }
  *len = (size_t)st.st_size;
  size_t off = 0;
  while (off < *len) {
    ssize_t n = read(fd, key + off, *len - off);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      rc = n < 0 ? -errno : -EINVAL;
      s_set_err(err, errlen, "cannot read key file", path, n < 0 ? errno : EINVAL);
      goto out;
    }
    off += (size_t)n;
  }
out:
  close(fd);
  if (rc != 0) {
    OPENSSL_cleanse(key, 2 * KEY_LEN);
  }
  return rc;
}

mash_seal_t *mash_seal_new(const char *path, int create, char *err, size_t errlen) {
  if (err && errlen > 0) {
    err[0] = '\0';
  }
  if (!path) {
    if (err && errlen > 0) {
      snprintf(err, errlen, "no key file path");
    }
    return NULL;
  }
  if (create) {
    int rc = s_create_key_file(path);
    /* EEXIST is the normal case: the key was made on an earlier start. */
    if (rc != 0 && rc != -EEXIST) {
      s_set_err(err, errlen, "cannot create key file", path, -rc);
      return NULL;
    }
  }
  mash_seal_t *s = calloc(1, sizeof *s);
  if (!s) {
    s_set_err(err, errlen, "cannot load key file", path, ENOMEM);
    return NULL;
  }
  uint8_t bytes[2 * KEY_LEN];
  size_t len = 0;
  if (s_load_key_file(path, bytes, &len, err, errlen) != 0) {
    free(s);
    return NULL;
  }
  memcpy(s->key, bytes, KEY_LEN);
  if (len == 2 * KEY_LEN) {
    memcpy(s->index_key, bytes + KEY_LEN, KEY_LEN);
  }
  OPENSSL_cleanse(bytes, sizeof bytes);
  if (len == 2 * KEY_LEN) {
    return s;
  }
  unsigned int md_len = 0;
  if (!HMAC(EVP_sha256(), s->key, KEY_LEN, (const unsigned char *)BLIND_INDEX_LABEL,
            sizeof BLIND_INDEX_LABEL - 1, s->index_key, &md_len) ||
      md_len != KEY_LEN) {
    s_set_err(err, errlen, "cannot derive the index key from", path, EIO);
    mash_seal_destroy(&s);
    return NULL;
  }
  return s;
}

int mash_seal_distinct(const mash_seal_t *a, const mash_seal_t *b) {
  return CRYPTO_memcmp(a->key, b->key, KEY_LEN) != 0 &&
         CRYPTO_memcmp(a->index_key, b->index_key, KEY_LEN) != 0;
}

void mash_seal_destroy(mash_seal_t **self_p) {
  if (!self_p || !*self_p) {
    return;
  }
  OPENSSL_cleanse(*self_p, sizeof **self_p);
  free(*self_p);
  *self_p = NULL;
}

/* Run AES-256-GCM in ctx (enc 1 to seal, 0 to open) under key with the
 * blob's nonce over everything but the final block: the version byte first,
 * so that it is authenticated too and cannot be swapped, then aad, then the
 * len bytes of `in` into `out` (*done bytes written). The caller finishes
 * with the tag. */
static bool s_gcm_run(EVP_CIPHER_CTX *ctx, int enc, const uint8_t *key, const uint8_t *nonce,
                      const uint8_t *version, const uint8_t *aad, size_t aad_len, const uint8_t *in,
                      size_t len, uint8_t *out, int *done) {
  int n = 0;
  *done = 0;
  return EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) == 1 &&
         EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) == 1 &&
         EVP_CipherUpdate(ctx, NULL, &n, version, 1) == 1 &&
         (aad_len == 0 || EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1) &&
         (len == 0 || EVP_CipherUpdate(ctx, out, done, in, (int)len) == 1);
}

/* What every encryption checks and allocates first: the arguments (key is
 * the seal or context, only tested for NULL), the lengths EVP can take
 * (int), and the blob's buffer of len + MASH_SEAL_OVERHEAD bytes into *buf.
 * 0 or -EINVAL, -EMSGSIZE, -ENOMEM. */
static int s_seal_begin(const void *key, const uint8_t *in, size_t len, const uint8_t *aad,
                        size_t aad_len, uint8_t **out, size_t *out_len, uint8_t **buf) {
  if (!key || !out || !out_len || (!in && len > 0) || (!aad && aad_len > 0)) {
    return -EINVAL;
  }
  /* EVP takes int lengths. */
  if (len > (size_t)INT_MAX - MASH_SEAL_OVERHEAD || aad_len > (size_t)INT_MAX) {
    return -EMSGSIZE;
  }
  *buf = malloc(len + MASH_SEAL_OVERHEAD);
  return *buf ? 0 : -ENOMEM;
}

int mash_seal_encrypt(const mash_seal_t *s, const uint8_t *in, size_t len, const uint8_t *aad,
                      size_t aad_len, uint8_t **out, size_t *out_len) {
  uint8_t *buf = NULL;
  int rc = s_seal_begin(s, in, len, aad, aad_len, out, out_len, &buf);
  if (rc != 0) {
    return rc;
  }
  size_t total = len + MASH_SEAL_OVERHEAD;
  rc = -EIO;
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  if (!ctx) {
    rc = -ENOMEM;
    goto out;
  }
  buf[0] = SEAL_VERSION;
  uint8_t *nonce = buf + 1;
  uint8_t *ct = nonce + NONCE_LEN;
  /* A random 96-bit nonce per blob: safe for far more blobs than a hub writes
   * under one key (the bound is around 2^32 encryptions). */
  if (RAND_bytes(nonce, NONCE_LEN) != 1) {
    goto out;
  }
  int ct_len = 0;
  if (!s_gcm_run(ctx, 1, s->key, nonce, buf, aad, aad_len, in, len, ct, &ct_len)) {
    goto out;
  }
  int n = 0;
  if (EVP_EncryptFinal_ex(ctx, ct + ct_len, &n) != 1) {
    goto out;
  }
  ct_len += n;
  if ((size_t)ct_len != len) {
    goto out;
  }
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, ct + len) != 1) {
    goto out;
  }
  rc = 0;
out:
  EVP_CIPHER_CTX_free(ctx);
  if (rc != 0) {
    free(buf);
    return rc;
  }
  *out = buf;
  *out_len = total;
  return 0;
}

/* Open a blob with ctx, already set up for AES-256-GCM decryption under
 * the data key (12-byte nonces): only the nonce is set here. */
static int s_gcm_open(EVP_CIPHER_CTX *ctx, const uint8_t *in, size_t len, const uint8_t *aad,
                      size_t aad_len, uint8_t **out, size_t *out_len) {
  if (!ctx || !out || !out_len || (!in && len > 0) || (!aad && aad_len > 0)) {
    return -EINVAL;
  }
  if (len < MASH_SEAL_OVERHEAD || in[0] != SEAL_VERSION) {
    return -EBADMSG;
  }
  if (len > (size_t)INT_MAX || aad_len > (size_t)INT_MAX) {
    return -EMSGSIZE;
  }
  size_t pt_len = len - MASH_SEAL_OVERHEAD;
  const uint8_t *nonce = in + 1;
  const uint8_t *ct = nonce + NONCE_LEN;
  uint8_t *buf = malloc(pt_len > 0 ? pt_len : 1);
  if (!buf) {
    return -ENOMEM;
  }
  int rc = -EIO;
  uint8_t tag[TAG_LEN];
  memcpy(tag, ct + pt_len, TAG_LEN);
  int n = 0, pt_done = 0;
  /* The same steps as s_gcm_run and mash_seal_decrypt, under the key the
   * context already holds: version byte, aad, ciphertext, then the tag. */
  if (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, nonce) != 1 ||
      EVP_DecryptUpdate(ctx, NULL, &n, in, 1) != 1 ||
      (aad_len > 0 && EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aad_len) != 1) ||
      (pt_len > 0 && EVP_DecryptUpdate(ctx, buf, &pt_done, ct, (int)pt_len) != 1) ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag) != 1) {
    goto out;
  }
  if (EVP_DecryptFinal_ex(ctx, buf + pt_done, &n) != 1) {
    rc = -EBADMSG;
    goto out;
  }
  if ((size_t)(pt_done + n) != pt_len) {
    goto out;
  }
  rc = 0;
out:
  if (rc != 0) {
    /* Unauthenticated plaintext must not outlive this call. */
    OPENSSL_cleanse(buf, pt_len > 0 ? pt_len : 1);
    free(buf);
    return rc;
  }
  *out = buf;
  *out_len = pt_len;
  return 0;
}

/* Set ctx up to decrypt AES-256-GCM blobs under key: 1 on success. */
static int s_decrypt_init(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *cipher, const uint8_t *key) {
  return EVP_DecryptInit_ex(ctx, cipher, NULL, NULL, NULL) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) == 1 &&
         EVP_DecryptInit_ex(ctx, NULL, NULL, key, NULL) == 1;
}

int mash_seal_decrypt(const mash_seal_t *s, const uint8_t *in, size_t len, const uint8_t *aad,
                      size_t aad_len, uint8_t **out, size_t *out_len) {
  if (!s) {
    return -EINVAL;
  }
  /* One call, one cipher context keyed for it (a thread that opens many
   * keeps a mash_seal_ctx_t instead); the opening itself is shared. */
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
  if (!ctx) {
    return -ENOMEM;
  }
  int rc = s_decrypt_init(ctx, EVP_aes_256_gcm(), s->key) == 1
               ? s_gcm_open(ctx, in, len, aad, aad_len, out, out_len)
               : -EIO;
  EVP_CIPHER_CTX_free(ctx);
  return rc;
}

/* ---- contexts: one thread's reusable cipher and HMAC contexts ---- */

/* Nonces of a context's sealed blobs: NONCE_PREFIX_LEN random bytes drawn
 * when the context starts (and again in a forked child, and when the
 * counter has gone round), then a 32-bit counter, big-endian. Under one key
 * two blobs share a nonce only if two prefixes drawn from the system's
 * random source are equal, whatever the counters (restarts, threads and
 * processes each draw their own): about k^2 / 2^65 for k prefixes, and a
 * hub draws a few per start. A blob's nonce costs no system call. */
#define NONCE_PREFIX_LEN 8

/* Counts fork()s in this process, in the child: a context made before a
 * fork draws a new prefix in the child before sealing anything, so parent
 * and child never continue one counter. */
static unsigned s_fork_gen;
static pthread_once_t s_atfork_once = PTHREAD_ONCE_INIT;

static void s_atfork_child(void) {
  __atomic_add_fetch(&s_fork_gen, 1, __ATOMIC_RELAXED);
}

static void s_atfork_register(void) {
  (void)pthread_atfork(NULL, NULL, s_atfork_child);
}

struct mash_seal_ctx {
  EVP_CIPHER *cipher; /* fetched once: an implicit fetch per blob is costly */
  EVP_CIPHER_CTX *ctx;
  EVP_CIPHER_CTX *enc; /* keyed for sealing; each blob sets only its nonce */
  EVP_MAC *mac;
  EVP_MAC_CTX *hmac; /* keyed with the index key; re-initialised per index */
  uint8_t prefix[NONCE_PREFIX_LEN];
  uint32_t counter; /* the next blob's */
  unsigned fork_gen;
  int seeded; /* prefix drawn for this process and counter round */
};

/* Fill nonce with the context's next one; -EIO when the random source
 * fails (nothing is sealed then). */
static int s_next_nonce(mash_seal_ctx_t *c, uint8_t nonce[NONCE_LEN]) {
  unsigned gen = __atomic_load_n(&s_fork_gen, __ATOMIC_RELAXED);
  if (!c->seeded || gen != c->fork_gen) {
    if (RAND_bytes(c->prefix, NONCE_PREFIX_LEN) != 1) {
      return -EIO;
    }
    c->counter = 0;
    c->fork_gen = gen;
    c->seeded = 1;
  }
  uint32_t n = c->counter++;
  if (c->counter == 0) {
    c->seeded = 0; /* the counter went round: the next blob draws a new prefix */
  }
  memcpy(nonce, c->prefix, NONCE_PREFIX_LEN);
  nonce[8] = (uint8_t)(n >> 24);
  nonce[9] = (uint8_t)(n >> 16);
  nonce[10] = (uint8_t)(n >> 8);
  nonce[11] = (uint8_t)n;
  return 0;
}

void mash_seal_ctx_test_set_counter(mash_seal_ctx_t *c, uint32_t counter) {
  if (c && c->seeded) {
    c->counter = counter;
  }
}

mash_seal_ctx_t *mash_seal_ctx_new(const mash_seal_t *s) {
  if (!s) {
    return NULL;
  }
  mash_seal_ctx_t *c = calloc(1, sizeof *c);
  if (!c) {
    return NULL;
  }
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                         OSSL_PARAM_construct_end()};
  (void)pthread_once(&s_atfork_once, s_atfork_register);
  c->cipher = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
  c->ctx = EVP_CIPHER_CTX_new();
  c->enc = EVP_CIPHER_CTX_new();
  c->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  c->hmac = c->mac ? EVP_MAC_CTX_new(c->mac) : NULL;
  /* The key schedules are made here, once; each blob sets only its nonce. */
  if (!c->cipher || !c->ctx || !c->enc || !c->hmac ||
      s_decrypt_init(c->ctx, c->cipher, s->key) != 1 ||
      EVP_EncryptInit_ex(c->enc, c->cipher, NULL, NULL, NULL) != 1 ||
      EVP_CIPHER_CTX_ctrl(c->enc, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) != 1 ||
      EVP_EncryptInit_ex(c->enc, NULL, NULL, s->key, NULL) != 1 ||
      EVP_MAC_init(c->hmac, s->index_key, KEY_LEN, params) != 1) {
    mash_seal_ctx_destroy(&c);
  }
  return c;
}

void mash_seal_ctx_destroy(mash_seal_ctx_t **self_p) {
  if (!self_p || !*self_p) {
    return;
  }
  mash_seal_ctx_t *c = *self_p;
  EVP_CIPHER_CTX_free(c->ctx); /* wipes the key schedule */
  EVP_CIPHER_CTX_free(c->enc);
  EVP_CIPHER_free(c->cipher);
  EVP_MAC_CTX_free(c->hmac);
  EVP_MAC_free(c->mac);
  free(c);
  *self_p = NULL;
}

int mash_seal_ctx_blind(mash_seal_ctx_t *c, const char *in, uint8_t out[32]) {
  const char *msg = in ? in : "";
  size_t md_len = 0;
  /* A NULL key re-initialises HMAC with the key it holds. */
  if (!c || EVP_MAC_init(c->hmac, NULL, 0, NULL) != 1 ||
      EVP_MAC_update(c->hmac, (const unsigned char *)msg, strlen(msg)) != 1 ||
      EVP_MAC_final(c->hmac, out, &md_len, 32) != 1 || md_len != 32) {
    if (out) {
      memset(out, 0, 32);
    }
    return -EIO;
  }
  return 0;
}

int mash_seal_ctx_encrypt(mash_seal_ctx_t *c, const uint8_t *in, size_t len, const uint8_t *aad,
                          size_t aad_len, uint8_t **out, size_t *out_len) {
  uint8_t *buf = NULL;
  int rc = s_seal_begin(c, in, len, aad, aad_len, out, out_len, &buf);
  if (rc != 0) {
    return rc;
  }
  size_t total = len + MASH_SEAL_OVERHEAD;
  buf[0] = SEAL_VERSION;
  uint8_t *nonce = buf + 1;
  uint8_t *ct = nonce + NONCE_LEN;
  rc = s_next_nonce(c, nonce);
  int n = 0, ct_len = 0;
  /* The same steps as s_gcm_run under the key the context holds. */
  if (rc == 0 &&
      (EVP_EncryptInit_ex(c->enc, NULL, NULL, NULL, nonce) != 1 ||
       EVP_EncryptUpdate(c->enc, NULL, &n, buf, 1) != 1 ||
       (aad_len > 0 && EVP_EncryptUpdate(c->enc, NULL, &n, aad, (int)aad_len) != 1) ||
       (len > 0 && EVP_EncryptUpdate(c->enc, ct, &ct_len, in, (int)len) != 1) ||
       EVP_EncryptFinal_ex(c->enc, ct + ct_len, &n) != 1 || (size_t)(ct_len + n) != len ||
       EVP_CIPHER_CTX_ctrl(c->enc, EVP_CTRL_GCM_GET_TAG, TAG_LEN, ct + len) != 1)) {
    rc = -EIO;
  }
  if (rc != 0) {
    free(buf);
    return rc;
  }
  *out = buf;
  *out_len = total;
  return 0;
}

int mash_seal_ctx_decrypt(mash_seal_ctx_t *c, const uint8_t *in, size_t len, const uint8_t *aad,
                          size_t aad_len, uint8_t **out, size_t *out_len) {
  return s_gcm_open(c ? c->ctx : NULL, in, len, aad, aad_len, out, out_len);
}

int mash_seal_blind_bytes(const mash_seal_t *s, const char *in, uint8_t out[32]) {
  unsigned int md_len = 0;
  const char *msg = in ? in : "";
  if (!HMAC(EVP_sha256(), s->index_key, KEY_LEN, (const unsigned char *)msg, strlen(msg), out,
            &md_len) ||
      md_len != 32) {
    /* HMAC-SHA-256 over memory cannot fail short of a broken libcrypto. */
    memset(out, 0, 32);
    return -EIO;
  }
  return 0;
}

void mash_seal_blind_index(const mash_seal_t *s, const char *in, char hex[65]) {
  static const char digits[] = "0123456789abcdef";
  uint8_t md[32];
  if (mash_seal_blind_bytes(s, in, md) != 0) {
    /* An empty index matches nothing, which is the safe failure. */
    hex[0] = '\0';
    return;
  }
  for (unsigned i = 0; i < 32; i++) {
    hex[2 * i] = digits[md[i] >> 4];
    hex[2 * i + 1] = digits[md[i] & 0x0f];
  }
  hex[64] = '\0';
  OPENSSL_cleanse(md, sizeof md);
}
