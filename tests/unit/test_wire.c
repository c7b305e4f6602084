/* test_wire: the checks made on a frame's bytes (proto/wire.c), envelopes
 * cut into parts (mash_codec_encode_parts) and their reassembly by the
 * agent runtime (agents/runtime/parts.c), the adapter rejection's bounds and
 * the room a contact keeps for its person links.
 *
 * Strings with an embedded NUL byte are cut by protobuf-c on decode: these
 * tests build such frames by writing a 0 into an encoded string, and check
 * the refusal names the field; sizes are checked just under, at and just
 * over each limit.
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

#include "codec.h"
#include "codec_fixtures.h"
#include "parts.h"

/* Encode f, then replace the first occurrence of `marker` + 1 in the frame
 * (a byte inside a string) with a NUL. */
static uint8_t *encode_with_nul(const Mash__V1__Envelope *env, const char *marker, size_t *len) {
  uint8_t *buf = NULL;
  assert_int_equal(mash_codec_encode(env, &buf, len), 0);
  size_t mlen = strlen(marker);
  for (size_t i = 0; i + mlen <= *len; i++) {
    if (memcmp(buf + i, marker, mlen) == 0) {
      buf[i + 1] = 0;
      return buf;
    }
  }
  fail_msg("marker %s not in the frame", marker);
  return NULL;
}

static void test_nul_in_string_is_refused(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.child0.family_name = "SxNULMARK";
  size_t len = 0;
  uint8_t *buf = encode_with_nul(&f.env, "xNULMARK", &len);
  mash_errors_t errs = {0};
  Mash__V1__Envelope *env = mash_codec_decode(buf, len, &errs);
  assert_non_null(env);
  /* protobuf-c cut the name at the NUL, and the validator cannot tell. */
  assert_string_equal(env->notification->children[0]->family_name, "Sx");
  assert_int_equal(mash_codec_validate_envelope(env, &errs), 0);
  assert_int_equal(mash_codec_check_strings(buf, len, &errs), -EINVAL);
  assert_int_equal(errs.count, 1);
  assert_string_equal(errs.items[0].field, "notification.children[0].family_name");
  assert_non_null(strstr(errs.items[0].message, "NUL"));
  assert_non_null(strstr(errs.items[0].message, "offset 2"));
  mash_codec_free(env);
  free(buf);
}

static void test_nul_in_repeated_and_nested(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.present[1] = "c2NULA";     /* a repeated string: police.children_present_refs[1] */
  f.addr_lines[1] = "FlNULB";  /* a repeated string three messages deep */
  f.env.message_id = "idNULC"; /* the envelope's own field */
  size_t len = 0;
  uint8_t *buf = encode_with_nul(&f.env, "NULA", &len);
  for (size_t i = 0; i + 4 <= len; i++) {
    if (memcmp(buf + i, "NULB", 4) == 0 || memcmp(buf + i, "NULC", 4) == 0) {
      buf[i + 1] = 0;
    }
  }
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_check_strings(buf, len, &errs), -EINVAL);
  print_errors(&errs);
  assert_int_equal(errs.count, 3);
  assert_true(has_error(&errs, "message_id"));
  assert_true(has_error(&errs, "notification.police.children_present_refs[1]"));
  assert_true(has_error(&errs, "notification.children[0].address.lines[1]"));
  free(buf);
}

static void test_clean_frames_pass(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  uint8_t *buf = NULL;
  size_t len = 0;
  assert_int_equal(mash_codec_encode(&f.env, &buf, &len), 0);
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_check_strings(buf, len, &errs), 0);
  assert_int_equal(errs.count, 0);
  /* Bytes that are not an envelope are refused, never read past. */
  assert_int_equal(mash_codec_check_strings(buf, len / 2, &errs), -EINVAL);
  assert_int_equal(mash_codec_check_strings(NULL, 0, &errs), 0);
  free(buf);
}

