/* resolve: person resolution at intake: who each person of a new contact is
 * (see resolve.h for the rule), the records, links, possible matches and
 * relations that follow, and the contact's counts and priority. Households
 * and the family of a pack are resolve_family.c's, what a record keeps, the
 * keys it is found under and the term counts resolve_record.c's, the desk's review
 * resolve_review.c's. Storage thread only. */
#include "resolve.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "intake.h"
#include "resolve_int.h"

#define PEOPLE_MAX (2u * MASH_MAX_PEOPLE)
#define MASH_INTAKE_FLAGS_MAX 16u /* quality flags on one contact, with resolution's */

static const char *const DECISION_IDENTIFIER = "identifier";
/* The weight of a link by a shared identifier, and of a conflict. */
#define S_POINTS_IDENTIFIER 100000
#define S_POINTS_CONFLICT (-100000)
/* Joined the best record of a cluster whose possible match awaits review. */
static const char *const DECISION_PENDING = "pending";

/* ---------------------------------------------------------------- one person */

/* Person ids in the order they were made ("P-000009" before "P-000010",
 * "P-999999" before "P-1000000"). */
static int s_id_order(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  return la != lb ? (la < lb ? -1 : 1) : strcmp(a, b);
}

/* Copy a person id (cut to fit, as snprintf would): the candidate loop
 * copies ids thousands of times a notification. */
static void s_copy_id(char dst[MASH_PERSON_ID_LEN], const char *src) {
  size_t n = strnlen(src, MASH_PERSON_ID_LEN - 1);
  memcpy(dst, src, n);
  dst[n] = '\0';
}

typedef struct s_between {
  const char *other;
  bool found;
} s_between_t;

static int s_between_cb(const char *other_id, int other_is_candidate, void *arg) {
  (void)other_is_candidate;
  s_between_t *b = arg;
  b->found = b->found || strcmp(other_id, b->other) == 0;
  return b->found;
}

/* An open possible match already joins a and b (errors read as "no": the
 * worst is a second review of one pair). */
static bool s_pending_between(mash_store_t *store, const char *a, const char *b) {
  s_between_t x = {b, false};
  mash_store_match_pending(store, a, s_between_cb, &x);
  return x.found;
}

typedef struct s_best {
  mash_store_t *store;
  const mash_match_person_t *me;
  const mash_match_policy_t *policy;
  char (*exclude)[MASH_PERSON_ID_LEN];
  size_t n_exclude;
  bool found;
  double score, second;      /* the best record's, and the best of another cluster's */
  int points, second_points; /* their match weights, centibits (S_POINTS_* for identifiers) */
  mash_match_why_t why;
  bool in_family; /* the best scored with the family's prior */
  char person_id[MASH_PERSON_ID_LEN];
  char root[MASH_PERSON_ID_LEN]; /* the best record's cluster (itself when alone) */
  char second_id[MASH_PERSON_ID_LEN];
  bool pending; /* the best record's cluster awaits review */
  /* An identifier conflict: a record sharing an identifier the rest
   * contradicts, or one the rest would link whose identifier differs. The
   * one whose fields agree best is offered to the desk. */
  bool conflict;
  double conflict_rest;
  char conflict_id[MASH_PERSON_ID_LEN];
  /* Records of the people of this notification resolved so far, and their
   * relatives: within a family the prior is a handful of people. */
  char (*family)[MASH_PERSON_ID_LEN];
  size_t n_family;
  bool family_seen[MASH_RESOLVE_HOUSEHOLD_MAX]; /* found by a key (with mark_family) */
  bool mark_family;
  int rc; /* an unreadable record */
  /* From here on nothing is read before it is written (s_resolve_one
   * zeroes only what comes before): me prepared first, the best record's
   * struct once one is found, the second's once one scores above 0, the
   * buffer before each unpack. */
  mash_match_prepared_t me_prep;          /* me, weighed against every candidate */
  mash_match_person_t best_mp, second_mp; /* the two records */
  resolve_unpack_t unpack;
} s_best_t;

typedef struct s_root {
  char root[MASH_PERSON_ID_LEN];
  bool pending; /* the record made for a notification, awaiting review */
} s_root_t;

static int s_root_cb(const char *other_id, int other_is_candidate, void *arg) {
  s_root_t *r = arg;
  if (other_is_candidate) {
    r->pending = true;
    s_copy_id(r->root, other_id);
    return 1;
  }
  return 0;
}

