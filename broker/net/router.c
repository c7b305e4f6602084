/* router: the broker's message handling on the loop thread.
 *
 * Responsible for: identity (the ZAP User-Id on each message, never a
 * routing id or a payload field), decoding and validation, authorization,
 * the rule "receipt only after commit", and the hub-delivery outbox.
 * Must not: touch the database (the storage thread does), block, or log
 * child data (only ids, principals and counts).
 */
#include "router.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "codec.h"
#include "intake.h"
#include "resolve_queue.h"
#include "log.h"
#include "ops.h"
#include "uuid.h"
#include "watch.h"
#include "zap.h"
#include "zsock.h"

#define S_DELIVER_PREFIX "deliver-"
#define S_MAX_RID 256

typedef struct s_route {
  char principal[64];
  char role[16];
  uint8_t rid[S_MAX_RID];
  size_t rid_len;
  uint64_t last_seen;
  int64_t last_seen_ms; /* wall clock, for the console and disconnects */
  int silent;           /* logged as disconnected: heard nothing for 3 heartbeats */
} s_route_t;

typedef struct s_delivery {
  char contact_id[MASH_CONTACT_ID_LEN]; /* contacts (to the hub desk) */
  char message_id[MASH_UUID_LEN + 1];   /* outbox messages */
  char target[MASH_PRINCIPAL_LEN];      /* outbox messages: principal or "@hub" */
  uint8_t *frame;
  size_t len;
  int64_t next_at;
  unsigned attempts;
  int acking;
  int done;
} s_delivery_t;

struct mash_router {
  uv_loop_t *loop;
  mash_zsock_t *rz;
  mash_zsock_t *zz;
  uv_timer_t timer;
  const mash_trust_t *trust;
  mash_storage_t *storage;
  mash_router_config_t cfg;
  mash_router_stats_t stats;
  mash_zap_stats_t zap_stats;
  s_route_t *routes;
  size_t nroutes;
  uint64_t seen_seq;
  s_delivery_t **dl; /* in contact order; done entries compacted away */
  size_t ndl, capdl, ndone;
  s_delivery_t **ob; /* outbox messages (requests, escalations, packs) */
  size_t nob, capob;
  mash_resolve_queue_t *rq; /* stored contacts waiting for resolution */
  mash_watch_t *watch;
  mash_ops_t *ops;            /* the operations console's answers */
  int64_t counters_logged_ms; /* when the counters were last logged */
  char id_prefix[MASH_UUID_LEN + 1];
  uint64_t id_seq;
  unsigned ops_outstanding;
  int closing;
  int handles_open;
  void (*close_cb)(void *arg);
  void *close_arg;
};

typedef struct s_intake_ctx {
  mash_storage_op_t op; /* first: a mash_storage_op_t * is an s_intake_ctx_t * */
  mash_router_t *r;
  uint8_t rid[S_MAX_RID];
  size_t rid_len;
  char principal[64];
  char message_id[MASH_MAX_ID_LEN + 1];
  uint8_t *contact;
  char flags[256];
} s_intake_ctx_t;

typedef struct s_ack_ctx {
  mash_storage_op_t op;
  mash_router_t *r;
  s_delivery_t *d;
} s_ack_ctx_t;

static void s_maybe_free(mash_router_t *r);
static void s_ops_feed(mash_router_t *r, const mash_tx_t *tx);

/* ------------------------------------------------------------ sending */

static void s_send_env(mash_router_t *r, const uint8_t *rid, size_t rid_len,
                       Mash__V1__Envelope *env) {
  if (r->closing || !r->rz) {
    return;
  }
  /* Answers need unique ids, not secret ones: a random prefix drawn at start
   * and a counter (a fresh UUID per answer costs a system call). */
  char id[MASH_UUID_LEN + 24];
  snprintf(id, sizeof id, "%s-%llu", r->id_prefix, (unsigned long long)++r->id_seq);
  mash_envelope_init(env, id, mash_clock_now_ms());
  uint8_t *buf = NULL;
  size_t len = 0;
  if (mash_codec_encode(env, &buf, &len) != 0) {
    mash_error("cannot encode an answer");
    return;
  }
  const void *bufs[2] = {rid, buf};
  size_t lens[2] = {rid_len, len};
  int rc = mash_zsock_send(r->rz, bufs, lens, 2);
  if (rc != 0) {
    /* The client will resend: its outbox keeps the message until receipted. */
    mash_debug("answer not sent: %s", zmq_strerror(-rc));
  }
  free(buf);
}

static void s_send_receipt(mash_router_t *r, const uint8_t *rid, size_t rid_len,
                           const char *correlation, Mash__V1__ReceiptStatus status,
                           const char *contact_id, const mash_errors_t *errs) {
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Receipt rec = MASH__V1__RECEIPT__INIT;
  Mash__V1__FieldError fe[MASH_MAX_FIELD_ERRORS];
  Mash__V1__FieldError *fep[MASH_MAX_FIELD_ERRORS];
  rec.status = status;
  rec.contact_id = (char *)(contact_id ? contact_id : "");
  if (errs) {
    for (size_t i = 0; i < errs->count; i++) {
      mash__v1__field_error__init(&fe[i]);
      fe[i].field = (char *)errs->items[i].field;
      fe[i].message = (char *)errs->items[i].message;
      fep[i] = &fe[i];
    }
    rec.n_errors = errs->count;
    rec.errors = fep;
  }
  env.correlation_id = (char *)(correlation ? correlation : "");
  env.body_case = MASH__V1__ENVELOPE__BODY_RECEIPT;
  env.receipt = &rec;
  s_send_env(r, rid, rid_len, &env);
}

static void s_send_error(mash_router_t *r, const uint8_t *rid, size_t rid_len,
                         const char *correlation, Mash__V1__ErrorCode code, const char *text) {
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Error e = MASH__V1__ERROR__INIT;
  e.code = code;
  e.message = (char *)text;
  env.correlation_id = (char *)(correlation ? correlation : "");
  env.body_case = MASH__V1__ENVELOPE__BODY_ERROR;
  env.error = &e;
  s_send_env(r, rid, rid_len, &env);
}

/* ------------------------------------------------------------ routes */

static s_route_t *s_hub_route(mash_router_t *r) {
  s_route_t *best = NULL;
  for (size_t i = 0; i < r->nroutes; i++) {
    s_route_t *rt = &r->routes[i];
    if (rt->rid_len && strcmp(rt->role, "hub") == 0 && (!best || rt->last_seen > best->last_seen)) {
      best = rt;
    }
  }
  return best;
}

