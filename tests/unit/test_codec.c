/* test_codec: unit tests of the codec (proto/codec.h): decoding and the
 * envelope.
 *
 * Covers: encode/decode round trip of a full police notification; decoding
 * empty, truncated, random and oversized frames without crashing; the
 * envelope header, receipts, heartbeats, errors and contacts with their
 * field paths; the bounded error list. The notification's validation rules
 * are test_codec_rules.c's, the enquiry messages test_codec_enquiry.c's,
 * uuid and clock test_clock_uuid.c's. Must not: touch sockets, files or
 * depend on the current date (the future-date check uses a fixed "now").
 *
 * Buffers the tests build themselves come from test_malloc, so cmocka fails
 * a test that leaks them. The truncation test deliberately uses plain malloc
 * for each prefix: an exact-size heap block lets AddressSanitizer catch a
 * read past the end, which cmocka's guard bytes would hide.
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

#include "clock.h"
#include "codec.h"
#include "uuid.h"
#include "codec_fixtures.h"

/* ---------------------------------------------------------------- helpers */

/* Encode f's envelope into a fresh buffer (freed by the caller with free). */
static uint8_t *encode_fixture(const fixture_t *f, size_t *len) {
  uint8_t *buf = NULL;
  assert_int_equal(mash_codec_encode(&f->env, &buf, len), 0);
  assert_non_null(buf);
  assert_true(*len > 0);
  return buf;
}

/* ------------------------------------------------------ round trip, decode */

static void test_fixture_is_valid(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  mash_errors_t errs = {0};
  int rc = mash_codec_validate_envelope(&f.env, &errs);
  print_errors(&errs);
  assert_int_equal(rc, 0);
  assert_int_equal(errs.count, 0);
  assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), 0);
  assert_int_equal(errs.count + errs.dropped, 0);
}

static void test_round_trip(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.env.correlation_id = "prev-msg:1";
  size_t len = 0;
  uint8_t *buf = encode_fixture(&f, &len);

  mash_errors_t errs = {0};
  Mash__V1__Envelope *env = mash_codec_decode(buf, len, &errs);
  free(buf);
  assert_non_null(env);
  assert_int_equal(errs.count, 0);
  assert_int_equal(mash_codec_validate_envelope(env, &errs), 0);

  assert_string_equal(env->message_id, f.env.message_id);
  assert_string_equal(env->correlation_id, "prev-msg:1");
  assert_int_equal(env->sent_at_ms, NOW_MS);
  assert_int_equal(env->schema_version, MASH_SCHEMA_VERSION);
  assert_int_equal(env->body_case, MASH__V1__ENVELOPE__BODY_NOTIFICATION);

  const Mash__V1__Notification *n = env->notification;
  assert_string_equal(n->source_reference, "PPN-77");
  assert_int_equal(n->n_children, 2);
  assert_int_equal(n->n_adults, 1);
  assert_int_equal(n->n_relationships, 2);
  assert_string_equal(n->children[0]->ref, "c1");
  assert_string_equal(n->children[0]->given_name, "Zoë");
  assert_string_equal(n->children[0]->date_of_birth, "2016-02-29");
  assert_int_equal(n->children[0]->sex, MASH__V1__SEX__SEX_FEMALE);
  assert_int_equal(n->children[0]->n_identifiers, 1);
  assert_int_equal(n->children[0]->identifiers[0]->kind,
                   MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER);
  assert_string_equal(n->children[0]->identifiers[0]->value, "9434765919");
  assert_non_null(n->children[0]->address);
  assert_int_equal(n->children[0]->address->n_lines, 2);
  assert_string_equal(n->children[0]->address->lines[1], "Flat 2");
  assert_string_equal(n->children[0]->address->postcode, "EX1 2MP");
  assert_string_equal(n->adults[0]->identifiers[0]->value, "98/1234567X");
  assert_string_equal(n->relationships[0]->kind, "step-parent");
  assert_string_equal(n->concern, f.n.concern);
  assert_int_equal(n->concern_category,
                   MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_DOMESTIC_ABUSE);
  assert_int_equal(n->occurred_at_ms, f.n.occurred_at_ms);

  assert_int_equal(n->detail_case, MASH__V1__NOTIFICATION__DETAIL_POLICE);
  const Mash__V1__PoliceDetail *p = n->police;
  assert_string_equal(p->incident_number, "INC-2024-000123");
  assert_int_equal(p->incident_at_ms, f.police.incident_at_ms);
  assert_string_equal(p->officer_name, "PC 1234 Patel");
  assert_int_equal(p->n_children_present_refs, 2);
  assert_string_equal(p->children_present_refs[1], "c2");
  assert_int_equal(p->n_dash_answers, MASH_DASH_ITEMS);
  assert_memory_equal(p->dash_answers, f.dash, sizeof f.dash);
  assert_int_equal(p->officer_grade, MASH__V1__RISK_GRADE__RISK_GRADE_MEDIUM);
  assert_true(p->formal_referral);
  assert_true(p->domestic_abuse);

  /* Re-encoding the decoded envelope gives the same bytes. */
  uint8_t *again = NULL;
  size_t again_len = 0;
  assert_int_equal(mash_codec_encode(env, &again, &again_len), 0);
  assert_int_equal(again_len, len);
  mash_codec_free(env);
  free(again);
}

