/* hub_view: how the hub desk shows a contact: one readable line for a
 * terminal and a JSON object with every field.
 *
 * Responsible for: showing enums by their words (names.h), formatting times as ISO
 * 8601 UTC, and making untrusted text safe to show (no control characters on
 * a terminal, valid UTF-8 in JSON).
 * Must not: do any I/O, log (the output holds names of children), or change
 * the contact. Safe from any thread.
 */
#include "hub_view.h"

#include "names.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dash.h"

/* ---------------------------------------------------------------- names */

const char *hub_view_agency_name(Mash__V1__Notification__DetailCase c) {
  const char *name = mash_detail_agency(c);
  return name ? name : "unknown";
}

static const char *s_or_empty(const char *s) {
  return s != NULL ? s : "";
}

/* ---------------------------------------------------------------- line */

void hub_line_init(hub_line_t *l, char *out, size_t outlen) {
  l->out = out;
  l->len = out != NULL ? outlen : 0;
  l->used = 0;
  l->full = l->len == 0;
  if (l->len > 0) {
    out[0] = '\0';
  }
}

/* Append `n` bytes whole, or mark the line full. Never cuts a character. */
void hub_line_put(hub_line_t *b, const char *bytes, size_t n) {
  if (b->full || b->used + n >= b->len) {
    b->full = true;
    return;
  }
  memcpy(b->out + b->used, bytes, n);
  b->used += n;
  b->out[b->used] = '\0';
}

size_t hub_view_utf8_next(const unsigned char *s, uint32_t *cp) {
  size_t n;
  uint32_t min;
  if (s[0] < 0x80) {
    *cp = s[0];
    return 1;
  } else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
    n = 2, min = 0x80, *cp = s[0] & 0x1fu;
  } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
    n = 3, min = 0x800, *cp = s[0] & 0x0fu;
  } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
    n = 4, min = 0x10000, *cp = s[0] & 0x07u;
  } else {
    return 0;
  }
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xc0) != 0x80) { /* also stops at the terminator */
      return 0;
    }
    *cp = (*cp << 6) | (s[i] & 0x3fu);
  }
  if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff)) {
    return 0;
  }
  return n;
}

/* Append untrusted text. Control characters (C0, DEL and C1: escape
 * sequences, new lines) and invalid UTF-8 become '?', so a hostile name can
 * neither drive the terminal nor break the line. `underscores` shows
 * snake_case names with spaces. */
void hub_line_text(hub_line_t *b, const char *s, bool underscores) {
  const unsigned char *u = (const unsigned char *)s_or_empty(s);
  while (*u != '\0' && !b->full) {
    uint32_t cp = 0;
    size_t n = hub_view_utf8_next(u, &cp);
    if (n == 0 || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
      hub_line_put(b, "?", 1);
      u += n == 0 ? 1 : n;
    } else if (underscores && cp == '_') {
      hub_line_put(b, " ", 1);
      u++;
    } else {
      hub_line_put(b, (const char *)u, n);
      u += n;
    }
  }
}

/* Append trusted, formatted text (numbers and fixed names only). */
void hub_line_printf(hub_line_t *b, const char *fmt, ...) {
  char tmp[64];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  hub_line_text(b, tmp, false);
}

bool hub_view_dash_of(const Mash__V1__Contact *c, mash_dash_result_t *r) {
  const Mash__V1__Notification *n = c->notification;
  if (n == NULL || n->detail_case != MASH__V1__NOTIFICATION__DETAIL_POLICE || n->police == NULL) {
    return false;
  }
  const Mash__V1__PoliceDetail *p = n->police;
  mash_dash_score(p->dash_answers, p->n_dash_answers, p->officer_grade, p->domestic_abuse, r);
  if (c->dash != NULL) {
    r->present = c->dash->present;
    r->complete = c->dash->complete;
    r->yes_count = c->dash->yes_count;
    r->checklist_grade = c->dash->checklist_grade;
    r->officer_grade = c->dash->officer_grade;
    r->final_grade = c->dash->final_grade;
    r->grade_raised = c->dash->grade_raised;
  }
  return true;
}

