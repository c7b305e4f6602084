/* mentions: the labelled population and notifications of eval-match (issue
 * 9). Families with children, drawn from people.h's names and places, and
 * notifications about them with the errors real agency data has: typos,
 * nicknames and spelling variants, missing dates of birth, day/month swaps
 * and one-digit slips, moves of address, a double-barrelled surname used in
 * part, an NHS number typed from a sibling's record, twins, half-siblings
 * across addresses, hostels. Every mention knows who it truly is.
 *
 * Deterministic: the same seed and sizes give the same people and mentions
 * on every machine. Not thread-safe; bench only.
 */
#ifndef MASH_BENCH_MENTIONS_H
#define MASH_BENCH_MENTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "people.h"

#define MENTIONS_MAX_CHILDREN 4u
#define MENTIONS_MAX_ADULTS 2u
#define MENTIONS_MAX_PEOPLE (MENTIONS_MAX_CHILDREN + MENTIONS_MAX_ADULTS)

/* Error kinds, one bit each, for the report of what the errors did. */
enum {
  MENTION_E_SURNAME_TYPO = 1u << 0,
  MENTION_E_FORENAME_TYPO = 1u << 1,
  MENTION_E_NICKNAME = 1u << 2,
  MENTION_E_SURNAME_PART = 1u << 3,
  MENTION_E_NO_DOB = 1u << 4,
  MENTION_E_DOB_SWAP = 1u << 5,
  MENTION_E_DOB_DIGIT = 1u << 6,
  MENTION_E_NO_SEX = 1u << 7,
  MENTION_E_NO_ADDRESS = 1u << 8,
  MENTION_E_MOVED = 1u << 9,
  MENTION_E_SIBLING_NHS = 1u << 10,
  MENTION_E_KINDS = 11
};
extern const char *const MENTION_E_NAMES[MENTION_E_KINDS];

/* One true person. */
typedef struct mentions_person {
  people_person_t base;
  uint32_t family;     /* index into families */
  int32_t half_family; /* the family of the other parent's children, or -1 */
  bool child;
  bool twin;
} mentions_person_t;

typedef struct mentions_family {
  uint32_t first, size; /* people[first .. first+size) */
  int32_t father;       /* a non-resident father (a person of another family), or -1 */
  bool hostel;
  bool moves; /* moves half way through the month */
  uint32_t new_postcode;
  uint16_t new_house;
  uint8_t new_flat;
} mentions_family_t;

typedef struct mentions_world {
  people_world_t w;
  mentions_person_t *people;
  size_t n_people;
  mentions_family_t *families;
  size_t n_families;
} mentions_world_t;

/* One notification: who is in it (true person indexes) and how they are
 * written down. */
typedef struct mention_note {
  uint32_t family;
  int agency; /* 0 police, 1 health, 2 education, 3 housing */
  size_t n_children, n_adults;
  uint32_t who[MENTIONS_MAX_PEOPLE]; /* children first, then adults */
  unsigned errors[MENTIONS_MAX_PEOPLE];
  uint64_t seed; /* of the errors */
  int64_t received_ms;
} mention_note_t;

extern const char *const MENTION_AGENCIES[4];

/* Build the population: families with children until n_people. 0 or
 * -ENOMEM. */
int mentions_world_init(mentions_world_t *mw, size_t n_people, uint64_t seed);
void mentions_world_free(mentions_world_t *mw);

/* Draw `count` notifications over a month from PEOPLE_T0_MS. */
void mentions_notes(mentions_world_t *mw, mention_note_t *notes, size_t count, uint64_t seed);

/* A serialized Contact for note n (refs "c1".."c4", "a1", "a2"),
 * malloc'd. 0 or -ENOMEM. */
int mentions_contact(const mentions_world_t *mw, const mention_note_t *n, size_t index,
                     uint8_t **out, size_t *len);

/* True when a and b are children of one family or half-siblings. */
bool mentions_siblings(const mentions_world_t *mw, uint32_t a, uint32_t b);

#endif
