/* enquiry: the enquiry transactions. Each runs on the storage thread inside
 * a savepoint; see enquiry.h. Every rule's refusal is a receipt with a
 * field-level error. Must not: log child data (ids only in notes). */
#include "enquiry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pack.h"
#include "resolve.h"
#include "txn_int.h"

#define S_HUB_TARGET MASH_TX_HUB_TARGET

mash_tx_t *mash_tx_new(mash_tx_kind_t kind, const mash_enquiry_env_t *env, const char *principal,
                       const char *message_id, const uint8_t *body, size_t len, int64_t now_ms) {
  mash_tx_t *tx = calloc(1, sizeof *tx);
  if (!tx) {
    return NULL;
  }
  tx->kind = kind;
  tx->env = env;
  snprintf(tx->principal, sizeof tx->principal, "%s", principal ? principal : "");
  snprintf(tx->message_id, sizeof tx->message_id, "%s", message_id ? message_id : "");
  if (body && len) {
    tx->body = malloc(len);
    if (!tx->body) {
      free(tx);
      return NULL;
    }
    memcpy(tx->body, body, len);
    tx->len = len;
  }
  tx->now_ms = now_ms;
  tx->op.kind = MASH_OP_CALL;
  tx->op.u.call.fn = mash_tx_run;
  tx->op.u.call.arg = tx;
  return tx;
}

static void s_clear_out(mash_tx_t *tx) {
  for (size_t i = 0; i < tx->n_msgs; i++) {
    free(tx->msgs[i].frame);
  }
  tx->n_msgs = 0;
  tx->n_watch = 0;
  free(tx->receipt);
  tx->receipt = NULL;
  tx->receipt_len = 0;
  tx->n_unwatch = 0;
  tx->n_escalations = 0;
}

void mash_tx_destroy(mash_tx_t *tx) {
  if (!tx) {
    return;
  }
  s_clear_out(tx);
  free(tx->body);
  free(tx);
}

/* ------------------------------------------------------------ outputs */

static int s_receipt(mash_tx_t *tx, Mash__V1__ReceiptStatus status, const char *contact_id,
                     const char *enquiry_id, const mash_errors_t *errs) {
  Mash__V1__Receipt r = MASH__V1__RECEIPT__INIT;
  Mash__V1__FieldError fe[MASH_MAX_FIELD_ERRORS];
  Mash__V1__FieldError *fep[MASH_MAX_FIELD_ERRORS];
  r.status = status;
  r.contact_id = (char *)(contact_id ? contact_id : "");
  r.enquiry_id = (char *)(enquiry_id ? enquiry_id : "");
  for (size_t i = 0; errs && i < errs->count; i++) {
    mash__v1__field_error__init(&fe[i]);
    fe[i].field = (char *)errs->items[i].field;
    fe[i].message = (char *)errs->items[i].message;
    fep[i] = &fe[i];
  }
  r.n_errors = errs ? errs->count : 0;
  r.errors = fep;
  size_t len = mash__v1__receipt__get_packed_size(&r);
  free(tx->receipt);
  tx->receipt = malloc(len ? len : 1);
  if (!tx->receipt) {
    return -ENOMEM;
  }
  mash__v1__receipt__pack(&r, tx->receipt);
  tx->receipt_len = len;
  tx->receipt_status = status;
  return 0;
}

/* Refuse: a receipt with one error; nothing written (the savepoint keeps the
 * rest of the batch). Returns 0 so the receipt is still sent. */
static int s_refuse(mash_tx_t *tx, const char *field, const char *message) {
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  mash_errors_add(&errs, field, "%s", message);
  snprintf(tx->note, sizeof tx->note, "refused: %s: %s", field, message);
  return s_receipt(tx, MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED, NULL, NULL, &errs);
}

/* Encode an envelope with `set` filling its body, store it in the outbox for
 * target, and keep a copy for the loop to send. An envelope larger than one
 * frame (a pack grown by several full agency answers) is stored and sent as
 * parts (mash_codec_encode_parts) that the receiver reassembles: what the
 * broker has accepted is never refused for the size of what it produces. */
