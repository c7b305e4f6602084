/* storage: one thread that owns the store, fed by the loop through a queue.
 *
 * Responsible for: the storage thread, the queue of operations (a mutex and
 * a condition variable), group commit (up to max_batch operations per
 * transaction), and handing completions back to the loop thread through a
 * uv_async_t; checkpoints of the store's write-ahead log between batches
 * (when the thread has been idle a moment, or at once when the log passed
 * its bound), never inside a commit. Must not: touch sockets or the loop from the storage thread
 * (uv_async_send is its only call on a loop handle), call a done_cb anywhere
 * but on the loop thread, or report success for an operation whose
 * transaction did not commit. A failed begin counts as a failed commit.
 * After the first failure every later operation completes with -ECANCELED:
 * the broker is going down.
 */
#include "storage.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_BATCH 512
/* Background ops (resolution) per batch: few beside foreground ops, so the
 * acknowledgements they wait for are not held back; more when idle. */
#define BACKGROUND_WITH_FOREGROUND 1u
#define BACKGROUND_ALONE 4u
/* Checkpoints: after this long with no work, whatever the log holds; at
 * once between two batches when it holds this many pages (16 MiB of 4 KiB
 * pages), so that it stays bounded under a load that never pauses. */
#define DEFAULT_CHECKPOINT_IDLE_MS 20u
#define DEFAULT_CHECKPOINT_PAGES 4096u

typedef struct op_list {
  mash_storage_op_t *head;
  mash_storage_op_t *tail;
} op_list_t;

struct mash_storage {
  uv_loop_t *loop;
  mash_store_t *store; /* used by the storage thread only, until joined */
  unsigned max_batch;
  mash_storage_fatal_cb fatal_cb;
  void *fatal_arg;
  uv_thread_t thread;
  uv_async_t async;
  unsigned checkpoint_idle_ms;
  unsigned checkpoint_pages;
  int checkpoint_due; /* storage thread only: commits since the last checkpoint */
  int checkpoint_off; /* storage thread only: the store has no log to checkpoint */

  /* Guarded by mu. */
  uv_mutex_t mu;
  uv_cond_t work_cv;    /* the thread waits here for ops, a sync call or stop */
  uv_cond_t sync_cv;    /* run_sync's caller waits here */
  op_list_t queue;      /* submitted, not yet taken by the thread */
  op_list_t background; /* submitted in the background, not yet taken */
  op_list_t completed;  /* done, waiting for the loop */
  int stopping;         /* close has begun: finish the queue, then exit */
  int fatal_rc;         /* first failed commit, 0 when none */
  int (*sync_fn)(mash_store_t *, void *);
  void *sync_arg;
  int sync_rc;
  int sync_done;
  mash_storage_stats_t stats;

  /* Loop thread only. */
  int fatal_reported;
  int closing;       /* mash_storage_close was called */
  int async_closing; /* uv_close was called on async */
  void (*close_cb)(void *arg);
  void *close_arg;
  void (*last)(mash_store_t *store, void *arg); /* mash_storage_set_last */
  void *last_arg;
};

static void list_push(op_list_t *l, mash_storage_op_t *op) {
  op->next = NULL;
  if (l->tail)
    l->tail->next = op;
  else
    l->head = op;
  l->tail = op;
}

static void list_append(op_list_t *l, op_list_t *other) {
  if (!other->head)
    return;
  if (l->tail)
    l->tail->next = other->head;
  else
    l->head = other->head;
  l->tail = other->tail;
  other->head = other->tail = NULL;
}

/* ---- storage thread ---- */

