/* phonetic: Double Metaphone keys for names, and the normalisation of names,
 * postcodes and address lines (see phonetic.h for the choice of algorithm).
 *
 * Responsible for: reading UTF-8 one character at a time and folding it to
 * lower-case ASCII where a Latin letter has an obvious base letter, and the
 * rules built on that. Must not: allocate, log or keep state; every buffer is
 * the caller's or on the stack, and every function is safe from any thread.
 */
#include "phonetic.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* ---------------------------------------------------------------- folding */

/* What one character of the input is, after folding. */
typedef enum unit_kind {
  UNIT_END,    /* end of the string */
  UNIT_SKIP,   /* an invalid UTF-8 byte: dropped */
  UNIT_LETTER, /* a Latin letter, folded to 1 or 2 lower-case ASCII letters */
  UNIT_DIGIT,
  UNIT_APOS,  /* an apostrophe, straight or typographic: dropped in names */
  UNIT_DASH,  /* a hyphen or dash */
  UNIT_SPACE, /* any white space */
  UNIT_PUNCT, /* other punctuation and symbols */
  UNIT_OTHER, /* a character outside Latin, kept verbatim */
} unit_kind_t;

typedef struct unit {
  unit_kind_t kind;
  size_t len; /* bytes in b */
  char b[4];
} unit_t;

/* Base letters of U+00C0..U+00FF. "" marks the two symbols in the block
 * (multiplication and division signs). */
static const char *const s_latin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",
};

/* Base letters of U+0100..U+017F (Latin Extended-A: Polish, Czech, Turkish,
 * Romanian, Hungarian, Baltic...), one per code point; '*' marks the two
 * ligatures handled apart (U+0132/3 "ij", U+0152/3 "oe"). */
static const char s_latin_ext_a[] = "aaaaaa"       /* 0100 */
                                    "cccccccc"     /* 0106 */
                                    "dddd"         /* 010E */
                                    "eeeeeeeeee"   /* 0112 */
                                    "gggggggg"     /* 011C */
                                    "hhhh"         /* 0124 */
                                    "iiiiiiiiii"   /* 0128 */
                                    "**"           /* 0132 */
                                    "jj"           /* 0134 */
                                    "kkk"          /* 0136 */
                                    "llllllllll"   /* 0139 */
                                    "nnnnnnnnn"    /* 0143 */
                                    "oooooo"       /* 014C */
                                    "**"           /* 0152 */
                                    "rrrrrr"       /* 0154 */
                                    "ssssssss"     /* 015A */
                                    "tttttt"       /* 0162 */
                                    "uuuuuuuuuuuu" /* 0168 */
                                    "ww"           /* 0174 */
                                    "yyy"          /* 0176 */
                                    "zzzzzz"       /* 0179 */
                                    "s";           /* 017F */
_Static_assert(sizeof s_latin_ext_a == 0x80 + 1, "one base letter per code point");

static void s_unit_set(unit_t *u, unit_kind_t kind, const char *b, size_t len) {
  u->kind = kind;
  u->len = len;
  memcpy(u->b, b, len);
}

/* Classify a decoded code point above U+007F; `raw` is its UTF-8 form. */
static void s_unit_wide(unit_t *u, unsigned long cp, const char *raw, size_t rawlen) {
  if (cp >= 0xC0 && cp <= 0xFF) {
    const char *f = s_latin1[cp - 0xC0];
    s_unit_set(u, f[0] != '\0' ? UNIT_LETTER : UNIT_PUNCT, f, strlen(f));
  } else if (cp >= 0x100 && cp <= 0x17F) {
    char c = s_latin_ext_a[cp - 0x100];
    if (c != '*') {
      s_unit_set(u, UNIT_LETTER, &c, 1);
    } else {
      s_unit_set(u, UNIT_LETTER, cp < 0x140 ? "ij" : "oe", 2);
    }
  } else if (cp == 0x2018 || cp == 0x2019 || cp == 0x02BC || cp == 0xB4) {
    s_unit_set(u, UNIT_APOS, "'", 1);
  } else if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212) {
    s_unit_set(u, UNIT_DASH, "-", 1);
  } else if (cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F ||
             cp == 0x3000) {
    s_unit_set(u, UNIT_SPACE, " ", 1);
  } else if (cp < 0xC0 || (cp >= 0x2000 && cp <= 0x206F)) {
    /* Latin-1 symbols (guillemets, middle dot, ...) and general
     * punctuation (typographic quotes, bullets). */
    s_unit_set(u, UNIT_PUNCT, " ", 1);
  } else {
    s_unit_set(u, UNIT_OTHER, raw, rawlen);
  }
}