int mash_tx_emit(mash_tx_t *tx, mash_store_t *store, const char *target, Mash__V1__Envelope *env) {
  char whole_id[MASH_UUID_LEN + 1];
  if (mash_uuid_new(whole_id) != 0) {
    return -EIO;
  }
  mash_envelope_init(env, whole_id, tx->now_ms);
  uint8_t **parts = NULL;
  size_t *lens = NULL, n = 0;
  int rc = mash_codec_encode_parts(env, &parts, &lens, &n);
  if (rc < 0) {
    return rc;
  }
  if (tx->n_msgs + n > MASH_TX_MAX_MSGS) {
    mash_codec_parts_free(parts, lens, n);
    return -ENOSPC;
  }
  size_t first = tx->n_msgs;
  for (size_t i = 0; i < n && rc == 0; i++) {
    mash_tx_msg_t *m = &tx->msgs[tx->n_msgs];
    if (n == 1) {
      snprintf(m->message_id, sizeof m->message_id, "%s", whole_id);
    } else {
      snprintf(m->message_id, sizeof m->message_id, "%s.%zu", whole_id, i);
    }
    snprintf(m->target, sizeof m->target, "%s", target);
    rc = mash_store_outbox_insert(store, m->message_id, target, parts[i], lens[i], tx->now_ms);
    if (rc == 0) {
      m->frame = parts[i];
      m->len = lens[i];
      parts[i] = NULL;
      tx->n_msgs++;
    }
  }
  if (rc < 0) {
    /* The transaction rolls back: forget what this call added. */
    for (size_t i = first; i < tx->n_msgs; i++) {
      free(tx->msgs[i].frame);
      tx->msgs[i].frame = NULL;
    }
    tx->n_msgs = first;
  }
  mash_codec_parts_free(parts, lens, n);
  env->message_id = (char *)""; /* whole_id ends here; the ids are in tx->msgs */
  return rc;
}

/* Replay the stored answer to a message seen before. 1 replayed, 0 new. */
static int s_replay(mash_tx_t *tx, mash_store_t *store) {
  uint8_t *res = NULL;
  size_t len = 0;
  int rc = mash_store_inbox_get(store, tx->principal, tx->message_id, &res, &len);
  if (rc <= 0) {
    return rc;
  }
  Mash__V1__Receipt *r = mash__v1__receipt__unpack(NULL, len, res);
  free(res);
  if (!r) {
    return -EBADMSG;
  }
  /* The same answer, marked as a duplicate when it had been accepted. */
  Mash__V1__ReceiptStatus st = r->status == MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED
                                   ? MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_DUPLICATE
                                   : r->status;
  mash_errors_t errs;
  memset(&errs, 0, sizeof errs);
  for (size_t i = 0; i < r->n_errors; i++) {
    mash_errors_add(&errs, r->errors[i]->field, "%s", r->errors[i]->message);
  }
  rc = s_receipt(tx, st, r->contact_id, r->enquiry_id, &errs);
  snprintf(tx->note, sizeof tx->note, "message %s from %s seen before", tx->message_id,
           tx->principal);
  mash__v1__receipt__free_unpacked(r, NULL);
  return rc < 0 ? rc : 1;
}

/* Keep the receipt so that a resend gets the same one. A refusal is kept
 * for MASH_TX_REFUSED_RETENTION_MS only: a peer sending refused commands
 * must not grow the store without bound (issue 13). */
static int s_remember(mash_tx_t *tx, mash_store_t *store) {
  if (tx->receipt_status == MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_REJECTED) {
    return mash_store_inbox_refused(store, tx->principal, tx->message_id, tx->receipt,
                                    tx->receipt_len, tx->now_ms,
                                    tx->now_ms - MASH_TX_REFUSED_RETENTION_MS);
  }
  return mash_store_inbox_put(store, tx->principal, tx->message_id, tx->receipt, tx->receipt_len,
                              tx->now_ms);
}

/* ------------------------------------------------------------ loading */

/* The one answer to an agency for a request id that is not its own. */
#define S_NOT_YOURS_TEXT "no request with this id is addressed to you"