static void s_deliveries_due_now(mash_router_t *r, const char *principal, const char *role) {
  int64_t now = mash_clock_now_ms();
  int hub = strcmp(role, "hub") == 0;
  for (size_t i = 0; hub && i < r->ndl; i++) {
    r->dl[i]->next_at = now;
  }
  for (size_t i = 0; i < r->nob; i++) {
    if (strcmp(r->ob[i]->target, principal) == 0 ||
        (hub && strcmp(r->ob[i]->target, "@hub") == 0)) {
      r->ob[i]->next_at = now;
    }
  }
}

static void s_pump(mash_router_t *r);

#define S_MAX_ROUTES 1024

/* Remember where a principal is reachable: one route per connection, so
 * that when a short-lived second connection with the same key (a one-shot
 * `submit`) goes away, deliveries fall back to the long-lived one at once.
 * A principal or hub desk that (re)appears gets what waits for it now
 * rather than at the next backoff step. */
static void s_route_seen(mash_router_t *r, const mash_key_t *k, zmq_msg_t *rid) {
  size_t len = zmq_msg_size(rid);
  if (len == 0 || len > S_MAX_RID) {
    return;
  }
  s_route_t *rt = NULL;
  for (size_t i = 0; i < r->nroutes; i++) {
    if (r->routes[i].rid_len == len && memcmp(r->routes[i].rid, zmq_msg_data(rid), len) == 0) {
      rt = &r->routes[i];
      break;
    }
  }
  if (rt && strcmp(rt->principal, k->principal) != 0) {
    rt = NULL; /* a routing id reused by another principal: a new route */
  }
  int fresh = rt == NULL;
  if (!rt) {
    if (r->nroutes == S_MAX_ROUTES) {
      /* Forget the route heard from longest ago. */
      size_t oldest = 0;
      for (size_t i = 1; i < r->nroutes; i++) {
        if (r->routes[i].last_seen < r->routes[oldest].last_seen) {
          oldest = i;
        }
      }
      r->routes[oldest] = r->routes[--r->nroutes];
    }
    s_route_t *nr = realloc(r->routes, (r->nroutes + 1) * sizeof *nr);
    if (!nr) {
      return;
    }
    r->routes = nr;
    rt = &r->routes[r->nroutes++];
    memset(rt, 0, sizeof *rt);
    memcpy(rt->principal, k->principal, sizeof rt->principal);
    memcpy(rt->role, k->role, sizeof rt->role);
    memcpy(rt->rid, zmq_msg_data(rid), len);
    rt->rid_len = len;
  }
  rt->last_seen = ++r->seen_seq;
  rt->last_seen_ms = mash_clock_now_ms();
  if (rt->silent) {
    rt->silent = 0;
    mash_info("%s (%s) is heard again", rt->principal, rt->role);
  }
  if (fresh) {
    mash_info("%s (%s) connected", k->principal, k->role);
    s_deliveries_due_now(r, k->principal, k->role);
  }
}

/* A route that failed (the connection is gone): forget it. */
static void s_route_drop(mash_router_t *r, s_route_t *rt) {
  mash_info("%s disconnected; its deliveries wait for it", rt->principal);
  size_t i = (size_t)(rt - r->routes);
  r->routes[i] = r->routes[--r->nroutes];
}

/* ------------------------------------------------------------ deliveries */

/* Queue a contact for the hub desk. The frame is built from the stored bytes
 * without decoding them (mash_codec_encode_contact_delivery). */
/* Contact ids in the order they were made: "MASH-000009" before
 * "MASH-0000010" (shorter first, then by text). */
static int s_id_cmp(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  return la != lb ? (la < lb ? -1 : 1) : strcmp(a, b);
}

static int s_delivery_add(mash_router_t *r, const char *contact_id, const uint8_t *contact,
                          size_t len) {
  char mid[MASH_CONTACT_ID_LEN + sizeof S_DELIVER_PREFIX];
  snprintf(mid, sizeof mid, "%s%s", S_DELIVER_PREFIX, contact_id);
  s_delivery_t *d = calloc(1, sizeof *d);
  int rc = d ? mash_codec_encode_contact_delivery(mid, mash_clock_read(r->cfg.clock), contact, len,
                                                  contact_id, &d->frame, &d->len)
             : -ENOMEM;
  if (rc == 0 && r->ndl == r->capdl) {
    size_t cap = r->capdl ? r->capdl * 2 : 256;
    s_delivery_t **n = realloc(r->dl, cap * sizeof *n);
    if (n) {
      r->dl = n;
      r->capdl = cap;
    } else {
      rc = -ENOMEM;
    }
  }
  if (rc != 0) {
    if (d) {
      free(d->frame);
    }
    free(d);
    mash_error("%s: cannot queue the delivery (%d)", contact_id, rc);
    return rc;
  }
  snprintf(d->contact_id, sizeof d->contact_id, "%s", contact_id);
  d->next_at = mash_clock_now_ms();
  /* Kept in contact order (s_delivery_find searches it): contacts usually
   * come resolved in order, but one resolved late goes in its place. */
  size_t at = r->ndl;
  while (at > 0 && s_id_cmp(r->dl[at - 1]->contact_id, contact_id) > 0) {
    at--;
  }
  memmove(r->dl + at + 1, r->dl + at, (r->ndl - at) * sizeof *r->dl);
  r->dl[at] = d;
  r->ndl++;
  r->stats.pending_deliveries++;
  return 0;
}