static void test_envelope_init(void **state) {
  (void)state;
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  env.correlation_id = (char *)"kept";
  mash_envelope_init(&env, "m-1", 42);
  assert_string_equal(env.message_id, "m-1");
  /* Only the header is set: what the caller set stays. */
  assert_string_equal(env.correlation_id, "kept");
  assert_int_equal(env.sent_at_ms, 42);
  assert_int_equal(env.schema_version, MASH_SCHEMA_VERSION);
  assert_int_equal(env.body_case, MASH__V1__ENVELOPE__BODY__NOT_SET);
  /* A header without a body is not a valid message. */
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), -EINVAL);
  assert_true(has_error(&errs, "body"));
}

static void test_decode_empty(void **state) {
  (void)state;
  mash_errors_t errs = {0};
  uint8_t byte = 0;
  assert_null(mash_codec_decode(&byte, 0, &errs));
  assert_int_equal(errs.count, 1);
  assert_string_equal(errs.items[0].field, "frame");
  assert_null(mash_codec_decode(NULL, 10, &errs));
  assert_int_equal(errs.count, 2);
}

/* A heartbeat envelope packed directly (bypassing mash_codec_encode's own
 * bound) whose frame is exactly `frame_len` bytes long. */
static uint8_t *pack_heartbeat_frame(size_t frame_len, char **agent_out) {
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Heartbeat hb;
  mash_envelope_init(&env, "hb-big", 1);
  mash__v1__heartbeat__init(&hb);
  env.body_case = MASH__V1__ENVELOPE__BODY_HEARTBEAT;
  env.heartbeat = &hb;
  /* Grow the agent string until the packed size reaches frame_len. */
  size_t agent_len = frame_len;
  char *agent = NULL;
  for (;;) {
    agent = make_string(agent_len, 'x');
    hb.agent = agent;
    size_t size = mash__v1__envelope__get_packed_size(&env);
    if (size == frame_len) {
      break;
    }
    test_free(agent);
    assert_true(size > frame_len);
    agent_len -= size - frame_len;
  }
  uint8_t *buf = test_malloc(frame_len);
  assert_int_equal(mash__v1__envelope__pack(&env, buf), frame_len);
  *agent_out = agent;
  return buf;
}

static void test_decode_oversized(void **state) {
  (void)state;
  char *agent = NULL;
  /* At the bound: decodes (and fails validation only for the long agent). */
  uint8_t *frame = pack_heartbeat_frame(MASH_MAX_FRAME, &agent);
  mash_errors_t errs = {0};
  Mash__V1__Envelope *env = mash_codec_decode(frame, MASH_MAX_FRAME, &errs);
  assert_non_null(env);
  assert_int_equal(errs.count, 0);
  assert_int_equal(mash_codec_validate_envelope(env, &errs), -EINVAL);
  assert_int_equal(errs.count, 1);
  assert_string_equal(errs.items[0].field, "heartbeat.agent");
  mash_codec_free(env);
  test_free(frame);
  test_free(agent);

  /* One byte past the bound: a well-formed frame, refused for its size. */
  frame = pack_heartbeat_frame(MASH_MAX_FRAME + 1, &agent);
  memset(&errs, 0, sizeof errs);
  assert_null(mash_codec_decode(frame, MASH_MAX_FRAME + 1, &errs));
  assert_int_equal(errs.count, 1);
  assert_string_equal(errs.items[0].field, "frame");
  assert_non_null(strstr(errs.items[0].message, "larger than"));
  test_free(frame);
  test_free(agent);
}