/* The cluster of record `id`: while a possible match awaits review, the
 * record made for the notification belongs to its candidate's cluster. */
static int s_cluster_of(mash_store_t *store, const char *id, s_root_t *r) {
  s_copy_id(r->root, id);
  r->pending = false;
  return mash_store_match_pending(store, id, s_root_cb, r);
}

static int s_candidate_cb(mash_person_row_t *row, void *arg) {
  s_best_t *b = arg;
  for (size_t i = 0; i < b->n_exclude; i++) {
    if (strcmp(b->exclude[i], row->person_id) == 0) {
      return 0;
    }
  }
  for (size_t i = 0; b->mark_family && i < b->n_family; i++) {
    b->family_seen[i] = b->family_seen[i] || strcmp(b->family[i], row->person_id) == 0;
  }
  mash_match_person_t cand;
  if (row->summary != NULL) {
    /* The record's comparison summary: the same struct as normalising the
     * record gives, without unpacking or normalising anything. */
    if (mash_match_summary_read(&cand, row->summary, row->summary_len) != 0) {
      b->rc = -EBADMSG; /* authenticated, yet not a summary: never skip it */
      return 1;
    }
  } else {
    ProtobufCAllocator arena = resolve_unpack_allocator(&b->unpack);
    b->unpack.used = 0;
    Mash__V1__Person *p = mash__v1__person__unpack(&arena, row->len, row->record);
    if (p == NULL) {
      /* Authenticated, yet not a Person: never skip it, or the child would
       * silently get a second record. */
      b->rc = -EBADMSG;
      return 1;
    }
    mash_match_person_from_pb(&cand, p);
    mash__v1__person__free_unpacked(p, &arena);
    /* A record without a summary (a store from before them, or put since
     * without one) gets it now: the next look-up reads the summary. */
    int rc = resolve_summary_keep(b->store, row->person_id, &cand);
    if (rc != 0) {
      b->rc = rc;
      return 1;
    }
  }
  cand.role = row->is_child ? MASH_MATCH_ROLE_CHILD : MASH_MATCH_ROLE_ADULT;
  /* Scored without the why text: only the chosen record's is written. */
  mash_match_why_t why;
  double score = mash_match_weigh_prepared(&b->me_prep, &cand, &why);
  int points = why.identifier && !why.conflict ? S_POINTS_IDENTIFIER
               : why.identifier && why.shared  ? S_POINTS_CONFLICT
                                               : why.points;
  bool in_family = false;
  /* A pair capped as maybe twins or siblings stays for the desk, in the
   * family as anywhere. */
  if (!why.identifier && !why.twin) {
    for (size_t i = 0; i < b->n_family; i++) {
      /* The family first: the household test scores the pair again. */
      if (strcmp(b->family[i], row->person_id) != 0 ||
          !mash_match_same_in_household(b->me, &cand)) {
        continue;
      }
      double family_score =
          mash_match_probability(why.points - MASH_MATCH_PRIOR + MASH_MATCH_HOUSEHOLD_PRIOR);
      if (family_score > score) {
        /* points stay the county's: "clearly the better" compares like
         * with like. */
        score = family_score;
        in_family = true;
      }
      break;
    }
  }
  if (why.conflict &&
      (why.shared || mash_match_decide(why.rest, b->policy) == MASH_MATCH_AUTO_LINK)) {
    /* Different NHS numbers (say) are different people, and a shared one
     * the names and dates contradict is someone else's: either way one
     * agency may hold a wrong number, and the desk must know. */
    if (!b->conflict || why.rest > b->conflict_rest) {
      b->conflict_rest = why.rest;
      s_copy_id(b->conflict_id, row->person_id);
    }
    b->conflict = true;
  }
  /* Clusters matter only for records that could be linked or reviewed:
   * the store is asked only about those. */
  s_root_t r;
  bool close = mash_match_decide(score, b->policy) != MASH_MATCH_NEW;
  int rc = close ? s_cluster_of(b->store, row->person_id, &r) : 0;
  if (rc != 0) {
    b->rc = rc;
    return 1;
  }
  if (!close) {
    s_copy_id(r.root, row->person_id);
    r.pending = false;
  }
  /* Candidates come lowest id first: on a tie the oldest record wins. Two
   * records of one cluster are one person awaiting review, not a choice. */
  bool same = b->found && strcmp(r.root, b->root) == 0;
  if (!b->found || score > b->score) {
    if (b->found && !same && b->score > b->second) {
      b->second = b->score;
      b->second_points = b->points;
      b->second_mp = b->best_mp;
      s_copy_id(b->second_id, b->person_id);
    }
    b->found = true;
    b->score = score;
    b->points = points;
    b->why = why;
    b->in_family = in_family;
    b->best_mp = cand;
    s_copy_id(b->person_id, row->person_id);
    s_copy_id(b->root, r.root);
    b->pending = r.pending;
  } else if (!same && score > b->second) {
    b->second = score;
    b->second_points = points;
    b->second_mp = cand;
    s_copy_id(b->second_id, row->person_id);
  }
  return 0;
}

