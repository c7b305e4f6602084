/* validate_enquiry: the MASH enquiry's messages: screening decisions with
 * their consent record, enquiry requests and responses, escalation events,
 * consolidated packs, outcome and match decisions.
 *
 * Responsible for: the enquiry family's bounds and field paths
 * ("enquiry_response.findings[0].summary"). Must not: do I/O, log,
 * allocate, or keep state (thread-safe).
 */
#include "validate_int.h"

/* ------------------------------------------------------------- the enquiry */

/* An enum whose zero value means "not given": zero is reported as missing,
 * anything past `hi` as unknown. */
static bool s_check_enum_required(mash_errors_t *errs, const mash_vld_path_t *at, int value,
                                  int hi) {
  if (value == 0) {
    mash_vld_fail(errs, at, "is required");
    return false;
  }
  return mash_vld_check_enum(errs, at, value, 1, hi);
}

static void s_check_rag(mash_errors_t *errs, const mash_vld_path_t *parent, int rag) {
  mash_vld_check_enum(errs, PATH_FIELD(parent, "rag"), rag, MASH__V1__RAG__RAG_UNSPECIFIED,
                      MASH__V1__RAG__RAG_BLUE);
}

/* A principal name as the broker's key file knows them: 1-63 of [a-z0-9_-],
 * starting with a letter. Kept here (and not taken from common/keys.h) so the
 * codec depends on nothing but protobuf-c. */
