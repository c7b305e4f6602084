/* pack_view: how the hub desk shows a consolidated pack as a JSON object
 * with every field (the printable HTML page is pack_html.c).
 *
 * Responsible for: naming an answer's timeliness and translating every
 * field of the pack, each agency answer classified as on time, late or not
 * answered, into JSON. The contact and people come from hub_view, the enum
 * words from names.h.
 * Must not: do any I/O, log (the pack holds names of children), or change
 * the pack. Safe from any thread.
 */
#include "pack_view.h"

#include <stdbool.h>

#include "hub_view.h"
#include "pack_view_int.h"

/* ---------------------------------------------------------------- names */

static const char *s_timeliness_name(timeliness_t t) {
  switch (t) {
  case TIMELINESS_ON_TIME:
    return "on_time";
  case TIMELINESS_LATE:
    return "late";
  default:
    return "not_answered";
  }
}

/* ---------------------------------------------------------------- json */

static json_t *s_jconsent(const Mash__V1__ConsentRecord *c, bool *ok) {
  if (c == NULL) {
    return json_null();
  }
  json_t *o = json_object();
  if (o == NULL) {
    *ok = false;
    return NULL;
  }
  hub_view_json_set(o, "status", json_string(mash_consent_status_name(c->status)), ok);
  hub_view_json_set(o, "reason", hub_view_json_text(c->reason), ok);
  hub_view_json_set(o, "lawful_basis", json_string(mash_lawful_basis_name(c->lawful_basis)), ok);
  hub_view_json_set(o, "recorded_by", hub_view_json_text(c->recorded_by), ok);
  return o;
}

static json_t *s_jfinding(const Mash__V1__Finding *f, bool *ok) {
  json_t *o = json_object();
  if (o == NULL) {
    *ok = false;
    return NULL;
  }
  hub_view_json_set(o, "kind", hub_view_json_text(f->kind), ok);
  hub_view_json_set(o, "summary", hub_view_json_text(f->summary), ok);
  hub_view_json_set(o, "at", hub_view_json_time(f->at_ms), ok);
  return o;
}

/* An answer, with its response's fields flattened into it: the desk reads
 * "what did health say" without a null check on a nested object. */
static json_t *s_janswer(const Mash__V1__AgencyAnswer *a, bool *ok) {
  json_t *o = json_object();
  if (o == NULL) {
    *ok = false;
    return NULL;
  }
  const Mash__V1__EnquiryResponse *r = a->response;
  timeliness_t t = s_timeliness(a);
  hub_view_json_set(o, "agency", hub_view_json_text(a->agency), ok);
  hub_view_json_set(o, "request_id", hub_view_json_text(a->request_id), ok);
  hub_view_json_set(o, "requested_at", hub_view_json_time(a->requested_at_ms), ok);
  hub_view_json_set(o, "due_at", hub_view_json_time(a->due_at_ms), ok);
  hub_view_json_set(o, "answered_at", hub_view_json_time(a->answered_at_ms), ok);
  hub_view_json_set(o, "answered", json_boolean(t != TIMELINESS_NOT_ANSWERED), ok);
  hub_view_json_set(o, "timeliness", json_string(s_timeliness_name(t)), ok);
  hub_view_json_set(o, "escalation_level", json_integer(a->escalation_level), ok);
  hub_view_json_set(o, "no_information_held", json_boolean(r != NULL && r->no_information_held),
                    ok);
  hub_view_json_set(o, "summary", r != NULL ? hub_view_json_text(r->summary) : json_null(), ok);
  hub_view_json_set(o, "responder", r != NULL ? hub_view_json_text(r->responder) : json_null(), ok);
  /* Beside the free-text responder (anything the agency typed), the agency
   * the broker authenticated by its key: only the agency asked may answer. */
  hub_view_json_set(o, "responder_agency", r != NULL ? hub_view_json_text(a->agency) : json_null(),
                    ok);
  json_t *findings = json_array();
  for (size_t i = 0; findings != NULL && r != NULL && i < r->n_findings; i++) {
    if (r->findings[i] != NULL) {
      hub_view_json_append(findings, s_jfinding(r->findings[i], ok), ok);
    }
  }
  hub_view_json_set(o, "findings", findings, ok);
  return o;
}