static void test_peek_message_id(void **state) {
  (void)state;
  fixture_t f;
  fixture_init(&f);
  f.env.schema_version = 7; /* a wrong version still names its message */
  uint8_t *buf = NULL;
  size_t len = 0;
  assert_int_equal(mash_codec_encode(&f.env, &buf, &len), 0);
  char id[MASH_MAX_ID_LEN + 1];
  assert_int_equal(mash_codec_peek_message_id(buf, len, id, sizeof id), 0);
  assert_string_equal(id, f.env.message_id);
  /* A frame cut after its id still names it; garbage and nothing do not. */
  assert_int_equal(mash_codec_peek_message_id(buf, 2 + strlen(f.env.message_id), id, sizeof id), 0);
  assert_string_equal(id, f.env.message_id);
  const uint8_t garbage[] = {0xFF, 0xFF, 0xFF, 0x01, 0x02};
  assert_int_equal(mash_codec_peek_message_id(garbage, sizeof garbage, id, sizeof id), -ENOENT);
  assert_string_equal(id, "");
  assert_int_equal(mash_codec_peek_message_id(NULL, 0, id, sizeof id), -ENOENT);
  /* An id of unsafe characters is not echoed. */
  const uint8_t unsafe[] = {0x0A, 0x03, 'a', ' ', 'b'};
  assert_int_equal(mash_codec_peek_message_id(unsafe, sizeof unsafe, id, sizeof id), -ENOENT);
  free(buf);
}

/* An Error envelope of exactly `size` bytes (the message pads it). */
static void error_of_size(Mash__V1__Envelope *env, Mash__V1__Error *e, char **text, size_t size) {
  mash__v1__envelope__init(env);
  mash__v1__error__init(e);
  mash_envelope_init(env, "0f6b1c1e-0000-4000-8000-00000000abcd", NOW_MS);
  env->body_case = MASH__V1__ENVELOPE__BODY_ERROR;
  env->error = e;
  e->code = MASH__V1__ERROR_CODE__ERROR_CODE_MALFORMED;
  size_t n = size;
  for (int i = 0; i < 8; i++) {
    if (*text) {
      test_free(*text);
    }
    *text = make_string(n, 'e');
    e->message = *text;
    size_t got = mash__v1__envelope__get_packed_size(env);
    if (got == size) {
      return;
    }
    n = n + size - got;
  }
  fail_msg("cannot make an envelope of %zu bytes", size);
}

static void test_parts_boundaries(void **state) {
  (void)state;
  const size_t sizes[] = {MASH_MAX_FRAME - 1, MASH_MAX_FRAME,         MASH_MAX_FRAME + 1,
                          3 * MASH_PART_DATA, 3 * MASH_PART_DATA + 1, MASH_MAX_WHOLE};
  const size_t expect[] = {1, 1, 2, 3, 4, MASH_MAX_PARTS};
  for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++) {
    Mash__V1__Envelope env;
    Mash__V1__Error e;
    char *text = NULL;
    error_of_size(&env, &e, &text, sizes[t]);
    uint8_t **parts = NULL, *whole = malloc(sizes[t]);
    size_t *lens = NULL, n = 0;
    assert_int_equal(mash_codec_encode_parts(&env, &parts, &lens, &n), 0);
    assert_int_equal(n, expect[t]);
    assert_int_equal(mash__v1__envelope__pack(&env, whole), sizes[t]);
    if (n == 1) {
      assert_int_equal(lens[0], sizes[t]);
      assert_memory_equal(parts[0], whole, sizes[t]);
    }
    agent_parts_t *p = agent_parts_new();
    agent_whole_t *w = NULL;
    /* Out of order, each part twice: the whole comes once, complete. */
    for (size_t k = 0; k < 2 * n && n > 1; k++) {
      size_t i = (k * 7 + 3) % n;
      assert_true(lens[i] <= MASH_MAX_FRAME);
      mash_errors_t errs = {0};
      Mash__V1__Envelope *pe = mash_codec_decode(parts[i], lens[i], &errs);
      assert_non_null(pe);
      assert_int_equal(mash_codec_validate_envelope(pe, &errs), 0);
      assert_int_equal(pe->body_case, MASH__V1__ENVELOPE__BODY_PART);
      assert_int_equal(pe->part->index, i);
      agent_whole_t *got = agent_parts_add(p, pe->message_id, pe->part, NOW_MS);
      if (got) {
        assert_null(w);
        w = got;
      }
      mash_codec_free(pe);
      if (w) {
        break;
      }
    }
    if (n > 1) {
      assert_non_null(w);
      assert_int_equal(w->total, sizes[t]);
      assert_memory_equal(w->data, whole, sizes[t]);
      char want[MASH_MAX_ID_LEN + 1];
      snprintf(want, sizeof want, "%s.%zu", env.message_id, n - 1);
      assert_string_equal(w->part_ids[n - 1], want);
      mash_errors_t errs = {0};
      Mash__V1__Envelope *back = mash_codec_decode_whole(w->data, w->total, &errs);
      assert_non_null(back);
      assert_string_equal(back->error->message, text);
      mash_codec_free(back);
      agent_parts_done(p, w);
    }
    assert_int_equal(agent_parts_pending(p), 0);
    agent_parts_destroy(&p);
    assert_null(p);
    mash_codec_parts_free(parts, lens, n);
    free(whole);
    test_free(text);
  }
  /* One byte more than a whole may be is refused. */
  Mash__V1__Envelope env;
  Mash__V1__Error e;
  char *text = NULL;
  error_of_size(&env, &e, &text, MASH_MAX_WHOLE + 1);
  uint8_t **parts = NULL;
  size_t *lens = NULL, n = 0;
  assert_int_equal(mash_codec_encode_parts(&env, &parts, &lens, &n), -EMSGSIZE);
  assert_null(parts);
  test_free(text);
}

