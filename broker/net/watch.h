/* watch: the loop-side view of every open request and its next escalation
 * instant; one libuv timer armed at the earliest (DESIGN.md §4). Firing
 * compares with the injected clock, so clock jumps and restarts are safe;
 * the ladder step function (pure) says what is due, and an ESCALATE
 * transaction stores and sends it. Loop thread only.
 */
#ifndef MASH_WATCH_H
#define MASH_WATCH_H

#include <uv.h>

#include "clock.h"
#include "enquiry.h"

typedef struct mash_watch mash_watch_t;

/* submit(tx, ctx) hands an ESCALATE transaction to the owner, which submits
 * it to the storage thread and, after commit, calls mash_watch_settled. */
typedef void (*mash_watch_submit_fn)(mash_tx_t *tx, void *ctx);

mash_watch_t *mash_watch_new(uv_loop_t *loop, const mash_clock_t *clock,
                             const mash_enquiry_env_t *env, mash_storage_t *storage,
                             mash_watch_submit_fn submit, void *ctx);

/* Start watching a request (after the commit that created it). */
void mash_watch_add(mash_watch_t *w, const mash_watch_item_t *item);
/* Stop watching: a request answered, or every request of a closed enquiry. */
void mash_watch_remove_request(mash_watch_t *w, const char *request_id);
void mash_watch_remove_enquiry(mash_watch_t *w, const char *enquiry_id);
/* An ESCALATE transaction finished (called by the owner's done_cb). */
void mash_watch_settled(mash_watch_t *w, const mash_tx_t *tx);

/* Load open requests from the store (start-up, before serving). */
int mash_watch_load(mash_watch_t *w);

size_t mash_watch_count(const mash_watch_t *w);

/* Stops the timer; close_cb(arg) once closed and w freed. */
void mash_watch_close(mash_watch_t *w, void (*close_cb)(void *arg), void *arg);

#endif
