/* link: mash-ops as a CURVE client of mashd with the ops role.
 * Responsible for: asking, listening, reconnecting; see link.h.
 * Must not: block the loop, or send anything but OpsQuery. Loop thread. */
#include "link.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "clock.h"
#include "keys.h"
#include "log.h"
#include "agent_brokers.h"
#include "report.h"
#include "uuid.h"
#include "zsock.h"

struct ops_link {
  uv_loop_t *loop;
  ops_link_config_t cfg;
  ops_site_t *site;
  mash_key_t key;
  agent_brokers_t *brokers; /* the mashd nodes' endpoints and keys; the one followed */
  void *ctx;
  mash_zsock_t *zs;
  uv_timer_t timer;
  int64_t last_heard, connected_at, last_asked;
  int up;
  /* The range query in flight: its message id and the site's ticket. */
  char range_id[MASH_UUID_LEN + 1];
  uint64_t range_ticket;
  int closing, handles_open;
  ops_model_t *scratch;
  void (*close_cb)(void *);
  void *close_arg;
};

static void s_recv_cb(mash_zsock_t *zs, zmq_msg_t *parts, size_t n, void *arg);

static int s_connect(void *arg, char *err, size_t errlen) {
  ops_link_t *l = arg;
  /* No ZMTP heartbeats: the console's own report requests every few seconds
   * show whether mashd answers. */
  l->zs = mash_zsock_client_new(l->loop, l->ctx, agent_brokers_endpoint(l->brokers),
                                agent_brokers_key(l->brokers), &l->key, MASH_MAX_WIRE, 0, 64,
                                s_recv_cb, l, err, errlen);
  if (!l->zs) {
    return -1;
  }
  l->handles_open++;
  l->connected_at = mash_clock_now_ms();
  return 0;
}

static void s_closed(void *arg) {
  ops_link_t *l = arg;
  if (--l->handles_open == 0 && l->closing) {
    zmq_ctx_term(l->ctx);
    void (*cb)(void *) = l->close_cb;
    void *carg = l->close_arg;
    agent_brokers_destroy(&l->brokers);
    free(l->scratch);
    free(l);
    if (cb) {
      cb(carg);
    }
  }
}

static void s_set_up(ops_link_t *l, int up) {
  if (l->up == up) {
    return;
  }
  l->up = up;
  ops_site_set_linked(l->site, up);
  if (up) {
    mash_info("connected to mashd at %s", agent_brokers_endpoint(l->brokers));
  } else {
    mash_warn("mashd at %s is not answering", agent_brokers_endpoint(l->brokers));
  }
}

/* Ask for a report; out_id receives the message id when not NULL. */
static int s_ask(ops_link_t *l, int64_t from_ms, int64_t to_ms, char *out_id) {
  if (!l->zs) {
    return -ENOTCONN;
  }
  char id[MASH_UUID_LEN + 1];
  uint8_t *buf = NULL;
  size_t len = 0;
  int rc = ops_query_encode(from_ms, to_ms, id, &buf, &len) == 0 ? 0 : -EIO;
  if (rc == 0) {
    const void *bufs[1] = {buf};
    size_t lens[1] = {len};
    rc = mash_zsock_send(l->zs, bufs, lens, 1);
    free(buf);
  }
  if (rc == 0 && out_id) {
    memcpy(out_id, id, sizeof id);
  }
  return rc;
}

static void s_on_report(ops_link_t *l, const Mash__V1__Envelope *env) {
  ops_model_from_report(l->scratch, env->ops_report);
  if (l->range_ticket && strcmp(env->correlation_id, l->range_id) == 0) {
    ops_site_range_answer(l->site, l->range_ticket, l->scratch);
    l->range_ticket = 0;
    l->range_id[0] = '\0';
    return;
  }
  if (env->ops_report->from_ms == 0 && env->ops_report->to_ms == 0) {
    ops_site_publish(l->site, l->scratch);
  }
}

