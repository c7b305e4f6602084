/* resolve_family: households, prior contacts and the family part of a pack.
 *
 * Responsible for: who lives with or is related to a contact's children
 * (not a communal address), the contacts about them in the last 12 months,
 * the domestic-abuse incident count, and the household's other children for
 * a pack: not the contact's children, not a record pending review with one
 * of them or likely the same child, each child once. Must not: write to the
 * store, log child data. Storage thread only.
 */
#include "resolve_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "intake.h"

/* ---------------------------------------------------------------- households */

static size_t s_household_find(const resolve_household_t *h, const char *id) {
  for (size_t i = 0; i < h->n; i++) {
    if (strcmp(h->ids[i], id) == 0) {
      return i;
    }
  }
  return h->n;
}

void resolve_household_add(resolve_household_t *h, const char *id, int is_child, bool seed) {
  if (h->n < MASH_RESOLVE_HOUSEHOLD_MAX && s_household_find(h, id) == h->n) {
    snprintf(h->ids[h->n], MASH_PERSON_ID_LEN, "%s", id);
    h->is_child[h->n] = is_child;
    h->seed[h->n] = seed;
    h->n++;
  }
}

static int s_relative_cb(mash_person_row_t *row, void *arg) {
  resolve_household_t *h = arg;
  resolve_household_add(h, row->person_id, row->is_child, false);
  return h->n >= MASH_RESOLVE_HOUSEHOLD_MAX;
}

/* Housemates are gathered first and added only when they are a household:
 * a hostel, a refuge or a block without flat numbers is not one. Up to
 * twice MASH_RESOLVE_COMMUNAL records are read, so that duplicate records
 * of one person do not make a home look communal. */
#define MATES_MAX (2u * MASH_RESOLVE_COMMUNAL + 1u)

typedef struct s_mates {
  char ids[MATES_MAX][MASH_PERSON_ID_LEN];
  int is_child[MATES_MAX];
  size_t n;
} s_mates_t;

static int s_mate_cb(mash_person_row_t *row, void *arg) {
  s_mates_t *m = arg;
  if (m->n < MATES_MAX) {
    snprintf(m->ids[m->n], MASH_PERSON_ID_LEN, "%s", row->person_id);
    m->is_child[m->n++] = row->is_child;
  }
  return 0;
}

/* Whether the people at one address are not a household: more than
 * MASH_RESOLVE_COMMUNAL distinct people (records of one person counted
 * once), or more than MASH_RESOLVE_COMMUNAL_FAMILIES families (surnames:
 * a household may hold two, a parent's and a partner's). */
static int s_communal(mash_store_t *store, const char *seed, const s_mates_t *m, bool *communal) {
  *communal = m->n >= MATES_MAX;
  if (*communal || m->n < MASH_RESOLVE_COMMUNAL_FAMILIES) {
    return 0; /* the seed and one other are at most two families */
  }
  mash_match_person_t *mp = calloc(m->n + 1, sizeof *mp);
  if (mp == NULL) {
    return -ENOMEM;
  }
  int rc = 0;
  size_t people = 0, families = 0;
  for (size_t j = 0; rc == 0 && j <= m->n; j++) {
    mash_person_row_t row;
    rc = mash_store_person_get(store, j == 0 ? seed : m->ids[j - 1], &row);
    if (rc != 0) {
      break;
    }
    Mash__V1__Person *p = mash__v1__person__unpack(NULL, row.len, row.record);
    free(row.record);
    if (p == NULL) {
      rc = -EBADMSG;
      break;
    }
    mash_match_person_from_pb(&mp[people], p);
    mp[people].role = row.is_child ? MASH_MATCH_ROLE_CHILD : MASH_MATCH_ROLE_ADULT;
    mash__v1__person__free_unpacked(p, NULL);
    bool seen = false, family = false;
    for (size_t k = 0; k < people && !seen; k++) {
      seen = mash_match_same_in_household(&mp[k], &mp[people]);
    }
    for (size_t k = 0; k < people && !family; k++) {
      family = strcmp(mp[k].surname_key, mp[people].surname_key) == 0;
    }
    if (!seen) {
      families += !family && mp[people].surname_key[0] != '\0';
      people++;
    }
  }
  free(mp);
  *communal = people > MASH_RESOLVE_COMMUNAL || families > MASH_RESOLVE_COMMUNAL_FAMILIES;
  return rc;
}

