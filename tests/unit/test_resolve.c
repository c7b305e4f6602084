/* test_resolve: person resolution against a real person index (SQLite, or
 * PostgreSQL as test_resolve_pg through store_fixture.h, with the same
 * expectations: a contact resolves alike on either store): identifier
 * links, the surname typo that auto-links, possible matches and their
 * review, twins in one notification, duplicates, households, prior
 * contacts in 12 months, the domestic-abuse count and the priority inputs. */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_dir.h"
#include "resolve.h"
#include "seal.h"
#include "store.h"
#include "store_fixture.h"

#define DAY_MS (24LL * 3600 * 1000)
#define T0 1767225600000LL /* 2026-01-01T00:00:00Z */

typedef struct fixture {
  char dir[64];
  mash_seal_t *seal;
  mash_store_t *store;
  unsigned seq;
} fixture_t;

static int setup(void **state) {
  fixture_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-resolve-XXXXXX");
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

/* ---------------------------------------------------------------- notifications */

typedef struct person_spec {
  const char *ref, *given, *family, *dob, *postcode, *line, *nhs;
  Mash__V1__Sex sex;
  int adult;
  const char *local; /* a local id issued by "police" */
} person_spec_t;

typedef struct note {
  Mash__V1__Notification n;
  Mash__V1__Person people[8];
  Mash__V1__Person *children[8], *adults[8];
  Mash__V1__Address addr[8];
  char *lines[8][1];
  Mash__V1__Identifier ids[8][2];
  Mash__V1__Identifier *idp[8][2];
  Mash__V1__Relationship rel[4];
  Mash__V1__Relationship *relp[4];
} note_t;

static void s_note(note_t *t, const person_spec_t *specs, size_t n, Mash__V1__ConcernCategory cat) {
  memset(t, 0, sizeof *t);
  mash__v1__notification__init(&t->n);
  t->n.concern_category = cat;
  for (size_t i = 0; i < n; i++) {
    const person_spec_t *s = &specs[i];
    Mash__V1__Person *p = &t->people[i];
    mash__v1__person__init(p);
    p->ref = (char *)s->ref;
    p->given_name = (char *)(s->given ? s->given : "");
    p->family_name = (char *)(s->family ? s->family : "");
    p->date_of_birth = (char *)(s->dob ? s->dob : "");
    p->sex = s->sex;
    if (s->postcode) {
      mash__v1__address__init(&t->addr[i]);
      t->addr[i].postcode = (char *)s->postcode;
      t->lines[i][0] = (char *)s->line;
      t->addr[i].lines = t->lines[i];
      t->addr[i].n_lines = s->line ? 1 : 0;
      p->address = &t->addr[i];
    }
    size_t nid = 0;
    if (s->nhs) {
      mash__v1__identifier__init(&t->ids[i][nid]);
      t->ids[i][nid].kind = MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER;
      t->ids[i][nid].value = (char *)s->nhs;
      t->idp[i][nid] = &t->ids[i][nid];
      nid++;
    }
    if (s->local) {
      mash__v1__identifier__init(&t->ids[i][nid]);
      t->ids[i][nid].kind = MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID;
      t->ids[i][nid].value = (char *)s->local;
      t->ids[i][nid].issuer = (char *)"police";
      t->idp[i][nid] = &t->ids[i][nid];
      nid++;
    }
    p->identifiers = t->idp[i];
    p->n_identifiers = nid;
    if (s->adult) {
      t->adults[t->n.n_adults++] = p;
    } else {
      t->children[t->n.n_children++] = p;
    }
  }
  t->n.children = t->children;
  t->n.adults = t->adults;
}

/* What one intake did: the store's intake, then resolution. */
typedef struct run {
  mash_intake_t in;
  mash_resolve_job_t job;
} run_t;

/* Store one notification as mashd does (acknowledged, unresolved), then
 * resolve it, each in its own transaction, as the storage thread does;
 * returns the Contact as resolved (caller frees), NULL for a duplicate. */
static Mash__V1__Contact *s_intake(fixture_t *f, const char *principal, note_t *t, int64_t at_ms,
                                   int red_flag, run_t *run_out) {
  if (t->n.occurred_at_ms == 0) {
    t->n.occurred_at_ms = at_ms - 3600 * 1000; /* an hour before it was sent */
  }
  t->n.red_flag = red_flag != 0;
  Mash__V1__Contact c = MASH__V1__CONTACT__INIT;
  c.source_principal = (char *)principal;
  c.received_at_ms = at_ms;
  c.notification = &t->n;
  /* As intake.c makes it: a first priority, which resolution replaces. */
  char *first_reasons[1] = {(char *)"child_under_2"};
  c.priority_reasons = first_reasons;
  c.n_priority_reasons = 1;
  size_t len = mash__v1__contact__get_packed_size(&c);
  uint8_t *buf = malloc(len ? len : 1);
  assert_non_null(buf);
  mash__v1__contact__pack(&c, buf);
  char message_id[32];
  snprintf(message_id, sizeof message_id, "msg-%u", ++f->seq);
  run_t run;
  memset(&run, 0, sizeof run);
  run.in.principal = principal;
  run.in.message_id = message_id;
  run.in.received_at_ms = at_ms;
  run.in.contact = buf;
  run.in.contact_len = len;
  run.in.red_flag = red_flag;
  run.in.occurred_at_ms = t->n.occurred_at_ms;
  run.in.concern_category = (int)t->n.concern_category;
  run.in.domestic_abuse =
      t->n.concern_category == MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE;
  run.in.resolve_later = 1;
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_store_intake(f->store, &run.in), 0);
  assert_int_equal(mash_store_commit(f->store), 0);
  free(buf);
  run.in.contact = NULL;
  run.in.message_id = NULL;
  Mash__V1__Contact *out = NULL;
  if (run.in.status == MASH_INTAKE_NEW) {
    snprintf(run.job.contact_id, sizeof run.job.contact_id, "%s", run.in.contact_id);
    run.job.policy = mash_match_policy_default();
    assert_int_equal(mash_store_begin(f->store), 0);
    assert_int_equal(mash_resolve_contact(f->store, &run.job), 0);
    assert_int_equal(mash_store_commit(f->store), 0);
    assert_non_null(run.job.contact);
    assert_true(run.job.deliver);
    out = mash__v1__contact__unpack(NULL, run.job.contact_len, run.job.contact);
    assert_non_null(out);
    /* Stored without its id (added on delivery): put it back. */
    if (out->contact_id != protobuf_c_empty_string) {
      free(out->contact_id);
    }
    out->contact_id = strdup(run.in.contact_id);
    assert_non_null(out->contact_id);
    free(run.job.contact);
    run.job.contact = NULL;
  }
  if (run_out) {
    *run_out = run;
  }
  return out;
}

static const Mash__V1__PersonLink *s_link(const Mash__V1__Contact *c, const char *ref) {
  for (size_t i = 0; i < c->n_persons; i++) {
    if (strcmp(c->persons[i]->ref, ref) == 0) {
      return c->persons[i];
    }
  }
  fail_msg("no link for %s", ref);
  return NULL;
}

static bool s_has_reason(const Mash__V1__Contact *c, const char *reason) {
  for (size_t i = 0; i < c->n_priority_reasons; i++) {
    if (strcmp(c->priority_reasons[i], reason) == 0) {
      return true;
    }
  }
  return false;
}

/* A valid NHS number (the NHS's own test example) and another. */
#define NHS_A "9434765919"
#define NHS_B "9434765870"
#define NHS_C "4010232137"

static const person_spec_t MAYA = {"c1",      "Maya",
                                   "Hartley", "2019-05-20",
                                   "EX1 2AB", "12 Canal Street",
                                   NHS_A,     MASH__V1__SEX__SEX_FEMALE,
                                   0,         NULL};

/* ---------------------------------------------------------------- tests */

/* The case: health sends the NHS number, police name + dob +
 * postcode with a surname typo: one person. */
