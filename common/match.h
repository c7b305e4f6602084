/* match: is the person in a notification a person the hub already knows?
 * (Shared: the broker resolves notifications with it, agency adapters
 * answer enquiries from their records with it.)
 * Pure functions of two person records, no I/O.
 *
 * Responsible for: the person record the matcher compares (normalised names,
 * phonetic keys, date of birth, sex, postcode, address, identifiers with
 * their check characters verified), the confidence that two records are one
 * person and why, the decision that confidence leads to, the blocking keys
 * an index looks candidates up by, and grouping the people of a notification
 * into households. Must not: read or write the store, log, allocate, keep
 * state, or link anyone itself: the caller records the link and its reason.
 * Every function is safe from any thread.
 *
 * The rule (DOMAIN.md, "Identifiers" and "Matching people"; issues 4, 9):
 *
 * 1. Evidence, Fellegi-Sunter style. Each comparison reaches one level and
 *    each level has a weight log2(m / u), where m is the chance of that
 *    level when the two records are one person and u when they are two
 *    people. Weights add to a prior of MASH_MATCH_PRIOR; a comparison with
 *    the value missing on either side adds nothing (no evidence either
 *    way). The total W, in bits, is the log-odds that the records are one
 *    person; the confidence is 1 / (1 + 2^-W), so the 0.95 auto-link and
 *    0.70 review thresholds mean W >= 4.25 and W >= 1.22 bits.
 *
 *      comparison level          tag            m       u       bits
 *      dob        exact          dob            0.90    0.00015 +12.55
 *                 day/month swap dob~swap       0.02    0.00015  +7.06
 *                 one digit off  dob~1          0.03    0.0012   +4.64
 *                 different      !dob           0.02    0.39865  -4.32
 *                 10+ years off  !dob_gen       0.001   0.6      -9.23
 *      forename   exact (*)      forename       0.86    0.006    +7.16
 *                 usual variant  forename~nick  0.05    0.0015   +5.06
 *                 one slip       forename~1     0.04    0.001    +5.32
 *                 sounds alike   forename~      0.04    0.004    +3.32
 *                 different      !forename      0.0003  0.9875  -11.68
 *      surname    exact          surname        0.86    0.003    +8.16
 *                 one slip (4+)  surname~1      0.05    0.0006   +6.38
 *                 part of other  surname_part   0.03    0.0005   +5.91
 *                 sounds alike   surname~       0.03    0.002    +3.91
 *                 different      !surname       0.03    0.9939   -5.05
 *      sex        same           sex            0.98    0.5      +0.97
 *                 F against M    !sex           0.01    0.5      -5.64
 *      place      postcode+line  address        0.80    0.0003  +11.38
 *                 postcode only  postcode       0.05    0.0006   +6.38
 *                 other postcode !postcode      0.15    0.9991   -2.74
 *      identifier two valid, one  !identifier    0.02    0.98     -5.61
 *                 kind, differ
 *      role (**)  child, adult   !role          0.005   0.5      -6.64
 *      prior (MASH_MATCH_PRIOR)                                -18.50
 *    (**) only when a date of birth is missing on either side (the dates
 *    say it otherwise): one listed as a child, the other as an adult.
 *    (*) or one is the other's first given name (Maya, Maya Louise). An
        exact forename or surname weighs log2(m / tf) when the name's term
        frequency tf is known (mash_match_person_set_tf, below): common
        names count for less than rare ones. A record's other spellings of
        the given name (other_forenames) are compared too; the best level
        counts.
 *
 *    Where the figures come from: u is the chance of the level between two
 *    people drawn at random from a county's caseload (a date of birth is
 *    shared by about 1 in 6,700 pairs of children, and 6 in 10 pairs are
 *    born 10 or more years apart (another generation: a mother and a
 *    daughter of one name); the commonest forename
 *    by about 1 in 170 pairs, surname 1 in 330; a postcode covers about 15
 *    households, a postcode and street line one); m is the chance for one
 *    person across two agencies' records, from the error rates DOMAIN.md
 *    and issue 9 describe (about 10% of notifications without a date of
 *    birth, 2-3% day/month swaps, 5-6% surname typos, 10-15% moved within a
 *    year). Two are set on purpose rather than estimated: "!forename" is
 *    kept strong (m 0.0003) so that twins, who share everything else, are
 *    never linked; the prior, -18.5 bits (about one in 370,000: of the
 *    order of the chance that two records drawn from a county's index are
 *    one person), was chosen with bench/eval-match (seed 1; checked on
 *    seeds 2 and 3) between -20.5 and -18.5: it puts a record with every
 *    field agreeing at +21.7 and one with the date of birth missing at +9.2,
 *    both links, and a name alone (forename, surname, sex: -2.2) a new
 *    person. bench/eval-match measures
 *    what these figures do; bench/README.md has the results.
 *
 *    What follows, with the default thresholds:
 *    - Everything agrees: +21.7, link. Date of birth missing: +9.2, link.
 *      Moved (another postcode): +7.6, link. Day/month swapped: +16.2.
 *    - Twins (same surname, dob, address, sex; other forename): +2.9 at
 *      most (a rare surname's term frequency cannot lift them), the
 *      desk's review, never a link; with different sexes -3.7, a new person.
 *    - Same name, dob and sex at another address: +7.6, a link (a namesake
 *      born the same day is rarer than a move).
 *    - A mother and her daughter of one name at one home, the date of birth
 *      missing on one side: +9.2 from the names, sex and address, -6.6 for
 *      one listed as an adult and the other as a child: +2.6, the desk's
 *      review, never a link (eval-match seed 7: the mother linked to her
 *      daughter's record, which took her date of birth, and the daughter's
 *      later mentions were listed as her own sister). The role's m (one
 *      person listed as a child by one agency and as an adult by another:
 *      a young parent, a 17-year-old) is about 1 in 200; u, half of all
 *      pairs.
 *    - Same dob and surname, forenames sounding alike (Ella, Ellie; Mary
 *      Ann, Mary Beth): maybe twins, capped at +2.0
 *      (MASH_MATCH_TWIN_CAP), the desk's review. Likewise the same surname
 *      and home, forenames only sounding alike (Demi, Tommy) and a date of
 *      birth missing on either side: maybe brother and sister.
 *
 * 2. Identifiers are strong, not absolute. An NHS number, UPN or PNC id
 *    counts only when its check character is right. If both records hold
 *    valid identifiers of one kind and share none, that weighs -5.6 bits
 *    ("!identifier": one of them may hold a wrong number, typed from a
 *    sibling's record, about 2 in 100 of one person's pairs; almost every
 *    pair of two people): twins (different forenames) and namesakes never
 *    link, one child whose every field agrees (+21.7) still does, and
 *    why->conflict tells the caller, which flags the contact. A shared valid identifier (or the
 same local id
 *    from the same issuer) links with confidence 1 ("nhs_number", "upn",
 *    "pnc_id", "local_id") unless the rest contradicts it: forenames that
 *    are different (not a variant, slip or sound-alike), or a different
 *    date of birth and a different sex. Then it is an identifier conflict
 *    (why->conflict and why->shared, "conflict:shared_nhs_number"): one of
 *    the records holds someone else's number (a sibling's, typed from the
 *    wrong record). The confidence is then the fields' alone, and the caller
 *    never links on it: it goes to the desk's review.
 *
 * "why" names the levels reached, in table order, joined by '+':
 * "dob+forename+surname~1+sex+address". The caller stores it with the link.
 */
