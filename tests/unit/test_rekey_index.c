/* test_rekey_index: a key rotation rotates the blind-index key too
 * (mash_store_sqlite_rekey / mash_store_postgres_rekey with the broker's
 * derivation, resolve_reindex.c), on SQLite and, as test_rekey_index_pg
 * through store_fixture.h, on PostgreSQL: after it no stored blind index
 * (person keys, addresses, term counts) is one the old key makes, the same
 * number of each is stored, and resolution still links new mentions (by
 * name with a typo, by NHS number) to the person recorded before. Real
 * stores, real keys, real resolution. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "resolve.h"
#include "seal.h"
#include "store.h"
#include "store_fixture.h"
#include "test_dir.h"

#define DAY_MS (24LL * 3600 * 1000)
#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */
#define NHS_A "9434765919"
#define BLINDS_MAX 256
#define BLIND_BYTES 16 /* the stored form: 16 bytes of the HMAC */

typedef struct fixture {
  char dir[64], db[128], key[128], key2[128];
  mash_seal_t *seal;
  mash_store_t *store;
  unsigned seq;
} fixture_t;

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-rekey-index-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  char err[256];
  snprintf(f->key, sizeof f->key, "%s/data.key", f->dir);
  snprintf(f->key2, sizeof f->key2, "%s/data.key.2", f->dir);
  snprintf(f->db, sizeof f->db, "%s/mash.db", f->dir);
  f->seal = mash_seal_new(f->key, 1, err, sizeof err);
  assert_non_null(f->seal);
  assert_int_equal(store_fixture_reset(), 0);
  f->store = store_fixture_open(f->db, f->seal, err, sizeof err);
  assert_non_null(f->store);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  assert_int_equal(store_fixture_stop(f->dir, &f->seal, &f->store), 0);
  free(f);
  return 0;
}

/* One child in a notification. */
typedef struct note {
  Mash__V1__Notification n;
  Mash__V1__Person p;
  Mash__V1__Person *children[1];
  Mash__V1__Address addr;
  char *lines[1];
  Mash__V1__Identifier id;
  Mash__V1__Identifier *idp[1];
} note_t;

static void s_note(note_t *t, const char *given, const char *family, const char *nhs,
                   const char *postcode) {
  memset(t, 0, sizeof *t);
  mash__v1__notification__init(&t->n);
  t->n.concern_category = MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT;
  mash__v1__person__init(&t->p);
  t->p.ref = (char *)"c1";
  t->p.given_name = (char *)given;
  t->p.family_name = (char *)family;
  t->p.date_of_birth = (char *)"2019-05-20";
  t->p.sex = MASH__V1__SEX__SEX_FEMALE;
  if (postcode) {
    mash__v1__address__init(&t->addr);
    t->addr.postcode = (char *)postcode;
    t->lines[0] = (char *)"12 Canal Street";
    t->addr.lines = t->lines;
    t->addr.n_lines = 1;
    t->p.address = &t->addr;
  }
  if (nhs) {
    mash__v1__identifier__init(&t->id);
    t->id.kind = MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER;
    t->id.value = (char *)nhs;
    t->idp[0] = &t->id;
    t->p.identifiers = t->idp;
    t->p.n_identifiers = 1;
  }
  t->children[0] = &t->p;
  t->n.children = t->children;
  t->n.n_children = 1;
}

/* Store the notification as mashd does, resolve it, and give how its child
 * was linked (decision and person id). */
static void s_intake(fixture_t *f, note_t *t, int64_t at_ms, char *decision, size_t dlen,
                     char person[MASH_PERSON_ID_LEN]) {
  t->n.occurred_at_ms = at_ms - 3600 * 1000;
  Mash__V1__Contact c = MASH__V1__CONTACT__INIT;
  c.source_principal = (char *)"police";
  c.received_at_ms = at_ms;
  c.notification = &t->n;
  size_t len = mash__v1__contact__get_packed_size(&c);
  uint8_t *buf = malloc(len);
  assert_non_null(buf);
  mash__v1__contact__pack(&c, buf);
  char message_id[32];
  snprintf(message_id, sizeof message_id, "msg-%u", ++f->seq);
  mash_intake_t in;
  memset(&in, 0, sizeof in);
  in.principal = "police";
  in.message_id = message_id;
  in.received_at_ms = at_ms;
  in.contact = buf;
  in.contact_len = len;
  in.occurred_at_ms = t->n.occurred_at_ms;
  in.concern_category = (int)t->n.concern_category;
  in.resolve_later = 1;
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_store_intake(f->store, &in), 0);
  assert_int_equal(mash_store_commit(f->store), 0);
  free(buf);
  assert_int_equal(in.status, MASH_INTAKE_NEW);
  mash_resolve_job_t job;
  memset(&job, 0, sizeof job);
  snprintf(job.contact_id, sizeof job.contact_id, "%s", in.contact_id);
  job.policy = mash_match_policy_default();
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_resolve_contact(f->store, &job), 0);
  assert_int_equal(mash_store_commit(f->store), 0);
  Mash__V1__Contact *out = mash__v1__contact__unpack(NULL, job.contact_len, job.contact);
  free(job.contact);
  assert_non_null(out);
  assert_int_equal(out->n_persons, 1);
  snprintf(decision, dlen, "%s", out->persons[0]->decision);
  snprintf(person, MASH_PERSON_ID_LEN, "%s", out->persons[0]->person_id);
  mash__v1__contact__free_unpacked(out, NULL);
}

