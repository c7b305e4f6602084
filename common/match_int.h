/* match_int: private to the matcher (match.c scores, match_level.c
 * compares): the weights table and the comparisons that choose one of its
 * rows per factor. Not for use outside common/match*.c. Pure, any thread.
 */
#ifndef MASH_MATCH_INT_H
#define MASH_MATCH_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "match.h"

typedef enum match_row {
  ROW_DOB,
  ROW_DOB_SWAP,
  ROW_DOB_SLIP,
  ROW_DOB_DIFFERS,
  ROW_DOB_GENERATION,
  ROW_FORENAME,
  ROW_FORENAME_VARIANT,
  ROW_FORENAME_SLIP,
  ROW_FORENAME_PH,
  ROW_FORENAME_DIFFERS,
  ROW_SURNAME,
  ROW_SURNAME_SLIP,
  ROW_SURNAME_PH,
  ROW_SURNAME_PART,
  ROW_SURNAME_DIFFERS,
  ROW_SEX,
  ROW_SEX_DIFFERS,
  ROW_ADDRESS,
  ROW_POSTCODE,
  ROW_PLACE_DIFFERS,
  ROW_ID_DIFFERS,
  ROW_ROLE_DIFFERS,
  ROW_COUNT
} match_row_t;

/* One comparison level: m is the chance of the level when the two records
 * are one person, u when they are two people; the weight is log2(m / u) in
 * hundredths of a bit (the unit tests check it against m and u). match.h
 * says where the figures come from. */
typedef struct match_weight {
  const char *tag;
  double m, u;
  int centibits;
} match_weight_t;

/* The weights table (match_level.c), one row per level. */
extern const match_weight_t match_weights[ROW_COUNT];

/* Copy `s` (its first `len` bytes) without spaces and hyphens into out;
 * returns the length copied. */
size_t match_compact(const char *s, size_t len, char *out, size_t outlen);

/* The same once spaces and hyphens are removed, and not empty. */
bool match_compact_eq(const char *a, size_t alen, const char *b, size_t blen);

/* Equal given names (Mary Jane, Mary-Jane; Maya, Maya Louise). */
bool match_forename_equal(const char *a, const char *b);

/* The best forename level over every spelling of a and b (both known). */
match_row_t match_forename_row(const mash_match_person_t *a, const mash_match_person_t *b);
/* The same, with a's spellings prepared (pa[i]: spelling i, 0 the given
 * name; mash_match_prepare) or pa NULL. */
match_row_t match_forename_row_p(const mash_match_person_t *a, const mash_match_name_prep_t *pa,
                                 const mash_match_person_t *b);

/* What comparing `name` (normalised) as the first record's given name
 * needs of it alone: its lengths and the rows of the usual variants its
 * first given name is, or is one slip of. */
void match_name_prepare(const char *name, mash_match_name_prep_t *out);

/* The best date of birth level over every date of a and b (both known). */
match_row_t match_dob_row(const mash_match_person_t *a, const mash_match_person_t *b);

/* "YYYY-MM-DD" of a real date from 1900 on into y, m, d; false otherwise. */
bool match_parse_dob(const char *s, int *y, int *m, int *d);

/* Date i of p as {year, month, day}: its own (0), then its other dates. */
void match_dob_at(const mash_match_person_t *p, size_t i, int out[3]);

/* The level each comparison of a and b reaches, one bit per row; a value
 * missing on either side sets none (no evidence either way). */
unsigned match_rows(const mash_match_person_t *a, const mash_match_person_t *b);
/* The same, with a's spellings prepared (see match_forename_row_p) or pa NULL. */
unsigned match_rows_p(const mash_match_person_t *a, const mash_match_name_prep_t *pa,
                      const mash_match_person_t *b);

/* Two given names (first names, la and lb bytes) at most two slips apart,
 * a usual variant counting as none (Sfoia, Sopiha). */
/* The table of usual variants (match_level.c): its rows, and name side
 * (0 or 1) of row i, for tests to walk the very table. */
size_t match_variant_rows(void);
const char *match_variant_name(size_t row, int side);

bool match_two_slips(const char *a, size_t la, const char *b, size_t lb);

#endif
