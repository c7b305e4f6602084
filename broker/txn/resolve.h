/* resolve: who is each person of a notification, and who else is in the
 * family (DESIGN.md §3 step 2; issue 4). Runs on the storage thread, after
 * the contact is stored and acknowledged and before it is delivered to the
 * hub desk, in one savepoint: a contact's links, its counts and its final
 * priority commit together or not at all. Resolution costs about a
 * millisecond a notification against a large index, so it is kept off the
 * acknowledgement path (storage.c runs it in the background).
 *
 * Responsible for: resolving every person of a new contact against the
 * person index (match.h decides; the store keeps), recording each link and
 * why, opening a possible match for the hub's review, relating the people of
 * one household, the repeat-contact and red-flag facts the priority needs,
 * the family part of a pack (the household's other children, prior contacts
 * in the last 12 months, the domestic-abuse count), and the hub's review of
 * a possible match. Must not: touch sockets or the loop, log child data, or
 * link two records without writing down why.
 *
 * The rule for one person:
 *   1. Candidates are the people indexed under its blocking keys
 *      (match.h) or its valid identifiers, less those already resolved for
 *      another person of the same notification (an agency lists two people
 *      because they are two).
 *   2. Each is scored (mash_match_score). The best decides: a shared valid
 *      identifier links ("identifier"); at or above the auto-link threshold
 *      links ("auto_link"); at or above the review threshold makes a new
 *      record and a possible match between it and the candidate, for the
 *      hub desk to confirm or reject ("possible"); below, a new record
 *      ("new").
 *      An auto-link is ambiguous, and goes to review instead, when another
 *      record also scores at or above the auto-link threshold, or at or
 *      above the review threshold within MASH_RESOLVE_AMBIGUOUS_GAP of it,
 *      unless its match weight is MASH_RESOLVE_CLEAR_CENTIBITS above the
 *      other's.
 *   3. A linked record keeps its names and date of birth (a typo that still
 *      linked must not replace them), takes the new address and sex when
 *      given, and gains every new identifier.
 *
 * Households: the people of one notification grouped by mash_household_group
 * (same address, or related) are related in the store; the household of a
 * contact is everyone reachable from its children by relations or a shared
 * current address, at most MASH_RESOLVE_HOUSEHOLD_MAX people.
 */
#ifndef MASH_RESOLVE_H
#define MASH_RESOLVE_H

#include <stdint.h>

#include "match.h"
#include "priority.h"
#include "store.h"

#define MASH_RESOLVE_WINDOW_MS (365LL * 24 * 3600 * 1000) /* "the last 12 months" */
#define MASH_RESOLVE_HOUSEHOLD_MAX 64u
#define MASH_RESOLVE_PRIOR_MAX 256u /* MASH_MAX_PRIOR_CONTACTS */
/* At intake only the counts matter (repeat contacts from 2, incidents from
 * 3, any red flag): the most recent this many contacts per child are read,
 * so a child with thousands of contacts costs no more than one with 32;
 * Contact.prior_contacts_12m then reads "at least" this many. */
#define MASH_RESOLVE_INTAKE_PRIOR 32u
#define MASH_RESOLVE_DA_ESCALATION 3u     /* DASH: 3 or more incidents in 12 months */
#define MASH_RESOLVE_COMMUNAL 12u         /* more distinct people at one address: not a household */
#define MASH_RESOLVE_COMMUNAL_FAMILIES 2u /* more surnames (families) at one address: neither */
#define MASH_RESOLVE_AMBIGUOUS_GAP 0.10
/* Not ambiguous after all: the best record's match weight is this many
 * hundredths of a bit above the other's (10 bits: 1,000 times likelier). */
#define MASH_RESOLVE_CLEAR_CENTIBITS 1000

/* The keys a person is indexed and found under, in plain text (the store
 * keeps only their blind indexes): its blocking keys (match.h) and each
 * valid identifier, "i:KIND:VALUE:ISSUER". */
#define MASH_RESOLVE_MAX_KEYS 16u
typedef struct mash_resolve_keys {
  char text[MASH_RESOLVE_MAX_KEYS][MASH_MATCH_KEY_SIZE + 2 * MASH_MATCH_ID_SIZE];
  const char *ptr[MASH_RESOLVE_MAX_KEYS]; /* ptr[i] == text[i], for the store */
  size_t n;
} mash_resolve_keys_t;
void mash_resolve_person_keys(const mash_match_person_t *p, mash_resolve_keys_t *k);

/* The keys a person's candidates are looked up by (pointers into k, at
 * most MASH_RESOLVE_MAX_KEYS, written to out; returns how many): k's keys,
 * less the "f:" key (both name sounds, no date) when p has a date of birth
 * and no record found under that key alone could reach the review
 * threshold of `policy` (NULL: the default). A record that shares p's date
 * of birth is indexed under "d:", one with a slip or a swap of it under
 * "s:" or "n:", one at p's postcode under "p:" or "q:", one with p's
 * identifier under "i:": found under "f:" alone, only its names and sex can
 * agree, which weighs mash_match_names_bound (-2.2 bits with names of
 * average frequency: a new person). The "f:" keys of common names hold
 * hundreds of people at 1,000,000 and are most of the candidate tail. A
 * record of the notification's family (whose prior is higher) may still be
 * one only "f:" finds, or one no key finds: resolution scores the family's
 * records the look-up did not find on their own. */
size_t mash_resolve_find_keys(const mash_match_person_t *p, const mash_resolve_keys_t *k,
                              const mash_match_policy_t *policy, const char **out);