/* Every blind index the store holds, as lower-case hex, into out. */
typedef struct blinds {
  char hex[BLINDS_MAX][2 * BLIND_BYTES + 1];
  size_t n, keys, terms, addresses;
} blinds_t;

static const char *const SQL_BLINDS[3] = {
    "SELECT lower(hex(key)) FROM person_keys",
    "SELECT lower(hex(key)) FROM person_terms",
    "SELECT lower(hex(address_key)) FROM persons WHERE address_key IS NOT NULL",
};
static const char *const PG_BLINDS[3] = {
    "SELECT encode(key, 'hex') FROM person_keys",
    "SELECT encode(key, 'hex') FROM person_terms",
    "SELECT encode(address_key, 'hex') FROM persons WHERE address_key IS NOT NULL",
};

static void s_add(blinds_t *b, size_t *count, const char *hex) {
  assert_true(b->n < BLINDS_MAX);
  assert_int_equal(strlen(hex), 2 * BLIND_BYTES);
  snprintf(b->hex[b->n++], sizeof b->hex[0], "%s", hex);
  (*count)++;
}

static void s_blinds(const fixture_t *f, blinds_t *b) {
  memset(b, 0, sizeof *b);
  size_t *counts[3] = {&b->keys, &b->terms, &b->addresses};
  for (int q = 0; q < 3; q++) {
    if (!store_fixture_is_pg()) {
      sqlite3 *db = NULL;
      sqlite3_stmt *st = NULL;
      assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
      assert_int_equal(sqlite3_prepare_v2(db, SQL_BLINDS[q], -1, &st, NULL), SQLITE_OK);
      while (sqlite3_step(st) == SQLITE_ROW) {
        s_add(b, counts[q], (const char *)sqlite3_column_text(st, 0));
      }
      sqlite3_finalize(st);
      sqlite3_close(db);
      continue;
    }
#ifdef MASH_TEST_HAVE_PG
    PGconn *c = PQconnectdb(store_fixture_pg_url());
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *r = PQexec(c, PG_BLINDS[q]);
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    for (int i = 0; i < PQntuples(r); i++) {
      s_add(b, counts[q], PQgetvalue(r, i, 0));
    }
    PQclear(r);
    PQfinish(c);
#else
    fail_msg("built without libpq");
#endif
  }
}

static bool s_has(const blinds_t *b, const char *hex) {
  for (size_t i = 0; i < b->n; i++) {
    if (strcmp(b->hex[i], hex) == 0) {
      return true;
    }
  }
  return false;
}

/* The stored form of `text` under `seal`: 16 bytes of its blind index. */
static void s_blind_hex(const mash_seal_t *seal, const char *text, char out[33]) {
  char full[65];
  mash_seal_blind_index(seal, text, full);
  snprintf(out, 33, "%.32s", full);
}

/* Every text the broker indexes a person under: a record's keys, terms
 * and address, or (record false) a mention's keys. */
static size_t s_texts(const char *given, const char *family, const char *nhs, bool record,
                      char (*out)[256], size_t max) {
  note_t t;
  s_note(&t, given, family, nhs, "EX1 2AB");
  size_t len = mash__v1__person__get_packed_size(&t.p);
  uint8_t *buf = malloc(len);
  assert_non_null(buf);
  mash__v1__person__pack(&t.p, buf);
  mash_store_reindex_t how;
  mash_resolve_reindex_init(&how);
  mash_store_index_texts_t *x = malloc(sizeof *x);
  assert_non_null(x);
  assert_int_equal(how.record_cb(buf, len, x, how.arg), 0);
  free(buf);
  size_t n = 0;
  for (size_t i = 0; i < x->n_keys && n < max; i++) {
    snprintf(out[n++], 256, "%s", x->keys[i]);
  }
  for (size_t i = 0; record && i < x->n_terms && n < max; i++) {
    if (x->terms[i][0] != '\0') {
      snprintf(out[n++], 256, "%s", x->terms[i]);
    }
  }
  if (record && x->address[0] != '\0' && n < max) {
    snprintf(out[n++], 256, "%s", x->address);
  }
  free(x);
  return n;
}

