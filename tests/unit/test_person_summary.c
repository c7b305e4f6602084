/* test_person_summary: the store's comparison summaries (store.h,
 * mash_store_person_summarise; migration 11) on SQLite, or on PostgreSQL
 * as test_person_summary_pg through store_fixture.h, with the same
 * expectations: a look-up hands a person's summary instead of the record
 * once one is kept, and the record again once it is put anew; merged
 * people and unknown ids keep none; a look-up of people with and without
 * one gives them all in id order; a summary moved onto another person does
 * not open; resolve.h's mash_resolve_summarise and
 * mash_resolve_summaries_fill write what the matcher reads back; the
 * warm-up (mash_store_person_warm) reads the look-up's tables; a key too
 * common is skipped by a look-up; term counts skip NULL and empty keys
 * (store_logic's walk over keys, the same on both engines); a summary
 * written in a transaction or savepoint that is undone is never handed
 * out, and another connection's change is seen (SQLite holds summaries
 * in memory, store_sumcache.c); a person's relatives come each once, in
 * id order, without those merged away. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "match.h"
#include "resolve.h"
#include "seal.h"
#include "store.h"
#include "store_fixture.h"
#include "store_sqlite_int.h"
#include "test_dir.h"

#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */
#define KEY "d:2019-05-20"
#define PEOPLE 70 /* more than one statement's worth (64) */

typedef struct fixture {
  char dir[64];
  mash_seal_t *seal;
  mash_store_t *store;
} fixture_t;

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-summary-XXXXXX");
  char err[256];
  if (store_fixture_start(f->dir, &f->seal, &f->store, err, sizeof err) != 0) {
    fail_msg("%s", err);
  }
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture_t *f = *state;
  assert_int_equal(store_fixture_stop(f->dir, &f->seal, &f->store), 0);
  free(f);
  return 0;
}

/* Person i's serialized record (malloc'd): "Child<i> Hartley", born on
 * KEY's date, a girl. */
static uint8_t *s_record(int i, size_t *len) {
  char given[32];
  snprintf(given, sizeof given, "Child%c%c", 'a' + i / 26, 'a' + i % 26);
  Mash__V1__Person p = MASH__V1__PERSON__INIT;
  p.given_name = given;
  p.family_name = (char *)"Hartley";
  p.date_of_birth = (char *)"2019-05-20";
  p.sex = MASH__V1__SEX__SEX_FEMALE;
  *len = mash__v1__person__get_packed_size(&p);
  uint8_t *buf = malloc(*len);
  assert_non_null(buf);
  mash__v1__person__pack(&p, buf);
  return buf;
}

/* Put person i (a new record when id is ""), indexed under KEY. */
static void s_put(fixture_t *f, int i, char id[MASH_PERSON_ID_LEN], int summarise) {
  size_t len = 0;
  uint8_t *rec = s_record(i, &len);
  bool create = id[0] == '\0';
  assert_int_equal(mash_store_person_put(f->store, id, rec, len, i % 2, NULL, T0 + i), 0);
  if (create) {
    const char *keys[1] = {KEY};
    assert_int_equal(mash_store_person_add_keys(f->store, id, keys, 1), 0);
  }
  if (summarise) {
    assert_int_equal(mash_resolve_summarise(f->store, id, rec, len), 0);
  }
  free(rec);
}

/* s_put in a transaction of its own. */
static void s_put_committed(fixture_t *f, int i, char id[MASH_PERSON_ID_LEN], int summarise) {
  assert_int_equal(mash_store_begin(f->store), 0);
  s_put(f, i, id, summarise);
  assert_int_equal(mash_store_commit(f->store), 0);
}

/* People 0 and 1 as a and b, summarised, committed. */
static void s_put_pair(fixture_t *f, char a[MASH_PERSON_ID_LEN], char b[MASH_PERSON_ID_LEN]) {
  assert_int_equal(mash_store_begin(f->store), 0);
  s_put(f, 0, a, 1);
  s_put(f, 1, b, 1);
  assert_int_equal(mash_store_commit(f->store), 0);
}