#ifndef MASH_MATCH_H
#define MASH_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mash.pb-c.h"
#include "phonetic.h"

#define MASH_MATCH_NAME_SIZE 96u     /* normalised forename or surname */
#define MASH_MATCH_ADDRESS_SIZE 160u /* normalised address line */
#define MASH_MATCH_ID_SIZE 65u       /* identifier value or issuer (64 + NUL) */
#define MASH_MATCH_MAX_IDS 8u        /* identifiers per person (codec bound) */
#define MASH_MATCH_WHY_SIZE 128u
#define MASH_MATCH_MAX_OTHER 4u /* other spellings of the given name kept on a record */
#define MASH_MATCH_MAX_DOBS 2u  /* other dates of birth kept on a record */

/* Default thresholds (DOMAIN.md). */
#define MASH_MATCH_AUTO_DEFAULT 0.95
#define MASH_MATCH_REVIEW_DEFAULT 0.70

/* One identifier, in canonical form: an NHS number as 10 digits, a UPN as 13
 * upper-case characters, a PNC id as "YY/NNNNNNNC", a local id as given. */
typedef struct mash_match_id {
  Mash__V1__IdentifierKind kind;
  char value[MASH_MATCH_ID_SIZE];
  char issuer[MASH_MATCH_ID_SIZE]; /* LOCAL_ID only; "" otherwise */
  bool valid;                      /* check character right (local id: value and issuer given) */
} mash_match_id_t;

