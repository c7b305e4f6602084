/* fuzz_envelope: the envelope codec and validator (proto/) on arbitrary frames.
 *
 * Each input is one frame as the broker or an agent receives it. It is
 * decoded, validated (a notification also with its date checks), encoded
 * again and decoded again; and it is treated as a contact's stored bytes on
 * the broker's delivery path. Properties checked besides the sanitizers:
 * - decode refuses with exactly one error, or returns an envelope;
 * - validation refuses with at least one error, and accepts with none;
 * - what was decoded encodes; what that decodes to encodes to the same bytes
 *   and gets the same verdict from the validator (an envelope of defaults
 *   encodes to nothing, and must be invalid);
 * - a delivery built around bytes that are a valid Contact (one that packs
 *   into bytes protobuf-c reads back) decodes, and its contact carries the
 *   id the broker appended;
 * - the NUL-byte walk reads every decoded frame to its end, and refuses
 *   exactly when it reports; the message id peeked is safe or empty.
 * Must not: keep state between inputs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "fuzz_util.h"

#define S_NOW_MS 1796083200000LL /* 2026-12-01T00:00:00Z */

static int s_validate(const Mash__V1__Envelope *env) {
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  int rc = mash_codec_validate_envelope(env, &errs);
  fuzz_check(rc == 0 || rc == -EINVAL, "validate returns 0 or -EINVAL");
  fuzz_check((rc == 0) == (errs.count == 0 && errs.dropped == 0),
             "validate refuses exactly when it reports an error");
  for (size_t i = 0; i < errs.count; i++) {
    /* The broker logs and answers with these: they must be terminated. */
    fuzz_check(memchr(errs.items[i].field, '\0', sizeof errs.items[i].field) != NULL &&
                   memchr(errs.items[i].message, '\0', sizeof errs.items[i].message) != NULL,
               "field errors are NUL-terminated");
  }
  if (env->body_case == MASH__V1__ENVELOPE__BODY_NOTIFICATION) {
    mash_errors_t nerrs;
    memset(&nerrs, 0, sizeof nerrs);
    int nrc = mash_codec_validate_notification(env->notification, S_NOW_MS, &nerrs);
    fuzz_check(nrc == 0 || nrc == -EINVAL, "validate_notification returns 0 or -EINVAL");
  }
  return rc;
}

static void s_round_trip(const Mash__V1__Envelope *env, int verdict) {
  uint8_t *once = NULL, *twice = NULL;
  size_t once_len = 0, twice_len = 0;
  int rc = mash_codec_encode(env, &once, &once_len);
  /* Unknown fields are kept, so re-encoding may exceed a frame only when the
   * input nearly filled one. */
  fuzz_check(rc == 0 || rc == -EMSGSIZE, "encode of a decoded envelope succeeds");
  if (rc != 0) {
    return;
  }
  if (once_len == 0) {
    /* Every field at its default (strings cut at an embedded NUL read as
     * empty): an empty frame, which decode refuses; the validator must
     * have refused it too, for want of a message id. */
    fuzz_check(verdict != 0, "an envelope of defaults is invalid");
    free(once);
    return;
  }
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  Mash__V1__Envelope *again = mash_codec_decode(once, once_len, &errs);
  fuzz_check(again != NULL, "what encode wrote decodes");
  fuzz_check((s_validate(again) == 0) == (verdict == 0), "validation survives a round trip");
  fuzz_check(mash_codec_encode(again, &twice, &twice_len) == 0, "a re-decoded envelope encodes");
  fuzz_check(twice_len == once_len && memcmp(once, twice, once_len) == 0,
             "encoding is stable over a round trip");
  mash_codec_free(again);
  free(once);
  free(twice);
}

/* Whether a contact protobuf-c read packs into bytes it reads back: the
 * broker only ever stores such contacts (it packs them from a notification
 * mash_codec_decode accepted, which refuses what does not read back). */
static int s_contact_clean(const Mash__V1__Contact *c) {
  size_t len = mash__v1__contact__get_packed_size(c);
  uint8_t *buf = malloc(len ? len : 1);
  fuzz_check(buf != NULL, "memory");
  mash__v1__contact__pack(c, buf);
  Mash__V1__Contact *again = mash__v1__contact__unpack(NULL, len, buf);
  free(buf);
  if (!again) {
    return 0;
  }
  mash__v1__contact__free_unpacked(again, NULL);
  return 1;
}

static void s_delivery(const uint8_t *data, size_t size) {
  uint8_t *frame = NULL;
  size_t len = 0;
  int rc = mash_codec_encode_contact_delivery("fuzz-message-1", S_NOW_MS, data, size, "MASH-000042",
                                              &frame, &len);
  fuzz_check(rc == 0 || rc == -EMSGSIZE, "a delivery is built or refused as too large");
  if (rc != 0) {
    return;
  }
  fuzz_check(len <= MASH_MAX_FRAME, "a delivery fits in a frame");
  Mash__V1__Contact *c = mash__v1__contact__unpack(NULL, size, data);
  if (c && !s_contact_clean(c)) {
    mash__v1__contact__free_unpacked(c, NULL);
    c = NULL;
  }
  if (c) {
    mash_errors_t errs;
    memset(&errs, 0, sizeof errs);
    Mash__V1__Envelope *env = mash_codec_decode(frame, len, &errs);
    fuzz_check(env != NULL && env->body_case == MASH__V1__ENVELOPE__BODY_CONTACT,
               "a delivery of a valid contact decodes as a contact");
    fuzz_check(strcmp(env->contact->contact_id, "MASH-000042") == 0,
               "the delivered contact carries the appended id");
    mash_codec_free(env);
    mash__v1__contact__free_unpacked(c, NULL);
  }
  free(frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  Mash__V1__Envelope *env = mash_codec_decode(data, size, &errs);
  /* The message id a refusal echoes: safe characters only, or nothing. */
  char peek[MASH_MAX_ID_LEN + 1];
  int prc = mash_codec_peek_message_id(data, size, peek, sizeof peek);
  fuzz_check((prc == 0) == (peek[0] != '\0'), "peek returns an id exactly when it finds one");
  if (!env) {
    fuzz_check(errs.count == 1, "decode refuses with one error");
  } else {
    fuzz_check(errs.count == 0, "decode reports no error when it succeeds");
    /* A decoded frame is well formed: the NUL walk reads it to the end. */
    mash_errors_t nul;
    memset(&nul, 0, sizeof nul);
    int nrc = mash_codec_check_strings(data, size, &nul);
    fuzz_check(nrc == 0 || nrc == -EINVAL, "check_strings returns 0 or -EINVAL");
    fuzz_check((nrc == 0) == (nul.count == 0 && nul.dropped == 0),
               "check_strings refuses exactly when it reports");
    for (size_t i = 0; i < nul.count; i++) {
      fuzz_check(strcmp(nul.items[i].field, "frame") != 0,
                 "a frame protobuf-c decoded is walked to its end");
    }
    int verdict = s_validate(env);
    s_round_trip(env, verdict);
    mash_codec_free(env);
  }
  if (size <= MASH_MAX_FRAME) {
    s_delivery(data, size);
  }
  return 0;
}
