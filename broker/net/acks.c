/* acks: the router's answers and acknowledgements.
 *
 * Responsible for: answering a client on its routing id (receipts, errors,
 * heartbeats), with unique message ids that cost no system call; and the
 * outbox's one acknowledgement path: a Receipt from the addressee of an
 * outbox entry is stored (a contact marked delivered, or an outbox row
 * marked delivered) and only then is the entry removed.
 * Must not: acknowledge anything itself before the store has it, trust a
 * receipt from anyone but the entry's addressee, or log child data.
 * Loop thread only.
 */
#include "router_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "errbuf.h"
#include "log.h"

void mash_router_send_env(mash_router_t *r, const uint8_t *rid, size_t rid_len,
                          Mash__V1__Envelope *env) {
  if (r->closing || !r->rz) {
    return;
  }
  /* Answers need unique ids, not secret ones: a random prefix drawn at start
   * and a counter (a fresh UUID per answer costs a system call). */
  char id[MASH_UUID_LEN + 24];
  snprintf(id, sizeof id, "%s-%llu", r->id_prefix, (unsigned long long)++r->id_seq);
  /* The broker's clock, not the wall's: receivers read ages by it. */
  mash_envelope_init(env, id, mash_clock_read(r->cfg.clock));
  uint8_t *buf = NULL;
  size_t len = 0;
  if (mash_codec_encode(env, &buf, &len) != 0) {
    mash_error("cannot encode an answer");
    return;
  }
  const void *bufs[2] = {rid, buf};
  size_t lens[2] = {rid_len, len};
  int rc = mash_zsock_send(r->rz, bufs, lens, 2);
  if (rc != 0) {
    /* The client will resend: its outbox keeps the message until receipted. */
    mash_debug("answer not sent: %s", zmq_strerror(-rc));
  }
  free(buf);
}

void mash_router_send_receipt(mash_router_t *r, const uint8_t *rid, size_t rid_len,
                              const char *correlation, Mash__V1__ReceiptStatus status,
                              const char *contact_id, const mash_errors_t *errs) {
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Receipt rec = MASH__V1__RECEIPT__INIT;
  Mash__V1__FieldError fe[MASH_MAX_FIELD_ERRORS];
  Mash__V1__FieldError *fep[MASH_MAX_FIELD_ERRORS];
  rec.status = status;
  rec.contact_id = (char *)(contact_id ? contact_id : "");
  if (errs) {
    for (size_t i = 0; i < errs->count; i++) {
      mash__v1__field_error__init(&fe[i]);
      fe[i].field = (char *)errs->items[i].field;
      fe[i].message = (char *)errs->items[i].message;
      fep[i] = &fe[i];
    }
    rec.n_errors = errs->count;
    rec.errors = fep;
  }
  env.correlation_id = (char *)(correlation ? correlation : "");
  env.body_case = MASH__V1__ENVELOPE__BODY_RECEIPT;
  env.receipt = &rec;
  mash_router_send_env(r, rid, rid_len, &env);
}

void mash_router_send_error(mash_router_t *r, const uint8_t *rid, size_t rid_len,
                            const char *correlation, Mash__V1__ErrorCode code, const char *text) {
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Error e = MASH__V1__ERROR__INIT;
  e.code = code;
  e.message = (char *)text;
  env.correlation_id = (char *)(correlation ? correlation : "");
  env.body_case = MASH__V1__ENVELOPE__BODY_ERROR;
  env.error = &e;
  mash_router_send_env(r, rid, rid_len, &env);
}

MASH_ROUTER_HANDLER(heartbeat) {
  (void)k, (void)body, (void)tx_kind;
  Mash__V1__Envelope out = MASH__V1__ENVELOPE__INIT;
  Mash__V1__Heartbeat hb = MASH__V1__HEARTBEAT__INIT;
  hb.agent = (char *)"mashd";
  hb.clock_ms = mash_clock_read(r->cfg.clock);
  hb.clock_rate = r->cfg.clock->rate;
  hb.instance = r->id_prefix; /* new at every start: clients resend on a change */
  out.correlation_id = env->message_id;
  out.body_case = MASH__V1__ENVELOPE__BODY_HEARTBEAT;
  out.heartbeat = &hb;
  mash_router_send_env(r, zmq_msg_data(rid), zmq_msg_size(rid), &out);
}

