/* pack_view_int: private to the pack view. The JSON half (pack_view.c) and
 * the HTML half (pack_html.c) classify an answer's timeliness the same way
 * (enum words come from names.h). Not for use outside these
 * two files. */
#ifndef MASH_PACK_VIEW_INT_H
#define MASH_PACK_VIEW_INT_H

#include "mash.pb-c.h"
#include "names.h"

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
