/* resolve_record: what a person record keeps, the keys it is indexed and
 * found under, and the counts of its names.
 *
 * Responsible for: the record a person keeps when a mention links to it or
 * the desk merges two (names and date of birth kept, address and sex
 * renewed, identifiers gathered, other spellings of the given name kept),
 * the keys a person is indexed under and the ones it is looked up by
 * (resolve.h), and the store's term counts of the names on records
 * (match.h: common names weigh less), and the comparison summary a record
 * is scored from (match.h, "Comparison summaries"), and the buffer a
 * candidate's record is unpacked into. Must not: decide who anyone is (resolve.c
 * does), log child data. Storage thread only.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "resolve_int.h"

/* ---------------------------------------------------------------- unpacking */

static void *s_unpack_alloc(void *data, size_t size) {
  resolve_unpack_t *u = data;
  size_t at = (u->used + 15u) & ~(size_t)15u;
  if (size <= sizeof u->buf && at <= sizeof u->buf - size) {
    u->used = at + size;
    return u->buf + at;
  }
  return malloc(size);
}

static void s_unpack_free(void *data, void *p) {
  resolve_unpack_t *u = data;
  uintptr_t at = (uintptr_t)p, lo = (uintptr_t)u->buf;
  if (at < lo || at >= lo + sizeof u->buf) {
    free(p);
  }
}

ProtobufCAllocator resolve_unpack_allocator(resolve_unpack_t *u) {
  ProtobufCAllocator a = {s_unpack_alloc, s_unpack_free, u};
  return a;
}

/* ---------------------------------------------------------------- keys */

void mash_resolve_person_keys(const mash_match_person_t *p, mash_resolve_keys_t *k) {
  char blocking[MASH_MATCH_MAX_KEYS][MASH_MATCH_KEY_SIZE];
  size_t nb = mash_match_blocking_keys(p, blocking);
  k->n = 0;
  for (size_t i = 0; i < nb; i++) {
    memcpy(k->text[k->n], blocking[i], MASH_MATCH_KEY_SIZE);
    k->text[k->n++][MASH_MATCH_KEY_SIZE - 1] = '\0';
  }
  for (size_t i = 0; i < p->n_ids && k->n < MASH_RESOLVE_MAX_KEYS; i++) {
    const mash_match_id_t *id = &p->ids[i];
    if (id->valid) {
      snprintf(k->text[k->n++], sizeof k->text[0], "i:%d:%s:%s", (int)id->kind, id->value,
               id->issuer);
    }
  }
  for (size_t i = 0; i < k->n; i++) {
    k->ptr[i] = k->text[i];
  }
}

size_t mash_resolve_find_keys(const mash_match_person_t *p, const mash_resolve_keys_t *k,
                              const mash_match_policy_t *policy, const char **out) {
  mash_match_policy_t def = mash_match_policy_default();
  if (policy == NULL || mash_match_policy_check(policy) != 0) {
    policy = &def;
  }
  bool skip_f =
      p->dob_year != 0 && mash_match_probability(mash_match_names_bound(p)) < policy->review;
  size_t n = 0;
  for (size_t i = 0; i < k->n && n < MASH_RESOLVE_MAX_KEYS; i++) {
    if (!(skip_f && k->text[i][0] == 'f' && k->text[i][1] == ':')) {
      out[n++] = k->text[i];
    }
  }
  return n;
}

const char *mash_resolve_address_key(const mash_match_person_t *p, char *buf, size_t len) {
  if (p->postcode[0] == '\0' || p->address[0] == '\0') {
    return NULL;
  }
  snprintf(buf, len, "a:%s|%s", p->postcode, p->address);
  return buf;
}

/* ---------------------------------------------------------------- records */

static bool s_id_same(const Mash__V1__Identifier *a, const Mash__V1__Identifier *b) {
  char va[MASH_MATCH_ID_SIZE], vb[MASH_MATCH_ID_SIZE];
  if (a->kind != b->kind) {
    return false;
  }
  mash_match_id_normalise(a->kind, a->value, va, sizeof va);
  mash_match_id_normalise(b->kind, b->value, vb, sizeof vb);
  return strcmp(va, vb) == 0 && strcmp(a->issuer ? a->issuer : "", b->issuer ? b->issuer : "") == 0;
}

