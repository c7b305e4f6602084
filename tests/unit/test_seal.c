/* test_seal: sealing round trips, tamper detection, key file rules and
 * blind indexes, through seal.h only. Must not: depend on a fixed key (each
 * test makes its own key files in a temporary directory). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seal.h"

/* Buffers the library allocates are released with the real free, before
 * cmocka's allocation checks redefine it for this file. */
static void lib_free(void *p) {
  free(p);
}

/* memmem is a GNU extension; the build is plain POSIX. */
static int contains(const uint8_t *hay, size_t len, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; n <= len && i <= len - n; i++)
    if (memcmp(hay + i, needle, n) == 0)
      return 1;
  return 0;
}

#define UNIT_TESTING 1
#include <cmocka.h>

#include "test_race.h"

typedef struct fixture {
  char dir[64];
  char key[128];
  mash_seal_t *seal;
} fixture_t;

static void path_in(const fixture_t *f, const char *name, char *out, size_t len) {
  int n = snprintf(out, len, "%s/%s", f->dir, name);
  assert_true(n > 0 && (size_t)n < len);
}

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-seal-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  path_in(f, "data.key", f->key, sizeof f->key);
  char err[256];
  f->seal = mash_seal_new(f->key, 1, err, sizeof err);
  assert_non_null(f->seal);
  *state = f;
  return 0;
}

static void remove_in(const fixture_t *f, const char *name) {
  char p[128];
  path_in(f, name, p, sizeof p);
  unlink(p);
}

static int teardown(void **state) {
  fixture_t *f = *state;
  mash_seal_destroy(&f->seal);
  assert_null(f->seal);
  remove_in(f, "data.key");
  remove_in(f, "other.key");
  remove_in(f, "open.key");
  remove_in(f, "short.key");
  remove_in(f, "long.key");
  rmdir(f->dir);
  free(f);
  return 0;
}

static void write_file(const char *path, const uint8_t *data, size_t len, mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, data, len), (ssize_t)len);
  assert_int_equal(fchmod(fd, mode), 0); /* the umask must not decide the test */
  close(fd);
}

static const uint8_t MSG[] = "Child: Jamie, 7; concern: neglect reported by school";
static const uint8_t AAD[] = "MASH-000042";

static void test_round_trip(void **state) {
  fixture_t *f = *state;
  uint8_t *ct = NULL, *pt = NULL;
  size_t ct_len = 0, pt_len = 0;
  assert_int_equal(mash_seal_encrypt(f->seal, MSG, sizeof MSG, AAD, sizeof AAD - 1, &ct, &ct_len),
                   0);
  assert_int_equal(ct_len, sizeof MSG + MASH_SEAL_OVERHEAD);
  assert_int_equal(ct[0], 1); /* version byte */
  assert_false(contains(ct, ct_len, "Jamie"));
  assert_int_equal(mash_seal_decrypt(f->seal, ct, ct_len, AAD, sizeof AAD - 1, &pt, &pt_len), 0);
  assert_int_equal(pt_len, sizeof MSG);
  assert_memory_equal(pt, MSG, sizeof MSG);
  lib_free(pt);

  /* Two seals of the same plaintext differ: the nonce is fresh. */
  uint8_t *ct2 = NULL;
  size_t ct2_len = 0;
  assert_int_equal(mash_seal_encrypt(f->seal, MSG, sizeof MSG, AAD, sizeof AAD - 1, &ct2, &ct2_len),
                   0);
  assert_int_equal(ct2_len, ct_len);
  assert_memory_not_equal(ct, ct2, ct_len);
  lib_free(ct2);
  lib_free(ct);
}

static void test_round_trip_empty(void **state) {
  fixture_t *f = *state;
  uint8_t *ct = NULL, *pt = NULL;
  size_t ct_len = 0, pt_len = 99;
  assert_int_equal(mash_seal_encrypt(f->seal, NULL, 0, NULL, 0, &ct, &ct_len), 0);
  assert_int_equal(ct_len, MASH_SEAL_OVERHEAD);
  assert_int_equal(mash_seal_decrypt(f->seal, ct, ct_len, NULL, 0, &pt, &pt_len), 0);
  assert_int_equal(pt_len, 0);
  lib_free(pt);
  lib_free(ct);
}