/* s_load_contact's state for a contact whose people are not resolved yet. */
#define S_STATE_UNRESOLVED (-1)
#define S_UNRESOLVED_TEXT                                                                          \
  "this contact is still being matched to the people the hub knows; try again"

static Mash__V1__Contact *s_load_contact(mash_store_t *store, const char *contact_id, int *state,
                                         int *rc) {
  mash_contact_row_t row;
  *rc = mash_store_contact_get(store, contact_id, &row);
  if (*rc < 0) {
    return NULL;
  }
  Mash__V1__Contact *c = mash__v1__contact__unpack(NULL, row.len, row.blob);
  free(row.blob);
  if (!c) {
    *rc = -EBADMSG;
    return NULL;
  }
  /* Stored without its id: the unpacked id is protobuf-c's static empty
   * string unless a (foreign) blob carried one. */
  if (c->contact_id != protobuf_c_empty_string) {
    free(c->contact_id);
  }
  c->contact_id = strdup(row.contact_id);
  if (!c->contact_id) {
    mash__v1__contact__free_unpacked(c, NULL);
    *rc = -ENOMEM;
    return NULL;
  }
  if (state) {
    *state = row.unresolved ? S_STATE_UNRESOLVED : row.state;
  }
  return c;
}

typedef struct {
  mash_pack_request_t *reqs;
  char (*ids)[2][MASH_PRINCIPAL_LEN];
  size_t n, cap;
  int rc;
} s_reqs_t;

static int s_collect_req(mash_request_row_t *row, void *arg) {
  s_reqs_t *c = arg;
  if (c->n == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 8;
    mash_pack_request_t *nr = realloc(c->reqs, cap * sizeof *nr);
    char(*ni)[2][MASH_PRINCIPAL_LEN] = nr ? realloc(c->ids, cap * sizeof *ni) : NULL;
    if (nr) {
      c->reqs = nr;
    }
    if (!ni) {
      c->rc = -ENOMEM;
      return 1;
    }
    c->ids = ni;
    c->cap = cap;
  }
  mash_pack_request_t *r = &c->reqs[c->n];
  memset(r, 0, sizeof *r);
  snprintf(c->ids[c->n][0], MASH_PRINCIPAL_LEN, "%s", row->request_id);
  snprintf(c->ids[c->n][1], MASH_PRINCIPAL_LEN, "%s", row->agency);
  r->requested_at_ms = row->requested_at_ms;
  r->due_at_ms = row->due_at_ms;
  r->answered_at_ms = row->answered_at_ms;
  r->level = row->level;
  if (row->response) {
    r->response = mash__v1__enquiry_response__unpack(NULL, row->len, row->response);
    if (!r->response) {
      c->rc = -EBADMSG;
      return 1;
    }
  }
  c->n++;
  return 0;
}

static void s_reqs_free(s_reqs_t *c) {
  for (size_t i = 0; i < c->n; i++) {
    if (c->reqs[i].response) {
      mash__v1__enquiry_response__free_unpacked(c->reqs[i].response, NULL);
    }
  }
  free(c->reqs);
  free(c->ids);
}

typedef struct {
  Mash__V1__EscalationEvent **evs;
  size_t n, cap;
  int rc;
} s_escs_t;

static int s_collect_esc(const uint8_t *blob, size_t len, void *arg) {
  s_escs_t *c = arg;
  if (c->n == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 8;
    Mash__V1__EscalationEvent **n = realloc(c->evs, cap * sizeof *n);
    if (!n) {
      c->rc = -ENOMEM;
      return 1;
    }
    c->evs = n;
    c->cap = cap;
  }
  c->evs[c->n] = mash__v1__escalation_event__unpack(NULL, len, blob);
  if (!c->evs[c->n]) {
    c->rc = -EBADMSG;
    return 1;
  }
  c->n++;
  return 0;
}

static void s_escs_free(s_escs_t *c) {
  for (size_t i = 0; i < c->n; i++) {
    mash__v1__escalation_event__free_unpacked(c->evs[i], NULL);
  }
  free(c->evs);
}

