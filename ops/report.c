/* report: OpsReport -> ops_model_t, EscalationEvent -> ops_event_t.
 * Must not: trust a count from the network: every list is cut at
 * OPS_MAX_ROWS. Any thread. */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"

#define S_COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src) ? (src) : "")

static size_t s_counts(ops_count_t *out, Mash__V1__OpsCount **in, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < n && k < OPS_MAX_ROWS; i++) {
    S_COPY(out[k].name, in[i]->name);
    out[k].value = in[i]->value;
    k++;
  }
  return k;
}

/* "name (n), name (n)" into out, as far as it fits. */
static void s_field_list(char *out, size_t cap, Mash__V1__OpsCount **in, size_t n) {
  size_t used = 0;
  out[0] = '\0';
  for (size_t k = 0; k < n; k++) {
    int w = snprintf(out + used, cap - used, "%s%s (%lld)", k ? ", " : "", in[k]->name,
                     (long long)in[k]->value);
    if (w < 0 || (size_t)w >= cap - used) {
      out[used] = '\0';
      break;
    }
    used += (size_t)w;
  }
}

static void s_dist(ops_dist_t *d, const Mash__V1__OpsDist *x) {
  if (x) {
    d->n = x->n;
    d->p50_ms = x->p50_ms;
    d->p90_ms = x->p90_ms;
  }
}

void ops_model_from_report(ops_model_t *m, const Mash__V1__OpsReport *r) {
  memset(m, 0, sizeof *m);
  m->linked = 1;
  m->store_ok = r->store_ok;
  m->now_ms = r->now_ms;
  m->started_at_ms = r->started_at_ms;
  for (size_t i = 0; i < r->n_open_work && m->n_open < 5; i++) {
    ops_open_t *o = &m->open[m->n_open++];
    o->rag = (int)r->open_work[i]->rag;
    o->count = r->open_work[i]->count;
    o->oldest_age_ms =
        r->open_work[i]->count ? r->now_ms - r->open_work[i]->oldest_received_at_ms : 0;
  }
  for (size_t i = 0; i < r->n_awaiting_screening && m->n_due < OPS_MAX_ROWS; i++) {
    ops_due_t *d = &m->due[m->n_due++];
    S_COPY(d->contact_id, r->awaiting_screening[i]->contact_id);
    d->received_at_ms = r->awaiting_screening[i]->received_at_ms;
    d->due_at_ms = r->awaiting_screening[i]->due_at_ms;
  }
  m->awaiting_screening = r->awaiting_screening_total;
  for (size_t i = 0; i < r->n_overdue && m->n_overdue < OPS_MAX_ROWS; i++) {
    ops_overdue_t *o = &m->overdue[m->n_overdue++];
    S_COPY(o->agency, r->overdue[i]->agency);
    o->level = r->overdue[i]->level;
    o->count = r->overdue[i]->count;
  }
  m->possible_match_backlog = r->possible_match_backlog;
  m->resolution_backlog = r->resolution_backlog;
  for (size_t i = 0; i < r->n_clients && m->n_agencies < OPS_MAX_ROWS; i++) {
    const Mash__V1__OpsClient *c = r->clients[i];
    ops_agency_t *a = &m->agencies[m->n_agencies++];
    S_COPY(a->principal, c->principal);
    S_COPY(a->role, c->role);
    a->connected = c->connected;
    a->last_seen_ms = c->last_seen_ms;
    a->outbox_depth = c->outbox_depth;
    a->rejected = c->rejected;
    s_field_list(a->reject_fields, sizeof a->reject_fields, c->rejected_fields,
                 c->n_rejected_fields);
    a->adapter_rejected = c->adapter_rejected;
    s_field_list(a->adapter_reject_fields, sizeof a->adapter_reject_fields,
                 c->adapter_rejected_fields, c->n_adapter_rejected_fields);
  }
  m->from_ms = r->from_ms;
  m->to_ms = r->to_ms;
  m->contacts = r->contacts;
  m->n_sources = s_counts(m->sources, r->contacts_by_source, r->n_contacts_by_source);
  s_dist(&m->to_screen, r->time_to_screen);
  s_dist(&m->to_pack, r->time_to_pack);
  s_dist(&m->to_decision, r->time_to_decision);
  m->open_enquiries = r->open_enquiries;
  m->overdue_requests = r->overdue_requests;
  m->n_levels = s_counts(m->levels, r->escalations_by_level, r->n_escalations_by_level);
  m->screened = r->screened;
  m->screened_in_window = r->screened_in_window;
  m->screening_window_ms = r->screening_window_ms;
  m->domestic_abuse = r->domestic_abuse;
  m->dash_complete = r->dash_complete;
  m->enquiries = r->enquiries;
  m->consent_recorded = r->consent_recorded;
  for (size_t i = 0; i < r->n_replies && m->n_replies < OPS_MAX_ROWS; i++) {
    ops_reply_t *p = &m->replies[m->n_replies++];
    S_COPY(p->agency, r->replies[i]->agency);
    p->rag = (int)r->replies[i]->rag;
    p->asked = r->replies[i]->asked;
    p->answered = r->replies[i]->answered;
    p->on_time = r->replies[i]->on_time;
  }
  m->n_counters = s_counts(m->counters, r->counters, r->n_counters);
  m->n_rejections = s_counts(m->rejections, r->rejections, r->n_rejections);
  m->n_outbox = s_counts(m->outbox, r->outbox_depth, r->n_outbox_depth);
  size_t nb = r->n_commit_buckets < r->n_commit_le_us ? r->n_commit_buckets : r->n_commit_le_us;
  for (size_t i = 0; i < nb && i < OPS_LATENCY_BUCKETS; i++) {
    m->commit_le_us[i] = r->commit_le_us[i];
    m->commit_buckets[i] = r->commit_buckets[i];
    m->n_commit_buckets = i + 1;
  }
  m->commit_count = r->commit_count;
  m->commit_sum_us = r->commit_sum_us;
}

void ops_event_from_escalation(ops_event_t *e, const Mash__V1__EscalationEvent *x) {
  memset(e, 0, sizeof *e);
  S_COPY(e->escalation_id, x->escalation_id);
  S_COPY(e->enquiry_id, x->enquiry_id);
  S_COPY(e->request_id, x->request_id);
  S_COPY(e->contact_id, x->contact_id);
  S_COPY(e->agency, x->agency);
  S_COPY(e->step, x->step);
  e->level = x->level;
  e->rag = (int)x->rag;
  e->at_ms = x->at_ms;
}

int ops_query_encode(int64_t from_ms, int64_t to_ms, char id[MASH_UUID_LEN + 1], uint8_t **buf,
                     size_t *len) {
  Mash__V1__Envelope env = MASH__V1__ENVELOPE__INIT;
  Mash__V1__OpsQuery q = MASH__V1__OPS_QUERY__INIT;
  q.from_ms = from_ms;
  q.to_ms = to_ms;
  env.body_case = MASH__V1__ENVELOPE__BODY_OPS_QUERY;
  env.ops_query = &q;
  if (mash_uuid_new(id) != 0) {
    return -1;
  }
  mash_envelope_init(&env, id, mash_clock_now_ms());
  return mash_codec_encode(&env, buf, len) == 0 ? 0 : -1;
}