static s_delivery_t *s_delivery_find(mash_router_t *r, const char *contact_id) {
  /* Contact ids grow with time and dl is in contact order: binary search on
   * (length, text), which orders "MASH-000009" before "MASH-0000010"-style ids. */
  size_t lo = 0, hi = r->ndl;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int cmp = s_id_cmp(r->dl[mid]->contact_id, contact_id);
    if (cmp == 0) {
      return r->dl[mid];
    }
    if (cmp < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return NULL;
}

static void s_delivery_compact(mash_router_t *r) {
  if (r->ndone == 0 || r->ndone * 4 < r->ndl) {
    return;
  }
  size_t j = 0;
  for (size_t i = 0; i < r->ndl; i++) {
    s_delivery_t *d = r->dl[i];
    if (d->done && !d->acking) {
      free(d->frame);
      free(d);
    } else {
      r->dl[j++] = d;
    }
  }
  r->ndl = j;
  r->ndone = 0;
}

static s_route_t *s_route_for(mash_router_t *r, const char *target) {
  if (strcmp(target, "@hub") == 0) {
    return s_hub_route(r);
  }
  s_route_t *best = NULL;
  for (size_t i = 0; i < r->nroutes; i++) {
    s_route_t *rt = &r->routes[i];
    if (strcmp(rt->principal, target) == 0 && (!best || rt->last_seen > best->last_seen)) {
      best = rt;
    }
  }
  return best;
}

/* Send one delivery on a route. 0 sent (backoff scheduled), or negative: the
 * route is gone (-EHOSTUNREACH, forgotten here) or the queue is full. */
static int s_send_delivery(mash_router_t *r, s_route_t *rt, s_delivery_t *d, int64_t now) {
  const void *bufs[2] = {rt->rid, d->frame};
  size_t lens[2] = {rt->rid_len, d->len};
  int rc = mash_zsock_send(r->rz, bufs, lens, 2);
  if (rc == -EHOSTUNREACH) {
    s_route_drop(r, rt);
    return rc;
  }
  if (rc != 0) {
    return rc;
  }
  d->attempts++;
  int64_t backoff = (int64_t)r->cfg.delivery_base_ms << (d->attempts < 6 ? d->attempts - 1 : 5);
  d->next_at = now + (backoff > r->cfg.delivery_max_ms ? r->cfg.delivery_max_ms : backoff);
  if (d->attempts == 10) {
    mash_warn("%s%s: sent 10 times without acknowledgement", d->contact_id, d->message_id);
  }
  r->stats.deliveries_sent++;
  return 0;
}

static void s_pump(mash_router_t *r) {
  if (r->closing) {
    return;
  }
  int64_t now = mash_clock_now_ms();
  unsigned sent = 0;
  s_route_t *hub = s_hub_route(r);
  for (size_t i = 0; hub && i < r->ndl && sent < r->cfg.delivery_burst; i++) {
    s_delivery_t *d = r->dl[i];
    if (d->done || d->acking || d->next_at > now) {
      continue;
    }
    if (s_send_delivery(r, hub, d, now) != 0) {
      break; /* gone or full: try again next tick */
    }
    sent++;
  }
  for (size_t i = 0; i < r->nob && sent < r->cfg.delivery_burst; i++) {
    s_delivery_t *d = r->ob[i];
    if (d->done || d->acking || d->next_at > now) {
      continue;
    }
    s_route_t *rt = s_route_for(r, d->target);
    if (rt && s_send_delivery(r, rt, d, now) == 0) {
      sent++;
    }
  }
}

/* Queue an outbox message (already durable in the store) for delivery. */
static void s_outbox_add(mash_router_t *r, const char *message_id, const char *target,
                         const uint8_t *frame, size_t len) {
  for (size_t i = 0; i < r->nob; i++) {
    if (strcmp(r->ob[i]->message_id, message_id) == 0) {
      return;
    }
  }
  if (r->nob == r->capob) {
    size_t cap = r->capob ? r->capob * 2 : 64;
    s_delivery_t **n = realloc(r->ob, cap * sizeof *n);
    if (!n) {
      mash_error("out of memory: %s waits for a restart", message_id);
      return;
    }
    r->ob = n;
    r->capob = cap;
  }
  s_delivery_t *d = calloc(1, sizeof *d);
  uint8_t *f = d ? malloc(len ? len : 1) : NULL;
  if (!f) {
    free(d);
    mash_error("out of memory: %s waits for a restart", message_id);
    return;
  }
  memcpy(f, frame, len);
  d->frame = f;
  d->len = len;
  snprintf(d->message_id, sizeof d->message_id, "%s", message_id);
  snprintf(d->target, sizeof d->target, "%s", target);
  d->next_at = mash_clock_now_ms();
  r->ob[r->nob++] = d;
  r->stats.pending_deliveries++;
}

static void s_outbox_remove(mash_router_t *r, s_delivery_t *d) {
  for (size_t i = 0; i < r->nob; i++) {
    if (r->ob[i] == d) {
      r->ob[i] = r->ob[--r->nob];
      break;
    }
  }
  free(d->frame);
  free(d);
  r->stats.pending_deliveries--;
}

static void s_ack_done_cb(mash_storage_op_t *op) {
  s_ack_ctx_t *ctx = (s_ack_ctx_t *)op;
  mash_router_t *r = ctx->r;
  ctx->d->acking = 0;
  if (op->rc == 0) {
    if (!ctx->d->done) {
      ctx->d->done = 1;
      r->ndone++;
      r->stats.deliveries_acked++;
      r->stats.pending_deliveries--;
    }
  } else {
    r->stats.store_failures++;
  }
  free(ctx);
  r->ops_outstanding--;
  s_maybe_free(r);
}

/* ------------------------------------------------------------ handlers */

/* A contact resolved (or not): deliver it. */
static void s_resolved_cb(void *arg, mash_resolve_job_t *job, int rc) {
  mash_router_t *r = arg;
  if (rc == 0 && job->gave_up) {
    r->stats.unresolvable++;
    mash_error("contact %s could not be resolved (%d): delivered flagged %s", job->contact_id,
               job->gave_up, MASH_FLAG_RESOLUTION_FAILED);
  }
  if (rc == 0) {
    r->stats.resolved++;
    r->stats.persons_linked += job->linked;
    r->stats.persons_possible += job->possible;
    r->stats.persons_new += job->created;
    mash_debug("contact %s resolved: %u linked, %u possible, %u new", job->contact_id, job->linked,
               job->possible, job->created);
    if (job->deliver && !r->closing &&
        s_delivery_add(r, job->contact_id, job->contact, job->contact_len) == 0) {
      s_pump(r);
    }
  } else if (rc != -ECANCELED) {
    /* Stored and acknowledged; delivered once resolved, on the next start. */
    r->stats.store_failures++;
    mash_error("contact %s not resolved (%d): it waits for the next start", job->contact_id, rc);
  }
}

static void s_resolve_done_cb(void *arg) {
  s_maybe_free(arg);
}

static void s_intake_done_cb(mash_storage_op_t *op) {
  s_intake_ctx_t *ctx = (s_intake_ctx_t *)op;
  mash_router_t *r = ctx->r;
  const mash_intake_t *in = &op->u.intake;
  if (op->rc != 0) {
    /* Never acknowledge what is not stored: no receipt; the sender resends. */
    r->stats.store_failures++;
    mash_error("notification %s from %s not stored (%d); no receipt sent", ctx->message_id,
               ctx->principal, op->rc);
  } else if (in->status == MASH_INTAKE_NEW) {
    r->stats.accepted++;
    mash_debug("contact %s from %s (message %s)", in->contact_id, ctx->principal, ctx->message_id);
    s_send_receipt(r, ctx->rid, ctx->rid_len, ctx->message_id,
                   MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED, in->contact_id, NULL);
    if (!r->closing) {
      mash_resolve_queue_add(r->rq, in->contact_id);
    }
  } else {
    r->stats.duplicates++;
    mash_info("duplicate message %s from %s: contact %s", ctx->message_id, ctx->principal,
              in->contact_id);
    s_send_receipt(r, ctx->rid, ctx->rid_len, ctx->message_id,
                   MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_DUPLICATE, in->contact_id, NULL);
  }
  free(ctx->contact);
  free(ctx);
  r->ops_outstanding--;
  s_maybe_free(r);
}

static void s_on_notification(mash_router_t *r, const mash_key_t *k, zmq_msg_t *rid,
                              Mash__V1__Envelope *env) {
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  if (mash_intake_authorize(k, env->notification, &errs) != 0) {
    r->stats.forbidden++;
    mash_ops_note_rejected(r->ops, k->principal, &errs);
    mash_warn("refused notification %s from %s: %s", env->message_id, k->principal,
              errs.items[0].message);
    s_send_receipt(r, zmq_msg_data(rid), zmq_msg_size(rid), env->message_id,
                   MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED, NULL, &errs);
    return;
  }
  if (mash_intake_check_identifiers(env->notification, &errs) != 0) {
    r->stats.rejected++;
    mash_ops_note_rejected(r->ops, k->principal, &errs);
    mash_warn("rejected notification %s from %s: malformed identifier (%s)", env->message_id,
              k->principal, errs.items[0].field);
    s_send_receipt(r, zmq_msg_data(rid), zmq_msg_size(rid), env->message_id,
                   MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED, NULL, &errs);
    return;
  }
  mash_intake_prep_t prep;
  int64_t now = mash_clock_read(r->cfg.clock);
  mash_intake_prepare(k, env->notification, now, r->cfg.screening_ms, &prep);
  s_intake_ctx_t *ctx = calloc(1, sizeof *ctx);
  size_t len = mash__v1__contact__get_packed_size(&prep.contact);
  uint8_t *bytes = ctx ? malloc(len ? len : 1) : NULL;
  if (!bytes) {
    free(ctx);
    s_send_error(r, zmq_msg_data(rid), zmq_msg_size(rid), env->message_id,
                 MASH__V1__ERROR_CODE__ERROR_CODE_INTERNAL, "out of memory; resend later");
    return;
  }
  mash__v1__contact__pack(&prep.contact, bytes);
  ctx->r = r;
  ctx->rid_len = zmq_msg_size(rid);
  memcpy(ctx->rid, zmq_msg_data(rid), ctx->rid_len);
  snprintf(ctx->principal, sizeof ctx->principal, "%s", k->principal);
  snprintf(ctx->message_id, sizeof ctx->message_id, "%s", env->message_id);
  ctx->contact = bytes;
  ctx->op.kind = MASH_OP_INTAKE;
  mash_intake_t *in = &ctx->op.u.intake;
  in->principal = ctx->principal;
  in->message_id = ctx->message_id;
  in->received_at_ms = now;
  in->contact = bytes;
  in->contact_len = len;
  in->resolve_later = 1;
  /* Facts for management information, in plain columns (no child data). */
  const Mash__V1__Notification *n = env->notification;
  in->domestic_abuse = prep.dash_result.missing_on_domestic_abuse ||
                       (prep.dash_result.present && n->police && n->police->domestic_abuse);
  in->dash_present = prep.dash_result.present;
  in->dash_complete = prep.dash_result.complete;
  in->priority = (int)prep.contact.priority;
  in->concern_category = (int)n->concern_category;
  in->red_flag = n->red_flag;
  in->occurred_at_ms = n->occurred_at_ms;
  mash_intake_flags_text(prep.contact.quality_flags, prep.contact.n_quality_flags, ctx->flags,
                         sizeof ctx->flags);
  in->quality_flags = ctx->flags;
  ctx->op.done_cb = s_intake_done_cb;
  r->ops_outstanding++;
  mash_storage_submit(r->storage, &ctx->op);
}

/* ------------------------------------------------------------ enquiry */

typedef struct s_tx_ctx {
  mash_router_t *r;
  uint8_t rid[S_MAX_RID];
  size_t rid_len;      /* 0: no one to answer (escalations) */
  s_delivery_t *acked; /* MASH_TX_DELIVERED: the outbox entry */
} s_tx_ctx_t;

static void s_tx_done_cb(mash_storage_op_t *op) {
  mash_tx_t *tx = (mash_tx_t *)op;
  s_tx_ctx_t *ctx = tx->ctx;
  mash_router_t *r = ctx->r;
  if (op->rc != 0) {
    r->stats.store_failures++;
    mash_error("%s from %s not stored (%d); %s", tx->message_id[0] ? tx->message_id : "escalation",
               tx->principal[0] ? tx->principal : "the broker", op->rc,
               ctx->rid_len ? "no receipt sent" : "retried");
  } else if (tx->note[0]) {
    mash_info("%s", tx->note);
  }
  if (tx->kind == MASH_TX_DELIVERED && ctx->acked) {
    ctx->acked->acking = 0;
    if (op->rc == 0 || op->rc == -ENOENT) {
      r->stats.deliveries_acked++;
      s_outbox_remove(r, ctx->acked);
    }
  }
  if (op->rc == 0 && !r->closing) {
    if (tx->receipt && ctx->rid_len) {
      Mash__V1__Receipt *rec = mash__v1__receipt__unpack(NULL, tx->receipt_len, tx->receipt);
      if (rec) {
        Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
        env.correlation_id = tx->message_id;
        env.body_case = MASH__V1__ENVELOPE__BODY_RECEIPT;
        env.receipt = rec;
        s_send_env(r, ctx->rid, ctx->rid_len, &env);
        mash__v1__receipt__free_unpacked(rec, NULL);
      }
    }
    for (size_t i = 0; i < tx->n_msgs; i++) {
      s_outbox_add(r, tx->msgs[i].message_id, tx->msgs[i].target, tx->msgs[i].frame,
                   tx->msgs[i].len);
    }
    if (tx->kind == MASH_TX_ESCALATE) {
      r->stats.escalations += tx->n_actions;
      s_ops_feed(r, tx);
    }
    if (r->watch) {
      for (size_t i = 0; i < tx->n_watch; i++) {
        mash_watch_add(r->watch, &tx->watch[i]);
      }
      if (tx->unwatch_enquiry[0]) {
        mash_watch_remove_enquiry(r->watch, tx->unwatch_enquiry);
      }
      if (tx->unwatch_request[0] && tx->kind != MASH_TX_ESCALATE) {
        mash_watch_remove_request(r->watch, tx->unwatch_request);
      }
    }
    s_pump(r);
  }
  if (tx->kind == MASH_TX_ESCALATE && r->watch) {
    mash_watch_settled(r->watch, tx);
  }
  free(ctx);
  mash_tx_destroy(tx);
  r->ops_outstanding--;
  s_maybe_free(r);
}

static void s_tx_submit(mash_router_t *r, mash_tx_t *tx, zmq_msg_t *rid) {
  s_tx_ctx_t *ctx = calloc(1, sizeof *ctx);
  if (!ctx) {
    mash_tx_destroy(tx);
    return; /* the sender resends: nothing was acknowledged */
  }
  ctx->r = r;
  if (rid) {
    ctx->rid_len = zmq_msg_size(rid);
    memcpy(ctx->rid, zmq_msg_data(rid), ctx->rid_len);
  }
  tx->ctx = ctx;
  tx->op.done_cb = s_tx_done_cb;
  r->ops_outstanding++;
  mash_storage_submit(r->storage, &tx->op);
}

static void s_watch_submit(mash_tx_t *tx, void *arg) {
  s_tx_submit(arg, tx, NULL);
}

/* A screening decision, an answer or an outcome: one transaction each. */
static void s_on_enquiry_msg(mash_router_t *r, const mash_key_t *k, zmq_msg_t *rid,
                             Mash__V1__Envelope *env) {
  mash_tx_kind_t kind;
  const char *need_role;
  const ProtobufCMessage *body;
  switch (env->body_case) {
  case MASH__V1__ENVELOPE__BODY_SCREENING:
    kind = MASH_TX_SCREEN, need_role = "hub", body = &env->screening->base;
    r->stats.screenings++;
    break;
  case MASH__V1__ENVELOPE__BODY_OUTCOME:
    kind = MASH_TX_OUTCOME, need_role = "hub", body = &env->outcome->base;
    r->stats.outcomes++;
    break;
  case MASH__V1__ENVELOPE__BODY_MATCH_DECISION:
    kind = MASH_TX_MATCH, need_role = "hub", body = &env->match_decision->base;
    r->stats.match_decisions++;
    break;
  default:
    kind = MASH_TX_ANSWER, need_role = "agency", body = &env->enquiry_response->base;
    r->stats.answers++;
    break;
  }
  if (strcmp(k->role, need_role) != 0) {
    r->stats.forbidden++;
    mash_errors_t errs;
    memset(&errs, 0, sizeof errs);
    mash_errors_add(&errs, "body", "principal '%s' has role %s; this message needs role %s",
                    k->principal, k->role, need_role);
    mash_warn("refused message %s from %s: needs role %s", env->message_id, k->principal,
              need_role);
    s_send_receipt(r, zmq_msg_data(rid), zmq_msg_size(rid), env->message_id,
                   MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED, NULL, &errs);
    return;
  }
  size_t len = protobuf_c_message_get_packed_size(body);
  uint8_t *buf = malloc(len ? len : 1);
  mash_tx_t *tx = NULL;
  if (buf) {
    protobuf_c_message_pack(body, buf);
    tx = mash_tx_new(kind, r->cfg.enquiry, k->principal, env->message_id, buf, len,
                     mash_clock_read(r->cfg.clock));
  }
  free(buf);
  if (!tx) {
    s_send_error(r, zmq_msg_data(rid), zmq_msg_size(rid), env->message_id,
                 MASH__V1__ERROR_CODE__ERROR_CODE_INTERNAL, "out of memory; resend later");
    return;
  }
  s_tx_submit(r, tx, rid);
}

static void s_on_receipt(mash_router_t *r, const mash_key_t *k, zmq_msg_t *rid,
                         Mash__V1__Envelope *env) {
  const char *corr = env->correlation_id;
  size_t plen = strlen(S_DELIVER_PREFIX);
  if (strncmp(corr, S_DELIVER_PREFIX, plen) != 0) {
    /* An outbox message: only its addressee may acknowledge it. */
    s_delivery_t *d = NULL;
    for (size_t i = 0; i < r->nob; i++) {
      if (strcmp(r->ob[i]->message_id, corr) == 0) {
        d = r->ob[i];
        break;
      }
    }
    if (!d || d->acking) {
      return; /* a repeated acknowledgement */
    }
    int mine = strcmp(d->target, k->principal) == 0 ||
               (strcmp(d->target, "@hub") == 0 && strcmp(k->role, "hub") == 0);
    if (!mine) {
      r->stats.forbidden++;
      mash_warn("%s acknowledged %s, which was not addressed to it: ignored", k->principal, corr);
      return;
    }
    if (env->receipt->status == MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED) {
      mash_error("%s rejected %s; will retry after backoff", k->principal, corr);
      return;
    }
    mash_tx_t *tx = mash_tx_new(MASH_TX_DELIVERED, r->cfg.enquiry, k->principal, corr, NULL, 0,
                                mash_clock_read(r->cfg.clock));
    if (!tx) {
      return;
    }
    d->acking = 1;
    s_tx_submit(r, tx, NULL);
    ((s_tx_ctx_t *)tx->ctx)->acked = d;
    return;
  }
  if (strcmp(k->role, "hub") != 0) {
    r->stats.forbidden++;
    mash_warn("receipt from %s (%s) for %s refused: only the hub desk acknowledges contacts",
              k->principal, k->role, corr);
    s_send_error(r, zmq_msg_data(rid), zmq_msg_size(rid), env->message_id,
                 MASH__V1__ERROR_CODE__ERROR_CODE_FORBIDDEN,
                 "only the hub desk acknowledges contacts");
    return;
  }
  s_delivery_t *d = s_delivery_find(r, corr + plen);
  if (!d || d->done || d->acking) {
    return; /* a repeated acknowledgement: nothing to do */
  }
  if (env->receipt->status == MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED) {
    mash_error("hub desk %s rejected contact %s; will retry after backoff", k->principal,
               d->contact_id);
    return;
  }
  s_ack_ctx_t *ctx = calloc(1, sizeof *ctx);
  if (!ctx) {
    return; /* the hub desk acknowledges the redelivery */
  }
  ctx->r = r;
  ctx->d = d;
  d->acking = 1;
  ctx->op.kind = MASH_OP_DELIVERED;
  snprintf(ctx->op.u.delivered.contact_id, sizeof ctx->op.u.delivered.contact_id, "%s",
           d->contact_id);
  snprintf(ctx->op.u.delivered.principal, sizeof ctx->op.u.delivered.principal, "%s", k->principal);
  ctx->op.u.delivered.at_ms = mash_clock_read(r->cfg.clock);
  ctx->op.done_cb = s_ack_done_cb;
  r->ops_outstanding++;
  mash_storage_submit(r->storage, &ctx->op);
}

/* ------------------------------------------------------------ ops */

/* Connected: heard within three heartbeats, and never less than 10 s (the
 * agents' own heartbeat interval is theirs to set; 2 s by default). */
static int s_connected(const mash_router_t *r, const s_route_t *rt, int64_t now) {
  int64_t silent = 3 * (int64_t)r->cfg.heartbeat_ms;
  return rt->rid_len && now - rt->last_seen_ms <= (silent > 10000 ? silent : 10000);
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

/* What the loop knows now: every principal of the trust list (and how it
 * is connected), the counters, the outbox by target, commit latency. */
static void s_live(mash_router_t *r, mash_ops_live_t *l) {
  int64_t now = mash_clock_now_ms();
  memset(l, 0, sizeof *l);
  l->now_ms = mash_clock_read(r->cfg.clock);
  l->wall_now_ms = now;
  l->store_ok = r->stats.store_failures == 0;
  for (size_t i = 0; i < mash_trust_count(r->trust) && l->n_clients < MASH_OPS_CLIENTS; i++) {
    const mash_key_t *k = mash_trust_at(r->trust, i);
    mash_ops_client_t *c = &l->clients[l->n_clients++];
    snprintf(c->principal, sizeof c->principal, "%s", k->principal);
    snprintf(c->role, sizeof c->role, "%s", k->role);
    for (size_t j = 0; j < r->nroutes; j++) {
      const s_route_t *rt = &r->routes[j];
      if (strcmp(rt->principal, k->principal) == 0) {
        c->connected |= s_connected(r, rt, now);
        /* On the broker's clock, as every time of the report. */
        int64_t seen = l->now_ms - (now - rt->last_seen_ms);
        if (rt->last_seen_ms > 0 && seen > c->last_seen_ms) {
          c->last_seen_ms = seen;
        }
      }
    }
    int hub = strcmp(k->role, "hub") == 0;
    c->outbox_depth = hub ? (int64_t)(r->ndl - r->ndone) : 0;
    for (size_t j = 0; j < r->nob; j++) {
      c->outbox_depth += strcmp(r->ob[j]->target, k->principal) == 0 ||
                         (hub && strcmp(r->ob[j]->target, "@hub") == 0);
    }
  }
  s_named(l->outbox, &l->n_outbox, MASH_OPS_CLIENTS, "@hub", (int64_t)(r->ndl - r->ndone));
  for (size_t j = 0; j < r->nob; j++) {
    s_named(l->outbox, &l->n_outbox, MASH_OPS_CLIENTS, r->ob[j]->target, 1);
  }
  const mash_router_stats_t *st = &r->stats;
  const struct {
    const char *name;
    unsigned long v;
  } counters[] = {{"intake", st->accepted + st->duplicates},
                  {"accepted", st->accepted},
                  {"duplicate", st->duplicates},
                  {"rejected", st->rejected + st->forbidden},
                  {"delivered", st->deliveries_acked},
                  {"sent", st->deliveries_sent},
                  {"received", st->received},
                  {"escalations", st->escalations}},
    reasons[] = {{"invalid", st->rejected},
                 {"forbidden", st->forbidden},
                 {"malformed", st->malformed},
                 {"unsupported", st->unsupported},
                 {"unauthenticated", st->unauthenticated}};
  for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
    s_named(l->counters, &l->n_counters, 16, counters[i].name, (int64_t)counters[i].v);
  }
  for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
    s_named(l->rejections, &l->n_rejections, 8, reasons[i].name, (int64_t)reasons[i].v);
  }
  mash_storage_get_stats(r->storage, &l->storage);
  l->store_ok = l->store_ok && l->storage.failed_commits == 0;
}

