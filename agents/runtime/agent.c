/* agent: connection, heartbeats, reconnection, the durable outbox and its
 * in-flight window, and receive dispatch for every mash agent (messages for
 * the agent itself are handled in agent_inbox.c). Must not: know any
 * agency's record format, or log child data (ids and counts only). Loop
 * thread only. */
#include "agent.h"
#include "agent_internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "clock.h"
#include "keys.h"
#include "log.h"
#include "parts.h"
#include "retry.h"
#include "uuid.h"
#include "zsock.h"

static void s_recv_cb(mash_zsock_t *zs, zmq_msg_t *parts, size_t n, void *arg);

/* A heartbeat answer carries the broker's clock. Kept as a clock running
 * from now at the broker's rate; the handler hears of it when it is new or
 * differs from what the kept one predicts by more than the trip could. */
static void s_on_broker_clock(agent_t *a, const Mash__V1__Heartbeat *hb) {
  if (hb->clock_ms <= 0 || !(hb->clock_rate >= 1.0 && hb->clock_rate <= 1e6)) {
    return; /* an older broker, or a value out of range: the wall clock stays */
  }
  mash_clock_t c = {.rate = hb->clock_rate,
                    .real_origin_ms = mash_clock_now_ms(),
                    .virtual_origin_ms = hb->clock_ms};
  int64_t drift = 0;
  if (a->have_broker_clock) {
    drift = mash_clock_read(&a->broker_clock) - hb->clock_ms;
    drift = drift < 0 ? -drift : drift;
  }
  /* 200 ms of real time at the broker's rate is within a trip's jitter. */
  double tolerance = 1000.0 > 200.0 * c.rate ? 1000.0 : 200.0 * c.rate;
  if (a->have_broker_clock && a->broker_clock.rate == c.rate && (double)drift <= tolerance) {
    return;
  }
  a->broker_clock = c;
  a->have_broker_clock = 1;
  if (a->on_clock) {
    a->on_clock(a, &c, a->clock_arg);
  }
}

static int s_send_frame(agent_t *a, const uint8_t *frame, size_t len) {
  if (!a->zs) {
    return -ENOTCONN;
  }
  const void *bufs[1] = {frame};
  size_t lens[1] = {len};
  return mash_zsock_send(a->zs, bufs, lens, 1);
}

int agent_send_env(agent_t *a, Mash__V1__Envelope *env, char *id_out) {
  char id[MASH_UUID_LEN + 1];
  if (mash_uuid_new(id) != 0) {
    return -EIO;
  }
  mash_envelope_init(env, id, mash_clock_now_ms());
  uint8_t *buf = NULL;
  size_t len = 0;
  int rc = mash_codec_encode(env, &buf, &len);
  if (rc == 0) {
    rc = s_send_frame(a, buf, len);
    free(buf);
  }
  if (id_out) {
    memcpy(id_out, id, sizeof id);
  }
  return rc;
}

static int s_connect(void *arg, char *err, size_t errlen) {
  agent_t *a = arg;
  a->zs = mash_zsock_client_new(a->loop, a->ctx, agent_brokers_endpoint(a->brokers),
                                agent_brokers_key(a->brokers), &a->key, MASH_MAX_WIRE,
                                a->cfg.heartbeat_ms, 128, s_recv_cb, a, err, errlen);
  if (!a->zs) {
    return -1;
  }
  a->handles_open++;
  a->connected_at = mash_clock_now_ms();
  a->listen_from = a->connected_at;
  a->last_heartbeat = 0;
  return 0;
}

static void s_zsock_closed(void *arg) {
  agent_t *a = arg;
  a->handles_open--;
  if (a->closing && a->handles_open == 0) {
    zmq_ctx_term(a->ctx);
    void (*cb)(void *) = a->close_cb;
    void *carg = a->close_arg;
    mash_seal_destroy(&a->seal);
    free(a);
    if (cb) {
      cb(carg);
    }
  }
}

/* Mark for an immediate resend every entry sent (and not receipted) before
 * `before`: what a lost socket or a restarted broker may have dropped.
 * Returns how many. */
