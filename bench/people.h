/* people: the synthetic population of bench-resolve: households with
 * names, dates of birth, addresses and NHS numbers, drawn from a seed, and
 * the Person message of each. Deterministic: the same seed and size give
 * the same people on every machine. Not thread-safe; bench only. */
#ifndef MASH_BENCH_PEOPLE_H
#define MASH_BENCH_PEOPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mash.pb-c.h"
#include "phonetic.h"
#include "resolve.h"
#include "store.h"

#define PEOPLE_T0_MS 1767225600000LL /* 2026-01-01T00:00:00Z: "now" for ages */
#define PEOPLE_DAY_MS (24LL * 3600 * 1000)
#define PEOPLE_NAME_LEN 40

typedef struct people_rng {
  uint64_t s;
} people_rng_t;

typedef struct people_zipf {
  double *cdf;
  size_t n;
} people_zipf_t;

typedef struct people_postcode {
  char code[MASH_POSTCODE_SIZE];
  uint8_t area;
  uint8_t street;
  uint8_t kind;
} people_postcode_t;

enum { PEOPLE_SEX_F = 1, PEOPLE_SEX_M = 2 };

enum { PEOPLE_F_CHILD = 1, PEOPLE_F_NHS = 2, PEOPLE_F_USED = 4 };

/* One person as generated: 32 bytes, from which its Person is rebuilt. */
typedef struct people_person {
  uint32_t household; /* index of its household's first member */
  uint32_t surname;   /* into the world's surname table */
  uint32_t postcode;  /* into the world's postcode pool */
  uint32_t nhs;       /* 9-digit body of its NHS number (PEOPLE_F_NHS) */
  int32_t dob;        /* days since 1970-01-01 */
  uint16_t given;     /* into GIRLS or BOYS */
  uint16_t house;     /* house number */
  uint8_t flat;       /* 0: a house; else "Flat N" */
  uint8_t sex;
  uint8_t flags;
  uint8_t size; /* of its household (first member only) */
} people_person_t;

typedef struct people_world {
  char (*surnames)[PEOPLE_NAME_LEN];
  people_zipf_t base, girls, boys;
  people_postcode_t *postcodes;
  size_t n_postcodes;
  people_person_t *people; /* the index: person i is stored as P-(i+1) on a fresh build */
  size_t n_people;
  uint32_t next_nhs; /* the next serial for an NHS number */
} people_world_t;

/* A Person with its own storage for every string it points to. */
typedef struct people_pb {
  Mash__V1__Person p;
  Mash__V1__Address addr;
  char *lines[2];
  Mash__V1__Identifier id;
  Mash__V1__Identifier *idp[1];
  char given[PEOPLE_NAME_LEN], family[PEOPLE_NAME_LEN], dob[16], nhs[16];
  char line0[32], line1[64], postcode[MASH_POSTCODE_SIZE];
} people_pb_t;

uint64_t people_next(people_rng_t *r);
uint32_t people_below(people_rng_t *r, uint32_t n);
size_t people_household(people_world_t *w, people_rng_t *r, people_person_t *out, uint32_t first,
                        int with_child, uint32_t nhs_first_digit);
void people_pb_fill(people_pb_t *b, const people_world_t *w, const people_person_t *m,
                    const char *ref, people_rng_t *typo);
int people_world_init(people_world_t *w, size_t n_people, uint64_t seed);
void people_world_free(people_world_t *w);
void people_world_people(people_world_t *w, size_t n_people, uint64_t seed);

/* For eval-match: m's given name, an NHS number's 10 digits from its body,
 * a date of birth for an age in [lo, hi], a surname index, and the next NHS
 * number body starting with first_digit. */
const char *people_given_name(const people_person_t *m);
void people_nhs_text(uint32_t body, char out[16]);
int32_t people_draw_dob(people_rng_t *r, int lo, int hi);
uint32_t people_draw_surname(const people_world_t *w, people_rng_t *r);
uint32_t people_next_nhs(people_world_t *w, uint32_t first_digit);

/* A notification's encoded contact as the broker stores it to resolve after
 * (a neglect concern, resolve_later), and the job that resolves it with the
 * default policy: what bench-resolve and eval-match feed mash_store_intake
 * and then mash_resolve_contact (job->contact_id is set after the intake). */
void people_intake(mash_intake_t *in, mash_resolve_job_t *job, const char *principal,
                   const char *message_id, int64_t at_ms, const uint8_t *contact, size_t len);

#endif
