/* test_outbox: the broker's one outbox (broker/net/outbox.h) with a fake
 * clock (every call takes `now`) and a send callback that records what it is
 * given and can refuse a target. Covers: contacts in contact order (one
 * resolved late goes in its place) with real delivery frames; the backoff of
 * common/retry.h at the exact instants; the one acknowledgement path for
 * both kinds (in flight: not sent; failed: retried; stored: gone); who may
 * acknowledge; a refused target skipped for the rest of a pump; due-now on
 * reconnection; the burst; removal in bulk keeping look-ups right. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Frames the codec made come from its malloc: freed with the real free,
 * not cmocka's checked one. */
static void s_codec_buf_free(void *p) {
  free(p);
}

#define UNIT_TESTING 1
#include <cmocka.h>

#include "codec.h"
#include "outbox.h"

#define MAX_SENT 256

typedef struct sink {
  char target[MAX_SENT][64];
  char id[MAX_SENT][80];
  size_t n;
  const char *refuse; /* a target whose sends fail */
  unsigned refused;
} sink_t;

/* Records each frame: its target and the message id inside it (decoded, so
 * a frame that is not a valid Envelope fails the test). */
static int s_send(const char *target, const uint8_t *frame, size_t len, void *arg) {
  sink_t *s = arg;
  if (s->refuse && strcmp(s->refuse, target) == 0) {
    s->refused++;
    return -EHOSTUNREACH;
  }
  assert_true(s->n < MAX_SENT);
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  Mash__V1__Envelope *env = mash_codec_decode(frame, len, &errs);
  assert_non_null(env);
  snprintf(s->target[s->n], sizeof s->target[0], "%s", target);
  snprintf(s->id[s->n], sizeof s->id[0], "%s", env->message_id);
  if (env->body_case == MASH__V1__ENVELOPE__BODY_CONTACT) {
    /* The contact id travels inside the contact, as the desk reads it. */
    char want[80];
    snprintf(want, sizeof want, "%s%s", MASH_OUTBOX_CONTACT_PREFIX, env->contact->contact_id);
    assert_string_equal(want, env->message_id);
  }
  mash_codec_free(env);
  s->n++;
  return 0;
}

static mash_outbox_t *s_outbox(int base, int max, unsigned burst) {
  mash_retry_t p = {base, max, 0};
  mash_outbox_t *ob = mash_outbox_new(&p, burst);
  assert_non_null(ob);
  return ob;
}

static void s_add_contact(mash_outbox_t *ob, const char *id, int64_t now) {
  Mash__V1__Contact c = MASH__V1__CONTACT__INIT;
  c.source_principal = (char *)"police";
  uint8_t buf[64];
  size_t len = mash__v1__contact__pack(&c, buf);
  assert_int_equal(mash_outbox_add_contact(ob, id, buf, len, now, now), 0);
}

/* A message as transactions store them: a whole Envelope frame. */
static void s_add_message(mash_outbox_t *ob, const char *id, const char *target, int64_t now) {
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Heartbeat hb = MASH__V1__HEARTBEAT__INIT;
  env.body_case = MASH__V1__ENVELOPE__BODY_HEARTBEAT;
  env.heartbeat = &hb;
  mash_envelope_init(&env, id, now);
  uint8_t *buf = NULL;
  size_t len = 0;
  assert_int_equal(mash_codec_encode(&env, &buf, &len), 0);
  assert_int_equal(mash_outbox_add(ob, id, target, buf, len, now), 0);
  s_codec_buf_free(buf);
}

static unsigned long s_pending(const mash_outbox_t *ob) {
  mash_outbox_stats_t st;
  mash_outbox_get_stats(ob, &st);
  return st.pending;
}

static void test_contacts_in_order(void **state) {
  (void)state;
  mash_outbox_t *ob = s_outbox(1000, 30000, 0);
  sink_t s = {0};
  s_add_contact(ob, "MASH-000009", 0);
  s_add_contact(ob, "MASH-0000010", 0); /* longer: made after 000009 */
  s_add_contact(ob, "MASH-000008", 0);  /* resolved late: goes first */
  s_add_contact(ob, "MASH-000009", 0);  /* already waiting: not twice */
  s_add_message(ob, "req-1", "police", 0);
  assert_int_equal(s_pending(ob), 4);
  assert_int_equal(mash_outbox_pump(ob, 0, s_send, &s), 4);
  assert_string_equal(s.id[0], "deliver-MASH-000008");
  assert_string_equal(s.id[1], "deliver-MASH-000009");
  assert_string_equal(s.id[2], "deliver-MASH-0000010");
  assert_string_equal(s.target[2], MASH_OUTBOX_HUB);
  assert_string_equal(s.id[3], "req-1");
  assert_string_equal(s.target[3], "police");
  mash_outbox_destroy(&ob);
  assert_null(ob);
  mash_outbox_destroy(&ob); /* NULL is fine */
}