static int run_op(mash_store_t *store, mash_storage_op_t *op) {
  switch (op->kind) {
  case MASH_OP_INTAKE:
    return mash_store_intake(store, &op->u.intake);
  case MASH_OP_CALL: {
    /* Several writes that stand or fall together, whatever the rest of the
     * batch does: a savepoint undoes a failed call's partial work. */
    int rc = mash_store_savepoint(store);
    if (rc < 0)
      return rc;
    rc = op->u.call.fn(store, op);
    int rel = mash_store_release(store, rc == 0);
    return rc < 0 ? rc : rel;
  }
  case MASH_OP_DELIVERED:
    return mash_store_delivered(store, op->u.delivered.message_id, op->u.delivered.principal,
                                op->u.delivered.at_ms);
  }
  return -EINVAL;
}

static void fail_all(op_list_t *batch, int rc) {
  for (mash_storage_op_t *op = batch->head; op; op = op->next)
    op->rc = rc;
}

/* Run one batch in one transaction. Returns 0, or the error of a failed
 * begin or commit, in which case every op of the batch carries it: their
 * effects were rolled back, so none may be acknowledged. An op that fails
 * on its own keeps its own rc and does not stop the others committing. */
static int run_batch(mash_store_t *store, op_list_t *batch, uint64_t *commit_us) {
  int rc = mash_store_begin(store);
  if (rc < 0) {
    fail_all(batch, rc);
    return rc;
  }
  /* SQLite may end the transaction by itself on an error (a full disk):
   * the ops after it would then run, and commit one by one, outside it,
   * half an intake on disk and all of it reported failed. They are not
   * run; the commit fails, and the whole batch with it. */
  int open = 1;
  for (mash_storage_op_t *op = batch->head; op; op = op->next) {
    op->rc = open ? run_op(store, op) : -ECANCELED;
    open = open && mash_store_txn_open(store) != 0;
  }
  uint64_t t0 = uv_hrtime();
  rc = mash_store_commit(store);
  *commit_us = (uv_hrtime() - t0) / 1000;
  if (rc < 0) {
    mash_store_rollback(store);
    fail_all(batch, rc);
    return rc;
  }
  return 0;
}

/* Checkpoint when the log holds at least min_pages (unlocked: the store is
 * this thread's). A store without checkpoints (-ENOSYS) is not asked again;
 * a failure is counted and retried later: the log is still durable, only
 * longer. */
static void s_checkpoint(mash_storage_t *st, unsigned min_pages) {
  if (st->checkpoint_off || !st->checkpoint_due) {
    return;
  }
  uint64_t t0 = uv_hrtime();
  int rc = mash_store_checkpoint(st->store, min_pages);
  uint64_t us = (uv_hrtime() - t0) / 1000;
  if (rc == -ENOSYS) {
    st->checkpoint_off = 1;
    return;
  }
  if (rc == 0) {
    return; /* below min_pages */
  }
  if (rc > 0) {
    st->checkpoint_due = 0;
  }
  uv_mutex_lock(&st->mu);
  if (rc > 0) {
    st->stats.checkpoints++;
    st->stats.checkpoint_pages += (uint64_t)rc;
    st->stats.checkpoint_sum_us += us;
  } else {
    st->stats.failed_checkpoints++;
  }
  uv_mutex_unlock(&st->mu);
}

