/* match: person records, their comparison, blocking keys and households.
 *
 * Responsible for: the rule stated in match.h, as a const weights table and
 * the comparisons that choose a row of it per factor. Must not: touch the
 * store, log, allocate or keep state; every function is a pure function of
 * its arguments and safe from any thread.
 */
#include "match.h"

#include "civil.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identifiers.h"

/* ---------------------------------------------------------------- the weights table */

typedef enum row {
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
  ROW_COUNT
} row_t;

/* One comparison level: m is the chance of the level when the two records
 * are one person, u when they are two people; the weight is log2(m / u) in
 * hundredths of a bit (the unit tests check it against m and u). match.h
 * says where the figures come from. */
typedef struct weight {
  const char *tag;
  double m, u;
  int centibits;
} weight_t;

static const weight_t s_weights[ROW_COUNT] = {
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
};
_Static_assert(ROW_COUNT <= 8 * sizeof(unsigned), "one bit per row in why->factors");

size_t mash_match_weights(size_t row, const char **tag, int *points) {
  bool ok = row < ROW_COUNT;
  if (tag != NULL) {
    *tag = ok ? s_weights[row].tag : NULL;
  }
  if (points != NULL) {
    *points = ok ? s_weights[row].centibits : 0;
  }
  return ROW_COUNT;
}

int mash_match_level(size_t row, double *m, double *u) {
  if (row >= ROW_COUNT) {
    return -EINVAL;
  }
  if (m != NULL) {
    *m = s_weights[row].m;
  }
  if (u != NULL) {
    *u = s_weights[row].u;
  }
  return 0;
}

double mash_match_probability(int centibits) {
  return 1.0 / (1.0 + exp2(-(double)centibits / 100.0));
}

/* ---------------------------------------------------------------- identifiers */

static void s_copy(char *dst, size_t size, const char *src) {
  snprintf(dst, size, "%s", src != NULL ? src : "");
}

static const char *s_kind_tag(Mash__V1__IdentifierKind kind) {
  switch (kind) {
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER:
    return "nhs_number";
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UPN:
    return "upn";
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_PNC_ID:
    return "pnc_id";
  default:
    return "local_id";
  }
}

/* How two records' identifiers of one kind compare. */
typedef enum id_verdict { ID_NONE, ID_SAME, ID_CONFLICT } id_verdict_t;

static id_verdict_t s_ids_compare(const mash_match_person_t *a, const mash_match_person_t *b,
                                  Mash__V1__IdentifierKind kind) {
  bool a_has = false, b_has = false;
  for (size_t i = 0; i < a->n_ids; i++) {
    const mash_match_id_t *x = &a->ids[i];
    if (x->kind != kind || !x->valid) {
      continue;
    }
    a_has = true;
    for (size_t j = 0; j < b->n_ids; j++) {
      const mash_match_id_t *y = &b->ids[j];
      if (y->kind == kind && y->valid && strcmp(x->value, y->value) == 0 &&
          strcmp(x->issuer, y->issuer) == 0) {
        return ID_SAME;
      }
    }
  }
  for (size_t j = 0; j < b->n_ids && !b_has; j++) {
    b_has = b->ids[j].kind == kind && b->ids[j].valid;
  }
  /* Local ids never conflict: one system may hold two records for one
   * person, and two systems' ids are not comparable at all. */
  if (a_has && b_has && kind != MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID) {
    return ID_CONFLICT;
  }
  return ID_NONE;
}

/* ---------------------------------------------------------------- names and dates */

/* Copy `s` (its first `len` bytes) without spaces and hyphens. */
static size_t s_compact(const char *s, size_t len, char *out, size_t outlen) {
  size_t n = 0;
  for (size_t i = 0; i < len && s[i] != '\0' && n + 1 < outlen; i++) {
    if (s[i] != ' ' && s[i] != '-') {
      out[n++] = s[i];
    }
  }
  out[n] = '\0';
  return n;
}

static bool s_compact_eq(const char *a, size_t alen, const char *b, size_t blen) {
  char ca[MASH_MATCH_NAME_SIZE], cb[MASH_MATCH_NAME_SIZE];
  size_t na = s_compact(a, alen, ca, sizeof ca);
  size_t nb = s_compact(b, blen, cb, sizeof cb);
  return na > 0 && na == nb && memcmp(ca, cb, na) == 0;
}