void hub_view_line(const Mash__V1__Contact *c, char *out, size_t outlen) {
  if (out == NULL || outlen == 0) {
    return;
  }
  out[0] = '\0';
  if (c == NULL) {
    return;
  }
  hub_line_t b;
  hub_line_init(&b, out, outlen);
  const Mash__V1__Notification *n = c->notification;

  hub_line_text(&b, c->contact_id, false);
  hub_line_text(&b, "  ", false);
  hub_line_text(&b, c->source_principal, false);
  if (n != NULL) {
    hub_line_text(&b, "  ", false);
    hub_line_text(&b, n->source_reference, false);
    hub_line_text(&b, "  ", false);
    hub_line_text(&b, mash_category_name(n->concern_category), true);
  }

  mash_dash_result_t r;
  if (hub_view_dash_of(c, &r)) {
    if (r.present) {
      hub_line_printf(&b, "  DASH %u/%u %s%s", r.yes_count, (unsigned)n->police->n_dash_answers,
                      mash_risk_grade_name(r.final_grade), r.grade_raised ? " (raised)" : "");
    } else if (r.final_grade != MASH__V1__RISK_GRADE__RISK_GRADE_UNSPECIFIED) {
      hub_line_printf(&b, "  no DASH, grade %s", mash_risk_grade_name(r.final_grade));
    } else {
      hub_line_text(&b, "  no DASH", false);
    }
  }

  if (n != NULL) {
    hub_line_printf(&b, "  %zu %s", n->n_children, n->n_children == 1 ? "child" : "children");
  }

  if (c->prior_contacts_12m > 0 || c->domestic_abuse_12m > 0) {
    hub_line_printf(&b, "  prior 12m: %u (DA %u)", (unsigned)c->prior_contacts_12m,
                    (unsigned)c->domestic_abuse_12m);
  }

  /* Who each person was resolved to; a possible match names its candidate
   * and the match the hub is to review (mash-hub matches). */
  for (size_t i = 0; i < c->n_persons; i++) {
    const Mash__V1__PersonLink *l = c->persons[i];
    if (l == NULL) {
      continue;
    }
    hub_line_text(&b, i == 0 ? "  persons: " : ", ", false);
    hub_line_text(&b, l->ref, false);
    hub_line_text(&b, "=", false);
    hub_line_text(&b, l->person_id, false);
    hub_line_text(&b, " (", false);
    hub_line_text(&b, l->decision, false);
    if (l->candidate_person_id != NULL && l->candidate_person_id[0] != '\0') {
      hub_line_text(&b, " ", false);
      hub_line_text(&b, l->candidate_person_id, false);
    }
    if (l->match_id != NULL && l->match_id[0] != '\0') {
      hub_line_text(&b, ", ", false);
      hub_line_text(&b, l->match_id, false);
    }
    hub_line_text(&b, ")", false);
  }

  for (size_t i = 0; i < c->n_quality_flags; i++) {
    hub_line_text(&b, i == 0 ? "  flags: " : ",", false);
    hub_line_text(&b, c->quality_flags[i], false);
  }
}

/* ---------------------------------------------------------------- json */

/* Builders record a failed allocation in *ok instead of checking each call;
 * hub_view_json gives up at the end when anything failed. */

/* jansson refuses invalid UTF-8 (the codec should have rejected it already);
 * such text is shown with '?' for every byte outside ASCII rather than
 * dropped. */
json_t *hub_view_json_text(const char *s) {
  s = s_or_empty(s);
  json_t *j = json_string(s);
  if (j != NULL) {
    return j;
  }
  size_t len = strlen(s);
  char *copy = malloc(len + 1);
  if (copy == NULL) {
    return NULL;
  }
  for (size_t i = 0; i <= len; i++) {
    copy[i] = (unsigned char)s[i] >= 0x80 ? '?' : s[i];
  }
  j = json_string(copy);
  free(copy);
  return j;
}

json_t *hub_view_json_time(int64_t ms) {
  if (ms == 0) {
    return json_null();
  }
  char buf[40];
  mash_clock_format(ms, buf, sizeof buf);
  return json_string(buf);
}

void hub_view_json_set(json_t *obj, const char *key, json_t *value, bool *ok) {
  if (value == NULL || json_object_set_new(obj, key, value) != 0) {
    *ok = false;
  }
}

