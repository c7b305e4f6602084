/* test_zap: CURVE authentication (broker/net/zap.h) with real ZeroMQ CURVE
 * sockets over ipc:// in a temporary folder and keys made by
 * mash_key_generate. Covers: the answer to each kind of ZAP request (a
 * trusted key gets 200 and its principal as User-Id; unknown keys, other
 * domains, other mechanisms and malformed requests are refused and counted);
 * the start-up self-test passing with the handler bound, and failing when a
 * server lets an unknown key in; end to end, a trusted client's messages
 * carry its principal and an unknown client's never arrive. */
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

#include <zmq.h>

#define UNIT_TESTING 1
#include <cmocka.h>

#include "keys.h"
#include "zap.h"

#define WAIT_MS 10000

typedef struct fx {
  char dir[64];
  char trusted[96];
  mash_key_t broker, police, hub;
  mash_trust_t *trust;
  void *ctx;
} fx_t;

static void s_rm_dir(const char *dir) {
  char cmd[160];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

static int setup(void **state) {
  fx_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-zap-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  snprintf(f->trusted, sizeof f->trusted, "%s/trusted", f->dir);
  assert_int_equal(mkdir(f->trusted, 0700), 0);
  char err[256];
  assert_int_equal(mash_key_generate(f->dir, "mashd", "broker", 0, &f->broker, err, sizeof err), 0);
  assert_int_equal(
      mash_key_generate(f->trusted, "police", "agency", 0, &f->police, err, sizeof err), 0);
  assert_int_equal(mash_key_generate(f->trusted, "hub", "hub", 0, &f->hub, err, sizeof err), 0);
  f->trust = mash_trust_load(f->trusted, err, sizeof err);
  assert_non_null(f->trust);
  f->ctx = zmq_ctx_new();
  assert_non_null(f->ctx);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fx_t *f = *state;
  assert_int_equal(zmq_ctx_term(f->ctx), 0);
  mash_trust_destroy(&f->trust);
  s_rm_dir(f->dir);
  free(f);
  return 0;
}

/* ------------------------------------------------- the answer, frame by frame */

typedef struct reply {
  char code[64];
  char user[64];
  char request_id[64];
  char text[64];
  uint8_t meta[64]; /* the metadata frame as sent */
  int meta_len;
} reply_t;

static void s_linger0(void *s) {
  int zero = 0;
  assert_int_equal(zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero), 0);
}

/* Build a ZAP request from strings (NULL ends; a "\x01KEY" frame is the
 * 32-byte binary form of a Z85 key), answer it on one end of a PAIR and read
 * the reply from the other. */
static reply_t s_ask(fx_t *f, mash_zap_stats_t *st, const char *const *frames) {
  /* A fresh endpoint each time: an inproc name is released asynchronously. */
  static unsigned seq;
  char ep[64];
  snprintf(ep, sizeof ep, "inproc://test-zap-answer-%u", ++seq);
  void *a = zmq_socket(f->ctx, ZMQ_PAIR), *b = zmq_socket(f->ctx, ZMQ_PAIR);
  s_linger0(a);
  s_linger0(b);
  assert_int_equal(zmq_bind(a, ep), 0);
  assert_int_equal(zmq_connect(b, ep), 0);
  zmq_msg_t parts[8];
  size_t n = 0;
  for (; frames[n]; n++) {
    const char *s = frames[n];
    if (s[0] == '\x01') {
      uint8_t key[32];
      assert_non_null(zmq_z85_decode(key, s + 1));
      zmq_msg_init_size(&parts[n], sizeof key);
      memcpy(zmq_msg_data(&parts[n]), key, sizeof key);
    } else {
      zmq_msg_init_size(&parts[n], strlen(s));
      memcpy(zmq_msg_data(&parts[n]), s, strlen(s));
    }
  }
  mash_zap_answer(a, parts, n, f->trust, st);
  for (size_t i = 0; i < n; i++) {
    zmq_msg_close(&parts[i]);
  }
  reply_t r;
  memset(&r, 0, sizeof r);
  char frame[6][64];
  int lens[6];
  for (int i = 0; i < 6; i++) {
    int len = zmq_recv(b, frame[i], sizeof frame[i] - 1, 0);
    assert_true(len >= 0);
    lens[i] = len;
    frame[i][len] = '\0';
    int more = 0;
    size_t ml = sizeof more;
    zmq_getsockopt(b, ZMQ_RCVMORE, &more, &ml);
    assert_int_equal(more, i < 5);
  }
  assert_string_equal(frame[0], "1.0");
  snprintf(r.request_id, sizeof r.request_id, "%s", frame[1]);
  snprintf(r.code, sizeof r.code, "%s", frame[2]);
  snprintf(r.user, sizeof r.user, "%s", frame[4]);
  snprintf(r.text, sizeof r.text, "%s", frame[3]);
  r.meta_len = lens[5];
  memcpy(r.meta, frame[5], sizeof r.meta);
  zmq_close(a);
  zmq_close(b);
  return r;
}