/* Read one character at p into u; returns where the next one starts. */
static const char *s_next(const char *p, unit_t *u) {
  unsigned char c = (unsigned char)p[0];
  if (c == 0) {
    u->kind = UNIT_END;
    u->len = 0;
    return p;
  }
  if (c < 0x80) {
    char ch = (char)c;
    if (c >= 'A' && c <= 'Z') {
      ch = (char)(c - 'A' + 'a');
      s_unit_set(u, UNIT_LETTER, &ch, 1);
    } else if (c >= 'a' && c <= 'z') {
      s_unit_set(u, UNIT_LETTER, &ch, 1);
    } else if (c >= '0' && c <= '9') {
      s_unit_set(u, UNIT_DIGIT, &ch, 1);
    } else if (c == '\'' || c == '`') {
      s_unit_set(u, UNIT_APOS, &ch, 1);
    } else if (c == '-') {
      s_unit_set(u, UNIT_DASH, &ch, 1);
    } else if (c == ' ' || (c >= '\t' && c <= '\r')) {
      s_unit_set(u, UNIT_SPACE, " ", 1);
    } else {
      s_unit_set(u, UNIT_PUNCT, " ", 1);
    }
    return p + 1;
  }
  size_t len;
  unsigned long cp;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1Fu;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0Fu;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07u;
  } else {
    u->kind = UNIT_SKIP;
    u->len = 0;
    return p + 1;
  }
  for (size_t i = 1; i < len; i++) {
    unsigned char cc = (unsigned char)p[i];
    if ((cc & 0xC0u) != 0x80u) { /* also stops at the NUL */
      u->kind = UNIT_SKIP;
      u->len = 0;
      return p + 1;
    }
    cp = (cp << 6) | (cc & 0x3Fu);
  }
  /* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
  if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
    u->kind = UNIT_SKIP;
    u->len = 0;
    return p + 1;
  }
  s_unit_wide(u, cp, p, len);
  return p + len;
}

/* ---------------------------------------------------------------- names */

size_t mash_name_normalise(const char *in, char *out, size_t outlen) {
  if (out == NULL || outlen == 0) {
    return 0;
  }
  size_t n = 0;
  /* The separator owed before the next word: a hyphen wins over spaces, so
   * "Smith - Jones" reads "smith-jones". Never written at either end. */
  char pending = 0;
  unit_t u;
  for (const char *p = in != NULL ? in : ""; (p = s_next(p, &u)), u.kind != UNIT_END;) {
    switch (u.kind) {
    case UNIT_LETTER:
    case UNIT_DIGIT:
    case UNIT_OTHER: {
      size_t sep = (n > 0 && pending != 0) ? 1 : 0;
      if (n + sep + u.len >= outlen) {
        goto out;
      }
      if (sep) {
        out[n++] = pending;
      }
      pending = 0;
      memcpy(out + n, u.b, u.len);
      n += u.len;
      break;
    }
    case UNIT_DASH:
      pending = '-';
      break;
    case UNIT_SPACE:
    case UNIT_PUNCT:
      if (pending != '-') {
        pending = ' ';
      }
      break;
    default: /* apostrophes and invalid bytes vanish */
      break;
    }
  }
out:
  out[n] = '\0';
  return n;
}