static size_t s_resend_sent_before(agent_t *a, int64_t before) {
  size_t n = 0;
  int64_t now = mash_clock_now_ms();
  for (s_pending_t *p = a->head; p; p = p->next) {
    if (p->attempts > 0 && p->sent_at < before) {
      p->force = 1;
      p->next_at = now;
      n++;
    }
  }
  return n;
}

static void s_set_up(agent_t *a, int up) {
  if (a->up == up) {
    return;
  }
  a->up = up;
  if (up) {
    mash_info("connected to %s", agent_brokers_endpoint(a->brokers));
    char err[512];
    if (agent_brokers_remember(a->brokers, a->cfg.state, err, sizeof err) != 0) {
      mash_warn("cannot remember the broker that answered: %s", err);
    }
    /* Only what went out on an earlier socket can have been lost with it;
     * what this socket carried is in the broker's hands (the broker's
     * instance id tells if the broker itself restarted). */
    s_resend_sent_before(a, a->connected_at);
  } else {
    mash_warn("broker at %s not answering; %zu message(s) wait in the outbox",
              agent_brokers_endpoint(a->brokers), a->npending);
  }
  if (a->on_link) {
    a->on_link(a, up, a->arg);
  }
}

/* ------------------------------------------------------------ outbox */

/* Put p at the end of the pending list. */
static void s_pending_append(agent_t *a, s_pending_t *p) {
  p->next = NULL;
  if (a->tail) {
    a->tail->next = p;
  } else {
    a->head = p;
  }
  a->tail = p;
  a->npending++;
}

static int s_pending_add(agent_t *a, const char *message_id, const char *label,
                         const uint8_t *frame, size_t len) {
  s_pending_t *p = calloc(1, sizeof *p);
  if (!p || !(p->frame = malloc(len ? len : 1))) {
    free(p);
    return -ENOMEM;
  }
  snprintf(p->message_id, sizeof p->message_id, "%s", message_id);
  snprintf(p->label, sizeof p->label, "%s", label ? label : "");
  memcpy(p->frame, frame, len);
  p->len = len;
  p->next_at = mash_clock_now_ms();
  s_pending_append(a, p);
  return 0;
}

static s_pending_t *s_pending_take(agent_t *a, const char *message_id) {
  s_pending_t *prev = NULL;
  for (s_pending_t *p = a->head; p; prev = p, p = p->next) {
    if (strcmp(p->message_id, message_id) == 0) {
      if (prev) {
        prev->next = p->next;
      } else {
        a->head = p->next;
      }
      if (a->tail == p) {
        a->tail = prev;
      }
      a->npending--;
      a->inflight -= p->attempts > 0;
      return p;
    }
  }
  return NULL;
}

static void s_pending_free(s_pending_t *p) {
  if (p) {
    free(p->frame);
    free(p);
  }
}

/* At most this many messages wait for their receipt at once. A drop of
 * thousands of files is then sent as fast as the broker receipts it, never
 * faster, so no message waits so long for its receipt that it is resent
 * while the broker is simply busy with the ones before it. */
#define S_WINDOW 512

/* How long the broker has been silent that we can tell: since we last
 * heard it, or since we began listening (the connection, or the end of a
 * stall of our own loop: what the broker sent meanwhile waits unread, so
 * silence over our stall is no evidence against it). */
static int64_t s_silence(const agent_t *a, int64_t now) {
  int64_t from = a->last_heard > a->listen_from ? a->last_heard : a->listen_from;
  return now - from;
}

/* Skipped, it seems: a message first sent resend_ms or more after it was
 * receipted (the broker answers in order; a resend keeps its first place),
 * or no receipt at all for resend_max_ms while we listened since it was
 * sent (never timed from its own send: that resent whole windows). */
static int s_overtaken(const agent_t *a, const s_pending_t *p, int64_t now) {
  if (a->receipted_at - p->order_at >= a->cfg.resend_ms) {
    return 1;
  }
  int64_t progress = p->sent_at > a->last_receipt ? p->sent_at : a->last_receipt;
  progress = progress > a->listen_from ? progress : a->listen_from;
  return now - progress >= a->cfg.resend_max_ms;
}

