/* match_level: the comparison levels of the matcher (match.h's table):
 * which level two records' dates of birth, forenames, surnames, sexes and
 * places reach, with the weights table itself, the usual variants of given
 * names, and the slips the household test counts.
 *
 * Responsible for: choosing one row of the weights table per comparison,
 * the missing-value rule (no row when a value is missing on either side).
 * Must not: add weights up or decide anything (match.c does), touch the
 * store, log, allocate or keep state; every function is pure and safe from
 * any thread.
 */
#include "match_int.h"

#include <stdlib.h>
#include <string.h>

#include "civil.h"

/* ---------------------------------------------------------------- the weights table */

const match_weight_t match_weights[ROW_COUNT] = {
    [ROW_DOB] = {"dob", 0.90, 0.00015, 1255},
    [ROW_DOB_SWAP] = {"dob~swap", 0.02, 0.00015, 706},
    [ROW_DOB_SLIP] = {"dob~1", 0.03, 0.0012, 464},
    [ROW_DOB_DIFFERS] = {"!dob", 0.02, 0.39865, -432},
    [ROW_DOB_GENERATION] = {"!dob_gen", 0.001, 0.6, -923},
    [ROW_FORENAME] = {"forename", 0.86, 0.006, 716},
    [ROW_FORENAME_VARIANT] = {"forename~nick", 0.05, 0.0015, 506},
    [ROW_FORENAME_SLIP] = {"forename~1", 0.04, 0.001, 532},
    [ROW_FORENAME_PH] = {"forename~", 0.04, 0.004, 332},
    [ROW_FORENAME_DIFFERS] = {"!forename", 0.0003, 0.9875, -1168},
    [ROW_SURNAME] = {"surname", 0.86, 0.003, 816},
    [ROW_SURNAME_SLIP] = {"surname~1", 0.05, 0.0006, 638},
    [ROW_SURNAME_PH] = {"surname~", 0.03, 0.002, 391},
    [ROW_SURNAME_PART] = {"surname_part", 0.03, 0.0005, 591},
    [ROW_SURNAME_DIFFERS] = {"!surname", 0.03, 0.9939, -505},
    [ROW_SEX] = {"sex", 0.98, 0.5, 97},
    [ROW_SEX_DIFFERS] = {"!sex", 0.01, 0.5, -564},
    [ROW_ADDRESS] = {"address", 0.80, 0.0003, 1138},
    [ROW_POSTCODE] = {"postcode", 0.05, 0.0006, 638},
    [ROW_PLACE_DIFFERS] = {"!postcode", 0.15, 0.9991, -274},
    [ROW_ID_DIFFERS] = {"!identifier", 0.02, 0.98, -561},
    [ROW_ROLE_DIFFERS] = {"!role", 0.005, 0.5, -664},
};
_Static_assert(ROW_COUNT <= 8 * sizeof(unsigned), "one bit per row in why->factors");

/* ---------------------------------------------------------------- names and dates */

/* Copy `s` (its first `len` bytes) without spaces and hyphens. */
size_t match_compact(const char *s, size_t len, char *out, size_t outlen) {
  size_t n = 0;
  for (size_t i = 0; i < len && s[i] != '\0' && n + 1 < outlen; i++) {
    if (s[i] != ' ' && s[i] != '-') {
      out[n++] = s[i];
    }
  }
  out[n] = '\0';
  return n;
}

/* The next letter of s[*i..len) that is not a space or hyphen, or '\0'
 * at the end (or after `cap` letters). */
static char s_compact_next(const char *s, size_t len, size_t *i, size_t taken, size_t cap) {
  while (*i < len && s[*i] != '\0' && (s[*i] == ' ' || s[*i] == '-')) {
    (*i)++;
  }
  return taken < cap && *i < len ? s[*i] : '\0';
}

/* match_compact of both, compared, without copying either (names are
 * compared hundreds of times a notification): the same letters in order,
 * at most the MASH_MATCH_NAME_SIZE - 1 match_compact keeps of each. */
bool match_compact_eq(const char *a, size_t alen, const char *b, size_t blen) {
  const size_t cap = MASH_MATCH_NAME_SIZE - 1;
  size_t i = 0, j = 0, n = 0;
  for (;; i++, j++, n++) {
    char x = s_compact_next(a, alen, &i, n, cap), y = s_compact_next(b, blen, &j, n, cap);
    if (x != y) {
      return false;
    }
    if (x == '\0') {
      return n > 0;
    }
  }
}