static bool s_is_principal(const char *s) {
  size_t len = s ? strnlen(s, MAX_PRINCIPAL_LEN + 1) : 0;
  if (len == 0 || len > MAX_PRINCIPAL_LEN || s[0] < 'a' || s[0] > 'z') {
    return false;
  }
  for (size_t i = 0; i < len; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

/* A consent record, the field "consent" of `parent`: status and lawful basis
 * known and given; a reason whenever consent was not given, since the hub
 * must be able to say why it shared without it. `required`: a missing record
 * is an error. */
static void s_check_consent(mash_errors_t *errs, const mash_vld_path_t *parent,
                            const Mash__V1__ConsentRecord *c, bool required) {
  const mash_vld_path_t *at = PATH_FIELD(parent, "consent");
  if (c == NULL) {
    if (required) {
      mash_vld_fail(errs, at, "is required");
    }
    return;
  }
  bool status_ok = s_check_enum_required(errs, PATH_FIELD(at, "status"), (int)c->status,
                                         MASH__V1__CONSENT_STATUS__CONSENT_STATUS_NOT_SOUGHT);
  s_check_enum_required(errs, PATH_FIELD(at, "lawful_basis"), (int)c->lawful_basis,
                        MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_SAFEGUARDING_DPA_SCH1_P18);
  bool reason_ok =
      mash_vld_check_text(errs, PATH_FIELD(at, "reason"), c->reason, MASH_MAX_SHORT_TEXT, 0);
  bool not_given = c->status == MASH__V1__CONSENT_STATUS__CONSENT_STATUS_REFUSED ||
                   c->status == MASH__V1__CONSENT_STATUS__CONSENT_STATUS_NOT_SOUGHT;
  if (status_ok && reason_ok && not_given && (c->reason == NULL || c->reason[0] == '\0')) {
    mash_vld_fail(errs, PATH_FIELD(at, "reason"), "a reason is required when consent is not given");
  }
  mash_vld_check_text(errs, PATH_FIELD(at, "recorded_by"), c->recorded_by, MASH_MAX_SHORT_TEXT, 0);
}

static void s_check_screening(mash_errors_t *errs, const mash_vld_path_t *at,
                              const Mash__V1__ScreeningDecision *d) {
  mash_vld_check_text(errs, PATH_FIELD(at, "contact_id"), d->contact_id, MASH_MAX_ID_LEN,
                      TEXT_REQUIRED | TEXT_SAFE_ID);
  s_check_enum_required(errs, PATH_FIELD(at, "rag"), (int)d->rag, MASH__V1__RAG__RAG_BLUE);
  if (mash_vld_check_count(errs, PATH_FIELD(at, "agencies"), d->n_agencies, d->agencies,
                           MASH_MAX_AGENCIES)) {
    /* Whether each agency is a principal, worked out once: the duplicate
     * search below compares every name with those before it. */
    bool principal[MASH_MAX_AGENCIES];
    for (size_t i = 0; i < d->n_agencies; i++) {
      const mash_vld_path_t *item = PATH_ITEM(at, "agencies", i);
      const char *a = d->agencies[i];
      principal[i] = s_is_principal(a);
      if (!principal[i]) {
        mash_vld_fail(errs, item, "must be an agency principal: 1-%zu of a-z 0-9 _ -, first a-z",
                      MAX_PRINCIPAL_LEN);
        continue;
      }
      /* At most MASH_MAX_AGENCIES names, each checked above: cheap and bounded. */
      for (size_t j = 0; j < i; j++) {
        if (principal[j] && strcmp(d->agencies[j], a) == 0) {
          mash_vld_fail(errs, item, "duplicates screening.agencies[%zu]", j);
          break;
        }
      }
    }
  }
  s_check_consent(errs, at, d->consent, true);
  mash_vld_check_text(errs, PATH_FIELD(at, "screened_by"), d->screened_by, MASH_MAX_SHORT_TEXT,
                      TEXT_REQUIRED);
  mash_vld_check_text(errs, PATH_FIELD(at, "rationale"), d->rationale, MASH_MAX_LONG_TEXT,
                      TEXT_MULTILINE);
}

static void s_check_enquiry_request(mash_errors_t *errs, const mash_vld_path_t *at,
                                    const Mash__V1__EnquiryRequest *r, long today) {
  const unsigned id = TEXT_REQUIRED | TEXT_SAFE_ID;
  mash_vld_check_text(errs, PATH_FIELD(at, "request_id"), r->request_id, MASH_MAX_ID_LEN, id);
  mash_vld_check_text(errs, PATH_FIELD(at, "enquiry_id"), r->enquiry_id, MASH_MAX_ID_LEN, id);
  mash_vld_check_text(errs, PATH_FIELD(at, "contact_id"), r->contact_id, MASH_MAX_ID_LEN, id);
  s_check_rag(errs, at, (int)r->rag);
  mash_vld_check_time(errs, PATH_FIELD(at, "requested_at_ms"), r->requested_at_ms);
  mash_vld_check_time(errs, PATH_FIELD(at, "due_at_ms"), r->due_at_ms);
  mash_vld_refs_t refs = {.count = 0, .complete = true};
  mash_vld_check_people(errs, at, "subjects", r->n_subjects, r->subjects, MAX_LISTED_PEOPLE, false,
                        today, &refs);
  mash_vld_check_text(errs, PATH_FIELD(at, "question"), r->question, MASH_MAX_LONG_TEXT,
                      TEXT_MULTILINE);
  s_check_consent(errs, at, r->consent, false);
}

/* An agency's answer, on its own ("enquiry_response") or inside a pack. */
static void s_check_response(mash_errors_t *errs, const mash_vld_path_t *at,
                             const Mash__V1__EnquiryResponse *r) {
  mash_vld_check_text(errs, PATH_FIELD(at, "request_id"), r->request_id, MASH_MAX_ID_LEN,
                      TEXT_REQUIRED | TEXT_SAFE_ID);
  if (mash_vld_check_count(errs, PATH_FIELD(at, "findings"), r->n_findings, r->findings,
                           MASH_MAX_FINDINGS)) {
    if (r->no_information_held && r->n_findings > 0) {
      mash_vld_fail(errs, PATH_FIELD(at, "findings"),
                    "must be empty when no_information_held is set");
    }
    for (size_t i = 0; i < r->n_findings; i++) {
      const mash_vld_path_t *item = PATH_ITEM(at, "findings", i);
      const Mash__V1__Finding *f = r->findings[i];
      if (f == NULL) {
        mash_vld_fail(errs, item, "is missing");
        continue;
      }
      mash_vld_check_text(errs, PATH_FIELD(item, "kind"), f->kind, MASH_MAX_ID_LEN,
                          TEXT_REQUIRED | TEXT_SAFE_ID);
      mash_vld_check_text(errs, PATH_FIELD(item, "summary"), f->summary, MASH_MAX_LONG_TEXT,
                          TEXT_MULTILINE);
      mash_vld_check_time(errs, PATH_FIELD(item, "at_ms"), f->at_ms);
    }
  }
  mash_vld_check_text(errs, PATH_FIELD(at, "summary"), r->summary, MASH_MAX_LONG_TEXT,
                      TEXT_MULTILINE);
  mash_vld_check_text(errs, PATH_FIELD(at, "responder"), r->responder, MASH_MAX_SHORT_TEXT, 0);
}

/* One step of the escalation ladder, on its own ("escalation") or inside a
 * pack. Only its own id is required: a screening escalation has no enquiry,
 * request or agency. */
static void s_check_escalation(mash_errors_t *errs, const mash_vld_path_t *at,
                               const Mash__V1__EscalationEvent *e) {
  mash_vld_check_text(errs, PATH_FIELD(at, "escalation_id"), e->escalation_id, MASH_MAX_ID_LEN,
                      TEXT_REQUIRED | TEXT_SAFE_ID);
  mash_vld_check_text(errs, PATH_FIELD(at, "enquiry_id"), e->enquiry_id, MASH_MAX_ID_LEN,
                      TEXT_SAFE_ID);
  mash_vld_check_text(errs, PATH_FIELD(at, "request_id"), e->request_id, MASH_MAX_ID_LEN,
                      TEXT_SAFE_ID);
  mash_vld_check_text(errs, PATH_FIELD(at, "contact_id"), e->contact_id, MASH_MAX_ID_LEN,
                      TEXT_SAFE_ID);
  mash_vld_check_text(errs, PATH_FIELD(at, "agency"), e->agency, MASH_MAX_ID_LEN, TEXT_SAFE_ID);
  if (e->level < 1 || e->level > MASH_MAX_ESCALATION_LEVEL) {
    mash_vld_fail(errs, PATH_FIELD(at, "level"), "is %u, must be 1 to %u", (unsigned)e->level,
                  MASH_MAX_ESCALATION_LEVEL);
  }
  mash_vld_check_text(errs, PATH_FIELD(at, "step"), e->step, MASH_MAX_SHORT_TEXT, 0);
  if (mash_vld_check_count(errs, PATH_FIELD(at, "parties"), e->n_parties, e->parties,
                           MASH_MAX_PARTIES)) {
    for (size_t i = 0; i < e->n_parties; i++) {
      mash_vld_check_text(errs, PATH_ITEM(at, "parties", i), e->parties[i], MASH_MAX_SHORT_TEXT,
                          TEXT_REQUIRED);
    }
  }
  mash_vld_check_time(errs, PATH_FIELD(at, "due_at_ms"), e->due_at_ms);
  mash_vld_check_time(errs, PATH_FIELD(at, "at_ms"), e->at_ms);
  s_check_rag(errs, at, (int)e->rag);
}

static void s_check_answer(mash_errors_t *errs, const mash_vld_path_t *at,
                           const Mash__V1__AgencyAnswer *a) {
  const unsigned id = TEXT_REQUIRED | TEXT_SAFE_ID;
  mash_vld_check_text(errs, PATH_FIELD(at, "agency"), a->agency, MASH_MAX_ID_LEN, id);
  mash_vld_check_text(errs, PATH_FIELD(at, "request_id"), a->request_id, MASH_MAX_ID_LEN, id);
  mash_vld_check_time(errs, PATH_FIELD(at, "requested_at_ms"), a->requested_at_ms);
  mash_vld_check_time(errs, PATH_FIELD(at, "due_at_ms"), a->due_at_ms);
  mash_vld_check_time(errs, PATH_FIELD(at, "answered_at_ms"), a->answered_at_ms);
  if (a->response) {
    s_check_response(errs, PATH_FIELD(at, "response"), a->response);
  }
  if (a->escalation_level > MASH_MAX_ESCALATION_LEVEL) {
    mash_vld_fail(errs, PATH_FIELD(at, "escalation_level"), "is more than %u",
                  MASH_MAX_ESCALATION_LEVEL);
  }
}

static void s_check_prior_contact(mash_errors_t *errs, const mash_vld_path_t *at,
                                  const Mash__V1__PriorContact *c) {
  mash_vld_check_text(errs, PATH_FIELD(at, "contact_id"), c->contact_id, MASH_MAX_ID_LEN,
                      TEXT_REQUIRED | TEXT_SAFE_ID);
  mash_vld_check_text(errs, PATH_FIELD(at, "source_principal"), c->source_principal,
                      MASH_MAX_ID_LEN, 0);
  mash_vld_check_time(errs, PATH_FIELD(at, "received_at_ms"), c->received_at_ms);
  mash_vld_check_enum(errs, PATH_FIELD(at, "concern_category"), (int)c->concern_category,
                      MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_UNSPECIFIED,
                      MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_OTHER);
  mash_vld_check_text(errs, PATH_FIELD(at, "person_ref"), c->person_ref, MASH_MAX_ID_LEN, 0);
}

/* The broker's consolidated pack, checked by the hub on receipt. Every list
 * is bounded before it is walked, nested messages included, so the work is
 * bounded whatever the frame holds. */
static void s_check_pack(mash_errors_t *errs, const mash_vld_path_t *at,
                         const Mash__V1__ConsolidatedPack *k, long today) {
  mash_vld_check_text(errs, PATH_FIELD(at, "enquiry_id"), k->enquiry_id, MASH_MAX_ID_LEN,
                      TEXT_REQUIRED | TEXT_SAFE_ID);
  mash_vld_check_text(errs, PATH_FIELD(at, "contact_id"), k->contact_id, MASH_MAX_ID_LEN,
                      TEXT_REQUIRED | TEXT_SAFE_ID);
  if (k->version < 1) {
    mash_vld_fail(errs, PATH_FIELD(at, "version"), "must be at least 1");
  }
  mash_vld_check_time(errs, PATH_FIELD(at, "issued_at_ms"), k->issued_at_ms);
  if (k->contact) {
    mash_vld_check_contact(errs, PATH_FIELD(at, "contact"), k->contact, today);
  }
  s_check_rag(errs, at, (int)k->rag);
  s_check_consent(errs, at, k->consent, false);
  if (mash_vld_check_count(errs, PATH_FIELD(at, "answers"), k->n_answers, k->answers,
                           MASH_MAX_PACK_AGENCIES)) {
    for (size_t i = 0; i < k->n_answers; i++) {
      const mash_vld_path_t *item = PATH_ITEM(at, "answers", i);
      if (k->answers[i] == NULL) {
        mash_vld_fail(errs, item, "is missing");
        continue;
      }
      s_check_answer(errs, item, k->answers[i]);
    }
  }
  if (mash_vld_check_count(errs, PATH_FIELD(at, "missing_agencies"), k->n_missing_agencies,
                           k->missing_agencies, MASH_MAX_PACK_AGENCIES)) {
    for (size_t i = 0; i < k->n_missing_agencies; i++) {
      mash_vld_check_text(errs, PATH_ITEM(at, "missing_agencies", i), k->missing_agencies[i],
                          MASH_MAX_ID_LEN, TEXT_REQUIRED | TEXT_SAFE_ID);
    }
  }
  if (mash_vld_check_count(errs, PATH_FIELD(at, "escalations"), k->n_escalations, k->escalations,
                           MASH_MAX_PACK_ESCALATIONS)) {
    for (size_t i = 0; i < k->n_escalations; i++) {
      const mash_vld_path_t *item = PATH_ITEM(at, "escalations", i);
      if (k->escalations[i] == NULL) {
        mash_vld_fail(errs, item, "is missing");
        continue;
      }
      s_check_escalation(errs, item, k->escalations[i]);
    }
  }
  mash_vld_refs_t refs = {.count = 0, .complete = true};
  mash_vld_check_people(errs, at, "household", k->n_household, k->household, MAX_LISTED_PEOPLE,
                        false, today, &refs);
  if (mash_vld_check_count(errs, PATH_FIELD(at, "prior_contacts"), k->n_prior_contacts,
                           k->prior_contacts, MASH_MAX_PRIOR_CONTACTS)) {
    for (size_t i = 0; i < k->n_prior_contacts; i++) {
      const mash_vld_path_t *item = PATH_ITEM(at, "prior_contacts", i);
      if (k->prior_contacts[i] == NULL) {
        mash_vld_fail(errs, item, "is missing");
        continue;
      }
      s_check_prior_contact(errs, item, k->prior_contacts[i]);
    }
  }
  mash_vld_check_text(errs, PATH_FIELD(at, "screened_by"), k->screened_by, MASH_MAX_SHORT_TEXT, 0);
}

static void s_check_outcome(mash_errors_t *errs, const mash_vld_path_t *at,
                            const Mash__V1__OutcomeDecision *d) {
  mash_vld_check_text(errs, PATH_FIELD(at, "contact_id"), d->contact_id, MASH_MAX_ID_LEN,
                      TEXT_REQUIRED | TEXT_SAFE_ID);
  s_check_enum_required(errs, PATH_FIELD(at, "outcome"), (int)d->outcome,
                        MASH__V1__OUTCOME__OUTCOME_STRATEGY_DISCUSSION);
  mash_vld_check_text(errs, PATH_FIELD(at, "decided_by"), d->decided_by, MASH_MAX_SHORT_TEXT,
                      TEXT_REQUIRED);
  mash_vld_check_text(errs, PATH_FIELD(at, "rationale"), d->rationale, MASH_MAX_LONG_TEXT,
                      TEXT_MULTILINE);
}

static void s_check_match_decision(mash_errors_t *errs, const mash_vld_path_t *at,
                                   const Mash__V1__MatchDecision *d) {
  mash_vld_check_text(errs, PATH_FIELD(at, "match_id"), d->match_id, MASH_MAX_ID_LEN,
                      TEXT_REQUIRED | TEXT_SAFE_ID);
  mash_vld_check_text(errs, PATH_FIELD(at, "decided_by"), d->decided_by, MASH_MAX_SHORT_TEXT,
                      TEXT_REQUIRED);
  mash_vld_check_text(errs, PATH_FIELD(at, "rationale"), d->rationale, MASH_MAX_LONG_TEXT,
                      TEXT_MULTILINE);
}

/* ------------------------------------------------ rows of the message table */

void mash_vld_screening(mash_errors_t *errs, const mash_vld_path_t *at, const void *body,
                        long today) {
  (void)today;
  s_check_screening(errs, at, body);
}

void mash_vld_enquiry_request(mash_errors_t *errs, const mash_vld_path_t *at, const void *body,
                              long today) {
  s_check_enquiry_request(errs, at, body, today);
}

void mash_vld_enquiry_response(mash_errors_t *errs, const mash_vld_path_t *at, const void *body,
                               long today) {
  (void)today;
  s_check_response(errs, at, body);
}

void mash_vld_pack(mash_errors_t *errs, const mash_vld_path_t *at, const void *body, long today) {
  s_check_pack(errs, at, body, today);
}

void mash_vld_outcome(mash_errors_t *errs, const mash_vld_path_t *at, const void *body,
                      long today) {
  (void)today;
  s_check_outcome(errs, at, body);
}

void mash_vld_escalation(mash_errors_t *errs, const mash_vld_path_t *at, const void *body,
                         long today) {
  (void)today;
  s_check_escalation(errs, at, body);
}

void mash_vld_match_decision(mash_errors_t *errs, const mash_vld_path_t *at, const void *body,
                             long today) {
  (void)today;
  s_check_match_decision(errs, at, body);
}

/* The operations console's question: a range of receipt times, both 0
 * (everything) or from before to. */
void mash_vld_ops_query(mash_errors_t *errs, const mash_vld_path_t *at, const void *body,
                        long today) {
  (void)today;
  const Mash__V1__OpsQuery *q = body;
  if (q->from_ms < 0) {
    mash_vld_fail(errs, PATH_FIELD(at, "from_ms"), "is negative");
  }
  if (q->to_ms < 0 || (q->to_ms > 0 && q->to_ms <= q->from_ms)) {
    mash_vld_fail(errs, PATH_FIELD(at, "to_ms"), "is not after from_ms");
  }
}

/* The broker's report: only the broker sends it; mash-ops bounds what it
 * copies (ops/report.c). */
void mash_vld_ops_report(mash_errors_t *errs, const mash_vld_path_t *at, const void *body,
                         long today) {
  (void)errs;
  (void)at;
  (void)body;
  (void)today;
}

/* A match decided at the desk, told back to the desk: ids only. */
void mash_vld_match_outcome(mash_errors_t *errs, const mash_vld_path_t *at, const void *body,
                            long today) {
  (void)today;
  const Mash__V1__MatchOutcome *o = body;
  mash_vld_check_text(errs, PATH_FIELD(at, "match_id"), o->match_id, MASH_MAX_ID_LEN,
                      TEXT_REQUIRED | TEXT_SAFE_ID);
  mash_vld_check_text(errs, PATH_FIELD(at, "person_id"), o->person_id, MASH_MAX_ID_LEN,
                      TEXT_REQUIRED | TEXT_SAFE_ID);
  mash_vld_check_text(errs, PATH_FIELD(at, "merged_person_id"), o->merged_person_id,
                      MASH_MAX_ID_LEN, (o->confirmed ? TEXT_REQUIRED : 0) | TEXT_SAFE_ID);
  mash_vld_check_text(errs, PATH_FIELD(at, "decided_by"), o->decided_by, MASH_MAX_SHORT_TEXT, 0);
}