/* Send new entries while the window has room, and those forced out again
 * (a new connection or broker). Whether one looks skipped is judged only
 * from the timer (`judge`), once our own stalls are off the silence. Mere
 * silence gets no resend: what this socket carried is in the broker's hands
 * or lost with the socket, which s_timer_cb replaces and forces out. */
static void s_pump(agent_t *a, int judge) {
  if (a->batching) {
    return; /* nothing leaves before the batch is durable */
  }
  if (a->last_heard < a->connected_at) {
    /* Nothing leaves on a new socket before the broker has answered on it
     * (its first heartbeat names its instance): a message sent to a broker
     * that died before we ever heard it would otherwise wait resend_max_ms,
     * since neither a new socket nor a new instance would mark it. */
    return;
  }
  int64_t now = mash_clock_now_ms();
  unsigned sent = 0;
  for (s_pending_t *p = a->head; p && sent < 256; p = p->next) {
    if (p->next_at > now) {
      continue;
    }
    if (p->attempts == 0 && a->inflight >= S_WINDOW) {
      break; /* the window is full: receipts make room */
    }
    if (p->attempts > 0 && !p->force && !(judge && s_overtaken(a, p, now))) {
      /* The broker works through what we sent, in order, however slowly,
       * so a resend now would only be a duplicate. */
      continue;
    }
    if (s_send_frame(a, p->frame, p->len) != 0) {
      return; /* not connected or queue full: the next tick tries again */
    }
    a->inflight += p->attempts == 0;
    p->attempts++;
    p->order_at = p->attempts == 1 || p->force ? now : p->order_at;
    p->sent_at = now;
    p->force = 0;
    p->next_at = mash_retry_next_at(&a->resend, p->attempts, now);
    sent++;
  }
}

static s_pending_t *s_pending_find(agent_t *a, const char *message_id) {
  for (s_pending_t *p = a->head; p; p = p->next) {
    if (strcmp(p->message_id, message_id) == 0) {
      return p;
    }
  }
  return NULL;
}

int agent_submit(agent_t *a, Mash__V1__Envelope *env, const char *label, const char *want_id,
                 char *out_id) {
  char id[MASH_MAX_ID_LEN + 1];
  if (want_id) {
    snprintf(id, sizeof id, "%s", want_id);
  } else if (mash_uuid_new(id) != 0) {
    return -EIO;
  }
  if (out_id) {
    memcpy(out_id, id, strlen(id) + 1);
  }
  if (s_pending_find(a, id)) {
    return 0; /* already waiting for its receipt */
  }
  mash_envelope_init(env, id, mash_clock_now_ms());
  uint8_t *buf = NULL;
  size_t len = 0;
  int rc = mash_codec_encode(env, &buf, &len);
  if (rc != 0) {
    return rc;
  }
  rc = agent_store_outbox_put(a->store, id, label, buf, len, mash_clock_now_ms());
  if (rc == 0) {
    rc = s_pending_add(a, id, label, buf, len);
  }
  free(buf);
  if (rc != 0) {
    return rc < 0 ? rc : -EIO;
  }
  s_pump(a, 0);
  return 0;
}

int agent_batch_begin(agent_t *a) {
  if (a->batching) {
    return -EBUSY;
  }
  int rc = agent_store_begin(a->store);
  if (rc != 0) {
    return rc < 0 ? rc : -EIO;
  }
  a->batching = 1;
  a->batch_mark = a->tail;
  return 0;
}

int agent_batch_commit(agent_t *a) {
  if (!a->batching) {
    return -EINVAL;
  }
  int rc = agent_store_commit(a->store);
  a->batching = 0;
  if (rc != 0) {
    agent_store_rollback(a->store);
    /* What the batch queued was never durable: forget it, so it is neither
     * sent nor counted; the caller keeps its inputs and submits them again. */
    s_pending_t *p = a->batch_mark ? a->batch_mark->next : a->head;
    if (a->batch_mark) {
      a->batch_mark->next = NULL;
    } else {
      a->head = NULL;
    }
    a->tail = a->batch_mark;
    while (p) {
      s_pending_t *next = p->next;
      s_pending_free(p);
      a->npending--;
      p = next;
    }
    return rc < 0 ? rc : -EIO;
  }
  s_pump(a, 0);
  return 0;
}