typedef struct s_resolved {
  bool conflict; /* an identifier conflict with an otherwise linking record */
  char person_id[MASH_PERSON_ID_LEN];
  const char *decision;
  unsigned confidence; /* thousandths */
  char why[MASH_MATCH_WHY_SIZE + 16];
  char candidate_id[MASH_PERSON_ID_LEN]; /* "possible" only */
  char duplicate_id[MASH_PERSON_ID_LEN]; /* linked, and this record may be the same person */
  char match_id[MASH_PERSON_ID_LEN];
} s_resolved_t;

static unsigned s_permille(double score) {
  if (isnan(score) || score <= 0.0) {
    return 0;
  }
  return score >= 1.0 ? 1000u : (unsigned)lround(score * 1000.0);
}

static int s_resolve_one(mash_store_t *store, const Mash__V1__Person *pb,
                         const mash_match_person_t *me, int is_child,
                         const mash_match_policy_t *policy, char (*done)[MASH_PERSON_ID_LEN],
                         size_t n_done, char (*family)[MASH_PERSON_ID_LEN], size_t n_family,
                         int64_t now, s_resolved_t *out) {
  memset(out, 0, sizeof *out);
  out->decision = "new";
  mash_resolve_keys_t keys;
  mash_resolve_person_keys(me, &keys);
  /* About 9 KiB, most of it the records' structs and the unpack buffer:
   * only the part before them starts zeroed. */
  s_best_t *best = malloc(sizeof *best);
  if (best == NULL) {
    return -ENOMEM;
  }
  memset(best, 0, offsetof(s_best_t, me_prep));
  mash_match_prepare(&best->me_prep, me);
  best->store = store;
  best->me = me;
  best->policy = policy;
  best->exclude = done;
  best->n_exclude = n_done;
  best->family = family;
  best->n_family = n_family;
  const char *find[MASH_RESOLVE_MAX_KEYS];
  size_t n_find = mash_resolve_find_keys(me, &keys, policy, find);
  best->mark_family = n_family > 0;
  int rc = n_find > 0 ? mash_store_person_find(store, find, n_find, s_candidate_cb, best) : 0;
  rc = rc ? rc : best->rc;
  /* The family's records the keys did not find (the "f:" key left out, or
   * none shared: a brother notified before without a date of birth at the
   * old home) are scored on their own: within a family the names alone may
   * link. */
  for (size_t i = 0; rc == 0 && best->mark_family && i < n_family; i++) {
    if (best->family_seen[i]) {
      continue;
    }
    mash_person_row_t row;
    rc = mash_store_person_get(store, family[i], &row);
    if (rc == 0) {
      s_candidate_cb(&row, best);
      free(row.record);
      rc = best->rc;
    } else if (rc == -ENOENT) {
      rc = 0; /* merged away and gone: nothing to score */
    }
  }
  if (best->found) {
    /* The reason, written for the chosen record only. */
    mash_match_why_render(&best->why);
    if (best->in_family) {
      char text[MASH_MATCH_WHY_SIZE + 8];
      snprintf(text, sizeof text, "family+%s", best->why.text);
      snprintf(best->why.text, sizeof best->why.text, "%.*s", (int)sizeof best->why.text - 1, text);
    }
  }
  out->conflict = best->conflict;
  if (rc != 0) {
    free(best);
    return rc;
  }
  mash_match_decision_t d = best->found ? mash_match_decide(best->score, policy) : MASH_MATCH_NEW;
  bool by_id = best->found && best->why.identifier && !best->why.conflict && best->score >= 1.0;
  /* Another person nearly as close: linking to the better one could be
   * linking to the wrong one (two children, or two records of one child not
   * yet under review). Records of one cluster are not counted twice. */
  bool ambiguous = !by_id && d == MASH_MATCH_AUTO_LINK &&
                   (mash_match_decide(best->second, policy) == MASH_MATCH_AUTO_LINK ||
                    (mash_match_decide(best->second, policy) == MASH_MATCH_POSSIBLE &&
                     best->score - best->second < MASH_RESOLVE_AMBIGUOUS_GAP));
  /* Two records that both link, and that would at least go to review
   * against each other, are one person recorded twice: link to the better,
   * and put the pair to the desk, rather than make a third record. */
  bool twice = ambiguous && mash_match_decide(best->second, policy) == MASH_MATCH_AUTO_LINK &&
               mash_match_decide(mash_match_score(&best->best_mp, &best->second_mp, NULL),
                                 policy) != MASH_MATCH_NEW;
  if (twice) {
    ambiguous = false;
    snprintf(out->duplicate_id, sizeof out->duplicate_id, "%s", best->second_id);
  }
  /* Both link, but the evidence for the better is overwhelming (every
   * field agrees at the new address; the other record agrees on the names
   * at the old one): that is the person, not a choice for the desk. In
   * probabilities both are "nearly 1"; their weights tell them apart. */
  if (ambiguous && best->points - best->second_points >= MASH_RESOLVE_CLEAR_CENTIBITS) {
    ambiguous = false;
  }
  /* A shared number the rest contradicts never links. Two different
   * numbers have been weighed as evidence already: a record that still
   * links is linked, the contact flagged. */
  if (ambiguous || (best->found && best->why.shared && d == MASH_MATCH_AUTO_LINK)) {
    d = MASH_MATCH_POSSIBLE;
  }
  /* An identifier conflict never links on the fields alone: the record
   * whose fields agree best goes to the desk with the conflict. */
  bool conflict_review = !by_id && best->conflict && d != MASH_MATCH_AUTO_LINK;
  /* While a possible match awaits review, a mention that comes close to
   * the record under review joins it: the one review decides them both
   * (merged on confirm, kept apart on reject), rather than a new record
   * and a new review each time. */
  bool attach =
      !by_id && !conflict_review && !ambiguous && d == MASH_MATCH_POSSIBLE && best->pending;
  char addr_buf[MASH_RESOLVE_ADDRESS_KEY_SIZE];
  const char *addr = mash_resolve_address_key(me, addr_buf, sizeof addr_buf);
  uint8_t *rec = NULL;
  size_t rec_len = 0;
  if (by_id || attach || (d == MASH_MATCH_AUTO_LINK && !conflict_review)) {
    mash_person_row_t row;
    rc = mash_store_person_get(store, best->person_id, &row);
    Mash__V1__Person *old = rc == 0 ? mash__v1__person__unpack(NULL, row.len, row.record) : NULL;
    free(row.record);
    if (rc == 0 && old == NULL) {
      rc = -EBADMSG;
    }
    /* A number that conflicts elsewhere is not added to the record. A
     * spelling of the given name that agreed with the record's is kept as
     * one of its own (a record first made from "Isal" knows "Isla"); a
     * mention that only joins a cluster under review adds none. */
    /* A record linked in spite of its own different number (every field
     * agrees) learns the mention's too: one of the two is wrong, the desk
     * sees the flag, and the next mention carrying either finds it. */
    bool elsewhere = best->conflict && strcmp(best->conflict_id, best->person_id) != 0;
    unsigned what = (!elsewhere || by_id) ? RESOLVE_RECORD_IDS : 0;
    what |= !attach && mash_match_forenames_agree(me, &best->best_mp) ? RESOLVE_RECORD_SPELLING : 0;
    /* So is a date of birth that linked at a near level (a record made from
     * a swapped date learns the child's own). */
    what |= !attach && mash_match_dob_near(me, &best->best_mp) ? RESOLVE_RECORD_DOB : 0;
    rc = rc ? rc : resolve_record(pb, old, what, &rec, &rec_len);
    if (old) {
      mash__v1__person__free_unpacked(old, NULL);
    }
    snprintf(out->person_id, sizeof out->person_id, "%s", row.person_id);
    out->decision = by_id    ? DECISION_IDENTIFIER
                    : attach ? DECISION_PENDING
                             : mash_match_decision_name(d);
    out->confidence = s_permille(best->score);
    snprintf(out->why, sizeof out->why, "%s", best->why.text);
  } else {
    rc = resolve_record(pb, NULL, !best->conflict ? RESOLVE_RECORD_IDS : 0, &rec, &rec_len);
    rc = rc ? rc : resolve_terms_add(store, me, 1);
    if (conflict_review) {
      d = MASH_MATCH_POSSIBLE;
      out->confidence = s_permille(best->conflict_rest);
      snprintf(out->why, sizeof out->why, "identifier_conflict");
      snprintf(out->candidate_id, sizeof out->candidate_id, "%s", best->conflict_id);
    } else if (d == MASH_MATCH_POSSIBLE) {
      out->confidence = s_permille(best->score);
      snprintf(out->why, sizeof out->why, "%s%s", ambiguous ? "ambiguous:" : "", best->why.text);
      snprintf(out->candidate_id, sizeof out->candidate_id, "%s", best->person_id);
    } else {
      out->confidence = 1000; /* certain it is someone new to the hub */
      snprintf(out->why, sizeof out->why, "%s%s", best->found ? "no close match: " : "no candidate",
               best->found ? best->why.text : "");
    }
    out->decision = mash_match_decision_name(d);
  }
  if (rc == 0) {
    rc = mash_store_person_put(store, out->person_id, rec, rec_len, is_child, addr, now);
  }
  if (rc == 0) {
    rc = mash_resolve_summarise(store, out->person_id, rec, rec_len);
  }
  free(rec);
  if (rc == 0) {
    rc = mash_store_person_add_keys(store, out->person_id, keys.ptr, keys.n);
  }
  free(best);
  return rc;
}