static bool s_address_known(const Mash__V1__Address *a) {
  return a != NULL && (a->n_lines > 0 || (a->postcode && a->postcode[0]));
}

/* One list of a record's other values (spellings or dates of birth): the
 * old list, then now's own value (NULL: none), then now's list, each kept
 * when add_to finds it new to `seen` (which holds old's own value), at most
 * max (the first kept). Returns how many went into out. */
static size_t s_values(mash_match_person_t *seen,
                       int (*add_to)(mash_match_person_t *, const char *), char *const *old_list,
                       size_t n_old, const char *now_own, char *const *now_list, size_t n_now,
                       char **out, size_t max) {
  size_t n = 0;
  for (size_t i = 0; i <= n_old + n_now; i++) {
    const char *v = i < n_old ? old_list[i] : i == n_old ? now_own : now_list[i - n_old - 1];
    if (v != NULL && n < max && add_to(seen, v) == 1) {
      out[n++] = (char *)v;
    }
  }
  return n;
}

/* The record's other spellings of the given name: old's, then now's given
 * name when add, then now's own other spellings when merged (a record the
 * desk merged; an agency's mention brings none), each when new, at most
 * MASH_MAX_OTHER_NAMES (the first kept). */
static size_t s_spellings(const Mash__V1__Person *now, const Mash__V1__Person *old, bool add,
                          bool merged, char *names[MASH_MAX_OTHER_NAMES]) {
  mash_match_person_t seen;
  mash_match_person_set(&seen, NULL, old->given_name, NULL, NULL, MASH__V1__SEX__SEX_UNSPECIFIED,
                        NULL, NULL);
  return s_values(&seen, mash_match_person_add_other, old->other_given_names,
                  old->n_other_given_names, add ? now->given_name : NULL, now->other_given_names,
                  add && merged ? now->n_other_given_names : 0, names, MASH_MAX_OTHER_NAMES);
}

/* The record's other dates of birth: old's, then now's date when add, then
 * now's own other dates when merged, each when new (not old's own date),
 * at most MASH_MAX_OTHER_DOBS (the first kept). */
static size_t s_dobs(const Mash__V1__Person *now, const Mash__V1__Person *old, bool add,
                     bool merged, char *dobs[MASH_MAX_OTHER_DOBS]) {
  mash_match_person_t seen;
  mash_match_person_set(&seen, NULL, NULL, NULL, old->date_of_birth, MASH__V1__SEX__SEX_UNSPECIFIED,
                        NULL, NULL);
  return s_values(&seen, mash_match_person_add_dob, old->other_dates_of_birth,
                  old->n_other_dates_of_birth, add ? now->date_of_birth : NULL,
                  now->other_dates_of_birth, add && merged ? now->n_other_dates_of_birth : 0, dobs,
                  MASH_MAX_OTHER_DOBS);
}

/* The record kept for a person. Who someone is (names, date of birth) is
 * kept from `old` (may be NULL) when it knew them: a typo that still linked
 * must not replace the spelling the record was built on, though it is kept
 * among the other spellings (RESOLVE_RECORD_SPELLING). Where someone lives
 * and their sex take the newer details when given (families move), and the
 * record keeps every identifier of both. No ref and no role: those belong to
 * one notification. */