/* A heartbeat from a broker process other than the one we last heard: it
 * restarted, and whatever it had not receipted may have died with it. */
static void s_on_broker_instance(agent_t *a, const char *instance) {
  if (instance == NULL || instance[0] == '\0' || strcmp(instance, a->broker_instance) == 0) {
    return;
  }
  if (a->broker_instance[0] != '\0') {
    size_t n = s_resend_sent_before(a, INT64_MAX);
    mash_info("the broker restarted: resending %zu message(s) without a receipt", n);
  }
  snprintf(a->broker_instance, sizeof a->broker_instance, "%s", instance);
  s_pump(a, 0);
}

static void s_on_answer(agent_t *a, const Mash__V1__Envelope *env) {
  a->last_receipt = mash_clock_now_ms();
  s_pending_t *p = s_pending_take(a, env->correlation_id);
  if (!p) {
    return; /* a receipt for a resend already settled */
  }
  a->receipted_at = p->order_at > a->receipted_at ? p->order_at : a->receipted_at;
  int state = AGENT_OUTBOX_REJECTED;
  const char *contact = NULL;
  char detail[512] = "";
  if (env->body_case == MASH__V1__ENVELOPE__BODY_RECEIPT) {
    const Mash__V1__Receipt *r = env->receipt;
    state = r->status == MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED ? AGENT_OUTBOX_ACCEPTED
            : r->status == MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_DUPLICATE
                ? AGENT_OUTBOX_DUPLICATE
                : AGENT_OUTBOX_REJECTED;
    contact = r->contact_id[0] ? r->contact_id : NULL;
    size_t off = 0;
    for (size_t i = 0; i < r->n_errors && off < sizeof detail; i++) {
      int w = snprintf(detail + off, sizeof detail - off, "%s%s: %s", i ? "; " : "",
                       r->errors[i]->field, r->errors[i]->message);
      off += w > 0 ? (size_t)w : 0;
    }
  } else {
    snprintf(detail, sizeof detail, "%s", env->error->message);
  }
  if (agent_store_outbox_done(a->store, p->message_id, state, contact, detail[0] ? detail : NULL,
                              mash_clock_now_ms()) < 0) {
    mash_error_limited("cannot record the receipt of %s (%s); it will be resent", p->message_id,
                       agent_store_errmsg(a->store));
    s_pending_append(a, p);
    a->inflight += p->attempts > 0;
    return;
  }
  if (a->on_receipt) {
    a->on_receipt(a, p->message_id, p->label, env, a->arg);
  }
  s_pending_free(p);
  s_pump(a, 0); /* a receipt makes room in the window */
}

static void s_recv_cb(mash_zsock_t *zs, zmq_msg_t *parts, size_t n, void *arg) {
  (void)zs;
  agent_t *a = arg;
  Mash__V1__Envelope *env = agent_brokers_decode(parts, n);
  if (!env) {
    return;
  }
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  a->last_heard = mash_clock_now_ms();
  s_set_up(a, 1);
  if (mash_codec_validate_envelope(env, &errs) != 0) {
    mash_warn_limited("invalid message from the broker: %s: %s", errs.items[0].field,
                      errs.items[0].message);
    mash_codec_free(env);
    return;
  }
  switch (env->body_case) {
  case MASH__V1__ENVELOPE__BODY_HEARTBEAT:
    s_on_broker_clock(a, env->heartbeat);
    s_on_broker_instance(a, env->heartbeat->instance);
    break;
  case MASH__V1__ENVELOPE__BODY_RECEIPT:
    s_on_answer(a, env);
    break;
  case MASH__V1__ENVELOPE__BODY_ERROR:
    mash_warn("broker error for %s: %s", env->correlation_id[0] ? env->correlation_id : "-",
              env->error->message);
    /* A refusal of a message in the outbox settles it: resending cannot help.
     * An internal error leaves it to be resent. */
    if (env->correlation_id[0] && env->error->code != MASH__V1__ERROR_CODE__ERROR_CODE_INTERNAL) {
      s_on_answer(a, env);
    }
    break;
  case MASH__V1__ENVELOPE__BODY_PART:
    agent_inbox_part(a, env);
    break;
  default:
    agent_inbox_message(a, env);
    break;
  }
  mash_codec_free(env);
}

