/* fuzz_agency_json: an agency's JSON notification (agents/agency: health,
 * education, housing, any configured agency) on arbitrary text.
 *
 * The first byte of an input chooses the agency (one with a detail of its
 * own, one without, police and a name the codec refuses); the rest is the
 * document, as mash-NAME reads it from its spool. Properties checked besides
 * the sanitizers: a refused document has at least one field error, errors are
 * NUL-terminated, and an accepted one encodes in an envelope after the
 * codec's validation has run over it.
 * Must not: keep state between inputs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agency_json.h"
#include "codec.h"
#include "fuzz_util.h"

static const char *const s_agencies[] = {
    "health",          "education", "housing",       "probation",
    "youth-offending", "police",    "Not An Agency", ""};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) {
    return 0;
  }
  const char *agency = s_agencies[data[0] % (sizeof s_agencies / sizeof s_agencies[0])];
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  Mash__V1__Notification *n = agency_json_parse(agency, (const char *)data + 1, size - 1, &errs);
  for (size_t i = 0; i < errs.count; i++) {
    fuzz_check(memchr(errs.items[i].field, '\0', sizeof errs.items[i].field) != NULL &&
                   memchr(errs.items[i].message, '\0', sizeof errs.items[i].message) != NULL,
               "field errors are NUL-terminated");
  }
  if (!n) {
    fuzz_check(errs.count > 0, "a refused document has a field error");
    /* The same input without a place for errors takes the same paths. */
    fuzz_check(agency_json_parse(agency, (const char *)data + 1, size - 1, NULL) == NULL,
               "the verdict does not depend on errs");
    return 0;
  }
  fuzz_check(strcmp(agency, "police") != 0, "police documents are refused here");
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  mash_envelope_init(&env, "fuzz-message-1", 1796083200000LL);
  env.body_case = MASH__V1__ENVELOPE__BODY_NOTIFICATION;
  env.notification = n;
  mash_errors_t verrs;
  memset(&verrs, 0, sizeof verrs);
  (void)mash_codec_validate_envelope(&env, &verrs);
  uint8_t *frame = NULL;
  size_t len = 0;
  int rc = mash_codec_encode(&env, &frame, &len);
  fuzz_check(rc == 0 || rc == -EMSGSIZE, "an accepted notification encodes");
  free(frame);
  agency_json_free(n);
  return 0;
}