static void test_answers(void **state) {
  fx_t *f = *state;
  mash_zap_stats_t st = {0};
  char police[64], unknown[64], pub[41], sec[41];
  snprintf(police, sizeof police, "\x01%s", f->police.public_key);
  assert_int_equal(zmq_curve_keypair(pub, sec), 0);
  snprintf(unknown, sizeof unknown, "\x01%s", pub);

  const char *ok[] = {"1.0", "r1", MASH_ZAP_DOMAIN, "127.0.0.1", "", "CURVE", police, NULL};
  reply_t r = s_ask(f, &st, ok);
  assert_string_equal(r.code, "200");
  assert_string_equal(r.user, "police");
  assert_string_equal(r.request_id, "r1");
  /* The key rides along as metadata (RFC 27): name length, name, value
   * length (4 bytes, big-endian), value. */
  size_t nlen = strlen(MASH_ZAP_KEY_PROPERTY);
  assert_int_equal(r.meta_len, (int)(1 + nlen + 4 + MASH_Z85_KEY_LEN));
  assert_int_equal(r.meta[0], nlen);
  assert_memory_equal(r.meta + 1, MASH_ZAP_KEY_PROPERTY, nlen);
  assert_int_equal(r.meta[1 + nlen + 3], MASH_Z85_KEY_LEN);
  assert_memory_equal(r.meta + 1 + nlen + 4, f->police.public_key, MASH_Z85_KEY_LEN);

  const char *stranger[] = {"1.0", "r2", MASH_ZAP_DOMAIN, "", "", "CURVE", unknown, NULL};
  r = s_ask(f, &st, stranger);
  assert_string_equal(r.code, "400");
  assert_string_equal(r.user, "");
  assert_string_equal(r.request_id, "r2");
  assert_int_equal(r.meta_len, 0);

  const char *domain[] = {"1.0", "r3", "other", "", "", "CURVE", police, NULL};
  assert_string_equal(s_ask(f, &st, domain).code, "400");
  const char *plain[] = {"1.0", "r4", MASH_ZAP_DOMAIN, "", "", "PLAIN", "user", NULL};
  assert_string_equal(s_ask(f, &st, plain).code, "400");
  const char *short_key[] = {"1.0", "r5", MASH_ZAP_DOMAIN, "", "", "CURVE", "abc", NULL};
  assert_string_equal(s_ask(f, &st, short_key).code, "400");
  const char *no_key[] = {"1.0", "r6", MASH_ZAP_DOMAIN, "", "", "CURVE", NULL};
  assert_string_equal(s_ask(f, &st, no_key).code, "400");
  assert_int_equal(st.allowed, 1);
  assert_int_equal(st.denied, 5);

  const char *version[] = {"2.0", "r7", MASH_ZAP_DOMAIN, "", "", "CURVE", police, NULL};
  assert_string_equal(s_ask(f, &st, version).code, "500");
  const char *few[] = {"1.0", "r8", MASH_ZAP_DOMAIN, NULL};
  r = s_ask(f, &st, few);
  assert_string_equal(r.code, "500");
  assert_string_equal(r.request_id, "r8");
  assert_int_equal(st.malformed, 2);
  assert_int_equal(st.allowed, 1);
}

