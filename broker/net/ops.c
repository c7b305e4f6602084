/* ops: OpsQuery in, OpsReport out, and the refusals per principal.
 * Responsible for: see ops.h. Must not: carry child data: every string in a
 * report is an id, a principal, a role, a field path or a level.
 * Loop thread; s_figures_fn runs on the storage thread and touches only its
 * own job. */
#include "ops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define S_PRINCIPALS 64

typedef struct s_seen {
  char principal[64];
  char role[16];
  int64_t at_ms;
  int silent; /* logged as disconnected */
} s_seen_t;

typedef struct s_refusals {
  char principal[64];
  int64_t window_start_ms; /* refused commands: the current window */
  unsigned window_n;
  int64_t n; /* notifications the broker refused */
  mash_ops_named_t fields[MASH_OPS_FIELDS];
  size_t n_fields;
  int64_t adapter_n; /* files the agency's adapter refused (AdapterRejection) */
  mash_ops_named_t adapter_fields[MASH_OPS_FIELDS];
  size_t n_adapter_fields;
} s_refusals_t;

struct mash_ops {
  int64_t started_at_ms, screening_ms;
  s_refusals_t refused[S_PRINCIPALS];
  size_t n_refused;
  s_seen_t seen[S_PRINCIPALS];
  size_t n_seen;
};

void mash_ops_seen(mash_ops_t *o, const char *principal, const char *role, int64_t now_ms) {
  s_seen_t *s = NULL;
  for (size_t i = 0; i < o->n_seen && !s; i++) {
    if (strcmp(o->seen[i].principal, principal) == 0) {
      s = &o->seen[i];
    }
  }
  if (!s) {
    if (o->n_seen == S_PRINCIPALS) {
      return;
    }
    s = &o->seen[o->n_seen++];
    snprintf(s->principal, sizeof s->principal, "%s", principal);
    snprintf(s->role, sizeof s->role, "%s", role);
  }
  if (s->silent) {
    s->silent = 0;
    mash_info("%s (%s) is heard again", s->principal, s->role);
  }
  s->at_ms = now_ms;
}

int64_t mash_ops_last_seen(const mash_ops_t *o, const char *principal) {
  for (size_t i = 0; i < o->n_seen; i++) {
    if (strcmp(o->seen[i].principal, principal) == 0) {
      return o->seen[i].at_ms;
    }
  }
  return 0;
}

void mash_ops_tick(mash_ops_t *o, int64_t now_ms, int64_t silent_ms) {
  for (size_t i = 0; i < o->n_seen; i++) {
    s_seen_t *s = &o->seen[i];
    if (!s->silent && now_ms - s->at_ms > silent_ms) {
      s->silent = 1;
      mash_warn("%s (%s) disconnected: nothing heard for %lld ms", s->principal, s->role,
                (long long)(now_ms - s->at_ms));
    }
  }
}

mash_ops_t *mash_ops_new(int64_t started_at_ms, int64_t screening_ms) {
  mash_ops_t *o = calloc(1, sizeof *o);
  if (o) {
    o->started_at_ms = started_at_ms;
    o->screening_ms = screening_ms;
  }
  return o;
}

void mash_ops_destroy(mash_ops_t **self_p) {
  if (self_p && *self_p) {
    free(*self_p);
    *self_p = NULL;
  }
}

/* "notification.children[3].sex" -> "notification.children[].sex". */
static void s_strip_indices(const char *in, char *out, size_t cap) {
  size_t k = 0;
  for (const char *p = in; *p && k + 1 < cap; p++) {
    out[k++] = *p;
    if (*p == '[') {
      while (p[1] >= '0' && p[1] <= '9') {
        p++;
      }
    }
  }
  out[k] = '\0';
}

/* principal's refusals, made when `make` (NULL when the table is full: the
 * trust list is far smaller; nothing to do but not grow). */
static s_refusals_t *s_refusals(mash_ops_t *o, const char *principal, int make) {
  for (size_t i = 0; i < o->n_refused; i++) {
    if (strcmp(o->refused[i].principal, principal) == 0) {
      return &o->refused[i];
    }
  }
  if (!make || o->n_refused == S_PRINCIPALS) {
    return NULL;
  }
  s_refusals_t *r = &o->refused[o->n_refused++];
  snprintf(r->principal, sizeof r->principal, "%s", principal);
  return r;
}