/* ------------------------------------------------------------ timer */

/* Replace the silent socket with one to the next broker of the list (the
 * same one when there is one): of several mashd nodes only the active one
 * answers. Returns 1 when the list wrapped round (every broker was tried:
 * time to back off), else 0. */
static int s_reconnect(agent_t *a) {
  return agent_brokers_reconnect(a->brokers, &a->zs, s_zsock_closed, s_connect, a);
}

/* A gap between timer runs (every 100 ms) longer than this is our stall. */
#define S_STALL_MS 500

static void s_timer_cb(uv_timer_t *t) {
  agent_t *a = t->data;
  int64_t now = mash_clock_now_ms();
  /* Our own loop stalled (a spool batch's disk writes on a slow machine):
   * what the broker sent meanwhile waits unread in the socket, so silence
   * over the stall is no evidence against the broker. Listen afresh from
   * the stall's end, or the window would be resent, or the socket replaced. */
  if (a->last_tick != 0 && now - a->last_tick > S_STALL_MS) {
    a->listen_from = now;
  }
  a->last_tick = now;
  int64_t silent_limit = (int64_t)a->cfg.heartbeat_ms * 3;
  if (now - a->last_heartbeat >= a->cfg.heartbeat_ms) {
    Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
    Mash__V1__Heartbeat hb = MASH__V1__HEARTBEAT__INIT;
    hb.agent = a->cfg.name;
    env.body_case = MASH__V1__ENVELOPE__BODY_HEARTBEAT;
    env.heartbeat = &hb;
    /* Not yet connected (ZMQ_IMMEDIATE): try again on the next tick, so the
     * broker learns of us as soon as the handshake completes. */
    if (agent_send_env(a, &env, NULL) == 0) {
      a->last_heartbeat = now;
    }
  }
  int64_t since = s_silence(a, now);
  if (a->up && since > silent_limit) {
    s_set_up(a, 0);
  }
  /* Silent for long on this socket: make a fresh one, backing off. */
  if (since > silent_limit + a->reconnect_backoff_ms) {
    mash_info("no answer from %s for %lld ms: reconnecting", agent_brokers_endpoint(a->brokers),
              (long long)since);
    /* Back off only once every broker of the list was tried. */
    a->reconnect_backoff_ms =
        s_reconnect(a) ? mash_retry_delay_ms(&a->reconnect, ++a->reconnects) : 0;
  } else if (a->up) {
    a->reconnect_backoff_ms = 0;
    a->reconnects = 0;
  }
  s_pump(a, 1);
}

/* ------------------------------------------------------------ life cycle */

static int s_load_cb(const char *message_id, const char *label, const uint8_t *frame, size_t len,
                     void *arg) {
  return s_pending_add(arg, message_id, label, frame, len);
}

