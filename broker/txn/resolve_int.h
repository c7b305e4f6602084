/* resolve_int: what the three parts of resolution share (resolve.c: intake;
 * resolve_family.c: households, prior contacts and the family of a pack;
 * resolve_review.c: the desk's review of a possible match). Internal to
 * broker/txn; storage thread only. */
#ifndef MASH_RESOLVE_INT_H
#define MASH_RESOLVE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "resolve.h"

typedef struct resolve_household {
  char ids[MASH_RESOLVE_HOUSEHOLD_MAX][MASH_PERSON_ID_LEN];
  int is_child[MASH_RESOLVE_HOUSEHOLD_MAX];
  bool seed[MASH_RESOLVE_HOUSEHOLD_MAX];
  size_t n;
  int64_t since_ms;        /* addresses given since then count */
  size_t housemates, from; /* while collecting one person's housemates */
  bool full;
} resolve_household_t;

/* Contacts are gathered per child (up to 256 each, newest first), then
 * sorted and made distinct: siblings share their contacts. */
#define PRIOR_RAW_MAX (4u * MASH_RESOLVE_PRIOR_MAX)

typedef struct resolve_prior {
  mash_person_contact_t items[PRIOR_RAW_MAX];
  size_t n;
  const char *exclude; /* the contact itself */
} resolve_prior_t;

/* Where a candidate's record is unpacked (resolve_record.c): one buffer
 * reused for each of a look-up's hundreds of candidates instead of a malloc
 * per field (a record bigger than the buffer takes the rest from malloc).
 * Set used to 0 before each unpack; free what was unpacked through the
 * same allocator. */
typedef struct resolve_unpack {
  size_t used;
  _Alignas(16) uint8_t buf[4096];
} resolve_unpack_t;
ProtobufCAllocator resolve_unpack_allocator(resolve_unpack_t *u);

/* Add `id` to the household once (at most MASH_RESOLVE_HOUSEHOLD_MAX). */
void resolve_household_add(resolve_household_t *h, const char *id, int is_child, bool seed);

/* The household of the seeds already in h: housemates at a home that is not
 * communal, and everyone reachable by relations. 0 or a store error. */
int resolve_household_walk(mash_store_t *store, resolve_household_t *h);

/* Contacts about the household's children in [since, until], each once, the
 * MASH_RESOLVE_PRIOR_MAX most recent, per_child at most per child. */
int resolve_prior_collect(mash_store_t *store, const resolve_household_t *h, int64_t since,
                          int64_t until, size_t per_child, resolve_prior_t *p);

/* Oldest first. For qsort. */
int resolve_prior_order(const void *a, const void *b);

/* Domestic-abuse incidents (days) among items and this contact (this_da). */
unsigned resolve_da_incidents(const mash_person_contact_t *items, size_t n, bool this_da,
                              int64_t this_occurred_ms);

/* The record kept for a person (see resolve.c): `now` with what `old` (may
 * be NULL) knew; now's identifiers only with RESOLVE_RECORD_IDS; now's
 * spelling of the given name among the record's other spellings with
 * RESOLVE_RECORD_SPELLING (and its own other spellings too with
 * RESOLVE_RECORD_MERGED); now's date of birth among its other dates with
 * RESOLVE_RECORD_DOB (and now's own other dates too with
 * RESOLVE_RECORD_MERGED). Malloc'd into *out. */
enum {
  RESOLVE_RECORD_IDS = 1u << 0,
  RESOLVE_RECORD_SPELLING = 1u << 1,
  RESOLVE_RECORD_MERGED = 1u << 2, /* `now` is a record the desk merged, not a mention */
  RESOLVE_RECORD_DOB = 1u << 3     /* now's date of birth among the record's other dates */
};
int resolve_record(const Mash__V1__Person *now, const Mash__V1__Person *old, unsigned what,
                   uint8_t **out, size_t *out_len);

/* Term frequencies (match.h): set p's from the store's counts of its name
 * keys (a store without them leaves p as it is). */
int resolve_terms_lookup(mash_store_t *store, mash_match_person_t *p);
/* Count a record with p's names once more (delta 1: a new record) or once
 * less (delta -1: a record merged into another). */
int resolve_terms_add(mash_store_t *store, const mash_match_person_t *p, int delta);
/* Keep p (a stored record as the matcher sees it) as person_id's
 * comparison summary (mash_store_person_summarise). 0 (also for a store
 * that keeps none) or a negative error. */
int resolve_summary_keep(mash_store_t *store, const char *person_id, const mash_match_person_t *p);

#endif
