/* router: the broker's message handling on the loop thread.
 *
 * Responsible for: identity (the ZAP User-Id on each message, never a
 * routing id or a payload field), decoding and validation, authorization
 * by the role the message table (proto/messages.def) names, and dispatch to
 * the table's handler; the routes and the outbox's pump; the life cycle of
 * the router's parts. The handlers live beside it: notification.c,
 * transact.c, acks.c (router_int.h lists them).
 * Must not: touch the database (the storage thread does), block, or log
 * child data (only ids, principals and counts).
 */
#include "router_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "errbuf.h"
#include "log.h"
#include "messages.h"
#include "uuid.h"

/* ------------------------------------------------------------ delivery */

/* mash_outbox_send_cb: send a frame on the latest route to target. A route
 * whose connection is gone (-EHOSTUNREACH) is forgotten here. */
static int s_send_cb(const char *target, const uint8_t *frame, size_t len, void *arg) {
  mash_router_t *r = arg;
  const mash_route_t *rt = mash_routes_find(r->routes, target);
  if (!rt) {
    return -EHOSTUNREACH;
  }
  const void *bufs[2] = {rt->rid, frame};
  size_t lens[2] = {rt->rid_len, len};
  int rc = mash_zsock_send(r->rz, bufs, lens, 2);
  if (rc == -EHOSTUNREACH) {
    mash_info("%s disconnected; its deliveries wait for it", rt->principal);
    mash_routes_drop(r->routes, rt);
  }
  return rc;
}

void mash_router_pump(mash_router_t *r) {
  if (r->closing || !r->rz) {
    return;
  }
  mash_outbox_pump(r->outbox, mash_clock_now_ms(), s_send_cb, r);
}

/* Remember where a principal is reachable. A principal or hub desk that
 * (re)appears gets what waits for it now rather than at the next backoff
 * step. */
static void s_route_seen(mash_router_t *r, const mash_key_t *k, zmq_msg_t *rid) {
  mash_ops_seen(r->ops, k->principal, k->role, mash_clock_now_ms());
  int fresh =
      mash_routes_seen(r->routes, k->principal, k->role, zmq_msg_data(rid), zmq_msg_size(rid));
  if (fresh == 1) {
    mash_info("%s (%s) connected", k->principal, k->role);
    mash_outbox_due_now(r->outbox, k->principal, strcmp(k->role, "hub") == 0, mash_clock_now_ms());
  }
}

/* ------------------------------------------------------------ receive */

/* The id a refusal answers: the envelope's message id when it reads as a
 * valid id on its own, else whatever id the frame's bytes hold ("" when
 * none could be read). */
static void s_correlation(const Mash__V1__Envelope *env, const uint8_t *frame, size_t len,
                          char out[MASH_MAX_ID_LEN + 1]) {
  out[0] = '\0';
  if (env) {
    Mash__V1__Envelope probe = MASH__V1__ENVELOPE__INIT;
    Mash__V1__Heartbeat hb = MASH__V1__HEARTBEAT__INIT;
    probe.message_id = env->message_id;
    probe.schema_version = MASH_SCHEMA_VERSION;
    probe.body_case = MASH__V1__ENVELOPE__BODY_HEARTBEAT;
    probe.heartbeat = &hb;
    mash_errors_t errs;
    memset(&errs, 0, sizeof errs);
    if (mash_codec_validate_envelope(&probe, &errs) == 0) {
      snprintf(out, MASH_MAX_ID_LEN + 1, "%s", env->message_id);
    }
    return;
  }
  mash_codec_peek_message_id(frame, len, out, MASH_MAX_ID_LEN + 1);
}

/* An invalid message: what a client asks the broker to do is refused with a
 * receipt naming every field at fault; anything else gets an error. */