void hub_view_json_append(json_t *arr, json_t *value, bool *ok) {
  if (value == NULL || json_array_append_new(arr, value) != 0) {
    *ok = false;
  }
}

json_t *hub_view_json_strings(char *const *items, size_t n, bool *ok) {
  json_t *arr = json_array();
  if (arr == NULL) {
    *ok = false;
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    hub_view_json_append(arr, hub_view_json_text(items[i]), ok);
  }
  return arr;
}

json_t *hub_view_person_json(const Mash__V1__Person *p, bool *ok) {
  if (p == NULL) {
    return json_null();
  }
  json_t *o = json_object();
  if (o == NULL) {
    *ok = false;
    return NULL;
  }
  hub_view_json_set(o, "ref", hub_view_json_text(p->ref), ok);
  hub_view_json_set(o, "given_name", hub_view_json_text(p->given_name), ok);
  hub_view_json_set(o, "family_name", hub_view_json_text(p->family_name), ok);
  hub_view_json_set(o, "dob",
                    p->date_of_birth != NULL && p->date_of_birth[0] != '\0'
                        ? hub_view_json_text(p->date_of_birth)
                        : json_null(),
                    ok);
  hub_view_json_set(o, "sex", json_string(mash_sex_name(p->sex)), ok);
  hub_view_json_set(o, "role", hub_view_json_text(p->role), ok);

  json_t *ids = json_array();
  for (size_t i = 0; ids != NULL && i < p->n_identifiers; i++) {
    const Mash__V1__Identifier *id = p->identifiers[i];
    json_t *jid = json_object();
    if (jid != NULL && id != NULL) {
      hub_view_json_set(jid, "kind", json_string(mash_identifier_kind_name(id->kind)), ok);
      hub_view_json_set(jid, "value", hub_view_json_text(id->value), ok);
      if (id->issuer != NULL && id->issuer[0] != '\0') {
        hub_view_json_set(jid, "issuer", hub_view_json_text(id->issuer), ok);
      }
    }
    hub_view_json_append(ids, jid, ok);
  }
  hub_view_json_set(o, "identifiers", ids, ok);

  if (p->address != NULL) {
    json_t *a = json_object();
    if (a != NULL) {
      hub_view_json_set(a, "lines",
                        hub_view_json_strings(p->address->lines, p->address->n_lines, ok), ok);
      hub_view_json_set(a, "town", hub_view_json_text(p->address->town), ok);
      hub_view_json_set(a, "postcode", hub_view_json_text(p->address->postcode), ok);
    }
    hub_view_json_set(o, "address", a, ok);
  } else {
    hub_view_json_set(o, "address", json_null(), ok);
  }
  return o;
}

static json_t *s_jpeople(Mash__V1__Person *const *people, size_t n, bool *ok) {
  json_t *arr = json_array();
  if (arr == NULL) {
    *ok = false;
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    if (people[i] != NULL) {
      hub_view_json_append(arr, hub_view_person_json(people[i], ok), ok);
    }
  }
  return arr;
}

static json_t *s_jpolice(const Mash__V1__PoliceDetail *p, bool *ok) {
  json_t *o = json_object();
  if (o == NULL) {
    *ok = false;
    return NULL;
  }
  hub_view_json_set(o, "incident_number", hub_view_json_text(p->incident_number), ok);
  hub_view_json_set(o, "incident_at", hub_view_json_time(p->incident_at_ms), ok);
  hub_view_json_set(o, "officer_name", hub_view_json_text(p->officer_name), ok);
  hub_view_json_set(o, "officer_contact", hub_view_json_text(p->officer_contact), ok);
  hub_view_json_set(o, "children_present",
                    hub_view_json_strings(p->children_present_refs, p->n_children_present_refs, ok),
                    ok);
  json_t *answers = json_array();
  for (size_t i = 0; answers != NULL && i < p->n_dash_answers; i++) {
    hub_view_json_append(answers, json_string(mash_dash_answer_name(p->dash_answers[i])), ok);
  }
  hub_view_json_set(o, "dash_answers", answers, ok);
  hub_view_json_set(o, "officer_grade", json_string(mash_risk_grade_name(p->officer_grade)), ok);
  hub_view_json_set(o, "formal_referral", json_boolean(p->formal_referral), ok);
  hub_view_json_set(o, "domestic_abuse", json_boolean(p->domestic_abuse), ok);
  return o;
}

