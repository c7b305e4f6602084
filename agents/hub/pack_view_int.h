/* pack_view_int: private to the pack view. The JSON half (pack_view.c) and
 * the HTML half (pack_html.c) name the RAG rating and consent status and
 * classify an answer's timeliness the same way. Not for use outside these
 * two files. */
#ifndef MASH_PACK_VIEW_INT_H
#define MASH_PACK_VIEW_INT_H

#include "mash.pb-c.h"
#include "names.h"

static inline const char *s_consent_name(Mash__V1__ConsentStatus s) {
  switch (s) {
  case MASH__V1__CONSENT_STATUS__CONSENT_STATUS_GIVEN:
    return "given";
  case MASH__V1__CONSENT_STATUS__CONSENT_STATUS_REFUSED:
    return "refused";
  case MASH__V1__CONSENT_STATUS__CONSENT_STATUS_NOT_SOUGHT:
    return "not_sought";
  default:
    return "unspecified";
  }
}

typedef enum timeliness {
  TIMELINESS_NOT_ANSWERED,
  TIMELINESS_ON_TIME,
  TIMELINESS_LATE,
} timeliness_t;

/* Answered at 0 means not answered; no deadline means on time. */
static inline timeliness_t s_timeliness(const Mash__V1__AgencyAnswer *a) {
  if (a->answered_at_ms == 0) {
    return TIMELINESS_NOT_ANSWERED;
  }
  if (a->due_at_ms != 0 && a->answered_at_ms > a->due_at_ms) {
    return TIMELINESS_LATE;
  }
  return TIMELINESS_ON_TIME;
}

#endif