/* Where a person lives, as a household key ("a:EX1 2AB|flat 3, 12 canal
 * street"), in buf; NULL when the postcode or the street is not known. */
#define MASH_RESOLVE_ADDRESS_KEY_SIZE (MASH_MATCH_KEY_SIZE + MASH_MATCH_ADDRESS_SIZE)
const char *mash_resolve_address_key(const mash_match_person_t *p, char *buf, size_t len);

/* Resolving one stored contact (the storage op's argument). */
typedef struct mash_resolve_job {
  char contact_id[MASH_CONTACT_ID_LEN];
  mash_match_policy_t policy;
  /* out: the Contact as stored now (with links, counts and the final
   * priority; without its id), malloc'd, the caller frees it; deliver: no
   * hub desk has acknowledged it yet. */
  uint8_t *contact;
  size_t contact_len;
  int deliver;
  int rc;      /* for the caller's use */
  int gave_up; /* for the caller's use: why mash_resolve_give_up was needed */
  unsigned linked, possible, created; /* how the persons went, for the log */
  unsigned reviews;                   /* possible matches opened for the desk */
  /* Weigh exact names by the table alone, not by how common they are in
   * the store (bench/eval-match --no-tf; the counts are kept either way). */
  int no_term_frequencies;
} mash_resolve_job_t;

/* Resolve the people of the stored, unresolved contact job->contact_id
 * (stored by mash_store_intake with resolve_later), then store the contact
 * again with its links, counts and priority (contact_resolved). A contact
 * resolved already is returned as stored. Contacts must be resolved in the
 * order they were received: each sees the links of those before it.
 * Returns 0 or a negative error (the caller's savepoint undoes partial
 * writes). */
int mash_resolve_contact(mash_store_t *store, mash_resolve_job_t *job);

/* For a contact mash_resolve_contact cannot resolve (an unreadable record,
 * a bad stored contact): store it as it came with the quality flag
 * MASH_FLAG_RESOLUTION_FAILED, so that it is delivered and the desk knows
 * its people were not matched. Fills job->contact and deliver like
 * mash_resolve_contact. Returns 0 or a negative error. */
int mash_resolve_give_up(mash_store_t *store, mash_resolve_job_t *job);

/* Term counts for a store made before they were kept (migration 8 added
 * person_terms empty): when the store counts no record at all ("t:*" is 0)
 * yet holds people, count every person record's names once, in one
 * transaction, reading the index a page at a time. Run at start, on the
 * storage thread, before anything is resolved. *counted (may be NULL) gets
 * the records counted (0 when nothing was to do). Returns 0 (also for a
 * store without term counts or without a way to walk its index) or a
 * negative error (the transaction rolled back). */
int mash_resolve_terms_backfill(mash_store_t *store, size_t *counted);

/* Comparison summaries (issue 9; match.h): keep person_id's summary, made
 * from its serialized Person record[0..len) as the matcher sees it, so that
 * look-ups score the record without opening it. resolve.c writes one after
 * each record it puts; a record without one (a store from before them, a
 * record the desk merged, keys rotated) is read whole once and its summary
 * written then. 0 (also for a store without summaries), -EBADMSG for a
 * record that is not a Person, or the store's error. Storage thread. */
int mash_resolve_summarise(mash_store_t *store, const char *person_id, const uint8_t *record,
                           size_t len);

/* Write the summary of every person record not merged away, per_tx
 * records to a transaction of its own (so not inside one): a store from
 * before summaries brought up to date at once instead of as it is read
 * (bench-resolve --fill-summaries). *filled (may be NULL) gets the records
 * written. 0 or a negative error (the records before it stay written). */
int mash_resolve_summaries_fill(mash_store_t *store, size_t per_tx, size_t *filled);

/* Key rotation (mashctl rekey): fill r with the derivation of every text
 * the store keeps as a blind index (resolve_reindex.c), for
 * mash_store_sqlite_rekey and mash_store_postgres_rekey. */
void mash_resolve_reindex_init(mash_store_reindex_t *r);

/* The family part of a pack. Owns what it points to: free with
 * mash_resolve_family_free. */
typedef struct mash_resolve_family {
  Mash__V1__Person **others; /* the household's children not named in the contact */
  size_t n_others;
  Mash__V1__PriorContact **prior; /* contacts about the household's children, oldest first */
  size_t n_prior;
  unsigned domestic_abuse_12m; /* domestic-abuse incidents (days) in prior and this one */
  int potential_escalation;    /* domestic_abuse_12m >= MASH_RESOLVE_DA_ESCALATION */
} mash_resolve_family_t;

/* Fill `out` for the stored contact `contact_id` (received at received_ms):
 * prior contacts are those received in the 12 months before it. */
int mash_resolve_family(mash_store_t *store, const char *contact_id, int64_t received_ms,
                        mash_resolve_family_t *out);
void mash_resolve_family_free(mash_resolve_family_t *f);

/* The hub's review of possible match `match_id`, by principal `by` (the
 * authenticated hub desk), with `decision` the serialized MatchDecision
 * kept sealed (the worker's name and rationale). Confirm merges the record
 * made for the notification into the candidate (links move, each link's
 * why gains "; confirmed M-... by PRINCIPAL"); reject leaves them apart.
 * Returns 0; -ENOENT for an unknown match (the only -ENOENT: a record the
 * store lost is -EIO); -EALREADY when it was already decided; -EPERM when
 * the two records are people of one notification, so two people. */
int mash_resolve_decide(mash_store_t *store, const char *match_id, int confirm, const char *by,
                        const uint8_t *decision, size_t len, int64_t at_ms);

#endif
