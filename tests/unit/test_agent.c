/* test_agent: the agent runtime (agents/runtime/agent.h) against a fake
 * broker in the test: a CURVE ROUTER over ipc:// in a temporary folder that
 * answers heartbeats and otherwise does what each test says. Real keys
 * (mash_key_generate), a real agent store (SQLite) and a real libuv loop.
 *
 * Covers: a submitted message is stored, sent, resent with the same id no
 * sooner than the retry policy's first step while unanswered, not resent to a
 * broker that answers heartbeats but is slow to receipt, and settled by
 * its receipt (the callback sees it, nothing is pending, the store agrees);
 * not resent to a broker not yet heard on this connection, nor after a
 * stall of the agent's own loop (the broker is not declared gone either);
 * what waits in the outbox survives a restart of the agent and is sent
 * again; a refusal settles it too; a message from the broker is handled once
 * and acknowledged, a redelivery acknowledged as a duplicate without being
 * handled again, and one whose handler fails is not acknowledged and is
 * handled when redelivered; given two brokers' endpoints and keys, an agent
 * whose first broker is silent moves to the second; a key list that fits
 * neither rule is refused. The loop turns until what is awaited arrives
 * (bounded: no sleeps) and each test ends with uv_loop_close() == 0.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>
#include <zmq.h>

#include "agent.h"
#include "agent_store.h"
#include "clock.h"
#include "codec.h"
#include "keys.h"

/* Buffers the codec allocates are freed with the real free. */
static void s_codec_buf_free(void *p) {
  free(p);
}

#define UNIT_TESTING 1
#include <cmocka.h>

#define WAIT_MS 15000
#define RESEND_MS 60

typedef struct fx {
  char dir[64];
  mash_key_t broker, police;
  agent_config_t cfg;
  uv_loop_t loop;
  void *zctx;
  void *server; /* the fake broker */
  uint8_t rid[256];
  size_t rid_len;
  agent_t *agent;
  int closed;
  /* what the agent's callbacks saw */
  char receipt_id[80];
  char receipt_label[64];
  int receipt_status;
  unsigned receipts;
  unsigned handled;
  int fail_next; /* the message handler fails once */
  int link_up;
  unsigned link_downs; /* the broker declared gone */
  int mute;            /* the fake broker leaves heartbeats unanswered */
} fx_t;

static int setup(void **state) {
  fx_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-agent-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  char err[256];
  assert_int_equal(mash_key_generate(f->dir, "mashd", "broker", 0, &f->broker, err, sizeof err), 0);
  assert_int_equal(mash_key_generate(f->dir, "police", "agency", 0, &f->police, err, sizeof err),
                   0);
  agent_config_defaults(&f->cfg, "test-agent", "police");
  snprintf(f->cfg.endpoint, sizeof f->cfg.endpoint, "ipc://%s/broker.sock", f->dir);
  snprintf(f->cfg.server_key, sizeof f->cfg.server_key, "%s/mashd.pub", f->dir);
  snprintf(f->cfg.key, sizeof f->cfg.key, "%s/police.secret", f->dir);
  snprintf(f->cfg.state, sizeof f->cfg.state, "%s/state.db", f->dir);
  f->cfg.resend_ms = RESEND_MS;
  f->cfg.resend_max_ms = 4 * RESEND_MS;
  assert_int_equal(uv_loop_init(&f->loop), 0);
  f->zctx = zmq_ctx_new();
  f->server = zmq_socket(f->zctx, ZMQ_ROUTER);
  int one = 1, zero = 0;
  zmq_setsockopt(f->server, ZMQ_LINGER, &zero, sizeof zero);
  zmq_setsockopt(f->server, ZMQ_CURVE_SERVER, &one, sizeof one);
  assert_int_equal(zmq_setsockopt(f->server, ZMQ_CURVE_SECRETKEY, f->broker.secret_key, 40), 0);
  assert_int_equal(zmq_bind(f->server, f->cfg.endpoint), 0);
  *state = f;
  return 0;
}

static void s_closed_cb(void *arg) {
  ++*(int *)arg;
}

static void s_agent_close(fx_t *f) {
  if (f->agent) {
    int before = f->closed;
    agent_close(f->agent, s_closed_cb, &f->closed);
    f->agent = NULL;
    assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(f->closed, before + 1);
  }
}

static int teardown(void **state) {
  fx_t *f = *state;
  s_agent_close(f);
  assert_int_equal(uv_loop_close(&f->loop), 0);
  zmq_close(f->server);
  assert_int_equal(zmq_ctx_term(f->zctx), 0);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  assert_int_equal(system(cmd), 0);
  free(f);
  return 0;
}

