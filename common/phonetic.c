/* phonetic: the normalisation of names, postcodes and address lines (the
 * Double Metaphone key is metaphone.c's, the folding of characters fold.c's).
 *
 * Responsible for: the canonical forms phonetic.h describes, built on the
 * folded characters of fold.h. Must not: allocate, log or keep state; every
 * buffer is the caller's or on the stack, and every function is safe from
 * any thread.
 */
#include "phonetic.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "fold.h"

/* ---------------------------------------------------------------- names */

size_t mash_name_normalise(const char *in, char *out, size_t outlen) {
  if (out == NULL || outlen == 0) {
    return 0;
  }
  size_t n = 0;
  /* The separator owed before the next word: a hyphen wins over spaces, so
   * "Smith - Jones" reads "smith-jones". Never written at either end. */
  char pending = 0;
  mash_fold_unit_t u;
  for (const char *p = in != NULL ? in : "";
       (p = mash_fold_next(p, &u)), u.kind != MASH_FOLD_END;) {
    switch (u.kind) {
    case MASH_FOLD_LETTER:
    case MASH_FOLD_DIGIT:
    case MASH_FOLD_OTHER: {
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
    case MASH_FOLD_DASH:
      pending = '-';
      break;
    case MASH_FOLD_SPACE:
    case MASH_FOLD_PUNCT:
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
    /* The first letter first: most words are in no row. */
    if (word[0] == s_abbrevs[i].word[0] && strcmp(word, s_abbrevs[i].word) == 0) {
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
  mash_fold_unit_t u;
  for (const char *p = in != NULL ? in : "";
       (p = mash_fold_next(p, &u)), u.kind != MASH_FOLD_END;) {
    if (u.kind == MASH_FOLD_APOS || u.kind == MASH_FOLD_SKIP) {
      continue; /* "St John's" -> "st johns" */
    }
    bool word_char =
        u.kind == MASH_FOLD_LETTER || u.kind == MASH_FOLD_DIGIT || u.kind == MASH_FOLD_OTHER;
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