/* ---------------------------------------------------------------- Double Metaphone */

/* Longest run of letters a key is computed from: the rules look at most a
 * few letters around the current one and at the last letter. */
#define DM_MAX_LETTERS 128
/* The reference implementation pads the word with spaces so that rules may
 * look past its end ("ch " as in "Bach "). */
#define DM_PAD 5

typedef struct dm {
  char s[DM_MAX_LETTERS + DM_PAD + 1]; /* upper-case letters, then spaces */
  int len;                             /* letters, without the padding */
  int last;                            /* len - 1 */
  bool slavo_germanic;
  char *out;
  size_t cap; /* sounds wanted */
  size_t n;   /* sounds written */
} dm_t;

/* The letter at i, a space past the end, NUL before the start. */
static char s_get(const dm_t *d, int i) {
  return i < 0 ? '\0' : d->s[i];
}

/* Whether the `n` letters at `start` equal any of the n-letter strings
 * concatenated in `list` ("GNKNPN" is "GN", "KN", "PN"). */
static bool s_any(const dm_t *d, int start, int n, const char *list) {
  if (start < 0 || start + n > d->len + DM_PAD) {
    return false;
  }
  for (const char *c = list; *c != '\0'; c += n) {
    if (memcmp(d->s + start, c, (size_t)n) == 0) {
      return true;
    }
  }
  return false;
}

static bool s_vowel(const dm_t *d, int i) {
  if (i < 0 || i >= d->len) {
    return false;
  }
  return strchr("AEIOUY", d->s[i]) != NULL;
}

static void s_add(dm_t *d, const char *code) {
  for (; *code != '\0' && d->n < d->cap; code++) {
    d->out[d->n++] = *code;
  }
}

/* "C": one of the richest letters. Returns the step to the next letter. */
static int s_dm_c(dm_t *d, int cur) {
  /* Germanic "ach" as in Bacher and Macher, not "achi" or "ache". */
  if (cur > 1 && !s_vowel(d, cur - 2) && s_any(d, cur - 1, 3, "ACH") && s_get(d, cur + 2) != 'I' &&
      (s_get(d, cur + 2) != 'E' || s_any(d, cur - 2, 6, "BACHERMACHER"))) {
    s_add(d, "K");
    return 2;
  }
  if (cur == 0 && s_any(d, cur, 6, "CAESAR")) {
    s_add(d, "S");
    return 2;
  }
  if (s_any(d, cur, 4, "CHIA")) { /* Italian "chianti" */
    s_add(d, "K");
    return 2;
  }
  if (s_any(d, cur, 2, "CH")) {
    if (cur > 0 && s_any(d, cur, 4, "CHAE")) { /* Michael */
      s_add(d, "K");
      return 2;
    }
    /* Greek roots at the start: chorus, character, charisma, chemistry. */
    if (cur == 0 && (s_any(d, cur + 1, 5, "HARACHARIS") || s_any(d, cur + 1, 3, "HORHYMHIAHEM")) &&
        !s_any(d, 0, 5, "CHORE")) {
      s_add(d, "K");
      return 2;
    }
    if (s_any(d, 0, 4, "VAN VON ") || s_any(d, 0, 3, "SCH") ||
        s_any(d, cur - 2, 6, "ORCHESARCHITORCHID") || s_any(d, cur + 2, 1, "TS") ||
        ((s_any(d, cur - 1, 1, "AOUE") || cur == 0) && s_any(d, cur + 2, 1, "LRNMBHFVW "))) {
      s_add(d, "K");
    } else if (cur > 0) {
      s_add(d, s_any(d, 0, 2, "MC") ? "K" : "X");
    } else {
      s_add(d, "X");
    }
    return 2;
  }
  if (s_any(d, cur, 2, "CZ") && !s_any(d, cur - 2, 4, "WICZ")) { /* Czerny */
    s_add(d, "S");
    return 2;
  }
  if (s_any(d, cur + 1, 3, "CIA")) { /* Focaccia */
    s_add(d, "X");
    return 3;
  }
  /* A double C, but not as in McClellan. */
  if (s_any(d, cur, 2, "CC") && !(cur == 1 && s_get(d, 0) == 'M')) {
    if (s_any(d, cur + 2, 1, "IEH") && !s_any(d, cur + 2, 2, "HU")) {
      /* Accident, succeed; else Italian: Bertucci. */
      if ((cur == 1 && s_get(d, cur - 1) == 'A') || s_any(d, cur - 1, 5, "UCCEEUCCES")) {
        s_add(d, "KS");
      } else {
        s_add(d, "X");
      }
      return 3;
    }
    s_add(d, "K");
    return 2;
  }
  if (s_any(d, cur, 2, "CKCGCQ")) {
    s_add(d, "K");
    return 2;
  }
  if (s_any(d, cur, 2, "CICECY")) {
    s_add(d, "S");
    return 2;
  }
  s_add(d, "K");
  if (s_any(d, cur + 1, 2, " C Q G")) { /* Mac Caffrey, Mac Gregor */
    return 3;
  }
  if (s_any(d, cur + 1, 1, "CKQ") && !s_any(d, cur + 1, 2, "CECI")) {
    return 2;
  }
  return 1;
}