void mash_ops_note_refused_command(mash_ops_t *o, const char *principal, int64_t now_ms) {
  s_refusals_t *r = s_refusals(o, principal, 1);
  if (!r) {
    return;
  }
  if (now_ms - r->window_start_ms >= MASH_OPS_REFUSALS_WINDOW_MS || now_ms < r->window_start_ms) {
    r->window_start_ms = now_ms;
    r->window_n = 0;
  }
  r->window_n++;
}

int mash_ops_refusals_throttled(mash_ops_t *o, const char *principal, int64_t now_ms) {
  s_refusals_t *r = s_refusals(o, principal, 0);
  if (!r || now_ms - r->window_start_ms >= MASH_OPS_REFUSALS_WINDOW_MS ||
      now_ms < r->window_start_ms) {
    return 0;
  }
  return r->window_n >= MASH_OPS_REFUSALS_BURST;
}

/* Count one more refusal naming `field` (its indices stripped). */
static void s_count_field(mash_ops_named_t *fields, size_t *n, const char *field) {
  char name[64];
  s_strip_indices(field, name, sizeof name);
  size_t i = 0;
  while (i < *n && strcmp(fields[i].name, name) != 0) {
    i++;
  }
  if (i == *n) {
    if (*n == MASH_OPS_FIELDS) {
      return;
    }
    snprintf(fields[(*n)++].name, sizeof fields[0].name, "%s", name);
  }
  fields[i].n++;
}

void mash_ops_note_rejected(mash_ops_t *o, const char *principal, const mash_errors_t *errs) {
  s_refusals_t *r = s_refusals(o, principal, 1);
  if (!r) {
    return;
  }
  r->n++;
  for (size_t e = 0; errs && e < errs->count; e++) {
    s_count_field(r->fields, &r->n_fields, errs->items[e].field);
  }
}

void mash_ops_note_adapter_rejected(mash_ops_t *o, const char *principal, const char *fields) {
  s_refusals_t *r = s_refusals(o, principal, 1);
  if (!r) {
    return;
  }
  r->adapter_n++;
  for (const char *p = fields; p && *p;) {
    const char *end = strchr(p, '\n');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    char field[96];
    snprintf(field, sizeof field, "%.*s", (int)(n < sizeof field ? n : sizeof field - 1), p);
    if (field[0]) {
      s_count_field(r->adapter_fields, &r->n_adapter_fields, field);
    }
    p = end ? end + 1 : p + n;
  }
}

/* ---------------------------------------------------------------- report */

struct mash_ops_report {
  Mash__V1__OpsReport r;
  mash_ops_figures_t f;
  mash_ops_live_t live;
  s_refusals_t refused[MASH_OPS_CLIENTS];
  Mash__V1__OpsOpenWork open[5];
  Mash__V1__OpsOpenWork *openp[5];
  Mash__V1__OpsDue due[MASH_OPS_ROWS];
  Mash__V1__OpsDue *duep[MASH_OPS_ROWS];
  Mash__V1__OpsOverdue ovd[MASH_OPS_ROWS];
  Mash__V1__OpsOverdue *ovdp[MASH_OPS_ROWS];
  Mash__V1__OpsClient cl[MASH_OPS_CLIENTS];
  Mash__V1__OpsClient *clp[MASH_OPS_CLIENTS];
  Mash__V1__OpsCount clf[MASH_OPS_CLIENTS][MASH_OPS_FIELDS];
  Mash__V1__OpsCount *clfp[MASH_OPS_CLIENTS][MASH_OPS_FIELDS];
  Mash__V1__OpsCount aclf[MASH_OPS_CLIENTS][MASH_OPS_FIELDS];
  Mash__V1__OpsCount *aclfp[MASH_OPS_CLIENTS][MASH_OPS_FIELDS];
  Mash__V1__OpsCount src[MASH_OPS_ROWS];
  Mash__V1__OpsCount *srcp[MASH_OPS_ROWS];
  Mash__V1__OpsCount lvl[33];
  Mash__V1__OpsCount *lvlp[33];
  char lvlname[33][4];
  Mash__V1__OpsReply rep[MASH_OPS_ROWS];
  Mash__V1__OpsReply *repp[MASH_OPS_ROWS];
  Mash__V1__OpsCount named[3][MASH_OPS_CLIENTS];
  Mash__V1__OpsCount *namedp[3][MASH_OPS_CLIENTS];
  Mash__V1__OpsDist dist[3];
  int64_t le[MASH_STORAGE_COMMIT_BUCKETS], buckets[MASH_STORAGE_COMMIT_BUCKETS];
};

