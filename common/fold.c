/* fold: UTF-8 read one character at a time and folded for matching (see
 * fold.h).
 *
 * Responsible for: the tables of base letters and the classes of the
 * punctuation that names and addresses are written with.
 * Must not: allocate, log or keep state. Pure; any thread.
 */
#include "fold.h"

#include <string.h>

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

static void s_unit_set(mash_fold_unit_t *u, mash_fold_kind_t kind, const char *b, size_t len) {
  u->kind = kind;
  u->len = len;
  memcpy(u->b, b, len);
}

/* Classify a decoded code point above U+007F; `raw` is its UTF-8 form. */
static void s_unit_wide(mash_fold_unit_t *u, unsigned long cp, const char *raw, size_t rawlen) {
  if (cp >= 0xC0 && cp <= 0xFF) {
    const char *f = s_latin1[cp - 0xC0];
    s_unit_set(u, f[0] != '\0' ? MASH_FOLD_LETTER : MASH_FOLD_PUNCT, f, strlen(f));
  } else if (cp >= 0x100 && cp <= 0x17F) {
    char c = s_latin_ext_a[cp - 0x100];
    if (c != '*') {
      s_unit_set(u, MASH_FOLD_LETTER, &c, 1);
    } else {
      s_unit_set(u, MASH_FOLD_LETTER, cp < 0x140 ? "ij" : "oe", 2);
    }
  } else if (cp == 0x2018 || cp == 0x2019 || cp == 0x02BC || cp == 0xB4) {
    s_unit_set(u, MASH_FOLD_APOS, "'", 1);
  } else if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212) {
    s_unit_set(u, MASH_FOLD_DASH, "-", 1);
  } else if (cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F ||
             cp == 0x3000) {
    s_unit_set(u, MASH_FOLD_SPACE, " ", 1);
  } else if (cp < 0xC0 || (cp >= 0x2000 && cp <= 0x206F)) {
    /* Latin-1 symbols (guillemets, middle dot, ...) and general
     * punctuation (typographic quotes, bullets). */
    s_unit_set(u, MASH_FOLD_PUNCT, " ", 1);
  } else {
    s_unit_set(u, MASH_FOLD_OTHER, raw, rawlen);
  }
}

/* Read one character at p into u; returns where the next one starts. */
const char *mash_fold_next(const char *p, mash_fold_unit_t *u) {
  unsigned char c = (unsigned char)p[0];
  if (c == 0) {
    u->kind = MASH_FOLD_END;
    u->len = 0;
    return p;
  }
  if (c < 0x80) {
    char ch = (char)c;
    if (c >= 'A' && c <= 'Z') {
      ch = (char)(c - 'A' + 'a');
      s_unit_set(u, MASH_FOLD_LETTER, &ch, 1);
    } else if (c >= 'a' && c <= 'z') {
      s_unit_set(u, MASH_FOLD_LETTER, &ch, 1);
    } else if (c >= '0' && c <= '9') {
      s_unit_set(u, MASH_FOLD_DIGIT, &ch, 1);
    } else if (c == '\'' || c == '`') {
      s_unit_set(u, MASH_FOLD_APOS, &ch, 1);
    } else if (c == '-') {
      s_unit_set(u, MASH_FOLD_DASH, &ch, 1);
    } else if (c == ' ' || (c >= '\t' && c <= '\r')) {
      s_unit_set(u, MASH_FOLD_SPACE, " ", 1);
    } else {
      s_unit_set(u, MASH_FOLD_PUNCT, " ", 1);
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
    u->kind = MASH_FOLD_SKIP;
    u->len = 0;
    return p + 1;
  }
  for (size_t i = 1; i < len; i++) {
    unsigned char cc = (unsigned char)p[i];
    if ((cc & 0xC0u) != 0x80u) { /* also stops at the NUL */
      u->kind = MASH_FOLD_SKIP;
      u->len = 0;
      return p + 1;
    }
    cp = (cp << 6) | (cc & 0x3Fu);
  }
  /* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
  if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
    u->kind = MASH_FOLD_SKIP;
    u->len = 0;
    return p + 1;
  }
  s_unit_wide(u, cp, p, len);
  return p + len;
}