static bool s_forename_equal_n(const char *a, size_t la, size_t fa, const char *b, size_t lb,
                               size_t fb) {
  if (match_compact_eq(a, la, b, lb)) {
    return true;
  }
  bool single = fa == la || fb == lb;
  return single && match_compact_eq(a, fa, b, fb);
}

/* Equal given names: the same once spaces and hyphens are ignored (Mary
 * Jane, Mary-Jane), or one is a single name and the other starts with it
 * (Maya, Maya Louise). Mary Ann and Mary Beth are not equal. */
bool match_forename_equal(const char *a, const char *b) {
  return s_forename_equal_n(a, strlen(a), strcspn(a, " "), b, strlen(b), strcspn(b, " "));
}

/* At most one insertion, deletion, substitution or swap of two adjacent
 * letters apart (the optimal string alignment distance is <= 1). */
static bool s_one_edit(const char *a, size_t la, const char *b, size_t lb) {
  if (la < lb) {
    const char *t = a;
    a = b;
    b = t;
    size_t tl = la;
    la = lb;
    lb = tl;
  }
  if (la - lb > 1) {
    return false;
  }
  size_t i = 0;
  while (i < lb && a[i] == b[i]) {
    i++;
  }
  if (i == lb) {
    return true; /* equal, or a letter added at the end */
  }
  if (la != lb) {
    return memcmp(a + i + 1, b + i, lb - i) == 0; /* one letter added */
  }
  if (memcmp(a + i + 1, b + i + 1, la - i - 1) == 0) {
    return true; /* one letter changed */
  }
  return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
         memcmp(a + i + 2, b + i + 2, la - i - 2) == 0; /* two letters swapped */
}

/* One surname is a part of the other's double-barrelled or multi-part name
 * (Hartley, Hartley-Marsh; Marsh Hartley), parts of 2+ letters. */
static bool s_surname_part(const char *a, bool a_multi, const char *b, bool b_multi) {
  if (!a_multi && !b_multi) {
    return false;
  }
  for (const char *pa = a; *pa != '\0';) {
    size_t la = strcspn(pa, " -");
    for (const char *pb = b; *pb != '\0' && la >= 2;) {
      size_t lb = strcspn(pb, " -");
      if (la == lb && memcmp(pa, pb, la) == 0) {
        return true;
      }
      pb += lb + (pb[lb] != '\0');
    }
    pa += la + (pa[la] != '\0');
  }
  return false;
}

/* s (len bytes) without spaces and hyphens: s itself when it has none
 * (what match_compact would copy: all of it, as it is shorter than a name
 * field), else its compacted copy in buf. */
static const char *s_compacted(const char *s, size_t len, bool multi,
                               char buf[MASH_MATCH_NAME_SIZE], size_t *n) {
  if (!multi && len < MASH_MATCH_NAME_SIZE) {
    *n = len;
    return s;
  }
  *n = match_compact(s, len, buf, MASH_MATCH_NAME_SIZE);
  return buf;
}

static match_row_t s_surname_row(const mash_match_person_t *a, const mash_match_person_t *b) {
  size_t la = strlen(a->surname), lb = strlen(b->surname);
  if (match_compact_eq(a->surname, la, b->surname, lb)) {
    return ROW_SURNAME;
  }
  /* Most surnames are one word: compared as they are, not copied. */
  bool a_multi = strpbrk(a->surname, " -") != NULL, b_multi = strpbrk(b->surname, " -") != NULL;
  char ca[MASH_MATCH_NAME_SIZE], cb[MASH_MATCH_NAME_SIZE];
  size_t na = 0, nb = 0;
  const char *pa = s_compacted(a->surname, la, a_multi, ca, &na);
  const char *pb = s_compacted(b->surname, lb, b_multi, cb, &nb);
  /* Short names are one edit from too many others (Lee, Lea, Leo). */
  if (na >= 4 && nb >= 4 && s_one_edit(pa, na, pb, nb)) {
    return ROW_SURNAME_SLIP;
  }
  if (s_surname_part(a->surname, a_multi, b->surname, b_multi)) {
    return ROW_SURNAME_PART;
  }
  if (a->surname_key[0] != '\0' && strcmp(a->surname_key, b->surname_key) == 0) {
    return ROW_SURNAME_PH;
  }
  return ROW_SURNAME_DIFFERS;
}

