/* duty: the timed duties' transactions (DESIGN.md §4): opening and closing
 * a duty (screening, an agency request, the decision) with the enquiry
 * transactions that create and end them, and the ESCALATE transaction that
 * works a slice of due duties: for each, the duty's ladder (request,
 * screening or decision) says which steps fire now; each step is stored
 * (its sequence number is its place in the store) and put in the outbox for
 * the parties; the escalation log is appended from the store after commit
 * by its own thread (store/esclog_feed.h), never here; the
 * level reached and the next instant are stored with the duty, and the
 * loop re-arms its timetable from tx->watch after commit.
 *
 * Responsible for: the ladders' side effects, once each (stable escalation
 * ids), and the next instant of every open duty. Must not: touch sockets or
 * the loop, or log child data (ids only). Storage thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "txn_int.h"

/* A duty another broker's transaction holds is looked at again after this
 * long (its level is then the stored one, and fires nothing twice). */
#define S_CLAIMED_RETRY_MS 5000

/* Where a duty's window puts a permille (the ladder's callback). */
typedef struct s_window {
  const mash_enquiry_env_t *env;
  int kind;
  int rag;
  int64_t start_ms, due_ms;
} s_window_t;

static int64_t s_at(void *ctx, int permille) {
  const s_window_t *w = ctx;
  const mash_deadline_policy_t *p = w->env->policy;
  switch (w->kind) {
  case MASH_DUTY_SCREENING:
    return mash_deadline_window_at_fraction(&p->screening, w->env->calendar, w->start_ms, w->due_ms,
                                            permille);
  case MASH_DUTY_DECISION:
    return mash_deadline_window_at_fraction(&p->decision, w->env->calendar, w->start_ms, w->due_ms,
                                            permille);
  default: {
    int64_t at = mash_deadline_at_fraction(p, w->env->calendar, (Mash__V1__Rag)w->rag, w->start_ms,
                                           w->due_ms, permille);
    return at == 0 ? MASH_LADDER_NEVER : at; /* blue: no reply window */
  }
  }
}

static const mash_ladder_t *s_ladder(const mash_enquiry_env_t *env, int kind) {
  const mash_ladder_t *l = kind == MASH_DUTY_SCREENING  ? env->screening_ladder
                           : kind == MASH_DUTY_DECISION ? env->decision_ladder
                                                        : env->ladder;
  return l ? l : mash_ladder_default();
}

static const char *s_kind_name(int kind) {
  return kind == MASH_DUTY_SCREENING  ? "screening"
         : kind == MASH_DUTY_DECISION ? "decision"
                                      : "request";
}

int64_t mash_duty_first_at(const mash_enquiry_env_t *env, int kind, int rag, int64_t start_ms,
                           int64_t due_ms) {
  if (due_ms == 0 || due_ms == MASH_LADDER_NEVER) {
    return MASH_LADDER_NEVER;
  }
  s_window_t w = {env, kind, rag, start_ms, due_ms};
  mash_ladder_state_t st = {0};
  mash_ladder_result_t res;
  /* Asked at the window's start: the first step's instant (or the start
   * itself when a step is due at once). */
  mash_ladder_advance(s_ladder(env, kind), &st, s_at, &w, start_ms, &res);
  return res.n_actions ? start_ms : res.next_ms;
}

/* ------------------------------------------------------------ open, close */

static void s_watch(mash_tx_t *tx, uint64_t duty, int64_t next_at_ms) {
  if (next_at_ms == MASH_LADDER_NEVER) {
    return;
  }
  if (tx->n_watch < MASH_TX_MAX_WATCH) {
    tx->watch[tx->n_watch].duty = duty;
    tx->watch[tx->n_watch].next_at_ms = next_at_ms;
    tx->n_watch++;
  }
  /* Bounds in enquiry.h keep this from being reached; were it reached, the
   * duty would still fire after the next restart, which loads every open
   * duty from the store. */
}

