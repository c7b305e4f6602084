/* console: the operations console's side of the router (role ops).
 *
 * Responsible for: answering an OpsQuery (the message table lets only the
 * ops role send it) from what the loop knows now (every principal of the
 * trust list and when it was heard, counters, the outbox by target, commit
 * latency) and the store's figures, read in the background by ops.c; and
 * the live feed: each escalation step sent as it is stored to every
 * console heard lately.
 * Must not: change anything, or send child data: a report holds ids,
 * counts, times and principals. Loop thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "router_int.h"

int64_t mash_router_silent_ms(const mash_router_t *r) {
  /* Three heartbeats, never less than 10 s: the agents' own interval is
   * theirs to set (2 s by default). */
  int64_t silent = 3 * (int64_t)r->cfg.heartbeat_ms;
  return silent > 10000 ? silent : 10000;
}

static void s_named(mash_ops_named_t *x, size_t *n, size_t cap, const char *name, int64_t v) {
  for (size_t i = 0; i < *n; i++) {
    if (strcmp(x[i].name, name) == 0) {
      x[i].n += v;
      return;
    }
  }
  if (*n < cap) {
    snprintf(x[*n].name, sizeof x[*n].name, "%s", name);
    x[(*n)++].n = v;
  }
}

static void s_depth_cb(const char *target, void *arg) {
  mash_ops_live_t *l = arg;
  s_named(l->outbox, &l->n_outbox, MASH_OPS_CLIENTS, target, 1);
}

static int64_t s_depth(const mash_ops_live_t *l, const char *target) {
  for (size_t i = 0; i < l->n_outbox; i++) {
    if (strcmp(l->outbox[i].name, target) == 0) {
      return l->outbox[i].n;
    }
  }
  return 0;
}

/* What the loop knows now. Every time is on the broker's clock. */
static void s_live(mash_router_t *r, mash_ops_live_t *l) {
  int64_t wall = mash_clock_now_ms(), silent = mash_router_silent_ms(r);
  memset(l, 0, sizeof *l);
  l->now_ms = mash_clock_read(r->cfg.clock);
  l->wall_now_ms = wall;
  mash_outbox_each_pending(r->outbox, s_depth_cb, l);
  for (size_t i = 0; i < mash_trust_count(r->trust) && l->n_clients < MASH_OPS_CLIENTS; i++) {
    const mash_key_t *k = mash_trust_at(r->trust, i);
    mash_ops_client_t *c = &l->clients[l->n_clients++];
    snprintf(c->principal, sizeof c->principal, "%s", k->principal);
    snprintf(c->role, sizeof c->role, "%s", k->role);
    int64_t seen = mash_ops_last_seen(r->ops, k->principal);
    c->connected = seen > 0 && wall - seen <= silent;
    c->last_seen_ms = seen > 0 ? l->now_ms - (wall - seen) : 0;
    c->outbox_depth =
        s_depth(l, k->principal) + (strcmp(k->role, "hub") == 0 ? s_depth(l, MASH_OUTBOX_HUB) : 0);
  }
  mash_outbox_stats_t ob;
  mash_outbox_get_stats(r->outbox, &ob);
  const mash_router_counts_t *n = &r->n;
  const struct {
    const char *name;
    unsigned long v;
  } counters[] = {{"intake", n->accepted + n->duplicates + n->replaced},
                  {"accepted", n->accepted},
                  {"duplicate", n->duplicates},
                  {"rejected", n->rejected + n->forbidden},
                  {"delivered", ob.acked},
                  {"sent", ob.sent},
                  {"received", n->received},
                  {"escalations", n->escalations},
                  {"quarantined", n->quarantined > n->replaced ? n->quarantined - n->replaced : 0},
                  {"replaced", n->replaced},
                  {"throttled", n->throttled},
                  {"store_reconnects", r->cfg.store_reconnects}},
    reasons[] = {{"invalid", n->rejected},
                 {"forbidden", n->forbidden},
                 {"malformed", n->malformed - n->oversized},
                 {"oversized", n->oversized},
                 {"adapter", n->adapter_rejected},
                 {"unsupported", n->unsupported},
                 {"unauthenticated", n->unauthenticated}};
  for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
    s_named(l->counters, &l->n_counters, 16, counters[i].name, (int64_t)counters[i].v);
  }
  for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
    s_named(l->rejections, &l->n_rejections, 8, reasons[i].name, (int64_t)reasons[i].v);
  }
  mash_storage_get_stats(r->storage, &l->storage);
  l->store_ok = n->store_failures == 0 && l->storage.failed_commits == 0;
}