/* Assemble the next version of the enquiry's pack and put it in the outbox
 * for the hub desk. */
int mash_tx_issue_pack(mash_tx_t *tx, mash_store_t *store, const char *enquiry_id) {
  mash_enquiry_row_t e;
  int rc = mash_store_enquiry_get(store, enquiry_id, &e);
  if (rc < 0) {
    return rc;
  }
  Mash__V1__ScreeningDecision *d = mash__v1__screening_decision__unpack(NULL, e.len, e.decision);
  free(e.decision);
  Mash__V1__Contact *c = d ? s_load_contact(store, e.contact_id, NULL, &rc) : NULL;
  s_reqs_t reqs;
  s_escs_t escs;
  memset(&reqs, 0, sizeof reqs);
  memset(&escs, 0, sizeof escs);
  if (!d) {
    rc = -EBADMSG;
  }
  if (rc == 0) {
    rc = mash_store_requests_of_enquiry(store, enquiry_id, s_collect_req, &reqs);
    rc = rc ? rc : reqs.rc;
  }
  if (rc == 0) {
    rc = mash_store_escalations_of_enquiry(store, enquiry_id, s_collect_esc, &escs);
    rc = rc ? rc : escs.rc;
  }
  mash_resolve_family_t fam;
  memset(&fam, 0, sizeof fam);
  bool family_missing = false;
  if (rc == 0) {
    rc = mash_resolve_family(store, e.contact_id, c->received_at_ms, &fam);
    if (rc == -EBADMSG) {
      /* A record that cannot be read must not hold back the agencies'
       * answers: the pack goes without the family, and the log says so. */
      family_missing = true;
      rc = 0;
    }
  }
  if (rc == 0) {
    for (size_t i = 0; i < reqs.n; i++) {
      reqs.reqs[i].request_id = reqs.ids[i][0];
      reqs.reqs[i].agency = reqs.ids[i][1];
    }
    mash_pack_input_t in = {.enquiry_id = e.enquiry_id,
                            .contact = c,
                            .decision = d,
                            .requests = reqs.reqs,
                            .nrequests = reqs.n,
                            .escalations = escs.evs,
                            .nescalations = escs.n,
                            .version = e.pack_version + 1,
                            .issued_at_ms = tx->now_ms,
                            .household = fam.others,
                            .nhousehold = fam.n_others,
                            .prior = fam.prior,
                            .nprior = fam.n_prior,
                            .domestic_abuse_12m = fam.domestic_abuse_12m,
                            .potential_escalation = fam.potential_escalation};
    mash_pack_t pack;
    rc = mash_pack_assemble(&in, &pack);
    if (rc == 0) {
      Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
      env.body_case = MASH__V1__ENVELOPE__BODY_PACK;
      env.pack = &pack.pack;
      rc = mash_tx_emit(tx, store, S_HUB_TARGET, &env);
      if (rc == 0) {
        rc = mash_store_enquiry_update(store, enquiry_id, e.pack_version + 1, e.closed_at_ms,
                                       tx->now_ms);
      }
      /* The decision window opens with the first pack (DESIGN.md §3). */
      if (rc == 0 && e.pack_version == 0 && e.closed_at_ms == 0) {
        rc = mash_tx_duty_open(
            tx, store, MASH_DUTY_DECISION, e.contact_id, e.rag, tx->now_ms,
            mash_deadline_decision_due(tx->env->policy, tx->env->calendar, tx->now_ms));
      }
      size_t off = strlen(tx->note);
      snprintf(tx->note + off, sizeof tx->note - off, "; pack %s v%u%s%s", enquiry_id,
               e.pack_version + 1, pack.pack.partial ? " (partial)" : "",
               family_missing ? " WITHOUT THE FAMILY: a person record is unreadable" : "");
      mash_pack_release(&pack);
    }
  }
  s_reqs_free(&reqs);
  s_escs_free(&escs);
  mash_resolve_family_free(&fam);
  if (c) {
    mash__v1__contact__free_unpacked(c, NULL);
  }
  if (d) {
    mash__v1__screening_decision__free_unpacked(d, NULL);
  }
  return rc;
}