static void thread_main(void *arg) {
  mash_storage_t *st = arg;
  int solo_due = 0; /* a solo background op waits for its turn */
  uv_mutex_lock(&st->mu);
  for (;;) {
    if (st->sync_fn) {
      int (*fn)(mash_store_t *, void *) = st->sync_fn;
      void *fn_arg = st->sync_arg;
      uv_mutex_unlock(&st->mu);
      int rc = fn(st->store, fn_arg);
      uv_mutex_lock(&st->mu);
      st->sync_fn = NULL;
      st->sync_rc = rc;
      st->sync_done = 1;
      uv_cond_signal(&st->sync_cv);
      continue;
    }
    if (st->stopping && st->background.head) {
      /* Closing: background work is not finished, it is cancelled (its
       * owner redoes it on the next start). */
      for (mash_storage_op_t *op = st->background.head; op; op = op->next)
        op->rc = -ECANCELED;
      list_append(&st->completed, &st->background);
      uv_mutex_unlock(&st->mu);
      uv_async_send(&st->async);
      uv_mutex_lock(&st->mu);
      continue;
    }
    if (st->queue.head || st->background.head) {
      /* Take everything queued, up to max_batch: ops that arrived while the
       * last commit was waiting on fsync share the next one. Then a few
       * background ops. */
      op_list_t batch = {NULL, NULL};
      unsigned n = 0;
      /* A solo background op passed over for the last foreground batch
       * takes this turn alone: never more than one batch behind. */
      int solo_turn = solo_due && st->background.head && st->background.head->solo;
      solo_due = 0;
      while (!solo_turn && st->queue.head && n < st->max_batch) {
        mash_storage_op_t *op = st->queue.head;
        st->queue.head = op->next;
        list_push(&batch, op);
        n++;
      }
      unsigned nb = 0, max_nb = n > 0 ? BACKGROUND_WITH_FOREGROUND : BACKGROUND_ALONE;
      while (st->background.head && nb < max_nb) {
        mash_storage_op_t *op = st->background.head;
        if (op->solo && (n > 0 || nb > 0)) {
          /* Its own transaction, after these: the receipts of this batch
           * do not wait for its work. */
          solo_due = n > 0;
          break;
        }
        st->background.head = op->next;
        list_push(&batch, op);
        nb++;
        if (op->solo)
          break;
      }
      if (!st->background.head)
        st->background.tail = NULL;
      n += nb;
      if (!st->queue.head)
        st->queue.tail = NULL;
      int fatal = st->fatal_rc;
      unsigned checkpoint_pages = st->checkpoint_pages;
      uv_mutex_unlock(&st->mu);

      int rc = 0;
      uint64_t commit_us = 0;
      if (fatal)
        fail_all(&batch, -ECANCELED);
      else
        rc = run_batch(st->store, &batch, &commit_us);
      mash_store_person_cache_t cache;
      if (fatal || mash_store_person_cache(st->store, &cache) != 0)
        memset(&cache, 0, sizeof cache); /* none held */

      uv_mutex_lock(&st->mu);
      if (!fatal) {
        st->stats.person_cache = cache;
        st->stats.batches++;
        st->stats.ops += n;
        /* Commit latency, for /metrics: the first bucket it fits, and every
         * bucket above it (cumulative, as Prometheus counts). */
        for (size_t b = 0; b < MASH_STORAGE_COMMIT_BUCKETS; b++)
          if (b + 1 == MASH_STORAGE_COMMIT_BUCKETS || commit_us <= mash_storage_commit_le_us[b])
            st->stats.commit_buckets[b]++;
        st->stats.commit_sum_us += commit_us;
      }
      if (rc < 0) {
        st->stats.failed_commits++;
        if (!st->fatal_rc)
          st->fatal_rc = rc;
      }
      list_append(&st->completed, &batch);
      uv_mutex_unlock(&st->mu);
      uv_async_send(&st->async);
      /* After the completions are posted: a checkpoint never holds back
       * the receipts of the batch before it. */
      if (!fatal && rc == 0) {
        st->checkpoint_due = 1;
        s_checkpoint(st, checkpoint_pages);
      }
      uv_mutex_lock(&st->mu);
      continue;
    }
    if (st->stopping)
      break;
    if (st->checkpoint_due && !st->checkpoint_off && !st->fatal_rc) {
      /* Idle for a moment with committed pages in the log: copy them back
       * now, while nothing waits for the thread. */
      int timed_out =
          uv_cond_timedwait(&st->work_cv, &st->mu, (uint64_t)st->checkpoint_idle_ms * 1000000u) ==
          UV_ETIMEDOUT;
      if (timed_out && !st->queue.head && !st->background.head && !st->sync_fn && !st->stopping) {
        uv_mutex_unlock(&st->mu);
        s_checkpoint(st, 1);
        uv_mutex_lock(&st->mu);
      }
      continue;
    }
    uv_cond_wait(&st->work_cv, &st->mu);
  }
  uv_mutex_unlock(&st->mu);
}