/* How a person was listed in a notification: among its children or its
 * adults. A record listed as a child at least once is a child. */
typedef enum mash_match_role {
  MASH_MATCH_ROLE_UNKNOWN = 0,
  MASH_MATCH_ROLE_CHILD,
  MASH_MATCH_ROLE_ADULT,
} mash_match_role_t;

/* A person as the matcher sees one. A plain value: zero it (or call
 * mash_match_person_set) before use; copy freely. Empty strings and a zero
 * dob mean "not known". */
typedef struct mash_match_person {
  char ref[MASH_MATCH_ID_SIZE];              /* ref inside the notification ("c1") */
  char forename[MASH_MATCH_NAME_SIZE];       /* mash_name_normalise of the given name */
  char surname[MASH_MATCH_NAME_SIZE];        /* mash_name_normalise of the family name */
  char forename_key[MASH_PHONETIC_KEY_SIZE]; /* key of the first given name */
  char surname_key[MASH_PHONETIC_KEY_SIZE];  /* key of the whole family name */
  int dob_year, dob_month, dob_day;          /* 0 when not known */
  Mash__V1__Sex sex;
  char postcode[MASH_POSTCODE_SIZE];     /* "EX1 2AB", or "" */
  char address[MASH_MATCH_ADDRESS_SIZE]; /* street lines, normalised */
  size_t n_ids;
  mash_match_id_t ids[MASH_MATCH_MAX_IDS];
  /* A person record's other spellings of the given name (Person.
   * other_given_names: mentions linked to it spelt it so), normalised, with
   * the keys of their first given names; the forename comparison takes the
   * best of every pair. */
  size_t n_other_forenames;
  char other_forenames[MASH_MATCH_MAX_OTHER][MASH_MATCH_NAME_SIZE];
  char other_forename_keys[MASH_MATCH_MAX_OTHER][MASH_PHONETIC_KEY_SIZE];
  /* A person record's other dates of birth (Person.other_dates_of_birth:
   * mentions that linked to it at a near level gave them): year, month, day
   * each. The date of birth comparison takes the best of every pair. */
  size_t n_other_dobs;
  int other_dobs[MASH_MATCH_MAX_DOBS][3];
  /* Term frequencies (mash_match_person_set_tf): the share of person
   * records with this first given name and this surname, or 0 when not
   * known (the table's u is used). */
  double forename_tf, surname_tf;
  /* Listed as a child or as an adult (mash_match_role_t; a person record:
   * ever listed as a child), or MASH_MATCH_ROLE_UNKNOWN (0). */
  int role;
} mash_match_person_t;

/* Fill `p` from plain fields, normalising each; any pointer may be NULL.
 * `dob` is "YYYY-MM-DD" (anything else, or an impossible date, is taken as
 * not known). `address` is the street part of the address, all its lines
 * joined by ", " ("Flat 3, 12 Canal Street"): agencies split lines
 * differently, so the matcher compares them joined. Clears identifiers. */
void mash_match_person_set(mash_match_person_t *p, const char *ref, const char *given,
                           const char *family, const char *dob, Mash__V1__Sex sex,
                           const char *postcode, const char *address);

/* Add an identifier to `p`, canonicalised and checked. Returns 0 (an
 * identifier that fails its check is still added, with valid false, and
 * never links), -EINVAL for a NULL or empty value or an unknown kind, or
 * -ENOSPC when `p` already holds MASH_MATCH_MAX_IDS. */
int mash_match_person_add_id(mash_match_person_t *p, Mash__V1__IdentifierKind kind,
                             const char *value, const char *issuer);

/* Fill `p` from a wire Person (ref, names, dob, sex, address lines and
 * postcode, the first MASH_MATCH_MAX_IDS identifiers, the first
 * MASH_MATCH_MAX_OTHER other given names). `src` is not kept. */
