/* reissue: after the hub confirms or rejects a possible match, tell the
 * desk and re-issue the packs whose family it changed (issue 9).
 *
 * Responsible for: the MatchOutcome that lets the desk bring the person
 * links of the contacts it holds up to date, finding the open enquiries
 * about the contacts of the people a match decision touched, and issuing
 * their packs again. Must not:
 * decide the match (txn/resolve_review.c does) or send anything itself (the
 * packs go through mash_tx_issue_pack and the outbox). Storage thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "txn_int.h"

/* The contacts linked to a person (at most S_REISSUE_MAX), for re-issuing
 * their packs after a review changed who the person is. */
#define S_REISSUE_MAX 64u

typedef struct s_reissue {
  char ids[S_REISSUE_MAX][MASH_CONTACT_ID_LEN];
  size_t n;
} s_reissue_t;

static int s_reissue_cb(const mash_person_contact_t *c, void *arg) {
  s_reissue_t *r = arg;
  for (size_t i = 0; i < r->n; i++) {
    if (strcmp(r->ids[i], c->contact_id) == 0) {
      return 0;
    }
  }
  if (r->n >= S_REISSUE_MAX) {
    return 1;
  }
  snprintf(r->ids[r->n++], MASH_CONTACT_ID_LEN, "%s", c->contact_id);
  return 0;
}

/* A confirmed merge or a reject changes who a child is and who is in the
 * household (issue 9): the pack of every open enquiry about a contact of
 * these people, once issued, is issued again with the family as it now
 * stands. */
int mash_tx_reissue_packs(mash_tx_t *tx, mash_store_t *store, const char *const people[2]) {
  s_reissue_t *r = calloc(1, sizeof *r);
  if (r == NULL) {
    return -ENOMEM;
  }
  int rc = 0;
  for (int k = 0; rc == 0 && k < 2; k++) {
    if (people[k] != NULL && people[k][0] != '\0') {
      rc = mash_store_person_contacts(store, people[k], 0, tx->now_ms, S_REISSUE_MAX, s_reissue_cb,
                                      r);
    }
  }
  for (size_t i = 0; rc == 0 && i < r->n; i++) {
    char enquiry_id[MASH_ITEM_ID_LEN];
    int found = mash_store_enquiry_of_contact(store, r->ids[i], enquiry_id);
    if (found == -ENOENT) {
      continue;
    }
    rc = found;
    mash_enquiry_row_t e;
    rc = rc ? rc : mash_store_enquiry_get(store, enquiry_id, &e);
    if (rc == 0) {
      free(e.decision);
      if (e.pack_version > 0 && e.closed_at_ms == 0) {
        rc = mash_tx_issue_pack(tx, store, enquiry_id);
      }
    }
  }
  free(r);
  return rc;
}

int mash_tx_match_outcome(mash_tx_t *tx, mash_store_t *store, const mash_match_row_t *m,
                          bool confirmed, const char *by) {
  /* The person the links name now: the candidate, or what it has been
   * merged into since. */
  mash_person_row_t row;
  int rc = mash_store_person_get(store, m->candidate_id, &row);
  if (rc != 0) {
    return rc == -ENOENT ? -EIO : rc;
  }
  free(row.record);
  Mash__V1__MatchOutcome o = MASH__V1__MATCH_OUTCOME__INIT;
  o.match_id = (char *)m->match_id;
  o.confirmed = confirmed;
  o.person_id = row.person_id;
  o.merged_person_id = confirmed ? (char *)m->person_id : (char *)"";
  o.decided_by = (char *)(by ? by : "");
  o.decided_at_ms = tx->now_ms;
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  env.body_case = MASH__V1__ENVELOPE__BODY_MATCH_OUTCOME;
  env.match_outcome = &o;
  return mash_tx_emit(tx, store, MASH_TX_HUB_TARGET, &env);
}
