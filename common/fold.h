/* fold: UTF-8 text read one character at a time and folded for matching,
 * for the name keys and normal forms of phonetic.h.
 *
 * Responsible for: decoding UTF-8 (an invalid byte is one skipped unit),
 * folding Latin letters to lower-case ASCII where they have an obvious base
 * letter (Latin-1 and Latin Extended-A), and classing apostrophes, dashes,
 * spaces and other punctuation, typographic forms included.
 * Must not: allocate, log or keep state. Pure; any thread.
 */
#ifndef MASH_FOLD_H
#define MASH_FOLD_H

#include <stddef.h>

/* What one character of the input is, after folding. */
typedef enum mash_fold_kind {
  MASH_FOLD_END,    /* end of the string */
  MASH_FOLD_SKIP,   /* an invalid UTF-8 byte: dropped */
  MASH_FOLD_LETTER, /* a Latin letter, folded to 1 or 2 lower-case ASCII letters */
  MASH_FOLD_DIGIT,
  MASH_FOLD_APOS,  /* an apostrophe, straight or typographic: dropped in names */
  MASH_FOLD_DASH,  /* a hyphen or dash */
  MASH_FOLD_SPACE, /* any white space */
  MASH_FOLD_PUNCT, /* other punctuation and symbols */
  MASH_FOLD_OTHER, /* a character outside Latin, kept verbatim */
} mash_fold_kind_t;

typedef struct mash_fold_unit {
  mash_fold_kind_t kind;
  size_t len; /* bytes in b */
  char b[4];
} mash_fold_unit_t;

/* Read one character at p into u; returns where the next one starts (p
 * itself at the end, with u->kind MASH_FOLD_END). Never reads past the NUL. */
const char *mash_fold_next(const char *p, mash_fold_unit_t *u);

#endif
