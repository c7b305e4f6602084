/* watch: the loop's timetable of every timed duty (DESIGN.md §4, "One
 * timetable"): screening, each agency request, the decision. One libuv
 * timer is armed at the earliest instant; firing compares with the injected
 * clock, so clock jumps and restarts are safe. Due duties are taken from the
 * timetable in slices of at most MASH_TX_MAX_DUE and handed to the storage
 * thread as ESCALATE transactions, one in flight at a time and queued as
 * background work, so intake receipts never wait behind a backlog of
 * escalations. The ladders themselves run in those transactions
 * (broker/txn/duty.c), which tell the watch each duty's next instant.
 *
 * Responsible for: which duty is due when; never one duty in two
 * transactions at once. Must not: write to the store, send messages, or walk
 * all open duties on any change. Loop thread only.
 */
#ifndef MASH_WATCH_H
#define MASH_WATCH_H

#include <uv.h>

#include "clock.h"
#include "enquiry.h"

typedef struct mash_watch mash_watch_t;

/* submit(tx, ctx) hands an ESCALATE transaction to the owner, which submits
 * it to the storage thread and, after it finished (committed or not), calls
 * mash_watch_update (on success) and then mash_watch_settled. */
typedef void (*mash_watch_submit_fn)(mash_tx_t *tx, void *ctx);

/* NULL when out of memory. Loop thread. */
mash_watch_t *mash_watch_new(uv_loop_t *loop, const mash_clock_t *clock,
                             const mash_enquiry_env_t *env, mash_storage_t *storage,
                             mash_watch_submit_fn submit, void *ctx);

/* After any transaction committed: arm tx->watch, disarm tx->unwatch. */
void mash_watch_update(mash_watch_t *w, const mash_tx_t *tx);
/* An ESCALATE transaction finished, committed or not (its duties are
 * re-armed on failure); the next slice may go. */
void mash_watch_settled(mash_watch_t *w, const mash_tx_t *tx);

/* Arm (or move) one duty (O(log n); the timer is moved when it becomes the
 * earliest), or disarm it. */
void mash_watch_arm(mash_watch_t *w, uint64_t duty, int64_t next_at_ms);
void mash_watch_disarm(mash_watch_t *w, uint64_t duty);

/* Load every open duty from the store's open-duty index (start-up, before
 * serving; the loop thread waits). 0 or negative. */
int mash_watch_load(mash_watch_t *w);

/* Duties armed (in flight ones excluded). */
size_t mash_watch_count(const mash_watch_t *w);
/* Bytes the timetable holds. */
size_t mash_watch_memory(const mash_watch_t *w);

/* Stops the timer; close_cb(arg) once closed and w freed. */
void mash_watch_close(mash_watch_t *w, void (*close_cb)(void *arg), void *arg);

#endif