static void s_ops_done_cb(void *arg, const uint8_t *rid, size_t rid_len, Mash__V1__Envelope *env) {
  mash_router_t *r = arg;
  if (env) {
    s_send_env(r, rid, rid_len, env);
  } else if (!r->closing) {
    s_send_error(r, rid, rid_len, "", MASH__V1__ERROR_CODE__ERROR_CODE_INTERNAL,
                 "the figures could not be read; ask again");
  }
  r->ops_outstanding--;
  s_maybe_free(r);
}

/* The operations console asks: read-only, ops role only. */
static void s_on_ops_query(mash_router_t *r, const mash_key_t *k, zmq_msg_t *rid,
                           Mash__V1__Envelope *env) {
  if (strcmp(k->role, "ops") != 0) {
    r->stats.forbidden++;
    char text[160];
    snprintf(text, sizeof text, "principal '%s' has role %s; only the ops role may ask this",
             k->principal, k->role);
    s_send_error(r, zmq_msg_data(rid), zmq_msg_size(rid), env->message_id,
                 MASH__V1__ERROR_CODE__ERROR_CODE_FORBIDDEN, text);
    return;
  }
  mash_ops_live_t *live = malloc(sizeof *live);
  if (!live) {
    return; /* the console asks again */
  }
  s_live(r, live);
  if (mash_ops_answer(r->ops, r->storage, live, env->ops_query, env->message_id, zmq_msg_data(rid),
                      zmq_msg_size(rid), s_ops_done_cb, r) == 0) {
    r->ops_outstanding++;
  }
  free(live);
}