/* ------------------------------------------------------------ screening */

static int s_agency_known(const mash_enquiry_env_t *env, const char *name) {
  const mash_key_t *k = mash_trust_find_principal(env->trust, name);
  return k && strcmp(k->role, "agency") == 0;
}

int mash_tx_screen(mash_tx_t *tx, mash_store_t *store) {
  Mash__V1__ScreeningDecision *d = mash__v1__screening_decision__unpack(NULL, tx->len, tx->body);
  if (!d) {
    return s_refuse(tx, "screening", "does not decode");
  }
  int state = 0, rc = 0;
  Mash__V1__Contact *c = s_load_contact(store, d->contact_id, &state, &rc);
  if (rc == -ENOENT) {
    rc = s_refuse(tx, "screening.contact_id", "no such contact");
    goto out;
  }
  if (rc < 0) {
    goto out;
  }
  if (state == S_STATE_UNRESOLVED) {
    /* Not delivered yet, so only a guessed id gets here. */
    rc = s_refuse(tx, "screening.contact_id", S_UNRESOLVED_TEXT);
    goto out;
  }
  if (state != MASH_CONTACT_RECEIVED) {
    rc = s_refuse(tx, "screening.contact_id", "this contact has already been screened");
    goto out;
  }
  int enquire = d->rag != MASH__V1__RAG__RAG_BLUE && d->n_agencies > 0;
  if (d->rag != MASH__V1__RAG__RAG_BLUE && d->n_agencies == 0) {
    rc = s_refuse(tx, "screening.agencies", "a red, amber or green rating needs agencies to ask");
    goto out;
  }
  if (d->rag == MASH__V1__RAG__RAG_BLUE && d->n_agencies > 0) {
    rc = s_refuse(tx, "screening.agencies", "blue (information only) opens no enquiry");
    goto out;
  }
  /* Consent: every enquiry records it, with a lawful basis (the codec has
   * checked the fields are present; this is the broker's own refusal). */
  if (enquire &&
      (!d->consent || d->consent->status == MASH__V1__CONSENT_STATUS__CONSENT_STATUS_UNSPECIFIED ||
       d->consent->lawful_basis == MASH__V1__LAWFUL_BASIS__LAWFUL_BASIS_UNSPECIFIED)) {
    rc = s_refuse(tx, "screening.consent",
                  "an enquiry needs a consent record: given, refused or not sought, with the "
                  "reason and the lawful basis");
    goto out;
  }
  for (size_t i = 0; i < d->n_agencies; i++) {
    if (!s_agency_known(tx->env, d->agencies[i])) {
      char field[48];
      snprintf(field, sizeof field, "screening.agencies[%zu]", i);
      rc = s_refuse(tx, field, "not an agency in the broker's trust list");
      goto out;
    }
  }
  char enquiry_id[MASH_ITEM_ID_LEN] = "";
  rc = mash_store_contact_set_state(store, d->contact_id,
                                    enquire ? MASH_CONTACT_ENQUIRING : MASH_CONTACT_SCREENED,
                                    tx->now_ms, 0);
  if (rc == 0 && enquire) {
    rc = mash_store_enquiry_insert(store, d->contact_id, d->rag, (int)d->consent->status,
                                   tx->now_ms, tx->body, tx->len, enquiry_id);
  }
  const Mash__V1__Notification *note = c->notification;
  size_t nsub = note ? note->n_children + note->n_adults : 0;
  Mash__V1__Person **subjects = calloc(nsub ? nsub : 1, sizeof *subjects);
  if (!subjects) {
    rc = -ENOMEM;
  }
  for (size_t i = 0; note && subjects && i < note->n_children; i++) {
    subjects[i] = note->children[i];
  }
  for (size_t i = 0; note && subjects && i < note->n_adults; i++) {
    subjects[note->n_children + i] = note->adults[i];
  }
  int64_t due =
      enquire ? mash_deadline_reply_due(tx->env->policy, tx->env->calendar, d->rag, tx->now_ms) : 0;
  for (size_t i = 0; rc == 0 && enquire && i < d->n_agencies; i++) {
    char request_id[MASH_ITEM_ID_LEN];
    rc = mash_store_request_insert(store, enquiry_id, d->agencies[i], d->rag, tx->now_ms, due,
                                   request_id);
    if (rc < 0) {
      break;
    }
    Mash__V1__EnquiryRequest req = MASH__V1__ENQUIRY_REQUEST__INIT;
    req.request_id = request_id;
    req.enquiry_id = enquiry_id;
    req.contact_id = d->contact_id;
    req.rag = d->rag;
    req.requested_at_ms = tx->now_ms;
    req.due_at_ms = due;
    req.n_subjects = nsub;
    req.subjects = subjects;
    req.question = d->rationale;
    req.consent = d->consent;
    Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
    env.body_case = MASH__V1__ENVELOPE__BODY_ENQUIRY_REQUEST;
    env.enquiry_request = &req;
    rc = mash_tx_emit(tx, store, d->agencies[i], &env);
    if (rc == 0) {
      rc = mash_tx_duty_open(tx, store, MASH_DUTY_REQUEST, request_id, d->rag, tx->now_ms, due);
    }
  }
  free(subjects);
  /* Screened: the screening duty is done; without an enquiry the decision
   * window opens now (with one, at the first pack). */
  if (rc == 0) {
    rc = mash_tx_duty_close(tx, store, MASH_DUTY_SCREENING, d->contact_id);
  }
  if (rc == 0 && !enquire) {
    rc = mash_tx_duty_open(
        tx, store, MASH_DUTY_DECISION, d->contact_id, d->rag, tx->now_ms,
        mash_deadline_decision_due(tx->env->policy, tx->env->calendar, tx->now_ms));
  }
  if (rc == 0) {
    rc = s_receipt(tx, MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED, d->contact_id, enquiry_id,
                   NULL);
  }
  if (rc == 0) {
    rc = s_remember(tx, store);
    snprintf(tx->note, sizeof tx->note, "contact %s screened by %s%s%s (%zu agencies)",
             d->contact_id, tx->principal, enquire ? ": enquiry " : ", no enquiry", enquiry_id,
             d->n_agencies);
  }
out:
  if (c) {
    mash__v1__contact__free_unpacked(c, NULL);
  }
  mash__v1__screening_decision__free_unpacked(d, NULL);
  return rc;
}

