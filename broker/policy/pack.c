/* pack: consolidated pack assembly. Responsible for what a pack contains and
 * for marking what is missing. Must not: do I/O or read the clock. */
#include "pack.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int mash_pack_complete(const mash_pack_request_t *requests, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (!requests[i].response) {
      return 0;
    }
  }
  return 1;
}

void mash_pack_release(mash_pack_t *p) {
  free(p->answers);
  free(p->answer_ptrs);
  free(p->missing);
  memset(p, 0, sizeof *p);
}

int mash_pack_assemble(const mash_pack_input_t *in, mash_pack_t *out) {
  memset(out, 0, sizeof *out);
  Mash__V1__ConsolidatedPack *p = &out->pack;
  mash__v1__consolidated_pack__init(p);
  size_t n = in->nrequests;
  out->answers = calloc(n ? n : 1, sizeof *out->answers);
  out->answer_ptrs = calloc(n ? n : 1, sizeof *out->answer_ptrs);
  out->missing = calloc(n ? n : 1, sizeof *out->missing);
  if (!out->answers || !out->answer_ptrs || !out->missing) {
    mash_pack_release(out);
    return -ENOMEM;
  }
  p->enquiry_id = (char *)in->enquiry_id;
  p->contact_id = in->contact ? in->contact->contact_id : (char *)"";
  p->version = in->version;
  p->issued_at_ms = in->issued_at_ms;
  p->contact = in->contact;
  if (in->decision) {
    p->rag = in->decision->rag;
    p->consent = in->decision->consent;
    p->screened_by = in->decision->screened_by;
  }
  for (size_t i = 0; i < n; i++) {
    const mash_pack_request_t *r = &in->requests[i];
    Mash__V1__AgencyAnswer *a = &out->answers[i];
    mash__v1__agency_answer__init(a);
    a->agency = (char *)r->agency;
    a->request_id = (char *)r->request_id;
    a->requested_at_ms = r->requested_at_ms;
    a->due_at_ms = r->due_at_ms;
    a->answered_at_ms = r->response ? r->answered_at_ms : 0;
    a->response = r->response;
    a->escalation_level = r->level;
    out->answer_ptrs[i] = a;
    if (!r->response) {
      out->missing[p->n_missing_agencies++] = (char *)r->agency;
    }
  }
  p->n_answers = n;
  p->answers = out->answer_ptrs;
  p->missing_agencies = out->missing;
  p->partial = p->n_missing_agencies > 0;
  p->n_escalations = in->nescalations;
  p->escalations = in->escalations;
  p->n_household = in->nhousehold;
  p->household = in->household;
  p->n_prior_contacts = in->nprior;
  p->prior_contacts = in->prior;
  p->domestic_abuse_12m = in->domestic_abuse_12m;
  p->potential_escalation = in->potential_escalation != 0;
  return 0;
}