/* The live feed: each escalation step, once, to every console connected. */
static void s_ops_feed(mash_router_t *r, const mash_tx_t *tx) {
  int64_t now = mash_clock_now_ms();
  char last[MASH_MAX_ID_LEN + 1] = "";
  for (size_t i = 0; i < tx->n_msgs; i++) {
    mash_errors_t errs;
    memset(&errs, 0, sizeof errs);
    Mash__V1__Envelope *env = mash_codec_decode(tx->msgs[i].frame, tx->msgs[i].len, &errs);
    if (env && env->body_case == MASH__V1__ENVELOPE__BODY_ESCALATION &&
        strcmp(env->escalation->escalation_id, last) != 0) {
      snprintf(last, sizeof last, "%s", env->escalation->escalation_id);
      for (size_t j = 0; j < r->nroutes; j++) {
        const s_route_t *rt = &r->routes[j];
        if (strcmp(rt->role, "ops") == 0 && s_connected(r, rt, now)) {
          const void *bufs[2] = {rt->rid, tx->msgs[i].frame};
          size_t lens[2] = {rt->rid_len, tx->msgs[i].len};
          mash_zsock_send(r->rz, bufs, lens, 2); /* live only: a console that missed it
                                                    sees the step in its figures */
        }
      }
    }
    mash_codec_free(env);
  }
}

