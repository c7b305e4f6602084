/* resolve_queue: contacts waiting for resolution and the operation in
 * flight. See resolve_queue.h. */
#include "resolve_queue.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "errbuf.h"
#include "log.h"

#define MIN_PER_OP 4
#define MAX_PER_OP 16
#define MORE_PER_WAITING 64 /* one more contact per operation for this many waiting */

typedef struct s_op {
  mash_storage_op_t op; /* first: a mash_storage_op_t * is an s_op_t * */
  mash_resolve_queue_t *q;
  size_t n;
  mash_resolve_job_t jobs[MAX_PER_OP];
} s_op_t;

struct mash_resolve_queue {
  mash_storage_t *storage;
  mash_match_policy_t policy;
  mash_resolve_queue_cb cb;
  mash_resolve_queue_done_cb done;
  void *arg;
  char (*ids)[MASH_CONTACT_ID_LEN]; /* waiting: ids[head..n) */
  size_t head, n, cap;
  int busy;
  int stopped;
  size_t folded;   /* intakes in flight that resolve in their own transaction */
  size_t unfolded; /* intakes in flight whose contact will be queued */
};

mash_resolve_queue_t *mash_resolve_queue_new(mash_storage_t *storage, mash_match_policy_t policy,
                                             mash_resolve_queue_cb cb,
                                             mash_resolve_queue_done_cb done, void *arg) {
  mash_resolve_queue_t *q = calloc(1, sizeof *q);
  if (q) {
    q->storage = storage;
    q->policy = mash_match_policy_check(&policy) == 0 ? policy : mash_match_policy_default();
    q->cb = cb;
    q->done = done;
    q->arg = arg;
  }
  return q;
}

void mash_resolve_queue_destroy(mash_resolve_queue_t **q_p) {
  if (q_p && *q_p) {
    free((*q_p)->ids);
    free(*q_p);
    *q_p = NULL;
  }
}

int mash_resolve_queue_busy(const mash_resolve_queue_t *q) {
  return q->busy;
}

size_t mash_resolve_queue_waiting(const mash_resolve_queue_t *q) {
  return q->n - q->head;
}

void mash_resolve_queue_stop(mash_resolve_queue_t *q) {
  q->stopped = 1;
}

/* ---- the storage thread ---- */

/* Each contact in its own savepoint: one that fails does not undo the
 * others. One that cannot be resolved goes to the desk as it came, flagged,
 * rather than waiting for ever. */
int mash_resolve_queue_run_job(mash_store_t *store, mash_resolve_job_t *job) {
  int rc = mash_store_savepoint(store);
  if (rc == 0) {
    job->rc = mash_resolve_contact(store, job);
    rc = mash_store_release(store, job->rc == 0);
  }
  /* Held by another broker's transaction (-EBUSY): that one resolves it. */
  if (rc == 0 && job->rc != 0 && job->rc != -EBUSY) {
    rc = mash_store_savepoint(store);
    if (rc == 0) {
      job->gave_up = job->rc;
      job->rc = mash_resolve_give_up(store, job);
      rc = mash_store_release(store, job->rc == 0);
    }
  }
  return rc;
}

static int s_run(mash_store_t *store, mash_storage_op_t *op) {
  s_op_t *o = (s_op_t *)op;
  for (size_t i = 0; i < o->n; i++) {
    int rc = mash_resolve_queue_run_job(store, &o->jobs[i]);
    if (rc != 0) {
      return rc;
    }
  }
  return 0;
}

/* ---- the loop thread ---- */

static void s_done(mash_storage_op_t *op) {
  s_op_t *o = (s_op_t *)op;
  mash_resolve_queue_t *q = o->q;
  q->busy = 0;
  for (size_t i = 0; i < o->n; i++) {
    mash_resolve_job_t *job = &o->jobs[i];
    q->cb(q->arg, job, op->rc ? op->rc : job->rc);
    free(job->contact);
  }
  free(o);
  mash_resolve_queue_kick(q);
  if (q->done) {
    q->done(q->arg);
  }
}

void mash_resolve_queue_kick(mash_resolve_queue_t *q) {
  if (q->busy || q->stopped || q->head == q->n) {
    return;
  }
  s_op_t *o = calloc(1, sizeof *o);
  if (!o) {
    mash_error("out of memory: %zu contact(s) wait for resolution", q->n - q->head);
    return;
  }
  o->q = q;
  /* A few at a time, more when a backlog builds, so that it stays bounded:
   * each operation costs a commit and a round trip through the loop. */
  size_t waiting = q->n - q->head;
  size_t take = waiting / MORE_PER_WAITING > MIN_PER_OP ? waiting / MORE_PER_WAITING : MIN_PER_OP;
  while (o->n < take && o->n < MAX_PER_OP && q->head < q->n) {
    mash_resolve_job_t *job = &o->jobs[o->n++];
    memcpy(job->contact_id, q->ids[q->head++], sizeof job->contact_id);
    job->policy = q->policy;
  }
  if (q->head == q->n) {
    q->head = q->n = 0; /* all taken: start the queue again */
  }
  o->op.kind = MASH_OP_CALL;
  o->op.u.call.fn = s_run;
  o->op.done_cb = s_done;
  q->busy = 1;
  mash_storage_submit_background(q->storage, &o->op);
}