static void test_identifier_then_typo_is_one_person(void **state) {
  fixture_t *f = *state;
  note_t t;
  s_note(&t, &MAYA, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *a = s_intake(f, "health", &t, T0, 0, NULL);
  const Mash__V1__PersonLink *la = s_link(a, "c1");
  assert_string_equal(la->decision, "new");
  assert_string_equal(la->person_id, "P-000001");

  person_spec_t typo = MAYA;
  typo.family = "Hatrley";
  typo.nhs = NULL;
  s_note(&t, &typo, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE);
  Mash__V1__Contact *b = s_intake(f, "police", &t, T0 + DAY_MS, 0, NULL);
  const Mash__V1__PersonLink *lb = s_link(b, "c1");
  assert_string_equal(lb->decision, "auto_link");
  assert_string_equal(lb->person_id, la->person_id);
  assert_true(lb->confidence_permille >= 950);
  assert_non_null(strstr(lb->why, "surname~1"));
  /* The earlier contact is a repeat contact of this one. */
  assert_int_equal(b->prior_contacts_12m, 1);
  /* The record keeps the spelling it was built on, and the NHS number. */
  mash_person_row_t row;
  assert_int_equal(mash_store_person_get(f->store, la->person_id, &row), 0);
  Mash__V1__Person *rec = mash__v1__person__unpack(NULL, row.len, row.record);
  free(row.record);
  assert_non_null(rec);
  assert_string_equal(rec->family_name, "Hartley");
  assert_int_equal(rec->n_identifiers, 1);
  mash__v1__person__free_unpacked(rec, NULL);

  /* A third, with the NHS number and a different spelling: by identifier. */
  person_spec_t other = MAYA;
  other.given = "Mya";
  other.postcode = NULL;
  s_note(&t, &other, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *c = s_intake(f, "education", &t, T0 + 2 * DAY_MS, 0, NULL);
  const Mash__V1__PersonLink *lc = s_link(c, "c1");
  assert_string_equal(lc->decision, "identifier");
  assert_string_equal(lc->person_id, la->person_id);
  assert_string_equal(lc->why, "nhs_number");
  /* Two earlier contacts: the repeat-contacts reason applies. */
  assert_int_equal(c->prior_contacts_12m, 2);
  assert_true(s_has_reason(c, "repeat_contacts"));
  assert_false(s_has_reason(b, "repeat_contacts"));
  mash__v1__contact__free_unpacked(a, NULL);
  mash__v1__contact__free_unpacked(b, NULL);
  mash__v1__contact__free_unpacked(c, NULL);
}

typedef struct summary_seen {
  const char *id;
  int with_summary; /* -1: not found */
} summary_seen_t;

static int s_summary_seen_cb(mash_person_row_t *row, void *arg) {
  summary_seen_t *s = arg;
  if (strcmp(row->person_id, s->id) == 0) {
    s->with_summary = row->summary != NULL;
  }
  return 0;
}

/* Whether person id is looked up (under Maya's date of birth) with its
 * comparison summary (1), its record (0), or not at all (-1). */
static int s_has_summary(fixture_t *f, const char *id) {
  summary_seen_t s = {id, -1};
  const char *keys[1] = {"d:2019-05-20"};
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_store_person_find(f->store, keys, 1, s_summary_seen_cb, &s), 0);
  assert_int_equal(mash_store_rollback(f->store), 0);
  return s.with_summary;
}

/* Comparison summaries (match.h): a record resolution makes or renews has
 * one; a store without them (made before migration 11: dropped here) still
 * resolves alike, from the records, and writes each record's summary as it
 * reads it. */
static void test_summaries_written_and_filled(void **state) {
  fixture_t *f = *state;
  note_t t;
  s_note(&t, &MAYA, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *a = s_intake(f, "health", &t, T0, 0, NULL);
  assert_string_equal(s_link(a, "c1")->person_id, "P-000001");
  assert_int_equal(s_has_summary(f, "P-000001"), 1);
  char path[128];
  snprintf(path, sizeof path, "%s/mash.db", f->dir);
  assert_int_equal(store_fixture_sql(path, "DELETE FROM person_summaries"), 0);
  assert_int_equal(s_has_summary(f, "P-000001"), 0);
  /* Another child born the same day: Maya's record is read as a candidate,
   * not linked nor put again, and gets its summary then. */
  person_spec_t leo = {
      "c1", "Leo", "Brown", "2019-05-20", NULL, NULL, NULL, MASH__V1__SEX__SEX_MALE, 0, NULL};
  s_note(&t, &leo, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *d = s_intake(f, "health", &t, T0 + 1000, 0, NULL);
  assert_string_equal(s_link(d, "c1")->decision, "new");
  assert_int_equal(s_has_summary(f, "P-000001"), 1);
  mash__v1__contact__free_unpacked(d, NULL);
  assert_int_equal(store_fixture_sql(path, "DELETE FROM person_summaries"), 0);
  /* The typo links from the record, as with a summary. */
  person_spec_t typo = MAYA;
  typo.family = "Hatrley";
  typo.nhs = NULL;
  s_note(&t, &typo, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *b = s_intake(f, "police", &t, T0 + DAY_MS, 0, NULL);
  const Mash__V1__PersonLink *lb = s_link(b, "c1");
  assert_string_equal(lb->decision, "auto_link");
  assert_string_equal(lb->person_id, "P-000001");
  assert_non_null(strstr(lb->why, "surname~1"));
  assert_int_equal(s_has_summary(f, "P-000001"), 1);
  /* Again from the summary: the same decision and reason. */
  Mash__V1__Contact *c = s_intake(f, "education", &t, T0 + 2 * DAY_MS, 0, NULL);
  const Mash__V1__PersonLink *lc = s_link(c, "c1");
  assert_string_equal(lc->decision, lb->decision);
  assert_string_equal(lc->person_id, lb->person_id);
  assert_string_equal(lc->why, lb->why);
  assert_int_equal(lc->confidence_permille, lb->confidence_permille);
  mash__v1__contact__free_unpacked(a, NULL);
  mash__v1__contact__free_unpacked(b, NULL);
  mash__v1__contact__free_unpacked(c, NULL);
}

/* A candidate's record is unpacked into a buffer reused for each
 * candidate; a record bigger than that buffer (a 6,000-character address
 * line) still unpacks, links and keeps what it held. */
static void test_big_record_links(void **state) {
  fixture_t *f = *state;
  static char line[6001];
  memset(line, 0, sizeof line);
  snprintf(line, sizeof line, "12 Canal Street");
  for (size_t i = strlen(line); i + 1 < sizeof line; i++) {
    line[i] = (char)('a' + i % 26);
  }
  person_spec_t big = MAYA;
  big.line = line;
  note_t t;
  s_note(&t, &big, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *a = s_intake(f, "health", &t, T0, 0, NULL);
  const Mash__V1__PersonLink *la = s_link(a, "c1");
  assert_string_equal(la->decision, "new");
  big.family = "Hatrley";
  big.nhs = NULL;
  s_note(&t, &big, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *b = s_intake(f, "police", &t, T0 + DAY_MS, 0, NULL);
  const Mash__V1__PersonLink *lb = s_link(b, "c1");
  assert_string_equal(lb->decision, "auto_link");
  assert_string_equal(lb->person_id, la->person_id);
  mash_person_row_t row;
  assert_int_equal(mash_store_person_get(f->store, la->person_id, &row), 0);
  Mash__V1__Person *rec = mash__v1__person__unpack(NULL, row.len, row.record);
  free(row.record);
  assert_non_null(rec);
  assert_non_null(rec->address);
  assert_int_equal(rec->address->n_lines, 1);
  assert_string_equal(rec->address->lines[0], line);
  assert_string_equal(rec->identifiers[0]->value, NHS_A);
  mash__v1__person__free_unpacked(rec, NULL);
  mash__v1__contact__free_unpacked(a, NULL);
  mash__v1__contact__free_unpacked(b, NULL);
}

/* Different NHS numbers weigh -5.6 bits (issue 9: identifiers are strong,
 * not absolute). With every other field agreeing one record holds a wrong
 * number (bench/eval-match seed 9: a mother's record made with her child's
 * number): linked, the contact flagged identifier_conflict, and the record
 * learns the mention's number, so that a later mention carrying only the
 * names and that number finds it. With less agreeing (no date of birth,
 * another address) it is a conflict for the desk's review, on a new record. */
static void test_identifier_conflict(void **state) {
  fixture_t *f = *state;
  note_t t;
  s_note(&t, &MAYA, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *a = s_intake(f, "health", &t, T0, 0, NULL);
  person_spec_t other = MAYA;
  other.nhs = NHS_B;
  s_note(&t, &other, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *b = s_intake(f, "health", &t, T0 + DAY_MS, 0, NULL);
  const Mash__V1__PersonLink *lb = s_link(b, "c1");
  assert_string_equal(lb->decision, "auto_link");
  assert_string_equal(lb->person_id, s_link(a, "c1")->person_id);
  assert_string_equal(lb->why, "dob+forename+surname+sex+address+!nhs_number");
  assert_int_equal(b->n_quality_flags, 1);
  assert_string_equal(b->quality_flags[0], "identifier_conflict");
  assert_int_equal(a->n_quality_flags, 0);
  /* Names and the second number only: found by the number. */
  person_spec_t bare = {
      "c1", "Maya", "Hartley", "", NULL, NULL, NHS_B, MASH__V1__SEX__SEX_UNSPECIFIED, 0, NULL};
  s_note(&t, &bare, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *c = s_intake(f, "health", &t, T0 + 2 * DAY_MS, 0, NULL);
  assert_string_equal(s_link(c, "c1")->decision, "identifier");
  assert_string_equal(s_link(c, "c1")->person_id, s_link(a, "c1")->person_id);
  /* A third number, no date, another address: for the desk. */
  person_spec_t far = {"c1",      "Maya",        "Hartley", "",
                       "EX4 7QP", "3 Hill Road", NHS_C,     MASH__V1__SEX__SEX_FEMALE,
                       0,         NULL};
  s_note(&t, &far, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *d = s_intake(f, "health", &t, T0 + 3 * DAY_MS, 0, NULL);
  assert_string_equal(s_link(d, "c1")->decision, "new");
  assert_string_not_equal(s_link(d, "c1")->person_id, s_link(a, "c1")->person_id);
  mash__v1__contact__free_unpacked(a, NULL);
  mash__v1__contact__free_unpacked(b, NULL);
  mash__v1__contact__free_unpacked(c, NULL);
  mash__v1__contact__free_unpacked(d, NULL);
}

/* A child's first record carries her date of birth with day and month
 * swapped; her own date links at the swapped level and is kept on the
 * record, so that a later mention with a slip of her own date (and no
 * address) is one child too, and her pack never lists that mention's
 * record as her sister (bench/eval-match seed 5). */
static void test_swapped_first_record(void **state) {
  fixture_t *f = *state;
  note_t t;
  person_spec_t first = {"c1",      "Emily",
                         "Graham",  "2022-09-03",
                         "EN6 7ZN", "104 Meadow Court",
                         NULL,      MASH__V1__SEX__SEX_FEMALE,
                         0,         NULL};
  s_note(&t, &first, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *a = s_intake(f, "police", &t, T0, 0, NULL);
  person_spec_t own = first;
  own.dob = "2022-03-09";
  s_note(&t, &own, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *b = s_intake(f, "health", &t, T0 + DAY_MS, 0, NULL);
  assert_string_equal(s_link(b, "c1")->decision, "auto_link");
  assert_string_equal(s_link(b, "c1")->why, "dob~swap+forename+surname+sex+address");
  mash_person_row_t row;
  assert_int_equal(mash_store_person_get(f->store, s_link(a, "c1")->person_id, &row), 0);
  Mash__V1__Person *rec = mash__v1__person__unpack(NULL, row.len, row.record);
  free(row.record);
  assert_non_null(rec);
  assert_string_equal(rec->date_of_birth, "2022-09-03"); /* kept as first given */
  assert_int_equal(rec->n_other_dates_of_birth, 1);
  assert_string_equal(rec->other_dates_of_birth[0], "2022-03-09");
  mash__v1__person__free_unpacked(rec, NULL);
  /* A slip of her own date, no address, with her mother at home: one
   * child, never her own sister. */
  person_spec_t people[2] = {
      {"c1", "Emily", "Graham", "2022-03-08", NULL, NULL, NULL, MASH__V1__SEX__SEX_FEMALE, 0, NULL},
      {"a1", "Claire", "Graham", "1990-01-15", "EN6 7ZN", "104 Meadow Court", NULL,
       MASH__V1__SEX__SEX_FEMALE, 1, NULL},
  };
  s_note(&t, people, 2, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *c = s_intake(f, "police", &t, T0 + 2 * DAY_MS, 0, NULL);
  assert_string_not_equal(s_link(c, "c1")->decision, "new");
  person_spec_t again = own;
  again.dob = "2022-03-08";
  s_note(&t, &again, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *d = s_intake(f, "education", &t, T0 + 3 * DAY_MS, 0, NULL);
  assert_string_equal(s_link(d, "c1")->decision, "auto_link");
  assert_string_equal(s_link(d, "c1")->person_id, s_link(a, "c1")->person_id);
  mash_resolve_family_t fam;
  assert_int_equal(mash_resolve_family(f->store, d->contact_id, T0 + 3 * DAY_MS, &fam), 0);
  assert_int_equal(fam.n_others, 0);
  mash_resolve_family_free(&fam);
  mash__v1__contact__free_unpacked(a, NULL);
  mash__v1__contact__free_unpacked(b, NULL);
  mash__v1__contact__free_unpacked(c, NULL);
  mash__v1__contact__free_unpacked(d, NULL);
}

/* A date of birth one digit off scores 0.80: a new record and a possible match; the
 * desk confirms it and the records become one; a second decision fails. */
static void test_possible_match_confirmed(void **state) {
  fixture_t *f = *state;
  note_t t;
  s_note(&t, &MAYA, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *a = s_intake(f, "health", &t, T0, 0, NULL);
  person_spec_t swapped = MAYA;
  swapped.dob = "2019-09-27"; /* a different date of birth, and a surname typo */
  swapped.family = "Hatrley";
  swapped.nhs = NULL;
  s_note(&t, &swapped, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  run_t run;
  Mash__V1__Contact *b = s_intake(f, "police", &t, T0 + DAY_MS, 0, &run);
  assert_int_equal(run.job.possible, 1);
  const Mash__V1__PersonLink *lb = s_link(b, "c1");
  assert_string_equal(lb->decision, "possible");
  assert_string_equal(lb->candidate_person_id, s_link(a, "c1")->person_id);
  assert_string_not_equal(lb->person_id, lb->candidate_person_id);
  assert_string_equal(lb->match_id, "M-000001");
  assert_true(lb->confidence_permille >= 700 && lb->confidence_permille < 950);
  /* While the match is open, a notification clearly about the first record
   * (1.00 against 0.80) still links to it. */
  person_spec_t exact = MAYA;
  exact.nhs = NULL;
  s_note(&t, &exact, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *x = s_intake(f, "school", &t, T0 + DAY_MS + 1, 0, NULL);
  assert_string_equal(s_link(x, "c1")->decision, "auto_link");
  assert_string_equal(s_link(x, "c1")->person_id, s_link(a, "c1")->person_id);
  mash__v1__contact__free_unpacked(x, NULL);
  s_note(&t, &swapped, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);

  /* Not linked, but at the same address: one household, so the first
   * contact counts as a prior contact about the household's children. */
  assert_int_equal(b->prior_contacts_12m, 1);

  mash_match_row_t m;
  assert_int_equal(mash_store_match_get(f->store, "M-000001", &m), 0);
  assert_string_equal(m.contact_id, b->contact_id);
  assert_int_equal(m.state, MASH_MATCH_OPEN);

  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_resolve_decide(f->store, "M-000001", 1, "hub", NULL, 0, T0 + 2 * DAY_MS),
                   0);
  assert_int_equal(mash_resolve_decide(f->store, "M-000001", 0, "hub", NULL, 0, T0 + 2 * DAY_MS),
                   -EALREADY);
  assert_int_equal(mash_resolve_decide(f->store, "M-000099", 1, "hub", NULL, 0, T0), -ENOENT);
  assert_int_equal(mash_store_commit(f->store), 0);

  /* The new record now reads as the candidate. */
  mash_person_row_t row;
  assert_int_equal(mash_store_person_get(f->store, lb->person_id, &row), 0);
  assert_string_equal(row.person_id, lb->candidate_person_id);
  free(row.record);
  /* A later contact sees the three earlier ones as prior contacts of one child. */
  s_note(&t, &MAYA, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *c = s_intake(f, "education", &t, T0 + 3 * DAY_MS, 0, NULL);
  assert_string_equal(s_link(c, "c1")->person_id, lb->candidate_person_id);
  assert_int_equal(c->prior_contacts_12m, 3);
  mash__v1__contact__free_unpacked(a, NULL);
  mash__v1__contact__free_unpacked(b, NULL);
  mash__v1__contact__free_unpacked(c, NULL);
}

static void test_possible_match_rejected(void **state) {
  fixture_t *f = *state;
  note_t t;
  s_note(&t, &MAYA, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *a = s_intake(f, "health", &t, T0, 0, NULL);
  person_spec_t swapped = MAYA;
  swapped.dob = "2019-09-27"; /* a different date of birth, and a surname typo */
  swapped.family = "Hatrley";
  swapped.nhs = NULL;
  s_note(&t, &swapped, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *b = s_intake(f, "police", &t, T0 + DAY_MS, 0, NULL);
  const Mash__V1__PersonLink *lb = s_link(b, "c1");
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_resolve_decide(f->store, lb->match_id, 0, "hub", NULL, 0, T0 + 2 * DAY_MS),
                   0);
  assert_int_equal(mash_store_commit(f->store), 0);
  mash_match_row_t m;
  assert_int_equal(mash_store_match_get(f->store, lb->match_id, &m), 0);
  assert_int_equal(m.state, MASH_MATCH_REJECTED);
  mash_person_row_t row;
  assert_int_equal(mash_store_person_get(f->store, lb->person_id, &row), 0);
  assert_string_equal(row.person_id, lb->person_id); /* still apart */
  free(row.record);
  mash__v1__contact__free_unpacked(a, NULL);
  mash__v1__contact__free_unpacked(b, NULL);
}

/* Twins listed in one notification are two people, never a match. */
static void test_twins_in_one_notification(void **state) {
  fixture_t *f = *state;
  person_spec_t twins[2] = {MAYA, MAYA};
  twins[0].nhs = twins[1].nhs = NULL;
  twins[1].ref = "c2";
  twins[1].given = "Mia";
  note_t t;
  s_note(&t, twins, 2, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  run_t run;
  Mash__V1__Contact *a = s_intake(f, "health", &t, T0, 0, &run);
  assert_int_equal(run.job.created, 2);
  assert_string_equal(s_link(a, "c2")->decision, "new");
  assert_string_not_equal(s_link(a, "c1")->person_id, s_link(a, "c2")->person_id);
  mash__v1__contact__free_unpacked(a, NULL);
}

/* A resend is a duplicate: no second contact, no new person. */
static void test_duplicate_resolves_nothing(void **state) {
  fixture_t *f = *state;
  note_t t;
  s_note(&t, &MAYA, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *a = s_intake(f, "health", &t, T0, 0, NULL);
  f->seq--; /* the same message id again */
  run_t run;
  Mash__V1__Contact *b = s_intake(f, "health", &t, T0 + 1, 0, &run);
  assert_null(b);
  assert_int_equal(run.in.status, MASH_INTAKE_DUPLICATE);
  assert_string_equal(run.in.contact_id, a->contact_id);
  mash_person_row_t row;
  assert_int_equal(mash_store_person_get(f->store, "P-000002", &row), -ENOENT);
  mash__v1__contact__free_unpacked(a, NULL);
}

/* A sibling notified months earlier at the same address is in the pack's
 * family with that contact; one notified 13 months earlier is not; three
 * domestic-abuse contacts make a potential escalation; an earlier red flag
 * raises the priority. */
static void test_family_siblings_and_prior_contacts(void **state) {
  fixture_t *f = *state;
  person_spec_t leo = {"c1",      "Leo",
                       "Hartley", "2016-02-11",
                       "EX1 2AB", "12 Canal Street",
                       NULL,      MASH__V1__SEX__SEX_MALE,
                       0,         NULL};
  person_spec_t old = {"c1",      "Ruby",       "Stone", "2015-07-01",
                       "EX4 9ZZ", "1 Far Lane", NULL,    MASH__V1__SEX__SEX_FEMALE,
                       0,         NULL};
  note_t t;
  /* 13 months before: a child at another address, later related by a notification. */
  s_note(&t, &old, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE);
  Mash__V1__Contact *c0 = s_intake(f, "police", &t, T0 - 395 * DAY_MS, 0, NULL);
  s_note(&t, &leo, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE);
  Mash__V1__Contact *c1 = s_intake(f, "police", &t, T0 - 120 * DAY_MS, 1, NULL);
  s_note(&t, &leo, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE);
  Mash__V1__Contact *c2 = s_intake(f, "police", &t, T0 - 60 * DAY_MS, 0, NULL);
  /* Maya, at Leo's address, and Ruby related to her by the notification. */
  person_spec_t now[2] = {MAYA, old};
  now[0].nhs = NULL;
  now[1].ref = "c2";
  s_note(&t, now, 2, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE);
  Mash__V1__Relationship rel = MASH__V1__RELATIONSHIP__INIT;
  rel.from_ref = (char *)"c1";
  rel.to_ref = (char *)"c2";
  rel.kind = (char *)"sibling";
  Mash__V1__Relationship *relp[1] = {&rel};
  t.n.relationships = relp;
  t.n.n_relationships = 1;
  Mash__V1__Contact *c3 = s_intake(f, "police", &t, T0, 0, NULL);
  assert_string_equal(s_link(c3, "c2")->person_id, s_link(c0, "c1")->person_id);
  /* Priority: two earlier contacts about Leo, and his red flag. */
  assert_int_equal(c3->prior_contacts_12m, 2);
  assert_int_equal(c3->domestic_abuse_12m, 3);
  assert_true(s_has_reason(c3, "repeat_contacts"));
  assert_true(s_has_reason(c3, "agency_red_flag"));

  mash_resolve_family_t fam;
  assert_int_equal(mash_resolve_family(f->store, c3->contact_id, T0, &fam), 0);
  assert_int_equal(fam.n_others, 1); /* Leo; Ruby and Maya are in the contact */
  assert_string_equal(fam.others[0]->ref, s_link(c1, "c1")->person_id);
  assert_string_equal(fam.others[0]->given_name, "Leo");
  assert_int_equal(fam.n_prior, 2); /* c1 and c2, oldest first; c0 is 13 months old */
  assert_string_equal(fam.prior[0]->contact_id, c1->contact_id);
  assert_string_equal(fam.prior[1]->contact_id, c2->contact_id);
  assert_string_equal(fam.prior[0]->source_principal, "police");
  assert_string_equal(fam.prior[0]->person_ref, "c1");
  assert_int_equal(fam.prior[0]->received_at_ms, T0 - 120 * DAY_MS);
  assert_int_equal(fam.prior[0]->concern_category,
                   MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE);
  assert_int_equal(fam.domestic_abuse_12m, 3);
  assert_true(fam.potential_escalation);
  mash_resolve_family_free(&fam);

  /* The earlier contact's family, with the household as known now: its
   * 12 months reach back to Ruby's contact (395 days before T0), and Leo's
   * first contact; not to anything after it. */
  assert_int_equal(mash_resolve_family(f->store, c2->contact_id, T0 - 60 * DAY_MS, &fam), 0);
  assert_int_equal(fam.n_prior, 2);
  assert_string_equal(fam.prior[0]->contact_id, c0->contact_id);
  assert_string_equal(fam.prior[1]->contact_id, c1->contact_id);
  mash_resolve_family_free(&fam);
  /* And Leo's first contact: nothing before it within 12 months but Ruby's
   * (275 days earlier), two domestic-abuse contacts in all. */
  assert_int_equal(mash_resolve_family(f->store, c1->contact_id, T0 - 120 * DAY_MS, &fam), 0);
  assert_int_equal(fam.n_prior, 1);
  assert_int_equal(fam.domestic_abuse_12m, 2);
  assert_false(fam.potential_escalation);
  mash_resolve_family_free(&fam);
  mash__v1__contact__free_unpacked(c0, NULL);
  mash__v1__contact__free_unpacked(c1, NULL);
  mash__v1__contact__free_unpacked(c2, NULL);
  mash__v1__contact__free_unpacked(c3, NULL);
}

static int s_find_fails(mash_store_t *s, const char *const *keys, size_t n, mash_store_person_cb cb,
                        void *arg) {
  (void)s, (void)keys, (void)n, (void)cb, (void)arg;
  return -EIO;
}

static int s_count_cb(const char *id, int64_t at, const uint8_t *c, size_t len, void *arg) {
  (void)id, (void)at, (void)c, (void)len;
  ++*(int *)arg;
  return 0;
}

/* Store Maya's notification (with `flags`) unresolved, as mashd's intake
 * does; returns the job to resolve it. */
static mash_resolve_job_t s_store_unresolved(fixture_t *f, const char *message_id, char **flags,
                                             size_t n_flags) {
  note_t t;
  s_note(&t, &MAYA, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact c = MASH__V1__CONTACT__INIT;
  c.notification = &t.n;
  c.quality_flags = flags;
  c.n_quality_flags = n_flags;
  uint8_t buf[1024];
  size_t len = mash__v1__contact__pack(&c, buf);
  mash_intake_t in;
  memset(&in, 0, sizeof in);
  in.principal = "police";
  in.message_id = message_id;
  in.contact = buf;
  in.contact_len = len;
  in.resolve_later = 1;
  assert_int_equal(mash_store_intake(f->store, &in), 0);
  mash_resolve_job_t job;
  memset(&job, 0, sizeof job);
  snprintf(job.contact_id, sizeof job.contact_id, "%s", in.contact_id);
  job.policy = mash_match_policy_default();
  return job;
}

/* A contact that cannot be resolved is stored as it came, flagged, and
 * delivered: never held back for ever. */
static void test_give_up_delivers_flagged(void **state) {
  fixture_t *f = *state;
  char *flags[1] = {(char *)"dash_missing"};
  mash_resolve_job_t job = s_store_unresolved(f, "m-give-up", flags, 1);
  assert_int_equal(mash_resolve_give_up(f->store, &job), 0);
  assert_true(job.deliver);
  Mash__V1__Contact *out = mash__v1__contact__unpack(NULL, job.contact_len, job.contact);
  assert_non_null(out);
  assert_int_equal(out->n_quality_flags, 2);
  assert_string_equal(out->quality_flags[0], "dash_missing");
  assert_string_equal(out->quality_flags[1], "resolution_failed");
  assert_int_equal(out->n_persons, 0);
  mash__v1__contact__free_unpacked(out, NULL);
  free(job.contact);
  int undelivered = 0;
  assert_int_equal(mash_store_load_undelivered(f->store, s_count_cb, &undelivered), 0);
  assert_int_equal(undelivered, 1);
}

/* A store failure fails the resolution (the caller's savepoint undoes it),
 * and the contact stays unresolved, to be resolved on the next start. */
static void test_store_failure_fails_resolution(void **state) {
  fixture_t *f = *state;
  mash_resolve_job_t job = s_store_unresolved(f, "m-fail", NULL, 0);
  mash_store_vtable_t vt = *f->store->vt;
  vt.person_find = s_find_fails;
  const mash_store_vtable_t *orig = f->store->vt;
  f->store->vt = &vt;
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_resolve_contact(f->store, &job), -EIO);
  assert_null(job.contact);
  assert_int_equal(mash_store_rollback(f->store), 0);
  f->store->vt = orig;
  /* Not delivered while unresolved; listed for resolution. */
  mash_contact_row_t row;
  assert_int_equal(mash_store_contact_get(f->store, job.contact_id, &row), 0);
  free(row.blob);
  assert_true(row.unresolved);
  int unresolved = 0;
  assert_int_equal(mash_store_load_unresolved(f->store, s_count_cb, &unresolved), 0);
  assert_int_equal(unresolved, 1);
  int undelivered = 0;
  assert_int_equal(mash_store_load_undelivered(f->store, s_count_cb, &undelivered), 0);
  assert_int_equal(undelivered, 0);
  assert_int_equal(mash_resolve_contact(f->store, &job), 0);
  assert_non_null(job.contact);
  free(job.contact);
  job.contact = NULL;
  /* A second resolution returns what is stored and changes nothing. */
  assert_int_equal(mash_resolve_contact(f->store, &job), 0);
  assert_non_null(job.contact);
  assert_int_equal(job.linked + job.possible, 0);
  free(job.contact);
}

/* Two records of one notification are two people: review cannot merge them. */
static void test_confirm_refused_for_two_people_of_one_contact(void **state) {
  fixture_t *f = *state;
  note_t t;
  s_note(&t, &MAYA, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *a = s_intake(f, "health", &t, T0, 0, NULL);
  person_spec_t slip = MAYA;
  slip.nhs = NULL;
  slip.dob = "2019-09-27";
  slip.family = "Hatrley";
  slip.local = "RMS-1";
  s_note(&t, &slip, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *b = s_intake(f, "police", &t, T0 + DAY_MS, 0, NULL);
  const Mash__V1__PersonLink *lb = s_link(b, "c1");
  assert_string_equal(lb->decision, "possible");
  /* Later, one notification names both, each by its identifier. */
  person_spec_t both[2] = {MAYA, slip};
  both[1].ref = "c2";
  s_note(&t, both, 2, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *c = s_intake(f, "police", &t, T0 + 2 * DAY_MS, 0, NULL);
  assert_string_equal(s_link(c, "c1")->person_id, s_link(a, "c1")->person_id);
  assert_string_equal(s_link(c, "c2")->person_id, lb->person_id);
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(mash_resolve_decide(f->store, lb->match_id, 1, "hub", NULL, 0, T0), -EPERM);
  assert_int_equal(mash_store_rollback(f->store), 0);
  mash__v1__contact__free_unpacked(a, NULL);
  mash__v1__contact__free_unpacked(b, NULL);
  mash__v1__contact__free_unpacked(c, NULL);
}

/* Two children of one notification both close to one record: only the
 * first may be offered it. */
static void test_one_candidate_per_notification(void **state) {
  fixture_t *f = *state;
  note_t t;
  s_note(&t, &MAYA, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *a = s_intake(f, "health", &t, T0, 0, NULL);
  person_spec_t two[2] = {MAYA, MAYA};
  two[0].nhs = two[1].nhs = NULL;
  two[0].dob = "2019-09-27";
  two[0].family = "Hatrley";
  two[1].ref = "c2";
  two[1].dob = "2019-09-28";
  two[1].family = "Hatrley";
  s_note(&t, two, 2, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *b = s_intake(f, "police", &t, T0 + DAY_MS, 0, NULL);
  assert_string_equal(s_link(b, "c1")->decision, "possible");
  assert_string_equal(s_link(b, "c1")->candidate_person_id, s_link(a, "c1")->person_id);
  assert_string_not_equal(s_link(b, "c2")->candidate_person_id, s_link(a, "c1")->person_id);
  mash__v1__contact__free_unpacked(a, NULL);
  mash__v1__contact__free_unpacked(b, NULL);
}

/* Two agencies hold different NHS numbers for what looks like one child
 * at another address: the second record goes to review as an identifier
 * conflict, and a later mention without a number joins the cluster's best
 * record rather than making a third (issue 9: clusters, not pairs). */
static void test_ambiguous_goes_to_review(void **state) {
  fixture_t *f = *state;
  note_t t;
  s_note(&t, &MAYA, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *a = s_intake(f, "health", &t, T0, 0, NULL);
  person_spec_t other = MAYA;
  other.nhs = NHS_B;
  other.postcode = "EX4 7QP";
  other.line = "3 Hill Road";
  s_note(&t, &other, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *b = s_intake(f, "police", &t, T0 + DAY_MS, 0, NULL);
  assert_string_equal(s_link(b, "c1")->decision, "possible");
  person_spec_t plain = MAYA;
  plain.nhs = NULL;
  s_note(&t, &plain, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *c = s_intake(f, "education", &t, T0 + 2 * DAY_MS, 0, NULL);
  const Mash__V1__PersonLink *lc = s_link(c, "c1");
  assert_string_equal(lc->decision, "auto_link");
  assert_string_equal(lc->person_id, s_link(a, "c1")->person_id);
  assert_string_equal(lc->candidate_person_id, "");
  mash__v1__contact__free_unpacked(a, NULL);
  mash__v1__contact__free_unpacked(b, NULL);
  mash__v1__contact__free_unpacked(c, NULL);
}

/* One incident reported about three siblings, by police and health on the
 * same day, is one incident; a communal address makes no household. */
static void test_incidents_and_communal_addresses(void **state) {
  fixture_t *f = *state;
  static const char *const names[] = {"Ada", "Ben", "Cal"};
  Mash__V1__Contact *c[3];
  note_t t;
  for (int i = 0; i < 3; i++) {
    person_spec_t child = {"c1",      names[i],     "Okoro", "2018-01-01",
                           "EX2 5XY", "4 Long Row", NULL,    MASH__V1__SEX__SEX_FEMALE,
                           0,         NULL};
    char dob[16];
    snprintf(dob, sizeof dob, "2018-0%d-10", i + 1);
    child.dob = dob;
    s_note(&t, &child, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE);
    t.n.occurred_at_ms = T0 - 5 * 3600 * 1000LL; /* one night */
    c[i] = s_intake(f, i == 1 ? "health" : "police", &t, T0 + i * 3600 * 1000LL, 0, NULL);
  }
  assert_int_equal(c[2]->prior_contacts_12m, 2); /* siblings at one address */
  assert_int_equal(c[2]->domestic_abuse_12m, 1);
  mash_resolve_family_t fam;
  assert_int_equal(mash_resolve_family(f->store, c[2]->contact_id, T0 + 2 * 3600 * 1000LL, &fam),
                   0);
  assert_int_equal(fam.n_others, 2);
  assert_int_equal(fam.domestic_abuse_12m, 1);
  assert_false(fam.potential_escalation);
  mash_resolve_family_free(&fam);
  for (int i = 0; i < 3; i++) {
    mash__v1__contact__free_unpacked(c[i], NULL);
  }

  /* A hostel: more than MASH_RESOLVE_COMMUNAL people at one address. */
  static const char *const residents[] = {"Adam",  "Brian", "Colin", "David", "Ethan",
                                          "Frank", "Gavin", "Harry", "Isaac", "James",
                                          "Kevin", "Lewis", "Mason", "Nigel", "Oscar"};
  _Static_assert(sizeof residents / sizeof residents[0] > MASH_RESOLVE_COMMUNAL, "enough names");
  for (unsigned i = 0; i <= MASH_RESOLVE_COMMUNAL; i++) {
    char given[16], dob[16];
    snprintf(given, sizeof given, "%s", residents[i]);
    snprintf(dob, sizeof dob, "2010-%02u-15", i % 12 + 1);
    person_spec_t r = {
        "c1", given, "Nomad", dob, "EX9 9HH", "Hostel, 1 Quay Road", NULL, MASH__V1__SEX__SEX_MALE,
        0,    NULL};
    s_note(&t, &r, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
    Mash__V1__Contact *x = s_intake(f, "housing", &t, T0 + (int64_t)i * DAY_MS, 0, NULL);
    mash__v1__contact__free_unpacked(x, NULL);
  }
  person_spec_t arrival = {"c1",       "Zed",
                           "Stranger", "2012-06-06",
                           "EX9 9HH",  "Hostel, 1 Quay Road",
                           NULL,       MASH__V1__SEX__SEX_MALE,
                           0,          NULL};
  s_note(&t, &arrival, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *z = s_intake(f, "housing", &t, T0 + 20 * DAY_MS, 0, NULL);
  assert_int_equal(z->prior_contacts_12m, 0);
  assert_int_equal(mash_resolve_family(f->store, z->contact_id, T0 + 20 * DAY_MS, &fam), 0);
  assert_int_equal(fam.n_others, 0);
  mash_resolve_family_free(&fam);
  mash__v1__contact__free_unpacked(z, NULL);
}

/* A brother listed as a child years ago, 18 now, is not one of the
 * household's children in the pack. */
/* Three families sharing one address (a house in multiple occupation):
 * not a household, however few people; one child recorded twice by two
 * agencies is not listed as their own brother. */
static void test_families_at_one_address(void **state) {
  fixture_t *f = *state;
  static const char *const names[][2] = {{"Ada", "Okoro"}, {"Ben", "Lund"}, {"Cal", "Price"}};
  note_t t;
  Mash__V1__Contact *c[3];
  for (int i = 0; i < 3; i++) {
    char dob[16];
    snprintf(dob, sizeof dob, "2015-0%d-10", i + 1);
    person_spec_t child = {"c1",      names[i][0],  names[i][1], dob,
                           "EX3 1QQ", "9 Mill Row", NULL,        MASH__V1__SEX__SEX_FEMALE,
                           0,         NULL};
    s_note(&t, &child, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
    c[i] = s_intake(f, "housing", &t, T0 + i * DAY_MS, 0, NULL);
  }
  mash_resolve_family_t fam;
  assert_int_equal(mash_resolve_family(f->store, c[2]->contact_id, T0 + 2 * DAY_MS, &fam), 0);
  assert_int_equal(fam.n_others, 0);
  assert_int_equal(c[2]->prior_contacts_12m, 0);
  mash_resolve_family_free(&fam);
  for (int i = 0; i < 3; i++) {
    mash__v1__contact__free_unpacked(c[i], NULL);
  }

  /* Two children of one family; the second is later notified with a typo
   * in her forename and no date of birth, and links (or goes to review):
   * either way the pack of a contact about her never lists her. */
  person_spec_t sis = {"c1",      "Isla",      "Shaw", "2016-04-04",
                       "EX3 2RR", "3 Ash Way", NULL,   MASH__V1__SEX__SEX_FEMALE,
                       0,         NULL};
  person_spec_t bro = sis;
  bro.given = "Noah";
  bro.dob = "2018-08-08";
  bro.sex = MASH__V1__SEX__SEX_MALE;
  s_note(&t, &sis, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *a = s_intake(f, "health", &t, T0 + 10 * DAY_MS, 0, NULL);
  s_note(&t, &bro, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *b = s_intake(f, "health", &t, T0 + 11 * DAY_MS, 0, NULL);
  person_spec_t typo = sis;
  typo.given = "Ilsa";
  typo.dob = "";
  s_note(&t, &typo, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *x = s_intake(f, "police", &t, T0 + 12 * DAY_MS, 0, NULL);
  assert_int_equal(mash_resolve_family(f->store, x->contact_id, T0 + 12 * DAY_MS, &fam), 0);
  assert_int_equal(fam.n_others, 1);
  assert_string_equal(fam.others[0]->given_name, "Noah");
  mash_resolve_family_free(&fam);
  mash__v1__contact__free_unpacked(a, NULL);
  mash__v1__contact__free_unpacked(b, NULL);
  mash__v1__contact__free_unpacked(x, NULL);
}

static void test_grown_up_sibling_not_listed(void **state) {
  fixture_t *f = *state;
  person_spec_t tom = {"c1",      "Tom",
                       "Hartley", "2007-09-01",
                       "EX1 2AB", "12 Canal Street",
                       NULL,      MASH__V1__SEX__SEX_MALE,
                       0,         NULL};
  note_t t;
  s_note(&t, &tom, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *a = s_intake(f, "education", &t, T0 - 300 * DAY_MS, 0, NULL);
  person_spec_t leo = tom;
  leo.given = "Leo";
  leo.dob = "2016-02-11";
  s_note(&t, &leo, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *b = s_intake(f, "education", &t, T0 - 200 * DAY_MS, 0, NULL);
  s_note(&t, &MAYA, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *c = s_intake(f, "health", &t, T0, 0, NULL);
  mash_resolve_family_t fam;
  assert_int_equal(mash_resolve_family(f->store, c->contact_id, T0, &fam), 0);
  assert_int_equal(fam.n_others, 1);
  assert_string_equal(fam.others[0]->given_name, "Leo");
  mash_resolve_family_free(&fam);
  /* Seen from Leo's contact, when Tom was 17: listed. */
  assert_int_equal(mash_resolve_family(f->store, b->contact_id, T0 - 200 * DAY_MS, &fam), 0);
  assert_int_equal(fam.n_others, 2); /* Tom, and Maya (at the address now) */
  mash_resolve_family_free(&fam);
  mash__v1__contact__free_unpacked(a, NULL);
  mash__v1__contact__free_unpacked(b, NULL);
  mash__v1__contact__free_unpacked(c, NULL);
}

/* eval-match seed 7's case: a daughter first mentioned without a date of
 * birth, then her mother of the same name at the same home. The mother
 * must not take the daughter's record (which would take her date of birth
 * and leave the daughter's later mentions, with her own date, a new record
 * listed in her packs as her own sister). */
static void test_mother_and_daughter_of_one_name(void **state) {
  fixture_t *f = *state;
  person_spec_t girl = {"c1",      "Olivia",      "Belland", "",
                        "EX2 7LB", "4 Weir Road", NULL,      MASH__V1__SEX__SEX_FEMALE,
                        0,         NULL};
  person_spec_t mum = girl;
  mum.ref = "a1";
  mum.dob = "1988-02-14";
  mum.adult = 1;
  note_t t;
  s_note(&t, &girl, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *a = s_intake(f, "police", &t, T0, 0, NULL);
  char daughter[MASH_PERSON_ID_LEN];
  snprintf(daughter, sizeof daughter, "%s", s_link(a, "c1")->person_id);
  s_note(&t, &mum, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *b = s_intake(f, "health", &t, T0 + DAY_MS, 0, NULL);
  const Mash__V1__PersonLink *l = s_link(b, "a1");
  /* Names, sex and home agree (+9.2 bits), but one is listed as a child
   * and the other as an adult with no date to compare: the desk's review
   * at most, never a link. */
  assert_string_not_equal(l->person_id, daughter);
  assert_string_equal(l->decision, "possible");
  assert_string_equal(l->candidate_person_id, daughter);
  assert_non_null(strstr(l->why, "!role"));
  /* The daughter with her own date of birth is her first record... */
  person_spec_t girl_dob = girl;
  girl_dob.dob = "2017-06-03";
  s_note(&t, &girl_dob, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *c = s_intake(f, "education", &t, T0 + 2 * DAY_MS, 0, NULL);
  assert_string_equal(s_link(c, "c1")->person_id, daughter);
  assert_string_equal(s_link(c, "c1")->decision, "auto_link");
  /* ...so her pack lists no other child: not herself, not her mother. */
  mash_resolve_family_t fam;
  assert_int_equal(mash_resolve_family(f->store, c->contact_id, T0 + 2 * DAY_MS, &fam), 0);
  assert_int_equal(fam.n_others, 0);
  mash_resolve_family_free(&fam);
  /* The mother's next mention is her own record, not her daughter's. */
  s_note(&t, &mum, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *d = s_intake(f, "police", &t, T0 + 3 * DAY_MS, 0, NULL);
  assert_string_equal(s_link(d, "a1")->person_id, l->person_id);
  mash__v1__contact__free_unpacked(a, NULL);
  mash__v1__contact__free_unpacked(b, NULL);
  mash__v1__contact__free_unpacked(c, NULL);
  mash__v1__contact__free_unpacked(d, NULL);
}

/* A person with a date of birth is not looked up by the "f:" key (both
 * name sounds): no record found under it alone could reach review. Without
 * a date, or with the rarest names, it is. */
static void test_find_keys_leave_out_names_alone(void **state) {
  (void)state;
  mash_match_person_t p;
  mash_match_person_set(&p, "c1", "Isla", "Shaw", "2016-04-04", MASH__V1__SEX__SEX_FEMALE,
                        "EX3 2RR", "3 Ash Way");
  mash_resolve_keys_t k;
  mash_resolve_person_keys(&p, &k);
  const char *find[MASH_RESOLVE_MAX_KEYS];
  size_t n = mash_resolve_find_keys(&p, &k, NULL, find);
  assert_int_equal(n, k.n - 1);
  for (size_t i = 0; i < n; i++) {
    assert_false(find[i][0] == 'f' && find[i][1] == ':');
  }
  mash_match_person_set_tf(&p, 0, 0, 1000000); /* the rarest names: +1.8 bits, review */
  assert_int_equal(mash_resolve_find_keys(&p, &k, NULL, find), k.n);
  mash_match_person_set(&p, "c1", "Isla", "Shaw", NULL, MASH__V1__SEX__SEX_FEMALE, "EX3 2RR",
                        "3 Ash Way");
  mash_resolve_person_keys(&p, &k);
  n = mash_resolve_find_keys(&p, &k, NULL, find);
  assert_int_equal(n, k.n);
  bool f = false;
  for (size_t i = 0; i < n; i++) {
    f = f || (find[i][0] == 'f' && find[i][1] == ':');
  }
  assert_true(f);
}

/* A record of the notification's family that only the "f:" key would find
 * (no date of birth, another address) is still scored, with the family's
 * prior: Noah, first notified without a date at the old home, is
 * recognised when his sister and he are notified at the new one. */
static void test_family_found_without_names_key(void **state) {
  fixture_t *f = *state;
  person_spec_t two[2] = {
      {"c1", "Isla", "Shaw", "2016-04-04", "EX3 2RR", "3 Ash Way", NULL, MASH__V1__SEX__SEX_FEMALE,
       0, NULL},
      {"c2", "Noah", "Shaw", "", "EX3 2RR", "3 Ash Way", NULL, MASH__V1__SEX__SEX_MALE, 0, NULL},
  };
  note_t t;
  s_note(&t, two, 2, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *a = s_intake(f, "housing", &t, T0, 0, NULL);
  for (int i = 0; i < 2; i++) {
    two[i].postcode = "EX9 1AA";
    two[i].line = "40 New Street";
  }
  two[1].dob = "2018-08-08";
  s_note(&t, two, 2, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *b = s_intake(f, "health", &t, T0 + DAY_MS, 0, NULL);
  assert_string_equal(s_link(b, "c1")->person_id, s_link(a, "c1")->person_id);
  const Mash__V1__PersonLink *noah = s_link(b, "c2");
  assert_string_equal(noah->person_id, s_link(a, "c2")->person_id);
  assert_string_equal(noah->decision, "auto_link");
  assert_true(strncmp(noah->why, "family+", 7) == 0);
  mash__v1__contact__free_unpacked(a, NULL);
  mash__v1__contact__free_unpacked(b, NULL);
}

/* Nothing in the file names a child: records sealed, keys blind. */
/* The count of records under one plain term key ("t:s:hartley"). */
static int64_t s_term(fixture_t *f, const char *key) {
  int64_t n = -1;
  const char *keys[1] = {key};
  assert_int_equal(mash_store_term_counts(f->store, keys, 1, &n), 0);
  return n;
}

/* Term counts follow the records: a new record counts its names once, a
 * link counts nothing, a confirmed merge takes the merged record's away. */
typedef struct s_ids {
  size_t n;
  char last[MASH_PERSON_ID_LEN];
} s_ids_t;

static int s_ids_cb(mash_person_row_t *row, void *arg) {
  s_ids_t *ids = arg;
  assert_non_null(row->record);
  snprintf(ids->last, sizeof ids->last, "%s", row->person_id);
  ids->n++;
  return 0;
}

static void test_term_counts_follow_records(void **state) {
  fixture_t *f = *state;
  note_t t;
  s_note(&t, &MAYA, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *a = s_intake(f, "health", &t, T0, 0, NULL);
  assert_int_equal(s_term(f, MASH_MATCH_TERM_TOTAL), 1);
  assert_int_equal(s_term(f, "t:f:maya"), 1);
  assert_int_equal(s_term(f, "t:s:hartley"), 1);
  assert_int_equal(s_term(f, "t:s:marsh"), 0);

  /* The same child again: a link, no new record, no new count. */
  person_spec_t again = MAYA;
  again.nhs = NULL;
  s_note(&t, &again, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *b = s_intake(f, "police", &t, T0 + DAY_MS, 0, NULL);
  assert_string_equal(s_link(b, "c1")->decision, "auto_link");
  assert_int_equal(s_term(f, MASH_MATCH_TERM_TOTAL), 1);

  /* A possible match: a new record, counted; confirmed, it is merged and
   * counted no more. */
  person_spec_t slip = MAYA;
  slip.dob = "2019-09-27";
  slip.family = "Hatrley";
  slip.nhs = NULL;
  s_note(&t, &slip, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *c = s_intake(f, "police", &t, T0 + 2 * DAY_MS, 0, NULL);
  assert_string_equal(s_link(c, "c1")->decision, "possible");
  assert_int_equal(s_term(f, MASH_MATCH_TERM_TOTAL), 2);
  assert_int_equal(s_term(f, "t:f:maya"), 2);
  assert_int_equal(s_term(f, "t:s:hatrley"), 1);
  assert_int_equal(mash_store_begin(f->store), 0);
  assert_int_equal(
      mash_resolve_decide(f->store, s_link(c, "c1")->match_id, 1, "hub", NULL, 0, T0 + 3 * DAY_MS),
      0);
  assert_int_equal(mash_store_commit(f->store), 0);
  assert_int_equal(s_term(f, MASH_MATCH_TERM_TOTAL), 1);
  assert_int_equal(s_term(f, "t:f:maya"), 1);
  assert_int_equal(s_term(f, "t:s:hatrley"), 0);
  assert_int_equal(s_term(f, "t:s:hartley"), 1);
  mash__v1__contact__free_unpacked(a, NULL);
  mash__v1__contact__free_unpacked(b, NULL);
  mash__v1__contact__free_unpacked(c, NULL);
}

/* A store made before term counts were kept (migration 8 made person_terms
 * empty) counts its people's names at start, once (issue 9). */
static void test_term_counts_backfill(void **state) {
  fixture_t *f = *state;
  static const char *const names[][2] = {
      {"Maya", "Hartley"}, {"Ben", "Hartley"}, {"Maya", "Marsh"}};
  note_t t;
  Mash__V1__Contact *c[3];
  for (size_t i = 0; i < 3; i++) {
    person_spec_t p = {"c1",        names[i][0],
                       names[i][1], "2019-05-20",
                       "EX1 2AB",   "12 Canal Street",
                       NULL,        MASH__V1__SEX__SEX_FEMALE,
                       0,           NULL};
    char dob[16];
    snprintf(dob, sizeof dob, "201%zu-05-20", i + 2);
    p.dob = dob;
    s_note(&t, &p, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
    c[i] = s_intake(f, "police", &t, T0 + (int64_t)i * DAY_MS, 0, NULL);
    assert_string_equal(s_link(c[i], "c1")->decision, "new");
  }
  /* Counted from the start: nothing to do. */
  size_t counted = 99;
  assert_int_equal(mash_resolve_terms_backfill(f->store, &counted), 0);
  assert_int_equal(counted, 0);
  assert_int_equal(s_term(f, MASH_MATCH_TERM_TOTAL), 3);
  /* As an old store: no counts at all. */
  static const char *const keys[] = {MASH_MATCH_TERM_TOTAL, "t:f:maya", "t:f:ben", "t:s:hartley",
                                     "t:s:marsh"};
  assert_int_equal(mash_store_term_add(f->store, keys, 5, -1000), 0);
  for (size_t i = 0; i < 5; i++) {
    assert_int_equal(s_term(f, keys[i]), 0);
  }
  assert_int_equal(mash_resolve_terms_backfill(f->store, &counted), 0);
  assert_int_equal(counted, 3);
  assert_int_equal(s_term(f, MASH_MATCH_TERM_TOTAL), 3);
  assert_int_equal(s_term(f, "t:f:maya"), 2);
  assert_int_equal(s_term(f, "t:f:ben"), 1);
  assert_int_equal(s_term(f, "t:s:hartley"), 2);
  assert_int_equal(s_term(f, "t:s:marsh"), 1);
  /* Once: a second start finds them counted. */
  assert_int_equal(mash_resolve_terms_backfill(f->store, &counted), 0);
  assert_int_equal(counted, 0);
  assert_int_equal(s_term(f, "t:f:maya"), 2);
  /* The walk, a page at a time, skips nothing and nobody twice. */
  size_t n = 0;
  char last[MASH_PERSON_ID_LEN] = "";
  for (;;) {
    s_ids_t ids = {0};
    assert_int_equal(mash_store_person_each(f->store, last, 2, s_ids_cb, &ids), 0);
    n += ids.n;
    if (ids.n < 2) {
      break;
    }
    snprintf(last, sizeof last, "%s", ids.last);
  }
  assert_int_equal(n, 3);
  for (size_t i = 0; i < 3; i++) {
    mash__v1__contact__free_unpacked(c[i], NULL);
  }
}

/* A record keeps the spellings of the given name that linked to it: a
 * record made from "Mya" knows "Maya" once a mention so spelt links. */
static void test_record_keeps_other_spellings(void **state) {
  fixture_t *f = *state;
  note_t t;
  person_spec_t mya = MAYA;
  mya.given = "Mya";
  s_note(&t, &mya, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *a = s_intake(f, "health", &t, T0, 0, NULL);
  person_spec_t maya = MAYA;
  maya.nhs = NULL;
  s_note(&t, &maya, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *b = s_intake(f, "police", &t, T0 + DAY_MS, 0, NULL);
  assert_string_equal(s_link(b, "c1")->decision, "auto_link");
  assert_string_equal(s_link(b, "c1")->person_id, s_link(a, "c1")->person_id);
  mash_person_row_t row;
  assert_int_equal(mash_store_person_get(f->store, s_link(a, "c1")->person_id, &row), 0);
  Mash__V1__Person *rec = mash__v1__person__unpack(NULL, row.len, row.record);
  free(row.record);
  assert_non_null(rec);
  assert_string_equal(rec->given_name, "Mya"); /* the spelling it was built on */
  assert_int_equal(rec->n_other_given_names, 1);
  assert_string_equal(rec->other_given_names[0], "Maya");
  mash__v1__person__free_unpacked(rec, NULL);
  mash__v1__contact__free_unpacked(a, NULL);
  mash__v1__contact__free_unpacked(b, NULL);
}

/* The secrets of one notification, none of which may be stored in the
 * clear (names, date of birth, address, NHS number, blocking keys). */
static int s_has_secret(const char *buf, size_t n) {
  static const char *const secrets[] = {"Hartley", "HARTLEY", "hartley", "2019-05-20", "EX1 2AB",
                                        NHS_A,     "HRTL",    "Canal",   "maya"};
  for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
    if (memmem(buf, n, secrets[i], strlen(secrets[i])) != NULL) {
      print_error("found \"%s\" in the clear\n", secrets[i]);
      return 1;
    }
  }
  return 0;
}

static char s_file_buf[1 << 20];

/* Every file under the PostgreSQL cluster's data folder (tables and WAL). */
static int s_pg_file_cb(const char *path, const struct stat *st, int type, struct FTW *ftw) {
  (void)st;
  (void)ftw;
  if (type != FTW_F) {
    return 0;
  }
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    return 0; /* the server's lock files and sockets */
  }
  size_t n;
  int found = 0;
  while (!found && (n = fread(s_file_buf, 1, sizeof s_file_buf, fp)) > 0) {
    found = s_has_secret(s_file_buf, n);
  }
  fclose(fp);
  return found;
}

static void test_no_plaintext_in_the_file(void **state) {
  fixture_t *f = *state;
  note_t t;
  s_note(&t, &MAYA, 1, MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT);
  Mash__V1__Contact *a = s_intake(f, "health", &t, T0, 0, NULL);
  mash__v1__contact__free_unpacked(a, NULL);
  mash_store_destroy(&f->store); /* checkpoint and close */
  char path[128];
  snprintf(path, sizeof path, "%s/mash.db", f->dir);
  char err[256];
  if (store_fixture_is_pg()) {
    /* The server's own files: its tables after a checkpoint, and its WAL. */
    assert_int_equal(store_fixture_sql(NULL, "CHECKPOINT"), 0);
    const char *data = getenv("MASH_TEST_PG_DATA");
    assert_non_null(data);
    assert_int_equal(nftw(data, s_pg_file_cb, 16, FTW_PHYS), 0);
  } else {
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    size_t n = fread(s_file_buf, 1, sizeof s_file_buf, fp);
    fclose(fp);
    assert_false(s_has_secret(s_file_buf, n));
  }
  f->store = store_fixture_open(path, f->seal, err, sizeof err);
  assert_non_null(f->store);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_identifier_then_typo_is_one_person, setup, teardown),
      cmocka_unit_test_setup_teardown(test_summaries_written_and_filled, setup, teardown),
      cmocka_unit_test_setup_teardown(test_identifier_conflict, setup, teardown),
      cmocka_unit_test_setup_teardown(test_swapped_first_record, setup, teardown),
      cmocka_unit_test_setup_teardown(test_possible_match_confirmed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_possible_match_rejected, setup, teardown),
      cmocka_unit_test_setup_teardown(test_twins_in_one_notification, setup, teardown),
      cmocka_unit_test_setup_teardown(test_duplicate_resolves_nothing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_family_siblings_and_prior_contacts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_store_failure_fails_resolution, setup, teardown),
      cmocka_unit_test_setup_teardown(test_confirm_refused_for_two_people_of_one_contact, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_one_candidate_per_notification, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ambiguous_goes_to_review, setup, teardown),
      cmocka_unit_test_setup_teardown(test_incidents_and_communal_addresses, setup, teardown),
      cmocka_unit_test_setup_teardown(test_families_at_one_address, setup, teardown),
      cmocka_unit_test_setup_teardown(test_grown_up_sibling_not_listed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_mother_and_daughter_of_one_name, setup, teardown),
      cmocka_unit_test_setup_teardown(test_family_found_without_names_key, setup, teardown),
      cmocka_unit_test(test_find_keys_leave_out_names_alone),
      cmocka_unit_test_setup_teardown(test_give_up_delivers_flagged, setup, teardown),
      cmocka_unit_test_setup_teardown(test_term_counts_follow_records, setup, teardown),
      cmocka_unit_test_setup_teardown(test_term_counts_backfill, setup, teardown),
      cmocka_unit_test_setup_teardown(test_record_keeps_other_spellings, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_plaintext_in_the_file, setup, teardown),
      cmocka_unit_test_setup_teardown(test_big_record_links, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
