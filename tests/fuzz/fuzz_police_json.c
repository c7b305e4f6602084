/* fuzz_police_json: a police system's JSON notification (agents/police) on
 * arbitrary text, as mash-police reads it from a spool file.
 *
 * Properties checked besides the sanitizers: a refused document comes with at
 * least one field error, every error is NUL-terminated, and an accepted one
 * goes into an envelope that the codec validates (with or without errors) and
 * encodes, as the agent runtime does before it stores the message.
 * Must not: keep state between inputs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "fuzz_util.h"
#include "police_json.h"

static void s_check_errors(const mash_errors_t *errs) {
  for (size_t i = 0; i < errs->count; i++) {
    fuzz_check(memchr(errs->items[i].field, '\0', sizeof errs->items[i].field) != NULL &&
                   memchr(errs->items[i].message, '\0', sizeof errs->items[i].message) != NULL,
               "field errors are NUL-terminated");
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  Mash__V1__Notification *n = police_json_parse((const char *)data, size, &errs);
  s_check_errors(&errs);
  if (!n) {
    fuzz_check(errs.count > 0, "a refused document has a field error");
    return 0;
  }
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  mash_envelope_init(&env, "fuzz-message-1", 1796083200000LL);
  env.body_case = MASH__V1__ENVELOPE__BODY_NOTIFICATION;
  env.notification = n;
  mash_errors_t verrs;
  memset(&verrs, 0, sizeof verrs);
  (void)mash_codec_validate_envelope(&env, &verrs);
  s_check_errors(&verrs);
  uint8_t *frame = NULL;
  size_t len = 0;
  int rc = mash_codec_encode(&env, &frame, &len);
  fuzz_check(rc == 0 || rc == -EMSGSIZE, "an accepted notification encodes");
  free(frame);
  police_json_free(n);
  return 0;
}