/* ------------------------------------------------------------ answers */

int mash_tx_answer(mash_tx_t *tx, mash_store_t *store) {
  Mash__V1__EnquiryResponse *r = mash__v1__enquiry_response__unpack(NULL, tx->len, tx->body);
  if (!r) {
    return s_refuse(tx, "enquiry_response", "does not decode");
  }
  mash_request_row_t row;
  int rc = mash_store_request_get(store, r->request_id, &row);
  if (rc < 0 && rc != -ENOENT) {
    goto out;
  }
  if (rc == 0) {
    free(row.response);
  }
  int missing = rc == -ENOENT;
  if (missing || strcmp(row.agency, tx->principal) != 0) {
    /* Identity is the CURVE key's principal: an agency not asked may not
     * answer, whatever the message says. A request that does not exist and
     * one addressed to another agency get one answer, so no agency can
     * learn which request ids exist (or whom they ask) by trying them. The
     * broker's own log says which it was. */
    rc = s_refuse(tx, "enquiry_response.request_id", S_NOT_YOURS_TEXT);
    snprintf(tx->note, sizeof tx->note, "refused: %s answered %s: %s", tx->principal, r->request_id,
             missing ? "no such request" : "addressed to another agency");
    goto out;
  }
  if (row.answered_at_ms != 0) {
    rc = s_receipt(tx, MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_DUPLICATE, NULL, row.enquiry_id,
                   NULL);
    snprintf(tx->note, sizeof tx->note, "%s answered %s again: stored once", tx->principal,
             row.request_id);
    goto out;
  }
  rc = mash_store_request_answer(store, row.request_id, tx->now_ms, tx->body, tx->len);
  if (rc == 0) {
    rc = mash_tx_duty_close(tx, store, MASH_DUTY_REQUEST, row.request_id);
  }
  snprintf(tx->note, sizeof tx->note, "%s answered %s of %s%s", tx->principal, row.request_id,
           row.enquiry_id, tx->now_ms > row.due_at_ms ? " (late)" : "");
  if (rc == 0) {
    /* The pack goes out when every agency has answered, or again (a new
     * version) when an answer comes after a partial pack was issued. */
    s_reqs_t reqs;
    memset(&reqs, 0, sizeof reqs);
    rc = mash_store_requests_of_enquiry(store, row.enquiry_id, s_collect_req, &reqs);
    rc = rc ? rc : reqs.rc;
    int complete = rc == 0 && mash_pack_complete(reqs.reqs, reqs.n);
    s_reqs_free(&reqs);
    mash_enquiry_row_t e;
    if (rc == 0) {
      rc = mash_store_enquiry_get(store, row.enquiry_id, &e);
      free(e.decision);
    }
    if (rc == 0 && (complete || e.pack_version > 0)) {
      rc = mash_tx_issue_pack(tx, store, row.enquiry_id);
    }
  }
  if (rc == 0) {
    rc = s_receipt(tx, MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED, NULL, row.enquiry_id,
                   NULL);
  }
out:
  if (rc == 0 && tx->receipt) {
    rc = s_remember(tx, store);
  }
  mash__v1__enquiry_response__free_unpacked(r, NULL);
  return rc;
}

