/* test_agent_brokers: the list of brokers an agent follows
 * (agents/runtime/agent_brokers.h), with real key files (mash_key_generate)
 * in a temporary folder.
 *
 * Covers: one endpoint and one key; several endpoints separated by commas
 * and spaces with one shared key or one key each, in order; moving to the
 * next wraps round to the first and says so; refusals (no endpoint, more
 * than AGENT_BROKERS_MAX, a key count that fits neither rule, a missing key
 * file, an over-long endpoint) with the reason in err. The broker that
 * answered last is remembered beside the state file (STATE.broker) only when
 * it changed and the list has more than one, recalled by the next run (which
 * then starts there and counts its round of the list from there), and
 * ignored when the file names an endpoint no longer in the list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent_brokers.h"
#include "keys.h"
#include "test_dir.h"

#define UNIT_TESTING 1
#include <cmocka.h>

typedef struct fx {
  char dir[64];
  mash_key_t a, b;
  char key_a[128], key_b[128];
} fx_t;

static int setup(void **state) {
  fx_t *f = calloc(1, sizeof *f);
  assert_non_null(f);
  snprintf(f->dir, sizeof f->dir, "/tmp/mash-test-brokers-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  char err[256];
  assert_int_equal(mash_key_generate(f->dir, "mashd-a", "broker", 0, &f->a, err, sizeof err), 0);
  assert_int_equal(mash_key_generate(f->dir, "mashd-b", "broker", 0, &f->b, err, sizeof err), 0);
  snprintf(f->key_a, sizeof f->key_a, "%s/mashd-a.pub", f->dir);
  snprintf(f->key_b, sizeof f->key_b, "%s/mashd-b.pub", f->dir);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fx_t *f = *state;
  test_dir_remove(f->dir);
  free(f);
  return 0;
}

static void test_one(void **state) {
  fx_t *f = *state;
  char err[256] = "";
  agent_brokers_t *b = agent_brokers_new("tcp://127.0.0.1:7400", f->key_a, err, sizeof err);
  assert_non_null(b);
  assert_int_equal(agent_brokers_count(b), 1);
  assert_string_equal(agent_brokers_endpoint(b), "tcp://127.0.0.1:7400");
  assert_string_equal(agent_brokers_key(b)->public_key, f->a.public_key);
  assert_int_equal(agent_brokers_next(b), 1); /* a list of one always wraps */
  assert_string_equal(agent_brokers_endpoint(b), "tcp://127.0.0.1:7400");
  agent_brokers_destroy(&b);
  assert_null(b);
  agent_brokers_destroy(&b); /* NULL is accepted */
}

static void test_remember_last(void **state) {
  fx_t *f = *state;
  char keys[300], err[256] = "", state_path[128], memory[160];
  snprintf(keys, sizeof keys, "%s,%s", f->key_a, f->key_b);
  snprintf(state_path, sizeof state_path, "%s/state.db", f->dir);
  snprintf(memory, sizeof memory, "%s/state.db.broker", f->dir);
  const char *list = "ipc:///tmp/a.sock,ipc:///tmp/b.sock";
  /* No file yet: the first. */
  agent_brokers_t *b = agent_brokers_new(list, keys, err, sizeof err);
  assert_non_null(b);
  assert_int_equal(agent_brokers_recall(b, state_path), 0);
  assert_string_equal(agent_brokers_endpoint(b), "ipc:///tmp/a.sock");
  assert_int_equal(agent_brokers_next(b), 0);
  assert_int_equal(agent_brokers_remember(b, state_path, err, sizeof err), 0);
  FILE *m = fopen(memory, "r");
  assert_non_null(m);
  char line[64] = "";
  assert_non_null(fgets(line, sizeof line, m));
  fclose(m);
  assert_string_equal(line, "ipc:///tmp/b.sock\n");
  /* Unchanged: not written again (the file removed stays removed). */
  assert_int_equal(unlink(memory), 0);
  assert_int_equal(agent_brokers_remember(b, state_path, err, sizeof err), 0);
  assert_int_equal(access(memory, F_OK), -1);
  agent_brokers_next(b);
  assert_int_equal(agent_brokers_remember(b, state_path, err, sizeof err), 0);
  agent_brokers_next(b);
  assert_int_equal(agent_brokers_remember(b, state_path, err, sizeof err), 0);
  agent_brokers_destroy(&b);
  /* The next run starts at b, with b's key, and a round ends back at b. */
  b = agent_brokers_new(list, keys, err, sizeof err);
  assert_int_equal(agent_brokers_recall(b, state_path), 1);
  assert_string_equal(agent_brokers_endpoint(b), "ipc:///tmp/b.sock");
  assert_string_equal(agent_brokers_key(b)->public_key, f->b.public_key);
  assert_int_equal(agent_brokers_next(b), 0);
  assert_string_equal(agent_brokers_endpoint(b), "ipc:///tmp/a.sock");
  assert_int_equal(agent_brokers_next(b), 1);
  agent_brokers_destroy(&b);
  /* A list without that endpoint starts at its first. */
  b = agent_brokers_new("ipc:///tmp/c.sock,ipc:///tmp/a.sock", keys, err, sizeof err);
  assert_int_equal(agent_brokers_recall(b, state_path), 0);
  assert_string_equal(agent_brokers_endpoint(b), "ipc:///tmp/c.sock");
  agent_brokers_destroy(&b);
  /* A list of one neither reads nor writes the file. */
  assert_int_equal(unlink(memory), 0);
  b = agent_brokers_new("ipc:///tmp/b.sock", f->key_b, err, sizeof err);
  assert_int_equal(agent_brokers_remember(b, state_path, err, sizeof err), 0);
  assert_int_equal(access(memory, F_OK), -1);
  agent_brokers_destroy(&b);
}