static int s_dm_g(dm_t *d, int cur) {
  char next = s_get(d, cur + 1);
  if (next == 'H') {
    if (cur > 0 && !s_vowel(d, cur - 1)) {
      s_add(d, "K");
      return 2;
    }
    if (cur == 0) { /* Ghislane; Ghent */
      s_add(d, s_get(d, cur + 2) == 'I' ? "J" : "K");
      return 2;
    }
    /* Parker's rule: silent as in Hugh, bough, Broughton. */
    if ((cur > 1 && s_any(d, cur - 2, 1, "BHD")) || (cur > 2 && s_any(d, cur - 3, 1, "BHD")) ||
        (cur > 3 && s_any(d, cur - 4, 1, "BH"))) {
      return 2;
    }
    /* Laugh, McLaughlin, cough, rough. */
    if (cur > 2 && s_get(d, cur - 1) == 'U' && s_any(d, cur - 3, 1, "CGLRT")) {
      s_add(d, "F");
    } else if (cur > 0 && s_get(d, cur - 1) != 'I') {
      s_add(d, "K");
    }
    return 2;
  }
  if (next == 'N') {
    if (cur == 1 && s_vowel(d, 0) && !d->slavo_germanic) {
      s_add(d, "KN");
    } else if (!s_any(d, cur + 2, 2, "EY") && !d->slavo_germanic) {
      s_add(d, "N");
    } else {
      s_add(d, "KN");
    }
    return 2;
  }
  if (s_any(d, cur + 1, 2, "LI") && !d->slavo_germanic) { /* Tagliaro */
    s_add(d, "KL");
    return 2;
  }
  /* -ges-, -gep-, -gel-, -gie- at the start. */
  if (cur == 0 && (next == 'Y' || s_any(d, cur + 1, 2, "ESEPEBELEYIBILINIEEIER"))) {
    s_add(d, "K");
    return 2;
  }
  /* -ger-, -gy- */
  if ((s_any(d, cur + 1, 2, "ER") || next == 'Y') && !s_any(d, 0, 6, "DANGERRANGERMANGER") &&
      !s_any(d, cur - 1, 1, "EI") && !s_any(d, cur - 1, 3, "RGYOGY")) {
    s_add(d, "K");
    return 2;
  }
  /* Italian: Biaggi. */
  if (s_any(d, cur + 1, 1, "EIY") || s_any(d, cur - 1, 4, "AGGIOGGI")) {
    if (s_any(d, 0, 4, "VAN VON ") || s_any(d, 0, 3, "SCH") || s_any(d, cur + 1, 2, "ET")) {
      s_add(d, "K");
    } else {
      s_add(d, "J");
    }
    return 2;
  }
  s_add(d, "K");
  return next == 'G' ? 2 : 1;
}