static void test_tamper_every_byte(void **state) {
  fixture_t *f = *state;
  uint8_t *ct = NULL;
  size_t ct_len = 0;
  assert_int_equal(mash_seal_encrypt(f->seal, MSG, sizeof MSG, AAD, sizeof AAD - 1, &ct, &ct_len),
                   0);
  for (size_t i = 0; i < ct_len; i++) {
    for (unsigned bit = 0; bit < 8; bit += 7) {
      ct[i] ^= (uint8_t)(1u << bit);
      uint8_t *pt = (uint8_t *)&pt; /* must stay untouched on failure */
      size_t pt_len = 12345;
      assert_int_equal(mash_seal_decrypt(f->seal, ct, ct_len, AAD, sizeof AAD - 1, &pt, &pt_len),
                       -EBADMSG);
      assert_ptr_equal(pt, (uint8_t *)&pt);
      assert_int_equal(pt_len, 12345);
      ct[i] ^= (uint8_t)(1u << bit);
    }
  }
  /* Truncated blobs, down to nothing. */
  for (size_t len = 0; len < ct_len; len++) {
    uint8_t *pt = NULL;
    size_t pt_len = 0;
    assert_int_equal(mash_seal_decrypt(f->seal, ct, len, AAD, sizeof AAD - 1, &pt, &pt_len),
                     -EBADMSG);
    assert_null(pt);
  }
  /* Untouched, it still opens: the loop restored every byte. */
  uint8_t *pt = NULL;
  size_t pt_len = 0;
  assert_int_equal(mash_seal_decrypt(f->seal, ct, ct_len, AAD, sizeof AAD - 1, &pt, &pt_len), 0);
  lib_free(pt);
  lib_free(ct);
}

static void test_wrong_aad(void **state) {
  fixture_t *f = *state;
  uint8_t *ct = NULL, *pt = NULL;
  size_t ct_len = 0, pt_len = 0;
  assert_int_equal(mash_seal_encrypt(f->seal, MSG, sizeof MSG, AAD, sizeof AAD - 1, &ct, &ct_len),
                   0);
  static const uint8_t other[] = "MASH-000043";
  assert_int_equal(mash_seal_decrypt(f->seal, ct, ct_len, other, sizeof other - 1, &pt, &pt_len),
                   -EBADMSG);
  assert_int_equal(mash_seal_decrypt(f->seal, ct, ct_len, NULL, 0, &pt, &pt_len), -EBADMSG);
  assert_int_equal(mash_seal_decrypt(f->seal, ct, ct_len, AAD, sizeof AAD - 2, &pt, &pt_len),
                   -EBADMSG);
  assert_null(pt);
  lib_free(ct);
}

static void test_wrong_key(void **state) {
  fixture_t *f = *state;
  char other_path[128], err[256];
  path_in(f, "other.key", other_path, sizeof other_path);
  mash_seal_t *other = mash_seal_new(other_path, 1, err, sizeof err);
  assert_non_null(other);
  uint8_t *ct = NULL, *pt = NULL;
  size_t ct_len = 0, pt_len = 0;
  assert_int_equal(mash_seal_encrypt(f->seal, MSG, sizeof MSG, AAD, sizeof AAD - 1, &ct, &ct_len),
                   0);
  assert_int_equal(mash_seal_decrypt(other, ct, ct_len, AAD, sizeof AAD - 1, &pt, &pt_len),
                   -EBADMSG);
  lib_free(ct);
  mash_seal_destroy(&other);
}

/* One context opens blob after blob and makes index after index, as the
 * person store's look-ups do: a failed blob (tampered, wrong aad, another
 * key's) leaves it able to open the next, what it opens is what
 * mash_seal_decrypt opens, and its blind indexes are mash_seal_blind_bytes'. */
