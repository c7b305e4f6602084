/* enquiry: the MASH enquiry's transactions (DESIGN.md §3-4): screening a
 * contact (fan-out of one request per agency, each with its deadline), an
 * agency's answer, the outcome decision, and an escalation step. Each runs
 * on the storage thread as one MASH_OP_CALL, inside a savepoint of the
 * batch's transaction, so its writes commit together or not at all; the
 * loop sends the receipt and the messages it produced only after commit.
 *
 * Responsible for: the rules (consent recorded, agencies known, only the
 * agency asked may answer, an answer stored once, the pack issued when all
 * have answered or at the ladder's partial-pack step and re-issued on a
 * late answer). Must not: touch sockets or the loop.
 */
#ifndef MASH_ENQUIRY_H
#define MASH_ENQUIRY_H

#include <stdint.h>

#include "codec.h"
#include "deadline.h"
#include "esclog_feed.h"
#include "keys.h"
#include "ladder.h"
#include "storage.h"
#include "uuid.h"

/* Shared, read-only configuration. esclog_feed (may be NULL) appends the
 * escalation log from the store after commit; the escalation transaction
 * only records in the store how far the log is durable. */
typedef struct mash_enquiry_env {
  const mash_deadline_policy_t *policy;
  const mash_calendar_t *calendar;
  const mash_ladder_t *ladder;           /* agency requests */
  const mash_ladder_t *screening_ladder; /* the screening of a contact */
  const mash_ladder_t *decision_ladder;  /* the outcome decision */
  const mash_trust_t *trust;
  mash_esclog_feed_t *esclog_feed;
} mash_enquiry_env_t;

typedef enum mash_tx_kind {
  MASH_TX_NONE = 0,
  MASH_TX_ESCALATE, /* the broker's own: work the due duties (net/watch.c) */
/* Then one kind per message (proto/messages.def), MASH_TX_<CASE>; those whose
 * handler is `transaction` run the row's function, once per message id. */
#define MASH_MESSAGE(field, CASE, validator, sender, who, handler, tx) MASH_TX_##CASE,
#include "messages.def"
#undef MASH_MESSAGE
  MASH_TX_KINDS
} mash_tx_kind_t;

/* A duty for the loop's timetable: its id and when its ladder next fires. */
typedef struct mash_tx_duty {
  uint64_t duty;
  int64_t next_at_ms;
} mash_tx_duty_t;

/* A message produced by a transaction, stored in the outbox, to deliver. */
typedef struct mash_tx_msg {
  char message_id[MASH_MAX_ID_LEN + 1]; /* a UUID, or "UUID.INDEX" for a part */
  char target[MASH_PRINCIPAL_LEN];      /* a principal, or "@hub" */
  uint8_t *frame;
  size_t len;
} mash_tx_msg_t;

/* Room for a few packs in parts (MASH_MAX_PARTS each) and their escalations. */
#define MASH_TX_MAX_MSGS 192
#define MASH_TX_MAX_WATCH 64   /* >= MASH_MAX_AGENCIES + 1, >= MASH_TX_MAX_DUE */
#define MASH_TX_MAX_UNWATCH 32 /* >= MASH_MAX_AGENCIES + 2 */
/* Duties worked by one ESCALATE transaction: at most this many, and no more
 * once MASH_TX_SLICE_BUDGET_US of real time has gone on them (the rest go
 * back on the timetable, due at once). One commit serves the whole slice. */
#define MASH_TX_MAX_DUE 64
#define MASH_TX_SLICE_BUDGET_US 4000
/* How long a refused command is remembered (its resend answered the same);
 * then it expires (store.h: mash_store_inbox_refused). Seven days. */
#define MASH_TX_REFUSED_RETENTION_MS (7LL * 24 * 3600 * 1000)

typedef struct mash_tx {
  mash_storage_op_t op; /* first: a mash_storage_op_t * is a mash_tx_t * */
  mash_tx_kind_t kind;
  const mash_enquiry_env_t *env;
  /* in: who sent what (SCREEN, ANSWER, OUTCOME, DELIVERED) */
  char principal[MASH_PRINCIPAL_LEN];
  char message_id[MASH_MAX_ID_LEN + 1];
  uint8_t *body; /* serialized body message; owned */
  size_t len;
  int64_t now_ms;
  /* in: ESCALATE: the duties whose instant came (taken from the timetable) */
  size_t n_due;
  uint64_t due[MASH_TX_MAX_DUE];
  /* out */
  uint8_t *receipt; /* serialized Receipt to send back (NULL: none); owned */
  size_t receipt_len;
  int receipt_status;
  size_t n_msgs;
  mash_tx_msg_t msgs[MASH_TX_MAX_MSGS];
  size_t n_watch;
  mash_tx_duty_t watch[MASH_TX_MAX_WATCH]; /* (re)arm in the timetable */
  size_t n_unwatch;
  uint64_t unwatch[MASH_TX_MAX_UNWATCH]; /* done: out of the timetable */
  size_t n_escalations;                  /* ESCALATE: escalation steps fired */
  char note[200];                        /* what happened, ids only, for the log */
  void *ctx;                             /* the caller's */
} mash_tx_t;

/* A new transaction of `kind`; body (may be NULL) is copied. NULL on ENOMEM.
 * The caller sets op.done_cb and submits &tx->op to the storage thread. */
mash_tx_t *mash_tx_new(mash_tx_kind_t kind, const mash_enquiry_env_t *env, const char *principal,
                       const char *message_id, const uint8_t *body, size_t len, int64_t now_ms);

/* Frees the transaction and what it owns. Accepts NULL. */
void mash_tx_destroy(mash_tx_t *tx);

/* The MASH_OP_CALL function (storage thread). */
int mash_tx_run(mash_store_t *store, mash_storage_op_t *op);

/* The instant a new duty's ladder first fires (pure; any thread). kind is
 * MASH_DUTY_*; start and due bound its window; rag matters for requests. */
int64_t mash_duty_first_at(const mash_enquiry_env_t *env, int kind, int rag, int64_t start_ms,
                           int64_t due_ms);

#endif