/* ---------------------------------------------------------------- intake */

typedef struct s_work {
  const Mash__V1__Person *pb[PEOPLE_MAX];
  int is_child[PEOPLE_MAX];
  mash_match_person_t mp[PEOPLE_MAX];
  s_resolved_t res[PEOPLE_MAX];
  /* Records already given to a person of this notification, as a link or
   * as the candidate of a possible match: never offered to another. */
  char done[2 * PEOPLE_MAX][MASH_PERSON_ID_LEN];
  size_t n_done;
  char family[MASH_RESOLVE_HOUSEHOLD_MAX][MASH_PERSON_ID_LEN];
  size_t n_family;
  char *flag_ptrs[MASH_INTAKE_FLAGS_MAX];
  char flag_text[512];
  Mash__V1__PersonLink links[PEOPLE_MAX];
  Mash__V1__PersonLink *link_ptrs[PEOPLE_MAX];
  size_t n;
  resolve_household_t household;
  resolve_prior_t prior;
} s_work_t;

/* The work area (about 380 KiB: room for every prior contact and person
 * struct a notification could need) with its counts zeroed. The rest is
 * written before it is read, and is not zeroed: clearing all of it cost
 * more than a third of a million instructions a notification, and touched
 * pages a notification mostly never uses. */
static s_work_t *s_work_new(void) {
  s_work_t *w = malloc(sizeof *w);
  if (w != NULL) {
    w->n = 0;
    w->n_done = 0;
    w->n_family = 0;
    memset(&w->household, 0, sizeof w->household);
    w->prior.n = 0;
    w->prior.exclude = NULL;
  }
  return w;
}

