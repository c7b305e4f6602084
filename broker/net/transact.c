/* transact: the enquiry's transactions, seen from the loop thread.
 *
 * Responsible for: turning a screening decision, an agency's answer, an
 * outcome or a match decision into one storage-thread transaction
 * (broker/txn/enquiry.h), as do the watch's escalations and the outbox's
 * acknowledgements of stored messages; and, after commit only, applying what
 * each produced: the receipt to its sender, the messages into the outbox,
 * the requests to start or stop watching.
 * Must not: send or apply anything of a transaction that did not commit, or
 * log child data (the transaction's note holds ids only). Loop thread only.
 */
#include "router_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "errbuf.h"
#include "log.h"

typedef struct s_tx_ctx {
  mash_router_t *r;
  uint8_t rid[MASH_ROUTE_MAX_RID];
  size_t rid_len; /* 0: no one to answer (escalations) */
} s_tx_ctx_t;

static void s_send_tx_receipt(mash_router_t *r, s_tx_ctx_t *ctx, mash_tx_t *tx) {
  Mash__V1__Receipt *rec = mash__v1__receipt__unpack(NULL, tx->receipt_len, tx->receipt);
  if (!rec) {
    return;
  }
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  env.correlation_id = tx->message_id;
  env.body_case = MASH__V1__ENVELOPE__BODY_RECEIPT;
  env.receipt = rec;
  mash_router_send_env(r, ctx->rid, ctx->rid_len, &env);
  mash__v1__receipt__free_unpacked(rec, NULL);
}

static void s_tx_done_cb(mash_storage_op_t *op) {
  mash_tx_t *tx = (mash_tx_t *)op;
  s_tx_ctx_t *ctx = tx->ctx;
  mash_router_t *r = ctx->r;
  if (op->rc != 0) {
    r->n.store_failures++;
    mash_error("%s from %s not stored (%s); %s", tx->message_id[0] ? tx->message_id : "escalation",
               tx->principal[0] ? tx->principal : "the broker", mash_strerror(op->rc),
               ctx->rid_len ? "no receipt sent" : "retried");
  } else if (strncmp(tx->note, "refused", 7) == 0) {
    /* A peer can send refusals at will: bounded lines. */
    mash_log_limited(MASH_LOG_INFO, "%s", tx->note);
  } else if (tx->note[0]) {
    mash_info("%s", tx->note);
  }
  if (op->rc == 0 && tx->receipt && ctx->rid_len &&
      tx->receipt_status == MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED) {
    mash_ops_note_refused_command(r->ops, tx->principal, mash_clock_now_ms());
  }
  if (op->rc == 0 && !r->closing) {
    if (tx->receipt && ctx->rid_len) {
      s_send_tx_receipt(r, ctx, tx);
    }
    int64_t now = mash_clock_now_ms();
    for (size_t i = 0; i < tx->n_msgs; i++) {
      const mash_tx_msg_t *m = &tx->msgs[i];
      if (mash_outbox_add(r->outbox, m->message_id, m->target, m->frame, m->len, now) != 0) {
        mash_error("out of memory: %s waits for a restart", m->message_id);
      }
    }
    if (tx->kind == MASH_TX_ESCALATE) {
      r->n.escalations += tx->n_escalations;
      mash_router_ops_feed(r, tx);
    }
    if (r->watch) {
      mash_watch_update(r->watch, tx);
    }
    mash_router_pump(r);
  }
  if (tx->kind == MASH_TX_ESCALATE && r->watch) {
    mash_watch_settled(r->watch, tx);
  }
  free(ctx);
  mash_tx_destroy(tx);
  r->ops_outstanding--;
  mash_router_maybe_free(r);
}

void mash_router_tx_submit(mash_router_t *r, mash_tx_t *tx, zmq_msg_t *rid) {
  s_tx_ctx_t *ctx = calloc(1, sizeof *ctx);
  if (!ctx) {
    mash_tx_destroy(tx);
    return; /* the sender resends: nothing was acknowledged */
  }
  ctx->r = r;
  if (rid) {
    ctx->rid_len = zmq_msg_size(rid);
    memcpy(ctx->rid, zmq_msg_data(rid), ctx->rid_len);
  }
  tx->ctx = ctx;
  tx->op.done_cb = s_tx_done_cb;
  r->ops_outstanding++;
  if (tx->kind == MASH_TX_ESCALATE) {
    /* Escalations wait their turn beside the batches: receipts first. */
    mash_storage_submit_background(r->storage, &tx->op);
  } else {
    mash_storage_submit(r->storage, &tx->op);
  }
}

void mash_router_watch_submit(mash_tx_t *tx, void *arg) {
  mash_router_tx_submit(arg, tx, NULL);
}

/* A screening decision, an answer, an outcome or a match decision: one
 * transaction each, of the kind the message table names. */
MASH_ROUTER_HANDLER(transaction) {
  if (mash_ops_refusals_throttled(r->ops, k->principal, mash_clock_now_ms())) {
    /* Neither run nor stored: a peer cannot grow the store (or the log)
     * with refusals faster than the burst allows. */
    r->n.throttled++;
    mash_warn_limited("%s: more than %d commands refused in %d s; %s is answered with an "
                      "error, neither run nor stored",
                      k->principal, MASH_OPS_REFUSALS_BURST, MASH_OPS_REFUSALS_WINDOW_MS / 1000,
                      env->message_id);
    char text[160];
    snprintf(text, sizeof text,
             "too many refused commands from you (%d in %d s): this one was not run; "
             "resend it later",
             MASH_OPS_REFUSALS_BURST, MASH_OPS_REFUSALS_WINDOW_MS / 1000);
    mash_router_send_error(r, zmq_msg_data(rid), zmq_msg_size(rid), env->message_id,
                           MASH__V1__ERROR_CODE__ERROR_CODE_FORBIDDEN, text);
    return;
  }
  size_t len = protobuf_c_message_get_packed_size(body);
  uint8_t *buf = malloc(len ? len : 1);
  mash_tx_t *tx = NULL;
  if (buf) {
    protobuf_c_message_pack(body, buf);
    tx = mash_tx_new((mash_tx_kind_t)tx_kind, r->cfg.enquiry, k->principal, env->message_id, buf,
                     len, mash_clock_read(r->cfg.clock));
  }
  free(buf);
  if (!tx) {
    mash_router_send_error(r, zmq_msg_data(rid), zmq_msg_size(rid), env->message_id,
                           MASH__V1__ERROR_CODE__ERROR_CODE_INTERNAL,
                           "out of memory; resend later");
    return;
  }
  mash_router_tx_submit(r, tx, rid);
}