static json_t *s_jdetail(const Mash__V1__Notification *n, bool *ok) {
  json_t *o = NULL;
  switch (n->detail_case) {
  case MASH__V1__NOTIFICATION__DETAIL_POLICE:
    return n->police != NULL ? s_jpolice(n->police, ok) : json_null();
  case MASH__V1__NOTIFICATION__DETAIL_HEALTH:
    if (n->health == NULL) {
      break;
    }
    if ((o = json_object()) == NULL) {
      *ok = false;
      return NULL;
    }
    hub_view_json_set(o, "kind", json_string(mash_health_kind_name(n->health->kind)), ok);
    hub_view_json_set(o, "setting", hub_view_json_text(n->health->setting), ok);
    hub_view_json_set(o, "attended_at", hub_view_json_time(n->health->attended_at_ms), ok);
    hub_view_json_set(o, "practitioner", hub_view_json_text(n->health->practitioner), ok);
    return o;
  case MASH__V1__NOTIFICATION__DETAIL_EDUCATION:
    if (n->education == NULL) {
      break;
    }
    if ((o = json_object()) == NULL) {
      *ok = false;
      return NULL;
    }
    hub_view_json_set(o, "kind", json_string(mash_education_kind_name(n->education->kind)), ok);
    hub_view_json_set(o, "school", hub_view_json_text(n->education->school), ok);
    hub_view_json_set(o, "attendance_percent", json_integer(n->education->attendance_percent), ok);
    hub_view_json_set(o, "unauthorised_sessions", json_integer(n->education->unauthorised_sessions),
                      ok);
    hub_view_json_set(o, "dsl_name", hub_view_json_text(n->education->dsl_name), ok);
    return o;
  case MASH__V1__NOTIFICATION__DETAIL_HOUSING:
    if (n->housing == NULL) {
      break;
    }
    if ((o = json_object()) == NULL) {
      *ok = false;
      return NULL;
    }
    hub_view_json_set(o, "kind", json_string(mash_housing_kind_name(n->housing->kind)), ok);
    hub_view_json_set(o, "tenancy_reference", hub_view_json_text(n->housing->tenancy_reference),
                      ok);
    hub_view_json_set(o, "arrears_pence", json_integer(n->housing->arrears_pence), ok);
    return o;
  default:
    break;
  }
  return json_null();
}

static json_t *s_jnotification(const Mash__V1__Notification *n, bool *ok) {
  json_t *o = json_object();
  if (o == NULL) {
    *ok = false;
    return NULL;
  }
  hub_view_json_set(o, "source_reference", hub_view_json_text(n->source_reference), ok);
  hub_view_json_set(o, "agency", json_string(hub_view_agency_name(n->detail_case)), ok);
  hub_view_json_set(o, "category", json_string(mash_category_name(n->concern_category)), ok);
  hub_view_json_set(o, "concern", hub_view_json_text(n->concern), ok);
  hub_view_json_set(o, "occurred_at", hub_view_json_time(n->occurred_at_ms), ok);
  hub_view_json_set(o, "children", s_jpeople(n->children, n->n_children, ok), ok);
  hub_view_json_set(o, "adults", s_jpeople(n->adults, n->n_adults, ok), ok);
  json_t *rels = json_array();
  for (size_t i = 0; rels != NULL && i < n->n_relationships; i++) {
    const Mash__V1__Relationship *r = n->relationships[i];
    if (r == NULL) {
      continue;
    }
    json_t *jr = json_object();
    if (jr != NULL) {
      hub_view_json_set(jr, "from", hub_view_json_text(r->from_ref), ok);
      hub_view_json_set(jr, "to", hub_view_json_text(r->to_ref), ok);
      hub_view_json_set(jr, "kind", hub_view_json_text(r->kind), ok);
    }
    hub_view_json_append(rels, jr, ok);
  }
  hub_view_json_set(o, "relationships", rels, ok);
  hub_view_json_set(o, hub_view_agency_name(n->detail_case), s_jdetail(n, ok), ok);
  return o;
}