/* The household of the seeds (already in h): the people living with a seed
 * now (same address, given in the last 12 months, not a communal address),
 * and everyone reachable from those by relations recorded from
 * notifications, breadth first, at most MASH_RESOLVE_HOUSEHOLD_MAX people.
 * An address is one step: a housemate's housemates are not the household. */
int resolve_household_walk(mash_store_t *store, resolve_household_t *h) {
  size_t seeds = h->n;
  s_mates_t *mates = malloc(sizeof *mates);
  if (mates == NULL) {
    return -ENOMEM;
  }
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < seeds; i++) {
    mates->n = 0;
    bool communal = false;
    rc = mash_store_person_housemates(store, h->ids[i], h->since_ms, MATES_MAX, s_mate_cb, mates);
    rc = rc ? rc : s_communal(store, h->ids[i], mates, &communal);
    for (size_t j = 0; rc == 0 && !communal && j < mates->n; j++) {
      resolve_household_add(h, mates->ids[j], mates->is_child[j], false);
    }
  }
  free(mates);
  for (size_t i = 0; rc == 0 && i < h->n && h->n < MASH_RESOLVE_HOUSEHOLD_MAX; i++) {
    rc = mash_store_person_relatives(store, h->ids[i], s_relative_cb, h);
  }
  return rc;
}

/* ---------------------------------------------------------------- prior contacts */

static int s_prior_cb(const mash_person_contact_t *c, void *arg) {
  resolve_prior_t *p = arg;
  if (p->exclude != NULL && strcmp(c->contact_id, p->exclude) == 0) {
    return 0;
  }
  if (p->n >= PRIOR_RAW_MAX) {
    return 1;
  }
  p->items[p->n++] = *c;
  return 0;
}

static int s_prior_by_id(const void *a, const void *b) {
  return strcmp(((const mash_person_contact_t *)a)->contact_id,
                ((const mash_person_contact_t *)b)->contact_id);
}

static int s_prior_newest(const void *a, const void *b) {
  const mash_person_contact_t *x = a, *y = b;
  if (x->received_at_ms != y->received_at_ms) {
    return x->received_at_ms > y->received_at_ms ? -1 : 1;
  }
  return strcmp(y->contact_id, x->contact_id);
}

/* Contacts about the household's children in [since, until]: each once, the
 * MASH_RESOLVE_PRIOR_MAX most recent. */
int resolve_prior_collect(mash_store_t *store, const resolve_household_t *h, int64_t since,
                          int64_t until, size_t per_child, resolve_prior_t *p) {
  for (size_t i = 0; i < h->n && p->n < PRIOR_RAW_MAX; i++) {
    if (!h->is_child[i]) {
      continue;
    }
    int rc = mash_store_person_contacts(store, h->ids[i], since, until, per_child, s_prior_cb, p);
    if (rc != 0) {
      return rc;
    }
  }
  if (p->n > 1) {
    qsort(p->items, p->n, sizeof p->items[0], s_prior_by_id);
    size_t u = 1;
    for (size_t i = 1; i < p->n; i++) {
      if (strcmp(p->items[i].contact_id, p->items[u - 1].contact_id) != 0) {
        p->items[u++] = p->items[i];
      }
    }
    p->n = u;
    qsort(p->items, p->n, sizeof p->items[0], s_prior_newest);
  }
  if (p->n > MASH_RESOLVE_PRIOR_MAX) {
    p->n = MASH_RESOLVE_PRIOR_MAX;
  }
  return 0;
}

int resolve_prior_order(const void *a, const void *b) {
  const mash_person_contact_t *x = a, *y = b;
  if (x->received_at_ms != y->received_at_ms) {
    return x->received_at_ms < y->received_at_ms ? -1 : 1;
  }
  return strcmp(x->contact_id, y->contact_id);
}

/* Domestic-abuse incidents among the prior contacts and this one (when
 * this_da): notifications about one incident (one per sibling, or police
 * and health about the same night) are one incident, so incidents are
 * counted by the day they happened on. */