/* ---------------------------------------------------------------- the agent */

static void s_on_receipt(agent_t *a, const char *message_id, const char *label,
                         const Mash__V1__Envelope *env, void *arg) {
  (void)a;
  fx_t *f = arg;
  f->receipts++;
  snprintf(f->receipt_id, sizeof f->receipt_id, "%s", message_id);
  snprintf(f->receipt_label, sizeof f->receipt_label, "%s", label);
  f->receipt_status =
      env->body_case == MASH__V1__ENVELOPE__BODY_RECEIPT ? (int)env->receipt->status : -1;
}

static int s_on_message(agent_t *a, const Mash__V1__Envelope *env, void *arg) {
  (void)a;
  fx_t *f = arg;
  assert_int_equal(env->body_case, MASH__V1__ENVELOPE__BODY_ESCALATION);
  if (f->fail_next) {
    f->fail_next = 0;
    return -EIO;
  }
  f->handled++;
  return 0;
}

static void s_on_link(agent_t *a, int up, void *arg) {
  (void)a;
  fx_t *f = arg;
  f->link_up = up;
  f->link_downs += !up;
}

static void s_agent_start(fx_t *f) {
  char err[256] = "";
  f->agent = agent_new(&f->loop, &f->cfg, err, sizeof err);
  if (!f->agent) {
    fail_msg("agent_new: %s", err);
  }
  agent_set_handlers(f->agent, s_on_receipt, s_on_message, s_on_link, f);
  assert_int_equal(agent_start(f->agent, err, sizeof err), 0);
}

static void s_submit(fx_t *f, const char *want_id, char *id_out) {
  Mash__V1__Person child = MASH__V1__PERSON__INIT;
  child.ref = (char *)"c1";
  child.given_name = (char *)"Maya";
  Mash__V1__Person *children[1] = {&child};
  Mash__V1__Notification n = MASH__V1__NOTIFICATION__INIT;
  n.children = children;
  n.n_children = 1;
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  env.body_case = MASH__V1__ENVELOPE__BODY_NOTIFICATION;
  env.notification = &n;
  assert_int_equal(agent_submit(f->agent, &env, "file-1.json", want_id, id_out), 0);
}

/* ---------------------------------------------------------------- the fake broker */

static void s_send(fx_t *f, Mash__V1__Envelope *env, const char *id) {
  mash_envelope_init(env, id, mash_clock_now_ms());
  uint8_t *buf = NULL;
  size_t len = 0;
  assert_int_equal(mash_codec_encode(env, &buf, &len), 0);
  assert_int_equal(zmq_send(f->server, f->rid, f->rid_len, ZMQ_SNDMORE), (int)f->rid_len);
  assert_int_equal(zmq_send(f->server, buf, len, 0), (int)len);
  s_codec_buf_free(buf);
}

/* Turn the loop until the agent sends something other than a heartbeat
 * (heartbeats are answered) or ms pass; return it decoded, or NULL. */
static Mash__V1__Envelope *s_recv_for(fx_t *f, int64_t ms) {
  static unsigned seq;
  int64_t until = mash_clock_now_ms() + ms;
  while (mash_clock_now_ms() < until) {
    uv_run(&f->loop, UV_RUN_NOWAIT);
    zmq_pollitem_t it = {f->server, 0, ZMQ_POLLIN, 0};
    assert_true(zmq_poll(&it, 1, 5) >= 0);
    if (!(it.revents & ZMQ_POLLIN)) {
      continue;
    }
    int n = zmq_recv(f->server, f->rid, sizeof f->rid, 0);
    assert_true(n > 0 && (size_t)n <= sizeof f->rid);
    f->rid_len = (size_t)n;
    zmq_msg_t m;
    zmq_msg_init(&m);
    assert_true(zmq_msg_recv(&m, f->server, 0) >= 0);
    mash_errors_t errs;
    memset(&errs, 0, sizeof errs);
    Mash__V1__Envelope *env = mash_codec_decode(zmq_msg_data(&m), zmq_msg_size(&m), &errs);
    zmq_msg_close(&m);
    assert_non_null(env);
    assert_int_equal(mash_codec_validate_envelope(env, &errs), 0);
    if (env->body_case != MASH__V1__ENVELOPE__BODY_HEARTBEAT) {
      return env;
    }
    if (f->mute) {
      mash_codec_free(env);
      continue;
    }
    Mash__V1__Envelope out = MASH__V1__ENVELOPE__INIT;
    Mash__V1__Heartbeat hb = MASH__V1__HEARTBEAT__INIT;
    hb.agent = (char *)"mashd";
    out.correlation_id = env->message_id;
    out.body_case = MASH__V1__ENVELOPE__BODY_HEARTBEAT;
    out.heartbeat = &hb;
    char id[32];
    snprintf(id, sizeof id, "hb-%u", ++seq);
    s_send(f, &out, id);
    mash_codec_free(env);
  }
  return NULL;
}

