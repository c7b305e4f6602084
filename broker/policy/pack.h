/* pack: assembles the consolidated pack of an enquiry (DESIGN.md §3 step 6)
 * from what the store holds: the contact, the screening decision, each
 * agency's request and answer, the escalations raised. Pure: no I/O, no
 * clock (the issue time is passed in), no logging.
 */
#ifndef MASH_PACK_H
#define MASH_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "mash.pb-c.h"

typedef struct mash_pack_request {
  const char *request_id;
  const char *agency;
  int64_t requested_at_ms;
  int64_t due_at_ms;
  int64_t answered_at_ms;              /* 0 when not answered */
  Mash__V1__EnquiryResponse *response; /* NULL when not answered */
  unsigned level;                      /* escalation level reached */
} mash_pack_request_t;

/* A pack and the arrays it owns. Everything else it points to is borrowed
 * from the inputs: keep them alive while the pack is used, then call
 * mash_pack_release. */
typedef struct mash_pack {
  Mash__V1__ConsolidatedPack pack;
  Mash__V1__AgencyAnswer *answers;
  Mash__V1__AgencyAnswer **answer_ptrs;
  char **missing;
} mash_pack_t;

typedef struct mash_pack_input {
  const char *enquiry_id;
  Mash__V1__Contact *contact;
  Mash__V1__ScreeningDecision *decision;
  const mash_pack_request_t *requests;
  size_t nrequests;
  Mash__V1__EscalationEvent **escalations;
  size_t nescalations;
  unsigned version;
  int64_t issued_at_ms;
  /* The family (resolve.c): the household's other children, the prior
   * contacts about the household's children in the 12 months before. */
  Mash__V1__Person **household;
  size_t nhousehold;
  Mash__V1__PriorContact **prior;
  size_t nprior;
  unsigned domestic_abuse_12m;
  int potential_escalation;
} mash_pack_input_t;

/* Build the pack: partial when any request is unanswered (those agencies are
 * listed as missing); the family as given (the notification's own people are
 * in the contact).
 * Returns 0 or -ENOMEM. */
int mash_pack_assemble(const mash_pack_input_t *in, mash_pack_t *out);

/* 1 when every request has an answer. */
int mash_pack_complete(const mash_pack_request_t *requests, size_t n);

void mash_pack_release(mash_pack_t *p);

#endif