static int s_dm_j(dm_t *d, int cur) {
  if (s_any(d, cur, 4, "JOSE") || s_any(d, 0, 4, "SAN ")) { /* Jose, San Jacinto */
    if ((cur == 0 && s_get(d, cur + 4) == ' ') || s_any(d, 0, 4, "SAN ")) {
      s_add(d, "H");
    } else {
      s_add(d, "J");
    }
    return 1;
  }
  if (cur == 0) {
    s_add(d, "J");
  } else if (s_vowel(d, cur - 1) && !d->slavo_germanic &&
             (s_get(d, cur + 1) == 'A' || s_get(d, cur + 1) == 'O')) {
    s_add(d, "J");
  } else if (cur == d->last) {
    s_add(d, "J");
  } else if (!s_any(d, cur + 1, 1, "LTKSNMBZ") && !s_any(d, cur - 1, 1, "SKL")) {
    s_add(d, "J");
  }
  return s_get(d, cur + 1) == 'J' ? 2 : 1;
}

static int s_dm_s(dm_t *d, int cur) {
  if (s_any(d, cur - 1, 3, "ISLYSL")) { /* island, Carlisle */
    return 1;
  }
  if (cur == 0 && s_any(d, cur, 5, "SUGAR")) {
    s_add(d, "X");
    return 1;
  }
  if (s_any(d, cur, 2, "SH")) {
    s_add(d, s_any(d, cur + 1, 4, "HEIMHOEKHOLMHOLZ") ? "S" : "X");
    return 2;
  }
  if (s_any(d, cur, 3, "SIOSIA") || s_any(d, cur, 4, "SIAN")) {
    s_add(d, "S");
    return 3;
  }
  /* Smith matches Schmidt, Snider matches Schneider. */
  if ((cur == 0 && s_any(d, cur + 1, 1, "MNLW")) || s_any(d, cur + 1, 1, "Z")) {
    s_add(d, "S");
    return s_any(d, cur + 1, 1, "Z") ? 2 : 1;
  }
  if (s_any(d, cur, 2, "SC")) {
    if (s_get(d, cur + 2) == 'H') {
      if (s_any(d, cur + 3, 2, "OOERENUYEDEM")) { /* Dutch: school, schooner */
        s_add(d, s_any(d, cur + 3, 2, "EREN") ? "X" : "SK");
      } else {
        s_add(d, "X");
      }
      return 3;
    }
    s_add(d, s_any(d, cur + 2, 1, "IEY") ? "S" : "SK");
    return 3;
  }
  /* French endings as in Artois are silent in the primary key. */
  if (!(cur == d->last && s_any(d, cur - 2, 2, "AIOI"))) {
    s_add(d, "S");
  }
  return s_any(d, cur + 1, 1, "SZ") ? 2 : 1;
}

static int s_dm_t(dm_t *d, int cur) {
  if (s_any(d, cur, 4, "TION")) {
    s_add(d, "X");
    return 3;
  }
  if (s_any(d, cur, 3, "TIATCH")) {
    s_add(d, "X");
    return 3;
  }
  if (s_any(d, cur, 2, "TH") || s_any(d, cur, 3, "TTH")) {
    /* Thomas, Thames, or Germanic. */
    if (s_any(d, cur + 2, 2, "OMAM") || s_any(d, 0, 4, "VAN VON ") || s_any(d, 0, 3, "SCH")) {
      s_add(d, "T");
    } else {
      s_add(d, "0");
    }
    return 2;
  }
  s_add(d, "T");
  return s_any(d, cur + 1, 1, "TD") ? 2 : 1;
}