static void test_encode_oversized(void **state) {
  (void)state;
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Heartbeat hb;
  mash_envelope_init(&env, "hb-1", 1);
  mash__v1__heartbeat__init(&hb);
  hb.agent = make_string(MASH_MAX_FRAME, 'x');
  env.body_case = MASH__V1__ENVELOPE__BODY_HEARTBEAT;
  env.heartbeat = &hb;
  uint8_t *out = (uint8_t *)&env; /* must be reset to NULL on failure */
  size_t out_len = 99;
  assert_int_equal(mash_codec_encode(&env, &out, &out_len), -EMSGSIZE);
  assert_null(out);
  assert_int_equal(out_len, 0);
  test_free(hb.agent);
}

static void test_decode_every_prefix(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  size_t len = 0;
  uint8_t *frame = encode_fixture(&f, &len);
  size_t decoded = 0;
  for (size_t cut = 0; cut < len; cut++) {
    uint8_t *prefix = malloc(cut > 0 ? cut : 1);
    assert_non_null(prefix);
    memcpy(prefix, frame, cut);
    mash_errors_t errs = {0};
    Mash__V1__Envelope *env = mash_codec_decode(prefix, cut, &errs);
    if (env == NULL) {
      assert_int_equal(errs.count, 1);
    } else {
      /* The body is the last field written, so a prefix that still decodes
       * has lost its body or part of the header: never valid. */
      assert_int_equal(errs.count, 0);
      assert_int_equal(mash_codec_validate_envelope(env, &errs), -EINVAL);
      assert_true(errs.count > 0);
      decoded++;
      mash_codec_free(env);
    }
    free(prefix);
  }
  /* Some prefixes end on a field boundary of the header and do decode. */
  assert_true(decoded > 0);
  free(frame);
}

static uint32_t xorshift(uint32_t *s) {
  uint32_t x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *s = x;
  return x;
}

static void test_decode_garbage(void **state) {
  (void)state;
  uint32_t seed = 0x9E3779B9u;
  size_t decoded = 0;
  for (int round = 0; round < 3000; round++) {
    size_t len = 1 + xorshift(&seed) % 600;
    uint8_t *buf = test_malloc(len);
    for (size_t i = 0; i < len; i++) {
      buf[i] = (uint8_t)xorshift(&seed);
    }
    /* Half the rounds start like a real envelope to get past the first tag. */
    if (round % 2 == 0 && len > 2) {
      buf[0] = 0x0A; /* field 1, length-delimited */
      buf[1] = (uint8_t)(len - 2 < 127 ? len - 2 : 127);
    }
    mash_errors_t errs = {0};
    Mash__V1__Envelope *env = mash_codec_decode(buf, len, &errs);
    if (env == NULL) {
      assert_int_equal(errs.count, 1);
    } else {
      decoded++;
      assert_int_equal(errs.count, 0);
      assert_int_equal(mash_codec_validate_envelope(env, &errs), -EINVAL);
      mash_codec_free(env);
    }
    test_free(buf);
  }
  print_message("garbage frames that decoded (and failed validation): %zu\n", decoded);
}

/* Protobuf-c may or may not refuse invalid UTF-8 in strings itself; either
 * way, a frame carrying it must not come out as a valid envelope. */
static void test_decode_invalid_utf8_frame(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  char name[] = "Zo\xff";
  f.child0.given_name = name;
  size_t len = 0;
  uint8_t *frame = encode_fixture(&f, &len);
  mash_errors_t errs = {0};
  Mash__V1__Envelope *env = mash_codec_decode(frame, len, &errs);
  free(frame);
  if (env == NULL) {
    assert_int_equal(errs.count, 1);
  } else {
    assert_int_equal(mash_codec_validate_envelope(env, &errs), -EINVAL);
    assert_true(has_error(&errs, "notification.children[0].given_name"));
    mash_codec_free(env);
  }
}

/* Found by fuzz_envelope: protobuf-c keeps an unknown field numbered 0 when
 * its tag is written in two bytes ("82 00"), and packs it again as the
 * one-byte tag "02" that it refuses to read. Such a frame would be stored and
 * acknowledged, and the contact made from it could never be delivered: the
 * codec refuses it, at any depth, and still tolerates other unknown fields. */
