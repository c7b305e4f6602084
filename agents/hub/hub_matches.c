/* hub_matches: the possible-match list's lines and JSON objects (see
 * hub_matches.h). Responsible for their wording and for keeping the
 * broker's text from steering the operator's terminal. Must not: do any
 * I/O, read the clock, or show anything but ids, a confidence and what
 * agreed. */
#include "hub_matches.h"

#include <string.h>

#include "hub_queue.h"
#include "hub_view.h"

static const char *s_or_empty(const char *s) {
  return s != NULL ? s : "";
}

bool hub_matches_is_possible(const Mash__V1__PersonLink *l) {
  return l != NULL && l->decision != NULL && strcmp(l->decision, HUB_MATCHES_POSSIBLE) == 0 &&
         l->match_id != NULL && l->match_id[0] != '\0';
}

void hub_matches_from_link(const Mash__V1__Contact *c, const Mash__V1__PersonLink *l,
                           int64_t fallback_ms, hub_match_t *out) {
  out->match_id = s_or_empty(l->match_id);
  out->contact_id = s_or_empty(c->contact_id);
  out->ref = s_or_empty(l->ref);
  out->person_id = s_or_empty(l->person_id);
  out->candidate_person_id = s_or_empty(l->candidate_person_id);
  out->confidence_permille = l->confidence_permille;
  out->why = s_or_empty(l->why);
  out->received_ms = c->received_at_ms > 0 ? c->received_at_ms : fallback_ms;
}

/* Milliseconds since the match's contact was received, -1 when not known;
 * a time ahead of now_ms (another machine's clock) is age 0. */
static int64_t s_age_ms(const hub_match_t *m, int64_t now_ms) {
  if (m->received_ms <= 0) {
    return -1;
  }
  return now_ms > m->received_ms ? now_ms - m->received_ms : 0;
}

void hub_matches_line(const hub_match_t *m, int64_t now_ms, char *out, size_t outlen) {
  hub_line_t l;
  hub_line_init(&l, out, outlen);
  if (m == NULL || l.full) {
    return;
  }
  hub_line_text(&l, m->match_id, false);
  hub_line_text(&l, "  ", false);
  hub_line_text(&l, m->contact_id, false);
  hub_line_text(&l, " ", false);
  hub_line_text(&l, m->ref, false);
  hub_line_text(&l, " -> ", false);
  hub_line_text(&l, m->candidate_person_id, false);
  hub_line_text(&l, " (new ", false);
  hub_line_text(&l, m->person_id, false);
  /* Rounded to hundredths: 995 permille and up show as 1.00. */
  unsigned hundredths = (unsigned)((m->confidence_permille + 5u) / 10u);
  hub_line_printf(&l, ")  confidence %u.%02u", hundredths / 100u, hundredths % 100u);
  if (m->why[0] != '\0') {
    hub_line_text(&l, "  ", false);
    hub_line_text(&l, m->why, false);
  }
  int64_t age = s_age_ms(m, now_ms);
  if (age < 0) {
    hub_line_text(&l, "  age ?", false);
  } else {
    char tmp[40];
    hub_queue_age(age, tmp, sizeof tmp);
    hub_line_text(&l, "  age ", false);
    hub_line_text(&l, tmp, false);
  }
}

json_t *hub_matches_json(const hub_match_t *m, int64_t now_ms) {
  json_t *o = hub_view_json_object(m);
  if (o == NULL) {
    return NULL;
  }
  bool ok = true;
  int64_t age = s_age_ms(m, now_ms);
  hub_view_json_set(o, "match_id", hub_view_json_text(m->match_id), &ok);
  hub_view_json_set(o, "contact_id", hub_view_json_text(m->contact_id), &ok);
  hub_view_json_set(o, "ref", hub_view_json_text(m->ref), &ok);
  hub_view_json_set(o, "person_id", hub_view_json_text(m->person_id), &ok);
  hub_view_json_set(o, "candidate_person_id", hub_view_json_text(m->candidate_person_id), &ok);
  hub_view_json_set(o, "confidence", json_real(m->confidence_permille / 1000.0), &ok);
  hub_view_json_set(o, "confidence_permille", json_integer(m->confidence_permille), &ok);
  hub_view_json_set(o, "why", hub_view_json_text(m->why), &ok);
  hub_view_json_set(o, "received_at",
                    m->received_ms > 0 ? hub_view_json_time(m->received_ms) : json_null(), &ok);
  hub_view_json_set(o, "age_ms", age >= 0 ? json_integer(age) : json_null(), &ok);
  if (!ok) {
    json_decref(o);
    return NULL;
  }
  return o;
}
