/* test_codec: unit tests of the codec (proto/codec.h), uuid and clock.
 *
 * Covers: encode/decode round trip of a full police notification; decoding
 * empty, truncated, random and oversized frames without crashing; every
 * validation rule of notifications, the envelope header, receipts, heartbeats,
 * errors and contacts with its field path; the bounded error list; v4 UUIDs;
 * clock formatting and strict parsing. The enquiry messages are tested in
 * test_codec_enquiry.c. Must not: touch sockets, files or depend on the
 * current date (the future-date check uses a fixed "now").
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

/* Validate f's notification and expect exactly one error, at `field`. */
static void expect_one_error(const fixture_t *f, const char *field) {
  mash_errors_t errs = {0};
  int rc = mash_codec_validate_notification(&f->n, NOW_MS, &errs);
  if (errs.count != 1 || !has_error(&errs, field)) {
    print_message("expected one error at %s, got:\n", field);
    print_errors(&errs);
  }
  assert_int_equal(rc, -EINVAL);
  assert_int_equal(errs.count, 1);
  assert_int_equal(errs.dropped, 0);
  assert_true(has_error(&errs, field));
  assert_true(errs.items[0].message[0] != '\0');
}

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

/* ------------------------------------------------------- validation rules */

static void test_missing_child(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.n.n_children = 0;
  f.n.children = NULL;
  f.n.n_relationships = 0;
  f.police.n_children_present_refs = 0;
  expect_one_error(&f, "notification.children");
}

static void test_duplicate_ref(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.adult0.ref = "c2";
  f.rel0.from_ref = "c2";
  expect_one_error(&f, "notification.adults[0].ref");
  mash_errors_t errs = {0};
  mash_codec_validate_notification(&f.n, NOW_MS, &errs);
  assert_non_null(strstr(errs.items[0].message, "notification.children[1]"));
}

static void test_person_needs_ref_and_name(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.child1.ref = "";
  f.police.n_children_present_refs = 1;
  f.n.n_relationships = 1;
  expect_one_error(&f, "notification.children[1].ref");

  fixture_init(&f);
  f.child1.given_name = "";
  f.child1.family_name = "";
  expect_one_error(&f, "notification.children[1]");
  /* An identifier stands in for a name. */
  f.child1.n_identifiers = 1;
  f.child1.identifiers = f.child0_ids;
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), 0);
}

static void test_bad_dates(void **state) {
  (void)state;
  static const char *const bad[] = {
      "2023-02-29", "1900-02-29", "2023-04-31", "2023-13-01",  "2023-00-10",
      "2023-01-00", "2023-1-01",  "20230101",   "2023-01-01x", "2023/01/01",
      "1899-12-31", "abcd-ef-gh", " 2023-01-0", "2023-01-32",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    fixture_t f;
    fixture_init(&f);
    f.child0.date_of_birth = (char *)bad[i];
    expect_one_error(&f, "notification.children[0].date_of_birth");
  }
  static const char *const good[] = {"2024-02-29", "2000-02-29", "2023-12-31", "1900-01-01", ""};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    fixture_t f;
    fixture_init(&f);
    f.child0.date_of_birth = (char *)good[i];
    mash_errors_t errs = {0};
    assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), 0);
  }
}

static void test_future_dob(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.child1.date_of_birth = "2024-06-02"; /* the day after NOW_MS */
  expect_one_error(&f, "notification.children[1].date_of_birth");
  mash_errors_t errs = {0};
  /* now_ms == 0 skips the future check. */
  assert_int_equal(mash_codec_validate_notification(&f.n, 0, &errs), 0);
  /* Born today is fine. */
  f.child1.date_of_birth = "2024-06-01";
  assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), 0);
  /* Through the envelope the wall clock is used: a date far ahead fails. */
  f.child1.date_of_birth = "9999-12-31";
  assert_int_equal(mash_codec_validate_envelope(&f.env, &errs), -EINVAL);
  assert_true(has_error(&errs, "notification.children[1].date_of_birth"));
}