unsigned resolve_da_incidents(const mash_person_contact_t *items, size_t n, bool this_da,
                              int64_t this_occurred_ms) {
  int64_t days[MASH_RESOLVE_PRIOR_MAX + 1];
  size_t nd = 0;
  for (size_t i = 0; i <= n; i++) {
    bool da = i < n ? items[i].domestic_abuse != 0 : this_da;
    if (!da) {
      continue;
    }
    int64_t at = i < n ? items[i].occurred_at_ms : this_occurred_ms;
    int64_t day = at >= 0 ? at / 86400000 : -1 - (-1 - at) / 86400000;
    bool seen = false;
    for (size_t j = 0; j < nd && !seen; j++) {
      seen = days[j] == day;
    }
    if (!seen) {
      days[nd++] = day;
    }
  }
  return (unsigned)nd;
}

/* ---------------------------------------------------------------- the family in a pack */

void mash_resolve_family_free(mash_resolve_family_t *f) {
  if (f == NULL) {
    return;
  }
  for (size_t i = 0; i < f->n_others; i++) {
    mash__v1__person__free_unpacked(f->others[i], NULL);
  }
  free(f->others);
  for (size_t i = 0; i < f->n_prior; i++) {
    free(f->prior[i]);
  }
  free(f->prior);
  memset(f, 0, sizeof *f);
}

/* A PriorContact with its strings in the same allocation. */
static Mash__V1__PriorContact *s_prior_pb(const mash_person_contact_t *c) {
  size_t a = strlen(c->contact_id) + 1, b = strlen(c->principal) + 1, r = strlen(c->ref) + 1;
  Mash__V1__PriorContact *p = malloc(sizeof *p + a + b + r);
  if (p == NULL) {
    return NULL;
  }
  mash__v1__prior_contact__init(p);
  char *s = (char *)(p + 1);
  p->contact_id = memcpy(s, c->contact_id, a);
  p->source_principal = memcpy(s + a, c->principal, b);
  p->person_ref = memcpy(s + a + b, c->ref, r);
  p->received_at_ms = c->received_at_ms;
  p->concern_category = (Mash__V1__ConcernCategory)c->concern_category;
  return p;
}

/* The records a seed is in an open possible match with, the seeds'
 * records and the household's other children's, so that neither the child
 * nor a duplicate of them is listed as another child. */
typedef struct s_others_work {
  char pending[MASH_RESOLVE_HOUSEHOLD_MAX][MASH_PERSON_ID_LEN];
  size_t n_pending;
  mash_match_person_t seeds[MASH_RESOLVE_HOUSEHOLD_MAX];
  size_t n_seeds;
  mash_match_person_t cands[MASH_RESOLVE_HOUSEHOLD_MAX];
  Mash__V1__Person *cand_pb[MASH_RESOLVE_HOUSEHOLD_MAX];
  size_t cand_at[MASH_RESOLVE_HOUSEHOLD_MAX]; /* index in the household */
  size_t n_cands;
  mash_match_person_t listed[MASH_RESOLVE_HOUSEHOLD_MAX];
  size_t n_listed;
} s_others_work_t;

static int s_pending_cb(const char *other_id, int other_is_candidate, void *arg) {
  (void)other_is_candidate;
  s_others_work_t *o = arg;
  if (o->n_pending < MASH_RESOLVE_HOUSEHOLD_MAX) {
    snprintf(o->pending[o->n_pending++], MASH_PERSON_ID_LEN, "%s", other_id);
  }
  return 0;
}

static bool s_in(char (*ids)[MASH_PERSON_ID_LEN], size_t n, const char *id) {
  for (size_t i = 0; i < n; i++) {
    if (strcmp(ids[i], id) == 0) {
      return true;
    }
  }
  return false;
}

/* Whether `mp` is likely one of `set` (one child in the household's terms,
 * or at or above the review threshold): the same child recorded twice is
 * one child. */
static bool s_same_as_any(const mash_match_person_t *mp, const mash_match_person_t *set, size_t n) {
  mash_match_policy_t policy = mash_match_policy_default();
  for (size_t i = 0; i < n; i++) {
    if (mash_match_same_in_household(mp, &set[i]) ||
        mash_match_decide(mash_match_score(mp, &set[i], NULL), &policy) != MASH_MATCH_NEW) {
      return true;
    }
  }
  return false;
}