static void test_parts_disagree_and_evict(void **state) {
  (void)state;
  agent_parts_t *p = agent_parts_new();
  uint8_t data[MASH_PART_DATA];
  memset(data, 'd', sizeof data);
  Mash__V1__Part part = MASH__V1__PART__INIT;
  part.whole_id = "w0";
  part.count = 2;
  part.total_bytes = MASH_PART_DATA + 10;
  part.data.data = data;
  part.data.len = MASH_PART_DATA;
  assert_null(agent_parts_add(p, "w0.0", &part, 1));
  /* A part of another size for the same whole: it starts again. */
  part.total_bytes = MASH_PART_DATA + 11;
  part.index = 1;
  part.offset = MASH_PART_DATA;
  part.data.len = 11;
  assert_null(agent_parts_add(p, "w0.1", &part, 2));
  assert_int_equal(agent_parts_pending(p), 1);
  /* More wholes than room: the oldest goes. */
  char ids[AGENT_PARTS_WHOLES + 1][8];
  for (int i = 0; i <= AGENT_PARTS_WHOLES; i++) {
    snprintf(ids[i], sizeof ids[i], "n%d", i);
    part.whole_id = ids[i];
    assert_null(agent_parts_add(p, "x.1", &part, 10 + i));
  }
  assert_int_equal(agent_parts_pending(p), AGENT_PARTS_WHOLES);
  /* w0 was the oldest: its second part alone completes nothing. */
  part.whole_id = "w0";
  assert_null(agent_parts_add(p, "w0.1", &part, 20));
  agent_parts_destroy(&p);
}

static void test_part_validation(void **state) {
  (void)state;
  uint8_t data[2048] = {0};
  Mash__V1__Part part = MASH__V1__PART__INIT;
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  mash_envelope_init(&env, "w.0", NOW_MS);
  env.body_case = MASH__V1__ENVELOPE__BODY_PART;
  env.part = &part;
  part.whole_id = "w";
  part.index = 0;
  part.count = 2;
  part.total_bytes = MASH_MAX_FRAME + 16; /* the last part holds 1040 bytes */
  part.data.data = data;
  part.data.len = 16; /* a first part must be full */
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), -EINVAL);
  assert_true(has_error(&errs, "part.data"));
  part.index = 1;
  part.offset = MASH_PART_DATA;
  part.data.len = 1040;
  memset(&errs, 0, sizeof errs);
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), 0);
  part.data.len = 1039; /* a last part must end the whole */
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), -EINVAL);
  part.data.len = 1040;
  part.count = MASH_MAX_PARTS + 1;
  memset(&errs, 0, sizeof errs);
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), -EINVAL);
  assert_true(has_error(&errs, "part.count"));
  part.count = 2;
  part.total_bytes = MASH_MAX_FRAME; /* fits one frame: never sent in parts */
  memset(&errs, 0, sizeof errs);
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), -EINVAL);
  assert_true(has_error(&errs, "part.total_bytes"));
}