static void test_unknown_refs(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.rel1.to_ref = "c9";
  expect_one_error(&f, "notification.relationships[1].to_ref");

  fixture_init(&f);
  f.rel0.from_ref = "";
  expect_one_error(&f, "notification.relationships[0].from_ref");

  fixture_init(&f);
  f.present[1] = "zz";
  expect_one_error(&f, "notification.police.children_present_refs[1]");

  /* Children present must be children, not adults. */
  fixture_init(&f);
  f.present[0] = "a1";
  expect_one_error(&f, "notification.police.children_present_refs[0]");
}

static void test_dash_counts(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.police.n_dash_answers = MASH_DASH_ITEMS - 1;
  expect_one_error(&f, "notification.police.dash_answers");

  /* No DASH at all is allowed (the broker flags it, the codec does not). */
  f.police.n_dash_answers = 0;
  f.police.dash_answers = NULL;
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), 0);

  /* 28 answers: refused without reading past the array. */
  Mash__V1__DashAnswer *many = test_calloc(MASH_DASH_ITEMS + 1, sizeof *many);
  f.police.n_dash_answers = MASH_DASH_ITEMS + 1;
  f.police.dash_answers = many;
  expect_one_error(&f, "notification.police.dash_answers");
  test_free(many);
}

static void test_dash_invalid_enum(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.dash[3] = (Mash__V1__DashAnswer)7;
  expect_one_error(&f, "notification.police.dash_answers[3]");
  fixture_init(&f);
  f.dash[26] = (Mash__V1__DashAnswer)-1;
  expect_one_error(&f, "notification.police.dash_answers[26]");

  /* An unknown value survives decoding (open enum) and is caught after. */
  fixture_init(&f);
  f.dash[0] = (Mash__V1__DashAnswer)9;
  size_t len = 0;
  uint8_t *frame = encode_fixture(&f, &len);
  mash_errors_t errs = {0};
  Mash__V1__Envelope *env = mash_codec_decode(frame, len, &errs);
  free(frame);
  assert_non_null(env);
  assert_int_equal(mash_codec_validate_envelope(env, &errs), -EINVAL);
  assert_true(has_error(&errs, "notification.police.dash_answers[0]"));
  mash_codec_free(env);
}

static void test_other_enums(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.police.officer_grade = (Mash__V1__RiskGrade)4;
  expect_one_error(&f, "notification.police.officer_grade");
  fixture_init(&f);
  f.n.concern_category = (Mash__V1__ConcernCategory)99;
  expect_one_error(&f, "notification.concern_category");
  fixture_init(&f);
  f.nhs.kind = MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_UNSPECIFIED;
  expect_one_error(&f, "notification.children[0].identifiers[0].kind");
  fixture_init(&f);
  f.adult0.sex = (Mash__V1__Sex)5;
  expect_one_error(&f, "notification.adults[0].sex");
}

static void test_overlong_text(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  char *name = make_string(MASH_MAX_SHORT_TEXT + 1, 'n');
  f.child0.given_name = name;
  expect_one_error(&f, "notification.children[0].given_name");
  /* Exactly at the bound is fine. */
  name[MASH_MAX_SHORT_TEXT] = '\0';
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), 0);
  test_free(name);

  fixture_init(&f);
  char *concern = make_string(MASH_MAX_LONG_TEXT + 1, 'c');
  f.n.concern = concern;
  expect_one_error(&f, "notification.concern");
  test_free(concern);

  fixture_init(&f);
  char *id = make_string(MASH_MAX_ID_LEN + 1, '7');
  f.nhs.value = id;
  expect_one_error(&f, "notification.children[0].identifiers[0].value");
  test_free(id);

  fixture_init(&f);
  f.nhs.value = "";
  expect_one_error(&f, "notification.children[0].identifiers[0].value");
}

static void test_invalid_utf8(void **state) {
  (void)state;
  static const char *const bad[] = {
      "\xc3\x28",         /* bad continuation */
      "Smith\xc3",        /* truncated sequence */
      "\xc0\xaf",         /* overlong '/' */
      "\xe0\x80\xaf",     /* overlong, three bytes */
      "\xed\xa0\x80",     /* surrogate U+D800 */
      "\xf4\x90\x80\x80", /* past U+10FFFF */
      "\x80",             /* stray continuation */
      "\xff",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    fixture_t f;
    fixture_init(&f);
    f.child1.family_name = (char *)bad[i];
    expect_one_error(&f, "notification.children[1].family_name");
  }
  static const char *const good[] = {"Zoë", "Ødegård", "李", "\xf0\x9f\x98\x80", "O'Brien-Smith"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    fixture_t f;
    fixture_init(&f);
    f.child1.family_name = (char *)good[i];
    mash_errors_t errs = {0};
    assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), 0);
  }
}