/* ---- loop thread ---- */

/* Call the done_cb of every completed op, then fatal_cb if a commit has
 * failed. Returns the number of ops delivered. The list is taken whole
 * under the lock, so a done_cb may submit again or even close. */
static unsigned deliver(mash_storage_t *st) {
  uv_mutex_lock(&st->mu);
  mash_storage_op_t *op = st->completed.head;
  st->completed.head = st->completed.tail = NULL;
  int fatal = st->fatal_rc;
  uv_mutex_unlock(&st->mu);

  unsigned n = 0;
  while (op) {
    mash_storage_op_t *next = op->next;
    op->next = NULL;
    if (op->done_cb)
      op->done_cb(op);
    op = next;
    n++;
  }
  /* After the failed batch's own completions, so that each waiting client
   * has been told before the broker starts to stop. Not once close has
   * begun: the owner is already stopping (fatal_cb would typically call
   * close again), and each failed op's rc carries the error. */
  if (fatal && !st->fatal_reported && !st->closing) {
    st->fatal_reported = 1;
    if (st->fatal_cb)
      st->fatal_cb(st->fatal_arg, fatal);
  }
  return n;
}

static void on_async(uv_async_t *handle) {
  /* uv_async_send coalesces: one call here may stand for many batches, and
   * deliver takes everything completed so far. */
  deliver(handle->data);
}

static void on_async_closed(uv_handle_t *handle);

static void destroy_sync(mash_storage_t *st) {
  uv_cond_destroy(&st->sync_cv);
  uv_cond_destroy(&st->work_cv);
  uv_mutex_destroy(&st->mu);
}

mash_storage_t *mash_storage_new(uv_loop_t *loop, mash_store_t **store, unsigned max_batch,
                                 mash_storage_fatal_cb fatal_cb, void *arg) {
  if (!store || !*store)
    return NULL;
  if (!loop) {
    mash_store_destroy(store);
    return NULL;
  }
  mash_storage_t *st = calloc(1, sizeof *st);
  if (!st) {
    mash_store_destroy(store);
    return NULL;
  }
  st->loop = loop;
  st->store = *store;
  *store = NULL;
  st->max_batch = max_batch ? max_batch : DEFAULT_MAX_BATCH;
  st->checkpoint_idle_ms = DEFAULT_CHECKPOINT_IDLE_MS;
  st->checkpoint_pages = DEFAULT_CHECKPOINT_PAGES;
  st->fatal_cb = fatal_cb;
  st->fatal_arg = arg;
  if (uv_mutex_init(&st->mu) != 0)
    goto fail_free;
  if (uv_cond_init(&st->work_cv) != 0) {
    uv_mutex_destroy(&st->mu);
    goto fail_free;
  }
  if (uv_cond_init(&st->sync_cv) != 0) {
    uv_cond_destroy(&st->work_cv);
    uv_mutex_destroy(&st->mu);
    goto fail_free;
  }
  /* The async handle first: once it is initialised, freeing st needs a
   * close callback, so nothing after it may fail except the thread, which
   * we handle by closing. The thread only sends after a submit. */
  if (uv_async_init(loop, &st->async, on_async) != 0) {
    destroy_sync(st);
    goto fail_free;
  }
  st->async.data = st;
  if (uv_thread_create(&st->thread, thread_main, st) != 0) {
    /* Nothing was queued, so closing now delivers nothing and frees st. */
    st->stopping = 1;
    mash_store_destroy(&st->store);
    st->async_closing = 1;
    uv_close((uv_handle_t *)&st->async, on_async_closed);
    return NULL;
  }
  return st;
fail_free:
  mash_store_destroy(&st->store);
  free(st);
  return NULL;
}

static void s_submit(mash_storage_t *st, mash_storage_op_t *op, op_list_t *to);