static size_t s_named(mash_ops_report_t *h, int which, const mash_ops_named_t *in, size_t n) {
  for (size_t i = 0; i < n && i < MASH_OPS_CLIENTS; i++) {
    mash__v1__ops_count__init(&h->named[which][i]);
    h->named[which][i].name = (char *)in[i].name;
    h->named[which][i].value = in[i].n;
    h->namedp[which][i] = &h->named[which][i];
  }
  return n < MASH_OPS_CLIENTS ? n : MASH_OPS_CLIENTS;
}

static Mash__V1__OpsDist *s_dist(Mash__V1__OpsDist *d, const mash_ops_dist_t *x) {
  mash__v1__ops_dist__init(d);
  d->n = x->n;
  d->p50_ms = x->p50_ms;
  d->p90_ms = x->p90_ms;
  return d;
}

static void s_now_part(mash_ops_report_t *h) {
  Mash__V1__OpsReport *r = &h->r;
  const mash_ops_figures_t *f = &h->f;
  for (int rag = 0; rag < 5; rag++) {
    mash__v1__ops_open_work__init(&h->open[rag]);
    h->open[rag].rag = (Mash__V1__Rag)rag;
    h->open[rag].count = f->open_count[rag];
    h->open[rag].oldest_received_at_ms = f->open_oldest_ms[rag];
    h->openp[rag] = &h->open[rag];
  }
  r->n_open_work = 5;
  r->open_work = h->openp;
  for (size_t i = 0; i < f->n_due; i++) {
    mash__v1__ops_due__init(&h->due[i]);
    h->due[i].contact_id = (char *)f->due[i].contact_id;
    h->due[i].received_at_ms = f->due[i].received_at_ms;
    h->due[i].due_at_ms = f->due[i].due_at_ms;
    h->duep[i] = &h->due[i];
  }
  r->n_awaiting_screening = f->n_due;
  r->awaiting_screening = h->duep;
  r->awaiting_screening_total = f->open_count[0];
  for (size_t i = 0; i < f->n_overdue; i++) {
    mash__v1__ops_overdue__init(&h->ovd[i]);
    h->ovd[i].agency = (char *)f->overdue[i].agency;
    h->ovd[i].level = f->overdue[i].level;
    h->ovd[i].count = f->overdue[i].n;
    h->ovdp[i] = &h->ovd[i];
  }
  r->n_overdue = f->n_overdue;
  r->overdue = h->ovdp;
  r->possible_match_backlog = f->possible_match_backlog;
  r->resolution_backlog = f->resolution_backlog;
  for (size_t i = 0; i < h->live.n_clients; i++) {
    const mash_ops_client_t *c = &h->live.clients[i];
    Mash__V1__OpsClient *x = &h->cl[i];
    mash__v1__ops_client__init(x);
    x->principal = (char *)c->principal;
    x->role = (char *)c->role;
    x->connected = c->connected;
    x->last_seen_ms = c->last_seen_ms;
    x->outbox_depth = c->outbox_depth;
    const s_refusals_t *ref = &h->refused[i];
    x->rejected = ref->n;
    for (size_t k = 0; k < ref->n_fields; k++) {
      mash__v1__ops_count__init(&h->clf[i][k]);
      h->clf[i][k].name = (char *)ref->fields[k].name;
      h->clf[i][k].value = ref->fields[k].n;
      h->clfp[i][k] = &h->clf[i][k];
    }
    x->n_rejected_fields = ref->n_fields;
    x->rejected_fields = h->clfp[i];
    x->adapter_rejected = ref->adapter_n;
    for (size_t k = 0; k < ref->n_adapter_fields; k++) {
      mash__v1__ops_count__init(&h->aclf[i][k]);
      h->aclf[i][k].name = (char *)ref->adapter_fields[k].name;
      h->aclf[i][k].value = ref->adapter_fields[k].n;
      h->aclfp[i][k] = &h->aclf[i][k];
    }
    x->n_adapter_rejected_fields = ref->n_adapter_fields;
    x->adapter_rejected_fields = h->aclfp[i];
    h->clp[i] = x;
  }
  r->n_clients = h->live.n_clients;
  r->clients = h->clp;
}