static Mash__V1__Envelope *s_recv(fx_t *f) {
  Mash__V1__Envelope *env = s_recv_for(f, WAIT_MS);
  if (!env) {
    fail_msg("nothing from the agent within %d ms", WAIT_MS);
  }
  return env;
}

/* Turn the loop until cond(f) holds (bounded). */
static void s_turn_until(fx_t *f, int (*cond)(const fx_t *f)) {
  int64_t until = mash_clock_now_ms() + WAIT_MS;
  while (!cond(f)) {
    assert_true(mash_clock_now_ms() < until);
    uv_run(&f->loop, UV_RUN_NOWAIT);
    zmq_poll(NULL, 0, 2);
  }
}

static int s_has_receipt(const fx_t *f) {
  return f->receipts > 0;
}

static void s_receipt(fx_t *f, const char *correlation, Mash__V1__ReceiptStatus st) {
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Receipt rec = MASH__V1__RECEIPT__INIT;
  rec.status = st;
  rec.contact_id = (char *)"MASH-000001";
  env.correlation_id = (char *)correlation;
  env.body_case = MASH__V1__ENVELOPE__BODY_RECEIPT;
  env.receipt = &rec;
  s_send(f, &env, "r-1");
}

static int64_t s_store_pending(fx_t *f) {
  int64_t n = -1;
  assert_int_equal(agent_store_outbox_count_pending(agent_get_store(f->agent), &n), 0);
  return n;
}

/* ---------------------------------------------------------------- tests */

static void test_submit_resend_receipt(void **state) {
  fx_t *f = *state;
  s_agent_start(f);
  char id[MASH_MAX_ID_LEN + 1];
  int64_t t0 = mash_clock_now_ms();
  s_submit(f, NULL, id);
  assert_int_equal(agent_pending(f->agent), 1);
  assert_int_equal(s_store_pending(f), 1);
  Mash__V1__Envelope *m = s_recv(f);
  assert_int_equal(m->body_case, MASH__V1__ENVELOPE__BODY_NOTIFICATION);
  assert_string_equal(m->message_id, id);
  mash_codec_free(m);
  /* Unanswered: sent again, with the same id, not before the first step. */
  m = s_recv(f);
  assert_string_equal(m->message_id, id);
  assert_true(mash_clock_now_ms() - t0 >= RESEND_MS);
  mash_codec_free(m);
  assert_true(f->link_up);
  s_receipt(f, id, MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED);
  s_turn_until(f, s_has_receipt);
  assert_int_equal(f->receipts, 1);
  assert_string_equal(f->receipt_id, id);
  assert_string_equal(f->receipt_label, "file-1.json");
  assert_int_equal(f->receipt_status, MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED);
  assert_int_equal(agent_pending(f->agent), 0);
  assert_int_equal(s_store_pending(f), 0);
}

/* A broker that answers every heartbeat but is slow to receipt (a loaded
 * machine) is alive: what was sent waits for its receipt, never resent
 * before resend_max_ms, even with resend_ms equal to the heartbeat interval
 * (the defaults), where the answer to each heartbeat is that old just
 * before the next one (integration_test_spool_faults resent its whole
 * window of 512 that way). */
static void test_busy_broker_no_resend(void **state) {
  fx_t *f = *state;
  f->cfg.heartbeat_ms = 200;
  f->cfg.resend_ms = 200;
  f->cfg.resend_max_ms = 30000;
  s_agent_start(f);
  char id[MASH_MAX_ID_LEN + 1];
  s_submit(f, NULL, id);
  Mash__V1__Envelope *m = s_recv(f);
  assert_string_equal(m->message_id, id);
  mash_codec_free(m);
  /* Ten heartbeat intervals without a receipt: heartbeats only. */
  m = s_recv_for(f, 10 * 200);
  if (m) {
    fail_msg("%s sent again to a broker that answers its heartbeats",
             m->body_case == MASH__V1__ENVELOPE__BODY_NOTIFICATION ? m->message_id : "something");
  }
  assert_true(f->link_up);
  s_receipt(f, id, MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED);
  s_turn_until(f, s_has_receipt);
  assert_int_equal(agent_pending(f->agent), 0);
}