/* Log, once, each connection silent for three heartbeats. */
static void s_watch_routes(mash_router_t *r) {
  int64_t now = mash_clock_now_ms();
  for (size_t i = 0; i < r->nroutes; i++) {
    s_route_t *rt = &r->routes[i];
    if (!rt->silent && rt->last_seen_ms > 0 && !s_connected(r, rt, now)) {
      rt->silent = 1;
      mash_warn("%s (%s) disconnected: nothing heard for %lld ms", rt->principal, rt->role,
                (long long)(now - rt->last_seen_ms));
    }
  }
}

static void s_on_heartbeat(mash_router_t *r, zmq_msg_t *rid, Mash__V1__Envelope *env) {
  Mash__V1__Envelope out = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Heartbeat hb = MASH__V1__HEARTBEAT__INIT;
  hb.agent = (char *)"mashd";
  out.correlation_id = env->message_id;
  out.body_case = MASH__V1__ENVELOPE__BODY_HEARTBEAT;
  out.heartbeat = &hb;
  s_send_env(r, zmq_msg_data(rid), zmq_msg_size(rid), &out);
}

static void s_router_recv_cb(mash_zsock_t *zs, zmq_msg_t *parts, size_t n, void *arg) {
  (void)zs;
  mash_router_t *r = arg;
  r->stats.received++;
  if (n != 2) {
    r->stats.malformed++;
    mash_warn("dropped a message of %zu frames (expected one envelope frame)", n - 1);
    return;
  }
  zmq_msg_t *rid = &parts[0];
  /* Identity: the principal ZAP authenticated from the CURVE key. */
  const char *uid = zmq_msg_gets(&parts[1], "User-Id");
  const mash_key_t *k = uid ? mash_trust_find_principal(r->trust, uid) : NULL;
  if (!k) {
    r->stats.unauthenticated++;
    mash_warn("dropped a message without an authenticated principal");
    return;
  }
  s_route_seen(r, k, rid);
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  Mash__V1__Envelope *env =
      mash_codec_decode(zmq_msg_data(&parts[1]), zmq_msg_size(&parts[1]), &errs);
  if (!env) {
    r->stats.malformed++;
    mash_warn("malformed message from %s: %s", k->principal, errs.items[0].message);
    s_send_error(r, zmq_msg_data(rid), zmq_msg_size(rid), "",
                 MASH__V1__ERROR_CODE__ERROR_CODE_MALFORMED, errs.items[0].message);
    return;
  }
  if (env->body_case == MASH__V1__ENVELOPE__BODY__NOT_SET) {
    r->stats.unsupported++;
    mash_warn("message of unknown kind from %s", k->principal);
    s_send_error(r, zmq_msg_data(rid), zmq_msg_size(rid), "",
                 MASH__V1__ERROR_CODE__ERROR_CODE_UNSUPPORTED,
                 "unknown message kind: this broker speaks mash.v1 schema 1");
    mash_codec_free(env);
    return;
  }
  if (mash_codec_validate_envelope(env, &errs) != 0) {
    mash_errors_t id_errs;
    memset(&id_errs, 0, sizeof id_errs);
    Mash__V1__Envelope probe = *env;
    probe.body_case = MASH__V1__ENVELOPE__BODY_HEARTBEAT;
    Mash__V1__Heartbeat hb = MASH__V1__HEARTBEAT__INIT;
    probe.heartbeat = &hb;
    /* Echo the message id only when it is itself valid. */
    const char *corr = mash_codec_validate_envelope(&probe, &id_errs) == 0 ? env->message_id : "";
    /* What a client asks the broker to do is refused with a receipt naming
     * every field at fault; anything else gets an error. */
    if (env->body_case == MASH__V1__ENVELOPE__BODY_NOTIFICATION ||
        env->body_case == MASH__V1__ENVELOPE__BODY_SCREENING ||
        env->body_case == MASH__V1__ENVELOPE__BODY_OUTCOME ||
        env->body_case == MASH__V1__ENVELOPE__BODY_MATCH_DECISION ||
        env->body_case == MASH__V1__ENVELOPE__BODY_ENQUIRY_RESPONSE) {
      r->stats.rejected++;
      if (env->body_case == MASH__V1__ENVELOPE__BODY_NOTIFICATION) {
        mash_ops_note_rejected(r->ops, k->principal, &errs);
      }
      mash_warn("rejected message %s from %s: %zu field error(s), first %s", corr, k->principal,
                errs.count, errs.items[0].field);
      s_send_receipt(r, zmq_msg_data(rid), zmq_msg_size(rid), corr,
                     MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED, NULL, &errs);
    } else {
      r->stats.malformed++;
      mash_warn("invalid message from %s: %s: %s", k->principal, errs.items[0].field,
                errs.items[0].message);
      char text[300];
      snprintf(text, sizeof text, "%s: %s", errs.items[0].field, errs.items[0].message);
      s_send_error(r, zmq_msg_data(rid), zmq_msg_size(rid), corr,
                   MASH__V1__ERROR_CODE__ERROR_CODE_MALFORMED, text);
    }
    mash_codec_free(env);
    return;
  }
  switch (env->body_case) {
  case MASH__V1__ENVELOPE__BODY_NOTIFICATION:
    s_on_notification(r, k, rid, env);
    break;
  case MASH__V1__ENVELOPE__BODY_RECEIPT:
    s_on_receipt(r, k, rid, env);
    break;
  case MASH__V1__ENVELOPE__BODY_HEARTBEAT:
    s_on_heartbeat(r, rid, env);
    break;
  case MASH__V1__ENVELOPE__BODY_SCREENING:
  case MASH__V1__ENVELOPE__BODY_OUTCOME:
  case MASH__V1__ENVELOPE__BODY_MATCH_DECISION:
  case MASH__V1__ENVELOPE__BODY_ENQUIRY_RESPONSE:
    s_on_enquiry_msg(r, k, rid, env);
    break;
  case MASH__V1__ENVELOPE__BODY_OPS_QUERY:
    s_on_ops_query(r, k, rid, env);
    break;
  default:
    r->stats.unsupported++;
    s_send_error(r, zmq_msg_data(rid), zmq_msg_size(rid), env->message_id,
                 MASH__V1__ERROR_CODE__ERROR_CODE_UNSUPPORTED,
                 "this message kind is sent by the broker, not to it");
    break;
  }
  mash_codec_free(env);
}

