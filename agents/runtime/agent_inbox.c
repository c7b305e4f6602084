/* agent_inbox: messages from the broker for this agent (contacts, packs,
 * enquiry requests), handled exactly once: each inside a transaction on the
 * agent's store with its de-duplication, acknowledged only once committed;
 * an envelope larger than one frame arrives in parts, reassembled (parts.c)
 * and acknowledged part by part once the whole is handled. Must not: send
 * anything but acknowledgements, or log child data (ids and counts only).
 * Loop thread only.
 */
#include <stdio.h>
#include <string.h>

#include "agent_internal.h"
#include "codec.h"
#include "log.h"

static void s_ack(agent_t *a, const char *correlation, Mash__V1__ReceiptStatus status) {
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Receipt r = MASH__V1__RECEIPT__INIT;
  r.status = status;
  env.correlation_id = (char *)correlation;
  env.body_case = MASH__V1__ENVELOPE__BODY_RECEIPT;
  env.receipt = &r;
  agent_send_env(a, &env, NULL);
}

/* Handle a message inside a transaction with its de-duplication. Returns
 * the status to acknowledge it with, or 0 when it must not be acknowledged
 * (it will be redelivered). */
static Mash__V1__ReceiptStatus s_handle(agent_t *a, const Mash__V1__Envelope *env) {
  if (!a->on_message) {
    mash_warn("no handler for message %s; not acknowledged", env->message_id);
    return 0;
  }
  if (agent_store_begin(a->store) != 0) {
    return 0;
  }
  int seen = agent_store_inbox_seen(a->store, env->message_id);
  int rc = seen < 0 ? seen : 0;
  if (seen == 0) {
    rc = a->on_message(a, env, a->arg);
    if (rc == 0) {
      rc = agent_store_inbox_mark(a->store, env->message_id, mash_clock_now_ms());
    }
  }
  if (rc != 0) {
    agent_store_rollback(a->store);
    mash_warn_limited("message %s not handled (%s); it will be redelivered", env->message_id,
                      rc < 0 && -rc < 256 ? agent_store_errmsg(a->store) : "handler refused");
    return 0;
  }
  if (agent_store_commit(a->store) != 0) {
    mash_error_limited("cannot commit message %s (%s); it will be redelivered", env->message_id,
                       agent_store_errmsg(a->store));
    agent_store_rollback(a->store);
    return 0;
  }
  return seen ? MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_DUPLICATE
              : MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED;
}

void agent_inbox_message(agent_t *a, const Mash__V1__Envelope *env) {
  Mash__V1__ReceiptStatus st = s_handle(a, env);
  if (st) {
    s_ack(a, env->message_id, st);
  }
}

/* A part of an envelope larger than one frame. Once every part is here, the
 * whole is decoded, checked and handled like any message, and then every
 * part is acknowledged (never one alone: parts held only in memory are sent
 * again after a restart). */
void agent_inbox_part(agent_t *a, const Mash__V1__Envelope *env) {
  /* A part of a whole handled before (its acknowledgement was lost): the
   * other parts may never come again, so it is acknowledged alone. */
  if (agent_store_inbox_seen(a->store, env->part->whole_id) == 1) {
    s_ack(a, env->message_id, MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_DUPLICATE);
    return;
  }
  agent_whole_t *w = agent_parts_add(a->parts, env->message_id, env->part, mash_clock_now_ms());
  if (!w) {
    return;
  }
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  Mash__V1__Envelope *whole = mash_codec_decode_whole(w->data, w->total, &errs);
  if (whole && (mash_codec_validate_envelope(whole, &errs) != 0 ||
                whole->body_case == MASH__V1__ENVELOPE__BODY_PART ||
                strcmp(whole->message_id, w->whole_id) != 0)) {
    mash_warn_limited("message %s of %u parts is not valid: %s: %s", w->whole_id, w->count,
                      errs.count ? errs.items[0].field : "message_id",
                      errs.count ? errs.items[0].message : "is not the parts' whole_id");
    mash_codec_free(whole);
    whole = NULL;
  } else if (!whole) {
    mash_warn_limited("message %s of %u parts does not decode: %s", w->whole_id, w->count,
                      errs.items[0].message);
  }
  Mash__V1__ReceiptStatus st = whole ? s_handle(a, whole) : 0;
  if (st) {
    mash_debug("message %s: %u parts, %llu bytes, handled", w->whole_id, w->count,
               (unsigned long long)w->total);
    for (uint32_t i = 0; i < w->count; i++) {
      s_ack(a, w->part_ids[i], st);
    }
  }
  mash_codec_free(whole);
  agent_parts_done(a->parts, w);
}