static void s_collect_people(s_work_t *w, const Mash__V1__Notification *n) {
  w->n = 0;
  for (size_t i = 0; i < n->n_children && w->n < PEOPLE_MAX; i++) {
    w->pb[w->n] = n->children[i];
    w->is_child[w->n++] = 1;
  }
  for (size_t i = 0; i < n->n_adults && w->n < PEOPLE_MAX; i++) {
    w->pb[w->n] = n->adults[i];
    w->is_child[w->n++] = 0;
  }
  for (size_t i = 0; i < w->n; i++) {
    mash_match_person_from_pb(&w->mp[i], w->pb[i]);
    /* Other spellings are the broker's own knowledge of a record: an
     * agency's mention compares by the name it wrote. */
    w->mp[i].n_other_forenames = 0;
    w->mp[i].role = w->is_child[i] ? MASH_MATCH_ROLE_CHILD : MASH_MATCH_ROLE_ADULT;
  }
}

/* Relate the people of one household of the notification: each to the
 * household's first member. */
static int s_relate(mash_store_t *store, s_work_t *w, const Mash__V1__Notification *n,
                    int64_t now) {
  size_t group[PEOPLE_MAX];
  mash_household_group(w->mp, w->n, n->relationships, n->n_relationships, group);
  for (size_t i = 0; i < w->n; i++) {
    if (group[i] != i && strcmp(w->res[i].person_id, w->res[group[i]].person_id) != 0) {
      int rc =
          mash_store_person_relate(store, w->res[i].person_id, w->res[group[i]].person_id, now);
      if (rc != 0) {
        return rc;
      }
    }
  }
  return 0;
}

