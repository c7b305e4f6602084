/* resolve_queue: the loop thread's side of person resolution: the stored
 * contacts waiting to be resolved, in the order received, and the one
 * background storage operation in flight that resolves the next few.
 *
 * Responsible for: the queue, how many contacts go in one operation (4,
 * one more for every 64 waiting, at most 16: a backlog stays bounded while
 * acknowledgements keep most of the storage thread), each contact in its
 * own savepoint, giving up on a contact that cannot be resolved (it is
 * delivered flagged, resolve.h), loading the contacts a stop left
 * unresolved, and deciding when a new contact is resolved inside its own
 * intake transaction instead (folding: one commit, one flush, per
 * notification while the queue is short). Must not: deliver anything itself (the owner's callback
 * does), or run on any thread but the loop's.
 */
#ifndef MASH_RESOLVE_QUEUE_H
#define MASH_RESOLVE_QUEUE_H

#include <stddef.h>

#include "resolve.h"
#include "storage.h"

typedef struct mash_resolve_queue mash_resolve_queue_t;

/* For each contact of a finished operation, in order: rc 0 (job->contact is
 * the contact to deliver when job->deliver; job->gave_up says it could not
 * be resolved and was flagged) or a negative error (-ECANCELED while the
 * storage thread closes; otherwise the contact stays unresolved in the
 * store until the next start). The job and its contact are freed after. */
typedef void (*mash_resolve_queue_cb)(void *arg, mash_resolve_job_t *job, int rc);

/* After each operation has completed (for the owner's shutdown). */
typedef void (*mash_resolve_queue_done_cb)(void *arg);

/* NULL on ENOMEM. `storage` is borrowed. */
mash_resolve_queue_t *mash_resolve_queue_new(mash_storage_t *storage, mash_match_policy_t policy,
                                             mash_resolve_queue_cb cb,
                                             mash_resolve_queue_done_cb done, void *arg);

/* Queue a stored, unresolved contact. Returns 0, or -ENOMEM (the contact
 * is then resolved on the next start). */
int mash_resolve_queue_add(mash_resolve_queue_t *q, const char *contact_id);

/* Queue the contacts a stop left unresolved, before any new one (at start,
 * before the loop runs: it waits for the storage thread). Returns 0 or a
 * negative error; *n is how many were queued. */
int mash_resolve_queue_load(mash_resolve_queue_t *q, size_t *n);

/* Folding. At most this many intakes in flight resolve in their own
 * transaction; past it, and whenever anything received earlier is still
 * to be resolved, contacts take the background path. */
#define MASH_RESOLVE_FOLD_MAX 8u

/* Loop thread, before submitting an intake: 1 when its contact is to be
 * resolved inside the intake's own transaction (nothing waits or is in
 * flight here and no earlier intake will queue one, so the order received
 * holds; fewer than MASH_RESOLVE_FOLD_MAX folded in flight): `job` is then
 * cleared and given the queue's policy, for the caller to set
 * job->contact_id after the intake and run mash_resolve_queue_run_job on
 * the storage thread. 0: the caller queues the contact with
 * mash_resolve_queue_add once stored. Either way the caller calls
 * mash_resolve_queue_intake_done(q, folded) when the intake completes. */
int mash_resolve_queue_intake_begin(mash_resolve_queue_t *q, mash_resolve_job_t *job);
void mash_resolve_queue_intake_done(mash_resolve_queue_t *q, int folded);

/* Storage thread, inside a transaction: resolve job->contact_id in a
 * savepoint, or failing that store it flagged as it came (give up) in
 * another. Returns 0 with job->rc 0 (job->contact to deliver when
 * job->deliver) or job->rc < 0 (neither worked: the contact stays
 * unresolved, undone to its savepoint); or a negative error of the
 * savepoints themselves (the transaction is failing). */
int mash_resolve_queue_run_job(mash_store_t *store, mash_resolve_job_t *job);

/* Send the next operation if none is in flight (after an ENOMEM stop). */
void mash_resolve_queue_kick(mash_resolve_queue_t *q);

/* No new operation from now on (the owner is closing). */
void mash_resolve_queue_stop(mash_resolve_queue_t *q);

/* 1 while an operation is in flight. */
int mash_resolve_queue_busy(const mash_resolve_queue_t *q);

/* Contacts waiting, not counting those in flight. */
size_t mash_resolve_queue_waiting(const mash_resolve_queue_t *q);

/* Only when not busy. Accepts NULL; nulls *q_p. */
void mash_resolve_queue_destroy(mash_resolve_queue_t **q_p);

#endif