static void s_mi_part(mash_ops_report_t *h) {
  Mash__V1__OpsReport *r = &h->r;
  const mash_ops_figures_t *f = &h->f;
  r->contacts = f->contacts;
  for (size_t i = 0; i < f->n_sources; i++) {
    mash__v1__ops_count__init(&h->src[i]);
    h->src[i].name = (char *)f->sources[i].name;
    h->src[i].value = f->sources[i].n;
    h->srcp[i] = &h->src[i];
  }
  r->n_contacts_by_source = f->n_sources;
  r->contacts_by_source = h->srcp;
  r->time_to_screen = s_dist(&h->dist[0], &f->to_screen);
  r->time_to_pack = s_dist(&h->dist[1], &f->to_pack);
  r->time_to_decision = s_dist(&h->dist[2], &f->to_decision);
  r->open_enquiries = f->open_enquiries;
  r->overdue_requests = f->overdue_requests;
  size_t nl = 0;
  for (int level = 0; level <= 32; level++) {
    if (f->levels[level] > 0) {
      snprintf(h->lvlname[nl], sizeof h->lvlname[nl], "%d", level);
      mash__v1__ops_count__init(&h->lvl[nl]);
      h->lvl[nl].name = h->lvlname[nl];
      h->lvl[nl].value = f->levels[level];
      h->lvlp[nl] = &h->lvl[nl];
      nl++;
    }
  }
  r->n_escalations_by_level = nl;
  r->escalations_by_level = h->lvlp;
  r->screened = f->screened;
  r->screened_in_window = f->screened_in_window;
  r->domestic_abuse = f->domestic_abuse;
  r->dash_complete = f->dash_complete;
  r->enquiries = f->enquiries;
  r->consent_recorded = f->consent_recorded;
  for (size_t i = 0; i < f->n_replies; i++) {
    mash__v1__ops_reply__init(&h->rep[i]);
    h->rep[i].agency = (char *)f->replies[i].agency;
    h->rep[i].rag = (Mash__V1__Rag)f->replies[i].rag;
    h->rep[i].asked = f->replies[i].asked;
    h->rep[i].answered = f->replies[i].answered;
    h->rep[i].on_time = f->replies[i].on_time;
    h->repp[i] = &h->rep[i];
  }
  r->n_replies = f->n_replies;
  r->replies = h->repp;
}