static void s_fill_links(s_work_t *w, Mash__V1__Contact *c) {
  for (size_t i = 0; i < w->n; i++) {
    Mash__V1__PersonLink *l = &w->links[i];
    s_resolved_t *r = &w->res[i];
    mash__v1__person_link__init(l);
    l->ref = w->pb[i]->ref;
    l->person_id = r->person_id;
    l->decision = (char *)r->decision;
    l->confidence_permille = r->confidence;
    l->why = r->why;
    l->candidate_person_id = r->candidate_id;
    l->match_id = r->match_id;
    w->link_ptrs[i] = l;
  }
  c->persons = w->link_ptrs;
  c->n_persons = w->n;
}

/* Add one of the static MASH_FLAG_* flags to the contact's quality flags,
 * through `ptrs` (MASH_INTAKE_FLAGS_MAX slots, alive while c is packed). */
static void s_add_flag(char **ptrs, Mash__V1__Contact *c, const char *flag) {
  size_t n = 0;
  for (size_t i = 0; i < c->n_quality_flags && n + 1 < MASH_INTAKE_FLAGS_MAX; i++) {
    ptrs[n++] = c->quality_flags[i];
  }
  ptrs[n++] = (char *)flag;
  c->quality_flags = ptrs;
  c->n_quality_flags = n;
}

static int s_family_cb(mash_person_row_t *row, void *arg) {
  s_work_t *w = arg;
  if (w->n_family >= MASH_RESOLVE_HOUSEHOLD_MAX) {
    return 1;
  }
  s_copy_id(w->family[w->n_family++], row->person_id);
  return 0;
}

/* A resolved record and its relatives join the notification's family. */
static int s_family_add(mash_store_t *store, s_work_t *w, const char *id) {
  if (w->n_family >= MASH_RESOLVE_HOUSEHOLD_MAX) {
    return 0;
  }
  char own[MASH_PERSON_ID_LEN];
  snprintf(own, sizeof own, "%s", id);
  memcpy(w->family[w->n_family++], own, sizeof own);
  return mash_store_person_relatives(store, own, s_family_cb, w);
}

