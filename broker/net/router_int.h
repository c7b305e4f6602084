/* router_int: what the router's files share (broker/net/router*.c, acks.c,
 * notification.c, transact.c). PRIVATE to broker/net: the router's state
 * and the handlers the message table (proto/messages.def) names.
 *
 *   router.c        receive, decode, validate, authorize, dispatch; life cycle
 *   acks.c          answers to clients (receipts, errors, heartbeats) and the
 *                   one acknowledgement path of the outbox
 *   notification.c  a notification stored, receipted, resolved, queued for
 *                   the hub desk
 *   transact.c      the enquiry's storage-thread transactions: submitted,
 *                   and their results applied (receipt, outbox, watch)
 *   console.c       the operations console's questions and live feed
 *   routes.c, outbox.c  modules of their own (routes.h, outbox.h)
 *
 * Must not: be included outside broker/net. Loop thread only.
 */
#ifndef MASH_ROUTER_INT_H
#define MASH_ROUTER_INT_H

#include <stdint.h>

#include "codec.h"
#include "enquiry.h"
#include "keys.h"
#include "ops.h"
#include "outbox.h"
#include "resolve_queue.h"
#include "router.h"
#include "routes.h"
#include "watch.h"
#include "zap.h"
#include "zsock.h"

/* Counted for the log line at close: ids and counts only. */
typedef struct mash_router_counts {
  unsigned long received, accepted, duplicates, rejected, forbidden, malformed, unsupported;
  unsigned long oversized;        /* frames over MASH_MAX_FRAME (also counted as malformed) */
  unsigned long adapter_rejected; /* files refused at the adapters (AdapterRejection) */
  unsigned long unauthenticated, revoked, store_failures, escalations;
  unsigned long quarantined; /* contacts whose sealed record failed to open at start */
  unsigned long replaced;    /* of those, made again from the agency's resend */
  unsigned long throttled;   /* commands held back: too many refused (ops.h) */
  unsigned long resolved, unresolvable, persons_linked, persons_possible, persons_new;
} mash_router_counts_t;

struct mash_router {
  uv_loop_t *loop;
  mash_zsock_t *rz;
  mash_zsock_t *zz;
  uv_timer_t timer;
  const mash_trust_t *trust;
  mash_storage_t *storage;
  mash_router_config_t cfg;
  mash_router_counts_t n;
  mash_zap_stats_t zap_stats;
  mash_routes_t *routes;
  mash_outbox_t *outbox;
  mash_resolve_queue_t *rq; /* stored contacts waiting for resolution */
  mash_watch_t *watch;
  mash_ops_t *ops;            /* the operations console: refusals, who was heard when */
  int64_t counters_logged_ms; /* when the counters were last logged */
  char id_prefix[MASH_UUID_LEN + 1];
  uint64_t id_seq;
  unsigned ops_outstanding;
  int closing;
  int handles_open;
  void (*close_cb)(void *arg);
  void *close_arg;
};

/* One handler per `handler` of the message table: the message is decoded,
 * valid, and its sender's role allowed; body is the envelope's body and
 * tx_kind the table's transaction kind (0: none). */
#define MASH_ROUTER_HANDLER(name)                                                                  \
  void mash_router_on_##name(mash_router_t *r, const mash_key_t *k, zmq_msg_t *rid,                \
                             Mash__V1__Envelope *env, const ProtobufCMessage *body, int tx_kind)
MASH_ROUTER_HANDLER(notification);      /* notification.c */
MASH_ROUTER_HANDLER(receipt);           /* acks.c: an acknowledgement for the outbox */
MASH_ROUTER_HANDLER(heartbeat);         /* acks.c */
MASH_ROUTER_HANDLER(refused);           /* acks.c: a kind only the broker sends */
MASH_ROUTER_HANDLER(transaction);       /* transact.c */
MASH_ROUTER_HANDLER(ops_query);         /* console.c: the operations console asks */
MASH_ROUTER_HANDLER(adapter_rejection); /* console.c: an adapter refused an agency file */

/* ---- console.c */
/* Count the adapter rejections already stored (storage thread, while the
 * loop waits in mash_router_load). */
int mash_router_seed_rejections(mash_router_t *r, mash_store_t *store);
/* The live feed: each escalation step of tx, once, to every connected console. */
void mash_router_ops_feed(mash_router_t *r, const mash_tx_t *tx);
/* How long a principal may be silent and still count as connected. */
int64_t mash_router_silent_ms(const mash_router_t *r);

/* ---- acks.c: answers to a client, on its routing id (fire and forget: the
 * client resends what it does not hear about) */
void mash_router_send_env(mash_router_t *r, const uint8_t *rid, size_t rid_len,
                          Mash__V1__Envelope *env);
void mash_router_send_receipt(mash_router_t *r, const uint8_t *rid, size_t rid_len,
                              const char *correlation, Mash__V1__ReceiptStatus status,
                              const char *contact_id, const mash_errors_t *errs);
void mash_router_send_error(mash_router_t *r, const uint8_t *rid, size_t rid_len,
                            const char *correlation, Mash__V1__ErrorCode code, const char *text);
/* An outbox acknowledgement was stored (ok 1) or not (ok 0: retried). The
 * caller counts the store failure. */
void mash_router_ack_done(mash_router_t *r, mash_outbox_entry_t *e, int ok);

/* ---- notification.c: resolve queue callbacks */
void mash_router_resolved_cb(void *arg, mash_resolve_job_t *job, int rc);
void mash_router_resolve_done_cb(void *arg);

/* ---- transact.c */
/* Submit a transaction; the receipt (if any) goes back on rid (NULL: none). */
void mash_router_tx_submit(mash_router_t *r, mash_tx_t *tx, zmq_msg_t *rid);
/* mash_watch_submit_fn: an escalation. */
void mash_router_watch_submit(mash_tx_t *tx, void *arg);

/* ---- router.c */
/* Send what the outbox holds that is due. */
void mash_router_pump(mash_router_t *r);
/* Free the router once closing and nothing is outstanding. */
void mash_router_maybe_free(mash_router_t *r);

#endif
