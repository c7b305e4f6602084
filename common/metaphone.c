/* metaphone: the primary key of Lawrence Philips' Double Metaphone, cut at
 * MASH_PHONETIC_KEY_MAX sounds (phonetic.h says why this algorithm).
 *
 * Responsible for: mash_phonetic_key, the letter-by-letter rules of the
 * algorithm over the folded letters of a name (fold.h).
 * Must not: allocate, log or keep state; the working copy of the name is on
 * the stack. Pure; any thread.
 */
#include <stdbool.h>
#include <string.h>

#include "fold.h"
#include "phonetic.h"

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
  mash_fold_unit_t u;
  for (const char *p = name != NULL ? name : "";
       (p = mash_fold_next(p, &u)), u.kind != MASH_FOLD_END;) {
    if (u.kind != MASH_FOLD_LETTER) {
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
