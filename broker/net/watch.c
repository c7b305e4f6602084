/* watch: the timetable of open duties and the one timer. Responsible for
 * taking due duties in bounded slices and handing them to the storage
 * thread; never two transactions for one duty; after a slice's steps are
 * committed, telling the escalation log's thread to append them (a kick:
 * the log never holds the loop up). Must not: write to the store or the
 * log, send messages, or run a ladder (broker/txn/duty.c does). Loop
 * thread. */
#include "watch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "timetable.h"

/* ESCALATE transactions in flight at once: the storage thread runs them as
 * background work beside the ordinary batches. One: an intake batch then
 * waits behind at most one slice (bench-deadline: intake p99 113-143 ms with
 * one, about 200 ms with two, at half the storm throughput). */
#define S_MAX_INFLIGHT 1
/* Retry a slice whose transaction failed (or could not be made) after this
 * long, in real time. */
#define S_RETRY_MS 5000
/* The longest sleep: a wall-clock jump is noticed within it. */
#define S_MAX_SLEEP_MS 60000

struct mash_watch {
  uv_loop_t *loop;
  const mash_clock_t *clock;
  const mash_enquiry_env_t *env;
  mash_storage_t *storage;
  mash_watch_submit_fn submit;
  void *ctx;
  uv_timer_t timer;
  mash_timetable_t *tt;
  unsigned inflight;
  int closing;
  void (*close_cb)(void *arg);
  void *close_arg;
};

static void s_arm_timer(mash_watch_t *w, int64_t now);

/* Take due duties, a slice per transaction, while there is room in flight. */
static void s_pump(mash_watch_t *w) {
  if (w->closing) {
    return;
  }
  int64_t now = mash_clock_read(w->clock);
  while (w->inflight < S_MAX_INFLIGHT && mash_timetable_next(w->tt) <= now) {
    mash_tx_t *tx = mash_tx_new(MASH_TX_ESCALATE, w->env, "", "", NULL, 0, now);
    if (!tx) {
      break; /* tried again at the next firing */
    }
    mash_timetable_item_t due[MASH_TX_MAX_DUE];
    size_t k = mash_timetable_take(w->tt, now, due, MASH_TX_MAX_DUE);
    for (size_t i = 0; i < k; i++) {
      tx->due[i] = due[i].id;
    }
    tx->n_due = k;
    tx->op.solo = 1; /* its own transaction: intake's receipts go first */
    w->inflight++;
    w->submit(tx, w->ctx);
  }
  s_arm_timer(w, now);
}

static void s_timer_cb(uv_timer_t *t) {
  s_pump(t->data);
}

/* One timer at the earliest instant; none while the slices in flight will
 * pump again when they settle. */
static void s_arm_timer(mash_watch_t *w, int64_t now) {
  if (w->closing) {
    return;
  }
  int64_t next = mash_timetable_next(w->tt);
  if (w->inflight >= S_MAX_INFLIGHT || next == MASH_TIMETABLE_NEVER) {
    uv_timer_stop(&w->timer);
    return;
  }
  uint64_t delay = next <= now ? S_RETRY_MS : mash_clock_real_delay(w->clock, next);
  uv_timer_start(&w->timer, s_timer_cb, delay < S_MAX_SLEEP_MS ? delay : S_MAX_SLEEP_MS, 0);
}

mash_watch_t *mash_watch_new(uv_loop_t *loop, const mash_clock_t *clock,
                             const mash_enquiry_env_t *env, mash_storage_t *storage,
                             mash_watch_submit_fn submit, void *ctx) {
  mash_watch_t *w = calloc(1, sizeof *w);
  if (!w) {
    return NULL;
  }
  w->tt = mash_timetable_new();
  if (!w->tt) {
    free(w);
    return NULL;
  }
  w->loop = loop;
  w->clock = clock;
  w->env = env;
  w->storage = storage;
  w->submit = submit;
  w->ctx = ctx;
  uv_timer_init(loop, &w->timer);
  w->timer.data = w;
  return w;
}

void mash_watch_arm(mash_watch_t *w, uint64_t duty, int64_t next_at_ms) {
  if (mash_timetable_set(w->tt, duty, next_at_ms) != 0) {
    mash_error("out of memory: duty %llu not armed until restart", (unsigned long long)duty);
    return;
  }
  /* Only an earlier instant than the timer's can change it. */
  if (next_at_ms == mash_timetable_next(w->tt) && w->inflight < S_MAX_INFLIGHT) {
    s_pump(w);
  }
}