/* Usual variants of one given name, normalised: a name and its short
 * form or another spelling that sounds different (Thomas, Tom; Jack, Jak;
 * Elizabeth, Beth). The last rows are two spellings of one name that sound
 * alike (Freddie, Freddy; Sophia, Sofia; Mohammed, Muhammad): their keys
 * agree anyway, but as "sounding alike" with the same date of birth they
 * would be capped as possible twins, which two spellings of one name are
 * not; and one typed with a slip ("Frdedy") is a slip of the one spelling,
 * which only a row recognises. Other sound-alikes (Ella, Ellie; Catherine,
 * Kathryn) are different names and stay "sounding alike". */
/* One row: two names and their lengths. */
typedef struct s_variant_row {
  const char *name[2];
  size_t len[2];
} s_variant_row_t;
#define V(x, y)                                                                                    \
  {                                                                                                \
    {x, y}, {                                                                                      \
      sizeof x - 1, sizeof y - 1                                                                   \
    }                                                                                              \
  }
static const s_variant_row_t s_variants[] = {
    V("alexander", "alex"),    V("alexandra", "alex"),    V("abigail", "abbie"),
    V("abigail", "abby"),      V("benjamin", "ben"),      V("charlotte", "lottie"),
    V("christopher", "chris"), V("daniel", "danny"),      V("daniel", "dan"),
    V("elizabeth", "beth"),    V("elizabeth", "liz"),     V("elizabeth", "lizzie"),
    V("eleanor", "ellie"),     V("frederick", "freddie"), V("isabella", "bella"),
    V("isabelle", "isobel"),   V("isabel", "isobel"),     V("jack", "jak"),
    V("james", "jamie"),       V("james", "jim"),         V("jessica", "jess"),
    V("joseph", "joe"),        V("joshua", "josh"),       V("katherine", "kate"),
    V("katie", "katy"),        V("kathryn", "kate"),      V("margaret", "maggie"),
    V("matthew", "matt"),      V("michael", "mike"),      V("nicholas", "nick"),
    V("oliver", "ollie"),      V("rebecca", "becky"),     V("robert", "bob"),
    V("robert", "rob"),        V("samuel", "sam"),        V("samantha", "sam"),
    V("theodore", "theo"),     V("thomas", "tom"),        V("thomas", "tommy"),
    V("william", "will"),      V("william", "billy"),     V("zoe", "zoey"),
    V("jakub", "jacob"),       V("oliwia", "olivia"),     V("niamh", "neve"),
    V("siobhan", "shivaun"),   V("aisha", "ayesha"),      V("edward", "ed"),
    V("anthony", "tony"),      V("stephen", "steve"),     V("richard", "rich"),
    V("freddie", "freddy"),    V("alfie", "alfy"),        V("evie", "evey"),
    V("callum", "calum"),      V("leanne", "lianne"),     V("ayla", "aila"),
    V("sophia", "sofia"),      V("mohammed", "mohammad"), V("mohammed", "muhammad"),
};
#undef V
#define S_VARIANT_ROWS (sizeof s_variants / sizeof s_variants[0])
_Static_assert(S_VARIANT_ROWS <= 64, "one bit per row in mash_match_name_prep_t");

size_t match_variant_rows(void) {
  return S_VARIANT_ROWS;
}

const char *match_variant_name(size_t row, int side) {
  return row < S_VARIANT_ROWS && (side == 0 || side == 1) ? s_variants[row].name[side] : NULL;
}

/* a is x and b is y, or b within one slip of y (a nickname typed wrongly:
 * Tom, Thmoas). */
static bool s_variant_of(const char *a, size_t la, const char *b, size_t lb, const char *x,
                         const char *y) {
  /* Most names are in no row: the first letter settles most rows. */
  if (la == 0 || a[0] != x[0]) {
    return false;
  }
  size_t lx = strlen(x), ly = strlen(y);
  if (la != lx || memcmp(a, x, lx) != 0) {
    return false;
  }
  return (lb == ly && memcmp(b, y, ly) == 0) || (lb >= 3 && ly >= 3 && s_one_edit(b, lb, y, ly));
}

static bool s_variant(const char *a, size_t la, const char *b, size_t lb) {
  for (size_t i = 0; i < S_VARIANT_ROWS; i++) {
    const char *x = s_variants[i].name[0], *y = s_variants[i].name[1];
    if (s_variant_of(a, la, b, lb, x, y) || s_variant_of(a, la, b, lb, y, x) ||
        s_variant_of(b, lb, a, la, x, y) || s_variant_of(b, lb, a, la, y, x)) {
      return true;
    }
  }
  return false;
}