void mash_storage_submit(mash_storage_t *st, mash_storage_op_t *op) {
  assert(st && op);
  s_submit(st, op, &st->queue);
}

void mash_storage_submit_background(mash_storage_t *st, mash_storage_op_t *op) {
  assert(st && op);
  s_submit(st, op, &st->background);
}

static void s_submit(mash_storage_t *st, mash_storage_op_t *op, op_list_t *to) {
  uv_mutex_lock(&st->mu);
  if (st->stopping || st->fatal_rc) {
    /* Completed, not run: still through the loop, never reentrantly from
     * inside submit, so callers see one calling convention. */
    op->rc = -ECANCELED;
    list_push(&st->completed, op);
    uv_mutex_unlock(&st->mu);
    if (!st->async_closing)
      uv_async_send(&st->async);
    return;
  }
  list_push(to, op);
  uv_cond_signal(&st->work_cv);
  uv_mutex_unlock(&st->mu);
}

int mash_storage_run_sync(mash_storage_t *st, int (*fn)(mash_store_t *, void *), void *arg) {
  if (!st || !fn)
    return -EINVAL;
  uv_mutex_lock(&st->mu);
  if (st->stopping) {
    uv_mutex_unlock(&st->mu);
    return -ECANCELED;
  }
  /* One loop thread, one caller at a time: sync_fn is free here. */
  assert(!st->sync_fn);
  st->sync_fn = fn;
  st->sync_arg = arg;
  st->sync_done = 0;
  uv_cond_signal(&st->work_cv);
  while (!st->sync_done)
    uv_cond_wait(&st->sync_cv, &st->mu);
  int rc = st->sync_rc;
  uv_mutex_unlock(&st->mu);
  return rc;
}

const uint64_t mash_storage_commit_le_us[MASH_STORAGE_COMMIT_BUCKETS] = {
    100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 1000000, 0};

void mash_storage_set_checkpoints(mash_storage_t *st, unsigned idle_ms, unsigned max_pages) {
  uv_mutex_lock(&st->mu);
  st->checkpoint_idle_ms = idle_ms ? idle_ms : DEFAULT_CHECKPOINT_IDLE_MS;
  st->checkpoint_pages = max_pages ? max_pages : DEFAULT_CHECKPOINT_PAGES;
  uv_mutex_unlock(&st->mu);
}

void mash_storage_get_stats(mash_storage_t *st, mash_storage_stats_t *out) {
  uv_mutex_lock(&st->mu);
  *out = st->stats;
  uv_mutex_unlock(&st->mu);
}

static void on_async_closed(uv_handle_t *handle) {
  mash_storage_t *st = handle->data;
  /* Ops submitted by done_cbs during close completed with -ECANCELED. */
  while (deliver(st) > 0) {
  }
  void (*close_cb)(void *) = st->close_cb;
  void *close_arg = st->close_arg;
  destroy_sync(st);
  free(st);
  if (close_cb)
    close_cb(close_arg);
}

void mash_storage_set_last(mash_storage_t *st, void (*last)(mash_store_t *store, void *arg),
                           void *arg) {
  st->last = last;
  st->last_arg = arg;
}

void mash_storage_close(mash_storage_t *st, void (*close_cb)(void *arg), void *arg) {
  assert(st && !st->closing);
  st->closing = 1;
  st->close_cb = close_cb;
  st->close_arg = arg;
  uv_mutex_lock(&st->mu);
  st->stopping = 1;
  uv_cond_signal(&st->work_cv);
  uv_mutex_unlock(&st->mu);
  /* The loop blocks here while the thread finishes what was queued: this
   * is shutdown, and every queued op must be stored or failed, not lost. */
  uv_thread_join(&st->thread);
  if (st->last && st->store) {
    st->last(st->store, st->last_arg);
  }
  mash_store_destroy(&st->store);
  while (deliver(st) > 0) {
  }
  st->async_closing = 1;
  uv_close((uv_handle_t *)&st->async, on_async_closed);
}