static void test_decode_field_zero(void **state) {
  (void)state;
  /* A heartbeat whose body holds field 0 (length-delimited, empty). */
  const uint8_t nested[] = {0x0A, 0x01, 'm', 0x20, 0x01, 0x62, 0x03, 0x82, 0x00, 0x00};
  mash_errors_t errs = {0};
  assert_null(mash_codec_decode(nested, sizeof nested, &errs));
  assert_int_equal(errs.count, 1);
  assert_non_null(strstr(errs.items[0].message, "field numbered 0"));

  fixture_t f;
  fixture_init(&f);
  size_t len = 0;
  uint8_t *frame = encode_fixture(&f, &len);
  uint8_t *longer = test_malloc(len + 3);
  memcpy(longer, frame, len);
  /* At the top level, after a valid notification. */
  memcpy(longer + len, (const uint8_t[]){0x82, 0x00, 0x00}, 3);
  memset(&errs, 0, sizeof errs);
  assert_null(mash_codec_decode(longer, len + 3, &errs));
  assert_int_equal(errs.count, 1);
  /* Field 99, unknown to mash.v1, is still tolerated. */
  memcpy(longer + len, (const uint8_t[]){0x9A, 0x06, 0x00}, 3);
  memset(&errs, 0, sizeof errs);
  Mash__V1__Envelope *env = mash_codec_decode(longer, len + 3, &errs);
  assert_non_null(env);
  assert_int_equal(mash_codec_validate_envelope(env, &errs), 0);
  mash_codec_free(env);
  test_free(longer);
  free(frame);
}

/* ------------------------------------------------------- envelope header */

static void test_bad_message_id(void **state) {
  (void)state;
  char *long_id = make_string(MASH_MAX_ID_LEN + 1, 'a');
  const char *const bad[] = {"", "abc def", "id\n", "id/1", "ïd", long_id};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    fixture_t f;
    fixture_init(&f);
    f.env.message_id = (char *)bad[i];
    mash_errors_t errs = {0};
    assert_int_equal(mash_codec_validate_envelope(&f.env, &errs), -EINVAL);
    assert_int_equal(errs.count, 1);
    assert_string_equal(errs.items[0].field, "message_id");
  }
  test_free(long_id);

  fixture_t f;
  fixture_init(&f);
  f.env.message_id = "A-z_0.9:x";
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_envelope(&f.env, &errs), 0);
  f.env.correlation_id = "re: 1";
  assert_int_equal(mash_codec_validate_envelope(&f.env, &errs), -EINVAL);
  assert_true(has_error(&errs, "correlation_id"));
}

static void test_schema_and_body(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.env.schema_version = 2;
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_envelope(&f.env, &errs), -EINVAL);
  assert_true(has_error(&errs, "schema_version"));

  fixture_init(&f);
  f.env.notification = NULL;
  memset(&errs, 0, sizeof errs);
  assert_int_equal(mash_codec_validate_envelope(&f.env, &errs), -EINVAL);
  assert_true(has_error(&errs, "notification"));

  fixture_init(&f);
  f.child0.date_of_birth = "2023-02-29";
  memset(&errs, 0, sizeof errs);
  assert_int_equal(mash_codec_validate_envelope(&f.env, &errs), -EINVAL);
  assert_int_equal(errs.count, 1);
  assert_string_equal(errs.items[0].field, "notification.children[0].date_of_birth");

  assert_int_equal(mash_codec_validate_envelope(NULL, &errs), -EINVAL);
}

static void test_receipt_bounds(void **state) {
  (void)state;
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Receipt r;
  Mash__V1__FieldError fe[MASH_MAX_FIELD_ERRORS + 1];
  Mash__V1__FieldError *fep[MASH_MAX_FIELD_ERRORS + 1];
  mash_envelope_init(&env, "r-1", 1);
  env.correlation_id = "m-1";
  mash__v1__receipt__init(&r);
  r.status = MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED;
  for (size_t i = 0; i <= MASH_MAX_FIELD_ERRORS; i++) {
    mash__v1__field_error__init(&fe[i]);
    fe[i].field = "notification.children[0].date_of_birth";
    fe[i].message = "is not a real date";
    fep[i] = &fe[i];
  }
  r.n_errors = MASH_MAX_FIELD_ERRORS;
  r.errors = fep;
  env.body_case = MASH__V1__ENVELOPE__BODY_RECEIPT;
  env.receipt = &r;

  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), 0);

  r.n_errors = MASH_MAX_FIELD_ERRORS + 1;
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), -EINVAL);
  assert_true(has_error(&errs, "receipt.errors"));

  r.n_errors = 1;
  char *long_msg = make_string(sizeof errs.items[0].message, 'm');
  fe[0].message = long_msg;
  memset(&errs, 0, sizeof errs);
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), -EINVAL);
  assert_true(has_error(&errs, "receipt.errors[0].message"));
  test_free(long_msg);

  fe[0].message = "ok";
  char *long_field = make_string(sizeof errs.items[0].field, 'f');
  fe[0].field = long_field;
  memset(&errs, 0, sizeof errs);
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), -EINVAL);
  assert_true(has_error(&errs, "receipt.errors[0].field"));
  test_free(long_field);

  fe[0].field = "x";
  r.status = MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_UNSPECIFIED;
  memset(&errs, 0, sizeof errs);
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), -EINVAL);
  assert_true(has_error(&errs, "receipt.status"));

  r.status = MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED;
  r.contact_id = "c 1";
  memset(&errs, 0, sizeof errs);
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), -EINVAL);
  assert_true(has_error(&errs, "receipt.contact_id"));
}

