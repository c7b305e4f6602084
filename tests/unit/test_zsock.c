/* test_zsock: ZeroMQ sockets on a libuv loop (common/zsock.h).
 *
 * Real libuv loops and real ZeroMQ sockets over inproc:// (CURVE plays no
 * part in how readiness is turned into callbacks). Covers: a backlog queued
 * before the loop runs is delivered in full with a small budget, never more
 * than the budget per loop turn (ZMQ_FD is edge-triggered: a stall would
 * leave messages queued forever); messages sent while the loop runs;
 * EHOSTUNREACH from a ROUTER with ZMQ_ROUTER_MANDATORY; messages with too
 * many parts dropped and counted; closing from inside the receive callback;
 * a CURVE client over ipc:// (mash_zsock_client_new) stalled while more
 * than ZeroMQ's default receive limit arrives, the server's heartbeats
 * timing out meanwhile: it keeps its connection and reads everything.
 *
 * A test stops its loop by closing every handle once it has what it expects;
 * a timer is only a failure timeout. Every test ends with uv_loop_close() == 0
 * and zmq_ctx_term() == 0. Test state comes from test_calloc.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>
#include <zmq.h>

#include "keys.h"
#include "test_dir.h"
#include "zsock.h"

#define BUDGET 16u
#define TIMEOUT_MS 10000u
#define ENDPOINT "inproc://test-zsock"

/* ---------------------------------------------------------------- harness */

typedef struct zt {
  uv_loop_t loop;
  void *zctx;
  void *peer; /* the sending side, a plain ZeroMQ socket */
  mash_zsock_t *zs;
  uv_timer_t timeout;
  uv_check_t check;
  uv_timer_t sender;
  int sender_open;
  int finished;
  int timed_out;
  int closed; /* close_cb calls */

  unsigned expected; /* callbacks to wait for */
  unsigned received; /* callbacks seen */
  unsigned bad;      /* callbacks with unexpected content */
  unsigned in_turn;  /* callbacks since the last check callback */
  unsigned max_in_turn;
  unsigned turns;

  unsigned sent;       /* (b): messages sent by the timer so far */
  unsigned tick;       /* (b): timer ticks */
  unsigned long drops; /* (d): mash_zsock_dropped before close */
  int close_in_cb;     /* (e): close from the first callback */
  int send_after_close;
} zt_t;

static void s_set_int(void *sock, int opt, int value) {
  assert_int_equal(zmq_setsockopt(sock, opt, &value, sizeof value), 0);
}

static void *s_socket(zt_t *t, int type) {
  void *s = zmq_socket(t->zctx, type);
  assert_non_null(s);
  s_set_int(s, ZMQ_LINGER, 0);
  s_set_int(s, ZMQ_SNDHWM, 100000);
  s_set_int(s, ZMQ_RCVHWM, 100000);
  return s;
}

static void s_closed(void *arg) {
  zt_t *t = arg;
  t->closed++;
}

/* Close every handle: the loop then ends by itself. */
static void s_finish(zt_t *t) {
  if (t->finished) {
    return;
  }
  t->finished = 1;
  mash_zsock_close(t->zs, s_closed, t);
  t->zs = NULL;
  uv_close((uv_handle_t *)&t->timeout, NULL);
  uv_close((uv_handle_t *)&t->check, NULL);
  if (t->sender_open) {
    uv_close((uv_handle_t *)&t->sender, NULL);
  }
}

static void s_timeout_cb(uv_timer_t *h) {
  zt_t *t = h->data;
  t->timed_out = 1;
  s_finish(t);
}

/* The end of a loop turn: how many callbacks did it run? */
static void s_check_cb(uv_check_t *h) {
  zt_t *t = h->data;
  if (t->in_turn > t->max_in_turn) {
    t->max_in_turn = t->in_turn;
  }
  if (t->in_turn > 0) {
    t->turns++;
  }
  t->in_turn = 0;
}

/* One message: one frame holding its sequence number. */
static void s_send_seq(void *sock, uint32_t seq) {
  assert_int_equal(zmq_send(sock, &seq, sizeof seq, ZMQ_DONTWAIT), (int)sizeof seq);
}