/* ------------------------------------------------------------ outcome */

static int s_close_request_cb(mash_request_row_t *row, void *arg) {
  void **a = arg;
  if (row->answered_at_ms != 0) {
    return 0;
  }
  int rc = mash_tx_duty_close(a[0], a[1], MASH_DUTY_REQUEST, row->request_id);
  *(int *)a[2] = rc;
  return rc != 0;
}

/* The enquiry is closed: its unanswered requests' duties are done. */
static int s_close_request_duties(mash_tx_t *tx, mash_store_t *store, const char *enquiry_id) {
  int cb_rc = 0;
  void *a[3] = {tx, store, &cb_rc};
  int rc = mash_store_requests_of_enquiry(store, enquiry_id, s_close_request_cb, a);
  return rc ? rc : cb_rc;
}

int mash_tx_outcome(mash_tx_t *tx, mash_store_t *store) {
  Mash__V1__OutcomeDecision *o = mash__v1__outcome_decision__unpack(NULL, tx->len, tx->body);
  if (!o) {
    return s_refuse(tx, "outcome", "does not decode");
  }
  mash_contact_row_t row;
  int rc = mash_store_contact_get(store, o->contact_id, &row);
  if (rc == -ENOENT) {
    rc = s_refuse(tx, "outcome.contact_id", "no such contact");
    goto out;
  }
  if (rc < 0) {
    goto out;
  }
  free(row.blob);
  if (row.unresolved) {
    rc = s_refuse(tx, "outcome.contact_id", S_UNRESOLVED_TEXT);
    goto out;
  }
  if (row.state == MASH_CONTACT_DECIDED) {
    rc = s_refuse(tx, "outcome.contact_id", "this contact has already been decided");
    goto out;
  }
  if (row.state == MASH_CONTACT_RECEIVED) {
    /* A decision stands on a screening: the RAG rating and the consent
     * record (blue included). */
    rc = s_refuse(tx, "outcome.contact_id",
                  "this contact has not been screened: record the screening (RAG rating and "
                  "consent) before the decision");
    goto out;
  }
  rc = mash_store_contact_set_state(store, o->contact_id, MASH_CONTACT_DECIDED, tx->now_ms,
                                    (int)o->outcome);
  char enquiry_id[MASH_ITEM_ID_LEN] = "";
  if (rc == 0 && mash_store_enquiry_of_contact(store, o->contact_id, enquiry_id) == 0) {
    mash_enquiry_row_t e;
    rc = mash_store_enquiry_get(store, enquiry_id, &e);
    free(e.decision);
    if (rc == 0 && e.closed_at_ms == 0) {
      rc = mash_store_enquiry_update(store, enquiry_id, e.pack_version, tx->now_ms, tx->now_ms);
      if (rc == 0) {
        rc = s_close_request_duties(tx, store, enquiry_id);
      }
    }
  }
  if (rc == 0) {
    rc = mash_tx_duty_close(tx, store, MASH_DUTY_DECISION, o->contact_id);
  }
  if (rc == 0) {
    rc = s_receipt(tx, MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED, o->contact_id, enquiry_id,
                   NULL);
    snprintf(tx->note, sizeof tx->note, "contact %s decided (outcome %d)%s%s", o->contact_id,
             (int)o->outcome, enquiry_id[0] ? ", closing " : "", enquiry_id);
  }
out:
  if (rc == 0 && tx->receipt) {
    rc = s_remember(tx, store);
  }
  mash__v1__outcome_decision__free_unpacked(o, NULL);
  return rc;
}