static void s_zap_recv_cb(mash_zsock_t *zs, zmq_msg_t *parts, size_t n, void *arg) {
  mash_router_t *r = arg;
  mash_zap_answer(mash_zsock_socket(zs), parts, n, r->trust, &r->zap_stats);
}

/* The counters as one log line: every stats_interval_ms and at close. */
static void s_log_counters(mash_router_t *r) {
  mash_info("stats: received %lu, accepted %lu, duplicates %lu, rejected %lu, forbidden %lu, "
            "malformed %lu, deliveries sent %lu acknowledged %lu, escalations %lu, "
            "zap allowed %lu denied %lu",
            r->stats.received, r->stats.accepted, r->stats.duplicates, r->stats.rejected,
            r->stats.forbidden, r->stats.malformed, r->stats.deliveries_sent,
            r->stats.deliveries_acked, r->stats.escalations, r->zap_stats.allowed,
            r->zap_stats.denied);
}

static void s_timer_cb(uv_timer_t *t) {
  mash_router_t *r = t->data;
  int64_t now = mash_clock_now_ms();
  if (r->cfg.stats_interval_ms > 0 && now - r->counters_logged_ms >= r->cfg.stats_interval_ms) {
    r->counters_logged_ms = now;
    s_log_counters(r);
  }
  s_delivery_compact(r);
  s_watch_routes(r);
  s_pump(r);
  mash_resolve_queue_kick(r->rq); /* after an out-of-memory stop */
}