MASH_ROUTER_HANDLER(refused) {
  (void)k, (void)body, (void)tx_kind;
  r->n.unsupported++;
  mash_router_send_error(r, zmq_msg_data(rid), zmq_msg_size(rid), env->message_id,
                         MASH__V1__ERROR_CODE__ERROR_CODE_UNSUPPORTED,
                         "this message kind is sent by the broker, not to it");
}

/* ------------------------------------------------------ acknowledgements */

typedef struct s_ack_ctx {
  mash_storage_op_t op; /* first: a mash_storage_op_t * is an s_ack_ctx_t * */
  mash_router_t *r;
  mash_outbox_entry_t *e;
} s_ack_ctx_t;

void mash_router_ack_done(mash_router_t *r, mash_outbox_entry_t *e, int ok) {
  mash_outbox_ack_end(r->outbox, e, ok);
}

static void s_ack_done_cb(mash_storage_op_t *op) {
  s_ack_ctx_t *ctx = (s_ack_ctx_t *)op;
  mash_router_t *r = ctx->r;
  /* -ENOENT: the store no longer holds it as undelivered; done either way. */
  int ok = op->rc == 0 || op->rc == -ENOENT;
  if (!ok) {
    r->n.store_failures++;
    mash_error_limited("the acknowledgement of %s not stored (%s); retried",
                       mash_outbox_entry_id(ctx->e), mash_strerror(op->rc));
  }
  mash_router_ack_done(r, ctx->e, ok);
  free(ctx);
  r->ops_outstanding--;
  mash_router_maybe_free(r);
}

/* Store the acknowledgement of e by principal, whatever e holds (a contact
 * or a message: mash_store_delivered tells them apart by the id). Returns 0
 * or -ENOMEM (the addressee acknowledges the redelivery). */
static int s_ack_submit(mash_router_t *r, mash_outbox_entry_t *e, const char *principal) {
  s_ack_ctx_t *ctx = calloc(1, sizeof *ctx);
  if (!ctx) {
    return -ENOMEM;
  }
  ctx->r = r;
  ctx->e = e;
  ctx->op.kind = MASH_OP_DELIVERED;
  snprintf(ctx->op.u.delivered.message_id, sizeof ctx->op.u.delivered.message_id, "%s",
           mash_outbox_entry_id(e));
  snprintf(ctx->op.u.delivered.principal, sizeof ctx->op.u.delivered.principal, "%s", principal);
  ctx->op.u.delivered.at_ms = mash_clock_read(r->cfg.clock);
  ctx->op.done_cb = s_ack_done_cb;
  r->ops_outstanding++;
  mash_storage_submit(r->storage, &ctx->op);
  return 0;
}

MASH_ROUTER_HANDLER(receipt) {
  (void)body, (void)tx_kind;
  const char *corr = env->correlation_id;
  size_t plen = strlen(MASH_OUTBOX_CONTACT_PREFIX);
  if (strncmp(corr, MASH_OUTBOX_CONTACT_PREFIX, plen) == 0 && strcmp(k->role, "hub") != 0) {
    r->n.forbidden++;
    mash_warn_limited(
        "receipt from %s (%s) for %s refused: only the hub desk acknowledges contacts",
        k->principal, k->role, corr);
    mash_router_send_error(r, zmq_msg_data(rid), zmq_msg_size(rid), env->message_id,
                           MASH__V1__ERROR_CODE__ERROR_CODE_FORBIDDEN,
                           "only the hub desk acknowledges contacts");
    return;
  }
  mash_outbox_entry_t *e = mash_outbox_find(r->outbox, corr);
  if (!e) {
    return; /* a repeated acknowledgement: nothing to do */
  }
  if (!mash_outbox_entry_for(e, k->principal, k->role)) {
    r->n.forbidden++;
    mash_warn_limited("%s acknowledged %s, which was not addressed to it: ignored", k->principal,
                      corr);
    return;
  }
  if (env->receipt->status == MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED) {
    mash_error_limited("%s rejected %s; will retry after backoff", k->principal, corr);
    return;
  }
  if (mash_outbox_ack_begin(r->outbox, e) != 0) {
    return; /* its acknowledgement is being stored */
  }
  if (s_ack_submit(r, e, k->principal) != 0) {
    mash_outbox_ack_end(r->outbox, e, 0);
  }
}