static void test_backoff_instants(void **state) {
  (void)state;
  mash_outbox_t *ob = s_outbox(1000, 3000, 0);
  sink_t s = {0};
  int64_t t0 = 1700000000000;
  s_add_message(ob, "esc-1", "@hub", t0);
  /* Sent at t0, then after 1 s, 2 s, and the 3 s ceiling from then on. */
  static const int64_t due[] = {0, 1000, 3000, 6000, 9000, 12000};
  for (size_t i = 0; i < sizeof due / sizeof due[0]; i++) {
    if (i > 0) {
      assert_int_equal(mash_outbox_pump(ob, t0 + due[i] - 1, s_send, &s), 0);
    }
    assert_int_equal(mash_outbox_pump(ob, t0 + due[i], s_send, &s), 1);
    assert_int_equal(mash_outbox_pump(ob, t0 + due[i], s_send, &s), 0);
  }
  mash_outbox_entry_t *e = mash_outbox_find(ob, "esc-1");
  assert_non_null(e);
  assert_int_equal(mash_outbox_entry_attempts(e), 6);
  mash_outbox_stats_t st;
  mash_outbox_get_stats(ob, &st);
  assert_int_equal(st.sent, 6);
  mash_outbox_destroy(&ob);
}

static void test_ack_path(void **state) {
  (void)state;
  mash_outbox_t *ob = s_outbox(1000, 30000, 0);
  sink_t s = {0};
  s_add_contact(ob, "MASH-000001", 0);
  s_add_message(ob, "req-7", "health", 0);
  assert_int_equal(mash_outbox_pump(ob, 0, s_send, &s), 2);
  assert_null(mash_outbox_find(ob, "deliver-MASH-000002"));
  assert_null(mash_outbox_find(ob, "req-8"));

  mash_outbox_entry_t *c = mash_outbox_find(ob, "deliver-MASH-000001");
  mash_outbox_entry_t *m = mash_outbox_find(ob, "req-7");
  assert_non_null(c);
  assert_non_null(m);
  assert_int_equal(mash_outbox_entry_kind(c), MASH_OUTBOX_CONTACT);
  assert_string_equal(mash_outbox_entry_contact_id(c), "MASH-000001");
  assert_int_equal(mash_outbox_entry_kind(m), MASH_OUTBOX_MESSAGE);
  assert_string_equal(mash_outbox_entry_contact_id(m), "");
  assert_string_equal(mash_outbox_entry_target(m), "health");

  /* Only the addressee acknowledges: any hub desk for the hub's entries. */
  assert_true(mash_outbox_entry_for(c, "hub", "hub"));
  assert_true(mash_outbox_entry_for(c, "hub-2", "hub"));
  assert_false(mash_outbox_entry_for(c, "police", "agency"));
  assert_true(mash_outbox_entry_for(m, "health", "agency"));
  assert_false(mash_outbox_entry_for(m, "police", "agency"));
  assert_false(mash_outbox_entry_for(m, "hub", "hub"));

  /* While an acknowledgement is being stored the entry is not sent, and a
   * second receipt does not start another. */
  assert_int_equal(mash_outbox_ack_begin(ob, c), 0);
  assert_int_equal(mash_outbox_ack_begin(ob, c), -EALREADY);
  assert_int_equal(mash_outbox_ack_begin(ob, m), 0);
  assert_int_equal(mash_outbox_pump(ob, 100000, s_send, &s), 0);

  /* The store failed for the message: it is retried. */
  mash_outbox_ack_end(ob, m, 0);
  assert_int_equal(mash_outbox_pump(ob, 100000, s_send, &s), 1);
  assert_string_equal(s.id[s.n - 1], "req-7");
  assert_int_equal(s_pending(ob), 2);

  /* Stored: both are gone, never sent again. */
  mash_outbox_ack_end(ob, c, 1);
  assert_int_equal(mash_outbox_ack_begin(ob, m), 0);
  mash_outbox_ack_end(ob, m, 1);
  assert_null(mash_outbox_find(ob, "deliver-MASH-000001"));
  assert_null(mash_outbox_find(ob, "req-7"));
  assert_int_equal(s_pending(ob), 0);
  assert_int_equal(mash_outbox_pump(ob, 10000000, s_send, &s), 0);
  mash_outbox_stats_t st;
  mash_outbox_get_stats(ob, &st);
  assert_int_equal(st.acked, 2);
  mash_outbox_destroy(&ob);
}