static int s_resolve_run(mash_store_t *store, mash_resolve_job_t *job, Mash__V1__Contact *c,
                         s_work_t *w) {
  const char *contact_id = job->contact_id;
  const Mash__V1__Notification *n = c->notification;
  int64_t now = c->received_at_ms;
  s_collect_people(w, n);
  int rc = 0;
  for (size_t i = 0; rc == 0 && !job->no_term_frequencies && i < w->n; i++) {
    rc = resolve_terms_lookup(store, &w->mp[i]);
  }
  bool conflict = false;
  /* People with a date of birth first: the records they find tell who the
   * family is for those the agency knew less about. */
  size_t order[PEOPLE_MAX], n_order = 0;
  for (int pass = 0; pass < 2; pass++) {
    for (size_t i = 0; i < w->n; i++) {
      if ((w->mp[i].dob_year != 0) == (pass == 0)) {
        order[n_order++] = i;
      }
    }
  }
  for (size_t k = 0; rc == 0 && k < n_order; k++) {
    size_t i = order[k];
    rc = s_resolve_one(store, w->pb[i], &w->mp[i], w->is_child[i], &job->policy, w->done, w->n_done,
                       w->family, w->n_family, now, &w->res[i]);
    if (rc != 0) {
      break;
    }
    /* The family is for the people resolved after this one: after the
     * last, nobody's relatives are read for it. */
    rc = k + 1 < n_order ? s_family_add(store, w, w->res[i].person_id) : 0;
    if (rc != 0) {
      break;
    }
    memcpy(w->done[w->n_done++], w->res[i].person_id, MASH_PERSON_ID_LEN);
    if (w->res[i].candidate_id[0] != '\0') {
      memcpy(w->done[w->n_done++], w->res[i].candidate_id, MASH_PERSON_ID_LEN);
    }
    conflict = conflict || w->res[i].conflict;
    const char *d = w->res[i].decision;
    job->linked += strcmp(d, DECISION_IDENTIFIER) == 0 || strcmp(d, "auto_link") == 0 ||
                   strcmp(d, DECISION_PENDING) == 0;
    job->possible += strcmp(d, "possible") == 0;
    job->created += strcmp(d, "new") == 0;
  }
  for (size_t i = 0; rc == 0 && i < w->n; i++) {
    s_resolved_t *r = &w->res[i];
    if (r->candidate_id[0] == '\0' && r->duplicate_id[0] == '\0') {
      continue;
    }
    mash_match_row_t m;
    memset(&m, 0, sizeof m);
    snprintf(m.contact_id, sizeof m.contact_id, "%s", contact_id);
    snprintf(m.ref, sizeof m.ref, "%s", w->pb[i]->ref);
    if (r->candidate_id[0] != '\0') {
      snprintf(m.person_id, sizeof m.person_id, "%s", r->person_id);
      snprintf(m.candidate_id, sizeof m.candidate_id, "%s", r->candidate_id);
      m.confidence = (int)r->confidence;
      rc = mash_store_match_insert(store, &m, r->why, now, r->match_id);
    } else {
      /* Two records of one person found by a later mention: the newer is
       * the one to merge into the older. */
      bool older = s_id_order(r->person_id, r->duplicate_id) < 0;
      snprintf(m.person_id, sizeof m.person_id, "%s", older ? r->duplicate_id : r->person_id);
      snprintf(m.candidate_id, sizeof m.candidate_id, "%s", older ? r->person_id : r->duplicate_id);
      m.confidence = (int)r->confidence;
      char unused[MASH_PERSON_ID_LEN];
      rc = s_pending_between(store, m.person_id, m.candidate_id)
               ? 0
               : mash_store_match_insert(store, &m, "duplicate", now, unused);
      job->reviews += rc == 0;
    }
    job->reviews += r->candidate_id[0] != '\0';
  }
  if (rc == 0 && conflict) {
    s_add_flag(w->flag_ptrs, c, MASH_FLAG_IDENTIFIER_CONFLICT);
  }
  rc = rc ? rc : s_relate(store, w, n, now);
  /* Repeat contacts and red flags: earlier contacts about the household's
   * children in the 12 months before this one. */
  for (size_t i = 0; rc == 0 && i < w->n; i++) {
    if (w->is_child[i]) {
      resolve_household_add(&w->household, w->res[i].person_id, 1, true);
    }
  }
  w->household.since_ms = now - MASH_RESOLVE_WINDOW_MS;
  w->prior.exclude = contact_id;
  rc = rc ? rc : resolve_household_walk(store, &w->household);
  rc = rc ? rc
          : resolve_prior_collect(store, &w->household, now - MASH_RESOLVE_WINDOW_MS, now,
                                  MASH_RESOLVE_INTAKE_PRIOR, &w->prior);
  if (rc != 0) {
    return rc;
  }
  bool red = n->red_flag;
  for (size_t i = 0; i < w->prior.n; i++) {
    red = red || w->prior.items[i].red_flag;
  }
  c->prior_contacts_12m = (uint32_t)w->prior.n;
  c->domestic_abuse_12m = resolve_da_incidents(w->prior.items, w->prior.n,
                                               mash_intake_domestic_abuse(n), n->occurred_at_ms);
  mash_priority_input_t pin;
  mash_intake_priority_input(n, now, &pin);
  pin.repeat_contacts_12m = (unsigned)w->prior.n;
  pin.agency_red_flag = red;
  mash_priority_t pr;
  mash_priority_eval(&pin, &pr);
  c->priority = pr.score;
  c->n_priority_reasons = pr.n_reasons;
  c->priority_reasons = (char **)pr.reasons;
  s_fill_links(w, c);

  for (size_t i = 0; rc == 0 && i < w->n; i++) {
    const s_resolved_t *r = &w->res[i];
    rc = mash_store_person_link(store, contact_id, w->pb[i]->ref, r->person_id, r->decision,
                                (int)r->confidence, r->why, now);
  }
  if (rc != 0) {
    return rc;
  }
  /* Stored, like every contact, without its id (added on delivery). */
  char *id = c->contact_id;
  c->contact_id = (char *)protobuf_c_empty_string;
  job->contact_len = mash__v1__contact__get_packed_size(c);
  job->contact = malloc(job->contact_len ? job->contact_len : 1);
  if (job->contact != NULL) {
    mash__v1__contact__pack(c, job->contact);
  }
  c->contact_id = id;
  if (job->contact == NULL) {
    return -ENOMEM;
  }
  mash_intake_flags_text(c->quality_flags, c->n_quality_flags, w->flag_text, sizeof w->flag_text);
  return mash_store_contact_resolved(store, contact_id, job->contact, job->contact_len, pr.score,
                                     w->flag_text);
}

