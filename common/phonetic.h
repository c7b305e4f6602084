/* phonetic: name keys and the normalisation of names, postcodes and address
 * lines, for matching people across agencies. Pure functions, no I/O.
 *
 * Responsible for: folding text to comparable ASCII (case, the accented
 * letters of Latin-1 and Latin Extended-A, typographic apostrophes and
 * dashes), a phonetic key for a name, and canonical forms of a UK postcode
 * and of an address line. Must not: allocate, log, keep state, or decide
 * whether two people are the same (that is match.h). Every function
 * is safe from any thread.
 *
 * Which phonetic algorithm, and why: the primary key of Lawrence Philips'
 * Double Metaphone. Soundex keeps the first letter as written, so it cannot
 * join Catherine and Kathryn, or Philips and Fillips, and it codes only three
 * consonants, so Richards and Richardson collide. NYSIIS was tuned on
 * American names and treats "y" as a consonant (Smith and Smyth differ).
 * Double Metaphone codes how a name sounds in English while knowing the
 * spelling habits of the other languages a UK caseload brings (Irish,
 * Scottish, Polish, Italian, Germanic: "mc", "cz", "wicz", "sch", "gn"), so
 * Smith/Smyth, Hartley/Hartly, Catherine/Kathryn and O'Brien/OBrien share a
 * key. Only the primary key is kept: one key per name makes the match and
 * the blocking index simple, and the secondary mostly adds non-English
 * readings. The key is cut at MASH_PHONETIC_KEY_MAX (8) sounds rather than
 * the customary 4 so that Richards (RXRTS) and Richardson (RXRTSN) differ.
 *
 * Apostrophes are dropped and hyphens and spaces join (O'Brien = OBrien,
 * Mary-Jane = Mary Jane = Maryjane for the key); letters outside Latin are
 * kept verbatim in normalised names (so they still compare exactly) but add
 * nothing to a phonetic key.
 */
#ifndef MASH_PHONETIC_H
#define MASH_PHONETIC_H

#include <stddef.h>

/* Longest key, in sounds, and the buffer it needs. */
#define MASH_PHONETIC_KEY_MAX 8u
#define MASH_PHONETIC_KEY_SIZE (MASH_PHONETIC_KEY_MAX + 1u)

/* Buffer for a normalised postcode: "SW1A 1AA" and the NUL. */
#define MASH_POSTCODE_SIZE 9u

/* Write the Double Metaphone primary key of the UTF-8 `name` to `out`
 * (upper case, e.g. "SM0" for Smith; "0" codes "th"), cut to
 * MASH_PHONETIC_KEY_MAX sounds and to outlen - 1 bytes. A name without Latin
 * letters has the empty key. `out` is always NUL-terminated when outlen > 0.
 * Returns the key's length. */
size_t mash_phonetic_key(const char *name, char *out, size_t outlen);

/* Normalise a personal name for comparison: accents folded, lower case,
 * apostrophes dropped ("O'Brien" -> "obrien"), other punctuation and runs of
 * white space to one space, spaces around hyphens dropped ("Smith - Jones"
 * -> "smith-jones"), trimmed. Non-Latin UTF-8 is kept verbatim; invalid
 * UTF-8 bytes are dropped. Writes at most outlen - 1 bytes (never a partial
 * character) and a NUL; returns the length written. */
size_t mash_name_normalise(const char *in, char *out, size_t outlen);

/* Normalise a UK postcode: white space out, upper case, one space before the
 * inward code (the last three characters): " ex12ab" -> "EX1 2AB". A letter
 * O where the inward code's digit must be is read as zero. Returns 0, or
 * -EINVAL (and "" in out) when `in` is not shaped like a postcode (2 to 4
 * characters starting with a letter, then a digit and two letters) or
 * outlen < MASH_POSTCODE_SIZE. */
int mash_postcode_normalise(const char *in, char *out, size_t outlen);

/* Normalise an address line: accents folded, lower case, apostrophes
 * dropped, other punctuation to spaces, one space between words, and common
 * abbreviations written out ("rd" -> "road", "ave" -> "avenue", "apt",
 * "apartment" -> "flat", ...). "st" reads as "saint" at the start of a street
 * name (first word, or just after a house or flat number: "12 St Johns Rd")
 * and as "street" elsewhere ("12 Canal St"); "no" before a number is
 * dropped ("Flat No 3" -> "flat 3"). Writes at most outlen - 1 bytes and a
 * NUL; returns the length written. */
size_t mash_address_normalise(const char *in, char *out, size_t outlen);

#endif