typedef struct seen {
  size_t n, with_summary;
  char ids[PEOPLE + 4][MASH_PERSON_ID_LEN];
  int is_child[PEOPLE + 4];
  char forename[PEOPLE + 4][MASH_MATCH_NAME_SIZE]; /* as the matcher reads it */
} seen_t;

static int s_seen_cb(mash_person_row_t *row, void *arg) {
  seen_t *s = arg;
  assert_true(s->n < PEOPLE + 4);
  snprintf(s->ids[s->n], MASH_PERSON_ID_LEN, "%s", row->person_id);
  s->is_child[s->n] = row->is_child;
  mash_match_person_t mp;
  if (row->summary != NULL) {
    assert_null(row->record);
    assert_int_equal(mash_match_summary_read(&mp, row->summary, row->summary_len), 0);
    s->with_summary++;
  } else {
    assert_non_null(row->record);
    Mash__V1__Person *p = mash__v1__person__unpack(NULL, row->len, row->record);
    assert_non_null(p);
    mash_match_person_from_pb(&mp, p);
    mash__v1__person__free_unpacked(p, NULL);
  }
  snprintf(s->forename[s->n], MASH_MATCH_NAME_SIZE, "%s", mp.forename);
  s->n++;
  return 0;
}

static void s_find(fixture_t *f, seen_t *s) {
  memset(s, 0, sizeof *s);
  const char *keys[1] = {KEY};
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_store_person_find(f->store, keys, 1, s_seen_cb, s), 0);
  assert_int_equal(mash_store_commit(f->store), 0);
}

/* A summary replaces the record in a look-up; putting the record again
 * drops it (it would describe the old record). */
static void test_summary_then_record_again(void **state) {
  fixture_t *f = *state;
  char id[MASH_PERSON_ID_LEN] = "";
  s_put_committed(f, 0, id, 0);
  seen_t s;
  s_find(f, &s);
  assert_int_equal(s.n, 1);
  assert_int_equal(s.with_summary, 0);
  assert_int_equal(mash_store_begin(f->store), 0);
  size_t len = 0;
  uint8_t *rec = s_record(0, &len);
  assert_int_equal(mash_resolve_summarise(f->store, id, rec, len), 0);
  free(rec);
  assert_int_equal(mash_store_commit(f->store), 0);
  s_find(f, &s);
  assert_int_equal(s.n, 1);
  assert_int_equal(s.with_summary, 1);
  assert_string_equal(s.ids[0], id);
  assert_string_equal(s.forename[0], "childaa");
  assert_int_equal(s.is_child[0], 0);
  /* Put again (now a child, the store keeps the larger): the record is
   * read, with the new is_child. */
  assert_int_equal(mash_store_begin(f->store), 0);
  rec = s_record(1, &len);
  assert_int_equal(mash_store_person_put(f->store, id, rec, len, 1, NULL, T0 + 5), 0);
  assert_int_equal(mash_store_commit(f->store), 0);
  s_find(f, &s);
  assert_int_equal(s.with_summary, 0);
  assert_string_equal(s.forename[0], "childab");
  /* Summarised again: the summary carries the store's is_child. */
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_resolve_summarise(f->store, id, rec, len), 0);
  assert_int_equal(mash_store_commit(f->store), 0);
  free(rec);
  s_find(f, &s);
  assert_int_equal(s.with_summary, 1);
  assert_string_equal(s.forename[0], "childab");
  assert_int_equal(s.is_child[0], 1);
}

/* Person id put again as person i, summarised, and looked up (so that a
 * store holding summaries in memory holds the new one), inside the open
 * transaction. */
static void s_rewrite_and_look(fixture_t *f, const char *id, int i, const char *forename) {
  size_t len = 0;
  uint8_t *rec = s_record(i, &len);
  char pid[MASH_PERSON_ID_LEN];
  snprintf(pid, sizeof pid, "%s", id);
  assert_int_equal(mash_store_person_put(f->store, pid, rec, len, 0, NULL, T0 + 9), 0);
  assert_int_equal(mash_resolve_summarise(f->store, pid, rec, len), 0);
  free(rec);
  seen_t s;
  memset(&s, 0, sizeof s);
  const char *keys[1] = {KEY};
  assert_int_equal(mash_store_person_find(f->store, keys, 1, s_seen_cb, &s), 0);
  assert_int_equal(s.with_summary, 1);
  assert_string_equal(s.forename[0], forename);
}