static void test_ctx_reused(void **state) {
  fixture_t *f = *state;
  char other_path[128], err[256];
  path_in(f, "other.key", other_path, sizeof other_path);
  mash_seal_t *other = mash_seal_new(other_path, 1, err, sizeof err);
  assert_non_null(other);
  mash_seal_ctx_t *o = mash_seal_ctx_new(f->seal);
  assert_non_null(o);
  uint8_t *ct = NULL, *foreign = NULL, *empty = NULL;
  size_t ct_len = 0, foreign_len = 0, empty_len = 0;
  assert_int_equal(mash_seal_encrypt(f->seal, MSG, sizeof MSG, AAD, sizeof AAD - 1, &ct, &ct_len),
                   0);
  assert_int_equal(
      mash_seal_encrypt(other, MSG, sizeof MSG, AAD, sizeof AAD - 1, &foreign, &foreign_len), 0);
  assert_int_equal(mash_seal_encrypt(f->seal, NULL, 0, NULL, 0, &empty, &empty_len), 0);
  static const uint8_t wrong[] = "MASH-000043";
  for (int round = 0; round < 3; round++) {
    uint8_t *pt = NULL;
    size_t pt_len = 0;
    assert_int_equal(mash_seal_ctx_decrypt(o, ct, ct_len, AAD, sizeof AAD - 1, &pt, &pt_len), 0);
    assert_int_equal(pt_len, sizeof MSG);
    assert_memory_equal(pt, MSG, sizeof MSG);
    lib_free(pt);
    pt = NULL;
    assert_int_equal(mash_seal_ctx_decrypt(o, ct, ct_len, wrong, sizeof wrong - 1, &pt, &pt_len),
                     -EBADMSG);
    assert_null(pt);
    assert_int_equal(
        mash_seal_ctx_decrypt(o, foreign, foreign_len, AAD, sizeof AAD - 1, &pt, &pt_len),
        -EBADMSG);
    assert_null(pt);
    ct[ct_len / 2] ^= 1;
    assert_int_equal(mash_seal_ctx_decrypt(o, ct, ct_len, AAD, sizeof AAD - 1, &pt, &pt_len),
                     -EBADMSG);
    assert_null(pt);
    ct[ct_len / 2] ^= 1;
    assert_int_equal(
        mash_seal_ctx_decrypt(o, ct, MASH_SEAL_OVERHEAD - 1, AAD, sizeof AAD - 1, &pt, &pt_len),
        -EBADMSG);
    pt_len = 99;
    assert_int_equal(mash_seal_ctx_decrypt(o, empty, empty_len, NULL, 0, &pt, &pt_len), 0);
    assert_int_equal(pt_len, 0);
    lib_free(pt);
  }
  static const char *const keys[] = {"d:2019-03-04", "", "s:HRTL:2019", "d:2019-03-04"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    uint8_t want[32], got[32], theirs[32];
    assert_int_equal(mash_seal_blind_bytes(f->seal, keys[i], want), 0);
    assert_int_equal(mash_seal_ctx_blind(o, keys[i], got), 0);
    assert_memory_equal(got, want, sizeof want);
    assert_int_equal(mash_seal_blind_bytes(other, keys[i], theirs), 0);
    assert_memory_not_equal(got, theirs, sizeof got);
  }
  uint8_t none[32], empty_key[32];
  assert_int_equal(mash_seal_ctx_blind(o, NULL, none), 0);
  assert_int_equal(mash_seal_ctx_blind(o, "", empty_key), 0);
  assert_memory_equal(none, empty_key, sizeof none);
  assert_null(mash_seal_ctx_new(NULL));
  mash_seal_ctx_destroy(&o);
  assert_null(o);
  mash_seal_ctx_destroy(&o); /* NULL is fine */
  lib_free(empty);
  lib_free(foreign);
  lib_free(ct);
  mash_seal_destroy(&other);
}

