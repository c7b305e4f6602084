/* identifiers: format and check-character validation of the person
 * identifiers a contact carries (DOMAIN.md "Identifiers"): the NHS number, the
 * DfE unique pupil number (UPN) and the Police National Computer id (PNC id).
 *
 * Responsible for: telling a well-formed identifier whose check character is
 * right (MASH_ID_VALID) from one whose check character is wrong
 * (MASH_ID_CHECK_FAILED: the caller raises a field-level data-quality flag on
 * the contact and keeps the value) and from one that is not an identifier of
 * that kind at all (MASH_ID_MALFORMED: wrong length or characters; the caller
 * reports a field-level error in the receipt). Also the normal form used to
 * compare identifiers when matching.
 * Must not: do I/O, log, allocate, read the locale (no <ctype.h>: only ASCII
 * letters and digits count) or keep state. Every function is a pure function
 * of its arguments and safe from any thread. It does not check that a UPN's
 * LA number or a PNC id's year is one that has been issued: that is data, not
 * arithmetic.
 *
 * Common input rules. A NULL string is malformed. Blanks (space, tab) before
 * and after the identifier are ignored; lower-case letters count as their
 * upper-case forms. Anything else is taken literally.
 *
 * NHS number (NHS Digital data dictionary; DOMAIN.md). Ten digits d1..d10,
 * written together or as groups of 3-3-4 separated by a single space
 * ("943 476 5919"; each of the two separators is optional). With
 * S = d1*10 + d2*9 + ... + d9*2, the check digit is 11 - (S mod 11), where 11
 * means 0 and 10 means that no valid NHS number has these nine digits (so
 * every such number is MASH_ID_CHECK_FAILED). Worked example, 943 476 5919:
 * S = 9*10 + 4*9 + 3*8 + 4*7 + 7*6 + 6*5 + 5*4 + 9*3 + 1*2 = 299,
 * 299 mod 11 = 2, 11 - 2 = 9 = d10: valid.
 *
 * UPN (UK Government Data Standards Catalogue, "Unique Pupil Number" v2.0,
 * 2004; the DfE school census validation rule 1510 says the same). Thirteen
 * characters c1..c13: c1 the check letter; c2-c4 the LA number, c5-c8 the
 * establishment number, c9-c10 the year, c11-c12 the serial, all digits; c13 a
 * digit (permanent UPN) or a letter (temporary UPN). Letters come from the
 * 23-letter alphabet A-Z without I, O and S, valued by their index in it:
 * A=0 B=1 C=2 D=3 E=4 F=5 G=6 H=7 J=8 K=9 L=10 M=11 N=12 P=13 Q=14 R=15 T=16
 * U=17 V=18 W=19 X=20 Y=21 Z=22. With v(ck) the digit's value or the letter's
 * index, S = sum over k = 2..13 of k * v(ck); the check letter is the letter
 * whose index is S mod 23. Worked example, B801200005001:
 * S = 8*2 + 0*3 + 1*4 + 2*5 + 0*6 + 0*7 + 0*8 + 0*9 + 5*10 + 0*11 + 0*12 +
 * 1*13 = 93, 93 mod 23 = 1 = B: valid (python-stdnum's published example).
 * Temporary, M80120000500A: S = 16 + 4 + 10 + 50 + 13*0 (A) = 80,
 * 80 mod 23 = 11 = M: valid. I, O or S as c1 or c13 is malformed (those
 * letters are never issued), as is any other character out of place.
 *
 * PNC id (Criminal Justice Hub data dictionary, "Police National Computer Id";
 * the same rule as MoJ's hmpps-person-record). Written YY/NNNNNNNL: a 2-digit
 * year (the full form YYYY is accepted too), '/', a serial of 1 to 7 digits
 * (leading zeros may be suppressed), and a check letter. N is the 9-digit
 * number of the year's last two digits followed by the serial zero-padded to
 * 7 digits, so N = YY * 10^7 + serial; the check letter is
 * "ZABCDEFGHJKLMNPQRTUVWXY"[N mod 23] (Z=0, A=1, ..., Y=22; again no I, O,
 * S). The century of a 4-digit year does not enter the check. Worked example,
 * 01/0171310W (also written 2001/0171310W or 01/171310W):
 * N = 010171310 = 23 * 442230 + 20, and index 20 is W: valid. I, O or S as
 * the check letter is malformed.
 */
#ifndef MASH_IDENTIFIERS_H
#define MASH_IDENTIFIERS_H

#include <stdbool.h>
#include <stddef.h>

/* Results of the mash_*_check functions. */
enum {
  MASH_ID_VALID = 0,        /* well-formed and the check character is right */
  MASH_ID_MALFORMED = 1,    /* wrong length or characters: not this kind of id */
  MASH_ID_CHECK_FAILED = 2, /* well-formed, but the check character is wrong */
};

/* Validate an NHS number `s` (NUL-terminated, borrowed; may be NULL).
 * Returns MASH_ID_VALID, MASH_ID_MALFORMED or MASH_ID_CHECK_FAILED. */
int mash_nhs_check(const char *s);

/* Validate a UPN `s` (NUL-terminated, borrowed; may be NULL). When
 * `temporary` is not NULL it is set to whether `s` is a well-formed temporary
 * UPN (a letter in position 13), whatever its check letter; false when the
 * result is MASH_ID_MALFORMED. Returns MASH_ID_VALID, MASH_ID_MALFORMED or
 * MASH_ID_CHECK_FAILED. */
int mash_upn_check(const char *s, bool *temporary);

/* Validate a PNC id `s` (NUL-terminated, borrowed; may be NULL).
 * Returns MASH_ID_VALID, MASH_ID_MALFORMED or MASH_ID_CHECK_FAILED. */
int mash_pnc_check(const char *s);

/* "valid", "malformed", "check_failed", or "unknown" for any other value.
 * The strings are static and stable (used on the wire and in stats). */
const char *mash_id_result_name(int r);

/* Write the matching form of identifier `in` (borrowed; NULL reads as "")
 * into `out`: every blank (space, tab) removed and ASCII letters upper-cased;
 * other bytes are copied unchanged. At most `outlen` - 1 bytes are written and
 * `out` is always NUL-terminated when `outlen` > 0 (`out` may be NULL when
 * `outlen` is 0). Returns the length of the whole normal form, as snprintf
 * does: a result >= `outlen` means the output was truncated. */
size_t mash_id_normalise(const char *in, char *out, size_t outlen);

#endif
