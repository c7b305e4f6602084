/* store_person.h: the store's operations on people (store.h's section
 * "people"): the person index, match decisions, comparison summaries and
 * what a look-up reads. Part of store.h, which includes it where the
 * section stands; include store.h, not this file. The rules of store.h
 * (threads, errors, nothing in plaintext) hold here too.
 */
#ifndef MASH_STORE_PERSON_H
#define MASH_STORE_PERSON_H

#ifndef MASH_STORE_H
#error "include store.h, which includes store_person.h"
#endif

/* ==== people ==== */

/* ---- the person index (resolve.c decides; the store keeps) ---- */

#define MASH_PERSON_ID_LEN 24         /* "P-000042", "M-000007" */
#define MASH_REF_LEN 65               /* a person's ref in a notification (64 + NUL) */
#define MASH_PERSON_SUMMARY_MAX 4096u /* a comparison summary, bytes (person_summarise) */

typedef struct mash_person_row {
  char person_id[MASH_PERSON_ID_LEN];
  int is_child;    /* ever listed as a child in a notification */
  uint8_t *record; /* decrypted serialized Person (the latest details); caller frees */
  size_t len;
  /* person_find only: the record's comparison summary (opened), when one is
   * kept (mash_store_person_summarise); record is then NULL. Owned by the
   * store, valid during the callback only. */
  const uint8_t *summary;
  size_t summary_len;
} mash_person_row_t;

/* A contact linked to a person, for prior contacts and repeat counts. */
typedef struct mash_person_contact {
  char contact_id[MASH_CONTACT_ID_LEN];
  char principal[MASH_PRINCIPAL_LEN];
  int64_t received_at_ms;
  int concern_category;
  int domestic_abuse; /* a police domestic-abuse notification or a domestic-abuse concern */
  int red_flag;
  char ref[MASH_REF_LEN];             /* the person's ref in that contact */
  char person_id[MASH_PERSON_ID_LEN]; /* the person it is linked to now */
  int64_t occurred_at_ms;             /* when it happened, as the agency said */
} mash_person_contact_t;

typedef struct mash_match_row {
  char match_id[MASH_PERSON_ID_LEN];
  char contact_id[MASH_CONTACT_ID_LEN];
  char ref[MASH_REF_LEN];
  char person_id[MASH_PERSON_ID_LEN];    /* the new record made for the notification */
  char candidate_id[MASH_PERSON_ID_LEN]; /* the person it may be */
  int confidence;                        /* thousandths */
  int state;                             /* MASH_MATCH_OPEN, _CONFIRMED, _REJECTED */
} mash_match_row_t;

enum { MASH_MATCH_OPEN = 0, MASH_MATCH_CONFIRMED = 1, MASH_MATCH_REJECTED = 2 };

/* Visitors: return non-zero to stop. A person row's record may be taken
 * (set row->record NULL); otherwise it is freed after the call. */
typedef int (*mash_store_person_cb)(mash_person_row_t *row, void *arg);
typedef int (*mash_store_person_contact_cb)(const mash_person_contact_t *c, void *arg);
/* One person in an open possible match with another: other_is_candidate
 * when `other_id` is the match's candidate (the older record, the root of
 * the cluster), 0 when it is the record made for the notification. */
typedef int (*mash_store_pending_cb)(const char *other_id, int other_is_candidate, void *arg);

/* Every person indexed under any of keys[0..n), each once, lowest id first.
 * Keys are given in plain text ("d:2019-05-20", "i:1:9434765919",
 * "a:EX1 2AB|12 canal street") and stored only as keyed blind indexes;
 * records are sealed. Merged persons are never returned. A person whose
 * comparison summary is kept comes with row->summary and no record; one
 * without, with its record. */
int mash_store_person_find(mash_store_t *s, const char *const *keys, size_t n,
                           mash_store_person_cb cb, void *arg);
/* One person into *row (row->record malloc'd: the caller frees it). A merged
 * person gives the record it was merged into (row->person_id). */
int mash_store_person_get(mash_store_t *s, const char *person_id, mash_person_row_t *row);
/* Create (person_id "" on entry: filled in) or replace a person's record.
 * address_key (plain, may be NULL) is where the person lives now. */
int mash_store_person_put(mash_store_t *s, char person_id[MASH_PERSON_ID_LEN],
                          const uint8_t *record, size_t len, int is_child, const char *address_key,
                          int64_t at_ms);
/* Keep person_id's comparison summary (match.h's mash_match_summary_write;
 * opaque bytes here, at most MASH_PERSON_SUMMARY_MAX), sealed with the person's id, so that
 * person_find hands it instead of the record. Kept until the record is put
 * again, merged away or the data key rotated (each drops it; the caller
 * writes it again, or a later look-up fills it from the record). -ENOENT
 * for no such person or one merged away; -EINVAL for a bad length. */
int mash_store_person_summarise(mash_store_t *s, const char *person_id, const uint8_t *summary,
                                size_t len);