/* b (lb letters) is within one slip of name s of row i (s_variant_of's
 * second test). */
static bool s_near_row(const char *b, size_t lb, size_t i, int s) {
  const char *y = s_variants[i].name[s];
  size_t ly = s_variants[i].len[s];
  if (lb > ly + 1 || ly > lb + 1) {
    return false; /* neither equal nor one slip apart (s_one_edit's own first test) */
  }
  return (lb == ly && memcmp(b, y, ly) == 0) || (lb >= 3 && ly >= 3 && s_one_edit(b, lb, y, ly));
}

void match_name_prepare(const char *name, mash_match_name_prep_t *out) {
  memset(out, 0, sizeof *out);
  out->len = strlen(name);
  out->first = strcspn(name, " ");
  for (size_t i = 0; out->first > 0 && i < S_VARIANT_ROWS; i++) {
    for (int s = 0; s < 2; s++) {
      size_t lx = s_variants[i].len[s];
      if (out->first == lx && memcmp(name, s_variants[i].name[s], lx) == 0) {
        out->exact[s] |= UINT64_C(1) << i;
      }
      if (s_near_row(name, out->first, i, s)) {
        out->near[s] |= UINT64_C(1) << i;
      }
    }
  }
}

/* s_variant(a, a's first name, b, fb) from a's prepared rows: a is one
 * name of a row and b that row's other name or one slip of it
 * (s_variant_of(a, b, x, y)), or b is one name of a row and a the other
 * or one slip of it (s_variant_of(b, a, x, y)). The unit tests compare the
 * two on every row's names and slips of them. */
static bool s_variant_prepared(const mash_match_name_prep_t *pa, const char *b, size_t fb) {
  for (int s = 0; s < 2; s++) {
    for (uint64_t m = pa->exact[s]; m != 0; m &= m - 1) {
      if (s_near_row(b, fb, (size_t)__builtin_ctzll(m), 1 - s)) {
        return true;
      }
    }
    for (uint64_t m = pa->near[s]; m != 0; m &= m - 1) {
      size_t i = (size_t)__builtin_ctzll(m);
      size_t lx = s_variants[i].len[1 - s];
      if (fb == lx && memcmp(b, s_variants[i].name[1 - s], lx) == 0) {
        return true;
      }
    }
  }
  return false;
}

/* pa: a's prepared rows and lengths (match_name_prepare), or NULL. */
static match_row_t s_forename_level(const char *a, const char *akey,
                                    const mash_match_name_prep_t *pa, const char *b,
                                    const char *bkey) {
  size_t la = pa != NULL ? pa->len : strlen(a), fa = pa != NULL ? pa->first : strcspn(a, " ");
  size_t lb = strlen(b), fb = strcspn(b, " ");
  if (s_forename_equal_n(a, la, fa, b, lb, fb)) {
    return ROW_FORENAME;
  }
  /* The first given names decide the rest (a middle name recorded by one
   * agency only must not count against the person). */
  if (pa != NULL ? s_variant_prepared(pa, b, fb) : s_variant(a, fa, b, fb)) {
    return ROW_FORENAME_VARIANT;
  }
  /* The same first name, different middle names (Mary Ann, Mary Beth):
   * no more than sounding alike, for twins are named so. */
  if (fa == fb && memcmp(a, b, fa) == 0) {
    return ROW_FORENAME_PH;
  }
  if (fa >= 3 && fb >= 3 && s_one_edit(a, fa, b, fb)) {
    return ROW_FORENAME_SLIP;
  }
  if (akey[0] != '\0' && strcmp(akey, bkey) == 0) {
    return ROW_FORENAME_PH;
  }
  return ROW_FORENAME_DIFFERS;
}

/* The best level any spelling of a's given name reaches against any of
 * b's: a record first made from a typo ("Isal") still knows the child by
 * the spelling later mentions linked with ("Isla"). pa: a's spellings
 * prepared (mash_match_prepare), or NULL. */