/* ------------------------------------------------------------ life cycle */

mash_router_t *mash_router_new(uv_loop_t *loop, void *router_sock, void *zap_sock,
                               const mash_trust_t *trust, mash_storage_t *storage,
                               const mash_router_config_t *cfg) {
  mash_router_t *r = calloc(1, sizeof *r);
  if (!r) {
    return NULL;
  }
  r->loop = loop;
  r->trust = trust;
  if (mash_uuid_new(r->id_prefix) != 0) {
    free(r);
    return NULL;
  }
  r->storage = storage;
  r->cfg = *cfg;
  if (!r->cfg.recv_budget) {
    r->cfg.recv_budget = 256;
  }
  if (!r->cfg.delivery_burst) {
    r->cfg.delivery_burst = 512;
  }
  if (r->cfg.delivery_base_ms <= 0) {
    r->cfg.delivery_base_ms = 1000;
  }
  if (r->cfg.delivery_max_ms <= 0) {
    r->cfg.delivery_max_ms = 30000;
  }
  r->zz = mash_zsock_new(loop, zap_sock, 64, s_zap_recv_cb, r);
  r->rz = mash_zsock_new(loop, router_sock, r->cfg.recv_budget, s_router_recv_cb, r);
  if (!r->zz || !r->rz) {
    mash_error("cannot watch the broker sockets");
    abort(); /* start-up wiring failure: programmer or system error */
  }
  r->watch = mash_watch_new(loop, r->cfg.clock, r->cfg.enquiry, storage, s_watch_submit, r);
  if (!r->watch) {
    mash_error("cannot create the escalation watch");
    abort(); /* start-up wiring failure */
  }
  r->rq = mash_resolve_queue_new(storage, r->cfg.matching, s_resolved_cb, s_resolve_done_cb, r);
  r->ops = mash_ops_new(mash_clock_now_ms(), r->cfg.screening_ms);
  r->counters_logged_ms = mash_clock_now_ms();
  if (!r->rq || !r->ops) {
    mash_error("cannot create the resolution queue");
    abort(); /* start-up wiring failure */
  }
  uv_timer_init(loop, &r->timer);
  r->timer.data = r;
  uv_timer_start(&r->timer, s_timer_cb, 100, 100);
  r->handles_open = 4; /* timer, two sockets, watch */
  return r;
}

static int s_load_cb(const char *contact_id, int64_t received_at_ms, const uint8_t *contact,
                     size_t len, void *arg) {
  (void)received_at_ms;
  s_delivery_add(arg, contact_id, contact, len);
  return 0;
}

static int s_load_fn(mash_store_t *store, void *arg) {
  /* Runs on the storage thread while the loop thread waits in run_sync, so
   * touching the router here is safe: nothing else runs. */
  return mash_store_load_undelivered(store, s_load_cb, arg);
}

static int s_load_outbox_cb(const char *message_id, const char *target, const uint8_t *frame,
                            size_t len, void *arg) {
  s_outbox_add(arg, message_id, target, frame, len);
  return 0;
}

static int s_load_outbox_fn(mash_store_t *store, void *arg) {
  /* Storage thread, while the loop thread waits in run_sync. */
  return store->vt->outbox_pending(store, s_load_outbox_cb, arg);
}

int mash_router_load(mash_router_t *r) {
  int rc = mash_storage_run_sync(r->storage, s_load_fn, r);
  if (rc == 0 && r->ndl) {
    mash_info("%zu contact(s) waiting for the hub desk", r->ndl);
  }
  if (rc == 0) {
    rc = mash_storage_run_sync(r->storage, s_load_outbox_fn, r);
  }
  if (rc == 0 && r->nob) {
    mash_info("%zu message(s) waiting for delivery", r->nob);
  }
  if (rc == 0) {
    rc = mash_watch_load(r->watch);
  }
  /* Resolved in the order received, before any contact received now. */
  size_t unresolved = 0;
  if (rc == 0) {
    rc = mash_resolve_queue_load(r->rq, &unresolved);
  }
  if (rc == 0 && unresolved) {
    mash_info("%zu contact(s) to resolve before delivery", unresolved);
  }
  return rc;
}

void mash_router_get_stats(const mash_router_t *r, mash_router_stats_t *out) {
  *out = r->stats;
}

static void s_maybe_free(mash_router_t *r) {
  if (!r->closing || r->handles_open > 0 || r->ops_outstanding > 0 ||
      mash_resolve_queue_busy(r->rq)) {
    return;
  }
  for (size_t i = 0; i < r->ndl; i++) {
    free(r->dl[i]->frame);
    free(r->dl[i]);
  }
  free(r->dl);
  for (size_t i = 0; i < r->nob; i++) {
    free(r->ob[i]->frame);
    free(r->ob[i]);
  }
  free(r->ob);
  mash_resolve_queue_destroy(&r->rq);
  mash_ops_destroy(&r->ops);
  free(r->routes);
  void (*cb)(void *) = r->close_cb;
  void *arg = r->close_arg;
  free(r);
  if (cb) {
    cb(arg);
  }
}

static void s_handle_closed(void *arg) {
  mash_router_t *r = arg;
  r->handles_open--;
  s_maybe_free(r);
}

static void s_timer_closed(uv_handle_t *h) {
  s_handle_closed(h->data);
}

void mash_router_close(mash_router_t *r, void (*close_cb)(void *arg), void *arg) {
  if (r->closing) {
    return;
  }
  r->closing = 1;
  r->close_cb = close_cb;
  r->close_arg = arg;
  mash_resolve_queue_stop(r->rq);
  s_log_counters(r);
  uv_timer_stop(&r->timer);
  uv_close((uv_handle_t *)&r->timer, s_timer_closed);
  mash_watch_t *w = r->watch;
  r->watch = NULL; /* transactions still in flight must not touch it */
  mash_watch_close(w, s_handle_closed, r);
  mash_zsock_t *rz = r->rz, *zz = r->zz;
  r->rz = NULL;
  r->zz = NULL;
  mash_zsock_close(rz, s_handle_closed, r);
  mash_zsock_close(zz, s_handle_closed, r);
}
