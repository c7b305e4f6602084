/* notification: a notification's path through the loop thread.
 *
 * Responsible for: authorizing a notification by the sender's principal and
 * agency, checking its identifiers, preparing the contact (priority, DASH,
 * quality flags: broker/policy/intake.h), handing it to the storage thread,
 * and receipting it only after commit (accepted with the contact id, or
 * duplicate with the first one's); then queueing it for resolution and,
 * once resolved, in the outbox for the hub desk. While the resolve queue
 * is short (resolve_queue.h decides) the contact is resolved inside its
 * own intake transaction instead: one commit, one flush, per notification.
 * Must not: receipt what is not stored, touch the database, or log child
 * data (ids, principals and counts only). Loop thread only, but for
 * s_intake_fold_run, which the storage thread runs inside its batch.
 */
#include "router_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "intake.h"
#include "errbuf.h"
#include "log.h"

typedef struct s_intake_ctx {
  mash_storage_op_t op; /* first: a mash_storage_op_t * is an s_intake_ctx_t * */
  mash_router_t *r;
  uint8_t rid[MASH_ROUTE_MAX_RID];
  size_t rid_len;
  char principal[64];
  char message_id[MASH_MAX_ID_LEN + 1];
  uint8_t *contact; /* contact_bytes: one allocation for the op and its contact */
  char flags[256];
  int folded;             /* resolved in the intake's transaction: in and job */
  mash_intake_t in;       /* when folded (op.u is then the call) */
  mash_resolve_job_t job; /* when folded */
  uint8_t contact_bytes[];
} s_intake_ctx_t;

/* Storage thread: store the contact, then resolve it in the same
 * transaction (each in its own savepoint: a resolution that fails leaves
 * the contact stored, unresolved, for the queue). */
static int s_intake_fold_run(mash_store_t *store, mash_storage_op_t *op) {
  s_intake_ctx_t *ctx = (s_intake_ctx_t *)op;
  int rc = mash_store_intake(store, &ctx->in);
  if (rc != 0 || ctx->in.status != MASH_INTAKE_NEW) {
    ctx->job.rc = -EALREADY; /* nothing resolved here */
    return rc;
  }
  snprintf(ctx->job.contact_id, sizeof ctx->job.contact_id, "%s", ctx->in.contact_id);
  return mash_resolve_queue_run_job(store, &ctx->job);
}

/* A contact resolved (or not): deliver it. */
void mash_router_resolved_cb(void *arg, mash_resolve_job_t *job, int rc) {
  mash_router_t *r = arg;
  if (rc == 0 && job->gave_up) {
    r->n.unresolvable++;
    mash_error("contact %s could not be resolved (%s): delivered flagged %s", job->contact_id,
               mash_strerror(job->gave_up), MASH_FLAG_RESOLUTION_FAILED);
  }
  if (rc == 0) {
    r->n.resolved++;
    r->n.persons_linked += job->linked;
    r->n.persons_possible += job->possible;
    r->n.persons_new += job->created;
    mash_debug("contact %s resolved: %u linked, %u possible, %u new", job->contact_id, job->linked,
               job->possible, job->created);
    if (job->deliver && !r->closing) {
      int qrc = mash_outbox_add_contact(r->outbox, job->contact_id, job->contact, job->contact_len,
                                        mash_clock_read(r->cfg.clock), mash_clock_now_ms());
      if (qrc == 0) {
        mash_router_pump(r);
      } else {
        mash_error("%s: cannot queue the delivery: %s", job->contact_id, mash_strerror(qrc));
      }
    }
  } else if (rc == -EBUSY) {
    /* Two brokers believed they were active for a moment: the other's
     * transaction holds the contact and resolves and delivers it. */
    mash_warn("contact %s is being resolved by another broker's transaction: left to it",
              job->contact_id);
  } else if (rc == -EBADMSG) {
    /* Its sealed record does not open (damaged, altered, another key):
     * quarantined as at start-up (router.c), not a failing store. */
    r->n.quarantined++;
    mash_error("contact %s cannot be opened: authentication tag mismatch: its sealed record was "
               "damaged or altered, or sealed with another data key. It is quarantined: kept in "
               "the store as it is, not resolved or delivered; put back the data key or a backup "
               "that opens it, and tell the hub",
               job->contact_id);
  } else if (rc != -ECANCELED) {
    /* Stored and acknowledged; delivered once resolved, on the next start. */
    r->n.store_failures++;
    mash_error("contact %s not resolved (%s): it waits for the next start", job->contact_id,
               mash_strerror(rc));
  }
}