match_row_t match_forename_row_p(const mash_match_person_t *a, const mash_match_name_prep_t *pa,
                                 const mash_match_person_t *b) {
  match_row_t best = ROW_FORENAME_DIFFERS;
  for (size_t i = 0; i <= a->n_other_forenames && i <= MASH_MATCH_MAX_OTHER; i++) {
    const char *an = i == 0 ? a->forename : a->other_forenames[i - 1];
    const char *ak = i == 0 ? a->forename_key : a->other_forename_keys[i - 1];
    for (size_t j = 0; j <= b->n_other_forenames && j <= MASH_MATCH_MAX_OTHER; j++) {
      const char *bn = j == 0 ? b->forename : b->other_forenames[j - 1];
      const char *bk = j == 0 ? b->forename_key : b->other_forename_keys[j - 1];
      if (an[0] == '\0' || bn[0] == '\0') {
        continue;
      }
      match_row_t r = s_forename_level(an, ak, pa != NULL ? &pa[i] : NULL, bn, bk);
      if (match_weights[r].centibits > match_weights[best].centibits) {
        best = r;
      }
    }
  }
  return best;
}

match_row_t match_forename_row(const mash_match_person_t *a, const mash_match_person_t *b) {
  return match_forename_row_p(a, NULL, b);
}

/* "YYYY-MM-DD" of a real date from 1900 on, or false (civil.h reads it). */
bool match_parse_dob(const char *s, int *y, int *m, int *d) {
  mash_civil_date_t date;
  if (s == NULL || mash_civil_parse_date(s, &date) != 0 || date.year < 1900) {
    return false;
  }
  *y = (int)date.year;
  *m = date.month;
  *d = date.day;
  return true;
}

/* Day and month swapped in the same year (the slip of writing a date the
 * American way). Dates are {year, month, day}. */
static bool s_dob_swapped(const int a[3], const int b[3]) {
  return a[0] == b[0] && a[1] == b[2] && a[2] == b[1] && a[2] != a[1];
}

/* One digit of YYYYMMDD off: the slip of keying a date. */
static bool s_dob_slip(const int a[3], const int b[3]) {
  long da = a[0] * 10000L + a[1] * 100L + a[2];
  long db = b[0] * 10000L + b[1] * 100L + b[2];
  int differ = 0;
  for (int i = 0; i < 8; i++, da /= 10, db /= 10) {
    differ += da % 10 != db % 10;
  }
  return differ == 1;
}

/* The level two known dates reach. */
static match_row_t s_dob_pair(const int a[3], const int b[3]) {
  if (a[0] == b[0] && a[1] == b[1] && a[2] == b[2]) {
    return ROW_DOB;
  }
  if (s_dob_swapped(a, b)) {
    return ROW_DOB_SWAP;
  }
  if (s_dob_slip(a, b)) {
    return ROW_DOB_SLIP;
  }
  return abs(a[0] - b[0]) >= 10 ? ROW_DOB_GENERATION : ROW_DOB_DIFFERS;
}

/* Date i of p: its own (0), then its other dates of birth. */
void match_dob_at(const mash_match_person_t *p, size_t i, int out[3]) {
  if (i == 0) {
    out[0] = p->dob_year;
    out[1] = p->dob_month;
    out[2] = p->dob_day;
  } else {
    memcpy(out, p->other_dobs[i - 1], 3 * sizeof(int));
  }
}

/* The best level any of a's dates reaches against any of b's (both known):
 * a record first made from a swapped date still knows the child's own date
 * once a mention linked with it. */
match_row_t match_dob_row(const mash_match_person_t *a, const mash_match_person_t *b) {
  match_row_t best = ROW_DOB_GENERATION;
  size_t na = a->n_other_dobs < MASH_MATCH_MAX_DOBS ? a->n_other_dobs : MASH_MATCH_MAX_DOBS;
  size_t nb = b->n_other_dobs < MASH_MATCH_MAX_DOBS ? b->n_other_dobs : MASH_MATCH_MAX_DOBS;
  for (size_t i = 0; i <= na; i++) {
    int x[3];
    match_dob_at(a, i, x);
    for (size_t j = 0; j <= nb; j++) {
      int y[3];
      match_dob_at(b, j, y);
      match_row_t r = s_dob_pair(x, y);
      if (match_weights[r].centibits > match_weights[best].centibits) {
        best = r;
      }
    }
  }
  return best;
}

static bool s_sex_known(Mash__V1__Sex s) {
  return s == MASH__V1__SEX__SEX_FEMALE || s == MASH__V1__SEX__SEX_MALE ||
         s == MASH__V1__SEX__SEX_OTHER;
}

/* ---------------------------------------------------------------- all comparisons */

