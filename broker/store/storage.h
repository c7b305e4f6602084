/* storage: the storage thread. The loop hands it operations; it runs each
 * batch in one transaction (group commit) and posts completions back to the
 * loop with uv_async; only then does the loop send acknowledgements.
 *
 * Responsible for: the thread, the queue, batching, completion delivery.
 * Must not: touch sockets, or let the loop thread block on disk. A failed
 * commit fails every operation of its batch (rc < 0) and calls fatal_cb once:
 * the broker stops, never acknowledging what it could not store.
 */
#ifndef MASH_STORAGE_H
#define MASH_STORAGE_H

#include <uv.h>

#include "store.h"

typedef enum mash_storage_op_kind {
  MASH_OP_INTAKE = 1,
  MASH_OP_DELIVERED = 2,
  /* Run u.call.fn(store, op) inside the batch's transaction, on the storage
   * thread: for work of several store calls that must commit together. */
  MASH_OP_CALL = 3,
} mash_storage_op_kind_t;

typedef struct mash_storage_op mash_storage_op_t;
typedef int (*mash_storage_call_fn)(mash_store_t *store, mash_storage_op_t *op);
typedef void (*mash_storage_done_cb)(mash_storage_op_t *op);

struct mash_storage_op {
  mash_storage_op_kind_t kind;
  int rc; /* out: 0, or a negative error code */
  union {
    mash_intake_t intake; /* MASH_OP_INTAKE: pointers must stay valid until done_cb */
    struct {
      char message_id[MASH_DELIVERY_ID_LEN]; /* a contact's or an outbox message's */
      char principal[MASH_PRINCIPAL_LEN];
      int64_t at_ms;
    } delivered; /* MASH_OP_DELIVERED: mash_store_delivered */
    struct {
      mash_storage_call_fn fn; /* returns 0 or a negative error (op->rc) */
      void *arg;
    } call; /* MASH_OP_CALL */
  } u;
  /* Background ops only: run in a transaction of its own, never in one
   * with foreground ops, and after at most one foreground batch (an
   * escalation slice: receipts do not wait for its work, only its commit). */
  int solo;
  mash_storage_done_cb done_cb; /* called on the loop thread */
  void *data;                   /* for the caller */
  mash_storage_op_t *next;      /* private to storage.c */
};

typedef struct mash_storage mash_storage_t;

/* fatal_cb(arg, rc) runs on the loop thread, once, after the first failed commit
 * (not when that commit happens after mash_storage_close was called). */
typedef void (*mash_storage_fatal_cb)(void *arg, int rc);

/* Start the storage thread over `store` (ownership moves: destroyed by
 * mash_storage_close). `max_batch` bounds the operations per transaction
 * (0: 512). Returns NULL on failure (the store is then destroyed). */
mash_storage_t *mash_storage_new(uv_loop_t *loop, mash_store_t **store, unsigned max_batch,
                                 mash_storage_fatal_cb fatal_cb, void *arg);

/* Queue an operation (loop thread only). The op is owned by the caller and
 * must stay valid until its done_cb. After a fatal error, or after close has
 * begun, ops complete with rc = -ECANCELED. */
void mash_storage_submit(mash_storage_t *st, mash_storage_op_t *op);

/* Queue an operation that may wait: at most a few run beside each batch of
 * ordinary ops (so acknowledgements are not held back by it), more when
 * the thread is otherwise idle, in the order submitted; a solo op (op->solo)
 * runs alone, right after the batch of ordinary ops it was passed over for. On close, those not
 * yet run complete with -ECANCELED: the caller redoes them on next start. */
void mash_storage_submit_background(mash_storage_t *st, mash_storage_op_t *op);

/* Run fn(store, arg) on the storage thread, synchronously (the loop thread
 * waits). For start-up work (loading the outbox) and rare operator actions
 * that must not race the storage thread (SIGHUP's ladder swap); never on a
 * message's path. */
int mash_storage_run_sync(mash_storage_t *st, int (*fn)(mash_store_t *, void *), void *arg);

/* Counters for benchmarks and status. */
#define MASH_STORAGE_COMMIT_BUCKETS 12
/* Upper bounds (microseconds) of the commit latency buckets; the last
 * bucket is unbounded (+Inf). */
extern const uint64_t mash_storage_commit_le_us[MASH_STORAGE_COMMIT_BUCKETS];

typedef struct mash_storage_stats {
  uint64_t batches;
  uint64_t ops;
  uint64_t failed_commits;
  /* commit_buckets[i]: commits that took at most le_us[i] (cumulative). */
  uint64_t commit_buckets[MASH_STORAGE_COMMIT_BUCKETS];
  uint64_t commit_sum_us;
  /* Write-ahead log checkpoints (between batches, never in a commit). */
  uint64_t checkpoints;
  uint64_t checkpoint_pages; /* pages the log held, summed over checkpoints */
  uint64_t checkpoint_sum_us;
  uint64_t failed_checkpoints;
  /* The person comparison summaries the store holds in memory, as after
   * the last batch (zeros for a store that holds none). */
  mash_store_person_cache_t person_cache;
} mash_storage_stats_t;
void mash_storage_get_stats(mash_storage_t *st, mash_storage_stats_t *out);

/* When the storage thread checkpoints the store's write-ahead log
 * (mash_store_checkpoint): after idle_ms with no work (0: 20 ms), and
 * between two batches once the log holds max_pages pages (0: 4096), which
 * bounds its size under a load that never pauses. Loop thread, any time. */
void mash_storage_set_checkpoints(mash_storage_t *st, unsigned idle_ms, unsigned max_pages);

/* last(store, arg) runs once when the broker stops, after the storage
 * thread's last commit and before the store is destroyed, on the loop
 * thread (the storage thread has ended, so it owns the store then): for
 * what must be written after everything else, such as how far the
 * escalation log is durable. Loop thread, before mash_storage_close. */
void mash_storage_set_last(mash_storage_t *st, void (*last)(mash_store_t *store, void *arg),
                           void *arg);

/* Finish queued work, stop and join the thread, run the last hook, destroy the store, close the
 * async handle; close_cb(arg) runs when all handles are closed and st freed. */
void mash_storage_close(mash_storage_t *st, void (*close_cb)(void *arg), void *arg);

#endif