static void test_rekey_rotates_blind_indexes(void **state) {
  fixture_t *f = *state;
  char decision[32], first[MASH_PERSON_ID_LEN], p[MASH_PERSON_ID_LEN];
  note_t t;
  s_note(&t, "Maya", "Hartley", NHS_A, "EX1 2AB");
  s_intake(f, &t, T0, decision, sizeof decision, first);
  assert_string_equal(decision, "new");
  /* A typo that links: its keys are added to the record. */
  s_note(&t, "Maya", "Hatrley", NULL, "EX1 2AB");
  s_intake(f, &t, T0 + DAY_MS, decision, sizeof decision, p);
  assert_string_equal(decision, "auto_link");
  assert_string_equal(p, first);
  s_note(&t, "Leo", "Okafor", NULL, "EX4 4QJ");
  s_intake(f, &t, T0 + 2 * DAY_MS, decision, sizeof decision, p);
  assert_string_equal(decision, "new");
  const char *total = MASH_MATCH_TERM_TOTAL;
  int64_t records_before = 0;
  assert_int_equal(mash_store_term_counts(f->store, &total, 1, &records_before), 0);
  assert_int_equal(records_before, 2);
  mash_store_destroy(&f->store);

  static blinds_t before, after;
  s_blinds(f, &before);
  char texts[64][256];
  size_t n_texts = s_texts("Maya", "Hartley", NHS_A, true, texts, 32);
  n_texts += s_texts("Maya", "Hatrley", NULL, false, texts + n_texts, 32);
  assert_true(n_texts > 4);
  /* What the old key makes is what was stored (so the check below can fail). */
  for (size_t i = 0; i < n_texts; i++) {
    char hex[33];
    s_blind_hex(f->seal, texts[i], hex);
    if (!s_has(&before, hex)) {
      fail_msg("text %zu of %zu is not indexed", i, n_texts);
    }
  }

  char err[512];
  mash_seal_t *fresh = mash_seal_new(f->key2, 1, err, sizeof err);
  assert_non_null(fresh);
  mash_store_reindex_t how;
  mash_resolve_reindex_init(&how);
  size_t n = 0;
  int rc = store_fixture_is_pg()
               ? mash_store_postgres_rekey(store_fixture_pg_url(), f->seal, fresh, &how, &n, err,
                                           sizeof err)
               : mash_store_sqlite_rekey(f->db, f->seal, fresh, &how, &n, err, sizeof err);
  if (rc != 0) {
    fail_msg("rekey: %s", err);
  }
  assert_true(n >= 3 + 2); /* three contacts and two person records at least */

  s_blinds(f, &after);
  assert_int_equal(after.keys, before.keys);
  assert_int_equal(after.terms, before.terms);
  assert_int_equal(after.addresses, before.addresses);
  for (size_t i = 0; i < before.n; i++) {
    assert_false(s_has(&after, before.hex[i])); /* nothing stored under the old key is left */
  }
  for (size_t i = 0; i < n_texts; i++) {
    char hex[33];
    s_blind_hex(f->seal, texts[i], hex);
    assert_false(s_has(&after, hex));
    s_blind_hex(fresh, texts[i], hex);
    assert_true(s_has(&after, hex));
  }

  /* Under the new key: the counts are as they were, and new mentions find
   * the person recorded before the rotation. */
  mash_seal_destroy(&f->seal);
  f->seal = fresh;
  f->store = store_fixture_open(f->db, f->seal, err, sizeof err);
  assert_non_null(f->store);
  int64_t records_after = 0;
  assert_int_equal(mash_store_term_counts(f->store, &total, 1, &records_after), 0);
  assert_int_equal(records_after, records_before);
  s_note(&t, "Maya", "Hatrley", NULL, "EX1 2AB");
  s_intake(f, &t, T0 + 3 * DAY_MS, decision, sizeof decision, p);
  assert_string_equal(decision, "auto_link");
  assert_string_equal(p, first);
  s_note(&t, "Mya", "Smith", NHS_A, NULL);
  s_intake(f, &t, T0 + 4 * DAY_MS, decision, sizeof decision, p);
  assert_string_equal(decision, "identifier");
  assert_string_equal(p, first);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_rekey_rotates_blind_indexes, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