static void s_on_invalid(mash_router_t *r, const mash_key_t *k, zmq_msg_t *rid,
                         Mash__V1__Envelope *env, const mash_errors_t *errs) {
  /* Echo the message id whenever it is itself valid, also when the schema
   * version or the body is wrong: the sender matches the refusal to it. */
  char corr[MASH_MAX_ID_LEN + 1];
  s_correlation(env, NULL, 0, corr);
  if (mash_message_is_request(mash_message_info(env->body_case))) {
    r->n.rejected++;
    if (env->body_case == MASH__V1__ENVELOPE__BODY_NOTIFICATION) {
      mash_ops_note_rejected(r->ops, k->principal, errs);
    }
    mash_warn_limited("rejected message %s from %s: %zu field error(s), first %s", corr,
                      k->principal, errs->count, errs->items[0].field);
    mash_router_send_receipt(r, zmq_msg_data(rid), zmq_msg_size(rid), corr,
                             MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED, NULL, errs);
    return;
  }
  r->n.malformed++;
  mash_warn_limited("invalid message %s from %s: %s: %s", corr, k->principal, errs->items[0].field,
                    errs->items[0].message);
  char text[300];
  snprintf(text, sizeof text, "%s: %s", errs->items[0].field, errs->items[0].message);
  mash_router_send_error(r, zmq_msg_data(rid), zmq_msg_size(rid), corr,
                         MASH__V1__ERROR_CODE__ERROR_CODE_MALFORMED, text);
}

/* Authorization by role, as the message table says. Returns 1 allowed;
 * 0 refused (answered here). */
static int s_role_allowed(mash_router_t *r, const mash_key_t *k, zmq_msg_t *rid,
                          const Mash__V1__Envelope *env) {
  const mash_message_info_t *m = mash_message_info(env->body_case);
  if (!m || !m->role || strcmp(k->role, m->role) == 0) {
    return 1;
  }
  r->n.forbidden++;
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  mash_errors_add(&errs, m->name, "principal '%s' has role %s; only %s", k->principal, k->role,
                  m->who);
  mash_warn_limited("refused %s %s from %s: needs role %s", m->name, env->message_id, k->principal,
                    m->role);
  mash_router_send_receipt(r, zmq_msg_data(rid), zmq_msg_size(rid), env->message_id,
                           MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED, NULL, &errs);
  return 0;
}

static void s_dispatch(mash_router_t *r, const mash_key_t *k, zmq_msg_t *rid,
                       Mash__V1__Envelope *env) {
  if (!s_role_allowed(r, k, rid, env)) {
    return;
  }
  switch (env->body_case) {
#define MASH_MESSAGE(field, CASE, validator, sender, who, handler, tx)                             \
  case MASH__V1__ENVELOPE__BODY_##CASE:                                                            \
    mash_router_on_##handler(r, k, rid, env, &env->field->base, MASH_TX_##CASE);                   \
    break;
#include "messages.def"
#undef MASH_MESSAGE
  default:
    r->n.unsupported++;
    break;
  }
}

/* A message on a connection whose key is no longer on the trust list
 * (revoked, removed, or replaced by a new key of the same principal): it is
 * refused with an error, the principal's routes are dropped (so nothing is
 * delivered to that connection) and the refusal is logged, naming the
 * principal, at most a few lines a second. */
static void s_refuse_untrusted(mash_router_t *r, const char *principal, const char *key,
                               zmq_msg_t *rid) {
  r->n.revoked++;
  const mash_route_t *rt;
  while ((rt = mash_routes_find(r->routes, principal)) != NULL) {
    mash_routes_drop(r->routes, rt);
  }
  mash_warn_limited("refused a message from %s: its key %.8s... is %s; route dropped", principal,
                    key, mash_trust_is_revoked(r->trust, key) ? "revoked" : "no longer trusted");
  mash_router_send_error(r, zmq_msg_data(rid), zmq_msg_size(rid), "",
                         MASH__V1__ERROR_CODE__ERROR_CODE_FORBIDDEN,
                         "this key is no longer trusted by the broker (revoked or removed)");
}