/* A revoked key is refused, and said to be revoked, though its .pub is
 * still in the folder. */
static void test_revoked(void **state) {
  fx_t *f = *state;
  char err[512], police[64];
  mash_zap_stats_t st = {0};
  assert_int_equal(mash_trust_revoke(f->trusted, "police", err, sizeof err), 0);
  mash_trust_destroy(&f->trust);
  f->trust = mash_trust_load(f->trusted, err, sizeof err);
  assert_non_null(f->trust);
  snprintf(police, sizeof police, "\x01%s", f->police.public_key);
  const char *req[] = {"1.0", "r1", MASH_ZAP_DOMAIN, "", "", "CURVE", police, NULL};
  reply_t r = s_ask(f, &st, req);
  assert_string_equal(r.code, "400");
  assert_string_equal(r.text, "revoked key");
  assert_string_equal(r.user, "");
  assert_int_equal(st.denied, 1);
  assert_int_equal(st.allowed, 0);
}

/* ------------------------------------------------------------ end to end */

static void s_set_int(void *s, int opt, int v) {
  assert_int_equal(zmq_setsockopt(s, opt, &v, sizeof v), 0);
}

static void *s_client(fx_t *f, const char *pub, const char *sec, const char *ep) {
  void *c = zmq_socket(f->ctx, ZMQ_DEALER);
  assert_non_null(c);
  s_set_int(c, ZMQ_LINGER, 0);
  assert_int_equal(zmq_setsockopt(c, ZMQ_CURVE_SERVERKEY, f->broker.public_key, 40), 0);
  assert_int_equal(zmq_setsockopt(c, ZMQ_CURVE_PUBLICKEY, pub, 40), 0);
  assert_int_equal(zmq_setsockopt(c, ZMQ_CURVE_SECRETKEY, sec, 40), 0);
  assert_int_equal(zmq_connect(c, ep), 0);
  return c;
}

/* Serve ZAP requests on zap until the server has a message: return it
 * (routing id dropped) with its User-Id, or fail after WAIT_MS. */
static void s_serve_until_message(fx_t *f, void *zap, void *server, mash_zap_stats_t *st,
                                  char *body, size_t blen, char *user, size_t ulen) {
  for (int waited = 0; waited < WAIT_MS; waited += 10) {
    zmq_pollitem_t items[] = {{zap, 0, ZMQ_POLLIN, 0}, {server, 0, ZMQ_POLLIN, 0}};
    assert_true(zmq_poll(items, 2, 10) >= 0);
    if (items[0].revents & ZMQ_POLLIN) {
      zmq_msg_t parts[8];
      size_t n = 0;
      int more = 1;
      while (more && n < 8) {
        zmq_msg_init(&parts[n]);
        assert_true(zmq_msg_recv(&parts[n], zap, 0) >= 0);
        more = zmq_msg_more(&parts[n]);
        n++;
      }
      assert_false(more);
      mash_zap_answer(zap, parts, n, f->trust, st);
      for (size_t i = 0; i < n; i++) {
        zmq_msg_close(&parts[i]);
      }
    }
    if (items[1].revents & ZMQ_POLLIN) {
      zmq_msg_t rid, msg;
      zmq_msg_init(&rid);
      zmq_msg_init(&msg);
      assert_true(zmq_msg_recv(&rid, server, 0) >= 0);
      assert_true(zmq_msg_recv(&msg, server, 0) >= 0);
      const char *uid = zmq_msg_gets(&msg, "User-Id");
      const char *key = zmq_msg_gets(&msg, MASH_ZAP_KEY_PROPERTY);
      assert_non_null(uid);
      assert_non_null(key); /* each message carries the key it came with */
      const mash_key_t *k = mash_trust_find_principal(f->trust, uid);
      assert_non_null(k);
      assert_string_equal(key, k->public_key);
      snprintf(user, ulen, "%s", uid);
      snprintf(body, blen, "%.*s", (int)zmq_msg_size(&msg), (const char *)zmq_msg_data(&msg));
      zmq_msg_close(&rid);
      zmq_msg_close(&msg);
      return;
    }
  }
  fail_msg("no message within %d ms", WAIT_MS);
}