/* A message the broker seems to have skipped (one sent well after it was
 * receipted, the broker answering in order) is resent at once, not after
 * resend_max_ms; the receipted one is not. */
static void test_skipped_resent(void **state) {
  fx_t *f = *state;
  f->cfg.heartbeat_ms = 200;
  f->cfg.resend_ms = 200;
  f->cfg.resend_max_ms = 30000;
  s_agent_start(f);
  char first[MASH_MAX_ID_LEN + 1], second[MASH_MAX_ID_LEN + 1];
  s_submit(f, "skipped-1", first);
  Mash__V1__Envelope *m = s_recv(f);
  assert_string_equal(m->message_id, first);
  mash_codec_free(m);
  assert_null(s_recv_for(f, 300)); /* heartbeats only */
  s_submit(f, "skipped-2", second);
  m = s_recv(f);
  assert_string_equal(m->message_id, second);
  mash_codec_free(m);
  s_receipt(f, second, MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED);
  int64_t t0 = mash_clock_now_ms();
  m = s_recv_for(f, 5000);
  assert_non_null(m);
  assert_string_equal(m->message_id, first);
  mash_codec_free(m);
  assert_true(mash_clock_now_ms() - t0 < 5000);
  assert_int_equal(agent_pending(f->agent), 1);
}

/* A broker that has not answered anything yet on this connection is sent
 * nothing but heartbeats: a message sent to a broker that then died before
 * we ever heard it was marked by neither a new socket nor a new instance,
 * and waited resend_max_ms (integration_test_pg_sync_standby saw it at a
 * promotion). Once it answers, the message goes once, and a broker slow to
 * answer (a loaded machine) is not declared gone or sent anything twice. */
static void test_unheard_broker_no_resend(void **state) {
  fx_t *f = *state;
  f->cfg.heartbeat_ms = 1000; /* gone after 3 s of silence */
  f->cfg.resend_ms = RESEND_MS;
  f->cfg.resend_max_ms = 30000;
  f->mute = 1;
  s_agent_start(f);
  char id[MASH_MAX_ID_LEN + 1];
  s_submit(f, "unheard-1", id);
  Mash__V1__Envelope *m = s_recv_for(f, 1500); /* 25 resend steps, half the silence limit */
  if (m) {
    fail_msg("%s sent to a broker not yet heard", m->message_id);
  }
  assert_int_equal(agent_pending(f->agent), 1);
  f->mute = 0;
  m = s_recv(f);
  assert_string_equal(m->message_id, id);
  mash_codec_free(m);
  s_receipt(f, id, MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED);
  s_turn_until(f, s_has_receipt);
  assert_int_equal(agent_pending(f->agent), 0);
  assert_int_equal(f->link_downs, 0);
}

static int s_link_is_up(const fx_t *f) {
  return f->link_up;
}

/* Our own loop stalls (a long batch on our disk) for three times the
 * silence that declares a broker gone. A pump right after it (the batch's
 * commit, before the timer has run) sends only the new message; afterwards
 * nothing is resent and the broker is never declared gone: what it sent
 * during the stall waited unread. The stall is the fault injected: the loop
 * is simply not turned for that long. */
static void test_own_stall_no_resend(void **state) {
  fx_t *f = *state;
  f->cfg.heartbeat_ms = 200; /* gone after 600 ms of silence */
  f->cfg.resend_ms = RESEND_MS;
  f->cfg.resend_max_ms = 30000;
  s_agent_start(f);
  char first[MASH_MAX_ID_LEN + 1], second[MASH_MAX_ID_LEN + 1];
  s_submit(f, "stall-1", first);
  Mash__V1__Envelope *m = s_recv(f);
  assert_string_equal(m->message_id, first);
  mash_codec_free(m);
  s_turn_until(f, s_link_is_up);
  int64_t until = mash_clock_now_ms() + 1800;
  for (int64_t now = mash_clock_now_ms(); now < until; now = mash_clock_now_ms()) {
    zmq_poll(NULL, 0, (long)(until - now));
  }
  assert_int_equal(agent_batch_begin(f->agent), 0);
  s_submit(f, "stall-2", second);
  assert_int_equal(agent_batch_commit(f->agent), 0);
  m = s_recv(f);
  assert_string_equal(m->message_id, second);
  mash_codec_free(m);
  m = s_recv_for(f, 1000); /* heartbeats answered */
  if (m) {
    fail_msg("%s sent again after our own stall", m->message_id);
  }
  assert_int_equal(f->link_downs, 0);
  assert_int_equal(agent_pending(f->agent), 2);
}