mash_ops_report_t *mash_ops_report_new(const mash_ops_t *o, const mash_ops_figures_t *f,
                                       const mash_ops_live_t *live, int64_t from_ms, int64_t to_ms,
                                       Mash__V1__OpsReport **report) {
  mash_ops_report_t *h = calloc(1, sizeof *h);
  if (!h) {
    return NULL;
  }
  h->f = *f;
  h->live = *live;
  if (h->live.n_clients > MASH_OPS_CLIENTS) {
    h->live.n_clients = MASH_OPS_CLIENTS;
  }
  /* Each client's refusals, copied beside it (the table may change later). */
  for (size_t i = 0; i < h->live.n_clients; i++) {
    for (size_t k = 0; k < o->n_refused; k++) {
      if (strcmp(o->refused[k].principal, h->live.clients[i].principal) == 0) {
        h->refused[i] = o->refused[k];
      }
    }
  }
  Mash__V1__OpsReport *r = &h->r;
  mash__v1__ops_report__init(r);
  r->now_ms = live->now_ms;
  /* Started, on the broker's clock: uptime reads the same on every clock. */
  r->started_at_ms = live->now_ms - (live->wall_now_ms - o->started_at_ms);
  r->store_ok = live->store_ok;
  r->from_ms = from_ms;
  r->to_ms = to_ms;
  r->screening_window_ms = o->screening_ms;
  s_now_part(h);
  s_mi_part(h);
  r->n_counters = s_named(h, 0, h->live.counters, h->live.n_counters);
  r->counters = h->namedp[0];
  r->n_rejections = s_named(h, 1, h->live.rejections, h->live.n_rejections);
  r->rejections = h->namedp[1];
  r->n_outbox_depth = s_named(h, 2, h->live.outbox, h->live.n_outbox);
  r->outbox_depth = h->namedp[2];
  int64_t count = 0;
  for (size_t i = 0; i < MASH_STORAGE_COMMIT_BUCKETS; i++) {
    h->le[i] = (int64_t)mash_storage_commit_le_us[i];
    h->buckets[i] = (int64_t)live->storage.commit_buckets[i];
    count = h->buckets[i];
  }
  r->n_commit_le_us = r->n_commit_buckets = MASH_STORAGE_COMMIT_BUCKETS;
  r->commit_le_us = h->le;
  r->commit_buckets = h->buckets;
  r->commit_count = count;
  r->commit_sum_us = (int64_t)live->storage.commit_sum_us;
  *report = r;
  return h;
}

void mash_ops_report_free(mash_ops_report_t *h) {
  free(h);
}

/* ---------------------------------------------------------------- answer */

typedef struct s_job {
  mash_storage_op_t op; /* first: a mash_storage_op_t * is an s_job_t * */
  mash_ops_t *o;
  mash_ops_live_t live;
  mash_ops_figures_t figures;
  int64_t from_ms, to_ms;
  char correlation[MASH_MAX_ID_LEN + 1];
  uint8_t rid[256];
  size_t rid_len;
  mash_ops_done_cb done_cb;
  void *arg;
} s_job_t;

static int s_figures_fn(mash_store_t *store, mash_storage_op_t *op) {
  s_job_t *j = (s_job_t *)op;
  return mash_store_ops_figures(store, j->from_ms, j->to_ms, j->live.now_ms, j->o->screening_ms,
                                &j->figures);
}

static void s_done_cb(mash_storage_op_t *op) {
  s_job_t *j = (s_job_t *)op;
  Mash__V1__OpsReport *report = NULL;
  mash_ops_report_t *h = NULL;
  if (op->rc == 0) {
    h = mash_ops_report_new(j->o, &j->figures, &j->live, j->from_ms, j->to_ms, &report);
  }
  if (h) {
    Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
    env.correlation_id = j->correlation;
    env.body_case = MASH__V1__ENVELOPE__BODY_OPS_REPORT;
    env.ops_report = report;
    j->done_cb(j->arg, j->rid, j->rid_len, &env);
  } else {
    j->done_cb(j->arg, j->rid, j->rid_len, NULL);
  }
  mash_ops_report_free(h);
  free(j);
}

int mash_ops_answer(mash_ops_t *o, mash_storage_t *st, const mash_ops_live_t *live,
                    const Mash__V1__OpsQuery *q, const char *correlation, const uint8_t *rid,
                    size_t rid_len, mash_ops_done_cb done_cb, void *arg) {
  if (rid_len > sizeof((s_job_t *)0)->rid) {
    return -EINVAL;
  }
  s_job_t *j = calloc(1, sizeof *j);
  if (!j) {
    return -ENOMEM;
  }
  j->o = o;
  j->live = *live;
  j->from_ms = q->from_ms;
  j->to_ms = q->to_ms;
  snprintf(j->correlation, sizeof j->correlation, "%s", correlation);
  memcpy(j->rid, rid, rid_len);
  j->rid_len = rid_len;
  j->done_cb = done_cb;
  j->arg = arg;
  j->op.kind = MASH_OP_CALL;
  j->op.u.call.fn = s_figures_fn;
  j->op.done_cb = s_done_cb;
  mash_storage_submit_background(st, &j->op);
  return 0;
}