static void s_router_recv_cb(mash_zsock_t *zs, zmq_msg_t *parts, size_t n, void *arg) {
  (void)zs;
  mash_router_t *r = arg;
  r->n.received++;
  if (n != 2) {
    r->n.malformed++;
    mash_warn_limited("dropped a message of %zu frames (expected one envelope frame)", n - 1);
    return;
  }
  zmq_msg_t *rid = &parts[0];
  /* Identity: the principal ZAP authenticated from the CURVE key, and that
   * key still trusted now (ZAP saw it once, at the handshake). */
  const char *uid = zmq_msg_gets(&parts[1], "User-Id");
  const char *key = zmq_msg_gets(&parts[1], MASH_ZAP_KEY_PROPERTY);
  const mash_key_t *k = uid ? mash_trust_find_principal(r->trust, uid) : NULL;
  if (!uid || !key) {
    r->n.unauthenticated++;
    mash_warn_limited("dropped a message without an authenticated principal");
    return;
  }
  if (!k || strcmp(k->public_key, key) != 0) {
    s_refuse_untrusted(r, uid, key, rid);
    return;
  }
  s_route_seen(r, k, rid);
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  const uint8_t *frame = zmq_msg_data(&parts[1]);
  size_t len = zmq_msg_size(&parts[1]);
  Mash__V1__Envelope *env = mash_codec_decode(frame, len, &errs);
  if (!env) {
    char corr[MASH_MAX_ID_LEN + 1];
    s_correlation(NULL, frame, len, corr);
    r->n.malformed++;
    if (len > MASH_MAX_FRAME) {
      r->n.oversized++;
      mash_warn_limited("oversized message from %s: %zu bytes, larger than %u (message id '%s')",
                        k->principal, len, MASH_MAX_FRAME, corr);
    } else {
      mash_warn_limited("malformed message from %s: %s (message id '%s')", k->principal,
                        errs.items[0].message, corr);
    }
    mash_router_send_error(r, zmq_msg_data(rid), zmq_msg_size(rid), corr,
                           MASH__V1__ERROR_CODE__ERROR_CODE_MALFORMED, errs.items[0].message);
    return;
  }
  if (env->body_case == MASH__V1__ENVELOPE__BODY__NOT_SET) {
    char corr[MASH_MAX_ID_LEN + 1];
    s_correlation(env, NULL, 0, corr);
    r->n.unsupported++;
    mash_warn_limited("message %s of unknown kind from %s", corr, k->principal);
    mash_router_send_error(r, zmq_msg_data(rid), zmq_msg_size(rid), corr,
                           MASH__V1__ERROR_CODE__ERROR_CODE_UNSUPPORTED,
                           "unknown message kind: this broker speaks mash.v1 schema 1");
  } else {
    /* Both checks run so that a refusal names every field at fault; a string
     * cut at a NUL byte by the decoder would otherwise pass as shorter. */
    int bad = mash_codec_validate_envelope(env, &errs) != 0;
    bad |= mash_codec_check_strings(frame, len, &errs) != 0;
    if (bad) {
      s_on_invalid(r, k, rid, env, &errs);
    } else {
      s_dispatch(r, k, rid, env);
    }
  }
  mash_codec_free(env);
}

static void s_zap_recv_cb(mash_zsock_t *zs, zmq_msg_t *parts, size_t n, void *arg) {
  mash_router_t *r = arg;
  mash_zap_answer(mash_zsock_socket(zs), parts, n, r->trust, &r->zap_stats);
}

/* The counters as one log line: every stats_interval_ms and at close. */
static void s_log_counters(mash_router_t *r) {
  mash_outbox_stats_t st;
  mash_outbox_get_stats(r->outbox, &st);
  mash_info("stats: received %lu, accepted %lu, duplicates %lu, rejected %lu, forbidden %lu, "
            "malformed %lu (oversized %lu), refused at the adapters %lu, deliveries sent %lu "
            "acknowledged %lu, escalations %lu, zap allowed %lu denied %lu, refused from "
            "untrusted keys %lu",
            r->n.received, r->n.accepted, r->n.duplicates, r->n.rejected, r->n.forbidden,
            r->n.malformed, r->n.oversized, r->n.adapter_rejected, st.sent, st.acked,
            r->n.escalations, r->zap_stats.allowed, r->zap_stats.denied, r->n.revoked);
  mash_storage_stats_t ss;
  mash_storage_get_stats(r->storage, &ss);
  const mash_store_person_cache_t *pc = &ss.person_cache;
  if (pc->bytes > 0) {
    uint64_t asked = pc->hits + pc->misses;
    mash_info("stats: person index: %llu comparison summaries held in memory (%.1f MiB mapped), "
              "%.1f%% of look-ups found there, %llu turned away (summary_cache_mb reached)",
              (unsigned long long)pc->entries, (double)pc->bytes / 1048576.0,
              asked ? 100.0 * (double)pc->hits / (double)asked : 100.0,
              (unsigned long long)pc->refused);
  }
}

static void s_timer_cb(uv_timer_t *t) {
  mash_router_t *r = t->data;
  int64_t now = mash_clock_now_ms();
  if (r->cfg.stats_interval_ms > 0 && now - r->counters_logged_ms >= r->cfg.stats_interval_ms) {
    r->counters_logged_ms = now;
    s_log_counters(r);
  }
  mash_ops_tick(r->ops, now, mash_router_silent_ms(r));
  mash_router_pump(r);
  mash_resolve_queue_kick(r->rq); /* after an out-of-memory stop */
}