void mash_match_person_from_pb(mash_match_person_t *p, const Mash__V1__Person *src);

/* Add `given` (normalised) to p's other spellings of the given name.
 * Returns 1 when added, 0 when it adds nothing (empty, equal to the given
 * name or one already kept) and -ENOSPC when MASH_MATCH_MAX_OTHER are kept. */
int mash_match_person_add_other(mash_match_person_t *p, const char *given);

/* Add `dob` ("YYYY-MM-DD") to p's other dates of birth. Returns 1 when
 * added, 0 when it adds nothing (not a date, p's own date or one already
 * kept) and -ENOSPC when MASH_MATCH_MAX_DOBS are kept. */
int mash_match_person_add_dob(mash_match_person_t *p, const char *dob);

/* Whether the date of birth of `mention` is near one of `record`'s without
 * being equal to any: day and month swapped, or one digit off. Such a date
 * that linked is kept on the record (mash_match_person_add_dob): the next
 * mention may carry the child's own date, or a slip of it. */
bool mash_match_dob_near(const mash_match_person_t *mention, const mash_match_person_t *record);

/* Whether the given names of a and b agree at any level (exact, usual
 * variant, one slip, sounding alike; other spellings included). False when
 * either is missing. */
bool mash_match_forenames_agree(const mash_match_person_t *a, const mash_match_person_t *b);

/* Term frequencies (issue 9; Splink's term-frequency adjustment). An exact
 * forename or surname is weighed log2(m / tf) instead of log2(m / u), where
 * tf is the share of person records with that name: common names count for
 * less than rare ones. The store counts records by blind indexes of these
 * keys (never the names themselves):
 *   "t:f:NAME"   first given name, spaces and hyphens removed
 *   "t:s:NAME"   surname, spaces and hyphens removed
 *   "t:*"        every record (MASH_MATCH_TERM_TOTAL)
 * mash_match_term_keys writes the two name keys ("" when the name is not
 * known). */
#define MASH_MATCH_TERM_KEY_SIZE (MASH_MATCH_NAME_SIZE + 8u)
#define MASH_MATCH_TERM_TOTAL "t:*"
void mash_match_term_keys(const mash_match_person_t *p, char forename[MASH_MATCH_TERM_KEY_SIZE],
                          char surname[MASH_MATCH_TERM_KEY_SIZE]);

/* Set p's term frequencies from the counts of its two name keys among
 * `total` records, smoothed towards the table's u as if
 * MASH_MATCH_TF_PSEUDO more records had the average spread (so a small
 * store says little), and kept at or above u / MASH_MATCH_TF_MIN_DIVISOR (a
 * name rare in the store gains at most 2 bits: Splink's minimum u). */
#define MASH_MATCH_TF_PSEUDO 1000.0
#define MASH_MATCH_TF_MIN_DIVISOR 4.0
void mash_match_person_set_tf(mash_match_person_t *p, long long forename_count,
                              long long surname_count, long long total);

/* The most a record can weigh against `p` (centibits, prior included)
 * when nothing but the names and sex can agree: no date of birth, place or
 * identifier in common and no family. That is the prior, an exact forename
 * and surname each at the larger of the table's weight and p's
 * term-frequency weight (a record's other spelling keeps the table's), and
 * the same sex: -2.2 bits with the table, +1.8 at most for the rarest
 * names. Resolution uses it to leave out the candidates such a record
 * would be (resolve.c, the "f:" key). */
int mash_match_names_bound(const mash_match_person_t *p);

/* Canonicalise `value` as an identifier of `kind` into `out` and verify its
 * check character with common/identifiers.h (the checks the intake applies:
 * NHS number modulus 11, UPN modulus 23 check letter, PNC id modulus 23 check
 * letter). Blanks are removed and letters upper-cased (mash_id_normalise);
 * a PNC id is then rewritten "YY/NNNNNNNC" (2-digit year, serial zero-padded)
 * so that 2001/171310W and 01/0171310W compare equal. A LOCAL_ID is trimmed
 * of spaces and otherwise copied as is. Returns 0 when valid; -EINVAL when
 * not (out then holds the normalised value, cut to fit); -ENOSPC when out
 * has fewer than MASH_MATCH_ID_SIZE bytes. */