/* Read the tables a look-up reads (comparison summaries, keys, term
 * counts) once, in order, so that the first look-ups after a start find
 * their pages at hand instead of faulting each in (at 1,000,000 people a
 * look-up touches a few hundred pages, scattered). *bytes (may be NULL)
 * gets what was read. Storage thread; at start, before resolving. 0 or a
 * negative error. */
int mash_store_person_warm(mash_store_t *s, int64_t *bytes);
/* What the comparison summaries held in memory did (SQLite; see
 * mash_store_sqlite_opts_t). Storage thread. 0, or -ENOSYS for a store
 * that holds none (PostgreSQL: another node may change them). */
typedef struct mash_store_person_cache {
  uint64_t hits, misses; /* summaries looked up and held, and not */
  uint64_t entries;      /* summaries held now */
  uint64_t bytes;        /* memory mapped for them now (their table) */
  uint64_t refused;      /* times a summary read was not kept: the bound reached */
  uint64_t clears;       /* times all were forgotten (another connection wrote) */
} mash_store_person_cache_t;
int mash_store_person_cache(mash_store_t *s, mash_store_person_cache_t *out);
/* Index person_id under keys[0..n) as well (plain keys, as for find). */
int mash_store_person_add_keys(mash_store_t *s, const char *person_id, const char *const *keys,
                               size_t n);
/* How (contact, ref) was resolved; why holds tags only, never child data. */
int mash_store_person_link(mash_store_t *s, const char *contact_id, const char *ref,
                           const char *person_id, const char *decision, int confidence,
                           const char *why, int64_t at_ms);
/* a and b are related (one household). Idempotent. */
int mash_store_person_relate(mash_store_t *s, const char *a, const char *b, int64_t at_ms);
/* The people related to person_id by a relation, to cb (no records read). */
int mash_store_person_relatives(mash_store_t *s, const char *person_id, mash_store_person_cb cb,
                                void *arg);
/* At most `max` people living now at person_id's current address, whose
 * address was last given at or after since_ms, to cb (no records read). */
int mash_store_person_housemates(mash_store_t *s, const char *person_id, int64_t since_ms,
                                 size_t max, mash_store_person_cb cb, void *arg);
/* 1 when a and b are people of one contact (so two people), 0 when not, or
 * a negative error. */
int mash_store_person_together(mash_store_t *s, const char *a, const char *b);
/* Contacts linked to person_id received in [since_ms, until_ms]: the `max`
 * most recent, newest first, to cb. */
int mash_store_person_contacts(mash_store_t *s, const char *person_id, int64_t since_ms,
                               int64_t until_ms, size_t max, mash_store_person_contact_cb cb,
                               void *arg);
/* from becomes part of into: its links, keys and relations move to into
 * (each link's why gains note), and from is never returned again. */
int mash_store_person_merge(mash_store_t *s, const char *from, const char *into, const char *note,
                            int64_t at_ms);
/* Record a possible match for review (m->match_id and m->state are
 * ignored); its new id into match_id. */
int mash_store_match_insert(mash_store_t *s, const mash_match_row_t *m, const char *why,
                            int64_t at_ms, char match_id[MASH_PERSON_ID_LEN]);
/* One possible match into *row. */
int mash_store_match_get(mash_store_t *s, const char *match_id, mash_match_row_t *row);
/* open -> confirmed or rejected by principal `by`; the serialized
 * MatchDecision (the worker's name and rationale) is kept sealed.
 * -EALREADY when no longer open. */
int mash_store_match_decide(mash_store_t *s, const char *match_id, int state, const char *by,
                            const uint8_t *decision, size_t len, int64_t at_ms);
/* The people in an open possible match with person_id, either side (no
 * records read), to cb: its cluster while the review is pending. */
int mash_store_match_pending(mash_store_t *s, const char *person_id, mash_store_pending_cb cb,
                             void *arg);

/* Term frequencies (issue 9; match.h): how many person records carry each
 * of keys[0..n) ("t:f:maya", "t:s:hartley", "t:*" for every record), given
 * in plain text and kept only as keyed blind indexes, into counts[i] (0 for
 * a key never counted; NULL or "" keys count 0). */
int mash_store_term_counts(mash_store_t *s, const char *const *keys, size_t n, int64_t *counts);
/* Add delta (1 for a new record, -1 for a record merged away) to the count
 * of each of keys[0..n) (NULL or "" keys are skipped); a count never goes
 * below 0. */
int mash_store_term_add(mash_store_t *s, const char *const *keys, size_t n, int delta);
/* Every person record not merged away whose id comes after after_id (""
 * or NULL: from the first), lowest id first, at most max, to cb with its
 * record: a page of a walk over the whole index (the term counts' back-fill,
 * resolve.h). Returns 0 (1 when cb stopped) or a negative error. */
int mash_store_person_each(mash_store_t *s, const char *after_id, size_t max,
                           mash_store_person_cb cb, void *arg);

#endif