int mash_tx_duty_open(mash_tx_t *tx, mash_store_t *store, int kind, const char *ref, int rag,
                      int64_t start_ms, int64_t due_ms) {
  int64_t next = mash_duty_first_at(tx->env, kind, rag, start_ms, due_ms);
  uint64_t duty = 0;
  int rc = mash_store_duty_open(store, kind, ref, rag, start_ms, due_ms, next, &duty);
  if (rc == -EEXIST) {
    return 0;
  }
  if (rc == 0) {
    s_watch(tx, duty, next);
  }
  return rc;
}

int mash_tx_duty_close(mash_tx_t *tx, mash_store_t *store, int kind, const char *ref) {
  mash_duty_row_t d;
  int rc = mash_store_duty_find(store, kind, ref, &d);
  if (rc == -ENOENT) {
    return 0;
  }
  if (rc < 0 || d.done_at_ms != 0) {
    return rc;
  }
  rc = mash_store_duty_done(store, d.duty, tx->now_ms);
  if (rc == 0 && tx->n_unwatch < MASH_TX_MAX_UNWATCH) {
    tx->unwatch[tx->n_unwatch++] = d.duty;
  }
  return rc;
}

/* ------------------------------------------------------------ escalation */

static int s_escalate_slice(mash_tx_t *tx, mash_store_t *store);

static int s_party_is_agency(const char *party) {
  return strncmp(party, "agency", 6) == 0;
}

/* What one duty is about, read from the store for its event. */
typedef struct s_subject {
  char enquiry_id[MASH_ITEM_ID_LEN];
  char request_id[MASH_ITEM_ID_LEN];
  char contact_id[MASH_CONTACT_ID_LEN];
  char agency[MASH_PRINCIPAL_LEN];
  unsigned pack_version;
} s_subject_t;

/* Fire one step: stored, logged, sent. */
static int s_fire(mash_tx_t *tx, mash_store_t *store, const mash_duty_row_t *d,
                  const s_subject_t *sub, const mash_ladder_action_t *a) {
  const mash_ladder_step_t *step = a->step;
  char escalation_id[MASH_ITEM_ID_LEN + 24];
  const char *tag = d->kind == MASH_DUTY_SCREENING  ? "-S"
                    : d->kind == MASH_DUTY_DECISION ? "-D"
                                                    : "";
  snprintf(escalation_id, sizeof escalation_id, "%s%s-L%u%s%.0u", d->ref, tag, a->level,
           a->repeat ? "-R" : "", a->repeat);
  char *parties[MASH_LADDER_MAX_PARTIES];
  int to_agency = 0, to_hub = 0;
  for (size_t p = 0; p < step->n_parties; p++) {
    parties[p] = (char *)step->parties[p];
    /* Only a request has an agency to tell; every other party is the hub's. */
    if (d->kind == MASH_DUTY_REQUEST && s_party_is_agency(step->parties[p])) {
      to_agency = 1;
    } else {
      to_hub = 1;
    }
  }
  Mash__V1__EscalationEvent ev = MASH__V1__ESCALATION_EVENT__INIT;
  ev.escalation_id = escalation_id;
  ev.enquiry_id = (char *)sub->enquiry_id;
  ev.request_id = (char *)sub->request_id;
  ev.contact_id = (char *)sub->contact_id;
  ev.agency = (char *)sub->agency;
  ev.level = a->level;
  ev.step = (char *)step->name;
  ev.n_parties = step->n_parties;
  ev.parties = parties;
  ev.due_at_ms = d->due_ms;
  ev.at_ms = tx->now_ms;
  ev.rag = (Mash__V1__Rag)d->rag;
  ev.duty = d->kind == MASH_DUTY_REQUEST ? (char *)"" : (char *)s_kind_name(d->kind);
  size_t len = mash__v1__escalation_event__get_packed_size(&ev);
  uint8_t *buf = malloc(len ? len : 1);
  if (!buf) {
    return -ENOMEM;
  }
  mash__v1__escalation_event__pack(&ev, buf);
  int rc = mash_store_escalation_insert(store, escalation_id, sub->enquiry_id, sub->request_id,
                                        a->level, tx->now_ms, buf, len);
  free(buf);
  if (rc == -EEXIST) {
    return 0; /* fired before (a restart between commit and the loop's update) */
  }
  if (rc == 0 && to_agency) {
    Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
    env.body_case = MASH__V1__ENVELOPE__BODY_ESCALATION;
    env.escalation = &ev;
    rc = mash_tx_emit(tx, store, sub->agency, &env);
  }
  if (rc == 0 && to_hub) {
    Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
    env.body_case = MASH__V1__ENVELOPE__BODY_ESCALATION;
    env.escalation = &ev;
    rc = mash_tx_emit(tx, store, MASH_TX_HUB_TARGET, &env);
  }
  if (rc == 0) {
    tx->n_escalations++;
    size_t off = strlen(tx->note);
    if (off < sizeof tx->note - 1) {
      snprintf(tx->note + off, sizeof tx->note - off, "%s%s level %u %s", off ? "; " : "",
               escalation_id, a->level, step->name);
    }
  }
  return rc;
}

