/* ask: mashctl's blocking question to mashd (see ask.h).
 * Must not: keep the secret key after the call. Any thread but a loop's. */
#include "ask.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "agent_brokers.h"
#include "clock.h"
#include "codec.h"
#include "keys.h"
#include "report.h"
#include "uuid.h"

static int s_send_query(void *sock, int64_t from_ms, int64_t to_ms, char *id) {
  uint8_t *buf = NULL;
  size_t len = 0;
  if (ops_query_encode(from_ms, to_ms, id, &buf, &len) != 0) {
    return -1;
  }
  int rc = zmq_send(sock, buf, len, 0) == (int)len ? 0 : -1;
  free(buf);
  return rc;
}

/* Ask the one node at endpoint (public key server) with own key me. */
static int s_ask_one(const char *endpoint, const mash_key_t *server, const mash_key_t *me,
                     int64_t from_ms, int64_t to_ms, int timeout_ms, ops_model_t *out, char *err,
                     size_t errlen) {
  void *ctx = zmq_ctx_new();
  void *sock = ctx ? zmq_socket(ctx, ZMQ_DEALER) : NULL;
  int zero = 0, rc = -1;
  int64_t maxmsg = MASH_MAX_WIRE;
  char id[MASH_UUID_LEN + 1];
  if (!sock) {
    snprintf(err, errlen, "cannot make a socket");
    goto out;
  }
  zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
  zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
  zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms);
  zmq_setsockopt(sock, ZMQ_SNDTIMEO, &timeout_ms, sizeof timeout_ms);
  if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, server->public_key, MASH_Z85_KEY_LEN) != 0 ||
      zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, me->public_key, MASH_Z85_KEY_LEN) != 0 ||
      zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, me->secret_key, MASH_Z85_KEY_LEN) != 0 ||
      zmq_connect(sock, endpoint) != 0) {
    snprintf(err, errlen, "cannot connect to %s: %s", endpoint, zmq_strerror(zmq_errno()));
    goto out;
  }
  if (s_send_query(sock, from_ms, to_ms, id) != 0) {
    snprintf(err, errlen, "cannot send to %s", endpoint);
    goto out;
  }
  int64_t deadline = mash_clock_now_ms() + timeout_ms;
  while (rc != 0 && mash_clock_now_ms() < deadline) {
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    if (zmq_msg_recv(&msg, sock, 0) < 0) {
      zmq_msg_close(&msg);
      break;
    }
    mash_errors_t errs;
    memset(&errs, 0, sizeof errs);
    Mash__V1__Envelope *env = mash_codec_decode(zmq_msg_data(&msg), zmq_msg_size(&msg), &errs);
    zmq_msg_close(&msg);
    if (env && strcmp(env->correlation_id, id) == 0) {
      if (env->body_case == MASH__V1__ENVELOPE__BODY_OPS_REPORT) {
        ops_model_from_report(out, env->ops_report);
        rc = 0;
      } else if (env->body_case == MASH__V1__ENVELOPE__BODY_ERROR) {
        snprintf(err, errlen, "mashd refused: %s", env->error->message);
        mash_codec_free(env);
        goto out;
      } else if (env->body_case == MASH__V1__ENVELOPE__BODY_RECEIPT) {
        /* Refused by role or content: the receipt names the fields. */
        snprintf(err, errlen, "mashd refused: %s",
                 env->receipt->n_errors ? env->receipt->errors[0]->message : "no reason given");
        mash_codec_free(env);
        goto out;
      }
    }
    mash_codec_free(env); /* escalations of the live feed, or an old answer */
  }
  if (rc != 0) {
    snprintf(err, errlen,
             "no answer from mashd at %s within %d ms (is it running, and is this key in its "
             "trust list?)",
             endpoint, timeout_ms);
  }
out:
  if (sock) {
    zmq_close(sock);
  }
  if (ctx) {
    zmq_ctx_term(ctx);
  }
  return rc;
}

int ops_ask(const char *endpoint, const char *server_key, const char *key, int64_t from_ms,
            int64_t to_ms, int timeout_ms, ops_model_t *out, char *err, size_t errlen) {
  mash_key_t me;
  char kerr[512];
  if (mash_key_load(key, &me, kerr, sizeof kerr) != 0 || !me.secret_key[0]) {
    snprintf(err, errlen, "own key %s: %s", key,
             me.secret_key[0] ? kerr : "need an ops .secret file (mash-keygen NAME --role ops)");
    return -1;
  }
  agent_brokers_t *b = agent_brokers_new(endpoint, server_key, kerr, sizeof kerr);
  if (!b) {
    snprintf(err, errlen, "brokers: %s", kerr);
    memset(me.secret_key, 0, sizeof me.secret_key);
    return -1;
  }
  /* Several mashd nodes: only the active one answers, so each is given its
   * share of the time, in order, until one does. */
  size_t n = agent_brokers_count(b);
  int each = (int)((size_t)timeout_ms / n);
  int rc = -1;
  for (size_t i = 0; i < n && rc != 0; i++, agent_brokers_next(b)) {
    rc = s_ask_one(agent_brokers_endpoint(b), agent_brokers_key(b), &me, from_ms, to_ms,
                   each > 0 ? each : 1, out, err, errlen);
  }
  agent_brokers_destroy(&b);
  memset(me.secret_key, 0, sizeof me.secret_key);
  return rc;
}