static void s_recv_cb(mash_zsock_t *zs, zmq_msg_t *parts, size_t n, void *arg) {
  (void)zs;
  ops_link_t *l = arg;
  Mash__V1__Envelope *env = agent_brokers_decode(parts, n);
  if (!env) {
    return;
  }
  l->last_heard = mash_clock_now_ms();
  s_set_up(l, 1);
  switch (env->body_case) {
  case MASH__V1__ENVELOPE__BODY_OPS_REPORT:
    s_on_report(l, env);
    break;
  case MASH__V1__ENVELOPE__BODY_ESCALATION: {
    ops_event_t e;
    ops_event_from_escalation(&e, env->escalation);
    ops_site_event(l->site, &e);
    break;
  }
  case MASH__V1__ENVELOPE__BODY_ERROR:
    mash_warn("mashd refused our question: %s", env->error->message);
    break;
  default:
    break; /* heartbeats and anything newer: nothing to do */
  }
  mash_codec_free(env);
}

static void s_reconnect(ops_link_t *l) {
  /* Of several mashd nodes only the active one answers: try the next. */
  agent_brokers_reconnect(l->brokers, &l->zs, s_closed, s_connect, l);
}

void ops_link_poke(ops_link_t *l) {
  int64_t from, to;
  uint64_t ticket;
  if (l->closing || !ops_site_range_wanted(l->site, &from, &to, &ticket) ||
      ticket == l->range_ticket) {
    return;
  }
  if (s_ask(l, from, to, l->range_id) == 0) {
    l->range_ticket = ticket;
  }
}

static void s_timer_cb(uv_timer_t *t) {
  ops_link_t *l = t->data;
  int64_t now = mash_clock_now_ms();
  int64_t silent = (int64_t)l->cfg.refresh_ms * 3;
  if (now - l->last_asked >= l->cfg.refresh_ms && s_ask(l, 0, 0, NULL) == 0) {
    l->last_asked = now;
  }
  int64_t heard = l->last_heard > l->connected_at ? l->last_heard : l->connected_at;
  if (l->up && now - l->last_heard > silent) {
    s_set_up(l, 0);
  }
  if (now - heard > silent + 2000) {
    s_reconnect(l);
  }
  ops_link_poke(l);
}

ops_link_t *ops_link_new(uv_loop_t *loop, const ops_link_config_t *cfg, ops_site_t *site, char *err,
                         size_t errlen) {
  ops_link_t *l = calloc(1, sizeof *l);
  if (!l || !(l->scratch = malloc(sizeof *l->scratch))) {
    snprintf(err, errlen, "out of memory");
    free(l);
    return NULL;
  }
  l->loop = loop;
  l->cfg = *cfg;
  l->site = site;
  if (l->cfg.refresh_ms < 100) {
    l->cfg.refresh_ms = 2000;
  }
  char kerr[512];
  if (mash_key_load(cfg->key, &l->key, kerr, sizeof kerr) != 0 || !l->key.secret_key[0]) {
    snprintf(err, errlen, "own key: %s", l->key.secret_key[0] ? kerr : "need the .secret file");
    goto fail;
  }
  if (strcmp(l->key.role, "ops") != 0) {
    snprintf(err, errlen,
             "own key %s has role %s; mash-ops needs an ops key "
             "(mash-keygen NAME --role ops)",
             cfg->key, l->key.role);
    goto fail;
  }
  l->brokers = agent_brokers_new(cfg->endpoint, cfg->server_key, kerr, sizeof kerr);
  if (!l->brokers) {
    snprintf(err, errlen, "brokers: %s", kerr);
    goto fail;
  }
  l->ctx = zmq_ctx_new();
  if (!l->ctx || s_connect(l, err, errlen) != 0) {
    goto fail;
  }
  uv_timer_init(loop, &l->timer);
  l->timer.data = l;
  l->handles_open++;
  uv_timer_start(&l->timer, s_timer_cb, 0, 100);
  return l;
fail:
  memset(l->key.secret_key, 0, sizeof l->key.secret_key);
  if (l->ctx) {
    zmq_ctx_term(l->ctx);
  }
  agent_brokers_destroy(&l->brokers);
  free(l->scratch);
  free(l);
  return NULL;
}

static void s_timer_closed(uv_handle_t *h) {
  s_closed(h->data);
}

void ops_link_close(ops_link_t *l, void (*close_cb)(void *arg), void *arg) {
  if (l->closing) {
    return;
  }
  l->closing = 1;
  l->close_cb = close_cb;
  l->close_arg = arg;
  memset(l->key.secret_key, 0, sizeof l->key.secret_key);
  uv_timer_stop(&l->timer);
  uv_close((uv_handle_t *)&l->timer, s_timer_closed);
  mash_zsock_t *zs = l->zs;
  l->zs = NULL;
  if (zs) {
    mash_zsock_close(zs, s_closed, l);
  }
}