/* A summary written and read back in a transaction that is rolled back,
 * or in a savepoint undone, is never handed out afterwards: the look-up
 * sees the committed one (SQLite holds summaries in memory; this is what
 * must forget them). */
static void test_undone_summary_not_seen(void **state) {
  fixture_t *f = *state;
  char id[MASH_PERSON_ID_LEN] = "";
  s_put_committed(f, 0, id, 1);
  seen_t s;
  s_find(f, &s); /* held from here on, where summaries are held */
  assert_string_equal(s.forename[0], "childaa");

  assert_int_equal(mash_store_begin(f->store), 0);
  s_rewrite_and_look(f, id, 3, "childad");
  assert_int_equal(mash_store_rollback(f->store), 0);
  s_find(f, &s);
  assert_int_equal(s.n, 1);
  assert_int_equal(s.with_summary, 1);
  assert_string_equal(s.forename[0], "childaa");

  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_store_savepoint(f->store), 0);
  s_rewrite_and_look(f, id, 4, "childae");
  assert_int_equal(mash_store_release(f->store, 0), 0); /* undone */
  assert_int_equal(mash_store_commit(f->store), 0);
  s_find(f, &s);
  assert_string_equal(s.forename[0], "childaa");

  /* Kept by a savepoint and committed: the new one from then on. */
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_store_savepoint(f->store), 0);
  s_rewrite_and_look(f, id, 5, "childaf");
  assert_int_equal(mash_store_release(f->store, 1), 0);
  assert_int_equal(mash_store_commit(f->store), 0);
  s_find(f, &s);
  assert_string_equal(s.forename[0], "childaf");
}

/* SQLite rolls a transaction back by itself on some errors (SQLITE_FULL,
 * SQLITE_IOERR, SQLITE_NOMEM: "the transaction may be rolled back
 * automatically"), without the store's rollback being called: a summary the
 * transaction wrote and read back must not be handed out afterwards. In
 * mashd that is the rest of a batch after an intake or a call whose error
 * ended the transaction (storage.c run_batch goes on with the next op). */
static void test_automatic_rollback_forgets(void **state) {
  fixture_t *f = *state;
  if (store_fixture_is_pg()) {
    skip(); /* PostgreSQL holds no summaries in memory */
  }
  char id[MASH_PERSON_ID_LEN] = "";
  s_put_committed(f, 0, id, 1);
  seen_t s;
  s_find(f, &s);
  assert_string_equal(s.forename[0], "childaa");

  sqlite3 *db = store_sqlite_db(f->store);
  assert_int_equal(mash_store_begin(f->store), 0);
  s_rewrite_and_look(f, id, 3, "childad"); /* held: the transaction's own */
  /* The file may grow no more: the next page needed fails with SQLITE_FULL. */
  assert_int_equal(sqlite3_exec(db, "PRAGMA max_page_count = 1", NULL, NULL, NULL), SQLITE_OK);
  size_t len = 70000;
  uint8_t *big = calloc(1, len);
  assert_non_null(big);
  char other[MASH_PERSON_ID_LEN] = "";
  assert_true(mash_store_person_put(f->store, other, big, len, 0, NULL, T0 + 20) < 0);
  free(big);
  assert_int_equal(sqlite3_get_autocommit(db), 1); /* SQLite rolled it all back */
  assert_int_equal(sqlite3_exec(db, "PRAGMA max_page_count = 1073741823", NULL, NULL, NULL),
                   SQLITE_OK);

  /* The next op of the batch: the store holds the committed summary. */
  assert_int_equal(mash_store_savepoint(f->store), 0);
  memset(&s, 0, sizeof s);
  const char *keys[1] = {KEY};
  assert_int_equal(mash_store_person_find(f->store, keys, 1, s_seen_cb, &s), 0);
  assert_int_equal(mash_store_release(f->store, 1), 0);
  assert_int_equal(s.n, 1);
  assert_int_equal(s.with_summary, 1);
  assert_string_equal(s.forename[0], "childaa");
  /* Straight after, outside any op's savepoint, too. */
  memset(&s, 0, sizeof s);
  assert_int_equal(mash_store_person_find(f->store, keys, 1, s_seen_cb, &s), 0);
  assert_string_equal(s.forename[0], "childaa");
  (void)mash_store_commit(f->store); /* no transaction: fails, as in run_batch */
  (void)mash_store_rollback(f->store);
  s_find(f, &s);
  assert_string_equal(s.forename[0], "childaa");
}