static void test_heartbeat_and_error(void **state) {
  (void)state;
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Heartbeat hb;
  mash_envelope_init(&env, "hb-1", 1);
  mash__v1__heartbeat__init(&hb);
  hb.agent = "mash-police 0.1";
  env.body_case = MASH__V1__ENVELOPE__BODY_HEARTBEAT;
  env.heartbeat = &hb;
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), 0);
  hb.agent = make_string(MASH_MAX_SHORT_TEXT + 1, 'h');
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), -EINVAL);
  assert_true(has_error(&errs, "heartbeat.agent"));
  test_free(hb.agent);

  Mash__V1__Error er;
  mash__v1__error__init(&er);
  er.code = MASH__V1__ERROR_CODE__ERROR_CODE_MALFORMED;
  er.message = "frame is not a valid mash.v1 Envelope";
  env.body_case = MASH__V1__ENVELOPE__BODY_ERROR;
  env.error = &er;
  memset(&errs, 0, sizeof errs);
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), 0);
  er.message = make_string(MASH_MAX_LONG_TEXT + 1, 'e');
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), -EINVAL);
  assert_true(has_error(&errs, "error.message"));
  test_free(er.message);
  er.message = "";
  er.code = (Mash__V1__ErrorCode)42;
  memset(&errs, 0, sizeof errs);
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), -EINVAL);
  assert_true(has_error(&errs, "error.code"));
}

static void test_contact(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  Mash__V1__Contact c;
  Mash__V1__DashScore dash;
  char *flags[] = {"grade_below_checklist"};
  mash__v1__contact__init(&c);
  mash__v1__dash_score__init(&dash);
  c.contact_id = "7d3f0c7e-5a57-4d53-9a4b-1e2f3a4b5c6d";
  c.source_principal = "police";
  c.received_at_ms = NOW_MS;
  c.notification = &f.n;
  dash.present = 1;
  dash.yes_count = 9;
  dash.final_grade = MASH__V1__RISK_GRADE__RISK_GRADE_MEDIUM;
  c.dash = &dash;
  c.n_quality_flags = 1;
  c.quality_flags = flags;
  f.env.body_case = MASH__V1__ENVELOPE__BODY_CONTACT;
  f.env.contact = &c;

  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_envelope(&f.env, &errs), 0);

  /* The embedded notification is validated under its own path. */
  f.n.n_children = 0;
  f.n.n_relationships = 0;
  f.police.n_children_present_refs = 0;
  assert_int_equal(mash_codec_validate_envelope(&f.env, &errs), -EINVAL);
  assert_int_equal(errs.count, 1);
  assert_string_equal(errs.items[0].field, "contact.notification.children");

  fixture_init(&f);
  c.notification = &f.n;
  f.env.body_case = MASH__V1__ENVELOPE__BODY_CONTACT;
  f.env.contact = &c;
  c.source_principal = make_string(MASH_MAX_ID_LEN + 1, 'p');
  memset(&errs, 0, sizeof errs);
  assert_int_equal(mash_codec_validate_envelope(&f.env, &errs), -EINVAL);
  assert_true(has_error(&errs, "contact.source_principal"));
  test_free(c.source_principal);
  c.source_principal = "police";

  c.notification = NULL;
  memset(&errs, 0, sizeof errs);
  assert_int_equal(mash_codec_validate_envelope(&f.env, &errs), -EINVAL);
  assert_true(has_error(&errs, "contact.notification"));
  c.notification = &f.n;

  dash.final_grade = (Mash__V1__RiskGrade)8;
  memset(&errs, 0, sizeof errs);
  assert_int_equal(mash_codec_validate_envelope(&f.env, &errs), -EINVAL);
  assert_true(has_error(&errs, "contact.dash.final_grade"));
}

