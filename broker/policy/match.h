/* match: is the person in a notification a person the hub already knows?
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
 * The rule (DOMAIN.md, "Identifiers"; issue 4):
 *
 * 1. Identifiers first. An NHS number, UPN or PNC id counts only when its
 *    check character is right. If both records hold valid identifiers of one
 *    kind and share none, they are different people: confidence 0, whatever
 *    else agrees (twins have different NHS numbers). Otherwise a shared valid
 *    identifier links with confidence 1 ("nhs_number", "upn", "pnc_id"), as
 *    does the same local id from the same issuer ("local_id"). A conflict
 *    wins over an agreement of another kind (same NHS number, different
 *    UPNs): contradictory records are never linked, and why->conflict tells
 *    the caller to flag them for the desk.
 *
 * 2. Otherwise a weighted sum, in thousandths, over the rows of a const
 *    table (each factor scores its best row, at most one per factor):
 *
 *      factor     row           tag           points  when
 *      dob        dob           "dob"           +350  equal
 *                 dob_near      "dob~"          +150  day and month swapped, or one digit off
 *                 dob_differs   "!dob"          -200  both known, neither of the above
 *      forename   forename      "forename"      +200  equal (or one is the other's first name)
 *                 forename_ph   "forename~"     +130  same phonetic key
 *      surname    surname       "surname"       +200  equal
 *                 surname_ph    "surname~"      +200  same phonetic key (Smith, Smyth)
 *                 surname_typo  "surname~1"     +200  one edit apart, 4+ letters (Hartley, Hatrley)
 *                 surname_part  "surname_part"  +140  one is a part of the other's double-barrel
 *      sex        sex           "sex"            +30  equal (female, male or other)
 *                 sex_differs   "!sex"          -150  one female, the other male
 *      postcode   postcode      "postcode"      +200  equal after normalising
 *      address    address       "address"        +20  equal after normalising
 *
 *    A perfect record scores 350 + 200 + 200 + 30 + 200 + 20 = 1000; the
 *    confidence is the clamped sum / 1000. A field missing on either side
 *    scores nothing, so the less two records say, the lower the confidence.
 *
 *    What follows, with the default thresholds (auto-link 0.95, review 0.70):
 *    - Auto-linking needs dob, forename exactly, surname (exact, sounding
 *      alike or one typo) and postcode all to agree, and no sex conflict:
 *      350 + 200 + 200 + 200 = 950 is the least such a record scores, and any
 *      one of them missing or weaker leaves at most 930 (forename only
 *      sounding alike), 940 (surname part), 800 (dob near, or no postcode)
 *      or 820 (sex conflict).
 *    - Identical name, dob, postcode and sex: 980 (1000 with the address):
 *      auto-link.
 *    - A one-letter surname typo with the same forename, dob and postcode:
 *      950, 980 with sex, 1000 with the address as well: auto-link. The typo
 *      row scores like an exact surname because surnames are misspelt in
 *      every agency's records; the protection against linking two different
 *      people lives in the forename, the dob and the identifiers.
 *    - Same name, postcode, address and sex, different dob: 450 -> new
 *      person (650 even without the "!dob" row).
 *    - Twins (same surname, dob, postcode and address, different forenames):
 *      800 with the same sex (review: the desk confirms or rejects), 620 with
 *      different sexes (new), 930 when the forenames sound alike (Ella, Ellie:
 *      review). Never an auto-link: the forename row is the only one that can
 *      take a record from 930 to 950, and it needs the forenames equal. Twins
 *      with identifiers never even reach the weights.
 *
 * "why" names what contributed, in table order, joined by '+':
 * "dob+forename+surname~1+sex+postcode". The caller stores it with the link.
 */
#ifndef MASH_MATCH_H
#define MASH_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "mash.pb-c.h"
#include "phonetic.h"

#define MASH_MATCH_NAME_SIZE 96u     /* normalised forename or surname */
#define MASH_MATCH_ADDRESS_SIZE 160u /* normalised address line */
#define MASH_MATCH_ID_SIZE 65u       /* identifier value or issuer (64 + NUL) */
#define MASH_MATCH_MAX_IDS 8u        /* identifiers per person (codec bound) */
#define MASH_MATCH_WHY_SIZE 128u

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
 * postcode, the first MASH_MATCH_MAX_IDS identifiers). `src` is not kept. */
void mash_match_person_from_pb(mash_match_person_t *p, const Mash__V1__Person *src);

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

/* Why a score came out as it did: for the audit trail. */
typedef struct mash_match_why {
  int points;                     /* the weighted sum, in thousandths, before clamping */
  unsigned factors;               /* bit i set: row i of the weights table contributed */
  bool identifier;                /* decided by an identifier (score 0 or 1) */
  bool conflict;                  /* valid identifiers of one kind differ */
  char text[MASH_MATCH_WHY_SIZE]; /* "dob+forename+surname~+postcode", "nhs_number",
                                     "conflict:nhs_number", or "" for no evidence */
} mash_match_why_t;

/* The confidence in [0, 1] that `a` and `b` are one person (see the top of
 * this file). `why` may be NULL. Symmetric: score(a, b) == score(b, a). */
double mash_match_score(const mash_match_person_t *a, const mash_match_person_t *b,
                        mash_match_why_t *why);

/* The weights table, for display and tests: row i's tag and points. Returns
 * the number of rows; `tag` / `points` may be NULL; an out-of-range row
 * gives NULL and 0. */
size_t mash_match_weights(size_t row, const char **tag, int *points);

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
 * Writes them into keys[] and returns how many. Identifiers are looked up
 * by their own index. */
#define MASH_MATCH_MAX_KEYS 4u
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