/* Another connection changing the store (a tool run against it) is seen
 * by the next look-up, not hidden behind what is held in memory; on
 * SQLite the summaries held are counted and found there. */
static void test_other_connection_seen(void **state) {
  fixture_t *f = *state;
  char a[MASH_PERSON_ID_LEN] = "", b[MASH_PERSON_ID_LEN] = "";
  s_put_pair(f, a, b);
  assert_int_equal(mash_store_person_warm(f->store, NULL), 0);
  mash_store_person_cache_t before, after;
  int held = mash_store_person_cache(f->store, &before) == 0;
  assert_int_equal(held, !store_fixture_is_pg());
  seen_t s;
  s_find(f, &s);
  assert_int_equal(s.with_summary, 2);
  if (held) { /* both found in memory, none read */
    assert_int_equal(mash_store_person_cache(f->store, &after), 0);
    assert_int_equal(before.entries, 2);
    assert_int_equal(after.hits - before.hits, 2);
    assert_int_equal(after.misses, before.misses);
  }
  char path[128];
  snprintf(path, sizeof path, "%s/mash.db", f->dir);
  assert_int_equal(store_fixture_sql(path, "DELETE FROM person_summaries WHERE id = 1"), 0);
  s_find(f, &s);
  assert_int_equal(s.n, 2);
  assert_int_equal(s.with_summary, 1); /* a's record read: its summary is gone */
  assert_string_equal(s.ids[0], a);
  assert_string_equal(s.forename[0], "childaa");
}

static int s_relative_cb(mash_person_row_t *row, void *arg) {
  seen_t *s = arg;
  assert_true(s->n < PEOPLE + 4);
  assert_null(row->record);
  snprintf(s->ids[s->n], MASH_PERSON_ID_LEN, "%s", row->person_id);
  s->is_child[s->n] = row->is_child;
  s->n++;
  return 0;
}

/* A person's relatives: those with lower ids and higher ones, each once,
 * lowest first, with is_child; one merged away is not among them, the
 * record it went into once. */
static void test_relatives_in_order(void **state) {
  fixture_t *f = *state;
  char id[6][MASH_PERSON_ID_LEN];
  memset(id, 0, sizeof id);
  assert_int_equal(mash_store_begin(f->store), 0);
  for (int i = 0; i < 6; i++) {
    s_put(f, i, id[i], 0);
  }
  /* 2 with 0, 1, 3, 4 and 5 (either way round); 3 and 5 with each other. */
  assert_int_equal(mash_store_person_relate(f->store, id[2], id[4], T0), 0);
  assert_int_equal(mash_store_person_relate(f->store, id[0], id[2], T0), 0);
  assert_int_equal(mash_store_person_relate(f->store, id[2], id[1], T0), 0);
  assert_int_equal(mash_store_person_relate(f->store, id[5], id[2], T0), 0);
  assert_int_equal(mash_store_person_relate(f->store, id[3], id[2], T0), 0);
  assert_int_equal(mash_store_person_relate(f->store, id[2], id[3], T0), 0); /* again */
  assert_int_equal(mash_store_person_relate(f->store, id[3], id[5], T0), 0);
  assert_int_equal(mash_store_commit(f->store), 0);
  seen_t s;
  memset(&s, 0, sizeof s);
  assert_int_equal(mash_store_person_relatives(f->store, id[2], s_relative_cb, &s), 0);
  assert_int_equal(s.n, 5);
  const int want[5] = {0, 1, 3, 4, 5};
  for (int i = 0; i < 5; i++) {
    assert_string_equal(s.ids[i], id[want[i]]);
    assert_int_equal(s.is_child[i], want[i] % 2);
  }
  /* 4 merged into 5 (both 2's relatives already): 0, 1, 3, 5. */
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_store_person_merge(f->store, id[4], id[5], "test", T0 + 1), 0);
  assert_int_equal(mash_store_commit(f->store), 0);
  memset(&s, 0, sizeof s);
  assert_int_equal(mash_store_person_relatives(f->store, id[2], s_relative_cb, &s), 0);
  assert_int_equal(s.n, 4);
  const int after[4] = {0, 1, 3, 5};
  for (int i = 0; i < 4; i++) {
    assert_string_equal(s.ids[i], id[after[i]]);
  }
  memset(&s, 0, sizeof s);
  assert_int_equal(mash_store_person_relatives(f->store, id[5], s_relative_cb, &s), 0);
  assert_int_equal(s.n, 2); /* 2 and 3; 4's own tie to 2 came with it, once */
  assert_string_equal(s.ids[0], id[2]);
  assert_string_equal(s.ids[1], id[3]);
}