/* The 12-byte nonce of a sealed blob (after the version byte). */
static void nonce_of(const uint8_t *blob, uint8_t nonce[12]) {
  memcpy(nonce, blob + 1, 12);
}

/* Seal MSG with c, check it opens with the one-shot call, and return its nonce. */
static void ctx_seal_nonce(const fixture_t *f, mash_seal_ctx_t *c, uint8_t nonce[12]) {
  uint8_t *ct = NULL, *pt = NULL;
  size_t ct_len = 0, pt_len = 0;
  assert_int_equal(mash_seal_ctx_encrypt(c, MSG, sizeof MSG, AAD, sizeof AAD - 1, &ct, &ct_len), 0);
  assert_int_equal(ct_len, sizeof MSG + MASH_SEAL_OVERHEAD);
  assert_false(contains(ct, ct_len, "Jamie"));
  assert_int_equal(mash_seal_decrypt(f->seal, ct, ct_len, AAD, sizeof AAD - 1, &pt, &pt_len), 0);
  assert_memory_equal(pt, MSG, sizeof MSG);
  nonce_of(ct, nonce);
  lib_free(pt);
  lib_free(ct);
}

static int nonce_cmp(const void *a, const void *b) {
  return memcmp(a, b, 12);
}

/* A context's nonces: its prefix stays and the counter counts up, so 4,096
 * blobs never repeat one; a second context (a restart, another thread) has
 * another prefix; blobs sealed through the context open with the one-shot
 * call and through a context, and no nonce is repeated among all of them. */
static void test_ctx_encrypt_nonces(void **state) {
  fixture_t *f = *state;
  enum { N = 4096 };
  uint8_t(*nonces)[12] = calloc(2 * N, 12);
  assert_non_null(nonces);
  mash_seal_ctx_t *a = mash_seal_ctx_new(f->seal);
  mash_seal_ctx_t *b = mash_seal_ctx_new(f->seal);
  assert_non_null(a);
  assert_non_null(b);
  for (size_t i = 0; i < N; i++) {
    ctx_seal_nonce(f, a, nonces[i]);
    ctx_seal_nonce(f, b, nonces[N + i]);
    /* The same prefix within a context, the counter one more each time. */
    assert_memory_equal(nonces[i], nonces[0], 8);
    uint32_t n = (uint32_t)nonces[i][8] << 24 | (uint32_t)nonces[i][9] << 16 |
                 (uint32_t)nonces[i][10] << 8 | nonces[i][11];
    assert_int_equal(n, i);
  }
  assert_memory_not_equal(nonces[0], nonces[N], 8);
  qsort(nonces, 2 * N, 12, nonce_cmp);
  for (size_t i = 1; i < 2 * N; i++) {
    assert_memory_not_equal(nonces[i - 1], nonces[i], 12);
  }
  /* Opened through a context too, and bound to its aad. */
  uint8_t *ct = NULL, *pt = NULL;
  size_t ct_len = 0, pt_len = 0;
  assert_int_equal(mash_seal_ctx_encrypt(a, NULL, 0, NULL, 0, &ct, &ct_len), 0);
  assert_int_equal(mash_seal_ctx_decrypt(b, ct, ct_len, NULL, 0, &pt, &pt_len), 0);
  assert_int_equal(pt_len, 0);
  lib_free(pt);
  pt = NULL;
  assert_int_equal(mash_seal_ctx_decrypt(b, ct, ct_len, AAD, sizeof AAD - 1, &pt, &pt_len),
                   -EBADMSG);
  assert_null(pt);
  lib_free(ct);
  assert_int_equal(mash_seal_ctx_encrypt(NULL, MSG, 1, NULL, 0, &ct, &ct_len), -EINVAL);
  mash_seal_ctx_destroy(&a);
  mash_seal_ctx_destroy(&b);
  free(nonces);
}

/* After 2^32 blobs the counter would repeat: the context draws a new prefix
 * instead. */
