/* txn_int: shared between the transaction files of broker/txn (enquiry.c,
 * duty.c). Storage thread only. Not for use outside broker/txn. */
#ifndef MASH_TXN_INT_H
#define MASH_TXN_INT_H

#include <stdbool.h>

#include "enquiry.h"

#define MASH_TX_HUB_TARGET "@hub"

/* Encode `env` (its id and time filled in here), store it in the outbox for
 * `target` and keep a copy in tx->msgs for the loop to send. 0 or negative
 * (-ENOSPC when tx->msgs is full). */
int mash_tx_emit(mash_tx_t *tx, mash_store_t *store, const char *target, Mash__V1__Envelope *env);

/* Assemble the next version of the enquiry's pack and emit it to the hub.
 * The first version also opens the decision duty. */
int mash_tx_issue_pack(mash_tx_t *tx, mash_store_t *store, const char *enquiry_id);

/* Issue again the pack of every open enquiry (whose pack was issued) about
 * a contact of people[0] or people[1] (either may be NULL or ""): a match
 * decision changed who they are. 0 or negative. */
int mash_tx_reissue_packs(mash_tx_t *tx, mash_store_t *store, const char *const people[2]);

/* Tell the hub desk that possible match m was confirmed or rejected by
 * `by`, so that it re-links the contacts it holds (a MatchOutcome through
 * the outbox). 0 or negative. */
int mash_tx_match_outcome(mash_tx_t *tx, mash_store_t *store, const mash_match_row_t *m,
                          bool confirmed, const char *by);

/* Open a duty of `kind` on `ref` (its window start..due) and arm it in the
 * loop's timetable (tx->watch). A duty that exists already is left as it
 * is. 0 or negative. */
int mash_tx_duty_open(mash_tx_t *tx, mash_store_t *store, int kind, const char *ref, int rag,
                      int64_t start_ms, int64_t due_ms);

/* Close the duty of `kind` on `ref` at tx->now_ms, if it is open, and take
 * it out of the timetable (tx->unwatch). 0 (also when there is none) or
 * negative. */
int mash_tx_duty_close(mash_tx_t *tx, mash_store_t *store, int kind, const char *ref);

/* The transactions of the message table (proto/messages.def's `tx`): the
 * desk's screening, an agency's answer, the desk's outcome and its review
 * of a possible match. 0 (the receipt and messages in tx) or negative. */
int mash_tx_screen(mash_tx_t *tx, mash_store_t *store);
int mash_tx_answer(mash_tx_t *tx, mash_store_t *store);
int mash_tx_outcome(mash_tx_t *tx, mash_store_t *store);
int mash_tx_match(mash_tx_t *tx, mash_store_t *store);

/* The ESCALATE transaction: work the due duties of tx->due. */
int mash_tx_escalate(mash_tx_t *tx, mash_store_t *store);

#endif