/* People with and without a summary in one look-up, across two
 * statements' worth: each once, lowest id first, whatever they came with. */
static void test_mixed_look_up_in_order(void **state) {
  fixture_t *f = *state;
  char ids[PEOPLE][MASH_PERSON_ID_LEN];
  assert_int_equal(mash_store_begin(f->store), 0);
  for (int i = 0; i < PEOPLE; i++) {
    ids[i][0] = '\0';
    /* Summaries for a third, in runs, so a chunk holds both kinds, all of
     * one kind, and the kinds at its ends. */
    s_put(f, i, ids[i], (i / 3) % 2 == 0 || i >= 60);
  }
  assert_int_equal(mash_store_commit(f->store), 0);
  seen_t s;
  s_find(f, &s);
  assert_int_equal(s.n, PEOPLE);
  size_t want = 0;
  for (int i = 0; i < PEOPLE; i++) {
    assert_string_equal(s.ids[i], ids[i]);
    char given[32];
    snprintf(given, sizeof given, "child%c%c", 'a' + i / 26, 'a' + i % 26);
    assert_string_equal(s.forename[i], given);
    assert_int_equal(s.is_child[i], i % 2);
    want += (i / 3) % 2 == 0 || i >= 60;
  }
  assert_int_equal(s.with_summary, want);
  /* The walk that fills them all. */
  size_t filled = 0;
  assert_int_equal(mash_resolve_summaries_fill(f->store, 16, &filled), 0);
  assert_int_equal(filled, PEOPLE);
  s_find(f, &s);
  assert_int_equal(s.n, PEOPLE);
  assert_int_equal(s.with_summary, PEOPLE);
}

/* A merged person keeps no summary and is never found; an unknown or
 * merged id cannot get one; bad lengths are refused. */
static void test_merged_and_unknown(void **state) {
  fixture_t *f = *state;
  char a[MASH_PERSON_ID_LEN] = "", b[MASH_PERSON_ID_LEN] = "";
  assert_int_equal(mash_store_begin(f->store), 0);
  s_put(f, 0, a, 1);
  s_put(f, 1, b, 1);
  assert_int_equal(mash_store_person_merge(f->store, b, a, "; merged", T0 + 9), 0);
  uint8_t one = 1;
  assert_int_equal(mash_store_person_summarise(f->store, b, &one, 1), -ENOENT);
  assert_int_equal(mash_store_person_summarise(f->store, "P-999999", &one, 1), -ENOENT);
  assert_int_equal(mash_store_person_summarise(f->store, "nobody", &one, 1), -ENOENT);
  assert_int_equal(mash_store_person_summarise(f->store, a, &one, 0), -EINVAL);
  assert_int_equal(mash_store_person_summarise(f->store, a, NULL, 1), -EINVAL);
  static uint8_t big[MASH_PERSON_SUMMARY_MAX + 1];
  assert_int_equal(mash_store_person_summarise(f->store, a, big, sizeof big), -EINVAL);
  assert_int_equal(mash_store_commit(f->store), 0);
  seen_t s;
  s_find(f, &s);
  assert_int_equal(s.n, 1);
  assert_string_equal(s.ids[0], a);
  assert_int_equal(s.with_summary, 1);
}

/* A summary is sealed with its person's id: moved onto another person it
 * does not open, and the look-up fails rather than skip anyone. */