static void test_outbox_survives_restart(void **state) {
  fx_t *f = *state;
  s_agent_start(f);
  s_submit(f, "content-derived-1", NULL);
  s_submit(f, "content-derived-1", NULL); /* the same id: stored once */
  assert_int_equal(agent_pending(f->agent), 1);
  mash_codec_free(s_recv(f));
  s_agent_close(f);

  s_agent_start(f);
  assert_int_equal(agent_pending(f->agent), 1);
  Mash__V1__Envelope *m = s_recv(f);
  assert_string_equal(m->message_id, "content-derived-1");
  mash_codec_free(m);
  /* A refusal settles it too: resending cannot help. */
  s_receipt(f, "content-derived-1", MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED);
  s_turn_until(f, s_has_receipt);
  assert_int_equal(f->receipt_status, MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED);
  assert_int_equal(agent_pending(f->agent), 0);
  assert_int_equal(s_store_pending(f), 0);
}

static void s_escalation(fx_t *f, const char *id) {
  Mash__V1__EscalationEvent e = MASH__V1__ESCALATION_EVENT__INIT;
  e.escalation_id = (char *)"ESC-1";
  e.level = 1;
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  env.body_case = MASH__V1__ENVELOPE__BODY_ESCALATION;
  env.escalation = &e;
  s_send(f, &env, id);
}

static void s_expect_ack(fx_t *f, const char *id, Mash__V1__ReceiptStatus st) {
  Mash__V1__Envelope *m = s_recv(f);
  assert_int_equal(m->body_case, MASH__V1__ENVELOPE__BODY_RECEIPT);
  assert_string_equal(m->correlation_id, id);
  assert_int_equal(m->receipt->status, st);
  mash_codec_free(m);
}

static void test_inbox_once(void **state) {
  fx_t *f = *state;
  s_agent_start(f);
  /* A message settled first, so that the fake broker knows the route and
   * nothing but acknowledgements comes from the agent afterwards. */
  s_submit(f, "hello-1", NULL);
  mash_codec_free(s_recv(f));
  s_receipt(f, "hello-1", MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED);
  s_turn_until(f, s_has_receipt);
  /* The handler fails: no acknowledgement; the redelivery is handled. */
  f->fail_next = 1;
  s_escalation(f, "esc-1");
  s_escalation(f, "esc-1");
  s_expect_ack(f, "esc-1", MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED);
  assert_int_equal(f->handled, 1);
  assert_int_equal(f->fail_next, 0);
  /* Redelivered after it was handled: acknowledged, not handled again. */
  s_escalation(f, "esc-1");
  s_expect_ack(f, "esc-1", MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_DUPLICATE);
  assert_int_equal(f->handled, 1);
  s_escalation(f, "esc-2");
  s_expect_ack(f, "esc-2", MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED);
  assert_int_equal(f->handled, 2);
}

static void s_send_frame(fx_t *f, const uint8_t *buf, size_t len) {
  assert_int_equal(zmq_send(f->server, f->rid, f->rid_len, ZMQ_SNDMORE), (int)f->rid_len);
  assert_int_equal(zmq_send(f->server, buf, len, 0), (int)len);
}

/* An envelope larger than one frame arrives in parts: handled once, when the
 * last part comes (in any order), then every part is acknowledged; a part
 * of a whole handled before is acknowledged alone (its fellows may never
 * come again). */
