/* store_logic: the engine-independent steps of store operations, shared by
 * the SQLite and PostgreSQL implementations, which keep only their SQL and
 * its binding.
 *
 * Responsible for: what an operation does around its statements, the same
 * on every engine: checking arguments and ids, sealing before a row is
 * written, the order of an intake (find, id, seal, insert, screening duty),
 * and handing a sealed row's plaintext to a callback then wiping it.
 * Must not: talk to a database itself (the engine's callbacks do), hold
 * state, log content, or be used outside the store implementations and
 * their tests. Runs on the thread using the store (the storage thread in
 * mashd).
 */
#ifndef MASH_STORE_LOGIC_H
#define MASH_STORE_LOGIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seal.h"
#include "store.h"
#include "store_row.h"
#include "store_sumcache.h"

/* A row looked up by its id: clears row[0..size) and gives the row number
 * in `id` (one-letter prefix, store_row_parse_id), or 0 when `id` names no
 * row of that kind (the caller answers -ENOENT). */
int64_t store_logic_lookup(void *row, size_t size, const char *id, char prefix);

/* One sealed blob of a key rotation's reindex walk, opened by the engine
 * (open_rc, and plain/plen when it opened): handed to the reindex callback,
 * a person record's (ref NULL) or a contact's mention `ref`, which fills t;
 * the plaintext is wiped and freed whatever happens. Returns the opening's
 * failure or the callback's answer (a mention's > 0: skipped); a failure
 * (negative; for a record, any non-zero answer) is named in err with `aad`. */
int store_logic_reindex_blob(const mash_store_reindex_t *how, int open_rc, uint8_t *plain,
                             size_t plen, const char *ref, const char *aad,
                             mash_store_index_texts_t *t, char *err, size_t errlen);

/* Two people's row numbers (relate, together, merge): 0, or -EINVAL when
 * either id is not a person's. */
int store_logic_pair(const char *a, const char *b, int64_t *ia, int64_t *ib);

/* Sorts ids[0..n) and keeps each once, lowest first: the count kept. */
size_t store_logic_unique_ids(int64_t *ids, size_t n);

/* A person's row number for an operation that visits rows with a callback:
 * 0, or -EINVAL when the id is not a person's or there is no callback
 * (has_cb 0). */
int store_logic_person_cb(const char *person_id, int has_cb, int64_t *id);

/* How an engine seals content bound to aad (its own context or seal). */
typedef int (*store_logic_seal_fn)(mash_store_t *s, const uint8_t *in, size_t len, const char *aad,
                                   uint8_t **out, size_t *out_len);

/* A possible match's decision: checks the match id and the state (confirmed
 * or rejected), then seals the decision's free text (NULL stays NULL) with
 * the match id. *id the row number, *sealed malloc'd (free it). 0, -EINVAL,
 * or the seal's error. */
int store_logic_decision(mash_store_t *s, store_logic_seal_fn seal, const char *match_id, int state,
                         const uint8_t *decision, size_t len, int64_t *id, uint8_t **sealed,
                         size_t *sealed_len);

/* The engine's statements an intake runs, in this order. */
typedef struct store_intake_ops {
  /* (principal, message_id) already stored: 1 and its id, 0 when not, or a
   * negative error. */
  int (*find)(mash_store_t *s, const char *principal, const char *message_id,
              char contact_id[MASH_CONTACT_ID_LEN]);
  /* A duplicate's stored record: 0 when it opens, -EBADMSG when it does not
   * (quarantined: damaged, altered, sealed with a lost key), or another
   * negative error. */
  int (*opens)(mash_store_t *s, const char *contact_id);
  /* Write in->contact_id's record anew from the resend: the sealed blob
   * blob[0..len), in's priority, flags and resolve_later, and no delivery
   * yet (the desk gets it again; it de-duplicates by contact id). */
  int (*replace)(mash_store_t *s, const mash_intake_t *in, const uint8_t *blob, size_t len);
  /* The new row's number. */
  int (*next_id)(mash_store_t *s, int64_t *id);
  store_logic_seal_fn seal;
  /* Insert the row: the sealed blob blob[0..len) and in's plain columns. */
  int (*insert)(mash_store_t *s, int64_t id, const char *contact_id, const mash_intake_t *in,
                const uint8_t *blob, size_t len);
} store_intake_ops_t;