/* ------------------------------------------------------------ possible matches */

int mash_tx_match(mash_tx_t *tx, mash_store_t *store) {
  Mash__V1__MatchDecision *m = mash__v1__match_decision__unpack(NULL, tx->len, tx->body);
  if (!m) {
    return s_refuse(tx, "match_decision", "does not decode");
  }
  mash_match_row_t row;
  bool known = mash_store_match_get(store, m->match_id, &row) == 0;
  int rc = mash_resolve_decide(store, m->match_id, m->confirm, tx->principal, tx->body, tx->len,
                               tx->now_ms);
  if (rc == -ENOENT) {
    rc = s_refuse(tx, "match_decision.match_id", "no such possible match");
  } else if (rc == -EALREADY) {
    rc = s_refuse(tx, "match_decision.match_id", "this match has already been decided");
  } else if (rc == -EPERM) {
    rc = s_refuse(tx, "match_decision.confirm",
                  "the two records are people of one notification, so two people");
  } else if (rc == 0) {
    rc = s_receipt(tx, MASH__V1__RECEIPT_STATUS__RECEIPT_STATUS_ACCEPTED, NULL, NULL, NULL);
    snprintf(tx->note, sizeof tx->note, "match %s %s", m->match_id,
             m->confirm ? "confirmed: records merged" : "rejected: records kept apart");
    if (known) {
      const char *people[2] = {row.candidate_id, m->confirm ? NULL : row.person_id};
      rc = mash_tx_match_outcome(tx, store, &row, m->confirm, m->decided_by);
      rc = rc ? rc : mash_tx_reissue_packs(tx, store, people);
    }
  }
  if (rc == 0 && tx->receipt) {
    rc = s_remember(tx, store);
  }
  mash__v1__match_decision__free_unpacked(m, NULL);
  return rc;
}

/* Every kind's function: the broker's own, then the message table's. */
typedef int (*s_tx_fn_t)(mash_tx_t *tx, mash_store_t *store);
static const s_tx_fn_t s_by_kind[MASH_TX_KINDS] = {
    [MASH_TX_ESCALATE] = mash_tx_escalate,
#define MASH_MESSAGE(field, CASE, validator, sender, who, handler, tx) [MASH_TX_##CASE] = tx,
#include "messages.def"
#undef MASH_MESSAGE
};

int mash_tx_run(mash_store_t *store, mash_storage_op_t *op) {
  mash_tx_t *tx = (mash_tx_t *)op;
  s_clear_out(tx);
  tx->note[0] = '\0';
  s_tx_fn_t fn = tx->kind > MASH_TX_NONE && tx->kind < MASH_TX_KINDS ? s_by_kind[tx->kind] : NULL;
  if (fn == NULL) {
    return -EINVAL;
  }
  /* A request from a peer runs once per message id: a resend gets the
   * first outcome again (s_replay) and changes nothing. */
  if (tx->kind > MASH_TX_ESCALATE) {
    int rc = s_replay(tx, store);
    if (rc != 0) {
      return rc < 0 ? rc : 0;
    }
  }
  int rc = fn(tx, store);
  if (rc < 0) {
    /* The savepoint undoes the writes: forget what was produced too. */
    s_clear_out(tx);
  }
  return rc;
}
