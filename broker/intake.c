/* intake: authorization and enrichment of notifications. Responsible for the
 * rules of who may send what, and for computing (never trusting) the DASH
 * score and quality flags. Must not: do I/O or read the clock. */
#include "intake.h"

#include <errno.h>
#include <string.h>

static const char *s_detail_agency(const Mash__V1__Notification *n) {
  switch (n->detail_case) {
  case MASH__V1__NOTIFICATION__DETAIL_POLICE:
    return "police";
  case MASH__V1__NOTIFICATION__DETAIL_HEALTH:
    return "health";
  case MASH__V1__NOTIFICATION__DETAIL_EDUCATION:
    return "education";
  case MASH__V1__NOTIFICATION__DETAIL_HOUSING:
    return "housing";
  default:
    return NULL;
  }
}

int mash_intake_authorize(const mash_key_t *sender, const Mash__V1__Notification *n,
                          mash_errors_t *errs) {
  if (strcmp(sender->role, "agency") != 0) {
    mash_errors_add(errs, "notification", "principal '%s' has role %s; only agencies notify",
                    sender->principal, sender->role);
    return -EPERM;
  }
  const char *needed = s_detail_agency(n);
  if (needed && strcmp(needed, sender->agency) != 0) {
    mash_errors_add(errs, needed, "principal '%s' (agency %s) may not send %s notifications",
                    sender->principal, sender->agency, needed);
    return -EPERM;
  }
  return 0;
}

void mash_intake_prepare(const mash_key_t *sender, Mash__V1__Notification *n, int64_t now_ms,
                         int64_t screening_ms, mash_intake_prep_t *out) {
  memset(out, 0, sizeof *out);
  mash__v1__contact__init(&out->contact);
  mash__v1__dash_score__init(&out->dash);
  memcpy(out->principal, sender->principal, sizeof out->principal - 1);
  out->contact.contact_id = (char *)"";
  out->contact.source_principal = out->principal;
  out->contact.received_at_ms = now_ms;
  out->contact.screening_due_at_ms = now_ms + screening_ms;
  out->contact.notification = n;
  if (n->detail_case == MASH__V1__NOTIFICATION__DETAIL_POLICE && n->police) {
    const Mash__V1__PoliceDetail *pd = n->police;
    bool da = pd->domestic_abuse ||
              n->concern_category == MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE;
    mash_dash_score(pd->dash_answers, pd->n_dash_answers, pd->officer_grade, da, &out->dash_result);
    mash_dash_to_pb(&out->dash_result, &out->dash);
    out->contact.dash = &out->dash;
    const char *flags[MASH_INTAKE_MAX_FLAGS];
    size_t nf = mash_dash_police_flags(n, &out->dash_result, flags, MASH_INTAKE_MAX_FLAGS);
    for (size_t i = 0; i < nf; i++) {
      out->flags[i] = (char *)flags[i];
    }
    out->contact.n_quality_flags = nf;
    out->contact.quality_flags = out->flags;
  }
}