static void test_control_characters(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.child0.ref = "c\x01";
  f.n.n_relationships = 0;
  f.police.n_children_present_refs = 0;
  expect_one_error(&f, "notification.children[0].ref");

  fixture_init(&f);
  f.nhs.value = "943\n4765919";
  expect_one_error(&f, "notification.children[0].identifiers[0].value");

  fixture_init(&f);
  f.adult0.given_name = "Alex\x1b[31m";
  expect_one_error(&f, "notification.adults[0].given_name");

  fixture_init(&f);
  f.child0.role = "child\xc2\x85"; /* U+0085, a C1 control */
  expect_one_error(&f, "notification.children[0].role");

  /* The concern is multi-line text: tabs and newlines are fine, escapes not. */
  fixture_init(&f);
  f.n.concern = "line one\r\n\tline two";
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), 0);
  f.n.concern = "bell\a";
  expect_one_error(&f, "notification.concern");
}

static void test_too_many_people(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  Mash__V1__Person **many = test_calloc(MASH_MAX_PEOPLE + 1, sizeof *many);
  for (size_t i = 0; i <= MASH_MAX_PEOPLE; i++) {
    many[i] = &f.child1;
  }
  f.n.n_children = MASH_MAX_PEOPLE + 1;
  f.n.children = many;
  /* Refs of a skipped list are unknown, so refs are not checked either. */
  expect_one_error(&f, "notification.children");
  test_free(many);

  fixture_init(&f);
  f.addr.n_lines = MASH_MAX_ADDRESS_LINES + 1;
  char *lines[MASH_MAX_ADDRESS_LINES + 1];
  for (size_t i = 0; i <= MASH_MAX_ADDRESS_LINES; i++) {
    lines[i] = "line";
  }
  f.addr.lines = lines;
  expect_one_error(&f, "notification.children[0].address.lines");

  fixture_init(&f);
  f.child0.n_identifiers = MASH_MAX_IDENTIFIERS + 1;
  expect_one_error(&f, "notification.children[0].identifiers");

  fixture_init(&f);
  f.n.n_relationships = MASH_MAX_RELATIONSHIPS + 1;
  expect_one_error(&f, "notification.relationships");
}

static void test_null_parts(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.children[1] = NULL;
  f.police.n_children_present_refs = 1;
  f.n.n_relationships = 1;
  expect_one_error(&f, "notification.children[1]");

  fixture_init(&f);
  f.n.police = NULL;
  expect_one_error(&f, "notification.police");

  fixture_init(&f);
  f.child0.given_name = NULL; /* treated as empty, family name remains */
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), 0);
  assert_int_equal(mash_codec_validate_notification(NULL, NOW_MS, &errs), -EINVAL);
  assert_true(has_error(&errs, "notification"));
  /* Without an error list the result code still tells. */
  f.n.n_children = 0;
  assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, NULL), -EINVAL);
}

static void test_other_details(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  Mash__V1__EducationDetail edu;
  mash__v1__education_detail__init(&edu);
  edu.kind = MASH__V1__EDUCATION_EVENT_KIND__EDUCATION_EVENT_KIND_ATTENDANCE_DROP;
  edu.school = "Example Primary";
  edu.attendance_percent = 71;
  f.n.detail_case = MASH__V1__NOTIFICATION__DETAIL_EDUCATION;
  f.n.education = &edu;
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_notification(&f.n, NOW_MS, &errs), 0);
  edu.attendance_percent = 101;
  expect_one_error(&f, "notification.education.attendance_percent");

  Mash__V1__HealthDetail health;
  mash__v1__health_detail__init(&health);
  health.kind = (Mash__V1__HealthEventKind)3;
  f.n.detail_case = MASH__V1__NOTIFICATION__DETAIL_HEALTH;
  f.n.health = &health;
  expect_one_error(&f, "notification.health.kind");

  Mash__V1__HousingDetail housing;
  mash__v1__housing_detail__init(&housing);
  housing.kind = MASH__V1__HOUSING_EVENT_KIND__HOUSING_EVENT_KIND_EVICTION;
  housing.tenancy_reference = "T\x7f";
  f.n.detail_case = MASH__V1__NOTIFICATION__DETAIL_HOUSING;
  f.n.housing = &housing;
  expect_one_error(&f, "notification.housing.tenancy_reference");
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