static void test_refused_target_skipped(void **state) {
  (void)state;
  mash_outbox_t *ob = s_outbox(1000, 30000, 0);
  sink_t s = {.refuse = MASH_OUTBOX_HUB};
  for (int i = 1; i <= 50; i++) {
    char id[32];
    snprintf(id, sizeof id, "MASH-%06d", i);
    s_add_contact(ob, id, 0);
  }
  s_add_message(ob, "esc-1", MASH_OUTBOX_HUB, 0);
  s_add_message(ob, "req-1", "police", 0);
  /* One try for the hub, then nothing more to it in this pump. */
  assert_int_equal(mash_outbox_pump(ob, 0, s_send, &s), 1);
  assert_int_equal(s.refused, 1);
  assert_string_equal(s.id[0], "req-1");
  /* Not sent, so still due: the hub's connection comes back. */
  s.refuse = NULL;
  assert_int_equal(mash_outbox_pump(ob, 1, s_send, &s), 51);
  assert_string_equal(s.id[1], "deliver-MASH-000001");
  assert_string_equal(s.id[51], "esc-1");
  mash_outbox_destroy(&ob);
}

static void test_due_now_and_burst(void **state) {
  (void)state;
  mash_outbox_t *ob = s_outbox(1000, 30000, 3);
  sink_t s = {0};
  s_add_contact(ob, "MASH-000001", 0);
  s_add_contact(ob, "MASH-000002", 0);
  s_add_message(ob, "req-1", "police", 0);
  s_add_message(ob, "req-2", "health", 0);
  s_add_message(ob, "pack-1", MASH_OUTBOX_HUB, 0);
  assert_int_equal(mash_outbox_pump(ob, 0, s_send, &s), 3); /* the burst */
  assert_int_equal(mash_outbox_pump(ob, 0, s_send, &s), 2);
  assert_int_equal(mash_outbox_pump(ob, 10, s_send, &s), 0); /* backing off */
  /* police reconnects: only its entry is due at once. */
  mash_outbox_due_now(ob, "police", 0, 10);
  assert_int_equal(mash_outbox_pump(ob, 10, s_send, &s), 1);
  assert_string_equal(s.id[s.n - 1], "req-1");
  /* a hub desk reconnects: what waits for any hub desk is due. */
  mash_outbox_due_now(ob, "hub", 1, 20);
  assert_int_equal(mash_outbox_pump(ob, 20, s_send, &s), 3);
  assert_string_equal(s.id[s.n - 3], "deliver-MASH-000001");
  assert_string_equal(s.id[s.n - 2], "deliver-MASH-000002");
  assert_string_equal(s.id[s.n - 1], "pack-1");
  mash_outbox_destroy(&ob);
}

static void test_bulk_removal_keeps_lookups(void **state) {
  (void)state;
  mash_outbox_t *ob = s_outbox(1000, 30000, 1000);
  sink_t s = {0};
  char id[64];
  for (int i = 1; i <= 200; i++) {
    snprintf(id, sizeof id, "MASH-%06d", i);
    s_add_contact(ob, id, 0);
  }
  s_add_message(ob, "req-1", "police", 0);
  /* Acknowledge the odd ones: enough to trigger removal in bulk. */
  for (int i = 1; i <= 200; i += 2) {
    snprintf(id, sizeof id, "deliver-MASH-%06d", i);
    mash_outbox_entry_t *e = mash_outbox_find(ob, id);
    assert_non_null(e);
    assert_int_equal(mash_outbox_ack_begin(ob, e), 0);
    mash_outbox_ack_end(ob, e, 1);
  }
  /* A contact acknowledged and queued again (a reload) is found live. */
  s_add_contact(ob, "MASH-000003", 0);
  assert_int_equal(s_pending(ob), 102);
  assert_int_equal(mash_outbox_pump(ob, 0, s_send, &s), 102); /* removes the acked */
  for (int i = 1; i <= 200; i++) {
    snprintf(id, sizeof id, "deliver-MASH-%06d", i);
    int live = i % 2 == 0 || i == 3;
    assert_int_equal(mash_outbox_find(ob, id) != NULL, live);
  }
  assert_non_null(mash_outbox_find(ob, "req-1"));
  assert_string_equal(s.id[0], "deliver-MASH-000002");
  assert_string_equal(s.id[1], "deliver-MASH-000003");
  assert_string_equal(s.id[101], "req-1");
  mash_outbox_destroy(&ob);
}

static void test_bad_ids_refused(void **state) {
  (void)state;
  mash_outbox_t *ob = s_outbox(1000, 30000, 0);
  char longid[200];
  memset(longid, 'a', sizeof longid - 1);
  longid[sizeof longid - 1] = '\0';
  uint8_t frame[4] = {0};
  assert_int_equal(mash_outbox_add(ob, longid, "police", frame, sizeof frame, 0), -EINVAL);
  assert_int_equal(mash_outbox_add_contact(ob, longid, frame, 0, 0, 0), -EINVAL);
  assert_int_equal(s_pending(ob), 0);
  mash_outbox_destroy(&ob);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_contacts_in_order), cmocka_unit_test(test_backoff_instants),
      cmocka_unit_test(test_ack_path),          cmocka_unit_test(test_refused_target_skipped),
      cmocka_unit_test(test_due_now_and_burst), cmocka_unit_test(test_bulk_removal_keeps_lookups),
      cmocka_unit_test(test_bad_ids_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