int resolve_record(const Mash__V1__Person *now, const Mash__V1__Person *old, unsigned what,
                   uint8_t **out, size_t *out_len) {
  Mash__V1__Person m = *now;
  m.ref = (char *)"";
  m.role = (char *)"";
  Mash__V1__Identifier *ids[MASH_MAX_IDENTIFIERS];
  char *names[MASH_MAX_OTHER_NAMES];
  char *dobs[MASH_MAX_OTHER_DOBS];
  size_t n = 0;
  bool now_ids = (what & RESOLVE_RECORD_IDS) != 0;
  for (size_t i = 0; now_ids && i < now->n_identifiers && n < MASH_MAX_IDENTIFIERS; i++) {
    ids[n++] = now->identifiers[i];
  }
  if (old != NULL && old->given_name[0]) {
    m.n_other_given_names =
        s_spellings(now, old, (what & RESOLVE_RECORD_SPELLING) != 0 && now->given_name[0],
                    (what & RESOLVE_RECORD_MERGED) != 0, names);
    m.other_given_names = names;
  } else if (old == NULL) {
    m.n_other_given_names = 0; /* a new record: only what the agency wrote */
  }
  if (old != NULL && old->date_of_birth[0]) {
    bool add = (what & (RESOLVE_RECORD_DOB | RESOLVE_RECORD_MERGED)) != 0;
    m.n_other_dates_of_birth = s_dobs(now, old, add, (what & RESOLVE_RECORD_MERGED) != 0, dobs);
    m.other_dates_of_birth = dobs;
  } else if (old == NULL) {
    m.n_other_dates_of_birth = 0;
  }
  if (old != NULL) {
    if (old->date_of_birth[0]) {
      m.date_of_birth = old->date_of_birth;
    }
    if (now->sex == MASH__V1__SEX__SEX_UNSPECIFIED || now->sex == MASH__V1__SEX__SEX_NOT_KNOWN) {
      m.sex = old->sex;
    }
    if (!s_address_known(now->address)) {
      m.address = old->address;
    }
    if (old->given_name[0]) {
      m.given_name = old->given_name;
    }
    if (old->family_name[0]) {
      m.family_name = old->family_name;
    }
    for (size_t i = 0; i < old->n_identifiers && n < MASH_MAX_IDENTIFIERS; i++) {
      bool seen = false;
      for (size_t j = 0; j < n && !seen; j++) {
        seen = s_id_same(old->identifiers[i], ids[j]);
      }
      if (!seen) {
        ids[n++] = old->identifiers[i];
      }
    }
  }
  m.identifiers = ids;
  m.n_identifiers = n;
  *out_len = mash__v1__person__get_packed_size(&m);
  *out = malloc(*out_len ? *out_len : 1);
  if (*out == NULL) {
    return -ENOMEM;
  }
  mash__v1__person__pack(&m, *out);
  return 0;
}

/* ---------------------------------------------------------------- comparison summaries */

int resolve_summary_keep(mash_store_t *store, const char *person_id, const mash_match_person_t *p) {
  uint8_t buf[MASH_MATCH_SUMMARY_MAX];
  int len = mash_match_summary_write(p, buf, sizeof buf);
  int rc = len > 0 ? mash_store_person_summarise(store, person_id, buf, (size_t)len) : len;
  return rc == -ENOSYS ? 0 : rc; /* a store without summaries reads records */
}

int mash_resolve_summarise(mash_store_t *store, const char *person_id, const uint8_t *record,
                           size_t len) {
  Mash__V1__Person *pb = mash__v1__person__unpack(NULL, len, record);
  if (pb == NULL) {
    return -EBADMSG;
  }
  mash_match_person_t mp;
  mash_match_person_from_pb(&mp, pb);
  mash__v1__person__free_unpacked(pb, NULL);
  return resolve_summary_keep(store, person_id, &mp);
}

typedef struct s_fill {
  mash_store_t *store;
  char last[MASH_PERSON_ID_LEN];
  size_t seen;
  int rc;
} s_fill_t;

static int s_fill_cb(mash_person_row_t *row, void *arg) {
  s_fill_t *f = arg;
  snprintf(f->last, sizeof f->last, "%s", row->person_id);
  f->seen++;
  f->rc = mash_resolve_summarise(f->store, row->person_id, row->record, row->len);
  return f->rc != 0;
}