void mash_watch_disarm(mash_watch_t *w, uint64_t duty) {
  /* Absent is fine: in flight, or taken and dropped already. */
  (void)mash_timetable_remove(w->tt, duty);
}

void mash_watch_update(mash_watch_t *w, const mash_tx_t *tx) {
  for (size_t i = 0; i < tx->n_watch; i++) {
    mash_watch_arm(w, tx->watch[i].duty, tx->watch[i].next_at_ms);
  }
  /* A disarmed duty only makes the earliest instant later: the timer may
   * fire early and finds nothing due, which costs one look. */
  for (size_t i = 0; i < tx->n_unwatch; i++) {
    mash_watch_disarm(w, tx->unwatch[i]);
  }
}

void mash_watch_settled(mash_watch_t *w, const mash_tx_t *tx) {
  if (w->inflight > 0) {
    w->inflight--;
  }
  if (tx->op.rc == 0 && tx->n_escalations > 0) {
    mash_esclog_feed_kick(w->env->esclog_feed);
  }
  if (tx->op.rc != 0 && !w->closing) {
    /* Nothing of the slice was stored: every duty of it again, later. */
    int64_t at = mash_clock_read(w->clock) + S_RETRY_MS;
    for (size_t i = 0; i < tx->n_due; i++) {
      mash_watch_arm(w, tx->due[i], at);
    }
  }
  s_pump(w);
}

/* Start-up's load: the open duties gathered into one array, which the
 * timetable then adopts as its heap (mash_timetable_load: O(n), the index
 * sized once), rather than a million inserts each growing it. */
typedef struct {
  mash_timetable_item_t *items;
  size_t n, cap;
  int rc;
} s_load_t;

static int s_load_cb(uint64_t duty, int64_t next_at_ms, void *arg) {
  s_load_t *l = arg;
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 4096;
    mash_timetable_item_t *items = realloc(l->items, cap * sizeof *items);
    if (!items) {
      l->rc = -ENOMEM;
      return 1;
    }
    l->items = items;
    l->cap = cap;
  }
  l->items[l->n].id = duty;
  l->items[l->n].at_ms = next_at_ms;
  l->n++;
  return 0;
}

static int s_load_fn(mash_store_t *store, void *arg) {
  /* Storage thread, while the loop thread waits in run_sync. */
  s_load_t *l = arg;
  int rc = mash_store_duties_open(store, s_load_cb, l);
  return rc ? rc : l->rc;
}

/* Put the loaded duties on the timetable: adopted whole when it is empty
 * (start-up), one by one when something was armed before the load. */
static int s_load_arm(mash_watch_t *w, s_load_t *l) {
  if (mash_timetable_count(w->tt) == 0) {
    int rc = mash_timetable_load(w->tt, &l->items, l->n, l->cap);
    return rc == MASH_TIMETABLE_ENOMEM ? -ENOMEM : rc != 0 ? -EINVAL : 0;
  }
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < l->n; i++) {
    rc = mash_timetable_set(w->tt, l->items[i].id, l->items[i].at_ms) == 0 ? 0 : -ENOMEM;
  }
  free(l->items);
  l->items = NULL;
  return rc;
}

int mash_watch_load(mash_watch_t *w) {
  s_load_t l = {NULL, 0, 0, 0};
  int rc = mash_storage_run_sync(w->storage, s_load_fn, &l);
  if (rc == 0) {
    rc = s_load_arm(w, &l);
  }
  free(l.items);
  if (rc == 0) {
    size_t n = mash_timetable_count(w->tt);
    if (n) {
      mash_info("%zu open duty(ies) on the timetable", n);
    }
    /* Fire at once whatever fell due while the broker was down. */
    s_pump(w);
  }
  return rc;
}

size_t mash_watch_count(const mash_watch_t *w) {
  return mash_timetable_count(w->tt);
}

size_t mash_watch_memory(const mash_watch_t *w) {
  return mash_timetable_memory(w->tt);
}

static void s_closed(uv_handle_t *h) {
  mash_watch_t *w = h->data;
  void (*cb)(void *) = w->close_cb;
  void *arg = w->close_arg;
  mash_timetable_destroy(&w->tt);
  free(w);
  if (cb) {
    cb(arg);
  }
}

void mash_watch_close(mash_watch_t *w, void (*close_cb)(void *arg), void *arg) {
  w->closing = 1;
  w->close_cb = close_cb;
  w->close_arg = arg;
  uv_timer_stop(&w->timer);
  uv_close((uv_handle_t *)&w->timer, s_closed);
}
