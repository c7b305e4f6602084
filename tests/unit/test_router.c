/* test_router: the broker's dispatch (broker/net/router.h) with real parts:
 * CURVE ZeroMQ sockets over ipc:// in a temporary folder (keys made by
 * mash_key_generate, ZAP answering from the trust list), a real storage
 * thread over a SQLite file, and clients that are plain DEALER sockets.
 *
 * Covers, through the message table: a notification receipted after commit
 * and a resend receipted duplicate with the same contact; the contact
 * delivered to the hub desk, delivered again after the backoff while not
 * acknowledged, and acknowledged by the desk only; roles refused with a
 * receipt naming the field; a kind only the broker sends refused with an
 * error; an invalid request refused with field errors; a frame that is not
 * an Envelope answered MALFORMED; a screening run as a transaction whose
 * enquiry request reaches the agency through the outbox and is acknowledged
 * along the same path. After closing, the store has nothing left to deliver.
 * The loop turns until each awaited answer arrives (bounded: no sleeps), and
 * every test ends with uv_loop_close() == 0 and zmq_ctx_term() == 0.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uv.h>
#include <zmq.h>

#include "clock.h"
#include "codec.h"
#include "deadline.h"
#include "enquiry.h"
#include "keys.h"
#include "ladder.h"
#include "match.h"
#include "router.h"
#include "seal.h"
#include "storage.h"
#include "store.h"
#include "zap.h"

/* Buffers the codec allocates are freed with the real free. */
static void s_codec_buf_free(void *p) {
  free(p);
}

#define UNIT_TESTING 1
#include <cmocka.h>

#define WAIT_MS 15000

typedef struct fx {
  char dir[64];
  char ep[128];
  mash_key_t broker, police, hub;
  mash_trust_t *trust;
  mash_seal_t *seal;
  mash_calendar_t *calendar;
  mash_deadline_policy_t policy;
  mash_enquiry_env_t env;
  mash_clock_t clock;
  mash_storage_t *storage;
  mash_router_t *router;
  uv_loop_t loop;
  void *ctx;
  int router_closed, storage_closed;
  unsigned seq;
} fx_t;

static void s_fatal_cb(void *arg, int rc) {
  (void)arg;
  fail_msg("storage failed: %d", rc);
}

static void s_path(const fx_t *f, const char *name, char *out, size_t len) {
  assert_true((size_t)snprintf(out, len, "%s/%s", f->dir, name) < len);
}