static json_t *s_jescalation(const Mash__V1__EscalationEvent *e, bool *ok) {
  json_t *o = json_object();
  if (o == NULL) {
    *ok = false;
    return NULL;
  }
  hub_view_json_set(o, "escalation_id", hub_view_json_text(e->escalation_id), ok);
  hub_view_json_set(o, "enquiry_id", hub_view_json_text(e->enquiry_id), ok);
  hub_view_json_set(o, "request_id", hub_view_json_text(e->request_id), ok);
  hub_view_json_set(o, "contact_id", hub_view_json_text(e->contact_id), ok);
  hub_view_json_set(o, "agency", hub_view_json_text(e->agency), ok);
  hub_view_json_set(o, "level", json_integer(e->level), ok);
  hub_view_json_set(o, "step", hub_view_json_text(e->step), ok);
  hub_view_json_set(o, "parties", hub_view_json_strings(e->parties, e->n_parties, ok), ok);
  hub_view_json_set(o, "due_at", hub_view_json_time(e->due_at_ms), ok);
  hub_view_json_set(o, "at", hub_view_json_time(e->at_ms), ok);
  hub_view_json_set(o, "rag", json_string(mash_rag_name(e->rag)), ok);
  return o;
}

static json_t *s_jprior(const Mash__V1__PriorContact *c, bool *ok) {
  json_t *o = json_object();
  if (o == NULL) {
    *ok = false;
    return NULL;
  }
  hub_view_json_set(o, "contact_id", hub_view_json_text(c->contact_id), ok);
  hub_view_json_set(o, "source_principal", hub_view_json_text(c->source_principal), ok);
  hub_view_json_set(o, "received_at", hub_view_json_time(c->received_at_ms), ok);
  hub_view_json_set(o, "category", json_string(mash_category_name(c->concern_category)), ok);
  hub_view_json_set(o, "person_ref", hub_view_json_text(c->person_ref), ok);
  return o;
}

json_t *pack_view_json(const Mash__V1__ConsolidatedPack *p) {
  json_t *o = hub_view_json_object(p);
  if (o == NULL) {
    return NULL;
  }
  bool ok = true;
  hub_view_json_set(o, "enquiry_id", hub_view_json_text(p->enquiry_id), &ok);
  hub_view_json_set(o, "contact_id", hub_view_json_text(p->contact_id), &ok);
  hub_view_json_set(o, "version", json_integer(p->version), &ok);
  hub_view_json_set(o, "partial", json_boolean(p->partial), &ok);
  hub_view_json_set(o, "issued_at", hub_view_json_time(p->issued_at_ms), &ok);
  hub_view_json_set(o, "rag", json_string(mash_rag_name(p->rag)), &ok);
  hub_view_json_set(o, "screened_by", hub_view_json_text(p->screened_by), &ok);
  hub_view_json_set(o, "consent", s_jconsent(p->consent, &ok), &ok);
  /* hub_view_json is NULL for a NULL contact and when memory ran out. */
  json_t *contact = p->contact != NULL ? hub_view_json(p->contact) : json_null();
  hub_view_json_set(o, "contact", contact, &ok);

  json_t *answers = json_array();
  for (size_t i = 0; answers != NULL && i < p->n_answers; i++) {
    if (p->answers[i] != NULL) {
      hub_view_json_append(answers, s_janswer(p->answers[i], &ok), &ok);
    }
  }
  hub_view_json_set(o, "answers", answers, &ok);
  hub_view_json_set(o, "missing_agencies",
                    hub_view_json_strings(p->missing_agencies, p->n_missing_agencies, &ok), &ok);

  json_t *escalations = json_array();
  for (size_t i = 0; escalations != NULL && i < p->n_escalations; i++) {
    if (p->escalations[i] != NULL) {
      hub_view_json_append(escalations, s_jescalation(p->escalations[i], &ok), &ok);
    }
  }
  hub_view_json_set(o, "escalations", escalations, &ok);

  /* The household's other children: their ref is their person record,
   * also given as "person_id" so that a reader need not know that. */
  json_t *household = json_array();
  for (size_t i = 0; household != NULL && i < p->n_household; i++) {
    if (p->household[i] != NULL) {
      json_t *person = hub_view_person_json(p->household[i], &ok);
      if (person != NULL) {
        hub_view_json_set(person, "person_id", hub_view_json_text(p->household[i]->ref), &ok);
      }
      hub_view_json_append(household, person, &ok);
    }
  }
  hub_view_json_set(o, "household", household, &ok);

  json_t *prior = json_array();
  for (size_t i = 0; prior != NULL && i < p->n_prior_contacts; i++) {
    if (p->prior_contacts[i] != NULL) {
      hub_view_json_append(prior, s_jprior(p->prior_contacts[i], &ok), &ok);
    }
  }
  hub_view_json_set(o, "prior_contacts", prior, &ok);
  hub_view_json_set(o, "domestic_abuse_12m", json_integer(p->domestic_abuse_12m), &ok);
  hub_view_json_set(o, "potential_escalation", json_boolean(p->potential_escalation), &ok);

  if (!ok) {
    json_decref(o);
    return NULL;
  }
  return o;
}