void mash_router_set_trust(mash_router_t *r, const mash_trust_t *trust) {
  const mash_trust_t *old = r->trust;
  r->trust = trust;
  for (size_t i = 0; i < mash_trust_count(old); i++) {
    const mash_key_t *was = mash_trust_at(old, i);
    const mash_key_t *now = mash_trust_find_principal(trust, was->principal);
    if (now && strcmp(now->public_key, was->public_key) == 0) {
      continue;
    }
    int dropped = 0;
    const mash_route_t *rt;
    while ((rt = mash_routes_find(r->routes, was->principal)) != NULL) {
      mash_routes_drop(r->routes, rt);
      dropped++;
    }
    mash_warn("trust list: the key of %s (%s) %.8s... is %s: refused from its next message%s",
              was->principal, was->role, was->public_key,
              mash_trust_is_revoked(trust, was->public_key) ? "revoked"
              : now                                         ? "replaced by a new key"
                                                            : "removed",
              dropped ? "; its route dropped" : "");
  }
}

/* ------------------------------------------------------------ life cycle */

static void s_handle_closed(void *arg) {
  mash_router_t *r = arg;
  r->handles_open--;
  mash_router_maybe_free(r);
}

static void s_timer_closed(uv_handle_t *h) {
  s_handle_closed(h->data);
}

/* Close whatever handles exist; the router is freed after the last. */
static void s_close_handles(mash_router_t *r) {
  if (r->timer.data) {
    uv_timer_stop(&r->timer);
    uv_close((uv_handle_t *)&r->timer, s_timer_closed);
  }
  mash_watch_t *w = r->watch;
  r->watch = NULL; /* transactions still in flight must not touch it */
  if (w) {
    mash_watch_close(w, s_handle_closed, r);
  }
  mash_zsock_t *rz = r->rz, *zz = r->zz;
  r->rz = NULL;
  r->zz = NULL;
  if (rz) {
    mash_zsock_close(rz, s_handle_closed, r);
  }
  if (zz) {
    mash_zsock_close(zz, s_handle_closed, r);
  }
}

mash_router_t *mash_router_new(uv_loop_t *loop, void *router_sock, void *zap_sock,
                               const mash_trust_t *trust, mash_storage_t *storage,
                               const mash_router_config_t *cfg) {
  mash_router_t *r = calloc(1, sizeof *r);
  if (r) {
    r->loop = loop;
    r->trust = trust;
    r->storage = storage;
    r->cfg = *cfg;
    if (!r->cfg.recv_budget) {
      r->cfg.recv_budget = 256;
    }
    mash_retry_t policy =
        mash_retry_policy(cfg->delivery_base_ms, 1000, cfg->delivery_max_ms, 30000, 10);
    r->outbox = mash_outbox_new(&policy, cfg->delivery_burst);
    r->routes = mash_routes_new();
    r->rq = mash_resolve_queue_new(storage, r->cfg.matching, mash_router_resolved_cb,
                                   mash_router_resolve_done_cb, r);
    r->ops = mash_ops_new(mash_clock_now_ms(), r->cfg.screening_ms);
    r->counters_logged_ms = mash_clock_now_ms();
  }
  if (!r || !r->outbox || !r->routes || !r->rq || !r->ops || mash_uuid_new(r->id_prefix) != 0) {
    mash_error("cannot create the router: out of memory");
    if (r) {
      mash_outbox_destroy(&r->outbox);
      mash_routes_destroy(&r->routes);
      mash_resolve_queue_destroy(&r->rq);
      mash_ops_destroy(&r->ops);
      free(r);
    }
    zmq_close(router_sock);
    zmq_close(zap_sock);
    return NULL;
  }
  /* From here a failure closes what was made and frees the router once the
   * loop has run the close callbacks. */
  r->closing = 1;
  uv_timer_init(loop, &r->timer);
  r->timer.data = r;
  r->handles_open++;
  r->zz = mash_zsock_new(loop, zap_sock, 64, s_zap_recv_cb, r);
  if (!r->zz) {
    zmq_close(zap_sock);
  }
  r->handles_open += r->zz != NULL;
  r->rz = r->zz ? mash_zsock_new(loop, router_sock, r->cfg.recv_budget, s_router_recv_cb, r) : NULL;
  if (!r->rz) {
    zmq_close(router_sock);
  }
  r->handles_open += r->rz != NULL;
  r->watch = r->rz ? mash_watch_new(loop, r->cfg.clock, r->cfg.enquiry, storage,
                                    mash_router_watch_submit, r)
                   : NULL;
  r->handles_open += r->watch != NULL;
  if (!r->watch) {
    mash_error("cannot watch the broker sockets and deadlines");
    s_close_handles(r);
    return NULL;
  }
  r->closing = 0;
  uv_timer_start(&r->timer, s_timer_cb, 100, 100);
  return r;
}

