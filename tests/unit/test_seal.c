/* test_seal: sealing round trips, tamper detection, key file rules and
 * blind indexes, through seal.h only. Must not: depend on a fixed key (each
 * test makes its own key files in a temporary directory). */
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
      cmocka_unit_test_setup_teardown(test_key_file_created_0600, setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_key_without_create, setup, teardown),
      cmocka_unit_test_setup_teardown(test_key_file_0644_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_key_file_wrong_size_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_blind_index, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
