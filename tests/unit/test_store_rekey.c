/* Unit tests of data-key rotation (store_sqlite_rekey.c): after a rotation
 * the old key opens nothing and the new one opens every contact, decision,
 * answer, outbox frame and person, and the blind indexes, made again under
 * the new key from what a stub derivation gives for the record, still find
 * the person; a rotation with a key that does not open the store changes
 * nothing. Real SQLite files, real keys. (test_rekey_index: the broker's
 * own derivation, on both stores.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seal.h"
#include "store.h"

typedef struct fixture {
  char dir[64];
  char db[128], key[128], key2[128], other[128];
  char contact_ids[3][MASH_CONTACT_ID_LEN];
  char enquiry_id[MASH_ITEM_ID_LEN], request_id[MASH_ITEM_ID_LEN];
  char person_id[MASH_PERSON_ID_LEN];
} fixture_t;

static const char *const CONTACTS[3] = {"contact one: Ada", "contact two: Grace",
                                        "contact three: Mary"};
static const char *const KEYS[1] = {"d:2019-05-20"};

/* The derivation for this fixture's record ("person Ada" is no Person). */
static int s_record_cb(const uint8_t *record, size_t len, mash_store_index_texts_t *out,
                       void *arg) {
  (void)arg;
  memset(out, 0, sizeof *out);
  if (len != 10 || memcmp(record, "person Ada", 10) != 0) {
    return -EBADMSG;
  }
  snprintf(out->keys[out->n_keys++], sizeof out->keys[0], "%s", KEYS[0]);
  snprintf(out->address, sizeof out->address, "a:EX1 2AB|1 canal street");
  snprintf(out->terms[out->n_terms++], sizeof out->terms[0], "t:*");
  return 0;
}

static int s_mention_cb(const uint8_t *contact, size_t len, const char *ref,
                        mash_store_index_texts_t *out, void *arg) {
  (void)contact;
  (void)len;
  (void)ref;
  (void)out;
  (void)arg;
  fail_msg("the fixture links no contact");
  return -EINVAL;
}

static const mash_store_reindex_t REINDEX = {s_record_cb, s_mention_cb, NULL};

static mash_store_t *s_open(const fixture_t *f, const mash_seal_t *seal) {
  char err[256];
  mash_store_t *s = mash_store_sqlite_new(f->db, seal, err, sizeof err);
  assert_non_null(s);
  return s;
}

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-rekey-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  snprintf(f->db, sizeof f->db, "%s/mashd.db", f->dir);
  snprintf(f->key, sizeof f->key, "%s/data.key", f->dir);
  snprintf(f->key2, sizeof f->key2, "%s/data.key.2", f->dir);
  snprintf(f->other, sizeof f->other, "%s/other.key", f->dir);
  char err[256];
  mash_seal_t *seal = mash_seal_new(f->key, 1, err, sizeof err);
  assert_non_null(seal);
  mash_store_t *s = s_open(f, seal);
  for (int i = 0; i < 3; i++) {
    mash_intake_t in;
    memset(&in, 0, sizeof in);
    char mid[16];
    snprintf(mid, sizeof mid, "m-%d", i);
    in.principal = "police";
    in.message_id = mid;
    in.received_at_ms = 1700000000000 + i;
    in.contact = (const uint8_t *)CONTACTS[i];
    in.contact_len = strlen(CONTACTS[i]);
    assert_int_equal(mash_store_intake(s, &in), 0);
    snprintf(f->contact_ids[i], sizeof f->contact_ids[i], "%s", in.contact_id);
  }
  assert_int_equal(mash_store_enquiry_insert(s, f->contact_ids[0], 1, 1, 1700000001000,
                                             (const uint8_t *)"decision", 8, f->enquiry_id),
                   0);
  assert_int_equal(mash_store_request_insert(s, f->enquiry_id, "health", 1, 1700000001000,
                                             1700000002000, f->request_id),
                   0);
  assert_int_equal(
      mash_store_request_answer(s, f->request_id, 1700000001500, (const uint8_t *)"answer", 6), 0);
  assert_int_equal(
      mash_store_outbox_insert(s, "msg-1", "health", (const uint8_t *)"frame", 5, 1700000001000),
      0);
  f->person_id[0] = '\0';
  assert_int_equal(mash_store_person_put(s, f->person_id, (const uint8_t *)"person Ada", 10, 1,
                                         "a:EX1 2AB|1 canal street", 1700000001000),
                   0);
  assert_int_equal(mash_store_person_add_keys(s, f->person_id, KEYS, 1), 0);
  mash_store_destroy(&s);
  mash_seal_destroy(&seal);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  assert_int_equal(system(cmd), 0);
  free(f);
  return 0;
}

static int s_found_cb(mash_person_row_t *row, void *arg) {
  *(int *)arg += 1;
  assert_int_equal(row->len, 10);
  assert_memory_equal(row->record, "person Ada", 10);
  free(row->record);
  row->record = NULL;
  return 0;
}