static json_t *s_jdash(const Mash__V1__DashScore *d, bool *ok) {
  json_t *o = json_object();
  if (o == NULL) {
    *ok = false;
    return NULL;
  }
  hub_view_json_set(o, "present", json_boolean(d->present), ok);
  hub_view_json_set(o, "complete", json_boolean(d->complete), ok);
  hub_view_json_set(o, "yes_count", json_integer(d->yes_count), ok);
  hub_view_json_set(o, "checklist_grade", json_string(mash_risk_grade_name(d->checklist_grade)),
                    ok);
  hub_view_json_set(o, "officer_grade", json_string(mash_risk_grade_name(d->officer_grade)), ok);
  hub_view_json_set(o, "final_grade", json_string(mash_risk_grade_name(d->final_grade)), ok);
  hub_view_json_set(o, "grade_raised", json_boolean(d->grade_raised), ok);
  return o;
}

/* An optional id: null when the broker left it empty. */
static json_t *s_jid(const char *s) {
  return s != NULL && s[0] != '\0' ? hub_view_json_text(s) : json_null();
}

static json_t *s_jlinks(Mash__V1__PersonLink *const *links, size_t n, bool *ok) {
  json_t *arr = json_array();
  for (size_t i = 0; arr != NULL && i < n; i++) {
    const Mash__V1__PersonLink *l = links[i];
    if (l == NULL) {
      continue;
    }
    json_t *o = json_object();
    if (o == NULL) {
      *ok = false;
      break;
    }
    hub_view_json_set(o, "ref", hub_view_json_text(l->ref), ok);
    hub_view_json_set(o, "person_id", hub_view_json_text(l->person_id), ok);
    hub_view_json_set(o, "decision", hub_view_json_text(l->decision), ok);
    hub_view_json_set(o, "confidence_permille", json_integer(l->confidence_permille), ok);
    hub_view_json_set(o, "why", hub_view_json_text(l->why), ok);
    hub_view_json_set(o, "candidate_person_id", s_jid(l->candidate_person_id), ok);
    hub_view_json_set(o, "match_id", s_jid(l->match_id), ok);
    hub_view_json_append(arr, o, ok);
  }
  if (arr == NULL) {
    *ok = false;
  }
  return arr;
}

json_t *hub_view_json_object(const void *of) {
  return of == NULL ? NULL : json_object();
}

json_t *hub_view_json(const Mash__V1__Contact *c) {
  json_t *o = hub_view_json_object(c);
  if (o == NULL) {
    return NULL;
  }
  bool ok = true;
  hub_view_json_set(o, "contact_id", hub_view_json_text(c->contact_id), &ok);
  hub_view_json_set(o, "source_principal", hub_view_json_text(c->source_principal), &ok);
  hub_view_json_set(o, "received_at", hub_view_json_time(c->received_at_ms), &ok);
  hub_view_json_set(o, "screening_due_at", hub_view_json_time(c->screening_due_at_ms), &ok);
  hub_view_json_set(o, "notification",
                    c->notification != NULL ? s_jnotification(c->notification, &ok) : json_null(),
                    &ok);
  hub_view_json_set(o, "dash", c->dash != NULL ? s_jdash(c->dash, &ok) : json_null(), &ok);
  hub_view_json_set(o, "quality_flags",
                    hub_view_json_strings(c->quality_flags, c->n_quality_flags, &ok), &ok);
  /* The broker's screening priority: 0 and [] from a broker that does not
   * compute it yet. */
  hub_view_json_set(o, "priority", json_integer(c->priority), &ok);
  hub_view_json_set(o, "priority_reasons",
                    hub_view_json_strings(c->priority_reasons, c->n_priority_reasons, &ok), &ok);
  /* Person resolution: [] and 0 from a broker that does not resolve yet. */
  hub_view_json_set(o, "persons", s_jlinks(c->persons, c->n_persons, &ok), &ok);
  hub_view_json_set(o, "prior_contacts_12m", json_integer(c->prior_contacts_12m), &ok);
  hub_view_json_set(o, "domestic_abuse_12m", json_integer(c->domestic_abuse_12m), &ok);
  if (!ok) {
    json_decref(o);
    return NULL;
  }
  return o;
}