static void test_end_to_end(void **state) {
  fx_t *f = *state;
  char err[256], ep[128];
  snprintf(ep, sizeof ep, "ipc://%s/zap.sock", f->dir);
  void *zap = mash_zap_bind(f->ctx, err, sizeof err);
  assert_non_null(zap);
  void *server = zmq_socket(f->ctx, ZMQ_ROUTER);
  s_set_int(server, ZMQ_LINGER, 0);
  assert_int_equal(mash_zap_secure_server(server, &f->broker, err, sizeof err), 0);
  assert_int_equal(zmq_bind(server, ep), 0);
  mash_zap_stats_t st = {0};
  assert_int_equal(mash_zap_selftest(f->ctx, zap, f->trust, ep, f->broker.public_key, WAIT_MS, &st,
                                     err, sizeof err),
                   0);
  assert_int_equal(st.denied, 1);
  assert_int_equal(st.allowed, 0);

  /* An unknown key sends first; it is refused, and what it sent never
   * reaches the server: the first message there is the trusted client's. */
  char pub[41], sec[41];
  assert_int_equal(zmq_curve_keypair(pub, sec), 0);
  void *stranger = s_client(f, pub, sec, ep);
  zmq_send(stranger, "from-stranger", 13, ZMQ_DONTWAIT); /* queued or not: never delivered */
  void *police = s_client(f, f->police.public_key, f->police.secret_key, ep);
  assert_int_equal(zmq_send(police, "from-police", 11, 0), 11);
  char body[64], user[64];
  s_serve_until_message(f, zap, server, &st, body, sizeof body, user, sizeof user);
  assert_string_equal(body, "from-police");
  assert_string_equal(user, "police");
  assert_int_equal(st.allowed, 1);

  void *hub = s_client(f, f->hub.public_key, f->hub.secret_key, ep);
  assert_int_equal(zmq_send(hub, "from-hub", 8, 0), 8);
  s_serve_until_message(f, zap, server, &st, body, sizeof body, user, sizeof user);
  assert_string_equal(body, "from-hub");
  assert_string_equal(user, "hub");
  assert_true(st.denied >= 2); /* the self-test's probe and the stranger */
  zmq_close(stranger);
  zmq_close(police);
  zmq_close(hub);
  zmq_close(server);
  zmq_close(zap);
}

static void test_selftest_fails_without_zap(void **state) {
  fx_t *f = *state;
  /* A CURVE server in a context with no ZAP handler lets any key in: the
   * self-test must see that and refuse. */
  void *ctx2 = zmq_ctx_new();
  char err[256] = "", ep[128];
  snprintf(ep, sizeof ep, "ipc://%s/open.sock", f->dir);
  void *server = zmq_socket(ctx2, ZMQ_ROUTER);
  s_set_int(server, ZMQ_LINGER, 0);
  s_set_int(server, ZMQ_CURVE_SERVER, 1);
  assert_int_equal(zmq_setsockopt(server, ZMQ_CURVE_SECRETKEY, f->broker.secret_key, 40), 0);
  assert_int_equal(zmq_bind(server, ep), 0);
  void *idle = zmq_socket(ctx2, ZMQ_PAIR); /* no handler: never readable */
  s_linger0(idle);
  mash_zap_stats_t st = {0};
  assert_int_equal(mash_zap_selftest(ctx2, idle, f->trust, ep, f->broker.public_key, WAIT_MS, &st,
                                     err, sizeof err),
                   -1);
  assert_non_null(strstr(err, "let in"));
  zmq_close(idle);
  zmq_close(server);
  assert_int_equal(zmq_ctx_term(ctx2), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_answers, setup, teardown),
      cmocka_unit_test_setup_teardown(test_revoked, setup, teardown),
      cmocka_unit_test_setup_teardown(test_end_to_end, setup, teardown),
      cmocka_unit_test_setup_teardown(test_selftest_fails_without_zap, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