static void test_moved_summary_refused(void **state) {
  fixture_t *f = *state;
  char a[MASH_PERSON_ID_LEN] = "", b[MASH_PERSON_ID_LEN] = "";
  s_put_pair(f, a, b);
  char path[128];
  snprintf(path, sizeof path, "%s/mash.db", f->dir);
  assert_int_equal(store_fixture_sql(path, "UPDATE person_summaries SET summary = "
                                           "(SELECT summary FROM person_summaries WHERE id = 1) "
                                           "WHERE id = 2"),
                   0);
  seen_t s;
  memset(&s, 0, sizeof s);
  const char *keys[1] = {KEY};
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_store_person_find(f->store, keys, 1, s_seen_cb, &s), -EBADMSG);
  assert_int_equal(mash_store_rollback(f->store), 0);
}

/* The warm-up reads the look-up's tables: nothing in an empty store, more
 * once people, keys and summaries are kept; it changes nothing. */
static void test_warm_reads_the_tables(void **state) {
  fixture_t *f = *state;
  int64_t empty = -1, full = -1;
  assert_int_equal(mash_store_person_warm(f->store, &empty), 0);
  assert_int_equal(empty, 0);
  char id[MASH_PERSON_ID_LEN] = "";
  s_put_committed(f, 0, id, 1);
  assert_int_equal(mash_store_person_warm(f->store, &full), 0);
  /* One key of 16 bytes (and its person) and one summary at least. */
  assert_true(full > 16 + 8);
  assert_int_equal(mash_store_person_warm(f->store, NULL), 0);
  seen_t s;
  s_find(f, &s);
  assert_int_equal(s.n, 1);
  assert_int_equal(s.with_summary, 1);
}

/* A look-up skips a key that more than 1,000 people share (it tells no
 * one apart) and keeps one that exactly 1,000 share; the people under the
 * other keys are found all the same. Key rows need no person row, so
 * people 1 to 1,001 are indexed and only person 1 has a record. */
static void test_key_too_common_skipped(void **state) {
  fixture_t *f = *state;
  char id[MASH_PERSON_ID_LEN] = "";
  assert_int_equal(mash_store_begin(f->store), 0);
  s_put(f, 0, id, 0);
  assert_string_equal(id, "P-000001");
  const char *edge[1] = {"n:edge"}, *common[1] = {"n:common"};
  for (int i = 1; i <= 1001; i++) {
    char other[MASH_PERSON_ID_LEN];
    snprintf(other, sizeof other, "P-%06d", i);
    assert_int_equal(mash_store_person_add_keys(f->store, other, common, 1), 0);
    if (i <= 1000) {
      assert_int_equal(mash_store_person_add_keys(f->store, other, edge, 1), 0);
    }
  }
  seen_t s;
  memset(&s, 0, sizeof s);
  assert_int_equal(mash_store_person_find(f->store, common, 1, s_seen_cb, &s), 0);
  assert_int_equal(s.n, 0);
  assert_int_equal(mash_store_person_find(f->store, edge, 1, s_seen_cb, &s), 0);
  assert_int_equal(s.n, 1);
  assert_string_equal(s.ids[0], "P-000001");
  const char *both[2] = {"n:common", KEY};
  memset(&s, 0, sizeof s);
  assert_int_equal(mash_store_person_find(f->store, both, 2, s_seen_cb, &s), 0);
  assert_int_equal(s.n, 1);
  assert_string_equal(s.ids[0], "P-000001");
  assert_int_equal(mash_store_commit(f->store), 0);
}

/* Term counts: NULL and empty keys are skipped (and count 0), a key
 * counted twice in one call counts 2, a count never goes below 0, and the
 * arguments are checked. */