/* The level each comparison reaches, one bit per row; a comparison with a
 * value missing on either side sets none (no evidence either way). */
unsigned match_rows_p(const mash_match_person_t *a, const mash_match_name_prep_t *pa,
                      const mash_match_person_t *b) {
  unsigned f = 0;
  if (a->dob_year != 0 && b->dob_year != 0) {
    f |= 1u << match_dob_row(a, b);
  } else if (a->role != MASH_MATCH_ROLE_UNKNOWN && b->role != MASH_MATCH_ROLE_UNKNOWN &&
             a->role != b->role) {
    /* Without both dates of birth, a child against an adult is the only
     * sign of the generation: a mother and her daughter of one name at one
     * home differ in nothing else. With both dates, the dates say it. */
    f |= 1u << ROW_ROLE_DIFFERS;
  }
  if (a->forename[0] != '\0' && b->forename[0] != '\0') {
    f |= 1u << match_forename_row_p(a, pa, b);
  }
  if (a->surname[0] != '\0' && b->surname[0] != '\0') {
    f |= 1u << s_surname_row(a, b);
  }
  if (s_sex_known(a->sex) && s_sex_known(b->sex)) {
    if (a->sex == b->sex) {
      f |= 1u << ROW_SEX;
    } else if (a->sex != MASH__V1__SEX__SEX_OTHER && b->sex != MASH__V1__SEX__SEX_OTHER) {
      f |= 1u << ROW_SEX_DIFFERS;
    }
  }
  if (a->postcode[0] != '\0' && b->postcode[0] != '\0') {
    if (strcmp(a->postcode, b->postcode) != 0) {
      f |= 1u << ROW_PLACE_DIFFERS;
    } else if (a->address[0] != '\0' && strcmp(a->address, b->address) == 0) {
      f |= 1u << ROW_ADDRESS;
    } else {
      f |= 1u << ROW_POSTCODE;
    }
  }
  return f;
}

unsigned match_rows(const mash_match_person_t *a, const mash_match_person_t *b) {
  return match_rows_p(a, NULL, b);
}

/* ---------------------------------------------------------------- slips within a household */

/* The optimal string alignment distance of a and b is at most 2 (two
 * typos, or a typo in a record a typo already made). */
static bool s_two_edits(const char *a, size_t la, const char *b, size_t lb) {
  if (la > 32 || lb > 32 || (la > lb ? la - lb : lb - la) > 2) {
    return false;
  }
  unsigned d[33][33];
  for (size_t i = 0; i <= la; i++) {
    d[i][0] = (unsigned)i;
  }
  for (size_t j = 0; j <= lb; j++) {
    d[0][j] = (unsigned)j;
  }
  for (size_t i = 1; i <= la; i++) {
    for (size_t j = 1; j <= lb; j++) {
      unsigned cost = a[i - 1] != b[j - 1];
      unsigned v = d[i - 1][j] + 1;
      v = d[i][j - 1] + 1 < v ? d[i][j - 1] + 1 : v;
      v = d[i - 1][j - 1] + cost < v ? d[i - 1][j - 1] + cost : v;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
          d[i - 2][j - 2] + 1 < v) {
        v = d[i - 2][j - 2] + 1;
      }
      d[i][j] = v;
    }
  }
  return d[la][lb] <= 2;
}

/* At most two slips apart, a usual variant counting as none: each name
 * within two slips of the other, or of the two names of a variant row
 * (Sfoia is a slip of Sofia, Sopiha of Sophia). */
static unsigned s_slips(const char *a, size_t la, const char *b, size_t lb) {
  if (la == lb && memcmp(a, b, la) == 0) {
    return 0;
  }
  return s_one_edit(a, la, b, lb) ? 1 : s_two_edits(a, la, b, lb) ? 2 : 3;
}

bool match_two_slips(const char *a, size_t la, const char *b, size_t lb) {
  if (s_two_edits(a, la, b, lb)) {
    return true;
  }
  for (size_t i = 0; i < S_VARIANT_ROWS; i++) {
    for (int o = 0; o < 2; o++) {
      const char *x = s_variants[i].name[o], *y = s_variants[i].name[1 - o];
      size_t lx = s_variants[i].len[o], ly = s_variants[i].len[1 - o];
      if (s_slips(a, la, x, lx) + s_slips(b, lb, y, ly) <= 2) {
        return true;
      }
    }
  }
  return false;
}