static void test_key_each_in_order(void **state) {
  fx_t *f = *state;
  char keys[300], err[256] = "";
  snprintf(keys, sizeof keys, " %s ,%s", f->key_a, f->key_b);
  agent_brokers_t *b =
      agent_brokers_new("tcp://10.0.0.1:7400, tcp://10.0.0.2:7400", keys, err, sizeof err);
  assert_non_null(b);
  assert_int_equal(agent_brokers_count(b), 2);
  assert_string_equal(agent_brokers_endpoint(b), "tcp://10.0.0.1:7400");
  assert_string_equal(agent_brokers_key(b)->public_key, f->a.public_key);
  assert_int_equal(agent_brokers_next(b), 0);
  assert_string_equal(agent_brokers_endpoint(b), "tcp://10.0.0.2:7400");
  assert_string_equal(agent_brokers_key(b)->public_key, f->b.public_key);
  assert_int_equal(agent_brokers_next(b), 1);
  assert_string_equal(agent_brokers_endpoint(b), "tcp://10.0.0.1:7400");
  agent_brokers_destroy(&b);
}

static void test_shared_key(void **state) {
  fx_t *f = *state;
  char err[256] = "";
  agent_brokers_t *b =
      agent_brokers_new("ipc:///a.sock ipc:///b.sock,ipc:///c.sock", f->key_b, err, sizeof err);
  assert_non_null(b);
  assert_int_equal(agent_brokers_count(b), 3);
  for (int i = 0; i < 3; i++) {
    assert_string_equal(agent_brokers_key(b)->public_key, f->b.public_key);
    agent_brokers_next(b);
  }
  agent_brokers_next(b);
  assert_string_equal(agent_brokers_endpoint(b), "ipc:///b.sock");
  agent_brokers_destroy(&b);
}

static void test_refused(void **state) {
  fx_t *f = *state;
  char err[256] = "", keys[300], many[2048] = "";
  assert_null(agent_brokers_new(" , ", f->key_a, err, sizeof err));
  assert_string_equal(err, "no broker endpoint given");
  assert_null(agent_brokers_new(NULL, f->key_a, err, sizeof err));
  assert_string_equal(err, "no broker endpoint given");
  snprintf(keys, sizeof keys, "%s,%s", f->key_a, f->key_b);
  assert_null(agent_brokers_new("ipc:///a,ipc:///b,ipc:///c", keys, err, sizeof err));
  assert_non_null(strstr(err, "2 broker key(s) for 3 endpoint(s)"));
  assert_null(agent_brokers_new("ipc:///a", "", err, sizeof err));
  assert_non_null(strstr(err, "0 broker key(s) for 1 endpoint(s)"));
  snprintf(keys, sizeof keys, "%s/missing.pub", f->dir);
  assert_null(agent_brokers_new("ipc:///a", keys, err, sizeof err));
  assert_non_null(strstr(err, "missing.pub"));
  for (int i = 0; i <= AGENT_BROKERS_MAX; i++) {
    size_t off = strlen(many);
    snprintf(many + off, sizeof many - off, "ipc:///n%d,", i);
  }
  assert_null(agent_brokers_new(many, f->key_a, err, sizeof err));
  assert_non_null(strstr(err, "more than"));
  char longest[400];
  memset(longest, 'x', sizeof longest - 1);
  longest[sizeof longest - 1] = '\0';
  assert_null(agent_brokers_new(longest, f->key_a, err, sizeof err));
  assert_non_null(strstr(err, "longer than"));
}