static void test_term_counts_skip_empty(void **state) {
  fixture_t *f = *state;
  const char *add[4] = {"t:f:amy", "", NULL, "t:f:amy"};
  const char *read[4] = {"t:f:amy", "", NULL, "t:f:zoe"};
  int64_t counts[4] = {99, 99, 99, 99};
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_store_term_add(f->store, add, 4, 1), 0);
  assert_int_equal(mash_store_term_counts(f->store, read, 4, counts), 0);
  assert_int_equal(counts[0], 2);
  assert_int_equal(counts[1], 0);
  assert_int_equal(counts[2], 0);
  assert_int_equal(counts[3], 0);
  assert_int_equal(mash_store_term_add(f->store, add, 1, -5), 0);
  assert_int_equal(mash_store_term_counts(f->store, read, 1, counts), 0);
  assert_int_equal(counts[0], 0);
  assert_int_equal(mash_store_term_add(f->store, NULL, 1, 1), -EINVAL);
  assert_int_equal(mash_store_term_counts(f->store, NULL, 1, counts), -EINVAL);
  assert_int_equal(mash_store_term_counts(f->store, read, 1, NULL), -EINVAL);
  assert_int_equal(mash_store_person_add_keys(f->store, "M-000001", read, 1), -EINVAL);
  assert_int_equal(mash_store_person_add_keys(f->store, "P-000001", NULL, 1), -EINVAL);
  assert_int_equal(mash_store_commit(f->store), 0);
}

static int s_id_cb(mash_person_row_t *row, void *arg) {
  seen_t *s = arg;
  assert_true(s->n < PEOPLE + 4);
  assert_null(row->record);
  snprintf(s->ids[s->n], MASH_PERSON_ID_LEN, "%s", row->person_id);
  s->is_child[s->n++] = row->is_child;
  return 0;
}

/* A put keeps the address as its blind index (housemates share it), an
 * update without one keeps the stored address, an update raises is_child
 * only, an update of no live person is -ENOENT and a put without record or
 * id -EINVAL (store_logic_person_put, the same on both engines). */
static void test_put_address_and_update(void **state) {
  fixture_t *f = *state;
  char a[MASH_PERSON_ID_LEN] = "", b[MASH_PERSON_ID_LEN] = "";
  size_t len = 0;
  uint8_t *rec = s_record(0, &len);
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_store_person_put(f->store, a, rec, len, 1, "a:EX1 2AB|1 canal st", T0), 0);
  assert_int_equal(mash_store_person_put(f->store, b, rec, len, 0, "a:EX1 2AB|1 canal st", T0), 0);
  assert_string_equal(a, "P-000001");
  assert_string_equal(b, "P-000002");
  assert_int_equal(mash_store_person_put(f->store, a, rec, len, 0, NULL, T0 + 1), 0);
  seen_t s;
  memset(&s, 0, sizeof s);
  assert_int_equal(mash_store_person_housemates(f->store, b, T0, 8, s_id_cb, &s), 0);
  assert_int_equal(s.n, 1);
  assert_string_equal(s.ids[0], "P-000001");
  assert_int_equal(s.is_child[0], 1);
  char missing[MASH_PERSON_ID_LEN] = "P-000099", bad[MASH_PERSON_ID_LEN] = "M-000001";
  assert_int_equal(mash_store_person_put(f->store, missing, rec, len, 0, NULL, T0), -ENOENT);
  assert_int_equal(mash_store_person_put(f->store, bad, rec, len, 0, NULL, T0), -ENOENT);
  assert_int_equal(mash_store_person_put(f->store, a, NULL, 0, 0, NULL, T0), -EINVAL);
  assert_int_equal(mash_store_commit(f->store), 0);
  free(rec);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_summary_then_record_again, setup, teardown),
      cmocka_unit_test_setup_teardown(test_undone_summary_not_seen, setup, teardown),
      cmocka_unit_test_setup_teardown(test_other_connection_seen, setup, teardown),
      cmocka_unit_test_setup_teardown(test_automatic_rollback_forgets, setup, teardown),
      cmocka_unit_test_setup_teardown(test_relatives_in_order, setup, teardown),
      cmocka_unit_test_setup_teardown(test_mixed_look_up_in_order, setup, teardown),
      cmocka_unit_test_setup_teardown(test_merged_and_unknown, setup, teardown),
      cmocka_unit_test_setup_teardown(test_moved_summary_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_warm_reads_the_tables, setup, teardown),
      cmocka_unit_test_setup_teardown(test_key_too_common_skipped, setup, teardown),
      cmocka_unit_test_setup_teardown(test_term_counts_skip_empty, setup, teardown),
      cmocka_unit_test_setup_teardown(test_put_address_and_update, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