/* mash_store_intake on any engine: a duplicate is answered with the first
 * intake's id (MASH_INTAKE_DUPLICATE), except that the resend of a contact
 * whose record no longer opens replaces that record, once, under the same
 * id (MASH_INTAKE_REPLACED); a new contact is sealed with its id as
 * associated data and inserted, and its screening duty opened in the same
 * transaction (mash_store_duty_open). 0 or a negative error. */
int store_logic_intake(mash_store_t *s, mash_intake_t *in, const store_intake_ops_t *ops);

/* mash_store_contact_find on any engine, over the engine's find. */
int store_logic_find(mash_store_t *s, const char *principal, const char *message_id,
                     char contact_id[MASH_CONTACT_ID_LEN],
                     int (*find)(mash_store_t *, const char *, const char *,
                                 char[MASH_CONTACT_ID_LEN]));

/* Hands a request row to cb, then wipes and frees its opened response:
 * cb's answer (non-zero stops the visit). */
int store_logic_request_emit(mash_request_row_t *row, mash_store_request_cb cb, void *arg);

/* Hands an outbox row to cb, then wipes and frees the opened frame: cb's
 * answer (non-zero stops the visit). */
int store_logic_outbox_emit(const char *message_id, const char *target, uint8_t *frame, size_t len,
                            mash_store_outbox_cb cb, void *arg);

/* ---- comparison summaries (store_summary.c) ---- */

/* Seal a person's comparison summary summary[0..len) bound to the person's
 * id into a malloc'd *sealed, the person's row number into *id. 0, -ENOENT for an id that is not a
 * person's, -EINVAL for an empty summary or one over MASH_PERSON_SUMMARY_MAX, or the seal's error.
 */
int store_logic_summary_seal(mash_seal_ctx_t *ctx, const char *person_id, const uint8_t *summary,
                             size_t len, int64_t *id, uint8_t **sealed, size_t *sealed_len);

/* Open person row id's sealed summary into a malloc'd *plain (the caller
 * wipes and frees it). 0, -EBADMSG when it does not open, -ENOMEM. */
int store_logic_summary_open(mash_seal_ctx_t *ctx, int64_t id, const void *sealed, size_t len,
                             uint8_t **plain, size_t *plen);

/* The person_cache slot of an engine that holds no summaries in memory
 * (PostgreSQL: another node may change them): zeros, -ENOSYS. */
int store_logic_person_no_cache(mash_store_t *s, mash_store_person_cache_t *out);

/* The summaries one statement of a look-up returned (at most
 * STORE_LOGIC_SUMS_MAX, lowest id first), opened into one buffer reused
 * from chunk to chunk, and the look-up's callback they go to. */
#define STORE_LOGIC_SUMS_MAX 64
typedef struct store_logic_sum {
  int64_t id;
  int is_child;
  size_t off, len;
} store_logic_sum_t;
typedef struct store_logic_sums {
  store_logic_sum_t row[STORE_LOGIC_SUMS_MAX];
  size_t n, next; /* rows held; the first not yet handed on */
  uint8_t *buf;
  size_t used, cap;
  mash_store_person_cb cb;
  void *arg;
  store_sumcache_t *cache; /* NULL: none; else every summary opened goes in */
} store_logic_sums_t;

void store_logic_sums_init(store_logic_sums_t *sums, mash_store_person_cb cb, void *arg);
/* Wipes the opened summaries and forgets them (the buffer is kept). */
void store_logic_sums_reset(store_logic_sums_t *sums);
/* Wipes and frees the buffer. */
void store_logic_sums_free(store_logic_sums_t *sums);
/* Open one row's sealed summary (id's, in id order) and keep it. 0,
 * -EBADMSG when it does not open (altered, moved, another key), -E2BIG
 * past STORE_LOGIC_SUMS_MAX, -ENOMEM. */