int mash_resolve_queue_intake_begin(mash_resolve_queue_t *q, mash_resolve_job_t *job) {
  /* Folding keeps the order received only while nothing received earlier
   * is still to be resolved: no contact waits, no operation is in flight,
   * and no earlier intake will queue its contact after this one commits. */
  int fold = !q->stopped && !q->busy && q->head == q->n && q->unfolded == 0 &&
             q->folded < MASH_RESOLVE_FOLD_MAX;
  if (fold) {
    memset(job, 0, sizeof *job);
    job->policy = q->policy;
    q->folded++;
  } else {
    q->unfolded++;
  }
  return fold;
}

void mash_resolve_queue_intake_done(mash_resolve_queue_t *q, int folded) {
  if (folded && q->folded > 0) {
    q->folded--;
  } else if (!folded && q->unfolded > 0) {
    q->unfolded--;
  }
}

static int s_push(mash_resolve_queue_t *q, const char *contact_id) {
  if (q->n == q->cap) {
    if (q->head > 0 && q->head >= q->cap / 2) { /* reuse the taken front half */
      memmove(q->ids, q->ids + q->head, (q->n - q->head) * sizeof *q->ids);
      q->n -= q->head;
      q->head = 0;
    } else {
      size_t cap = q->cap ? 2 * q->cap : 256;
      void *ids = realloc(q->ids, cap * sizeof *q->ids);
      if (!ids) {
        return -ENOMEM;
      }
      q->ids = ids;
      q->cap = cap;
    }
  }
  snprintf(q->ids[q->n++], MASH_CONTACT_ID_LEN, "%s", contact_id);
  return 0;
}

int mash_resolve_queue_add(mash_resolve_queue_t *q, const char *contact_id) {
  int rc = s_push(q, contact_id);
  if (rc != 0) {
    mash_error("out of memory: contact %s resolved on the next start", contact_id);
    return rc;
  }
  mash_resolve_queue_kick(q);
  return 0;
}

typedef struct s_load {
  mash_resolve_queue_t *q;
  size_t n;
  int rc;
  size_t counted;     /* person records whose names were counted at start */
  int64_t warm_bytes; /* the person index's look-up tables read at start */
  int64_t warm_ms;
  int warm_rc;                     /* the warm-up's failure: only slower, so not the start's */
  mash_store_person_cache_t cache; /* the summaries the warm-up put in memory */
} s_load_t;

static int s_load_cb(const char *contact_id, int64_t received_at_ms, const uint8_t *contact,
                     size_t len, void *arg) {
  (void)received_at_ms, (void)contact, (void)len;
  s_load_t *l = arg;
  l->rc = s_push(l->q, contact_id);
  l->n += l->rc == 0;
  return l->rc != 0;
}

static int s_load_fn(mash_store_t *store, void *arg) {
  /* Storage thread, while the loop thread waits in run_sync: the queue is
   * not touched by anything else meanwhile. */
  s_load_t *l = arg;
  /* A store made before term counts were kept counts its people first,
   * once: nothing is resolved before this. */
  int rc = mash_resolve_terms_backfill(store, &l->counted);
  /* The person index's look-up tables read once, so that the first
   * resolutions do not fault their pages in one by one (store.h). A store
   * that cannot is resolved cold. */
  uint64_t t0 = uv_hrtime();
  l->warm_rc = rc ? 0 : mash_store_person_warm(store, &l->warm_bytes);
  l->warm_ms = (int64_t)((uv_hrtime() - t0) / 1000000u);
  (void)mash_store_person_cache(store, &l->cache); /* none: zeros */
  rc = rc ? rc : mash_store_load_unresolved(store, s_load_cb, l);
  return rc ? rc : l->rc;
}

int mash_resolve_queue_load(mash_resolve_queue_t *q, size_t *n) {
  s_load_t l = {.q = q};
  int rc = mash_storage_run_sync(q->storage, s_load_fn, &l);
  if (l.warm_rc != 0 && l.warm_rc != -ENOSYS) {
    mash_warn("person index: its look-up tables could not be read ahead (%s): the first "
              "resolutions read them as they go",
              mash_strerror(l.warm_rc));
  } else if (l.warm_bytes > 0) {
    mash_info("person index: %.1f MiB of look-up tables read in %lld ms; %llu comparison "
              "summaries held in memory (%.1f MiB)%s",
              l.warm_bytes / 1048576.0, (long long)l.warm_ms, (unsigned long long)l.cache.entries,
              l.cache.bytes / 1048576.0,
              l.cache.refused > 0 ? ", the rest read as needed: raise summary_cache_mb" : "");
  }
  if (l.counted > 0) {
    mash_info("term counts: the names of %zu person record(s) counted (a store from before "
              "they were kept)",
              l.counted);
  }
  if (n) {
    *n = l.n;
  }
  if (rc == 0) {
    mash_resolve_queue_kick(q);
  }
  return rc;
}
