/* fuzz_hub_command: the hub desk's command files (agents/hub/hub_command.c)
 * on arbitrary text, and the text written beside a settled command.
 *
 * Each input is parsed as a command file. Properties checked besides the
 * sanitizers: a refused command has a field error; an accepted one has a
 * known kind, the ids its kind promises, and becomes an envelope the broker's
 * codec accepts (hub_command.h promises that). The same bytes, when they
 * decode as an envelope the codec accepts, are rendered as the broker's
 * answer into a small buffer, which must stay terminated.
 * Must not: keep state between inputs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "fuzz_util.h"
#include "hub_command.h"

static void s_command(const uint8_t *data, size_t size) {
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  hub_command_t *c = hub_command_parse((const char *)data, size, &errs);
  if (!c) {
    fuzz_check(errs.count > 0, "a refused command has a field error");
    return;
  }
  hub_command_kind_t kind = hub_command_kind(c);
  fuzz_check(kind == HUB_COMMAND_SCREENING || kind == HUB_COMMAND_OUTCOME ||
                 kind == HUB_COMMAND_MATCH,
             "an accepted command has a known kind");
  if (kind == HUB_COMMAND_MATCH) {
    fuzz_check(hub_command_match_id(c) != NULL && hub_command_contact_id(c) == NULL,
               "a match command names a match, not a contact");
  } else {
    fuzz_check(hub_command_contact_id(c) != NULL && hub_command_match_id(c) == NULL,
               "a contact command names a contact, not a match");
  }
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  mash_envelope_init(&env, "fuzz-message-1", 1796083200000LL);
  hub_command_to_envelope(c, &env);
  mash_errors_t verrs;
  memset(&verrs, 0, sizeof verrs);
  fuzz_check(mash_codec_validate_envelope(&env, &verrs) == 0,
             "a parsed command is one the broker's codec accepts");
  hub_command_destroy(&c);
  fuzz_check(c == NULL, "hub_command_destroy nulls the pointer");
}

static void s_answer(const uint8_t *data, size_t size) {
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  Mash__V1__Envelope *env = mash_codec_decode(data, size, &errs);
  if (!env) {
    return;
  }
  if (mash_codec_validate_envelope(env, &errs) == 0) {
    char small[48], big[1024];
    int a = hub_command_answer_text(env, small, sizeof small);
    int b = hub_command_answer_text(env, big, sizeof big);
    fuzz_check(memchr(small, '\0', sizeof small) != NULL && memchr(big, '\0', sizeof big) != NULL,
               "answer text is terminated");
    fuzz_check(a == b && (a == 0 || a == 1), "the verdict does not depend on the buffer");
  }
  mash_codec_free(env);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  s_command(data, size);
  s_answer(data, size);
  return 0;
}