/* The job's contact as stored, with what the job held before dropped:
 * job->deliver says whether it was delivered yet. 0 or the store's error. */
static int s_job_load(mash_store_t *store, mash_resolve_job_t *job, mash_contact_row_t *row) {
  free(job->contact);
  job->contact = NULL;
  job->contact_len = 0;
  job->deliver = 0;
  /* Claimed: another broker's transaction resolving it (-EBUSY) is left
   * to it, rather than both making its people. */
  int rc = mash_store_contact_claim(store, job->contact_id, row);
  if (rc == 0) {
    job->deliver = !row->delivered;
  }
  return rc;
}

int mash_resolve_contact(mash_store_t *store, mash_resolve_job_t *job) {
  mash_contact_row_t row;
  int rc = s_job_load(store, job, &row);
  if (rc != 0) {
    return rc;
  }
  if (!row.unresolved) {
    /* Resolved already (a second request): deliver what is stored. */
    job->contact = row.blob;
    job->contact_len = row.len;
    return 0;
  }
  Mash__V1__Contact *c = mash__v1__contact__unpack(NULL, row.len, row.blob);
  free(row.blob);
  if (c == NULL || c->notification == NULL) {
    if (c) {
      mash__v1__contact__free_unpacked(c, NULL);
    }
    return -EBADMSG;
  }
  /* s_resolve_run points the links into w and the reasons at static text:
   * put back what was unpacked before it is freed. */
  Mash__V1__PersonLink **persons = c->persons;
  size_t n_persons = c->n_persons;
  char **reasons = c->priority_reasons;
  size_t n_reasons = c->n_priority_reasons;
  char **flags = c->quality_flags;
  size_t n_flags = c->n_quality_flags;
  s_work_t *w = s_work_new();
  rc = w ? s_resolve_run(store, job, c, w) : -ENOMEM;
  c->persons = persons;
  c->n_persons = n_persons;
  c->priority_reasons = reasons;
  c->n_priority_reasons = n_reasons;
  c->quality_flags = flags;
  c->n_quality_flags = n_flags;
  mash__v1__contact__free_unpacked(c, NULL);
  free(w);
  if (rc != 0) {
    free(job->contact);
    job->contact = NULL;
    job->contact_len = 0;
  }
  return rc;
}

int mash_resolve_give_up(mash_store_t *store, mash_resolve_job_t *job) {
  mash_contact_row_t row;
  int rc = s_job_load(store, job, &row);
  if (rc != 0) {
    return rc;
  }
  Mash__V1__Contact *c = mash__v1__contact__unpack(NULL, row.len, row.blob);
  if (c == NULL) {
    /* Not even the contact decodes: the bytes go as they are, flagged in
     * the column; the desk's codec will say what is wrong with them. */
    job->contact = row.blob;
    job->contact_len = row.len;
    return mash_store_contact_resolved(store, job->contact_id, row.blob, row.len, 0,
                                       MASH_FLAG_RESOLUTION_FAILED);
  }
  free(row.blob);
  char **flags = c->quality_flags;
  size_t n_flags = c->n_quality_flags;
  char *with[MASH_INTAKE_FLAGS_MAX];
  s_add_flag(with, c, MASH_FLAG_RESOLUTION_FAILED);
  char text[512];
  mash_intake_flags_text(c->quality_flags, c->n_quality_flags, text, sizeof text);
  job->contact_len = mash__v1__contact__get_packed_size(c);
  job->contact = malloc(job->contact_len ? job->contact_len : 1);
  if (job->contact != NULL) {
    mash__v1__contact__pack(c, job->contact);
  }
  c->quality_flags = flags;
  c->n_quality_flags = n_flags;
  int priority = c->priority;
  mash__v1__contact__free_unpacked(c, NULL);
  if (job->contact == NULL) {
    return -ENOMEM;
  }
  return mash_store_contact_resolved(store, job->contact_id, job->contact, job->contact_len,
                                     priority, text);
}
