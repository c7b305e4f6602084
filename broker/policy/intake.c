/* intake: authorization and enrichment of notifications. Responsible for the
 * rules of who may send what, and for computing (never trusting) the DASH
 * score and quality flags. Must not: do I/O or read the clock. */
#include "intake.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "identifiers.h"
#include "names.h"

int mash_intake_authorize(const mash_key_t *sender, const Mash__V1__Notification *n,
                          mash_errors_t *errs) {
  if (strcmp(sender->role, "agency") != 0) {
    mash_errors_add(errs, "notification", "principal '%s' has role %s; only agencies notify",
                    sender->principal, sender->role);
    return -EPERM;
  }
  const char *needed = mash_detail_agency(n->detail_case);
  if (needed && strcmp(needed, sender->agency) != 0) {
    mash_errors_add(errs, needed, "principal '%s' (agency %s) may not send %s notifications",
                    sender->principal, sender->agency, needed);
    return -EPERM;
  }
  return 0;
}

static int s_check_one(const Mash__V1__Identifier *id) {
  switch (id->kind) {
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER:
    return mash_nhs_check(id->value);
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UPN:
    return mash_upn_check(id->value, NULL);
  case MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_PNC_ID:
    return mash_pnc_check(id->value);
  default:
    return MASH_ID_VALID; /* local ids: the issuer's own format */
  }
}

static void s_check_people(Mash__V1__Person **people, size_t n, const char *list,
                           mash_errors_t *errs, int *rc, int *check_failed) {
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < people[i]->n_identifiers; j++) {
      int r = s_check_one(people[i]->identifiers[j]);
      if (r == MASH_ID_MALFORMED) {
        char field[96];
        snprintf(field, sizeof field, "notification.%s[%zu].identifiers[%zu].value", list, i, j);
        mash_errors_add(
            errs, field, "is not a well-formed %s",
            people[i]->identifiers[j]->kind == MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER
                ? "NHS number (10 digits)"
            : people[i]->identifiers[j]->kind == MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UPN
                ? "UPN (a check letter and 12 characters)"
                : "PNC id (YY/NNNNNNNL)");
        *rc = -EINVAL;
      } else if (r == MASH_ID_CHECK_FAILED) {
        *check_failed = 1;
      }
    }
  }
}

int mash_intake_check_identifiers(const Mash__V1__Notification *n, mash_errors_t *errs) {
  int rc = 0, failed = 0;
  s_check_people(n->children, n->n_children, "children", errs, &rc, &failed);
  s_check_people(n->adults, n->n_adults, "adults", errs, &rc, &failed);
  return rc;
}

static void s_add_flag(mash_intake_prep_t *out, const char *flag) {
  if (out->contact.n_quality_flags < MASH_INTAKE_MAX_FLAGS) {
    out->flags[out->contact.n_quality_flags++] = (char *)flag;
  }
  out->contact.quality_flags = out->flags;
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
    mash_dash_score(pd->dash_answers, pd->n_dash_answers, pd->officer_grade,
                    mash_intake_domestic_abuse(n), &out->dash_result);
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
  /* Flags for every agency: identifiers that fail their check, children
   * without a name or a date of birth. */
  int rc = 0, failed = 0;
  mash_errors_t ignored;
  memset(&ignored, 0, sizeof ignored);
  s_check_people(n->children, n->n_children, "children", &ignored, &rc, &failed);
  s_check_people(n->adults, n->n_adults, "adults", &ignored, &rc, &failed);
  if (failed) {
    s_add_flag(out, MASH_FLAG_IDENTIFIER_CHECK_FAILED);
  }
  for (size_t i = 0; i < n->n_children; i++) {
    const Mash__V1__Person *c = n->children[i];
    if (!c->date_of_birth[0] || (!c->given_name[0] && !c->family_name[0])) {
      s_add_flag(out, MASH_FLAG_CHILD_DETAILS_INCOMPLETE);
      break;
    }
  }
  /* The screening priority: a pure table over the notification's facts.
   * Repeat contacts and red flags need person resolution (resolve.c, on the
   * storage thread), which completes these facts and evaluates it again. */
  mash_priority_input_t pin;
  mash_intake_priority_input(n, now_ms, &pin);
  mash_priority_eval(&pin, &out->priority);
  out->contact.priority = out->priority.score;
  out->contact.n_priority_reasons = out->priority.n_reasons;
  out->contact.priority_reasons = (char **)out->priority.reasons;
}

void mash_intake_priority_input(const Mash__V1__Notification *n, int64_t received_ms,
                                mash_priority_input_t *out) {
  mash_dash_result_t dash;
  const mash_dash_result_t *dp = NULL;
  if (n != NULL && n->detail_case == MASH__V1__NOTIFICATION__DETAIL_POLICE && n->police) {
    const Mash__V1__PoliceDetail *pd = n->police;
    mash_dash_score(pd->dash_answers, pd->n_dash_answers, pd->officer_grade,
                    mash_intake_domestic_abuse(n), &dash);
    dp = &dash;
  }
  mash_priority_input_from_notification(n, dp, received_ms, 0, n != NULL && n->red_flag, out);
}

bool mash_intake_domestic_abuse(const Mash__V1__Notification *n) {
  return n != NULL &&
         (n->concern_category == MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE ||
          (n->detail_case == MASH__V1__NOTIFICATION__DETAIL_POLICE && n->police &&
           n->police->domestic_abuse));
}

void mash_intake_flags_text(char *const *flags, size_t n, char *out, size_t len) {
  size_t off = 0;
  if (len == 0) {
    return;
  }
  out[0] = '\0';
  for (size_t i = 0; i < n && off < len; i++) {
    int w = snprintf(out + off, len - off, "%s%s", i ? "," : "", flags[i]);
    off += w > 0 ? (size_t)w : 0;
  }
}