/* Read what the duty is about. 1: it is over (answered, closed, decided)
 * and is closed here; 0: read; negative: an error. */
static int s_subject(mash_tx_t *tx, mash_store_t *store, const mash_duty_row_t *d,
                     mash_ladder_state_t *st, s_subject_t *sub) {
  memset(sub, 0, sizeof *sub);
  st->level = d->level;
  st->fired_at_ms = d->level_at_ms;
  st->closed = false;
  int rc;
  if (d->kind == MASH_DUTY_REQUEST) {
    mash_request_row_t row;
    rc = mash_store_request_get(store, d->ref, &row);
    if (rc < 0) {
      return rc;
    }
    free(row.response);
    if (row.answered_at_ms != 0 || row.closed) {
      rc = mash_store_duty_done(store, d->duty,
                                row.answered_at_ms ? row.answered_at_ms : tx->now_ms);
      return rc < 0 ? rc : 1;
    }
    /* The request's own columns hold its level (the pack shows it). */
    st->level = row.level;
    st->fired_at_ms = row.level_at_ms;
    snprintf(sub->request_id, sizeof sub->request_id, "%s", row.request_id);
    snprintf(sub->enquiry_id, sizeof sub->enquiry_id, "%s", row.enquiry_id);
    snprintf(sub->agency, sizeof sub->agency, "%s", row.agency);
    mash_enquiry_row_t e;
    rc = mash_store_enquiry_get(store, row.enquiry_id, &e);
    free(e.decision);
    if (rc < 0) {
      return rc;
    }
    snprintf(sub->contact_id, sizeof sub->contact_id, "%s", e.contact_id);
    sub->pack_version = e.pack_version;
    return 0;
  }
  snprintf(sub->contact_id, sizeof sub->contact_id, "%s", d->ref);
  if (d->kind == MASH_DUTY_DECISION &&
      mash_store_enquiry_of_contact(store, d->ref, sub->enquiry_id) != 0) {
    sub->enquiry_id[0] = '\0';
  }
  return 0;
}

/* Work one due duty. -ENOSPC: no room for its messages in this
 * transaction (the caller re-arms it at once for the next). */