static void s_done_cb(void *arg, const uint8_t *rid, size_t rid_len, Mash__V1__Envelope *env) {
  mash_router_t *r = arg;
  if (env) {
    mash_router_send_env(r, rid, rid_len, env);
  } else if (!r->closing) {
    mash_router_send_error(r, rid, rid_len, "", MASH__V1__ERROR_CODE__ERROR_CODE_INTERNAL,
                           "the figures could not be read; ask again");
  }
  r->ops_outstanding--;
  mash_router_maybe_free(r);
}

MASH_ROUTER_HANDLER(ops_query) {
  (void)k;
  (void)body;
  (void)tx_kind;
  mash_ops_live_t *live = malloc(sizeof *live);
  if (!live) {
    return; /* the console asks again */
  }
  s_live(r, live);
  if (mash_ops_answer(r->ops, r->storage, live, env->ops_query, env->message_id, zmq_msg_data(rid),
                      zmq_msg_size(rid), s_done_cb, r) == 0) {
    r->ops_outstanding++;
  }
  free(live);
}

/* An adapter's report of a file it refused: stored (once per message id),
 * then counted and receipted; the adapter resends until it has the receipt. */
typedef struct s_rejection_ctx {
  mash_storage_op_t op; /* first: a mash_storage_op_t * is an s_rejection_ctx_t * */
  mash_router_t *r;
  uint8_t rid[256];
  size_t rid_len;
  char principal[MASH_PRINCIPAL_LEN];
  char message_id[MASH_MAX_ID_LEN + 1];
  char reason[MASH_MAX_ID_LEN + 1];
  char fields[MASH_MAX_REJECTION_FIELDS * 97];
  int64_t at_ms;
  int stored; /* 1 new, 0 a resend */
} s_rejection_ctx_t;

static int s_rejection_fn(mash_store_t *store, mash_storage_op_t *op) {
  s_rejection_ctx_t *c = (s_rejection_ctx_t *)op;
  int rc = mash_store_adapter_rejection_put(store, c->principal, c->message_id, c->reason,
                                            c->fields, c->at_ms);
  c->stored = rc == 1;
  return rc < 0 ? rc : 0;
}

static void s_rejection_done_cb(mash_storage_op_t *op) {
  s_rejection_ctx_t *c = (s_rejection_ctx_t *)op;
  mash_router_t *r = c->r;
  if (op->rc != 0) {
    r->n.store_failures++;
    mash_error_limited("cannot store %s's report %s (%d); it will be resent", c->principal,
                       c->message_id, op->rc);
    mash_router_send_error(r, c->rid, c->rid_len, c->message_id,
                           MASH__V1__ERROR_CODE__ERROR_CODE_INTERNAL,
                           "the report could not be stored; resend later");
  } else {
    if (c->stored) {
      r->n.adapter_rejected++;
      mash_ops_note_adapter_rejected(r->ops, c->principal, c->fields);
      /* The reference (a file name) may say who the file is about: not logged. */
      mash_warn_limited("%s's adapter refused a file (%s, message %s)%s%.80s", c->principal,
                        c->reason, c->message_id, c->fields[0] ? ": " : "", c->fields);
    }
    mash_router_send_receipt(r, c->rid, c->rid_len, c->message_id,
                             c->stored ? MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED
                                       : MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_DUPLICATE,
                             NULL, NULL);
  }
  free(c);
  r->ops_outstanding--;
  mash_router_maybe_free(r);
}