static void test_parts(void **state) {
  fx_t *f = *state;
  s_agent_start(f);
  s_submit(f, "hello-1", NULL);
  mash_codec_free(s_recv(f));
  s_receipt(f, "hello-1", MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED);
  s_turn_until(f, s_has_receipt);
  /* An escalation made large by an unknown field (tolerated by readers). */
  static uint8_t pad[300000];
  memset(pad, 'p', sizeof pad);
  /* protobuf-c keeps a length-delimited unknown field with its length. */
  size_t body = sizeof pad - 3;
  pad[0] = (uint8_t)(0x80u | (body & 0x7Fu));
  pad[1] = (uint8_t)(0x80u | ((body >> 7) & 0x7Fu));
  pad[2] = (uint8_t)(body >> 14);
  ProtobufCMessageUnknownField uf = {999, PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED, sizeof pad, pad};
  Mash__V1__EscalationEvent e = MASH__V1__ESCALATION_EVENT__INIT;
  e.escalation_id = (char *)"ESC-BIG";
  e.level = 1;
  e.base.n_unknown_fields = 1;
  e.base.unknown_fields = &uf;
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  env.body_case = MASH__V1__ENVELOPE__BODY_ESCALATION;
  env.escalation = &e;
  mash_envelope_init(&env, "big-1", mash_clock_now_ms());
  uint8_t **parts = NULL;
  size_t *lens = NULL, n = 0;
  assert_int_equal(mash_codec_encode_parts(&env, &parts, &lens, &n), 0);
  assert_int_equal(n, 2);
  s_send_frame(f, parts[1], lens[1]);
  s_send_frame(f, parts[0], lens[0]);
  s_expect_ack(f, "big-1.0", MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED);
  s_expect_ack(f, "big-1.1", MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED);
  assert_int_equal(f->handled, 1);
  s_send_frame(f, parts[1], lens[1]);
  s_expect_ack(f, "big-1.1", MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_DUPLICATE);
  assert_int_equal(f->handled, 1);
  mash_codec_parts_free(parts, lens, n);
}

/* Two mashd nodes, the first listed not bound (a standby), each with its own
 * key: the agent falls silent on the first, moves to the second with the
 * second's key (a wrong key fails the CURVE handshake), and the message
 * reaches the broker there and is settled by its receipt. */
static void test_next_endpoint_on_silence(void **state) {
  fx_t *f = *state;
  char err[256];
  mash_key_t standby;
  assert_int_equal(mash_key_generate(f->dir, "standby", "broker", 0, &standby, err, sizeof err), 0);
  char active[sizeof f->cfg.endpoint];
  memcpy(active, f->cfg.endpoint, sizeof active);
  int w = snprintf(f->cfg.endpoint, sizeof f->cfg.endpoint, "ipc://%s/standby.sock, %.200s", f->dir,
                   active);
  assert_true(w > 0 && (size_t)w < sizeof f->cfg.endpoint);
  snprintf(f->cfg.server_key, sizeof f->cfg.server_key, "%s/standby.pub,%s/mashd.pub", f->dir,
           f->dir);
  f->cfg.heartbeat_ms = 100;
  s_agent_start(f);
  char id[MASH_MAX_ID_LEN + 1];
  s_submit(f, NULL, id);
  Mash__V1__Envelope *m = s_recv(f);
  assert_int_equal(m->body_case, MASH__V1__ENVELOPE__BODY_NOTIFICATION);
  assert_string_equal(m->message_id, id);
  mash_codec_free(m);
  s_receipt(f, id, MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED);
  s_turn_until(f, s_has_receipt);
  assert_string_equal(f->receipt_id, id);
  assert_true(f->link_up);
  assert_int_equal(agent_pending(f->agent), 0);
}

/* Keys that fit neither rule (one for all, one each) are refused by name. */
static void test_endpoint_list_refused(void **state) {
  fx_t *f = *state;
  char one[sizeof f->cfg.endpoint / 4];
  assert_true(strlen(f->cfg.endpoint) < sizeof one);
  memcpy(one, f->cfg.endpoint, strlen(f->cfg.endpoint) + 1);
  snprintf(f->cfg.endpoint, sizeof f->cfg.endpoint, "%s,%s,%s", one, one, one);
  snprintf(f->cfg.server_key, sizeof f->cfg.server_key, "%s/mashd.pub,%s/mashd.pub", f->dir,
           f->dir);
  char err[256] = "";
  assert_null(agent_new(&f->loop, &f->cfg, err, sizeof err));
  assert_non_null(strstr(err, "2 broker key(s) for 3 endpoint(s)"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_submit_resend_receipt, setup, teardown),
      cmocka_unit_test_setup_teardown(test_busy_broker_no_resend, setup, teardown),
      cmocka_unit_test_setup_teardown(test_skipped_resent, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unheard_broker_no_resend, setup, teardown),
      cmocka_unit_test_setup_teardown(test_own_stall_no_resend, setup, teardown),
      cmocka_unit_test_setup_teardown(test_outbox_survives_restart, setup, teardown),
      cmocka_unit_test_setup_teardown(test_inbox_once, setup, teardown),
      cmocka_unit_test_setup_teardown(test_parts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_next_endpoint_on_silence, setup, teardown),
      cmocka_unit_test_setup_teardown(test_endpoint_list_refused, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
