/* match_group: the blocking keys a person is indexed under, and grouping
 * the people of one notification into households (match.h).
 *
 * Responsible for: the keys and the union-find stated in match.h. Must not:
 * touch the store, log, allocate or keep state; safe from any thread.
 */
#include "match.h"

#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- blocking keys */

size_t mash_match_blocking_keys(const mash_match_person_t *p,
                                char keys[MASH_MATCH_MAX_KEYS][MASH_MATCH_KEY_SIZE]) {
  if (p == NULL || keys == NULL) {
    return 0;
  }
  size_t n = 0;
  bool dob = p->dob_year != 0;
  bool fk = p->forename_key[0] != '\0', sk = p->surname_key[0] != '\0';
  if (dob) {
    snprintf(keys[n++], MASH_MATCH_KEY_SIZE, "d:%04d-%02d-%02d", p->dob_year, p->dob_month,
             p->dob_day);
  }
  if (sk && dob) {
    snprintf(keys[n++], MASH_MATCH_KEY_SIZE, "s:%s:%04d", p->surname_key, p->dob_year);
  }
  if (p->postcode[0] != '\0' && fk) {
    snprintf(keys[n++], MASH_MATCH_KEY_SIZE, "p:%s:%s", p->postcode, p->forename_key);
  }
  if (fk && sk && dob) {
    snprintf(keys[n++], MASH_MATCH_KEY_SIZE, "n:%s:%s:%02d-%02d", p->forename_key, p->surname_key,
             p->dob_month, p->dob_day);
  }
  if (fk && sk) {
    snprintf(keys[n++], MASH_MATCH_KEY_SIZE, "f:%s:%s", p->forename_key, p->surname_key);
  }
  if (p->postcode[0] != '\0' && sk) {
    snprintf(keys[n++], MASH_MATCH_KEY_SIZE, "q:%s:%s", p->postcode, p->surname_key);
  }
  return n;
}

/* ---------------------------------------------------------------- households */

/* The root of i's set, halving the path on the way. */
static size_t s_find(size_t *parent, size_t i) {
  while (parent[i] != i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

/* Join the sets of i and j under the lower root, so that every root is the
 * lowest index of its set. */
static void s_union(size_t *parent, size_t i, size_t j) {
  size_t ri = s_find(parent, i), rj = s_find(parent, j);
  if (ri < rj) {
    parent[rj] = ri;
  } else if (rj < ri) {
    parent[ri] = rj;
  }
}

static size_t s_ref_index(const mash_match_person_t *persons, size_t n, const char *ref) {
  if (ref == NULL || ref[0] == '\0') {
    return n;
  }
  for (size_t i = 0; i < n; i++) {
    if (strcmp(persons[i].ref, ref) == 0) {
      return i;
    }
  }
  return n;
}

size_t mash_household_group(const mash_match_person_t *persons, size_t n,
                            Mash__V1__Relationship *const *relationships, size_t m, size_t *group) {
  if (persons == NULL || group == NULL) {
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    group[i] = i;
  }
  /* A postcode alone covers a street; with the address line it is a home. */
  for (size_t i = 0; i < n; i++) {
    const mash_match_person_t *a = &persons[i];
    if (a->postcode[0] == '\0' || a->address[0] == '\0') {
      continue;
    }
    for (size_t j = i + 1; j < n; j++) {
      const mash_match_person_t *b = &persons[j];
      if (strcmp(a->postcode, b->postcode) == 0 && strcmp(a->address, b->address) == 0) {
        s_union(group, i, j);
      }
    }
  }
  for (size_t r = 0; relationships != NULL && r < m; r++) {
    const Mash__V1__Relationship *rel = relationships[r];
    if (rel == NULL) {
      continue;
    }
    size_t from = s_ref_index(persons, n, rel->from_ref);
    size_t to = s_ref_index(persons, n, rel->to_ref);
    if (from < n && to < n) {
      s_union(group, from, to);
    }
  }
  size_t households = 0;
  for (size_t i = 0; i < n; i++) {
    group[i] = s_find(group, i);
    households += group[i] == i;
  }
  return households;
}