MASH_ROUTER_HANDLER(adapter_rejection) {
  (void)body;
  (void)tx_kind;
  const Mash__V1__AdapterRejection *a = env->adapter_rejection;
  s_rejection_ctx_t *c = calloc(1, sizeof *c);
  if (!c || zmq_msg_size(rid) > sizeof c->rid) {
    free(c);
    mash_router_send_error(r, zmq_msg_data(rid), zmq_msg_size(rid), env->message_id,
                           MASH__V1__ERROR_CODE__ERROR_CODE_INTERNAL,
                           "out of memory; resend later");
    return;
  }
  c->r = r;
  c->rid_len = zmq_msg_size(rid);
  memcpy(c->rid, zmq_msg_data(rid), c->rid_len);
  /* Counted for the principal of the CURVE key, never a payload field. */
  snprintf(c->principal, sizeof c->principal, "%s", k->principal);
  snprintf(c->message_id, sizeof c->message_id, "%s", env->message_id);
  snprintf(c->reason, sizeof c->reason, "%s", a->reason);
  size_t used = 0;
  for (size_t i = 0; i < a->n_fields; i++) {
    int w =
        snprintf(c->fields + used, sizeof c->fields - used, "%s%s", i ? "\n" : "", a->fields[i]);
    if (w < 0 || (size_t)w >= sizeof c->fields - used) {
      break;
    }
    used += (size_t)w;
  }
  c->at_ms = mash_clock_read(r->cfg.clock);
  c->op.kind = MASH_OP_CALL;
  c->op.u.call.fn = s_rejection_fn;
  c->op.done_cb = s_rejection_done_cb;
  r->ops_outstanding++;
  mash_storage_submit(r->storage, &c->op);
}

static int s_seed_cb(const char *principal, const char *fields, void *arg) {
  mash_ops_note_adapter_rejected(arg, principal, fields);
  return 0;
}

int mash_router_seed_rejections(mash_router_t *r, mash_store_t *store) {
  return mash_store_adapter_rejections(store, s_seed_cb, r->ops);
}

void mash_router_ops_feed(mash_router_t *r, const mash_tx_t *tx) {
  int64_t wall = mash_clock_now_ms(), silent = mash_router_silent_ms(r);
  char last[MASH_MAX_ID_LEN + 1] = "";
  for (size_t i = 0; i < tx->n_msgs && r->rz; i++) {
    mash_errors_t errs;
    memset(&errs, 0, sizeof errs);
    Mash__V1__Envelope *env = mash_codec_decode(tx->msgs[i].frame, tx->msgs[i].len, &errs);
    /* One step goes to several parties: send it to the consoles once. */
    if (env && env->body_case == MASH__V1__ENVELOPE__BODY_ESCALATION &&
        strcmp(env->escalation->escalation_id, last) != 0) {
      snprintf(last, sizeof last, "%s", env->escalation->escalation_id);
      for (size_t j = 0; j < mash_trust_count(r->trust); j++) {
        const mash_key_t *k = mash_trust_at(r->trust, j);
        int64_t seen = mash_ops_last_seen(r->ops, k->principal);
        const mash_route_t *rt = strcmp(k->role, "ops") == 0 && seen > 0 && wall - seen <= silent
                                     ? mash_routes_find(r->routes, k->principal)
                                     : NULL;
        if (rt) {
          /* Live only, never retried: a console that missed a step sees it
           * in its figures at its next question. */
          const void *bufs[2] = {rt->rid, tx->msgs[i].frame};
          size_t lens[2] = {rt->rid_len, tx->msgs[i].len};
          mash_zsock_send(r->rz, bufs, lens, 2);
        }
      }
    }
    mash_codec_free(env);
  }
}