typedef struct {
  agent_brokers_t *b;
  int calls, fail;
  char seen[64];
} s_conn_t;

static int s_connect_cb(void *arg, char *err, size_t errlen) {
  s_conn_t *c = arg;
  c->calls++;
  snprintf(c->seen, sizeof c->seen, "%s", agent_brokers_endpoint(c->b));
  if (c->fail) {
    snprintf(err, errlen, "refused by the test");
    return -1;
  }
  return 0;
}

static void s_never_closed(void *arg) {
  (void)arg;
  fail_msg("no socket was open, so none may be closed");
}

/* The move to the next broker connects to the next endpoint, says when the
 * list wrapped, and goes on (the caller's timer retries) when connect fails. */
static void test_reconnect(void **state) {
  fx_t *f = *state;
  char keys[300], err[256] = "";
  snprintf(keys, sizeof keys, "%s,%s", f->key_a, f->key_b);
  s_conn_t c = {0};
  c.b = agent_brokers_new("tcp://10.0.0.1:7400,tcp://10.0.0.2:7400", keys, err, sizeof err);
  assert_non_null(c.b);
  mash_zsock_t *zs = NULL;
  assert_int_equal(agent_brokers_reconnect(c.b, &zs, s_never_closed, s_connect_cb, &c), 0);
  assert_int_equal(c.calls, 1);
  assert_string_equal(c.seen, "tcp://10.0.0.2:7400");
  c.fail = 1;
  assert_int_equal(agent_brokers_reconnect(c.b, &zs, s_never_closed, s_connect_cb, &c), 1);
  assert_int_equal(c.calls, 2);
  assert_string_equal(c.seen, "tcp://10.0.0.1:7400");
  assert_null(zs);
  agent_brokers_destroy(&c.b);
}

/* One frame that decodes is an envelope; two frames, or bytes that are no
 * envelope, are dropped (NULL). */
static void test_decode(void **state) {
  (void)state;
  Mash__V1__Heartbeat hb = MASH__V1__HEARTBEAT__INIT;
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  mash_envelope_init(&env, "hb-1", 1700000000000);
  env.body_case = MASH__V1__ENVELOPE__BODY_HEARTBEAT;
  env.heartbeat = &hb;
  /* Packed here (the codec's own buffer is not cmocka's to free). */
  uint8_t buf[256];
  assert_true(mash__v1__envelope__get_packed_size(&env) <= sizeof buf);
  size_t len = mash__v1__envelope__pack(&env, buf);
  zmq_msg_t parts[2];
  assert_int_equal(zmq_msg_init_size(&parts[0], len), 0);
  memcpy(zmq_msg_data(&parts[0]), buf, len);
  assert_int_equal(zmq_msg_init_size(&parts[1], 3), 0);
  memcpy(zmq_msg_data(&parts[1]), "\xff\xff\xff", 3);
  Mash__V1__Envelope *got = agent_brokers_decode(parts, 1);
  assert_non_null(got);
  assert_string_equal(got->message_id, "hb-1");
  assert_int_equal(got->body_case, MASH__V1__ENVELOPE__BODY_HEARTBEAT);
  mash_codec_free(got);
  assert_null(agent_brokers_decode(parts, 2));
  assert_null(agent_brokers_decode(&parts[1], 1));
  zmq_msg_close(&parts[0]);
  zmq_msg_close(&parts[1]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_one, setup, teardown),
      cmocka_unit_test_setup_teardown(test_remember_last, setup, teardown),
      cmocka_unit_test_setup_teardown(test_key_each_in_order, setup, teardown),
      cmocka_unit_test_setup_teardown(test_shared_key, setup, teardown),
      cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reconnect, setup, teardown),
      cmocka_unit_test(test_decode),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