/* ----------------------------------------------------------------- errors */

static void test_error_overflow(void **state) {
  (void)state;
  /* 20 children, each with an impossible date: 20 errors, 16 kept. */
  enum { N = 20 };
  fixture_t f;
  fixture_init(&f);
  Mash__V1__Person *people = test_calloc(N, sizeof *people);
  Mash__V1__Person **ptrs = test_calloc(N, sizeof *ptrs);
  char refs[N][24];
  for (size_t i = 0; i < N; i++) {
    mash__v1__person__init(&people[i]);
    snprintf(refs[i], sizeof refs[i], "k%zu", i);
    people[i].ref = refs[i];
    people[i].given_name = "Kid";
    people[i].date_of_birth = "2023-02-30";
    ptrs[i] = &people[i];
  }
  f.n.n_children = N;
  f.n.children = ptrs;
  f.n.n_relationships = 0;
  f.police.n_children_present_refs = 0;
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), -EINVAL);
  assert_int_equal(errs.count, MASH_MAX_FIELD_ERRORS);
  assert_int_equal(errs.dropped, N - MASH_MAX_FIELD_ERRORS);
  assert_string_equal(errs.items[0].field, "notification.children[0].date_of_birth");
  assert_string_equal(errs.items[15].field, "notification.children[15].date_of_birth");
  test_free(ptrs);
  test_free(people);

  /* When the list is already full, a further call still reports failure. */
  fixture_init(&f);
  f.n.n_children = 0;
  f.n.n_relationships = 0;
  f.police.n_children_present_refs = 0;
  assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), -EINVAL);
  assert_int_equal(errs.dropped, N - MASH_MAX_FIELD_ERRORS + 1);
}

static void test_errors_add_truncates(void **state) {
  (void)state;
  mash_errors_t errs = {0};
  char *long_field = make_string(300, 'f');
  mash_errors_add(&errs, long_field, "value %d is %s", 7, "bad");
  assert_int_equal(errs.count, 1);
  assert_int_equal(strlen(errs.items[0].field), sizeof errs.items[0].field - 1);
  assert_string_equal(errs.items[0].message, "value 7 is bad");
  test_free(long_field);

  /* Truncation never splits a multi-byte character. */
  char msg[400];
  size_t o = 0;
  msg[o++] = 'x';
  msg[o++] = 'y';
  while (o + 2 < sizeof msg) {
    msg[o++] = '\xc3';
    msg[o++] = '\xa9'; /* é */
  }
  msg[o] = '\0';
  mash_errors_add(&errs, "f", "%s", msg);
  const char *m = errs.items[1].message;
  size_t len = strlen(m);
  assert_true(len < sizeof errs.items[1].message);
  assert_true(len % 2 == 0); /* "xy" then whole two-byte pairs, the cut one dropped */
  assert_true(len >= sizeof errs.items[1].message - 2);
  assert_int_equal((unsigned char)m[len - 1], 0xa9);

  for (size_t i = errs.count; i < MASH_MAX_FIELD_ERRORS + 5; i++) {
    mash_errors_add(&errs, "f", "e%zu", i);
  }
  assert_int_equal(errs.count, MASH_MAX_FIELD_ERRORS);
  assert_int_equal(errs.dropped, 5);
  mash_errors_add(NULL, "f", "ignored"); /* must not crash */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fixture_is_valid),
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_envelope_init),
      cmocka_unit_test(test_decode_empty),
      cmocka_unit_test(test_decode_oversized),
      cmocka_unit_test(test_encode_oversized),
      cmocka_unit_test(test_decode_every_prefix),
      cmocka_unit_test(test_decode_garbage),
      cmocka_unit_test(test_decode_invalid_utf8_frame),
      cmocka_unit_test(test_decode_field_zero),
      cmocka_unit_test(test_bad_message_id),
      cmocka_unit_test(test_schema_and_body),
      cmocka_unit_test(test_receipt_bounds),
      cmocka_unit_test(test_heartbeat_and_error),
      cmocka_unit_test(test_contact),
      cmocka_unit_test(test_error_overflow),
      cmocka_unit_test(test_errors_add_truncates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