static int s_escalate_one(mash_tx_t *tx, mash_store_t *store, uint64_t duty) {
  mash_duty_row_t d;
  /* Claimed, not just read: another broker's transaction working the same
   * duty (two nodes that both believe they are active) holds it, and this
   * one leaves it (-EBUSY) rather than fire its steps too. */
  int rc = mash_store_duty_claim(store, duty, &d);
  if (rc == -EBUSY) {
    mash_warn_limited("duty %llu is being worked by another broker's transaction: left to it, "
                      "looked at again in %d s",
                      (unsigned long long)duty, S_CLAIMED_RETRY_MS / 1000);
    s_watch(tx, duty, tx->now_ms + S_CLAIMED_RETRY_MS);
    return 0;
  }
  if (rc == -ENOENT || (rc == 0 && d.done_at_ms != 0)) {
    return 0; /* done since it was armed: it leaves the timetable */
  }
  if (rc < 0) {
    return rc;
  }
  mash_ladder_state_t st;
  s_subject_t sub;
  rc = s_subject(tx, store, &d, &st, &sub);
  if (rc != 0) {
    return rc < 0 ? rc : 0;
  }
  const mash_ladder_t *ladder = s_ladder(tx->env, d.kind);
  s_window_t w = {tx->env, d.kind, d.rag, d.start_ms, d.due_ms};
  mash_ladder_result_t res;
  mash_ladder_advance(ladder, &st, s_at, &w, tx->now_ms, &res);
  /* Two messages a step at most (agency, hub) and a pack. */
  if (tx->n_msgs + 2 * res.n_actions + 1 > MASH_TX_MAX_MSGS) {
    return -ENOSPC;
  }
  int issue_pack = 0;
  for (size_t i = 0; rc == 0 && i < res.n_actions; i++) {
    rc = s_fire(tx, store, &d, &sub, &res.actions[i]);
    if (d.kind == MASH_DUTY_REQUEST &&
        (res.actions[i].step->flags & MASH_LADDER_ISSUE_PARTIAL_PACK)) {
      issue_pack = 1;
    }
  }
  if (rc == 0 && d.kind == MASH_DUTY_REQUEST && res.n_actions) {
    rc = mash_store_request_set_level(store, d.ref, res.state.level, res.state.fired_at_ms);
  }
  if (rc == 0) {
    rc = mash_store_duty_set(store, d.duty, res.state.level, res.state.fired_at_ms, res.next_ms);
  }
  /* The partial pack, once: later answers re-issue it (enquiry.c). */
  if (rc == 0 && issue_pack && sub.pack_version == 0) {
    rc = mash_tx_issue_pack(tx, store, sub.enquiry_id);
  }
  if (rc == 0) {
    s_watch(tx, d.duty, res.next_ms);
  }
  return rc;
}

/* Record how far the escalation log is durable (its own thread appends it
 * after commit): a log later found ending before this was cut or deleted
 * (mashctl verify). A lower bound: the log may be further on. */
static int s_mark_log(mash_tx_t *tx, mash_store_t *store, int rc) {
  if (rc == 0 && tx->env->esclog_feed) {
    rc = mash_store_esclog_mark(store, mash_esclog_feed_durable_seq(tx->env->esclog_feed));
  }
  return rc;
}

int mash_tx_escalate(mash_tx_t *tx, mash_store_t *store) {
  return s_mark_log(tx, store, s_escalate_slice(tx, store));
}

/* Real time since some fixed point, in microseconds (the slice's budget
 * is the storage thread's own time, not the broker's clock, which a
 * rehearsal may run faster). */
static uint64_t s_real_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int s_escalate_slice(mash_tx_t *tx, mash_store_t *store) {
  uint64_t t0 = s_real_us();
  for (size_t i = 0; i < tx->n_due; i++) {
    /* Bounded by time as well as by count: intake waiting behind this
     * transaction waits at most about the budget (and the commit). The
     * rest go back to the timetable due at once and come in the next
     * slice; at least one duty is worked, so a backlog always moves. */
    if (i > 0 && s_real_us() - t0 > MASH_TX_SLICE_BUDGET_US) {
      for (; i < tx->n_due; i++) {
        s_watch(tx, tx->due[i], tx->now_ms);
      }
      return 0;
    }
    /* Each duty in its own savepoint would cost a statement each; instead
     * a failure fails the transaction and the loop re-arms every duty of
     * the slice (watch.c), so nothing is lost and nothing fires twice. */
    int rc = s_escalate_one(tx, store, tx->due[i]);
    if (rc == -ENOSPC) {
      for (; i < tx->n_due; i++) {
        s_watch(tx, tx->due[i], tx->now_ms);
      }
      return 0;
    }
    if (rc < 0) {
      return rc;
    }
  }
  return 0;
}