static int setup(void **state) {
  fx_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-router-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  char path[128], trusted[128], err[256];
  s_path(f, "trusted", trusted, sizeof trusted);
  assert_int_equal(mkdir(trusted, 0700), 0);
  assert_int_equal(mash_key_generate(f->dir, "mashd", "broker", 0, &f->broker, err, sizeof err), 0);
  assert_int_equal(mash_key_generate(trusted, "police", "agency", 0, &f->police, err, sizeof err),
                   0);
  assert_int_equal(mash_key_generate(trusted, "hub", "hub", 0, &f->hub, err, sizeof err), 0);
  f->trust = mash_trust_load(trusted, err, sizeof err);
  assert_non_null(f->trust);
  s_path(f, "data.key", path, sizeof path);
  f->seal = mash_seal_new(path, 1, err, sizeof err);
  assert_non_null(f->seal);
  f->calendar = mash_calendar_new("UTC0", "mon-fri 09:00-17:00", "", err, sizeof err);
  assert_non_null(f->calendar);
  mash_deadline_policy_default(&f->policy);
  f->env.policy = &f->policy;
  f->env.calendar = f->calendar;
  f->env.ladder = mash_ladder_default();
  f->env.trust = f->trust;
  /* No escalation log here: its thread is tested in test_duty and test_esclog_feed. */
  mash_clock_init(&f->clock, 1.0, 0);
  s_path(f, "mash.db", path, sizeof path);
  mash_store_t *store = mash_store_sqlite_new(path, f->seal, err, sizeof err);
  assert_non_null(store);
  assert_int_equal(uv_loop_init(&f->loop), 0);
  f->storage = mash_storage_new(&f->loop, &store, 0, s_fatal_cb, f);
  assert_non_null(f->storage);
  f->ctx = zmq_ctx_new();
  assert_non_null(f->ctx);
  void *zap = mash_zap_bind(f->ctx, err, sizeof err);
  assert_non_null(zap);
  void *sock = zmq_socket(f->ctx, ZMQ_ROUTER);
  int one = 1, zero = 0;
  zmq_setsockopt(sock, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
  zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
  assert_int_equal(mash_zap_secure_server(sock, &f->broker, err, sizeof err), 0);
  snprintf(f->ep, sizeof f->ep, "ipc://%s/mashd.sock", f->dir);
  assert_int_equal(zmq_bind(sock, f->ep), 0);
  mash_router_config_t cfg = {.heartbeat_ms = 2000,
                              .screening_ms = 240 * 60000,
                              .delivery_base_ms = 50,
                              .delivery_max_ms = 200,
                              .clock = &f->clock,
                              .enquiry = &f->env,
                              .matching = mash_match_policy_default()};
  f->router = mash_router_new(&f->loop, sock, zap, f->trust, f->storage, &cfg);
  assert_non_null(f->router);
  assert_int_equal(mash_router_load(f->router), 0);
  *state = f;
  return 0;
}

static void s_closed_cb(void *arg) {
  ++*(int *)arg;
}

/* Close the router, then the storage thread; run the loop to its end. */
static void s_shutdown(fx_t *f) {
  if (f->router) {
    mash_router_close(f->router, s_closed_cb, &f->router_closed);
    f->router = NULL;
    mash_storage_close(f->storage, s_closed_cb, &f->storage_closed);
    assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(f->router_closed, 1);
    assert_int_equal(f->storage_closed, 1);
  }
}

static int teardown(void **state) {
  fx_t *f = *state;
  s_shutdown(f);
  assert_int_equal(uv_loop_close(&f->loop), 0);
  assert_int_equal(zmq_ctx_term(f->ctx), 0);
  mash_calendar_destroy(&f->calendar);
  mash_seal_destroy(&f->seal);
  mash_trust_destroy(&f->trust);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  assert_int_equal(system(cmd), 0);
  free(f);
  return 0;
}

/* ---------------------------------------------------------------- clients */

static void *s_client(fx_t *f, const mash_key_t *k) {
  void *c = zmq_socket(f->ctx, ZMQ_DEALER);
  assert_non_null(c);
  int zero = 0;
  zmq_setsockopt(c, ZMQ_LINGER, &zero, sizeof zero);
  assert_int_equal(zmq_setsockopt(c, ZMQ_CURVE_SERVERKEY, f->broker.public_key, 40), 0);
  assert_int_equal(zmq_setsockopt(c, ZMQ_CURVE_PUBLICKEY, k->public_key, 40), 0);
  assert_int_equal(zmq_setsockopt(c, ZMQ_CURVE_SECRETKEY, k->secret_key, 40), 0);
  assert_int_equal(zmq_connect(c, f->ep), 0);
  return c;
}

/* Send env with message id `id` (NULL: a fresh one, written to id_out). */
static void s_send(fx_t *f, void *c, Mash__V1__Envelope *env, const char *id, char *id_out) {
  char fresh[32];
  if (!id) {
    snprintf(fresh, sizeof fresh, "t-%u", ++f->seq);
    id = fresh;
  }
  if (id_out) {
    snprintf(id_out, 32, "%s", id);
  }
  mash_envelope_init(env, id, mash_clock_now_ms());
  uint8_t *buf = NULL;
  size_t len = 0;
  assert_int_equal(mash_codec_encode(env, &buf, &len), 0);
  assert_int_equal(zmq_send(c, buf, len, 0), (int)len);
  s_codec_buf_free(buf);
}

/* Turn the loop until the client has a message; return it decoded. */
static Mash__V1__Envelope *s_recv(fx_t *f, void *c) {
  int64_t until = mash_clock_now_ms() + WAIT_MS;
  while (mash_clock_now_ms() < until) {
    uv_run(&f->loop, UV_RUN_NOWAIT);
    zmq_pollitem_t it = {c, 0, ZMQ_POLLIN, 0};
    assert_true(zmq_poll(&it, 1, 5) >= 0);
    if (it.revents & ZMQ_POLLIN) {
      zmq_msg_t m;
      zmq_msg_init(&m);
      assert_true(zmq_msg_recv(&m, c, 0) >= 0);
      mash_errors_t errs;
      memset(&errs, 0, sizeof errs);
      Mash__V1__Envelope *env = mash_codec_decode(zmq_msg_data(&m), zmq_msg_size(&m), &errs);
      zmq_msg_close(&m);
      assert_non_null(env);
      assert_int_equal(mash_codec_validate_envelope(env, &errs), 0);
      return env;
    }
  }
  fail_msg("no answer within %d ms", WAIT_MS);
  return NULL;
}

/* Receive until a message that is not a heartbeat answer arrives. */
static Mash__V1__Envelope *s_recv_body(fx_t *f, void *c) {
  for (;;) {
    Mash__V1__Envelope *env = s_recv(f, c);
    if (env->body_case != MASH__V1__ENVELOPE__BODY_HEARTBEAT) {
      return env;
    }
    mash_codec_free(env);
  }
}

/* A heartbeat and its answer: the broker has handled all sent before. */
static void s_sync(fx_t *f, void *c) {
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Heartbeat hb = MASH__V1__HEARTBEAT__INIT;
  hb.agent = (char *)"test";
  env.body_case = MASH__V1__ENVELOPE__BODY_HEARTBEAT;
  env.heartbeat = &hb;
  char id[32];
  s_send(f, c, &env, NULL, id);
  for (;;) {
    Mash__V1__Envelope *got = s_recv(f, c);
    int done = got->body_case == MASH__V1__ENVELOPE__BODY_HEARTBEAT &&
               strcmp(got->correlation_id, id) == 0;
    if (done) {
      assert_string_equal(got->heartbeat->agent, "mashd");
    }
    mash_codec_free(got);
    if (done) {
      return;
    }
  }
}

static void s_receipt(fx_t *f, void *c, const char *correlation, Mash__V1__ReceiptStatus st) {
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Receipt rec = MASH__V1__RECEIPT__INIT;
  rec.status = st;
  env.correlation_id = (char *)correlation;
  env.body_case = MASH__V1__ENVELOPE__BODY_RECEIPT;
  env.receipt = &rec;
  s_send(f, c, &env, NULL, NULL);
}

static void s_notify(fx_t *f, void *c, const char *id, int with_child) {
  Mash__V1__Person child = MASH__V1__PERSON__INIT;
  child.ref = (char *)"c1";
  child.given_name = (char *)"Maya";
  child.family_name = (char *)"Okafor";
  child.date_of_birth = (char *)"2017-04-02";
  Mash__V1__Person *children[1] = {&child};
  Mash__V1__Notification n = MASH__V1__NOTIFICATION__INIT;
  n.children = with_child ? children : NULL;
  n.n_children = with_child ? 1 : 0;
  n.concern_category = MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT;
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  env.body_case = MASH__V1__ENVELOPE__BODY_NOTIFICATION;
  env.notification = &n;
  s_send(f, c, &env, id, NULL);
}

/* The next answer, passing over redeliveries (a contact or request resent
 * by the outbox before its acknowledgement was handled). */
static Mash__V1__Envelope *s_recv_answer(fx_t *f, void *c) {
  for (;;) {
    Mash__V1__Envelope *env = s_recv_body(f, c);
    if (env->body_case != MASH__V1__ENVELOPE__BODY_CONTACT &&
        env->body_case != MASH__V1__ENVELOPE__BODY_ENQUIRY_REQUEST) {
      return env;
    }
    mash_codec_free(env);
  }
}

/* A receipt answering `id`; returns it (free with mash_codec_free). */
static Mash__V1__Envelope *s_expect_receipt(fx_t *f, void *c, const char *id,
                                            Mash__V1__ReceiptStatus st) {
  Mash__V1__Envelope *env = s_recv_answer(f, c);
  assert_int_equal(env->body_case, MASH__V1__ENVELOPE__BODY_RECEIPT);
  assert_string_equal(env->correlation_id, id);
  assert_int_equal(env->receipt->status, st);
  return env;
}

static void s_expect_error(fx_t *f, void *c, Mash__V1__ErrorCode code, const char *text) {
  Mash__V1__Envelope *env = s_recv_answer(f, c);
  assert_int_equal(env->body_case, MASH__V1__ENVELOPE__BODY_ERROR);
  assert_int_equal(env->error->code, code);
  assert_non_null(strstr(env->error->message, text));
  mash_codec_free(env);
}

/* ---------------------------------------------------------------- the store */

static int s_count_contact_cb(const char *id, int64_t at, const uint8_t *c, size_t len, void *arg) {
  (void)id, (void)at, (void)c, (void)len;
  ++*(int *)arg;
  return 0;
}

static int s_count_outbox_cb(const char *id, const char *target, const uint8_t *frame, size_t len,
                             void *arg) {
  (void)id, (void)target, (void)frame, (void)len;
  ++*(int *)arg;
  return 0;
}

/* After shutdown: every contact and message was acknowledged and stored so. */
static void s_expect_nothing_to_deliver(fx_t *f) {
  char path[128], err[256];
  s_path(f, "mash.db", path, sizeof path);
  mash_store_t *store = mash_store_sqlite_new(path, f->seal, err, sizeof err);
  assert_non_null(store);
  int contacts = 0, messages = 0;
  assert_int_equal(mash_store_load_undelivered(store, s_count_contact_cb, &contacts), 0);
  assert_int_equal(mash_store_outbox_pending(store, s_count_outbox_cb, &messages), 0);
  mash_store_destroy(&store);
  assert_int_equal(contacts, 0);
  assert_int_equal(messages, 0);
}

/* ---------------------------------------------------------------- tests */

static void test_notification_to_hub(void **state) {
  fx_t *f = *state;
  void *police = s_client(f, &f->police);
  s_sync(f, police);
  s_notify(f, police, "n-1", 1);
  Mash__V1__Envelope *r =
      s_expect_receipt(f, police, "n-1", MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED);
  char contact[32];
  snprintf(contact, sizeof contact, "%s", r->receipt->contact_id);
  assert_string_equal(contact, "MASH-000001");
  mash_codec_free(r);
  s_notify(f, police, "n-1", 1); /* a resend */
  r = s_expect_receipt(f, police, "n-1", MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_DUPLICATE);
  assert_string_equal(r->receipt->contact_id, contact);
  mash_codec_free(r);

  /* The desk connects: the contact arrives, and again after the backoff
   * while it is not acknowledged. */
  void *hub = s_client(f, &f->hub);
  s_sync(f, hub);
  for (int i = 0; i < 2; i++) {
    Mash__V1__Envelope *d = s_recv_body(f, hub);
    assert_int_equal(d->body_case, MASH__V1__ENVELOPE__BODY_CONTACT);
    assert_string_equal(d->message_id, "deliver-MASH-000001");
    assert_string_equal(d->contact->contact_id, contact);
    assert_int_equal(d->contact->notification->n_children, 1);
    mash_codec_free(d);
  }
  /* Only the desk acknowledges contacts. */
  s_receipt(f, police, "deliver-MASH-000001", MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED);
  s_expect_error(f, police, MASH__V1__ERROR_CODE__ERROR_CODE_FORBIDDEN, "only the hub desk");
  s_receipt(f, hub, "deliver-MASH-000001", MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED);
  s_sync(f, hub);
  zmq_close(police);
  zmq_close(hub);
  s_shutdown(f);

  s_expect_nothing_to_deliver(f);
}

static void test_refusals(void **state) {
  fx_t *f = *state;
  void *police = s_client(f, &f->police);
  void *hub = s_client(f, &f->hub);
  s_sync(f, police);
  s_sync(f, hub);

  /* Roles, by the message table. */
  s_notify(f, hub, "n-hub", 1);
  Mash__V1__Envelope *r =
      s_expect_receipt(f, hub, "n-hub", MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED);
  assert_int_equal(r->receipt->n_errors, 1);
  assert_string_equal(r->receipt->errors[0]->field, "notification");
  assert_non_null(strstr(r->receipt->errors[0]->message, "only agencies notify"));
  mash_codec_free(r);

  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__OutcomeDecision out = MASH__V1__OUTCOME_DECISION__INIT;
  out.contact_id = (char *)"MASH-000001";
  out.outcome = MASH__V1__OUTCOME__OUTCOME_EARLY_HELP;
  out.decided_by = (char *)"PC Smith";
  env.body_case = MASH__V1__ENVELOPE__BODY_OUTCOME;
  env.outcome = &out;
  s_send(f, police, &env, "o-1", NULL);
  r = s_expect_receipt(f, police, "o-1", MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED);
  assert_string_equal(r->receipt->errors[0]->field, "outcome");
  assert_non_null(strstr(r->receipt->errors[0]->message, "has role agency"));
  mash_codec_free(r);

  /* A kind only the broker sends. */
  Mash__V1__Envelope e2 = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Error er = MASH__V1__ERROR__INIT;
  er.code = MASH__V1__ERROR_CODE__ERROR_CODE_INTERNAL;
  er.message = (char *)"hello";
  e2.body_case = MASH__V1__ENVELOPE__BODY_ERROR;
  e2.error = &er;
  s_send(f, police, &e2, NULL, NULL);
  s_expect_error(f, police, MASH__V1__ERROR_CODE__ERROR_CODE_UNSUPPORTED, "sent by the broker");

  /* An invalid request: a receipt naming the field. */
  s_notify(f, police, "n-empty", 0);
  r = s_expect_receipt(f, police, "n-empty", MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED);
  assert_true(r->receipt->n_errors >= 1);
  assert_non_null(strstr(r->receipt->errors[0]->field, "notification.children"));
  mash_codec_free(r);

  /* Not an Envelope at all. */
  assert_int_equal(zmq_send(police, "\xff\xff\xff", 3, 0), 3);
  s_expect_error(f, police, MASH__V1__ERROR_CODE__ERROR_CODE_MALFORMED, "");

  /* The broker keeps serving. */
  s_sync(f, police);
  zmq_close(police);
  zmq_close(hub);
}

static void test_screening_through_outbox(void **state) {
  fx_t *f = *state;
  void *police = s_client(f, &f->police);
  void *hub = s_client(f, &f->hub);
  s_sync(f, police);
  s_sync(f, hub);
  s_notify(f, police, "n-1", 1);
  mash_codec_free(
      s_expect_receipt(f, police, "n-1", MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED));
  Mash__V1__Envelope *d = s_recv_body(f, hub);
  assert_int_equal(d->body_case, MASH__V1__ENVELOPE__BODY_CONTACT);
  s_receipt(f, hub, d->message_id, MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED);
  mash_codec_free(d);

  Mash__V1__ConsentRecord consent = MASH__V1__CONSENT_RECORD__INIT;
  consent.status = MASH__V1__CONSENT_STATUS__CONSENT_STATUS_NOT_SOUGHT;
  consent.reason = (char *)"seeking consent could place the child at risk";
  consent.lawful_basis = MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_SAFEGUARDING_DPA_SCH1_P18;
  char *agencies[1] = {(char *)"police"};
  Mash__V1__ScreeningDecision s = MASH__V1__SCREENING_DECISION__INIT;
  s.contact_id = (char *)"MASH-000001";
  s.rag = MASH__V1__RAG__RAG_RED;
  s.agencies = agencies;
  s.n_agencies = 1;
  s.consent = &consent;
  s.screened_by = (char *)"Sam Duty";
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  env.body_case = MASH__V1__ENVELOPE__BODY_SCREENING;
  env.screening = &s;
  s_send(f, hub, &env, "s-1", NULL);
  Mash__V1__Envelope *r =
      s_expect_receipt(f, hub, "s-1", MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED);
  assert_string_equal(r->receipt->enquiry_id, "ENQ-000001");
  mash_codec_free(r);

  /* The request reaches police through the outbox, again while not
   * acknowledged, and only its addressee's receipt counts. */
  char mid[80];
  for (int i = 0; i < 2; i++) {
    Mash__V1__Envelope *q = s_recv_body(f, police);
    assert_int_equal(q->body_case, MASH__V1__ENVELOPE__BODY_ENQUIRY_REQUEST);
    assert_string_equal(q->enquiry_request->contact_id, "MASH-000001");
    assert_int_equal(q->enquiry_request->rag, MASH__V1__RAG__RAG_RED);
    if (i == 0) {
      snprintf(mid, sizeof mid, "%s", q->message_id);
    } else {
      assert_string_equal(q->message_id, mid);
    }
    mash_codec_free(q);
  }
  s_receipt(f, hub, mid, MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED); /* ignored */
  s_receipt(f, police, mid, MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED);
  s_sync(f, police);
  s_sync(f, hub);
  zmq_close(police);
  zmq_close(hub);
  s_shutdown(f);
  s_expect_nothing_to_deliver(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_notification_to_hub, setup, teardown),
      cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
      cmocka_unit_test_setup_teardown(test_screening_through_outbox, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