void mash_router_resolve_done_cb(void *arg) {
  mash_router_maybe_free(arg);
}

static void s_intake_done_cb(mash_storage_op_t *op) {
  s_intake_ctx_t *ctx = (s_intake_ctx_t *)op;
  mash_router_t *r = ctx->r;
  const mash_intake_t *in = ctx->folded ? &ctx->in : &op->u.intake;
  if (op->rc != 0) {
    /* Never acknowledge what is not stored: no receipt; the sender resends. */
    r->n.store_failures++;
    mash_error("notification %s from %s not stored (%s); no receipt sent", ctx->message_id,
               ctx->principal, mash_strerror(op->rc));
  } else if (in->status == MASH_INTAKE_NEW || in->status == MASH_INTAKE_REPLACED) {
    if (in->status == MASH_INTAKE_REPLACED) {
      /* The store made a quarantined contact again from this resend: it is
       * resolved and delivered like a new one, under its first id. */
      r->n.replaced++;
      mash_warn("contact %s was quarantined (its sealed record did not open); the resend of "
                "message %s from %s replaced it: it goes to the hub desk now",
                in->contact_id, ctx->message_id, ctx->principal);
    } else {
      r->n.accepted++;
    }
    mash_debug("contact %s from %s (message %s)", in->contact_id, ctx->principal, ctx->message_id);
    mash_router_send_receipt(r, ctx->rid, ctx->rid_len, ctx->message_id,
                             MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED, in->contact_id,
                             NULL);
    if (!r->closing) {
      if (ctx->folded && ctx->job.rc == 0) {
        mash_router_resolved_cb(r, &ctx->job, 0); /* committed with the intake */
      } else {
        mash_resolve_queue_add(r->rq, in->contact_id);
      }
      if (r->watch && in->screening_duty) {
        mash_watch_arm(r->watch, in->screening_duty, in->screening_next_at_ms);
      }
    }
  } else {
    r->n.duplicates++;
    mash_log_limited(MASH_LOG_INFO, "duplicate message %s from %s: contact %s", ctx->message_id,
                     ctx->principal, in->contact_id);
    mash_router_send_receipt(r, ctx->rid, ctx->rid_len, ctx->message_id,
                             MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_DUPLICATE, in->contact_id,
                             NULL);
  }
  mash_resolve_queue_intake_done(r->rq, ctx->folded);
  free(ctx->job.contact);
  free(ctx);
  r->ops_outstanding--;
  mash_router_maybe_free(r);
}