int store_logic_sums_add(store_logic_sums_t *sums, mash_seal_ctx_t *ctx, int64_t id, int is_child,
                         const void *sealed, size_t len);
/* The summaries of the sorted ids[0..n) that sums->cache holds, kept as
 * opened ones are (before any is added from a statement); found[i] says
 * which. Returns how many are not held (n without a cache). 0 rows or
 * -ENOMEM. */
int store_logic_sums_cached(store_logic_sums_t *sums, const int64_t *ids, size_t n, bool *found,
                            size_t *missing);
/* Put the rows held in id order again (after cached ones and a statement's
 * were added). */
void store_logic_sums_sort(store_logic_sums_t *sums);
/* found[i] for each of the sorted ids[0..n): whether its summary is held.
 * Returns how many are not. */
size_t store_logic_sums_mark(const store_logic_sums_t *sums, const int64_t *ids, size_t n,
                             bool *found);
/* Hand the callback the held summaries of ids below `before` not handed on
 * yet, in order (INT64_MAX: all the rest), each as a row with summary set
 * and no record. 0, or 1 when the callback stopped. */
int store_logic_sums_emit(store_logic_sums_t *sums, int64_t before);
/* A person row read with its record (of a person without a summary, ids
 * ascending; arg the sums): the held summaries before it, then the row,
 * to the look-up's callback. Its answer (non-zero: stop). */
int store_logic_sums_record_cb(mash_person_row_t *row, void *arg);

/* ---- keys of the person index (blind indexes) ---- */

/* What an engine runs for one key of a list: the key's blind index (its
 * stored form) and its place i in the list. 0, or a negative error, which
 * stops the walk. */
typedef int (*store_logic_key_fn)(mash_store_t *s, const uint8_t blind[STORE_ROW_KEY_BYTES],
                                  size_t i, void *arg);

/* Each key of keys[0..n) in order, blinded under ctx and handed to fn;
 * with skip_empty, NULL and empty keys are passed over (fn is not called).
 * 0, or fn's first error. */
int store_logic_keys(mash_store_t *s, mash_seal_ctx_t *ctx, const char *const *keys, size_t n,
                     bool skip_empty, store_logic_key_fn fn, void *arg);

/* mash_store_person_add_keys on any engine: checks the person's id and the
 * list, then put(s, blind, id) for each key. 0, -EINVAL, or put's error. */
int store_logic_add_keys(mash_store_t *s, mash_seal_ctx_t *ctx, const char *person_id,
                         const char *const *keys, size_t n,
                         int (*put)(mash_store_t *s, const uint8_t blind[STORE_ROW_KEY_BYTES],
                                    int64_t id));

/* mash_store_person_term_counts on any engine: counts[i] is 0 for a NULL or
 * empty key and otherwise what get(s, blind, &counts[i]) reads (leaving it 0
 * when the key has no row). 0, -EINVAL, or get's error. */
int store_logic_term_counts(mash_store_t *s, mash_seal_ctx_t *ctx, const char *const *keys,
                            size_t n, int64_t *counts,
                            int (*get)(mash_store_t *s, const uint8_t blind[STORE_ROW_KEY_BYTES],
                                       int64_t *count));

/* mash_store_person_term_add on any engine: add(s, blind, delta) for each
 * key that is neither NULL nor empty. 0, -EINVAL, or add's error. */
int store_logic_term_add(mash_store_t *s, mash_seal_ctx_t *ctx, const char *const *keys, size_t n,
                         int delta,
                         int (*add)(mash_store_t *s, const uint8_t blind[STORE_ROW_KEY_BYTES],
                                    int delta));

/* ---- a person's record put (mash_store_person_put) ---- */

