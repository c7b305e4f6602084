/* messages: the message table (messages.def) as constant data, looked up by
 * body case. Must not: do I/O. Thread-safe (constant data).
 */
#include "messages.h"

#include <stddef.h>

#define S_ROLE_ANY NULL
#define S_ROLE_AGENCY "agency"
#define S_ROLE_HUB "hub"
#define S_ROLE_BROKER NULL
#define S_ROLE_OPS "ops"

static const mash_message_info_t s_table[] = {
#define MASH_MESSAGE(field, CASE, validator, sender, who, handler, tx)                             \
  {MASH__V1__ENVELOPE__BODY_##CASE, #field, MASH_SENDER_##sender, S_ROLE_##sender, who},
#include "messages.def"
#undef MASH_MESSAGE
};

const mash_message_info_t *mash_message_info(Mash__V1__Envelope__BodyCase body_case) {
  for (size_t i = 0; i < sizeof s_table / sizeof s_table[0]; i++) {
    if (s_table[i].body_case == body_case) {
      return &s_table[i];
    }
  }
  return NULL;
}

int mash_message_is_request(const mash_message_info_t *m) {
  return m && (m->sender == MASH_SENDER_AGENCY || m->sender == MASH_SENDER_HUB);
}