static int s_dm_w(dm_t *d, int cur) {
  if (s_any(d, cur, 2, "WR")) {
    s_add(d, "R");
    return 2;
  }
  if (cur == 0 && (s_vowel(d, cur + 1) || s_any(d, cur, 2, "WH"))) {
    s_add(d, "A");
  }
  /* Arnow as Arnoff, Polish -ewski: silent in the primary key. */
  if ((cur == d->last && s_vowel(d, cur - 1)) || s_any(d, cur - 1, 5, "EWSKIEWSKYOWSKIOWSKY") ||
      s_any(d, 0, 3, "SCH")) {
    return 1;
  }
  if (s_any(d, cur, 4, "WICZWITZ")) { /* Filipowicz */
    s_add(d, "TS");
    return 4;
  }
  return 1;
}

/* One letter of the word: add its sounds, return how far to move. */
static int s_dm_step(dm_t *d, int cur) {
  char c = d->s[cur];
  char next = s_get(d, cur + 1);
  switch (c) {
  case 'A':
  case 'E':
  case 'I':
  case 'O':
  case 'U':
  case 'Y':
    if (cur == 0) { /* every initial vowel maps to A */
      s_add(d, "A");
    }
    return 1;
  case 'B':
    s_add(d, "P");
    return next == 'B' ? 2 : 1;
  case 'C':
    return s_dm_c(d, cur);
  case 'D':
    if (s_any(d, cur, 2, "DG")) {
      if (s_any(d, cur + 2, 1, "IEY")) { /* edge */
        s_add(d, "J");
        return 3;
      }
      s_add(d, "TK"); /* Edgar */
      return 2;
    }
    s_add(d, "T");
    return s_any(d, cur, 2, "DTDD") ? 2 : 1;
  case 'F':
    s_add(d, "F");
    return next == 'F' ? 2 : 1;
  case 'G':
    return s_dm_g(d, cur);
  case 'H':
    /* Only between vowels or at the start before a vowel. */
    if ((cur == 0 || s_vowel(d, cur - 1)) && s_vowel(d, cur + 1)) {
      s_add(d, "H");
      return 2;
    }
    return 1;
  case 'J':
    return s_dm_j(d, cur);
  case 'K':
    s_add(d, "K");
    return next == 'K' ? 2 : 1;
  case 'L':
    s_add(d, "L");
    return next == 'L' ? 2 : 1;
  case 'M':
    s_add(d, "M");
    /* Thumb, dumber. */
    if ((s_any(d, cur - 1, 3, "UMB") && (cur + 1 == d->last || s_any(d, cur + 2, 2, "ER"))) ||
        next == 'M') {
      return 2;
    }
    return 1;
  case 'N':
    s_add(d, "N");
    return next == 'N' ? 2 : 1;
  case 'P':
    if (next == 'H') {
      s_add(d, "F");
      return 2;
    }
    s_add(d, "P");
    return s_any(d, cur + 1, 1, "PB") ? 2 : 1;
  case 'Q':
    s_add(d, "K");
    return next == 'Q' ? 2 : 1;
  case 'R':
    /* French final "-ier" is silent in the primary key (Rogier). */
    if (!(cur == d->last && !d->slavo_germanic && s_any(d, cur - 2, 2, "IE") &&
          !s_any(d, cur - 4, 2, "MEMA"))) {
      s_add(d, "R");
    }
    return next == 'R' ? 2 : 1;
  case 'S':
    return s_dm_s(d, cur);
  case 'T':
    return s_dm_t(d, cur);
  case 'V':
    s_add(d, "F");
    return next == 'V' ? 2 : 1;
  case 'W':
    return s_dm_w(d, cur);
  case 'X':
    /* French final -aux, -eux, -oux are silent. */
    if (!(cur == d->last && (s_any(d, cur - 3, 3, "IAUEAU") || s_any(d, cur - 2, 2, "AUOU")))) {
      s_add(d, "KS");
    }
    return s_any(d, cur + 1, 1, "CX") ? 2 : 1;
  case 'Z':
    if (next == 'H') { /* Pinyin: Zhao */
      s_add(d, "J");
      return 2;
    }
    s_add(d, "S");
    return next == 'Z' ? 2 : 1;
  default:
    return 1;
  }
}