/* The router and the store, for the start-up load on the storage thread. */
typedef struct s_load {
  mash_router_t *r;
  mash_store_t *store;
} s_load_t;

/* Why a sealed record did not open, in words for an operator. */
static const char *s_open_failure(int rc) {
  switch (rc) {
  case -EBADMSG:
    return "authentication tag mismatch: its sealed record was damaged or altered, or sealed "
           "with another data key";
  case -ENOMEM:
    return "out of memory";
  default:
    return mash_strerror(rc);
  }
}

/* A contact that fails to open is quarantined, never skipped in silence:
 * named with the cause (ids, principal and times only), counted (mashctl
 * status), left in the store untouched for a restored key or backup, and
 * not delivered. Refusing to start instead would stop every other child's
 * notifications and deadlines for the sake of one record the broker cannot
 * read either way. */
static void s_quarantine(s_load_t *l, const char *contact_id, int64_t received_at_ms) {
  mash_contact_row_t row;
  int rc = mash_store_contact_get(l->store, contact_id, &row);
  free(row.blob);
  char at[40];
  mash_clock_format(received_at_ms, at, sizeof at);
  l->r->n.quarantined++;
  mash_error("contact %s (from %s, received %s) cannot be opened: %s. It is quarantined: kept "
             "in the store as it is, not delivered to the hub desk; put back the data key or a "
             "backup that opens it, and tell the hub",
             contact_id, row.principal[0] ? row.principal : "?", at,
             s_open_failure(rc == 0 ? -EBADMSG : rc));
}

static int s_load_cb(const char *contact_id, int64_t received_at_ms, const uint8_t *contact,
                     size_t len, void *arg) {
  s_load_t *l = arg;
  mash_router_t *r = l->r;
  if (contact == NULL) {
    s_quarantine(l, contact_id, received_at_ms);
    return 0;
  }
  int rc = mash_outbox_add_contact(r->outbox, contact_id, contact, len,
                                   mash_clock_read(r->cfg.clock), mash_clock_now_ms());
  if (rc != 0) {
    mash_error("%s: cannot queue the delivery: %s", contact_id, mash_strerror(rc));
  }
  return 0;
}

static int s_load_outbox_cb(const char *message_id, const char *target, const uint8_t *frame,
                            size_t len, void *arg) {
  mash_router_t *r = arg;
  if (mash_outbox_add(r->outbox, message_id, target, frame, len, mash_clock_now_ms()) != 0) {
    mash_error("out of memory: %s waits for a restart", message_id);
  }
  return 0;
}

static int s_load_fn(mash_store_t *store, void *arg) {
  /* Runs on the storage thread while the loop thread waits in run_sync, so
   * touching the router here is safe: nothing else runs. */
  s_load_t l = {.r = arg, .store = store};
  int rc = mash_store_load_undelivered(store, s_load_cb, &l);
  rc = rc == 0 ? mash_store_outbox_pending(store, s_load_outbox_cb, arg) : rc;
  /* A store without the reports (a read-only or older one) counts none. */
  int seeded = rc == 0 ? mash_router_seed_rejections(arg, store) : 0;
  return seeded == -ENOSYS ? rc : (rc ? rc : seeded);
}

int mash_router_load(mash_router_t *r) {
  int rc = mash_storage_run_sync(r->storage, s_load_fn, r);
  mash_outbox_stats_t st;
  mash_outbox_get_stats(r->outbox, &st);
  if (rc == 0 && st.pending) {
    mash_info("%lu message(s) and contact(s) waiting for delivery", st.pending);
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

void mash_router_maybe_free(mash_router_t *r) {
  if (!r->closing || r->handles_open > 0 || r->ops_outstanding > 0 ||
      mash_resolve_queue_busy(r->rq)) {
    return;
  }
  mash_outbox_destroy(&r->outbox);
  mash_resolve_queue_destroy(&r->rq);
  mash_routes_destroy(&r->routes);
  mash_ops_destroy(&r->ops);
  void (*cb)(void *) = r->close_cb;
  void *arg = r->close_arg;
  free(r);
  if (cb) {
    cb(arg);
  }
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
  s_close_handles(r);
}