int mash_match_id_normalise(Mash__V1__IdentifierKind kind, const char *value, char *out,
                            size_t outlen);

/* Comparison summaries (match_summary.c): a person as the matcher sees one,
 * written compactly, so that a store can keep it (sealed) beside a record
 * and a candidate can be scored without unpacking and normalising the
 * record. mash_match_summary_read gives back exactly the struct that was
 * written (a zeroed struct with the same fields), except the term
 * frequencies and the role, which a summary does not keep (0).
 * MASH_MATCH_SUMMARY_MAX bytes always suffice. */
#define MASH_MATCH_SUMMARY_MAX 2048u
/* Writes p's summary into out[0..cap). Returns its length, -ENOSPC when
 * cap is too small, or -EINVAL. */
int mash_match_summary_write(const mash_match_person_t *p, uint8_t *out, size_t cap);
/* Fills p (all of it) from a summary. Returns 0, -EBADMSG for bytes that
 * are not a summary of this version (p is then zeroed) or -EINVAL. */
int mash_match_summary_read(mash_match_person_t *p, const uint8_t *in, size_t len);

/* Why a score came out as it did: for the audit trail. */
typedef struct mash_match_why {
  int points;                     /* the match weight W in hundredths of a bit, prior included */
  unsigned factors;               /* bit i set: row i of the weights table contributed */
  double rest;                    /* the confidence from the fields alone (no identifiers) */
  bool identifier;                /* decided by an identifier */
  bool conflict;                  /* valid identifiers of one kind differ, or shared and
                                     contradicted (then shared is set too) */
  bool shared;                    /* a shared identifier the rest contradicts */
  bool twin;                      /* capped at MASH_MATCH_TWIN_CAP: maybe twins or siblings */
  Mash__V1__IdentifierKind kind;  /* the identifier that decided, when identifier */
  char text[MASH_MATCH_WHY_SIZE]; /* "dob+forename+surname~+postcode", "nhs_number",
                                     "conflict:nhs_number", or "" for no evidence
                                     (mash_match_weigh leaves it empty) */
} mash_match_why_t;

/* The confidence in [0, 1] that `a` and `b` are one person (see the top of
 * this file). `why` may be NULL. Symmetric: score(a, b) == score(b, a). */
double mash_match_score(const mash_match_person_t *a, const mash_match_person_t *b,
                        mash_match_why_t *why);

/* A record compared with many (resolution weighs one mention against
 * its hundreds of candidates): what the comparison needs of that record
 * alone (its given names' lengths, the rows of the usual variants they are
 * or are one slip of) is worked out once by mash_match_prepare rather than
 * for every pair. A plain value, filled by mash_match_prepare only; it
 * holds a copy of the record. */
typedef struct mash_match_name_prep {
  size_t len, first; /* the name's length, its first given name's */
  uint64_t exact[2]; /* bit i of [s]: the first given name is variant row i's name s */
  uint64_t near[2];  /* ... is that name or one slip of it (3+ letters) */
} mash_match_name_prep_t;
typedef struct mash_match_prepared {
  mash_match_person_t person;
  mash_match_name_prep_t names[1 + MASH_MATCH_MAX_OTHER]; /* given name, other spellings */
} mash_match_prepared_t;

/* Prepare `a` (copied: later changes to it are not seen) for
 * mash_match_weigh_prepared. */
void mash_match_prepare(mash_match_prepared_t *prep, const mash_match_person_t *a);

/* mash_match_weigh(&prep->person, b, why), exactly: the same score,
 * points, factors and flags. */
double mash_match_weigh_prepared(const mash_match_prepared_t *prep, const mash_match_person_t *b,
                                 mash_match_why_t *why);

/* mash_match_score without why->text (left ""): for scanning hundreds of
 * candidates, of which only the chosen few need their reason written
 * (mash_match_why_render). Same score, points and flags. */
double mash_match_weigh(const mash_match_person_t *a, const mash_match_person_t *b,
                        mash_match_why_t *why);

/* Write why->text from what mash_match_weigh recorded (factors, identifier
 * kind, conflict). */
void mash_match_why_render(mash_match_why_t *why);

