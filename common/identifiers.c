/* identifiers: NHS number, UPN and PNC id validation, and the matching form
 * of an identifier. The rules, their sources and worked examples are in
 * identifiers.h.
 *
 * Responsible for: parsing each identifier by hand, character by character,
 * and computing its check character.
 * Must not: do I/O, log, allocate, depend on the locale or keep state.
 */
#include "identifiers.h"

#include <stdint.h>

#define NHS_DIGITS 10
#define UPN_LEN 13
#define PNC_SERIAL_MAX 7
#define MOD23 23

/* The 23 letters of the UPN alphabet, in value order (A = 0 ... Z = 22). */
static const char UPN_LETTERS[] = "ABCDEFGHJKLMNPQRTUVWXYZ";
/* The same letters as PNC check characters, in remainder order (Z = 0). */
static const char PNC_LETTERS[] = "ZABCDEFGHJKLMNPQRTUVWXY";

static bool s_is_blank(char c) {
  return c == ' ' || c == '\t';
}

static bool s_is_digit(char c) {
  return c >= '0' && c <= '9';
}

static char s_to_upper(char c) {
  return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/* The index of `c` (any case) in the 23-letter alphabet `letters`, or -1 when
 * `c` is not one of its letters (I, O, S, a digit, anything else). */
static int s_letter_index(const char *letters, char c) {
  c = s_to_upper(c);
  for (int i = 0; i < MOD23; i++) {
    if (letters[i] == c) {
      return i;
    }
  }
  return -1;
}

/* Narrow `s` to the identifier without surrounding blanks: sets *len to its
 * length and returns its first character. */
static const char *s_trim(const char *s, size_t *len) {
  while (s_is_blank(*s)) {
    s++;
  }
  size_t n = 0;
  while (s[n] != '\0') {
    n++;
  }
  while (n > 0 && s_is_blank(s[n - 1])) {
    n--;
  }
  *len = n;
  return s;
}

int mash_nhs_check(const char *s) {
  if (s == NULL) {
    return MASH_ID_MALFORMED;
  }
  size_t len;
  const char *p = s_trim(s, &len);

  /* Read the ten digits. A single space is allowed after the third and the
   * sixth digit only, so "943 476 5919" and "9434765919" are both read but
   * "9434 765919" or "943  476 5919" are not. */
  int d[NHS_DIGITS];
  size_t nd = 0;
  for (size_t i = 0; i < len; i++) {
    char c = p[i];
    if (s_is_digit(c)) {
      if (nd == NHS_DIGITS) {
        return MASH_ID_MALFORMED;
      }
      d[nd++] = c - '0';
    } else if (c == ' ' && (nd == 3 || nd == 6) && s_is_digit(p[i - 1])) {
      continue;
    } else {
      return MASH_ID_MALFORMED;
    }
  }
  if (nd != NHS_DIGITS) {
    return MASH_ID_MALFORMED;
  }

  int sum = 0;
  for (int i = 0; i < 9; i++) {
    sum += d[i] * (10 - i);
  }
  int check = 11 - sum % 11;
  if (check == 11) {
    check = 0;
  }
  /* A check of 10 cannot be written as one digit: no NHS number is issued
   * with these nine digits, so whatever the tenth digit is, it is wrong. */
  if (check == 10 || check != d[9]) {
    return MASH_ID_CHECK_FAILED;
  }
  return MASH_ID_VALID;
}

int mash_upn_check(const char *s, bool *temporary) {
  if (temporary != NULL) {
    *temporary = false;
  }
  if (s == NULL) {
    return MASH_ID_MALFORMED;
  }
  size_t len;
  const char *p = s_trim(s, &len);
  if (len != UPN_LEN) {
    return MASH_ID_MALFORMED;
  }

  int check = s_letter_index(UPN_LETTERS, p[0]);
  if (check < 0) {
    return MASH_ID_MALFORMED;
  }
  /* Characters 2 to 12 are digits; the weight of character k is k. */
  int sum = 0;
  for (int k = 2; k <= 12; k++) {
    char c = p[k - 1];
    if (!s_is_digit(c)) {
      return MASH_ID_MALFORMED;
    }
    sum += k * (c - '0');
  }
  /* Character 13 is a digit, or a letter valued by its index for a
   * temporary UPN. */
  char last = p[UPN_LEN - 1];
  bool temp = false;
  int v;
  if (s_is_digit(last)) {
    v = last - '0';
  } else {
    v = s_letter_index(UPN_LETTERS, last);
    if (v < 0) {
      return MASH_ID_MALFORMED;
    }
    temp = true;
  }
  sum += UPN_LEN * v;

  if (temporary != NULL) {
    *temporary = temp;
  }
  return sum % MOD23 == check ? MASH_ID_VALID : MASH_ID_CHECK_FAILED;
}

int mash_pnc_check(const char *s) {
  if (s == NULL) {
    return MASH_ID_MALFORMED;
  }
  size_t len;
  const char *p = s_trim(s, &len);

  /* The year: 2 digits, or 4 of which the last two count. */
  size_t i = 0;
  while (i < len && s_is_digit(p[i])) {
    i++;
  }
  if ((i != 2 && i != 4) || i == len || p[i] != '/') {
    return MASH_ID_MALFORMED;
  }
  uint32_t year = (uint32_t)((p[i - 2] - '0') * 10 + (p[i - 1] - '0'));
  i++;

  /* The serial: 1 to 7 digits; suppressed leading zeros do not change its
   * value, which is what zero-padding to 7 digits means. */
  size_t start = i;
  uint32_t serial = 0;
  while (i < len && s_is_digit(p[i])) {
    serial = serial * 10 + (uint32_t)(p[i] - '0');
    i++;
  }
  size_t serial_len = i - start;
  if (serial_len < 1 || serial_len > PNC_SERIAL_MAX) {
    return MASH_ID_MALFORMED;
  }

  /* Exactly one check letter ends it. */
  if (len - i != 1) {
    return MASH_ID_MALFORMED;
  }
  int check = s_letter_index(PNC_LETTERS, p[i]);
  if (check < 0) {
    return MASH_ID_MALFORMED;
  }

  /* N = YY * 10^7 + serial is below 10^9, well within 32 bits. */
  uint32_t n = year * 10000000u + serial;
  return (int)(n % MOD23) == check ? MASH_ID_VALID : MASH_ID_CHECK_FAILED;
}

const char *mash_id_result_name(int r) {
  switch (r) {
  case MASH_ID_VALID:
    return "valid";
  case MASH_ID_MALFORMED:
    return "malformed";
  case MASH_ID_CHECK_FAILED:
    return "check_failed";
  default:
    return "unknown";
  }
}

size_t mash_id_normalise(const char *in, char *out, size_t outlen) {
  if (in == NULL) {
    in = "";
  }
  size_t n = 0;
  for (const char *p = in; *p != '\0'; p++) {
    if (s_is_blank(*p)) {
      continue;
    }
    if (n + 1 < outlen) {
      out[n] = s_to_upper(*p);
    }
    n++;
  }
  if (outlen > 0) {
    out[n < outlen ? n : outlen - 1] = '\0';
  }
  return n;
}