/* Callbacks expect consecutive sequence numbers from 0. */
static void s_recv_seq(mash_zsock_t *zs, zmq_msg_t *parts, size_t nparts, void *arg) {
  zt_t *t = arg;
  assert_ptr_equal(zs, t->zs);
  uint32_t seq = UINT32_MAX;
  if (nparts == 1 && zmq_msg_size(&parts[0]) == sizeof seq) {
    memcpy(&seq, zmq_msg_data(&parts[0]), sizeof seq);
  }
  if (seq != t->received) {
    t->bad++;
  }
  t->received++;
  /* Counted here too: the last turn ends without a check callback. */
  if (++t->in_turn > t->max_in_turn) {
    t->max_in_turn = t->in_turn;
  }
  if (t->received == t->expected) {
    s_finish(t);
  }
}

/* A loop, a context, a PULL socket bound and wrapped, a PUSH peer connected,
 * the failure timeout and the turn counter. */
static zt_t *s_start(unsigned expected, mash_zsock_recv_cb cb) {
  zt_t *t = test_calloc(1, sizeof *t);
  t->expected = expected;
  assert_int_equal(uv_loop_init(&t->loop), 0);
  t->zctx = zmq_ctx_new();
  assert_non_null(t->zctx);
  void *pull = s_socket(t, ZMQ_PULL);
  assert_int_equal(zmq_bind(pull, ENDPOINT), 0);
  t->peer = s_socket(t, ZMQ_PUSH);
  assert_int_equal(zmq_connect(t->peer, ENDPOINT), 0);
  t->zs = mash_zsock_new(&t->loop, pull, BUDGET, cb, t);
  assert_non_null(t->zs);
  assert_ptr_equal(mash_zsock_socket(t->zs), pull);

  assert_int_equal(uv_timer_init(&t->loop, &t->timeout), 0);
  t->timeout.data = t;
  assert_int_equal(uv_timer_start(&t->timeout, s_timeout_cb, TIMEOUT_MS, 0), 0);
  assert_int_equal(uv_check_init(&t->loop, &t->check), 0);
  t->check.data = t;
  assert_int_equal(uv_check_start(&t->check, s_check_cb), 0);
  return t;
}

/* Run to the end; the loop and the context must close cleanly. */
static void s_run_and_end(zt_t *t) {
  assert_int_equal(uv_run(&t->loop, UV_RUN_DEFAULT), 0);
  assert_false(t->timed_out);
  assert_int_equal(t->closed, 1);
  assert_int_equal(zmq_close(t->peer), 0);
  assert_int_equal(uv_loop_close(&t->loop), 0);
  assert_int_equal(zmq_ctx_term(t->zctx), 0);
}

/* ---------------------------------------------------------------- (a) backlog */

static void test_backlog_before_loop(void **state) {
  (void)state;
  zt_t *t = s_start(1000, s_recv_seq);
  for (uint32_t i = 0; i < 1000; i++) {
    s_send_seq(t->peer, i);
  }
  s_run_and_end(t);
  print_message("1000 messages in %u turns, at most %u a turn\n", t->turns, t->max_in_turn);
  assert_int_equal(t->received, 1000);
  assert_int_equal(t->bad, 0);
  assert_true(t->max_in_turn >= 1);
  assert_true(t->max_in_turn <= BUDGET);
  assert_true(t->turns >= 1000 / BUDGET);
  test_free(t);
}