int mash_resolve_summaries_fill(mash_store_t *store, size_t per_tx, size_t *filled) {
  s_fill_t f = {.store = store};
  int rc = 0;
  per_tx = per_tx ? per_tx : 1;
  for (bool more = true; rc == 0 && more;) {
    size_t before = f.seen;
    rc = mash_store_begin(store);
    rc = rc ? rc : mash_store_person_each(store, f.last, per_tx, s_fill_cb, &f);
    rc = rc < 0 ? rc : f.rc;
    rc = rc ? rc : mash_store_commit(store);
    if (rc != 0) {
      mash_store_rollback(store);
    }
    more = f.seen - before == per_tx;
  }
  if (filled != NULL) {
    *filled = f.seen;
  }
  return rc;
}

/* ---------------------------------------------------------------- term frequencies */

int resolve_terms_lookup(mash_store_t *store, mash_match_person_t *p) {
  char f[MASH_MATCH_TERM_KEY_SIZE], sn[MASH_MATCH_TERM_KEY_SIZE];
  mash_match_term_keys(p, f, sn);
  const char *keys[3] = {MASH_MATCH_TERM_TOTAL, f, sn};
  int64_t counts[3] = {0, 0, 0};
  int rc = mash_store_term_counts(store, keys, 3, counts);
  if (rc == -ENOSYS) {
    return 0; /* a store without term counts: the table's weights */
  }
  if (rc == 0) {
    mash_match_person_set_tf(p, counts[1], counts[2], counts[0]);
  }
  return rc;
}

int resolve_terms_add(mash_store_t *store, const mash_match_person_t *p, int delta) {
  char f[MASH_MATCH_TERM_KEY_SIZE], sn[MASH_MATCH_TERM_KEY_SIZE];
  mash_match_term_keys(p, f, sn);
  const char *keys[3] = {MASH_MATCH_TERM_TOTAL, f, sn};
  int rc = mash_store_term_add(store, keys, 3, delta);
  return rc == -ENOSYS ? 0 : rc;
}

/* A page of the walk over the whole index. */
#define BACKFILL_PAGE 256

typedef struct s_backfill {
  mash_store_t *store;
  char last[MASH_PERSON_ID_LEN];
  size_t seen, counted;
  int rc;
} s_backfill_t;

static int s_backfill_cb(mash_person_row_t *row, void *arg) {
  s_backfill_t *b = arg;
  snprintf(b->last, sizeof b->last, "%s", row->person_id);
  b->seen++;
  Mash__V1__Person *p = mash__v1__person__unpack(NULL, row->len, row->record);
  if (p == NULL) {
    b->rc = -EBADMSG;
    return 1;
  }
  mash_match_person_t mp;
  mash_match_person_from_pb(&mp, p);
  mash__v1__person__free_unpacked(p, NULL);
  b->rc = resolve_terms_add(b->store, &mp, 1);
  b->counted += b->rc == 0;
  return b->rc != 0;
}

int mash_resolve_terms_backfill(mash_store_t *store, size_t *counted) {
  if (counted != NULL) {
    *counted = 0;
  }
  const char *total = MASH_MATCH_TERM_TOTAL;
  int64_t n = 0;
  int rc = mash_store_term_counts(store, &total, 1, &n);
  if (rc == -ENOSYS) {
    return 0;
  }
  if (rc != 0 || n > 0) {
    return rc;
  }
  s_backfill_t b = {.store = store};
  rc = mash_store_begin(store);
  while (rc == 0) {
    size_t before = b.seen;
    rc = mash_store_person_each(store, b.last, BACKFILL_PAGE, s_backfill_cb, &b);
    rc = rc < 0 ? rc : b.rc;
    if (rc != 0 || b.seen - before < BACKFILL_PAGE) {
      break;
    }
  }
  if (rc == -ENOSYS && b.seen == 0) {
    mash_store_rollback(store);
    return 0; /* a store that cannot walk its index: counts from now on */
  }
  if (rc == 0) {
    rc = mash_store_commit(store);
  } else {
    mash_store_rollback(store);
  }
  if (rc == 0 && counted != NULL) {
    *counted = b.counted;
  }
  return rc;
}