/* The engine's statements a person put runs, in this order. */
typedef struct store_logic_put_ops {
  /* A new person's row number (never one used before). */
  int (*next_id)(mash_store_t *s, int64_t *id);
  /* Seals the record bound to the person's id. */
  store_logic_seal_fn seal;
  /* Insert (create) or update row id: addr the address's blind index, or
   * NULL to keep the stored one (a new row: none); *changed the rows
   * written. */
  int (*write)(mash_store_t *s, bool create, int64_t id, int64_t at_ms, int is_child,
               const uint8_t *addr, const uint8_t *sealed, size_t sealed_len, int64_t *changed);
  /* Drops row id's comparison summary (it described the old record). */
  int (*summary_drop)(mash_store_t *s, int64_t id);
} store_logic_put_ops_t;

/* mash_store_person_put on any engine: a new person (person_id "": its id
 * written there) or the live person person_id names, the record sealed
 * with the id, the address (NULL or "": kept) stored as its blind index
 * under ctx, an updated person's summary dropped. 0, -EINVAL, -ENOENT (no
 * such live person), or an engine's error. */
int store_logic_person_put(mash_store_t *s, mash_seal_ctx_t *ctx,
                           char person_id[MASH_PERSON_ID_LEN], const uint8_t *record, size_t len,
                           int is_child, const char *address_key, int64_t at_ms,
                           const store_logic_put_ops_t *ops);

/* ---- a possible match recorded (mash_store_match_insert) ---- */

/* The row a possible match is inserted as: the match's row number, the
 * person and candidate row numbers and the reason ("" for NULL). */
typedef struct store_logic_match {
  int64_t id, person, candidate;
  const mash_match_row_t *m;
  const char *why;
  int64_t at_ms;
} store_logic_match_t;

/* mash_store_match_insert on any engine: checks both people's ids, takes
 * the next row number (next_id), inserts the row (insert) and writes its
 * id ("M-000007") to match_id. 0, -EINVAL, or an engine's error. */
int store_logic_match_insert(mash_store_t *s, const mash_match_row_t *m, const char *why,
                             int64_t at_ms, char match_id[MASH_PERSON_ID_LEN],
                             int (*next_id)(mash_store_t *s, int64_t *id),
                             int (*insert)(mash_store_t *s, const store_logic_match_t *row));

/* ---- a look-up of people by their keys (mash_store_person_find) ---- */

/* A key shared by more people than this (a placeholder date of birth, a
 * very common name in one year) says too little to compare them all: its
 * people are not gathered. */
#define STORE_LOGIC_KEY_TOO_COMMON 1000
/* Candidates gathered for one look-up, at most. */
#define STORE_LOGIC_FIND_MAX 2048

/* The people under one key's blind index: the engine writes the first cap
 * of their row numbers to ids and the number of rows it read to *rows (it
 * may stop reading past STORE_LOGIC_KEY_TOO_COMMON). 0 or a negative error. */
typedef int (*store_logic_people_fn)(mash_store_t *s, const uint8_t blind[STORE_ROW_KEY_BYTES],
                                     int64_t *ids, size_t cap, size_t *rows);
/* One chunk of the look-up's people (ids[0..n), sorted, n at most
 * STORE_LOGIC_SUMS_MAX) handed to the look-up's callback through sums, in
 * id order. 0, 1 when the callback stopped, or a negative error. */
typedef int (*store_logic_chunk_fn)(mash_store_t *s, const int64_t *ids, size_t n,
                                    store_logic_sums_t *sums);

/* mash_store_person_find on any engine: checks the arguments, gathers the
 * people under each key (people, keys blinded under ctx; a key too common
 * is skipped), then hands each person once, lowest id first, chunk by
 * chunk (chunk) to cb, with the summaries cache holds (NULL: none). 0, -EINVAL, -ENOMEM, or an
 * engine's error; the callback stopping is not an error. */
int store_logic_person_find(mash_store_t *s, mash_seal_ctx_t *ctx, store_sumcache_t *cache,
                            const char *const *keys, size_t n, mash_store_person_cb cb,
                            void *cb_arg, store_logic_people_fn people, store_logic_chunk_fn chunk);

/* A migration's target checked against the newest version the engine
 * knows: 0, or -EINVAL with the reason in err. */
int store_logic_migrate_target(int target, int newest, char *err, size_t errlen);

#endif