/* ------------------------------------------------------------------ uuid */

static int is_hex_lower(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int cmp_uuid(const void *a, const void *b) {
  return strcmp((const char *)a, (const char *)b);
}

static void test_uuid(void **state) {
  (void)state;
  enum { N = 2000 };
  char(*ids)[MASH_UUID_LEN + 1] = test_malloc(N * sizeof *ids);
  for (size_t i = 0; i < N; i++) {
    assert_int_equal(mash_uuid_new(ids[i]), 0);
    const char *u = ids[i];
    assert_int_equal(strlen(u), MASH_UUID_LEN);
    for (size_t j = 0; j < MASH_UUID_LEN; j++) {
      if (j == 8 || j == 13 || j == 18 || j == 23) {
        assert_int_equal(u[j], '-');
      } else {
        assert_true(is_hex_lower(u[j]));
      }
    }
    assert_int_equal(u[14], '4');
    assert_non_null(strchr("89ab", u[19]));
  }
  qsort(ids, N, sizeof *ids, cmp_uuid);
  for (size_t i = 1; i < N; i++) {
    assert_string_not_equal(ids[i - 1], ids[i]);
  }
  /* A UUID is a valid message id. */
  fixture_t f;
  fixture_init(&f);
  f.env.message_id = ids[0];
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_envelope(&f.env, &errs), 0);
  test_free(ids);
}

/* ----------------------------------------------------------------- clock */

static void test_clock_format(void **state) {
  (void)state;
  char buf[32];
  mash_clock_format(0, buf, sizeof buf);
  assert_string_equal(buf, "1970-01-01T00:00:00Z");
  mash_clock_format(1700000000999LL, buf, sizeof buf);
  assert_string_equal(buf, "2023-11-14T22:13:20Z");
  mash_clock_format(-1, buf, sizeof buf);
  assert_string_equal(buf, "1969-12-31T23:59:59Z");
  mash_clock_format(951782400000LL, buf, sizeof buf);
  assert_string_equal(buf, "2000-02-29T00:00:00Z");
  /* Exactly 21 bytes is enough; fewer truncates and stays terminated. */
  char exact[21];
  mash_clock_format(NOW_MS, exact, sizeof exact);
  assert_string_equal(exact, "2024-06-01T12:00:00Z");
  char small[5];
  mash_clock_format(NOW_MS, small, sizeof small);
  assert_string_equal(small, "2024");
}

static void test_clock_parse(void **state) {
  (void)state;
  int64_t ms = 0;
  assert_int_equal(mash_clock_parse("2023-11-14T22:13:20Z", &ms), 0);
  assert_int_equal(ms, 1700000000000LL);
  assert_int_equal(mash_clock_parse("2023-11-14T22:13:20.123Z", &ms), 0);
  assert_int_equal(ms, 1700000000123LL);
  assert_int_equal(mash_clock_parse("2023-11-14T22:13:20.5Z", &ms), 0);
  assert_int_equal(ms, 1700000000500LL);
  assert_int_equal(mash_clock_parse("2023-11-14T22:13:20.123456Z", &ms), 0);
  assert_int_equal(ms, 1700000000123LL);
  assert_int_equal(mash_clock_parse("2023-11-14T23:13:20+01:00", &ms), 0);
  assert_int_equal(ms, 1700000000000LL);
  assert_int_equal(mash_clock_parse("2023-11-14T16:43:20.250-05:30", &ms), 0);
  assert_int_equal(ms, 1700000000250LL);
  assert_int_equal(mash_clock_parse("1969-12-31T23:59:59Z", &ms), 0);
  assert_int_equal(ms, -1000);
  assert_int_equal(mash_clock_parse("2024-02-29T00:00:00Z", &ms), 0);
  assert_int_equal(ms, 1709164800000LL);
}