static int s_frame_cb(const char *message_id, const char *target, const uint8_t *frame, size_t len,
                      void *arg) {
  assert_string_equal(message_id, "msg-1");
  assert_string_equal(target, "health");
  assert_int_equal(len, 5);
  assert_memory_equal(frame, "frame", 5);
  *(int *)arg += 1;
  return 0;
}

/* Every sealed thing the fixture stored opens with `seal` and is intact. */
static void s_all_readable(const fixture_t *f, const mash_seal_t *seal) {
  mash_store_t *s = s_open(f, seal);
  for (int i = 0; i < 3; i++) {
    mash_contact_row_t row;
    assert_int_equal(mash_store_contact_get(s, f->contact_ids[i], &row), 0);
    assert_int_equal(row.len, strlen(CONTACTS[i]));
    assert_memory_equal(row.blob, CONTACTS[i], row.len);
    free(row.blob);
  }
  mash_enquiry_row_t e;
  assert_int_equal(mash_store_enquiry_get(s, f->enquiry_id, &e), 0);
  assert_memory_equal(e.decision, "decision", 8);
  free(e.decision);
  mash_request_row_t r;
  assert_int_equal(mash_store_request_get(s, f->request_id, &r), 0);
  assert_memory_equal(r.response, "answer", 6);
  free(r.response);
  int frames = 0, found = 0;
  assert_int_equal(mash_store_outbox_pending(s, s_frame_cb, &frames), 0);
  assert_int_equal(frames, 1);
  assert_int_equal(mash_store_person_find(s, KEYS, 1, s_found_cb, &found), 0);
  assert_int_equal(found, 1); /* the blind index still finds the person */
  mash_store_destroy(&s);
}

/* `seal` opens no contact of the store. */
static void s_none_readable(const fixture_t *f, const mash_seal_t *seal) {
  mash_store_t *s = s_open(f, seal);
  for (int i = 0; i < 3; i++) {
    mash_contact_row_t row;
    memset(&row, 0, sizeof row);
    assert_int_equal(mash_store_contact_get(s, f->contact_ids[i], &row), -EBADMSG);
    free(row.blob);
  }
  mash_person_row_t p;
  memset(&p, 0, sizeof p);
  assert_int_equal(mash_store_person_get(s, f->person_id, &p), -EBADMSG);
  free(p.record);
  /* Nor does its blind-index key find anyone any more. */
  int found = 0;
  assert_int_equal(mash_store_person_find(s, KEYS, 1, s_found_cb, &found), 0);
  assert_int_equal(found, 0);
  mash_store_destroy(&s);
}

static void test_rotation(void **state) {
  fixture_t *f = *state;
  char err[512];
  mash_seal_t *old = mash_seal_new(f->key, 0, err, sizeof err);
  assert_non_null(old);
  mash_seal_t *fresh = mash_seal_new(f->key2, 1, err, sizeof err);
  assert_non_null(fresh);
  assert_int_equal(mash_seal_distinct(old, fresh), 1);
  assert_int_equal(mash_seal_distinct(old, old), 0);
  size_t n = 0;
  assert_int_equal(mash_store_sqlite_rekey(f->db, old, fresh, &REINDEX, &n, err, sizeof err), 0);
  assert_int_equal(n, 3 + 1 + 1 + 1 + 1); /* contacts, decision, answer, frame, person */
  s_none_readable(f, old);
  s_all_readable(f, fresh);
  /* Rotating again from the old key finds nothing it can open: refused. */
  assert_true(mash_store_sqlite_rekey(f->db, old, fresh, &REINDEX, &n, err, sizeof err) < 0);
  assert_non_null(strstr(err, "does not open with the current data key"));
  s_all_readable(f, fresh);
  mash_seal_destroy(&fresh);
  mash_seal_destroy(&old);
}

/* A key that does not open the store: refused at the first blob, and the
 * rollback leaves every blob under the key it had. */
static void test_wrong_key_changes_nothing(void **state) {
  fixture_t *f = *state;
  char err[512];
  mash_seal_t *old = mash_seal_new(f->key, 0, err, sizeof err);
  mash_seal_t *other = mash_seal_new(f->other, 1, err, sizeof err);
  assert_non_null(old);
  assert_non_null(other);
  mash_seal_t *fresh = mash_seal_new(f->key2, 1, err, sizeof err);
  assert_non_null(fresh);
  size_t n = 99;
  assert_int_equal(mash_store_sqlite_rekey(f->db, other, fresh, &REINDEX, &n, err, sizeof err),
                   -EBADMSG);
  assert_int_equal(n, 0);
  assert_non_null(strstr(err, "Nothing was changed"));
  s_all_readable(f, old);
  mash_seal_destroy(&fresh);
  mash_seal_destroy(&other);
  mash_seal_destroy(&old);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wrong_key_changes_nothing, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