MASH_ROUTER_HANDLER(notification) {
  (void)body, (void)tx_kind;
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  if (mash_intake_authorize(k, env->notification, &errs) != 0) {
    r->n.forbidden++;
    mash_ops_note_rejected(r->ops, k->principal, &errs);
    mash_warn_limited("refused notification %s from %s: %s", env->message_id, k->principal,
                      errs.items[0].message);
    mash_router_send_receipt(r, zmq_msg_data(rid), zmq_msg_size(rid), env->message_id,
                             MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED, NULL, &errs);
    return;
  }
  if (mash_intake_check_identifiers(env->notification, &errs) != 0) {
    r->n.rejected++;
    mash_ops_note_rejected(r->ops, k->principal, &errs);
    mash_warn_limited("rejected notification %s from %s: malformed identifier (%s)",
                      env->message_id, k->principal, errs.items[0].field);
    mash_router_send_receipt(r, zmq_msg_data(rid), zmq_msg_size(rid), env->message_id,
                             MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED, NULL, &errs);
    return;
  }
  mash_intake_prep_t prep;
  int64_t now = mash_clock_read(r->cfg.clock);
  /* The screening deadline goes through the hub's calendar like every other. */
  const mash_enquiry_env_t *qenv = r->cfg.enquiry;
  int64_t screening_due = mash_deadline_screening_due(qenv->policy, qenv->calendar, now);
  if (screening_due == MASH_DEADLINE_NEVER || screening_due < now) {
    screening_due = now + r->cfg.screening_ms;
  }
  mash_intake_prepare(k, env->notification, now, screening_due - now, &prep);
  size_t len = mash__v1__contact__get_packed_size(&prep.contact);
  if (len > MASH_MAX_INTAKE_CONTACT) {
    /* Refused before the receipt: a contact that could not reach the hub
     * desk in one frame once its person links are added must not be
     * accepted and then stranded. */
    r->n.rejected++;
    mash_errors_add(&errs, "notification",
                    "makes a contact of %zu bytes; at most %u fit one frame to the hub desk "
                    "(%u bytes, less room for the person links): send shorter text or fewer "
                    "people",
                    len, MASH_MAX_INTAKE_CONTACT, MASH_MAX_FRAME);
    mash_ops_note_rejected(r->ops, k->principal, &errs);
    mash_warn_limited("rejected notification %s from %s: its contact is %zu bytes", env->message_id,
                      k->principal, len);
    mash_router_send_receipt(r, zmq_msg_data(rid), zmq_msg_size(rid), env->message_id,
                             MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED, NULL, &errs);
    return;
  }
  /* Not calloc: the contact's bytes are written over at once, and the
   * fields are set below (the op and intake cleared, as submit expects). */
  s_intake_ctx_t *ctx = malloc(sizeof *ctx + (len ? len : 1));
  if (!ctx) {
    mash_router_send_error(r, zmq_msg_data(rid), zmq_msg_size(rid), env->message_id,
                           MASH__V1__ERROR_CODE__ERROR_CODE_INTERNAL,
                           "out of memory; resend later");
    return;
  }
  memset(ctx, 0, sizeof *ctx);
  uint8_t *bytes = ctx->contact_bytes;
  mash__v1__contact__pack(&prep.contact, bytes);
  ctx->r = r;
  ctx->rid_len = zmq_msg_size(rid);
  memcpy(ctx->rid, zmq_msg_data(rid), ctx->rid_len);
  snprintf(ctx->principal, sizeof ctx->principal, "%s", k->principal);
  snprintf(ctx->message_id, sizeof ctx->message_id, "%s", env->message_id);
  ctx->contact = bytes;
  ctx->folded = mash_resolve_queue_intake_begin(r->rq, &ctx->job);
  mash_intake_t *in = ctx->folded ? &ctx->in : &ctx->op.u.intake;
  if (ctx->folded) {
    ctx->op.kind = MASH_OP_CALL;
    ctx->op.u.call.fn = s_intake_fold_run;
  } else {
    ctx->op.kind = MASH_OP_INTAKE;
  }
  in->principal = ctx->principal;
  in->message_id = ctx->message_id;
  in->received_at_ms = now;
  in->contact = bytes;
  in->contact_len = len;
  in->resolve_later = 1;
  /* Facts for management information, in plain columns (no child data). */
  const Mash__V1__Notification *n = env->notification;
  in->domestic_abuse = prep.dash_result.missing_on_domestic_abuse ||
                       (prep.dash_result.present && n->police && n->police->domestic_abuse);
  in->dash_present = prep.dash_result.present;
  in->dash_complete = prep.dash_result.complete;
  in->priority = (int)prep.contact.priority;
  in->concern_category = (int)n->concern_category;
  in->red_flag = n->red_flag;
  in->occurred_at_ms = n->occurred_at_ms;
  mash_intake_flags_text(prep.contact.quality_flags, prep.contact.n_quality_flags, ctx->flags,
                         sizeof ctx->flags);
  in->quality_flags = ctx->flags;
  in->screening_due_at_ms = screening_due;
  in->screening_next_at_ms = mash_duty_first_at(qenv, MASH_DUTY_SCREENING, 0, now, screening_due);
  ctx->op.done_cb = s_intake_done_cb;
  r->ops_outstanding++;
  mash_storage_submit(r->storage, &ctx->op);
}
