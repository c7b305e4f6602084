/* match_id: the two small rules around the matcher's score (match.h).
 *
 * Responsible for: identifiers in the canonical form the matcher compares
 * (mash_match_id_normalise: blanks and case, the check characters
 * common/identifiers.h verifies, one way of writing a PNC id), and the
 * decision a score leads to under the thresholds. Must not: allocate, log or
 * keep state. Any thread.
 */
#include "match.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "identifiers.h"

static void s_copy(char *dst, size_t size, const char *src) {
  snprintf(dst, size, "%s", src != NULL ? src : "");
}

static bool s_is_digit(char c) {
  return c >= '0' && c <= '9';
}

/* Rewrite a PNC id already checked by mash_pnc_check and normalised by
 * mash_id_normalise ("YY/N..NC" or "YYYY/N..NC", 1 to 7 serial digits) as
 * "YY/NNNNNNNC", so that every way of writing one id compares equal. */
static void s_pnc_canon(char *v, size_t size) {
  const char *slash = strchr(v, '/');
  size_t len = strlen(v);
  if (slash == NULL || slash - v < 2 || len < 3) {
    return;
  }
  unsigned long serial = 0;
  for (const char *p = slash + 1; s_is_digit(*p); p++) {
    serial = serial * 10 + (unsigned long)(*p - '0');
  }
  char canon[16];
  snprintf(canon, sizeof canon, "%c%c/%07lu%c", slash[-2], slash[-1], serial % 10000000ul,
           v[len - 1]);
  s_copy(v, size, canon);
}

int mash_match_id_normalise(Mash__V1__IdentifierKind kind, const char *value, char *out,
                            size_t outlen) {
  if (out == NULL || outlen < MASH_MATCH_ID_SIZE) {
    return -ENOSPC;
  }
  out[0] = '\0';
  if (value == NULL) {
    return -EINVAL;
  }
  if (kind == MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_LOCAL_ID) {
    /* Another system's own reference: trimmed, otherwise compared as is. */
    while (*value == ' ') {
      value++;
    }
    size_t len = strnlen(value, outlen - 1);
    while (len > 0 && value[len - 1] == ' ') {
      len--;
    }
    memcpy(out, value, len);
    out[len] = '\0';
    return len > 0 ? 0 : -EINVAL;
  }
  /* The checks are common/identifiers.h's, the same the intake applies, so
   * an identifier the broker flags never links. */
  mash_id_normalise(value, out, outlen);
  switch (kind) {
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER:
    return mash_nhs_check(value) == MASH_ID_VALID ? 0 : -EINVAL;
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UPN:
    return mash_upn_check(value, NULL) == MASH_ID_VALID ? 0 : -EINVAL;
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_PNC_ID:
    if (mash_pnc_check(value) != MASH_ID_VALID) {
      return -EINVAL;
    }
    s_pnc_canon(out, outlen);
    return 0;
  default:
    return -EINVAL;
  }
}

/* ---------------------------------------------------------------- decisions */

mash_match_policy_t mash_match_policy_default(void) {
  mash_match_policy_t p = {MASH_MATCH_AUTO_DEFAULT, MASH_MATCH_REVIEW_DEFAULT};
  return p;
}

int mash_match_policy_check(const mash_match_policy_t *policy) {
  /* Written so that NaN fails every comparison and so the check. */
  if (policy == NULL ||
      !(policy->review > 0.0 && policy->review <= policy->auto_link && policy->auto_link <= 1.0)) {
    return -EINVAL;
  }
  return 0;
}

mash_match_decision_t mash_match_decide(double score, const mash_match_policy_t *policy) {
  mash_match_policy_t p =
      mash_match_policy_check(policy) == 0 ? *policy : mash_match_policy_default();
  if (isnan(score) || !(score >= p.review)) {
    return MASH_MATCH_NEW;
  }
  return score >= p.auto_link ? MASH_MATCH_AUTO_LINK : MASH_MATCH_POSSIBLE;
}

const char *mash_match_decision_name(mash_match_decision_t d) {
  switch (d) {
  case MASH_MATCH_AUTO_LINK:
    return "auto_link";
  case MASH_MATCH_POSSIBLE:
    return "possible";
  default:
    return "new";
  }
}