static void test_ctx_encrypt_counter_wraps(void **state) {
  fixture_t *f = *state;
  mash_seal_ctx_t *c = mash_seal_ctx_new(f->seal);
  assert_non_null(c);
  uint8_t first[12], last[12], after[12];
  ctx_seal_nonce(f, c, first);
  mash_seal_ctx_test_set_counter(c, UINT32_MAX);
  ctx_seal_nonce(f, c, last);
  assert_memory_equal(last, first, 8);
  static const uint8_t ff[4] = {0xff, 0xff, 0xff, 0xff};
  assert_memory_equal(last + 8, ff, 4);
  ctx_seal_nonce(f, c, after);
  assert_memory_not_equal(after, first, 8); /* a new prefix */
  static const uint8_t zero[4] = {0, 0, 0, 0};
  assert_memory_equal(after + 8, zero, 4);
  mash_seal_ctx_destroy(&c);
}

/* A child forked after the parent sealed with a context must not continue
 * the parent's counter under the parent's prefix: its next nonce has a new
 * prefix, and the parent's own sequence goes on. */
static void test_ctx_encrypt_fork(void **state) {
  fixture_t *f = *state;
  mash_seal_ctx_t *c = mash_seal_ctx_new(f->seal);
  assert_non_null(c);
  uint8_t before[12], child[12], parent[12];
  ctx_seal_nonce(f, c, before);
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    uint8_t *ct = NULL;
    size_t ct_len = 0;
    int ok = mash_seal_ctx_encrypt(c, MSG, sizeof MSG, AAD, sizeof AAD - 1, &ct, &ct_len) == 0 &&
             write(fds[1], ct + 1, 12) == 12;
    _exit(ok ? 0 : 1);
  }
  close(fds[1]);
  assert_int_equal(read(fds[0], child, 12), 12);
  close(fds[0]);
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ctx_seal_nonce(f, c, parent);
  assert_memory_equal(parent, before, 8);
  assert_int_equal(parent[11], before[11] + 1);
  assert_memory_not_equal(child, before, 8);
  mash_seal_ctx_destroy(&c);
}

/* Create or load the data key at path (test_race_all_open). */
static int s_open_key(const char *path, void *arg, char *err, size_t errlen) {
  (void)arg;
  mash_seal_t *s = mash_seal_new(path, 1, err, errlen);
  int rc = s != NULL ? 0 : -1;
  mash_seal_destroy(&s);
  return rc;
}

/* Several processes of one adapter (one-shot submits in a burst) create the
 * same data key at once: each loads a whole key, the same one, and no
 * temporary file is left (a key file was read while still empty,
 * "holds 0 bytes", integration_test_storm). */
static void test_key_created_at_once(void **state) {
  fixture_t *f = *state;
  for (int round = 0; round < 25; round++) {
    char name[32], path[128];
    snprintf(name, sizeof name, "race-%d.key", round);
    path_in(f, name, path, sizeof path);
    test_race_all_open(round, path, s_open_key, NULL);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 32);
    remove_in(f, name);
    DIR *d = opendir(f->dir);
    assert_non_null(d);
    size_t left = 0;
    for (struct dirent *de = readdir(d); de != NULL; de = readdir(d)) {
      left += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    }
    closedir(d);
    assert_int_equal(left, 1); /* the fixture's data.key alone */
  }
}