agent_t *agent_new(uv_loop_t *loop, const agent_config_t *cfg, char *err, size_t errlen) {
  agent_t *a = calloc(1, sizeof *a);
  if (!a) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  a->loop = loop;
  a->cfg = *cfg;
  /* The configured resend steps as given (cli.c holds the defaults); a
   * silent socket is replaced after 1 s, doubling up to 30 s. */
  a->resend = (mash_retry_t){a->cfg.resend_ms, a->cfg.resend_max_ms, 0};
  a->reconnect = mash_retry_policy(1000, 1000, 30000, 30000, 0);
  char kerr[512];
  if (mash_key_load(cfg->key, &a->key, kerr, sizeof kerr) != 0) {
    snprintf(err, errlen, "own key: %s", kerr);
    free(a);
    return NULL;
  }
  if (!a->key.secret_key[0]) {
    snprintf(err, errlen, "own key %s: need the .secret file, not the .pub", cfg->key);
    free(a);
    return NULL;
  }
  a->brokers = agent_brokers_new(cfg->endpoint, cfg->server_key, kerr, sizeof kerr);
  if (!a->brokers) {
    snprintf(err, errlen, "brokers: %s", kerr);
    free(a);
    return NULL;
  }
  if (agent_brokers_recall(a->brokers, cfg->state)) {
    mash_info("starting at %s, the broker that answered last", agent_brokers_endpoint(a->brokers));
  }
  a->seal = agent_seal_load(cfg, 1, err, errlen);
  if (!a->seal) {
    agent_brokers_destroy(&a->brokers);
    free(a);
    return NULL;
  }
  a->parts = agent_parts_new();
  a->store = a->parts ? agent_store_new(cfg->state, a->seal, kerr, sizeof kerr) : NULL;
  if (!a->store) {
    snprintf(err, errlen, "state %s: %s", cfg->state, a->parts ? kerr : "out of memory");
    agent_parts_destroy(&a->parts);
    mash_seal_destroy(&a->seal);
    agent_brokers_destroy(&a->brokers);
    free(a);
    return NULL;
  }
  if (agent_store_outbox_pending(a->store, s_load_cb, a) < 0) {
    snprintf(err, errlen, "state %s: cannot read the outbox", cfg->state);
    agent_store_destroy(&a->store);
    agent_parts_destroy(&a->parts);
    mash_seal_destroy(&a->seal);
    agent_brokers_destroy(&a->brokers);
    free(a);
    return NULL;
  }
  if (a->npending) {
    mash_info("%zu message(s) from an earlier run wait for a receipt", a->npending);
  }
  return a;
}

void agent_set_handlers(agent_t *a, agent_receipt_cb on_receipt, agent_message_cb on_message,
                        agent_link_cb on_link, void *arg) {
  a->on_receipt = on_receipt;
  a->on_message = on_message;
  a->on_link = on_link;
  a->arg = arg;
}

void agent_set_clock_handler(agent_t *a, agent_clock_cb on_clock, void *arg) {
  a->on_clock = on_clock;
  a->clock_arg = arg;
}

int agent_broker_clock(const agent_t *a, mash_clock_t *out) {
  if (!a->have_broker_clock) {
    return -ENOENT;
  }
  *out = a->broker_clock;
  return 0;
}

int agent_start(agent_t *a, char *err, size_t errlen) {
  a->ctx = zmq_ctx_new();
  if (!a->ctx || s_connect(a, err, errlen) != 0) {
    return -1;
  }
  uv_timer_init(a->loop, &a->timer);
  a->timer.data = a;
  a->handles_open++;
  uv_timer_start(&a->timer, s_timer_cb, 0, 100);
  return 0;
}

size_t agent_pending(const agent_t *a) {
  return a->npending;
}

int agent_connected(const agent_t *a) {
  return a->up;
}

const mash_seal_t *agent_get_seal(const agent_t *a) {
  return a->seal;
}

agent_store_t *agent_get_store(agent_t *a) {
  return a->store;
}

static void s_timer_closed(uv_handle_t *h) {
  s_zsock_closed(h->data);
}

void agent_close(agent_t *a, void (*close_cb)(void *arg), void *arg) {
  if (a->closing) {
    return;
  }
  a->closing = 1;
  a->close_cb = close_cb;
  a->close_arg = arg;
  while (a->head) {
    s_pending_t *p = a->head;
    a->head = p->next;
    s_pending_free(p);
  }
  a->tail = NULL;
  agent_store_destroy(&a->store);
  agent_parts_destroy(&a->parts);
  agent_brokers_destroy(&a->brokers);
  memset(a->key.secret_key, 0, sizeof a->key.secret_key);
  /* handles_open counts the socket and the timer; a zero count means
   * agent_start never ran. */
  if (a->handles_open == 0) {
    if (a->ctx) {
      zmq_ctx_term(a->ctx);
    }
    mash_seal_destroy(&a->seal);
    free(a);
    if (close_cb) {
      close_cb(arg);
    }
    return;
  }
  uv_timer_stop(&a->timer);
  uv_close((uv_handle_t *)&a->timer, s_timer_closed);
  mash_zsock_t *zs = a->zs;
  a->zs = NULL;
  if (zs) {
    mash_zsock_close(zs, s_zsock_closed, a);
  }
}