static int s_person_mp(mash_store_t *store, const char *id, mash_match_person_t *mp,
                       Mash__V1__Person **keep) {
  mash_person_row_t row;
  int rc = mash_store_person_get(store, id, &row);
  if (rc != 0) {
    return rc;
  }
  Mash__V1__Person *p = mash__v1__person__unpack(NULL, row.len, row.record);
  free(row.record);
  if (p == NULL) {
    return -EBADMSG;
  }
  mash_match_person_from_pb(mp, p);
  mp->role = row.is_child ? MASH_MATCH_ROLE_CHILD : MASH_MATCH_ROLE_ADULT;
  if (keep != NULL) {
    *keep = p;
  } else {
    mash__v1__person__free_unpacked(p, NULL);
  }
  return 0;
}

/* Drop from a and b every identifier they both hold. */
static void s_drop_shared(mash_match_person_t *a, mash_match_person_t *b) {
  for (size_t i = 0; i < a->n_ids;) {
    bool shared = false;
    for (size_t j = 0; j < b->n_ids; j++) {
      if (b->ids[j].kind == a->ids[i].kind && strcmp(b->ids[j].value, a->ids[i].value) == 0) {
        b->ids[j] = b->ids[--b->n_ids];
        shared = true;
        break;
      }
    }
    if (shared) {
      a->ids[i] = a->ids[--a->n_ids];
    } else {
      i++;
    }
  }
}

/* A number two of the household's children both carry, whose names and
 * dates say they are two children, is one child's number typed into the
 * other's record: it tells nothing about who is who in this household (a
 * record holding a sibling's NHS number would otherwise "differ" from the
 * child's own record by its number and be listed as a sister of herself).
 * Such numbers are left out of the household's comparisons. */
static void s_drop_disputed(mash_match_person_t **all, size_t n) {
  for (size_t i = 0; i < n; i++) {
    for (size_t j = i + 1; j < n; j++) {
      mash_match_why_t why;
      mash_match_score(all[i], all[j], &why);
      if (why.shared) {
        s_drop_shared(all[i], all[j]);
      }
    }
  }
}

/* The household's other children: not the contact's children, not a
 * record in a pending match with one of them or likely the same person as
 * one of them, each child once, under 18 at the time of the contact. */
static int s_others(mash_store_t *store, const Mash__V1__Contact *c, const resolve_household_t *h,
                    mash_resolve_family_t *out) {
  s_others_work_t *o = calloc(1, sizeof *o);
  mash_match_person_t **all = calloc(2 * MASH_RESOLVE_HOUSEHOLD_MAX, sizeof *all);
  if (o == NULL || all == NULL) {
    free(o);
    free(all);
    return -ENOMEM;
  }
  int rc = 0;
  size_t n_all = 0;
  for (size_t i = 0; rc == 0 && i < h->n; i++) {
    if (h->seed[i]) {
      rc = mash_store_match_pending(store, h->ids[i], s_pending_cb, o);
      rc = rc ? rc : s_person_mp(store, h->ids[i], &o->seeds[o->n_seeds], NULL);
      all[n_all++] = &o->seeds[o->n_seeds++];
    }
  }
  for (size_t i = 0; rc == 0 && i < h->n; i++) {
    if (h->seed[i] || !h->is_child[i] || s_in(o->pending, o->n_pending, h->ids[i])) {
      continue;
    }
    size_t k = o->n_cands;
    rc = s_person_mp(store, h->ids[i], &o->cands[k], &o->cand_pb[k]);
    if (rc == 0) {
      o->cand_at[k] = i;
      all[n_all++] = &o->cands[o->n_cands++];
    }
  }
  if (rc == 0) {
    s_drop_disputed(all, n_all);
  }
  for (size_t k = 0; rc == 0 && k < o->n_cands; k++) {
    Mash__V1__Person *p = o->cand_pb[k];
    const mash_match_person_t *mp = &o->cands[k];
    /* Listed as a child once, but 18 or over by the time of this contact:
     * not one of the household's children any more. */
    if (mash_priority_age_months(p->date_of_birth, c->received_at_ms) >= 18 * 12 ||
        s_same_as_any(mp, o->seeds, o->n_seeds) || s_same_as_any(mp, o->listed, o->n_listed)) {
      continue;
    }
    /* The record's ref is the person id: it names no one in the contact. */
    char *ref = strdup(h->ids[o->cand_at[k]]);
    if (ref == NULL) {
      rc = -ENOMEM;
      break;
    }
    if (p->ref != protobuf_c_empty_string) {
      free(p->ref);
    }
    p->ref = ref;
    o->listed[o->n_listed++] = *mp;
    out->others[out->n_others++] = p;
    o->cand_pb[k] = NULL;
  }
  for (size_t k = 0; k < o->n_cands; k++) {
    if (o->cand_pb[k] != NULL) {
      mash__v1__person__free_unpacked(o->cand_pb[k], NULL);
    }
  }
  free(all);
  free(o);
  return rc;
}