static void test_key_file_created_0600(void **state) {
  fixture_t *f = *state;
  struct stat st;
  assert_int_equal(stat(f->key, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
  assert_int_equal(st.st_size, 32);

  /* Opening again (create or not) loads the same key: what one sealed, the
   * other opens. */
  char err[256];
  mash_seal_t *again = mash_seal_new(f->key, 0, err, sizeof err);
  assert_non_null(again);
  mash_seal_t *again_create = mash_seal_new(f->key, 1, err, sizeof err);
  assert_non_null(again_create);
  uint8_t *ct = NULL, *pt = NULL;
  size_t ct_len = 0, pt_len = 0;
  assert_int_equal(mash_seal_encrypt(again, MSG, sizeof MSG, AAD, sizeof AAD - 1, &ct, &ct_len), 0);
  assert_int_equal(mash_seal_decrypt(again_create, ct, ct_len, AAD, sizeof AAD - 1, &pt, &pt_len),
                   0);
  assert_memory_equal(pt, MSG, sizeof MSG);
  lib_free(pt);
  lib_free(ct);
  mash_seal_destroy(&again);
  mash_seal_destroy(&again_create);
}

static void test_missing_key_without_create(void **state) {
  fixture_t *f = *state;
  char p[128], err[256] = "";
  path_in(f, "absent.key", p, sizeof p);
  assert_null(mash_seal_new(p, 0, err, sizeof err));
  assert_true(strlen(err) > 0);
  assert_int_equal(access(p, F_OK), -1);
}

static void test_key_file_0644_refused(void **state) {
  fixture_t *f = *state;
  char p[128], err[256] = "";
  path_in(f, "open.key", p, sizeof p);
  uint8_t key[32];
  memset(key, 0x5a, sizeof key);
  write_file(p, key, sizeof key, 0644);
  assert_null(mash_seal_new(p, 0, err, sizeof err));
  assert_non_null(strstr(err, "group or others"));
  /* create=1 must not "fix" an existing key file either. */
  assert_null(mash_seal_new(p, 1, err, sizeof err));
  assert_int_equal(chmod(p, 0640), 0);
  assert_null(mash_seal_new(p, 0, err, sizeof err));
  assert_int_equal(chmod(p, 0600), 0);
  mash_seal_t *s = mash_seal_new(p, 0, err, sizeof err);
  assert_non_null(s);
  mash_seal_destroy(&s);
}

static void test_key_file_wrong_size_refused(void **state) {
  fixture_t *f = *state;
  char p[128], err[256] = "";
  uint8_t key[33];
  memset(key, 0x11, sizeof key);
  path_in(f, "short.key", p, sizeof p);
  write_file(p, key, 31, 0600);
  assert_null(mash_seal_new(p, 0, err, sizeof err));
  assert_non_null(strstr(err, "31 bytes"));
  path_in(f, "long.key", p, sizeof p);
  write_file(p, key, 33, 0600);
  assert_null(mash_seal_new(p, 1, err, sizeof err));
  assert_non_null(strstr(err, "33 bytes"));
}

static void test_blind_index(void **state) {
  fixture_t *f = *state;
  char a[65], b[65], c[65];
  mash_seal_blind_index(f->seal, "SMITH|2017-03-02", a);
  mash_seal_blind_index(f->seal, "SMITH|2017-03-02", b);
  mash_seal_blind_index(f->seal, "SMYTH|2017-03-02", c);
  assert_int_equal(strlen(a), 64);
  assert_string_equal(a, b);
  assert_string_not_equal(a, c);
  for (size_t i = 0; i < 64; i++)
    assert_non_null(strchr("0123456789abcdef", a[i]));
  assert_null(strstr(a, "SMITH"));

  char other_path[128], err[256], d[65];
  path_in(f, "other.key", other_path, sizeof other_path);
  mash_seal_t *other = mash_seal_new(other_path, 1, err, sizeof err);
  assert_non_null(other);
  mash_seal_blind_index(other, "SMITH|2017-03-02", d);
  assert_int_equal(strlen(d), 64);
  assert_string_not_equal(a, d);
  mash_seal_destroy(&other);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
      cmocka_unit_test_setup_teardown(test_round_trip_empty, setup, teardown),
      cmocka_unit_test_setup_teardown(test_tamper_every_byte, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wrong_aad, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wrong_key, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ctx_reused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ctx_encrypt_nonces, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ctx_encrypt_counter_wraps, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ctx_encrypt_fork, setup, teardown),
      cmocka_unit_test_setup_teardown(test_key_file_created_0600, setup, teardown),
      cmocka_unit_test_setup_teardown(test_key_created_at_once, setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_key_without_create, setup, teardown),
      cmocka_unit_test_setup_teardown(test_key_file_0644_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_key_file_wrong_size_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_blind_index, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