/* Equal given names: the same once spaces and hyphens are ignored (Mary
 * Jane, Mary-Jane), or one is a single name and the other starts with it
 * (Maya, Maya Louise). Mary Ann and Mary Beth are not equal. */
static bool s_forename_equal(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (s_compact_eq(a, la, b, lb)) {
    return true;
  }
  size_t fa = strcspn(a, " "), fb = strcspn(b, " ");
  bool single = fa == la || fb == lb;
  return single && s_compact_eq(a, fa, b, fb);
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
static bool s_surname_part(const char *a, const char *b) {
  bool a_multi = strpbrk(a, " -") != NULL, b_multi = strpbrk(b, " -") != NULL;
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

static row_t s_surname_row(const mash_match_person_t *a, const mash_match_person_t *b) {
  size_t la = strlen(a->surname), lb = strlen(b->surname);
  if (s_compact_eq(a->surname, la, b->surname, lb)) {
    return ROW_SURNAME;
  }
  char ca[MASH_MATCH_NAME_SIZE], cb[MASH_MATCH_NAME_SIZE];
  size_t na = s_compact(a->surname, la, ca, sizeof ca);
  size_t nb = s_compact(b->surname, lb, cb, sizeof cb);
  /* Short names are one edit from too many others (Lee, Lea, Leo). */
  if (na >= 4 && nb >= 4 && s_one_edit(ca, na, cb, nb)) {
    return ROW_SURNAME_SLIP;
  }
  if (s_surname_part(a->surname, b->surname)) {
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
static const char *const s_variants[][2] = {
    {"alexander", "alex"},    {"alexandra", "alex"},    {"abigail", "abbie"},
    {"abigail", "abby"},      {"benjamin", "ben"},      {"charlotte", "lottie"},
    {"christopher", "chris"}, {"daniel", "danny"},      {"daniel", "dan"},
    {"elizabeth", "beth"},    {"elizabeth", "liz"},     {"elizabeth", "lizzie"},
    {"eleanor", "ellie"},     {"frederick", "freddie"}, {"isabella", "bella"},
    {"isabelle", "isobel"},   {"isabel", "isobel"},     {"jack", "jak"},
    {"james", "jamie"},       {"james", "jim"},         {"jessica", "jess"},
    {"joseph", "joe"},        {"joshua", "josh"},       {"katherine", "kate"},
    {"katie", "katy"},        {"kathryn", "kate"},      {"margaret", "maggie"},
    {"matthew", "matt"},      {"michael", "mike"},      {"nicholas", "nick"},
    {"oliver", "ollie"},      {"rebecca", "becky"},     {"robert", "bob"},
    {"robert", "rob"},        {"samuel", "sam"},        {"samantha", "sam"},
    {"theodore", "theo"},     {"thomas", "tom"},        {"thomas", "tommy"},
    {"william", "will"},      {"william", "billy"},     {"zoe", "zoey"},
    {"jakub", "jacob"},       {"oliwia", "olivia"},     {"niamh", "neve"},
    {"siobhan", "shivaun"},   {"aisha", "ayesha"},      {"edward", "ed"},
    {"anthony", "tony"},      {"stephen", "steve"},     {"richard", "rich"},
    {"freddie", "freddy"},    {"alfie", "alfy"},        {"evie", "evey"},
    {"callum", "calum"},      {"leanne", "lianne"},     {"ayla", "aila"},
    {"sophia", "sofia"},      {"mohammed", "mohammad"}, {"mohammed", "muhammad"},
};

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
  for (size_t i = 0; i < sizeof s_variants / sizeof s_variants[0]; i++) {
    const char *x = s_variants[i][0], *y = s_variants[i][1];
    if (s_variant_of(a, la, b, lb, x, y) || s_variant_of(a, la, b, lb, y, x) ||
        s_variant_of(b, lb, a, la, x, y) || s_variant_of(b, lb, a, la, y, x)) {
      return true;
    }
  }
  return false;
}

static row_t s_forename_level(const char *a, const char *akey, const char *b, const char *bkey) {
  if (s_forename_equal(a, b)) {
    return ROW_FORENAME;
  }
  /* The first given names decide the rest (a middle name recorded by one
   * agency only must not count against the person). */
  size_t fa = strcspn(a, " "), fb = strcspn(b, " ");
  if (s_variant(a, fa, b, fb)) {
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
 * the spelling later mentions linked with ("Isla"). */
static row_t s_forename_row(const mash_match_person_t *a, const mash_match_person_t *b) {
  row_t best = ROW_FORENAME_DIFFERS;
  for (size_t i = 0; i <= a->n_other_forenames && i <= MASH_MATCH_MAX_OTHER; i++) {
    const char *an = i == 0 ? a->forename : a->other_forenames[i - 1];
    const char *ak = i == 0 ? a->forename_key : a->other_forename_keys[i - 1];
    for (size_t j = 0; j <= b->n_other_forenames && j <= MASH_MATCH_MAX_OTHER; j++) {
      const char *bn = j == 0 ? b->forename : b->other_forenames[j - 1];
      const char *bk = j == 0 ? b->forename_key : b->other_forename_keys[j - 1];
      if (an[0] == '\0' || bn[0] == '\0') {
        continue;
      }
      row_t r = s_forename_level(an, ak, bn, bk);
      if (s_weights[r].centibits > s_weights[best].centibits) {
        best = r;
      }
    }
  }
  return best;
}

/* "YYYY-MM-DD" of a real date from 1900 on, or false (civil.h reads it). */
static bool s_parse_dob(const char *s, int *y, int *m, int *d) {
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
static row_t s_dob_pair(const int a[3], const int b[3]) {
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
static void s_dob_at(const mash_match_person_t *p, size_t i, int out[3]) {
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
static row_t s_dob_row(const mash_match_person_t *a, const mash_match_person_t *b) {
  row_t best = ROW_DOB_GENERATION;
  size_t na = a->n_other_dobs < MASH_MATCH_MAX_DOBS ? a->n_other_dobs : MASH_MATCH_MAX_DOBS;
  size_t nb = b->n_other_dobs < MASH_MATCH_MAX_DOBS ? b->n_other_dobs : MASH_MATCH_MAX_DOBS;
  for (size_t i = 0; i <= na; i++) {
    int x[3];
    s_dob_at(a, i, x);
    for (size_t j = 0; j <= nb; j++) {
      int y[3];
      s_dob_at(b, j, y);
      row_t r = s_dob_pair(x, y);
      if (s_weights[r].centibits > s_weights[best].centibits) {
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

/* ---------------------------------------------------------------- person records */

void mash_match_person_set(mash_match_person_t *p, const char *ref, const char *given,
                           const char *family, const char *dob, Mash__V1__Sex sex,
                           const char *postcode, const char *address) {
  if (p == NULL) {
    return;
  }
  memset(p, 0, sizeof *p);
  s_copy(p->ref, sizeof p->ref, ref);
  mash_name_normalise(given, p->forename, sizeof p->forename);
  mash_name_normalise(family, p->surname, sizeof p->surname);
  /* The forename key is of the first given name only: a middle name
   * recorded by one agency and not another must not change it. */
  char first[MASH_MATCH_NAME_SIZE];
  size_t fl = strcspn(p->forename, " ");
  memcpy(first, p->forename, fl);
  first[fl] = '\0';
  mash_phonetic_key(first, p->forename_key, sizeof p->forename_key);
  mash_phonetic_key(p->surname, p->surname_key, sizeof p->surname_key);
  if (!s_parse_dob(dob, &p->dob_year, &p->dob_month, &p->dob_day)) {
    p->dob_year = p->dob_month = p->dob_day = 0;
  }
  p->sex = (sex >= MASH__V1__SEX__SEX_FEMALE && sex <= MASH__V1__SEX__SEX_NOT_KNOWN)
               ? sex
               : MASH__V1__SEX__SEX_UNSPECIFIED;
  if (postcode == NULL || mash_postcode_normalise(postcode, p->postcode, sizeof p->postcode) != 0) {
    p->postcode[0] = '\0';
  }
  mash_address_normalise(address, p->address, sizeof p->address);
}

int mash_match_person_add_other(mash_match_person_t *p, const char *given) {
  if (p == NULL || given == NULL) {
    return 0;
  }
  char name[MASH_MATCH_NAME_SIZE];
  mash_name_normalise(given, name, sizeof name);
  size_t len = strlen(name);
  if (name[0] == '\0' || s_compact_eq(name, len, p->forename, strlen(p->forename))) {
    return 0;
  }
  for (size_t i = 0; i < p->n_other_forenames; i++) {
    if (s_compact_eq(name, len, p->other_forenames[i], strlen(p->other_forenames[i]))) {
      return 0;
    }
  }
  if (p->n_other_forenames >= MASH_MATCH_MAX_OTHER) {
    return -ENOSPC;
  }
  char first[MASH_MATCH_NAME_SIZE];
  size_t fl = strcspn(name, " ");
  memcpy(first, name, fl);
  first[fl] = '\0';
  memcpy(p->other_forenames[p->n_other_forenames], name, sizeof name);
  mash_phonetic_key(first, p->other_forename_keys[p->n_other_forenames],
                    sizeof p->other_forename_keys[0]);
  p->n_other_forenames++;
  return 1;
}

int mash_match_person_add_dob(mash_match_person_t *p, const char *dob) {
  int d[3];
  if (p == NULL || !s_parse_dob(dob, &d[0], &d[1], &d[2])) {
    return 0;
  }
  for (size_t i = 0; i <= p->n_other_dobs && i <= MASH_MATCH_MAX_DOBS; i++) {
    int x[3];
    s_dob_at(p, i, x);
    if (memcmp(x, d, sizeof d) == 0) {
      return 0;
    }
  }
  if (p->n_other_dobs >= MASH_MATCH_MAX_DOBS) {
    return -ENOSPC;
  }
  memcpy(p->other_dobs[p->n_other_dobs++], d, sizeof d);
  return 1;
}

bool mash_match_dob_near(const mash_match_person_t *mention, const mash_match_person_t *record) {
  if (mention == NULL || record == NULL || mention->dob_year == 0 || record->dob_year == 0) {
    return false;
  }
  row_t r = s_dob_row(mention, record);
  return r == ROW_DOB_SWAP || r == ROW_DOB_SLIP;
}

bool mash_match_forenames_agree(const mash_match_person_t *a, const mash_match_person_t *b) {
  return a != NULL && b != NULL && a->forename[0] != '\0' && b->forename[0] != '\0' &&
         s_forename_row(a, b) != ROW_FORENAME_DIFFERS;
}

/* ---------------------------------------------------------------- term frequencies */

/* "PREFIX" and the name without spaces and hyphens, or "" without a name. */
static void s_term_key(const char *prefix, const char *name, size_t len,
                       char out[MASH_MATCH_TERM_KEY_SIZE]) {
  char compact[MASH_MATCH_NAME_SIZE];
  size_t n = s_compact(name, len, compact, sizeof compact);
  if (n == 0) {
    out[0] = '\0';
    return;
  }
  snprintf(out, MASH_MATCH_TERM_KEY_SIZE, "%s%s", prefix, compact);
}

void mash_match_term_keys(const mash_match_person_t *p, char forename[MASH_MATCH_TERM_KEY_SIZE],
                          char surname[MASH_MATCH_TERM_KEY_SIZE]) {
  s_term_key("t:f:", p->forename, strcspn(p->forename, " "), forename);
  s_term_key("t:s:", p->surname, strlen(p->surname), surname);
}

static double s_tf(long long count, long long total, double u) {
  if (total <= 0 || count < 0) {
    return 0.0; /* not known: the table's u */
  }
  double tf = ((double)count + MASH_MATCH_TF_PSEUDO * u) / ((double)total + MASH_MATCH_TF_PSEUDO);
  double floor = u / MASH_MATCH_TF_MIN_DIVISOR;
  return tf < floor ? floor : tf > 1.0 ? 1.0 : tf;
}

void mash_match_person_set_tf(mash_match_person_t *p, long long forename_count,
                              long long surname_count, long long total) {
  if (p == NULL) {
    return;
  }
  p->forename_tf =
      p->forename[0] != '\0' ? s_tf(forename_count, total, s_weights[ROW_FORENAME].u) : 0.0;
  p->surname_tf =
      p->surname[0] != '\0' ? s_tf(surname_count, total, s_weights[ROW_SURNAME].u) : 0.0;
}

/* The weight of an exact forename or surname given its term frequency: the
 * larger of the two records' known frequencies (a newcomer's is looked up,
 * a stored record's usually not), or the table's weight when neither is. */
static int s_tf_weight(row_t row, double tf_a, double tf_b) {
  double tf = tf_a > tf_b ? tf_a : tf_b;
  if (!(tf > 0.0)) {
    return s_weights[row].centibits;
  }
  return (int)lround(100.0 * log2(s_weights[row].m / tf));
}

int mash_match_person_add_id(mash_match_person_t *p, Mash__V1__IdentifierKind kind,
                             const char *value, const char *issuer) {
  if (p == NULL || value == NULL || value[0] == '\0' ||
      kind < MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER ||
      kind > MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID) {
    return -EINVAL;
  }
  if (p->n_ids >= MASH_MATCH_MAX_IDS) {
    return -ENOSPC;
  }
  mash_match_id_t *id = &p->ids[p->n_ids];
  memset(id, 0, sizeof *id);
  id->kind = kind;
  int rc = mash_match_id_normalise(kind, value, id->value, sizeof id->value);
  id->valid = rc == 0;
  if (kind == MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID) {
    s_copy(id->issuer, sizeof id->issuer, issuer);
    /* Without its issuer a local id says nothing about anyone. */
    id->valid = id->valid && id->issuer[0] != '\0';
  }
  p->n_ids++;
  return 0;
}

void mash_match_person_from_pb(mash_match_person_t *p, const Mash__V1__Person *src) {
  if (p == NULL) {
    return;
  }
  if (src == NULL) {
    memset(p, 0, sizeof *p);
    return;
  }
  char street[2 * MASH_MATCH_ADDRESS_SIZE] = "";
  const char *postcode = NULL;
  if (src->address != NULL) {
    postcode = src->address->postcode;
    size_t used = 0;
    for (size_t i = 0; i < src->address->n_lines && used + 1 < sizeof street; i++) {
      const char *line = src->address->lines[i];
      if (line == NULL || line[0] == '\0') {
        continue;
      }
      int w = snprintf(street + used, sizeof street - used, "%s%s", used > 0 ? ", " : "", line);
      if (w < 0) {
        break;
      }
      used += (size_t)w;
    }
  }
  mash_match_person_set(p, src->ref, src->given_name, src->family_name, src->date_of_birth,
                        src->sex, postcode, street);
  for (size_t i = 0; i < src->n_identifiers; i++) {
    const Mash__V1__Identifier *id = src->identifiers[i];
    if (id != NULL && mash_match_person_add_id(p, id->kind, id->value, id->issuer) == -ENOSPC) {
      break;
    }
  }
  for (size_t i = 0; i < src->n_other_given_names; i++) {
    if (mash_match_person_add_other(p, src->other_given_names[i]) == -ENOSPC) {
      break;
    }
  }
  for (size_t i = 0; p->dob_year != 0 && i < src->n_other_dates_of_birth; i++) {
    if (mash_match_person_add_dob(p, src->other_dates_of_birth[i]) == -ENOSPC) {
      break;
    }
  }
}

/* ---------------------------------------------------------------- scoring */

/* The level each comparison reaches, one bit per row; a comparison with a
 * value missing on either side sets none (no evidence either way). */
static unsigned s_rows(const mash_match_person_t *a, const mash_match_person_t *b) {
  unsigned f = 0;
  if (a->dob_year != 0 && b->dob_year != 0) {
    f |= 1u << s_dob_row(a, b);
  }
  if (a->forename[0] != '\0' && b->forename[0] != '\0') {
    f |= 1u << s_forename_row(a, b);
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

static const Mash__V1__IdentifierKind s_kinds[] = {
    MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER,
    MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UPN,
    MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_PNC_ID,
    MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID,
};

void mash_match_why_render(mash_match_why_t *w) {
  if (w == NULL) {
    return;
  }
  w->text[0] = '\0';
  const char *kind = s_kind_tag(w->kind);
  if (w->identifier && w->shared) {
    snprintf(w->text, sizeof w->text, "conflict:shared_%s", kind);
    return;
  }
  if (w->identifier && !w->conflict) {
    s_copy(w->text, sizeof w->text, kind);
    return;
  }
  /* The levels reached; two different numbers name their kind
   * ("...+address+!nhs_number"). */
  size_t used = 0;
  for (int r = 0; r < ROW_COUNT; r++) {
    if ((w->factors & (1u << r)) == 0) {
      continue;
    }
    bool id = r == ROW_ID_DIFFERS;
    int n = snprintf(w->text + used, sizeof w->text - used, "%s%s%s", used > 0 ? "+" : "",
                     id ? "!" : "", id ? kind : s_weights[r].tag);
    if (n > 0 && (size_t)n < sizeof w->text - used) {
      used += (size_t)n;
    }
  }
}

double mash_match_weigh(const mash_match_person_t *a, const mash_match_person_t *b,
                        mash_match_why_t *why) {
  mash_match_why_t w;
  memset(&w, 0, sizeof w);
  double score = 0.0;
  if (a == NULL || b == NULL) {
    goto out;
  }

  /* The evidence of the fields: the prior plus the weight of each level. */
  unsigned f = s_rows(a, b);
  w.points = MASH_MATCH_PRIOR;
  /* Term frequencies weigh an exact name by how common it is; a forename
   * that agreed only through another spelling keeps the table's weight. */
  bool forename_tf = (f & (1u << ROW_FORENAME)) && s_forename_equal(a->forename, b->forename);
  for (int r = 0; r < ROW_COUNT; r++) {
    if ((f & (1u << r)) == 0) {
      continue;
    }
    if (r == ROW_FORENAME && forename_tf) {
      w.points += s_tf_weight(ROW_FORENAME, a->forename_tf, b->forename_tf);
    } else if (r == ROW_SURNAME) {
      w.points += s_tf_weight(ROW_SURNAME, a->surname_tf, b->surname_tf);
    } else {
      w.points += s_weights[r].centibits;
    }
  }
  w.factors = f;
  /* Twins: the same date of birth, surname and (usually) address, and
   * forenames that sound alike but are not the same (Ella, Ellie; Mary Ann,
   * Mary Beth). However much else agrees, that is for the desk to judge. A
   * one-letter slip is not capped: typos are far commoner than twins so
   * named. Brothers and sisters likewise: the same surname at the same
   * home, forenames that only sound alike (Demi, Tommy: both "TM") and no
   * date of birth on one side to tell them apart. */
  unsigned close = 1u << ROW_FORENAME_PH;
  unsigned family = (1u << ROW_SURNAME) | (1u << ROW_SURNAME_SLIP) | (1u << ROW_SURNAME_PH);
  unsigned dob_any = (1u << ROW_DOB) | (1u << ROW_DOB_SWAP) | (1u << ROW_DOB_SLIP) |
                     (1u << ROW_DOB_DIFFERS) | (1u << ROW_DOB_GENERATION);
  bool twins = (f & (1u << ROW_DOB)) != 0;
  bool siblings = (f & dob_any) == 0 && (f & (1u << ROW_ADDRESS)) != 0;
  if ((twins || siblings) && (f & close) && (f & family) && w.points > MASH_MATCH_TWIN_CAP) {
    w.points = MASH_MATCH_TWIN_CAP;
    w.twin = true;
  }
  /* Twins with different forenames weigh at most what the table gives
   * them (+2.9, a review): a rare surname's term frequency (up to 2 bits)
   * must not lift them to a link. */
  int twins_other = MASH_MATCH_PRIOR + s_weights[ROW_DOB].centibits +
                    s_weights[ROW_FORENAME_DIFFERS].centibits + s_weights[ROW_SURNAME].centibits +
                    s_weights[ROW_SEX].centibits + s_weights[ROW_ADDRESS].centibits;
  if (twins && (f & (1u << ROW_FORENAME_DIFFERS)) && (f & family) && w.points > twins_other) {
    w.points = twins_other;
    w.twin = true;
  }
  w.rest = mash_match_probability(w.points);
  score = w.rest;

  /* Identifiers: any conflict first, then any agreement, which links only
   * when the rest does not contradict it. */
  id_verdict_t verdict[4];
  for (size_t k = 0; k < 4; k++) {
    verdict[k] = s_ids_compare(a, b, s_kinds[k]);
  }
  for (size_t k = 0; k < 4; k++) {
    if (verdict[k] == ID_CONFLICT) {
      /* Two valid numbers of one kind: two people, unless one record holds
       * a wrong number (typed from a sibling's record). That is evidence
       * like any level (row "!identifier", m 0.02, u 0.98, -5.6 bits): the
       * same child with every field agreeing still links (flagged), twins
       * and namesakes never do. */
      w.identifier = w.conflict = true;
      w.kind = s_kinds[k];
      w.points += s_weights[ROW_ID_DIFFERS].centibits;
      w.factors |= 1u << ROW_ID_DIFFERS;
      score = mash_match_probability(w.points);
      goto out;
    }
  }
  /* Twins share everything but their forenames; a sibling's number typed
   * into a record leaves the date of birth and often the sex disagreeing. */
  unsigned dob_differs = (1u << ROW_DOB_DIFFERS) | (1u << ROW_DOB_GENERATION);
  bool contradicted = (f & (1u << ROW_FORENAME_DIFFERS)) != 0 ||
                      ((f & dob_differs) && (f & (1u << ROW_SEX_DIFFERS)));
  for (size_t k = 0; k < 4; k++) {
    if (verdict[k] != ID_SAME) {
      continue;
    }
    w.identifier = true;
    w.kind = s_kinds[k];
    if (contradicted) {
      w.conflict = w.shared = true;
    } else {
      score = 1.0;
    }
    goto out;
  }

out:
  if (why != NULL) {
    *why = w;
  }
  return score;
}

double mash_match_score(const mash_match_person_t *a, const mash_match_person_t *b,
                        mash_match_why_t *why) {
  double score = mash_match_weigh(a, b, why);
  mash_match_why_render(why);
  return score;
}

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

static bool s_two_slips(const char *a, size_t la, const char *b, size_t lb) {
  if (s_two_edits(a, la, b, lb)) {
    return true;
  }
  for (size_t i = 0; i < sizeof s_variants / sizeof s_variants[0]; i++) {
    for (int o = 0; o < 2; o++) {
      const char *x = s_variants[i][o], *y = s_variants[i][1 - o];
      size_t lx = strlen(x), ly = strlen(y);
      if (s_slips(a, la, x, lx) + s_slips(b, lb, y, ly) <= 2) {
        return true;
      }
    }
  }
  return false;
}

bool mash_match_same_in_household(const mash_match_person_t *a, const mash_match_person_t *b) {
  if (a == NULL || b == NULL) {
    return false;
  }
  mash_match_why_t why;
  mash_match_score(a, b, &why);
  if (why.identifier) {
    return !why.conflict;
  }
  unsigned f = why.factors;
  unsigned forename = (1u << ROW_FORENAME) | (1u << ROW_FORENAME_VARIANT) |
                      (1u << ROW_FORENAME_SLIP) | (1u << ROW_FORENAME_PH);
  unsigned against = (1u << ROW_DOB_DIFFERS) | (1u << ROW_DOB_GENERATION) | (1u << ROW_SEX_DIFFERS);
  if ((f & against) != 0) {
    return false;
  }
  if ((f & forename) != 0) {
    return true;
  }
  /* Two slips in a longer forename (a usual variant counting as none:
   * Sfoia, Sopiha), born the same day (or a day one slip or a day/month
   * swap away): one child typed twice, not twins (whose forenames share
   * little) nor brothers and sisters (born apart). With the date missing on
   * one side, the surname and a known sex must agree too (Elsne, Eslie). */
  unsigned dob = (1u << ROW_DOB) | (1u << ROW_DOB_SLIP) | (1u << ROW_DOB_SWAP);
  unsigned surname = (1u << ROW_SURNAME) | (1u << ROW_SURNAME_SLIP) | (1u << ROW_SURNAME_PART);
  bool no_dob = a->dob_year == 0 || b->dob_year == 0;
  bool close = (f & dob) || (no_dob && (f & surname) && (f & (1u << ROW_SEX)));
  size_t fa = strcspn(a->forename, " "), fb = strcspn(b->forename, " ");
  return close && fa >= 5 && fb >= 5 && s_two_slips(a->forename, fa, b->forename, fb);
}