/* The same backlog queued before the socket is even wrapped. */
static void test_backlog_before_wrap(void **state) {
  (void)state;
  zt_t *t = test_calloc(1, sizeof *t);
  t->expected = 300;
  assert_int_equal(uv_loop_init(&t->loop), 0);
  t->zctx = zmq_ctx_new();
  assert_non_null(t->zctx);
  void *pull = s_socket(t, ZMQ_PULL);
  assert_int_equal(zmq_bind(pull, ENDPOINT), 0);
  t->peer = s_socket(t, ZMQ_PUSH);
  assert_int_equal(zmq_connect(t->peer, ENDPOINT), 0);
  for (uint32_t i = 0; i < 300; i++) {
    s_send_seq(t->peer, i);
  }
  /* Consume the fd's edge now: only the wrapper's first look can find them. */
  int events = 0;
  size_t len = sizeof events;
  assert_int_equal(zmq_getsockopt(pull, ZMQ_EVENTS, &events, &len), 0);
  assert_true(events & ZMQ_POLLIN);
  t->zs = mash_zsock_new(&t->loop, pull, BUDGET, s_recv_seq, t);
  assert_non_null(t->zs);
  assert_int_equal(uv_timer_init(&t->loop, &t->timeout), 0);
  t->timeout.data = t;
  assert_int_equal(uv_timer_start(&t->timeout, s_timeout_cb, TIMEOUT_MS, 0), 0);
  assert_int_equal(uv_check_init(&t->loop, &t->check), 0);
  t->check.data = t;
  assert_int_equal(uv_check_start(&t->check, s_check_cb), 0);
  s_run_and_end(t);
  assert_int_equal(t->received, 300);
  assert_int_equal(t->bad, 0);
  assert_true(t->max_in_turn <= BUDGET);
  test_free(t);
}

/* ---------------------------------------------------------------- (b) live */

/* Batches of 1 to 40 messages, one batch a tick, until 1,000 are sent. */
static void s_sender_cb(uv_timer_t *h) {
  zt_t *t = h->data;
  unsigned batch = (t->tick * 7u) % 40u + 1u;
  t->tick++;
  for (unsigned i = 0; i < batch && t->sent < t->expected; i++) {
    s_send_seq(t->peer, t->sent++);
  }
  if (t->sent == t->expected) {
    uv_timer_stop(h);
  }
}

static void test_sent_while_running(void **state) {
  (void)state;
  zt_t *t = s_start(1000, s_recv_seq);
  assert_int_equal(uv_timer_init(&t->loop, &t->sender), 0);
  t->sender.data = t;
  t->sender_open = 1;
  assert_int_equal(uv_timer_start(&t->sender, s_sender_cb, 1, 1), 0);
  s_run_and_end(t);
  print_message("1000 messages in %u ticks, %u turns, at most %u a turn\n", t->tick, t->turns,
                t->max_in_turn);
  assert_int_equal(t->sent, 1000);
  assert_int_equal(t->received, 1000);
  assert_int_equal(t->bad, 0);
  assert_true(t->tick > 1);
  assert_true(t->max_in_turn <= BUDGET);
  test_free(t);
}

/* One message a tick: every one must wake the loop through the fd alone. */
static void s_trickle_cb(uv_timer_t *h) {
  zt_t *t = h->data;
  t->tick++;
  s_send_seq(t->peer, t->sent++);
  if (t->sent == t->expected) {
    uv_timer_stop(h);
  }
}

static void test_trickle(void **state) {
  (void)state;
  zt_t *t = s_start(50, s_recv_seq);
  assert_int_equal(uv_timer_init(&t->loop, &t->sender), 0);
  t->sender.data = t;
  t->sender_open = 1;
  assert_int_equal(uv_timer_start(&t->sender, s_trickle_cb, 1, 1), 0);
  s_run_and_end(t);
  assert_int_equal(t->received, 50);
  assert_int_equal(t->bad, 0);
  test_free(t);
}

/* ---------------------------------------------------------------- (c) router */

static void s_recv_none(mash_zsock_t *zs, zmq_msg_t *parts, size_t nparts, void *arg) {
  (void)zs;
  (void)parts;
  (void)nparts;
  zt_t *t = arg;
  t->bad++;
}