size_t mash_phonetic_key(const char *name, char *out, size_t outlen) {
  if (out == NULL || outlen == 0) {
    return 0;
  }
  dm_t d;
  d.len = 0;
  unit_t u;
  for (const char *p = name != NULL ? name : ""; (p = s_next(p, &u)), u.kind != UNIT_END;) {
    if (u.kind != UNIT_LETTER) {
      continue; /* hyphens, spaces and apostrophes join the parts */
    }
    for (size_t i = 0; i < u.len && d.len < DM_MAX_LETTERS; i++) {
      d.s[d.len++] = (char)(u.b[i] - 'a' + 'A');
    }
  }
  memset(d.s + d.len, ' ', DM_PAD);
  d.s[d.len + DM_PAD] = '\0';
  d.last = d.len - 1;
  d.slavo_germanic = strchr(d.s, 'W') != NULL || strchr(d.s, 'K') != NULL ||
                     strstr(d.s, "CZ") != NULL || strstr(d.s, "WITZ") != NULL;
  d.out = out;
  d.cap = outlen - 1 < MASH_PHONETIC_KEY_MAX ? outlen - 1 : MASH_PHONETIC_KEY_MAX;
  d.n = 0;

  int cur = 0;
  /* Silent first letters: gnome, knight, pneumatic, wright, psychology. */
  if (s_any(&d, 0, 2, "GNKNPNWRPS")) {
    cur = 1;
  }
  if (d.len > 0 && d.s[0] == 'X') { /* Xavier */
    s_add(&d, "S");
    cur = 1;
  }
  while (d.n < d.cap && cur < d.len) {
    cur += s_dm_step(&d, cur);
  }
  out[d.n] = '\0';
  return d.n;
}

/* ---------------------------------------------------------------- postcodes */

static bool s_upper_alpha(char c) {
  return c >= 'A' && c <= 'Z';
}

static bool s_digit(char c) {
  return c >= '0' && c <= '9';
}

int mash_postcode_normalise(const char *in, char *out, size_t outlen) {
  if (out == NULL || outlen < MASH_POSTCODE_SIZE) {
    if (out != NULL && outlen > 0) {
      out[0] = '\0';
    }
    return -EINVAL;
  }
  out[0] = '\0';
  if (in == NULL) {
    return -EINVAL;
  }
  char pc[8];
  size_t n = 0;
  for (const char *p = in; *p != '\0'; p++) {
    char c = *p;
    if (c == ' ' || (c >= '\t' && c <= '\r')) {
      continue;
    }
    if (c >= 'a' && c <= 'z') {
      c = (char)(c - 'a' + 'A');
    }
    if ((!s_upper_alpha(c) && !s_digit(c)) || n == 7) {
      return -EINVAL;
    }
    pc[n++] = c;
  }
  if (n < 5) {
    return -EINVAL;
  }
  /* The inward code is always a digit and two letters; an O in the digit's
   * place can only be a mistyped zero. */
  char *inward = pc + n - 3;
  if (inward[0] == 'O') {
    inward[0] = '0';
  }
  if (!s_digit(inward[0]) || !s_upper_alpha(inward[1]) || !s_upper_alpha(inward[2]) ||
      !s_upper_alpha(pc[0])) {
    return -EINVAL;
  }
  size_t outward = n - 3;
  memcpy(out, pc, outward);
  out[outward] = ' ';
  memcpy(out + outward + 1, inward, 3);
  out[outward + 4] = '\0';
  return 0;
}

/* ---------------------------------------------------------------- addresses */

/* Longest address line folded, and most words read from it. */
#define ADDR_MAX_BYTES 512
#define ADDR_MAX_WORDS 64

typedef struct abbrev {
  const char *word;
  const char *full;
} abbrev_t;