static void test_adapter_rejection_bounds(void **state) {
  (void)state;
  Mash__V1__AdapterRejection a = MASH__V1__ADAPTER_REJECTION__INIT;
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  mash_envelope_init(&env, "r1", NOW_MS);
  env.body_case = MASH__V1__ENVELOPE__BODY_ADAPTER_REJECTION;
  env.adapter_rejection = &a;
  char *fields[MASH_MAX_REJECTION_FIELDS + 1];
  for (size_t i = 0; i <= MASH_MAX_REJECTION_FIELDS; i++) {
    fields[i] = "children[0].dob";
  }
  a.reference = "incident-17.json";
  a.reason = "invalid";
  a.rejected_at_ms = NOW_MS;
  a.fields = fields;
  a.n_fields = MASH_MAX_REJECTION_FIELDS;
  mash_errors_t errs = {0};
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), 0);
  a.n_fields = MASH_MAX_REJECTION_FIELDS + 1;
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), -EINVAL);
  assert_true(has_error(&errs, "adapter_rejection.fields"));
  /* A value where a field path belongs, or a name with spaces, is refused. */
  a.n_fields = 1;
  fields[0] = "Jane Smith";
  a.reference = "a file.json";
  memset(&errs, 0, sizeof errs);
  assert_int_equal(mash_codec_validate_envelope(&env, &errs), -EINVAL);
  assert_true(has_error(&errs, "adapter_rejection.fields[0]"));
  assert_true(has_error(&errs, "adapter_rejection.reference"));
}

/* The worst case of what a contact gains after intake: the largest contact
 * intake accepts, 64 person links with every field at its longest, and the
 * longest id, still make one delivery frame. */
static void test_contact_reserve(void **state) {
  (void)state;
  Mash__V1__Contact c = MASH__V1__CONTACT__INIT;
  Mash__V1__Notification n = MASH__V1__NOTIFICATION__INIT;
  c.notification = &n;
  c.source_principal = "police";
  char *concern = NULL;
  size_t want = MASH_MAX_INTAKE_CONTACT, len = want;
  for (int i = 0; i < 8; i++) {
    if (concern) {
      test_free(concern);
    }
    concern = make_string(len, 'c');
    n.concern = concern;
    size_t got = mash__v1__contact__get_packed_size(&c);
    if (got == want) {
      break;
    }
    len = len + want - got;
  }
  assert_int_equal(mash__v1__contact__get_packed_size(&c), want);
  char *id = make_string(MASH_MAX_ID_LEN, 'i');
  char *why = make_string(MASH_MAX_SHORT_TEXT, 'w');
  Mash__V1__PersonLink links[64], *linkp[64];
  for (int i = 0; i < 64; i++) {
    mash__v1__person_link__init(&links[i]);
    links[i].ref = links[i].person_id = links[i].decision = id;
    links[i].candidate_person_id = links[i].match_id = id;
    links[i].why = why;
    links[i].confidence_permille = 1000;
    linkp[i] = &links[i];
  }
  c.n_persons = 64;
  c.persons = linkp;
  size_t clen = mash__v1__contact__get_packed_size(&c);
  uint8_t *bytes = malloc(clen);
  mash__v1__contact__pack(&c, bytes);
  uint8_t *out = NULL;
  size_t out_len = 0;
  assert_int_equal(mash_codec_encode_contact_delivery(id, NOW_MS, bytes, clen, id, &out, &out_len),
                   0);
  assert_true(out_len <= MASH_MAX_FRAME);
  free(out);
  free(bytes);
  test_free(id);
  test_free(why);
  test_free(concern);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_nul_in_string_is_refused),
      cmocka_unit_test(test_nul_in_repeated_and_nested),
      cmocka_unit_test(test_clean_frames_pass),
      cmocka_unit_test(test_peek_message_id),
      cmocka_unit_test(test_parts_boundaries),
      cmocka_unit_test(test_parts_disagree_and_evict),
      cmocka_unit_test(test_part_validation),
      cmocka_unit_test(test_adapter_rejection_bounds),
      cmocka_unit_test(test_contact_reserve),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