static void test_router_unreachable(void **state) {
  (void)state;
  zt_t *t = test_calloc(1, sizeof *t);
  assert_int_equal(uv_loop_init(&t->loop), 0);
  t->zctx = zmq_ctx_new();
  assert_non_null(t->zctx);
  void *router = s_socket(t, ZMQ_ROUTER);
  s_set_int(router, ZMQ_ROUTER_MANDATORY, 1);
  assert_int_equal(zmq_bind(router, ENDPOINT), 0);
  t->peer = s_socket(t, ZMQ_DEALER);
  assert_int_equal(zmq_setsockopt(t->peer, ZMQ_ROUTING_ID, "known", 5), 0);
  s_set_int(t->peer, ZMQ_RCVTIMEO, (int)TIMEOUT_MS);
  assert_int_equal(zmq_connect(t->peer, ENDPOINT), 0);
  t->zs = mash_zsock_new(&t->loop, router, BUDGET, s_recv_none, t);
  assert_non_null(t->zs);

  const void *bufs[2] = {"nobody", "hello"};
  size_t lens[2] = {6, 5};
  assert_int_equal(mash_zsock_send(t->zs, bufs, lens, 2), -EHOSTUNREACH);

  /* The socket is still usable: a known peer gets its message, whole. */
  bufs[0] = "known";
  lens[0] = 5;
  assert_int_equal(mash_zsock_send(t->zs, bufs, lens, 2), 0);
  char buf[16];
  assert_int_equal(zmq_recv(t->peer, buf, sizeof buf, 0), 5);
  assert_memory_equal(buf, "hello", 5);
  int more = 1;
  size_t more_len = sizeof more;
  assert_int_equal(zmq_getsockopt(t->peer, ZMQ_RCVMORE, &more, &more_len), 0);
  assert_int_equal(more, 0);

  /* Unreachable again after a success: no partial message was left queued. */
  bufs[0] = "nobody";
  lens[0] = 6;
  assert_int_equal(mash_zsock_send(t->zs, bufs, lens, 2), -EHOSTUNREACH);
  bufs[0] = "known";
  lens[0] = 5;
  bufs[1] = "again";
  assert_int_equal(mash_zsock_send(t->zs, bufs, lens, 2), 0);
  assert_int_equal(zmq_recv(t->peer, buf, sizeof buf, 0), 5);
  assert_memory_equal(buf, "again", 5);

  mash_zsock_close(t->zs, s_closed, t);
  t->zs = NULL;
  assert_int_equal(uv_run(&t->loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(t->closed, 1);
  assert_int_equal(t->bad, 0);
  assert_int_equal(zmq_close(t->peer), 0);
  assert_int_equal(uv_loop_close(&t->loop), 0);
  assert_int_equal(zmq_ctx_term(t->zctx), 0);
  test_free(t);
}

/* ---------------------------------------------------------------- (d) parts */

/* Expects, in order: a 1-part "ok", then a MASH_ZSOCK_MAX_PARTS message. */
static void s_recv_parts(mash_zsock_t *zs, zmq_msg_t *parts, size_t nparts, void *arg) {
  zt_t *t = arg;
  if (t->received == 0) {
    if (nparts != 1 || zmq_msg_size(&parts[0]) != 2 || memcmp(zmq_msg_data(&parts[0]), "ok", 2)) {
      t->bad++;
    }
  } else {
    if (nparts != MASH_ZSOCK_MAX_PARTS) {
      t->bad++;
    }
    for (size_t i = 0; i < nparts; i++) {
      uint32_t v = UINT32_MAX;
      if (zmq_msg_size(&parts[i]) == sizeof v) {
        memcpy(&v, zmq_msg_data(&parts[i]), sizeof v);
      }
      if (v != i) {
        t->bad++;
      }
    }
  }
  t->received++;
  if (t->received == t->expected) {
    t->drops = mash_zsock_dropped(zs);
    s_finish(t);
  }
}

static void s_send_parts(void *sock, size_t n) {
  for (uint32_t i = 0; i < n; i++) {
    int flags = ZMQ_DONTWAIT | (i + 1 < n ? ZMQ_SNDMORE : 0);
    assert_int_equal(zmq_send(sock, &i, sizeof i, flags), (int)sizeof i);
  }
}

static void test_too_many_parts(void **state) {
  (void)state;
  zt_t *t = s_start(2, s_recv_parts);
  assert_int_equal(mash_zsock_dropped(t->zs), 0);
  s_send_parts(t->peer, MASH_ZSOCK_MAX_PARTS + 1);
  assert_int_equal(zmq_send(t->peer, "ok", 2, ZMQ_DONTWAIT), 2);
  s_send_parts(t->peer, 100);
  s_send_parts(t->peer, MASH_ZSOCK_MAX_PARTS);
  s_run_and_end(t);
  assert_int_equal(t->received, 2);
  assert_int_equal(t->bad, 0);
  assert_int_equal(t->drops, 2);
  test_free(t);
}

/* ---------------------------------------------------------------- (e) close */

static void s_recv_close(mash_zsock_t *zs, zmq_msg_t *parts, size_t nparts, void *arg) {
  zt_t *t = arg;
  t->received++;
  if (t->received == 1) {
    s_finish(t); /* closes zs */
    /* zs is closing but still valid until the loop runs its close callbacks */
    const void *bufs[1] = {"late"};
    size_t lens[1] = {4};
    t->send_after_close = mash_zsock_send(zs, bufs, lens, 1);
    /* The parts stay valid for the rest of the call. */
    uint32_t seq = UINT32_MAX;
    if (nparts == 1 && zmq_msg_size(&parts[0]) == sizeof seq) {
      memcpy(&seq, zmq_msg_data(&parts[0]), sizeof seq);
    }
    if (seq != 0) {
      t->bad++;
    }
    /* Closing twice is harmless. */
    mash_zsock_close(zs, s_closed, t);
  }
}

static void test_close_in_callback(void **state) {
  (void)state;
  zt_t *t = s_start(1, s_recv_close);
  for (uint32_t i = 0; i < 100; i++) {
    s_send_seq(t->peer, i);
  }
  s_run_and_end(t);
  /* Nothing delivered after the close, though 99 messages were pending. */
  assert_int_equal(t->received, 1);
  assert_int_equal(t->bad, 0);
  assert_int_equal(t->send_after_close, -ECANCELED);
  test_free(t);
}

/* Close from the callback of a message that arrives while the loop waits. */
static void test_close_in_callback_live(void **state) {
  (void)state;
  zt_t *t = s_start(1, s_recv_close);
  assert_int_equal(uv_timer_init(&t->loop, &t->sender), 0);
  t->sender.data = t;
  t->sender_open = 1;
  t->expected = 1000;
  assert_int_equal(uv_timer_start(&t->sender, s_sender_cb, 1, 1), 0);
  s_run_and_end(t);
  assert_int_equal(t->received, 1);
  assert_int_equal(t->bad, 0);
  test_free(t);
}

static void s_closed_count(void *arg) {
  (*(int *)arg)++;
}

static void test_close_null(void **state) {
  (void)state;
  int closed = 0;
  mash_zsock_close(NULL, s_closed_count, &closed);
  assert_int_equal(closed, 1);
  mash_zsock_close(NULL, NULL, NULL);
}

/* ---------------------------------------------------------------- (f) a stalled client */

#define STALL_SENT 3000u

/* A CURVE client (mash_zsock_client_new) whose loop does not turn while the
 * server sends it more than ZeroMQ's default receive limit (1,000), the
 * server's heartbeats timing out after 300 ms: a busy adapter or desk. With
 * the limit, libzmq stopped reading the connection, so it stopped answering
 * the server's heartbeats; the server dropped it and libzmq aborted the
 * client (stream_engine_base.cpp) when the client's heartbeat timer fired,
 * this test's process with it. Now the connection stays up through a stall
 * of three heartbeat timeouts (the server's monitor sees no disconnection)
 * and the client then reads every message, in order. */
static void test_client_stalled(void **state) {
  (void)state;
  char dir[] = "/tmp/mash-test-zsock-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char err[256] = "", endpoint[128];
  mash_key_t server_key, client_key;
  assert_int_equal(mash_key_generate(dir, "server", "broker", 0, &server_key, err, sizeof err), 0);
  assert_int_equal(mash_key_generate(dir, "client", "agency", 0, &client_key, err, sizeof err), 0);
  snprintf(endpoint, sizeof endpoint, "ipc://%s/s.sock", dir);

  zt_t *t = test_calloc(1, sizeof *t);
  t->expected = STALL_SENT;
  assert_int_equal(uv_loop_init(&t->loop), 0);
  t->zctx = zmq_ctx_new();
  assert_non_null(t->zctx);
  void *server = s_socket(t, ZMQ_ROUTER);
  t->peer = server;
  s_set_int(server, ZMQ_CURVE_SERVER, 1);
  assert_int_equal(zmq_setsockopt(server, ZMQ_CURVE_SECRETKEY, server_key.secret_key, 40), 0);
  s_set_int(server, ZMQ_HEARTBEAT_IVL, 100);
  s_set_int(server, ZMQ_HEARTBEAT_TIMEOUT, 300);
  assert_int_equal(
      zmq_socket_monitor(server, "inproc://test-zsock-monitor", ZMQ_EVENT_DISCONNECTED), 0);
  void *monitor = zmq_socket(t->zctx, ZMQ_PAIR);
  assert_int_equal(zmq_connect(monitor, "inproc://test-zsock-monitor"), 0);
  assert_int_equal(zmq_bind(server, endpoint), 0);
  t->zs = mash_zsock_client_new(&t->loop, t->zctx, endpoint, &server_key, &client_key, 65536, 100,
                                BUDGET, s_recv_seq, t, err, sizeof err);
  if (!t->zs) {
    fail_msg("mash_zsock_client_new: %s", err);
  }
  assert_int_equal(uv_timer_init(&t->loop, &t->timeout), 0);
  t->timeout.data = t;
  assert_int_equal(uv_timer_start(&t->timeout, s_timeout_cb, TIMEOUT_MS, 0), 0);
  assert_int_equal(uv_check_init(&t->loop, &t->check), 0);
  t->check.data = t;
  assert_int_equal(uv_check_start(&t->check, s_check_cb), 0);

  /* The client says hello once connected (it sends only over a completed
   * connection), so that the server learns its routing id. */
  const void *hello[1] = {"hello"};
  size_t hello_len[1] = {5};
  int64_t waited = 0;
  while (mash_zsock_send(t->zs, hello, hello_len, 1) != 0) {
    assert_true(waited++ < TIMEOUT_MS);
    uv_run(&t->loop, UV_RUN_NOWAIT);
    zmq_poll(NULL, 0, 1);
  }
  s_set_int(server, ZMQ_RCVTIMEO, (int)TIMEOUT_MS);
  uint8_t rid[256], buf[16];
  int rid_len = zmq_recv(server, rid, sizeof rid, 0);
  assert_true(rid_len > 0 && rid_len <= (int)sizeof rid);
  assert_int_equal(zmq_recv(server, buf, sizeof buf, 0), 5);

  /* The client's loop does not turn from here: the server sends it all. */
  for (uint32_t i = 0; i < STALL_SENT; i++) {
    assert_int_equal(zmq_send(server, rid, (size_t)rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT), rid_len);
    s_send_seq(server, i);
  }
  zmq_pollitem_t it = {monitor, 0, ZMQ_POLLIN, 0};
  assert_int_equal(zmq_poll(&it, 1, 3 * 300), 0); /* no disconnection in three timeouts */

  assert_int_equal(uv_run(&t->loop, UV_RUN_DEFAULT), 0);
  assert_false(t->timed_out);
  assert_int_equal(t->received, STALL_SENT);
  assert_int_equal(t->bad, 0);
  assert_int_equal(t->closed, 1);
  assert_int_equal(zmq_socket_monitor(server, NULL, 0), 0);
  assert_int_equal(zmq_close(monitor), 0);
  assert_int_equal(zmq_close(server), 0);
  assert_int_equal(uv_loop_close(&t->loop), 0);
  assert_int_equal(zmq_ctx_term(t->zctx), 0);
  test_free(t);
  assert_int_equal(test_dir_remove(dir), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_backlog_before_loop), cmocka_unit_test(test_backlog_before_wrap),
      cmocka_unit_test(test_sent_while_running),  cmocka_unit_test(test_trickle),
      cmocka_unit_test(test_router_unreachable),  cmocka_unit_test(test_too_many_parts),
      cmocka_unit_test(test_close_in_callback),   cmocka_unit_test(test_close_in_callback_live),
      cmocka_unit_test(test_close_null),          cmocka_unit_test(test_client_stalled),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