static int s_family_fill(mash_store_t *store, const Mash__V1__Contact *c, resolve_household_t *h,
                         resolve_prior_t *prior, mash_resolve_family_t *out) {
  /* The seeds: the records the contact's children are linked to now. */
  const Mash__V1__Notification *n = c->notification;
  for (size_t i = 0; i < c->n_persons; i++) {
    const Mash__V1__PersonLink *l = c->persons[i];
    bool child = false;
    for (size_t j = 0; n && j < n->n_children && !child; j++) {
      child = strcmp(n->children[j]->ref, l->ref) == 0;
    }
    mash_person_row_t row;
    int rc = child ? mash_store_person_get(store, l->person_id, &row) : -ENOENT;
    if (rc == 0) {
      free(row.record);
      resolve_household_add(h, row.person_id, 1, true);
    } else if (rc != -ENOENT) {
      return rc;
    }
  }
  h->since_ms = c->received_at_ms - MASH_RESOLVE_WINDOW_MS;
  int rc = resolve_household_walk(store, h);
  rc = rc ? rc
          : resolve_prior_collect(store, h, c->received_at_ms - MASH_RESOLVE_WINDOW_MS,
                                  c->received_at_ms, MASH_RESOLVE_PRIOR_MAX, prior);
  if (rc != 0) {
    return rc;
  }
  out->others = calloc(h->n ? h->n : 1, sizeof *out->others);
  out->prior = calloc(prior->n ? prior->n : 1, sizeof *out->prior);
  if (out->others == NULL || out->prior == NULL) {
    return -ENOMEM;
  }
  rc = s_others(store, c, h, out);
  if (rc != 0) {
    return rc;
  }
  qsort(prior->items, prior->n, sizeof prior->items[0], resolve_prior_order);
  for (size_t i = 0; i < prior->n; i++) {
    out->prior[i] = s_prior_pb(&prior->items[i]);
    if (out->prior[i] == NULL) {
      return -ENOMEM;
    }
    out->n_prior++;
  }
  unsigned da = resolve_da_incidents(prior->items, prior->n, mash_intake_domestic_abuse(n),
                                     n ? n->occurred_at_ms : 0);
  out->domestic_abuse_12m = da;
  out->potential_escalation = da >= MASH_RESOLVE_DA_ESCALATION;
  return 0;
}

int mash_resolve_family(mash_store_t *store, const char *contact_id, int64_t received_ms,
                        mash_resolve_family_t *out) {
  memset(out, 0, sizeof *out);
  mash_contact_row_t row;
  int rc = mash_store_contact_get(store, contact_id, &row);
  if (rc != 0) {
    return rc;
  }
  Mash__V1__Contact *c = mash__v1__contact__unpack(NULL, row.len, row.blob);
  free(row.blob);
  if (c == NULL) {
    return -EBADMSG;
  }
  c->received_at_ms = received_ms;
  resolve_household_t *h = calloc(1, sizeof *h);
  resolve_prior_t *prior = calloc(1, sizeof *prior);
  rc = h && prior ? 0 : -ENOMEM;
  if (rc == 0) {
    prior->exclude = contact_id;
    rc = s_family_fill(store, c, h, prior, out);
  }
  free(h);
  free(prior);
  mash__v1__contact__free_unpacked(c, NULL);
  if (rc != 0) {
    mash_resolve_family_free(out);
  }
  return rc;
}
