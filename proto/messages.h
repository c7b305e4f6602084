/* messages: what the message table (messages.def) says about each kind of
 * Envelope body, as data: its field name and who may send it.
 *
 * Responsible for: lookups by body case. Must not: do I/O or know the
 * broker (its handlers are generated from messages.def in broker/net/).
 * Thread-safe (constant data).
 */
#ifndef MASH_MESSAGES_H
#define MASH_MESSAGES_H

#include "mash.pb-c.h"

typedef enum mash_sender {
  MASH_SENDER_ANY = 1,    /* any authenticated principal */
  MASH_SENDER_AGENCY = 2, /* principals of role agency */
  MASH_SENDER_HUB = 3,    /* principals of role hub */
  MASH_SENDER_BROKER = 4, /* only the broker sends it */
  MASH_SENDER_OPS = 5,    /* principals of role ops: read-only questions */
} mash_sender_t;

typedef struct mash_message_info {
  Mash__V1__Envelope__BodyCase body_case;
  const char *name; /* the oneof field: "notification" */
  mash_sender_t sender;
  const char *role; /* "agency", "hub" or "ops" for those senders, else NULL */
  const char *who;  /* "agencies notify": completes "only ..." in a refusal */
} mash_message_info_t;

/* The row for body_case, or NULL when the case is not in the table (not
 * set, or of a kind this version does not know). */
const mash_message_info_t *mash_message_info(Mash__V1__Envelope__BodyCase body_case);

/* 1 when a message of this kind asks the broker to do something (sender
 * AGENCY or HUB): refused with a Receipt naming the fields at fault rather
 * than with an Error. */
int mash_message_is_request(const mash_message_info_t *m);

#endif