/* Within one household (people related or living together), whether two
 * records are one person: the prior there is a handful of people, not a
 * county, so forenames that agree at any level (exact, variant, one slip,
 * sounding alike), or of 5+ letters two slips apart with the same date of
 * birth, with no identifier conflict and neither the date of birth nor the
 * sex disagreeing, are one child recorded twice. A shared
 * identifier the rest does not contradict says the same; twins (different
 * forenames) and brothers and sisters (different dates of birth) stay two. */
bool mash_match_same_in_household(const mash_match_person_t *a, const mash_match_person_t *b);

/* Two records with the same date of birth and surname whose forenames
 * sound alike but are not the same (or share the first of several given
 * names only) may be twins:
 * their weight is capped here (2 bits, confidence 0.80), so they go to the
 * desk's review at most, never an auto-link. */
#define MASH_MATCH_TWIN_CAP 200

/* The prior within one family: a record related to the records the other
 * people of a notification resolved to is one of a handful of people, not
 * one of a county (-3 bits: about one in eight). Used only where
 * mash_match_same_in_household holds. */
#define MASH_MATCH_HOUSEHOLD_PRIOR (-300)

/* The prior of the match weight, in hundredths of a bit. */
#define MASH_MATCH_PRIOR (-1850)

/* The weights table, for display and tests: row i's tag and weight in
 * hundredths of a bit. Returns the number of rows; `tag` / `points` may be
 * NULL; an out-of-range row gives NULL and 0. */
size_t mash_match_weights(size_t row, const char **tag, int *points);

/* Row i's m and u probabilities (either may be NULL). 0, or -EINVAL for a
 * row out of range. */
int mash_match_level(size_t row, double *m, double *u);

/* The confidence 1 / (1 + 2^-W) of a match weight W in hundredths of a bit. */
double mash_match_probability(int centibits);

typedef enum mash_match_decision {
  MASH_MATCH_NEW = 0,  /* a new person */
  MASH_MATCH_POSSIBLE, /* to the desk's possible-match list */
  MASH_MATCH_AUTO_LINK,
} mash_match_decision_t;

typedef struct mash_match_policy {
  double auto_link; /* link at or above (default 0.95) */
  double review;    /* possible match at or above, below auto_link (default 0.70) */
} mash_match_policy_t;

/* The default policy. */
mash_match_policy_t mash_match_policy_default(void);

/* Returns 0 when 0 < review <= auto_link <= 1, else -EINVAL. */
int mash_match_policy_check(const mash_match_policy_t *policy);

/* What a score means under `policy` (NULL, or one failing the check: the
 * default). A NaN score is NEW. */
mash_match_decision_t mash_match_decide(double score, const mash_match_policy_t *policy);

/* "auto_link", "possible" or "new". */
const char *mash_match_decision_name(mash_match_decision_t d);

/* Blocking keys: the store indexes each person under these and compares a
 * newcomer only with people sharing one. Up to MASH_MATCH_MAX_KEYS keys, each
 * made only when its parts are known:
 *   "d:1994-05-20"                 date of birth (surname changes)
 *   "s:HRTL:1994"                  surname key and birth year (day/month slips)
 *   "p:EX1 2AB:MY"                 postcode and forename key (dob slips)
 *   "n:MY:HRTL:05-20"              both name keys, month and day (year slips, moved)
 *   "f:MY:HRTL"                    both name keys (no date of birth, moved or no address)
 *   "q:EX1 2AB:HRTL"               postcode and surname key (forename typo, no dob)
 * Writes them into keys[] and returns how many. Identifiers are looked up
 * by their own index. */
#define MASH_MATCH_MAX_KEYS 6u
#define MASH_MATCH_KEY_SIZE 48u
size_t mash_match_blocking_keys(const mash_match_person_t *p,
                                char keys[MASH_MATCH_MAX_KEYS][MASH_MATCH_KEY_SIZE]);

/* Households: people at the same address (postcode and address line both
 * known and equal after normalising) and people related in the notification
 * (any relationship, by ref; unknown refs are ignored) are one household,
 * transitively. Writes to group[i] the lowest index of person i's household
 * (so group[i] == i for the first member) and returns the number of
 * households. `relationships` may be NULL when m is 0; `group` has n slots.
 * No allocation: the union-find runs in `group`. */
size_t mash_household_group(const mash_match_person_t *persons, size_t n,
                            Mash__V1__Relationship *const *relationships, size_t m, size_t *group);

#endif
