/* watch: open requests, their escalation state, and the one timer.
 * Responsible for: asking the ladder what is due and handing it to the
 * storage thread; never two escalations of one request in flight. Must not:
 * write to the store itself or send messages. */
#include "watch.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

typedef struct s_item {
  mash_watch_item_t it;
  int busy; /* an ESCALATE transaction is in flight */
} s_item_t;

struct mash_watch {
  uv_loop_t *loop;
  const mash_clock_t *clock;
  const mash_enquiry_env_t *env;
  mash_storage_t *storage;
  mash_watch_submit_fn submit;
  void *ctx;
  uv_timer_t timer;
  s_item_t *items;
  size_t n, cap;
  int closing;
  void (*close_cb)(void *arg);
  void *close_arg;
};

typedef struct {
  const mash_enquiry_env_t *env;
  const mash_watch_item_t *it;
} s_at_ctx_t;

static int64_t s_at(void *ctx, int permille) {
  s_at_ctx_t *c = ctx;
  return mash_deadline_at_fraction(c->env->policy, c->env->calendar, (Mash__V1__Rag)c->it->rag,
                                   c->it->requested_at_ms, c->it->due_at_ms, permille);
}

static void s_advance(const mash_watch_t *w, const mash_watch_item_t *it, int64_t now,
                      mash_ladder_result_t *out) {
  mash_ladder_state_t st = {.level = it->level, .fired_at_ms = it->level_at_ms, .closed = false};
  s_at_ctx_t c = {w->env, it};
  mash_ladder_advance(w->env->ladder, &st, s_at, &c, now, out);
}

static void s_arm(mash_watch_t *w);

static void s_timer_cb(uv_timer_t *t) {
  mash_watch_t *w = t->data;
  int64_t now = mash_clock_read(w->clock);
  for (size_t i = 0; i < w->n && !w->closing; i++) {
    s_item_t *si = &w->items[i];
    if (si->busy) {
      continue;
    }
    mash_ladder_result_t res;
    s_advance(w, &si->it, now, &res);
    if (res.n_actions == 0) {
      continue;
    }
    mash_tx_t *tx = mash_tx_new(MASH_TX_ESCALATE, w->env, "", "", NULL, 0, now);
    if (!tx) {
      break; /* tried again at the next firing */
    }
    tx->item = si->it;
    tx->n_actions = res.n_actions < MASH_TX_MAX_ACTIONS ? res.n_actions : MASH_TX_MAX_ACTIONS;
    memcpy(tx->actions, res.actions, tx->n_actions * sizeof tx->actions[0]);
    tx->new_level = res.state.level;
    /* Busy until settled: the next firing must not ask for the same steps. */
    si->busy = 1;
    w->submit(tx, w->ctx);
  }
  s_arm(w);
}

/* One timer at the earliest instant anything is due. */
static void s_arm(mash_watch_t *w) {
  if (w->closing) {
    return;
  }
  int64_t now = mash_clock_read(w->clock);
  int64_t next = MASH_LADDER_NEVER;
  for (size_t i = 0; i < w->n; i++) {
    if (w->items[i].busy) {
      continue;
    }
    mash_ladder_result_t res;
    s_advance(w, &w->items[i].it, now, &res);
    int64_t at = res.n_actions ? now : res.next_ms;
    if (at < next) {
      next = at;
    }
  }
  if (next == MASH_LADDER_NEVER) {
    uv_timer_stop(&w->timer);
    return;
  }
  uint64_t delay = mash_clock_real_delay(w->clock, next);
  /* Cap the sleep so a wall-clock jump is noticed within a minute. */
  uv_timer_start(&w->timer, s_timer_cb, delay < 60000 ? delay : 60000, 0);
}

mash_watch_t *mash_watch_new(uv_loop_t *loop, const mash_clock_t *clock,
                             const mash_enquiry_env_t *env, mash_storage_t *storage,
                             mash_watch_submit_fn submit, void *ctx) {
  mash_watch_t *w = calloc(1, sizeof *w);
  if (!w) {
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

static s_item_t *s_find(mash_watch_t *w, const char *request_id) {
  for (size_t i = 0; i < w->n; i++) {
    if (strcmp(w->items[i].it.request_id, request_id) == 0) {
      return &w->items[i];
    }
  }
  return NULL;
}

void mash_watch_add(mash_watch_t *w, const mash_watch_item_t *item) {
  if (s_find(w, item->request_id)) {
    return;
  }
  if (w->n == w->cap) {
    size_t cap = w->cap ? w->cap * 2 : 64;
    s_item_t *n = realloc(w->items, cap * sizeof *n);
    if (!n) {
      mash_error("out of memory: request %s not watched until restart", item->request_id);
      return;
    }
    w->items = n;
    w->cap = cap;
  }
  memset(&w->items[w->n], 0, sizeof w->items[w->n]);
  w->items[w->n++].it = *item;
  s_arm(w);
}

static void s_remove_at(mash_watch_t *w, size_t i) {
  w->items[i] = w->items[--w->n];
}

void mash_watch_remove_request(mash_watch_t *w, const char *request_id) {
  for (size_t i = 0; i < w->n; i++) {
    if (strcmp(w->items[i].it.request_id, request_id) == 0) {
      s_remove_at(w, i);
      break;
    }
  }
  s_arm(w);
}

void mash_watch_remove_enquiry(mash_watch_t *w, const char *enquiry_id) {
  for (size_t i = 0; i < w->n;) {
    if (strcmp(w->items[i].it.enquiry_id, enquiry_id) == 0) {
      s_remove_at(w, i);
    } else {
      i++;
    }
  }
  s_arm(w);
}

void mash_watch_settled(mash_watch_t *w, const mash_tx_t *tx) {
  s_item_t *si = s_find(w, tx->item.request_id);
  if (!si) {
    return;
  }
  si->busy = 0;
  if (tx->op.rc == 0) {
    si->it.level = tx->new_level;
    si->it.level_at_ms = tx->now_ms;
  }
  if (tx->unwatch_request[0]) {
    mash_watch_remove_request(w, tx->unwatch_request);
    return;
  }
  s_arm(w);
}

static int s_load_cb(const mash_watch_item_t *it, void *arg) {
  mash_watch_t *w = arg;
  if (w->n == w->cap) {
    size_t cap = w->cap ? w->cap * 2 : 64;
    s_item_t *n = realloc(w->items, cap * sizeof *n);
    if (!n) {
      return 1;
    }
    w->items = n;
    w->cap = cap;
  }
  memset(&w->items[w->n], 0, sizeof w->items[w->n]);
  w->items[w->n++].it = *it;
  return 0;
}

static int s_load_fn(mash_store_t *store, void *arg) {
  /* Storage thread, while the loop thread waits in run_sync. */
  return mash_enquiry_load_watch(store, s_load_cb, arg);
}

int mash_watch_load(mash_watch_t *w) {
  int rc = mash_storage_run_sync(w->storage, s_load_fn, w);
  if (rc == 0) {
    if (w->n) {
      mash_info("%zu open request(s) watched for escalation", w->n);
    }
    /* Fire at once whatever fell due while the broker was down. */
    s_arm(w);
  }
  return rc;
}

size_t mash_watch_count(const mash_watch_t *w) {
  return w->n;
}

static void s_closed(uv_handle_t *h) {
  mash_watch_t *w = h->data;
  void (*cb)(void *) = w->close_cb;
  void *arg = w->close_arg;
  free(w->items);
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