static void test_clock_round_trip(void **state) {
  (void)state;
  int64_t now = mash_clock_now_ms();
  assert_true(now > 1577836800000LL); /* after 2020-01-01 */
  const int64_t samples[] = {0,
                             86399000,
                             951782400000LL,
                             NOW_MS,
                             (now / 1000) * 1000,
                             253402300799000LL /* 9999-12-31T23:59:59Z */};
  for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
    char buf[32];
    int64_t back = -1;
    mash_clock_format(samples[i], buf, sizeof buf);
    assert_int_equal(mash_clock_parse(buf, &back), 0);
    assert_int_equal(back, samples[i]);
  }
}

static void test_clock_rejects(void **state) {
  (void)state;
  static const char *const bad[] = {
      "",
      "garbage",
      "2023-11-14",
      "2023-11-14T22:13:20",
      "2023-11-14 22:13:20Z",
      "2023-11-14t22:13:20Z",
      "2023-02-29T00:00:00Z",
      "2023-13-01T00:00:00Z",
      "2023-11-31T00:00:00Z",
      "2023-11-14T24:00:00Z",
      "2023-11-14T22:60:00Z",
      "2023-11-14T22:13:61Z",
      "2023-11-14T22:13:20ZZ",
      "2023-11-14T22:13:20Z ",
      " 2023-11-14T22:13:20Z",
      "2023-11-14T22:13:20.Z",
      "2023-11-14T22:13:20.1234567891Z",
      "2023-11-14T22:13:20+1:00",
      "2023-11-14T22:13:20+01",
      "2023-11-14T22:13:20+0100",
      "2023-11-14T22:13:20+24:00",
      "2023-11-14T22:13:20+01:60",
      "+2023-11-14T22:13:20Z",
      "23-11-14T22:13:20Z",
      "2023-1-14T22:13:20Z",
      "2023-11-14T22:13:2Z",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int64_t ms = 12345;
    if (mash_clock_parse(bad[i], &ms) != -EINVAL) {
      print_message("accepted: \"%s\"\n", bad[i]);
    }
    assert_int_equal(mash_clock_parse(bad[i], &ms), -EINVAL);
    assert_int_equal(ms, 12345); /* untouched on failure */
  }
  int64_t ms = 0;
  assert_int_equal(mash_clock_parse(NULL, &ms), -EINVAL);
  assert_int_equal(mash_clock_parse("2023-11-14T22:13:20Z", NULL), -EINVAL);
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
      cmocka_unit_test(test_missing_child),
      cmocka_unit_test(test_duplicate_ref),
      cmocka_unit_test(test_person_needs_ref_and_name),
      cmocka_unit_test(test_bad_dates),
      cmocka_unit_test(test_future_dob),
      cmocka_unit_test(test_decode_field_zero),
      cmocka_unit_test(test_unknown_refs),
      cmocka_unit_test(test_dash_counts),
      cmocka_unit_test(test_dash_invalid_enum),
      cmocka_unit_test(test_other_enums),
      cmocka_unit_test(test_overlong_text),
      cmocka_unit_test(test_invalid_utf8),
      cmocka_unit_test(test_control_characters),
      cmocka_unit_test(test_too_many_people),
      cmocka_unit_test(test_null_parts),
      cmocka_unit_test(test_other_details),
      cmocka_unit_test(test_bad_message_id),
      cmocka_unit_test(test_schema_and_body),
      cmocka_unit_test(test_receipt_bounds),
      cmocka_unit_test(test_heartbeat_and_error),
      cmocka_unit_test(test_contact),
      cmocka_unit_test(test_error_overflow),
      cmocka_unit_test(test_errors_add_truncates),
      cmocka_unit_test(test_uuid),
      cmocka_unit_test(test_clock_format),
      cmocka_unit_test(test_clock_parse),
      cmocka_unit_test(test_clock_round_trip),
      cmocka_unit_test(test_clock_rejects),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