/* Abbreviations of UK street types and building words. "st" is not here: it
 * is read by its position (see mash_address_normalise). */
static const abbrev_t s_abbrevs[] = {
    {"rd", "road"},        {"ave", "avenue"},     {"av", "avenue"},       {"ln", "lane"},
    {"dr", "drive"},       {"cl", "close"},       {"clo", "close"},       {"ct", "court"},
    {"crt", "court"},      {"cres", "crescent"},  {"cresc", "crescent"},  {"gdns", "gardens"},
    {"gdn", "garden"},     {"gr", "grove"},       {"gro", "grove"},       {"grv", "grove"},
    {"pl", "place"},       {"sq", "square"},      {"tce", "terrace"},     {"terr", "terrace"},
    {"pk", "park"},        {"pde", "parade"},     {"hse", "house"},       {"blvd", "boulevard"},
    {"cotts", "cottages"}, {"bldg", "building"},  {"bldgs", "buildings"}, {"mws", "mews"},
    {"wk", "walk"},        {"hts", "heights"},    {"stn", "station"},     {"mt", "mount"},
    {"apt", "flat"},       {"apartment", "flat"}, {"flt", "flat"},        {"est", "estate"},
};

static const char *s_expand(const char *word) {
  for (size_t i = 0; i < sizeof s_abbrevs / sizeof s_abbrevs[0]; i++) {
    if (strcmp(word, s_abbrevs[i].word) == 0) {
      return s_abbrevs[i].full;
    }
  }
  return word;
}

size_t mash_address_normalise(const char *in, char *out, size_t outlen) {
  if (out == NULL || outlen == 0) {
    return 0;
  }
  out[0] = '\0';
  /* First fold into words separated by NULs; then write the words out with
   * the abbreviations expanded, which needs to see each word's neighbours. */
  char buf[ADDR_MAX_BYTES];
  const char *words[ADDR_MAX_WORDS];
  size_t nwords = 0, used = 0;
  bool in_word = false;
  unit_t u;
  for (const char *p = in != NULL ? in : ""; (p = s_next(p, &u)), u.kind != UNIT_END;) {
    if (u.kind == UNIT_APOS || u.kind == UNIT_SKIP) {
      continue; /* "St John's" -> "st johns" */
    }
    bool word_char = u.kind == UNIT_LETTER || u.kind == UNIT_DIGIT || u.kind == UNIT_OTHER;
    if (!word_char) {
      if (in_word) {
        buf[used++] = '\0';
        in_word = false;
      }
      continue;
    }
    /* Room for this character and the NUL that ends its word. */
    if (used + u.len + 1 > sizeof buf || (!in_word && nwords == ADDR_MAX_WORDS)) {
      break;
    }
    if (!in_word) {
      words[nwords++] = buf + used;
      in_word = true;
    }
    memcpy(buf + used, u.b, u.len);
    used += u.len;
  }
  if (in_word) {
    buf[used] = '\0';
  }

  size_t n = 0;
  for (size_t i = 0; i < nwords; i++) {
    const char *w = words[i];
    bool has_next = i + 1 < nwords;
    bool after_number = i > 0 && s_digit(words[i - 1][0]);
    if (strcmp(w, "no") == 0 && has_next && s_digit(words[i + 1][0])) {
      continue; /* "Flat No 3" */
    }
    if (strcmp(w, "st") == 0) {
      /* At the start of a street name "St" is a saint (St Johns Road);
       * after one it is the street type (Canal St). */
      w = has_next && (i == 0 || after_number) ? "saint" : "street";
    } else {
      w = s_expand(w);
    }
    size_t wl = strlen(w);
    size_t sep = n > 0 ? 1 : 0;
    if (n + sep + wl >= outlen) {
      break;
    }
    if (sep) {
      out[n++] = ' ';
    }
    memcpy(out + n, w, wl);
    n += wl;
  }
  out[n] = '\0';
  return n;
}
